/* etcd.h: etcd's v3 JSON gateway, spoken over the net module: endpoints, auth, retries. */
#ifndef DOCKET_ETCD_H
#define DOCKET_ETCD_H

#include <stddef.h>

#include <jansson.h>

#include "docket/diag.h"

/* Where the cluster is and who docket is to it. */
struct etcd_opts {
    const char *endpoints;     /* "http://h:p,http://h:p" */
    const char *user;          /* NULL: no auth */
    const char *password_file; /* readable by its owner only; holds the password */
    const char *cacert;        /* a CA to trust for https endpoints, or NULL */
    long timeout_ms;           /* per request: 2 s */
};

struct etcd;

/* Prepares a client (reading the password file, but not yet talking to the cluster). Exit
 * codes: DK_USAGE (no endpoints), DK_DATA (a password file others can read). */
int etcd_open(const struct etcd_opts *o, struct etcd **out, struct diag *d);

void etcd_close(struct etcd *e);

/* POSTs REQ (borrowed) to PATH ("/v3/kv/txn") and parses the reply into *RESP (owned). A
 * request that fails to connect, times out or meets an unavailable member moves on to the next
 * endpoint, for up to about 10 s (a leader change costs about a second); with a user, docket
 * authenticates first and again when the token is refused. Exit code DK_NET: every endpoint
 * down, a wrong password, a permission denied (a key outside the role). */
int etcd_call(struct etcd *e, const char *path, json_t *req, json_t **resp, struct diag *d);

/* Tell why the last etcd_call failed: the cluster answered no (a 4xx: permission denied, a
 * request too large), so that the same request cannot succeed; or the answer was over the
 * size cap. Any other failure (no answer, a timeout) leaves the outcome unknown. */
int etcd_refused(const struct etcd *e);
int etcd_too_large(const struct etcd *e);

/* Returns S[0..N) in base64 as a new JSON string, as the gateway wants keys and values. */
json_t *etcd_b64(const char *s, size_t n);

/* Decodes base64 S into a new NUL-terminated buffer (free it), its length in *N; NULL when S is
 * not base64 or memory runs out. */
char *etcd_unb64(const char *s, size_t *n);

/* Returns the integer that the gateway sends as a string (int64 fields), or 0. */
long long etcd_int(json_t *v);

#endif
