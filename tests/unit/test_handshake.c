/* The L2TP and PPP state machines of the handshake, offline: a simulated
 * L2TP/PPP server answers each packet the client sends by rules (its list of
 * authentication offers, whether it rejects the magic number, the account it
 * knows, packets it drops), with hand-made packets built from the RFCs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/handshake.h"
#include "net/hsconnect.h"
#include "net/ikecrypto.h"
#include "net/l2tp.h"
#include "net/mschapv2.h"
#include "net/ppp.h"
#include "net/udp.h"
#include "platform.h"
#include "profile.h"
#include "testutil.h"

#define QMAX 64
#define SENT_LOG 256
#define SERVER_TUNNEL 7

struct server {
    /* rules */
    enum ppp_auth offers[4];
    size_t noffers;
    bool reject_magic, bad_authenticator, drop_first_sccrq, send_hello;
    bool nak_mru, reject_all_lcp, silent_lcp, nak_ipcp_always, drop_every_sccrq;
    unsigned nak_mru_copies; /* MRU options in each of those Naks; 0: 1 */
    unsigned duplicate;      /* every PPP packet of the server's goes this many times more */
    size_t challenge_size;   /* what the Challenge's value-size says and holds; 0: 16 */
    unsigned hello_flood, echo_flood; /* HELLOs after SCCCN, LCP Echo-Requests after ICCN */
    bool sim_clock;         /* time moves only while the client waits: long timers in no time */
    bool reject_callback;   /* Configure-Rejects the Callback option (RFC 1570 2.3) */
    bool code_reject_ident; /* Code-Rejects Identification: it does not speak RFC 1570 */
    /* on the client's Identification: ends the session (CDN), the tunnel (StopCCN) or LCP
     * (Terminate-Request); such a server holds its Challenge for it when the client's
     * Configure-Request asked for Callback (which only a client with the extensions does) */
    enum { KEEP, DROP_CDN, DROP_STOPCCN, DROP_TERMINATE } on_ident;
    bool client_ext; /* the client's LcpExtensions for this run (hs_options) */
    uint64_t clock;
    const char *password;
    uint8_t address[4];
    /* state */
    uint16_t client_tunnel, client_session, session, ns, nr;
    size_t offer;
    enum ppp_auth agreed;
    uint8_t challenge[16];
    bool dropped, ipcp_sent, hello_sent;
    /* what it saw */
    unsigned sccrq, hello_acked, cdn, stopccn, lcp_term_req, sessions;
    unsigned sccrq_sent, lcp_conf_req, ipcp_conf_req, chap_responses, pap_requests;
    uint8_t first_req[64]; /* the client's first LCP Configure-Request's options */
    size_t first_req_len;
    char idents[4][40]; /* the messages of its Identification packets */
    unsigned nidents;
    bool asked_callback; /* the request it Acked asked for Callback */
    uint64_t sccrq_at[16];
    struct {
        uint16_t session, proto;
        uint8_t code, id;
        uint64_t at;
    } sent[SENT_LOG]; /* the client's PPP packets */
    size_t nsent;
    uint16_t hello_ns;
    uint64_t deadline;
    /* to the client */
    uint8_t q[QMAX][600];
    size_t qlen[QMAX], qhead, qtail;
};

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint64_t server_now(void *ctx)
{
    struct server *s = ctx;
    return s->sim_clock ? s->clock : plat_monotonic_ms();
}

static void queue(struct server *s, const uint8_t *p, size_t n)
{
    assert_true(s->qtail - s->qhead < QMAX);
    memcpy(s->q[s->qtail % QMAX], p, n);
    s->qlen[s->qtail % QMAX] = n;
    s->qtail++;
}

/* A control message from the server, numbered. */
static void control(struct server *s, uint8_t *msg, size_t n)
{
    put16(msg + 8, s->ns);
    put16(msg + 10, s->nr);
    if (n > 12)
        s->ns++;
    queue(s, msg, n);
}

static void ppp(struct server *s, uint16_t proto, uint8_t code, uint8_t id, const uint8_t *data,
                size_t len)
{
    uint8_t frame[560], msg[600];
    size_t n = ppp_build(frame, sizeof frame, proto, code, id, data, len);
    assert_true(n > 0);
    put16(msg, 0x4002); /* SoftEther's data messages carry the length */
    put16(msg + 2, (unsigned)(6 + 2 + n));
    put16(msg + 4, s->client_tunnel);
    put16(msg + 6, s->client_session);
    memcpy(msg + 8, frame, n);
    for (unsigned i = 0; i <= s->duplicate; i++)
        queue(s, msg, 8 + n);
}

static void offer_auth(struct server *s)
{
    uint8_t v[3], opt[8];
    size_t vl = ppp_auth_value(s->offers[s->offer], v);
    size_t n = ppp_put_option(opt, 0, sizeof opt, LCP_OPT_AUTH, v, vl);
    ppp(s, PPP_LCP, PPP_CONF_REQ, (uint8_t)(10 + s->offer), opt, n);
}

static void on_control(struct server *s, const struct l2tp_header *h)
{
    struct l2tp_control c;
    assert_true(l2tp_parse_control(h->payload, h->payload_len, &c));
    uint8_t m[256];
    size_t n;
    uint16_t v;
    /* any control message acknowledges through its Nr */
    if (s->hello_sent && (uint16_t)(h->nr - s->hello_ns - 1) < 0x8000)
        s->hello_acked++;
    if (c.type == L2TP_ZLB)
        return;
    if (c.type == L2TP_SCCRQ && s->sccrq_sent < 16)
        s->sccrq_at[s->sccrq_sent++] = server_now(s);
    if (c.type == L2TP_SCCRQ && s->drop_every_sccrq)
        return;
    if (c.type == L2TP_SCCRQ && s->drop_first_sccrq && !s->dropped) {
        s->dropped = true; /* lost on the way: the client must resend it */
        return;
    }
    if (h->ns != s->nr)
        return; /* a resend of what we have seen */
    s->nr++;
    switch (c.type) {
    case L2TP_SCCRQ:
        s->sccrq++;
        assert_true(l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v));
        s->client_tunnel = v;
        n = l2tp_begin_control(m, sizeof m, L2TP_SCCRP, s->client_tunnel, 0, 0, 0);
        n = l2tp_put_avp_u16(m, n, sizeof m, L2TP_AVP_ASSIGNED_TUNNEL_ID, SERVER_TUNNEL);
        control(s, m, l2tp_finish(m, n));
        break;
    case L2TP_SCCCN:
        for (unsigned i = 0; i < s->hello_flood; i++)
            control(s, m,
                    l2tp_finish(
                        m, l2tp_begin_control(m, sizeof m, L2TP_HELLO, s->client_tunnel, 0, 0, 0)));
        if (s->send_hello) {
            s->hello_ns = s->ns;
            control(s, m,
                    l2tp_finish(
                        m, l2tp_begin_control(m, sizeof m, L2TP_HELLO, s->client_tunnel, 0, 0, 0)));
            s->hello_sent = true;
        }
        break;
    case L2TP_ICRQ:
        assert_true(l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_SESSION_ID, &v));
        s->client_session = v;
        s->session = (uint16_t)(40 + ++s->sessions);
        s->offer = 0;
        n = l2tp_begin_control(m, sizeof m, L2TP_ICRP, s->client_tunnel, s->client_session, 0, 0);
        n = l2tp_put_avp_u16(m, n, sizeof m, L2TP_AVP_ASSIGNED_SESSION_ID, s->session);
        control(s, m, l2tp_finish(m, n));
        break;
    case L2TP_ICCN:
        for (unsigned i = 0; i < s->echo_flood; i++) {
            uint8_t magic[4] = {1, 2, 3, 4};
            ppp(s, PPP_LCP, PPP_ECHO_REQ, (uint8_t)(100 + i), magic, 4);
        }
        offer_auth(s);
        return;
    case L2TP_CDN:
        s->cdn++;
        break;
    case L2TP_STOPCCN:
        s->stopccn++;
        break;
    default:
        break;
    }
    if (c.type != L2TP_SCCRQ && c.type != L2TP_ICRQ)
        control(
            s, m,
            l2tp_finish(m, l2tp_begin_control(m, sizeof m, L2TP_ZLB, s->client_tunnel, 0, 0, 0)));
}

static void challenge(struct server *s)
{
    size_t size = s->challenge_size ? s->challenge_size : 16;
    uint8_t ch[1 + 32 + 2] = {(uint8_t)size};
    for (int i = 0; i < 16; i++)
        s->challenge[i] = (uint8_t)(0xa0 + i);
    memcpy(ch + 1, s->challenge, size < 16 ? size : 16);
    memcpy(ch + 1 + size, "vm", 2);
    ppp(s, PPP_CHAP, 1, 5, ch, 1 + size + 2);
}

/* The client's Identification: read, then whatever the rules say. */
static void on_ident(struct server *s, const struct ppp_packet *p)
{
    uint8_t m[64];
    size_t k;
    if (s->nidents < 4)
        assert_true(ppp_ident_message(p, s->idents[s->nidents++], sizeof s->idents[0]));
    if (s->code_reject_ident) {
        ppp(s, PPP_LCP, PPP_CODE_REJ, 60, (const uint8_t[]){PPP_IDENT, p->id, 0, 8}, 4);
    } else if (s->on_ident == DROP_TERMINATE) {
        ppp(s, PPP_LCP, PPP_TERM_REQ, 61, NULL, 0);
    } else if (s->on_ident == DROP_CDN) {
        k = l2tp_begin_control(m, sizeof m, L2TP_CDN, s->client_tunnel, s->client_session, 0, 0);
        k = l2tp_put_avp(m, k, sizeof m, L2TP_AVP_RESULT_CODE, (const uint8_t[]){0, 3}, 2);
        control(s, m, l2tp_finish(m, k));
    } else if (s->on_ident == DROP_STOPCCN) {
        control(s, m, l2tp_build_stopccn(m, sizeof m, s->client_tunnel, SERVER_TUNNEL, 1, 0, 0));
    }
}

/* Configure-Rejects the Callback option when the rules say so; true when it did. */
static bool rejected_callback(struct server *s, const struct ppp_packet *p,
                              const struct ppp_option *o, size_t n)
{
    for (size_t i = 0; s->reject_callback && i < n; i++)
        if (o[i].type == LCP_OPT_CALLBACK) {
            uint8_t rej[8];
            size_t rl = ppp_put_option(rej, 0, sizeof rej, o[i].type, o[i].value, o[i].len);
            ppp(s, PPP_LCP, PPP_CONF_REJ, p->id, rej, rl);
            return true;
        }
    return false;
}

static void on_lcp(struct server *s, const struct ppp_packet *p)
{
    struct ppp_option o[8];
    size_t n;
    switch (p->code) {
    case PPP_CONF_REQ:
        assert_true(ppp_options(p->data, p->len, o, 8, &n));
        if (!s->lcp_conf_req++ && p->len <= sizeof s->first_req) {
            memcpy(s->first_req, p->data, p->len);
            s->first_req_len = p->len;
        }
        if (s->silent_lcp)
            return;
        if (s->reject_all_lcp) {
            ppp(s, PPP_LCP, PPP_CONF_REJ, p->id, p->data, p->len);
            return;
        }
        if (s->nak_mru) {
            uint8_t nak[32], mru[2] = {0x05, 0x78}; /* 1400, what it was asked */
            size_t k = 0;
            for (unsigned c = 0; c < (s->nak_mru_copies ? s->nak_mru_copies : 1); c++)
                k = ppp_put_option(nak, k, sizeof nak, LCP_OPT_MRU, mru, 2);
            ppp(s, PPP_LCP, PPP_CONF_NAK, p->id, nak, k);
            return;
        }
        for (size_t i = 0; i < n; i++)
            if (o[i].type == LCP_OPT_MAGIC && s->reject_magic) {
                uint8_t rej[8];
                size_t rl = ppp_put_option(rej, 0, sizeof rej, LCP_OPT_MAGIC, o[i].value, o[i].len);
                ppp(s, PPP_LCP, PPP_CONF_REJ, p->id, rej, rl);
                return;
            }
        if (rejected_callback(s, p, o, n))
            return;
        s->asked_callback = false;
        for (size_t i = 0; i < n; i++)
            s->asked_callback |= o[i].type == LCP_OPT_CALLBACK;
        ppp(s, PPP_LCP, PPP_CONF_ACK, p->id, p->data, p->len);
        break;
    case PPP_CONF_NAK: /* the client wants another method: offer the next, as SoftEther does */
        if (s->silent_lcp)
            return;
        if (s->offer + 1 < s->noffers) {
            s->offer++;
            offer_auth(s);
        } else {
            ppp(s, PPP_LCP, PPP_TERM_REQ, 30, NULL, 0);
        }
        break;
    case PPP_TERM_ACK: {
        uint8_t m[64];
        size_t k =
            l2tp_begin_control(m, sizeof m, L2TP_CDN, s->client_tunnel, s->client_session, 0, 0);
        uint8_t code[2] = {0, 3};
        k = l2tp_put_avp(m, k, sizeof m, L2TP_AVP_RESULT_CODE, code, 2);
        control(s, m, l2tp_finish(m, k));
        break;
    }
    case PPP_CONF_ACK:
        s->agreed = s->offers[s->offer];
        if (s->agreed == PPP_AUTH_MSCHAPV2 && (s->on_ident == KEEP || !s->asked_callback))
            challenge(s);
        break;
    case PPP_IDENT:
        on_ident(s, p);
        break;
    case PPP_TERM_REQ:
        s->lcp_term_req++;
        ppp(s, PPP_LCP, PPP_TERM_ACK, p->id, NULL, 0);
        break;
    default:
        break;
    }
}

static void on_chap(struct server *s, const struct ppp_packet *p)
{
    assert_int_equal(p->code, 2);
    s->chap_responses++;
    assert_true(p->len > 50);
    assert_int_equal(p->data[0], 49);
    const uint8_t *peer = p->data + 1, *nt = p->data + 25;
    char user[64];
    size_t ul = p->len - 50;
    snprintf(user, sizeof user, "%.*s", (int)ul, (const char *)p->data + 50);
    uint8_t want[24];
    assert_true(mschapv2_nt_response(s->challenge, peer, user, s->password, want));
    if (memcmp(want, nt, 24) != 0) {
        static const char fail[] =
            "E=691 R=0 C=00000000000000000000000000000000 V=3 M=Access denied";
        ppp(s, PPP_CHAP, 4, p->id, (const uint8_t *)fail, sizeof fail - 1);
        return;
    }
    char ok[MSCHAPV2_AUTH_RESPONSE_LEN + 16];
    assert_true(mschapv2_authenticator_response(s->password, nt, peer, s->challenge, user, ok));
    if (s->bad_authenticator)
        ok[5] = ok[5] == 'A' ? 'B' : 'A';
    strcat(ok, " M=Welcome");
    ppp(s, PPP_CHAP, 3, p->id, (const uint8_t *)ok, strlen(ok));
}

static void on_pap(struct server *s, const struct ppp_packet *p)
{
    s->pap_requests++;
    size_t ul = p->data[0], pl = p->data[1 + ul];
    bool good = pl == strlen(s->password) && memcmp(p->data + 2 + ul, s->password, pl) == 0;
    ppp(s, PPP_PAP, good ? 2 : 3, p->id, (const uint8_t *)"\0", 1);
}

static void on_ipcp(struct server *s, const struct ppp_packet *p)
{
    struct ppp_option o[4];
    size_t n;
    if (p->code != PPP_CONF_REQ)
        return;
    s->ipcp_conf_req++;
    if (!s->ipcp_sent) {
        uint8_t mine[8], srv[4] = {192, 168, 30, 1};
        size_t k = ppp_put_option(mine, 0, sizeof mine, IPCP_OPT_ADDRESS, srv, 4);
        ppp(s, PPP_IPCP, PPP_CONF_REQ, 1, mine, k);
        s->ipcp_sent = true;
    }
    assert_true(ppp_options(p->data, p->len, o, 4, &n));
    assert_int_equal(o[0].type, IPCP_OPT_ADDRESS);
    if (memcmp(o[0].value, s->address, 4) != 0 || s->nak_ipcp_always) {
        uint8_t nak[8];
        size_t k = ppp_put_option(nak, 0, sizeof nak, IPCP_OPT_ADDRESS, s->address, 4);
        ppp(s, PPP_IPCP, PPP_CONF_NAK, p->id, nak, k);
    } else {
        ppp(s, PPP_IPCP, PPP_CONF_ACK, p->id, p->data, p->len);
    }
}

static int server_send(void *ctx, const uint8_t *p, size_t n)
{
    struct server *s = ctx;
    struct l2tp_header h;
    assert_true(l2tp_parse_header(p, n, &h));
    if (h.control) {
        assert_int_equal(h.tunnel, s->client_tunnel ? SERVER_TUNNEL : 0);
        on_control(s, &h);
        return 0;
    }
    assert_int_equal(h.tunnel, SERVER_TUNNEL);
    assert_int_equal(h.session, s->session);
    struct ppp_packet pp;
    assert_true(ppp_parse(h.payload, h.payload_len, &pp));
    if (s->nsent < SENT_LOG) {
        s->sent[s->nsent].session = h.session, s->sent[s->nsent].proto = pp.protocol,
        s->sent[s->nsent].code = pp.code, s->sent[s->nsent].id = pp.id;
        s->sent[s->nsent++].at = server_now(s);
    }
    if (pp.protocol == PPP_LCP)
        on_lcp(s, &pp);
    else if (pp.protocol == PPP_CHAP)
        on_chap(s, &pp);
    else if (pp.protocol == PPP_PAP)
        on_pap(s, &pp);
    else if (pp.protocol == PPP_IPCP)
        on_ipcp(s, &pp);
    return 0;
}

static int server_recv(void *ctx, uint8_t *buf, size_t cap, size_t *n, unsigned wait_ms)
{
    struct server *s = ctx;
    if (s->qhead == s->qtail) {
        if (s->sim_clock)
            s->clock += wait_ms ? wait_ms : 1;
        else
            plat_sleep_ms(wait_ms < 20 ? wait_ms : 20);
        return 0;
    }
    size_t len = s->qlen[s->qhead % QMAX];
    assert_true(len <= cap);
    memcpy(buf, s->q[s->qhead % QMAX], len);
    *n = len;
    s->qhead++;
    return 1;
}

static unsigned server_time_left(void *ctx)
{
    struct server *s = ctx;
    uint64_t now = server_now(s);
    return now >= s->deadline ? 0 : (unsigned)(s->deadline - now);
}

static void server_defaults(struct server *s)
{
    memset(s, 0, sizeof *s);
    s->offers[0] = PPP_AUTH_EAP;
    s->offers[1] = PPP_AUTH_MSCHAPV2;
    s->offers[2] = PPP_AUTH_PAP;
    s->noffers = 3;
    s->reject_magic = true;
    s->password = "clientPass";
    s->address[0] = 192, s->address[1] = 168, s->address[2] = 30, s->address[3] = 10;
}

/* Each test's server, with the defaults, and what its run found. */
struct fixture {
    struct server s;
    struct hs_result r;
};

static int fixture_up(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    server_defaults(&f->s);
    *state = f;
    return 0;
}

static int fixture_down(void **state)
{
    free(*state);
    return 0;
}

static void run_for(struct server *s, const char *user, const char *password, unsigned timeout_ms,
                    struct hs_result *r)
{
    struct hs_options o = {.host = "sim",
                           .user = user,
                           .password = password,
                           .timeout_ms = timeout_ms,
                           .lcp_extensions = s->client_ext};
    struct hs_link link = {server_send, server_recv, server_time_left, s,
                           s->sim_clock ? server_now : NULL};
    s->clock = 1000000;
    s->deadline = server_now(s) + o.timeout_ms;
    memset(r, 0, sizeof *r);
    hs_run_inside(&o, &link, NULL, NULL, server_now(s), r);
}

static void run(struct server *s, const char *user, const char *password, struct hs_result *r)
{
    run_for(s, user, password, 5000, r);
}

static void mschapv2_all_the_way(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.send_hello = true;
    run(&f->s, "HUB\\User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_IPSEC].outcome, HS_NOT_RUN); /* not this function's */
    /* the offers, learned by Nak-ing through them; then a second session agreed on MS-CHAP v2 */
    assert_int_equal(f->r.server_auth_count, 3);
    assert_int_equal(f->r.server_auth[0], PPP_AUTH_EAP);
    assert_int_equal(f->r.server_auth[1], PPP_AUTH_MSCHAPV2);
    assert_int_equal(f->r.server_auth[2], PPP_AUTH_PAP);
    assert_true(f->r.server_auth_complete);
    assert_int_equal(f->s.sessions, 2);
    assert_string_equal(f->r.used_auth, "mschapv2");
    assert_true(f->r.authenticator_verified);
    assert_string_equal(f->r.lcp_rejected, "magic");
    assert_string_equal(f->r.address, "192.168.30.10");
    /* HELLO was acknowledged; the teardown: LCP Terminate, CDN, StopCCN */
    assert_true(f->s.hello_acked >= 1);
    assert_int_equal(f->s.lcp_term_req, 1);
    assert_true(f->s.cdn >= 1);
    assert_int_equal(f->s.stopccn, 1);
}

static void wrong_password_691(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    run(&f->s, "User", "not-it", &f->r);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_AUTH].code, 691);
    assert_string_equal(f->r.address, "");
}

static void forged_success_refused(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.bad_authenticator = true; /* "success", from a server that does not know the password */
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
    assert_false(f->r.authenticator_verified);
    assert_string_equal(f->r.address, "");
}

static void pap_when_that_is_all(void **state)
{
    struct fixture *f = *state;
    f->s.offers[0] = PPP_AUTH_PAP;
    f->s.noffers = 1;
    f->s.reject_magic = false;
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_string_equal(f->r.used_auth, "pap");
    assert_int_equal(f->r.server_auth_count, 1);
    assert_string_equal(f->r.lcp_rejected, "");
    assert_string_equal(f->r.address, "192.168.30.10");
}

static void eap_only_cannot_agree(void **state)
{
    struct fixture *f = *state;
    f->s.offers[0] = PPP_AUTH_EAP;
    f->s.offers[1] = PPP_AUTH_CHAP_MD5;
    f->s.noffers = 2;
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_PPP].code, 734);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_SKIPPED);
    assert_int_equal(f->r.server_auth_count, 2);
}

static void lost_request_resent(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.drop_first_sccrq = true;
    uint64_t t0 = plat_monotonic_ms();
    run(&f->s, "User", "clientPass", &f->r);
    uint64_t took = plat_monotonic_ms() - t0;
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_int_equal(f->s.sccrq, 1); /* the resend got through, once */
    assert_true(took >= 900);        /* after L2TP's one-second resend timer */
}

static void learning_without_credentials(void **state)
{
    struct fixture *f = *state;
    run(&f->s, NULL, NULL, &f->r);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_SKIPPED);
    assert_int_equal(f->r.server_auth_count, 3);
}

static void silent_server_times_out(void **state)
{
    struct fixture *f = *state;
    f->s.drop_first_sccrq = true;
    struct hs_options o = {.host = "sim", .timeout_ms = 600}; /* ends before the resend */
    struct hs_link link = {server_send, server_recv, server_time_left, &f->s, NULL};
    f->s.deadline = plat_monotonic_ms() + o.timeout_ms;
    memset(&f->r, 0, sizeof f->r);
    hs_run_inside(&o, &link, NULL, NULL, plat_monotonic_ms(), &f->r);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].code, 809);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_SKIPPED);
}

/* A server that Naks our MRU in every Configure-Request (asking for the
 * value we asked for): five Naks, then the PPP stage fails saying so, at
 * once rather than at the deadline (it was 88,000 requests in 8 s). */
static void nak_every_lcp_request(void **state)
{
    struct fixture *f = *state;
    f->s.nak_mru = true;
    uint64_t t0 = plat_monotonic_ms();
    run(&f->s, "User", "clientPass", &f->r);
    uint64_t took = plat_monotonic_ms() - t0;
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_PPP].code, 734);
    assert_string_equal(f->r.stages[STAGE_PPP].detail,
                        "the server Naked our MRU 5 times (it wants 1400)");
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_SKIPPED);
    assert_true(f->s.lcp_conf_req <= 10); /* five a session: the learning one, then the real one */
    assert_true(took < 1000);
}

static void reject_every_lcp_request(void **state)
{
    struct fixture *f = *state;
    f->s.reject_all_lcp = true;
    uint64_t t0 = plat_monotonic_ms();
    run(&f->s, "User", "clientPass", &f->r);
    assert_true(plat_monotonic_ms() - t0 < 1000);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_FAILED);
    assert_string_equal(f->r.stages[STAGE_PPP].detail,
                        "the server Rejected every LCP Configure-Request (5 times)");
    assert_true(f->s.lcp_conf_req <= 10); /* five a session: the learning one, then the real one */
    assert_string_equal(f->r.lcp_rejected, "mru,magic,pfc,acfc");
}

/* A Nak naming our MRU five times over is one Nak of it, not five. */
static void option_named_twice_counts_once(void **state)
{
    struct fixture *f = *state;
    f->s.nak_mru = true;
    f->s.nak_mru_copies = 5;
    run(&f->s, "User", "clientPass", &f->r);
    assert_string_equal(f->r.stages[STAGE_PPP].detail,
                        "the server Naked our MRU 5 times (it wants 1400)");
    assert_true(f->s.lcp_conf_req >= 5);
}

/* A server that never answers LCP: Max-Configure requests a second apart,
 * then the count says it (simulated time: 60 s allowed). */
static void silent_lcp_gives_up_after_max_configure(void **state)
{
    struct fixture *f = *state;
    f->s.silent_lcp = true;
    f->s.sim_clock = true;
    run_for(&f->s, "User", "clientPass", 60000, &f->r);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_FAILED);
    assert_string_equal(f->r.stages[STAGE_PPP].detail,
                        "no answer to our LCP Configure-Request after 10 tries");
    assert_int_equal(f->s.lcp_conf_req, 10);
    assert_true(f->s.clock - 1000000 < 15000); /* ten restart intervals, not the deadline */
}

static void nak_loop_on_ipcp(void **state)
{
    struct fixture *f = *state;
    f->s.offers[0] = PPP_AUTH_PAP;
    f->s.noffers = 1;
    f->s.nak_ipcp_always = true;
    uint64_t t0 = plat_monotonic_ms();
    run(&f->s, "User", "clientPass", &f->r);
    assert_true(plat_monotonic_ms() - t0 < 1000);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_AUTH].code, 720);
    assert_non_null(strstr(f->r.stages[STAGE_AUTH].detail,
                           "the server Naked our IP address 5 times (it wants 192.168.30.10)"));
    assert_true(f->s.ipcp_conf_req <= 5);
    assert_string_equal(f->r.address, "");
}

/* A server that sends each PPP packet five times at once: each gets one
 * answer (no packet of ours repeats its session, protocol, code and id
 * within a restart interval), and the handshake still goes through. */
static void resent_replies_answered_once(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.duplicate = 4;
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_int_equal(f->r.server_auth_count, 3);
    assert_true(f->r.server_auth_complete);
    assert_true(f->s.nsent > 5);
    for (size_t i = 0; i < f->s.nsent; i++)
        for (size_t j = i + 1; j < f->s.nsent; j++)
            if (f->s.sent[i].session == f->s.sent[j].session &&
                f->s.sent[i].proto == f->s.sent[j].proto &&
                f->s.sent[i].code == f->s.sent[j].code && f->s.sent[i].id == f->s.sent[j].id &&
                f->s.sent[i].proto != PPP_PAP)
                assert_true(f->s.sent[j].at - f->s.sent[i].at >= 900);
}

/* An SCCRQ never answered: five resends, 1 s doubling to at most 8 s, then
 * the tunnel stage fails saying so (simulated time: 120 s allowed). */
static void sccrq_never_answered(void **state)
{
    struct fixture *f = *state;
    f->s.drop_every_sccrq = true;
    f->s.sim_clock = true;
    run_for(&f->s, "User", "clientPass", 120000, &f->r);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].code, 809);
    assert_string_equal(f->r.stages[STAGE_TUNNEL].detail,
                        "IPsec is up but no answer to our L2TP SCCRQ after 5 resends");
    assert_int_equal(f->s.sccrq_sent, 6);
    static const unsigned gaps[] = {1000, 2000, 4000, 8000, 8000};
    for (int i = 0; i < 5; i++) {
        uint64_t gap = f->s.sccrq_at[i + 1] - f->s.sccrq_at[i];
        assert_true(gap >= gaps[i] && gap <= gaps[i] + 100);
    }
    assert_true(f->s.clock - 1000000 < 40000);
}

/* The Challenge's value-size at its limits: 16 is MS-CHAP v2's, 15 and 17
 * are not answered (simulated time: the stage fails at the deadline). */
static void challenge_size_at_limits(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    for (size_t size = 15; size <= 17; size++) {
        server_defaults(&f->s);
        f->s.challenge_size = size;
        f->s.sim_clock = true;
        run_for(&f->s, "User", "clientPass", 10000, &f->r);
        if (size == 16) {
            assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
            assert_int_equal(f->s.chap_responses, 1);
        } else {
            assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
            assert_int_equal(f->r.stages[STAGE_AUTH].code, 718);
            assert_int_equal(f->s.chap_responses, 0);
        }
    }
}

/* PAP carries a name and a password of at most 255 bytes each (one length
 * byte): 255 goes, 256 is refused before anything is sent. */
static void pap_credentials_at_limits(void **state)
{
    struct fixture *f = *state;
    char user[258];
    for (size_t len = 254; len <= 256; len++) {
        server_defaults(&f->s);
        f->s.offers[0] = PPP_AUTH_PAP;
        f->s.noffers = 1;
        memset(user, 'u', len);
        user[len] = '\0';
        run(&f->s, user, "clientPass", &f->r);
        if (len <= 255) {
            assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
            assert_int_equal(f->s.pap_requests, 1);
        } else {
            assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
            assert_string_equal(f->r.stages[STAGE_AUTH].detail,
                                "PAP carries at most 255 bytes of user name and of password");
            assert_int_equal(f->s.pap_requests, 0);
        }
    }
}

/* HELLOs in a flood: eight are acknowledged, then the run fails saying so
 * (skipping one would stop the channel's sequence numbers). */
static void hello_flood_is_bounded(void **state)
{
    struct fixture *f = *state;
    f->s.hello_flood = 12;
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].outcome, HS_FAILED);
    assert_int_equal(f->r.stages[STAGE_TUNNEL].code, 628);
    assert_string_equal(f->r.stages[STAGE_TUNNEL].detail,
                        "the server sent more than 8 L2TP HELLOs");
}

/* LCP Echo-Requests in a flood: sixteen answered, the rest ignored, and the
 * handshake goes on. */
static void echo_flood_is_bounded(void **state)
{
    struct fixture *f = *state;
    f->s.offers[0] = PPP_AUTH_PAP;
    f->s.noffers = 1;
    f->s.echo_flood = 40;
    run(&f->s, "User", "clientPass", &f->r);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    unsigned replies = 0;
    for (size_t i = 0; i < f->s.nsent; i++)
        replies += f->s.sent[i].proto == PPP_LCP && f->s.sent[i].code == PPP_ECHO_REP;
    assert_int_equal(replies, 16);
}

/* A cancel while Main Mode waits on a silent server: releasing the run joins
 * its thread, so release's time is the run's stopping time (20 s were left),
 * and nothing is sent after it (Main Mode would resend message 1 at 1 s). */
static void cancel_during_ike_is_prompt(void **state)
{
    (void)state;
    assert_int_equal(net_init(), L2F_OK);
    struct net_addr loopback[1], local;
    size_t n;
    struct l2f_err err = {{0}};
    assert_int_equal(net_resolve("127.0.0.1", loopback, 1, &n, &err), L2F_OK);
    struct udp_sock silent;
    assert_int_equal(udp_open_toward(&silent, &loopback[0], &local, &err), L2F_OK);
    uint8_t ip[4];
    uint16_t port;
    assert_true(net_addr_ipv4(&local, ip, &port));
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    struct hs_options o = {.host = "127.0.0.1",
                           .port = port,
                           .psk = "k",
                           .user = "u",
                           .password = "p",
                           .timeout_ms = 20000};
    struct hs_connect *c;
    assert_int_equal(hs_connect_start(&c, &o, dir, &err), L2F_OK);
    struct udp_sock *sk = &silent;
    assert_int_equal(udp_wait(&sk, 1, 3000), 1); /* message 1 arrived: the run is in Main Mode */
    uint8_t buf[2048];
    size_t got;
    while (udp_recv(&silent, buf, sizeof buf, &got, &err) == L2F_OK && got > 0) {
    }
    uint64_t t0 = plat_monotonic_ms();
    hs_connect_release(c);
    uint64_t took = plat_monotonic_ms() - t0;
    assert_true(took < 500);
    assert_int_equal(udp_wait(&sk, 1, 1500), 0);
    udp_close(&silent);
    tu_rmtree(dir);
}

/* Stage outcomes into the checklist's connect events: the next stage begins
 * when one passes (the tunnel after IPsec: it runs inside), a failure ends it. */
static void stages_to_events(void **state)
{
    (void)state;
    struct hs_result r;
    memset(&r, 0, sizeof r);
    struct hs_stage ok = {.outcome = HS_OK}, failed = {.outcome = HS_FAILED, .code = 789},
                    skipped = {.outcome = HS_SKIPPED};
    struct connect_event ev[2];
    assert_int_equal(hs_connect_events(STAGE_IPSEC, &ok, &r, ev, 2), 2);
    assert_int_equal(ev[0].kind, CONNECT_STAGE_PASS);
    assert_int_equal(ev[0].stage, STAGE_IPSEC);
    assert_int_equal(ev[1].kind, CONNECT_STAGE_BEGIN);
    assert_int_equal(ev[1].stage, STAGE_TUNNEL);
    assert_int_equal(hs_connect_events(STAGE_TUNNEL, &ok, &r, ev, 2), 2);
    assert_int_equal(ev[1].stage, STAGE_PPP);
    assert_int_equal(hs_connect_events(STAGE_PPP, &ok, &r, ev, 2), 2);
    assert_int_equal(ev[1].stage, STAGE_AUTH);
    assert_int_equal(hs_connect_events(STAGE_AUTH, &ok, &r, ev, 2), 2);
    assert_int_equal(ev[1].kind, CONNECT_DONE);
    assert_int_equal(ev[1].code, 0);
    assert_int_equal(hs_connect_events(STAGE_IPSEC, &failed, &r, ev, 2), 1);
    assert_int_equal(ev[0].kind, CONNECT_DONE);
    assert_int_equal(ev[0].code, 789);
    assert_int_equal(ev[0].stage, STAGE_IPSEC);
    assert_int_equal(hs_connect_events(STAGE_PPP, &skipped, &r, ev, 2), 0);
    /* a failure without a code never reads as "connected" (code 0) */
    struct hs_stage nocode = {.outcome = HS_FAILED};
    assert_int_equal(hs_connect_events(STAGE_AUTH, &nocode, &r, ev, 2), 1);
    assert_true(ev[0].code != 0);
}

/* The first LCP Configure-Request, as Windows sends it: MRU 1400, magic, PFC,
 * ACFC and, with the extensions on, Callback with CBCP (the magic is random). */
static void assert_first_request(const struct server *s, bool ext)
{
    static const uint8_t head[] = {1, 4, 0x05, 0x78, 5, 6};
    static const uint8_t tail[] = {7, 2, 8, 2, 13, 3, 6};
    size_t tail_len = ext ? sizeof tail : 4;
    assert_int_equal(s->first_req_len, sizeof head + 4 + tail_len);
    assert_memory_equal(s->first_req, head, sizeof head);
    assert_memory_equal(s->first_req + sizeof head + 4, tail, tail_len);
}

static void run_mschapv2(struct server *s, struct hs_result *r)
{
    run(s, "HUB\\User", "clientPass", r);
}

/* A server that takes everything: Callback Acked, the Identification read
 * (no answer is due, RFC 1570 1.1), the run goes on to an address. */
static void extensions_on_plain_server(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.reject_magic = false;
    f->s.client_ext = true;
    run_mschapv2(&f->s, &f->r);
    assert_first_request(&f->s, true);
    assert_true(hs_all_ok(&f->r) || f->r.stages[STAGE_IPSEC].outcome == HS_NOT_RUN);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_true(f->r.lcp_extensions_sent);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_ACCEPTED);
    assert_string_equal(hs_lcp_ext_id(f->r.lcp_extensions), "accepted");
    assert_string_equal(f->r.lcp_rejected, "");
    assert_int_equal(f->s.nidents, 2);
    assert_string_equal(f->s.idents[0], "MSRASV5.20");
    assert_memory_equal(f->s.idents[1], "MSRAS-0-", 8);
    assert_true(strlen(f->s.idents[1]) > 8 && strlen(f->s.idents[1]) <= 8 + 16);
}

/* With the extensions off: no Callback, no Identification; the same server accepts. */
static void extensions_off_plain_server(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.reject_magic = false;
    run_mschapv2(&f->s, &f->r);
    assert_first_request(&f->s, false);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_false(f->r.lcp_extensions_sent);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_ACCEPTED);
    assert_int_equal(f->s.nidents, 0);
}

/* Callback Configure-Rejected: dropped from the next request, the run goes on. */
static void callback_rejected_goes_on(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.client_ext = true;
    f->s.reject_callback = true;
    run_mschapv2(&f->s, &f->r);
    assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_REJECTED);
    assert_string_equal(f->r.lcp_rejected, "magic,callback");
    assert_int_equal(f->s.nidents,
                     2); /* Identification still goes: the option was refused, not it */
}

/* Identification Code-Rejected: a server without RFC 1570; the run goes on. */
static void identification_code_rejected(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    f->s.client_ext = true;
    f->s.code_reject_ident = true;
    run_mschapv2(&f->s, &f->r);
    assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_REJECTED);
    assert_string_equal(f->r.lcp_rejected, "magic,identification");
}

/* A server that ends the session, the tunnel or LCP on Identification: each
 * is "dropped-session" and fails authentication's stage with a reason; with
 * the extensions off the same server lets the run through. */
static void dropped_on_identification(void **state)
{
    struct fixture *f = *state;
    if (!ikec_available())
        skip();
    static const struct {
        int rule, code;
    } drops[] = {{DROP_CDN, 628}, {DROP_STOPCCN, 628}, {DROP_TERMINATE, 734}};
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        server_defaults(&f->s);
        f->s.client_ext = true;
        f->s.on_ident = drops[i].rule;
        run_mschapv2(&f->s, &f->r);
        assert_int_equal(f->r.stages[STAGE_PPP].outcome, HS_OK);
        assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_FAILED);
        assert_int_equal(f->r.stages[STAGE_AUTH].code, drops[i].code);
        assert_non_null(strstr(f->r.stages[STAGE_AUTH].detail, "Identification"));
        assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_DROPPED);
        assert_string_equal(hs_lcp_ext_id(f->r.lcp_extensions), "dropped-session");
        server_defaults(&f->s);
        f->s.on_ident = drops[i].rule;
        run_mschapv2(&f->s, &f->r);
        assert_int_equal(f->r.stages[STAGE_AUTH].outcome, HS_OK);
        assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_ACCEPTED);
    }
}

/* A server that never answers LCP: the extensions were "ignored", no verdict claimed. */
static void silent_lcp_is_ignored(void **state)
{
    struct fixture *f = *state;
    f->s.client_ext = true;
    f->s.silent_lcp = true;
    f->s.sim_clock = true;
    run_for(&f->s, "User", "clientPass", 60000, &f->r);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_IGNORED);
    /* one that never reaches LCP says nothing */
    server_defaults(&f->s);
    f->s.drop_every_sccrq = true;
    f->s.sim_clock = true;
    run_for(&f->s, "User", "clientPass", 60000, &f->r);
    assert_int_equal(f->r.lcp_extensions, HS_LCP_EXT_NONE);
    assert_null(hs_lcp_ext_id(f->r.lcp_extensions));
}

/* What runs saw is kept per host and setting for the diagnosis. */
static void lcp_seen_remembered(void **state)
{
    (void)state;
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    struct hs_result r = {.lcp_extensions_sent = true, .lcp_extensions = HS_LCP_EXT_DROPPED};
    struct hs_lcp_seen seen;
    assert_false(hs_lcp_recall(dir, "vpn.example", &seen));
    hs_lcp_remember(dir, "vpn.example", &r);
    r.lcp_extensions_sent = false, r.lcp_extensions = HS_LCP_EXT_ACCEPTED;
    hs_lcp_remember(dir, "vpn.example", &r);
    r.lcp_extensions = HS_LCP_EXT_NONE; /* nothing seen: nothing kept */
    hs_lcp_remember(dir, "other.example", &r);
    assert_true(hs_lcp_recall(dir, "vpn.example", &seen));
    assert_int_equal(seen.on, HS_LCP_EXT_DROPPED);
    assert_int_equal(seen.off, HS_LCP_EXT_ACCEPTED);
    assert_false(hs_lcp_recall(dir, "other.example", &seen));
    char path[300];
    snprintf(path, sizeof path, "%s/lcp-extensions.json", dir);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(mschapv2_all_the_way, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(wrong_password_691, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(forged_success_refused, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(pap_when_that_is_all, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(eap_only_cannot_agree, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(lost_request_resent, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(learning_without_credentials, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(silent_server_times_out, fixture_up, fixture_down),
        cmocka_unit_test(cancel_during_ike_is_prompt),
        cmocka_unit_test_setup_teardown(nak_every_lcp_request, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(reject_every_lcp_request, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(silent_lcp_gives_up_after_max_configure, fixture_up,
                                        fixture_down),
        cmocka_unit_test_setup_teardown(nak_loop_on_ipcp, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(resent_replies_answered_once, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(sccrq_never_answered, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(challenge_size_at_limits, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(pap_credentials_at_limits, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(hello_flood_is_bounded, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(echo_flood_is_bounded, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(option_named_twice_counts_once, fixture_up, fixture_down),
        cmocka_unit_test(stages_to_events),
        cmocka_unit_test_setup_teardown(extensions_on_plain_server, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(extensions_off_plain_server, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(callback_rejected_goes_on, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(identification_code_rejected, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(dropped_on_identification, fixture_up, fixture_down),
        cmocka_unit_test_setup_teardown(silent_lcp_is_ignored, fixture_up, fixture_down),
        cmocka_unit_test(lcp_seen_remembered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
