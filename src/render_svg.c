/* render_svg.c: the pieces the report's SVG charts are drawn with: value axes, tick labels and
 * titles, in the plot's geometry. */
#include <stdio.h>
#include <string.h>

#include "docket/render_svg.h"
#include "docket/text.h"

void
svg_num(const struct l10n *l, char *buf, size_t n, double v, int dec, int pct)
{
    char words[L10N_BUF];

    if (l != NULL && (pct ? l10n_percent(l, v, dec, words) : l10n_number(l, v, dec, words)) == 0)
        snprintf(buf, n, "%s", words);
    else
        snprintf(buf, n, "%.*f%s", dec, v, pct ? "%" : "");
}

int
svg_dec(double v)
{
    return v > -VALUE_MAX && v < VALUE_MAX && v != (double)(long long)v;
}

void
svg_axis_fit(struct svg_axis *a, const struct l10n *l, double minv, double maxv, int pct,
             int hundred, int whole)
{
    double raw, mag = 1, step, lo, hi;
    long long k;

    a->pct = pct;
    a->l10n = l;
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

double
svg_axis_y(const struct svg_axis *a, double v)
{
    return PAD_T + PLOT_H - (v - a->lo) / (a->hi - a->lo) * PLOT_H;
}

void
svg_yaxis(FILE *f, const struct svg_axis *a, double top, const char *title)
{
    int n = (int)((a->hi - a->lo) / a->step + 0.5);
    char buf[L10N_BUF];

    for (int i = 0; i <= n; i++) {
        double v = a->lo + i * a->step, y;

        /* Sums of steps miss zero by a rounding error: it would print as "-0". */
        if (v > -a->step / 1000 && v < a->step / 1000)
            v = 0;
        y = svg_axis_y(a, v) - PAD_T + top;
        svg_num(a->l10n, buf, sizeof buf, v, a->dec, a->pct);
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

void
svg_xtitle(FILE *f, double height, const char *title)
{
    fprintf(f, "<text class=\"atitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
            PAD_L + (SVG_W - PAD_L - PAD_R) / 2, height - 6);
    text_html_cut(f, title, 60);
    fputs("</text>\n", f);
}

void
svg_open(FILE *f, int id, double height, const char *title)
{
    fprintf(f,
            "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
            "aria-labelledby=\"chart%d-title chart%d-desc\">\n<title id=\"chart%d-title\">",
            SVG_W, height, id, id, id);
    text_html(f, title);
    fprintf(f, "</title>\n<desc id=\"chart%d-desc\">", id);
}

void
svg_xlabels_fit(struct svg_xlabels *xl, const char *pool, const size_t *labels, size_t n,
                double slot)
{
    size_t longest = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = text_cp_count(pool + labels[i]);

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

void
svg_xlabel(FILE *f, const struct svg_xlabels *xl, double cx, double base, const char *label)
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

void
svg_tick(FILE *f, double x, double base, const char *label, size_t cut)
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
