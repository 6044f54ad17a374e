/* complete.c: `docket complete WHAT [ARG]`, the hidden helper of the shell completion
 * (completion/docket.bash): prints the words that fit, one a line. It only reads, and never
 * fails loudly: what it cannot read (no store, a damaged one) gives no words, exit 0. */
#include <string.h>

#include "cli.h"
#include "docket/doc.h"
#include "docket/embed.h"
#include "docket/item.h"
#include "docket/view.h"

static const struct opt opts[] = {
    {NULL, 0, NULL, 0, NULL},
};

struct docs {
    int n;
    char aliases[64][256];
    char symbols[64][256];
};

static int
put_doc(void *arg, const char *symbol, const char *alias)
{
    struct docs *ds = arg;

    if (ds->n < 64) {
        snprintf(ds->aliases[ds->n], sizeof ds->aliases[0], "%s", alias);
        snprintf(ds->symbols[ds->n], sizeof ds->symbols[0], "%s", symbol);
        ds->n++;
    }
    return 0;
}

struct key_words {
    FILE *out;
    const struct docs *ds;
};

static int
put_key(void *arg, const char *doc, const char *key)
{
    struct key_words *kw = arg;

    fprintf(kw->out, "%s\n", key);
    /* With several documents, ALIAS:KEY names the item without doubt. */
    for (int i = 0; doc && kw->ds->n > 1 && i < kw->ds->n; i++)
        if (strcmp(kw->ds->symbols[i], doc) == 0)
            fprintf(kw->out, "%s:%s\n", kw->ds->aliases[i], key);
    return 0;
}

static int
put_word(void *arg, const char *word)
{
    fprintf(arg, "%s\n", word);
    return 0;
}

/* The options of command NAME, or with NULL the global ones; with VALUES only those that take
 * a value. */
static void
put_options(FILE *out, const char *name, int values)
{
    if (name == NULL) {
        fputs(values ? "-d\n--db\n--by\n--color\n"
                     : "-d\n--db\n--by\n-r\n--read-only\n--color\n--version\n--help\n",
              out);
        return;
    }
    for (int i = 0; commands[i]; i++) {
        if (strcmp(commands[i]->name, name) != 0)
            continue;
        for (const struct opt *o = commands[i]->opts; o->name; o++) {
            if (values && o->value == NULL)
                continue;
            if (o->short_name)
                fprintf(out, "-%c\n", o->short_name);
            fprintf(out, "--%s\n", o->name);
        }
        if (!values)
            fputs("--help\n", out);
    }
}

/* The formats of command NAME's --format. */
static void
put_formats(FILE *out, const char *name)
{
    if (strcmp(name, "report") == 0)
        fputs("md\nhtml\ncsv\njson\npdf\n", out);
    else if (strcmp(name, "export") == 0)
        fputs("jsonl\ncsv\n", out);
    else if (strcmp(name, "notify") == 0)
        fputs("json\nslack\n", out);
}

/* The words from the store: keys, statuses of a key, document aliases. */
static void
put_store_words(struct cmd_ctx *ctx, const char *what, const char *arg)
{
    static struct docs ds;
    struct key_words kw = {ctx->out, &ds};
    struct db *db = NULL;
    struct diag d = {0};
    char *symbol = NULL;
    const char *key;

    ds.n = 0;
    if (db_open(ctx->db_path, DB_READONLY, &db, &d) != 0 || doc_each(db, put_doc, &ds, &d) != 0)
        goto out;
    if (strcmp(what, "keys") == 0) {
        view_keys(db, put_key, &kw, &d);
    } else if (strcmp(what, "docs") == 0) {
        for (int i = 0; i < ds.n; i++)
            fprintf(ctx->out, "%s\n", ds.aliases[i]);
    } else if (strcmp(what, "statuses") == 0 && arg && item_name(db, arg, &symbol, &key, &d) == 0) {
        view_key_statuses(db, symbol, key, put_word, ctx->out, &d);
    }
out:
    free(symbol);
    db_close(db);
}

static int
run(struct cmd_ctx *ctx)
{
    const char *what = ctx->args.pos[0];
    const char *arg = ctx->args.npos > 1 ? ctx->args.pos[1] : NULL;

    if (strcmp(what, "commands") == 0) {
        for (int i = 0; commands[i]; i++)
            fprintf(ctx->out, "%s\n", commands[i]->name);
    } else if (strcmp(what, "options") == 0) {
        put_options(ctx->out, arg, 0);
    } else if (strcmp(what, "values") == 0) {
        put_options(ctx->out, arg, 1);
    } else if (strcmp(what, "formats") == 0 && arg) {
        put_formats(ctx->out, arg);
    } else if (strcmp(what, "reports") == 0) {
        for (const struct embed_file *f = embed_files; f->name; f++) {
            size_t n = strlen(f->name);

            if (strncmp(f->name, "reports/", 8) == 0 && n > 12 &&
                strcmp(f->name + n - 4, ".sql") == 0)
                fprintf(ctx->out, "%.*s\n", (int)(n - 12), f->name + 8);
        }
    } else {
        put_store_words(ctx, what, arg);
    }
    return 0;
}

const struct cmd_entry cmd_complete = {
    .name = "complete",
    .usage = "commands | options [COMMAND] | values [COMMAND] | formats COMMAND | reports | keys | "
             "statuses KEY | docs",
    .summary = "Print the words that complete a command line, one a line (for the shell).",
    .opts = opts,
    .min_args = 1,
    .max_args = 2,
    .flags = 0,
    .run = run,
};
