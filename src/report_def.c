/* report_def.c: report definitions: reports/NAME.sql parsed into sections, loaded from a folder
 * or from the binary. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/embed.h"
#include "docket/report.h"
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
        free(s->shown);
        free(s->each);
        free(s->machines);
        free(s->people);
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

/* Sets *OUT (owned) to V, a list of column names ("HEADING, QUOTE", "end of month"), as its
 * names joined by ", ", the form report.c compares with the SELECT's columns. A name may hold
 * spaces, not a comma. Returns how many names (1 to MAX), 0 when V is not one to MAX column
 * names, -1 when memory runs out. */
static int
column_list(const char *v, int max, char **out)
{
    char joined[256] = "";
    size_t used = 0;
    int n = 0;

    *out = NULL;
    for (const char *p = v;; p++) {
        size_t len;

        p += strspn(p, " \t");
        len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0 || ++n > max || used + len + 3 > sizeof joined)
            return 0;
        used += (size_t)snprintf(joined + used, sizeof joined - used, "%s%.*s", n > 1 ? ", " : "",
                                 (int)len, p);
        if ((p = strchr(p, ',')) == NULL)
            break;
    }
    return (*out = strdup(joined)) == NULL ? -1 : n;
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
            } else if (strcmp(key, "layout") == 0 && s != NULL) {
                if (strcmp(value, "prose") != 0 && strcmp(value, "table") != 0)
                    why = "a layout is prose or table";
                s->prose = strcmp(value, "prose") == 0;
                continue;
            } else if (strcmp(key, "shown") == 0 && s != NULL) {
                if (s->shown != NULL)
                    why = "a section has one '-- shown:' column";
                else if (!text_key_ok(value))
                    why = "'-- shown:' names one column";
                else if ((s->shown = strdup(value)) == NULL)
                    why = "out of memory";
                continue;
            } else if (strcmp(key, "each") == 0 && s != NULL) {
                if (s->each != NULL)
                    why = "a section has one '-- each:' line";
                else if ((s->each_cols = column_list(value, 2, &s->each)) <= 0)
                    why = s->each_cols < 0 ? "out of memory"
                                           : "'-- each:' names a heading column and at most a "
                                             "quote column";
                continue;
            } else if ((strcmp(key, "machines") == 0 || strcmp(key, "people") == 0) && s != NULL) {
                char **list = key[0] == 'm' ? &s->machines : &s->people;
                int k = *list != NULL ? 0 : column_list(value, 16, list);

                if (k <= 0)
                    why = k < 0           ? "out of memory"
                          : *list != NULL ? "a section has one line for each audience"
                                          : "an audience's line names one to 16 columns";
                continue;
            } else {
                why = "unknown header (title, description, chart, shown, layout, each, machines, "
                      "people, section)";
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
