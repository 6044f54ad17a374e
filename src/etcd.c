/* etcd.c: etcd's v3 JSON gateway, spoken over the net module: endpoints, auth, retries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docket/etcd.h"
#include "docket/net.h"

enum { MAX_ENDPOINTS = 16, RETRY_MS = 10000 };

struct etcd {
    char *endpoints[MAX_ENDPOINTS];
    int n, current;
    char *user, *password;
    char token[512];
    struct net_opts net;
    int refused;   /* the last call was answered no (a 4xx): sending it again cannot help */
    int too_large; /* the last call's answer was over the size cap */
};

int
etcd_refused(const struct etcd *e)
{
    return e->refused;
}

int
etcd_too_large(const struct etcd *e)
{
    return e->too_large;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

json_t *
etcd_b64(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    char *out = malloc(4 * ((n + 2) / 3) + 1), *q = out;
    json_t *v;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned long x = (unsigned long)p[i] << 16 |
                          (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0) |
                          (i + 2 < n ? p[i + 2] : 0);

        *q++ = b64[(x >> 18) & 63];
        *q++ = b64[(x >> 12) & 63];
        *q++ = i + 1 < n ? b64[(x >> 6) & 63] : '=';
        *q++ = i + 2 < n ? b64[x & 63] : '=';
    }
    *q = '\0';
    v = json_string(out);
    free(out);
    return v;
}

char *
etcd_unb64(const char *s, size_t *n)
{
    size_t len = s ? strlen(s) : 0, k = 0;
    char *out;
    unsigned long x = 0;
    int bits = 0;

    if (s == NULL || (out = malloc(len / 4 * 3 + 4)) == NULL)
        return NULL;
    for (size_t i = 0; i < len && s[i] != '='; i++) {
        const char *c = strchr(b64, s[i]);

        if (c == NULL || s[i] == '\0') {
            free(out);
            return NULL;
        }
        x = (x << 6) | (unsigned long)(c - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)((x >> bits) & 0xff);
        }
    }
    out[k] = '\0';
    *n = k;
    return out;
}

long long
etcd_int(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : 0;
}

void
etcd_close(struct etcd *e)
{
    if (e == NULL)
        return;
    for (int i = 0; i < e->n; i++)
        free(e->endpoints[i]);
    free(e->user);
    if (e->password) {
        memset(e->password, 0, strlen(e->password));
        free(e->password);
    }
    free(e);
}

/* Reads the password from FILE, which must be its owner's alone. */
static int
read_password(const char *file, char **out, struct diag *d)
{
    char buf[512];
    struct stat sb;
    FILE *f = fopen(file, "r");

    if (f == NULL)
        return diag_set(d, DK_DATA, "cannot read '%s': %s", file, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || (sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
        fclose(f);
        return diag_set(d, DK_DATA,
                        "'%s' holds a password: it must be yours and readable by you only "
                        "(chmod 600)",
                        file);
    }
    if (fgets(buf, sizeof buf, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    *out = strdup(buf);
    memset(buf, 0, sizeof buf);
    return *out ? 0 : diag_set(d, DK_DATA, "out of memory");
}

int
etcd_open(const struct etcd_opts *o, struct etcd **out, struct diag *d)
{
    struct etcd *e = calloc(1, sizeof *e);
    char *list, *tok, *save = NULL;
    int rc = 0;

    if (e == NULL || (list = strdup(o->endpoints ? o->endpoints : "")) == NULL) {
        free(e);
        return diag_set(d, DK_NET, "out of memory");
    }
    for (tok = strtok_r(list, ",", &save); tok && e->n < MAX_ENDPOINTS;
         tok = strtok_r(NULL, ",", &save)) {
        size_t len = strlen(tok);

        while (len > 0 && tok[len - 1] == '/')
            tok[--len] = '\0';
        if (strncmp(tok, "http://", 7) != 0 && strncmp(tok, "https://", 8) != 0) {
            rc = diag_set(d, DK_USAGE, "endpoint '%s' is not an http or https URL", tok);
            break;
        }
        e->endpoints[e->n++] = strdup(tok);
    }
    free(list);
    if (rc == 0 && e->n == 0)
        rc = diag_set(d, DK_USAGE, "no etcd endpoints (--endpoints URL[,URL...])");
    if (rc == 0 && o->user) {
        if (o->password_file == NULL)
            rc = diag_set(d, DK_USAGE, "a user needs --password-file FILE");
        else if ((e->user = strdup(o->user)) == NULL)
            rc = diag_set(d, DK_NET, "out of memory");
        else
            rc = read_password(o->password_file, &e->password, d);
    }
    if (rc != 0) {
        etcd_close(e);
        return rc;
    }
    net_defaults(&e->net);
    e->net.connect_ms = o->timeout_ms > 0 ? o->timeout_ms : 2000;
    e->net.total_ms = o->timeout_ms > 0 ? o->timeout_ms : 2000;
    e->net.max_bytes = 16 << 20;
    e->net.cacert = o->cacert;
    *out = e;
    return 0;
}

/* One POST to the current endpoint. Returns 0 with *RESP, or the HTTP status (-1 when none
 * came, -2 for an answer over the size cap) with WHY set. */
static int
post(struct etcd *e, const char *path, const char *body, json_t **resp, char *why, size_t n)
{
    char url[2048], auth[600];
    const char *headers[] = {auth, NULL};
    struct net_reply reply = {0};
    struct diag d = {0};
    json_t *v = NULL, *msg;
    int rc;

    snprintf(url, sizeof url, "%s%s", e->endpoints[e->current], path);
    snprintf(auth, sizeof auth, "Authorization: %s", e->token);
    rc = net_post(url, e->endpoints[e->current], "application/json", body,
                  e->token[0] ? headers : NULL, &e->net, &reply, &d);
    if (rc != 0 && strstr(d.msg, "larger than")) {
        snprintf(why, n, "%s", d.msg);
        free(reply.body);
        return -2;
    }
    if (reply.body)
        v = json_loads(reply.body, 0, NULL);
    free(reply.body);
    if (rc == 0 && json_is_object(v)) {
        *resp = v;
        return 0;
    }
    /* The gateway says why in "message" (or "error"). */
    msg = json_object_get(v, "message");
    if (!json_is_string(msg))
        msg = json_object_get(v, "error");
    snprintf(why, n, "%s%s%s", d.msg[0] ? d.msg : "an answer that is not JSON",
             json_is_string(msg) ? ": " : "", json_is_string(msg) ? json_string_value(msg) : "");
    json_decref(v);
    return reply.status > 0 ? (int)reply.status : -1;
}

static int
authenticate(struct etcd *e, char *why, size_t n)
{
    json_t *req = json_pack("{s:s, s:s}", "name", e->user, "password", e->password), *resp = NULL;
    char *body = json_dumps(req, JSON_COMPACT);
    int rc;

    json_decref(req);
    e->token[0] = '\0';
    rc = body ? post(e, "/v3/auth/authenticate", body, &resp, why, n) : -1;
    if (body) {
        memset(body, 0, strlen(body));
        free(body);
    }
    if (rc == 0) {
        const char *t = json_string_value(json_object_get(resp, "token"));

        if (t)
            snprintf(e->token, sizeof e->token, "%s", t);
        else
            rc = -1, snprintf(why, n, "no token in the answer");
    }
    json_decref(resp);
    return rc;
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
etcd_call(struct etcd *e, const char *path, json_t *req, json_t **resp, struct diag *d)
{
    char *body = json_dumps(req, JSON_COMPACT), why[512] = "";
    double deadline = now_ms() + RETRY_MS;
    int rc = -1, reauth = 0;

    if (body == NULL)
        return diag_set(d, DK_NET, "out of memory");
    e->refused = e->too_large = 0;
    while (now_ms() < deadline) {
        if (e->user && e->token[0] == '\0' && (rc = authenticate(e, why, sizeof why)) != 0) {
            /* A refused password is final; an unreachable member is not. */
            if (rc >= 400 && rc < 500) {
                e->refused = 1;
                break;
            }
        } else {
            rc = post(e, path, body, resp, why, sizeof why);
            if (rc == 0)
                break;
            if (rc == -2) {
                e->too_large = 1; /* every member would send the same */
                break;
            }
            if (rc == 401 && e->user && !reauth++) {
                e->token[0] = '\0'; /* an expired token: once more, after a new one */
                continue;
            }
            if (rc >= 400 && rc < 500) {
                e->refused = 1; /* permission denied, too large a request: all would say so */
                break;
            }
        }
        /* Unreachable, timed out, or unavailable (a leader election): try the next one. */
        e->current = (e->current + 1) % e->n;
        usleep(100000);
    }
    free(body);
    if (rc == 0)
        return 0;
    if (!e->refused && !e->too_large && e->n > 1)
        return diag_set(d, DK_NET, "etcd: no endpoint answered in %d s (the last: %s)",
                        RETRY_MS / 1000, why[0] ? why : "no answer");
    return diag_set(d, DK_NET, "etcd: %s", why[0] ? why : "no endpoint answered");
}
