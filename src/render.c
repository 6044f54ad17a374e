/* render.c: what the report formats share: the heads a report is stamped with, and a row's
 * cells as text. */
#include <stdio.h>
#include <string.h>

#include "docket/render.h"
#include "docket/text.h"

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
