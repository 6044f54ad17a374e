/* net.c: everything that crosses a network, over libcurl loaded at first use. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

/* SHA256_Init rather than EVP, for the reason given in event.c. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "docket/net.h"

#ifndef DOCKET_VERSION
#define DOCKET_VERSION "0.0.0"
#endif

/* libcurl's entry points, found with dlsym: linking libcurl would cost every command about
 * 2.5 ms at start, network or not. */
static struct {
    int state; /* 0 not tried, 1 loaded, -1 failed */
    char why[256];
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
} lib;

/* Resolves NAME into *SLOT; records the first failure. */
static void
resolve(void *h, const char *name, void *slot)
{
    void *p = dlsym(h, name);

    if (p == NULL && lib.why[0] == '\0')
        snprintf(lib.why, sizeof lib.why, "libcurl has no %s", name);
    memcpy(slot, &p, sizeof p);
}

int
net_load(struct diag *d)
{
    void *h;

    if (lib.state == 0) {
        lib.state = -1;
        if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
            snprintf(lib.why, sizeof lib.why, "cannot load libcurl: %s", dlerror());
        } else {
            resolve(h, "curl_global_init", &lib.global_init);
            resolve(h, "curl_easy_init", &lib.easy_init);
            resolve(h, "curl_easy_setopt", &lib.easy_setopt);
            resolve(h, "curl_easy_perform", &lib.easy_perform);
            resolve(h, "curl_easy_getinfo", &lib.easy_getinfo);
            resolve(h, "curl_easy_cleanup", &lib.easy_cleanup);
            resolve(h, "curl_easy_strerror", &lib.easy_strerror);
            resolve(h, "curl_slist_append", &lib.slist_append);
            resolve(h, "curl_slist_free_all", &lib.slist_free_all);
            resolve(h, "curl_multi_init", &lib.multi_init);
            resolve(h, "curl_multi_add_handle", &lib.multi_add_handle);
            resolve(h, "curl_multi_remove_handle", &lib.multi_remove_handle);
            resolve(h, "curl_multi_perform", &lib.multi_perform);
            resolve(h, "curl_multi_poll", &lib.multi_poll);
            resolve(h, "curl_multi_info_read", &lib.multi_info_read);
            resolve(h, "curl_multi_cleanup", &lib.multi_cleanup);
            if (lib.why[0] == '\0' && lib.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
                lib.state = 1;
            else if (lib.why[0] == '\0')
                snprintf(lib.why, sizeof lib.why, "libcurl would not start");
        }
    }
    return lib.state == 1 ? 0 : diag_set(d, DK_NET, "%s", lib.why);
}

void
net_defaults(struct net_opts *o)
{
    o->connect_ms = 5000;
    o->total_ms = 30000;
    o->max_bytes = 1 << 20;
    o->cacert = NULL;
}

size_t
net_userinfo(const char *url, size_t len, size_t *at)
{
    const char *sep = memmem(url, len, "://", 3);
    size_t start = sep ? (size_t)(sep - url) + 3 : 0, end, last = 0;
    int found = 0;

    /* The last '@' ends it, as browsers and libcurl read it: the whole of "u:p@ss@host" is
     * hidden, not just "u:p". */
    for (end = start; end < len && url[end] != '/' && url[end] != '?' && url[end] != '#'; end++)
        if (url[end] == '@') {
            last = end;
            found = 1;
        }
    if (!found)
        return 0;
    if (at != NULL)
        *at = start;
    return last + 1 - start;
}

/* One transfer: its reply, the body's digest as it streams in, and the cap. */
struct transfer {
    CURL *h;
    struct net_reply *reply;
    SHA256_CTX sha;
    size_t max, cap;
    int keep, over;
    char err[CURL_ERROR_SIZE];
};

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
    struct transfer *t = arg;
    size_t len = size * n;

    if (t->reply->len + len > t->max) {
        t->over = 1;
        return 0; /* libcurl stops with a write error */
    }
    SHA256_Update(&t->sha, data, len);
    if (t->keep) {
        if (t->reply->len + len + 1 > t->cap) {
            size_t cap = t->cap ? t->cap : 16384;
            char *p;

            while (cap < t->reply->len + len + 1)
                cap *= 2;
            if ((p = realloc(t->reply->body, cap)) == NULL)
                return 0;
            t->reply->body = p;
            t->cap = cap;
        }
        memcpy(t->reply->body + t->reply->len, data, len);
        t->reply->body[t->reply->len + len] = '\0';
    }
    t->reply->len += len;
    return len;
}

/* Makes a handle for URL with every limit docket sets on every transfer. */
static int
start(struct transfer *t, const char *url, const struct net_opts *o, struct net_reply *reply,
      int keep)
{
    memset(t, 0, sizeof *t);
    memset(reply, 0, sizeof *reply);
    t->reply = reply;
    t->keep = keep;
    t->max = o->max_bytes;
    SHA256_Init(&t->sha);
    if ((t->h = lib.easy_init()) == NULL) {
        snprintf(reply->why, sizeof reply->why, "libcurl would not start");
        return -1;
    }
    /* Without these a transfer could be sent (or redirected) to any scheme libcurl knows:
     * a libcurl that refuses them (older than 7.85) is not used at all. */
    if (lib.easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        lib.easy_setopt(t->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK) {
        lib.easy_cleanup(t->h);
        t->h = NULL;
        snprintf(reply->why, sizeof reply->why,
                 "libcurl cannot limit transfers to http and https (it needs version 7.85 or "
                 "later)");
        return -1;
    }
    lib.easy_setopt(t->h, CURLOPT_URL, url);
    lib.easy_setopt(t->h, CURLOPT_FOLLOWLOCATION, 1L);
    lib.easy_setopt(t->h, CURLOPT_MAXREDIRS, 5L);
    lib.easy_setopt(t->h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_ms);
    lib.easy_setopt(t->h, CURLOPT_TIMEOUT_MS, o->total_ms);
    /* A peer that trickles under 64 bytes a second for 10 s is given up on. */
    lib.easy_setopt(t->h, CURLOPT_LOW_SPEED_LIMIT, 64L);
    lib.easy_setopt(t->h, CURLOPT_LOW_SPEED_TIME, 10L);
    lib.easy_setopt(t->h, CURLOPT_SSL_VERIFYPEER, 1L);
    lib.easy_setopt(t->h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->cacert) {
        /* The given CA comes on top of the system's, not instead of them. */
        lib.easy_setopt(t->h, CURLOPT_CAINFO, o->cacert);
        lib.easy_setopt(t->h, CURLOPT_CAPATH, "/etc/ssl/certs");
    }
    lib.easy_setopt(t->h, CURLOPT_USERAGENT, "docket/" DOCKET_VERSION);
    lib.easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
    lib.easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->err);
    lib.easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_data);
    lib.easy_setopt(t->h, CURLOPT_WRITEDATA, t);
    lib.easy_setopt(t->h, CURLOPT_PRIVATE, t);
    return 0;
}

/* Fills in the reply after the transfer ended with CODE; returns 0 for a usable reply. */
static int
finish(struct transfer *t, CURLcode code)
{
    struct net_reply *r = t->reply;
    curl_off_t connected = 0;
    long redirects = 0;
    char *url = NULL;

    lib.easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &r->status);
    lib.easy_getinfo(t->h, CURLINFO_CONNECT_TIME_T, &connected);
    lib.easy_getinfo(t->h, CURLINFO_REDIRECT_COUNT, &redirects);
    if (lib.easy_getinfo(t->h, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url)
        snprintf(r->final_url, sizeof r->final_url, "%s", url);
    SHA256_Final(r->sha256, &t->sha);
    lib.easy_cleanup(t->h);
    t->h = NULL;
    if (t->over) {
        snprintf(r->why, sizeof r->why, "the body is larger than %zu bytes", t->max);
        r->status = 0;
    } else if (code != CURLE_OK) {
        snprintf(r->why, sizeof r->why, "%s", t->err[0] ? t->err : lib.easy_strerror(code));
        r->status = 0;
        r->tls = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
                 code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR ||
                 code == CURLE_SSL_PINNEDPUBKEYNOTMATCH || code == CURLE_SSL_INVALIDCERTSTATUS;
        /* Nothing on the way answered: no name, no connection, and no earlier hop that
         * redirected here. A timeout counts only when it came before any connection. */
        r->unreached =
            redirects == 0 &&
            (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
             code == CURLE_COULDNT_CONNECT || (code == CURLE_OPERATION_TIMEDOUT && connected == 0));
    } else if (r->status >= 400) {
        snprintf(r->why, sizeof r->why, "HTTP %ld", r->status);
    }
    return r->why[0] ? -1 : 0;
}

/* Runs one transfer to its end. */
static int
perform(struct transfer *t, const char *name, struct diag *d)
{
    CURLcode code = lib.easy_perform(t->h);

    if (finish(t, code) != 0)
        return diag_set(d, DK_NET, "%s: %s", name, t->reply->why);
    return 0;
}

/* Checks that a given CA file can be read: a missing one is the caller's mistake, not the
 * network's. */
static int
check_cacert(const struct net_opts *o, struct diag *d)
{
    struct stat sb;
    FILE *f;
    int ok;

    if (o->cacert == NULL)
        return 0;
    if ((f = fopen(o->cacert, "r")) == NULL)
        return diag_set(d, DK_DATA, "cannot read the CA file '%s': %s", o->cacert, strerror(errno));
    ok = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    fclose(f);
    return ok ? 0 : diag_set(d, DK_DATA, "the CA file '%s' is not a file", o->cacert);
}

int
net_check(const struct net_opts *o, struct diag *d)
{
    struct net_reply reply;
    struct transfer t;
    int rc;

    if ((rc = check_cacert(o, d)) != 0 || (rc = net_load(d)) != 0)
        return rc;
    if (start(&t, "http://127.0.0.1/", o, &reply, 0) != 0)
        return diag_set(d, DK_NET, "%s", reply.why);
    lib.easy_cleanup(t.h);
    return 0;
}

/* Readies one transfer of URL (NAME in messages) into OUT: the CA file checked, libcurl loaded. */
static int
begin(struct transfer *t, const char *url, const char *name, const struct net_opts *o,
      struct net_reply *out, struct diag *d)
{
    int rc;

    if ((rc = check_cacert(o, d)) != 0 || (rc = net_load(d)) != 0)
        return rc;
    if (start(t, url, o, out, 1) != 0)
        return diag_set(d, DK_NET, "%s: %s", name, out->why);
    return 0;
}

int
net_get(const char *url, const char *name, const struct net_opts *o, struct net_reply *out,
        struct diag *d)
{
    struct transfer t;
    int rc;

    if ((rc = begin(&t, url, name, o, out, d)) != 0)
        return rc;
    if ((rc = perform(&t, name, d)) != 0) {
        free(out->body);
        out->body = NULL;
    }
    return rc;
}

int
net_post(const char *url, const char *name, const char *content_type, const char *body,
         const char *const *headers, const struct net_opts *o, struct net_reply *out,
         struct diag *d)
{
    struct curl_slist *list = NULL;
    char line[256];
    struct transfer t;
    int rc;

    if ((rc = begin(&t, url, name, o, out, d)) != 0)
        return rc;
    snprintf(line, sizeof line, "Content-Type: %s", content_type);
    list = lib.slist_append(list, line);
    for (int i = 0; headers && headers[i]; i++)
        list = lib.slist_append(list, headers[i]);
    lib.easy_setopt(t.h, CURLOPT_HTTPHEADER, list);
    lib.easy_setopt(t.h, CURLOPT_POSTFIELDS, body);
    lib.easy_setopt(t.h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    /* A webhook's redirect would resend the body elsewhere: a POST is not followed. */
    lib.easy_setopt(t.h, CURLOPT_FOLLOWLOCATION, 0L);
    rc = perform(&t, name, d);
    lib.slist_free_all(list);
    /* A POST is not followed: a redirect, like any answer but 2xx, means not received. */
    if (rc == 0 && (out->status < 200 || out->status > 299))
        rc = diag_set(d, DK_NET, "%s: HTTP %ld", name, out->status);
    if (rc != 0 && out->status < 400) {
        free(out->body);
        out->body = NULL;
    }
    return rc;
}

int
net_fetch_all(const char *const *urls, size_t n, int parallel, const struct net_opts *o,
              struct net_reply *out, void (*progress)(size_t done, size_t n, void *arg), void *arg,
              struct diag *d)
{
    struct transfer *t;
    size_t next = 0, done = 0;
    CURLM *m;
    int running = 0, rc;

    if ((rc = check_cacert(o, d)) != 0 || (rc = net_load(d)) != 0)
        return rc;
    if (n == 0)
        return 0;
    if (parallel < 1)
        parallel = 1;
    if ((t = calloc(n, sizeof *t)) == NULL || (m = lib.multi_init()) == NULL) {
        free(t);
        return diag_set(d, DK_NET, "libcurl would not start");
    }
    while (done < n) {
        CURLMsg *msg;
        int left;

        /* Keep PARALLEL transfers going. */
        while (next < n && running < parallel) {
            if (start(&t[next], urls[next], o, &out[next], 0) != 0) {
                done++; /* start said why in out[next].why */
            } else {
                lib.multi_add_handle(m, t[next].h);
                running++;
            }
            next++;
        }
        lib.multi_perform(m, &left);
        while ((msg = lib.multi_info_read(m, &left)) != NULL) {
            struct transfer *x = NULL;

            if (msg->msg != CURLMSG_DONE)
                continue;
            lib.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            lib.multi_remove_handle(m, msg->easy_handle);
            finish(x, msg->data.result);
            running--;
            done++;
            if (progress)
                progress(done, n, arg);
        }
        if (done < n && running > 0)
            lib.multi_poll(m, NULL, 0, 1000, NULL);
    }
    lib.multi_cleanup(m);
    free(t);
    return 0;
}
