/* The simulated Windows machine and the simulated server behind the mock
 * backend, read from and written to an INI scenario file. */
#ifndef L2F_SCENARIO_H
#define L2F_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "net/ike.h"
#include "profile.h"
#include "status.h"
#include "winsettings.h"

#define SCENARIO_SECRET_MAX 256
#define SCENARIO_MAX_USERS 16
#define SCENARIO_MAX_IGNORES 8
#define SCENARIO_MAX_ROOTS 8 /* [machine] roots: thumbprints in LocalMachine\Root */
#define SCENARIO_THUMB_SIZE 41

/* [machine] ignores: a write the simulated Windows answers "done" to and
 * drops, whole or some bits of it, the way a real one can ignore a bit. */
struct scenario_ignore {
    char what[64];      /* a profile key, a registry value, a service, "psk" or "password" */
    unsigned long mask; /* the bits dropped: all of them unless "KEY&0x200" names some */
};

#define SCENARIO_MAX_PROPOSALS 16

struct scenario_profile {
    struct vpn_profile p;
    char psk[SCENARIO_SECRET_MAX]; /* the simulated credential store */
    char password[SCENARIO_SECRET_MAX];
    struct connection_record last; /* the simulated RasClient event log */
};

struct scenario_user {
    char name[PROFILE_USER_MAX];
    char password[SCENARIO_SECRET_MAX];
};

struct scenario {
    /* [machine] */
    bool admin;
    bool client_behind_nat;
    unsigned os_build, os_ubr;    /* os_build = 19044.1466; 0 when the scenario names none */
    enum cert_state machine_cert; /* certificate = none|valid|...: the best in LocalMachine\My */
    struct scenario_ignore ignores[SCENARIO_MAX_IGNORES];
    size_t n_ignores;
    /* roots = SHA1,...: the certificates l2tpfix may add to LocalMachine\Root (others
     * Windows ships are not modelled) */
    char roots[SCENARIO_MAX_ROOTS][SCENARIO_THUMB_SIZE];
    size_t n_roots;
    /* [registry]: value present and its data */
    bool reg_set[REGVAL_COUNT];
    unsigned long reg[REGVAL_COUNT];
    /* [services] */
    struct service_status services[SERVICE_COUNT];
    /* [server]: drives only the simulated network and connection */
    char server_address[PROFILE_SERVER_MAX];
    bool server_reachable;
    bool server_behind_nat;
    char server_psk[SCENARIO_SECRET_MAX]; /* empty: the scenario does not pin the key */
    long server_auth;                     /* AR_* bits the server accepts */
    bool server_lcp_required;
    struct scenario_user users[SCENARIO_MAX_USERS]; /* none: any credentials pass */
    size_t n_users;
    /* proposals = windows: the server takes Windows' own offer; else it takes
     * exactly server_proposals (none: nothing) */
    bool server_proposals_windows;
    struct ike_transform server_proposals[SCENARIO_MAX_PROPOSALS];
    size_t n_server_proposals;
    bool server_udp4500; /* NAT-T port reachable */
    bool server_ikev2;   /* an IKEv2 connection is configured too */
    /* ikev2_ca = system (empty): the IKEv2 certificate chains to a root every
     * machine trusts; else the file name of the private CA that signed it */
    char server_ikev2_ca[128];
    /* [profile "NAME"] */
    struct scenario_profile *profiles;
    size_t n_profiles;
    /* the profiles by name, so a lookup costs the same for 40,000 profiles as
     * for one: open addressing, each slot a profile's index + 1 (0: empty) */
    size_t *by_name;
    size_t by_name_cap; /* a power of two, at least twice n_profiles */
};

/* Parses scenario text; source names it in errors ("s.ini:12: ..."). On any
 * error nothing is returned and err holds one line naming source:line. */
enum l2f_status scenario_parse(const char *text, const char *source, struct scenario *out,
                               struct l2f_err *err);
/* Writes the whole state back as scenario text (malloc'd). */
enum l2f_status scenario_format(const struct scenario *s, char **out);
/* Frees the profiles and wipes every secret. */
void scenario_free(struct scenario *s);
struct scenario_profile *scenario_find_profile(struct scenario *s, const char *name);
/* The bits of a write to what (a profile key, registry value, service, "psk",
 * "password") the simulated machine drops; 0 when it takes it whole. */
unsigned long scenario_ignored(const struct scenario *s, const char *what);

/* The built-in scenarios, compiled in from the .ini files in scenarios/. */
struct builtin_scenario {
    const char *name;
    const char *text;
};
extern const struct builtin_scenario builtin_scenarios[]; /* NULL-name terminated */
const char *builtin_scenario_text(const char *name);

#endif
