/* progress.h: progress by month for the reports: per kind, the requests at each month's end
 * and the sum of their progress then. */
#ifndef DOCKET_PROGRESS_H
#define DOCKET_PROGRESS_H

#include "docket/db.h"

/* Builds the temporary table progress_by_month (month, doc, kind, items, progress_sum): for every
 * month from the first item's creation to ASOF's month, and every kind, how many requests (items
 * that are not instances) of that kind existed at the month's end and the sum of the progress
 * that counts for them then (VIEW_PROGRESS, as of the month's end, or of ASOF in its month: a
 * parent whose status follows from its instances has their mean, a recurring duty whose next
 * step is overdue 0), by what was recorded until KNOWN (NULL: everything). It follows the same
 * rules as the projections (the latest visible status by effective date, then shared-log
 * position, then sequence), computed in one pass over the status index instead of one as-of
 * state per month. The items, kinds and vocabulary it starts from are the state tables as they
 * stand: call it after state_asof(ASOF, KNOWN) for a report as of then. (An item's due date,
 * cadence, parent and rollup are taken as they stand then for every month.) Returns 0 or
 * DK_STORE. */
int progress_by_month(struct db *db, const char *asof, const char *known, struct diag *d);

#endif
