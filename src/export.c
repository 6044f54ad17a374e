/* export.c: the whole tracker out (JSON Lines) and back in, and items as CSV. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/export.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/text.h"

/* Writes V (stolen) as one compact line. */
static void
line(FILE *f, json_t *v)
{
    json_dumpf(v, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(v);
}

static json_t *
col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return json_null();
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, i));
    default:
        return json_stringn((const char *)sqlite3_column_text(st, i),
                            (size_t)sqlite3_column_bytes(st, i));
    }
}

/* Writes one line per row of SQL: {"type": TYPE, column: value, ...}. */
static int
rows(struct db *db, FILE *f, const char *sql, const char *type, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        json_t *o = json_pack("{s:s}", "type", type);

        for (int i = 0; i < sqlite3_column_count(st); i++)
            json_object_set_new(o, sqlite3_column_name(st, i), col_json(st, i));
        line(f, o);
    }
    return rc < 0 ? d->code : 0;
}

int
export_jsonl(struct db *db, FILE *f, struct diag *d)
{
    static const char head_sql[] =
        "SELECT seq, hash, (SELECT value FROM meta WHERE key = 'replica') FROM event "
        "ORDER BY seq DESC LIMIT 1";
    static const char events_sql[] =
        "SELECT e.seq, e.hash, s.pos, s.hash, s.received, " EV_JSON_COLUMNS
        " FROM event e LEFT JOIN shared s ON s.seq = e.seq ORDER BY e.seq";
    char hex[2 * EV_HASH_LEN + 1], now[TS_LEN + 1];
    long long events = 0;
    sqlite3_stmt *st;
    int rc;

    /* An empty trail's head is the chain's start, 32 zero bytes, as a report states it: the
     * header must say so for the export to import back. */
    memset(hex, '0', 2 * EV_HASH_LEN);
    hex[2 * EV_HASH_LEN] = '\0';
    if ((rc = db_prep(db, head_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1) {
        events = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            ev_hex(sqlite3_column_blob(st, 1), hex);
    }
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    ts_now(now);
    line(f, json_pack("{s:s, s:i, s:I, s:s, s:s, s:s}", "format", EXPORT_FORMAT, "version",
                      EXPORT_VERSION, "events", (json_int_t)events, "head", hex, "replica",
                      db_replica(db), "exported", now));
    if ((rc = rows(db, f, "SELECT * FROM documents ORDER BY symbol", "document", d)) != 0 ||
        (rc = rows(db, f, "SELECT * FROM kinds ORDER BY name", "kind", d)) != 0 ||
        (rc = rows(db, f, "SELECT * FROM vocab ORDER BY kind, ord", "status", d)) != 0 ||
        (rc = rows(db, f, "SELECT * FROM items ORDER BY key", "item", d)) != 0)
        return rc;
    if ((rc = db_prep(db, events_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1 && !ferror(f)) {
        json_t *o = json_pack("{s:s, s:I}", "type", "event", "seq",
                              (json_int_t)sqlite3_column_int64(st, 0)),
               *e = ev_to_json(st, 5);

        json_object_update(o, e);
        json_decref(e);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            ev_hex(sqlite3_column_blob(st, 1), hex);
        json_object_set_new(o, "hash", json_string(hex));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            char shared[2 * EV_HASH_LEN + 1] = "";

            if (sqlite3_column_bytes(st, 3) == EV_HASH_LEN)
                ev_hex(sqlite3_column_blob(st, 3), shared);
            json_object_set_new(o, "shared",
                                json_pack("{s:I, s:s, s:o}", "pos",
                                          (json_int_t)sqlite3_column_int64(st, 2), "hash", shared,
                                          "received", col_json(st, 4)));
        }
        line(f, o);
    }
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    return ferror(f) ? diag_set(d, DK_IO, "cannot write the export: %s", strerror(errno)) : 0;
}

int
export_csv(struct db *db, FILE *f, struct diag *d)
{
    static const char sql[] = "SELECT key, title, kind, parent, ref, goal, due, cadence_months, "
                              "description, status, since, progress, next_due FROM items "
                              "ORDER BY key";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        fputs(i ? "," : "", f);
        text_csv_field(f, strcmp(sqlite3_column_name(st, i), "since") == 0
                              ? "date"
                              : sqlite3_column_name(st, i));
    }
    fputs("\r\n", f);
    while ((rc = db_row(db, st, d)) == 1) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            fputs(i ? "," : "", f);
            text_csv_field(f, (const char *)sqlite3_column_text(st, i));
        }
        fputs("\r\n", f);
    }
    if (rc < 0)
        return d->code;
    return ferror(f) ? diag_set(d, DK_IO, "cannot write the export: %s", strerror(errno)) : 0;
}

int
export_is_header(const char *text, size_t len)
{
    json_t *o = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, NULL);
    const char *format = json_string_value(json_object_get(o, "format"));
    int yes = format && strcmp(format, EXPORT_FORMAT) == 0;

    json_decref(o);
    return yes;
}

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

/* The restoring of one export: what it has checked so far. */
struct restore {
    struct db *db;
    long long seq;
    unsigned char prev[EV_HASH_LEN];
};

/* Checks one event line and appends it as it was recorded; its hash must be the one this
 * store's chain gives it, since an export is restored into an empty store in its order. */
static int
restore_event(struct restore *r, json_t *o, long long lineno, struct diag *d)
{
    static const char shared_sql[] = "INSERT INTO shared (uuid, seq, pos, hash, received) "
                                     "VALUES (:uuid, :seq, :pos, :hash, :received)";
    unsigned char hash[EV_HASH_LEN], want[EV_HASH_LEN], sh[EV_HASH_LEN];
    json_t *shared = json_object_get(o, "shared");
    struct ev_bytes b;
    char *attrs = NULL;
    sqlite3_stmt *st;
    long long seq;
    int rc;

    if (json_integer_value(json_object_get(o, "seq")) != r->seq + 1)
        return diag_set(d, DK_DATA, "line %lld: expected event %lld", lineno, r->seq + 1);
    if (ev_unhex(jstr(o, "hash"), want) != 0)
        return diag_set(d, DK_DATA, "line %lld: 'hash' must be 64 hex digits", lineno);
    if ((rc = ev_from_json(o, &b, &attrs, d)) != 0 ||
        (rc = ev_receive(r->db, &b, 0, hash, &seq, d)) != 0) {
        rc = diag_prefix(d, "line %lld: ", lineno);
        goto out;
    }
    if (memcmp(hash, want, EV_HASH_LEN) != 0) {
        rc = diag_set(d, DK_DATA, "line %lld: event %lld does not match its hash", lineno, seq);
        goto out;
    }
    if (json_is_object(shared)) {
        if (!json_is_integer(json_object_get(shared, "pos")) ||
            ev_unhex(jstr(shared, "hash"), sh) != 0 || !jstr(shared, "received")) {
            rc = diag_set(d, DK_DATA, "line %lld: bad 'shared'", lineno);
            goto out;
        }
        if ((rc = db_prep(r->db, shared_sql, &st, d)) != 0 ||
            (rc = db_bind_text(r->db, st, ":uuid", b.v[EVF_UUID], d)) != 0 ||
            (rc = db_bind_int(r->db, st, ":seq", seq, d)) != 0 ||
            (rc = db_bind_int(r->db, st, ":pos", json_integer_value(json_object_get(shared, "pos")),
                              d)) != 0 ||
            (rc = db_bind_text(r->db, st, ":received", jstr(shared, "received"), d)) != 0)
            goto out;
        sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), sh, EV_HASH_LEN,
                          SQLITE_TRANSIENT);
        if ((rc = db_run(r->db, st, d)) != 0) {
            rc = diag_prefix(d, "line %lld: ", lineno);
            goto out;
        }
    }
    r->seq = seq;
    memcpy(r->prev, hash, EV_HASH_LEN);
out:
    free(attrs);
    return rc;
}

int
export_restore(struct db *db, const char *header, FILE *f, struct import_counts *n, struct diag *d)
{
    struct restore r = {.db = db};
    struct indexes x = {0};
    json_t *h = json_loads(header, JSON_REJECT_DUPLICATES, NULL), *o = NULL;
    long long lineno = 1, want;
    unsigned char head[EV_HASH_LEN];
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;

    if (!json_is_object(h) || json_integer_value(json_object_get(h, "version")) != EXPORT_VERSION ||
        !json_is_integer(json_object_get(h, "events")) || ev_unhex(jstr(h, "head"), head) != 0) {
        json_decref(h);
        return diag_set(d, DK_DATA, "line 1: not a docket export of version %d", EXPORT_VERSION);
    }
    want = json_integer_value(json_object_get(h, "events"));
    json_decref(h);
    if ((r.seq = ev_last_seq(db, d)) != 0)
        return r.seq < 0 ? d->code
                         : diag_set(d, DK_DATA,
                                    "an export restores into an empty store only "
                                    "(make one with 'docket init --empty')");
    if ((rc = indexes_drop(db, &x, d)) != 0) {
        indexes_free(&x);
        return rc;
    }
    while ((len = getline(&buf, &cap, f)) > 0 && rc == 0) {
        json_error_t je;
        const char *type;

        lineno++;
        if (len == 1 && buf[0] == '\n')
            continue;
        if ((o = json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
            rc = diag_set(d, DK_DATA, "line %lld: %s", lineno, je.text);
            break;
        }
        type = jstr(o, "type");
        if (type == NULL ||
            (strcmp(type, "event") != 0 && strcmp(type, "document") != 0 &&
             strcmp(type, "kind") != 0 && strcmp(type, "status") != 0 && strcmp(type, "item") != 0))
            rc = diag_set(d, DK_DATA, "line %lld: unknown line type", lineno);
        else if (strcmp(type, "event") == 0)
            rc = restore_event(&r, o, lineno, d);
        /* The state lines are for readers; the state is rebuilt from the events. */
        json_decref(o);
    }
    free(buf);
    if (rc == 0 && ferror(f))
        rc = diag_set(d, DK_IO, "cannot read the export: %s", strerror(errno));
    if (rc == 0 && (r.seq != want || (want > 0 && memcmp(r.prev, head, EV_HASH_LEN) != 0)))
        rc = diag_set(d, DK_DATA,
                      "the export holds %lld events but its header promises %lld with another "
                      "head: it was cut short or altered",
                      r.seq, want);
    if (rc == 0)
        rc = indexes_make(db, &x, d);
    indexes_free(&x);
    if (rc == 0)
        rc = state_rebuild(db, d);
    if (rc == 0)
        n->events = r.seq;
    return rc;
}
