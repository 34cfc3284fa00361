/* libFuzzer: the L2TP and PPP side of the handshake (net/handshake.h) with
 * the fuzzer as the server. The input is the server's datagrams, each a
 * 2-byte big-endian length and its bytes; byte 0 picks the client's setup
 * (bit 0 credentials, bit 1 the LCP extensions). Time is simulated and runs
 * out after the datagrams, so every loop the server drives must end by count.
 * The client's random tunnel and session ids are learned from its SCCRQ and
 * ICRQ and written into each datagram's header, so the input reaches PPP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/handshake.h"
#include "net/l2tp.h"
#include "net/ppp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
    const uint8_t *p;
    size_t left;
    uint64_t clock;
    unsigned idle;            /* waits with nothing to give: the run's time then ends */
    uint16_t tunnel, session; /* the client's */
};

static int feed_send(void *ctx, const uint8_t *p, size_t n)
{
    struct feed *f = ctx;
    struct l2tp_header h;
    struct l2tp_control c;
    uint16_t v;
    if (!l2tp_parse_header(p, n, &h) || !h.control ||
        !l2tp_parse_control(h.payload, h.payload_len, &c))
        return 0;
    if (c.type == L2TP_SCCRQ && l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v))
        f->tunnel = v;
    if (c.type == L2TP_ICRQ && l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_SESSION_ID, &v))
        f->session = v;
    return 0;
}

/* The header's tunnel id, and a non-zero session id, made the client's. */
static void address(const struct feed *f, uint8_t *p, size_t n)
{
    size_t at = n >= 2 && (p[0] & 0x40) ? 4 : 2;
    if (n < at + 4)
        return;
    p[at] = (uint8_t)(f->tunnel >> 8), p[at + 1] = (uint8_t)f->tunnel;
    if (p[at + 2] || p[at + 3])
        p[at + 2] = (uint8_t)(f->session >> 8), p[at + 3] = (uint8_t)f->session;
}

static int feed_recv(void *ctx, uint8_t *buf, size_t cap, size_t *n, unsigned wait_ms)
{
    struct feed *f = ctx;
    f->clock += 10;
    if (f->left < 2) {
        f->clock += wait_ms;
        f->idle++;
        return 0;
    }
    size_t len = (size_t)f->p[0] << 8 | f->p[1];
    f->p += 2, f->left -= 2;
    if (len > f->left)
        len = f->left;
    if (len > cap)
        len = cap;
    memcpy(buf, f->p, len);
    f->p += len, f->left -= len;
    address(f, buf, len);
    *n = len;
    /* what the PPP parsers make of it on their own, too */
    struct ppp_packet pp;
    if (len > 6 && ppp_parse(buf + 6, len - 6, &pp)) {
        struct ppp_option opts[16];
        size_t count;
        char msg[32];
        (void)ppp_options(pp.data, pp.len, opts, 16, &count);
        (void)ppp_ident_message(&pp, msg, sizeof msg);
    }
    return 1;
}

static unsigned feed_time_left(void *ctx)
{
    struct feed *f = ctx;
    return f->idle > 50 ? 0 : 60000;
}

static uint64_t feed_now(void *ctx)
{
    return ((struct feed *)ctx)->clock;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct feed f = {data + 1, size - 1, 1000000, 0, 0, 0};
    bool creds = data[0] & 1;
    struct hs_options o = {.host = "fuzz",
                           .user = creds ? "user" : NULL,
                           .password = creds ? "password" : NULL,
                           .timeout_ms = 60000,
                           .lcp_extensions = data[0] & 2};
    struct hs_link link = {feed_send, feed_recv, feed_time_left, &f, feed_now};
    struct hs_result r;
    memset(&r, 0, sizeof r);
    hs_run_inside(&o, &link, NULL, NULL, f.clock, &r);
    if (!hs_lcp_ext_id(r.lcp_extensions) && r.lcp_extensions != HS_LCP_EXT_NONE)
        abort();
    return 0;
}
