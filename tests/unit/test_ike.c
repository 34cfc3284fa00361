/* IKE packets: what the probe sends, byte for byte where it matters, and
 * replies made by hand, good and bad. */
#include <string.h>

#include "net/ike.h"
#include "testutil.h"

static const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t rcookie[8] = {9, 9, 9, 9, 9, 9, 9, 9};
#define OFFER ike_windows_offer, ike_windows_offer_count

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static void mm1_layout(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ike_v1_build_mm1(buf, sizeof buf, cookie, ike_windows_offer, ike_windows_offer_count,
                                false);
    assert_true(n > 28);
    assert_memory_equal(buf, cookie, 8);
    for (int i = 8; i < 16; i++)
        assert_int_equal(buf[i], 0); /* responder cookie */
    assert_int_equal(buf[16], 1);    /* next: SA */
    assert_int_equal(buf[17], 0x10); /* version 1.0 */
    assert_int_equal(buf[18], 2);    /* Main Mode */
    assert_int_equal((size_t)buf[24] << 24 | (size_t)buf[25] << 16 | (size_t)buf[26] << 8 | buf[27],
                     n);
    /* SA: next VID, DOI 1, situation 1; one proposal, ISAKMP, all transforms */
    const uint8_t *sa = buf + 28;
    assert_int_equal(sa[0], 13);
    assert_int_equal(sa[7], 1);
    assert_int_equal(sa[11], 1);
    const uint8_t *prop = sa + 12;
    assert_int_equal(prop[0], 0);
    assert_int_equal(prop[5], 1);
    assert_int_equal(prop[7], ike_windows_offer_count);
    /* first transform: AES-256, SHA1, PSK, ECP384 (Windows' first offer) */
    const uint8_t *tr = prop + 8;
    assert_int_equal(tr[0], 3);
    assert_int_equal(tr[5], 1); /* KEY_IKE */
    assert_int_equal(be16(tr + 8), 0x8001);
    assert_int_equal(be16(tr + 10), IKE_ENC_AES_CBC);
    assert_int_equal(be16(tr + 12), 0x800E);
    assert_int_equal(be16(tr + 14), 256);
    /* the NAT-T vendor id ends the packet */
    static const uint8_t vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                    0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
    assert_memory_equal(buf + n - 16, vid, 16);
    /* with the marker: four zero bytes, then the same packet */
    uint8_t m[1024];
    size_t mn =
        ike_v1_build_mm1(m, sizeof m, cookie, ike_windows_offer, ike_windows_offer_count, true);
    assert_int_equal(mn, n + 4);
    assert_int_equal(m[0] | m[1] | m[2] | m[3], 0);
    assert_memory_equal(m + 4, buf, n);
    /* too small a buffer gives nothing rather than half a packet */
    assert_int_equal(
        ike_v1_build_mm1(buf, 60, cookie, ike_windows_offer, ike_windows_offer_count, false), 0);
}

/* Builds a reply: header + payloads given as raw bytes. */
static size_t reply(uint8_t *out, const uint8_t *icookie, const uint8_t *resp, unsigned version,
                    unsigned exchange, unsigned flags, unsigned first, const uint8_t *payloads,
                    size_t plen)
{
    memcpy(out, icookie, 8);
    memcpy(out + 8, resp, 8);
    out[16] = (uint8_t)first;
    out[17] = (uint8_t)version;
    out[18] = (uint8_t)exchange;
    out[19] = (uint8_t)flags;
    memset(out + 20, 0, 4);
    size_t n = 28 + plen;
    out[24] = (uint8_t)(n >> 24);
    out[25] = (uint8_t)(n >> 16);
    out[26] = (uint8_t)(n >> 8);
    out[27] = (uint8_t)n;
    memcpy(out + 28, payloads, plen);
    return n;
}

/* SA(DOI, sit, proposal(1 transform: AES-256 SHA1 PSK MODP2048, 28800 s)) + VID(RFC 3947) */
static const uint8_t mm2_payloads[] = {
    13,   0,    0,    56,   0,    0,    0,    1,    0,    0,    0,    1, /* SA, next VID */
    0,    0,    0,    44,   1,    1,    0,    1,                         /* proposal, 1 transform */
    0,    0,    0,    36,   1,    1,    0,    0,                         /* transform */
    0x80, 1,    0,    7,    0x80, 14,   1,    0,    0x80, 2,    0,    2,    0x80, 3,    0,
    1,    0x80, 4,    0,    14,   0x80, 11,   0,    1,    0x80, 12,   0x70, 0x80, /* life: 28800
                                                                                     seconds */
    0,    0,    0,    20,   0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28,
    0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

static void mm2_accepted_names_the_transform(void **state)
{
    (void)state;
    uint8_t pkt[512];
    size_t n = reply(pkt, cookie, rcookie, 0x10, 2, 0, 1, mm2_payloads, sizeof mm2_payloads);
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, OFFER, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_ACCEPTED);
    assert_true(r.natt_vendor_id);
    assert_memory_equal(r.responder_cookie, rcookie, 8);
    char name[64];
    ike_transform_name(&r.chosen, name, sizeof name);
    assert_string_equal(name, "aes256-sha1-modp2048");
    /* on 4500 the same reply behind the marker */
    uint8_t marked[516] = {0, 0, 0, 0};
    memcpy(marked + 4, pkt, n);
    assert_int_equal(ike_v1_parse_reply(marked, n + 4, cookie, true, OFFER, &r, &err), L2F_OK);
    marked[2] = 1; /* an ESP SPI, not the marker */
    assert_int_equal(ike_v1_parse_reply(marked, n + 4, cookie, true, OFFER, &r, &err),
                     L2F_ERR_PARSE);
}

static void informational_no_proposal(void **state)
{
    (void)state;
    static const uint8_t notify[] = {0, 0, 0, 12, 0, 0,
                                     0, 1, 1, 0,  0, 14}; /* N(NO-PROPOSAL-CHOSEN) */
    uint8_t pkt[128];
    size_t n = reply(pkt, cookie, (const uint8_t[8]){0}, 0x10, 5, 0, 11, notify, sizeof notify);
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, OFFER, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_NOTIFY);
    assert_int_equal(r.notify, IKE_NOTIFY_NO_PROPOSAL_CHOSEN);
}

static void expect_rejected(const uint8_t *pkt, size_t n, const char *why)
{
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, OFFER, &r, &err), L2F_ERR_PARSE);
    if (!strstr(err.msg, why))
        fail_msg("got '%s', want '%s'", err.msg, why);
}

static void bad_replies_rejected_safely(void **state)
{
    (void)state;
    uint8_t pkt[IKE_MAX_PACKET + 64];
    size_t n = reply(pkt, cookie, rcookie, 0x10, 2, 0, 1, mm2_payloads, sizeof mm2_payloads);
    /* truncated anywhere: never accepted, never read past the end */
    for (size_t cut = 0; cut < n; cut++) {
        struct ike_reply r;
        struct l2f_err err;
        assert_int_equal(ike_v1_parse_reply(pkt, cut, cookie, false, OFFER, &r, &err),
                         L2F_ERR_PARSE);
    }
    expect_rejected(pkt, 10, "shorter than an IKE header");
    /* the length field disagreeing with the datagram */
    pkt[27]++;
    expect_rejected(pkt, n, "length field");
    pkt[27]--;
    /* another initiator's cookie */
    pkt[0] ^= 0xFF;
    expect_rejected(pkt, n, "another initiator cookie");
    pkt[0] ^= 0xFF;
    /* another exchange (Aggressive Mode) and another version */
    pkt[18] = 4;
    expect_rejected(pkt, n, "neither Main Mode");
    pkt[18] = 2;
    pkt[17] = 0x20;
    expect_rejected(pkt, n, "another IKE version");
    pkt[17] = 0x10;
    /* a payload longer than the packet */
    pkt[28 + 3] = 200;
    expect_rejected(pkt, n, "runs out");
    pkt[28 + 3] = 56;
    /* two transforms chosen */
    pkt[28 + 12 + 7] = 2;
    expect_rejected(pkt, n, "more or less than one transform");
    pkt[28 + 12 + 7] = 1;
    /* oversized */
    memset(pkt + n, 0, sizeof pkt - n);
    size_t big = IKE_MAX_PACKET + 8;
    pkt[24] = (uint8_t)(big >> 24);
    pkt[25] = (uint8_t)(big >> 16);
    pkt[26] = (uint8_t)(big >> 8);
    pkt[27] = (uint8_t)big;
    expect_rejected(pkt, big, "larger than");
    /* encrypted: not an answer to message 1 */
    n = reply(pkt, cookie, rcookie, 0x10, 2, 1, 1, mm2_payloads, sizeof mm2_payloads);
    expect_rejected(pkt, n, "encrypted");
    /* zero-length payload: no endless loop */
    static const uint8_t zero_len[] = {1, 0, 0, 0};
    n = reply(pkt, cookie, rcookie, 0x10, 5, 0, 13, zero_len, sizeof zero_len);
    expect_rejected(pkt, n, "runs out");
}

/* ENCR AES-CBC-256, PRF HMAC-SHA1, INTEG HMAC-SHA1-96, DH 14: one of each, all offered */
static const uint8_t chosen_ok[] = {3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0, 3, 0, 0, 8, 2, 0,
                                    0, 2, 3, 0,  0, 8, 3, 0,  0,    2,  0, 0, 0, 8, 4, 0, 0, 14};

/* IKE_SA_INIT answer: SA(proposal prop of count transforms), KE(group, ke_len), Nonce. */
static size_t v2_answer_raw(uint8_t *pkt, const uint8_t *transforms, size_t tlen, unsigned count,
                            unsigned prop, unsigned group, size_t ke_len, size_t nonce_len)
{
    uint8_t pl[1024];
    size_t n = 0;
    pl[n++] = 34; /* SA, next KE */
    pl[n++] = 0;
    pl[n++] = (uint8_t)((4 + 8 + tlen) >> 8);
    pl[n++] = (uint8_t)(4 + 8 + tlen);
    uint8_t ph[8] = {
        0, 0, (uint8_t)((8 + tlen) >> 8), (uint8_t)(8 + tlen), (uint8_t)prop, 1, 0, (uint8_t)count};
    memcpy(pl + n, ph, 8);
    n += 8;
    memcpy(pl + n, transforms, tlen);
    n += tlen;
    uint8_t kh[8] = {40, 0, (uint8_t)((8 + ke_len) >> 8), (uint8_t)(8 + ke_len), 0, (uint8_t)group,
                     0,  0};
    memcpy(pl + n, kh, 8);
    n += 8;
    memset(pl + n, 0x42, ke_len);
    n += ke_len;
    uint8_t nh[4] = {0, 0, (uint8_t)((4 + nonce_len) >> 8), (uint8_t)(4 + nonce_len)};
    memcpy(pl + n, nh, 4);
    n += 4;
    memset(pl + n, 0x17, nonce_len);
    n += nonce_len;
    return reply(pkt, cookie, rcookie, 0x20, 34, 0x20, 33, pl, n);
}

static size_t v2_answer(uint8_t *pkt, const uint8_t *transforms, unsigned count, unsigned prop,
                        unsigned group, size_t ke_len, size_t nonce_len)
{
    return v2_answer_raw(pkt, transforms, sizeof chosen_ok, count, prop, group, ke_len, nonce_len);
}

static void sa_init_layout_and_replies(void **state)
{
    (void)state;
    uint8_t random[256 + 32], buf[1024];
    memset(random, 0xFF, sizeof random);
    assert_int_equal(ike_v2_random_needed(IKE_GROUP_MODP2048), 288);
    assert_int_equal(ike_v2_random_needed(IKE_GROUP_ECP256), 0);
    size_t n =
        ike_v2_build_sa_init(buf, sizeof buf, cookie, IKE_GROUP_MODP2048, random, sizeof random);
    assert_true(n > 28 + 256 + 32);
    assert_int_equal(buf[17], 0x20);
    assert_int_equal(buf[18], 34);
    assert_int_equal(buf[19], 0x08);
    /* the KE value stays below the prime */
    const uint8_t *sa = buf + 28;
    const uint8_t *ke = sa + be16(sa + 2);
    assert_int_equal(ke[0], 40);
    assert_int_equal(be16(ke + 4), IKE_GROUP_MODP2048);
    assert_int_equal(be16(ke + 2), 8 + 256);
    assert_true(ke[8] < 0xFF);

    /* replies */
    uint8_t pkt[1024];
    struct ike_reply r;
    struct l2f_err err = {{0}};
    size_t pn = v2_answer(pkt, chosen_ok, 4, 1, 14, 256, 32);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_ACCEPTED);
    static const uint8_t invalid_ke[] = {0, 0, 0, 10, 0, 0, 0, 17, 0, 2};
    pn = reply(pkt, cookie, rcookie, 0x20, 34, 0x20, 41, invalid_ke, sizeof invalid_ke);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_INVALID_KE);
    assert_int_equal(r.ke_group, IKE_GROUP_MODP1024);
    static const uint8_t no_prop[] = {0, 0, 0, 8, 0, 0, 0, 14};
    pn = reply(pkt, cookie, (const uint8_t[8]){0}, 0x20, 34, 0x20, 41, no_prop, sizeof no_prop);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_NOTIFY);
    assert_int_equal(r.notify, IKE_NOTIFY_NO_PROPOSAL_CHOSEN);
    static const uint8_t cookie_req[] = {0, 0, 0, 12, 0, 0, 0x40, 0x06, 1, 2, 3, 4};
    pn = reply(pkt, cookie, (const uint8_t[8]){0}, 0x20, 34, 0x20, 41, cookie_req,
               sizeof cookie_req);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_COOKIE);
    /* our own request echoed back is not a response; an IKEv1 packet is not IKEv2 */
    assert_int_equal(ike_v2_parse_reply(buf, n, cookie, &r, &err), L2F_ERR_PARSE);
    pn = v2_answer(pkt, chosen_ok, 4, 1, 14, 256, 32);
    pkt[17] = 0x10;
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_ERR_PARSE);
}

/* ---- what the server chose must be what we offered ---- */

/* MM2 whose transform has these attributes (TV, or TLV when value > 0xFFFF). */
static size_t mm2_with(uint8_t *pkt, unsigned prop_no, const unsigned (*attrs)[2], size_t n)
{
    uint8_t pl[256], *tr = pl + 20;
    size_t t = 8;
    for (size_t i = 0; i < n; i++) {
        unsigned type = attrs[i][0], value = attrs[i][1];
        if (value > 0xFFFF) { /* TLV, 4 bytes */
            uint8_t a[8] = {0,
                            (uint8_t)type,
                            0,
                            4,
                            (uint8_t)(value >> 24),
                            (uint8_t)(value >> 16),
                            (uint8_t)(value >> 8),
                            (uint8_t)value};
            memcpy(tr + t, a, 8);
            t += 8;
        } else {
            uint8_t a[4] = {0x80, (uint8_t)type, (uint8_t)(value >> 8), (uint8_t)value};
            memcpy(tr + t, a, 4);
            t += 4;
        }
    }
    uint8_t head[20] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, (uint8_t)prop_no, 1, 0, 1};
    memcpy(pl, head, 20);
    pl[3] = (uint8_t)(20 + t);     /* SA */
    pl[12 + 3] = (uint8_t)(8 + t); /* proposal */
    uint8_t th[8] = {0, 0, 0, (uint8_t)t, 1, 1, 0, 0};
    memcpy(tr, th, 8);
    return reply(pkt, cookie, rcookie, 0x10, 2, 0, 1, pl, 20 + t);
}

static void expect_unoffered(const uint8_t *pkt, size_t n, const char *why)
{
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, OFFER, &r, &err), L2F_ERR_PARSE);
    if (!strstr(err.msg, why))
        fail_msg("got '%s', want '%s'", err.msg, why);
}

static void mm2_must_choose_an_offered_transform(void **state)
{
    (void)state;
    uint8_t pkt[512];
    struct ike_reply r;
    struct l2f_err err = {{0}};
    /* Windows' third: AES-256 SHA1 PSK MODP2048, 28800 s, here as a 4-byte long attribute */
    const unsigned ok[][2] = {{1, 7}, {14, 256}, {2, 2}, {3, 1}, {4, 14}, {11, 1}, {12, 28800}};
    size_t n = mm2_with(pkt, 1, ok, 7);
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, OFFER, &r, &err), L2F_OK);
    const unsigned ok_long[][2] = {{1, 7},  {14, 256}, {2, 2},       {3, 1},
                                   {4, 14}, {11, 1},   {12, 0x10000}};
    n = mm2_with(pkt, 1, ok_long, 7);
    expect_unoffered(pkt, n, "did not offer: aes256-sha1-modp2048 for 65536 s");
    /* DES, MD5, group 1: never offered */
    const unsigned des[][2] = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {11, 1}, {12, 28800}};
    n = mm2_with(pkt, 1, des, 6);
    expect_unoffered(pkt, n, "the server chose a transform we did not offer: des-md5-modp768");
    /* each attribute off by one from an offered transform */
    const unsigned aes128_2048[][2] = {{1, 7},  {14, 128}, {2, 2},     {3, 1},
                                       {4, 14}, {11, 1},   {12, 28800}};
    expect_unoffered(pkt, mm2_with(pkt, 1, aes128_2048, 7), "did not offer: aes128-sha1-modp2048");
    const unsigned rsa[][2] = {{1, 7}, {14, 256}, {2, 2}, {3, 3}, {4, 14}, {11, 1}, {12, 28800}};
    expect_unoffered(pkt, mm2_with(pkt, 1, rsa, 7), "aes256-sha1-modp2048 with auth method 3");
    const unsigned short_life[][2] = {{1, 7},  {14, 256}, {2, 2},    {3, 1},
                                      {4, 14}, {11, 1},   {12, 3600}};
    expect_unoffered(pkt, mm2_with(pkt, 1, short_life, 7), "aes256-sha1-modp2048 for 3600 s");
    const unsigned kb_life[][2] = {{1, 7},  {14, 256}, {2, 2},     {3, 1},
                                   {4, 14}, {11, 2},   {12, 28800}};
    expect_unoffered(pkt, mm2_with(pkt, 1, kb_life, 7), "units of another kind");
    const unsigned no_life[][2] = {{1, 7}, {14, 256}, {2, 2}, {3, 1}, {4, 14}};
    expect_unoffered(pkt, mm2_with(pkt, 1, no_life, 5),
                     "did not offer: aes256-sha1-modp2048 for 0");
    const unsigned no_keylen[][2] = {{1, 7}, {2, 2}, {3, 1}, {4, 14}, {11, 1}, {12, 28800}};
    expect_unoffered(pkt, mm2_with(pkt, 1, no_keylen, 6), "did not offer: aes-sha1-modp2048");
    /* an attribute we never sent, one twice, another proposal */
    const unsigned extra[][2] = {{1, 7},  {14, 256}, {2, 2},      {3, 1},
                                 {4, 14}, {11, 1},   {12, 28800}, {5, 1}};
    expect_unoffered(pkt, mm2_with(pkt, 1, extra, 8), "an attribute we did not offer");
    const unsigned twice[][2] = {{1, 7},  {14, 256}, {2, 2},  {3, 1},
                                 {4, 14}, {4, 14},   {11, 1}, {12, 28800}};
    expect_unoffered(pkt, mm2_with(pkt, 1, twice, 8), "an attribute twice");
    expect_unoffered(pkt, mm2_with(pkt, 2, ok, 7), "a proposal we did not make");
}

/* A long attribute's length at its limits: 1 to 4 bytes, within the transform. */
static void mm2_long_attribute_lengths(void **state)
{
    (void)state;
    const unsigned ok[][2] = {{1, 7}, {14, 256}, {2, 2}, {3, 1}, {4, 14}, {11, 1}, {12, 0x10000}};
    uint8_t pkt[512];
    size_t n = mm2_with(pkt, 1, ok, 7);
    uint8_t *len_field = pkt + n - 8 + 3; /* the lifetime's length, last in the transform */
    *len_field = 0;
    expect_unoffered(pkt, n, "a long attribute of a length we did not offer");
    *len_field = 5;
    expect_unoffered(pkt, n, "attribute runs out of the transform");
    *len_field = 3; /* one byte left over: an attribute cut off */
    expect_unoffered(pkt, n, "attribute cut off");
    *len_field = 4;
    expect_unoffered(pkt, n, "for 65536 s");
}

static void sa_init_must_choose_an_offered_transform(void **state)
{
    (void)state;
    uint8_t pkt[1024];
    struct ike_reply r;
    struct l2f_err err = {{0}};
    static const struct {
        uint8_t transforms[64];
        size_t len;
        unsigned count, prop;
        const char *why;
    } cases[] = {
        /* DH group 5 */
        {{3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0, 3, 0, 0, 8, 2, 0,
          0, 2, 3, 0,  0, 8, 3, 0,  0,    2,  0, 0, 0, 8, 4, 0, 0, 5},
         36,
         4,
         1,
         "did not offer: dh 5"},
        /* ENCR AES-GCM (20) */
        {{3, 0, 0, 12, 1, 0, 0, 20, 0x80, 14, 1, 0, 3, 0, 0, 8, 2, 0,
          0, 2, 3, 0,  0, 8, 3, 0,  0,    2,  0, 0, 0, 8, 4, 0, 0, 14},
         36,
         4,
         1,
         "did not offer: encr 20"},
        /* AES-CBC with a 192-bit key */
        {{3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 0, 192, 3, 0, 0, 8, 2, 0,
          0, 2, 3, 0,  0, 8, 3, 0,  0,    2,  0, 0,   0, 8, 4, 0, 0, 14},
         36,
         4,
         1,
         "did not offer: encr 12 with a key length"},
        /* an ESN transform besides */
        {{3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0, 3, 0,  0, 8, 2, 0, 0, 2, 3, 0,
          0, 8, 3, 0,  0, 2, 3, 0,  0,    8,  4, 0, 0, 14, 0, 0, 0, 8, 5, 0, 0, 0},
         44,
         5,
         1,
         "did not offer: esn 0"},
        /* no INTEG */
        {{3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0, 3, 0,
          0, 8, 2, 0,  0, 2, 0, 0,  0,    8,  4, 0, 0, 14},
         28,
         3,
         1,
         "lacks a transform type"},
        /* two PRFs */
        {{3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0, 3, 0, 0, 8, 2, 0, 0, 2, 3, 0,
          0, 8, 2, 0,  0, 5, 3, 0,  0,    8,  3, 0, 0, 2, 0, 0, 0, 8, 4, 0, 0, 14},
         44,
         5,
         1,
         "two transforms of one type"},
        /* proposal 2: we made only 1 */
        {{0}, 0, 4, 2, "a proposal we did not make"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t pn = cases[i].len ? v2_answer_raw(pkt, cases[i].transforms, cases[i].len,
                                                 cases[i].count, cases[i].prop, 14, 256, 32)
                                 : v2_answer(pkt, chosen_ok, 4, cases[i].prop, 14, 256, 32);
        assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_ERR_PARSE);
        if (!strstr(err.msg, cases[i].why))
            fail_msg("case %u: got '%s', want '%s'", (unsigned)i, err.msg, cases[i].why);
    }
    /* KE of another group or size; nonces at their limits (16 to 256) */
    size_t pn = v2_answer(pkt, chosen_ok, 4, 1, 2, 256, 32);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_ERR_PARSE);
    pn = v2_answer(pkt, chosen_ok, 4, 1, 14, 255, 32);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_ERR_PARSE);
    static const struct {
        size_t len;
        enum l2f_status want;
    } nonces[] = {{15, L2F_ERR_PARSE}, {16, L2F_OK}, {256, L2F_OK}, {257, L2F_ERR_PARSE}};
    for (size_t i = 0; i < sizeof nonces / sizeof nonces[0]; i++) {
        pn = v2_answer(pkt, chosen_ok, 4, 1, 14, 256, nonces[i].len);
        assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), nonces[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mm1_layout),
        cmocka_unit_test(mm2_accepted_names_the_transform),
        cmocka_unit_test(informational_no_proposal),
        cmocka_unit_test(bad_replies_rejected_safely),
        cmocka_unit_test(sa_init_layout_and_replies),
        cmocka_unit_test(mm2_must_choose_an_offered_transform),
        cmocka_unit_test(mm2_long_attribute_lengths),
        cmocka_unit_test(sa_init_must_choose_an_offered_transform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
