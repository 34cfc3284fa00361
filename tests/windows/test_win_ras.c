/* The live backend's RAS logic against a stand-in rasapi32: bits owned by each
 * fix and nothing else, dwSize negotiation, error paths, credentials, and the
 * dial states mapped to the four stages. Runs under Wine. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "fixes.h"
#include "testutil.h"
#include "win/ras.h"
#include "win/selftest_win.h"

#define EXTRA 64 /* bytes of alternate numbers after the struct */

struct fake_entry {
    const wchar_t *name;
    bool all_users;
    RASENTRYW e;
    unsigned char extra[EXTRA];
    DWORD saved_mask; /* credentials saved: RASCM_* */
    wchar_t user[UNLEN + 1];
    wchar_t secret[PWLEN + 1];
};

static struct fake_entry entries[2];
static DWORD accepted_size;            /* the dwSize the fake Windows takes */
static const wchar_t *refuses_size_of; /* an entry whose dwSize is refused, whatever it is */
static int grow_times;                 /* answer 603 again this many times */
static int get_calls, hangups;
static bool deny_all_users_writes;
static DWORD last_set_cb;
static BOOL last_clear;
static DWORD last_set_mask;
static const RASCONNSTATE *dial_states;
static DWORD dial_error;
/* A Windows that answers "done" to RasSetEntryProperties and does otherwise:
 * keeps these dwfOptions bits as they were, flips these once */
static DWORD drop_bits, flip_once;
static wchar_t user_pbk[MAX_PATH]; /* the user phonebook's path (a real file in some tests) */
static bool pbk_follows;           /* fake_set writes the user phonebook file from the entry */

static const wchar_t *pbk_of(const struct fake_entry *f)
{
    return f->all_users ? L"C:\\ProgramData\\Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk"
                        : user_pbk;
}

/* The user phonebook file as Windows would write the entry (the keys l2tpfix reads). */
static void write_user_pbk(const struct fake_entry *f)
{
    FILE *fp = _wfopen(user_pbk, L"wb");
    assert_non_null(fp);
    DWORD o = f->e.dwfOptions;
    long ar = ((o & RASEO_RequireEAP) ? 0x80 : 0) | ((o & RASEO_RequireCHAP) ? 0x20 : 0) |
              ((o & RASEO_RequireMsCHAP2) ? 0x200 : 0);
    fprintf(fp,
            "[Office VPN]\r\nType=2\r\nVpnStrategy=%lu\r\nAuthRestrictions=%ld\r\n"
            "LcpExtensions=%d\r\nIpSecFlags=%d\r\nDataEncryption=256\r\n"
            "DEVICE=vpn\r\nPhoneNumber=vpn.example.com\r\n",
            (unsigned long)f->e.dwVpnStrategy, ar, (o & RASEO_DisableLcpExtensions) ? 0 : 1,
            (f->e.dwfOptions2 & RASEO2_UsePreSharedKey) ? 1 : 0);
    fclose(fp);
}

static struct fake_entry *lookup(LPCWSTR pbk, LPCWSTR name)
{
    for (size_t i = 0; i < 2; i++)
        if (wcscmp(entries[i].name, name) == 0 && (!pbk || wcscmp(pbk, pbk_of(&entries[i])) == 0))
            return &entries[i];
    return NULL;
}

static DWORD WINAPI fake_enum(LPCWSTR reserved, LPCWSTR pbk, LPRASENTRYNAMEW names, LPDWORD cb,
                              LPDWORD n)
{
    (void)reserved;
    (void)pbk;
    DWORD need = 2 * sizeof(RASENTRYNAMEW);
    if (names[0].dwSize != sizeof(RASENTRYNAMEW))
        return ERROR_INVALID_SIZE;
    if (*cb < need) {
        *cb = need;
        return ERROR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < 2; i++) {
        names[i].dwSize = sizeof(RASENTRYNAMEW);
        wcscpy(names[i].szEntryName, entries[i].name);
        names[i].dwFlags = entries[i].all_users ? REN_AllUsers : 0;
        wcscpy(names[i].szPhonebookPath, pbk_of(&entries[i]));
    }
    *n = 2;
    return 0;
}

static DWORD WINAPI fake_get(LPCWSTR pbk, LPCWSTR name, LPRASENTRYW e, LPDWORD cb, LPBYTE dev,
                             LPDWORD devcb)
{
    (void)dev;
    (void)devcb;
    get_calls++;
    struct fake_entry *f = lookup(pbk, name);
    if (!f)
        return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
    DWORD need = sizeof(RASENTRYW) + EXTRA + (DWORD)grow_times * 16;
    if (!e || *cb < need) {
        *cb = need;
        return ERROR_BUFFER_TOO_SMALL;
    }
    if (grow_times > 0) {
        grow_times--;
        *cb = need + 16;
        return ERROR_BUFFER_TOO_SMALL;
    }
    if (e->dwSize != accepted_size || (refuses_size_of && wcscmp(refuses_size_of, name) == 0))
        return ERROR_INVALID_SIZE;
    memcpy(e, &f->e, sizeof f->e);
    e->dwSize = accepted_size;
    memcpy((unsigned char *)e + sizeof(RASENTRYW), f->extra, EXTRA);
    return 0;
}

static DWORD WINAPI fake_set(LPCWSTR pbk, LPCWSTR name, LPRASENTRYW e, DWORD cb, LPBYTE dev,
                             DWORD devcb)
{
    (void)dev;
    (void)devcb;
    struct fake_entry *f = lookup(pbk, name);
    if (!f)
        return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
    if (f->all_users && deny_all_users_writes)
        return ERROR_ACCESS_DENIED;
    if (e->dwSize != accepted_size)
        return ERROR_INVALID_SIZE;
    last_set_cb = cb;
    DWORD kept = f->e.dwfOptions & drop_bits;
    memcpy(&f->e, e, sizeof f->e);
    f->e.dwfOptions = ((f->e.dwfOptions & ~drop_bits) | kept) ^ flip_once;
    flip_once = 0;
    memcpy(f->extra, (unsigned char *)e + sizeof(RASENTRYW), EXTRA);
    if (pbk_follows && !f->all_users)
        write_user_pbk(f);
    return 0;
}

static DWORD WINAPI fake_get_cred(LPCWSTR pbk, LPCWSTR name, LPRASCREDENTIALSW c)
{
    struct fake_entry *f = lookup(pbk, name);
    if (!f)
        return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
    DWORD asked = c->dwMask;
    c->dwMask = asked & f->saved_mask;
    if (c->dwMask & RASCM_UserName)
        wcscpy(c->szUserName, f->user);
    if (c->dwMask & (RASCM_Password | RASCM_PreSharedKey))
        wcscpy(c->szPassword, L"****************"); /* Windows never hands back a saved secret */
    return 0;
}

static DWORD WINAPI fake_set_cred(LPCWSTR pbk, LPCWSTR name, LPRASCREDENTIALSW c, WINBOOL clear)
{
    struct fake_entry *f = lookup(pbk, name);
    if (!f)
        return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
    if (f->all_users && deny_all_users_writes)
        return ERROR_ACCESS_DENIED;
    last_set_mask = c->dwMask;
    last_clear = clear;
    if (clear) {
        f->saved_mask &= ~c->dwMask;
    } else {
        f->saved_mask |= c->dwMask;
        if (c->dwMask & RASCM_UserName)
            wcscpy(f->user, c->szUserName);
        wcscpy(f->secret, c->szPassword);
    }
    return 0;
}

static DWORD WINAPI fake_dial_params(LPCWSTR pbk, LPRASDIALPARAMSW p, LPBOOL has_password)
{
    struct fake_entry *f = lookup(pbk, p->szEntryName);
    if (!f)
        return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
    wcscpy(p->szUserName, f->user);
    *has_password = (f->saved_mask & RASCM_Password) != 0;
    return 0;
}

/* Calls the notifier through the scripted states, as RAS would from its thread. */
static DWORD WINAPI fake_dial(LPRASDIALEXTENSIONS ext, LPCWSTR pbk, LPRASDIALPARAMSW p, DWORD type,
                              LPVOID notifier, LPHRASCONN conn)
{
    (void)ext;
    (void)pbk;
    (void)p;
    assert_int_equal(type, 1);
    *conn = (HRASCONN)(uintptr_t)0x1234;
    RASDIALFUNC1 fn;
    memcpy(&fn, &notifier, sizeof fn); /* RAS hands the callback over as an LPVOID */
    for (size_t i = 0; dial_states[i] != (RASCONNSTATE)-1; i++) {
        bool last = dial_states[i + 1] == (RASCONNSTATE)-1;
        fn(*conn, 0, dial_states[i], last ? dial_error : 0, 0);
    }
    return 0;
}

static DWORD WINAPI fake_hang_up(HRASCONN c)
{
    (void)c;
    hangups++;
    return 0;
}

static DWORD WINAPI fake_status(HRASCONN c, LPRASCONNSTATUSW s)
{
    (void)c;
    (void)s;
    return ERROR_INVALID_HANDLE; /* hung up at once */
}

static const struct ras_api fake = {fake_enum,     fake_get,      fake_set,
                                    fake_get_cred, fake_set_cred, fake_dial_params,
                                    fake_dial,     fake_hang_up,  fake_status};

/* "Office VPN" is the guide's broken entry; "Branch" a healthy all-users one. */
static int reset(void **state)
{
    (void)state;
    memset(entries, 0, sizeof entries);
    entries[0].name = L"Office VPN";
    RASENTRYW *e = &entries[0].e;
    e->dwSize = sizeof(RASENTRYW);
    e->dwfOptions = RASEO_RequireEAP | RASEO_DisableLcpExtensions | RASEO_SwCompression |
                    RASEO_RemoteDefaultGateway;
    e->dwfOptions2 = RASEO2_UsePreSharedKey | RASEO2_DontNegotiateMultilink;
    e->dwVpnStrategy = VS_L2tpOnly;
    e->dwEncryptionType = ET_Require;
    wcscpy(e->szLocalPhoneNumber, L"vpn.example.com");
    memset(entries[0].extra, 0xA5, EXTRA);
    entries[0].saved_mask = RASCM_PreSharedKey | RASCM_UserName | RASCM_Password;
    wcscpy(entries[0].user, L"alice");
    entries[1].name = L"Branch";
    entries[1].all_users = true;
    entries[1].e.dwSize = sizeof(RASENTRYW);
    entries[1].e.dwfOptions = RASEO_RequireMsCHAP2 | RASEO_RequireCHAP;
    entries[1].e.dwVpnStrategy = VS_L2tpOnly;
    entries[1].e.dwEncryptionType = ET_Optional;
    accepted_size = sizeof(RASENTRYW);
    refuses_size_of = NULL;
    grow_times = 0;
    get_calls = hangups = 0;
    deny_all_users_writes = false;
    drop_bits = flip_once = 0;
    pbk_follows = false;
    wcscpy(user_pbk, L"C:\\Users\\tech\\AppData\\Roaming\\Microsoft\\Network\\Connections\\Pbk\\"
                     L"rasphone.pbk");
    backend_win32_use_ras(&fake);
    return 0;
}

static struct backend open_live(void)
{
    struct backend be = {&backend_win32_ops, NULL};
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->open(&be, "", &err), L2F_OK);
    return be;
}

static void lists_both_phonebooks(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct profile_list list;
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->list_profiles(&be, &list, &err), L2F_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0].name, "Office VPN");
    assert_int_equal(list.items[0].phonebook, PHONEBOOK_USER);
    assert_string_equal(list.items[1].name, "Branch");
    assert_int_equal(list.items[1].phonebook, PHONEBOOK_ALLUSERS);
    profile_list_free(&list);
    be.ops->close(&be);
}

static void entry_read_as_pbk_settings(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct vpn_profile p;
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->read_profile(&be, "Office VPN", &p, &err), L2F_OK);
    assert_string_equal(p.server, "vpn.example.com");
    assert_int_equal(p.fields[PF_AUTH_RESTRICTIONS], AR_EAP);
    assert_int_equal(p.fields[PF_LCP_EXTENSIONS], 0);
    assert_int_equal(p.fields[PF_VPN_STRATEGY], VS_L2TP_ONLY);
    assert_int_equal(p.fields[PF_IPSEC_FLAGS], IPSEC_FLAG_PSK);
    assert_int_equal(p.fields[PF_DATA_ENCRYPTION], 256);
    assert_true(p.psk_saved && p.username_saved && p.password_saved);
    assert_string_equal(p.username, "alice");
    /* a size query, then the read */
    assert_int_equal(get_calls, 2);
    assert_int_equal(be.ops->read_profile(&be, "Branch", &p, &err), L2F_OK);
    assert_int_equal(p.fields[PF_AUTH_RESTRICTIONS], AR_CHAP | AR_MSCHAP2);
    assert_int_equal(p.fields[PF_DATA_ENCRYPTION], 8);
    assert_false(p.psk_saved);
    be.ops->close(&be);
}

static void size_negotiation(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct vpn_profile p;
    struct l2f_err err = {{0}};
    grow_times = 2; /* the entry grows between the size query and the read */
    assert_int_equal(be.ops->read_profile(&be, "Office VPN", &p, &err), L2F_OK);
    assert_int_equal(p.fields[PF_AUTH_RESTRICTIONS], AR_EAP);
    accepted_size = sizeof(RASENTRYW) - 4; /* a Windows that wants another struct version */
    assert_int_equal(be.ops->read_profile(&be, "Office VPN", &p, &err), L2F_ERR_BACKEND);
    assert_non_null(strstr(err.msg, "(632)"));
    be.ops->close(&be);
}

static void fixes_change_only_their_bits(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct l2f_err err = {{0}};
    RASENTRYW before = entries[0].e;
    /* mschapv2 on an EAP entry: EAP off, MS-CHAP v2 on, nothing else */
    assert_int_equal(
        be.ops->write_profile_field(&be, "Office VPN", PF_AUTH_RESTRICTIONS, AR_MSCHAP2, &err),
        L2F_OK);
    DWORD changed = before.dwfOptions ^ entries[0].e.dwfOptions;
    assert_int_equal(changed, RASEO_RequireEAP | RASEO_RequireMsCHAP2);
    assert_true(entries[0].e.dwfOptions & RASEO_RequireMsCHAP2);
    assert_int_equal(entries[0].e.dwfOptions2, before.dwfOptions2);
    assert_int_equal(entries[0].e.dwVpnStrategy, before.dwVpnStrategy);
    assert_int_equal(last_set_cb, sizeof(RASENTRYW) + EXTRA); /* alternates passed back */
    for (int i = 0; i < EXTRA; i++)
        assert_int_equal(entries[0].extra[i], 0xA5);
    /* LCP extensions: one bit */
    DWORD opts = entries[0].e.dwfOptions;
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_LCP_EXTENSIONS, 1, &err),
                     L2F_OK);
    assert_int_equal(opts ^ entries[0].e.dwfOptions, RASEO_DisableLcpExtensions);
    /* PSK flag in dwfOptions2, the VPN type in dwVpnStrategy */
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_IPSEC_FLAGS, 0, &err),
                     L2F_OK);
    assert_int_equal(entries[0].e.dwfOptions2, RASEO2_DontNegotiateMultilink);
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_VPN_STRATEGY, 7, &err),
                     L2F_OK);
    assert_int_equal(entries[0].e.dwVpnStrategy, 7);
    /* the EAP method (CustomAuthKey) in dwCustomAuthKey alone, read back the same */
    RASENTRYW pre = entries[0].e;
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_CUSTOM_AUTH_KEY,
                                                 CUSTOM_AUTH_EAP_MSCHAPV2, &err),
                     L2F_OK);
    assert_int_equal(entries[0].e.dwCustomAuthKey, 26);
    pre.dwCustomAuthKey = 26;
    assert_memory_equal(&pre, &entries[0].e, sizeof pre);
    struct vpn_profile p;
    assert_int_equal(be.ops->read_profile(&be, "Office VPN", &p, &err), L2F_OK);
    assert_int_equal(p.fields[PF_CUSTOM_AUTH_KEY], 26);
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_CUSTOM_AUTH_KEY, 256, &err),
                     L2F_ERR_USAGE); /* an EAP type is one byte */
    assert_int_equal(be.ops->write_profile_field(&be, "Office VPN", PF_DATA_ENCRYPTION, 99, &err),
                     L2F_ERR_USAGE);
    be.ops->close(&be);
}

static void error_paths(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct l2f_err err = {{0}};
    struct vpn_profile p;
    assert_int_equal(be.ops->read_profile(&be, "Nope", &p, &err), L2F_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "Nope"));
    deny_all_users_writes = true;
    RASENTRYW before = entries[1].e;
    assert_int_equal(be.ops->write_profile_field(&be, "Branch", PF_LCP_EXTENSIONS, 0, &err),
                     L2F_ERR_NEED_ADMIN);
    assert_non_null(strstr(err.msg, "administrator"));
    assert_memory_equal(&before, &entries[1].e, sizeof before);
    assert_int_equal(be.ops->set_secret(&be, "Branch", SECRET_PSK, NULL, "k", &err),
                     L2F_ERR_NEED_ADMIN);
    be.ops->close(&be);
}

static void secrets_go_to_the_credential_store(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct l2f_err err = {{0}};
    assert_int_equal(be.ops->set_secret(&be, "Branch", SECRET_PSK, NULL, "s\xc3\xa9same", &err),
                     L2F_OK);
    assert_int_equal(last_set_mask, RASCM_PreSharedKey);
    assert_false(last_clear);
    assert_true(wcscmp(entries[1].secret, L"s\x00e9same") == 0);
    struct vpn_profile p;
    assert_int_equal(be.ops->read_profile(&be, "Branch", &p, &err), L2F_OK);
    assert_true(p.psk_saved);
    assert_int_equal(be.ops->set_secret(&be, "Branch", SECRET_PSK, NULL, NULL, &err), L2F_OK);
    assert_true(last_clear);
    assert_int_equal(be.ops->set_secret(&be, "Branch", SECRET_PASSWORD, "bob", "pw", &err), L2F_OK);
    assert_int_equal(last_set_mask, RASCM_UserName | RASCM_Password);
    assert_true(wcscmp(entries[1].user, L"bob") == 0);
    char longkey[400];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    assert_int_equal(be.ops->set_secret(&be, "Branch", SECRET_PSK, NULL, longkey, &err),
                     L2F_ERR_USAGE);
    be.ops->close(&be);
}

static void fix_and_undo_restore_the_entry_exactly(void **state)
{
    (void)state;
    struct backend be = open_live();
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, NULL, &err), L2F_OK);
    struct fix_context ctx = {.be = &be, .journal = &j};
    RASENTRYW original = entries[0].e;
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(diagnose_all(&be, "Office VPN", &obs, &d, &err), L2F_OK);
    assert_int_equal(d.checks[CHECK_MSCHAPV2].status, CHECK_FAIL);
    assert_int_equal(d.checks[CHECK_LCP_EXTENSIONS].status, CHECK_FAIL);
    /* no probe and no event log yet: said, not guessed */
    assert_int_equal(d.checks[CHECK_IKE_500].status, CHECK_UNKNOWN);
    assert_int_equal(d.checks[CHECK_LAST_AUTH].status, CHECK_UNKNOWN);
    for (size_t i = 0; i < d.n_recommended; i++) {
        struct fix_plan plan;
        if (d.recommended[i] == FIX_RESTART_IPSEC_SERVICES)
            continue; /* Wine has no IPsec services: the system test covers them */
        assert_int_equal(fix_plan_make(d.recommended[i], &obs, NULL, &plan, &err), L2F_OK);
        assert_int_equal(fix_apply(&ctx, &plan, NULL, NULL, &err), L2F_OK);
    }
    assert_int_equal(diagnose_all(&be, "Office VPN", &obs, &d, &err), L2F_OK);
    assert_int_equal(d.checks[CHECK_MSCHAPV2].status, CHECK_PASS);
    assert_int_equal(d.checks[CHECK_LCP_EXTENSIONS].status, CHECK_PASS);
    while (fix_undo(&ctx, 0, NULL, NULL, 0, &err) == L2F_OK) {
    }
    assert_memory_equal(&original, &entries[0].e, sizeof original);
    journal_close(&j);
    be.ops->close(&be);
}

/* Applies one fix to "Office VPN" on a fresh in-memory journal: its status,
 * the entry's state and note. */
static enum l2f_status apply_fix(enum fix_id fix, struct journal_entry *out, struct l2f_err *err)
{
    struct backend be = open_live();
    struct journal j;
    assert_int_equal(journal_open(&j, NULL, err), L2F_OK);
    struct fix_context ctx = {.be = &be, .journal = &j};
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(diagnose_all(&be, "Office VPN", &obs, &d, err), L2F_OK);
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(fix, &obs, NULL, &plan, err), L2F_OK);
    enum l2f_status st = fix_apply(&ctx, &plan, NULL, NULL, err);
    const struct journal_entry *e = journal_at(&j, j.count - 1);
    assert_non_null(e);
    out->state = e->state;
    snprintf(out->note, sizeof out->note, "%s", e->note);
    journal_close(&j);
    be.ops->close(&be);
    return st;
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("'%s' not in '%s'", part, text);
}

/* Every note of an answer as "|note|note|", for assert_has. */
static const char *notes_of(const struct selftest_answer *a)
{
    static char all[SELFTEST_NOTES_MAX * (SELFTEST_NOTE_LEN + 1) + 2];
    size_t l = (size_t)snprintf(all, sizeof all, "|");
    for (unsigned i = 0; i < a->n_notes; i++)
        l += (size_t)snprintf(all + l, sizeof all - l, "%s|", a->notes[i]);
    return all;
}

/* Windows answers success and keeps the LCP bit: read back, put back, said. */
static void a_silently_dropped_bit_is_rolled_back(void **state)
{
    (void)state;
    drop_bits = RASEO_DisableLcpExtensions;
    RASENTRYW original = entries[0].e;
    struct journal_entry e;
    struct l2f_err err = {{0}};
    assert_int_equal(apply_fix(FIX_LCP_EXTENSIONS, &e, &err), L2F_ERR_NOT_TAKEN);
    assert_has(err.msg, "Windows did not take the change: Office VPN: LcpExtensions reads 0 after "
                        "l2tpfix wrote 1");
    assert_int_equal(e.state, ENTRY_ROLLED_BACK);
    assert_has(e.note, "LcpExtensions reads 0 after l2tpfix wrote 1");
    assert_memory_equal(&original, &entries[0].e, sizeof original);
}

/* Windows takes the LCP bit and flips MS-CHAP v2 with it: caught, both put back. */
static void a_write_that_moves_another_bit_is_rolled_back(void **state)
{
    (void)state;
    flip_once = RASEO_RequireMsCHAP2;
    RASENTRYW original = entries[0].e;
    struct journal_entry e;
    struct l2f_err err = {{0}};
    assert_int_equal(apply_fix(FIX_LCP_EXTENSIONS, &e, &err), L2F_ERR_NOT_TAKEN);
    assert_has(err.msg, "writing LcpExtensions=1 also changed AuthRestrictions 128 -> 640");
    assert_int_equal(e.state, ENTRY_ROLLED_BACK);
    assert_has(e.note, "AuthRestrictions 128 -> 640");
    assert_memory_equal(&original, &entries[0].e, sizeof original);
}

/* The phonebook file as the second witness: a file RAS keeps in step
 * confirms; one that still says the old value refutes. */
static void the_phonebook_file_must_agree(void **state)
{
    (void)state;
    wchar_t dir[MAX_PATH];
    assert_true(GetTempPathW(MAX_PATH, dir) > 0);
    swprintf(user_pbk, MAX_PATH, L"%lsl2f-verify-%lu.pbk", dir,
             (unsigned long)GetCurrentProcessId());
    write_user_pbk(&entries[0]);
    pbk_follows = true;
    struct journal_entry e;
    struct l2f_err err = {{0}};
    assert_int_equal(apply_fix(FIX_LCP_EXTENSIONS, &e, &err), L2F_OK);
    assert_int_equal(e.state, ENTRY_APPLIED);
    /* RAS takes the next one, the file keeps saying EAP */
    pbk_follows = false;
    RASENTRYW before = entries[0].e;
    assert_int_equal(apply_fix(FIX_MSCHAPV2, &e, &err), L2F_ERR_NOT_TAKEN);
    assert_has(err.msg, "the phonebook file says AuthRestrictions=128 after l2tpfix wrote 512");
    assert_int_equal(e.state, ENTRY_ROLLED_BACK);
    assert_memory_equal(&before, &entries[0].e, sizeof before);
    DeleteFileW(user_pbk);
}

/* selftest through the seam: the phonebook file against RAS's reading, and
 * the PSK mask. Under Wine every verdict is "wine"; the detail says what the
 * answer would be on Windows, which is what is checked here. */
static void selftest_compares_ras_with_the_phonebook_file(void **state)
{
    (void)state;
    wchar_t dir[MAX_PATH];
    assert_true(GetTempPathW(MAX_PATH, dir) > 0);
    swprintf(user_pbk, MAX_PATH, L"%lsl2f-selftest-%lu.pbk", dir,
             (unsigned long)GetCurrentProcessId());
    write_user_pbk(&entries[0]);
    struct selftest_answer a;
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_PBK_FLAGS, true, &a), L2F_OK);
    assert_has(a.evidence, "2 profiles: all 5 keys of their files agree");
    assert_has(a.evidence, "would read as confirmed");
    assert_has(notes_of(&a), "|profile 1: all 5 keys agree|");
    /* the all-users phonebook of the fake is not a file here: said, without its path */
    assert_has(notes_of(&a), "|profile 2: its phonebook file could not be read|");
    entries[0].e.dwfOptions &= ~(DWORD)RASEO_DisableLcpExtensions; /* RAS says on, the file off */
    entries[0].e.dwVpnStrategy = VS_PptpOnly;                      /* PPTP (1), the file L2TP (3) */
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_PBK_FLAGS, true, &a), L2F_OK);
    assert_has(a.evidence, "3 keys agree, 2 differ (each listed below by key)");
    assert_has(a.evidence, "would read as refuted");
    assert_has(notes_of(&a), "|profile 1: VpnStrategy RAS 1, file 3|");
    assert_has(notes_of(&a), "|profile 1: LcpExtensions RAS 1, file 0|");
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_PBK_FLAGS, false, &a), L2F_OK);
    assert_has(notes_of(&a), "|Office VPN: LcpExtensions RAS 1, file 0|");
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_PSK_MASK, false, &a), L2F_OK);
    assert_has(a.evidence, "1 profiles use a pre-shared key; the mask shows one saved for 1");
    assert_has(a.evidence, "would read as confirmed");
    assert_has(notes_of(&a), "|Office VPN: uses a pre-shared key; the mask shows one saved|");
    DeleteFileW(user_pbk);
}

/* rasentry-size asks every profile, not only the default entry, and says
 * which took l2tpfix's dwSize. */
static void selftest_asks_every_profile_for_its_size(void **state)
{
    (void)state;
    struct selftest_answer a;
    char want[160];
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_RASENTRY_SIZE, true, &a), L2F_OK);
    assert_has(a.evidence, "accepted for 2 of 2 profiles asked, refused with 632 for 0");
    assert_has(a.evidence, "would read as confirmed");
    snprintf(want, sizeof want, "|profile 2: size query asked %u bytes; dwSize %u accepted|",
             (unsigned)(sizeof(RASENTRYW) + EXTRA), (unsigned)sizeof(RASENTRYW));
    assert_has(notes_of(&a), want);
    refuses_size_of = L"Branch";
    memset(&a, 0, sizeof a);
    assert_int_equal(winselftest_item(&fake, SELFTEST_RASENTRY_SIZE, false, &a), L2F_OK);
    assert_has(a.evidence, "accepted for 1 of 2 profiles asked, refused with 632 for 1");
    assert_has(a.evidence, "would read as refuted");
    snprintf(want, sizeof want, "|Branch: size query asked %u bytes; dwSize %u refused (632)|",
             (unsigned)(sizeof(RASENTRYW) + EXTRA), (unsigned)sizeof(RASENTRYW));
    assert_has(notes_of(&a), want);
    assert_has(notes_of(&a), "Office VPN: size query");
}

/* One RasClient record into buf at off, as ReadEventLogW lays it out; returns its length. */
static DWORD event_record(BYTE *buf, DWORD id, const wchar_t *const *strings, WORD n)
{
    EVENTLOGRECORD *rec = (EVENTLOGRECORD *)(void *)buf;
    memset(rec, 0, sizeof *rec);
    BYTE *p = buf + sizeof *rec;
    memcpy(p, L"RasClient", sizeof L"RasClient");
    p += sizeof L"RasClient";
    memcpy(p, L"PC", sizeof L"PC");
    p += sizeof L"PC";
    rec->StringOffset = (DWORD)(p - buf);
    for (WORD i = 0; i < n; i++) {
        size_t l = (wcslen(strings[i]) + 1) * sizeof(wchar_t);
        memcpy(p, strings[i], l);
        p += l;
    }
    rec->Length = (DWORD)(((p - buf) + 3) & ~3) + 4;
    rec->Reserved = 0x654c664c; /* "LfLe" */
    rec->EventID = id;
    rec->NumStrings = n;
    return rec->Length;
}

/* rasclient-events: the newest record of each id by the shape of its strings,
 * never the strings (a user name among them) themselves. */
static void selftest_shows_the_events_strings_by_shape(void **state)
{
    (void)state;
    static BYTE buf[4096];
    static const wchar_t *const failed[] = {L"CoId={6A1B-22}", L"CONTOSO\\alice", L"Office VPN",
                                            L"789"};
    static const wchar_t *const older[] = {L"CoId={0000}", L"CONTOSO\\alice", L"Office VPN",
                                           L"691"};
    static const wchar_t *const dialing[] = {L"CoId={6A1B-22}", L"CONTOSO\\alice",
                                             L"Dialing Office VPN now", L"vpn.example.com"};
    struct event_names names;
    memset(&names, 0, sizeof names);
    names.profiles[0] = L"Office VPN";
    names.profiles[1] = L"Branch";
    names.n_profiles = 2;
    wcscpy(names.user, L"alice");
    DWORD len = event_record(buf, 0xC0000000u | 20227, failed, 4); /* newest first */
    len += event_record(buf + len, 20221, dialing, 4);
    len += event_record(buf + len, 20227, older, 4);
    static struct event_survey sv;
    memset(&sv, 0, sizeof sv);
    winselftest_survey_records(&sv, buf, len, &names);
    struct selftest_answer a;
    memset(&a, 0, sizeof a);
    winselftest_events_answer(&sv, &a);
    assert_has(a.evidence, "20221 x1, 20227 x2; the newest 20227 names a listed profile and ends "
                           "with a number");
    assert_has(a.evidence, "would read as confirmed");
    assert_has(notes_of(&a), "|20227, the newest: 4 strings: [1] a CoId {...}, [2] the user, "
                             "[3] the profile, [4] a number|");
    assert_has(notes_of(&a), "|20221, the newest: 4 strings: [1] a CoId {...}, [2] the user, "
                             "[3] text naming the profile, [4] text (15 chars)|");
    assert_null(strstr(notes_of(&a), "alice"));
    assert_null(strstr(a.evidence, "alice"));
    /* a failure that does not end with its code refutes it */
    static const wchar_t *const no_code[] = {L"Office VPN", L"failed"};
    memset(&sv, 0, sizeof sv);
    len = event_record(buf, 20227, no_code, 2);
    winselftest_survey_records(&sv, buf, len, &names);
    memset(&a, 0, sizeof a);
    winselftest_events_answer(&sv, &a);
    assert_has(a.evidence, "names a listed profile and does not end with a number");
    assert_has(a.evidence, "would read as refuted");
    /* strings that claim more than the record holds are not read past it */
    memset(&sv, 0, sizeof sv);
    len = event_record(buf, 20227, failed, 4);
    ((EVENTLOGRECORD *)(void *)buf)->NumStrings = 9;
    memset(buf + len - 4, 0xFF, 4); /* no terminator where the count says one is */
    winselftest_survey_records(&sv, buf, len, &names);
    memset(&a, 0, sizeof a);
    winselftest_events_answer(&sv, &a);
    assert_has(notes_of(&a), "|20227, the newest: malformed");
}

static int run_dial(const RASCONNSTATE *states, DWORD error, struct connect_event *events, int max)
{
    struct backend be = open_live();
    struct l2f_err err = {{0}};
    dial_states = states;
    dial_error = error;
    assert_int_equal(be.ops->connect_start(&be, "Office VPN", &err), L2F_OK);
    int n = 0;
    while (n < max && be.ops->connect_poll(&be, &events[n])) {
        if (events[n++].kind == CONNECT_DONE)
            break;
    }
    be.ops->close(&be);
    return n;
}

static void dial_states_light_the_stages(void **state)
{
    (void)state;
    static const RASCONNSTATE fails_in_auth[] = {
        RASCS_OpenPort,        RASCS_PortOpened,          RASCS_ConnectDevice,
        RASCS_DeviceConnected, RASCS_AllDevicesConnected, RASCS_Authenticate,
        RASCS_AuthNotify,      (RASCONNSTATE)-1};
    struct connect_event ev[16];
    int n = run_dial(fails_in_auth, 691, ev, 16);
    static const enum connect_event_kind kinds[] = {
        CONNECT_STAGE_BEGIN, CONNECT_STAGE_PASS, CONNECT_STAGE_BEGIN, CONNECT_STAGE_PASS,
        CONNECT_STAGE_BEGIN, CONNECT_STAGE_PASS, CONNECT_STAGE_BEGIN, CONNECT_DONE};
    static const enum stage_id stages[] = {STAGE_TUNNEL, STAGE_TUNNEL, STAGE_IPSEC, STAGE_IPSEC,
                                           STAGE_PPP,    STAGE_PPP,    STAGE_AUTH,  STAGE_AUTH};
    assert_int_equal(n, 8);
    for (int i = 0; i < n; i++) {
        assert_int_equal(ev[i].kind, kinds[i]);
        assert_int_equal(ev[i].stage, stages[i]);
    }
    assert_int_equal(ev[7].code, 691);
    assert_true(hangups >= 1); /* always hung up */

    static const RASCONNSTATE fails_in_ike[] = {RASCS_OpenPort, RASCS_ConnectDevice,
                                                (RASCONNSTATE)-1};
    hangups = 0;
    n = run_dial(fails_in_ike, 789, ev, 16);
    assert_int_equal(ev[n - 1].kind, CONNECT_DONE);
    assert_int_equal(ev[n - 1].code, 789);
    assert_int_equal(ev[n - 1].stage, STAGE_IPSEC);
    assert_true(hangups >= 1);

    /* out of order (Microsoft: never rely on the order or occurrence of states):
     * Authenticate reported before ConnectDevice fails with 809. The lit PPP stage
     * is not where it stopped: the error and its own state place it. */
    static const RASCONNSTATE reordered[] = {RASCS_OpenPort, RASCS_Authenticate,
                                             RASCS_ConnectDevice, (RASCONNSTATE)-1};
    n = run_dial(reordered, 809, ev, 16);
    assert_int_equal(ev[n - 1].kind, CONNECT_DONE);
    assert_int_equal(ev[n - 1].stage, STAGE_TUNNEL);
    /* skipped: straight from OpenPort to a failed AuthNotify; the stages between passed */
    static const RASCONNSTATE skipped[] = {RASCS_OpenPort, RASCS_AuthNotify, (RASCONNSTATE)-1};
    n = run_dial(skipped, 691, ev, 16);
    assert_int_equal(ev[n - 1].kind, CONNECT_DONE);
    assert_int_equal(ev[n - 1].stage, STAGE_AUTH);
    int passed = 0;
    for (int i = 0; i < n; i++)
        passed += ev[i].kind == CONNECT_STAGE_PASS;
    assert_int_equal(passed, STAGE_AUTH);

    static const RASCONNSTATE connects[] = {RASCS_OpenPort,     RASCS_ConnectDevice,
                                            RASCS_Authenticate, RASCS_Authenticated,
                                            RASCS_Connected,    (RASCONNSTATE)-1};
    n = run_dial(connects, 0, ev, 16);
    assert_int_equal(ev[n - 1].kind, CONNECT_DONE);
    assert_int_equal(ev[n - 1].code, 0);
    int passes = 0;
    for (int i = 0; i < n; i++)
        passes += ev[i].kind == CONNECT_STAGE_PASS;
    assert_int_equal(passes, STAGE_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(lists_both_phonebooks, reset),
        cmocka_unit_test_setup(entry_read_as_pbk_settings, reset),
        cmocka_unit_test_setup(size_negotiation, reset),
        cmocka_unit_test_setup(fixes_change_only_their_bits, reset),
        cmocka_unit_test_setup(error_paths, reset),
        cmocka_unit_test_setup(secrets_go_to_the_credential_store, reset),
        cmocka_unit_test_setup(fix_and_undo_restore_the_entry_exactly, reset),
        cmocka_unit_test_setup(dial_states_light_the_stages, reset),
        cmocka_unit_test_setup(a_silently_dropped_bit_is_rolled_back, reset),
        cmocka_unit_test_setup(a_write_that_moves_another_bit_is_rolled_back, reset),
        cmocka_unit_test_setup(the_phonebook_file_must_agree, reset),
        cmocka_unit_test_setup(selftest_compares_ras_with_the_phonebook_file, reset),
        cmocka_unit_test_setup(selftest_asks_every_profile_for_its_size, reset),
        cmocka_unit_test_setup(selftest_shows_the_events_strings_by_shape, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
