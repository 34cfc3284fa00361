/* The tables: ids unique and found again, every check linked to a stage and a
 * real fix, the guide's order kept. */
#include <string.h>

#include "kb.h"
#include "model.h"
#include "testutil.h"
#include "winsettings.h"

static void ids_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < STAGE_COUNT; s++)
        assert_int_equal(stage_from_id(stage_info((enum stage_id)s)->id), s);
    for (int c = 0; c < CHECK_COUNT; c++)
        assert_int_equal(check_from_id(check_info((enum check_id)c)->id), c);
    for (int f = 0; f < FIX_COUNT; f++)
        assert_int_equal(fix_from_id(fix_info((enum fix_id)f)->id), f);
    assert_int_equal(fix_from_id("no-such-fix"), FIX_NONE);
    assert_int_equal(check_from_id("no-such-check"), CHECK_COUNT);
    assert_int_equal(stage_from_id(""), STAGE_COUNT);
}

static void stages_in_handshake_order(void **state)
{
    (void)state;
    assert_string_equal(stage_info(STAGE_TUNNEL)->id, "tunnel");
    assert_string_equal(stage_info(STAGE_IPSEC)->id, "ipsec");
    assert_string_equal(stage_info(STAGE_PPP)->id, "ppp");
    assert_string_equal(stage_info(STAGE_AUTH)->id, "auth");
}

static void required_checks_exist_in_their_stage(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        enum stage_id stage;
    } want[] = {{"server-address", STAGE_TUNNEL}, {"vpn-type", STAGE_TUNNEL},
                {"ipsec-services", STAGE_IPSEC},  {"nat-traversal", STAGE_IPSEC},
                {"prohibit-ipsec", STAGE_IPSEC},  {"psk-configured", STAGE_IPSEC},
                {"mschapv2", STAGE_PPP},          {"lcp-extensions", STAGE_PPP},
                {"credentials", STAGE_AUTH}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        enum check_id c = check_from_id(want[i].id);
        assert_int_not_equal(c, CHECK_COUNT);
        assert_int_equal(check_info(c)->stage, want[i].stage);
    }
}

static void every_check_has_texts_and_a_valid_fix(void **state)
{
    (void)state;
    for (int c = 0; c < CHECK_COUNT; c++) {
        const struct check_info *ci = check_info((enum check_id)c);
        assert_true(strlen(ci->title) > 3);
        assert_true(strlen(ci->where) > 10);
        assert_true(strlen(ci->why) > 20);
        assert_true(ci->fix == FIX_NONE || (unsigned)ci->fix < FIX_COUNT);
        assert_true((unsigned)ci->stage < STAGE_COUNT);
        /* each check judges some tunnel, and nothing beyond the four */
        assert_true(ci->tunnels != 0 && (ci->tunnels & ~TUN_ANY) == 0);
        /* the key, the IKEv1 answers and the L2TP registry values are L2TP/IPsec's alone */
        if (c == CHECK_PSK || c == CHECK_PSK_MATCHES || c == CHECK_IKE_PROPOSALS ||
            c == CHECK_NAT_TRAVERSAL || c == CHECK_PROHIBIT_IPSEC || c == CHECK_MSCHAPV2)
            assert_int_equal(ci->tunnels, TUN_L2TP);
    }
    for (int f = 0; f < FIX_COUNT; f++)
        assert_true(strlen(fix_info((enum fix_id)f)->what) > 10);
}

static void recommended_order_follows_the_guide(void **state)
{
    (void)state;
    /* MS-CHAP v2 and LCP extensions first, then the key, NAT, services */
    assert_int_equal(FIX_MSCHAPV2, 0);
    assert_int_equal(FIX_LCP_EXTENSIONS, 1);
    assert_true(FIX_USE_PSK < FIX_NAT_TRAVERSAL);
    assert_true(FIX_NAT_TRAVERSAL < FIX_RESTART_IPSEC_SERVICES);
    static const char *const required[] = {
        "mschapv2",    "lcp-extensions", "nat-traversal", "allow-ipsec", "restart-ipsec-services",
        "tunnel-l2tp", "use-psk",        "credentials",   "switch-ikev2"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_int_not_equal(fix_from_id(required[i]), FIX_NONE);
    assert_int_equal(fix_info(FIX_SWITCH_IKEV2)->kind, FIX_ALTERNATIVE);
    assert_int_equal(fix_info(FIX_MSCHAPV2)->kind, FIX_RECOMMENDED);
}

static void windows_settings_tables(void **state)
{
    (void)state;
    assert_string_equal(regval_key_path(REGVAL_NAT_TRAVERSAL),
                        "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent");
    assert_string_equal(regval_info(REGVAL_PROHIBIT_IPSEC)->value, "ProhibitIpSec");
    assert_int_equal(service_from_name("IKEEXT"), SVC_IKEEXT);
    assert_int_equal(service_from_name("ikeext"), SERVICE_COUNT);
    assert_int_equal(service_info(SVC_BFE)->default_start, SVC_START_AUTO);
    assert_string_equal(service_info(SVC_IKEEXT)->depends_on, "BFE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_round_trip),
        cmocka_unit_test(stages_in_handshake_order),
        cmocka_unit_test(required_checks_exist_in_their_stage),
        cmocka_unit_test(every_check_has_texts_and_a_valid_fix),
        cmocka_unit_test(recommended_order_follows_the_guide),
        cmocka_unit_test(windows_settings_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
