/* test_draft.c: a checklist drafted from a resolution's plain text: the layouts it reads, what it
 * guesses, the texts it refuses, and that the checklist it makes loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/draft.h"
#include "support.h"

/* Drafts TEXT with SYMBOL (may be NULL) and returns the checklist; the test fails unless it
 * succeeds. *MISSING, when MISSING is not NULL, gets the fields left empty. */
static json_t *
drafted(const char *text, const char *symbol, unsigned *missing)
{
    struct draft_opts o = {.symbol = symbol};
    struct diag d = {0};
    json_t *cl = NULL;
    unsigned m = 0;
    int rc = draft_make(text, strlen(text), &o, &cl, &m, &d);

    if (rc != 0)
        fail_msg("draft refused (%d): %s", rc, d.msg);
    if (missing)
        *missing = m;
    return cl;
}

/* Expects TEXT (LEN bytes) to be refused with DK_DATA and a message holding WANT, and nothing
 * made. */
static void
refused_n(const char *text, size_t len, const char *want)
{
    struct draft_opts o = {0};
    struct diag d = {0};
    json_t *cl = NULL;
    unsigned m = 12345;

    assert_int_equal(draft_make(text, len, &o, &cl, &m, &d), DK_DATA);
    assert_null(cl);
    assert_int_equal(m, 12345);
    if (strstr(d.msg, want) == NULL)
        fail_msg("expected '%s' in '%s'", want, d.msg);
}

static void
refused(const char *text, const char *want)
{
    refused_n(text, strlen(text), want);
}

static const char *
doc_str(json_t *cl, const char *key)
{
    return json_string_value(json_object_get(json_object_get(cl, "document"), key));
}

/* Returns the text of paragraph REF, or NULL. */
static const char *
para(json_t *cl, const char *ref)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(json_object_get(cl, "document"), "paragraphs"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "ref")), ref) == 0)
            return json_string_value(json_object_get(p, "text"));
    }
    return NULL;
}

/* Returns the kinds of the items of paragraph REF joined by ',' in a static buffer ("" for
 * none), and checks that each is marked guessed. */
static const char *
kinds_of(json_t *cl, const char *ref)
{
    static char buf[256];
    size_t i;
    json_t *it;

    buf[0] = '\0';
    json_array_foreach(json_object_get(cl, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "ref")), ref) != 0)
            continue;
        assert_true(json_is_true(json_object_get(it, "guessed")));
        if (buf[0])
            strcat(buf, ",");
        strcat(buf, json_string_value(json_object_get(it, "kind")));
    }
    return buf;
}

static const char layout[] =
    "A/RES/99/1\n"
    "Distr.: General 4 December 2015\n"
    "Seventieth session\n"
    "Resolution adopted by the General Assembly on 24 November 2015\n"
    "99/1. Tests of layout\n"
    "The General Assembly,\n"
    "Recalling its resolution 1 (I) of 24 January 1946,1 which it\n"
    "adopted unanimously,\n"
    "Noting the report of the Secretary-General,\n"
    "\n"
    "1. Requests the Secretary-General to report to the General Assembly at its next session,\n"
    "including on the cost implications of the decision-\n"
    "making process;\n"
    "2. Decides that the Working Group shall:\n"
    "(a) Maintain its working methods as set out in subparagraphs (a) and\n"
    "(b) below;\n"
    "(b) Consider the following:\n"
    "(i) Seek to become a member of the coordination bodies;\n"
    "\f15-12345 2/3\n"
    "A/RES/99/1\n"
    "- 2 -\n"
    "(ii) Develop proposals for their reform;2\n"
    "_______________\n"
    "1 Official Records of the General Assembly, First Session.\n"
    "2 See A/99/100.\n"
    "\n"
    "3. Expresses its appreciation to the Chair;\n"
    "4. Decides to remain seized of the matter.\n"
    "\n"
    "80th plenary meeting\n"
    "24 November 2015\n"
    "Annex\n"
    "1. Not a paragraph of the resolution.\n";

/* A General Assembly layout with page furniture, footnotes, wrapped and hyphenated lines, and
 * subparagraphs two levels deep. */
static void
test_layout(void **state)
{
    unsigned missing;
    json_t *cl = drafted(layout, NULL, &missing);

    (void)state;
    assert_string_equal(doc_str(cl, "symbol"), "A/RES/99/1");
    assert_string_equal(doc_str(cl, "alias"), "a-res-99-1");
    assert_string_equal(doc_str(cl, "title"), "Tests of layout");
    assert_string_equal(doc_str(cl, "body"), "General Assembly");
    assert_string_equal(doc_str(cl, "session"), "Seventieth session");
    assert_string_equal(doc_str(cl, "adopted"), "2015-11-24");
    assert_string_equal(doc_str(cl, "published"), "2015-12-04");
    assert_int_equal(missing, 0);
    assert_string_equal(doc_str(cl, "preamble"),
                        "Recalling its resolution 1 (I) of 24 January 1946, which it adopted "
                        "unanimously,\nNoting the report of the Secretary-General,");
    assert_string_equal(para(cl, "1"),
                        "Requests the Secretary-General to report to the General Assembly at its "
                        "next session, including on the cost implications of the "
                        "decision-making process;");
    assert_string_equal(para(cl, "2"), "Decides that the Working Group shall:");
    assert_string_equal(para(cl, "2(a)"), "Maintain its working methods as set out in "
                                          "subparagraphs (a) and (b) below;");
    assert_string_equal(para(cl, "2(b)"), "Consider the following:");
    assert_string_equal(para(cl, "2(b)(i)"), "Seek to become a member of the coordination bodies;");
    assert_string_equal(para(cl, "2(b)(ii)"), "Develop proposals for their reform;");
    assert_string_equal(para(cl, "3"), "Expresses its appreciation to the Chair;");
    assert_string_equal(para(cl, "4"), "Decides to remain seized of the matter.");
    assert_null(para(cl, "5"));
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(cl, "document"), "paragraphs")), 8);
    /* What each asks. */
    assert_string_equal(kinds_of(cl, "1"), "reporting,cost");
    assert_string_equal(kinds_of(cl, "2"), "action");
    assert_string_equal(kinds_of(cl, "2(a)"), "safeguard");
    assert_string_equal(kinds_of(cl, "2(b)(i)"), "membership");
    assert_string_equal(kinds_of(cl, "2(b)(ii)"), "proposal");
    assert_string_equal(kinds_of(cl, "3"), "acknowledgement");
    assert_string_equal(kinds_of(cl, "4"), "");
    json_decref(cl);
}

/* An agency's governing body: operative verbs in capitals, subparagraphs numbered "(1)", the
 * adoption date alone at the foot, what follows it left out; a report named is not one asked
 * for, and approving or agreeing asks nothing. */
static void
test_governing_body_dated_at_its_foot(void **state)
{
    unsigned missing;
    json_t *cl = drafted("Forty-seventh session\n\nReport of the Regional Director\n\n"
                         "   The Regional Committee,\n\n   Noting the report,*\n\n"
                         "  1. APPROVES the format of the report for future reporting;\n"
                         "  2. AGREES that the report should include a review;\n"
                         "  3. REQUESTS the Regional Director:\n"
                         "    (1) to discontinue the reporting practice;\n"
                         "    (2) to prepare an annual report; and\n"
                         "    (3) to report to the Regional Committee at its next\n"
                         "session.\n\n* WPR/RC47/2\n\n11 September 1996\n\nPrint  Bookmark\n",
                         "X/1", &missing);

    (void)state;
    assert_int_equal(missing, 0);
    assert_string_equal(doc_str(cl, "adopted"), "1996-09-11");
    assert_string_equal(doc_str(cl, "session"), "Forty-seventh session");
    assert_string_equal(doc_str(cl, "title"), "Report of the Regional Director");
    assert_string_equal(para(cl, "3(3)"),
                        "to report to the Regional Committee at its next session.");
    assert_string_equal(kinds_of(cl, "1"), "");
    assert_string_equal(kinds_of(cl, "2"), "");
    assert_string_equal(kinds_of(cl, "3(1)"), "action");
    assert_string_equal(kinds_of(cl, "3(2)"), "reporting");
    assert_string_equal(kinds_of(cl, "3(3)"), "reporting");
    json_decref(cl);
    /* A date inside a paragraph that goes on is its text. */
    cl = drafted("1. REQUESTS the Director to report by\n24 November 2015\nat the latest.\n", "X/1",
                 NULL);
    assert_string_equal(para(cl, "1"),
                        "REQUESTS the Director to report by 24 November 2015 at the latest.");
    assert_string_equal(doc_str(cl, "adopted"), "");
    json_decref(cl);
}

/* Lettered subparagraphs written "a)", roman ones straight under a paragraph, and a text with
 * no header: every field it does not give is named. */
static void
test_bare(void **state)
{
    unsigned missing;
    json_t *cl = drafted("1. Calls upon all States:\n"
                         "a) to act;\n"
                         "b) to report back;\n"
                         "2. Takes note of the following:\n"
                         "(i) the first;\n"
                         "(ii) the second;\n"
                         "(iii) the third;\n",
                         "X/1", &missing);

    (void)state;
    assert_int_equal(missing, DRAFT_NO_TITLE | DRAFT_NO_BODY | DRAFT_NO_SESSION | DRAFT_NO_ADOPTED);
    assert_string_equal(doc_str(cl, "symbol"), "X/1");
    assert_string_equal(doc_str(cl, "title"), "");
    assert_string_equal(doc_str(cl, "adopted"), "");
    assert_null(doc_str(cl, "body"));
    assert_null(doc_str(cl, "preamble"));
    assert_string_equal(para(cl, "1(a)"), "to act;");
    assert_string_equal(kinds_of(cl, "1(b)"), "reporting");
    assert_string_equal(para(cl, "2(iii)"), "the third;");
    assert_string_equal(kinds_of(cl, "2"), "acknowledgement");
    assert_string_equal(draft_field(DRAFT_NO_TITLE), "document.title");
    json_decref(cl);
    /* An item's title is never empty, whatever its paragraph opens with. */
    cl = drafted("1. Requests:\n(a) ; to act;\n(b) ...;\n", "X/1", NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(cl, "items"), 1), "title")),
                        "; to act");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(cl, "items"), 2), "title")),
                        "Paragraph 1(b)");
    json_decref(cl);
}

/* Loads checklist text ARG (a string) in the caller's write transaction. */
static int
load_step(struct db *db, void *arg, struct diag *d)
{
    struct checklist_counts n;

    return checklist_load(db, arg, strlen(arg), &n, NULL, d);
}

/* A resolution in parts: each part's heading between two paragraphs is not their text. */
static void
test_parts(void **state)
{
    json_t *cl = drafted("The General Assembly,\n"
                         "I\n"
                         "General matters\n"
                         "1. Decides to act;\n"
                         "II\n"
                         "Financing of the\n"
                         "programme\n"
                         "2. Requests the Secretary-General to act;\n"
                         "B. Follow-up\n"
                         "3. Decides to act again; and\n"
                         "A further line.\n",
                         "X/1", NULL);

    (void)state;
    assert_string_equal(para(cl, "1"), "Decides to act;");
    assert_string_equal(para(cl, "2"), "Requests the Secretary-General to act;");
    assert_string_equal(para(cl, "3"), "Decides to act again; and A further line.");
    json_decref(cl);
}

/* The draft carries the kinds its items use, as the shipped checklist defines them, and loads
 * into an empty store once it has a symbol, its alias recorded with the document; without a
 * symbol it is refused at document.symbol. */
static void
test_loads(void **state)
{
    struct db *db = support_store(0);
    json_t *cl = drafted(layout, NULL, NULL), *parsed = NULL, *k;
    struct diag d = {0};
    char *text;
    size_t i;

    (void)state;
    json_array_foreach(json_object_get(cl, "kinds"), i, k)
    {
        const char *name = json_string_value(json_object_get(k, "name"));

        assert_true(strcmp(name, "reporting") == 0 || strcmp(name, "cost") == 0 ||
                    strcmp(name, "action") == 0 || strcmp(name, "safeguard") == 0 ||
                    strcmp(name, "membership") == 0 || strcmp(name, "proposal") == 0 ||
                    strcmp(name, "acknowledgement") == 0);
        assert_non_null(json_object_get(k, "statuses"));
    }
    assert_int_equal(json_array_size(json_object_get(cl, "kinds")), 7);
    text = json_dumps(cl, 0);
    if (support_write(db, load_step, text, &d) != 0)
        fail_msg("the draft did not load: %s", d.msg);
    free(text);
    assert_string_equal(
        support_text(db,
                     "SELECT json_extract(attrs, '$.alias') FROM event WHERE type = 'document'"),
        "a-res-99-1");
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'paragraph'"), 8);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event WHERE type = 'item'"),
                     (long long)json_array_size(json_object_get(cl, "items")));
    db_close(db);
    json_object_set_new(json_object_get(cl, "document"), "symbol", json_string(""));
    text = json_dumps(cl, 0);
    assert_int_equal(checklist_parse(text, strlen(text), &parsed, &d), DK_DATA);
    assert_null(parsed);
    assert_non_null(strstr(d.msg, "document.symbol"));
    free(text);
    json_decref(cl);
}

/* Format version 2's alias and guessed, refused in version 1 and checked in version 2. */
static void
test_checklist_fields(void **state)
{
    static const char v2[] =
        "{\"format\":\"docket-checklist\",\"version\":2,\"document\":{\"symbol\":\"T/1\","
        "\"alias\":\"%s\",\"title\":\"T\",\"adopted\":\"2015-11-24\"},\"kinds\":[{\"name\":"
        "\"k\",\"initial\":\"s\",\"statuses\":[{\"name\":\"s\",\"progress\":0,\"final\":"
        "false}]}],\"items\":[{\"key\":\"a\",\"title\":\"A\",\"kind\":\"k\",\"guessed\":%s}]}";
    char text[1024];
    json_t *cl = NULL;
    struct diag d = {0};

    (void)state;
    snprintf(text, sizeof text, v2, "t-1", "true");
    assert_int_equal(checklist_parse(text, strlen(text), &cl, &d), 0);
    json_decref(cl);
    cl = NULL;
    snprintf(text, sizeof text, v2, "T 1", "true");
    assert_int_equal(checklist_parse(text, strlen(text), &cl, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "document.alias: bad alias 'T 1'"));
    memset(&d, 0, sizeof d);
    snprintf(text, sizeof text, v2, "t-1", "\"yes\"");
    assert_int_equal(checklist_parse(text, strlen(text), &cl, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "items[0].guessed: must be true or false"));
    memset(&d, 0, sizeof d);
    snprintf(text, sizeof text, v2, "t-1", "true");
    memcpy(strstr(text, "\"version\":2"), "\"version\":1", 11);
    assert_int_equal(checklist_parse(text, strlen(text), &cl, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "document.alias: needs checklist format version 2"));
}

static void
test_hostile(void **state)
{
    char *big;
    static const char bad_utf8[] = "1. Requests \xff the Director General;\n";

    (void)state;
    refused("The Council,\nRecalling everything,\nDecides to act;\n",
            "no numbered operative paragraph");
    refused("", "no numbered operative paragraph");
    refused_n(bad_utf8, sizeof bad_utf8 - 1, "not valid UTF-8");
    refused_n("1. Requests\0 the Director General;\n", 35, "not valid UTF-8");
    refused("1. Requests the Director General to act;\n2. Decides to act;\n"
            "1. Requests again;\n",
            "line 3: paragraph 1 is numbered twice (first at line 1)");
    refused("1. Requests the Director General to act;\n3. Decides to act;\n",
            "line 2: paragraph 3 follows paragraph 1");
    big = malloc(DRAFT_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', DRAFT_MAX + 1);
    memcpy(big, "1. Requests ", 12);
    refused_n(big, DRAFT_MAX + 1, "larger than 4 MiB");
    free(big);
    {
        struct draft_opts o = {.alias = "Not An Alias"};
        struct diag d = {0};
        json_t *cl = NULL;
        unsigned m;

        assert_int_equal(draft_make("1. Requests.\n", 13, &o, &cl, &m, &d), DK_DATA);
        assert_null(cl);
        assert_non_null(strstr(d.msg, "bad alias 'Not An Alias'"));
    }
}

static void
test_alias(void **state)
{
    char *a;

    (void)state;
    a = checklist_alias_from_symbol("A/RES/70/296");
    assert_string_equal(a, "a-res-70-296");
    free(a);
    a = checklist_alias_from_symbol("  S/RES/1839 (2008) ");
    assert_string_equal(a, "s-res-1839-2008");
    free(a);
    a = checklist_alias_from_symbol("//");
    assert_string_equal(a, "");
    free(a);
    assert_true(checklist_alias_ok("res1309"));
    assert_false(checklist_alias_ok("Res1309"));
    assert_false(checklist_alias_ok("a.b"));
    assert_false(checklist_alias_ok("-a"));
    assert_false(checklist_alias_ok(""));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bare),
        cmocka_unit_test(test_governing_body_dated_at_its_foot),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_loads),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_checklist_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
