/* l10n.c: the report's words from GNU .mo catalogues embedded in docket, and dates, numbers,
 * percentages and amounts written as CLDR writes them in English, French and Spanish. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/currency.h"
#include "docket/date.h"
#include "docket/diag.h"
#include "docket/embed.h"
#include "docket/l10n.h"

#define NNBSP "\xe2\x80\xaf" /* U+202F NARROW NO-BREAK SPACE */
#define NBSP  "\xc2\xa0"     /* U+00A0 NO-BREAK SPACE */

/*
 * What CLDR gives for each language (recent versions: French groups with U+202F since CLDR 34).
 * English follows en-001/en-GB, as United Nations documents write it: "24 November 2015"
 * (pattern d MMMM y), not en-US's "November 24, 2015".
 * Every one of these languages writes the minus sign as ASCII "-" (fr too; U+2212 is for sv, fi
 * and a few others). With an ISO code as the currency symbol, CLDR's currencySpacing puts a
 * U+00A0 between a code and the digits: en "¤#,##0.00" gives "CHF 250,000.00" (a no-break
 * space after CHF). Spanish has minimumGroupingDigits 2: "1234,5" but "12.345,5".
 */
struct lang {
    const char *code;
    const char *mo;          /* the embedded catalogue, or NULL for English */
    const char *plural_hdr;  /* the Plural-Forms its catalogue must declare */
    int plural_above_one;    /* fr: n > 1 is plural; en, es: n != 1 */
    const char *date_fmt;    /* day, month name, year */
    const char *month_fmt;   /* month name, year */
    const char *group;       /* grouping separator */
    const char *decimal;     /* decimal separator */
    int min_grouping;        /* the integer digits needed before grouping, less 3 */
    const char *percent_sep; /* between the number and "%" */
    int code_first;          /* the currency code before the number */
};

static const struct lang langs[] = {
    {"en", NULL, "nplurals=2; plural=(n != 1);", 0, "%d %s %d", "%s %d", ",", ".", 1, "", 1},
    {"fr", "po/fr.mo", "nplurals=2; plural=(n > 1);", 1, "%d %s %d", "%s %d", NNBSP, ",", 1, NNBSP,
     0},
    {"es", "po/es.mo", "nplurals=2; plural=(n != 1);", 0, "%d de %s de %d", "%s de %d", ".", ",", 2,
     NBSP, 0},
};

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

struct l10n {
    const struct lang *lang;
    const unsigned char *mo; /* NULL for English */
    size_t len;
    uint32_t n;     /* strings in the catalogue */
    uint32_t orig;  /* offset of the table of originals */
    uint32_t trans; /* offset of the table of translations */
    int swap;       /* the catalogue was written big-endian */
};

static const struct lang *
lang_find(const char *code)
{
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        if (strcmp(langs[i].code, code) == 0)
            return &langs[i];
    }
    return NULL;
}

static uint32_t
u32_at(const unsigned char *p, int swap)
{
    if (swap)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string of entry I of the table at offset TABLE, and its length in *LEN. Only valid after
 * mo_check. */
static const char *
mo_string(const struct l10n *l, uint32_t table, uint32_t i, uint32_t *len)
{
    const unsigned char *e = l->mo + table + (size_t)i * 8;

    *len = u32_at(e, l->swap);
    return (const char *)l->mo + u32_at(e + 4, l->swap);
}

/* Checks the table at offset TABLE: every entry inside the file, every string NUL-terminated
 * within it. Returns NULL or what is wrong. */
static const char *
mo_check_table(const struct l10n *l, uint32_t table)
{
    if ((uint64_t)table + (uint64_t)l->n * 8 > l->len)
        return "its string table runs past its end";
    for (uint32_t i = 0; i < l->n; i++) {
        const unsigned char *e = l->mo + table + (size_t)i * 8;
        uint64_t len = u32_at(e, l->swap);
        uint64_t off = u32_at(e + 4, l->swap);

        if (off + len >= l->len || l->mo[off + len] != '\0')
            return "a string runs past its end";
    }
    return NULL;
}

/* Checks the whole catalogue once, so that lookups need not: the header, both tables, the
 * originals in strictly ascending order (lookups are binary searches), and a header entry that
 * declares UTF-8 and the plural rule this code applies. Returns NULL or what is wrong. */
static const char *
mo_check(struct l10n *l)
{
    const char *why;
    const char *prev = NULL;
    uint32_t len;

    if (l->len < 28)
        return "it is shorter than its header";
    if (u32_at(l->mo, 0) == 0x950412deu)
        l->swap = 0;
    else if (u32_at(l->mo, 1) == 0x950412deu)
        l->swap = 1;
    else
        return "it is not a GNU .mo file";
    if (u32_at(l->mo + 4, l->swap) >> 16 != 0)
        return "its format revision is not 0";
    l->n = u32_at(l->mo + 8, l->swap);
    l->orig = u32_at(l->mo + 12, l->swap);
    l->trans = u32_at(l->mo + 16, l->swap);
    if ((why = mo_check_table(l, l->orig)) != NULL || (why = mo_check_table(l, l->trans)) != NULL)
        return why;
    for (uint32_t i = 0; i < l->n; i++) {
        const char *s = mo_string(l, l->orig, i, &len);

        if (prev != NULL && strcmp(prev, s) >= 0)
            return "its messages are not sorted";
        prev = s;
    }
    if (l->n == 0 || *mo_string(l, l->orig, 0, &len) != '\0')
        return "it has no header entry";
    const char *hdr = mo_string(l, l->trans, 0, &len);
    const char *pf = strstr(hdr, "Plural-Forms: ");

    if (strstr(hdr, "charset=UTF-8") == NULL)
        return "its header does not declare UTF-8";
    if (pf == NULL || strncmp(pf + 14, l->lang->plural_hdr, strlen(l->lang->plural_hdr)) != 0)
        return "its Plural-Forms header is not the one docket applies";
    return NULL;
}

int
l10n_open_mo(const char *lang, const void *mo, size_t len, struct l10n **out, struct diag *d)
{
    const struct lang *lg = lang_find(lang ? lang : "");
    struct l10n *l;
    const char *why = NULL;

    if (lg == NULL)
        return diag_set(d, DK_USAGE, "unknown language '%s' (en, fr or es)", lang ? lang : "");
    if ((l = calloc(1, sizeof *l)) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    l->lang = lg;
    l->mo = mo;
    l->len = len;
    if (mo != NULL && (why = mo_check(l)) != NULL) {
        free(l);
        return diag_set(d, DK_DATA, "the %s message catalogue is damaged: %s", lg->code, why);
    }
    *out = l;
    return 0;
}

int
l10n_open(const char *lang, struct l10n **out, struct diag *d)
{
    const struct lang *lg = lang_find(lang ? lang : "");
    const struct embed_file *f = NULL;

    if (lg != NULL && lg->mo != NULL && (f = embed_find(lg->mo)) == NULL)
        return diag_set(d, DK_DATA, "the %s message catalogue is not built in", lg->code);
    return l10n_open_mo(lang, f ? f->data : NULL, f ? f->len : 0, out, d);
}

/* The language a locale or language name S stands for: "fr", "fr_FR.UTF-8", "fr_CA" and
 * "fr@euro" give fr; C and POSIX (and their variants, C.UTF-8) give en; NULL for others. */
static const struct lang *
lang_of(const char *s, size_t n)
{
    if ((n == 1 && s[0] == 'C') || (n >= 2 && s[0] == 'C' && s[1] == '.') ||
        (n == 5 && strncmp(s, "POSIX", 5) == 0))
        return lang_find("en");
    if (n < 2 || (n > 2 && strchr("_.@", s[2]) == NULL))
        return NULL;
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        if (strncmp(langs[i].code, s, 2) == 0)
            return &langs[i];
    }
    return NULL;
}

int
l10n_pick(const char *opt, struct l10n **out, struct diag *d)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    const char *s = getenv("LANGUAGE");
    const struct lang *lg = NULL;

    if (opt != NULL)
        return l10n_open(opt, out, d);
    while (s != NULL && *s != '\0' && lg == NULL) {
        size_t n = strcspn(s, ":");

        lg = lang_of(s, n);
        s += n + (s[n] == ':');
    }
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && lg == NULL; i++) {
        s = getenv(vars[i]);
        /* The first one set decides, as for setlocale: LC_ALL=de_DE overrides LANG=fr_FR. */
        if (s != NULL && *s != '\0' && (lg = lang_of(s, strlen(s))) == NULL)
            lg = lang_find("en");
    }
    return l10n_open(lg ? lg->code : "en", out, d);
}

void
l10n_free(struct l10n *l)
{
    free(l);
}

const char *
l10n_lang(const struct l10n *l)
{
    return l->lang->code;
}

/* Compares the key CTX "\004" ID (or ID alone when CTX is NULL) with the original S, as
 * strcmp would compare the joined key. */
static int
key_cmp(const char *ctx, const char *id, const char *s)
{
    if (ctx != NULL) {
        while (*ctx != '\0' && *ctx == *s)
            ctx++, s++;
        if (*ctx != '\0')
            return (unsigned char)*ctx - (unsigned char)*s;
        if (*s != '\004')
            return '\004' - (unsigned char)*s;
        s++;
    }
    return strcmp(id, s);
}

/* The translation of CTX/ID and its length in *LEN (every plural form, NUL-separated), or
 * NULL when the catalogue has none. */
static const char *
lookup(const struct l10n *l, const char *ctx, const char *id, uint32_t *len)
{
    uint32_t lo = 0;
    /* The empty msgid is the catalogue's header, no message. */
    uint32_t hi = l->mo && (ctx != NULL || *id != '\0') ? l->n : 0;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t olen;
        int c = key_cmp(ctx, id, mo_string(l, l->orig, mid, &olen));

        if (c == 0) {
            const char *t = mo_string(l, l->trans, mid, len);

            return *len > 0 ? t : NULL;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *
l10n_ctext(const struct l10n *l, const char *ctx, const char *msgid)
{
    uint32_t len;
    const char *t = lookup(l, ctx, msgid, &len);

    return t ? t : msgid;
}

const char *
l10n_text(const struct l10n *l, const char *msgid)
{
    return l10n_ctext(l, NULL, msgid);
}

int
l10n_is_plural(const struct l10n *l, long long n)
{
    return l && l->lang->plural_above_one ? n > 1 : n != 1;
}

const char *
l10n_plural(const struct l10n *l, const char *msgid, const char *msgid_plural, long long n)
{
    int form = l10n_is_plural(l, n);
    uint32_t len;
    const char *t = lookup(l, NULL, msgid, &len);
    const char *end;

    if (t == NULL)
        return n == 1 ? msgid : msgid_plural;
    end = t + len;
    for (int i = 0; i < form && t < end; i++)
        t += strlen(t) + 1;
    return t < end ? t : (n == 1 ? msgid : msgid_plural);
}

int
l10n_date(const struct l10n *l, int y, int m, int d, char buf[L10N_BUF])
{
    buf[0] = '\0';
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > date_days_in(y, m))
        return DK_DATA;
    snprintf(buf, L10N_BUF, l->lang->date_fmt, d, l10n_ctext(l, "month", months[m - 1]), y);
    return 0;
}

int
l10n_month_year(const struct l10n *l, int y, int m, char buf[L10N_BUF])
{
    buf[0] = '\0';
    if (y < 1 || y > 9999 || m < 1 || m > 12)
        return DK_DATA;
    snprintf(buf, L10N_BUF, l->lang->month_fmt, l10n_ctext(l, "month", months[m - 1]), y);
    return 0;
}

/* Writes the number with sign NEG, integer digits INT and fraction digits FRAC (may be empty)
 * into BUF with L's separators: BUF must hold L10N_BUF bytes, and INT is at most 20 digits. */
static void
put_number(const struct l10n *l, int neg, const char *ip, const char *frac, char *buf)
{
    size_t n = strlen(ip);
    size_t len = 0;
    int grouped = n >= (size_t)(3 + l->lang->min_grouping);
    int all_zero = strspn(ip, "0") == n && strspn(frac, "0") == strlen(frac);

    /* Rounding may leave "-0.0": CLDR writes zero without a sign. */
    if (neg && !all_zero)
        buf[len++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (grouped && i > 0 && (n - i) % 3 == 0) {
            memcpy(buf + len, l->lang->group, strlen(l->lang->group));
            len += strlen(l->lang->group);
        }
        buf[len++] = ip[i];
    }
    if (*frac != '\0') {
        memcpy(buf + len, l->lang->decimal, strlen(l->lang->decimal));
        len += strlen(l->lang->decimal);
        memcpy(buf + len, frac, strlen(frac));
        len += strlen(frac);
    }
    buf[len] = '\0';
}

int
l10n_number(const struct l10n *l, double v, int decimals, char buf[L10N_BUF])
{
    char digits[40];
    char *dot;

    buf[0] = '\0';
    if (!isfinite(v) || fabs(v) >= 1e15 || decimals < 0 || decimals > 6)
        return DK_DATA;
    /* docket never calls setlocale, so printf writes the C locale's "." here. */
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    dot = strchr(digits, '.');
    if (dot != NULL)
        *dot = '\0';
    put_number(l, v < 0, digits, dot ? dot + 1 : "", buf);
    return 0;
}

int
l10n_percent(const struct l10n *l, double v, int decimals, char buf[L10N_BUF])
{
    int rc = l10n_number(l, v, decimals, buf);
    size_t len = strlen(buf);

    if (rc == 0)
        snprintf(buf + len, L10N_BUF - len, "%s%%", l->lang->percent_sep);
    return rc;
}

int
l10n_amount(const struct l10n *l, long long minor, const char *currency, char buf[L10N_BUF])
{
    int exp = currency_exponent(currency ? currency : "");
    unsigned long long v = minor < 0 ? 0ULL - (unsigned long long)minor : (unsigned long long)minor;
    unsigned long long scale = 1;
    char ip[24], frac[8], num[L10N_BUF];

    buf[0] = '\0';
    if (exp < 0)
        return DK_DATA;
    for (int i = 0; i < exp; i++)
        scale *= 10;
    snprintf(ip, sizeof ip, "%llu", v / scale);
    snprintf(frac, sizeof frac, "%0*llu", exp, v % scale);
    put_number(l, 0, ip, exp > 0 ? frac : "", num);
    /* CLDR puts the sign before the whole pattern: "-CHF 5.00", "-5,00 CHF". */
    if (l->lang->code_first)
        snprintf(buf, L10N_BUF, "%s%s" NBSP "%s", minor < 0 ? "-" : "", currency, num);
    else
        snprintf(buf, L10N_BUF, "%s%s" NBSP "%s", minor < 0 ? "-" : "", num, currency);
    return 0;
}

int
l10n_day(const struct l10n *l, const char *text, char buf[L10N_BUF])
{
    struct diag ignored = {0};
    struct date d;
    int y, m, day;

    buf[0] = '\0';
    /* Only a date as docket keeps it: date_parse's own form of it. */
    if (date_parse(text, &d, &ignored) != 0 || strcmp(d.text, text) != 0 ||
        sscanf(d.start, "%d-%d-%d", &y, &m, &day) != 3)
        return DK_DATA;
    if (strlen(text) == 4)
        return snprintf(buf, L10N_BUF, "%s", text), 0;
    if (strlen(text) == 7)
        return l10n_month_year(l, y, m, buf);
    return l10n_date(l, y, m, day, buf);
}
