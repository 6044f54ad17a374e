/* state.h: the state projected from the events: kept current, or as of any past date. */
#ifndef DOCKET_STATE_H
#define DOCKET_STATE_H

#include "docket/db.h"

/* The rule that an event counts unless a revert cancels it, written once. STATE_REVERTS is a
 * relation to read FROM (SQLite flattens it into the query): each revert, by_seq, recorded at
 * by_recorded, with the uuid of the event it cancels. An event e counts, by what was recorded
 * until K, unless a row has uuid = e.uuid and by_recorded <= K. STATE_REVERTED_SEQ(K) selects
 * the local sequence numbers of the events that reverts recorded until K (an SQL expression)
 * cancel. Both read the reverts through their partial index, event_reverts. */
#define STATE_REVERTS                                                                              \
    "(SELECT r.subject AS uuid, r.seq AS by_seq, r.recorded AS by_recorded, r.uuid AS by_uuid "    \
    "FROM event r INDEXED BY event_reverts WHERE r.type = 'revert')"
/* A revert that withdrew an item can itself be reverted, which brings the item back (the only
 * revert of a revert item_revert records). STATE_UNDONE(V, K): the row V of STATE_REVERTS was
 * cancelled by a revert recorded until K, and so cancels nothing by then. */
#define STATE_UNDONE(v, known)                                                                     \
    "EXISTS (SELECT 1 FROM event u INDEXED BY event_reverts WHERE u.type = 'revert' AND "          \
    "u.subject = " v ".by_uuid AND u.recorded <= " known ")"
#define STATE_REVERTED_SEQ(known)                                                                  \
    "SELECT t.seq FROM " STATE_REVERTS " v JOIN event t ON t.uuid = v.uuid WHERE v.by_recorded "   \
    "<= " known " AND NOT " STATE_UNDONE("v", known)

/* Evidence goes with the status or note it was recorded with: set and note attach it in their
 * own transaction, so it shares their item and batch. STATE_REVERTED_EVIDENCE(K) selects the
 * local sequence numbers of the evidence events whose status or note a revert recorded until K
 * cancels (an SQL expression). Evidence counts unless its own number is in
 * STATE_REVERTED_SEQ(K) or in this; both stay in the trail. */
#define STATE_REVERTED_EVIDENCE(known)                                                             \
    "SELECT x.seq FROM " STATE_REVERTS " v JOIN event t ON t.uuid = v.uuid JOIN event x "          \
    "INDEXED BY event_evidence ON x.item = t.item AND x.batch = t.batch AND x.type = "             \
    "'evidence' WHERE v.by_recorded <= " known " AND t.type IN ('status', 'note')"

/* The document of item U (an SQL expression for its uuid), as its creation names it; and that
 * of event E: its item's, a document event's own symbol, else the one its attributes name (a
 * paragraph, and since #15 a kind or status); NULL for an event of no document (trust, a
 * publication, a kind recorded before kinds were each document's). */
#define STATE_ITEM_DOC(u)                                                                          \
    "(SELECT json_extract(c.attrs, '$.doc') FROM event c INDEXED BY event_items WHERE c.item = " u \
    " AND c.type = 'item' ORDER BY c.seq LIMIT 1)"
#define STATE_EVENT_DOC(e)                                                                         \
    "CASE WHEN " e                                                                                 \
    ".item IS NOT NULL THEN " STATE_ITEM_DOC(e ".item") " WHEN " e ".type = "                      \
                                                        "'document' THEN " e                       \
                                                        ".subject ELSE json_extract(" e            \
                                                        ".attrs, '$.doc') END"
/* Whether the document X is one of :docs (a JSON array of symbols), or :docs is NULL. */
#define STATE_IN_DOCS(x) "(:docs IS NULL OR " x " IN (SELECT value FROM json_each(:docs)))"

/* The order in which events of one kind supersede each other, latest first: the greatest
 * effective date, then the later position in the shared log (unpublished events last), then
 * the later local sequence. An ORDER BY over an event E. */
#define STATE_POS(e)    "(SELECT s.pos FROM shared s WHERE s.seq = " e ".seq)"
#define STATE_LATEST(e) e ".eff_day DESC, " STATE_POS(e) " DESC NULLS FIRST, " e ".seq DESC"

/* A cost estimate's basis, of the event aliased e: what its attrs say, else "one-off", the
 * default. STATE_COST_SUPERSEDED_BY_E, a window expression over the counting cost events e:
 * the sequence number of the estimate that replaces e (the next on the same item, currency and
 * basis, by effective date, then sequence), NULL for the one in force. */
#define STATE_COST_BASIS_E "coalesce(json_extract(e.attrs, '$.basis'), 'one-off')"
#define STATE_COST_SUPERSEDED_BY_E                                                                 \
    "lead(e.seq) OVER (PARTITION BY e.item, json_extract(e.attrs, "                                \
    "'$.currency'), " STATE_COST_BASIS_E " ORDER BY e.eff_day, e.seq)"

/* Brings the maintained state tables up to date after an event of TYPE about ITEM (an item's
 * uuid, or NULL) was appended, with the same projection that replays use. Returns 0 or
 * DK_STORE. */
int state_apply(struct db *db, const char *type, const char *item, struct diag *d);

/* With ON, the definitions appended next (document, paragraph, kind and vocab events, which
 * change every item's state) wait; without, the state is brought up to date once for all of
 * them (state_rebuild) if any came. A checklist's many definitions cost one pass over the
 * items rather than one each. Returns 0 or DK_STORE. */
int state_defer(struct db *db, int on, struct diag *d);

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
