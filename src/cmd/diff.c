/* diff.c: `docket diff`: the items whose status differs between two effective dates. */
#include <pthread.h>

#include "cli.h"
#include "docket/date.h"
#include "docket/state.h"

static const struct opt opts[] = {
    {"json", 0, NULL, 0, "print a JSON array"},
    {NULL, 0, NULL, 0, NULL},
};

static const char changed_sql[] =
    "SELECT COALESCE(b.key, a.key) AS k, a.status, b.status, a.progress, b.progress, b.title "
    "FROM items b FULL JOIN temp.diff_before a ON a.uuid = b.uuid "
    "WHERE a.status IS NOT b.status OR a.progress IS NOT b.progress ORDER BY k";

/* The state as of the first date, made on a second connection (db_twin) in a thread while this
 * one makes the state as of the second: the two are the whole cost of a diff, and alike. */
struct before {
    struct db *db;
    const char *asof;
    struct diag d;
    int rc;
    sqlite3_stmt *rows; /* its items, once made */
};

static void *
before_main(void *arg)
{
    struct before *b = arg;
    static const char sql[] = "SELECT uuid, key, status, progress FROM temp.items";

    if ((b->rc = state_asof(b->db, b->asof, NULL, &b->d)) == 0)
        b->rc = db_prep(b->db, sql, &b->rows, &b->d);
    return NULL;
}

/* Copies B's rows (the state as of the first date) into temp.diff_before on DB, indexed. */
static int
copy_before(struct db *db, struct before *b, struct diag *d)
{
    static const char create[] =
        "DROP TABLE IF EXISTS temp.diff_before; CREATE TEMP TABLE diff_before (uuid TEXT, "
        "key TEXT, status TEXT, progress INTEGER)";
    static const char sql[] = "INSERT INTO temp.diff_before VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *ins;
    int rc;

    if ((rc = db_exec(db, create, d)) != 0 || (rc = db_prep(db, sql, &ins, d)) != 0)
        return rc;
    while ((rc = db_row(b->db, b->rows, &b->d)) == 1) {
        for (int i = 0; i < 4; i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(b->rows, i));
        if ((rc = db_run(db, ins, d)) != 0)
            break;
    }
    sqlite3_reset(b->rows);
    if (rc < 0)
        return diag_set(d, b->d.code, "%s", b->d.msg);
    return rc != 0
               ? rc
               : db_exec(db, "CREATE UNIQUE INDEX temp.diff_before_uuid ON diff_before (uuid)", d);
}

/* Makes temp.diff_before (the state as of D1) and the as-of tables for D2 on ctx->db: in two
 * threads when a twin connection can be had, else one after the other, D1's copied before D2's
 * replaces it. */
static int
states(struct cmd_ctx *ctx, const char *d1, const char *d2)
{
    struct before b = {.db = db_twin(ctx->db, ctx->db_path), .asof = d1};
    pthread_t thread;
    int threaded = b.db != NULL && pthread_create(&thread, NULL, before_main, &b) == 0, rc = 0;

    if (threaded) {
        rc = state_asof(ctx->db, d2, NULL, &ctx->diag);
        pthread_join(thread, NULL);
    } else {
        db_close(b.db);
        b.db = ctx->db;
        before_main(&b);
    }
    if (rc == 0 && b.rc != 0)
        rc = diag_set(&ctx->diag, b.rc, "%s", b.d.msg);
    if (rc == 0)
        rc = copy_before(ctx->db, &b, &ctx->diag);
    if (rc == 0 && !threaded)
        rc = state_asof(ctx->db, d2, NULL, &ctx->diag);
    if (threaded)
        db_close(b.db);
    return rc;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    int json = args_get(a, "json") != NULL, rc, n = 0;
    struct date d1, d2;
    char today[11];
    sqlite3_stmt *st;

    date_today(today);
    if ((rc = date_parse(a->pos[0], &d1, &ctx->diag)) != 0 ||
        (rc = date_parse(a->npos > 1 ? a->pos[1] : today, &d2, &ctx->diag)) != 0)
        return rc;
    if ((rc = states(ctx, d1.end, d2.end)) != 0 ||
        (rc = db_prep(ctx->db, changed_sql, &st, &ctx->diag)) != 0)
        return rc;
    if (json)
        fputc('[', ctx->out);
    while ((rc = db_row(ctx->db, st, &ctx->diag)) == 1) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *before = (const char *)sqlite3_column_text(st, 1);
        const char *after = (const char *)sqlite3_column_text(st, 2);

        if (json) {
            json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o}", "key", key, "before",
                                  cli_jstr(before), "after", cli_jstr(after), "progress_before",
                                  sqlite3_column_type(st, 3) == SQLITE_NULL
                                      ? json_null()
                                      : json_integer(sqlite3_column_int(st, 3)),
                                  "progress_after",
                                  sqlite3_column_type(st, 4) == SQLITE_NULL
                                      ? json_null()
                                      : json_integer(sqlite3_column_int(st, 4)));

            fputs(n ? ",\n" : "\n", ctx->out);
            json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
        } else {
            cli_put(ctx, key, 28);
            fputc(' ', ctx->out);
            cli_put(ctx, before ? before : "(not yet tracked)", 0);
            fputs(" -> ", ctx->out);
            cli_put(ctx, after ? after : "(not tracked)", 0);
            fputc('\n', ctx->out);
        }
        n++;
    }
    if (json)
        fputs("\n]\n", ctx->out);
    return rc < 0 ? ctx->diag.code : 0;
}

const struct cmd_entry cmd_diff = {
    .name = "diff",
    .usage = "DATE1 [DATE2] [--json]",
    .summary = "Show the items whose status differs between two dates (DATE2: today).",
    .opts = opts,
    .min_args = 1,
    .max_args = 2,
    .flags = CMD_STORE,
    .run = run,
};
