/* import.c: `docket import`: a checklist, a whole exported tracker, or items from CSV. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/checklist.h"
#include "docket/export.h"
#include "docket/net.h"

static const struct opt opts[] = {
    {"csv", 0, NULL, 0, "the input is a CSV of items (key, title, kind, ..., status, date)"},
    {"cacert", 0, "FILE", 0, "a CA certificate to trust for an https URL, beside the system's"},
    {"json", 0, NULL, 0, "print what was imported as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

enum { IMPORT_MAX = 64 << 20 }; /* an import is refused beyond 64 MiB */

/* What one import is working on; the write step runs inside the transaction. */
struct job {
    struct cmd_ctx *ctx;
    const char *origin;
    json_t *checklist;          /* a checklist, parsed and checked */
    struct checklist_counts cl; /* what loading it did */
    struct csv_items *csv;      /* or CSV rows, parsed and checked */
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

static int
is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static int
print(struct cmd_ctx *ctx, const struct job *j)
{
    if (args_get(&ctx->args, "json"))
        return cli_json(ctx, json_pack("{s:s, s:I, s:I, s:I, s:I}", "kind",
                                       j->checklist ? "checklist"
                                       : j->csv     ? "csv"
                                                    : "export",
                                       "events", (json_int_t)j->n.events, "items",
                                       (json_int_t)(j->n.items + j->cl.items), "statuses",
                                       (json_int_t)j->n.changed, "unchanged",
                                       (json_int_t)(j->n.unchanged + j->cl.unchanged)));
    else if (j->checklist)
        fprintf(ctx->out,
                "loaded the checklist: %d items added, %d definitions, %d parts "
                "unchanged\n",
                j->cl.items, j->cl.definitions, j->cl.unchanged);
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
    int rc;

    /* Everything is read, and what can be checked checked, before the transaction opens: no
     * network inside it, and a bad input writes nothing. */
    if (is_url(src)) {
        struct net_opts o;

        net_defaults(&o);
        o.max_bytes = IMPORT_MAX;
        o.cacert = args_get(&ctx->args, "cacert");
        if ((rc = net_get(src, src, &o, &reply, &ctx->diag)) != 0)
            return rc;
        in = fmemopen(reply.body, reply.len, "r");
    } else if (strcmp(src, "-") == 0) {
        in = stdin;
    } else if ((in = fopen(src, "r")) == NULL) {
        return diag_set(&ctx->diag, DK_IO, "cannot read '%s': %s", src, strerror(errno));
    }
    if (in == NULL) {
        rc = diag_set(&ctx->diag, DK_IO, "out of memory");
        goto out;
    }
    if (args_get(&ctx->args, "csv")) {
        if ((rc = slurp(in, "", 0, &text, &len, &ctx->diag, src)) != 0 ||
            (rc = import_csv_parse(text, len, &j.csv, &ctx->diag)) != 0)
            goto out;
    } else if ((flen = getline(&first, &cap, in)) > 0 && export_is_header(first, (size_t)flen)) {
        j.stream = in;
        j.header = first;
    } else {
        if (flen < 0 && ferror(in)) {
            rc = diag_set(&ctx->diag, DK_IO, "cannot read '%s': %s", src, strerror(errno));
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
    .flags = CMD_STORE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
