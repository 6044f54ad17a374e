/* cost.c: `docket cost`: record a cost implication in integer minor units of a currency. */
#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "where the figure comes from (required)"},
    {"basis", 0, "TEXT", 0, "what the amount covers (per year, one-off, ...)"},
    {"on", 0, "DATE", 0, "the date of the estimate (default: today)"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    struct date eff;
    struct item it;
    int rc;

    if ((rc = cli_effective(ctx, &eff)) != 0 ||
        (rc = item_get(ctx->db, a->pos[0], &it, &ctx->diag)) != 0)
        return rc;
    rc = item_cost(ctx->db, &it, a->pos[1], a->pos[2], args_get(a, "basis"), &eff,
                   args_get(a, "message"), &ctx->diag);
    if (rc == 0) {
        fputs("cost on ", ctx->out);
        cli_put(ctx, it.key, 0);
        fputs(": ", ctx->out);
        cli_put(ctx, a->pos[1], 0);
        fputc(' ', ctx->out);
        cli_put(ctx, a->pos[2], 0);
        fputc('\n', ctx->out);
    }
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_cost = {
    .name = "cost",
    .usage = "KEY AMOUNT CURRENCY -m REASON [--basis TEXT] [--on DATE]",
    .summary = "Record a cost implication (AMOUNT in major units, such as 250000.00 CHF).",
    .opts = opts,
    .min_args = 3,
    .max_args = 3,
    .flags = CMD_STORE | CMD_WRITE,
    .run = run,
};
