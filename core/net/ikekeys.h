/* IKEv1's key schedule with a pre-shared key (RFC 2409 section 5, 5.5 and
 * appendix B). Pure functions over ikecrypto's primitives, so each step has
 * its own known-answer test. hash is IKE_HASH_*: it selects both the hash and
 * the prf (HMAC with that hash). */
#ifndef L2F_NET_IKEKEYS_H
#define L2F_NET_IKEKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SKEYID = prf(pre-shared key, Ni_b | Nr_b) */
bool ikek_skeyid_psk(uint16_t hash, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
                     size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *skeyid);

/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
bool ikek_skeyid_children(uint16_t hash, const uint8_t *skeyid, const uint8_t *gxy, size_t gxy_len,
                          const uint8_t icky[8], const uint8_t rcky[8], uint8_t *skeyid_d,
                          uint8_t *skeyid_a, uint8_t *skeyid_e);

/* The phase-1 cipher key: SKEYID_e's first key_len bytes, or, when the cipher
 * needs more than the prf gives, K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and
 * Kn = prf(SKEYID_e, Kn-1) (appendix B). key_len at most 64. */
bool ikek_cipher_key(uint16_t hash, const uint8_t *skeyid_e, size_t key_len, uint8_t *key);

/* The first IV of phase 1: hash(g^xi | g^xr), each as it went on the wire,
 * cut to the cipher's block. */
bool ikek_phase1_iv(uint16_t hash, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
                    size_t gxr_len, size_t block, uint8_t *iv);

/* The IV of a new exchange after phase 1 (Quick Mode, informational):
 * hash(last phase-1 cipher block | M-ID), cut to the block. */
bool ikek_message_iv(uint16_t hash, const uint8_t *last_block, size_t block, uint32_t message_id,
                     uint8_t *iv);

/* Quick Mode KEYMAT without PFS (5.5): K1 = prf(SKEYID_d, protocol | SPI |
 * Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | protocol | SPI | Ni_b | Nr_b),
 * concatenated to out_len (at most 128) bytes; spi is the receiving side's. */
bool ikek_keymat(uint16_t hash, const uint8_t *skeyid_d, uint8_t protocol, const uint8_t spi[4],
                 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out,
                 size_t out_len);

#endif
