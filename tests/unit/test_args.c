/* The command line parser: options anywhere, values in both forms, and one
 * clear line for every mistake. */
#include <string.h>

#include "args.h"
#include "testutil.h"

static enum l2f_status parse(struct cli_args *a, struct l2f_err *err, const char *const *words)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"l2tpfix";
    for (; *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    return args_parse(argc, argv, a, err);
}

#define PARSE(a, err, ...) parse(a, err, (const char *const[]){__VA_ARGS__, NULL})

static void defaults_to_the_tui(void **state)
{
    (void)state;
    struct cli_args a;
    struct l2f_err err = {{0}};
    assert_int_equal(parse(&a, &err, (const char *const[]){NULL}), L2F_OK);
    assert_int_equal(a.command, CMD_TUI);
    assert_int_equal(a.nargs, 0);
}

static void options_anywhere_and_both_value_forms(void **state)
{
    (void)state;
    struct cli_args a;
    struct l2f_err err = {{0}};
    assert_int_equal(PARSE(&a, &err, "fix", "--yes", "mschapv2", "--mock", "s.ini",
                           "lcp-extensions", "--profile=Office VPN"),
                     L2F_OK);
    assert_int_equal(a.command, CMD_FIX);
    assert_int_equal(a.nargs, 2);
    assert_string_equal(a.args[0], "mschapv2");
    assert_string_equal(a.args[1], "lcp-extensions");
    assert_true(a.given[OPT_YES]);
    assert_string_equal(a.value[OPT_MOCK], "s.ini");
    assert_string_equal(a.value[OPT_PROFILE], "Office VPN");
    /* --demo takes an optional =NAME, never the next word */
    assert_int_equal(PARSE(&a, &err, "--demo", "check"), L2F_OK);
    assert_true(a.given[OPT_DEMO]);
    assert_null(a.value[OPT_DEMO]);
    assert_int_equal(a.command, CMD_CHECK);
    assert_int_equal(PARSE(&a, &err, "--demo=nat-809", "--json", "check"), L2F_OK);
    assert_string_equal(a.value[OPT_DEMO], "nat-809");
    /* after --, words are arguments even when they look like options */
    assert_int_equal(PARSE(&a, &err, "explain", "--", "--789"), L2F_OK);
    assert_string_equal(a.args[0], "--789");
}

static void expect_usage(const char *want, const char *const *words)
{
    struct cli_args a;
    struct l2f_err err = {{0}};
    assert_int_equal(parse(&a, &err, words), L2F_ERR_USAGE);
    if (!strstr(err.msg, want))
        fail_msg("got '%s', want '%s'", err.msg, want);
}

static void mistakes_are_named(void **state)
{
    (void)state;
    expect_usage("unknown option --frobnicate", (const char *const[]){"--frobnicate", NULL});
    expect_usage("unknown option -x", (const char *const[]){"-x", NULL});
    expect_usage("unknown command 'chekc'", (const char *const[]){"chekc", NULL});
    expect_usage("--mock needs a value", (const char *const[]){"check", "--mock", NULL});
    expect_usage("--json takes no value", (const char *const[]){"--json=yes", NULL});
    expect_usage("given twice", (const char *const[]){"--yes", "--yes", NULL});
    expect_usage("exclude each other", (const char *const[]){"--demo", "--mock", "f", NULL});
    expect_usage("fix needs fix ids", (const char *const[]){"fix", NULL});
    expect_usage("explain needs one error code", (const char *const[]){"explain", NULL});
    expect_usage("check takes no arguments", (const char *const[]){"check", "extra", NULL});
    expect_usage("undo takes at most one", (const char *const[]){"undo", "1", "2", NULL});
    expect_usage("empty value", (const char *const[]){"--profile=", NULL});
}

static void help_lists_every_command_and_option(void **state)
{
    (void)state;
    char buf[8192];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    args_print_help(f);
    fclose(f);
    for (int c = 0; c < COMMAND_COUNT; c++)
        assert_non_null(strstr(buf, command_name((enum command_id)c)));
    static const char *const opts[] = {
        "--demo",    "--mock FILE", "--profile NAME", "--state-dir DIR", "--json",   "--yes",
        "--dry-run", "--no-color",  "--ascii",        "--help",          "--version"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        assert_non_null(strstr(buf, opts[i]));
}

/* Each command's argument count, at both edges of its row's min and max. */
static void arguments_fit_each_command(void **state)
{
    (void)state;
    struct cli_args a;
    struct l2f_err err = {{0}};
    assert_int_equal(PARSE(&a, &err, "fix", "a", "b", "c"), L2F_OK);
    assert_int_equal(a.nargs, 3);
    assert_int_equal(PARSE(&a, &err, "undo"), L2F_OK);
    assert_int_equal(PARSE(&a, &err, "undo", "all"), L2F_OK);
    assert_int_equal(PARSE(&a, &err, "probe", "vpn.example.com"), L2F_OK);
    assert_int_equal(PARSE(&a, &err, "handshake", "vpn.example.com"), L2F_OK);
    assert_int_equal(PARSE(&a, &err, "baseline", "check"), L2F_OK);
    assert_int_equal(PARSE(&a, &err, "baseline", "save", "f.ini"), L2F_OK);
    expect_usage("explain needs one error code", (const char *const[]){"explain", "1", "2", NULL});
    expect_usage("probe needs one host", (const char *const[]){"probe", NULL});
    expect_usage("probe needs one host", (const char *const[]){"probe", "a", "b", NULL});
    expect_usage("handshake needs one host", (const char *const[]){"handshake", NULL});
    expect_usage("baseline needs save or check", (const char *const[]){"baseline", NULL});
    expect_usage("baseline needs save or check", (const char *const[]){"baseline", "keep", NULL});
    expect_usage("baseline needs save or check",
                 (const char *const[]){"baseline", "save", "f", "g", NULL});
    expect_usage("scenarios takes no arguments (got 'x')",
                 (const char *const[]){"scenarios", "x", NULL});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_to_the_tui),
        cmocka_unit_test(options_anywhere_and_both_value_forms),
        cmocka_unit_test(mistakes_are_named),
        cmocka_unit_test(arguments_fit_each_command),
        cmocka_unit_test(help_lists_every_command_and_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
