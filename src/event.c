/* event.c: appending events to the hash-chained log, and their canonical bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libcrypto's SHA256_Init family, deprecated in OpenSSL 3 in favour of EVP, is kept on purpose:
 * EVP's first fetch of a digest loads the provider machinery, about 0.85 ms at every start of
 * a command that writes, more than the rest of a one-event write costs. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/state.h"
#include "docket/text.h"
#include "docket/trust.h"
#include "docket/uuid.h"

static const char canon_magic[] = "docket-event";

int
ev_buf_reserve(struct ev_buf *b, size_t more)
{
    size_t cap;
    unsigned char *p;

    if (b->len + more <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int
buf_put(struct ev_buf *b, const void *v, size_t n)
{
    unsigned char *q;
    uint32_t len = v ? (uint32_t)n : UINT32_MAX;

    if (ev_buf_reserve(b, 4 + (v ? n : 0)) != 0)
        return -1;
    q = b->p + b->len;
    q[0] = (unsigned char)(len >> 24);
    q[1] = (unsigned char)(len >> 16);
    q[2] = (unsigned char)(len >> 8);
    q[3] = (unsigned char)len;
    if (v && n)
        memcpy(q + 4, v, n);
    b->len += 4 + (v ? n : 0);
    return 0;
}

void
ev_buf_free(struct ev_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int
cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the count and the sorted (key, value) pairs of the JSON object text ATTRS. */
static int
canon_attrs(const char *attrs, size_t len, struct ev_buf *b)
{
    json_t *o = NULL, *v;
    const char **keys = NULL;
    const char *k;
    size_t n = 0, i;
    int rc = -1;

    if (attrs != NULL) {
        o = json_loadb(attrs, len, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(o))
            goto out;
        n = json_object_size(o);
    }
    if (buf_put(b, "", 0) != 0) /* reserve the count, written below */
        goto out;
    b->p[b->len - 4] = (unsigned char)(n >> 24);
    b->p[b->len - 3] = (unsigned char)(n >> 16);
    b->p[b->len - 2] = (unsigned char)(n >> 8);
    b->p[b->len - 1] = (unsigned char)n;
    if (n == 0) {
        rc = 0;
        goto out;
    }
    if ((keys = malloc(n * sizeof *keys)) == NULL)
        goto out;
    i = 0;
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v))
            goto out;
        keys[i++] = k;
    }
    qsort(keys, n, sizeof *keys, cmp_keys);
    for (i = 0; i < n; i++) {
        v = json_object_get(o, keys[i]);
        if (buf_put(b, keys[i], strlen(keys[i])) != 0 ||
            buf_put(b, json_string_value(v), json_string_length(v)) != 0)
            goto out;
    }
    rc = 0;
out:
    free(keys);
    json_decref(o);
    return rc;
}

int
ev_canon(const struct ev_bytes *e, struct ev_buf *b)
{
    b->len = 0;
    if (ev_buf_reserve(b, sizeof canon_magic) != 0)
        return -1;
    memcpy(b->p, canon_magic, sizeof canon_magic - 1);
    b->p[sizeof canon_magic - 1] = e->base ? 2 : 1;
    b->len = sizeof canon_magic;
    for (int i = 0; i < EVF_COUNT; i++)
        if (buf_put(b, e->v[i], e->n[i]) != 0)
            return -1;
    if (e->base && buf_put(b, e->base, e->base_len) != 0)
        return -1;
    return canon_attrs(e->attrs, e->attrs_len, b);
}

int
ev_hash(const unsigned char prev[EV_HASH_LEN], const struct ev_bytes *e, struct ev_buf *b,
        unsigned char out[EV_HASH_LEN])
{
    SHA256_CTX c;

    if (ev_canon(e, b) != 0)
        return -1;
    return SHA256_Init(&c) == 1 && SHA256_Update(&c, prev, EV_HASH_LEN) == 1 &&
                   SHA256_Update(&c, b->p, b->len) == 1 && SHA256_Final(out, &c) == 1
               ? 0
               : -1;
}

void
ev_hex(const unsigned char hash[EV_HASH_LEN], char out[2 * EV_HASH_LEN + 1])
{
    trust_hex(hash, EV_HASH_LEN, out);
}

int
ev_unhex(const char *hex, unsigned char out[EV_HASH_LEN])
{
    return trust_unhex(hex, out, EV_HASH_LEN);
}

static void
field(struct ev_bytes *b, int i, const char *v)
{
    b->v[i] = v;
    b->n[i] = v ? strlen(v) : 0;
}

/* Loads the chain's head (sequence, hash) into W once per transaction, and warns when the clock
 * (NOW, for an event recorded here) reads earlier than the last recorded event. */
static int
load_head(struct db *db, struct db_writer *w, const char *now, struct diag *d)
{
    static const char sql[] = "SELECT seq, hash, recorded FROM event ORDER BY seq DESC LIMIT 1";
    static const char base_sql[] = "SELECT max(coalesce((SELECT max(pos) FROM shared), 0), "
                                   "coalesce((SELECT max(pos) FROM quarantine), 0))";
    sqlite3_stmt *st;
    int rc;

    if (w->known)
        return 0;
    if ((rc = db_prep(db, base_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    w->base = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    w->seq = 0;
    memset(w->hash, 0, sizeof w->hash);
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 1) {
        const char *last = (const char *)sqlite3_column_text(st, 2);

        if (sqlite3_column_bytes(st, 1) != EV_HASH_LEN) {
            sqlite3_reset(st);
            return diag_set(d, DK_STORE, "the last event's hash is damaged: run 'docket verify'");
        }
        w->seq = sqlite3_column_int64(st, 0);
        memcpy(w->hash, sqlite3_column_blob(st, 1), EV_HASH_LEN);
        if (now && last && strcmp(now, last) < 0)
            diag_warn(d, "the clock reads %s, earlier than the last event's %s; recorded anyway",
                      now, last);
    }
    sqlite3_reset(st);
    w->known = 1;
    return 0;
}

int
ev_attr(json_t *attrs, const char *key, const char *v)
{
    if (v == NULL)
        return 0;
    return json_object_set_new(attrs, key, json_stringn_nocheck(v, strlen(v)));
}

char *
ev_attrs_text(json_t *attrs, int *oom)
{
    char *s;

    *oom = 0;
    if (attrs == NULL || json_object_size(attrs) == 0)
        return NULL;
    if ((s = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        *oom = 1;
    return s;
}

static int
text_ok(const char *what, const char *v, struct diag *d)
{
    if (v != NULL && !text_utf8_ok(v, strlen(v)))
        return diag_set(d, DK_DATA, "%s is not valid UTF-8 text", what);
    return 0;
}

/* Binds field I of B (SQL NULL when absent) to parameter K. The bytes are bound without a copy:
 * they outlive the statement's step, and db_prep clears the bindings before its next use. */
static int
bind_field(struct db *db, sqlite3_stmt *st, int k, const struct ev_bytes *b, int i, struct diag *d)
{
    int rc = b->v[i] ? sqlite3_bind_text(st, k, b->v[i], (int)b->n[i], SQLITE_STATIC)
                     : sqlite3_bind_null(st, k);

    return rc == SQLITE_OK ? 0 : db_fail(db, "cannot record the event", d);
}

/* Appends B to the log with the next local sequence number and the hash that chains it to the
 * last event (W's head, which it moves on), and its signature: B's own, or with SIGN one made
 * with W's key; then, with APPLY, brings the state up to date. HASH (when not NULL) gets its
 * hash. */
static int
insert(struct db *db, struct db_writer *w, const struct ev_bytes *b, int apply, int sign,
       unsigned char hash[EV_HASH_LEN], long long *seq, struct diag *d)
{
    /* SQLite numbers named parameters in the order they first appear: :seq is 1, the fields
     * follow from 2 in ev_field_names' order, then :attrs and :hash. */
    static const char sql[] =
        "INSERT INTO event (seq, uuid, batch, type, item, subject, old_value, new_value, reason, "
        "eff, recorded, actor, login, replica, attrs, hash, base) VALUES (:seq, :uuid, :batch, "
        ":type, :item, :subject, :old, :new, :reason, :eff, :recorded, :actor, :login, :replica, "
        ":attrs, :hash, :base)";
    static const char sig_sql[] = "INSERT INTO signature (uuid, sig) VALUES (:uuid, :sig)";
    enum { P_SEQ = 1, P_FIELDS, P_ATTRS = P_FIELDS + EVF_COUNT, P_HASH, P_BASE };
    unsigned char h[EV_HASH_LEN], made[EV_SIG_LEN];
    const unsigned char *sig = b->sig;
    struct ev_buf buf = {0};
    char type[32], item[64];
    sqlite3_stmt *st;
    int rc;

    if (ev_hash(w->hash, b, &buf, h) != 0) {
        ev_buf_free(&buf);
        return diag_set(d, DK_DATA, "the event's attributes are not an object of strings");
    }
    /* An event recorded here is signed with this office's key, over the bytes just hashed. */
    if (sign && trust_sign(w->key, buf.p, buf.len, made) != 0) {
        ev_buf_free(&buf);
        return diag_set(d, DK_STORE, "cannot sign the event: OpenSSL refused");
    }
    ev_buf_free(&buf);
    if (sign)
        sig = made;
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    if (sqlite3_bind_int64(st, P_SEQ, w->seq + 1) != SQLITE_OK)
        return db_fail(db, "cannot record the event", d);
    for (int i = 0; i < EVF_COUNT; i++)
        if ((rc = bind_field(db, st, P_FIELDS + i, b, i, d)) != 0)
            return rc;
    if (sqlite3_bind_text(st, P_ATTRS, b->attrs, b->attrs ? (int)b->attrs_len : 0, SQLITE_STATIC) !=
            SQLITE_OK ||
        sqlite3_bind_blob(st, P_HASH, h, EV_HASH_LEN, SQLITE_STATIC) != SQLITE_OK ||
        (b->base ? sqlite3_bind_int64(st, P_BASE, strtoll(b->base, NULL, 10))
                 : sqlite3_bind_null(st, P_BASE)) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = db_fail(db, "cannot record the event", d);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    if (sig) {
        if ((rc = db_prep(db, sig_sql, &st, d)) != 0 ||
            (rc = db_bind_text(db, st, ":uuid", b->v[EVF_UUID], d)) != 0)
            return rc;
        sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":sig"), sig, EV_SIG_LEN,
                          SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            /* Signatures are keyed by the event's id, as the event_uuid index keys events (a
             * restore builds that one after the events are in). */
            int ec = sqlite3_extended_errcode(db_handle(db));

            rc = ec == SQLITE_CONSTRAINT_PRIMARYKEY
                     ? diag_set(d, DK_DATA, "the export holds an event id twice")
                     : db_fail(db, "cannot record the event's signature", d);
            sqlite3_reset(st);
            return rc;
        }
        sqlite3_reset(st);
    }
    w->seq++;
    if (w->first == 0)
        w->first = w->seq;
    memcpy(w->hash, h, EV_HASH_LEN);
    if (hash)
        memcpy(hash, h, EV_HASH_LEN);
    if (seq)
        *seq = w->seq;
    if (!apply)
        return 0;
    /* The state wants the type and item as C strings. */
    snprintf(type, sizeof type, "%.*s", (int)b->n[EVF_TYPE], b->v[EVF_TYPE]);
    snprintf(item, sizeof item, "%.*s", b->v[EVF_ITEM] ? (int)b->n[EVF_ITEM] : 0,
             b->v[EVF_ITEM] ? b->v[EVF_ITEM] : "");
    return state_apply(db, type, b->v[EVF_ITEM] ? item : NULL, d);
}

/* The shared chain's hash at position POS as this store holds it (zeros at 0), in hex. */
static int
shared_hash_hex(struct db *db, long long pos, char out[2 * EV_HASH_LEN + 1], struct diag *d)
{
    unsigned char h[EV_HASH_LEN] = {0};
    int rc, found;

    if ((rc = db_shared_hash(db, pos, h, &found, d)) != 0)
        return rc;
    ev_hex(h, out);
    return 0;
}

static int append(struct db *db, struct db_writer *w, const struct event *e, long long *seq,
                  struct diag *d);

/* Makes sure, once per transaction, that the trail announces this store's office as it is
 * now (its name, its replica id, its key): else appends the `office` event that does, signed
 * with the key it announces, with the shared head this store had applied. An office that does
 * not publish yet still keeps its announcement first among its events. */
static int
announce(struct db *db, struct db_writer *w, struct diag *d)
{
    static const char sql[] = "SELECT subject, new_value FROM event WHERE type = 'office' AND "
                              "replica = :replica ORDER BY seq DESC LIMIT 1";
    char pub[TRUST_HEX], name[72], head[32 + 2 * EV_HASH_LEN], today[11], now[TS_LEN + 1];
    sqlite3_stmt *st = NULL;
    int rc, same = 0;

    if (w->key == NULL || w->announced)
        return 0;
    w->announced = 1;
    trust_key_public_hex(w->key, pub);
    if ((rc = trust_office_name(db, name, sizeof name, d)) != 0)
        return rc;
    if (name[0] == '\0' && ((rc = trust_default_name(name, sizeof name)) != 0 ||
                            (rc = trust_office_set_name(db, name, d)) != 0))
        return rc ? rc : diag_set(d, DK_STORE, "cannot name this office");
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":replica", w->replica, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        same = strcmp((const char *)sqlite3_column_text(st, 0), name) == 0 &&
               strcmp((const char *)sqlite3_column_text(st, 1), pub) == 0;
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    if (same)
        return 0;
    snprintf(head, sizeof head, "%lld:", w->base);
    if ((rc = shared_hash_hex(db, w->base, head + strlen(head), d)) != 0)
        return rc;
    /* Effective the UTC day it is recorded, which no time zone changes. */
    ts_now(now);
    snprintf(today, sizeof today, "%.10s", now);
    {
        json_t *attrs = json_pack("{s:s}", "head", head);
        struct event e = {.type = "office",
                          .subject = name,
                          .new_value = pub,
                          .eff = today,
                          .reason = "",
                          .attrs = attrs};

        rc = attrs ? append(db, w, &e, NULL, d) : diag_set(d, DK_STORE, "out of memory");
        json_decref(attrs);
    }
    return rc;
}

/* Writes to OUT the v5 UUID of SEED and of E's content, ATTRS its attributes' text. */
static int
seeded_uuid(const char *seed, const struct event *e, const char *attrs, char out[UUID_LEN + 1],
            struct diag *d)
{
    const char *parts[] = {seed, e->type, e->item, e->subject, e->new_value, e->eff, attrs};
    size_t len = 0, n = sizeof parts / sizeof parts[0];
    char *name, *p;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        len += (parts[i] ? strlen(parts[i]) : 0) + 1;
    if ((name = malloc(len + 1)) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    /* Each part ends in a newline, an absent one is empty: no two contents give one name. */
    p = name;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\n", parts[i] ? parts[i] : "");
    if (uuid_v5(name, len, out) != 0)
        rc = diag_set(d, DK_STORE, "cannot make the event's id");
    free(name);
    return rc;
}

/* Writes to *SEQ the local sequence of the event whose uuid is UUID, 0 when none. */
static int
held_seq(struct db *db, const char *uuid, long long *seq, struct diag *d)
{
    static const char sql[] = "SELECT seq FROM event WHERE uuid = :uuid";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":uuid", uuid, d)) != 0)
        return rc;
    rc = db_row(db, st, d);
    *seq = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

void
ev_set_uuid_seed(struct db *db, const char *seed)
{
    db_writer(db)->uuid_seed = seed;
}

/* ev_append with the writer's context W, which it takes once from the handle. */
static int
append(struct db *db, struct db_writer *w, const struct event *e, long long *seq, struct diag *d)
{
    char uuid[UUID_LEN + 1], now[TS_LEN + 1], base[24];
    struct ev_bytes b = {0};
    const char *key, *login = w->login;
    char *attrs = NULL, *repaired = NULL;
    const char *seed = w->uuid_seed;
    json_t *v;
    int rc, oom;

    if ((rc = text_ok("the reason", e->reason, d)) != 0 ||
        (rc = text_ok("the value", e->new_value, d)) != 0 ||
        (rc = text_ok("the subject", e->subject, d)) != 0 ||
        (rc = text_ok("the actor", w->actor, d)) != 0)
        return rc;
    /* Every reason a user gives passes here: one check serves set, note, cost, edit, revert,
     * add and office. An empty one is "none" (add without -m, docket's own events). */
    if (e->reason && e->reason[0] != '\0' && !text_has_word(e->reason))
        return diag_set(d, DK_USAGE, "the reason (-m) holds no letter or digit");
    if (e->attrs) {
        json_object_foreach(e->attrs, key, v)
        {
            if (!json_is_string(v))
                return diag_set(d, DK_DATA, "internal: attribute '%s' is not a string", key);
            if (!text_utf8_ok(json_string_value(v), json_string_length(v)))
                return diag_set(d, DK_DATA, "'%s' is not valid UTF-8 text", key);
        }
    }
    if ((attrs = ev_attrs_text(e->attrs, &oom)) == NULL && oom)
        return diag_set(d, DK_STORE, "out of memory");
    /* The actor is a name the user chooses, refused above when it is not text; the OS login is
     * a fact the user cannot change, so it is recorded with its stray bytes shown as U+FFFD,
     * which keeps the event exportable. */
    if (!text_utf8_ok(login, strlen(login))) {
        if ((repaired = text_repair(login, strlen(login))) == NULL) {
            rc = diag_set(d, DK_STORE, "out of memory");
            goto out;
        }
        login = repaired;
    }
    if (seed && e->uuid == NULL) {
        long long held;

        if ((rc = seeded_uuid(seed, e, attrs, uuid, d)) != 0 ||
            (rc = held_seq(db, uuid, &held, d)) != 0)
            goto out;
        if (held > 0) {
            if (seq)
                *seq = held;
            goto out;
        }
    }
    /* The transaction's first event makes its batch id. */
    if ((w->batch[0] == '\0' && uuid_v4(w->batch) != 0) ||
        (e->uuid == NULL && seed == NULL && uuid_v4(uuid) != 0)) {
        w->batch[0] = '\0';
        rc = diag_set(d, DK_STORE, "cannot make an id: no random bytes");
        goto out;
    }
    ts_now(now);
    /* The office's announcement is this store's own: its id stays random. */
    w->uuid_seed = NULL;
    rc = load_head(db, w, now, d);
    if (rc == 0)
        rc = announce(db, w, d);
    w->uuid_seed = seed;
    if (rc != 0)
        goto out;
    ts_now(now); /* after the announcement's */
    field(&b, EVF_UUID, e->uuid ? e->uuid : uuid);
    field(&b, EVF_BATCH, w->batch);
    field(&b, EVF_TYPE, e->type);
    field(&b, EVF_ITEM, e->item);
    field(&b, EVF_SUBJECT, e->subject);
    field(&b, EVF_OLD, e->old_value);
    field(&b, EVF_NEW, e->new_value);
    field(&b, EVF_REASON, e->reason ? e->reason : "");
    field(&b, EVF_EFF, e->eff);
    field(&b, EVF_RECORDED, now);
    field(&b, EVF_ACTOR, w->actor);
    field(&b, EVF_LOGIN, login);
    field(&b, EVF_REPLICA, w->replica);
    b.attrs = attrs;
    b.attrs_len = attrs ? strlen(attrs) : 0;
    b.base_len = (size_t)snprintf(base, sizeof base, "%lld", w->base);
    b.base = base;
    rc = insert(db, w, &b, 1, w->key != NULL, NULL, seq, d);
out:
    free(repaired);
    free(attrs);
    return rc;
}

int
ev_appended(struct db *db, long long *first, long long *last)
{
    const struct db_writer *w = db_writer(db);

    if (w->first == 0)
        return 0;
    *first = w->first;
    *last = w->seq;
    return 1;
}

int
ev_append(struct db *db, const struct event *e, long long *seq, struct diag *d)
{
    return append(db, db_writer(db), e, seq, d);
}

int
ev_check_bytes(const struct ev_bytes *b, struct diag *d)
{
    static const int required[] = {EVF_UUID,     EVF_BATCH, EVF_TYPE,  EVF_REASON, EVF_EFF,
                                   EVF_RECORDED, EVF_ACTOR, EVF_LOGIN, EVF_REPLICA};
    struct date eff;
    char text[16];

    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (b->v[required[i]] == NULL)
            return diag_set(d, DK_DATA, "an event lacks its %s", ev_field_names[required[i]]);
    for (int i = 0; i < EVF_COUNT; i++)
        if (b->v[i] && !text_utf8_ok(b->v[i], b->n[i]))
            return diag_set(d, DK_DATA, "the event's %s is not UTF-8 text", ev_field_names[i]);
    snprintf(text, sizeof text, "%.*s", b->n[EVF_EFF] < 11 ? (int)b->n[EVF_EFF] : 11,
             b->v[EVF_EFF]);
    if (date_parse(text, &eff, d) != 0)
        return d->code;
    if (b->n[EVF_RECORDED] != TS_LEN || b->v[EVF_RECORDED][TS_LEN - 1] != 'Z')
        return diag_set(d, DK_DATA, "the event's recorded time is malformed");
    return 0;
}

int
ev_receive(struct db *db, const struct ev_bytes *b, int flags, unsigned char hash[EV_HASH_LEN],
           long long *seq, struct diag *d)
{
    struct db_writer *w = db_writer(db);
    int rc;

    if (!(flags & EV_CHECKED) && (rc = ev_check_bytes(b, d)) != 0)
        return rc;
    if ((rc = load_head(db, w, NULL, d)) != 0)
        return rc;
    return insert(db, w, b, flags & EV_APPLY, 0, hash, seq, d);
}

const char *const ev_field_names[EVF_COUNT] = {"uuid",  "batch", "event_type", "item", "subject",
                                               "old",   "new",   "reason",     "eff",  "recorded",
                                               "actor", "login", "replica"};

json_t *
ev_to_json(json_t *o, sqlite3_stmt *st, int first)
{
    const char *attrs = (const char *)sqlite3_column_text(st, first + EVF_COUNT);
    json_t *a = attrs ? json_loads(attrs, JSON_REJECT_DUPLICATES, NULL) : NULL;
    int base = first + EVF_COUNT + 1, sig = base + 1;

    if (o == NULL)
        o = json_object();
    for (int i = 0; i < EVF_COUNT; i++) {
        const char *v = (const char *)sqlite3_column_text(st, first + i);

        json_object_set_new(o, ev_field_names[i],
                            v ? json_stringn(v, (size_t)sqlite3_column_bytes(st, first + i))
                              : json_null());
    }
    json_object_set_new(o, "attrs", a ? a : json_null());
    if (sqlite3_column_type(st, base) != SQLITE_NULL)
        json_object_set_new(o, "base", json_integer(sqlite3_column_int64(st, base)));
    if (sqlite3_column_bytes(st, sig) == EV_SIG_LEN) {
        char hex[2 * EV_SIG_LEN + 1];

        trust_hex(sqlite3_column_blob(st, sig), EV_SIG_LEN, hex);
        json_object_set_new(o, "sig", json_string(hex));
    }
    return o;
}

int
ev_from_json(json_t *o, struct ev_bytes *b, char **attrs, struct ev_extra *x, struct diag *d)
{
    json_t *a = json_object_get(o, "attrs"), *base = json_object_get(o, "base");
    json_t *sig = json_object_get(o, "sig");
    int oom;

    memset(b, 0, sizeof *b);
    *attrs = NULL;
    for (int i = 0; i < EVF_COUNT; i++) {
        json_t *v = json_object_get(o, ev_field_names[i]);

        if (v != NULL && !json_is_null(v) && !json_is_string(v))
            return diag_set(d, DK_DATA, "'%s' must be a string", ev_field_names[i]);
        b->v[i] = json_string_value(v);
        b->n[i] = json_string_length(v);
    }
    if (a != NULL && !json_is_null(a) && !json_is_object(a))
        return diag_set(d, DK_DATA, "'attrs' must be an object");
    if (base != NULL) {
        if (!json_is_integer(base) || json_integer_value(base) < 0)
            return diag_set(d, DK_DATA, "'base' must be a whole number from 0");
        b->base_len =
            (size_t)snprintf(x->base, sizeof x->base, "%lld", (long long)json_integer_value(base));
        b->base = x->base;
    }
    if (sig != NULL) {
        if (!json_is_string(sig) || trust_unhex(json_string_value(sig), x->sig, EV_SIG_LEN) != 0)
            return diag_set(d, DK_DATA, "'sig' must be %d lower-case hex digits", 2 * EV_SIG_LEN);
        b->sig = x->sig;
    }
    if ((*attrs = ev_attrs_text(json_is_object(a) ? a : NULL, &oom)) == NULL && oom)
        return diag_set(d, DK_STORE, "out of memory");
    b->attrs = *attrs;
    b->attrs_len = *attrs ? strlen(*attrs) : 0;
    return 0;
}
