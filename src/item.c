/* item.c: tracked items: finding them, and the changes a user records against them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/currency.h"
#include "docket/event.h"
#include "docket/iso3166.h"
#include "docket/doc.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/text.h"
#include "docket/uuid.h"
#include "item_int.h"

const char *const item_fields[] = {"title",          "ref",         "due",     "parent",
                                   "cadence_months", "description", "created", "instances",
                                   "rollup",         NULL};

/* The events that any revert, whenever recorded, cancels. */
#define REVERTED_EVER STATE_REVERTED_SEQ("'9999-12-31T23:59:59.999Z'")
#define LATEST_E      STATE_LATEST("e")
#define EVER          "'9999-12-31T23:59:59.999Z'"

int
item_rollup_ok(const char *v)
{
    return strcmp(v, "own") == 0 || strcmp(v, "instances") == 0;
}

char *
item_dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? strdup((const char *)s) : NULL;
}

void
item_free(struct item *it)
{
    if (it == NULL)
        return;
    free(it->uuid);
    free(it->key);
    free(it->doc);
    free(it->kind);
    free(it->parent);
    free(it->title);
    free(it->ref);
    free(it->goal);
    free(it->due);
    free(it->description);
    free(it->created);
    free(it->status);
    free(it->since);
    free(it->instances);
    free(it->rollup);
    memset(it, 0, sizeof *it);
}

/* Finds the closest of the names that SQL returns to WANT, within an edit distance that grows
 * with the name's length; writes it to OUT (empty when none is close). */
static int
nearest(struct db *db, const char *sql, const char *want, char *out, size_t n, struct diag *d)
{
    sqlite3_stmt *st;
    int best = (int)strlen(want) / 3 + 1, rc;

    if (best > 3)
        best = 3;
    out[0] = '\0';
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int dist = name ? text_distance(want, name, best) : best + 1;

        if (dist <= best && (dist < best || out[0] == '\0')) {
            best = dist;
            snprintf(out, n, "%s", name);
        }
    }
    return rc < 0 ? d->code : 0;
}

/* Returns DK_DATA: "unknown WHAT 'NAME' (did you mean 'X'?)", or HINT when nothing is close. */
static int
unknown(struct db *db, const char *what, const char *name, const char *names_sql, const char *hint,
        struct diag *d)
{
    char near[256];
    int rc = nearest(db, names_sql, name, near, sizeof near, d);

    if (rc != 0)
        return rc;
    if (near[0] != '\0')
        return diag_set(d, DK_DATA, "unknown %s '%s' (did you mean '%s'?)", what, name, near);
    return diag_set(d, DK_DATA, "unknown %s '%s' (%s)", what, name, hint);
}

int
item_name(struct db *db, const char *name, char **doc, const char **key, struct diag *d)
{
    const char *colon = strchr(name, ':');
    char alias[128];
    int rc;

    *doc = NULL;
    *key = name;
    if (colon == NULL)
        return 0;
    snprintf(alias, sizeof alias, "%.*s", (int)(colon - name), name);
    if ((rc = doc_find(db, alias, doc, d)) != 0)
        return rc;
    if (*doc == NULL)
        return diag_set(d, DK_DATA, "no document has the alias '%s' in '%s' (see 'docket docs')",
                        alias, name);
    *key = colon + 1;
    return 0;
}

/* Binds :any and :doc as item_check_status reads DOC. */
static int
bind_doc(struct db *db, sqlite3_stmt *st, const char *const *doc, struct diag *d)
{
    int rc;

    if ((rc = db_bind_int(db, st, ":any", doc == NULL, d)) != 0)
        return rc;
    return db_bind_text(db, st, ":doc", doc ? *doc : NULL, d);
}

int
item_withdrawn(struct db *db, const char *name, long long *by, char before[25], struct diag *d)
{
    const char *key;
    char *doc;
    int rc;

    if (item_name(db, name, &doc, &key, d) != 0)
        return -1;
    rc = item_withdrawn_in(db, doc ? (const char *const *)&doc : NULL, key, by, before, d);
    free(doc);
    return rc;
}

int
item_withdrawn_in(struct db *db, const char *const *doc, const char *key, long long *by,
                  char before[25], struct diag *d)
{
    /* The latest revert in force of a creation of KEY (in its document, when the name gives
     * one), while no item holds KEY there: the time just before it (SQLite keeps times in
     * whole milliseconds, so the step is exact). From the reverts, which are few, rather than
     * from every item's creation. */
    static const char sql[] =
        "SELECT r.by_seq, strftime('%Y-%m-%dT%H:%M:%fZ', r.by_recorded, '-0.001 seconds') "
        "FROM " STATE_REVERTS " r CROSS JOIN event c ON c.uuid = r.uuid "
        "WHERE c.type = 'item' AND c.subject = :key AND (:any OR json_extract(c.attrs, '$.doc') "
        "IS :doc) AND NOT " STATE_UNDONE(
            "r",
            EVER) " AND NOT EXISTS (SELECT 1 FROM items i "
                  "WHERE i.key = :key AND (:any OR i.doc IS :doc)) ORDER BY r.by_seq DESC LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    if (db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":key", key, d) != 0 ||
        bind_doc(db, st, doc, d) != 0 || (rc = db_row(db, st, d)) < 0)
        return -1;
    if (rc == 1) {
        *by = sqlite3_column_int64(st, 0);
        if (before != NULL)
            snprintf(before, 25, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    return rc;
}

/* Why NAME (KEY in document DOC, when it gives one) names no item: withdrawn, a key of another
 * document, a slip of case, or unknown (naming the nearest). The one answer every command that
 * names an item gives: DK_DATA, or DK_STORE. */
static int
item_unknown(struct db *db, const char *name, const char *doc, const char *key, struct diag *d)
{
    static const char cased[] = "SELECT group_concat(quote(key), ' or ') FROM (SELECT key FROM "
                                "items WHERE key = :key COLLATE NOCASE ORDER BY key)";
    sqlite3_stmt *st;
    long long by;
    int rc;

    if ((rc = item_withdrawn(db, name, &by, NULL, d)) < 0)
        return d->code;
    if (rc == 1)
        return diag_set(d, DK_DATA, "'%s' was withdrawn by event %lld (show --all shows it)", name,
                        by);
    if (doc && (rc = item_exists(db, NULL, key, d)) != 0) {
        const char *colon = strchr(name, ':');

        if (rc < 0)
            return d->code;
        if (colon == NULL)
            return diag_set(d, DK_DATA, "'%s' is not an item of %s", key, doc);
        return diag_set(d, DK_DATA, "'%s' is not an item of %.*s (%s)", key, (int)(colon - name),
                        name, doc);
    }
    if ((rc = db_prep(db, cased, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        rc = diag_set(d, DK_DATA, "unknown item '%s' (did you mean %s?)", key,
                      (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    return unknown(db, "item", key, "SELECT key FROM items", "see 'docket list'", d);
}

/* DK_DATA for KEY, which items of several documents have: "did you mean A:KEY or B:KEY?". */
static int
item_ambiguous(struct db *db, const char *key, struct diag *d)
{
    static const char sql[] =
        "SELECT doc, " DOC_STORED_ALIAS("i.doc") " FROM items i "
                                                 "WHERE key = :key ORDER BY doc";
    char list[1024], alias[128];
    size_t used = 0;
    sqlite3_stmt *st;
    int rc, n = 0;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0)
        return rc;
    list[0] = '\0';
    while ((rc = db_row(db, st, d)) == 1) {
        doc_alias_of((const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1), alias, sizeof alias);
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s:%s", n++ ? " or " : "",
                                     alias, key);
    }
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    return diag_set(d, DK_DATA, "'%s' is an item of %d documents (did you mean %s?)", key, n, list);
}

static int find(struct db *db, const char *const *doc, const char *key, struct item *out,
                struct diag *d);

int
item_load(struct db *db, const char *name, struct item *out, struct diag *d)
{
    const char *key;
    char *doc;
    int rc;

    if ((rc = item_name(db, name, &doc, &key, d)) != 0)
        return rc;
    if ((rc = find(db, doc ? (const char *const *)&doc : NULL, key, out, d)) == -1)
        rc = item_unknown(db, name, doc, key, d);
    free(doc);
    return rc;
}

int
item_load_in(struct db *db, const char *const *doc, const char *key, struct item *out,
             struct diag *d)
{
    int rc = find(db, doc, key, out, d);

    return rc == -1 ? item_unknown(db, key, doc ? *doc : NULL, key, d) : rc;
}

/* Loads item KEY of DOC (as item_check_status reads it) into *OUT: 0, -1 when no item has it,
 * DK_DATA when items of several documents have it (DOC NULL), DK_STORE. */
static int
find(struct db *db, const char *const *doc, const char *key, struct item *out, struct diag *d)
{
    /* The instances' rule is read from the events, by everything recorded: its latest edit
     * in force, else what the creation said. */
    static const char sql[] =
        "SELECT uuid, key, doc, kind, parent, title, ref, goal, due, description, created, "
        "status, since, cadence_months, progress, final, NULLIF(COALESCE((SELECT e.new_value "
        "FROM event e INDEXED BY event_edit WHERE e.item = i.uuid AND e.subject = 'instances' "
        "AND e.type = 'edit' AND e.seq NOT IN (" REVERTED_EVER ") ORDER BY " LATEST_E
        " LIMIT 1), (SELECT json_extract(c.attrs, '$.instances') FROM event c INDEXED BY "
        "event_items WHERE c.item = i.uuid AND c.type = 'item' AND c.seq NOT IN (" REVERTED_EVER
        ") ORDER BY c.seq LIMIT 1)), ''), i.rollup, count(*) OVER () FROM items i "
        "WHERE key = :key AND (:any OR doc IS :doc) LIMIT 1";
    struct item it = {0};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0 ||
        (rc = bind_doc(db, st, doc, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 0)
        return -1;
    if (sqlite3_column_int(st, 18) > 1) {
        sqlite3_reset(st);
        return item_ambiguous(db, key, d);
    }
    /* A row without these is a damaged page, not a lack of memory. */
    if (sqlite3_column_type(st, 0) == SQLITE_NULL || sqlite3_column_type(st, 1) == SQLITE_NULL ||
        sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_type(st, 10) == SQLITE_NULL) {
        sqlite3_reset(st);
        return diag_set(d, DK_STORE,
                        "the store is damaged: item '%s' lacks its id, kind or creation date", key);
    }
    it.uuid = item_dup_col(st, 0);
    it.key = item_dup_col(st, 1);
    it.doc = item_dup_col(st, 2);
    it.kind = item_dup_col(st, 3);
    it.parent = item_dup_col(st, 4);
    it.title = item_dup_col(st, 5);
    it.ref = item_dup_col(st, 6);
    it.goal = item_dup_col(st, 7);
    it.due = item_dup_col(st, 8);
    it.description = item_dup_col(st, 9);
    it.created = item_dup_col(st, 10);
    it.status = item_dup_col(st, 11);
    it.since = item_dup_col(st, 12);
    it.cadence_months = sqlite3_column_int64(st, 13);
    it.progress = sqlite3_column_int(st, 14);
    it.final = sqlite3_column_int(st, 15);
    it.instances = item_dup_col(st, 16);
    it.rollup = item_dup_col(st, 17);
    sqlite3_reset(st);
    if (it.uuid == NULL || it.key == NULL || it.kind == NULL || it.created == NULL) {
        item_free(&it);
        return diag_set(d, DK_STORE, "out of memory");
    }
    *out = it;
    return 0;
}

/* The names that SQL (bound with :kind to KIND, and :any and :doc as in item_check_status, where
 * it has them) returns, in order. */
struct names {
    char **v;
    size_t n;
};

static void
names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/* Loads into *NS the names SQL returns; on success the caller frees them (names_free). Returns
 * 0 or DK_STORE. */
static int
names_load(struct db *db, const char *sql, const char *const *doc, const char *kind,
           struct names *ns, struct diag *d)
{
    struct names got = {0};
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    if ((sqlite3_bind_parameter_index(st, ":kind") &&
         (rc = db_bind_text(db, st, ":kind", kind, d)) != 0) ||
        (sqlite3_bind_parameter_index(st, ":doc") &&
         (rc = db_bind_text(db, st, ":doc", doc ? *doc : NULL, d)) != 0) ||
        (sqlite3_bind_parameter_index(st, ":any") &&
         (rc = db_bind_int(db, st, ":any", doc == NULL, d)) != 0))
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        char **v = realloc(got.v, (got.n + 1) * sizeof *v);

        if (v == NULL || (v[got.n] = strdup(s ? s : "")) == NULL) {
            if (v)
                got.v = v;
            sqlite3_reset(st);
            names_free(&got);
            return diag_set(d, DK_STORE, "out of memory");
        }
        got.v = v;
        got.n++;
    }
    if (rc < 0) {
        names_free(&got);
        return d->code;
    }
    *ns = got;
    return 0;
}

/* Returns 0 when NAME is one of NS, else DK_DATA from text_unknown. */
static int
check_name(const struct names *ns, const char *what, const char *name, const char *where,
           const char *hint, struct diag *d)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], name) == 0)
            return 0;
    return text_unknown(d, what, name, where, (const char *const *)ns->v, ns->n, hint);
}

int
item_check_status(struct db *db, const char *const *doc, const char *kind, const char *status,
                  struct diag *d)
{
    /* A kind's statuses in its order; without one, every kind's, each once, by name. */
    static const char sql[] = "SELECT status FROM vocab WHERE (:any OR doc IS :doc) AND "
                              "(:kind IS NULL OR kind = :kind) "
                              "GROUP BY status ORDER BY CASE WHEN :kind IS NULL THEN status END, "
                              "min(ord), status";
    struct names ns;
    char where[128] = "";
    int rc;

    if ((rc = names_load(db, sql, doc, kind, &ns, d)) != 0)
        return rc;
    if (kind)
        snprintf(where, sizeof where, " for kind %s", kind);
    rc = check_name(&ns, "status", status, where, kind ? NULL : "see 'docket kinds'", d);
    names_free(&ns);
    return rc;
}

/* Returns the state's value of FIELD for IT, as the event layer stores it (borrowed from IT,
 * or written to BUF). */
static const char *
field_value(const struct item *it, const char *field, char *buf, size_t n)
{
    if (strcmp(field, "title") == 0)
        return it->title;
    if (strcmp(field, "ref") == 0)
        return it->ref;
    if (strcmp(field, "due") == 0)
        return it->due;
    if (strcmp(field, "parent") == 0)
        return it->parent;
    if (strcmp(field, "description") == 0)
        return it->description;
    if (strcmp(field, "created") == 0)
        return it->created;
    if (strcmp(field, "instances") == 0)
        return it->instances;
    if (strcmp(field, "rollup") == 0)
        return it->rollup;
    if (it->cadence_months == 0)
        return NULL;
    snprintf(buf, n, "%lld", it->cadence_months);
    return buf;
}

/* Checks that a status dated EFF does not lie wholly before IT existed. */
static int
after_creation(const struct item *it, const struct date *eff, struct diag *d)
{
    struct date created;

    if (date_parse(it->created, &created, d) != 0)
        return d->code;
    if (strcmp(eff->end, created.start) < 0)
        return diag_set(d, DK_DATA,
                        "'%s' is tracked from %s, after %s (--baseline records it as a fact from "
                        "before; `edit %s created=%s` tracks it from then)",
                        it->key, it->created, eff->text, it->key, eff->text);
    return 0;
}

/* Checks that a baseline dated EFF lies wholly before IT was tracked: a fact from later is an
 * ordinary status. */
static int
before_creation(const struct item *it, const struct date *eff, struct diag *d)
{
    struct date created;

    if (date_parse(it->created, &created, d) != 0)
        return d->code;
    if (strcmp(eff->end, created.start) >= 0)
        return diag_set(d, DK_DATA,
                        "'%s' is tracked from %s: --baseline is for facts from before then, and "
                        "%s is not (record it without --baseline)",
                        it->key, it->created, eff->text);
    return 0;
}

/* Returns 1 when a baseline of IT (set --baseline, or a checklist's) is in effect by the end of
 * EFF, 0 when none, -1 with D set. */
static int
baseline_by(struct db *db, const struct item *it, const struct date *eff, struct diag *d)
{
    static const char sql[] = "SELECT 1 FROM event e WHERE e.type = 'status' AND e.item = :item "
                              "AND e.eff_day <= :end AND json_extract(e.attrs, '$.baseline') IS "
                              "NOT NULL AND e.seq NOT IN (" REVERTED_EVER ")";
    sqlite3_stmt *st;
    int rc;

    if (db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":item", it->uuid, d) != 0 ||
        db_bind_text(db, st, ":end", eff->end, d) != 0)
        return -1;
    rc = db_row(db, st, d);
    sqlite3_reset(st);
    return rc;
}

int
item_status_same(struct db *db, const struct item *it, const char *status, const struct date *eff,
                 struct diag *d)
{
    /* The status a new event dated EFF would follow: later positions win ties, so every
     * event already recorded for the end of EFF comes before it. */
    static const char sql[] =
        "SELECT COALESCE((SELECT e.new_value FROM event e WHERE e.type = 'status' AND "
        "e.item = :item AND e.eff_day <= :end AND e.seq NOT IN (" REVERTED_EVER ") "
        "ORDER BY " LATEST_E " LIMIT 1), "
        "(SELECT k.initial FROM kinds k WHERE k.doc IS :doc AND k.name = :kind)) = :status";
    sqlite3_stmt *st;
    int rc;

    /* Before the item existed there is no status to have, unless a baseline from before
     * (set --baseline) says what it was: else that is the error to name. */
    if ((rc = baseline_by(db, it, eff, d)) < 0 || (rc == 0 && after_creation(it, eff, d) != 0) ||
        db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":item", it->uuid, d) != 0 ||
        db_bind_text(db, st, ":end", eff->end, d) != 0 ||
        db_bind_text(db, st, ":kind", it->kind, d) != 0 ||
        db_bind_text(db, st, ":doc", it->doc, d) != 0 ||
        db_bind_text(db, st, ":status", status, d) != 0 || (rc = db_row(db, st, d)) < 0)
        return -1;
    rc = rc == 1 && sqlite3_column_int(st, 0) == 1;
    sqlite3_reset(st);
    return rc;
}

int
item_set_status(struct db *db, const struct item *it, const char *status, const struct date *eff,
                const char *reason, int how, long long *seq, struct diag *d)
{
    struct event e = {.type = "status",
                      .item = it->uuid,
                      .subject = it->key,
                      .old_value = it->status,
                      .new_value = status,
                      .reason = reason,
                      .eff = eff->text};
    int rc, same = 0;

    if ((rc = item_check_status(db, (const char *const *)&it->doc, it->kind, status, d)) != 0 ||
        (rc = how == ITEM_BASELINE ? before_creation(it, eff, d) : after_creation(it, eff, d)) != 0)
        return rc;
    if (it->rollup && strcmp(it->rollup, "instances") == 0)
        return diag_set(d, DK_DATA,
                        "%s takes its status from its instances (rollup: instances): set the "
                        "instances (such as %s/XXX), or `edit %s rollup=own`",
                        it->key, it->key, it->key);
    if (how != ITEM_RECORD && how != ITEM_BASELINE &&
        (same = item_status_same(db, it, status, eff, d)) < 0)
        return d->code;
    if (same && how == ITEM_CHANGE)
        return diag_set(d, DK_DATA, "%s is already %s on %s (--force records a confirmation)",
                        it->key, status, eff->text);
    /* The canonical form has no place for them: a confirmation and a baseline (a status that
     * holds when the item is first tracked, or a fact from before) say so in their
     * attributes. */
    if ((same || how == ITEM_BASELINE || how == ITEM_RECORD) &&
        ((e.attrs = json_object()) == NULL ||
         ev_attr(e.attrs, same ? "confirm" : "baseline", "true") != 0))
        rc = diag_set(d, DK_STORE, "out of memory");
    else
        rc = ev_append(db, &e, seq, d);
    json_decref(e.attrs);
    return rc;
}

int
item_note(struct db *db, const struct item *it, const char *text, const struct date *eff,
          long long *seq, struct diag *d)
{
    struct event e = {
        .type = "note", .item = it->uuid, .subject = it->key, .reason = text, .eff = eff->text};

    return ev_append(db, &e, seq, d);
}

/* Parses a decimal AMOUNT with at most EXP decimals into integer minor units. */
static int
parse_amount(const char *amount, int exp, long long *out)
{
    const char *p = amount;
    long long v = 0;
    int neg = 0, decimals = -1, digits = 0;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p != '\0'; p++) {
        if (*p == '.' && decimals < 0 && digits > 0) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || decimals == exp)
            return -1;
        if (v > (LLONG_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
        digits++;
        if (decimals >= 0)
            decimals++;
    }
    if (digits == 0 || decimals == 0)
        return -1;
    for (int i = decimals < 0 ? 0 : decimals; i < exp; i++) {
        if (v > LLONG_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = neg ? -v : v;
    return 0;
}

int
item_cost(struct db *db, const struct item *it, const char *amount, const char *currency,
          const char *basis, int credit, const struct date *eff, const char *reason, long long *seq,
          struct diag *d)
{
    struct event e = {
        .type = "cost", .item = it->uuid, .subject = it->key, .reason = reason, .eff = eff->text};
    int exp = currency_exponent(currency);
    long long minor;
    char units[24];
    int rc;

    if (exp < 0)
        return diag_set(d, DK_DATA, "'%s' is not an ISO 4217 currency code (such as USD, CHF)",
                        currency);
    if (parse_amount(amount, exp, &minor) != 0)
        return diag_set(d, DK_DATA,
                        "bad amount '%s' (a decimal number with at most %d decimals for %s)",
                        amount, exp, currency);
    if (minor < 0 && !credit)
        return diag_set(d, DK_DATA,
                        "a negative amount '%s' is a credit: give --credit to record it", amount);
    snprintf(units, sizeof units, "%lld", minor);
    e.new_value = units;
    if ((e.attrs = json_object()) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    ev_attr(e.attrs, "currency", currency);
    ev_attr(e.attrs, "basis", basis);
    rc = ev_append(db, &e, seq, d);
    json_decref(e.attrs);
    return rc;
}

int
item_exists(struct db *db, const char *const *doc, const char *key, struct diag *d)
{
    static const char sql[] = "SELECT 1 FROM items WHERE key = :key AND (:any OR doc IS :doc)";
    sqlite3_stmt *st;
    int rc;

    if (db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":key", key, d) != 0 ||
        bind_doc(db, st, doc, d) != 0)
        return -1;
    rc = db_row(db, st, d);
    sqlite3_reset(st);
    return rc;
}

int
item_case_twins(struct db *db, int (*each)(void *arg, const char *keys), void *arg, struct diag *d)
{
    /* Grouped by the key without regard to case: one sort, not a comparison of every pair. */
    static const char sql[] =
        "SELECT group_concat(quote(key), ' and ') FROM (SELECT doc, key FROM items ORDER BY "
        "key COLLATE NOCASE, key) GROUP BY doc, key COLLATE NOCASE HAVING count(*) > 1 "
        "ORDER BY min(key COLLATE NOCASE)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1)
        if ((rc = each(arg, (const char *)sqlite3_column_text(st, 0))) != 0) {
            sqlite3_reset(st);
            return rc;
        }
    return rc < 0 ? d->code : 0;
}

/* Returns 1 when KEY is PARENT or one of its ancestors, so that making PARENT the parent of KEY
 * would close a loop; 0 when not; -1 with D set when the store cannot tell. */
int
item_closes_loop(struct db *db, const char *doc, const char *key, const char *parent,
                 struct diag *d)
{
    static const char sql[] = "WITH RECURSIVE up(k) AS (SELECT :parent UNION SELECT i.parent "
                              "FROM items i JOIN up ON i.key = up.k AND i.doc IS :doc "
                              "WHERE i.parent IS NOT NULL) SELECT 1 FROM up WHERE k = :key";
    sqlite3_stmt *st = NULL;
    int rc;

    if (db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":parent", parent, d) != 0 ||
        db_bind_text(db, st, ":doc", doc, d) != 0 || db_bind_text(db, st, ":key", key, d) != 0)
        return -1;
    rc = db_row(db, st, d);
    sqlite3_reset(st);
    return rc;
}

/* Checks that making PARENT the parent of KEY would not close a loop. */
static int
no_cycle(struct db *db, const char *doc, const char *key, const char *parent, struct diag *d)
{
    int rc = item_closes_loop(db, doc, key, parent, d);

    if (rc < 0)
        return d->code;
    if (rc == 1)
        return diag_set(d, DK_DATA, "'%s' cannot be under '%s': that would make a loop", key,
                        parent);
    return 0;
}

/* Checks that REF names a paragraph of document DOC, when DOC has paragraphs at all. */
static int
check_ref(struct db *db, const char *doc, const char *ref, struct diag *d)
{
    static const char sql[] =
        "SELECT count(*), coalesce(sum(ref = :ref), 0), group_concat(ref, ', ') FROM "
        "(SELECT ref FROM paragraphs WHERE doc = :doc ORDER BY ord)";
    sqlite3_stmt *st;
    int rc;

    if (doc == NULL || ref == NULL || ref[0] == '\0')
        return 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":doc", doc, d)) != 0 ||
        (rc = db_bind_text(db, st, ":ref", ref, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (sqlite3_column_int(st, 0) > 0 && sqlite3_column_int(st, 1) == 0)
        rc = diag_set(d, DK_DATA, "%s has no paragraph '%s' (it has %s)", doc, ref,
                      (const char *)sqlite3_column_text(st, 2));
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

static int
check_cadence(const char *v, long long *out, struct diag *d)
{
    char *end;
    long long n;

    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 120)
        return diag_set(d, DK_DATA, "bad cadence '%s' (a number of months from 1 to 120)", v);
    *out = n;
    return 0;
}

/* Writes to OUT the document a new item belongs to when neither it nor its parent names one:
 * the store's only document ("" when it has none). DK_USAGE when it has several: keys are each
 * document's own. */
static int
default_doc(struct db *db, const char *key, char *out, size_t n, struct diag *d)
{
    static const char sql[] = "SELECT min(symbol), count(*) FROM documents";
    sqlite3_stmt *st;
    int rc, count;

    out[0] = '\0';
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if ((count = sqlite3_column_int(st, 1)) == 1)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (count > 1)
        return diag_set(d, DK_USAGE,
                        "this store tracks %d documents: name the one '%s' belongs to with "
                        "--doc ALIAS or as ALIAS:%s",
                        count, key, key);
    return 0;
}

/* Finds the longest dotted prefix of KEY that names an item of DOC; writes it to OUT or "". */
static int
prefix_parent(struct db *db, const char *doc, const char *key, char *out, size_t n, struct diag *d)
{
    char *dot;
    int rc;

    snprintf(out, n, "%s", key);
    while ((dot = strrchr(out, '.')) != NULL) {
        *dot = '\0';
        if ((rc = item_exists(db, &doc, out, d)) < 0)
            return d->code;
        if (rc == 1)
            return 0;
    }
    out[0] = '\0';
    return 0;
}

int
item_check_kind(struct db *db, const char *const *doc, const char *kind, struct diag *d)
{
    static const char sql[] =
        "SELECT name FROM kinds WHERE :any OR doc IS :doc GROUP BY name ORDER BY name";
    struct names ns;
    int rc;

    if ((rc = names_load(db, sql, doc, NULL, &ns, d)) != 0)
        return rc;
    rc = check_name(&ns, "kind", kind, NULL, "see 'docket kinds'", d);
    names_free(&ns);
    return rc;
}

static int
keep_baseline(struct db *db, const char *doc, const char *kind, char *out, size_t n, struct diag *d)
{
    static const char sql[] = "SELECT keep_baseline FROM kinds WHERE doc IS :doc AND name = :kind";
    sqlite3_stmt *st;
    int rc;

    out[0] = '\0';
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":kind", kind, d)) != 0 ||
        (rc = db_bind_text(db, st, ":doc", doc, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 1 && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return 0;
}

/* Refuses KEY when an item's key differs from it only in case: keys are unique without regard
 * to case, so that unct/ken cannot sit beside unct/KEN. DK_DATA naming it, or DK_STORE. */
static int
no_case_twin(struct db *db, const char *doc, const char *key, struct diag *d)
{
    static const char sql[] = "SELECT key FROM items WHERE key = :key COLLATE NOCASE AND "
                              "key <> :key AND doc IS :doc ORDER BY key LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0 ||
        (rc = db_bind_text(db, st, ":doc", doc, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 1)
        rc = diag_set(d, DK_DATA,
                      "'%s' differs from the item '%s' only in case: keys are unique without "
                      "regard to case (did you mean '%s'?)",
                      key, (const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc;
}

/* Checks the instance KEY of PARENT, whose instances are countries: its code (after the '/')
 * must be an ISO 3166-1 alpha-3 code in upper case. On success *NAME is the country's name
 * (borrowed). DK_DATA: "did you mean" for a code in the wrong case. */
static int
check_country(const char *key, const char *parent, const char **name, struct diag *d)
{
    const char *code = strchr(key, '/') + 1;
    char upper[4];

    if ((*name = iso3166_name(code)) != NULL)
        return 0;
    if (strlen(code) == 3) {
        for (int i = 0; i < 3; i++)
            upper[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];
        upper[3] = '\0';
        if (iso3166_name(upper) != NULL)
            return diag_set(d, DK_DATA,
                            "'%s': the instances of '%s' are countries, keyed by ISO 3166-1 "
                            "alpha-3 code in upper case (did you mean '%s/%s'?)",
                            key, parent, parent, upper);
    }
    return diag_set(d, DK_DATA,
                    "'%s': the instances of '%s' are countries, and '%s' is not an ISO 3166-1 "
                    "alpha-3 code (such as '%s/KEN')",
                    key, parent, code, parent);
}

/* Writes to UUID the id of a new item named NAME (its document and key, NAMELEN bytes in a
 * buffer of SIZE): the v5 UUID of NAME, unless an item with that id was withdrawn, whose events
 * must stay with it; then the v5 UUID of NAME and the withdrawing revert's uuid, again until
 * an id is free. Every office that holds the same trail derives the same id. */
static int
new_item_uuid(struct db *db, char *name, size_t namelen, size_t size, char *uuid, struct diag *d)
{
    static const char sql[] =
        "SELECT (SELECT r.by_uuid FROM event c JOIN " STATE_REVERTS " r ON r.uuid = c.uuid "
        "WHERE c.type = 'item' AND c.item = :uuid AND NOT " STATE_UNDONE(
            "r", EVER) " "
                       "ORDER BY r.by_seq DESC LIMIT 1) FROM event c INDEXED BY event_items "
                       "WHERE c.item = :uuid AND c.type = 'item' LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    for (int round = 0;; round++) {
        if (uuid_v5(name, namelen, uuid) != 0)
            return diag_set(d, DK_STORE, "cannot make the item's id");
        if (round == 64)
            return diag_set(d, DK_DATA, "'%s' was withdrawn too many times", name);
        if ((rc = db_prep(db, sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":uuid", uuid, d)) != 0)
            return rc;
        if ((rc = db_row(db, st, d)) < 0)
            return d->code;
        if (rc == 0 || sqlite3_column_type(st, 0) == SQLITE_NULL || namelen + 2 + UUID_LEN > size) {
            sqlite3_reset(st);
            return 0;
        }
        /* NAME grows by one revert uuid a round: at most 64 of them fit the caller's buffer. */
        namelen += (size_t)snprintf(name + namelen, size - namelen, "\n%s",
                                    (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
    }
}

int
item_add(struct db *db, const struct item_spec *s, struct diag *d)
{
    char uuid[UUID_LEN + 1], doc[512], parent_buf[256], baseline[64], today[11], cad[24];
    const char *slash = strchr(s->key, '/'), *parent = s->parent, *kind = s->kind;
    const char *goal = s->goal, *base = s->baseline, *ref = s->ref, *title = s->title, *docp;
    struct item par = {0}, it = {0};
    struct date eff, due;
    struct event e = {.type = "item"};
    long long cadence = 0;
    size_t namelen;
    char *name = NULL;
    int rc;

    const struct {
        const char *name, *v;
    } text[] = {
        {"the title", s->title},   {"the ref", s->ref},       {"the description", s->description},
        {"the reason", s->reason}, {"the parent", s->parent}, {"the kind", s->kind}};

    /* Text is checked first, so that a bad byte is named as such wherever it is. */
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (text[i].v && !text_utf8_ok(text[i].v, strlen(text[i].v)))
            return diag_set(d, DK_DATA, "%s is not valid UTF-8 text", text[i].name);
    date_today(today);
    if (!text_key_ok(s->key))
        return diag_set(d, DK_DATA,
                        "bad key '%s' (lower-case words joined by '.', with an optional "
                        "'/INSTANCE', such as 'ceb.hlcm' or 'unct/KEN')",
                        s->key);
    if (s->instances && (strcmp(s->instances, ITEM_INSTANCES_ISO3166) != 0 || slash != NULL))
        return diag_set(d, DK_DATA,
                        "bad instances '%s' for '%s' (%s, for an item that is not "
                        "an instance)",
                        s->instances, s->key, ITEM_INSTANCES_ISO3166);
    if (s->due && (rc = date_parse(s->due, &due, d)) != 0)
        return rc;
    if (s->goal && strcmp(s->goal, "obtain") != 0 && strcmp(s->goal, "keep") != 0)
        return diag_set(d, DK_DATA, "bad goal '%s' (obtain or keep)", s->goal);
    if (s->cadence_months && (rc = check_cadence(s->cadence_months, &cadence, d)) != 0)
        return rc;
    if (s->rollup && !item_rollup_ok(s->rollup))
        return diag_set(d, DK_DATA, "bad rollup '%s' (own or instances)", s->rollup);
    if (slash != NULL) {
        /* An instance belongs to the item it is an instance of, and is of its kind. */
        snprintf(parent_buf, sizeof parent_buf, "%.*s", (int)(slash - s->key), s->key);
        if (parent && strcmp(parent, parent_buf) != 0)
            return diag_set(d, DK_DATA, "'%s' is an instance of '%s' and must stay under it",
                            s->key, parent_buf);
        parent = parent_buf;
    }
    /* The document first, since keys are each document's own: the parent's, else the one
     * named, else the store's only one. */
    if (parent) {
        if ((rc = s->doc ? item_load_in(db, &s->doc, parent, &par, d)
                         : item_load(db, parent, &par, d)) != 0)
            return rc;
        snprintf(doc, sizeof doc, "%s", par.doc ? par.doc : "");
    } else if (s->doc) {
        snprintf(doc, sizeof doc, "%s", s->doc);
    } else if ((rc = default_doc(db, s->key, doc, sizeof doc, d)) != 0) {
        return rc;
    }
    docp = doc[0] ? doc : NULL;
    if (parent == NULL) {
        if ((rc = prefix_parent(db, docp, s->key, parent_buf, sizeof parent_buf, d)) != 0)
            return rc;
        parent = parent_buf[0] ? parent_buf : NULL;
        if (parent && (rc = item_load_in(db, &docp, parent, &par, d)) != 0)
            return rc;
    }
    if ((rc = item_exists(db, &docp, s->key, d)) != 0) {
        rc = rc < 0 ? d->code : diag_set(d, DK_DATA, "item '%s' already exists", s->key);
        goto out;
    }
    if ((rc = no_case_twin(db, docp, s->key, d)) != 0)
        goto out;
    /* An item, an instance too, is tracked from the day it is added unless told otherwise:
     * an instance added today did not exist when its parent was adopted. */
    if ((rc = date_parse_past(s->eff ? s->eff : today, today, &eff, d)))
        goto out;
    if (slash != NULL) {
        if (kind && strcmp(kind, par.kind) != 0) {
            rc = diag_set(d, DK_DATA, "'%s' is an instance of '%s' and so a %s, not a %s", s->key,
                          par.key, par.kind, kind);
            goto out;
        }
        kind = par.kind;
        if (par.instances && strcmp(par.instances, ITEM_INSTANCES_ISO3166) == 0) {
            const char *country;

            if ((rc = check_country(s->key, par.key, &country, d)) != 0)
                goto out;
            if (title == NULL || title[0] == '\0')
                title = country;
        }
        if (goal == NULL)
            goal = par.goal;
        if (ref == NULL)
            ref = par.ref;
    }
    if (title == NULL || title[0] == '\0') {
        rc = diag_set(d, DK_DATA, "'%s' needs a title", s->key);
        goto out;
    }
    if (kind == NULL) {
        rc = diag_set(d, DK_DATA, "'%s' needs a kind", s->key);
        goto out;
    }
    if ((rc = item_check_kind(db, &docp, kind, d)) != 0)
        goto out;
    if (base == NULL && goal && strcmp(goal, "keep") == 0) {
        if ((rc = keep_baseline(db, docp, kind, baseline, sizeof baseline, d)) != 0)
            goto out;
        base = baseline[0] ? baseline : NULL;
    }
    if ((base && (rc = item_check_status(db, &docp, kind, base, d)) != 0) ||
        (rc = check_ref(db, docp, ref, d)) != 0)
        goto out;
    namelen = strlen(doc) + strlen(s->key) + 2;
    if ((name = malloc(namelen + 64 * (UUID_LEN + 1))) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    snprintf(name, namelen, "%s\n%s", doc, s->key);
    if ((rc = new_item_uuid(db, name, namelen - 1, namelen + 64 * (UUID_LEN + 1), uuid, d)) != 0)
        goto out;
    if ((e.attrs = json_object()) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    snprintf(cad, sizeof cad, "%lld", cadence);
    ev_attr(e.attrs, "doc", doc[0] ? doc : NULL);
    ev_attr(e.attrs, "kind", kind);
    ev_attr(e.attrs, "parent", parent);
    ev_attr(e.attrs, "ref", ref);
    ev_attr(e.attrs, "goal", goal);
    ev_attr(e.attrs, "due", s->due ? due.text : NULL);
    ev_attr(e.attrs, "cadence_months", cadence > 0 ? cad : NULL);
    ev_attr(e.attrs, "description", s->description);
    ev_attr(e.attrs, "instances", s->instances);
    ev_attr(e.attrs, "rollup", s->rollup);
    e.item = uuid;
    e.subject = s->key;
    e.new_value = title;
    e.reason = s->reason ? s->reason : "";
    e.eff = eff.text;
    if ((rc = ev_append(db, &e, NULL, d)) != 0)
        goto out;
    if (base) {
        if ((rc = item_load_in(db, &docp, s->key, &it, d)) != 0)
            goto out;
        rc = item_set_status(db, &it, base, &eff,
                             s->baseline ? "baseline" : "baseline: a membership to keep",
                             ITEM_RECORD, NULL, d);
    }
out:
    json_decref(e.attrs);
    free(name);
    item_free(&par);
    item_free(&it);
    return rc;
}

/* Checks VALUE as IT's creation date, into *OUT: a date not after today, and not after the
 * period of any of IT's statuses that stands (a status cannot predate its item). */
static int
check_created(struct db *db, const struct item *it, const char *value, struct date *out,
              struct diag *d)
{
    static const char sql[] =
        "SELECT e.eff_end, e.eff FROM event e WHERE e.type = 'status' AND e.item = :item "
        "AND e.seq NOT IN (" STATE_REVERTED_SEQ(
            "'9999-12-31T23:59:59.999Z'") ") "
                                          "ORDER BY e.eff_end LIMIT 1";
    char today[11];
    struct date c;
    sqlite3_stmt *st;
    int rc;

    if (value[0] == '\0')
        return diag_set(d, DK_DATA, "the creation date of '%s' cannot be cleared", it->key);
    date_today(today);
    if ((rc = date_parse_past(value, today, &c, d)) != 0)
        return rc;
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":item", it->uuid, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0) {
        sqlite3_reset(st);
        return d->code;
    }
    if (rc == 1 && strcmp((const char *)sqlite3_column_text(st, 0), c.start) < 0)
        rc = diag_set(d, DK_DATA, "'%s' has a status from %s, before %s", it->key,
                      (const char *)sqlite3_column_text(st, 1), value);
    else
        rc = 0;
    sqlite3_reset(st);
    if (rc == 0)
        *out = c;
    return rc;
}

int
item_edit(struct db *db, const struct item *it, const char *field, const char *value,
          const struct date *eff, const char *reason, struct diag *d)
{
    struct event e = {.type = "edit",
                      .item = it->uuid,
                      .subject = field,
                      .new_value = value,
                      .reason = reason,
                      .eff = eff->text};
    char buf[24];
    const char *old = field_value(it, field, buf, sizeof buf);
    struct date due, created;
    struct item par = {0};
    long long cadence;
    int rc, known = 0;

    for (int i = 0; item_fields[i]; i++)
        known |= strcmp(item_fields[i], field) == 0;
    if (!known)
        return diag_set(d, DK_DATA,
                        "'%s' is not a field that can be edited (title, ref, due, parent, "
                        "cadence_months, description, created, instances, rollup)",
                        field);
    if (strcmp(field, "parent") == 0 && strchr(it->key, '/') != NULL)
        return diag_set(d, DK_DATA, "'%s' is an instance: its parent is fixed", it->key);
    /* The rule holds for instances added from then on; those already there stay as they are. */
    if (strcmp(field, "instances") == 0 && value[0] != '\0' &&
        strcmp(value, ITEM_INSTANCES_ISO3166) != 0)
        return diag_set(d, DK_DATA,
                        "bad instances '%s' (%s: instances that are countries; "
                        "'instances=' clears it)",
                        value, ITEM_INSTANCES_ISO3166);
    if (strcmp(field, "instances") == 0 && strchr(it->key, '/') != NULL)
        return diag_set(d, DK_DATA, "'%s' is an instance and has no instances", it->key);
    if (strcmp(field, "created") == 0) {
        if ((rc = check_created(db, it, value, &created, d)) != 0)
            return rc;
        /* The edit is in effect from the creation date it gives, as the creation was. */
        e.eff = created.text;
    }
    if (strcmp(old ? old : "", value) == 0)
        return -1;
    e.old_value = old;
    if (value[0] == '\0') {
        if (strcmp(field, "title") == 0)
            return diag_set(d, DK_DATA, "the title of '%s' cannot be empty", it->key);
    } else if (strcmp(field, "due") == 0) {
        if ((rc = date_parse(value, &due, d)) != 0)
            return rc;
    } else if (strcmp(field, "ref") == 0) {
        if ((rc = check_ref(db, it->doc, value, d)) != 0)
            return rc;
    } else if (strcmp(field, "cadence_months") == 0) {
        if ((rc = check_cadence(value, &cadence, d)) != 0)
            return rc;
    } else if (strcmp(field, "rollup") == 0) {
        if (!item_rollup_ok(value))
            return diag_set(d, DK_DATA, "bad rollup '%s' (own or instances)", value);
    } else if (strcmp(field, "parent") == 0) {
        /* A parent is an item of the same document. */
        if ((rc = item_load_in(db, (const char *const *)&it->doc, value, &par, d)) != 0)
            return rc;
        item_free(&par);
        if ((rc = no_cycle(db, it->doc, it->key, value, d)) != 0)
            return rc;
    }
    return ev_append(db, &e, NULL, d);
}
