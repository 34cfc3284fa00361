/* IKEv2 from here: key schedule, SK payload, IKE_SA_INIT, EAP-MSCHAPv2 and
 * the MSK, fragments. Expected values were computed apart from this code in
 * Python (hmac, hashlib, the cryptography package's AES-CBC and a separate
 * MD4) from the inputs named in each test; RFC 2759's PasswordHashHash and
 * RFC 3079's MasterKey for "clientPass" come out of the same computation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/bytes.h"
#include "net/ike.h"
#include "net/ikev2.h"
#include "net/ikev2cert.h"
#include "net/ikev2run.h"
#include "platform.h"
#include "testutil.h"

static const struct ikev2_suite aes256_sha256 = {IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA256,
                                                 IKEV2_INTEG_SHA256_128, IKE_GROUP_MODP1024};

static void expect(const uint8_t *got, const char *want_hex)
{
    uint8_t want[256];
    size_t n = strlen(want_hex) / 2;
    tu_hex(want_hex, want);
    assert_memory_equal(got, want, n);
}

/* Ni = 00..1f, Nr = 80..9f, g^ir = (i * 3) mod 256 for 128 bytes,
 * SPIi = 01..08, SPIr = 11..18, aes256-sha256. */
static void derive(struct ikev2_keys *k)
{
    uint8_t ni[32], nr[32], gir[128], spi_i[8], spi_r[8];
    for (int i = 0; i < 32; i++)
        ni[i] = (uint8_t)i, nr[i] = (uint8_t)(0x80 + i);
    for (int i = 0; i < 128; i++)
        gir[i] = (uint8_t)(i * 3);
    for (int i = 0; i < 8; i++)
        spi_i[i] = (uint8_t)(1 + i), spi_r[i] = (uint8_t)(0x11 + i);
    assert_true(ikev2_derive_keys(&aes256_sha256, ni, 32, nr, 32, gir, 128, spi_i, spi_r, k));
}

static void prf_plus_known_answer(void **state)
{
    (void)state;
    uint8_t out[70];
    assert_true(ikev2_prf_plus(IKEV2_PRF_HMAC_SHA256, (const uint8_t *)"key", 3,
                               (const uint8_t *)"seed", 4, out, sizeof out));
    expect(out, "a2392e429a99b173341b368bb5ce320bfd483d89567c14ec187c2d77e3c0a208ba45d21d42611712"
                "996c0cd4b329ac8681e093a8a5bbbbf0fb8c9d1cf674f7423fe3d2fbd664");
    /* more than 255 outputs is refused (RFC 7296 2.13) */
    uint8_t big[255 * 32 + 1];
    assert_false(ikev2_prf_plus(IKEV2_PRF_HMAC_SHA256, (const uint8_t *)"k", 1,
                                (const uint8_t *)"s", 1, big, sizeof big));
}

static void key_schedule(void **state)
{
    (void)state;
    struct ikev2_keys k;
    derive(&k);
    assert_int_equal(k.prf_len, 32);
    assert_int_equal(k.icv_len, 16);
    assert_int_equal(k.encr_key_len, 32);
    expect(k.d, "7695ddb2733cb0f268bdeab1aee07a485390b5cbedb936ebb1ffa7f99aa737c0");
    expect(k.ai, "ea2f40b67509c13bcce9a4de4a366829baac18ee3a9c890466aae519616e6783");
    expect(k.ar, "5a8a1564f8f977653ee873bf267151d60e80d2ac0d008c4599686fa874193dae");
    expect(k.ei, "5f8ad1b47801a4b600b3375202928f97b56028b61ed73851de6a9f18c958685e");
    expect(k.er, "1f6f4b21648e2f6cb08af558c5369d3df8ea9eaad9fe5a12013d7c29261322a6");
    expect(k.pi, "f4a480c0090cb171eaadb79c56632f69720531729dd676a8c8d9d978c054fda4");
    expect(k.pr, "0e89550b7647806f07c268228b5f6e67539118dbaa155aaff526cc280a2fbe72");
}

/* 10 bytes 00..09 as an EAP payload, IV a0..af, message id 1. */
static size_t seal_example(const struct ikev2_keys *k, uint8_t *msg, size_t cap)
{
    uint8_t spi_i[8], spi_r[8], plain[10], iv[16];
    for (int i = 0; i < 8; i++)
        spi_i[i] = (uint8_t)(1 + i), spi_r[i] = (uint8_t)(0x11 + i);
    for (int i = 0; i < 10; i++)
        plain[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        iv[i] = (uint8_t)(0xa0 + i);
    ikev2_header(msg, spi_i, spi_r, 0, IKEV2_EX_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
    return ikev2_sk_seal(&aes256_sha256, k, msg, cap, IKEV2_PL_EAP, plain, sizeof plain, iv);
}

static void sk_seal_known_answer(void **state)
{
    (void)state;
    struct ikev2_keys k;
    derive(&k);
    uint8_t msg[256];
    size_t n = seal_example(&k, msg, sizeof msg);
    assert_int_equal(n, 80);
    expect(msg, "010203040506070811121314151617182e202308000000010000005030000034a0a1a2a3a4a5a6a7"
                "a8a9aaabacadaeaf62abf34f2305bae3c8fbc53f9145756388588590b914ad537cc2d6b978537c82");
    assert_int_equal(ikev2_sk_seal(&aes256_sha256, &k, msg, 79, IKEV2_PL_EAP, msg, 10, msg), 0);
}

/* What we seal with the initiator's keys opens with them swapped in: the
 * responder's direction uses the same code. A flipped bit anywhere fails. */
static void sk_open_round_trip_and_tamper(void **state)
{
    (void)state;
    struct ikev2_keys k, r;
    derive(&k);
    uint8_t msg[256], out[256];
    size_t n = seal_example(&k, msg, sizeof msg), got = 0;
    r = k;
    memcpy(r.ar, k.ai, sizeof r.ar);
    memcpy(r.er, k.ei, sizeof r.er);
    struct l2f_err err;
    assert_int_equal(
        ikev2_sk_open(&aes256_sha256, &r, msg, n, IKE_HEADER_LEN + 4, out, sizeof out, &got, &err),
        L2F_OK);
    assert_int_equal(got, 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(out[i], i);
    for (size_t at = 0; at < n; at += 7) {
        msg[at] ^= 1;
        assert_int_equal(ikev2_sk_open(&aes256_sha256, &r, msg, n, IKE_HEADER_LEN + 4, out,
                                       sizeof out, &got, &err),
                         L2F_ERR_PARSE);
        msg[at] ^= 1;
    }
    /* shorter than IV + one block + ICV */
    assert_int_equal(ikev2_sk_open(&aes256_sha256, &r, msg, IKE_HEADER_LEN + 4 + 40,
                                   IKE_HEADER_LEN + 4, out, sizeof out, &got, &err),
                     L2F_ERR_PARSE);
}

static void natd_known_answer(void **state)
{
    (void)state;
    uint8_t spi_i[8], spi_r[8], ip[4] = {192, 0, 2, 1}, h[20];
    for (int i = 0; i < 8; i++)
        spi_i[i] = (uint8_t)(1 + i), spi_r[i] = (uint8_t)(0x11 + i);
    assert_true(ikev2_natd_hash(spi_i, spi_r, ip, 500, h));
    expect(h, "d798d986143f878f70765e0e869c80bbc375f701");
}

static size_t build_request(uint8_t *buf, size_t cap, const uint8_t *cookie, size_t cookie_len)
{
    static uint8_t ke[128];
    struct ikev2_init_request q = {.ke_group = IKE_GROUP_MODP1024, .ke = ke, .ke_len = 128};
    memset(q.spi_i, 0x42, 8);
    q.cookie = cookie;
    q.cookie_len = cookie_len;
    return ikev2_build_init(buf, cap, &q);
}

/* Windows' six proposals, then KE, Ni, the two NAT-D notifies and
 * IKEV2_FRAGMENTATION_SUPPORTED; a cookie goes first. */
static void init_request_layout(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = build_request(buf, sizeof buf, NULL, 0);
    assert_true(n > 0);
    assert_int_equal(be32_get(buf + 24), n);
    struct ike_payload pl[16];
    size_t count;
    assert_true(ike_walk(buf + 28, n - 28, buf[16], pl, 16, &count));
    assert_int_equal(count, 6);
    unsigned want[] = {IKEV2_PL_SA,     IKEV2_PL_KE,     IKEV2_PL_NONCE,
                       IKEV2_PL_NOTIFY, IKEV2_PL_NOTIFY, IKEV2_PL_NOTIFY};
    for (size_t i = 0; i < count; i++)
        assert_int_equal(pl[i].type, want[i]);
    assert_int_equal(be16_get(pl[3].body + 2), IKEV2_N_NAT_SRC);
    assert_int_equal(be16_get(pl[4].body + 2), IKEV2_N_NAT_DST);
    assert_int_equal(be16_get(pl[5].body + 2), IKEV2_N_FRAGMENTATION_SUPPORTED);
    /* six proposals numbered 1..6, the sixth the last */
    const uint8_t *p = pl[0].body;
    for (unsigned i = 1; i <= 6; i++) {
        assert_int_equal(p[4], i);
        assert_int_equal(p[0], i < 6 ? 2 : 0);
        p += be16_get(p + 2);
    }
    assert_ptr_equal(p, pl[0].body + pl[0].len);
    uint8_t cookie[4] = {9, 9, 9, 9};
    n = build_request(buf, sizeof buf, cookie, 4);
    assert_int_equal(buf[16], IKEV2_PL_NOTIFY);
    assert_int_equal(be16_get(buf + 28 + 6), IKEV2_N_COOKIE);
    assert_int_equal(build_request(buf, 200, NULL, 0), 0);
}

/* A responder's answer: SA choosing proposal prop (as in our offer, or with
 * encr changed), KE of 128 bytes, a nonce and a NAT-D notify. */
static size_t answer(uint8_t *buf, size_t cap, unsigned prop, uint16_t encr)
{
    uint8_t spi_i[8], spi_r[8];
    memset(spi_i, 0x42, 8);
    memset(spi_r, 0x77, 8);
    ikev2_header(buf, spi_i, spi_r, 0, IKEV2_EX_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
    struct ikev2_suite s = ikev2_windows_offer[prop - 1];
    uint8_t sa[64];
    size_t t = 8, tl = s.encr_bits ? 12 : 8;
    memset(sa, 0, sizeof sa);
    sa[4] = (uint8_t)prop, sa[5] = 1, sa[7] = 4;
    unsigned types[4] = {1, 3, 2, 4}, ids[4] = {encr, s.integ, s.prf, s.dh};
    for (int i = 0; i < 4; i++) {
        size_t len = i == 0 ? tl : 8;
        sa[t] = i < 3 ? 3 : 0;
        be16_put(sa + t + 2, len);
        sa[t + 4] = (uint8_t)types[i];
        be16_put(sa + t + 6, ids[i]);
        if (len == 12)
            be16_put(sa + t + 8, 0x800e), be16_put(sa + t + 10, s.encr_bits);
        t += len;
    }
    be16_put(sa + 2, t);
    uint8_t ke[132] = {0}, nonce[32], natd[24] = {0, 0, 0x40, 0x05};
    be16_put(ke, IKE_GROUP_MODP1024);
    memset(nonce, 0x55, sizeof nonce);
    memset(natd + 4, 0xAB, 20);
    struct ikev2_writer w;
    ikev2_w_init(&w, buf + 28, cap - 28);
    ikev2_w_payload(&w, IKEV2_PL_SA, sa, t);
    ikev2_w_payload(&w, IKEV2_PL_KE, ke, sizeof ke);
    ikev2_w_payload(&w, IKEV2_PL_NONCE, nonce, sizeof nonce);
    ikev2_w_payload(&w, IKEV2_PL_NOTIFY, natd, sizeof natd);
    buf[16] = (uint8_t)w.first;
    be32_put(buf + 24, 28 + w.out.pos);
    return 28 + w.out.pos;
}

static void init_reply_parsed(void **state)
{
    (void)state;
    uint8_t buf[1024], spi_i[8];
    memset(spi_i, 0x42, 8);
    struct ikev2_init_reply r;
    struct l2f_err err;
    size_t n = answer(buf, sizeof buf, 4, IKEV2_ENCR_AES_CBC);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKEV2_INIT_ACCEPTED);
    assert_int_equal(r.chosen.prf, IKEV2_PRF_HMAC_SHA256);
    assert_int_equal(r.chosen.encr_bits, 256);
    assert_int_equal(r.ke_len, 128);
    assert_int_equal(r.nonce_len, 32);
    assert_true(r.natd_dst_seen);
    assert_int_equal(r.natd_dst[0], 0xAB);
    /* proposal 4 is AES: 3DES under its number is not what we offered */
    n = answer(buf, sizeof buf, 4, IKEV2_ENCR_3DES);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_ERR_PARSE);
    /* every truncation is refused, never read past */
    n = answer(buf, sizeof buf, 1, IKEV2_ENCR_3DES);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_OK);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        if (cut >= 28)
            be32_put(copy + 24, cut);
        assert_int_equal(ikev2_parse_init(copy, cut, spi_i, &r, &err), L2F_ERR_PARSE);
        free(copy);
    }
    uint8_t other[8];
    memset(other, 0x43, 8);
    assert_int_equal(ikev2_parse_init(buf, n, other, &r, &err), L2F_ERR_PARSE);
}

static size_t notify_answer(uint8_t *buf, unsigned type, const uint8_t *data, size_t len)
{
    uint8_t spi_i[8], zero[8] = {0}, body[80] = {0};
    memset(spi_i, 0x42, 8);
    ikev2_header(buf, spi_i, zero, 0, IKEV2_EX_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
    be16_put(body + 2, type);
    if (len)
        memcpy(body + 4, data, len);
    struct ikev2_writer w;
    ikev2_w_init(&w, buf + 28, 200);
    ikev2_w_payload(&w, IKEV2_PL_NOTIFY, body, 4 + len);
    buf[16] = (uint8_t)w.first;
    be32_put(buf + 24, 28 + w.out.pos);
    return 28 + w.out.pos;
}

static void init_notifies(void **state)
{
    (void)state;
    uint8_t buf[256], spi_i[8], group[2] = {0, 14}, cookie[70];
    memset(spi_i, 0x42, 8);
    memset(cookie, 7, sizeof cookie);
    struct ikev2_init_reply r;
    struct l2f_err err;
    size_t n = notify_answer(buf, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKEV2_INIT_NOTIFY);
    assert_int_equal(r.notify, IKEV2_N_NO_PROPOSAL_CHOSEN);
    n = notify_answer(buf, IKEV2_N_INVALID_KE, group, 2);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKEV2_INIT_INVALID_KE);
    assert_int_equal(r.ke_group, 14);
    n = notify_answer(buf, IKEV2_N_COOKIE, cookie, 64);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKEV2_INIT_COOKIE);
    assert_int_equal(r.cookie_len, 64);
    /* a cookie longer than RFC 7296's 64 bytes is refused, not copied */
    n = notify_answer(buf, IKEV2_N_COOKIE, cookie, 65);
    assert_int_equal(ikev2_parse_init(buf, n, spi_i, &r, &err), L2F_ERR_PARSE);
}

static void eap_framing(void **state)
{
    (void)state;
    /* a challenge request: code 1, id 5, type 26, op 1, ms-id 9, ms-length,
     * value size 16, the challenge, the name "srv" */
    uint8_t req[5 + 4 + 1 + 16 + 3] = {1, 5, 0, sizeof req, 26, 1, 9, 0, 24, 16};
    memset(req + 10, 0xCC, 16);
    memcpy(req + 26, "srv", 3);
    struct eap_packet p;
    struct l2f_err err;
    assert_int_equal(eap_parse(req, sizeof req, &p, &err), L2F_OK);
    assert_int_equal(p.type, EAP_TYPE_MSCHAPV2);
    assert_int_equal(p.op, MSCHAPV2_OP_CHALLENGE);
    assert_int_equal(p.ms_id, 9);
    assert_int_equal(p.challenge[15], 0xCC);
    req[8] = 25; /* MS-Length disagrees */
    assert_int_equal(eap_parse(req, sizeof req, &p, &err), L2F_ERR_PARSE);
    req[3] = sizeof req + 1; /* EAP length disagrees */
    assert_int_equal(eap_parse(req, sizeof req, &p, &err), L2F_ERR_PARSE);
    uint8_t resp[128], peer[16], nt[24];
    memset(peer, 0x11, 16);
    memset(nt, 0x22, 24);
    size_t n = eap_build_mschapv2_response(resp, sizeof resp, 5, 9, peer, nt, "alice");
    assert_int_equal(n, 5 + 4 + 1 + 49 + 5);
    assert_int_equal(resp[0], EAP_RESPONSE);
    assert_int_equal(be16_get(resp + 2), n);
    assert_int_equal(resp[5], MSCHAPV2_OP_RESPONSE);
    assert_int_equal(be16_get(resp + 7), n - 5);
    assert_int_equal(resp[9], 49);
    assert_int_equal(resp[10], 0x11);
    assert_int_equal(resp[34], 0x22);
    assert_memory_equal(resp + n - 5, "alice", 5);
    assert_int_equal(eap_build_identity(resp, sizeof resp, 3, "alice"), 10);
    assert_int_equal(eap_build_identity(resp, 9, 3, "alice"), 0);
    uint8_t success[4] = {3, 7, 0, 4};
    assert_int_equal(eap_parse(success, 4, &p, &err), L2F_OK);
    assert_int_equal(p.code, EAP_SUCCESS);
}

/* RFC 2759's "clientPass" and its NT-Response; the MSK as strongSwan lays it out. */
static void msk_and_auth(void **state)
{
    (void)state;
    uint8_t nt[24], msk[64], auth[32];
    tu_hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", nt);
    assert_true(ikev2_mschapv2_msk("clientPass", nt, msk));
    expect(msk, "d5f0e9521e3ea9589645e86051c822268b7cdc149b993a1ba118cb153f56dccb"
                "0000000000000000000000000000000000000000000000000000000000000000");
    uint8_t octets[30];
    for (int i = 0; i < 30; i++)
        octets[i] = (uint8_t) "abc"[i % 3];
    assert_true(ikev2_psk_auth(IKEV2_PRF_HMAC_SHA256, msk, 64, octets, 30, auth));
    expect(auth, "cf48125c07e1a31c2f3b86b1d39e61fe4b903c1fbafb00077706bdcd15a7aa72");
}

static void fragments(void **state)
{
    (void)state;
    struct ikev2_reassembly r = {0};
    struct l2f_err err;
    bool done = false;
    ikev2_reasm_reset(&r, 1);
    assert_int_equal(ikev2_reasm_add(&r, 2, 3, 0, (const uint8_t *)"bb", 2, &done, &err), L2F_OK);
    assert_false(done);
    assert_int_equal(ikev2_reasm_add(&r, 2, 3, 0, (const uint8_t *)"bb", 2, &done, &err),
                     L2F_ERR_PARSE);
    assert_int_equal(ikev2_reasm_add(&r, 1, 4, 37, (const uint8_t *)"a", 1, &done, &err),
                     L2F_ERR_PARSE);
    assert_int_equal(ikev2_reasm_add(&r, 4, 3, 0, (const uint8_t *)"d", 1, &done, &err),
                     L2F_ERR_PARSE);
    assert_int_equal(ikev2_reasm_add(&r, 3, 3, 0, (const uint8_t *)"ccc", 3, &done, &err), L2F_OK);
    assert_int_equal(ikev2_reasm_add(&r, 1, 3, 37, (const uint8_t *)"a", 1, &done, &err), L2F_OK);
    assert_true(done);
    uint8_t *whole;
    size_t len;
    assert_int_equal(ikev2_reasm_join(&r, &whole, &len, &err), L2F_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(whole, "abbccc", 6);
    assert_int_equal(r.first, 37);
    free(whole);
    /* a total beyond the bound, and more than 64 KiB in all */
    ikev2_reasm_reset(&r, 2);
    assert_int_equal(ikev2_reasm_add(&r, 1, IKEV2_MAX_FRAGMENTS + 1, 0, whole, 0, &done, &err),
                     L2F_ERR_PARSE);
    static uint8_t big[40000];
    assert_int_equal(ikev2_reasm_add(&r, 1, 3, 0, big, sizeof big, &done, &err), L2F_OK);
    assert_int_equal(ikev2_reasm_add(&r, 2, 3, 0, big, sizeof big, &done, &err), L2F_ERR_PARSE);
    ikev2_reasm_free(&r);
}

static void auth_reply_payloads(void **state)
{
    (void)state;
    uint8_t buf[512], idr[8] = {1, 0, 0, 0, 10, 0, 0, 1}, cert[5] = {4, 0x30, 1, 2, 3};
    uint8_t auth[12] = {1, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9}, eap[5] = {1, 1, 0, 5, 1};
    uint8_t ts[4] = {0, 0, 0, 38};
    struct ikev2_writer w;
    ikev2_w_init(&w, buf, sizeof buf);
    ikev2_w_payload(&w, IKEV2_PL_IDR, idr, sizeof idr);
    ikev2_w_payload(&w, IKEV2_PL_CERT, cert, sizeof cert);
    ikev2_w_payload(&w, IKEV2_PL_AUTH, auth, sizeof auth);
    ikev2_w_payload(&w, IKEV2_PL_EAP, eap, sizeof eap);
    ikev2_w_payload(&w, IKEV2_PL_NOTIFY, ts, sizeof ts);
    struct ikev2_auth_reply a;
    struct l2f_err err;
    assert_int_equal(ikev2_parse_auth(buf, w.out.pos, w.first, &a, &err), L2F_OK);
    assert_int_equal(a.idr_len, 8);
    assert_int_equal(a.cert_count, 1);
    assert_int_equal(a.cert_len[0], 4);
    assert_int_equal(a.auth_method, 1);
    assert_int_equal(a.auth_len, 8);
    assert_int_equal(a.eap_len, 5);
    assert_int_equal(a.error_notify, IKEV2_N_TS_UNACCEPTABLE);
    assert_false(a.child_sa);
    assert_int_equal(ikev2_parse_auth(buf, w.out.pos - 1, w.first, &a, &err), L2F_ERR_PARSE);
}

/* handshake --ikev2's outcome kept per host for the diagnosis */
static char *slurp(const char *path)
{
    static char buf[64 * 1024];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static void spill(const char *path, const char *text, size_t pad)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    fclose(f);
}

static void ikev2_seen_round_trip(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ikev2.json", dir);
    struct ikev2_seen seen;
    assert_false(ikev2_recall(dir, "vpn.example", &seen));
    struct ikev2_result r = {0};
    r.stages[IKEV2_STAGE_TUNNEL].outcome = HS_OK;
    r.stages[IKEV2_STAGE_IPSEC].outcome = HS_OK;
    r.stages[IKEV2_STAGE_AUTH] =
        (struct hs_stage){HS_FAILED, "E=691 M=bad password for alice", 691, 900};
    r.cert.present = r.cert.trusted = true;
    ikev2_remember(dir, "vpn.example", "alice", &r, 1796256000);
    assert_null(strstr(slurp(path), "alice")); /* the user name is never kept */
    assert_true(ikev2_recall(dir, "vpn.example", &seen));
    assert_false(seen.ok);
    assert_int_equal(seen.stage, IKEV2_STAGE_AUTH);
    assert_int_equal(seen.code, 691);
    assert_string_equal(seen.reason, "E=691 M=bad password for *****");
    assert_true(seen.trusted);
    assert_true(seen.when == 1796256000);
    assert_false(ikev2_recall(dir, "other.example", &seen));
    /* the newest run per host replaces the older; other hosts stay */
    r.stages[IKEV2_STAGE_AUTH] = (struct hs_stage){HS_OK, "user accepted", 0, 1000};
    ikev2_remember(dir, "other.example", "bob", &r, 1796256100);
    ikev2_remember(dir, "vpn.example", "alice", &r, 1796256200);
    assert_true(ikev2_recall(dir, "vpn.example", &seen));
    assert_true(seen.ok && seen.code == 0 && seen.when == 1796256200);
    assert_true(ikev2_recall(dir, "other.example", &seen));
    assert_true(seen.ok);
    /* bounded: the oldest hosts go first */
    for (int i = 0; i < 40; i++) {
        char host[32];
        snprintf(host, sizeof host, "h%d.example", i);
        ikev2_remember(dir, host, "alice", &r, 1796256300 + i);
    }
    assert_true(strlen(slurp(path)) < 8 * 1024);
    assert_false(ikev2_recall(dir, "vpn.example", &seen));
    assert_true(ikev2_recall(dir, "h39.example", &seen));
    remove(path);
    rmdir(dir);
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), issuer ? 2 : 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    const char *ext[][2] = {{"basicConstraints", issuer ? "CA:FALSE" : "critical,CA:TRUE"},
                            {issuer ? "subjectAltName" : "keyUsage",
                             issuer ? "IP:192.0.2.1" : "critical,keyCertSign,cRLSign"},
                            {issuer ? "extendedKeyUsage" : NULL, "serverAuth"}};
    for (size_t i = 0; i < 3 && ext[i][0]; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);
        assert_non_null(e);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

/* A server certificate verified through a CA file: the anchor noted is that CA
 * (thumbprint by OpenSSL's own digest here), with the file's absolute path. */
static void cert_check_notes_the_anchor(void **state)
{
    (void)state;
    char dir[256], path[300], cwd[1024];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s%cca.pem", dir, PLAT_DIRSEP); /* as the absolute path reads */
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
    X509 *ca = make_cert("l2f anchor CA", ca_key, NULL, NULL);
    X509 *leaf = make_cert("vpn", key, ca, ca_key);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    PEM_write_X509(f, ca);
    fclose(f);
    unsigned char md[20], *der = NULL;
    unsigned n = 0;
    char thumb[41];
    X509_digest(ca, EVP_sha1(), md, &n);
    for (unsigned i = 0; i < n; i++)
        snprintf(thumb + 2 * i, 3, "%02X", md[i]);
    int len = i2d_X509(leaf, &der);
    assert_true(len > 0);
    const uint8_t *certs[1] = {der};
    size_t lens[1] = {(size_t)len};
    struct ikev2_cert_info info;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0); /* a relative --ca-file is kept absolute */
    bool ok = ikev2_cert_check(certs, lens, 1, "ca.pem", "192.0.2.1", &info);
    assert_int_equal(chdir(cwd), 0);
    assert_true(ok);
    assert_string_equal(info.anchor_sha1, thumb);
    assert_string_equal(info.anchor_subject, "CN=l2f anchor CA");
    assert_string_equal(info.anchor_file, path);
    /* not verified: no anchor */
    assert_false(ikev2_cert_check(certs, lens, 1, path, "192.0.2.99", &info));
    assert_false(info.trusted); /* the record keeps an anchor only with trusted */
    OPENSSL_free(der);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    remove(path);
    rmdir(dir);
}

/* Trusted through --ca-file: the anchor's thumbprint, subject and file are kept
 * (switch-ikev2 imports that CA); trusted by the system's store: none of them. */
static void ikev2_seen_keeps_the_ca(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ikev2.json", dir);
    struct ikev2_result r = {0};
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++)
        r.stages[i].outcome = HS_OK;
    r.cert.present = r.cert.trusted = true;
    snprintf(r.cert.anchor_sha1, sizeof r.cert.anchor_sha1, "%s",
             "7A12A136ED4CBA1DA01292C9A2DC05D37924AB15");
    snprintf(r.cert.anchor_subject, sizeof r.cert.anchor_subject, "CN=l2f CA");
    snprintf(r.cert.anchor_file, sizeof r.cert.anchor_file, "/etc/l2f/ca.pem");
    ikev2_remember(dir, "vpn.example", "alice", &r, 1796256000);
    struct ikev2_seen seen;
    assert_true(ikev2_recall(dir, "vpn.example", &seen));
    assert_string_equal(seen.ca_sha1, "7A12A136ED4CBA1DA01292C9A2DC05D37924AB15");
    assert_string_equal(seen.ca_subject, "CN=l2f CA");
    assert_string_equal(seen.ca_file, "/etc/l2f/ca.pem");
    r.cert.anchor_sha1[0] = r.cert.anchor_file[0] = '\0'; /* the system's store */
    ikev2_remember(dir, "vpn.example", "alice", &r, 1796256100);
    assert_null(strstr(slurp(path), "ca_thumbprint"));
    assert_true(ikev2_recall(dir, "vpn.example", &seen));
    assert_string_equal(seen.ca_sha1, "");
    /* a CA named in part, or a thumbprint not as Windows writes it: not ours */
    static const char *const bad[] = {
        "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"ok\",\"stage\":\"auth\",\"code\":0,"
        "\"reason\":\"\",\"certificate_trusted\":true,"
        "\"ca_thumbprint\":\"7A12A136ED4CBA1DA01292C9A2DC05D37924AB15\"}]",
        "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"ok\",\"stage\":\"auth\",\"code\":0,"
        "\"reason\":\"\",\"certificate_trusted\":true,"
        "\"ca_thumbprint\":\"7a12a136ed4cba1da01292c9a2dc05d37924ab15\",\"ca_subject\":\"CN=x\","
        "\"ca_file\":\"/ca.pem\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spill(path, bad[i], 0);
        assert_false(ikev2_recall(dir, "vpn.example", &seen));
    }
    remove(path);
    rmdir(dir);
}

static void ikev2_seen_corrupt_ignored(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ikev2.json", dir);
    struct ikev2_seen seen;
    static const char *const bad[] = {
        "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"ok\",\"stage\":\"auth\"", /* cut */
        "{\"host\":\"vpn.example\"}", /* not a list */
        "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"maybe\",\"stage\":\"auth\","
        "\"code\":0,\"reason\":\"\",\"certificate_trusted\":true}]",
        "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"ok\",\"stage\":\"lcp\","
        "\"code\":0,\"reason\":\"\",\"certificate_trusted\":true}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spill(path, bad[i], 0);
        assert_false(ikev2_recall(dir, "vpn.example", &seen));
        assert_string_equal(slurp(path), bad[i]); /* left as it was */
    }
    /* well formed, and recalled; the same with 40 KiB of padding: too big to be ours */
    const char *good = "[{\"host\":\"vpn.example\",\"when\":1,\"outcome\":\"ok\",\"stage\":"
                       "\"auth\",\"code\":0,\"reason\":\"\",\"certificate_trusted\":true}]";
    spill(path, good, 0);
    assert_true(ikev2_recall(dir, "vpn.example", &seen));
    assert_true(seen.ok);
    spill(path, good, 40 * 1024);
    assert_false(ikev2_recall(dir, "vpn.example", &seen));
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prf_plus_known_answer),
        cmocka_unit_test(key_schedule),
        cmocka_unit_test(sk_seal_known_answer),
        cmocka_unit_test(sk_open_round_trip_and_tamper),
        cmocka_unit_test(natd_known_answer),
        cmocka_unit_test(init_request_layout),
        cmocka_unit_test(init_reply_parsed),
        cmocka_unit_test(init_notifies),
        cmocka_unit_test(eap_framing),
        cmocka_unit_test(msk_and_auth),
        cmocka_unit_test(fragments),
        cmocka_unit_test(auth_reply_payloads),
        cmocka_unit_test(ikev2_seen_round_trip),
        cmocka_unit_test(cert_check_notes_the_anchor),
        cmocka_unit_test(ikev2_seen_keeps_the_ca),
        cmocka_unit_test(ikev2_seen_corrupt_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
