/* test_checklist.c: checklists (a resolution's document, kinds and items as JSON): checking and
 * loading them as events. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/date.h"
#include "docket/embed.h"
#include "docket/item.h"
#include "support.h"

/* Pieces of a small checklist, put together by CL(). */
#define DOC_OF(adopted)                                                                            \
    "\"document\":{\"symbol\":\"T/1\",\"title\":\"Test resolution\",\"adopted\":\"" adopted        \
    "\",\"paragraphs\":[{\"ref\":\"1\",\"text\":\"Requests.\"},{\"ref\":\"2\",\"text\":\"Also.\"}" \
    "]}"
#define DOC       DOC_OF("2015-11-24")
#define ST_NOT    "{\"name\":\"not-approached\",\"progress\":0,\"final\":false}"
#define ST_MEMBER "{\"name\":\"member\",\"progress\":100,\"final\":true}"
#define KIND                                                                                       \
    "{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT "," ST_MEMBER  \
    "]}"
#define ITEM "{\"key\":\"alpha\",\"title\":\"Alpha\",\"kind\":\"membership\",\"ref\":\"1\"}"
#define CL_DOC(doc, kinds, items)                                                                  \
    "{\"format\":\"docket-checklist\",\"version\":1," doc ",\"kinds\":[" kinds                     \
    "],\"items\":[" items "]}"
#define CL(kinds, items) CL_DOC(DOC, kinds, items)

static const char minimal[] = CL(KIND, ITEM);

/* The end of refused()'s list of expected strings. */
#define END ((const char *)NULL)

/* Expects TEXT to be refused with DK_DATA and a message holding each of the strings that
 * follow (NULL-terminated). */
static void
refused(const char *text, ...)
{
    json_t *cl = NULL;
    struct diag d = {0};
    const char *want;
    va_list ap;
    int rc = checklist_parse(text, strlen(text), &cl, &d);

    if (rc == 0) {
        json_decref(cl);
        fail_msg("checklist accepted: %.200s", text);
    }
    assert_int_equal(rc, DK_DATA);
    assert_null(cl); /* out-parameters are written only on success */
    assert_int_equal(d.code, DK_DATA);
    va_start(ap, text);
    while ((want = va_arg(ap, const char *)) != NULL && strstr(d.msg, want) != NULL)
        ;
    va_end(ap);
    if (want != NULL)
        fail_msg("expected '%s' in '%s'", want, d.msg);
}

static json_t *
parsed(const char *text)
{
    json_t *cl = NULL;
    struct diag d = {0};

    if (checklist_parse(text, strlen(text), &cl, &d) != 0)
        fail_msg("checklist refused: %s", d.msg);
    assert_non_null(cl);
    return cl;
}

struct apply {
    json_t *cl;
    struct checklist_counts n;
};

static int
do_apply(struct db *db, void *arg, struct diag *d)
{
    struct apply *a = arg;

    return checklist_apply(db, a->cl, &a->n, d);
}

static void
shipped_checklist_parses(void **state)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    json_t *cl;

    (void)state;
    assert_non_null(f);
    cl = parsed(f->data);
    assert_int_equal(json_array_size(json_object_get(cl, "items")), 31);
    assert_int_equal(json_array_size(json_object_get(cl, "kinds")), 8);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cl, "document"), "symbol")),
        "C/106/RES/1309");
    /* The symbol and revision the build read from it (cmake/embed.cmake) are its own. */
    assert_string_equal(f->symbol, "C/106/RES/1309");
    assert_int_equal(f->revision, json_integer_value(json_object_get(
                                      json_object_get(cl, "document"), "revision")));
    assert_true(f->revision >= 2);
    assert_null(embed_find("schema/001_core.sql")->symbol);
    json_decref(cl);
}

static void
shipped_checklist_loads_once(void **state)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};
    long long events;

    (void)state;
    a.cl = parsed(f->data);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    /* 1 document, 7 paragraphs, 8 kinds and 42 statuses; 31 items. */
    assert_int_equal(a.n.definitions, 58);
    assert_int_equal(a.n.items, 31);
    assert_int_equal(a.n.unchanged, 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    events = support_int(db, "SELECT count(*) FROM event");
    /* 58 definitions, 31 items, and the baselines of iasc (at adoption, and its standing
     * invitation since 1992), appreciation, iasmn and smt. */
    assert_int_equal(events, 58 + 31 + 5);

    memset(&a.n, 0xff, sizeof a.n);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.definitions, 0);
    assert_int_equal(a.n.items, 0);
    assert_int_equal(a.n.unchanged, 58 + 31 + 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), events);
    json_decref(a.cl);
    db_close(db);
}

struct load {
    const char *text; /* NULL: the shipped checklist */
    struct checklist_counts n;
    json_t *cl;
};

static int
do_load(struct db *db, void *arg, struct diag *d)
{
    struct load *l = arg;

    if (l->text == NULL)
        return checklist_load_default(db, &l->n, &l->cl, d);
    return checklist_load(db, l->text, strlen(l->text), &l->n, &l->cl, d);
}

static void
the_loader_hands_back_counts_and_checklist(void **state)
{
    struct db *db = support_store(0);
    struct load l = {0}, bad = {"{", {-1, -1, -1, -1}, NULL};
    struct diag d = {0};

    (void)state;
    assert_int_equal(support_write(db, do_load, &l, &d), 0);
    assert_int_equal(l.n.definitions, 58);
    assert_int_equal(l.n.items, 31);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(l.cl, "document"), "symbol")),
        "C/106/RES/1309");
    /* A refused text leaves the out-parameters as they were and the store unchanged. */
    assert_int_equal(support_write(db, do_load, &bad, &d), DK_DATA);
    assert_int_equal(bad.n.items, -1);
    assert_null(bad.cl);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    json_decref(l.cl);
    db_close(db);
}

static int
make_iasc_member(struct db *db, void *arg, struct diag *d)
{
    struct item it = {0};
    struct date eff;
    int rc;

    (void)arg;
    if ((rc = item_load(db, "iasc", &it, d)) == 0 && (rc = date_parse("2016-01-01", &eff, d)) == 0)
        rc = item_set_status(db, &it, "member", &eff, "joined", ITEM_CHANGE, NULL, d);
    item_free(&it);
    return rc;
}

static void
reloading_leaves_recorded_changes_alone(void **state)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    struct db *db = support_store(1);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    assert_int_equal(support_write(db, make_iasc_member, NULL, &d), 0);
    a.cl = parsed(f->data);
    /* iasc's baseline is 'invitee' in the checklist; a reload must not record it again. */
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.items, 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'status'"), 6);
    assert_string_equal(support_text(db, "SELECT status FROM items WHERE key = 'iasc'"), "member");
    json_decref(a.cl);
    db_close(db);
}

static void
minimal_checklist_loads(void **state)
{
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(minimal);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.definitions, 1 + 2 + 1 + 2);
    assert_int_equal(a.n.items, 1);
    assert_int_equal(a.n.unchanged, 0);
    assert_string_equal(support_text(db, "SELECT title FROM documents WHERE symbol = 'T/1'"),
                        "Test resolution");
    assert_string_equal(support_text(db, "SELECT status FROM items WHERE key = 'alpha'"),
                        "not-approached");
    assert_string_equal(support_text(db, "SELECT created FROM items WHERE key = 'alpha'"),
                        "2015-11-24");
    assert_string_equal(support_text(db, "SELECT doc FROM items WHERE key = 'alpha'"), "T/1");
    assert_int_equal(support_int(db, "SELECT progress FROM vocab WHERE status = 'member'"), 100);
    json_decref(a.cl);
    db_close(db);
}

static void
a_changed_definition_is_recorded_again(void **state)
{
    static const char renamed[] = CL_DOC(
        "\"document\":{\"symbol\":\"T/1\",\"title\":\"Test resolution, corrected\",\"adopted\":"
        "\"2015-11-24\",\"paragraphs\":[{\"ref\":\"1\",\"text\":\"Requests.\"},{\"ref\":\"2\","
        "\"text\":\"Also.\"}]}",
        KIND, ITEM);
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(minimal);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    json_decref(a.cl);
    a.cl = parsed(renamed);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.definitions, 1);
    assert_int_equal(a.n.unchanged, 2 + 1 + 2 + 1);
    assert_string_equal(support_text(db, "SELECT title FROM documents WHERE symbol = 'T/1'"),
                        "Test resolution, corrected");
    json_decref(a.cl);
    db_close(db);
}

/* Sets field ((const char **)ARG)[0] of alpha to [1], as a user's `edit` does. */
static int
user_edit(struct db *db, void *arg, struct diag *d)
{
    const char *const *fv = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = date_parse("2016-01-01", &eff, d)) == 0 && (rc = item_load(db, "alpha", &it, d)) == 0)
        rc = item_edit(db, &it, fv[0], fv[1], &eff, "the user's", d);
    item_free(&it);
    return rc;
}

static void
a_changed_item_is_recorded_as_edits(void **state)
{
    static const char changed[] =
        CL(KIND, "{\"key\":\"alpha\",\"title\":\"Alpha, corrected\",\"kind\":\"membership\","
                 "\"ref\":\"1\",\"cadence_months\":6},"
                 "{\"key\":\"beta\",\"title\":\"Beta\",\"kind\":\"membership\"}");
    const char *describe[] = {"description", "the user's words"}, *retitle[] = {"title", "Mine"};
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(minimal);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    json_decref(a.cl);
    assert_int_equal(support_write(db, user_edit, describe, &d), 0);
    a.cl = parsed(changed);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    /* The title and the cadence changed, beta is new; the user's description stands. */
    assert_int_equal(a.n.edits, 2);
    assert_int_equal(a.n.items, 1);
    assert_int_equal(a.n.definitions, 0);
    assert_string_equal(support_item_col(db, "title", "alpha"), "Alpha, corrected");
    assert_string_equal(support_item_col(db, "cadence_months", "alpha"), "6");
    assert_string_equal(support_item_col(db, "description", "alpha"), "the user's words");
    assert_string_equal(support_text(db, "SELECT group_concat(subject || ' ' || old_value || ' ' "
                                         "|| new_value || ' ' || eff || ' ' || reason, '|') FROM "
                                         "(SELECT * FROM event WHERE type = 'edit' AND reason <> "
                                         "'the user''s' ORDER BY seq)"),
                        "title Alpha Alpha, corrected 2015-11-24 loaded from the checklist of T/1");
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'edit' AND "
                                     "subject = 'cadence_months' AND old_value IS NULL"),
                     1);
    /* Taken once: the same checklist again records nothing, nor after a user's own edit of a
     * field the checklist gave. */
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.edits + a.n.items + a.n.definitions, 0);
    assert_int_equal(support_write(db, user_edit, retitle, &d), 0);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.edits + a.n.items + a.n.definitions, 0);
    assert_string_equal(support_item_col(db, "title", "alpha"), "Mine");
    json_decref(a.cl);
    db_close(db);
}

static void
malformed_json_is_refused(void **state)
{
    (void)state;
    refused("{", "line 1", END);
    refused("", END);
    refused("{\"format\":\"docket-checklist\",}", "line 1", END);
    refused("[]", "checklist: must be an object", END);
    refused("{\"format\":\"docket-checklist\",\"version\":1}", "checklist.document: missing", END);
}

static void
duplicate_keys_are_refused(void **state)
{
    (void)state;
    refused("{\"format\":\"a\",\"format\":\"b\"}", "duplicate", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"title\":\"B\",\"kind\":\"membership\"}"),
            "duplicate", END);
}

static void
unknown_fields_are_refused(void **state)
{
    (void)state;
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"colour\":"
                     "\"red\"}"),
            "items[0].colour: unknown field", END);
    refused(CL(KIND, ITEM ","
                          "{\"key\":\"beta\",\"title\":\"B\",\"kind\":\"membership\","
                          "\"colour\":\"red\"}"),
            "items[1].colour: unknown field", END);
    refused("{\"format\":\"docket-checklist\",\"version\":1," DOC ",\"extra\":[]}",
            "checklist.extra: unknown field", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[{\"name\":"
               "\"not-approached\",\"progress\":0,\"final\":false,\"colour\":\"red\"}]}",
               ""),
            "kinds[0].statuses[0].colour: unknown field", END);
}

static void
missing_and_mistyped_fields_are_refused(void **state)
{
    (void)state;
    refused(CL(KIND, "{\"key\":\"alpha\",\"kind\":\"membership\"}"), "items[0].title: missing",
            END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\",\"kind\":\"membership\"}"),
            "items[0].title: must be a string", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":7,\"kind\":\"membership\"}"),
            "items[0].title: must be a string", END);
    refused(CL_DOC("\"document\":{\"title\":\"T\",\"adopted\":\"2015-11-24\"}", KIND, ITEM),
            "document.symbol: missing", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[{\"name\":"
               "\"not-approached\",\"final\":false}]}",
               ""),
            "kinds[0].statuses[0].progress: missing", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[{\"name\":"
               "\"not-approached\",\"progress\":\"0\",\"final\":false}]}",
               ""),
            "kinds[0].statuses[0].progress: must be an integer", END);
    refused("{\"format\":\"docket-checklist\",\"version\":\"1\"," DOC "}",
            "checklist.version: must be an integer", END);
}

static void
a_baseline_must_be_a_status_of_its_kind(void **state)
{
    (void)state;
    refused(CL(KIND, ITEM ",{\"key\":\"beta\",\"title\":\"B\",\"kind\":\"membership\","
                          "\"baseline\":\"membr\"}"),
            "items[1].baseline: unknown status 'membr' for kind membership (did you mean "
            "'member'? valid: not-approached, member)",
            END);
}

static void
kinds_are_checked(void **state)
{
    (void)state;
    refused(
        CL("{\"name\":\"membership\",\"initial\":\"pending\",\"statuses\":[" ST_NOT "," ST_MEMBER
           "]}",
           ""),
        "kinds[0].initial: unknown status 'pending' for kind membership (valid: not-approached, "
        "member)",
        END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"keep_baseline\":"
               "\"membr\",\"statuses\":[" ST_NOT "," ST_MEMBER "]}",
               ""),
            "kinds[0].keep_baseline", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT
               ",{\"name\":\"member\",\"progress\":101,\"final\":true}]}",
               ""),
            "kinds[0].statuses[1].progress", "0 to 100", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT
               ",{\"name\":\"member\",\"progress\":-1,\"final\":true}]}",
               ""),
            "kinds[0].statuses[1].progress", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[]}", ""),
            "kinds[0].statuses", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT
               "," ST_NOT "]}",
               ""),
            "kinds[0].statuses[1].name", "twice", END);
    refused(CL(KIND "," KIND, ""), "kinds[1].name", "twice", END);
    refused(CL("{\"name\":\"Member Ship\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT
               "]}",
               ""),
            "kinds[0].name", END);
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"cadence_months\":0,"
               "\"statuses\":[" ST_NOT "]}",
               ""),
            "kinds[0].cadence_months", END);
}

static void
items_are_checked(void **state)
{
    (void)state;
    refused(CL(KIND, ITEM "," ITEM), "items[1].key", "'alpha' is listed twice", END);
    /* Found by fuzzing: looking for a parent among all items met one not yet checked. */
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"parent\":"
                     "\"elsewhere\"},{\"title\":\"B\",\"kind\":\"membership\"}"),
            "items[", END);
    refused(CL(KIND, "{\"key\":\"Alpha\",\"title\":\"A\",\"kind\":\"membership\"}"), "items[0].key",
            "bad key", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"goal\":"
                     "\"maybe\"}"),
            "items[0].goal", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"ref\":"
                     "\"9(z)\"}"),
            "items[0].ref", "'9(z)'", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"due\":"
                     "\"2016-02-30\"}"),
            "items[0].due", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\","
                     "\"cadence_months\":121}"),
            "items[0].cadence_months", END);
}

static void
the_document_is_checked(void **state)
{
    (void)state;
    refused(CL_DOC(DOC_OF("2015-13-01"), KIND, ITEM), "document: ", "2015-13-01", END);
    refused(CL_DOC(DOC_OF("2999-01-01"), KIND, ITEM), "document: ", "future", END);
    refused(CL_DOC("\"document\":{\"symbol\":\"T/1\",\"title\":\"T\",\"adopted\":\"2015-11-24\","
                   "\"paragraphs\":[{\"ref\":\"1\",\"text\":\"a\"},{\"ref\":\"1\",\"text\":\"b\"}]"
                   "}",
                   KIND, ITEM),
            "document.paragraphs[1].ref", "twice", END);
}

static void
wrong_format_or_version_is_refused(void **state)
{
    (void)state;
    refused("{\"format\":\"docket-tracker\",\"version\":1," DOC "}", "not a docket checklist", END);
    refused("{\"format\":\"docket-checklist\",\"version\":3," DOC "}", "not a docket checklist",
            END);
    refused("{\"format\":\"docket-checklist\",\"version\":0," DOC "}", "not a docket checklist",
            END);
}

/* Version 2's fields are refused in a version 1 checklist, naming the version they need. */
static void
version_2_fields_need_version_2(void **state)
{
    (void)state;
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"Alpha\",\"kind\":\"membership\","
                     "\"rollup\":\"own\"}"),
            "items[0].rollup: needs checklist format version 2", END);
}

/* An item's instances are countries, or the field is left out: any other value is refused,
 * with its path; so is the field on an instance. */
static void
instances_are_iso3166_or_nothing(void **state)
{
    (void)state;
    refused("{\"format\":\"docket-checklist\",\"version\":2," DOC ",\"kinds\":[" KIND
            "],\"items\":[" ITEM ",{\"key\":\"beta\",\"title\":\"Beta\",\"kind\":\"membership\","
            "\"instances\":\"countries\"}]}",
            "items[1].instances: must be iso3166", END);
    refused("{\"format\":\"docket-checklist\",\"version\":2," DOC ",\"kinds\":[" KIND
            "],\"items\":[{\"key\":\"beta/KEN\",\"title\":\"Beta\",\"kind\":\"membership\","
            "\"instances\":\"iso3166\"}]}",
            "items[0].instances: 'beta/KEN' is an instance and has none", END);
}

/* The shipped checklist says unct's instances are countries, in unct's item event. */
static void
shipped_unct_has_countries(void **state)
{
    struct db *db = support_store(1);

    (void)state;
    assert_string_equal(support_text(db, "SELECT json_extract(attrs, '$.instances') FROM event "
                                         "WHERE type = 'item' AND subject = 'unct'"),
                        "iso3166");
    assert_string_equal(support_text(db, "SELECT count(*) FROM event WHERE type = 'item' AND "
                                         "json_extract(attrs, '$.instances') IS NOT NULL"),
                        "1");
    db_close(db);
}

static int
withdraw_echa(struct db *db, void *arg, struct diag *d)
{
    (void)arg;
    return item_revert(db,
                       support_int(db, "SELECT seq FROM event WHERE type = 'item' AND "
                                       "subject = 'echa'"),
                       "added by mistake", "2016-01-01", NULL, d);
}

/* Loading the checklist again leaves an item that a user withdrew withdrawn. */
static void
reloading_leaves_a_withdrawn_item_withdrawn(void **state)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    struct db *db = support_store(1);
    struct apply a = {0};
    struct diag d = {0};
    long long events;

    (void)state;
    assert_int_equal(support_write(db, withdraw_echa, NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE key = 'echa'"), 0);
    events = support_int(db, "SELECT count(*) FROM event");
    a.cl = parsed(f->data);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.items, 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE key = 'echa'"), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), events);
    json_decref(a.cl);
    db_close(db);
}

static void
invalid_utf8_is_refused(void **state)
{
    (void)state;
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"Al\xff"
                     "pha\",\"kind\":\"membership\"}"),
            END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\xed\xa0\x80\",\"kind\":\"membership\"}"),
            END);
    /* An escaped NUL or lone surrogate is no better. */
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"a\\u0000b\",\"kind\":\"membership\"}"), END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"a\\ud800b\",\"kind\":\"membership\"}"), END);
}

/* Expects the LEN bytes at TEXT, which hold a raw NUL, refused at LINE and COLUMN. */
static void
refused_nul(const char *text, size_t len, int line, int column)
{
    json_t *cl = NULL;
    struct diag d = {0};
    char want[64];

    assert_non_null(memchr(text, '\0', len));
    if (checklist_parse(text, len, &cl, &d) == 0) {
        json_decref(cl);
        fail_msg("a checklist with a NUL byte accepted: %.200s", text);
    }
    assert_int_equal(d.code, DK_DATA);
    assert_null(cl);
    snprintf(want, sizeof want, "line %d, column %d: a NUL byte, which JSON text never holds", line,
             column);
    assert_string_equal(d.msg, want);
}

/* Our own cases in the manner of JSONTestSuite (n_ refused, i_ for us to decide). */
static void
jsontestsuite_cases_of_our_own(void **state)
{
    /* Jansson 2.14 drops a NUL that follows a number: this one loaded as "version":1. */
    static const char nul_after_number[] = "{\"format\":\"docket-checklist\",\"version\":1\0," DOC
                                           ",\"kinds\":[" KIND "],\"items\":[" ITEM "]}";
    static const char nul_after_progress[] =
        "{\"format\":\"docket-checklist\",\"version\":1," DOC ",\"kinds\":[{\"name\":"
        "\"membership\",\"initial\":\"not-approached\",\"statuses\":[{\"name\":\"not-"
        "approached\",\"progress\":0\0\0,\"final\":false}," ST_MEMBER "]}],\"items\":[" ITEM "]}";
    static const char nul_in_string[] = "{\"format\":\"docket-\0checklist\"}";
    static const char nul_at_end[] = "{\"format\":\"docket-checklist\"}\n\0";
    static const char nul_alone[] = "\0";
    char *deep;
    json_t *cl;

    (void)state;
    /* The text without its NUL loads: the NUL alone is what is refused. */
    json_decref(parsed(CL(KIND, ITEM)));
    refused_nul(nul_after_number, sizeof nul_after_number - 1, 1, 41);
    refused_nul(nul_after_progress, sizeof nul_after_progress - 1, 1,
                (int)(strchr(nul_after_progress, '\0') - nul_after_progress) + 1);
    refused_nul(nul_in_string, sizeof nul_in_string - 1, 1, 19);
    refused_nul(nul_at_end, sizeof nul_at_end - 1, 2, 1);
    refused_nul(nul_alone, sizeof nul_alone - 1, 1, 1);
    /* A column counts characters, as Jansson's do. */
    refused_nul("[\"\xce\xb1\xce\xb2\"\0]", 9, 1, 6);
    /* Lone surrogates, escaped: JSON's grammar takes them, but they are no Unicode text. */
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\\udc00\",\"kind\":\"membership\"}"),
            "invalid Unicode '\\uDC00'", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\\ud800\\u0041\",\"kind\":"
                     "\"membership\"}"),
            "invalid Unicode", END);
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\\ud800\",\"kind\":\"membership\"}"),
            "invalid Unicode '\\uD800'", END);
    /* A pair is one character, and is taken. */
    cl = parsed(CL(KIND, "{\"key\":\"alpha\",\"title\":\"\\ud83d\\udcc4\",\"kind\":"
                         "\"membership\"}"));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(cl, "items"), 0), "title")),
                        "\xf0\x9f\x93\x84");
    json_decref(cl);
    /* JSON leaves duplicate names to the reader; one checklist must not have two readings. */
    refused(CL("{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[{\"name\":"
               "\"not-approached\",\"progress\":0,\"progress\":100,\"final\":false}]}",
               ITEM),
            "duplicate object key near '\"progress\"'", END);
    /* 100,000 arrays deep: refused at Jansson's depth limit, not by the stack. */
    deep = malloc(200001);
    assert_non_null(deep);
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);
    deep[200000] = '\0';
    refused(deep, "line 1, column", "maximum parsing depth", END);
    free(deep);
}

static void
apply_names_a_missing_parent(void **state)
{
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(CL(KIND, ITEM ",{\"key\":\"beta\",\"title\":\"B\",\"kind\":\"membership\","
                                "\"parent\":\"nowhere\"}"));
    assert_int_equal(support_write(db, do_apply, &a, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "items["));
    assert_int_equal(strncmp(d.msg, "items[1]: ", 10), 0);
    assert_non_null(strstr(d.msg, "'nowhere'"));
    /* Nothing of the checklist was recorded. */
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 0);
    json_decref(a.cl);
    db_close(db);
}

static void
apply_names_a_kind_the_store_lacks(void **state)
{
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membershp\"}"));
    assert_int_equal(support_write(db, do_apply, &a, &d), DK_DATA);
    assert_int_equal(strncmp(d.msg, "items[0]: ", 10), 0);
    assert_non_null(strstr(d.msg, "did you mean 'membership'"));
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 0);
    json_decref(a.cl);
    db_close(db);
}

static void
apply_keeps_to_its_own_document(void **state)
{
    struct db *db = support_store(1);
    struct apply a = {0};
    struct diag d = {0};
    long long events = support_int(db, "SELECT count(*) FROM event");

    (void)state;
    /* A second document may not use the shipped document's kinds: kinds are each document's. */
    a.cl = parsed(CL("", "{\"key\":\"extra\",\"title\":\"Extra\",\"kind\":\"membership\"}"));
    assert_int_equal(support_write(db, do_apply, &a, &d), DK_DATA);
    assert_int_equal(strncmp(d.msg, "items[0]: unknown kind 'membership'", 35), 0);
    json_decref(a.cl);

    /* Nor put an item under one of its items: keys are each document's too. */
    a.cl = parsed(CL(KIND, "{\"key\":\"ceb.extra\",\"title\":\"Extra\",\"kind\":\"membership\","
                           "\"parent\":\"ceb\"}"));
    memset(&d, 0, sizeof d);
    assert_int_equal(support_write(db, do_apply, &a, &d), DK_DATA);
    assert_int_equal(strncmp(d.msg, "items[0]: ", 10), 0);
    assert_non_null(strstr(d.msg, "'ceb' is not an item of T/1"));
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), events);
    json_decref(a.cl);

    /* With its own kind of the same name and its own key 'ceb', both stand beside the shipped
     * ones, which stay as they were. */
    a.cl = parsed(CL(KIND, "{\"key\":\"ceb\",\"title\":\"Its own\",\"kind\":\"membership\"}"));
    memset(&d, 0, sizeof d);
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    assert_int_equal(a.n.items, 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items WHERE key = 'ceb'"), 2);
    assert_int_equal(support_int(db, "SELECT count(*) FROM vocab WHERE doc = 'T/1' AND "
                                     "kind = 'membership'"),
                     2);
    assert_true(support_int(db, "SELECT count(*) FROM vocab WHERE doc = 'C/106/RES/1309' AND "
                                "kind = 'membership'") > 2);
    json_decref(a.cl);
    db_close(db);
}

static void
a_parent_listed_later_in_the_checklist_loads(void **state)
{
    static const char text[] =
        CL(KIND, "{\"key\":\"child\",\"title\":\"C\",\"kind\":\"membership\",\"parent\":"
                 "\"zparent\"},{\"key\":\"zparent\",\"title\":\"P\",\"kind\":\"membership\"}");
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};
    int rc;

    (void)state;
    /* checklist_parse checks the parents within the checklist: a parent that the checklist
     * itself defines is a good reference wherever it is listed. Either the checklist loads, or
     * parse refuses it up front, naming the item: never "fine" at parse and then an unknown
     * item at apply. */
    rc = checklist_parse(text, strlen(text), &a.cl, &d);
    if (rc != 0) {
        assert_int_equal(rc, DK_DATA);
        assert_non_null(strstr(d.msg, "items[0].parent"));
        db_close(db);
        return;
    }
    rc = support_write(db, do_apply, &a, &d);
    json_decref(a.cl);
    if (rc != 0) {
        db_close(db);
        fail_msg("parse accepted the checklist, apply refused it: %s", d.msg);
    }
    assert_int_equal(a.n.items, 2);
    assert_string_equal(support_text(db, "SELECT parent FROM items WHERE key = 'child'"),
                        "zparent");
    db_close(db);
}

static void
an_item_cannot_be_its_own_parent(void **state)
{
    (void)state;
    refused(CL(KIND, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\",\"parent\":"
                     "\"alpha\"}"),
            "items[0].parent", END);
}

/* Version 2's flags and roll-up reach the events and the state: a status flagged lost breaches
 * a membership to keep (not one to obtain), at_risk is the vocabulary's, and an item's rollup
 * is its own; a version 1 checklist's statuses carry no flag (#14 points 4 and 8). */
#define CL2(kinds, items)                                                                          \
    "{\"format\":\"docket-checklist\",\"version\":2," DOC ",\"kinds\":[" kinds                     \
    "],\"items\":[" items "]}"
#define ST_LAPSED "{\"name\":\"lapsed\",\"progress\":0,\"final\":false,\"lost\":true}"
#define ST_RISK   "{\"name\":\"shaky\",\"progress\":50,\"final\":false,\"at_risk\":true}"
#define KIND2                                                                                      \
    "{\"name\":\"membership\",\"initial\":\"not-approached\",\"statuses\":[" ST_NOT "," ST_MEMBER  \
    "," ST_LAPSED "," ST_RISK "]}"

static void
version_2_flags_and_rollup_are_recorded(void **state)
{
    struct db *db = support_store(0);
    struct apply a = {0};
    struct diag d = {0};

    (void)state;
    a.cl = parsed(CL2(KIND2, "{\"key\":\"kept\",\"title\":\"K\",\"kind\":\"membership\","
                             "\"goal\":\"keep\",\"baseline\":\"member\"},"
                             "{\"key\":\"sought\",\"title\":\"S\",\"kind\":\"membership\","
                             "\"goal\":\"obtain\"},"
                             "{\"key\":\"teams\",\"title\":\"T\",\"kind\":\"membership\","
                             "\"rollup\":\"instances\"}"));
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    json_decref(a.cl);
    assert_string_equal(support_text(db, "SELECT group_concat(status || ':' || lost || at_risk, "
                                         "' ') FROM (SELECT * FROM vocab ORDER BY ord)"),
                        "not-approached:00 member:00 lapsed:10 shaky:01");
    assert_string_equal(support_item_col(db, "rollup", "teams"), "instances");
    assert_string_equal(support_item_col(db, "rollup", "kept"), "(null)");
    support_set_status(db, "kept", "lapsed", "2016-01");
    support_set_status(db, "sought", "lapsed", "2016-01");
    assert_int_equal(support_int(db, "SELECT breach FROM items WHERE key = 'kept'"), 1);
    assert_int_equal(support_int(db, "SELECT breach FROM items WHERE key = 'sought'"), 0);
    db_close(db);

    /* A version 1 checklist's vocabulary events say nothing of the new flags. */
    db = support_store(0);
    a.cl = parsed(CL(KIND, ITEM));
    assert_int_equal(support_write(db, do_apply, &a, &d), 0);
    json_decref(a.cl);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'vocab' AND "
                                     "(attrs LIKE '%lost%' OR attrs LIKE '%at_risk%')"),
                     0);
    db_close(db);
    refused(CL2(KIND2, "{\"key\":\"alpha\",\"title\":\"A\",\"kind\":\"membership\","
                       "\"rollup\":\"both\"}"),
            "items[0].rollup: must be own or instances", END);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_checklist_parses),
        cmocka_unit_test(shipped_checklist_loads_once),
        cmocka_unit_test(the_loader_hands_back_counts_and_checklist),
        cmocka_unit_test(a_changed_item_is_recorded_as_edits),
        cmocka_unit_test(reloading_leaves_recorded_changes_alone),
        cmocka_unit_test(minimal_checklist_loads),
        cmocka_unit_test(a_changed_definition_is_recorded_again),
        cmocka_unit_test(malformed_json_is_refused),
        cmocka_unit_test(duplicate_keys_are_refused),
        cmocka_unit_test(unknown_fields_are_refused),
        cmocka_unit_test(missing_and_mistyped_fields_are_refused),
        cmocka_unit_test(a_baseline_must_be_a_status_of_its_kind),
        cmocka_unit_test(kinds_are_checked),
        cmocka_unit_test(items_are_checked),
        cmocka_unit_test(the_document_is_checked),
        cmocka_unit_test(wrong_format_or_version_is_refused),
        cmocka_unit_test(version_2_fields_need_version_2),
        cmocka_unit_test(instances_are_iso3166_or_nothing),
        cmocka_unit_test(shipped_unct_has_countries),
        cmocka_unit_test(reloading_leaves_a_withdrawn_item_withdrawn),
        cmocka_unit_test(version_2_flags_and_rollup_are_recorded),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(jsontestsuite_cases_of_our_own),
        cmocka_unit_test(apply_names_a_missing_parent),
        cmocka_unit_test(apply_names_a_kind_the_store_lacks),
        cmocka_unit_test(apply_keeps_to_its_own_document),
        cmocka_unit_test(a_parent_listed_later_in_the_checklist_loads),
        cmocka_unit_test(an_item_cannot_be_its_own_parent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
