/* links.h: the evidence attached to items, and checks that it is still there, unchanged. */
#ifndef DOCKET_LINKS_H
#define DOCKET_LINKS_H

#include "docket/db.h"
#include "docket/net.h"

/* One piece of evidence: a URL or a local file, with what is known of it. */
struct link {
    char *item, *key, *ref;
    int is_file;
    char *attached; /* effective date of the evidence */
    char *baseline; /* the SHA-256 it should have: the file's when attached, else the first
                       successful check's; NULL when none is known yet */
    char *last;     /* the last check's result (ok, changed, broken), or NULL */
    /* What this check found. */
    const char *result; /* "ok", "changed", "broken" */
    long status;
    char sha256[65], final_url[2048], why[256];
};

/* Loads the visible evidence (of item KEY only, when not NULL) into *OUT (links_free). Exit
 * codes: DK_DATA (unknown key), DK_STORE. */
int links_load(struct db *db, const char *key, struct link **out, size_t *n, struct diag *d);

void links_free(struct link *l, size_t n);

/* Checks every link, outside any transaction: URLs fetched PARALLEL at a time under O, files
 * hashed again. Fills each link's result. Returns 0, DK_NET when libcurl cannot run or when
 * there are URLs and none of them reached anything (no name resolved, no connection made: the
 * network, not the links, is at fault, and nothing should be recorded), or DK_DATA for a CA
 * file that cannot be read. */
int links_check(struct link *l, size_t n, int parallel, const struct net_opts *o,
                void (*progress)(size_t done, size_t n, void *arg), void *arg, struct diag *d);

/* Records each link's check as a 'check' event, inside the caller's write transaction.
 * Returns 0 or DK_STORE. */
int links_record(struct db *db, const struct link *l, size_t n, struct diag *d);

#endif
