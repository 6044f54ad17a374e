/* diff.c: `docket diff`: the items whose status differs between two effective dates. */
#include "cli.h"
#include "docket/date.h"
#include "docket/state.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static const char changed_sql[] =
    "SELECT COALESCE(b.key, a.key) AS k, a.status, b.status, a.progress, b.progress, b.title "
    "FROM items b FULL JOIN temp.diff_before a ON a.uuid = b.uuid "
    "WHERE a.status IS NOT b.status OR a.progress IS NOT b.progress ORDER BY k";

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    int json = args_get(a, "json") != NULL, rc, n = 0;
    struct date d1, d2;
    char today[11];
    sqlite3_stmt *st;

    date_today(today);
    if ((rc = date_parse(a->pos[0], &d1, &ctx->diag)) != 0 ||
        (rc = date_parse(a->npos > 1 ? a->pos[1] : today, &d2, &ctx->diag)) != 0)
        return rc;
    if ((rc = state_asof(ctx->db, d1.end, NULL, &ctx->diag)) != 0 ||
        (rc = db_exec(ctx->db,
                      "DROP TABLE IF EXISTS temp.diff_before; CREATE TEMP TABLE diff_before AS "
                      "SELECT uuid, key, status, progress FROM temp.items; "
                      "CREATE UNIQUE INDEX temp.diff_before_uuid ON diff_before (uuid)",
                      &ctx->diag)) != 0 ||
        (rc = state_asof(ctx->db, d2.end, NULL, &ctx->diag)) != 0 ||
        (rc = db_prep(ctx->db, changed_sql, &st, &ctx->diag)) != 0)
        return rc;
    if (json)
        fputc('[', ctx->out);
    while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *before = (const char *)sqlite3_column_text(st, 1);
        const char *after = (const char *)sqlite3_column_text(st, 2);

        if (json) {
            json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o}", "key", key, "before",
                                  cli_jstr(before), "after", cli_jstr(after), "progress_before",
                                  sqlite3_column_type(st, 3) == SQLITE_NULL
                                      ? json_null()
                                      : json_integer(sqlite3_column_int(st, 3)),
                                  "progress_after",
                                  sqlite3_column_type(st, 4) == SQLITE_NULL
                                      ? json_null()
                                      : json_integer(sqlite3_column_int(st, 4)));

            fputs(n ? ",\n" : "\n", ctx->out);
            json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
        } else {
            cli_put(ctx, key, 28);
            fputc(' ', ctx->out);
            cli_put(ctx, before ? before : "(not yet tracked)", 0);
            fputs(" -> ", ctx->out);
            cli_put(ctx, after ? after : "(not tracked)", 0);
            fputc('\n', ctx->out);
        }
        n++;
    }
    if (json)
        fputs("\n]\n", ctx->out);
    return rc < 0 ? ctx->diag.code : 0;
}

const struct cmd_entry cmd_diff = {
    .name = "diff",
    .usage = "DATE1 [DATE2] [--json]",
    .summary = "Show the items whose status differs between two dates (DATE2: today).",
    .opts = opts,
    .min_args = 1,
    .max_args = 2,
    .flags = CMD_STORE,
    .run = run,
};
