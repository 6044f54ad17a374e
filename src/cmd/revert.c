/* revert.c: `docket revert`: cancel a mistaken event with a new one; both stay in the trail. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "why the event was a mistake (required)"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    const char *arg = ctx->args.pos[0];
    char *end, today[11];
    long long seq, by = 0;
    int rc;

    errno = 0;
    seq = strtoll(arg[0] == '#' ? arg + 1 : arg, &end, 10);
    if (errno != 0 || *end != '\0' || end == arg || seq < 1)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not an event number (see 'docket log')",
                        arg);
    date_today(today);
    if ((rc = item_revert(ctx->db, seq, args_get(&ctx->args, "message"), today, &by, &ctx->diag)) !=
        0)
        return rc;
    if (args_get(&ctx->args, "json")) /* the dispatcher prints the revert event */
        return 0;
    fprintf(ctx->out, "reverted event %lld (by event %lld)\n", seq, by);
    return 0;
}

const struct cmd_entry cmd_revert = {
    .name = "revert",
    .usage = "SEQ -m REASON [--json]",
    .summary = "Cancel a mistaken event by a new one; both stay in the audit trail.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
