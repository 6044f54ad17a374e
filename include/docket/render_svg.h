/* render_svg.h: the pieces the report's SVG charts are drawn with: value axes, tick labels and
 * titles, in the plot's geometry. */
#ifndef DOCKET_RENDER_SVG_H
#define DOCKET_RENDER_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "docket/report.h"

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

/* A value axis: from LO to HI in steps of STEP, labelled with DEC decimals. */
struct svg_axis {
    double lo, hi, step;
    int dec, pct;
    const struct l10n *l10n; /* the language its figures are written in; NULL: as C writes them */
};

/* The x labels of a row of slots SLOT wide: upright when the longest fits, else turned by 40
 * degrees, and thinned to every STEP-th when even turned ones would collide. */
struct svg_xlabels {
    int turned, step;
    size_t cut;    /* code points kept of a label */
    double bottom; /* the margin under the plot that the labels and the x title need */
};

/* Formats V into BUF (N bytes) with DEC decimals, and a "%" when PCT, as language L writes
 * figures ("17,3 %"), or as C does when L is NULL. */
void svg_num(const struct l10n *l, char *buf, size_t n, double v, int dec, int pct);

/* Returns the decimals for a value: none for a whole number, else one. Values beyond VALUE_MAX
 * never reach here (they are not drawn), which keeps the cast defined. */
int svg_dec(double v);

/* Fits an axis over [MINV, MAXV] with about five steps. Percentages get 0..100 when they fit,
 * as do values that fit and reach above 50 when HUNDRED allows: most report values are
 * percentages, and a common scale lets charts be compared. WHOLE: every value is an integer,
 * so no step is smaller than one. Its figures are written as language L writes them (NULL: C). */
void svg_axis_fit(struct svg_axis *a, const struct l10n *l, double minv, double maxv, int pct,
                  int hundred, int whole);

/* Returns the y coordinate of V on A, for a plot whose top is PAD_T. */
double svg_axis_y(const struct svg_axis *a, double v);

/* Draws the gridlines, their labels and the y axis title, for a plot whose top is TOP. */
void svg_yaxis(FILE *f, const struct svg_axis *a, double top, const char *title);

/* Draws the x axis title at the foot of a drawing HEIGHT high. */
void svg_xtitle(FILE *f, double height, const char *title);

/* Opens the <svg> of chart ID, HEIGHT high, titled TITLE (its section's); the caller writes
 * the description. */
void svg_open(FILE *f, int id, double height, const char *title);

/* Fits XL to the N labels at POOL + LABELS[i] under slots SLOT wide. */
void svg_xlabels_fit(struct svg_xlabels *xl, const char *pool, const size_t *labels, size_t n,
                     double slot);

/* Draws LABEL as XL has it, centred on CX under the plot whose foot is BASE. */
void svg_xlabel(FILE *f, const struct svg_xlabels *xl, double cx, double base, const char *label);

/* Writes an x tick at X with LABEL under it, cut to CUT code points, kept inside the drawing at
 * either end. */
void svg_tick(FILE *f, double x, double base, const char *label, size_t cut);

#endif
