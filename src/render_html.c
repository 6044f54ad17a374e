/* render_html.c: a report as one self-contained HTML5 page, with inline CSS; its SVG charts come
 * from render_chart.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/render.h"
#include "docket/render_chart.h"
#include "docket/text.h"

struct html {
    char head[RENDER_HEAD_LEN]; /* the head the report is stamped with, for the footer */
    int sections;
    long long rows;     /* rows of the current section */
    int tbody;          /* the current table's <tbody> is open */
    struct chart chart; /* the current section's, and the figures so far */
};

static const char css[] =
    ":root{--ink:#1d2530;--muted:#5b6675;--line:#c9d1da;--head:#eef2f6;--stripe:#f7f9fb;"
    "--accent:#1f5f8b}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0 auto;max-width:62rem;padding:2rem 1.5rem 3rem;color:var(--ink);"
    "background:#fff;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Helvetica Neue\",\"Noto Sans\",\"Liberation Sans\",Arial,sans-serif;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "header{border-bottom:2px solid var(--accent);padding-bottom:1rem;margin-bottom:1.5rem}\n"
    ".kicker{margin:0;color:var(--muted);font-size:.8rem;letter-spacing:.06em;"
    "text-transform:uppercase}\n"
    "h1{font-size:1.75rem;line-height:1.2;margin:.25rem 0 .5rem;overflow-wrap:anywhere}\n"
    "h2{font-size:1.25rem;line-height:1.25;margin:2.25rem 0 .4rem;padding-top:.25rem;"
    "color:var(--accent);overflow-wrap:anywhere;break-after:avoid;page-break-after:avoid}\n"
    ".lead{margin:.25rem 0 1rem;font-size:1.05rem;overflow-wrap:anywhere}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0;"
    "font-size:.9rem}\n"
    "dl.meta dt{color:var(--muted);font-weight:600}\n"
    "dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
    "ul.docs{margin:0;padding:0;list-style:none}\n"
    "code{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,\"DejaVu Sans Mono\","
    "\"Liberation Mono\",monospace;font-size:.85em}\n"
    "time{white-space:nowrap}\n"
    "code.head{display:inline-block;max-width:100%;overflow-wrap:anywhere;padding:0 .2em;"
    "background:var(--stripe);border:1px solid var(--line);border-radius:3px}\n"
    "section>p{margin:.25rem 0 .75rem;max-width:48rem;overflow-wrap:anywhere}\n"
    "section>p.desc{color:var(--muted);break-after:avoid;page-break-after:avoid}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 .75rem;font-size:.85rem;"
    "font-variant-numeric:tabular-nums}\n"
    "th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;"
    "vertical-align:top;overflow-wrap:break-word}\n"
    "td{white-space:pre-line}\n"
    "td.brk{overflow-wrap:anywhere;min-width:12em}\n"
    "td.nw{white-space:nowrap}\n"
    "th{background:var(--head);font-weight:600}\n"
    "thead{display:table-header-group}\n"
    "tbody tr:nth-child(even){background:var(--stripe)}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "td.num{text-align:right;white-space:nowrap;overflow-wrap:normal}\n"
    "td.blob{color:var(--muted);font-style:italic}\n"
    "p.empty{color:var(--muted);font-style:italic}\n"
    "p.note{color:#7a4b00;background:#fff7e6;border-left:3px solid #e0a030;padding:.3rem .6rem;"
    "font-size:.85rem}\n"
    "figure{margin:1rem 0 1.5rem;break-inside:avoid;page-break-inside:avoid}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:.85rem;color:var(--muted);margin-top:.35rem}\n"
    "svg text{font-family:inherit;font-size:11px;fill:#333}\n"
    "svg .tick{fill:#5b6675}\n"
    "svg .val{font-size:10px;fill:#1d2530}\n"
    "svg .atitle{font-weight:600;fill:#1d2530}\n"
    "svg .grid{stroke:#e3e8ee;stroke-width:1}\n"
    "svg .axis{stroke:#5b6675;stroke-width:1}\n"
    "svg .bar{fill:#1f5f8b}\n"
    "svg .line{fill:none;stroke:#1f5f8b;stroke-width:2;stroke-linejoin:round}\n"
    "svg .area{fill:#1f5f8b;fill-opacity:.1;stroke:none}\n"
    "svg .dot{fill:#1f5f8b;stroke:#fff;stroke-width:1}\n"
    "footer{margin-top:2.5rem;padding-top:.75rem;border-top:1px solid var(--line);"
    "font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}\n"
    "@media print{body{max-width:none;padding:0;font-size:9.5pt}"
    "h1{font-size:18pt}h2{font-size:13pt;margin-top:1.4rem}h3{font-size:11pt}"
    "table{font-size:8.5pt;line-height:1.3}th,td{padding:.15rem .4rem}"
    /* A heading that cannot be split and reaches 7rem below itself moves to the next page
     * rather than sit at the foot of one with a row or two under it. */
    "section>h2,section>h3{break-inside:avoid;page-break-inside:avoid;padding-bottom:7rem;"
    "margin-bottom:-7rem;break-after:avoid;page-break-after:avoid}"
    "code.head{font-size:.8em}"
    /* A table of many columns takes a smaller type; past ten columns, they share the page's
     * width evenly and a cell's text breaks anywhere, so that the table fits the page rather
     * than run off its edge, which a printed page cuts. */
    "table:has(th:nth-child(7)){font-size:7.5pt}"
    "table:has(th:nth-child(7)) td.brk{min-width:8em}"
    "table:has(th:nth-child(9)){font-size:7pt}"
    "table:has(th:nth-child(11)){font-size:6.5pt;table-layout:fixed}"
    "table:has(th:nth-child(11)) :is(th,td){overflow-wrap:anywhere;white-space:normal;"
    "padding:.1rem .2rem;min-width:0}"
    "a{color:inherit;text-decoration:none}}\n";

/* The longest text, in bytes, that a page's margin box shows of a symbol or a title: a
 * longer one is cut (at a character's start) and ends in an ellipsis. */
enum { MARGIN_TEXT_MAX = 80 };

/* Writes S as the inside of a CSS string literal: quotes, backslashes, the angle brackets (the
 * sheet sits in a <style> element, which "</style" would end) and control characters as hex
 * escapes, other bytes as they are. S must be UTF-8 (the caller repairs it); at most MAX bytes
 * are written, cut at a character's start, with an ellipsis after a cut. */
static void
css_string(FILE *f, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), cut = n;

    if (n > max) {
        cut = max;
        while (cut > 0 && (p[cut] & 0xc0) == 0x80)
            cut--;
    }
    for (size_t i = 0; i < cut; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"' || p[i] == '\\' || p[i] == '<' ||
            p[i] == '>')
            /* The space ends the escape, so that a hex digit after it is text. */
            fprintf(f, "\\%x ", p[i]);
        else
            fputc(p[i], f);
    }
    if (cut < n)
        fputs("\\2026 ", f);
}

/* Writes TEXT (which may be any bytes) as a CSS string literal, quotes included. */
static void
css_literal(FILE *f, const char *text)
{
    char *fixed = NULL;
    const char *t = text;

    /* Without memory for the repair, the bad text is left out rather than written broken. */
    if (!text_utf8_ok(text, strlen(text)))
        t = (fixed = text_repair(text, strlen(text))) ? fixed : "";
    fputc('"', f);
    css_string(f, t, MARGIN_TEXT_MAX);
    fputc('"', f);
    free(fixed);
}

/* Writes the printed page: A4, and in every page's margin what the page comes from, so that a
 * page read alone still says it: the document's symbol ("N documents" for a portfolio, else
 * the report's title) and the as-of date at the top, the trail's head and "Page N of M" at the
 * foot. The head is written whole, as `verify --head` prints it. The report is generated
 * afresh each time, so these are string literals in the sheet itself. */
static void
print_page_css(const struct render *r, const struct report_meta *m, const char *head)
{
    FILE *f = r->f;
    char day[L10N_BUF];
    static const char box[] = "font:7.5pt/1.3 system-ui,\"Noto Sans\",\"Liberation Sans\","
                              "Arial,sans-serif;color:#5b6675;";

    fputs("@page{size:A4;margin:16mm 14mm 16mm 14mm;\n@top-left{", f);
    fputs(box, f);
    fputs("content:", f);
    if (m->ndocs == 1 && m->docs[0].symbol) {
        css_literal(f, m->docs[0].symbol);
    } else if (m->ndocs > 1) {
        fprintf(f, "\"%d \" ", m->ndocs);
        css_literal(f, render_word(r, "print", "documents"));
    } else {
        css_literal(f, m->title ? m->title : m->report ? m->report : "");
    }
    fputs("}\n@top-right{", f);
    fputs(box, f);
    fputs("content:", f);
    if (m->asof) {
        css_literal(f, render_word(r, "meta", "As of"));
        css_literal(f, render_word(r, "punctuation", ": "));
        css_literal(f, render_day(r, m->asof, day));
    } else {
        fputs("none", f);
    }
    fputs("}\n@bottom-left{", f);
    fputs(box, f);
    /* A head is at most 91 characters: in this size it fits the box's width whole. */
    fputs("font-family:ui-monospace,\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;"
          "font-size:6.5pt;content:",
          f);
    css_literal(f, render_word(r, "meta", "Audit trail"));
    css_literal(f, render_word(r, "punctuation", ": "));
    css_literal(f, head);
    fputs("}\n@bottom-right{", f);
    fputs(box, f);
    fputs("white-space:nowrap;content:", f);
    css_literal(f, render_word(r, "print", "Page"));
    fputs(" \" \" counter(page) \" \" ", f);
    css_literal(f, render_word(r, "print", "of"));
    fputs(" \" \" counter(pages)}}\n", f);
}

/* Writes a <dt>LABEL</dt> and a <dd> holding the time WHEN, of class CLASS, shown as SHOWN. */
static void
time_item(FILE *f, const char *label, const char *class, const char *when, const char *shown)
{
    fprintf(f, "<dt>%s</dt>\n<dd><time class=\"%s\" datetime=\"", label, class);
    text_html(f, when);
    fputs("\">", f);
    text_html(f, shown);
    fputs("</time></dd>\n", f);
}

static int
html_begin(struct render *r, const struct report_meta *m)
{
    FILE *f = r->f;
    struct html *h = calloc(1, sizeof *h);
    const char *title = m->title ? m->title : m->report;
    char head[RENDER_HEAD_LEN], local[RENDER_HEAD_LEN], day[L10N_BUF];

    r->state = h;
    if (h != NULL) {
        render_heads(m, h->head, local);
    }
    title = render_word(r, NULL, title);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"docket\">\n<title>",
            r->l10n ? l10n_lang(r->l10n) : "en");
    text_html(f, title);
    fprintf(f, "</title>\n<style>\n%s", css);
    render_heads(m, head, local);
    print_page_css(r, m, head);
    fputs("</style>\n</head>\n<body>\n<header>\n", f);
    if (m->report) {
        fprintf(f, "<p class=\"kicker\">%s ", render_word(r, "meta", "Report"));
        text_html(f, m->report);
        fputs("</p>\n", f);
    }
    fputs("<h1>", f);
    text_html(f, title);
    fputs("</h1>\n", f);
    if (m->description) {
        fputs("<p class=\"lead\">", f);
        text_html(f, render_word(r, NULL, m->description));
        fputs("</p>\n", f);
    }
    fputs("<dl class=\"meta\">\n", f);
    if (m->ndocs > 0) {
        fprintf(f, "<dt>%s</dt>\n<dd><ul class=\"docs\">\n", render_word(r, "meta", "Documents"));
        for (int i = 0; i < m->ndocs; i++) {
            const struct report_doc *doc = &m->docs[i];

            fputs("<li><strong>", f);
            text_html(f, doc->symbol);
            fputs("</strong>", f);
            if (doc->title) {
                fputs(" &#8212; ", f);
                text_html(f, doc->title);
            }
            if (doc->adopted) {
                fprintf(f, ", %s <time datetime=\"", render_word(r, "meta", "adopted"));
                text_html(f, doc->adopted);
                fputs("\">", f);
                text_html(f, render_day(r, doc->adopted, day));
                fputs("</time>", f);
            }
            fputs("</li>\n", f);
        }
        fputs("</ul></dd>\n", f);
    }
    if (m->asof)
        time_item(f, render_word(r, "meta", "As of"), "asof", m->asof, render_day(r, m->asof, day));
    if (m->generated)
        time_item(f, render_word(r, "meta", "Generated"), "generated", m->generated, m->generated);
    /* The head as "verify --head" prints it, so that a reader or a script can check the
     * report against the trail with "verify --against HEAD". */
    fprintf(f, "<dt>%s</dt>\n<dd><code class=\"head\">", render_word(r, "meta", "Audit trail"));
    text_html(f, head);
    fputs("</code>", f);
    if (local[0]) {
        fprintf(f, "; %lld %s <code class=\"head\">", m->unpublished,
                render_unpublished(r, m->unpublished));
        text_html(f, local);
        fputs("</code>", f);
    }
    fputs("</dd>\n</dl>\n", f);
    if (h == NULL)
        fputs("<p class=\"note\">Charts are left out: out of memory.</p>\n", f);
    fputs("</header>\n<main>\n", f);
    return render_status(r);
}

/* Opens a table of columns COLS[FIRST..NCOLS). */
static void
table_head(struct render *r, int first, int ncols, const char *const *cols)
{
    FILE *f = r->f;

    fputs("<table>\n<thead><tr>", f);
    for (int i = first; i < ncols; i++) {
        if (!render_shows(r, i))
            continue;
        fputs("<th scope=\"col\">", f);
        text_html(f, render_word(r, "column", cols[i]));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n", f);
    /* Without state the rows cannot be counted: the body is opened now and left as it is. */
    if (r->state == NULL)
        fputs("<tbody>\n", f);
}

static int
html_section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    FILE *f = r->f;
    struct html *h = r->state;

    if (h != NULL) {
        h->sections++;
        h->rows = 0;
        h->tbody = 0;
        h->chart.l10n = r->l10n;
        chart_begin(&h->chart, s, ncols, cols);
    }
    /* In a portfolio, a document's sections sit one level below its heading, their ids
     * prefixed with its alias. */
    fputs("<section id=\"", f);
    if (r->doc) {
        text_html(f, r->doc->alias ? r->doc->alias : "");
        fputc('-', f);
    }
    text_html(f, s->name);
    fputs(r->doc ? "\">\n<h3>" : "\">\n<h2>", f);
    text_html(f, s->title ? render_word(r, NULL, s->title) : s->name);
    fputs(r->doc ? "</h3>\n" : "</h2>\n", f);
    if (s->description) {
        fputs("<p class=\"desc\">", f);
        text_html(f, render_word(r, NULL, s->description));
        fputs("</p>\n", f);
    }
    /* Under "-- each:", each heading has a table of its own. */
    if (!r->prose && !render_first(r))
        table_head(r, 0, ncols, cols);
    return render_status(r);
}

/* A row of a "-- each:" section that opens a heading: the table under the last one closed,
 * the heading, the quote below it. */
static void
group_heading(struct render *r, sqlite3_stmt *st)
{
    FILE *f = r->f;
    const char *head = (const char *)sqlite3_column_text(st, 0);
    const char *quote = r->group > 1 ? (const char *)sqlite3_column_text(st, 1) : NULL;

    if (r->group_table)
        fputs("</tbody>\n</table>\n", f);
    r->group_table = 0;
    fputs(r->doc ? "<h4>" : "<h3>", f);
    text_html(f, head ? head : "");
    fputs(r->doc ? "</h4>\n" : "</h3>\n", f);
    if (quote && *quote) {
        fputs("<blockquote>", f);
        text_html(f, quote);
        fputs("</blockquote>\n", f);
    }
}

/* Returns the opening tag of a text cell holding S[0..N). A run without spaces too long for
 * a column (a URL, a hash) may break anywhere: letting every cell do so would let the table
 * squeeze short columns to one character. A short word (a date, a key) is kept whole, since
 * browsers would break it at a hyphen. */
static const char *
text_td(const char *s, size_t n)
{
    size_t run = 0, longest = 0;

    for (size_t i = 0; i < n; i++) {
        run = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ? 0 : run + 1;
        if (run > longest)
            longest = run;
    }
    if (longest > 30)
        return "<td class=\"brk\">";
    return n > 0 && n <= 12 && longest == n ? "<td class=\"nw\">" : "<td>";
}

static int
html_row(struct render *r, sqlite3_stmt *st)
{
    FILE *f = r->f;
    struct html *h = r->state;
    int n = render_columns(r, st), types[3] = {SQLITE_NULL, SQLITE_NULL, SQLITE_NULL};
    int first = render_first(r);
    char num[L10N_BUF];

    if (h != NULL && first)
        h->rows++; /* a heading counts as a row: the section is not empty */
    if (first && render_group_opens(r, st))
        group_heading(r, st);
    if (first && render_group_only(r, st))
        return render_status(r);
    /* Sentences: each cell a paragraph of its own. */
    for (int i = first; r->prose && i < n; i++) {
        if (!render_shows(r, i))
            continue;
        fputs("<p class=\"prose\">", f);
        text_html(f, sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "");
        fputs("</p>\n", f);
    }
    if (r->prose)
        return render_status(r);

    if (first && !r->group_table) {
        table_head(r, first, r->ncols, r->cols);
        r->group_table = 1;
        if (h != NULL)
            h->tbody = 0;
    }
    if (h != NULL) {
        chart_types(&h->chart, st, types);
        if (!h->tbody)
            fputs("<tbody>\n", f);
        h->tbody = 1;
        h->rows += !first;
    }
    fputs("<tr>", f);
    for (int i = first; i < n; i++) {
        if (!render_shows(r, i))
            continue;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL:
            fputs("<td></td>", f);
            break;
        case SQLITE_INTEGER:
        case SQLITE_FLOAT:
            fputs("<td class=\"num\">", f);
            text_html(f, render_number(r, st, i, num));
            fputs("</td>", f);
            break;
        case SQLITE_BLOB:
            fprintf(f, "<td class=\"blob\">%d bytes of binary data</td>",
                    sqlite3_column_bytes(st, i));
            break;
        default: {
            const char *t = (const char *)sqlite3_column_text(st, i);
            size_t len = t ? (size_t)sqlite3_column_bytes(st, i) : 0;

            fputs(text_td(t, len), f);
            text_html_n(f, t, len);
            fputs("</td>", f);
        }
        }
    }
    fputs("</tr>\n", f);
    if (h != NULL)
        chart_add(&h->chart, st, types);
    return render_status(r);
}

static int
html_section_end(struct render *r, const struct report_section *s)
{
    FILE *f = r->f;
    struct html *h = r->state;

    /* Under "-- each:", the last heading's table, if it has one. */
    if (render_first(r)) {
        if (r->group_table)
            fputs("</tbody>\n</table>\n", f);
        if (h != NULL && h->rows == 0)
            fprintf(f, "<p class=\"empty\">%s</p>\n", render_word(r, "meta", "No rows."));
        if (h != NULL)
            chart_reset(&h->chart);
        fputs("</section>\n", f);
        return render_status(r);
    }
    if (r->prose || h == NULL) {
        if (h != NULL)
            chart_reset(&h->chart);
        fputs(r->prose ? "</section>\n" : "</tbody>\n</table>\n</section>\n", f);
        return render_status(r);
    }
    if (h->tbody)
        fputs("</tbody>\n", f);
    fputs("</table>\n", f);
    if (h->rows == 0)
        fprintf(f, "<p class=\"empty\">%s</p>\n", render_word(r, "meta", "No rows."));
    else if (s->chart.kind != NULL)
        chart_draw(f, &h->chart, s, h->sections);
    chart_reset(&h->chart);
    fputs("</section>\n", f);
    return render_status(r);
}

static int
html_end(struct render *r)
{
    FILE *f = r->f;
    struct html *h = r->state;

    fputs("</main>\n<footer>\n<p>", f);
    if (h == NULL) {
        text_html(f, render_word(r, "meta", "Made by docket from its audit trail."));
    } else {
        /* The head once more, where a reader of the last page finds it, and how to check it:
         * the sentence in the report's language, its two "%s" the head and the command. */
        const char *t = render_word(r, "meta",
                                    "Made by docket from its audit trail at %s. Anyone holding "
                                    "the trail can check this report against it with %s.");

        for (int i = 0; *t; i++) {
            const char *at = strstr(t, "%s");
            size_t n = at ? (size_t)(at - t) : strlen(t);

            text_html_n(f, t, n);
            t += n;
            if (at == NULL)
                break;
            t += 2;
            fputs(i == 0 ? "<code class=\"head\">" : "<code>docket verify --against ", f);
            text_html(f, h->head);
            fputs("</code>", f);
        }
    }
    fputs("</p>\n</footer>\n</body>\n</html>\n", f);
    return render_status(r);
}

/* A row drawn in the chart only ("-- shown:"). */
static int
html_chart_row(struct render *r, sqlite3_stmt *st)
{
    struct html *h = r->state;
    int types[3] = {SQLITE_NULL, SQLITE_NULL, SQLITE_NULL};

    if (h != NULL) {
        chart_types(&h->chart, st, types);
        chart_add(&h->chart, st, types);
    }
    return 0;
}

static void
html_free(struct render *r)
{
    struct html *h = r->state;

    if (h != NULL) {
        chart_free(&h->chart);
        free(h);
    }
    r->state = NULL;
}

/* A portfolio's document: a section of its own, headed "ALIAS — SYMBOL: title". */
static int
html_document(struct render *r, const struct report_doc *doc)
{
    FILE *f = r->f;

    r->doc = doc;
    if (doc == NULL) {
        fputs("</section>\n", f);
        return render_status(r);
    }
    fputs("<section class=\"document\" id=\"doc-", f);
    text_html(f, doc->alias ? doc->alias : "");
    fputs("\">\n<h2>", f);
    text_html(f, doc->alias ? doc->alias : "");
    fputs(" \xe2\x80\x94 ", f);
    text_html(f, doc->symbol ? doc->symbol : "");
    fputs(": ", f);
    text_html(f, doc->title ? doc->title : "");
    fputs("</h2>\n", f);
    return render_status(r);
}

const struct render_ops render_html = {
    .begin = html_begin,
    .section = html_section,
    .row = html_row,
    .section_end = html_section_end,
    .end = html_end,
    .free = html_free,
    .document = html_document,
    .chart_row = html_chart_row,
};
