/* libFuzzer: Quick Mode's message 2 through the real reply handling of a
 * session as Main Mode leaves it (fixed keys, ikev1_internal.h). The harness
 * is the server: it seals the fuzzer's payload chain with a valid HASH(2), so
 * the input reaches the SA, nonce and transform checks, HASH(3) and KEYMAT.
 * Byte 0 picks the case: bit 0 floated (UDP encapsulation offered), bit 1
 * SHA-256 and 3DES for phase 1, bit 7 the bytes as the whole packet instead
 * (the decryption and length checks before HASH(2)); byte 1 is the first
 * payload's type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ikecrypto.h"
#include "net/ikev1_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a taken message 2 must have left: a nonce RFC 2409 allows, both ESP SAs keyed. */
static void check_taken(struct ikev1 *s, const struct ikev1_qm *q, const struct ikev1_phase2 *r)
{
    struct esp_sa in, out;
    ikev1_esp_sas(s, &in, &out);
    if (q->nr_len < IKE_NONCE_MIN || q->nr_len > IKE_NONCE_MAX || !r->transform[0] ||
        !in.enc_key_len || in.enc_key_len != out.enc_key_len || in.icv_len != 12)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || !ikec_available())
        return 0;
    bool natt = data[0] & 1, alt = data[0] & 2, raw = data[0] & 0x80;
    struct ikev1 *s = alt ? ikev1_fixed_session(IKE_ENC_3DES, 0, IKE_HASH_SHA256, natt)
                          : ikev1_fixed_session(IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, natt);
    if (!s)
        return 0;
    struct ikev1_qm q;
    struct ikev1_phase2 r;
    ikev1_qm_fixed(s, &q);
    memset(&r, 0, sizeof r);
    uint8_t pkt[IKE_MAX_PACKET];
    size_t len = 0;
    if (raw) {
        len = size - 2 < sizeof pkt ? size - 2 : sizeof pkt;
        memcpy(pkt, data + 2, len);
    } else {
        len = ikev1_qm_seal_reply(s, &q, data[1], data + 2, size - 2, pkt, sizeof pkt);
    }
    if (len && ikev1_qm_reply(s, &q, pkt, len, &r))
        check_taken(s, &q, &r);
    ikev1_close(s);
    return 0;
}
