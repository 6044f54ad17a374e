/* progress.h: progress by month for the reports: per kind, the leaf items at each month's end
 * and the sum of their progress then. */
#ifndef DOCKET_PROGRESS_H
#define DOCKET_PROGRESS_H

#include "docket/db.h"

/* Builds the temporary table progress_by_month (month, kind, items, progress_sum): for every
 * month from the first item's creation to ASOF's month, and every kind, how many leaf items
 * (items with nothing below them at the month's end) of that kind existed at the month's end
 * and the sum of their progress then, by what was recorded until KNOWN (NULL: everything). It
 * follows the same rules as the projections (the latest visible status by effective date, then
 * shared-log position, then sequence), computed in one pass over the status index instead of
 * one as-of state per month. The items, kinds and vocabulary it starts from are the state
 * tables as they stand: call it after state_asof(ASOF, KNOWN) for a report as of then. (An
 * item moved under another by an edit of its parent is taken to have been there since its
 * creation.) Returns 0 or DK_STORE. */
int progress_by_month(struct db *db, const char *asof, const char *known, struct diag *d);

#endif
