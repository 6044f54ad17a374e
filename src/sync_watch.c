/* sync_watch.c: the shared log watched: entries rewritten in etcd found (sync, verify
 * --shared) and put back (sync --repair). */
#include <stdlib.h>
#include <string.h>

#include "docket/trust.h"
#include "sync_int.h"

/* The entry at shared position POS as this store holds it, in the very bytes a publication
 * writes to P/log/POS (publish_txn): its event as JSON, then its shared hash. Must run inside a
 * transaction. Returns 0 with *OUT owned (NULL when this store holds no such position), or
 * DK_STORE. */
static int
entry_text(struct sync *s, long long pos, char **out)
{
    static const char sql[] = "SELECT " EV_JSON_COLUMNS ", sh.hash FROM shared sh JOIN event e "
                              "ON e.seq = sh.seq WHERE sh.pos = :pos";
    static const char held_sql[] = "SELECT entry FROM quarantine WHERE pos = :pos";
    char hex[2 * EV_HASH_LEN + 1];
    sqlite3_stmt *st = NULL;
    json_t *o;
    int rc;

    *out = NULL;
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1 &&
        sqlite3_column_bytes(st, EV_JSON_NCOLUMNS) == EV_HASH_LEN) {
        ev_hex(sqlite3_column_blob(st, EV_JSON_NCOLUMNS), hex);
        o = ev_to_json(NULL, st, 0);
        if (o == NULL || json_object_set_new(o, "hash", json_string(hex)) != 0 ||
            (*out = json_dumps(o, JSON_COMPACT)) == NULL)
            rc = diag_set(s->d, DK_STORE, "out of memory");
        json_decref(o);
    }
    sqlite3_reset(st);
    if (rc == 0) {
        /* An entry held in quarantine: its text as the log held it. */
        if ((rc = db_prep(s->db, held_sql, &st, s->d)) != 0 ||
            (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0)
            return rc;
        if ((rc = db_row(s->db, st, s->d)) == 1 &&
            (*out = strndup((const char *)sqlite3_column_text(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0))) == NULL)
            rc = diag_set(s->d, DK_STORE, "out of memory");
        sqlite3_reset(st);
    }
    return rc < 0 ? s->d->code : rc == DK_STORE ? rc : 0;
}

/* One range of the log read from etcd, compared with this store inside a read transaction. */
struct scan_page {
    struct sync *s;
    json_t *kvs;      /* the range's keys and values */
    long long expect; /* the next position a whole scan expects (0: only changed keys) */
    long long upto;   /* this store's position: the scan's end */
    struct sync_scan *found;
    json_t *fix; /* with a repair: [pos, text, mod_revision] to put back */
};

/* Counts a position that differs (or is missing, MOD_REVISION -1) and notes it for a repair. */
static int
differs(struct scan_page *p, long long pos, long long mod_revision)
{
    char *text;
    int rc;

    if (p->found->differ++ == 0)
        p->found->first = pos;
    if (p->found->nnamed < (int)(sizeof p->found->named / sizeof p->found->named[0]))
        p->found->named[p->found->nnamed++] = pos;
    if (p->fix == NULL)
        return 0;
    if ((rc = entry_text(p->s, pos, &text)) != 0 || text == NULL)
        return rc;
    rc = json_array_append_new(
             p->fix, json_pack("[I, s, I]", (json_int_t)pos, text, (json_int_t)mod_revision)) == 0
             ? 0
             : diag_set(p->s->d, DK_STORE, "out of memory");
    free(text);
    return rc;
}

static int
compare_page(void *arg)
{
    struct scan_page *p = arg;
    json_t *kv;
    size_t i;
    int rc = 0;

    json_array_foreach(p->kvs, i, kv)
    {
        size_t klen = 0, vlen = 0;
        char *key = etcd_unb64(json_string_value(json_object_get(kv, "key")), &klen);
        char *value = etcd_unb64(json_string_value(json_object_get(kv, "value")), &vlen),
             *mine = NULL;
        long long pos = key ? sync_log_pos(p->s, key, klen) : 0;

        free(key);
        if (pos > 0 && pos <= p->upto) {
            /* Positions the range skipped were deleted. */
            while (rc == 0 && p->expect > 0 && p->expect < pos)
                rc = differs(p, p->expect++, -1);
            if (p->expect > 0)
                p->expect = pos + 1;
            p->found->checked++;
            if (rc == 0 && (rc = entry_text(p->s, pos, &mine)) == 0 &&
                (mine == NULL || value == NULL || strlen(mine) != vlen ||
                 memcmp(mine, value, vlen) != 0))
                rc = differs(p, pos, etcd_int(json_object_get(kv, "mod_revision")));
            free(mine);
        }
        free(value);
        if (rc != 0)
            break;
    }
    return rc;
}

/* Puts back, in etcd, the entries in FIX ([pos, text, mod_revision], -1 for a key that is
 * gone), each only if its key is still as it was read; counts those put back in FOUND. */
static int
put_back(struct sync *s, json_t *fix, struct sync_scan *found)
{
    json_t *f;
    size_t i;
    int rc = 0;

    json_array_foreach(fix, i, f)
    {
        long long pos = json_integer_value(json_array_get(f, 0));
        long long rev = json_integer_value(json_array_get(f, 2));
        const char *text = json_string_value(json_array_get(f, 1));
        char revbuf[32];
        json_t *txn, *resp = NULL;

        snprintf(revbuf, sizeof revbuf, "%lld", rev < 0 ? 0 : rev);
        txn = json_pack("{s:[{s:o, s:s, s:s, s:s}], s:[{s:{s:o, s:o}}]}", "compare", "key",
                        sync_log_key(s->prefix, pos), "target", rev < 0 ? "CREATE" : "MOD",
                        rev < 0 ? "create_revision" : "mod_revision", revbuf, "result", "EQUAL",
                        "success", "request_put", "key", sync_log_key(s->prefix, pos), "value",
                        etcd_b64(text, strlen(text)));
        if (txn == NULL)
            return diag_set(s->d, DK_STORE, "out of memory");
        rc = etcd_call(s->etcd, "/v3/kv/txn", txn, &resp, s->d);
        json_decref(txn);
        if (rc == 0 && json_is_true(json_object_get(resp, "succeeded")))
            found->repaired++;
        json_decref(resp);
        if (rc != 0)
            break;
    }
    return rc;
}

/* Counts the positions from p->expect to the end that the last range did not hold: deleted. */
static int
missing_tail(void *arg)
{
    struct scan_page *p = arg;
    int rc = 0;

    while (rc == 0 && p->expect > 0 && p->expect <= p->upto)
        rc = differs(p, p->expect++, -1);
    return rc;
}

/* Reads P/log/1 .. P/log/POSITION from etcd (with SINCE > 0, only the keys changed after
 * revision SINCE) and compares each entry, byte for byte, with what this store holds; with
 * REPAIR, puts back this store's bytes where an entry differs or is missing, each under a
 * compare on that key's mod_revision (or on its absence), so that nothing written meanwhile is
 * overwritten. Returns 0 with *FOUND filled, or DK_NET, DK_DATA, DK_STORE. */
int
sync_scan_log(struct sync *s, long long since, int repair, struct sync_scan *found)
{
    char from[300], end[300];
    size_t from_len;
    struct scan_page p = {.s = s, .found = found};
    int rc, more = 1;

    memset(found, 0, sizeof *found);
    if ((rc = db_tx(s->db, DB_TX_READ, sync_read_position, s, s->d)) != 0 || s->position == 0)
        return rc;
    p.upto = s->position;
    p.expect = since > 0 ? 0 : 1;
    from_len = (size_t)snprintf(from, sizeof from, "%s/log/%020lld", s->prefix, 1LL);
    snprintf(end, sizeof end, "%s/log/%020lld", s->prefix, s->position + 1);
    while (rc == 0 && more) {
        json_t *req = json_pack("{s:o, s:o, s:I}", "key", etcd_b64(from, from_len), "range_end",
                                etcd_b64(end, strlen(end)), "limit", (json_int_t)s->limit),
               *resp = NULL;
        size_t n;

        if (req != NULL && since > 0)
            json_object_set_new(req, "min_mod_revision", json_integer(since + 1));
        rc = req ? etcd_call(s->etcd, "/v3/kv/range", req, &resp, s->d)
                 : diag_set(s->d, DK_STORE, "out of memory");
        json_decref(req);
        if (rc != 0)
            break;
        p.kvs = json_object_get(resp, "kvs");
        more = json_is_true(json_object_get(resp, "more"));
        if ((n = json_array_size(p.kvs)) > 0) {
            /* The next range starts just after this one's last key (with a NUL byte). */
            size_t klen = 0;
            char *last = etcd_unb64(
                json_string_value(json_object_get(json_array_get(p.kvs, n - 1), "key")), &klen);

            if (last == NULL || klen + 1 > sizeof from) {
                rc = diag_set(s->d, DK_DATA, "etcd sent a key that is not a log key");
            } else {
                memcpy(from, last, klen);
                from[klen] = '\0';
                from_len = klen + 1;
            }
            free(last);
        } else {
            more = 0;
        }
        p.fix = repair ? json_array() : NULL;
        if (rc == 0)
            rc = db_tx(s->db, DB_TX_READ, compare_page, &p, s->d);
        if (rc == 0 && !more)
            rc = db_tx(s->db, DB_TX_READ, missing_tail, &p, s->d);
        if (rc == 0 && repair)
            rc = put_back(s, p.fix, found);
        json_decref(p.fix);
        json_decref(resp);
    }
    return rc;
}
/* Names what a look at the log found changed, in D: WHAT is "was changed in etcd after this
 * office read it" or "differs from this office's". Returns DK_CHECK. */
int
sync_name_differences(const struct sync_scan *f, const char *what, struct diag *d)
{
    char list[160] = "";
    size_t len = 0;

    for (int i = 0; i < f->nnamed && len < sizeof list - 24; i++)
        len +=
            (size_t)snprintf(list + len, sizeof list - len, "%s%lld", i ? ", " : "", f->named[i]);
    return diag_set(d, DK_CHECK,
                    "the shared log in etcd %s at position%s %s%s (%lld in all): 'docket verify "
                    "--shared' names them, 'docket sync --repair' puts back what this office "
                    "holds",
                    what, f->differ == 1 ? "" : "s", list, f->differ > f->nnamed ? ", ..." : "",
                    f->differ);
}

int
sync_check_log(struct db *db, struct sync_scan *found, struct diag *d)
{
    struct sync s = {.db = db, .d = d, .limit = PULL_LIMIT};
    int rc;

    memset(found, 0, sizeof *found);
    if ((rc = sync_connect(&s)) == 0 && (rc = sync_scan_log(&s, 0, 0, found)) == 0 &&
        found->differ > 0)
        rc = sync_name_differences(found, "differs from this office's", d);
    etcd_close(s.etcd);
    return rc;
}
