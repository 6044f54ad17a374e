/* state.c: the state projected from the events: kept current, or as of any past date. */
#include <stdio.h>
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
 * the later local sequence.
 */
#define VISIBLE(e)                                                                                 \
    e ".eff_end <= :asof AND " e ".recorded <= :known AND NOT EXISTS (SELECT 1 FROM event r "      \
      "WHERE r.type = 'revert' AND r.subject = " e ".uuid AND r.recorded <= :known)"
#define POS(e)    "(SELECT s.pos FROM shared s WHERE s.uuid = " e ".uuid)"
#define LATEST(e) e ".eff_end DESC, " POS(e) " DESC NULLS FIRST, " e ".seq DESC"
#define FIRST(e)  POS(e) " ASC NULLS LAST, " e ".seq ASC"

#define ATTR(name) "json_extract(attrs, '$." name "')"
#define LATEST_OF(type, partition, cols)                                                           \
    "SELECT " cols " FROM (SELECT e.subject, e.new_value, e.attrs, row_number() OVER ("            \
    "PARTITION BY " partition                                                                      \
    " ORDER BY " LATEST("e") ") AS rn FROM event e WHERE e.item IS NULL "                          \
                             "AND e.type = '" type "' AND " VISIBLE("e") ") WHERE rn = 1"

#define DOCUMENTS_SELECT                                                                           \
    LATEST_OF("document", "e.subject",                                                             \
              "subject, new_value, " ATTR("body") ", " ATTR("session") ", " ATTR(                  \
                  "adopted") ", " ATTR("published") ", " ATTR("preamble"))

#define PARAGRAPHS_SELECT                                                                          \
    LATEST_OF("paragraph", "json_extract(e.attrs, '$.doc'), e.subject",                            \
              ATTR("doc") ", subject, new_value, CAST(" ATTR("ord") " AS INTEGER)")

#define KINDS_SELECT                                                                               \
    LATEST_OF("kind", "e.subject",                                                                 \
              "subject, new_value, " ATTR("description") ", " ATTR("initial") ", " ATTR(           \
                  "keep_baseline") ", CAST(" ATTR("cadence_months") " AS INTEGER)")

#define VOCAB_SELECT                                                                               \
    LATEST_OF("vocab", "e.subject, e.new_value",                                                   \
              "subject, new_value, " ATTR("label") ", CAST(" ATTR(                                 \
                  "progress") " AS INTEGER), "                                                     \
                              "CAST(" ATTR("final") " AS INTEGER), CAST(" ATTR(                    \
                                  "breach") " AS INTEGER), "                                       \
                                            "CAST(" ATTR("submission") " AS INTEGER), CAST(" ATTR( \
                                                "ord") " AS INTEGER)")

/* A field of an item: its latest visible edit, else its value at creation; '' clears it. */
#define FIELD(name, base)                                                                          \
    "NULLIF(COALESCE((SELECT e.new_value FROM event e WHERE e.type = 'edit' AND e.item = "         \
    "c.item AND e.subject = '" name                                                                \
    "' AND " VISIBLE("e") " ORDER BY " LATEST("e") " LIMIT 1), " base "), '')"

/* The last day of the period of date X (YYYY, YYYY-MM or YYYY-MM-DD). */
#define DATE_END(x)                                                                                \
    "(CASE length(" x ") WHEN 4 THEN " x " || '-12-31' WHEN 7 THEN date(" x " || '-01', "          \
    "'+1 month', '-1 day') ELSE " x " END)"

/* Items, in the column order of the items table. Two offices that load the same checklist
 * create the same item twice: the first creation in log order is the one that counts. A
 * reporting duty's cadence is its own, else its kind's. */
#define ITEMS_SELECT(schema, filter)                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            \
    "SELECT x.*, CASE WHEN x.final THEN NULL WHEN x.due IS NOT NULL THEN " DATE_END(                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            \
        "x.due") " WHEN x.cadence_months IS NOT NULL THEN date(" DATE_END("COALESCE(x.submitted, "                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                          "x.created)") ", '+' "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                \
                                                                                        "|| "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   \
                                                                                        "x."                                                                                                                                                                                                                                                                                                                                                                                                                                                                                    \
                                                                                        "cadence_"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        "months "                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                        "|| ' "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "months')"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        " END "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "FROM ("                                                                                                                                                                                                                                                                                                                                                                                                                                                                                \
                                                                                        "SELECT "                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                        "c.item "                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                        "AS "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   \
                                                                                        "uuid, "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                \
                                                                                        "c."                                                                                                                                                                                                                                                                                                                                                                                                                                                                                    \
                                                                                        "subject "                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        "AS key, "                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        "json_"                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "extract("                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        "c.attrs,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        " '$.doc'"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        ") AS "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "doc, "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "json_"                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        "extract("                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        "c.attrs,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                        " '$."                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  \
                                                                                        "kind') "                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                        "AS "                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   \
                                                                                        "kind,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 \
                                                                                        " " FIELD(                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "pare"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "nt",                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                            "json"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "_ext"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "ract"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "(c."                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                            "attr"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "s, "                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                            "'$."                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                            "pare"                                                                                                                                                                                                                                                                                                                                                                                                                                                                              \
                                                                                            "nt'"                                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                                            ")") " AS parent, " FIELD("title",                                                                                                                                                                                                                                                                                                                                                                                                                                                  \
                                                                                                                      "c.new_value") " AS title, " FIELD("ref", "json_extract(c.attrs, '$.ref')") " AS ref, "                                                                                                                                                                                                                                                                                                                                                                   \
                                                                                                                                                                                                  "json_extract(c.attrs, '$.goal') AS goal, " FIELD("due", "json_extract(c.attrs, '$.due')") " AS due, "                                                                                                                                                                                                                                                                        \
                                                                                                                                                                                                                                                                                             "COALESCE(CAST(" FIELD("cadence_months", "json_extract(c.attrs, '$.cadence_months')") " AS INTEGER), k.cadence_months) AS cadence_months, " FIELD(                                                                                                                                 \
                                                                                                                                                                                                                                                                                                 "description", "json_extract(c.attrs, '$.description')") " AS description, "                                                                                                                                                                                                   \
                                                                                                                                                                                                                                                                                                                                                          "c.eff AS created, COALESCE(s.new_value, k.initial) AS status, s.eff AS since, "                                                                                                                                      \
                                                                                                                                                                                                                                                                                                                                                          "s.seq AS status_seq, v.progress AS progress, v.final AS final, v.breach AS breach, "                                                                                                                                 \
                                                                                                                                                                                                                                                                                                                                                          "CASE WHEN EXISTS (SELECT 1 FROM " schema                                                                                                                                                                             \
                                                                                                                                                                                                                                                                                                                                                          "vocab sv WHERE sv.kind = k.name AND "                                                                                                                                                                                \
                                                                                                                                                                                                                                                                                                                                                          "sv.submission) THEN (SELECT e.eff FROM event e JOIN " schema "vocab sv ON sv.kind = "                                                                                                                                \
                                                                                                                                                                                                                                                                                                                                                          "k.name AND sv.status = e.new_value AND sv.submission WHERE e.type = 'status' AND "                                                                                                                                   \
                                                                                                                                                                                                                                                                                                                                                          "e.item = c.item AND " VISIBLE(                                                                                                                                                                                       \
                                                                                                                                                                                                                                                                                                                                                              "e") " ORDER BY " LATEST("e") " LIMIT 1) END AS submitted "                                                                                                                                                       \
                                                                                                                                                                                                                                                                                                                                                                                            "FROM event c "                                                                                                                                                                     \
                                                                                                                                                                                                                                                                                                                                                                                            "LEFT JOIN " schema "kinds k ON k.name = json_extract(c.attrs, '$.kind') "                                                                                                          \
                                                                                                                                                                                                                                                                                                                                                                                            "LEFT JOIN event s ON s.seq = (SELECT e.seq FROM event e WHERE e.type = 'status' AND "                                                                                              \
                                                                                                                                                                                                                                                                                                                                                                                            "e.item = c.item AND " VISIBLE("e") " ORDER BY " LATEST("e") " LIMIT 1) "                                                                                                           \
                                                                                                                                                                                                                                                                                                                                                                                                                                                         "LEFT JOIN " schema                                                                                                    \
                                                                                                                                                                                                                                                                                                                                                                                                                                                         "vocab v ON v.kind = k.name AND v.status = COALESCE(s.new_value, "                                                     \
                                                                                                                                                                                                                                                                                                                                                                                                                                                         "k.initial) "                                                                                                          \
                                                                                                                                                                                                                                                                                                                                                                                                                                                         "WHERE c.type = 'item' " filter " AND " VISIBLE("c") " AND c.seq = (SELECT o.seq FROM "                                \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "event o WHERE o.type = 'item' AND o.item = c.item AND " VISIBLE( \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  "o") " ORDER BY " FIRST("o") " LIMIT 1)) x"

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

/* A kind or its vocabulary changes what every item of it reports: rebuild them all. */
static const char *const refresh_kinds[] = {
    "DELETE FROM main.kinds", "INSERT INTO main.kinds " KINDS_SELECT,
    "DELETE FROM main.vocab", "INSERT INTO main.vocab " VOCAB_SELECT,
    "DELETE FROM main.items", "INSERT INTO main.items " ITEMS_SELECT("main.", ""),
};

static const char *const refresh_item[] = {
    "DELETE FROM main.items WHERE uuid = :item",
    "INSERT INTO main.items " ITEMS_SELECT("main.", "AND c.item = :item"),
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
state_apply(struct db *db, const char *type, const char *item, struct diag *d)
{
    if (strcmp(type, "document") == 0)
        return run_all(db, refresh_documents, COUNT(refresh_documents), NULL, NULL, NULL, d);
    if (strcmp(type, "paragraph") == 0)
        return run_all(db, refresh_paragraphs, COUNT(refresh_paragraphs), NULL, NULL, NULL, d);
    if (strcmp(type, "kind") == 0 || strcmp(type, "vocab") == 0)
        return run_all(db, refresh_kinds, COUNT(refresh_kinds), NULL, NULL, NULL, d);
    if (item != NULL && (strcmp(type, "item") == 0 || strcmp(type, "edit") == 0 ||
                         strcmp(type, "status") == 0 || strcmp(type, "revert") == 0))
        return run_all(db, refresh_item, COUNT(refresh_item), NULL, NULL, item, d);
    return 0;
}

/* The state tables in the order their projections depend on each other. */
static const char *const tables[] = {"documents", "paragraphs", "kinds", "vocab", "items"};

static const char *const build_asof[] = {
    "INSERT INTO temp.documents " DOCUMENTS_SELECT,
    "INSERT INTO temp.paragraphs " PARAGRAPHS_SELECT,
    "INSERT INTO temp.kinds " KINDS_SELECT,
    "INSERT INTO temp.vocab " VOCAB_SELECT,
    "INSERT INTO temp.items " ITEMS_SELECT("temp.", ""),
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

int
state_check(struct db *db, struct diag *d)
{
    char sql[400];
    sqlite3_stmt *st;
    int rc;

    if ((rc = state_asof(db, NULL, NULL, d)) != 0)
        return rc;
    for (int i = 0; i < COUNT(tables) && rc == 0; i++) {
        const char *t = tables[i];

        snprintf(sql, sizeof sql,
                 "SELECT * FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM temp.%s) UNION ALL "
                 "SELECT * FROM (SELECT * FROM temp.%s EXCEPT SELECT * FROM main.%s) LIMIT 1",
                 t, t, t, t);
        if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
            return db_fail(db, "cannot check the state", d);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            /* Name the row by its key: an item's key, else the first column. */
            const unsigned char *at = sqlite3_column_text(st, strcmp(t, "items") == 0);

            rc = diag_set(d, DK_CHECK,
                          "the state table '%s' differs from a replay of the events at '%s'", t,
                          at ? (const char *)at : "");
        } else if (rc == SQLITE_DONE)
            rc = 0;
        else
            rc = db_fail(db, "cannot check the state", d);
        sqlite3_finalize(st);
    }
    if (rc != 0)
        return rc;
    return state_asof_end(db, d);
}
