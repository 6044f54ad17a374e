/* test_l10n.c: the catalogues, the .mo reader, the choice of language, and dates, numbers,
 * percentages and amounts in English, French and Spanish. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/embed.h"
#include "docket/l10n.h"
#include "support.h"

#define NNBSP "\xe2\x80\xaf"
#define NBSP  "\xc2\xa0"

static struct l10n *
open_lang(const char *lang)
{
    struct diag d = {0};
    struct l10n *l = NULL;

    assert_int_equal(l10n_open(lang, &l, &d), 0);
    assert_non_null(l);
    assert_string_equal(l10n_lang(l), lang);
    return l;
}

static void
lookups_translate_in_each_language(void **state)
{
    struct l10n *en = open_lang("en");
    struct l10n *fr = open_lang("fr");
    struct l10n *es = open_lang("es");

    (void)state;
    assert_string_equal(l10n_text(en, "Progress report"), "Progress report");
    assert_string_equal(l10n_text(fr, "Progress report"), "Rapport d\xe2\x80\x99"
                                                          "\xc3\xa9tape");
    assert_string_equal(l10n_text(es, "Progress report"),
                        "Informe sobre la marcha de los trabajos");
    assert_string_equal(l10n_text(fr, "Safeguards"), "Garanties");
    assert_string_equal(l10n_text(es, "Safeguards"), "Salvaguardias");
    assert_string_equal(l10n_ctext(fr, "status", "Member"), "Membre");
    assert_string_equal(l10n_ctext(es, "status", "Not assessed"), "Sin evaluar");
    assert_string_equal(l10n_ctext(fr, "kind", "Reporting duty"), "Obligation de faire rapport");
    assert_string_equal(l10n_ctext(es, "month", "November"), "noviembre");
    /* The first and the last entry of the sorted table are found too. */
    assert_string_equal(l10n_ctext(fr, "value", "too large"), "trop \xc3\xa9lev\xc3\xa9");
    assert_string_equal(l10n_text(es, "%d essential element has not yet been assessed."),
                        "%d elemento esencial a\xc3\xban no se ha evaluado.");
    assert_string_equal(l10n_text(es, "%d has been met"), "%d ha sido atendida");
    l10n_free(en);
    l10n_free(fr);
    l10n_free(es);
}

static void
contexts_tell_one_word_apart(void **state)
{
    struct l10n *es = open_lang("es");
    struct l10n *fr = open_lang("fr");

    (void)state;
    /* A column name and a cell's value: the same English word, two Spanish genders. */
    assert_string_equal(l10n_ctext(es, "column", "overdue"), "atrasados");
    assert_string_equal(l10n_ctext(es, "value", "overdue"), "atrasado");
    assert_string_equal(l10n_ctext(fr, "column", "status"), "statut");
    /* Without its context the word is not in the catalogue: the English comes back. */
    assert_string_equal(l10n_text(es, "overdue"), "overdue");
    assert_string_equal(l10n_text(fr, "Member"), "Member");
    /* A context that is a prefix of another, or an unknown one, finds nothing. */
    assert_string_equal(l10n_ctext(fr, "colum", "status"), "status");
    assert_string_equal(l10n_ctext(fr, "columns", "status"), "status");
    assert_string_equal(l10n_ctext(fr, "month", "status"), "status");
    l10n_free(es);
    l10n_free(fr);
}

static void
missing_messages_fall_back_to_english(void **state)
{
    struct l10n *fr = open_lang("fr");
    const char *id = "A sentence no catalogue holds";

    (void)state;
    assert_ptr_equal(l10n_text(fr, id), id);
    assert_ptr_equal(l10n_ctext(fr, "column", id), id);
    assert_string_equal(l10n_text(fr, ""), ""); /* the header entry is no message */
    assert_string_equal(l10n_plural(fr, "%d thing", "%d things", 1), "%d thing");
    assert_string_equal(l10n_plural(fr, "%d thing", "%d things", 0), "%d things");
    l10n_free(fr);
}

static void
plural_forms_follow_each_language(void **state)
{
    struct l10n *en = open_lang("en");
    struct l10n *fr = open_lang("fr");
    struct l10n *es = open_lang("es");
    const char *one = "%d safeguard is at risk.";
    const char *many = "%d safeguards are at risk.";

    (void)state;
    assert_string_equal(l10n_plural(en, one, many, 0), many);
    assert_string_equal(l10n_plural(en, one, many, 1), one);
    assert_string_equal(l10n_plural(en, one, many, 2), many);
    /* French: 0 and 1 take the singular. */
    assert_string_equal(l10n_plural(fr, one, many, 0), "%d garantie est menac\xc3\xa9"
                                                       "e.");
    assert_string_equal(l10n_plural(fr, one, many, 1), "%d garantie est menac\xc3\xa9"
                                                       "e.");
    assert_string_equal(l10n_plural(fr, one, many, 2), "%d garanties sont menac\xc3\xa9"
                                                       "es.");
    /* Spanish: 0 takes the plural. */
    assert_string_equal(l10n_plural(es, one, many, 0), "%d salvaguardias est\xc3\xa1n en riesgo.");
    assert_string_equal(l10n_plural(es, one, many, 1), "%d salvaguardia est\xc3\xa1 en riesgo.");
    assert_string_equal(l10n_plural(es, one, many, 1000000),
                        "%d salvaguardias est\xc3\xa1n en riesgo.");
    l10n_free(en);
    l10n_free(fr);
    l10n_free(es);
}

static void
check_date(const char *lang, int y, int m, int d, const char *want)
{
    struct l10n *l = open_lang(lang);
    char buf[L10N_BUF];

    assert_int_equal(l10n_date(l, y, m, d, buf), 0);
    assert_string_equal(buf, want);
    l10n_free(l);
}

static void
check_month(const char *lang, int y, int m, const char *want)
{
    struct l10n *l = open_lang(lang);
    char buf[L10N_BUF];

    assert_int_equal(l10n_month_year(l, y, m, buf), 0);
    assert_string_equal(buf, want);
    l10n_free(l);
}

static void
dates_as_cldr_writes_them(void **state)
{
    (void)state;
    check_date("en", 2015, 11, 24, "24 November 2015");
    check_date("fr", 2015, 11, 24, "24 novembre 2015");
    check_date("es", 2015, 11, 24, "24 de noviembre de 2015");
    /* CLDR's fr pattern is d MMMM y: "1 janvier", not "1er janvier". */
    check_date("en", 2016, 1, 1, "1 January 2016");
    check_date("fr", 2016, 1, 1, "1 janvier 2016");
    check_date("es", 2016, 1, 1, "1 de enero de 2016");
    check_date("en", 2015, 12, 31, "31 December 2015");
    check_date("fr", 2015, 12, 31,
               "31 d\xc3\xa9"
               "cembre 2015");
    check_date("es", 2015, 12, 31, "31 de diciembre de 2015");
    check_date("fr", 2016, 2, 29, "29 f\xc3\xa9vrier 2016");
    check_date("fr", 2015, 8, 15, "15 ao\xc3\xbbt 2015");
    check_month("en", 2015, 11, "November 2015");
    check_month("fr", 2015, 11, "novembre 2015");
    check_month("es", 2015, 11, "noviembre de 2015");
    check_month("es", 2016, 1, "enero de 2016");
    check_month("fr", 2016, 12,
                "d\xc3\xa9"
                "cembre 2016");
}

static void
impossible_dates_are_refused(void **state)
{
    struct l10n *fr = open_lang("fr");
    char buf[L10N_BUF] = "x";

    (void)state;
    assert_int_equal(l10n_date(fr, 2015, 2, 29, buf), DK_DATA);
    assert_string_equal(buf, "");
    assert_int_equal(l10n_date(fr, 2015, 4, 31, buf), DK_DATA);
    assert_int_equal(l10n_date(fr, 2015, 0, 1, buf), DK_DATA);
    assert_int_equal(l10n_date(fr, 2015, 13, 1, buf), DK_DATA);
    assert_int_equal(l10n_date(fr, 2015, 1, 0, buf), DK_DATA);
    assert_int_equal(l10n_date(fr, 0, 1, 1, buf), DK_DATA);
    assert_int_equal(l10n_date(fr, 10000, 1, 1, buf), DK_DATA);
    assert_int_equal(l10n_month_year(fr, 2015, 13, buf), DK_DATA);
    assert_int_equal(l10n_month_year(fr, 2015, 0, buf), DK_DATA);
    l10n_free(fr);
}

/* Dates as docket keeps them (a day, a month, a year) as each language writes them; any other
 * text is refused, so that a caller shows it as it is. */
static void
stored_dates_as_each_language_writes_them(void **state)
{
    struct l10n *en = open_lang("en"), *es = open_lang("es");
    char buf[L10N_BUF];

    (void)state;
    assert_int_equal(l10n_day(en, "2015-11-24", buf), 0);
    assert_string_equal(buf, "24 November 2015");
    assert_int_equal(l10n_day(es, "2015-11-24", buf), 0);
    assert_string_equal(buf, "24 de noviembre de 2015");
    assert_int_equal(l10n_day(en, "2016-03", buf), 0);
    assert_string_equal(buf, "March 2016");
    assert_int_equal(l10n_day(es, "2016-03", buf), 0);
    assert_string_equal(buf, "marzo de 2016");
    assert_int_equal(l10n_day(en, "1992", buf), 0);
    assert_string_equal(buf, "1992");
    assert_int_equal(l10n_day(en, "2015-02-29", buf), DK_DATA);
    assert_int_equal(l10n_day(en, "2015-1-24", buf), DK_DATA);
    assert_int_equal(l10n_day(en, "2015-11-24T10:00:00Z", buf), DK_DATA);
    assert_int_equal(l10n_day(en, "199", buf), DK_DATA);
    assert_int_equal(l10n_day(en, "", buf), DK_DATA);
    assert_int_equal(l10n_day(en, "(new)", buf), DK_DATA);
    assert_string_equal(buf, "");
    l10n_free(en);
    l10n_free(es);
}

static void
check_number(const char *lang, double v, int decimals, const char *want)
{
    struct l10n *l = open_lang(lang);
    char buf[L10N_BUF];

    assert_int_equal(l10n_number(l, v, decimals, buf), 0);
    assert_string_equal(buf, want);
    l10n_free(l);
}

static void
numbers_group_and_separate(void **state)
{
    (void)state;
    check_number("en", 0, 1, "0.0");
    check_number("fr", 0, 1, "0,0");
    check_number("es", 0, 0, "0");
    check_number("en", 999, 0, "999");
    check_number("fr", 999, 0, "999");
    check_number("en", 1000, 0, "1,000");
    check_number("fr", 1000, 0, "1" NNBSP "000");
    check_number("es", 1000, 0, "1000"); /* minimumGroupingDigits 2 */
    check_number("en", 1234.5, 1, "1,234.5");
    check_number("fr", 1234.5, 1, "1" NNBSP "234,5");
    check_number("es", 1234.5, 1, "1234,5");
    check_number("es", 9999, 0, "9999");
    check_number("en", 10000, 0, "10,000");
    check_number("es", 10000, 0, "10.000");
    check_number("es", 12345.5, 1, "12.345,5");
    check_number("fr", 12345.5, 1, "12" NNBSP "345,5");
    check_number("en", 1234567.891, 2, "1,234,567.89");
    check_number("es", 1234567.891, 2, "1.234.567,89");
    check_number("fr", 123456, 0, "123" NNBSP "456");
    check_number("en", -1234.5, 1, "-1,234.5");
    check_number("fr", -1234.5, 1, "-1" NNBSP "234,5");
    check_number("es", -12345, 0, "-12.345");
    /* Rounding to zero leaves no sign; rounding carries into a new group. */
    check_number("en", -0.04, 1, "0.0");
    check_number("en", 999.96, 1, "1,000.0");
    check_number("en", 21.666, 1, "21.7");
    check_number("en", 999999999999999.0 - 0.5, 0, "999,999,999,999,998");
}

static void
bad_numbers_are_refused(void **state)
{
    struct l10n *en = open_lang("en");
    char buf[L10N_BUF] = "x";

    (void)state;
    assert_int_equal(l10n_number(en, NAN, 1, buf), DK_DATA);
    assert_string_equal(buf, "");
    assert_int_equal(l10n_number(en, INFINITY, 1, buf), DK_DATA);
    assert_int_equal(l10n_number(en, 1e15, 0, buf), DK_DATA);
    assert_int_equal(l10n_number(en, -1e15, 0, buf), DK_DATA);
    assert_int_equal(l10n_number(en, 1, -1, buf), DK_DATA);
    assert_int_equal(l10n_number(en, 1, 7, buf), DK_DATA);
    assert_int_equal(l10n_percent(en, NAN, 1, buf), DK_DATA);
    assert_string_equal(buf, "");
    l10n_free(en);
}

static void
check_percent(const char *lang, double v, const char *want)
{
    struct l10n *l = open_lang(lang);
    char buf[L10N_BUF];

    assert_int_equal(l10n_percent(l, v, 1, buf), 0);
    assert_string_equal(buf, want);
    l10n_free(l);
}

static void
percentages_space_their_sign(void **state)
{
    (void)state;
    check_percent("en", 21.7, "21.7%");
    check_percent("fr", 21.7, "21,7" NNBSP "%");
    check_percent("es", 21.7, "21,7" NBSP "%");
    check_percent("en", 0, "0.0%");
    check_percent("fr", 100, "100,0" NNBSP "%");
    /* Half-even, as CLDR rounds by default: 5.25 is exact in binary and goes to 5.2. */
    check_percent("es", -5.25, "-5,2" NBSP "%");
    check_percent("fr", 1234.5, "1" NNBSP "234,5" NNBSP "%");
}

static void
check_amount(const char *lang, long long minor, const char *cur, const char *want)
{
    struct l10n *l = open_lang(lang);
    char buf[L10N_BUF];

    assert_int_equal(l10n_amount(l, minor, cur, buf), 0);
    assert_string_equal(buf, want);
    l10n_free(l);
}

static void
amounts_are_exact_in_minor_units(void **state)
{
    (void)state;
    check_amount("en", 25000000, "CHF", "CHF" NBSP "250,000.00");
    check_amount("fr", 25000000, "CHF", "250" NNBSP "000,00" NBSP "CHF");
    check_amount("es", 25000000, "CHF", "250.000,00" NBSP "CHF");
    check_amount("en", 0, "USD", "USD" NBSP "0.00");
    check_amount("fr", 0, "EUR", "0,00" NBSP "EUR");
    check_amount("en", 99900, "USD", "USD" NBSP "999.00");
    check_amount("es", 123450, "EUR", "1234,50" NBSP "EUR");
    check_amount("es", 1000000, "EUR", "10.000,00" NBSP "EUR");
    check_amount("en", 5, "CHF", "CHF" NBSP "0.05");
    check_amount("en", -500, "CHF", "-CHF" NBSP "5.00");
    check_amount("fr", -123456789, "EUR", "-1" NNBSP "234" NNBSP "567,89" NBSP "EUR");
    check_amount("es", -1, "EUR", "-0,01" NBSP "EUR");
    /* Exponent 0: no decimals; exponent 3. */
    check_amount("en", 1500, "JPY", "JPY" NBSP "1,500");
    check_amount("fr", 1500, "JPY", "1" NNBSP "500" NBSP "JPY");
    check_amount("es", 1500, "JPY", "1500" NBSP "JPY");
    check_amount("en", 1234, "BHD", "BHD" NBSP "1.234");
    check_amount("fr", 12345678, "KWD", "12" NNBSP "345,678" NBSP "KWD");
    /* The extremes of int64 come out digit for digit. */
    check_amount("en", INT64_MAX, "CHF", "CHF" NBSP "92,233,720,368,547,758.07");
    check_amount("en", INT64_MIN, "CHF", "-CHF" NBSP "92,233,720,368,547,758.08");
    check_amount("es", INT64_MAX, "JPY", "9.223.372.036.854.775.807" NBSP "JPY");
    check_amount("fr", INT64_MIN, "CLF",
                 "-922" NNBSP "337" NNBSP "203" NNBSP "685" NNBSP "477,5808" NBSP "CLF");
}

static void
unknown_currencies_are_refused(void **state)
{
    struct l10n *fr = open_lang("fr");
    char buf[L10N_BUF] = "x";

    (void)state;
    assert_int_equal(l10n_amount(fr, 100, "XYZ", buf), DK_DATA);
    assert_string_equal(buf, "");
    assert_int_equal(l10n_amount(fr, 100, "chf", buf), DK_DATA);
    assert_int_equal(l10n_amount(fr, 100, "", buf), DK_DATA);
    assert_int_equal(l10n_amount(fr, 100, NULL, buf), DK_DATA);
    l10n_free(fr);
}

/* Clears every variable l10n_pick reads. */
static void
clear_env(void)
{
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
}

/* Returns the language l10n_pick chooses for OPT and the environment. */
static const char *
picked(const char *opt)
{
    static char lang[4];
    struct diag d = {0};
    struct l10n *l = NULL;

    assert_int_equal(l10n_pick(opt, &l, &d), 0);
    snprintf(lang, sizeof lang, "%s", l10n_lang(l));
    l10n_free(l);
    return lang;
}

static void
language_from_option_and_environment(void **state)
{
    struct diag d = {0};
    struct l10n *l = NULL;

    (void)state;
    clear_env();
    assert_string_equal(picked(NULL), "en");
    assert_string_equal(picked("fr"), "fr");
    assert_string_equal(picked("es"), "es");
    assert_int_equal(l10n_pick("de", &l, &d), DK_USAGE);
    assert_null(l);
    assert_string_equal(d.msg, "unknown language 'de' (en, fr or es)");
    memset(&d, 0, sizeof d);
    assert_int_equal(l10n_pick("fr_FR", &l, &d), DK_USAGE);
    memset(&d, 0, sizeof d);
    assert_int_equal(l10n_pick("", &l, &d), DK_USAGE);

    /* The option wins over the environment. */
    setenv("LANGUAGE", "es", 1);
    assert_string_equal(picked("fr"), "fr");
    /* LANGUAGE: the first entry docket supports. */
    setenv("LANGUAGE", "de:es_ES:fr", 1);
    assert_string_equal(picked(NULL), "es");
    setenv("LANGUAGE", "pt_BR:fr_CA.UTF-8", 1);
    assert_string_equal(picked(NULL), "fr");
    setenv("LANGUAGE", "french:fr", 1); /* "french" is not "fr" */
    assert_string_equal(picked(NULL), "fr");
    /* None supported: on to the locale variables. */
    setenv("LANGUAGE", "de:it", 1);
    setenv("LANG", "es_ES.UTF-8", 1);
    assert_string_equal(picked(NULL), "es");
    setenv("LANGUAGE", "", 1);
    assert_string_equal(picked(NULL), "es");
    clear_env();

    setenv("LC_ALL", "fr_FR.UTF-8", 1);
    setenv("LANG", "es_ES.UTF-8", 1);
    assert_string_equal(picked(NULL), "fr");
    setenv("LC_ALL", "fr_CA", 1);
    assert_string_equal(picked(NULL), "fr");
    /* The first one set decides, as for setlocale: C, POSIX or an unsupported one is English. */
    setenv("LC_ALL", "de_DE.UTF-8", 1);
    assert_string_equal(picked(NULL), "en");
    setenv("LC_ALL", "C", 1);
    assert_string_equal(picked(NULL), "en");
    setenv("LC_ALL", "", 1);
    setenv("LC_MESSAGES", "fr_BE@euro", 1);
    assert_string_equal(picked(NULL), "fr");
    setenv("LC_MESSAGES", "POSIX", 1);
    assert_string_equal(picked(NULL), "en");
    unsetenv("LC_MESSAGES");
    assert_string_equal(picked(NULL), "es");
    setenv("LANG", "C.UTF-8", 1);
    assert_string_equal(picked(NULL), "en");
    setenv("LANG", "fr", 1);
    assert_string_equal(picked(NULL), "fr");
    clear_env();
}

/* A writable copy of the embedded French catalogue; *LEN gets its size. */
static unsigned char *
fr_copy(size_t *len)
{
    const struct embed_file *f = embed_find("po/fr.mo");
    unsigned char *p;

    assert_non_null(f);
    p = malloc(f->len);
    assert_non_null(p);
    memcpy(p, f->data, f->len);
    *len = f->len;
    return p;
}

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = v & 0xff;
    p[1] = v >> 8 & 0xff;
    p[2] = v >> 16 & 0xff;
    p[3] = v >> 24 & 0xff;
}

/* Opens MO[0..LEN) as French; asserts that it is refused with DK_DATA and a message. */
static void
refused(const unsigned char *mo, size_t len, const char *lang)
{
    struct diag d = {0};
    struct l10n *l = NULL;

    assert_int_equal(l10n_open_mo(lang, mo, len, &l, &d), DK_DATA);
    assert_null(l);
    assert_non_null(strstr(d.msg, "message catalogue is damaged"));
}

static void
truncated_catalogues_are_refused(void **state)
{
    size_t len;
    unsigned char *mo = fr_copy(&len);
    struct diag d = {0};
    struct l10n *l = NULL;

    (void)state;
    assert_int_equal(l10n_open_mo("fr", mo, len, &l, &d), 0);
    l10n_free(l);
    /* The last string ends at the very end, so every shorter prefix loses a terminator. */
    for (size_t n = 0; n < len; n++)
        refused(mo, n, "fr");
    free(mo);
}

static void
corrupted_catalogues_are_refused(void **state)
{
    size_t len;
    unsigned char *mo = fr_copy(&len);
    unsigned char *bad = malloc(len);
    uint32_t n = get32(mo + 8);
    uint32_t orig = get32(mo + 12);
    uint32_t trans = get32(mo + 16);

    (void)state;
    assert_non_null(bad);
    assert_true(n > 100);

#define FRESH() memcpy(bad, mo, len)
    FRESH();
    bad[0] ^= 0xff; /* magic */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + 4, 1u << 16); /* major revision 1 */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + 8, 0x10000000); /* count: the tables would run past the end */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + 12, (uint32_t)len - 4); /* the originals' table past the end */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + 16, 0xfffffff8u); /* the translations' table offset overflows */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + orig + 8 * 5 + 4, (uint32_t)len); /* a string's offset past the end */
    refused(bad, len, "fr");
    FRESH();
    put32(bad + trans + 8 * 7, 0xffffffffu); /* a string's length past the end */
    refused(bad, len, "fr");
    FRESH();
    {
        /* A string's terminator overwritten. */
        uint32_t slen = get32(mo + trans + 8 * 9);
        uint32_t soff = get32(mo + trans + 8 * 9 + 4);

        bad[soff + slen] = 'x';
        refused(bad, len, "fr");
    }
    FRESH();
    {
        /* Two originals swapped: binary search would miss, so the order is checked. */
        unsigned char e[8];

        memcpy(e, bad + orig + 8 * 10, 8);
        memcpy(bad + orig + 8 * 10, bad + orig + 8 * 11, 8);
        memcpy(bad + orig + 8 * 11, e, 8);
        refused(bad, len, "fr");
    }
    FRESH();
    put32(bad + 8, 0); /* no entries, so no header entry */
    refused(bad, len, "fr");
    /* The French catalogue's plural rule is not Spanish's. */
    refused(mo, len, "es");
#undef FRESH
    free(bad);
    free(mo);
}

static void
big_endian_catalogues_are_read(void **state)
{
    size_t len;
    unsigned char *mo = fr_copy(&len);
    uint32_t n = get32(mo + 8);
    uint32_t tables[2] = {get32(mo + 12), get32(mo + 16)};
    struct diag d = {0};
    struct l10n *l = NULL;

    (void)state;
    /* Byte-swap the seven header words and both tables, as a big-endian msgfmt writes them. */
    for (int i = 0; i < 7; i++) {
        uint32_t v = get32(mo + 4 * i);

        mo[4 * i] = v >> 24, mo[4 * i + 1] = v >> 16 & 0xff;
        mo[4 * i + 2] = v >> 8 & 0xff, mo[4 * i + 3] = v & 0xff;
    }
    for (int t = 0; t < 2; t++) {
        for (uint32_t i = 0; i < 2 * n; i++) {
            unsigned char *p = mo + tables[t] + 4 * i;
            uint32_t v = get32(p);

            p[0] = v >> 24, p[1] = v >> 16 & 0xff, p[2] = v >> 8 & 0xff, p[3] = v & 0xff;
        }
    }
    assert_int_equal(l10n_open_mo("fr", mo, len, &l, &d), 0);
    assert_string_equal(l10n_ctext(l, "status", "Member"), "Membre");
    assert_string_equal(l10n_plural(l, "%d is overdue", "%d are overdue", 2), "%d sont en retard");
    l10n_free(l);
    free(mo);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookups_translate_in_each_language),
        cmocka_unit_test(contexts_tell_one_word_apart),
        cmocka_unit_test(missing_messages_fall_back_to_english),
        cmocka_unit_test(plural_forms_follow_each_language),
        cmocka_unit_test(dates_as_cldr_writes_them),
        cmocka_unit_test(impossible_dates_are_refused),
        cmocka_unit_test(stored_dates_as_each_language_writes_them),
        cmocka_unit_test(numbers_group_and_separate),
        cmocka_unit_test(bad_numbers_are_refused),
        cmocka_unit_test(percentages_space_their_sign),
        cmocka_unit_test(amounts_are_exact_in_minor_units),
        cmocka_unit_test(unknown_currencies_are_refused),
        cmocka_unit_test(language_from_option_and_environment),
        cmocka_unit_test(truncated_catalogues_are_refused),
        cmocka_unit_test(corrupted_catalogues_are_refused),
        cmocka_unit_test(big_endian_catalogues_are_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
