/* l10n.h: the report's words in English, French or Spanish, and dates and numbers as CLDR writes
 * them in those languages, from catalogues and tables built into docket (no locale needed). */
#ifndef DOCKET_L10N_H
#define DOCKET_L10N_H

#include <stddef.h>

#include "docket/diag.h"

/* One language: its catalogue (borrowed from the binary) and its formats. */
struct l10n;

/*
 * Adding a message: write it in English where the report uses it (l10n_text and friends take
 * the English text as the message id), add it to po/docket.pot, po/fr.po and po/es.po with its
 * translations, and rebuild; the po_catalogues test fails when a catalogue lacks it or holds a
 * fuzzy or untranslated entry. A word used in two roles gets a msgctxt ("column", "status",
 * "kind", "value", "month").
 */

/* The room every formatter below needs in BUF, terminating NUL included. */
enum { L10N_BUF = 80 };

/* Opens language LANG ("en", "fr" or "es") with its embedded catalogue. Returns 0 and a new
 * l10n in *OUT (l10n_free), DK_USAGE for another language, DK_DATA when the embedded catalogue
 * is damaged, DK_STORE (out of memory). */
int l10n_open(const char *lang, struct l10n **out, struct diag *d);

/* As l10n_open, with the GNU .mo catalogue MO[0..LEN) (borrowed: it must outlive the l10n), which
 * is checked whole first: DK_DATA names what is wrong with it. */
int l10n_open_mo(const char *lang, const void *mo, size_t len, struct l10n **out, struct diag *d);

/* Chooses the language: OPT when given (en, fr or es, else DK_USAGE), else the first entry of
 * the colon list $LANGUAGE that names one of them (or C/POSIX, for English), else the first of
 * $LC_ALL, $LC_MESSAGES and $LANG that is set and not empty (fr_FR.UTF-8 and fr_CA give French;
 * C, POSIX and any other language English), else English. Returns as l10n_open. */
int l10n_pick(const char *opt, struct l10n **out, struct diag *d);

/* Frees L; NULL is accepted. */
void l10n_free(struct l10n *l);

/* Returns the code of L's language: "en", "fr" or "es" (static). */
const char *l10n_lang(const struct l10n *l);

/* Returns the translation of MSGID (borrowed from the catalogue), or MSGID itself when the
 * catalogue has none. */
const char *l10n_text(const struct l10n *l, const char *msgid);

/* As l10n_text, for MSGID in context CTX (msgctxt; NULL for none). */
const char *l10n_ctext(const struct l10n *l, const char *ctx, const char *msgid);

/* Returns the form of MSGID (singular) or MSGID_PLURAL that count N takes in L's language
 * (French: 0 and 1 singular; English and Spanish: 1 singular), translated when the catalogue
 * has it (borrowed). The caller formats N into it. */
const char *l10n_plural(const struct l10n *l, const char *msgid, const char *msgid_plural,
                        long long n);

/* Returns 1 when count N takes the plural in L's language (French: above one; English and
 * Spanish: other than one), 0 when the singular. L NULL: English. */
int l10n_is_plural(const struct l10n *l, long long n);

/* Writes the long date of day D of month M of year Y into BUF: "24 November 2015",
 * "24 novembre 2015", "24 de noviembre de 2015". Returns 0, or DK_DATA (BUF "") when the date
 * does not exist or Y is outside 1-9999. */
int l10n_date(const struct l10n *l, int y, int m, int d, char buf[L10N_BUF]);

/* Writes month M of year Y into BUF: "November 2015", "novembre 2015", "noviembre de 2015".
 * Returns 0, or DK_DATA (BUF "") out of range. */
int l10n_month_year(const struct l10n *l, int y, int m, char buf[L10N_BUF]);

/* Writes the date TEXT ("2015-11-24", "2015-11" or "2015", as docket keeps dates) into BUF as
 * L's language writes it: a day as l10n_date, a month as l10n_month_year, a year as it is.
 * Returns 0, or DK_DATA (BUF "") for any other text. */
int l10n_day(const struct l10n *l, const char *text, char buf[L10N_BUF]);

/* Writes V rounded to DECIMALS (0-6) digits with L's separators into BUF: "1,234.5",
 * "1 234,5" (U+202F), "1234,5" and "12.345,5". Returns 0, or DK_DATA (BUF "") when V is not
 * finite, |V| is 1e15 or more, or DECIMALS is out of range. */
int l10n_number(const struct l10n *l, double v, int decimals, char buf[L10N_BUF]);

/* As l10n_number, for V per cent: "21.7%", "21,7 %" (U+202F), "21,7 %" (U+00A0). */
int l10n_percent(const struct l10n *l, double v, int decimals, char buf[L10N_BUF]);

/* Writes MINOR minor units of ISO 4217 CURRENCY, exactly, into BUF: "CHF 250,000.00",
 * "250 000,00 CHF", "250.000,00 CHF"; no decimals for an exponent of 0 (JPY). Returns 0, or
 * DK_DATA (BUF "") for a code that is not an active ISO 4217 currency. */
int l10n_amount(const struct l10n *l, long long minor, const char *currency, char buf[L10N_BUF]);

#endif
