/* audit.c: the whole check behind `verify`: the chain and the state, on two cores. */
#include <pthread.h>
#include <string.h>

#include "docket/audit.h"
#include "docket/state.h"

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

static void
fail(struct work *w, const struct diag *d)
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
            fail(w, &d);
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
    return rc < 0 ? d->code : rc;
}
