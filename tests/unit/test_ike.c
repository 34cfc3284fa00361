/* IKE packets: what the probe sends, byte for byte where it matters, and
 * replies made by hand, good and bad. */
#include <string.h>

#include "net/ike.h"
#include "testutil.h"

static const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t rcookie[8] = {9, 9, 9, 9, 9, 9, 9, 9};

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static void mm1_layout(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ike_v1_build_mm1(buf, sizeof buf, cookie, ike_windows_offer, ike_windows_offer_count, false);
    assert_true(n > 28);
    assert_memory_equal(buf, cookie, 8);
    for (int i = 8; i < 16; i++)
        assert_int_equal(buf[i], 0); /* responder cookie */
    assert_int_equal(buf[16], 1);    /* next: SA */
    assert_int_equal(buf[17], 0x10); /* version 1.0 */
    assert_int_equal(buf[18], 2);    /* Main Mode */
    assert_int_equal((size_t)buf[24] << 24 | (size_t)buf[25] << 16 | (size_t)buf[26] << 8 | buf[27], n);
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
    size_t mn = ike_v1_build_mm1(m, sizeof m, cookie, ike_windows_offer, ike_windows_offer_count, true);
    assert_int_equal(mn, n + 4);
    assert_int_equal(m[0] | m[1] | m[2] | m[3], 0);
    assert_memory_equal(m + 4, buf, n);
    /* too small a buffer gives nothing rather than half a packet */
    assert_int_equal(ike_v1_build_mm1(buf, 60, cookie, ike_windows_offer, ike_windows_offer_count, false), 0);
}

/* Builds a reply: header + payloads given as raw bytes. */
static size_t reply(uint8_t *out, const uint8_t *icookie, const uint8_t *resp, unsigned version, unsigned exchange,
                    unsigned flags, unsigned first, const uint8_t *payloads, size_t plen)
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

/* SA(DOI, sit, proposal(1 transform: AES-256 SHA1 PSK MODP2048)) + VID(RFC 3947) */
static const uint8_t mm2_payloads[] = {
    13, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 1,                     /* SA, next VID */
    0, 0, 0, 36, 1, 1, 0, 1,                                  /* proposal, 1 transform */
    0, 0, 0, 28, 1, 1, 0, 0,                                  /* transform */
    0x80, 1, 0, 7, 0x80, 14, 1, 0, 0x80, 2, 0, 2, 0x80, 3, 0, 1, 0x80, 4, 0, 14,
    0, 0, 0, 20, 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

static void mm2_accepted_names_the_transform(void **state)
{
    (void)state;
    uint8_t pkt[512];
    size_t n = reply(pkt, cookie, rcookie, 0x10, 2, 0, 1, mm2_payloads, sizeof mm2_payloads);
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_ACCEPTED);
    assert_true(r.natt_vendor_id);
    assert_memory_equal(r.responder_cookie, rcookie, 8);
    char name[64];
    ike_transform_name(&r.chosen, name, sizeof name);
    assert_string_equal(name, "aes256-sha1-modp2048");
    /* on 4500 the same reply behind the marker */
    uint8_t marked[516] = {0, 0, 0, 0};
    memcpy(marked + 4, pkt, n);
    assert_int_equal(ike_v1_parse_reply(marked, n + 4, cookie, true, &r, &err), L2F_OK);
    marked[2] = 1; /* an ESP SPI, not the marker */
    assert_int_equal(ike_v1_parse_reply(marked, n + 4, cookie, true, &r, &err), L2F_ERR_PARSE);
}

static void informational_no_proposal(void **state)
{
    (void)state;
    static const uint8_t notify[] = {0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14}; /* N(NO-PROPOSAL-CHOSEN) */
    uint8_t pkt[128];
    size_t n = reply(pkt, cookie, (const uint8_t[8]){0}, 0x10, 5, 0, 11, notify, sizeof notify);
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_NOTIFY);
    assert_int_equal(r.notify, IKE_NOTIFY_NO_PROPOSAL_CHOSEN);
}

static void expect_rejected(const uint8_t *pkt, size_t n, const char *why)
{
    struct ike_reply r;
    struct l2f_err err = {{0}};
    assert_int_equal(ike_v1_parse_reply(pkt, n, cookie, false, &r, &err), L2F_ERR_PARSE);
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
        assert_int_equal(ike_v1_parse_reply(pkt, cut, cookie, false, &r, &err), L2F_ERR_PARSE);
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
    pkt[28 + 3] = 48;
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

static void sa_init_layout_and_replies(void **state)
{
    (void)state;
    uint8_t random[256 + 32], buf[1024];
    memset(random, 0xFF, sizeof random);
    assert_int_equal(ike_v2_random_needed(IKE_GROUP_MODP2048), 288);
    assert_int_equal(ike_v2_random_needed(IKE_GROUP_ECP256), 0);
    size_t n = ike_v2_build_sa_init(buf, sizeof buf, cookie, IKE_GROUP_MODP2048, random, sizeof random);
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
    static const uint8_t sa_reply[] = {0, 0, 0, 8, 0, 0, 0, 0};
    uint8_t pkt[256];
    struct ike_reply r;
    struct l2f_err err = {{0}};
    size_t pn = reply(pkt, cookie, rcookie, 0x20, 34, 0x20, 33, sa_reply, sizeof sa_reply);
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
    pn = reply(pkt, cookie, (const uint8_t[8]){0}, 0x20, 34, 0x20, 41, cookie_req, sizeof cookie_req);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_OK);
    assert_int_equal(r.kind, IKE_REPLY_COOKIE);
    /* our own request echoed back is not a response; an IKEv1 packet is not IKEv2 */
    assert_int_equal(ike_v2_parse_reply(buf, n, cookie, &r, &err), L2F_ERR_PARSE);
    pn = reply(pkt, cookie, rcookie, 0x10, 34, 0x20, 33, sa_reply, sizeof sa_reply);
    assert_int_equal(ike_v2_parse_reply(pkt, pn, cookie, &r, &err), L2F_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mm1_layout),
        cmocka_unit_test(mm2_accepted_names_the_transform),
        cmocka_unit_test(informational_no_proposal),
        cmocka_unit_test(bad_replies_rejected_safely),
        cmocka_unit_test(sa_init_layout_and_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
