/* Sanitising what machines say before a terminal sees it. */
#include <string.h>

#include "testutil.h"
#include "text.h"

static void control_and_escape_sequences_replaced(void **state)
{
    (void)state;
    char out[64];
    text_sanitize(out, sizeof out, "VPN\x1b[2J\x07\r\n\x7f!", false);
    assert_string_equal(out, "VPN?[2J?\?\?\?!"); /* \? because "??!" is a trigraph */
    /* the 8-bit CSI (U+009B) is a control too */
    text_sanitize(out, sizeof out, "a\xc2\x9b" "31mb", false);
    assert_string_equal(out, "a?31mb");
}

static void invalid_utf8_replaced_valid_kept(void **state)
{
    (void)state;
    char out[64];
    text_sanitize(out, sizeof out, "B\xc3\xbcro \xff\xfe \xe2\x82\xac", false);
    assert_string_equal(out, "B\xc3\xbcro ?? \xe2\x82\xac");
    text_sanitize(out, sizeof out, "\xc0\xaf", false); /* overlong '/' */
    assert_string_equal(out, "??");
    text_sanitize(out, sizeof out, "\xed\xa0\x80", false); /* surrogate */
    assert_string_equal(out, "???");
}

static void ascii_only(void **state)
{
    (void)state;
    char out[64];
    text_sanitize(out, sizeof out, "B\xc3\xbcro \xe2\x82\xac", true);
    assert_string_equal(out, "B?ro ?");
}

static void long_input_cut_with_ellipsis(void **state)
{
    (void)state;
    char big[10001], out[32];
    memset(big, 'x', 10000);
    big[10000] = '\0';
    text_sanitize(out, sizeof out, big, false);
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_string_equal(out + strlen(out) - 3, "...");
    /* never cut inside a UTF-8 character */
    char euros[64] = "";
    for (int i = 0; i < 10; i++)
        strcat(euros, "\xe2\x82\xac");
    char small[8];
    text_sanitize(small, sizeof small, euros, false);
    assert_string_equal(small, "\xe2\x82\xac...");
}

static void copy_and_compare(void **state)
{
    (void)state;
    char out[4];
    assert_true(text_copy(out, sizeof out, "abc"));
    assert_false(text_copy(out, sizeof out, "abcd"));
    assert_string_equal(out, "abc");
    assert_false(text_copy(out, sizeof out, "a\xe2\x82\xac"));
    assert_string_equal(out, "a");
    assert_int_equal(text_casecmp("VPN.Example.COM", "vpn.example.com"), 0);
    assert_true(text_casecmp("a", "b") < 0);
}

static void width_in_columns(void **state)
{
    (void)state;
    assert_int_equal(text_width("VPN office"), 10);
    assert_int_equal(text_width(""), 0);
    /* 宽带连接: four CJK characters, two columns each */
    assert_int_equal(text_width("\xe5\xae\xbd\xe5\xb8\xa6\xe8\xbf\x9e\xe6\x8e\xa5"), 8);
    /* each invalid byte is one '?' */
    assert_int_equal(text_width("a\xff\xfe"
                                "b"),
                     4);
    assert_int_equal(text_width("\xe5\xae"), 2); /* a cut-off character */
    /* e + COMBINING ACUTE ACCENT takes one column */
    assert_int_equal(text_width("Caf"
                                "e\xcc\x81"),
                     4);
    assert_int_equal(text_width("\x1b[2J"), 4); /* the escape shown as '?' */
    /* the width agrees with the sanitized text for ASCII and invalid bytes */
    char shown[32];
    assert_int_equal(text_width("x\xc3("),
                     strlen(text_sanitize(shown, sizeof shown, "x\xc3(", false)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(control_and_escape_sequences_replaced),
        cmocka_unit_test(invalid_utf8_replaced_valid_kept),
        cmocka_unit_test(ascii_only),
        cmocka_unit_test(long_input_cut_with_ellipsis),
        cmocka_unit_test(copy_and_compare),
        cmocka_unit_test(width_in_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
