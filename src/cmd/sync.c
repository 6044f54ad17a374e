/* sync.c: `docket sync`: publish this office's events and apply the others', through etcd. */
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"once", 0, NULL, 0, "sync once and stop (else every --interval seconds until stopped)"},
    {"interval", 0, "SECONDS", 0, "seconds between syncs (default 60)"},
    {"json", 0, NULL, 0, "print what each sync did as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Prints one sync's outcome. */
void
sync_print(struct cmd_ctx *ctx, const struct sync_counts *n)
{
    if (args_get(&ctx->args, "json"))
        cli_json(ctx, json_pack("{s:I, s:I, s:I, s:s}", "published", (json_int_t)n->published,
                                "pulled", (json_int_t)n->pulled, "position",
                                (json_int_t)n->position, "head", n->head));
    else
        fprintf(ctx->out, "published %lld, pulled %lld; shared log: %lld events, head %s\n",
                n->published, n->pulled, n->position, n->head);
    fflush(ctx->out);
}

static int
run(struct cmd_ctx *ctx)
{
    const char *every = args_get(&ctx->args, "interval");
    long interval = every ? strtol(every, NULL, 10) : 60;
    struct sync_counts n;
    int rc;

    if (interval < 1)
        return diag_set(&ctx->diag, DK_USAGE, "--interval takes a number of seconds");
    for (;;) {
        if ((rc = sync_run(ctx->db, &n, &ctx->diag)) != 0)
            return rc;
        sync_print(ctx, &n);
        if (args_get(&ctx->args, "once"))
            return 0;
        sleep((unsigned)interval);
    }
}

const struct cmd_entry cmd_sync = {
    .name = "sync",
    .usage = "[--once] [--interval SECONDS] [--json]",
    .summary = "Publish this store's events to the shared log and apply everyone else's.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_NOTX,
    .run = run,
};
