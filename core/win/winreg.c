#include "winreg.h"

#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winutil.h"

/* The registry view reads and writes open: the 64-bit one, where these values
 * live even for a 32-bit caller. Tests send writes to another view, as a
 * build without KEY_WOW64_64KEY would be (HKLM\SOFTWARE to WOW6432Node). */
static REGSAM read_view = KEY_WOW64_64KEY, write_view = KEY_WOW64_64KEY;

void winreg_use_views(REGSAM read, REGSAM write)
{
    read_view = read;
    write_view = write;
}

/* Splits "HKEY_LOCAL_MACHINE\SYSTEM\..." into a root and a wide subkey. */
static enum l2f_status open_key(const char *key, REGSAM access, HKEY *out, struct l2f_err *err)
{
    static const struct {
        const char *name;
        HKEY root;
    } roots[] = {{"HKEY_LOCAL_MACHINE\\", HKEY_LOCAL_MACHINE},
                 {"HKEY_CURRENT_USER\\", HKEY_CURRENT_USER}};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        size_t n = strlen(roots[i].name);
        if (strncmp(key, roots[i].name, n) != 0)
            continue;
        wchar_t sub[512];
        if (!win_to_wide(key + n, sub, sizeof sub / sizeof sub[0])) {
            l2f_err_set(err, "%s: key path too long", key);
            return L2F_ERR_USAGE;
        }
        REGSAM view = (access & KEY_SET_VALUE) ? write_view : read_view;
        LONG rc = RegOpenKeyExW(roots[i].root, sub, 0, access | view, out);
        return win_status((DWORD)rc, key, err);
    }
    l2f_err_set(err, "%s: unknown registry root", key);
    return L2F_ERR_USAGE;
}

enum l2f_status winreg_read_dword(const char *key, const char *value, bool *exists,
                                  unsigned long *data, struct l2f_err *err)
{
    HKEY h;
    *exists = false;
    *data = 0;
    enum l2f_status st = open_key(key, KEY_QUERY_VALUE, &h, err);
    if (st == L2F_ERR_NOT_FOUND) {
        l2f_err_clear(err);
        return L2F_OK; /* no key, so no value */
    }
    if (st != L2F_OK)
        return st;
    wchar_t wvalue[256];
    DWORD type = 0, dword = 0, cb = sizeof dword;
    win_to_wide(value, wvalue, sizeof wvalue / sizeof wvalue[0]);
    LONG rc = RegQueryValueExW(h, wvalue, NULL, &type, (BYTE *)&dword, &cb);
    RegCloseKey(h);
    if (rc == ERROR_FILE_NOT_FOUND)
        return L2F_OK;
    if (rc == ERROR_SUCCESS && (type != REG_DWORD || cb != sizeof dword)) {
        l2f_err_set(err, "%s\\%s is not a DWORD (type %lu)", key, value, (unsigned long)type);
        return L2F_ERR_BACKEND;
    }
    if (rc != ERROR_SUCCESS)
        return win_status((DWORD)rc, value, err);
    *exists = true;
    *data = dword;
    return L2F_OK;
}

enum l2f_status winreg_write_dword(const char *key, const char *value, bool exists,
                                   unsigned long data, struct l2f_err *err)
{
    HKEY h;
    enum l2f_status st = open_key(key, KEY_SET_VALUE, &h, err);
    if (st != L2F_OK)
        return st;
    wchar_t wvalue[256];
    win_to_wide(value, wvalue, sizeof wvalue / sizeof wvalue[0]);
    LONG rc;
    if (exists) {
        DWORD dword = (DWORD)data;
        rc = RegSetValueExW(h, wvalue, 0, REG_DWORD, (const BYTE *)&dword, sizeof dword);
    } else {
        rc = RegDeleteValueW(h, wvalue);
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_SUCCESS; /* already as wanted */
    }
    RegCloseKey(h);
    return win_status((DWORD)rc, value, err);
}

#define OS_VERSION_KEY L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"

enum l2f_status winreg_os_build(unsigned *build, unsigned *ubr, struct l2f_err *err)
{
    wchar_t text[32];
    DWORD cb = sizeof text, dword = 0;
    *build = *ubr = 0;
    /* RRF_SUBKEY_WOW6464KEY: the 64-bit view, as open_key reads, for a 32-bit caller too */
    LONG rc = RegGetValueW(HKEY_LOCAL_MACHINE, OS_VERSION_KEY, L"CurrentBuild",
                           RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, NULL, text, &cb);
    if (rc != ERROR_SUCCESS)
        return win_status((DWORD)rc, "CurrentBuild", err);
    wchar_t *end;
    unsigned long b = wcstoul(text, &end, 10);
    if (end == text || *end || b == 0) {
        l2f_err_set(err, "CurrentBuild is not a build number");
        return L2F_ERR_BACKEND;
    }
    cb = sizeof dword;
    rc = RegGetValueW(HKEY_LOCAL_MACHINE, OS_VERSION_KEY, L"UBR",
                      RRF_RT_REG_DWORD | RRF_SUBKEY_WOW6464KEY, NULL, &dword, &cb);
    if (rc != ERROR_SUCCESS)
        return win_status((DWORD)rc, "UBR", err);
    *build = (unsigned)b;
    *ubr = (unsigned)dword;
    return L2F_OK;
}

/* ---- services ---- */

#define SVC_OVERALL_TIMEOUT_MS 30000

static enum l2f_status open_service(const char *name, DWORD access, SC_HANDLE *scm, SC_HANDLE *svc,
                                    struct l2f_err *err)
{
    wchar_t wname[256];
    win_to_wide(name, wname, sizeof wname / sizeof wname[0]);
    *scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!*scm)
        return win_status(GetLastError(), "service control manager", err);
    *svc = OpenServiceW(*scm, wname, access);
    if (!*svc) {
        DWORD e = GetLastError();
        CloseServiceHandle(*scm);
        return win_status(e, name, err);
    }
    return L2F_OK;
}

static void close_service(SC_HANDLE scm, SC_HANDLE svc)
{
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
}

enum l2f_status winsvc_query(const char *name, struct service_status *out, struct l2f_err *err)
{
    SC_HANDLE scm, svc;
    enum l2f_status st =
        open_service(name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, &scm, &svc, err);
    if (st != L2F_OK)
        return st;
    SERVICE_STATUS_PROCESS ssp;
    DWORD need = 0;
    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof ssp, &need)) {
        st = win_status(GetLastError(), name, err);
        close_service(scm, svc);
        return st;
    }
    out->state = ssp.dwCurrentState == SERVICE_RUNNING ? SVC_RUNNING : SVC_STOPPED;
    QueryServiceConfigW(svc, NULL, 0, &need); /* size query */
    QUERY_SERVICE_CONFIGW *cfg = need ? malloc(need) : NULL;
    if (cfg && QueryServiceConfigW(svc, cfg, need, &need)) {
        out->start_type = cfg->dwStartType == SERVICE_DISABLED       ? SVC_START_DISABLED
                          : cfg->dwStartType == SERVICE_DEMAND_START ? SVC_START_MANUAL
                                                                     : SVC_START_AUTO;
    } else {
        st = win_status(cfg ? GetLastError() : ERROR_OUTOFMEMORY, name, err);
    }
    free(cfg);
    close_service(scm, svc);
    return st;
}

/* Polls until the service reaches want: each pause is a tenth of its wait
 * hint (0.1 to 1 s), a hint without progress fails, and so does the overall
 * timeout. */
static enum l2f_status wait_for(SC_HANDLE svc, const char *name, DWORD want, struct l2f_err *err)
{
    SERVICE_STATUS_PROCESS ssp;
    DWORD need;
    ULONGLONG start = GetTickCount64(), last_progress = start;
    DWORD checkpoint = 0;
    for (;;) {
        if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof ssp, &need))
            return win_status(GetLastError(), name, err);
        if (ssp.dwCurrentState == want)
            return L2F_OK;
        ULONGLONG now = GetTickCount64();
        if (ssp.dwCheckPoint != checkpoint) {
            checkpoint = ssp.dwCheckPoint;
            last_progress = now;
        }
        DWORD hint = ssp.dwWaitHint ? ssp.dwWaitHint : 2000;
        if (now - last_progress > hint + 1000 || now - start > SVC_OVERALL_TIMEOUT_MS) {
            l2f_err_set(err, "service %s did not reach the %s state in time", name,
                        want == SERVICE_RUNNING ? "running" : "stopped");
            return L2F_ERR_BACKEND;
        }
        DWORD pause = hint / 10;
        Sleep(pause < 100 ? 100 : pause > 1000 ? 1000 : pause);
    }
}

static enum l2f_status stop_one(SC_HANDLE svc, const char *name, struct l2f_err *err)
{
    SERVICE_STATUS ss;
    if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss)) {
        DWORD e = GetLastError();
        if (e == ERROR_SERVICE_NOT_ACTIVE)
            return L2F_OK;
        return win_status(e, name, err);
    }
    return wait_for(svc, name, SERVICE_STOPPED, err);
}

static enum l2f_status start_one(SC_HANDLE svc, const char *name, struct l2f_err *err)
{
    if (!StartServiceW(svc, 0, NULL)) {
        DWORD e = GetLastError();
        if (e == ERROR_SERVICE_ALREADY_RUNNING)
            return L2F_OK;
        if (e == ERROR_SERVICE_DISABLED) {
            l2f_err_set(
                err, "service %s is disabled; set it to Manual first (restart-ipsec-services does)",
                name);
            return L2F_ERR_BACKEND;
        }
        return win_status(e, name, err);
    }
    return wait_for(svc, name, SERVICE_RUNNING, err);
}

/* The active services that depend on svc, in the order to stop them. */
static ENUM_SERVICE_STATUSW *active_dependents(SC_HANDLE svc, DWORD *count)
{
    DWORD need = 0;
    *count = 0;
    if (EnumDependentServicesW(svc, SERVICE_ACTIVE, NULL, 0, &need, count))
        return NULL; /* none */
    if (GetLastError() != ERROR_MORE_DATA || need == 0)
        return NULL;
    ENUM_SERVICE_STATUSW *deps = malloc(need);
    if (deps && !EnumDependentServicesW(svc, SERVICE_ACTIVE, deps, need, &need, count)) {
        free(deps);
        deps = NULL;
        *count = 0;
    }
    return deps;
}

static enum l2f_status control_by_wide_name(SC_HANDLE scm, const wchar_t *wname, bool start,
                                            struct l2f_err *err)
{
    char name[256];
    win_to_utf8(wname, name, sizeof name);
    SC_HANDLE h = OpenServiceW(scm, wname, SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS);
    if (!h)
        return win_status(GetLastError(), name, err);
    enum l2f_status st = start ? start_one(h, name, err) : stop_one(h, name, err);
    CloseServiceHandle(h);
    return st;
}

enum l2f_status winsvc_control(const char *name, enum service_action action, struct l2f_err *err)
{
    SC_HANDLE scm, svc;
    enum l2f_status st = open_service(
        name, SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS,
        &scm, &svc, err);
    if (st != L2F_OK)
        return st;
    if (action == SVC_ACTION_START) {
        st = start_one(svc, name, err);
        close_service(scm, svc);
        return st;
    }
    DWORD ndeps = 0;
    ENUM_SERVICE_STATUSW *deps = active_dependents(svc, &ndeps);
    /* dependents first, as the SCM refuses to stop a service others need */
    for (DWORD i = 0; st == L2F_OK && i < ndeps; i++)
        st = control_by_wide_name(scm, deps[i].lpServiceName, false, err);
    if (st == L2F_OK)
        st = stop_one(svc, name, err);
    if (st == L2F_OK && action == SVC_ACTION_RESTART) {
        st = start_one(svc, name, err);
        /* and back up again, last stopped first started */
        for (DWORD i = ndeps; st == L2F_OK && i-- > 0;)
            st = control_by_wide_name(scm, deps[i].lpServiceName, true, err);
    }
    free(deps);
    close_service(scm, svc);
    return st;
}

enum l2f_status winsvc_set_start(const char *name, enum service_start start, struct l2f_err *err)
{
    SC_HANDLE scm, svc;
    enum l2f_status st = open_service(name, SERVICE_CHANGE_CONFIG, &scm, &svc, err);
    if (st != L2F_OK)
        return st;
    DWORD type = start == SVC_START_DISABLED ? SERVICE_DISABLED
                 : start == SVC_START_MANUAL ? SERVICE_DEMAND_START
                                             : SERVICE_AUTO_START;
    if (!ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, type, SERVICE_NO_CHANGE, NULL, NULL, NULL,
                              NULL, NULL, NULL, NULL))
        st = win_status(GetLastError(), name, err);
    close_service(scm, svc);
    return st;
}
