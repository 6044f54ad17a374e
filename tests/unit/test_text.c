/* test_text.c: UTF-8 checks, escaping of data for terminals, and "did you mean" suggestions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/text.h"
#include "support.h"

/* Returns what text_put (WIDTH < 0) or text_put_width writes for S, owned by the caller. */
static char *
put(const char *s, int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    if (width < 0)
        assert_int_equal(text_put(f, s), 0);
    else
        assert_int_equal(text_put_width(f, s, width), 0);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

static void
check_put(const char *s, const char *want)
{
    char *got = put(s, -1);

    assert_string_equal(got, want);
    free(got);
}

static void
check_put_width(const char *s, int width, const char *want)
{
    char *got = put(s, width);

    assert_string_equal(got, want);
    free(got);
}

static void
utf8_accepts_well_formed_text(void **state)
{
    static const char *const good[] = {
        "",
        "plain ASCII",
        "IOM\xe2\x80\x93UN", /* U+2013 en dash */
        "caf\xc3\xa9",       /* U+00E9: the smallest two-byte lead is C2, this is C3 */
        "\xc2\x80",          /* U+0080: the smallest two-byte code point */
        "\xe0\xa0\x80",      /* U+0800: the smallest three-byte code point */
        "\xed\x9f\xbf",      /* U+D7FF: just below the surrogates */
        "\xee\x80\x80",      /* U+E000: just above them */
        "\xf0\x90\x80\x80",  /* U+10000: the smallest four-byte code point */
        "\xf0\x9d\x84\x9e",  /* U+1D11E */
        "\xf4\x8f\xbf\xbf",  /* U+10FFFF: the largest */
        "\xe2\x80\xae",      /* U+202E is well-formed; escaping it is text_put's job */
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(text_utf8_ok(good[i], strlen(good[i])), 1);
}

static void
utf8_refuses_malformed_text(void **state)
{
    static const char *const bad[] = {
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong two-byte */
        "\xe0\x80\x80",     /* overlong three-byte */
        "\xe0\x9f\xbf",     /* overlong three-byte, just below U+0800 */
        "\xf0\x80\x80\x80", /* overlong four-byte */
        "\xf0\x8f\xbf\xbf", /* overlong four-byte, just below U+10000 */
        "\xed\xa0\x80",     /* U+D800, a surrogate */
        "\xed\xbf\xbf",     /* U+DFFF, a surrogate */
        "\xf4\x90\x80\x80", /* U+110000, beyond Unicode */
        "\xf5\x80\x80\x80", /* a lead byte that can never appear */
        "\xff",
        "\xfe",
        "\x80",         /* a lone continuation byte */
        "a\xbf",        /* a lone continuation byte after ASCII */
        "\xc3",         /* truncated two-byte */
        "\xe2\x80",     /* truncated three-byte */
        "\xf0\x9d\x84", /* truncated four-byte */
        "\xe2\x28\xa1", /* a continuation byte missing in the middle */
        "IOM\xe2\x80",  /* truncated at the end of otherwise good text */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (text_utf8_ok(bad[i], strlen(bad[i])) != 0)
            fail_msg("bad[%zu] was accepted as UTF-8", i);
    }
}

static void
utf8_honours_the_explicit_length(void **state)
{
    (void)state;
    /* An embedded NUL is refused, wherever it stands. */
    assert_int_equal(text_utf8_ok("a\0b", 3), 0);
    assert_int_equal(text_utf8_ok("\0", 1), 0);
    assert_int_equal(text_utf8_ok("ab\0", 3), 0);
    /* Only the given length is read: a bad byte past it does not count. */
    assert_int_equal(text_utf8_ok("abc\xff", 3), 1);
    assert_int_equal(text_utf8_ok("abc\xff", 4), 0);
    /* A sequence cut by the length is truncated, although the bytes after it would finish it. */
    assert_int_equal(text_utf8_ok("\xe2\x80\x93", 2), 0);
    assert_int_equal(text_utf8_ok("\xe2\x80\x93", 3), 1);
    assert_int_equal(text_utf8_ok("", 0), 1);
}

static void
put_escapes_control_characters(void **state)
{
    (void)state;
    check_put("a\nb", "a\\nb");
    check_put("a\rb", "a\\rb");
    check_put("a\tb", "a\\tb");
    check_put("\x1b[31mred", "\\x1b[31mred");
    check_put("\x01", "\\x01");
    check_put("\x1f", "\\x1f");
    check_put("del\x7f", "del\\x7f");
    check_put("\xc2\x85", "\\u0085"); /* C1 NEL */
    check_put("\xc2\x9b"
              "2J",
              "\\u009b2J"); /* C1 CSI */
    check_put("\xc2\x9f", "\\u009f");
    check_put("\xc2\xa0", "\xc2\xa0"); /* U+00A0 is past C1: written as it is */
}

static void
put_escapes_bidirectional_controls(void **state)
{
    (void)state;
    check_put("abc\xe2\x80\xae"
              "def",
              "abc\\u202edef");           /* RLO */
    check_put("\xe2\x80\xaa", "\\u202a"); /* LRE */
    check_put("\xe2\x81\xa6", "\\u2066"); /* LRI */
    check_put("\xe2\x81\xa9", "\\u2069"); /* PDI */
    check_put("\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f");
    check_put("\xd8\x9c", "\\u061c");          /* ARABIC LETTER MARK */
    check_put("\xe2\x80\xaf", "\xe2\x80\xaf"); /* U+202F, next to the overrides, is harmless */
}

static void
put_writes_invalid_bytes_as_hex(void **state)
{
    (void)state;
    check_put("\xff", "\\xff");
    check_put("a\xff"
              "b",
              "a\\xffb");
    check_put("\xc0\x80", "\\xc0\\x80");
    check_put("\xed\xa0\x80", "\\xed\\xa0\\x80");
    check_put("x\xe2\x80", "x\\xe2\\x80");
}

static void
put_leaves_plain_text_alone(void **state)
{
    (void)state;
    check_put("", "");
    check_put("IOM\xe2\x80\x93UN", "IOM\xe2\x80\x93UN");
    check_put("C/106/RES/1309 \"quoted\" \\ back", "C/106/RES/1309 \"quoted\" \\ back");
    check_put("\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e");
}

static void
put_reports_a_write_error(void **state)
{
    char buf[16] = "";
    FILE *f = fmemopen(buf, sizeof buf, "r"); /* a stream that refuses writes */

    (void)state;
    assert_non_null(f);
    assert_int_equal(text_put(f, "abc"), -1);
    clearerr(f);
    assert_int_equal(text_put_width(f, "abc", 10), -1);
    fclose(f);
}

static void
put_width_pads_and_never_truncates(void **state)
{
    (void)state;
    check_put_width("ab", 5, "ab   ");
    check_put_width("ab", 2, "ab");
    check_put_width("ab", 0, "ab");
    check_put_width("", 3, "   ");
    check_put_width("abcdef", 3, "abcdef");
    check_put_width("ceb.hlcm-longer-than-the-column", 8, "ceb.hlcm-longer-than-the-column");
    /* One column per code point, not per byte: the en dash is three bytes, one column. */
    check_put_width("IOM\xe2\x80\x93UN", 8, "IOM\xe2\x80\x93UN  ");
    check_put_width("caf\xc3\xa9", 5, "caf\xc3\xa9 ");
    /* Padding still escapes. */
    check_put_width("a\x1b", 2, "a\\x1b");
}

/* text_width counts as text_put_width pads: a column of texts padded to the widest lines up. */
static void
width_counts_as_put_width_pads(void **state)
{
    (void)state;
    assert_int_equal(text_width(""), 0);
    assert_int_equal(text_width("tester"), 6);
    assert_int_equal(text_width("IOM\xe2\x80\x93UN"), 6);
    assert_int_equal(text_width("caf\xc3\xa9"), 4);
    assert_int_equal(text_width("a\x1b"), 2);
    assert_int_equal(text_width("x\xff\xfey"), 4);
    check_put_width("x\xff\xfey", text_width("x\xff\xfey") + 1, "x\\xff\\xfey ");
}

/* text_prefix cuts at a column as text_width counts them: between characters, never inside
 * a UTF-8 sequence, so a cut French or Spanish title stays valid UTF-8. */
static void
prefix_cuts_by_characters(void **state)
{
    (void)state;
    assert_int_equal(text_prefix("", 5), 0);
    assert_int_equal(text_prefix("tester", 0), 0);
    assert_int_equal(text_prefix("tester", 3), 3);
    assert_int_equal(text_prefix("tester", 6), 6);
    assert_int_equal(text_prefix("tester", 99), 6);
    assert_int_equal(text_prefix("tester", -1), 0);
    /* "\xc3\xa9" is one column of two bytes. */
    assert_int_equal(text_prefix("\xc3\x89t\xc3\xa9", 1), 2);
    assert_int_equal(text_prefix("\xc3\x89t\xc3\xa9", 2), 3);
    assert_int_equal(text_prefix("\xc3\x89t\xc3\xa9", 3), 5);
    assert_int_equal(text_prefix("a\xc3\xb1o", 2), 3); /* "a\xc3\xb1" of "a\xc3\xb1o" */
    assert_int_equal(text_prefix("IOM\xe2\x80\x93UN", 4), 6);
    /* A byte that is not UTF-8 is one column, as text_width counts it. */
    assert_int_equal(text_prefix("x\xff\xfey", 2), 2);
    assert_int_equal(text_prefix("x\xff\xfey", 3), 3);
    /* The prefix of N columns takes N columns, for each N up to the whole. */
    for (int n = 0; n <= 10; n++) {
        const char *s = "Am\xc3\xa9rica \xe2\x80\x93 se\xc3\xb1or";
        char buf[64];
        size_t k = text_prefix(s, n);

        memcpy(buf, s, k);
        buf[k] = '\0';
        assert_int_equal(text_width(buf), n);
    }
}

static void
distance_is_optimal_string_alignment(void **state)
{
    (void)state;
    assert_int_equal(text_distance("ceb", "ceb", 3), 0);
    assert_int_equal(text_distance("cbe", "ceb", 3), 1); /* one transposition */
    assert_int_equal(text_distance("ceb", "cbe", 3), 1);
    assert_int_equal(text_distance("kitten", "sitting", 5), 3);
    assert_int_equal(text_distance("sitting", "kitten", 5), 3);
    assert_int_equal(text_distance("", "abc", 5), 3);
    assert_int_equal(text_distance("abc", "", 5), 3);
    assert_int_equal(text_distance("", "", 0), 0);
    assert_int_equal(text_distance("unct", "unc", 3), 1);
    assert_int_equal(text_distance("membrship", "membership", 3), 1);
    /* Optimal string alignment edits no substring twice: "ca" to "abc" is 3, not 2. */
    assert_int_equal(text_distance("ca", "abc", 5), 3);
}

static void
distance_stops_early_at_max_plus_one(void **state)
{
    (void)state;
    assert_int_equal(text_distance("kitten", "sitting", 1), 2);
    assert_int_equal(text_distance("kitten", "sitting", 2), 3);
    assert_int_equal(text_distance("kitten", "sitting", 3), 3);
    assert_int_equal(text_distance("a", "abcdefgh", 2), 3); /* lengths alone rule it out */
    assert_int_equal(text_distance("abcdef", "uvwxyz", 2), 3);
    assert_int_equal(text_distance("ceb", "xyz", 0), 1);
    assert_int_equal(text_distance("ceb", "ceb", 0), 0);
}

static void
nearest_suggests_the_closest_name_or_none(void **state)
{
    static const char *const kinds[] = {"action", "cost", "membership", "proposal"};

    (void)state;
    assert_string_equal(text_nearest("actoin", kinds, 4), "action");
    assert_string_equal(text_nearest("membrship", kinds, 4), "membership");
    assert_string_equal(text_nearest("cots", kinds, 4), "cost");
    assert_null(text_nearest("bogus", kinds, 4));
    assert_null(text_nearest("x", kinds, 4)); /* a short name allows one edit only */
    assert_null(text_nearest("action", kinds, 0));
}

static void
unknown_lists_the_valid_names_in_one_line(void **state)
{
    static const char *const st[] = {"open", "done"};
    struct diag d = {0};
    const char **many = calloc(200, sizeof *many);
    char *msg;

    (void)state;
    assert_int_equal(text_unknown(&d, "status", "bogus", " for kind task", st, 2, NULL), DK_DATA);
    assert_int_equal(d.code, DK_DATA);
    assert_string_equal(d.msg, "unknown status 'bogus' for kind task (valid: open, done)");
    memset(&d, 0, sizeof d);
    assert_int_equal(text_unknown(&d, "kind", "dne", NULL, st, 2, "see 'docket kinds'"), DK_DATA);
    assert_string_equal(d.msg,
                        "unknown kind 'dne' (did you mean 'done'? valid: open, done; see 'docket "
                        "kinds')");
    memset(&d, 0, sizeof d);
    assert_int_equal(text_unknown(&d, "section", "x", " in report 'r'", NULL, 0, NULL), DK_DATA);
    assert_string_equal(d.msg, "unknown section 'x' in report 'r' (valid: none)");
    /* A list too long for the line is cut at a name, ends with "...", and the line still closes
     * and leaves room for a caller's prefix. */
    memset(&d, 0, sizeof d);
    assert_non_null(many);
    for (int i = 0; i < 200; i++)
        many[i] = "status-name";
    assert_int_equal(text_unknown(&d, "status", "bogus", NULL, many, 200, "see 'docket kinds'"),
                     DK_DATA);
    msg = d.msg;
    assert_non_null(strstr(msg, ", status-name, ...; see 'docket kinds')"));
    assert_true(strlen(msg) < sizeof d.msg - 32);
    free(many);
}

static void
has_word_wants_a_letter_or_digit(void **state)
{
    static const char *const yes[] = {
        "x",
        "  a  ",
        "7",
        "...1",
        "letter sent",
        "\xc3\xa9",        /* é */
        "\xe4\xb8\xad",    /* a CJK ideograph */
        "\xd8\xa7",        /* Arabic alef */
        "\xe2\x80\x94 ok", /* an em dash, then a word */
    };
    static const char *const no[] = {
        "",
        "   ",
        "\t\r\n",
        "--",
        ".",
        "!?;:",
        "\xc2\xa0",         /* no-break space */
        "\xe3\x80\x80",     /* ideographic space */
        "\xe2\x80\x8b",     /* zero-width space */
        "\xef\xbb\xbf",     /* BOM */
        "\xe2\x80\xae",     /* a bidi override */
        "\xf0\x9f\x98\x80", /* an emoji */
        "\xcc\x81",         /* a combining accent */
        "\xff\xfe",         /* not UTF-8 */
    };

    (void)state;
    assert_false(text_has_word(NULL));
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!text_has_word(yes[i]))
            fail_msg("'%s' has a letter or digit", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (text_has_word(no[i]))
            fail_msg("'%s' has no letter or digit", no[i]);
}

static void
key_accepts_valid_keys(void **state)
{
    static const char *const good[] = {
        "ceb",
        "ceb.hlcm",
        "unct/KEN",
        "undg.regional/asia-pacific",
        "report.wg",
        "safeguard.lead-agency",
        "a",
        "a1.b2.c3",
        "x-",
        "unct/K",
        "unct/ken_1.2-b",
        "9",
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (text_key_ok(good[i]) != 1)
            fail_msg("'%s' was refused as a key", good[i]);
    }
}

static void
key_refuses_invalid_keys(void **state)
{
    static const char *const bad[] = {
        "",    ".a",   "a.",   "a..b", "A",           "cEb",         "a/",   "a/b/c",
        "a b", "-a",   "a.-b", "/KEN", "a/-b",        "a/.b",        "a/_b", "a/b c",
        "a_b", "a\tb", "ceb.", "a.b/", "caf\xc3\xa9", "a/b\xc3\xa9",
    };
    char longkey[202];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (text_key_ok(bad[i]) != 0)
            fail_msg("'%s' was accepted as a key", bad[i]);
    }
    /* Keys are capped at 200 bytes. */
    memset(longkey, 'a', 200);
    longkey[200] = '\0';
    assert_int_equal(text_key_ok(longkey), 1);
    longkey[200] = 'a';
    longkey[201] = '\0';
    assert_int_equal(text_key_ok(longkey), 0);
}

/* Returns what text_csv_field writes for S, owned by the caller. */
static char *
csv(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    text_csv_field(f, s);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

static void
csv_field_quotes_and_defuses_formulas(void **state)
{
    /* What a spreadsheet would run, and a leading ', gets a '; a plain number does not. */
    static const char *const cases[][2] = {
        {"plain", "plain"},
        {"a,b", "\"a,b\""},
        {"say \"x\"", "\"say \"\"x\"\"\""},
        {"=1+1", "'=1+1"},
        {"+1", "'+1"},
        {"-x", "'-x"},
        {"@SUM(1)", "'@SUM(1)"},
        {"\tx", "'\tx"},
        {"\rx", "\"'\rx\""},
        {"'x", "''x"},
        {"'", "''"},
        {"=a,b", "\"'=a,b\""},
        {"-5", "-5"},
        {"-100.50", "-100.50"},
        {"0.5", "0.5"},
        {"-", "'-"},
        {"-.5", "'-.5"},
        {"-5.", "'-5."},
        {"-1e5", "'-1e5"},
        {"-5-1", "'-5-1"},
        {"", ""},
        {"a=b", "a=b"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv(cases[i][0]);

        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("text_csv_field(\"%s\") wrote \"%s\", not \"%s\"", cases[i][0], got,
                     cases[i][1]);
        free(got);
    }
}

/* A path as a file: URI: what a URI reads as syntax is escaped, the rest kept. */
static void
file_uri_escapes_what_a_uri_reads(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(text_file_uri("file:", "/a b/c%d?e#f.db", "?immutable=1", out, sizeof out), 0);
    assert_string_equal(out, "file:/a%20b/c%25d%3Fe%23f.db?immutable=1");
    assert_int_equal(text_file_uri("file://", "/t/r\xc3\xa9.html", "", out, sizeof out), 0);
    assert_string_equal(out, "file:///t/r%C3%A9.html");
    assert_int_equal(text_file_uri("file:", "rel/x-y_z~.db", "", out, sizeof out), 0);
    assert_string_equal(out, "file:rel/x-y_z~.db");
    /* Too long: refused, at the path and at the suffix. */
    assert_int_equal(text_file_uri("file:", "/0123456789", "", out, 12), -1);
    assert_int_equal(text_file_uri("file:", "/a", "?immutable=1", out, 12), -1);
    assert_int_equal(text_file_uri("file:", "/a", "?i", out, 10), 0);
    assert_string_equal(out, "file:/a?i");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts_well_formed_text),
        cmocka_unit_test(has_word_wants_a_letter_or_digit),
        cmocka_unit_test(utf8_refuses_malformed_text),
        cmocka_unit_test(utf8_honours_the_explicit_length),
        cmocka_unit_test(put_escapes_control_characters),
        cmocka_unit_test(put_escapes_bidirectional_controls),
        cmocka_unit_test(put_writes_invalid_bytes_as_hex),
        cmocka_unit_test(put_leaves_plain_text_alone),
        cmocka_unit_test(put_reports_a_write_error),
        cmocka_unit_test(put_width_pads_and_never_truncates),
        cmocka_unit_test(width_counts_as_put_width_pads),
        cmocka_unit_test(prefix_cuts_by_characters),
        cmocka_unit_test(distance_is_optimal_string_alignment),
        cmocka_unit_test(distance_stops_early_at_max_plus_one),
        cmocka_unit_test(nearest_suggests_the_closest_name_or_none),
        cmocka_unit_test(unknown_lists_the_valid_names_in_one_line),
        cmocka_unit_test(key_accepts_valid_keys),
        cmocka_unit_test(key_refuses_invalid_keys),
        cmocka_unit_test(csv_field_quotes_and_defuses_formulas),
        cmocka_unit_test(file_uri_escapes_what_a_uri_reads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
