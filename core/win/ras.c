#include "ras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"
#include "platform.h"
#include "winutil.h"

const struct ras_api ras_system = {
    RasEnumEntriesW,
    RasGetEntryPropertiesW,
    RasSetEntryPropertiesW,
    RasGetCredentialsW,
    RasSetCredentialsW,
    RasGetEntryDialParamsW,
    RasDialW,
    RasHangUpW,
    RasGetConnectStatusW,
};

/* pbk AuthRestrictions bit <-> RASENTRY dwfOptions bit (windows-l2tp.md). */
static const struct {
    long ar;
    DWORD raseo;
} auth_bits[] = {
    {AR_PAP, RASEO_RequirePAP},
    {AR_SPAP, RASEO_RequireSPAP},
    {AR_CHAP, RASEO_RequireCHAP},
    {AR_MSCHAP, RASEO_RequireMsCHAP},
    {AR_MSCHAP2, RASEO_RequireMsCHAP2},
    {AR_EAP, RASEO_RequireEAP},
    {AR_W95MSCHAP, RASEO_RequireW95MSCHAP},
};

/* pbk DataEncryption <-> RASENTRY dwEncryptionType */
static const struct {
    long pbk;
    DWORD et;
} encryption[] = {{0, ET_None}, {8, ET_Optional}, {256, ET_Require}, {512, ET_RequireMax}};

enum l2f_status ras_list(const struct ras_api *api, struct ras_ref **out, size_t *count,
                         struct l2f_err *err)
{
    DWORD cb = sizeof(RASENTRYNAMEW), n = 0, rc;
    RASENTRYNAMEW *names = NULL;
    *out = NULL;
    *count = 0;
    /* the size query may race with a new entry: ask again while it grows */
    for (int attempt = 0; attempt < 4; attempt++) {
        RASENTRYNAMEW *grown = realloc(names, cb);
        if (!grown) {
            free(names);
            return L2F_ERR_NOMEM;
        }
        names = grown;
        memset(names, 0, cb);
        names[0].dwSize = sizeof(RASENTRYNAMEW);
        rc = api->enum_entries(NULL, NULL, names, &cb, &n);
        if (rc != ERROR_BUFFER_TOO_SMALL)
            break;
    }
    if (rc != ERROR_SUCCESS) {
        free(names);
        return win_status(rc, "listing VPN profiles (RasEnumEntries)", err);
    }
    struct ras_ref *refs = calloc(n ? n : 1, sizeof *refs);
    if (!refs) {
        free(names);
        return L2F_ERR_NOMEM;
    }
    for (DWORD i = 0; i < n; i++) {
        wcsncpy(refs[i].name, names[i].szEntryName, RAS_MaxEntryName);
        wcsncpy(refs[i].phonebook, names[i].szPhonebookPath, MAX_PATH - 1);
        refs[i].all_users = (names[i].dwFlags & REN_AllUsers) != 0;
    }
    free(names);
    *out = refs;
    *count = n;
    return L2F_OK;
}

enum l2f_status ras_find(const struct ras_api *api, const char *name, struct ras_ref *out,
                         struct l2f_err *err)
{
    struct ras_ref *refs;
    size_t n;
    wchar_t wname[RAS_MaxEntryName + 1];
    if (!win_to_wide(name, wname, RAS_MaxEntryName + 1)) {
        l2f_err_set(err, "profile name too long or not valid UTF-8");
        return L2F_ERR_USAGE;
    }
    enum l2f_status st = ras_list(api, &refs, &n, err);
    if (st != L2F_OK)
        return st;
    /* an entry of this user's phonebook shadows an all-users one of the same name */
    const struct ras_ref *pick = NULL;
    for (size_t i = 0; i < n; i++)
        if (wcscmp(refs[i].name, wname) == 0 && (!pick || (pick->all_users && !refs[i].all_users)))
            pick = &refs[i];
    if (pick)
        *out = *pick;
    else
        l2f_err_set(err, "no VPN profile named '%s'", name);
    free(refs);
    return pick ? L2F_OK : L2F_ERR_NOT_FOUND;
}

enum l2f_status ras_read_entry(const struct ras_api *api, const struct ras_ref *ref,
                               RASENTRYW **entry, DWORD *size, struct l2f_err *err)
{
    DWORD need = 0;
    *entry = NULL;
    DWORD rc = api->get_entry_properties(ref->phonebook, ref->name, NULL, &need, NULL, NULL);
    if (rc != ERROR_BUFFER_TOO_SMALL && rc != ERROR_SUCCESS)
        return win_status(rc, "reading the profile (RasGetEntryProperties)", err);
    for (int attempt = 0; attempt < 4; attempt++) {
        DWORD cb = need > sizeof(RASENTRYW) ? need : sizeof(RASENTRYW);
        RASENTRYW *e = calloc(1, cb);
        if (!e)
            return L2F_ERR_NOMEM;
        /* the struct version we know; Windows accepts an older one (confirm on real Windows) */
        e->dwSize = sizeof(RASENTRYW);
        need = cb;
        rc = api->get_entry_properties(ref->phonebook, ref->name, e, &need, NULL, NULL);
        if (rc == ERROR_SUCCESS) {
            *entry = e;
            *size = cb;
            return L2F_OK;
        }
        free(e);
        if (rc == ERROR_INVALID_SIZE) {
            l2f_err_set(err, "reading the profile: Windows refused RASENTRY of %u bytes (632)",
                        (unsigned)sizeof(RASENTRYW));
            return L2F_ERR_BACKEND;
        }
        if (rc != ERROR_BUFFER_TOO_SMALL)
            return win_status(rc, "reading the profile (RasGetEntryProperties)", err);
    }
    l2f_err_set(err, "reading the profile: the entry kept growing (603)");
    return L2F_ERR_BACKEND;
}

enum l2f_status ras_write_entry(const struct ras_api *api, const struct ras_ref *ref,
                                RASENTRYW *entry, DWORD size, struct l2f_err *err)
{
    DWORD rc = api->set_entry_properties(ref->phonebook, ref->name, entry, size, NULL, 0);
    if (rc == ERROR_INVALID_SIZE) {
        l2f_err_set(err, "writing the profile: Windows refused RASENTRY of %u bytes (632)",
                    (unsigned)entry->dwSize);
        return L2F_ERR_BACKEND;
    }
    return win_status(rc, "writing the profile (RasSetEntryProperties)", err);
}

void ras_entry_to_profile(const RASENTRYW *e, struct vpn_profile *p)
{
    win_to_utf8(e->szLocalPhoneNumber, p->server, sizeof p->server);
    long ar = 0;
    for (size_t i = 0; i < sizeof auth_bits / sizeof auth_bits[0]; i++)
        if (e->dwfOptions & auth_bits[i].raseo)
            ar |= auth_bits[i].ar;
    p->fields[PF_AUTH_RESTRICTIONS] = ar;
    p->fields[PF_LCP_EXTENSIONS] = (e->dwfOptions & RASEO_DisableLcpExtensions) ? 0 : 1;
    p->fields[PF_VPN_STRATEGY] = (long)e->dwVpnStrategy;
    p->type_value = (long)e->dwType;
    p->entry_type = entry_type_from_raset(p->type_value);
    p->fields[PF_IPSEC_FLAGS] = (e->dwfOptions2 & RASEO2_UsePreSharedKey) ? IPSEC_FLAG_PSK : 0;
    p->fields[PF_CUSTOM_AUTH_KEY] = (long)e->dwCustomAuthKey;
    p->fields[PF_DATA_ENCRYPTION] = -1;
    for (size_t i = 0; i < sizeof encryption / sizeof encryption[0]; i++)
        if (e->dwEncryptionType == encryption[i].et)
            p->fields[PF_DATA_ENCRYPTION] = encryption[i].pbk;
}

static void set_bit(DWORD *flags, DWORD bit, bool on)
{
    if (on)
        *flags |= bit;
    else
        *flags &= ~bit;
}

bool ras_entry_set_field(RASENTRYW *e, enum profile_field field, long value)
{
    switch (field) {
    case PF_AUTH_RESTRICTIONS:
        for (size_t i = 0; i < sizeof auth_bits / sizeof auth_bits[0]; i++)
            set_bit(&e->dwfOptions, auth_bits[i].raseo, (value & auth_bits[i].ar) != 0);
        return true;
    case PF_LCP_EXTENSIONS:
        set_bit(&e->dwfOptions, RASEO_DisableLcpExtensions, value == 0);
        return true;
    case PF_VPN_STRATEGY:
        if (value < 0 || value > 15)
            return false;
        e->dwVpnStrategy = (DWORD)value;
        return true;
    case PF_IPSEC_FLAGS:
        set_bit(&e->dwfOptions2, RASEO2_UsePreSharedKey, (value & IPSEC_FLAG_PSK) != 0);
        return true;
    case PF_CUSTOM_AUTH_KEY:
        if (value < 0 || value > 255) /* an EAP type is one byte (RFC 3748) */
            return false;
        e->dwCustomAuthKey = (DWORD)value;
        return true;
    case PF_DATA_ENCRYPTION:
        for (size_t i = 0; i < sizeof encryption / sizeof encryption[0]; i++)
            if (encryption[i].pbk == value) {
                e->dwEncryptionType = encryption[i].et;
                return true;
            }
        return false;
    default:
        return false;
    }
}

/* The bits of a field's pbk value that RASENTRY holds: the rest the file may keep on its own. */
static long ras_expressed_bits(enum profile_field field)
{
    long mask = 0;
    switch (field) {
    case PF_AUTH_RESTRICTIONS:
        for (size_t i = 0; i < sizeof auth_bits / sizeof auth_bits[0]; i++)
            mask |= auth_bits[i].ar;
        return mask;
    case PF_IPSEC_FLAGS:
        return IPSEC_FLAG_PSK;
    default:
        return -1L; /* the whole number */
    }
}

enum l2f_status ras_pbk_confirms(const struct ras_ref *ref, enum profile_field field, long value,
                                 struct l2f_err *err)
{
    char path[MAX_PATH * 3], name[PROFILE_ENTRY_MAX], text[64];
    char *data;
    size_t len;
    struct l2f_err ignored;
    struct pbk pbk;
    win_to_utf8(ref->phonebook, path, sizeof path);
    win_to_utf8(ref->name, name, sizeof name);
    if (!path[0] || plat_read_file(path, &data, &len, &ignored) != L2F_OK)
        return L2F_OK;
    enum l2f_status st = pbk_parse(data, len, path, &pbk, &ignored);
    if (st != L2F_OK) {
        free(data);
        return L2F_OK;
    }
    const char *key = profile_field_key(field);
    int section = pbk_find(&pbk, name);
    bool has = section >= 0 && pbk_get(&pbk, section, key, false, text, sizeof text);
    st = L2F_OK;
    if (section < 0) {
        l2f_err_set(err,
                    "Windows did not take the change: %s: the phonebook file %s has no such entry "
                    "after RasSetEntryProperties",
                    name, path);
        st = L2F_ERR_NOT_TAKEN;
    } else if (has) {
        char *end;
        long got = strtol(text, &end, 10);
        long mask = ras_expressed_bits(field);
        if (end == text || *end || (got & mask) != (value & mask)) {
            l2f_err_set(err,
                        "Windows did not take the change: %s: the phonebook file says %s=%s after "
                        "l2tpfix wrote %ld through RasSetEntryProperties",
                        name, key, text, value);
            st = L2F_ERR_NOT_TAKEN;
        }
    }
    pbk_free(&pbk);
    free(data);
    return st;
}

enum l2f_status ras_saved_credentials(const struct ras_api *api, const struct ras_ref *ref,
                                      struct vpn_profile *p, struct l2f_err *err)
{
    RASCREDENTIALSW cred;
    memset(&cred, 0, sizeof cred);
    cred.dwSize = sizeof cred;
    cred.dwMask = RASCM_PreSharedKey;
    DWORD rc = api->get_credentials(ref->phonebook, ref->name, &cred);
    /* on return dwMask says which members are saved; values are not kept */
    p->psk_saved = rc == ERROR_SUCCESS && (cred.dwMask & RASCM_PreSharedKey);
    SecureZeroMemory(&cred, sizeof cred);
    cred.dwSize = sizeof cred;
    cred.dwMask = RASCM_UserName | RASCM_Password;
    rc = api->get_credentials(ref->phonebook, ref->name, &cred);
    if (rc != ERROR_SUCCESS) {
        SecureZeroMemory(&cred, sizeof cred);
        return win_status(rc, "reading saved credentials (RasGetCredentials)", err);
    }
    p->username_saved = (cred.dwMask & RASCM_UserName) && cred.szUserName[0];
    p->password_saved = (cred.dwMask & RASCM_Password) != 0;
    win_to_utf8(cred.szUserName, p->username, sizeof p->username);
    SecureZeroMemory(&cred, sizeof cred);
    return L2F_OK;
}
