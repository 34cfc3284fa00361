/* A session: one backend, its journal and the selected profile. The command
 * line and the TUI both work through it, so they behave the same. */
#ifndef L2F_SESSION_H
#define L2F_SESSION_H

#include <stdbool.h>

#include "backend.h"
#include "selftest.h"
#include "diagnose.h"
#include "net/hsconnect.h"
#include "net/ikev2connect.h"
#include "fixes.h"
#include "journal.h"
#include "platform.h"

struct session_options {
    const char *demo;      /* built-in scenario name, or NULL */
    const char *mock_file; /* scenario file, or NULL */
    const char *phonebook; /* a rasphone.pbk to work on offline, or NULL */
    bool all_users;        /* every local user's phonebook too (session_include_other_users) */
    const char *state_dir; /* NULL: the default state directory */
    const char *holder;    /* the command ("fix all"), for the lock's wait message */
    /* "l2tpfix" and the options that name this machine, its state directory
     * and (hint_profile) the profile: what a hint puts before the command it
     * names, so that copying it acts on the same machine. NULL: "l2tpfix". */
    const char *hint_machine, *hint_profile;
    /* the same for `probe HOST`, which takes no machine options: only the
     * state directory, where its cached answer is kept. NULL: "l2tpfix". */
    const char *hint_probe;
};

#define SESSION_HINT_MAX 1024

struct session {
    struct backend be;
    bool be_open;
    struct journal journal;
    char state_dir[PLAT_PATH_MAX]; /* empty in demo mode: nothing is written */
    char backup_dir[PLAT_PATH_MAX];
    char holder[96]; /* what this process does, written into the state lock */
    char hint_machine[SESSION_HINT_MAX], hint_profile[SESSION_HINT_MAX]; /* see session_options */
    char hint_probe[SESSION_HINT_MAX];
    char profile[PROFILE_NAME_MAX];
    bool other_users;        /* every local user's phonebook is included */
    bool real_probe;         /* probe the real server even on a simulated machine */
    const char *check_psk;   /* a key the diagnosis tests (psk-matches); the caller wipes it */
    bool store_rejected_key; /* the explicit override: save a key the server rejects */
    bool key_tested;         /* the last use-psk tested its key first */
    enum psk_verdict key_verdict;
    /* the verdict on the last key typed for use-psk, for psk-matches in the
     * diagnoses after it; which profile and server it was tested for */
    struct {
        bool known;
        enum psk_verdict verdict;
        char profile[PROFILE_NAME_MAX];
        char server[PROFILE_SERVER_MAX];
    } typed_key;
    /* The test connection as the real handshake from this machine, instead of
     * the backend's dial: on Linux, or beside RasDial on Windows. The caller
     * owns and wipes the secrets. */
    struct {
        bool on;
        const char *psk, *user, *password;
        unsigned timeout_ms;
    } real_handshake;
    struct hs_connect *hs;       /* the real handshake under way */
    struct ikev2_connect *ikev2; /* the IKEv2 exchange under way (session_ikev2_start) */
    /* after a real handshake: what it says about this client, and the fix */
    char connect_advice[192];
    enum fix_id connect_advice_fix;
};

/* Opens the backend the options name (on Linux only the mock exists; the live
 * backend needs Windows and says so) and loads the journal. */
enum l2f_status session_open(struct session *s, const struct session_options *opts,
                             struct l2f_err *err);
void session_close(struct session *s);
/* From now on the profiles of every local user's phonebook too, named
 * "owner\entry" (the live and mock backends); needs an administrator. */
enum l2f_status session_include_other_users(struct session *s, struct l2f_err *err);
/* Picks the profile: the one named, else the only VPN, else the only L2TP
 * VPN; otherwise an error listing them. A dial-up, PPPoE or other non-VPN
 * entry is never picked: named, it is refused (UNSUPPORTED) naming its type. */
enum l2f_status session_select_profile(struct session *s, const char *name, struct l2f_err *err);
/* What the front ends ask of the machine: the backend answers through these
 * and nothing else (only the session, the fixes and the diagnosis touch
 * be.ops). */
/* "mock", "phonebook", "windows": what kind of machine this is. */
const char *session_backend_name(const struct session *s);
/* One line for a header: "mock: classic-789", "Windows (live)". */
const char *session_describe(struct session *s);
/* The machine's identity, as its journal entries name it. */
const char *session_machine_id(struct session *s);
/* Whether session_include_other_users has profiles to add: the backend has
 * other users' phonebooks and they are not included yet. */
bool session_can_include_other_users(const struct session *s);
enum l2f_status session_is_admin(struct session *s, bool *admin);
/* The read-only selftest of this machine (selftest.h). */
void session_selftest(struct session *s, bool redact, struct selftest_report *out);
/* The best machine certificate in LocalMachine\My and why each fails;
 * UNSUPPORTED where the backend cannot read the store (a phonebook file). */
enum l2f_status session_machine_certificate(struct session *s, struct machine_cert *out,
                                            struct l2f_err *err);
/* Every profile of the machine's phonebooks, VPN or not; the caller frees it. */
enum l2f_status session_list_profiles(struct session *s, struct profile_list *out,
                                      struct l2f_err *err);
/* The selected profile as the machine has it now; NOT_FOUND when none is selected. */
enum l2f_status session_read_profile(struct session *s, struct vpn_profile *out,
                                     struct l2f_err *err);
/* This machine's journal entries, newest first: going back from index *pos
 * (start at journal.count), *pos moved to the one returned; NULL when none is
 * left. A record that cannot be decoded is passed over (journal.damage says so). */
const struct journal_entry *session_history_prev(struct session *s, size_t *pos);
/* The same walk over the entries undo can take back (fix_prev_undoable);
 * a damaged record is passed over too: the undo itself names it. */
const struct journal_entry *session_undoable_prev(struct session *s, size_t *pos);

/* A diagnosis of the selected profile that knows this session's journal. */
void session_diagnose_start(struct session *s, struct diagnose_run *run);
enum l2f_status session_diagnose(struct session *s, struct observations *obs, struct diagnosis *d,
                                 struct l2f_err *err);
void session_fix_context(struct session *s, struct fix_context *ctx);
/* Applies a plan under the state lock (fix_apply), the key checked first. */
enum l2f_status session_apply(struct session *s, const struct fix_plan *plan,
                              const struct fix_secrets *secrets, int64_t *entry_id,
                              struct l2f_err *err);
/* Whether a change of this machine's journal waits for Windows to restart
 * (fix_restart_pending), asked of the journal and the backend's boot time. */
void session_restart_pending(struct session *s, struct restart_pending *out);
/* Writes a file of the state directory (a baseline) under its lock. */
enum l2f_status session_write_locked(struct session *s, const char *path, const char *text,
                                     struct l2f_err *err);

/* The test connection of the selected profile: the backend's, or the real
 * handshake against the profile's server (real_handshake.on). Poll without
 * blocking until CONNECT_DONE; cancel hangs up. */
enum l2f_status session_connect_start(struct session *s, struct l2f_err *err);
bool session_connect_poll(struct session *s, struct connect_event *ev);
void session_connect_cancel(struct session *s);
/* The IKEv2 exchange Windows would make (handshake --ikev2) against the
 * selected profile's server, as a test connection: the backend's simulation
 * or the real one, polled and cancelled like it (session_connect_poll and
 * _cancel) with the tunnel, IPsec and authentication stages. Its outcome is
 * remembered in the state directory for ikev2-available. The caller owns and
 * wipes user and password; ca_file NULL: the system's trusted roots. */
enum l2f_status session_ikev2_start(struct session *s, const char *user, const char *password,
                                    const char *ca_file, struct l2f_err *err);

#endif
