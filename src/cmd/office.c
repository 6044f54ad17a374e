/* office.c: `docket office`: this office's name and key, the offices the shared log admits, and
 * admitting, revoking and re-keying them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/event.h"
#include "docket/trust.h"

static const struct opt opts[] = {
    {"message", 'm', "TEXT", 0, "why (admit, revoke, rekey, rotate)"},
    {"json", 0, NULL, 0,
     "print as JSON (show, list; admit, revoke, rekey, rotate: the events recorded)"},
    {NULL, 0, NULL, 0, NULL},
};

/* `office show`: NAME FINGERPRINT, exactly as `office admit` takes them. */
static int
show(struct cmd_ctx *ctx)
{
    struct trust_key *k = NULL;
    char path[4096], name[72], fp[TRUST_HEX];
    int rc;

    if ((rc = trust_key_path(ctx->db_path, path, sizeof path, &ctx->diag)) != 0 ||
        (rc = trust_office_name(ctx->db, name, sizeof name, &ctx->diag)) != 0 ||
        (rc = trust_key_load(path, &k, &ctx->diag)) != 0)
        return rc;
    trust_key_fingerprint(k, fp);
    trust_key_free(k);
    if (name[0] == '\0')
        trust_default_name(name, sizeof name); /* what its first write will announce */
    if (args_get(&ctx->args, "json"))
        return cli_json(ctx, json_pack("{s:s, s:s, s:s}", "name", name, "fingerprint", fp,
                                       "replica", db_replica(ctx->db)));
    fprintf(ctx->out, "%s %s\n", name, fp);
    return 0;
}

struct listing {
    struct cmd_ctx *ctx;
    json_t *all;
    int n;
};

static int
list_one(const struct trust_office *o, void *arg)
{
    struct listing *l = arg;
    FILE *f = l->ctx->out;

    l->n++;
    if (l->all)
        return json_array_append_new(
                   l->all, json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:b}", "name", o->name,
                                     "replica", cli_jstr(o->replica[0] ? o->replica : NULL),
                                     "fingerprint", o->fingerprint, "admitted_by",
                                     cli_jstr(o->founder          ? "founder"
                                              : o->admitted_by[0] ? o->admitted_by
                                                                  : NULL),
                                     "admitted_at",
                                     o->admitted_at ? json_integer(o->admitted_at) : json_null(),
                                     "revoked_at",
                                     o->revoked_at ? json_integer(o->revoked_at) : json_null(),
                                     "seen", o->seen_at > 0)) == 0
                   ? 0
                   : diag_set(&l->ctx->diag, DK_IO, "out of memory");
    cli_put(l->ctx, o->name, 16);
    fprintf(f, " %s  ", o->fingerprint);
    if (o->founder)
        fprintf(f, "founded the log at %lld", o->admitted_at);
    else if (o->admitted_at) {
        fputs("admitted by ", f);
        cli_put(l->ctx, o->admitted_by, 0);
        fprintf(f, " at %lld", o->admitted_at);
    } else
        fputs("not admitted", f);
    if (o->revoked_at)
        fprintf(f, ", revoked at %lld", o->revoked_at);
    if (o->seen_at == 0)
        fputs(", not seen in the log yet", f);
    fputc('\n', f);
    return 0;
}

/* `office list`: the offices of the shared log as this store applied it. */
static int
list(struct cmd_ctx *ctx)
{
    struct listing l = {ctx, args_get(&ctx->args, "json") ? json_array() : NULL, 0};
    int rc = trust_offices(ctx->db, list_one, &l, &ctx->diag);

    if (rc != 0) {
        json_decref(l.all);
        return rc;
    }
    if (l.all)
        return cli_json(ctx, l.all);
    if (l.n == 0)
        fputs("no office in the shared log yet: the first to publish a signed entry founds it\n",
              ctx->out);
    return 0;
}

/* `office admit|revoke|rekey NAME FINGERPRINT -m REASON`: one event, checked first. */
static int
decide(struct cmd_ctx *ctx, int what)
{
    const char *reason = args_get(&ctx->args, "message");
    const char *name = ctx->args.pos[1], *fp = ctx->args.pos[2];
    char today[11];
    struct event e = {.type = trust_decision_type[what],
                      .subject = name,
                      .new_value = fp,
                      .reason = reason,
                      .eff = today};
    int rc;

    if (reason == NULL || reason[0] == '\0')
        return diag_set(&ctx->diag, DK_USAGE, "office %s needs -m REASON",
                        trust_decision_type[what]);
    date_today(today);
    if ((rc = trust_may_decide(ctx->db, what, name, fp, &ctx->diag)) != 0 ||
        (rc = ev_append(ctx->db, &e, NULL, &ctx->diag)) != 0)
        return rc;
    if (args_get(&ctx->args, "json")) /* the dispatcher prints the events recorded */
        return 0;
    fprintf(ctx->out, "%s office %s, key %s: the other offices learn it at their next sync\n",
            what == TRUST_ADMIT    ? "admitted"
            : what == TRUST_REVOKE ? "revoked"
                                   : "re-keyed",
            name, fp);
    return 0;
}

/* The key file and the next key made for it, while a rotation's transaction is open. */
struct rotation {
    char path[4096], next[4112];
};

/* Puts the next key in place once the re-key that binds it has committed; drops it otherwise. */
static int
rotate_finish(struct cmd_ctx *ctx, int committed)
{
    struct rotation *r = ctx->after_arg;

    if (!committed) {
        unlink(r->next);
        return 0;
    }
    if (rename(r->next, r->path) != 0)
        return diag_set(&ctx->diag, DK_IO,
                        "the re-key is recorded, but the new key '%s' could not replace '%s': %s "
                        "(move it there by hand before the next write)",
                        r->next, r->path, strerror(errno));
    return 0;
}

/* `office rotate -m REASON`: a new key for this office, bound by a re-key that the old key
 * signs, so that the founder too can change its key. The new key replaces the key file once
 * the re-key has committed; the next write announces it. */
static int
rotate(struct cmd_ctx *ctx)
{
    static struct rotation r;
    const char *reason = args_get(&ctx->args, "message");
    struct trust_key *k = NULL;
    char name[72], fp[TRUST_HEX], today[11];
    struct event e = {.type = "rekey", .subject = name, .new_value = fp, .eff = today};
    int rc;

    if (reason == NULL || reason[0] == '\0')
        return diag_set(&ctx->diag, DK_USAGE, "office rotate needs -m REASON");
    if ((rc = trust_key_path(ctx->db_path, r.path, sizeof r.path, &ctx->diag)) != 0 ||
        (rc = trust_office_name(ctx->db, name, sizeof name, &ctx->diag)) != 0)
        return rc;
    snprintf(r.next, sizeof r.next, "%s.next", r.path); /* r.next has room for the suffix */
    if (name[0] == '\0' && trust_default_name(name, sizeof name) != 0)
        return diag_set(&ctx->diag, DK_STORE, "cannot name this office");
    if ((rc = trust_key_new(r.next, 1, &k, &ctx->diag)) != 0)
        return rc;
    trust_key_fingerprint(k, fp);
    trust_key_free(k);
    ctx->after_commit = rotate_finish;
    ctx->after_arg = &r;
    e.reason = reason;
    date_today(today);
    if ((rc = trust_may_decide(ctx->db, TRUST_REKEY, name, fp, &ctx->diag)) != 0 ||
        (rc = ev_append(ctx->db, &e, NULL, &ctx->diag)) != 0)
        return rc;
    if (args_get(&ctx->args, "json")) /* the dispatcher prints the events recorded */
        return 0;
    fprintf(ctx->out,
            "office %s has a new key, fingerprint %s, bound by a re-key signed with the old "
            "one: the other offices learn it at their next sync\n",
            name, fp);
    return 0;
}

static int
run(struct cmd_ctx *ctx)
{
    static const char *const verbs[] = {"admit", "revoke", "rekey"};
    const char *verb = ctx->args.npos ? ctx->args.pos[0] : "show";

    for (int i = 0; i < 3; i++)
        if (strcmp(verb, verbs[i]) == 0) {
            if (ctx->args.npos != 3)
                return diag_set(&ctx->diag, DK_USAGE,
                                "usage: docket office %s NAME FINGERPRINT "
                                "-m REASON",
                                verb);
            return decide(ctx, i);
        }
    if (ctx->args.npos > 1)
        return diag_set(&ctx->diag, DK_USAGE, "office %s takes no arguments", verb);
    if (strcmp(verb, "rotate") == 0)
        return rotate(ctx);
    if (args_get(&ctx->args, "message"))
        return diag_set(&ctx->diag, DK_USAGE, "-m is for admit, revoke, rekey and rotate");
    if (strcmp(verb, "show") == 0)
        return show(ctx);
    if (strcmp(verb, "list") == 0)
        return list(ctx);
    return diag_set(&ctx->diag, DK_USAGE,
                    "'%s' is not 'show', 'list', 'admit', 'revoke', 'rekey' or 'rotate'", verb);
}

const struct cmd_entry cmd_office = {
    .name = "office",
    .usage = "[show | list | admit NAME FINGERPRINT -m REASON | revoke NAME FINGERPRINT -m REASON "
             "| rekey NAME FINGERPRINT -m REASON | rotate -m REASON] [--json]",
    .summary = "Show this office's name and key; list, admit, revoke or re-key the offices that "
               "share the log; rotate this office's own key.",
    .opts = opts,
    .min_args = 0,
    .max_args = 3,
    .flags = CMD_STORE | CMD_EVENTS,
    .writes_with = "message",
    .run = run,
};
