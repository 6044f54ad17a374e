/* import_csv.c: items, and their status, from the spreadsheet a secretariat already keeps. */
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "docket/export.h"
#include "docket/item.h"
#include "docket/text.h"

/* The columns a CSV of items may have, in the order the row fields are kept. */
enum {
    C_KEY,
    C_TITLE,
    C_KIND,
    C_PARENT,
    C_REF,
    C_GOAL,
    C_DUE,
    C_CADENCE,
    C_DESCRIPTION,
    C_STATUS,
    C_DATE,
    C_REASON,
    C_COUNT,
    C_IGNORED /* progress and next_due: derived, as `export --format csv` writes them */
};

static const char *const columns[C_COUNT] = {"key",         "title",  "kind", "parent",
                                             "ref",         "goal",   "due",  "cadence_months",
                                             "description", "status", "date", "reason"};

struct csv_row {
    char *f[C_COUNT]; /* NULL where the file has no such column or the cell is empty */
    int line;
};

struct csv_items {
    struct csv_row *rows;
    int n;
};

void
import_csv_free(struct csv_items *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->n; i++)
        for (int c = 0; c < C_COUNT; c++)
            free(t->rows[i].f[c]);
    free(t->rows);
    free(t);
}

/* Reads one RFC 4180 field at *P (before END): quoted or not; writes it (owned) to *OUT and
 * whether the record ends after it. Returns 0, or -1 on a malformed quoted field. Rows are
 * counted by record, as a spreadsheet numbers them, whatever line breaks quoted cells hold. */
static int
field(const char **p, const char *end, char **out, int *last)
{
    const char *s = *p;
    char *buf = malloc((size_t)(end - s) + 1), *q = buf;

    if (buf == NULL)
        return -1;
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s >= end) {
                free(buf);
                return -1;
            }
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    *q++ = '"';
                    s++;
                    continue;
                }
                s++;
                break;
            }
            *q++ = *s;
        }
        if (s < end && *s != ',' && *s != '\r' && *s != '\n') {
            free(buf);
            return -1;
        }
    } else {
        while (s < end && *s != ',' && *s != '\r' && *s != '\n')
            *q++ = *s++;
    }
    *q = '\0';
    *last = s >= end || *s != ',';
    if (s < end && *s == ',')
        s++;
    else if (s < end && *s == '\r')
        s += (s + 1 < end && s[1] == '\n') ? 2 : 1;
    else if (s < end && *s == '\n')
        s++;
    *p = s;
    *out = buf;
    return 0;
}

/* Checks one cell that the parser can judge on its own. */
static int
check_cell(int c, const char *v, const char *today, struct diag *d)
{
    struct date date;
    char *end;
    long n;

    switch (c) {
    case C_KEY:
        return text_key_ok(v) ? 0 : diag_set(d, DK_DATA, "bad key '%s'", v);
    case C_DUE:
        return date_parse(v, &date, d);
    case C_DATE:
        return date_parse_past(v, today, &date, d);
    case C_GOAL:
        return strcmp(v, "obtain") == 0 || strcmp(v, "keep") == 0
                   ? 0
                   : diag_set(d, DK_DATA, "'%s' is not a goal (obtain or keep)", v);
    case C_CADENCE:
        n = strtol(v, &end, 10);
        return *end == '\0' && n >= 1 && n <= 120
                   ? 0
                   : diag_set(d, DK_DATA, "bad cadence '%s' (1 to 120 months)", v);
    default:
        return 0;
    }
}

int
import_csv_parse(const char *text, size_t len, struct csv_items **out, struct diag *d)
{
    const char *p = text, *end = text + len;
    struct csv_items *t = calloc(1, sizeof *t);
    int map[64], ncols = 0, line = 1, last = 0, rc = 0;
    char today[11];

    date_today(today);
    if (t == NULL)
        return diag_set(d, DK_DATA, "out of memory");
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3; /* a spreadsheet's byte order mark */
    /* The header row: which column holds which field. */
    while (!last && p < end) {
        char *name;
        int c = 0;

        if (ncols == 64 || field(&p, end, &name, &last) != 0) {
            import_csv_free(t);
            return diag_set(d, DK_DATA, "row 1: bad header");
        }
        while (c < C_COUNT && strcmp(columns[c], name) != 0)
            c++;
        for (int i = 0; i < ncols && c < C_COUNT; i++)
            if (map[i] == c)
                c = -1;
        if (strcmp(name, "progress") == 0 || strcmp(name, "next_due") == 0)
            c = C_IGNORED;
        if (c < 0 || c == C_COUNT) {
            rc = diag_set(d, DK_DATA,
                          "row 1, column %d: %s column '%s' (columns: key, title, "
                          "kind, parent, ref, goal, due, cadence_months, "
                          "description, status, date, reason)",
                          ncols + 1, c < 0 ? "repeated" : "unknown", name);
            free(name);
            import_csv_free(t);
            return rc;
        }
        free(name);
        map[ncols++] = c;
    }
    for (int c = C_KEY; c <= C_TITLE; c++) {
        int found = 0;

        for (int i = 0; i < ncols; i++)
            found |= map[i] == c;
        if (!found) {
            import_csv_free(t);
            return diag_set(d, DK_DATA, "row 1: no '%s' column", columns[c]);
        }
    }
    while (p < end && rc == 0) {
        struct csv_row row = {0}, *rows;
        int i = 0;

        row.line = ++line;
        if (*p == '\n' || *p == '\r') { /* a blank line */
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            continue;
        }
        for (last = 0; !last && rc == 0; i++) {
            char *v;

            if (field(&p, end, &v, &last) != 0) {
                rc = diag_set(d, DK_DATA, "row %d: a quoted field is not closed", row.line);
                break;
            }
            if (i >= ncols) {
                free(v);
                rc = diag_set(d, DK_DATA, "row %d: more fields than the header has", row.line);
                break;
            }
            if (map[i] == C_IGNORED) {
                free(v);
                continue;
            }
            if (!text_utf8_ok(v, strlen(v)))
                rc = diag_set(d, DK_DATA, "row %d, column %s: not valid UTF-8 text", row.line,
                              columns[map[i]]);
            else if (v[0] != '\0' && check_cell(map[i], v, today, d) != 0)
                rc = diag_prefix(d, "row %d, column %s: ", row.line, columns[map[i]]);
            if (v[0] == '\0' || rc != 0) {
                free(v);
                continue;
            }
            row.f[map[i]] = v;
        }
        if (rc == 0 && i != ncols)
            rc = diag_set(d, DK_DATA, "row %d: %d fields where the header has %d", row.line, i,
                          ncols);
        if (rc == 0 && row.f[C_KEY] == NULL)
            rc = diag_set(d, DK_DATA, "row %d, column key: missing", row.line);
        if (rc == 0 && (rows = realloc(t->rows, (size_t)(t->n + 1) * sizeof *rows)) == NULL)
            rc = diag_set(d, DK_DATA, "out of memory");
        if (rc != 0) {
            for (int c = 0; c < C_COUNT; c++)
                free(row.f[c]);
            break;
        }
        t->rows = rows;
        t->rows[t->n++] = row;
    }
    if (rc != 0) {
        import_csv_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Names the column a store's refusal of an item is about, from what it says. */
static const char *
blame(const char *msg)
{
    if (strstr(msg, "kind"))
        return "kind";
    if (strstr(msg, "paragraph"))
        return "ref";
    if (strstr(msg, "unknown item") || strstr(msg, "instance"))
        return "parent";
    if (strstr(msg, "title"))
        return "title";
    return "key";
}

int
import_csv_apply(struct db *db, const struct csv_items *t, const char *origin,
                 struct import_counts *n, struct diag *d)
{
    char today[11], reason[512];
    int rc;

    date_today(today);
    for (int i = 0; i < t->n; i++) {
        const struct csv_row *r = &t->rows[i];
        struct item it;
        struct date eff;

        if ((rc = item_exists(db, r->f[C_KEY], d)) < 0)
            return d->code;
        if (rc == 0) {
            struct item_spec s = {.key = r->f[C_KEY],
                                  .title = r->f[C_TITLE],
                                  .kind = r->f[C_KIND],
                                  .parent = r->f[C_PARENT],
                                  .ref = r->f[C_REF],
                                  .goal = r->f[C_GOAL],
                                  .due = r->f[C_DUE],
                                  .cadence_months = r->f[C_CADENCE],
                                  .description = r->f[C_DESCRIPTION],
                                  /* A status dated in the past needs the item tracked
                                     since then. */
                                  .eff = r->f[C_DATE]};

            snprintf(reason, sizeof reason, "imported from %s, row %d", origin, r->line);
            s.reason = reason;
            if ((rc = item_add(db, &s, d)) != 0)
                return diag_prefix(d, "row %d, column %s: ", r->line, blame(d->msg));
            n->items++;
        }
        if (r->f[C_STATUS] == NULL) {
            n->unchanged += rc == 1;
            continue;
        }
        if ((rc = item_get(db, r->f[C_KEY], &it, d)) != 0)
            return rc;
        if (it.status && strcmp(it.status, r->f[C_STATUS]) == 0) {
            n->unchanged++;
            item_free(&it);
            continue;
        }
        snprintf(reason, sizeof reason, "imported from %s, row %d", origin, r->line);
        if ((rc = date_parse(r->f[C_DATE] ? r->f[C_DATE] : today, &eff, d)) == 0)
            rc = item_set_status(db, &it, r->f[C_STATUS], &eff,
                                 r->f[C_REASON] ? r->f[C_REASON] : reason, d);
        item_free(&it);
        if (rc != 0)
            return diag_prefix(d, "row %d, column %s: ", r->line,
                               strstr(d->msg, "tracked from") ? "date" : "status");
        n->changed++;
    }
    return 0;
}
