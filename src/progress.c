/* progress.c: progress by month for the reports: per kind, the leaf items at each month's end
 * and the sum of their progress then, in one pass over the status events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/progress.h"
#include "docket/state.h"

/* Known by every time: the default of KNOWN. */
static const char end_of_record[] = "9999-12-31T23:59:59.999Z";

/* What it keeps per kind, month by month. */
struct kind_months {
    char *name;
    long long *born, *base, *delta; /* per month: items created, their start, progress moves */
};

struct vocab_entry {
    char *kind, *status;
    int progress;
};

struct pbm {
    struct db *db;
    const char *asof, *known;
    int m0, nmonths;
    struct kind_months *kinds;
    int nkinds;
    struct vocab_entry *vocab;
    int nvocab;
    long long *reverted; /* sorted sequence numbers of reverted events */
    size_t nreverted;
};

/* Returns the month number (year * 12 + month - 1) of a full date "YYYY-MM-DD"; it runs once
 * per status event, so it reads the digits itself. */
static int
month_of_day(const char *s)
{
    return ((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')) * 12 +
           (s[5] - '0') * 10 + (s[6] - '0') - 1;
}

/* Returns the month number of the end of a date's period (YYYY, YYYY-MM or YYYY-MM-DD), or -1. */
static int
month_of(const char *date)
{
    struct diag d = {0};
    struct date x;

    if (date == NULL || date_parse(date, &x, &d) != 0)
        return -1;
    return month_of_day(x.end);
}

/* Returns the progress of STATUS among the vocabulary entries V[0..N) of one kind (0 when it
 * has none: the projections would leave it out). */
static int
vocab_progress(const struct vocab_entry *v, int n, const char *status)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].status, status) == 0)
            return v[i].progress;
    return 0;
}

static int
cmp_seq(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

static int
is_reverted(const struct pbm *p, long long seq)
{
    return p->nreverted && bsearch(&seq, p->reverted, p->nreverted, sizeof seq, cmp_seq) != NULL;
}

static struct kind_months *
kind_slot(struct pbm *p, const char *name)
{
    struct kind_months *k;

    for (int i = 0; i < p->nkinds; i++)
        if (strcmp(p->kinds[i].name, name) == 0)
            return &p->kinds[i];
    if ((k = realloc(p->kinds, (size_t)(p->nkinds + 1) * sizeof *k)) == NULL)
        return NULL;
    p->kinds = k;
    k = &p->kinds[p->nkinds];
    k->name = strdup(name);
    k->born = calloc((size_t)p->nmonths, sizeof *k->born);
    k->base = calloc((size_t)p->nmonths, sizeof *k->base);
    k->delta = calloc((size_t)p->nmonths, sizeof *k->delta);
    p->nkinds++;
    if (!k->name || !k->born || !k->base || !k->delta)
        return NULL;
    return k;
}

static void
pbm_free(struct pbm *p)
{
    for (int i = 0; i < p->nkinds; i++) {
        free(p->kinds[i].name);
        free(p->kinds[i].born);
        free(p->kinds[i].base);
        free(p->kinds[i].delta);
    }
    for (int i = 0; i < p->nvocab; i++) {
        free(p->vocab[i].kind);
        free(p->vocab[i].status);
    }
    free(p->kinds);
    free(p->vocab);
    free(p->reverted);
}

/* Loads the vocabulary (as of then) and the reverted events. */
static int
pbm_load(struct pbm *p, struct diag *d)
{
    static const char vocab_sql[] = "SELECT kind, status, progress FROM vocab ORDER BY kind";
    static const char reverted_sql[] = STATE_REVERTED_SEQ(":known") " ORDER BY t.seq";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(p->db, vocab_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(p->db, st, d)) == 1) {
        struct vocab_entry *v = realloc(p->vocab, (size_t)(p->nvocab + 1) * sizeof *v);

        if (v == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->vocab = v;
        v[p->nvocab].kind = strdup((const char *)sqlite3_column_text(st, 0));
        v[p->nvocab].status = strdup((const char *)sqlite3_column_text(st, 1));
        v[p->nvocab].progress = sqlite3_column_int(st, 2);
        if (!v[p->nvocab].kind || !v[p->nvocab].status)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->nvocab++;
    }
    if (rc < 0)
        return d->code;
    if ((rc = db_prep(p->db, reverted_sql, &st, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":known", p->known, d)) != 0)
        return rc;
    while ((rc = db_row(p->db, st, d)) == 1) {
        long long *r = realloc(p->reverted, (p->nreverted + 1) * sizeof *r);

        if (r == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        p->reverted = r;
        r[p->nreverted++] = sqlite3_column_int64(st, 0);
    }
    return rc < 0 ? d->code : 0;
}

/* Returns the shared-log position of event SEQ, or -1 when it is unpublished. */
static long long
position(struct db *db, long long seq, struct diag *d)
{
    static const char sql[] = "SELECT pos FROM shared WHERE seq = :seq";
    sqlite3_stmt *st = NULL;
    long long pos = -1;

    if (db_prep(db, sql, &st, d) == 0 && db_bind_int(db, st, ":seq", seq, d) == 0 &&
        db_row(db, st, d) == 1)
        pos = sqlite3_column_int64(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return pos;
}

/* Walks one item's visible status events in effective order and records its progress moves,
 * month by month. Events that tie on a date are settled as the projections settle them. */
static int
pbm_item(struct pbm *p, const char *uuid, struct kind_months *k, int born, int until, int start,
         const char *kind, struct diag *d)
{
    const struct vocab_entry *v = p->vocab;
    int nv = 0;
    static const char sql[] =
        "SELECT eff_day, new_value, seq FROM event INDEXED BY event_status WHERE type = "
        "'status' AND item = :item AND eff_day <= :asof AND recorded <= :known ORDER BY eff_day";
    char date[11] = "";
    long long best_pos = 0, best_seq = 0;
    int progress = start, best = start, rc, more;
    sqlite3_stmt *st;

    /* The vocabulary is sorted by kind: find this kind's run once. */
    while (v < p->vocab + p->nvocab && strcmp(v->kind, kind) != 0)
        v++;
    while (v + nv < p->vocab + p->nvocab && strcmp(v[nv].kind, kind) == 0)
        nv++;
    if ((rc = db_prep(p->db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":item", uuid, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":asof", p->asof, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":known", p->known, d)) != 0)
        return rc;
    do {
        const char *end = NULL;
        long long seq = 0, pos;

        if ((more = db_row(p->db, st, d)) < 0)
            return d->code;
        if (more) {
            end = (const char *)sqlite3_column_text(st, 0);
            seq = sqlite3_column_int64(st, 2);
            if (sqlite3_column_bytes(st, 0) != 10) {
                sqlite3_reset(st);
                return diag_set(d, DK_STORE, "status event %lld is damaged", seq);
            }
            if (is_reverted(p, seq))
                continue;
        }
        /* A new date (or the end) settles the group of the previous one. */
        if (date[0] && (!more || memcmp(end, date, 10) != 0)) {
            int m = month_of_day(date) - p->m0;

            if (m < born)
                m = born;
            if (m < until) {
                k->delta[m] += best - progress;
                progress = best;
            }
            date[0] = '\0';
        }
        if (!more)
            break;
        /* Positions matter only when events tie on a date: look them up then. Unpublished
         * events come after every published one; then the later sequence. */
        if (date[0] != '\0') {
            if (best_pos == -2)
                best_pos = position(p->db, best_seq, d);
            pos = position(p->db, seq, d);
        } else {
            pos = -2;
        }
        if (date[0] == '\0' || (pos < 0 && (best_pos >= 0 || seq > best_seq)) ||
            (pos >= 0 && best_pos >= 0 && pos > best_pos)) {
            const char *word = (const char *)sqlite3_column_text(st, 1);

            /* Only the status's progress is kept, so a name of any length will do. */
            memcpy(date, end, 11);
            best = vocab_progress(v, nv, word ? word : "");
            best_pos = pos;
            best_seq = seq;
        }
    } while (more);
    sqlite3_reset(st);
    /* An item that gains an item below it stops being a leaf in that month. */
    if (until < p->nmonths) {
        k->born[until]--;
        k->base[until] -= progress;
    }
    return 0;
}

int
progress_by_month(struct db *db, const char *asof, const char *known, struct diag *d)
{
    static const char leaves_sql[] =
        "SELECT i.uuid, i.kind, i.created, coalesce(v.progress, 0), (SELECT "
        "min(period_end(c.created)) FROM items c WHERE c.parent = i.key) FROM items i "
        "JOIN kinds k ON k.name = i.kind LEFT JOIN vocab v ON v.kind = i.kind AND "
        "v.status = k.initial";
    static const char first_sql[] = "SELECT min(period_end(created)) FROM items";
    static const char insert_sql[] =
        "INSERT INTO temp.progress_by_month (month, kind, items, progress_sum) "
        "VALUES (:month, :kind, :items, :sum)";
    struct pbm p = {.db = db, .asof = asof, .known = known ? known : end_of_record};
    sqlite3_stmt *st;
    int rc, last = month_of(asof);

    if ((rc = db_exec(db,
                      "DROP TABLE IF EXISTS temp.progress_by_month; CREATE TEMP TABLE "
                      "progress_by_month (month TEXT NOT NULL, kind TEXT NOT NULL, items "
                      "INTEGER NOT NULL, progress_sum INTEGER NOT NULL)",
                      d)) != 0 ||
        (rc = db_prep(db, first_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    p.m0 = month_of((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (p.m0 < 0 || last < p.m0)
        return 0; /* no items, or none yet */
    p.nmonths = last - p.m0 + 1;
    if ((rc = pbm_load(&p, d)) != 0 || (rc = db_prep(db, leaves_sql, &st, d)) != 0)
        goto out;
    while ((rc = db_row(db, st, d)) == 1) {
        /* Borrowed from this row, which stays current while pbm_item runs its own statements:
         * names of any length, not cut to a buffer. */
        const char *uuid = (const char *)sqlite3_column_text(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        struct kind_months *k;
        int born, until = p.nmonths, start = sqlite3_column_int(st, 3);

        if (uuid == NULL || kind == NULL)
            continue;
        born = month_of((const char *)sqlite3_column_text(st, 2)) - p.m0;
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            until = month_of((const char *)sqlite3_column_text(st, 4)) - p.m0;
        if (born < 0 || born >= p.nmonths || until <= born)
            continue;
        if ((k = kind_slot(&p, kind)) == NULL) {
            sqlite3_reset(st);
            rc = diag_set(d, DK_STORE, "out of memory");
            goto out;
        }
        k->born[born]++;
        k->base[born] += start;
        if ((rc = pbm_item(&p, uuid, k, born, until, start, kind, d)) != 0) {
            sqlite3_reset(st);
            goto out;
        }
    }
    if (rc < 0) {
        rc = d->code;
        goto out;
    }
    for (int ki = 0; ki < p.nkinds; ki++) {
        struct kind_months *k = &p.kinds[ki];
        long long n = 0, sum = 0;

        for (int m = 0; m < p.nmonths && rc == 0; m++) {
            char month[8];

            n += k->born[m];
            sum += k->base[m] + k->delta[m];
            if (n == 0)
                continue;
            snprintf(month, sizeof month, "%04d-%02d", (p.m0 + m) / 12, (p.m0 + m) % 12 + 1);
            if ((rc = db_prep(db, insert_sql, &st, d)) == 0 &&
                (rc = db_bind_text(db, st, ":month", month, d)) == 0 &&
                (rc = db_bind_text(db, st, ":kind", k->name, d)) == 0 &&
                (rc = db_bind_int(db, st, ":items", n, d)) == 0 &&
                (rc = db_bind_int(db, st, ":sum", sum, d)) == 0)
                rc = db_run(db, st, d);
        }
    }
out:
    pbm_free(&p);
    return rc;
}
