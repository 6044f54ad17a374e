/* edit.c: `docket edit`: change an item's fields (title, ref, due, parent, ..., created). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/item.h"

static const struct opt opts[] = {
    {"message", 'm', "REASON", OPT_REQUIRED, "why the fields change (required)"},
    {"on", 0, "DATE", 0, "since when the new values hold (default: today; created=D holds from D)"},
    {"json", 0, NULL, 0, "print the events recorded, as one JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    const char *reason = args_get(&ctx->args, "message");
    int json = args_get(&ctx->args, "json") != NULL; /* the dispatcher prints the events */
    struct date eff;
    struct item it;
    int rc;

    if ((rc = cli_effective(ctx, &eff)) != 0 ||
        (rc = item_load(ctx->db, ctx->args.pos[0], &it, &ctx->diag)) != 0)
        return rc;
    for (int i = 1; i < ctx->args.npos; i++) {
        char *field = strdup(ctx->args.pos[i]), *eq = field ? strchr(field, '=') : NULL;

        if (eq == NULL) {
            rc = field ? diag_set(&ctx->diag, DK_USAGE, "'%s' is not FIELD=VALUE", ctx->args.pos[i])
                       : diag_set(&ctx->diag, DK_STORE, "out of memory");
            free(field);
            break;
        }
        *eq = '\0';
        for (int j = 1; j < i; j++) {
            size_t n = strlen(field);

            if (strncmp(ctx->args.pos[j], field, n) == 0 && ctx->args.pos[j][n] == '=') {
                rc = diag_set(&ctx->diag, DK_USAGE, "'%s' is given twice", field);
                break;
            }
        }
        if (rc != 0) {
            free(field);
            break;
        }
        /* -1: the field already holds the value, and nothing is recorded. */
        if ((rc = item_edit(ctx->db, &it, field, eq + 1, &eff, reason, &ctx->diag)) <= 0 && json) {
            rc = 0;
        } else if (rc <= 0) {
            cli_put(ctx, it.key, 0);
            fprintf(ctx->out, ".%s: ", field);
            cli_put(ctx, eq + 1, 0);
            fputs(rc < 0 ? " (unchanged)\n" : "\n", ctx->out);
            rc = 0;
        }
        free(field);
        if (rc != 0)
            break;
    }
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_edit = {
    .name = "edit",
    .usage = "KEY FIELD=VALUE... -m REASON [--on DATE] [--json]",
    .summary = "Change an item's title, ref, due, parent, cadence_months, description, created "
               "(the date it is tracked from) or rollup (own or instances).",
    .opts = opts,
    .min_args = 2,
    .max_args = -1,
    .flags = CMD_STORE | CMD_WRITE | CMD_EVENTS,
    .run = run,
};
