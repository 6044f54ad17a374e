/* kinds.c: `docket kinds`: the vocabulary: each kind with its statuses, their progress and flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"as-of", 0, "DATE", 0, "the vocabulary on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "the vocabulary as the tracker recorded it at TIME (UTC)"},
    {"doc", 0, "ALIAS", OPT_MULTI, "only the kinds of this document (repeatable)"},
    {"json", 0, NULL, 0, "print a JSON array of kinds, each with its statuses"},
    {NULL, 0, NULL, 0, NULL},
};

/* Writes the flags of status R of its kind, joined by commas, to BUF ("" when none). */
static void
flags(const struct view_vocab_row *r, char *buf, size_t n)
{
    const char *names[7];
    int k = 0;
    size_t used = 0;

    if (r->initial && strcmp(r->initial, r->status) == 0)
        names[k++] = "initial";
    if (r->keep_baseline && strcmp(r->keep_baseline, r->status) == 0)
        names[k++] = "keep-baseline";
    if (r->final)
        names[k++] = "final";
    if (r->breach)
        names[k++] = "breach";
    if (r->submission)
        names[k++] = "submission";
    if (r->lost)
        names[k++] = "lost";
    if (r->at_risk)
        names[k++] = "at-risk";
    buf[0] = '\0';
    for (int i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "," : "", names[i]);
}

struct walk {
    struct cmd_ctx *ctx;
    json_t *kinds;      /* --json: the array being built */
    json_t *statuses;   /* --json: the last kind's statuses (borrowed from kinds) */
    const char *last;   /* --json: the last kind's name (borrowed from kinds) */
    char last_doc[512]; /* --json: the last kind's document */
};

static int
row_text(void *arg, const struct view_vocab_row *r)
{
    struct walk *w = arg;
    struct cmd_ctx *ctx = w->ctx;
    char prog[8], fl[64], name[300];

    /* Kinds of several documents are named as their items are: ALIAS:KIND. */
    if (r->docs > 1 && r->doc)
        snprintf(name, sizeof name, "%s:%s", r->alias, r->kind);
    else
        snprintf(name, sizeof name, "%s", r->kind);
    cli_put(ctx, name, 16);
    fputc(' ', ctx->out);
    if (r->status == NULL) {
        fputs("(no statuses)\n", ctx->out);
        return 0;
    }
    snprintf(prog, sizeof prog, "%d%%", r->progress);
    flags(r, fl, sizeof fl);
    cli_put(ctx, r->status, 24);
    fprintf(ctx->out, " %5s  ", prog);
    cli_put(ctx, fl, 21);
    fputc(' ', ctx->out);
    cli_put(ctx, r->label, 0);
    fputc('\n', ctx->out);
    return 0;
}

static int
row_json(void *arg, const struct view_vocab_row *r)
{
    struct walk *w = arg;
    json_t *s;

    if (w->last == NULL || strcmp(w->last, r->kind) != 0 ||
        strcmp(w->last_doc, r->doc ? r->doc : "") != 0) {
        json_t *k = json_object(), *name = cli_jstr(r->kind);

        w->statuses = json_array();
        if (k == NULL || name == NULL || w->statuses == NULL ||
            json_array_append_new(w->kinds, k) != 0) {
            json_decref(k);
            json_decref(name);
            json_decref(w->statuses);
            return cli_json(w->ctx, NULL);
        }
        json_object_set_new(k, "doc", cli_jstr(r->doc));
        json_object_set_new(k, "alias", r->doc ? cli_jstr(r->alias) : json_null());
        json_object_set_new(k, "name", name);
        json_object_set_new(k, "label", cli_jstr(r->kind_label));
        json_object_set_new(k, "description", cli_jstr(r->description));
        json_object_set_new(k, "initial", cli_jstr(r->initial));
        json_object_set_new(k, "keep_baseline", cli_jstr(r->keep_baseline));
        json_object_set_new(k, "cadence_months",
                            r->cadence_months == VIEW_NULL ? json_null()
                                                           : json_integer(r->cadence_months));
        json_object_set_new(k, "statuses", w->statuses);
        w->last = json_string_value(name);
        snprintf(w->last_doc, sizeof w->last_doc, "%s", r->doc ? r->doc : "");
    }
    if (r->status == NULL)
        return 0;
    s = json_pack("{s:o, s:o, s:i, s:b, s:b, s:b, s:b, s:b}", "name", cli_jstr(r->status), "label",
                  cli_jstr(r->label), "progress", r->progress, "final", r->final, "breach",
                  r->breach, "submission", r->submission, "lost", r->lost, "at_risk", r->at_risk);
    if (s == NULL || json_array_append_new(w->statuses, s) != 0)
        return cli_json(w->ctx, NULL);
    return 0;
}

static int walk(struct cmd_ctx *ctx, const char *docs, struct walk *w);

static int
run(struct cmd_ctx *ctx)
{
    struct walk w = {.ctx = ctx};
    char *docs = NULL;
    int rc;

    if ((rc = cli_asof(ctx)) != 0 || (rc = cli_docs(ctx, &docs)) != 0)
        return rc;
    rc = walk(ctx, docs, &w);
    free(docs);
    return rc;
}

/* Prints the kinds of the documents DOCS (a JSON array, NULL: all) as a table or JSON. */
static int
walk(struct cmd_ctx *ctx, const char *docs, struct walk *w)
{
    int rc;

    if (args_get(&ctx->args, "json")) {
        if ((w->kinds = json_array()) == NULL)
            return cli_json(ctx, NULL);
        if ((rc = view_vocab(ctx->db, docs, row_json, w, &ctx->diag)) != 0) {
            json_decref(w->kinds);
            return rc;
        }
        return cli_json(ctx, w->kinds);
    }
    fprintf(ctx->out, "%-16s %-24s %5s  %-21s %s\n", "KIND", "STATUS", "PROG", "FLAGS", "LABEL");
    return view_vocab(ctx->db, docs, row_text, w, &ctx->diag);
}

const struct cmd_entry cmd_kinds = {
    .name = "kinds",
    .usage = "[--doc ALIAS]... [--as-of DATE] [--known-at TIME] [--json]",
    .summary = "List the kinds with their statuses, each status's progress and flags.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
