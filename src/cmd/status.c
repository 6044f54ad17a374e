/* status.c: `docket status`: what is unpublished, and when this store last synced. */
#include "cli.h"
#include "docket/sync.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print the status as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Adds a quarantined entry to the array ARG. */
static int
put_held(void *arg, const struct view_held *h)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:o, s:o, s:o}", "pos", (json_int_t)h->pos,
                                         "reason", h->reason, "type", cli_jstr(h->type), "actor",
                                         cli_jstr(h->actor), "replica", cli_jstr(h->replica)));
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    char last[25], head[65];
    long long unpublished, position;
    struct sync_remote r;
    struct diag none = {0};
    json_t *held, *v;
    size_t i;
    int rc, remote;

    if ((rc = sync_status(ctx->db, &unpublished, last, &position, head, &ctx->diag)) != 0)
        return rc;
    /* No remote (DK_USAGE) is a status to show; a store that cannot be read is not. */
    if ((rc = sync_remote_get(ctx->db, &r, &none)) != 0 && rc != DK_USAGE)
        return diag_set(&ctx->diag, rc, "%s", none.msg);
    remote = rc == 0;
    if ((held = json_array()) == NULL)
        return diag_set(&ctx->diag, DK_STORE, "out of memory");
    if ((rc = view_quarantine(ctx->db, put_held, held, &ctx->diag)) != 0) {
        json_decref(held);
        return rc;
    }
    if (args_get(&ctx->args, "json")) {
        return cli_json(ctx, json_pack("{s:I, s:o, s:I, s:s, s:o, s:o}", "unpublished",
                                       (json_int_t)unpublished, "last_sync",
                                       cli_jstr(last[0] ? last : NULL), "position",
                                       (json_int_t)position, "head", head, "endpoints",
                                       cli_jstr(remote ? r.endpoints : NULL), "quarantined", held));
    }
    fprintf(ctx->out, "unpublished  %lld events\n", unpublished);
    fprintf(ctx->out, "last sync    %s\n", last[0] ? last : "never");
    /* The head as verify --against takes it. */
    fprintf(ctx->out, "shared log   %lld events, head shared:%lld:%s\n", position, position, head);
    fputs("remote       ", ctx->out);
    cli_put(ctx, remote ? r.endpoints : "none (docket remote set --endpoints URLS)", 0);
    fputc('\n', ctx->out);
    /* Entries of the shared log that failed the checks, each as `sync` named it. */
    json_array_foreach(held, i, v)
    {
        fprintf(ctx->out, "quarantined  entry %lld: %s (",
                (long long)json_integer_value(json_object_get(v, "pos")),
                json_string_value(json_object_get(v, "reason")));
        cli_put(ctx, json_string_value(json_object_get(v, "type")), 0);
        fputs(" by ", ctx->out);
        cli_put(ctx, json_string_value(json_object_get(v, "actor")), 0);
        fputs(", office ", ctx->out);
        cli_put(ctx, json_string_value(json_object_get(v, "replica")), 0);
        fputs(")\n", ctx->out);
    }
    json_decref(held);
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
