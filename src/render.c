/* render.c: what the report formats share: the heads a report is stamped with, and a row's
 * cells as text or JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/render.h"
#include "docket/text.h"

int
render_status(const struct render *r)
{
    return ferror(r->f) ? DK_IO : 0;
}

void
render_heads(const struct report_meta *m, char main[RENDER_HEAD_LEN], char local[RENDER_HEAD_LEN])
{
    local[0] = '\0';
    if (m->shared == 0) {
        snprintf(main, RENDER_HEAD_LEN, "local:%lld:%.64s", m->events, m->head);
        return;
    }
    snprintf(main, RENDER_HEAD_LEN, "shared:%lld:%.64s", m->shared, m->shared_head);
    if (m->unpublished > 0)
        snprintf(local, RENDER_HEAD_LEN, "local:%lld:%.64s", m->events, m->head);
}

void
render_cell(FILE *f, sqlite3_stmt *st, int i, void (*text)(FILE *f, const char *s))
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        break;
    case SQLITE_INTEGER:
        fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        fprintf(f, "%.15g", sqlite3_column_double(st, i));
        break;
    default:
        text(f, (const char *)sqlite3_column_text(st, i));
    }
}

const char *
render_text(sqlite3_stmt *st, int i, size_t *n, char **fixed)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    *fixed = NULL;
    *n = (size_t)sqlite3_column_bytes(st, i);
    if (s == NULL || text_utf8_ok(s, *n))
        return s ? s : "";
    if ((*fixed = text_repair(s, *n)) != NULL)
        *n = strlen(*fixed);
    return *fixed;
}

json_t *
render_json_value(sqlite3_stmt *st, int i, int repair)
{
    const char *s;
    size_t n;
    char *fixed;
    json_t *v;

    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return json_null();
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
        /* json_real refuses infinity and NaN: such a cell is null, and keeps its place. */
        if (!isfinite(sqlite3_column_double(st, i)))
            return json_null();
        return json_real(sqlite3_column_double(st, i));
    default:
        if (!repair)
            return json_stringn((const char *)sqlite3_column_text(st, i),
                                (size_t)sqlite3_column_bytes(st, i));
        if ((s = render_text(st, i, &n, &fixed)) == NULL)
            return json_null();
        v = json_stringn(s, n);
        free(fixed);
        return v;
    }
}
