/* show.c: `docket show`: one item: its fields, status, instances, evidence, costs, history. */
#include <string.h>

#include "cli.h"
#include "docket/currency.h"
#include "docket/date.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"as-of", 0, "DATE", 0, "the item on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "the item as the tracker recorded it at TIME (UTC)"},
    {"all", 0, NULL, 0, "a withdrawn item too, as it stood when withdrawn, marked so"},
    {"doc", 0, "ALIAS", 0, "the item KEY of this document (as ALIAS:KEY names it)"},
    {"json", 0, NULL, 0, "print a JSON object"},
    {NULL, 0, NULL, 0, NULL},
};

static void
field(struct cmd_ctx *ctx, const char *name, const char *v)
{
    fprintf(ctx->out, "  %-13s", name);
    cli_put(ctx, v ? v : "-", 0);
    fputc('\n', ctx->out);
}

/* One section (instances, items below, evidence, costs, history) as it is walked: its rows
 * added to A (JSON), or printed under its NAME, N so far. */
struct section {
    struct cmd_ctx *ctx;
    json_t *a; /* NULL: text */
    const char *name;
    int n;
    int actor_width; /* the history's: its widest actor */
};

/* Before a row of a text section: its name before the first, else SEP. */
static void
next_row(struct section *s, const char *sep)
{
    if (s->n++ == 0)
        fprintf(s->ctx->out, "  %-13s", s->name);
    else
        fputs(sep, s->ctx->out);
}

#define INDENT "\n               "

static int
put_instances(void *arg, const struct view_count *r)
{
    struct section *s = arg;

    next_row(s, ", ");
    cli_put(s->ctx, r->status, 0);
    fprintf(s->ctx->out, " %d", r->n);
    return 0;
}

static int
put_below(void *arg, const struct view_child *r)
{
    struct section *s = arg;

    if (s->a) {
        json_array_append_new(s->a, json_pack("{s:s, s:o, s:i}", "key", r->key, "status",
                                              cli_jstr(r->status), "progress", r->progress));
        return 0;
    }
    next_row(s, INDENT);
    cli_put(s->ctx, r->key, 0);
    fputc(' ', s->ctx->out);
    cli_put(s->ctx, r->status, 0);
    fprintf(s->ctx->out, " %d%%", r->progress);
    return 0;
}

static int
put_evidence(void *arg, const struct view_evidence *r)
{
    struct section *s = arg;

    if (s->a) {
        json_array_append_new(s->a, json_pack("{s:s, s:s, s:o}", "ref", r->ref, "effective", r->eff,
                                              "sha256", cli_jstr(r->sha256)));
        return 0;
    }
    next_row(s, INDENT);
    cli_put(s->ctx, r->ref, 0);
    fputs(" (", s->ctx->out);
    cli_put(s->ctx, r->eff, 0);
    fputc(')', s->ctx->out);
    return 0;
}

static int
put_cost(void *arg, const struct view_cost *r)
{
    struct section *s = arg;
    char money[48];

    currency_format(money, sizeof money, r->minor_units, r->currency);
    if (s->a) {
        json_array_append_new(s->a, json_pack("{s:o, s:o, s:I, s:s, s:i}", "currency",
                                              cli_jstr(r->currency), "basis", cli_jstr(r->basis),
                                              "minor_units", (json_int_t)r->minor_units, "amount",
                                              money, "entries", r->entries));
        return 0;
    }
    next_row(s, ", ");
    fprintf(s->ctx->out, "%s ", money);
    cli_put(s->ctx, r->currency, 0);
    fputc(' ', s->ctx->out);
    cli_put(s->ctx, r->basis, 0);
    return 0;
}

static int
put_event(void *arg, const struct view_event *ev)
{
    struct section *s = arg;

    if (s->a) {
        json_array_append_new(s->a, cli_event_json(ev));
        return 0;
    }
    if (s->n++ == 0)
        fputs("\nhistory:\n", s->ctx->out);
    cli_event_text(s->ctx, ev, s->actor_width);
    return 0;
}

/* The history's first walk, in text: its actor column as wide as its widest actor. */
static int
widen(void *arg, const struct view_event *ev)
{
    struct section *s = arg;

    cli_actor_widen(&s->actor_width, ev->actor);
    return 0;
}

/* Prints the sections that come from queries (instances, items below, evidence, costs,
 * history) as text, or adds them to O. */
static int
sections(struct cmd_ctx *ctx, const struct item *it, json_t *o)
{
    static const char *const names[] = {"instances", "below", "evidence", "costs", "history"};
    struct view_at at = {
        .uuid = it->uuid, .key = it->key, .doc = it->doc, .asof = ctx->asof, .known = ctx->known};
    int rc = 0;

    for (int i = 0; i < 5 && rc == 0; i++) {
        struct section s = {.ctx = ctx, .name = names[i]};

        if (o && i == 0)
            continue; /* the instances as list --json gives them: cli_instances_json */
        if (o && (s.a = json_array()) == NULL)
            return diag_set(&ctx->diag, DK_STORE, "out of memory");
        switch (i) {
        case 0:
            rc = view_instances(ctx->db, &at, put_instances, &s, &ctx->diag);
            break;
        case 1:
            rc = view_below(ctx->db, &at, put_below, &s, &ctx->diag);
            break;
        case 2:
            rc = view_evidence(ctx->db, &at, put_evidence, &s, &ctx->diag);
            break;
        case 3:
            rc = view_costs(ctx->db, &at, put_cost, &s, &ctx->diag);
            break;
        default:
            if (o == NULL)
                rc = view_history(ctx->db, &at, widen, &s, &ctx->diag);
            if (rc == 0)
                rc = view_history(ctx->db, &at, put_event, &s, &ctx->diag);
            break;
        }
        if (rc != 0)
            json_decref(s.a);
        else if (o)
            json_object_set_new(o, names[i], s.a);
        else if (s.n > 0 && i < 4)
            fputc('\n', ctx->out);
    }
    return rc;
}

/* What list computes for the item: its next due date, overdue and breach flags, the progress
 * that counts, and the roll-up of its instances. */
struct due {
    char next[32]; /* "" when none */
    int overdue, breach, at_risk, progress;
    int instances, done;
    char done_status[64];
};

static int
take_due(void *arg, const struct view_item_row *r)
{
    struct due *due = arg;

    snprintf(due->next, sizeof due->next, "%s", r->next_due ? r->next_due : "");
    due->overdue = r->overdue > 0;
    due->breach = r->breach > 0;
    due->at_risk = r->at_risk > 0;
    due->progress = r->progress == VIEW_NULL ? 0 : r->progress;
    due->instances = r->instances;
    due->done = r->done;
    snprintf(due->done_status, sizeof due->done_status, "%s",
             r->done_status ? r->done_status : "done");
    return 0;
}

/* Reads the next due date and overdue flag of IT from list's own query, against the same day
 * as list: the end of --as-of's period, else today. */
static int
load_due(struct cmd_ctx *ctx, const struct item *it, struct due *due)
{
    const char *asof = args_get(&ctx->args, "as-of");
    struct view_list_filter f = {.key = it->key, .key_doc = it->doc, .brief = 1};
    struct date date;
    char today[11];
    int rc;

    date_today(today);
    if (asof && (rc = date_parse(asof, &date, &ctx->diag)) != 0)
        return rc;
    f.today = asof ? date.end : today;
    return view_list(ctx->db, &f, take_due, due, &ctx->diag);
}

/* Loads KEY into *IT; with --all, a withdrawn item as the state held it just before the revert
 * that withdrew it (*WITHDRAWN: that revert's number), by the state as of --as-of. The
 * sections still read the whole trail, so the history shows the revert. */
static int
load(struct cmd_ctx *ctx, const char *key, struct item *it, long long *withdrawn)
{
    const char *asof = args_get(&ctx->args, "as-of");
    char before[25];
    struct date date;
    int rc;

    *withdrawn = 0;
    if ((rc = cli_asof(ctx)) != 0)
        return rc;
    if (!args_get(&ctx->args, "all") ||
        (rc = item_withdrawn(ctx->db, key, withdrawn, before, &ctx->diag)) == 0)
        return item_load(ctx->db, key, it, &ctx->diag);
    if (rc < 0)
        return ctx->diag.code;
    if (strcmp(ctx->known, before) < 0)
        snprintf(before, sizeof before, "%s", ctx->known);
    if ((asof && (rc = date_parse(asof, &date, &ctx->diag)) != 0) ||
        (rc = state_asof(ctx->db, asof ? date.end : NULL, before, &ctx->diag)) != 0)
        return rc;
    return item_load(ctx->db, key, it, &ctx->diag);
}

static int
run(struct cmd_ctx *ctx)
{
    struct item it;
    struct due due = {.next = ""};
    json_t *inst = NULL;
    json_t *o = NULL;
    char status[200], text[64], roll[160];
    const char *flag;
    const char *key;
    char name[512];
    long long withdrawn;
    int rc, by_instances;

    if ((rc = cli_item_name(ctx, ctx->args.pos[0], name, sizeof name, &key)) != 0 ||
        (rc = load(ctx, key, &it, &withdrawn)) != 0)
        return rc;
    if ((rc = load_due(ctx, &it, &due)) != 0)
        goto out;
    by_instances = it.rollup && strcmp(it.rollup, "instances") == 0;
    flag = due.breach ? ", breach" : due.at_risk ? ", at risk" : due.overdue ? ", overdue" : "";
    /* The roll-up names the two things a parent with instances has (list's words). */
    roll[0] = '\0';
    if (by_instances)
        snprintf(roll, sizeof roll, "instances: %d of %d %s (its status follows from them)",
                 due.done, due.instances, due.done_status);
    else if (due.instances > 0)
        snprintf(roll, sizeof roll, "own: %s \xc2\xb7 instances: %d of %d %s",
                 it.status ? it.status : "-", due.done, due.instances, due.done_status);
    if (args_get(&ctx->args, "json")) {
        o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                      "s:s, s:o, s:o, s:b, s:o, s:o}",
                      "key", it.key, "uuid", it.uuid, "title", it.title, "kind", it.kind, "status",
                      cli_jstr(it.status), "progress", due.progress, "final", it.final, "since",
                      cli_jstr(it.since), "goal", cli_jstr(it.goal), "parent", cli_jstr(it.parent),
                      "ref", cli_jstr(it.ref), "document", cli_jstr(it.doc), "due",
                      cli_jstr(it.due), "description", cli_jstr(it.description), "created",
                      it.created, "cadence_months",
                      it.cadence_months ? json_integer(it.cadence_months) : json_null(), "next_due",
                      cli_jstr(due.next[0] ? due.next : NULL), "overdue", due.overdue,
                      "instance_keys", cli_jstr(it.instances), "withdrawn_by",
                      withdrawn ? json_integer(withdrawn) : json_null());
        if (o != NULL) {
            json_object_set_new(o, "breach", json_boolean(due.breach));
            json_object_set_new(o, "at_risk", json_boolean(due.at_risk));
            json_object_set_new(o, "rollup", cli_jstr(it.rollup));
        }
        if (o != NULL &&
            (rc = cli_instances_json(ctx, it.doc, it.key, due.instances, due.done, &inst)) == 0 &&
            json_object_set_new(o, "instances", inst) != 0)
            rc = diag_set(&ctx->diag, DK_STORE, "out of memory");
        if (o != NULL && rc == 0)
            rc = sections(ctx, &it, o);
        if (rc != 0)
            json_decref(o);
        else
            rc = cli_json(ctx, o);
    } else {
        cli_put(ctx, it.key, 0);
        fputs(": ", ctx->out);
        cli_put(ctx, it.title, 0);
        fputc('\n', ctx->out);
        snprintf(text, sizeof text, "by event %lld (see 'docket log')", withdrawn);
        if (withdrawn)
            field(ctx, "withdrawn", text);
        if (by_instances)
            snprintf(status, sizeof status, "by instances (%d%%)", due.progress);
        else
            snprintf(status, sizeof status, "%s (%d%%%s%s)%s%s", it.status ? it.status : "-",
                     due.progress, it.final ? ", final" : "", flag, it.since ? " since " : "",
                     it.since ? it.since : "");
        fprintf(ctx->out, "  %-13s", "status");
        cli_put_tone(ctx, status, 0,
                     due.breach    ? TONE_BREACH
                     : due.at_risk ? TONE_RISK
                     : due.overdue ? TONE_OVERDUE
                     : it.final    ? TONE_FINAL
                                   : TONE_NONE);
        fputc('\n', ctx->out);
        if (roll[0])
            field(ctx, "rollup", roll);
        field(ctx, "kind", it.kind);
        field(ctx, "goal", it.goal);
        field(ctx, "document", it.doc);
        field(ctx, "paragraph", it.ref);
        field(ctx, "parent", it.parent);
        field(ctx, "due", it.due);
        snprintf(text, sizeof text, "%lld months", it.cadence_months);
        field(ctx, "cadence", it.cadence_months ? text : NULL);
        snprintf(text, sizeof text, "%s%s", due.next, due.overdue ? ", overdue" : "");
        if (due.overdue) {
            fprintf(ctx->out, "  %-13s", "next due");
            cli_put_tone(ctx, text, 0, TONE_OVERDUE);
            fputc('\n', ctx->out);
        } else {
            field(ctx, "next due", due.next[0] ? text : NULL);
        }
        field(ctx, "created", it.created);
        if (it.instances)
            field(ctx, "instances of", "countries (ISO 3166-1 alpha-3 codes)");
        if (it.description)
            field(ctx, "description", it.description);
        rc = sections(ctx, &it, NULL);
    }
out:
    item_free(&it);
    return rc;
}

const struct cmd_entry cmd_show = {
    .name = "show",
    .usage = "[ALIAS:]KEY [--doc ALIAS] [--as-of DATE] [--known-at TIME] [--all] [--json]",
    .summary = "Show one item: fields, status, instances, evidence, costs and history.",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
    .flags = CMD_STORE | CMD_PAGER,
    .run = run,
};
