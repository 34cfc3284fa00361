/* The live backend's selftest items (selftest.h): what this Windows answers
 * to each assumption, read-only and without a secret. Windows only. */
#ifndef L2F_WIN_SELFTEST_WIN_H
#define L2F_WIN_SELFTEST_WIN_H

#include <stdbool.h>

#include <lmcons.h>

#include "ras.h"
#include "selftest.h"
#include "status.h"

#define EVENT_FIRST 20221 /* RasClient: dial begun ... */
#define EVENT_LAST 20227  /* ... dial failed, with its code */
#define EVENT_IDS (EVENT_LAST - EVENT_FIRST + 1)
#define EVENT_PROFILES_MAX 64

/* What the strings are told apart by: the profiles' names and this user's. */
struct event_names {
    const wchar_t *profiles[EVENT_PROFILES_MAX];
    size_t n_profiles;
    wchar_t user[UNLEN + 1];
};

/* The newest record of one id, by shape: "[1] a CoId {...}, [2] the user, ...";
 * strings -1 for a malformed record. The strings themselves are never kept. */
struct event_shape {
    int strings;
    bool names_profile, ends_with_number;
    char text[SELFTEST_NOTE_LEN - 40];
};

/* RasClient records 20221-20227 of the Application log, newest first. */
struct event_survey {
    size_t by_id[EVENT_IDS], scanned;
    struct event_shape newest[EVENT_IDS];
};

/* Adds the records of one ReadEventLogW buffer (newest first) to sv. */
void winselftest_survey_records(struct event_survey *sv, const BYTE *buf, DWORD len,
                                const struct event_names *names);
/* The rasclient-events answer from a survey: counts, a note per id, the verdict. */
void winselftest_events_answer(const struct event_survey *sv, struct selftest_answer *out);

/* True under Wine (ntdll exports wine_get_version): its answers prove nothing of Windows. */
bool winselftest_under_wine(void);
/* One item through api (the RAS seam); L2F_ERR_UNSUPPORTED for an unknown item. */
enum l2f_status winselftest_item(const struct ras_api *api, enum selftest_id item, bool redact,
                                 struct selftest_answer *out);

#endif
