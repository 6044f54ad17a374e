/* test_state.c: the state projected from the events: kept current, or as of any past date. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/item.h"
#include "docket/state.h"
#include "support.h"

static const char *
status_of(struct db *db, const char *key)
{
    return support_item_col(db, "status", key);
}

/* The status of KEY as of the end of ASOF by what was recorded until KNOWN. */
static const char *
status_asof(struct db *db, const char *asof, const char *known, const char *key)
{
    static char buf[256];
    struct diag d = {0};

    if (state_asof(db, asof, known, &d) != 0)
        fail_msg("state_asof(%s, %s): %s", asof ? asof : "NULL", known ? known : "NULL", d.msg);
    snprintf(buf, sizeof buf, "%s", status_of(db, key));
    assert_int_equal(state_asof_end(db, &d), 0);
    return buf;
}

struct undo {
    long long seq;
};

static int
do_revert(struct db *db, void *arg, struct diag *d)
{
    struct undo *u = arg;
    char today[11];

    date_today(today);
    return item_revert(db, u->seq, "mistaken", today, NULL, d);
}

static int
revert(struct db *db, long long seq, struct diag *d)
{
    struct undo u = {seq};

    return support_write(db, do_revert, &u, d);
}

/* Copies the recorded time of event SEQ into OUT. */
static void
recorded_of(struct db *db, long long seq, char out[TS_LEN + 1])
{
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT recorded FROM event WHERE seq = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, TS_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(strlen(out), TS_LEN);
}

/* Waits long enough for the millisecond clock to move on. */
static void
tick(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};

    nanosleep(&ts, NULL);
}

static void
checklist_gives_the_initial_state(void **state)
{
    struct db *db = *state;

    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    assert_int_equal(support_int(db, "SELECT count(*) FROM documents"), 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM paragraphs"), 7);
    assert_int_equal(support_int(db, "SELECT count(*) FROM kinds"), 8);
    assert_int_equal(support_int(db, "SELECT count(*) FROM vocab"), 42);
    /* Memberships to keep start as members; baselines hold; the rest start at the initial. */
    assert_string_equal(status_of(db, "iasmn"), "member");
    assert_string_equal(status_of(db, "smt"), "member");
    assert_string_equal(status_of(db, "iasc"), "invitee");
    assert_string_equal(status_of(db, "appreciation"), "expressed");
    assert_string_equal(status_of(db, "ceb"), "not-approached");
    assert_string_equal(status_of(db, "legal.approach"), "not-started");
    assert_string_equal(support_item_col(db, "since", "ceb"), "(null)");
    assert_string_equal(support_item_col(db, "since", "iasmn"), "2015-11-24");
    assert_string_equal(support_item_col(db, "progress", "iasmn"), "100");
    assert_string_equal(support_item_col(db, "progress", "iasc"), "60");
    assert_string_equal(support_item_col(db, "progress", "ceb"), "0");
    assert_string_equal(support_item_col(db, "final", "iasmn"), "1");
    assert_string_equal(support_item_col(db, "created", "ceb"), "2015-11-24");
    assert_string_equal(support_item_col(db, "parent", "ceb.hlcm"), "ceb");
    assert_string_equal(support_item_col(db, "ref", "ceb.hlcm"), "2(c)");
    assert_string_equal(support_item_col(db, "doc", "ceb"), "C/106/RES/1309");
    /* A reporting duty is due a cadence after its creation. */
    assert_string_equal(support_item_col(db, "cadence_months", "report.wg"), "6");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2016-05-24");
    assert_string_equal(support_item_col(db, "next_due", "iasmn"), "(null)");
}

static void
asof_answers_by_effective_date(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    support_set_status(db, "ceb", "approached", "2016-03-15");
    support_set_status(db, "ceb", "member", "2017-01-01");
    assert_string_equal(status_of(db, "ceb"), "member");
    assert_string_equal(status_asof(db, "2016-03-14", NULL, "ceb"), "not-approached");
    assert_string_equal(status_asof(db, "2016-03-15", NULL, "ceb"), "approached");
    assert_string_equal(status_asof(db, "2016-12-31", NULL, "ceb"), "approached");
    assert_string_equal(status_asof(db, "2017-01-01", NULL, "ceb"), "member");
    assert_string_equal(status_asof(db, NULL, NULL, "ceb"), "member");

    /* Before the resolution was adopted, nothing was tracked the kinds in force at its
     * adoption hold, to name the statuses of baselines from before it (set --baseline). */
    assert_int_equal(state_asof(db, "2015-11-23", NULL, &d), 0);
    /* But iasc, a standing invitee since 1992 (a baseline from before). */
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 1);
    assert_string_equal(status_of(db, "iasc"), "invitee");
    assert_int_equal(support_int(db, "SELECT count(*) FROM kinds"),
                     support_int(db, "SELECT count(*) FROM main.kinds"));
    assert_int_equal(support_int(db, "SELECT count(*) FROM documents"), 0);
    assert_int_equal(state_asof(db, "2015-11-24", NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    assert_string_equal(status_of(db, "iasmn"), "member");
    assert_string_equal(support_item_col(db, "progress", "ceb"), "0");
    assert_int_equal(state_asof_end(db, &d), 0);
    /* Ending twice is harmless; the maintained tables are back. */
    assert_int_equal(state_asof_end(db, &d), 0);
    assert_string_equal(status_of(db, "ceb"), "member");
    assert_int_equal(support_int(db, "SELECT count(*) FROM temp.sqlite_master"), 0);
}

static void
a_back_dated_status_does_not_override_a_later_one(void **state)
{
    struct db *db = *state;

    support_set_status(db, "ceb", "approached", "2017-01-01");
    support_set_status(db, "ceb", "member", "2016-06"); /* recorded later, effective earlier */
    assert_string_equal(status_of(db, "ceb"), "approached");
    assert_string_equal(support_item_col(db, "since", "ceb"), "2017-01-01");
    assert_string_equal(status_asof(db, "2016-12-31", NULL, "ceb"), "member");
    assert_string_equal(status_asof(db, "2016-06-30", NULL, "ceb"), "member");
    /* "2016-06" counts from the end of June. */
    assert_string_equal(status_asof(db, "2016-06-15", NULL, "ceb"), "not-approached");
    assert_string_equal(status_asof(db, "2016-05-31", NULL, "ceb"), "not-approached");
    assert_string_equal(status_asof(db, "2017-01-01", NULL, "ceb"), "approached");
}

static void
a_year_counts_from_its_last_day(void **state)
{
    struct db *db = *state;

    support_set_status(db, "echa", "observer", "2016");
    assert_string_equal(status_of(db, "echa"), "observer");
    assert_string_equal(support_item_col(db, "since", "echa"), "2016");
    assert_string_equal(status_asof(db, "2016-06-30", NULL, "echa"), "not-approached");
    assert_string_equal(status_asof(db, "2016-12-30", NULL, "echa"), "not-approached");
    assert_string_equal(status_asof(db, "2016-12-31", NULL, "echa"), "observer");
    /* "2016-11" ends before "2016" does: from 2016-12-31 on, the year's entry is the later. */
    support_set_status(db, "echa", "member", "2016-11");
    assert_string_equal(status_asof(db, "2016-11-30", NULL, "echa"), "member");
    assert_string_equal(status_asof(db, "2016-12-31", NULL, "echa"), "observer");
    assert_string_equal(status_of(db, "echa"), "observer");
}

static void
ties_go_to_the_later_sequence(void **state)
{
    struct db *db = *state;
    long long s1, s2, s3;

    s1 = support_set_status(db, "ceb.hlcm", "approached", "2016-05-01");
    s2 = support_set_status(db, "ceb.hlcm", "observer", "2016-05-01");
    assert_true(s2 > s1);
    assert_string_equal(status_of(db, "ceb.hlcm"), "observer");
    assert_string_equal(status_asof(db, "2016-05-01", NULL, "ceb.hlcm"), "observer");
    s3 = support_set_status(db, "ceb.hlcm", "approached", "2016-05-01");
    assert_string_equal(status_of(db, "ceb.hlcm"), "approached");
    assert_int_equal(support_int(db, "SELECT status_seq FROM items WHERE key = 'ceb.hlcm'"), s3);
    /* "2016-05" and "2016-05-31" end on the same day: a tie, so the later entry wins. */
    support_set_status(db, "ceb.hlcp", "member", "2016-05-31");
    support_set_status(db, "ceb.hlcp", "lapsed", "2016-05");
    assert_string_equal(status_of(db, "ceb.hlcp"), "lapsed");
}

/* Marks event SEQ as published at position POS of the shared log. */
static void
publish(struct db *db, long long seq, long long pos)
{
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(db_handle(db),
                                        "INSERT INTO shared (uuid, seq, pos, hash, received) "
                                        "SELECT uuid, seq, ?2, hash, recorded FROM event "
                                        "WHERE seq = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, pos);
    if (sqlite3_step(st) != SQLITE_DONE)
        fail_msg("cannot publish event %lld: %s", seq, sqlite3_errmsg(db_handle(db)));
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_changes(db_handle(db)), 1);
}

static void
ties_follow_the_shared_log_then_unpublished_last(void **state)
{
    struct db *db = *state;
    long long s1, s2, s3;

    s1 = support_set_status(db, "echa", "observer", "2016-05-01");
    s2 = support_set_status(db, "echa", "invitee", "2016-05-01");
    /* Published in the other order: the later position in the shared log wins, whatever the
     * local sequence says. */
    publish(db, s2, 3);
    publish(db, s1, 5);
    assert_string_equal(status_asof(db, NULL, NULL, "echa"), "observer");
    assert_string_equal(status_asof(db, "2016-05-01", NULL, "echa"), "observer");
    /* An unpublished entry on the same date counts as the latest of all. */
    s3 = support_set_status(db, "echa", "approached", "2016-05-01");
    assert_true(s3 > s2);
    assert_string_equal(status_asof(db, NULL, NULL, "echa"), "approached");
    assert_string_equal(status_of(db, "echa"), "approached");
    /* A later effective date still beats any position. */
    publish(db, s3, 6);
    support_set_status(db, "echa", "member", "2016-05-02");
    publish(db, db_writer(db)->seq, 1);
    assert_string_equal(status_asof(db, NULL, NULL, "echa"), "member");
}

static int
add_kenya(struct db *db, void *arg, struct diag *d)
{
    struct item_spec s = {.key = "unct/KEN", .title = "First title"};

    (void)arg;
    return item_add(db, &s, d);
}

static void
a_duplicate_creation_yields_to_the_first_in_log_order(void **state)
{
    struct db *db = *state;
    struct diag d = {0};
    long long first, second;
    char uuid[64];

    assert_int_equal(support_write(db, add_kenya, NULL, &d), 0);
    first = db_writer(db)->seq;
    /* Another office created the same item (same uuid) and its event arrived here: put it in
     * the log behind the tool's back, as an import would. */
    assert_int_equal(
        sqlite3_exec(db_handle(db),
                     "INSERT INTO event (seq, uuid, batch, type, item, subject, old_value, "
                     "new_value, attrs, reason, eff, recorded, actor, login, replica, hash) "
                     "SELECT seq + 1, 'b7d3b0f4-5a8e-4c1e-9a61-000000000002', batch, type, item, "
                     "subject, old_value, 'Second title', attrs, reason, eff, recorded, 'other', "
                     "'other', 'other-replica', hash FROM event WHERE seq = "
                     "(SELECT max(seq) FROM event WHERE type = 'item')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    second = support_int(db, "SELECT max(seq) FROM event");
    assert_int_equal(second, first + 1);
    snprintf(uuid, sizeof uuid, "%s", support_item_col(db, "uuid", "unct/KEN"));

    /* Both unpublished: the earlier local sequence counts, and there is one item, not two. */
    assert_int_equal(state_asof(db, NULL, NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE key = 'unct/KEN'"), 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 32);
    assert_string_equal(support_item_col(db, "title", "unct/KEN"), "First title");
    assert_int_equal(state_asof_end(db, &d), 0);

    /* Published in the other order: the first in the shared log counts. */
    publish(db, second, 1);
    publish(db, first, 2);
    assert_int_equal(state_asof(db, NULL, NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE key = 'unct/KEN'"), 1);
    assert_string_equal(support_item_col(db, "title", "unct/KEN"), "Second title");
    assert_int_equal(state_asof_end(db, &d), 0);
    assert_int_equal(state_apply(db, "item", uuid, &d), 0);
    assert_string_equal(support_item_col(db, "title", "unct/KEN"), "Second title");
    assert_int_equal(state_check(db, &d), 0);
}

static void
known_at_hides_what_was_recorded_later(void **state)
{
    struct db *db = *state;
    char before[TS_LEN + 1], t1[TS_LEN + 1], t2[TS_LEN + 1];
    long long s1, s2;
    struct diag d = {0};

    recorded_of(db, support_int(db, "SELECT max(seq) FROM event"), before);
    tick();
    s1 = support_set_status(db, "unct", "approached", "2016-01-01");
    tick();
    s2 = support_set_status(db, "unct", "member", "2016-06-01");
    recorded_of(db, s1, t1);
    recorded_of(db, s2, t2);
    assert_true(strcmp(before, t1) < 0);
    assert_true(strcmp(t1, t2) < 0);

    assert_string_equal(status_asof(db, NULL, before, "unct"), "not-approached");
    assert_string_equal(status_asof(db, NULL, t1, "unct"), "approached");
    assert_string_equal(status_asof(db, NULL, t2, "unct"), "member");
    assert_string_equal(status_asof(db, NULL, NULL, "unct"), "member");
    /* Both times at once: as of 2016-03 by what was known at t2. */
    assert_string_equal(status_asof(db, "2016-03-31", t2, "unct"), "approached");
    /* Before the checklist was loaded the tracker knew of nothing. */
    assert_int_equal(state_asof(db, NULL, "2000-01-01T00:00:00.000Z", &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 0);
    assert_int_equal(state_asof_end(db, &d), 0);
}

static void
revert_cancels_a_status(void **state)
{
    struct db *db = *state;
    char t1[TS_LEN + 1];
    struct diag d = {0};
    long long s1, s2, item_seq;

    s1 = support_set_status(db, "ceb", "approached", "2016-01-01");
    tick();
    s2 = support_set_status(db, "ceb", "member", "2016-06-01");
    recorded_of(db, s2, t1);
    tick();
    assert_int_equal(revert(db, s2, &d), 0);
    assert_string_equal(status_of(db, "ceb"), "approached");
    assert_int_equal(support_int(db, "SELECT status_seq FROM items WHERE key = 'ceb'"), s1);
    /* Both stay in the trail; the tracker at t1 did not yet know of the revert. */
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'revert'"), 1);
    assert_string_equal(status_asof(db, NULL, t1, "ceb"), "member");
    assert_string_equal(status_asof(db, "2016-12-31", NULL, "ceb"), "approached");

    assert_int_equal(revert(db, s2, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "already reverted"));
    memset(&d, 0, sizeof d);
    assert_int_equal(revert(db, s1, &d), 0);
    assert_string_equal(status_of(db, "ceb"), "not-approached");
    assert_string_equal(support_item_col(db, "since", "ceb"), "(null)");

    item_seq = support_int(db, "SELECT seq FROM event WHERE type = 'item' AND subject = 'ceb'");
    assert_true(item_seq > 0);
    memset(&d, 0, sizeof d);
    assert_int_equal(revert(db, item_seq, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "cannot be reverted"));
    memset(&d, 0, sizeof d);
    assert_int_equal(revert(db, support_int(db, "SELECT max(seq) FROM event"), &d), DK_DATA);
    memset(&d, 0, sizeof d);
    assert_int_equal(revert(db, 1, &d), DK_DATA); /* the document */
    memset(&d, 0, sizeof d);
    assert_int_equal(revert(db, 999999, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "no event"));
    assert_int_equal(state_check(db, &d), 0);
}

static void
revert_of_a_baseline_falls_back_to_the_initial(void **state)
{
    struct db *db = *state;
    struct diag d = {0};
    long long base;

    base = support_int(db, "SELECT status_seq FROM items WHERE key = 'iasmn'");
    assert_true(base > 0);
    assert_int_equal(revert(db, base, &d), 0);
    assert_string_equal(status_of(db, "iasmn"), "not-approached");
    assert_string_equal(support_item_col(db, "progress", "iasmn"), "0");
    /* iasc has two: the one at the adoption reverted, its standing invitation since 1992
     * stands. */
    base = support_int(db, "SELECT status_seq FROM items WHERE key = 'iasc'");
    assert_int_equal(revert(db, base, &d), 0);
    assert_string_equal(status_of(db, "iasc"), "invitee");
    assert_string_equal(support_item_col(db, "since", "iasc"), "1992");
}

static void
vocabulary_gives_progress_and_finality(void **state)
{
    struct db *db = *state;

    support_set_status(db, "ceb", "approached", "2016-01-01");
    assert_string_equal(support_item_col(db, "progress", "ceb"), "20");
    assert_string_equal(support_item_col(db, "final", "ceb"), "0");
    support_set_status(db, "ceb", "member", "2016-06-01");
    assert_string_equal(support_item_col(db, "progress", "ceb"), "100");
    assert_string_equal(support_item_col(db, "final", "ceb"), "1");
    {
        struct diag d = {0};

        assert_int_equal(state_asof(db, "2016-03-01", NULL, &d), 0);
        assert_string_equal(support_item_col(db, "progress", "ceb"), "20");
        assert_int_equal(state_asof(db, "2016-06-01", NULL, &d), 0);
        assert_string_equal(support_item_col(db, "progress", "ceb"), "100");
        assert_int_equal(state_asof_end(db, &d), 0);
    }
    support_set_status(db, "safeguard.independence", "at-risk", "2016-01-01");
    assert_string_equal(support_item_col(db, "progress", "safeguard.independence"), "50");
}

static void
a_submission_moves_the_next_due_date(void **state)
{
    struct db *db = *state;

    support_set_status(db, "report.wg", "in-preparation", "2016-02-01");
    assert_string_equal(support_item_col(db, "submitted", "report.wg"), "(null)");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2016-05-24");
    support_set_status(db, "report.wg", "submitted", "2016-03-01");
    assert_string_equal(support_item_col(db, "submitted", "report.wg"), "2016-03-01");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2016-09-01");
    /* Six months after the 31st of August is the end of February, not the 3rd of March. */
    support_set_status(db, "report.wg", "submitted", "2016-08-31");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2017-02-28");
    /* A month given alone counts from its last day; a leap year's February ends on the 29th. */
    support_set_status(db, "report.wg", "submitted", "2019-08");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2020-02-29");
    support_set_status(db, "report.wg", "discontinued", "2020-04-01");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "(null)");
    assert_string_equal(status_asof(db, "2016-03-31", NULL, "report.wg"), "submitted");
}

struct edit {
    const char *key, *field, *value, *eff;
};

static int
do_edit(struct db *db, void *arg, struct diag *d)
{
    struct edit *e = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = item_load(db, e->key, &it, d)) == 0 && (rc = date_parse(e->eff, &eff, d)) == 0)
        rc = item_edit(db, &it, e->field, e->value, &eff, "test", d);
    item_free(&it);
    return rc;
}

static void
edits_are_seen_as_of_their_date(void **state)
{
    struct db *db = *state;
    struct edit e = {"echa", "title", "Executive Committee (renamed)", "2017-01-01"};
    struct diag d = {0};
    char old[256];

    snprintf(old, sizeof old, "%s", support_item_col(db, "title", "echa"));
    assert_int_equal(support_write(db, do_edit, &e, &d), 0);
    assert_string_equal(support_item_col(db, "title", "echa"), "Executive Committee (renamed)");
    assert_int_equal(state_asof(db, "2016-12-31", NULL, &d), 0);
    assert_string_equal(support_item_col(db, "title", "echa"), old);
    assert_int_equal(state_asof_end(db, &d), 0);
    assert_int_equal(state_check(db, &d), 0);
}

static void
revert_of_an_edit_restores_the_field(void **state)
{
    struct db *db = *state;
    struct edit e = {"echa", "title", "Renamed", "2016-01-01"};
    struct diag d = {0};
    char old[256];
    long long seq;

    snprintf(old, sizeof old, "%s", support_item_col(db, "title", "echa"));
    assert_int_equal(support_write(db, do_edit, &e, &d), 0);
    seq = db_writer(db)->seq;
    assert_string_equal(support_item_col(db, "title", "echa"), "Renamed");
    assert_int_equal(revert(db, seq, &d), 0);
    assert_string_equal(support_item_col(db, "title", "echa"), old);
    assert_int_equal(state_check(db, &d), 0);
}

static void
a_revert_names_the_item_it_touches(void **state)
{
    struct db *db = *state;
    struct edit e = {"echa", "title", "Renamed", "2016-01-01"};
    struct diag d = {0};
    long long seq;

    /* The revert's attributes say what kind of event it cancelled and about which item, so
     * that the trail reads without looking the cancelled event up. */
    seq = support_set_status(db, "ceb", "approached", "2016-01-01");
    assert_int_equal(revert(db, seq, &d), 0);
    assert_string_equal(support_text(db, "SELECT json_extract(attrs, '$.type') || ' ' || "
                                         "json_extract(attrs, '$.key') FROM event ORDER BY seq "
                                         "DESC"),
                        "status ceb");
    assert_int_equal(support_write(db, do_edit, &e, &d), 0);
    seq = db_writer(db)->seq;
    assert_int_equal(revert(db, seq, &d), 0);
    assert_string_equal(support_text(db, "SELECT json_extract(attrs, '$.type') || ' ' || "
                                         "json_extract(attrs, '$.key') FROM event ORDER BY seq "
                                         "DESC"),
                        "edit echa");
}

static void
check_passes_on_a_consistent_store(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    assert_int_equal(state_check(db, &d), 0);
    assert_int_equal(d.code, 0);
    support_set_status(db, "ceb", "approached", "2016-01-01");
    support_set_status(db, "ceb", "member", "2015-12");
    assert_int_equal(state_check(db, &d), 0);
    /* It leaves the maintained tables visible. */
    assert_int_equal(support_int(db, "SELECT count(*) FROM temp.sqlite_master"), 0);
}

static void
check_finds_a_state_altered_behind_its_back(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    assert_int_equal(sqlite3_exec(db_handle(db),
                                  "UPDATE items SET status = 'member' WHERE key = 'ceb'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(state_check(db, &d), DK_CHECK);
    assert_non_null(strstr(d.msg, "'items'"));
    assert_non_null(strstr(d.msg, "'ceb'"));
}

static void
check_leaves_no_shadow_tables_when_it_finds_a_difference(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    assert_int_equal(sqlite3_exec(db_handle(db),
                                  "UPDATE items SET status = 'member' WHERE key = 'ceb'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(state_check(db, &d), DK_CHECK);
    /* After the check, `items` must name the maintained table again, as after any as-of. */
    assert_int_equal(support_int(db, "SELECT count(*) FROM temp.sqlite_master"), 0);
    assert_string_equal(status_of(db, "ceb"), "member");
}

static void
apply_rebuilds_what_an_event_touches(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    assert_int_equal(sqlite3_exec(db_handle(db), "DELETE FROM items", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(state_check(db, &d), DK_CHECK);
    assert_int_equal(state_asof_end(db, &d), 0);
    memset(&d, 0, sizeof d);
    /* A note touches no state table. */
    assert_int_equal(state_apply(db, "note", NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 0);
    /* A kind changes what every item reports: every item is projected again. */
    assert_int_equal(state_apply(db, "kind", NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    assert_string_equal(status_of(db, "iasc"), "invitee");
    assert_int_equal(state_check(db, &d), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(checklist_gives_the_initial_state, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(asof_answers_by_effective_date, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_back_dated_status_does_not_override_a_later_one,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(a_year_counts_from_its_last_day, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(ties_go_to_the_later_sequence, support_open, support_close),
        cmocka_unit_test_setup_teardown(ties_follow_the_shared_log_then_unpublished_last,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(a_duplicate_creation_yields_to_the_first_in_log_order,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(known_at_hides_what_was_recorded_later, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(revert_cancels_a_status, support_open, support_close),
        cmocka_unit_test_setup_teardown(revert_of_a_baseline_falls_back_to_the_initial,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(vocabulary_gives_progress_and_finality, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_submission_moves_the_next_due_date, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(edits_are_seen_as_of_their_date, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(revert_of_an_edit_restores_the_field, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_revert_names_the_item_it_touches, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(check_passes_on_a_consistent_store, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(check_finds_a_state_altered_behind_its_back, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(check_leaves_no_shadow_tables_when_it_finds_a_difference,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(apply_rebuilds_what_an_event_touches, support_open,
                                        support_close),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
