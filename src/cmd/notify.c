/* notify.c: `docket notify`: queue a notice of what changed and what is overdue, and deliver
 * what waits in the outbox to the webhook. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "docket/net.h"
#include "docket/notify.h"

static const struct opt opts[] = {
    {"format", 0, "FORMAT", 0, "json (default) or slack"},
    {"webhook-file", 0, "FILE", 0,
     "a file, readable by its owner only, holding the webhook URL (else $DOCKET_WEBHOOK_URL)"},
    {"force", 0, NULL, 0, "deliver every waiting notice now, whatever its backoff"},
    {NULL, 0, NULL, 0, NULL},
};

/* Reads the webhook URL into BUF: from FILE (which must be its owner's alone), else from
 * $DOCKET_WEBHOOK_URL. The URL usually holds a token: it is never printed. */
static int
webhook(const char *file, char *buf, size_t n, struct diag *d)
{
    struct stat sb;
    FILE *f;

    if (file == NULL) {
        const char *env = getenv("DOCKET_WEBHOOK_URL");

        if (env == NULL || env[0] == '\0')
            return diag_set(d, DK_USAGE,
                            "no webhook: set $DOCKET_WEBHOOK_URL or give --webhook-file FILE");
        snprintf(buf, n, "%s", env);
    } else {
        if ((f = fopen(file, "r")) == NULL)
            return diag_set(d, DK_IO, "cannot read '%s': %s", file, strerror(errno));
        if (fstat(fileno(f), &sb) != 0 || (sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
            fclose(f);
            return diag_set(d, DK_DATA,
                            "'%s' holds a secret: it must be yours and readable by you only "
                            "(chmod 600)",
                            file);
        }
        if (fgets(buf, (int)n, f) == NULL) {
            buf[0] = '\0';
            if (ferror(f)) {
                int e = errno;

                fclose(f);
                return diag_set(d, DK_IO, "cannot read '%s': %s", file, strerror(e));
            }
        }
        fclose(f);
        buf[strcspn(buf, " \t\r\n")] = '\0';
    }
    if (strncmp(buf, "http://", 7) != 0 && strncmp(buf, "https://", 8) != 0)
        return diag_set(d, DK_DATA, "the webhook is not an http or https URL");
    return 0;
}

struct job {
    struct cmd_ctx *ctx;
    const char *format;
    int queued, force;
    struct notice *pending;
    size_t n;
    const char *id, *why; /* the delivery to mark */
    int delivered;
};

static int
queue(void *arg)
{
    struct job *j = arg;

    return notify_queue(j->ctx->db, j->format, &j->queued, &j->ctx->diag);
}

static int
pending(void *arg)
{
    struct job *j = arg;

    return notify_pending(j->ctx->db, j->force, &j->pending, &j->n, &j->ctx->diag);
}

static int
mark(void *arg)
{
    struct job *j = arg;

    return notify_mark(j->ctx->db, j->id, j->delivered, j->why, &j->ctx->diag);
}

static int
run(struct cmd_ctx *ctx)
{
    const char *format = args_get(&ctx->args, "format") ? args_get(&ctx->args, "format") : "json";
    struct job j = {.ctx = ctx, .format = format, .force = args_get(&ctx->args, "force") != NULL};
    char url[4096], header[80], why[320] = "";
    size_t sent = 0;
    struct net_opts o;
    int rc;

    if (strcmp(format, "json") != 0 && strcmp(format, "slack") != 0)
        return diag_set(&ctx->diag, DK_USAGE, "unknown format '%s' (json or slack)", format);
    if ((rc = webhook(args_get(&ctx->args, "webhook-file"), url, sizeof url, &ctx->diag)) != 0)
        return rc;
    /* The notice is queued and committed first; delivery comes after, outside any
     * transaction, and a failure leaves it waiting in the outbox. */
    if ((rc = db_tx(ctx->db, DB_TX_WRITE, queue, &j, &ctx->diag)) != 0 ||
        (rc = db_tx(ctx->db, DB_TX_READ, pending, &j, &ctx->diag)) != 0)
        return rc;
    net_defaults(&o);
    for (size_t i = 0; i < j.n && rc == 0; i++) {
        struct net_reply reply = {0};
        struct diag nd = {0};
        const char *headers[] = {header, NULL};

        snprintf(header, sizeof header, "Docket-Notice-Id: %s", j.pending[i].id);
        j.id = j.pending[i].id;
        j.delivered = net_post(url, "the webhook", "application/json", j.pending[i].body, headers,
                               &o, &reply, &nd) == 0;
        free(reply.body);
        j.why = nd.msg;
        if (!j.delivered && why[0] == '\0')
            snprintf(why, sizeof why, "%s", nd.msg);
        sent += j.delivered;
        rc = db_tx(ctx->db, DB_TX_WRITE, mark, &j, &ctx->diag);
    }
    if (rc == 0) {
        fprintf(ctx->out, "%s; delivered %zu of %zu waiting\n",
                j.queued ? "queued a notice" : "nothing new to notify", sent, j.n);
        if (sent < j.n)
            rc =
                diag_set(&ctx->diag, DK_NET, "%s; %zu notices wait in the outbox", why, j.n - sent);
    }
    notify_free(j.pending, j.n);
    return rc;
}

const struct cmd_entry cmd_notify = {
    .name = "notify",
    .usage = "[--format json|slack] [--webhook-file FILE] [--force]",
    .summary = "Post what changed and what is overdue to a webhook, through an outbox.",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
    .flags = CMD_STORE | CMD_WRITE | CMD_NOTX,
    .run = run,
};
