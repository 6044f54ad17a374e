/* doc.h: the documents a store tracks and their aliases: the short names by which people and
 * scripts name a document (`docs`, `ALIAS:KEY`). A document's alias is the latest one its
 * document events record (a checklist's "alias", or `docs alias`), else one made from its
 * symbol (checklist_alias_from_symbol). */
#ifndef DOCKET_DOC_H
#define DOCKET_DOC_H

#include "docket/db.h"
#include "docket/diag.h"

/* SQL: the alias that the document events of symbol S (an SQL expression) record, latest
 * first, or NULL when none records one. Through the definitions' index: by the item's index
 * the planner would read every event of no item for each document. */
#define DOC_STORED_ALIAS(s)                                                                        \
    "(SELECT json_extract(a.attrs, '$.alias') FROM event a INDEXED BY event_defs WHERE a.type = "  \
    "'document' AND a.item IS NULL AND a.subject = " s " AND json_extract(a.attrs, '$.alias') "    \
    "IS NOT NULL ORDER BY a.seq DESC LIMIT 1)"

/* Writes to OUT (N bytes) the alias of the document SYMBOL that records STORED (NULL: none):
 * STORED, else the one made from the symbol ("doc" when that is empty). */
void doc_alias_of(const char *symbol, const char *stored, char *out, size_t n);

/* Calls EACH for every document, by symbol, with its alias, until EACH returns non-zero (its
 * return value is then returned). DK_STORE. */
int doc_each(struct db *db, int (*each)(void *arg, const char *symbol, const char *alias),
             void *arg, struct diag *d);

/* Sets *SYMBOL (the caller frees it) to the symbol of the document whose alias is ALIAS, or to
 * NULL when none has it. */
int doc_find(struct db *db, const char *alias, char **symbol, struct diag *d);

/* Returns DK_DATA when ALIAS is taken by a document other than SYMBOL, naming the document and
 * asking for another alias; else 0. */
int doc_alias_free(struct db *db, const char *alias, const char *symbol, struct diag *d);

/* Renames the document whose alias is OLD to NEW: a document event with its latest fields and
 * the new alias, for REASON. *SEQ (when not NULL) gets its number. DK_DATA: OLD unknown, NEW
 * not an alias or taken, or equal to OLD. */
int doc_rename(struct db *db, const char *old, const char *new, const char *reason, long long *seq,
               struct diag *d);

#endif
