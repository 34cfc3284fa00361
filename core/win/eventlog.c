#include "eventlog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile.h"
#include "winutil.h"

#define MAX_RECORDS_SCANNED 5000

/* A NUL-terminated wide string inside [p, end), or NULL. */
static const wchar_t *next_string(const BYTE *p, const BYTE *end)
{
    for (const BYTE *q = p; q + sizeof(wchar_t) <= end; q += sizeof(wchar_t))
        if (*(const wchar_t *)(const void *)q == 0)
            return (const wchar_t *)(const void *)p;
    return NULL;
}

static bool all_digits(const wchar_t *s)
{
    if (!*s || wcslen(s) > 5)
        return false;
    for (; *s; s++)
        if (*s < L'0' || *s > L'9')
            return false;
    return true;
}

bool winlog_match(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile, int *code)
{
    const BYTE *base = (const BYTE *)rec, *end = base + len;
    if (len < sizeof *rec || rec->Length > len)
        return false;
    end = base + rec->Length;
    DWORD id = rec->EventID & 0xFFFF; /* the high bits are severity and facility */
    if (id != RASCLIENT_EVENT_FAILED && id != RASCLIENT_EVENT_ESTABLISHED)
        return false;
    const wchar_t *source = next_string(base + sizeof *rec, end);
    if (!source || wcscmp(source, L"RasClient") != 0)
        return false;
    if (rec->StringOffset >= rec->Length)
        return false;
    const BYTE *p = base + rec->StringOffset;
    bool named = false;
    const wchar_t *last_number = NULL;
    for (WORD i = 0; i < rec->NumStrings; i++) {
        const wchar_t *s = next_string(p, end);
        if (!s)
            return false;
        named |= wcscmp(s, profile) == 0;
        if (all_digits(s))
            last_number = s;
        p += (wcslen(s) + 1) * sizeof(wchar_t);
    }
    if (!named)
        return false;
    if (id == RASCLIENT_EVENT_ESTABLISHED) {
        *code = 0;
        return true;
    }
    if (!last_number)
        return false;
    *code = (int)wcstol(last_number, NULL, 10);
    return true;
}

enum l2f_status winlog_last_result(const char *profile, struct connection_record *out, struct l2f_err *err)
{
    wchar_t wprofile[PROFILE_NAME_MAX];
    out->known = false;
    if (!win_to_wide(profile, wprofile, sizeof wprofile / sizeof wprofile[0]))
        return L2F_ERR_USAGE;
    HANDLE log = OpenEventLogW(NULL, L"Application");
    if (!log)
        return win_status(GetLastError(), "the Application event log", err);
    DWORD size = 64 * 1024, read = 0, needed = 0;
    BYTE *buf = malloc(size);
    enum l2f_status st = buf ? L2F_OK : L2F_ERR_NOMEM;
    int scanned = 0;
    while (st == L2F_OK && !out->known && scanned < MAX_RECORDS_SCANNED) {
        if (!ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0, buf, size, &read, &needed)) {
            DWORD e = GetLastError();
            if (e == ERROR_INSUFFICIENT_BUFFER && needed > size) {
                BYTE *bigger = realloc(buf, needed);
                if (!bigger) {
                    st = L2F_ERR_NOMEM;
                    break;
                }
                buf = bigger;
                size = needed;
                continue;
            }
            if (e != ERROR_HANDLE_EOF)
                st = win_status(e, "reading the Application event log", err);
            break;
        }
        /* newest first: the first match is the last result */
        for (DWORD off = 0; off + sizeof(EVENTLOGRECORD) <= read && !out->known; scanned++) {
            const EVENTLOGRECORD *rec = (const EVENTLOGRECORD *)(const void *)(buf + off);
            if (rec->Length == 0 || off + rec->Length > read)
                break;
            int code;
            if (winlog_match(rec, rec->Length, wprofile, &code)) {
                out->known = true;
                out->code = code;
                time_t t = (time_t)rec->TimeGenerated; /* seconds since 1970, UTC */
                struct tm tmv;
                if (gmtime_s(&tmv, &t) == 0)
                    strftime(out->when, sizeof out->when, "%Y-%m-%dT%H:%M:%SZ", &tmv);
            }
            off += rec->Length;
        }
    }
    free(buf);
    CloseEventLog(log);
    return st;
}
