/* diag.h: how the core reports a failure to its caller: an exit code and one line of text. */
#ifndef DOCKET_DIAG_H
#define DOCKET_DIAG_H

#include <stddef.h>

/* The documented exit codes; every function that can fail returns one of them. */
enum {
    DK_OK = 0,    /* success */
    DK_CHECK = 1, /* a check found a problem (verify) */
    DK_USAGE = 2, /* the command line was wrong */
    DK_DATA = 3,  /* bad data: unknown key, status, date, malformed input */
    DK_STORE = 4, /* the store: missing, locked, corrupt, foreign, newer */
    DK_NET = 5,   /* the network */
    DK_IO = 6     /* a file or stdout could not be written */
};

/* A message the core leaves for the command that called it. The core never prints. */
struct diag {
    int code;
    char msg[512];
    char warn[256]; /* a warning that does not stop the command (a clock stepped back) */
};

/* Records CODE and a printf-style message in D and returns CODE, so that a failure is one
 * return line. The first failure wins: when D already holds one, it is kept and its code is
 * returned, so that the message and the exit code always agree. */
int diag_set(struct diag *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Puts a printf-style prefix before the message D holds (a JSON path, a file and line) and
 * returns its code. */
int diag_prefix(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a warning; an existing one is kept. */
void diag_warn(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
