/* render.h: what the report formats share: the heads a report is stamped with, and a row's
 * cells as text or JSON. */
#ifndef DOCKET_RENDER_H
#define DOCKET_RENDER_H

#include <stdio.h>

#include <jansson.h>

#include "docket/report.h"

/* Returns 0, or DK_IO when R's stream reports an error: what each of a format's functions
 * returns. */
int render_status(const struct render *r);

/* The heads a report is stamped with, each as `verify --head` prints it and `verify --against`
 * takes it: into MAIN, "shared:POS:HEX" on a store that has synced (every office that synced as
 * far prints the same), else "local:N:HEX"; into LOCAL, "local:N:HEX" when MAIN is the shared
 * head and some events are not yet published, else "". */
enum { RENDER_HEAD_LEN = 96 };
void render_heads(const struct report_meta *m, char main[RENDER_HEAD_LEN],
                  char local[RENDER_HEAD_LEN]);

/* Writes column I of ST's current row to F: nothing for NULL, an integer or a real as digits,
 * anything else through TEXT, which escapes it for the format. */
void render_cell(FILE *f, sqlite3_stmt *st, int i, void (*text)(FILE *f, const char *s));

/* Column I of ST's current row as UTF-8 text, for the formats that must be UTF-8 (CSV, JSON):
 * its own bytes (*N of them) when they are, else a copy with each bad byte, and any NUL,
 * replaced by U+FFFD, left in *FIXED to be freed. NULL when memory runs out. */
const char *render_text(sqlite3_stmt *st, int i, size_t *n, char **fixed);

/* The columns of ST's row that are written: all but a "-- shown:" column. */
int render_columns(const struct render *r, sqlite3_stmt *st);

/* Returns 1 when column I is written for R's readers: 0 for a "-- machines:" column in the
 * formats people read. */
int render_shows(const struct render *r, int i);

/* For the formats people read, of a "-- each:" section: the first column written in a table
 * or a sentence (after the heading columns); 0 otherwise. */
int render_first(const struct render *r);

/* Returns 1 when ST's row opens a heading of a "-- each:" section (its first column differs
 * from the last row's: R keeps a copy), 0 when it goes on under the last, -1 when memory runs
 * out. */
int render_group_opens(struct render *r, sqlite3_stmt *st);

/* Returns 1 when ST's row only opens its heading: every column written after the heading
 * columns is NULL. */
int render_group_only(const struct render *r, sqlite3_stmt *st);

/* The words people read for MSGID (in context CTX, or NULL): R's language's, or MSGID itself
 * when the catalogue has none or R has no language (csv, json). */
const char *render_word(const struct render *r, const char *ctx, const char *msgid);

/* The number in column I of ST's row as people read it in R's language ("1,234.5", "1 234,5"),
 * with the decimals of its shortest exact form ("%.15g"), which is also its form for machines
 * and in exponent form; an integer as SQLite writes it. Returns BUF or text of the row. */
const char *render_number(const struct render *r, sqlite3_stmt *st, int i, char buf[L10N_BUF]);

/* DATE (as docket keeps dates) as people read it in R's language: BUF; else DATE itself. */
const char *render_day(const struct render *r, const char *date, char buf[L10N_BUF]);

/* The words after the count N of events not yet in the shared log, before the store's head:
 * "events not yet in the shared log, this store's head", in R's language. */
const char *render_unpublished(const struct render *r, long long n);

/* Column I of ST's current row as a JSON value, owned by the caller (json_decref): null for
 * NULL and for a real that is not finite (JSON has no infinity or NaN: the cell keeps its
 * place), a number, or a string. With REPAIR, text that is not UTF-8 (a blob, a cut string) is
 * repaired as render_text repairs it; without (an export, which keeps the bytes it holds), the
 * column's bytes go as they are, and text JSON cannot carry gives NULL. NULL when memory runs
 * out. */
json_t *render_json_value(sqlite3_stmt *st, int i, int repair);

#endif
