/* export.c: `docket export`: the whole tracker as JSON Lines, or its items as CSV. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/export.h"
#include "docket/outfile.h"

static const struct opt opts[] = {
    {"format", 0, "FORMAT", 0, "jsonl (default: the whole trail) or csv (the items)"},
    {"output", 'o', "FILE", 0, "write to FILE (through a temporary file) instead of stdout"},
    {"doc", 0, "ALIAS", OPT_MULTI,
     "only this document's part (repeatable; a JSON Lines part is for reading, not import)"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    const char *format = args_get(&ctx->args, "format") ? args_get(&ctx->args, "format") : "jsonl";
    const char *path = args_get(&ctx->args, "output");
    struct outfile o;
    char *docs;
    int rc;

    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)
        return diag_set(&ctx->diag, DK_USAGE, "unknown format '%s' (jsonl or csv)", format);
    if ((rc = cli_docs(ctx, &docs)) != 0)
        return rc;
    if ((rc = outfile_open(path, &o, &ctx->diag)) != 0) {
        free(docs);
        return rc;
    }
    if (path == NULL)
        o.f = ctx->out;
    rc = strcmp(format, "csv") == 0 ? export_csv(ctx->db, docs, o.f, &ctx->diag)
                                    : export_jsonl(ctx->db, docs, o.f, &ctx->diag);
    free(docs);
    if (rc != 0) {
        outfile_abort(&o);
        return rc;
    }
    return path ? outfile_commit(&o, &ctx->diag) : 0;
}

const struct cmd_entry cmd_export = {
    .name = "export",
    .usage = "[--format jsonl|csv] [--doc ALIAS]... [-o FILE]",
    .summary =
        "Export the whole tracker as JSON Lines (events with their hashes), or items as CSV.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
