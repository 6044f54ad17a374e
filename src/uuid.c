/* uuid.c: random (v4) and name-based (v5, SHA-1) UUIDs in their 36-character text form. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* SHA1_Init rather than EVP, for the reason given in event.c. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "docket/uuid.h"

/* docket's namespace for name-based UUIDs. Changing it would change every item's identity. */
static const unsigned char namespace_docket[16] = {0x6f, 0x1c, 0x3a, 0x52, 0x9d, 0x0e, 0x4b, 0x8a,
                                                   0xa4, 0x21, 0x5e, 0x93, 0x0c, 0x7d, 0xb2, 0x48};

static void
format(const unsigned char b[16], char out[UUID_LEN + 1])
{
    snprintf(out, UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

int
uuid_v4(char out[UUID_LEN + 1])
{
    unsigned char b[16];

    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -1;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format(b, out);
    return 0;
}

int
uuid_v5(const char *name, size_t len, char out[UUID_LEN + 1])
{
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA_CTX c;

    if (SHA1_Init(&c) != 1 || SHA1_Update(&c, namespace_docket, sizeof namespace_docket) != 1 ||
        SHA1_Update(&c, name, len) != 1 || SHA1_Final(md, &c) != 1)
        return -1;
    md[6] = (md[6] & 0x0f) | 0x50;
    md[8] = (md[8] & 0x3f) | 0x80;
    format(md, out);
    return 0;
}
