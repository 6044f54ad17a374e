/* cli.h: the command layer: the entry each command declares, its parsed arguments, and the
 * output helpers commands share.
 *
 * Adding a command:
 *   1. src/cmd/VERB.c: `const struct cmd_entry cmd_VERB` and its static run function;
 *   2. one line in the table in src/commands.c (and its declaration below);
 *   3. tests: tests/cli/test_VERB.sh (tests/integration/ for a command that needs a server,
 *      tests/integration/sync/ for one that needs an etcd cluster; CMake finds each by its
 *      name), and tests/unit/test_MODULE.c for any new core code;
 *   4. a line in the README's list of commands;
 *   5. its manual page man/docket-VERB.1 (mdoc) and a line in man/docket.1's COMMANDS and SEE
 *      ALSO (tests/cli/test_man.sh compares the pages with --help), and its positional words
 *      in completion/docket.bash if they are keys, names or files.
 */
#ifndef DOCKET_CLI_H
#define DOCKET_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "docket/db.h"
#include "docket/diag.h"

/* One option of a command. */
struct opt {
    const char *name;  /* long name, without the dashes */
    char short_name;   /* 0: none */
    const char *value; /* the name of its value ("DATE"), or NULL for a flag */
    unsigned flags;
    const char *help;
};

enum {
    OPT_MULTI = 1,    /* may be given more than once */
    OPT_REQUIRED = 2, /* must be given */
    OPT_JSON = 4,     /* takes the value "json" for JSON output: --json stands for it, so that
                         --json works wherever --format json does */
};

/* The parsed command line of one command. */
struct args {
    char **pos; /* positional arguments */
    int npos;
    struct given {
        const struct opt *o;
        const char *v; /* "" for a flag */
    } * given;
    int ngiven;
};

/* Returns the last value given for option NAME, "" for a flag that was given, or NULL. */
const char *args_get(const struct args *a, const char *name);

/* Returns how many times NAME was given, and the I-th value. */
int args_count(const struct args *a, const char *name);
const char *args_nth(const struct args *a, const char *name, int i);

struct cmd_ctx;

enum {
    CMD_STORE = 1,   /* opens the store */
    CMD_WRITE = 2,   /* writes: runs inside one BEGIN IMMEDIATE transaction (with CMD_NOTX, in
                        transactions of its own); refused up front with -r */
    CMD_CREATE = 4,  /* creates the store and its key (init, clone); a failure removes both */
    CMD_NOTX = 8,    /* runs outside a transaction and makes its own (db_tx): one that reaches
                        the network between them (sync, notify, links, clone), a bulk import,
                        a backup (VACUUM INTO) */
    CMD_NOKEY = 16,  /* writes without the office's key (key new: it makes one) */
    CMD_EVENTS = 32, /* a writer whose --json answer is the events it recorded (one JSON array,
                        printed by the dispatcher: the command prints nothing with --json) */
    CMD_PAGER = 64,  /* writes text people read at length (log, show, report): through the
                        pager on a terminal, unless --json, a --format other than md or -o */
};

/* A command's declaration: what the dispatcher needs to check its arguments and prepare the
 * store before calling RUN. */
struct cmd_entry {
    const char *name;
    const char *usage; /* after "docket NAME " */
    const char *summary;
    const struct opt *opts; /* ends with { NULL } */
    int min_args, max_args; /* positional arguments; max -1: any number */
    unsigned flags;
    const char *writes_with; /* an option that makes the command write (report --publish) */
    int (*run)(struct cmd_ctx *ctx);
};

/* What a command runs with. */
struct cmd_ctx {
    const struct cmd_entry *entry;
    struct args args;
    struct db *db;
    const char *db_path;
    FILE *out; /* stdout; for writers a buffer written to stdout after the commit */
    struct diag diag;
    char asof[11];  /* cli_asof: the end of --as-of, else 9999-12-31 */
    char known[25]; /* cli_asof: --known-at as a full UTC time, else the end of time */
    /* Called once the transaction has ended, COMMITTED or not: to rename into place a file
     * that must not appear unless the transaction holds, or else to drop it. Its failure is
     * the command's. */
    int (*after_commit)(struct cmd_ctx *ctx, int committed);
    void *after_arg;
    struct trust_key *key; /* the office's key, for a writer (main frees it) */
    int made_key;          /* this run made the key file (init, clone): a failure removes it */
};

/* The command table, ending with NULL. */
extern const struct cmd_entry *const commands[];

extern const struct cmd_entry cmd_init, cmd_list, cmd_kinds, cmd_show, cmd_set, cmd_note, cmd_add,
    cmd_edit, cmd_cost, cmd_revert, cmd_log, cmd_diff, cmd_verify, cmd_backup, cmd_report,
    cmd_import, cmd_export, cmd_links, cmd_notify, cmd_remote, cmd_clone, cmd_sync, cmd_status,
    cmd_conflicts, cmd_office, cmd_key, cmd_draft, cmd_docs;

/* The hidden helper of shell completion: dispatched by name, not listed by --help. */
extern const struct cmd_entry cmd_complete;

/* Parses ARGV[0..ARGC) against E's options. Returns 0, or DK_USAGE with D set. */
int cli_parse(const struct cmd_entry *e, int argc, char **argv, struct args *out, struct diag *d);

/* Prints E's help to F. */
void cli_help(const struct cmd_entry *e, FILE *f);

/* Parses --on (default today) as a date that is not in the future. Returns 0 or DK_DATA. */
struct date;
int cli_effective(struct cmd_ctx *ctx, struct date *out);

/* Applies --as-of and --known-at, when given, with state_asof, and keeps their bounds in
 * ctx->asof and ctx->known for the command's own queries. Returns 0, DK_DATA or DK_STORE. */
int cli_asof(struct cmd_ctx *ctx);

/* Sets *DOCS (the caller frees it) to the JSON array of the symbols of the documents that the
 * command's --doc options name by alias, or to NULL when it has none (every document). DK_DATA
 * for an alias that names no document. */
int cli_docs(struct cmd_ctx *ctx, char **docs);

/* Writes event EV as one line of text, its actor padded to ACTOR_WIDTH columns (the widest of
 * the events printed with it, from cli_actor_widen); an actor is never cut. */
struct view_event;
void cli_event_text(struct cmd_ctx *ctx, const struct view_event *ev, int actor_width);

/* Widens *WIDTH, the actor column of a list of events, to hold ACTOR, up to CLI_ACTOR_MAX
 * columns: one far longer name is shown whole on its own line rather than pushing every line
 * of the list to the right. */
#define CLI_ACTOR_MAX 40
void cli_actor_widen(int *width, const char *actor);

/* Returns event EV as a new JSON object (`log --json`, `show --json`'s history), its fields
 * spelled as the export and the shared log spell them (event_type, eff, ...). */
json_t *cli_event_json(const struct view_event *ev);

/* Writes S escaped for a terminal (text_put), padded to WIDTH columns when WIDTH > 0. */
void cli_put(struct cmd_ctx *ctx, const char *s, int width);

/* Colour: whether the command layer writes colour escapes (main sets it from --color,
 * NO_COLOR and whether stdout is a terminal). The core never does. */
extern int cli_color;

/* What a status or flag tells at a glance, each its own colour. */
enum cli_tone { TONE_NONE, TONE_FINAL, TONE_RISK, TONE_OVERDUE, TONE_BREACH };

/* cli_put in TONE's colour when cli_color is set; the padding to WIDTH counts only the text. */
void cli_put_tone(struct cmd_ctx *ctx, const char *s, int width, int tone);

/* The tone of status STATUS by the store's vocabulary (final, at risk, breach), or TONE_NONE;
 * always TONE_NONE without colour. */
int cli_status_tone(struct cmd_ctx *ctx, const char *status);

/* Writes the events this run recorded (ev_appended) to ctx->out as one JSON array, each spelled
 * as cli_event_json spells it: a writer's --json answer, `[]` when it recorded none. Returns 0,
 * DK_STORE or DK_IO. */
int cli_events_json(struct cmd_ctx *ctx);

/* Writes JSON value V (stolen) to ctx->out on one line, followed by a newline. V is NULL when
 * the json_ call that made it failed (memory, or text that is not UTF-8): then nothing is
 * written and the result is DK_IO with ctx->diag set; else 0. */
int cli_json(struct cmd_ctx *ctx, json_t *v);

/* sync and clone (src/cmd/sync.c): the progress line on stderr, on a terminal only and never
 * with NO_COLOR (entries applied and events published, of how many, per second). sync_meter
 * readies M and P and returns P, or NULL when no line is to be shown; sync_meter_end ends a
 * line left open. sync_print prints what one sync did (exit code DK_IO, else 0). */
struct sync_progress;
struct sync_counts;
struct sync_meter {
    double since[2], last; /* by kind: 0 applied, 1 published */
    long long from[2];
    int kind, open;
};
const struct sync_progress *sync_meter(struct sync_meter *m, struct sync_progress *p);
void sync_meter_end(struct sync_meter *m);
int sync_print(struct cmd_ctx *ctx, const struct sync_counts *n);

/* Makes *OUT a new JSON object of the instances of item KEY (list --json, show --json): TOTAL,
 * DONE (those at full progress) and their counts by status, in the state tables as they stand.
 * Returns 0, or DK_STORE with ctx->diag set. */
/* Sets *NAME to the item that KEY names with --doc ALIAS: ALIAS:KEY (written to BUF, N bytes), or
 * KEY itself without --doc. DK_USAGE when KEY names a document too. */
int cli_item_name(struct cmd_ctx *ctx, const char *key, char *buf, size_t n, const char **name);

int cli_instances_json(struct cmd_ctx *ctx, const char *doc, const char *key, int total, int done,
                       json_t **out);

/* Returns a new JSON string of S, or JSON null when S is NULL. */
json_t *cli_jstr(const char *s);

#endif
