/* log.c: `docket log`: the audit trail, in the shared log's order, then this store's. */
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

/* The events in an order every office that synced as far shares: those in the shared log by
 * their position, then this store's unpublished ones by sequence. Each part streams through an
 * index (shared.pos, event.seq); with a key, the item's own. */
#define UNPUBLISHED " AND NOT EXISTS (SELECT 1 FROM shared p WHERE p.seq = e.seq)"
static const char *const sqls[2][2] = {
    {"SELECT " CLI_EVENT_COLUMNS " FROM shared s JOIN event e ON e.seq = s.seq WHERE" WHERE
     " ORDER BY s.pos",
     "SELECT " CLI_EVENT_COLUMNS " FROM event e WHERE" WHERE UNPUBLISHED " ORDER BY e.seq"},
    {"SELECT " CLI_EVENT_COLUMNS " FROM shared s JOIN event e ON e.seq = s.seq WHERE e.item = "
     ":uuid AND" WHERE " ORDER BY s.pos",
     "SELECT " CLI_EVENT_COLUMNS " FROM event e WHERE e.item = :uuid AND" WHERE UNPUBLISHED
     " ORDER BY e.seq"},
};

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
    if (a->npos == 1 && (rc = item_load(ctx->db, a->pos[0], &it, &ctx->diag)) != 0)
        return rc;
    for (int part = 0; part < 2; part++) {
        if ((rc = db_prep(ctx->db, sqls[a->npos][part], &st, &ctx->diag)) != 0 ||
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
        sqlite3_reset(st);
        if ((rc = rc != 0 ? ctx->diag.code : 0) != 0)
            goto out;
    }
out:
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_log = {
    .name = "log",
    .usage = "[KEY] [--since TIME] [--until TIME] [--by ACTOR] [--json]",
    .summary = "Show the audit trail: every change, in the shared log's order, then this store's.",
    .opts = opts,
    .min_args = 0,
    .max_args = 1,
    .flags = CMD_STORE,
    .run = run,
};
