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
    long retry_ms;             /* how long a call tries the endpoints in turn: 10 s */
};

struct etcd;

/* Checks an endpoint list as etcd_open reads it: up to 16 comma-separated http:// or https://
 * URLs, HOST or HOST:PORT and an optional path, without user info (a password in a URL would
 * be shown wherever the endpoint is named) or a query. Returns 0 or DK_USAGE. */
int etcd_check_endpoints(const char *endpoints, struct diag *d);

/* Prepares a client: checks the endpoints, reads the password file, checks the CA file and
 * that libcurl can run, but does not yet talk to the cluster. Exit codes: DK_USAGE (no
 * endpoints, a bad one, more than 16, a user without a password file), DK_DATA (a password
 * file that cannot be read or others can read, a password over 1024 bytes, a user or password
 * that is not UTF-8, a CA file that cannot be read), DK_NET (libcurl missing or too old, out
 * of memory). */
int etcd_open(const struct etcd_opts *o, struct etcd **out, struct diag *d);

void etcd_close(struct etcd *e);

/* Parses a reply's body, BODY[0..LEN), as etcd_call does. Returns its JSON value, owned by the
 * caller (json_decref), or NULL when it is not JSON. */
json_t *etcd_parse(const char *body, size_t len);

/* POSTs REQ (borrowed) to PATH ("/v3/kv/txn") and parses the reply into *RESP (owned). A
 * request that fails to connect, times out or meets an unavailable member moves on to the next
 * endpoint, for up to about 10 s (a leader change costs about a second); with a user, docket
 * authenticates first and again when the token is refused. Exit codes: DK_NET (every endpoint
 * down, a wrong password, a permission denied: a key outside the role); DK_DATA for a failure
 * here rather than on the network (a CA file gone since etcd_open), returned at once. */
int etcd_call(struct etcd *e, const char *path, json_t *req, json_t **resp, struct diag *d);

/* Returns the highest revision of the cluster's store that an answer to this client gave (0
 * before the first): every key changed since has a greater mod_revision. */
long long etcd_revision(const struct etcd *e);

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
