/* Every fix planned, applied and undone on the simulated machine; rollback
 * when a step fails; refusals that change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fixes.h"
#include "platform.h"
#include "testutil.h"

struct rig {
    struct backend be;
    struct journal journal;
    struct fix_context ctx;
    struct observations obs;
    struct diagnosis d;
    char profile[PROFILE_NAME_MAX];
};

static void observe(struct rig *r)
{
    struct l2f_err err = {{0}};
    assert_int_equal(diagnose_all(&r->be, r->profile, &r->obs, &r->d, &err), L2F_OK);
}

static void rig_open(struct rig *r, const char *scenario, const char *profile)
{
    memset(r, 0, sizeof *r);
    tu_open_demo(&r->be, scenario);
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&r->journal, NULL, &err), L2F_OK);
    r->ctx = (struct fix_context){.be = &r->be, .journal = &r->journal};
    snprintf(r->profile, sizeof r->profile, "%s", profile);
    observe(r);
}

static void rig_close(struct rig *r)
{
    journal_close(&r->journal);
    r->be.ops->close(&r->be);
}

static int apply(struct rig *r, enum fix_id fix, const struct fix_secrets *secrets,
                 enum l2f_status want)
{
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(fix, &r->obs, NULL, &plan, &err), L2F_OK);
    int64_t id = 0;
    enum l2f_status st = fix_apply(&r->ctx, &plan, secrets, &id, &err);
    if (st != want)
        fail_msg("%s: got %s (%s)", fix_info(fix)->id, l2f_status_message(st), err.msg);
    observe(r);
    return id;
}

static void undo_ok(struct rig *r, int id)
{
    struct l2f_err err = {{0}};
    char note[256];
    int64_t undone = 0;
    enum l2f_status st = fix_undo(&r->ctx, id, &undone, note, sizeof note, &err);
    if (st != L2F_OK)
        fail_msg("undo %d: %s (%s)", id, l2f_status_message(st), err.msg);
    if (id)
        assert_int_equal(undone, id);
    observe(r);
}

static long field(struct rig *r, enum profile_field f)
{
    return r->obs.profile.fields[f];
}

static void mschapv2_and_lcp_fix_classic_789(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "classic-789", "Office VPN");
    assert_int_equal(r.d.checks[CHECK_MSCHAPV2].status, CHECK_FAIL);
    int a = apply(&r, FIX_MSCHAPV2, NULL, L2F_OK);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_MSCHAP2);
    assert_int_equal(r.d.checks[CHECK_MSCHAPV2].status, CHECK_PASS);
    int b = apply(&r, FIX_LCP_EXTENSIONS, NULL, L2F_OK);
    assert_int_equal(field(&r, PF_LCP_EXTENSIONS), 1);
    assert_false(diagnosis_has_problems(&r.d) &&
                 r.d.checks[CHECK_LCP_EXTENSIONS].status != CHECK_PASS);
    assert_int_equal(journal_find(&r.journal, a)->state, ENTRY_APPLIED);
    /* a fix already in place plans nothing */
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(FIX_MSCHAPV2, &r.obs, NULL, &plan, &err), L2F_ERR_NOTHING);
    /* undo, newest first, restores the original values exactly */
    undo_ok(&r, 0);
    assert_int_equal(field(&r, PF_LCP_EXTENSIONS), 0);
    assert_int_equal(journal_find(&r.journal, b)->state, ENTRY_UNDONE);
    undo_ok(&r, 0);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_EAP);
    assert_int_equal(fix_undo(&r.ctx, 0, NULL, NULL, 0, &err), L2F_ERR_NOTHING);
    rig_close(&r);
}

static void mschapv2_keeps_other_ticks(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "multi-profile", "Office VPN");
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_CHAP);
    apply(&r, FIX_MSCHAPV2, NULL, L2F_OK);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_CHAP | AR_MSCHAP2);
    rig_close(&r);
}

static void tunnel_type(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "multi-profile", "Home IKEv2");
    int id = apply(&r, FIX_TUNNEL_L2TP, NULL, L2F_OK);
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_L2TP_ONLY);
    undo_ok(&r, id);
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_IKEV2_ONLY);
    rig_close(&r);
}

/* switch-ikev2 makes the tunnel IKEv2 and the user authentication EAP-MSCHAPv2,
 * each a journaled change; no L2TP-only check then asks to take EAP back. */
static void switch_to_ikev2_and_back(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "multi-profile", "Office VPN");
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_CHAP);
    assert_int_equal(field(&r, PF_CUSTOM_AUTH_KEY), 0);
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(FIX_SWITCH_IKEV2, &r.obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(plan.n_changes, 3);
    char line[512];
    change_describe(&plan.changes[2], line, sizeof line);
    assert_string_equal(line, "Office VPN: CustomAuthKey 0 (no EAP method) -> 26 (EAP-MSCHAPv2)");
    int id = apply(&r, FIX_SWITCH_IKEV2, NULL, L2F_OK);
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_IKEV2_ONLY);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_EAP);
    assert_int_equal(field(&r, PF_CUSTOM_AUTH_KEY), CUSTOM_AUTH_EAP_MSCHAPV2);
    assert_int_equal(journal_find(&r.journal, id)->n_changes, 3);
    static const enum check_id l2tp_only[] = {CHECK_MSCHAPV2, CHECK_LCP_EXTENSIONS, CHECK_PSK};
    for (size_t i = 0; i < sizeof l2tp_only / sizeof l2tp_only[0]; i++) {
        assert_true(r.d.checks[l2tp_only[i]].not_applicable);
        assert_int_equal(r.d.checks[l2tp_only[i]].fix, FIX_NONE);
    }
    for (size_t i = 0; i < r.d.n_recommended; i++)
        assert_int_not_equal(r.d.recommended[i], FIX_MSCHAPV2);
    undo_ok(&r, id);
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_L2TP_ONLY);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_CHAP);
    assert_int_equal(field(&r, PF_CUSTOM_AUTH_KEY), 0);
    rig_close(&r);
}

/* A self-signed CA written to path as PEM; its SHA-1 thumbprint in hex, computed here
 * with OpenSSL's digest, apart from the code under test. */
static void make_ca(const char *path, const char *cn, char thumb[41])
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    assert_non_null(key);
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    /* a CA as --ca-file wants one: basicConstraints CA:TRUE */
    X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
    assert_non_null(bc);
    assert_int_equal(X509_add_ext(x, bc, -1), 1);
    X509_EXTENSION_free(bc);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
    unsigned char md[20];
    unsigned n = 0;
    assert_int_equal(X509_digest(x, EVP_sha1(), md, &n), 1);
    for (unsigned i = 0; i < n; i++)
        snprintf(thumb + 2 * i, 3, "%02X", md[i]);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* What handshake --ikev2 would have kept: trusted through ca_file. */
static void seen_with_ca(struct rig *r, const char *ca_file, const char *thumb)
{
    struct ikev2_seen *s = &r->obs.ikev2_seen;
    r->obs.have_ikev2_seen = s->ok = s->trusted = true;
    snprintf(s->ca_sha1, sizeof s->ca_sha1, "%s", thumb);
    snprintf(s->ca_subject, sizeof s->ca_subject, "CN=l2f unit CA");
    snprintf(s->ca_file, sizeof s->ca_file, "%s", ca_file);
    r->obs.have_root = true;
    r->obs.root_st = r->be.ops->root_has(&r->be, thumb, &r->obs.root_present, NULL);
}

static bool in_root(struct rig *r, const char *thumb)
{
    bool present = false;
    struct l2f_err err = {{0}};
    assert_int_equal(r->be.ops->root_has(&r->be, thumb, &present, &err), L2F_OK);
    return present;
}

/* switch-ikev2 adds the recorded CA to LocalMachine\Root first; undo takes out
 * exactly it, after the profile; --ca-file with another CA, a CA file changed
 * since the plan and a backend without the store are refused, changing nothing. */
static void switch_ikev2_imports_the_ca(void **state)
{
    (void)state;
    char dir[256], ca[300], other[300], t[41], t_other[41], line[512];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(other, sizeof other, "%s/other.pem", dir);
    make_ca(ca, "l2f unit CA", t);
    make_ca(other, "l2f other CA", t_other);
    struct rig r;
    rig_open(&r, "multi-profile", "Office VPN");
    seen_with_ca(&r, ca, t);
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(FIX_SWITCH_IKEV2, &r.obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(plan.n_changes, 4);
    assert_int_equal(plan.changes[0].kind, CHG_ROOT_CERT);
    assert_true(plan.needs_admin);
    change_describe(&plan.changes[0], line, sizeof line);
    char want[256];
    snprintf(want, sizeof want,
             "LocalMachine\\Root: CA 'CN=l2f unit CA' (SHA-1 %s): not trusted -> added from the "
             "CA file",
             t);
    assert_string_equal(line, want);
    /* another CA than the record's anchor: refused, the plan as it was */
    assert_int_equal(fix_plan_use_ca_file(&plan, &r.obs, other, &err), L2F_ERR_USAGE);
    assert_non_null(strstr(err.msg, t_other));
    assert_non_null(strstr(err.msg, "is not the CA handshake --ikev2 trusted"));
    assert_string_equal(plan.changes[0].backup, ca);
    /* the CA file holding another certificate by the time it applies: nothing stays */
    struct fix_plan bad = plan;
    snprintf(bad.changes[0].backup, sizeof bad.changes[0].backup, "%s", other);
    int64_t id = 0;
    assert_int_equal(fix_apply(&r.ctx, &bad, NULL, &id, &err), L2F_ERR_CONFLICT);
    observe(&r);
    assert_false(in_root(&r, t));
    assert_false(in_root(&r, t_other));
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_L2TP_ONLY);
    /* applied: the CA in the store, the profile switched; undo: both back */
    assert_int_equal(fix_apply(&r.ctx, &plan, NULL, &id, &err), L2F_OK);
    observe(&r);
    assert_true(in_root(&r, t));
    assert_int_equal(field(&r, PF_CUSTOM_AUTH_KEY), CUSTOM_AUTH_EAP_MSCHAPV2);
    const struct journal_entry *e = journal_find(&r.journal, id);
    assert_string_equal(change_kind_id(e->changes[0].kind), "root-certificate");
    assert_string_equal(e->changes[0].field, t);
    assert_string_equal(e->changes[0].subject, "CN=l2f unit CA");
    undo_ok(&r, (int)id);
    assert_false(in_root(&r, t));
    assert_int_equal(field(&r, PF_VPN_STRATEGY), VS_L2TP_ONLY);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_CHAP);
    /* a CA the machine holds already: no change for it, and undo leaves it */
    struct fix_plan pre;
    seen_with_ca(&r, ca, t);
    assert_int_equal(fix_plan_make(FIX_SWITCH_IKEV2, &r.obs, NULL, &pre, &err), L2F_OK);
    struct fix_plan ca_only = pre;
    assert_int_equal(pre.changes[0].kind, CHG_ROOT_CERT);
    ca_only.n_changes = 1;
    ca_only.needs_admin = true;
    assert_int_equal(fix_apply(&r.ctx, &ca_only, NULL, &id, &err), L2F_OK);
    observe(&r);
    seen_with_ca(&r, ca, t);
    assert_true(r.obs.root_present);
    assert_int_equal(fix_plan_make(FIX_SWITCH_IKEV2, &r.obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(plan.n_changes, 3);
    for (size_t i = 0; i < plan.n_changes; i++)
        assert_int_not_equal(plan.changes[i].kind, CHG_ROOT_CERT);
    /* a backend that cannot reach the store (a phonebook file): one line, nothing planned */
    assert_null(backend_pbk_ops.root_has);
    r.obs.root_st = L2F_ERR_UNSUPPORTED;
    r.obs.root_present = false;
    assert_int_equal(fix_plan_make(FIX_SWITCH_IKEV2, &r.obs, NULL, &plan, &err),
                     L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "which a phonebook file cannot reach"));
    assert_non_null(strstr(err.msg, t));
    assert_null(strchr(err.msg, '\n'));
    rig_close(&r);
    remove(ca);
    remove(other);
    rmdir(dir);
}

static void nat_traversal_registry_with_backup(void **state)
{
    (void)state;
    struct rig r;
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    rig_open(&r, "nat-809", "Branch VPN");
    r.ctx.backup_dir = dir;
    assert_false(r.obs.reg_exists[REGVAL_NAT_TRAVERSAL]);
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(FIX_NAT_TRAVERSAL, &r.obs, NULL, &plan, &err), L2F_OK);
    assert_true(plan.needs_admin);
    assert_true(plan.needs_reboot);
    int id = apply(&r, FIX_NAT_TRAVERSAL, NULL, L2F_OK);
    assert_true(r.obs.reg_exists[REGVAL_NAT_TRAVERSAL]);
    assert_int_equal(r.obs.reg[REGVAL_NAT_TRAVERSAL], 2);
    const struct journal_entry *e = journal_find(&r.journal, id);
    assert_non_null(strstr(e->changes[0].backup, dir));
    assert_true(plat_file_exists(e->changes[0].backup));
    /* the backup restores "did not exist": a delete line */
    char *data;
    size_t len;
    assert_int_equal(plat_read_file(e->changes[0].backup, &data, &len, &err), L2F_OK);
    assert_true(len > 40 && (unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE);
    bool has_delete = false;
    for (size_t i = 0; i + 3 < len; i += 2)
        has_delete |= data[i] == '=' && data[i + 2] == '-';
    assert_true(has_delete);
    free(data);
    undo_ok(&r, id);
    assert_false(r.obs.reg_exists[REGVAL_NAT_TRAVERSAL]); /* back to not set, not to 0 */
    rig_close(&r);
    tu_rmtree(dir);
}

static void allow_ipsec_restores_previous_value(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "healthy", "Office VPN");
    struct l2f_err err = {{0}};
    assert_int_equal(r.be.ops->reg_write_dword(&r.be, regval_key_path(REGVAL_PROHIBIT_IPSEC),
                                               "ProhibitIpSec", true, 1, &err),
                     L2F_OK);
    observe(&r);
    assert_int_equal(r.d.checks[CHECK_PROHIBIT_IPSEC].status, CHECK_FAIL);
    int id = apply(&r, FIX_ALLOW_IPSEC, NULL, L2F_OK);
    assert_int_equal(r.obs.reg[REGVAL_PROHIBIT_IPSEC], 0);
    assert_int_equal(r.d.checks[CHECK_PROHIBIT_IPSEC].status, CHECK_PASS);
    undo_ok(&r, id);
    assert_true(r.obs.reg_exists[REGVAL_PROHIBIT_IPSEC]);
    assert_int_equal(r.obs.reg[REGVAL_PROHIBIT_IPSEC], 1);
    rig_close(&r);
}

static void services_started_and_disabled_set_to_manual(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "services-stopped", "Office VPN");
    struct l2f_err err = {{0}};
    assert_int_equal(r.be.ops->service_set_start(&r.be, "PolicyAgent", SVC_START_DISABLED, &err),
                     L2F_OK);
    observe(&r);
    int id = apply(&r, FIX_RESTART_IPSEC_SERVICES, NULL, L2F_OK);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_RUNNING);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].state, SVC_RUNNING);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].start_type, SVC_START_MANUAL);
    assert_int_equal(r.d.checks[CHECK_IPSEC_SERVICES].status, CHECK_PASS);
    undo_ok(&r, id);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_STOPPED);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].start_type, SVC_START_DISABLED);
    rig_close(&r);
}

static void running_services_are_restarted(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "healthy", "Office VPN");
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    assert_int_equal(fix_plan_make(FIX_RESTART_IPSEC_SERVICES, &r.obs, NULL, &plan, &err), L2F_OK);
    char desc[256];
    change_describe(&plan.changes[0], desc, sizeof desc);
    assert_string_equal(desc, "service IKEEXT: running -> restarted");
    assert_int_equal(plan.n_changes, 2); /* BFE is left alone when it runs */
    rig_close(&r);
}

static void psk_needs_the_key_and_undo_says_what_it_cannot_restore(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "psk-mismatch", "Office VPN");
    assert_int_equal(r.d.checks[CHECK_PSK].status, CHECK_WARN);
    apply(&r, FIX_USE_PSK, NULL, L2F_ERR_NEED_SECRET);
    assert_int_equal(r.journal.count, 0); /* refused before anything was journaled */
    struct fix_secrets secrets = {"the-servers-key", NULL};
    int id = apply(&r, FIX_USE_PSK, &secrets, L2F_OK);
    const struct journal_entry *e = journal_find(&r.journal, id);
    assert_int_equal(e->n_changes, 1); /* IpSecFlags already had the PSK bit */
    struct l2f_err err = {{0}};
    char note[256];
    int64_t undone;
    assert_int_equal(fix_undo(&r.ctx, id, &undone, note, sizeof note, &err), L2F_OK);
    assert_non_null(strstr(note, "the pre-shared key saved before cannot come back"));
    char limits[256];
    fix_undo_limits(journal_find(&r.journal, id), limits,
                    sizeof limits); /* what the undo dialog says */
    assert_string_equal(limits, note);
    rig_close(&r);
}

static void credentials_saved_and_cleared_on_undo(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "multi-profile", "Home IKEv2");
    struct l2f_err err = {{0}};
    assert_int_equal(r.be.ops->set_secret(&r.be, "Home IKEv2", SECRET_PASSWORD, "", NULL, &err),
                     L2F_OK);
    observe(&r);
    assert_false(r.obs.profile.password_saved);
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_CREDENTIALS, &r.obs, NULL, &plan, &err),
                     L2F_ERR_NEED_SECRET);
    assert_int_equal(fix_plan_make(FIX_CREDENTIALS, &r.obs, "frank", &plan, &err), L2F_OK);
    struct fix_secrets secrets = {NULL, "Night-Owl"};
    int64_t id;
    assert_int_equal(fix_apply(&r.ctx, &plan, &secrets, &id, &err), L2F_OK);
    observe(&r);
    assert_true(r.obs.profile.password_saved);
    assert_string_equal(r.obs.profile.username, "frank");
    undo_ok(&r, id);
    assert_false(r.obs.profile.password_saved);
    assert_string_equal(r.obs.profile.username, "");
    rig_close(&r);
}

static void refused_without_admin_changes_nothing(void **state)
{
    (void)state;
    struct rig r;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[machine]\nadmin = no\nbehind_nat = yes\n[server]\nbehind_nat = yes\n"
                  "[profile \"P\"]\nphonebook = allusers\nLcpExtensions = 0\n",
                  path, sizeof path);
    memset(&r, 0, sizeof r);
    struct l2f_err err = {{0}};
    r.be.ops = &backend_mock_ops;
    assert_int_equal(r.be.ops->open(&r.be, path, &err), L2F_OK);
    assert_int_equal(journal_open(&r.journal, NULL, &err), L2F_OK);
    r.ctx = (struct fix_context){.be = &r.be, .journal = &r.journal, .backup_dir = dir};
    strcpy(r.profile, "P");
    observe(&r);
    char *before;
    assert_int_equal(plat_read_file(path, &before, NULL, &err), L2F_OK);
    apply(&r, FIX_NAT_TRAVERSAL, NULL, L2F_ERR_NEED_ADMIN);
    apply(&r, FIX_LCP_EXTENSIONS, NULL, L2F_ERR_NEED_ADMIN); /* all-users phonebook */
    char *after;
    assert_int_equal(plat_read_file(path, &after, NULL, &err), L2F_OK);
    assert_string_equal(before, after);
    assert_int_equal(r.journal.count, 0);
    free(before);
    free(after);
    rig_close(&r);
    tu_rmtree(dir);
}

/* A backend that fails its Nth state-changing call, to walk failure points. */
static struct backend failing_inner;
static int calls_left;

static bool fail_now(struct l2f_err *err)
{
    if (calls_left-- == 0) {
        l2f_err_set(err, "injected failure");
        return true;
    }
    return false;
}

static enum l2f_status f_write_profile_field(struct backend *be, const char *n,
                                             enum profile_field f, long v, struct l2f_err *err)
{
    (void)be;
    return fail_now(err) ? L2F_ERR_BACKEND
                         : failing_inner.ops->write_profile_field(&failing_inner, n, f, v, err);
}

static enum l2f_status f_service_control(struct backend *be, const char *n, enum service_action a,
                                         struct l2f_err *err)
{
    (void)be;
    return fail_now(err) ? L2F_ERR_BACKEND
                         : failing_inner.ops->service_control(&failing_inner, n, a, err);
}

static enum l2f_status f_service_set_start(struct backend *be, const char *n, enum service_start s,
                                           struct l2f_err *err)
{
    (void)be;
    return fail_now(err) ? L2F_ERR_BACKEND
                         : failing_inner.ops->service_set_start(&failing_inner, n, s, err);
}

static enum l2f_status f_set_secret(struct backend *be, const char *p, enum secret_kind k,
                                    const char *u, const char *s, struct l2f_err *err)
{
    (void)be;
    return fail_now(err) ? L2F_ERR_BACKEND
                         : failing_inner.ops->set_secret(&failing_inner, p, k, u, s, err);
}

static void service_states(struct backend *be, struct service_status out[SERVICE_COUNT])
{
    struct l2f_err err;
    for (int s = 0; s < SERVICE_COUNT; s++)
        assert_int_equal(
            be->ops->service_query(be, service_info((enum service_id)s)->name, &out[s], &err),
            L2F_OK);
}

static void failure_part_way_rolls_back(void **state)
{
    (void)state;
    /* services-stopped with PolicyAgent disabled: the fix makes 3 changes */
    for (int fail_at = 0; fail_at < 3; fail_at++) {
        struct rig r;
        rig_open(&r, "services-stopped", "Office VPN");
        struct l2f_err err = {{0}};
        assert_int_equal(
            r.be.ops->service_set_start(&r.be, "PolicyAgent", SVC_START_DISABLED, &err), L2F_OK);
        observe(&r);
        struct service_status before[SERVICE_COUNT], after[SERVICE_COUNT];
        service_states(&r.be, before);
        struct fix_plan plan;
        assert_int_equal(fix_plan_make(FIX_RESTART_IPSEC_SERVICES, &r.obs, NULL, &plan, &err),
                         L2F_OK);
        assert_int_equal(plan.n_changes, 3);
        /* wrap the mock: every op passes through except the injected ones */
        failing_inner = r.be;
        struct backend_ops ops = *r.be.ops;
        ops.write_profile_field = f_write_profile_field;
        ops.service_control = f_service_control;
        ops.service_set_start = f_service_set_start;
        ops.set_secret = f_set_secret;
        struct backend wrapped = {&ops, r.be.state};
        r.ctx.be = &wrapped;
        calls_left = fail_at;
        int64_t id = 0;
        assert_int_equal(fix_apply(&r.ctx, &plan, NULL, &id, &err), L2F_ERR_BACKEND);
        assert_non_null(strstr(err.msg, "injected"));
        service_states(&r.be, after);
        assert_memory_equal(before, after, sizeof before); /* wholly old */
        assert_int_equal(journal_find(&r.journal, id)->state, ENTRY_ROLLED_BACK);
        rig_close(&r);
    }
}

static void undo_refuses_to_clobber_a_later_change(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r, "classic-789", "Office VPN");
    int id = apply(&r, FIX_MSCHAPV2, NULL, L2F_OK);
    struct l2f_err err = {{0}};
    /* someone ticks CHAP by hand after l2tpfix's change */
    assert_int_equal(r.be.ops->write_profile_field(&r.be, "Office VPN", PF_AUTH_RESTRICTIONS,
                                                   AR_MSCHAP2 | AR_CHAP, &err),
                     L2F_OK);
    assert_int_equal(fix_undo(&r.ctx, id, NULL, NULL, 0, &err), L2F_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "AuthRestrictions"));
    observe(&r);
    assert_int_equal(field(&r, PF_AUTH_RESTRICTIONS), AR_MSCHAP2 | AR_CHAP);
    /* two fixes of the same setting: the older one waits for the newer */
    assert_int_equal(
        r.be.ops->write_profile_field(&r.be, "Office VPN", PF_AUTH_RESTRICTIONS, AR_MSCHAP2, &err),
        L2F_OK);
    observe(&r);
    assert_int_equal(
        r.be.ops->write_profile_field(&r.be, "Office VPN", PF_AUTH_RESTRICTIONS, AR_EAP, &err),
        L2F_OK);
    observe(&r);
    int id2 = apply(&r, FIX_MSCHAPV2, NULL, L2F_OK);
    assert_int_equal(fix_undo(&r.ctx, id, NULL, NULL, 0, &err), L2F_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "undo it first"));
    undo_ok(&r, id2);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mschapv2_and_lcp_fix_classic_789),
        cmocka_unit_test(mschapv2_keeps_other_ticks),
        cmocka_unit_test(tunnel_type),
        cmocka_unit_test(switch_to_ikev2_and_back),
        cmocka_unit_test(switch_ikev2_imports_the_ca),
        cmocka_unit_test(nat_traversal_registry_with_backup),
        cmocka_unit_test(allow_ipsec_restores_previous_value),
        cmocka_unit_test(services_started_and_disabled_set_to_manual),
        cmocka_unit_test(running_services_are_restarted),
        cmocka_unit_test(psk_needs_the_key_and_undo_says_what_it_cannot_restore),
        cmocka_unit_test(credentials_saved_and_cleared_on_undo),
        cmocka_unit_test(refused_without_admin_changes_nothing),
        cmocka_unit_test(failure_part_way_rolls_back),
        cmocka_unit_test(undo_refuses_to_clobber_a_later_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
