/* set.c: `docket set`: record a status change of one or more items, as one batch. */
#include <string.h>

#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "why the status changed (required)"},
    {"on", 0, "DATE", 0, "when it happened: YYYY, YYYY-MM or YYYY-MM-DD (default: today)"},
    {"evidence", 0, "URL|FILE", OPT_MULTI, "a link or a local file that shows it (repeatable)"},
    {"json", 0, NULL, 0, "print the recorded events as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Attaches every --evidence to IT. */
static int
attach(struct cmd_ctx *ctx, const struct item *it, const struct date *eff, const char *reason)
{
    int rc;

    for (int i = 0; i < args_count(&ctx->args, "evidence"); i++)
        if ((rc = item_evidence(ctx->db, it, args_nth(&ctx->args, "evidence", i), eff, reason, NULL,
                                &ctx->diag)) != 0)
            return rc;
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    const char *status = ctx->args.pos[ctx->args.npos - 1];
    const char *reason = args_get(&ctx->args, "message");
    int json = args_get(&ctx->args, "json") != NULL, rc;
    json_t *out = json ? json_array() : NULL;
    struct date eff;

    if ((rc = cli_effective(ctx, &eff)) != 0)
        goto out;
    for (int i = 0; i < ctx->args.npos - 1; i++) {
        const char *key = ctx->args.pos[i];
        struct item it;
        long long seq = 0;

        for (int j = 0; j < i; j++)
            if (strcmp(ctx->args.pos[j], key) == 0) {
                rc = diag_set(&ctx->diag, DK_DATA, "'%s' is given twice", key);
                goto out;
            }
        if ((rc = item_load(ctx->db, key, &it, &ctx->diag)) != 0)
            goto out;
        rc = item_set_status(ctx->db, &it, status, &eff, reason, &seq, &ctx->diag);
        if (rc == 0 && json)
            json_array_append_new(
                out, json_pack("{s:I, s:s, s:o, s:s, s:s}", "seq", (json_int_t)seq, "key", key,
                               "old", cli_jstr(it.status), "new", status, "effective", eff.text));
        if (rc == 0)
            rc = attach(ctx, &it, &eff, reason);
        if (rc == 0 && !json) {
            cli_put(ctx, key, 0);
            fputs(": ", ctx->out);
            cli_put(ctx, it.status, 0);
            fputs(" -> ", ctx->out);
            cli_put(ctx, status, 0);
            fprintf(ctx->out, " (effective %s)\n", eff.text);
        }
        item_free(&it);
        if (rc != 0)
            goto out;
    }
    if (json) {
        rc = cli_json(ctx, out);
        out = NULL;
    }
out:
    json_decref(out);
    return rc;
}

const struct cmd_entry cmd_set = {
    .name = "set",
    .usage = "KEY... STATUS -m REASON [--on DATE] [--evidence URL|FILE]... [--json]",
    .summary = "Record a status change of one or more items, in one batch.",
    .opts = opts,
    .min_args = 2,
    .max_args = -1,
    .flags = CMD_STORE | CMD_WRITE,
    .run = run,
};
