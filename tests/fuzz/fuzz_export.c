/* fuzz_export.c: libFuzzer target for the importer of exports: any bytes whose first line
 * export_is_header takes are restored with export_restore into an empty in-memory store,
 * inside a transaction rolled back after each input. Whatever the input, a restore that
 * succeeds leaves a chain that verifies and holds exactly the events it counted; a refusal
 * always says why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/event.h"
#include "docket/export.h"
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const char *header;
    FILE *rest;
};

static int
step(void *arg)
{
    struct input *in = arg;
    struct import_counts n = {0};
    struct ev_check c;
    struct diag d = {0}, check = {0};
    struct db *db = fuzz_store();

    if (export_restore(db, in->header, in->rest, &n, &d) == 0) {
        if (ev_check_chain(db, &c, &check) != 0 || c.bad_seq != 0 || c.count != n.events)
            abort();
    } else if (d.code == 0 || d.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    return FUZZ_UNDO;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - (const char *)data) + 1 : size;
    struct input in = {0};
    char *header;

    if (!export_is_header((const char *)data, hlen))
        return 0;
    if ((header = malloc(hlen + 1)) == NULL)
        return 0;
    memcpy(header, data, hlen);
    header[hlen] = '\0';
    /* fmemopen refuses an empty buffer: an input that is the header alone reads nothing. */
    in.rest =
        size > hlen ? fmemopen((void *)(data + hlen), size - hlen, "r") : fopen("/dev/null", "r");
    in.header = header;
    if (in.rest != NULL) {
        fuzz_undone(step, &in);
        fclose(in.rest);
    }
    free(header);
    return 0;
}
