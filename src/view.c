/* view.c: the read model: the queries whose rows a command shows to a person, rows handed back
 * as named structs. */
#include <pthread.h>
#include <string.h>

#include "docket/doc.h"
#include "docket/state.h"
#include "docket/sync.h"
#include "docket/view.h"

/* Column I of ST as text, or NULL (borrowed until the next step). */
static const char *
text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Column I of ST as an int, or VIEW_NULL. (NULL reads as 0: only a 0 needs its type asked.) */
static int
num(sqlite3_stmt *st, int i)
{
    int v = sqlite3_column_int(st, i);

    return v == 0 && sqlite3_column_type(st, i) == SQLITE_NULL ? VIEW_NULL : v;
}

/* Binds the parameters of ST that AT supplies (those ST has). */
static int
bind_at(struct db *db, sqlite3_stmt *st, const struct view_at *at, struct diag *d)
{
    static const char *const names[] = {":uuid", ":key", ":asof", ":known", ":kdoc"};
    const char *values[] = {at->uuid, at->key, at->asof, at->known, at->doc};
    int rc;

    for (int i = 0; i < 5; i++)
        if (sqlite3_bind_parameter_index(st, names[i]) &&
            (rc = db_bind_text(db, st, names[i], values[i], d)) != 0)
            return rc;
    return 0;
}

/* Steps ST to its end, reading each row with READ into ROW and handing it to EACH; resets ST;
 * returns from the calling walk with 0, DK_STORE, or what EACH returned. A macro, so that each
 * walk keeps its own row and callback types. */
#define RETURN_WALK(db, st, row, read, each, arg, d)                                               \
    do {                                                                                           \
        int rc_;                                                                                   \
        while ((rc_ = db_row((db), (st), (d))) == 1) {                                             \
            read((st), &(row));                                                                    \
            if ((rc_ = (each)((arg), &(row))) != 0)                                                \
                break;                                                                             \
        }                                                                                          \
        sqlite3_reset(st);                                                                         \
        return rc_ < 0 ? (d)->code : rc_;                                                          \
    } while (0)

/* ---- The items ---------------------------------------------------------------------------- */

/* Items in the order of the resolution's paragraphs, with the roll-up of their instances: how
 * many have reached full progress, named by the kind's first status of full progress. The
 * progress shown is the one that counts (VIEW_PROGRESS): a parent whose status follows from its
 * instances has their mean; a recurring duty that is overdue has 0. */
#define LIST_PROGRESS VIEW_PROGRESS("i", "r", ":today")
/* DOCS is the filter on the documents: apart, so that with --doc the planner takes each
 * document's items by their index rather than read every item of the store. */
#define LIST_SQL(docs)                                                                             \
    "WITH RECURSIVE below(k) AS (SELECT :under UNION SELECT c.key FROM items c JOIN below ON "     \
    "c.parent = below.k AND c.doc IS :kdoc), "                                                     \
    "roll AS (SELECT doc, parent, count(*) AS n, sum(progress = 100) AS done, sum(progress) AS "   \
    "psum FROM items WHERE instr(key, '/') > 0 AND (:key IS NULL OR (parent = :key AND doc IS "    \
    ":kdoc)) GROUP BY parent, doc) "                                                               \
    "SELECT i.key, i.title, i.kind, i.status, " LIST_PROGRESS ", i.final, i.since, i.due, "        \
    "i.next_due, coalesce(i.next_due < :today, 0), i.breach, i.parent, i.ref, i.doc, r.n, "        \
    "r.done, CASE WHEN r.n THEN (SELECT v.status FROM vocab v WHERE v.doc IS i.doc AND "           \
    "v.kind = i.kind AND v.progress = 100 ORDER BY v.ord LIMIT 1) END, i.rollup, "                 \
    "(coalesce(i.doc, ''), i.kind, i.status) IN (SELECT coalesce(v.doc, ''), v.kind, v.status "    \
    "FROM vocab v WHERE v.at_risk) "                                                               \
    "FROM items i LEFT JOIN roll r ON r.parent = i.key AND r.doc IS i.doc "                        \
    "WHERE (:kind IS NULL OR i.kind = :kind) AND (:status IS NULL OR i.status = :status) "         \
    "AND (:under IS NULL OR (i.key IN below AND i.doc IS :kdoc)) AND (:key IS NULL OR "            \
    "(i.key = :key AND i.doc IS :kdoc)) AND (NOT :overdue "                                        \
    "OR i.next_due < :today) AND " docs " ORDER BY i.doc, i.para_ord, i.key"
static const char list_sql[] = LIST_SQL(":docs IS NULL"),
                  list_docs_sql[] = LIST_SQL("i.doc IN (SELECT value FROM json_each(:docs))");

static void
read_item(sqlite3_stmt *st, struct view_item_row *r)
{
    r->key = text(st, 0);
    r->title = text(st, 1);
    r->status = text(st, 3);
    r->progress = num(st, 4);
    r->since = text(st, 6);
    r->next_due = text(st, 8);
    r->overdue = num(st, 9);
    r->breach = num(st, 10);
    r->instances = sqlite3_column_int(st, 14);
    r->done = r->instances ? sqlite3_column_int(st, 15) : 0;
    r->done_status = r->instances ? text(st, 16) : NULL;
    r->rollup = text(st, 17);
    r->at_risk = sqlite3_column_int(st, 18);
    r->doc = text(st, 13);
    if (r->brief)
        return;
    r->kind = text(st, 2);
    r->final = num(st, 5);
    r->due = text(st, 7);
    r->parent = text(st, 11);
    r->ref = text(st, 12);
}

int
view_list(struct db *db, const struct view_list_filter *f,
          int (*each)(void *arg, const struct view_item_row *row), void *arg, struct diag *d)
{
    struct view_item_row row = {.brief = f->brief, .final = VIEW_NULL};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, f->docs ? list_docs_sql : list_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":kind", f->kind, d)) != 0 ||
        (rc = db_bind_text(db, st, ":status", f->status, d)) != 0 ||
        (rc = db_bind_text(db, st, ":under", f->under, d)) != 0 ||
        (rc = db_bind_text(db, st, ":docs", f->docs, d)) != 0 ||
        (rc = db_bind_text(db, st, ":key", f->key, d)) != 0 ||
        (rc = db_bind_text(db, st, ":kdoc", f->key_doc, d)) != 0 ||
        (rc = db_bind_int(db, st, ":overdue", f->overdue, d)) != 0 ||
        (rc = db_bind_text(db, st, ":today", f->today, d)) != 0)
        return rc;
    RETURN_WALK(db, st, row, read_item, each, arg, d);
}

/* ---- The vocabulary ------------------------------------------------------------------------ */

/* Each document's kinds; those of no document (migration 007) while an item of none is there. */
static const char vocab_sql[] =
    "WITH k AS (SELECT * FROM kinds WHERE (doc IS NOT NULL OR EXISTS (SELECT 1 FROM items "
    "WHERE doc IS NULL)) AND (:docs IS NULL OR doc IN (SELECT value FROM json_each(:docs)))) "
    "SELECT k.name, k.label, k.description, k.initial, k.keep_baseline, k.cadence_months, "
    "v.status, v.label, v.progress, v.final, v.breach, v.submission, v.lost, v.at_risk, "
    "k.doc, " DOC_STORED_ALIAS(
        "k.doc") ", (SELECT count(DISTINCT coalesce(doc, '')) FROM k) "
                 "FROM k LEFT JOIN vocab v ON v.doc IS k.doc AND v.kind = k.name "
                 "ORDER BY k.doc, k.name, v.ord, v.status";

static void
read_vocab(sqlite3_stmt *st, struct view_vocab_row *r)
{
    r->kind = text(st, 0);
    r->kind_label = text(st, 1);
    r->description = text(st, 2);
    r->initial = text(st, 3);
    r->keep_baseline = text(st, 4);
    r->cadence_months = num(st, 5);
    r->status = text(st, 6);
    r->label = text(st, 7);
    r->progress = num(st, 8);
    r->final = sqlite3_column_int(st, 9) != 0;
    r->breach = sqlite3_column_int(st, 10) != 0;
    r->submission = sqlite3_column_int(st, 11) != 0;
    r->lost = sqlite3_column_int(st, 12) != 0;
    r->at_risk = sqlite3_column_int(st, 13) != 0;
    r->doc = text(st, 14);
    if (r->doc)
        doc_alias_of(r->doc, text(st, 15), r->alias, sizeof r->alias);
    else
        r->alias[0] = '\0';
    r->docs = sqlite3_column_int(st, 16);
}

int
view_vocab(struct db *db, const char *docs,
           int (*each)(void *arg, const struct view_vocab_row *row), void *arg, struct diag *d)
{
    struct view_vocab_row row = {0};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, vocab_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":docs", docs, d)) != 0)
        return rc;
    RETURN_WALK(db, st, row, read_vocab, each, arg, d);
}

/* ---- The documents -------------------------------------------------------------------------- */

// clang-format off
/* The requests' figures in one pass, grouped by document, rather than a pass per document and
 * figure. */
static const char docs_sql[] =
    "WITH q AS (" VIEW_REQUESTS(":today") "), f AS (SELECT doc, count(*) AS n, avg(CASE WHEN "
    "kind NOT IN ('safeguard', 'acknowledgement') THEN counted END) AS progress, "
    "sum(next_due < :today) AS overdue, sum(kind NOT IN ('safeguard', 'acknowledgement') AND "
    "counted = 100 AND (final OR rollup IS 'instances')) AS done FROM q GROUP BY doc), "
    "b AS (SELECT doc, count(*) AS n FROM items WHERE breach GROUP BY doc) "
    "SELECT d.symbol, " DOC_STORED_ALIAS("d.symbol") ", d.title, d.adopted, coalesce(f.n, 0), "
    "f.progress, coalesce(f.overdue, 0), coalesce(b.n, 0), coalesce(f.done, 0) FROM documents d "
    "LEFT JOIN f ON f.doc = d.symbol LEFT JOIN b ON b.doc = d.symbol ORDER BY d.adopted, "
    "d.symbol";
// clang-format on

int
view_docs(struct db *db, const char *today, int (*each)(void *arg, const struct view_doc_row *row),
          void *arg, struct diag *d)
{
    struct view_doc_row row;
    sqlite3_stmt *st;
    char alias[256];
    int rc;

    if ((rc = db_prep(db, docs_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":today", today, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        row.symbol = text(st, 0);
        doc_alias_of(row.symbol, text(st, 1), alias, sizeof alias);
        row.alias = alias;
        row.title = text(st, 2);
        row.adopted = text(st, 3);
        row.requests = sqlite3_column_int(st, 4);
        row.progress =
            sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 5);
        row.overdue = sqlite3_column_int(st, 6);
        row.breached = sqlite3_column_int(st, 7);
        row.done = sqlite3_column_int(st, 8);
        if ((rc = each(arg, &row)) != 0)
            break;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

/* ---- Events ------------------------------------------------------------------------------- */

/* The columns, in this order, that read_event reads from a statement over "event e"; the
 * statement binds :known (the limit on the reverts' recorded time). */
// clang-format off
#define EVENT_COLUMNS \
    "e.seq, e.uuid, e.batch, e.type, COALESCE((SELECT i.key FROM items i WHERE i.uuid = " \
    "e.item), (SELECT c.subject FROM event c INDEXED BY event_items WHERE c.item = e.item AND " \
    "c.type = 'item' ORDER BY c.seq LIMIT 1)), " \
    "e.subject, e.old_value, e.new_value, e.attrs, e.reason, e.eff, e.recorded, e.actor, " \
    "e.login, e.replica, e.hash, (SELECT r.by_seq FROM " STATE_REVERTS " r WHERE r.uuid = " \
    "e.uuid AND r.by_recorded <= :known AND NOT " STATE_UNDONE("r", ":known") "), " \
    "CASE WHEN e.type = 'revert' THEN (SELECT t.seq FROM event t WHERE t.uuid = e.subject) " \
    "END, e.type = 'evidence' AND e.seq IN (" STATE_REVERTED_EVIDENCE(":known") ")"
// clang-format on

static void
read_event(sqlite3_stmt *st, struct view_event *e)
{
    e->seq = sqlite3_column_int64(st, 0);
    e->type = text(st, 3);
    e->key = text(st, 4);
    e->subject = text(st, 5);
    e->old_value = text(st, 6);
    e->new_value = text(st, 7);
    e->amount = strcmp(e->type, "cost") == 0 ? sqlite3_column_int64(st, 7) : 0;
    e->attrs = text(st, 8);
    e->reason = text(st, 9);
    e->eff = text(st, 10);
    e->recorded = text(st, 11);
    e->actor = text(st, 12);
    e->reverted_by = sqlite3_column_int64(st, 16);
    e->reverts = strcmp(e->type, "revert") == 0 ? sqlite3_column_int64(st, 17) : 0;
    e->gone = sqlite3_column_int(st, 18);
    /* Only the history's query has the column (19): the estimate that replaces a cost. */
    e->superseded_by = sqlite3_column_count(st) > 19 ? sqlite3_column_int64(st, 19) : 0;
    if (e->brief)
        return;
    e->uuid = text(st, 1);
    e->batch = text(st, 2);
    e->login = text(st, 13);
    e->replica = text(st, 14);
    e->hash = sqlite3_column_bytes(st, 15) == EV_HASH_LEN ? sqlite3_column_blob(st, 15) : NULL;
}

// clang-format off
#define LOG_WHERE \
    " e.recorded >= :since AND e.recorded <= :until AND (:by IS NULL OR e.actor = :by) AND " \
    STATE_IN_DOCS(STATE_EVENT_DOC("e"))
// clang-format on

/* The events in an order every office that synced as far shares: those in the shared log by
 * their position, then this store's unpublished ones by sequence. Each part streams through an
 * index (shared.pos, event.seq); with an item, the item's own. */
#define UNPUBLISHED " AND NOT EXISTS (SELECT 1 FROM shared p WHERE p.seq = e.seq)"
static const char *const log_sqls[2][2] = {
    {"SELECT " EVENT_COLUMNS " FROM shared s JOIN event e ON e.seq = s.seq WHERE" LOG_WHERE
     " ORDER BY s.pos",
     "SELECT " EVENT_COLUMNS " FROM event e WHERE" LOG_WHERE UNPUBLISHED " ORDER BY e.seq"},
    {"SELECT " EVENT_COLUMNS " FROM shared s JOIN event e ON e.seq = s.seq WHERE e.item = "
     ":uuid AND" LOG_WHERE " ORDER BY s.pos",
     "SELECT " EVENT_COLUMNS " FROM event e WHERE e.item = :uuid AND" LOG_WHERE UNPUBLISHED
     " ORDER BY e.seq"},
};

/* One part of the log: the shared one (PART 0) or the unpublished one. */
static int
log_part(struct db *db, const struct view_log_filter *f, int part,
         int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d)
{
    struct view_event ev = {.brief = f->brief};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, log_sqls[f->item != NULL][part], &st, d)) != 0 ||
        (f->item && (rc = db_bind_text(db, st, ":uuid", f->item, d)) != 0) ||
        (rc = db_bind_text(db, st, ":since", f->since, d)) != 0 ||
        (rc = db_bind_text(db, st, ":until", f->until, d)) != 0 ||
        (rc = db_bind_text(db, st, ":by", f->by, d)) != 0 ||
        (rc = db_bind_text(db, st, ":docs", f->docs, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", f->until, d)) != 0)
        return rc;
    RETURN_WALK(db, st, ev, read_event, each, arg, d);
}

int
view_log(struct db *db, const struct view_log_filter *f,
         int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d)
{
    int rc = log_part(db, f, 0, each, arg, d);

    return rc != 0 ? rc : log_part(db, f, 1, each, arg, d);
}

int
view_events(struct db *db, long long first, long long last,
            int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d)
{
    static const char sql[] = "SELECT " EVENT_COLUMNS " FROM event e WHERE e.seq BETWEEN :first "
                              "AND :last ORDER BY e.seq";
    struct view_event ev = {0};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_int(db, st, ":first", first, d)) != 0 ||
        (rc = db_bind_int(db, st, ":last", last, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", "9999-12-31T23:59:59.999Z", d)) != 0)
        return rc;
    RETURN_WALK(db, st, ev, read_event, each, arg, d);
}

/* The actors of the events F selects, each once: the shared part and the unpublished part of
 * the log together are every event that passes the filter. */
static const char *const log_actors_sqls[2] = {
    "SELECT DISTINCT e.actor FROM event e WHERE" LOG_WHERE,
    "SELECT DISTINCT e.actor FROM event e WHERE e.item = :uuid AND" LOG_WHERE,
};

int
view_log_actors(struct db *db, const struct view_log_filter *f,
                int (*each)(void *arg, const char *actor), void *arg, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, log_actors_sqls[f->item != NULL], &st, d)) != 0 ||
        (f->item && (rc = db_bind_text(db, st, ":uuid", f->item, d)) != 0) ||
        (rc = db_bind_text(db, st, ":since", f->since, d)) != 0 ||
        (rc = db_bind_text(db, st, ":until", f->until, d)) != 0 ||
        (rc = db_bind_text(db, st, ":by", f->by, d)) != 0 ||
        (rc = db_bind_text(db, st, ":docs", f->docs, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1)
        if ((rc = each(arg, text(st, 0) ? text(st, 0) : "")) != 0)
            break;
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

/* ---- One item ----------------------------------------------------------------------------- */

/* The item's events effective by :asof and recorded by :known; those that count then. */
#define SHOWN "e.item = :uuid AND e.eff_day <= :asof AND e.recorded <= :known"
#define COUNTS                                                                                     \
    " AND NOT EXISTS (SELECT 1 FROM " STATE_REVERTS " r WHERE r.uuid = e.uuid AND "                \
    "r.by_recorded <= :known)"

/* With each cost estimate's replacement, by the same window as the costs. */
static const char history_sql[] =
    "WITH sup AS (SELECT e.seq, " STATE_COST_SUPERSEDED_BY_E " AS by FROM event e WHERE " SHOWN
    " AND e.type = 'cost'" COUNTS ") SELECT " EVENT_COLUMNS
    ", (SELECT sup.by FROM sup WHERE sup.seq = e.seq) FROM event e WHERE " SHOWN " ORDER BY e.seq";
static const char instances_sql[] =
    "SELECT status, count(*) FROM items WHERE parent = :key AND doc IS :kdoc AND "
    "instr(key, '/') > 0 "
    "GROUP BY status ORDER BY 2 DESC, 1";
/* Sorted by an expression, so that SQLite finds the few items by their parent rather than
 * reading all of the document's in key order (its index of keys) to save the sort. */
static const char below_sql[] =
    "SELECT key, status, progress FROM items WHERE parent = :key AND doc IS :kdoc AND "
    "instr(key, '/') = 0 ORDER BY key || ''";
static const char evidence_sql[] =
    "SELECT e.new_value, e.eff, json_extract(e.attrs, '$.sha256') FROM event e WHERE " SHOWN
    " AND e.type = 'evidence'" COUNTS
    " AND e.seq NOT IN (" STATE_REVERTED_EVIDENCE(":known") ") "
                                                            "ORDER BY e.seq";
/* Per currency and basis: the estimate in force (a later one replaces an earlier) and how many
 * estimates there were. */
static const char costs_sql[] =
    "SELECT cur, basis, sum(CASE WHEN by IS NULL THEN units END), count(*) FROM (SELECT "
    "json_extract(e.attrs, '$.currency') AS cur, " STATE_COST_BASIS_E " AS basis, "
    "CAST(e.new_value AS INTEGER) AS units, " STATE_COST_SUPERSEDED_BY_E " AS by FROM event e "
    "WHERE " SHOWN " AND e.type = 'cost'" COUNTS ") GROUP BY cur, basis ORDER BY cur, basis";

static int
prep_at(struct db *db, const char *sql, const struct view_at *at, sqlite3_stmt **st, struct diag *d)
{
    int rc;

    if ((rc = db_prep(db, sql, st, d)) != 0)
        return rc;
    return bind_at(db, *st, at, d);
}

static void
read_count(sqlite3_stmt *st, struct view_count *r)
{
    r->status = text(st, 0);
    r->n = sqlite3_column_int(st, 1);
}

static void
read_child(sqlite3_stmt *st, struct view_child *r)
{
    r->key = text(st, 0);
    r->status = text(st, 1);
    r->progress = sqlite3_column_int(st, 2);
}

static void
read_evidence(sqlite3_stmt *st, struct view_evidence *r)
{
    r->ref = text(st, 0);
    r->eff = text(st, 1);
    r->sha256 = text(st, 2);
}

static void
read_cost(sqlite3_stmt *st, struct view_cost *r)
{
    r->currency = text(st, 0);
    r->basis = text(st, 1);
    r->minor_units = sqlite3_column_int64(st, 2);
    r->entries = sqlite3_column_int(st, 3);
}

/* Defines FN, which walks the rows of SQL about one item (AT), each read by READ into a TYPE. */
#define VIEW_AT_WALK(fn, type, sql, read)                                                          \
    int fn(struct db *db, const struct view_at *at, int (*each)(void *arg, const type *row),       \
           void *arg, struct diag *d)                                                              \
    {                                                                                              \
        type row = {0};                                                                            \
        sqlite3_stmt *st;                                                                          \
        int rc;                                                                                    \
                                                                                                   \
        if ((rc = prep_at(db, sql, at, &st, d)) != 0)                                              \
            return rc;                                                                             \
        RETURN_WALK(db, st, row, read, each, arg, d);                                              \
    }

VIEW_AT_WALK(view_instances, struct view_count, instances_sql, read_count)
VIEW_AT_WALK(view_below, struct view_child, below_sql, read_child)
VIEW_AT_WALK(view_evidence, struct view_evidence, evidence_sql, read_evidence)
VIEW_AT_WALK(view_costs, struct view_cost, costs_sql, read_cost)
VIEW_AT_WALK(view_history, struct view_event, history_sql, read_event)

/* ---- Two dates ---------------------------------------------------------------------------- */

static const char changed_sql[] =
    "SELECT COALESCE(b.key, a.key) AS k, a.status, b.status, a.progress, b.progress, b.title "
    "FROM items b FULL JOIN temp.diff_before a ON a.uuid = b.uuid "
    "WHERE (a.status IS NOT b.status OR a.progress IS NOT b.progress) AND " STATE_IN_DOCS(
        STATE_ITEM_DOC("COALESCE(b.uuid, a.uuid)")) " ORDER BY k";

/* The state as of the first date, made on a second connection (db_twin) in a thread while this
 * one makes the state as of the second: the two are the whole cost of a diff, and alike. */
struct before {
    struct db *db;
    const char *asof;
    struct diag d;
    int rc;
    sqlite3_stmt *rows; /* its items, once made */
};

static void *
before_main(void *arg)
{
    struct before *b = arg;
    static const char sql[] = "SELECT uuid, key, status, progress FROM temp.items";

    if ((b->rc = state_asof(b->db, b->asof, NULL, &b->d)) == 0)
        b->rc = db_prep(b->db, sql, &b->rows, &b->d);
    return NULL;
}

/* Copies B's rows (the state as of the first date) into temp.diff_before on DB, indexed. */
static int
copy_before(struct db *db, struct before *b, struct diag *d)
{
    static const char create[] =
        "DROP TABLE IF EXISTS temp.diff_before; CREATE TEMP TABLE diff_before (uuid TEXT, "
        "key TEXT, status TEXT, progress INTEGER)";
    static const char sql[] = "INSERT INTO temp.diff_before VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *ins;
    int rc;

    if ((rc = db_exec(db, create, d)) != 0 || (rc = db_prep(db, sql, &ins, d)) != 0)
        return rc;
    while ((rc = db_row(b->db, b->rows, &b->d)) == 1) {
        for (int i = 0; i < 4; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(b->rows, i));
        if ((rc = db_run(db, ins, d)) != 0)
            break;
    }
    sqlite3_reset(b->rows);
    if (rc < 0)
        return diag_set(d, b->d.code, "%s", b->d.msg);
    return rc != 0
               ? rc
               : db_exec(db, "CREATE UNIQUE INDEX temp.diff_before_uuid ON diff_before (uuid)", d);
}

/* Makes temp.diff_before (the state as of D1) and the as-of tables for D2 on DB: in two
 * threads when a twin connection can be had, else one after the other, D1's copied before D2's
 * replaces it. */
static int
states(struct db *db, const char *path, const char *d1, const char *d2, struct diag *d)
{
    struct before b = {.db = db_twin(db, path), .asof = d1};
    pthread_t thread;
    int threaded = b.db != NULL && pthread_create(&thread, NULL, before_main, &b) == 0, rc = 0;

    if (threaded) {
        rc = state_asof(db, d2, NULL, d);
        pthread_join(thread, NULL);
    } else {
        db_close(b.db);
        b.db = db;
        before_main(&b);
    }
    if (rc == 0 && b.rc != 0)
        rc = diag_set(d, b.rc, "%s", b.d.msg);
    if (rc == 0)
        rc = copy_before(db, &b, d);
    if (rc == 0 && !threaded)
        rc = state_asof(db, d2, NULL, d);
    if (threaded)
        db_close(b.db);
    return rc;
}

static void
read_change(sqlite3_stmt *st, struct view_change *r)
{
    r->key = text(st, 0);
    r->before = text(st, 1);
    r->after = text(st, 2);
    r->progress_before = num(st, 3);
    r->progress_after = num(st, 4);
}

int
view_diff(struct db *db, const char *path, const char *d1, const char *d2, const char *docs,
          int (*each)(void *arg, const struct view_change *row), void *arg, struct diag *d)
{
    struct view_change row;
    sqlite3_stmt *st;
    int rc;

    if ((rc = states(db, path, d1, d2, d)) != 0 || (rc = db_prep(db, changed_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":docs", docs, d)) != 0)
        return rc;
    RETURN_WALK(db, st, row, read_change, each, arg, d);
}

/* ---- The shared log ----------------------------------------------------------------------- */

/* One side of a conflict, from column I on: status, office, replica, actor, position,
 * effective. */
static void
read_side(sqlite3_stmt *st, int i, struct view_side *s)
{
    s->status = text(st, i);
    s->office = text(st, i + 1);
    s->replica = text(st, i + 2);
    s->actor = text(st, i + 3);
    s->position = sqlite3_column_int64(st, i + 4);
    s->eff = text(st, i + 5);
}

static void
read_conflict(sqlite3_stmt *st, struct view_conflict *r)
{
    r->key = text(st, 0);
    read_side(st, 1, &r->first);
    read_side(st, 7, &r->second);
}

int
view_conflicts(struct db *db, int (*each)(void *arg, const struct view_conflict *row), void *arg,
               struct diag *d)
{
    static const char sql[] = SYNC_CONFLICTS_SQL " ORDER BY second_pos, first_pos";
    struct view_conflict row;
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    RETURN_WALK(db, st, row, read_conflict, each, arg, d);
}

static void
read_held(sqlite3_stmt *st, struct view_held *r)
{
    r->pos = sqlite3_column_int64(st, 0);
    r->reason = text(st, 1);
    r->type = text(st, 2);
    r->actor = text(st, 3);
    r->replica = text(st, 4);
}

int
view_quarantine(struct db *db, int (*each)(void *arg, const struct view_held *row), void *arg,
                struct diag *d)
{
    struct view_held row;
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, SYNC_QUARANTINE_SQL, &st, d)) != 0)
        return rc;
    RETURN_WALK(db, st, row, read_held, each, arg, d);
}

int
view_hash_at(struct db *db, int shared, long long n, char hex[2 * EV_HASH_LEN + 1], struct diag *d)
{
    static const char local_sql[] = "SELECT hash FROM event WHERE seq = :n";
    unsigned char h[EV_HASH_LEN];
    sqlite3_stmt *st;
    int rc, found;

    hex[0] = '\0';
    if (shared) {
        if ((rc = db_shared_hash(db, n, h, &found, d)) == 0 && found)
            ev_hex(h, hex);
        return rc;
    }
    if ((rc = db_prep(db, local_sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":n", n, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    hex[0] = '\0';
    if (rc == 1 && sqlite3_column_bytes(st, 0) == EV_HASH_LEN)
        ev_hex(sqlite3_column_blob(st, 0), hex);
    sqlite3_reset(st);
    return 0;
}

int
view_cost_units(struct db *db, long long seq, long long *minor, struct diag *d)
{
    static const char sql[] = "SELECT CAST(new_value AS INTEGER) FROM event WHERE seq = :seq";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":seq", seq, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        *minor = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == 1 ? 0 : rc < 0 ? d->code : diag_set(d, DK_STORE, "lost the cost");
}

int
view_keys(struct db *db, int (*each)(void *arg, const char *doc, const char *key), void *arg,
          struct diag *d)
{
    static const char sql[] = "SELECT doc, key FROM items ORDER BY key, doc";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *key = (const char *)sqlite3_column_text(st, 1);

        if (key && (rc = each(arg, (const char *)sqlite3_column_text(st, 0), key)) != 0)
            break;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

int
view_key_statuses(struct db *db, const char *doc, const char *key,
                  int (*each)(void *arg, const char *status), void *arg, struct diag *d)
{
    static const char sql[] = "SELECT DISTINCT v.status FROM items i JOIN vocab v "
                              "ON v.doc IS i.doc AND v.kind = i.kind "
                              "WHERE i.key = :key AND (:doc IS NULL OR i.doc = :doc) "
                              "ORDER BY v.ord, v.status";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0 ||
        (rc = db_bind_text(db, st, ":doc", doc, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *status = (const char *)sqlite3_column_text(st, 0);

        if (status && (rc = each(arg, status)) != 0)
            break;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}
