/* state.c: the state projected from the events: kept current, or as of any past date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/state.h"

/*
 * One projection per state table, written once and used three ways: to refresh the maintained
 * table after an append (schema "main.", everything visible), to build an as-of table
 * (schema "temp.", :asof and :known bound), and to replay the whole log for verify.
 *
 * An event is visible when its effective period ends by :asof, it was recorded by :known, and
 * no revert recorded by :known cancels it. Among visible events the latest wins: the greatest
 * effective date, then the later position in the shared log (unpublished events last), then
 * the later local sequence. Both lookups go by local sequence, the rowid that every index
 * holds, so that neither reads the event's row.
 */
// clang-format off
#define VISIBLE(e) \
    e ".eff_day <= :asof AND " e ".recorded <= :known AND " e ".seq NOT IN reverted"

/* The events cancelled by reverts recorded by :known, by local sequence; every projection
 * starts WITH it. */
#define REVERTED "reverted(seq) AS (" STATE_REVERTED_SEQ(":known") ")"
#define POS(e) STATE_POS(e)
#define LATEST(e) STATE_LATEST(e)

/* The latest visible event of TYPE for item c.item, found in two steps so that the shared log
 * is consulted only for events that tie on the greatest effective date. */
#define LATEST_SEQ(type) \
    "(SELECT e.seq FROM event e WHERE e.type = '" type "' AND e.item = c.item " \
    "AND e.eff_day = (SELECT m.eff_day FROM event m WHERE m.type = '" type "' " \
    "AND m.item = c.item AND " VISIBLE("m") " ORDER BY m.eff_day DESC LIMIT 1) " \
    "AND " VISIBLE("e") " ORDER BY " POS("e") " DESC NULLS FIRST, e.seq DESC LIMIT 1)"

/* The effective date of the first visible status event of the run that the latest one, S,
 * ends: of S's status, after every visible event of another status. A confirmation (the same
 * status again) therefore leaves "since" where the run began. NULL when another status ties
 * with S on its effective day (S then begins its run). */
#define RUN_START(s) \
    "(SELECT f.eff FROM event f WHERE f.type = 'status' AND f.item = c.item " \
    "AND f.new_value = " s ".new_value AND " VISIBLE("f") " AND f.eff_day > " \
    "COALESCE((SELECT max(o.eff_day) FROM event o WHERE o.type = 'status' " \
    "AND o.item = c.item AND o.new_value <> " s ".new_value AND " VISIBLE("o") "), '') " \
    "ORDER BY f.eff_day, " POS("f") " NULLS LAST, f.seq LIMIT 1)"

/* The latest edit of each item's creation date known by :known, whatever :asof, one row per
 * item: the creation date is a fact about the item, and an edit of it (in effect from the date
 * it gives) says when the item was tracked from, on any date asked about. */
#define CREATED_SELECT(filter) \
    "SELECT item, new_value AS created, eff_day AS created_day FROM (SELECT e.item, " \
    "e.new_value, e.eff_day, row_number() OVER (PARTITION BY e.item ORDER BY " POS("e") \
    " DESC NULLS FIRST, e.seq DESC) AS rn FROM event e INDEXED BY event_edit " \
    "WHERE e.type = 'edit' AND e.subject = 'created' " filter " AND e.recorded <= :known " \
    "AND e.seq NOT IN reverted) WHERE rn = 1"

/* The latest visible definition (an event without an item) of TYPE per PARTITION: VISIBLE by
 * the date asked about (a document, a paragraph), or IN_FORCE (a kind and its vocabulary):
 * those in force at the first adoption hold before it too, since they name the statuses of
 * baselines from before it (set --baseline). */
#define ATTR(name) "json_extract(attrs, '$." name "')"
#define INT_ATTR(name) "CAST(" ATTR(name) " AS INTEGER)"
#define IN_FORCE(e) \
    e ".eff_day <= max(:asof, COALESCE((SELECT min(f.eff_day) FROM event f WHERE f.type = " \
    "'document' AND f.item IS NULL AND f.recorded <= :known AND f.seq NOT IN reverted), '')) " \
    "AND " e ".recorded <= :known AND " e ".seq NOT IN reverted"
#define LATEST_OF(type, partition, cols) \
    "WITH " REVERTED " SELECT " cols " FROM (SELECT e.subject, e.new_value, e.attrs, row_number() OVER (" \
    "PARTITION BY " partition " ORDER BY " LATEST("e") ") AS rn FROM event e " \
    "WHERE e.item IS NULL AND e.type = '" type "' AND " VISIBLE("e") ") WHERE rn = 1"

#define DOCUMENTS_SELECT \
    LATEST_OF("document", "e.subject", \
              "subject, new_value, " ATTR("body") ", " ATTR("session") ", " \
              ATTR("adopted") ", " ATTR("published") ", " ATTR("preamble"))

#define PARAGRAPHS_SELECT \
    LATEST_OF("paragraph", "json_extract(e.attrs, '$.doc'), e.subject", \
              ATTR("doc") ", subject, new_value, " INT_ATTR("ord"))

/* Kinds and their statuses belong to a document (the "doc" attribute of their events). One
 * recorded without a document (before #15: migration 007) is every document's that does not
 * define its own kind of that name, and that of items of no document (doc NULL): LEGACY_DOCS
 * are the documents recorded by :known, whatever :asof (a baseline may predate adoption), and
 * NULL. DEFS(type, partition) is the latest definition in force per document and PARTITION. */
#define DOC_OF(e) "json_extract(" e ".attrs, '$.doc')"
#define DEFS(type, partition) \
    "SELECT " DOC_OF("e") " AS doc, e.subject, e.new_value, e.attrs FROM (SELECT e.subject, " \
    "e.new_value, e.attrs, row_number() OVER (PARTITION BY " DOC_OF("e") ", " partition \
    " ORDER BY " LATEST("e") ") AS rn FROM event e WHERE e.item IS NULL AND e.type = '" type \
    "' AND " IN_FORCE("e") ") e WHERE rn = 1"
#define LEGACY_DOCS \
    "SELECT DISTINCT g.subject AS symbol FROM event g INDEXED BY event_defs WHERE " \
    "g.item IS NULL AND g.type = 'document' AND g.recorded <= :known AND g.seq NOT IN reverted " \
    "UNION ALL SELECT NULL"
/* The rows of CTE k (one per document and name) for the documents' own definitions, then for
 * the legacy ones each document without its own kind of that name takes. */
#define OWN_AND_LEGACY(cols, kind) \
    "SELECT k.doc, " cols " FROM k WHERE k.doc IS NOT NULL UNION ALL SELECT ld.symbol, " cols \
    " FROM (" LEGACY_DOCS ") ld JOIN k ON k.doc IS NULL WHERE NOT EXISTS (SELECT 1 FROM own " \
    "WHERE own.doc = ld.symbol AND own.subject = " kind ")"
#define KIND_COLS \
    "k.subject, k.new_value, json_extract(k.attrs, '$.description'), " \
    "json_extract(k.attrs, '$.initial'), json_extract(k.attrs, '$.keep_baseline'), " \
    "CAST(json_extract(k.attrs, '$.cadence_months') AS INTEGER)"
#define VOCAB_COLS \
    "k.subject, k.new_value, json_extract(k.attrs, '$.label'), " \
    "CAST(json_extract(k.attrs, '$.progress') AS INTEGER), " \
    "CAST(json_extract(k.attrs, '$.final') AS INTEGER), " \
    "CAST(json_extract(k.attrs, '$.breach') AS INTEGER), " \
    "CAST(json_extract(k.attrs, '$.submission') AS INTEGER), " \
    "CAST(json_extract(k.attrs, '$.ord') AS INTEGER), " \
    "COALESCE(CAST(json_extract(k.attrs, '$.lost') AS INTEGER), 0), " \
    "COALESCE(CAST(json_extract(k.attrs, '$.at_risk') AS INTEGER), 0)"

#define KINDS_SELECT \
    "WITH " REVERTED ", k AS MATERIALIZED (" DEFS("kind", "e.subject") "), own AS (SELECT doc, " \
    "subject FROM k WHERE doc IS NOT NULL) " OWN_AND_LEGACY(KIND_COLS, "k.subject")

#define VOCAB_SELECT \
    "WITH " REVERTED ", k AS MATERIALIZED (" DEFS("vocab", "e.subject, e.new_value") "), " \
    "own AS (SELECT doc, subject FROM (" DEFS("kind", "e.subject") ") WHERE doc IS NOT NULL) " \
    OWN_AND_LEGACY(VOCAB_COLS, "k.subject")

/* The latest visible edit of each field of each item, one row per item. */
#define EDIT(field) "max(CASE WHEN subject = '" field "' THEN new_value END) AS " field
#define EDITS_SELECT(filter) \
    "SELECT item, " EDIT("parent") ", " EDIT("title") ", " EDIT("ref") ", " EDIT("due") ", " \
    EDIT("cadence_months") ", " EDIT("description") ", " EDIT("rollup") " FROM (SELECT e.item, e.subject, " \
    "e.new_value, row_number() OVER (PARTITION BY e.item, e.subject ORDER BY " LATEST("e") \
    ") AS rn FROM event e INDEXED BY event_edit WHERE e.type = 'edit' " filter " AND " \
    VISIBLE("e") ") WHERE rn = 1 GROUP BY item"

/* A field of an item: its latest edit, else its value at creation; '' clears it. */
#define FIELD(name, base) "NULLIF(COALESCE(d." name ", " base "), '') AS " name

/* Items, in the column order of the items table: ALL of them, or ONE (:item). Two offices
 * that load the same checklist create the same item twice: the first creation in log order
 * is the one that counts. A reporting duty's cadence is its own, else its kind's; its last
 * submission is the latest status that its kind counts as one. Its next step is due by its
 * due date, else by its last submission (or its creation) plus its cadence, held to the end of
 * the month (add_months), unless it is final. A membership to keep in a status that its kind
 * flags as lost is in breach of the request, as a breached safeguard is. Each column of x is
 * used once below, so that flattening x copies none of its subqueries. An item is in an as-of
 * state from its creation, or from an earlier baseline (set --baseline: a fact from before it
 * was tracked). */
#define ONE_E "AND e.item = :item"
#define ONE_C "AND c.item = :item"
#define ALL_E ""
#define ALL_C ""
#define ITEMS_SELECT(schema, which) \
    "WITH " REVERTED ", d AS MATERIALIZED (" EDITS_SELECT(which##_E) "), " \
    "cr AS MATERIALIZED (" CREATED_SELECT(which##_E) "), " \
    "x AS (" ITEMS_FIELDS(schema, which##_C) ") " \
    "SELECT x.uuid, x.key, x.doc, x.kind, x.parent, x.title, x.ref, x.goal, x.due, " \
    "x.cadence_months, x.description, x.created, x.status, x.since, x.status_seq, x.progress, " \
    "x.final, x.breach, x.submitted, CASE WHEN x.final THEN NULL ELSE " \
    "COALESCE(period_end(x.due), add_months(COALESCE(x.submitted, x.created), " \
    "x.cadence_months)) END, " \
    "coalesce((SELECT p.ord FROM " schema "paragraphs p WHERE p.doc = x.doc AND p.ref = x.ref), " \
    "1000000), x.rollup FROM x"

/* The columns of an item that come from its events (all but next_due). The rollup, which few
 * items carry, is read from the attributes only when they name it: each json_extract site
 * parses them afresh (list --as-of of 1,000 items: 155M instructions without the test, 145M
 * with it, 139M before rollup). */
#define ITEMS_FIELDS(schema, filter) \
    "SELECT c.item AS uuid, c.subject AS key, json_extract(c.attrs, '$.doc') AS doc, " \
    "json_extract(c.attrs, '$.kind') AS kind, " \
    FIELD("parent", "json_extract(c.attrs, '$.parent')") ", " \
    FIELD("title", "c.new_value") ", " \
    FIELD("ref", "json_extract(c.attrs, '$.ref')") ", " \
    "json_extract(c.attrs, '$.goal') AS goal, " \
    FIELD("due", "json_extract(c.attrs, '$.due')") ", " \
    "COALESCE(CAST(NULLIF(COALESCE(d.cadence_months, " \
    "json_extract(c.attrs, '$.cadence_months')), '') AS INTEGER), k.cadence_months) " \
    "AS cadence_months, " \
    FIELD("description", "json_extract(c.attrs, '$.description')") ", " \
    "COALESCE(cr.created, c.eff) AS created, " \
    "COALESCE(s.new_value, k.initial) AS status, " \
    "COALESCE(" RUN_START("s") ", s.eff) AS since, " \
    "s.seq AS status_seq, v.progress AS progress, v.final AS final, " \
    "CASE WHEN v.lost AND json_extract(c.attrs, '$.goal') = 'keep' THEN 1 ELSE v.breach END " \
    "AS breach, " \
    "CASE WHEN (coalesce(k.doc, ''), k.name) IN (SELECT coalesce(sv.doc, ''), sv.kind FROM " \
    schema "vocab sv WHERE sv.submission) " \
    "THEN (SELECT e.eff FROM event e JOIN " schema "vocab sv ON sv.doc IS k.doc AND sv.kind = k.name " \
    "AND sv.status = e.new_value AND sv.submission " \
    "WHERE e.type = 'status' AND e.item = c.item AND " VISIBLE("e") " " \
    "ORDER BY " LATEST("e") " LIMIT 1) END AS submitted, " \
    FIELD("rollup", "CASE WHEN instr(c.attrs, '\"rollup\"') THEN " \
          "json_extract(c.attrs, '$.rollup') END") " " \
    "FROM event c INDEXED BY event_items " \
    "LEFT JOIN d ON d.item = c.item LEFT JOIN cr ON cr.item = c.item " \
    "LEFT JOIN " schema "kinds k ON k.doc IS json_extract(c.attrs, '$.doc') " \
    "AND k.name = json_extract(c.attrs, '$.kind') " \
    "LEFT JOIN event s ON s.seq = " LATEST_SEQ("status") " " \
    "LEFT JOIN " schema "vocab v ON v.doc IS k.doc AND v.kind = k.name " \
    "AND v.status = COALESCE(s.new_value, k.initial) " \
    "WHERE c.type = 'item' " filter " AND c.recorded <= :known AND c.seq NOT IN reverted " \
    "AND (COALESCE(cr.created_day, c.eff_day) <= :asof OR EXISTS (SELECT 1 FROM event b " \
    "WHERE b.type = 'status' AND b.item = c.item AND " VISIBLE("b") " " \
    "AND json_extract(b.attrs, '$.baseline') IS NOT NULL)) " \
    "AND NOT EXISTS (SELECT 1 FROM event o INDEXED BY event_items WHERE o.type = 'item' " \
    "AND o.item = c.item AND o.seq <> c.seq AND " VISIBLE("o") " " \
    "AND (COALESCE(" POS("o") ", 9e18), o.seq) < (COALESCE(" POS("c") ", 9e18), c.seq))"
// clang-format on

static const char end_of_time[] = "9999-12-31";
static const char end_of_record[] = "9999-12-31T23:59:59.999Z";

/* Binds NAME to V when the statement has that parameter. */
static int
bind_if(struct db *db, sqlite3_stmt *st, const char *name, const char *v, struct diag *d)
{
    return sqlite3_bind_parameter_index(st, name) ? db_bind_text(db, st, name, v, d) : 0;
}

/* Runs the cached statements SQL[0..N) in turn, binding :asof and :known (NULL: no limit) and
 * :item where they appear. */
static int
run_all(struct db *db, const char *const *sql, int n, const char *asof, const char *known,
        const char *item, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    for (int i = 0; i < n; i++)
        if ((rc = db_prep(db, sql[i], &st, d)) != 0 ||
            (rc = bind_if(db, st, ":asof", asof ? asof : end_of_time, d)) != 0 ||
            (rc = bind_if(db, st, ":known", known ? known : end_of_record, d)) != 0 ||
            (rc = bind_if(db, st, ":item", item, d)) != 0 || (rc = db_run(db, st, d)) != 0)
            return rc;
    return 0;
}

static const char *const refresh_documents[] = {
    "DELETE FROM main.documents",
    "INSERT INTO main.documents " DOCUMENTS_SELECT,
};

static const char *const refresh_paragraphs[] = {
    "DELETE FROM main.paragraphs",
    "INSERT INTO main.paragraphs " PARAGRAPHS_SELECT,
};

/* A kind, its vocabulary or a paragraph (whose place items carry) changes what every item of
 * them reports: those rebuild all items. */
static const char *const refresh_all_items[] = {
    "DELETE FROM main.items",
    "INSERT INTO main.items " ITEMS_SELECT("main.", ALL),
};

static const char *const refresh_kinds[] = {
    "DELETE FROM main.kinds",
    "INSERT INTO main.kinds " KINDS_SELECT,
    "DELETE FROM main.vocab",
    "INSERT INTO main.vocab " VOCAB_SELECT,
};

static const char *const refresh_item[] = {
    "DELETE FROM main.items WHERE uuid = :item",
    "INSERT INTO main.items " ITEMS_SELECT("main.", ONE),
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Whether TYPE is a definition's: an event whose state is every item's. */
static int
definition(const char *type)
{
    return strcmp(type, "document") == 0 || strcmp(type, "paragraph") == 0 ||
           strcmp(type, "kind") == 0 || strcmp(type, "vocab") == 0;
}

int
state_defer(struct db *db, int on, struct diag *d)
{
    struct db_writer *w = db_writer(db);
    int pending = w->defer == 2;

    w->defer = on;
    return !on && pending ? state_rebuild(db, d) : 0;
}

int
state_apply(struct db *db, const char *type, const char *item, struct diag *d)
{
    struct db_writer *w = db_writer(db);

    if (w->defer && definition(type)) {
        w->defer = 2;
        return 0;
    }
    /* A new document takes the kinds defined without one (KINDS_SELECT). */
    if (strcmp(type, "document") == 0)
        return run_all(db, refresh_documents, COUNT(refresh_documents), NULL, NULL, NULL, d) ||
                       run_all(db, refresh_kinds, COUNT(refresh_kinds), NULL, NULL, NULL, d) ||
                       run_all(db, refresh_all_items, COUNT(refresh_all_items), NULL, NULL, NULL, d)
                   ? d->code
                   : 0;
    if (strcmp(type, "paragraph") == 0)
        return run_all(db, refresh_paragraphs, COUNT(refresh_paragraphs), NULL, NULL, NULL, d) ||
                       run_all(db, refresh_all_items, COUNT(refresh_all_items), NULL, NULL, NULL, d)
                   ? d->code
                   : 0;
    if (strcmp(type, "kind") == 0 || strcmp(type, "vocab") == 0)
        return run_all(db, refresh_kinds, COUNT(refresh_kinds), NULL, NULL, NULL, d) ||
                       run_all(db, refresh_all_items, COUNT(refresh_all_items), NULL, NULL, NULL, d)
                   ? d->code
                   : 0;
    if (item != NULL && (strcmp(type, "item") == 0 || strcmp(type, "edit") == 0 ||
                         strcmp(type, "status") == 0 || strcmp(type, "revert") == 0))
        return run_all(db, refresh_item, COUNT(refresh_item), NULL, NULL, item, d);
    return 0;
}

int
state_rebuild(struct db *db, struct diag *d)
{
    int rc;

    if ((rc = run_all(db, refresh_documents, COUNT(refresh_documents), NULL, NULL, NULL, d)) ||
        (rc = run_all(db, refresh_paragraphs, COUNT(refresh_paragraphs), NULL, NULL, NULL, d)) ||
        (rc = run_all(db, refresh_kinds, COUNT(refresh_kinds), NULL, NULL, NULL, d)))
        return rc;
    return run_all(db, refresh_all_items, COUNT(refresh_all_items), NULL, NULL, NULL, d);
}

/* The state tables in the order their projections depend on each other. */
static const char *const tables[] = {"documents", "paragraphs", "kinds", "vocab", "items"};

static const char *const build_asof[] = {
    "INSERT INTO temp.documents " DOCUMENTS_SELECT,
    "INSERT INTO temp.paragraphs " PARAGRAPHS_SELECT,
    "INSERT INTO temp.kinds " KINDS_SELECT,
    "INSERT INTO temp.vocab " VOCAB_SELECT,
    "INSERT INTO temp.items " ITEMS_SELECT("temp.", ALL),
};

int
state_asof(struct db *db, const char *asof, const char *known, struct diag *d)
{
    char sql[160];
    int rc;

    if ((rc = state_asof_end(db, d)) != 0)
        return rc;
    for (int i = 0; i < COUNT(tables); i++) {
        snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s AS SELECT * FROM main.%s LIMIT 0",
                 tables[i], tables[i]);
        if ((rc = db_exec(db, sql, d)) != 0)
            return rc;
    }
    return run_all(db, build_asof, COUNT(build_asof), asof, known, NULL, d);
}

int
state_asof_end(struct db *db, struct diag *d)
{
    char sql[80];
    int rc;

    for (int i = COUNT(tables) - 1; i >= 0; i--) {
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", tables[i]);
        if ((rc = db_exec(db, sql, d)) != 0)
            return rc;
    }
    return 0;
}

/* Returns 1 when column I of A and B hold the same type and bytes. */
static int
same_value(sqlite3_stmt *a, sqlite3_stmt *b, int i)
{
    int type = sqlite3_column_type(a, i), n;

    if (type != sqlite3_column_type(b, i))
        return 0;
    switch (type) {
    case SQLITE_NULL:
        return 1;
    case SQLITE_INTEGER:
        return sqlite3_column_int64(a, i) == sqlite3_column_int64(b, i);
    case SQLITE_FLOAT:
        return sqlite3_column_double(a, i) == sqlite3_column_double(b, i);
    default:
        n = sqlite3_column_bytes(a, i);
        return n == sqlite3_column_bytes(b, i) &&
               memcmp(sqlite3_column_blob(a, i), sqlite3_column_blob(b, i), (size_t)n) == 0;
    }
}

/* Steps the maintained table and its replay side by side, in the order of their first two
 * columns (a unique key in every state table), and names the first row that differs. */
static int
compare(struct db *db, const char *table, struct diag *d)
{
    char sql[128];
    sqlite3_stmt *st[2] = {NULL, NULL};
    const char *schema[2] = {"main", "temp"};
    int rc = 0, ra, rb;

    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql, "SELECT * FROM %s.%s ORDER BY 1, 2", schema[i], table);
        if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st[i], NULL) != SQLITE_OK) {
            rc = db_fail(db, "cannot check the state", d);
            goto out;
        }
    }
    for (;;) {
        int same;

        ra = sqlite3_step(st[0]);
        rb = sqlite3_step(st[1]);
        if ((ra != SQLITE_ROW && ra != SQLITE_DONE) || (rb != SQLITE_ROW && rb != SQLITE_DONE)) {
            rc = db_fail(db, "cannot check the state", d);
            break;
        }
        if (ra == SQLITE_DONE && rb == SQLITE_DONE)
            break;
        same = ra == rb && sqlite3_column_count(st[0]) == sqlite3_column_count(st[1]);
        for (int i = 0; same && i < sqlite3_column_count(st[0]); i++)
            same = same_value(st[0], st[1], i);
        if (!same) {
            /* Name the row by its key: an item's key, else the first column. */
            sqlite3_stmt *row = ra == SQLITE_ROW ? st[0] : st[1];
            const unsigned char *at = sqlite3_column_text(row, strcmp(table, "items") == 0);

            rc = diag_set(d, DK_CHECK,
                          "the state table '%s' differs from a replay of the events at '%s'", table,
                          at ? (const char *)at : "");
            break;
        }
    }
out:
    sqlite3_finalize(st[0]);
    sqlite3_finalize(st[1]);
    return rc;
}

int
state_check(struct db *db, struct diag *d)
{
    int rc;

    if ((rc = state_asof(db, NULL, NULL, d)) != 0)
        return rc;
    for (int i = 0; i < COUNT(tables) && rc == 0; i++)
        rc = compare(db, tables[i], d);
    /* The replay's tables go whatever the comparison found: left behind, they would shadow
     * the state for the rest of the connection. */
    state_asof_end(db, d);
    return rc;
}
