/* state.c: the state projected from the events: kept current, or as of any past date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
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
    e ".eff_end <= :asof AND " e ".recorded <= :known AND " e ".seq NOT IN reverted"

/* The events cancelled by reverts recorded by :known, by local sequence; every projection
 * starts WITH it. */
#define REVERTED "reverted(seq) AS (" STATE_REVERTED_SEQ(":known") ")"
#define POS(e) "(SELECT s.pos FROM shared s WHERE s.seq = " e ".seq)"
#define LATEST(e) e ".eff_end DESC, " POS(e) " DESC NULLS FIRST, " e ".seq DESC"

/* The latest visible event of TYPE for item c.item, found in two steps so that the shared log
 * is consulted only for events that tie on the greatest effective date. */
#define LATEST_SEQ(type) \
    "(SELECT e.seq FROM event e WHERE e.type = '" type "' AND e.item = c.item " \
    "AND e.eff_end = (SELECT m.eff_end FROM event m WHERE m.type = '" type "' " \
    "AND m.item = c.item AND " VISIBLE("m") " ORDER BY m.eff_end DESC LIMIT 1) " \
    "AND " VISIBLE("e") " ORDER BY " POS("e") " DESC NULLS FIRST, e.seq DESC LIMIT 1)"

/* The latest visible definition (an event without an item) of TYPE per PARTITION. */
#define ATTR(name) "json_extract(attrs, '$." name "')"
#define INT_ATTR(name) "CAST(" ATTR(name) " AS INTEGER)"
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

#define KINDS_SELECT \
    LATEST_OF("kind", "e.subject", \
              "subject, new_value, " ATTR("description") ", " ATTR("initial") ", " \
              ATTR("keep_baseline") ", " INT_ATTR("cadence_months"))

#define VOCAB_SELECT \
    LATEST_OF("vocab", "e.subject, e.new_value", \
              "subject, new_value, " ATTR("label") ", " INT_ATTR("progress") ", " \
              INT_ATTR("final") ", " INT_ATTR("breach") ", " INT_ATTR("submission") ", " \
              INT_ATTR("ord"))

/* The latest visible edit of each field of each item, one row per item. */
#define EDIT(field) "max(CASE WHEN subject = '" field "' THEN new_value END) AS " field
#define EDITS_SELECT(filter) \
    "SELECT item, " EDIT("parent") ", " EDIT("title") ", " EDIT("ref") ", " EDIT("due") ", " \
    EDIT("cadence_months") ", " EDIT("description") " FROM (SELECT e.item, e.subject, " \
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
 * the month (add_months), unless it is final. Each column of x is used once below, so that
 * flattening x copies none of its subqueries. */
#define ONE_E "AND e.item = :item"
#define ONE_C "AND c.item = :item"
#define ALL_E ""
#define ALL_C ""
#define ITEMS_SELECT(schema, which) \
    "WITH " REVERTED ", d AS MATERIALIZED (" EDITS_SELECT(which##_E) "), " \
    "x AS (" ITEMS_FIELDS(schema, which##_C) ") " \
    "SELECT x.*, CASE WHEN x.final THEN NULL ELSE COALESCE(period_end(x.due), " \
    "add_months(COALESCE(x.submitted, x.created), x.cadence_months)) END, " \
    "coalesce((SELECT p.ord FROM " schema "paragraphs p WHERE p.doc = x.doc AND p.ref = x.ref), " \
    "1000000) FROM x"

/* The columns of an item that come from its events (all but next_due). */
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
    "c.eff AS created, COALESCE(s.new_value, k.initial) AS status, s.eff AS since, " \
    "s.seq AS status_seq, v.progress AS progress, v.final AS final, v.breach AS breach, " \
    "CASE WHEN k.name IN (SELECT sv.kind FROM " schema "vocab sv WHERE sv.submission) " \
    "THEN (SELECT e.eff FROM event e JOIN " schema "vocab sv ON sv.kind = k.name " \
    "AND sv.status = e.new_value AND sv.submission " \
    "WHERE e.type = 'status' AND e.item = c.item AND " VISIBLE("e") " " \
    "ORDER BY " LATEST("e") " LIMIT 1) END AS submitted " \
    "FROM event c INDEXED BY event_items " \
    "LEFT JOIN d ON d.item = c.item " \
    "LEFT JOIN " schema "kinds k ON k.name = json_extract(c.attrs, '$.kind') " \
    "LEFT JOIN event s ON s.seq = " LATEST_SEQ("status") " " \
    "LEFT JOIN " schema "vocab v ON v.kind = k.name " \
    "AND v.status = COALESCE(s.new_value, k.initial) " \
    "WHERE c.type = 'item' " filter " AND " VISIBLE("c") " " \
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

int
state_apply(struct db *db, const char *type, const char *item, struct diag *d)
{
    if (strcmp(type, "document") == 0)
        return run_all(db, refresh_documents, COUNT(refresh_documents), NULL, NULL, NULL, d);
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

/* progress_by_month: what it keeps per kind, month by month. */
struct kind_months {
    char *name;
    long long *born, *base, *delta; /* per month: items created, their start, progress moves */
};

struct vocab_entry {
    char *kind, *status;
    int progress;
};

struct pbm {
    struct db *db;
    const char *asof, *known;
    int m0, nmonths;
    struct kind_months *kinds;
    int nkinds;
    struct vocab_entry *vocab;
    int nvocab;
    long long *reverted; /* sorted sequence numbers of reverted events */
    size_t nreverted;
};

/* Returns the month number (year * 12 + month - 1) of a full date "YYYY-MM-DD"; it runs once
 * per status event, so it reads the digits itself. */
static int
month_of_day(const char *s)
{
    return ((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')) * 12 +
           (s[5] - '0') * 10 + (s[6] - '0') - 1;
}

/* Returns the month number of the end of a date's period (YYYY, YYYY-MM or YYYY-MM-DD), or -1. */
static int
month_of(const char *date)
{
    struct diag d = {0};
    struct date x;

    if (date == NULL || date_parse(date, &x, &d) != 0)
        return -1;
    return month_of_day(x.end);
}

/* Returns the progress of STATUS among the vocabulary entries V[0..N) of one kind (0 when it
 * has none: the projections would leave it out). */
static int
vocab_progress(const struct vocab_entry *v, int n, const char *status)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].status, status) == 0)
            return v[i].progress;
    return 0;
}

static int
cmp_seq(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

static int
is_reverted(const struct pbm *p, long long seq)
{
    return p->nreverted && bsearch(&seq, p->reverted, p->nreverted, sizeof seq, cmp_seq) != NULL;
}

static struct kind_months *
kind_slot(struct pbm *p, const char *name)
{
    struct kind_months *k;

    for (int i = 0; i < p->nkinds; i++)
        if (strcmp(p->kinds[i].name, name) == 0)
            return &p->kinds[i];
    if ((k = realloc(p->kinds, (size_t)(p->nkinds + 1) * sizeof *k)) == NULL)
        return NULL;
    p->kinds = k;
    k = &p->kinds[p->nkinds];
    k->name = strdup(name);
    k->born = calloc((size_t)p->nmonths, sizeof *k->born);
    k->base = calloc((size_t)p->nmonths, sizeof *k->base);
    k->delta = calloc((size_t)p->nmonths, sizeof *k->delta);
    p->nkinds++;
    if (!k->name || !k->born || !k->base || !k->delta)
        return NULL;
    return k;
}

static void
pbm_free(struct pbm *p)
{
    for (int i = 0; i < p->nkinds; i++) {
        free(p->kinds[i].name);
        free(p->kinds[i].born);
        free(p->kinds[i].base);
        free(p->kinds[i].delta);
    }
    for (int i = 0; i < p->nvocab; i++) {
        free(p->vocab[i].kind);
        free(p->vocab[i].status);
    }
    free(p->kinds);
    free(p->vocab);
    free(p->reverted);
}

/* Loads the vocabulary (as of then) and the reverted events. */
static int
pbm_load(struct pbm *p, struct diag *d)
{
    static const char vocab_sql[] = "SELECT kind, status, progress FROM vocab ORDER BY kind";
    static const char reverted_sql[] = STATE_REVERTED_SEQ(":known") " ORDER BY t.seq";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(p->db, vocab_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(p->db, st, d)) == 1) {
        struct vocab_entry *v = realloc(p->vocab, (size_t)(p->nvocab + 1) * sizeof *v);

        if (v == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->vocab = v;
        v[p->nvocab].kind = strdup((const char *)sqlite3_column_text(st, 0));
        v[p->nvocab].status = strdup((const char *)sqlite3_column_text(st, 1));
        v[p->nvocab].progress = sqlite3_column_int(st, 2);
        if (!v[p->nvocab].kind || !v[p->nvocab].status)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->nvocab++;
    }
    if (rc < 0)
        return d->code;
    if ((rc = db_prep(p->db, reverted_sql, &st, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":known", p->known, d)) != 0)
        return rc;
    while ((rc = db_row(p->db, st, d)) == 1) {
        long long *r = realloc(p->reverted, (p->nreverted + 1) * sizeof *r);

        if (r == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->reverted = r;
        r[p->nreverted++] = sqlite3_column_int64(st, 0);
    }
    return rc < 0 ? d->code : 0;
}

/* Returns the shared-log position of event SEQ, or -1 when it is unpublished. */
static long long
position(struct db *db, long long seq, struct diag *d)
{
    static const char sql[] = "SELECT pos FROM shared WHERE seq = :seq";
    sqlite3_stmt *st = NULL;
    long long pos = -1;

    if (db_prep(db, sql, &st, d) == 0 && db_bind_int(db, st, ":seq", seq, d) == 0 &&
        db_row(db, st, d) == 1)
        pos = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return pos;
}

/* Walks one item's visible status events in effective order and records its progress moves,
 * month by month. Events that tie on a date are settled as the projections settle them. */
static int
pbm_item(struct pbm *p, const char *uuid, struct kind_months *k, int born, int until, int start,
         const char *kind, struct diag *d)
{
    const struct vocab_entry *v = p->vocab;
    int nv = 0;
    static const char sql[] =
        "SELECT eff_end, new_value, seq FROM event INDEXED BY event_status WHERE type = "
        "'status' AND item = :item AND eff_end <= :asof AND recorded <= :known ORDER BY eff_end";
    char date[11] = "";
    long long best_pos = 0, best_seq = 0;
    int progress = start, best = start, rc, more;
    sqlite3_stmt *st;

    /* The vocabulary is sorted by kind: find this kind's run once. */
    while (v < p->vocab + p->nvocab && strcmp(v->kind, kind) != 0)
        v++;
    while (v + nv < p->vocab + p->nvocab && strcmp(v[nv].kind, kind) == 0)
        nv++;
    if ((rc = db_prep(p->db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":item", uuid, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":asof", p->asof, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":known", p->known, d)) != 0)
        return rc;
    do {
        const char *end = NULL;
        long long seq = 0, pos;

        if ((more = db_row(p->db, st, d)) < 0)
            return d->code;
        if (more) {
            end = (const char *)sqlite3_column_text(st, 0);
            seq = sqlite3_column_int64(st, 2);
            if (sqlite3_column_bytes(st, 0) != 10) {
                sqlite3_reset(st);
                return diag_set(d, DK_STORE, "status event %lld is damaged", seq);
            }
            if (is_reverted(p, seq))
                continue;
        }
        /* A new date (or the end) settles the group of the previous one. */
        if (date[0] && (!more || memcmp(end, date, 10) != 0)) {
            int m = month_of_day(date) - p->m0;

            if (m < born)
                m = born;
            if (m < until) {
                k->delta[m] += best - progress;
                progress = best;
            }
            date[0] = '\0';
        }
        if (!more)
            break;
        /* Positions matter only when events tie on a date: look them up then. Unpublished
         * events come after every published one; then the later sequence. */
        if (date[0] != '\0') {
            if (best_pos == -2)
                best_pos = position(p->db, best_seq, d);
            pos = position(p->db, seq, d);
        } else {
            pos = -2;
        }
        if (date[0] == '\0' || (pos < 0 && (best_pos >= 0 || seq > best_seq)) ||
            (pos >= 0 && best_pos >= 0 && pos > best_pos)) {
            const char *word = (const char *)sqlite3_column_text(st, 1);

            /* Only the status's progress is kept, so a name of any length will do. */
            memcpy(date, end, 11);
            best = vocab_progress(v, nv, word ? word : "");
            best_pos = pos;
            best_seq = seq;
        }
    } while (more);
    sqlite3_reset(st);
    /* An item that gains an item below it stops being a leaf in that month. */
    if (until < p->nmonths) {
        k->born[until]--;
        k->base[until] -= progress;
    }
    return 0;
}

int
state_progress_by_month(struct db *db, const char *asof, const char *known, struct diag *d)
{
    static const char leaves_sql[] =
        "SELECT i.uuid, i.kind, i.created, coalesce(v.progress, 0), (SELECT "
        "min(period_end(c.created)) FROM items c WHERE c.parent = i.key) FROM items i "
        "JOIN kinds k ON k.name = i.kind LEFT JOIN vocab v ON v.kind = i.kind AND "
        "v.status = k.initial";
    static const char first_sql[] = "SELECT min(period_end(created)) FROM items";
    static const char insert_sql[] =
        "INSERT INTO temp.progress_by_month (month, kind, items, progress_sum) "
        "VALUES (:month, :kind, :items, :sum)";
    struct pbm p = {.db = db, .asof = asof, .known = known ? known : end_of_record};
    sqlite3_stmt *st;
    int rc, last = month_of(asof);

    if ((rc = db_exec(db,
                      "DROP TABLE IF EXISTS temp.progress_by_month; CREATE TEMP TABLE "
                      "progress_by_month (month TEXT NOT NULL, kind TEXT NOT NULL, items "
                      "INTEGER NOT NULL, progress_sum INTEGER NOT NULL)",
                      d)) != 0 ||
        (rc = db_prep(db, first_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    p.m0 = month_of((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (p.m0 < 0 || last < p.m0)
        return 0; /* no items, or none yet */
    p.nmonths = last - p.m0 + 1;
    if ((rc = pbm_load(&p, d)) != 0 || (rc = db_prep(db, leaves_sql, &st, d)) != 0)
        goto out;
    while ((rc = db_row(db, st, d)) == 1) {
        /* Borrowed from this row, which stays current while pbm_item runs its own statements:
         * names of any length, not cut to a buffer. */
        const char *uuid = (const char *)sqlite3_column_text(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        struct kind_months *k;
        int born, until = p.nmonths, start = sqlite3_column_int(st, 3);

        if (uuid == NULL || kind == NULL)
            continue;
        born = month_of((const char *)sqlite3_column_text(st, 2)) - p.m0;
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            until = month_of((const char *)sqlite3_column_text(st, 4)) - p.m0;
        if (born < 0 || born >= p.nmonths || until <= born)
            continue;
        if ((k = kind_slot(&p, kind)) == NULL) {
            sqlite3_reset(st);
            rc = diag_set(d, DK_STORE, "out of memory");
            goto out;
        }
        k->born[born]++;
        k->base[born] += start;
        if ((rc = pbm_item(&p, uuid, k, born, until, start, kind, d)) != 0) {
            sqlite3_reset(st);
            goto out;
        }
    }
    if (rc < 0) {
        rc = d->code;
        goto out;
    }
    for (int ki = 0; ki < p.nkinds; ki++) {
        struct kind_months *k = &p.kinds[ki];
        long long n = 0, sum = 0;

        for (int m = 0; m < p.nmonths && rc == 0; m++) {
            char month[8];

            n += k->born[m];
            sum += k->base[m] + k->delta[m];
            if (n == 0)
                continue;
            snprintf(month, sizeof month, "%04d-%02d", (p.m0 + m) / 12, (p.m0 + m) % 12 + 1);
            if ((rc = db_prep(db, insert_sql, &st, d)) == 0 &&
                (rc = db_bind_text(db, st, ":month", month, d)) == 0 &&
                (rc = db_bind_text(db, st, ":kind", k->name, d)) == 0 &&
                (rc = db_bind_int(db, st, ":items", n, d)) == 0 &&
                (rc = db_bind_int(db, st, ":sum", sum, d)) == 0)
                rc = db_run(db, st, d);
        }
    }
out:
    pbm_free(&p);
    return rc;
}
