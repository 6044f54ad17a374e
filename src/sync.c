/* sync.c: offices share one log through etcd: the remote, the helpers every part of a sync
 * uses, and a sync's run (pulling: sync_pull.c; publishing: sync_publish.c; the log watched and
 * repaired: sync_watch.c).
 *
 * Under the prefix P the cluster holds:
 *   P/head        {"pos": N, "hash": HEX}: the shared log's length and head
 *   P/log/%020d   each event at its position, as JSON, with its shared-chain hash
 *   P/ev/UUID     the position of event UUID, so that publishing it twice is impossible
 * Publishing is one etcd transaction per batch: it holds only if P/head is unchanged and none of
 * the batch's events exists yet. Whatever the outcome (even a timeout that hid a commit), the
 * next pull tells what happened: it applies the log in order and recognises this store's own
 * events by their uuid. Etcd orders and replicates; docket has no locking of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "docket/state.h"
#include "docket/text.h"
#include "docket/trust.h"
#include "sync_int.h"

/* ---- the remote, kept in meta ---- */

static const char *const remote_keys[] = {"remote.endpoints", "remote.prefix", "remote.user",
                                          "remote.password_file", "remote.cacert"};

static char *
remote_field(struct sync_remote *r, int i)
{
    char *const f[] = {r->endpoints, r->prefix, r->user, r->password_file, r->cacert};

    return f[i];
}

static size_t
remote_size(int i)
{
    static const struct sync_remote r;
    const size_t sizes[] = {sizeof r.endpoints, sizeof r.prefix, sizeof r.user,
                            sizeof r.password_file, sizeof r.cacert};

    return sizes[i];
}

int
sync_remote_get(struct db *db, struct sync_remote *r, struct diag *d)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = :key";
    sqlite3_stmt *st = NULL;
    int rc;

    memset(r, 0, sizeof *r);
    for (int i = 0; i < 5; i++) {
        if ((rc = db_prep(db, sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":key", remote_keys[i], d)) != 0)
            return rc;
        if ((rc = db_row(db, st, d)) == 1)
            snprintf(remote_field(r, i), remote_size(i), "%s",
                     (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        if (rc < 0)
            return d->code;
    }
    if (r->endpoints[0] == '\0')
        return diag_set(d, DK_USAGE,
                        "no remote: set one with 'docket remote set --endpoints URL[,URL...]'");
    if (r->prefix[0] == '\0')
        snprintf(r->prefix, sizeof r->prefix, "docket");
    return 0;
}

int
sync_remote_set(struct db *db, const struct sync_remote *r, struct diag *d)
{
    static const char put_sql[] =
        "INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET "
        "value = excluded.value";
    static const char del_sql[] = "DELETE FROM meta WHERE key = :key";
    struct sync_remote copy = *r;
    sqlite3_stmt *st = NULL;
    int rc;

    if (r->endpoints[0] == '\0')
        return diag_set(d, DK_USAGE, "--endpoints URL[,URL...] is required");
    /* What sync would refuse is refused now, before it is stored. */
    if ((rc = etcd_check_endpoints(r->endpoints, d)) != 0)
        return rc;
    if (strspn(r->prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/") !=
        strlen(r->prefix))
        return diag_set(d, DK_USAGE, "a prefix holds letters, digits, '-', '_' and '/' only");
    if (r->user[0] && r->password_file[0] == '\0')
        return diag_set(d, DK_USAGE, "--user needs --password-file FILE");
    if (r->user[0] == '\0' && r->password_file[0])
        return diag_set(d, DK_USAGE, "--password-file needs --user USER");
    if (!text_utf8_ok(r->user, strlen(r->user)))
        return diag_set(d, DK_DATA, "the etcd user name is not UTF-8 text");
    for (int i = 0; i < 5; i++) {
        const char *v = remote_field(&copy, i);

        if ((rc = db_prep(db, v[0] ? put_sql : del_sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":key", remote_keys[i], d)) != 0 ||
            (v[0] && (rc = db_bind_text(db, st, ":value", v, d)) != 0) ||
            (rc = db_run(db, st, d)) != 0)
            return rc;
    }
    return 0;
}

/* ---- one sync: the shared helpers ---- */

/* Returns the key "PREFIX/SUFFIX" in base64, as the gateway wants it. */
json_t *
sync_key_of(const char *prefix, const char *suffix)
{
    char key[512];

    snprintf(key, sizeof key, "%s/%s", prefix, suffix);
    return etcd_b64(key, strlen(key));
}

/* The keys of event UUID and of log position POS. */
json_t *
sync_event_key(const char *prefix, const char *uuid)
{
    char suffix[128];

    snprintf(suffix, sizeof suffix, "ev/%s", uuid);
    return sync_key_of(prefix, suffix);
}

json_t *
sync_log_key(const char *prefix, long long pos)
{
    char suffix[64];

    snprintf(suffix, sizeof suffix, "log/%020lld", pos);
    return sync_key_of(prefix, suffix);
}

/* Reads the shared log's length and head as this store holds them. */
int
sync_load_position(struct sync *s)
{
    static const char sql[] =
        "SELECT pos, hash FROM (SELECT pos, hash FROM (SELECT pos, hash FROM shared ORDER BY pos "
        "DESC LIMIT 1) UNION ALL SELECT pos, hash FROM (SELECT pos, hash FROM quarantine ORDER BY "
        "pos DESC LIMIT 1)) ORDER BY pos DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    int rc;

    s->position = 0;
    memset(s->head, 0, sizeof s->head);
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1) {
        s->position = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            memcpy(s->head, sqlite3_column_blob(st, 1), EV_HASH_LEN);
    }
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

int
sync_read_position(void *arg)
{
    return sync_load_position(arg);
}

/* Records that local event SEQ (B) stands at POS in the shared log with HASH. A position can
 * settle ties and which of two creations of an item counts, so the state of what the event is
 * about is brought up to date: an item at once, definitions (kinds, vocabularies, documents)
 * once the transaction's events are all placed. */
int
sync_place(struct sync *s, const struct ev_bytes *b, long long seq, long long pos,
           const unsigned char hash[EV_HASH_LEN])
{
    static const char sql[] = "INSERT INTO shared (uuid, seq, pos, hash, received) VALUES "
                              "(:uuid, :seq, :pos, :hash, :received)";
    sqlite3_stmt *st = NULL;
    int rc;

    char type[32], item[64];
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":uuid", b->v[EVF_UUID], s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":seq", seq, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":received", s->now, s->d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), hash, EV_HASH_LEN,
                      SQLITE_TRANSIENT);
    if ((rc = db_run(s->db, st, s->d)) != 0)
        return rc;
    snprintf(type, sizeof type, "%.*s", (int)b->n[EVF_TYPE], b->v[EVF_TYPE]);
    if (b->v[EVF_ITEM] == NULL) {
        /* Documents, paragraphs, kinds and vocabularies; offices' events have no state. */
        s->definitions |= strcmp(type, "document") == 0 || strcmp(type, "paragraph") == 0 ||
                          strcmp(type, "kind") == 0 || strcmp(type, "vocab") == 0;
        return 0;
    }
    snprintf(item, sizeof item, "%.*s", (int)b->n[EVF_ITEM], b->v[EVF_ITEM]);
    return state_apply(s->db, type, item, s->d);
}

/* Returns this store's sequence number of event UUID (0 when it has none), or -1. */
long long
sync_local_seq(struct sync *s, const char *uuid)
{
    static const char sql[] = "SELECT seq FROM event WHERE uuid = :uuid";
    sqlite3_stmt *st = NULL;
    long long seq = -1;
    int rc;

    if (db_prep(s->db, sql, &st, s->d) == 0 && db_bind_text(s->db, st, ":uuid", uuid, s->d) == 0) {
        rc = db_row(s->db, st, s->d);
        seq = rc == 1 ? sqlite3_column_int64(st, 0) : rc == 0 ? 0 : -1;
    }
    sqlite3_reset(st);
    return seq;
}

/* Returns the log position that KEY[0..LEN) names: "PREFIX/log/" and exactly 20 digits; 0 for
 * any other key (one of a tracker whose prefix is PREFIX/log/..., say). */
long long
sync_log_pos(const struct sync *s, const char *key, size_t len)
{
    size_t plen = strlen(s->prefix);
    char *end = NULL;
    long long pos;

    if (key == NULL || len != plen + 5 + 20 || memcmp(key, s->prefix, plen) != 0 ||
        memcmp(key + plen, "/log/", 5) != 0 || strspn(key + plen + 5, "0123456789") != 20)
        return 0;
    pos = strtoll(key + plen + 5, &end, 10);
    return end == key + len && pos > 0 ? pos : 0;
}

/* ---- one sync: the run ---- */

static int
read_standing(void *arg)
{
    struct sync *s = arg;
    int rc;

    if ((rc = trust_standing(s->db, &s->standing, s->d)) != 0 ||
        (rc = trust_office_name(s->db, s->n->office, sizeof s->n->office, s->d)) != 0)
        return rc;
    if (s->n->office[0] == '\0')
        trust_default_name(s->n->office, sizeof s->n->office);
    trust_key_fingerprint(db_key(s->db), s->n->fingerprint);
    return 0;
}

static int
count_unpublished(void *arg)
{
    static const char sql[] =
        "SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM shared s WHERE s.seq = "
        "e.seq)";
    struct sync *s = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1)
        s->batch_seq[0] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    /* db_row says -1 for an error, with the exit code in the diag; a count always has a row. */
    if (rc < 0)
        return s->d->code;
    return rc == 1 ? 0 : diag_set(s->d, DK_STORE, "the store could not count its events");
}

static int
stamp(void *arg)
{
    /* sync.revision: the cluster's revision once this sync read and wrote the log; a log key
     * changed after it, at a position this store already holds, was rewritten (watch). */
    static const char sql[] = "INSERT INTO meta (key, value) VALUES ('sync.last', :now), "
                              "('sync.revision', :revision) ON CONFLICT (key) DO UPDATE SET "
                              "value = excluded.value";
    struct sync *s = arg;
    char revision[32];
    sqlite3_stmt *st = NULL;
    int rc;

    ts_now(s->now);
    snprintf(revision, sizeof revision, "%lld", etcd_revision(s->etcd));
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":now", s->now, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":revision", revision, s->d)) != 0)
        return rc;
    return db_run(s->db, st, s->d);
}
struct read_remote {
    struct db *db;
    struct sync_remote *r;
    struct diag *d;
};

static int
read_remote(void *arg)
{
    struct read_remote *x = arg;

    return sync_remote_get(x->db, x->r, x->d);
}

/* Reads the revision at which this store last synced into s->since (0: never). */
static int
read_since(void *arg)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = 'sync.revision'";
    struct sync *s = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    s->since = 0;
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1)
        s->since = strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10);
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

/* Opens S's client to the cluster that the store's remote names. */
int
sync_connect(struct sync *s)
{
    struct sync_remote r;
    struct read_remote rr = {s->db, &r, s->d};
    struct etcd_opts eo = {0};
    int rc;

    if ((rc = db_tx(s->db, DB_TX_READ, read_remote, &rr, s->d)) != 0)
        return rc;
    eo.endpoints = r.endpoints;
    eo.user = r.user[0] ? r.user : NULL;
    eo.password_file = r.password_file[0] ? r.password_file : NULL;
    eo.cacert = r.cacert[0] ? r.cacert : NULL;
    eo.timeout_ms = 2000;
    if (getenv("DOCKET_ETCD_TIMEOUT_MS"))
        eo.timeout_ms = strtol(getenv("DOCKET_ETCD_TIMEOUT_MS"), NULL, 10);
    if (getenv("DOCKET_ETCD_RETRY_MS"))
        eo.retry_ms = strtol(getenv("DOCKET_ETCD_RETRY_MS"), NULL, 10);
    snprintf(s->prefix, sizeof s->prefix, "%s", r.prefix);
    return etcd_open(&eo, &s->etcd, s->d);
}
int
sync_run(struct db *db, unsigned flags, const struct sync_progress *progress, struct sync_counts *n,
         struct diag *d)
{
    long long seqs[BATCH_EVENTS + 1] = {0};
    struct sync s = {
        .db = db, .n = n, .d = d, .batch_seq = seqs, .limit = PULL_LIMIT, .progress = progress};
    long long behind = 0; /* the log's length by its head, when it was ahead of this store */
    struct sync_scan scan;
    int rc, rounds = 0;

    memset(n, 0, sizeof *n);
    /* What there is to publish, for the progress line. */
    if (progress && (rc = db_tx(db, DB_TX_READ, count_unpublished, &s, d)) != 0)
        return rc;
    s.to_publish = progress ? seqs[0] : 0;
    if ((rc = sync_connect(&s)) != 0) {
        etcd_close(s.etcd);
        return rc;
    }
    /* Before anything else, the log as far as this store holds it: put back what differs
     * (--repair), or else make sure nothing of it was rewritten since the last sync. */
    if (flags & SYNC_REPAIR) {
        rc = sync_scan_log(&s, 0, 1, &scan);
        n->rewritten = scan.differ;
        n->repaired = scan.repaired;
    } else if ((rc = db_tx(db, DB_TX_READ, read_since, &s, d)) == 0 && s.since > 0 &&
               (rc = sync_scan_log(&s, s.since, 0, &scan)) == 0 && scan.differ > 0) {
        rc = sync_name_differences(&scan, "was changed after this office read it", d);
    }
    for (; rc == 0;) {
        /* Each round either publishes or learns from the log what it must pull; a log that
         * keeps moving under a slow office is still caught up with, but not forever. */
        if (++rounds > 100000) {
            rc = diag_set(d, DK_NET, "the shared log kept moving; run sync again");
            break;
        }
        if ((rc = sync_pull(&s)) != 0)
            break;
        /* The entries up to the head are written with it in one transaction, and the pull
         * read after the head: a pull that stops short of it finds the log damaged. */
        if (s.position < behind) {
            rc = diag_set(d, DK_DATA,
                          "the shared log's head under '%s' says %lld events, but its entries "
                          "end at %lld: the log was altered",
                          s.prefix, behind, s.position);
            break;
        }
        behind = 0;
        if ((s.batch = json_array()) == NULL) {
            rc = diag_set(d, DK_STORE, "out of memory");
            break;
        }
        rc = db_tx(db, DB_TX_READ, sync_collect, &s, d);
        /* An office the log does not admit (yet) publishes nothing: it keeps its events. */
        if (rc == 0 && json_array_size(s.batch) > 0 &&
            (rc = db_tx(db, DB_TX_READ, read_standing, &s, d)) == 0) {
            n->waiting = s.standing == TRUST_WAITING || s.standing == TRUST_REVOKED;
            n->revoked = s.standing == TRUST_REVOKED;
            if (n->waiting)
                json_array_clear(s.batch);
        }
        if (rc == 0 && json_array_size(s.batch) == 0) {
            long long rev, pos;

            /* Nothing to publish: still make sure the log is this store's. */
            json_decref(s.batch);
            s.batch = NULL;
            rc = sync_check_head(&s, &rev, &pos);
            if (rc == 0 && pos != s.position) {
                behind = pos; /* published meanwhile: pull it */
                continue;
            }
            break;
        }
        if (rc == 0)
            rc = sync_publish_batch(&s, &behind);
        json_decref(s.batch);
        s.batch = NULL;
        if (rc != 0)
            break;
    }
    if (rc == 0 && (rc = db_tx(db, DB_TX_WRITE, stamp, &s, d)) == 0) {
        n->position = s.position;
        ev_hex(s.head, n->head);
    }
    if (rc == 0 && n->quarantine_count > 0)
        rc = diag_set(d, DK_CHECK,
                      "%lld entr%s of the shared log failed the checks and %s quarantined: "
                      "'docket status' lists them",
                      n->quarantine_count, n->quarantine_count == 1 ? "y" : "ies",
                      n->quarantine_count == 1 ? "is" : "are");
    n->final = rc == DK_NET && etcd_refused(s.etcd);
    etcd_close(s.etcd);
    return rc;
}

struct status_read {
    struct sync s;
    long long unpublished;
    char last[TS_LEN + 1];
};

static int
read_status(void *arg)
{
    static const char last_sql[] = "SELECT value FROM meta WHERE key = 'sync.last'";
    struct status_read *x = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = sync_load_position(&x->s)) != 0 || (rc = count_unpublished(&x->s)) != 0)
        return rc;
    x->unpublished = x->s.batch_seq[0];
    x->last[0] = '\0';
    if ((rc = db_prep(x->s.db, last_sql, &st, x->s.d)) != 0)
        return rc;
    if ((rc = db_row(x->s.db, st, x->s.d)) == 1)
        snprintf(x->last, sizeof x->last, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc < 0 ? x->s.d->code : 0;
}

int
sync_status(struct db *db, long long *unpublished, char last[25], long long *position,
            char head[65], struct diag *d)
{
    long long seqs[1];
    struct sync_counts n;
    struct status_read x = {.s = {.db = db, .n = &n, .d = d, .batch_seq = seqs}};
    int rc = read_status(&x);

    if (rc != 0)
        return rc;
    *unpublished = x.unpublished;
    snprintf(last, 25, "%s", x.last);
    *position = x.s.position;
    ev_hex(x.s.head, head);
    return 0;
}
