/* net.h: everything that crosses a network, over libcurl loaded at first use. */
#ifndef DOCKET_NET_H
#define DOCKET_NET_H

#include <stddef.h>

#include "docket/diag.h"
#include "docket/event.h"

/* The limits every transfer runs under; net_defaults fills them. */
struct net_opts {
    long connect_ms;    /* connection timeout: 5 s */
    long total_ms;      /* whole-transfer timeout: 30 s */
    size_t max_bytes;   /* a larger body is refused: 1 MiB (64 MiB for imports) */
    const char *cacert; /* a CA file added to the system's, or NULL */
};

void net_defaults(struct net_opts *o);

/* Finds the user info ("USER[:PASSWORD]@") in URL[0..LEN): an '@' in its authority, which
 * begins after the first "://" (at the start when there is none, whatever the scheme) and ends
 * at the first '/', '?' or '#'; an '@' in the path, query or fragment is none. Returns the
 * length of the user info with its last '@' (0 when there is none) and, when AT is not NULL and
 * there is one, writes to *AT where it begins, so that a message can show the URL without it.
 * Borrows URL; cannot fail. `remote set` (endpoints) and `set`/`note --evidence` both refuse
 * such URLs with it. */
size_t net_userinfo(const char *url, size_t len, size_t *at);

/* What a transfer brought back. */
struct net_reply {
    long status;                       /* the HTTP status, 0 when none came */
    char final_url[2048];              /* after redirects */
    unsigned char sha256[EV_HASH_LEN]; /* of the body */
    size_t len;
    char *body;    /* owned, NUL-terminated, when the caller asked to keep it; else NULL */
    char why[256]; /* for a failed transfer: libcurl's message */
    int tls;       /* the failure was a certificate that does not verify: retrying cannot help */
    int unreached; /* no connection was made and nothing answered: the host could not be
                      resolved or connected to, or the connection timed out */
};

/* Returns 0 when libcurl can be loaded, else DK_NET naming what is missing. Loading happens
 * once, at the first call of any net_ function; commands that never call one never load it. */
int net_load(struct diag *d);

/* Checks, before any transfer, what would make every transfer under O fail the same way
 * here rather than on the network: libcurl loads and can be limited to http and https, and
 * O's CA file, if any, is a file that can be read. Exit codes: DK_DATA (the CA file), DK_NET
 * (libcurl). net_get, net_post and net_fetch_all check the same at each call. */
int net_check(const struct net_opts *o, struct diag *d);

/* GETs URL and keeps its body in OUT->body (free it). NAME stands for the URL in messages
 * (pass URL itself unless it holds a secret). Exit codes: DK_NET ("NAME: libcurl's message", a
 * status of 400 or more, a body over the cap), DK_DATA (a CA file that cannot be read). */
int net_get(const char *url, const char *name, const struct net_opts *o, struct net_reply *out,
            struct diag *d);

/* POSTs BODY as CONTENT_TYPE to URL with the extra header lines HEADERS (NULL-terminated, or
 * NULL), keeping the reply's body in OUT->body (free it; kept also for an HTTP error, whose
 * body often says why). NAME stands for the URL in messages: a webhook URL usually holds a
 * token and is never shown. Exit codes: DK_NET, DK_DATA (a CA file that cannot be read). */
int net_post(const char *url, const char *name, const char *content_type, const char *body,
             const char *const *headers, const struct net_opts *o, struct net_reply *out,
             struct diag *d);

/* Fetches URLS[0..N) with up to PARALLEL transfers at a time, hashing each body as it comes and
 * keeping none; OUT[i] gets each one's result (status 0 and why set when it failed, unreached
 * set when it failed before any connection was made or any answer came). PROGRESS,
 * when not NULL, is called after each one finishes with the number done. Returns 0 (failures
 * of single links are results, not errors), DK_NET when libcurl itself cannot run, or DK_DATA
 * for a CA file that cannot be read. */
int net_fetch_all(const char *const *urls, size_t n, int parallel, const struct net_opts *o,
                  struct net_reply *out, void (*progress)(size_t done, size_t n, void *arg),
                  void *arg, struct diag *d);

#endif
