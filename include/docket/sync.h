/* sync.h: offices share one log through etcd: publishing local events, pulling others'. */
#ifndef DOCKET_SYNC_H
#define DOCKET_SYNC_H

#include "docket/db.h"
#include "docket/state.h"

/* Where the shared log lives, as `remote set` stores it in the store (the password file's
 * path, never the password). Empty strings where unset. */
struct sync_remote {
    char endpoints[1024], prefix[256], user[128], password_file[1024], cacert[1024];
};

/* Reads the remote from the store. Exit codes: DK_USAGE (none set: "docket remote set"; R is
 * filled all the same), DK_STORE. */
int sync_remote_get(struct db *db, struct sync_remote *r, struct diag *d);

/* Stores R, inside the caller's write transaction, after checking it as sync would: an empty
 * field is removed. Exit codes: DK_USAGE (no endpoints, endpoints etcd_check_endpoints
 * refuses, a prefix with characters other than letters, digits, '-', '_', '/', a user without
 * a password file or the reverse), DK_DATA (a user name that is not UTF-8), DK_STORE. */
int sync_remote_set(struct db *db, const struct sync_remote *r, struct diag *d);

enum { SYNC_NAMED = 16 };

/* The shared log's entries held in quarantine (failed a check on every office, applied by none):
 * pos, reason, the event's type, actor and replica as the entry states them, received. */
#define SYNC_QUARANTINE_SQL                                                                        \
    "SELECT pos, reason, json_extract(entry, '$.event_type') AS type, json_extract(entry, "        \
    "'$.actor') AS actor, replica, received FROM quarantine ORDER BY pos"

/* What a sync did. */
struct sync_counts {
    long long published; /* local events put into the shared log */
    long long pulled;    /* events of others applied here */
    long long position;  /* the shared log's length once done */
    char head[65];       /* the shared log's head hash, hex */
    long long rewritten; /* entries of the log that differed from this store's (--repair) */
    long long repaired;  /* of those, put back */
    int final;           /* after DK_NET: etcd refused (a password, a permission, a
                            certificate), which no retry can change */
    int waiting;         /* this office is not admitted (or revoked): it pulled, published
                            nothing, and keeps its events */
    int revoked;         /* of a waiting office: the founder revoked it */
    char office[72], fingerprint[65]; /* a waiting office's name and key, to be admitted */
    long long quarantine_count;       /* entries this sync quarantined */
    int nquarantined;                 /* the first SYNC_NAMED of them, one line each */
    char quarantined[SYNC_NAMED][200];
};

/* What a look at the shared log in etcd found, against what this store holds. */
struct sync_scan {
    long long checked;  /* entries compared */
    long long differ;   /* entries that differ from this store's, or are gone */
    long long repaired; /* of those, put back (sync --repair) */
    long long first;    /* the first that differs */
    long long named[8]; /* the first few that differ */
    int nnamed;
};

/* What sync_run reports as it goes, for a progress line: FN(WHAT, DONE, TOTAL, ARG) after each
 * range of the log applied (WHAT "applied": the log's position reached here, DONE, of its
 * length as far as it is known, TOTAL) and after each batch published (WHAT "published": DONE
 * of the TOTAL events this store had to publish). */
struct sync_progress {
    void (*fn)(const char *what, long long done, long long total, void *arg);
    void *arg;
};

/* Publishes this store's unpublished events to the shared log and applies every event others
 * published, in the log's order, until neither has anything left. First it asks etcd which
 * entries of the log as far as this store holds it changed since its last sync (their
 * mod_revision), and stops (DK_CHECK, naming them) when one no longer holds what this store
 * applied: the log was rewritten. With SYNC_REPAIR it puts back every such entry instead
 * (counted in N). Opens its own transactions, none across a network call: a sync killed at any
 * moment resumes where it was, and each event is applied once. Exit codes: DK_CHECK, DK_NET (etcd:
 * no answer, a refusal, a log that kept moving), DK_DATA (a log entry that does not chain, a log
 * shorter than its head says or than this store has applied, a store copied by hand: another store
 * shares this one's replica id; and what etcd_open refuses: an unreadable password or CA file),
 * DK_USAGE (no remote, bad endpoints), DK_STORE. */
enum { SYNC_REPAIR = 1 }; /* sync_run: first put back the log's entries that differ here */
int sync_run(struct db *db, unsigned flags, const struct sync_progress *progress,
             struct sync_counts *n, struct diag *d);

/* Reads the whole shared log in etcd, as far as this store holds it, and compares every entry,
 * byte for byte, with what this store applied (`verify --shared`). Runs its own read
 * transactions: call it outside one. Returns 0 with *FOUND filled, DK_CHECK naming the first
 * entries that differ or are gone, or what sync_run's connection can give (DK_NET, DK_USAGE,
 * DK_DATA, DK_STORE). */
int sync_check_log(struct db *db, struct sync_scan *found, struct diag *d);

/* Applies one range reply of the shared log under PREFIX (the gateway's body, BODY[0..LEN),
 * parsed by etcd_parse) to DB exactly as a pull applies it: each entry after this store's
 * position must be the next, chain to the one before it and hold a docket event. Must run
 * inside db_tx(write); sync_run's pulls go the same way. *N counts the events pulled. Exit
 * codes: DK_DATA (an entry that is not the next docket event, or does not chain; a store
 * copied by hand), DK_STORE. */
int sync_apply_reply(struct db *db, const char *prefix, const char *body, size_t len,
                     struct sync_counts *n, struct diag *d);

/* Reads what `docket status` says: events not yet published, the last sync (or ""), the
 * shared log's length and head. Returns 0 or DK_STORE (a store that cannot be read). */
int sync_status(struct db *db, long long *unpublished, char last[25], long long *position,
                char head[65], struct diag *d);

/* The conflicts, from the shared log alone, so that every office lists the same: two status
 * events on one item from different offices (replicas), both placed in the log, the later one
 * (at SECOND_POS) made by a writer that had not seen the earlier one (at FIRST_POS: the later
 * one's base lies below it), with different statuses; until a placed status event on the item
 * whose base covers both settles them, or a placed revert of either. Events recorded before
 * offices kept bases (canonical version 1) have none and take part in none. One row a pair:
 * key, then for the earlier (first_*) and the later (second_*) event its status, office (the
 * name its replica last announced in the log), replica, actor, position and effective date,
 * then the item's uuid (item).
 * A placed status event settles every pair on its item up to its base, so what is left lies
 * after the greatest base among the item's placed status events (`settled`): the query reads
 * the placed events once for it (from the log, so none on a store that never synced), then only the
 * log after the least of those, and for each status event there, the log between its base and its
 * position (shared.pos), and the reverts of the pair (STATE_REVERTS). Reports see it as the view
 * `conflicts`, read once a report (report.c). */
#define SYNC_CONFLICTS_SQL                                                                         \
    "WITH settled (item, top) AS MATERIALIZED (SELECT z.item, max(z.base) "                        \
    "FROM shared pz CROSS JOIN event z ON z.seq = pz.seq "                                         \
    "WHERE z.type = 'status' GROUP BY z.item) "                                                    \
    "SELECT i.key, x.new_value AS first_status, "                                                  \
    "(SELECT o.subject FROM event o JOIN shared po ON po.seq = o.seq "                             \
    "WHERE o.type = 'office' AND o.replica = x.replica ORDER BY po.pos DESC LIMIT 1) "             \
    "AS first_office, x.replica AS first_replica, x.actor AS first_actor, px.pos AS first_pos, "   \
    "x.eff AS first_eff, y.new_value AS second_status, "                                           \
    "(SELECT o.subject FROM event o JOIN shared po ON po.seq = o.seq "                             \
    "WHERE o.type = 'office' AND o.replica = y.replica ORDER BY po.pos DESC LIMIT 1) "             \
    "AS second_office, y.replica AS second_replica, y.actor AS second_actor, "                     \
    "py.pos AS second_pos, y.eff AS second_eff, y.item AS item "                                   \
    "FROM shared py CROSS JOIN event y ON y.seq = py.seq "                                         \
    "CROSS JOIN settled s ON s.item = y.item "                                                     \
    "CROSS JOIN shared px ON px.pos > y.base AND px.pos < py.pos "                                 \
    "CROSS JOIN event x ON x.seq = px.seq JOIN items i ON i.uuid = y.item "                        \
    "WHERE py.pos > (SELECT min(top) FROM settled) AND py.pos > s.top "                            \
    "AND y.type = 'status' AND y.base IS NOT NULL AND x.type = 'status' AND x.item = y.item "      \
    "AND x.base IS NOT NULL AND x.replica <> y.replica AND x.new_value IS NOT y.new_value "        \
    "AND NOT EXISTS (SELECT 1 FROM " STATE_REVERTS " r CROSS JOIN shared pr "                      \
    "ON pr.seq = r.by_seq WHERE r.uuid IN (x.uuid, y.uuid))"

#endif
