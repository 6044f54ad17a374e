/* sync.c: `docket sync`: publish this office's events and apply the others', through etcd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "docket/sync.h"
#include "docket/text.h"

static const struct opt opts[] = {
    {"once", 0, NULL, 0, "sync once and stop (else every --interval seconds until stopped)"},
    {"interval", 0, "SECONDS", 0, "seconds between syncs (default 60)"},
    {"json", 0, NULL, 0, "print what each sync did as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Prints one sync's outcome. Returns 0, or DK_IO when stdout cannot take it. */
int
sync_print(struct cmd_ctx *ctx, const struct sync_counts *n)
{
    int rc;

    if (args_get(&ctx->args, "json")) {
        if ((rc = cli_json(ctx, json_pack("{s:I, s:I, s:I, s:s}", "published",
                                          (json_int_t)n->published, "pulled", (json_int_t)n->pulled,
                                          "position", (json_int_t)n->position, "head", n->head))) !=
            0)
            return rc;
    } else {
        fprintf(ctx->out, "published %lld, pulled %lld; shared log: %lld events, head %s\n",
                n->published, n->pulled, n->position, n->head);
    }
    if (fflush(ctx->out) != 0 || ferror(ctx->out))
        return diag_set(&ctx->diag, DK_IO, "cannot write to stdout: %s", strerror(errno));
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    const char *every = args_get(&ctx->args, "interval");
    char *end = NULL;
    long interval = every ? strtol(every, &end, 10) : 60;
    struct sync_counts n;
    int rc;

    if (every && (end == every || *end != '\0' || interval < 1 || interval > 86400))
        return diag_set(&ctx->diag, DK_USAGE, "--interval takes a number of seconds (1-86400)");
    if (args_get(&ctx->args, "once")) {
        if ((rc = sync_run(ctx->db, &n, &ctx->diag)) != 0)
            return rc;
        return sync_print(ctx, &n);
    }
    /* Every --interval seconds, for a field office whose connection comes and goes: a round
     * that cannot reach the cluster says so and the next one tries again. Anything else (bad
     * data, a damaged store, no remote, stdout gone) would fail every round alike: it stops. */
    for (;;) {
        if ((rc = sync_run(ctx->db, &n, &ctx->diag)) == 0) {
            if ((rc = sync_print(ctx, &n)) != 0)
                return rc;
        } else if (rc == DK_NET) {
            fputs("docket: sync: ", stderr);
            text_put(stderr, ctx->diag.msg);
            fputc('\n', stderr);
            fflush(stderr);
            memset(&ctx->diag, 0, sizeof ctx->diag);
        } else {
            return rc;
        }
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
    .flags = CMD_STORE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
