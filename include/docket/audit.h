/* audit.h: the whole check behind `verify`: the chain and the state, side by side. */
#ifndef DOCKET_AUDIT_H
#define DOCKET_AUDIT_H

#include "docket/event.h"

/* Recomputes DB's chain (into *CHAIN, bad_seq 0 when every event matches) and checks that the
 * state equals a replay of the events, and then audit_replica (into *STATE: code DK_CHECK
 * naming the table and row that differ, or the event under another replica id, DK_STORE when
 * the replay could not read the store, else 0). When PATH names the
 * store's file, the replay runs on a second read-only connection, over the same events, in a second
 * thread while this one checks the chain; an in-memory store is checked in turn. Must run inside a
 * read transaction on DB. Returns 0 when the chain was checked (whatever it found), DK_CHECK with
 * D naming an event numbered below 1 (outside the chain: see ev_check_numbering), or DK_STORE
 * with D set. */
int audit_run(struct db *db, const char *path, struct ev_check *chain, struct diag *state,
              struct diag *d);

/* Checks that the store's replica id (meta) is the one its own events carry: every event not yet
 * published and recorded since the store was created was made here, under this id. Must run inside
 * a read transaction. Returns 0, DK_CHECK naming the first event that carries another id, or
 * DK_STORE. */
int audit_replica(struct db *db, struct diag *d);

/* Checks every event's signature (`verify --deep`), on two cores as audit_run does: each signed
 * event under the key its replica's latest office event before it announces, and that every
 * event recorded since offices sign (version 2) is signed. Must run inside a read transaction on
 * DB. Returns 0 with *CHECKED the signatures verified, DK_CHECK naming the first event that
 * fails, or DK_STORE. */
int audit_signatures(struct db *db, const char *path, long long *checked, struct diag *d);

/* Checks the file below the events (`verify --deep`): every page, and that each index matches
 * its table (a damaged index can hide or duplicate rows from list without touching an event).
 * Returns 0, DK_CHECK naming the first damage found, or DK_STORE. */
int audit_file(struct db *db, struct diag *d);

#endif
