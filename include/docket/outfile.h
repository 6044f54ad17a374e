/* outfile.h: files written whole or not at all: a temporary file beside the target, flushed,
 * synced and renamed over it. */
#ifndef DOCKET_OUTFILE_H
#define DOCKET_OUTFILE_H

#include <stdio.h>

#include "docket/diag.h"

struct outfile {
    FILE *f;    /* write here */
    char *path; /* the target; NULL for stdout */
    char *tmp;  /* the temporary file beside it */
};

/* Names the store that no output file may replace: STORE itself and its -wal, -shm and
 * -journal files, under any name that leads to them. A renamed copy over one of them would
 * destroy the store. STORE is kept, not copied. */
void outfile_protect(const char *store);

/* Opens a temporary file in PATH's folder ("PATH.tmp-PID-XXXXXX") for writing, or stdout when
 * PATH is NULL or "-"; first removes the temporary files for PATH that killed runs left. Exit
 * codes: DK_USAGE (PATH is the protected store or one of its files, or the store is one of
 * PATH's own -wal, -shm or -journal files), DK_IO ("cannot write 'PATH': ..."). */
int outfile_open(const char *path, struct outfile *o, struct diag *d);

/* Flushes, syncs and renames the temporary file over the target (flushes stdout). Exit code
 * DK_IO; the temporary file is gone either way. */
int outfile_commit(struct outfile *o, struct diag *d);

/* Drops the temporary file; the target is untouched. Accepts an outfile never opened. */
void outfile_abort(struct outfile *o);

#endif
