/* test_report.c: reports as SQL: parsing their definitions, and the progress over time their
 * charts draw, checked month by month against the as-of projections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "docket/date.h"
#include "docket/item.h"
#include "docket/progress.h"
#include "docket/report.h"
#include "docket/state.h"
#include "docket/view.h"
#include "support.h"

/* ---- report_parse ------------------------------------------------------------------------ */

static struct report_def *
parsed(const char *text)
{
    struct report_def *r = NULL;
    struct diag d = {0};

    if (report_parse("t", text, strlen(text), "t.sql", &r, &d) != 0)
        fail_msg("report_parse refused: %s", d.msg);
    assert_non_null(r);
    return r;
}

static const char two_sections[] = "-- title: Test report\n"                        /* 1 */
                                   "-- description: First line,\n"                  /* 2 */
                                   "-- description: second line.\n"                 /* 3 */
                                   "\n"                                             /* 4 */
                                   "-- section: one\n"                              /* 5 */
                                   "-- title: Section one\n"                        /* 6 */
                                   "-- description: What one shows\n"               /* 7 */
                                   "-- description:   over two lines.\n"            /* 8 */
                                   "-- chart: bar x=kind y=progress\n"              /* 9 */
                                   "\n"                                             /* 10 */
                                   "SELECT kind, 1 AS progress\n"                   /* 11 */
                                   "FROM items; -- a comment\n"                     /* 12 */
                                   "\n"                                             /* 13 */
                                   "-- section: two-2\n"                            /* 14 */
                                   "-- title: Section two\n"                        /* 15 */
                                   "-- chart: stack x=kind y=items series=status\n" /* 16 */
                                   "SELECT 1;\n"                                    /* 17 */
                                   "-- section: three\n"                            /* 18 */
                                   "--title:Three\n"                                /* 19 */
                                   "--  chart: line   x=month\ty=progress \n"       /* 20 */
                                   "SELECT 2;";                                     /* 21 */

static void
check_two_sections(const struct report_def *r, const char *origin)
{
    const struct report_section *s;

    assert_string_equal(r->name, "t");
    assert_string_equal(r->origin, origin);
    assert_string_equal(r->title, "Test report");
    /* Description lines are joined with one space. */
    assert_string_equal(r->description, "First line, second line.");
    assert_int_equal(r->nsections, 3);

    s = &r->sections[0];
    assert_string_equal(s->name, "one");
    assert_string_equal(s->title, "Section one");
    assert_string_equal(s->description, "What one shows over two lines.");
    assert_string_equal(s->chart.kind, "bar");
    assert_string_equal(s->chart.x, "kind");
    assert_string_equal(s->chart.y, "progress");
    assert_null(s->chart.series);
    /* The SQL is its lines, blank lines before it left out; its line is the SELECT's. */
    assert_string_equal(s->sql, "SELECT kind, 1 AS progress\nFROM items; -- a comment\n");
    assert_int_equal(s->line, 11);

    s = &r->sections[1];
    assert_string_equal(s->name, "two-2");
    assert_string_equal(s->title, "Section two");
    assert_null(s->description);
    assert_string_equal(s->chart.kind, "stack");
    assert_string_equal(s->chart.x, "kind");
    assert_string_equal(s->chart.y, "items");
    assert_string_equal(s->chart.series, "status");
    assert_string_equal(s->sql, "SELECT 1;");
    assert_int_equal(s->line, 17);

    s = &r->sections[2];
    assert_string_equal(s->name, "three");
    assert_string_equal(s->title, "Three");
    assert_string_equal(s->chart.kind, "line");
    assert_string_equal(s->chart.x, "month");
    assert_string_equal(s->chart.y, "progress");
    assert_null(s->chart.series);
    assert_string_equal(s->sql, "SELECT 2;");
    assert_int_equal(s->line, 21);

    assert_ptr_equal(report_section(r, "two-2"), &r->sections[1]);
    assert_ptr_equal(report_section(r, "three"), &r->sections[2]);
    assert_null(report_section(r, "two"));
    assert_null(report_section(r, "Three"));
}

static void
parse_reads_header_sections_and_charts(void **state)
{
    struct report_def *r = parsed(two_sections);

    (void)state;
    check_two_sections(r, "t.sql");
    report_free(r);
    report_free(NULL);
}

static void
parse_accepts_crlf_line_ends(void **state)
{
    size_t n = strlen(two_sections), k = 0;
    char *crlf = malloc(2 * n + 1);
    struct report_def *r;

    (void)state;
    assert_non_null(crlf);
    for (size_t i = 0; i < n; i++) {
        if (two_sections[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = two_sections[i];
    }
    crlf[k] = '\0';
    r = parsed(crlf);
    /* The SQL keeps no CR; everything else reads as with LF alone. */
    assert_null(strchr(r->sections[0].sql, '\r'));
    check_two_sections(r, "t.sql");
    report_free(r);
    free(crlf);
}

static void
the_embedded_progress_report_parses(void **state)
{
    static const char *const names[] = {
        "overview",   "summary",     "over-time",   "paragraphs", "changes", "conflicts",
        "quarantine", "reporting",   "cost-totals", "costs",      "by-kind", "by-paragraph",
        "statuses",   "memberships", "safeguards",  "longest",    "evidence"};
    struct report_def *r = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(report_load("progress", NULL, &r, &d), 0);
    assert_string_equal(r->origin, "reports/progress.sql");
    assert_string_equal(r->title, "Progress report");
    assert_int_equal(r->nsections, (int)(sizeof names / sizeof names[0]));
    for (int i = 0; i < r->nsections; i++) {
        assert_string_equal(r->sections[i].name, names[i]);
        assert_non_null(r->sections[i].title);
        const char *sql = r->sections[i].sql;

        /* Comment lines may come first; then the SELECT, or the WITH before it. */
        while (strncmp(sql, "--", 2) == 0 && strchr(sql, '\n'))
            sql = strchr(sql, '\n') + 1;
        assert_true(strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "WITH", 4) == 0);
    }
    /* People read the months in words, machines as kept; items by title, keys for machines. */
    assert_string_equal(report_section(r, "over-time")->people, "end of month");
    assert_string_equal(report_section(r, "over-time")->machines, "month");
    assert_string_equal(report_section(r, "costs")->machines, "key");
    assert_string_equal(report_section(r, "over-time")->chart.kind, "line");
    assert_string_equal(report_section(r, "over-time")->chart.x, "month");
    assert_string_equal(report_section(r, "statuses")->chart.kind, "stack");
    assert_string_equal(report_section(r, "statuses")->chart.series, "status");
    assert_string_equal(report_section(r, "by-kind")->chart.kind, "bar");
    assert_string_equal(report_section(r, "by-paragraph")->chart.kind, "bar");
    assert_null(report_section(r, "summary")->chart.kind);
    report_free(r);
}

static void
load_names_the_nearest_report(void **state)
{
    struct report_def *r = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(report_load("progres", NULL, &r, &d), DK_DATA);
    assert_string_equal(d.msg, "unknown report 'progres' (did you mean 'progress'?)");
    assert_null(r);
    memset(&d, 0, sizeof d);
    assert_int_equal(report_load("zzz", NULL, &r, &d), DK_DATA);
    assert_string_equal(d.msg, "unknown report 'zzz' (the default is 'progress')");
    memset(&d, 0, sizeof d);
    assert_int_equal(report_load("../progress", NULL, &r, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "bad report name"));
    assert_null(r);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void
load_prefers_the_directory(void **state)
{
    char dir[] = "/tmp/docket-test-report-XXXXXX", path[128], origin[128];
    struct report_def *r = NULL;
    struct diag d = {0};

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/progress.sql", dir);
    write_file(path, "-- title: Mine\n-- section: only\n-- title: Only\nSELECT 1;\n");
    snprintf(origin, sizeof origin, "%s/brief.sql", dir);
    write_file(origin, "-- title: Brief\n-- section: a\n-- title: A\nSELECT 1;\n");

    assert_int_equal(report_load("progress", dir, &r, &d), 0);
    assert_string_equal(r->title, "Mine");
    assert_string_equal(r->origin, path);
    assert_int_equal(r->nsections, 1);
    report_free(r);
    r = NULL;
    assert_int_equal(report_load("brief", dir, &r, &d), 0);
    assert_string_equal(r->origin, origin);
    report_free(r);
    r = NULL;
    /* A bad file in the directory is refused with its path and line. */
    write_file(origin, "-- title: Brief\n-- section: a\n-- owner: me\nSELECT 1;\n");
    assert_int_equal(report_load("brief", dir, &r, &d), DK_DATA);
    assert_null(r);
    assert_non_null(strstr(d.msg, "/brief.sql:3: unknown header"));

    unlink(origin);
    unlink(path);
    /* Without the file there, the embedded report. */
    assert_int_equal(report_load("progress", dir, &r, &d), 0);
    assert_string_equal(r->origin, "reports/progress.sql");
    report_free(r);
    rmdir(dir);
}

struct refusal {
    const char *what, *text;
    int line, alt; /* the line the message must name (or ALT, when not 0); -1: not checked */
    const char *why;
};

#define HEAD "-- title: T\n-- section: ok\n-- title: OK\nSELECT 1;\n\n" /* lines 1-5 */

static const struct refusal refusals[] = {
    {"an unknown header in a section", HEAD "-- section: a\n-- title: A\n-- owner: me\nSELECT 1;\n",
     8, 0,
     "unknown header (title, description, chart, shown, layout, each, machines, people, section)"},
    {"an unknown header at the top",
     "-- title: T\n-- author: me\n-- section: a\n-- title: A\nSELECT 1;\n", 2, 0,
     "unknown header (title, description, chart, shown, layout, each, machines, people, section)"},
    {"a chart in the report's header",
     "-- title: T\n-- chart: bar x=a y=b\n-- section: a\n-- title: A\n"
     "SELECT 1;\n",
     2, 0,
     "unknown header (title, description, chart, shown, layout, each, machines, people, section)"},
    {"an empty name among the columns for machines",
     HEAD "-- section: a\n-- title: A\n-- machines: a,, b\nSELECT 1 AS a, 2 AS b;\n", 8, 0,
     "an audience's line names one to 16 columns"},
    {"two lines for people",
     HEAD "-- section: a\n-- title: A\n-- people: a\n-- people: b\nSELECT 1 AS a, 2 AS b;\n", 9, 0,
     "a section has one line for each audience"},
    {"an unknown chart kind",
     HEAD "-- section: a\n-- title: A\n-- chart: pie x=a y=b\nSELECT 1;\n\n"
          "-- section: b\n-- title: B\nSELECT 2;\n",
     8, 0, "a chart is bar, line or stack"},
    {"a chart without y",
     HEAD "-- section: a\n-- title: A\n-- chart: bar x=a\nSELECT 1;\n\n"
          "-- section: b\n-- title: B\nSELECT 2;\n",
     8, 0, "a chart needs a kind, x=COLUMN and y=COLUMN"},
    {"a chart with an unknown setting",
     HEAD "-- section: a\n-- title: A\n-- chart: bar x=a y=b z=c\n"
          "SELECT 1;\n\n-- section: b\n-- title: B\nSELECT 2;\n",
     8, 0, "a chart takes x=COLUMN, y=COLUMN and, for a stack, series=COLUMN"},
    {"a stack without series",
     HEAD "-- section: a\n-- title: A\n-- chart: stack x=a y=b\nSELECT 1;\n\n"
          "-- section: b\n-- title: B\nSELECT 2;\n",
     8, 0, "series=COLUMN goes with a stack chart, and only with it"},
    {"a bar with series",
     HEAD "-- section: a\n-- title: A\n-- chart: bar x=a y=b series=c\nSELECT 1;\n\n"
          "-- section: b\n-- title: B\nSELECT 2;\n",
     8, 0, "series=COLUMN goes with a stack chart, and only with it"},
    {"two charts",
     HEAD "-- section: a\n-- title: A\n-- chart: bar x=a y=b\n-- chart: line x=a y=b\n"
          "SELECT 1;\n\n-- section: b\n-- title: B\nSELECT 2;\n",
     9, 0, "a section has one chart"},
    {"a layout neither prose nor table",
     HEAD "-- section: a\n-- title: A\n-- layout: poem\nSELECT 1;\n", 8, 0,
     "a layout is prose or table"},
    {"two shown columns",
     HEAD "-- section: a\n-- title: A\n-- shown: x\n-- shown: x\nSELECT 1 AS x;\n", 9, 0,
     "a section has one '-- shown:' column"},
    {"a shown column that is not a name",
     HEAD "-- section: a\n-- title: A\n-- shown: x y\nSELECT 1 AS x;\n", 8, 0,
     "'-- shown:' names one column"},
    {"a second title",
     HEAD "-- section: a\n-- title: A\n-- title: again\nSELECT 1;\n\n-- section: b\n"
          "-- title: B\nSELECT 2;\n",
     8, 0, "the title is given twice"},
    {"a second report title", "-- title: T\n-- title: U\n-- section: a\n-- title: A\nSELECT 1;\n",
     2, 0, "the title is given twice"},
    {"SQL before the first section",
     "-- title: T\nSELECT 1;\n-- section: a\n-- title: A\nSELECT 1;\n\n", 2, 0,
     "SQL before the first '-- section:' line"},
    {"a section name with a dot", HEAD "-- section: a.b\n-- title: A\nSELECT 1;\n", 6, 0,
     "a section name is a word of a-z, 0-9 and -"},
    {"a section name with capitals", HEAD "-- section: Big\n-- title: A\nSELECT 1;\n", 6, 0,
     "a section name is a word of a-z, 0-9 and -"},
    {"a section name used twice", HEAD "-- section: ok\n-- title: Again\nSELECT 2;\n", 6, 0,
     "this section name is used twice"},
    {"a section without a title", HEAD "-- section: a\n-- description: no title\n\nSELECT 1;\n", 6,
     9, "the section has no '-- title:'"},
    {"a section without a SELECT",
     HEAD "-- section: a\n-- title: A\n\n-- section: b\n-- title: B\n"
          "SELECT 2;\n",
     6, 0, "the section has no SELECT"},
    {"a report without a title", "-- description: none\n-- section: a\n-- title: A\nSELECT 1;\n", 1,
     0, "the report has no '-- title:'"},
    {"a report without sections", "-- title: T\n-- description: nothing\n", -1, 0,
     "no '-- section:' in the report"},
    {"an empty file", "", -1, 0, "no '-- section:' in the report"},
};

/* Every refusal: DK_DATA, nothing returned, and "t.sql:LINE: WHY" naming the line at fault.
 * Every case is tried and each mismatch printed before the test fails. */
static void
refusals_name_their_line(void **state)
{
    static struct report_def sentinel;
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *c = &refusals[i];
        struct report_def *r = &sentinel; /* must stay untouched */
        struct diag d = {0};
        char want[256], alt[256];
        int rc = report_parse("t", c->text, strlen(c->text), "t.sql", &r, &d);
        const char *why = strchr(d.msg, ' ');

        snprintf(want, sizeof want, "t.sql:%d: %s", c->line, c->why);
        snprintf(alt, sizeof alt, "t.sql:%d: %s", c->alt, c->why);
        if (rc != DK_DATA || r != &sentinel) {
            print_error("%s: returned %d (%s), expected %d\n", c->what, rc, d.msg, DK_DATA);
            bad++;
        } else if (c->line < 0 ? why == NULL || strcmp(why + 1, c->why) != 0
                               : strcmp(d.msg, want) != 0 && (c->alt == 0 || strcmp(d.msg, alt))) {
            print_error("%s: '%s', expected '%s'\n", c->what, d.msg, want);
            bad++;
        }
    }
    if (bad)
        fail_msg("%d refusals are not as expected", bad);
}

static void
bad_utf8_is_refused(void **state)
{
    static const char text[] = "-- title: \xff\n-- section: a\n-- title: A\nSELECT 1;\n";
    struct report_def *r = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(report_parse("t", text, strlen(text), "t.sql", &r, &d), DK_DATA);
    assert_string_equal(d.msg, "t.sql: not valid UTF-8 text");
    assert_null(r);
}

/* ---- progress_by_month against state_asof ----------------------------------------------- */

static int
do_revert(struct db *db, void *arg, struct diag *d)
{
    char today[11];

    date_today(today);
    return item_revert(db, *(long long *)arg, "mistaken", today, NULL, d);
}

static void
revert(struct db *db, long long seq)
{
    struct diag d = {0};

    if (support_write(db, do_revert, &seq, &d) != 0)
        fail_msg("cannot revert %lld: %s", seq, d.msg);
}

static int
do_add(struct db *db, void *arg, struct diag *d)
{
    return item_add(db, arg, d);
}

/* Adds item KEY of KIND (NULL: from its parent) created on EFF (NULL: as the parent). */
static void
add_item(struct db *db, const char *key, const char *kind, const char *eff)
{
    struct item_spec s = {.key = key, .title = key, .kind = kind, .eff = eff, .reason = "test"};
    struct diag d = {0};

    if (support_write(db, do_add, &s, &d) != 0)
        fail_msg("cannot add %s: %s", key, d.msg);
}

static void
recorded_of(struct db *db, long long seq, char out[TS_LEN + 1])
{
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT recorded FROM event WHERE seq = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, TS_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Waits long enough for the millisecond clock to move on. */
static void
tick(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};

    nanosleep(&ts, NULL);
}

/* One month of progress: per kind the requests (items that are not instances) and the sum of
 * the progress that counts for them, and the mean of those achieved rather than kept
 * (safeguards and acknowledgements out). */
#define MAX_KINDS  16
#define MAX_MONTHS 64

struct month {
    char month[8];
    int nkinds;
    struct {
        char kind[32];
        long long items, sum;
    } k[MAX_KINDS];
    long long items, sum; /* the achieved requests */
};

static int
kept(const char *kind)
{
    return strcmp(kind, "safeguard") == 0 || strcmp(kind, "acknowledgement") == 0;
}

static void
month_add(struct month *m, const char *kind, long long items, long long sum)
{
    assert_true(m->nkinds < MAX_KINDS);
    snprintf(m->k[m->nkinds].kind, sizeof m->k[m->nkinds].kind, "%s", kind);
    m->k[m->nkinds].items = items;
    m->k[m->nkinds].sum = sum;
    m->nkinds++;
    if (!kept(kind)) {
        m->items += items;
        m->sum += sum;
    }
}

/* Reads temp.progress_by_month into MONTHS; returns how many months it holds. */
static int
read_progress_by_month(struct db *db, struct month *months)
{
    sqlite3_stmt *st;
    int n = 0;

    assert_int_equal(sqlite3_prepare_v2(db_handle(db),
                                        "SELECT month, kind, items, progress_sum FROM "
                                        "temp.progress_by_month ORDER BY month, kind",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *month = (const char *)sqlite3_column_text(st, 0);

        if (n == 0 || strcmp(months[n - 1].month, month) != 0) {
            assert_true(n < MAX_MONTHS);
            memset(&months[n], 0, sizeof months[n]);
            snprintf(months[n].month, sizeof months[n].month, "%s", month);
            n++;
        }
        month_add(&months[n - 1], (const char *)sqlite3_column_text(st, 1),
                  sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
    }
    sqlite3_finalize(st);
    return n;
}

/* Fills M from the as-of state in `items`: its requests as of END, as the report's summary
 * counts them (VIEW_PROGRESS against END). */
static void
read_asof(struct db *db, const char *month, const char *end, struct month *m)
{
    sqlite3_stmt *st;

    memset(m, 0, sizeof *m);
    snprintf(m->month, sizeof m->month, "%s", month);
    assert_int_equal(sqlite3_prepare_v2(db_handle(db),
                                        "SELECT i.kind, count(*), sum(" VIEW_PROGRESS(
                                            "i", "r", "?1") ") FROM items i LEFT JOIN (SELECT "
                                                            "parent, count(*) AS n, sum(progress) "
                                                            "AS psum FROM items WHERE instr(key, "
                                                            "'/') > 0 GROUP BY parent) r ON "
                                                            "r.parent = i.key WHERE instr(i.key, "
                                                            "'/') = 0 GROUP BY i.kind ORDER BY "
                                                            "i.kind",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, end, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        month_add(m, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  sqlite3_column_int64(st, 2));
    sqlite3_finalize(st);
}

/* Returns the last day of MONTH ("YYYY-MM") in OUT. */
static void
month_end(const char *month, char out[11])
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = (int)strtol(month, NULL, 10), m = (int)strtol(month + 5, NULL, 10);
    int last = days[m - 1] + (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));

    snprintf(out, 11, "%.7s-%02d", month, last);
}

static double
mean(const struct month *m)
{
    return m->items ? (double)m->sum / (double)m->items : -1;
}

/* Compares progress_by_month as of ASOF by what was known at KNOWN with the as-of state at the
 * end of each of its months (the last one: ASOF itself). SHADOW: build progress_by_month after
 * state_asof(ASOF, KNOWN), as report_run does; else on the maintained tables. Every month from
 * FIRST on must be there. Each difference is printed; returns how many there were. */
static int
compare_months(struct db *db, const char *asof, const char *known, int shadow, const char *first,
               struct month *pbm, int *npbm)
{
    struct diag d = {0};
    int n, bad = 0;

    if (shadow && state_asof(db, asof, known, &d) != 0)
        fail_msg("state_asof(%s): %s", asof, d.msg);
    if (progress_by_month(db, asof, known, &d) != 0)
        fail_msg("progress_by_month(%s): %s", asof, d.msg);
    n = read_progress_by_month(db, pbm);
    assert_int_equal(state_asof_end(db, &d), 0);
    assert_true(n > 0);
    assert_string_equal(pbm[0].month, first);
    assert_int_equal(strncmp(pbm[n - 1].month, asof, 7), 0);
    for (int i = 0; i < n; i++) {
        struct month want;
        char end[11];

        /* No month is left out. */
        if (i > 0) {
            char next[8];
            int y = (int)strtol(pbm[i - 1].month, NULL, 10);
            int m = (int)strtol(pbm[i - 1].month + 5, NULL, 10);

            snprintf(next, sizeof next, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
            assert_string_equal(pbm[i].month, next);
        }
        month_end(pbm[i].month, end);
        if (i == n - 1)
            snprintf(end, sizeof end, "%s", asof);
        if (state_asof(db, end, known, &d) != 0)
            fail_msg("state_asof(%s): %s", end, d.msg);
        read_asof(db, pbm[i].month, end, &want);
        assert_int_equal(state_asof_end(db, &d), 0);
        if (want.items != pbm[i].items || want.sum != pbm[i].sum || mean(&want) != mean(&pbm[i])) {
            print_error("%s: progress_by_month has %lld requests, mean %.4f; as of %s %lld "
                        "requests, mean %.4f\n",
                        pbm[i].month, pbm[i].items, mean(&pbm[i]), end, want.items, mean(&want));
            bad++;
        }
        for (int k = 0; k < want.nkinds || k < pbm[i].nkinds; k++) {
            const char *kind = k < want.nkinds ? want.k[k].kind : pbm[i].k[k].kind;

            if (k >= want.nkinds || k >= pbm[i].nkinds ||
                strcmp(want.k[k].kind, pbm[i].k[k].kind) != 0 ||
                want.k[k].items != pbm[i].k[k].items || want.k[k].sum != pbm[i].k[k].sum) {
                print_error("%s: kind %s differs from the state as of %s\n", pbm[i].month, kind,
                            end);
                bad++;
                break;
            }
        }
    }
    *npbm = n;
    return bad;
}

/* Returns how many times the mean changes from one month to the next. */
static int
moves(const struct month *m, int n)
{
    int k = 0;

    for (int i = 1; i < n; i++)
        k += mean(&m[i]) != mean(&m[i - 1]);
    return k;
}

/* A history with items born late, statuses in many months, partial dates, a back-dated
 * change, ties on one date and reverts, and a reporting duty that falls overdue (2016-08-31:
 * submitted in 2016-02, every 6 months). */
static void
scripted_history(struct db *db)
{
    long long wrong, older;

    add_item(db, "unct/KEN", NULL, "2015-11-24"); /* an instance: it never counts on its own */
    add_item(db, "unct/UGA", NULL, "2016-02-10");
    add_item(db, "followup", "action", "2016-03");
    support_set_status(db, "ceb.hlcm", "approached", "2016-01-15");
    support_set_status(db, "ceb.hlcm", "member", "2016-04");
    support_set_status(db, "ceb.hlcm", "lapsed", "2016-06-20");
    support_set_status(db, "unct/KEN", "member", "2016-02-29");
    support_set_status(db, "unct/UGA", "approached", "2016-02-10");
    support_set_status(db, "echa", "observer", "2016-03");
    support_set_status(db, "legal.approach", "in-progress", "2016-05-01");
    support_set_status(db, "legal.approach", "abandoned", "2016-09");
    support_set_status(db, "report.wg", "submitted", "2016-02");
    support_set_status(db, "followup", "in-progress", "2016-03-20");
    support_set_status(db, "cost.legal", "estimated", "2016-08");
    support_set_status(db, "safeguard.independence", "at-risk", "2016-05");
    /* Back-dated: recorded after a later change, effective before it. */
    support_set_status(db, "ceb.hlcp", "approached", "2016-06-10");
    support_set_status(db, "ceb.hlcp", "member", "2016-02-20");
    /* Ties on one day: the later entry wins, whether dated by day or by month. */
    support_set_status(db, "undg.regional", "approached", "2016-04-30");
    support_set_status(db, "undg.regional", "member", "2016-04");
    support_set_status(db, "undg.regional", "observer", "2016-04-30");
    /* A whole year counts from its last day. */
    support_set_status(db, "proposal.legal", "in-preparation", "2016");
    /* Reverts: of the latest change, and of an older one under a later one. */
    wrong = support_set_status(db, "echa", "member", "2016-05");
    revert(db, wrong);
    older = support_set_status(db, "iasc", "observer", "2016-01");
    support_set_status(db, "iasc", "member", "2016-07");
    revert(db, older);
}

static void
progress_by_month_agrees_with_asof_each_month(void **state)
{
    struct db *db = *state;
    struct month pbm[MAX_MONTHS];
    int n, bad;

    scripted_history(db);
    bad = compare_months(db, "2016-12-31", NULL, 1, "2015-11", pbm, &n);
    assert_int_equal(n, 14);
    /* The history moves the mean in many months, so the comparison means something. */
    assert_true(moves(pbm, n) >= 6);
    /* And straight on the maintained tables, as of today's state. */
    bad += compare_months(db, "2016-12-31", NULL, 0, "2015-11", pbm, &n);
    /* Mid-month: the last month is as of that day, not its end. */
    bad += compare_months(db, "2016-06-15", NULL, 1, "2015-11", pbm, &n);
    assert_int_equal(n, 8);
    if (bad)
        fail_msg("%d months differ", bad);
}

/* Every request counts once: a parent that gains an instance counts as before, in every month
 * (#14 point 14). */
static void
an_instance_added_later_changes_no_request(void **state)
{
    struct db *db = *state;
    struct month pbm[MAX_MONTHS];
    int n, bad;

    support_set_status(db, "unct", "approached", "2016-02");
    add_item(db, "unct/KEN", NULL, "2016-06-10");
    support_set_status(db, "unct/KEN", "member", "2016-08");
    support_set_status(db, "undg.regional", "approached", "2016-03");
    add_item(db, "undg.regional/AFR", NULL, "2016-09-15");
    bad = compare_months(db, "2016-12-31", NULL, 1, "2015-11", pbm, &n);
    if (bad)
        fail_msg("%d months differ", bad);
}

static int
do_edit(struct db *db, void *arg, struct diag *d)
{
    const char *const *kv = arg;
    struct item it;
    struct date eff;
    int rc;

    if ((rc = item_load(db, kv[0], &it, d)) != 0)
        return rc;
    if ((rc = date_parse(kv[3], &eff, d)) == 0)
        rc = item_edit(db, &it, kv[1], kv[2], &eff, "test", d);
    item_free(&it);
    return rc < 0 ? 0 : rc;
}

/* A parent whose status follows from its instances counts once, by their mean as of each
 * month's end, rounded as the summary rounds it (#14 points 4 and 14). */
static void
a_parent_by_instances_counts_their_mean(void **state)
{
    static const char *const edit[] = {"unct", "rollup", "instances", "2015-11-24"};
    struct db *db = *state;
    struct month pbm[MAX_MONTHS];
    struct diag d = {0};
    int n, bad;

    if (support_write(db, do_edit, (void *)edit, &d) != 0)
        fail_msg("cannot edit unct: %s", d.msg);
    add_item(db, "unct/KEN", NULL, "2016-01-10");
    add_item(db, "unct/UGA", NULL, "2016-03");
    add_item(db, "unct/FRA", NULL, "2016-05-02");
    support_set_status(db, "unct/KEN", "member", "2016-02");
    support_set_status(db, "unct/UGA", "approached", "2016-04-20");
    support_set_status(db, "unct/FRA", "observer", "2016-07");
    bad = compare_months(db, "2016-12-31", NULL, 1, "2015-11", pbm, &n);
    /* unct counts 0, then 0 (KEN new), 100, 50, 60, 40, 40, 60: the mean moves. */
    assert_true(moves(pbm, n) >= 5);
    if (bad)
        fail_msg("%d months differ", bad);
}

/* The known-at case, as report_run builds it: state_asof(ASOF, KNOWN) first. */
static void
progress_by_month_known_at(void **state)
{
    struct db *db = *state;
    struct month pbm[MAX_MONTHS], all[MAX_MONTHS];
    char known[TS_LEN + 1];
    long long echa;
    int n, nall, bad;

    support_set_status(db, "ceb.hlcm", "approached", "2016-01");
    echa = support_set_status(db, "echa", "observer", "2016-02");
    support_set_status(db, "report.wg", "submitted", "2016-03-10");
    recorded_of(db, support_set_status(db, "report.wg", "discontinued", "2016-04"), known);
    tick();
    /* Recorded after KNOWN: a back-dated change, a revert, a new item. */
    support_set_status(db, "ceb.hlcm", "member", "2016-01-20");
    revert(db, echa);
    add_item(db, "followup", "action", "2015-12");
    support_set_status(db, "followup", "in-force", "2016-02");

    bad = compare_months(db, "2016-06-30", known, 1, "2015-11", pbm, &n);
    assert_int_equal(n, 8);
    bad += compare_months(db, "2016-06-30", NULL, 1, "2015-11", all, &nall);
    /* What was recorded later makes a difference, so KNOWN was heeded. */
    assert_true(mean(&pbm[2]) != mean(&all[2]));
    assert_true(pbm[2].items != all[2].items);
    if (bad)
        fail_msg("%d months differ", bad);
}

/* ---- the sandbox around a report's own SQL ---------------------------------------------- */

static const int bounded[] = {
    SQLITE_LIMIT_LENGTH,          SQLITE_LIMIT_SQL_LENGTH,
    SQLITE_LIMIT_EXPR_DEPTH,      SQLITE_LIMIT_COMPOUND_SELECT,
    SQLITE_LIMIT_VDBE_OP,         SQLITE_LIMIT_FUNCTION_ARG,
    SQLITE_LIMIT_ATTACHED,        SQLITE_LIMIT_LIKE_PATTERN_LENGTH,
    SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_LIMIT_TRIGGER_DEPTH,
    SQLITE_LIMIT_WORKER_THREADS,
};
enum { NBOUNDED = sizeof bounded / sizeof bounded[0] };

static void
limits_of(struct db *db, int out[NBOUNDED])
{
    for (int i = 0; i < NBOUNDED; i++)
        out[i] = sqlite3_limit(db_handle(db), bounded[i], -1);
}

/* Runs the one-section report whose section is SQL as JSON into OUT (a buffer of N bytes, or
 * NULL), with TIMEOUT_MS; returns report_run's code, D its message. */
static int
run_sql(struct db *db, const char *sql, long timeout_ms, char *out, size_t n, struct diag *d)
{
    char text[1024];
    struct report_def *r = NULL;
    struct report_opts o = {.today = "2026-01-01",
                            .since = "0000-01-01T00:00:00.000Z",
                            .reproducible = 1,
                            .timeout_ms = timeout_ms};
    struct render out_r = {.ops = &render_json};
    int rc;
    size_t got;

    snprintf(text, sizeof text, "-- title: T\n-- section: s\n-- title: S\n%s\n", sql);
    if (report_parse("t", text, strlen(text), "t.sql", &r, d) != 0)
        fail_msg("report_parse: %s", d->msg);
    out_r.f = tmpfile();
    assert_non_null(out_r.f);
    rc = report_run(db, r, &o, &out_r, d);
    out_r.ops->free(&out_r);
    if (out != NULL) {
        rewind(out_r.f);
        got = fread(out, 1, n - 1, out_r.f);
        out[got] = '\0';
    }
    fclose(out_r.f);
    report_free(r);
    return rc;
}

/* What the sandbox refuses, each with its line; the connection comes back as it was. */
static void
sandbox_refuses_what_a_report_does_not_need(void **state)
{
    static const struct {
        const char *sql, *why;
    } cases[] = {
        {"SELECT hex(fts3_tokenizer('simple')) AS p;",
         "t.sql:4: section 's': function 'fts3_tokenizer' is not allowed in a report"},
        {"SELECT load_extension('/nonexistent') AS p;",
         "t.sql:4: section 's': function 'load_extension' is not allowed in a report"},
        {"SELECT randomblob(8) AS p;",
         "t.sql:4: section 's': function 'randomblob' is not allowed in a report"},
        {"SELECT file FROM pragma_database_list;",
         "t.sql:4: section 's': table 'pragma_database_list' is not allowed in a report"},
        {"SELECT count(*) FROM pragma_journal_mode('delete');",
         "t.sql:4: section 's': table 'pragma_journal_mode' is not allowed in a report"},
        {"SELECT count(*) FROM dbstat;",
         "t.sql:4: section 's': table 'dbstat' is not allowed in a report"},
        {"PRAGMA table_info(items);",
         "t.sql:4: section 's': PRAGMA 'table_info' is not allowed in a report"},
        {"ATTACH ':memory:' AS x;", "t.sql:4: section 's': ATTACH is not allowed in a report"},
        {"DELETE FROM items;", "t.sql:4: section 's' would write to the store"},
        {"SELECT 1; PRAGMA writable_schema = 1;",
         "t.sql:4: section 's' holds more than one statement"},
    };
    struct db *db = *state;
    int before[NBOUNDED], after[NBOUNDED], bad = 0;

    limits_of(db, before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d = {0};
        int rc = run_sql(db, cases[i].sql, 0, NULL, 0, &d);

        if (rc != DK_DATA || strcmp(d.msg, cases[i].why) != 0) {
            print_error("%s: returned %d '%s', expected '%s'\n", cases[i].sql, rc, d.msg,
                        cases[i].why);
            bad++;
        }
        limits_of(db, after);
        if (memcmp(before, after, sizeof before) != 0) {
            print_error("%s: the connection's limits were not restored\n", cases[i].sql);
            bad++;
        }
    }
    if (bad)
        fail_msg("%d cases are not as expected", bad);
    /* Docket's own statements on the connection are not asked: the authorizer is gone. */
    assert_true(support_int(db, "SELECT length(hex(fts3_tokenizer('simple')))") > 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM pragma_table_info('items')") > 0, 1);
    assert_false(support_int(db, "PRAGMA query_only"));
}

/* What a report needs still runs: core, date, JSON, window and docket's own functions, common
 * table expressions, counts over them, and json_each. */
static void
sandbox_allows_what_a_report_needs(void **state)
{
    struct db *db = *state;
    char out[4096];
    struct diag d = {0};
    int rc = run_sql(db,
                     "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) "
                     "SELECT (SELECT count(*) FROM n) AS c, money(250050, 'CHF') AS m, "
                     "period_end('2016') AS p, add_months('2016-01-31', 1) AS a, "
                     "json_extract('{\"k\": 2}', '$.k') AS j, printf('%05.1f', 2.5) AS f, "
                     "date('2016-02-28', '+1 day') AS d, upper(substr('report', 1, 3)) AS u, "
                     "(SELECT sum(value) FROM json_each('[1,2,3]')) AS s, "
                     "(SELECT max(r) FROM (SELECT rank() OVER (ORDER BY key) AS r FROM items)) = "
                     "(SELECT count(*) FROM items) AS w;",
                     0, out, sizeof out, &d);

    if (rc != 0)
        fail_msg("report_run: %s", d.msg);
    assert_non_null(
        strstr(out, "[[3,\"2500.50\",\"2016-12-31\",\"2016-02-29\",2,\"002.5\",\"2016-02-29\","
                    "\"REP\",6,1]]"));
}

/* A section that runs past its time is stopped with its line; the progress handler goes with
 * the report, so docket's own long statement after it runs to its end. */
static void
sandbox_stops_a_report_past_its_time(void **state)
{
    struct db *db = *state;
    struct timespec t0, t1;
    struct diag d = {0};
    double took;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = run_sql(db,
                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                 "SELECT count(*) FROM c;",
                 200, NULL, 0, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_int_equal(rc, DK_DATA);
    assert_string_equal(d.msg, "t.sql:4: section 's' ran past 200 ms and was stopped");
    assert_true(took >= 0.2 && took < 5);
    /* The handler went with the report: left in place, past its time, it would stop the first
     * statement of more than a thousand instructions. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(support_int(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                     "FROM c WHERE x < 100000) SELECT count(*) FROM c"),
                     100000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("docket's own 100,000-row count after the report: %.3f s\n", took);
    /* Whole seconds are said in seconds. */
    memset(&d, 0, sizeof d);
    rc = run_sql(db,
                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                 "SELECT x FROM c;",
                 1000, NULL, 0, &d);
    assert_int_equal(rc, DK_DATA);
    assert_string_equal(d.msg, "t.sql:4: section 's' ran past 1 s and was stopped");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_reads_header_sections_and_charts),
        cmocka_unit_test(parse_accepts_crlf_line_ends),
        cmocka_unit_test(the_embedded_progress_report_parses),
        cmocka_unit_test(load_names_the_nearest_report),
        cmocka_unit_test(load_prefers_the_directory),
        cmocka_unit_test(refusals_name_their_line),
        cmocka_unit_test(bad_utf8_is_refused),
        cmocka_unit_test_setup_teardown(progress_by_month_agrees_with_asof_each_month, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_parent_by_instances_counts_their_mean, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(an_instance_added_later_changes_no_request, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(progress_by_month_known_at, support_open, support_close),
        cmocka_unit_test_setup_teardown(sandbox_refuses_what_a_report_does_not_need, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(sandbox_allows_what_a_report_needs, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(sandbox_stops_a_report_past_its_time, support_open,
                                        support_close),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
