/* status.c: `docket status`: what is unpublished, and when this store last synced. */
#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print the status as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    char last[25], head[65];
    long long unpublished, position;
    struct sync_remote r;
    struct diag none = {0};
    int rc, remote;

    if ((rc = sync_status(ctx->db, &unpublished, last, &position, head, &ctx->diag)) != 0)
        return rc;
    /* No remote (DK_USAGE) is a status to show; a store that cannot be read is not. */
    if ((rc = sync_remote_get(ctx->db, &r, &none)) != 0 && rc != DK_USAGE)
        return diag_set(&ctx->diag, rc, "%s", none.msg);
    remote = rc == 0;
    if (args_get(&ctx->args, "json")) {
        return cli_json(ctx, json_pack("{s:I, s:o, s:I, s:s, s:o}", "unpublished",
                                       (json_int_t)unpublished, "last_sync",
                                       cli_jstr(last[0] ? last : NULL), "position",
                                       (json_int_t)position, "head", head, "endpoints",
                                       cli_jstr(remote ? r.endpoints : NULL)));
    }
    fprintf(ctx->out, "unpublished  %lld events\n", unpublished);
    fprintf(ctx->out, "last sync    %s\n", last[0] ? last : "never");
    fprintf(ctx->out, "shared log   %lld events, head %s\n", position, head);
    fputs("remote       ", ctx->out);
    cli_put(ctx, remote ? r.endpoints : "none (docket remote set --endpoints URLS)", 0);
    fputc('\n', ctx->out);
    return 0;
}

const struct cmd_entry cmd_status = {
    .name = "status",
    .usage = "[--json]",
    .summary = "Say how many events are unpublished and when the last sync was.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
