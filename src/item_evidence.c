/* item_evidence.c: evidence attached to an item: an http(s) URL checked, or a local file read and
 * hashed within bounds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* SHA256_Init rather than EVP, for the reason given in event.c. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "docket/event.h"
#include "docket/item.h"
#include "docket/net.h"

/* What a file that is not a regular one is, for a message. */
static const char *
file_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    return "a special file";
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
item_file_digest(const char *path, char hex[2 * EV_HASH_LEN + 1], long long *size, char *why,
                 size_t n)
{
    unsigned char buf[65536], md[SHA256_DIGEST_LENGTH];
    long long total = 0, deadline = now_ms() + ITEM_FILE_MAX_SECONDS * 1000LL;
    struct stat sb;
    SHA256_CTX c;
    ssize_t got;
    int fd, rc = DK_DATA;

    /* O_NONBLOCK: opening a FIFO with no writer would wait for one for ever. It changes nothing
     * for the regular file that fstat then requires. */
    if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
        int e = errno;

        /* A socket cannot be opened at all (ENXIO): name it as what it is. */
        if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
            snprintf(why, n, "it is %s, not a regular file", file_kind(sb.st_mode));
        else
            snprintf(why, n, "%s", strerror(e));
        return DK_DATA;
    }
    if (fstat(fd, &sb) != 0) {
        snprintf(why, n, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, n, "it is %s, not a regular file", file_kind(sb.st_mode));
        goto out;
    }
    if (sb.st_size > ITEM_FILE_MAX_BYTES) {
        snprintf(why, n, "it is larger than the %lld GiB limit", ITEM_FILE_MAX_BYTES >> 30);
        goto out;
    }
    if (SHA256_Init(&c) != 1) {
        snprintf(why, n, "out of memory");
        goto out;
    }
    /* The size is counted as read as well: a file may grow while it is read, and some (those
     * of /proc) say 0 bytes. */
    while ((got = read(fd, buf, sizeof buf)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(why, n, "%s", strerror(errno));
            goto out;
        }
        if ((total += got) > ITEM_FILE_MAX_BYTES) {
            snprintf(why, n, "it is larger than the %lld GiB limit", ITEM_FILE_MAX_BYTES >> 30);
            goto out;
        }
        if (SHA256_Update(&c, buf, (size_t)got) != 1) {
            snprintf(why, n, "out of memory");
            goto out;
        }
        /* A file on a hung or slow network mount: give up rather than hold the command. */
        if (now_ms() > deadline) {
            snprintf(why, n, "it was not read within %d s", ITEM_FILE_MAX_SECONDS);
            goto out;
        }
    }
    if (SHA256_Final(md, &c) != 1) {
        snprintf(why, n, "out of memory");
        goto out;
    }
    ev_hex(md, hex);
    *size = total;
    rc = 0;
out:
    close(fd);
    return rc;
}

int
item_evidence(struct db *db, const struct item *it, const char *ref, const struct date *eff,
              const char *reason, long long *seq, struct diag *d)
{
    struct event e = {.type = "evidence",
                      .item = it->uuid,
                      .subject = it->key,
                      .new_value = ref,
                      .reason = reason,
                      .eff = eff->text};
    char hex[2 * EV_HASH_LEN + 1], size[24], why[160], *real = NULL;
    const char *colon = strstr(ref, "://");
    size_t at, userinfo;
    long long bytes;
    int rc;

    if ((e.attrs = json_object()) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    if (colon != NULL) {
        size_t scheme = (size_t)(colon - ref);

        /* Before any message that names the URL: the trail is append-only and every listing
         * shows it, so a password must never enter it. */
        if ((userinfo = net_userinfo(ref, strlen(ref), &at)) != 0) {
            rc = diag_set(d, DK_DATA,
                          "evidence '%.*s***@%s' holds a user name or password: attach the URL "
                          "without them",
                          (int)at, ref, ref + at + userinfo);
            goto out;
        }
        if (!((scheme == 4 && strncasecmp(ref, "http", 4) == 0) ||
              (scheme == 5 && strncasecmp(ref, "https", 5) == 0)) ||
            colon[3] == '\0' || colon[3] == '/' || strpbrk(ref, " \t\r\n") != NULL) {
            rc = diag_set(d, DK_DATA, "evidence '%s' is not an http or https URL", ref);
            goto out;
        }
        ev_attr(e.attrs, "type", "url");
    } else {
        /* No stat() first: what is opened is what is checked, so nothing can be swapped in
         * between. */
        if ((real = realpath(ref, NULL)) == NULL)
            snprintf(why, sizeof why, "%s", strerror(errno));
        if (real == NULL || item_file_digest(real, hex, &bytes, why, sizeof why) != 0) {
            rc = diag_set(d, DK_DATA,
                          "evidence '%s' is neither an http(s) URL nor a readable file: %s", ref,
                          why);
            goto out;
        }
        snprintf(size, sizeof size, "%lld", bytes);
        ev_attr(e.attrs, "type", "file");
        ev_attr(e.attrs, "sha256", hex);
        ev_attr(e.attrs, "bytes", size);
        e.new_value = real;
    }
    rc = ev_append(db, &e, seq, d);
out:
    free(real);
    json_decref(e.attrs);
    return rc;
}
