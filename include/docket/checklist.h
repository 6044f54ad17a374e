/* checklist.h: checklists (a resolution's document, kinds and items as JSON): checking and
 * loading them as events. */
#ifndef DOCKET_CHECKLIST_H
#define DOCKET_CHECKLIST_H

#include <stddef.h>

#include <jansson.h>

#include "docket/db.h"

/* The checklist shipped with docket and loaded by `init`. */
#define CHECKLIST_DEFAULT "schema/checklists/res1309.json"

/* Parses TEXT[0..LEN) and checks all of it: fields and their types, unknown or duplicate keys,
 * dates, statuses, baselines, parents and paragraph references within the checklist. On
 * success *OUT owns the parsed checklist (json_decref). Exit code DK_DATA, with the JSON path
 * of the first fault ("items[12].baseline: unknown status 'membr' for kind membership (did you
 * mean 'member'? valid: ...)"); DK_STORE when memory runs out. */
int checklist_parse(const char *text, size_t len, json_t **out, struct diag *d);

/* What checklist_apply recorded. */
struct checklist_counts {
    int definitions; /* the document, paragraphs, kinds and statuses recorded */
    int items;       /* items added */
    int unchanged;   /* parts already in the store, left alone */
    int edits;       /* fields of items already held that the checklist changed, and baselines */
};

/* Records the events that make the store hold checklist CL (from checklist_parse), inside the
 * caller's write transaction. Parts that the store already holds are left alone, so loading a
 * checklist twice changes nothing the second time; a definition that differs (the document, a
 * paragraph, a kind, a status) is recorded anew, and an item already held takes, as `edit`
 * events in effect from the adoption, the editable fields whose value differs from what
 * checklists gave it (not from a user's own edits, which stand unless the checklist changes
 * that field). Exit codes: DK_DATA (a reference to a kind
 * or parent that the store lacks), DK_STORE. */
int checklist_apply(struct db *db, json_t *cl, struct checklist_counts *out, struct diag *d);

/* Parses TEXT[0..LEN) and records it (checklist_parse, then checklist_apply) inside the caller's
 * write transaction. On success *OUT, when OUT is not NULL, says what was recorded, and *CL, when
 * CL is not NULL, owns the parsed checklist (json_decref). Exit codes: those of checklist_parse
 * and checklist_apply. */
int checklist_load(struct db *db, const char *text, size_t len, struct checklist_counts *out,
                   json_t **cl, struct diag *d);

/* checklist_load with the shipped checklist (CHECKLIST_DEFAULT, compiled into docket), the one
 * that `init` loads. Exit codes: those of checklist_load; DK_STORE when the build lacks it. */
int checklist_load_default(struct db *db, struct checklist_counts *out, json_t **cl,
                           struct diag *d);

/* Returns 1 when S is a valid document alias (a checklist's "alias", format version 2):
 * lower-case ASCII letters, digits and '-', starting with a letter or digit; 0 otherwise. */
int checklist_alias_ok(const char *s);

/* Returns the alias made from SYMBOL: lower case, each run of other characters one '-', none
 * at either end ("A/RES/70/296" gives "a-res-70-296"); "" when SYMBOL has no letter or digit.
 * The caller owns it (free); NULL when memory runs out. */
char *checklist_alias_from_symbol(const char *symbol);

/* Brings a store that holds the shipped checklist's document (CHECKLIST_DEFAULT) at an earlier
 * revision (its document events' "revision", 1 when absent) up to the shipped one: the
 * differences that checklist_apply records, appended after the trail, which nothing rewrites,
 * each with the reason "shipped checklist SYMBOL revision N" and the v5 UUID of that reason and
 * its content (ev_set_uuid_seed), so that two stores that take them hold the same events and
 * one that holds them already takes nothing. A store without the document or at the shipped
 * revision is left alone, and so is one that shares a log (a remote set, or entries pulled)
 * unless it founded the log: the other offices take the founder's events through sync (two
 * offices that took the revision apart would hold two copies of one event, which the log cannot
 * reconcile). Inside the caller's write transaction; *OUT (when not NULL) says what was
 * recorded. Exit codes: those of checklist_apply. */
int checklist_upgrade(struct db *db, struct checklist_counts *out, struct diag *d);

#endif
