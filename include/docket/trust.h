/* trust.h: offices' keys, the signatures on their events, and which offices the shared log
 * admits. */
#ifndef DOCKET_TRUST_H
#define DOCKET_TRUST_H

#include <stddef.h>

#include "docket/db.h"

enum {
    TRUST_PUB_LEN = 32, /* an Ed25519 public key's raw bytes */
    TRUST_SIG_LEN = 64, /* an Ed25519 signature's bytes */
    TRUST_HEX = 65      /* room for a public key or fingerprint in hex, and its NUL */
};

/* An office's Ed25519 key pair, loaded from its key file. */
struct trust_key;

/* Writes the key file's path of the store at STORE ("STORE.key") into OUT. Returns 0, or
 * DK_STORE (with D set, when not NULL) when it does not fit. */
int trust_key_path(const char *store, char *out, size_t n, struct diag *d);

/* Makes a new key pair and writes it to PATH (PEM, PKCS#8, as `openssl genpkey -algorithm
 * ed25519` writes it), mode 0600, through a temporary file renamed into place; with REPLACE an
 * existing PATH is replaced, else refused. On success *OUT (when not NULL) owns the key.
 * Exit codes: DK_STORE (PATH exists), DK_IO (cannot write it). */
int trust_key_new(const char *path, int replace, struct trust_key **out, struct diag *d);

/* Loads the key file at PATH. Refuses (DK_STORE, one line naming the file and the remedy) a
 * file that is missing, unreadable, not a regular file, readable or writable by others (mode
 * 0600 or 0640 are right), or not an Ed25519 private key. */
int trust_key_load(const char *path, struct trust_key **out, struct diag *d);

/* A new key pair held in memory only (tests, benchmarks); NULL when none can be made. */
struct trust_key *trust_key_make(void);

void trust_key_free(struct trust_key *k);

/* The key's public half: raw bytes, or 64 lower-case hex digits. */
void trust_key_public(const struct trust_key *k, unsigned char pub[TRUST_PUB_LEN]);
void trust_key_public_hex(const struct trust_key *k, char out[TRUST_HEX]);

/* The fingerprint of public key PUB: SHA-256 of its 32 raw bytes, in 64 lower-case hex digits.
 * It is what offices read to each other and what `office admit` takes. */
void trust_fingerprint(const unsigned char pub[TRUST_PUB_LEN], char out[TRUST_HEX]);
void trust_key_fingerprint(const struct trust_key *k, char out[TRUST_HEX]);

/* Signs MSG[0..LEN) (an event's canonical bytes) with K. Returns 0 or -1. */
int trust_sign(const struct trust_key *k, const unsigned char *msg, size_t len,
               unsigned char sig[TRUST_SIG_LEN]);

/* Returns 1 when SIG is PUB's signature of MSG[0..LEN), else 0. */
int trust_verify(const unsigned char pub[TRUST_PUB_LEN], const unsigned char *msg, size_t len,
                 const unsigned char sig[TRUST_SIG_LEN]);

/* Writes P[0..N) as 2*N lower-case hex digits and a NUL into OUT. */
void trust_hex(const unsigned char *p, size_t n, char *out);

/* A public key made ready to verify many signatures (one office's events). */
struct trust_pub;
struct trust_pub *trust_pub_new(const unsigned char pub[TRUST_PUB_LEN]); /* NULL: not a key */
void trust_pub_free(struct trust_pub *p);
/* Returns 1 when SIG is P's signature of MSG[0..LEN), else 0. */
int trust_pub_verify(const struct trust_pub *p, const unsigned char *msg, size_t len,
                     const unsigned char sig[TRUST_SIG_LEN]);

/* Reads exactly 2*N lower-case hex digits HEX into OUT[0..N). Returns 0 or -1. */
int trust_unhex(const char *hex, unsigned char *out, size_t n);

/* ---- offices, as the shared log this store has applied says ---- */

/* This store's office name (meta office.name), borrowed from BUF; "" when none is set yet. */
int trust_office_name(struct db *db, char *buf, size_t n, struct diag *d);

/* Writes the default office name into OUT: the host name, with any character an office name
 * cannot hold replaced by '-' and cut to 64 bytes ("office" when there is none). Returns 0. */
int trust_default_name(char *out, size_t n);

/* Sets this store's office name (init, clone: --office NAME, default the host name). Must run
 * inside a write transaction. DK_DATA for a name that is empty, longer than 64 bytes, or has
 * characters other than letters, digits, '.', '-', '_'. */
int trust_office_set_name(struct db *db, const char *name, struct diag *d);

/* Where an office stands in the shared log this store has applied. */
enum {
    TRUST_NONE,     /* the log has no signed entry yet: the first office to publish founds it */
    TRUST_WAITING,  /* no admission for this key yet */
    TRUST_ADMITTED, /* admitted (or the founder) and bound to this key */
    TRUST_REVOKED   /* revoked by the founder */
};

/* The office that founded the shared log as this store applied it: its name and fingerprint.
 * *FOUND 0 when the log has no founder yet. Must run inside a transaction. */
int trust_founder(struct db *db, int *found, char name[72], char fp[TRUST_HEX], struct diag *d);

/* *YES 1 when this store founded its shared log (its replica's office event is the first signed
 * one placed). Must run inside a transaction. */
int trust_is_founder(struct db *db, int *yes, struct diag *d);

/* This store's own standing, for its key (db_key), for sync (publish or wait) and `office
 * show`. Must run inside a transaction. Returns 0 or DK_STORE (no key set: "internal"). */
int trust_standing(struct db *db, int *standing, struct diag *d);

/* Checks that this office may record an `admit` (any admitted office, or the office about to
 * found the log), `revoke` (the founder only) or `rekey` (any admitted office; the founder's own
 * key only by the founder) for office NAME and fingerprint FP. The command then appends the
 * event itself: type "admit", "revoke" or "rekey", subject NAME, new value FP, its reason (no
 * item). Must run inside a transaction, with the store's key set (db_set_key). Exit codes:
 * DK_USAGE (this office may not), DK_DATA (a malformed name or fingerprint, that key already
 * admitted under that name, an office to revoke that the log does not know), DK_STORE. */
enum { TRUST_ADMIT, TRUST_REVOKE, TRUST_REKEY };
extern const char *const trust_decision_type[3]; /* "admit", "revoke", "rekey" */
int trust_may_decide(struct db *db, int what, const char *name, const char *fp, struct diag *d);

/* One shared-log entry, as the check of it needs it. */
struct trust_entry {
    const char *type, *replica, *subject, *new_value; /* C strings; the last two may be NULL */
    const char *head;           /* an office event's "head" attribute, or NULL */
    const unsigned char *canon; /* its canonical bytes */
    size_t canon_len;
    const unsigned char *sig; /* its signature, or NULL: unsigned */
    /* A check made beforehand (on another thread): SIG is (VERIFIED 1) or is not (0) the
     * signature of TRIED's key. Used when the entry's key is TRIED; NULL: none made. */
    const unsigned char *tried;
    int verified;
    unsigned char *used; /* when not NULL and the entry is accepted: the key its signature was
                            checked with (TRUST_PUB_LEN bytes) */
};

/* The key REPLICA's office is bound to in the applied log (its latest office event), into PUB;
 * *FOUND 0 when it has none. Must run inside a transaction. */
int trust_key_of(struct db *db, const char *replica, int *found, unsigned char pub[TRUST_PUB_LEN],
                 struct diag *d);

/* Decides whether the entry E at position POS may be applied, from the entries this store
 * applied before it alone, so that every office decides alike: *REASON is NULL (apply it), or
 * "signature", "not admitted", "revoked" or "chain" (the founder's cut-over head is not this
 * log's). The rules are the README's ("Offices and keys"). Returns 0 or DK_STORE. */
int trust_check_entry(struct db *db, long long pos, const struct trust_entry *e,
                      const char **reason, struct diag *d);

/* An office as the applied log knows it. */
struct trust_office {
    char name[72], replica[64], fingerprint[TRUST_HEX];
    char admitted_by[72]; /* the admitting office's name; "" for the founder */
    long long seen_at;    /* the position of its latest office event; 0: admitted, not seen yet */
    long long admitted_at, revoked_at; /* positions; 0: none */
    int founder;
};

/* Calls FN(O, ARG) for each office of the applied log: each replica's latest office event, in
 * the order of the positions of their first ones, then the admissions of keys no office event
 * has announced yet. Stops at FN's first non-zero return, which it returns. Must run inside a
 * transaction. Returns 0, FN's code, or DK_STORE. */
int trust_offices(struct db *db, int (*fn)(const struct trust_office *o, void *arg), void *arg,
                  struct diag *d);

#endif
