/* The INI line reader: what it hands over, and where it stops. */
#include <stdio.h>
#include <string.h>

#include "inifile.h"
#include "testutil.h"

struct seen {
    char log[1024];
    int refuse_at; /* line to refuse, 0: none */
};

static int record(void *user, int lineno, const char *section, const char *key, const char *value)
{
    struct seen *s = user;
    size_t l = strlen(s->log);
    if (key)
        snprintf(s->log + l, sizeof s->log - l, "%d:[%s]%s=%s|", lineno, section, key, value);
    else
        snprintf(s->log + l, sizeof s->log - l, "%d:[%s]|", lineno, section);
    return lineno != s->refuse_at;
}

static void reads_sections_keys_and_comments(void **state)
{
    (void)state;
    struct seen s = {"", 0};
    assert_int_equal(
        inifile_parse(
            "\xEF\xBB\xBF; comment\r\nk0 = v0\r\n\r\n  [Sec One] \r\n# c\n"
            "key=value ; not a comment\n  spaced   =   x y  \nempty =\n[profile \"A]b\"]\n",
            record, &s),
        0);
    assert_string_equal(s.log, "2:[]k0=v0|4:[Sec One]|6:[Sec One]key=value ; not a comment|"
                               "7:[Sec One]spaced=x y|8:[Sec One]empty=|9:[profile \"A]b\"]|");
}

static void stops_at_the_first_bad_line(void **state)
{
    (void)state;
    struct seen s = {"", 0};
    assert_int_equal(inifile_parse("[a]\nno equals sign\nk=v\n", record, &s), 2);
    assert_string_equal(s.log, "1:[a]|");
    s = (struct seen){"", 0};
    assert_int_equal(inifile_parse("[a\n", record, &s), 1);
    assert_int_equal(inifile_parse("[a] trailing\n", record, &s), 1);
    assert_int_equal(inifile_parse("= value\n", record, &s), 1);
    s = (struct seen){"", 3};
    assert_int_equal(inifile_parse("[a]\nk=v\nx=y\nz=w\n", record, &s), 3);
    assert_int_equal(inifile_parse("", record, &s), 0);
}

static void long_lines_whole(void **state)
{
    (void)state;
    static char text[70000];
    memcpy(text, "[s]\nk=", 6);
    memset(text + 6, 'v', 65000);
    text[65006] = '\n';
    struct seen s = {"", 0};
    assert_int_equal(inifile_parse(text, record, &s), 0);
    assert_non_null(strstr(s.log, "2:[s]k=vvvv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_sections_keys_and_comments),
        cmocka_unit_test(stops_at_the_first_bad_line),
        cmocka_unit_test(long_lines_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
