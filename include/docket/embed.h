/* embed.h: files compiled into the binary at build time (migrations, checklists, reports). */
#ifndef DOCKET_EMBED_H
#define DOCKET_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name; /* the path in the source tree: "schema/001_core.sql" */
    const char *data; /* NUL-terminated */
    size_t len;
    const char *symbol; /* a checklist's document symbol, else NULL */
    long long revision; /* a checklist's document revision (1 when it states none), else 0 */
};

/* All embedded files, sorted by name, ending with a { NULL } entry. */
extern const struct embed_file embed_files[];

/* Returns the embedded file called NAME (borrowed), or NULL. */
const struct embed_file *embed_find(const char *name);

#endif
