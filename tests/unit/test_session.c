/* The session: backend by options, the profile rule, where state lives. */
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "session.h"
#include "testutil.h"

static void select_profile_rules(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "multi-profile"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    /* two L2TP profiles: no guess */
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_non_null(strstr(err.msg, "'Office VPN (all users)'"));
    assert_int_equal(session_select_profile(&s, "Home IKEv2", &err), L2F_OK);
    assert_string_equal(s.profile, "Home IKEv2");
    assert_int_equal(session_select_profile(&s, "office vpn", &err), L2F_ERR_NOT_FOUND); /* exact names */
    session_close(&s);
    /* one profile: that one; the demo writes nothing */
    o.demo = "classic-789";
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Office VPN");
    assert_string_equal(s.state_dir, "");
    assert_string_equal(s.journal.path, "");
    session_close(&s);
}

static void only_l2tp_profile_is_the_default(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "[profile \"Work\"]\n[profile \"Old\"]\nVpnStrategy = 1\n", path, sizeof path);
    struct session s;
    char state_dir[300];
    snprintf(state_dir, sizeof state_dir, "%s/state/deeper", dir);
    struct session_options o = {.mock_file = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    /* the state directory is created, journal and backups inside it */
    assert_true(plat_file_exists(state_dir));
    assert_non_null(strstr(s.journal.path, "/state/deeper/journal.jsonl"));
    assert_non_null(strstr(s.backup_dir, "/state/deeper/backups"));
    session_close(&s);
    tu_rmtree(dir);
}

static void no_live_backend_here(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {0};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "needs Windows"));
    assert_non_null(strstr(err.msg, "--demo"));
    assert_int_equal(l2f_status_exit_code(L2F_ERR_UNSUPPORTED), 3);
    assert_int_equal(l2f_status_exit_code(L2F_ERR_PARSE), 2);
    assert_int_equal(l2f_status_exit_code(L2F_ERR_NEED_ADMIN), 3);
    assert_int_equal(l2f_status_exit_code(L2F_OK), 0);
}

static void reboot_marker_after_a_registry_fix(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "nat-809"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_false(s.reboot_required);
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_NAT_TRAVERSAL, &obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(session_apply(&s, &plan, NULL, NULL, &err), L2F_OK);
    assert_true(s.reboot_required);
    session_close(&s);
}

/* The guide's fix makes the recorded 789 stale: no longer evidence against
 * the key; an untouched profile keeps its evidence; a new attempt is fresh. */
static void changes_make_the_last_result_stale(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "classic-789"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_false(obs.last_stale);
    for (size_t i = 0; i < d.n_recommended; i++) {
        struct fix_plan plan;
        assert_int_equal(fix_plan_make(d.recommended[i], &obs, NULL, &plan, &err), L2F_OK);
        assert_int_equal(session_apply(&s, &plan, NULL, NULL, &err), L2F_OK);
    }
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_true(obs.last_stale);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_PASS);
    assert_false(diagnosis_has_problems(&d));
    /* a test connection after the change is fresh evidence again */
    assert_int_equal(s.be.ops->connect_start(&s.be, s.profile, &err), L2F_OK);
    struct connect_event ev;
    while (!s.be.ops->connect_poll(&s.be, &ev) || ev.kind != CONNECT_DONE) {
    }
    assert_int_equal(ev.code, 0);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_false(obs.last_stale);
    assert_int_equal(d.checks[CHECK_LAST_AUTH].status, CHECK_PASS);
    session_close(&s);
    /* psk-mismatch, untouched: the 789 stays evidence */
    o.demo = "psk-mismatch";
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_WARN);
    session_close(&s);
}

static void unusable_state_dir_is_a_clear_error(void **state)
{
    (void)state;
    char dir[256], path[300], file[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "", path, sizeof path);
    tu_write_file(dir, "plainfile", "x", file, sizeof file);
    struct session s;
    struct session_options o = {.mock_file = path, .state_dir = file};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "plainfile"));
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(select_profile_rules),
        cmocka_unit_test(only_l2tp_profile_is_the_default),
        cmocka_unit_test(no_live_backend_here),
        cmocka_unit_test(reboot_marker_after_a_registry_fix),
        cmocka_unit_test(changes_make_the_last_result_stale),
        cmocka_unit_test(unusable_state_dir_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
