/* pdf.h: a report printed to PDF by headless Chromium: the HTML written to a private work
 * folder, printed there with a throw-away profile under a time limit, and copied out whole. */
#ifndef DOCKET_PDF_H
#define DOCKET_PDF_H

#include <stdio.h>

#include "docket/diag.h"

/* How long Chromium may take to print, in seconds, unless DOCKET_PDF_TIMEOUT says otherwise. */
#define PDF_TIMEOUT_S 120L

/* One print: the work folder (mkdtemp, private) and the HTML written into it. */
struct pdf {
    char *browser; /* the Chromium found on PATH */
    char *dir;     /* the work folder: report.html, report.pdf, the profile, Chromium's log */
    FILE *f;       /* write the HTML here */
};

/* Writes into *PATH a new string (free) naming the Chromium on $PATH: "chromium", else
 * "chromium-browser", the first that is an executable file. Exit code DK_IO ("--format pdf
 * needs chromium (apt install chromium)"). */
int pdf_find_browser(char **path, struct diag *d);

/* Finds Chromium (as pdf_find_browser) and makes the work folder in $TMPDIR (else /tmp), with
 * P->f open on the HTML file in it. On failure nothing is left behind and P is empty. Exit code
 * DK_IO. */
int pdf_open(struct pdf *p, struct diag *d);

/* Closes the HTML, has Chromium print it to PDF (stdin from /dev/null, its output kept in the
 * work folder, its own process group killed after TIMEOUT_S seconds; --no-sandbox only when
 * run as root), checks that the result is a PDF, and copies it to OUT. Exit code DK_IO: the
 * HTML could not be written, Chromium could not be started, failed (with the last lines it
 * printed), timed out, or wrote no PDF, or OUT could not be written. Call pdf_close after,
 * either way. */
int pdf_print(struct pdf *p, FILE *out, long timeout_s, struct diag *d);

/* Removes the work folder with all in it and frees P's fields. Accepts a P never opened. */
void pdf_close(struct pdf *p);

#endif
