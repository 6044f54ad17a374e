/* set.c: `docket set`: record a status change of one or more items, as one batch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "why the status changed (required)"},
    {"on", 0, "DATE", 0, "when it happened: YYYY, YYYY-MM or YYYY-MM-DD (default: today)"},
    {"evidence", 0, "URL|FILE", OPT_MULTI, "a link or a local file that shows it (repeatable)"},
    {"force", 0, NULL, 0, "record a status it already has on that date, as a confirmation"},
    {"baseline", 0, NULL, 0,
     "record a fact from before the item is tracked from (--on before its creation date)"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* Attaches every --evidence to IT. */
static int
attach(struct cmd_ctx *ctx, const struct item *it, const struct date *eff, const char *reason)
{
    int rc;

    for (int i = 0; i < args_count(&ctx->args, "evidence"); i++)
        if ((rc = item_evidence(ctx->db, it, args_nth(&ctx->args, "evidence", i), eff, reason, NULL,
                                &ctx->diag)) != 0)
            return rc;
    return 0;
}

/* Adds KEY to the list of keys that already have the status: the first few by name, the
 * rest counted. */
static void
already(char *list, size_t n, int *more, const char *key)
{
    size_t used = strlen(list);

    if (used + strlen(key) + 3 < n)
        snprintf(list + used, n - used, "%s%s", used ? ", " : "", key);
    else
        (*more)++;
}

static int
run(struct cmd_ctx *ctx)
{
    const char *status = ctx->args.pos[ctx->args.npos - 1];
    const char *reason = args_get(&ctx->args, "message");
    int json = args_get(&ctx->args, "json") != NULL, rc, same = 0, more = 0;
    int how = args_get(&ctx->args, "force") ? ITEM_CONFIRM : ITEM_CHANGE;
    char unchanged[320] = "";
    struct date eff;

    if (args_get(&ctx->args, "baseline")) {
        if (how == ITEM_CONFIRM) {
            rc = diag_set(&ctx->diag, DK_USAGE, "--baseline and --force cannot be combined");
            goto out;
        }
        if (args_get(&ctx->args, "on") == NULL) {
            rc = diag_set(&ctx->diag, DK_USAGE, "--baseline needs --on DATE");
            goto out;
        }
        how = ITEM_BASELINE;
    }
    if ((rc = cli_effective(ctx, &eff)) != 0)
        goto out;
    for (int i = 0; i < ctx->args.npos - 1; i++) {
        const char *key = ctx->args.pos[i];
        struct item it = {0};
        long long seq = 0;
        int confirm;

        for (int j = 0; j < i; j++)
            if (strcmp(ctx->args.pos[j], key) == 0) {
                rc = diag_set(&ctx->diag, DK_DATA, "'%s' is given twice", key);
                goto out;
            }
        if ((rc = item_load(ctx->db, key, &it, &ctx->diag)) != 0 ||
            (rc = item_check_status(ctx->db, (const char *const *)&it.doc, it.kind, status,
                                    &ctx->diag)) != 0)
            goto next;
        /* Every key of the batch that would change nothing is named, before any refusal. A
         * baseline is a fact from before the item's own record: there is nothing to compare. */
        if (how == ITEM_BASELINE)
            confirm = 0;
        else if ((confirm = item_status_same(ctx->db, &it, status, &eff, &ctx->diag)) < 0) {
            rc = ctx->diag.code;
            goto next;
        }
        if (confirm && how == ITEM_CHANGE) {
            already(unchanged, sizeof unchanged, &more, key);
            same++;
            goto next;
        }
        rc = item_set_status(ctx->db, &it, status, &eff, reason, how, &seq, &ctx->diag);
        if (rc == 0)
            rc = attach(ctx, &it, &eff, reason);
        if (rc == 0 && !json) {
            cli_put(ctx, key, 0);
            if (confirm) {
                fputs(": confirmed ", ctx->out);
            } else if (how == ITEM_BASELINE) {
                fputs(": baseline ", ctx->out);
            } else {
                fputs(": ", ctx->out);
                cli_put(ctx, it.status, 0);
                fputs(" -> ", ctx->out);
            }
            cli_put(ctx, status, 0);
            fprintf(ctx->out, " (effective %s, event %lld)\n", eff.text, seq);
        }
    next:
        item_free(&it);
        if (rc != 0)
            goto out;
    }
    if (same > 0) {
        char tail[32] = "";

        if (more > 0)
            snprintf(tail, sizeof tail, " and %d more", more);
        rc = diag_set(&ctx->diag, DK_DATA,
                      "%s%s %s already %s on %s (--force records a confirmation)", unchanged, tail,
                      same > 1 ? "are" : "is", status, eff.text);
        goto out;
    }
out:
    return rc;
}

const struct cmd_entry cmd_set = {
    .name = "set",
    .usage = "KEY... STATUS -m REASON [--on DATE] [--evidence URL|FILE]... [--force | --baseline] "
             "[--json]",
    .summary = "Record a status change of one or more items, in one batch.",
    .opts = opts,
    .min_args = 2,
    .max_args = -1,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
