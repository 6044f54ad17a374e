/* import.c: `docket import`: a checklist, a whole exported tracker, or items from CSV. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "docket/checklist.h"
#include "docket/export.h"
#include "docket/net.h"

static const struct opt opts[] = {
    {"csv", 0, NULL, 0, "the input is CSV items (key, title, ..., status, date), as is a *.csv"},
    {"cacert", 0, "FILE", 0, "a CA certificate to trust for an https URL, beside the system's"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* A checklist, and any URL's body, is held in memory whole: beyond 64 MiB it is refused. A
 * CSV file or export is read as it goes, and has no such limit. */
enum { IMPORT_MAX = 64 << 20 };

/* What one import is working on; the write step runs inside the transaction. */
struct job {
    struct cmd_ctx *ctx;
    const char *origin;
    json_t *checklist;          /* a checklist, parsed and checked */
    struct checklist_counts cl; /* what loading it did */
    struct csv_items *csv;      /* or CSV rows, checked, read again as they are written */
    FILE *stream;               /* or an export, read line by line */
    char *header;               /* its first line */
    struct import_counts n;
};

static int
write_step(void *arg)
{
    struct job *j = arg;

    if (j->checklist)
        return checklist_apply(j->ctx->db, j->checklist, &j->cl, &j->ctx->diag);
    if (j->csv)
        return import_csv_apply(j->ctx->db, j->csv, j->origin, &j->n, &j->ctx->diag);
    return export_restore(j->ctx->db, j->header, j->stream, &j->n, &j->ctx->diag);
}

/* An export's header and the store's emptiness, checked in a read transaction: refused there, a
 * restore leaves the store's file as it was, where the bulk write would switch its journal
 * mode (and write its header) on the way in and out. */
static int
restore_check_step(void *arg)
{
    struct job *j = arg;

    return export_restore_check(j->ctx->db, j->header, &j->ctx->diag);
}

/* Reads the rest of F after PREFIX (already read) into one buffer, of at most IMPORT_MAX
 * bytes in all. */
static int
slurp(FILE *f, const char *prefix, size_t plen, char **out, size_t *len, struct diag *d,
      const char *origin)
{
    size_t cap = plen + 65536, n = plen, got = 0;
    char *buf = malloc(cap), *p;

    if (buf == NULL)
        return diag_set(d, DK_IO, "out of memory");
    memcpy(buf, prefix, plen);
    /* The limit is checked after every read: the buffer's size is not the limit. */
    while (n <= IMPORT_MAX && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap && n <= IMPORT_MAX) {
            if ((p = realloc(buf, cap * 2)) == NULL) {
                free(buf);
                return diag_set(d, DK_IO, "out of memory");
            }
            buf = p;
            cap *= 2;
        }
    }
    if (n > IMPORT_MAX) {
        free(buf);
        return diag_set(d, DK_DATA, "%s: larger than 64 MiB", origin);
    }
    if (ferror(f)) {
        free(buf);
        return diag_set(d, DK_IO, "cannot read '%s': %s", origin, strerror(errno));
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Copies what is left of FROM, or the LEN bytes at BUF when FROM is NULL, into a temporary
 * file that *OUT owns, ready to be read from its start: a CSV import reads its input twice,
 * and standard input or a URL body can be read only once. The file has no name from the
 * start, so that it goes when docket ends, however it ends. */
static int
spool(FILE *from, const char *buf, size_t len, const char *origin, FILE **out, struct diag *d)
{
    const char *dir = getenv("TMPDIR");
    char path[4096], chunk[65536];
    FILE *f = NULL;
    size_t got;
    int fd, rc = 0;

    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/docket-import-XXXXXX", dir);
    if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
        return diag_set(d, DK_IO, "cannot make a temporary file in '%s': %s", dir, strerror(errno));
    unlink(path);
    if ((f = fdopen(fd, "w+")) == NULL) {
        rc = diag_set(d, DK_IO, "cannot make a temporary file in '%s': %s", dir, strerror(errno));
        close(fd);
        goto out;
    }
    if (from == NULL && len > 0 && fwrite(buf, 1, len, f) != len)
        rc = diag_set(d, DK_IO, "cannot write a temporary file in '%s': %s", dir, strerror(errno));
    while (rc == 0 && from != NULL && (got = fread(chunk, 1, sizeof chunk, from)) > 0)
        if (fwrite(chunk, 1, got, f) != got)
            rc = diag_set(d, DK_IO, "cannot write a temporary file in '%s': %s", dir,
                          strerror(errno));
    if (rc == 0 && from != NULL && ferror(from))
        rc = diag_set(d, DK_IO, "cannot read '%s': %s", origin, strerror(errno));
    if (rc == 0 && (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0))
        rc = diag_set(d, DK_IO, "cannot write a temporary file in '%s': %s", dir, strerror(errno));
out:
    if (rc != 0 && f != NULL)
        fclose(f);
    else if (rc == 0)
        *out = f;
    return rc;
}

/* Makes *IN, the input of a CSV import, a file that can be read twice: itself when it is a
 * regular file, else a spooled copy of it (standard input, a pipe), or, when *IN is NULL, of
 * the URL body in REPLY (freed once copied). */
static int
csv_input(FILE **in, struct net_reply *reply, const char *origin, struct diag *d)
{
    struct stat sb;
    FILE *f;
    int rc;

    if (*in == NULL) {
        rc = spool(NULL, reply->body, reply->len, origin, &f, d);
        free(reply->body);
        reply->body = NULL;
    } else if (fstat(fileno(*in), &sb) == 0 && S_ISREG(sb.st_mode)) {
        return 0;
    } else {
        rc = spool(*in, NULL, 0, origin, &f, d);
    }
    if (rc != 0)
        return rc;
    if (*in != NULL && *in != stdin)
        fclose(*in);
    *in = f;
    return 0;
}

static int
is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* Returns 1 when SRC, a file name or a URL (its path: before any '?' or '#'), ends in ".csv",
 * in any case: such an input is read as CSV without --csv, as a user who names it so means. */
static int
named_csv(const char *src)
{
    size_t n = is_url(src) ? strcspn(src, "?#") : strlen(src);

    return n >= 4 && strncasecmp(src + n - 4, ".csv", 4) == 0;
}

static int
print(struct cmd_ctx *ctx, const struct job *j)
{
    if (args_get(&ctx->args, "json"))
        return 0; /* the dispatcher prints the events recorded */
    else if (j->checklist)
        fprintf(ctx->out,
                "loaded the checklist: %d items added, %d definitions, %d parts "
                "unchanged\n",
                j->cl.items, j->cl.definitions, j->cl.unchanged);
    else if (j->csv && j->n.edited > 0)
        fprintf(ctx->out,
                "imported %lld items and %lld statuses; %lld fields edited; %lld rows "
                "unchanged\n",
                j->n.items, j->n.changed, j->n.edited, j->n.unchanged);
    else if (j->csv)
        fprintf(ctx->out, "imported %lld items and %lld statuses; %lld rows unchanged\n",
                j->n.items, j->n.changed, j->n.unchanged);
    else
        fprintf(ctx->out, "restored %lld events\n", j->n.events);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    const char *src = ctx->args.pos[0];
    struct job j = {.ctx = ctx, .origin = src};
    struct net_reply reply = {0};
    char *text = NULL, *first = NULL;
    size_t len = 0, cap = 0;
    FILE *in = NULL;
    ssize_t flen;
    int csv = args_get(&ctx->args, "csv") != NULL || named_csv(src), rc;

    /* Everything is read, and what can be checked checked, before the transaction opens: no
     * network inside it, and a bad input writes nothing. */
    if (is_url(src)) {
        struct net_opts o;

        net_defaults(&o);
        o.max_bytes = IMPORT_MAX; /* the body is held in memory (net_get) */
        o.cacert = args_get(&ctx->args, "cacert");
        if ((rc = net_get(src, src, &o, &reply, &ctx->diag)) != 0)
            return rc;
        if (!csv && (in = fmemopen(reply.body, reply.len, "r")) == NULL) {
            rc = diag_set(&ctx->diag, DK_IO, "out of memory");
            goto out;
        }
    } else if (strcmp(src, "-") == 0) {
        in = stdin;
    } else if ((in = fopen(src, "r")) == NULL) {
        return diag_set(&ctx->diag, DK_IO, "cannot read '%s': %s", src, strerror(errno));
    }
    if (csv) {
        /* Two passes: every row is checked before the transaction opens, then read again and
         * written inside it, so that memory stays flat however many rows there are. */
        if ((rc = csv_input(&in, &reply, src, &ctx->diag)) != 0 ||
            (rc = import_csv_check(in, src, &j.csv, &ctx->diag)) != 0)
            goto out;
    } else if ((flen = getline(&first, &cap, in)) > 0 && export_is_header(first, (size_t)flen)) {
        j.stream = in;
        j.header = first;
        if ((rc = db_tx(ctx->db, DB_TX_READ, restore_check_step, &j, &ctx->diag)) != 0)
            goto out;
    } else {
        if (flen < 0 && ferror(in)) {
            rc = diag_set(&ctx->diag, DK_IO, "cannot read '%s': %s", src, strerror(errno));
            goto out;
        }
        /* A JSON parser's "'{' expected" would not tell the user what they gave it. */
        if (flen > 0 && import_csv_sniff(first, (size_t)flen)) {
            rc =
                strcmp(src, "-") == 0
                    ? diag_set(&ctx->diag, DK_USAGE, "the standard input looks like CSV: use --csv")
                    : diag_set(&ctx->diag, DK_USAGE, "'%s' looks like CSV: use --csv", src);
            goto out;
        }
        if ((rc = slurp(in, first ? first : "", flen > 0 ? (size_t)flen : 0, &text, &len,
                        &ctx->diag, src)) != 0 ||
            (rc = checklist_parse(text, len, &j.checklist, &ctx->diag)) != 0)
            goto out;
    }
    if ((rc = db_tx(ctx->db, j.stream ? DB_TX_BULK : DB_TX_WRITE, write_step, &j, &ctx->diag)) == 0)
        rc = print(ctx, &j);
out:
    if (in && in != stdin)
        fclose(in);
    json_decref(j.checklist);
    import_csv_free(j.csv);
    free(first);
    free(text);
    free(reply.body);
    return rc;
}

const struct cmd_entry cmd_import = {
    .name = "import",
    .usage = "FILE|URL|- [--csv] [--cacert FILE] [--json]",
    .summary = "Import a checklist, a whole exported tracker, or items from CSV.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_WRITE | CMD_NOTX | CMD_EVENTS,
    .run = run,
};
