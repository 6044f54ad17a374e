/* sync.c: `docket sync`: publish this office's events and apply the others', through etcd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "docket/sync.h"
#include "docket/text.h"

static const struct opt opts[] = {
    {"once", 0, NULL, 0, "sync once and stop (else every --interval seconds until stopped)"},
    {"interval", 0, "SECONDS", 0, "seconds between syncs (default 60)"},
    {"repair", 0, NULL, 0, "first put back the log's entries that etcd no longer holds as here"},
    {"json", 0, NULL, 0, "print what each sync did as JSON"},
    {NULL, 0, NULL, 0, NULL},
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Shows one progress line (sync_progress's FN): at most ten a second, and the last one. */
static void
meter_show(const char *what, long long done, long long total, void *arg)
{
    struct sync_meter *m = arg;
    double now = now_s(), rate;
    int kind = what[0] == 'p'; /* published, or applied */

    if (m->since[kind] == 0) {
        m->since[kind] = now;
        m->from[kind] = done;
    }
    if (m->open && m->kind != kind)
        fputc('\n', stderr);
    else if (m->open && now - m->last < 0.1 && done < total)
        return;
    rate = now > m->since[kind] ? (double)(done - m->from[kind]) / (now - m->since[kind]) : 0;
    fprintf(stderr, "\rsync: %s %lld of %lld %s, %.0f a second  ", what, done, total,
            kind ? "events" : "entries of the shared log", rate);
    m->open = done < total;
    if (!m->open)
        fputc('\n', stderr);
    m->kind = kind;
    m->last = now;
    fflush(stderr);
}

const struct sync_progress *
sync_meter(struct sync_meter *m, struct sync_progress *p)
{
    memset(m, 0, sizeof *m);
    p->fn = meter_show;
    p->arg = m;
    return isatty(2) && !getenv("NO_COLOR") ? p : NULL;
}

void
sync_meter_end(struct sync_meter *m)
{
    if (m->open)
        fputc('\n', stderr);
    m->open = 0;
}

/* Prints one sync's outcome. Returns 0, or DK_IO when stdout cannot take it. */
int
sync_print(struct cmd_ctx *ctx, const struct sync_counts *n)
{
    int rc;

    /* Each entry newly quarantined, one line on stderr; the count ends the sync (exit 1). */
    for (int i = 0; i < n->nquarantined; i++) {
        fputs("docket: sync: ", stderr);
        text_put(stderr, n->quarantined[i]);
        fputc('\n', stderr);
    }
    if (n->quarantine_count > n->nquarantined)
        fprintf(stderr, "docket: sync: and %lld more quarantined\n",
                n->quarantine_count - n->nquarantined);
    if (args_get(&ctx->args, "json")) {
        if ((rc = cli_json(ctx,
                           json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:b}", "published",
                                     (json_int_t)n->published, "pulled", (json_int_t)n->pulled,
                                     "position", (json_int_t)n->position, "head", n->head,
                                     "repaired", (json_int_t)n->repaired, "quarantined",
                                     (json_int_t)n->quarantine_count, "waiting", n->waiting))) != 0)
            return rc;
    } else {
        if (n->rewritten > 0)
            fprintf(ctx->out,
                    "put back %lld of %lld entries of the shared log that etcd no "
                    "longer held as this store does\n",
                    n->repaired, n->rewritten);
        fprintf(ctx->out,
                "published %lld, pulled %lld; shared log: %lld events, head shared:%lld:%s\n",
                n->published, n->pulled, n->position, n->position, n->head);
    }
    if (n->waiting && n->revoked)
        fprintf(stderr,
                "docket: sync: this office (%s) was revoked by the founding office: it "
                "publishes nothing more\n",
                n->office);
    else if (n->waiting)
        fprintf(stderr,
                "docket: sync: this office waits for admission and publishes nothing yet; on an "
                "admitted office: docket office admit %s %s -m REASON\n",
                n->office, n->fingerprint);
    if (fflush(ctx->out) != 0 || ferror(ctx->out))
        return diag_set(&ctx->diag, DK_IO, "cannot write to stdout: %s", strerror(errno));
    return 0;
}

/* The line that sums up what a round quarantined, for --interval, which goes on. */
static void
report_quarantine(struct cmd_ctx *ctx)
{
    fputs("docket: sync: ", stderr);
    text_put(stderr, ctx->diag.msg);
    fputc('\n', stderr);
    memset(&ctx->diag, 0, sizeof ctx->diag);
}

static int
run(struct cmd_ctx *ctx)
{
    const char *every = args_get(&ctx->args, "interval");
    char *end = NULL;
    long interval = every ? strtol(every, &end, 10) : 60;
    struct sync_counts n;
    struct sync_meter m;
    struct sync_progress p;
    const struct sync_progress *show = sync_meter(&m, &p);
    unsigned flags = args_get(&ctx->args, "repair") ? SYNC_REPAIR : 0;
    unsigned retry = 0; /* the last pause after a round that could not reach the cluster */
    int rc;

    if (every && (end == every || *end != '\0' || interval < 1 || interval > 86400))
        return diag_set(&ctx->diag, DK_USAGE, "--interval takes a number of seconds (1-86400)");
    if (args_get(&ctx->args, "once")) {
        rc = sync_run(ctx->db, flags, show, &n, &ctx->diag);
        sync_meter_end(&m);
        if (rc != 0 && !(rc == DK_CHECK && n.quarantine_count > 0))
            return rc;
        return sync_print(ctx, &n) ? DK_IO : rc;
    }
    /* Every --interval seconds, for a field office whose connection comes and goes: a round
     * that cannot reach the cluster says so and the next one tries again, after a pause that
     * grows from 1 s to 60 s while the cluster stays out of reach. What would fail every round
     * alike stops: a refusal by etcd (a password, a permission, a certificate), bad data, a
     * damaged store, no remote, stdout gone. */
    for (;;) {
        unsigned pause = (unsigned)interval;

        rc = sync_run(ctx->db, flags, show, &n, &ctx->diag);
        sync_meter_end(&m);
        if (rc == DK_CHECK && n.quarantine_count > 0) {
            /* Said once, by the lines sync_print writes: later rounds go on. */
            report_quarantine(ctx);
            rc = 0;
        }
        if (rc == 0) {
            if ((rc = sync_print(ctx, &n)) != 0)
                return rc;
            retry = 0;
            flags = 0; /* a repair is made once */
        } else if (rc == DK_NET && !n.final) {
            retry = retry ? (retry * 2 > 60 ? 60 : retry * 2) : 1;
            pause = retry;
            fputs("docket: sync: ", stderr);
            text_put(stderr, ctx->diag.msg);
            fprintf(stderr, " (trying again in %u s)\n", pause);
            fflush(stderr);
            memset(&ctx->diag, 0, sizeof ctx->diag);
        } else {
            return rc;
        }
        sleep(pause);
    }
}

const struct cmd_entry cmd_sync = {
    .name = "sync",
    .usage = "[--once] [--interval SECONDS] [--json]",
    .summary = "Publish this store's events to the shared log and apply everyone else's.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
