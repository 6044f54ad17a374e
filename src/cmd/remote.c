/* remote.c: `docket remote`: where the shared log lives (etcd). */
#include <string.h>

#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"endpoints", 0, "URLS", 0, "etcd client URLs, comma-separated"},
    {"prefix", 0, "P", 0, "the key prefix of this tracker's log (default docket)"},
    {"user", 0, "USER", 0, "an etcd user (auth on)"},
    {"password-file", 0, "FILE", 0, "a file, readable by its owner only, holding the password"},
    {"cacert", 0, "FILE", 0, "a CA certificate for https endpoints"},
    {"json", 0, NULL, 0, "print the remote as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Copies the options into R: what `remote set` and `clone` share. */
void
remote_from_args(const struct args *a, struct sync_remote *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->endpoints, sizeof r->endpoints, "%s",
             args_get(a, "endpoints") ? args_get(a, "endpoints") : "");
    snprintf(r->prefix, sizeof r->prefix, "%s",
             args_get(a, "prefix") ? args_get(a, "prefix") : "docket");
    snprintf(r->user, sizeof r->user, "%s", args_get(a, "user") ? args_get(a, "user") : "");
    snprintf(r->password_file, sizeof r->password_file, "%s",
             args_get(a, "password-file") ? args_get(a, "password-file") : "");
    snprintf(r->cacert, sizeof r->cacert, "%s", args_get(a, "cacert") ? args_get(a, "cacert") : "");
}

static int
run(struct cmd_ctx *ctx)
{
    const char *verb = ctx->args.npos ? ctx->args.pos[0] : "show";
    struct sync_remote r;
    int rc;

    if (strcmp(verb, "set") == 0) {
        remote_from_args(&ctx->args, &r);
        if ((rc = sync_remote_set(ctx->db, &r, &ctx->diag)) != 0)
            return rc;
        fputs("remote set: ", ctx->out);
        cli_put(ctx, r.endpoints, 0);
        fputs(" (prefix ", ctx->out);
        cli_put(ctx, r.prefix, 0);
        fputs(")\n", ctx->out);
        return 0;
    }
    if (strcmp(verb, "show") != 0)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not 'set' or 'show'", verb);
    if ((rc = sync_remote_get(ctx->db, &r, &ctx->diag)) != 0)
        return rc;
    if (args_get(&ctx->args, "json")) {
        cli_json(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s}", "endpoints", r.endpoints, "prefix",
                                r.prefix, "user", r.user, "password_file", r.password_file,
                                "cacert", r.cacert));
        return 0;
    }
    fputs("endpoints  ", ctx->out);
    cli_put(ctx, r.endpoints, 0);
    fputs("\nprefix     ", ctx->out);
    cli_put(ctx, r.prefix, 0);
    if (r.user[0]) {
        fputs("\nuser       ", ctx->out);
        cli_put(ctx, r.user, 0);
    }
    fputc('\n', ctx->out);
    return 0;
}

const struct cmd_entry cmd_remote = {
    .name = "remote",
    .usage = "[show] | set --endpoints URLS [--prefix P] [--user U] [--password-file F] "
             "[--cacert F]",
    .summary = "Show or set where the shared log lives (an etcd cluster).",
    .opts = opts,
    .min_args = 0,
    .max_args = 1,
    .flags = CMD_STORE,
    .writes_with = "endpoints",
    .run = run,
};
