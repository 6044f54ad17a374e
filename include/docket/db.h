/* db.h: the store: opening, migrating, cached statements and the one transaction helper. */
#ifndef DOCKET_DB_H
#define DOCKET_DB_H

#include <sqlite3.h>

#include "docket/diag.h"
#include "docket/uuid.h"

struct db;

/* PRAGMA application_id of every docket store: "DKT1". */
#define DB_APPLICATION_ID 0x444b5431

enum {
    DB_CREATE = 1 << 0,   /* create a new store; refuse when PATH exists */
    DB_READONLY = 1 << 1, /* open for reading only (auditors) */
    DB_WRITER = 1 << 2,   /* for a command that writes: a store that a bulk write left in a
                             rollback journal gets its WAL back (db_tx) */
};

/* Opens (or with DB_CREATE creates and migrates) the store at PATH; ":memory:" makes a new
 * store in memory, for tests. On success *OUT owns a new
 * handle for db_close. Exit codes: DK_STORE (missing, not a docket store, newer, corrupt,
 * locked past the timeout; an existing file for DB_CREATE), DK_IO (DB_CREATE cannot make the
 * file). */
int db_open(const char *path, unsigned flags, struct db **out, struct diag *d);

/* Closes DB and frees its cached statements; NULL is accepted. */
void db_close(struct db *db);

/* Opens a second read-only connection to the store at PATH, inside a read transaction whose
 * snapshot holds the same events and shared log as DB's (which must be inside one): for work
 * split between two threads. Returns it, owned by the caller (db_close), or NULL when none can
 * be had (an in-memory store, a writer that commits between the two): the caller then works
 * alone. */
struct db *db_twin(struct db *db, const char *path);

/* Removes the store file at PATH and its -wal, -shm and -journal files: a failed init leaves
 * nothing. */
void db_remove(const char *path);

/* Returns the schema version a store reaches once migrated: the number of migrations. */
int db_schema_version(void);

/* The connection, borrowed, for modules that step their own statements. */
sqlite3 *db_handle(struct db *db);

/* Returns this store's replica id (borrowed). */
const char *db_replica(const struct db *db);

/* The actor and OS login recorded with every event this handle appends, borrowed: they must
 * outlive the handle. NULL records "". */
void db_set_actor(struct db *db, const char *actor, const char *login);

struct trust_key;

/* The key this handle signs the events it appends with, borrowed: the caller frees it after
 * db_close. NULL (the default) for a reader. */
void db_set_key(struct db *db, struct trust_key *k);
const struct trust_key *db_key(const struct db *db);

/* Finds or prepares the statement for SQL (a string literal: it is cached by address), reset
 * and with its bindings cleared; *OUT is borrowed. Returns 0 or DK_STORE. */
int db_prep(struct db *db, const char *sql, sqlite3_stmt **out, struct diag *d);

/* Steps ST: returns 1 for a row, 0 when done, -1 with D set (DK_STORE) on an error. */
int db_row(struct db *db, sqlite3_stmt *st, struct diag *d);

/* Steps ST to its end, for statements that return no rows. Returns 0 or DK_STORE. */
int db_run(struct db *db, sqlite3_stmt *st, struct diag *d);

/* Runs SQL text without parameters (DDL). Returns 0 or DK_STORE. */
int db_exec(struct db *db, const char *sql, struct diag *d);

/* Binds by name; a NULL value binds SQL NULL. Returns 0 or DK_STORE. */
int db_bind_text(struct db *db, sqlite3_stmt *st, const char *name, const char *v, struct diag *d);
int db_bind_int(struct db *db, sqlite3_stmt *st, const char *name, long long v, struct diag *d);

/* Records the connection's last error as DK_STORE in D, prefixed by WHAT; returns DK_STORE. */
int db_fail(struct db *db, const char *what, struct diag *d);

/* The shared chain's hash at position POS as this store holds it (the entry applied or
 * quarantined there) into OUT[0..32); *FOUND is 0 when it holds none. Returns 0 or DK_STORE. */
int db_shared_hash(struct db *db, long long pos, unsigned char out[32], int *found, struct diag *d);

/* db_tx's kinds of transaction. DB_TX_BULK is a write that appends a great deal to a store
 * that no other connection has open (a restore into an empty store): while it runs, the store
 * keeps a rollback journal rather than its WAL, so that the new pages are written once, into
 * the store, rather than into the WAL and again at the checkpoint. The journal holds the pages
 * that were there before, so a failure or a crash still undoes the whole transaction. When
 * another connection has the store open, it runs as DB_TX_WRITE. */
enum { DB_TX_READ, DB_TX_WRITE, DB_TX_BULK };

/* The one transaction helper: BEGIN IMMEDIATE (DB_TX_WRITE, DB_TX_BULK) or BEGIN (DB_TX_READ),
 * then FN(ARG), then COMMIT; any failure (FN's non-zero return, a failed COMMIT) rolls back.
 * Returns FN's code, or DK_STORE when the transaction itself failed. */
int db_tx(struct db *db, int kind, int (*fn)(void *arg), void *arg, struct diag *d);

/* The writer's context: everything an append records besides the event itself, gathered in
 * one place so that appending fetches it from the handle once (db_writer). Who writes and
 * where is set once per command (db_set_actor, db_set_key; the replica at db_open); the batch
 * and the chain's head belong to one transaction, and db_tx forgets them at every BEGIN, since
 * another process may have appended in between. The event module fills in and updates the
 * rest. */
struct db_writer {
    const char *actor, *login;   /* never NULL: "" when not set */
    const char *replica;         /* this store's replica id */
    const struct trust_key *key; /* signs the events appended here; NULL: a reader */
    char batch[UUID_LEN + 1];    /* the transaction's batch id; "" until its first append */
    int known;                   /* the chain's head below is loaded */
    long long seq;               /* the last event's local sequence number */
    unsigned char hash[32];      /* and its hash */
    long long base;  /* the shared log's length as this store has applied it: new events' base */
    int announced;   /* this transaction has made sure the office event is in the trail */
    long long first; /* the first event this connection inserted, or 0 (ev_appended) */
    const char *uuid_seed; /* NULL, or what new events' ids derive from (ev_set_uuid_seed) */
    int defer;             /* state_defer: 1 while definitions wait, 2 once one does */
};

/* Returns the handle's writer context (borrowed, for the event module). */
struct db_writer *db_writer(struct db *db);

/* Writes a consistent copy of the live store to PATH through a temporary file in PATH's folder,
 * in WAL mode, synced and renamed over PATH (whose own -wal, -shm and -journal files are
 * removed first). Returns 0, DK_STORE or DK_IO. */
int db_backup(struct db *db, const char *path, struct diag *d);

#endif
