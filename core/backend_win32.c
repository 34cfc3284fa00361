/* The live backend: the machine this runs on, through the RAS API, the
 * registry and the service control manager. Windows only. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dialstage.h"
#include "platform.h"
#include "text.h"
#include "userbooks.h"
#include "win/cert.h"
#include "win/eventlog.h"
#include "win/ras.h"
#include "win/selftest_win.h"
#include "win/winreg.h"
#include "win/winutil.h"

#define MAX_EVENTS 32

struct win_state {
    const struct ras_api *ras;
    char machine_id[128];
    /* the test connection: RasDial's notifier runs on another thread */
    CRITICAL_SECTION lock;
    struct connect_event events[MAX_EVENTS];
    size_t head, tail;
    HRASCONN conn;
    bool connecting;
    struct dial_track track; /* the stages lit so far */
    /* --all-users: the other local users' phonebooks, through the phonebook
     * editor (RAS shows SYSTEM or an administrator only their own and the
     * all-users one); NULL otherwise */
    struct userbooks *others;
};

/* RasDialFunc1 carries no context; one test connection at a time */
static struct win_state *dialing;

static const struct ras_api *override_ras;

void backend_win32_use_ras(const struct ras_api *api)
{
    override_ras = api;
}

static struct win_state *win(struct backend *be)
{
    return be->state;
}

/* Every local user's phonebook below %SystemDrive%\Users, but this user's:
 * RAS lists that one already. */
static enum l2f_status open_other_users(struct win_state *w, struct l2f_err *err)
{
    char drive[16] = "C:", users[64], me[256] = "";
    DWORD n = GetEnvironmentVariableA("SystemDrive", drive, sizeof drive);
    if (n == 0 || n >= sizeof drive)
        strcpy(drive, "C:");
    snprintf(users, sizeof users, "%s\\Users", drive);
    n = GetEnvironmentVariableA("USERNAME", me, sizeof me);
    if (n == 0 || n >= sizeof me)
        me[0] = '\0';
    return userbooks_open_users(&w->others, users, me[0] ? me : NULL, err);
}

static enum l2f_status win_open(struct backend *be, const char *arg, struct l2f_err *err)
{
    struct win_state *w = calloc(1, sizeof *w);
    if (!w)
        return L2F_ERR_NOMEM;
    w->ras = override_ras ? override_ras : &ras_system;
    wchar_t computer[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    char name[64] = "this-computer";
    if (GetComputerNameW(computer, &n))
        win_to_utf8(computer, name, sizeof name);
    snprintf(w->machine_id, sizeof w->machine_id, "windows:%s", name);
    (void)arg;
    (void)err;
    InitializeCriticalSection(&w->lock);
    be->state = w;
    return L2F_OK;
}

static void hang_up(struct win_state *w)
{
    if (!w->conn)
        return;
    w->ras->hang_up(w->conn);
    /* Windows wants the handle drained before the port can be reused */
    RASCONNSTATUSW status;
    for (int i = 0; i < 300; i++) {
        memset(&status, 0, sizeof status);
        status.dwSize = sizeof status;
        if (w->ras->get_connect_status(w->conn, &status) == ERROR_INVALID_HANDLE)
            break;
        Sleep(10);
    }
    w->conn = NULL;
}

static enum l2f_status win_is_admin(struct backend *be, bool *admin);

static enum l2f_status win_include_other_users(struct backend *be, struct l2f_err *err)
{
    struct win_state *w = win(be);
    if (w->others)
        return L2F_OK;
    bool admin = false;
    if (win_is_admin(be, &admin) != L2F_OK || !admin) {
        l2f_err_set(err, "other users' phonebooks: access denied: " L2F_HOW_TO_GET_RIGHTS);
        return L2F_ERR_NEED_ADMIN;
    }
    enum l2f_status st = open_other_users(w, err);
    if (st == L2F_ERR_NOT_FOUND) {
        l2f_err_clear(err); /* no other user has a phonebook: nothing to add */
        return L2F_OK;
    }
    return st;
}

static void win_close(struct backend *be)
{
    struct win_state *w = win(be);
    if (!w)
        return;
    hang_up(w);
    if (dialing == w)
        dialing = NULL;
    DeleteCriticalSection(&w->lock);
    userbooks_close(w->others);
    free(w);
    be->state = NULL;
}

static const char *win_machine_id(struct backend *be)
{
    return win(be)->machine_id;
}

static const char *win_describe(struct backend *be)
{
    (void)be;
    return "Windows (live)";
}

/* Fills a profile from its entry, credentials included (never their values). */
static enum l2f_status read_ref(struct win_state *w, const struct ras_ref *ref,
                                struct vpn_profile *p, struct l2f_err *err)
{
    RASENTRYW *e;
    DWORD size;
    memset(p, 0, sizeof *p);
    win_to_utf8(ref->name, p->name, sizeof p->name);
    p->phonebook = ref->all_users ? PHONEBOOK_ALLUSERS : PHONEBOOK_USER;
    enum l2f_status st = ras_read_entry(w->ras, ref, &e, &size, err);
    if (st != L2F_OK)
        return st;
    ras_entry_to_profile(e, p);
    free(e);
    return ras_saved_credentials(w->ras, ref, p, err);
}

static enum l2f_status win_list_profiles(struct backend *be, struct profile_list *out,
                                         struct l2f_err *err)
{
    struct win_state *w = win(be);
    struct ras_ref *refs;
    size_t n;
    out->items = NULL;
    out->count = 0;
    enum l2f_status st = ras_list(w->ras, &refs, &n, err);
    if (st != L2F_OK)
        return st;
    size_t others = w->others ? userbooks_entries(w->others) : 0;
    out->items = calloc(n + others ? n + others : 1, sizeof *out->items);
    if (!out->items) {
        free(refs);
        return L2F_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct l2f_err ignored;
        /* a profile that cannot be read is still listed, by name */
        if (read_ref(w, &refs[i], &out->items[out->count], &ignored) != L2F_OK) {
            win_to_utf8(refs[i].name, out->items[out->count].name,
                        sizeof out->items[out->count].name);
            out->items[out->count].phonebook =
                refs[i].all_users ? PHONEBOOK_ALLUSERS : PHONEBOOK_USER;
        }
        out->count++;
    }
    free(refs);
    if (w->others)
        userbooks_list(w->others, out);
    return L2F_OK;
}

static enum l2f_status win_read_profile(struct backend *be, const char *name,
                                        struct vpn_profile *out, struct l2f_err *err)
{
    if (win(be)->others && userbooks_has(win(be)->others, name))
        return userbooks_read(win(be)->others, name, out, err);
    struct ras_ref ref;
    enum l2f_status st = ras_find(win(be)->ras, name, &ref, err);
    return st == L2F_OK ? read_ref(win(be), &ref, out, err) : st;
}

static enum l2f_status win_write_profile_field(struct backend *be, const char *name,
                                               enum profile_field field, long value,
                                               struct l2f_err *err)
{
    struct win_state *w = win(be);
    if (w->others && userbooks_has(w->others, name))
        return userbooks_write_field(w->others, name, field, value, err);
    struct ras_ref ref;
    RASENTRYW *e;
    DWORD size;
    enum l2f_status st = ras_find(w->ras, name, &ref, err);
    if (st == L2F_OK)
        st = ras_read_entry(w->ras, &ref, &e, &size, err);
    if (st != L2F_OK)
        return st;
    if (!ras_entry_set_field(e, field, value)) {
        l2f_err_set(err, "%s=%ld cannot be expressed in the Windows entry",
                    profile_field_key(field), value);
        st = L2F_ERR_USAGE;
    } else {
        st = ras_write_entry(w->ras, &ref, e, size, err);
    }
    free(e);
    /* the phonebook file is the second witness; verify.c reads RAS back after */
    return st == L2F_OK ? ras_pbk_confirms(&ref, field, value, err) : st;
}

/* Only another user's phonebook (--all-users) can lack a key: RASENTRY has them all. */
static enum l2f_status win_clear_profile_field(struct backend *be, const char *name,
                                               enum profile_field field, struct l2f_err *err)
{
    struct win_state *w = win(be);
    if (w->others && userbooks_has(w->others, name))
        return userbooks_clear_field(w->others, name, field, err);
    l2f_err_set(err, "%s: a RAS entry always has %s; it cannot be removed", name,
                profile_field_key(field));
    return L2F_ERR_UNSUPPORTED;
}

static enum l2f_status win_set_secret(struct backend *be, const char *profile,
                                      enum secret_kind kind, const char *username,
                                      const char *secret, struct l2f_err *err)
{
    struct win_state *w = win(be);
    struct ras_ref ref;
    enum l2f_status st = ras_find(w->ras, profile, &ref, err);
    if (st != L2F_OK)
        return st;
    RASCREDENTIALSW cred;
    memset(&cred, 0, sizeof cred);
    cred.dwSize = sizeof cred;
    if (kind == SECRET_PSK) {
        cred.dwMask = RASCM_PreSharedKey;
    } else {
        cred.dwMask = RASCM_UserName | RASCM_Password;
        if (username && !win_to_wide(username, cred.szUserName, UNLEN + 1)) {
            l2f_err_set(err, "the user name is too long");
            return L2F_ERR_USAGE;
        }
    }
    if (secret && !win_to_wide(secret, cred.szPassword, PWLEN + 1)) {
        SecureZeroMemory(&cred, sizeof cred);
        l2f_err_set(err, "the secret is too long (at most %d characters)", PWLEN);
        return L2F_ERR_USAGE;
    }
    DWORD rc = w->ras->set_credentials(ref.phonebook, ref.name, &cred, secret == NULL);
    SecureZeroMemory(&cred, sizeof cred);
    return win_status(
        rc, kind == SECRET_PSK ? "saving the pre-shared key" : "saving the credentials", err);
}

static enum l2f_status win_reg_read(struct backend *be, const char *key, const char *value,
                                    bool *exists, unsigned long *data, struct l2f_err *err)
{
    (void)be;
    return winreg_read_dword(key, value, exists, data, err);
}

static enum l2f_status win_reg_write(struct backend *be, const char *key, const char *value,
                                     bool exists, unsigned long data, struct l2f_err *err)
{
    (void)be;
    return winreg_write_dword(key, value, exists, data, err);
}

static enum l2f_status win_service_query(struct backend *be, const char *name,
                                         struct service_status *out, struct l2f_err *err)
{
    (void)be;
    return winsvc_query(name, out, err);
}

static enum l2f_status win_service_control(struct backend *be, const char *name,
                                           enum service_action action, struct l2f_err *err)
{
    (void)be;
    return winsvc_control(name, action, err);
}

static enum l2f_status win_service_set_start(struct backend *be, const char *name,
                                             enum service_start start, struct l2f_err *err)
{
    (void)be;
    return winsvc_set_start(name, start, err);
}

static enum l2f_status win_is_admin(struct backend *be, bool *admin)
{
    (void)be;
    HANDLE token;
    TOKEN_ELEVATION elevation;
    DWORD got = 0;
    *admin = false;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return L2F_ERR_BACKEND;
    if (GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &got))
        *admin = elevation.TokenIsElevated != 0;
    CloseHandle(token);
    return L2F_OK;
}

static enum l2f_status win_last_connection(struct backend *be, const char *profile,
                                           struct connection_record *out, struct l2f_err *err)
{
    (void)be;
    return winlog_last_result(profile, out, err);
}

/* dialstage.h numbers the states without windows.h: the same numbers as ras.h */
_Static_assert((int)DIAL_RASCS_CONNECT_DEVICE == (int)RASCS_ConnectDevice &&
                   (int)DIAL_RASCS_DEVICE_CONNECTED == (int)RASCS_DeviceConnected &&
                   (int)DIAL_RASCS_AUTHENTICATE == (int)RASCS_Authenticate &&
                   (int)DIAL_RASCS_AUTH_NOTIFY == (int)RASCS_AuthNotify &&
                   (int)DIAL_RASCS_AUTHENTICATED == (int)RASCS_Authenticated &&
                   (int)DIAL_RASCS_PROJECTED == (int)RASCS_Projected &&
                   (int)DIAL_RASCS_RETRY_AUTHENTICATION == (int)RASCS_RetryAuthentication &&
                   (int)DIAL_RASCS_INVOKE_EAP_UI == (int)RASCS_InvokeEapUI &&
                   (int)DIAL_RASCS_CONNECTED == (int)RASCS_Connected,
               "dialstage.h's RASCONNSTATE values are ras.h's");

static void push(struct win_state *w, enum connect_event_kind kind, int stage, int code,
                 const char *detail)
{
    size_t next = (w->tail + 1) % MAX_EVENTS;
    if (next == w->head)
        return; /* full: the poller is far behind; drop rather than block RAS */
    struct connect_event *ev = &w->events[w->tail];
    ev->kind = kind;
    ev->stage = (enum stage_id)stage;
    ev->code = code;
    text_copy(ev->detail, sizeof ev->detail, detail);
    w->tail = next;
}

static void WINAPI on_dial(HRASCONN conn, UINT msg, RASCONNSTATE state, DWORD error, DWORD extended)
{
    (void)conn;
    (void)msg;
    (void)extended;
    struct win_state *w = dialing;
    if (!w)
        return;
    EnterCriticalSection(&w->lock);
    if (w->connecting) {
        /* states may be skipped, repeated or reordered (Microsoft's RASCONNSTATE
         * page): the tracker never reads their order */
        struct connect_event evs[DIAL_TRACK_MAX_EVENTS];
        size_t n = dialtrack_notify(&w->track, (int)state, error, evs);
        for (size_t i = 0; i < n; i++)
            push(w, evs[i].kind, evs[i].stage, evs[i].code, evs[i].detail);
        if (w->track.done)
            w->connecting = false;
    }
    LeaveCriticalSection(&w->lock);
}

static enum l2f_status win_connect_start(struct backend *be, const char *profile,
                                         struct l2f_err *err)
{
    struct win_state *w = win(be);
    if (dialing && dialing->connecting) {
        l2f_err_set(err, "a test connection is already running");
        return L2F_ERR_USAGE;
    }
    struct ras_ref ref;
    enum l2f_status st = ras_find(w->ras, profile, &ref, err);
    if (st != L2F_OK)
        return st;
    RASDIALPARAMSW params;
    BOOL has_password = FALSE;
    memset(&params, 0, sizeof params);
    params.dwSize = sizeof params;
    wcsncpy(params.szEntryName, ref.name, RAS_MaxEntryName);
    /* the saved user name and password, as Windows would use them */
    DWORD rc = w->ras->get_entry_dial_params(ref.phonebook, &params, &has_password);
    if (rc != ERROR_SUCCESS) {
        SecureZeroMemory(&params, sizeof params);
        return win_status(rc, "reading the dial parameters", err);
    }
    EnterCriticalSection(&w->lock);
    w->head = w->tail = 0;
    dialtrack_start(&w->track);
    w->connecting = true;
    dialing = w;
    LeaveCriticalSection(&w->lock);
    w->conn = NULL;
    /* RasDial takes its callback as an LPVOID (type 1: RasDialFunc1); ISO C has no cast for that */
    RASDIALFUNC1 callback = on_dial;
    LPVOID notifier;
    _Static_assert(sizeof notifier == sizeof callback, "a function pointer fits an LPVOID");
    memcpy(&notifier, &callback, sizeof notifier);
    rc = w->ras->dial(NULL, ref.phonebook, &params, 1, notifier, &w->conn);
    SecureZeroMemory(&params, sizeof params);
    if (rc != ERROR_SUCCESS) {
        EnterCriticalSection(&w->lock);
        w->connecting = false;
        push(w, CONNECT_DONE, dialstage_stopped((int)rc, DIAL_PHASE_UNKNOWN), (int)rc,
             "RasDial refused to start");
        LeaveCriticalSection(&w->lock);
    }
    return L2F_OK;
}

static bool win_connect_poll(struct backend *be, struct connect_event *ev)
{
    struct win_state *w = win(be);
    bool got = false;
    EnterCriticalSection(&w->lock);
    if (w->head != w->tail) {
        *ev = w->events[w->head];
        w->head = (w->head + 1) % MAX_EVENTS;
        got = true;
    }
    LeaveCriticalSection(&w->lock);
    /* a test connection is never left up: hang up as soon as it ends */
    if (got && ev->kind == CONNECT_DONE)
        hang_up(w);
    return got;
}

static void win_connect_cancel(struct backend *be)
{
    struct win_state *w = win(be);
    EnterCriticalSection(&w->lock);
    w->connecting = false;
    w->head = w->tail = 0;
    LeaveCriticalSection(&w->lock);
    hang_up(w);
}

/* Now less the milliseconds since Windows started, as a UTC time. */
static enum l2f_status boot_time(char *when, size_t len, struct l2f_err *err)
{
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    ULARGE_INTEGER t;
    t.LowPart = now.dwLowDateTime;
    t.HighPart = now.dwHighDateTime;
    t.QuadPart -= GetTickCount64() * 10000u; /* 100 ns units */
    FILETIME boot = {t.LowPart, t.HighPart};
    SYSTEMTIME st;
    if (!FileTimeToSystemTime(&boot, &st)) {
        l2f_err_set(err, "the time Windows started could not be converted");
        return L2F_ERR_BACKEND;
    }
    snprintf(when, len, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth, st.wDay,
             st.wHour, st.wMinute, st.wSecond, st.wMilliseconds);
    return L2F_OK;
}

static enum l2f_status win_machine_info(struct backend *be, struct machine_info *out,
                                        struct l2f_err *err)
{
    (void)be;
    struct l2f_err os_err;
    memset(out, 0, sizeof *out);
    out->os_st = winreg_os_build(&out->os_build, &out->os_ubr, &os_err);
    return boot_time(out->boot, sizeof out->boot, err);
}

static enum l2f_status win_selftest(struct backend *be, enum selftest_id item, bool redact,
                                    struct selftest_answer *out)
{
    return winselftest_item(win(be)->ras, item, redact, out);
}

static enum l2f_status win_machine_certificate(struct backend *be, struct machine_cert *out,
                                               struct l2f_err *err)
{
    (void)be;
    return wincert_machine(out, err);
}

static enum l2f_status win_root_has(struct backend *be, const char *sha1, bool *present,
                                    struct l2f_err *err)
{
    (void)be;
    return wincert_root_has(sha1, present, err);
}

static enum l2f_status win_root_add(struct backend *be, const unsigned char *der, size_t len,
                                    const char *sha1, struct l2f_err *err)
{
    (void)be;
    return wincert_root_add(der, len, sha1, err);
}

static enum l2f_status win_root_remove(struct backend *be, const char *sha1, struct l2f_err *err)
{
    (void)be;
    return wincert_root_remove(sha1, err);
}

const struct backend_ops backend_win32_ops = {
    .name = "windows",
    .selftest = win_selftest,
    .open = win_open,
    .close = win_close,
    .machine_id = win_machine_id,
    .describe = win_describe,
    .list_profiles = win_list_profiles,
    .read_profile = win_read_profile,
    .write_profile_field = win_write_profile_field,
    .clear_profile_field = win_clear_profile_field,
    .set_secret = win_set_secret,
    .reg_read_dword = win_reg_read,
    .reg_write_dword = win_reg_write,
    .service_query = win_service_query,
    .service_control = win_service_control,
    .service_set_start = win_service_set_start,
    .is_admin = win_is_admin,
    .include_other_users = win_include_other_users,
    .probe_server = NULL, /* the diagnosis probes the real server itself */
    .check_psk = NULL,    /* and checks keys against it for real */
    .last_connection = win_last_connection,
    .machine_info = win_machine_info,
    .machine_certificate = win_machine_certificate,
    .root_has = win_root_has,
    .root_add = win_root_add,
    .root_remove = win_root_remove,
    .connect_start = win_connect_start,
    .connect_poll = win_connect_poll,
    .connect_cancel = win_connect_cancel,
};
