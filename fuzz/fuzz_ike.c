/* libFuzzer: everything that reads bytes from the network: IKEv1 and IKEv2
 * replies, the payload walk, L2TP headers, control messages and result codes,
 * PPP packets and their options, MS-CHAP v2 messages, ESP packets against a
 * fixed SA. */
#include <stdint.h>
#include <string.h>

#include "net/esp.h"
#include "net/ike.h"
#include "net/l2tp.h"
#include "net/mschapv2.h"
#include "net/ppp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t cookie[IKE_COOKIE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct ike_reply r;
    struct l2f_err err;
    uint8_t framed[IKE_NATT_MARKER_LEN + 4096];
    /* the cookie the parsers insist on, in front of the fuzzer's bytes, so they get past it */
    if (size > 4096)
        size = 4096;
    memcpy(framed + IKE_NATT_MARKER_LEN, cookie, 8);
    memset(framed, 0, IKE_NATT_MARKER_LEN);
    memcpy(framed + IKE_NATT_MARKER_LEN + (size >= 8 ? 8 : 0), data + (size >= 8 ? 8 : 0),
           size >= 8 ? size - 8 : 0);
    size_t n = size >= 8 ? size : 8;
    ike_v1_parse_reply(framed + IKE_NATT_MARKER_LEN, n, cookie, false, ike_windows_offer,
                       ike_windows_offer_count, &r, &err);
    ike_v1_parse_reply(framed, n + IKE_NATT_MARKER_LEN, cookie, true, ike_windows_offer,
                       ike_windows_offer_count, &r, &err);
    ike_v2_parse_reply(framed + IKE_NATT_MARKER_LEN, n, cookie, &r, &err);
    struct ike_payload pl[16];
    size_t count;
    if (size > 1)
        ike_walk(data + 1, size - 1, data[0], pl, 16, &count);

    struct l2tp_header h;
    struct l2tp_control c;
    if (l2tp_parse_header(data, size, &h) && h.control &&
        l2tp_parse_control(h.payload, h.payload_len, &c)) {
        uint16_t v;
        l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v);
        struct l2tp_result res;
        l2tp_result_code(&c, &res);
    }
    struct ppp_packet p;
    if (ppp_parse(data, size, &p)) {
        struct ppp_option o[16];
        ppp_options(p.data, p.len, o, 16, &count);
        /* MS-CHAP v2's Success and Failure messages */
        static const char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1] =
            "S=0123456789ABCDEF0123456789ABCDEF01234567";
        struct mschapv2_failure f;
        mschapv2_success_verifies(p.data, p.len, want);
        mschapv2_parse_failure(p.data, p.len, &f);
    }
    /* ESP: the structure checks before any crypto (the ICV fails on random bytes) */
    struct esp_sa sa;
    memset(&sa, 0, sizeof sa);
    if (esp_sa_setup(&sa, IKE_ENC_AES_CBC, 128, IKE_HASH_SHA1)) {
        if (size >= 4)
            memcpy(sa.spi, data, 4); /* the packet's own SPI: past that check too */
        uint8_t out[2048], next;
        size_t out_len;
        esp_open(&sa, data, size, out, sizeof out, &out_len, &next);
    }
    return 0;
}
