/* export.c: the whole tracker out (JSON Lines), items as CSV, and the arena that makes an
 * export's and a restore's JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/export.h"
#include "docket/state.h"
#include "docket/doc.h"
#include "docket/render.h"
#include "docket/text.h"
#include "export_int.h"

/* Jansson makes a few dozen allocations for each line it parses or writes, and an export or a
 * restore frees them all a moment later, each a malloc and a free (a tenth of the work). While
 * a thread makes a line, they come from that thread's arena instead, which the line's end
 * empties. A piece from an arena never leaves its line: what is kept is copied, and the line's
 * JSON is freed before the arena empties. With the arena off, and past its end, they come from
 * malloc; free lets the arena's pieces be. */
enum { ARENA_SIZE = 64 << 10 };

static _Thread_local struct {
    char *base;
    size_t used;
    int on;
} arena;

static void *
arena_alloc(size_t n)
{
    void *p;

    if (!arena.on || n > ARENA_SIZE)
        return malloc(n);
    n = (n + 15) & ~(size_t)15;
    if (n > ARENA_SIZE - arena.used)
        return malloc(n);
    p = arena.base + arena.used;
    arena.used += n;
    return p;
}

static void
arena_free(void *p)
{
    if (arena.base == NULL || (char *)p < arena.base || (char *)p >= arena.base + ARENA_SIZE)
        free(p);
}

/* Turns this thread's arena on (making it the first time) or off. */
void
export_arena_on(int on)
{
    if (on && arena.base == NULL)
        arena.base = malloc(ARENA_SIZE);
    arena.on = on && arena.base != NULL;
}

/* Empties this thread's arena, once the JSON made in it is freed. */
void
export_arena_empty(void)
{
    arena.used = 0;
}

/* Frees this thread's arena, once its last line is freed. */
void
export_arena_drop(void)
{
    free(arena.base);
    arena.base = NULL;
    arena.on = 0;
    arena.used = 0;
}

struct export_allocator
export_arena_install(void)
{
    struct export_allocator was;

    json_get_alloc_funcs(&was.alloc, &was.free);
    json_set_alloc_funcs(arena_alloc, arena_free);
    return was;
}

void
export_arena_uninstall(struct export_allocator was)
{
    export_arena_drop();
    json_set_alloc_funcs(was.alloc, was.free);
}

/* Appends N bytes of S to the buffer ARG, for json_dump_callback. */
static int
put(const char *s, size_t n, void *arg)
{
    struct ev_buf *b = arg;

    if (b->cap - b->len < n && ev_buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* Writes V (stolen) as one compact line, made in B and written at once: json_dumpf would call
 * fwrite for every token (a fifth of an export's time). Returns 0, or DK_IO when memory runs
 * out. */
static int
line(FILE *f, struct ev_buf *b, json_t *v, struct diag *d)
{
    int rc;

    b->len = 0;
    rc = json_dump_callback(v, put, b, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
         put("\n", 1, b) != 0;
    json_decref(v);
    if (rc != 0)
        return diag_set(d, DK_IO, "cannot write the export: out of memory");
    fwrite(b->p, 1, b->len, f);
    return 0;
}

/* Writes one line per row of SQL: {"type": TYPE, column: value, ...}. */
static int
rows(struct db *db, const char *docs, FILE *f, struct ev_buf *b, const char *sql, const char *type,
     struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":docs", docs, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        json_t *o = json_pack("{s:s}", "type", type);

        for (int i = 0; i < sqlite3_column_count(st); i++)
            json_object_set_new(o, sqlite3_column_name(st, i), render_json_value(st, i, 0));
        if (line(f, b, o, d) != 0) {
            sqlite3_reset(st);
            return d->code;
        }
    }
    return rc < 0 ? d->code : 0;
}

int
export_jsonl(struct db *db, const char *docs, FILE *f, struct diag *d)
{
    static const char head_sql[] =
        "SELECT seq, hash, (SELECT value FROM meta WHERE key = 'replica') FROM event "
        "ORDER BY seq DESC LIMIT 1";
    static const char events_sql[] =
        "SELECT e.seq, e.hash, s.pos, s.hash, s.received, " EV_JSON_COLUMNS
        " FROM event e LEFT JOIN shared s ON s.seq = e.seq ORDER BY e.seq";
    static const char doc_events_sql[] =
        "SELECT e.seq, e.hash, s.pos, s.hash, s.received, " EV_JSON_COLUMNS
        " FROM event e LEFT JOIN shared s ON s.seq = e.seq WHERE " STATE_EVENT_DOC(
            "e") " IN (SELECT value FROM json_each(:docs)) ORDER BY e.seq";
    char hex[2 * EV_HASH_LEN + 1], now[TS_LEN + 1];
    json_t *header;
    struct export_allocator was;
    struct ev_buf b = {0};
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
    header = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s}", "format", EXPORT_FORMAT, "version",
                       EXPORT_VERSION, "events", (json_int_t)events, "head", hex, "replica",
                       db_replica(db), "exported", now);
    if (docs && header)
        json_object_set_new(header, "documents", json_loads(docs, 0, NULL));
    if ((rc = line(f, &b, header, d)) != 0 ||
        (rc = rows(db, docs, f, &b,
                   "SELECT * FROM documents WHERE " STATE_IN_DOCS("symbol") " ORDER BY symbol",
                   "document", d)) != 0 ||
        (rc = rows(db, docs, f, &b,
                   "SELECT * FROM kinds WHERE " STATE_IN_DOCS("doc") " ORDER BY doc, name", "kind",
                   d)) != 0 ||
        (rc = rows(db, docs, f, &b,
                   "SELECT * FROM vocab WHERE " STATE_IN_DOCS("doc") " ORDER BY doc, kind, ord",
                   "status", d)) != 0 ||
        (rc = rows(db, docs, f, &b,
                   "SELECT * FROM items WHERE " STATE_IN_DOCS("doc") " ORDER BY doc, key", "item",
                   d)) != 0 ||
        (rc = rows(db, docs, f, &b,
                   "SELECT pos, lower(hex(hash)) AS hash, reason, uuid, replica, entry, received "
                   "FROM quarantine WHERE :docs IS NULL ORDER BY pos",
                   "quarantine", d)) != 0 ||
        (rc = db_prep(db, docs ? doc_events_sql : events_sql, &st, d)) != 0 ||
        (docs && (rc = db_bind_text(db, st, ":docs", docs, d)) != 0)) {
        ev_buf_free(&b);
        return rc;
    }
    was = export_arena_install();
    while ((rc = db_row(db, st, d)) == 1 && !ferror(f)) {
        json_t *o;

        export_arena_on(1);
        o = ev_to_json(json_pack("{s:s, s:I}", "type", "event", "seq",
                                 (json_int_t)sqlite3_column_int64(st, 0)),
                       st, 5);

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
                                          "received", render_json_value(st, 4, 0)));
        }
        rc = line(f, &b, o, d) != 0 ? -1 : 1;
        export_arena_empty();
        if (rc < 0)
            break;
    }
    export_arena_uninstall(was);
    sqlite3_reset(st);
    ev_buf_free(&b);
    if (rc < 0)
        return d->code;
    return ferror(f) ? diag_set(d, DK_IO, "cannot write the export: %s", strerror(errno)) : 0;
}

int
export_csv(struct db *db, const char *docs, FILE *f, struct diag *d)
{
    /* The last three columns are not written: they make the ALIAS:KEY of a store of several
     * documents. */
    static const char sql[] =
        "SELECT key, title, kind, parent, ref, goal, due, cadence_months, "
        "description, status, since, progress, next_due, doc, " DOC_STORED_ALIAS(
            "items.doc") ", (SELECT count(*) > 1 FROM "
                         "documents) FROM items WHERE " STATE_IN_DOCS("doc") " "
                                                                             "ORDER BY doc, key";
    sqlite3_stmt *st;
    char alias[256], *name = NULL;
    int rc, cols;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":docs", docs, d)) != 0)
        return rc;
    cols = sqlite3_column_count(st) - 3;
    for (int i = 0; i < cols; i++) {
        fputs(i ? "," : "", f);
        text_csv_field(f, strcmp(sqlite3_column_name(st, i), "since") == 0
                              ? "date"
                              : sqlite3_column_name(st, i));
    }
    fputs("\r\n", f);
    while ((rc = db_row(db, st, d)) == 1) {
        const char *doc = (const char *)sqlite3_column_text(st, cols);

        if (sqlite3_column_int(st, cols + 2) && doc) {
            doc_alias_of(doc, (const char *)sqlite3_column_text(st, cols + 1), alias, sizeof alias);
            free(name);
            if (asprintf(&name, "%s:%s", alias, (const char *)sqlite3_column_text(st, 0)) < 0) {
                name = NULL;
                sqlite3_reset(st);
                return diag_set(d, DK_STORE, "out of memory");
            }
        }
        for (int i = 0; i < cols; i++) {
            int type = sqlite3_column_type(st, i);

            fputs(i ? "," : "", f);
            if (i == 0 && sqlite3_column_int(st, cols + 2) && doc) {
                text_csv_field(f, name);
                continue;
            }
            /* Numbers (cadence_months, progress) are written as numbers: only text can be
             * taken for a formula (text_csv_field). */
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
                fputs((const char *)sqlite3_column_text(st, i), f);
            else
                text_csv_field(f, (const char *)sqlite3_column_text(st, i));
        }
        fputs("\r\n", f);
    }
    free(name);
    if (rc < 0)
        return d->code;
    return ferror(f) ? diag_set(d, DK_IO, "cannot write the export: %s", strerror(errno)) : 0;
}

int
export_is_header(const char *text, size_t len)
{
    json_t *o = text_json_loadb(text, len, JSON_DISABLE_EOF_CHECK, NULL);
    const char *format = json_string_value(json_object_get(o, "format"));
    int yes = format && strcmp(format, EXPORT_FORMAT) == 0;

    json_decref(o);
    return yes;
}
