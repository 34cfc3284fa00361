/* Diagnosis: what the backend lets a client observe -> a result per check.
 * Observation is split into steps so a front end can show results as they
 * arrive; evaluation is a pure function of the observations. */
#ifndef L2F_DIAGNOSE_H
#define L2F_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "dialstage.h"
#include "model.h"
#include "net/handshake.h"
#include "net/ikev2run.h"

/* Each part records whether it was gathered yet and how that went. */
struct observations {
    bool have_profile;
    enum l2f_status profile_st;
    struct vpn_profile profile;

    bool have_admin;
    enum l2f_status admin_st;
    bool admin;

    bool have_machine;
    bool machine_unsupported; /* the backend cannot tell (a phonebook file offline) */
    struct machine_info machine;
    /* read with the machine, for a profile that authenticates with a certificate */
    bool have_cert;
    bool cert_unsupported; /* the backend cannot read the store (a phonebook file offline) */
    enum l2f_status cert_st;
    struct machine_cert cert;

    bool have_registry;
    enum l2f_status reg_st[REGVAL_COUNT];
    bool reg_exists[REGVAL_COUNT];
    unsigned long reg[REGVAL_COUNT];

    bool have_services;
    enum l2f_status svc_st[SERVICE_COUNT];
    struct service_status services[SERVICE_COUNT];

    bool have_last;
    enum l2f_status last_st;
    struct connection_record last;
    /* the profile was changed since that attempt (or the attempt's time is not
     * known and it was changed): its result says nothing of the settings now */
    bool last_stale;

    bool have_probe;
    enum l2f_status probe_st;
    struct probe_report probe;

    bool have_key; /* a key was at hand and was checked */
    enum l2f_status key_st;
    enum psk_verdict key;
    bool key_typed; /* the verdict is on the key typed for use-psk earlier (key_told) */

    /* what handshakes from here saw the profile's server do with the LCP
     * extensions on and off (kept in the state directory) */
    bool have_lcp_seen;
    struct hs_lcp_seen lcp_seen;
    /* what the newest `handshake --ikev2` from here saw of the profile's
     * server (kept in the state directory): switch-ikev2 rests on it */
    bool have_ikev2_seen;
    struct ikev2_seen ikev2_seen;
    /* that record trusted the server through a CA file (ikev2_seen.ca_sha1): whether
     * LocalMachine\Root holds it; root_st L2F_ERR_UNSUPPORTED where the backend cannot
     * reach the store (a phonebook file) */
    bool have_root;
    enum l2f_status root_st;
    bool root_present;

    /* Not seen but given by whoever starts the run: "l2tpfix" and the options
     * of this run that `probe` takes (its state directory), what a hint puts
     * before `probe HOST` so that copying it asks again into the same cache.
     * NULL: "l2tpfix". */
    const char *probe_hint;
};

struct check_result {
    enum check_status status;
    bool not_applicable; /* nothing to test (no key at hand, another VPN type): left out of its
                            stage's verdict */
    bool other_type;     /* not_applicable because the profile is another kind of VPN ("n/a"), not
                            "skipped" */
    char summary[320];   /* one line naming the observed value */
    enum fix_id fix;     /* FIX_NONE unless a fix would change something */
    /* offered on its check, never applied by `fix all`: the fix table's kind,
     * unless the evidence seen promotes or demotes it */
    bool fix_is_alternative;
};

struct diagnosis {
    struct check_result checks[CHECK_COUNT];
    enum check_status stages[STAGE_COUNT];
    enum fix_id recommended[FIX_COUNT]; /* in the recommended order */
    size_t n_recommended;
    bool probe_reused; /* the server checks judged answers from probe_age_s ago */
    unsigned probe_age_s;
    struct last_dial last_dial; /* the last real attempt, placed among the stages */
    /* what a server that refused Windows' offer accepts (probe_report.accepts) */
    bool server_enumerated;
    struct probe_accepts server_accepts;
};

enum diagnose_step {
    DIAG_PROFILE,
    DIAG_ADMIN,
    DIAG_REGISTRY,
    DIAG_SERVICES,
    DIAG_LAST,
    DIAG_PROBE,
    DIAG_KEY,
    DIAG_DONE
};

struct journal;
struct probe;

struct diagnose_run {
    struct backend *be;
    const struct journal *journal; /* to tell a stale last result; may be NULL */
    bool real_probe;               /* send real packets even when the backend simulates */
    unsigned probe_wait_ms;        /* how long one step may wait for answers (0: never) */
    unsigned probe_timeout_ms;
    struct probe *live_probe; /* the real probe under way */
    const char *cache_dir;    /* where recent probe answers are kept; may be NULL */
    const char *psk;          /* a key to check against the server, or NULL; not kept */
    /* without psk: the server's verdict on a key typed for use-psk earlier, if
     * it was tested against told_server (the key itself is gone) */
    bool key_told;
    enum psk_verdict told_key;
    char told_server[PROFILE_SERVER_MAX];
    char profile[PROFILE_NAME_MAX];
    enum diagnose_step next;
    struct observations obs;
    struct l2f_err err; /* why the profile could not be read, if it could not */
};

void diagnose_start(struct diagnose_run *run, struct backend *be, const char *profile);
/* Lets the run compare the last attempt with the changes the journal holds. */
void diagnose_use_journal(struct diagnose_run *run, const struct journal *journal);
/* Gathers the next part; returns false once everything is gathered. A real
 * probe takes several steps, none waiting longer than probe_wait_ms. */
bool diagnose_step(struct diagnose_run *run);
/* Checks a key against host: the backend's simulation, or (real, or a backend
 * without one) the real exchange, paced through state_dir. The real one also
 * reads NAT-D: *client_nat and *server_nat (when not NULL) become 1 or 0 when
 * it tells, and stay untouched when not. */
enum l2f_status diagnose_check_key(struct backend *be, bool real, const char *state_dir,
                                   const char *host, const char *psk, enum psk_verdict *verdict,
                                   int *client_nat, int *server_nat, struct l2f_err *err);
/* Frees what a run still holds (a probe under way); safe to call twice. */
void diagnose_cancel(struct diagnose_run *run);
/* Runs the remaining steps of a started run, then evaluates; returns the
 * status of reading the profile (err says why it could not be read). */
enum l2f_status diagnose_finish(struct diagnose_run *run, struct observations *obs,
                                struct diagnosis *d, struct l2f_err *err);
/* diagnose_start, then diagnose_finish. */
enum l2f_status diagnose_all(struct backend *be, const char *profile, struct observations *obs,
                             struct diagnosis *d, struct l2f_err *err);

/* Pure: results for every check from what was observed so far (parts not yet
 * gathered give CHECK_RUNNING), stage summaries and the recommended fixes. */
void diagnose_evaluate(const struct observations *obs, struct diagnosis *d);
/* TUN_* bits of the tunnel protocols a VpnStrategy value makes Windows try
 * (MS-RRASM 2.2.2.2.11); every bit for 0 and for values ras.h does not define. */
unsigned diagnose_strategy_tunnels(long strategy);
/* False for a check of protocols the profile's VpnStrategy never tries. */
bool diagnose_check_applies(const struct vpn_profile *p, enum check_id c);
/* True when the fix must not be offered on what was observed (switch-ikev2
 * without an IKEv2 answer); why then says so in one line. */
bool diagnose_fix_refused(const struct observations *obs, enum fix_id fix, char *why, size_t len);
/* True when a check fails or warns: the command line's exit code 1. */
bool diagnosis_has_problems(const struct diagnosis *d);

/* "n/a" (another kind of VPN), "skipped" (nothing to test) or the status word. */
const char *check_result_word(const struct check_result *r);

struct hs_result;
/* What a handshake from here says about this client, given its profile's
 * AuthRestrictions: the fix it implies (FIX_NONE when none) and one line. The
 * protocol engine reports what the server did; the choice of fix is made here. */
enum fix_id diagnose_handshake_advice(const struct hs_result *r, long auth_restrictions, char *text,
                                      size_t len);

#endif
