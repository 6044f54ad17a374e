/* gen.c: makes a benchmark store deterministically: the Resolution 1309 checklist, per-country
 * instances, and a history of status changes in batches with partial dates, evidence, notes
 * and costs, all through docket's own core so that the chain and the state are real. With DOCS
 * (#15), DOCS documents instead (symbol B/RES/NNN, alias dNNN), each with its own kind
 * `action` and ITEMS / DOCS items over ten paragraphs, and the history spread over them.
 *
 * usage: docket-bench-gen PATH ITEMS EVENTS [SEED [DOCS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
    long docs; /* 0: Resolution 1309 and its instances; else that many documents */
};

static const char *const action_statuses[] = {"not-started", "in-progress", "done"};

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

/* Loads document number P->made_items / (ITEMS / DOCS): a checklist of its own, with its kind
 * action and its share of the items. */
static int
add_document(struct db *db, void *arg, struct diag *d)
{
    struct plan *p = arg;
    long per = p->items / p->docs, n = p->made_items / per;
    json_t *cl, *paras = json_array(), *items = json_array();
    char symbol[32], alias[16], key[32], ref[8], title[64];
    size_t len;
    char *text;
    int rc;

    snprintf(symbol, sizeof symbol, "B/RES/%03ld", n + 1);
    snprintf(alias, sizeof alias, "d%03ld", n + 1);
    for (int i = 1; i <= 10; i++) {
        snprintf(ref, sizeof ref, "%d", i);
        snprintf(title, sizeof title, "Requests the Director General to act on matter %d;", i);
        json_array_append_new(paras, json_pack("{s:s, s:s}", "ref", ref, "text", title));
    }
    for (long i = 0; i < per; i++) {
        snprintf(key, sizeof key, "p%ld.item%03ld", i % 10 + 1, i);
        snprintf(ref, sizeof ref, "%ld", i % 10 + 1);
        snprintf(title, sizeof title, "Request %ld of %s", i, symbol);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "key", key, "title", title,
                                               "kind", "action", "ref", ref));
    }
    cl = json_pack(
        "{s:s, s:i, s:{s:s, s:s, s:s, s:s, s:o}, s:[{s:s, s:s, s:s, s:[{s:s, s:s, s:i, s:b}, "
        "{s:s, s:s, s:i, s:b}, {s:s, s:s, s:i, s:b}]}], s:o}",
        "format", "docket-checklist", "version", 2, "document", "symbol", symbol, "alias", alias,
        "title", "A resolution of the benchmark", "adopted", "2015-01-01", "paragraphs", paras,
        "kinds", "name", "action", "label", "Action", "initial", "not-started", "statuses", "name",
        "not-started", "label", "Not started", "progress", 0, "final", 0, "name", "in-progress",
        "label", "In progress", "progress", 50, "final", 0, "name", "done", "label", "Done",
        "progress", 100, "final", 1, "items", items);
    if (cl == NULL || (text = json_dumps(cl, JSON_COMPACT)) == NULL) {
        json_decref(cl);
        return diag_set(d, DK_STORE, "out of memory");
    }
    json_decref(cl);
    len = strlen(text);
    rc = checklist_load(db, text, len, NULL, NULL, d);
    free(text);
    p->made_items += per;
    p->made_events += 1 + 10 + 1 + 3 + per;
    return rc;
}

/* One event of the documents' history: a status of a random item, or its evidence or note. */
static int
doc_event(struct db *db, struct plan *p, struct diag *d)
{
    long per = p->items / p->docs, n = (long)pick((unsigned)p->items);
    char symbol[32], key[32], when[16], reason[64], url[96];
    const char *doc = symbol;
    struct date eff;
    struct item it;
    unsigned what = pick(100);
    int rc;

    snprintf(symbol, sizeof symbol, "B/RES/%03ld", n / per + 1);
    snprintf(key, sizeof key, "p%ld.item%03ld", n % per % 10 + 1, n % per);
    if ((rc = item_load_in(db, &doc, key, &it, d)) != 0)
        return rc;
    random_date(when, sizeof when);
    date_parse(when, &eff, d);
    snprintf(reason, sizeof reason, "change %ld", p->made_events);
    if (what < 90) {
        rc = item_set_status(db, &it, action_statuses[pick(3)], &eff, reason, ITEM_RECORD, NULL, d);
    } else if (what < 95) {
        snprintf(url, sizeof url, "https://docs.example.org/%s/%ld.pdf", it.key, p->made_events);
        rc = item_evidence(db, &it, url, &eff, reason, NULL, d);
    } else {
        rc = item_note(db, &it, reason, &eff, NULL, d);
    }
    item_free(&it);
    return rc;
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

        if (p->docs) {
            if ((rc = doc_event(db, p, d)) != 0)
                return rc;
            p->made_events++;
            continue;
        }

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
        fprintf(stderr, "usage: docket-bench-gen PATH ITEMS EVENTS [SEED [DOCS]]\n");
        return 2;
    }
    p.items = strtol(argv[2], NULL, 10);
    p.events = strtol(argv[3], NULL, 10);
    if (argc > 4)
        rng ^= strtoull(argv[4], NULL, 10);
    if (argc > 5)
        p.docs = strtol(argv[5], NULL, 10);
    if (p.items < 1 || p.events < p.items) {
        fprintf(stderr, "docket-bench-gen: EVENTS must be at least ITEMS, both positive\n");
        return 2;
    }
    if (p.docs < 0 || p.docs > 999 || (p.docs && (p.items % p.docs || p.items / p.docs > 999))) {
        fprintf(stderr, "docket-bench-gen: DOCS must divide ITEMS, at most 999 of each\n");
        return 2;
    }
    if (db_open(argv[1], DB_CREATE, &db, &d) != 0 ||
        trust_key_path(argv[1], keypath, sizeof keypath, &d) != 0 ||
        trust_key_new(keypath, 1, &key, &d) != 0)
        goto fail;
    /* Signed as docket signs, with a key beside the store as init makes it. */
    db_set_key(db, key);
    db_set_actor(db, "bench", "bench");
    if (!p.docs && write(db, load_checklist, NULL, &d) != 0)
        goto fail;
    while (p.made_items < p.items)
        if (write(db, p.docs ? add_document : add_items, &p, &d) != 0)
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
