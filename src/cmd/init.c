/* init.c: `docket init`: create a store, with the Resolution 1309 checklist unless --empty. */
#include <string.h>

#include "cli.h"
#include "docket/checklist.h"
#include "docket/trust.h"

static const struct opt opts[] = {
    {"empty", 0, NULL, 0, "create the store without loading the Resolution 1309 checklist"},
    {"office", 0, "NAME", 0, "this office's name in the shared log (default: the host name)"},
    {"json", 0, NULL, 0, "print the result as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    struct checklist_counts n = {0};
    json_t *cl = NULL;
    const char *symbol = NULL, *office = args_get(&ctx->args, "office");
    char host[72];
    int rc = 0;

    trust_default_name(host, sizeof host);
    if ((rc = trust_office_set_name(ctx->db, office ? office : host, &ctx->diag)) != 0)
        return rc;

    if (!args_get(&ctx->args, "empty")) {
        if ((rc = checklist_load_default(ctx->db, &n, &cl, &ctx->diag)) != 0)
            goto out;
        symbol = json_string_value(json_object_get(json_object_get(cl, "document"), "symbol"));
    }
    if (args_get(&ctx->args, "json")) {
        rc = cli_json(ctx, json_pack("{s:s, s:s, s:o, s:i}", "store", ctx->db_path, "replica",
                                     db_replica(ctx->db), "document", cli_jstr(symbol), "items",
                                     n.items));
    } else {
        fprintf(ctx->out, "created ");
        cli_put(ctx, ctx->db_path, 0);
        if (symbol) {
            fprintf(ctx->out, " with the checklist of ");
            cli_put(ctx, symbol, 0);
            fprintf(ctx->out, ": %d items", n.items);
        } else {
            fprintf(ctx->out, ", empty");
        }
        fprintf(ctx->out, " (replica %s)\n", db_replica(ctx->db));
    }
out:
    json_decref(cl);
    return rc;
}

const struct cmd_entry cmd_init = {
    .name = "init",
    .usage = "[--empty] [--office NAME] [--json]",
    .summary = "Create a store and load the Resolution 1309 checklist into it.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_CREATE | CMD_WRITE,
    .run = run,
};
