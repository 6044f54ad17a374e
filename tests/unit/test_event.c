/* test_event.c: appending events to the hash-chained log, their canonical bytes, and the chain
 * check. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "docket/event.h"
#include "support.h"

/* Fills B with a fixed event: field I is "fI" (ITEM and SUBJECT are NULL), and ATTRS. */
static void
sample(struct ev_bytes *b, const char *attrs)
{
    static const char *const v[EVF_COUNT] = {"f0", "f1", "f2", NULL,  NULL,  "f5", "f6",
                                             "f7", "f8", "f9", "f10", "f11", "f12"};

    memset(b, 0, sizeof *b);
    for (int i = 0; i < EVF_COUNT; i++) {
        b->v[i] = v[i];
        b->n[i] = v[i] ? strlen(v[i]) : 0;
    }
    b->attrs = attrs;
    b->attrs_len = attrs ? strlen(attrs) : 0;
}

/* Appends the 4-byte big-endian N to P at *AT. */
static void
put_len(unsigned char *p, size_t *at, unsigned long n)
{
    p[(*at)++] = (unsigned char)(n >> 24);
    p[(*at)++] = (unsigned char)(n >> 16);
    p[(*at)++] = (unsigned char)(n >> 8);
    p[(*at)++] = (unsigned char)n;
}

static void
put_str(unsigned char *p, size_t *at, const char *s)
{
    put_len(p, at, strlen(s));
    memcpy(p + *at, s, strlen(s));
    *at += strlen(s);
}

static void
canon_has_the_documented_layout(void **state)
{
    unsigned char want[512];
    struct ev_buf buf = {0};
    struct ev_bytes b;
    size_t n = 0;

    (void)state;
    sample(&b, "{\"b\":\"two\",\"a\":\"1\"}");
    memcpy(want, "docket-event", 12);
    n = 12;
    want[n++] = 1;
    for (int i = 0; i < EVF_COUNT; i++) {
        if (b.v[i] == NULL)
            put_len(want, &n, 0xffffffffUL);
        else
            put_str(want, &n, b.v[i]);
    }
    put_len(want, &n, 2);
    put_str(want, &n, "a");
    put_str(want, &n, "1");
    put_str(want, &n, "b");
    put_str(want, &n, "two");

    assert_int_equal(ev_canon(&b, &buf), 0);
    assert_int_equal(buf.len, n);
    assert_memory_equal(buf.p, want, n);
    assert_memory_equal(buf.p, "docket-event", 12);
    assert_int_equal(buf.p[12], 1);

    /* Version 2: the base follows the replica, as one more length-prefixed field. */
    b.base = "17";
    b.base_len = 2;
    want[12] = 2;
    n = 13;
    for (int i = 0; i < EVF_COUNT; i++) {
        if (b.v[i] == NULL)
            put_len(want, &n, 0xffffffffUL);
        else
            put_str(want, &n, b.v[i]);
    }
    put_str(want, &n, "17");
    put_len(want, &n, 2);
    put_str(want, &n, "a");
    put_str(want, &n, "1");
    put_str(want, &n, "b");
    put_str(want, &n, "two");
    assert_int_equal(ev_canon(&b, &buf), 0);
    assert_int_equal(buf.len, n);
    assert_memory_equal(buf.p, want, n);
    assert_int_equal(buf.p[12], EV_CANON_VERSION);
    assert_int_equal(EV_CANON_VERSION, 2);
    ev_buf_free(&buf);
    assert_null(buf.p);
}

static void
canon_marks_null_apart_from_empty(void **state)
{
    struct ev_buf a = {0}, b = {0};
    struct ev_bytes e;
    const unsigned char null_len[4] = {0xff, 0xff, 0xff, 0xff};
    const unsigned char zero_len[4] = {0, 0, 0, 0};
    size_t item_at = 13 + (4 + 2) * 3; /* after the header and f0, f1, f2 */

    (void)state;
    sample(&e, NULL);
    assert_int_equal(ev_canon(&e, &a), 0);
    assert_memory_equal(a.p + item_at, null_len, 4);
    e.v[EVF_ITEM] = "";
    e.n[EVF_ITEM] = 0;
    assert_int_equal(ev_canon(&e, &b), 0);
    assert_memory_equal(b.p + item_at, zero_len, 4);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.p, b.p, a.len);
    /* No attributes: a count of zero at the end. */
    assert_memory_equal(a.p + a.len - 4, zero_len, 4);
    ev_buf_free(&a);
    ev_buf_free(&b);
}

static void
canon_sorts_attrs_by_key(void **state)
{
    struct ev_buf a = {0}, b = {0}, c = {0};
    struct ev_bytes e;

    (void)state;
    sample(&e, "{\"b\":\"2\",\"a\":\"1\"}");
    assert_int_equal(ev_canon(&e, &a), 0);
    sample(&e, "{\"a\":\"1\",\"b\":\"2\"}");
    assert_int_equal(ev_canon(&e, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    /* Whitespace in the stored text does not matter either; a value does. */
    sample(&e, "{ \"a\" : \"1\" ,\n \"b\" : \"2\" }");
    assert_int_equal(ev_canon(&e, &c), 0);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.p, c.p, a.len);
    sample(&e, "{\"a\":\"1\",\"b\":\"3\"}");
    assert_int_equal(ev_canon(&e, &c), 0);
    assert_memory_not_equal(a.p, c.p, a.len);
    /* An empty object is the same as no attributes. */
    sample(&e, "{}");
    assert_int_equal(ev_canon(&e, &b), 0);
    sample(&e, NULL);
    assert_int_equal(ev_canon(&e, &c), 0);
    assert_int_equal(b.len, c.len);
    assert_memory_equal(b.p, c.p, b.len);
    ev_buf_free(&a);
    ev_buf_free(&b);
    ev_buf_free(&c);
}

static void
canon_refuses_bad_attrs(void **state)
{
    static const char *const bad[] = {
        "{\"a\":1}", "{\"a\":\"1\",\"b\":null}",  "{\"a\":{\"x\":\"y\"}}", "[\"a\"]", "\"a\"", "{",
        "not json",  "{\"a\":\"1\",\"a\":\"2\"}", "{\"a\":true}",
    };
    struct ev_buf buf = {0};
    struct ev_bytes e;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sample(&e, bad[i]);
        if (ev_canon(&e, &buf) != -1)
            fail_msg("attrs '%s' were accepted", bad[i]);
    }
    ev_buf_free(&buf);
}

static void
hash_is_sha256_of_prev_and_canon(void **state)
{
    unsigned char prev[EV_HASH_LEN], got[EV_HASH_LEN], want[EV_HASH_LEN], *joined;
    struct ev_buf canon = {0}, scratch = {0};
    struct ev_bytes e;
    unsigned int n = 0;

    (void)state;
    for (int i = 0; i < EV_HASH_LEN; i++)
        prev[i] = (unsigned char)(i * 7 + 1);
    sample(&e, "{\"k\":\"v\"}");
    assert_int_equal(ev_canon(&e, &canon), 0);
    joined = malloc(EV_HASH_LEN + canon.len);
    assert_non_null(joined);
    memcpy(joined, prev, EV_HASH_LEN);
    memcpy(joined + EV_HASH_LEN, canon.p, canon.len);
    assert_int_equal(EVP_Digest(joined, EV_HASH_LEN + canon.len, want, &n, EVP_sha256(), NULL), 1);
    assert_int_equal(ev_hash(prev, &e, &scratch, got), 0);
    assert_memory_equal(got, want, EV_HASH_LEN);
    free(joined);
    ev_buf_free(&canon);
    ev_buf_free(&scratch);
}

static void
hash_changes_with_every_field_and_prev(void **state)
{
    unsigned char prev[EV_HASH_LEN] = {0}, base[EV_HASH_LEN], h[EV_HASH_LEN];
    struct ev_buf buf = {0};
    struct ev_bytes e;

    (void)state;
    sample(&e, "{\"a\":\"1\"}");
    assert_int_equal(ev_hash(prev, &e, &buf, base), 0);
    assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
    assert_memory_equal(base, h, EV_HASH_LEN);
    for (int i = 0; i < EVF_COUNT; i++) {
        sample(&e, "{\"a\":\"1\"}");
        e.v[i] = "changed";
        e.n[i] = strlen("changed");
        assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
        if (memcmp(base, h, EV_HASH_LEN) == 0)
            fail_msg("changing field %d left the hash alone", i);
    }
    /* A value moved from one field to the next must not hash the same. */
    sample(&e, "{\"a\":\"1\"}");
    e.v[EVF_OLD] = "f5f6";
    e.n[EVF_OLD] = 4;
    e.v[EVF_NEW] = "";
    e.n[EVF_NEW] = 0;
    assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
    assert_memory_not_equal(base, h, EV_HASH_LEN);
    sample(&e, "{\"a\":\"2\"}");
    assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
    assert_memory_not_equal(base, h, EV_HASH_LEN);
    sample(&e, NULL);
    assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
    assert_memory_not_equal(base, h, EV_HASH_LEN);
    sample(&e, "{\"a\":\"1\"}");
    prev[31] = 1;
    assert_int_equal(ev_hash(prev, &e, &buf, h), 0);
    assert_memory_not_equal(base, h, EV_HASH_LEN);
    sample(&e, "{\"a\":1}");
    assert_int_equal(ev_hash(prev, &e, &buf, h), -1);
    ev_buf_free(&buf);
}

static void
hex_is_lower_case(void **state)
{
    unsigned char h[EV_HASH_LEN];
    char out[2 * EV_HASH_LEN + 1];

    (void)state;
    for (int i = 0; i < EV_HASH_LEN; i++)
        h[i] = (unsigned char)(i * 8 + 7);
    memset(out, 'X', sizeof out);
    ev_hex(h, out);
    assert_string_equal(out, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
}

static void
unhex_reads_what_hex_writes_and_nothing_else(void **state)
{
    static const char good[] = "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff";
    static const char *const bad[] = {
        "070F171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff",  /* upper case */
        "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7f",   /* 63 digits */
        "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff0", /* 65 digits */
        "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7fg",  /* not hex */
        " 70f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff",  /* a space */
        "",
        NULL,
    };
    unsigned char h[EV_HASH_LEN];
    char back[2 * EV_HASH_LEN + 1];

    (void)state;
    assert_int_equal(ev_unhex(good, h), 0);
    ev_hex(h, back);
    assert_string_equal(back, good);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ev_unhex(bad[i], h), -1);
}

/* One event to append through support_write. */
struct note {
    const char *reason;
    json_t *attrs;
    long long seq;
};

static int
append_note(struct db *db, void *arg, struct diag *d)
{
    struct note *n = arg;
    struct event e = {.type = "note", .reason = n->reason, .eff = "2020-01-01", .attrs = n->attrs};

    return ev_append(db, &e, &n->seq, d);
}

static void
append(struct db *db, const char *reason)
{
    struct note n = {.reason = reason};
    struct diag d = {0};

    if (support_write(db, append_note, &n, &d) != 0)
        fail_msg("cannot append: %s", d.msg);
}

static int
append_two(struct db *db, void *arg, struct diag *d)
{
    int rc = append_note(db, arg, d);

    return rc ? rc : append_note(db, arg, d);
}

static struct db *
store_with_notes(int n)
{
    struct db *db = support_store(0);
    char reason[32];

    for (int i = 1; i <= n; i++) {
        snprintf(reason, sizeof reason, "note %d", i);
        append(db, reason);
    }
    return db;
}

/* ev_appended names the events this connection inserted, from its first to its last: a writer's
 * --json answer. */
static void
appended_runs_from_the_first_event_inserted(void **state)
{
    struct db *db = support_store(0);
    struct note n = {.reason = "one"};
    struct diag d = {0};
    long long first = -1, last = -1, before;

    (void)state;
    assert_int_equal(ev_appended(db, &first, &last), 0);
    assert_int_equal(first, -1); /* untouched when there are none */
    before = support_int(db, "SELECT coalesce(max(seq), 0) FROM event");
    assert_int_equal(support_write(db, append_two, &n, &d), 0);
    assert_int_equal(ev_appended(db, &first, &last), 1);
    assert_int_equal(first, before + 1);
    assert_int_equal(last, n.seq);
    assert_int_equal(last, before + 2);
    append(db, "three");
    assert_int_equal(ev_appended(db, &first, &last), 1);
    assert_int_equal(first, before + 1);
    assert_int_equal(last, before + 3);
    db_close(db);
}

static void
exec_ok(struct db *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("'%s' failed: %s", sql, msg ? msg : "?");
}

static void
append_numbers_and_chains(void **state)
{
    struct db *db = support_store(0);
    struct note n = {.reason = "first"};
    struct ev_check c;
    struct diag d = {0};
    char head[2 * EV_HASH_LEN + 1];

    (void)state;
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_int_equal(n.seq, 1);
    n.reason = "second";
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_int_equal(n.seq, 2);
    n.reason = "third and fourth";
    assert_int_equal(support_write(db, append_two, &n, &d), 0);
    assert_int_equal(n.seq, 4);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 4);
    assert_int_equal(support_int(db, "SELECT max(seq) FROM event"), 4);

    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.count, 4);
    assert_int_equal(c.bad_seq, 0);
    assert_string_equal(c.why, "");
    ev_hex(c.head, head);
    assert_string_equal(head, support_text(db, "SELECT lower(hex(hash)) FROM event WHERE seq = 4"));

    /* The events of one transaction share a batch; the next transaction gets its own. */
    assert_int_equal(support_int(db, "SELECT count(DISTINCT batch) FROM event"), 3);
    assert_int_equal(support_int(db,
                                 "SELECT count(*) FROM event a JOIN event b ON a.batch = b.batch "
                                 "WHERE a.seq = 3 AND b.seq = 4"),
                     1);
    /* Each event records the handle's actor, its replica and the time, in order. */
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE actor = 'tester' AND "
                                     "login = 'tester' AND replica = (SELECT value FROM meta "
                                     "WHERE key = 'replica') AND length(recorded) = 24"),
                     4);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event a JOIN event b ON b.seq = "
                                     "a.seq + 1 WHERE b.recorded < a.recorded"),
                     0);
    assert_int_equal(support_int(db, "SELECT count(DISTINCT uuid) FROM event"), 4);
    db_close(db);
}

static void
empty_chain_checks_clean(void **state)
{
    struct db *db = support_store(0);
    unsigned char zero[EV_HASH_LEN] = {0};
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.bad_seq, 0);
    assert_memory_equal(c.head, zero, EV_HASH_LEN);
    db_close(db);
}

static void
attrs_are_stored_sorted_and_compact(void **state)
{
    struct db *db = support_store(0);
    struct note n = {.reason = "with attrs"};
    struct diag d = {0};
    struct ev_check c;
    int oom = 1;
    char *text;

    (void)state;
    n.attrs = json_object();
    json_object_set_new(n.attrs, "zeta", json_string("z"));
    json_object_set_new(n.attrs, "alpha", json_string("a b"));
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_string_equal(support_text(db, "SELECT attrs FROM event WHERE seq = 1"),
                        "{\"alpha\":\"a b\",\"zeta\":\"z\"}");
    text = ev_attrs_text(n.attrs, &oom);
    assert_int_equal(oom, 0);
    assert_string_equal(text, "{\"alpha\":\"a b\",\"zeta\":\"z\"}");
    free(text);
    json_object_clear(n.attrs);
    assert_null(ev_attrs_text(n.attrs, &oom));
    assert_int_equal(oom, 0);
    assert_null(ev_attrs_text(NULL, &oom));
    /* An empty object is stored as no attributes at all. */
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_int_equal(support_int(db, "SELECT attrs IS NULL FROM event WHERE seq = 2"), 1);
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 0);
    assert_int_equal(c.count, 2);
    json_decref(n.attrs);
    db_close(db);
}

static void
append_refuses_bad_text(void **state)
{
    struct db *db = support_store(0);
    struct note n = {.reason = "bad \xff byte"};
    struct diag d = {0};

    (void)state;
    assert_int_equal(support_write(db, append_note, &n, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "UTF-8"));
    n.reason = "fine";
    n.attrs = json_object();
    json_object_set_new(n.attrs, "n", json_integer(1));
    memset(&d, 0, sizeof d);
    assert_int_equal(support_write(db, append_note, &n, &d), DK_DATA);
    json_object_set_new(n.attrs, "n", json_string_nocheck("\xc0\x80"));
    memset(&d, 0, sizeof d);
    assert_int_equal(support_write(db, append_note, &n, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "'n'"));
    json_decref(n.attrs);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 0);
    db_close(db);
}

/* The OS login is a fact the user cannot change: one that is not UTF-8 is recorded with its
 * stray bytes as U+FFFD, so that the event stays text and the chain verifies. */
static void
append_repairs_a_login_that_is_not_text(void **state)
{
    struct db *db = support_store(0);
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    db_set_actor(db, "office", "bad\xffname");
    append(db, "by a strange login");
    assert_int_equal(support_int(db, "SELECT login = 'bad' || char(65533) || 'name' FROM event"),
                     1);
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 0);
    db_close(db);
}

/* Appends a good note, then fails on a bad one: the transaction must roll back. */
static int
append_then_fail(struct db *db, void *arg, struct diag *d)
{
    struct note bad = {.reason = "bad \xff"};
    int rc = append_note(db, arg, d);

    return rc ? rc : append_note(db, &bad, d);
}

static void
a_rolled_back_append_leaves_no_gap(void **state)
{
    struct db *db = store_with_notes(1);
    struct note n = {.reason = "rolled back"};
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    assert_int_equal(support_write(db, append_then_fail, &n, &d), DK_DATA);
    assert_int_equal(n.seq, 2); /* it was appended before the failure */
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 1);
    /* The next transaction starts from the chain on disk, not from the rolled-back head. */
    memset(&d, 0, sizeof d);
    n.reason = "kept";
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_int_equal(n.seq, 2);
    assert_string_equal(support_text(db, "SELECT reason FROM event WHERE seq = 2"), "kept");
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.bad_seq, 0);
    db_close(db);
}

static void
triggers_refuse_update_and_delete(void **state)
{
    struct db *db = store_with_notes(2);
    char *msg = NULL;

    (void)state;
    assert_int_not_equal(sqlite3_exec(db_handle(db), "UPDATE event SET reason = 'x' WHERE seq = 2",
                                      NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(
        sqlite3_exec(db_handle(db), "DELETE FROM event WHERE seq = 2", NULL, NULL, &msg),
        SQLITE_OK);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 2);
    assert_string_equal(support_text(db, "SELECT reason FROM event WHERE seq = 2"), "note 2");
    db_close(db);
}

static void
check_names_an_altered_event(void **state)
{
    struct db *db = store_with_notes(3);
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    exec_ok(db, "DROP TRIGGER event_no_update");
    exec_ok(db, "UPDATE event SET reason = 'x' WHERE seq = 2");
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 2);
    assert_non_null(strstr(c.why, "does not match"));
    assert_int_equal(d.code, 0);
    db_close(db);
}

static void
check_names_an_altered_hash(void **state)
{
    struct db *db = store_with_notes(3);
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    exec_ok(db, "DROP TRIGGER event_no_update");
    exec_ok(db, "UPDATE event SET hash = zeroblob(32) WHERE seq = 3");
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 3);
    assert_int_equal(c.count, 3);
    db_close(db);
}

static void
check_names_an_event_with_unreadable_attrs(void **state)
{
    struct db *db = store_with_notes(3);
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    exec_ok(db, "DROP TRIGGER event_no_update");
    exec_ok(db, "UPDATE event SET attrs = '{\"a\":1}' WHERE seq = 2");
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 2);
    assert_non_null(strstr(c.why, "attributes"));
    db_close(db);
}

static void
check_names_the_event_after_a_deleted_one(void **state)
{
    struct db *db = store_with_notes(4);
    struct ev_check c;
    struct diag d = {0};

    (void)state;
    exec_ok(db, "DROP TRIGGER event_no_delete");
    exec_ok(db, "DELETE FROM event WHERE seq = 2");
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 3);
    assert_non_null(strstr(c.why, "missing"));
    db_close(db);
}

static void
check_does_not_see_a_truncated_tail(void **state)
{
    struct db *db = store_with_notes(3);
    struct ev_check before, after;
    struct diag d = {0};

    (void)state;
    /* Cutting the newest events leaves a chain that checks clean but has another head: that is
     * why the head is published (verify --head / --against). */
    assert_int_equal(ev_check_chain(db, &before, &d), 0);
    exec_ok(db, "DROP TRIGGER event_no_delete");
    exec_ok(db, "DELETE FROM event WHERE seq = 3");
    assert_int_equal(ev_check_chain(db, &after, &d), 0);
    assert_int_equal(after.bad_seq, 0);
    assert_int_equal(after.count, 2);
    assert_memory_not_equal(before.head, after.head, EV_HASH_LEN);
    db_close(db);
}

static void
append_warns_when_the_clock_steps_back(void **state)
{
    struct db *db = store_with_notes(1);
    struct note n = {.reason = "after"};
    struct diag d = {0};

    (void)state;
    exec_ok(db, "DROP TRIGGER event_no_update");
    exec_ok(db, "UPDATE event SET recorded = '2999-01-01T00:00:00.000Z' WHERE seq = 1");
    assert_int_equal(support_write(db, append_note, &n, &d), 0);
    assert_int_equal(n.seq, 2);
    assert_non_null(strstr(d.warn, "2999-01-01T00:00:00.000Z"));
    db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canon_has_the_documented_layout),
        cmocka_unit_test(canon_marks_null_apart_from_empty),
        cmocka_unit_test(canon_sorts_attrs_by_key),
        cmocka_unit_test(canon_refuses_bad_attrs),
        cmocka_unit_test(hash_is_sha256_of_prev_and_canon),
        cmocka_unit_test(hash_changes_with_every_field_and_prev),
        cmocka_unit_test(hex_is_lower_case),
        cmocka_unit_test(unhex_reads_what_hex_writes_and_nothing_else),
        cmocka_unit_test(append_numbers_and_chains),
        cmocka_unit_test(appended_runs_from_the_first_event_inserted),
        cmocka_unit_test(empty_chain_checks_clean),
        cmocka_unit_test(attrs_are_stored_sorted_and_compact),
        cmocka_unit_test(append_refuses_bad_text),
        cmocka_unit_test(append_repairs_a_login_that_is_not_text),
        cmocka_unit_test(a_rolled_back_append_leaves_no_gap),
        cmocka_unit_test(triggers_refuse_update_and_delete),
        cmocka_unit_test(check_names_an_altered_event),
        cmocka_unit_test(check_names_an_altered_hash),
        cmocka_unit_test(check_names_an_event_with_unreadable_attrs),
        cmocka_unit_test(check_names_the_event_after_a_deleted_one),
        cmocka_unit_test(check_does_not_see_a_truncated_tail),
        cmocka_unit_test(append_warns_when_the_clock_steps_back),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
