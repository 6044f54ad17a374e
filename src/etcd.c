/* etcd.c: etcd's v3 JSON gateway, spoken over the net module: endpoints, auth, retries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docket/etcd.h"
#include "docket/net.h"
#include "docket/text.h"

enum { MAX_ENDPOINTS = 16, MAX_PASSWORD = 1024, RETRY_MS = 10000 };

struct etcd {
    char *endpoints[MAX_ENDPOINTS];
    int n, current;
    char *user, *password;
    char *token; /* a JWT may be a few kilobytes: never cut */
    struct net_opts net;
    long retry_ms;      /* how long one call tries the endpoints in turn */
    int refused;        /* the last call was answered no (a 4xx): sending it again cannot help */
    int too_large;      /* the last call's answer was over the size cap */
    long long revision; /* the highest store revision an answer's header gave */
};

long long
etcd_revision(const struct etcd *e)
{
    return e->revision;
}

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

json_t *
etcd_parse(const char *body, size_t len)
{
    return text_json_loadb(body, len, 0, NULL);
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
    free(e->token);
    free(e);
}

/* Checks one endpoint, EP[0..LEN): http or https, a host, an optional port, an optional path,
 * no user info, no query. Returns 0 or DK_USAGE. */
static int
check_endpoint(const char *ep, size_t len, struct diag *d)
{
    size_t i = strncmp(ep, "https://", 8) == 0 ? 8 : strncmp(ep, "http://", 7) == 0 ? 7 : 0;
    size_t auth = i, host_end;

    /* A password in a URL would be stored as is and shown by every message naming it: this
     * one names none. */
    if (net_userinfo(ep, len, NULL) != 0)
        return diag_set(d, DK_USAGE,
                        "an endpoint holds a user name or password: give them with --user and "
                        "--password-file");
    if (len > 1024)
        return diag_set(d, DK_USAGE, "an endpoint is longer than 1024 characters");
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)ep[k] <= ' ' || (unsigned char)ep[k] >= 0x7f)
            return diag_set(d, DK_USAGE,
                            "endpoint '%.*s' holds a space or a character that is not ASCII",
                            (int)len, ep);
    if (i == 0)
        return diag_set(d, DK_USAGE,
                        "endpoint '%.*s' is not an http or https URL (http://HOST:PORT)", (int)len,
                        ep);
    while (i < len && ep[i] != '/')
        i++;
    if (memchr(ep, '?', len) || memchr(ep, '#', len))
        return diag_set(d, DK_USAGE, "endpoint '%.*s' has a query or fragment", (int)len, ep);
    host_end = auth;
    if (host_end < i && ep[host_end] == '[') {
        while (host_end < i && ep[host_end] != ']')
            host_end++;
        if (host_end == i)
            return diag_set(d, DK_USAGE, "endpoint '%.*s' has no closing ']'", (int)len, ep);
        host_end++;
    } else {
        host_end += strspn(ep + host_end,
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");
        if (host_end > i)
            host_end = i;
    }
    if (host_end == auth)
        return diag_set(d, DK_USAGE, "endpoint '%.*s' has no host", (int)len, ep);
    if (host_end < i) {
        size_t digits = i - host_end - 1;
        long port = 0;

        if (ep[host_end] != ':' || digits == 0 || digits > 5 ||
            strspn(ep + host_end + 1, "0123456789") < digits)
            return diag_set(d, DK_USAGE, "endpoint '%.*s' is not HOST or HOST:PORT", (int)len, ep);
        for (size_t k = host_end + 1; k < i; k++)
            port = port * 10 + (ep[k] - '0');
        if (port < 1 || port > 65535)
            return diag_set(d, DK_USAGE, "endpoint '%.*s' has a port outside 1-65535", (int)len,
                            ep);
    }
    return 0;
}

/* Splits LIST ("URL,URL,...") into at most MAX_ENDPOINTS checked endpoints, without their
 * trailing slashes, into OUT (new strings; when OUT is NULL, only checks). */
static int
parse_endpoints(const char *list, char **out, int *n, struct diag *d)
{
    const char *p = list ? list : "";
    int count = 0, rc = 0;

    while (*p && rc == 0) {
        size_t len = strcspn(p, ",");

        while (len > 0 && p[len - 1] == '/')
            len--;
        if (len == 0)
            rc = diag_set(d, DK_USAGE, "an empty endpoint in the list (',,' or a ',' at an end)");
        else if (count == MAX_ENDPOINTS)
            rc = diag_set(d, DK_USAGE, "more than %d endpoints", MAX_ENDPOINTS);
        else if ((rc = check_endpoint(p, len, d)) == 0 && out &&
                 (out[count] = strndup(p, len)) == NULL)
            rc = diag_set(d, DK_NET, "out of memory");
        if (rc == 0)
            count++;
        p += strcspn(p, ",");
        if (*p == ',' && *++p == '\0' && rc == 0)
            rc = diag_set(d, DK_USAGE, "an empty endpoint in the list (',,' or a ',' at an end)");
    }
    if (rc == 0 && count == 0)
        rc = diag_set(d, DK_USAGE, "no etcd endpoints (--endpoints URL[,URL...])");
    *n = count;
    return rc;
}

int
etcd_check_endpoints(const char *list, struct diag *d)
{
    int n;

    return parse_endpoints(list, NULL, &n, d);
}

/* Reads the password, the first line of FILE, which must be its owner's alone. */
static int
read_password(const char *file, char **out, struct diag *d)
{
    char *line = NULL;
    size_t cap = 0;
    struct stat sb;
    FILE *f = fopen(file, "r");
    int rc = 0;

    if (f == NULL)
        return diag_set(d, DK_DATA, "cannot read '%s': %s", file, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || (sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
        fclose(f);
        return diag_set(d, DK_DATA,
                        "'%s' holds a password: it must be yours and readable by you only "
                        "(chmod 600)",
                        file);
    }
    errno = 0;
    if (getline(&line, &cap, f) < 0 && errno != 0)
        rc = diag_set(d, DK_DATA, "cannot read '%s': %s", file, strerror(errno));
    fclose(f);
    if (line)
        line[strcspn(line, "\r\n")] = '\0';
    if (rc == 0 && line && strlen(line) > MAX_PASSWORD)
        rc = diag_set(d, DK_DATA, "the password in '%s' is longer than %d bytes", file,
                      MAX_PASSWORD);
    else if (rc == 0 && line && !text_utf8_ok(line, strlen(line)))
        rc = diag_set(d, DK_DATA, "the password in '%s' is not UTF-8 text", file);
    else if (rc == 0 && (*out = strdup(line ? line : "")) == NULL)
        rc = diag_set(d, DK_NET, "out of memory");
    if (line) {
        memset(line, 0, cap);
        free(line);
    }
    return rc;
}

int
etcd_open(const struct etcd_opts *o, struct etcd **out, struct diag *d)
{
    struct etcd *e = calloc(1, sizeof *e);
    int rc = 0;

    if (e == NULL)
        return diag_set(d, DK_NET, "out of memory");
    net_defaults(&e->net);
    e->net.connect_ms = o->timeout_ms > 0 ? o->timeout_ms : 2000;
    e->net.total_ms = o->timeout_ms > 0 ? o->timeout_ms : 2000;
    e->retry_ms = o->retry_ms > 0 ? o->retry_ms : RETRY_MS;
    e->net.max_bytes = 16 << 20;
    e->net.cacert = o->cacert;
    rc = parse_endpoints(o->endpoints, e->endpoints, &e->n, d);
    if (rc == 0 && o->user) {
        if (o->password_file == NULL)
            rc = diag_set(d, DK_USAGE, "a user needs --password-file FILE");
        else if (!text_utf8_ok(o->user, strlen(o->user)))
            rc = diag_set(d, DK_DATA, "the etcd user name is not UTF-8 text");
        else if ((e->user = strdup(o->user)) == NULL)
            rc = diag_set(d, DK_NET, "out of memory");
        else
            rc = read_password(o->password_file, &e->password, d);
    }
    /* A CA file that cannot be read, or a libcurl that cannot run, fails every request to
     * every endpoint alike: said once, here, not after 10 s of retries. */
    if (rc == 0)
        rc = net_check(&e->net, d);
    if (rc != 0) {
        etcd_close(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* One POST to the current endpoint. Returns 0 with *RESP, or the HTTP status (-1 when none
 * came, -2 for an answer over the size cap, -4 for a certificate that does not verify) with WHY
 * set, or -3 for a failure here rather than on the network (a CA file gone, memory), with LOCAL
 * set. */
static int
post(struct etcd *e, const char *path, const char *body, json_t **resp, char *why, size_t n,
     struct diag *local)
{
    char url[2048], *auth = NULL;
    const char *headers[] = {NULL, NULL};
    struct net_reply reply = {0};
    struct diag d = {0};
    json_t *v = NULL, *msg;
    int rc;

    snprintf(url, sizeof url, "%s%s", e->endpoints[e->current], path);
    if (e->token) {
        size_t len = strlen("Authorization: ") + strlen(e->token) + 1;

        if ((auth = malloc(len)) == NULL) {
            diag_set(local, DK_NET, "out of memory");
            return -3;
        }
        snprintf(auth, len, "Authorization: %s", e->token);
        headers[0] = auth;
    }
    rc = net_post(url, e->endpoints[e->current], "application/json", body, auth ? headers : NULL,
                  &e->net, &reply, &d);
    free(auth);
    if (rc != 0 && rc != DK_NET) {
        free(reply.body);
        *local = d;
        return -3;
    }
    if (rc != 0 && (strstr(d.msg, "larger than") || reply.tls)) {
        snprintf(why, n, "%s", d.msg);
        free(reply.body);
        return reply.tls ? -4 : -2;
    }
    if (reply.body)
        v = etcd_parse(reply.body, reply.len);
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
authenticate(struct etcd *e, char *why, size_t n, struct diag *local)
{
    json_t *req = json_pack("{s:s, s:s}", "name", e->user, "password", e->password), *resp = NULL;
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    int rc;

    json_decref(req);
    free(e->token);
    e->token = NULL;
    if (body == NULL) { /* etcd_open checked the texts: only memory can be short */
        diag_set(local, DK_NET, "out of memory");
        return -3;
    }
    rc = post(e, "/v3/auth/authenticate", body, &resp, why, n, local);
    memset(body, 0, strlen(body));
    free(body);
    if (rc == 0) {
        const char *t = json_string_value(json_object_get(resp, "token"));

        if (t == NULL || t[0] == '\0') {
            snprintf(why, n, "no token in the answer");
            rc = -1;
        } else if ((e->token = strdup(t)) == NULL) {
            diag_set(local, DK_NET, "out of memory");
            rc = -3;
        }
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
    double deadline = now_ms() + (double)e->retry_ms;
    struct diag local = {0};
    int rc = -1, reauth = 0;

    if (body == NULL)
        return diag_set(d, DK_NET, "out of memory");
    e->refused = e->too_large = 0;
    while (now_ms() < deadline) {
        if (e->user && e->token == NULL && (rc = authenticate(e, why, sizeof why, &local)) != 0) {
            /* A refused password (or certificate) is final; an unreachable member is not. */
            if ((rc >= 400 && rc < 500) || rc == -4) {
                e->refused = 1;
                break;
            }
        } else {
            rc = post(e, path, body, resp, why, sizeof why, &local);
            if (rc == 0)
                break;
            if (rc == -2) {
                e->too_large = 1; /* every member would send the same */
                break;
            }
            if (rc == 401 && e->user && !reauth++) {
                free(e->token); /* an expired token: once more, after a new one */
                e->token = NULL;
                continue;
            }
            if ((rc >= 400 && rc < 500) || rc == -4) {
                /* Permission denied, too large a request, a certificate that does not verify:
                 * every member would say so. */
                e->refused = 1;
                break;
            }
        }
        if (rc == -3)
            break; /* a failure here, not on the network: another endpoint cannot help */
        /* Unreachable, timed out, or unavailable (a leader election): try the next one. */
        e->current = (e->current + 1) % e->n;
        usleep(100000);
    }
    free(body);
    if (rc == 0) {
        long long rev = etcd_int(json_object_get(json_object_get(*resp, "header"), "revision"));

        if (rev > e->revision)
            e->revision = rev;
        return 0;
    }
    if (rc == -3)
        return diag_set(d, local.code, "%s", local.msg);
    if (!e->refused && !e->too_large && e->n > 1)
        return diag_set(d, DK_NET, "etcd: no endpoint answered in %.1f s (the last: %s)",
                        (double)e->retry_ms / 1000, why[0] ? why : "no answer");
    return diag_set(d, DK_NET, "etcd: %s", why[0] ? why : "no endpoint answered");
}
