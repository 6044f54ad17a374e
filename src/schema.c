/* schema.c: the migrations, and the check that a store's schema is the one they make. */
#include <string.h>

#include "docket/schema.h"

const struct embed_file *
schema_migration(int n)
{
    int i = 0;

    for (const struct embed_file *f = embed_files; f->name; f++)
        if (strncmp(f->name, "schema/", 7) == 0 && strchr(f->name + 7, '/') == NULL && ++i == n)
            return f;
    return NULL;
}

/* Returns column I of ST's row as text, "" for NULL (borrowed until the next step). */
static const char *
text(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);

    return v ? (const char *)v : "";
}

int
schema_check(sqlite3 *h, struct diag *d)
{
    static const char damaged[] =
        "the store is damaged, or its schema was changed behind docket's back: ";
    /* All but the statistics tables that ANALYZE may add; by name, which is unique. */
    static const char sql[] = "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
                              "WHERE substr(name, 1, 11) <> 'sqlite_stat' ORDER BY name";
    const struct schema_entry *want = schema_expected;
    sqlite3_stmt *st;
    int rc = 0, step;

    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        return diag_set(d, DK_STORE, "cannot read the store's schema: %s", sqlite3_errmsg(h));
    step = sqlite3_step(st);
    /* A merge of two lists ordered by name: the first name in one and not the other, or the
     * first entry whose text differs, is the difference named. */
    while (rc == 0 && (step == SQLITE_ROW || step == SQLITE_DONE) &&
           (want->name || step == SQLITE_ROW)) {
        const char *got = step == SQLITE_ROW ? text(st, 1) : NULL;
        int cmp = !want->name ? 1 : !got ? -1 : strcmp(want->name, got);

        if (cmp < 0)
            rc = diag_set(d, DK_STORE, "%s%s '%s' is missing", damaged, want->type, want->name);
        else if (cmp > 0)
            rc = diag_set(d, DK_STORE, "%s%s '%s' is not docket's", damaged, text(st, 0), got);
        else if (strcmp(want->type, text(st, 0)) != 0 || strcmp(want->tbl, text(st, 2)) != 0 ||
                 strcmp(want->sql, text(st, 3)) != 0)
            rc =
                diag_set(d, DK_STORE, "%s%s '%s' differs from docket's", damaged, text(st, 0), got);
        if (cmp <= 0)
            want++;
        if (cmp >= 0)
            step = sqlite3_step(st);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = diag_set(d, DK_STORE, "cannot read the store's schema: %s", sqlite3_errmsg(h));
    sqlite3_finalize(st);
    return rc;
}
