/* text.c: UTF-8 checks, escaping of data for terminals, CSV and HTML, and "did you mean"
 * suggestions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/diag.h"
#include "docket/text.h"

/* Decodes one code point at S (at most N bytes). Returns its length, or 0 when the bytes are
 * not well-formed UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    size_t len, i;
    unsigned long c;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int
text_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned long cp;
    size_t i = 0, n;

    while (i < len) {
        if (p[i] - 1u < 0x7f) { /* ASCII but NUL, most of any text here */
            i++;
            continue;
        }
        if (p[i] == 0)
            return 0;
        if ((n = utf8_decode(p + i, len - i, &cp)) == 0)
            return 0;
        i += n;
    }
    return 1;
}

char *
text_repair(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    char *out = malloc(3 * n + 1), *q = out;
    unsigned long cp;
    size_t i = 0, len;

    if (out == NULL)
        return NULL;
    while (i < n) {
        if (p[i] != 0 && (len = utf8_decode(p + i, n - i, &cp)) != 0) {
            memcpy(q, p + i, len);
            q += len;
            i += len;
        } else {
            memcpy(q, "\xef\xbf\xbd", 3); /* U+FFFD */
            q += 3;
            i++;
        }
    }
    *q = '\0';
    return out;
}

/* Returns 1 for the characters that may not reach a terminal raw: C0, DEL, C1, and the
 * bidirectional embeddings, overrides and isolates that can reorder what a reader sees. */
static int
unsafe(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Writes the code point at S (LEN bytes, 0 when not valid UTF-8) as an escape. Returns the
 * bytes consumed, at least 1. */
static size_t
put_escape(FILE *f, const unsigned char *s, size_t len, unsigned long cp, int *err)
{
    int w;

    if (len == 0) {
        w = fprintf(f, "\\x%02x", s[0]);
        len = 1;
    } else if (cp == '\n') {
        w = fputs("\\n", f);
    } else if (cp == '\r') {
        w = fputs("\\r", f);
    } else if (cp == '\t') {
        w = fputs("\\t", f);
    } else {
        w = cp < 0x80 ? fprintf(f, "\\x%02lx", cp) : fprintf(f, "\\u%04lx", cp);
    }
    if (w < 0)
        *err = 1;
    return len;
}

/* Writes S as text_put does, and returns the columns it takes as data (one per code point),
 * or -1 on a write error. */
static int
put_counted(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, run = 0, len;
    unsigned long cp;
    int err = 0, cols = 0;

    /* Safe text is written in runs; only what must be escaped is written alone. */
    while (i < n && !err) {
        cols++;
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            i++;
            continue;
        }
        len = utf8_decode(p + i, n - i, &cp);
        if (len != 0 && !unsafe(cp)) {
            i += len;
            continue;
        }
        if (i > run && fwrite(p + run, 1, i - run, f) != i - run)
            err = 1;
        i += put_escape(f, p + i, len, cp, &err);
        run = i;
    }
    if (!err && i > run && fwrite(p + run, 1, i - run, f) != i - run)
        err = 1;
    return err ? -1 : cols;
}

int
text_put(FILE *f, const char *s)
{
    return put_counted(f, s) < 0 ? -1 : 0;
}

int
text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    unsigned long cp;
    int cols = 0;

    /* Step as put_counted does: a code point, or one byte that is not valid UTF-8. */
    while (i < n) {
        cols++;
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            i++;
            continue;
        }
        len = utf8_decode(p + i, n - i, &cp);
        i += len ? len : 1;
    }
    return cols;
}

size_t
text_prefix(const char *s, int cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    unsigned long cp;

    /* Step as text_width does, stopping before the column past COLS. */
    while (i < n && cols-- > 0) {
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            i++;
            continue;
        }
        len = utf8_decode(p + i, n - i, &cp);
        i += len ? len : 1;
    }
    return i;
}

int
text_put_width(FILE *f, const char *s, int width)
{
    static const char spaces[] = "                                ";
    int cols = put_counted(f, s);

    /* Nothing is ever cut: keys are copied from this output. The padding goes in runs: a
     * character at a time, it was an eighth of a long list's time. */
    while (cols >= 0 && cols < width) {
        size_t k =
            (size_t)(width - cols) < sizeof spaces - 1 ? (size_t)(width - cols) : sizeof spaces - 1;

        if (fwrite(spaces, 1, k, f) != k)
            return -1;
        cols += (int)k;
    }
    return cols < 0 ? -1 : 0;
}

int
text_distance(const char *a, const char *b, int max)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    int *base, *row0, *row1, *row2, *t, best, result;

    if ((la > lb ? la - lb : lb - la) > (size_t)max)
        return max + 1;
    if ((base = calloc(3 * (lb + 1), sizeof *base)) == NULL)
        return max + 1;
    row0 = base;
    row1 = row0 + lb + 1;
    row2 = row1 + lb + 1;
    /* row2 is the row before the previous one (for transpositions), row1 the previous one. */
    for (j = 0; j <= lb; j++)
        row1[j] = (int)j;
    for (i = 1; i <= la; i++) {
        row0[0] = (int)i;
        best = row0[0];
        for (j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = row1[j - 1] + cost;

            if (row1[j] + 1 < v)
                v = row1[j] + 1;
            if (row0[j - 1] + 1 < v)
                v = row0[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                row2[j - 2] + 1 < v)
                v = row2[j - 2] + 1;
            row0[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max) {
            free(base);
            return max + 1;
        }
        t = row2;
        row2 = row1;
        row1 = row0;
        row0 = t;
    }
    result = row1[lb] > max ? max + 1 : row1[lb];
    free(base);
    return result;
}

static int
slug_char(int c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && c == '-');
}

static int
instance_char(int c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (!first && (c == '.' || c == '_' || c == '-'));
}

int
text_key_ok(const char *s)
{
    const char *p = s;
    int first = 1;

    if (strlen(s) > 200)
        return 0;
    for (; *p != '\0' && *p != '/'; p++) {
        if (*p == '.') {
            if (first)
                return 0;
            first = 1;
            continue;
        }
        if (!slug_char((unsigned char)*p, first))
            return 0;
        first = 0;
    }
    if (first)
        return 0;
    if (*p == '\0')
        return 1;
    for (p++, first = 1; *p != '\0'; p++, first = 0)
        if (!instance_char((unsigned char)*p, first))
            return 0;
    return !first;
}

/* Returns 1 when S is a plain decimal number ("-5", "-100.00"): a spreadsheet reads it as a
 * number, never as a formula, and a ' before it would make an amount text. */
static int
plain_number(const char *s)
{
    const char *digits;

    s += *s == '-';
    for (digits = s; *s >= '0' && *s <= '9'; s++)
        ;
    if (s == digits)
        return 0;
    if (*s == '.') {
        for (digits = ++s; *s >= '0' && *s <= '9'; s++)
            ;
        if (s == digits)
            return 0;
    }
    return *s == '\0';
}

void
text_csv_field(FILE *f, const char *s)
{
    /* A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list);
     * the ' that makes it text is doubled on a cell that starts with ' itself, so that
     * import --csv, which takes exactly one off, gets every cell back as it was. */
    int prefix;

    if (s == NULL)
        return;
    prefix = *s != '\0' && strchr("=+-@\t\r'", *s) != NULL && !plain_number(s);
    if (strpbrk(s, ",\"\r\n") == NULL) {
        if (prefix)
            fputc('\'', f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (prefix)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void
text_html_n(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    while (i < n) {
        const char *rep = NULL;
        size_t len = 1;

        switch (p[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\t':
        case '\n':
            break;
        case '\r':
            rep = i + 1 < n && p[i + 1] == '\n' ? "" : "\n";
            break;
        default:
            if (p[i] < 0x20 || p[i] == 0x7f) {
                rep = "&#xFFFD;";
            } else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
                rep = "&#xFFFD;";
                len = 2;
            }
        }
        if (rep == NULL) {
            i++;
            continue;
        }
        if (i > run)
            fwrite(p + run, 1, i - run, f);
        fputs(rep, f);
        i += len;
        run = i;
    }
    if (i > run)
        fwrite(p + run, 1, i - run, f);
}

void
text_html(FILE *f, const char *s)
{
    if (s != NULL)
        text_html_n(f, s, strlen(s));
}

/* Returns 1 when code point CP, beyond ASCII, may be a letter or a digit: every one but those
 * of the blocks that hold only controls, spaces, punctuation, marks, symbols, emoji and
 * invisible characters. Without a locale, docket cannot ask the C library, and an office's
 * locale must not change which reasons it takes. */
static int
wordlike(unsigned long cp)
{
    static const unsigned long none[][2] = {
        {0x80, 0xbf},     {0xd7, 0xd7},       {0xf7, 0xf7},        {0x300, 0x36f},
        {0x1680, 0x1680}, {0x2000, 0x2bff},   {0x3000, 0x3003},    {0x3008, 0x3020},
        {0xd800, 0xf8ff}, {0xfe00, 0xfe0f},   {0xfe10, 0xfe6f},    {0xfeff, 0xfeff},
        {0xfff0, 0xffff}, {0x1f000, 0x1faff}, {0xe0000, 0x10ffff},
    };

    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (cp >= none[i][0] && cp <= none[i][1])
            return 0;
    return 1;
}

int
text_has_word(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = s ? strlen(s) : 0, len;
    unsigned long cp;

    while (n > 0) {
        if ((len = utf8_decode(p, n, &cp)) == 0)
            len = 1;
        else if (cp < 0x80 ? (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                           : wordlike(cp))
            return 1;
        p += len;
        n -= len;
    }
    return 0;
}

size_t
text_cp_count(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

void
text_html_cut(FILE *f, const char *s, size_t max)
{
    size_t i, n = 0;

    if (text_cp_count(s) <= max) {
        text_html(f, s);
        return;
    }
    for (i = 0; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n == max)
            break;
    text_html_n(f, s, i);
    fputs("&#8230;", f);
}

json_t *
text_json_loadb(const char *text, size_t len, size_t flags, json_error_t *error)
{
    const char *nul = memchr(text, '\0', len);
    int line = 1, column = 1;

    if (nul == NULL)
        return json_loadb(text, len, flags, error);
    if (error == NULL)
        return NULL;
    /* Where Jansson would count it: lines from 1, columns in code points from 1. */
    for (const char *p = text; p < nul; p++) {
        if (*p == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)*p & 0xc0) != 0x80) {
            column++;
        }
    }
    memset(error, 0, sizeof *error);
    error->line = line;
    error->column = column;
    error->position = nul - text < INT_MAX ? (int)(nul - text) + 1 : INT_MAX;
    snprintf(error->source, sizeof error->source, "<buffer>");
    snprintf(error->text, sizeof error->text - 1, "a NUL byte, which JSON text never holds");
    error->text[sizeof error->text - 1] = (char)json_error_invalid_syntax;
    return NULL;
}

const char *
text_nearest(const char *want, const char *const *valid, size_t n)
{
    const char *near = NULL;
    int best = (int)(strlen(want) / 3) + 1;

    if (best > 3)
        best = 3;
    for (size_t i = 0; i < n; i++) {
        int dist = text_distance(want, valid[i], best);

        if (dist <= best && (dist < best || near == NULL)) {
            best = dist;
            near = valid[i];
        }
    }
    return near;
}

/* Room kept in a message for the prefix a caller may put before it (a file's row and column). */
#define UNKNOWN_PREFIX_ROOM 32

int
text_unknown(struct diag *d, const char *what, const char *name, const char *where,
             const char *const *valid, size_t n, const char *hint)
{
    const char *near = text_nearest(name, valid, n);
    char list[sizeof d->msg] = "";
    size_t used = 0, room;
    int fixed;

    /* The list takes what the rest of the line leaves ("..." ends one cut short). */
    fixed = snprintf(NULL, 0, "unknown %s '%s'%s (%s%s%svalid: ; %s)", what, name,
                     where ? where : "", near ? "did you mean '" : "", near ? near : "",
                     near ? "'? " : "", hint ? hint : "");
    room = sizeof d->msg - 1 - UNKNOWN_PREFIX_ROOM;
    room = fixed > 0 && (size_t)fixed + 16 < room ? room - (size_t)fixed : 16;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(valid[i]) + (i ? 2 : 0);

        if (used + len + (i + 1 < n ? 5 : 0) > room) {
            snprintf(list + used, sizeof list - used, "%s...", used ? ", " : "");
            break;
        }
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", valid[i]);
    }
    return diag_set(d, DK_DATA, "unknown %s '%s'%s (%s%s%svalid: %s%s%s)", what, name,
                    where ? where : "", near ? "did you mean '" : "", near ? near : "",
                    near ? "'? " : "", n ? list : "none", hint ? "; " : "", hint ? hint : "");
}

int
text_file_uri(const char *prefix, const char *path, const char *suffix, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    int w = snprintf(out, size, "%s", prefix);
    size_t o = w < 0 ? size : (size_t)w;

    for (const unsigned char *s = (const unsigned char *)path; o < size && *s; s++) {
        int plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                    (*s >= '0' && *s <= '9') || strchr("-._~/", *s) != NULL;

        if (o + (plain ? 1 : 3) >= size)
            return -1;
        if (plain) {
            out[o++] = (char)*s;
        } else {
            out[o++] = '%';
            out[o++] = hex[*s >> 4];
            out[o++] = hex[*s & 15];
        }
    }
    if (o >= size)
        return -1;
    w = snprintf(out + o, size - o, "%s", suffix);
    return w >= 0 && (size_t)w < size - o ? 0 : -1;
}
