/* verify.c: `docket verify`: recompute the audit chain and check the state against it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/event.h"
#include "docket/state.h"

static const struct opt opts[] = {
    {"head", 0, NULL, 0, "print only the head to publish: N HEX"},
    {"against", 0, "N:HEX", 0, "check the trail against a head published before"},
    {"json", 0, NULL, 0, "print the result as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

/* Parses N:HEX into *N and the 64 hex digits HEX. */
static int
parse_head(const char *s, long long *n, char hex[2 * EV_HASH_LEN + 1])
{
    char *end;
    const char *colon = strchr(s, ':');

    if (colon == NULL || strlen(colon + 1) != 2 * EV_HASH_LEN ||
        strspn(colon + 1, "0123456789abcdefABCDEF") != 2 * EV_HASH_LEN)
        return -1;
    *n = strtoll(s, &end, 10);
    if (end != colon || *n < 0)
        return -1;
    for (int i = 0; i <= 2 * EV_HASH_LEN; i++)
        hex[i] =
            (char)(colon[1 + i] >= 'A' && colon[1 + i] <= 'F' ? colon[1 + i] + 32 : colon[1 + i]);
    return 0;
}

/* Checks that the trail still holds the published head N:HEX. */
static int
against(struct cmd_ctx *ctx, const struct ev_check *c, const char *arg)
{
    static const char sql[] = "SELECT hash FROM event WHERE seq = :n";
    char want[2 * EV_HASH_LEN + 1], have[2 * EV_HASH_LEN + 1];
    sqlite3_stmt *st;
    long long n;
    int rc;

    if (parse_head(arg, &n, want) != 0)
        return diag_set(&ctx->diag, DK_USAGE, "'%s' is not a head (N:HEX, from verify --head)",
                        arg);
    if (n > c->count)
        return diag_set(&ctx->diag, DK_CHECK,
                        "the trail holds %lld events but %lld were published: it was truncated "
                        "or replaced",
                        c->count, n);
    if (n == 0)
        return 0;
    if ((rc = db_prep(ctx->db, sql, &st, &ctx->diag)) != 0 ||
        (rc = db_bind_int(ctx->db, st, ":n", n, &ctx->diag)) != 0)
        return rc;
    if ((rc = db_row(ctx->db, st, &ctx->diag)) < 0)
        return ctx->diag.code;
    have[0] = '\0';
    if (rc == 1 && sqlite3_column_bytes(st, 0) == EV_HASH_LEN)
        ev_hex(sqlite3_column_blob(st, 0), have);
    sqlite3_reset(st);
    if (strcmp(have, want) != 0)
        return diag_set(&ctx->diag, DK_CHECK,
                        "event %lld differs from the published head %lld:%.12s...: the trail "
                        "was rewritten",
                        n, n, want);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    char hex[2 * EV_HASH_LEN + 1];
    struct ev_check c;
    int rc;

    if ((rc = ev_check_chain(ctx->db, &c, &ctx->diag)) != 0)
        return rc;
    if (c.bad_seq != 0)
        return diag_set(&ctx->diag, DK_CHECK, "event %lld: %s", c.bad_seq, c.why);
    if ((rc = state_check(ctx->db, &ctx->diag)) != 0)
        return rc;
    if (args_get(&ctx->args, "against") &&
        (rc = against(ctx, &c, args_get(&ctx->args, "against"))) != 0)
        return rc;
    ev_hex(c.head, hex);
    if (args_get(&ctx->args, "head"))
        fprintf(ctx->out, "%lld %s\n", c.count, hex);
    else if (args_get(&ctx->args, "json"))
        cli_json(ctx,
                 json_pack("{s:b, s:I, s:s}", "ok", 1, "events", (json_int_t)c.count, "head", hex));
    else
        fprintf(ctx->out, "ok: %lld events, head %s\n", c.count, hex);
    return 0;
}

const struct cmd_entry cmd_verify = {
    .name = "verify",
    .usage = "[--head] [--against N:HEX] [--json]",
    .summary = "Recompute the audit chain and check the state; exit 1 naming what differs.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
