/* view.h: the read model: the queries whose rows a command shows to a person, each row handed
 * back as a named struct through a callback.
 *
 * A walk (view_list, view_log, ...) calls EACH with ARG and every row in turn. The row and its
 * strings are borrowed: they live until EACH returns; copy what you keep. EACH returns 0 to go
 * on, or an exit code, with the walk's diag set, to stop: the walk then returns that code.
 * Otherwise a walk returns 0 or DK_STORE. A number that SQL holds as NULL is VIEW_NULL.
 */
#ifndef DOCKET_VIEW_H
#define DOCKET_VIEW_H

#include "docket/db.h"
#include "docket/event.h"

enum { VIEW_NULL = -1 };

/* ---- The items (list) ------------------------------------------------------------------- */

/* Which items view_list walks: each filter NULL or 0 for any. */
struct view_list_filter {
    const char *kind, *status;
    const char *under;   /* this item and those below it */
    const char *docs;    /* a JSON array of document symbols: only their items (cli_docs) */
    const char *key;     /* only this item (show: its next due date and overdue flag) */
    const char *key_doc; /* the document of key and under (NULL: items of no document) */
    int overdue;         /* only items whose next step is due before TODAY */
    const char *today;   /* "YYYY-MM-DD": the day against which a step is overdue */
    int brief;           /* only the fields of list's table and the document: kind, final,
                            due, parent and ref are left NULL (each field read is a call, for
                            every item) */
};

/* The progress of item I that counts, as SQL over the items table: a parent whose status
 * follows from its instances (rollup 'instances') has its instances' mean progress (R: a row
 * with their count n and progress sum psum, NULL when none; then its own); a recurring duty
 * (one with a cadence) whose next step is due before TODAY is not done: 0. Every progress
 * figure (list, show, the reports) uses it, so that they agree. */
#define VIEW_PROGRESS(i, r, today)                                                                 \
    "CASE WHEN " i ".cadence_months IS NOT NULL AND " i ".next_due < " today " THEN 0 "            \
    "WHEN " i ".rollup = 'instances' AND " r ".n > 0 THEN CAST(round(" r ".psum * 1.0 / " r        \
    ".n) AS INTEGER) ELSE " i ".progress END"

/* Every request once (#14), as SQL selecting from "items i": an item that is not an instance,
 * with the progress that counts (VIEW_PROGRESS) as column "counted"; instances never count on
 * their own. */
#define VIEW_REQUESTS(today)                                                                       \
    "SELECT i.*, " VIEW_PROGRESS(                                                                  \
        "i", "r", today) " AS counted FROM items i LEFT JOIN (SELECT "                             \
                         "doc, parent, count(*) AS n, sum(progress) AS psum FROM items WHERE "     \
                         "instr(key, '/') > 0 GROUP BY parent, "                                   \
                         "doc) r ON r.parent = i.key AND r.doc IS i.doc WHERE "                    \
                         "instr(i.key, '/') = 0"

/* One item as list shows it, with the roll-up of its instances. */
struct view_item_row {
    const char *key, *title, *kind, *status;
    int progress; /* percent that counts (VIEW_PROGRESS), or VIEW_NULL */
    int final;    /* 0, 1, or VIEW_NULL */
    const char *since, *due, *next_due;
    int overdue; /* 0 or 1: next_due is before the filter's today */
    int breach;  /* 0, 1, or VIEW_NULL */
    const char *parent, *ref, *doc;
    int instances;           /* items below it that are its instances (0: none) */
    int done;                /* of them, those at full progress */
    const char *done_status; /* the kind's first status of full progress, or NULL */
    const char *rollup;      /* "own", "instances" (its progress is theirs), or NULL */
    int at_risk;             /* 0 or 1: its status is flagged at_risk */
    int brief;               /* as the filter asked: then kind, final, due, parent, ref are NULL */
};

/* Walks the items that pass F (the state tables as they stand: after state_asof, as of then),
 * in the order of the resolution's paragraphs. */
int view_list(struct db *db, const struct view_list_filter *f,
              int (*each)(void *arg, const struct view_item_row *row), void *arg, struct diag *d);

/* ---- The vocabulary (kinds) -------------------------------------------------------------- */

/* One status of one kind, with its kind's fields (repeated on each of the kind's statuses). */
struct view_vocab_row {
    const char *kind, *kind_label, *description;
    const char *initial;       /* the status a new item of the kind starts in, or NULL */
    const char *keep_baseline; /* a membership to keep: the status it starts in, or NULL */
    int cadence_months;        /* a reporting duty's default cadence, or VIEW_NULL */
    const char *status;        /* NULL: the kind has no statuses (its other fields are unset) */
    const char *label;
    int progress;                  /* percent */
    int final, breach, submission; /* 0 or 1 */
    int lost;                      /* 0 or 1: losing it breaches a membership to keep */
    int at_risk;                   /* 0 or 1: a safeguard in it is at risk */
    const char *doc;               /* the kind's document's symbol; NULL: of items of none */
    char alias[128];               /* that document's alias ("" for none) */
    int docs;                      /* how many documents' kinds the walk shows */
};

/* Walks the kinds by name and each kind's statuses in the kind's order (the state tables as
 * they stand: after state_asof, as of then). */
int view_vocab(struct db *db, const char *docs,
               int (*each)(void *arg, const struct view_vocab_row *row), void *arg, struct diag *d);

/* ---- The documents (docs) --------------------------------------------------------------- */

/* One document with its figures: its requests (VIEW_REQUESTS), their mean progress and how
 * many are done as the progress report's summary counts them (safeguards and acknowledgements
 * left out), those overdue, its items in breach. */
struct view_doc_row {
    const char *symbol, *alias, *title, *adopted;
    int requests, done, overdue, breached;
    double progress; /* percent, or -1 when no request counts */
};

/* Walks the documents by adoption date, then symbol; a step is overdue before TODAY. */
int view_docs(struct db *db, const char *today,
              int (*each)(void *arg, const struct view_doc_row *row), void *arg, struct diag *d);

/* ---- Events (log, an item's history) ---------------------------------------------------- */

/* One event as a person reads it. */
struct view_event {
    long long seq;
    const char *uuid, *batch, *type;
    const char *key; /* its item's key, or NULL */
    const char *subject, *old_value, *new_value, *attrs, *reason, *eff, *recorded, *actor, *login,
        *replica;
    long long amount;          /* a cost's minor units (new_value), else 0 */
    const unsigned char *hash; /* EV_HASH_LEN bytes, or NULL */
    long long reverted_by;     /* the revert that cancels it (as known then), or 0 */
    long long reverts;         /* for a revert: the event it cancels, or 0 */
    int gone;                  /* evidence whose status or note is reverted (as known then) */
    long long superseded_by;   /* for a cost estimate in show's history: the later estimate on
                                  its basis and currency that replaces it, or 0 */
    int brief;                 /* as the walk was asked: then uuid, batch, login, replica and
                                  hash are NULL */
};

/* Which events view_log walks. */
struct view_log_filter {
    const char *item;          /* an item's uuid, or NULL for all */
    const char *since, *until; /* recorded times, full UTC timestamps, both required */
    const char *by;            /* an actor, or NULL */
    const char *docs;          /* a JSON array of document symbols: only the events about their
                                  items, paragraphs and document events (cli_docs), or NULL */
    int brief;                 /* only the fields of log's text line (see view_event) */
};

/* Walks the events F selects in an order that every office that synced as far shares: those in
 * the shared log by their position, then this store's unpublished ones by sequence. An event's
 * reverted_by counts reverts recorded until F->until. */
int view_log(struct db *db, const struct view_log_filter *f,
             int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d);

/* Walks the events numbered FIRST to LAST, by sequence, with every field (a writer's --json
 * answer: the events it recorded, ev_appended). */
int view_events(struct db *db, long long first, long long last,
                int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d);

/* Walks the actors of the events F selects, each once, in no order: log sizes its actor column
 * to the widest before it prints. EACH gets a borrowed actor (never NULL). */
int view_log_actors(struct db *db, const struct view_log_filter *f,
                    int (*each)(void *arg, const char *actor), void *arg, struct diag *d);

/* ---- One item (show) -------------------------------------------------------------------- */

/* An item as of a time: by effective date ASOF ("YYYY-MM-DD") and recorded time KNOWN (a full
 * UTC timestamp), as cli_asof leaves them. */
struct view_at {
    const char *uuid, *key, *doc;
    const char *asof, *known;
};

struct view_count {
    const char *status;
    int n;
};

struct view_child {
    const char *key, *status;
    int progress;
};

struct view_evidence {
    const char *ref, *eff;
    const char *sha256; /* NULL: none recorded */
};

struct view_cost {
    const char *currency;
    const char *basis;     /* "one-off" when the estimates gave none */
    long long minor_units; /* the estimate in force: the latest on this currency and basis */
    int entries;           /* the estimates on this currency and basis, replaced ones too */
};

/* Walks the item's instances counted by status, the most first. */
int view_instances(struct db *db, const struct view_at *at,
                   int (*each)(void *arg, const struct view_count *row), void *arg, struct diag *d);

/* Walks the items directly below it that are not its instances, by key. */
int view_below(struct db *db, const struct view_at *at,
               int (*each)(void *arg, const struct view_child *row), void *arg, struct diag *d);

/* Walks its evidence that counts then, in the order it was recorded. */
int view_evidence(struct db *db, const struct view_at *at,
                  int (*each)(void *arg, const struct view_evidence *row), void *arg,
                  struct diag *d);

/* Walks its costs that count then, summed by currency. */
int view_costs(struct db *db, const struct view_at *at,
               int (*each)(void *arg, const struct view_cost *row), void *arg, struct diag *d);

/* Walks its events effective by then and recorded by then, reverted or not, by sequence. */
int view_history(struct db *db, const struct view_at *at,
                 int (*each)(void *arg, const struct view_event *ev), void *arg, struct diag *d);

/* ---- Two dates (diff) ------------------------------------------------------------------- */

struct view_change {
    const char *key;
    const char *before, *after;          /* statuses; NULL: not tracked then */
    int progress_before, progress_after; /* or VIEW_NULL */
};

/* Walks, by key, the items whose status or progress differs between the ends of the effective
 * dates D1 and D2 ("YYYY-MM-DD"), of the documents DOCS (a JSON array of symbols: cli_docs) or
 * of all when it is NULL. Both states are made on DB (at PATH), the first on a second
 * connection in a thread when one can be had; the state tables are left as of D2. */
int view_diff(struct db *db, const char *path, const char *d1, const char *d2, const char *docs,
              int (*each)(void *arg, const struct view_change *row), void *arg, struct diag *d);

/* ---- The shared log (conflicts, status, verify) ----------------------------------------- */

/* One side of a conflict. */
struct view_side {
    const char *status;
    const char *office; /* the name its replica last announced, or NULL */
    const char *replica, *actor;
    long long position;
    const char *eff;
};

struct view_conflict {
    const char *key;
    struct view_side first, second;
};

/* Walks the conflicts not yet settled (SYNC_CONFLICTS_SQL), by the later side's position. */
int view_conflicts(struct db *db, int (*each)(void *arg, const struct view_conflict *row),
                   void *arg, struct diag *d);

/* An entry of the shared log held in quarantine, as the entry states it. */
struct view_held {
    long long pos;
    const char *reason;
    const char *type, *actor, *replica; /* or NULL */
};

/* Walks the quarantined entries by position. */
int view_quarantine(struct db *db, int (*each)(void *arg, const struct view_held *row), void *arg,
                    struct diag *d);

/* Writes the hash of event N, or with SHARED of the shared log's entry N (placed or held in
 * quarantine), as lower-case hex into HEX; "" when there is none. Returns 0 or DK_STORE. */
int view_hash_at(struct db *db, int shared, long long n, char hex[2 * EV_HASH_LEN + 1],
                 struct diag *d);

/* Reads the minor units that the cost event SEQ records into *MINOR. Returns 0, or DK_STORE
 * (also when there is no such event). */
int view_cost_units(struct db *db, long long seq, long long *minor, struct diag *d);

/* ---- Words for shell completion (complete) ------------------------------------------------ */

/* Walks every item's key with its document's symbol (NULL: an item of no document), by key. */
int view_keys(struct db *db, int (*each)(void *arg, const char *doc, const char *key), void *arg,
              struct diag *d);

/* Walks the statuses of item KEY's kind, in the kind's order; DOC is the item's document's
 * symbol, or NULL for item KEY of any document. An unknown key walks nothing. */
int view_key_statuses(struct db *db, const char *doc, const char *key,
                      int (*each)(void *arg, const char *status), void *arg, struct diag *d);

#endif
