#include "ikekeys.h"

#include <string.h>

#include "net/bytes.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "platform.h"

#define MAX_NONCES (2 * IKE_NONCE_MAX) /* Ni_b | Nr_b */
#define MAX_SEED (5 + MAX_NONCES)      /* KEYMAT's protocol | SPI | Ni_b | Nr_b */

bool ikek_skeyid_psk(uint16_t hash, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
                     size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *skeyid)
{
    uint8_t buf[MAX_NONCES];
    if (ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
        return false;
    memcpy(buf, ni, ni_len);
    memcpy(buf + ni_len, nr, nr_len);
    bool ok = ikec_prf(hash, psk, psk_len, buf, ni_len + nr_len, skeyid);
    plat_wipe(buf, sizeof buf);
    return ok;
}

bool ikek_skeyid_children(uint16_t hash, const uint8_t *skeyid, const uint8_t *gxy, size_t gxy_len,
                          const uint8_t icky[8], const uint8_t rcky[8], uint8_t *skeyid_d,
                          uint8_t *skeyid_a, uint8_t *skeyid_e)
{
    size_t hl = ikec_hash_len(hash);
    uint8_t buf[IKEC_MAX_HASH + IKEC_MAX_DH + 17];
    if (!hl || gxy_len > IKEC_MAX_DH)
        return false;
    const uint8_t *prev[3] = {NULL, skeyid_d, skeyid_a};
    uint8_t *dest[3] = {skeyid_d, skeyid_a, skeyid_e};
    bool ok = true;
    for (int i = 0; i < 3 && ok; i++) {
        size_t n = 0;
        if (prev[i]) {
            memcpy(buf, prev[i], hl);
            n = hl;
        }
        memcpy(buf + n, gxy, gxy_len);
        n += gxy_len;
        memcpy(buf + n, icky, 8);
        memcpy(buf + n + 8, rcky, 8);
        buf[n + 16] = (uint8_t)i;
        ok = ikec_prf(hash, skeyid, hl, buf, n + 17, dest[i]);
    }
    plat_wipe(buf, sizeof buf);
    return ok;
}

/* RFC 2409's expansions, both the same chain: K1 = prf(key, first | seed),
 * Kn = prf(key, Kn-1 | seed), concatenated and cut to out_len. The cipher key
 * uses first = 0 and no seed, KEYMAT no first and protocol | SPI | nonces. */
static bool prf_chain(uint16_t hash, const uint8_t *key, const uint8_t *first, size_t first_len,
                      const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    size_t hl = ikec_hash_len(hash);
    uint8_t buf[IKEC_MAX_HASH + MAX_SEED], k[IKEC_MAX_HASH];
    if (!hl || first_len > hl || seed_len > sizeof buf - hl)
        return false;
    if (first_len)
        memcpy(buf, first, first_len);
    if (seed_len)
        memcpy(buf + first_len, seed, seed_len);
    bool ok = ikec_prf(hash, key, hl, buf, first_len + seed_len, k);
    /* the seed after the previous block never changes: put it there once */
    memmove(buf + hl, buf + first_len, seed_len);
    for (size_t have = 0; ok;) {
        size_t take = out_len - have < hl ? out_len - have : hl;
        memcpy(out + have, k, take);
        have += take;
        if (have == out_len)
            break;
        memcpy(buf, k, hl);
        ok = ikec_prf(hash, key, hl, buf, hl + seed_len, k);
    }
    plat_wipe(buf, sizeof buf);
    plat_wipe(k, sizeof k);
    return ok;
}

bool ikek_cipher_key(uint16_t hash, const uint8_t *skeyid_e, size_t key_len, uint8_t *key)
{
    static const uint8_t zero = 0;
    size_t hl = ikec_hash_len(hash);
    if (!hl || key_len > 64)
        return false;
    if (key_len <= hl) {
        memcpy(key, skeyid_e, key_len);
        return true;
    }
    return prf_chain(hash, skeyid_e, &zero, 1, NULL, 0, key, key_len);
}

bool ikek_phase1_iv(uint16_t hash, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
                    size_t gxr_len, size_t block, uint8_t *iv)
{
    uint8_t gg[IKEC_MAX_DH * 2], h[IKEC_MAX_HASH];
    if (gxi_len > IKEC_MAX_DH || gxr_len > IKEC_MAX_DH || block > ikec_hash_len(hash))
        return false;
    memcpy(gg, gxi, gxi_len);
    memcpy(gg + gxi_len, gxr, gxr_len);
    if (!ikec_hash(hash, gg, gxi_len + gxr_len, h))
        return false;
    memcpy(iv, h, block);
    return true;
}

bool ikek_message_iv(uint16_t hash, const uint8_t *last_block, size_t block, uint32_t message_id,
                     uint8_t *iv)
{
    uint8_t in[IKEC_MAX_BLOCK + 4], h[IKEC_MAX_HASH];
    if (block > IKEC_MAX_BLOCK || block > ikec_hash_len(hash))
        return false;
    memcpy(in, last_block, block);
    be32_put(in + block, message_id);
    if (!ikec_hash(hash, in, block + 4, h))
        return false;
    memcpy(iv, h, block);
    return true;
}

bool ikek_keymat(uint16_t hash, const uint8_t *skeyid_d, uint8_t protocol, const uint8_t spi[4],
                 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out,
                 size_t out_len)
{
    uint8_t seed[MAX_SEED];
    if (out_len > 128 || ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
        return false;
    seed[0] = protocol;
    memcpy(seed + 1, spi, 4);
    memcpy(seed + 5, ni, ni_len);
    memcpy(seed + 5 + ni_len, nr, nr_len);
    bool ok = prf_chain(hash, skeyid_d, NULL, 0, seed, 5 + ni_len + nr_len, out, out_len);
    plat_wipe(seed, sizeof seed);
    return ok;
}
