/* render_md.c: reports as GitHub-flavoured Markdown: a header, then a table per section. */
#include <string.h>

#include "docket/diag.h"
#include "docket/render.h"
#include "docket/text.h"

/* Writes S for a table cell or a line: '|', '\\', '<', '>' and '&' escaped (a reader of the
 * Markdown renders HTML in it), line breaks as spaces, control characters escaped as text_put
 * does. */
static void
put(FILE *f, const char *s)
{
    const char *p = s;

    while (*p) {
        size_t n = strcspn(p, "|\\\r\n<>&");
        char run[256];

        while (n > 0) {
            size_t k = n < sizeof run - 1 ? n : sizeof run - 1, cut = k;

            /* Cut at a UTF-8 character boundary: at most three continuation bytes back, as
             * no character has more. A longer run of them is not UTF-8 anyway (each byte is
             * escaped alone), so it is cut where it is, and the loop always advances. */
            while (cut < n && cut + 3 > k && ((unsigned char)p[cut] & 0xc0) == 0x80)
                cut--;
            if (cut < n && ((unsigned char)p[cut] & 0xc0) == 0x80)
                cut = k;
            k = cut;
            memcpy(run, p, k);
            run[k] = '\0';
            text_put(f, run);
            p += k;
            n -= k;
        }
        if (*p == '|' || *p == '\\')
            fprintf(f, "\\%c", *p++);
        else if (*p == '<' || *p == '>' || *p == '&')
            fputs(*p == '<' ? "&lt;" : *p == '>' ? "&gt;" : "&amp;", f), p++;
        else if (*p == '\r' || *p == '\n')
            fputc(' ', f), p++;
    }
}

/* Writes a heading (MARKS and TITLE) and the paragraph below it, DESCRIPTION, when there is one. */
static void
heading(FILE *f, const char *marks, const char *title, const char *description)
{
    fputs(marks, f);
    put(f, title);
    fputs("\n\n", f);
    if (description) {
        put(f, description);
        fputs("\n\n", f);
    }
}

static int
begin(struct render *r, const struct report_meta *m)
{
    char head[RENDER_HEAD_LEN], local[RENDER_HEAD_LEN], day[L10N_BUF];
    const char *colon = render_word(r, "punctuation", ": ");

    heading(r->f, "# ", render_word(r, NULL, m->title),
            m->description ? render_word(r, NULL, m->description) : NULL);
    for (int i = 0; i < m->ndocs; i++) {
        fprintf(r->f, "- %s%s", render_word(r, "meta", "Document"), colon);
        put(r->f, m->docs[i].symbol ? m->docs[i].symbol : "");
        fputs(", ", r->f);
        put(r->f, m->docs[i].title ? m->docs[i].title : "");
        if (m->docs[i].adopted) {
            fprintf(r->f, ", %s ", render_word(r, "meta", "adopted"));
            put(r->f, render_day(r, m->docs[i].adopted, day));
        }
        fputc('\n', r->f);
    }
    fprintf(r->f, "- %s%s%s\n", render_word(r, "meta", "As of"), colon,
            render_day(r, m->asof, day));
    if (m->generated)
        fprintf(r->f, "- %s%s%s\n", render_word(r, "meta", "Generated"), colon, m->generated);
    render_heads(m, head, local);
    fprintf(r->f, "- %s%s`%s`", render_word(r, "meta", "Audit trail"), colon, head);
    if (local[0])
        fprintf(r->f, "; %lld %s `%s`", m->unpublished, render_unpublished(r, m->unpublished),
                local);
    fputs("\n\n", r->f);
    return render_status(r);
}

/* Writes the head of a table of columns COLS[FIRST..NCOLS). */
static void
table_head(struct render *r, int first, int ncols, const char *const *cols)
{
    for (int i = first; i < ncols; i++) {
        if (!render_shows(r, i))
            continue;
        fputs("| ", r->f);
        put(r->f, render_word(r, "column", cols[i]));
        fputc(' ', r->f);
    }
    fputs("|\n", r->f);
    for (int i = first; i < ncols; i++)
        if (render_shows(r, i))
            fputs("|---", r->f);
    fputs("|\n", r->f);
}

static int
section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    heading(r->f, r->doc ? "### " : "## ", render_word(r, NULL, s->title),
            s->description ? render_word(r, NULL, s->description) : NULL);
    r->state = NULL; /* no row yet: section_end says so */
    /* Under "-- each:", each heading has a table of its own. */
    if (!r->prose && !render_first(r))
        table_head(r, 0, ncols, cols);
    return render_status(r);
}

/* A row of a "-- each:" section that opens a heading: the heading, the quote below it. */
static void
group_heading(struct render *r, sqlite3_stmt *st)
{
    const char *quote = r->group > 1 ? (const char *)sqlite3_column_text(st, 1) : NULL;

    if (r->group_table)
        fputc('\n', r->f);
    r->group_table = 0;
    fputs(r->doc ? "#### " : "### ", r->f);
    render_cell(r->f, st, 0, put);
    fputs("\n\n", r->f);
    if (quote && *quote) {
        fputs("> ", r->f);
        put(r->f, quote);
        fputs("\n\n", r->f);
    }
}

static int
row(struct render *r, sqlite3_stmt *st)
{
    char num[L10N_BUF];
    int first = render_first(r);

    r->state = r; /* any non-NULL value: a row was written */
    if (first && render_group_opens(r, st))
        group_heading(r, st);
    if (first && render_group_only(r, st))
        return render_status(r);
    /* Sentences: each cell a paragraph of its own. */
    for (int i = first; r->prose && i < render_columns(r, st); i++) {
        if (!render_shows(r, i))
            continue;
        render_cell(r->f, st, i, put);
        fputs("\n\n", r->f);
    }
    if (r->prose)
        return render_status(r);
    if (first && !r->group_table) {
        table_head(r, first, r->ncols, r->cols);
        r->group_table = 1;
    }
    for (int i = first; i < render_columns(r, st); i++) {
        if (!render_shows(r, i))
            continue;
        fputs("| ", r->f);
        if (sqlite3_column_type(st, i) == SQLITE_FLOAT)
            put(r->f, render_number(r, st, i, num));
        else
            render_cell(r->f, st, i, put);
        fputc(' ', r->f);
    }
    fputs("|\n", r->f);
    return render_status(r);
}

static int
section_end(struct render *r, const struct report_section *s)
{
    (void)s;
    if (r->prose)
        return render_status(r);
    if (r->state == NULL)
        fprintf(r->f, "\n_%s_\n", render_word(r, "meta", "No rows."));
    fputc('\n', r->f);
    return render_status(r);
}

static int
end(struct render *r)
{
    (void)r;
    return render_status(r);
}

static void
free_state(struct render *r)
{
    r->state = NULL;
}

/* A document's part of a portfolio: a heading one level above its sections'. */
static int
document(struct render *r, const struct report_doc *doc)
{
    r->doc = doc;
    if (doc == NULL)
        return render_status(r);
    fputs("## ", r->f);
    put(r->f, doc->alias ? doc->alias : "");
    fputs(" \xe2\x80\x94 ", r->f);
    put(r->f, doc->symbol ? doc->symbol : "");
    fputs(": ", r->f);
    put(r->f, doc->title ? doc->title : "");
    fputs("\n\n", r->f);
    return render_status(r);
}

const struct render_ops render_md = {begin, section,    row,      section_end,
                                     end,   free_state, document, NULL};
