/* docs.c: `docket docs`: the documents tracked, each with its alias and figures; `docs alias`
 * renames one. */
#include <string.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/doc.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"message", 'm', "TEXT", 0, "why the alias changes (alias)"},
    {"json", 0, NULL, 0, "print a JSON array of documents"},
    {NULL, 0, NULL, 0, NULL},
};

struct walk {
    struct cmd_ctx *ctx;
    json_t *docs; /* --json: the array being built */
};

static int
row_text(void *arg, const struct view_doc_row *r)
{
    struct cmd_ctx *ctx = ((struct walk *)arg)->ctx;
    char prog[16];

    if (r->progress < 0)
        snprintf(prog, sizeof prog, "-");
    else
        snprintf(prog, sizeof prog, "%.1f%%", r->progress);
    cli_put(ctx, r->alias, 16);
    fputc(' ', ctx->out);
    cli_put(ctx, r->symbol, 20);
    fprintf(ctx->out, " %-10s %5d %7s %7d %8d  ", r->adopted ? r->adopted : "-", r->requests, prog,
            r->overdue, r->breached);
    cli_put(ctx, r->title, 0);
    fputc('\n', ctx->out);
    return 0;
}

static int
row_json(void *arg, const struct view_doc_row *r)
{
    struct walk *w = arg;
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:i, s:o, s:i, s:i}", "alias", cli_jstr(r->alias),
                          "symbol", cli_jstr(r->symbol), "title", cli_jstr(r->title), "adopted",
                          cli_jstr(r->adopted), "requests", r->requests, "progress",
                          r->progress < 0 ? json_null() : json_real(r->progress), "overdue",
                          r->overdue, "breached", r->breached);

    if (o == NULL || json_array_append_new(w->docs, o) != 0)
        return cli_json(w->ctx, NULL);
    return 0;
}

static int
rename_doc(struct cmd_ctx *ctx)
{
    const char *reason = args_get(&ctx->args, "message");
    long long seq;
    int rc;

    if (ctx->args.npos != 3 || reason == NULL)
        return diag_set(&ctx->diag, DK_USAGE, "usage: docket docs alias OLD NEW -m REASON");
    if ((rc = doc_rename(ctx->db, ctx->args.pos[1], ctx->args.pos[2], reason, &seq, &ctx->diag)) !=
        0)
        return rc;
    /* With --json, the dispatcher prints the event recorded. */
    if (!args_get(&ctx->args, "json")) {
        fputs("alias ", ctx->out);
        cli_put(ctx, ctx->args.pos[1], 0);
        fputs(" is now ", ctx->out);
        cli_put(ctx, ctx->args.pos[2], 0);
        fprintf(ctx->out, " (event %lld)\n", seq);
    }
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    struct walk w = {.ctx = ctx};
    char today[11];
    int rc;

    if (ctx->args.npos > 0) {
        if (strcmp(ctx->args.pos[0], "alias") == 0)
            return rename_doc(ctx);
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not 'alias'", ctx->args.pos[0]);
    }
    if (args_get(&ctx->args, "message"))
        return diag_set(&ctx->diag, DK_USAGE, "-m is for 'docs alias'");
    date_today(today);
    if (args_get(&ctx->args, "json")) {
        if ((w.docs = json_array()) == NULL)
            return cli_json(ctx, NULL);
        if ((rc = view_docs(ctx->db, today, row_json, &w, &ctx->diag)) != 0) {
            json_decref(w.docs);
            return rc;
        }
        return cli_json(ctx, w.docs);
    }
    fprintf(ctx->out, "%-16s %-20s %-10s %5s %7s %7s %8s  %s\n", "ALIAS", "SYMBOL", "ADOPTED",
            "REQS", "PROG", "OVERDUE", "BREACHED", "TITLE");
    return view_docs(ctx->db, today, row_text, &w, &ctx->diag);
}

const struct cmd_entry cmd_docs = {
    .name = "docs",
    .usage = "[alias OLD NEW -m REASON] [--json]",
    .summary = "List the documents tracked (alias, symbol, adoption, requests, progress, overdue, "
               "breached); rename a document's alias.",
    .opts = opts,
    .min_args = 0,
    .max_args = 3,
    .flags = CMD_STORE | CMD_EVENTS,
    .writes_with = "message",
    .run = run,
};
