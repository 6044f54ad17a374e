/* show.c: `docket show`: one item: its fields, status, instances, evidence, costs, history. */
#include <string.h>

#include "cli.h"
#include "docket/currency.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"as-of", 0, "DATE", 0, "the item on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "the item as the tracker recorded it at TIME (UTC)"},
    {"json", 0, NULL, 0, "print a JSON object"},
    {NULL, 0, NULL, 0, NULL},
};

/* Events that are visible: effective by :asof, recorded by :known, not reverted by then. */
#define SHOWN "e.item = :uuid AND e.eff_end <= :asof AND e.recorded <= :known"
#define NOT_REVERTED                                                                               \
    " AND NOT EXISTS (SELECT 1 FROM event r WHERE r.type = 'revert' AND r.subject = e.uuid "       \
    "AND r.recorded <= :known)"

static const char history_sql[] =
    "SELECT " CLI_EVENT_COLUMNS " FROM event e WHERE " SHOWN " ORDER BY e.seq";
static const char instances_sql[] =
    "SELECT status, count(*) FROM items WHERE parent = :key AND instr(key, '/') > 0 "
    "GROUP BY status ORDER BY 2 DESC, 1";
static const char children_sql[] =
    "SELECT key, status, progress FROM items WHERE parent = :key AND instr(key, '/') = 0 "
    "ORDER BY key";
static const char evidence_sql[] =
    "SELECT e.new_value, e.eff, json_extract(e.attrs, '$.sha256') FROM event e WHERE " SHOWN
    " AND e.type = 'evidence'" NOT_REVERTED " ORDER BY e.seq";
static const char costs_sql[] =
    "SELECT json_extract(e.attrs, '$.currency') AS cur, sum(CAST(e.new_value AS INTEGER)), "
    "count(*) FROM event e WHERE " SHOWN " AND e.type = 'cost'" NOT_REVERTED
    " GROUP BY cur ORDER BY cur";

static int
prep(struct cmd_ctx *ctx, const char *sql, const struct item *it, sqlite3_stmt **st)
{
    int rc;

    if ((rc = db_prep(ctx->db, sql, st, &ctx->diag)) != 0)
        return rc;
    if (sqlite3_bind_parameter_index(*st, ":key") &&
        (rc = db_bind_text(ctx->db, *st, ":key", it->key, &ctx->diag)) != 0)
        return rc;
    if (sqlite3_bind_parameter_index(*st, ":uuid") &&
        ((rc = db_bind_text(ctx->db, *st, ":uuid", it->uuid, &ctx->diag)) != 0 ||
         (rc = db_bind_text(ctx->db, *st, ":asof", ctx->asof, &ctx->diag)) != 0))
        return rc;
    if (sqlite3_bind_parameter_index(*st, ":known"))
        return db_bind_text(ctx->db, *st, ":known", ctx->known, &ctx->diag);
    return 0;
}

static const char *
text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void
field(struct cmd_ctx *ctx, const char *name, const char *v)
{
    fprintf(ctx->out, "  %-13s", name);
    cli_put(ctx, v ? v : "-", 0);
    fputc('\n', ctx->out);
}

/* Prints the sections that come from queries (instances, items below, evidence, costs,
 * history) as text, or adds them to O. */
static int
sections(struct cmd_ctx *ctx, const struct item *it, json_t *o)
{
    static const char *const sqls[] = {instances_sql, children_sql, evidence_sql, costs_sql,
                                       history_sql};
    static const char *const names[] = {"instances", "below", "evidence", "costs", "history"};
    char money[48];
    sqlite3_stmt *st;
    int rc;

    for (int s = 0; s < 5; s++) {
        json_t *a = s == 0 ? json_object() : json_array();
        int n = 0;

        if ((rc = prep(ctx, sqls[s], it, &st)) != 0) {
            json_decref(a);
            return rc;
        }
        while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
            if (o && s == 0) {
                json_object_set_new(a, text(st, 0), json_integer(sqlite3_column_int(st, 1)));
            } else if (o && s == 1) {
                json_array_append_new(a, json_pack("{s:s, s:o, s:i}", "key", text(st, 0), "status",
                                                   cli_jstr(text(st, 1)), "progress",
                                                   sqlite3_column_int(st, 2)));
            } else if (o && s == 2) {
                json_array_append_new(a,
                                      json_pack("{s:s, s:s, s:o}", "ref", text(st, 0), "effective",
                                                text(st, 1), "sha256", cli_jstr(text(st, 2))));
            } else if (o && s == 3) {
                currency_format(money, sizeof money, sqlite3_column_int64(st, 1), text(st, 0));
                json_array_append_new(
                    a, json_pack("{s:o, s:I, s:s, s:i}", "currency", cli_jstr(text(st, 0)),
                                 "minor_units", (json_int_t)sqlite3_column_int64(st, 1), "amount",
                                 money, "entries", sqlite3_column_int(st, 2)));
            } else if (o) {
                json_array_append_new(a, cli_event_json(st));
            } else {
                if (n == 0)
                    fprintf(ctx->out, s == 4 ? "\nhistory:\n" : "  %-13s", names[s]);
                else if (s < 4)
                    fputs(s == 0 || s == 3 ? ", "
                                           : "\n  "
                                             "             ",
                          ctx->out);
                if (s == 0) {
                    cli_put(ctx, text(st, 0), 0);
                    fprintf(ctx->out, " %d", sqlite3_column_int(st, 1));
                } else if (s == 1) {
                    cli_put(ctx, text(st, 0), 0);
                    fputc(' ', ctx->out);
                    cli_put(ctx, text(st, 1), 0);
                    fprintf(ctx->out, " %d%%", sqlite3_column_int(st, 2));
                } else if (s == 2) {
                    cli_put(ctx, text(st, 0), 0);
                    fputs(" (", ctx->out);
                    cli_put(ctx, text(st, 1), 0);
                    fputc(')', ctx->out);
                } else if (s == 3) {
                    currency_format(money, sizeof money, sqlite3_column_int64(st, 1), text(st, 0));
                    fprintf(ctx->out, "%s ", money);
                    cli_put(ctx, text(st, 0), 0);
                } else {
                    cli_event_text(ctx, st);
                }
            }
            n++;
        }
        if (rc < 0) {
            json_decref(a);
            return ctx->diag.code;
        }
        if (o)
            json_object_set_new(o, names[s], a);
        else
            json_decref(a);
        if (!o && n > 0 && s < 4)
            fputc('\n', ctx->out);
    }
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    struct item it;
    json_t *o = NULL;
    char status[160];
    int rc;

    if ((rc = cli_asof(ctx)) != 0 || (rc = item_load(ctx->db, ctx->args.pos[0], &it, &ctx->diag)))
        return rc;
    if (args_get(&ctx->args, "json")) {
        o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                      "s:s}",
                      "key", it.key, "uuid", it.uuid, "title", it.title, "kind", it.kind, "status",
                      cli_jstr(it.status), "progress", it.progress, "final", it.final, "since",
                      cli_jstr(it.since), "goal", cli_jstr(it.goal), "parent", cli_jstr(it.parent),
                      "ref", cli_jstr(it.ref), "document", cli_jstr(it.doc), "due",
                      cli_jstr(it.due), "description", cli_jstr(it.description), "created",
                      it.created);
        if (o != NULL && (rc = sections(ctx, &it, o)) != 0)
            json_decref(o);
        else
            rc = cli_json(ctx, o);
    } else {
        cli_put(ctx, it.key, 0);
        fputs(": ", ctx->out);
        cli_put(ctx, it.title, 0);
        fputc('\n', ctx->out);
        snprintf(status, sizeof status, "%s (%d%%%s)%s%s", it.status ? it.status : "-", it.progress,
                 it.final ? ", final" : "", it.since ? " since " : "", it.since ? it.since : "");
        field(ctx, "status", status);
        field(ctx, "kind", it.kind);
        field(ctx, "goal", it.goal);
        field(ctx, "document", it.doc);
        field(ctx, "paragraph", it.ref);
        field(ctx, "parent", it.parent);
        field(ctx, "due", it.due);
        field(ctx, "created", it.created);
        if (it.description)
            field(ctx, "description", it.description);
        rc = sections(ctx, &it, NULL);
    }
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_show = {
    .name = "show",
    .usage = "KEY [--as-of DATE] [--known-at TIME] [--json]",
    .summary = "Show one item: fields, status, instances, evidence, costs and history.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE,
    .run = run,
};
