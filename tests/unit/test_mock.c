/* The simulated machine: the connection stops where a real one would, with
 * the code Windows gives, for each rule; services behave like the SCM; file
 * write-back is atomic and a failed write changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "testutil.h"

/* Runs a test connection to completion; returns the code, fills the stages
 * passed and where it stopped. */
static int connect_code(struct backend *be, const char *profile, int *passed,
                        enum stage_id *stopped)
{
    struct l2f_err err = {{0}};
    assert_int_equal(be->ops->connect_start(be, profile, &err), L2F_OK);
    struct connect_event ev;
    *passed = 0;
    for (int guard = 0; guard < 1000; guard++) {
        if (!be->ops->connect_poll(be, &ev))
            continue;
        if (ev.kind == CONNECT_STAGE_PASS)
            (*passed)++;
        if (ev.kind == CONNECT_DONE) {
            *stopped = ev.stage;
            return ev.code;
        }
    }
    fail_msg("connection never finished");
    return -1;
}

static int run_text(const char *text, const char *profile, int *passed, enum stage_id *stopped)
{
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", text, path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    int code = connect_code(&be, profile, passed, stopped);
    be.ops->close(&be);
    tu_rmtree(dir);
    return code;
}

static void builtin_scenarios_fail_as_windows_would(void **state)
{
    (void)state;
    static const struct {
        const char *scenario, *profile;
        int code;
        enum stage_id stage;
    } want[] = {
        {"classic-789", "Office VPN", 789, STAGE_PPP},
        {"nat-809", "Branch VPN", 809, STAGE_IPSEC},
        {"psk-mismatch", "Office VPN", 789, STAGE_IPSEC},
        {"services-stopped", "Office VPN", 827, STAGE_IPSEC},
        {"wrong-password", "Office VPN", 691, STAGE_AUTH},
        {"multi-profile", "Office VPN", 789, STAGE_PPP},
        {"multi-profile", "Office VPN (all users)", 0, STAGE_AUTH},
        {"multi-profile", "Home IKEv2", 868, STAGE_TUNNEL},
        {"healthy", "Office VPN", 0, STAGE_AUTH},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct backend be;
        tu_open_demo(&be, want[i].scenario);
        int passed;
        enum stage_id stopped;
        int code = connect_code(&be, want[i].profile, &passed, &stopped);
        if (code != want[i].code || stopped != want[i].stage)
            fail_msg("%s/%s: got %d in %s", want[i].scenario, want[i].profile, code,
                     stage_info(stopped)->id);
        assert_int_equal(passed, code == 0 ? STAGE_COUNT : (int)want[i].stage);
        /* the result is recorded as Windows' event log would */
        struct connection_record last;
        struct l2f_err err = {{0}};
        assert_int_equal(be.ops->last_connection(&be, want[i].profile, &last, &err), L2F_OK);
        assert_true(last.known);
        assert_int_equal(last.code, code);
        /* and how far the dial got: 20222 before IPsec and tunnel errors, 20224 before PPP's */
        assert_int_equal(last.reached, code == 0                      ? 0
                                       : want[i].stage <= STAGE_IPSEC ? 20222
                                                                      : 20224);
        be.ops->close(&be);
    }
}

static void each_rule_on_its_own(void **state)
{
    (void)state;
    int passed;
    enum stage_id st;
    assert_int_equal(
        run_text("[profile \"P\"]\nPhoneNumber = nowhere.invalid\n", "P", &passed, &st), 868);
    assert_int_equal(run_text("[profile \"P\"]\nPhoneNumber = 198.51.100.99\n", "P", &passed, &st),
                     809);
    assert_int_equal(run_text("[server]\nreachable = no\n", "Office VPN", &passed, &st), 809);
    assert_int_equal(run_text("[profile \"P\"]\nVpnStrategy = 1\n", "P", &passed, &st), 800);
    assert_int_equal(run_text("[profile \"P\"]\nVpnStrategy = 0\n", "P", &passed, &st), 0);
    assert_int_equal(run_text("[services]\nBFE = stopped\n", "Office VPN", &passed, &st), 827);
    assert_int_equal(
        run_text("[registry]\nRasMan\\Parameters\\ProhibitIpSec = 1\n", "Office VPN", &passed, &st),
        809);
    assert_int_equal(st, STAGE_IPSEC);
    /* server behind NAT: 1 is enough for a client on a public address, not behind NAT */
    assert_int_equal(
        run_text("[server]\nbehind_nat = "
                 "yes\n[registry]\nPolicyAgent\\AssumeUDPEncapsulationContextOnSendRule = 1\n",
                 "Office VPN", &passed, &st),
        0);
    assert_int_equal(
        run_text("[machine]\nbehind_nat = yes\n[server]\nbehind_nat = yes\n[registry]\n"
                 "PolicyAgent\\AssumeUDPEncapsulationContextOnSendRule = 1\n",
                 "Office VPN", &passed, &st),
        809);
    /* a client behind NAT alone needs nothing */
    assert_int_equal(run_text("[machine]\nbehind_nat = yes\n", "Office VPN", &passed, &st), 0);
    assert_int_equal(run_text("[server]\nproposals = none\n", "Office VPN", &passed, &st), 788);
    /* a list: 788 unless Windows' offer, DES/MD5 included with the value, meets it */
    assert_int_equal(
        run_text("[server]\nproposals = 3des-md5-modp1024\n", "Office VPN", &passed, &st), 788);
    assert_int_equal(run_text("[server]\nproposals = 3des-md5-modp1024\n[registry]\n"
                              "RasMan\\Parameters\\AllowL2TPWeakCrypto = 1\n",
                              "Office VPN", &passed, &st),
                     0);
    assert_int_equal(run_text("[server]\nproposals = aes128-sha1-modp1536\n[registry]\n"
                              "RasMan\\Parameters\\AllowL2TPWeakCrypto = 1\n",
                              "Office VPN", &passed, &st),
                     788);
    assert_int_equal(run_text("[server]\nproposals = aes128-sha1-modp1536, 3des-sha1-modp1024\n",
                              "Office VPN", &passed, &st),
                     0);
    /* behind NAT IKE floats to 4500: blocked there is a timeout */
    assert_int_equal(run_text("[machine]\nbehind_nat = yes\n[server]\nudp4500 = blocked\n",
                              "Office VPN", &passed, &st),
                     809);
    assert_int_equal(run_text("[server]\nudp4500 = blocked\n", "Office VPN", &passed, &st), 0);
    assert_int_equal(run_text("[profile \"P\"]\nIpSecFlags = 0\n", "P", &passed, &st), 766);
    /* a certificate profile: the machine certificate's state decides IPsec */
    static const char *const not_valid[] = {"expired", "no-private-key", "no-client-auth",
                                            "untrusted"};
    for (size_t i = 0; i < sizeof not_valid / sizeof not_valid[0]; i++) {
        char text[160];
        snprintf(text, sizeof text,
                 "[machine]\ncertificate = %s\n[profile \"P\"]\nIpSecFlags = 0\n", not_valid[i]);
        assert_int_equal(run_text(text, "P", &passed, &st), 13806);
        assert_int_equal(st, STAGE_IPSEC);
    }
    assert_int_equal(run_text("[machine]\ncertificate = valid\n[profile \"P\"]\nIpSecFlags = 0\n",
                              "P", &passed, &st),
                     0);
    assert_int_equal(run_text("[machine]\ncertificate = valid\n[server]\npsk = k\n[profile "
                              "\"P\"]\nIpSecFlags = 0\n",
                              "P", &passed, &st),
                     789);
    assert_int_equal(run_text("[server]\npsk = a\n[profile \"P\"]\npsk =\n", "P", &passed, &st),
                     789);
    assert_int_equal(
        run_text("[server]\nlcp_extensions = required\n[profile \"P\"]\nLcpExtensions = 0\n", "P",
                 &passed, &st),
        789);
    assert_int_equal(st, STAGE_PPP);
    assert_int_equal(run_text("[profile \"P\"]\nLcpExtensions = 0\n", "P", &passed, &st),
                     0); /* optional */
    assert_int_equal(run_text("[server]\nauth = pap\n[profile \"P\"]\nAuthRestrictions = 512\n",
                              "P", &passed, &st),
                     789);
    assert_int_equal(run_text("[server]\nauth = eap\n[profile \"P\"]\nAuthRestrictions = 128\n",
                              "P", &passed, &st),
                     0);
    assert_int_equal(
        run_text("[server]\nusers = u:p\n[profile \"P\"]\nusername = u\npassword = q\n", "P",
                 &passed, &st),
        691);
    assert_int_equal(run_text("[profile \"P\"]\npassword =\n", "P", &passed, &st), 691);
}

static void stages_arrive_one_step_apart(void **state)
{
    (void)state;
    setenv("L2TPFIX_MOCK_STEP_MS", "40", 1);
    struct backend be;
    tu_open_demo(&be, "healthy");
    struct l2f_err err = {{0}};
    uint64_t t0 = plat_monotonic_ms();
    assert_int_equal(be.ops->connect_start(&be, "Office VPN", &err), L2F_OK);
    struct connect_event ev;
    bool done = false;
    int begins = 0;
    while (!done) {
        if (be.ops->connect_poll(&be, &ev)) {
            begins += ev.kind == CONNECT_STAGE_BEGIN;
            done = ev.kind == CONNECT_DONE;
        }
    }
    uint64_t took = plat_monotonic_ms() - t0;
    assert_int_equal(begins, 4);
    assert_true(took >= 4 * 40 - 5); /* the fifth step is the result */
    /* a second connection while none runs is fine; cancel hangs up */
    assert_int_equal(be.ops->connect_start(&be, "Office VPN", &err), L2F_OK);
    assert_int_equal(be.ops->connect_start(&be, "Office VPN", &err), L2F_ERR_USAGE);
    be.ops->connect_cancel(&be);
    assert_false(be.ops->connect_poll(&be, &ev));
    be.ops->close(&be);
    setenv("L2TPFIX_MOCK_STEP_MS", "0", 1);
}

static void services_follow_their_dependencies(void **state)
{
    (void)state;
    struct backend be;
    tu_open_demo(&be, "healthy");
    struct l2f_err err = {{0}};
    struct service_status ss;
    /* stopping BFE stops what depends on it */
    assert_int_equal(be.ops->service_control(&be, "BFE", SVC_ACTION_STOP, &err), L2F_OK);
    assert_int_equal(be.ops->service_query(&be, "IKEEXT", &ss, &err), L2F_OK);
    assert_int_equal(ss.state, SVC_STOPPED);
    /* starting IKEEXT starts BFE first */
    assert_int_equal(be.ops->service_control(&be, "IKEEXT", SVC_ACTION_START, &err), L2F_OK);
    assert_int_equal(be.ops->service_query(&be, "BFE", &ss, &err), L2F_OK);
    assert_int_equal(ss.state, SVC_RUNNING);
    /* a disabled service cannot start, and a dependency that cannot run fails it */
    assert_int_equal(be.ops->service_set_start(&be, "BFE", SVC_START_DISABLED, &err), L2F_OK);
    assert_int_equal(be.ops->service_control(&be, "BFE", SVC_ACTION_STOP, &err), L2F_OK);
    assert_int_equal(be.ops->service_control(&be, "IKEEXT", SVC_ACTION_START, &err),
                     L2F_ERR_BACKEND);
    assert_non_null(strstr(err.msg, "1068"));
    assert_int_equal(be.ops->service_query(&be, "IKEEXT", &ss, &err), L2F_OK);
    assert_int_equal(ss.state, SVC_STOPPED);
    assert_int_equal(be.ops->service_query(&be, "Spooler", &ss, &err), L2F_ERR_NOT_FOUND);
    be.ops->close(&be);
}

static void writes_back_and_failed_write_changes_nothing(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "[profile \"P\"]\nLcpExtensions = 0\n", path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    assert_int_equal(be.ops->write_profile_field(&be, "P", PF_LCP_EXTENSIONS, 1, &err), L2F_OK);
    /* a second process sees the change */
    struct backend be2 = {&backend_mock_ops, NULL};
    assert_int_equal(be2.ops->open(&be2, path, &err), L2F_OK);
    struct vpn_profile p;
    assert_int_equal(be2.ops->read_profile(&be2, "P", &p, &err), L2F_OK);
    assert_int_equal(p.fields[PF_LCP_EXTENSIONS], 1);
    be2.ops->close(&be2);
    /* the directory read-only: the write fails, memory and file keep the old value */
    if (geteuid() != 0) {
        assert_int_equal(chmod(dir, 0500), 0);
        assert_int_equal(be.ops->write_profile_field(&be, "P", PF_LCP_EXTENSIONS, 0, &err),
                         L2F_ERR_IO);
        assert_int_equal(be.ops->read_profile(&be, "P", &p, &err), L2F_OK);
        assert_int_equal(p.fields[PF_LCP_EXTENSIONS], 1);
        assert_int_equal(chmod(dir, 0700), 0);
    }
    /* a symlink planted where the file is: refused, not followed */
    char target[320], cmd[1400];
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    snprintf(cmd, sizeof cmd, "mv '%s' '%s' && ln -s '%s' '%s'", path, target, target, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(be.ops->write_profile_field(&be, "P", PF_LCP_EXTENSIONS, 0, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_int_equal(be.ops->read_profile(&be, "P", &p, &err), L2F_OK);
    assert_int_equal(p.fields[PF_LCP_EXTENSIONS], 1);
    be.ops->close(&be);
    tu_rmtree(dir);
}

static void admin_rules(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[machine]\nadmin = no\n[profile \"U\"]\n[profile \"A\"]\nphonebook = allusers\n",
                  path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    bool admin = true;
    assert_int_equal(be.ops->is_admin(&be, &admin), L2F_OK);
    assert_false(admin);
    /* the user's own phonebook needs no elevation; the rest does */
    assert_int_equal(be.ops->write_profile_field(&be, "U", PF_LCP_EXTENSIONS, 0, &err), L2F_OK);
    assert_int_equal(be.ops->write_profile_field(&be, "A", PF_LCP_EXTENSIONS, 0, &err),
                     L2F_ERR_NEED_ADMIN);
    assert_int_equal(be.ops->reg_write_dword(&be, regval_key_path(REGVAL_NAT_TRAVERSAL),
                                             "AssumeUDPEncapsulationContextOnSendRule", true, 2,
                                             &err),
                     L2F_ERR_NEED_ADMIN);
    assert_int_equal(be.ops->service_control(&be, "IKEEXT", SVC_ACTION_RESTART, &err),
                     L2F_ERR_NEED_ADMIN);
    /* reading needs nothing */
    bool exists;
    unsigned long v;
    assert_int_equal(be.ops->reg_read_dword(&be, regval_key_path(REGVAL_NAT_TRAVERSAL),
                                            "AssumeUDPEncapsulationContextOnSendRule", &exists, &v,
                                            &err),
                     L2F_OK);
    be.ops->close(&be);
    tu_rmtree(dir);
}

/* The simulated LocalMachine\Root keys a certificate by the SHA-1 of its bytes, as
 * Windows' store does: another thumbprint is refused, the file keeps what was added. */
static void root_store_by_thumbprint(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "[profile \"P\"]\n", path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    const unsigned char abc[] = "abc"; /* SHA-1 from FIPS 180's example */
    const char *sha1 = "A9993E364706816ABA3E25717850C26C9CD0D89D";
    const char *other = "A9993E364706816ABA3E25717850C26C9CD0D89E";
    bool has = true;
    assert_int_equal(be.ops->root_add(&be, abc, 3, other, &err), L2F_ERR_USAGE);
    assert_int_equal(be.ops->root_has(&be, other, &has, &err), L2F_OK);
    assert_false(has);
    assert_int_equal(be.ops->root_add(&be, abc, 3, sha1, &err), L2F_OK);
    struct backend be2 = {&backend_mock_ops, NULL};
    assert_int_equal(be2.ops->open(&be2, path, &err), L2F_OK);
    assert_int_equal(be2.ops->root_has(&be2, sha1, &has, &err), L2F_OK);
    assert_true(has);
    be2.ops->close(&be2);
    assert_int_equal(be.ops->root_remove(&be, sha1, &err), L2F_OK);
    assert_int_equal(be.ops->root_has(&be, sha1, &has, &err), L2F_OK);
    assert_false(has);
    be.ops->close(&be);
    tu_rmtree(dir);
}

static void probe_simulated_from_the_server(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[machine]\nbehind_nat = yes\n[server]\naddress = 203.0.113.9\nudp4500 = "
                  "blocked\nikev2 = yes\n",
                  path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    struct probe_report r;
    assert_int_equal(be.ops->probe_server(&be, "203.0.113.9", &r, &err), L2F_OK);
    assert_true(r.resolved && r.literal);
    assert_int_equal(r.ike500, PROBE_ACCEPTED);
    assert_int_equal(r.ike4500, PROBE_NO_ANSWER);
    assert_int_equal(r.ikev2, PROBE_ACCEPTED);
    assert_int_equal(r.client_behind_nat, 1);
    enum psk_verdict v;
    assert_int_equal(
        be.ops->check_psk(&be, "203.0.113.9", "any key: the scenario pins none", &v, &err), L2F_OK);
    assert_int_equal(v, PSK_ACCEPTED);
    assert_int_equal(be.ops->check_psk(&be, "elsewhere.example", "k", &v, &err), L2F_OK);
    assert_int_equal(v, PSK_INCONCLUSIVE);
    assert_int_equal(be.ops->probe_server(&be, "elsewhere.example", &r, &err), L2F_OK);
    assert_false(r.resolved);
    assert_int_equal(r.ike500, PROBE_ERROR);
    be.ops->close(&be);
    tu_rmtree(dir);
}

/* The simulated probe asks what a server that refuses Windows' offer accepts, by rule:
 * the candidates its list holds, in the enumeration's order and bound. */
static void probe_simulated_enumeration(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[server]\naddress = 203.0.113.9\nproposals = aes128-sha1-modp1536, "
                  "3des-md5-modp1024, aes256-sha256-modp8192x\n",
                  path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_not_equal(be.ops->open(&be, path, &err), L2F_OK); /* no such group */
    tu_write_file(dir, "s.ini",
                  "[server]\naddress = 203.0.113.9\nproposals = aes128-sha1-modp1536, "
                  "3des-md5-modp1024\n",
                  path, sizeof path);
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    struct probe_report r;
    assert_int_equal(be.ops->probe_server(&be, "203.0.113.9", &r, &err), L2F_OK);
    assert_int_equal(r.ike500, PROBE_NO_PROPOSAL);
    assert_true(r.enumerated);
    assert_int_equal(r.accepts.count, 2);
    assert_string_equal(r.accepts.names[0], "3des-md5-modp1024");
    assert_string_equal(r.accepts.names[1], "aes128-sha1-modp1536");
    assert_true(r.accepts.sent <= PROBE_ENUM_MAX);
    be.ops->close(&be);
    /* one Windows offers: accepted, that one named, nothing enumerated */
    tu_write_file(dir, "s.ini",
                  "[server]\naddress = 203.0.113.9\nproposals = des-md5-modp768, "
                  "3des-sha1-modp1024\n",
                  path, sizeof path);
    assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
    assert_int_equal(be.ops->probe_server(&be, "203.0.113.9", &r, &err), L2F_OK);
    assert_int_equal(r.ike500, PROBE_ACCEPTED);
    assert_string_equal(r.transform, "3des-sha1-modp1024");
    assert_false(r.enumerated);
    be.ops->close(&be);
    tu_rmtree(dir);
}

static void open_errors(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/nul.ini", dir);
    FILE *f = fopen(path, "wb");
    fwrite("[machine]\n\0junk = 1\n", 1, 20, f);
    fclose(f);
    struct backend nb = {&backend_mock_ops, NULL};
    struct l2f_err nerr = {{0}};
    assert_int_equal(nb.ops->open(&nb, path, &nerr), L2F_ERR_PARSE);
    assert_non_null(strstr(nerr.msg, "nul.ini:2: a NUL byte"));
    tu_rmtree(dir);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, "demo:nope", &err), L2F_ERR_USAGE);
    assert_non_null(strstr(err.msg, "classic-789"));
    assert_int_equal(be.ops->open(&be, "/nonexistent/s.ini", &err), L2F_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/s.ini"));
}

/* Another local user's profile (owner = ...) is not there until their
 * phonebooks are included, which needs an administrator, as on Windows. */
static void other_users_rules(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "[profile \"Mine\"]\n[profile \"bob\\VPN\"]\nowner = bob\n",
        "[machine]\nadmin = no\n[profile \"Mine\"]\n[profile \"bob\\VPN\"]\nowner = bob\n",
    };
    for (int admin = 1; admin >= 0; admin--) {
        char dir[256], path[300];
        tu_mkdtemp(dir, sizeof dir);
        tu_write_file(dir, "s.ini", texts[admin ? 0 : 1], path, sizeof path);
        struct backend be = {&backend_mock_ops, NULL};
        struct l2f_err err = {{0}};
        struct profile_list list;
        struct vpn_profile p;
        assert_int_equal(be.ops->open(&be, path, &err), L2F_OK);
        assert_int_equal(be.ops->list_profiles(&be, &list, &err), L2F_OK);
        assert_int_equal(list.count, 1);
        profile_list_free(&list);
        assert_int_equal(be.ops->read_profile(&be, "bob\\VPN", &p, &err), L2F_ERR_NOT_FOUND);
        assert_int_equal(be.ops->write_profile_field(&be, "bob\\VPN", PF_LCP_EXTENSIONS, 0, &err),
                         L2F_ERR_NOT_FOUND);
        assert_int_equal(be.ops->include_other_users(&be, &err),
                         admin ? L2F_OK : L2F_ERR_NEED_ADMIN);
        assert_int_equal(be.ops->list_profiles(&be, &list, &err), L2F_OK);
        assert_int_equal(list.count, admin ? 2 : 1);
        profile_list_free(&list);
        assert_int_equal(be.ops->read_profile(&be, "bob\\VPN", &p, &err),
                         admin ? L2F_OK : L2F_ERR_NOT_FOUND);
        if (admin) {
            assert_string_equal(p.owner, "bob");
            assert_int_equal(
                be.ops->write_profile_field(&be, "bob\\VPN", PF_LCP_EXTENSIONS, 0, &err), L2F_OK);
        }
        be.ops->close(&be);
        tu_rmtree(dir);
    }
}

/* What is not a scenario file is refused before it is read, without blocking. */
static void hostile_files_refused(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    alarm(10); /* a FIFO once blocked the open for ever */
    snprintf(path, sizeof path, "%s/fifo.ini", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    const char *const files[] = {path, dir, "/dev/zero"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct backend be = {&backend_mock_ops, NULL};
        struct l2f_err err = {{0}};
        assert_int_equal(be.ops->open(&be, files[i], &err), L2F_ERR_USAGE);
        assert_non_null(strstr(err.msg, "not a regular file"));
        assert_null(be.state);
    }
    alarm(0);
    tu_rmtree(dir);
}

/* A scenario read and parsed whose absolute path then cannot be had (here:
 * longer than PLAT_PATH_MAX, reached by relative steps) fails with what it
 * parsed freed: LeakSanitizer saw the profiles leak when the file changed
 * under the mock between its read and that step. */
static void parsed_then_path_fails_frees_the_scenario(void **state)
{
    (void)state;
    char dir[256], cwd[PLAT_PATH_MAX], step[201];
    tu_mkdtemp(dir, sizeof dir);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    memset(step, 'd', sizeof step - 1);
    step[sizeof step - 1] = '\0';
    for (int i = 0; i < PLAT_PATH_MAX / 200 + 1; i++)
        assert_true(mkdir(step, 0700) == 0 && chdir(step) == 0);
    char path[32];
    tu_write_file(".", "s.ini", "[profile \"A\"]\n[profile \"B\"]\npsk = k\n", path, sizeof path);
    struct backend be = {&backend_mock_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_not_equal(be.ops->open(&be, "s.ini", &err), L2F_OK);
    assert_non_null(strstr(err.msg, "s.ini: "));
    assert_null(be.state);
    assert_int_equal(chdir(cwd), 0);
    tu_rmtree(dir);
}

int main(void)
{
    setenv("L2TPFIX_MOCK_STEP_MS", "0", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_scenarios_fail_as_windows_would),
        cmocka_unit_test(each_rule_on_its_own),
        cmocka_unit_test(stages_arrive_one_step_apart),
        cmocka_unit_test(services_follow_their_dependencies),
        cmocka_unit_test(writes_back_and_failed_write_changes_nothing),
        cmocka_unit_test(admin_rules),
        cmocka_unit_test(root_store_by_thumbprint),
        cmocka_unit_test(other_users_rules),
        cmocka_unit_test(probe_simulated_from_the_server),
        cmocka_unit_test(probe_simulated_enumeration),
        cmocka_unit_test(open_errors),
        cmocka_unit_test(hostile_files_refused),
        cmocka_unit_test(parsed_then_path_fails_frees_the_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
