/* log.c: `docket log`: the audit trail, in the order this store recorded it. */
#include "cli.h"
#include "docket/date.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"since", 0, "TIME", 0, "only events recorded at or after TIME (UTC)"},
    {"until", 0, "TIME", 0, "only events recorded at or before TIME (UTC)"},
    {"by", 0, "ACTOR", 0, "only events recorded by ACTOR"},
    {"json", 0, NULL, 0, "print JSON Lines: one event per line"},
    {NULL, 0, NULL, 0, NULL},
};

#define WHERE " e.recorded >= :since AND e.recorded <= :until AND (:by IS NULL OR e.actor = :by)"

/* With a key, the item's own index; without, the whole log. */
static const char item_sql[] =
    "SELECT " CLI_EVENT_COLUMNS " FROM event e WHERE e.item = :uuid AND" WHERE " ORDER BY e.seq";
static const char all_sql[] =
    "SELECT " CLI_EVENT_COLUMNS " FROM event e WHERE" WHERE " ORDER BY e.seq";

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    char since[TS_LEN + 1] = "0000-01-01T00:00:00.000Z", until[TS_LEN + 1];
    int json = args_get(a, "json") != NULL, rc;
    struct item it = {0};
    sqlite3_stmt *st;

    snprintf(until, sizeof until, "9999-12-31T23:59:59.999Z");
    if ((args_get(a, "since") && (rc = ts_parse(args_get(a, "since"), 0, since, &ctx->diag))) ||
        (args_get(a, "until") && (rc = ts_parse(args_get(a, "until"), 1, until, &ctx->diag))))
        return rc;
    if (a->npos == 1 && (rc = item_get(ctx->db, a->pos[0], &it, &ctx->diag)) != 0)
        return rc;
    if ((rc = db_prep(ctx->db, a->npos ? item_sql : all_sql, &st, &ctx->diag)) != 0 ||
        (a->npos && (rc = db_bind_text(ctx->db, st, ":uuid", it.uuid, &ctx->diag)) != 0) ||
        (rc = db_bind_text(ctx->db, st, ":since", since, &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":until", until, &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":by", args_get(a, "by"), &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":known", until, &ctx->diag)) != 0)
        goto out;
    while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
        if (!json)
            cli_event_text(ctx, st);
        else if (cli_json(ctx, cli_event_json(st)) != 0)
            break;
    }
    rc = rc != 0 ? ctx->diag.code : 0;
out:
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_log = {
    .name = "log",
    .usage = "[KEY] [--since TIME] [--until TIME] [--by ACTOR] [--json]",
    .summary = "Show the audit trail: every recorded change, oldest first.",
    .opts = opts,
    .min_args = 0,
    .max_args = 1,
    .flags = CMD_STORE,
    .run = run,
};
