/* sync_pull.c: pulling the shared log from etcd: each entry checked (its link in the shared
 * chain, its signature, its office's admission) and applied in order, or quarantined. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "docket/state.h"
#include "docket/text.h"
#include "docket/trust.h"
#include "sync_int.h"

/* Keeps the entry at POS out of the state: its TEXT (LEN bytes) as the log holds it, the hash
 * it states (the next entry chains from it), and REASON. */
int
sync_quarantine(struct sync *s, long long pos, const struct ev_bytes *b, const char *text,
                size_t len, const unsigned char stated[EV_HASH_LEN], const char *reason)
{
    static const char sql[] =
        "INSERT INTO quarantine (pos, hash, reason, uuid, replica, entry, received) VALUES "
        "(:pos, :hash, :reason, :uuid, :replica, :entry, :received)";
    struct sync_counts *n = s->n;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":reason", reason, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":uuid", b ? b->v[EVF_UUID] : NULL, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":replica", b ? b->v[EVF_REPLICA] : NULL, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":received", s->now, s->d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), stated, EV_HASH_LEN,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":entry"), text, (int)len,
                      SQLITE_STATIC);
    if ((rc = db_run(s->db, st, s->d)) != 0)
        return rc;
    if (n->nquarantined < SYNC_NAMED)
        snprintf(n->quarantined[n->nquarantined++], sizeof n->quarantined[0],
                 "shared log entry %lld (%s, %s by office %s) is quarantined: %s", pos,
                 b && b->v[EVF_TYPE] ? b->v[EVF_TYPE] : "?",
                 b && b->v[EVF_ACTOR] ? b->v[EVF_ACTOR] : "?",
                 b && b->v[EVF_REPLICA] ? b->v[EVF_REPLICA] : "?", reason);
    n->quarantine_count++;
    return 0;
}

/* Checks the entry P at POS (its hash computed from the log's head here) as every office checks
 * it: its link in the shared chain, then its signature and its office's admission. Sets *REASON
 * to NULL when it may be applied. */
int
sync_check_entry(struct sync *s, long long pos, const struct pulled *p,
                 const unsigned char computed[EV_HASH_LEN], const char **reason)
{
    const struct ev_bytes *b = &p->b;
    char type[32], replica[64], subject[80], value[80];
    struct trust_entry e = {.type = type,
                            .replica = replica,
                            .canon = p->canon.p,
                            .canon_len = p->canon.len,
                            .sig = b->sig,
                            .tried = p->has_key ? p->key : NULL,
                            .verified = p->verified};
    unsigned char used[TRUST_PUB_LEN];
    json_t *attrs = NULL;
    int rc, decisive, cacheable;

    if (memcmp(computed, p->stated, EV_HASH_LEN) != 0) {
        *reason = "chain";
        return 0;
    }
    snprintf(type, sizeof type, "%.*s", (int)b->n[EVF_TYPE], b->v[EVF_TYPE]);
    snprintf(replica, sizeof replica, "%.*s", (int)b->n[EVF_REPLICA], b->v[EVF_REPLICA]);
    /* An ordinary entry of an office already accepted under the key its signature verifies
     * with is accepted alike; one that changes who is admitted forgets them all. */
    decisive = strcmp(type, "office") == 0 || strcmp(type, "admit") == 0 ||
               strcmp(type, "revoke") == 0 || strcmp(type, "rekey") == 0;
    cacheable = !decisive && b->sig && p->has_key && p->verified;
    if (decisive)
        s->nadmitted = 0;
    for (int i = 0; cacheable && i < s->nadmitted; i++)
        if (strcmp(s->admitted[i].replica, replica) == 0 &&
            memcmp(s->admitted[i].key, p->key, TRUST_PUB_LEN) == 0) {
            *reason = NULL;
            return 0;
        }
    e.used = used;
    if (b->v[EVF_SUBJECT] && b->n[EVF_SUBJECT] < sizeof subject) {
        snprintf(subject, sizeof subject, "%.*s", (int)b->n[EVF_SUBJECT], b->v[EVF_SUBJECT]);
        e.subject = subject;
    }
    if (b->v[EVF_NEW] && b->n[EVF_NEW] < sizeof value) {
        snprintf(value, sizeof value, "%.*s", (int)b->n[EVF_NEW], b->v[EVF_NEW]);
        e.new_value = value;
    }
    if (strcmp(type, "office") == 0 && b->attrs &&
        (attrs = json_loadb(b->attrs, b->attrs_len, 0, NULL)) != NULL)
        e.head = json_string_value(json_object_get(attrs, "head"));
    rc = trust_check_entry(s->db, pos, &e, reason, s->d);
    json_decref(attrs);
    if (rc == 0 && *reason == NULL && cacheable && memcmp(used, p->key, TRUST_PUB_LEN) == 0 &&
        s->nadmitted < (int)(sizeof s->admitted / sizeof s->admitted[0])) {
        struct admitted *a = &s->admitted[s->nadmitted++];

        snprintf(a->replica, sizeof a->replica, "%s", replica);
        memcpy(a->key, used, TRUST_PUB_LEN);
    }
    return rc;
}

/* Reads entry P from its JSON: an event, checked as far as it can be alone, and its canonical
 * bytes. Returns 0 or DK_DATA naming the position. */
static int
parse_pulled(struct sync *s, struct pulled *p)
{
    int rc;

    p->o = text_json_loadb(p->value, p->vlen, JSON_REJECT_DUPLICATES, NULL);
    if (p->o == NULL || p->pos != s->position + 1 ||
        ev_unhex(json_string_value(json_object_get(p->o, "hash")), p->stated) != 0)
        return diag_set(s->d, DK_DATA, "the shared log's entry %lld is not a docket event",
                        s->position + 1);
    if ((rc = ev_from_json(p->o, &p->b, &p->attrs, &p->x, s->d)) != 0 ||
        (rc = ev_check_bytes(&p->b, s->d)) != 0)
        return diag_prefix(s->d, "shared log entry %lld: ", p->pos);
    if (p->b.v[EVF_UUID] == NULL || p->b.v[EVF_REPLICA] == NULL || ev_canon(&p->b, &p->canon) != 0)
        return diag_set(s->d, DK_DATA, "shared log entry %lld cannot be read", p->pos);
    return 0;
}

/* Picks, for each signed entry of PAGE[0..N), the key its signature is most likely to be
 * checked with in log order: the key an office event announces, else the one its replica is
 * bound to here or by an office event earlier in the page. */
static int
guess_keys(struct sync *s, struct pulled *page, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct pulled *p = &page[i];
        int found = 0, rc;

        if (p->b.sig == NULL)
            continue;
        if (p->b.n[EVF_TYPE] == 6 && memcmp(p->b.v[EVF_TYPE], "office", 6) == 0 &&
            p->b.v[EVF_NEW] && trust_unhex(p->b.v[EVF_NEW], p->key, TRUST_PUB_LEN) == 0) {
            p->has_key = 1;
            continue;
        }
        for (size_t j = i; j-- > 0 && !found;)
            if (page[j].has_key && strcmp(page[j].b.v[EVF_REPLICA], p->b.v[EVF_REPLICA]) == 0) {
                memcpy(p->key, page[j].key, TRUST_PUB_LEN);
                found = 1;
            }
        if (!found && (rc = trust_key_of(s->db, p->b.v[EVF_REPLICA], &found, p->key, s->d)) != 0)
            return rc;
        p->has_key = found;
    }
    return 0;
}

/* Checks entry I's signature unless the other thread took it first. */
static void
verify_one(struct verifier *v, size_t i)
{
    struct pulled *p = &v->page[i];
    int free_state = 0;
    size_t k = 0;

    if (!atomic_compare_exchange_strong(&v->state[i], &free_state, 1))
        return;
    if (p->has_key) {
        while (k < v->nkeys && memcmp(v->raw[k], p->key, TRUST_PUB_LEN) != 0)
            k++;
        p->verified = k < v->nkeys && v->keys[k]
                          ? trust_pub_verify(v->keys[k], p->canon.p, p->canon.len, p->b.sig)
                          : trust_verify(p->key, p->canon.p, p->canon.len, p->b.sig);
    }
    atomic_store(&v->state[i], 2);
}

static void *
verify_ahead(void *arg)
{
    struct verifier *v = arg;

    for (size_t i = 0; i < v->n; i++)
        verify_one(v, i);
    return NULL;
}

/* Starts checking PAGE[0..N)'s signatures; 0, or DK_STORE when out of memory. */
int
sync_verifier_start(struct verifier *v, struct pulled *page, size_t n)
{
    memset(v, 0, sizeof *v);
    v->page = page;
    v->n = n;
    if ((v->state = calloc(n ? n : 1, sizeof *v->state)) == NULL)
        return DK_STORE;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        atomic_init(&v->state[i], 0);
        while (k < v->nkeys && memcmp(v->raw[k], page[i].key, TRUST_PUB_LEN) != 0)
            k++;
        if (page[i].has_key && k == v->nkeys && k < PAGE_KEYS) {
            memcpy(v->raw[k], page[i].key, TRUST_PUB_LEN);
            v->keys[k] = trust_pub_new(v->raw[k]);
            v->nkeys++;
        }
    }
    v->threaded = n > 1 && pthread_create(&v->thread, NULL, verify_ahead, v) == 0;
    return 0;
}

/* Waits until entry I's signature is checked, checking it here if nobody has yet. */
void
sync_verifier_wait(struct verifier *v, size_t i)
{
    verify_one(v, i);
    while (atomic_load(&v->state[i]) != 2)
        sched_yield();
}

void
sync_verifier_end(struct verifier *v)
{
    if (v->state == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        int free_state = 0; /* what is left after a stop is not checked */

        atomic_compare_exchange_strong(&v->state[i], &free_state, 2);
    }
    if (v->threaded)
        pthread_join(v->thread, NULL);
    for (size_t k = 0; k < v->nkeys; k++)
        trust_pub_free(v->keys[k]);
    free(v->state);
    v->state = NULL;
}

/* Applies the pulled log entries in s->kvs, in order, inside one write transaction: the
 * applied position moves with the events it covers, so a sync killed here resumes exactly. An
 * entry that fails a check is quarantined and the next applied: one bad entry holds back no
 * good one. */
static int
apply_pulled(void *arg)
{
    struct sync *s = arg;
    struct pulled *page;
    struct verifier v = {0};
    struct ev_buf buf = {0};
    size_t n = 0, total = json_array_size(s->kvs);
    int rc, stop = 0; /* the first entry that is not a docket event ends the page there */

    s->nadmitted = 0;
    if ((rc = sync_load_position(s)) != 0)
        return rc;
    if ((page = calloc(total ? total : 1, sizeof *page)) == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    /* The entries after this store's position, parsed (another tracker's keys, or entries that
     * another sync of this store applied meanwhile, are passed over). */
    for (size_t i = 0; i < total && !stop; i++) {
        json_t *kv = json_array_get(s->kvs, i);
        size_t klen = 0;
        char *key = etcd_unb64(json_string_value(json_object_get(kv, "key")), &klen);
        long long pos = sync_log_pos(s, key, klen);
        struct pulled *p = &page[n];

        free(key);
        if (pos <= s->position + (long long)n)
            continue;
        p->pos = pos;
        p->value = etcd_unb64(json_string_value(json_object_get(kv, "value")), &p->vlen);
        s->position += (long long)n; /* parse_pulled expects the next position */
        stop =
            (rc = p->value ? parse_pulled(s, p)
                           : diag_set(s->d, DK_DATA, "etcd sent a value that is not base64")) != 0;
        s->position -= (long long)n;
        n++;
    }
    if (stop)
        n--; /* apply what comes before the bad entry, then say so */
    if (n > 0 && (rc == 0 || stop) && guess_keys(s, page, n) != 0) {
        rc = s->d->code;
        n = 0;
    }
    if (n > 0 && sync_verifier_start(&v, page, n) != 0) {
        rc = diag_set(s->d, DK_STORE, "out of memory");
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct pulled *p = &page[i];
        unsigned char computed[EV_HASH_LEN];
        const char *reason = NULL;
        long long seq = 0;
        int r = 0;

        sync_verifier_wait(&v, i);
        if (ev_hash(s->head, &p->b, &buf, computed) != 0)
            r = diag_set(s->d, DK_DATA, "shared log entry %lld cannot be hashed", p->pos);
        else if ((r = sync_check_entry(s, p->pos, p, computed, &reason)) != 0)
            ;
        else if (reason)
            r = sync_quarantine(s, p->pos, &p->b, p->value, p->vlen, p->stated, reason);
        else if ((seq = sync_local_seq(s, p->b.v[EVF_UUID])) < 0)
            r = s->d->code;
        else if (seq == 0 && strcmp(p->b.v[EVF_REPLICA], db_replica(s->db)) == 0)
            /* Only this store makes events with its replica id, and signs them: another store
             * has it too, and this store's key. */
            r = diag_set(s->d, DK_DATA,
                         "another store shares this store's replica id %s: one of them was "
                         "copied by hand; make the copy anew with 'docket clone'",
                         db_replica(s->db));
        else if (seq == 0 &&
                 (r = ev_receive(s->db, &p->b, EV_APPLY | EV_CHECKED, NULL, &seq, s->d)) == 0)
            s->n->pulled++;
        if (r == 0 && reason == NULL)
            r = sync_place(s, &p->b, seq, p->pos, p->stated);
        if (r != 0) {
            rc = r;
            stop = 0;
            break;
        }
        s->position = p->pos;
        memcpy(s->head, p->stated, EV_HASH_LEN);
    }
    sync_verifier_end(&v);
    for (size_t i = 0; i < total; i++) {
        free(page[i].value);
        free(page[i].attrs);
        json_decref(page[i].o);
        ev_buf_free(&page[i].canon);
    }
    free(page);
    ev_buf_free(&buf);
    if (rc == 0 && s->definitions)
        rc = state_rebuild(s->db, s->d);
    s->definitions = 0;
    return rc;
}

int
sync_apply_reply(struct db *db, const char *prefix, const char *body, size_t len,
                 struct sync_counts *n, struct diag *d)
{
    struct sync s = {.db = db, .n = n, .d = d};
    json_t *resp = etcd_parse(body, len);
    int rc;

    memset(n, 0, sizeof *n);
    if (resp == NULL)
        return diag_set(d, DK_DATA, "etcd's reply is not JSON");
    snprintf(s.prefix, sizeof s.prefix, "%s", prefix);
    s.kvs = json_object_get(resp, "kvs");
    ts_now(s.now);
    rc = apply_pulled(&s);
    json_decref(resp);
    return rc;
}

/* Pulls every log entry after this store's position and applies it, a range at a time. */
int
sync_pull(struct sync *s)
{
    char end[300], *from = NULL;
    size_t from_len;
    long long total;
    int rc, more = 1;

    if ((rc = db_tx(s->db, DB_TX_READ, sync_read_position, s, s->d)) != 0)
        return rc;
    /* From the next position to just past "P/log/99...9" (':' follows '9'): a tracker whose
     * prefix is P/log has its keys (P/log/head, P/log/ev/...) outside the range. */
    snprintf(end, sizeof end, "%s/log/:", s->prefix);
    from_len = strlen(s->prefix) + 5 + 20;
    if ((from = malloc(from_len + 1)) == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    snprintf(from, from_len + 1, "%s/log/%020lld", s->prefix, s->position + 1);
    while (more) {
        json_t *req, *resp = NULL, *kvs;
        size_t n;

        req = json_pack("{s:o, s:o, s:I}", "key", etcd_b64(from, from_len), "range_end",
                        etcd_b64(end, strlen(end)), "limit", (json_int_t)s->limit);
        rc = etcd_call(s->etcd, "/v3/kv/range", req, &resp, s->d);
        json_decref(req);
        if (rc != 0 && etcd_too_large(s->etcd) && s->limit > 1) {
            /* Large events: ask for fewer at a time. */
            s->limit = s->limit > 4 ? s->limit / 4 : 1;
            s->d->code = 0;
            s->d->msg[0] = '\0';
            continue;
        }
        if (rc != 0)
            break;
        kvs = json_object_get(resp, "kvs");
        more = json_is_true(json_object_get(resp, "more"));
        /* "count" is how many keys the whole range holds, whatever the limit. */
        total = s->position + etcd_int(json_object_get(resp, "count"));
        if ((n = json_array_size(kvs)) > 0) {
            /* The next range starts just after the last key of this one (with a NUL byte). */
            size_t len;
            char *last = etcd_unb64(
                json_string_value(json_object_get(json_array_get(kvs, n - 1), "key")), &len);

            free(from);
            from = last;
            from_len = len + 1;
            if (last == NULL)
                rc = diag_set(s->d, DK_DATA, "etcd sent a key that is not base64");
            s->kvs = kvs;
            ts_now(s->now);
            if (rc == 0)
                rc = db_tx(s->db, DB_TX_WRITE, apply_pulled, s, s->d);
            s->kvs = NULL;
            if (rc == 0 && s->progress)
                s->progress->fn("applied", s->position, total > s->position ? total : s->position,
                                s->progress->arg);
        } else {
            more = 0;
        }
        json_decref(resp);
        if (rc != 0)
            break;
    }
    free(from);
    return rc;
}
