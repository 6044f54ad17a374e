/* links.c: the evidence attached to items, and checks that it is still there, unchanged. */
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/item.h"
#include "docket/links.h"
#include "docket/state.h"

/* The evidence whose status or note was reverted, whenever. */
#define GONE STATE_REVERTED_EVIDENCE("'9999-12-31T23:59:59.999Z'")

/* The evidence that stands (not reverted, nor recorded with a status or note that was), with the
 * hash it should have and its last check. A file's hash is taken when it is attached; a URL's when
 * it is first checked and found. */
static const char load_sql[] =
    "SELECT e.item, i.key, e.new_value, json_extract(e.attrs, '$.type') = 'file', e.eff, "
    "coalesce(json_extract(e.attrs, '$.sha256'), (SELECT json_extract(c.attrs, '$.sha256') "
    "FROM event c INDEXED BY event_checks WHERE c.type = 'check' AND c.item = e.item AND "
    "c.new_value = e.new_value AND json_extract(c.attrs, '$.result') = 'ok' ORDER BY c.seq "
    "LIMIT 1)), (SELECT json_extract(c.attrs, '$.result') FROM event c INDEXED BY "
    "event_checks WHERE c.type = 'check' AND c.item = e.item AND c.new_value = e.new_value "
    "ORDER BY c.seq DESC LIMIT 1) "
    "FROM event e INDEXED BY event_evidence JOIN items i ON i.uuid = e.item "
    "WHERE e.type = 'evidence' AND (:key IS NULL OR i.key = :key) "
    "AND NOT EXISTS (SELECT 1 FROM " STATE_REVERTS " r WHERE r.uuid = e.uuid) "
    "AND e.seq NOT IN (" GONE ") "
    "AND NOT EXISTS (SELECT 1 FROM event x INDEXED BY event_evidence WHERE x.type = "
    "'evidence' AND x.item = e.item AND x.new_value = e.new_value AND x.seq < e.seq AND NOT "
    "EXISTS (SELECT 1 FROM " STATE_REVERTS " r WHERE r.uuid = x.uuid) AND x.seq NOT IN (" GONE ")) "
    "ORDER BY i.key, e.seq";

static char *
dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? strdup((const char *)s) : NULL;
}

void
links_free(struct link *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        free(l[i].item);
        free(l[i].key);
        free(l[i].ref);
        free(l[i].attached);
        free(l[i].baseline);
        free(l[i].last);
    }
    free(l);
}

int
links_load(struct db *db, const char *key, struct link **out, size_t *n, struct diag *d)
{
    struct link *l = NULL, *tmp;
    size_t count = 0;
    sqlite3_stmt *st;
    int rc;

    if (key && (rc = item_exists(db, NULL, key, d)) != 1) {
        struct item it;

        if (rc < 0 || (rc = item_load(db, key, &it, d)) != 0) /* names the nearest key */
            return d->code;
        item_free(&it);
    }
    if ((rc = db_prep(db, load_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":key", key, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        if ((tmp = realloc(l, (count + 1) * sizeof *l)) == NULL) {
            sqlite3_reset(st);
            links_free(l, count);
            return diag_set(d, DK_STORE, "out of memory");
        }
        l = tmp;
        memset(&l[count], 0, sizeof *l);
        l[count].item = dup(st, 0);
        l[count].key = dup(st, 1);
        l[count].ref = dup(st, 2);
        l[count].is_file = sqlite3_column_int(st, 3);
        l[count].attached = dup(st, 4);
        l[count].baseline = dup(st, 5);
        l[count].last = dup(st, 6);
        count++;
    }
    if (rc < 0) {
        links_free(l, count);
        return d->code;
    }
    *out = l;
    *n = count;
    return 0;
}

/* Judges a link from what its check brought back. */
static void
judge(struct link *l)
{
    if (l->why[0] != '\0' || (!l->is_file && (l->status < 200 || l->status >= 400)))
        l->result = "broken";
    else if (l->baseline && strcmp(l->baseline, l->sha256) != 0)
        l->result = "changed";
    else
        l->result = "ok";
}

int
links_check(struct link *l, size_t n, int parallel, const struct net_opts *o,
            void (*progress)(size_t done, size_t n, void *arg), void *arg, struct diag *d)
{
    const char **urls = calloc(n + 1, sizeof *urls);
    struct net_reply *replies = calloc(n + 1, sizeof *replies);
    size_t *which = calloc(n + 1, sizeof *which), nurls = 0, k;
    int rc = 0;

    if (urls == NULL || replies == NULL || which == NULL) {
        rc = diag_set(d, DK_NET, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char reason[160];
        long long size;

        if (!l[i].is_file) {
            which[nurls] = i;
            urls[nurls++] = l[i].ref;
            continue;
        }
        if (item_file_digest(l[i].ref, l[i].sha256, &size, reason, sizeof reason) != 0)
            snprintf(l[i].why, sizeof l[i].why, "the file cannot be read: %s", reason);
        judge(&l[i]);
    }
    if (nurls > 0 && (rc = net_fetch_all(urls, nurls, parallel, o, replies, progress, arg, d)) != 0)
        goto out;
    /* When no URL reached anything, the fault is this machine's network, not the links: to
     * record each as broken would put in the trail what was never seen. */
    for (k = 0; k < nurls && replies[k].unreached; k++)
        ;
    if (nurls > 0 && k == nurls) {
        rc = diag_set(d, DK_NET, "cannot reach the network: none of the %zu URLs answered (%s: %s)",
                      nurls, urls[0], replies[0].why);
        goto out;
    }
    for (k = 0; k < nurls; k++) {
        struct link *x = &l[which[k]];

        x->status = replies[k].status;
        snprintf(x->final_url, sizeof x->final_url, "%s", replies[k].final_url);
        snprintf(x->why, sizeof x->why, "%s", replies[k].why);
        if (replies[k].status > 0)
            ev_hex(replies[k].sha256, x->sha256);
        judge(x);
    }
out:
    free(urls);
    free(replies);
    free(which);
    return rc;
}

int
links_record(struct db *db, const struct link *l, size_t n, struct diag *d)
{
    char today[11], now[TS_LEN + 1], status[24];
    int rc = 0;

    date_today(today);
    ts_now(now);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct event e = {.type = "check",
                          .item = l[i].item,
                          .subject = l[i].key,
                          .new_value = l[i].ref,
                          .reason = "evidence checked",
                          .eff = today};

        if ((e.attrs = json_object()) == NULL)
            return diag_set(d, DK_STORE, "out of memory");
        snprintf(status, sizeof status, "%ld", l[i].status);
        ev_attr(e.attrs, "result", l[i].result);
        ev_attr(e.attrs, "checked", now);
        ev_attr(e.attrs, "sha256", l[i].sha256[0] ? l[i].sha256 : NULL);
        ev_attr(e.attrs, "status", l[i].is_file ? NULL : status);
        ev_attr(e.attrs, "final_url", l[i].final_url[0] ? l[i].final_url : NULL);
        ev_attr(e.attrs, "error", l[i].why[0] ? l[i].why : NULL);
        rc = ev_append(db, &e, NULL, d);
        json_decref(e.attrs);
    }
    return rc;
}
