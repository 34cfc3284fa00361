#include "ikev2.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/bytes.h"
#include "net/ike.h"
#include "net/mschapv2.h"
#include "net/netwriter.h"

#ifdef L2F_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

const struct ikev2_suite ikev2_windows_offer[] = {
    {IKEV2_ENCR_3DES, 0, IKEV2_PRF_HMAC_SHA1, IKEV2_INTEG_SHA1_96, IKE_GROUP_MODP1024},
    {IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA1, IKEV2_INTEG_SHA1_96, IKE_GROUP_MODP1024},
    {IKEV2_ENCR_3DES, 0, IKEV2_PRF_HMAC_SHA256, IKEV2_INTEG_SHA256_128, IKE_GROUP_MODP1024},
    {IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA256, IKEV2_INTEG_SHA256_128, IKE_GROUP_MODP1024},
    {IKEV2_ENCR_3DES, 0, IKEV2_PRF_HMAC_SHA384, IKEV2_INTEG_SHA384_192, IKE_GROUP_MODP1024},
    {IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA384, IKEV2_INTEG_SHA384_192, IKE_GROUP_MODP1024},
};
const size_t ikev2_windows_offer_count = sizeof ikev2_windows_offer / sizeof ikev2_windows_offer[0];

#define T_ENCR 1
#define T_PRF 2
#define T_INTEG 3
#define T_DH 4
#define T_ESN 5
#define ATTR_KEY_LENGTH 14
#define PROTO_IKE 1
#define PROTO_ESP 3
#define MAX_PAYLOADS 32

static enum l2f_status bad(struct l2f_err *err, const char *why)
{
    l2f_err_set(err, "IKEv2: %s", why);
    return L2F_ERR_PARSE;
}

void ikev2_suite_name(const struct ikev2_suite *s, char *buf, size_t len)
{
    const char *prf = s->prf == IKEV2_PRF_HMAC_SHA1     ? "sha1"
                      : s->prf == IKEV2_PRF_HMAC_SHA256 ? "sha256"
                      : s->prf == IKEV2_PRF_HMAC_SHA384 ? "sha384"
                                                        : "prf?";
    if (s->encr == IKEV2_ENCR_AES_CBC)
        snprintf(buf, len, "aes%u-%s-modp%s", (unsigned)s->encr_bits, prf,
                 s->dh == IKE_GROUP_MODP1024   ? "1024"
                 : s->dh == IKE_GROUP_MODP2048 ? "2048"
                                               : "?");
    else
        snprintf(buf, len, "3des-%s-modp%s", prf,
                 s->dh == IKE_GROUP_MODP1024   ? "1024"
                 : s->dh == IKE_GROUP_MODP2048 ? "2048"
                                               : "?");
}

/* ---- crypto ---- */

size_t ikev2_prf_len(uint16_t prf)
{
    return prf == IKEV2_PRF_HMAC_SHA1     ? 20
           : prf == IKEV2_PRF_HMAC_SHA256 ? 32
           : prf == IKEV2_PRF_HMAC_SHA384 ? 48
                                          : 0;
}

static size_t integ_key_len(uint16_t integ)
{
    return integ == IKEV2_INTEG_SHA1_96      ? 20
           : integ == IKEV2_INTEG_SHA256_128 ? 32
           : integ == IKEV2_INTEG_SHA384_192 ? 48
                                             : 0;
}

static size_t encr_key_len(const struct ikev2_suite *s)
{
    return s->encr == IKEV2_ENCR_3DES                                ? 24
           : s->encr == IKEV2_ENCR_AES_CBC && s->encr_bits % 64 == 0 ? s->encr_bits / 8u
                                                                     : 0;
}

static size_t block_len(uint16_t encr)
{
    return encr == IKEV2_ENCR_3DES ? 8 : encr == IKEV2_ENCR_AES_CBC ? 16 : 0;
}

#ifdef L2F_HAVE_OPENSSL
static const EVP_MD *md_of_prf(uint16_t prf)
{
    return prf == IKEV2_PRF_HMAC_SHA1     ? EVP_sha1()
           : prf == IKEV2_PRF_HMAC_SHA256 ? EVP_sha256()
           : prf == IKEV2_PRF_HMAC_SHA384 ? EVP_sha384()
                                          : NULL;
}

/* the integrity transforms are the same HMACs, truncated */
static const EVP_MD *md_of_integ(uint16_t integ)
{
    return integ == IKEV2_INTEG_SHA1_96      ? EVP_sha1()
           : integ == IKEV2_INTEG_SHA256_128 ? EVP_sha256()
           : integ == IKEV2_INTEG_SHA384_192 ? EVP_sha384()
                                             : NULL;
}

static bool hmac(const EVP_MD *md, const uint8_t *key, size_t key_len, const uint8_t *data,
                 size_t len, uint8_t *out)
{
    unsigned n = 0;
    return md && key_len <= INT32_MAX && HMAC(md, key, (int)key_len, data, len, out, &n) != NULL;
}

static const EVP_CIPHER *cipher_of(const struct ikev2_suite *s)
{
    if (s->encr == IKEV2_ENCR_3DES)
        return EVP_des_ede3_cbc();
    if (s->encr != IKEV2_ENCR_AES_CBC)
        return NULL;
    return s->encr_bits == 128   ? EVP_aes_128_cbc()
           : s->encr_bits == 192 ? EVP_aes_192_cbc()
           : s->encr_bits == 256 ? EVP_aes_256_cbc()
                                 : NULL;
}

static bool cbc(const struct ikev2_suite *s, const uint8_t *key, const uint8_t *iv,
                const uint8_t *in, size_t len, uint8_t *out, bool encrypt)
{
    const EVP_CIPHER *c = cipher_of(s);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok = c && ctx && len <= INT32_MAX && EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt) &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_CipherUpdate(ctx, out, &n1, in, (int)len) &&
              EVP_CipherFinal_ex(ctx, out + n1, &n2) && (size_t)(n1 + n2) == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static bool sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
    unsigned n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) && n == 20;
}
#else
static const void *md_of_prf(uint16_t prf)
{
    (void)prf;
    return NULL;
}
static const void *md_of_integ(uint16_t integ)
{
    (void)integ;
    return NULL;
}
static bool hmac(const void *md, const uint8_t *key, size_t key_len, const uint8_t *data,
                 size_t len, uint8_t *out)
{
    (void)md, (void)key, (void)key_len, (void)data, (void)len, (void)out;
    return false;
}
static bool cbc(const struct ikev2_suite *s, const uint8_t *key, const uint8_t *iv,
                const uint8_t *in, size_t len, uint8_t *out, bool encrypt)
{
    (void)s, (void)key, (void)iv, (void)in, (void)len, (void)out, (void)encrypt;
    return false;
}
static bool sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
    (void)data, (void)len, (void)out;
    return false;
}
#endif

bool ikev2_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len, uint8_t *out)
{
    return hmac(md_of_prf(prf), key, key_len, data, data_len, out);
}

bool ikev2_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
                    size_t seed_len, uint8_t *out, size_t out_len)
{
    size_t h = ikev2_prf_len(prf);
    if (!h || out_len > 255 * h || seed_len > 4096)
        return false;
    uint8_t *in = malloc(h + seed_len + 1);
    uint8_t t[IKEV2_MAX_KEY];
    bool ok = in != NULL;
    size_t done = 0, prev = 0;
    for (unsigned i = 1; ok && done < out_len; i++) {
        memcpy(in, t, prev); /* T(n-1) | seed | n */
        memcpy(in + prev, seed, seed_len);
        in[prev + seed_len] = (uint8_t)i;
        ok = ikev2_prf(prf, key, key_len, in, prev + seed_len + 1, t);
        size_t take = out_len - done < h ? out_len - done : h;
        if (ok)
            memcpy(out + done, t, take);
        done += take;
        prev = h;
    }
    free(in);
    memset(t, 0, sizeof t);
    return ok;
}

bool ikev2_derive_keys(const struct ikev2_suite *s, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                       const uint8_t spi_i[8], const uint8_t spi_r[8], struct ikev2_keys *k)
{
    memset(k, 0, sizeof *k);
    k->prf_len = ikev2_prf_len(s->prf);
    k->integ_key_len = integ_key_len(s->integ);
    k->icv_len = k->integ_key_len / 2 + (s->integ == IKEV2_INTEG_SHA1_96 ? 2 : 0);
    k->encr_key_len = encr_key_len(s);
    k->block = block_len(s->encr);
    if (!k->prf_len || !k->integ_key_len || !k->encr_key_len || ni_len > 256 || nr_len > 256)
        return false;
    uint8_t seed[256 + 256 + 16], skeyseed[IKEV2_MAX_KEY];
    memcpy(seed, ni, ni_len);
    memcpy(seed + ni_len, nr, nr_len);
    if (!ikev2_prf(s->prf, seed, ni_len + nr_len, gir, gir_len, skeyseed))
        return false;
    memcpy(seed + ni_len + nr_len, spi_i, 8);
    memcpy(seed + ni_len + nr_len + 8, spi_r, 8);
    size_t p = k->prf_len, a = k->integ_key_len, e = k->encr_key_len;
    size_t total = 3 * p + 2 * a + 2 * e;
    uint8_t all[3 * IKEV2_MAX_KEY + 2 * IKEV2_MAX_KEY + 2 * 32];
    bool ok = ikev2_prf_plus(s->prf, skeyseed, p, seed, ni_len + nr_len + 16, all, total);
    if (ok) {
        const uint8_t *q = all;
        memcpy(k->d, q, p), q += p;
        memcpy(k->ai, q, a), q += a;
        memcpy(k->ar, q, a), q += a;
        memcpy(k->ei, q, e), q += e;
        memcpy(k->er, q, e), q += e;
        memcpy(k->pi, q, p), q += p;
        memcpy(k->pr, q, p);
    }
    memset(all, 0, sizeof all);
    memset(skeyseed, 0, sizeof skeyseed);
    return ok;
}

size_t ikev2_sk_seal(const struct ikev2_suite *s, const struct ikev2_keys *k, uint8_t *msg,
                     size_t cap, unsigned first, const uint8_t *plain, size_t plain_len,
                     const uint8_t *iv)
{
    size_t b = k->block, pad = b - (plain_len + 1) % b;
    if (pad == b)
        pad = 0;
    size_t ct = plain_len + pad + 1;
    size_t total = IKE_HEADER_LEN + 4 + b + ct + k->icv_len;
    if (!b || total > cap)
        return 0;
    uint8_t *p = msg + IKE_HEADER_LEN;
    msg[16] = IKEV2_PL_SK;
    be32_put(msg + 24, total);
    p[0] = (uint8_t)first;
    p[1] = 0;
    be16_put(p + 2, total - IKE_HEADER_LEN);
    memcpy(p + 4, iv, b);
    uint8_t *c = p + 4 + b;
    memcpy(c, plain, plain_len);
    memset(c + plain_len, 0, pad);
    c[plain_len + pad] = (uint8_t)pad;
    if (!cbc(s, k->ei, iv, c, ct, c, true))
        return 0;
    uint8_t icv[IKEV2_MAX_KEY];
    if (!hmac(md_of_integ(s->integ), k->ai, k->integ_key_len, msg, total - k->icv_len, icv))
        return 0;
    memcpy(msg + total - k->icv_len, icv, k->icv_len);
    return total;
}

enum l2f_status ikev2_sk_open(const struct ikev2_suite *s, const struct ikev2_keys *k,
                              const uint8_t *msg, size_t len, size_t body_at, uint8_t *out,
                              size_t cap, size_t *out_len, struct l2f_err *err)
{
    size_t b = k->block;
    if (!b || body_at > len || len - body_at < b + b + k->icv_len)
        return bad(err, "encrypted payload too short");
    size_t ct = len - body_at - b - k->icv_len;
    if (ct % b || ct > cap)
        return bad(err, "encrypted payload not a whole number of blocks");
    uint8_t icv[IKEV2_MAX_KEY];
    if (!hmac(md_of_integ(s->integ), k->ar, k->integ_key_len, msg, len - k->icv_len, icv))
        return bad(err, "integrity check unavailable");
    if (memcmp(icv, msg + len - k->icv_len, k->icv_len) != 0)
        return bad(err, "integrity check failed (a forged or damaged message)");
    if (!cbc(s, k->er, msg + body_at, msg + body_at + b, ct, out, false))
        return bad(err, "decryption failed");
    size_t pad = out[ct - 1];
    if (pad + 1 > ct)
        return bad(err, "padding longer than the encrypted payload");
    *out_len = ct - pad - 1;
    return L2F_OK;
}

/* ---- writing ---- */

void ikev2_w_init(struct ikev2_writer *w, uint8_t *buf, size_t cap)
{
    nw_init(&w->out, buf, cap);
    w->prev_next = SIZE_MAX;
    w->first = 0;
}

/* Starts a payload of type: links it from the previous one. */
static size_t w_begin(struct ikev2_writer *w, unsigned type)
{
    if (w->prev_next == SIZE_MAX)
        w->first = type;
    else
        nw_patch8(&w->out, w->prev_next, type);
    size_t start = w->out.pos;
    w->prev_next = start;
    nw_u8(&w->out, 0);
    nw_u8(&w->out, 0);
    nw_u16(&w->out, 0);
    return start;
}

static void w_end(struct ikev2_writer *w, size_t start)
{
    nw_patch16(&w->out, start + 2, w->out.pos - start);
}

void ikev2_w_payload(struct ikev2_writer *w, unsigned type, const uint8_t *body, size_t len)
{
    size_t at = w_begin(w, type);
    nw_bytes(&w->out, body, len);
    w_end(w, at);
}

void ikev2_header(uint8_t *buf, const uint8_t spi_i[8], const uint8_t spi_r[8], unsigned next,
                  unsigned exchange, unsigned flags, uint32_t message_id)
{
    memcpy(buf, spi_i, 8);
    memcpy(buf + 8, spi_r, 8);
    buf[16] = (uint8_t)next;
    buf[17] = 0x20;
    buf[18] = (uint8_t)exchange;
    buf[19] = (uint8_t)flags;
    be32_put(buf + 20, message_id);
    be32_put(buf + 24, IKE_HEADER_LEN);
}

static void transform(struct net_writer *o, bool last, unsigned type, unsigned id,
                      unsigned key_bits)
{
    size_t start = o->pos;
    nw_u8(o, last ? 0 : 3);
    nw_u8(o, 0);
    nw_u16(o, 0);
    nw_u8(o, type);
    nw_u8(o, 0);
    nw_u16(o, id);
    if (key_bits) {
        nw_u16(o, 0x8000 | ATTR_KEY_LENGTH);
        nw_u16(o, key_bits);
    }
    nw_patch16(o, start + 2, o->pos - start);
}

static void ike_proposal(struct net_writer *o, unsigned number, bool last,
                         const struct ikev2_suite *s)
{
    size_t start = o->pos;
    nw_u8(o, last ? 0 : 2);
    nw_u8(o, 0);
    nw_u16(o, 0);
    nw_u8(o, number);
    nw_u8(o, PROTO_IKE);
    nw_u8(o, 0);
    nw_u8(o, 4);
    transform(o, false, T_ENCR, s->encr, s->encr_bits);
    transform(o, false, T_INTEG, s->integ, 0);
    transform(o, false, T_PRF, s->prf, 0);
    transform(o, true, T_DH, s->dh, 0);
    nw_patch16(o, start + 2, o->pos - start);
}

static void notify(struct ikev2_writer *w, unsigned type, const uint8_t *data, size_t len)
{
    size_t at = w_begin(w, IKEV2_PL_NOTIFY);
    nw_u8(&w->out, 0); /* protocol */
    nw_u8(&w->out, 0); /* SPI size */
    nw_u16(&w->out, type);
    nw_bytes(&w->out, data, len);
    w_end(w, at);
}

bool ikev2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t ip[4],
                     uint16_t port, uint8_t out[IKEV2_NATD_LEN])
{
    uint8_t in[8 + 8 + 4 + 2];
    memcpy(in, spi_i, 8);
    memcpy(in + 8, spi_r, 8);
    memcpy(in + 16, ip, 4);
    be16_put(in + 20, port);
    return sha1(in, sizeof in, out);
}

size_t ikev2_build_init(uint8_t *buf, size_t cap, const struct ikev2_init_request *r)
{
    static const uint8_t zero[8] = {0};
    if (cap < IKE_HEADER_LEN)
        return 0;
    ikev2_header(buf, r->spi_i, zero, 0, IKEV2_EX_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
    struct ikev2_writer w;
    ikev2_w_init(&w, buf + IKE_HEADER_LEN, cap - IKE_HEADER_LEN);
    if (r->cookie)
        notify(&w, IKEV2_N_COOKIE, r->cookie, r->cookie_len);
    size_t sa = w_begin(&w, IKEV2_PL_SA);
    for (size_t i = 0; i < ikev2_windows_offer_count; i++) {
        struct ikev2_suite s = ikev2_windows_offer[i];
        s.dh = r->ke_group; /* after INVALID_KE every proposal carries the group asked for */
        ike_proposal(&w.out, (unsigned)i + 1, i + 1 == ikev2_windows_offer_count, &s);
    }
    w_end(&w, sa);
    size_t ke = w_begin(&w, IKEV2_PL_KE);
    nw_u16(&w.out, r->ke_group);
    nw_u16(&w.out, 0);
    nw_bytes(&w.out, r->ke, r->ke_len);
    w_end(&w, ke);
    ikev2_w_payload(&w, IKEV2_PL_NONCE, r->nonce, IKEV2_NONCE_LEN);
    notify(&w, IKEV2_N_NAT_SRC, r->natd_src, IKEV2_NATD_LEN);
    notify(&w, IKEV2_N_NAT_DST, r->natd_dst, IKEV2_NATD_LEN);
    notify(&w, IKEV2_N_FRAGMENTATION_SUPPORTED, NULL, 0);
    if (w.out.failed)
        return 0;
    buf[16] = (uint8_t)w.first;
    be32_put(buf + 24, IKE_HEADER_LEN + w.out.pos);
    return IKE_HEADER_LEN + w.out.pos;
}

/* ---- parsing ---- */

/* The proposal the server chose: exactly one, numbered as one of ours, with
 * one transform of each type and those of our proposal of that number (its
 * DH as we sent it). */
static enum l2f_status parse_chosen(const uint8_t *body, size_t len, uint16_t ke_group,
                                    struct ikev2_suite *out, struct l2f_err *err)
{
    if (len < 8)
        return bad(err, "SA too short");
    size_t plen = be16_get(body + 2);
    if (body[0] != 0 || plen != len)
        return bad(err, "more than one proposal chosen");
    unsigned num = body[4], count = body[7];
    if (body[5] != PROTO_IKE || body[6] != 0 || num < 1 || num > ikev2_windows_offer_count)
        return bad(err, "the server chose a proposal we did not make");
    struct ikev2_suite want = ikev2_windows_offer[num - 1];
    memset(out, 0, sizeof *out);
    const uint8_t *p = body + 8, *end = body + len;
    unsigned seen = 0;
    for (unsigned i = 0; i < count; i++) {
        if (end - p < 8)
            return bad(err, "transforms run out of the proposal");
        size_t tlen = be16_get(p + 2);
        if (tlen < 8 || tlen > (size_t)(end - p) || p[0] != (i + 1 < count ? 3 : 0))
            return bad(err, "transforms run out of the proposal");
        unsigned type = p[4], id = be16_get(p + 6), bits = 0;
        if (tlen == 12 && be16_get(p + 8) == (0x8000 | ATTR_KEY_LENGTH))
            bits = be16_get(p + 10);
        else if (tlen != 8)
            return bad(err, "a transform attribute we did not offer");
        if (type < 1 || type > 4 || (seen & 1u << type))
            return bad(err, "a transform type twice or one we did not offer");
        seen |= 1u << type;
        if (type == T_ENCR)
            out->encr = (uint16_t)id, out->encr_bits = (uint16_t)bits;
        else if (bits)
            return bad(err, "a key length on a transform that has none");
        else if (type == T_PRF)
            out->prf = (uint16_t)id;
        else if (type == T_INTEG)
            out->integ = (uint16_t)id;
        else
            out->dh = (uint16_t)id;
        p += tlen;
    }
    if (seen != (1u << T_ENCR | 1u << T_PRF | 1u << T_INTEG | 1u << T_DH) || p != end)
        return bad(err, "the chosen proposal lacks a transform type");
    want.dh = ke_group;
    if (memcmp(out, &want, sizeof want) != 0)
        return bad(err, "the chosen proposal differs from the one we made under its number");
    return L2F_OK;
}

/* Header checks shared by every answer: our SPI, version 2, a response. */
static enum l2f_status check_header(const uint8_t *buf, size_t len, const uint8_t spi_i[8],
                                    unsigned exchange, struct l2f_err *err)
{
    if (len < IKE_HEADER_LEN)
        return bad(err, "shorter than a header");
    if (be32_get(buf + 24) != len)
        return bad(err, "the header's length disagrees with the datagram");
    if (memcmp(buf, spi_i, 8) != 0)
        return bad(err, "another initiator SPI");
    if (buf[17] >> 4 != 2)
        return bad(err, "not IKE version 2");
    if (buf[18] != exchange)
        return bad(err, "another exchange type");
    if (!(buf[19] & IKEV2_FLAG_RESPONSE))
        return bad(err, "not a response");
    return L2F_OK;
}

static enum l2f_status init_notify(const struct ike_payload *pl, struct ikev2_init_reply *out,
                                   bool *done, struct l2f_err *err)
{
    *done = false;
    if (pl->len < 4 || pl->len < 4u + pl->body[1])
        return bad(err, "notify too short");
    unsigned type = be16_get(pl->body + 2);
    const uint8_t *data = pl->body + 4 + pl->body[1];
    size_t dlen = pl->len - 4 - pl->body[1];
    if (type == IKEV2_N_INVALID_KE) {
        if (dlen != 2)
            return bad(err, "INVALID_KE_PAYLOAD without a group");
        out->kind = IKEV2_INIT_INVALID_KE;
        out->ke_group = (uint16_t)be16_get(data);
    } else if (type == IKEV2_N_COOKIE) {
        if (dlen < 1 || dlen > IKEV2_MAX_COOKIE)
            return bad(err, "a COOKIE of a length outside 1 to 64");
        out->kind = IKEV2_INIT_COOKIE;
        memcpy(out->cookie, data, dlen);
        out->cookie_len = dlen;
    } else if (type < 16384) {
        out->kind = IKEV2_INIT_NOTIFY;
    } else {
        if (type == IKEV2_N_NAT_SRC && dlen == IKEV2_NATD_LEN && !out->natd_src_seen) {
            out->natd_src_seen = true;
            memcpy(out->natd_src, data, IKEV2_NATD_LEN);
        } else if (type == IKEV2_N_NAT_DST && dlen == IKEV2_NATD_LEN && !out->natd_dst_seen) {
            out->natd_dst_seen = true;
            memcpy(out->natd_dst, data, IKEV2_NATD_LEN);
        } else if (type == IKEV2_N_FRAGMENTATION_SUPPORTED) {
            out->fragmentation = true;
        }
        return L2F_OK;
    }
    out->notify = (uint16_t)type;
    *done = true;
    return L2F_OK;
}

enum l2f_status ikev2_parse_init(const uint8_t *buf, size_t len, const uint8_t spi_i[8],
                                 struct ikev2_init_reply *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    enum l2f_status st = check_header(buf, len, spi_i, IKEV2_EX_SA_INIT, err);
    if (st != L2F_OK)
        return st;
    memcpy(out->spi_r, buf + 8, 8);
    struct ike_payload pl[MAX_PAYLOADS];
    size_t n;
    if (!ike_walk(buf + IKE_HEADER_LEN, len - IKE_HEADER_LEN, buf[16], pl, MAX_PAYLOADS, &n))
        return bad(err, "payload chain runs out of the packet");
    for (size_t i = 0; i < n; i++) {
        bool done = false;
        if (pl[i].type == IKEV2_PL_NOTIFY && (st = init_notify(&pl[i], out, &done, err)) != L2F_OK)
            return st;
        if (done)
            return L2F_OK;
        if (pl[i].type == IKEV2_PL_CERTREQ)
            out->certreq = true;
    }
    const struct ike_payload *sa = ike_find(pl, n, IKEV2_PL_SA);
    const struct ike_payload *ke = ike_find(pl, n, IKEV2_PL_KE);
    const struct ike_payload *nonce = ike_find(pl, n, IKEV2_PL_NONCE);
    if (!sa || !ke || !nonce)
        return bad(err, "IKE_SA_INIT answered without SA, KE or nonce");
    if (ke->len < 4)
        return bad(err, "KE too short");
    uint16_t group = (uint16_t)be16_get(ke->body);
    if ((st = parse_chosen(sa->body, sa->len, group, &out->chosen, err)) != L2F_OK)
        return st;
    if (nonce->len < 16 || nonce->len > 256)
        return bad(err, "a nonce of a length outside 16 to 256 bytes");
    out->ke = ke->body + 4;
    out->ke_len = ke->len - 4;
    out->nonce = nonce->body;
    out->nonce_len = nonce->len;
    out->kind = IKEV2_INIT_ACCEPTED;
    return L2F_OK;
}

size_t ikev2_build_auth1(uint8_t *buf, size_t cap, const struct ikev2_auth_request *r,
                         size_t *idi_at, size_t *idi_len)
{
    struct ikev2_writer w;
    ikev2_w_init(&w, buf, cap);
    size_t id = w_begin(&w, IKEV2_PL_IDI);
    nw_u8(&w.out, 1); /* ID_IPV4_ADDR */
    nw_u8(&w.out, 0), nw_u16(&w.out, 0);
    nw_bytes(&w.out, r->my_ip, 4);
    w_end(&w, id);
    *idi_at = id + 4;
    *idi_len = 8;
    size_t cr = w_begin(&w, IKEV2_PL_CERTREQ);
    nw_u8(&w.out, 4); /* X.509 Certificate - Signature */
    if (r->ca_key_sha1)
        nw_bytes(&w.out, r->ca_key_sha1, 20);
    w_end(&w, cr);
    size_t cp = w_begin(&w, IKEV2_PL_CP);
    nw_u8(&w.out, 1); /* CFG_REQUEST */
    nw_u8(&w.out, 0), nw_u16(&w.out, 0);
    nw_u16(&w.out, 1), nw_u16(&w.out, 0); /* INTERNAL_IP4_ADDRESS */
    nw_u16(&w.out, 3), nw_u16(&w.out, 0); /* INTERNAL_IP4_DNS */
    w_end(&w, cp);
    /* ESP as Windows offers it for the CHILD_SA: AES-256 or 3DES with SHA-1 or SHA-256 */
    static const struct {
        uint16_t encr, bits, integ;
    } esp[] = {{IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_SHA1_96},
               {IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_SHA1_96},
               {IKEV2_ENCR_3DES, 0, IKEV2_INTEG_SHA1_96},
               {IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_SHA256_128},
               {IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_SHA256_128}};
    size_t sa = w_begin(&w, IKEV2_PL_SA);
    for (size_t i = 0; i < sizeof esp / sizeof esp[0]; i++) {
        size_t start = w.out.pos;
        nw_u8(&w.out, i + 1 < sizeof esp / sizeof esp[0] ? 2 : 0);
        nw_u8(&w.out, 0);
        nw_u16(&w.out, 0);
        nw_u8(&w.out, (unsigned)i + 1);
        nw_u8(&w.out, PROTO_ESP);
        nw_u8(&w.out, 4);
        nw_u8(&w.out, 3);
        nw_bytes(&w.out, r->esp_spi, 4);
        transform(&w.out, false, T_ENCR, esp[i].encr, esp[i].bits);
        transform(&w.out, false, T_INTEG, esp[i].integ, 0);
        transform(&w.out, true, T_ESN, 0, 0);
        nw_patch16(&w.out, start + 2, w.out.pos - start);
    }
    w_end(&w, sa);
    for (unsigned t = IKEV2_PL_TSI; t <= IKEV2_PL_TSR; t++) {
        size_t ts = w_begin(&w, t);
        nw_u8(&w.out, 1); /* one selector */
        nw_u8(&w.out, 0), nw_u16(&w.out, 0);
        nw_u8(&w.out, 7); /* TS_IPV4_ADDR_RANGE */
        nw_u8(&w.out, 0); /* any protocol */
        nw_u16(&w.out, 16);
        nw_u16(&w.out, 0), nw_u16(&w.out, 65535);
        nw_u32(&w.out, 0), nw_u32(&w.out, 0xFFFFFFFFul);
        w_end(&w, ts);
    }
    return w.out.failed ? 0 : w.out.pos;
}

static void auth_notify(const struct ike_payload *pl, struct ikev2_auth_reply *out)
{
    if (pl->len < 4 || pl->len < 4u + pl->body[1])
        return;
    unsigned type = be16_get(pl->body + 2);
    if (type < 16384 && !out->error_notify)
        out->error_notify = (uint16_t)type;
}

enum l2f_status ikev2_parse_auth(const uint8_t *plain, size_t len, unsigned first,
                                 struct ikev2_auth_reply *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    struct ike_payload pl[MAX_PAYLOADS];
    size_t n;
    if (!ike_walk(plain, len, first, pl, MAX_PAYLOADS, &n))
        return bad(err, "the encrypted payload chain runs out");
    for (size_t i = 0; i < n; i++) {
        const struct ike_payload *p = &pl[i];
        switch (p->type) {
        case IKEV2_PL_IDR:
            if (p->len < 4)
                return bad(err, "IDr too short");
            out->idr = p->body, out->idr_len = p->len;
            break;
        case IKEV2_PL_CERT:
            if (p->len < 2)
                return bad(err, "CERT too short");
            if (p->body[0] == 4 && out->cert_count < IKEV2_MAX_CERTS) {
                out->certs[out->cert_count] = p->body + 1;
                out->cert_len[out->cert_count++] = p->len - 1;
            }
            break;
        case IKEV2_PL_AUTH:
            if (p->len < 5)
                return bad(err, "AUTH too short");
            out->auth_method = p->body[0];
            out->auth = p->body + 4, out->auth_len = p->len - 4;
            break;
        case IKEV2_PL_EAP:
            if (p->len < 4)
                return bad(err, "EAP too short");
            out->eap = p->body, out->eap_len = p->len;
            break;
        case IKEV2_PL_NOTIFY:
            auth_notify(p, out);
            break;
        case IKEV2_PL_SA:
            out->child_sa = true;
            break;
        default:
            break;
        }
    }
    return L2F_OK;
}

/* ---- fragments ---- */

void ikev2_reasm_reset(struct ikev2_reassembly *r, uint32_t message_id)
{
    ikev2_reasm_free(r);
    r->message_id = message_id;
}

void ikev2_reasm_free(struct ikev2_reassembly *r)
{
    for (size_t i = 0; i < IKEV2_MAX_FRAGMENTS; i++)
        free(r->part[i]);
    memset(r, 0, sizeof *r);
}

enum l2f_status ikev2_reasm_add(struct ikev2_reassembly *r, unsigned number, unsigned total,
                                unsigned next, const uint8_t *plain, size_t len, bool *complete,
                                struct l2f_err *err)
{
    *complete = false;
    if (total < 1 || total > IKEV2_MAX_FRAGMENTS || number < 1 || number > total)
        return bad(err, "a fragment number out of range");
    if (r->total && r->total != total)
        return bad(err, "fragments that disagree on their total");
    if (r->part[number - 1])
        return bad(err, "a fragment twice");
    size_t sum = len;
    for (size_t i = 0; i < IKEV2_MAX_FRAGMENTS; i++)
        sum += r->len[i];
    if (sum > IKEV2_MAX_REASSEMBLED)
        return bad(err, "fragments add up to more than 64 KiB");
    r->part[number - 1] = malloc(len ? len : 1);
    if (!r->part[number - 1]) {
        l2f_err_set(err, "out of memory");
        return L2F_ERR_NOMEM;
    }
    memcpy(r->part[number - 1], plain, len);
    r->len[number - 1] = len;
    r->total = (uint16_t)total;
    if (number == 1)
        r->first = next;
    *complete = ++r->have_count == total;
    return L2F_OK;
}

enum l2f_status ikev2_reasm_join(struct ikev2_reassembly *r, uint8_t **out, size_t *len,
                                 struct l2f_err *err)
{
    size_t sum = 0;
    for (size_t i = 0; i < r->total; i++)
        sum += r->len[i];
    *out = malloc(sum ? sum : 1);
    if (!*out) {
        l2f_err_set(err, "out of memory");
        return L2F_ERR_NOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < r->total; i++) {
        memcpy(*out + at, r->part[i], r->len[i]);
        at += r->len[i];
    }
    *len = sum;
    return L2F_OK;
}

/* ---- EAP ---- */

enum l2f_status eap_parse(const uint8_t *p, size_t len, struct eap_packet *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    if (len < 4 || be16_get(p + 2) != len)
        return bad(err, "EAP length disagrees with its payload");
    out->code = p[0];
    out->id = p[1];
    if (out->code == EAP_SUCCESS || out->code == EAP_FAILURE)
        return len == 4 ? L2F_OK : bad(err, "EAP Success or Failure with data");
    if (out->code != EAP_REQUEST || len < 5)
        return bad(err, "not an EAP request");
    out->type = p[4];
    out->data = p + 5;
    out->len = len - 5;
    if (out->type != EAP_TYPE_MSCHAPV2)
        return L2F_OK;
    if (out->len < 4 || be16_get(out->data + 2) != out->len)
        return bad(err, "EAP-MSCHAPv2: MS-Length disagrees with the packet");
    out->op = out->data[0];
    out->ms_id = out->data[1];
    if (out->op == MSCHAPV2_OP_CHALLENGE) {
        if (out->len < 5 + 16 || out->data[4] != 16)
            return bad(err, "EAP-MSCHAPv2 challenge not 16 bytes");
        memcpy(out->challenge, out->data + 5, 16);
    } else if (out->op == MSCHAPV2_OP_SUCCESS || out->op == MSCHAPV2_OP_FAILURE) {
        out->message = out->data + 4;
        out->message_len = out->len - 4;
    } else {
        return bad(err, "an EAP-MSCHAPv2 request of an unknown op code");
    }
    return L2F_OK;
}

static size_t eap_header(uint8_t *buf, size_t cap, unsigned id, unsigned type, size_t body)
{
    if (cap < 5 + body || 5 + body > 0xFFFF)
        return 0;
    buf[0] = EAP_RESPONSE;
    buf[1] = (uint8_t)id;
    be16_put(buf + 2, 5 + body);
    buf[4] = (uint8_t)type;
    return 5 + body;
}

size_t eap_build_identity(uint8_t *buf, size_t cap, unsigned id, const char *user)
{
    size_t n = strlen(user);
    size_t len = eap_header(buf, cap, id, EAP_TYPE_IDENTITY, n);
    if (len)
        memcpy(buf + 5, user, n);
    return len;
}

size_t eap_build_nak(uint8_t *buf, size_t cap, unsigned id)
{
    size_t len = eap_header(buf, cap, id, EAP_TYPE_NAK, 1);
    if (len)
        buf[5] = EAP_TYPE_MSCHAPV2;
    return len;
}

size_t eap_build_mschapv2_response(uint8_t *buf, size_t cap, unsigned id, unsigned ms_id,
                                   const uint8_t peer_challenge[16], const uint8_t nt_response[24],
                                   const char *user)
{
    size_t n = strlen(user), body = 4 + 1 + 49 + n;
    size_t len = eap_header(buf, cap, id, EAP_TYPE_MSCHAPV2, body);
    if (!len)
        return 0;
    uint8_t *p = buf + 5;
    p[0] = MSCHAPV2_OP_RESPONSE;
    p[1] = (uint8_t)ms_id;
    be16_put(p + 2, body);
    p[4] = 49; /* Value-Size: peer challenge, 8 reserved, NT-Response, flags */
    memcpy(p + 5, peer_challenge, 16);
    memset(p + 21, 0, 8);
    memcpy(p + 29, nt_response, 24);
    p[53] = 0;
    memcpy(p + 54, user, n);
    return len;
}

size_t eap_build_mschapv2_ack(uint8_t *buf, size_t cap, unsigned id, unsigned op)
{
    size_t len = eap_header(buf, cap, id, EAP_TYPE_MSCHAPV2, 1);
    if (len)
        buf[5] = (uint8_t)op;
    return len;
}

/* RFC 3079 3.4 */
static const char magic1[] = "This is the MPPE Master Key";
static const char magic2[] = "On the client side, this is the send key; "
                             "on the server side, it is the receive key.";
static const char magic3[] = "On the client side, this is the receive key; "
                             "on the server side, it is the send key.";

/* SHA-1(master | 40 zero bytes | magic | 40 bytes of 0xF2), first 16 bytes (RFC 3079
 * GetAsymmetricStartKey) */
static bool asymmetric_key(const uint8_t master[16], const char *magic, uint8_t out[16])
{
    uint8_t in[16 + 40 + 84 + 40], h[20];
    size_t m = strlen(magic);
    if (m != 84)
        return false;
    memcpy(in, master, 16);
    memset(in + 16, 0, 40);
    memcpy(in + 56, magic, m);
    memset(in + 56 + m, 0xF2, 40);
    bool ok = sha1(in, sizeof in, h);
    memcpy(out, h, 16);
    return ok;
}

bool ikev2_mschapv2_msk(const char *password, const uint8_t nt_response[24],
                        uint8_t msk[IKEV2_MSK_LEN])
{
    uint8_t hash[16], hash_hash[16], in[16 + 24 + 27], master[20];
    if (!mschapv2_password_hash(password, hash))
        return false;
    md4(hash, 16, hash_hash);
    memcpy(in, hash_hash, 16);
    memcpy(in + 16, nt_response, 24);
    memcpy(in + 40, magic1, 27);
    memset(msk, 0, IKEV2_MSK_LEN);
    bool ok = sha1(in, sizeof in, master) && asymmetric_key(master, magic2, msk) &&
              asymmetric_key(master, magic3, msk + 16);
    memset(hash, 0, sizeof hash);
    memset(hash_hash, 0, sizeof hash_hash);
    memset(master, 0, sizeof master);
    memset(in, 0, sizeof in);
    return ok;
}

size_t ikev2_signed_octets(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *msg,
                           size_t msg_len, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *id, size_t id_len, uint8_t *out)
{
    memcpy(out, msg, msg_len);
    memcpy(out + msg_len, nonce, nonce_len);
    if (!ikev2_prf(prf, sk_p, sk_p_len, id, id_len, out + msg_len + nonce_len))
        return 0;
    return msg_len + nonce_len + ikev2_prf_len(prf);
}

bool ikev2_psk_auth(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *octets,
                    size_t len, uint8_t *out)
{
    static const char pad[] = "Key Pad for IKEv2";
    uint8_t inner[IKEV2_MAX_KEY];
    bool ok = ikev2_prf(prf, key, key_len, (const uint8_t *)pad, sizeof pad - 1, inner) &&
              ikev2_prf(prf, inner, ikev2_prf_len(prf), octets, len, out);
    memset(inner, 0, sizeof inner);
    return ok;
}
