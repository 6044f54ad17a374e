/* cost.c: `docket cost`: record a cost implication in integer minor units of a currency. */
#include "cli.h"
#include "docket/currency.h"
#include "docket/item.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "where the figure comes from (required)"},
    {"basis", 0, "TEXT", 0,
     "what the amount covers (per year, one-off, ...; default one-off): a later estimate on the "
     "same basis and currency replaces the earlier"},
    {"credit", 0, NULL, 0, "allow a negative amount (a saving, a correction)"},
    {"on", 0, "DATE", 0, "the date of the estimate (default: today)"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* Reads back the minor units that the event just recorded holds. */
static int
recorded_units(struct cmd_ctx *ctx, long long seq, long long *minor)
{
    return view_cost_units(ctx->db, seq, minor, &ctx->diag);
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    char money[48];
    long long minor = 0, seq = 0;
    struct date eff;
    struct item it;
    int rc;

    if ((rc = cli_effective(ctx, &eff)) != 0 ||
        (rc = item_load(ctx->db, a->pos[0], &it, &ctx->diag)) != 0)
        return rc;
    if ((rc = item_cost(ctx->db, &it, a->pos[1], a->pos[2], args_get(a, "basis"),
                        args_get(a, "credit") != NULL, &eff, args_get(a, "message"), &seq,
                        &ctx->diag)) != 0 ||
        (rc = recorded_units(ctx, seq, &minor)) != 0)
        goto out;
    currency_format(money, sizeof money, minor, a->pos[2]);
    if (!args_get(a, "json")) { /* with --json, the dispatcher prints the event */
        fputs("cost on ", ctx->out);
        cli_put(ctx, it.key, 0);
        fprintf(ctx->out, ": %s ", money);
        cli_put(ctx, a->pos[2], 0);
        fprintf(ctx->out, " (event %lld)\n", seq);
    }
out:
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_cost = {
    .name = "cost",
    .usage = "KEY AMOUNT CURRENCY -m REASON [--basis TEXT] [--credit] [--on DATE] [--json]",
    .summary = "Record a cost implication (AMOUNT in major units, such as 250000.00 CHF).",
    .opts = opts,
    .min_args = 3,
    .max_args = 3,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
