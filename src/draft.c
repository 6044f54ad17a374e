/* draft.c: a checklist drafted from a resolution's plain text: a line-oriented reader of the
 * UN's usual layouts (a header, "The Council,", preambular paragraphs, numbered operative
 * paragraphs with lettered and roman subparagraphs), and a guess at what each paragraph asks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docket/checklist.h"
#include "docket/date.h"
#include "docket/draft.h"
#include "docket/embed.h"
#include "docket/text.h"

/* A growing string. */
struct sbuf {
    char *p;
    size_t n, cap;
};

static int
sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;

        while (b->n + n + 1 > cap)
            cap *= 2;
        if ((p = realloc(b->p, cap)) == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* Appends LINE to B as the next line of wrapped text: after a space, or straight after a
 * hyphen that ends a word ("decision-" + "making"). */
static int
sb_join(struct sbuf *b, const char *line)
{
    if (b->n > 0 &&
        !(b->n > 1 && b->p[b->n - 1] == '-' && isalpha((unsigned char)b->p[b->n - 2])) &&
        sb_add(b, " ", 1) != 0)
        return -1;
    return sb_add(b, line, strlen(line));
}

/* One operative paragraph or subparagraph. */
struct unit {
    char ref[48];
    int line;
    struct sbuf text;
};

/* Subparagraph marker kinds. */
enum { MK_NONE, MK_LETTER, MK_ROMAN, MK_DIGIT };

struct reader {
    struct unit *u;
    size_t nu, capu;
    struct sbuf preamble;
    char symbol[128], title[512], body[128], session[128], adopted[11], published[11];
    char candidate[512]; /* the last header line that could be the title */
    int strong_title;    /* the title came from "68/262. Title" */
    int last_para;       /* the number of the last operative paragraph, 0 before the first */
    int *para_line;      /* the line of each paragraph, by number */
    size_t para_cap;
    int kind1, kind2;        /* the subparagraph marker kinds in use at levels 1 and 2 */
    char last1[8], last2[8]; /* the last marker at levels 1 and 2 */
    char ref1[40];           /* the reference of the current level-1 subparagraph */
    unsigned char refs[100]; /* footnote numbers referred to in the text */
    int in_footnote;
    int in_heading; /* a section's heading, up to its first paragraph */
};

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};

/* Finds a date written "24 November 2015" in S and writes it as YYYY-MM-DD to OUT. Returns 1
 * when found. */
static int
find_date(const char *s, char out[11])
{
    for (const char *p = s; *p; p++) {
        char word[16];
        int day, year, m, k = 0;
        const char *q;

        if (!isdigit((unsigned char)*p) || (p > s && isalnum((unsigned char)p[-1])))
            continue;
        day = 0;
        for (q = p; isdigit((unsigned char)*q) && q - p < 3; q++)
            day = day * 10 + (*q - '0');
        if (q - p > 2 || *q != ' ' || day < 1 || day > 31)
            continue;
        for (q++; isalpha((unsigned char)*q) && k < 15; q++)
            word[k++] = (char)tolower((unsigned char)*q);
        word[k] = '\0';
        for (m = 0; m < 12 && strcmp(word, months[m]) != 0; m++)
            ;
        if (m == 12 || *q != ' ')
            continue;
        q++;
        if (!(isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
              isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3])) ||
            isdigit((unsigned char)q[4]))
            continue;
        year = (q[0] - '0') * 1000 + (q[1] - '0') * 100 + (q[2] - '0') * 10 + (q[3] - '0');
        /* A year before 1000 is no date a checklist takes (date_parse). */
        if (year < 1000 || day > date_days_in(year, m + 1))
            continue;
        snprintf(out, 11, "%04d-%02d-%02d", year, m + 1, day);
        return 1;
    }
    return 0;
}

static int
starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int
contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* Returns 1 when S, lower case, holds WORD as a whole word. */
static int
has_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = strstr(s, word); p; p = strstr(p + 1, word))
        if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return 1;
    return 0;
}

/* Cleans one line of text as a PDF or a Markdown conversion leaves it: control characters and
 * no-break spaces become spaces, runs of spaces one, '*' (emphasis) goes, and so do a heading's
 * '#'s and a list dash before a paragraph number. Works in place. */
static void
clean(char *s)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        unsigned char c = (unsigned char)*r;

        if (c == 0xC2 && (unsigned char)r[1] == 0xA0) {
            r++;
            c = ' ';
        }
        if (c < 0x20 || c == 0x7F)
            c = ' ';
        if (c == '*')
            continue;
        if (c == ' ' && (w == s || w[-1] == ' '))
            continue;
        *w++ = (char)c;
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
    if (s[0] == '#') {
        size_t k = strspn(s, "#");

        if (s[k] == ' ' || s[k] == '\0')
            memmove(s, s + k + (s[k] == ' '), strlen(s + k + (s[k] == ' ')) + 1);
    }
    /* "- 1. Expresses", "- (a) IOM": a list dash that a conversion put before a number. */
    if ((s[0] == '-' || s[0] == '*') && s[1] == ' ' &&
        ((isdigit((unsigned char)s[2]) && s[2 + strspn(s + 2, "0123456789")] == '.') ||
         s[2] == '(' || (islower((unsigned char)s[2]) && s[3] == ')')))
        memmove(s, s + 2, strlen(s + 2) + 1);
    else if (strncmp(s, "\xe2\x80\xa2 ", 4) == 0) /* a bullet */
        memmove(s, s + 4, strlen(s + 4) + 1);
}

/* Returns 1 when the four characters before P (in S) are a year ("1946" in "1946,1"). */
static int
year_before(const char *s, const char *p)
{
    return p - s >= 4 && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[-2]) &&
           isdigit((unsigned char)p[-3]) && isdigit((unsigned char)p[-4]) &&
           (p - s == 4 || !isdigit((unsigned char)p[-5]));
}

/* Takes footnote numbers off the text ("the Charter,1 and" -> "the Charter, and"), noting each
 * in R->refs so that the footnote's own line can be known later. A footnote number follows a
 * lower-case letter, or a comma, full stop, semicolon or colon after one (or a comma after a
 * year: "of 24 January 1946,1"), and ends the word. */
static void
strip_refs(struct reader *r, char *s)
{
    char *w = s;

    for (char *p = s; *p;) {
        int k = 0;

        while (k < 3 && isdigit((unsigned char)p[k]))
            k++;
        if (k >= 1 && k <= 2 && p > s && !isdigit((unsigned char)p[k])) {
            unsigned char b = (unsigned char)p[-1], bb = p - 1 > s ? (unsigned char)p[-2] : ' ';
            int after = p[k] == '\0' || p[k] == ' ' ||
                        (strchr(",.;:", p[k]) && (p[k + 1] == '\0' || p[k + 1] == ' '));
            int glued = islower(b) || (strchr(",.;:", b) && b && (islower(bb) || bb == ')')) ||
                        (b == ',' && year_before(s, p - 1));

            if (after && glued) {
                int n = k == 1 ? p[0] - '0' : (p[0] - '0') * 10 + (p[1] - '0');

                r->refs[n] = 1;
                p += k;
                continue;
            }
        }
        if (k > 0) {
            memmove(w, p, (size_t)k);
            w += k;
            p += k;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
}

/* Returns 1 for a line that is only a page's furniture: a page number ("3", "- 3 -", "Page 3",
 * "3/35"), or a document's job number ("15-16301 3/35", "16-05847 (E) 150616"). */
static int
is_noise(const char *s)
{
    size_t n = strlen(s), d = strspn(s, "0123456789");

    if (n > 0 && d == n)
        return 1;
    /* A rule above the footnotes: "_______". */
    if (n >= 3 && strspn(s, "_-=~.") == n)
        return 1;
    if (s[0] == '-' && n >= 3 && s[n - 1] == '-') {
        const char *p = s + 1 + (s[1] == ' ');

        d = strspn(p, "0123456789");
        return d > 0 && (p[d] == '-' || (p[d] == ' ' && p[d + 1] == '-'));
    }
    if (starts_ci(s, "page ") && isdigit((unsigned char)s[5]))
        return 1;
    if (d > 0 && s[d] == '/' && strspn(s + d + 1, "0123456789") == n - d - 1 && n - d > 1)
        return 1;
    if (d == 2 && s[2] == '-' && strspn(s + 3, "0123456789") >= 4)
        return 1;
    return 0;
}

/* Returns 1 for a line that is only a document symbol ("A/RES/68/262", "S/RES/1839 (2008)",
 * "C/106/RES/1309"), as a header or every page's running head gives it. */
static int
is_symbol(const char *s)
{
    size_t n = strcspn(s, " ");

    if (!isupper((unsigned char)s[0]) || memchr(s, '/', n) == NULL || n < 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr("/.-", s[i]))
            return 0;
    if (s[n] == '\0')
        return 1;
    /* "S/RES/1839 (2008)" */
    return s[n + 1] == '(' && strspn(s + n + 2, "0123456789") == 4 && strcmp(s + n + 6, ")") == 0;
}

/* Returns the paragraph number that opens line S ("3. Also requests"), with *TEXT at its text;
 * 0 when the line opens none. */
static int
para_number(const char *s, const char **text)
{
    int n = 0, k;

    for (k = 0; k < 3 && isdigit((unsigned char)s[k]); k++)
        n = n * 10 + (s[k] - '0');
    if (k == 0 || k == 3 || s[k] != '.' || s[k + 1] != ' ' || !isupper((unsigned char)s[k + 2]))
        return 0;
    *text = s + k + 2;
    return n;
}

/* Reads a subparagraph marker that opens line S ("(a) ", "a) ", "(iv) ", "(1) ") into M, with
 * *TEXT at the text after it. Returns 1 when there is one. */
static int
marker(const char *s, char m[8], const char **text)
{
    const char *p = s + (s[0] == '(');
    size_t k = 0;

    while (k < 6 && (islower((unsigned char)p[k]) || isdigit((unsigned char)p[k])))
        k++;
    if (k == 0 || k == 6 || p[k] != ')' || p[k + 1] != ' ' || p[k + 2] == '\0')
        return 0;
    if (isdigit((unsigned char)p[0]) ? strspn(p, "0123456789") != k
                                     : strspn(p, "abcdefghijklmnopqrstuvwxyz") != k)
        return 0;
    /* "1)" alone is a numbered list, not a subparagraph of this reader's kinds. */
    if (s[0] != '(' && isdigit((unsigned char)p[0]))
        return 0;
    memcpy(m, p, k);
    m[k] = '\0';
    *text = p + k + 2;
    return 1;
}

static const char *const romans[] = {"i",    "ii",  "iii",  "iv",    "v",   "vi",   "vii",
                                     "viii", "ix",  "x",    "xi",    "xii", "xiii", "xiv",
                                     "xv",   "xvi", "xvii", "xviii", "xix", "xx"};

/* Returns the marker that follows LAST in the sequence of kind K ("" LAST: the first). */
static void
next_marker(int k, const char *last, char out[8])
{
    if (k == MK_LETTER) {
        out[0] = last[0] ? (char)(last[0] + 1) : 'a';
        out[1] = '\0';
    } else if (k == MK_ROMAN) {
        size_t i = 0;

        if (last[0])
            for (i = 0; i < 20 && strcmp(romans[i], last) != 0; i++)
                ;
        snprintf(out, 8, "%s", last[0] == '\0' ? "i" : i + 1 < 20 ? romans[i + 1] : "-");
    } else {
        snprintf(out, 8, "%d", last[0] ? atoi(last) + 1 : 1);
    }
}

static struct unit *
new_unit(struct reader *r, const char *ref, int line)
{
    if (r->nu == r->capu) {
        size_t cap = r->capu ? r->capu * 2 : 32;
        struct unit *u = realloc(r->u, cap * sizeof *u);

        if (u == NULL)
            return NULL;
        r->u = u;
        r->capu = cap;
    }
    memset(&r->u[r->nu], 0, sizeof r->u[r->nu]);
    snprintf(r->u[r->nu].ref, sizeof r->u[r->nu].ref, "%s", ref);
    r->u[r->nu].line = line;
    return &r->u[r->nu++];
}

/* Returns 1 when text B ends as a paragraph before a subparagraph does: in ';', ':', '.' or
 * ',', or in "; and" / "; or". A line that opens with "(b)" after one that ends otherwise
 * ("as set out in subparagraphs (a) and" + "(b) below") goes on with the same sentence. */
static int
closed(const struct sbuf *b)
{
    const char *e = b->p + b->n;

    if (b->n == 0)
        return 1;
    if (strchr(";:.,", e[-1]))
        return 1;
    if (b->n >= 5 && (strcmp(e - 4, " and") == 0) && strchr(";,", e[-5]))
        return 1;
    return b->n >= 4 && strcmp(e - 3, " or") == 0 && strchr(";,", e[-4]);
}

/* Returns 1 when text B ends a sentence or a paragraph: in ';' or '.'. */
static int
ended(const struct sbuf *b)
{
    return b->n > 0 && strchr(";.", b->p[b->n - 1]);
}

/* Returns 1 for the heading of a section of the operative part, which a resolution in parts
 * puts between two paragraphs: "II", "B", "III. Financing". */
static int
section_line(const char *s)
{
    size_t k = strspn(s, "IVX");

    if (k == 0 && isupper((unsigned char)s[0]))
        k = 1;
    if (k == 0 || k > 5)
        return 0;
    return s[k] == '\0' || (s[k] == '.' && s[k + 1] == ' ' && isupper((unsigned char)s[k + 2]));
}

/* Places subparagraph marker M at line LINE: a sibling at level 1 or 2, or the first of a new
 * level. Returns the new unit, or NULL with *OOM clear when M does not continue the sequence
 * (then it is text: "(c) below" at the start of a wrapped line). */
static struct unit *
sub_unit(struct reader *r, const char *m, int line, int *oom)
{
    char want[8], ref[48];
    int level = 0;

    *oom = 0;
    if (r->kind1) {
        next_marker(r->kind1, r->last1, want);
        if (strcmp(m, want) == 0)
            level = 1;
    }
    if (!level && r->kind2) {
        next_marker(r->kind2, r->last2, want);
        if (strcmp(m, want) == 0)
            level = 2;
    }
    if (!level) {
        int k = strcmp(m, "a") == 0   ? MK_LETTER
                : strcmp(m, "i") == 0 ? MK_ROMAN
                : strcmp(m, "1") == 0 ? MK_DIGIT
                                      : 0;

        if (k == 0)
            return NULL;
        if (!r->kind1)
            level = 1, r->kind1 = k;
        else if (k != r->kind1 && !r->kind2)
            level = 2, r->kind2 = k, r->last2[0] = '\0';
        else
            return NULL;
    }
    if (level == 1) {
        snprintf(r->last1, sizeof r->last1, "%s", m);
        snprintf(r->ref1, sizeof r->ref1, "%d(%s)", r->last_para, m);
        r->kind2 = 0;
        r->last2[0] = '\0';
        snprintf(ref, sizeof ref, "%s", r->ref1);
    } else {
        snprintf(r->last2, sizeof r->last2, "%s", m);
        snprintf(ref, sizeof ref, "%s(%s)", r->ref1, m);
    }
    struct unit *u = new_unit(r, ref, line);

    if (u == NULL)
        *oom = 1;
    return u;
}

/* Header lines: what each may say about the document. */
static void
header_line(struct reader *r, const char *s)
{
    char date[11];
    const char *p;

    if (is_symbol(s)) {
        if (!r->symbol[0])
            snprintf(r->symbol, sizeof r->symbol, "%s", s);
        return;
    }
    if (contains_ci(s, "adopted")) {
        if (!r->adopted[0] && find_date(s, date))
            memcpy(r->adopted, date, sizeof date);
        return;
    }
    if (find_date(s, date) && (starts_ci(s, "distr") || strlen(s) < 20)) {
        if (!r->published[0])
            memcpy(r->published, date, sizeof date);
        return;
    }
    p = s + strlen(s);
    if (strlen(s) < 48 && p - s > 8 && strcasecmp(p - 8, " session") == 0 && !strchr(s, ',')) {
        if (!r->session[0])
            snprintf(r->session, sizeof r->session, "%s", s);
        return;
    }
    /* "68/262. Territorial integrity of Ukraine" */
    p = s + strspn(s, "0123456789");
    if (p > s && *p == '/' && isdigit((unsigned char)p[1])) {
        p += 1 + strspn(p + 1, "0123456789");
        if (p[0] == '.' && p[1] == ' ' && p[2]) {
            if (strlen(p + 2) < sizeof r->title) {
                snprintf(r->title, sizeof r->title, "%s", p + 2);
                r->strong_title = 1;
            }
            return;
        }
    }
    if (strlen(s) >= sizeof r->candidate || starts_ci(s, "resolution") ||
        starts_ci(s, "decision") || starts_ci(s, "united nations") || contains_ci(s, "distr.") ||
        starts_ci(s, "original") || starts_ci(s, "agenda item") || s[0] == '[' || s[0] == '(' ||
        !isupper((unsigned char)s[0]))
        return;
    snprintf(r->candidate, sizeof r->candidate, "%s", s);
}

/* Returns 1 when S is the line that names the body: "The Council,", "The Sixty-ninth World
 * Health Assembly," (a short line ending in a comma, before any paragraph). */
static int
body_line(struct reader *r, const char *s)
{
    size_t n = strlen(s), words = 1;

    if (n < 4 || s[n - 1] != ',' || !isupper((unsigned char)s[0]) || n > 80)
        return 0;
    for (size_t i = 0; i < n; i++)
        words += s[i] == ' ';
    if (words > 6 || memchr(s, ',', n - 1))
        return 0;
    if (starts_ci(s, "the "))
        s += 4, n -= 4;
    snprintf(r->body, sizeof r->body, "%.*s", (int)(n - 1), s);
    return 1;
}

/* Returns 1 for a line that is only a date ("11 September 1996"), as an agency's governing body
 * dates a resolution at its foot. */
static int
date_line(const char *s)
{
    char date[11];
    size_t n = strlen(s);

    return isdigit((unsigned char)s[0]) && n <= 18 &&
           isdigit((unsigned char)s[n - 1 - (s[n - 1] == '.')]) && find_date(s, date);
}

/* Returns 1 for a line after which no operative paragraph comes: an annex, the meeting that
 * adopted the text ("80th plenary meeting"), the adoption note at the end of a Security
 * Council text, the date below a paragraph that has ended. */
static int
end_line(const char *s, const struct sbuf *last)
{
    const char *p = s + strspn(s, "0123456789");

    /* Case matters: "annex to the present resolution" may well open a wrapped line. */
    return ((strncmp(s, "Annex", 5) == 0 || strncmp(s, "ANNEX", 5) == 0) && strlen(s) < 16) ||
           (ended(last) && date_line(s)) || strncmp(s, "Adopted by", 10) == 0 ||
           strncmp(s, "(Adopted", 8) == 0 ||
           (p > s && (starts_ci(p, "st plenary meeting") || starts_ci(p, "nd plenary meeting") ||
                      starts_ci(p, "rd plenary meeting") || starts_ci(p, "th plenary meeting")));
}

/* A footnote's own line: its number, referred to in the text, then its text. */
static int
footnote_line(struct reader *r, const char *s)
{
    size_t d = strspn(s, "0123456789");
    int n;

    if (d == 0 || d > 2 || s[d] != ' ')
        return 0;
    n = d == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    return r->refs[n] && isupper((unsigned char)s[d + 1]);
}

enum { ST_HEAD, ST_PREAMBLE, ST_OPERATIVE, ST_END };

static int
read_lines(struct reader *r, char *text, size_t len, struct diag *d)
{
    int state = ST_HEAD, no = 0;
    struct unit *cur = NULL;
    char *line = text, *end = text + len;

    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line)), m[8];
        const char *t;
        int n, oom;

        if (nl)
            *nl = '\0';
        no++;
        clean(line);
        strip_refs(r, line);
        if (line[0] == '\0' || is_noise(line) || (state != ST_HEAD && is_symbol(line))) {
            r->in_footnote = 0;
            goto next;
        }
        if (state != ST_HEAD && (r->in_footnote || footnote_line(r, line))) {
            r->in_footnote = 1;
            goto next;
        }
        if (state == ST_END) {
            if (!r->adopted[0])
                find_date(line, r->adopted);
            goto next;
        }
        if ((n = para_number(line, &t)) > 0 && (n == 1 || state == ST_OPERATIVE)) {
            if (n <= r->last_para)
                return diag_set(d, DK_DATA,
                                "line %d: paragraph %d is numbered twice (first at line %d)", no, n,
                                r->para_line[n]);
            if (n != r->last_para + 1)
                return diag_set(d, DK_DATA, "line %d: paragraph %d follows paragraph %d", no, n,
                                r->last_para);
            if ((size_t)n >= r->para_cap) {
                size_t cap = r->para_cap ? r->para_cap * 2 : 64;
                int *pl = realloc(r->para_line, cap * sizeof *pl);

                if (pl == NULL)
                    return diag_set(d, DK_STORE, "out of memory");
                r->para_line = pl;
                r->para_cap = cap;
            }
            r->para_line[n] = no;
            r->last_para = n;
            r->in_heading = 0;
            r->kind1 = r->kind2 = 0;
            r->last1[0] = r->last2[0] = '\0';
            snprintf(m, sizeof m, "%d", n);
            if ((cur = new_unit(r, m, no)) == NULL || sb_add(&cur->text, t, strlen(t)) != 0)
                return diag_set(d, DK_STORE, "out of memory");
            state = ST_OPERATIVE;
            goto next;
        }
        switch (state) {
        case ST_HEAD:
            if (body_line(r, line))
                state = ST_PREAMBLE;
            else
                header_line(r, line);
            break;
        case ST_PREAMBLE:
            /* A preambular paragraph ends in a comma (or a semicolon); the next starts with a
             * capital. Anything else is the same paragraph wrapped. */
            if (r->preamble.n > 0 && !(isupper((unsigned char)line[0]) &&
                                       strchr(",;:.", r->preamble.p[r->preamble.n - 1]))) {
                if (sb_join(&r->preamble, line) != 0)
                    return diag_set(d, DK_STORE, "out of memory");
            } else if ((r->preamble.n > 0 && sb_add(&r->preamble, "\n", 1) != 0) ||
                       sb_add(&r->preamble, line, strlen(line)) != 0) {
                return diag_set(d, DK_STORE, "out of memory");
            }
            break;
        default:
            if (end_line(line, &r->u[r->nu - 1].text)) {
                state = ST_END;
                if (!r->adopted[0])
                    find_date(line, r->adopted);
                break;
            }
            if (r->in_heading || (section_line(line) && ended(&r->u[r->nu - 1].text))) {
                r->in_heading = 1;
                break;
            }
            if (marker(line, m, &t) && closed(&r->u[r->nu - 1].text)) {
                struct unit *u = sub_unit(r, m, no, &oom);

                if (oom)
                    return diag_set(d, DK_STORE, "out of memory");
                if (u != NULL) {
                    cur = u;
                    if (sb_add(&cur->text, t, strlen(t)) != 0)
                        return diag_set(d, DK_STORE, "out of memory");
                    break;
                }
            }
            cur = &r->u[r->nu - 1];
            if (sb_join(&cur->text, line) != 0)
                return diag_set(d, DK_STORE, "out of memory");
        }
    next:
        line = nl ? nl + 1 : end;
    }
    if (r->nu == 0)
        return diag_set(d, DK_DATA,
                        "no numbered operative paragraph (\"1. Requests ...\") in the text");
    return 0;
}

/* Returns 1 when TEXT, lower case, asks for a report: "to report", "report back", "to submit a
 * report", not a report merely named ("the format of the report", "the reporting practice"). */
static int
asks_report(const char *p)
{
    static const char *const verbs[] = {"to report", "report back", "reporting to", "reporting on"};
    static const char *const makes[] = {"submit", "prepare", "present", "provide", "produce"};

    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (has_word(p, verbs[i]))
            return 1;
    if (!has_word(p, "report") && !has_word(p, "reports"))
        return 0;
    for (size_t i = 0; i < sizeof makes / sizeof *makes; i++)
        if (has_word(p, makes[i]))
            return 1;
    return 0;
}

/* The kinds a draft can guess, in the order a paragraph's items take them. */
enum { K_ACK, K_REPORTING, K_COST, K_MEMBERSHIP, K_SAFEGUARD, K_PROPOSAL, K_ACTION, K_N };
static const char *const kind_names[K_N] = {"acknowledgement", "reporting", "cost",  "membership",
                                            "safeguard",       "proposal",  "action"};

/* Guesses what TEXT asks from its operative phrase: sets KINDS[k] for each kind it asks for and
 * returns how many (0: a paragraph that asks nothing, "Decides to remain seized"). */
static int
guess(const char *text, int kinds[K_N])
{
    static const char *const adverbs[] = {"also ",     "further ",     "again ",   "once again ",
                                          "strongly ", "furthermore ", "moreover "};
    static const char *const ack[] = {"expresses its appreciation",
                                      "expresses appreciation",
                                      "expresses its gratitude",
                                      "expresses gratitude",
                                      "expresses its thanks",
                                      "welcomes",
                                      "takes note",
                                      "commends",
                                      "notes with appreciation",
                                      "notes with satisfaction",
                                      "pays tribute",
                                      "thanks "};
    static const char *const none[] = {"reaffirms",  "affirms",     "recalls",    "recognizes",
                                       "recognises", "underscores", "underlines", "emphasizes",
                                       "emphasises", "stresses",    "reiterates", "condemns",
                                       "deplores",   "declares",    "notes ",     "remains seized",
                                       "approves",   "agrees that", "endorses",   "adopts"};
    char *lc = strdup(text), *p;
    int n = 0;

    memset(kinds, 0, K_N * sizeof *kinds);
    if (lc == NULL)
        return -1;
    for (p = lc; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    p = lc;
    for (size_t i = 0; i < sizeof adverbs / sizeof *adverbs; i++)
        if (strncmp(p, adverbs[i], strlen(adverbs[i])) == 0)
            p += strlen(adverbs[i]), i = (size_t)-1;
    for (size_t i = 0; i < sizeof ack / sizeof *ack; i++)
        if (strncmp(p, ack[i], strlen(ack[i])) == 0) {
            kinds[K_ACK] = 1;
            free(lc);
            return 1;
        }
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (strncmp(p, none[i], strlen(none[i])) == 0) {
            free(lc);
            return 0;
        }
    if (strstr(p, "remain seized") || strstr(p, "remain actively seized")) {
        free(lc);
        return 0;
    }
    kinds[K_REPORTING] = asks_report(p);
    kinds[K_COST] = strstr(p, "cost implication") || strstr(p, "financial implication") ||
                    strstr(p, "budget implication") || strstr(p, "budgetary implication");
    kinds[K_MEMBERSHIP] =
        strstr(p, "become a member") || has_word(p, "membership") || has_word(p, "join");
    kinds[K_SAFEGUARD] = has_word(p, "preserve") || has_word(p, "retain") ||
                         has_word(p, "maintain") || has_word(p, "safeguard");
    kinds[K_PROPOSAL] =
        strstr(p, "proposal") && (has_word(p, "develop") || has_word(p, "prepare") ||
                                  has_word(p, "draw up") || has_word(p, "formulate"));
    for (int k = 0; k < K_N; k++)
        n += kinds[k] != 0;
    if (n == 0)
        kinds[K_ACTION] = n = 1;
    free(lc);
    return n;
}

/* Writes to OUT (of N bytes) the slug of the first WORDS words of S: lower-case ASCII letters
 * and digits, each run of anything else one '-'. */
static void
slug_words(const char *s, int words, char *out, size_t n)
{
    size_t j = 0;
    int w = 0;

    for (; *s && j + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == ' ' && ++w == words)
            break;
        if (isalnum(c) && c < 0x80)
            out[j++] = (char)tolower(c);
        else if (j > 0 && out[j - 1] != '-')
            out[j++] = '-';
    }
    while (j > 0 && out[j - 1] == '-')
        j--;
    out[j] = '\0';
}

/* Returns a new title for TEXT, the text of paragraph REF: its first clause, or its first 90
 * bytes cut at a word, with "..." when cut; "Paragraph REF" when neither holds a word; prefixed
 * with "LABEL: " when LABEL is not NULL. */
static json_t *
title_of(const char *text, const char *ref, const char *label)
{
    size_t n = strcspn(text, ";:"), cut;
    const char *more = "";
    char buf[200];

    while (n > 0 && strchr(",. ", text[n - 1]))
        n--;
    if (n == 0 || n > 90) {
        n = strlen(text);
        if (n > 90) {
            for (cut = 90; cut > 0 && text[cut] != ' '; cut--)
                ;
            n = cut ? cut : 90;
            /* Never cut inside a UTF-8 sequence. */
            while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
                n--;
            more = "...";
        }
        while (!more[0] && n > 0 && strchr(";:,. ", text[n - 1]))
            n--;
    }
    if (!text_has_word(text)) {
        text = "Paragraph ";
        n = strlen(text);
        more = ref;
    }
    snprintf(buf, sizeof buf, "%s%s%.*s%s", label ? label : "", label ? ": " : "", (int)n, text,
             more);
    return json_string(buf);
}

/* Returns the kind called NAME in the shipped checklist CL (borrowed), or NULL. */
static json_t *
shipped_kind(json_t *cl, const char *name)
{
    size_t i;
    json_t *k;

    json_array_foreach(json_object_get(cl, "kinds"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "name")), name) == 0)
            return k;
    }
    return NULL;
}

static int
set_str(json_t *o, const char *key, const char *v)
{
    return json_object_set_new(o, key, json_string(v));
}

/* Builds the checklist from what R read. */
static int
build(struct reader *r, const struct draft_opts *o, json_t **out, unsigned *missing, struct diag *d)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    json_t *shipped = NULL, *cl = json_object(), *doc = json_object(), *paras = json_array(),
           *kinds = json_array(), *items = json_array();
    const char *symbol = o->symbol ? o->symbol : r->symbol;
    const char *title = r->strong_title ? r->title : r->candidate;
    char *alias = NULL;
    int used[K_N] = {0}, rc = 0;
    unsigned miss = 0;

    if (f == NULL) {
        rc = diag_set(d, DK_STORE, "internal: no embedded checklist");
        goto out;
    }
    if ((shipped = json_loadb(f->data, f->len, 0, NULL)) == NULL || !cl || !doc || !paras ||
        !kinds || !items)
        goto oom;
    if (o->alias) {
        if (!checklist_alias_ok(o->alias)) {
            rc = diag_set(d, DK_DATA, "bad alias '%s' (lower-case letters, digits and '-')",
                          o->alias);
            goto out;
        }
        if ((alias = strdup(o->alias)) == NULL)
            goto oom;
    } else if (symbol[0] && (alias = checklist_alias_from_symbol(symbol)) == NULL) {
        goto oom;
    }
    if (r->body[0] && strcasecmp(title, r->body) == 0)
        title = "";
    miss |= symbol[0] ? 0 : DRAFT_NO_SYMBOL;
    miss |= title[0] ? 0 : DRAFT_NO_TITLE;
    miss |= r->body[0] ? 0 : DRAFT_NO_BODY;
    miss |= r->session[0] ? 0 : DRAFT_NO_SESSION;
    miss |= r->adopted[0] ? 0 : DRAFT_NO_ADOPTED;
    if (set_str(cl, "format", "docket-checklist") ||
        json_object_set_new(cl, "version", json_integer(2)) || set_str(doc, "symbol", symbol) ||
        (alias && alias[0] && set_str(doc, "alias", alias)) || set_str(doc, "title", title) ||
        (r->body[0] && set_str(doc, "body", r->body)) ||
        (r->session[0] && set_str(doc, "session", r->session)) ||
        set_str(doc, "adopted", r->adopted) ||
        (r->published[0] && set_str(doc, "published", r->published)) ||
        (r->preamble.n && set_str(doc, "preamble", r->preamble.p)))
        goto oom;
    for (size_t i = 0; i < r->nu; i++) {
        struct unit *u = &r->u[i];
        int ks[K_N], n = 0, first = 1, parent_none = 0;
        char key[96], words[64], refslug[48];

        if (json_array_append_new(paras, json_pack("{s:s, s:s}", "ref", u->ref, "text",
                                                   u->text.p ? u->text.p : "")) != 0)
            goto oom;
        /* A subparagraph of a paragraph that asks nothing asks nothing either. */
        for (size_t j = i; j-- > 0 && strchr(u->ref, '(');)
            if (!strchr(r->u[j].ref, '(')) {
                parent_none = guess(r->u[j].text.p ? r->u[j].text.p : "", ks) == 0;
                break;
            }
        if (parent_none || (n = guess(u->text.p ? u->text.p : "", ks)) == 0)
            continue;
        if (n < 0)
            goto oom;
        /* "2(a)(i)" gives "2-a-i": "2(1)" and paragraph 21 stay apart. */
        slug_words(u->ref, 8, refslug, sizeof refslug);
        slug_words(u->text.p ? u->text.p : "", 3, words, sizeof words);
        for (int k = 0; k < K_N; k++) {
            json_t *it;

            if (!ks[k])
                continue;
            used[k] = 1;
            snprintf(key, sizeof key, "p%s%s%s%s%s", refslug, words[0] ? "." : "", words,
                     first ? "" : "-", first ? "" : kind_names[k]);
            it = json_pack("{s:s, s:o, s:s, s:s, s:b}", "key", key, "title",
                           title_of(u->text.p ? u->text.p : "", u->ref,
                                    first ? NULL
                                          : json_string_value(json_object_get(
                                                shipped_kind(shipped, kind_names[k]), "label"))),
                           "kind", kind_names[k], "ref", u->ref, "guessed", 1);
            if (json_array_append_new(items, it) != 0)
                goto oom;
            first = 0;
        }
    }
    /* The kinds the items use, as the shipped checklist defines them, in its order. */
    {
        size_t i;
        json_t *k;

        json_array_foreach(json_object_get(shipped, "kinds"), i, k)
        {
            const char *name = json_string_value(json_object_get(k, "name"));

            for (int j = 0; j < K_N; j++)
                if (used[j] && strcmp(name, kind_names[j]) == 0 && json_array_append(kinds, k) != 0)
                    goto oom;
        }
    }
    if (json_object_set(doc, "paragraphs", paras) || json_object_set(cl, "document", doc) ||
        json_object_set(cl, "kinds", kinds) || json_object_set(cl, "items", items))
        goto oom;
    *out = cl;
    *missing = miss;
    cl = NULL;
    goto out;
oom:
    rc = diag_set(d, DK_STORE, "out of memory");
out:
    json_decref(shipped);
    json_decref(cl);
    json_decref(doc);
    json_decref(paras);
    json_decref(kinds);
    json_decref(items);
    free(alias);
    return rc;
}

const char *
draft_field(unsigned bit)
{
    switch (bit) {
    case DRAFT_NO_SYMBOL:
        return "document.symbol";
    case DRAFT_NO_TITLE:
        return "document.title";
    case DRAFT_NO_BODY:
        return "document.body";
    case DRAFT_NO_SESSION:
        return "document.session";
    case DRAFT_NO_ADOPTED:
        return "document.adopted";
    default:
        return NULL;
    }
}

int
draft_make(const char *text, size_t len, const struct draft_opts *o, json_t **out,
           unsigned *missing, struct diag *d)
{
    struct reader r = {0};
    char *copy = NULL;
    int rc;

    if (len > DRAFT_MAX)
        return diag_set(d, DK_DATA, "the text is larger than 4 MiB (%zu bytes)", len);
    if (!text_utf8_ok(text, len))
        return diag_set(d, DK_DATA, "the text is not valid UTF-8 (or holds a NUL byte)");
    if (o->symbol && (o->symbol[0] == '\0' || !text_utf8_ok(o->symbol, strlen(o->symbol))))
        return diag_set(d, DK_DATA, "--symbol: must be non-empty UTF-8 text");
    if ((copy = malloc(len + 1)) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    if ((rc = read_lines(&r, copy, len, d)) == 0)
        rc = build(&r, o, out, missing, d);
    for (size_t i = 0; i < r.nu; i++)
        free(r.u[i].text.p);
    free(r.u);
    free(r.para_line);
    free(r.preamble.p);
    free(copy);
    return rc;
}
