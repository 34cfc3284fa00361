/* The seam between the core and a machine: one struct of function pointers
 * per backend (mock, windows), state behind an opaque pointer. No Windows type
 * appears here. Every slot returns a status and fills out-parameters; on
 * failure it writes a one-line reason into err. */
#ifndef L2F_BACKEND_H
#define L2F_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "machinecert.h"
#include "model.h"
#include "net/probeenum.h"
#include "profile.h"
#include "selftest.h"
#include "status.h"
#include "winsettings.h"

enum secret_kind { SECRET_PSK, SECRET_PASSWORD };

struct service_status {
    enum service_state state;
    enum service_start start_type;
};

enum service_action { SVC_ACTION_START, SVC_ACTION_STOP, SVC_ACTION_RESTART };

enum probe_outcome {
    PROBE_ACCEPTED,    /* the server chose one of Windows' proposals */
    PROBE_NO_PROPOSAL, /* alive, but accepts none of them (788) */
    PROBE_NO_ANSWER,   /* filtered or down */
    PROBE_ERROR        /* unresolvable, unreachable network, malformed reply */
};

/* What a client can learn about the server from its own side of the wire. */
struct probe_report {
    bool resolved;
    bool literal;     /* the host was an address: nothing to resolve */
    char address[64]; /* the address probed, when resolved */
    enum probe_outcome ike500, ike4500, ikev2;
    char transform[64];    /* e.g. "aes256-sha1-modp2048" when accepted */
    int client_behind_nat; /* 1, 0, or -1 unknown */
    int server_behind_nat; /* from NAT-D: 1, 0, or -1 unknown */
    bool reused;           /* answers of a probe made age_s ago, not asked again */
    unsigned age_s;
    /* after NO-PROPOSAL-CHOSEN on 500: what the server does accept (net/probeenum) */
    bool enumerated;
    struct probe_accepts accepts;
};

/* What the server said to a pre-shared key (IKEv1 Main Mode 1-6). */
enum psk_verdict {
    PSK_ACCEPTED,    /* message 6 decrypted and HASH_R verified */
    PSK_REJECTED,    /* what a wrong key gets: silence or garbage after message 5, a Delete */
    PSK_INCONCLUSIVE /* the exchange stopped before the key was tested */
};

/* The last connection attempt Windows recorded for a profile. */
struct connection_record {
    bool known;
    int code;      /* 0 = connected, else the RAS error code */
    char when[32]; /* UTC "2026-11-23T23:40:00.123Z", empty when not known */
    int reached; /* the dial's last progress event (20221-20224, kb_dial_reach), 0 when not known */
};

enum connect_event_kind {
    CONNECT_STAGE_BEGIN, /* the connection reached this stage */
    CONNECT_STAGE_PASS,  /* ... and got through it */
    CONNECT_DONE         /* finished: code 0 connected, else the RAS error */
};

struct connect_event {
    enum connect_event_kind kind;
    enum stage_id stage; /* for DONE with an error: the stage it stopped in */
    int code;
    char detail[160];
};

/* The machine itself. boot: when Windows last started, UTC
 * "2026-11-23T23:40:00.123Z" like the journal's times: a change that takes effect
 * after a restart waits for one while it was made after this. A simulation that
 * applies such a change at once (the mock) sets boot_at_once and leaves boot empty.
 * os_build/os_ubr: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion CurrentBuild
 * and UBR (19044 and 1466 for "19044.1466"); os_build 0 when this machine has none to
 * tell (a scenario that names none); os_st says why they could not be read. */
struct machine_info {
    char boot[32];
    bool boot_at_once;
    unsigned os_build, os_ubr;
    enum l2f_status os_st;
};

struct profile_list {
    struct vpn_profile *items;
    size_t count;
};
void profile_list_free(struct profile_list *list);

struct backend;
struct ikev2_options; /* net/ikev2run.h */
struct ikev2_result;

struct backend_ops {
    const char *name; /* "mock", "windows" */
    /* arg: the backend's own argument (mock: scenario file or "demo:NAME"). */
    enum l2f_status (*open)(struct backend *be, const char *arg, struct l2f_err *err);
    void (*close)(struct backend *be);
    /* A stable identity of the machine, for the journal ("mock:/path/s.ini"). */
    const char *(*machine_id)(struct backend *be);
    /* One line for the header: "mock: classic-789", "Windows (live)". */
    const char *(*describe)(struct backend *be);
    /* Every VPN profile of both phonebooks, user and all users. */
    enum l2f_status (*list_profiles)(struct backend *be, struct profile_list *out,
                                     struct l2f_err *err);
    enum l2f_status (*read_profile)(struct backend *be, const char *name, struct vpn_profile *out,
                                    struct l2f_err *err);
    /* Changes one numeric setting and nothing else of the entry. */
    enum l2f_status (*write_profile_field)(struct backend *be, const char *name,
                                           enum profile_field field, long value,
                                           struct l2f_err *err);
    /* From now on, every other local user's phonebook too (a script run as
     * SYSTEM sees only its own and the all-users one); needs an administrator.
     * NULL where there are no other users' phonebooks to add. */
    enum l2f_status (*include_other_users)(struct backend *be, struct l2f_err *err);
    /* Removes the key from the entry, for a profile read with field_absent
     * (a phonebook file). NULL where every field always exists (RASENTRY). */
    enum l2f_status (*clear_profile_field)(struct backend *be, const char *name,
                                           enum profile_field field, struct l2f_err *err);
    /* Saves (secret != NULL) or removes (secret == NULL) a PSK or a password;
     * username is saved with a password and ignored for a PSK. */
    enum l2f_status (*set_secret)(struct backend *be, const char *profile, enum secret_kind kind,
                                  const char *username, const char *secret, struct l2f_err *err);
    /* Registry DWORDs; exists=false on write deletes the value. */
    enum l2f_status (*reg_read_dword)(struct backend *be, const char *key, const char *value,
                                      bool *exists, unsigned long *data, struct l2f_err *err);
    enum l2f_status (*reg_write_dword)(struct backend *be, const char *key, const char *value,
                                       bool exists, unsigned long data, struct l2f_err *err);
    enum l2f_status (*service_query)(struct backend *be, const char *name,
                                     struct service_status *out, struct l2f_err *err);
    /* Restart stops the running dependents first and starts them again after. */
    enum l2f_status (*service_control)(struct backend *be, const char *name,
                                       enum service_action action, struct l2f_err *err);
    enum l2f_status (*service_set_start)(struct backend *be, const char *name,
                                         enum service_start start, struct l2f_err *err);
    enum l2f_status (*is_admin)(struct backend *be, bool *admin);
    /* Simulates asking the server from the client's side. NULL for a backend
     * on a real machine: the diagnosis then sends real packets (net/probe). */
    enum l2f_status (*probe_server)(struct backend *be, const char *host, struct probe_report *out,
                                    struct l2f_err *err);
    /* Simulates checking a pre-shared key against the server. NULL on a real
     * machine: the core then runs the real exchange (net/pskcheck). */
    enum l2f_status (*check_psk)(struct backend *be, const char *host, const char *psk,
                                 enum psk_verdict *verdict, struct l2f_err *err);
    /* Simulates the IKEv2 exchange (handshake --ikev2) against opts->host:
     * fills every stage of out by the machine's rules; the password is
     * compared, never kept. *step_ms: how long each stage takes to show, as
     * the simulated test connection's. NULL on a real machine: the core then
     * runs the real exchange (net/ikev2run). */
    enum l2f_status (*ikev2_simulate)(struct backend *be, const struct ikev2_options *opts,
                                      struct ikev2_result *out, unsigned *step_ms,
                                      struct l2f_err *err);
    enum l2f_status (*last_connection)(struct backend *be, const char *profile,
                                       struct connection_record *out, struct l2f_err *err);
    /* The test connection: start it, then poll for events without blocking
     * until CONNECT_DONE; cancel hangs up. One connection at a time. */
    enum l2f_status (*connect_start)(struct backend *be, const char *profile, struct l2f_err *err);
    /* Returns true and fills ev when an event is ready. */
    bool (*connect_poll)(struct backend *be, struct connect_event *ev);
    void (*connect_cancel)(struct backend *be);
    /* What the machine tells about itself: when Windows last started and which
     * build it runs. NULL where neither can be told (a phonebook file offline). */
    enum l2f_status (*machine_info)(struct backend *be, struct machine_info *out,
                                    struct l2f_err *err);
    /* The best machine certificate for L2TP/IPsec in LocalMachine\My and why
     * each candidate fails. NULL where the store cannot be read (a phonebook
     * file offline). */
    enum l2f_status (*machine_certificate)(struct backend *be, struct machine_cert *out,
                                           struct l2f_err *err);
    /* The machine's Trusted Root store (LocalMachine\Root), for the CA switch-ikev2
     * imports; a certificate is named by its SHA-1 thumbprint (40 upper-case hex digits).
     * root_has: whether one is in the store. root_add: adds the DER certificate whose
     * thumbprint is sha1 (an administrator's; refused when the DER is not that one).
     * root_remove: removes the one of that thumbprint (absent: done). All three NULL
     * where the store cannot be reached (a phonebook file offline). */
    enum l2f_status (*root_has)(struct backend *be, const char *sha1, bool *present,
                                struct l2f_err *err);
    enum l2f_status (*root_add)(struct backend *be, const unsigned char *der, size_t len,
                                const char *sha1, struct l2f_err *err);
    enum l2f_status (*root_remove)(struct backend *be, const char *sha1, struct l2f_err *err);
    /* Reads the machine's store again (the mock's scenario file, a phonebook
     * file), for a change made under the state lock to start from what
     * another process wrote. NULL where every read is live (Windows). */
    enum l2f_status (*reload)(struct backend *be, struct l2f_err *err);
    /* One selftest item (selftest.h), read-only and without a secret: what
     * this machine answers; redact hides profile and user names. Returns
     * L2F_ERR_UNSUPPORTED (or is NULL) where the core's own reading serves. */
    enum l2f_status (*selftest)(struct backend *be, enum selftest_id item, bool redact,
                                struct selftest_answer *out);
};

struct backend {
    const struct backend_ops *ops;
    void *state;
};

/* NULL-terminated list of the backends compiled into this build. */
extern const struct backend_ops *const backend_list[];
const struct backend_ops *backend_find(const char *name);

extern const struct backend_ops backend_mock_ops;
extern const struct backend_ops backend_pbk_ops;
#ifdef L2F_HAVE_WIN32_BACKEND
extern const struct backend_ops backend_win32_ops;
#endif

#endif
