/* event_check.c: the chain check: each event's stored hash against its canonical bytes and the
 * hash before it, in the local log (verify) and in the shared log as this store holds it. */
#include <stdio.h>
#include <string.h>

#include "docket/date.h"
#include "docket/event.h"

/* Returns 1 when END (M bytes) is the last day of the period of the effective date EFF (N bytes:
 * YYYY, YYYY-MM or YYYY-MM-DD), as period_end() computes it and as the eff_end column must
 * hold it; 0 otherwise, and when EFF is not a date. It runs once per event in verify, so it
 * reads the digits itself rather than format them as date_parse does. */
static int
period_end_is(const char *eff, size_t n, const char *end, size_t m)
{
    int y, mon, day, last;

    if (eff == NULL || end == NULL || m != 10 || (n != 4 && n != 7 && n != 10) ||
        memcmp(eff, end, n) != 0)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? end[i] != '-' : end[i] < '0' || end[i] > '9')
            return 0;
    y = (end[0] - '0') * 1000 + (end[1] - '0') * 100 + (end[2] - '0') * 10 + (end[3] - '0');
    mon = (end[5] - '0') * 10 + (end[6] - '0');
    day = (end[8] - '0') * 10 + (end[9] - '0');
    if (y < 1000 || mon < 1 || mon > 12)
        return 0;
    last = date_days_in(y, mon);
    if (n == 4)
        return mon == 12 && day == 31;
    return n == 7 ? day == last : day >= 1 && day <= last;
}

/* The columns that check_rows reads: the 13 canonical fields, then these. */
enum { COL_ATTRS = EVF_COUNT, COL_HASH, COL_NUMBER, COL_EFF_END, COL_BASE, COL_COUNT };

/* Returns the first of the row's values V whose storage class is not the one the event table
 * holds there (text, or NULL where the column allows it; bytes for the hash; an integer for
 * the number), or -1 when all are. The hash reads each field's bytes as text, whatever its
 * storage class; the projections compare values with their class (type = 'status' is false
 * for the same bytes as a blob), so a changed class must fail the check like changed bytes. */
static int
misstored(sqlite3_value *const v[COL_COUNT])
{
    static const unsigned nullable = 1u << EVF_ITEM | 1u << EVF_SUBJECT | 1u << EVF_OLD |
                                     1u << EVF_NEW | 1u << COL_ATTRS | 1u << COL_BASE;

    for (int i = 0; i < COL_COUNT; i++) {
        int t = sqlite3_value_type(v[i]);
        int want = i == COL_HASH                      ? SQLITE_BLOB
                   : i == COL_NUMBER || i == COL_BASE ? SQLITE_INTEGER
                                                      : SQLITE_TEXT;

        if (t != want && !(t == SQLITE_NULL && (nullable >> i & 1u)))
            return i;
    }
    return -1;
}

static const char *
class_name(int t)
{
    return t == SQLITE_INTEGER ? "an integer"
           : t == SQLITE_FLOAT ? "a real number"
           : t == SQLITE_BLOB  ? "bytes"
           : t == SQLITE_NULL  ? "NULL"
                               : "text";
}

/* Checks the chain that ST's rows make: each row the 13 canonical fields, the attrs, the stored
 * hash, a number (local sequence, or shared-log position) and the stored eff_end, in order. Rows
 * numbered before LO only give their stored hash for the next to chain from; from LO on, each
 * must be numbered one more than the last, hold each column in its storage class, hash to its
 * stored hash, and hold in eff_end the end of its effective date's period. WHAT names a number in
 * messages. */
static int
check_rows(struct db *db, sqlite3_stmt *st, long long lo, const char *what, struct ev_check *out,
           struct diag *d)
{
    unsigned char prev[EV_HASH_LEN] = {0}, h[EV_HASH_LEN];
    long long expect = lo > 1 ? lo - 1 : 1;
    struct ev_check r = {0};
    sqlite3_value *v[COL_COUNT];
    struct ev_bytes b;
    struct ev_buf buf = {0};
    int rc;

    while ((rc = db_row(db, st, d)) == 1) {
        long long n;
        int stored, bad, bad_class = 0;

        /* Each column's value is fetched once and read through the value API: a third of the
         * calls (and of the statement mutex's round trips) of reading type, text and length
         * from the statement. This connection is used by one thread only. */
        for (int i = 0; i < COL_COUNT; i++)
            v[i] = sqlite3_column_value(st, i);
        /* Storage classes first: reading a value in another class converts it. */
        if ((bad = misstored(v)) >= 0)
            bad_class = sqlite3_value_type(v[bad]);
        n = sqlite3_value_int64(v[COL_NUMBER]);
        stored = sqlite3_value_bytes(v[COL_HASH]) == EV_HASH_LEN;
        if (n != expect) {
            r.bad_seq = n;
            snprintf(r.why, sizeof r.why, "the %ss before it from %lld are missing", what, expect);
            break;
        }
        expect++;
        if (n < lo || sqlite3_value_type(v[EVF_UUID]) == SQLITE_NULL) {
            /* The one before the range, or an entry of the shared log held in quarantine (no
             * event: the entry chains on from the hash it states). */
            if (stored)
                memcpy(prev, sqlite3_value_blob(v[COL_HASH]), EV_HASH_LEN);
            if (n >= lo)
                r.count++; /* a position of the shared log all the same */
            continue;
        }
        for (int i = 0; i < EVF_COUNT; i++) {
            b.v[i] = (const char *)sqlite3_value_text(v[i]);
            b.n[i] = (size_t)sqlite3_value_bytes(v[i]);
        }
        b.attrs = (const char *)sqlite3_value_text(v[COL_ATTRS]);
        b.attrs_len = (size_t)sqlite3_value_bytes(v[COL_ATTRS]);
        /* A base read as text is its decimal digits, as the canonical bytes hold them. */
        b.base = (const char *)sqlite3_value_text(v[COL_BASE]);
        b.base_len = (size_t)sqlite3_value_bytes(v[COL_BASE]);
        r.count++;
        r.bad_seq = n;
        if (ev_hash(prev, &b, &buf, h) != 0) {
            snprintf(r.why, sizeof r.why, "its attributes cannot be read");
            break;
        }
        if (!stored || memcmp(sqlite3_value_blob(v[COL_HASH]), h, EV_HASH_LEN) != 0) {
            snprintf(r.why, sizeof r.why, "its content does not match its hash");
            break;
        }
        if (bad >= 0) {
            snprintf(r.why, sizeof r.why, "its %s is stored as %s, not as %s",
                     sqlite3_column_name(st, bad), class_name(bad_class),
                     bad == COL_HASH                        ? "bytes"
                     : bad == COL_NUMBER || bad == COL_BASE ? "an integer"
                                                            : "text");
            break;
        }
        /* eff_end is derived from eff and not hashed, yet the as-of views compare it. */
        if (!period_end_is(b.v[EVF_EFF], b.n[EVF_EFF],
                           (const char *)sqlite3_value_text(v[COL_EFF_END]),
                           (size_t)sqlite3_value_bytes(v[COL_EFF_END]))) {
            snprintf(r.why, sizeof r.why,
                     "its eff_end is not the end of its effective date's period");
            break;
        }
        r.bad_seq = 0;
        memcpy(prev, h, EV_HASH_LEN);
    }
    sqlite3_reset(st);
    ev_buf_free(&buf);
    if (rc < 0)
        return d->code;
    memcpy(r.head, prev, EV_HASH_LEN);
    *out = r;
    return 0;
}

int
ev_check_range(struct db *db, long long lo, long long hi, struct ev_check *out, struct diag *d)
{
    static const char sql[] =
        "SELECT uuid, batch, type, item, subject, old_value, new_value, reason, eff, recorded, "
        "actor, login, replica, attrs, hash, seq, eff_end, base FROM event WHERE seq >= :from AND "
        "seq < :hi ORDER BY seq";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_int(db, st, ":from", lo > 1 ? lo - 1 : 1, d)) != 0 ||
        (rc = db_bind_int(db, st, ":hi", hi, d)) != 0)
        return rc;
    return check_rows(db, st, lo, "event", out, d);
}

long long
ev_last_seq(struct db *db, struct diag *d)
{
    static const char sql[] = "SELECT coalesce(max(seq), 0) FROM event";
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (db_prep(db, sql, &st, d) == 0 && db_row(db, st, d) == 1)
        n = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return n;
}

int
ev_check_numbering(struct db *db, long long *last, struct diag *d)
{
    /* Two subqueries, so that each reads one end of the rowid b-tree. */
    static const char sql[] = "SELECT (SELECT min(seq) FROM event), (SELECT max(seq) FROM event)";
    sqlite3_stmt *st = NULL;
    long long first = 1, max = 0;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        first = sqlite3_column_int64(st, 0);
        max = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    if (first < 1)
        return diag_set(d, DK_CHECK,
                        "event %lld: the trail is numbered from 1, so this event lies outside "
                        "the chain",
                        first);
    *last = max;
    return 0;
}

int
ev_check_chain(struct db *db, struct ev_check *out, struct diag *d)
{
    long long last;
    int rc;

    if ((rc = ev_check_numbering(db, &last, d)) != 0)
        return rc;
    return ev_check_range(db, 1, last + 1, out, d);
}

int
ev_check_shared(struct db *db, struct ev_check *out, struct diag *d)
{
    static const char sql[] =
        "SELECT e.uuid, e.batch, e.type, e.item, e.subject, e.old_value, e.new_value, e.reason, "
        "e.eff, e.recorded, e.actor, e.login, e.replica, e.attrs, s.hash, s.pos, e.eff_end, "
        "e.base FROM shared s JOIN event e ON e.seq = s.seq UNION ALL SELECT NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, q.hash, q.pos, NULL, "
        "NULL FROM quarantine q ORDER BY 16";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = check_rows(db, st, 1, "shared-log position", out, d)) != 0)
        return rc;
    if (out->bad_seq)
        snprintf(out->why + strlen(out->why), sizeof out->why - strlen(out->why),
                 " (shared-log position %lld)", out->bad_seq);
    return 0;
}
