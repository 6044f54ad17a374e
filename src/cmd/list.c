/* list.c: `docket list`: items with their status, progress and due dates. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/doc.h"
#include "docket/item.h"
#include "docket/text.h"
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
    {"sort", 0, "FIELD", 0,
     "sort the table by key, status, progress, since, due, flag or title (ties keep the "
     "store's order)"},
    {"columns", 0, "A,B,...", 0,
     "the table's columns, in this order, of key, status, progress, since, due, flag, title"},
    {"wide", 0, NULL, 0,
     "on a terminal too, titles whole and every column (else titles are cut to "
     "its width, and SINCE left out below 120 columns)"},
    {"json", 0, NULL, 0,
     "print a JSON array (every field, in the store's order: --sort and "
     "--columns shape the table only)"},
    {NULL, 0, NULL, 0, NULL},
};

/* The table's columns, in their default order: the names --columns and --sort take. */
enum { COL_KEY, COL_STATUS, COL_PROGRESS, COL_SINCE, COL_DUE, COL_FLAG, COL_TITLE, NCOLS };

static const struct column {
    const char *name, *header;
    int width;       /* padded to it (through a pipe, or with --wide) */
    const char *sep; /* written after it */
} columns[NCOLS] = {
    {"key", "KEY", 31, " "},     {"status", "STATUS", 24, " "}, {"progress", "PROG", 5, "  "},
    {"since", "SINCE", 11, ""},  {"due", "NEXT DUE", 11, ""},   {"flag", "FLAG", 8, ""},
    {"title", "TITLE", 0, "  "},
};

static const char column_names[] = "key, status, progress, since, due, flag, title";

/* One row as shown, held until all are read (to sort them and size the columns). */
struct row {
    char *cell[NCOLS];
    int tone[NCOLS];
    int progress; /* for --sort progress: -1 for none */
    size_t seq;   /* the store's order, which ties keep */
};

/* The table: with the items of several documents, each key is written ALIAS:KEY. */
struct table {
    struct cmd_ctx *ctx;
    json_t *aliases; /* symbol -> alias, when the store has several documents; else NULL */
    struct row *rows;
    size_t n, cap;
    int failed; /* out of memory */
};

/* A damaged store may hold a symbol that is not UTF-8: it is a key here all the same (only
 * running out of memory fails). */
static int
add_alias(void *arg, const char *symbol, const char *alias)
{
    return json_object_set_new_nocheck(arg, symbol, json_string_nocheck(alias)) != 0;
}

static char *
cell_dup(const char *s)
{
    return strdup(s ? s : "");
}

static int
row_text(void *arg, const struct view_item_row *r)
{
    struct table *t = arg;
    struct cmd_ctx *ctx = t->ctx;
    const char *alias =
        t->aliases && r->doc ? json_string_value(json_object_get(t->aliases, r->doc)) : NULL;
    char prog[8] = "-", roll[160] = "", name[300], *title;
    const char *flag = "";
    int by_instances = r->rollup && strcmp(r->rollup, "instances") == 0, flag_tone = TONE_NONE;
    struct row *w;
    size_t len;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct row *b = realloc(t->rows, cap * sizeof *b);

        if (b == NULL)
            return t->failed = 1;
        t->rows = b;
        t->cap = cap;
    }
    w = &t->rows[t->n];
    memset(w, 0, sizeof *w);
    if (r->progress != VIEW_NULL)
        snprintf(prog, sizeof prog, "%d%%", r->progress);
    if (r->breach > 0)
        flag = "breach", flag_tone = TONE_BREACH;
    else if (r->at_risk > 0)
        flag = "at risk", flag_tone = TONE_RISK;
    else if (r->overdue > 0)
        flag = "overdue", flag_tone = TONE_OVERDUE;
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
    len = strlen(r->title ? r->title : "") + strlen(roll) + 1;
    if ((title = malloc(len)) != NULL)
        snprintf(title, len, "%s%s", r->title ? r->title : "", roll);
    w->cell[COL_KEY] = cell_dup(alias ? name : r->key);
    w->cell[COL_STATUS] = cell_dup(by_instances ? "(by instances)" : r->status);
    w->tone[COL_STATUS] = by_instances ? TONE_NONE : cli_status_tone(ctx, r->status);
    w->cell[COL_PROGRESS] = cell_dup(prog);
    w->cell[COL_SINCE] = cell_dup(by_instances ? NULL : r->since);
    w->cell[COL_DUE] = cell_dup(r->next_due);
    w->tone[COL_DUE] = r->overdue > 0 ? TONE_OVERDUE : TONE_NONE;
    w->cell[COL_FLAG] = cell_dup(flag);
    w->tone[COL_FLAG] = flag_tone;
    w->cell[COL_TITLE] = title;
    w->progress = r->progress != VIEW_NULL ? r->progress : -1;
    w->seq = t->n++;
    for (int c = 0; c < NCOLS; c++)
        if (w->cell[c] == NULL)
            t->failed = 1;
    return t->failed;
}

static int sort_col = -1;

static int
by_field(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int c = 0;

    if (sort_col == COL_PROGRESS)
        c = (a->progress > b->progress) - (a->progress < b->progress);
    else if (sort_col >= 0)
        c = strcmp(a->cell[sort_col], b->cell[sort_col]);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Returns the column named NAME (LEN bytes), or -1. */
static int
column_of(const char *name, size_t len)
{
    for (int c = 0; c < NCOLS; c++)
        if (strlen(columns[c].name) == len && strncmp(columns[c].name, name, len) == 0)
            return c;
    return -1;
}

/* The terminal's width when stdout is one, else 0 (no cutting). */
static int
term_width(void)
{
    struct winsize ws;
    const char *env = getenv("COLUMNS");

    if (!isatty(STDOUT_FILENO))
        return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return env && atoi(env) > 0 ? atoi(env) : 80;
}

/* Writes cell S of column C padded to WIDTH (right-aligned progress), its TONE in colour. */
static void
put_cell(struct cmd_ctx *ctx, int c, const char *s, int width, int tone)
{
    if (c == COL_PROGRESS)
        for (int k = text_width(s); k < width; k++)
            fputc(' ', ctx->out);
    cli_put_tone(ctx, s, c == COL_PROGRESS ? 0 : width, tone);
}

/* On a terminal, the key column is at most this wide: a longer key is shown whole, pushing
 * only its own line to the right (its title is cut the more). */
enum { TERM_KEY_MAX = 20 };

/* The columns cell S of column C takes when padded to WIDTH, with its separator after it. */
static int
cell_cols(int c, const char *s, int width)
{
    int k = text_width(s);

    return (k > width ? k : width) + (int)strlen(columns[c].sep);
}

/* Prints the table's rows in the columns COLS (N of them), fitted to WIDTH columns (0: whole,
 * in the fixed widths of a pipe). */
static void
print_table(struct table *t, const int *cols, int n, int width)
{
    struct cmd_ctx *ctx = t->ctx;
    int w[NCOLS];

    for (int c = 0; c < NCOLS; c++) {
        int pad = columns[c].sep[0] == '\0'; /* a space of its own after it */

        w[c] = columns[c].width;
        /* On a terminal, each column only as wide as its widest cell, so the title has room. */
        if (width > 0 && c != COL_TITLE && c != COL_PROGRESS) {
            w[c] = text_width(columns[c].header) + pad;
            for (size_t i = 0; i < t->n; i++)
                if (text_width(t->rows[i].cell[c]) + pad > w[c])
                    w[c] = text_width(t->rows[i].cell[c]) + pad;
            if (c == COL_KEY && w[c] > TERM_KEY_MAX)
                w[c] = TERM_KEY_MAX;
        }
    }
    for (long r = -1; r < (long)t->n; r++) {
        int used = 0;

        for (int i = 0; i < n; i++) {
            int c = cols[i], last = i == n - 1, room = width - used;
            const char *s = r < 0 ? columns[c].header : t->rows[r].cell[c];
            int tone = r < 0 ? TONE_NONE : t->rows[r].tone[c];

            if (last && width > 0 && text_width(s) > room) {
                /* Cut to the room left, with an ellipsis (none at all without room). */
                char *cut = strndup(s, text_prefix(s, room > 1 ? room - 1 : 0));

                cli_put_tone(ctx, cut ? cut : "", 0, tone);
                free(cut);
                if (room > 0)
                    fputs("\xe2\x80\xa6", ctx->out);
            } else {
                put_cell(ctx, c, s, last ? 0 : w[c], tone);
            }
            if (!last) {
                fputs(columns[c].sep, ctx->out);
                used += cell_cols(c, s, w[c]);
            }
        }
        fputc('\n', ctx->out);
    }
}

static void
table_free(struct table *t)
{
    for (size_t r = 0; r < t->n; r++)
        for (int c = 0; c < NCOLS; c++)
            free(t->rows[r].cell[c]);
    free(t->rows);
    json_decref(t->aliases);
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

/* Reads --sort and --columns: COLS gets the columns to show (N of them). DK_USAGE for a name
 * that is not a column. */
static int
parse_columns(struct cmd_ctx *ctx, int *cols, int *n)
{
    const char *sort = args_get(&ctx->args, "sort"), *list = args_get(&ctx->args, "columns");

    sort_col = -1;
    if (sort && (sort_col = column_of(sort, strlen(sort))) < 0)
        return diag_set(&ctx->diag, DK_USAGE, "--sort: '%s' is not a field (fields: %s)", sort,
                        column_names);
    *n = 0;
    if (list == NULL) {
        for (int c = 0; c < NCOLS; c++)
            cols[(*n)++] = c;
        return 0;
    }
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        int c = column_of(p, len);

        if (c < 0 || *n == NCOLS)
            return diag_set(&ctx->diag, DK_USAGE,
                            "--columns: '%.*s' is not a column, or is given twice (columns: %s)",
                            (int)len, p, column_names);
        for (int i = 0; i < *n; i++)
            if (cols[i] == c)
                return diag_set(&ctx->diag, DK_USAGE,
                                "--columns: '%.*s' is given twice (columns: %s)", (int)len, p,
                                column_names);
        cols[(*n)++] = c;
        p += len;
        if (*p == '\0')
            return 0;
    }
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
    int rc, cols[NCOLS], ncols = 0;

    if ((rc = parse_columns(ctx, cols, &ncols)) != 0)
        return rc;
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
        rc = view_list(ctx->db, &f, row_text, &t, &ctx->diag);
        if (rc == 0 && t.failed)
            rc = diag_set(&ctx->diag, DK_STORE, "out of memory");
        if (rc == 0) {
            if (sort_col >= 0)
                qsort(t.rows, t.n, sizeof *t.rows, by_field);
            int width = args_get(a, "wide") ? 0 : term_width();

            /* A terminal narrower than the whole table leaves out SINCE (see 'docket show'),
             * unless --columns chose the columns. */
            if (width > 0 && width < 120 && !args_get(a, "columns"))
                memmove(cols + COL_SINCE, cols + COL_SINCE + 1,
                        (size_t)(--ncols - COL_SINCE) * sizeof *cols);
            print_table(&t, cols, ncols, width);
        }
        table_free(&t);
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
        "[--known-at TIME] [--sort FIELD] [--columns A,B,...] [--wide] [--json]",
    .summary = "List the items with their status, progress and next due date.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE,
    .run = run,
};
