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
    assert_int_equal(session_select_profile(&s, "office vpn", &err),
                     L2F_ERR_NOT_FOUND); /* exact names */
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
    tu_write_file(dir, "s.ini", "[profile \"Work\"]\n[profile \"Old\"]\nVpnStrategy = 1\n", path,
                  sizeof path);
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

/* Opens a session on a phonebook file written from text. */
static void open_book(struct session *s, char *dir, size_t dir_len, const char *text)
{
    char path[300], state_dir[320];
    tu_mkdtemp(dir, dir_len);
    tu_write_file(dir, "rasphone.pbk", text, path, sizeof path);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session_options o = {.phonebook = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(s, &o, &err), L2F_OK);
}

static const struct vpn_profile *entry(const struct profile_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    fail_msg("no entry '%s'", name);
    return NULL;
}

/* Type= read as RASENTRY dwType; without it, DEVICE= or a tunnel strategy
 * decide, and an entry with neither is of unknown type, not a VPN. */
static void entry_type_read_from_the_phonebook(void **state)
{
    (void)state;
    char dir[256];
    struct session s;
    open_book(&s, dir, sizeof dir,
              "[DSL]\r\nType=5\r\nVpnStrategy=0\r\nDEVICE=PPPoE\r\n"
              "[Modem]\r\nType=1\r\nDEVICE=modem\r\n"
              "[Cable]\r\nType=3\r\n"
              "[CM]\r\nType=4\r\n"
              "[Odd]\r\nType=9\r\n"
              "[Typed VPN]\r\nType=2\r\n"
              "[Untyped VPN]\r\nMEDIA=rastapi\r\nDevice=WAN Miniport (L2TP)\r\nDEVICE=vpn\r\n"
              "[Untyped tunnel]\r\nVpnStrategy=3\r\n"
              "[Untyped PPPoE]\r\nDEVICE=PPPoE\r\n"
              "[Untyped nothing]\r\nVpnStrategy=0\r\nMEDIA=rastapi\r\nDevice=vpn\r\n");
    struct profile_list l;
    struct l2f_err err = {{0}};
    assert_int_equal(s.be.ops->list_profiles(&s.be, &l, &err), L2F_OK);
    assert_int_equal(entry(&l, "DSL")->entry_type, ENTRY_BROADBAND);
    assert_false(entry(&l, "DSL")->type_absent);
    assert_int_equal(entry(&l, "Modem")->entry_type, ENTRY_PHONE);
    assert_int_equal(entry(&l, "Cable")->entry_type, ENTRY_DIRECT);
    assert_int_equal(entry(&l, "CM")->entry_type, ENTRY_INTERNET);
    assert_int_equal(entry(&l, "Odd")->entry_type, ENTRY_UNKNOWN);
    assert_int_equal(entry(&l, "Odd")->type_value, 9);
    assert_int_equal(entry(&l, "Typed VPN")->entry_type, ENTRY_VPN);
    assert_int_equal(entry(&l, "Untyped VPN")->entry_type, ENTRY_VPN);
    assert_true(entry(&l, "Untyped VPN")->type_absent);
    assert_int_equal(entry(&l, "Untyped tunnel")->entry_type, ENTRY_VPN);
    assert_int_equal(entry(&l, "Untyped PPPoE")->entry_type, ENTRY_BROADBAND);
    /* MEDIA's own Device= is not DEVICE=: nothing here says VPN */
    assert_int_equal(entry(&l, "Untyped nothing")->entry_type, ENTRY_UNKNOWN);
    char label[64];
    profile_type_label(entry(&l, "DSL"), false, label, sizeof label);
    assert_string_equal(label, "PPPoE (broadband)");
    profile_type_label(entry(&l, "Typed VPN"), false, label, sizeof label);
    assert_string_equal(label, "automatic (absent)");
    profile_list_free(&l);
    /* each refused by name, in one line naming what it is; nothing selected */
    assert_int_equal(session_select_profile(&s, "DSL", &err), L2F_ERR_UNSUPPORTED);
    assert_string_equal(
        err.msg,
        "'DSL' is a PPPoE (broadband) connection, not a VPN: l2tpfix checks VPN profiles only");
    assert_int_equal(session_select_profile(&s, "Modem", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "'Modem' is a dial-up connection, not a VPN"));
    assert_int_equal(session_select_profile(&s, "Odd", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "unknown type (Type=9)"));
    assert_int_equal(session_select_profile(&s, "Untyped nothing", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "without Type="));
    assert_string_equal(s.profile, "");
    session_close(&s);
    tu_rmtree(dir);
}

/* One VPN beside PPPoE and dial-up entries is the default even when its
 * tunnel is not L2TP; with no VPN at all, the error lists what is there. */
static void default_profile_skips_non_vpn_entries(void **state)
{
    (void)state;
    char dir[256];
    struct session s;
    struct l2f_err err = {{0}};
    open_book(&s, dir, sizeof dir,
              "[DSL]\nType=5\nVpnStrategy=0\n[Work]\nType=2\nVpnStrategy=0\n[Modem]\nType=1\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    session_close(&s);
    tu_rmtree(dir);
    open_book(&s, dir, sizeof dir, "[DSL]\nType=5\nVpnStrategy=0\n[Modem]\nType=1\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_NOT_FOUND);
    assert_string_equal(
        err.msg,
        "no VPN profile on this machine (found: 'DSL': PPPoE (broadband); 'Modem': dial-up)");
    session_close(&s);
    tu_rmtree(dir);
    /* two VPNs, one L2TP, and a PPPoE entry: the L2TP one; the others are not named as choices */
    open_book(&s, dir, sizeof dir,
              "[DSL]\nType=5\n[A]\nType=2\nVpnStrategy=3\n[B]\nType=2\nVpnStrategy=7\n[C]\nType="
              "2\nVpnStrategy=4\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_string_equal(err.msg,
                        "several VPN profiles, choose one with --profile NAME: 'A', 'B', 'C'");
    session_close(&s);
    tu_rmtree(dir);
}

/* Forty VPNs: the list in the error is cut, and says so. */
static void long_profile_list_cut_visibly(void **state)
{
    (void)state;
    char dir[256], text[4096] = "";
    for (int i = 0; i < 40; i++) {
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l,
                 "[VPN number %02d with a long name]\nType=2\nVpnStrategy=3\n", i);
    }
    struct session s;
    struct l2f_err err = {{0}};
    open_book(&s, dir, sizeof dir, text);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_non_null(strstr(err.msg, "'VPN number 00 with a long name', 'VPN number 01"));
    /* the names shown and the count of the rest add up to all forty */
    size_t shown = 0, more = 0;
    for (const char *at = err.msg; (at = strstr(at, "'VPN number ")) != NULL; at++)
        shown++;
    const char *tail = strstr(err.msg, " and ");
    assert_non_null(tail);
    assert_int_equal(sscanf(tail, " and %zu more (l2tpfix profiles)", &more), 1);
    assert_int_equal(shown + more, 40);
    session_close(&s);
    tu_rmtree(dir);
}

/* The mock backend: a scenario's PPPoE entry is listed, never picked. */
static void mock_entry_type(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[profile \"DSL\"]\ntype = pppoe\n[profile \"Work\"]\nVpnStrategy = 0\n", path,
                  sizeof path);
    char state_dir[320];
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session s;
    struct session_options o = {.mock_file = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    assert_int_equal(session_select_profile(&s, "DSL", &err), L2F_ERR_UNSUPPORTED);
    assert_string_equal(s.profile, "Work");
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
    struct restart_pending rp;
    char text[512];
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 0);
    restart_pending_text(&rp, text, sizeof text);
    assert_string_equal(text, "");
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_NAT_TRAVERSAL, &obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(session_apply(&s, &plan, NULL, NULL, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 1);
    assert_int_equal(rp.fix, FIX_NAT_TRAVERSAL);
    assert_true(rp.at_once); /* the mock applies it at once, and says so */
    restart_pending_text(&rp, text, sizeof text);
    assert_non_null(
        strstr(text, "nat-traversal changed AssumeUDPEncapsulationContextOnSendRule at "));
    assert_non_null(strstr(text, "it takes effect after Windows restarts"));
    assert_non_null(strstr(text, "the simulated machine applied it already"));
    /* undo puts back what needed the restart: nothing waits any more */
    struct fix_context ctx;
    session_fix_context(&s, &ctx);
    assert_int_equal(fix_undo(&ctx, 0, NULL, NULL, 0, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 0);
    session_close(&s);
}

/* With the boot time known: a change made before the boot has had its
 * restart; its undo after the boot waits for the next one. */
static void restart_pending_follows_the_boot(void **state)
{
    (void)state;
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, NULL, &err), L2F_OK);
    struct change c = {
        .kind = CHG_REGISTRY_DWORD, .after_set = true, .after = 2, .needs_reboot = true};
    snprintf(c.field, sizeof c.field, "AssumeUDPEncapsulationContextOnSendRule");
    struct journal_entry e = {.fix = FIX_NAT_TRAVERSAL, .n_changes = 1, .changes = &c};
    snprintf(e.machine, sizeof e.machine, "m");
    assert_int_equal(journal_begin(&j, &e, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, e.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    struct journal_entry *kept = journal_find(&j, e.id);
    snprintf(kept->time, sizeof kept->time, "2026-01-01T10:00:00.000Z");
    struct restart_pending rp;
    fix_restart_pending(&j, "m", "2026-01-01T09:00:00.000Z", false, &rp); /* booted before it */
    assert_int_equal(rp.count, 1);
    assert_false(rp.undo);
    fix_restart_pending(&j, "m", "2026-01-01T11:00:00.000Z", false, &rp); /* restarted since */
    assert_int_equal(rp.count, 0);
    fix_restart_pending(&j, "other", "", false, &rp); /* another machine's journal entry */
    assert_int_equal(rp.count, 0);
    assert_int_equal(journal_mark(&j, e.id, ENTRY_UNDONE, NULL, &err), L2F_OK);
    fix_restart_pending(&j, "m", "2026-01-01T11:00:00.000Z", false,
                        &rp); /* undone after that restart */
    assert_int_equal(rp.count, 1);
    assert_true(rp.undo);
    char text[512];
    restart_pending_text(&rp, text, sizeof text);
    assert_non_null(strstr(
        text, "nat-traversal was undone, putting back AssumeUDPEncapsulationContextOnSendRule"));
    fix_restart_pending(&j, "m", "", false,
                        &rp); /* boot not known: an undo is taken as before any restart */
    assert_int_equal(rp.count, 0);
    journal_close(&j);
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

/* Issue 15: a key typed for use-psk and tested by the server decides
 * psk-matches in the diagnoses after it, rejected or accepted, and its text
 * never holds the key. */
static void typed_key_decides_psk_matches(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "psk-mismatch"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_true(d.checks[CHECK_PSK_MATCHES].not_applicable); /* no key at hand yet */
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_USE_PSK, &obs, NULL, &plan, &err), L2F_OK);
    char wrong[] = "not-the-servers", right[] = "the-servers-key";
    struct fix_secrets secrets = {wrong, NULL};
    assert_int_equal(session_apply(&s, &plan, &secrets, NULL, &err), L2F_ERR_CONFLICT);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    const struct check_result *r = &d.checks[CHECK_PSK_MATCHES];
    assert_false(r->not_applicable);
    assert_int_equal(r->status, CHECK_FAIL);
    assert_int_equal(r->fix, FIX_USE_PSK);
    assert_non_null(strstr(r->summary, "rejects the key typed for use-psk"));
    assert_null(strstr(r->summary, wrong));
    secrets.psk = right;
    assert_int_equal(session_apply(&s, &plan, &secrets, NULL, &err), L2F_OK);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_int_equal(r->status, CHECK_PASS);
    assert_non_null(strstr(r->summary, "verified the key typed for use-psk"));
    assert_null(strstr(r->summary, right));
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
        cmocka_unit_test(entry_type_read_from_the_phonebook),
        cmocka_unit_test(default_profile_skips_non_vpn_entries),
        cmocka_unit_test(mock_entry_type),
        cmocka_unit_test(long_profile_list_cut_visibly),
        cmocka_unit_test(no_live_backend_here),
        cmocka_unit_test(reboot_marker_after_a_registry_fix),
        cmocka_unit_test(restart_pending_follows_the_boot),
        cmocka_unit_test(changes_make_the_last_result_stale),
        cmocka_unit_test(typed_key_decides_psk_matches),
        cmocka_unit_test(unusable_state_dir_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
