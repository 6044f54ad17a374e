/* uuid.h: random (v4) and name-based (v5, SHA-1) UUIDs in their 36-character text form. */
#ifndef DOCKET_UUID_H
#define DOCKET_UUID_H

#include <stddef.h>

enum { UUID_LEN = 36 };

/* Writes a random version 4 UUID into OUT. Returns 0, or -1 when the system has no random
 * bytes to give. */
int uuid_v4(char out[UUID_LEN + 1]);

/* Writes the version 5 UUID of NAME[0..LEN) in docket's namespace into OUT, the same on every
 * machine. Returns 0, or -1 when libcrypto fails. */
int uuid_v5(const char *name, size_t len, char out[UUID_LEN + 1]);

#endif
