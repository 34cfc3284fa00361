/* Does the server accept this pre-shared key, and does IPsec come up with it?
 * IKEv1 Main Mode with PSK authentication, then Quick Mode and an ESP round
 * trip (net/ikev1.h), from user space. The key is never logged or kept, and
 * is wiped after use. */
#ifndef L2F_NET_PSKCHECK_H
#define L2F_NET_PSKCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "status.h"

enum ipsec_outcome { IPSEC_NOT_TRIED, IPSEC_UP, IPSEC_FAILED };

struct psk_check_result {
    enum psk_verdict verdict;
    char reason[128];
    char transform[64];
    unsigned ms;           /* to the key verdict */
    int behind_nat;        /* this client, by the server's NAT-D: 1, 0, -1 not known */
    int server_behind_nat; /* the server, by its own NAT-D */
    enum ipsec_outcome ipsec;
    char ipsec_reason[160];
    char esp_transform[64];
    unsigned ipsec_ms; /* to IPsec up (or the give-up) */
};

const char *psk_verdict_id(enum psk_verdict v);     /* "accepted", "rejected", "inconclusive" */
const char *ipsec_outcome_id(enum ipsec_outcome o); /* "up", "failed", NULL when not tried */
/* Runs Main Mode against host:port and, with bring_up, Quick Mode and the
 * ESP round trip; blocking, the whole run bounded by timeout_ms. Deletes
 * every SA it made before it returns. */
enum l2f_status psk_check(const char *host, uint16_t port, const char *psk, unsigned timeout_ms,
                          bool bring_up, struct psk_check_result *out, struct l2f_err *err);

/* This is a key-guessing oracle: checks run one at a time (a lock file in the
 * state directory) and at least this far apart (the time of the last one is
 * kept there too); within one process the pause holds without a directory. */
#define PSK_MIN_PAUSE_MS 2000

/* The pacing on its own, around anything that tries a key (the handshake
 * too): begin waits out the pause and takes the lock, end releases it. */
enum l2f_status psk_pace_begin(const char *state_dir, unsigned *waited_ms, struct l2f_err *err);
void psk_pace_end(const char *state_dir);

/* psk_check, paced: waits out the pause (*waited_ms says how long) and refuses
 * while another check holds the lock. */
enum l2f_status psk_check_paced(const char *state_dir, const char *host, uint16_t port,
                                const char *psk, unsigned timeout_ms, bool bring_up,
                                struct psk_check_result *out, unsigned *waited_ms,
                                struct l2f_err *err);

#endif
