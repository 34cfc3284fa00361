/* The selftest items only real Windows can answer: each read-only, none
 * reads a secret (RasGetCredentials is asked for the mask; the password
 * member it fills is wiped unread). Under Wine each says what Wine gives. */
#include "selftest_win.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"
#include "platform.h"
#include "winreg.h"
#include "winutil.h"

#define EVENTS_SCANNED 4000 /* newest Application log records read, at most */

bool winselftest_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

static void answer(struct selftest_answer *out, enum selftest_verdict v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void answer(struct selftest_answer *out, enum selftest_verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out->verdict = winselftest_under_wine() ? SELFTEST_WINE : v;
    vsnprintf(out->evidence, sizeof out->evidence, fmt, ap);
    va_end(ap);
    if (out->verdict != v) { /* the reader must not take Wine's answer for Windows' */
        size_t l = strlen(out->evidence);
        snprintf(out->evidence + l, sizeof out->evidence - l,
                 " (under Wine, which would read as %s)", selftest_verdict_id(v));
    }
}

/* A profile's name as the report shows it: "profile 2" when redacted. */
static void shown_name(const struct ras_ref *ref, size_t index, bool redact, char *buf, size_t len)
{
    if (redact)
        snprintf(buf, len, "profile %lu", (unsigned long)index + 1);
    else
        win_to_utf8(ref->name, buf, len);
}

/* The default entry (an empty name): no profile is needed to ask for its size. */
static void rasentry_size(const struct ras_api *api, struct selftest_answer *out)
{
    DWORD need = 0;
    DWORD rc = api->get_entry_properties(NULL, L"", NULL, &need, NULL, NULL);
    DWORD cb = need > sizeof(RASENTRYW) ? need : sizeof(RASENTRYW);
    RASENTRYW *e = calloc(1, cb);
    if (!e) {
        answer(out, SELFTEST_NOT_SHOWN, "out of memory");
        return;
    }
    e->dwSize = sizeof(RASENTRYW);
    DWORD got = cb;
    DWORD rc2 = api->get_entry_properties(NULL, L"", e, &got, NULL, NULL);
    free(e);
    if (rc2 == ERROR_SUCCESS)
        answer(out, SELFTEST_CONFIRMED,
               "dwSize %u accepted (size query answered %lu with %lu bytes)",
               (unsigned)sizeof(RASENTRYW), (unsigned long)rc, (unsigned long)need);
    else if (rc2 == ERROR_INVALID_SIZE)
        answer(out, SELFTEST_REFUTED, "dwSize %u refused with 632; the size query asked %lu bytes",
               (unsigned)sizeof(RASENTRYW), (unsigned long)need);
    else
        answer(out, SELFTEST_NOT_SHOWN, "RasGetEntryPropertiesW answered %lu", (unsigned long)rc2);
}

/* Compares RAS's reading of one entry with its phonebook file; adds to the counts. */
static void compare_entry(const struct ras_api *api, const struct ras_ref *ref, size_t *agree,
                          size_t *differ, char *first, size_t len, const char *name)
{
    RASENTRYW *e;
    DWORD size;
    struct l2f_err ignored;
    struct vpn_profile p;
    char path[MAX_PATH * 3], entry[PROFILE_ENTRY_MAX], value[64], *data;
    size_t dlen;
    struct pbk pbk;
    if (ras_read_entry(api, ref, &e, &size, &ignored) != L2F_OK)
        return;
    memset(&p, 0, sizeof p);
    ras_entry_to_profile(e, &p);
    free(e);
    win_to_utf8(ref->phonebook, path, sizeof path);
    win_to_utf8(ref->name, entry, sizeof entry);
    if (plat_read_file(path, &data, &dlen, &ignored) != L2F_OK)
        return;
    if (pbk_parse(data, dlen, path, &pbk, &ignored) == L2F_OK) {
        int section = pbk_find(&pbk, entry);
        for (int f = 0; section >= 0 && f < PROFILE_FIELD_COUNT; f++) {
            const char *key = profile_field_key((enum profile_field)f);
            if (!pbk_get(&pbk, section, key, false, value, sizeof value))
                continue;
            bool same = strtol(value, NULL, 10) == p.fields[f];
            *agree += same;
            *differ += !same;
            if (!same && !first[0])
                snprintf(first, len, "%s: %s RAS %ld, file %s", name, key, p.fields[f], value);
        }
        pbk_free(&pbk);
    }
    free(data);
}

static void pbk_flags(const struct ras_api *api, bool redact, struct selftest_answer *out)
{
    struct ras_ref *refs;
    size_t n, agree = 0, differ = 0;
    struct l2f_err err = {{0}};
    char first[300] = "", name[PROFILE_NAME_MAX];
    if (ras_list(api, &refs, &n, &err) != L2F_OK) {
        answer(out, SELFTEST_NOT_SHOWN, "RasEnumEntriesW: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        shown_name(&refs[i], i, redact, name, sizeof name);
        compare_entry(api, &refs[i], &agree, &differ, first, sizeof first, name);
    }
    free(refs);
    if (differ)
        answer(out, SELFTEST_REFUTED, "%lu profiles: %lu keys agree, %lu differ (first: %s)",
               (unsigned long)n, (unsigned long)agree, (unsigned long)differ, first);
    else if (agree)
        answer(out, SELFTEST_CONFIRMED, "%lu profiles: all %lu keys of their files agree",
               (unsigned long)n, (unsigned long)agree);
    else
        answer(out, SELFTEST_NOT_SHOWN, "%lu profiles listed, no phonebook key to compare",
               (unsigned long)n);
}

static void psk_mask(const struct ras_api *api, struct selftest_answer *out)
{
    struct ras_ref *refs;
    size_t n, psk = 0, shown = 0;
    struct l2f_err err = {{0}};
    if (ras_list(api, &refs, &n, &err) != L2F_OK) {
        answer(out, SELFTEST_NOT_SHOWN, "RasEnumEntriesW: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        RASENTRYW *e;
        DWORD size;
        struct vpn_profile p;
        if (ras_read_entry(api, &refs[i], &e, &size, &err) != L2F_OK)
            continue;
        memset(&p, 0, sizeof p);
        ras_entry_to_profile(e, &p);
        free(e);
        if (!(p.fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK))
            continue;
        psk++;
        ras_saved_credentials(api, &refs[i], &p, &err); /* the mask only, never the key */
        shown += p.psk_saved;
    }
    free(refs);
    answer(out, shown ? SELFTEST_CONFIRMED : SELFTEST_NOT_SHOWN,
           "%lu profiles use a pre-shared key; the mask shows one saved for %lu (a key you know "
           "is saved and 0 here refutes it)",
           (unsigned long)psk, (unsigned long)shown);
}

/* The Application log's RasClient records, newest first: how many of each
 * id, and whether a failure's last insertion string is its code. Counts only:
 * the strings (profile and user names) are not copied out. */
struct event_survey {
    size_t by_id[7], failed_with_code, scanned;
};

static bool ends_with_number(const EVENTLOGRECORD *rec)
{
    const wchar_t *s = (const wchar_t *)(const void *)((const BYTE *)rec + rec->StringOffset);
    const wchar_t *last = NULL;
    const BYTE *end = (const BYTE *)rec + rec->Length;
    for (WORD i = 0; i < rec->NumStrings && (const BYTE *)s < end; i++) {
        last = s;
        s += wcsnlen(s, (size_t)(end - (const BYTE *)s) / sizeof(wchar_t)) + 1;
    }
    if (!last || !*last)
        return false;
    wchar_t *stop;
    wcstol(last, &stop, 10);
    return stop != last && *stop == L'\0';
}

static void survey_records(struct event_survey *sv, const BYTE *buf, DWORD len)
{
    for (DWORD off = 0; off + sizeof(EVENTLOGRECORD) <= len && sv->scanned < EVENTS_SCANNED;
         sv->scanned++) {
        const EVENTLOGRECORD *rec = (const EVENTLOGRECORD *)(const void *)(buf + off);
        if (rec->Length < sizeof *rec || rec->Length > len - off)
            break;
        const wchar_t *source = (const wchar_t *)(const void *)(rec + 1);
        DWORD id = rec->EventID & 0xFFFF;
        if (wcscmp(source, L"RasClient") == 0 && id >= 20221 && id <= 20227) {
            sv->by_id[id - 20221]++;
            sv->failed_with_code += id == 20227 && ends_with_number(rec);
        }
        off += rec->Length;
    }
}

static void rasclient_events(struct selftest_answer *out)
{
    struct event_survey sv;
    memset(&sv, 0, sizeof sv);
    HANDLE log = OpenEventLogW(NULL, L"Application");
    BYTE *buf = malloc(64 * 1024);
    DWORD read = 0, needed = 0;
    while (log && buf && sv.scanned < EVENTS_SCANNED &&
           ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0, buf, 64 * 1024,
                         &read, &needed))
        survey_records(&sv, buf, read);
    free(buf);
    if (log)
        CloseEventLog(log);
    size_t total = 0;
    for (int i = 0; i < 7; i++)
        total += sv.by_id[i];
    char counts[200] = "";
    for (int i = 0; i < 7; i++) {
        size_t l = strlen(counts);
        if (sv.by_id[i])
            snprintf(counts + l, sizeof counts - l, "%s%d x%lu", l ? ", " : "", 20221 + i,
                     (unsigned long)sv.by_id[i]);
    }
    if (!total)
        answer(out, SELFTEST_NOT_SHOWN, "no RasClient event among the newest %lu records",
               (unsigned long)sv.scanned);
    else if (sv.by_id[6] && !sv.failed_with_code)
        answer(out, SELFTEST_REFUTED, "%s; no 20227 ends with a code", counts);
    else
        answer(out, SELFTEST_CONFIRMED, "%s; %lu of the 20227 end with a code", counts,
               (unsigned long)sv.failed_with_code);
}

static void ikeext_dependents(struct selftest_answer *out)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE svc = scm ? OpenServiceW(scm, L"IKEEXT", SERVICE_ENUMERATE_DEPENDENTS) : NULL;
    DWORD gle = GetLastError(), need = 0, count = 0;
    if (!svc) {
        answer(out, SELFTEST_NOT_SHOWN, "IKEEXT cannot be opened (error %lu)", (unsigned long)gle);
    } else {
        EnumDependentServicesW(svc, SERVICE_STATE_ALL, NULL, 0, &need, &count);
        ENUM_SERVICE_STATUSW *deps = need ? malloc(need) : NULL;
        char names[400] = "";
        if (deps && EnumDependentServicesW(svc, SERVICE_STATE_ALL, deps, need, &need, &count))
            for (DWORD i = 0; i < count; i++) {
                size_t l = strlen(names);
                char one[128];
                win_to_utf8(deps[i].lpServiceName, one, sizeof one);
                snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", one);
            }
        free(deps);
        answer(out, count ? SELFTEST_CONFIRMED : SELFTEST_NOT_SHOWN,
               "EnumDependentServicesW lists %lu: %s", (unsigned long)count,
               count ? names : "none");
    }
    if (svc)
        CloseServiceHandle(svc);
    if (scm)
        CloseServiceHandle(scm);
}

static void elevation(struct selftest_answer *out)
{
    HANDLE token;
    TOKEN_ELEVATION_TYPE type = TokenElevationTypeDefault;
    TOKEN_ELEVATION elevated = {0};
    DWORD cb;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        answer(out, SELFTEST_NOT_SHOWN, "the process token cannot be opened");
        return;
    }
    bool ok = GetTokenInformation(token, TokenElevation, &elevated, sizeof elevated, &cb) &&
              GetTokenInformation(token, TokenElevationType, &type, sizeof type, &cb);
    CloseHandle(token);
    static const char *const types[] = {"?", "default (UAC off or a service)", "full (elevated)",
                                        "limited (not elevated)"};
    answer(out, ok ? SELFTEST_CONFIRMED : SELFTEST_NOT_SHOWN, "elevated: %s; token type %s",
           elevated.TokenIsElevated ? "yes" : "no", (unsigned)type < 4 ? types[type] : "?");
}

static void os_build(struct selftest_answer *out)
{
    unsigned build, ubr;
    struct l2f_err err = {{0}};
    if (winreg_os_build(&build, &ubr, &err) == L2F_OK)
        answer(out, SELFTEST_CONFIRMED, "OS build %u.%u", build, ubr);
    else
        answer(out, SELFTEST_NOT_SHOWN, "%s", err.msg);
}

enum l2f_status winselftest_item(const struct ras_api *api, enum selftest_id item, bool redact,
                                 struct selftest_answer *out)
{
    switch (item) {
    case SELFTEST_RASENTRY_SIZE:
        rasentry_size(api, out);
        break;
    case SELFTEST_PBK_FLAGS:
        pbk_flags(api, redact, out);
        break;
    case SELFTEST_PSK_MASK:
        psk_mask(api, out);
        break;
    case SELFTEST_EVENTS:
        rasclient_events(out);
        break;
    case SELFTEST_IKEEXT_DEPENDENTS:
        ikeext_dependents(out);
        break;
    case SELFTEST_ELEVATION:
        elevation(out);
        break;
    case SELFTEST_OS_BUILD:
        os_build(out);
        break;
    default:
        return L2F_ERR_UNSUPPORTED;
    }
    return L2F_OK;
}
