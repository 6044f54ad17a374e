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
 * Exit codes: DK_STORE, DK_IO. */
int export_jsonl(struct db *db, FILE *f, struct diag *d);

/* Writes the items with their current status as CSV (RFC 4180) for spreadsheets. Exit codes:
 * DK_STORE, DK_IO. */
int export_csv(struct db *db, FILE *f, struct diag *d);

/* What an import did. */
struct import_counts {
    long long events;  /* events restored or recorded */
    long long items;   /* items added */
    long long changed; /* statuses set (CSV) */
    long long unchanged;
};

/* Returns 1 when LINE (the first line of an input) is an export's header, else 0. */
int export_is_header(const char *line, size_t len);

/* Restores an export read from F, whose header line HEADER was already read, into an empty
 * store, inside the caller's write transaction: every event exactly as it was recorded (times,
 * actors, hashes), each hash checked against the chain as it goes; then the state is rebuilt
 * from the events. Reads line by line in flat memory; the first bad line fails the whole
 * import. Exit codes: DK_DATA ("line N: what is wrong"; an export that ends early; a store
 * that is not empty), DK_STORE. */
int export_restore(struct db *db, const char *header, FILE *f, struct import_counts *n,
                   struct diag *d);

/* A CSV file of items, parsed and checked as far as it can be without the store. */
struct csv_items;

/* Parses CSV TEXT (RFC 4180: a header row, then one row per item) whose columns are key and
 * title, and any of kind, parent, ref, goal, due, cadence_months, description, status, date
 * and reason. Checks every row before anything is written: unknown or repeated columns,
 * missing keys or titles, bad keys, dates, UTF-8. On success *OUT owns the rows
 * (import_csv_free). Exit code DK_DATA: "row N, column C: what is wrong". */
int import_csv_parse(const char *text, size_t len, struct csv_items **out, struct diag *d);

/* Records the rows inside the caller's write transaction: a new key is added (kind, parent,
 * ...), and a status that differs from the item's is set with its date and reason (default:
 * "imported from ORIGIN, row N"). Exit codes: DK_DATA ("row N, column C: ..."), DK_STORE. */
int import_csv_apply(struct db *db, const struct csv_items *rows, const char *origin,
                     struct import_counts *n, struct diag *d);

void import_csv_free(struct csv_items *rows);

#endif
