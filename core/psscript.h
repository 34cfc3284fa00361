/* A PowerShell script that applies l2tpfix's fixes on other machines with
 * what Windows already has (Set-VpnConnection, the phonebook file,
 * Set-ItemProperty after a `reg export`, Restart-Service). Idempotent: each
 * step looks first and says "already". Honours -WhatIf. Names are quoted so
 * that no character in them can run code, and no secret is ever in it: a key
 * or password comes as a parameter when the script runs. */
#ifndef L2F_PSSCRIPT_H
#define L2F_PSSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "net/cacert.h"
#include "profile.h"
#include "status.h"

/* A PowerShell single-quoted literal of s: quotes around it, and every
 * single quote PowerShell recognises (' and U+2018..U+201B) doubled. Returns
 * false when buf is too small. */
bool ps_quote(const char *s, char *buf, size_t len);

/* Which script: the fixes (exit 1 when a step was left for another
 * context); an Intune/ConfigMgr/RMM detection (read only; exit 1 when the
 * remediation would change something, last line a summary); the remediation
 * (the fixes, then the detection again; exit 1 when something is still to
 * fix, last line a summary); or a profile created or corrected. */
enum ps_mode { PS_FIX, PS_DETECT, PS_REMEDIATE, PS_CREATE };

struct ps_request {
    enum ps_mode mode;
    const char *profile;
    enum phonebook_kind phonebook;
    const enum fix_id *fixes; /* PS_FIX, PS_DETECT, PS_REMEDIATE: in any order */
    size_t n;
    const char *server;       /* PS_CREATE: the server's name or address */
    bool nat_t;               /* PS_CREATE: and the NAT-T registry value (needs a restart) */
    const struct ca_cert *ca; /* switch-ikev2: the root CA to trust (--ca-file), or NULL */
    const char *version;
};

/* The script r asks for. *out is malloc'd. */
enum l2f_status ps_script_for(const struct ps_request *r, char **out, struct l2f_err *err);

/* The fix script for these fixes (in the model's order) on the profile named,
 * in the user's or the all-users phonebook. */
enum l2f_status ps_script(const char *profile, enum phonebook_kind phonebook,
                          const enum fix_id *fixes, size_t n, const char *version, char **out,
                          struct l2f_err *err);

#endif
