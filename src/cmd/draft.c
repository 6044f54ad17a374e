/* draft.c: `docket draft`: a checklist drafted from a resolution's plain text, to edit and
 * import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/draft.h"

static const struct opt opts[] = {
    {"symbol", 0, "S", 0, "the document's symbol (C/106/RES/1309), when the text gives none"},
    {"alias", 0, "A", 0, "the document's short name (default: made from the symbol)"},
    {NULL, 0, NULL, 0, NULL},
};

/* Reads all of F into *OUT (NUL-terminated, the caller frees it), refusing more than
 * DRAFT_MAX bytes before reading on. */
static int
slurp(FILE *f, const char *origin, char **out, size_t *len, struct diag *d)
{
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap), *p;

    if (buf == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n > DRAFT_MAX) {
            free(buf);
            return diag_set(d, DK_DATA, "'%s': the text is larger than 4 MiB", origin);
        }
        if (n + 1 == cap) {
            if ((p = realloc(buf, cap * 2)) == NULL) {
                free(buf);
                return diag_set(d, DK_STORE, "out of memory");
            }
            buf = p;
            cap *= 2;
        }
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
run(struct cmd_ctx *ctx)
{
    const char *src = ctx->args.pos[0];
    struct draft_opts o = {.symbol = args_get(&ctx->args, "symbol"),
                           .alias = args_get(&ctx->args, "alias")};
    FILE *in = strcmp(src, "-") == 0 ? stdin : fopen(src, "r");
    json_t *cl = NULL;
    char *text = NULL;
    size_t len = 0;
    unsigned missing = 0;
    int rc;

    if (in == NULL)
        return diag_set(&ctx->diag, DK_IO, "cannot read '%s': %s", src, strerror(errno));
    rc = slurp(in, src, &text, &len, &ctx->diag);
    if (in != stdin)
        fclose(in);
    /* The whole draft is made before a byte of it is written: a text refused half-way through
     * leaves nothing on stdout. */
    if (rc != 0 || (rc = draft_make(text, len, &o, &cl, &missing, &ctx->diag)) != 0)
        goto out;
    for (unsigned bit = 1; bit <= DRAFT_NO_LAST; bit <<= 1)
        if (missing & bit)
            fprintf(stderr, "docket: draft: the text gives no %s: left empty, fill it in\n",
                    draft_field(bit) + strlen("document."));
    if (json_dumpf(cl, ctx->out, JSON_INDENT(2)) != 0 || fputc('\n', ctx->out) == EOF)
        rc = diag_set(&ctx->diag, DK_IO, "cannot write to stdout: %s", strerror(errno));
out:
    json_decref(cl);
    free(text);
    return rc;
}

const struct cmd_entry cmd_draft = {
    .name = "draft",
    .usage = "FILE.txt|- [--symbol S] [--alias A]",
    .summary = "Draft a checklist from a resolution's plain text, to edit and import.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = 0,
    .run = run,
};
