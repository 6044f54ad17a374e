/* draft.h: a checklist drafted from a resolution's plain text (`docket draft`). */
#ifndef DOCKET_DRAFT_H
#define DOCKET_DRAFT_H

#include <stddef.h>

#include <jansson.h>

#include "docket/diag.h"

/* The longest text draft reads: a resolution, even with its annexes, is far shorter. */
#define DRAFT_MAX ((size_t)4 << 20)

/* What the command line adds to the text; either may be NULL. */
struct draft_opts {
    const char *symbol; /* --symbol: wins over a symbol the text gives */
    const char *alias;  /* --alias: else one made from the symbol */
};

/* The document fields a draft can leave empty, as bits of draft_make's *MISSING. */
enum {
    DRAFT_NO_SYMBOL = 1,
    DRAFT_NO_TITLE = 2,
    DRAFT_NO_BODY = 4,
    DRAFT_NO_SESSION = 8,
    DRAFT_NO_ADOPTED = 16,
    DRAFT_NO_LAST = 16
};

/* Returns the JSON path of missing field BIT ("document.title"), or NULL for no such bit. */
const char *draft_field(unsigned bit);

/* Reads TEXT[0..LEN), a resolution's plain text, and drafts its checklist (format version 2):
 * the document (symbol, alias, title, body, session, adoption and publication dates where the
 * text or O gives them), the preamble, every operative paragraph and subparagraph with its
 * reference ("2(a)(i)") and exact text, and one item per request with a guessed kind (marked
 * "guessed") and the shipped checklist's definition of each kind used. A required field the
 * text does not give (symbol, title, adopted) is left as "", an optional one (body, session)
 * out; each sets its bit in *MISSING. On success *OUT owns the checklist (json_decref).
 * Exit codes: DK_DATA for text that cannot be a resolution (over DRAFT_MAX bytes, not UTF-8,
 * no numbered paragraph, a paragraph numbered twice or out of order) or a bad alias, with the
 * line at fault; DK_STORE when memory runs out or the build lacks the shipped checklist. */
int draft_make(const char *text, size_t len, const struct draft_opts *o, json_t **out,
               unsigned *missing, struct diag *d);

#endif
