/* test_net.c: the URL checks of the net module that need no network: user info in a URL. */
#include <string.h>

#include "docket/net.h"
#include "support.h"

/* A URL and what net_userinfo must find in it: the user info ("" for none), as text. */
struct userinfo_case {
    const char *url, *userinfo;
};

static void
userinfo_is_an_at_sign_in_the_authority_only(void **state)
{
    static const struct userinfo_case cases[] = {
        {"http://user:secret@host/a", "user:secret@"},
        {"http://user@host/", "user@"},
        {"HTTPS://USER:PW@HOST", "USER:PW@"},
        {"https://:pw@host", ":pw@"},
        {"https://user:@host", "user:@"},
        {"https://u:p@ss@host:8443?x", "u:p@ss@"},
        {"http://us%40er:pw@[::1]:8080/a@b", "us%40er:pw@"},
        {"https://user:pw@host#f", "user:pw@"},
        {"svn+ssh://me@host/repo", "me@"},
        {"user:pw@host:2379", "user:pw@"}, /* no scheme: the authority is the start */
        {"https://host/a@b", ""},
        {"https://host/?u=a@b", ""},
        {"https://host#a@b", ""},
        {"https://host:443/@", ""},
        {"http://[::1]/x@y", ""},
        {"https://host", ""},
        {"", ""},
        {"://@", "@"},
        {"1http://a:pw@b", "a:pw@"}, /* not a scheme, yet hidden all the same */
        {"./a://b@c", "b@"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *url = cases[i].url;
        size_t at = 12345, len = net_userinfo(url, strlen(url), &at);

        if (len != strlen(cases[i].userinfo) ||
            (len > 0 && strncmp(url + at, cases[i].userinfo, len) != 0))
            fail_msg("'%s': found '%.*s', not '%s'", url, (int)len, len ? url + at : "",
                     cases[i].userinfo);
        if (len == 0)
            assert_int_equal(at, 12345); /* written only when found */
    }
}

static void
userinfo_stays_within_the_length(void **state)
{
    const char *url = "http://host@evil/";
    size_t at = 0;

    (void)state;
    /* Only "http://host" is looked at. */
    assert_int_equal(net_userinfo(url, 11, &at), 0);
    assert_int_equal(net_userinfo(url, 12, &at), 5);
    assert_int_equal(at, 7);
    assert_int_equal(net_userinfo(url, 12, NULL), 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(userinfo_is_an_at_sign_in_the_authority_only),
        cmocka_unit_test(userinfo_stays_within_the_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
