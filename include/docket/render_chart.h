/* render_chart.h: the SVG charts of the HTML report: a section's rows buffered as they pass,
 * then drawn under its table as a bar, line or stacked bar chart. */
#ifndef DOCKET_RENDER_CHART_H
#define DOCKET_RENDER_CHART_H

#include <stdio.h>

#include "docket/report.h"

struct chart_point;

/* A page's charts: the current section's buffered rows, and the figures drawn so far. A zeroed
 * one is ready for chart_begin; chart_free frees its buffers. */
struct chart {
    int figures; /* figures drawn so far, for their numbers */

    /* The chart of the current section. */
    int collect;          /* rows are being buffered */
    int xcol, ycol, scol; /* column indexes; scol is -1 but for a stack */
    const char *missing;  /* the named column the section lacks (borrowed from the section) */
    int oom;
    struct chart_point *pts;
    size_t npts, cap;
    char *pool;
    size_t used, size;
    long long dropped; /* rows past the points a chart draws */
    /* The language people read the chart in: a line chart's months ("2015-11") are written
     * as it writes them ("November 2015"); NULL: as they are. */
    const struct l10n *l10n;
};

/* Starts section S, whose columns are COLS[0..NCOLS): finds the columns its chart names and,
 * when the chart can be drawn, buffers the rows from now on. The buffers are kept from the
 * section before. */
void chart_begin(struct chart *c, const struct report_section *s, int ncols,
                 const char *const *cols);

/* Reads the types of the chart's columns of ST's current row into TYPES (left as they are when
 * no rows are buffered). Call it before the row is written: reading a number as text may change
 * what sqlite3_column_type reports. */
void chart_types(const struct chart *c, sqlite3_stmt *st, int types[3]);

/* Buffers the chart's columns of ST's current row, whose TYPES chart_types read. Running out of
 * memory is noted, and the chart is left out with a note. */
void chart_add(struct chart *c, sqlite3_stmt *st, const int types[3]);

/* Draws the chart of section S, the ID-th of the page, from the buffered rows as a <figure>
 * to F, or writes a note saying why there is none. */
void chart_draw(FILE *f, struct chart *c, const struct report_section *s, int id);

/* Forgets the current section's chart, keeping the buffers for the next one. */
void chart_reset(struct chart *c);

/* Frees C's buffers (not C itself, which its page holds). Accepts NULL. */
void chart_free(struct chart *c);

#endif
