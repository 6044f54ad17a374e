/* diff.c: `docket diff`: the items whose status differs between two effective dates. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {"doc", 0, "ALIAS", OPT_MULTI,
     "only the items of this document (repeatable; see 'docket docs')"},
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

/* The rows of a text diff, held until the widest key is known. */
struct row {
    char *key, *before, *after;
};

struct changes {
    struct cmd_ctx *ctx;
    int json, n;
    struct row *rows;
    size_t nrows, cap;
    int width;
    int oom;
};

/* A percentage as JSON, null for VIEW_NULL. */
static json_t *
jprogress(int v)
{
    return v == VIEW_NULL ? json_null() : json_integer(v);
}

static char *
dup_or_null(const char *s, int *oom)
{
    char *r = s ? strdup(s) : NULL;

    if (s && r == NULL)
        *oom = 1;
    return r;
}

static int
put_change(void *arg, const struct view_change *r)
{
    struct changes *c = arg;
    struct cmd_ctx *ctx = c->ctx;
    struct row *row;
    int w;

    if (c->json) {
        json_t *o =
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "key", r->key, "before", cli_jstr(r->before),
                      "after", cli_jstr(r->after), "progress_before", jprogress(r->progress_before),
                      "progress_after", jprogress(r->progress_after));

        fputs(c->n++ ? ",\n" : "[\n", ctx->out);
        json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        return 0;
    }
    if (c->nrows == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct row *rows = realloc(c->rows, cap * sizeof *rows);

        if (rows == NULL)
            return diag_set(&ctx->diag, DK_STORE, "out of memory");
        c->rows = rows;
        c->cap = cap;
    }
    row = &c->rows[c->nrows++];
    row->key = dup_or_null(r->key, &c->oom);
    row->before = dup_or_null(r->before, &c->oom);
    row->after = dup_or_null(r->after, &c->oom);
    if (c->oom)
        return diag_set(&ctx->diag, DK_STORE, "out of memory");
    /* One column per code point, as cli_put pads. */
    w = 0;
    for (const unsigned char *p = (const unsigned char *)r->key; *p; p++)
        w += (*p & 0xC0) != 0x80;
    if (w > c->width)
        c->width = w;
    return 0;
}

/* Prints the held rows under a header, the keys padded to the widest of them. */
static void
put_rows(struct changes *c, const char *d1, const char *d2)
{
    struct cmd_ctx *ctx = c->ctx;

    if (c->nrows == 0)
        return;
    cli_put(ctx, "KEY", c->width);
    fprintf(ctx->out, "  %s -> %s\n", d1, d2);
    for (size_t i = 0; i < c->nrows; i++) {
        cli_put(ctx, c->rows[i].key, c->width);
        fputs("  ", ctx->out);
        cli_put(ctx, c->rows[i].before ? c->rows[i].before : "(not yet tracked)", 0);
        fputs(" -> ", ctx->out);
        cli_put(ctx, c->rows[i].after ? c->rows[i].after : "(not tracked)", 0);
        fputc('\n', ctx->out);
    }
}

static void
rows_free(struct changes *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        free(c->rows[i].key);
        free(c->rows[i].before);
        free(c->rows[i].after);
    }
    free(c->rows);
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    struct changes c = {.ctx = ctx, .json = args_get(a, "json") != NULL, .width = 3};
    struct date d1, d2;
    char today[11], e1[11], e2[11], *docs = NULL;
    int rc;

    date_today(today);
    if ((rc = date_parse_past(a->pos[0], today, &d1, &ctx->diag)) != 0 ||
        (rc = date_parse_past(a->npos > 1 ? a->pos[1] : today, today, &d2, &ctx->diag)) != 0)
        return rc;
    /* Each date stands for the end of its period, or today if that is earlier: nothing is in
     * effect after it was recorded, so `diff 2016 THIS-YEAR` ends today. */
    memcpy(e1, strcmp(d1.end, today) > 0 ? today : d1.end, sizeof e1);
    memcpy(e2, strcmp(d2.end, today) > 0 ? today : d2.end, sizeof e2);
    /* Reversed dates are most likely a slip; a diff read backwards would pass for history. */
    if (strcmp(e1, e2) > 0)
        return diag_set(&ctx->diag, DK_USAGE,
                        "DATE1 '%s' is after DATE2 '%s' (give the earlier date first)", a->pos[0],
                        a->npos > 1 ? a->pos[1] : today);
    /* The array opens with its first row, or at the end: nothing is printed when the states
     * cannot be made. */
    if ((rc = cli_docs(ctx, &docs)) != 0)
        return rc;
    rc = view_diff(ctx->db, ctx->db_path, e1, e2, docs, put_change, &c, &ctx->diag);
    free(docs);
    if (c.json && (rc == 0 || c.n > 0))
        fputs(c.n > 0 ? "\n]\n" : "[\n]\n", ctx->out);
    if (!c.json && rc == 0)
        put_rows(&c, e1, e2);
    rows_free(&c);
    return rc;
}

const struct cmd_entry cmd_diff = {
    .name = "diff",
    .usage = "DATE1 [DATE2] [--doc ALIAS]... [--json]",
    .summary = "Show the items whose status differs between two dates, the earlier first "
               "(DATE2: today).",
    .opts = opts,
    .min_args = 1,
    .max_args = 2,
    .flags = CMD_STORE,
    .run = run,
};
