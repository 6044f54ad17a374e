/* trust.c: offices' Ed25519 keys and the signatures on their events: the key file, signing,
 * verifying, fingerprints. Which offices the shared log admits is in trust_office.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "docket/trust.h"

struct trust_key {
    EVP_PKEY *pkey;
    unsigned char pub[TRUST_PUB_LEN];
};

int
trust_key_path(const char *store, char *out, size_t n, struct diag *d)
{
    if (snprintf(out, n, "%s.key", store) < (int)n)
        return 0;
    return d ? diag_set(d, DK_STORE, "the store's name is too long for its key file") : DK_STORE;
}

void
trust_hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int
trust_unhex(const char *s, unsigned char *out, size_t n)
{
    if (s == NULL || strlen(s) != 2 * n || strspn(s, "0123456789abcdef") != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10;
        int lo = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' : s[2 * i + 1] - 'a' + 10;

        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* Wraps PKEY (owned) as a key; NULL when its public half cannot be read. */
static struct trust_key *
wrap(EVP_PKEY *pkey)
{
    struct trust_key *k = calloc(1, sizeof *k);
    size_t len = TRUST_PUB_LEN;

    if (k == NULL || pkey == NULL || EVP_PKEY_get_raw_public_key(pkey, k->pub, &len) != 1 ||
        len != TRUST_PUB_LEN) {
        free(k);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    return k;
}

struct trust_key *
trust_key_make(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *pkey = NULL;

    if (c == NULL || EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_keygen(c, &pkey) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(c);
    return pkey ? wrap(pkey) : NULL;
}

void
trust_key_free(struct trust_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

int
trust_key_new(const char *path, int replace, struct trust_key **out, struct diag *d)
{
    struct trust_key *k = NULL;
    char tmp[4096];
    FILE *f = NULL;
    int fd = -1, rc = 0;

    if (!replace && access(path, F_OK) == 0)
        return diag_set(d, DK_STORE,
                        "the key file '%s' exists: this store has a key ('docket key new --force' "
                        "replaces it)",
                        path);
    if ((k = trust_key_make()) == NULL)
        return diag_set(d, DK_IO, "cannot make a key pair: OpenSSL refused");
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        rc = diag_set(d, DK_IO, "cannot write '%s': the name is too long", path);
        goto out;
    }
    unlink(tmp);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
        (f = fdopen(fd, "w")) == NULL) {
        rc = diag_set(d, DK_IO, "cannot write the key file '%s': %s", path, strerror(errno));
        goto out;
    }
    fd = -1;
    if (PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL) != 1 || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        rc = diag_set(d, DK_IO, "cannot write the key file '%s'", path);
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        rc = diag_set(d, DK_IO, "cannot write the key file '%s': %s", path, strerror(errno));
        goto out;
    }
    f = NULL;
    if ((!replace && link(tmp, path) != 0) || (replace && rename(tmp, path) != 0))
        rc = diag_set(d, errno == EEXIST ? DK_STORE : DK_IO, "cannot write the key file '%s': %s",
                      path, strerror(errno));
out:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    if (rc == 0 && out)
        *out = k;
    else
        trust_key_free(k);
    return rc;
}

int
trust_key_load(const char *path, struct trust_key **out, struct diag *d)
{
    struct trust_key *k;
    struct stat sb;
    EVP_PKEY *pkey;
    FILE *f;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
        if (errno == ENOENT)
            return diag_set(d, DK_STORE,
                            "this store's key file '%s' is missing: every write is signed with it; "
                            "put it back, or make a new one with 'docket key new'",
                            path);
        return diag_set(d, DK_STORE, "cannot read the key file '%s': %s", path, strerror(errno));
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return diag_set(d, DK_STORE, "the key file '%s' is not a regular file", path);
    }
    if (sb.st_mode & 007) {
        close(fd);
        return diag_set(d, DK_STORE,
                        "the key file '%s' is open to others (mode %04o): 'chmod 600 %s', and "
                        "make a new key if others may have read it",
                        path, (unsigned)(sb.st_mode & 07777), path);
    }
    if ((f = fdopen(fd, "r")) == NULL) {
        close(fd);
        return diag_set(d, DK_STORE, "cannot read the key file '%s': %s", path, strerror(errno));
    }
    pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (pkey == NULL || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return diag_set(d, DK_STORE, "the key file '%s' does not hold an Ed25519 private key",
                        path);
    }
    if ((k = wrap(pkey)) == NULL)
        return diag_set(d, DK_STORE, "the key file '%s' cannot be used", path);
    *out = k;
    return 0;
}

void
trust_key_public(const struct trust_key *k, unsigned char pub[TRUST_PUB_LEN])
{
    memcpy(pub, k->pub, TRUST_PUB_LEN);
}

void
trust_key_public_hex(const struct trust_key *k, char out[TRUST_HEX])
{
    trust_hex(k->pub, TRUST_PUB_LEN, out);
}

void
trust_fingerprint(const unsigned char pub[TRUST_PUB_LEN], char out[TRUST_HEX])
{
    unsigned char h[SHA256_DIGEST_LENGTH];

    SHA256(pub, TRUST_PUB_LEN, h);
    trust_hex(h, sizeof h, out);
}

void
trust_key_fingerprint(const struct trust_key *k, char out[TRUST_HEX])
{
    trust_fingerprint(k->pub, out);
}

int
trust_sign(const struct trust_key *k, const unsigned char *msg, size_t len,
           unsigned char sig[TRUST_SIG_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t n = TRUST_SIG_LEN;
    int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(c, sig, &n, msg, len) == 1 && n == TRUST_SIG_LEN;

    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

struct trust_pub {
    EVP_PKEY *pkey;
};

struct trust_pub *
trust_pub_new(const unsigned char pub[TRUST_PUB_LEN])
{
    struct trust_pub *p = calloc(1, sizeof *p);

    if (p == NULL || (p->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                                            TRUST_PUB_LEN)) == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void
trust_pub_free(struct trust_pub *p)
{
    if (p == NULL)
        return;
    EVP_PKEY_free(p->pkey);
    free(p);
}

int
trust_pub_verify(const struct trust_pub *p, const unsigned char *msg, size_t len,
                 const unsigned char sig[TRUST_SIG_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, p->pkey) == 1 &&
             EVP_DigestVerify(c, sig, TRUST_SIG_LEN, msg, len) == 1;

    EVP_MD_CTX_free(c);
    return ok;
}

int
trust_verify(const unsigned char pub[TRUST_PUB_LEN], const unsigned char *msg, size_t len,
             const unsigned char sig[TRUST_SIG_LEN])
{
    struct trust_pub *p = trust_pub_new(pub);
    int ok = p && trust_pub_verify(p, msg, len, sig);

    trust_pub_free(p);
    return ok;
}
