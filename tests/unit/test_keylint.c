/* The key as typed: each finding, its position by character, the folded form,
 * and no message that carries the key. */
#include <stdio.h>
#include <string.h>

#include "keylint.h"
#include "testutil.h"

static struct keylint lint(const char *key)
{
    struct keylint l;
    keylint_check(key, strlen(key), &l);
    return l;
}

/* The warning of kind (the first one), or a failure naming what was found. */
static const struct keylint_warning *find(const struct keylint *l, enum keylint_kind kind)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->w[i].kind == kind)
            return &l->w[i];
    char all[2048] = "";
    for (size_t i = 0; i < l->n; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "[%s] ", l->w[i].text);
    fail_msg("no warning of kind %d among: %s", (int)kind, all);
    return NULL;
}

static void expect(const char *key, enum keylint_kind kind, const char *text)
{
    struct keylint l = lint(key);
    const struct keylint_warning *w = find(&l, kind);
    if (!strstr(w->text, text))
        fail_msg("got '%s', want '%s'", w->text, text);
}

static void a_plain_key_has_nothing_to_say(void **state)
{
    (void)state;
    assert_int_equal(lint("Correct-Horse 42!").n, 0);
    assert_int_equal(lint("a b").n, 0); /* a blank inside is the key's own */
    assert_int_equal(lint("").n, 0);
}

static void blanks_around_the_key(void **state)
{
    (void)state;
    expect("  key", KEYLINT_LEADING_BLANK, "2 blanks before the key");
    expect("\tkey", KEYLINT_LEADING_BLANK, "1 blank before the key");
    expect("key ", KEYLINT_TRAILING_BLANK, "1 blank after the key (from position 4)");
    /* positions count characters, not bytes: U+201C is three bytes */
    expect("\xe2\x80\x9ckey  ", KEYLINT_TRAILING_BLANK, "2 blanks after the key (from position 5)");
    struct keylint l = lint(" k ");
    assert_int_equal(l.n, 2);
    l = lint("   ");
    assert_int_equal(l.n, 1); /* all blank: said once */
}

static void smart_quotes_by_code_point_and_position(void **state)
{
    (void)state;
    expect("abcd\xe2\x80\x9c"
           "efg\xe2\x80\x9d",
           KEYLINT_NON_ASCII, "U+201C LEFT DOUBLE QUOTATION MARK at position 5");
    struct keylint l = lint("abcd\xe2\x80\x9c"
                            "efg\xe2\x80\x9d");
    assert_non_null(strstr(l.w[1].text, "U+201D RIGHT DOUBLE QUOTATION MARK at position 9"));
    expect("it\xe2\x80\x99s", KEYLINT_NON_ASCII,
           "U+2019 RIGHT SINGLE QUOTATION MARK at position 3");
    expect("a\xe2\x80\x93"
           "b",
           KEYLINT_NON_ASCII, "U+2013 EN DASH at position 2");
    expect("\xc3\xa9t\xc3\xa9", KEYLINT_NON_ASCII, "U+00E9 at position 1: not ASCII");
    expect("a\xe2\x80\x8b"
           "b",
           KEYLINT_NON_ASCII, "U+200B ZERO WIDTH SPACE at position 2: invisible");
}

static void spaces_that_are_not_spaces(void **state)
{
    (void)state;
    expect("ab\xc2\xa0"
           "cd",
           KEYLINT_NO_BREAK_SPACE, "U+00A0 NO-BREAK SPACE at position 3");
    expect("ab\xe2\x80\xaf"
           "cd",
           KEYLINT_NO_BREAK_SPACE, "U+202F NARROW NO-BREAK SPACE");
    /* a no-break space at the end is not a U+0020 blank: named, not counted as trailing */
    struct keylint l = lint("abcd\xc2\xa0");
    assert_int_equal(find(&l, KEYLINT_NO_BREAK_SPACE)->pos, 5);
}

static void line_breaks_and_control_characters(void **state)
{
    (void)state;
    expect("first\nsecond", KEYLINT_LINE_BREAK, "U+000A LINE FEED at position 6");
    expect("key\r", KEYLINT_LINE_BREAK, "U+000D CARRIAGE RETURN at position 4");
    expect("a\tb", KEYLINT_CONTROL, "U+0009 CHARACTER TABULATION at position 2");
    expect("a\x07"
           "b",
           KEYLINT_CONTROL, "U+0007 at position 2");
}

static void quotes_and_backslashes(void **state)
{
    (void)state;
    expect("ab\"cd", KEYLINT_QUOTE_OR_BACKSLASH, "U+0022 QUOTATION MARK at position 3");
    expect("ab'cd", KEYLINT_QUOTE_OR_BACKSLASH, "U+0027 APOSTROPHE at position 3");
    expect("ab\\cd", KEYLINT_QUOTE_OR_BACKSLASH, "U+005C REVERSE SOLIDUS at position 3");
    /* a straight quote is already ASCII: no folding warning */
    struct keylint l = lint("ab\"cd");
    for (size_t i = 0; i < l.n; i++)
        assert_int_not_equal(l.w[i].kind, KEYLINT_FOLDS);
}

static void bytes_that_are_not_utf8(void **state)
{
    (void)state;
    expect("caf\xe9", KEYLINT_NOT_UTF8, "byte 0xE9 at position 4 is not UTF-8");
    expect("a\xc0\xafz", KEYLINT_NOT_UTF8, "byte 0xC0 at position 2");     /* overlong '/' */
    expect("a\xed\xa0\x80z", KEYLINT_NOT_UTF8, "byte 0xED at position 2"); /* a surrogate */
    expect("ab\xe2\x80", KEYLINT_NOT_UTF8, "byte 0xE2 at position 3");     /* cut short */
}

static void the_ascii_folded_form(void **state)
{
    (void)state;
    const char *key = "\xe2\x80\x9cpass\xe2\x80\x99word\xe2\x80\x9d\xc2\xa0\xe2\x80\x94"
                      "1\xe2\x80\xa6\xe2\x80\x8b";
    char out[64];
    assert_true(keylint_fold(key, strlen(key), out, sizeof out));
    assert_string_equal(out, "\"pass'word\" -1...");
    expect(key, KEYLINT_FOLDS, "differs from its ASCII-folded form");
    /* what has no ASCII form stays, and a key that folds to itself is not flagged */
    assert_true(keylint_fold("\xc3\xa9", 2, out, sizeof out));
    assert_string_equal(out, "\xc3\xa9");
    struct keylint l = lint("\xc3\xa9");
    for (size_t i = 0; i < l.n; i++)
        assert_int_not_equal(l.w[i].kind, KEYLINT_FOLDS);
    assert_false(keylint_fold("abcdef", 6, out, 4)); /* too small: said, not cut */
}

static void many_findings_end_in_a_count(void **state)
{
    (void)state;
    char key[256] = " ";
    for (int i = 0; i < 20; i++)
        strcat(key, "x\xe2\x80\x9c");
    strcat(key, " ");
    struct keylint l = lint(key);
    assert_int_equal(l.n, KEYLINT_MAX);
    /* the summaries are kept: blanks on both sides and the folded form */
    find(&l, KEYLINT_LEADING_BLANK);
    find(&l, KEYLINT_TRAILING_BLANK);
    find(&l, KEYLINT_FOLDS);
    const struct keylint_warning *more = find(&l, KEYLINT_MORE);
    char want[64];
    snprintf(want, sizeof want, "and %d more characters", 20 - (KEYLINT_MAX - 4));
    assert_non_null(strstr(more->text, want));
}

/* A key file: one line ending after the key ends it; a BOM or a second line is said. */
static void a_key_file_as_read(void **state)
{
    (void)state;
    struct keylint l;
    assert_int_equal(keylint_check_file("key\n", 4, &l), 0);
    assert_int_equal(keylint_check_file("key\r\n", 5, &l), 0);
    assert_int_equal(keylint_check_file("key", 3, &l), 0);
    assert_int_equal(keylint_check_file("key\n\n", 5, &l), 1);
    assert_non_null(strstr(find(&l, KEYLINT_LINE_BREAK)->text,
                           "U+000A LINE FEED at position 4: the file goes on after it"));
    /* the key is the first line: its own trailing blank is said, then the rest */
    keylint_check_file("key \r\nmore\n", 11, &l);
    assert_int_equal(find(&l, KEYLINT_TRAILING_BLANK)->pos, 4);
    assert_non_null(
        strstr(find(&l, KEYLINT_LINE_BREAK)->text, "U+000D CARRIAGE RETURN at position 5"));
    keylint_check_file("\xef\xbb\xbfkey\n", 7, &l); /* Notepad's UTF-8 BOM */
    assert_non_null(strstr(find(&l, KEYLINT_NON_ASCII)->text,
                           "U+FEFF ZERO WIDTH NO-BREAK SPACE at position 1"));
    find(&l, KEYLINT_FOLDS);
}

/* No message carries the key: no byte of it outside ASCII, no quote or
 * backslash it holds, and no run of three of its characters. */
static void no_message_carries_the_key(void **state)
{
    (void)state;
    static const char *keys[] = {
        " Zq8\xe2\x80\x9cXv\xc2\xa0Wj\\Kp\"Yb'Qg\xe2\x80\x94"
        "Fh\tVc\nJm\xe9Zx ",
        "\xe2\x80\x98Qz7Xk\xe2\x80\x99",
        "Zk9\"Wq\\",
        "\xef\xbb\xbfQv3Xz\r\n",
    };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *key = keys[k];
        struct keylint l = lint(key);
        assert_true(l.n > 0);
        for (size_t i = 0; i < l.n; i++) {
            const char *t = l.w[i].text;
            for (const unsigned char *p = (const unsigned char *)t; *p; p++)
                if (*p >= 0x80 || *p < 0x20 || *p == '"' || *p == '\\' || *p == '\'')
                    fail_msg("key %d: message '%s' holds byte 0x%02X", (int)k, t, *p);
            for (size_t j = 0; key[j] && key[j + 1] && key[j + 2]; j++) {
                char three[4] = {key[j], key[j + 1], key[j + 2], 0};
                if (strstr(t, three))
                    fail_msg("key %d: message '%s' holds '%s' of the key", (int)k, t, three);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_plain_key_has_nothing_to_say),
        cmocka_unit_test(blanks_around_the_key),
        cmocka_unit_test(smart_quotes_by_code_point_and_position),
        cmocka_unit_test(spaces_that_are_not_spaces),
        cmocka_unit_test(line_breaks_and_control_characters),
        cmocka_unit_test(quotes_and_backslashes),
        cmocka_unit_test(bytes_that_are_not_utf8),
        cmocka_unit_test(the_ascii_folded_form),
        cmocka_unit_test(many_findings_end_in_a_count),
        cmocka_unit_test(a_key_file_as_read),
        cmocka_unit_test(no_message_carries_the_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
