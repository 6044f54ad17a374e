/* list.c: `docket list`: items with their status, progress and due dates. */
#include <string.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"kind", 0, "KIND", 0, "only items of this kind"},
    {"status", 0, "STATUS", 0, "only items in this status"},
    {"under", 0, "KEY", 0, "only this item and those below it"},
    {"overdue", 0, NULL, 0, "only items whose next step is overdue"},
    {"as-of", 0, "DATE", 0, "the state on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "the state as the tracker recorded it at TIME (UTC)"},
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* Items in the order of the resolution's paragraphs, with the roll-up of their instances: how
 * many have reached full progress, named by the kind's first status of full progress. */
static const char sql[] =
    "WITH RECURSIVE below(k) AS (SELECT :under UNION SELECT c.key FROM items c JOIN below ON "
    "c.parent = below.k), "
    "roll AS (SELECT parent, count(*) AS n, sum(progress = 100) AS done FROM items "
    "WHERE instr(key, '/') > 0 GROUP BY parent) "
    "SELECT i.key, i.title, i.kind, i.status, i.progress, i.final, i.since, i.due, i.next_due, "
    "i.next_due < :today, i.breach, i.parent, i.ref, i.doc, r.n, r.done, "
    "CASE WHEN r.n THEN (SELECT v.status FROM vocab v WHERE v.kind = i.kind AND "
    "v.progress = 100 ORDER BY v.ord LIMIT 1) END "
    "FROM items i LEFT JOIN roll r ON r.parent = i.key "
    "WHERE (:kind IS NULL OR i.kind = :kind) AND (:status IS NULL OR i.status = :status) "
    "AND (:under IS NULL OR i.key IN below) AND (NOT :overdue OR i.next_due < :today) "
    "ORDER BY i.doc, i.para_ord, i.key";

static void
row_text(struct cmd_ctx *ctx, sqlite3_stmt *st)
{
    char prog[8] = "-", roll[96] = "";
    const char *flag = "";

    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        snprintf(prog, sizeof prog, "%d%%", sqlite3_column_int(st, 4));
    if (sqlite3_column_int(st, 10))
        flag = "breach";
    else if (sqlite3_column_int(st, 9))
        flag = "overdue";
    if (sqlite3_column_int(st, 14) > 0)
        snprintf(roll, sizeof roll, " [%d of %d %s]", sqlite3_column_int(st, 15),
                 sqlite3_column_int(st, 14),
                 sqlite3_column_text(st, 16) ? (const char *)sqlite3_column_text(st, 16) : "done");
    cli_put(ctx, (const char *)sqlite3_column_text(st, 0), 31);
    fputc(' ', ctx->out);
    cli_put(ctx, (const char *)sqlite3_column_text(st, 3), 24);
    fprintf(ctx->out, " %5s  ", prog);
    cli_put(ctx, (const char *)sqlite3_column_text(st, 6), 11);
    cli_put(ctx, (const char *)sqlite3_column_text(st, 8), 11);
    cli_put(ctx, flag, 8);
    cli_put(ctx, (const char *)sqlite3_column_text(st, 1), 0);
    cli_put(ctx, roll, 0);
    fputc('\n', ctx->out);
}

static json_t *
row_json(sqlite3_stmt *st)
{
    static const char *const names[] = {"key",    "title",  "kind", "status",   "progress",
                                        "final",  "since",  "due",  "next_due", "overdue",
                                        "breach", "parent", "ref",  "document"};
    json_t *o = json_object();

    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        json_t *v;

        if (sqlite3_column_type(st, i) == SQLITE_NULL)
            v = json_null();
        else if (i == 5 || i == 9 || i == 10)
            v = json_boolean(sqlite3_column_int(st, i));
        else if (i == 4)
            v = json_integer(sqlite3_column_int(st, i));
        else
            v = json_string((const char *)sqlite3_column_text(st, i));
        json_object_set_new(o, names[i], v);
    }
    if (sqlite3_column_int(st, 14) > 0)
        json_object_set_new(o, "instances",
                            json_pack("{s:i, s:i, s:o}", "total", sqlite3_column_int(st, 14),
                                      "done", sqlite3_column_int(st, 15), "done_status",
                                      cli_jstr((const char *)sqlite3_column_text(st, 16))));
    return o;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    int json = args_get(a, "json") != NULL, n = 0, rc;
    const char *asof = args_get(a, "as-of");
    struct date date;
    char today[11];
    sqlite3_stmt *st;

    date_today(today);
    if (asof && (rc = date_parse(asof, &date, &ctx->diag)) != 0)
        return rc;
    if ((rc = cli_asof(ctx)) != 0)
        return rc;
    if (args_get(a, "kind") && (rc = item_check_kind(ctx->db, args_get(a, "kind"), &ctx->diag)))
        return rc;
    if (args_get(a, "status") && (rc = item_check_status(ctx->db, args_get(a, "kind"),
                                                         args_get(a, "status"), &ctx->diag)) != 0)
        return rc;
    if (args_get(a, "under")) {
        struct item it;

        if ((rc = item_load(ctx->db, args_get(a, "under"), &it, &ctx->diag)) != 0)
            return rc;
        item_free(&it);
    }
    if ((rc = db_prep(ctx->db, sql, &st, &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":kind", args_get(a, "kind"), &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":status", args_get(a, "status"), &ctx->diag)) != 0 ||
        (rc = db_bind_text(ctx->db, st, ":under", args_get(a, "under"), &ctx->diag)) != 0 ||
        (rc = db_bind_int(ctx->db, st, ":overdue", args_get(a, "overdue") != NULL, &ctx->diag)) !=
            0 ||
        (rc = db_bind_text(ctx->db, st, ":today", asof ? date.end : today, &ctx->diag)) != 0)
        return rc;
    if (json)
        fputc('[', ctx->out);
    else
        fprintf(ctx->out, "%-31s %-24s %5s  %-11s%-11s%-8s%s\n", "KEY", "STATUS", "PROG", "SINCE",
                "NEXT DUE", "FLAG", "TITLE");
    while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
        if (json) {
            fputs(n ? ",\n" : "\n", ctx->out);
            json_t *o = row_json(st);
            json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
        } else {
            row_text(ctx, st);
        }
        n++;
    }
    if (json)
        fputs("\n]\n", ctx->out);
    return rc < 0 ? ctx->diag.code : 0;
}

const struct cmd_entry cmd_list = {
    .name = "list",
    .usage = "[--kind KIND] [--status STATUS] [--under KEY] [--overdue] [--as-of DATE] "
             "[--known-at TIME] [--json]",
    .summary = "List the items with their status, progress and next due date.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
