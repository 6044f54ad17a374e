/* notify.h: notices of what changed and what is overdue, queued in an outbox and delivered to
 * a webhook after the commit. */
#ifndef DOCKET_NOTIFY_H
#define DOCKET_NOTIFY_H

#include <stddef.h>

#include "docket/db.h"

/* Queues a notice in FORMAT ("json" or "slack") of the status changes this store recorded or
 * received since the last notice (by local sequence number, which the outbox row keeps, so an
 * event synced in with an older recorded time is not missed) and of the items overdue today,
 * when there is something new to say (a change, or overdue items and no notice for a day): an
 * outbox row and a 'notice' event, inside the caller's write transaction. In the slack format
 * every value from the store has '&', '<' and '>' escaped. *QUEUED tells whether one was.
 * Returns 0 or DK_STORE. */
int notify_queue(struct db *db, const char *format, int *queued, struct diag *d);

/* A notice waiting in the outbox. */
struct notice {
    char id[37];
    char format[8];
    char *body;
    int attempts;
};

/* Loads the notices due for delivery now (every undelivered one with FORCE), oldest first,
 * into *OUT (notify_free). Returns 0 or DK_STORE. */
int notify_pending(struct db *db, int force, struct notice **out, size_t *n, struct diag *d);

void notify_free(struct notice *n, size_t count);

/* Records the delivery of notice ID (DELIVERED), or its failure WHY: the next attempt waits
 * 10 s doubled at each failure, at most an hour. Inside a write transaction. Returns 0 or
 * DK_STORE. */
int notify_mark(struct db *db, const char *id, int delivered, const char *why, struct diag *d);

#endif
