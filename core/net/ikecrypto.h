/* The few primitives IKEv1 Main Mode needs, behind one small API: OpenSSL
 * libcrypto on Linux; a Windows build without it reports them unavailable
 * (Windows CNG could stand behind the same calls). */
#ifndef L2F_NET_IKECRYPTO_H
#define L2F_NET_IKECRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKEC_MAX_DH 256   /* MODP 2048; ECP 384 needs 96 */
#define IKEC_MAX_HASH 32  /* SHA-256 */
#define IKEC_MAX_BLOCK 16 /* AES */

bool ikec_available(void);
/* Before any other OpenSSL call: never read an OpenSSL configuration file. As SYSTEM on
 * Windows, an openssl.cnf planted where the build's OPENSSLDIR points could load a module. */
void ikec_init(void);
/* Bytes of a group's public value (0: unsupported): MODP p's size, ECP x | y. */
size_t ikec_dh_len(uint16_t group);
/* Bytes of the shared secret g^xy: MODP as the public value, ECP x alone (RFC 5903). */
size_t ikec_dh_secret_len(uint16_t group);
/* A fresh key pair: priv (opaque, ikec_dh_free) and pub, left-padded. */
bool ikec_dh_keypair(uint16_t group, void **priv, uint8_t *pub);
/* g^xy, left-padded to ikec_dh_secret_len; false for a peer value that is
 * degenerate (MODP: 1 or p-1 and beyond) or not on the curve (ECP). */
bool ikec_dh_shared(uint16_t group, void *priv, const uint8_t *peer_pub, uint8_t *shared);
void ikec_dh_free(void *priv);
size_t ikec_hash_len(uint16_t hash); /* IKE_HASH_*; 0: unsupported */
bool ikec_hash(uint16_t hash, const uint8_t *data, size_t len, uint8_t *out);
/* HMAC with the negotiated hash: IKEv1's prf. */
bool ikec_prf(uint16_t hash, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
              uint8_t *out);
/* Key and block lengths of a cipher (IKE_ENC_*, key bits for AES). */
size_t ikec_key_len(uint16_t enc, uint16_t key_bits);
size_t ikec_block_len(uint16_t enc);
/* CBC without padding; len must be a multiple of the block. */
bool ikec_cbc(uint16_t enc, uint16_t key_bits, const uint8_t *key, const uint8_t *iv,
              const uint8_t *in, size_t len, uint8_t *out, bool encrypt);

#endif
