/* PPP packets by hand: a server's LCP Configure-Request asking for EAP, the
 * Nak that asks for MS-CHAP v2 instead, compressed protocol fields, and
 * lengths that lie. */
#include <string.h>

#include "net/ppp.h"
#include "testutil.h"

static void server_request_and_nak(void **state)
{
    (void)state;
    /* what SoftEther sends first: only the authentication option, EAP */
    static const uint8_t req[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x07,
                                  0x00, 0x08, 0x03, 0x04, 0xc2, 0x27};
    struct ppp_packet p;
    assert_true(ppp_parse(req, sizeof req, &p));
    assert_int_equal(p.protocol, PPP_LCP);
    assert_int_equal(p.code, PPP_CONF_REQ);
    assert_int_equal(p.id, 7);
    struct ppp_option o[8];
    size_t n;
    assert_true(ppp_options(p.data, p.len, o, 8, &n));
    assert_int_equal(n, 1);
    assert_int_equal(o[0].type, LCP_OPT_AUTH);
    assert_int_equal(ppp_auth_of(o[0].value, o[0].len), PPP_AUTH_EAP);
    assert_string_equal(ppp_auth_name(PPP_AUTH_EAP), "eap");
    /* our Nak: the same id, the auth option asking for MS-CHAP v2 */
    uint8_t want[3], opts[16], nak[32];
    size_t vl = ppp_auth_value(PPP_AUTH_MSCHAPV2, want);
    assert_int_equal(vl, 3);
    size_t ol = ppp_put_option(opts, 0, sizeof opts, LCP_OPT_AUTH, want, vl);
    size_t len = ppp_build(nak, sizeof nak, PPP_LCP, PPP_CONF_NAK, p.id, opts, ol);
    static const uint8_t expect[] = {0xff, 0x03, 0xc0, 0x21, 0x03, 0x07, 0x00,
                                     0x09, 0x03, 0x05, 0xc2, 0x23, 0x81};
    assert_int_equal(len, sizeof expect);
    assert_memory_equal(nak, expect, sizeof expect);
    /* the values of every protocol name round trip */
    for (int a = 0; a < PPP_AUTH_OTHER; a++) {
        uint8_t v[3];
        size_t l = ppp_auth_value((enum ppp_auth)a, v);
        assert_true(l == 2 || l == 3);
        assert_int_equal(ppp_auth_of(v, l), a);
    }
    static const uint8_t md5[] = {0xc2, 0x23, 0x05}, odd[] = {0xc2, 0x23, 0x99},
                         short_chap[] = {0xc2, 0x23};
    assert_int_equal(ppp_auth_of(md5, 3), PPP_AUTH_CHAP_MD5);
    assert_int_equal(ppp_auth_of(odd, 3), PPP_AUTH_OTHER);
    assert_int_equal(ppp_auth_of(short_chap, 2), PPP_AUTH_OTHER);
}

static void framing_variants(void **state)
{
    (void)state;
    struct ppp_packet p;
    /* no FF 03 (ACFC), 2-byte protocol */
    static const uint8_t no_acfc[] = {0x80, 0x21, 0x03, 0x01, 0x00, 0x0a, 0x03, 0x06, 10, 0, 0, 2};
    assert_true(ppp_parse(no_acfc, sizeof no_acfc, &p));
    assert_int_equal(p.protocol, PPP_IPCP);
    assert_int_equal(p.code, PPP_CONF_NAK);
    struct ppp_option o[4];
    size_t n;
    assert_true(ppp_options(p.data, p.len, o, 4, &n));
    assert_int_equal(o[0].type, IPCP_OPT_ADDRESS);
    assert_int_equal(o[0].value[3], 2);
    /* a 1-byte protocol (PFC): 0x21 is IPv4 */
    static const uint8_t pfc[] = {0xff, 0x03, 0x21, 0x45, 0x00, 0x00, 0x04};
    assert_true(ppp_parse(pfc, sizeof pfc, &p));
    assert_int_equal(p.protocol, 0x21);
    /* trailing bytes beyond the length are not data */
    static const uint8_t padded[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00,
                                     0x08, 0,    0,    0,    0,    0xee, 0xee};
    assert_true(ppp_parse(padded, sizeof padded, &p));
    assert_int_equal(p.code, PPP_ECHO_REQ);
    assert_int_equal(p.len, 4);
}

static void lies_refused(void **state)
{
    (void)state;
    struct ppp_packet p;
    static const uint8_t too_long[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x20, 0x01, 0x04};
    assert_false(ppp_parse(too_long, sizeof too_long, &p));
    static const uint8_t too_short[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x03};
    assert_false(ppp_parse(too_short, sizeof too_short, &p));
    assert_false(ppp_parse(too_short, 3, &p));
    assert_false(ppp_parse(too_short, 0, &p));
    struct ppp_option o[2];
    size_t n;
    static const uint8_t opt_runs_out[] = {0x01, 0x04, 0x05};
    assert_false(ppp_options(opt_runs_out, sizeof opt_runs_out, o, 2, &n));
    static const uint8_t opt_len_1[] = {0x01, 0x01};
    assert_false(ppp_options(opt_len_1, sizeof opt_len_1, o, 2, &n));
    static const uint8_t three[] = {7, 2, 8, 2, 1, 4, 5, 0x78};
    assert_false(ppp_options(three, sizeof three, o, 2, &n)); /* more than max */
    uint8_t buf[8];
    assert_int_equal(ppp_build(buf, sizeof buf, PPP_LCP, 1, 1, (const uint8_t *)"x", 1), 0);
}

/* Lengths from the wire at their limits: the packet's length field (4 is an
 * empty packet, the frame's end the most), each option's (2 is an empty
 * value, the data's end the most), and the option count. */
static void lengths_at_limits(void **state)
{
    (void)state;
    struct ppp_packet p;
    uint8_t f[16] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x07, 0x00, 0x04, 0x01, 0x04, 0x05, 0x78};
    for (unsigned len = 3; len <= 5; len++) { /* under 4 is refused */
        f[7] = (uint8_t)len;
        assert_int_equal(ppp_parse(f, 8 + 1, &p), len >= 4 && len <= 5);
    }
    for (unsigned len = 7; len <= 9; len++) { /* 8 bytes after the protocol: 9 runs past */
        f[7] = (uint8_t)len;
        assert_int_equal(ppp_parse(f, 12, &p), len <= 8);
        if (len <= 8)
            assert_int_equal(p.len, len - 4);
    }
    struct ppp_option o[3];
    size_t n;
    /* option length 0, 1, 2 */
    for (uint8_t olen = 0; olen <= 2; olen++) {
        uint8_t d[2] = {LCP_OPT_PFC, olen};
        assert_int_equal(ppp_options(d, 2, o, 3, &n), olen == 2);
        if (olen == 2)
            assert_int_equal(o[0].len, 0);
    }
    /* an option ending one before, at, one past the data's end */
    uint8_t d[6] = {LCP_OPT_MRU, 4, 0x05, 0x78, LCP_OPT_PFC, 2};
    for (uint8_t olen = 5; olen <= 7; olen++) {
        d[1] = olen;
        bool ok = ppp_options(d, 6, o, 3, &n);
        assert_int_equal(ok, olen == 6); /* 5 leaves one byte: too short for an option */
        if (ok) {
            assert_int_equal(n, 1);
            assert_int_equal(o[0].len, 4);
        }
    }
    /* max - 1, max, max + 1 options */
    static const uint8_t three[] = {7, 2, 8, 2, 1, 4, 5, 0x78};
    assert_true(ppp_options(three, 4, o, 2, &n));
    assert_true(ppp_options(three, 8, o, 3, &n));
    assert_int_equal(n, 3);
    assert_false(ppp_options(three, 8, o, 2, &n));
    /* a value of 253 bytes fits an option (length 255), 254 does not */
    uint8_t big[260] = {0}, out[300];
    assert_int_equal(ppp_put_option(out, 0, sizeof out, LCP_OPT_MRU, big, 253), 255);
    assert_int_equal(out[1], 255);
    assert_int_equal(ppp_put_option(out, 0, sizeof out, LCP_OPT_MRU, big, 254), 0);
    assert_int_equal(ppp_put_option(out, 0, 254, LCP_OPT_MRU, big, 253),
                     0); /* nor one byte short of room */
}

/* Options and protocols named from the tables, and those not in them. */
static void names_from_the_tables(void **state)
{
    (void)state;
    char buf[24];
    assert_string_equal(ppp_option_name(PPP_LCP, LCP_OPT_MRU, buf), "MRU");
    assert_string_equal(ppp_option_name(PPP_LCP, LCP_OPT_MAGIC, buf), "magic number");
    assert_string_equal(ppp_option_name(PPP_IPCP, IPCP_OPT_ADDRESS, buf), "IP address");
    assert_string_equal(ppp_option_name(PPP_IPCP, LCP_OPT_MRU, buf), "option 1");
    assert_string_equal(ppp_option_name(PPP_LCP, 255, buf), "option 255");
    assert_string_equal(ppp_protocol_name(PPP_LCP, buf), "LCP");
    assert_string_equal(ppp_protocol_name(PPP_IPCP, buf), "IPCP");
    assert_string_equal(ppp_protocol_name(0x8281, buf), "protocol 0x8281");
}

/* Identification (RFC 1570 1.1): magic number then message, as Windows sends
 * "MSRASV5.20"; its message read back printable, every length checked. */
static void identification(void **state)
{
    (void)state;
    static const uint8_t magic[4] = {0x41, 0x13, 0x12, 0x44};
    uint8_t data[300], frame[320];
    size_t n = ppp_ident_build(data, sizeof data, magic, "MSRASV5.20");
    assert_int_equal(n, 14);
    assert_memory_equal(data, magic, 4);
    assert_memory_equal(data + 4, "MSRASV5.20", 10);
    size_t f = ppp_build(frame, sizeof frame, PPP_LCP, PPP_IDENT, 3, data, n);
    static const uint8_t head[] = {0xff, 0x03, 0xc0, 0x21, 12, 3, 0, 18};
    assert_memory_equal(frame, head, sizeof head);
    struct ppp_packet p;
    assert_true(ppp_parse(frame, f, &p));
    char msg[40];
    assert_true(ppp_ident_message(&p, msg, sizeof msg));
    assert_string_equal(msg, "MSRASV5.20");
    /* too small a buffer, a message over 255 bytes: nothing built */
    assert_int_equal(ppp_ident_build(data, 13, magic, "MSRASV5.20"), 0);
    char longer[257];
    memset(longer, 'x', 256);
    longer[256] = '\0';
    assert_int_equal(ppp_ident_build(data, sizeof data, magic, longer), 0);
    /* a peer's: shorter than the magic number refused; bytes not printable shown as '?';
     * a message longer than the buffer cut to it */
    struct ppp_packet shortp = {.protocol = PPP_LCP, .code = PPP_IDENT, .data = data, .len = 3};
    assert_false(ppp_ident_message(&shortp, msg, sizeof msg));
    assert_string_equal(msg, "");
    uint8_t odd[] = {0, 0, 0, 0, 'A', 0x02, 0xff, '\n', 'z'};
    struct ppp_packet oddp = {.protocol = PPP_LCP, .code = PPP_IDENT, .data = odd, .len = 9};
    assert_true(ppp_ident_message(&oddp, msg, sizeof msg));
    assert_string_equal(msg, "A???z");
    char tiny[3];
    assert_true(ppp_ident_message(&oddp, tiny, sizeof tiny));
    assert_string_equal(tiny, "A?");
    char name[24];
    assert_string_equal(ppp_option_name(PPP_LCP, LCP_OPT_CALLBACK, name), "callback");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_request_and_nak), cmocka_unit_test(framing_variants),
        cmocka_unit_test(lies_refused),           cmocka_unit_test(lengths_at_limits),
        cmocka_unit_test(names_from_the_tables),  cmocka_unit_test(identification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
