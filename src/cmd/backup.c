/* backup.c: `docket backup`: a consistent copy of a live store. */
#include <string.h>

#include "cli.h"

static const struct opt opts[] = {
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    int rc;

    if (strcmp(ctx->args.pos[0], "-") == 0)
        return diag_set(&ctx->diag, DK_USAGE, "a backup is a file: give its path, not '-'");
    /* The copy may not replace the store or its files: outfile_open refuses them. */
    rc = db_backup(ctx->db, ctx->args.pos[0], &ctx->diag);
    if (rc == 0) {
        fputs("wrote ", ctx->out);
        cli_put(ctx, ctx->args.pos[0], 0);
        fputc('\n', ctx->out);
    }
    return rc;
}

const struct cmd_entry cmd_backup = {
    .name = "backup",
    .usage = "FILE",
    .summary = "Write a consistent copy of the store to FILE (replacing it).",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_NOTX,
    .run = run,
};
