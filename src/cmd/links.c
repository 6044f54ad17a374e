/* links.c: `docket links`: the evidence attached to items, and, with --check, whether it is
 * still there and unchanged. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "docket/links.h"

static const struct opt opts[] = {
    {"check", 0, NULL, 0, "fetch every link (and hash every file) and record what was found"},
    {"parallel", 0, "N", 0, "links fetched at a time (default 8)"},
    {"key", 0, "KEY", 0, "only the evidence of this item"},
    {"timeout", 0, "SECONDS", 0, "give up on one link after this long (default 30)"},
    {"cacert", 0, "FILE", 0, "a CA certificate to trust, beside the system's"},
    {"json", 0, NULL, 0, "print JSON Lines: one link per line"},
    {NULL, 0, NULL, 0, NULL},
};

struct job {
    struct cmd_ctx *ctx;
    struct link *l;
    size_t n;
};

static int
load(void *arg)
{
    struct job *j = arg;

    return links_load(j->ctx->db, args_get(&j->ctx->args, "key"), &j->l, &j->n, &j->ctx->diag);
}

static int
record(void *arg)
{
    struct job *j = arg;

    return links_record(j->ctx->db, j->l, j->n, &j->ctx->diag);
}

/* The progress bar: on a terminal only, never with NO_COLOR. */
static void
progress(size_t done, size_t n, void *arg)
{
    (void)arg;
    fprintf(stderr, "\rchecking links: %zu of %zu", done, n);
    if (done == n)
        fputc('\n', stderr);
}

static long
number(const char *v, long lo, long hi)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : -1;

    return v && *end == '\0' && n >= lo && n <= hi ? n : -1;
}

static int
print(struct cmd_ctx *ctx, const struct link *l, int checked)
{
    const char *state = checked ? l->result : l->last ? l->last : "unchecked";

    if (args_get(&ctx->args, "json")) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "key", l->key, "ref", l->ref, "type",
                              l->is_file ? "file" : "url", "result", state, "sha256",
                              cli_jstr(checked && l->sha256[0] ? l->sha256 : l->baseline));

        if (checked && !l->is_file)
            json_object_set_new(o, "status", json_integer(l->status));
        if (checked && l->why[0])
            json_object_set_new(o, "error", json_string(l->why));
        return cli_json(ctx, o);
    }
    cli_put(ctx, state, 10);
    cli_put(ctx, l->key, 24);
    fputc(' ', ctx->out);
    cli_put(ctx, l->ref, 0);
    if (checked && l->why[0]) {
        fputs("  (", ctx->out);
        cli_put(ctx, l->why, 0);
        fputc(')', ctx->out);
    } else if (checked && !l->is_file) {
        fprintf(ctx->out, "  (HTTP %ld)", l->status);
    }
    fputc('\n', ctx->out);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    long parallel = args_get(a, "parallel") ? number(args_get(a, "parallel"), 1, 64) : 8;
    long timeout = args_get(a, "timeout") ? number(args_get(a, "timeout"), 1, 3600) : 30;
    int check = args_get(a, "check") != NULL, broken = 0, changed = 0, rc;
    struct job j = {.ctx = ctx};
    struct net_opts o;

    if (parallel < 0)
        return diag_set(&ctx->diag, DK_USAGE, "--parallel takes a number from 1 to 64");
    if (timeout < 0)
        return diag_set(&ctx->diag, DK_USAGE, "--timeout takes seconds from 1 to 3600");
    net_defaults(&o);
    o.total_ms = timeout * 1000;
    o.cacert = args_get(a, "cacert");
    /* Reading, fetching and recording are apart: no network inside a transaction. */
    if ((rc = db_tx(ctx->db, DB_TX_READ, load, &j, &ctx->diag)) != 0)
        return rc;
    if (check && ((rc = links_check(j.l, j.n, (int)parallel, &o,
                                    isatty(2) && !getenv("NO_COLOR") ? progress : NULL, NULL,
                                    &ctx->diag)) != 0 ||
                  (rc = db_tx(ctx->db, DB_TX_WRITE, record, &j, &ctx->diag)) != 0))
        goto out;
    for (size_t i = 0; i < j.n; i++) {
        if ((rc = print(ctx, &j.l[i], check)) != 0)
            goto out;
        broken += check && strcmp(j.l[i].result, "broken") == 0;
        changed += check && strcmp(j.l[i].result, "changed") == 0;
    }
    /* A link whose content is no longer what was attached fails the check as a broken one
     * does: the evidence on record is not what is there. */
    if (broken && changed)
        rc = diag_set(&ctx->diag, DK_CHECK, "%d of %zu links are broken and %d changed", broken,
                      j.n, changed);
    else if (broken)
        rc = diag_set(&ctx->diag, DK_CHECK, "%d of %zu links are broken", broken, j.n);
    else if (changed)
        rc = diag_set(&ctx->diag, DK_CHECK, "%d of %zu links changed", changed, j.n);
out:
    links_free(j.l, j.n);
    return rc;
}

const struct cmd_entry cmd_links = {
    .name = "links",
    .usage = "[--check] [--parallel N] [--key KEY] [--timeout SECONDS] [--cacert FILE] [--json]",
    .summary = "List the evidence links and files; --check fetches them and records what it finds.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_NOTX,
    .writes_with = "check",
    .run = run,
};
