/* test_item.c: tracked items: finding them, and the changes a user records against them. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docket/date.h"
#include "docket/event.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/uuid.h"
#include "support.h"

static long long
events(struct db *db)
{
    return support_int(db, "SELECT count(*) FROM event");
}

/* One change to record against item KEY through support_write. */
struct change {
    const char *key;
    const char *a, *b, *c; /* what the change needs: a status, an amount and currency, ... */
    const char *eff;       /* NULL: 2016-01-01 */
    int result;            /* item_edit's return; for a cost, given: whether it may be a credit */
};

static int
with_item(struct db *db, struct change *ch, struct item *it, struct date *eff, struct diag *d)
{
    int rc;

    if ((rc = item_load(db, ch->key, it, d)) != 0)
        return rc;
    return date_parse(ch->eff ? ch->eff : "2016-01-01", eff, d);
}

static int
do_add(struct db *db, void *arg, struct diag *d)
{
    return item_add(db, arg, d);
}

static int
do_status(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = item_set_status(db, &it, ch->a, &eff, "test", ITEM_CHANGE, NULL, d);
    item_free(&it);
    return rc;
}

/* As do_status, with set --force. */
static int
do_confirm(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = item_set_status(db, &it, ch->a, &eff, "test", ITEM_CONFIRM, NULL, d);
    item_free(&it);
    return rc;
}

static int
do_revert(struct db *db, void *arg, struct diag *d)
{
    return item_revert(db, *(long long *)arg, "mistaken", "2016-06-01", NULL, d);
}

static int
do_cost(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = item_cost(db, &it, ch->a, ch->b, ch->c, ch->result, &eff, "estimate", NULL, d);
    item_free(&it);
    return rc;
}

static int
do_edit(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = ch->result = item_edit(db, &it, ch->a, ch->b, &eff, "edited", d);
    item_free(&it);
    return rc;
}

static int
do_evidence(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = item_evidence(db, &it, ch->a, &eff, "signed copy", NULL, d);
    item_free(&it);
    return rc;
}

static int
do_note(struct db *db, void *arg, struct diag *d)
{
    struct change *ch = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = with_item(db, ch, &it, &eff, d)) == 0)
        rc = item_note(db, &it, ch->a, &eff, NULL, d);
    item_free(&it);
    return rc;
}

/* Runs FN on ARG and expects CODE (and, when WANT is set, WANT in the message); a refused
 * change records nothing. */
static void
expect(struct db *db, int (*fn)(struct db *, void *, struct diag *), void *arg, int code,
       const char *want)
{
    struct diag d = {0};
    long long before = events(db);
    int rc = support_write(db, fn, arg, &d);

    if (rc != code)
        fail_msg("expected %d, got %d: %s", code, rc, d.msg);
    if (want && strstr(d.msg, want) == NULL)
        fail_msg("expected '%s' in '%s'", want, d.msg);
    if (code != 0)
        assert_int_equal(events(db), before);
}

static void
add(struct db *db, const struct item_spec *s)
{
    expect(db, do_add, (void *)s, 0, NULL);
}

static void
get_names_the_nearest_key(void **state)
{
    struct db *db = *state;
    struct item it = {0};
    struct diag d = {0};

    assert_int_equal(item_load(db, "cbe", &it, &d), DK_DATA);
    assert_string_equal(d.msg, "unknown item 'cbe' (did you mean 'ceb'?)");
    assert_null(it.uuid); /* out-parameters are written only on success */
    memset(&d, 0, sizeof d);
    assert_int_equal(item_load(db, "ceb.hlmc", &it, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "did you mean 'ceb.hlcm'"));
    memset(&d, 0, sizeof d);
    assert_int_equal(item_load(db, "nothing-like-it", &it, &d), DK_DATA);
    assert_null(strstr(d.msg, "did you mean"));
    assert_non_null(strstr(d.msg, "docket list"));

    memset(&d, 0, sizeof d);
    assert_int_equal(item_load(db, "ceb.hlcm", &it, &d), 0);
    assert_string_equal(it.key, "ceb.hlcm");
    assert_string_equal(it.kind, "membership");
    assert_string_equal(it.parent, "ceb");
    assert_string_equal(it.ref, "2(c)");
    assert_string_equal(it.goal, "obtain");
    assert_string_equal(it.status, "not-approached");
    assert_string_equal(it.created, "2015-11-24");
    assert_string_equal(it.doc, "C/106/RES/1309");
    assert_null(it.since);
    assert_int_equal(it.progress, 0);
    assert_int_equal(strlen(it.uuid), UUID_LEN);
    item_free(&it);
    assert_null(it.key);
    item_free(&it);
    item_free(NULL);
    assert_int_equal(item_load(db, "report.wg", &it, &d), 0);
    assert_int_equal(it.cadence_months, 6);
    item_free(&it);
}

static void
check_status_lists_the_vocabulary(void **state)
{
    struct db *db = *state;
    struct diag d = {0};

    assert_int_equal(item_check_status(db, NULL, "membership", "member", &d), 0);
    assert_int_equal(item_check_status(db, NULL, "membership", "not-approached", &d), 0);
    assert_int_equal(item_check_status(db, NULL, "membership", "membr", &d), DK_DATA);
    assert_string_equal(d.msg, "unknown status 'membr' for kind membership (did you mean "
                               "'member'? valid: not-approached, approached, "
                               "under-consideration, observer, invitee, member, "
                               "member-successor, lapsed, unconfirmed)");
    memset(&d, 0, sizeof d);
    assert_int_equal(item_check_status(db, NULL, "membership", "bogus", &d), DK_DATA);
    assert_string_equal(d.msg, "unknown status 'bogus' for kind membership (valid: "
                               "not-approached, approached, under-consideration, observer, "
                               "invitee, member, member-successor, lapsed, unconfirmed)");
    memset(&d, 0, sizeof d);
    /* Without a kind: every kind's statuses, by name, and where to see them by kind. */
    assert_int_equal(item_check_status(db, NULL, NULL, "bogus", &d), DK_DATA);
    assert_non_null(strstr(d.msg, "unknown status 'bogus' (valid: abandoned, acted-upon, "));
    /* The shipped vocabulary now passes the limit of names listed: the rest is elided. */
    assert_non_null(strstr(d.msg, ", under-evaluation, ...; see 'docket kinds')"));
    memset(&d, 0, sizeof d);
    assert_int_equal(item_check_status(db, NULL, NULL, "member", &d), 0);
    memset(&d, 0, sizeof d);
    /* A status of another kind is not one of this kind's. */
    assert_int_equal(item_check_status(db, NULL, "acknowledgement", "member", &d), DK_DATA);
    assert_non_null(strstr(d.msg, "(valid: pending, expressed)"));
    memset(&d, 0, sizeof d);
    assert_int_equal(item_check_status(db, NULL, "no-such-kind", "member", &d), DK_DATA);
    assert_non_null(strstr(d.msg, "none"));
    memset(&d, 0, sizeof d);
    assert_int_equal(item_check_kind(db, NULL, "safeguard", &d), 0);
    assert_int_equal(item_check_kind(db, NULL, "membrship", &d), DK_DATA);
    assert_string_equal(d.msg, "unknown kind 'membrship' (did you mean 'membership'? valid: "
                               "acknowledgement, action, approach, cost, membership, proposal, "
                               "reporting, safeguard; see 'docket kinds')");
    memset(&d, 0, sizeof d);
    assert_int_equal(item_check_kind(db, NULL, "bogus", &d), DK_DATA);
    assert_string_equal(d.msg, "unknown kind 'bogus' (valid: acknowledgement, action, approach, "
                               "cost, membership, proposal, reporting, safeguard; see 'docket "
                               "kinds')");
}

static void
an_instance_takes_what_it_is_an_instance_of(void **state)
{
    struct db *db = *state;
    struct item_spec s = {.key = "unct/KEN", .title = "UN country team, Kenya"};
    char want[UUID_LEN + 1];
    struct item it = {0};
    struct diag d = {0};

    add(db, &s);
    assert_int_equal(item_load(db, "unct/KEN", &it, &d), 0);
    assert_string_equal(it.kind, "membership");
    assert_string_equal(it.parent, "unct");
    assert_string_equal(it.ref, "2(c)");
    assert_string_equal(it.goal, "obtain");
    assert_string_equal(it.doc, "C/106/RES/1309");
    {
        char today[11];

        /* Tracked from the day it is added, not from its parent's adoption (#14). */
        date_today(today);
        assert_string_equal(it.created, today);
    }
    assert_string_equal(it.status, "not-approached");
    assert_string_equal(it.title, "UN country team, Kenya");
    /* Its uuid is the v5 UUID of its document and key. */
    assert_int_equal(uuid_v5("C/106/RES/1309\nunct/KEN", 23, want), 0);
    assert_string_equal(it.uuid, want);
    assert_string_equal(it.uuid, "64357929-a4db-5337-8ccb-43a489016ecb");
    item_free(&it);
    assert_int_equal(state_check(db, &d), 0);
}

static void
uuids_are_the_same_in_every_store(void **state)
{
    struct db *a = support_store(1), *b = support_store(1);
    struct item_spec s = {.key = "unct/KEN", .title = "Kenya"};
    struct item_spec other = {.key = "unct/KEN", .title = "Another title, same item"};
    char ua[UUID_LEN + 1];

    (void)state;
    assert_string_not_equal(db_replica(a), db_replica(b));
    add(a, &s);
    add(b, &other);
    snprintf(ua, sizeof ua, "%s", support_item_col(a, "uuid", "unct/KEN"));
    assert_string_equal(support_item_col(b, "uuid", "unct/KEN"), ua);
    snprintf(ua, sizeof ua, "%s", support_item_col(a, "uuid", "ceb"));
    assert_string_equal(support_item_col(b, "uuid", "ceb"), ua);
    assert_string_equal(ua, "bb7b7679-14a6-5a9b-ab1e-8c27d16e3ba8");
    /* Every checklist item, not only one. */
    assert_int_equal(support_int(a, "SELECT count(DISTINCT uuid) FROM items"), 32);
    snprintf(ua, sizeof ua, "%s", support_item_col(a, "uuid", "ceb.hlcm"));
    assert_string_equal(support_item_col(b, "uuid", "ceb.hlcm"), ua);
    snprintf(ua, sizeof ua, "%s", support_item_col(a, "uuid", "report.wg"));
    assert_string_equal(support_item_col(b, "uuid", "report.wg"), ua);
    /* Different keys, different items. */
    assert_string_not_equal(support_item_col(a, "uuid", "ceb.hlcp"), ua);
    db_close(a);
    db_close(b);
}

static void
add_refuses_bad_specs(void **state)
{
    struct db *db = *state;
    struct item_spec taken = {.key = "ceb", .title = "again", .kind = "membership"};
    struct item_spec badkey = {.key = "Bad Key", .title = "x", .kind = "membership"};
    struct item_spec notitle = {.key = "new.thing", .kind = "membership"};
    struct item_spec nokind = {.key = "new.thing", .title = "x"};
    struct item_spec unkind = {.key = "new.thing", .title = "x", .kind = "membrship"};
    struct item_spec unparent = {
        .key = "new.thing", .title = "x", .kind = "action", .parent = "nowhere"};
    struct item_spec unof = {.key = "nowhere/KEN", .title = "x"};
    struct item_spec wrongkind = {.key = "unct/KEN", .title = "x", .kind = "action"};
    struct item_spec wrongparent = {.key = "unct/KEN", .title = "x", .parent = "ceb"};
    struct item_spec badgoal = {
        .key = "new.thing", .title = "x", .kind = "membership", .goal = "maybe"};
    struct item_spec baddue = {
        .key = "new.thing", .title = "x", .kind = "action", .due = "2016-02-30"};
    struct item_spec badcad = {
        .key = "new.thing", .title = "x", .kind = "reporting", .cadence_months = "0"};
    struct item_spec future = {
        .key = "new.thing", .title = "x", .kind = "action", .eff = "2999-01-01"};
    struct item_spec badbase = {
        .key = "new.thing", .title = "x", .kind = "membership", .baseline = "membr"};

    expect(db, do_add, &taken, DK_DATA, "already exists");
    expect(db, do_add, &badkey, DK_DATA, "bad key");
    expect(db, do_add, &notitle, DK_DATA, "title");
    expect(db, do_add, &nokind, DK_DATA, "kind");
    expect(db, do_add, &unkind, DK_DATA, "did you mean 'membership'");
    expect(db, do_add, &unparent, DK_DATA, "'nowhere'");
    expect(db, do_add, &unof, DK_DATA, "'nowhere'");
    expect(db, do_add, &wrongkind, DK_DATA, "instance");
    expect(db, do_add, &wrongparent, DK_DATA, "instance");
    expect(db, do_add, &badgoal, DK_DATA, "goal");
    expect(db, do_add, &baddue, DK_DATA, "2016-02-30");
    expect(db, do_add, &badcad, DK_DATA, "cadence");
    expect(db, do_add, &future, DK_DATA, "future");
    expect(db, do_add, &badbase, DK_DATA, "unknown status 'membr' for kind membership");
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
}

static void
a_membership_to_keep_starts_as_member(void **state)
{
    struct db *db = *state;
    struct item_spec s = {
        .key = "smt/KEN", .title = "Security management team, Kenya", .eff = "2015-11-24"};
    struct item_spec own = {.key = "smt/UGA", .title = "Uganda", .baseline = "observer"};

    add(db, &s);
    assert_string_equal(support_item_col(db, "goal", "smt/KEN"), "keep");
    assert_string_equal(support_item_col(db, "status", "smt/KEN"), "member");
    assert_string_equal(support_item_col(db, "since", "smt/KEN"), "2015-11-24");
    assert_string_equal(
        support_text(db, "SELECT reason FROM event WHERE type = 'status' ORDER BY seq DESC"),
        "baseline: a membership to keep");
    /* A baseline given by the caller wins over the kind's. */
    add(db, &own);
    assert_string_equal(support_item_col(db, "status", "smt/UGA"), "observer");
    /* An instance of a membership to obtain has no baseline. */
    {
        struct item_spec obtain = {.key = "unct/UGA", .title = "Uganda"};

        add(db, &obtain);
        assert_string_equal(support_item_col(db, "status", "unct/UGA"), "not-approached");
        assert_string_equal(support_item_col(db, "since", "unct/UGA"), "(null)");
    }
}

static void
a_dotted_key_finds_its_parent(void **state)
{
    struct db *db = *state;
    struct item_spec under = {.key = "ceb.hlcm.finance",
                              .title = "Finance network",
                              .kind = "membership",
                              .eff = "2016-01-01"};
    struct item_spec top = {
        .key = "fresh.start", .title = "No parent", .kind = "action", .eff = "2016-01-01"};

    add(db, &under);
    assert_string_equal(support_item_col(db, "parent", "ceb.hlcm.finance"), "ceb.hlcm");
    assert_string_equal(support_item_col(db, "created", "ceb.hlcm.finance"), "2016-01-01");
    assert_string_equal(support_item_col(db, "doc", "ceb.hlcm.finance"), "C/106/RES/1309");
    add(db, &top);
    assert_string_equal(support_item_col(db, "parent", "fresh.start"), "(null)");
    assert_string_equal(support_item_col(db, "status", "fresh.start"), "not-started");
}

static void
a_status_may_not_predate_the_item(void **state)
{
    struct db *db = *state;
    struct change early = {"ceb", "member", NULL, NULL, "2015-11-23", 0};
    struct change month = {"ceb", "approached", NULL, NULL, "2015-11", 0};
    struct change year = {"ceb", "under-consideration", NULL, NULL, "2015", 0};
    struct change badstatus = {"ceb", "membr", NULL, NULL, "2016-01-01", 0};
    struct item_spec late = {.key = "unct/KEN", .title = "Kenya", .eff = "2016-01-01"};
    struct change before_late = {"unct/KEN", "member", NULL, NULL, "2015-12-31", 0};

    expect(db, do_status, &early, DK_DATA, "tracked from 2015-11-24");
    /* A partial date whose period reaches the creation date is accepted. */
    expect(db, do_status, &month, 0, NULL);
    expect(db, do_status, &year, 0, NULL);
    expect(db, do_status, &badstatus, DK_DATA, "for kind membership (");
    /* An instance created later is tracked from its own date. */
    add(db, &late);
    assert_string_equal(support_item_col(db, "created", "unct/KEN"), "2016-01-01");
    expect(db, do_status, &before_late, DK_DATA, "tracked from 2016-01-01");
}

static void
a_status_that_changes_nothing_is_refused_or_confirmed(void **state)
{
    struct db *db = *state;
    struct change feb = {"ceb", "approached", NULL, NULL, "2016-02", 0};
    struct change may = {"ceb", "approached", NULL, NULL, "2016-05-10", 0};
    struct change joined = {"ceb", "member", NULL, NULL, "2017", 0};
    struct change initial = {"ceb", "not-approached", NULL, NULL, "2015-12", 0};
    struct change later = {"ceb", "approached", NULL, NULL, "2018", 0};
    struct change real = {"ceb", "under-consideration", NULL, NULL, "2018-06", 0};
    struct change blank = {"ceb", " \t ", NULL, NULL, "2018-06", 0};
    long long seq;

    expect(db, do_status, &feb, 0, NULL);
    seq = support_int(db, "SELECT max(seq) FROM event");
    /* The same status on the same date, or on a later one while it still held. */
    expect(db, do_status, &feb, DK_DATA, "ceb is already approached on 2016-02");
    expect(db, do_status, &may, DK_DATA, "ceb is already approached on 2016-05-10");
    /* Before any status event: the kind's initial status. */
    expect(db, do_status, &initial, DK_DATA, "ceb is already not-approached on 2015-12");
    /* As of its own date, not as of today: a later change does not make it a change. */
    expect(db, do_status, &joined, 0, NULL);
    expect(db, do_status, &may, DK_DATA, "already approached on 2016-05-10");
    expect(db, do_status, &later, 0, NULL);
    /* --force records it, marked as a confirmation. */
    expect(db, do_confirm, &may, 0, NULL);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'status' AND "
                                     "json_extract(attrs, '$.confirm') = 'true'"),
                     1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'status' AND "
                                     "attrs IS NULL AND new_value = 'approached'"),
                     2);
    /* A real change with --force is recorded as a change. */
    expect(db, do_confirm, &real, 0, NULL);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE json_extract(attrs, "
                                     "'$.confirm') IS NOT NULL"),
                     1);
    /* A blank reason is none: refused as a missing -m is. */
    expect(db, do_note, &blank, DK_USAGE, "no letter or digit");
    /* A reverted status no longer counts. */
    expect(db, do_revert, &seq, 0, NULL);
    expect(db, do_status, &initial, DK_DATA, "already not-approached");
    expect(db, do_status, &feb, 0, NULL);
}

static void
costs_are_integer_minor_units(void **state)
{
    static const struct {
        const char *amount, *currency, *want;
    } good[] = {
        {"250000.50", "CHF", "25000050"},
        {"250000.5", "CHF", "25000050"},
        {"250000", "CHF", "25000000"},
        {"0.01", "USD", "1"},
        {"100", "JPY", "100"},
        {"-10.00", "USD", "-1000"},
        {"+7", "EUR", "700"},
        {"1.234", "BHD", "1234"},
        {"1.2345", "CLF", "12345"},
        {"92233720368547758.07", "USD", "9223372036854775807"},
    };
    static const struct {
        const char *amount, *currency, *want;
    } bad[] = {
        {"12.345", "CHF", "bad amount"},
        {"1.5", "JPY", "bad amount"},
        {"100", "usd", "ISO 4217"},
        {"100", "XYZ", "ISO 4217"},
        {"100", "US", "ISO 4217"},
        {"99999999999999999999", "USD", "bad amount"},
        {"92233720368547758.08", "USD", "bad amount"},
        {"92233720368547759", "USD", "bad amount"},
        {"", "USD", "bad amount"},
        {"-", "USD", "bad amount"},
        {".5", "USD", "bad amount"},
        {"5.", "USD", "bad amount"},
        {"1,000", "USD", "bad amount"},
        {"1e3", "USD", "bad amount"},
        {" 10", "USD", "bad amount"},
        {"1.2.3", "USD", "bad amount"},
        {"-10.00", "USD", "a negative amount '-10.00' is a credit: give --credit"},
    };
    struct db *db = *state;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct change c = {"cost.legal", good[i].amount, good[i].currency, "staff time", NULL, 1};

        expect(db, do_cost, &c, 0, NULL);
        assert_string_equal(
            support_text(db, "SELECT new_value FROM event WHERE type = 'cost' ORDER BY seq DESC"),
            good[i].want);
        assert_string_equal(
            support_text(db, "SELECT json_extract(attrs, '$.currency') FROM event WHERE type = "
                             "'cost' ORDER BY seq DESC"),
            good[i].currency);
    }
    assert_string_equal(
        support_text(db, "SELECT json_extract(attrs, '$.basis') FROM event WHERE type = 'cost' "
                         "ORDER BY seq DESC"),
        "staff time");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct change c = {"cost.legal", bad[i].amount, bad[i].currency, NULL, NULL, 0};

        expect(db, do_cost, &c, DK_DATA, bad[i].want);
    }
    /* A cost does not change the status. */
    assert_string_equal(support_item_col(db, "status", "cost.legal"), "not-estimated");
}

static void
edits_change_a_field(void **state)
{
    struct db *db = *state;
    struct change title = {"echa", "title",      "Executive Committee on Humanitarian Affairs",
                           NULL,   "2016-01-01", 0};
    struct change clear = {"echa", "ref", "", NULL, "2016-01-01", 0};
    struct change due = {"legal.approach", "due", "2017-06", NULL, NULL, 0};
    struct change cadence = {"report.wg", "cadence_months", "12", NULL, NULL, 0};
    long long before;

    before = events(db);
    expect(db, do_edit, &title, 0, NULL);
    assert_int_equal(title.result, 0);
    assert_int_equal(events(db), before + 1);
    assert_string_equal(support_item_col(db, "title", "echa"), title.b);
    assert_string_equal(
        support_text(db, "SELECT type || ' ' || subject FROM event ORDER BY seq DESC"),
        "edit title");

    /* The same value again records nothing. */
    before = events(db);
    expect(db, do_edit, &title, -1, NULL);
    assert_int_equal(title.result, -1);
    assert_int_equal(events(db), before);

    expect(db, do_edit, &clear, 0, NULL);
    assert_string_equal(support_item_col(db, "ref", "echa"), "(null)");
    expect(db, do_edit, &clear, -1, NULL); /* already empty */
    expect(db, do_edit, &due, 0, NULL);
    assert_string_equal(support_item_col(db, "due", "legal.approach"), "2017-06");
    assert_string_equal(support_item_col(db, "next_due", "legal.approach"), "2017-06-30");
    expect(db, do_edit, &cadence, 0, NULL);
    assert_string_equal(support_item_col(db, "cadence_months", "report.wg"), "12");
    assert_string_equal(support_item_col(db, "next_due", "report.wg"), "2016-11-24");
    {
        struct diag d = {0};

        assert_int_equal(state_check(db, &d), 0);
    }
}

static void
edits_are_checked(void **state)
{
    struct db *db = *state;
    struct change cycle = {"ceb", "parent", "ceb.hlcm", NULL, NULL, 0};
    struct change deep = {"ceb", "parent", "undg.regional", NULL, NULL, 0};
    struct change self = {"ceb", "parent", "ceb", NULL, NULL, 0};
    struct change unknown_parent = {"echa", "parent", "cbe", NULL, NULL, 0};
    struct change field = {"ceb", "colour", "red", NULL, NULL, 0};
    struct change notitle = {"ceb", "title", "", NULL, NULL, 0};
    struct change baddue = {"ceb", "due", "2017-13", NULL, NULL, 0};
    struct change badcad = {"report.wg", "cadence_months", "121", NULL, NULL, 0};
    struct change moved = {"echa", "parent", "iasc", NULL, NULL, 0};
    struct item_spec inst = {.key = "unct/KEN", .title = "Kenya"};
    struct change instparent = {"unct/KEN", "parent", "ceb", NULL, NULL, 0};

    expect(db, do_edit, &cycle, DK_DATA, "loop");
    expect(db, do_edit, &deep, DK_DATA, "loop"); /* undg.regional < ceb.undg < ceb */
    expect(db, do_edit, &self, DK_DATA, "loop");
    expect(db, do_edit, &unknown_parent, DK_DATA, "did you mean 'ceb'");
    expect(db, do_edit, &field, DK_DATA, "'colour'");
    expect(db, do_edit, &notitle, DK_DATA, "title");
    expect(db, do_edit, &baddue, DK_DATA, "2017-13");
    expect(db, do_edit, &badcad, DK_DATA, "cadence");
    add(db, &inst);
    expect(db, do_edit, &instparent, DK_DATA, "instance");
    /* A parent that closes no loop is fine. */
    expect(db, do_edit, &moved, 0, NULL);
    assert_string_equal(support_item_col(db, "parent", "echa"), "iasc");
}

/* A temporary folder holding one file. */
struct tmpfile {
    char dir[64];
    char path[128];
};

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
make_file(struct tmpfile *t, const char *content)
{
    FILE *f;

    snprintf(t->dir, sizeof t->dir, "/tmp/docket-test-item-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/agreement.txt", t->dir);
    f = fopen(t->path, "w");
    assert_non_null(f);
    assert_true(fputs(content, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void
drop_file(struct tmpfile *t)
{
    assert_int_equal(nftw(t->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void
evidence_is_a_url_or_a_hashed_file(void **state)
{
    struct db *db = *state;
    struct tmpfile t = {"", ""};
    char dotted[160];

    {
        struct change url = {"ceb", "https://example.org/a", NULL, NULL, NULL, 0};

        expect(db, do_evidence, &url, 0, NULL);
        assert_string_equal(support_text(db, "SELECT new_value || ' ' || json_extract(attrs, "
                                             "'$.type') FROM event ORDER BY seq DESC"),
                            "https://example.org/a url");
        url.a = "HTTP://example.org/upper";
        expect(db, do_evidence, &url, 0, NULL);
    }
    {
        static const char *const bad[] = {"ftp://x",      "http://",      "https:///x",
                                          "https://a b",  "file:///etc",  "javascript://x",
                                          "no-such-file", "/no/such/file"};

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct change c = {"ceb", bad[i], NULL, NULL, NULL, 0};

            expect(db, do_evidence, &c, DK_DATA, bad[i]);
        }
    }
    make_file(&t, "abc");
    snprintf(dotted, sizeof dotted, "%s/./agreement.txt", t.dir);
    {
        struct change file = {"ceb", dotted, NULL, NULL, NULL, 0};
        struct change dir = {"ceb", t.dir, NULL, NULL, NULL, 0};

        expect(db, do_evidence, &file, 0, NULL);
        assert_string_equal(
            support_text(db, "SELECT json_extract(attrs, '$.sha256') FROM event ORDER BY seq DESC"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_string_equal(
            support_text(db, "SELECT json_extract(attrs, '$.bytes') FROM event ORDER BY seq DESC"),
            "3");
        assert_string_equal(
            support_text(db, "SELECT json_extract(attrs, '$.type') FROM event ORDER BY seq DESC"),
            "file");
        /* The file is named by its real path. */
        assert_string_equal(support_text(db, "SELECT new_value FROM event ORDER BY seq DESC"),
                            t.path);
        expect(db, do_evidence, &dir, DK_DATA, "neither");
    }
    drop_file(&t);
    make_file(&t, "");
    {
        struct change empty = {"ceb", t.path, NULL, NULL, NULL, 0};

        expect(db, do_evidence, &empty, 0, NULL);
        assert_string_equal(
            support_text(db, "SELECT json_extract(attrs, '$.sha256') FROM event ORDER BY seq DESC"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
    drop_file(&t);
    assert_string_equal(support_item_col(db, "status", "ceb"), "not-approached");
}

static void
notes_are_recorded(void **state)
{
    struct db *db = *state;
    struct change note = {"ceb", "Met the CEB secretary", NULL, NULL, NULL, 0};
    struct change bad = {"ceb", "bad \xff text", NULL, NULL, NULL, 0};

    expect(db, do_note, &note, 0, NULL);
    assert_string_equal(
        support_text(db, "SELECT type || '|' || subject || '|' || reason || '|' || eff FROM event "
                         "ORDER BY seq DESC"),
        "note|ceb|Met the CEB secretary|2016-01-01");
    expect(db, do_note, &bad, DK_DATA, "UTF-8");
}

static void
instances_roll_up_into_their_parent(void **state)
{
    struct db *db = *state;
    struct item_spec ken = {.key = "unct/KEN", .title = "Kenya", .eff = "2016"};
    struct item_spec uga = {.key = "unct/UGA", .title = "Uganda"};
    struct change member = {"unct/KEN", "member", NULL, NULL, "2016-05-01", 0};

    add(db, &ken);
    add(db, &uga);
    expect(db, do_status, &member, 0, NULL);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE parent = 'unct'"), 2);
    assert_int_equal(
        support_int(db, "SELECT count(*) FROM items WHERE parent = 'unct' AND progress = 100"), 1);
    assert_int_equal(support_int(db, "SELECT avg(progress) FROM items WHERE parent = 'unct'"), 50);
    assert_string_equal(support_item_col(db, "status", "unct/UGA"), "not-approached");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(get_names_the_nearest_key, support_open, support_close),
        cmocka_unit_test_setup_teardown(check_status_lists_the_vocabulary, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(an_instance_takes_what_it_is_an_instance_of, support_open,
                                        support_close),
        cmocka_unit_test(uuids_are_the_same_in_every_store),
        cmocka_unit_test_setup_teardown(add_refuses_bad_specs, support_open, support_close),
        cmocka_unit_test_setup_teardown(a_membership_to_keep_starts_as_member, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_dotted_key_finds_its_parent, support_open, support_close),
        cmocka_unit_test_setup_teardown(a_status_may_not_predate_the_item, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(a_status_that_changes_nothing_is_refused_or_confirmed,
                                        support_open, support_close),
        cmocka_unit_test_setup_teardown(costs_are_integer_minor_units, support_open, support_close),
        cmocka_unit_test_setup_teardown(edits_change_a_field, support_open, support_close),
        cmocka_unit_test_setup_teardown(edits_are_checked, support_open, support_close),
        cmocka_unit_test_setup_teardown(evidence_is_a_url_or_a_hashed_file, support_open,
                                        support_close),
        cmocka_unit_test_setup_teardown(notes_are_recorded, support_open, support_close),
        cmocka_unit_test_setup_teardown(instances_roll_up_into_their_parent, support_open,
                                        support_close),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
