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

const char *
render_word(const struct render *r, const char *ctx, const char *msgid)
{
    return r->l10n ? l10n_ctext(r->l10n, ctx, msgid) : msgid;
}

const char *
render_unpublished(const struct render *r, long long n)
{
    static const char one[] = "event not yet in the shared log, this store's head",
                      many[] = "events not yet in the shared log, this store's head";

    if (r->l10n)
        return l10n_plural(r->l10n, one, many, n);
    return n == 1 ? one : many;
}

const char *
render_number(const struct render *r, sqlite3_stmt *st, int i, char buf[L10N_BUF])
{
    double v = sqlite3_column_double(st, i);
    const char *dot;
    char plain[32];
    int decimals;

    if (sqlite3_column_type(st, i) != SQLITE_FLOAT) {
        const char *t = (const char *)sqlite3_column_text(st, i);

        return t ? t : "";
    }
    /* As many decimals as the shortest form that reads back the same has (a rounded figure
     * keeps its own), in the language's form; a figure in exponent form stays as it is. */
    snprintf(plain, sizeof plain, "%.15g", v);
    dot = strchr(plain, '.');
    decimals = dot ? (int)strspn(dot + 1, "0123456789") : 0;
    if (r->l10n == NULL || strpbrk(plain, "eE") || decimals > 6 ||
        l10n_number(r->l10n, v, decimals, buf) != 0)
        snprintf(buf, L10N_BUF, "%s", plain);
    return buf;
}

const char *
render_day(const struct render *r, const char *date, char buf[L10N_BUF])
{
    return r->l10n && l10n_day(r->l10n, date, buf) == 0 ? buf : date;
}

int
render_columns(const struct render *r, sqlite3_stmt *st)
{
    return sqlite3_column_count(st) - (r->hide_last ? 1 : 0);
}

int
render_shows(const struct render *r, int i)
{
    return i >= 64 || !(r->hidden >> i & 1);
}

int
render_first(const struct render *r)
{
    return r->l10n != NULL ? r->group : 0;
}

int
render_group_opens(struct render *r, sqlite3_stmt *st)
{
    const char *v = (const char *)sqlite3_column_text(st, 0);
    char *copy;

    if (r->group_last != NULL && strcmp(r->group_last, v ? v : "") == 0)
        return 0;
    if ((copy = strdup(v ? v : "")) == NULL)
        return -1;
    free(r->group_last);
    r->group_last = copy;
    return 1;
}

int
render_group_only(const struct render *r, sqlite3_stmt *st)
{
    for (int i = render_first(r); i < render_columns(r, st); i++)
        if (sqlite3_column_type(st, i) != SQLITE_NULL)
            return 0;
    return 1;
}
