/* progress.c: progress by month for the reports: per kind, the requests at each month's end
 * and the sum of their progress then, in one pass over the status events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/progress.h"
#include "docket/state.h"

/* Known by every time: the default of KNOWN. */
static const char end_of_record[] = "9999-12-31T23:59:59.999Z";

/* A kind is its document's: kinds, the vocabulary and the groups of instances are keyed here
 * by the document (empty for none), a unit separator (char 31), and the kind's name or the
 * parent's key. */
#define DOC_KIND(t) "coalesce(" t "doc, '') || char(31) || " t "kind"

/* What it keeps per kind, month by month. */
struct kind_months {
    char *name;
    long long *items, *sum; /* per month: requests that exist at its end, their progress */
};

struct vocab_entry {
    char *kind, *status;
    int progress, final, submission;
};

/* A parent whose status follows from its instances: per month, how many of its instances exist
 * at the month's end and the sum of their progress. */
struct group {
    char *key;
    long long *n, *sum;
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
    struct group *groups;
    int ngroups;
    int shared;         /* some event is in the shared log: ties are settled by position */
    int *val;           /* one item's progress at each month's end (nmonths), -1: overdue */
    char (*cutoff)[11]; /* each month's last day (nmonths), ASOF in ASOF's month */
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

/* Returns the entry of STATUS among the vocabulary entries V[0..N) of one kind, or NULL (the
 * projections would leave its progress out: it counts 0 here). */
static const struct vocab_entry *
vocab_find(const struct vocab_entry *v, int n, const char *status)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].status, status) == 0)
            return &v[i];
    return NULL;
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
    k->items = calloc((size_t)p->nmonths, sizeof *k->items);
    k->sum = calloc((size_t)p->nmonths, sizeof *k->sum);
    p->nkinds++;
    if (!k->name || !k->items || !k->sum)
        return NULL;
    return k;
}

/* Returns the group of parent KEY, made when MAKE; NULL when there is none (or no memory). */
static struct group *
group_slot(struct pbm *p, const char *key, int make)
{
    struct group *g;

    for (int i = 0; i < p->ngroups; i++)
        if (strcmp(p->groups[i].key, key) == 0)
            return &p->groups[i];
    if (!make || (g = realloc(p->groups, (size_t)(p->ngroups + 1) * sizeof *g)) == NULL)
        return NULL;
    p->groups = g;
    g = &p->groups[p->ngroups++];
    g->key = strdup(key);
    g->n = calloc((size_t)p->nmonths, sizeof *g->n);
    g->sum = calloc((size_t)p->nmonths, sizeof *g->sum);
    return g->key && g->n && g->sum ? g : NULL;
}

static void
pbm_free(struct pbm *p)
{
    for (int i = 0; i < p->nkinds; i++) {
        free(p->kinds[i].name);
        free(p->kinds[i].items);
        free(p->kinds[i].sum);
    }
    for (int i = 0; i < p->ngroups; i++) {
        free(p->groups[i].key);
        free(p->groups[i].n);
        free(p->groups[i].sum);
    }
    for (int i = 0; i < p->nvocab; i++) {
        free(p->vocab[i].kind);
        free(p->vocab[i].status);
    }
    free(p->kinds);
    free(p->groups);
    free(p->vocab);
    free(p->reverted);
    free(p->val);
    free(p->cutoff);
}

/* Loads the vocabulary (as of then), the reverted events and whether any event is published. */
static int
pbm_load(struct pbm *p, struct diag *d)
{
    static const char vocab_sql[] =
        "SELECT " DOC_KIND("") ", status, progress, final, submission FROM vocab ORDER BY 1";
    static const char reverted_sql[] = STATE_REVERTED_SEQ(":known") " ORDER BY t.seq";
    static const char shared_sql[] = "SELECT EXISTS (SELECT 1 FROM shared)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(p->db, shared_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(p->db, st, d)) < 0)
        return d->code;
    p->shared = rc == 1 && sqlite3_column_int(st, 0);
    sqlite3_reset(st);

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
        v[p->nvocab].final = sqlite3_column_int(st, 3);
        v[p->nvocab].submission = sqlite3_column_int(st, 4);
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

/* Copies status event SEQ's effective date (as written: YYYY, YYYY-MM or a day) into OUT. It is
 * read from the table only for a submission: event_status does not hold it, and reading it for
 * every status event took most of the walk's time at a million events. */
static int
submitted_eff(struct db *db, long long seq, char *out, size_t n, struct diag *d)
{
    static const char sql[] = "SELECT eff FROM event WHERE seq = :seq";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":seq", seq, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* One item as progress_by_month walks it: where it stands at the end of each month. */
struct walk {
    const char *uuid, *kind;
    int born;            /* the month (from m0) it was created in */
    int start, final;    /* its initial status's progress and finality */
    const char *created; /* its creation date */
    const char *due_end; /* the end of its due date's period, or NULL */
    long long cadence;   /* a recurring duty's cadence in months, else 0 */
    /* As the walk goes: its progress, finality and last submission (eff), settled. */
    int progress, is_final;
    char submitted[16];
    char next_due[11]; /* "" when none */
};

/* The next due date of W as it stands (as the projection computes next_due). */
static void
walk_next_due(struct walk *w)
{
    const char *from = w->submitted[0] ? w->submitted : w->created;

    w->next_due[0] = '\0';
    if (w->cadence <= 0 || w->is_final)
        return;
    if (w->due_end)
        snprintf(w->next_due, sizeof w->next_due, "%s", w->due_end);
    else if (date_add_months(from, w->cadence, w->next_due) != 0)
        w->next_due[0] = '\0';
}

/* Writes W's standing at the end of months [*FILLED, UNTIL) into p->val: its progress, or -1
 * when it is a recurring duty whose next step is due before the month's end (before ASOF, in
 * ASOF's month). */
static void
walk_fill(struct pbm *p, struct walk *w, int *filled, int until)
{
    for (int m = *filled; m < until && m < p->nmonths; m++)
        p->val[m] = w->next_due[0] && strcmp(w->next_due, p->cutoff[m]) < 0 ? -1 : w->progress;
    if (until > *filled)
        *filled = until;
}

/* Walks one item's visible status events in effective order into p->val, month by month from
 * its creation. Events that tie on a date are settled as the projections settle them. */
static int
pbm_item(struct pbm *p, struct walk *w, struct diag *d)
{
    const struct vocab_entry *v = p->vocab, *best = NULL;
    int nv = 0;
    static const char sql[] =
        "SELECT eff_day, new_value, seq FROM event INDEXED BY event_status WHERE type = "
        "'status' AND item = :item AND eff_day <= :asof AND recorded <= :known ORDER BY eff_day";
    char date[11] = "";
    long long best_pos = 0, best_seq = 0;
    int rc, more, filled = w->born, best_progress = w->start;
    sqlite3_stmt *st;

    /* The vocabulary is sorted by kind: find this kind's run once. */
    while (v < p->vocab + p->nvocab && strcmp(v->kind, w->kind) != 0)
        v++;
    while (v + nv < p->vocab + p->nvocab && strcmp(v[nv].kind, w->kind) == 0)
        nv++;
    w->progress = w->start;
    w->is_final = w->final;
    w->submitted[0] = '\0';
    walk_next_due(w);
    if ((rc = db_prep(p->db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":item", w->uuid, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":asof", p->asof, d)) != 0 ||
        (rc = db_bind_text(p->db, st, ":known", p->known, d)) != 0)
        return rc;
    do {
        const char *end = NULL, *word;
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
        /* A new date (or the end) settles the group of the previous one: the months that
         * ended before it show what stood then. */
        if (date[0] && (!more || memcmp(end, date, 10) != 0)) {
            walk_fill(p, w, &filled, month_of_day(date) - p->m0);
            w->progress = best_progress;
            w->is_final = best ? best->final : 0;
            walk_next_due(w);
            date[0] = '\0';
        }
        if (!more)
            break;
        word = (const char *)sqlite3_column_text(st, 1);
        /* The last submission is the latest submission by effective date, whichever status
         * wins its day. */
        {
            const struct vocab_entry *e = vocab_find(v, nv, word ? word : "");

            if (e && e->submission &&
                (rc = submitted_eff(p->db, seq, w->submitted, sizeof w->submitted, d)) != 0) {
                sqlite3_reset(st);
                return rc;
            }
        }
        /* Positions matter only when events tie on a date: look them up then. Unpublished
         * events come after every published one; then the later sequence. */
        if (date[0] != '\0' && !p->shared) {
            pos = best_pos = -1; /* nothing is published: the later sequence */
        } else if (date[0] != '\0') {
            if (best_pos == -2)
                best_pos = position(p->db, best_seq, d);
            pos = position(p->db, seq, d);
        } else {
            pos = -2;
        }
        if (date[0] == '\0' || (pos < 0 && (best_pos >= 0 || seq > best_seq)) ||
            (pos >= 0 && best_pos >= 0 && pos > best_pos)) {
            memcpy(date, end, 11);
            best = vocab_find(v, nv, word ? word : "");
            best_progress = best ? best->progress : 0;
            best_pos = pos;
            best_seq = seq;
        }
    } while (more);
    sqlite3_reset(st);
    walk_fill(p, w, &filled, p->nmonths);
    return 0;
}

/* Reads row ST of the items query into W and walks it; returns 0 (nothing to count: *OK 0),
 * or an exit code. */
static int
walk_row(struct pbm *p, sqlite3_stmt *st, struct walk *w, int *ok, struct diag *d)
{
    *ok = 0;
    memset(w, 0, sizeof *w);
    w->uuid = (const char *)sqlite3_column_text(st, 0);
    w->kind = (const char *)sqlite3_column_text(st, 1);
    w->created = (const char *)sqlite3_column_text(st, 2);
    w->start = sqlite3_column_int(st, 3);
    w->final = sqlite3_column_int(st, 4);
    w->due_end = (const char *)sqlite3_column_text(st, 5);
    w->cadence = sqlite3_column_int64(st, 6);
    if (w->uuid == NULL || w->kind == NULL || w->created == NULL)
        return 0;
    w->born = month_of(w->created) - p->m0;
    if (w->born < 0 || w->born >= p->nmonths)
        return 0;
    *ok = 1;
    return pbm_item(p, w, d);
}

int
progress_by_month(struct db *db, const char *asof, const char *known, struct diag *d)
{
    /* The instances of parents whose status follows from them (first), then every request:
     * each item that is not an instance (#14: every request counts once). Instances are
     * walked without their due dates, as the roll-up takes their progress as it stands. */
    static const char items_sql[] = "SELECT i.uuid, " DOC_KIND(
        "i.") ", i.created, coalesce(v.progress, 0), "
              "coalesce(v.final, 0), period_end(i.due), CASE WHEN :requests THEN i.cadence_months "
              "END, "
              "coalesce(i.doc, '') || char(31) || i.parent, coalesce(i.doc, '') || char(31) || "
              "i.key, "
              "i.rollup FROM items i JOIN kinds k ON k.doc IS i.doc AND k.name = i.kind LEFT JOIN "
              "vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = k.initial WHERE CASE "
              "WHEN "
              ":requests THEN instr(i.key, '/') = 0 ELSE instr(i.key, '/') > 0 AND EXISTS (SELECT "
              "1 "
              "FROM items p WHERE p.key = i.parent AND p.doc IS i.doc AND p.rollup = 'instances') "
              "END";
    static const char first_sql[] = "SELECT min(period_end(created)) FROM items";
    static const char insert_sql[] =
        "INSERT INTO temp.progress_by_month (month, doc, kind, items, progress_sum) "
        "VALUES (:month, NULLIF(substr(:name, 1, instr(:name, char(31)) - 1), ''), "
        "substr(:name, instr(:name, char(31)) + 1), :items, :sum)";
    struct pbm p = {.db = db, .asof = asof, .known = known ? known : end_of_record};
    struct walk w;
    sqlite3_stmt *st;
    int rc, last = month_of(asof), ok;

    if ((rc = db_exec(db,
                      "CREATE TEMP TABLE IF NOT EXISTS "
                      "progress_by_month (month TEXT NOT NULL, doc TEXT, kind TEXT NOT NULL, items "
                      "INTEGER NOT NULL, progress_sum INTEGER NOT NULL); DELETE FROM "
                      "temp.progress_by_month",
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
    if ((rc = pbm_load(&p, d)) != 0)
        goto out;
    if ((p.val = calloc((size_t)p.nmonths, sizeof *p.val)) == NULL ||
        (p.cutoff = calloc((size_t)p.nmonths, sizeof *p.cutoff)) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    for (int m = 0; m < p.nmonths; m++) {
        int y = (p.m0 + m) / 12, mo = (p.m0 + m) % 12 + 1;

        snprintf(p.cutoff[m], sizeof p.cutoff[m], "%04d-%02d-%02d", y % 10000, mo,
                 date_days_in(y, mo));
    }
    if (strcmp(asof, p.cutoff[p.nmonths - 1]) < 0)
        snprintf(p.cutoff[p.nmonths - 1], sizeof p.cutoff[0], "%.10s", asof);
    for (int requests = 0; requests < 2 && rc == 0; requests++) {
        if ((rc = db_prep(db, items_sql, &st, d)) != 0 ||
            (rc = db_bind_int(db, st, ":requests", requests, d)) != 0)
            goto out;
        /* Strings are borrowed from the row, which stays current while pbm_item runs its own
         * statements: names of any length, not cut to a buffer. */
        while ((rc = db_row(db, st, d)) == 1) {
            const char *parent = (const char *)sqlite3_column_text(st, 7);
            const char *key = (const char *)sqlite3_column_text(st, 8);
            const char *rollup = (const char *)sqlite3_column_text(st, 9);
            struct group *g;
            struct kind_months *k;

            if ((rc = walk_row(&p, st, &w, &ok, d)) != 0)
                break;
            if (!ok)
                continue;
            if (!requests) {
                if (parent == NULL || (g = group_slot(&p, parent, 1)) == NULL) {
                    rc = parent ? diag_set(d, DK_STORE, "out of memory") : 0;
                    if (rc)
                        break;
                    continue;
                }
                for (int m = w.born; m < p.nmonths; m++) {
                    g->n[m]++;
                    g->sum[m] += p.val[m] < 0 ? 0 : p.val[m];
                }
                continue;
            }
            if ((k = kind_slot(&p, w.kind)) == NULL) {
                rc = diag_set(d, DK_STORE, "out of memory");
                break;
            }
            g = rollup && strcmp(rollup, "instances") == 0 && key ? group_slot(&p, key, 0) : NULL;
            /* As VIEW_PROGRESS: an overdue duty counts 0, else a parent whose status follows
             * from its instances counts their mean (rounded), else its own progress. */
            for (int m = w.born; m < p.nmonths; m++) {
                long long v = p.val[m] < 0 ? 0 : p.val[m];

                if (p.val[m] >= 0 && g && g->n[m] > 0)
                    v = (2 * g->sum[m] + g->n[m]) / (2 * g->n[m]);
                k->items[m]++;
                k->sum[m] += v;
            }
        }
        sqlite3_reset(st);
        if (rc < 0)
            rc = d->code;
    }
    if (rc != 0)
        goto out;
    for (int ki = 0; ki < p.nkinds; ki++) {
        struct kind_months *k = &p.kinds[ki];

        for (int m = 0; m < p.nmonths && rc == 0; m++) {
            char month[8];

            if (k->items[m] == 0)
                continue;
            snprintf(month, sizeof month, "%04d-%02d", (p.m0 + m) / 12, (p.m0 + m) % 12 + 1);
            if ((rc = db_prep(db, insert_sql, &st, d)) == 0 &&
                (rc = db_bind_text(db, st, ":month", month, d)) == 0 &&
                (rc = db_bind_text(db, st, ":name", k->name, d)) == 0 &&
                (rc = db_bind_int(db, st, ":items", k->items[m], d)) == 0 &&
                (rc = db_bind_int(db, st, ":sum", k->sum[m], d)) == 0)
                rc = db_run(db, st, d);
        }
    }
out:
    pbm_free(&p);
    return rc;
}
