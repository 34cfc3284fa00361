/* The machine-wide Windows settings the checks read and the fixes change:
 * registry values and services, as tables (facts: windows-l2tp.md). */
#ifndef L2F_WINSETTINGS_H
#define L2F_WINSETTINGS_H

#include <stdbool.h>

#include "model.h"

#define REG_SERVICES_KEY "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"

/* X(enum, key below REG_SERVICES_KEY, value name, the check that judges it) — all REG_DWORD. */
#define REGVAL_TABLE(X)                                                                            \
    X(REGVAL_NAT_TRAVERSAL, "PolicyAgent", "AssumeUDPEncapsulationContextOnSendRule",              \
      CHECK_NAT_TRAVERSAL)                                                                         \
    X(REGVAL_PROHIBIT_IPSEC, "RasMan\\Parameters", "ProhibitIpSec", CHECK_PROHIBIT_IPSEC)          \
    X(REGVAL_WEAK_CRYPTO, "RasMan\\Parameters", "AllowL2TPWeakCrypto", CHECK_IKE_PROPOSALS)

#define REGVAL_ENUM(e, key, value, check) e,
enum regval_id { REGVAL_TABLE(REGVAL_ENUM) REGVAL_COUNT };
#undef REGVAL_ENUM

enum service_start { SVC_START_AUTO, SVC_START_MANUAL, SVC_START_DISABLED };
enum service_state { SVC_STOPPED, SVC_RUNNING };

/* X(enum, service name, display name, default start type, depends on (or NULL),
 * the check that needs it running or CHECK_COUNT) */
#define SERVICE_TABLE(X)                                                                           \
    X(SVC_IKEEXT, "IKEEXT", "IKE and AuthIP IPsec Keying Modules", SVC_START_MANUAL, "BFE",        \
      CHECK_IPSEC_SERVICES)                                                                        \
    X(SVC_POLICYAGENT, "PolicyAgent", "IPsec Policy Agent", SVC_START_MANUAL, "BFE",               \
      CHECK_IPSEC_SERVICES)                                                                        \
    X(SVC_RASMAN, "RasMan", "Remote Access Connection Manager", SVC_START_MANUAL, NULL,            \
      CHECK_COUNT)                                                                                 \
    X(SVC_BFE, "BFE", "Base Filtering Engine", SVC_START_AUTO, NULL, CHECK_IPSEC_SERVICES)

#define SERVICE_ENUM(e, name, display, start, dep, check) e,
enum service_id { SERVICE_TABLE(SERVICE_ENUM) SERVICE_COUNT };
#undef SERVICE_ENUM

struct regval_info {
    const char *subkey; /* below REG_SERVICES_KEY */
    const char *value;
    enum check_id check; /* the check that judges it */
};
struct service_info {
    const char *name, *display;
    enum service_start default_start;
    const char *depends_on;
    enum check_id check; /* the check that needs it running; CHECK_COUNT: none */
};

const struct regval_info *regval_info(enum regval_id r);
/* The full key path, "HKEY_LOCAL_MACHINE\SYSTEM\...\PolicyAgent". */
const char *regval_key_path(enum regval_id r);
const struct service_info *service_info(enum service_id s);
enum service_id service_from_name(const char *name);  /* SERVICE_COUNT if none */
const char *service_start_name(enum service_start s); /* "Automatic", "Manual", "Disabled" */
const char *service_state_name(enum service_state s); /* "running", "stopped" */

#endif
