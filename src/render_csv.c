/* render_csv.c: reports as CSV (RFC 4180, UTF-8, CRLF): one section, or the whole report: a
 * few rows naming what it is (report, document, as_of, generated, trail: a name and its
 * values, as the other formats carry them), a blank row, then every section after a row
 * holding its title. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/render.h"
#include "docket/text.h"

/* Writes one header row: NAME, then each of the N values (NULL ones as empty fields). */
static void
meta_row(FILE *f, const char *name, int n, const char *const *values)
{
    text_csv_field(f, name);
    for (int i = 0; i < n; i++) {
        fputc(',', f);
        text_csv_field(f, values[i] ? values[i] : "");
    }
    fputs("\r\n", f);
}

static int
begin(struct render *r, const struct report_meta *m)
{
    char head[RENDER_HEAD_LEN], local[RENDER_HEAD_LEN];
    const char *v[3];

    if (r->one_section)
        return render_status(r);
    v[0] = m->report;
    meta_row(r->f, "report", 1, v);
    for (int i = 0; i < m->ndocs; i++) {
        v[0] = m->docs[i].symbol;
        v[1] = m->docs[i].title;
        v[2] = m->docs[i].adopted;
        meta_row(r->f, "document", 3, v);
    }
    v[0] = m->asof;
    meta_row(r->f, "as_of", 1, v);
    if (m->generated) {
        v[0] = m->generated;
        meta_row(r->f, "generated", 1, v);
    }
    render_heads(m, head, local);
    v[0] = head;
    v[1] = local;
    meta_row(r->f, "trail", local[0] ? 2 : 1, v);
    fputs("\r\n", r->f);
    return render_status(r);
}

static int
section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    if (!r->one_section) {
        text_csv_field(r->f, s->title);
        fputs("\r\n", r->f);
    }
    /* In a portfolio, each row names its document first. */
    if (r->doc)
        fputs("document", r->f);
    for (int i = 0, sep = r->doc != NULL; i < ncols; i++) {
        if (!render_shows(r, i))
            continue;
        if (sep++)
            fputc(',', r->f);
        text_csv_field(r->f, cols[i]);
    }
    fputs("\r\n", r->f);
    return render_status(r);
}

/* Writes column I of ST's current row as one field. Text that is not UTF-8 (a blob, a cut
 * string) has its bad bytes, and any NUL, replaced by U+FFFD, as in the JSON report: a CSV
 * file is UTF-8, and a NUL would cut the value short. Text a spreadsheet would run goes out
 * after a ' (text_csv_field); an INTEGER or REAL value goes out as the number it is, never
 * after one, so that -5 stays a number. Returns 0, or DK_IO when memory runs out. */
static int
cell(FILE *f, sqlite3_stmt *st, int i)
{
    const char *s;
    size_t n;
    char *fixed;

    if (sqlite3_column_type(st, i) != SQLITE_TEXT && sqlite3_column_type(st, i) != SQLITE_BLOB) {
        render_cell(f, st, i, text_csv_field);
        return 0;
    }
    if ((s = render_text(st, i, &n, &fixed)) == NULL) {
        errno = ENOMEM;
        return DK_IO;
    }
    text_csv_field(f, s);
    free(fixed);
    return 0;
}

static int
row(struct render *r, sqlite3_stmt *st)
{
    if (r->doc)
        text_csv_field(r->f, r->doc->alias ? r->doc->alias : "");
    for (int i = 0, sep = r->doc != NULL; i < render_columns(r, st); i++) {
        if (!render_shows(r, i))
            continue;
        if (sep++)
            fputc(',', r->f);
        if (cell(r->f, st, i) != 0)
            return DK_IO;
    }
    fputs("\r\n", r->f);
    return render_status(r);
}

static int
section_end(struct render *r, const struct report_section *s)
{
    (void)s;
    return render_status(r);
}

static int
end(struct render *r)
{
    return render_status(r);
}

static void
free_state(struct render *r)
{
    (void)r;
}

static int
document(struct render *r, const struct report_doc *doc)
{
    r->doc = doc;
    return render_status(r);
}

const struct render_ops render_csv = {begin, section,    row,      section_end,
                                      end,   free_state, document, NULL};
