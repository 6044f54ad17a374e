/* verify.c: `docket verify`: recompute the audit chain and check the state against it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/audit.h"
#include "docket/item.h"
#include "docket/sync.h"
#include "docket/text.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"head", 0, NULL, 0, "print only the heads to publish: local:N:HEX, and shared:POS:HEX"},
    {"against", 0, "HEAD", OPT_MULTI,
     "check against a head published before: local:N:HEX (or N:HEX), or shared:POS:HEX"},
    {"json", 0, NULL, 0, "print the result as JSON"},
    {"deep", 0, NULL, 0,
     "also check every page and index of the file, and every signature (slower)"},
    {"shared", 0, NULL, 0, "also read the shared log in etcd and compare it with this store's"},
    {NULL, 0, NULL, 0, NULL},
};

/* Parses [local:|shared:]N:HEX into *SHARED (1 for "shared:"), *N and the 64 hex digits HEX. */
static int
parse_head(const char *s, int *shared, long long *n, char hex[2 * EV_HASH_LEN + 1])
{
    char *end;
    const char *colon;

    *shared = strncmp(s, "shared:", 7) == 0;
    if (*shared)
        s += 7;
    else if (strncmp(s, "local:", 6) == 0)
        s += 6;
    colon = strchr(s, ':');
    if (colon == NULL || strlen(colon + 1) != 2 * EV_HASH_LEN ||
        strspn(colon + 1, "0123456789abcdefABCDEF") != 2 * EV_HASH_LEN)
        return -1;
    if (colon == s || strspn(s, "0123456789") != (size_t)(colon - s))
        return -1;
    *n = strtoll(s, &end, 10);
    if (end != colon || *n < 0)
        return -1;
    for (int i = 0; i <= 2 * EV_HASH_LEN; i++)
        hex[i] =
            (char)(colon[1 + i] >= 'A' && colon[1 + i] <= 'F' ? colon[1 + i] + 32 : colon[1 + i]);
    return 0;
}

/* Checks that the trail (C: this store's chain), or with SHARED the shared log as this store
 * holds it (C: its chain), still holds the published head N:WANT. */
static int
against(struct cmd_ctx *ctx, int shared, const struct ev_check *c, long long n, const char *want)
{
    char have[2 * EV_HASH_LEN + 1];
    int rc;

    if (n > c->count && shared)
        return diag_set(&ctx->diag, DK_CHECK,
                        "the shared log here holds %lld entries but %lld were published: this "
                        "office has not synced that far (run 'docket sync'), or the log was cut "
                        "short",
                        c->count, n);
    if (n > c->count)
        return diag_set(&ctx->diag, DK_CHECK,
                        "the trail holds %lld events but %lld were published: it was truncated "
                        "or replaced",
                        c->count, n);
    if (n == 0) {
        /* The head of an empty trail is the zero hash that the first event chains from. */
        if (strspn(want, "0") != 2 * EV_HASH_LEN)
            return diag_set(&ctx->diag, DK_CHECK,
                            "the published head 0:%.12s... is not the head of an empty trail",
                            want);
        return 0;
    }
    if ((rc = view_hash_at(ctx->db, shared, n, have, &ctx->diag)) != 0)
        return rc;
    if (strcmp(have, want) != 0 && shared)
        return diag_set(
            &ctx->diag, DK_CHECK,
            "shared-log entry %lld differs from the published head shared:%lld:%.12s...: "
            "the shared log was rewritten",
            n, n, want);
    if (strcmp(have, want) != 0)
        return diag_set(&ctx->diag, DK_CHECK,
                        "event %lld differs from the published head local:%lld:%.12s...: the "
                        "trail was rewritten",
                        n, n, want);
    return 0;
}

/* The shared log's entries this store holds in quarantine: the trail is whole, yet an auditor
 * must hear of them. The first few are named. */
struct held {
    char list[200];
    size_t len;
    long long n;
};

static int
note_held(void *arg, const struct view_held *h)
{
    struct held *q = arg;

    if (q->n++ < 4 && q->len < sizeof q->list - 60)
        q->len += (size_t)snprintf(q->list + q->len, sizeof q->list - q->len, "%s%lld (%s)",
                                   q->n > 1 ? ", " : "", (long long)h->pos, h->reason);
    return 0;
}

/* Writes a line naming the quarantined entries into OUT ("" for none). Returns 0 or
 * DK_STORE. */
static int
quarantined(struct cmd_ctx *ctx, char out[300])
{
    struct held q = {.list = ""};
    int rc;

    if ((rc = view_quarantine(ctx->db, note_held, &q, &ctx->diag)) != 0)
        return rc;
    out[0] = '\0';
    if (q.n > 0)
        snprintf(out, 300, "quarantined: %lld entr%s of the shared log, applied by no office: %s%s",
                 q.n, q.n == 1 ? "y" : "ies", q.list, q.n > 4 ? ", ..." : "");
    return 0;
}

/* Checks every --against head of one kind (SHARED or not) against C. */
static int
check_heads(struct cmd_ctx *ctx, int shared, const struct ev_check *c)
{
    char want[2 * EV_HASH_LEN + 1];
    long long n;
    int is_shared, rc = 0;

    for (int i = 0; rc == 0 && i < args_count(&ctx->args, "against"); i++)
        if (parse_head(args_nth(&ctx->args, "against", i), &is_shared, &n, want) == 0 &&
            is_shared == shared)
            rc = against(ctx, shared, c, n, want);
    return rc;
}

/* After the store's own check (outside its transaction: no network inside one), the shared log
 * in etcd, entry by entry, against what this store applied. */
static int
check_etcd(struct cmd_ctx *ctx, int committed)
{
    struct sync_scan found;
    int rc;

    if (!committed)
        return 0; /* the store's own check failed, and said so */
    if ((rc = sync_check_log(ctx->db, &found, &ctx->diag)) != 0)
        return rc;
    fprintf(ctx->out, "shared log in etcd: %lld entries, each as this store holds it\n",
            found.checked);
    return 0;
}

/* One warning line a set of twins: the store passes, but a key typed in another case than
 * its own would name none of them. */
static int
warn_twins(void *arg, const char *keys)
{
    (void)arg;
    fputs("docket: verify: warning: ", stderr);
    text_put(stderr, keys);
    fputs(" differ only in case (kept from before keys were unique without regard to case; "
          "name each in its exact case)\n",
          stderr);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    char hex[2 * EV_HASH_LEN + 1], shared_hex[2 * EV_HASH_LEN + 1];
    struct diag state = {0};
    struct ev_check c, shared = {0};
    long long n, signatures = -1;
    char held[300];
    int is_shared, rc;

    for (int i = 0; i < args_count(&ctx->args, "against"); i++)
        if (parse_head(args_nth(&ctx->args, "against", i), &is_shared, &n, hex) != 0)
            return diag_set(&ctx->diag, DK_USAGE,
                            "'%s' is not a head (local:N:HEX, N:HEX or shared:POS:HEX, from "
                            "verify --head)",
                            args_nth(&ctx->args, "against", i));
    /* The first problem in the order an auditor weighs them: a damaged file (with --deep), a
     * broken chain, a trail that no longer holds a published head, a state that is not the
     * replay of the trail, events under another replica id, then the same for the shared log
     * as this store holds it. */
    rc = args_get(&ctx->args, "deep") ? audit_file(ctx->db, &ctx->diag) : 0;
    if (rc == 0 && (rc = audit_run(ctx->db, ctx->db_path, &c, &state, &ctx->diag)) == 0 &&
        c.bad_seq != 0)
        rc = diag_set(&ctx->diag, DK_CHECK, "event %lld: %s", c.bad_seq, c.why);
    if (rc == 0)
        rc = check_heads(ctx, 0, &c);
    if (rc == 0 && state.code != 0)
        rc = diag_set(&ctx->diag, state.code, "%s", state.msg);
    if (rc == 0 && (rc = ev_check_shared(ctx->db, &shared, &ctx->diag)) == 0 && shared.bad_seq)
        rc = diag_set(&ctx->diag, DK_CHECK, "%s", shared.why);
    if (rc == 0)
        rc = check_heads(ctx, 1, &shared);
    if (rc == 0 && args_get(&ctx->args, "deep"))
        rc = audit_signatures(ctx->db, ctx->db_path, &signatures, &ctx->diag);
    if (rc == 0)
        rc = quarantined(ctx, held);
    if (rc == DK_CHECK && args_get(&ctx->args, "json"))
        (void)cli_json(ctx, json_pack("{s:b, s:s}", "ok", 0, "problem", ctx->diag.msg));
    if (rc == 0)
        rc = item_case_twins(ctx->db, warn_twins, NULL, &ctx->diag);
    if (rc != 0)
        return rc;
    if (args_get(&ctx->args, "shared"))
        ctx->after_commit = check_etcd;
    ev_hex(c.head, hex);
    ev_hex(shared.head, shared_hex);
    /* Every head printed here is in the form --against takes, for a person to pass back. The
     * heads to publish, each exactly as --against takes it: the shared one, which every
     * office that has synced as far holds alike, once there is a shared log. */
    if (args_get(&ctx->args, "head")) {
        fprintf(ctx->out, "local:%lld:%s\n", c.count, hex);
        if (shared.count > 0)
            fprintf(ctx->out, "shared:%lld:%s\n", shared.count, shared_hex);
    } else if (args_get(&ctx->args, "json")) {
        return cli_json(ctx, json_pack("{s:b, s:I, s:s, s:{s:I, s:s}}", "ok", 1, "events",
                                       (json_int_t)c.count, "head", hex, "shared", "events",
                                       (json_int_t)shared.count, "head", shared_hex));
    } else if (shared.count > 0) {
        fprintf(ctx->out,
                "ok: %lld events, head local:%lld:%s; shared log: %lld events, head "
                "shared:%lld:%s\n",
                c.count, c.count, hex, shared.count, shared.count, shared_hex);
    } else {
        fprintf(ctx->out, "ok: %lld events, head local:%lld:%s\n", c.count, c.count, hex);
    }
    if (signatures >= 0 && !args_get(&ctx->args, "json") && !args_get(&ctx->args, "head"))
        fprintf(ctx->out, "signatures: %lld, each by its office's key\n", signatures);
    if (held[0] && !args_get(&ctx->args, "json") && !args_get(&ctx->args, "head"))
        fprintf(ctx->out, "%s\n", held);
    return 0;
}

const struct cmd_entry cmd_verify = {
    .name = "verify",
    .usage = "[--head] [--against HEAD]... [--deep] [--shared] [--json]",
    .summary = "Recompute the audit chain and check the state; exit 1 naming what differs.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
