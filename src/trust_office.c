/* trust_office.c: which offices the shared log admits, and whether an entry may be applied. The
 * admission rules read the events this store has placed in the shared log, so every office
 * that has applied the same log decides alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docket/trust.h"

const char *const trust_decision_type[3] = {"admit", "revoke", "rekey"};

/* Positions beyond any log: "anywhere in the applied log". */
#define ANYWHERE 9000000000000000000LL

int
trust_office_name(struct db *db, char *buf, size_t n, struct diag *d)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = 'office.name'";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    buf[0] = '\0';
    if ((rc = db_row(db, st, d)) == 1)
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* Returns 1 when NAME can name an office: 1 to 64 letters, digits, '.', '-', '_'. */
static int
name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    return n > 0 && n <= 64 &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

int
trust_office_set_name(struct db *db, const char *name, struct diag *d)
{
    static const char sql[] = "INSERT INTO meta (key, value) VALUES ('office.name', :name) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st = NULL;
    int rc;

    if (!name_ok(name))
        return diag_set(d, DK_DATA,
                        "office name '%s' is not 1 to 64 letters, digits, '.', '-' or '_'",
                        name ? name : "");
    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":name", name, d)) != 0)
        return rc;
    return db_run(db, st, d);
}

/* The office that founded the log: the first signed office event placed in it (an unsigned one,
 * placed before the log had a founder, binds nothing). FOUND 0 when the log has none yet. */
struct founder {
    int found;
    long long pos;
    char replica[64], name[72];
};

static int
load_founder(struct db *db, struct founder *f, struct diag *d)
{
    static const char sql[] =
        "SELECT e.replica, e.subject, s.pos FROM event e CROSS JOIN shared s ON s.seq = "
        "e.seq JOIN signature g ON g.uuid = e.uuid WHERE e.type = 'office' ORDER BY s.pos "
        "LIMIT 1";
    sqlite3_stmt *st = NULL;
    int rc;

    memset(f, 0, sizeof *f);
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1) {
        f->found = 1;
        snprintf(f->replica, sizeof f->replica, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(f->name, sizeof f->name, "%s", (const char *)sqlite3_column_text(st, 1));
        f->pos = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* The key and name bound to REPLICA by the signed office events placed before POS: its latest
 * one. *FOUND 0 when it has none. */
static int
load_bound(struct db *db, const char *replica, long long pos, int *found,
           unsigned char pub[TRUST_PUB_LEN], char name[72], struct diag *d)
{
    static const char sql[] =
        "SELECT e.subject, e.new_value FROM event e CROSS JOIN shared s ON s.seq = e.seq JOIN "
        "signature g ON g.uuid = e.uuid WHERE e.type = 'office' AND e.replica = :replica AND "
        "s.pos < :pos ORDER BY s.pos DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    int rc;

    *found = 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":replica", replica, d)) != 0 ||
        (rc = db_bind_int(db, st, ":pos", pos, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 &&
        trust_unhex((const char *)sqlite3_column_text(st, 1), pub, TRUST_PUB_LEN) == 0) {
        *found = 1;
        snprintf(name, 72, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* What a question about the events binds, where the SQL has the parameter (":" and the
 * field's name): each text (NULL binds SQL NULL), and POS. */
struct ask {
    const char *type, *name, *fp, *by, *replica, *pub;
    long long pos;
};

/* Sets *YES to whether SQL (a "SELECT 1 ... LIMIT 1") finds a row for A. */
static int
asked(struct db *db, const char *sql, const struct ask *a, int *yes, struct diag *d)
{
    const char *const names[] = {":type", ":name", ":fp", ":by", ":replica", ":pub"};
    const char *const values[] = {a->type, a->name, a->fp, a->by, a->replica, a->pub};
    sqlite3_stmt *st = NULL;
    int rc;

    *yes = 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0)
        return rc;
    for (int i = 0; i < 6; i++)
        if (sqlite3_bind_parameter_index(st, names[i]) > 0 &&
            (rc = db_bind_text(db, st, names[i], values[i], d)) != 0)
            return rc;
    if (sqlite3_bind_parameter_index(st, ":pos") > 0 &&
        (rc = db_bind_int(db, st, ":pos", a->pos, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        *yes = 1;
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* Whether a signed office event of another replica than REPLICA, placed before POS, announced
 * the public key PUB (hex). */
static int
key_taken(struct db *db, const char *pub, const char *replica, long long pos, int *yes,
          struct diag *d)
{
    static const char sql[] =
        "SELECT 1 FROM event e CROSS JOIN shared s ON s.seq = e.seq JOIN signature g ON g.uuid = "
        "e.uuid WHERE e.type = 'office' AND e.new_value = :pub AND e.replica <> :replica AND "
        "s.pos < :pos LIMIT 1";

    return asked(db, sql, &(struct ask){.pub = pub, .replica = replica, .pos = pos}, yes, d);
}

/* Whether a signed decision of type TYPE about (NAME, FP) was placed before POS; BY (when not
 * NULL) must be the replica that made it. */
static int
decided(struct db *db, const char *type, const char *name, const char *fp, const char *by,
        long long pos, int *yes, struct diag *d)
{
    static const char sql[] =
        "SELECT 1 FROM event e CROSS JOIN shared s ON s.seq = e.seq JOIN signature g ON g.uuid = "
        "e.uuid WHERE e.type = :type AND e.item IS NULL AND e.subject = :name AND e.new_value = "
        ":fp AND s.pos < :pos AND (:by IS NULL OR e.replica = :by) LIMIT 1";

    return asked(db, sql, &(struct ask){.type = type, .name = name, .fp = fp, .by = by, .pos = pos},
                 yes, d);
}

/* Whether this store holds a signed rekey of its own about (NAME, FP) not yet placed in the
 * shared log. */
static int
rekey_waiting(struct db *db, const char *name, const char *fp, int *yes, struct diag *d)
{
    static const char sql[] =
        "SELECT 1 FROM event e JOIN signature g ON g.uuid = e.uuid WHERE e.type = 'rekey' AND "
        "e.item IS NULL AND e.subject = :name AND e.new_value = :fp AND e.replica = :replica "
        "AND NOT EXISTS (SELECT 1 FROM shared s WHERE s.seq = e.seq) LIMIT 1";

    return asked(db, sql, &(struct ask){.name = name, .fp = fp, .replica = db_replica(db)}, yes, d);
}

/* The standing, at position POS, of REPLICA's office NAME with key fingerprint FP: admitted
 * (the founder, or an admit or rekey of (NAME, FP) before POS, a rekey of the founder by the
 * founder alone), revoked (a revoke of (NAME, FP) by the founder before POS), or waiting. */
static int
standing_at(struct db *db, const struct founder *f, const char *replica, const char *name,
            const char *fp, long long pos, int *standing, struct diag *d)
{
    int founder = strcmp(replica, f->replica) == 0, yes = 0, rc;

    if ((rc = decided(db, "revoke", name, fp, f->replica, pos, &yes, d)) != 0)
        return rc;
    if (yes) {
        *standing = TRUST_REVOKED;
        return 0;
    }
    if (founder) {
        *standing = TRUST_ADMITTED; /* by its founding entry */
        return 0;
    }
    /* The founder's name takes a new key from the founder alone. */
    if ((rc = decided(db, "admit", name, fp, NULL, pos, &yes, d)) != 0 ||
        (!yes && (rc = decided(db, "rekey", name, fp,
                               strcmp(name, f->name) == 0 ? f->replica : NULL, pos, &yes, d)) != 0))
        return rc;
    *standing = yes ? TRUST_ADMITTED : TRUST_WAITING;
    return 0;
}

int
trust_standing(struct db *db, int *standing, struct diag *d)
{
    const struct trust_key *k = db_key(db);
    unsigned char pub[TRUST_PUB_LEN], own[TRUST_PUB_LEN];
    char fp[TRUST_HEX], name[72], bound_name[72];
    struct founder f;
    int rc, bound, yes = 0;

    if (k == NULL)
        return diag_set(d, DK_STORE, "internal: no key to stand by");
    trust_key_fingerprint(k, fp);
    if ((rc = trust_office_name(db, name, sizeof name, d)) != 0 ||
        (rc = load_founder(db, &f, d)) != 0)
        return rc;
    if (!f.found) {
        *standing = TRUST_NONE;
        return 0;
    }
    trust_key_public(k, own);
    if ((rc = load_bound(db, db_replica(db), ANYWHERE, &bound, pub, bound_name, d)) != 0)
        return rc;
    if (bound && memcmp(pub, own, TRUST_PUB_LEN) == 0)
        return standing_at(db, &f, db_replica(db), bound_name, fp, ANYWHERE, standing, d);
    if (bound) {
        /* Another key is bound to this replica: this one counts once a rekey names it (the
         * founder's, by the founder alone), or this office's own rekey signed with the bound
         * key is waiting to be published ahead of the office event that announces this one
         * (`office rotate`). */
        const char *by = strcmp(db_replica(db), f.replica) == 0 ? f.replica : NULL;

        if ((rc = decided(db, "rekey", bound_name, fp, by, ANYWHERE, &yes, d)) != 0 ||
            (!yes && (rc = rekey_waiting(db, bound_name, fp, &yes, d)) != 0))
            return rc;
        *standing = yes ? TRUST_ADMITTED : TRUST_WAITING;
        return 0;
    }
    return standing_at(db, &f, db_replica(db), name, fp, ANYWHERE, standing, d);
}

int
trust_may_decide(struct db *db, int what, const char *name, const char *fp, struct diag *d)
{
    unsigned char raw[32];
    char mine[TRUST_HEX];
    struct founder f;
    int standing, rc, yes = 0;

    if (!name_ok(name))
        return diag_set(d, DK_DATA,
                        "office name '%s' is not 1 to 64 letters, digits, '.', '-' or '_'", name);
    if (trust_unhex(fp, raw, sizeof raw) != 0)
        return diag_set(d, DK_DATA,
                        "fingerprint '%s' is not 64 lower-case hex digits ('docket office show' "
                        "on that office prints it)",
                        fp);
    if ((rc = trust_standing(db, &standing, d)) != 0 || (rc = load_founder(db, &f, d)) != 0)
        return rc;
    trust_key_fingerprint(db_key(db), mine);
    if (standing == TRUST_WAITING || standing == TRUST_REVOKED)
        return diag_set(d, DK_USAGE, "this office is %s: it cannot %s an office",
                        standing == TRUST_REVOKED ? "revoked" : "not admitted yet",
                        trust_decision_type[what]);
    if (what == TRUST_REVOKE && (!f.found || strcmp(f.replica, db_replica(db)) != 0))
        return diag_set(d, DK_USAGE, "only the founding office%s%s%s revokes an office",
                        f.found ? " (" : "", f.found ? f.name : "", f.found ? ")" : "");
    if (what == TRUST_REKEY && f.found && strcmp(name, f.name) == 0 &&
        strcmp(f.replica, db_replica(db)) != 0)
        return diag_set(d, DK_USAGE, "only the founding office rotates its own key");
    if (what == TRUST_ADMIT && strcmp(fp, mine) == 0)
        return diag_set(d, DK_DATA, "that is this office's own key");
    if ((rc = decided(db, what == TRUST_REVOKE ? "revoke" : "admit", name, fp, NULL, ANYWHERE, &yes,
                      d)) != 0)
        return rc;
    if (yes && what != TRUST_REKEY)
        return diag_set(d, DK_DATA, "office '%s' with that key is %s already", name,
                        what == TRUST_REVOKE ? "revoked" : "admitted");
    return 0;
}

/* Whether HEAD ("POS:HEX") is the shared chain's head at POS as this store holds it, POS below
 * AT. */
static int
head_ok(struct db *db, const char *head, long long at, int *ok, struct diag *d)
{
    unsigned char want[32], zero[32] = {0}, held[32];
    char *end = NULL;
    long long pos;
    int rc, found;

    *ok = 0;
    if (head == NULL || (pos = strtoll(head, &end, 10)) < 0 || end == head || *end != ':' ||
        pos >= at || trust_unhex(end + 1, want, sizeof want) != 0)
        return 0;
    if (pos == 0) {
        *ok = memcmp(want, zero, sizeof want) == 0;
        return 0;
    }
    if ((rc = db_shared_hash(db, pos, held, &found, d)) != 0)
        return rc;
    *ok = found && memcmp(held, want, sizeof want) == 0;
    return 0;
}

/* Verifies E's signature under PUB, or takes the check made beforehand under the same key. */
static int
signed_by(const struct trust_entry *e, const unsigned char pub[TRUST_PUB_LEN])
{
    if (e->tried && memcmp(e->tried, pub, TRUST_PUB_LEN) == 0)
        return e->verified;
    return trust_verify(pub, e->canon, e->canon_len, e->sig);
}

int
trust_key_of(struct db *db, const char *replica, int *found, unsigned char pub[TRUST_PUB_LEN],
             struct diag *d)
{
    char name[72];

    return load_bound(db, replica, ANYWHERE, found, pub, name, d);
}

int
trust_check_entry(struct db *db, long long pos, const struct trust_entry *e, const char **reason,
                  struct diag *d)
{
    int office = strcmp(e->type, "office") == 0, bound = 0, standing, ok, rc;
    unsigned char pub[TRUST_PUB_LEN], announced[TRUST_PUB_LEN];
    char fp[TRUST_HEX], name[72];
    struct founder f;

    *reason = NULL;
    if ((rc = load_founder(db, &f, d)) != 0)
        return rc;
    if (office && (e->new_value == NULL ||
                   trust_unhex(e->new_value, announced, TRUST_PUB_LEN) != 0 || e->subject == NULL))
        office = -1; /* announces no key: it can be no office's */
    if (!f.found) {
        /* Logs made before offices had keys: their unsigned entries stand. The first signed
         * entry founds the log, and must announce the key that signed it. */
        if (e->sig == NULL)
            return 0;
        if (office != 1)
            *reason = "not admitted";
        else if (!signed_by(e, announced))
            *reason = "signature";
        else if ((rc = head_ok(db, e->head, pos, &ok, d)) != 0)
            return rc;
        else if (!ok)
            *reason = "chain";
        return 0;
    }
    if (e->sig == NULL) {
        *reason = "signature"; /* past the cut-over every entry is signed */
        return 0;
    }
    if ((rc = load_bound(db, e->replica, pos, &bound, pub, name, d)) != 0)
        return rc;
    if (office == 1) {
        trust_fingerprint(announced, fp);
        if (bound && memcmp(announced, pub, TRUST_PUB_LEN) != 0) {
            /* A new key for a bound replica: only a rekey binds it. */
            int yes = 0;

            if ((rc = decided(db, "rekey", name, fp, strcmp(name, f.name) == 0 ? f.replica : NULL,
                              pos, &yes, d)) != 0)
                return rc;
            if (!yes) {
                *reason = signed_by(e, pub) ? "not admitted" : "signature";
                return 0;
            }
        }
        if (!bound) {
            /* A key is one store's: announced by a new replica, it is a copy's, given a new
             * replica id to pass for another office. */
            int taken = 0;

            if ((rc = key_taken(db, e->new_value, e->replica, pos, &taken, d)) != 0)
                return rc;
            if (taken) {
                *reason = signed_by(e, announced) ? "not admitted" : "signature";
                return 0;
            }
            snprintf(name, sizeof name, "%s", e->subject);
        }
        memcpy(pub, announced, TRUST_PUB_LEN);
    } else if (!bound) {
        *reason = "not admitted";
        return 0;
    }
    if (!signed_by(e, pub)) {
        *reason = "signature";
        return 0;
    }
    trust_fingerprint(pub, fp);
    if ((rc = standing_at(db, &f, e->replica, name, fp, pos, &standing, d)) != 0)
        return rc;
    if (standing == TRUST_REVOKED)
        *reason = "revoked";
    else if (standing != TRUST_ADMITTED)
        *reason = "not admitted";
    else if (e->used)
        memcpy(e->used, pub, TRUST_PUB_LEN);
    return 0;
}

/* Fills O's admission (or the founder's) and revocation from the placed decisions. */
static int
office_decisions(struct db *db, const struct founder *f, struct trust_office *o, struct diag *d)
{
    static const char sql[] =
        "SELECT e.type, s.pos, (SELECT b.subject FROM event b CROSS JOIN shared bs ON bs.seq = "
        "b.seq "
        "WHERE b.type = 'office' AND b.replica = e.replica ORDER BY bs.pos DESC LIMIT 1), "
        "e.replica FROM event e CROSS JOIN shared s ON s.seq = e.seq JOIN signature g ON g.uuid = "
        "e.uuid WHERE e.type IN ('admit', 'rekey', 'revoke') AND e.item IS NULL AND e.subject = "
        ":name AND e.new_value = :fp ORDER BY s.pos";
    sqlite3_stmt *st = NULL;
    int rc;

    o->founder = f->found && strcmp(o->replica, f->replica) == 0;
    if (o->founder)
        o->admitted_at = f->pos;
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":name", o->name, d)) != 0 ||
        (rc = db_bind_text(db, st, ":fp", o->fingerprint, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *by = (const char *)sqlite3_column_text(st, 2);

        if (strcmp(type, "revoke") == 0) {
            if (o->revoked_at == 0 &&
                strcmp((const char *)sqlite3_column_text(st, 3), f->replica) == 0)
                o->revoked_at = sqlite3_column_int64(st, 1);
        } else if (o->admitted_at == 0) {
            o->admitted_at = sqlite3_column_int64(st, 1);
            snprintf(o->admitted_by, sizeof o->admitted_by, "%s", by ? by : "");
        }
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

int
trust_offices(struct db *db, int (*fn)(const struct trust_office *o, void *arg), void *arg,
              struct diag *d)
{
    /* Each replica's latest office event, in the order of its first; then admissions whose key
     * no office event has announced. */
    static const char seen_sql[] =
        "WITH o AS (SELECT e.subject, e.replica, e.new_value, s.pos FROM event e CROSS JOIN "
        "shared s ON s.seq = e.seq JOIN signature g ON g.uuid = e.uuid WHERE e.type = 'office') "
        "SELECT subject, replica, new_value, pos FROM o WHERE pos = (SELECT max(pos) FROM o o2 "
        "WHERE o2.replica = o.replica) ORDER BY (SELECT min(pos) FROM o o3 WHERE o3.replica = "
        "o.replica)";
    static const char admitted_sql[] =
        "SELECT e.subject, e.new_value FROM event e CROSS JOIN shared s ON s.seq = e.seq JOIN "
        "signature "
        "g ON g.uuid = e.uuid WHERE e.type IN ('admit', 'rekey') AND e.item IS NULL ORDER BY "
        "s.pos";
    struct trust_office *list = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    struct founder f;
    int rc;

    if ((rc = load_founder(db, &f, d)) != 0 || (rc = db_prep(db, seen_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        unsigned char pub[TRUST_PUB_LEN];
        struct trust_office *o;

        if (n == cap) {
            struct trust_office *more = realloc(list, (cap = cap ? 2 * cap : 8) * sizeof *list);

            if (more == NULL) {
                rc = diag_set(d, DK_STORE, "out of memory");
                break;
            }
            list = more;
        }
        o = memset(&list[n++], 0, sizeof *list);
        snprintf(o->name, sizeof o->name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(o->replica, sizeof o->replica, "%s", (const char *)sqlite3_column_text(st, 1));
        if (trust_unhex((const char *)sqlite3_column_text(st, 2), pub, sizeof pub) == 0)
            trust_fingerprint(pub, o->fingerprint);
        o->seen_at = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc < 0)
        rc = d->code;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if ((rc = office_decisions(db, &f, &list[i], d)) == 0)
            rc = fn(&list[i], arg);
    if (rc == 0 && (rc = db_prep(db, admitted_sql, &st, d)) == 0) {
        while (rc == 0 && (rc = db_row(db, st, d)) == 1) {
            struct trust_office o = {0};
            size_t i;

            snprintf(o.name, sizeof o.name, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(o.fingerprint, sizeof o.fingerprint, "%s",
                     (const char *)sqlite3_column_text(st, 1));
            for (i = 0; i < n; i++)
                if (strcmp(list[i].fingerprint, o.fingerprint) == 0)
                    break;
            rc = 0;
            if (i == n && (rc = office_decisions(db, &f, &o, d)) == 0)
                rc = fn(&o, arg);
        }
        sqlite3_reset(st);
        rc = rc < 0 ? d->code : rc == 1 ? 0 : rc;
    }
    free(list);
    return rc;
}

int
trust_default_name(char *out, size_t n)
{
    char host[256] = "";

    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        snprintf(host, sizeof host, "office");
    host[64] = '\0';
    for (char *p = host; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p))
            *p = '-';
    snprintf(out, n, "%s", host);
    return 0;
}

int
trust_is_founder(struct db *db, int *yes, struct diag *d)
{
    struct founder f;
    int rc;

    if ((rc = load_founder(db, &f, d)) != 0)
        return rc;
    *yes = f.found && strcmp(f.replica, db_replica(db)) == 0;
    return 0;
}

int
trust_founder(struct db *db, int *found, char name[72], char fp[TRUST_HEX], struct diag *d)
{
    unsigned char pub[TRUST_PUB_LEN];
    struct founder f;
    int rc, bound;

    if ((rc = load_founder(db, &f, d)) != 0)
        return rc;
    *found = 0;
    if (!f.found || (rc = load_bound(db, f.replica, f.pos + 1, &bound, pub, name, d)) != 0)
        return rc;
    *found = bound;
    if (bound)
        trust_fingerprint(pub, fp);
    return 0;
}
