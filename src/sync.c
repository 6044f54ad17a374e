/* sync.c: offices share one log through etcd: publishing local events, pulling others'.
 *
 * Under the prefix P the cluster holds:
 *   P/head        {"pos": N, "hash": HEX}: the shared log's length and head
 *   P/log/%020d   each event at its position, as JSON, with its shared-chain hash
 *   P/ev/UUID     the position of event UUID, so that publishing it twice is impossible
 * Publishing is one etcd transaction per batch: it holds only if P/head is unchanged and none of
 * the batch's events exists yet. Whatever the outcome (even a timeout that hid a commit), the
 * next pull tells what happened: it applies the log in order and recognises this store's own
 * events by their uuid. Etcd orders and replicates; docket has no locking of its own.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/etcd.h"
#include "docket/event.h"
#include "docket/state.h"
#include "docket/sync.h"
#include "docket/text.h"
#include "docket/trust.h"

enum {
    BATCH_EVENTS = 40,     /* 2 puts each + the head: within etcd's 128 operations */
    BATCH_BYTES = 1 << 20, /* within etcd's 1.5 MiB request */
    PULL_LIMIT = 256,      /* log entries per range request */
};

/* ---- the remote, kept in meta ---- */

static const char *const remote_keys[] = {"remote.endpoints", "remote.prefix", "remote.user",
                                          "remote.password_file", "remote.cacert"};

static char *
remote_field(struct sync_remote *r, int i)
{
    char *const f[] = {r->endpoints, r->prefix, r->user, r->password_file, r->cacert};

    return f[i];
}

static size_t
remote_size(int i)
{
    static const struct sync_remote r;
    const size_t sizes[] = {sizeof r.endpoints, sizeof r.prefix, sizeof r.user,
                            sizeof r.password_file, sizeof r.cacert};

    return sizes[i];
}

int
sync_remote_get(struct db *db, struct sync_remote *r, struct diag *d)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = :key";
    sqlite3_stmt *st = NULL;
    int rc;

    memset(r, 0, sizeof *r);
    for (int i = 0; i < 5; i++) {
        if ((rc = db_prep(db, sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":key", remote_keys[i], d)) != 0)
            return rc;
        if ((rc = db_row(db, st, d)) == 1)
            snprintf(remote_field(r, i), remote_size(i), "%s",
                     (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        if (rc < 0)
            return d->code;
    }
    if (r->endpoints[0] == '\0')
        return diag_set(d, DK_USAGE,
                        "no remote: set one with 'docket remote set --endpoints URL[,URL...]'");
    if (r->prefix[0] == '\0')
        snprintf(r->prefix, sizeof r->prefix, "docket");
    return 0;
}

int
sync_remote_set(struct db *db, const struct sync_remote *r, struct diag *d)
{
    static const char put_sql[] =
        "INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET "
        "value = excluded.value";
    static const char del_sql[] = "DELETE FROM meta WHERE key = :key";
    struct sync_remote copy = *r;
    sqlite3_stmt *st = NULL;
    int rc;

    if (r->endpoints[0] == '\0')
        return diag_set(d, DK_USAGE, "--endpoints URL[,URL...] is required");
    /* What sync would refuse is refused now, before it is stored. */
    if ((rc = etcd_check_endpoints(r->endpoints, d)) != 0)
        return rc;
    if (strspn(r->prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/") !=
        strlen(r->prefix))
        return diag_set(d, DK_USAGE, "a prefix holds letters, digits, '-', '_' and '/' only");
    if (r->user[0] && r->password_file[0] == '\0')
        return diag_set(d, DK_USAGE, "--user needs --password-file FILE");
    if (r->user[0] == '\0' && r->password_file[0])
        return diag_set(d, DK_USAGE, "--password-file needs --user USER");
    if (!text_utf8_ok(r->user, strlen(r->user)))
        return diag_set(d, DK_DATA, "the etcd user name is not UTF-8 text");
    for (int i = 0; i < 5; i++) {
        const char *v = remote_field(&copy, i);

        if ((rc = db_prep(db, v[0] ? put_sql : del_sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":key", remote_keys[i], d)) != 0 ||
            (v[0] && (rc = db_bind_text(db, st, ":value", v, d)) != 0) ||
            (rc = db_run(db, st, d)) != 0)
            return rc;
    }
    return 0;
}

/* ---- one sync ---- */

struct sync {
    struct db *db;
    struct etcd *etcd;
    char prefix[256];
    struct sync_counts *n;
    struct diag *d;
    /* Carried between a transaction and the network: */
    json_t *kvs;          /* log entries pulled, to apply */
    json_t *batch;        /* events to publish, as JSON */
    long long *batch_seq; /* their local sequence numbers */
    long long position;   /* the shared log's length here */
    int definitions;      /* a definition got its place: rebuild the state at the end */
    int limit;            /* log entries per range request: fewer when answers grow large */
    const struct sync_progress *progress; /* or NULL */
    long long since;                      /* the cluster's revision at the last sync */
    long long to_publish;                 /* this store's unpublished events at the start */
    unsigned char head[EV_HASH_LEN];
    char now[TS_LEN + 1];
    int standing; /* this office's, in the log as applied (trust_standing) */
    /* Within one transaction: offices whose ordinary entries, signed with KEY, the checks
     * accept, until an office, admit, revoke or rekey entry changes who is admitted. */
    struct admitted {
        char replica[64];
        unsigned char key[TRUST_PUB_LEN];
    } admitted[8];
    int nadmitted;
};

/* Returns the key "PREFIX/SUFFIX" in base64, as the gateway wants it. */
static json_t *
key_of(const char *prefix, const char *suffix)
{
    char key[512];

    snprintf(key, sizeof key, "%s/%s", prefix, suffix);
    return etcd_b64(key, strlen(key));
}

/* The keys of event UUID and of log position POS. */
static json_t *
event_key(const char *prefix, const char *uuid)
{
    char suffix[128];

    snprintf(suffix, sizeof suffix, "ev/%s", uuid);
    return key_of(prefix, suffix);
}

static json_t *
log_key(const char *prefix, long long pos)
{
    char suffix[64];

    snprintf(suffix, sizeof suffix, "log/%020lld", pos);
    return key_of(prefix, suffix);
}

/* Reads the shared log's length and head as this store holds them. */
static int
load_position(struct sync *s)
{
    static const char sql[] =
        "SELECT pos, hash FROM (SELECT pos, hash FROM (SELECT pos, hash FROM shared ORDER BY pos "
        "DESC LIMIT 1) UNION ALL SELECT pos, hash FROM (SELECT pos, hash FROM quarantine ORDER BY "
        "pos DESC LIMIT 1)) ORDER BY pos DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    int rc;

    s->position = 0;
    memset(s->head, 0, sizeof s->head);
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1) {
        s->position = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            memcpy(s->head, sqlite3_column_blob(st, 1), EV_HASH_LEN);
    }
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

static int
read_position(void *arg)
{
    return load_position(arg);
}

/* Records that local event SEQ (B) stands at POS in the shared log with HASH. A position can
 * settle ties and which of two creations of an item counts, so the state of what the event is
 * about is brought up to date: an item at once, definitions (kinds, vocabularies, documents)
 * once the transaction's events are all placed. */
static int
place(struct sync *s, const struct ev_bytes *b, long long seq, long long pos,
      const unsigned char hash[EV_HASH_LEN])
{
    static const char sql[] = "INSERT INTO shared (uuid, seq, pos, hash, received) VALUES "
                              "(:uuid, :seq, :pos, :hash, :received)";
    sqlite3_stmt *st = NULL;
    int rc;

    char type[32], item[64];
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":uuid", b->v[EVF_UUID], s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":seq", seq, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":received", s->now, s->d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), hash, EV_HASH_LEN,
                      SQLITE_TRANSIENT);
    if ((rc = db_run(s->db, st, s->d)) != 0)
        return rc;
    snprintf(type, sizeof type, "%.*s", (int)b->n[EVF_TYPE], b->v[EVF_TYPE]);
    if (b->v[EVF_ITEM] == NULL) {
        /* Documents, paragraphs, kinds and vocabularies; offices' events have no state. */
        s->definitions |= strcmp(type, "document") == 0 || strcmp(type, "paragraph") == 0 ||
                          strcmp(type, "kind") == 0 || strcmp(type, "vocab") == 0;
        return 0;
    }
    snprintf(item, sizeof item, "%.*s", (int)b->n[EVF_ITEM], b->v[EVF_ITEM]);
    return state_apply(s->db, type, item, s->d);
}

/* Returns this store's sequence number of event UUID (0 when it has none), or -1. */
static long long
local_seq(struct sync *s, const char *uuid)
{
    static const char sql[] = "SELECT seq FROM event WHERE uuid = :uuid";
    sqlite3_stmt *st = NULL;
    long long seq = -1;
    int rc;

    if (db_prep(s->db, sql, &st, s->d) == 0 && db_bind_text(s->db, st, ":uuid", uuid, s->d) == 0) {
        rc = db_row(s->db, st, s->d);
        seq = rc == 1 ? sqlite3_column_int64(st, 0) : rc == 0 ? 0 : -1;
    }
    sqlite3_reset(st);
    return seq;
}

/* Returns the log position that KEY[0..LEN) names: "PREFIX/log/" and exactly 20 digits; 0 for
 * any other key (one of a tracker whose prefix is PREFIX/log/..., say). */
static long long
log_pos(const struct sync *s, const char *key, size_t len)
{
    size_t plen = strlen(s->prefix);
    char *end = NULL;
    long long pos;

    if (key == NULL || len != plen + 5 + 20 || memcmp(key, s->prefix, plen) != 0 ||
        memcmp(key + plen, "/log/", 5) != 0 || strspn(key + plen + 5, "0123456789") != 20)
        return 0;
    pos = strtoll(key + plen + 5, &end, 10);
    return end == key + len && pos > 0 ? pos : 0;
}

/* Keeps the entry at POS out of the state: its TEXT (LEN bytes) as the log holds it, the hash
 * it states (the next entry chains from it), and REASON. */
static int
quarantine(struct sync *s, long long pos, const struct ev_bytes *b, const char *text, size_t len,
           const unsigned char stated[EV_HASH_LEN], const char *reason)
{
    static const char sql[] =
        "INSERT INTO quarantine (pos, hash, reason, uuid, replica, entry, received) VALUES "
        "(:pos, :hash, :reason, :uuid, :replica, :entry, :received)";
    struct sync_counts *n = s->n;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":pos", pos, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":reason", reason, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":uuid", b ? b->v[EVF_UUID] : NULL, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":replica", b ? b->v[EVF_REPLICA] : NULL, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":received", s->now, s->d)) != 0)
        return rc;
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), stated, EV_HASH_LEN,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":entry"), text, (int)len,
                      SQLITE_STATIC);
    if ((rc = db_run(s->db, st, s->d)) != 0)
        return rc;
    if (n->nquarantined < SYNC_NAMED)
        snprintf(n->quarantined[n->nquarantined++], sizeof n->quarantined[0],
                 "shared log entry %lld (%s, %s by office %s) is quarantined: %s", pos,
                 b && b->v[EVF_TYPE] ? b->v[EVF_TYPE] : "?",
                 b && b->v[EVF_ACTOR] ? b->v[EVF_ACTOR] : "?",
                 b && b->v[EVF_REPLICA] ? b->v[EVF_REPLICA] : "?", reason);
    n->quarantine_count++;
    return 0;
}

/* One pulled entry, parsed, its signature checked ahead of the checks in log order. */
struct pulled {
    long long pos;
    char *value; /* the entry as the log holds it */
    size_t vlen;
    json_t *o;
    struct ev_bytes b;
    struct ev_extra x;
    char *attrs;
    struct ev_buf canon;
    unsigned char stated[EV_HASH_LEN];
    unsigned char key[TRUST_PUB_LEN]; /* the key its signature was checked with */
    int has_key, verified;
};

/* Checks the entry P at POS (its hash computed from the log's head here) as every office checks
 * it: its link in the shared chain, then its signature and its office's admission. Sets *REASON
 * to NULL when it may be applied. */
static int
check_entry(struct sync *s, long long pos, const struct pulled *p,
            const unsigned char computed[EV_HASH_LEN], const char **reason)
{
    const struct ev_bytes *b = &p->b;
    char type[32], replica[64], subject[80], value[80];
    struct trust_entry e = {.type = type,
                            .replica = replica,
                            .canon = p->canon.p,
                            .canon_len = p->canon.len,
                            .sig = b->sig,
                            .tried = p->has_key ? p->key : NULL,
                            .verified = p->verified};
    unsigned char used[TRUST_PUB_LEN];
    json_t *attrs = NULL;
    int rc, decisive, cacheable;

    if (memcmp(computed, p->stated, EV_HASH_LEN) != 0) {
        *reason = "chain";
        return 0;
    }
    snprintf(type, sizeof type, "%.*s", (int)b->n[EVF_TYPE], b->v[EVF_TYPE]);
    snprintf(replica, sizeof replica, "%.*s", (int)b->n[EVF_REPLICA], b->v[EVF_REPLICA]);
    /* An ordinary entry of an office already accepted under the key its signature verifies
     * with is accepted alike; one that changes who is admitted forgets them all. */
    decisive = strcmp(type, "office") == 0 || strcmp(type, "admit") == 0 ||
               strcmp(type, "revoke") == 0 || strcmp(type, "rekey") == 0;
    cacheable = !decisive && b->sig && p->has_key && p->verified;
    if (decisive)
        s->nadmitted = 0;
    for (int i = 0; cacheable && i < s->nadmitted; i++)
        if (strcmp(s->admitted[i].replica, replica) == 0 &&
            memcmp(s->admitted[i].key, p->key, TRUST_PUB_LEN) == 0) {
            *reason = NULL;
            return 0;
        }
    e.used = used;
    if (b->v[EVF_SUBJECT] && b->n[EVF_SUBJECT] < sizeof subject) {
        snprintf(subject, sizeof subject, "%.*s", (int)b->n[EVF_SUBJECT], b->v[EVF_SUBJECT]);
        e.subject = subject;
    }
    if (b->v[EVF_NEW] && b->n[EVF_NEW] < sizeof value) {
        snprintf(value, sizeof value, "%.*s", (int)b->n[EVF_NEW], b->v[EVF_NEW]);
        e.new_value = value;
    }
    if (strcmp(type, "office") == 0 && b->attrs &&
        (attrs = json_loadb(b->attrs, b->attrs_len, 0, NULL)) != NULL)
        e.head = json_string_value(json_object_get(attrs, "head"));
    rc = trust_check_entry(s->db, pos, &e, reason, s->d);
    json_decref(attrs);
    if (rc == 0 && *reason == NULL && cacheable && memcmp(used, p->key, TRUST_PUB_LEN) == 0 &&
        s->nadmitted < (int)(sizeof s->admitted / sizeof s->admitted[0])) {
        struct admitted *a = &s->admitted[s->nadmitted++];

        snprintf(a->replica, sizeof a->replica, "%s", replica);
        memcpy(a->key, used, TRUST_PUB_LEN);
    }
    return rc;
}

/* Reads entry P from its JSON: an event, checked as far as it can be alone, and its canonical
 * bytes. Returns 0 or DK_DATA naming the position. */
static int
parse_pulled(struct sync *s, struct pulled *p)
{
    int rc;

    p->o = text_json_loadb(p->value, p->vlen, JSON_REJECT_DUPLICATES, NULL);
    if (p->o == NULL || p->pos != s->position + 1 ||
        ev_unhex(json_string_value(json_object_get(p->o, "hash")), p->stated) != 0)
        return diag_set(s->d, DK_DATA, "the shared log's entry %lld is not a docket event",
                        s->position + 1);
    if ((rc = ev_from_json(p->o, &p->b, &p->attrs, &p->x, s->d)) != 0 ||
        (rc = ev_check_bytes(&p->b, s->d)) != 0)
        return diag_prefix(s->d, "shared log entry %lld: ", p->pos);
    if (p->b.v[EVF_UUID] == NULL || p->b.v[EVF_REPLICA] == NULL || ev_canon(&p->b, &p->canon) != 0)
        return diag_set(s->d, DK_DATA, "shared log entry %lld cannot be read", p->pos);
    return 0;
}

/* Picks, for each signed entry of PAGE[0..N), the key its signature is most likely to be
 * checked with in log order: the key an office event announces, else the one its replica is
 * bound to here or by an office event earlier in the page. */
static int
guess_keys(struct sync *s, struct pulled *page, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct pulled *p = &page[i];
        int found = 0, rc;

        if (p->b.sig == NULL)
            continue;
        if (p->b.n[EVF_TYPE] == 6 && memcmp(p->b.v[EVF_TYPE], "office", 6) == 0 &&
            p->b.v[EVF_NEW] && trust_unhex(p->b.v[EVF_NEW], p->key, TRUST_PUB_LEN) == 0) {
            p->has_key = 1;
            continue;
        }
        for (size_t j = i; j-- > 0 && !found;)
            if (page[j].has_key && strcmp(page[j].b.v[EVF_REPLICA], p->b.v[EVF_REPLICA]) == 0) {
                memcpy(p->key, page[j].key, TRUST_PUB_LEN);
                found = 1;
            }
        if (!found && (rc = trust_key_of(s->db, p->b.v[EVF_REPLICA], &found, p->key, s->d)) != 0)
            return rc;
        p->has_key = found;
    }
    return 0;
}

/* The keys a page is checked with, each made ready once. */
enum { PAGE_KEYS = 8 };

/* A page's signatures, checked by a helper thread ahead of the entries' application in log
 * order, and by the applying thread itself for any entry the helper has not reached: Ed25519
 * verification is most of a pull's work, and so it runs beside the SQL that applies. Each
 * entry's state goes 0 (not taken), 1 (being checked), 2 (checked). */
struct verifier {
    struct pulled *page;
    size_t n;
    unsigned char raw[PAGE_KEYS][TRUST_PUB_LEN];
    struct trust_pub *keys[PAGE_KEYS];
    size_t nkeys;
    atomic_int *state;
    pthread_t thread;
    int threaded;
};

/* Checks entry I's signature unless the other thread took it first. */
static void
verify_one(struct verifier *v, size_t i)
{
    struct pulled *p = &v->page[i];
    int free_state = 0;
    size_t k = 0;

    if (!atomic_compare_exchange_strong(&v->state[i], &free_state, 1))
        return;
    if (p->has_key) {
        while (k < v->nkeys && memcmp(v->raw[k], p->key, TRUST_PUB_LEN) != 0)
            k++;
        p->verified = k < v->nkeys && v->keys[k]
                          ? trust_pub_verify(v->keys[k], p->canon.p, p->canon.len, p->b.sig)
                          : trust_verify(p->key, p->canon.p, p->canon.len, p->b.sig);
    }
    atomic_store(&v->state[i], 2);
}

static void *
verify_ahead(void *arg)
{
    struct verifier *v = arg;

    for (size_t i = 0; i < v->n; i++)
        verify_one(v, i);
    return NULL;
}

/* Starts checking PAGE[0..N)'s signatures; 0, or DK_STORE when out of memory. */
static int
verifier_start(struct verifier *v, struct pulled *page, size_t n)
{
    memset(v, 0, sizeof *v);
    v->page = page;
    v->n = n;
    if ((v->state = calloc(n ? n : 1, sizeof *v->state)) == NULL)
        return DK_STORE;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        atomic_init(&v->state[i], 0);
        while (k < v->nkeys && memcmp(v->raw[k], page[i].key, TRUST_PUB_LEN) != 0)
            k++;
        if (page[i].has_key && k == v->nkeys && k < PAGE_KEYS) {
            memcpy(v->raw[k], page[i].key, TRUST_PUB_LEN);
            v->keys[k] = trust_pub_new(v->raw[k]);
            v->nkeys++;
        }
    }
    v->threaded = n > 1 && pthread_create(&v->thread, NULL, verify_ahead, v) == 0;
    return 0;
}

/* Waits until entry I's signature is checked, checking it here if nobody has yet. */
static void
verifier_wait(struct verifier *v, size_t i)
{
    verify_one(v, i);
    while (atomic_load(&v->state[i]) != 2)
        sched_yield();
}

static void
verifier_end(struct verifier *v)
{
    if (v->state == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        int free_state = 0; /* what is left after a stop is not checked */

        atomic_compare_exchange_strong(&v->state[i], &free_state, 2);
    }
    if (v->threaded)
        pthread_join(v->thread, NULL);
    for (size_t k = 0; k < v->nkeys; k++)
        trust_pub_free(v->keys[k]);
    free(v->state);
    v->state = NULL;
}

/* Applies the pulled log entries in s->kvs, in order, inside one write transaction: the
 * applied position moves with the events it covers, so a sync killed here resumes exactly. An
 * entry that fails a check is quarantined and the next applied: one bad entry holds back no
 * good one. */
static int
apply_pulled(void *arg)
{
    struct sync *s = arg;
    struct pulled *page;
    struct verifier v = {0};
    struct ev_buf buf = {0};
    size_t n = 0, total = json_array_size(s->kvs);
    int rc, stop = 0; /* the first entry that is not a docket event ends the page there */

    s->nadmitted = 0;
    if ((rc = load_position(s)) != 0)
        return rc;
    if ((page = calloc(total ? total : 1, sizeof *page)) == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    /* The entries after this store's position, parsed (another tracker's keys, or entries that
     * another sync of this store applied meanwhile, are passed over). */
    for (size_t i = 0; i < total && !stop; i++) {
        json_t *kv = json_array_get(s->kvs, i);
        size_t klen = 0;
        char *key = etcd_unb64(json_string_value(json_object_get(kv, "key")), &klen);
        long long pos = log_pos(s, key, klen);
        struct pulled *p = &page[n];

        free(key);
        if (pos <= s->position + (long long)n)
            continue;
        p->pos = pos;
        p->value = etcd_unb64(json_string_value(json_object_get(kv, "value")), &p->vlen);
        s->position += (long long)n; /* parse_pulled expects the next position */
        stop =
            (rc = p->value ? parse_pulled(s, p)
                           : diag_set(s->d, DK_DATA, "etcd sent a value that is not base64")) != 0;
        s->position -= (long long)n;
        n++;
    }
    if (stop)
        n--; /* apply what comes before the bad entry, then say so */
    if (n > 0 && (rc == 0 || stop) && guess_keys(s, page, n) != 0) {
        rc = s->d->code;
        n = 0;
    }
    if (n > 0 && verifier_start(&v, page, n) != 0) {
        rc = diag_set(s->d, DK_STORE, "out of memory");
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct pulled *p = &page[i];
        unsigned char computed[EV_HASH_LEN];
        const char *reason = NULL;
        long long seq = 0;
        int r = 0;

        verifier_wait(&v, i);
        if (ev_hash(s->head, &p->b, &buf, computed) != 0)
            r = diag_set(s->d, DK_DATA, "shared log entry %lld cannot be hashed", p->pos);
        else if ((r = check_entry(s, p->pos, p, computed, &reason)) != 0)
            ;
        else if (reason)
            r = quarantine(s, p->pos, &p->b, p->value, p->vlen, p->stated, reason);
        else if ((seq = local_seq(s, p->b.v[EVF_UUID])) < 0)
            r = s->d->code;
        else if (seq == 0 && strcmp(p->b.v[EVF_REPLICA], db_replica(s->db)) == 0)
            /* Only this store makes events with its replica id, and signs them: another store
             * has it too, and this store's key. */
            r = diag_set(s->d, DK_DATA,
                         "another store shares this store's replica id %s: one of them was "
                         "copied by hand; make the copy anew with 'docket clone'",
                         db_replica(s->db));
        else if (seq == 0 &&
                 (r = ev_receive(s->db, &p->b, EV_APPLY | EV_CHECKED, NULL, &seq, s->d)) == 0)
            s->n->pulled++;
        if (r == 0 && reason == NULL)
            r = place(s, &p->b, seq, p->pos, p->stated);
        if (r != 0) {
            rc = r;
            stop = 0;
            break;
        }
        s->position = p->pos;
        memcpy(s->head, p->stated, EV_HASH_LEN);
    }
    verifier_end(&v);
    for (size_t i = 0; i < total; i++) {
        free(page[i].value);
        free(page[i].attrs);
        json_decref(page[i].o);
        ev_buf_free(&page[i].canon);
    }
    free(page);
    ev_buf_free(&buf);
    if (rc == 0 && s->definitions)
        rc = state_rebuild(s->db, s->d);
    s->definitions = 0;
    return rc;
}

int
sync_apply_reply(struct db *db, const char *prefix, const char *body, size_t len,
                 struct sync_counts *n, struct diag *d)
{
    struct sync s = {.db = db, .n = n, .d = d};
    json_t *resp = etcd_parse(body, len);
    int rc;

    memset(n, 0, sizeof *n);
    if (resp == NULL)
        return diag_set(d, DK_DATA, "etcd's reply is not JSON");
    snprintf(s.prefix, sizeof s.prefix, "%s", prefix);
    s.kvs = json_object_get(resp, "kvs");
    ts_now(s.now);
    rc = apply_pulled(&s);
    json_decref(resp);
    return rc;
}

/* Pulls every log entry after this store's position and applies it, a range at a time. */
static int
pull(struct sync *s)
{
    char end[300], *from = NULL;
    size_t from_len;
    long long total;
    int rc, more = 1;

    if ((rc = db_tx(s->db, DB_TX_READ, read_position, s, s->d)) != 0)
        return rc;
    /* From the next position to just past "P/log/99...9" (':' follows '9'): a tracker whose
     * prefix is P/log has its keys (P/log/head, P/log/ev/...) outside the range. */
    snprintf(end, sizeof end, "%s/log/:", s->prefix);
    from_len = strlen(s->prefix) + 5 + 20;
    if ((from = malloc(from_len + 1)) == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    snprintf(from, from_len + 1, "%s/log/%020lld", s->prefix, s->position + 1);
    while (more) {
        json_t *req, *resp = NULL, *kvs;
        size_t n;

        req = json_pack("{s:o, s:o, s:I}", "key", etcd_b64(from, from_len), "range_end",
                        etcd_b64(end, strlen(end)), "limit", (json_int_t)s->limit);
        rc = etcd_call(s->etcd, "/v3/kv/range", req, &resp, s->d);
        json_decref(req);
        if (rc != 0 && etcd_too_large(s->etcd) && s->limit > 1) {
            /* Large events: ask for fewer at a time. */
            s->limit = s->limit > 4 ? s->limit / 4 : 1;
            s->d->code = 0;
            s->d->msg[0] = '\0';
            continue;
        }
        if (rc != 0)
            break;
        kvs = json_object_get(resp, "kvs");
        more = json_is_true(json_object_get(resp, "more"));
        /* "count" is how many keys the whole range holds, whatever the limit. */
        total = s->position + etcd_int(json_object_get(resp, "count"));
        if ((n = json_array_size(kvs)) > 0) {
            /* The next range starts just after the last key of this one (with a NUL byte). */
            size_t len;
            char *last = etcd_unb64(
                json_string_value(json_object_get(json_array_get(kvs, n - 1), "key")), &len);

            free(from);
            from = last;
            from_len = len + 1;
            if (last == NULL)
                rc = diag_set(s->d, DK_DATA, "etcd sent a key that is not base64");
            s->kvs = kvs;
            ts_now(s->now);
            if (rc == 0)
                rc = db_tx(s->db, DB_TX_WRITE, apply_pulled, s, s->d);
            s->kvs = NULL;
            if (rc == 0 && s->progress)
                s->progress->fn("applied", s->position, total > s->position ? total : s->position,
                                s->progress->arg);
        } else {
            more = 0;
        }
        json_decref(resp);
        if (rc != 0)
            break;
    }
    free(from);
    return rc;
}

/* Collects up to a batch of this store's unpublished events, in local order, as JSON. */
static int
collect(void *arg)
{
    static const char sql[] = "SELECT e.seq, " EV_JSON_COLUMNS " FROM event e WHERE NOT "
                              "EXISTS (SELECT 1 FROM shared s WHERE s.seq = e.seq) AND NOT "
                              "EXISTS (SELECT 1 FROM quarantine q WHERE q.uuid = e.uuid) ORDER "
                              "BY e.seq LIMIT :limit";
    struct sync *s = arg;
    size_t bytes = 0;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = load_position(s)) != 0 || (rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_int(s->db, st, ":limit", BATCH_EVENTS, s->d)) != 0)
        return rc;
    while ((rc = db_row(s->db, st, s->d)) == 1) {
        json_t *o = ev_to_json(NULL, st, 1);
        char *text = json_dumps(o, JSON_COMPACT);

        bytes += text ? strlen(text) : 0;
        free(text);
        if (json_array_size(s->batch) > 0 && bytes > BATCH_BYTES) {
            json_decref(o);
            break;
        }
        s->batch_seq[json_array_size(s->batch)] = sqlite3_column_int64(st, 0);
        json_array_append_new(s->batch, o);
    }
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

/* Builds the transaction that publishes the batch after position s->position, whose head key
 * has revision HEAD_REV (0: none yet). */
static json_t *
publish_txn(struct sync *s, long long head_rev)
{
    json_t *compare = json_array(), *success = json_array(), *failure = json_array(), *o;
    unsigned char h[EV_HASH_LEN];
    struct ev_buf buf = {0};
    long long pos = s->position;
    char rev[32], hex[2 * EV_HASH_LEN + 1], posbuf[32];
    size_t i;

    memcpy(h, s->head, EV_HASH_LEN);
    snprintf(rev, sizeof rev, "%lld", head_rev);
    json_array_append_new(compare,
                          json_pack("{s:o, s:s, s:s, s:s}", "key", key_of(s->prefix, "head"),
                                    "target", "MOD", "mod_revision", rev, "result", "EQUAL"));
    json_array_append_new(
        failure, json_pack("{s:{s:o}}", "request_range", "key", key_of(s->prefix, "head")));
    json_array_foreach(s->batch, i, o)
    {
        const char *uuid = json_string_value(json_object_get(o, "uuid"));
        struct ev_bytes b;
        struct ev_extra x;
        char *attrs = NULL, *text;
        struct diag d = {0};

        ev_from_json(o, &b, &attrs, &x, &d);
        ev_hash(h, &b, &buf, h);
        free(attrs);
        ev_hex(h, hex);
        pos++;
        json_object_set_new(o, "hash", json_string(hex));
        text = json_dumps(o, JSON_COMPACT);
        snprintf(posbuf, sizeof posbuf, "%lld", pos);
        json_array_append_new(compare, json_pack("{s:o, s:s, s:s, s:s}", "key",
                                                 event_key(s->prefix, uuid), "target", "CREATE",
                                                 "create_revision", "0", "result", "EQUAL"));
        json_array_append_new(success, json_pack("{s:{s:o, s:o}}", "request_put", "key",
                                                 event_key(s->prefix, uuid), "value",
                                                 etcd_b64(posbuf, strlen(posbuf))));
        json_array_append_new(
            success, json_pack("{s:{s:o, s:o}}", "request_put", "key", log_key(s->prefix, pos),
                               "value", etcd_b64(text ? text : "", text ? strlen(text) : 0)));
        free(text);
    }
    ev_buf_free(&buf);
    {
        json_t *head = json_pack("{s:I, s:s}", "pos", (json_int_t)pos, "hash", hex);
        char *text = json_dumps(head, JSON_COMPACT);

        json_array_append_new(success, json_pack("{s:{s:o, s:o}}", "request_put", "key",
                                                 key_of(s->prefix, "head"), "value",
                                                 etcd_b64(text, strlen(text))));
        free(text);
        json_decref(head);
    }
    return json_pack("{s:o, s:o, s:o}", "compare", compare, "success", success, "failure", failure);
}

/* Records the positions of the batch just published. This office's own entries pass the
 * checks every other office makes (their signatures checked on both cores, under this office's
 * key), or are quarantined here as there (an office revoked while it published). */
static int
record_published(void *arg)
{
    struct sync *s = arg;
    struct ev_buf buf = {0};
    unsigned char from[EV_HASH_LEN];
    long long after = s->position, local;
    size_t n = json_array_size(s->batch);
    struct pulled *own = calloc(n ? n : 1, sizeof *own);
    struct verifier v = {0};
    int rc = 0;

    if (own == NULL)
        return diag_set(s->d, DK_STORE, "out of memory");
    /* Another sync of this store may have pulled (and placed) the batch in the meantime. */
    s->nadmitted = 0;
    memcpy(from, s->head, EV_HASH_LEN);
    if ((rc = load_position(s)) != 0)
        goto out;
    local = s->position;
    s->position = after;
    memcpy(s->head, from, EV_HASH_LEN);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct pulled *p = &own[i];

        if ((rc = ev_from_json(json_array_get(s->batch, i), &p->b, &p->attrs, &p->x, s->d)) == 0 &&
            ev_canon(&p->b, &p->canon) != 0)
            rc = diag_set(s->d, DK_DATA, "an event to publish cannot be read");
        if ((p->has_key = p->b.sig != NULL && db_key(s->db) != NULL))
            trust_key_public(db_key(s->db), p->key);
    }
    if (rc == 0 && verifier_start(&v, own, n) != 0)
        rc = diag_set(s->d, DK_STORE, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct pulled *p = &own[i];
        char *text = NULL;
        const char *reason = NULL;
        int placed = s->position + 1 <= local;

        verifier_wait(&v, i);
        if (ev_hash(s->head, &p->b, &buf, p->stated) != 0)
            rc = diag_set(s->d, DK_DATA, "an event to publish cannot be hashed");
        else if (!placed && (rc = check_entry(s, s->position + 1, p, p->stated, &reason)) != 0)
            ;
        else if (!placed && reason) {
            if ((text = json_dumps(json_array_get(s->batch, i), JSON_COMPACT)) == NULL)
                rc = diag_set(s->d, DK_STORE, "out of memory");
            else
                rc = quarantine(s, s->position + 1, &p->b, text, strlen(text), p->stated, reason);
        } else if (!placed) {
            rc = place(s, &p->b, s->batch_seq[i], s->position + 1, p->stated);
        }
        free(text);
        if (rc != 0)
            break;
        s->position++;
        memcpy(s->head, p->stated, EV_HASH_LEN);
        s->n->published++;
    }
    if (rc == 0 && s->definitions)
        rc = state_rebuild(s->db, s->d);
    s->definitions = 0;
out:
    verifier_end(&v);
    for (size_t i = 0; i < n; i++) {
        free(own[i].attrs);
        ev_buf_free(&own[i].canon);
    }
    free(own);
    ev_buf_free(&buf);
    return rc;
}

/* Reads the head key's revision, position and hash; 0, 0 and zeros when the log is empty. */
static int
read_head(struct sync *s, long long *rev, long long *pos, unsigned char hash[EV_HASH_LEN])
{
    json_t *req = json_pack("{s:o}", "key", key_of(s->prefix, "head")), *resp = NULL;
    json_t *kv;
    int rc = etcd_call(s->etcd, "/v3/kv/range", req, &resp, s->d);

    json_decref(req);
    if (rc != 0)
        return rc;
    *rev = *pos = 0;
    memset(hash, 0, EV_HASH_LEN);
    kv = json_array_get(json_object_get(resp, "kvs"), 0);
    if (kv) {
        size_t n;
        char *v = etcd_unb64(json_string_value(json_object_get(kv, "value")), &n);
        json_t *head = v ? text_json_loadb(v, n, 0, NULL) : NULL;

        *rev = etcd_int(json_object_get(kv, "mod_revision"));
        *pos = json_integer_value(json_object_get(head, "pos"));
        if (ev_unhex(json_string_value(json_object_get(head, "hash")), hash) != 0)
            memset(hash, 0xff, EV_HASH_LEN); /* no store's head is that */
        json_decref(head);
        free(v);
    }
    json_decref(resp);
    return 0;
}

/* Reads the remote head into *REV and *POS and checks that it continues this store's part of
 * the log: a shorter log, or one of the same length with another head, is not this store's. */
static int
check_head(struct sync *s, long long *rev, long long *pos)
{
    unsigned char hash[EV_HASH_LEN];
    int rc;

    if ((rc = read_head(s, rev, pos, hash)) != 0)
        return rc;
    if (*pos < s->position || (*pos == s->position && memcmp(hash, s->head, EV_HASH_LEN) != 0))
        return diag_set(s->d, DK_DATA,
                        "the shared log under '%s' (%lld events) is not the one this store synced "
                        "with (%lld events): another prefix, or a log that was wiped",
                        s->prefix, *pos, s->position);
    return 0;
}

/* Publishes one batch; returns 0 when done with this batch (published, or found to need a
 * pull first, which sets *BEHIND to the log's length as its head says), or an error. */
static int
publish_batch(struct sync *s, long long *behind)
{
    long long rev, pos;
    json_t *txn, *resp = NULL;
    int rc;

    if ((rc = check_head(s, &rev, &pos)) != 0)
        return rc;
    if (pos != s->position) {
        *behind = pos; /* others published since our last pull: pull, then come back */
        return 0;
    }
    txn = publish_txn(s, rev);
    rc = etcd_call(s->etcd, "/v3/kv/txn", txn, &resp, s->d);
    json_decref(txn);
    if (rc != 0) {
        /* A refusal (permission, a request too large) stops the sync; a timeout may hide a
         * commit, which the next pull will tell. */
        if (etcd_refused(s->etcd) || etcd_too_large(s->etcd))
            return rc;
        s->d->code = 0;
        s->d->msg[0] = '\0';
        return 0;
    }
    if (json_is_true(json_object_get(resp, "succeeded"))) {
        ts_now(s->now);
        json_decref(resp);
        if ((rc = db_tx(s->db, DB_TX_WRITE, record_published, s, s->d)) == 0 && s->progress)
            s->progress->fn("published", s->n->published,
                            s->to_publish > s->n->published ? s->to_publish : s->n->published,
                            s->progress->arg);
        return rc;
    }
    /* A comparison failed: the head moved, or some of these events are already in the log
     * (a request that timed out did commit). Either way the pull settles it. But with the
     * head where it was, an event of the batch has its P/ev key and no place in the log after
     * this store's position (it would have been pulled and placed): no pull can settle that. */
    {
        json_t *kv = json_array_get(
            json_object_get(json_object_get(json_array_get(json_object_get(resp, "responses"), 0),
                                            "response_range"),
                            "kvs"),
            0);
        long long now = kv ? etcd_int(json_object_get(kv, "mod_revision")) : 0;

        json_decref(resp);
        if (now == rev)
            return diag_set(s->d, DK_DATA,
                            "the shared log under '%s' holds events of this store under '%s/ev/' "
                            "but not in its log: the log was altered",
                            s->prefix, s->prefix);
    }
    return 0;
}

static int
read_standing(void *arg)
{
    struct sync *s = arg;
    int rc;

    if ((rc = trust_standing(s->db, &s->standing, s->d)) != 0 ||
        (rc = trust_office_name(s->db, s->n->office, sizeof s->n->office, s->d)) != 0)
        return rc;
    if (s->n->office[0] == '\0')
        trust_default_name(s->n->office, sizeof s->n->office);
    trust_key_fingerprint(db_key(s->db), s->n->fingerprint);
    return 0;
}

static int
count_unpublished(void *arg)
{
    static const char sql[] =
        "SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM shared s WHERE s.seq = "
        "e.seq)";
    struct sync *s = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1)
        s->batch_seq[0] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    /* db_row says -1 for an error, with the exit code in the diag; a count always has a row. */
    if (rc < 0)
        return s->d->code;
    return rc == 1 ? 0 : diag_set(s->d, DK_STORE, "the store could not count its events");
}

static int
stamp(void *arg)
{
    /* sync.revision: the cluster's revision once this sync read and wrote the log; a log key
     * changed after it, at a position this store already holds, was rewritten (watch). */
    static const char sql[] = "INSERT INTO meta (key, value) VALUES ('sync.last', :now), "
                              "('sync.revision', :revision) ON CONFLICT (key) DO UPDATE SET "
                              "value = excluded.value";
    struct sync *s = arg;
    char revision[32];
    sqlite3_stmt *st = NULL;
    int rc;

    ts_now(s->now);
    snprintf(revision, sizeof revision, "%lld", etcd_revision(s->etcd));
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":now", s->now, s->d)) != 0 ||
        (rc = db_bind_text(s->db, st, ":revision", revision, s->d)) != 0)
        return rc;
    return db_run(s->db, st, s->d);
}

/* ---- the log watched: entries rewritten in etcd, found and put back ---- */

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
        long long pos = key ? log_pos(p->s, key, klen) : 0;

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
                        log_key(s->prefix, pos), "target", rev < 0 ? "CREATE" : "MOD",
                        rev < 0 ? "create_revision" : "mod_revision", revbuf, "result", "EQUAL",
                        "success", "request_put", "key", log_key(s->prefix, pos), "value",
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
static int
scan_log(struct sync *s, long long since, int repair, struct sync_scan *found)
{
    char from[300], end[300];
    size_t from_len;
    struct scan_page p = {.s = s, .found = found};
    int rc, more = 1;

    memset(found, 0, sizeof *found);
    if ((rc = db_tx(s->db, DB_TX_READ, read_position, s, s->d)) != 0 || s->position == 0)
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

struct read_remote {
    struct db *db;
    struct sync_remote *r;
    struct diag *d;
};

static int
read_remote(void *arg)
{
    struct read_remote *x = arg;

    return sync_remote_get(x->db, x->r, x->d);
}

/* Reads the revision at which this store last synced into s->since (0: never). */
static int
read_since(void *arg)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = 'sync.revision'";
    struct sync *s = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    s->since = 0;
    if ((rc = db_prep(s->db, sql, &st, s->d)) != 0)
        return rc;
    if ((rc = db_row(s->db, st, s->d)) == 1)
        s->since = strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10);
    sqlite3_reset(st);
    return rc < 0 ? s->d->code : 0;
}

/* Opens S's client to the cluster that the store's remote names. */
static int
connect_remote(struct sync *s)
{
    struct sync_remote r;
    struct read_remote rr = {s->db, &r, s->d};
    struct etcd_opts eo = {0};
    int rc;

    if ((rc = db_tx(s->db, DB_TX_READ, read_remote, &rr, s->d)) != 0)
        return rc;
    eo.endpoints = r.endpoints;
    eo.user = r.user[0] ? r.user : NULL;
    eo.password_file = r.password_file[0] ? r.password_file : NULL;
    eo.cacert = r.cacert[0] ? r.cacert : NULL;
    eo.timeout_ms = 2000;
    if (getenv("DOCKET_ETCD_TIMEOUT_MS"))
        eo.timeout_ms = strtol(getenv("DOCKET_ETCD_TIMEOUT_MS"), NULL, 10);
    if (getenv("DOCKET_ETCD_RETRY_MS"))
        eo.retry_ms = strtol(getenv("DOCKET_ETCD_RETRY_MS"), NULL, 10);
    snprintf(s->prefix, sizeof s->prefix, "%s", r.prefix);
    return etcd_open(&eo, &s->etcd, s->d);
}

/* Names what a look at the log found changed, in D: WHAT is "was changed in etcd after this
 * office read it" or "differs from this office's". Returns DK_CHECK. */
static int
name_differences(const struct sync_scan *f, const char *what, struct diag *d)
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
    if ((rc = connect_remote(&s)) == 0 && (rc = scan_log(&s, 0, 0, found)) == 0 &&
        found->differ > 0)
        rc = name_differences(found, "differs from this office's", d);
    etcd_close(s.etcd);
    return rc;
}

int
sync_run(struct db *db, unsigned flags, const struct sync_progress *progress, struct sync_counts *n,
         struct diag *d)
{
    long long seqs[BATCH_EVENTS + 1] = {0};
    struct sync s = {
        .db = db, .n = n, .d = d, .batch_seq = seqs, .limit = PULL_LIMIT, .progress = progress};
    long long behind = 0; /* the log's length by its head, when it was ahead of this store */
    struct sync_scan scan;
    int rc, rounds = 0;

    memset(n, 0, sizeof *n);
    /* What there is to publish, for the progress line. */
    if (progress && (rc = db_tx(db, DB_TX_READ, count_unpublished, &s, d)) != 0)
        return rc;
    s.to_publish = progress ? seqs[0] : 0;
    if ((rc = connect_remote(&s)) != 0) {
        etcd_close(s.etcd);
        return rc;
    }
    /* Before anything else, the log as far as this store holds it: put back what differs
     * (--repair), or else make sure nothing of it was rewritten since the last sync. */
    if (flags & SYNC_REPAIR) {
        rc = scan_log(&s, 0, 1, &scan);
        n->rewritten = scan.differ;
        n->repaired = scan.repaired;
    } else if ((rc = db_tx(db, DB_TX_READ, read_since, &s, d)) == 0 && s.since > 0 &&
               (rc = scan_log(&s, s.since, 0, &scan)) == 0 && scan.differ > 0) {
        rc = name_differences(&scan, "was changed after this office read it", d);
    }
    for (; rc == 0;) {
        /* Each round either publishes or learns from the log what it must pull; a log that
         * keeps moving under a slow office is still caught up with, but not forever. */
        if (++rounds > 100000) {
            rc = diag_set(d, DK_NET, "the shared log kept moving; run sync again");
            break;
        }
        if ((rc = pull(&s)) != 0)
            break;
        /* The entries up to the head are written with it in one transaction, and the pull
         * read after the head: a pull that stops short of it finds the log damaged. */
        if (s.position < behind) {
            rc = diag_set(d, DK_DATA,
                          "the shared log's head under '%s' says %lld events, but its entries "
                          "end at %lld: the log was altered",
                          s.prefix, behind, s.position);
            break;
        }
        behind = 0;
        if ((s.batch = json_array()) == NULL) {
            rc = diag_set(d, DK_STORE, "out of memory");
            break;
        }
        rc = db_tx(db, DB_TX_READ, collect, &s, d);
        /* An office the log does not admit (yet) publishes nothing: it keeps its events. */
        if (rc == 0 && json_array_size(s.batch) > 0 &&
            (rc = db_tx(db, DB_TX_READ, read_standing, &s, d)) == 0) {
            n->waiting = s.standing == TRUST_WAITING || s.standing == TRUST_REVOKED;
            n->revoked = s.standing == TRUST_REVOKED;
            if (n->waiting)
                json_array_clear(s.batch);
        }
        if (rc == 0 && json_array_size(s.batch) == 0) {
            long long rev, pos;

            /* Nothing to publish: still make sure the log is this store's. */
            json_decref(s.batch);
            s.batch = NULL;
            rc = check_head(&s, &rev, &pos);
            if (rc == 0 && pos != s.position) {
                behind = pos; /* published meanwhile: pull it */
                continue;
            }
            break;
        }
        if (rc == 0)
            rc = publish_batch(&s, &behind);
        json_decref(s.batch);
        s.batch = NULL;
        if (rc != 0)
            break;
    }
    if (rc == 0 && (rc = db_tx(db, DB_TX_WRITE, stamp, &s, d)) == 0) {
        n->position = s.position;
        ev_hex(s.head, n->head);
    }
    if (rc == 0 && n->quarantine_count > 0)
        rc = diag_set(d, DK_CHECK,
                      "%lld entr%s of the shared log failed the checks and %s quarantined: "
                      "'docket status' lists them",
                      n->quarantine_count, n->quarantine_count == 1 ? "y" : "ies",
                      n->quarantine_count == 1 ? "is" : "are");
    n->final = rc == DK_NET && etcd_refused(s.etcd);
    etcd_close(s.etcd);
    return rc;
}

struct status_read {
    struct sync s;
    long long unpublished;
    char last[TS_LEN + 1];
};

static int
read_status(void *arg)
{
    static const char last_sql[] = "SELECT value FROM meta WHERE key = 'sync.last'";
    struct status_read *x = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = load_position(&x->s)) != 0 || (rc = count_unpublished(&x->s)) != 0)
        return rc;
    x->unpublished = x->s.batch_seq[0];
    x->last[0] = '\0';
    if ((rc = db_prep(x->s.db, last_sql, &st, x->s.d)) != 0)
        return rc;
    if ((rc = db_row(x->s.db, st, x->s.d)) == 1)
        snprintf(x->last, sizeof x->last, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc < 0 ? x->s.d->code : 0;
}

int
sync_status(struct db *db, long long *unpublished, char last[25], long long *position,
            char head[65], struct diag *d)
{
    long long seqs[1];
    struct sync_counts n;
    struct status_read x = {.s = {.db = db, .n = &n, .d = d, .batch_seq = seqs}};
    int rc = read_status(&x);

    if (rc != 0)
        return rc;
    *unpublished = x.unpublished;
    snprintf(last, 25, "%s", x.last);
    *position = x.s.position;
    ev_hex(x.s.head, head);
    return 0;
}
