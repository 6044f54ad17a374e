/* notify.c: notices of what changed and what is overdue, queued in an outbox and delivered to
 * a webhook after the commit. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/notify.h"
#include "docket/uuid.h"

enum { LISTED = 100 }; /* changes and overdue items written out in one notice */

static json_t *
col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? json_string((const char *)s) : json_null();
}

/* Collects the status changes among the events after sequence number AFTER (up to THROUGH)
 * and the overdue items as of TODAY into O; *CHANGES and *OVERDUE get their counts. The
 * sequence numbers are this store's: an event that sync brings in with an older recorded
 * time still comes after the last notice. */
static int
collect(struct db *db, long long after, long long through, const char *today, json_t *o,
        long long *changes, long long *overdue, struct diag *d)
{
    static const char changes_sql[] =
        "SELECT i.key, e.old_value, e.new_value, e.eff, e.recorded, e.actor, e.reason FROM "
        "event e JOIN items i ON i.uuid = e.item WHERE e.type = 'status' AND e.seq > :after "
        "AND e.seq <= :through ORDER BY e.seq";
    static const char overdue_sql[] = "SELECT key, title, next_due FROM items WHERE next_due < "
                                      ":today ORDER BY next_due, key";
    json_t *list = json_array();
    sqlite3_stmt *st;
    int rc;

    *changes = *overdue = 0;
    if ((rc = db_prep(db, changes_sql, &st, d)) != 0 ||
        (rc = db_bind_int(db, st, ":after", after, d)) != 0 ||
        (rc = db_bind_int(db, st, ":through", through, d)) != 0)
        goto fail;
    while ((rc = db_row(db, st, d)) == 1)
        if ((*changes)++ < LISTED)
            json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "key",
                                                  col(st, 0), "old", col(st, 1), "new", col(st, 2),
                                                  "effective", col(st, 3), "recorded", col(st, 4),
                                                  "by", col(st, 5), "reason", col(st, 6)));
    if (rc < 0)
        goto fail;
    json_object_set_new(o, "changes", list);
    list = json_array();
    if ((rc = db_prep(db, overdue_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":today", today, d)) != 0)
        goto fail;
    while ((rc = db_row(db, st, d)) == 1)
        if ((*overdue)++ < LISTED)
            json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "key", col(st, 0), "title",
                                                  col(st, 1), "due", col(st, 2)));
    if (rc < 0)
        goto fail;
    json_object_set_new(o, "overdue", list);
    json_object_set_new(o, "changes_total", json_integer(*changes));
    json_object_set_new(o, "overdue_total", json_integer(*overdue));
    return 0;
fail:
    json_decref(list);
    return d->code ? d->code : rc;
}

/* Writes S to F for a Slack message: '&', '<' and '>' escaped as Slack asks, so that text
 * from the store ("<!channel>", "<URL|text>") is shown, never taken as a mention or a link. */
static void
slack_put(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else
            fputc(*s, f);
    }
}

/* Writes the string KEY of object V with slack_put, or ALT when it is not a string. */
static void
slack_field(FILE *f, json_t *v, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(v, key));

    slack_put(f, s ? s : alt);
}

/* One piece of a list line: text as it is, then a field (or its stand-in when missing). */
struct slack_piece {
    const char *text, *key, *alt;
};

/* Writes a line for each object of array LIST, made of PIECES (up to one with no text). */
static void
slack_list(FILE *f, json_t *list, const struct slack_piece *pieces)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);

        for (const struct slack_piece *p = pieces; p->text; p++) {
            fputs(p->text, f);
            if (p->key)
                slack_field(f, v, p->key, p->alt);
        }
    }
}

/* Writes the notice O as Slack's {"text": ...}; every value from the store is escaped. */
static char *
slack(json_t *o)
{
    static const struct slack_piece change[] = {
        {"\n- ", "key", ""}, {": ", "old", "(none)"}, {" -> ", "new", ""}, {" (", "effective", ""},
        {", by ", "by", ""}, {")", NULL, NULL},       {NULL, NULL, NULL}};
    static const struct slack_piece overdue[] = {
        {"\n- ", "key", ""}, {" (due ", "due", ""}, {")", NULL, NULL}, {NULL, NULL, NULL}};
    json_t *v;
    char *text = NULL, *out;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (f == NULL)
        return NULL;
    fprintf(f, "docket: %lld status changes since ",
            (long long)json_integer_value(json_object_get(o, "changes_total")));
    slack_field(f, o, "since", "");
    slack_list(f, json_object_get(o, "changes"), change);
    fprintf(f, "\n%lld overdue",
            (long long)json_integer_value(json_object_get(o, "overdue_total")));
    slack_list(f, json_object_get(o, "overdue"), overdue);
    fclose(f);
    v = json_pack("{s:s}", "text", text ? text : "");
    out = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    free(text);
    return out;
}

int
notify_queue(struct db *db, const char *format, int *queued, struct diag *d)
{
    static const char last_sql[] =
        "SELECT coalesce(max(created), '0000-01-01T00:00:00.000Z'), "
        "coalesce(max(created), '') > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'), "
        "coalesce(max(through_seq), 0), (SELECT coalesce(max(seq), 0) FROM event) FROM outbox";
    static const char insert_sql[] =
        "INSERT INTO outbox (id, created, format, body, through_seq, next_attempt) VALUES (:id, "
        ":created, :format, :body, :through, :created)";
    char id[UUID_LEN + 1], now[TS_LEN + 1], today[11], since[TS_LEN + 1], counts[2][24];
    json_t *o = NULL;
    char *body = NULL;
    long long changes, overdue, after, through;
    struct event e = {.type = "notice", .reason = "a notice is due"};
    sqlite3_stmt *st;
    int rc, recent;

    *queued = 0;
    if ((rc = db_prep(db, last_sql, &st, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) != 1) {
        sqlite3_reset(st);
        return rc < 0 ? d->code : diag_set(d, DK_STORE, "cannot read the outbox");
    }
    snprintf(since, sizeof since, "%s", (const char *)sqlite3_column_text(st, 0));
    recent = sqlite3_column_int(st, 1);
    after = sqlite3_column_int64(st, 2);
    through = sqlite3_column_int64(st, 3);
    sqlite3_reset(st);
    ts_now(now);
    date_today(today);
    if (uuid_v4(id) != 0 || (o = json_object()) == NULL)
        return diag_set(d, DK_STORE, "cannot make a notice id");
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "replica", json_string(db_replica(db)));
    json_object_set_new(o, "since", json_string(since));
    json_object_set_new(o, "created", json_string(now));
    if ((rc = collect(db, after, through, today, o, &changes, &overdue, d)) != 0)
        goto out;
    /* Something new to say: changes, or overdue items not reminded of for a day. */
    if (changes == 0 && (overdue == 0 || recent))
        goto out;
    body = strcmp(format, "slack") == 0 ? slack(o) : json_dumps(o, JSON_COMPACT);
    if (body == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    if ((rc = db_prep(db, insert_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":id", id, d)) != 0 ||
        (rc = db_bind_text(db, st, ":created", now, d)) != 0 ||
        (rc = db_bind_text(db, st, ":format", format, d)) != 0 ||
        (rc = db_bind_text(db, st, ":body", body, d)) != 0 ||
        (rc = db_bind_int(db, st, ":through", through, d)) != 0 || (rc = db_run(db, st, d)) != 0)
        goto out;
    /* The notice is a fact of the trail too, in the same transaction as its outbox row. */
    snprintf(counts[0], sizeof counts[0], "%lld", changes);
    snprintf(counts[1], sizeof counts[1], "%lld", overdue);
    e.subject = id;
    e.eff = today;
    if ((e.attrs = json_object()) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    ev_attr(e.attrs, "format", format);
    ev_attr(e.attrs, "changes", counts[0]);
    ev_attr(e.attrs, "overdue", counts[1]);
    ev_attr(e.attrs, "since", since);
    if ((rc = ev_append(db, &e, NULL, d)) == 0)
        *queued = 1;
out:
    json_decref(e.attrs);
    json_decref(o);
    free(body);
    return rc;
}

void
notify_free(struct notice *n, size_t count)
{
    for (size_t i = 0; n && i < count; i++)
        free(n[i].body);
    free(n);
}

int
notify_pending(struct db *db, int force, struct notice **out, size_t *count, struct diag *d)
{
    static const char sql[] =
        "SELECT id, format, body, attempts FROM outbox WHERE delivered IS NULL AND (:force OR "
        "next_attempt <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ORDER BY created";
    struct notice *n = NULL, *tmp;
    size_t k = 0;
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":force", force, d)))
        return rc;
    while ((rc = db_row(db, st, d)) == 1) {
        if ((tmp = realloc(n, (k + 1) * sizeof *n)) == NULL) {
            sqlite3_reset(st);
            notify_free(n, k);
            return diag_set(d, DK_STORE, "out of memory");
        }
        n = tmp;
        snprintf(n[k].id, sizeof n[k].id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(n[k].format, sizeof n[k].format, "%s", (const char *)sqlite3_column_text(st, 1));
        n[k].body = strdup((const char *)sqlite3_column_text(st, 2));
        n[k].attempts = sqlite3_column_int(st, 3);
        k++;
    }
    if (rc < 0) {
        notify_free(n, k);
        return d->code;
    }
    *out = n;
    *count = k;
    return 0;
}

int
notify_mark(struct db *db, const char *id, int delivered, const char *why, struct diag *d)
{
    static const char ok_sql[] =
        "UPDATE outbox SET delivered = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), attempts = "
        "attempts + 1, last_error = NULL WHERE id = :id";
    static const char fail_sql[] =
        "UPDATE outbox SET attempts = attempts + 1, last_error = :why, next_attempt = "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('+%d seconds', min(3600, 10 << "
        "min(attempts, 9)))) WHERE id = :id";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, delivered ? ok_sql : fail_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":id", id, d)) != 0 ||
        (!delivered && (rc = db_bind_text(db, st, ":why", why, d)) != 0))
        return rc;
    return db_run(db, st, d);
}
