/* conflicts.c: `docket conflicts`: concurrent changes to one item, not yet settled. */
#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print JSON Lines: one conflict per line"},
    {NULL, 0, NULL, 0, NULL},
};

static const char *
text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static const char sql[] = SYNC_CONFLICTS_SQL " ORDER BY c.pos";

static int
run(struct cmd_ctx *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc, n = 0;

    if ((rc = db_prep(ctx->db, sql, &st, &ctx->diag)) != 0)
        return rc;
    while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
        n++;
        if (args_get(&ctx->args, "json")) {
            if ((rc = cli_json(
                     ctx, json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:I}", "seq",
                                    (json_int_t)sqlite3_column_int64(st, 0), "key", text(st, 1),
                                    "saw", cli_jstr(text(st, 2)), "held", cli_jstr(text(st, 3)),
                                    "status", text(st, 4), "effective", text(st, 5), "recorded",
                                    text(st, 6), "actor", text(st, 7), "replica", text(st, 8),
                                    "position", (json_int_t)sqlite3_column_int64(st, 9)))) != 0)
                break;
            continue;
        }
        fprintf(ctx->out, "#%-6lld ", (long long)sqlite3_column_int64(st, 0));
        cli_put(ctx, text(st, 1), 24);
        fputs(" set ", ctx->out);
        cli_put(ctx, text(st, 4), 0);
        fputs(" having seen ", ctx->out);
        cli_put(ctx, text(st, 2), 0);
        fputs(", but the log held ", ctx->out);
        cli_put(ctx, text(st, 3), 0);
        fputs(" (by ", ctx->out);
        cli_put(ctx, text(st, 7), 0);
        fputs(", ", ctx->out);
        cli_put(ctx, text(st, 6), 0);
        fputs(")\n", ctx->out);
    }
    if (rc != 0)
        return ctx->diag.code;
    if (n == 0 && !args_get(&ctx->args, "json"))
        fputs("no conflicts\n", ctx->out);
    return 0;
}

const struct cmd_entry cmd_conflicts = {
    .name = "conflicts",
    .usage = "[--json]",
    .summary = "List concurrent changes to one item that no later change has settled.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
