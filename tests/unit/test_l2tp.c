/* L2TP control messages as bytes: what we build parses back, hand-made
 * packets from a server parse as RFC 2661 says, and malformed ones do not. */
#include <string.h>

#include "net/l2tp.h"
#include "testutil.h"

static void sccrq_round_trip(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = l2tp_build_sccrq(buf, sizeof buf, "l2tpfix", 0x1234, 4);
    assert_true(n > 12);
    /* T, L, S set, version 2; the length field is the whole message */
    assert_int_equal(buf[0], 0xc8);
    assert_int_equal(buf[1], 0x02);
    assert_int_equal(buf[2] << 8 | buf[3], n);
    struct l2tp_header h;
    assert_true(l2tp_parse_header(buf, n, &h));
    assert_true(h.control);
    assert_int_equal(h.tunnel, 0);
    assert_int_equal(h.ns, 0);
    struct l2tp_control c;
    assert_true(l2tp_parse_control(h.payload, h.payload_len, &c));
    assert_int_equal(c.type, L2TP_SCCRQ);
    uint16_t v;
    assert_true(l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v));
    assert_int_equal(v, 0x1234);
    assert_true(l2tp_avp_u16(&c, L2TP_AVP_RECEIVE_WINDOW, &v));
    assert_int_equal(v, 4);
    const struct l2tp_avp *host = l2tp_find_avp(&c, L2TP_AVP_HOST_NAME);
    assert_non_null(host);
    assert_int_equal(host->len, 7);
    assert_memory_equal(host->value, "l2tpfix", 7);
    assert_true(host->mandatory);
    const struct l2tp_avp *ver = l2tp_find_avp(&c, L2TP_AVP_PROTOCOL_VERSION);
    assert_non_null(ver);
    assert_int_equal(ver->value[0], 1);
    assert_int_equal(ver->value[1], 0);
    assert_string_equal(l2tp_message_name(c.type), "SCCRQ");
}

/* An SCCRP as SoftEther sends it (host "vm", vendor "L2TP", tunnel 1, window 16), by hand. */
static void sccrp_by_hand(void **state)
{
    (void)state;
    static const uint8_t p[] = {
        0xc8, 0x02, 0x00, 0x3d, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01,                                     /* header: tunnel 1234, Ns 0, Nr 1 */
        0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* message type 2 */
        0x80, 0x08, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, /* protocol version 1.0 */
        0x80, 0x08, 0x00, 0x00, 0x00, 0x07, 'v',  'm',  /* host name */
        0x00, 0x0a, 0x00, 0x00, 0x00, 0x08, 'L',  '2',  'T',  'P', /* vendor, not mandatory */
        0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01,            /* assigned tunnel 1 */
        0x80, 0x07, 0x00, 0x00, 0x00, 0x0a, 0x10,                  /* a 1-byte window: odd, kept */
    };
    struct l2tp_header h;
    assert_true(l2tp_parse_header(p, sizeof p, &h));
    assert_int_equal(h.tunnel, 0x1234);
    assert_int_equal(h.nr, 1);
    struct l2tp_control c;
    assert_true(l2tp_parse_control(h.payload, h.payload_len, &c));
    assert_int_equal(c.type, L2TP_SCCRP);
    assert_int_equal(c.count, 6);
    uint16_t t;
    assert_true(l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &t));
    assert_int_equal(t, 1);
    assert_false(l2tp_avp_u16(&c, L2TP_AVP_RECEIVE_WINDOW, &t)); /* not 2 bytes */
    assert_false(l2tp_find_avp(&c, L2TP_AVP_VENDOR_NAME)->mandatory);
    /* the length field says less than the datagram: the tail is not read */
    uint8_t longer[sizeof p + 4];
    memcpy(longer, p, sizeof p);
    memset(longer + sizeof p, 0xee, 4);
    assert_true(l2tp_parse_header(longer, sizeof longer, &h));
    assert_int_equal(h.payload_len, sizeof p - 12);
}

static void malformed_refused(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = l2tp_build_stopccn(buf, sizeof buf, 7, 9, 1, 1, 1);
    struct l2tp_header h;
    struct l2tp_control c;
    assert_true(l2tp_parse_header(buf, n, &h));
    assert_true(l2tp_parse_control(h.payload, h.payload_len, &c));
    assert_int_equal(c.type, L2TP_STOPCCN);
    /* every truncation is refused by the header or the AVPs, never read past */
    for (size_t k = 0; k < n; k++) {
        uint8_t cut[256];
        memcpy(cut, buf, k);
        bool header_ok = l2tp_parse_header(cut, k, &h);
        assert_false(header_ok); /* the length field says n */
    }
    /* version 3 is not ours */
    uint8_t v3[sizeof buf];
    memcpy(v3, buf, n);
    v3[1] = 0x03;
    assert_false(l2tp_parse_header(v3, n, &h));
    /* a control message without sequence numbers */
    static const uint8_t noseq[] = {0xc0, 0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00};
    assert_false(l2tp_parse_header(noseq, sizeof noseq, &h));
    /* an AVP longer than what is left, a hidden AVP, a first AVP that is not the type */
    static const uint8_t too_long[] = {0x80, 0x20, 0, 0, 0, 0, 0, 1};
    assert_false(l2tp_parse_control(too_long, sizeof too_long, &c));
    static const uint8_t hidden[] = {0xc0, 0x08, 0, 0, 0, 0, 0, 1};
    assert_false(l2tp_parse_control(hidden, sizeof hidden, &c));
    static const uint8_t not_first[] = {0x80, 0x08, 0, 0, 0, 9, 0, 1};
    assert_false(l2tp_parse_control(not_first, sizeof not_first, &c));
    static const uint8_t short_avp[] = {0x80, 0x05, 0, 0, 0};
    assert_false(l2tp_parse_control(short_avp, sizeof short_avp, &c));
    /* no AVPs at all: a ZLB acknowledgement */
    assert_true(l2tp_parse_control(NULL, 0, &c));
    assert_int_equal(c.type, L2TP_ZLB);
    size_t z = l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_ZLB, 5, 0, 2, 3));
    assert_int_equal(z, 12);
    assert_true(l2tp_parse_header(buf, z, &h));
    assert_int_equal(h.payload_len, 0);
    /* a message that does not fit is not built */
    assert_int_equal(l2tp_build_sccrq(buf, 30, "l2tpfix", 1, 4), 0);
}

/* Every AVP length from the wire at its limits: 6 is the smallest (an empty
 * value), the payload's end the largest; 32 AVPs fit, 33 do not. */
static void avp_lengths_at_limits(void **state)
{
    (void)state;
    struct l2tp_control c;
    uint8_t m[16 + 8 * 40];
    static const uint8_t type[] = {0x80, 0x08, 0, 0, 0, 0, 0, 4}; /* StopCCN */
    memcpy(m, type, 8);
    /* an AVP of length 5, 6, 7 after the type */
    for (unsigned alen = 5; alen <= 7; alen++) {
        uint8_t avp[8] = {0x80, (uint8_t)alen, 0, 0, 0, 7, 'x', 'y'};
        memcpy(m + 8, avp, 8);
        assert_int_equal(l2tp_parse_control(m, 8 + alen, &c), alen >= 6);
        if (alen >= 6)
            assert_int_equal(c.avps[1].len, alen - 6);
    }
    /* the last AVP ends at the payload's end; one byte longer than what is left is refused */
    uint8_t avp[8] = {0x80, 8, 0, 0, 0, 7, 'v', 'm'};
    memcpy(m + 8, avp, 8);
    assert_true(l2tp_parse_control(m, 16, &c));
    assert_false(l2tp_parse_control(m, 15, &c));
    m[9] = 9;
    assert_false(l2tp_parse_control(m, 16, &c));
    /* L2TP_MAX_AVPS - 1, L2TP_MAX_AVPS, L2TP_MAX_AVPS + 1 AVPs in all */
    for (size_t i = 1; i <= L2TP_MAX_AVPS; i++)
        memcpy(m + 8 * i, avp, 8);
    assert_true(l2tp_parse_control(m, 8 * (L2TP_MAX_AVPS - 1), &c));
    assert_true(l2tp_parse_control(m, 8 * L2TP_MAX_AVPS, &c));
    assert_int_equal(c.count, L2TP_MAX_AVPS);
    assert_false(l2tp_parse_control(m, 8 * (L2TP_MAX_AVPS + 1), &c));
}

/* The Result Code AVP: 2 bytes, or 4 and a message; 3 is malformed; the
 * message is cut to the 63 characters that fit and kept printable. */
static void result_code_at_limits(void **state)
{
    (void)state;
    struct l2tp_control c;
    struct l2tp_result r;
    uint8_t m[8 + 6 + 4 + 80];
    static const uint8_t type[] = {0x80, 0x08, 0, 0, 0, 0, 0, 14}; /* CDN */
    memcpy(m, type, 8);
    for (size_t vlen = 0; vlen <= 4 + 65; vlen++) {
        m[8] = 0x80, m[9] = (uint8_t)(6 + vlen), m[10] = m[11] = m[12] = 0, m[13] = 1;
        uint8_t *v = m + 14;
        v[0] = 0, v[1] = 2, v[2] = 0, v[3] = 6;
        for (size_t i = 4; i < vlen; i++)
            v[i] = i == 10 ? '\n' : (uint8_t)('a' + i % 26);
        assert_true(l2tp_parse_control(m, 14 + vlen, &c));
        bool ok = l2tp_result_code(&c, &r);
        assert_int_equal(ok, vlen == 2 || vlen >= 4);
        if (!ok)
            continue;
        assert_int_equal(r.result, 2);
        assert_int_equal(r.has_error, vlen >= 4);
        size_t printable = vlen > 4 ? vlen - 4 - (vlen > 10) : 0;
        size_t want = printable < sizeof r.message - 1 ? printable : sizeof r.message - 1;
        assert_int_equal(strlen(r.message), want);
        assert_null(strchr(r.message, '\n'));
    }
    /* none at all */
    assert_true(l2tp_parse_control(type, sizeof type, &c));
    assert_false(l2tp_result_code(&c, &r));
}

/* Data messages: no length unless L, an offset pad when O. */
static void data_header(void **state)
{
    (void)state;
    static const uint8_t plain[] = {0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xff, 0x03, 0xc0, 0x21};
    struct l2tp_header h;
    assert_true(l2tp_parse_header(plain, sizeof plain, &h));
    assert_false(h.control);
    assert_int_equal(h.session, 2);
    assert_int_equal(h.payload_len, 4);
    static const uint8_t with_len[] = {0x40, 0x02, 0x00, 0x0c, 0x00, 0x01, 0x00,
                                       0x02, 0xff, 0x03, 0xc0, 0x21, 0xaa};
    assert_true(l2tp_parse_header(with_len, sizeof with_len, &h));
    assert_int_equal(h.payload_len, 4);
    static const uint8_t offset[] = {0x02, 0x02, 0x00, 0x01, 0x00, 0x02,
                                     0x00, 0x02, 0x00, 0x00, 0xff, 0x03};
    assert_true(l2tp_parse_header(offset, sizeof offset, &h));
    assert_int_equal(h.payload_len, 2);
    assert_int_equal(h.payload[0], 0xff);
    static const uint8_t bad_offset[] = {0x02, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x09, 0x00};
    assert_false(l2tp_parse_header(bad_offset, sizeof bad_offset, &h));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sccrq_round_trip),      cmocka_unit_test(sccrp_by_hand),
        cmocka_unit_test(malformed_refused),     cmocka_unit_test(data_header),
        cmocka_unit_test(avp_lengths_at_limits), cmocka_unit_test(result_code_at_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
