/* remote.c: `docket remote`: where the shared log lives (etcd). */
#include <string.h>

#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"endpoints", 0, "URLS", 0, "etcd client URLs, comma-separated"},
    {"prefix", 0, "P", 0, "the key prefix of this tracker's log (default docket)"},
    {"user", 0, "USER", 0, "an etcd user (auth on); '' for none"},
    {"password-file", 0, "FILE", 0, "a file, readable by its owner only, holding the password"},
    {"cacert", 0, "FILE", 0, "a CA certificate for https endpoints; '' for none"},
    {"json", 0, NULL, 0, "print the remote as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Copies option NAME, when given, into FIELD (SIZE bytes). Returns 0 or DK_USAGE. */
static int
take(const struct args *a, const char *name, char *field, size_t size, struct diag *d)
{
    const char *v = args_get(a, name);

    if (v == NULL)
        return 0;
    if (strlen(v) >= size)
        return diag_set(d, DK_USAGE, "--%s is longer than %zu characters", name, size - 1);
    snprintf(field, size, "%s", v);
    return 0;
}

/* Puts the options given into R, keeping R's other settings: what `remote set` and `clone`
 * share. An empty --user drops the user and its password file; an empty --cacert, the CA.
 * Returns 0 or DK_USAGE. */
int
remote_from_args(const struct args *a, struct sync_remote *r, struct diag *d)
{
    const char *user = args_get(a, "user");
    int rc;

    if (user && user[0] && args_get(a, "password-file") == NULL)
        return diag_set(d, DK_USAGE, "--user needs --password-file FILE");
    if (user && user[0] == '\0')
        r->password_file[0] = '\0';
    if ((rc = take(a, "endpoints", r->endpoints, sizeof r->endpoints, d)) != 0 ||
        (rc = take(a, "prefix", r->prefix, sizeof r->prefix, d)) != 0 ||
        (rc = take(a, "user", r->user, sizeof r->user, d)) != 0 ||
        (rc = take(a, "password-file", r->password_file, sizeof r->password_file, d)) != 0 ||
        (rc = take(a, "cacert", r->cacert, sizeof r->cacert, d)) != 0)
        return rc;
    if (r->prefix[0] == '\0')
        snprintf(r->prefix, sizeof r->prefix, "docket");
    return 0;
}

/* Prints remote R as `remote show` and `remote set` show it: the password file's path, never
 * the password. */
static int
print(struct cmd_ctx *ctx, const struct sync_remote *r)
{
    if (args_get(&ctx->args, "json"))
        return cli_json(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s}", "endpoints", r->endpoints,
                                       "prefix", r->prefix, "user", r->user, "password_file",
                                       r->password_file, "cacert", r->cacert));
    fputs("endpoints  ", ctx->out);
    cli_put(ctx, r->endpoints, 0);
    fputs("\nprefix     ", ctx->out);
    cli_put(ctx, r->prefix, 0);
    if (r->user[0]) {
        fputs("\nuser       ", ctx->out);
        cli_put(ctx, r->user, 0);
        fputs("\npassword   ", ctx->out);
        cli_put(ctx, r->password_file, 0);
    }
    if (r->cacert[0]) {
        fputs("\ncacert     ", ctx->out);
        cli_put(ctx, r->cacert, 0);
    }
    fputc('\n', ctx->out);
    return 0;
}

/* `remote set`: the settings given replace those stored, the others are kept. */
static int
set(struct cmd_ctx *ctx)
{
    struct sync_remote r;
    struct diag none = {0};
    int rc;

    if (args_get(&ctx->args, "endpoints") == NULL)
        return diag_set(&ctx->diag, DK_USAGE, "remote set needs --endpoints URLS");
    /* No remote yet (DK_USAGE) leaves R empty; a damaged store stops here. */
    if ((rc = sync_remote_get(ctx->db, &r, &none)) != 0 && rc != DK_USAGE)
        return diag_set(&ctx->diag, rc, "%s", none.msg);
    if (rc != 0)
        memset(&r, 0, sizeof r);
    if ((rc = remote_from_args(&ctx->args, &r, &ctx->diag)) != 0 ||
        (rc = sync_remote_set(ctx->db, &r, &ctx->diag)) != 0)
        return rc;
    return print(ctx, &r);
}

static int
run(struct cmd_ctx *ctx)
{
    const char *verb = ctx->args.npos ? ctx->args.pos[0] : "show";
    struct sync_remote r;
    int rc;

    if (strcmp(verb, "set") == 0)
        return set(ctx);
    if (strcmp(verb, "show") != 0)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not 'set' or 'show'", verb);
    if ((rc = sync_remote_get(ctx->db, &r, &ctx->diag)) != 0)
        return rc;
    return print(ctx, &r);
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
