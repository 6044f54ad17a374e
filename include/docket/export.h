/* export.h: the whole tracker out (JSON Lines) and back in, and items as CSV. */
#ifndef DOCKET_EXPORT_H
#define DOCKET_EXPORT_H

#include <stdio.h>

#include "docket/db.h"

/* The format and version named by an export's first line. */
#define EXPORT_FORMAT  "docket-export"
#define EXPORT_VERSION 1

/* Writes the tracker to F as JSON Lines: a header ({"format": "docket-export", "version": 1,
 * "events": N, "head": HEX, ...}), the documents, kinds and items as they stand (for readers;
 * an import rebuilds them), then every event in sequence order with its hash and, once
 * published, its shared-log position. Streams in flat memory. Must run in a read transaction.
 * With DOCS (a JSON array of document symbols; NULL: all), only what belongs to those
 * documents, and the header names them ("documents"): a part of the trail, for readers, which
 * an import refuses. Exit codes: DK_STORE, DK_IO. */
int export_jsonl(struct db *db, const char *docs, FILE *f, struct diag *d);

/* Writes the items (of the documents DOCS, as export_jsonl reads it) with their current status
 * as CSV (RFC 4180) for spreadsheets: numbers as numbers, and text that a spreadsheet would run
 * as a formula after a ' (text_csv_field) that import_csv takes off. In a store of several
 * documents each key is written as ALIAS:KEY, as import_csv reads it back. Exit codes:
 * DK_STORE, DK_IO. */
int export_csv(struct db *db, const char *docs, FILE *f, struct diag *d);

/* What an import did. */
struct import_counts {
    long long events;    /* events restored or recorded */
    long long items;     /* items added */
    long long changed;   /* statuses set (CSV) */
    long long edited;    /* fields of existing items edited (CSV), as `edit` does */
    long long unchanged; /* rows (CSV) that recorded nothing */
};

/* Returns 1 when LINE (the first line of an input) is an export's header, else 0. */
int export_is_header(const char *line, size_t len);

/* Checks what a restore refuses before it reads past HEADER (an export's first line): that it
 * names an export of this version, and that the store holds no event. Run in a read
 * transaction before the restore's, it lets such a refusal leave the store's file as it was
 * (db_tx's bulk write switches the journal mode first, which writes the file). Exit codes:
 * DK_DATA, DK_STORE. */
int export_restore_check(struct db *db, const char *header, struct diag *d);

/* Restores an export read from F, whose header line HEADER was already read, into an empty
 * store, inside the caller's write transaction: every event exactly as it was recorded (times,
 * actors, hashes), each hash checked against the chain as it goes, and its place in the shared
 * log as strictly (positions 1, 2, 3 ... without a gap in log order, each shared hash chained
 * in that order, the received time as docket writes one); then the state is rebuilt from the
 * events. Reads line by line in flat memory (but for shared-log positions given ahead of the
 * lines', kept until the chain reaches them); the first bad line fails the whole import. Exit
 * codes: DK_DATA ("line N: what is wrong"; an export that ends early; a store that is not
 * empty), DK_STORE. */
int export_restore(struct db *db, const char *header, FILE *f, struct import_counts *n,
                   struct diag *d);

/* A CSV file of items being read: its header, and where the reading stands. */
struct csv_items;

/* The longest cell import --csv takes, in bytes: room for a long description, and with the 12
 * columns a row may have, a row in well under 64 MiB. */
#define IMPORT_CSV_CELL_MAX (4 << 20)

/* The first of an import's two passes over a CSV file of items (RFC 4180: a header row, then
 * one row per item) whose columns are key and title, and any of kind, parent, ref, goal, due,
 * cadence_months, description, status, date and reason. Reads F from its start to its end and
 * checks every row, keeping none: unknown or repeated columns, missing keys, bad keys, dates,
 * UTF-8, a NUL byte anywhere, a cell longer than IMPORT_CSV_CELL_MAX. Exactly one leading '
 * is taken off each cell (export_csv writes it before text a spreadsheet would run). F must be
 * a file that can be read again from its start (a regular file, or standard input or a URL
 * body spooled to one): import_csv_apply reads it once more. NAME names F in a read error. On
 * success *OUT owns the reader (import_csv_free), which borrows F and NAME. Memory stays flat
 * in the number of rows. Exit codes: DK_DATA ("row N, column C: what is wrong"), DK_IO (F
 * cannot be read; out of memory). */
int import_csv_check(FILE *f, const char *name, struct csv_items **out, struct diag *d);

/* The second pass, inside the caller's write transaction: reads F again from its start,
 * checking each row as the first pass did, and records it: a new key is added (kind, parent,
 * ...), and a status that differs from the item's is set with its date and reason (default:
 * "imported from ORIGIN, row N"). Exit codes: DK_DATA ("row N, column C: ..."), DK_IO,
 * DK_STORE. */
int import_csv_apply(struct db *db, struct csv_items *t, const char *origin,
                     struct import_counts *n, struct diag *d);

/* Returns 1 when the LEN bytes at LINE, the first line of an input given without --csv, look
 * like the header row of a CSV file rather than the start of JSON: after a UTF-8 byte order
 * mark and blanks, something other than '{' or '[', and a comma in the line. Else 0. */
int import_csv_sniff(const char *line, size_t len);

/* Frees what import_csv_check made (not the file it reads); NULL does nothing. */
void import_csv_free(struct csv_items *t);

#endif
