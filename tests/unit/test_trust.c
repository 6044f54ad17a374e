/* test_trust.c: offices' keys and signatures, and the rules by which the shared log admits an
 * office's entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docket/event.h"
#include "docket/trust.h"
#include "support.h"

/* RFC 8032, section 7.1, test 1: a secret key, its public key, and its signature of the empty
 * message. */
static const char rfc_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_pub[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_sig[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8"
                              "821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/* Writes the RFC's secret key as a PKCS#8 PEM file at PATH with MODE. */
static void
write_rfc_key(const char *path, mode_t mode)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char der[48] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                             0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    char text[80];
    size_t n = 0;
    FILE *f;

    assert_int_equal(trust_unhex(rfc_seed, der + 16, 32), 0);
    for (size_t i = 0; i < sizeof der; i += 3) {
        unsigned v = (unsigned)der[i] << 16 | (unsigned)der[i + 1] << 8 | der[i + 2];

        text[n++] = b64[v >> 18 & 63];
        text[n++] = b64[v >> 12 & 63];
        text[n++] = b64[v >> 6 & 63];
        text[n++] = b64[v & 63];
    }
    text[n] = '\0';
    unlink(path);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", text);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static char dir[64];

static int
make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/docket-test-trust.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
remove_dir(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
signs_as_rfc_8032_says(void **state)
{
    struct trust_key *k = NULL;
    struct diag d = {0};
    unsigned char sig[TRUST_SIG_LEN], want[TRUST_SIG_LEN], pub[TRUST_PUB_LEN];
    char path[128], hex[TRUST_HEX], fp[TRUST_HEX];

    (void)state;
    snprintf(path, sizeof path, "%s/rfc.key", dir);
    write_rfc_key(path, 0600);
    assert_int_equal(trust_key_load(path, &k, &d), 0);
    trust_key_public_hex(k, hex);
    assert_string_equal(hex, rfc_pub);
    assert_int_equal(trust_sign(k, (const unsigned char *)"", 0, sig), 0);
    assert_int_equal(trust_unhex(rfc_sig, want, sizeof want), 0);
    assert_memory_equal(sig, want, sizeof sig);
    trust_key_public(k, pub);
    assert_int_equal(trust_verify(pub, (const unsigned char *)"", 0, sig), 1);
    sig[5] ^= 1;
    assert_int_equal(trust_verify(pub, (const unsigned char *)"", 0, sig), 0);
    /* The fingerprint is SHA-256 of the raw public key, as `sha256sum` gives it. */
    trust_key_fingerprint(k, fp);
    assert_string_equal(fp, "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9");
    trust_key_free(k);
}

static void
key_files_are_checked(void **state)
{
    struct trust_key *k = NULL, *again = NULL;
    struct diag d = {0};
    char path[128], a[TRUST_HEX], b[TRUST_HEX];
    struct stat sb;

    (void)state;
    snprintf(path, sizeof path, "%s/new.key", dir);
    assert_int_equal(trust_key_new(path, 0, &k, &d), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(trust_key_load(path, &again, &d), 0);
    trust_key_public_hex(k, a);
    trust_key_public_hex(again, b);
    assert_string_equal(a, b);
    trust_key_free(again);
    again = NULL;
    /* Never over an existing key, unless asked. */
    assert_int_equal(trust_key_new(path, 0, &again, &d), DK_STORE);
    assert_null(again);
    assert_int_equal(trust_key_new(path, 1, &again, &d), 0);
    trust_key_public_hex(again, b);
    assert_string_not_equal(a, b);
    trust_key_free(again);
    trust_key_free(k);
    k = NULL;
    /* 0640 is right; readable by others is refused, naming the mode. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(trust_key_load(path, &k, &d), 0);
    trust_key_free(k);
    k = NULL;
    assert_int_equal(chmod(path, 0644), 0);
    memset(&d, 0, sizeof d);
    assert_int_equal(trust_key_load(path, &k, &d), DK_STORE);
    assert_non_null(strstr(d.msg, "0644"));
    assert_null(k);
    /* Missing, and not a key. */
    memset(&d, 0, sizeof d);
    snprintf(path, sizeof path, "%s/none.key", dir);
    assert_int_equal(trust_key_load(path, &k, &d), DK_STORE);
    assert_non_null(strstr(d.msg, "docket key new"));
    snprintf(path, sizeof path, "%s/junk.key", dir);
    write_rfc_key(path, 0600);
    assert_int_equal(truncate(path, 40), 0);
    assert_int_equal(trust_key_load(path, &k, &d), DK_STORE);
}

/* ---- the rules, on a store whose shared log is written by hand ---- */

static int
append_event(struct db *db, void *arg, struct diag *d)
{
    return ev_append(db, arg, NULL, d);
}

static int
append_note(struct db *db, void *arg, struct diag *d)
{
    struct event e = {.type = "note", .subject = "n", .reason = arg, .eff = "2020"};

    return ev_append(db, &e, NULL, d);
}

/* Places every unplaced event of the store in the shared log, in local order. */
static void
place_all(struct db *db)
{
    char *err = NULL;

    assert_int_equal(
        sqlite3_exec(db_handle(db),
                     "INSERT INTO shared (uuid, seq, pos, hash, received) SELECT uuid, seq, "
                     "(SELECT coalesce(max(pos), 0) FROM shared) + row_number() OVER (ORDER BY "
                     "seq), hash, '2020-01-01T00:00:00.000Z' FROM event e WHERE NOT EXISTS "
                     "(SELECT 1 FROM shared s WHERE s.seq = e.seq)",
                     NULL, NULL, &err),
        SQLITE_OK);
}

struct check {
    long long pos;
    struct trust_entry e;
    const char *reason;
};

static int
check_one(struct db *db, void *arg, struct diag *d)
{
    struct check *c = arg;

    return trust_check_entry(db, c->pos, &c->e, &c->reason, d);
}

static int
standing(struct db *db, void *arg, struct diag *d)
{
    return trust_standing(db, arg, d);
}

/* The reason the log's rules give for entry E at POS: NULL to apply it. */
static const char *
decide(struct db *db, long long pos, const struct trust_entry *e)
{
    struct check c = {pos, *e, "unset"};
    struct diag d = {0};

    assert_int_equal(support_write(db, check_one, &c, &d), 0);
    return c.reason;
}

static void
offices_are_admitted_by_the_log(void **state)
{
    struct db *db = support_store(0);
    struct trust_key *founder = trust_key_make(), *other = trust_key_make();
    unsigned char msg[] = "canonical bytes", sig[TRUST_SIG_LEN], other_sig[TRUST_SIG_LEN];
    char pub[TRUST_HEX], other_pub[TRUST_HEX];
    struct diag d = {0};
    int st = -1;

    (void)state;
    db_set_key(db, founder);
    trust_key_public_hex(other, other_pub);
    trust_key_public_hex(founder, pub);
    assert_int_equal(trust_sign(founder, msg, sizeof msg, sig), 0);
    assert_int_equal(trust_sign(other, msg, sizeof msg, other_sig), 0);

    /* An empty log has no founder: every office may found it. */
    assert_int_equal(support_write(db, standing, &st, &d), 0);
    assert_int_equal(st, TRUST_NONE);
    /* The first write announces the office; once published, it founds the log. */
    assert_int_equal(support_write(db, append_note, "first", &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'office'"), 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM signature"), 2);
    place_all(db);
    assert_int_equal(support_write(db, standing, &st, &d), 0);
    assert_int_equal(st, TRUST_ADMITTED);

    {
        struct trust_entry mine = {.type = "note",
                                   .replica = db_replica(db),
                                   .canon = msg,
                                   .canon_len = sizeof msg,
                                   .sig = sig};
        struct trust_entry forged = mine, unsigned_entry = mine, stranger = mine;
        struct trust_entry office = {.type = "office",
                                     .replica = "r-2",
                                     .subject = "b",
                                     .new_value = other_pub,
                                     .canon = msg,
                                     .canon_len = sizeof msg,
                                     .sig = other_sig};
        struct trust_entry later = {.type = "note",
                                    .replica = "r-2",
                                    .canon = msg,
                                    .canon_len = sizeof msg,
                                    .sig = other_sig};

        forged.sig = other_sig;
        unsigned_entry.sig = NULL;
        stranger.replica = "r-2";
        stranger.sig = other_sig;
        assert_null(decide(db, 3, &mine));
        assert_string_equal(decide(db, 3, &forged), "signature");
        assert_string_equal(decide(db, 3, &unsigned_entry), "signature");
        assert_string_equal(decide(db, 3, &stranger), "not admitted");
        /* A new office's announcement counts once an admitted office admitted its key. */
        assert_string_equal(decide(db, 3, &office), "not admitted");
        {
            char fp[TRUST_HEX];
            struct event admit = {
                .type = "admit", .subject = "b", .reason = "new office", .eff = "2020"};

            trust_key_fingerprint(other, fp);
            admit.new_value = fp;
            assert_int_equal(support_write(db, append_event, &admit, &d), 0);
        }
        place_all(db);
        assert_null(decide(db, 4, &office));
        /* Until the announcement is in the log, the office's other entries are not. */
        assert_string_equal(decide(db, 4, &later), "not admitted");
    }
    db_close(db);
    trust_key_free(founder);
    trust_key_free(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signs_as_rfc_8032_says),
        cmocka_unit_test(key_files_are_checked),
        cmocka_unit_test(offices_are_admitted_by_the_log),
    };

    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
