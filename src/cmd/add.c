/* add.c: `docket add`: add an item, or an instance of one (unct/KEN). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"title", 0, "TITLE", 0,
     "what the item asks for (required, but for an instance that is a country: its name)"},
    {"doc", 0, "ALIAS", 0, "the document it belongs to (default: its parent's, else the only one)"},
    {"kind", 0, "KIND", 0, "one of its document's kinds (an instance takes its parent's)"},
    {"parent", 0, "KEY", 0, "the item it belongs under (default: the longest dotted prefix)"},
    {"ref", 0, "REF", 0, "the paragraph that asks for it, such as 2(c)"},
    {"goal", 0, "GOAL", 0, "for a membership: obtain or keep"},
    {"due", 0, "DATE", 0, "when it is due"},
    {"cadence", 0, "MONTHS", 0, "for a reporting duty: months between submissions"},
    {"description", 0, "TEXT", 0, "a longer description"},
    {"on", 0, "DATE", 0, "since when it is tracked (default: today, for an instance too)"},
    {"message", 'm', "REASON", 0, "why it is added"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static int add(struct cmd_ctx *ctx, struct item_spec *s, struct item *it);

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    struct item_spec s = {.key = a->pos[0],
                          .title = args_get(a, "title"),
                          .kind = args_get(a, "kind"),
                          .parent = args_get(a, "parent"),
                          .ref = args_get(a, "ref"),
                          .goal = args_get(a, "goal"),
                          .due = args_get(a, "due"),
                          .cadence_months = args_get(a, "cadence"),
                          .description = args_get(a, "description"),
                          .eff = args_get(a, "on"),
                          .reason = args_get(a, "message")};
    const char *name;
    struct item it;
    char *doc = NULL, buf[512];
    int rc;

    /* Only an instance may do without: a country's takes its name (item_add says which). */
    if (s.title == NULL && strchr(s.key, '/') == NULL)
        return diag_set(&ctx->diag, DK_USAGE, "--title TITLE is required");
    if (s.title != NULL && s.title[0] == '\0')
        return diag_set(&ctx->diag, DK_USAGE, "--title cannot be empty");
    /* ALIAS:KEY, or --doc ALIAS, names the document; the key is its own there. */
    if ((rc = cli_item_name(ctx, a->pos[0], buf, sizeof buf, &name)) != 0 ||
        (rc = item_name(ctx->db, name, &doc, &s.key, &ctx->diag)) != 0)
        return rc;
    s.doc = doc;
    rc = add(ctx, &s, &it);
    free(doc);
    if (rc != 0)
        return rc;
    if (args_get(a, "json")) { /* the dispatcher answers with the events recorded */
        item_free(&it);
        return 0;
    }
    fputs("added ", ctx->out);
    cli_put(ctx, it.key, 0);
    fputs(" (", ctx->out);
    cli_put(ctx, it.kind, 0);
    if (it.parent) {
        fputs(" under ", ctx->out);
        cli_put(ctx, it.parent, 0);
    }
    fputs(", ", ctx->out);
    cli_put(ctx, it.status, 0);
    fputs(")\n", ctx->out);
    item_free(&it);
    return 0;
}

/* Adds the item S and loads it into *IT. */
static int
add(struct cmd_ctx *ctx, struct item_spec *s, struct item *it)
{
    int rc;

    if ((rc = item_add(ctx->db, s, &ctx->diag)) != 0)
        return rc;
    return s->doc ? item_load_in(ctx->db, &s->doc, s->key, it, &ctx->diag)
                  : item_load(ctx->db, s->key, it, &ctx->diag);
}

const struct cmd_entry cmd_add = {
    .name = "add",
    .usage =
        "[ALIAS:]KEY [--doc ALIAS] [--title TITLE] [--kind KIND] [--parent KEY] [--ref REF] "
        "[--goal GOAL] "
        "[--due DATE] [--cadence MONTHS] [--description TEXT] [--on DATE] [-m REASON] [--json]",
    .summary = "Add an item to track, or a per-country instance of one (unct/KEN).",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
