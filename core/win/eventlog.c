#include "eventlog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "kb.h"
#include "profile.h"
#include "winutil.h"

#define MAX_RECORDS_SCANNED 5000
/* a dial's progress events come within seconds of its result */
#define MAX_RECORDS_AFTER_RESULT 500

/* A NUL-terminated wide string inside [p, end), or NULL. */
static const wchar_t *next_string(const BYTE *p, const BYTE *end)
{
    for (const BYTE *q = p; q + sizeof(wchar_t) <= end; q += sizeof(wchar_t))
        if (*(const wchar_t *)(const void *)q == 0)
            return (const wchar_t *)(const void *)p;
    return NULL;
}

/* An insertion string that is an error code: decimal, negative or not (kb_parse_code). */
static bool read_number(const wchar_t *s, int *code)
{
    char narrow[16];
    size_t n = wcslen(s);
    if (n == 0 || n >= sizeof narrow)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (s[i] > 0x7F)
            return false;
        narrow[i] = (char)s[i];
    }
    return kb_parse_code(narrow, code);
}

/* The "{...}" in a string such as "CoId={6A1B...}", into coid; false when none. */
static bool read_coid(const wchar_t *s, wchar_t *coid, size_t cap)
{
    const wchar_t *open = wcschr(s, L'{'), *close = open ? wcschr(open, L'}') : NULL;
    if (!close || (size_t)(close - open) + 1 >= cap)
        return false;
    size_t n = (size_t)(close - open) + 1;
    wmemcpy(coid, open, n);
    coid[n] = 0;
    return true;
}

static bool is_rasclient_dial_event(const EVENTLOGRECORD *rec, DWORD len)
{
    if (len < sizeof *rec || rec->Length > len || rec->Length < sizeof *rec)
        return false;
    DWORD id = rec->EventID & 0xFFFF; /* the high bits are severity and facility */
    if (id < KB_EVENT_PRECONNECT || id > RASCLIENT_EVENT_FAILED)
        return false;
    const BYTE *base = (const BYTE *)rec;
    const wchar_t *source = next_string(base + sizeof *rec, base + rec->Length);
    return source && wcscmp(source, L"RasClient") == 0 && rec->StringOffset < rec->Length;
}

bool winlog_read(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile,
                 struct winlog_record *out)
{
    memset(out, 0, sizeof *out);
    if (!is_rasclient_dial_event(rec, len))
        return false;
    const BYTE *base = (const BYTE *)rec, *end = base + rec->Length;
    const BYTE *p = base + rec->StringOffset;
    out->id = rec->EventID & 0xFFFF;
    for (WORD i = 0; i < rec->NumStrings; i++) {
        const wchar_t *s = next_string(p, end);
        if (!s)
            return false;
        out->named |= wcscmp(s, profile) == 0;
        if (!out->coid[0])
            read_coid(s, out->coid, sizeof out->coid / sizeof out->coid[0]);
        int code;
        /* the error is the last number: a negative one is an HRESULT, read all the same */
        if (out->id == RASCLIENT_EVENT_FAILED && read_number(s, &code)) {
            out->code = code;
            out->has_code = true;
        }
        p += (wcslen(s) + 1) * sizeof(wchar_t);
    }
    return true;
}

bool winlog_match(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile, int *code)
{
    struct winlog_record r;
    if (!winlog_read(rec, len, profile, &r) || !r.named)
        return false;
    if (r.id == RASCLIENT_EVENT_ESTABLISHED) {
        *code = 0;
        return true;
    }
    if (r.id != RASCLIENT_EVENT_FAILED || !r.has_code)
        return false;
    *code = r.code;
    return true;
}

static void record_time(const EVENTLOGRECORD *rec, struct connection_record *out)
{
    time_t t = (time_t)rec->TimeGenerated; /* seconds since 1970, UTC */
    struct tm tmv;
    if (gmtime_s(&tmv, &t) == 0)
        strftime(out->when, sizeof out->when, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

/* One record of the walk: first the result, then its dial's progress. */
static void walk_one(struct winlog_walk *w, const EVENTLOGRECORD *rec)
{
    struct winlog_record r;
    int code;
    if (!w->out->known) {
        if (!winlog_match(rec, rec->Length, w->profile, &code))
            return;
        w->out->known = true;
        w->out->code = code;
        record_time(rec, w->out);
        winlog_read(rec, rec->Length, w->profile, &r);
        /* a connected dial went all the way; one without a CoId cannot be followed */
        w->done = code == 0 || !r.coid[0];
        wcscpy(w->coid, r.coid);
        return;
    }
    if (++w->after_result > MAX_RECORDS_AFTER_RESULT) {
        w->done = true;
        return;
    }
    if (!winlog_read(rec, rec->Length, w->profile, &r) || wcscmp(r.coid, w->coid) != 0)
        return;
    if (r.id >= KB_EVENT_PRECONNECT && r.id <= KB_EVENT_LINK_ESTABLISHED &&
        (int)r.id > w->out->reached)
        w->out->reached = (int)r.id;
    w->done = r.id == KB_EVENT_PRECONNECT; /* the dial's first event: nothing older belongs to it */
}

void winlog_walk_records(struct winlog_walk *w, const BYTE *buf, DWORD len)
{
    for (DWORD off = 0; off + sizeof(EVENTLOGRECORD) <= len && !w->done; w->scanned++) {
        const EVENTLOGRECORD *rec = (const EVENTLOGRECORD *)(const void *)(buf + off);
        if (w->scanned >= MAX_RECORDS_SCANNED || rec->Length < sizeof *rec ||
            rec->Length > len - off) {
            w->done = true;
            break;
        }
        walk_one(w, rec);
        off += rec->Length;
    }
}

enum l2f_status winlog_last_result(const char *profile, struct connection_record *out,
                                   struct l2f_err *err)
{
    wchar_t wprofile[PROFILE_NAME_MAX];
    memset(out, 0, sizeof *out);
    if (!win_to_wide(profile, wprofile, sizeof wprofile / sizeof wprofile[0]))
        return L2F_ERR_USAGE;
    HANDLE log = OpenEventLogW(NULL, L"Application");
    if (!log)
        return win_status(GetLastError(), "the Application event log", err);
    DWORD size = 64 * 1024, read = 0, needed = 0;
    BYTE *buf = malloc(size);
    enum l2f_status st = buf ? L2F_OK : L2F_ERR_NOMEM;
    struct winlog_walk w = {.profile = wprofile, .out = out};
    while (st == L2F_OK && !w.done) {
        if (!ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0, buf, size,
                           &read, &needed)) {
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
        winlog_walk_records(&w, buf, read);
    }
    free(buf);
    CloseEventLog(log);
    return st;
}
