/* state.h: the state projected from the events: kept current, or as of any past date. */
#ifndef DOCKET_STATE_H
#define DOCKET_STATE_H

#include "docket/db.h"

/* Brings the maintained state tables up to date after an event of TYPE about ITEM (an item's
 * uuid, or NULL) was appended, with the same projection that replays use. Returns 0 or
 * DK_STORE. */
int state_apply(struct db *db, const char *type, const char *item, struct diag *d);

/* Rebuilds every state table from the whole log, as after restoring an export. Returns 0 or
 * DK_STORE. */
int state_rebuild(struct db *db, struct diag *d);

/* Shadows the state tables (documents, paragraphs, kinds, vocab, items) with temporary tables
 * of the same shape holding the state as of the end of ASOF ("YYYY-MM-DD", by effective
 * date; NULL: every date) by what had been recorded until KNOWN (a full UTC timestamp; NULL:
 * everything), so that any later query of those names answers as of then. Returns 0 or
 * DK_STORE. */
int state_asof(struct db *db, const char *asof, const char *known, struct diag *d);

/* Drops the temporary tables of state_asof. Returns 0 or DK_STORE. */
int state_asof_end(struct db *db, struct diag *d);

/* Compares the maintained state with a full replay of the events. Returns 0 when they are
 * equal, DK_CHECK with D naming the first table and row that differ, or DK_STORE. */
int state_check(struct db *db, struct diag *d);

#endif
