/* diff.c: `docket diff`: the items whose status differs between two effective dates. */
#include "cli.h"
#include "docket/date.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

struct changes {
    struct cmd_ctx *ctx;
    int json, n;
};

/* A percentage as JSON, null for VIEW_NULL. */
static json_t *
jprogress(int v)
{
    return v == VIEW_NULL ? json_null() : json_integer(v);
}

static int
put_change(void *arg, const struct view_change *r)
{
    struct changes *c = arg;
    struct cmd_ctx *ctx = c->ctx;

    if (c->json) {
        json_t *o =
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "key", r->key, "before", cli_jstr(r->before),
                      "after", cli_jstr(r->after), "progress_before", jprogress(r->progress_before),
                      "progress_after", jprogress(r->progress_after));

        fputs(c->n++ ? ",\n" : "[\n", ctx->out);
        json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        return 0;
    }
    cli_put(ctx, r->key, 28);
    fputc(' ', ctx->out);
    cli_put(ctx, r->before ? r->before : "(not yet tracked)", 0);
    fputs(" -> ", ctx->out);
    cli_put(ctx, r->after ? r->after : "(not tracked)", 0);
    fputc('\n', ctx->out);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    struct changes c = {.ctx = ctx, .json = args_get(a, "json") != NULL};
    struct date d1, d2;
    char today[11];
    int rc;

    date_today(today);
    if ((rc = date_parse_past(a->pos[0], today, &d1, &ctx->diag)) != 0 ||
        (rc = date_parse_past(a->npos > 1 ? a->pos[1] : today, today, &d2, &ctx->diag)) != 0)
        return rc;
    /* The array opens with its first row, or at the end: nothing is printed when the states
     * cannot be made. */
    rc = view_diff(ctx->db, ctx->db_path, d1.end, d2.end, put_change, &c, &ctx->diag);
    if (c.json && (rc == 0 || c.n > 0))
        fputs(c.n > 0 ? "\n]\n" : "[\n]\n", ctx->out);
    return rc;
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
