/* clone.c: `docket clone`: a new office's store, made from the shared log. */
#include "cli.h"
#include "docket/sync.h"

static const struct opt opts[] = {
    {"endpoints", 0, "URLS", OPT_REQUIRED, "etcd client URLs, comma-separated"},
    {"prefix", 0, "P", 0, "the key prefix of the tracker's log (default docket)"},
    {"user", 0, "USER", 0, "an etcd user (auth on)"},
    {"password-file", 0, "FILE", 0, "a file, readable by its owner only, holding the password"},
    {"cacert", 0, "FILE", 0, "a CA certificate for https endpoints"},
    {"json", 0, NULL, 0, "print what the sync did as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

int remote_from_args(const struct args *a, struct sync_remote *r, struct diag *d);

struct job {
    struct cmd_ctx *ctx;
    struct sync_remote r;
};

static int
set_remote(void *arg)
{
    struct job *j = arg;

    return sync_remote_set(j->ctx->db, &j->r, &j->ctx->diag);
}

static int
run(struct cmd_ctx *ctx)
{
    struct job j = {.ctx = ctx};
    struct sync_counts n;
    struct sync_meter m;
    struct sync_progress p;
    int rc;

    if ((rc = remote_from_args(&ctx->args, &j.r, &ctx->diag)) != 0 ||
        (rc = db_tx(ctx->db, DB_TX_WRITE, set_remote, &j, &ctx->diag)) != 0)
        return rc;
    rc = sync_run(ctx->db, 0, sync_meter(&m, &p), &n, &ctx->diag);
    sync_meter_end(&m);
    return rc != 0 ? rc : sync_print(ctx, &n);
}

const struct cmd_entry cmd_clone = {
    .name = "clone",
    .usage = "--endpoints URLS [--prefix P] [--user U] [--password-file F] [--cacert F]",
    .summary = "Make a new office's store from the shared log (checklist included).",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_CREATE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
