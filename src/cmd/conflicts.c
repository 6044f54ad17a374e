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

static const char sql[] = SYNC_CONFLICTS_SQL " ORDER BY second_pos, first_pos";

/* One side of a conflict, from column I on: status, office, replica, actor, position,
 * effective. */
static json_t *
side(sqlite3_stmt *st, int i)
{
    return json_pack("{s:s, s:o, s:s, s:s, s:I, s:s}", "status", text(st, i), "office",
                     cli_jstr(text(st, i + 1)), "replica", text(st, i + 2), "actor",
                     text(st, i + 3), "position", (json_int_t)sqlite3_column_int64(st, i + 4),
                     "effective", text(st, i + 5));
}

/* The office by its name; by its replica id should the log name none (it always does for an
 * event with a base: its office's announcement comes before it). */
static void
put_side(struct cmd_ctx *ctx, sqlite3_stmt *st, int i)
{
    cli_put(ctx, text(st, i), 0);
    fputs(text(st, i + 1) ? " (office " : " (replica ", ctx->out);
    cli_put(ctx, text(st, i + 1) ? text(st, i + 1) : text(st, i + 2), 0);
    fputs(", by ", ctx->out);
    cli_put(ctx, text(st, i + 3), 0);
    fprintf(ctx->out, ", position %lld, effective ", (long long)sqlite3_column_int64(st, i + 4));
    cli_put(ctx, text(st, i + 5), 0);
    fputc(')', ctx->out);
}

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
            if ((rc = cli_json(ctx, json_pack("{s:s, s:o, s:o}", "key", text(st, 0), "first",
                                              side(st, 1), "second", side(st, 7)))) != 0)
                break;
            continue;
        }
        cli_put(ctx, text(st, 0), 0);
        fputs(": ", ctx->out);
        put_side(ctx, st, 1);
        fputs(" and ", ctx->out);
        put_side(ctx, st, 7);
        fputs(" were set without either office seeing the other\n", ctx->out);
    }
    sqlite3_reset(st);
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
