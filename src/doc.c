/* doc.c: the documents a store tracks and their aliases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docket/checklist.h"
#include "docket/doc.h"
#include "docket/event.h"

void
doc_alias_of(const char *symbol, const char *stored, char *out, size_t n)
{
    char *made;

    if (stored != NULL) {
        snprintf(out, n, "%s", stored);
        return;
    }
    made = checklist_alias_from_symbol(symbol != NULL ? symbol : "");
    snprintf(out, n, "%s", made && made[0] ? made : "doc");
    free(made);
}

int
doc_each(struct db *db, int (*each)(void *arg, const char *symbol, const char *alias), void *arg,
         struct diag *d)
{
    static const char sql[] =
        "SELECT symbol, " DOC_STORED_ALIAS("d.symbol") " FROM documents d ORDER BY symbol";
    sqlite3_stmt *st;
    char alias[256];
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *symbol = (const char *)sqlite3_column_text(st, 0);

        if (symbol == NULL) {
            rc = diag_set(d, DK_STORE, "the store is damaged: a document has no symbol");
            break;
        }
        doc_alias_of(symbol, (const char *)sqlite3_column_text(st, 1), alias, sizeof alias);
        if ((rc = each(arg, symbol, alias)) != 0)
            break;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc;
}

struct lookup {
    const char *alias;
    char *symbol; /* found: its document's symbol */
    int oom;
};

static int
match(void *arg, const char *symbol, const char *alias)
{
    struct lookup *l = arg;

    if (strcmp(alias, l->alias) != 0)
        return 0;
    l->symbol = strdup(symbol);
    l->oom = l->symbol == NULL;
    return 1;
}

int
doc_find(struct db *db, const char *alias, char **symbol, struct diag *d)
{
    struct lookup l = {.alias = alias};
    int rc = doc_each(db, match, &l, d);

    *symbol = NULL;
    if (rc > 1) /* an exit code: the walk failed */
        return rc;
    if (l.oom)
        return diag_set(d, DK_STORE, "out of memory");
    *symbol = l.symbol;
    return 0;
}

int
doc_alias_free(struct db *db, const char *alias, const char *symbol, struct diag *d)
{
    char *holder;
    int rc;

    if ((rc = doc_find(db, alias, &holder, d)) != 0)
        return rc;
    if (holder != NULL && strcmp(holder, symbol) != 0)
        rc = diag_set(d, DK_DATA, "the alias '%s' is taken by %s: choose another", alias, holder);
    free(holder);
    return rc;
}

int
doc_rename(struct db *db, const char *old, const char *new, const char *reason, long long *seq,
           struct diag *d)
{
    static const char sql[] = "SELECT new_value, attrs, eff FROM event INDEXED BY event_defs WHERE "
                              "type = 'document' AND item IS NULL AND "
                              "subject = :symbol ORDER BY seq DESC LIMIT 1";
    struct event e = {.type = "document", .reason = reason};
    char *symbol = NULL;
    sqlite3_stmt *st;
    json_error_t err;
    int rc;

    if (!checklist_alias_ok(new))
        return diag_set(d, DK_DATA, "bad alias '%s' (lower-case letters, digits and '-')", new);
    if ((rc = doc_find(db, old, &symbol, d)) != 0)
        return rc;
    if (symbol == NULL)
        return diag_set(d, DK_DATA, "no document has the alias '%s' (see 'docket docs')", old);
    if (strcmp(old, new) == 0) {
        rc = diag_set(d, DK_DATA, "%s already has the alias '%s'", symbol, new);
        goto out;
    }
    if ((rc = doc_alias_free(db, new, symbol, d)) != 0 || (rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":symbol", symbol, d)) != 0)
        goto out;
    if ((rc = db_row(db, st, d)) != 1) {
        sqlite3_reset(st);
        rc = rc < 0 ? d->code : diag_set(d, DK_STORE, "internal: %s has no document event", symbol);
        goto out;
    }
    /* The latest document event's fields, as they stand, with the new alias. */
    e.subject = symbol;
    e.new_value = (const char *)sqlite3_column_text(st, 0);
    e.eff = (const char *)sqlite3_column_text(st, 2);
    e.attrs = json_loads((const char *)sqlite3_column_text(st, 1), 0, &err);
    if (e.attrs == NULL || ev_attr(e.attrs, "alias", new) != 0)
        rc = diag_set(d, DK_STORE, "out of memory");
    else
        rc = ev_append(db, &e, seq, d);
    sqlite3_reset(st);
    json_decref(e.attrs);
out:
    free(symbol);
    return rc;
}
