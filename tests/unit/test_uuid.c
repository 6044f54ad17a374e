/* test_uuid.c: random (v4) and name-based (v5, SHA-1) UUIDs in their 36-character text form. */
#include <string.h>

#include "docket/uuid.h"
#include "support.h"

/* Checks the text form: 8-4-4-4-12 lower-case hex digits, version VERSION, variant 10xx. */
static void
check_form(const char *u, char version)
{
    assert_int_equal(strlen(u), UUID_LEN);
    for (int i = 0; i < UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            assert_int_equal(u[i], '-');
            continue;
        }
        if (!((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f')))
            fail_msg("'%s': character %d is not a lower-case hex digit", u, i);
    }
    assert_int_equal(u[14], version);
    assert_non_null(strchr("89ab", u[19]));
}

static void
v4_is_random_and_well_formed(void **state)
{
    char a[UUID_LEN + 1], b[UUID_LEN + 1];

    (void)state;
    memset(a, 'X', sizeof a);
    assert_int_equal(uuid_v4(a), 0);
    check_form(a, '4');
    for (int i = 0; i < 64; i++) {
        assert_int_equal(uuid_v4(b), 0);
        check_form(b, '4');
        assert_string_not_equal(a, b);
    }
}

static void
v4_variant_takes_all_four_values(void **state)
{
    int seen[4] = {0};

    (void)state;
    /* The variant nibble is 10xx: over many draws all of 8, 9, a, b turn up, and nothing else. */
    for (int i = 0; i < 400; i++) {
        char u[UUID_LEN + 1];

        assert_int_equal(uuid_v4(u), 0);
        check_form(u, '4');
        seen[strchr("89ab", u[19]) - "89ab"]++;
    }
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 0);
}

static void
v5_is_deterministic(void **state)
{
    char a[UUID_LEN + 1], b[UUID_LEN + 1], c[UUID_LEN + 1];

    (void)state;
    assert_int_equal(uuid_v5("C/106/RES/1309\nceb", 18, a), 0);
    assert_int_equal(uuid_v5("C/106/RES/1309\nceb", 18, b), 0);
    check_form(a, '5');
    assert_string_equal(a, b);
    assert_int_equal(uuid_v5("C/106/RES/1309\nceb.hlcm", 23, c), 0);
    check_form(c, '5');
    assert_string_not_equal(a, c);
}

static void
v5_uses_the_length_not_the_terminator(void **state)
{
    char a[UUID_LEN + 1], b[UUID_LEN + 1], c[UUID_LEN + 1];

    (void)state;
    assert_int_equal(uuid_v5("ceb", 3, a), 0);
    assert_int_equal(uuid_v5("cebXYZ", 3, b), 0);
    assert_string_equal(a, b);
    assert_int_equal(uuid_v5("a\0b", 3, b), 0);
    assert_int_equal(uuid_v5("a", 1, c), 0);
    assert_string_not_equal(b, c);
    assert_int_equal(uuid_v5("", 0, c), 0);
    check_form(c, '5');
}

static void
v5_matches_the_reference_algorithm(void **state)
{
    char u[UUID_LEN + 1];

    (void)state;
    /* RFC 4122 section 4.3 with docket's namespace 6f1c3a52-9d0e-4b8a-a421-5e930c7db248, as
     * Python's uuid.uuid5 computes it. Every item's identity depends on these staying put. */
    assert_int_equal(uuid_v5("ceb", 3, u), 0);
    assert_string_equal(u, "2186532c-8039-599a-a58f-6ac643e3a8b3");
    assert_int_equal(uuid_v5("C/106/RES/1309\nceb", 18, u), 0);
    assert_string_equal(u, "bb7b7679-14a6-5a9b-ab1e-8c27d16e3ba8");
    assert_int_equal(uuid_v5("C/106/RES/1309\nunct/KEN", 23, u), 0);
    assert_string_equal(u, "64357929-a4db-5337-8ccb-43a489016ecb");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v4_is_random_and_well_formed),
        cmocka_unit_test(v4_variant_takes_all_four_values),
        cmocka_unit_test(v5_is_deterministic),
        cmocka_unit_test(v5_uses_the_length_not_the_terminator),
        cmocka_unit_test(v5_matches_the_reference_algorithm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
