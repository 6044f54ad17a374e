/* clone.c: `docket clone`: a new office's store, made from the shared log. */
#include <string.h>

#include "cli.h"
#include "docket/sync.h"
#include "docket/trust.h"

static const struct opt opts[] = {
    {"endpoints", 0, "URLS", OPT_REQUIRED, "etcd client URLs, comma-separated"},
    {"prefix", 0, "P", 0, "the key prefix of the tracker's log (default docket)"},
    {"user", 0, "USER", 0, "an etcd user (auth on)"},
    {"password-file", 0, "FILE", 0, "a file, readable by its owner only, holding the password"},
    {"cacert", 0, "FILE", 0, "a CA certificate for https endpoints"},
    {"office", 0, "NAME", 0, "this office's name in the shared log (default: the host name)"},
    {"trust", 0, "FINGERPRINT", 0, "the founding office's key, as 'office show' there prints it"},
    {"json", 0, NULL, 0, "print what the sync did as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

int remote_from_args(const struct args *a, struct sync_remote *r, struct diag *d);

struct job {
    struct cmd_ctx *ctx;
    struct sync_remote r;
    char trusted[400]; /* the founder the clone trusted, to say */
};

static int
set_remote(void *arg)
{
    struct job *j = arg;
    const char *office = args_get(&j->ctx->args, "office");
    char host[72];
    int rc;

    trust_default_name(host, sizeof host);
    if ((rc = trust_office_set_name(j->ctx->db, office ? office : host, &j->ctx->diag)) != 0)
        return rc;
    return sync_remote_set(j->ctx->db, &j->r, &j->ctx->diag);
}

/* The key that founded the log, against the one pinned with --trust; without, says which one the
 * clone trusted, for its office to compare with the founder's own word. */
static int
check_founder(void *arg)
{
    struct job *j = arg;
    const char *pinned = args_get(&j->ctx->args, "trust");
    char name[72], fp[TRUST_HEX];
    int found, rc;

    if ((rc = trust_founder(j->ctx->db, &found, name, fp, &j->ctx->diag)) != 0)
        return rc;
    if (pinned && !found)
        return diag_set(&j->ctx->diag, DK_CHECK,
                        "the shared log has no founding office yet, so none can be trusted");
    if (pinned && strcmp(pinned, fp) != 0)
        return diag_set(&j->ctx->diag, DK_CHECK,
                        "the shared log was founded by office %s with key %s, not the key given "
                        "with --trust: nothing was cloned",
                        name, fp);
    if (found && !pinned)
        snprintf(j->trusted, sizeof j->trusted,
                 "trusted the founding office %s, key %s (compare with 'docket office show' "
                 "there, or pin it with --trust)\n",
                 name, fp);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    struct job j = {.ctx = ctx};
    struct sync_counts n;
    struct sync_meter m;
    struct sync_progress p;
    long long held = 0;
    int rc;

    if ((rc = remote_from_args(&ctx->args, &j.r, &ctx->diag)) != 0 ||
        (rc = db_tx(ctx->db, DB_TX_WRITE, set_remote, &j, &ctx->diag)) != 0)
        return rc;
    rc = sync_run(ctx->db, 0, sync_meter(&m, &p), &n, &ctx->diag);
    sync_meter_end(&m);
    /* A log that holds quarantined entries clones whole all the same: say how many, once. */
    if (rc == DK_CHECK && n.quarantine_count > 0) {
        rc = 0;
        memset(&ctx->diag, 0, sizeof ctx->diag);
        n.nquarantined = 0;
        held = n.quarantine_count;
        n.quarantine_count = 0;
    }
    if (rc == 0)
        rc = db_tx(ctx->db, DB_TX_READ, check_founder, &j, &ctx->diag);
    if (rc == 0 && (rc = sync_print(ctx, &n)) == 0 && !args_get(&ctx->args, "json")) {
        fputs(j.trusted, ctx->out);
        if (held > 0)
            fprintf(ctx->out,
                    "%lld entries of the shared log are held in quarantine, applied by no "
                    "office ('docket status' lists them)\n",
                    held);
    }
    return rc;
}

const struct cmd_entry cmd_clone = {
    .name = "clone",
    .usage = "--endpoints URLS [--prefix P] [--user U] [--password-file F] [--cacert F] [--office "
             "NAME] [--trust FP]",
    .summary = "Make a new office's store from the shared log (checklist included).",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_CREATE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
