/* The scenario file: defaults of a healthy machine, every key read, every
 * malformed input rejected with file:line, and a lossless write-back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text.h"

static void empty_file_is_a_healthy_machine(void **state)
{
    (void)state;
    struct scenario sc;
    tu_parse("", &sc);
    assert_true(sc.admin);
    assert_false(sc.client_behind_nat);
    for (int s = 0; s < SERVICE_COUNT; s++)
        assert_int_equal(sc.services[s].state, SVC_RUNNING);
    assert_false(sc.reg_set[REGVAL_NAT_TRAVERSAL]);
    assert_true(sc.server_reachable);
    assert_true(sc.server_proposals_windows);
    assert_int_equal(sc.n_profiles, 1);
    const struct vpn_profile *p = &sc.profiles[0].p;
    assert_string_equal(p->server, sc.server_address);
    assert_int_equal(p->fields[PF_VPN_STRATEGY], VS_L2TP_ONLY);
    assert_true(p->fields[PF_AUTH_RESTRICTIONS] & AR_MSCHAP2);
    assert_int_equal(p->fields[PF_LCP_EXTENSIONS], 1);
    assert_true(p->psk_saved && p->username_saved && p->password_saved);
    scenario_free(&sc);
}

static void every_key_read(void **state)
{
    (void)state;
    struct scenario sc;
    tu_parse(
        "; comment\n"
        "[machine]\nadmin = no\nbehind_nat = yes\nos_build = 22000.434\n"
        "[registry]\nPolicyAgent\\AssumeUDPEncapsulationContextOnSendRule = 2\n"
        "RasMan\\Parameters\\ProhibitIpSec = 1\n"
        "[services]\nIKEEXT = disabled\nPolicyAgent = stopped\nRasMan = running\nBFE = running\n"
        "[server]\naddress = 198.51.100.7\nreachable = no\nbehind_nat = yes\npsk = k;ey #1\n"
        "auth = pap, eap\nlcp_extensions = required\nusers = a:b, c:d:e\nproposals = none\n"
        "[profile \"A b\"]\nphonebook = allusers\nPhoneNumber = x.example\nVpnStrategy = 7\n"
        "AuthRestrictions = 128\nLcpExtensions = 0\nIpSecFlags = 0\nDataEncryption = 8\n"
        "CustomAuthKey = 26\npsk =\nusername = u\npassword = p w\nlast_error = 691\n"
        "last_dial_events = 20221,20222,20223\n"
        "[profile \"Empty\"]\nlast_error = -2146762495\n",
        &sc);
    assert_false(sc.admin);
    assert_true(sc.client_behind_nat);
    assert_int_equal(sc.os_build, 22000);
    assert_int_equal(sc.os_ubr, 434);
    assert_int_equal(sc.machine_cert, CERT_NONE); /* not named: none */
    assert_true(sc.reg_set[REGVAL_NAT_TRAVERSAL]);
    assert_int_equal(sc.reg[REGVAL_NAT_TRAVERSAL], 2);
    assert_int_equal(sc.reg[REGVAL_PROHIBIT_IPSEC], 1);
    assert_int_equal(sc.services[SVC_IKEEXT].start_type, SVC_START_DISABLED);
    assert_int_equal(sc.services[SVC_IKEEXT].state, SVC_STOPPED);
    assert_int_equal(sc.services[SVC_POLICYAGENT].state, SVC_STOPPED);
    assert_string_equal(sc.server_address, "198.51.100.7");
    assert_false(sc.server_reachable);
    assert_true(sc.server_behind_nat);
    assert_string_equal(sc.server_psk, "k;ey #1"); /* no inline comments */
    assert_int_equal(sc.server_auth, AR_PAP | AR_EAP);
    assert_true(sc.server_lcp_required);
    assert_int_equal(sc.n_users, 2);
    assert_string_equal(sc.users[1].name, "c");
    assert_string_equal(sc.users[1].password, "d:e");
    assert_false(sc.server_proposals_windows);
    assert_int_equal(sc.n_profiles, 2);
    struct scenario_profile *a = scenario_find_profile(&sc, "A b");
    assert_non_null(a);
    assert_int_equal(a->p.phonebook, PHONEBOOK_ALLUSERS);
    assert_string_equal(a->p.server, "x.example");
    assert_int_equal(a->p.fields[PF_VPN_STRATEGY], 7);
    assert_int_equal(a->p.fields[PF_DATA_ENCRYPTION], 8);
    assert_int_equal(a->p.fields[PF_CUSTOM_AUTH_KEY], 26);
    assert_int_equal(a->last.code, 691);
    assert_int_equal(a->last.reached, 20223); /* the furthest the dial got */
    /* event 20227's HRESULT, as Windows 10 writes it */
    assert_int_equal(scenario_find_profile(&sc, "Empty")->last.code, (int)0x800B0101u);
    assert_false(a->p.psk_saved);
    assert_string_equal(a->password, "p w");
    assert_true(a->last.known);
    assert_int_equal(a->last.code, 691);
    /* a section with no keys is still a profile, with healthy defaults */
    struct scenario_profile *e = scenario_find_profile(&sc, "Empty");
    assert_non_null(e);
    assert_string_equal(e->p.server, "198.51.100.7");
    assert_string_equal(e->p.username, "a");
    scenario_free(&sc);
}

static void expect_error(const char *text, const char *where, const char *what)
{
    struct scenario sc;
    struct l2f_err err = {{0}};
    assert_int_equal(scenario_parse(text, "bad.ini", &sc, &err), L2F_ERR_PARSE);
    if (strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, what))
        fail_msg("got '%s', want '%s...%s'", err.msg, where, what);
    assert_null(strchr(err.msg, '\n'));
}

static void malformed_input_named_by_line(void **state)
{
    (void)state;
    expect_error("[machine]\nadmin = maybe\n", "bad.ini:2:", "expected yes or no");
    expect_error("[machine]\nroot = yes\n", "bad.ini:2:", "unknown key 'root'");
    expect_error("[machine]\nos_build = 19044\n", "bad.ini:2:", "BUILD.UBR like 19044.1466");
    expect_error("[machine]\nos_build = 19044.\n", "bad.ini:2:", "os_build");
    expect_error("[machine]\nos_build = -1.5\n", "bad.ini:2:", "os_build");
    expect_error("[machine]\nos_build = 19044.14x\n", "bad.ini:2:", "os_build");
    expect_error("[machine]\nos_build = 0.1466\n", "bad.ini:2:", "os_build");
    expect_error("[machine]\nos_build = 1.2\nos_build = 1.2\n", "bad.ini:3:", "given twice");
    expect_error("[machine]\ncertificate = yes\n", "bad.ini:2:",
                 "certificate: expected one of none, expired, no-private-key, no-client-auth, "
                 "untrusted, valid, got 'yes'");
    expect_error("\n[machine]\ncertificate = valid\ncertificate = none\n",
                 "bad.ini:4:", "given twice");
    expect_error("\n\n[mashine]\nadmin = yes\n", "bad.ini:3:", "unknown section [mashine]");
    expect_error("[server]\naddress = a\naddress = b\n", "bad.ini:3:", "given twice");
    expect_error("[profile \"X\"]\nVpnStrategy = three\n", "bad.ini:2:", "VpnStrategy");
    expect_error("[profile \"X\"]\nAuthRestrictions = -5\n", "bad.ini:2:", "AuthRestrictions");
    expect_error("[registry]\nPolicyAgent\\Other = 1\n", "bad.ini:2:", "unknown registry value");
    expect_error("[registry]\nRasMan\\Parameters\\ProhibitIpSec = 1x\n", "bad.ini:2:", "DWORD");
    expect_error("[services]\nIKEEXT = paused\n", "bad.ini:2:", "running, stopped or disabled");
    expect_error("[services]\nSpooler = running\n", "bad.ini:2:", "unknown service");
    expect_error("[server]\nauth = mschapv3\n", "bad.ini:2:", "comma list");
    expect_error("[server]\nproposals = all\n", "bad.ini:2:", "windows, none, or a comma list");
    expect_error("[server]\nproposals = 3des-md5-modp1024, aes-sha1-modp1024\n",
                 "bad.ini:2:", "like 3des-md5-modp1024");
    expect_error("[server]\nproposals = ,\n", "bad.ini:2:", "comma list of transforms");
    expect_error("[server]\nusers = nocolon\n", "bad.ini:2:", "name:password");
    expect_error("admin = yes\n", "bad.ini:1:", "before any [section]");
    expect_error("[machine]\nthis line has no equals sign\n", "bad.ini:2:", "malformed line");
    expect_error("[profile \"A\"]\n[profile \"A\"]\n", "bad.ini:2:", "defined twice");
    expect_error("[profile \"\"]\n", "bad.ini:1:", "unknown section");
    expect_error("[profile \"X\"]\nphonebook = shared\n", "bad.ini:2:", "phonebook");
    expect_error("[profile \"X\"]\nlast_time = yesterday\n", "bad.ini:2:", "last_time");
    expect_error("[profile \"X\"]\nlast_dial_events = 20221,20225\n",
                 "bad.ini:2:", "last_dial_events");
    expect_error("[profile \"X\"]\nlast_dial_events = 20221,\n", "bad.ini:2:", "last_dial_events");
    expect_error("[profile \"X\"]\nlast_error = 0x1234567890\n", "bad.ini:2:", "last_error");
    expect_error("[profile \"bob\\X\"]\nowner = alice\n",
                 "bad.ini:2:", "the profile's name must be");
    expect_error("[profile \"X\"]\nowner = alice\n", "bad.ini:2:", "the profile's name must be");
}

static void secrets_never_echoed_in_errors(void **state)
{
    (void)state;
    struct scenario sc;
    struct l2f_err err = {{0}};
    char text[600] = "[profile \"X\"]\npsk = ";
    size_t n = strlen(text);
    memset(text + n, 'S', 300); /* longer than a key may be */
    strcpy(text + n + 300, "\n");
    assert_int_equal(scenario_parse(text, "s.ini", &sc, &err), L2F_ERR_PARSE);
    assert_null(strstr(err.msg, "SSSS"));
    assert_int_equal(scenario_parse("[server]\nusers = alice-secret-pw\n", "s.ini", &sc, &err),
                     L2F_ERR_PARSE);
    assert_null(strstr(err.msg, "alice-secret-pw"));
}

static void format_then_parse_is_lossless(void **state)
{
    (void)state;
    for (size_t i = 0; builtin_scenarios[i].name; i++) {
        struct scenario a, b;
        tu_parse(builtin_scenarios[i].text, &a);
        char *text;
        assert_int_equal(scenario_format(&a, &text), L2F_OK);
        tu_parse(text, &b);
        free(text);
        assert_int_equal(a.admin, b.admin);
        assert_int_equal(a.client_behind_nat, b.client_behind_nat);
        assert_int_equal(a.os_build, b.os_build);
        assert_int_equal(a.os_ubr, b.os_ubr);
        assert_int_equal(a.machine_cert, b.machine_cert);
        assert_memory_equal(a.reg_set, b.reg_set, sizeof a.reg_set);
        assert_memory_equal(a.reg, b.reg, sizeof a.reg);
        assert_memory_equal(a.services, b.services, sizeof a.services);
        assert_string_equal(a.server_address, b.server_address);
        assert_string_equal(a.server_psk, b.server_psk);
        assert_int_equal(a.server_auth, b.server_auth);
        assert_int_equal(a.server_lcp_required, b.server_lcp_required);
        assert_int_equal(a.server_proposals_windows, b.server_proposals_windows);
        assert_int_equal(a.n_server_proposals, b.n_server_proposals);
        for (size_t k = 0; k < a.n_server_proposals; k++)
            assert_true(probe_transform_equal(&a.server_proposals[k], &b.server_proposals[k]));
        assert_int_equal(a.server_udp4500, b.server_udp4500);
        assert_int_equal(a.server_ikev2, b.server_ikev2);
        assert_int_equal(a.n_users, b.n_users);
        assert_int_equal(a.n_profiles, b.n_profiles);
        for (size_t k = 0; k < a.n_profiles; k++) {
            assert_memory_equal(&a.profiles[k].p, &b.profiles[k].p, sizeof a.profiles[k].p);
            assert_string_equal(a.profiles[k].psk, b.profiles[k].psk);
            assert_string_equal(a.profiles[k].password, b.profiles[k].password);
            assert_int_equal(a.profiles[k].last.known, b.profiles[k].last.known);
            assert_int_equal(a.profiles[k].last.code, b.profiles[k].last.code);
            assert_int_equal(a.profiles[k].last.reached, b.profiles[k].last.reached);
        }
        scenario_free(&a);
        scenario_free(&b);
    }
}

/* Found by fuzz/fuzz_scenario: a password with a blank after ':' was kept
 * with it, and formatting could not write it back. */
static void blanks_around_user_colon_trimmed(void **state)
{
    (void)state;
    struct scenario sc;
    tu_parse("[server]\nusers = alice : two words ,bob:x\n", &sc);
    assert_int_equal(sc.n_users, 2);
    assert_string_equal(sc.users[0].name, "alice");
    assert_string_equal(sc.users[0].password, "two words");
    assert_string_equal(sc.users[1].password, "x");
    char *once, *twice;
    assert_int_equal(scenario_format(&sc, &once), L2F_OK);
    struct scenario again;
    tu_parse(once, &again);
    assert_int_equal(scenario_format(&again, &twice), L2F_OK);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
    scenario_free(&again);
    scenario_free(&sc);
}

/* Many profiles: each found by its name, none by another, and a repeat
 * named at its line however far down it comes. */
static void many_profiles_found_by_name(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct text_buf t = {0};
    for (int i = 0; i < N; i++)
        text_printf(&t, "[profile \"VPN %d\"]\nLcpExtensions = %d\n", i, i % 2);
    assert_false(t.failed);
    struct scenario sc;
    tu_parse(t.s, &sc);
    assert_int_equal(sc.n_profiles, N);
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "VPN %d", i);
        struct scenario_profile *sp = scenario_find_profile(&sc, name);
        assert_non_null(sp);
        assert_string_equal(sp->p.name, name);
        assert_int_equal(sp->p.fields[PF_LCP_EXTENSIONS], i % 2);
    }
    assert_null(scenario_find_profile(&sc, "VPN 5000"));
    assert_null(scenario_find_profile(&sc, "VPN"));
    scenario_free(&sc);
    text_printf(&t, "[profile \"VPN 17\"]\n");
    char where[32];
    snprintf(where, sizeof where, "bad.ini:%d:", 2 * N + 1);
    expect_error(t.s, where, "profile \"VPN 17\" defined twice");
    free(t.s);
}

/* An error after several profiles leaves nothing allocated (LeakSanitizer in
 * the ASan build's ctest) and an empty scenario. */
static void errors_after_many_profiles_free_everything(void **state)
{
    (void)state;
    static const char *const tails[] = {
        "[profile \"Late\"]\nVpnStrategy = three\n",
        "[profile \"Late\"]\nLcpExtensions = 1\nLcpExtensions = 0\n",
        "[profile \"P 3\"]\n",
        "[elsewhere]\n",
        "[profile \"Late\"]\nno equals sign\n",
        "[server]\nusers = nocolon\n",
    };
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        struct text_buf t = {0};
        for (int i = 0; i < 100; i++)
            text_printf(&t, "[profile \"P %d\"]\npsk = secret-%d\n", i, i);
        text_printf(&t, "%s", tails[k]);
        assert_false(t.failed);
        struct scenario sc;
        struct l2f_err err = {{0}};
        assert_int_equal(scenario_parse(t.s, "bad.ini", &sc, &err), L2F_ERR_PARSE);
        assert_non_null(strstr(err.msg, "bad.ini:20"));
        assert_int_equal(sc.n_profiles, 0);
        assert_null(sc.profiles);
        assert_null(sc.by_name);
        scenario_free(&sc); /* freeing again is harmless */
        free(t.s);
    }
}

/* A scenario entry may be a dial-up or PPPoE one; VPN when the key is absent;
 * written back, and only for a non-VPN entry. */
static void entry_type_key(void **state)
{
    (void)state;
    struct scenario sc;
    tu_parse(
        "[profile \"VPN\"]\n[profile \"DSL\"]\ntype = pppoe\n[profile \"Modem\"]\ntype = dial-up\n",
        &sc);
    assert_int_equal(scenario_find_profile(&sc, "VPN")->p.entry_type, ENTRY_VPN);
    assert_int_equal(scenario_find_profile(&sc, "DSL")->p.entry_type, ENTRY_BROADBAND);
    assert_int_equal(scenario_find_profile(&sc, "Modem")->p.entry_type, ENTRY_PHONE);
    char *text;
    assert_int_equal(scenario_format(&sc, &text), L2F_OK);
    assert_non_null(strstr(
        text,
        "[profile \"DSL\"]\nphonebook = user\nPhoneNumber = vpn.example.com\ntype = pppoe\n"));
    assert_null(strstr(text, "type = vpn"));
    free(text);
    scenario_free(&sc);
    expect_error("[profile \"X\"]\ntype = cable\n",
                 "bad.ini:2:", "type: value 'cable' is not valid here");
    expect_error("[profile \"X\"]\ntype = unknown\n", "bad.ini:2:", "type: value 'unknown'");
}

static void builtins_present(void **state)
{
    (void)state;
    static const char *const names[] = {"classic-789",      "nat-809",        "psk-mismatch",
                                        "services-stopped", "wrong-password", "multi-profile",
                                        "healthy"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(builtin_scenario_text(names[i]));
    assert_null(builtin_scenario_text("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_file_is_a_healthy_machine),
        cmocka_unit_test(blanks_around_user_colon_trimmed),
        cmocka_unit_test(every_key_read),
        cmocka_unit_test(malformed_input_named_by_line),
        cmocka_unit_test(secrets_never_echoed_in_errors),
        cmocka_unit_test(format_then_parse_is_lossless),
        cmocka_unit_test(many_profiles_found_by_name),
        cmocka_unit_test(errors_after_many_profiles_free_everything),
        cmocka_unit_test(entry_type_key),
        cmocka_unit_test(builtins_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
