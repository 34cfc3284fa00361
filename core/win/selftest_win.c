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

#define EVENTS_SCANNED 4000               /* newest Application log records read, at most */
#define PROFILES_ASKED EVENT_PROFILES_MAX /* profiles a selftest item reads, at most */
#define SIZE_ASKED_MAX (64 * 1024)        /* a RASENTRY larger than this is not what was asked */

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

/* One entry's answer to the size l2tpfix passes: the size query's code and
 * the bytes it asked, then the call with dwSize = sizeof(RASENTRYW). */
struct size_answer {
    DWORD query_rc, need, rc;
};

static struct size_answer ask_size(const struct ras_api *api, LPCWSTR pbk, LPCWSTR name)
{
    struct size_answer a = {0, 0, ERROR_NOT_ENOUGH_MEMORY};
    a.query_rc = api->get_entry_properties(pbk, name, NULL, &a.need, NULL, NULL);
    DWORD cb = a.need > sizeof(RASENTRYW) ? a.need : sizeof(RASENTRYW);
    if (cb > SIZE_ASKED_MAX) /* a size query's answer is checked before it sizes a buffer */
        cb = sizeof(RASENTRYW);
    RASENTRYW *e = calloc(1, cb);
    if (e) {
        e->dwSize = sizeof(RASENTRYW);
        DWORD got = cb;
        a.rc = api->get_entry_properties(pbk, name, e, &got, NULL, NULL);
        free(e);
    }
    return a;
}

/* "accepted", "refused (632)" or the code, for a note. */
static const char *size_outcome(const struct size_answer *a, char *buf, size_t len)
{
    if (a->rc == ERROR_SUCCESS)
        return "accepted";
    if (a->rc == ERROR_INVALID_SIZE)
        return "refused (632)";
    snprintf(buf, len, "answered %lu", (unsigned long)a->rc);
    return buf;
}

/* The default entry (an empty name) and every profile, up to PROFILES_ASKED. */
static void rasentry_size(const struct ras_api *api, bool redact, struct selftest_answer *out)
{
    struct ras_ref *refs = NULL;
    size_t n = 0, accepted = 0, refused = 0, other = 0;
    struct l2f_err err = {{0}};
    char name[PROFILE_NAME_MAX], code[32];
    struct size_answer def = ask_size(api, NULL, L"");
    selftest_note(out, "the default entry: size query %lu asking %lu bytes; dwSize %u %s",
                  (unsigned long)def.query_rc, (unsigned long)def.need, (unsigned)sizeof(RASENTRYW),
                  size_outcome(&def, code, sizeof code));
    enum l2f_status listed = ras_list(api, &refs, &n, &err);
    for (size_t i = 0; listed == L2F_OK && i < n && i < PROFILES_ASKED; i++) {
        struct size_answer a = ask_size(api, refs[i].phonebook, refs[i].name);
        accepted += a.rc == ERROR_SUCCESS;
        refused += a.rc == ERROR_INVALID_SIZE;
        other += a.rc != ERROR_SUCCESS && a.rc != ERROR_INVALID_SIZE;
        shown_name(&refs[i], i, redact, name, sizeof name);
        selftest_note(out, "%s: size query asked %lu bytes; dwSize %u %s", name,
                      (unsigned long)a.need, (unsigned)sizeof(RASENTRYW),
                      size_outcome(&a, code, sizeof code));
    }
    free(refs);
    size_t asked = n < PROFILES_ASKED ? n : PROFILES_ASKED;
    char listing[200] = "";
    if (listed != L2F_OK)
        snprintf(listing, sizeof listing, "; the profiles could not be listed: %s", err.msg);
    enum selftest_verdict v = refused || def.rc == ERROR_INVALID_SIZE ? SELFTEST_REFUTED
                              : accepted || def.rc == ERROR_SUCCESS   ? SELFTEST_CONFIRMED
                              : other || listed != L2F_OK             ? SELFTEST_ERROR
                                                                      : SELFTEST_NOT_SHOWN;
    answer(out, v,
           "dwSize %u (mingw's RASENTRYW): accepted for %lu of %lu profiles asked, refused with "
           "632 for %lu, other answers %lu; the default entry: %s%s",
           (unsigned)sizeof(RASENTRYW), (unsigned long)accepted, (unsigned long)asked,
           (unsigned long)refused, (unsigned long)other, size_outcome(&def, code, sizeof code),
           listing);
}

/* Compares RAS's reading of one entry with its phonebook file's keys: a
 * note per key that differs, or one saying all agree or why none compared. */
static void compare_entry(const struct ras_api *api, const struct ras_ref *ref, const char *name,
                          size_t *agree, size_t *differ, struct selftest_answer *out)
{
    RASENTRYW *e;
    DWORD size;
    struct l2f_err ignored;
    struct vpn_profile p;
    char path[MAX_PATH * 3], entry[PROFILE_ENTRY_MAX], value[64], *data;
    size_t dlen, same = 0, other = 0;
    struct pbk pbk;
    if (ras_read_entry(api, ref, &e, &size, &ignored) != L2F_OK) {
        selftest_note(out, "%s: RAS could not read it", name);
        return;
    }
    memset(&p, 0, sizeof p);
    ras_entry_to_profile(e, &p);
    free(e);
    win_to_utf8(ref->phonebook, path, sizeof path);
    win_to_utf8(ref->name, entry, sizeof entry);
    if (plat_read_file(path, &data, &dlen, &ignored) != L2F_OK) {
        selftest_note(out, "%s: its phonebook file could not be read",
                      name); /* path: a user name */
        return;
    }
    int section = -1;
    if (pbk_parse(data, dlen, path, &pbk, &ignored) == L2F_OK) {
        section = pbk_find(&pbk, entry);
        for (int f = 0; section >= 0 && f < PROFILE_FIELD_COUNT; f++) {
            const char *key = profile_field_key((enum profile_field)f);
            if (!pbk_get(&pbk, section, key, false, value, sizeof value))
                continue;
            if (strtol(value, NULL, 10) == p.fields[f]) {
                same++;
                continue;
            }
            other++;
            selftest_note(out, "%s: %s RAS %ld, file %s", name, key, p.fields[f], value);
        }
        pbk_free(&pbk);
    }
    free(data);
    if (section < 0)
        selftest_note(out, "%s: its phonebook file has no section for it", name);
    else if (!other)
        selftest_note(out, "%s: all %lu keys agree", name, (unsigned long)same);
    *agree += same;
    *differ += other;
}

static void pbk_flags(const struct ras_api *api, bool redact, struct selftest_answer *out)
{
    struct ras_ref *refs;
    size_t n, agree = 0, differ = 0;
    struct l2f_err err = {{0}};
    char name[PROFILE_NAME_MAX];
    if (ras_list(api, &refs, &n, &err) != L2F_OK) {
        answer(out, SELFTEST_ERROR, "RasEnumEntriesW: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n && i < PROFILES_ASKED; i++) {
        shown_name(&refs[i], i, redact, name, sizeof name);
        compare_entry(api, &refs[i], name, &agree, &differ, out);
    }
    free(refs);
    if (differ)
        answer(out, SELFTEST_REFUTED,
               "%lu profiles: %lu keys agree, %lu differ (each listed below by key)",
               (unsigned long)n, (unsigned long)agree, (unsigned long)differ);
    else if (agree)
        answer(out, SELFTEST_CONFIRMED, "%lu profiles: all %lu keys of their files agree",
               (unsigned long)n, (unsigned long)agree);
    else
        answer(out, SELFTEST_NOT_SHOWN, "%lu profiles listed, no phonebook key to compare",
               (unsigned long)n);
}

static void psk_mask(const struct ras_api *api, bool redact, struct selftest_answer *out)
{
    struct ras_ref *refs;
    size_t n, psk = 0, shown = 0;
    struct l2f_err err = {{0}};
    char name[PROFILE_NAME_MAX];
    if (ras_list(api, &refs, &n, &err) != L2F_OK) {
        answer(out, SELFTEST_ERROR, "RasEnumEntriesW: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n && i < PROFILES_ASKED; i++) {
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
        shown_name(&refs[i], i, redact, name, sizeof name);
        selftest_note(out, "%s: uses a pre-shared key; the mask %s", name,
                      p.psk_saved ? "shows one saved" : "shows none saved");
    }
    free(refs);
    answer(out, shown ? SELFTEST_CONFIRMED : SELFTEST_NOT_SHOWN,
           "%lu profiles use a pre-shared key; the mask shows one saved for %lu (a key you know "
           "is saved and 0 here refutes it)",
           (unsigned long)psk, (unsigned long)shown);
}

/* What one insertion string is, by its shape: never the string itself. */
static const char *string_kind(const wchar_t *str, const struct event_names *names, char *buf,
                               size_t len)
{
    wchar_t *stop;
    if (!*str)
        return "empty";
    for (size_t i = 0; i < names->n_profiles; i++)
        if (_wcsicmp(str, names->profiles[i]) == 0)
            return "the profile";
    (void)wcstol(str, &stop, 10); /* only where it stops matters */
    if (stop != str && *stop == L'\0')
        return "a number";
    if (wcschr(str, L'{') && wcschr(str, L'}'))
        return "a CoId {...}";
    if (names->user[0] &&
        (_wcsicmp(str, names->user) == 0 ||
         (wcschr(str, L'\\') && _wcsicmp(wcsrchr(str, L'\\') + 1, names->user) == 0)))
        return "the user";
    if (wcschr(str, L'\\') && !wcschr(str, L' '))
        return "a DOMAIN\\name";
    for (size_t i = 0; i < names->n_profiles; i++)
        if (names->profiles[i][0] && wcsstr(str, names->profiles[i]))
            return "text naming the profile";
    snprintf(buf, len, "text (%lu chars)", (unsigned long)wcslen(str));
    return buf;
}

/* The newest record of one id: its strings' kinds, whether one is a listed
 * profile and whether the last is a number. False for a malformed record. */
static bool record_shape(const EVENTLOGRECORD *rec, const struct event_names *names,
                         struct event_shape *shape)
{
    const BYTE *end = (const BYTE *)rec + rec->Length;
    if (rec->StringOffset < sizeof *rec || rec->StringOffset >= rec->Length)
        return false;
    const wchar_t *s = (const wchar_t *)(const void *)((const BYTE *)rec + rec->StringOffset);
    char kind_buf[32];
    size_t l = 0;
    shape->strings = rec->NumStrings;
    shape->names_profile = shape->ends_with_number = false;
    shape->text[0] = '\0';
    for (WORD i = 0; i < rec->NumStrings; i++) {
        size_t room = (size_t)(end - (const BYTE *)s) / sizeof(wchar_t);
        size_t sl = wcsnlen(s, room);
        if (sl == room) /* no terminator inside the record */
            return false;
        const char *kind = string_kind(s, names, kind_buf, sizeof kind_buf);
        shape->names_profile |= strcmp(kind, "the profile") == 0;
        shape->ends_with_number = strcmp(kind, "a number") == 0;
        if (l < sizeof shape->text)
            l += (size_t)snprintf(shape->text + l, sizeof shape->text - l, "%s[%u] %s",
                                  i ? ", " : "", (unsigned)i + 1, kind);
        s += sl + 1;
    }
    return true;
}

void winselftest_survey_records(struct event_survey *sv, const BYTE *buf, DWORD len,
                                const struct event_names *names)
{
    for (DWORD off = 0; off + sizeof(EVENTLOGRECORD) <= len && sv->scanned < EVENTS_SCANNED;
         sv->scanned++) {
        const EVENTLOGRECORD *rec = (const EVENTLOGRECORD *)(const void *)(buf + off);
        if (rec->Length < sizeof *rec || rec->Length > len - off)
            break;
        const wchar_t *source = (const wchar_t *)(const void *)(rec + 1);
        size_t source_room = (rec->Length - sizeof *rec) / sizeof(wchar_t);
        DWORD id = rec->EventID & 0xFFFF;
        if (wcsnlen(source, source_room) < source_room && wcscmp(source, L"RasClient") == 0 &&
            id >= EVENT_FIRST && id <= EVENT_LAST) {
            size_t k = id - EVENT_FIRST;
            /* read newest first: the first of an id seen is its newest */
            if (!sv->by_id[k] && !record_shape(rec, names, &sv->newest[k]))
                sv->newest[k].strings = -1;
            sv->by_id[k]++;
        }
        off += rec->Length;
    }
}

void winselftest_events_answer(const struct event_survey *sv, struct selftest_answer *out)
{
    size_t total = 0;
    char counts[200] = "";
    for (size_t k = 0; k < EVENT_IDS; k++) {
        total += sv->by_id[k];
        size_t l = strlen(counts);
        if (sv->by_id[k])
            snprintf(counts + l, sizeof counts - l, "%s%lu x%lu", l ? ", " : "",
                     (unsigned long)(EVENT_FIRST + k), (unsigned long)sv->by_id[k]);
        const struct event_shape *sh = &sv->newest[k];
        if (sv->by_id[k] && sh->strings < 0)
            selftest_note(out, "%lu, the newest: malformed (its strings overrun the record)",
                          (unsigned long)(EVENT_FIRST + k));
        else if (sv->by_id[k])
            selftest_note(out, "%lu, the newest: %d strings: %s", (unsigned long)(EVENT_FIRST + k),
                          sh->strings, sh->strings ? sh->text : "none");
    }
    const struct event_shape *failed = &sv->newest[EVENT_IDS - 1];
    if (!total)
        answer(out, SELFTEST_NOT_SHOWN,
               "no RasClient event 20221-20227 among the newest %lu records",
               (unsigned long)sv->scanned);
    else if (!sv->by_id[EVENT_IDS - 1])
        answer(out, SELFTEST_NOT_SHOWN, "%s; no failed dial (20227) to show the code", counts);
    else if (failed->strings > 0 && failed->names_profile && failed->ends_with_number)
        answer(out, SELFTEST_CONFIRMED,
               "%s; the newest 20227 names a listed profile and ends with a number", counts);
    else
        answer(out, SELFTEST_REFUTED,
               "%s; the newest 20227 %s and %s (a profile deleted since would explain the first)",
               counts, failed->names_profile ? "names a listed profile" : "names no listed profile",
               failed->ends_with_number ? "ends with a number" : "does not end with a number");
}

/* The profiles' names and this user's, for telling the strings apart. */
static void event_names_read(const struct ras_api *api, struct event_names *names,
                             struct ras_ref **refs)
{
    size_t n = 0;
    struct l2f_err err = {{0}};
    memset(names, 0, sizeof *names);
    if (ras_list(api, refs, &n, &err) == L2F_OK)
        for (size_t i = 0; i < n && names->n_profiles < PROFILES_ASKED; i++)
            names->profiles[names->n_profiles++] = (*refs)[i].name;
    DWORD cch = sizeof names->user / sizeof names->user[0];
    if (!GetUserNameW(names->user, &cch))
        names->user[0] = L'\0';
}

static void rasclient_events(const struct ras_api *api, struct selftest_answer *out)
{
    static struct event_survey sv; /* off the stack: the shapes are a few kB */
    struct event_names names;
    struct ras_ref *refs = NULL;
    memset(&sv, 0, sizeof sv);
    event_names_read(api, &names, &refs);
    HANDLE log = OpenEventLogW(NULL, L"Application");
    BYTE *buf = malloc(64 * 1024);
    DWORD read = 0, needed = 0;
    while (log && buf && sv.scanned < EVENTS_SCANNED &&
           ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0, buf, 64 * 1024,
                         &read, &needed))
        winselftest_survey_records(&sv, buf, read, &names);
    free(buf);
    free(refs);
    if (log)
        CloseEventLog(log);
    winselftest_events_answer(&sv, out);
}

static void ikeext_dependents(struct selftest_answer *out)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE svc = scm ? OpenServiceW(scm, L"IKEEXT", SERVICE_ENUMERATE_DEPENDENTS) : NULL;
    DWORD gle = GetLastError(), need = 0, count = 0;
    if (!svc) {
        answer(out, SELFTEST_ERROR, "IKEEXT cannot be opened (error %lu)", (unsigned long)gle);
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
        answer(out, SELFTEST_ERROR, "the process token cannot be opened");
        return;
    }
    bool ok = GetTokenInformation(token, TokenElevation, &elevated, sizeof elevated, &cb) &&
              GetTokenInformation(token, TokenElevationType, &type, sizeof type, &cb);
    CloseHandle(token);
    static const char *const types[] = {"?", "default (UAC off or a service)", "full (elevated)",
                                        "limited (not elevated)"};
    answer(out, ok ? SELFTEST_CONFIRMED : SELFTEST_ERROR, "elevated: %s; token type %s",
           elevated.TokenIsElevated ? "yes" : "no", (unsigned)type < 4 ? types[type] : "?");
}

static void os_build(struct selftest_answer *out)
{
    unsigned build, ubr;
    struct l2f_err err = {{0}};
    if (winreg_os_build(&build, &ubr, &err) == L2F_OK)
        answer(out, SELFTEST_CONFIRMED, "OS build %u.%u", build, ubr);
    else /* the January 2022 check reads them: unreadable refutes the assumption */
        answer(out, SELFTEST_REFUTED, "%s", err.msg);
}

enum l2f_status winselftest_item(const struct ras_api *api, enum selftest_id item, bool redact,
                                 struct selftest_answer *out)
{
    switch (item) {
    case SELFTEST_RASENTRY_SIZE:
        rasentry_size(api, redact, out);
        break;
    case SELFTEST_PBK_FLAGS:
        pbk_flags(api, redact, out);
        break;
    case SELFTEST_PSK_MASK:
        psk_mask(api, redact, out);
        break;
    case SELFTEST_EVENTS:
        rasclient_events(api, out);
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
