/* The probe, then with a key the key check, within one timeout: what
 * `l2tpfix probe --psk-file` runs, and what the checklist can run. */
#ifndef L2F_NET_PROBEKEY_H
#define L2F_NET_PROBEKEY_H

#include <stdbool.h>

#include "net/probe.h"
#include "net/pskcheck.h"
#include "status.h"

struct probe_key_result {
    struct probe_result probe;
    bool v1_accepted;  /* an IKEv1 offer Windows makes was taken, on 500 or 4500 */
    bool v1_malformed; /* something answers IKEv1, only with replies that are not IKE as offered */
    bool key_checked;  /* a key was given: key holds its verdict, or why it was not tested */
    struct psk_check_result key; /* behind_nat and server_behind_nat -1 when not known */
    unsigned waited_ms;          /* the pause between key checks, before this one */
    bool passed; /* v1_accepted, and the key (if given) neither rejected nor failing IPsec */
};

/* Probes host and, when psk is not NULL, checks the key in what is left of
 * opts->timeout_ms (at least half of it; the pause between key checks comes
 * on top). state_dir ("" for none) keeps recent answers and paces key checks.
 * Fails only when the probe cannot start or the key check cannot run. */
enum l2f_status probe_with_key(const char *host, const struct probe_options *opts,
                               const char *state_dir, const char *psk, struct probe_key_result *out,
                               struct l2f_err *err);

#endif
