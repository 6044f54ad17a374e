/* item.h: tracked items: finding them, and the changes a user records against them. */
#ifndef DOCKET_ITEM_H
#define DOCKET_ITEM_H

#include "docket/date.h"
#include "docket/db.h"

/* An item as the state holds it; every string is owned (item_free). */
struct item {
    char *uuid, *key, *doc, *kind, *parent, *title, *ref, *goal, *due, *description;
    char *created, *status, *since;
    char *instances; /* what its instances' keys must be: ITEM_INSTANCES_ISO3166, or NULL */
    char *rollup;    /* "own", "instances" (its status follows from its instances), or NULL: own */
    long long cadence_months; /* 0: none */
    int progress, final;
};

/* The one value of an item's `instances`: its instances are countries, keyed by ISO 3166-1
 * alpha-3 code in upper case (unct/KEN), titled by default with the country's name. */
#define ITEM_INSTANCES_ISO3166 "iso3166"

/* Returns 1 when V is a roll-up an item can have: "own" (its status is its own) or "instances"
 * (its status follows from its instances, and a status set on it is refused); else 0. */
int item_rollup_ok(const char *v);

/* Loads the item NAME names from the state (current, or as of state_asof) into *OUT: KEY, or
 * ALIAS:KEY (the document's alias, see doc.h); a bare KEY while exactly one document has it. KEY
 * must match in its exact case. Exit codes: DK_DATA, from the one lookup every command that
 * names an item uses: "'KEY' was withdrawn by event N (...)" for a withdrawn item, "'KEY' is an
 * item of 2 documents (did you mean A:KEY or B:KEY?)", "unknown item 'CEB' (did you mean
 * 'ceb'?)" for a key that matches only in case, else naming the nearest key; DK_STORE. */
int item_load(struct db *db, const char *name, struct item *out, struct diag *d);

/* Loads item KEY of document DOC (as item_check_status reads DOC) into *OUT, as item_load. */
int item_load_in(struct db *db, const char *const *doc, const char *key, struct item *out,
                 struct diag *d);

/* Splits NAME into the document it names (*DOC, the symbol, which the caller frees; NULL for a
 * bare key) and its key (*KEY, borrowed from NAME). DK_DATA for an unknown alias. */
int item_name(struct db *db, const char *name, char **doc, const char **key, struct diag *d);

/* Returns 1 when NAME (KEY or ALIAS:KEY, exactly) names no item of the state but an item whose
 * creation a revert cancelled (a withdrawn item), writing the latest such revert's sequence
 * number to *BY and, to BEFORE (when not NULL), the recorded time just before that revert (a
 * state_asof KNOWN under which the item stands as it was withdrawn); 0 when not; -1 with D set
 * (DK_STORE). */
int item_withdrawn(struct db *db, const char *name, long long *by, char before[25], struct diag *d);

/* item_withdrawn for KEY of document DOC (as item_check_status reads DOC). */
int item_withdrawn_in(struct db *db, const char *const *doc, const char *key, long long *by,
                      char before[25], struct diag *d);

/* Returns 1 when KEY names an item of DOC (as item_check_status reads DOC) in the state, 0 when
 * it does not, -1 with D set (DK_STORE) on an error. */
int item_exists(struct db *db, const char *const *doc, const char *key, struct diag *d);

/* Walks the items whose keys differ only in case (twins that a store made before keys were
 * unique without regard to case keeps): EACH gets each such set as one phrase, "'unct/KEN' and
 * 'unct/ken'" (borrowed until it returns), in key order; a non-zero return stops the walk and
 * is returned. Returns 0 or DK_STORE. */
int item_case_twins(struct db *db, int (*each)(void *arg, const char *keys), void *arg,
                    struct diag *d);

/* Frees the strings of IT; NULL is accepted. */
void item_free(struct item *it);

/* Kinds and statuses belong to a document: DOC names it as *DOC (NULL: items of no document),
 * or, when DOC is NULL, any document. */

/* Returns 0 when STATUS belongs to KIND's vocabulary (any kind's, when KIND is NULL) in DOC,
 * else DK_DATA from text_unknown: "unknown status 'x' for kind K (valid: ...)", naming the
 * nearest when one is close; without a kind, every kind's statuses and "see 'docket kinds'".
 * DK_STORE. */
int item_check_status(struct db *db, const char *const *doc, const char *kind, const char *status,
                      struct diag *d);

/* Returns 0 when KIND is a kind of DOC, else DK_DATA from text_unknown listing the kinds,
 * naming the nearest when one is close, and pointing at `docket kinds`. DK_STORE. */
int item_check_kind(struct db *db, const char *const *doc, const char *kind, struct diag *d);

/* What `add` (and a checklist) gives for a new item; strings borrowed, NULL when absent. */
struct item_spec {
    const char *key, *title, *kind, *parent, *ref, *goal, *due, *description;
    const char *instances;      /* ITEM_INSTANCES_ISO3166 or NULL */
    const char *doc;            /* NULL: the parent's document, else the store's only one */
    const char *baseline;       /* a status that holds from the item's creation */
    const char *cadence_months; /* a reporting duty's cadence, 1 to 120 */
    const char *rollup;         /* "own" or "instances" (item_rollup_ok), or NULL */
    const char *eff;            /* the creation date, checked; NULL: today */
    const char *reason;
};

/* Records a new item (and its baseline status: SPEC's, or for a membership to keep the kind's
 * keep_baseline). An instance key "X/Y" takes its kind, goal and paragraph from X; when X's
 * instances are countries, Y must be an ISO 3166-1 alpha-3 code in upper case, and the title
 * defaults to the country's name. A key is refused when an item's key differs from it only in
 * case. Its uuid is the v5 UUID of its document and key, the same in every store; a key added
 * again after its item was withdrawn gets the v5 UUID of that and the withdrawing revert's
 * uuid, so that the withdrawn item's events stay with it. Exit codes: DK_DATA (bad or taken
 * key, unknown kind or parent, bad field), DK_STORE. */
int item_add(struct db *db, const struct item_spec *spec, struct diag *d);

/* Returns 1 when STATUS is IT's status on EFF already, by everything recorded (the latest
 * status event effective by the end of EFF that no revert cancels, else the kind's initial
 * status), so that recording it would change nothing; 0 when not; -1 with D set (DK_DATA: EFF
 * lies wholly before IT existed; DK_STORE). */
int item_status_same(struct db *db, const struct item *it, const char *status,
                     const struct date *eff, struct diag *d);

/* What item_set_status does with a status that changes nothing on its date. */
enum {
    ITEM_CHANGE = 0,   /* refuses it (DK_DATA: "KEY is already STATUS on DATE") */
    ITEM_CONFIRM = 1,  /* records it as a confirmation, attribute "confirm": "true" */
    ITEM_RECORD = 2,   /* records it as given, unchecked: a new item's baseline, attribute
                          "baseline": "true" */
    ITEM_BASELINE = 3, /* records it as a baseline, attribute "baseline": "true": a fact from
                          before IT was tracked, which EFF must lie wholly before (set
                          --baseline; else DK_DATA) */
};

/* Records STATUS for IT, effective EFF, with REASON; the writer's view of the old status is
 * IT's. HOW is ITEM_CHANGE, ITEM_CONFIRM or ITEM_RECORD. On success *SEQ (when not NULL) is
 * the new event's sequence number. Exit codes: DK_DATA (not in the kind's vocabulary, a date
 * before the item existed, no change with ITEM_CHANGE), DK_USAGE (a blank reason), DK_STORE. */
int item_set_status(struct db *db, const struct item *it, const char *status,
                    const struct date *eff, const char *reason, int how, long long *seq,
                    struct diag *d);

/* Attaches evidence to IT: an http(s) URL without a user name or password, or a local regular
 * file, read by item_file_digest, whose real path, SHA-256 and size are recorded. On success
 * *SEQ (when not NULL) is the new event's sequence number. Exit codes: DK_DATA (neither; a URL
 * holding user info, named with it hidden), DK_STORE. */
int item_evidence(struct db *db, const struct item *it, const char *ref, const struct date *eff,
                  const char *reason, long long *seq, struct diag *d);

/* The bounds on reading one evidence file: its size, and the wall-clock time of the read. */
#define ITEM_FILE_MAX_BYTES   (1LL << 30) /* 1 GiB */
#define ITEM_FILE_MAX_SECONDS 60

/* Hashes the evidence file at PATH, the one way docket reads evidence (when it is attached and
 * when `links --check` hashes it again): opened with O_NONBLOCK, so that a FIFO with no writer
 * cannot hold the open; refused unless fstat finds a regular file (not a FIFO, a device, a
 * directory or a socket); read up to ITEM_FILE_MAX_BYTES and for at most ITEM_FILE_MAX_SECONDS,
 * checked between reads. On success writes its SHA-256 as 64 hex digits to HEX and its size to
 * *SIZE and returns 0. Otherwise returns DK_DATA and writes why to WHY[0..N), a phrase to
 * append to a message ("it is a FIFO, not a regular file", "No such file or directory"). Borrows
 * PATH; the caller owns HEX and WHY. */
int item_file_digest(const char *path, char hex[65], long long *size, char *why, size_t n);

/* Records a note on IT. On success *SEQ (when not NULL) is the new event's sequence number.
 * Exit codes: DK_DATA, DK_STORE. */
int item_note(struct db *db, const struct item *it, const char *text, const struct date *eff,
              long long *seq, struct diag *d);

/* Records a cost implication of AMOUNT (a decimal in major units, at most as many decimals as
 * the currency has) in CURRENCY (ISO 4217), stored as integer minor units. On success *SEQ
 * (when not NULL) is the new event's sequence number. A negative AMOUNT needs CREDIT: without it,
 * DK_DATA ("a negative amount ... needs --credit"). Exit codes: DK_DATA, DK_STORE. */
int item_cost(struct db *db, const struct item *it, const char *amount, const char *currency,
              const char *basis, int credit, const struct date *eff, const char *reason,
              long long *seq, struct diag *d);

/* The fields that `edit` may change, NULL-terminated. */
extern const char *const item_fields[];

/* Sets FIELD of IT to VALUE ('' clears it). Returns 0 after recording the change, -1 when
 * VALUE is already the field's value (nothing recorded), or DK_DATA / DK_STORE. */
int item_edit(struct db *db, const struct item *it, const char *field, const char *value,
              const struct date *eff, const char *reason, struct diag *d);

/* Cancels the event with local sequence SEQ by a new revert event; both stay in the trail. On
 * success *BY (when not NULL) is the revert event's sequence number. Exit codes: DK_DATA (no
 * such event, already reverted, evidence whose status or note is reverted, a kind that cannot
 * be reverted), DK_STORE. */
int item_revert(struct db *db, long long seq, const char *reason, const char *eff, long long *by,
                struct diag *d);

#endif
