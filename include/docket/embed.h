/* embed.h: files compiled into the binary at build time (migrations, checklists, reports). */
#ifndef DOCKET_EMBED_H
#define DOCKET_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name; /* the path in the source tree: "schema/001_core.sql" */
    const char *data; /* NUL-terminated */
    size_t len;
};

/* All embedded files, sorted by name, ending with a { NULL } entry. */
extern const struct embed_file embed_files[];

/* Returns the embedded file called NAME (borrowed), or NULL. */
const struct embed_file *embed_find(const char *name);

#endif
