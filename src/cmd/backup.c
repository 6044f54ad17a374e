/* backup.c: `docket backup`: a consistent copy of a live store. */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const struct opt opts[] = {
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    struct stat a, b;
    int rc;

    if (strcmp(ctx->args.pos[0], "-") == 0)
        return diag_set(&ctx->diag, DK_USAGE, "a backup is a file: give its path, not '-'");
    /* Renaming a copy over the live store would pull it from under every other process. */
    if (stat(ctx->args.pos[0], &a) == 0 && stat(ctx->db_path, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is the store itself", ctx->args.pos[0]);
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
