/* windows-update: the table of January 2022's IPsec break, judged at each edge,
 * and the check on what the backend could or could not read. */
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "testutil.h"
#include "winupdate.h"

static const struct check_result *judge(struct observations *o)
{
    static struct diagnosis d;
    diagnose_evaluate(o, &d);
    return &d.checks[CHECK_WINDOWS_UPDATE];
}

static void on_build(struct observations *o, unsigned build, unsigned ubr)
{
    tu_healthy(o);
    o->machine.os_build = build;
    o->machine.os_ubr = ubr;
}

/* The numbers Microsoft's release notes give (see winupdate.c for each source). */
static void the_table_holds_the_confirmed_numbers(void **state)
{
    (void)state;
    static const struct {
        unsigned build, bad, fixed;
        const char *bad_kb, *fix_kb;
    } want[] = {
        {10240, 19177, 19179, "KB5009585", "KB5010789"},
        {14393, 4886, 4889, "KB5009546", "KB5010790"},
        {17763, 2452, 2458, "KB5009557", "KB5010791"},
        {18363, 2037, 2039, "KB5009545", "KB5010792"},
        {19042, 1466, 1469, "KB5009543", "KB5010793"},
        {19043, 1466, 1469, "KB5009543", "KB5010793"},
        {19044, 1466, 1469, "KB5009543", "KB5010793"},
        {20348, 469, 473, "KB5009555", "KB5010796"},
        {22000, 434, 438, "KB5009566", "KB5010795"},
    };
    size_t n;
    const struct winupdate_break *rows = winupdate_rows(&n);
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].build, want[i].build);
        assert_int_equal(rows[i].bad_ubr, want[i].bad);
        assert_int_equal(rows[i].fixed_ubr, want[i].fixed);
        assert_string_equal(rows[i].bad_kb, want[i].bad_kb);
        assert_string_equal(rows[i].fix_kb, want[i].fix_kb);
        assert_true(rows[i].bad_ubr < rows[i].fixed_ubr);
        if (i)
            assert_true(rows[i - 1].build < rows[i].build); /* one row per build */
    }
}

/* Each row at its edges: before, the first bad, the last bad, the fix, later. */
static void every_row_is_judged_at_its_edges(void **state)
{
    (void)state;
    size_t n;
    const struct winupdate_break *rows = winupdate_rows(&n), *row;
    for (size_t i = 0; i < n; i++) {
        unsigned b = rows[i].build;
        assert_int_equal(winupdate_judge(b, rows[i].bad_ubr - 1, &row), WINUPDATE_BEFORE);
        assert_ptr_equal(row, &rows[i]);
        assert_int_equal(winupdate_judge(b, rows[i].bad_ubr, &row), WINUPDATE_BROKEN);
        assert_int_equal(winupdate_judge(b, rows[i].fixed_ubr - 1, &row), WINUPDATE_BROKEN);
        assert_int_equal(winupdate_judge(b, rows[i].fixed_ubr, &row), WINUPDATE_FIXED);
        assert_int_equal(winupdate_judge(b, rows[i].fixed_ubr + 500, &row), WINUPDATE_FIXED);

        struct observations o;
        char want[96];
        on_build(&o, b, rows[i].bad_ubr);
        const struct check_result *r = judge(&o);
        assert_int_equal(r->status, CHECK_FAIL);
        snprintf(want, sizeof want, "install %s (%u.%u)", rows[i].fix_kb, b, rows[i].fixed_ubr);
        assert_non_null(strstr(r->summary, want));
        assert_non_null(strstr(r->summary, rows[i].bad_kb));
        on_build(&o, b, rows[i].fixed_ubr);
        assert_int_equal(judge(&o)->status, CHECK_PASS);
        on_build(&o, b, rows[i].bad_ubr - 1);
        assert_int_equal(judge(&o)->status, CHECK_PASS);
    }
}

static void the_issues_examples(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    on_build(&o, 19044, 1466);
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_FAIL);
    assert_non_null(strstr(d.checks[CHECK_WINDOWS_UPDATE].summary, "KB5010793"));
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_FAIL);
    assert_true(diagnosis_has_problems(&d));
    on_build(&o, 19044, 1469);
    assert_int_equal(judge(&o)->status, CHECK_PASS);
    on_build(&o, 22000, 434);
    assert_non_null(strstr(judge(&o)->summary, "KB5010795"));
    on_build(&o, 22000, 438);
    assert_int_equal(judge(&o)->status, CHECK_PASS);
    /* 19041 (2004) left servicing before January 2022: not in the table */
    on_build(&o, 19041, 1466);
    assert_int_equal(judge(&o)->status, CHECK_PASS);
    assert_non_null(strstr(judge(&o)->summary, "no known update"));
}

/* Unknown where the build cannot be read; skipped where the scenario names none. */
static void what_cannot_be_read_is_unknown(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    tu_healthy(&o);
    o.machine_unsupported = true;
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_UNKNOWN);
    assert_false(d.checks[CHECK_WINDOWS_UPDATE].not_applicable);
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_UNKNOWN);

    tu_healthy(&o);
    o.machine.os_st = L2F_ERR_NEED_ADMIN;
    assert_int_equal(judge(&o)->status, CHECK_UNKNOWN);
    assert_non_null(strstr(judge(&o)->summary, "could not be read"));

    tu_healthy(&o);
    o.machine.os_build = 0;
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_UNKNOWN);
    assert_true(d.checks[CHECK_WINDOWS_UPDATE].not_applicable);
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_PASS);

    tu_healthy(&o);
    o.have_machine = false;
    assert_int_equal(judge(&o)->status, CHECK_RUNNING);
}

/* IKEv2 is named in the known issue too; PPTP is not IPsec. */
static void judged_for_ipsec_profiles_only(void **state)
{
    (void)state;
    struct observations o;
    on_build(&o, 19044, 1466);
    o.profile.fields[PF_VPN_STRATEGY] = VS_IKEV2_ONLY;
    assert_int_equal(judge(&o)->status, CHECK_FAIL);
    on_build(&o, 19044, 1466);
    o.profile.fields[PF_VPN_STRATEGY] = VS_PPTP_ONLY;
    assert_true(judge(&o)->not_applicable);
}

/* With the bad update installed, a 789 says nothing of the key. */
static void a_broken_update_is_no_evidence_against_the_key(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    on_build(&o, 19044, 1466);
    o.last.code = 789;
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_PASS);
    assert_non_null(strstr(d.checks[CHECK_PSK].summary, "windows-update"));
    on_build(&o, 19044, 1469);
    o.last.code = 789;
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_WARN);
}

/* The mock reads [machine] os_build; a scenario without it names no build. */
static void the_mock_tells_the_scenarios_build(void **state)
{
    (void)state;
    struct backend be;
    struct machine_info m;
    struct l2f_err err;
    tu_open_demo(&be, "update-2022");
    assert_int_equal(be.ops->machine_info(&be, &m, &err), L2F_OK);
    assert_int_equal(m.os_build, 19044);
    assert_int_equal(m.os_ubr, 1466);
    assert_true(m.boot_at_once);
    be.ops->close(&be);
    tu_open_demo(&be, "healthy");
    assert_int_equal(be.ops->machine_info(&be, &m, &err), L2F_OK);
    assert_int_equal(m.os_build, 0);
    be.ops->close(&be);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_holds_the_confirmed_numbers),
        cmocka_unit_test(every_row_is_judged_at_its_edges),
        cmocka_unit_test(the_issues_examples),
        cmocka_unit_test(what_cannot_be_read_is_unknown),
        cmocka_unit_test(judged_for_ipsec_profiles_only),
        cmocka_unit_test(a_broken_update_is_no_evidence_against_the_key),
        cmocka_unit_test(the_mock_tells_the_scenarios_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
