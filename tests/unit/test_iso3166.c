/* test_iso3166.c: the ISO 3166-1 alpha-3 table: complete, sorted, and found by exact code. */
#include <string.h>

#include "docket/iso3166.h"
#include "support.h"

/* Every current code, no more: 249 at ISO 3166-1's state that the table was taken from. */
static void
table_holds_every_current_code(void **state)
{
    (void)state;
    assert_int_equal(iso3166_count, 249);
    assert_null(iso3166_code_at(iso3166_count));
}

/* The binary search needs the codes strictly in byte order, each three upper-case letters. */
static void
table_is_sorted_and_well_formed(void **state)
{
    (void)state;
    for (size_t i = 0; i < iso3166_count; i++) {
        const char *c = iso3166_code_at(i);

        assert_int_equal(strlen(c), 3);
        for (int j = 0; j < 3; j++)
            assert_true(c[j] >= 'A' && c[j] <= 'Z');
        if (i > 0)
            assert_true(strcmp(iso3166_code_at(i - 1), c) < 0);
        /* Each code is found by the search, the first and last included. */
        assert_non_null(iso3166_name(c));
    }
}

static void
name_of_a_code(void **state)
{
    (void)state;
    assert_string_equal(iso3166_name("KEN"), "Kenya");
    assert_string_equal(iso3166_name("CHE"), "Switzerland");
    assert_string_equal(iso3166_name("ABW"), "Aruba");
    assert_string_equal(iso3166_name("ZWE"), "Zimbabwe");
    assert_string_equal(iso3166_name("CIV"), "C\xc3\xb4te d'Ivoire");
}

/* Exact codes only: the case, the length and withdrawn codes (YUG, ANT) are not codes. */
static void
refuses_what_is_not_a_code(void **state)
{
    (void)state;
    assert_null(iso3166_name("ken"));
    assert_null(iso3166_name("Ken"));
    assert_null(iso3166_name("KE"));
    assert_null(iso3166_name("KENY"));
    assert_null(iso3166_name("Kenya"));
    assert_null(iso3166_name(""));
    assert_null(iso3166_name(NULL));
    assert_null(iso3166_name("YUG"));
    assert_null(iso3166_name("ANT"));
    assert_null(iso3166_name("AAA"));
    assert_null(iso3166_name("ZZZ"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_holds_every_current_code),
        cmocka_unit_test(table_is_sorted_and_well_formed),
        cmocka_unit_test(name_of_a_code),
        cmocka_unit_test(refuses_what_is_not_a_code),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
