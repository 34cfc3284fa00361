#include "esp.h"

#include <string.h>

#include "net/bytes.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "platform.h"

bool esp_sa_setup(struct esp_sa *sa, uint16_t enc, uint16_t key_bits, uint16_t auth)
{
    sa->enc = enc;
    sa->key_bits = key_bits;
    sa->auth = auth;
    sa->enc_key_len = ikec_key_len(enc, key_bits);
    sa->block = ikec_block_len(enc);
    sa->auth_key_len = auth == IKE_HASH_SHA1 ? 20 : 0;
    sa->icv_len = auth == IKE_HASH_SHA1 ? 12 : 0;
    return sa->enc_key_len && sa->enc_key_len <= sizeof sa->enc_key && sa->block &&
           sa->auth_key_len;
}

size_t esp_keymat_len(const struct esp_sa *sa)
{
    return sa->enc_key_len + sa->auth_key_len;
}

void esp_sa_keys(struct esp_sa *sa, const uint8_t *keymat)
{
    memcpy(sa->enc_key, keymat, sa->enc_key_len);
    memcpy(sa->auth_key, keymat + sa->enc_key_len, sa->auth_key_len);
}

static bool icv(const struct esp_sa *sa, const uint8_t *data, size_t len, uint8_t *out)
{
    uint8_t full[IKEC_MAX_HASH];
    if (!ikec_prf(sa->auth, sa->auth_key, sa->auth_key_len, data, len, full))
        return false;
    memcpy(out, full, sa->icv_len);
    return true;
}

size_t esp_seal(struct esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
                const uint8_t *iv, uint8_t *out, size_t cap)
{
    size_t plain_len = (len + 2 + sa->block - 1) / sa->block * sa->block;
    size_t total = ESP_HEADER_LEN + sa->block + plain_len + sa->icv_len;
    if (sa->seq == UINT32_MAX || total > cap || plain_len > 2048)
        return 0;
    uint8_t plain[2048];
    size_t pad = plain_len - len - 2;
    memcpy(plain, payload, len);
    for (size_t i = 0; i < pad; i++)
        plain[len + i] = (uint8_t)(i + 1);
    plain[plain_len - 2] = (uint8_t)pad;
    plain[plain_len - 1] = next_header;
    uint32_t seq = sa->seq + 1;
    memcpy(out, sa->spi, 4);
    be32_put(out + 4, seq);
    memcpy(out + ESP_HEADER_LEN, iv, sa->block);
    uint8_t *cipher = out + ESP_HEADER_LEN + sa->block;
    bool ok = ikec_cbc(sa->enc, sa->key_bits, sa->enc_key, iv, plain, plain_len, cipher, true) &&
              icv(sa, out, ESP_HEADER_LEN + sa->block + plain_len, cipher + plain_len);
    plat_wipe(plain, plain_len);
    if (!ok)
        return 0;
    sa->seq = seq;
    return total;
}

const char *esp_open_result_name(enum esp_open_result r)
{
    switch (r) {
    case ESP_OPEN_OK:
        return "ok";
    case ESP_OPEN_MALFORMED:
        return "malformed";
    case ESP_OPEN_OTHER_SPI:
        return "another SPI";
    case ESP_OPEN_REPLAY:
        return "replayed";
    case ESP_OPEN_BAD_ICV:
        return "integrity check failed";
    case ESP_OPEN_BAD_PADDING:
        return "bad padding";
    }
    return "?";
}

bool esp_replay_ok(const struct esp_sa *sa, uint32_t seq)
{
    if (seq == 0)
        return false; /* the first packet is number 1 */
    if (seq > sa->top)
        return true;
    uint32_t back = sa->top - seq;
    return back < ESP_REPLAY_WINDOW && !(sa->window >> back & 1);
}

void esp_replay_accept(struct esp_sa *sa, uint32_t seq)
{
    if (seq > sa->top) {
        uint32_t shift = seq - sa->top;
        sa->window = shift >= ESP_REPLAY_WINDOW ? 0 : sa->window << shift;
        sa->window |= 1;
        sa->top = seq;
    } else {
        sa->window |= (uint64_t)1 << (sa->top - seq);
    }
}

enum esp_open_result esp_open(struct esp_sa *sa, const uint8_t *pkt, size_t len, uint8_t *out,
                              size_t cap, size_t *out_len, uint8_t *next_header)
{
    size_t overhead = ESP_HEADER_LEN + sa->block + sa->icv_len;
    if (!sa->block || !sa->icv_len || len < overhead + sa->block || (len - overhead) % sa->block)
        return ESP_OPEN_MALFORMED;
    if (memcmp(pkt, sa->spi, 4) != 0)
        return ESP_OPEN_OTHER_SPI;
    uint32_t seq = be32_get(pkt + 4);
    if (!esp_replay_ok(sa, seq))
        return ESP_OPEN_REPLAY;
    uint8_t want[ESP_MAX_ICV];
    if (!icv(sa, pkt, len - sa->icv_len, want))
        return ESP_OPEN_BAD_ICV;
    /* all bytes compared, whatever differs first */
    uint8_t diff = 0;
    for (size_t i = 0; i < sa->icv_len; i++)
        diff |= (uint8_t)(want[i] ^ pkt[len - sa->icv_len + i]);
    if (diff)
        return ESP_OPEN_BAD_ICV;
    size_t clen = len - overhead;
    uint8_t plain[2048];
    if (clen > sizeof plain)
        return ESP_OPEN_MALFORMED;
    if (!ikec_cbc(sa->enc, sa->key_bits, sa->enc_key, pkt + ESP_HEADER_LEN,
                  pkt + ESP_HEADER_LEN + sa->block, clen, plain, false))
        return ESP_OPEN_MALFORMED;
    size_t pad = plain[clen - 2];
    enum esp_open_result r = ESP_OPEN_OK;
    if (pad + 2 > clen) {
        r = ESP_OPEN_BAD_PADDING;
    } else {
        for (size_t i = 0; i < pad; i++)
            if (plain[clen - 2 - pad + i] != (uint8_t)(i + 1))
                r = ESP_OPEN_BAD_PADDING;
    }
    size_t n = clen - 2 - (r == ESP_OPEN_OK ? pad : 0);
    if (r == ESP_OPEN_OK && n > cap)
        r = ESP_OPEN_MALFORMED;
    if (r == ESP_OPEN_OK) {
        /* authentic: only now does the window move (RFC 4303 3.4.3) */
        esp_replay_accept(sa, seq);
        memcpy(out, plain, n);
        *out_len = n;
        *next_header = plain[clen - 1];
    }
    plat_wipe(plain, clen);
    return r;
}

size_t esp_udp_wrap(uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len,
                    uint8_t *out, size_t cap)
{
    if (len + 8 > cap || len + 8 > 0xffff)
        return 0;
    be16_put(out, sport);
    be16_put(out + 2, dport);
    be16_put(out + 4, len + 8);
    out[6] = out[7] = 0;
    memcpy(out + 8, payload, len);
    return len + 8;
}

bool esp_udp_unwrap(const uint8_t *dgram, size_t len, uint16_t *sport, uint16_t *dport,
                    const uint8_t **payload, size_t *payload_len)
{
    if (len < 8)
        return false;
    size_t ulen = be16_get(dgram + 4);
    if (ulen < 8 || ulen > len)
        return false;
    *sport = be16_get(dgram);
    *dport = be16_get(dgram + 2);
    *payload = dgram + 8;
    *payload_len = ulen - 8;
    return true;
}
