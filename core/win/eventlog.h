/* The last connection result Windows logged for a profile: RasClient events
 * 20227 (ROUTERLOG_RASCONNECTION_FAILED) and 20225 (connection established)
 * in the Application log, and how far that dial got: its progress events
 * 20221-20224, tied to it by their CoId. Windows only. */
#ifndef L2F_WIN_EVENTLOG_H
#define L2F_WIN_EVENTLOG_H

#include <windows.h>

#include <stdbool.h>

#include "backend.h"

#define RASCLIENT_EVENT_ESTABLISHED 20225
#define RASCLIENT_EVENT_FAILED 20227

/* One RasClient record of a dial, as winlog_read finds it. */
struct winlog_record {
    DWORD id;         /* 20221-20227 */
    bool named;       /* the profile is among its insertion strings */
    bool has_code;    /* 20227: the error string was read */
    int code;         /* 20227: the error (an HRESULT_FROM_WIN32 folded to its code); 20225: 0 */
    wchar_t coid[64]; /* the dial's correlation id, "{...}"; empty when the record has none */
};

/* Reads one RasClient record with an id in 20221-20227: false for anything
 * else or a record that does not hold together. The profile is matched among
 * the insertion strings rather than by position; the error is the last
 * string that is a number, read as Windows writes it (a negative decimal is
 * an HRESULT, kb_parse_code). */
bool winlog_read(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile,
                 struct winlog_record *out);
/* True when rec is a RasClient result for profile, with *code 0 (established)
 * or the error code. */
bool winlog_match(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile, int *code);

/* The newest-first walk through the log, fed a buffer at a time. */
struct winlog_walk {
    const wchar_t *profile;
    struct connection_record *out;
    wchar_t coid[64]; /* the result's dial, while its progress events are looked for */
    int scanned;      /* records read, bounded */
    int after_result; /* records read since the result, bounded */
    bool done;
};
/* Reads the records in buf[0, len), newest first: the first result for the
 * profile fills out (known, code, when), then the progress events of the
 * same dial set out->reached. Sets w->done when nothing more is to be found. */
void winlog_walk_records(struct winlog_walk *w, const BYTE *buf, DWORD len);
/* Searches the newest records (a bounded number) for the profile's last result. */
enum l2f_status winlog_last_result(const char *profile, struct connection_record *out,
                                   struct l2f_err *err);

#endif
