/* sync_int.h: what the sync files (sync.c, sync_pull.c, sync_publish.c, sync_watch.c) share:
 * one sync's state, a pulled entry, and the helpers each of them calls. Not part of the core's
 * interface: only the sync files include it. */
#ifndef DOCKET_SYNC_INT_H
#define DOCKET_SYNC_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "docket/date.h"
#include "docket/etcd.h"
#include "docket/event.h"
#include "docket/sync.h"
#include "docket/trust.h"

enum {
    BATCH_EVENTS = 40,     /* 2 puts each + the head: within etcd's 128 operations */
    BATCH_BYTES = 1 << 20, /* within etcd's 1.5 MiB request */
    PULL_LIMIT = 256,      /* log entries per range request */
};

/* One sync: the store, the client, and what is carried between a transaction and the network. */
struct sync {
    struct db *db;
    struct etcd *etcd;
    char prefix[256];
    struct sync_counts *n;
    struct diag *d;
    /* Carried between a transaction and the network: */
    json_t *kvs;          /* log entries pulled, to apply */
    json_t *batch;        /* events to publish, as JSON */
    long long *batch_seq; /* their local sequence numbers */
    long long position;   /* the shared log's length here */
    int definitions;      /* a definition got its place: rebuild the state at the end */
    int limit;            /* log entries per range request: fewer when answers grow large */
    const struct sync_progress *progress; /* or NULL */
    long long since;                      /* the cluster's revision at the last sync */
    long long to_publish;                 /* this store's unpublished events at the start */
    unsigned char head[EV_HASH_LEN];
    char now[TS_LEN + 1];
    int standing; /* this office's, in the log as applied (trust_standing) */
    /* Within one transaction: offices whose ordinary entries, signed with KEY, the checks
     * accept, until an office, admit, revoke or rekey entry changes who is admitted. */
    struct admitted {
        char replica[64];
        unsigned char key[TRUST_PUB_LEN];
    } admitted[8];
    int nadmitted;
};

/* One pulled entry, parsed, its signature checked ahead of the checks in log order. */
struct pulled {
    long long pos;
    char *value; /* the entry as the log holds it */
    size_t vlen;
    json_t *o;
    struct ev_bytes b;
    struct ev_extra x;
    char *attrs;
    struct ev_buf canon;
    unsigned char stated[EV_HASH_LEN];
    unsigned char key[TRUST_PUB_LEN]; /* the key its signature was checked with */
    int has_key, verified;
};

/* sync.c: the keys under the prefix, as the gateway wants them (base64; json_t owned). */
json_t *sync_key_of(const char *prefix, const char *suffix);
json_t *sync_event_key(const char *prefix, const char *uuid);
json_t *sync_log_key(const char *prefix, long long pos);

/* sync.c: the shared log's length and head as this store holds them, into S (position, head);
 * sync_read_position is the same for db_tx. Return 0 or DK_STORE. */
int sync_load_position(struct sync *s);
int sync_read_position(void *arg);

/* sync.c: records that local event SEQ (B) stands at POS in the shared log with HASH, and
 * brings the state of what it is about up to date. Returns 0 or DK_STORE. */
int sync_place(struct sync *s, const struct ev_bytes *b, long long seq, long long pos,
               const unsigned char hash[EV_HASH_LEN]);

/* sync.c: this store's sequence number of event UUID (0 when it has none), or -1. */
long long sync_local_seq(struct sync *s, const char *uuid);

/* sync.c: the log position that KEY[0..LEN) names, or 0 for any other key. */
long long sync_log_pos(const struct sync *s, const char *key, size_t len);

/* sync.c: opens S's client to the cluster that the store's remote names. Returns 0, DK_STORE
 * or DK_NET; the caller closes s->etcd in every case. */
int sync_connect(struct sync *s);

/* sync_pull.c: keeps the entry at POS out of the state (quarantine). Returns 0 or DK_STORE. */
int sync_quarantine(struct sync *s, long long pos, const struct ev_bytes *b, const char *text,
                    size_t len, const unsigned char stated[EV_HASH_LEN], const char *reason);

/* sync_pull.c: checks entry P at POS as every office checks it; *REASON is NULL when it may be
 * applied, else why it is quarantined. Returns 0 or DK_STORE. */
int sync_check_entry(struct sync *s, long long pos, const struct pulled *p,
                     const unsigned char computed[EV_HASH_LEN], const char **reason);

/* The keys a page is checked with, each made ready once. */
enum { PAGE_KEYS = 8 };

/* A page's signatures, checked by a helper thread ahead of the entries' application in log
 * order, and by the applying thread itself for any entry the helper has not reached: Ed25519
 * verification is most of a pull's work, and so it runs beside the SQL that applies. Each
 * entry's state goes 0 (not taken), 1 (being checked), 2 (checked). */
struct verifier {
    struct pulled *page;
    size_t n;
    unsigned char raw[PAGE_KEYS][TRUST_PUB_LEN];
    struct trust_pub *keys[PAGE_KEYS];
    size_t nkeys;
    atomic_int *state;
    pthread_t thread;
    int threaded;
};

/* sync_pull.c: starts checking PAGE[0..N)'s signatures (P->verified) on a helper thread;
 * 0, or DK_STORE when out of memory. sync_verifier_wait returns once entry I is checked;
 * sync_verifier_end stops the helper and frees what V holds. */
int sync_verifier_start(struct verifier *v, struct pulled *page, size_t n);
void sync_verifier_wait(struct verifier *v, size_t i);
void sync_verifier_end(struct verifier *v);

/* sync_pull.c: pulls every log entry after this store's position and applies it. Returns 0,
 * DK_NET, DK_DATA or DK_STORE. */
int sync_pull(struct sync *s);

/* sync_publish.c: collects up to a batch of unpublished events (db_tx); checks that the remote
 * head continues this store's log; publishes one batch. Return 0 or an exit code. */
int sync_collect(void *arg);
int sync_check_head(struct sync *s, long long *rev, long long *pos);
int sync_publish_batch(struct sync *s, long long *behind);

/* sync_watch.c: compares (with REPAIR, puts back) the log in etcd with this store's; names
 * what it found changed in D (DK_CHECK). */
int sync_scan_log(struct sync *s, long long since, int repair, struct sync_scan *found);
int sync_name_differences(const struct sync_scan *f, const char *what, struct diag *d);

#endif
