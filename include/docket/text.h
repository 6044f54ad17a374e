/* text.h: UTF-8 checks, escaping of data for terminals, CSV and HTML, and "did you mean"
 * suggestions. */
#ifndef DOCKET_TEXT_H
#define DOCKET_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Returns 1 when S[0..LEN) is well-formed UTF-8 with no NUL, overlong form, surrogate or code
 * point above U+10FFFF; 0 otherwise. */
int text_utf8_ok(const char *s, size_t len);

/* Writes into OUT (SIZE bytes) PREFIX, then PATH with every byte but letters, digits, "-._~"
 * and "/" percent-encoded (as a file: URI wants it, for SQLite and browsers alike), then
 * SUFFIX. Returns 0, or -1 when it does not fit. */
int text_file_uri(const char *prefix, const char *path, const char *suffix, char *out, size_t size);

/* Returns a new copy of S[0..N), owned by the caller (free), in which every byte that is not
 * part of well-formed UTF-8 (and every NUL) is replaced by U+FFFD; NULL when memory runs out. */
char *text_repair(const char *s, size_t n);

/* Writes S to F with every C0, C1 and DEL character, and the bidirectional override and
 * isolate characters, written as a visible escape (\n, \x1b, \u202e), so that no control
 * sequence from data reaches a terminal. Invalid UTF-8 bytes are written as \xNN. Returns 0,
 * or -1 when F reports a write error. */
int text_put(FILE *f, const char *s);

/* Like text_put, padded with spaces to WIDTH columns, counting one column per code point. A
 * longer S is written whole. */
int text_put_width(FILE *f, const char *s, int width);

/* Returns the columns S takes as text_put_width counts them (one per code point, an invalid
 * byte one): the width to pad a column of such texts to. Cannot fail. */
int text_width(const char *s);

/* Returns the length in bytes of the longest prefix of S that takes at most COLS columns as
 * text_width counts them, never splitting a UTF-8 sequence: where to cut S to fit COLS. */
size_t text_prefix(const char *s, int cols);

/* Returns the edit distance (optimal string alignment: insert, delete, substitute,
 * transpose) between A and B, stopping early at MAX + 1. */
int text_distance(const char *a, const char *b, int max);

/* Returns the one of VALID[0..N) closest to WANT, within an edit distance that grows with
 * WANT's length (a third of it, plus one, at most 3), the first of equals; NULL when none is
 * that close. Borrowed from VALID. */
const char *text_nearest(const char *want, const char *const *valid, size_t n);

/* Records in D, and returns, DK_DATA for NAME, which is none of VALID[0..N), in one line that
 * lists them: "unknown WHAT 'NAME'WHERE (did you mean 'X'? valid: A, B, C; HINT)". WHERE
 * (" for kind membership") and HINT ("see 'docket kinds'") may be NULL; the suggestion comes
 * only when one of VALID is close (text_nearest); a list too long for the line ends with
 * "...". The one wording of every unknown kind, status and report section. */
struct diag;
int text_unknown(struct diag *d, const char *what, const char *name, const char *where,
                 const char *const *valid, size_t n, const char *hint);

/* Returns 1 when S is a valid item key: segments of [a-z0-9][a-z0-9-]* joined by '.', with at
 * most one instance part '/[A-Za-z0-9][A-Za-z0-9._-]*' at the end; 0 otherwise. */
int text_key_ok(const char *s);

/* Writes S as one CSV field (RFC 4180): as it is, or quoted with its quotes doubled when it
 * holds a comma, a quote or a line break. A text that a spreadsheet would run as a formula
 * (one that starts with =, +, -, @, a tab or a carriage return), and one that starts with ',
 * is written after a ' (which import --csv takes off again); a plain decimal number such as
 * -5 or -100.00 is written as it is. NULL writes an empty field. */
void text_csv_field(FILE *f, const char *s);

/* Writes S[0..N) as HTML text that is also safe inside a quoted attribute. C0 controls, DEL
 * and C1 controls cannot be carried by HTML, so they become U+FFFD; a CR is a line break to
 * HTML, so CRLF becomes LF. Every other byte is written as it is. */
void text_html_n(FILE *f, const char *s, size_t n);

/* Like text_html_n, for the string S; NULL writes nothing. */
void text_html(FILE *f, const char *s);

/* Returns 1 when S (NULL: none) holds a letter or a digit, as a reason must: an ASCII letter or
 * digit, or a code point beyond ASCII outside the blocks of spaces, punctuation, marks, symbols,
 * emoji and invisible characters; 0 otherwise ("   ", "--", "\u200b"). Bytes that are not
 * UTF-8 count as neither. */
int text_has_word(const char *s);

/* Returns the number of code points in S, counting every byte that does not continue one. */
size_t text_cp_count(const char *s);

/* Writes S as text_html does, cut to MAX code points with an ellipsis, so that a label fits
 * its place (a chart keeps the whole text in its description or the element's tooltip). */
void text_html_cut(FILE *f, const char *s, size_t max);

/* Parses TEXT[0..LEN), read from outside docket (an import, an etcd reply), as JSON with
 * json_loadb's FLAGS, but first refuses a raw NUL byte anywhere in it: JSON text never holds
 * one, and Jansson stops reading at one that follows a number ("[1\0]" loads as [1]). Returns
 * the value, owned by the caller (json_decref), or NULL with ERROR (which may be NULL) filled
 * as json_loadb fills it; for a NUL, with its line and column and the text "a NUL byte, which
 * JSON text never holds". */
json_t *text_json_loadb(const char *text, size_t len, size_t flags, json_error_t *error);

#endif
