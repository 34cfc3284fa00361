/* `l2tpfix selftest`: every read-only path of the machine, asked what only
 * real Windows can confirm (README, "Only real Windows can confirm"), one
 * assumption an item. Nothing is changed, no secret is read or written;
 * names can be redacted. The report is what a technician attaches to a
 * ticket. The core builds it and renders text and JSON; it prints nothing. */
#ifndef L2F_SELFTEST_H
#define L2F_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* X(enum, id, the assumption it confirms or refutes) */
#define SELFTEST_TABLE(X)                                                                          \
    X(SELFTEST_RASENTRY_SIZE, "rasentry-size",                                                     \
      "RasGetEntryPropertiesW takes the RASENTRYW size l2tpfix passes (the mingw XP layout)")      \
    X(SELFTEST_PBK_FLAGS, "pbk-flags",                                                             \
      "the settings RAS reads for each profile match its phonebook file's keys")                   \
    X(SELFTEST_PSK_MASK, "psk-mask",                                                               \
      "a saved pre-shared key shows in RasGetCredentialsW's dwMask (RASCM_PreSharedKey)")          \
    X(SELFTEST_EVENTS, "rasclient-events",                                                         \
      "RasClient events 20221-20227 name the profile in an insertion string and end with the "     \
      "code")                                                                                      \
    X(SELFTEST_IKEEXT_DEPENDENTS, "ikeext-dependents",                                             \
      "IKEEXT's running dependents can be listed (stopped first on a restart)")                    \
    X(SELFTEST_ELEVATION, "elevation", "l2tpfix can tell whether it runs elevated")                \
    X(SELFTEST_OS_BUILD, "os-build", "CurrentBuild and UBR can be read (the January 2022 check)")

#define SELFTEST_ENUM(e, id, what) e,
enum selftest_id { SELFTEST_TABLE(SELFTEST_ENUM) SELFTEST_COUNT };
#undef SELFTEST_ENUM

/* X(enum, id): what this machine said of an assumption */
#define SELFTEST_VERDICT_TABLE(X)                                                                  \
    X(SELFTEST_CONFIRMED, "confirmed") /* it holds here */                                         \
    X(SELFTEST_REFUTED, "refuted")     /* it does not: the detail says what was seen */            \
    X(SELFTEST_NOT_SHOWN, "not-shown") /* nothing here shows it (no PSK profile, no event) */      \
    X(SELFTEST_SIMULATED, "simulated") /* the mock's answer, not a machine's */                    \
    X(SELFTEST_WINE, "wine")           /* Wine stubs the API: its answer proves nothing */         \
    X(SELFTEST_ERROR, "error")         /* the API failed in a way that settles nothing */

#define SELFTEST_VERDICT_ENUM(e, id) e,
enum selftest_verdict { SELFTEST_VERDICT_TABLE(SELFTEST_VERDICT_ENUM) SELFTEST_VERDICT_COUNT };
#undef SELFTEST_VERDICT_ENUM

#define SELFTEST_NOTES_MAX 24 /* per item: the rest are counted, not listed */
#define SELFTEST_NOTE_LEN 200

struct selftest_answer {
    enum selftest_verdict verdict;
    char evidence[600]; /* what was seen, one line; names redacted when asked */
    /* one line per profile, key or event the evidence sums up */
    char notes[SELFTEST_NOTES_MAX][SELFTEST_NOTE_LEN];
    unsigned n_notes, notes_dropped;
};

struct selftest_report {
    char backend[160]; /* the backend's description */
    bool redacted;
    struct selftest_answer items[SELFTEST_COUNT];
};

const char *selftest_id(enum selftest_id id);
const char *selftest_assumption(enum selftest_id id);
const char *selftest_verdict_id(enum selftest_verdict v);
/* Adds one line under an answer's evidence (counted, not kept, past the max). */
void selftest_note(struct selftest_answer *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

struct backend;
/* Asks every item of the backend (its selftest slot; the core's own reading
 * for elevation and the OS build where the backend has none). Read-only.
 * With redact, every profile, owner and user name the backend lists, this
 * user's and this computer's name are then replaced wherever a backend's
 * answer still holds one: the last net under the backends' own redaction. */
void selftest_run(struct backend *be, bool redact, struct selftest_report *out);
/* The report as text or JSON (malloc'd, NUL-terminated). */
enum l2f_status selftest_text(const struct selftest_report *r, char **out);
enum l2f_status selftest_json(const struct selftest_report *r, char **out);

#endif
