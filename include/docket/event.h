/* event.h: appending events to the hash-chained log, their canonical bytes, and the chain check. */
#ifndef DOCKET_EVENT_H
#define DOCKET_EVENT_H

#include <stddef.h>

#include <jansson.h>

#include "docket/db.h"

enum { EV_HASH_LEN = 32 };

/* The version byte that opens the canonical bytes: 1 for events without a base, 2 for those
 * with one (every event recorded since offices sign their events). */
#define EV_CANON_VERSION 2

/* One event to append. Strings are borrowed; NULL stores SQL NULL. */
struct event {
    const char *uuid; /* NULL: a new random one */
    const char *type;
    const char *item; /* the item's uuid */
    const char *subject;
    const char *old_value;
    const char *new_value;
    const char *reason;
    const char *eff; /* YYYY, YYYY-MM or YYYY-MM-DD, already checked */
    json_t *attrs;   /* an object whose values are strings, or NULL; borrowed */
};

/* Appends E to the log with the next sequence number, this transaction's batch id, the clock's
 * UTC time, the handle's actor, login and replica, and the chained hash; then brings the state
 * up to date. Must run inside db_tx(write). On success *SEQ (when not NULL) is the new event's
 * sequence number. Exit codes: DK_DATA (text or an actor that is not UTF-8), DK_USAGE (a
 * reason that is not empty yet holds no letter or digit: text_has_word), DK_STORE. A login
 * that is not UTF-8 is recorded with each stray byte replaced by U+FFFD (text_repair). A clock
 * that reads earlier than the last event leaves a warning in D. */
int ev_append(struct db *db, const struct event *e, long long *seq, struct diag *d);

/* Until called again with NULL, every event appended through DB without a uuid of its own takes
 * the v5 UUID of SEED and of its content (type, item, subject, new value, effective date and
 * attributes; not who recorded it or when), and one whose uuid the store already holds is not
 * appended again (*SEQ: the one held): a change that two stores make alike, such as a shipped
 * checklist's revision, has one id, so they converge and neither trail holds it twice. SEED is
 * borrowed. The office event that a write announces keeps a random id. */
void ev_set_uuid_seed(struct db *db, const char *seed);

/* Sets attribute KEY of ATTRS to V, unless V is NULL. V's bytes are kept as given, even when
 * they are not UTF-8: ev_append refuses those with DK_DATA, naming KEY. Returns 0 or -1 when
 * memory runs out. */
int ev_attr(json_t *attrs, const char *key, const char *v);

/* Returns a new string, owned by the caller (free): the text in which an event's ATTRS are
 * stored (compact, keys sorted); NULL for no attributes, or with *OOM set when memory runs
 * out. */
char *ev_attrs_text(json_t *attrs, int *oom);

/* The fields that the canonical bytes cover, in their order, as stored. */
enum {
    EVF_UUID,
    EVF_BATCH,
    EVF_TYPE,
    EVF_ITEM,
    EVF_SUBJECT,
    EVF_OLD,
    EVF_NEW,
    EVF_REASON,
    EVF_EFF,
    EVF_RECORDED,
    EVF_ACTOR,
    EVF_LOGIN,
    EVF_REPLICA,
    EVF_COUNT
};

/* An event as bytes: each field (v NULL for SQL NULL), its attrs as stored JSON text, its base
 * as decimal digits (canonical version 2; NULL: version 1) and its signature, which travels
 * with it but is not part of its canonical bytes. */
struct ev_bytes {
    const char *v[EVF_COUNT];
    size_t n[EVF_COUNT];
    const char *attrs; /* NULL: none */
    size_t attrs_len;
    const char *base; /* NULL: none (version 1) */
    size_t base_len;
    const unsigned char *sig; /* EV_SIG_LEN bytes, or NULL: unsigned */
};

enum { EV_SIG_LEN = 64 };

/* The names of the fields in an event's JSON form (exports, the shared log). */
extern const char *const ev_field_names[EVF_COUNT];

/* The columns, in order, that ev_to_json reads from a statement over "event e": the fields,
 * the attrs, the base and the signature. */
#define EV_JSON_COLUMNS                                                                            \
    "e.uuid, e.batch, e.type, e.item, e.subject, e.old_value, e.new_value, e.reason, e.eff, "      \
    "e.recorded, e.actor, e.login, e.replica, e.attrs, e.base, (SELECT g.sig FROM signature g "    \
    "WHERE g.uuid = e.uuid)"
enum { EV_JSON_NCOLUMNS = EVF_COUNT + 3 };

/* Adds the event in ST's current row (EV_JSON_COLUMNS from column FIRST on) to the JSON object
 * O, or to a new one when O is NULL, and returns O: its fields by ev_field_names, its
 * attributes as an object (or null), then "base" (an integer) and "sig" (128 hex digits) when
 * it has them: a version-1 event's object is what it was before either existed. */
json_t *ev_to_json(json_t *o, sqlite3_stmt *st, int first);

/* Reads an event object O (as ev_to_json writes it) into B, borrowing O's strings, the stored
 * text of its attributes into *ATTRS (owned; free), and its base and signature into X (B
 * borrows them: keep X as long as B). Returns 0 or DK_DATA naming the field of the wrong type
 * (a base that is not a whole number from 0, a sig that is not 128 lower-case hex digits). */
struct ev_extra {
    char base[24];
    unsigned char sig[EV_SIG_LEN];
};
int ev_from_json(json_t *o, struct ev_bytes *b, char **attrs, struct ev_extra *x, struct diag *d);

/* Checks that B can be recorded as it is: every required field, UTF-8 text, the effective date
 * and the time it was recorded. Needs no store, so that a reader thread can run it. Returns 0
 * or DK_DATA. */
int ev_check_bytes(const struct ev_bytes *b, struct diag *d);

/* ev_receive's flags. */
enum {
    EV_APPLY = 1,  /* bring the state up to date; without, the caller rebuilds it (state_rebuild) */
    EV_CHECKED = 2 /* B has passed ev_check_bytes */
};

/* Appends an event recorded elsewhere (by another office, or in an export), exactly as it was
 * recorded: its own uuid, times, actor, login and replica, with the next local sequence and
 * this store's chain hash (into HASH when not NULL). FLAGS: EV_APPLY, EV_CHECKED. Exit codes:
 * DK_DATA (a missing field, a bad date or time, attributes that are not strings), DK_STORE. */
int ev_receive(struct db *db, const struct ev_bytes *b, int flags, unsigned char hash[EV_HASH_LEN],
               long long *seq, struct diag *d);

/* A growable byte buffer, reused across events; ev_buf_free frees it. */
struct ev_buf {
    unsigned char *p;
    size_t len, cap;
};

/* Makes room in B for MORE bytes past its length. Returns 0, or -1 when memory runs out. */
int ev_buf_reserve(struct ev_buf *b, size_t more);

/* Writes the canonical bytes of E into BUF (replacing what it held): "docket-event", the
 * version byte (2 with a base, else 1), each field as a 4-byte big-endian length (0xffffffff
 * for NULL) and its bytes, the base likewise (version 2 only), then the number of attributes and
 * each (key, value) pair sorted by key, length-prefixed likewise. Returns 0, or -1 when the attrs
 * are not a JSON object of strings or memory runs out. */
int ev_canon(const struct ev_bytes *e, struct ev_buf *buf);

/* Computes OUT = SHA-256(PREV || canonical bytes of E), using BUF as scratch. Returns 0 or -1. */
int ev_hash(const unsigned char prev[EV_HASH_LEN], const struct ev_bytes *e, struct ev_buf *buf,
            unsigned char out[EV_HASH_LEN]);

void ev_buf_free(struct ev_buf *buf);

/* What the chain check found. */
struct ev_check {
    long long count;                 /* events checked */
    unsigned char head[EV_HASH_LEN]; /* the hash of the last event that matched */
    long long bad_seq;               /* the first event that does not match, or 0 */
    char why[160];                   /* how it does not match */
};

/* Checks the events with LO <= seq < HI, each against the stored hash of the one before it
 * (zeros before the first), stopping at the first mismatch: a gap in the sequence, a hash that
 * differs, attrs that cannot be read, a column held in another storage class than the table's
 * (a field as a blob hashes the same but no longer matches in queries), an eff_end that is not
 * period_end(eff) (it is not hashed, yet the as-of views compare it). Since each link is checked on
 * its own, ranges can be checked in any order, and in parallel; together they check the whole
 * chain. Returns 0 with the result in *OUT (bad_seq 0 when all match), or DK_STORE. */
int ev_check_range(struct db *db, long long lo, long long hi, struct ev_check *out, struct diag *d);

/* Checks the shared log's chain as this store holds it: positions 1, 2, ... without a gap, each
 * hash SHA-256(the one before || the event's canonical bytes), the same on every replica.
 * Returns 0 with *OUT (count: the log's length; bad_seq: the first bad position, or 0), or
 * DK_STORE. */
int ev_check_shared(struct db *db, struct ev_check *out, struct diag *d);

/* Checks that the events are numbered from 1: returns 0 with *LAST the greatest sequence number
 * (0 for an empty log), DK_CHECK naming the lowest event when one is numbered below 1 (the
 * chain, which starts at 1, would never see it), or DK_STORE. With ev_check_range over 1..LAST,
 * which finds any gap, this shows that the events are exactly 1..LAST: count(*) = max(seq),
 * from two b-tree lookups rather than a count of every row. */
int ev_check_numbering(struct db *db, long long *last, struct diag *d);

/* Checks every event: ev_check_numbering, then ev_check_range over the whole log. Returns 0
 * with *OUT, DK_CHECK (an event numbered below 1) or DK_STORE. */
int ev_check_chain(struct db *db, struct ev_check *out, struct diag *d);

/* Sets *FIRST and *LAST to the sequence numbers of the first and the last event this connection
 * inserted, and returns 1; returns 0 when it inserted none. Exact once a command's one write
 * transaction has committed (a rolled-back one leaves numbers that were not kept): another
 * process's events cannot fall between, as the transaction holds the write lock. */
int ev_appended(struct db *db, long long *first, long long *last);

/* Returns the greatest sequence number (0 for an empty log), or -1 with D set. */
long long ev_last_seq(struct db *db, struct diag *d);

/* Writes HASH as 64 lower-case hex digits into OUT. */
void ev_hex(const unsigned char hash[EV_HASH_LEN], char out[2 * EV_HASH_LEN + 1]);

/* Reads HEX, exactly 64 lower-case hex digits as ev_hex writes them, into OUT. Returns 0, or -1
 * for anything else (NULL included). */
int ev_unhex(const char *hex, unsigned char out[EV_HASH_LEN]);

#endif
