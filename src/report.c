/* report.c: reports as SQL: running a definition's sections, sandboxed, into a renderer; and
 * recording a report's publication. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docket/currency.h"
#include "docket/date.h"
#include "docket/event.h"
#include "docket/progress.h"
#include "docket/report.h"
#include "docket/state.h"
#include "docket/sync.h"
#include "docket/text.h"
#include "docket/view.h"

/* The relations every section may use beyond the state tables: what happened, limited to
 * what is visible as of the report's date and known time. */
#define VISIBLE_E                                                                                  \
    "e.eff_day <= (SELECT asof FROM params) AND e.recorded <= (SELECT known FROM params) AND "     \
    "e.seq NOT IN (SELECT seq FROM temp.report_reverted)"

static const char *const environment[] = {
    "DROP TABLE IF EXISTS temp.params",
    "CREATE TEMP TABLE params (asof TEXT NOT NULL, known TEXT NOT NULL, since TEXT NOT NULL)",
    "CREATE TEMP VIEW IF NOT EXISTS status_events AS SELECT e.seq, e.item, i.key, e.old_value "
    "AS old, e.new_value AS status, e.eff, e.eff_end, "
    "e.eff_day, e.recorded, e.actor, e.reason, e.batch, "
    "json_extract(e.attrs, '$.baseline') IS NOT NULL AS baseline "
    "FROM event e JOIN items i ON i.uuid = e.item WHERE e.type = 'status' AND " VISIBLE_E,
    "CREATE TEMP VIEW IF NOT EXISTS evidence AS SELECT e.seq, e.item, i.key, e.new_value AS "
    "ref, json_extract(e.attrs, '$.type') AS type, json_extract(e.attrs, '$.sha256') AS sha256, "
    "e.eff, e.recorded, e.actor, e.reason, e.batch FROM event e INDEXED BY event_evidence "
    "JOIN items i ON i.uuid = e.item WHERE e.type = 'evidence' AND " VISIBLE_E,
    /* The costs of the items in view, from those of every item (prepare_environment). */
    "CREATE TEMP VIEW IF NOT EXISTS costs AS SELECT seq, item, key, currency, minor_units, basis, "
    "eff, recorded, actor, reason, superseded_by FROM temp.report_costs WHERE item IN (SELECT uuid "
    "FROM items)",
    "CREATE TEMP VIEW IF NOT EXISTS requests AS " VIEW_REQUESTS("(SELECT asof FROM params)"),
    /* The conflicts of the items in view, from those of the whole store (prepare_environment),
     * so that a portfolio's parts do not each read the shared log again. */
    "CREATE TEMP VIEW IF NOT EXISTS conflicts AS SELECT key, first_status, first_office, "
    "first_replica, first_actor, first_pos, first_eff, second_status, second_office, "
    "second_replica, second_actor, second_pos, second_eff, item FROM temp.report_conflicts "
    "WHERE item IN (SELECT uuid FROM items)",
    /* What the instances of an item are called ("country team", "country teams"), as the
     * latest definition of its document by then gives it. */
    "CREATE TEMP VIEW IF NOT EXISTS nouns AS SELECT e.subject AS doc, n.key, "
    "json_extract(n.value, '$.one') AS one, json_extract(n.value, '$.other') AS other "
    "FROM event e INDEXED BY event_defs, json_each(json_extract(e.attrs, '$.nouns')) n "
    "WHERE e.type = 'document' AND e.item IS NULL AND e.seq = (SELECT max(f.seq) FROM event f "
    "INDEXED BY event_defs WHERE f.type = 'document' AND f.item IS NULL AND f.subject = "
    "e.subject AND f.recorded <= (SELECT known FROM params))",
    "CREATE TEMP VIEW IF NOT EXISTS quarantined AS " SYNC_QUARANTINE_SQL,
    "CREATE TEMP VIEW IF NOT EXISTS publications AS SELECT e.seq, e.subject AS report, "
    "e.new_value AS head, json_extract(e.attrs, '$.as_of') AS asof, e.recorded, e.actor FROM "
    "event e INDEXED BY event_publications WHERE e.type = 'publication' AND e.recorded <= "
    "(SELECT known FROM params)",
};

static char *
dup_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? strdup((const char *)s) : NULL;
}

static void
doc_clear(struct report_doc *doc)
{
    free(doc->symbol);
    free(doc->title);
    free(doc->adopted);
    free(doc->alias);
}

static void
docs_free(struct report_doc *docs, int n)
{
    for (int i = 0; i < n; i++)
        doc_clear(&docs[i]);
    free(docs);
}

static void
meta_free(struct report_meta *m)
{
    docs_free(m->docs, m->ndocs);
}

/* Fills in the documents and the trail's head, and refuses an as-of date before every
 * document. */
static int
load_meta(struct db *db, const char *asof, struct report_meta *m, struct diag *d)
{
    static const char docs_sql[] = "SELECT symbol, title, adopted FROM documents ORDER BY symbol";
    static const char head_sql[] = "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1";
    /* Positions run 1, 2, 3 ... without gaps, one per event: the last is the count. */
    static const char shared_sql[] = "SELECT pos, hash FROM shared ORDER BY pos DESC LIMIT 1";
    sqlite3_stmt *st;
    const char *first = NULL;
    int rc;

    if ((rc = db_prep(db, docs_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        struct report_doc *docs = realloc(m->docs, (size_t)(m->ndocs + 1) * sizeof *docs);

        if (docs == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        m->docs = docs;
        docs[m->ndocs].symbol = dup_text(st, 0);
        docs[m->ndocs].title = dup_text(st, 1);
        docs[m->ndocs].adopted = dup_text(st, 2);
        docs[m->ndocs].alias = NULL;
        if (docs[m->ndocs].adopted && (first == NULL || strcmp(docs[m->ndocs].adopted, first) < 0))
            first = docs[m->ndocs].adopted;
        m->ndocs++;
    }
    if (rc < 0)
        return d->code;
    if (first != NULL && asof != NULL) {
        struct date adopted;

        if (date_parse(first, &adopted, d) != 0)
            return d->code;
        if (strcmp(asof, adopted.start) < 0)
            return diag_set(d, DK_DATA, "%s is before any document was adopted (the first, %s)",
                            asof, first);
    }
    if ((rc = db_prep(db, head_sql, &st, d)) != 0)
        return rc;
    memset(m->head, '0', 64);
    m->head[64] = '\0';
    if ((rc = db_row(db, st, d)) == 1) {
        m->events = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            ev_hex(sqlite3_column_blob(st, 1), m->head);
    }
    sqlite3_reset(st);
    if (rc < 0 || (rc = db_prep(db, shared_sql, &st, d)) != 0)
        return d->code;
    memset(m->shared_head, '0', 64);
    m->shared_head[64] = '\0';
    if ((rc = db_row(db, st, d)) == 1) {
        m->shared = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            ev_hex(sqlite3_column_blob(st, 1), m->shared_head);
        m->unpublished = m->events - m->shared;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* The state tables that hold a doc column: a report over one document of several sees only
 * that document's rows of them (its kinds and their statuses too). */
static const char *const narrowed[] = {"items", "paragraphs", "kinds", "vocab"};

/* What a report's sections use that costs a pass over the trail, built only when they use it. */
struct uses {
    int since;     /* items_since: the state as of --since */
    int months;    /* progress_by_month */
    int conflicts; /* the conflicts, read from the shared log */
    int costs;     /* the cost estimates, each with the one that replaces it */
    /* A report of one document of several: progress_by_month once its items are narrowed, over
     * them alone, rather than over every document's. */
    int months_late;
};

/* The relations R's sections (those O asks for) use. */
static struct uses
uses_of(const struct report_def *r, const struct report_opts *o)
{
    struct uses u = {0};

    for (int i = 0; i < r->nsections; i++) {
        if (o->section && strcmp(o->section, r->sections[i].name) != 0)
            continue;
        u.since |= strstr(r->sections[i].sql, "items_since") != NULL;
        u.months |= strstr(r->sections[i].sql, "progress_by_month") != NULL;
        u.conflicts |= strstr(r->sections[i].sql, "conflicts") != NULL;
        u.costs |= strstr(r->sections[i].sql, "costs") != NULL;
    }
    return u;
}

/* Runs SQL (a format with one %s) for each of the narrowed tables, and items_since and
 * progress_by_month when U uses them. */
static int
each_narrowed(struct db *db, const struct uses *u, const char *sql, struct diag *d)
{
    const size_t n = sizeof narrowed / sizeof narrowed[0];
    char buf[256];
    int rc;

    for (size_t i = 0; i < n + 2; i++) {
        const char *t = i < n ? narrowed[i] : i == n ? "items_since" : "progress_by_month";

        if ((i == n && !u->since) || (i == n + 1 && (!u->months || u->months_late)))
            continue;
        snprintf(buf, sizeof buf, sql, t, t, t);
        if ((rc = db_exec(db, buf, d)) != 0)
            return rc;
    }
    return 0;
}

/* Builds what every part of the report shares, once: items_since (when a section uses it), the
 * as-of state, the views and params; for a PORTFOLIO, each narrowed table's rows of every
 * document (temp.all_NAME) and an empty table of its name for the parts to fill (narrow), so
 * that a part changes rows, never the schema, and nothing it uses is prepared again or built
 * twice. */
static int
prepare_environment(struct db *db, const struct report_opts *o, const struct uses *u, int portfolio,
                    struct diag *d)
{
    static const char params_sql[] =
        "INSERT INTO temp.params (asof, known, since) VALUES (:asof, :known, :since)";
#define COSTS_SQL                                                                                  \
    "CREATE TEMP TABLE report_costs AS SELECT e.seq, e.item, i.key, json_extract(e.attrs, "        \
    "'$.currency') AS currency, CAST(e.new_value AS INTEGER) AS minor_units, " STATE_COST_BASIS_E  \
    " AS basis, e.eff, e.recorded, e.actor, e.reason, " STATE_COST_SUPERSEDED_BY_E                 \
    " AS superseded_by FROM event e INDEXED BY event_costs JOIN items i ON i.uuid = e.item WHERE " \
    "e.type = 'cost' AND e.eff_day <= :asof AND e.recorded <= :known AND e.seq NOT IN (SELECT "    \
    "seq FROM temp.report_reverted)"
    static const char costs_sql[] = COSTS_SQL, costs_none_sql[] = COSTS_SQL " LIMIT 0";
    static const char reverted_sql[] =
        "INSERT OR IGNORE INTO temp.report_reverted (seq) " STATE_REVERTED_SEQ(
            ":known") " UNION " STATE_REVERTED_EVIDENCE(":known");
#undef COSTS_SQL
    const char *known = o->known ? o->known : "9999-12-31T23:59:59.999Z";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_exec(db, "DROP TABLE IF EXISTS temp.items_since", d)) != 0)
        return rc;
    if (u->since &&
        ((rc = state_asof(db, o->asof, o->since, d)) != 0 ||
         (rc = db_exec(db, "CREATE TEMP TABLE items_since AS SELECT * FROM temp.items", d)) != 0 ||
         (rc = state_asof_end(db, d)) != 0))
        return rc;
    if ((o->asof || o->known) && (rc = state_asof(db, o->asof, o->known, d)) != 0)
        return rc;
    /* Before the parts narrow items: the conflicts of every item, or none when unused. */
    if ((rc = db_exec(db, "DROP TABLE IF EXISTS temp.report_conflicts", d)) != 0 ||
        (rc = db_exec(db,
                      u->conflicts ? "CREATE TEMP TABLE report_conflicts AS " SYNC_CONFLICTS_SQL
                                   : "CREATE TEMP TABLE report_conflicts AS " SYNC_CONFLICTS_SQL
                                     " LIMIT 0",
                      d)) != 0)
        return rc;
    /* The events that reverts recorded by then cancel, and the evidence that went with a
     * cancelled status or note: found once for every view that leaves them out. */
    if ((rc = db_exec(db,
                      "DROP TABLE IF EXISTS temp.report_reverted; CREATE TEMP TABLE "
                      "report_reverted (seq INTEGER PRIMARY KEY)",
                      d)) != 0 ||
        (rc = db_prep(db, reverted_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known, d)) != 0 || (rc = db_run(db, st, d)) != 0)
        return rc;
    /* The cost estimates visible then, of every item, each with the one that replaces it: read
     * once, as the window over them is, however many sections and parts use them. */
    if ((rc = db_exec(db, "DROP TABLE IF EXISTS temp.report_costs", d)) != 0 ||
        (rc = db_prep(db, u->costs ? costs_sql : costs_none_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":asof", o->asof ? o->asof : o->today, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known, d)) != 0 || (rc = db_run(db, st, d)) != 0)
        return rc;
    /* Over every document at once, for the parts to narrow. */
    if (u->months && !u->months_late &&
        (rc = progress_by_month(db, o->asof ? o->asof : o->today, o->known, d)) != 0)
        return rc;
    /* NAME is the as-of table when there is one, else the store's. Each part takes its
     * document's rows by the index. */
    if (portfolio &&
        ((rc = each_narrowed(db, u,
                             "DROP TABLE IF EXISTS temp.all_%s; CREATE TEMP TABLE all_%s AS "
                             "SELECT * FROM %s",
                             d)) != 0 ||
         (rc = each_narrowed(db, u, "CREATE INDEX temp.all_%s_doc ON all_%s (doc)%.0s", d)) != 0))
        return rc;
    for (size_t i = 0; portfolio && i < sizeof narrowed / sizeof narrowed[0]; i++) {
        char sql[160];

        snprintf(sql, sizeof sql,
                 o->asof || o->known ? "DELETE FROM temp.%s"
                                     : "CREATE TEMP TABLE %s AS SELECT * FROM main.%s LIMIT 0",
                 narrowed[i], narrowed[i]);
        if ((rc = db_exec(db, sql, d)) != 0)
            return rc;
    }
    /* A part's sections look its items up by uuid (the evidence, the conflicts). */
    if (portfolio &&
        (rc = db_exec(db, "CREATE INDEX IF NOT EXISTS temp.report_items ON items (uuid)", d)) != 0)
        return rc;
    if (portfolio && ((u->since && (rc = db_exec(db, "DELETE FROM temp.items_since", d)) != 0) ||
                      (u->months && !u->months_late &&
                       (rc = db_exec(db, "DELETE FROM temp.progress_by_month", d)) != 0) ||
                      (rc = db_exec(db,
                                    "DROP TABLE IF EXISTS temp.report_doc; CREATE TEMP TABLE "
                                    "report_doc (symbol TEXT NOT NULL)",
                                    d)) != 0))
        return rc;
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++)
        if ((rc = db_exec(db, environment[i], d)) != 0)
            return rc;
    if ((rc = db_prep(db, params_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":asof", o->asof ? o->asof : o->today, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known, d)) != 0 ||
        (rc = db_bind_text(db, st, ":since", o->since, d)) != 0)
        return rc;
    return db_run(db, st, d);
}

/* Fills the narrowed tables (and items_since and progress_by_month) with document DOC's rows
 * of every document's (prepare_environment): a part of a portfolio; or, for a report of one
 * document, computes progress_by_month over its items. */
static int
narrow(struct db *db, const struct report_opts *o, const struct uses *u, const char *doc,
       struct diag *d)
{
    static const char doc_sql[] = "INSERT INTO temp.report_doc (symbol) VALUES (:doc)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_exec(db, "DELETE FROM temp.report_doc", d)) != 0 ||
        (rc = db_prep(db, doc_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":doc", doc, d)) != 0 || (rc = db_run(db, st, d)) != 0)
        return rc;
    if ((rc = each_narrowed(db, u,
                            "DELETE FROM temp.%s; INSERT INTO temp.%s SELECT * FROM temp.all_%s "
                            "WHERE doc = (SELECT symbol FROM temp.report_doc)",
                            d)) != 0 ||
        !u->months_late)
        return rc;
    return progress_by_month(db, o->asof ? o->asof : o->today, o->known, d);
}

/* ---- What people read and what machines read ------------------------------------------------
 * A section names a value once and the format gives it its form: for people (md, html) in the
 * report's language, labelled and written as that language writes dates and amounts; for
 * machines (csv, json) as the store keeps it. Each function's data is the language, NULL for
 * machines. */

/* Returns the text of argument I, or NULL. */
static const char *
arg_text(sqlite3_value **argv, int i)
{
    return (const char *)sqlite3_value_text(argv[i]);
}

/* What tr() and label() translate with: docket's catalogue, then the translations the
 * checklists give (their documents' "translations" in the report's language, by the text they
 * translate). */
struct words {
    const struct l10n *l; /* NULL: machines read */
    json_t *checklist;    /* English text -> text; NULL: none */
};

/* Returns TEXT (in context CTX) in W's language, or TEXT. */
static const char *
word(const struct words *w, const char *ctx, const char *text)
{
    const char *t = l10n_ctext(w->l, ctx, text);
    json_t *v;

    if (t == text && w->checklist && json_is_string(v = json_object_get(w->checklist, text)))
        t = json_string_value(v);
    return t;
}

/* Loads into W the translations that the documents' latest definitions give in W's language,
 * as recorded by KNOWN. */
static int
load_checklist_words(struct db *db, const char *known, struct words *w, struct diag *d)
{
    static const char sql[] =
        "SELECT json_extract(e.attrs, '$.translations') FROM event e INDEXED BY event_defs WHERE "
        "e.type = 'document' AND e.item IS NULL AND e.recorded <= :known AND e.seq = (SELECT "
        "max(f.seq) FROM event f INDEXED BY event_defs WHERE f.type = 'document' AND f.item IS "
        "NULL AND f.subject = e.subject AND f.recorded <= :known) ORDER BY e.subject";
    sqlite3_stmt *st;
    int rc;

    if (w->l == NULL || strcmp(l10n_lang(w->l), "en") == 0)
        return 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known ? known : "9999-12-31T23:59:59.999Z", d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        json_t *all = text ? json_loads(text, 0, NULL) : NULL;
        json_t *mine = json_object_get(all, l10n_lang(w->l));
        int oom = json_is_object(mine) &&
                  ((w->checklist == NULL && (w->checklist = json_object()) == NULL) ||
                   json_object_update(w->checklist, mine) != 0);

        json_decref(all);
        if (oom) {
            sqlite3_reset(st);
            return diag_set(d, DK_STORE, "out of memory");
        }
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* Gives the N documents DOCS their titles in W's language, where their checklists translate
 * them. */
static int
translate_titles(const struct words *w, struct report_doc *docs, int n, struct diag *d)
{
    for (int i = 0; w->l != NULL && i < n; i++) {
        const char *t = docs[i].title ? word(w, NULL, docs[i].title) : NULL;
        char *copy;

        if (t == NULL || t == docs[i].title)
            continue;
        if ((copy = strdup(t)) == NULL)
            return diag_set(d, DK_STORE, "out of memory");
        free(docs[i].title);
        docs[i].title = copy;
    }
    return 0;
}

/* The language of function call CX's report: NULL for machines. */
static const struct l10n *
cx_l10n(sqlite3_context *cx)
{
    const struct words *w = sqlite3_user_data(cx);

    return w ? w->l : NULL;
}

/* tr(TEXT) or tr(CTX, TEXT): TEXT (a message of po/docket.pot, or a checklist's text that the
 * checklist translates) in the report's language. */
static void
sql_tr(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct words *w = sqlite3_user_data(cx);
    const char *ctx = argc == 2 ? arg_text(argv, 0) : NULL, *text = arg_text(argv, argc - 1);

    if (text == NULL)
        sqlite3_result_null(cx);
    else
        sqlite3_result_text(cx, w ? word(w, ctx, text) : text, -1, SQLITE_TRANSIENT);
}

/* label(CTX, LABEL, KEY): for people LABEL (the checklist's, translated in context CTX when the
 * catalogue or the checklist has it; KEY when LABEL is NULL), for machines KEY. */
static void
sql_label(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct words *w = sqlite3_user_data(cx);
    const char *label = arg_text(argv, 1);

    (void)argc;
    if (w && label)
        sqlite3_result_text(cx, word(w, arg_text(argv, 0), label), -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_value(cx, argv[2]);
}

/* noun(ONE, OTHER, N): what N things are called, ONE or OTHER as N asks in the report's
 * language (the checklist's or the catalogue's translation, in context "noun"); for machines
 * as English asks. */
static void
sql_noun(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct words *w = sqlite3_user_data(cx);
    const char *text =
        arg_text(argv, l10n_is_plural(w ? w->l : NULL, sqlite3_value_int64(argv[2])));

    (void)argc;
    if (text == NULL)
        sqlite3_result_null(cx);
    else
        sqlite3_result_text(cx, w ? word(w, "noun", text) : text, -1, SQLITE_TRANSIENT);
}

/* amount(MINOR, CURRENCY): MINOR minor units of CURRENCY, for people as their language writes
 * it ("CHF 250,000.00", "250 000,00 CHF"), for machines as money() does ("250000.00"). */
static void
sql_amount(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct l10n *l = cx_l10n(cx);
    const char *currency = arg_text(argv, 1);
    long long minor = sqlite3_value_int64(argv[0]);
    char buf[L10N_BUF];

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || currency == NULL) {
        sqlite3_result_null(cx);
        return;
    }
    /* A code that is not ISO 4217's (an older store's) is written as money() writes it. */
    if (l == NULL || l10n_amount(l, minor, currency, buf) != 0)
        currency_format(buf, sizeof buf, minor, currency);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/* day(DATE): for people a date as their language writes it ("24 November 2015"; a month
 * "November 2015"; a year as it is), for machines DATE. Any other text passes unchanged. */
static void
sql_day(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct l10n *l = cx_l10n(cx);
    const char *s = arg_text(argv, 0);
    char buf[L10N_BUF];

    (void)argc;
    if (l && s && l10n_day(l, s, buf) == 0)
        sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_value(cx, argv[0]);
}

/* say(MSGID, PLURAL, N, ARG...): the sentence MSGID, or PLURAL as count N asks in the report's
 * language, translated (a message of po/docket.pot), its placeholders filled in order from the
 * ARGs: %d an integer (grouped for people), %s a text, %% a per cent sign. A placeholder past
 * the last ARG is left out. The template is ours or a report's, never printf's. */
static void
sql_say(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct l10n *l = cx_l10n(cx);
    const char *one, *many, *t;
    sqlite3_str *out;
    char buf[L10N_BUF], *res;
    int next = 3, len;
    long long n;

    if (argc < 3) {
        sqlite3_result_error(cx, "say() takes MSGID, PLURAL, N and the sentence's values", -1);
        return;
    }
    one = arg_text(argv, 0);
    many = arg_text(argv, 1);
    n = sqlite3_value_int64(argv[2]);
    if (one == NULL || many == NULL) {
        sqlite3_result_null(cx);
        return;
    }
    t = l ? l10n_plural(l, one, many, n) : n == 1 ? one : many;
    out = sqlite3_str_new(sqlite3_context_db_handle(cx));
    for (const char *p = t; *p; p++) {
        if (*p != '%' || (p[1] != 'd' && p[1] != 's' && p[1] != '%')) {
            sqlite3_str_appendchar(out, 1, *p);
            continue;
        }
        p++;
        if (*p == '%') {
            sqlite3_str_appendchar(out, 1, '%');
        } else if (next < argc && *p == 'd') {
            long long v = sqlite3_value_int64(argv[next++]);

            if (l && l10n_number(l, (double)v, 0, buf) == 0)
                sqlite3_str_appendall(out, buf);
            else
                sqlite3_str_appendf(out, "%lld", v);
        } else if (next < argc) {
            if (arg_text(argv, next) != NULL)
                sqlite3_str_appendall(out, arg_text(argv, next));
            next++;
        }
    }
    len = sqlite3_str_length(out);
    if ((res = sqlite3_str_finish(out)) != NULL)
        sqlite3_result_text(cx, res, -1, sqlite3_free);
    else if (len == 0)
        sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
    else
        sqlite3_result_error_nomem(cx);
}

/* percent(V, DECIMALS): V per cent, for people as their language writes it ("21.7%",
 * "21,7 %"), for machines as "21.7%". */
static void
sql_percent(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct l10n *l = cx_l10n(cx);
    int decimals = sqlite3_value_int(argv[1]);
    double v = sqlite3_value_double(argv[0]);
    char buf[L10N_BUF];

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || decimals < 0 || decimals > 6) {
        sqlite3_result_null(cx);
        return;
    }
    if (l == NULL || l10n_percent(l, v, decimals, buf) != 0)
        snprintf(buf, sizeof buf, "%.*f%%", decimals, v);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/* Registers tr, label, amount, day, say, percent and noun on DB for W's language (W NULL, or its
 * language NULL: machines). */
static int
register_words(struct db *db, const struct words *w, struct diag *d)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"tr", 1, sql_tr},           {"tr", 2, sql_tr},    {"label", 3, sql_label},
               {"amount", 2, sql_amount},   {"day", 1, sql_day},  {"say", -1, sql_say},
               {"percent", 2, sql_percent}, {"noun", 3, sql_noun}};

    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (sqlite3_create_function_v2(
                db_handle(db), fns[i].name, fns[i].nargs, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                (void *)(w && w->l ? w : NULL), fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
            return diag_set(d, DK_STORE, "cannot register %s(): out of memory", fns[i].name);
    return 0;
}

/* ---- The sandbox around a report's own SQL --------------------------------------------------
 * A report may come from any folder (--reports), so its sections are prepared under an
 * authorizer that allows only reads and the functions a report needs, run under tighter
 * SQLITE_LIMIT_* bounds, and stopped past a time. docket's own statements on the connection
 * (the environment before, the publication after) run outside it. */

/* The functions a section may call: SQLite's core scalar, aggregate, date, JSON, math and
 * window functions, and docket's own (db.c). Everything else is refused: what reveals memory
 * or the file system or reaches beyond the query (fts3_tokenizer, load_extension, readfile,
 * writefile, sqlite_offset, the full-text and R-tree helpers), and what differs from run to run
 * or describes the connection rather than the store (random, randomblob, changes,
 * last_insert_rowid, sqlite_version). */
static const char *const sandbox_functions[] = {
    "->",
    "->>",
    "abs",
    "acos",
    "acosh",
    "add_months",
    "amount",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "avg",
    "ceil",
    "ceiling",
    "char",
    "coalesce",
    "concat",
    "concat_ws",
    "cos",
    "cosh",
    "count",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "date",
    "datetime",
    "day",
    "degrees",
    "dense_rank",
    "exp",
    "first_value",
    "floor",
    "format",
    "glob",
    "group_concat",
    "hex",
    "ifnull",
    "iif",
    "instr",
    "json",
    "json_array",
    "json_array_length",
    "json_extract",
    "json_group_array",
    "json_group_object",
    "json_insert",
    "json_object",
    "json_patch",
    "json_quote",
    "json_remove",
    "json_replace",
    "json_set",
    "json_type",
    "json_valid",
    "julianday",
    "label",
    "lag",
    "last_value",
    "lead",
    "length",
    "like",
    "likelihood",
    "likely",
    "ln",
    "log",
    "log10",
    "log2",
    "lower",
    "ltrim",
    "max",
    "min",
    "mod",
    "money",
    "noun",
    "nth_value",
    "ntile",
    "nullif",
    "octet_length",
    "percent",
    "percent_rank",
    "period_end",
    "pi",
    "pow",
    "power",
    "printf",
    "quote",
    "radians",
    "rank",
    "replace",
    "round",
    "row_number",
    "rtrim",
    "say",
    "sign",
    "sin",
    "sinh",
    "soundex",
    "sqrt",
    "strftime",
    "string_agg",
    "substr",
    "substring",
    "sum",
    "tan",
    "tanh",
    "time",
    "timediff",
    "total",
    "tr",
    "trim",
    "trunc",
    "typeof",
    "unhex",
    "unicode",
    "unixepoch",
    "unlikely",
    "upper",
};

/* What a section may read besides the tables and views of the store and of temp: the schema,
 * and the table-valued functions that read only their arguments. (pragma_*, dbstat and
 * sqlite_stmt are left out: they describe the file and the connection.) */
static const char *const sandbox_tables[] = {
    "json_each",     "json_tree",          "sqlite_master",
    "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema",
};

/* The connection's bounds while a report's sections are prepared and run: far above what a
 * report needs, far below what would let one exhaust the machine. A value (a cell, a
 * group_concat) is at most 32 MiB, a section's text 1 MiB. */
static const struct {
    int id, value;
} sandbox_bounds[] = {
    {SQLITE_LIMIT_LENGTH, 32 << 20},    {SQLITE_LIMIT_SQL_LENGTH, 1 << 20},
    {SQLITE_LIMIT_EXPR_DEPTH, 100},     {SQLITE_LIMIT_COMPOUND_SELECT, 50},
    {SQLITE_LIMIT_VDBE_OP, 100000},     {SQLITE_LIMIT_FUNCTION_ARG, 64},
    {SQLITE_LIMIT_ATTACHED, 0},         {SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000},
    {SQLITE_LIMIT_VARIABLE_NUMBER, 16}, {SQLITE_LIMIT_TRIGGER_DEPTH, 0},
    {SQLITE_LIMIT_WORKER_THREADS, 0},
};

enum {
    NBOUNDS = sizeof sandbox_bounds / sizeof sandbox_bounds[0],
    /* VM instructions between two looks at the clock: about 10 microseconds of work, so the
     * look costs well under 1% and a report stops within a millisecond of its time. */
    SANDBOX_TICK = 1000,
};

struct sandbox {
    sqlite3 *h;
    char **names; /* the tables and views of the store and of temp, when the sandbox opened */
    int nnames;
    char **modules; /* the virtual table modules: their table-valued functions */
    int nmodules;
    int action;    /* what the authorizer refused first (0: nothing) */
    char what[64]; /* and its subject: a function, table or pragma name */
    int saved[NBOUNDS];
    int bounded;          /* saved[] holds the connection's own bounds */
    long timeout_ms;      /* how long the sections may run in all */
    struct timespec stop; /* CLOCK_MONOTONIC: when they must stop */
    int expired;          /* the progress handler stopped a section */
};

static int
listed(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (sqlite3_stricmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int
sandbox_auth(void *arg, int action, const char *a, const char *b, const char *dbname,
             const char *inner)
{
    struct sandbox *sb = arg;
    const char *what = a;

    (void)dbname;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        if (listed(sandbox_functions, sizeof sandbox_functions / sizeof sandbox_functions[0], b))
            return SQLITE_OK;
        what = b;
        break;
    case SQLITE_READ:
        if (listed((const char *const *)sb->names, (size_t)sb->nnames, a) ||
            listed(sandbox_tables, sizeof sandbox_tables / sizeof sandbox_tables[0], a))
            return SQLITE_OK;
        /* A read of no column (count(*)) is asked about whatever the FROM names, a common
         * table expression too; a table-valued function other than those above is refused,
         * as its arguments (pragma_journal_mode('delete')) are not asked about. */
        if (a != NULL && b != NULL && *b == '\0' && sqlite3_strnicmp(a, "pragma_", 7) != 0 &&
            !listed((const char *const *)sb->modules, (size_t)sb->nmodules, a))
            return SQLITE_OK;
        break;
    case SQLITE_UPDATE:
        /* SQLite declares the columns of a table-valued function (json_each) through its own
         * parser, which asks about sqlite_master's columns as an UPDATE would; nothing is
         * written, and ignoring the question lets the declaration through. A section's own
         * UPDATE of sqlite_master cannot be prepared at all (SQLite refuses it), and one that
         * could write is refused after preparation. */
        if (inner == NULL && a != NULL &&
            (sqlite3_stricmp(a, "sqlite_master") == 0 ||
             sqlite3_stricmp(a, "sqlite_temp_master") == 0))
            return SQLITE_IGNORE;
        break;
    default:
        break;
    }
    if (sb->action == 0) {
        sb->action = action;
        snprintf(sb->what, sizeof sb->what, "%s", what ? what : "");
    }
    return SQLITE_DENY;
}

static int
sandbox_tick(void *arg)
{
    struct sandbox *sb = arg;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > sb->stop.tv_sec ||
        (now.tv_sec == sb->stop.tv_sec && now.tv_nsec >= sb->stop.tv_nsec))
        sb->expired = 1;
    return sb->expired;
}

/* Appends the text of column 0 of each row of ST to *LIST. Returns SQLITE_DONE, SQLITE_NOMEM or
 * the error that stopped ST. */
static int
note_names(sqlite3_stmt *st, char ***list, int *n)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **names = realloc(*list, (size_t)(*n + 1) * sizeof *names);

        if (names == NULL)
            return SQLITE_NOMEM;
        *list = names;
        if ((names[*n] = dup_text(st, 0)) == NULL)
            return SQLITE_NOMEM;
        ++*n;
    }
    return rc;
}

/* Notes what a section may read and which modules it may not. */
static int
sandbox_open(struct db *db, struct sandbox *sb, long timeout_ms, struct diag *d)
{
    static const char names_sql[] =
        "SELECT name FROM main.sqlite_master WHERE type IN ('table', 'view') AND "
        "coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' UNION SELECT name FROM temp.sqlite_master "
        "WHERE type IN ('table', 'view') AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'";
    sqlite3_stmt *st;
    int rc;

    memset(sb, 0, sizeof *sb);
    sb->h = db_handle(db);
    sb->timeout_ms = timeout_ms > 0 ? timeout_ms : REPORT_TIMEOUT_MS;
    if ((rc = db_prep(db, names_sql, &st, d)) != 0)
        return rc;
    rc = note_names(st, &sb->names, &sb->nnames);
    sqlite3_reset(st);
    if (rc == SQLITE_NOMEM)
        return diag_set(d, DK_STORE, "out of memory");
    if (rc != SQLITE_DONE)
        return db_fail(db, "cannot read the store's tables", d);
    /* A build of SQLite without the introspection pragmas lists no module: pragma_* tables
     * are still refused by their name. */
    if (sqlite3_prepare_v2(sb->h, "SELECT name FROM pragma_module_list", -1, &st, NULL) ==
        SQLITE_OK) {
        rc = note_names(st, &sb->modules, &sb->nmodules);
        sqlite3_finalize(st);
        if (rc == SQLITE_NOMEM)
            return diag_set(d, DK_STORE, "out of memory");
    }
    return 0;
}

/* Bounds the connection while sections are prepared or run; sandbox_unbound gives docket's own
 * statements (a part's narrowing) the connection's own bounds back. */
static void
sandbox_bound(struct sandbox *sb)
{
    for (int i = 0; !sb->bounded && i < NBOUNDS; i++)
        sb->saved[i] = sqlite3_limit(sb->h, sandbox_bounds[i].id, sandbox_bounds[i].value);
    sb->bounded = 1;
}

static void
sandbox_unbound(struct sandbox *sb)
{
    for (int i = 0; sb->bounded && i < NBOUNDS; i++)
        sqlite3_limit(sb->h, sandbox_bounds[i].id, sb->saved[i]);
    sb->bounded = 0;
}

/* Starts the clock of the sections' run: past SB's time, the running section is stopped. The
 * time runs from the first start: *STOP (zero before it) keeps it for the parts that follow. */
static void
sandbox_start(struct sandbox *sb, struct timespec *stop)
{
    if (stop->tv_sec == 0 && stop->tv_nsec == 0) {
        clock_gettime(CLOCK_MONOTONIC, stop);
        stop->tv_sec += sb->timeout_ms / 1000;
        stop->tv_nsec += (sb->timeout_ms % 1000) * 1000000L;
        if (stop->tv_nsec >= 1000000000L) {
            stop->tv_sec++;
            stop->tv_nsec -= 1000000000L;
        }
    }
    sb->stop = *stop;
    sandbox_bound(sb);
    sqlite3_progress_handler(sb->h, SANDBOX_TICK, sandbox_tick, sb);
}

/* Stops the clock and lifts the bounds until the next part's start. */
static void
sandbox_pause(struct sandbox *sb)
{
    sqlite3_progress_handler(sb->h, 0, NULL, NULL);
    sandbox_unbound(sb);
}

/* Gives the connection back to docket's own statements as it was. */
static void
sandbox_close(struct sandbox *sb)
{
    if (sb->h == NULL)
        return;
    sqlite3_set_authorizer(sb->h, NULL, NULL);
    sandbox_pause(sb);
    for (int i = 0; i < sb->nnames; i++)
        free(sb->names[i]);
    free(sb->names);
    for (int i = 0; i < sb->nmodules; i++)
        free(sb->modules[i]);
    free(sb->modules);
    sb->h = NULL;
}

/* Records why SB's authorizer refused section S. */
static int
refused(const struct report_def *r, const struct report_section *s, const struct sandbox *sb,
        struct diag *d)
{
    const char *kind = sb->action == SQLITE_FUNCTION ? "function"
                       : sb->action == SQLITE_READ   ? "table"
                       : sb->action == SQLITE_PRAGMA ? "PRAGMA"
                                                     : NULL;

    if (kind != NULL)
        return diag_set(d, DK_DATA, "%s:%d: section '%s': %s '%s' is not allowed in a report",
                        r->origin, s->line, s->name, kind, sb->what);
    if (sb->action == SQLITE_ATTACH || sb->action == SQLITE_DETACH)
        return diag_set(d, DK_DATA, "%s:%d: section '%s': %s is not allowed in a report", r->origin,
                        s->line, s->name, sb->action == SQLITE_ATTACH ? "ATTACH" : "DETACH");
    return diag_set(d, DK_DATA, "%s:%d: section '%s' %s", r->origin, s->line, s->name,
                    sb->action == SQLITE_TRANSACTION || sb->action == SQLITE_SAVEPOINT
                        ? "is not a query"
                        : "would write to the store");
}

/* Prepares section S under SB's authorizer: exactly one statement, which must not write. */
static int
prepare_section(struct db *db, const struct report_def *r, const struct report_section *s,
                struct sandbox *sb, sqlite3_stmt **out, struct diag *d)
{
    const char *tail = NULL;
    sqlite3_stmt *st = NULL, *more = NULL;
    int prc, extra = 0;

    /* Only while the section's own text is prepared: docket's statements are not asked. What
     * follows the statement is prepared under it too, as some PRAGMAs act as they are
     * prepared. */
    sb->action = 0;
    sqlite3_set_authorizer(db_handle(db), sandbox_auth, sb);
    prc = sqlite3_prepare_v2(db_handle(db), s->sql, -1, &st, &tail);
    while (prc == SQLITE_OK && st != NULL && !extra && tail && *tail) {
        /* What follows the statement may only be blanks and comments. */
        extra = sqlite3_prepare_v2(db_handle(db), tail, -1, &more, &tail) != SQLITE_OK || more;
        sqlite3_finalize(more);
        more = NULL;
    }
    sqlite3_set_authorizer(db_handle(db), NULL, NULL);
    if (prc != SQLITE_OK)
        return sb->action ? refused(r, s, sb, d)
                          : diag_set(d, DK_DATA, "%s:%d: section '%s': %s", r->origin, s->line,
                                     s->name, sqlite3_errmsg(db_handle(db)));
    if (st == NULL) {
        return diag_set(d, DK_DATA, "%s:%d: section '%s' has no statement", r->origin, s->line,
                        s->name);
    }
    if (extra) {
        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s' holds more than one statement", r->origin,
                        s->line, s->name);
    }
    /* Only a query may run: COMMIT, SAVEPOINT, ATTACH or a PRAGMA that sets something count as
     * read-only to SQLite, but return no rows. (The authorizer refuses them first; VACUUM
     * asks it nothing.) */
    if (!sqlite3_stmt_readonly(st) || sqlite3_column_count(st) == 0) {
        int writes = !sqlite3_stmt_readonly(st);

        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s' %s", r->origin, s->line, s->name,
                        writes ? "would write to the store" : "is not a query");
    }
    *out = st;
    return 0;
}

/* Sets *MASK to the columns of ST that LIST ("A, B", a section's "-- machines:" or "-- people:")
 * names (bit I: column I). Returns 0, or the length of the first name that ST lacks, left at
 * *MISSING. */
static size_t
named_columns(sqlite3_stmt *st, const char *list, unsigned long long *mask, const char **missing)
{
    const char *p = list;
    int n = sqlite3_column_count(st);

    *mask = 0;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        int i = 0;

        while (i < n && (strncmp(sqlite3_column_name(st, i), p, len) != 0 ||
                         sqlite3_column_name(st, i)[len] != '\0'))
            i++;
        if (i == n)
            return *missing = p, len;
        *mask |= 1ULL << i;
        p += len;
        p += strspn(p, ", ");
    }
    return 0;
}

/* Prepares section S and binds the report's bounds where it names them. */
static int
prepare_bound(struct db *db, const struct report_def *r, const struct report_section *s,
              const struct report_opts *o, struct sandbox *sb, sqlite3_stmt **out, struct diag *d)
{
    const char *known = o->known ? o->known : "9999-12-31T23:59:59.999Z";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare_section(db, r, s, sb, &st, d)) != 0)
        return rc;
    if (sqlite3_column_count(st) > 64) {
        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s' has more than 64 columns", r->origin,
                        s->line, s->name);
    }
    /* A "-- shown:" column is the last, and says which rows are written. */
    if (s->shown && strcmp(sqlite3_column_name(st, sqlite3_column_count(st) - 1), s->shown) != 0) {
        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s': '-- shown: %s' is not its last column",
                        r->origin, s->line, s->name, s->shown);
    }
    /* "-- machines:" and "-- people:" name columns of the SELECT, each for one audience. */
    {
        unsigned long long mine = 0, theirs = 0;
        const char *missing = NULL, *which = "machines";
        size_t len = named_columns(st, s->machines, &mine, &missing);

        if (len == 0) {
            which = "people";
            len = named_columns(st, s->people, &theirs, &missing);
        }
        if (len > 0)
            rc = diag_set(d, DK_DATA,
                          "%s:%d: section '%s': '-- %s:' names %.*s, which is not one of its "
                          "columns",
                          r->origin, s->line, s->name, which, (int)len, missing);
        else if (mine & theirs)
            rc = diag_set(d, DK_DATA,
                          "%s:%d: section '%s': a column is for people or for machines, not both",
                          r->origin, s->line, s->name);
        if (rc != 0) {
            sqlite3_finalize(st);
            return rc;
        }
    }
    /* "-- each:" names the SELECT's first columns, in order. */
    if (s->each) {
        char first[256];
        int n = sqlite3_column_count(st);

        snprintf(first, sizeof first, "%s%s%s", sqlite3_column_name(st, 0),
                 s->each_cols > 1 && n > 1 ? ", " : "",
                 s->each_cols > 1 && n > 1 ? sqlite3_column_name(st, 1) : "");
        if (strcmp(first, s->each) != 0 || n <= s->each_cols + (s->shown != NULL)) {
            sqlite3_finalize(st);
            return diag_set(d, DK_DATA,
                            "%s:%d: section '%s': '-- each: %s' is not its first column%s, "
                            "before at least one other",
                            r->origin, s->line, s->name, s->each, s->each_cols > 1 ? "s" : "");
        }
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *p = sqlite3_bind_parameter_name(st, i);
        const char *v = p == NULL                  ? NULL
                        : strcmp(p, ":asof") == 0  ? (o->asof ? o->asof : o->today)
                        : strcmp(p, ":since") == 0 ? o->since
                        : strcmp(p, ":known") == 0 ? known
                                                   : NULL;

        if (v == NULL) {
            /* P belongs to ST: format the message before finalizing. */
            rc = diag_set(d, DK_DATA,
                          "%s:%d: section '%s': unknown parameter %s (known: :asof, :since, "
                          ":known)",
                          r->origin, s->line, s->name, p ? p : "?");
            sqlite3_finalize(st);
            return rc;
        }
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    }
    *out = st;
    return 0;
}

/* Runs one prepared section into OUT, stopped when SB's time is up. */
static int
run_section(struct db *db, const struct report_def *r, const struct report_section *s,
            const struct sandbox *sb, sqlite3_stmt *st, struct render *out, struct diag *d)
{
    const char *cols[64], *missing;
    int rc, n, step;

    /* The first step comes before the column names are taken: a statement that SQLite expired
     * since it was prepared (setting an authorizer expires them all) is prepared again by it,
     * and the names of the first preparation go with it. */
    step = sqlite3_step(st);
    n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++)
        cols[i] = sqlite3_column_name(st, i);
    out->hide_last = s->shown != NULL;
    out->prose = s->prose;
    out->group = s->each_cols;
    out->cols = cols;
    out->ncols = n - out->hide_last;
    /* Prepared, the names are known to be there: each audience misses the other's columns. */
    (void)named_columns(st, out->l10n ? s->machines : s->people, &out->hidden, &missing);
    rc = out->ops->section(out, s, n - out->hide_last, cols);
    for (; rc == 0 && step == SQLITE_ROW; step = sqlite3_step(st)) {
        /* Machines (csv, json) take every row; people the rows shown, and the chart all. */
        if (!out->hide_last || out->l10n == NULL || sqlite3_column_int(st, n - 1))
            rc = out->ops->row(out, st);
        else if (out->ops->chart_row)
            rc = out->ops->chart_row(out, st);
    }
    if (rc == 0 && step != SQLITE_DONE && sb->expired)
        rc = diag_set(d, DK_DATA, "%s:%d: section '%s' ran past %ld %s and was stopped", r->origin,
                      s->line, s->name,
                      sb->timeout_ms % 1000 ? sb->timeout_ms : sb->timeout_ms / 1000,
                      sb->timeout_ms % 1000 ? "ms" : "s");
    else if (rc == 0 && step != SQLITE_DONE)
        rc = diag_set(d, DK_DATA, "%s:%d: section '%s': %s", r->origin, s->line, s->name,
                      sqlite3_errmsg(db_handle(db)));
    else if (rc == 0)
        rc = out->ops->section_end(out, s);
    out->hide_last = out->prose = out->group = out->group_table = out->ncols = 0;
    out->hidden = 0;
    out->cols = NULL;
    free(out->group_last);
    out->group_last = NULL;
    if (rc == DK_IO)
        return diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    return rc;
}

/* Returns DK_DATA for SECTION, which R does not have, listing those it has. */
static int
unknown_section(const struct report_def *r, const char *section, struct diag *d)
{
    const char **names = calloc((size_t)r->nsections + 1, sizeof *names);
    char where[300];
    int rc;

    if (names == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    for (int i = 0; i < r->nsections; i++)
        names[i] = r->sections[i].name;
    snprintf(where, sizeof where, " in report '%s'", r->name);
    rc = text_unknown(d, "section", section, where, names, (size_t)r->nsections, NULL);
    free(names);
    return rc;
}

/* ---- Portfolios -----------------------------------------------------------------------------
 * A report over several documents opens with their figures, one row each, then runs its
 * sections once per document over that document's rows alone. */

/* The documents a report covers, as view_docs walks them. */
struct cover {
    struct db *db;
    struct diag *d;
    json_t *only; /* the symbols of --doc, or NULL for every document */
    struct report_doc *docs;
    int ndocs;
};

/* Whether SYMBOL is one of ONLY (a JSON array of symbols), or ONLY is NULL. */
static int
chosen(const json_t *only, const char *symbol)
{
    size_t i;
    json_t *v;

    if (only == NULL)
        return 1;
    json_array_foreach(only, i, v)
    {
        if (symbol && strcmp(json_string_value(v), symbol) == 0)
            return 1;
    }
    return 0;
}

static char *
dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* One document of the portfolio: a row of temp.portfolio, and an entry of c->docs. */
static int
cover_doc(void *arg, const struct view_doc_row *row)
{
    static const char sql[] =
        "INSERT INTO temp.portfolio (alias, symbol, title, adopted, items, progress, done, "
        "overdue, breaches) VALUES (:alias, :symbol, :title, :adopted, :items, CASE WHEN "
        ":tenths >= 0 THEN :tenths / 10.0 END, :done, :overdue, :breaches)";
    struct cover *c = arg;
    struct report_doc *docs, *doc;
    sqlite3_stmt *st;
    int rc;

    if (!chosen(c->only, row->symbol))
        return 0;
    if ((docs = realloc(c->docs, (size_t)(c->ndocs + 1) * sizeof *docs)) == NULL)
        return diag_set(c->d, DK_STORE, "out of memory");
    c->docs = docs;
    doc = &docs[c->ndocs++];
    doc->symbol = dup_or_null(row->symbol);
    doc->alias = dup_or_null(row->alias);
    doc->title = dup_or_null(row->title);
    doc->adopted = dup_or_null(row->adopted);
    if (doc->alias == NULL)
        return diag_set(c->d, DK_STORE, "out of memory");
    /* The progress as the summary rounds it, to a tenth (-1: no request counts). */
    if ((rc = db_prep(c->db, sql, &st, c->d)) != 0 ||
        (rc = db_bind_text(c->db, st, ":alias", row->alias, c->d)) != 0 ||
        (rc = db_bind_text(c->db, st, ":symbol", row->symbol, c->d)) != 0 ||
        (rc = db_bind_text(c->db, st, ":title", row->title, c->d)) != 0 ||
        (rc = db_bind_text(c->db, st, ":adopted", row->adopted, c->d)) != 0 ||
        (rc = db_bind_int(c->db, st, ":items", row->requests, c->d)) != 0 ||
        (rc = db_bind_int(c->db, st, ":tenths",
                          row->progress < 0 ? -1 : (long long)(row->progress * 10 + 0.5), c->d)) !=
            0 ||
        (rc = db_bind_int(c->db, st, ":done", row->done, c->d)) != 0 ||
        (rc = db_bind_int(c->db, st, ":overdue", row->overdue, c->d)) != 0 ||
        (rc = db_bind_int(c->db, st, ":breaches", row->breached, c->d)) != 0)
        return rc;
    return db_run(c->db, st, c->d);
}

/* Fills temp.portfolio and C->docs with the documents O covers, as the report sees the state
 * (as of O->asof and O->known). */
static int
cover(struct db *db, const struct report_opts *o, struct cover *c, struct diag *d)
{
    int rc;

    if ((rc = db_exec(db,
                      "DROP TABLE IF EXISTS temp.portfolio; CREATE TEMP TABLE portfolio (alias "
                      "TEXT, symbol TEXT, title TEXT, adopted TEXT, items INTEGER, progress REAL, "
                      "done INTEGER, overdue INTEGER, breaches INTEGER)",
                      d)) != 0)
        return rc;
    if ((o->asof || o->known) && (rc = state_asof(db, o->asof, o->known, d)) != 0)
        return rc;
    return view_docs(db, o->asof ? o->asof : o->today, cover_doc, c, d);
}

/* Keeps in M only the documents ONLY names (NULL: all). */
static void
meta_only(struct report_meta *m, const json_t *only)
{
    int n = 0;

    for (int i = 0; i < m->ndocs; i++) {
        if (chosen(only, m->docs[i].symbol))
            m->docs[n++] = m->docs[i];
        else
            doc_clear(&m->docs[i]);
    }
    m->ndocs = n;
}

/* The portfolio table: a section docket writes itself, from temp.portfolio. */
static const struct report_section portfolio_section = {
    .name = "portfolio",
    .title = "Portfolio",
    .description = "Each document's requests, their mean progress (safeguards and "
                   "acknowledgements left out), how many are done and overdue, and its breaches.",
};

/* Runs R's sections, prepared in ST under SB, over document DOC's rows (NULL: the rows as they
 * stand, the whole store's or one document's narrowed before).
 * The first part (M not NULL) writes the report's beginning, and a portfolio's table; a part of
 * a portfolio (PART not NULL) is headed by its document. The parts change rows, never the
 * schema, so the sections are prepared once for all of them. */
static int
run_part(struct db *db, const struct report_def *r, const struct report_opts *o,
         const struct uses *u, const char *doc, const struct report_meta *m,
         const struct report_doc *part, sqlite3_stmt **st, struct sandbox *sb, struct render *out,
         struct timespec *stop, struct diag *d)
{
    static const char portfolio_sql[] =
        "SELECT alias, symbol, title, adopted, items, progress, done, overdue, breaches FROM "
        "temp.portfolio ORDER BY rowid";
    sqlite3_stmt *ps;
    int rc;

    if (doc && (rc = narrow(db, o, u, doc, d)) != 0)
        return rc;
    /* Sections only read: make the connection refuse writes while they run. */
    if ((rc = db_exec(db, "PRAGMA query_only = 1", d)) != 0)
        return rc;
    if (m != NULL && (rc = out->ops->begin(out, m)) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    sandbox_start(sb, stop);
    if (rc == 0 && m != NULL && out->portfolio && (rc = db_prep(db, portfolio_sql, &ps, d)) == 0)
        rc = run_section(db, r, &portfolio_section, sb, ps, out, d);
    if (rc == 0 && part != NULL && out->ops->document(out, part) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    for (int i = 0; i < r->nsections && rc == 0; i++)
        if (st[i]) {
            rc = run_section(db, r, &r->sections[i], sb, st[i], out, d);
            sqlite3_reset(st[i]);
        }
    sandbox_pause(sb);
    if (rc == 0 && part != NULL && out->ops->document(out, NULL) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    db_exec(db, "PRAGMA query_only = 0", d);
    return rc;
}

/* Prepares R's sections (those O asks for) into ST, under SB and its bounds, every one before
 * any is written: a section that cannot run stops the report before its first line. */
static int
prepare_sections(struct db *db, const struct report_def *r, const struct report_opts *o,
                 struct sandbox *sb, sqlite3_stmt **st, struct diag *d)
{
    int rc = 0;

    sandbox_bound(sb);
    for (int i = 0; i < r->nsections && rc == 0; i++)
        if (o->section == NULL || strcmp(o->section, r->sections[i].name) == 0)
            rc = prepare_bound(db, r, &r->sections[i], o, sb, &st[i], d);
    sandbox_unbound(sb);
    return rc;
}

int
report_run(struct db *db, const struct report_def *r, const struct report_opts *o,
           struct render *out, struct diag *d)
{
    struct report_meta m = {.report = r->name, .title = r->title, .description = r->description};
    struct uses u = uses_of(r, o);
    struct cover c = {.db = db, .d = d};
    struct timespec stop = {0};
    struct sandbox sb = {0};
    struct words words = {.l = out->l10n};
    sqlite3_stmt **st = NULL;
    const char *one = NULL;
    char now[TS_LEN + 1];
    int rc;

    if (o->section && !report_section(r, o->section))
        return unknown_section(r, o->section, d);
    ts_now(now);
    m.asof = o->asof ? o->asof : o->today;
    m.generated = o->reproducible ? NULL : now;
    if (o->docs && (c.only = json_loads(o->docs, 0, NULL)) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    if ((rc = load_meta(db, o->asof, &m, d)) != 0)
        goto out;
    /* A store of one document, taken whole, is reported as it always was. */
    if (o->docs || m.ndocs > 1) {
        if ((rc = cover(db, o, &c, d)) != 0)
            goto out;
        meta_only(&m, c.only);
        if (c.ndocs == 0) {
            rc = diag_set(d, DK_DATA, "no document of --doc was adopted by %s", m.asof);
            goto out;
        }
        one = c.ndocs == 1 ? c.docs[0].symbol : NULL;
    }
    out->portfolio = c.ndocs > 1;
    u.months_late = u.months && one != NULL;
    if (out->portfolio)
        out->one_section = 0; /* the portfolio table comes first: every section has its title */
    if ((st = calloc((size_t)r->nsections, sizeof *st)) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    if ((rc = load_checklist_words(db, o->known, &words, d)) != 0 ||
        (rc = translate_titles(&words, m.docs, m.ndocs, d)) != 0 ||
        (rc = translate_titles(&words, c.docs, c.ndocs, d)) != 0 ||
        (rc = register_words(db, &words, d)) != 0 ||
        (rc = prepare_environment(db, o, &u, out->portfolio || one, d)) != 0 ||
        (one && (rc = narrow(db, o, &u, one, d)) != 0) ||
        (rc = sandbox_open(db, &sb, o->timeout_ms, d)) != 0 ||
        (rc = prepare_sections(db, r, o, &sb, st, d)) != 0)
        goto out;
    if (!out->portfolio)
        rc = run_part(db, r, o, &u, NULL, &m, NULL, st, &sb, out, &stop, d);
    for (int i = 0; out->portfolio && rc == 0 && i < c.ndocs; i++)
        rc = run_part(db, r, o, &u, c.docs[i].symbol, i == 0 ? &m : NULL, &c.docs[i], st, &sb, out,
                      &stop, d);
    if (rc == 0 && out->ops->end(out) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    /* The narrowed tables would shadow the state for the rest of the connection. */
    if (c.ndocs > 0 && rc == 0 && (rc = state_asof_end(db, d)) == 0 &&
        (rc = each_narrowed(db, &u, "DROP TABLE IF EXISTS temp.all_%s%.0s%.0s", d)) == 0)
        rc = db_exec(db, "DROP TABLE IF EXISTS temp.report_doc; DROP TABLE temp.portfolio", d);
out:
    sandbox_close(&sb);
    for (int i = 0; st && i < r->nsections; i++)
        sqlite3_finalize(st[i]);
    free(st);
    /* The language belongs to the caller and may go after this run: the functions forget it. */
    if (register_words(db, NULL, &(struct diag){0}) != 0 && rc == 0)
        rc = diag_set(d, DK_STORE, "cannot register the report's functions: out of memory");
    json_decref(c.only);
    json_decref(words.checklist);
    docs_free(c.docs, c.ndocs);
    meta_free(&m);
    return rc;
}

const struct render_ops *
render_find(const char *format)
{
    static const struct {
        const char *name;
        const struct render_ops *ops;
    } formats[] = {
        {"md", &render_md}, {"html", &render_html}, {"csv", &render_csv}, {"json", &render_json}};

    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, format) == 0)
            return formats[i].ops;
    return NULL;
}

int
report_last_published(struct db *db, const char *name, const char *known, char out[25],
                      struct diag *d)
{
    /* The last publication the tracker knew of at KNOWN: with --known-at, one recorded later
     * had not happened yet. */
    static const char sql[] =
        "SELECT recorded FROM event INDEXED BY event_publications WHERE type = 'publication' "
        "AND subject = :name AND recorded <= :known ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    snprintf(out, 25, "0000-01-01T00:00:00.000Z");
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":name", name, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known ? known : "9999-12-31T23:59:59.999Z", d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_bytes(st, 0) == TS_LEN)
        memcpy(out, sqlite3_column_text(st, 0), TS_LEN + 1);
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

int
report_publish(struct db *db, const char *name, const char *asof, const char *format,
               struct diag *d)
{
    struct report_meta m = {0};
    struct event e = {.type = "publication", .subject = name, .eff = asof};
    char head[96], reason[160];
    int rc;

    if ((rc = load_meta(db, NULL, &m, d)) != 0)
        goto out;
    /* The head as verify --against takes it (earlier publications spelled it "N HEX"). */
    snprintf(head, sizeof head, "local:%lld:%s", m.events, m.head);
    snprintf(reason, sizeof reason, "published the %s report as of %s", name, asof);
    e.new_value = head;
    e.reason = reason;
    if ((e.attrs = json_object()) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    ev_attr(e.attrs, "as_of", asof);
    ev_attr(e.attrs, "format", format);
    rc = ev_append(db, &e, NULL, d);
out:
    json_decref(e.attrs);
    meta_free(&m);
    return rc;
}
