/* test_pdf.c: finding Chromium on PATH, and printing through fake `chromium` scripts: the PDF
 * copied out, a failure quoted by its last lines, a time limit, what is not a PDF, and the work
 * folder gone after each. The real Chromium is tested in tests/pdf. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docket/diag.h"
#include "docket/pdf.h"
#include "support.h"

static char base[64]; /* this run's folder */
static char tmpdir[128], bin[128];
static char *saved_path; /* PATH as the test found it, which each test changes */

/* Writes an executable script NAME into folder DIR (made if need be) running BODY with sh. */
static void
script(const char *dir, const char *name, const char *body)
{
    char path[256];
    FILE *f;

    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
}

/* Returns the number of entries in folder DIR, less "." and "..". */
static int
entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/docket-test-pdf-XXXXXX");
    if (mkdtemp(base) == NULL)
        return -1;
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", base);
    snprintf(bin, sizeof bin, "%s/bin", base);
    mkdir(tmpdir, 0700);
    setenv("TMPDIR", tmpdir, 1);
    saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    return 0;
}

static int
teardown(void **state)
{
    char cmd[128];

    (void)state;
    if (saved_path != NULL)
        setenv("PATH", saved_path, 1);
    free(saved_path);
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

/* Sets PATH to the fake's folder alone (the scripts use only the shell's builtins) and prints
 * "<p>report</p>" through it with a limit of TIMEOUT_S; returns the code, with what was
 * written into *OUT (free) and the message into D. */
static int
print(const char *body, long timeout_s, char **out, struct diag *d)
{
    struct pdf p;
    size_t len = 0;
    FILE *f;
    int rc;

    script(bin, "chromium", body);
    setenv("PATH", bin, 1);
    assert_int_equal(pdf_open(&p, d), 0);
    assert_non_null(p.f);
    fputs("<p>report</p>\n", p.f);
    f = open_memstream(out, &len);
    assert_non_null(f);
    rc = pdf_print(&p, f, timeout_s, d);
    assert_int_equal(fclose(f), 0);
    pdf_close(&p);
    assert_null(p.dir);
    assert_int_equal(entries(tmpdir), 0);
    return rc;
}

static void
finds_chromium_then_chromium_browser(void **state)
{
    char path[1024], dirs[6][160], *found = NULL;
    struct diag d = {0};

    (void)state;
    for (int i = 0; i < 6; i++)
        snprintf(dirs[i], sizeof dirs[i], "%s/p%d", base, i);
    mkdir(dirs[0], 0755); /* empty */
    script(dirs[1], "chromium-browser", "exit 0\n");
    script(dirs[2], "chromium", "exit 0\n");
    script(dirs[3], "chromium", "exit 0\n");
    snprintf(path, sizeof path, "%s/chromium", dirs[3]);
    chmod(path, 0644); /* not executable */
    mkdir(dirs[4], 0755);
    snprintf(path, sizeof path, "%s/chromium", dirs[4]);
    mkdir(path, 0755); /* a folder */

    /* chromium anywhere on PATH comes before chromium-browser earlier on it. */
    snprintf(path, sizeof path, "%s:%s:%s:%s:%s", dirs[0], dirs[3], dirs[4], dirs[1], dirs[2]);
    setenv("PATH", path, 1);
    assert_int_equal(pdf_find_browser(&found, &d), 0);
    snprintf(path, sizeof path, "%s/chromium", dirs[2]);
    assert_string_equal(found, path);
    free(found);

    snprintf(path, sizeof path, "%s::%s:%s", dirs[3], dirs[4], dirs[1]);
    setenv("PATH", path, 1);
    assert_int_equal(pdf_find_browser(&found, &d), 0);
    snprintf(path, sizeof path, "%s/chromium-browser", dirs[1]);
    assert_string_equal(found, path);
    free(found);

    found = NULL;
    snprintf(path, sizeof path, "%s:%s:%s", dirs[0], dirs[3], dirs[4]);
    setenv("PATH", path, 1);
    assert_int_equal(pdf_find_browser(&found, &d), DK_IO);
    assert_null(found);
    assert_string_equal(d.msg, "--format pdf needs chromium (apt install chromium)");
}

static void
open_without_chromium_leaves_nothing(void **state)
{
    struct pdf p;
    struct diag d = {0};

    (void)state;
    setenv("PATH", tmpdir, 1);
    assert_int_equal(pdf_open(&p, &d), DK_IO);
    assert_null(p.f);
    assert_null(p.dir);
    assert_int_equal(entries(tmpdir), 0);
    pdf_close(&p);
}

static void
print_copies_the_pdf(void **state)
{
    char *out = NULL;
    struct diag d = {0};

    (void)state;
    /* The fake checks what it is given: the HTML written and closed, a fresh profile, a TMPDIR
     * of its own in the work folder. */
    assert_int_equal(print("for a; do case \"$a\" in\n"
                           "  --user-data-dir=*) [ -d \"${a#*=}\" ] || exit 9;;\n"
                           "  file://*) h=\"${a#file://}\";;\n"
                           "  --print-to-pdf=*) o=\"${a#*=}\";;\n"
                           "esac; done\n"
                           "read -r line <\"$h\" || exit 8\n"
                           "[ \"$line\" = '<p>report</p>' ] || exit 7\n"
                           "[ -d \"$TMPDIR\" ] && [ \"${TMPDIR%/tmp}\" = \"${h%/report.html}\" ] "
                           "|| exit 6\n"
                           "echo '%PDF-1.7 fake' >\"$o\"\n",
                           5, &out, &d),
                     0);
    assert_string_equal(out, "%PDF-1.7 fake\n");
    free(out);
}

static void
print_quotes_the_last_lines_of_a_failure(void **state)
{
    char *out = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(print("i=0; while [ $i -lt 200 ]; do\n"
                           "  echo \"[1:2:1204/221337.58:ERROR:bus.cc(405)] chatter $i\" >&2\n"
                           "  i=$((i+1)); done\necho >&2; echo 'last words' >&2; exit 4\n",
                           5, &out, &d),
                     DK_IO);
    assert_string_equal(d.msg,
                        "chromium failed with exit status 4: chatter 198 | chatter 199 | last "
                        "words");
    assert_string_equal(out, "");
    free(out);
}

static void
print_stops_at_the_time_limit(void **state)
{
    char *out = NULL;
    struct diag d = {0};
    struct timespec t0, t1;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* A loop of builtins: no other process to find on PATH. */
    assert_int_equal(print("while :; do :; done\n", 1, &out, &d), DK_IO);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 10);
    assert_non_null(strstr(d.msg, "longer than 1 s"));
    assert_non_null(strstr(d.msg, "DOCKET_PDF_TIMEOUT"));
    assert_string_equal(out, "");
    free(out);
}

static void
print_refuses_what_is_not_a_pdf(void **state)
{
    char *out = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(print("for a; do case \"$a\" in --print-to-pdf=*) echo '<html>' "
                           ">\"${a#*=}\";; esac; done\n",
                           5, &out, &d),
                     DK_IO);
    assert_string_equal(d.msg, "what chromium wrote is not a PDF");
    assert_string_equal(out, "");
    free(out);
    memset(&d, 0, sizeof d);
    assert_int_equal(print("exit 0\n", 5, &out, &d), DK_IO);
    assert_string_equal(d.msg, "chromium wrote no PDF");
    free(out);
}

static void
print_reports_a_browser_killed_by_a_signal(void **state)
{
    char *out = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(print("kill -9 $$\n", 5, &out, &d), DK_IO);
    assert_string_equal(d.msg, "chromium was killed by signal 9");
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_chromium_then_chromium_browser),
        cmocka_unit_test(open_without_chromium_leaves_nothing),
        cmocka_unit_test(print_copies_the_pdf),
        cmocka_unit_test(print_quotes_the_last_lines_of_a_failure),
        cmocka_unit_test(print_stops_at_the_time_limit),
        cmocka_unit_test(print_refuses_what_is_not_a_pdf),
        cmocka_unit_test(print_reports_a_browser_killed_by_a_signal),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
