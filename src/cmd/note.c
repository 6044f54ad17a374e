/* note.c: `docket note`: add a note or evidence to an item without changing its status. */
#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "TEXT", OPT_REQUIRED, "the note (required)"},
    {"on", 0, "DATE", 0, "the date it refers to (default: today)"},
    {"evidence", 0, "URL|FILE", OPT_MULTI, "a link or a local file to attach (repeatable)"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    const char *text = args_get(&ctx->args, "message");
    struct date eff;
    struct item it;
    long long seq = 0, note = 0;
    int rc;

    if ((rc = cli_effective(ctx, &eff)) != 0 ||
        (rc = item_load(ctx->db, ctx->args.pos[0], &it, &ctx->diag)) != 0)
        return rc;
    rc = item_note(ctx->db, &it, text, &eff, &note, &ctx->diag);
    seq = note;
    for (int i = 0; rc == 0 && i < args_count(&ctx->args, "evidence"); i++)
        rc = item_evidence(ctx->db, &it, args_nth(&ctx->args, "evidence", i), &eff, text, &seq,
                           &ctx->diag);
    /* With --json, the dispatcher prints the events recorded. */
    if (rc == 0 && !args_get(&ctx->args, "json")) {
        /* The note's number is the one to revert: its evidence goes with it. */
        fputs("noted on ", ctx->out);
        cli_put(ctx, it.key, 0);
        fprintf(ctx->out, " (%d evidence, event %lld)\n", args_count(&ctx->args, "evidence"), note);
    }
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_note = {
    .name = "note",
    .usage = "KEY -m TEXT [--on DATE] [--evidence URL|FILE]... [--json]",
    .summary = "Add a note, and evidence, to an item without changing its status.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
