/* schema.h: the migrations, and the check that a store's schema is the one they make. */
#ifndef DOCKET_SCHEMA_H
#define DOCKET_SCHEMA_H

#include <sqlite3.h>

#include "docket/diag.h"
#include "docket/embed.h"

/* One entry of sqlite_schema, as text. */
struct schema_entry {
    const char *type, *name, *tbl, *sql; /* sql: "" for an index SQLite made itself */
};

/* The schema the migrations make, ordered by name and ending with a NULL name: written at build
 * time by cmake/schema_text.c. */
extern const struct schema_entry schema_expected[];

/* Returns migration N (1, 2, ...: schema/NNN_*.sql in order), borrowed, or NULL past the last. */
const struct embed_file *schema_migration(int n);

/* Checks that the schema of H's main database (its tables, columns, indexes, triggers and
 * views, as sqlite_schema holds their text) is exactly what the migrations make: a table,
 * index or trigger added, dropped or altered by hand is damage. Returns 0, or DK_STORE naming
 * the first difference. */
int schema_check(sqlite3 *h, struct diag *d);

#endif
