/* key.c: `docket key new`: a new key pair for this office (a restored or copied store). */
#include <string.h>

#include "cli.h"
#include "docket/trust.h"

static const struct opt opts[] = {
    {"force", 0, NULL, 0, "replace the key file that is there"},
    {NULL, 0, NULL, 0, NULL},
};

static int
run(struct cmd_ctx *ctx)
{
    struct trust_key *k = NULL;
    char path[4096], name[72], fp[TRUST_HEX];
    int rc;

    if (strcmp(ctx->args.pos[0], "new") != 0)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not 'new'", ctx->args.pos[0]);
    if ((rc = trust_key_path(ctx->db_path, path, sizeof path, &ctx->diag)) != 0 ||
        (rc = trust_office_name(ctx->db, name, sizeof name, &ctx->diag)) != 0 ||
        (rc = trust_key_new(path, args_get(&ctx->args, "force") != NULL, &k, &ctx->diag)) != 0)
        return rc;
    trust_key_fingerprint(k, fp);
    trust_key_free(k);
    if (name[0] == '\0')
        trust_default_name(name, sizeof name);
    fprintf(ctx->out,
            "new key in %s, fingerprint %s\n"
            "it counts once an admitted office runs: docket office rekey %s %s -m REASON\n"
            "(or 'docket office admit %s %s -m REASON' for an office never admitted)\n",
            path, fp, name, fp, name, fp);
    return 0;
}

const struct cmd_entry cmd_key = {
    .name = "key",
    .usage = "new [--force]",
    .summary = "Make a new key pair for this office, in the key file beside the store.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_NOKEY,
    .run = run,
};
