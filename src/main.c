/* main.c: global options, dispatch, the final check of stdout, and the exit code. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "docket/checklist.h"
#include "docket/outfile.h"
#include "docket/text.h"
#include "docket/trust.h"

/* DOCKET_BUILD_VERSION, from git describe at build time (cmake/version.cmake). */
#include "docket_version.h"

/* Writes S from column AT, wrapped at spaces before column 80, each further line indented to
 * AT: a summary too long for one line stays in its column. */
static void
put_wrapped(FILE *f, const char *s, int at)
{
    int room = 79 - at > 20 ? 79 - at : 20;

    for (;;) {
        int n = (int)strlen(s), cut = n;

        if (n > room) {
            for (cut = room; cut > 0 && s[cut] != ' '; cut--)
                ;
            if (cut == 0) /* one word longer than the room: whole, never cut */
                cut = (int)strcspn(s, " ");
        }
        fprintf(f, "%.*s\n", cut, s);
        s += cut;
        while (*s == ' ')
            s++;
        if (*s == '\0')
            return;
        fprintf(f, "%*s", at, "");
    }
}

static void
help(FILE *f)
{
    int w = 0;

    fputs("usage: docket [-d DB] [--by ACTOR] [-r] [--color WHEN] COMMAND [ARGS]\n\n"
          "Tracks whether the requests of a resolution are carried out, in one SQLite file\n"
          "with a tamper-evident audit trail.\n\ncommands:\n",
          f);
    /* The summaries start in one column, after the longest name. */
    for (int i = 0; commands[i]; i++)
        if ((int)strlen(commands[i]->name) > w)
            w = (int)strlen(commands[i]->name);
    for (int i = 0; commands[i]; i++) {
        fprintf(f, "  %-*s  ", w, commands[i]->name);
        put_wrapped(f, commands[i]->summary, w + 4);
    }
    fputs("\nglobal options (before the command):\n"
          "  -d, --db PATH      the store (default $DOCKET_DB, else ./docket.db)\n"
          "  --by ACTOR         who records the change (default $DOCKET_ACTOR, else the login)\n"
          "  -r, --read-only    open the store for reading only\n"
          "  --color WHEN       colour: auto (on a terminal, without $NO_COLOR), always, never\n"
          "  --version          print the version\n\n"
          "'docket COMMAND --help' describes a command. Exit codes: 0 ok, 1 a check found a\n"
          "problem, 2 usage, 3 bad data, 4 the store, 5 the network, 6 a file or stdout.\n"
          "On a terminal, log, show and report go through $DOCKET_PAGER, else $PAGER, else\n"
          "'less -FRX' (empty or 'cat': none).\n",
          f);
}

/* Prints one line on stderr: "docket: CMD: PREFIXMSG", with the message escaped, since it may
 * quote data or arguments holding control characters. */
static void
report(const char *cmd, const char *prefix, const char *msg)
{
    fprintf(stderr, "docket: %s%s%s", cmd ? cmd : "", cmd ? ": " : "", prefix);
    text_put(stderr, msg);
    fputc('\n', stderr);
}

static int
fail_usage(const char *fmt, const char *arg)
{
    char msg[512];

    snprintf(msg, sizeof msg, fmt, arg);
    report(NULL, "", msg);
    return DK_USAGE;
}

static const struct cmd_entry *
find_command(const char *name)
{
    const char *best = NULL;
    int best_d = 3;
    char msg[512];

    for (int i = 0; commands[i]; i++) {
        int dist;

        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
        if ((dist = text_distance(name, commands[i]->name, 2)) < best_d) {
            best_d = dist;
            best = commands[i]->name;
        }
    }
    if (best)
        snprintf(msg, sizeof msg, "'%s' is not a command (did you mean '%s'?)", name, best);
    else
        snprintf(msg, sizeof msg, "'%s' is not a command (see 'docket --help')", name);
    report(NULL, "", msg);
    return NULL;
}

static int
trace_sql(unsigned type, void *ctx, void *p, void *x)
{
    char *sql = sqlite3_expanded_sql(p);

    (void)type;
    (void)ctx;
    (void)x;
    fprintf(stderr, "docket: sql: %s\n", sql ? sql : "?");
    sqlite3_free(sql);
    return 0;
}

/* Runs the command; a writer that answers --json with its events (CMD_EVENTS) prints nothing
 * then, and its answer is the events it recorded (inside its transaction, or after the one
 * write transaction of a CMD_NOTX command such as import has committed). */
static int
run_command(void *arg)
{
    struct cmd_ctx *ctx = arg;
    const struct cmd_entry *e = ctx->entry;
    int writes =
        (e->flags & CMD_WRITE) || (e->writes_with && args_get(&ctx->args, e->writes_with) != NULL);
    int rc;

    if ((rc = e->run(ctx)) != 0 || !(e->flags & CMD_EVENTS) || !writes ||
        args_get(&ctx->args, "json") == NULL)
        return rc;
    return cli_events_json(ctx);
}

/* run_command for a command that records changes: a store made earlier first takes, once, the
 * changes of the shipped checklist that it lacks (checklist_upgrade), in the same
 * transaction. */
static int
run_upgraded(void *arg)
{
    struct cmd_ctx *ctx = arg;
    int rc;

    if ((rc = checklist_upgrade(ctx->db, NULL, &ctx->diag)) != 0)
        return diag_prefix(&ctx->diag, "taking the shipped checklist's changes: ");
    return run_command(arg);
}

/* Returns the OS login name: the password entry of the effective user, else $USER. */
static const char *
login_name(void)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *user = getenv("USER");

    if (pw && pw->pw_name && pw->pw_name[0])
        return pw->pw_name;
    return user && user[0] ? user : "unknown";
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A command's output, held until it ends: shown when it succeeds, dropped when it fails, so
 * that a failure prints one line on stderr and nothing on stdout. A writer's is held whole (it
 * must not show before its commit); a reader's up to READER_HOLD bytes, after which a long
 * listing goes on to stdout as it comes. */
enum { READER_HOLD = 8 << 20 };

struct held {
    char *buf;
    size_t len, cap, limit;
    int spilled; /* past LIMIT: written through */
};

static ssize_t
held_write(void *cookie, const char *p, size_t n)
{
    struct held *h = cookie;

    if (!h->spilled && n > h->limit - h->len) {
        if (fwrite(h->buf, 1, h->len, stdout) != h->len)
            return -1;
        h->spilled = 1;
    }
    if (h->spilled)
        return fwrite(p, 1, n, stdout) == n ? (ssize_t)n : -1;
    if (n > h->cap - h->len) {
        size_t cap = h->cap ? h->cap : 65536;
        char *b;

        while (n > cap - h->len)
            cap *= 2;
        if ((b = realloc(h->buf, cap)) == NULL)
            return -1;
        h->buf = b;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, p, n);
    h->len += n;
    return (ssize_t)n;
}

/* Opens the stream that holds a command's output into H. */
static FILE *
held_open(struct held *h, size_t limit)
{
    cookie_io_functions_t io = {.write = held_write};

    memset(h, 0, sizeof *h);
    h->limit = limit;
    return fopencookie(h, "w", io);
}

/* Closes F, the stream of H, and shows what it held when SHOW is set. Returns 0 or DK_IO. */
static int
held_close(FILE *f, struct held *h, int show, struct diag *d)
{
    int rc = 0;

    if (fclose(f) != 0 ||
        (show && !h->spilled && h->len > 0 && fwrite(h->buf, 1, h->len, stdout) != h->len))
        rc = diag_set(d, DK_IO, "cannot write to stdout: %s", strerror(errno));
    free(h->buf);
    return rc;
}

/* Loads the office's key for a command that writes (every event is signed with it), or makes
 * it for one that creates the store; the handle borrows it, main frees it. */
static int
load_key(struct cmd_ctx *ctx)
{
    char path[4096];
    int rc;

    if (strcmp(ctx->db_path, ":memory:") == 0) {
        if ((ctx->key = trust_key_make()) == NULL)
            return diag_set(&ctx->diag, DK_STORE, "cannot make a key pair: OpenSSL refused");
    } else if ((rc = trust_key_path(ctx->db_path, path, sizeof path, &ctx->diag)) != 0) {
        return rc;
    } else if ((ctx->entry->flags & CMD_CREATE) && access(path, F_OK) != 0) {
        /* A new store gets a new key; one made where a store was before keeps that store's
         * key file, checked as any other. */
        if ((rc = trust_key_new(path, 0, &ctx->key, &ctx->diag)) != 0)
            return rc;
        ctx->made_key = 1;
    } else if ((rc = trust_key_load(path, &ctx->key, &ctx->diag)) != 0) {
        return rc;
    }
    db_set_key(ctx->db, ctx->key);
    return 0;
}

/* Opens the store, runs the command (writers inside one transaction, with their output held
 * until it commits), and returns its exit code. */
static int
dispatch(struct cmd_ctx *ctx, const char *by, int readonly)
{
    const struct cmd_entry *e = ctx->entry;
    const char *login = login_name(), *actor = by ? by : getenv("DOCKET_ACTOR");
    int writes =
        (e->flags & CMD_WRITE) || (e->writes_with && args_get(&ctx->args, e->writes_with) != NULL);
    /* A command made to record changes (not one that writes with an option: remote set, report
     * --publish, office admit) first brings a store of an earlier release up to the shipped
     * checklist. */
    int upgrades = (e->flags & CMD_WRITE) && !(e->flags & (CMD_CREATE | CMD_NOKEY));
    struct held held;
    unsigned flags = 0;
    int rc;

    if (actor == NULL || actor[0] == '\0')
        actor = login;
    if (!text_utf8_ok(actor, strlen(actor)))
        return diag_set(&ctx->diag, DK_DATA, "the actor is not valid UTF-8 text");
    if (!(e->flags & CMD_STORE))
        return e->run(ctx);
    if (e->flags & CMD_CREATE)
        flags |= DB_CREATE;
    if (readonly)
        flags |= DB_READONLY;
    if (writes)
        flags |= DB_WRITER;
    if ((rc = db_open(ctx->db_path, flags, &ctx->db, &ctx->diag)) != 0)
        return rc;
    db_set_actor(ctx->db, actor, login);
    if (writes && !readonly && !(e->flags & CMD_NOKEY) && (rc = load_key(ctx)) != 0)
        return rc;
    if (getenv("DOCKET_TRACE_SQL") && strcmp(getenv("DOCKET_TRACE_SQL"), "1") == 0)
        sqlite3_trace_v2(db_handle(ctx->db), SQLITE_TRACE_STMT, trace_sql, NULL);
    if (readonly && writes)
        return diag_set(&ctx->diag, DK_USAGE, "this writes to the store, which -r forbids");
    /* Commands outside one transaction (sync, links, import, ...) report as they go. */
    if (e->flags & CMD_NOTX)
        return run_command(ctx);
    if ((ctx->out = held_open(&held, writes ? SIZE_MAX : READER_HOLD)) == NULL) {
        ctx->out = stdout;
        return diag_set(&ctx->diag, DK_IO, "out of memory");
    }
    rc = db_tx(ctx->db, writes ? DB_TX_WRITE : DB_TX_READ, upgrades ? run_upgraded : run_command,
               ctx, &ctx->diag);
    /* A check that said no (exit 1) has still done its work: its findings are the output. */
    if (held_close(ctx->out, &held, rc == 0 || rc == DK_CHECK, &ctx->diag) != 0 && rc == 0)
        rc = DK_IO;
    ctx->out = stdout;
    if (ctx->after_commit) {
        int after = ctx->after_commit(ctx, rc == 0);

        rc = rc != 0 ? rc : after;
    }
    return rc;
}

/* Flushes stdout at the end of command CMD (NULL: none); returns 0, or DK_IO with one line. */
static int
flush_stdout(const char *cmd)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    report(cmd, "cannot write to stdout: ", strerror(errno));
    return DK_IO;
}

/* The pager the output goes through, or 0. */
static pid_t pager_pid;

/* The reader quit the pager before the end: what is left is not wanted, and that is no
 * failure. */
static void
pager_quit(int sig)
{
    (void)sig;
    _exit(0);
}

/* Sends stdout through the pager when command E (CMD_PAGER) writes text to a terminal: without
 * --json, a format other than md, or -o FILE. */
static void
pager_start(const struct cmd_entry *e, const struct args *a)
{
    const char *pager = getenv("DOCKET_PAGER"), *format = args_get(a, "format"),
               *out = args_get(a, "output");
    int fd[2];

    if (!(e->flags & CMD_PAGER) || !isatty(STDOUT_FILENO) || args_get(a, "json") ||
        (format && strcmp(format, "md") != 0) || (out && strcmp(out, "-") != 0))
        return;
    if (pager == NULL)
        pager = getenv("PAGER");
    if (pager == NULL)
        pager = "less -FRX";
    if (pager[0] == '\0' || strcmp(pager, "cat") == 0 || pipe(fd) != 0)
        return;
    fflush(stdout);
    if ((pager_pid = fork()) < 0) {
        pager_pid = 0;
        close(fd[0]);
        close(fd[1]);
        return;
    }
    if (pager_pid == 0) {
        dup2(fd[0], STDIN_FILENO);
        close(fd[0]);
        close(fd[1]);
        setenv("LESS", "FRX", 0);
        execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
        _exit(127);
    }
    dup2(fd[1], STDOUT_FILENO);
    close(fd[0]);
    close(fd[1]);
    signal(SIGPIPE, pager_quit);
}

/* Closes the pager's end of stdout and waits for the reader to quit it. */
static void
pager_end(void)
{
    if (pager_pid == 0)
        return;
    fflush(stdout);
    close(STDOUT_FILENO);
    while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
        ;
    pager_pid = 0;
}

int
main(int argc, char **argv)
{
    const char *db_path = getenv("DOCKET_DB"), *by = NULL;
    struct cmd_ctx ctx = {0};
    const char *color = "auto", *no_color = getenv("NO_COLOR");
    int readonly = 0, i, rc;
    double start = now_ms();

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--version") == 0) {
            printf("docket %s\n", DOCKET_BUILD_VERSION);
            goto out;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help(stdout);
            goto out;
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--read-only") == 0) {
            readonly = 1;
        } else if (strcmp(a, "-d") == 0 || strcmp(a, "--db") == 0 || strcmp(a, "--by") == 0) {
            if (i + 1 >= argc)
                return fail_usage("%s needs a value", a);
            if (strcmp(a, "--by") == 0)
                by = argv[++i];
            else
                db_path = argv[++i];
        } else if (strcmp(a, "--color") == 0 || strncmp(a, "--color=", 8) == 0) {
            if (a[7] == '\0' && i + 1 >= argc)
                return fail_usage("%s needs a value", a);
            color = a[7] == '=' ? a + 8 : argv[++i];
            if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 &&
                strcmp(color, "never") != 0)
                return fail_usage("--color: '%s' is not auto, always or never", color);
        } else if (strncmp(a, "--db=", 5) == 0) {
            db_path = a + 5;
        } else if (strncmp(a, "--by=", 5) == 0) {
            by = a + 5;
        } else {
            return fail_usage("unknown option '%s' (see 'docket --help')", a);
        }
    }
    if (i == argc) {
        help(stderr);
        return DK_USAGE;
    }
    if (strcmp(argv[i], "complete") == 0)
        ctx.entry = &cmd_complete;
    else if ((ctx.entry = find_command(argv[i])) == NULL)
        return DK_USAGE;
    for (int j = i + 1; j < argc && strcmp(argv[j], "--") != 0; j++) {
        if (strcmp(argv[j], "-h") == 0 || strcmp(argv[j], "--help") == 0) {
            cli_help(ctx.entry, stdout);
            goto out;
        }
    }
    if (readonly && (ctx.entry->flags & CMD_WRITE)) {
        report(ctx.entry->name, "", "writes to the store, which -r forbids");
        return DK_USAGE;
    }
    if (cli_parse(ctx.entry, argc - i - 1, argv + i + 1, &ctx.args, &ctx.diag) != 0) {
        report(ctx.entry->name, "", ctx.diag.msg);
        return ctx.diag.code;
    }
    cli_color =
        strcmp(color, "always") == 0 || (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) &&
                                         (no_color == NULL || no_color[0] == '\0'));
    pager_start(ctx.entry, &ctx.args);
    ctx.db_path = db_path && db_path[0] ? db_path : "docket.db";
    ctx.out = stdout;
    outfile_protect(ctx.db_path);
    rc = dispatch(&ctx, by, readonly);
    if (ctx.diag.warn[0])
        report(ctx.entry->name, "warning: ", ctx.diag.warn);
    if (rc != 0)
        report(ctx.entry->name, "", ctx.diag.msg[0] ? ctx.diag.msg : "failed");
    if (rc != 0 && (ctx.entry->flags & CMD_CREATE) && ctx.db != NULL) {
        /* This init created the file (db_open succeeded); a failed init leaves none behind. */
        char key[4096];

        db_close(ctx.db);
        ctx.db = NULL;
        db_remove(ctx.db_path);
        if (ctx.made_key && trust_key_path(ctx.db_path, key, sizeof key, NULL) == 0)
            unlink(key);
    }
    db_close(ctx.db);
    trust_key_free(ctx.key);
    free(ctx.args.pos);
    free(ctx.args.given);
    if (getenv("DOCKET_TRACE") && strcmp(getenv("DOCKET_TRACE"), "1") == 0)
        fprintf(stderr, "docket: trace: %s on '%s': exit %d after %.1f ms\n", ctx.entry->name,
                ctx.db_path, rc, now_ms() - start);
    /* A command that failed has said why already: one line. */
    rc = rc != 0 ? (fflush(stdout), rc) : flush_stdout(ctx.entry->name);
    pager_end();
    return rc;
out:
    return flush_stdout(NULL);
}
