/* audit.c: the whole check behind `verify`: the chain and the state, on two cores. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/audit.h"
#include "docket/state.h"
#include "docket/trust.h"

/* Events per piece of chain work; small enough to share the tail between two threads. */
enum { CHUNK = 8192 };

/* The work both threads draw from: the replay of the state (and the replica check) once, then
 * ranges of the chain. */
struct work {
    pthread_mutex_t mu;
    long long next, last; /* the next range starts at NEXT; LAST is the last event */
    struct ev_check bad;  /* the earliest mismatch found so far (bad_seq 0: none) */
    struct diag state;    /* what the replay found, DK_STORE when it could not read */
    int failed;           /* DK_STORE from the chain work */
    struct diag store;
};

struct worker {
    struct work *w;
    struct db *db;
    int replay; /* this worker replays the state before it takes ranges */
};

/* Takes the next range [*LO, *HI) of the chain; returns 0 when none is left or a mismatch was
 * found before it. */
static int
take_range(struct work *w, long long *lo, long long *hi)
{
    int ok;

    pthread_mutex_lock(&w->mu);
    ok = !w->failed && w->next <= w->last && (w->bad.bad_seq == 0 || w->next < w->bad.bad_seq);
    if (ok) {
        *lo = w->next;
        *hi = w->next + CHUNK > w->last + 1 ? w->last + 1 : w->next + CHUNK;
        w->next = *hi;
    }
    pthread_mutex_unlock(&w->mu);
    return ok;
}

/* Keeps D, the first store error any worker meets, and stops every worker before its next
 * range (take_range). */
static void
stop_workers(struct work *w, const struct diag *d)
{
    pthread_mutex_lock(&w->mu);
    if (!w->failed)
        w->store = *d;
    w->failed = 1;
    pthread_mutex_unlock(&w->mu);
}

static void *
work_main(void *arg)
{
    struct worker *k = arg;
    struct work *w = k->w;
    struct ev_check r;
    long long lo, hi;

    if (k->replay) {
        /* A replay that cannot read an event does not stop the chain: a tampered event is
         * better named by the chain than reported as unreadable. */
        struct diag d = {0};

        if (state_check(k->db, &d) == 0)
            audit_replica(k->db, &d);
        w->state = d;
    }
    while (take_range(w, &lo, &hi)) {
        struct diag d = {0};

        if (ev_check_range(k->db, lo, hi, &r, &d) != 0) {
            stop_workers(w, &d);
            break;
        }
        pthread_mutex_lock(&w->mu);
        if (r.bad_seq != 0 && (w->bad.bad_seq == 0 || r.bad_seq < w->bad.bad_seq))
            w->bad = r;
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

/* Returns the stored hash of event SEQ into OUT (zeros for 0). */
static int
stored_hash(struct db *db, long long seq, unsigned char out[EV_HASH_LEN], struct diag *d)
{
    static const char sql[] = "SELECT hash FROM event WHERE seq = :seq";
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, EV_HASH_LEN);
    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":seq", seq, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_bytes(st, 0) == EV_HASH_LEN)
        memcpy(out, sqlite3_column_blob(st, 0), EV_HASH_LEN);
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

int
audit_run(struct db *db, const char *path, struct ev_check *chain, struct diag *state,
          struct diag *d)
{
    struct work w = {.next = 1};
    struct worker main_worker = {&w, db, 0}, helper = {&w, NULL, 1};
    pthread_t thread;
    int threaded = 0, rc;

    if ((rc = ev_check_numbering(db, &w.last, d)) != 0)
        return rc;
    pthread_mutex_init(&w.mu, NULL);
    /* The helper starts with the replay while this thread starts on the chain; alone, this
     * thread does both. */
    if ((helper.db = db_twin(db, path)) != NULL &&
        pthread_create(&thread, NULL, work_main, &helper) == 0)
        threaded = 1;
    main_worker.replay = !threaded;
    work_main(&main_worker);
    if (threaded)
        pthread_join(thread, NULL);
    db_close(helper.db);
    pthread_mutex_destroy(&w.mu);
    if (w.failed)
        return diag_set(d, w.store.code ? w.store.code : DK_STORE, "%s", w.store.msg);
    *chain = w.bad;
    if (w.bad.bad_seq == 0) {
        chain->count = w.last;
        if ((rc = stored_hash(db, w.last, chain->head, d)) != 0)
            return rc;
    }
    *state = w.state;
    return 0;
}

int
audit_replica(struct db *db, struct diag *d)
{
    /* Only this store makes the events that it has not published and that were recorded since
     * it was created: each carries its id. (An export restored into it brings older events of
     * another replica, recorded before it existed.) The events are read in sequence order
     * ("+" keeps SQLite off the index on recorded, which would then sort them). */
    static const char sql[] =
        "SELECT e.seq, e.replica FROM event e WHERE e.replica <> :replica AND +e.recorded >= "
        "coalesce((SELECT value FROM meta WHERE key = 'created'), '') AND NOT EXISTS (SELECT 1 "
        "FROM shared s WHERE s.seq = e.seq) ORDER BY e.seq LIMIT 1";
    static const char key_sql[] =
        "SELECT b.seq, a.replica FROM event b JOIN event a ON a.type = 'office' AND a.new_value = "
        "b.new_value AND a.replica <> b.replica AND a.seq < b.seq WHERE b.type = 'office' AND "
        "b.replica = :replica ORDER BY b.seq LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":replica", db_replica(db), d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        rc = diag_set(d, DK_CHECK,
                      "event %lld was recorded here by replica %s, but the store's replica id is "
                      "%s: the id was changed behind docket's back",
                      (long long)sqlite3_column_int64(st, 0),
                      (const char *)sqlite3_column_text(st, 1), db_replica(db));
    sqlite3_reset(st);
    if (rc != 0)
        return rc < 0 ? d->code : rc;
    /* A key is one store's: the office events of this replica announce none that another
     * replica announced before (once published, the events above no longer tell). */
    if ((rc = db_prep(db, key_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":replica", db_replica(db), d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        rc = diag_set(d, DK_CHECK,
                      "event %lld announces this office's key under replica %s, which replica %s "
                      "announced first: the store's replica id was changed behind docket's back, "
                      "or the store is a copy that kept its key",
                      (long long)sqlite3_column_int64(st, 0), db_replica(db),
                      (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

/* ---- signatures (verify --deep) ---- */

/* One office event: from local sequence SEQ on, REPLICA's events are signed by KEY. */
struct office_key {
    long long seq;
    char replica[64];
    struct trust_pub *key;
};

struct sigwork {
    pthread_mutex_t mu;
    long long next, last, bad, checked;
    char why[160];
    int failed;
    struct diag store;
    struct office_key *keys;
    size_t nkeys;
};

/* The key REPLICA's events at SEQ are signed with: its latest office event at or before SEQ. */
static const struct trust_pub *
key_at(const struct sigwork *w, const char *replica, long long seq)
{
    const struct trust_pub *k = NULL;

    for (size_t i = 0; i < w->nkeys && w->keys[i].seq <= seq; i++)
        if (strcmp(w->keys[i].replica, replica) == 0)
            k = w->keys[i].key;
    return k;
}

static int
check_sig_range(struct sigwork *w, struct db *db, long long lo, long long hi, long long *bad,
                char why[160], long long *n, struct diag *d)
{
    static const char sql[] =
        "SELECT e.seq, e.uuid, e.batch, e.type, e.item, e.subject, e.old_value, e.new_value, "
        "e.reason, e.eff, e.recorded, e.actor, e.login, e.replica, e.attrs, e.base, g.sig FROM "
        "event e LEFT JOIN signature g ON g.uuid = e.uuid WHERE e.seq >= :lo AND e.seq < :hi AND "
        "(g.sig IS NOT NULL OR e.base IS NOT NULL) ORDER BY e.seq";
    enum { C_SEQ, C_FIELDS, C_ATTRS = C_FIELDS + EVF_COUNT, C_BASE, C_SIG };
    struct ev_buf buf = {0};
    sqlite3_stmt *st = NULL;
    int rc;

    *bad = 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":lo", lo, d)) != 0 ||
        (rc = db_bind_int(db, st, ":hi", hi, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        long long seq = sqlite3_column_int64(st, C_SEQ);
        const struct trust_pub *k;
        struct ev_bytes b = {0};

        for (int i = 0; i < EVF_COUNT; i++) {
            b.v[i] = (const char *)sqlite3_column_text(st, C_FIELDS + i);
            b.n[i] = (size_t)sqlite3_column_bytes(st, C_FIELDS + i);
        }
        b.attrs = (const char *)sqlite3_column_text(st, C_ATTRS);
        b.attrs_len = (size_t)sqlite3_column_bytes(st, C_ATTRS);
        b.base = (const char *)sqlite3_column_text(st, C_BASE);
        b.base_len = (size_t)sqlite3_column_bytes(st, C_BASE);
        if (sqlite3_column_bytes(st, C_SIG) != EV_SIG_LEN)
            snprintf(why, 160, "it was recorded since offices sign their events, but is unsigned");
        else if ((k = key_at(w, b.v[EVF_REPLICA] ? b.v[EVF_REPLICA] : "", seq)) == NULL)
            snprintf(why, 160, "it is signed, but no office event announces its office's key");
        else if (ev_canon(&b, &buf) != 0)
            snprintf(why, 160, "its attributes cannot be read");
        else if (!trust_pub_verify(k, buf.p, buf.len, sqlite3_column_blob(st, C_SIG)))
            snprintf(why, 160, "its signature is not its office's key's");
        else {
            (*n)++;
            continue;
        }
        *bad = seq;
        break;
    }
    sqlite3_reset(st);
    ev_buf_free(&buf);
    return rc < 0 ? d->code : 0;
}

struct sigworker {
    struct sigwork *w;
    struct db *db;
};

static void *
sig_main(void *arg)
{
    struct sigworker *k = arg;
    struct sigwork *w = k->w;

    for (;;) {
        long long lo, hi, bad = 0, n = 0;
        char why[160];
        struct diag d = {0};
        int ok;

        pthread_mutex_lock(&w->mu);
        ok = !w->failed && w->next <= w->last && (w->bad == 0 || w->next < w->bad);
        lo = w->next;
        hi = w->next + CHUNK > w->last + 1 ? w->last + 1 : w->next + CHUNK;
        if (ok)
            w->next = hi;
        pthread_mutex_unlock(&w->mu);
        if (!ok)
            break;
        int rc = check_sig_range(w, k->db, lo, hi, &bad, why, &n, &d);

        pthread_mutex_lock(&w->mu);
        if (rc != 0 && !w->failed) {
            w->failed = 1;
            w->store = d;
        }
        w->checked += n;
        if (bad && (w->bad == 0 || bad < w->bad)) {
            w->bad = bad;
            memcpy(w->why, why, sizeof w->why);
        }
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

/* Reads every office event's key, in local order. */
static int
load_keys(struct db *db, struct sigwork *w, struct diag *d)
{
    static const char sql[] =
        "SELECT seq, replica, new_value FROM event WHERE type = 'office' ORDER BY seq";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        unsigned char pub[TRUST_PUB_LEN];
        struct office_key *more = realloc(w->keys, (w->nkeys + 1) * sizeof *w->keys), *k;

        if (more == NULL) {
            rc = diag_set(d, DK_STORE, "out of memory");
            break;
        }
        w->keys = more;
        k = &w->keys[w->nkeys];
        memset(k, 0, sizeof *k);
        k->seq = sqlite3_column_int64(st, 0);
        snprintf(k->replica, sizeof k->replica, "%s", (const char *)sqlite3_column_text(st, 1));
        if (trust_unhex((const char *)sqlite3_column_text(st, 2), pub, sizeof pub) == 0)
            k->key = trust_pub_new(pub);
        if (k->key)
            w->nkeys++; /* an office event that announces no key binds none */
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

int
audit_signatures(struct db *db, const char *path, long long *checked, struct diag *d)
{
    struct sigwork w = {.next = 1};
    struct sigworker main_worker = {&w, db}, helper = {&w, NULL};
    pthread_t thread;
    int threaded = 0, rc;

    if ((rc = ev_check_numbering(db, &w.last, d)) != 0 || (rc = load_keys(db, &w, d)) != 0)
        goto out;
    pthread_mutex_init(&w.mu, NULL);
    if ((helper.db = db_twin(db, path)) != NULL &&
        pthread_create(&thread, NULL, sig_main, &helper) == 0)
        threaded = 1;
    sig_main(&main_worker);
    if (threaded)
        pthread_join(thread, NULL);
    db_close(helper.db);
    pthread_mutex_destroy(&w.mu);
    if (w.failed)
        rc = diag_set(d, w.store.code ? w.store.code : DK_STORE, "%s", w.store.msg);
    else if (w.bad)
        rc = diag_set(d, DK_CHECK, "event %lld: %s", w.bad, w.why);
    else
        *checked = w.checked;
out:
    for (size_t i = 0; i < w.nkeys; i++)
        trust_pub_free(w.keys[i].key);
    free(w.keys);
    return rc;
}

int
audit_file(struct db *db, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db_handle(db), "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, "cannot check the file", d);
    if ((rc = db_row(db, st, d)) == 1 &&
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        /* One line: SQLite may head the finding with "*** in database main ***\n". */
        const char *what = (const char *)sqlite3_column_text(st, 0);
        const char *nl = strrchr(what, '\n');

        rc = diag_set(d, DK_CHECK, "the store's file is damaged: %s", nl ? nl + 1 : what);
    } else {
        rc = rc < 0 ? d->code : 0;
    }
    sqlite3_finalize(st);
    return rc;
}
