/* conflicts.c: `docket conflicts`: concurrent changes to one item, not yet settled. */
#include "cli.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print one JSON array of the conflicts"},
    {NULL, 0, NULL, 0, NULL},
};

/* One side of a conflict as JSON. */
static json_t *
side(const struct view_side *s)
{
    return json_pack("{s:s, s:o, s:s, s:s, s:I, s:s}", "status", s->status, "office",
                     cli_jstr(s->office), "replica", s->replica, "actor", s->actor, "position",
                     (json_int_t)s->position, "effective", s->eff);
}

/* The office by its name; by its replica id should the log name none (it always does for an
 * event with a base: its office's announcement comes before it). */
static void
put_side(struct cmd_ctx *ctx, const struct view_side *s)
{
    cli_put(ctx, s->status, 0);
    fputs(s->office ? " (office " : " (replica ", ctx->out);
    cli_put(ctx, s->office ? s->office : s->replica, 0);
    fputs(", by ", ctx->out);
    cli_put(ctx, s->actor, 0);
    fprintf(ctx->out, ", position %lld, effective ", (long long)s->position);
    cli_put(ctx, s->eff, 0);
    fputc(')', ctx->out);
}

struct found {
    struct cmd_ctx *ctx;
    int n;
    json_t *all; /* --json: the conflicts, a bounded answer printed as one array */
};

static int
put_conflict(void *arg, const struct view_conflict *c)
{
    struct found *f = arg;
    struct cmd_ctx *ctx = f->ctx;

    f->n++;
    if (f->all)
        return json_array_append_new(f->all,
                                     json_pack("{s:s, s:o, s:o}", "key", c->key, "first",
                                               side(&c->first), "second", side(&c->second))) == 0
                   ? 0
                   : cli_json(ctx, NULL);
    cli_put(ctx, c->key, 0);
    fputs(": ", ctx->out);
    put_side(ctx, &c->first);
    fputs(" and ", ctx->out);
    put_side(ctx, &c->second);
    fputs(" were set without either office seeing the other\n", ctx->out);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    struct found f = {.ctx = ctx};
    int rc;

    if (args_get(&ctx->args, "json") && (f.all = json_array()) == NULL)
        return cli_json(ctx, NULL);
    if ((rc = view_conflicts(ctx->db, put_conflict, &f, &ctx->diag)) != 0) {
        json_decref(f.all);
        return rc;
    }
    if (f.all)
        return cli_json(ctx, f.all);
    if (f.n == 0)
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
