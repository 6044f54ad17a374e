/* gen.c: makes a benchmark store deterministically: the Resolution 1309 checklist, per-country
 * instances, and a history of status changes in batches with partial dates, evidence, notes
 * and costs, all through docket's own core so that the chain and the state are real.
 *
 * usage: docket-bench-gen PATH ITEMS EVENTS [SEED]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/date.h"
#include "docket/event.h"
#include "docket/item.h"
#include "docket/trust.h"

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned
pick(unsigned n)
{
    return (unsigned)(next() % n);
}

static const char *const statuses[] = {
    "approached", "under-consideration", "observer",        "invitee", "member",
    "lapsed",     "unconfirmed",         "member-successor"};

struct plan {
    long items, events, made_items, made_events;
};

/* Writes a random effective date between 2016 and 2025 with a mix of precisions. */
static void
random_date(char *buf, size_t n)
{
    unsigned y = 2016 + pick(10), m = 1 + pick(12), d = 1 + pick(28), p = pick(10);

    if (p == 0)
        snprintf(buf, n, "%u", y);
    else if (p < 3)
        snprintf(buf, n, "%u-%02u", y, m);
    else
        snprintf(buf, n, "%u-%02u-%02u", y, m, d);
}

static int
load_checklist(struct db *db, void *arg, struct diag *d)
{
    (void)arg;
    return checklist_load_default(db, NULL, NULL, d);
}

/* Adds up to 1,000 instances per transaction. */
static int
add_items(struct db *db, void *arg, struct diag *d)
{
    struct plan *p = arg;
    char key[32], title[64];
    int rc;

    for (int i = 0; i < 1000 && p->made_items < p->items; i++, p->made_items++) {
        const char *parent = p->made_items % 5 == 4 ? "smt" : "undg.regional";
        /* Tracked since the resolution, as the dated events below need. */
        struct item_spec s = {.key = key, .title = title, .eff = "2015-11-24"};

        snprintf(key, sizeof key, "%s/C%05ld", parent, p->made_items);
        snprintf(title, sizeof title, "%s in country %05ld", parent, p->made_items);
        if ((rc = item_add(db, &s, d)) != 0)
            return rc;
        p->made_events += strcmp(parent, "smt") == 0 ? 2 : 1;
    }
    return 0;
}

/* Records up to 2,000 events per transaction: status batches with evidence, notes, costs. */
static int
add_events(struct db *db, void *arg, struct diag *d)
{
    struct plan *p = arg;
    char key[32], when[16], reason[64], url[96];
    struct date eff;
    struct item it;
    int rc;

    for (int i = 0; i < 2000 && p->made_events < p->events; i++) {
        unsigned kind = pick(100);

        long n = (long)pick((unsigned)p->items);

        snprintf(key, sizeof key, "%s/C%05ld", n % 5 == 4 ? "smt" : "undg.regional", n);
        if (item_load(db, key, &it, d) != 0) {
            d->code = 0;
            continue;
        }
        random_date(when, sizeof when);
        date_parse(when, &eff, d);
        snprintf(reason, sizeof reason, "change %ld", p->made_events);
        if (kind < 85) {
            rc = item_set_status(db, &it, statuses[pick(8)], &eff, reason, ITEM_RECORD, NULL, d);
        } else if (kind < 93) {
            snprintf(url, sizeof url, "https://docs.example.org/%s/%ld.pdf", key, p->made_events);
            rc = item_evidence(db, &it, url, &eff, reason, NULL, d);
        } else if (kind < 98) {
            rc = item_note(db, &it, reason, &eff, NULL, d);
        } else {
            snprintf(url, sizeof url, "%u.%02u", 1000 + pick(90000), pick(100));
            rc = item_cost(db, &it, url, pick(2) ? "USD" : "CHF", "per year", 0, &eff, reason, NULL,
                           d);
        }
        item_free(&it);
        if (rc != 0)
            return rc;
        p->made_events++;
    }
    return 0;
}

struct step {
    struct db *db;
    int (*fn)(struct db *, void *, struct diag *);
    void *arg;
    struct diag *d;
};

static int
run_step(void *arg)
{
    struct step *s = arg;

    return s->fn(s->db, s->arg, s->d);
}

static int
write(struct db *db, int (*fn)(struct db *, void *, struct diag *), void *arg, struct diag *d)
{
    struct step s = {db, fn, arg, d};

    return db_tx(db, 1, run_step, &s, d);
}

int
main(int argc, char **argv)
{
    struct plan p = {0};
    struct diag d = {0};
    struct db *db = NULL;
    struct trust_key *key = NULL;
    char keypath[4096];

    if (argc < 4) {
        fprintf(stderr, "usage: docket-bench-gen PATH ITEMS EVENTS [SEED]\n");
        return 2;
    }
    p.items = strtol(argv[2], NULL, 10);
    p.events = strtol(argv[3], NULL, 10);
    if (argc > 4)
        rng ^= strtoull(argv[4], NULL, 10);
    if (p.items < 1 || p.events < p.items) {
        fprintf(stderr, "docket-bench-gen: EVENTS must be at least ITEMS, both positive\n");
        return 2;
    }
    if (db_open(argv[1], DB_CREATE, &db, &d) != 0 ||
        trust_key_path(argv[1], keypath, sizeof keypath, &d) != 0 ||
        trust_key_new(keypath, 1, &key, &d) != 0)
        goto fail;
    /* Signed as docket signs, with a key beside the store as init makes it. */
    db_set_key(db, key);
    db_set_actor(db, "bench", "bench");
    if (write(db, load_checklist, NULL, &d) != 0)
        goto fail;
    while (p.made_items < p.items)
        if (write(db, add_items, &p, &d) != 0)
            goto fail;
    while (p.made_events < p.events)
        if (write(db, add_events, &p, &d) != 0)
            goto fail;
    db_close(db);
    trust_key_free(key);
    return 0;
fail:
    fprintf(stderr, "docket-bench-gen: %s\n", d.msg);
    db_close(db);
    trust_key_free(key);
    return 1;
}
