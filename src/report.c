/* report.c: reports as SQL: their definitions, and running their sections into a renderer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/embed.h"
#include "docket/event.h"
#include "docket/report.h"
#include "docket/state.h"
#include "docket/sync.h"
#include "docket/text.h"

void
report_free(struct report_def *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->nsections; i++) {
        struct report_section *s = &r->sections[i];

        free(s->name);
        free(s->title);
        free(s->description);
        free(s->chart.kind);
        free(s->chart.x);
        free(s->chart.y);
        free(s->chart.series);
        free(s->sql);
    }
    free(r->sections);
    free(r->name);
    free(r->title);
    free(r->description);
    free(r->origin);
    free(r);
}

const struct report_section *
report_section(const struct report_def *r, const char *name)
{
    for (int i = 0; i < r->nsections; i++)
        if (strcmp(r->sections[i].name, name) == 0)
            return &r->sections[i];
    return NULL;
}

/* Appends " TEXT" (or TEXT to an empty *S) to the owned string *S. Returns 0 or -1. */
static int
append(char **s, const char *text, size_t n, const char *sep)
{
    size_t old = *s ? strlen(*s) : 0, add = *s ? strlen(sep) : 0;
    char *p = realloc(*s, old + add + n + 1);

    if (p == NULL)
        return -1;
    if (add)
        memcpy(p + old, sep, add);
    memcpy(p + old + add, text, n);
    p[old + add + n] = '\0';
    *s = p;
    return 0;
}

/* Parses "KIND x=COL y=COL [series=COL]" into C. Returns 0 or -1 with WHY set. */
static int
parse_chart(const char *v, struct report_chart *c, const char **why)
{
    char *copy = strdup(v), *tok, *save = NULL;
    int rc = 0;

    if (copy == NULL)
        return *why = "out of memory", -1;
    for (tok = strtok_r(copy, " \t", &save); tok && rc == 0; tok = strtok_r(NULL, " \t", &save)) {
        char **slot = NULL;

        if (c->kind == NULL) {
            if (strcmp(tok, "bar") != 0 && strcmp(tok, "line") != 0 && strcmp(tok, "stack") != 0)
                rc = -1, *why = "a chart is bar, line or stack";
            else if ((c->kind = strdup(tok)) == NULL)
                rc = -1, *why = "out of memory";
            continue;
        }
        if (strncmp(tok, "x=", 2) == 0)
            slot = &c->x;
        else if (strncmp(tok, "y=", 2) == 0)
            slot = &c->y;
        else if (strncmp(tok, "series=", 7) == 0)
            slot = &c->series;
        if (slot == NULL || *slot != NULL || strchr(tok, '=')[1] == '\0')
            rc = -1, *why = "a chart takes x=COLUMN, y=COLUMN and, for a stack, series=COLUMN";
        else if ((*slot = strdup(strchr(tok, '=') + 1)) == NULL)
            rc = -1, *why = "out of memory";
    }
    free(copy);
    if (rc == 0 && (c->kind == NULL || c->x == NULL || c->y == NULL))
        rc = -1, *why = "a chart needs a kind, x=COLUMN and y=COLUMN";
    if (rc == 0 && (strcmp(c->kind, "stack") == 0) != (c->series != NULL))
        rc = -1, *why = "series=COLUMN goes with a stack chart, and only with it";
    return rc;
}

/* Returns the value of a header line "-- KEY: VALUE" (into *KEY, *VALUE, both inside LINE), or
 * 0 when LINE is not one. */
static int
header_line(char *line, char **key, char **value)
{
    char *p = line, *colon;

    if (strncmp(p, "--", 2) != 0)
        return 0;
    p += 2;
    while (*p == ' ')
        p++;
    colon = strchr(p, ':');
    if (colon == NULL || colon == p ||
        strspn(p, "abcdefghijklmnopqrstuvwxyz") != (size_t)(colon - p))
        return 0;
    *colon = '\0';
    *key = p;
    for (p = colon + 1; *p == ' '; p++)
        ;
    *value = p;
    return 1;
}

static int
is_blank(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

int
report_parse(const char *name, const char *text, size_t len, const char *origin,
             struct report_def **out, struct diag *d)
{
    struct report_def *r = calloc(1, sizeof *r);
    struct report_section *s = NULL;
    const char *p = text, *end = text + len, *why = NULL;
    char *line = NULL, *key, *value;
    int lineno = 0, in_sql = 0, rc = 0;

    if (r == NULL || (r->name = strdup(name)) == NULL || (r->origin = strdup(origin)) == NULL) {
        report_free(r);
        return diag_set(d, DK_DATA, "%s: out of memory", origin);
    }
    if (!text_utf8_ok(text, len)) {
        report_free(r);
        return diag_set(d, DK_DATA, "%s: not valid UTF-8 text", origin);
    }
    while (p < end && rc == 0 && why == NULL) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *tmp;

        lineno++;
        if ((tmp = realloc(line, n + 1)) == NULL) {
            why = "out of memory";
            break;
        }
        line = tmp;
        memcpy(line, p, n);
        line[n] = '\0';
        if (n > 0 && line[n - 1] == '\r')
            line[n - 1] = '\0';
        p = nl ? nl + 1 : end;

        int header = header_line(line, &key, &value);

        if (header && strcmp(key, "section") == 0) {
            struct report_section *ss;

            if (!text_key_ok(value) || strchr(value, '.') || strchr(value, '/')) {
                why = "a section name is a word of a-z, 0-9 and -";
                break;
            }
            if (report_section(r, value)) {
                why = "this section name is used twice";
                break;
            }
            if ((ss = realloc(r->sections, (size_t)(r->nsections + 1) * sizeof *ss)) == NULL) {
                why = "out of memory";
                break;
            }
            r->sections = ss;
            s = &r->sections[r->nsections++];
            memset(s, 0, sizeof *s);
            s->line = lineno;
            if ((s->name = strdup(value)) == NULL)
                why = "out of memory";
            in_sql = 0;
            continue;
        }
        if (!in_sql && header) {
            char **slot = NULL;

            if (strcmp(key, "title") == 0)
                slot = s ? &s->title : &r->title;
            else if (strcmp(key, "description") == 0)
                slot = s ? &s->description : &r->description;
            else if (strcmp(key, "chart") == 0 && s != NULL) {
                if (s->chart.kind != NULL)
                    why = "a section has one chart";
                else if (parse_chart(value, &s->chart, &why) != 0)
                    (void)0;
                continue;
            } else {
                why = "unknown header (title, description, chart, section)";
                break;
            }
            if (*slot && strcmp(key, "title") == 0)
                why = "the title is given twice";
            else if (append(slot, value, strlen(value), " ") != 0)
                why = "out of memory";
            continue;
        }
        if (s == NULL) {
            if (!is_blank(line) && strncmp(line, "--", 2) != 0)
                why = "SQL before the first '-- section:' line";
            continue;
        }
        if (!in_sql && is_blank(line))
            continue;
        if (!in_sql)
            s->line = lineno;
        in_sql = 1;
        if (append(&s->sql, line, strlen(line), "\n") != 0)
            why = "out of memory";
    }
    free(line);
    if (why == NULL) {
        for (int i = 0; i < r->nsections && why == NULL; i++) {
            s = &r->sections[i];
            lineno = s->line;
            if (s->title == NULL)
                why = "the section has no '-- title:'";
            else if (s->sql == NULL || is_blank(s->sql))
                why = "the section has no SELECT";
        }
        if (why == NULL && r->nsections == 0)
            lineno = 1, why = "no '-- section:' in the report";
        if (why == NULL && r->title == NULL)
            lineno = 1, why = "the report has no '-- title:'";
    }
    if (why != NULL) {
        rc = diag_set(d, DK_DATA, "%s:%d: %s", origin, lineno, why);
        report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* Reads the whole of PATH into *TEXT (owned). Returns 0, 1 when PATH does not exist, or DK_IO. */
static int
read_file(const char *path, char **text, size_t *len, struct diag *d)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *tmp;
    size_t n = 0, cap = 0, got;

    if (f == NULL) {
        if (errno == ENOENT)
            return 1;
        return diag_set(d, DK_IO, "cannot read '%s': %s", path, strerror(errno));
    }
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (64u << 20) || (tmp = realloc(buf, cap)) == NULL) {
                free(buf);
                fclose(f);
                return diag_set(d, DK_IO, "cannot read '%s': too large", path);
            }
            buf = tmp;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return diag_set(d, DK_IO, "cannot read '%s': %s", path, strerror(errno));
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int
report_load(const char *name, const char *dir, struct report_def **out, struct diag *d)
{
    char path[4096], embedded[256];
    const struct embed_file *f;
    const char *best = NULL;
    int best_d = 3, rc;

    if (!text_key_ok(name) || strchr(name, '/') || strchr(name, '.'))
        return diag_set(d, DK_DATA, "bad report name '%s'", name);
    if (dir != NULL) {
        char *text = NULL;
        size_t len = 0;
        DIR *dp;

        /* A folder that is not there (a typing slip) must not quietly give the built-in
         * report: only a readable folder without NAME.sql does. */
        if ((dp = opendir(dir)) == NULL)
            return diag_set(d, DK_IO, "cannot read the folder '%s': %s", dir, strerror(errno));
        closedir(dp);
        if ((size_t)snprintf(path, sizeof path, "%s/%s.sql", dir, name) >= sizeof path)
            return diag_set(d, DK_IO, "cannot read the folder '%s': %s", dir,
                            strerror(ENAMETOOLONG));
        if ((rc = read_file(path, &text, &len, d)) == 0) {
            rc = report_parse(name, text, len, path, out, d);
            free(text);
            return rc;
        }
        if (rc != 1)
            return rc;
    }
    snprintf(embedded, sizeof embedded, "reports/%s.sql", name);
    if ((f = embed_find(embedded)) != NULL)
        return report_parse(name, f->data, f->len, embedded, out, d);
    for (f = embed_files; f->name; f++) {
        char known[256];
        int dist;

        if (sscanf(f->name, "reports/%255[^.].sql", known) != 1)
            continue;
        if ((dist = text_distance(name, known, 2)) < best_d) {
            best_d = dist;
            best = f->name + 8;
        }
    }
    if (best)
        return diag_set(d, DK_DATA, "unknown report '%s' (did you mean '%.*s'?)", name,
                        (int)(strlen(best) - 4), best);
    return diag_set(d, DK_DATA, "unknown report '%s' (the default is 'progress')", name);
}

/* The relations every section may use beyond the state tables: what happened, limited to
 * what is visible as of the report's date and known time. */
#define VISIBLE_E                                                                                  \
    "e.eff_end <= (SELECT asof FROM params) AND e.recorded <= (SELECT known FROM params) AND "     \
    "e.seq NOT IN (SELECT t.seq FROM event r INDEXED BY event_reverts JOIN event t ON t.uuid = "   \
    "r.subject WHERE r.type = 'revert' AND r.recorded <= (SELECT known FROM params))"

static const char *const environment[] = {
    "DROP TABLE IF EXISTS temp.params",
    "CREATE TEMP TABLE params (asof TEXT NOT NULL, known TEXT NOT NULL, since TEXT NOT NULL)",
    "CREATE TEMP VIEW IF NOT EXISTS status_events AS SELECT e.seq, e.item, i.key, e.old_value "
    "AS old, e.new_value AS status, e.eff, e.eff_end, e.recorded, e.actor, e.reason, e.batch "
    "FROM event e JOIN items i ON i.uuid = e.item WHERE e.type = 'status' AND " VISIBLE_E,
    "CREATE TEMP VIEW IF NOT EXISTS evidence AS SELECT e.seq, e.item, i.key, e.new_value AS "
    "ref, json_extract(e.attrs, '$.type') AS type, json_extract(e.attrs, '$.sha256') AS sha256, "
    "e.eff, e.recorded, e.actor, e.reason, e.batch FROM event e INDEXED BY event_evidence "
    "JOIN items i ON i.uuid = e.item WHERE e.type = 'evidence' AND " VISIBLE_E,
    "CREATE TEMP VIEW IF NOT EXISTS costs AS SELECT e.seq, e.item, i.key, json_extract(e.attrs, "
    "'$.currency') AS currency, CAST(e.new_value AS INTEGER) AS minor_units, "
    "json_extract(e.attrs, '$.basis') AS basis, e.eff, e.recorded, e.actor, e.reason FROM "
    "event e INDEXED BY event_costs JOIN items i ON i.uuid = e.item WHERE e.type = 'cost' "
    "AND " VISIBLE_E,
    "CREATE TEMP VIEW IF NOT EXISTS conflicts AS " SYNC_CONFLICTS_SQL,
    "CREATE TEMP VIEW IF NOT EXISTS publications AS SELECT e.seq, e.subject AS report, "
    "e.new_value AS head, json_extract(e.attrs, '$.as_of') AS asof, e.recorded, e.actor FROM "
    "event e INDEXED BY event_publications WHERE e.type = 'publication' AND e.recorded <= "
    "(SELECT known FROM params)",
};

static char *
dup_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? strdup((const char *)s) : NULL;
}

static void
meta_free(struct report_meta *m)
{
    for (int i = 0; i < m->ndocs; i++) {
        free(m->docs[i].symbol);
        free(m->docs[i].title);
        free(m->docs[i].adopted);
    }
    free(m->docs);
}

/* Fills in the documents and the trail's head, and refuses an as-of date before every
 * document. */
static int
load_meta(struct db *db, const char *asof, struct report_meta *m, struct diag *d)
{
    static const char docs_sql[] = "SELECT symbol, title, adopted FROM documents ORDER BY symbol";
    static const char head_sql[] = "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *st;
    const char *first = NULL;
    int rc;

    if ((rc = db_prep(db, docs_sql, &st, d)) != 0)
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        struct report_doc *docs = realloc(m->docs, (size_t)(m->ndocs + 1) * sizeof *docs);

        if (docs == NULL)
            return sqlite3_reset(st), diag_set(d, DK_STORE, "out of memory");
        m->docs = docs;
        docs[m->ndocs].symbol = dup_text(st, 0);
        docs[m->ndocs].title = dup_text(st, 1);
        docs[m->ndocs].adopted = dup_text(st, 2);
        if (docs[m->ndocs].adopted && (first == NULL || strcmp(docs[m->ndocs].adopted, first) < 0))
            first = docs[m->ndocs].adopted;
        m->ndocs++;
    }
    if (rc < 0)
        return d->code;
    if (first != NULL && asof != NULL) {
        struct date adopted;

        if (date_parse(first, &adopted, d) != 0)
            return d->code;
        if (strcmp(asof, adopted.start) < 0)
            return diag_set(d, DK_DATA, "%s is before any document was adopted (the first, %s)",
                            asof, first);
    }
    if ((rc = db_prep(db, head_sql, &st, d)) != 0)
        return rc;
    memset(m->head, '0', 64);
    m->head[64] = '\0';
    if ((rc = db_row(db, st, d)) == 1) {
        m->events = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == EV_HASH_LEN)
            ev_hex(sqlite3_column_blob(st, 1), m->head);
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* Builds the environment: items_since (when a section uses it), the as-of state, params and
 * the views. */
static int
prepare_environment(struct db *db, const struct report_def *r, const struct report_opts *o,
                    struct diag *d)
{
    static const char params_sql[] =
        "INSERT INTO temp.params (asof, known, since) VALUES (:asof, :known, :since)";
    const char *known = o->known ? o->known : "9999-12-31T23:59:59.999Z";
    int since_used = 0, months_used = 0, rc;
    sqlite3_stmt *st;

    /* The relations that cost a pass over the trail are built only for reports that use
     * them. */
    for (int i = 0; i < r->nsections; i++) {
        if (o->section && strcmp(o->section, r->sections[i].name) != 0)
            continue;
        since_used |= strstr(r->sections[i].sql, "items_since") != NULL;
        months_used |= strstr(r->sections[i].sql, "progress_by_month") != NULL;
    }
    if ((rc = db_exec(db, "DROP TABLE IF EXISTS temp.items_since", d)) != 0)
        return rc;
    if (since_used &&
        ((rc = state_asof(db, o->asof, o->since, d)) != 0 ||
         (rc = db_exec(db, "CREATE TEMP TABLE items_since AS SELECT * FROM temp.items", d)) != 0 ||
         (rc = state_asof_end(db, d)) != 0))
        return rc;
    if ((o->asof || o->known) && (rc = state_asof(db, o->asof, o->known, d)) != 0)
        return rc;
    if (months_used &&
        (rc = state_progress_by_month(db, o->asof ? o->asof : o->today, o->known, d)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++)
        if ((rc = db_exec(db, environment[i], d)) != 0)
            return rc;
    if ((rc = db_prep(db, params_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":asof", o->asof ? o->asof : o->today, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known, d)) != 0 ||
        (rc = db_bind_text(db, st, ":since", o->since, d)) != 0)
        return rc;
    return db_run(db, st, d);
}

/* Prepares section S: exactly one statement, which must not write. */
static int
prepare_section(struct db *db, const struct report_def *r, const struct report_section *s,
                sqlite3_stmt **out, struct diag *d)
{
    const char *tail = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db_handle(db), s->sql, -1, &st, &tail) != SQLITE_OK)
        return diag_set(d, DK_DATA, "%s:%d: section '%s': %s", r->origin, s->line, s->name,
                        sqlite3_errmsg(db_handle(db)));
    if (st == NULL) {
        return diag_set(d, DK_DATA, "%s:%d: section '%s' has no statement", r->origin, s->line,
                        s->name);
    }
    while (tail && *tail) {
        /* What follows the statement may only be blanks and comments. */
        sqlite3_stmt *more = NULL;

        if (sqlite3_prepare_v2(db_handle(db), tail, -1, &more, &tail) != SQLITE_OK || more) {
            sqlite3_finalize(more);
            sqlite3_finalize(st);
            return diag_set(d, DK_DATA, "%s:%d: section '%s' holds more than one statement",
                            r->origin, s->line, s->name);
        }
    }
    /* Only a query may run: COMMIT, SAVEPOINT, ATTACH or a PRAGMA that sets something count as
     * read-only to SQLite, but return no rows. */
    if (!sqlite3_stmt_readonly(st) || sqlite3_column_count(st) == 0) {
        int writes = !sqlite3_stmt_readonly(st);

        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s' %s", r->origin, s->line, s->name,
                        writes ? "would write to the store" : "is not a query");
    }
    *out = st;
    return 0;
}

/* Prepares section S and binds the report's bounds where it names them. */
static int
prepare_bound(struct db *db, const struct report_def *r, const struct report_section *s,
              const struct report_opts *o, sqlite3_stmt **out, struct diag *d)
{
    const char *known = o->known ? o->known : "9999-12-31T23:59:59.999Z";
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare_section(db, r, s, &st, d)) != 0)
        return rc;
    if (sqlite3_column_count(st) > 64) {
        sqlite3_finalize(st);
        return diag_set(d, DK_DATA, "%s:%d: section '%s' has more than 64 columns", r->origin,
                        s->line, s->name);
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *p = sqlite3_bind_parameter_name(st, i);
        const char *v = p == NULL                  ? NULL
                        : strcmp(p, ":asof") == 0  ? (o->asof ? o->asof : o->today)
                        : strcmp(p, ":since") == 0 ? o->since
                        : strcmp(p, ":known") == 0 ? known
                                                   : NULL;

        if (v == NULL) {
            /* P belongs to ST: format the message before finalizing. */
            rc = diag_set(d, DK_DATA,
                          "%s:%d: section '%s': unknown parameter %s (known: :asof, :since, "
                          ":known)",
                          r->origin, s->line, s->name, p ? p : "?");
            sqlite3_finalize(st);
            return rc;
        }
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    }
    *out = st;
    return 0;
}

/* Runs one prepared section into OUT. */
static int
run_section(struct db *db, const struct report_def *r, const struct report_section *s,
            sqlite3_stmt *st, struct render *out, struct diag *d)
{
    const char *cols[64];
    int rc, n = sqlite3_column_count(st), step = SQLITE_DONE;

    for (int i = 0; i < n; i++)
        cols[i] = sqlite3_column_name(st, i);
    rc = out->ops->section(out, s, n, cols);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = out->ops->row(out, st);
    if (rc == 0 && step != SQLITE_DONE)
        rc = diag_set(d, DK_DATA, "%s:%d: section '%s': %s", r->origin, s->line, s->name,
                      sqlite3_errmsg(db_handle(db)));
    else if (rc == 0)
        rc = out->ops->section_end(out, s);
    if (rc == DK_IO)
        return diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    return rc;
}

int
report_run(struct db *db, const struct report_def *r, const struct report_opts *o,
           struct render *out, struct diag *d)
{
    struct report_meta m = {.report = r->name, .title = r->title, .description = r->description};
    sqlite3_stmt **st = NULL;
    char now[TS_LEN + 1];
    int rc;

    if (o->section && !report_section(r, o->section))
        return diag_set(d, DK_DATA, "report '%s' has no section '%s'", r->name, o->section);
    ts_now(now);
    m.asof = o->asof ? o->asof : o->today;
    m.generated = o->reproducible ? NULL : now;
    if ((rc = load_meta(db, o->asof, &m, d)) != 0 || (rc = prepare_environment(db, r, o, d)) != 0)
        goto out;
    /* Every section is prepared before anything is written: a refused one leaves no half
     * report behind. */
    if ((st = calloc((size_t)r->nsections, sizeof *st)) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    for (int i = 0; i < r->nsections && rc == 0; i++)
        if (o->section == NULL || strcmp(o->section, r->sections[i].name) == 0)
            rc = prepare_bound(db, r, &r->sections[i], o, &st[i], d);
    /* Sections only read: make the connection refuse writes while they run. */
    if (rc != 0 || (rc = db_exec(db, "PRAGMA query_only = 1", d)) != 0)
        goto out;
    if ((rc = out->ops->begin(out, &m)) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    for (int i = 0; i < r->nsections && rc == 0; i++)
        if (st[i])
            rc = run_section(db, r, &r->sections[i], st[i], out, d);
    if (rc == 0 && out->ops->end(out) != 0)
        rc = diag_set(d, DK_IO, "cannot write the report: %s", strerror(errno));
    db_exec(db, "PRAGMA query_only = 0", d);
out:
    for (int i = 0; st && i < r->nsections; i++)
        sqlite3_finalize(st[i]);
    free(st);
    meta_free(&m);
    return rc;
}

void
render_cell(FILE *f, sqlite3_stmt *st, int i, void (*text)(FILE *f, const char *s))
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        break;
    case SQLITE_INTEGER:
        fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        fprintf(f, "%.15g", sqlite3_column_double(st, i));
        break;
    default:
        text(f, (const char *)sqlite3_column_text(st, i));
    }
}

const char *
render_text(sqlite3_stmt *st, int i, size_t *n, char **fixed)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    *fixed = NULL;
    *n = (size_t)sqlite3_column_bytes(st, i);
    if (s == NULL || text_utf8_ok(s, *n))
        return s ? s : "";
    if ((*fixed = text_repair(s, *n)) != NULL)
        *n = strlen(*fixed);
    return *fixed;
}

const struct render_ops *
render_find(const char *format)
{
    static const struct {
        const char *name;
        const struct render_ops *ops;
    } formats[] = {
        {"md", &render_md}, {"html", &render_html}, {"csv", &render_csv}, {"json", &render_json}};

    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, format) == 0)
            return formats[i].ops;
    return NULL;
}

int
report_last_published(struct db *db, const char *name, const char *known, char out[25],
                      struct diag *d)
{
    /* The last publication the tracker knew of at KNOWN: with --known-at, one recorded later
     * had not happened yet. */
    static const char sql[] =
        "SELECT recorded FROM event INDEXED BY event_publications WHERE type = 'publication' "
        "AND subject = :name AND recorded <= :known ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    snprintf(out, 25, "0000-01-01T00:00:00.000Z");
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":name", name, d)) != 0 ||
        (rc = db_bind_text(db, st, ":known", known ? known : "9999-12-31T23:59:59.999Z", d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_bytes(st, 0) == TS_LEN)
        memcpy(out, sqlite3_column_text(st, 0), TS_LEN + 1);
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

int
report_publish(struct db *db, const char *name, const char *asof, const char *format,
               struct diag *d)
{
    struct report_meta m = {0};
    struct event e = {.type = "publication", .subject = name, .eff = asof};
    char head[96], reason[160];
    int rc;

    if ((rc = load_meta(db, NULL, &m, d)) != 0)
        goto out;
    snprintf(head, sizeof head, "%lld %s", m.events, m.head);
    snprintf(reason, sizeof reason, "published the %s report as of %s", name, asof);
    e.new_value = head;
    e.reason = reason;
    if ((e.attrs = json_object()) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    ev_attr(e.attrs, "as_of", asof);
    ev_attr(e.attrs, "format", format);
    rc = ev_append(db, &e, NULL, d);
out:
    json_decref(e.attrs);
    meta_free(&m);
    return rc;
}
