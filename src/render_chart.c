/* render_chart.c: the SVG charts of the HTML report: a section's rows buffered as they pass,
 * then drawn under its table as a bar, line or stacked bar chart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/render_chart.h"
#include "docket/render_svg.h"
#include "docket/text.h"

/* Bounds that keep a chart's memory flat however long its section: the points drawn, and the
 * bytes kept of each label (a label is cut to a few characters when drawn anyway). */
enum { CHART_MAX = 5000, LABEL_MAX = 200, LEGEND_MAX = 20 };

/* Tableau 10: ten hues that stay apart on screen and on a colour printer. */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NPALETTE (sizeof palette / sizeof palette[0])

struct chart_point {
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

void
chart_reset(struct chart *ch)
{
    ch->collect = 0;
    ch->missing = NULL;
    ch->oom = 0;
    ch->npts = 0;
    ch->used = 0;
    ch->dropped = 0;
    ch->xcol = ch->ycol = ch->scol = -1;
}

/* Copies up to LABEL_MAX bytes of S, cut at a character boundary, into the pool. Returns 0, or
 * -1 when out of memory. */
static int
pool_add(struct chart *ch, const char *s, size_t *off)
{
    size_t n = strlen(s);

    if (n > LABEL_MAX) {
        n = LABEL_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    if (ch->used + n + 1 > ch->size) {
        size_t size = ch->size ? ch->size : 4096;
        char *p;

        while (size < ch->used + n + 1)
            size *= 2;
        if ((p = realloc(ch->pool, size)) == NULL)
            return -1;
        ch->pool = p;
        ch->size = size;
    }
    memcpy(ch->pool + ch->used, s, n);
    ch->pool[ch->used + n] = '\0';
    *off = ch->used;
    ch->used += n + 1;
    return 0;
}

/* Returns column I as a label: its text, or "(none)" for NULL. */
static const char *
label_of(sqlite3_stmt *st, int i, int type)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    return type == SQLITE_NULL || s == NULL ? "(none)" : s;
}

void
chart_begin(struct chart *ch, const struct report_section *s, int ncols, const char *const *cols)
{
    const struct report_chart *c = &s->chart;

    chart_reset(ch);
    if (c->kind != NULL) {
        int stack = strcmp(c->kind, "stack") == 0;

        ch->xcol = find_col(ncols, cols, c->x);
        ch->ycol = find_col(ncols, cols, c->y);
        ch->scol = stack ? find_col(ncols, cols, c->series) : -1;
        if (ch->xcol < 0)
            ch->missing = c->x ? c->x : "x";
        else if (ch->ycol < 0)
            ch->missing = c->y ? c->y : "y";
        else if (stack && ch->scol < 0)
            ch->missing = c->series ? c->series : "series";
        ch->collect = ch->missing == NULL && known_kind(c->kind);
    }
}

void
chart_types(const struct chart *ch, sqlite3_stmt *st, int types[3])
{
    if (!ch->collect)
        return;
    types[0] = sqlite3_column_type(st, ch->xcol);
    types[1] = sqlite3_column_type(st, ch->ycol);
    if (ch->scol >= 0)
        types[2] = sqlite3_column_type(st, ch->scol);
}

void
chart_add(struct chart *ch, sqlite3_stmt *st, const int types[3])
{
    struct chart_point *p;

    if (!ch->collect)
        return;
    if (ch->npts >= CHART_MAX) {
        ch->dropped++;
        return;
    }
    if (ch->npts == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 64;

        if (cap > CHART_MAX)
            cap = CHART_MAX;
        if ((p = realloc(ch->pts, cap * sizeof *p)) == NULL)
            goto oom;
        ch->pts = p;
        ch->cap = cap;
    }
    p = &ch->pts[ch->npts];
    p->has_y = 0;
    p->series = 0;
    if (types[1] == SQLITE_INTEGER || types[1] == SQLITE_FLOAT) {
        p->y = sqlite3_column_double(st, ch->ycol);
        p->has_y = isfinite(p->y);
    } else if (types[1] == SQLITE_TEXT) {
        const char *t = (const char *)sqlite3_column_text(st, ch->ycol);
        char *end;

        /* The program never calls setlocale: strtod reads the C locale's decimal point. */
        p->y = strtod(t, &end);
        p->has_y = end != t && *end == '\0' && isfinite(p->y);
    }
    if (pool_add(ch, label_of(st, ch->xcol, types[0]), &p->x) != 0)
        goto oom;
    if (ch->scol >= 0 && pool_add(ch, label_of(st, ch->scol, types[2]), &p->series) != 0)
        goto oom;
    ch->npts++;
    return;
oom:
    ch->oom = 1;
    ch->collect = 0;
}

/* Returns the range of the buffered values in *MIN and *MAX, and 1 when they are all whole;
 * returns -1 when no point has a value. */
static int
y_range(const struct chart *ch, double *min, double *max)
{
    int any = 0, whole = 1;

    for (size_t i = 0; i < ch->npts; i++) {
        const struct chart_point *p = &ch->pts[i];

        if (!p->has_y)
            continue;
        if (!any || p->y < *min)
            *min = p->y;
        if (!any || p->y > *max)
            *max = p->y;
        any = 1;
        whole &= svg_dec(p->y) == 0;
    }
    return any ? whole : -1;
}

/* MSGID (a message of context "chart") in the chart's language. */
static const char *
words(const struct chart *ch, const char *msgid)
{
    return ch->l10n ? l10n_ctext(ch->l10n, "chart", msgid) : msgid;
}

/* The title of section S, as people read it in the chart's language. */
static const char *
section_title(const struct chart *ch, const struct report_section *s)
{
    if (s->title == NULL)
        return s->name;
    return ch->l10n ? l10n_text(ch->l10n, s->title) : s->title;
}

/* The title of column NAME on an axis, as people read it in the chart's language. */
static const char *
col_title(const struct chart *ch, const char *name)
{
    return ch->l10n ? l10n_ctext(ch->l10n, "column", name) : name;
}

/* Writes sentence ONE, or MANY as count N asks, in the chart's language (a message of
 * po/docket.pot, its placeholders checked by msgfmt), escaped for HTML: each %s is the next of
 * the NARGS texts ARGS, cut to 60 characters. A screen reader reads the charts' descriptions
 * in the report's language. */
static void
tell(FILE *f, const struct chart *ch, const char *one, const char *many, long long n,
     const char *const *args, size_t nargs)
{
    const char *t = ch->l10n ? l10n_plural(ch->l10n, one, many, n) : n == 1 ? one : many, *q;
    size_t k = 0;

    while ((q = strstr(t, "%s")) != NULL) {
        text_html_n(f, t, (size_t)(q - t));
        if (k < nargs)
            text_html_cut(f, args[k++], 60);
        t = q + 2;
    }
    text_html(f, t);
}

/* tell() with the texts given as arguments. */
#define TELL(f, ch, one, many, n, ...)                                                             \
    tell(f, ch, one, many, n, (const char *const[]){__VA_ARGS__},                                  \
         sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* Writes count N into BUF as the chart's language groups it ("1,234", "1 234"). */
static const char *
count_text(const struct chart *ch, long long n, char buf[L10N_BUF])
{
    svg_num(ch->l10n, buf, L10N_BUF, (double)n, 0, 0);
    return buf;
}

/* Ends a chart's description, saying when rows were left out of the drawing. */
static void
desc_end(FILE *f, const struct chart *ch)
{
    char max[L10N_BUF], more[L10N_BUF];

    if (ch->dropped > 0) {
        fputc(' ', f);
        TELL(f, ch, "Only the first %s rows are drawn; %s more is left out.",
             "Only the first %s rows are drawn; %s more are left out.", ch->dropped,
             count_text(ch, CHART_MAX, max), count_text(ch, ch->dropped, more));
    }
    fputs("</desc>\n", f);
}

/* A bar chart's layout: each bar's slot and width, the labels below, the plot's baseline. */
struct bars {
    double slot, bw, base, height;
    struct svg_xlabels xl;
};

/* Lays out N bars labelled XS under a plot that starts at TOP and opens the chart, up to its
 * description. */
static void
bars_open(FILE *f, struct chart *ch, const struct report_section *s, int id, size_t *xs, size_t n,
          double top, struct bars *b)
{
    b->slot = (SVG_W - PAD_L - PAD_R) / (double)(n ? n : 1);
    b->bw = b->slot * 0.7 > 56 ? 56 : b->slot * 0.7;
    svg_xlabels_fit(&b->xl, ch->pool, xs, n, b->slot);
    b->base = top + PLOT_H;
    b->height = b->base + b->xl.bottom;
    svg_open(f, id, b->height, section_title(ch, s));
}

static void
draw_bar(FILE *f, struct chart *ch, const struct report_section *s, int id, struct scratch *w)
{
    const struct report_chart *c = &s->chart;
    int pct = looks_pct(c->y), whole;
    double min = 0, max = 0, slot, bw, base, zero;
    size_t n = ch->npts, *labels = w->xs, hi = 0, lo = 0;
    struct bars b;
    struct svg_axis a;
    char buf[L10N_BUF], lb[L10N_BUF], nb[L10N_BUF];

    whole = y_range(ch, &min, &max);
    for (size_t i = 0; i < n; i++) {
        labels[i] = ch->pts[i].x;
        if (ch->pts[i].has_y && (!ch->pts[hi].has_y || ch->pts[i].y > ch->pts[hi].y))
            hi = i;
        if (ch->pts[i].has_y && (!ch->pts[lo].has_y || ch->pts[i].y < ch->pts[lo].y))
            lo = i;
    }
    svg_axis_fit(&a, ch->l10n, min, max, pct, 1, whole == 1);
    bars_open(f, ch, s, id, labels, n, PAD_T, &b);
    slot = b.slot;
    bw = b.bw;
    base = b.base;
    count_text(ch, (long long)n, nb);
    if (n <= 20) {
        /* Followed by each bar, "label: value", the bars separated by commas. */
        TELL(f, ch,
             "Bar chart of %s by %s, %s bar: ", "Bar chart of %s by %s, %s bars: ", (long long)n,
             col_title(ch, c->y), col_title(ch, c->x), nb);
        for (size_t i = 0; i < n; i++) {
            const struct chart_point *p = &ch->pts[i];

            if (p->has_y)
                svg_num(ch->l10n, buf, sizeof buf, p->y, svg_dec(p->y), pct);
            TELL(f, ch, "%s: %s", "%s: %s", 1, ch->pool + p->x,
                 p->has_y ? buf : words(ch, "no value"));
            fputs(i + 1 < n ? ", " : ".", f);
        }
    } else {
        svg_num(ch->l10n, buf, sizeof buf, ch->pts[hi].y, svg_dec(ch->pts[hi].y), pct);
        svg_num(ch->l10n, lb, sizeof lb, ch->pts[lo].y, svg_dec(ch->pts[lo].y), pct);
        TELL(f, ch, "Bar chart of %s by %s, %s bar; highest %s at %s, lowest %s at %s.",
             "Bar chart of %s by %s, %s bars; highest %s at %s, lowest %s at %s.", (long long)n,
             col_title(ch, c->y), col_title(ch, c->x), nb, buf, ch->pool + ch->pts[hi].x, lb,
             ch->pool + ch->pts[lo].x);
    }
    desc_end(f, ch);

    svg_yaxis(f, &a, PAD_T, col_title(ch, c->y));
    zero = svg_axis_y(&a, a.lo > 0 ? a.lo : a.hi < 0 ? a.hi : 0);
    for (size_t i = 0; i < n; i++) {
        const struct chart_point *p = &ch->pts[i];
        double cx = PAD_L + slot * ((double)i + 0.5), y;

        if ((int)i % b.xl.step == 0)
            svg_xlabel(f, &b.xl, cx, base, ch->pool + p->x);
        if (!p->has_y) {
            /* Marked, so that a missing value is not read as a zero. */
            if (n <= 30)
                fprintf(
                    f,
                    "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                    cx, zero - 4, words(ch, "n/a"));
            continue;
        }
        y = svg_axis_y(&a, p->y);
        svg_num(ch->l10n, buf, sizeof buf, p->y, svg_dec(p->y), pct);
        fprintf(f,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                "<title>",
                cx - bw / 2, y < zero ? y : zero, bw, y < zero ? zero - y : y - zero);
        text_html(f, ch->pool + p->x);
        fprintf(f, ": %s</title></rect>\n", buf);
        if (n <= 30)
            fprintf(
                f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%s</text>\n",
                cx, p->y >= 0 ? y - 4 : y + 11, n > 15 ? " style=\"font-size:9px\"" : "", buf);
    }
    svg_xtitle(f, b.height, col_title(ch, c->x));
    fputs("</svg>\n", f);
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

/* Point I's label as people read it: a month ("2015-11") in the chart's language, into BUF. */
static const char *
x_label(const struct chart *ch, size_t i, char buf[L10N_BUF])
{
    const char *label = ch->pool + ch->pts[i].x;

    return ch->l10n && l10n_day(ch->l10n, label, buf) == 0 ? buf : label;
}

static void
draw_line(FILE *f, struct chart *ch, const struct report_section *s, int id)
{
    const struct report_chart *c = &s->chart;
    int pct = looks_pct(c->y), whole;
    double min = 0, max = 0, pw = SVG_W - PAD_L - PAD_R, height, base, dx, lw;
    static const size_t steps[] = {1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120, 240, 600, 1200};
    size_t n = ch->npts, first = n, last = n, hi = n, lo = n, longest = 0, step, room;
    struct svg_axis a;
    char buf[L10N_BUF], xb[L10N_BUF], nb[L10N_BUF], v[4][L10N_BUF], x[4][L10N_BUF];
    const char *xl[4];

    whole = y_range(ch, &min, &max);
    for (size_t i = 0; i < n; i++) {
        const struct chart_point *p = &ch->pts[i];
        size_t len = text_cp_count(x_label(ch, i, xb));

        if (len > longest)
            longest = len;
        if (!p->has_y)
            continue;
        if (first == n)
            first = i;
        last = i;
        if (hi == n || p->y > ch->pts[hi].y)
            hi = i;
        if (lo == n || p->y < ch->pts[lo].y)
            lo = i;
    }
    svg_axis_fit(&a, ch->l10n, min, max, pct, 1, whole == 1);
    height = PAD_T + PLOT_H + 44;
    base = PAD_T + PLOT_H;
    dx = n > 1 ? pw / (double)(n - 1) : 0;

    svg_open(f, id, height, section_title(ch, s));
    count_text(ch, (long long)n, nb);
    svg_num(ch->l10n, v[0], sizeof v[0], ch->pts[first].y, svg_dec(ch->pts[first].y), pct);
    xl[0] = x_label(ch, first, x[0]);
    if (first == last) {
        TELL(f, ch, "Line chart of %s by %s: one value, %s (%s); %s point.",
             "Line chart of %s by %s: one value, %s (%s); %s points.", (long long)n,
             col_title(ch, c->y), col_title(ch, c->x), xl[0], v[0], nb);
    } else {
        const size_t at[] = {last, hi, lo};

        for (int k = 0; k < 3; k++) {
            svg_num(ch->l10n, v[k + 1], sizeof v[0], ch->pts[at[k]].y, svg_dec(ch->pts[at[k]].y),
                    pct);
            xl[k + 1] = x_label(ch, at[k], x[k + 1]);
        }
        TELL(f, ch,
             "Line chart of %s by %s from %s (%s) to %s (%s); highest %s in %s, lowest %s in %s; "
             "%s point.",
             "Line chart of %s by %s from %s (%s) to %s (%s); highest %s in %s, lowest %s in %s; "
             "%s points.",
             (long long)n, col_title(ch, c->y), col_title(ch, c->x), xl[0], v[0], xl[1], v[1], v[2],
             xl[2], v[3], xl[3], nb);
    }
    desc_end(f, ch);

    svg_yaxis(f, &a, PAD_T, col_title(ch, c->y));

    /* Labels: the first, the last, and between them every STEP-th point, with STEP taken
     * from whole numbers of months so that monthly labels fall on the same month each year;
     * a label is left out rather than let it touch the first or the last. */
    if (longest > 18)
        longest = 18;
    lw = (double)longest * CHAR_W + 12;
    room = (size_t)(pw / lw);
    step = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0] && step == 0; k++)
        if ((n - 1) / steps[k] + 1 <= room)
            step = steps[k];
    if (step == 0)
        step = (n - 1) / (room > 1 ? room - 1 : 1) + 1;
    svg_tick(f, n > 1 ? PAD_L : PAD_L + pw / 2, base, x_label(ch, 0, xb), longest);
    for (size_t i = month_offset(ch->pool + ch->pts[0].x, step); n > 1 && i < n - 1; i += step)
        if (dx * (double)i >= lw && dx * (double)(n - 1 - i) >= lw)
            svg_tick(f, PAD_L + dx * (double)i, base, x_label(ch, i, xb), longest);
    if (n > 1)
        svg_tick(f, PAD_L + pw, base, x_label(ch, n - 1, xb), longest);

    /* A run of points with values is one polyline; a point without one breaks the line. */
    for (size_t i = 0; i < n;) {
        size_t j = i;

        if (!ch->pts[i].has_y) {
            i++;
            continue;
        }
        while (j < n && ch->pts[j].has_y)
            j++;
        if (j - i > 1) {
            double zero = svg_axis_y(&a, a.lo > 0 ? a.lo : 0);

            fprintf(f, "<polygon class=\"area\" points=\"%.1f,%.1f", PAD_L + dx * (double)i, zero);
            for (size_t k = i; k < j; k++)
                fprintf(f, " %.1f,%.1f", PAD_L + dx * (double)k, svg_axis_y(&a, ch->pts[k].y));
            /* Hundreds of points in 630 units: a thinner line keeps their detail. */
            fprintf(f, " %.1f,%.1f\"/>\n<polyline class=\"line\"%s points=\"",
                    PAD_L + dx * (double)(j - 1), zero,
                    n > 200 ? " style=\"stroke-width:1.2\"" : "");
            for (size_t k = i; k < j; k++)
                fprintf(f, "%s%.1f,%.1f", k > i ? " " : "", PAD_L + dx * (double)k,
                        svg_axis_y(&a, ch->pts[k].y));
            fputs("\"/>\n", f);
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        const struct chart_point *p = &ch->pts[i];

        int alone = (i == 0 || !ch->pts[i - 1].has_y) && (i + 1 == n || !ch->pts[i + 1].has_y);

        /* Dense lines show only the last point, and those that no line reaches. */
        if (!p->has_y || (n > 40 && i != last && !alone))
            continue;
        svg_num(ch->l10n, buf, sizeof buf, p->y, svg_dec(p->y), pct);
        fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>",
                n > 1 ? PAD_L + dx * (double)i : PAD_L + pw / 2, svg_axis_y(&a, p->y),
                n > 40 ? 3.5 : 3.0);
        text_html(f, x_label(ch, i, xb));
        fprintf(f, ": %s</title></circle>\n", buf);
    }
    /* The latest value is the one a reader looks for: it is labelled. */
    svg_num(ch->l10n, buf, sizeof buf, ch->pts[last].y, svg_dec(ch->pts[last].y), pct);
    fprintf(f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
            n > 1 ? PAD_L + dx * (double)last : PAD_L + pw / 2, svg_axis_y(&a, ch->pts[last].y) - 8,
            n > 1 && last > n / 2 ? "end" : "start", buf);
    svg_xtitle(f, height, col_title(ch, c->x));
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
distinct(const struct chart *ch, size_t *seen, size_t *n, size_t label)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(ch->pool + seen[i], ch->pool + label) == 0)
            return i;
    seen[*n] = label;
    return (*n)++;
}

/* Lays out the legend of the N series SS across the top, wrapping onto as many rows as it
 * needs, and draws it when F is not NULL. Past LEGEND_MAX entries the colours repeat too often
 * to tell series apart: the rest are counted, not shown. Returns the number of rows. */
static int
legend(FILE *f, const struct chart *ch, const size_t *ss, size_t n)
{
    double x = PAD_L, y = 12;
    int rows = 1;

    for (size_t i = 0; i < n && i <= LEGEND_MAX; i++) {
        const char *label = i < LEGEND_MAX ? ch->pool + ss[i] : "more";
        size_t len = i < LEGEND_MAX ? text_cp_count(label) : 16;
        double w = 36 + (double)(len > 28 ? 28 : len) * CHAR_W;

        if (x + w > SVG_W - PAD_R && x > PAD_L) {
            rows++;
            x = PAD_L;
            y += 18;
        }
        if (f != NULL && i == LEGEND_MAX) {
            char nb[L10N_BUF];

            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x, y + 10);
            TELL(f, ch, "and %s more", "and %s more", (long long)(n - LEGEND_MAX),
                 count_text(ch, (long long)(n - LEGEND_MAX), nb));
            fputs("</text>\n", f);
        } else if (f != NULL) {
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
draw_stack(FILE *f, struct chart *ch, const struct report_section *s, int id, struct scratch *w)
{
    const struct report_chart *c = &s->chart;
    size_t n = ch->npts, nx = 0, ns = 0, ncells = 0, *xs = w->xs, *ss = w->ss;
    struct cell *cells = w->cells;
    double *tot = w->tot, max = 0, slot, bw, top, base;
    int pct = looks_pct(c->y), whole = 1;
    struct bars b;
    struct svg_axis a;
    char buf[L10N_BUF], nb[L10N_BUF];

    for (size_t i = 0; i < n; i++) {
        const struct chart_point *p = &ch->pts[i];
        size_t xi = distinct(ch, xs, &nx, p->x);

        size_t si;

        if (!p->has_y)
            continue;
        /* A series of zeros still has its place in the legend, so that its colour and the
         * others' stay the same from one report to the next. */
        si = distinct(ch, ss, &ns, p->series);
        /* Counts below zero cannot be stacked: such a value is left out. */
        if (p->y <= 0)
            continue;
        cells[ncells].xi = xi;
        cells[ncells].si = si;
        cells[ncells].y = p->y;
        tot[xi] += p->y;
        whole &= svg_dec(p->y) == 0;
        ncells++;
    }
    qsort(cells, ncells, sizeof *cells, cell_cmp);
    for (size_t i = 0; i < nx; i++)
        if (tot[i] > max)
            max = tot[i];
    svg_axis_fit(&a, ch->l10n, 0, max, pct, 0, whole);

    top = 12 + legend(NULL, ch, ss, ns) * 18.0 + 10;
    bars_open(f, ch, s, id, xs, nx, top, &b);
    slot = b.slot;
    bw = b.bw;
    base = b.base;
    /* Followed by the series, separated by commas. */
    TELL(f, ch, "Stacked bar chart of %s by %s, split by %s: ",
         "Stacked bar chart of %s by %s, split by %s: ", 1, col_title(ch, c->y),
         col_title(ch, c->x), col_title(ch, c->series));
    for (size_t i = 0; i < ns && i < LEGEND_MAX; i++) {
        fputs(i ? ", " : "", f);
        text_html_cut(f, ch->pool + ss[i], 60);
    }
    if (ns > LEGEND_MAX) {
        fputc(' ', f);
        TELL(f, ch, "and %s more", "and %s more", (long long)(ns - LEGEND_MAX),
             count_text(ch, (long long)(ns - LEGEND_MAX), nb));
    }
    fputs(". ", f);
    count_text(ch, (long long)nx, nb);
    if (nx <= 20) {
        size_t k = 0;

        /* Followed by each bar, "label: total T (series value, ...)", separated by
         * semicolons. */
        TELL(f, ch, "%s bar: ", "%s bars: ", (long long)nx, nb);
        for (size_t i = 0; i < nx; i++) {
            svg_num(ch->l10n, buf, sizeof buf, tot[i], svg_dec(tot[i]), pct);
            TELL(f, ch, "%s: total %s", "%s: total %s", 1, ch->pool + xs[i], buf);
            for (size_t first = k; k < ncells && cells[k].xi == i; k++) {
                double v = cells[k].y;

                /* Cells of one bar and series are summed before they are told. */
                while (k + 1 < ncells && cells[k + 1].xi == i && cells[k + 1].si == cells[k].si)
                    v += cells[++k].y;
                svg_num(ch->l10n, buf, sizeof buf, v, svg_dec(v), pct);
                fputs(k == first ? " (" : ", ", f);
                text_html_cut(f, ch->pool + ss[cells[k].si], 60);
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
        svg_num(ch->l10n, buf, sizeof buf, tot[big], svg_dec(tot[big]), pct);
        TELL(f, ch, "%s bar; the largest total is %s, at %s.",
             "%s bars; the largest total is %s, at %s.", (long long)nx, nb, buf,
             ch->pool + xs[big]);
    }
    desc_end(f, ch);

    legend(f, ch, ss, ns);

    svg_yaxis(f, &a, top, col_title(ch, c->y));
    for (size_t i = 0, k = 0; i < nx; i++) {
        double cx = PAD_L + slot * ((double)i + 0.5), acc = 0;

        if ((int)i % b.xl.step == 0)
            svg_xlabel(f, &b.xl, cx, base, ch->pool + xs[i]);
        for (; k < ncells && cells[k].xi == i; k++) {
            double v = cells[k].y, y0, y1;

            while (k + 1 < ncells && cells[k + 1].xi == i && cells[k + 1].si == cells[k].si)
                v += cells[++k].y;
            y0 = svg_axis_y(&a, acc) - PAD_T + top;
            y1 = svg_axis_y(&a, acc + v) - PAD_T + top;
            acc += v;
            svg_num(ch->l10n, buf, sizeof buf, v, svg_dec(v), pct);
            /* A hairline between segments keeps neighbouring colours apart in print. */
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#fff\" stroke-width=\"0.5\"><title>",
                    cx - bw / 2, y1, bw, y0 - y1, palette[cells[k].si % NPALETTE]);
            text_html(f, ch->pool + xs[i]);
            fputs(", ", f);
            text_html(f, ch->pool + ss[cells[k].si]);
            fprintf(f, ": %s</title></rect>\n", buf);
        }
        if (nx <= 30) {
            svg_num(ch->l10n, buf, sizeof buf, acc, svg_dec(acc), pct);
            fprintf(
                f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%s</text>\n",
                cx, svg_axis_y(&a, acc) - PAD_T + top - 4,
                nx > 15 ? " style=\"font-size:9px\"" : "", buf);
        }
    }
    svg_xtitle(f, b.height, col_title(ch, c->x));
    fputs("</svg>\n", f);
}

static void
note(FILE *f, const char *before, const char *subject, const char *after)
{
    fprintf(f, "<p class=\"note\">No chart: %s", before);
    text_html(f, subject);
    fprintf(f, "%s</p>\n", after);
}

void
chart_draw(FILE *f, struct chart *ch, const struct report_section *s, int id)
{
    const char *kind = s->chart.kind;
    struct scratch w = {0};
    size_t n = ch->npts;
    double min, max;

    if (ch->missing && strcmp(kind, "stack") == 0 && s->chart.series == NULL) {
        note(f, "a stacked chart needs series=COLUMN", NULL, ".");
        return;
    }
    if (ch->missing) {
        note(f, "this section has no column &#8220;", ch->missing, "&#8221;.");
        return;
    }
    if (!known_kind(kind)) {
        note(f, "&#8220;", kind, "&#8221; is not a kind of chart (bar, line, stack).");
        return;
    }
    if (ch->oom) {
        note(f, "out of memory while collecting its rows", NULL, ".");
        return;
    }
    if (y_range(ch, &min, &max) < 0) {
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
        draw_bar(f, ch, s, id, &w);
    else if (strcmp(kind, "line") == 0)
        draw_line(f, ch, s, id);
    else
        draw_stack(f, ch, s, id, &w);
    /* "Figure N. Title." and, for a chart of the first rows only, how many it leaves out;
     * the words in the chart's language (their formats checked by msgfmt, c-format). */
    fprintf(f, "<figcaption>%s %d. ", words(ch, "Figure"), ++ch->figures);
    text_html(f, section_title(ch, s));
    fputs(".", f);
    if (ch->dropped > 0) {
        char note[256];

        snprintf(note, sizeof note,
                 words(ch, "The chart draws the first %d rows only; the other %lld are in the "
                           "table above."),
                 CHART_MAX, ch->dropped);
        fputc(' ', f);
        text_html(f, note);
    }
    fputs("</figcaption>\n</figure>\n", f);
out:
    free(w.tot);
    free(w.cells);
    free(w.ss);
    free(w.xs);
}

void
chart_free(struct chart *ch)
{
    if (ch == NULL)
        return;
    free(ch->pool);
    free(ch->pts);
}
