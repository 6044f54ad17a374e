/* import_csv.c: items, and their status, from the spreadsheet a secretariat already keeps. */
#include <errno.h>
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
    C_PROGRESS, /* progress and next_due: derived, as `export --format csv` writes them */
    C_NEXT_DUE
};

static const char *const columns[C_NEXT_DUE + 1] = {
    "key",         "title",  "kind", "parent", "ref", "goal",     "due",     "cadence_months",
    "description", "status", "date", "reason", NULL,  "progress", "next_due"};

enum { MAX_COLUMNS = 64, CHUNK = 1 << 16 };

/* What reading one field can end in, beside a field. */
enum { F_OK, F_OPEN, F_AFTER, F_NUL, F_BIG, F_NOMEM, F_READ };

/* One row's cells (owned), NULL where the file has no such column or the cell is empty. */
struct csv_row {
    char *f[C_COUNT];
    int line;
};

struct csv_items {
    FILE *f;
    const char *name;
    unsigned char buf[CHUNK]; /* read ahead from F */
    size_t pos, n;
    int map[MAX_COLUMNS], ncols; /* which column holds which field */
    int line;                    /* the row being read, counted as a spreadsheet numbers them */
    char *cell;                  /* the field being read: len bytes and a NUL */
    size_t len, cap;
    char today[11];
};

int
import_csv_sniff(const char *line, size_t len)
{
    size_t i = len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    return i < len && line[i] != '{' && line[i] != '[' && memchr(line + i, ',', len - i) != NULL;
}

void
import_csv_free(struct csv_items *t)
{
    if (t == NULL)
        return;
    free(t->cell);
    free(t);
}

static void
row_free(struct csv_row *r)
{
    for (int c = 0; c < C_COUNT; c++)
        free(r->f[c]);
}

/* Returns the next byte without taking it, EOF at the end, or -2 on a read error (errno). */
static int
peek(struct csv_items *t)
{
    if (t->pos == t->n) {
        t->pos = 0;
        t->n = fread(t->buf, 1, sizeof t->buf, t->f);
        if (t->n == 0)
            return ferror(t->f) ? -2 : EOF;
    }
    return t->buf[t->pos];
}

static int
take(struct csv_items *t)
{
    int c = peek(t);

    if (c >= 0)
        t->pos++;
    return c;
}

/* Adds byte C to the field being read. */
static int
put(struct csv_items *t, int c)
{
    char *p;
    size_t cap;

    if (c == '\0')
        return F_NUL;
    if (t->len == IMPORT_CSV_CELL_MAX)
        return F_BIG;
    if (t->len + 1 == t->cap) {
        cap = t->cap * 2 > (size_t)IMPORT_CSV_CELL_MAX + 1 ? (size_t)IMPORT_CSV_CELL_MAX + 1
                                                           : t->cap * 2;
        if ((p = realloc(t->cell, cap)) == NULL)
            return F_NOMEM;
        t->cell = p;
        t->cap = cap;
    }
    t->cell[t->len++] = (char)c;
    return F_OK;
}

/* Reads one RFC 4180 field, quoted or not, into t->cell, and whether the record ends after
 * it. Returns F_OK, or what went wrong. Only the field is held: memory stays flat however
 * long the file. */
static int
field(struct csv_items *t, int *last)
{
    int c, rc;

    t->len = 0;
    if ((c = take(t)) == '"') {
        for (;;) {
            if ((c = take(t)) < 0)
                return c == EOF ? F_OPEN : F_READ;
            if (c == '"') {
                if (peek(t) != '"')
                    break;
                take(t);
            }
            if ((rc = put(t, c)) != F_OK)
                return rc;
        }
        c = take(t);
        if (c == '\0')
            return F_NUL;
        if (c >= 0 && c != ',' && c != '\r' && c != '\n')
            return F_AFTER;
    } else {
        for (; c >= 0 && c != ',' && c != '\r' && c != '\n'; c = take(t))
            if ((rc = put(t, c)) != F_OK)
                return rc;
    }
    if (c == -2)
        return F_READ;
    if (c == '\r' && peek(t) == '\n')
        take(t);
    t->cell[t->len] = '\0';
    *last = c != ',';
    return F_OK;
}

/* Records what went wrong reading field I (from 0) of the current row. */
static int
field_fail(struct csv_items *t, int rc, int i, struct diag *d)
{
    char col[32];
    const char *name = col;

    if (t->line > 1 && i < t->ncols)
        name = columns[t->map[i]];
    else
        snprintf(col, sizeof col, "%d", i + 1);
    switch (rc) {
    case F_OPEN:
        return diag_set(d, DK_DATA, "row %d: a quoted field is not closed", t->line);
    case F_AFTER:
        return diag_set(d, DK_DATA,
                        "row %d, column %s: text after the closing quote of a quoted field (a "
                        "quote inside one is written twice)",
                        t->line, name);
    case F_NUL:
        return diag_set(d, DK_DATA, "row %d, column %s: a NUL byte (a CSV file is text)", t->line,
                        name);
    case F_BIG:
        return diag_set(d, DK_DATA, "row %d, column %s: a cell longer than %d bytes", t->line, name,
                        IMPORT_CSV_CELL_MAX);
    case F_NOMEM:
        return diag_set(d, DK_IO, "row %d, column %s: out of memory", t->line, name);
    default:
        return diag_set(d, DK_IO, "cannot read '%s': %s", t->name, strerror(errno));
    }
}

/* The cell just read, less the one leading ' that export_csv writes before text a
 * spreadsheet would run. */
static const char *
cell_text(const struct csv_items *t, size_t *len)
{
    int quoted = t->len > 0 && t->cell[0] == '\'';

    *len = t->len - (size_t)quoted;
    return t->cell + quoted;
}

/* Reads the file from its start up to the end of its header row: which column holds which
 * field. */
static int
start(struct csv_items *t, struct diag *d)
{
    int last = 0, rc;

    if (fseek(t->f, 0, SEEK_SET) != 0)
        return diag_set(d, DK_IO, "cannot read '%s': %s", t->name, strerror(errno));
    t->pos = t->n = 0;
    t->ncols = 0;
    t->line = 1;
    if (peek(t) == 0xef && t->n >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0)
        t->pos = 3; /* a spreadsheet's byte order mark */
    while (!last && peek(t) != EOF) {
        const char *name;
        size_t len;
        int c = 0;

        if (t->ncols == MAX_COLUMNS)
            return diag_set(d, DK_DATA, "row 1: more than %d columns", MAX_COLUMNS);
        if ((rc = field(t, &last)) != F_OK)
            return field_fail(t, rc, t->ncols, d);
        name = cell_text(t, &len);
        while (c <= C_NEXT_DUE && (columns[c] == NULL || strcmp(columns[c], name) != 0))
            c++;
        for (int i = 0; i < t->ncols && c <= C_NEXT_DUE; i++)
            if (t->map[i] == c && c < C_COUNT)
                c = -1;
        if (c < 0 || c > C_NEXT_DUE)
            return diag_set(d, DK_DATA,
                            "row 1, column %d: %s column '%s' (columns: key, title, kind, "
                            "parent, ref, goal, due, cadence_months, description, status, "
                            "date, reason)",
                            t->ncols + 1, c < 0 ? "repeated" : "unknown", name);
        t->map[t->ncols++] = c;
    }
    if (peek(t) == -2)
        return diag_set(d, DK_IO, "cannot read '%s': %s", t->name, strerror(errno));
    for (int c = C_KEY; c <= C_TITLE; c++) {
        int found = 0;

        for (int i = 0; i < t->ncols; i++)
            found |= t->map[i] == c;
        if (!found)
            return diag_set(d, DK_DATA, "row 1: no '%s' column", columns[c]);
    }
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
    case C_KEY: /* KEY, or ALIAS:KEY (export_csv writes it so in a store of several) */
        return text_key_ok(strchr(v, ':') ? strchr(v, ':') + 1 : v)
                   ? 0
                   : diag_set(d, DK_DATA, "bad key '%s'", v);
    case C_DUE:
        return date_parse(v, &date, d);
    case C_DATE:
        return date_parse_past(v, today, &date, d);
    case C_GOAL:
        return strcmp(v, "obtain") == 0 || strcmp(v, "keep") == 0
                   ? 0
                   : diag_set(d, DK_DATA, "'%s' is not a goal (obtain or keep)", v);
    case C_REASON:
        return text_has_word(v) ? 0 : diag_set(d, DK_DATA, "a reason holds no letter or digit");
    case C_CADENCE:
        n = strtol(v, &end, 10);
        return *end == '\0' && n >= 1 && n <= 120
                   ? 0
                   : diag_set(d, DK_DATA, "bad cadence '%s' (1 to 120 months)", v);
    default:
        return 0;
    }
}

/* Reads and checks the next row into *ROW (owned; row_free). Returns 0, -1 at the end of the
 * file, or an exit code. */
static int
next_row(struct csv_items *t, struct csv_row *row, struct diag *d)
{
    int c, i = 0, last = 0, rc = 0;

    memset(row, 0, sizeof *row);
    for (;;) {
        if ((c = peek(t)) == EOF)
            return -1;
        if (c == -2)
            return diag_set(d, DK_IO, "cannot read '%s': %s", t->name, strerror(errno));
        row->line = ++t->line;
        if (c != '\n' && c != '\r')
            break;
        take(t); /* a blank line */
        if (c == '\r' && peek(t) == '\n')
            take(t);
    }
    for (; !last && rc == 0; i++) {
        const char *v;
        size_t len;

        if ((rc = field(t, &last)) != F_OK) {
            rc = field_fail(t, rc, i, d);
            break;
        }
        if (i >= t->ncols) {
            rc = diag_set(d, DK_DATA, "row %d: more fields than the header has", row->line);
            break;
        }
        if (t->map[i] >= C_COUNT)
            continue;
        v = cell_text(t, &len);
        if (len == 0)
            continue;
        if (!text_utf8_ok(v, len))
            rc = diag_set(d, DK_DATA, "row %d, column %s: not valid UTF-8 text", row->line,
                          columns[t->map[i]]);
        else if (check_cell(t->map[i], v, t->today, d) != 0)
            rc = diag_prefix(d, "row %d, column %s: ", row->line, columns[t->map[i]]);
        else if ((row->f[t->map[i]] = strdup(v)) == NULL)
            rc = diag_set(d, DK_IO, "row %d, column %s: out of memory", row->line,
                          columns[t->map[i]]);
    }
    if (rc == 0 && i != t->ncols)
        rc = diag_set(d, DK_DATA, "row %d: %d fields where the header has %d", row->line, i,
                      t->ncols);
    if (rc == 0 && row->f[C_KEY] == NULL)
        rc = diag_set(d, DK_DATA, "row %d, column key: missing", row->line);
    if (rc != 0)
        row_free(row);
    return rc;
}

int
import_csv_check(FILE *f, const char *name, struct csv_items **out, struct diag *d)
{
    struct csv_items *t = calloc(1, sizeof *t);
    struct csv_row row;
    int rc;

    if (t == NULL || (t->cell = malloc(256)) == NULL) {
        rc = diag_set(d, DK_IO, "out of memory");
        goto out;
    }
    t->cap = 256;
    t->f = f;
    t->name = name;
    date_today(t->today);
    if ((rc = start(t, d)) != 0)
        goto out;
    while ((rc = next_row(t, &row, d)) == 0)
        row_free(&row);
    if (rc < 0) {
        rc = 0;
        *out = t;
        t = NULL;
    }
out:
    import_csv_free(t);
    return rc;
}

/* Names the column a store's refusal of an item is about, from what it says. */
static const char *
blame(const char *msg)
{
    /* A status is named with its kind ("unknown status 'x' for kind membership"). */
    if (strstr(msg, "unknown status"))
        return "status";
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

/* Records, for an item that exists, each field `edit` may change whose cell is not empty and
 * differs from the item's, through item_edit as `docket edit` does, effective TODAY. Adds
 * the number recorded to *EDITED. Returns 0 or an exit code. */
static int
apply_edits(struct db *db, const struct csv_row *r, const char *reason, const char *today,
            long long *edited, struct diag *d)
{
    static const struct {
        int col;
        const char *field;
    } fields[] = {{C_TITLE, "title"},
                  {C_REF, "ref"},
                  {C_DUE, "due"},
                  {C_PARENT, "parent"},
                  {C_CADENCE, "cadence_months"},
                  {C_DESCRIPTION, "description"}};
    struct item it;
    struct date eff;
    int rc;

    if ((rc = date_parse(today, &eff, d)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (r->f[fields[i].col] == NULL)
            continue;
        /* Loaded again for each field: an edit before it may have changed the item. */
        if ((rc = item_load(db, r->f[C_KEY], &it, d)) != 0)
            return rc;
        /* An instance's parent is fixed: edit refuses it even unchanged, and the CSV holds it. */
        if (fields[i].col == C_PARENT && it.parent && strcmp(it.parent, r->f[C_PARENT]) == 0)
            rc = -1;
        else
            rc = item_edit(db, &it, fields[i].field, r->f[fields[i].col], &eff, reason, d);
        item_free(&it);
        if (rc > 0)
            return diag_prefix(d, "row %d, column %s: ", r->line, columns[fields[i].col]);
        *edited += rc == 0;
    }
    return 0;
}

/* Records one row: the item if its key is new, else the fields that differ, then its status
 * if that differs. */
static int
apply_row(struct db *db, const struct csv_row *r, const char *origin, const char *today,
          struct import_counts *n, struct diag *d)
{
    char reason[512];
    struct item it;
    struct date eff;
    long long edited = 0;
    const char *key;
    char *doc;
    int rc;

    /* KEY, or ALIAS:KEY for an item of a given document. */
    if ((rc = item_name(db, r->f[C_KEY], &doc, &key, d)) != 0)
        return diag_prefix(d, "row %d, column key: ", r->line);
    rc = item_exists(db, doc ? (const char *const *)&doc : NULL, key, d);
    if (rc < 0) {
        free(doc);
        return d->code;
    }
    if (rc == 1) {
        snprintf(reason, sizeof reason, "imported from %s, row %d", origin, r->line);
        if ((rc = apply_edits(db, r, reason, today, &edited, d)) != 0) {
            free(doc);
            return rc;
        }
        rc = 1;
    }
    if (rc == 0) {
        struct item_spec s = {.key = key,
                              .doc = doc,
                              .title = r->f[C_TITLE],
                              .kind = r->f[C_KIND],
                              .parent = r->f[C_PARENT],
                              .ref = r->f[C_REF],
                              .goal = r->f[C_GOAL],
                              .due = r->f[C_DUE],
                              .cadence_months = r->f[C_CADENCE],
                              .description = r->f[C_DESCRIPTION],
                              /* A status dated in the past needs the item tracked since
                                 then. */
                              .eff = r->f[C_DATE]};

        snprintf(reason, sizeof reason, "imported from %s, row %d", origin, r->line);
        s.reason = reason;
        rc = item_add(db, &s, d);
        if (rc != 0) {
            free(doc);
            return diag_prefix(d, "row %d, column %s: ", r->line, blame(d->msg));
        }
        n->items++;
    }
    free(doc);
    if (r->f[C_STATUS] == NULL) {
        n->unchanged += rc == 1 && edited == 0;
        n->edited += edited;
        return 0;
    }
    if ((rc = item_load(db, r->f[C_KEY], &it, d)) != 0)
        return rc;
    /* A row that gives the status the item already has on the row's date is no change. */
    if ((rc = date_parse(r->f[C_DATE] ? r->f[C_DATE] : today, &eff, d)) == 0 &&
        (rc = item_status_same(db, &it, r->f[C_STATUS], &eff, d)) == 1) {
        n->unchanged += edited == 0;
        n->edited += edited;
        item_free(&it);
        return 0;
    }
    snprintf(reason, sizeof reason, "imported from %s, row %d", origin, r->line);
    if (rc == 0)
        rc = item_set_status(db, &it, r->f[C_STATUS], &eff,
                             r->f[C_REASON] ? r->f[C_REASON] : reason, ITEM_CHANGE, NULL, d);
    else if (rc < 0)
        rc = d->code;
    item_free(&it);
    if (rc != 0)
        return diag_prefix(d, "row %d, column %s: ", r->line,
                           strstr(d->msg, "tracked from") ? "date" : "status");
    n->changed++;
    n->edited += edited;
    return 0;
}

int
import_csv_apply(struct db *db, struct csv_items *t, const char *origin, struct import_counts *n,
                 struct diag *d)
{
    struct csv_row row;
    int rc;

    /* The file is read again rather than kept: every row is checked once more on the way, so
     * that a file changed since the first pass still writes nothing bad. */
    if ((rc = start(t, d)) != 0)
        return rc;
    while ((rc = next_row(t, &row, d)) == 0) {
        rc = apply_row(db, &row, origin, t->today, n, d);
        row_free(&row);
        if (rc != 0)
            return rc;
    }
    return rc < 0 ? 0 : rc;
}
