/* render_html.c: a report as one self-contained HTML5 page, with inline CSS and SVG charts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/render.h"
#include "docket/text.h"

/* Bounds that keep a chart's memory flat however long its section: the points drawn, and the
 * bytes kept of each label (a label is cut to a few characters when drawn anyway). */
enum { CHART_MAX = 5000, LABEL_MAX = 200, LEGEND_MAX = 20 };

/* The largest magnitude a chart draws: far beyond any count or percentage, and small enough
 * that sums and axis arithmetic stay finite and exact casts to long long stay defined. */
#define VALUE_MAX 1e15

/* Geometry in viewBox units: the box is 720 wide and scales to the page; the plot area is
 * always 200 high, and the margins around it grow with what they must hold. */
#define SVG_W  720.0
#define PLOT_H 200.0
#define PAD_L  64.0
#define PAD_R  24.0
#define PAD_T  22.0
/* A generous mean advance of an 11-unit sans-serif character, to size labels. */
#define CHAR_W 6.6

/* Tableau 10: ten hues that stay apart on screen and on a colour printer. */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NPALETTE (sizeof palette / sizeof palette[0])

struct point {
    size_t x, series; /* offsets of the labels in the pool: the pool moves as it grows */
    double y;
    int has_y; /* 0: the value was NULL or not a number */
};

/* One stacked segment: the bar and series it belongs to, and its value. */
struct cell {
    size_t xi, si;
    double y;
};

/* Scratch space for drawing a chart, allocated whole before the first byte of its figure is
 * written, so that running out of memory leaves a note rather than half a figure. */
struct scratch {
    size_t *xs, *ss; /* distinct labels, as pool offsets */
    struct cell *cells;
    double *tot; /* the total of each stacked bar */
};

struct html {
    char head[RENDER_HEAD_LEN]; /* the head the report is stamped with, for the footer */
    int sections, figures;
    long long rows; /* rows of the current section */
    int tbody;      /* the current table's <tbody> is open */

    /* The chart of the current section. */
    int collect;          /* rows are being buffered */
    int xcol, ycol, scol; /* column indexes; scol is -1 but for a stack */
    const char *missing;  /* the named column the section lacks (borrowed from the section) */
    int oom;
    struct point *pts;
    size_t npts, cap;
    char *pool;
    size_t used, size;
    long long dropped; /* rows past CHART_MAX */
};

/* A value axis: from LO to HI in steps of STEP, labelled with DEC decimals. */
struct axis {
    double lo, hi, step;
    int dec, pct;
};

static int
status(struct render *r)
{
    return ferror(r->f) ? DK_IO : 0;
}

/* Returns 1 when A and B are equal ignoring ASCII case, as SQL compares column names. */
static int
name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int ca = *a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a;
        int cb = *b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b;

        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

/* Returns 1 when NAME contains NEEDLE ignoring ASCII case. */
static int
name_has(const char *name, const char *needle)
{
    size_t n = strlen(needle);

    for (; *name; name++) {
        size_t i = 0;

        while (i < n && name[i] && (name[i] | 0x20) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int
find_col(int ncols, const char *const *cols, const char *name)
{
    for (int i = 0; name && i < ncols; i++)
        if (cols[i] && name_eq(cols[i], name))
            return i;
    return -1;
}

/* A y column named like a percentage gets a "%" after its values. */
static int
looks_pct(const char *name)
{
    return name_has(name, "pct") || name_has(name, "percent") || name_has(name, "progress") ||
           strchr(name, '%') != NULL;
}

static int
known_kind(const char *kind)
{
    return strcmp(kind, "bar") == 0 || strcmp(kind, "line") == 0 || strcmp(kind, "stack") == 0;
}

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
    "@page{size:A4;margin:18mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:9.5pt}"
    "h1{font-size:18pt}h2{font-size:13pt;margin-top:1.4rem}"
    "table{font-size:8.5pt}"
    /* A heading that cannot be split and reaches 7rem below itself moves to the next page
     * rather than sit at the foot of one with a row or two under it. */
    "section>h2{break-inside:avoid;page-break-inside:avoid;padding-bottom:7rem;"
    "margin-bottom:-7rem}"
    "a{color:inherit;text-decoration:none}}\n";

static int
html_begin(struct render *r, const struct report_meta *m)
{
    FILE *f = r->f;
    struct html *h = calloc(1, sizeof *h);
    const char *title = m->title ? m->title : m->report;
    char head[RENDER_HEAD_LEN], local[RENDER_HEAD_LEN];

    r->state = h;
    if (h != NULL) {
        render_heads(m, h->head, local);
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"docket\">\n<title>",
          f);
    text_html(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n", css);
    if (m->report) {
        fputs("<p class=\"kicker\">Report ", f);
        text_html(f, m->report);
        fputs("</p>\n", f);
    }
    fputs("<h1>", f);
    text_html(f, title);
    fputs("</h1>\n", f);
    if (m->description) {
        fputs("<p class=\"lead\">", f);
        text_html(f, m->description);
        fputs("</p>\n", f);
    }
    fputs("<dl class=\"meta\">\n", f);
    if (m->ndocs > 0) {
        fputs("<dt>Documents</dt>\n<dd><ul class=\"docs\">\n", f);
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
                fputs(", adopted <time datetime=\"", f);
                text_html(f, doc->adopted);
                fputs("\">", f);
                text_html(f, doc->adopted);
                fputs("</time>", f);
            }
            fputs("</li>\n", f);
        }
        fputs("</ul></dd>\n", f);
    }
    if (m->asof) {
        fputs("<dt>As of</dt>\n<dd><time class=\"asof\" datetime=\"", f);
        text_html(f, m->asof);
        fputs("\">", f);
        text_html(f, m->asof);
        fputs("</time></dd>\n", f);
    }
    if (m->generated) {
        fputs("<dt>Generated</dt>\n<dd><time class=\"generated\" datetime=\"", f);
        text_html(f, m->generated);
        fputs("\">", f);
        text_html(f, m->generated);
        fputs("</time></dd>\n", f);
    }
    /* The head as "verify --head" prints it, so that a reader or a script can check the
     * report against the trail with "verify --against HEAD". */
    render_heads(m, head, local);
    fputs("<dt>Audit trail</dt>\n<dd><code class=\"head\">", f);
    text_html(f, head);
    fputs("</code>", f);
    if (local[0]) {
        fprintf(f,
                "; %lld event%s not yet in the shared log, this store's head <code "
                "class=\"head\">",
                m->unpublished, m->unpublished == 1 ? "" : "s");
        text_html(f, local);
        fputs("</code>", f);
    }
    fputs("</dd>\n</dl>\n", f);
    if (h == NULL)
        fputs("<p class=\"note\">Charts are left out: out of memory.</p>\n", f);
    fputs("</header>\n<main>\n", f);
    return status(r);
}

/* Forgets the current section's chart, keeping the buffers for the next one. */
static void
chart_reset(struct html *h)
{
    h->collect = 0;
    h->missing = NULL;
    h->oom = 0;
    h->npts = 0;
    h->used = 0;
    h->dropped = 0;
    h->xcol = h->ycol = h->scol = -1;
}

static int
html_section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    FILE *f = r->f;
    struct html *h = r->state;
    const struct report_chart *c = &s->chart;

    if (h != NULL) {
        h->sections++;
        h->rows = 0;
        h->tbody = 0;
        chart_reset(h);
        if (c->kind != NULL) {
            int stack = strcmp(c->kind, "stack") == 0;

            h->xcol = find_col(ncols, cols, c->x);
            h->ycol = find_col(ncols, cols, c->y);
            h->scol = stack ? find_col(ncols, cols, c->series) : -1;
            if (h->xcol < 0)
                h->missing = c->x ? c->x : "x";
            else if (h->ycol < 0)
                h->missing = c->y ? c->y : "y";
            else if (stack && h->scol < 0)
                h->missing = c->series ? c->series : "series";
            h->collect = h->missing == NULL && known_kind(c->kind);
        }
    }
    fputs("<section id=\"", f);
    text_html(f, s->name);
    fputs("\">\n<h2>", f);
    text_html(f, s->title ? s->title : s->name);
    fputs("</h2>\n", f);
    if (s->description) {
        fputs("<p class=\"desc\">", f);
        text_html(f, s->description);
        fputs("</p>\n", f);
    }
    fputs("<table>\n<thead><tr>", f);
    for (int i = 0; i < ncols; i++) {
        fputs("<th scope=\"col\">", f);
        text_html(f, cols[i]);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n", f);
    /* Without state the rows cannot be counted: the body is opened now and left as it is. */
    if (h == NULL)
        fputs("<tbody>\n", f);
    return status(r);
}

/* Copies up to LABEL_MAX bytes of S, cut at a character boundary, into the pool. Returns 0, or
 * -1 when out of memory. */
static int
pool_add(struct html *h, const char *s, size_t *off)
{
    size_t n = strlen(s);

    if (n > LABEL_MAX) {
        n = LABEL_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    if (h->used + n + 1 > h->size) {
        size_t size = h->size ? h->size : 4096;
        char *p;

        while (size < h->used + n + 1)
            size *= 2;
        if ((p = realloc(h->pool, size)) == NULL)
            return -1;
        h->pool = p;
        h->size = size;
    }
    memcpy(h->pool + h->used, s, n);
    h->pool[h->used + n] = '\0';
    *off = h->used;
    h->used += n + 1;
    return 0;
}

/* Returns column I as a label: its text, or "(none)" for NULL. */
static const char *
label_of(sqlite3_stmt *st, int i, int type)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    return type == SQLITE_NULL || s == NULL ? "(none)" : s;
}

/* Buffers the chart's columns of the current row; TYPES were read before the row was written,
 * since reading a number as text may change what sqlite3_column_type reports. */
static void
chart_add(struct html *h, sqlite3_stmt *st, const int types[3])
{
    struct point *p;

    if (h->npts >= CHART_MAX) {
        h->dropped++;
        return;
    }
    if (h->npts == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;

        if (cap > CHART_MAX)
            cap = CHART_MAX;
        if ((p = realloc(h->pts, cap * sizeof *p)) == NULL)
            goto oom;
        h->pts = p;
        h->cap = cap;
    }
    p = &h->pts[h->npts];
    p->has_y = 0;
    p->series = 0;
    if (types[1] == SQLITE_INTEGER || types[1] == SQLITE_FLOAT) {
        p->y = sqlite3_column_double(st, h->ycol);
        p->has_y = isfinite(p->y);
    } else if (types[1] == SQLITE_TEXT) {
        const char *t = (const char *)sqlite3_column_text(st, h->ycol);
        char *end;

        /* The program never calls setlocale: strtod reads the C locale's decimal point. */
        p->y = strtod(t, &end);
        p->has_y = end != t && *end == '\0' && isfinite(p->y);
    }
    if (pool_add(h, label_of(st, h->xcol, types[0]), &p->x) != 0)
        goto oom;
    if (h->scol >= 0 && pool_add(h, label_of(st, h->scol, types[2]), &p->series) != 0)
        goto oom;
    h->npts++;
    return;
oom:
    h->oom = 1;
    h->collect = 0;
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
    int n = sqlite3_column_count(st), types[3] = {SQLITE_NULL, SQLITE_NULL, SQLITE_NULL};

    if (h != NULL) {
        if (h->collect) {
            types[0] = sqlite3_column_type(st, h->xcol);
            types[1] = sqlite3_column_type(st, h->ycol);
            if (h->scol >= 0)
                types[2] = sqlite3_column_type(st, h->scol);
        }
        if (!h->tbody)
            fputs("<tbody>\n", f);
        h->tbody = 1;
        h->rows++;
    }
    fputs("<tr>", f);
    for (int i = 0; i < n; i++) {
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL:
            fputs("<td></td>", f);
            break;
        case SQLITE_INTEGER:
        case SQLITE_FLOAT:
            fputs("<td class=\"num\">", f);
            text_html(f, (const char *)sqlite3_column_text(st, i));
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
    if (h != NULL && h->collect)
        chart_add(h, st, types);
    return status(r);
}

/* Formats V with DEC decimals, and a "%" when PCT. */
static void
fmt_num(char *buf, size_t n, double v, int dec, int pct)
{
    snprintf(buf, n, "%.*f%s", dec, v, pct ? "%" : "");
}

/* Decimals for a value: none for a whole number, else one. Values beyond VALUE_MAX never
 * reach here (they are not drawn), which keeps the cast defined. */
static int
dec_of(double v)
{
    return v > -VALUE_MAX && v < VALUE_MAX && v != (double)(long long)v;
}

/* Fits an axis over [MINV, MAXV] with about five steps. Percentages get 0..100 when they fit,
 * as do values that fit and reach above 50 when HUNDRED allows: most report values are
 * percentages, and a common scale lets charts be compared. WHOLE: every value is an integer,
 * so no step is smaller than one. */
static void
axis_fit(struct axis *a, double minv, double maxv, int pct, int hundred, int whole)
{
    double raw, mag = 1, step, lo, hi;
    long long k;

    a->pct = pct;
    if (minv >= 0 && maxv <= 100 && (pct || (hundred && maxv > 50))) {
        a->lo = 0;
        a->hi = 100;
        a->step = 25;
        a->dec = 0;
        return;
    }
    lo = minv < 0 ? minv : 0;
    hi = maxv > 0 ? maxv : 0;
    if (hi - lo <= 0)
        hi = lo + 1;
    raw = (hi - lo) / 5;
    if (raw < 1e-6)
        raw = 1e-6;
    while (mag * 10 <= raw)
        mag *= 10;
    while (mag > raw)
        mag /= 10;
    step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
    if (whole && step < 1)
        step = 1;
    k = (long long)(hi / step);
    if ((double)k * step < hi)
        k++;
    a->hi = (double)k * step;
    k = (long long)(lo / step);
    if ((double)k * step > lo)
        k--;
    a->lo = (double)k * step;
    a->step = step;
    for (a->dec = 0; step < 0.999 && a->dec < 6; step *= 10)
        a->dec++;
}

static double
axis_y(const struct axis *a, double v)
{
    return PAD_T + PLOT_H - (v - a->lo) / (a->hi - a->lo) * PLOT_H;
}

/* Draws the gridlines, their labels and the y axis title, for a plot whose top is TOP. */
static void
draw_yaxis(FILE *f, const struct axis *a, double top, const char *title)
{
    int n = (int)((a->hi - a->lo) / a->step + 0.5);
    char buf[64];

    for (int i = 0; i <= n; i++) {
        double v = a->lo + i * a->step, y;

        /* Sums of steps miss zero by a rounding error: it would print as "-0". */
        if (v > -a->step / 1000 && v < a->step / 1000)
            v = 0;
        y = axis_y(a, v) - PAD_T + top;
        fmt_num(buf, sizeof buf, v, a->dec, a->pct);
        fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                v == 0 ? "axis" : "grid", PAD_L, y, SVG_W - PAD_R, y);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                PAD_L - 6, y + 4, buf);
    }
    fprintf(f,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
            "<text class=\"atitle\" transform=\"translate(14 %.1f) rotate(-90)\" "
            "text-anchor=\"middle\">",
            PAD_L, top, PAD_L, top + PLOT_H, top + PLOT_H / 2);
    text_html_cut(f, title, 36);
    fputs("</text>\n", f);
}

static void
draw_xtitle(FILE *f, double height, const char *title)
{
    fprintf(f, "<text class=\"atitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
            PAD_L + (SVG_W - PAD_L - PAD_R) / 2, height - 6);
    text_html_cut(f, title, 60);
    fputs("</text>\n", f);
}

/* Opens the <svg>: its title names the section, and the caller writes the description. */
static void
svg_open(FILE *f, int id, double height, const struct report_section *s)
{
    fprintf(f,
            "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
            "aria-labelledby=\"chart%d-title chart%d-desc\">\n<title id=\"chart%d-title\">",
            SVG_W, height, id, id, id);
    text_html(f, s->title ? s->title : s->name);
    fprintf(f, "</title>\n<desc id=\"chart%d-desc\">", id);
}

/* Ends a chart's description, saying when rows were left out of the drawing. */
static void
desc_end(FILE *f, const struct html *h)
{
    if (h->dropped > 0)
        fprintf(f, " Only the first %d rows are drawn; %lld more are left out.", CHART_MAX,
                h->dropped);
    fputs("</desc>\n", f);
}

/* The x labels of a row of slots SLOT wide: upright when the longest fits, else turned by 40
 * degrees, and thinned to every STEP-th when even turned ones would collide. */
struct xlabels {
    int turned, step;
    size_t cut;    /* code points kept of a label */
    double bottom; /* the margin under the plot that the labels and the x title need */
};

static void
xlabels_fit(struct xlabels *xl, const struct html *h, const size_t *labels, size_t n, double slot)
{
    size_t longest = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = text_cp_count(h->pool + labels[i]);

        if (len > longest)
            longest = len;
    }
    xl->cut = longest > 18 ? 18 : longest;
    xl->turned = xl->cut * CHAR_W > slot - 4;
    xl->step = 1;
    if (xl->turned && slot < 13)
        xl->step = (int)(13 / slot) + 1;
    xl->bottom = xl->turned ? 0.64 * (xl->cut + 1) * CHAR_W + 8 + 30 : 40;
}

static void
xlabel_draw(FILE *f, const struct xlabels *xl, double cx, double base, const char *label)
{
    /* A turned label runs down to the left: near the left edge it is cut shorter so that it
     * stays inside the drawing (cos 40 degrees is 0.77). */
    size_t room = (size_t)((cx - 4) / (0.77 * CHAR_W));
    size_t cut = xl->turned && room < xl->cut ? (room > 3 ? room : 3) : xl->cut;

    if (xl->turned)
        fprintf(f,
                "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                "transform=\"rotate(-40 %.1f %.1f)\">",
                cx + 3, base + 14, cx + 3, base + 14);
    else
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx,
                base + 16);
    text_html_cut(f, label, cut);
    fputs("</text>\n", f);
}

/* Returns the range of the buffered values in *MIN and *MAX, and 1 when they are all whole;
 * returns -1 when no point has a value. */
static int
y_range(const struct html *h, double *min, double *max)
{
    int any = 0, whole = 1;

    for (size_t i = 0; i < h->npts; i++) {
        const struct point *p = &h->pts[i];

        if (!p->has_y)
            continue;
        if (!any || p->y < *min)
            *min = p->y;
        if (!any || p->y > *max)
            *max = p->y;
        any = 1;
        whole &= dec_of(p->y) == 0;
    }
    return any ? whole : -1;
}

static void
draw_bar(FILE *f, struct html *h, const struct report_section *s, int id, struct scratch *w)
{
    const struct report_chart *c = &s->chart;
    int pct = looks_pct(c->y), whole;
    double min = 0, max = 0, pw = SVG_W - PAD_L - PAD_R, slot, bw, height, base, zero;
    size_t n = h->npts, *labels = w->xs, hi = 0, lo = 0;
    struct xlabels xl;
    struct axis a;
    char buf[64];

    whole = y_range(h, &min, &max);
    for (size_t i = 0; i < n; i++) {
        labels[i] = h->pts[i].x;
        if (h->pts[i].has_y && (!h->pts[hi].has_y || h->pts[i].y > h->pts[hi].y))
            hi = i;
        if (h->pts[i].has_y && (!h->pts[lo].has_y || h->pts[i].y < h->pts[lo].y))
            lo = i;
    }
    axis_fit(&a, min, max, pct, 1, whole == 1);
    slot = pw / (double)n;
    bw = slot * 0.7 > 56 ? 56 : slot * 0.7;
    xlabels_fit(&xl, h, labels, n, slot);
    height = PAD_T + PLOT_H + xl.bottom;
    base = PAD_T + PLOT_H;

    svg_open(f, id, height, s);
    fputs("Bar chart of ", f);
    text_html(f, c->y);
    fputs(" by ", f);
    text_html(f, c->x);
    fprintf(f, ", %zu bar%s", n, n == 1 ? "" : "s");
    if (n <= 20) {
        fputs(": ", f);
        for (size_t i = 0; i < n; i++) {
            const struct point *p = &h->pts[i];

            text_html_cut(f, h->pool + p->x, 60);
            if (p->has_y)
                fmt_num(buf, sizeof buf, p->y, dec_of(p->y), pct);
            fprintf(f, ": %s%s", p->has_y ? buf : "no value", i + 1 < n ? ", " : ".");
        }
    } else {
        fmt_num(buf, sizeof buf, h->pts[hi].y, dec_of(h->pts[hi].y), pct);
        fprintf(f, "; highest %s at ", buf);
        text_html_cut(f, h->pool + h->pts[hi].x, 60);
        fmt_num(buf, sizeof buf, h->pts[lo].y, dec_of(h->pts[lo].y), pct);
        fprintf(f, ", lowest %s at ", buf);
        text_html_cut(f, h->pool + h->pts[lo].x, 60);
        fputs(".", f);
    }
    desc_end(f, h);

    draw_yaxis(f, &a, PAD_T, c->y);
    zero = axis_y(&a, a.lo > 0 ? a.lo : a.hi < 0 ? a.hi : 0);
    for (size_t i = 0; i < n; i++) {
        const struct point *p = &h->pts[i];
        double cx = PAD_L + slot * ((double)i + 0.5), y;

        if ((int)i % xl.step == 0)
            xlabel_draw(f, &xl, cx, base, h->pool + p->x);
        if (!p->has_y) {
            /* Marked, so that a missing value is not read as a zero. */
            if (n <= 30)
                fprintf(
                    f,
                    "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">n/a</text>\n",
                    cx, zero - 4);
            continue;
        }
        y = axis_y(&a, p->y);
        fmt_num(buf, sizeof buf, p->y, dec_of(p->y), pct);
        fprintf(f,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                "<title>",
                cx - bw / 2, y < zero ? y : zero, bw, y < zero ? zero - y : y - zero);
        text_html(f, h->pool + p->x);
        fprintf(f, ": %s</title></rect>\n", buf);
        if (n <= 30)
            fprintf(
                f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%s</text>\n",
                cx, p->y >= 0 ? y - 4 : y + 11, n > 15 ? " style=\"font-size:9px\"" : "", buf);
    }
    draw_xtitle(f, height, c->x);
    fputs("</svg>\n", f);
}

/* Writes an x tick at X with LABEL under it, kept inside the drawing at either end. */
static void
line_tick(FILE *f, double x, double base, const char *label, size_t cut)
{
    size_t len = text_cp_count(label);
    double half = (double)(len > cut ? cut : len) * CHAR_W / 2;
    const char *anchor = x - half < 4 ? "start" : x + half > SVG_W - 4 ? "end" : "middle";

    fprintf(f,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">",
            x, base, x, base + 4,
            anchor[0] == 's'   ? x - 4
            : anchor[0] == 'e' ? x + 4
                               : x,
            base + 16, anchor);
    text_html_cut(f, label, cut);
    fputs("</text>\n", f);
}

/* Returns how many points after the first the first January (for a STEP of a year or more)
 * or the first month that STEP divides evenly falls, when LABEL is a month "YYYY-MM..."; 0
 * otherwise. */
static size_t
month_offset(const char *label, size_t step)
{
    int m;

    if (strlen(label) < 7 || label[4] != '-' || label[5] < '0' || label[5] > '1' ||
        label[6] < '0' || label[6] > '9')
        return 0;
    for (int i = 0; i < 4; i++)
        if (label[i] < '0' || label[i] > '9')
            return 0;
    m = (label[5] - '0') * 10 + (label[6] - '0') - 1;
    if (m < 0 || m > 11)
        return 0;
    if (step % 12 == 0)
        return (size_t)((12 - m) % 12);
    if (12 % step == 0)
        return (step - (size_t)m % step) % step;
    return 0;
}

static void
draw_line(FILE *f, struct html *h, const struct report_section *s, int id)
{
    const struct report_chart *c = &s->chart;
    int pct = looks_pct(c->y), whole;
    double min = 0, max = 0, pw = SVG_W - PAD_L - PAD_R, height, base, dx, lw;
    static const size_t steps[] = {1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120, 240, 600, 1200};
    size_t n = h->npts, first = n, last = n, hi = n, lo = n, longest = 0, step, room;
    struct axis a;
    char buf[64];

    whole = y_range(h, &min, &max);
    for (size_t i = 0; i < n; i++) {
        const struct point *p = &h->pts[i];
        size_t len = text_cp_count(h->pool + p->x);

        if (len > longest)
            longest = len;
        if (!p->has_y)
            continue;
        if (first == n)
            first = i;
        last = i;
        if (hi == n || p->y > h->pts[hi].y)
            hi = i;
        if (lo == n || p->y < h->pts[lo].y)
            lo = i;
    }
    axis_fit(&a, min, max, pct, 1, whole == 1);
    height = PAD_T + PLOT_H + 44;
    base = PAD_T + PLOT_H;
    dx = n > 1 ? pw / (double)(n - 1) : 0;

    svg_open(f, id, height, s);
    fputs("Line chart of ", f);
    text_html(f, c->y);
    fputs(" by ", f);
    text_html(f, c->x);
    fmt_num(buf, sizeof buf, h->pts[first].y, dec_of(h->pts[first].y), pct);
    if (first == last) {
        fputs(": one value, ", f);
        text_html_cut(f, h->pool + h->pts[first].x, 60);
        fprintf(f, " (%s); %zu point%s.", buf, n, n == 1 ? "" : "s");
    } else {
        fputs(" from ", f);
        text_html_cut(f, h->pool + h->pts[first].x, 60);
        fprintf(f, " (%s) to ", buf);
        text_html_cut(f, h->pool + h->pts[last].x, 60);
        fmt_num(buf, sizeof buf, h->pts[last].y, dec_of(h->pts[last].y), pct);
        fprintf(f, " (%s); ", buf);
        fmt_num(buf, sizeof buf, h->pts[hi].y, dec_of(h->pts[hi].y), pct);
        fprintf(f, "highest %s in ", buf);
        text_html_cut(f, h->pool + h->pts[hi].x, 60);
        fmt_num(buf, sizeof buf, h->pts[lo].y, dec_of(h->pts[lo].y), pct);
        fprintf(f, ", lowest %s in ", buf);
        text_html_cut(f, h->pool + h->pts[lo].x, 60);
        fprintf(f, "; %zu point%s.", n, n == 1 ? "" : "s");
    }
    desc_end(f, h);

    draw_yaxis(f, &a, PAD_T, c->y);

    /* Labels: the first, the last, and between them every STEP-th point, with STEP taken
     * from whole numbers of months so that monthly labels fall on the same month each year;
     * a label is left out rather than let it touch the first or the last. */
    if (longest > 14)
        longest = 14;
    lw = (double)longest * CHAR_W + 12;
    room = (size_t)(pw / lw);
    step = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0] && step == 0; k++)
        if ((n - 1) / steps[k] + 1 <= room)
            step = steps[k];
    if (step == 0)
        step = (n - 1) / (room > 1 ? room - 1 : 1) + 1;
    line_tick(f, n > 1 ? PAD_L : PAD_L + pw / 2, base, h->pool + h->pts[0].x, longest);
    for (size_t i = month_offset(h->pool + h->pts[0].x, step); n > 1 && i < n - 1; i += step)
        if (dx * (double)i >= lw && dx * (double)(n - 1 - i) >= lw)
            line_tick(f, PAD_L + dx * (double)i, base, h->pool + h->pts[i].x, longest);
    if (n > 1)
        line_tick(f, PAD_L + pw, base, h->pool + h->pts[n - 1].x, longest);

    /* A run of points with values is one polyline; a point without one breaks the line. */
    for (size_t i = 0; i < n;) {
        size_t j = i;

        if (!h->pts[i].has_y) {
            i++;
            continue;
        }
        while (j < n && h->pts[j].has_y)
            j++;
        if (j - i > 1) {
            double zero = axis_y(&a, a.lo > 0 ? a.lo : 0);

            fprintf(f, "<polygon class=\"area\" points=\"%.1f,%.1f", PAD_L + dx * (double)i, zero);
            for (size_t k = i; k < j; k++)
                fprintf(f, " %.1f,%.1f", PAD_L + dx * (double)k, axis_y(&a, h->pts[k].y));
            /* Hundreds of points in 630 units: a thinner line keeps their detail. */
            fprintf(f, " %.1f,%.1f\"/>\n<polyline class=\"line\"%s points=\"",
                    PAD_L + dx * (double)(j - 1), zero,
                    n > 200 ? " style=\"stroke-width:1.2\"" : "");
            for (size_t k = i; k < j; k++)
                fprintf(f, "%s%.1f,%.1f", k > i ? " " : "", PAD_L + dx * (double)k,
                        axis_y(&a, h->pts[k].y));
            fputs("\"/>\n", f);
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        const struct point *p = &h->pts[i];

        int alone = (i == 0 || !h->pts[i - 1].has_y) && (i + 1 == n || !h->pts[i + 1].has_y);

        /* Dense lines show only the last point, and those that no line reaches. */
        if (!p->has_y || (n > 40 && i != last && !alone))
            continue;
        fmt_num(buf, sizeof buf, p->y, dec_of(p->y), pct);
        fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>",
                n > 1 ? PAD_L + dx * (double)i : PAD_L + pw / 2, axis_y(&a, p->y),
                n > 40 ? 3.5 : 3.0);
        text_html(f, h->pool + p->x);
        fprintf(f, ": %s</title></circle>\n", buf);
    }
    /* The latest value is the one a reader looks for: it is labelled. */
    fmt_num(buf, sizeof buf, h->pts[last].y, dec_of(h->pts[last].y), pct);
    fprintf(f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
            n > 1 ? PAD_L + dx * (double)last : PAD_L + pw / 2, axis_y(&a, h->pts[last].y) - 8,
            n > 1 && last > n / 2 ? "end" : "start", buf);
    draw_xtitle(f, height, c->x);
    fputs("</svg>\n", f);
}

static int
cell_cmp(const void *a, const void *b)
{
    const struct cell *p = a, *q = b;

    if (p->xi != q->xi)
        return p->xi < q->xi ? -1 : 1;
    return p->si < q->si ? -1 : p->si > q->si;
}

/* Returns the index of LABEL among the N distinct labels so far, adding it when new. */
static size_t
distinct(const struct html *h, size_t *seen, size_t *n, size_t label)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(h->pool + seen[i], h->pool + label) == 0)
            return i;
    seen[*n] = label;
    return (*n)++;
}

/* Lays out the legend of the N series SS across the top, wrapping onto as many rows as it
 * needs, and draws it when F is not NULL. Past LEGEND_MAX entries the colours repeat too often
 * to tell series apart: the rest are counted, not shown. Returns the number of rows. */
static int
legend(FILE *f, const struct html *h, const size_t *ss, size_t n)
{
    double x = PAD_L, y = 12;
    int rows = 1;

    for (size_t i = 0; i < n && i <= LEGEND_MAX; i++) {
        const char *label = i < LEGEND_MAX ? h->pool + ss[i] : "more";
        size_t len = i < LEGEND_MAX ? text_cp_count(label) : 16;
        double w = 36 + (double)(len > 28 ? 28 : len) * CHAR_W;

        if (x + w > SVG_W - PAD_R && x > PAD_L) {
            rows++;
            x = PAD_L;
            y += 18;
        }
        if (f != NULL && i == LEGEND_MAX)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">and %zu more</text>\n", x, y + 10,
                    n - LEGEND_MAX);
        else if (f != NULL) {
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\">",
                    x, y, palette[i % NPALETTE], x + 17, y + 10);
            text_html_cut(f, label, 28);
            fputs("</text>\n", f);
        }
        x += w;
    }
    return rows;
}

static void
draw_stack(FILE *f, struct html *h, const struct report_section *s, int id, struct scratch *w)
{
    const struct report_chart *c = &s->chart;
    size_t n = h->npts, nx = 0, ns = 0, ncells = 0, *xs = w->xs, *ss = w->ss;
    struct cell *cells = w->cells;
    double *tot = w->tot, max = 0, pw = SVG_W - PAD_L - PAD_R, slot, bw, height, top, base;
    int pct = looks_pct(c->y), whole = 1;
    struct xlabels xl;
    struct axis a;
    char buf[64];

    for (size_t i = 0; i < n; i++) {
        const struct point *p = &h->pts[i];
        size_t xi = distinct(h, xs, &nx, p->x);

        size_t si;

        if (!p->has_y)
            continue;
        /* A series of zeros still has its place in the legend, so that its colour and the
         * others' stay the same from one report to the next. */
        si = distinct(h, ss, &ns, p->series);
        /* Counts below zero cannot be stacked: such a value is left out. */
        if (p->y <= 0)
            continue;
        cells[ncells].xi = xi;
        cells[ncells].si = si;
        cells[ncells].y = p->y;
        tot[xi] += p->y;
        whole &= dec_of(p->y) == 0;
        ncells++;
    }
    qsort(cells, ncells, sizeof *cells, cell_cmp);
    for (size_t i = 0; i < nx; i++)
        if (tot[i] > max)
            max = tot[i];
    axis_fit(&a, 0, max, pct, 0, whole);

    top = 12 + legend(NULL, h, ss, ns) * 18.0 + 10;
    slot = pw / (double)(nx ? nx : 1);
    bw = slot * 0.7 > 56 ? 56 : slot * 0.7;
    xlabels_fit(&xl, h, xs, nx, slot);
    height = top + PLOT_H + xl.bottom;
    base = top + PLOT_H;

    svg_open(f, id, height, s);
    fputs("Stacked bar chart of ", f);
    text_html(f, c->y);
    fputs(" by ", f);
    text_html(f, c->x);
    fputs(", split by ", f);
    text_html(f, c->series);
    fputs(" (", f);
    for (size_t i = 0; i < ns && i < LEGEND_MAX; i++) {
        fputs(i ? ", " : "", f);
        text_html_cut(f, h->pool + ss[i], 60);
    }
    if (ns > LEGEND_MAX)
        fprintf(f, " and %zu more", ns - LEGEND_MAX);
    fprintf(f, "); %zu bar%s", nx, nx == 1 ? "" : "s");
    if (nx <= 20) {
        size_t k = 0;

        fputs(": ", f);
        for (size_t i = 0; i < nx; i++) {
            fmt_num(buf, sizeof buf, tot[i], dec_of(tot[i]), pct);
            text_html_cut(f, h->pool + xs[i], 60);
            fprintf(f, " total %s", buf);
            for (size_t first = k; k < ncells && cells[k].xi == i; k++) {
                double v = cells[k].y;

                /* Cells of one bar and series are summed before they are told. */
                while (k + 1 < ncells && cells[k + 1].xi == i && cells[k + 1].si == cells[k].si)
                    v += cells[++k].y;
                fmt_num(buf, sizeof buf, v, dec_of(v), pct);
                fputs(k == first ? " (" : ", ", f);
                text_html_cut(f, h->pool + ss[cells[k].si], 60);
                fprintf(f, " %s", buf);
                if (k + 1 >= ncells || cells[k + 1].xi != i)
                    fputs(")", f);
            }
            fputs(i + 1 < nx ? "; " : ".", f);
        }
    } else {
        size_t big = 0;

        for (size_t i = 1; i < nx; i++)
            if (tot[i] > tot[big])
                big = i;
        fmt_num(buf, sizeof buf, tot[big], dec_of(tot[big]), pct);
        fprintf(f, "; the largest total is %s, at ", buf);
        text_html_cut(f, h->pool + xs[big], 60);
        fputs(".", f);
    }
    desc_end(f, h);

    legend(f, h, ss, ns);

    draw_yaxis(f, &a, top, c->y);
    for (size_t i = 0, k = 0; i < nx; i++) {
        double cx = PAD_L + slot * ((double)i + 0.5), acc = 0;

        if ((int)i % xl.step == 0)
            xlabel_draw(f, &xl, cx, base, h->pool + xs[i]);
        for (; k < ncells && cells[k].xi == i; k++) {
            double v = cells[k].y, y0, y1;

            while (k + 1 < ncells && cells[k + 1].xi == i && cells[k + 1].si == cells[k].si)
                v += cells[++k].y;
            y0 = axis_y(&a, acc) - PAD_T + top;
            y1 = axis_y(&a, acc + v) - PAD_T + top;
            acc += v;
            fmt_num(buf, sizeof buf, v, dec_of(v), pct);
            /* A hairline between segments keeps neighbouring colours apart in print. */
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#fff\" stroke-width=\"0.5\"><title>",
                    cx - bw / 2, y1, bw, y0 - y1, palette[cells[k].si % NPALETTE]);
            text_html(f, h->pool + xs[i]);
            fputs(", ", f);
            text_html(f, h->pool + ss[cells[k].si]);
            fprintf(f, ": %s</title></rect>\n", buf);
        }
        if (nx <= 30) {
            fmt_num(buf, sizeof buf, acc, dec_of(acc), pct);
            fprintf(
                f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%s</text>\n",
                cx, axis_y(&a, acc) - PAD_T + top - 4, nx > 15 ? " style=\"font-size:9px\"" : "",
                buf);
        }
    }
    draw_xtitle(f, height, c->x);
    fputs("</svg>\n", f);
}

static void
note(FILE *f, const char *before, const char *subject, const char *after)
{
    fprintf(f, "<p class=\"note\">No chart: %s", before);
    text_html(f, subject);
    fprintf(f, "%s</p>\n", after);
}

/* Draws the chart of section S from the buffered rows, or says why there is none. */
static void
chart_draw(FILE *f, struct html *h, const struct report_section *s)
{
    const char *kind = s->chart.kind;
    struct scratch w = {0};
    size_t n = h->npts;
    double min, max;

    if (h->missing && strcmp(kind, "stack") == 0 && s->chart.series == NULL) {
        note(f, "a stacked chart needs series=COLUMN", NULL, ".");
        return;
    }
    if (h->missing) {
        note(f, "this section has no column &#8220;", h->missing, "&#8221;.");
        return;
    }
    if (!known_kind(kind)) {
        note(f, "&#8220;", kind, "&#8221; is not a kind of chart (bar, line, stack).");
        return;
    }
    if (h->oom) {
        note(f, "out of memory while collecting its rows", NULL, ".");
        return;
    }
    if (y_range(h, &min, &max) < 0) {
        note(f, "the column &#8220;", s->chart.y, "&#8221; holds no numbers.");
        return;
    }
    if (min < -VALUE_MAX || max > VALUE_MAX) {
        note(f, "the column &#8220;", s->chart.y, "&#8221; holds values too large to draw.");
        return;
    }
    /* Zeroed, though only the entries in use are read: an optimiser cannot tell. */
    w.xs = calloc(n, sizeof *w.xs);
    w.ss = calloc(n, sizeof *w.ss);
    w.cells = malloc(n * sizeof *w.cells);
    w.tot = calloc(n, sizeof *w.tot);
    if (w.xs == NULL || w.ss == NULL || w.cells == NULL || w.tot == NULL) {
        note(f, "out of memory while drawing it", NULL, ".");
        goto out;
    }
    fputs("<figure>\n", f);
    if (strcmp(kind, "bar") == 0)
        draw_bar(f, h, s, h->sections, &w);
    else if (strcmp(kind, "line") == 0)
        draw_line(f, h, s, h->sections);
    else
        draw_stack(f, h, s, h->sections, &w);
    fprintf(f, "<figcaption>Figure %d. ", ++h->figures);
    text_html(f, s->title ? s->title : s->name);
    fputs(".", f);
    if (h->dropped > 0)
        fprintf(f,
                " The chart draws the first %d rows only; the other %lld are in the table "
                "above.",
                CHART_MAX, h->dropped);
    fputs("</figcaption>\n</figure>\n", f);
out:
    free(w.tot);
    free(w.cells);
    free(w.ss);
    free(w.xs);
}

static int
html_section_end(struct render *r, const struct report_section *s)
{
    FILE *f = r->f;
    struct html *h = r->state;

    if (h == NULL) {
        fputs("</tbody>\n</table>\n</section>\n", f);
        return status(r);
    }
    if (h->tbody)
        fputs("</tbody>\n", f);
    fputs("</table>\n", f);
    if (h->rows == 0)
        fputs("<p class=\"empty\">No rows.</p>\n", f);
    else if (s->chart.kind != NULL)
        chart_draw(f, h, s);
    chart_reset(h);
    fputs("</section>\n", f);
    return status(r);
}

static int
html_end(struct render *r)
{
    FILE *f = r->f;
    struct html *h = r->state;

    fputs("</main>\n<footer>\n<p>Made by docket from its audit trail", f);
    if (h != NULL) {
        /* The head once more, where a reader of the last page finds it. */
        fputs(" at <code class=\"head\">", f);
        text_html(f, h->head);
        fputs("</code>. Anyone holding the trail can check this report against it with "
              "<code>docket verify --against ",
              f);
        text_html(f, h->head);
        fputs("</code>", f);
    }
    fputs(".</p>\n</footer>\n</body>\n</html>\n", f);
    return status(r);
}

static void
html_free(struct render *r)
{
    struct html *h = r->state;

    if (h != NULL) {
        free(h->pool);
        free(h->pts);
        free(h);
    }
    r->state = NULL;
}

const struct render_ops render_html = {
    .begin = html_begin,
    .section = html_section,
    .row = html_row,
    .section_end = html_section_end,
    .end = html_end,
    .free = html_free,
};
