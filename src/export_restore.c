/* export_restore.c: an export read back in (import of a docket export): its lines parsed on
 * two threads, checked, and appended to an empty store with their hashes and shared places. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/export.h"
#include "docket/state.h"
#include "docket/text.h"
#include "export_int.h"

static const char *
jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The event table's indexes, kept as their CREATE statements while a restore runs without
 * them: a million events inserted into a dozen b-trees at random places thrash the page cache
 * (each insert reads and rewrites index pages the cache has just let go), where appending
 * them to the table alone and then building each index from the sorted events reads each
 * page once. */
#define BULK "'event_uuid', 'event_item', 'event_status'"
struct indexes {
    char *sql[32];
    int n;
};

static void
indexes_free(struct indexes *x)
{
    for (int i = 0; i < x->n; i++)
        free(x->sql[i]);
    x->n = 0;
}

/* Drops the event table's indexes into X, inside the caller's transaction: a failed restore
 * rolls back and has them again. */
static int
indexes_drop(struct db *db, struct indexes *x, struct diag *d)
{
    static const char sql[] =
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
        "tbl_name = 'event' AND sql IS NOT NULL AND name IN (" BULK ") ORDER BY name";
    char *names[32], drop[128];
    sqlite3_stmt *st;
    int rc, n = 0;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    /* Read them all before the first drop: the schema cannot change under a reading cursor. */
    while ((rc = db_row(db, st, d)) == 1 && n < 32) {
        names[n] = strdup((const char *)sqlite3_column_text(st, 0));
        x->sql[n] = strdup((const char *)sqlite3_column_text(st, 1));
        x->n = ++n;
        if (names[n - 1] == NULL || x->sql[n - 1] == NULL)
            rc = -2;
    }
    sqlite3_reset(st);
    if (rc == 1 || rc == -2)
        rc = diag_set(d, DK_STORE,
                      rc == 1 ? "the event table has too many indexes" : "out of memory");
    else
        rc = rc < 0 ? d->code : 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && names[i]) {
            snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", names[i]);
            rc = db_exec(db, drop, d);
        }
        free(names[i]);
    }
    return rc;
}

/* Builds again the indexes that indexes_drop dropped. The uuid index is unique: an export
 * holding one event twice fails here, as its insert would have. */
static int
indexes_make(struct db *db, struct indexes *x, struct diag *d)
{
    int rc;

    /* The sorter that builds an index spills to temporary files, which temp_store = MEMORY
     * (set for the as-of tables) would keep in memory: 110 MiB for a million events. */
    if ((rc = db_exec(db, "PRAGMA temp_store = FILE; PRAGMA threads = 2", d)) != 0)
        return rc;
    for (int i = 0; i < x->n; i++) {
        if (sqlite3_exec(db_handle(db), x->sql[i], NULL, NULL, NULL) == SQLITE_OK)
            continue;
        if (sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_UNIQUE)
            return diag_set(d, DK_DATA, "the export holds an event id twice");
        return db_fail(db, "cannot index the restored events", d);
    }
    return db_exec(db, "PRAGMA temp_store = MEMORY", d);
}

/* A restore parses its lines on both cores while it writes them on one: Jansson's parse is
 * half of a restore's work. The lines are cut into batches, read in order by whichever thread
 * claims the next batch, and parsed by that thread; the writer writes the batches in order and,
 * when the next one is not parsed yet, claims and parses one itself rather than wait. A few
 * batches are in flight at a time, so memory stays flat. */
enum { BATCH_LINES = 256, SLOTS = 4 };

/* Offsets of copied values in a batch's text; NONE for a JSON null or a missing value. */
#define NONE ((size_t)-1)
enum { OFF_ATTRS = EVF_COUNT, OFF_RECEIVED, OFF_REASON, OFF_ENTRY, OFF_COUNT };

/* One event line, parsed and checked as far as it can be without the store. Its values are
 * copies in its batch's text, so that the JSON is freed as soon as the line is parsed. */
struct ev_line {
    struct ev_bytes b;
    struct ev_extra x;    /* its base and signature, which b points into */
    const char *received; /* in the shared log, when shared */
    size_t off[OFF_COUNT];
    long long lineno, seq, pos;
    int shared;
    int held; /* not an event: a shared-log entry held in quarantine (pos, sh, and the strings
                 at OFF_REASON, OFF_ENTRY, OFF_RECEIVED, EVF_UUID, EVF_REPLICA) */
    const char *reason, *entry;
    unsigned char want[EV_HASH_LEN], sh[EV_HASH_LEN];
};

struct batch {
    struct ev_buf raw;  /* its lines as read, each ending in '\n' but perhaps the last */
    struct ev_buf text; /* the values of its events */
    long long first;    /* the line number of its first line */
    struct ev_line ev[BATCH_LINES];
    int n;
    int last;        /* no batch follows: the input ended in it, or it failed */
    int ready;       /* parsed */
    struct diag err; /* why it failed, after ev[0..n) (code 0: it did not) */
};

struct reader {
    FILE *f;
    long long lineno; /* lines read so far */
    char *buf;
    size_t cap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long long claimed, written; /* batches claimed by a thread, and written, in order */
    int eof;                    /* the batch that read the last line is claimed */
    int stop;                   /* the writer is done: claim nothing more */
    struct batch b[SLOTS];
};

/* Appends N bytes of S and a NUL to BT's text; returns where they start, or NONE when S is
 * NULL. Sets *OOM when out of memory. */
static size_t
keep(struct batch *bt, const char *s, size_t n, int *oom)
{
    size_t at = bt->text.len;

    if (s == NULL)
        return NONE;
    if (ev_buf_reserve(&bt->text, n + 1) != 0) {
        *oom = 1;
        return NONE;
    }
    memcpy(bt->text.p + at, s, n);
    bt->text.p[at + n] = '\0';
    bt->text.len += n + 1;
    return at;
}

/* Checks SHARED, an event line's place in the shared log, as sync records it (sync.c's place):
 * exactly a position from 1, the hash of the shared chain there (64 hex digits), and the time
 * this store received it, as ts_now writes it. Whether the positions follow each other and the
 * hashes chain is for the writer, which sees the lines in order. Sets E->sh. */
static int
check_shared(json_t *shared, struct ev_line *e, struct diag *d)
{
    json_t *pos = json_object_get(shared, "pos");
    const char *received = jstr(shared, "received");
    char full[TS_LEN + 1];
    struct diag scratch = {0};

    if (!json_is_object(shared) || json_object_size(shared) != 3 ||
        json_object_get(shared, "hash") == NULL || json_object_get(shared, "received") == NULL ||
        pos == NULL)
        return diag_set(d, DK_DATA, "'shared' must be an object of pos, hash and received");
    if (!json_is_integer(pos) || json_integer_value(pos) < 1)
        return diag_set(d, DK_DATA, "the shared-log position must be a whole number from 1");
    if (ev_unhex(jstr(shared, "hash"), e->sh) != 0)
        return diag_set(d, DK_DATA, "the shared-log hash must be 64 hex digits");
    /* ts_parse takes shorter forms too: only the full one, as docket writes it, gives itself
     * back. */
    if (received == NULL || strlen(received) != TS_LEN ||
        ts_parse(received, 0, full, &scratch) != 0 || strcmp(full, received) != 0)
        return diag_set(d, DK_DATA,
                        "the shared log's received time '%.40s' is not a UTC time as docket "
                        "records it (YYYY-MM-DDTHH:MM:SS.mmmZ)",
                        received ? received : "");
    return 0;
}

/* Reads a quarantine line O (numbered LINENO) into E. Returns 1, or the exit code in BT->err. */
static int
parse_held(struct batch *bt, json_t *o, struct ev_line *e, long long lineno)
{
    static const char *const reasons[] = {"signature", "not admitted", "revoked", "chain"};
    json_t *pos = json_object_get(o, "pos");
    const char *reason = jstr(o, "reason"), *entry = jstr(o, "entry"),
               *received = jstr(o, "received");
    char full[TS_LEN + 1];
    struct diag scratch = {0};
    size_t known = 0;
    int oom = 0;

    while (reason && known < sizeof reasons / sizeof reasons[0] && strcmp(reason, reasons[known]))
        known++;
    if (!json_is_integer(pos) || json_integer_value(pos) < 1 || ev_unhex(jstr(o, "hash"), e->sh) ||
        reason == NULL || known == sizeof reasons / sizeof reasons[0] || entry == NULL ||
        received == NULL || strlen(received) != TS_LEN || ts_parse(received, 0, full, &scratch) ||
        strcmp(full, received) != 0)
        return diag_set(
            &bt->err, DK_DATA,
            "line %lld: a quarantined entry needs pos, hash, reason, entry and received", lineno);
    memset(e, 0, sizeof *e);
    e->held = 1;
    e->lineno = lineno;
    e->pos = json_integer_value(pos);
    ev_unhex(jstr(o, "hash"), e->sh);
    for (int i = 0; i < OFF_COUNT; i++)
        e->off[i] = NONE;
    e->off[EVF_UUID] =
        jstr(o, "uuid") ? keep(bt, jstr(o, "uuid"), strlen(jstr(o, "uuid")), &oom) : NONE;
    e->off[EVF_REPLICA] =
        jstr(o, "replica") ? keep(bt, jstr(o, "replica"), strlen(jstr(o, "replica")), &oom) : NONE;
    e->off[OFF_REASON] = keep(bt, reason, strlen(reason), &oom);
    e->off[OFF_ENTRY] = keep(bt, entry, strlen(entry), &oom);
    e->off[OFF_RECEIVED] = keep(bt, received, strlen(received), &oom);
    return oom ? diag_set(&bt->err, DK_STORE, "out of memory") : 1;
}

/* Parses the line S (N bytes) numbered LINENO into the next event of BT. Returns 1 for an
 * event, 0 for a line of the state (for readers: the state is rebuilt from the events), or
 * the exit code in BT->err. */
static int
parse_line(struct batch *bt, const char *s, size_t n, long long lineno)
{
    struct ev_line *e = &bt->ev[bt->n];
    struct diag *d = &bt->err;
    json_t *o, *shared;
    json_error_t je;
    const char *type, *received;
    char *attrs = NULL;
    int rc, oom = 0;

    e->held = 0;
    export_arena_on(1);
    o = text_json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    export_arena_on(0);
    if (o == NULL) {
        export_arena_empty();
        return diag_set(d, DK_DATA, "line %lld, column %d: %s", lineno, je.column, je.text);
    }
    type = jstr(o, "type");
    shared = json_object_get(o, "shared");
    if (type == NULL || (strcmp(type, "event") != 0 && strcmp(type, "document") != 0 &&
                         strcmp(type, "kind") != 0 && strcmp(type, "status") != 0 &&
                         strcmp(type, "item") != 0 && strcmp(type, "quarantine") != 0))
        rc = diag_set(d, DK_DATA, "line %lld: unknown line type", lineno);
    else if (strcmp(type, "quarantine") == 0)
        rc = parse_held(bt, o, e, lineno);
    else if (strcmp(type, "event") != 0)
        rc = 0;
    else if (ev_unhex(jstr(o, "hash"), e->want) != 0)
        rc = diag_set(d, DK_DATA, "line %lld: 'hash' must be 64 hex digits", lineno);
    else if (ev_from_json(o, &e->b, &attrs, &e->x, d) != 0 || ev_check_bytes(&e->b, d) != 0 ||
             (shared != NULL && check_shared(shared, e, d) != 0))
        rc = diag_prefix(d, "line %lld: ", lineno);
    else
        rc = 1;
    if (rc == 1 && !e->held) {
        e->lineno = lineno;
        e->seq = json_integer_value(json_object_get(o, "seq"));
        for (int i = 0; i < EVF_COUNT; i++)
            e->off[i] = keep(bt, e->b.v[i], e->b.n[i], &oom);
        e->off[OFF_ATTRS] = keep(bt, e->b.attrs, e->b.attrs_len, &oom);
        e->off[OFF_RECEIVED] = NONE;
        if ((e->shared = shared != NULL)) {
            received = jstr(shared, "received");
            e->pos = json_integer_value(json_object_get(shared, "pos"));
            e->off[OFF_RECEIVED] = keep(bt, received, strlen(received), &oom);
        }
        if (oom)
            rc = diag_set(d, DK_STORE, "out of memory");
    }
    free(attrs);
    json_decref(o);
    export_arena_empty();
    return rc;
}

/* Parses the lines of BT read by claim(), and points its events into its text. */
static void
parse_batch(struct batch *bt)
{
    const char *p = (const char *)bt->raw.p, *end = p ? p + bt->raw.len : p, *text;

    for (long long lineno = bt->first; p < end && !bt->err.code; lineno++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

        if (!(n == 1 && *p == '\n') && parse_line(bt, p, n, lineno) == 1)
            bt->n++;
        p += n;
    }
    if (bt->err.code)
        bt->last = 1;
    text = (const char *)bt->text.p;
    for (int i = 0; i < bt->n; i++) {
        struct ev_line *e = &bt->ev[i];

        for (int k = 0; k < EVF_COUNT; k++)
            e->b.v[k] = e->off[k] == NONE ? NULL : text + e->off[k];
        e->b.attrs = e->off[OFF_ATTRS] == NONE ? NULL : text + e->off[OFF_ATTRS];
        e->received = e->off[OFF_RECEIVED] == NONE ? NULL : text + e->off[OFF_RECEIVED];
        e->reason = e->off[OFF_REASON] == NONE ? NULL : text + e->off[OFF_REASON];
        e->entry = e->off[OFF_ENTRY] == NONE ? NULL : text + e->off[OFF_ENTRY];
    }
}

/* With the lock held: claims the next batch and reads its lines. */
static struct batch *
claim(struct reader *rd)
{
    struct batch *bt = &rd->b[rd->claimed++ % SLOTS];
    ssize_t len;

    bt->raw.len = bt->text.len = 0;
    bt->n = bt->last = bt->ready = 0;
    memset(&bt->err, 0, sizeof bt->err);
    bt->first = rd->lineno + 1;
    for (int i = 0; i < BATCH_LINES; i++) {
        if ((len = getline(&rd->buf, &rd->cap, rd->f)) <= 0) {
            if (ferror(rd->f))
                diag_set(&bt->err, DK_IO, "cannot read the export: %s", strerror(errno));
            bt->last = rd->eof = 1;
            break;
        }
        rd->lineno++;
        if (ev_buf_reserve(&bt->raw, (size_t)len) != 0) {
            diag_set(&bt->err, DK_STORE, "out of memory");
            bt->last = rd->eof = 1;
            break;
        }
        memcpy(bt->raw.p + bt->raw.len, rd->buf, (size_t)len);
        bt->raw.len += (size_t)len;
    }
    return bt;
}

/* With the lock held: claims, reads and parses the next batch when there is room for one;
 * returns 0 when there is not. The lock is let go while it parses. */
static int
parse_next(struct reader *rd)
{
    struct batch *bt;

    if (rd->stop || rd->eof || rd->claimed - rd->written == SLOTS)
        return 0;
    bt = claim(rd);
    pthread_mutex_unlock(&rd->mu);
    parse_batch(bt);
    pthread_mutex_lock(&rd->mu);
    bt->ready = 1;
    pthread_cond_broadcast(&rd->cv);
    return 1;
}

static void *
parse_main(void *arg)
{
    struct reader *rd = arg;

    pthread_mutex_lock(&rd->mu);
    while (!rd->stop && !rd->eof)
        if (!parse_next(rd))
            pthread_cond_wait(&rd->cv, &rd->mu);
    pthread_mutex_unlock(&rd->mu);
    export_arena_drop();
    return NULL;
}

/* A shared-log position that a line gave ahead of the shared chain's end. */
struct ahead {
    long long pos, lineno;
};

/* The restoring of one export: what it has written so far. */
struct restore {
    struct db *db;
    long long seq;
    unsigned char prev[EV_HASH_LEN];
    long long events; /* the header's count: no shared-log position lies past it... */
    long long held;   /* ...but for the entries held in quarantine, which are not events */
    /* The shared chain (ev_check_shared's), checked in log order as the lines come. Positions
     * come in the lines' order but where an office published events after it pulled later ones
     * (sync.c's place): those events' lines come first, their positions after. Such a position
     * waits in AHEAD, a heap on positions, until the chain reaches it and reads its event back
     * from the store; memory grows only with how many positions run ahead at once. */
    long long next;                    /* the first position not yet chained */
    unsigned char shared[EV_HASH_LEN]; /* the shared chain's hash before NEXT */
    struct ahead *ahead;
    size_t nahead, capahead;
    struct ev_buf buf; /* canonical bytes */
};

static int
ahead_push(struct restore *r, long long pos, long long lineno)
{
    struct ahead *p;
    size_t i;

    if (r->nahead == r->capahead) {
        size_t cap = r->capahead ? 2 * r->capahead : 64;

        if ((p = realloc(r->ahead, cap * sizeof *p)) == NULL)
            return -1;
        r->ahead = p;
        r->capahead = cap;
    }
    for (i = r->nahead++; i > 0 && r->ahead[(i - 1) / 2].pos > pos; i = (i - 1) / 2)
        r->ahead[i] = r->ahead[(i - 1) / 2];
    r->ahead[i].pos = pos;
    r->ahead[i].lineno = lineno;
    return 0;
}

static void
ahead_pop(struct restore *r)
{
    struct ahead last = r->ahead[--r->nahead];
    size_t i = 0, c;

    while ((c = 2 * i + 1) < r->nahead) {
        if (c + 1 < r->nahead && r->ahead[c + 1].pos < r->ahead[c].pos)
            c++;
        if (r->ahead[c].pos >= last.pos)
            break;
        r->ahead[i] = r->ahead[c];
        i = c;
    }
    if (r->nahead > 0)
        r->ahead[i] = last;
}

/* Chains event SEQ (B, from line LINENO) at the shared log's next position: its shared hash
 * must be WANT. LOCAL is its hash in this store's chain when it is the event just written (and
 * r->prev the one before), else NULL. */
static int
chain_shared(struct restore *r, const struct ev_bytes *b, const unsigned char want[EV_HASH_LEN],
             const unsigned char *local, long long seq, long long lineno, struct diag *d)
{
    unsigned char h[EV_HASH_LEN];

    /* Where the two chains have come the same way (an office that published its events in the
     * order it recorded them, as the first office does), the event's bytes after the same hash
     * hash the same: no need to hash them twice. */
    if (local != NULL && memcmp(r->shared, r->prev, EV_HASH_LEN) == 0)
        memcpy(h, local, EV_HASH_LEN);
    else if (ev_hash(r->shared, b, &r->buf, h) != 0)
        return diag_set(d, DK_STORE, "out of memory");
    if (memcmp(h, want, EV_HASH_LEN) != 0)
        return diag_set(d, DK_DATA,
                        "line %lld: event %lld does not match its shared-log hash (position "
                        "%lld)",
                        lineno, seq, r->next);
    memcpy(r->shared, h, EV_HASH_LEN);
    r->next++;
    return 0;
}

/* Chains the quarantined entry at r->next, as this store holds it: the next link is the hash it
 * states. Returns 0, or DK_STORE when no entry is held there either. */
static int
chain_held(struct restore *r, struct diag *d)
{
    static const char sql[] = "SELECT hash FROM quarantine WHERE pos = :pos";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(r->db, sql, &st, d)) != 0 ||
        (rc = db_bind_int(r->db, st, ":pos", r->next, d)))
        return rc;
    if ((rc = db_row(r->db, st, d)) == 1 && sqlite3_column_bytes(st, 0) == EV_HASH_LEN) {
        memcpy(r->shared, sqlite3_column_blob(st, 0), EV_HASH_LEN);
        r->next++;
        rc = 0;
    } else if (rc >= 0) {
        rc = diag_set(d, DK_STORE, "a restored event is missing");
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

static int chain_ahead(struct restore *r, struct diag *d);

/* Records a quarantined entry of the shared log (line E), and chains past it when it is next. */
static int
restore_held(struct restore *r, const struct ev_line *e, struct diag *d)
{
    static const char sql[] = "INSERT INTO quarantine (pos, hash, reason, uuid, replica, entry, "
                              "received) VALUES (:pos, :hash, :reason, :uuid, :replica, :entry, "
                              ":received)";
    sqlite3_stmt *st;
    int rc;

    if (e->pos < r->next)
        return diag_set(d, DK_DATA,
                        "line %lld: shared-log position %lld was given by an earlier line",
                        e->lineno, e->pos);
    if ((rc = db_prep(r->db, sql, &st, d)) != 0 ||
        (rc = db_bind_int(r->db, st, ":pos", e->pos, d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":reason", e->reason, d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":uuid", e->b.v[EVF_UUID], d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":replica", e->b.v[EVF_REPLICA], d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":entry", e->entry, d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":received", e->received, d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), e->sh, EV_HASH_LEN,
                      SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return diag_set(d, DK_DATA, "line %lld: shared-log position %lld is held twice", e->lineno,
                        e->pos);
    }
    sqlite3_reset(st);
    r->held++;
    if (e->pos > r->next)
        return ahead_push(r, e->pos, e->lineno) == 0 ? 0 : diag_set(d, DK_STORE, "out of memory");
    memcpy(r->shared, e->sh, EV_HASH_LEN);
    r->next++;
    return chain_ahead(r, d);
}

/* Chains the positions that waited in r->ahead, as far as they now follow the chain's end. */
static int
chain_ahead(struct restore *r, struct diag *d)
{
    static const char sql[] =
        "SELECT e.uuid, e.batch, e.type, e.item, e.subject, e.old_value, e.new_value, e.reason, "
        "e.eff, e.recorded, e.actor, e.login, e.replica, e.attrs, s.hash, e.seq, e.base FROM "
        "shared s JOIN event e ON e.seq = s.seq WHERE s.pos = :pos";
    enum { COL_ATTRS = EVF_COUNT, COL_HASH, COL_SEQ, COL_BASE };
    unsigned char want[EV_HASH_LEN];
    struct ev_bytes b = {0};
    sqlite3_stmt *st;
    int rc;

    while (r->nahead > 0 && r->ahead[0].pos == r->next) {
        if ((rc = db_prep(r->db, sql, &st, d)) != 0 ||
            (rc = db_bind_int(r->db, st, ":pos", r->next, d)) != 0)
            return rc;
        if ((rc = db_row(r->db, st, d)) == 0 && (rc = chain_held(r, d)) == 0) {
            ahead_pop(r);
            continue;
        }
        if (rc != 1)
            return rc < 0 ? d->code : rc;
        for (int i = 0; i < EVF_COUNT; i++) {
            b.v[i] = (const char *)sqlite3_column_text(st, i);
            b.n[i] = (size_t)sqlite3_column_bytes(st, i);
        }
        b.attrs = (const char *)sqlite3_column_text(st, COL_ATTRS);
        b.attrs_len = (size_t)sqlite3_column_bytes(st, COL_ATTRS);
        b.base = (const char *)sqlite3_column_text(st, COL_BASE);
        b.base_len = (size_t)sqlite3_column_bytes(st, COL_BASE);
        memcpy(want, sqlite3_column_blob(st, COL_HASH), EV_HASH_LEN);
        rc = chain_shared(r, &b, want, NULL, sqlite3_column_int64(st, COL_SEQ), r->ahead[0].lineno,
                          d);
        sqlite3_reset(st);
        if (rc != 0)
            return rc;
        ahead_pop(r);
    }
    return 0;
}

/* Records the place in the shared log that line E gives its event, just written as SEQ with
 * HASH, and checks it: the position held by no other line and within the export, the shared
 * hash chaining in log order. */
static int
restore_shared(struct restore *r, const struct ev_line *e, long long seq,
               const unsigned char hash[EV_HASH_LEN], struct diag *d)
{
    static const char sql[] = "INSERT INTO shared (uuid, seq, pos, hash, received) "
                              "VALUES (:uuid, :seq, :pos, :hash, :received)";
    sqlite3_stmt *st;
    int rc, ec;

    if (e->pos > r->events + r->held)
        return diag_set(d, DK_DATA,
                        "line %lld: shared-log position %lld lies past the export's %lld events",
                        e->lineno, e->pos, r->events + r->held);
    if (e->pos < r->next)
        return diag_set(d, DK_DATA,
                        "line %lld: shared-log position %lld was given by an earlier line",
                        e->lineno, e->pos);
    if ((rc = db_prep(r->db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":uuid", e->b.v[EVF_UUID], d)) != 0 ||
        (rc = db_bind_int(r->db, st, ":seq", seq, d)) != 0 ||
        (rc = db_bind_int(r->db, st, ":pos", e->pos, d)) != 0 ||
        (rc = db_bind_text(r->db, st, ":received", e->received, d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), e->sh, EV_HASH_LEN,
                      SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        ec = sqlite3_extended_errcode(db_handle(r->db));
        /* A position ahead that another line gave, or an event id twice (shared.uuid). */
        if ((ec & 0xff) == SQLITE_CONSTRAINT && ec != SQLITE_CONSTRAINT_TRIGGER) {
            sqlite3_reset(st);
            for (size_t i = 0; i < r->nahead; i++)
                if (r->ahead[i].pos == e->pos)
                    return diag_set(d, DK_DATA,
                                    "line %lld: shared-log position %lld is line %lld's too",
                                    e->lineno, e->pos, r->ahead[i].lineno);
            return diag_set(d, DK_DATA, "line %lld: the export holds an event id twice", e->lineno);
        }
        rc = db_fail(r->db, "cannot record the shared-log position", d);
        sqlite3_reset(st);
        return diag_prefix(d, "line %lld: ", e->lineno);
    }
    sqlite3_reset(st);
    if (e->pos > r->next)
        return ahead_push(r, e->pos, e->lineno) == 0 ? 0 : diag_set(d, DK_STORE, "out of memory");
    if ((rc = chain_shared(r, &e->b, e->sh, hash, seq, e->lineno, d)) != 0)
        return rc;
    return chain_ahead(r, d);
}

/* Appends one event as it was recorded; its hash must be the one this store's chain gives it,
 * since an export is restored into an empty store in its order. */
static int
restore_event(struct restore *r, const struct ev_line *e, struct diag *d)
{
    unsigned char hash[EV_HASH_LEN];
    long long seq;
    int rc;

    if (e->seq != r->seq + 1)
        return diag_set(d, DK_DATA, "line %lld: expected event %lld", e->lineno, r->seq + 1);
    if ((rc = ev_receive(r->db, &e->b, EV_CHECKED, hash, &seq, d)) != 0)
        return diag_prefix(d, "line %lld: ", e->lineno);
    if (memcmp(hash, e->want, EV_HASH_LEN) != 0)
        return diag_set(d, DK_DATA, "line %lld: event %lld does not match its hash", e->lineno,
                        seq);
    if (e->shared && (rc = restore_shared(r, e, seq, hash, d)) != 0)
        return rc;
    r->seq = seq;
    memcpy(r->prev, hash, EV_HASH_LEN);
    return 0;
}

/* Writes the events of BT; returns 0, or the exit code in D: the first failure in line order,
 * whether the writer's or the parser's. */
static int
write_batch(struct restore *r, const struct batch *bt, struct diag *d)
{
    int rc = 0;

    for (int i = 0; i < bt->n && rc == 0; i++)
        rc = bt->ev[i].held ? restore_held(r, &bt->ev[i], d) : restore_event(r, &bt->ev[i], d);
    if (rc == 0 && bt->err.code != 0) {
        *d = bt->err;
        rc = d->code;
    }
    return rc;
}

/* Reads, parses and writes every event line of F: the parsing on a second thread too when one
 * can be started. */
static int
restore_events(struct restore *r, FILE *f, struct diag *d)
{
    struct reader *rd = calloc(1, sizeof *rd);
    struct export_allocator was;
    pthread_t thread;
    int threaded, last = 0, rc = 0;

    if (rd == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    rd->f = f;
    rd->lineno = 1;
    pthread_mutex_init(&rd->mu, NULL);
    pthread_cond_init(&rd->cv, NULL);
    was = export_arena_install();
    threaded = pthread_create(&thread, NULL, parse_main, rd) == 0;
    pthread_mutex_lock(&rd->mu);
    while (!last && rc == 0) {
        struct batch *bt = &rd->b[rd->written % SLOTS];

        /* The next batch is claimed (by either thread) before any after it. */
        if (rd->claimed == rd->written || !bt->ready) {
            if (!parse_next(rd))
                pthread_cond_wait(&rd->cv, &rd->mu);
            continue;
        }
        pthread_mutex_unlock(&rd->mu);
        rc = write_batch(r, bt, d);
        last = bt->last;
        pthread_mutex_lock(&rd->mu);
        rd->written++;
        pthread_cond_broadcast(&rd->cv);
    }
    rd->stop = 1;
    pthread_cond_broadcast(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    if (threaded)
        pthread_join(thread, NULL);
    export_arena_uninstall(was);
    for (int i = 0; i < SLOTS; i++) {
        ev_buf_free(&rd->b[i].raw);
        ev_buf_free(&rd->b[i].text);
    }
    pthread_cond_destroy(&rd->cv);
    pthread_mutex_destroy(&rd->mu);
    free(rd->buf);
    free(rd);
    return rc;
}

/* Reads the header line HEADER into its event count and head, and checks that the store holds
 * no event. */
static int
restore_start(struct db *db, const char *header, long long *events, unsigned char head[EV_HASH_LEN],
              struct diag *d)
{
    json_t *h = json_loads(header, JSON_REJECT_DUPLICATES, NULL);
    long long last;
    int ok = json_is_object(h) &&
             json_integer_value(json_object_get(h, "version")) == EXPORT_VERSION &&
             json_is_integer(json_object_get(h, "events")) &&
             json_integer_value(json_object_get(h, "events")) >= 0 &&
             ev_unhex(jstr(h, "head"), head) == 0;

    int part = ok && json_object_get(h, "documents") != NULL;

    *events = ok ? json_integer_value(json_object_get(h, "events")) : 0;
    json_decref(h);
    if (!ok)
        return diag_set(d, DK_DATA, "line 1: not a docket export of version %d", EXPORT_VERSION);
    if (part)
        return diag_set(d, DK_DATA,
                        "line 1: an export of some documents (export --doc) is a part of the "
                        "trail, for reading: only a whole export restores");
    if ((last = ev_last_seq(db, d)) != 0)
        return last < 0 ? d->code
                        : diag_set(d, DK_DATA,
                                   "an export restores into an empty store only "
                                   "(make one with 'docket init --empty')");
    return 0;
}

int
export_restore_check(struct db *db, const char *header, struct diag *d)
{
    unsigned char head[EV_HASH_LEN];
    long long events;

    return restore_start(db, header, &events, head, d);
}

int
export_restore(struct db *db, const char *header, FILE *f, struct import_counts *n, struct diag *d)
{
    struct restore r = {.db = db, .next = 1};
    struct indexes x = {0};
    unsigned char head[EV_HASH_LEN];
    int rc;

    if ((rc = restore_start(db, header, &r.events, head, d)) != 0)
        return rc;
    if ((rc = indexes_drop(db, &x, d)) == 0)
        rc = restore_events(&r, f, d);
    if (rc == 0 && (r.seq != r.events || (r.events > 0 && memcmp(r.prev, head, EV_HASH_LEN) != 0)))
        rc = diag_set(d, DK_DATA,
                      "the export holds %lld events but its header promises %lld with another "
                      "head: it was cut short or altered",
                      r.seq, r.events);
    if (rc == 0 && r.nahead > 0)
        rc = diag_set(d, DK_DATA,
                      "line %lld: shared-log position %lld, but no line holds position %lld",
                      r.ahead[0].lineno, r.ahead[0].pos, r.next);
    free(r.ahead);
    ev_buf_free(&r.buf);
    if (rc == 0)
        rc = indexes_make(db, &x, d);
    indexes_free(&x);
    if (rc == 0)
        rc = state_rebuild(db, d);
    if (rc == 0)
        n->events = r.seq;
    return rc;
}
