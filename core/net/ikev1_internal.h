/* Inside the IKEv1 initiator, for the unit tests and the fuzz harness only:
 * a session as Main Mode leaves it, with fixed keys and no network, and
 * Quick Mode's reply handling on its own, so that hand-made or fuzzed server
 * messages reach the real code. Nothing else includes this. */
#ifndef L2F_NET_IKEV1_INTERNAL_H
#define L2F_NET_IKEV1_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/esp.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikev1.h"

#define IKEV1_NONCE_LEN 32 /* our own nonces */

/* One Quick Mode exchange (RFC 2409 5.5), from message 1 to the keys. */
struct ikev1_qm {
    uint32_t mid;
    uint8_t ni[IKEV1_NONCE_LEN];
    uint8_t nr[IKE_NONCE_MAX];
    size_t nr_len;
    unsigned encap;                   /* the encapsulation mode we offered */
    uint8_t reply_iv[IKEC_MAX_BLOCK]; /* message 2's IV: message 1's last cipher block */
    uint8_t next_iv[IKEC_MAX_BLOCK];  /* message 3's IV: message 2's last cipher block */
    size_t choice;                    /* the ESP transform the server chose, of ours */
};

/* A session after an accepted Main Mode with keys made from a fixed pattern,
 * a phase-1 transform of enc/key_bits/hash, and no socket (nothing is sent). */
struct ikev1 *ikev1_fixed_session(uint16_t enc, uint16_t key_bits, uint16_t hash, bool natt);
/* Quick Mode's state as if message 1 had gone out: a fixed M-ID, nonce, SPI
 * and IV. */
void ikev1_qm_fixed(struct ikev1 *s, struct ikev1_qm *q);
/* The server's message 2 as a server makes it: HASH(2) over payloads (the
 * chain starting with type first), then all of it encrypted under the
 * session's key. Returns the packet's length, 0 when cap is too small. */
size_t ikev1_qm_seal_reply(struct ikev1 *s, const struct ikev1_qm *q, unsigned first,
                           const uint8_t *payloads, size_t len, uint8_t *out, size_t cap);
/* Checks message 2 and on success leaves message 3 in the session's packet
 * buffer and the ESP keys derived; returns message 3's length, or 0 with
 * r->reason saying why. */
size_t ikev1_qm_reply(struct ikev1 *s, struct ikev1_qm *q, const uint8_t *in, size_t len,
                      struct ikev1_phase2 *r);
/* The ESP SAs the exchange set up (inbound, outbound). */
void ikev1_esp_sas(const struct ikev1 *s, struct esp_sa *in, struct esp_sa *out);

#endif
