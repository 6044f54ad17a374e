/* sync_publish.c: publishing this store's events to the shared log, one etcd transaction
 * per batch, and recording the positions they took. */
#include <stdlib.h>
#include <string.h>

#include "docket/state.h"
#include "docket/text.h"
#include "docket/trust.h"
#include "sync_int.h"

/* Collects up to a batch of this store's unpublished events, in local order, as JSON. */
int
sync_collect(void *arg)
{
    static const char sql[] = "SELECT e.seq, " EV_JSON_COLUMNS " FROM event e WHERE NOT "
                              "EXISTS (SELECT 1 FROM shared s WHERE s.seq = e.seq) AND NOT "
                              "EXISTS (SELECT 1 FROM quarantine q WHERE q.uuid = e.uuid) ORDER "
                              "BY e.seq LIMIT :limit";
    struct sync *s = arg;
    size_t bytes = 0;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = sync_load_position(s)) != 0 || (rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":limit", BATCH_EVENTS, s->d)) != 0)
        return rc;
    while ((rc = db_row(s->db, st, s->d)) == 1) {
        json_t *o = ev_to_json(NULL, st, 1);
        char *text = json_dumps(o, JSON_COMPACT);

        bytes += text ? strlen(text) : 0;
        free(text);
        if (json_array_size(s->batch) > 0 && bytes > BATCH_BYTES) {
            json_decref(o);
            break;
        }
        s->batch_seq[json_array_size(s->batch)] = sqlite3_column_int64(st, 0);
        json_array_append_new(s->batch, o);
    }
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

/* Builds the transaction that publishes the batch after position s->position, whose head key
 * has revision HEAD_REV (0: none yet). */
static json_t *
publish_txn(struct sync *s, long long head_rev)
{
    json_t *compare = json_array(), *success = json_array(), *failure = json_array(), *o;
    unsigned char h[EV_HASH_LEN];
    struct ev_buf buf = {0};
    long long pos = s->position;
    char rev[32], hex[2 * EV_HASH_LEN + 1], posbuf[32];
    size_t i;

    memcpy(h, s->head, EV_HASH_LEN);
    snprintf(rev, sizeof rev, "%lld", head_rev);
    json_array_append_new(compare,
                          json_pack("{s:o, s:s, s:s, s:s}", "key", sync_key_of(s->prefix, "head"),
                                    "target", "MOD", "mod_revision", rev, "result", "EQUAL"));
    json_array_append_new(
        failure, json_pack("{s:{s:o}}", "request_range", "key", sync_key_of(s->prefix, "head")));
    json_array_foreach(s->batch, i, o)
    {
        const char *uuid = json_string_value(json_object_get(o, "uuid"));
        struct ev_bytes b;
        struct ev_extra x;
        char *attrs = NULL, *text;
        struct diag d = {0};

        ev_from_json(o, &b, &attrs, &x, &d);
        ev_hash(h, &b, &buf, h);
        free(attrs);
        ev_hex(h, hex);
        pos++;
        json_object_set_new(o, "hash", json_string(hex));
        text = json_dumps(o, JSON_COMPACT);
        snprintf(posbuf, sizeof posbuf, "%lld", pos);
        json_array_append_new(
            compare, json_pack("{s:o, s:s, s:s, s:s}", "key", sync_event_key(s->prefix, uuid),
                               "target", "CREATE", "create_revision", "0", "result", "EQUAL"));
        json_array_append_new(success, json_pack("{s:{s:o, s:o}}", "request_put", "key",
                                                 sync_event_key(s->prefix, uuid), "value",
                                                 etcd_b64(posbuf, strlen(posbuf))));
        json_array_append_new(
            success, json_pack("{s:{s:o, s:o}}", "request_put", "key", sync_log_key(s->prefix, pos),
                               "value", etcd_b64(text ? text : "", text ? strlen(text) : 0)));
        free(text);
    }
    ev_buf_free(&buf);
    {
        json_t *head = json_pack("{s:I, s:s}", "pos", (json_int_t)pos, "hash", hex);
        char *text = json_dumps(head, JSON_COMPACT);

        json_array_append_new(success, json_pack("{s:{s:o, s:o}}", "request_put", "key",
                                                 sync_key_of(s->prefix, "head"), "value",
                                                 etcd_b64(text, strlen(text))));
        free(text);
        json_decref(head);
    }
    return json_pack("{s:o, s:o, s:o}", "compare", compare, "success", success, "failure", failure);
}

/* Records the positions of the batch just published. This office's own entries pass the
 * checks every other office makes (their signatures checked on both cores, under this office's
 * key), or are quarantined here as there (an office revoked while it published). */
static int
record_published(void *arg)
{
    struct sync *s = arg;
    struct ev_buf buf = {0};
    unsigned char from[EV_HASH_LEN];
    long long after = s->position, local;
    size_t n = json_array_size(s->batch);
    struct pulled *own = calloc(n ? n : 1, sizeof *own);
    struct verifier v = {0};
    int rc = 0;

    if (own == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    /* Another sync of this store may have pulled (and placed) the batch in the meantime. */
    s->nadmitted = 0;
    memcpy(from, s->head, EV_HASH_LEN);
    if ((rc = sync_load_position(s)) != 0)
        goto out;
    local = s->position;
    s->position = after;
    memcpy(s->head, from, EV_HASH_LEN);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct pulled *p = &own[i];

        if ((rc = ev_from_json(json_array_get(s->batch, i), &p->b, &p->attrs, &p->x, s->d)) == 0 &&
            ev_canon(&p->b, &p->canon) != 0)
            rc = diag_set(s->d, DK_DATA, "an event to publish cannot be read");
        if ((p->has_key = p->b.sig != NULL && db_key(s->db) != NULL))
            trust_key_public(db_key(s->db), p->key);
    }
    if (rc == 0 && sync_verifier_start(&v, own, n) != 0)
        rc = diag_set(s->d, DK_STORE, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct pulled *p = &own[i];
        char *text = NULL;
        const char *reason = NULL;
        int placed = s->position + 1 <= local;

        sync_verifier_wait(&v, i);
        if (ev_hash(s->head, &p->b, &buf, p->stated) != 0)
            rc = diag_set(s->d, DK_DATA, "an event to publish cannot be hashed");
        else if (!placed && (rc = sync_check_entry(s, s->position + 1, p, p->stated, &reason)) != 0)
            ;
        else if (!placed && reason) {
            if ((text = json_dumps(json_array_get(s->batch, i), JSON_COMPACT)) == NULL)
                rc = diag_set(s->d, DK_STORE, "out of memory");
            else
                rc = sync_quarantine(s, s->position + 1, &p->b, text, strlen(text), p->stated,
                                     reason);
        } else if (!placed) {
            rc = sync_place(s, &p->b, s->batch_seq[i], s->position + 1, p->stated);
        }
        free(text);
        if (rc != 0)
            break;
        s->position++;
        memcpy(s->head, p->stated, EV_HASH_LEN);
        s->n->published++;
    }
    if (rc == 0 && s->definitions)
        rc = state_rebuild(s->db, s->d);
    s->definitions = 0;
out:
    sync_verifier_end(&v);
    for (size_t i = 0; i < n; i++) {
        free(own[i].attrs);
        ev_buf_free(&own[i].canon);
    }
    free(own);
    ev_buf_free(&buf);
    return rc;
}

/* Reads the head key's revision, position and hash; 0, 0 and zeros when the log is empty. */
static int
read_head(struct sync *s, long long *rev, long long *pos, unsigned char hash[EV_HASH_LEN])
{
    json_t *req = json_pack("{s:o}", "key", sync_key_of(s->prefix, "head")), *resp = NULL;
    json_t *kv;
    int rc = etcd_call(s->etcd, "/v3/kv/range", req, &resp, s->d);

    json_decref(req);
    if (rc != 0)
        return rc;
    *rev = *pos = 0;
    memset(hash, 0, EV_HASH_LEN);
    kv = json_array_get(json_object_get(resp, "kvs"), 0);
    if (kv) {
        size_t n;
        char *v = etcd_unb64(json_string_value(json_object_get(kv, "value")), &n);
        json_t *head = v ? text_json_loadb(v, n, 0, NULL) : NULL;

        *rev = etcd_int(json_object_get(kv, "mod_revision"));
        *pos = json_integer_value(json_object_get(head, "pos"));
        if (ev_unhex(json_string_value(json_object_get(head, "hash")), hash) != 0)
            memset(hash, 0xff, EV_HASH_LEN); /* no store's head is that */
        json_decref(head);
        free(v);
    }
    json_decref(resp);
    return 0;
}

/* Reads the remote head into *REV and *POS and checks that it continues this store's part of
 * the log: a shorter log, or one of the same length with another head, is not this store's. */
int
sync_check_head(struct sync *s, long long *rev, long long *pos)
{
    unsigned char hash[EV_HASH_LEN];
    int rc;

    if ((rc = read_head(s, rev, pos, hash)) != 0)
        return rc;
    if (*pos < s->position || (*pos == s->position && memcmp(hash, s->head, EV_HASH_LEN) != 0))
        return diag_set(s->d, DK_DATA,
                        "the shared log under '%s' (%lld events) is not the one this store synced "
                        "with (%lld events): another prefix, or a log that was wiped",
                        s->prefix, *pos, s->position);
    return 0;
}

/* Publishes one batch; returns 0 when done with this batch (published, or found to need a
 * pull first, which sets *BEHIND to the log's length as its head says), or an error. */
int
sync_publish_batch(struct sync *s, long long *behind)
{
    long long rev, pos;
    json_t *txn, *resp = NULL;
    int rc;

    if ((rc = sync_check_head(s, &rev, &pos)) != 0)
        return rc;
    if (pos != s->position) {
        *behind = pos; /* others published since our last pull: pull, then come back */
        return 0;
    }
    txn = publish_txn(s, rev);
    rc = etcd_call(s->etcd, "/v3/kv/txn", txn, &resp, s->d);
    json_decref(txn);
    if (rc != 0) {
        /* A refusal (permission, a request too large) stops the sync; a timeout may hide a
         * commit, which the next pull will tell. */
        if (etcd_refused(s->etcd) || etcd_too_large(s->etcd))
            return rc;
        s->d->code = 0;
        s->d->msg[0] = '\0';
        return 0;
    }
    if (json_is_true(json_object_get(resp, "succeeded"))) {
        ts_now(s->now);
        json_decref(resp);
        if ((rc = db_tx(s->db, DB_TX_WRITE, record_published, s, s->d)) == 0 && s->progress)
            s->progress->fn("published", s->n->published,
                            s->to_publish > s->n->published ? s->to_publish : s->n->published,
                            s->progress->arg);
        return rc;
    }
    /* A comparison failed: the head moved, or some of these events are already in the log
     * (a request that timed out did commit). Either way the pull settles it. But with the
     * head where it was, an event of the batch has its P/ev key and no place in the log after
     * this store's position (it would have been pulled and placed): no pull can settle that. */
    {
        json_t *kv = json_array_get(
            json_object_get(json_object_get(json_array_get(json_object_get(resp, "responses"), 0),
                                            "response_range"),
                            "kvs"),
            0);
        long long now = kv ? etcd_int(json_object_get(kv, "mod_revision")) : 0;

        json_decref(resp);
        if (now == rev)
            return diag_set(s->d, DK_DATA,
                            "the shared log under '%s' holds events of this store under '%s/ev/' "
                            "but not in its log: the log was altered",
                            s->prefix, s->prefix);
    }
    return 0;
}
