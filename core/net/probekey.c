#include "net/probekey.h"

#include <stdint.h>
#include <stdio.h>

#include "platform.h"

#define MIN_KEY_CHECK_MS 200 /* less cannot see Main Mode's first answer come back */

/* Milliseconds until deadline, 0 when it has passed. */
static unsigned time_left(uint64_t deadline)
{
    uint64_t now = plat_monotonic_ms();
    return now >= deadline ? 0 : (unsigned)(deadline - now);
}

/* Why the key was not tested, for the key and for IPsec. */
static void key_not_tested(struct probe_key_result *out, bool answered, unsigned timeout_ms,
                           unsigned port)
{
    struct psk_check_result *key = &out->key;
    key->verdict = PSK_INCONCLUSIVE;
    key->ipsec = IPSEC_FAILED;
    if (answered) {
        snprintf(key->reason, sizeof key->reason,
                 "not tested: the probe used the --timeout (%u ms)", timeout_ms);
        snprintf(key->ipsec_reason, sizeof key->ipsec_reason,
                 "not tried: no time left within --timeout");
    } else if (out->v1_malformed) {
        snprintf(key->reason, sizeof key->reason,
                 "only malformed IKEv1 answers on UDP %u: nothing to test it with", port);
        snprintf(key->ipsec_reason, sizeof key->ipsec_reason, "malformed IKEv1 answers on UDP %u",
                 port);
    } else {
        snprintf(key->reason, sizeof key->reason, "no IKEv1 answer on UDP %u to test it with",
                 port);
        snprintf(key->ipsec_reason, sizeof key->ipsec_reason, "no IKEv1 answer on UDP %u", port);
    }
}

/* The key check in what is left before deadline, once IKEv1 on opts->port answered. */
static enum l2f_status check_key(const char *host, const struct probe_options *opts,
                                 const char *state_dir, const char *psk, uint64_t deadline,
                                 struct probe_key_result *out, struct l2f_err *err)
{
    /* the key check offers more than Windows does: a server refusing Windows' offer may still
     * take it */
    enum probe_outcome v1 = out->probe.items[PROBE_IKEV1_500].outcome;
    bool answered = v1 == PROBE_ACCEPTED || v1 == PROBE_NO_PROPOSAL;
    unsigned left = time_left(deadline);
    out->key_checked = true;
    if (!answered || left < MIN_KEY_CHECK_MS) {
        key_not_tested(out, answered, opts->timeout_ms, opts->port);
        return L2F_OK;
    }
    return psk_check_paced(state_dir, host, opts->port, psk, left, true, &out->key, &out->waited_ms,
                           err);
}

enum l2f_status probe_with_key(const char *host, const struct probe_options *opts,
                               const char *state_dir, const char *psk, struct probe_key_result *out,
                               struct l2f_err *err)
{
    uint64_t deadline = plat_monotonic_ms() + opts->timeout_ms; /* the whole run's */
    *out = (struct probe_key_result){.key = {.behind_nat = -1, .server_behind_nat = -1}};
    struct probe_options probe_opts = *opts;
    probe_opts.cache_dir = state_dir;
    /* with a key, half the time is the key check's: a server silent on IKEv2 (SoftEther)
     * would otherwise hold the probe to the end and leave the key untested */
    probe_opts.timeout_ms = psk ? time_left(deadline) / 2 : time_left(deadline);
    /* an enumeration ends within what the probe has when opts->enum_ms is the whole run's,
     * and with a key: the key check after it needs its half */
    if (psk || opts->enum_ms <= opts->timeout_ms)
        probe_opts.enum_ms = probe_opts.timeout_ms;
    enum l2f_status st = probe_run(host, &probe_opts, &out->probe, err);
    if (st != L2F_OK)
        return st;
    const struct probe_item *v1 = &out->probe.items[PROBE_IKEV1_500];
    const struct probe_item *v1_natt = &out->probe.items[PROBE_IKEV1_4500];
    out->v1_accepted = v1->outcome == PROBE_ACCEPTED || v1_natt->outcome == PROBE_ACCEPTED;
    out->v1_malformed = !out->v1_accepted && v1->outcome != PROBE_NO_PROPOSAL &&
                        (v1->malformed || v1_natt->malformed);
    if (psk) {
        st = check_key(host, opts, state_dir, psk, deadline, out, err);
        if (st != L2F_OK)
            return st;
    }
    out->passed =
        out->v1_accepted &&
        !(out->key_checked && (out->key.verdict == PSK_REJECTED || out->key.ipsec == IPSEC_FAILED));
    return L2F_OK;
}
