/* log.c: `docket log`: the audit trail, in the shared log's order, then this store's. */
#include "cli.h"
#include "docket/date.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"since", 0, "TIME", 0, "only events recorded at or after TIME (UTC)"},
    {"until", 0, "TIME", 0, "only events recorded at or before TIME (UTC)"},
    {"by", 0, "ACTOR", 0, "only events recorded by ACTOR"},
    {"doc", 0, "ALIAS", OPT_MULTI,
     "only the events of this document (repeatable; see 'docket docs')"},
    {"json", 0, NULL, 0, "print JSON Lines: one event per line, spelled as the export spells it"},
    {NULL, 0, NULL, 0, NULL},
};

/* The text lines' walk: the actor column as wide as the widest actor printed. */
struct text_walk {
    struct cmd_ctx *ctx;
    int actor_width;
};

static int
widen(void *arg, const char *actor)
{
    cli_actor_widen(arg, actor);
    return 0;
}

static int
put_text(void *arg, const struct view_event *ev)
{
    struct text_walk *w = arg;

    cli_event_text(w->ctx, ev, w->actor_width);
    return 0;
}

/* In the export's spelling (event_type, eff, ...), as the shared log has it. */
static int
put_json(void *arg, const struct view_event *ev)
{
    return cli_json(arg, cli_event_json(ev));
}

/* Loads KEY into *IT: an item in force, or a withdrawn one, whose events the trail keeps (as
 * the state held it just before its withdrawal, only to find its id). */
static int
load(struct cmd_ctx *ctx, const char *key, struct item *it)
{
    char before[25];
    long long by;
    int rc = item_withdrawn(ctx->db, key, &by, before, &ctx->diag);

    if (rc < 0)
        return ctx->diag.code;
    if (rc == 0)
        return item_load(ctx->db, key, it, &ctx->diag);
    if ((rc = state_asof(ctx->db, NULL, before, &ctx->diag)) != 0)
        return rc;
    rc = item_load(ctx->db, key, it, &ctx->diag);
    if (state_asof_end(ctx->db, &ctx->diag) != 0 && rc == 0) {
        item_free(it);
        rc = ctx->diag.code;
    }
    return rc;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    char since[TS_LEN + 1] = "0000-01-01T00:00:00.000Z", until[TS_LEN + 1];
    struct view_log_filter f = {.since = since, .until = until, .by = args_get(a, "by")};
    struct text_walk w = {.ctx = ctx};
    struct item it = {0};
    char *docs = NULL;
    int rc;

    snprintf(until, sizeof until, "9999-12-31T23:59:59.999Z");
    if ((args_get(a, "since") && (rc = ts_parse(args_get(a, "since"), 0, since, &ctx->diag))) ||
        (args_get(a, "until") && (rc = ts_parse(args_get(a, "until"), 1, until, &ctx->diag))))
        return rc;
    if ((rc = cli_docs(ctx, &docs)) != 0)
        return rc;
    f.docs = docs;
    if (a->npos == 1 && (rc = load(ctx, a->pos[0], &it)) != 0) {
        free(docs);
        return rc;
    }
    f.item = a->npos == 1 ? it.uuid : NULL;
    f.brief = args_get(a, "json") == NULL;
    if (args_get(a, "json"))
        rc = view_log(ctx->db, &f, put_json, ctx, &ctx->diag);
    else if ((rc = view_log_actors(ctx->db, &f, widen, &w.actor_width, &ctx->diag)) == 0)
        rc = view_log(ctx->db, &f, put_text, &w, &ctx->diag);
    item_free(&it);
    free(docs);
    return rc;
}

const struct cmd_entry cmd_log = {
    .name = "log",
    .usage = "[KEY] [--since TIME] [--until TIME] [--by ACTOR] [--doc ALIAS]... [--json]",
    .summary = "Show the audit trail: every change, in the shared log's order, then this store's.",
    .opts = opts,
    .min_args = 0,
    .max_args = 1,
    .flags = CMD_STORE | CMD_PAGER,
    .run = run,
};
