/* list.c: `docket list`: items with their status, progress and due dates. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/doc.h"
#include "docket/item.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"kind", 0, "KIND", 0, "only items of this kind (see 'docket kinds')"},
    {"status", 0, "STATUS", 0, "only items in this status (see 'docket kinds')"},
    {"under", 0, "KEY", 0, "only this item and those below it"},
    {"doc", 0, "ALIAS", OPT_MULTI,
     "only the items of this document (repeatable; see 'docket docs')"},
    {"overdue", 0, NULL, 0, "only items whose next step is overdue"},
    {"as-of", 0, "DATE", 0, "the state on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "the state as the tracker recorded it at TIME (UTC)"},
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* The table: with the items of several documents, each key is written ALIAS:KEY. */
struct table {
    struct cmd_ctx *ctx;
    json_t *aliases; /* symbol -> alias, when the store has several documents; else NULL */
};

/* A damaged store may hold a symbol that is not UTF-8: it is a key here all the same (only
 * running out of memory fails). */
static int
add_alias(void *arg, const char *symbol, const char *alias)
{
    return json_object_set_new_nocheck(arg, symbol, json_string_nocheck(alias)) != 0;
}

static int
row_text(void *arg, const struct view_item_row *r)
{
    struct table *t = arg;
    struct cmd_ctx *ctx = t->ctx;
    const char *alias =
        t->aliases && r->doc ? json_string_value(json_object_get(t->aliases, r->doc)) : NULL;
    char prog[8] = "-", roll[160] = "", name[300];
    const char *flag = "";
    int by_instances = r->rollup && strcmp(r->rollup, "instances") == 0;

    if (r->progress != VIEW_NULL)
        snprintf(prog, sizeof prog, "%d%%", r->progress);
    if (r->breach > 0)
        flag = "breach";
    else if (r->at_risk > 0)
        flag = "at risk";
    else if (r->overdue > 0)
        flag = "overdue";
    /* The two things a parent with instances has, each named: its own status (unless it
     * follows from them), and how many of them are done. */
    if (r->instances > 0 && by_instances)
        snprintf(roll, sizeof roll, " [instances: %d of %d %s]", r->done, r->instances,
                 r->done_status ? r->done_status : "done");
    else if (r->instances > 0)
        snprintf(roll, sizeof roll, " [own: %s \xc2\xb7 instances: %d of %d %s]",
                 r->status ? r->status : "-", r->done, r->instances,
                 r->done_status ? r->done_status : "done");
    if (alias)
        snprintf(name, sizeof name, "%s:%s", alias, r->key);
    cli_put(ctx, alias ? name : r->key, 31);
    fputc(' ', ctx->out);
    cli_put(ctx, by_instances ? "(by instances)" : r->status, 24);
    fprintf(ctx->out, " %5s  ", prog);
    cli_put(ctx, by_instances ? NULL : r->since, 11);
    cli_put(ctx, r->next_due, 11);
    cli_put(ctx, flag, 8);
    cli_put(ctx, r->title, 0);
    cli_put(ctx, roll, 0);
    fputc('\n', ctx->out);
    return 0;
}

/* A number as JSON: null for VIEW_NULL, else an integer; a flag (FLAG) is a boolean, never
 * null: one that does not apply (an item with no status of its kind's vocabulary) is false. */
static json_t *
jnum(int v, int flag)
{
    if (flag)
        return json_boolean(v != VIEW_NULL && v);
    return v == VIEW_NULL ? json_null() : json_integer(v);
}

struct json_rows {
    struct cmd_ctx *ctx;
    int n;
};

static int
row_json(void *arg, const struct view_item_row *r)
{
    struct json_rows *j = arg;
    json_t *o = json_object(), *inst = NULL;
    int rc;

    json_object_set_new(o, "key", cli_jstr(r->key));
    json_object_set_new(o, "title", cli_jstr(r->title));
    json_object_set_new(o, "kind", cli_jstr(r->kind));
    json_object_set_new(o, "status", cli_jstr(r->status));
    json_object_set_new(o, "progress", jnum(r->progress, 0));
    json_object_set_new(o, "final", jnum(r->final, 1));
    json_object_set_new(o, "since", cli_jstr(r->since));
    json_object_set_new(o, "due", cli_jstr(r->due));
    json_object_set_new(o, "next_due", cli_jstr(r->next_due));
    json_object_set_new(o, "overdue", jnum(r->overdue, 1));
    json_object_set_new(o, "breach", jnum(r->breach, 1));
    json_object_set_new(o, "at_risk", json_boolean(r->at_risk > 0));
    json_object_set_new(o, "rollup", cli_jstr(r->rollup));
    json_object_set_new(o, "parent", cli_jstr(r->parent));
    json_object_set_new(o, "ref", cli_jstr(r->ref));
    json_object_set_new(o, "document", cli_jstr(r->doc));
    if ((rc = cli_instances_json(j->ctx, r->doc, r->key, r->instances, r->done, &inst)) != 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "instances", inst);
    fputs(j->n++ ? ",\n" : "\n", j->ctx->out);
    json_dumpf(o, j->ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return 0;
}

/* Sets *ALIASES to the documents' aliases by symbol when the store holds several, else NULL. */
static int
several_docs(struct cmd_ctx *ctx, json_t **aliases)
{
    json_t *o = json_object();
    int rc;

    *aliases = NULL;
    if (o == NULL)
        return diag_set(&ctx->diag, DK_STORE, "out of memory");
    if ((rc = doc_each(ctx->db, add_alias, o, &ctx->diag)) == 1)
        rc = diag_set(&ctx->diag, DK_STORE, "out of memory");
    if (rc == 0 && json_object_size(o) > 1)
        *aliases = o;
    else
        json_decref(o);
    return rc;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    const char *asof = args_get(a, "as-of");
    struct view_list_filter f = {.kind = args_get(a, "kind"),
                                 .status = args_get(a, "status"),
                                 .under = args_get(a, "under"),
                                 .overdue = args_get(a, "overdue") != NULL};
    struct json_rows j = {.ctx = ctx};
    struct date date;
    char today[11], *under = NULL, *under_doc = NULL, *docs = NULL;
    int rc;

    date_today(today);
    if (asof && (rc = date_parse_past(asof, today, &date, &ctx->diag)) != 0)
        return rc;
    if ((rc = cli_asof(ctx)) != 0)
        return rc;
    if (f.kind && (rc = item_check_kind(ctx->db, NULL, f.kind, &ctx->diag)))
        return rc;
    if (f.status && (rc = item_check_status(ctx->db, NULL, f.kind, f.status, &ctx->diag)) != 0)
        return rc;
    if (f.under) {
        struct item it;

        if ((rc = item_load(ctx->db, f.under, &it, &ctx->diag)) != 0)
            return rc;
        /* As the item names itself (ALIAS:KEY names it by its key). */
        f.under = under = it.key;
        f.key_doc = under_doc = it.doc;
        it.key = NULL;
        it.doc = NULL;
        item_free(&it);
    }
    if ((rc = cli_docs(ctx, &docs)) != 0) {
        free(under);
        free(under_doc);
        return rc;
    }
    f.docs = docs;
    f.today = asof ? date.end : today;
    if (!args_get(a, "json")) {
        struct table t = {.ctx = ctx};

        f.brief = 1;
        /* Only rows of one document (one --doc, or below one item) need no ALIAS:. */
        if (args_count(a, "doc") != 1 && !f.under && (rc = several_docs(ctx, &t.aliases)) != 0)
            goto out;
        fprintf(ctx->out, "%-31s %-24s %5s  %-11s%-11s%-8s%s\n", "KEY", "STATUS", "PROG", "SINCE",
                "NEXT DUE", "FLAG", "TITLE");
        rc = view_list(ctx->db, &f, row_text, &t, &ctx->diag);
        json_decref(t.aliases);
    } else {
        fputc('[', ctx->out);
        rc = view_list(ctx->db, &f, row_json, &j, &ctx->diag);
        fputs("\n]\n", ctx->out);
    }
out:
    free(under);
    free(under_doc);
    free(docs);
    return rc;
}

const struct cmd_entry cmd_list = {
    .name = "list",
    .usage =
        "[--kind KIND] [--status STATUS] [--under KEY] [--doc ALIAS]... [--overdue] [--as-of DATE] "
        "[--known-at TIME] [--json]",
    .summary = "List the items with their status, progress and next due date.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
