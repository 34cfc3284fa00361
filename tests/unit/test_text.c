/* Sanitising what machines say before a terminal sees it. */
#include <stdio.h>
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
    text_sanitize(out, sizeof out,
                  "a\xc2\x9b"
                  "31mb",
                  false);
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

#define ELL "\xe2\x80\xa6" /* … */

/* fit(src, cols) as text_fit writes it, checked never wider than cols */
static const char *fit(const char *src, size_t cols)
{
    static char out[256];
    size_t w = text_fit(out, sizeof out, src, cols, ELL);
    assert_int_equal(w, text_width(out));
    assert_true(w <= cols);
    return out;
}

static void fit_keeps_what_fits(void **state)
{
    (void)state;
    assert_string_equal(fit("AuthRestrictions=128: EAP only", 40),
                        "AuthRestrictions=128: EAP only");
    assert_string_equal(fit("", 3), "");
    assert_string_equal(fit("abc", 3), "abc");
}

/* the bug of issue 15: "AuthRestrictions=1…" read as a value of 1 */
static void fit_never_cuts_a_number_or_value(void **state)
{
    (void)state;
    const char *v = "AuthRestrictions=128: EAP only, MS-CHAP v2 not allowed";
    assert_string_equal(fit(v, 19), ELL " EAP only " ELL);
    assert_string_equal(fit(v, 25), "AuthRestrictions=128 " ELL);
    assert_string_equal(fit(v, 36), "AuthRestrictions=128: EAP only " ELL);
    /* the comma goes with the cut, the verb stays */
    assert_string_equal(fit("all 6 checks pass, 1 skipped", 19), "all 6 checks pass " ELL);
    assert_string_equal(fit("the last attempt stopped earlier, with 789 ERROR_OAKLEY_GENERAL", 45),
                        "the last attempt stopped earlier, with 789 " ELL);
    assert_string_equal(fit("stopped with 12345", 16), "stopped with " ELL);
}

/* the 40-column message line of issue 15 keeps its verb */
static void fit_drops_the_article_before_the_verb(void **state)
{
    (void)state;
    const char *m = "use-psk not applied: the server rejects this key: not saved "
                    "(--store-rejected-key saves it anyway)";
    assert_string_equal(fit(m, 38), "use-psk not applied: server rejects " ELL);
    assert_string_equal(fit(m, 200), m); /* what fits stays as written */
    assert_string_equal(fit("the server said no", 17), "the server said " ELL);
}

static void fit_never_cuts_an_id_or_option(void **state)
{
    (void)state;
    assert_string_equal(fit("the key was kept: use --store-rejected-key to save it", 40),
                        "the key was kept: use " ELL);
    assert_string_equal(fit("the key was kept: use --store-rejected-key to save it", 44),
                        "the key was kept: use --store-rejected-key " ELL);
    assert_string_equal(fit("fix psk-matches failed", 16), "fix " ELL);
    assert_string_equal(fit("fix mschapv2 (Allow MS-CHAP v2)", 11), "fix " ELL);
    assert_string_equal(fit("mschapv2 allowed", 6), ELL);
    /* a name with a capital inside is a registry name: whole or not at all */
    assert_string_equal(fit("LcpExtensions=0: disabled", 10), ELL " disabled");
    assert_string_equal(fit("set LcpExtensions", 10), "set " ELL);
}

/* a sentence whose head is one long word still starts with that word */
static void fit_shortens_a_lone_plain_word(void **state)
{
    (void)state;
    assert_string_equal(fit("Authentication failed", 8), "Authent" ELL);
    assert_string_equal(fit("(unknown)", 5), "(unk" ELL);
    assert_string_equal(fit("words", 1), ELL);
    assert_string_equal(fit("words", 0), "");
}

static void fit_counts_columns_of_utf8(void **state)
{
    (void)state;
    /* two columns each: five CJK characters take ten */
#define CJK "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x96\x87\xe5\xad\x97"
    const char *cjk = CJK;
    char sentence[64];
    snprintf(sentence, sizeof sentence, "%s ok", cjk);
    assert_string_equal(fit(sentence, 13), sentence);
    assert_string_equal(fit(sentence, 12), CJK /* 10 */ " " ELL);
    /* a plain word of non-ASCII letters is shortened on a character boundary */
    assert_string_equal(fit("B\xc3\xbcrogeb\xc3\xa4ude offen", 5), "B\xc3\xbcro" ELL);
    /* 4 + 1 columns: a third character would make 7 */
    assert_string_equal(fit(cjk, 6), "\xe6\x97\xa5\xe6\x9c\xac" ELL);
    /* a server name is kept whole even in UTF-8 */
    assert_string_equal(fit("server vpn.b\xc3\xbcro.example is down", 25),
                        "server vpn.b\xc3\xbcro.example " ELL);
    assert_string_equal(fit("server vpn.b\xc3\xbcro.example is down", 24), "server " ELL);
}

static void fit_stays_inside_its_buffer(void **state)
{
    (void)state;
    char small[8];
    size_t w = text_fit(small, sizeof small, "aaaa bbbb cccc dddd", 12, ELL);
    assert_true(strlen(small) < sizeof small);
    assert_int_equal(w, text_width(small));
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
        cmocka_unit_test(fit_keeps_what_fits),
        cmocka_unit_test(fit_never_cuts_a_number_or_value),
        cmocka_unit_test(fit_drops_the_article_before_the_verb),
        cmocka_unit_test(fit_never_cuts_an_id_or_option),
        cmocka_unit_test(fit_shortens_a_lone_plain_word),
        cmocka_unit_test(fit_counts_columns_of_utf8),
        cmocka_unit_test(fit_stays_inside_its_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
