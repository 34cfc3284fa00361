/* Verify after every write, on a simulated machine that drops writes by rule
 * ([machine] ignores): a fix Windows did not take is put back, journaled as
 * rolled back with what was read, and said so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixes.h"
#include "scenario.h"
#include "testutil.h"
#include "verify.h"

#define PROFILE_789                                                                                \
    "[profile \"Office VPN\"]\nphonebook = user\nPhoneNumber = vpn.example.com\n"                  \
    "VpnStrategy = 3\nAuthRestrictions = 128\nLcpExtensions = 0\nIpSecFlags = 0\n"                 \
    "DataEncryption = 256\npsk =\nusername = alice\npassword = pw\n"

struct rig {
    char dir[512], path[1024];
    struct backend be;
    struct journal journal;
    struct fix_context ctx;
    struct observations obs;
    struct diagnosis d;
};

static void observe(struct rig *r)
{
    struct l2f_err err = {{0}};
    assert_int_equal(diagnose_all(&r->be, "Office VPN", &r->obs, &r->d, &err), L2F_OK);
}

/* A machine from scenario text: [machine] with ignores, then the rest. */
static void rig_open(struct rig *r, const char *ignores, const char *rest)
{
    memset(r, 0, sizeof *r);
    tu_mkdtemp(r->dir, sizeof r->dir);
    char text[2048];
    snprintf(text, sizeof text, "[machine]\nadmin = yes\nignores = %s\n\n%s", ignores, rest);
    tu_write_file(r->dir, "s.ini", text, r->path, sizeof r->path);
    r->be.ops = &backend_mock_ops;
    struct l2f_err err = {{0}};
    if (r->be.ops->open(&r->be, r->path, &err) != L2F_OK)
        fail_msg("open: %s", err.msg);
    assert_int_equal(journal_open(&r->journal, NULL, &err), L2F_OK);
    r->ctx = (struct fix_context){.be = &r->be, .journal = &r->journal};
    observe(r);
}

static void rig_close(struct rig *r)
{
    journal_close(&r->journal);
    r->be.ops->close(&r->be);
    tu_rmtree(r->dir);
}

/* Applies fix; returns its status, err filled. */
static enum l2f_status apply(struct rig *r, enum fix_id fix, const struct fix_secrets *secrets,
                             struct l2f_err *err)
{
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(fix, &r->obs, NULL, &plan, err), L2F_OK);
    enum l2f_status st = fix_apply(&r->ctx, &plan, secrets, NULL, err);
    observe(r);
    return st;
}

static const struct journal_entry *newest(struct rig *r)
{
    assert_true(r->journal.count > 0);
    return journal_at(&r->journal, r->journal.count - 1);
}

static void expect_not_taken(struct rig *r, enum fix_id fix, const struct fix_secrets *secrets,
                             const char *read)
{
    struct l2f_err err = {{0}};
    enum l2f_status st = apply(r, fix, secrets, &err);
    if (st != L2F_ERR_NOT_TAKEN)
        fail_msg("%s: got %s (%s)", fix_info(fix)->id, l2f_status_message(st), err.msg);
    if (!strstr(err.msg, "Windows did not take the change") || !strstr(err.msg, read) ||
        !strstr(err.msg, "put the fix back"))
        fail_msg("message: %s", err.msg);
    const struct journal_entry *e = newest(r);
    assert_int_equal(e->state, ENTRY_ROLLED_BACK);
    if (!strstr(e->note, read))
        fail_msg("journal note: %s", e->note);
}

static void dropped_profile_write_is_rolled_back(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "LcpExtensions", PROFILE_789);
    expect_not_taken(&r, FIX_LCP_EXTENSIONS, NULL, "LcpExtensions reads 0 after l2tpfix wrote 1");
    assert_int_equal(r.obs.profile.fields[PF_LCP_EXTENSIONS], 0);
    /* a setting the machine takes still applies */
    struct l2f_err err = {{0}};
    assert_int_equal(apply(&r, FIX_MSCHAPV2, NULL, &err), L2F_OK);
    assert_int_equal(newest(&r)->state, ENTRY_APPLIED);
    rig_close(&r);
}

static void dropped_bit_is_seen(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "AuthRestrictions&0x200", PROFILE_789);
    /* EAP off is taken, the MS-CHAP v2 bit is not: 0 read, 512 written */
    expect_not_taken(&r, FIX_MSCHAPV2, NULL, "AuthRestrictions reads 0 after l2tpfix wrote 512");
    assert_int_equal(r.obs.profile.fields[PF_AUTH_RESTRICTIONS], AR_EAP); /* put back */
    rig_close(&r);
}

static void a_dropped_secret_rolls_back_the_whole_fix(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "psk", PROFILE_789);
    struct fix_secrets s = {.psk = "correct-horse"};
    expect_not_taken(&r, FIX_USE_PSK, &s, "no pre-shared key saved after l2tpfix saved it");
    /* the flag written before the key was dropped is put back too */
    assert_int_equal(r.obs.profile.fields[PF_IPSEC_FLAGS], 0);
    assert_false(r.obs.profile.psk_saved);
    rig_close(&r);
}

static void dropped_registry_value(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "ProhibitIpSec",
             "[registry]\nRasMan\\Parameters\\ProhibitIpSec = 1\n\n" PROFILE_789);
    expect_not_taken(&r, FIX_ALLOW_IPSEC, NULL, "ProhibitIpSec reads 1 after l2tpfix wrote 0");
    assert_int_equal(r.obs.reg[REGVAL_PROHIBIT_IPSEC], 1);
    rig_close(&r);
}

static void service_that_does_not_start(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "PolicyAgent",
             "[services]\nIKEEXT = stopped\nPolicyAgent = stopped\n\n" PROFILE_789);
    expect_not_taken(&r, FIX_RESTART_IPSEC_SERVICES, NULL,
                     "service PolicyAgent is stopped after l2tpfix started it");
    /* IKEEXT, started before, is stopped again: the fix is put back whole */
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_STOPPED);
    rig_close(&r);
}

static void service_start_type_dropped(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "IKEEXT", "[services]\nIKEEXT = disabled\n\n" PROFILE_789);
    expect_not_taken(&r, FIX_RESTART_IPSEC_SERVICES, NULL,
                     "service IKEEXT start type reads Disabled after l2tpfix set Manual");
    rig_close(&r);
}

/* A write that moves another setting of the profile too (a stand-in for a
 * Windows that maps a bit differently): caught, and both put back. */
static void another_setting_moved(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "psk", PROFILE_789);
    struct change c = {
        .kind = CHG_PROFILE_FIELD, .before_set = true, .after_set = true, .before = 0, .after = 1};
    snprintf(c.target, sizeof c.target, "Office VPN");
    snprintf(c.field, sizeof c.field, "LcpExtensions");
    struct verify_before before;
    verify_snapshot(&r.be, &c, &before);
    assert_true(before.have_profile);
    struct l2f_err err = {{0}};
    assert_int_equal(r.be.ops->write_profile_field(&r.be, "Office VPN", PF_LCP_EXTENSIONS, 1, &err),
                     L2F_OK);
    assert_int_equal(verify_change(&r.be, &c, true, &before, &err), L2F_OK);
    assert_int_equal(r.be.ops->write_profile_field(&r.be, "Office VPN", PF_VPN_STRATEGY, 7, &err),
                     L2F_OK);
    assert_int_equal(verify_change(&r.be, &c, true, &before, &err), L2F_ERR_NOT_TAKEN);
    assert_non_null(strstr(err.msg, "writing LcpExtensions=1 also changed VpnStrategy 3 -> 7"));
    assert_int_equal(verify_restore_profile(&r.be, &c, &before, &err), L2F_OK);
    observe(&r);
    assert_int_equal(r.obs.profile.fields[PF_VPN_STRATEGY], 3);
    assert_int_equal(r.obs.profile.fields[PF_LCP_EXTENSIONS], 0);
    rig_close(&r);
}

static void ignores_parsed_and_written_back(void **state)
{
    (void)state;
    struct scenario sc;
    tu_parse("[machine]\nignores = LcpExtensions, AuthRestrictions&0x200, IKEEXT, psk\n", &sc);
    assert_int_equal(sc.n_ignores, 4);
    assert_int_equal(scenario_ignored(&sc, "LcpExtensions"), 0xFFFFFFFFUL);
    assert_int_equal(scenario_ignored(&sc, "AuthRestrictions"), 0x200);
    assert_int_equal(scenario_ignored(&sc, "VpnStrategy"), 0);
    char *text;
    assert_int_equal(scenario_format(&sc, &text), L2F_OK);
    assert_non_null(strstr(text, "ignores = LcpExtensions, AuthRestrictions&0x200, IKEEXT, psk\n"));
    free(text);
    scenario_free(&sc);
    static const char *const bad[] = {"Nope", "LcpExtensions&", "LcpExtensions&0", "&1",
                                      "AuthRestrictions&0x1zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char t[128];
        struct l2f_err err = {{0}};
        snprintf(t, sizeof t, "[machine]\nignores = %s\n", bad[i]);
        assert_int_equal(scenario_parse(t, "s.ini", &sc, &err), L2F_ERR_PARSE);
        if (!strstr(err.msg, "s.ini:2: ignores:"))
            fail_msg("%s: %s", bad[i], err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dropped_profile_write_is_rolled_back),
        cmocka_unit_test(dropped_bit_is_seen),
        cmocka_unit_test(a_dropped_secret_rolls_back_the_whole_fix),
        cmocka_unit_test(dropped_registry_value),
        cmocka_unit_test(service_that_does_not_start),
        cmocka_unit_test(service_start_type_dropped),
        cmocka_unit_test(another_setting_moved),
        cmocka_unit_test(ignores_parsed_and_written_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
