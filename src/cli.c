/* cli.c: the command layer's shared parts: argument parsing, help, and output helpers. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/doc.h"
#include "docket/currency.h"
#include "docket/date.h"
#include "docket/event.h"
#include "docket/state.h"
#include "docket/text.h"
#include "docket/view.h"

const char *
args_get(const struct args *a, const char *name)
{
    const char *v = NULL;

    for (int i = 0; i < a->ngiven; i++)
        if (strcmp(a->given[i].o->name, name) == 0)
            v = a->given[i].v;
    return v;
}

int
args_count(const struct args *a, const char *name)
{
    int n = 0;

    for (int i = 0; i < a->ngiven; i++)
        n += strcmp(a->given[i].o->name, name) == 0;
    return n;
}

const char *
args_nth(const struct args *a, const char *name, int k)
{
    for (int i = 0; i < a->ngiven; i++)
        if (strcmp(a->given[i].o->name, name) == 0 && k-- == 0)
            return a->given[i].v;
    return NULL;
}

/* Returns 1 when ARG is a negative number (an amount), not an option. */
static int
negative_number(const char *arg)
{
    return arg[0] == '-' && arg[1] >= '0' && arg[1] <= '9';
}

static const struct opt *
find_long(const struct opt *opts, const char *name, size_t len)
{
    for (; opts->name; opts++)
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
            return opts;
    return NULL;
}

static const struct opt *
find_short(const struct opt *opts, char c)
{
    for (; opts->name; opts++)
        if (opts->short_name == c)
            return opts;
    return NULL;
}

/* The option whose value "json" asks for JSON output, for which --json stands, or NULL. */
static const struct opt *
json_format(const struct opt *opts)
{
    for (; opts->name; opts++)
        if (opts->flags & OPT_JSON)
            return opts;
    return NULL;
}

int
cli_parse(const struct cmd_entry *e, int argc, char **argv, struct args *out, struct diag *d)
{
    struct args a = {0};
    int only_pos = 0;

    /* Every argument is either positional or an option: argc bounds both arrays. */
    a.pos = calloc((size_t)argc + 1, sizeof *a.pos);
    a.given = calloc((size_t)argc + 1, sizeof *a.given);
    if (a.pos == NULL || a.given == NULL)
        goto oom;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *value = NULL, *eq;
        const struct opt *o;

        if (only_pos || arg[0] != '-' || arg[1] == '\0' || negative_number(arg)) {
            a.pos[a.npos++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (arg[1] == '-') {
            eq = strchr(arg + 2, '=');
            o = find_long(e->opts, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
            if (o == NULL && strcmp(arg, "--json") == 0 && (o = json_format(e->opts)) != NULL) {
                if (args_get(&a, o->name) != NULL) {
                    diag_set(d, DK_USAGE, "--json is --%s json: give one of them", o->name);
                    goto fail;
                }
                value = "json";
            }
            if (o == NULL)
                goto unknown;
            if (eq) {
                if (o->value == NULL) {
                    diag_set(d, DK_USAGE, "--%s takes no value", o->name);
                    goto fail;
                }
                value = eq + 1;
            }
        } else {
            if ((o = find_short(e->opts, arg[1])) == NULL)
                goto unknown;
            if (arg[2] != '\0') {
                if (o->value == NULL)
                    goto unknown;
                value = arg + 2;
            }
        }
        if (o->value != NULL && value == NULL) {
            if (i + 1 >= argc) {
                diag_set(d, DK_USAGE, "--%s needs a value (%s)", o->name, o->value);
                goto fail;
            }
            value = argv[++i];
        }
        if (!(o->flags & OPT_MULTI) && args_get(&a, o->name) != NULL) {
            if (o->flags & OPT_JSON)
                diag_set(d, DK_USAGE, "--json is --%s json: give one of them", o->name);
            else
                diag_set(d, DK_USAGE, "--%s is given twice", o->name);
            goto fail;
        }
        a.given[a.ngiven].o = o;
        a.given[a.ngiven].v = value ? value : "";
        a.ngiven++;
        continue;
    unknown:
        diag_set(d, DK_USAGE, "unknown option '%s' (see 'docket %s --help')", arg, e->name);
        goto fail;
    }
    for (const struct opt *o = e->opts; o->name; o++) {
        const char *v = args_get(&a, o->name);

        if ((o->flags & OPT_REQUIRED) && v != NULL && v[0] == '\0') {
            diag_set(d, DK_USAGE, "--%s cannot be empty", o->name);
            goto fail;
        }
        if ((o->flags & OPT_REQUIRED) && v == NULL) {
            if (o->short_name)
                diag_set(d, DK_USAGE, "-%c %s is required", o->short_name, o->value);
            else
                diag_set(d, DK_USAGE, "--%s %s is required", o->name, o->value);
            goto fail;
        }
    }
    if (a.npos < e->min_args || (e->max_args >= 0 && a.npos > e->max_args)) {
        diag_set(d, DK_USAGE, "%s arguments (usage: docket %s %s)",
                 a.npos < e->min_args ? "too few" : "too many", e->name, e->usage);
        goto fail;
    }
    *out = a;
    return 0;
oom:
    diag_set(d, DK_USAGE, "out of memory");
fail:
    free(a.pos);
    free(a.given);
    return d->code;
}

void
cli_help(const struct cmd_entry *e, FILE *f)
{
    fprintf(f, "usage: docket %s %s\n\n%s\n", e->name, e->usage, e->summary);
    if (e->opts[0].name)
        fputs("\noptions:\n", f);
    for (const struct opt *o = e->opts; o->name; o++) {
        char left[64];

        snprintf(left, sizeof left, "%s%c%s--%s%s%s", o->short_name ? "-" : "",
                 o->short_name ? o->short_name : ' ', o->short_name ? ", " : " ", o->name,
                 o->value ? " " : "", o->value ? o->value : "");
        fprintf(f, "  %-26s %s\n", o->short_name ? left : left + 1, o->help);
        if (o->flags & OPT_JSON) {
            snprintf(left, sizeof left, " --json");
            fprintf(f, "  %-26s the same as --%s json\n", left, o->name);
        }
    }
}

int
cli_effective(struct cmd_ctx *ctx, struct date *out)
{
    char today[11];
    const char *on = args_get(&ctx->args, "on");

    date_today(today);
    return date_parse_past(on ? on : today, today, out, &ctx->diag);
}

int
cli_docs(struct cmd_ctx *ctx, char **docs)
{
    json_t *a = NULL;
    int rc = 0;

    *docs = NULL;
    if (args_count(&ctx->args, "doc") == 0)
        return 0;
    if ((a = json_array()) == NULL)
        return diag_set(&ctx->diag, DK_STORE, "out of memory");
    for (int i = 0; rc == 0 && i < args_count(&ctx->args, "doc"); i++) {
        const char *alias = args_nth(&ctx->args, "doc", i);
        char *symbol;

        if ((rc = doc_find(ctx->db, alias, &symbol, &ctx->diag)) != 0)
            break;
        if (symbol == NULL)
            rc = diag_set(&ctx->diag, DK_DATA, "no document has the alias '%s' (see 'docket docs')",
                          alias);
        else if (json_array_append_new(a, json_string_nocheck(symbol)) != 0)
            rc = diag_set(&ctx->diag, DK_STORE, "out of memory");
        free(symbol);
    }
    if (rc == 0 && (*docs = json_dumps(a, JSON_COMPACT)) == NULL)
        rc = diag_set(&ctx->diag, DK_STORE, "out of memory");
    json_decref(a);
    return rc;
}

int
cli_item_name(struct cmd_ctx *ctx, const char *key, char *buf, size_t n, const char **name)
{
    const char *alias = args_get(&ctx->args, "doc");

    *name = key;
    if (alias == NULL)
        return 0;
    if (strchr(key, ':'))
        return diag_set(&ctx->diag, DK_USAGE, "name the document once: --doc ALIAS or ALIAS:KEY");
    if ((size_t)snprintf(buf, n, "%s:%s", alias, key) >= n)
        return diag_set(&ctx->diag, DK_DATA, "no document has the alias '%.40s...'", alias);
    *name = buf;
    return 0;
}

int
cli_asof(struct cmd_ctx *ctx)
{
    const char *asof = args_get(&ctx->args, "as-of");
    const char *known = args_get(&ctx->args, "known-at");
    char ts[TS_LEN + 1], today[11];
    struct date date;
    int rc;

    date_today(today);
    snprintf(ctx->asof, sizeof ctx->asof, "9999-12-31");
    snprintf(ctx->known, sizeof ctx->known, "9999-12-31T23:59:59.999Z");
    if (asof == NULL && known == NULL)
        return 0;
    if (asof && (rc = date_parse_past(asof, today, &date, &ctx->diag)) != 0)
        return rc;
    if (known && (rc = ts_parse(known, 1, ts, &ctx->diag)) != 0)
        return rc;
    if (asof)
        memcpy(ctx->asof, date.end, sizeof ctx->asof);
    if (known)
        memcpy(ctx->known, ts, sizeof ctx->known);
    return state_asof(ctx->db, asof ? date.end : NULL, known ? ts : NULL, &ctx->diag);
}

void
cli_put(struct cmd_ctx *ctx, const char *s, int width)
{
    text_put_width(ctx->out, s ? s : "", width);
}

int cli_color;

void
cli_put_tone(struct cmd_ctx *ctx, const char *s, int width, int tone)
{
    /* Bold green, yellow, magenta, bold red. */
    static const char *const esc[] = {"", "\033[1;32m", "\033[33m", "\033[35m", "\033[1;31m"};
    int cols;

    if (!cli_color || tone <= TONE_NONE || tone > TONE_BREACH || s == NULL || s[0] == '\0') {
        cli_put(ctx, s, width);
        return;
    }
    fputs(esc[tone], ctx->out);
    cli_put(ctx, s, 0);
    fputs("\033[0m", ctx->out);
    for (cols = text_width(s); cols < width; cols++)
        fputc(' ', ctx->out);
}

/* The tone of each status by the vocabulary's flags, read once. */
static json_t *tones;

static int
add_tone(void *arg, const struct view_vocab_row *r)
{
    int t = r->breach ? TONE_BREACH : r->at_risk ? TONE_RISK : r->final ? TONE_FINAL : TONE_NONE;

    (void)arg;
    if (r->status && t != TONE_NONE && json_object_get(tones, r->status) == NULL)
        json_object_set_new(tones, r->status, json_integer(t));
    return 0;
}

int
cli_status_tone(struct cmd_ctx *ctx, const char *status)
{
    if (!cli_color || status == NULL || ctx->db == NULL)
        return TONE_NONE;
    if (tones == NULL) {
        struct diag d = {0};

        if ((tones = json_object()) == NULL)
            return TONE_NONE;
        /* A colour is no reason to fail: without the vocabulary, none. */
        view_vocab(ctx->db, NULL, add_tone, NULL, &d);
    }
    return (int)json_integer_value(json_object_get(tones, status)); /* 0 (TONE_NONE): none */
}

int
cli_json(struct cmd_ctx *ctx, json_t *v)
{
    if (v == NULL)
        return diag_set(&ctx->diag, DK_IO,
                        "cannot make the JSON output (out of memory, or text that is not UTF-8)");
    json_dumpf(v, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    fputc('\n', ctx->out);
    json_decref(v);
    return 0;
}

struct event_rows {
    struct cmd_ctx *ctx;
    long long n;
};

static int
put_event_json(void *arg, const struct view_event *ev)
{
    struct event_rows *r = arg;
    json_t *o = cli_event_json(ev);

    if (o == NULL)
        return cli_json(r->ctx, NULL);
    /* The first event opens the array; each later one follows a comma. */
    fputc(r->n++ ? ',' : '[', r->ctx->out);
    json_dumpf(o, r->ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return 0;
}

int
cli_events_json(struct cmd_ctx *ctx)
{
    struct event_rows r = {ctx, 0};
    long long first, last;
    int rc;

    if (ev_appended(ctx->db, &first, &last) &&
        (rc = view_events(ctx->db, first, last, put_event_json, &r, &ctx->diag)) != 0)
        return rc;
    fputs(r.n ? "]\n" : "[]\n", ctx->out);
    return 0;
}

static int
count_status(void *arg, const struct view_count *r)
{
    return json_object_set_new(arg, r->status ? r->status : "", json_integer(r->n)) == 0 ? 0
                                                                                         : DK_STORE;
}

int
cli_instances_json(struct cmd_ctx *ctx, const char *doc, const char *key, int total, int done,
                   json_t **out)
{
    struct view_at at = {.key = key, .doc = doc, .asof = ctx->asof, .known = ctx->known};
    json_t *by = json_object(), *o;
    int rc = 0;

    /* Only a parent with instances asks the store: list does this for every row. */
    if (by != NULL && total > 0 &&
        (rc = view_instances(ctx->db, &at, count_status, by, &ctx->diag)) != 0) {
        json_decref(by);
        return rc == DK_STORE && ctx->diag.code == 0
                   ? diag_set(&ctx->diag, DK_STORE, "out of memory")
                   : rc;
    }
    if ((o = json_pack("{s:i, s:i, s:o}", "total", total, "done", done, "by_status", by)) == NULL)
        return diag_set(&ctx->diag, DK_STORE, "out of memory");
    *out = o;
    return 0;
}

json_t *
cli_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Returns attribute NAME of the event's attrs text, or NULL (owned by O). */
static const char *
attr_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

void
cli_actor_widen(int *width, const char *actor)
{
    int w = text_width(actor ? actor : "");

    if (w > CLI_ACTOR_MAX)
        w = CLI_ACTOR_MAX;
    if (w > *width)
        *width = w;
}

void
cli_event_text(struct cmd_ctx *ctx, const struct view_event *ev, int actor_width)
{
    const char *type = ev->type, *reason = ev->reason;
    json_t *a = ev->attrs ? json_loads(ev->attrs, 0, NULL) : NULL;
    FILE *f = ctx->out;
    char money[48];

    fprintf(f, "#%-6lld ", ev->seq);
    cli_put(ctx, ev->eff, 11);
    cli_put(ctx, ev->recorded, 25);
    cli_put(ctx, ev->actor, actor_width);
    fputs("  ", f);
    cli_put(ctx, ev->key ? ev->key : "-", 0);
    fputs("  ", f);
    if (strcmp(type, "status") == 0 && attr_of(a, "confirm") != NULL) {
        /* Recorded on purpose (set --force), though the status was already this one. */
        fputs("confirmed ", f);
        cli_put(ctx, ev->new_value, 0);
    } else if (strcmp(type, "status") == 0 && attr_of(a, "baseline") != NULL) {
        /* A status that held when the item was first tracked, or a fact from before. */
        fputs("baseline ", f);
        cli_put(ctx, ev->new_value, 0);
    } else if (strcmp(type, "status") == 0 || strcmp(type, "edit") == 0) {
        if (strcmp(type, "edit") == 0) {
            cli_put(ctx, ev->subject, 0);
            fputs(": ", f);
        }
        cli_put(ctx, ev->old_value ? ev->old_value : "(none)", 0);
        fputs(" -> ", f);
        if (strcmp(type, "status") == 0)
            cli_put_tone(ctx, ev->new_value ? ev->new_value : "(none)", 0,
                         cli_status_tone(ctx, ev->new_value));
        else
            cli_put(ctx, ev->new_value ? ev->new_value : "(none)", 0);
    } else if (strcmp(type, "item") == 0) {
        fputs("created: ", f);
        cli_put(ctx, ev->new_value, 0);
    } else if (strcmp(type, "cost") == 0) {
        currency_format(money, sizeof money, ev->amount, attr_of(a, "currency"));
        fprintf(f, "cost %s ", money);
        cli_put(ctx, attr_of(a, "currency"), 0);
        if (attr_of(a, "basis")) {
            fputs(" (", f);
            cli_put(ctx, attr_of(a, "basis"), 0);
            fputc(')', f);
        }
    } else if (strcmp(type, "revert") == 0) {
        fprintf(f, "revert of #%lld", ev->reverts);
    } else if (strcmp(type, "note") == 0) {
        fputs("note", f);
    } else if (strcmp(type, "vocab") == 0) {
        fputs("status ", f);
        cli_put(ctx, ev->new_value, 0);
        fputs(" of ", f);
        cli_put(ctx, ev->subject, 0);
        fputs(" (", f);
        cli_put(ctx, attr_of(a, "progress"), 0);
        fputs("%)", f);
    } else {
        /* document, paragraph, kind, evidence: the type and its subject or value. */
        cli_put(ctx, type, 0);
        fputc(' ', f);
        cli_put(ctx, strcmp(type, "evidence") == 0 ? ev->new_value : ev->subject, 0);
    }
    if (reason && reason[0]) {
        fputs(": ", f);
        cli_put(ctx, reason, 0);
    }
    if (ev->reverted_by)
        fprintf(f, "  [reverted by #%lld]", ev->reverted_by);
    else if (ev->gone)
        fputs("  [reverted with its status or note]", f);
    if (ev->superseded_by)
        fprintf(f, "  [superseded by #%lld]", ev->superseded_by);
    fputc('\n', f);
    json_decref(a);
}

/* A sequence number as JSON: null for 0 (none). */
static json_t *
jseq(long long seq)
{
    return seq ? json_integer(seq) : json_null();
}

json_t *
cli_event_json(const struct view_event *ev)
{
    const struct {
        const char *name;
        const char *v;
    } text[] = {{"uuid", ev->uuid},         {"batch", ev->batch},     {"event_type", ev->type},
                {"key", ev->key},           {"subject", ev->subject}, {"old", ev->old_value},
                {"new", ev->new_value},     {"reason", ev->reason},   {"eff", ev->eff},
                {"recorded", ev->recorded}, {"actor", ev->actor},     {"login", ev->login},
                {"replica", ev->replica}};
    char hex[2 * EV_HASH_LEN + 1] = "";
    json_t *o = json_object(), *a = ev->attrs ? json_loads(ev->attrs, 0, NULL) : NULL;

    json_object_set_new(o, "seq", json_integer(ev->seq));
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        json_object_set_new(o, text[i].name, cli_jstr(text[i].v));
    json_object_set_new(o, "attrs", a ? a : json_object());
    if (ev->hash)
        ev_hex(ev->hash, hex);
    json_object_set_new(o, "hash", json_string(hex));
    json_object_set_new(o, "reverted_by", jseq(ev->reverted_by));
    json_object_set_new(o, "reverts", jseq(ev->reverts));
    if (ev->superseded_by) /* show's history only: a cost estimate replaced by a later one */
        json_object_set_new(o, "superseded_by", json_integer(ev->superseded_by));
    return o;
}
