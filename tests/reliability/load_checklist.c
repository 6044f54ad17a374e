/* load_checklist.c: loads a checklist file into a store through docket's own core, the way
 * `init` loads the shipped one; test_hostile.py uses it to put hostile strings into every field
 * of a checklist until docket has an import command.
 *
 * usage: docket-load-checklist STORE FILE
 * Exit codes as docket's: 0, 3 (the checklist was refused), 4 (the store), 6 (the file). */
#include <stdio.h>
#include <stdlib.h>

#include "docket/checklist.h"

struct load {
    struct db *db;
    const char *text;
    size_t len;
    struct diag *d;
};

static int
load(void *arg)
{
    struct load *l = arg;

    return checklist_load(l->db, l->text, l->len, NULL, NULL, l->d);
}

/* Reads the whole of PATH into a new buffer; returns NULL when it cannot. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *p;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            if ((p = realloc(buf, cap)) == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

int
main(int argc, char **argv)
{
    struct diag d = {0};
    struct load l = {0};
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: docket-load-checklist STORE FILE\n");
        return DK_USAGE;
    }
    if ((l.text = slurp(argv[2], &l.len)) == NULL) {
        fprintf(stderr, "docket-load-checklist: cannot read '%s'\n", argv[2]);
        return DK_IO;
    }
    l.d = &d;
    if ((rc = db_open(argv[1], 0, &l.db, &d)) == 0) {
        db_set_actor(l.db, "tester", "tester");
        rc = db_tx(l.db, 1, load, &l, &d);
    }
    if (rc != 0)
        fprintf(stderr, "docket-load-checklist: %s\n", d.msg);
    db_close(l.db);
    free((char *)l.text);
    return rc;
}
