/* The RAS API through a seam: every call the live backend makes goes through
 * this table, so tests can stand in for rasapi32 (a stub under Wine) and check
 * RASENTRY bit handling, dwSize negotiation and error paths. Windows only. */
#ifndef L2F_WIN_RAS_H
#define L2F_WIN_RAS_H

#include <windows.h>
#include <ras.h>
#include <raserror.h>

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "status.h"

/* Constants the mingw-w64 headers lack (they stop at the Windows XP SDK). */
#ifndef RASCS_ApplySettings
#define RASCS_ApplySettings ((RASCONNSTATE)24) /* ras.h, Windows 7 SDK and later */
#endif

struct ras_api {
    DWORD(WINAPI *enum_entries)(LPCWSTR, LPCWSTR, LPRASENTRYNAMEW, LPDWORD, LPDWORD);
    DWORD(WINAPI *get_entry_properties)(LPCWSTR, LPCWSTR, LPRASENTRYW, LPDWORD, LPBYTE, LPDWORD);
    DWORD(WINAPI *set_entry_properties)(LPCWSTR, LPCWSTR, LPRASENTRYW, DWORD, LPBYTE, DWORD);
    DWORD(WINAPI *get_credentials)(LPCWSTR, LPCWSTR, LPRASCREDENTIALSW);
    DWORD(WINAPI *set_credentials)(LPCWSTR, LPCWSTR, LPRASCREDENTIALSW, WINBOOL);
    DWORD(WINAPI *get_entry_dial_params)(LPCWSTR, LPRASDIALPARAMSW, LPBOOL);
    DWORD(WINAPI *dial)(LPRASDIALEXTENSIONS, LPCWSTR, LPRASDIALPARAMSW, DWORD, LPVOID, LPHRASCONN);
    DWORD(WINAPI *hang_up)(HRASCONN);
    DWORD(WINAPI *get_connect_status)(HRASCONN, LPRASCONNSTATUSW);
};

/* The real rasapi32. */
extern const struct ras_api ras_system;
/* Makes backends opened from now on use api instead (tests). */
void backend_win32_use_ras(const struct ras_api *api);

/* A phonebook entry: its name and the phonebook file it lives in. */
struct ras_ref {
    wchar_t name[RAS_MaxEntryName + 1];
    wchar_t phonebook[MAX_PATH];
    bool all_users;
};

/* Every entry of both phonebooks (malloc'd array). */
enum l2f_status ras_list(const struct ras_api *api, struct ras_ref **out, size_t *count,
                         struct l2f_err *err);
enum l2f_status ras_find(const struct ras_api *api, const char *name, struct ras_ref *out,
                         struct l2f_err *err);
/* Reads an entry with the size negotiation Windows wants: a size query, then
 * the call with dwSize = sizeof(RASENTRYW) and a buffer as large as asked (the
 * alternate numbers follow the struct). *entry is malloc'd, *size its length. */
enum l2f_status ras_read_entry(const struct ras_api *api, const struct ras_ref *ref,
                               RASENTRYW **entry, DWORD *size, struct l2f_err *err);
enum l2f_status ras_write_entry(const struct ras_api *api, const struct ras_ref *ref,
                                RASENTRYW *entry, DWORD size, struct l2f_err *err);
/* RASENTRY -> the rasphone.pbk view the core reasons in. */
void ras_entry_to_profile(const RASENTRYW *e, struct vpn_profile *p);
/* Changes only the bits that stand for one pbk setting; false when the value
 * cannot be expressed in RASENTRY. */
bool ras_entry_set_field(RASENTRYW *e, enum profile_field field, long value);
/* The second witness after RasSetEntryProperties: the entry's line for field
 * in its phonebook file (ref->phonebook) must say value, in the bits RASENTRY
 * can express. L2F_ERR_NOT_TAKEN, err saying what the file holds, when it
 * says otherwise or lacks the entry. A file that cannot be read, or an entry
 * without the key, confirms nothing and refutes nothing: L2F_OK, and the
 * read-back through RAS stays the judge (selftest reports which it was). */
enum l2f_status ras_pbk_confirms(const struct ras_ref *ref, enum profile_field field, long value,
                                 struct l2f_err *err);
/* Which credentials are saved (never their values). */
enum l2f_status ras_saved_credentials(const struct ras_api *api, const struct ras_ref *ref,
                                      struct vpn_profile *p, struct l2f_err *err);

#endif
