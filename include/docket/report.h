/* report.h: reports as SQL: their definitions, and running their sections into a renderer. */
#ifndef DOCKET_REPORT_H
#define DOCKET_REPORT_H

#include <stdio.h>

#include "docket/db.h"
#include "docket/l10n.h"

/* A chart a section asks for: a KIND drawn from the columns X and Y (and SERIES for stacks). */
struct report_chart {
    char *kind;   /* "bar", "line" or "stack" */
    char *x, *y;  /* column names */
    char *series; /* "stack": the column whose values are stacked */
};

/* One section: a header comment and one SELECT. Strings are owned by the report. */
struct report_section {
    char *name, *title, *description; /* description may be NULL */
    struct report_chart chart;        /* chart.kind NULL: no chart */
    /* "-- shown: COLUMN": the SELECT's last column, COLUMN, says whether people (md, html) read
     * a row in the table (a true value) or see it only in the chart; machines (csv, json) take
     * every row. The column itself is not written. NULL: every row for everyone. */
    char *shown;
    int prose; /* "-- layout: prose": people read each row's cells as sentences, not a table */
    /* "-- each: HEADING[, QUOTE]": the SELECT's first column (and second) is repeated on each
     * row, and people read the rows under a heading for each of its values, with the QUOTE
     * quoted below it (one operative paragraph and its text, say); a row whose other columns
     * are all NULL only opens its heading. Machines take the columns as they are. EACH holds
     * the names as written, EACH_COLS how many (0: none). */
    char *each;
    int each_cols;
    /* "-- machines: COLUMN[, COLUMN...]": columns that only machines (csv, json) take, a key
     * beside the title people read in its stead, say; "-- people: ...": columns that only
     * people (md, html) read, a date in words beside the one machines take. Each joined by
     * ", " as written; NULL: none. */
    char *machines, *people;
    char *sql;
    int line; /* the line of the file where the section starts */
};

/* A report definition, parsed from reports/NAME.sql. */
struct report_def {
    char *name, *title, *description;
    char *origin; /* where it came from: "reports/progress.sql" or a path */
    struct report_section *sections;
    int nsections;
};

/* Parses report NAME from TEXT (ORIGIN names it in messages). The file is a header comment
 * ("-- title: ...", "-- description: ..."), then sections, each opened by "-- section: NAME"
 * and its own "-- title:", "-- description:", "-- chart: KIND x=COL y=COL [series=COL]",
 * "-- shown: COLUMN", "-- layout: prose", "-- each: HEADING[, QUOTE]",
 * "-- machines: COLUMN[, COLUMN...]", "-- people: COLUMN[, COLUMN...]" lines,
 * then exactly one SELECT. On success *OUT owns the definition (report_free). Exit code
 * DK_DATA as "ORIGIN:LINE: what is wrong". */
int report_parse(const char *name, const char *text, size_t len, const char *origin,
                 struct report_def **out, struct diag *d);

/* Loads report NAME: DIR/NAME.sql when DIR (--reports) has it, else the embedded one. Exit
 * codes: DK_DATA (no such report, naming the nearest; a bad file), DK_IO (DIR missing, not a
 * folder or unreadable; DIR/NAME.sql unreadable). */
int report_load(const char *name, const char *dir, struct report_def **out, struct diag *d);

void report_free(struct report_def *r);

/* Returns the section called NAME, or NULL. */
const struct report_section *report_section(const struct report_def *r, const char *name);

/* What a report states about itself, so that a reader can check it against the trail. */
struct report_meta {
    const char *report, *title, *description;
    const char *asof;      /* the as-of date, YYYY-MM-DD */
    const char *generated; /* UTC time of generation; NULL with --reproducible */
    long long events;      /* the trail's position: its last sequence number */
    char head[65];         /* the hash of that event, hex */
    long long shared;      /* the shared log's length here, 0 for a store that never synced */
    char shared_head[65];  /* the shared chain's hash at that position, hex */
    long long unpublished; /* events not yet in the shared log (on a store that synced) */
    int ndocs;
    struct report_doc {
        char *symbol, *title, *adopted;
        char *alias; /* set for the documents of a portfolio report, else NULL */
    } * docs;
};

struct render;

/* What a format implements. Each function writes to the renderer's stream and returns 0, or
 * DK_IO when the stream reports an error. A section's rows arrive one at a time as the current
 * row of a statement, so that a long report streams in flat memory. */
struct render_ops {
    int (*begin)(struct render *r, const struct report_meta *m);
    int (*section)(struct render *r, const struct report_section *s, int ncols,
                   const char *const *cols);
    int (*row)(struct render *r, sqlite3_stmt *st);
    int (*section_end)(struct render *r, const struct report_section *s);
    int (*end)(struct render *r);
    void (*free)(struct render *r); /* frees what the format keeps in state */
    /* A portfolio report: the sections that follow, up to the call with DOC NULL, are DOC's. */
    int (*document)(struct render *r, const struct report_doc *doc);
    /* A row of a "-- shown:" section that is drawn in the chart but not written; NULL for a
     * format without charts. */
    int (*chart_row)(struct render *r, sqlite3_stmt *st);
};

struct render {
    const struct render_ops *ops;
    FILE *f;
    int one_section; /* only one section is written (csv: no title rows) */
    int portfolio;   /* set by report_run: a portfolio table, then a part per document */
    int hide_last;   /* the section's last column is its "-- shown:" column, not written */
    int prose;       /* the section is read as sentences ("-- layout: prose") */
    /* "-- each:": the section's leading columns that head its rows for people (0: none), the
     * heading last written (render_group_opens keeps it) and whether a table is open under it;
     * the column names, for the formats that write a table under each heading. */
    int group;
    char *group_last;
    int group_table;
    const char *const *cols;
    int ncols;
    unsigned long long hidden;    /* bit I: column I is not for this format's readers */
    const struct report_doc *doc; /* the document whose sections are written, or NULL */
    void *state;                  /* the format's own */
    /* The language people read (md, html): the report's words, labels, dates and amounts in
     * it. NULL for the formats machines read (csv, json): keys, slugs and plain values. */
    const struct l10n *l10n;
};

/* The formats. render_csv writes every section, each after a row holding its title, unless
 * only one is chosen; the others are whole reports. */
extern const struct render_ops render_md, render_html, render_csv, render_json;

/* Returns the renderer for FORMAT ("md", "html", "csv", "json"), or NULL. */
const struct render_ops *render_find(const char *format);

/* What a run needs beyond the store. */
struct report_opts {
    const char *asof;    /* YYYY-MM-DD, the end of --as-of; NULL: the current state */
    const char *known;   /* a full UTC time (--known-at); NULL: everything recorded */
    const char *since;   /* a full UTC time: the changes recorded since then */
    const char *today;   /* YYYY-MM-DD: the date the report speaks for when ASOF is NULL */
    const char *section; /* only this section, or NULL */
    const char *docs;    /* a JSON array of document symbols (cli_docs): only these; NULL: all */
    int reproducible;    /* leave out the generation time */
    long timeout_ms;     /* how long the sections may run in all; 0: REPORT_TIMEOUT_MS */
};

/* How long a report's sections may run, in all, before the running one is stopped. */
#define REPORT_TIMEOUT_MS 30000L

/* Runs every section of R (or OPTS->section) against DB and renders it with OUT. A report over
 * several documents (OPTS->docs, or every document of the store) is a portfolio: first the
 * portfolio table (the documents' figures as view_docs gives them, as section "portfolio"), then
 * for each document every section run over its own items and paragraphs only. Section SQL
 * sees the state tables (as of OPTS->asof and ->known), items_since (the items as recorded at
 * OPTS->since), progress_by_month (see progress.h), the one-row table params
 * (asof, known, since) and the views evidence, costs, status_events and publications, each
 * limited to what is visible then. A report may come from anywhere (--reports), so its sections
 * are sandboxed: prepared under an authorizer that allows only reads of the store's tables and
 * views and an allow-list of functions, run under SQLITE_LIMIT_* bounds, and stopped once they
 * have run OPTS->timeout_ms in all; DB's own statements, before and after, are not affected.
 * Exit codes: DK_DATA (a section that would write, calls a function or reads a table outside
 * the allow-list, runs too long; broken SQL, an unknown section: "ORIGIN:LINE: ..."; an as-of
 * date before any document was adopted), DK_STORE, DK_IO. */
int report_run(struct db *db, const struct report_def *r, const struct report_opts *opts,
               struct render *out, struct diag *d);

/* Writes the recorded time of the last publication of report NAME recorded at or before KNOWN
 * (a full UTC time; NULL: any time) into OUT, or the start of time when there is none.
 * Returns 0 or DK_STORE. */
int report_last_published(struct db *db, const char *name, const char *known, char out[25],
                          struct diag *d);

/* Records the publication of report NAME as of ASOF in FORMAT: an event holding the trail's
 * head ("N HEX") at this moment. Must run inside db_tx(write). Returns 0 or DK_STORE. */
int report_publish(struct db *db, const char *name, const char *asof, const char *format,
                   struct diag *d);

#endif
