/* report.c: `docket report`: a report rendered as Markdown, HTML, CSV or JSON, or printed to PDF
 * from its HTML by headless Chromium. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "docket/audit.h"
#include "docket/date.h"
#include "docket/outfile.h"
#include "docket/pdf.h"
#include "docket/report.h"

static const struct opt opts[] = {
    {"format", 0, "FORMAT", OPT_JSON,
     "md (default), html, csv, json or pdf (needs -o FILE and chromium)"},
    {"as-of", 0, "DATE", 0, "the state on DATE (by effective date, with all known now)"},
    {"known-at", 0, "TIME", 0, "as the tracker recorded it at TIME (UTC)"},
    {"since", 0, "TIME", 0, "the changes recorded since TIME (default: the last publication)"},
    {"section", 0, "NAME", 0, "only this section"},
    {"doc", 0, "ALIAS", OPT_MULTI, "only this document's items (repeatable; several: a portfolio)"},
    {"output", 'o', "FILE", 0, "write to FILE (through a temporary file) instead of stdout"},
    {"reports", 0, "DIR", 0, "report definitions in DIR add to and override the built-in ones"},
    {"lang", 0, "LANG", 0, "en, fr or es (default: from LANGUAGE, LC_ALL, LC_MESSAGES, LANG)"},
    {"reproducible", 0, NULL, 0, "leave out the generation time"},
    {"publish", 0, NULL, 0, "record the publication as an event in the audit trail"},
    {NULL, 0, NULL, 0, NULL},
};

/* Reads $DOCKET_REPORT_TIMEOUT_MS (for tests: a report's time in milliseconds) into *MS. */
static int
timeout_env(long *ms, struct diag *d)
{
    const char *v = getenv("DOCKET_REPORT_TIMEOUT_MS");
    long n = 0;

    *ms = REPORT_TIMEOUT_MS;
    if (v == NULL)
        return 0;
    /* At most 8 digits: strtol cannot overflow. */
    if (*v == '\0' || strlen(v) > 8 || strspn(v, "0123456789") != strlen(v) ||
        (n = strtol(v, NULL, 10)) < 1 || n > 86400000L)
        return diag_set(d, DK_USAGE,
                        "DOCKET_REPORT_TIMEOUT_MS must be a number of milliseconds from 1 to "
                        "86400000, not '%s'",
                        v);
    *ms = n;
    return 0;
}

/* Reads $DOCKET_PDF_TIMEOUT (how long Chromium may take to print, in seconds) into *S. */
static int
pdf_timeout_env(long *s, struct diag *d)
{
    const char *v = getenv("DOCKET_PDF_TIMEOUT");
    long n = 0;

    *s = PDF_TIMEOUT_S;
    if (v == NULL)
        return 0;
    /* At most 5 digits: strtol cannot overflow. */
    if (*v == '\0' || strlen(v) > 5 || strspn(v, "0123456789") != strlen(v) ||
        (n = strtol(v, NULL, 10)) < 1 || n > 86400L)
        return diag_set(d, DK_USAGE,
                        "DOCKET_PDF_TIMEOUT must be a number of seconds from 1 to 86400, not '%s'",
                        v);
    *s = n;
    return 0;
}

/* A published copy is the one sent out: before it is made, the trail must verify and the
 * state must equal a replay of it, as `verify` checks them. */
static int
check_trail(struct cmd_ctx *ctx)
{
    struct diag state = {0};
    struct ev_check chain;
    int rc;

    if ((rc = audit_run(ctx->db, ctx->db_path, &chain, &state, &ctx->diag)) != 0)
        return rc == DK_CHECK ? diag_prefix(&ctx->diag, "cannot publish: ") : rc;
    if (chain.bad_seq != 0)
        return diag_set(&ctx->diag, DK_CHECK, "cannot publish: event %lld: %s", chain.bad_seq,
                        chain.why);
    if (state.code != 0)
        return diag_set(&ctx->diag, state.code, "cannot publish: %s", state.msg);
    return 0;
}

/* Renames the written report into place once the publication is committed, or drops it. */
static int
finish(struct cmd_ctx *ctx, int committed)
{
    struct outfile *o = ctx->after_arg;
    int rc = committed ? outfile_commit(o, &ctx->diag) : 0;

    if (!committed)
        outfile_abort(o);
    free(o);
    return rc;
}

static int
run(struct cmd_ctx *ctx)
{
    const struct args *a = &ctx->args;
    const char *format = args_get(a, "format") ? args_get(a, "format") : "md";
    const char *name = a->npos ? a->pos[0] : "progress";
    /* "-o -" is stdout: the command's own output, which a publishing run holds until its
     * commit, not the real stdout behind it. */
    const char *path = args_get(a, "output") && strcmp(args_get(a, "output"), "-") != 0
                           ? args_get(a, "output")
                           : NULL;
    char today[11], known[TS_LEN + 1], since[TS_LEN + 1];
    struct report_opts o = {.section = args_get(a, "section"),
                            .reproducible = args_get(a, "reproducible") != NULL};
    /* A PDF is the HTML report as Chromium prints it. */
    int is_pdf = strcmp(format, "pdf") == 0;
    struct render r = {.ops = render_find(is_pdf ? "html" : format),
                       .one_section = o.section != NULL};
    struct pdf pdf = {0};
    long pdf_timeout = 0;
    struct report_def *def = NULL;
    struct outfile *out = NULL;
    struct l10n *lang = NULL;
    char *docs = NULL;
    struct date asof;
    int rc;

    if (r.ops == NULL)
        return diag_set(&ctx->diag, DK_USAGE, "unknown format '%s' (md, html, csv, json or pdf)",
                        format);
    if (is_pdf && path == NULL)
        return diag_set(&ctx->diag, DK_USAGE,
                        "--format pdf writes a file: give -o FILE (a PDF is not written to "
                        "stdout)");
    if ((rc = timeout_env(&o.timeout_ms, &ctx->diag)) != 0 ||
        (is_pdf && (rc = pdf_timeout_env(&pdf_timeout, &ctx->diag)) != 0))
        return rc;
    date_today(today);
    o.today = today;
    if ((args_get(a, "as-of") &&
         (rc = date_parse_past(args_get(a, "as-of"), today, &asof, &ctx->diag))) ||
        (args_get(a, "known-at") &&
         (rc = ts_parse(args_get(a, "known-at"), 1, known, &ctx->diag))) ||
        (args_get(a, "since") && (rc = ts_parse(args_get(a, "since"), 0, since, &ctx->diag))))
        return rc;
    /* Plain reports stay unchecked, for speed: `verify` is the check. */
    if (args_get(a, "publish") && (rc = check_trail(ctx)) != 0)
        return rc;
    o.asof = args_get(a, "as-of") ? asof.end : NULL;
    o.known = args_get(a, "known-at") ? known : NULL;
    if (!args_get(a, "since") &&
        (rc = report_last_published(ctx->db, name, o.known, since, &ctx->diag)) != 0)
        return rc;
    o.since = since;
    if ((rc = cli_docs(ctx, &docs)) != 0)
        return rc;
    o.docs = docs;
    if ((rc = report_load(name, args_get(a, "reports"), &def, &ctx->diag)) != 0 ||
        (rc = l10n_pick(args_get(a, "lang"), &lang, &ctx->diag)) != 0)
        goto fail;
    /* People read md and html in their language; csv and json keep keys and plain values. */
    if (r.ops == &render_md || r.ops == &render_html)
        r.l10n = lang;
    if ((out = calloc(1, sizeof *out)) == NULL) {
        rc = diag_set(&ctx->diag, DK_IO, "out of memory");
        goto fail;
    }
    /* Chromium is looked for first: without it, nothing is written. */
    if (is_pdf && (rc = pdf_open(&pdf, &ctx->diag)) != 0)
        goto fail;
    if (path && (rc = outfile_open(path, out, &ctx->diag)))
        goto fail;
    r.f = is_pdf ? pdf.f : path ? out->f : ctx->out;
    rc = report_run(ctx->db, def, &o, &r, &ctx->diag);
    r.ops->free(&r);
    if (rc == 0 && is_pdf)
        rc = pdf_print(&pdf, out->f, pdf_timeout, &ctx->diag);
    pdf_close(&pdf);
    if (rc == 0 && args_get(a, "publish"))
        rc = report_publish(ctx->db, name, o.asof ? o.asof : today, format, &ctx->diag);
    if (rc != 0)
        goto fail;
    report_free(def);
    free(docs);
    l10n_free(lang);
    if (!path) {
        free(out);
        return 0;
    }
    if (!args_get(a, "publish")) {
        rc = outfile_commit(out, &ctx->diag);
        free(out);
        return rc;
    }
    /* A published report's file appears only if its publication is committed. */
    ctx->after_commit = finish;
    ctx->after_arg = out;
    return 0;
fail:
    pdf_close(&pdf);
    if (out)
        outfile_abort(out);
    free(out);
    free(docs);
    report_free(def);
    l10n_free(lang);
    return rc;
}

const struct cmd_entry cmd_report = {
    .name = "report",
    .usage = "[NAME] [--format md|html|csv|json|pdf] [--json] [--as-of DATE] [--known-at TIME] "
             "[--since TIME] [--section NAME] [--doc ALIAS]... [-o FILE] [--reports DIR] "
             "[--lang LANG] [--reproducible] "
             "[--publish]",
    .summary = "Render a progress report (default 'progress') as Markdown, HTML, CSV, JSON or PDF.",
    .opts = opts,
    .min_args = 0,
    .max_args = 1,
    .flags = CMD_STORE | CMD_PAGER,
    .writes_with = "publish",
    .run = run,
};
