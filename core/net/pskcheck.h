/* Does the server accept this pre-shared key? IKEv1 Main Mode with PSK
 * authentication, messages 1 to 6 (RFC 2409 section 5 and appendix B), from
 * user space. The key is never logged or kept, and is wiped after use. */
#ifndef L2F_NET_PSKCHECK_H
#define L2F_NET_PSKCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "status.h"

struct psk_check_result {
    enum psk_verdict verdict;
    char reason[128];
    char transform[64];
    unsigned ms;
};

const char *psk_verdict_id(enum psk_verdict v); /* "accepted", "rejected", "inconclusive" */
/* Runs the exchange against host:port (blocking, bounded by timeout_ms) and,
 * when the key was accepted, deletes the IKE SA it made. */
enum l2f_status psk_check(const char *host, uint16_t port, const char *psk, unsigned timeout_ms,
                          struct psk_check_result *out, struct l2f_err *err);

/* This is a key-guessing oracle: checks run one at a time (a lock file in the
 * state directory) and at least this far apart (the time of the last one is
 * kept there too); within one process the pause holds without a directory. */
#define PSK_MIN_PAUSE_MS 2000

/* psk_check, paced: waits out the pause (*waited_ms says how long) and refuses
 * while another check holds the lock. */
enum l2f_status psk_check_paced(const char *state_dir, const char *host, uint16_t port, const char *psk,
                                unsigned timeout_ms, struct psk_check_result *out, unsigned *waited_ms,
                                struct l2f_err *err);

#endif
