/* The live backend against Wine's real registry and service control manager:
 * registry fixes with .reg backups and exact undo, and the service fix on test
 * services installed as IKEEXT, PolicyAgent, BFE and RasMan. Runs in a Wine
 * prefix of its own. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "fixes.h"
#include "platform.h"
#include "testutil.h"
#include "verify.h"
#include "win/ras.h"
#include "win/winreg.h"

static const wchar_t *const service_names[] = {L"BFE", L"RasMan", L"IKEEXT", L"PolicyAgent"};

/* A single healthy profile so that diagnosis has one to read. */
static DWORD WINAPI one_enum(LPCWSTR r, LPCWSTR p, LPRASENTRYNAMEW names, LPDWORD cb, LPDWORD n)
{
    (void)r;
    (void)p;
    if (*cb < sizeof(RASENTRYNAMEW)) {
        *cb = sizeof(RASENTRYNAMEW);
        return ERROR_BUFFER_TOO_SMALL;
    }
    wcscpy(names[0].szEntryName, L"Office VPN");
    wcscpy(names[0].szPhonebookPath, L"C:\\rasphone.pbk");
    names[0].dwFlags = 0;
    *n = 1;
    return 0;
}

static DWORD WINAPI one_get(LPCWSTR p, LPCWSTR n, LPRASENTRYW e, LPDWORD cb, LPBYTE d, LPDWORD dcb)
{
    (void)p;
    (void)n;
    (void)d;
    (void)dcb;
    if (!e || *cb < sizeof(RASENTRYW)) {
        *cb = sizeof(RASENTRYW);
        return ERROR_BUFFER_TOO_SMALL;
    }
    memset(e, 0, sizeof *e);
    e->dwSize = sizeof(RASENTRYW);
    e->dwfOptions = RASEO_RequireMsCHAP2;
    e->dwfOptions2 = RASEO2_UsePreSharedKey;
    e->dwVpnStrategy = VS_L2tpOnly;
    wcscpy(e->szLocalPhoneNumber, L"vpn.example.com");
    return 0;
}

static DWORD WINAPI one_cred(LPCWSTR p, LPCWSTR n, LPRASCREDENTIALSW c)
{
    (void)p;
    (void)n;
    wcscpy(c->szUserName, L"alice");
    return 0; /* the mask stays as asked: everything saved */
}

static const struct ras_api one_profile = {one_enum, one_get, NULL, one_cred, NULL,
                                           NULL,     NULL,    NULL, NULL};

struct rig {
    struct backend be;
    struct journal journal;
    struct fix_context ctx;
    struct observations obs;
    struct diagnosis d;
    char dir[MAX_PATH];
};

static void observe(struct rig *r)
{
    struct l2f_err err = {{0}};
    assert_int_equal(diagnose_all(&r->be, "Office VPN", &r->obs, &r->d, &err), L2F_OK);
}

static void rig_open(struct rig *r)
{
    memset(r, 0, sizeof *r);
    backend_win32_use_ras(&one_profile);
    r->be.ops = &backend_win32_ops;
    struct l2f_err err = {{0}};
    assert_int_equal(r->be.ops->open(&r->be, "", &err), L2F_OK);
    assert_int_equal(journal_open(&r->journal, NULL, &err), L2F_OK);
    tu_mkdtemp(r->dir, sizeof r->dir);
    r->ctx = (struct fix_context){.be = &r->be, .journal = &r->journal, .backup_dir = r->dir};
    observe(r);
}

static void rig_close(struct rig *r)
{
    journal_close(&r->journal);
    r->be.ops->close(&r->be);
    tu_rmtree(r->dir);
}

static HKEY ensure_key(const wchar_t *sub)
{
    HKEY h;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, sub, 0, NULL, 0,
                                     KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &h, NULL),
                     ERROR_SUCCESS);
    return h;
}

static bool query(HKEY h, const wchar_t *value, DWORD *out)
{
    DWORD type, cb = sizeof *out;
    LONG rc = RegQueryValueExW(h, value, NULL, &type, (BYTE *)out, &cb);
    if (rc == ERROR_FILE_NOT_FOUND)
        return false;
    assert_int_equal(rc, ERROR_SUCCESS);
    assert_int_equal(type, REG_DWORD);
    return true;
}

static int64_t apply_fix(struct rig *r, enum fix_id fix)
{
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    int64_t id = 0;
    enum l2f_status st = fix_plan_make(fix, &r->obs, NULL, &plan, &err);
    if (st == L2F_OK)
        st = fix_apply(&r->ctx, &plan, NULL, &id, &err);
    if (st != L2F_OK)
        fail_msg("%s: %s", fix_info(fix)->id, err.msg);
    observe(r);
    return id;
}

static void undo(struct rig *r, int64_t id)
{
    struct l2f_err err = {{0}};
    if (fix_undo(&r->ctx, id, NULL, NULL, 0, &err) != L2F_OK)
        fail_msg("undo %d: %s", id, err.msg);
    observe(r);
}

static void registry_fix_backup_and_exact_undo(void **state)
{
    (void)state;
    HKEY pa = ensure_key(L"SYSTEM\\CurrentControlSet\\Services\\PolicyAgent");
    HKEY rm = ensure_key(L"SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters");
    RegDeleteValueW(pa, L"AssumeUDPEncapsulationContextOnSendRule");
    DWORD one = 1;
    assert_int_equal(RegSetValueExW(rm, L"ProhibitIpSec", 0, REG_DWORD, (BYTE *)&one, sizeof one),
                     ERROR_SUCCESS);

    struct rig r;
    rig_open(&r);
    assert_false(r.obs.reg_exists[REGVAL_NAT_TRAVERSAL]);
    assert_int_equal(r.d.checks[CHECK_PROHIBIT_IPSEC].status, CHECK_FAIL);
    /* did not exist -> 2 -> does not exist again */
    int64_t nat = apply_fix(&r, FIX_NAT_TRAVERSAL);
    DWORD v = 0;
    assert_true(query(pa, L"AssumeUDPEncapsulationContextOnSendRule", &v));
    assert_int_equal(v, 2);
    const struct journal_entry *e = journal_find(&r.journal, nat);
    char *data;
    size_t len;
    struct l2f_err err = {{0}};
    assert_int_equal(plat_read_file(e->changes[0].backup, &data, &len, &err), L2F_OK);
    assert_true((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE);
    free(data);
    /* 1 -> 0 -> 1 */
    int64_t allow = apply_fix(&r, FIX_ALLOW_IPSEC);
    assert_true(query(rm, L"ProhibitIpSec", &v));
    assert_int_equal(v, 0);
    assert_int_equal(r.d.checks[CHECK_PROHIBIT_IPSEC].status, CHECK_PASS);
    undo(&r, allow);
    assert_true(query(rm, L"ProhibitIpSec", &v));
    assert_int_equal(v, 1);
    undo(&r, nat);
    assert_false(query(pa, L"AssumeUDPEncapsulationContextOnSendRule", &v));
    /* a value of another type is reported, not misread */
    assert_int_equal(
        RegSetValueExW(pa, L"AssumeUDPEncapsulationContextOnSendRule", 0, REG_SZ, (BYTE *)L"2", 4),
        ERROR_SUCCESS);
    observe(&r);
    assert_int_equal(r.d.checks[CHECK_NAT_TRAVERSAL].status, CHECK_UNKNOWN);
    RegDeleteValueW(pa, L"AssumeUDPEncapsulationContextOnSendRule");
    RegDeleteValueW(rm, L"ProhibitIpSec");
    RegCloseKey(pa);
    RegCloseKey(rm);
    rig_close(&r);
}

/* A value written to the 32-bit view and read from the 64-bit one, as a build
 * without KEY_WOW64_64KEY would write HKLM\SOFTWARE (to WOW6432Node): the
 * write answers success, the read-back sees nothing: not taken. */
static void registry_write_to_another_view_is_not_taken(void **state)
{
    (void)state;
    static const wchar_t sub[] = L"SOFTWARE\\l2tpfix-verify-test";
    struct rig r;
    rig_open(&r);
    HKEY h64 = ensure_key(sub), h32;
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, sub, 0, NULL, 0,
                                     KEY_ALL_ACCESS | KEY_WOW64_32KEY, NULL, &h32, NULL),
                     ERROR_SUCCESS);
    RegDeleteValueW(h64, L"V");
    RegDeleteValueW(h32, L"V");
    struct change c = {.kind = CHG_REGISTRY_DWORD, .after_set = true, .after = 1};
    snprintf(c.target, sizeof c.target, "HKEY_LOCAL_MACHINE\\SOFTWARE\\l2tpfix-verify-test");
    snprintf(c.field, sizeof c.field, "V");
    struct verify_before before;
    struct l2f_err err = {{0}};
    winreg_use_views(KEY_WOW64_64KEY, KEY_WOW64_32KEY);
    verify_snapshot(&r.be, &c, &before);
    assert_int_equal(r.be.ops->reg_write_dword(&r.be, c.target, "V", true, 1, &err), L2F_OK);
    assert_int_equal(verify_change(&r.be, &c, true, &before, &err), L2F_ERR_NOT_TAKEN);
    if (!strstr(err.msg, "Windows did not take the change: ") ||
        !strstr(err.msg, "V reads not set after l2tpfix wrote 1"))
        fail_msg("%s", err.msg);
    DWORD v = 0;
    assert_true(query(h32, L"V", &v) && v == 1); /* it went to the other view */
    assert_false(query(h64, L"V", &v));
    /* both in the 64-bit view, as the backend opens them: taken */
    winreg_use_views(KEY_WOW64_64KEY, KEY_WOW64_64KEY);
    assert_int_equal(r.be.ops->reg_write_dword(&r.be, c.target, "V", true, 1, &err), L2F_OK);
    assert_int_equal(verify_change(&r.be, &c, true, &before, &err), L2F_OK);
    RegCloseKey(h32);
    RegCloseKey(h64);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, sub, KEY_WOW64_32KEY, 0);
    RegDeleteKeyExW(HKEY_LOCAL_MACHINE, sub, KEY_WOW64_64KEY, 0);
    rig_close(&r);
}

static void install_services(void)
{
    wchar_t exe[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    assert_true(n > 0 && n < MAX_PATH);
    wchar_t *slash = wcsrchr(exe, L'\\');
    assert_non_null(slash);
    wcscpy(slash + 1, L"l2f_testsvc.exe");
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    assert_non_null(scm);
    for (size_t i = 0; i < sizeof service_names / sizeof service_names[0]; i++) {
        SC_HANDLE s = CreateServiceW(scm, service_names[i], service_names[i], SERVICE_ALL_ACCESS,
                                     SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                                     SERVICE_ERROR_NORMAL, exe, NULL, NULL, NULL, NULL, NULL);
        if (!s && GetLastError() == ERROR_SERVICE_EXISTS)
            s = OpenServiceW(scm, service_names[i], SERVICE_ALL_ACCESS);
        assert_non_null(s);
        /* BFE and RasMan run, as on a normal machine */
        if (i < 2 && !StartServiceW(s, 0, NULL))
            assert_int_equal(GetLastError(), ERROR_SERVICE_ALREADY_RUNNING);
        CloseServiceHandle(s);
    }
    CloseServiceHandle(scm);
}

static void remove_services(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    for (size_t i = 0; i < sizeof service_names / sizeof service_names[0]; i++) {
        SC_HANDLE s = OpenServiceW(scm, service_names[i], SERVICE_ALL_ACCESS);
        if (!s)
            continue;
        SERVICE_STATUS st;
        ControlService(s, SERVICE_CONTROL_STOP, &st);
        for (int k = 0;
             k < 50 && QueryServiceStatus(s, &st) && st.dwCurrentState != SERVICE_STOPPED; k++)
            Sleep(100);
        DeleteService(s);
        CloseServiceHandle(s);
    }
    CloseServiceHandle(scm);
}

static void services_started_restarted_and_undone(void **state)
{
    (void)state;
    install_services();
    struct rig r;
    rig_open(&r);
    assert_int_equal(r.obs.services[SVC_BFE].state, SVC_RUNNING);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_STOPPED);
    assert_int_equal(r.obs.services[SVC_IKEEXT].start_type, SVC_START_MANUAL);
    assert_int_equal(r.d.checks[CHECK_IPSEC_SERVICES].status, CHECK_FAIL);
    int64_t id = apply_fix(&r, FIX_RESTART_IPSEC_SERVICES);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_RUNNING);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].state, SVC_RUNNING);
    assert_int_equal(r.d.checks[CHECK_IPSEC_SERVICES].status, CHECK_PASS);
    /* running services are restarted: still running after */
    struct l2f_err err = {{0}};
    assert_int_equal(r.be.ops->service_control(&r.be, "IKEEXT", SVC_ACTION_RESTART, &err), L2F_OK);
    observe(&r);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_RUNNING);
    undo(&r, id);
    assert_int_equal(r.obs.services[SVC_IKEEXT].state, SVC_STOPPED);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].state, SVC_STOPPED);
    /* a disabled one is reported, set to Manual by the fix, and back on undo */
    assert_int_equal(r.be.ops->service_set_start(&r.be, "PolicyAgent", SVC_START_DISABLED, &err),
                     L2F_OK);
    observe(&r);
    assert_non_null(strstr(r.d.checks[CHECK_IPSEC_SERVICES].summary, "PolicyAgent disabled"));
    assert_int_equal(r.be.ops->service_control(&r.be, "PolicyAgent", SVC_ACTION_START, &err),
                     L2F_ERR_BACKEND);
    assert_non_null(strstr(err.msg, "disabled"));
    id = apply_fix(&r, FIX_RESTART_IPSEC_SERVICES);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].start_type, SVC_START_MANUAL);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].state, SVC_RUNNING);
    undo(&r, id);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].start_type, SVC_START_DISABLED);
    assert_int_equal(r.obs.services[SVC_POLICYAGENT].state, SVC_STOPPED);
    rig_close(&r);
    remove_services();
}

#define CURRENT_VERSION L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"

/* A value saved to be put back as it was (or deleted, when it was not there). */
struct saved_value {
    bool had;
    DWORD type, cb;
    BYTE data[256];
};

static void save_value(HKEY h, const wchar_t *name, struct saved_value *v)
{
    v->cb = sizeof v->data;
    v->had = RegQueryValueExW(h, name, NULL, &v->type, v->data, &v->cb) == ERROR_SUCCESS;
}

static void restore_value(HKEY h, const wchar_t *name, const struct saved_value *v)
{
    if (v->had)
        assert_int_equal(RegSetValueExW(h, name, 0, v->type, v->data, v->cb), ERROR_SUCCESS);
    else
        RegDeleteValueW(h, name);
}

static void set_build(HKEY h, const wchar_t *build, DWORD ubr)
{
    assert_int_equal(RegSetValueExW(h, L"CurrentBuild", 0, REG_SZ, (const BYTE *)build,
                                    (DWORD)((wcslen(build) + 1) * sizeof(wchar_t))),
                     ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(h, L"UBR", 0, REG_DWORD, (const BYTE *)&ubr, sizeof ubr),
                     ERROR_SUCCESS);
}

/* windows-update reads CurrentBuild (a string) and UBR (a DWORD) from Wine's registry. */
static void os_build_from_the_registry(void **state)
{
    (void)state;
    HKEY h = ensure_key(CURRENT_VERSION);
    struct saved_value build, ubr;
    save_value(h, L"CurrentBuild", &build);
    save_value(h, L"UBR", &ubr);
    struct rig r;
    rig_open(&r);
    struct machine_info m;
    struct l2f_err err = {{0}};

    set_build(h, L"19044", 1466);
    assert_int_equal(r.be.ops->machine_info(&r.be, &m, &err), L2F_OK);
    assert_int_equal(m.os_st, L2F_OK);
    assert_int_equal(m.os_build, 19044);
    assert_int_equal(m.os_ubr, 1466);
    assert_int_equal(strlen(m.boot), 24); /* and the boot time beside it */
    observe(&r);
    assert_int_equal(r.d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_FAIL);
    assert_non_null(strstr(r.d.checks[CHECK_WINDOWS_UPDATE].summary, "KB5010793"));

    set_build(h, L"19044", 1469);
    observe(&r);
    assert_int_equal(r.d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_PASS);

    /* no UBR: the build cannot be told, and the check says so */
    RegDeleteValueW(h, L"UBR");
    assert_int_equal(r.be.ops->machine_info(&r.be, &m, &err), L2F_OK);
    assert_int_not_equal(m.os_st, L2F_OK);
    observe(&r);
    assert_int_equal(r.d.checks[CHECK_WINDOWS_UPDATE].status, CHECK_UNKNOWN);
    assert_non_null(strstr(r.d.checks[CHECK_WINDOWS_UPDATE].summary, "could not be read"));

    restore_value(h, L"CurrentBuild", &build);
    restore_value(h, L"UBR", &ubr);
    RegCloseKey(h);
    rig_close(&r);
}

/* the FILETIME path gives the same calendar as POSIX's gmtime (unit.platform's answers) */
static void time_iso_at_by_filetime(void **state)
{
    (void)state;
    char iso[32];
    plat_time_iso_at(951782400, iso);
    assert_string_equal(iso, "2000-02-29T00:00:00.000Z");
    plat_time_iso_at(4102444799LL, iso);
    assert_string_equal(iso, "2099-12-31T23:59:59.000Z");
    plat_time_iso_at(-5, iso);
    assert_string_equal(iso, "1970-01-01T00:00:00.000Z");
}

static void elevation_and_identity(void **state)
{
    (void)state;
    struct rig r;
    rig_open(&r);
    bool admin = false;
    assert_int_equal(r.be.ops->is_admin(&r.be, &admin), L2F_OK);
    assert_true(admin); /* Wine runs everything elevated: the refusal path needs real Windows */
    assert_true(strncmp(r.be.ops->machine_id(&r.be), "windows:", 8) == 0);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_fix_backup_and_exact_undo),
        cmocka_unit_test(registry_write_to_another_view_is_not_taken),
        cmocka_unit_test(services_started_restarted_and_undone),
        cmocka_unit_test(os_build_from_the_registry),
        cmocka_unit_test(elevation_and_identity),
        cmocka_unit_test(time_iso_at_by_filetime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
