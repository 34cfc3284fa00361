#include "handshake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/bytes.h"
#include "net/ikev1.h"
#include "net/l2tp.h"
#include "net/mschapv2.h"
#include "net/pskcheck.h"
#include "platform.h"
#include "profile.h"

#define CTL_MAX 4             /* control messages sent and not yet acknowledged */
#define RETRANSMIT_MS 1000    /* L2TP's and PPP's first resend (RFC 2661 5.8, RFC 1661 4.6) */
#define LCP_MRU 1400
#define MAX_NAKS 8            /* offers walked through before giving up on a server */
#define TEARDOWN_WAIT_MS 200
#define CHAP_VALUE_LEN 49     /* peer challenge 16, reserved 8, NT-Response 24, flags 1 */

/* X(phase, what the run waits for) */
enum phase { PH_SCCRP, PH_ICRP, PH_LCP, PH_AUTH, PH_IPCP, PH_DONE };
enum lcp_mode { LEARN, AUTHENTICATE };

struct ctl_msg {
    uint8_t bytes[256];
    size_t len;
    uint16_t ns;
    uint64_t next;
    unsigned interval;
};

struct run {
    const struct hs_options *o;
    struct hs_result *r;
    hs_progress_fn progress;
    void *ctx;
    const struct hs_link *link;
    uint64_t start;
    enum phase phase;
    /* L2TP */
    uint16_t our_tunnel, peer_tunnel, our_session, peer_session;
    uint16_t ns, nr;
    struct ctl_msg pending[CTL_MAX];
    size_t npending;
    bool sent_control; /* this round answered with a control message (which acks) */
    unsigned sessions;
    /* LCP */
    enum lcp_mode mode;
    enum ppp_auth target;
    uint8_t lcp_id, magic[4];
    bool want_mru, want_magic, ours_acked, theirs_acked;
    uint64_t lcp_next;
    unsigned naks;
    enum ppp_auth agreed;
    bool learned; /* the learning session ended */
    /* auth */
    uint8_t peer_challenge[16], auth_challenge[16], nt_response[24];
    uint64_t pap_next;
    /* IPCP */
    uint8_t ipcp_id, address[4];
    bool ipcp_ours_acked, ipcp_theirs_acked;
    uint64_t ipcp_next;
    char auth_ok[128]; /* how authentication passed; the stage settles once IPCP has an address */
    bool stop;         /* the run is over, for good or ill */
};

const char *hs_outcome_id(enum hs_outcome o)
{
    switch (o) {
    case HS_OK: return "ok";
    case HS_FAILED: return "failed";
    case HS_SKIPPED: return "skipped";
    case HS_NOT_RUN: break;
    }
    return NULL;
}

enum l2f_status hs_run_paced(const char *state_dir, const struct hs_options *opts, hs_progress_fn progress, void *ctx,
                             struct hs_result *out, unsigned *waited_ms, struct l2f_err *err)
{
    enum l2f_status st = psk_pace_begin(state_dir, waited_ms, err);
    if (st != L2F_OK)
        return st;
    st = hs_run(opts, progress, ctx, out, err);
    psk_pace_end(state_dir);
    return st;
}

bool hs_all_ok(const struct hs_result *r)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (r->stages[i].outcome != HS_OK)
            return false;
    return true;
}

static uint64_t now_ms(void)
{
    return plat_monotonic_ms();
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void settle(struct run *u, enum stage_id st, enum hs_outcome o, int code, const char *fmt, ...)
{
    struct hs_stage *s = &u->r->stages[st];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
    s->outcome = o;
    s->code = code;
    s->ms = (unsigned)(now_ms() - u->start);
    if (u->progress)
        u->progress(u->ctx, st, s);
}

/* Every stage not settled yet is skipped: an earlier one failed. */
static void skip_rest(struct run *u, const char *why)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (u->r->stages[i].outcome == HS_NOT_RUN)
            settle(u, (enum stage_id)i, HS_SKIPPED, 0, "%s", why);
    u->stop = true;
}

static void link_send(struct run *u, const uint8_t *p, size_t n, struct l2f_err *err)
{
    if (u->link->send(u->link->ctx, p, n) != 0)
        l2f_err_set(err, "send failed");
}

/* ---- L2TP control channel ---- */

/* Sends a control message built with Ns/Nr placeholders: numbers it, keeps it until acknowledged. */
static void ctl_send(struct run *u, uint8_t *msg, size_t len)
{
    struct l2f_err err;
    if (!len)
        return;
    bool zlb = len == 12;
    be16_put(msg + 8, u->ns);
    be16_put(msg + 10, u->nr);
    if (!zlb && u->npending < CTL_MAX) {
        struct ctl_msg *m = &u->pending[u->npending++];
        memcpy(m->bytes, msg, len);
        m->len = len;
        m->ns = u->ns;
        m->interval = RETRANSMIT_MS;
        m->next = now_ms() + m->interval;
    }
    if (!zlb)
        u->ns++;
    link_send(u, msg, len, &err);
    u->sent_control = true;
}

static void ctl_zlb(struct run *u, uint16_t tunnel)
{
    uint8_t buf[16];
    ctl_send(u, buf, l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_ZLB, tunnel, 0, 0, 0)));
}

/* The peer's Nr acknowledges every message of ours numbered below it. */
static void ctl_acked(struct run *u, uint16_t peer_nr)
{
    size_t keep = 0;
    for (size_t i = 0; i < u->npending; i++)
        if ((uint16_t)(peer_nr - u->pending[i].ns - 1) >= 0x8000) /* ns >= peer_nr: not yet */
            u->pending[keep++] = u->pending[i];
    u->npending = keep;
}

static void send_sccrq(struct run *u)
{
    uint8_t buf[256];
    ctl_send(u, buf, l2tp_build_sccrq(buf, sizeof buf, "l2tpfix", u->our_tunnel, CTL_MAX));
}

static void send_icrq(struct run *u)
{
    uint8_t buf[128];
    u->our_session = (uint16_t)(u->our_session + 1);
    u->sessions++;
    size_t n = l2tp_begin_control(buf, sizeof buf, L2TP_ICRQ, u->peer_tunnel, 0, 0, 0);
    n = l2tp_put_avp_u16(buf, n, sizeof buf, L2TP_AVP_ASSIGNED_SESSION_ID, u->our_session);
    n = l2tp_put_avp_u32(buf, n, sizeof buf, L2TP_AVP_CALL_SERIAL_NUMBER, u->sessions);
    ctl_send(u, buf, l2tp_finish(buf, n));
}

/* ---- PPP over the session ---- */

static void ppp_send(struct run *u, uint16_t proto, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
    uint8_t frame[600], msg[620];
    struct l2f_err err;
    size_t n = ppp_build(frame, sizeof frame, proto, code, id, data, len);
    if (!n)
        return;
    /* a data message: no length, no sequence numbers (Windows sends these too) */
    be16_put(msg, 0x0002);
    be16_put(msg + 2, u->peer_tunnel);
    be16_put(msg + 4, u->peer_session);
    memcpy(msg + 6, frame, n);
    link_send(u, msg, 6 + n, &err);
}

/* A new Configure-Request takes a new id; a resend keeps it (RFC 1661 5.1),
 * so that a late Ack of the first still counts. */
static void lcp_request(struct run *u, bool fresh)
{
    uint8_t opts[32], mru[2];
    size_t n = 0;
    be16_put(mru, LCP_MRU);
    if (u->want_mru)
        n = ppp_put_option(opts, n, sizeof opts, LCP_OPT_MRU, mru, 2);
    if (u->want_magic)
        n = ppp_put_option(opts, n, sizeof opts, LCP_OPT_MAGIC, u->magic, 4);
    if (fresh)
        u->lcp_id++;
    ppp_send(u, PPP_LCP, PPP_CONF_REQ, u->lcp_id, opts, n);
    u->lcp_next = now_ms() + RETRANSMIT_MS;
}

static void ipcp_request(struct run *u, bool fresh)
{
    uint8_t opts[8];
    size_t n = ppp_put_option(opts, 0, sizeof opts, IPCP_OPT_ADDRESS, u->address, 4);
    if (fresh)
        u->ipcp_id++;
    ppp_send(u, PPP_IPCP, PPP_CONF_REQ, u->ipcp_id, opts, n);
    u->ipcp_next = now_ms() + RETRANSMIT_MS;
}

static void pap_request(struct run *u)
{
    uint8_t body[520];
    size_t ul = strlen(u->o->user), pl = strlen(u->o->password);
    if (ul > 255 || pl > 255)
        return;
    body[0] = (uint8_t)ul;
    memcpy(body + 1, u->o->user, ul);
    body[1 + ul] = (uint8_t)pl;
    memcpy(body + 2 + ul, u->o->password, pl);
    ppp_send(u, PPP_PAP, 1, 1, body, 2 + ul + pl);
    plat_wipe(body, sizeof body);
    u->pap_next = now_ms() + RETRANSMIT_MS;
}

static bool have_credentials(const struct run *u)
{
    return u->o->user && u->o->user[0] && u->o->password;
}

static bool offered(const struct run *u, enum ppp_auth a)
{
    for (size_t i = 0; i < u->r->server_auth_count; i++)
        if (u->r->server_auth[i] == a)
            return true;
    return false;
}

/* What to ask for in a Nak: the first of Windows' non-EAP choices the server
 * has not offered yet (a server that takes suggestions then offers it). */
static enum ppp_auth suggestion(const struct run *u)
{
    static const enum ppp_auth order[] = {PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_CHAP_MD5, PPP_AUTH_MSCHAPV1};
    if (u->mode == AUTHENTICATE)
        return u->target;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (!offered(u, order[i]))
            return order[i];
    return PPP_AUTH_MSCHAPV2;
}

static void lcp_opened(struct run *u)
{
    char name[16];
    snprintf(name, sizeof name, "%s", ppp_auth_name(u->agreed));
    settle(u, STAGE_PPP, HS_OK, 0, "LCP open with %s, after Nak-ing through the server's offers", name);
    snprintf(u->r->used_auth, sizeof u->r->used_auth, "%s", name);
    if (!have_credentials(u)) {
        settle(u, STAGE_AUTH, HS_SKIPPED, 0, "no user name and password given");
        u->stop = true;
        return;
    }
    u->phase = PH_AUTH;
    if (u->agreed == PPP_AUTH_PAP)
        pap_request(u);
}

/* The end of the learning session, or a refusal in the real one. */
static void lcp_terminated(struct run *u)
{
    if (u->mode == LEARN) {
        u->learned = true;
        u->r->server_auth_complete = u->naks < MAX_NAKS;
        /* now the real attempt, in a new session of the same tunnel */
        u->target = offered(u, PPP_AUTH_MSCHAPV2) ? PPP_AUTH_MSCHAPV2 : offered(u, PPP_AUTH_PAP) ? PPP_AUTH_PAP
                                                                                                  : PPP_AUTH_OTHER;
        if (u->target == PPP_AUTH_OTHER) {
            settle(u, STAGE_PPP, HS_FAILED, 734,
                   "the server offers neither MS-CHAP v2 nor PAP: a Windows client without EAP cannot agree");
            skip_rest(u, "PPP did not open");
            return;
        }
        u->mode = AUTHENTICATE;
        u->phase = PH_ICRP;
        u->ours_acked = u->theirs_acked = false;
        u->naks = 0;
        send_icrq(u);
        return;
    }
    settle(u, STAGE_PPP, HS_FAILED, 734, "the server ended LCP before agreeing on %s", ppp_auth_name(u->target));
    skip_rest(u, "PPP did not open");
}

static void on_lcp(struct run *u, const struct ppp_packet *p)
{
    struct ppp_option opt[16];
    size_t n = 0;
    switch (p->code) {
    case PPP_CONF_REQ: {
        if (!ppp_options(p->data, p->len, opt, 16, &n))
            return;
        uint8_t rej[256], nak[8];
        size_t rl = 0;
        const struct ppp_option *auth = NULL;
        for (size_t i = 0; i < n; i++) {
            if (opt[i].type == LCP_OPT_AUTH)
                auth = &opt[i];
            else if (opt[i].type != LCP_OPT_MRU && opt[i].type != LCP_OPT_MAGIC)
                rl = ppp_put_option(rej, rl, sizeof rej, opt[i].type, opt[i].value, opt[i].len);
        }
        if (rl) {
            ppp_send(u, PPP_LCP, PPP_CONF_REJ, p->id, rej, rl);
            return;
        }
        if (auth) {
            enum ppp_auth a = ppp_auth_of(auth->value, auth->len);
            if (!offered(u, a) && u->r->server_auth_count < HS_MAX_AUTH && u->mode == LEARN)
                u->r->server_auth[u->r->server_auth_count++] = a;
            bool take = u->mode == AUTHENTICATE && a == u->target;
            if (!take) {
                if (++u->naks > MAX_NAKS) {
                    lcp_terminated(u);
                    return;
                }
                uint8_t v[3];
                size_t vl = ppp_auth_value(suggestion(u), v);
                size_t nl = ppp_put_option(nak, 0, sizeof nak, LCP_OPT_AUTH, v, vl);
                ppp_send(u, PPP_LCP, PPP_CONF_NAK, p->id, nak, nl);
                return;
            }
            u->agreed = a;
        } else {
            u->agreed = PPP_AUTH_OTHER; /* no authentication asked for */
        }
        ppp_send(u, PPP_LCP, PPP_CONF_ACK, p->id, p->data, p->len);
        u->theirs_acked = true;
        break;
    }
    case PPP_CONF_ACK:
        if (p->id == u->lcp_id)
            u->ours_acked = true;
        break;
    case PPP_CONF_NAK:
    case PPP_CONF_REJ:
        if (p->id != u->lcp_id || !ppp_options(p->data, p->len, opt, 16, &n))
            return;
        for (size_t i = 0; i < n; i++) {
            const char *what = opt[i].type == LCP_OPT_MRU ? "mru" : opt[i].type == LCP_OPT_MAGIC ? "magic" : NULL;
            if (p->code == PPP_CONF_REJ && what) {
                if (opt[i].type == LCP_OPT_MRU)
                    u->want_mru = false;
                else
                    u->want_magic = false;
                if (!strstr(u->r->lcp_rejected, what)) {
                    size_t l = strlen(u->r->lcp_rejected);
                    snprintf(u->r->lcp_rejected + l, sizeof u->r->lcp_rejected - l, "%s%s", l ? "," : "", what);
                }
            } else if (opt[i].type == LCP_OPT_MRU) {
                u->want_mru = false; /* the server's MRU suggestion: go with its default */
            }
        }
        lcp_request(u, true);
        break;
    case PPP_TERM_REQ:
        ppp_send(u, PPP_LCP, PPP_TERM_ACK, p->id, NULL, 0);
        if (u->phase == PH_LCP)
            lcp_terminated(u);
        else if (u->phase == PH_AUTH)
            u->stop = true; /* the auth handler has said why */
        break;
    case PPP_ECHO_REQ: {
        uint8_t reply[64];
        if (p->len < 4 || p->len > sizeof reply)
            return;
        memcpy(reply, p->data, p->len);
        if (u->want_magic)
            memcpy(reply, u->magic, 4);
        else
            memset(reply, 0, 4);
        ppp_send(u, PPP_LCP, PPP_ECHO_REP, p->id, reply, p->len);
        break;
    }
    default:
        break;
    }
    if (u->phase == PH_LCP && u->ours_acked && u->theirs_acked)
        lcp_opened(u);
}

static void on_chap(struct run *u, const struct ppp_packet *p)
{
    if (u->agreed != PPP_AUTH_MSCHAPV2 || u->phase != PH_AUTH)
        return;
    if (p->code == 1 && p->len >= 17 && p->data[0] == 16) { /* Challenge */
        memcpy(u->auth_challenge, p->data + 1, 16);
        uint8_t body[1 + CHAP_VALUE_LEN + 256];
        size_t ul = strlen(u->o->user);
        if (ul > 256 || !plat_random(u->peer_challenge, 16) ||
            !mschapv2_nt_response(u->auth_challenge, u->peer_challenge, u->o->user, u->o->password, u->nt_response)) {
            settle(u, STAGE_AUTH, HS_FAILED, 691, "cannot compute the MS-CHAP v2 response (user name or password)");
            u->stop = true;
            return;
        }
        body[0] = CHAP_VALUE_LEN;
        memcpy(body + 1, u->peer_challenge, 16);
        memset(body + 17, 0, 8);
        memcpy(body + 25, u->nt_response, 24);
        body[49] = 0;
        memcpy(body + 1 + CHAP_VALUE_LEN, u->o->user, ul);
        ppp_send(u, PPP_CHAP, 2, p->id, body, 1 + CHAP_VALUE_LEN + ul);
    } else if (p->code == 3) { /* Success: "S=<40 hex> M=..." */
        char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1], msg[128];
        size_t l = p->len < sizeof msg - 1 ? p->len : sizeof msg - 1;
        memcpy(msg, p->data, l);
        msg[l] = 0;
        u->r->authenticator_verified =
            mschapv2_authenticator_response(u->o->password, u->nt_response, u->peer_challenge, u->auth_challenge,
                                            u->o->user, want) &&
            strncmp(msg, want, MSCHAPV2_AUTH_RESPONSE_LEN) == 0;
        if (!u->r->authenticator_verified) {
            settle(u, STAGE_AUTH, HS_FAILED, 691,
                   "the server said success but its authenticator response does not verify: it does not know "
                   "the password");
            u->stop = true;
            return;
        }
        snprintf(u->auth_ok, sizeof u->auth_ok, "MS-CHAP v2 accepted, and the server proved it knows the password");
        u->phase = PH_IPCP;
        ipcp_request(u, true);
    } else if (p->code == 4) { /* Failure: "E=691 R=0 C=... V=3 M=..." */
        char msg[128];
        size_t l = p->len < sizeof msg - 1 ? p->len : sizeof msg - 1;
        memcpy(msg, p->data, l);
        msg[l] = 0;
        const char *e = strstr(msg, "E=");
        int code = e ? atoi(e + 2) : 691;
        settle(u, STAGE_AUTH, HS_FAILED, code > 0 && code < 100000 ? code : 691, "MS-CHAP v2 refused with E=%d%s",
               code, code == 691 ? ": wrong user name or password (the server does not say which)" : "");
        u->stop = true;
    }
}

static void on_pap(struct run *u, const struct ppp_packet *p)
{
    if (u->agreed != PPP_AUTH_PAP || u->phase != PH_AUTH)
        return;
    if (p->code == 2) {
        snprintf(u->auth_ok, sizeof u->auth_ok, "PAP accepted (the password crossed in the clear, inside IPsec)");
        u->phase = PH_IPCP;
        ipcp_request(u, true);
    } else if (p->code == 3) {
        settle(u, STAGE_AUTH, HS_FAILED, 691, "PAP refused: wrong user name or password");
        u->stop = true;
    }
}

static void on_ipcp(struct run *u, const struct ppp_packet *p)
{
    struct ppp_option opt[8];
    size_t n = 0;
    if (u->phase != PH_IPCP || !ppp_options(p->data, p->len, opt, 8, &n))
        return;
    if (p->code == PPP_CONF_REQ) {
        uint8_t rej[64];
        size_t rl = 0;
        for (size_t i = 0; i < n; i++)
            if (opt[i].type != IPCP_OPT_ADDRESS)
                rl = ppp_put_option(rej, rl, sizeof rej, opt[i].type, opt[i].value, opt[i].len);
        if (rl) {
            ppp_send(u, PPP_IPCP, PPP_CONF_REJ, p->id, rej, rl);
            return;
        }
        ppp_send(u, PPP_IPCP, PPP_CONF_ACK, p->id, p->data, p->len);
        u->ipcp_theirs_acked = true;
    } else if (p->code == PPP_CONF_NAK && p->id == u->ipcp_id) {
        for (size_t i = 0; i < n; i++)
            if (opt[i].type == IPCP_OPT_ADDRESS && opt[i].len == 4)
                memcpy(u->address, opt[i].value, 4);
        ipcp_request(u, true);
    } else if (p->code == PPP_CONF_ACK && p->id == u->ipcp_id) {
        u->ipcp_ours_acked = true;
    }
    if (u->ipcp_ours_acked && u->ipcp_theirs_acked) {
        snprintf(u->r->address, sizeof u->r->address, "%u.%u.%u.%u", u->address[0], u->address[1], u->address[2],
                 u->address[3]);
        settle(u, STAGE_AUTH, HS_OK, 0, "%s; address %s", u->auth_ok, u->r->address);
        u->phase = PH_DONE;
        u->stop = true;
    }
}

static void on_data(struct run *u, const struct l2tp_header *h)
{
    struct ppp_packet p;
    if (h->session != u->our_session || !ppp_parse(h->payload, h->payload_len, &p))
        return;
    if (p.protocol == PPP_LCP)
        on_lcp(u, &p);
    else if (p.protocol == PPP_CHAP)
        on_chap(u, &p);
    else if (p.protocol == PPP_PAP)
        on_pap(u, &p);
    else if (p.protocol == PPP_IPCP)
        on_ipcp(u, &p);
    else if (p.protocol == PPP_EAP)
        return; /* never agreed to: it cannot start */
    else if (u->phase >= PH_AUTH) {
        /* CCP, IPV6CP and the like: not spoken here (RFC 1661 5.7) */
        uint8_t rej[128];
        size_t l = h->payload_len - 2 < sizeof rej ? h->payload_len - 2 : sizeof rej;
        memcpy(rej, h->payload + 2, l);
        ppp_send(u, PPP_LCP, PPP_PROTO_REJ, ++u->lcp_id, rej, l);
    }
}

static void start_lcp(struct run *u)
{
    u->phase = PH_LCP;
    u->ours_acked = u->theirs_acked = false;
    lcp_request(u, true);
}

static void on_control(struct run *u, const struct l2tp_header *h)
{
    struct l2tp_control c;
    ctl_acked(u, h->nr);
    if (!l2tp_parse_control(h->payload, h->payload_len, &c))
        return;
    if (c.type == L2TP_ZLB)
        return;
    if (h->ns != u->nr) {
        if ((uint16_t)(u->nr - h->ns - 1) < 0x8000)
            ctl_zlb(u, u->peer_tunnel); /* a resend of what we have: acknowledge again */
        return;
    }
    u->nr++;
    u->sent_control = false;
    uint16_t v, result = 0;
    const struct l2tp_avp *rc = l2tp_find_avp(&c, L2TP_AVP_RESULT_CODE);
    if (rc && rc->len >= 2)
        result = be16_get(rc->value);
    switch (c.type) {
    case L2TP_SCCRP:
        if (u->phase != PH_SCCRP || !l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v))
            break;
        u->peer_tunnel = v;
        {
            uint8_t buf[32];
            ctl_send(u, buf, l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_SCCCN, u->peer_tunnel, 0, 0, 0)));
        }
        u->phase = PH_ICRP;
        send_icrq(u);
        break;
    case L2TP_ICRP:
        if (u->phase != PH_ICRP || !l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_SESSION_ID, &v))
            break;
        u->peer_session = v;
        {
            uint8_t buf[64];
            size_t n = l2tp_begin_control(buf, sizeof buf, L2TP_ICCN, u->peer_tunnel, u->peer_session, 0, 0);
            n = l2tp_put_avp_u32(buf, n, sizeof buf, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
            n = l2tp_put_avp_u32(buf, n, sizeof buf, L2TP_AVP_FRAMING_TYPE, 1);
            ctl_send(u, buf, l2tp_finish(buf, n));
        }
        if (u->sessions == 1)
            settle(u, STAGE_TUNNEL, HS_OK, 0, "server reached; L2TP tunnel %u and session %u up", u->peer_tunnel,
                   u->peer_session);
        start_lcp(u);
        break;
    case L2TP_STOPCCN:
        u->peer_tunnel = 0;
        /* fall through */
    case L2TP_CDN:
        if (c.type == L2TP_CDN && h->session != u->our_session)
            break; /* an earlier session's end (the learning one): acknowledged, nothing more */
        if (u->phase == PH_LCP && u->mode == LEARN) {
            lcp_terminated(u); /* some servers end the session instead of LCP */
            break;
        }
        if (u->r->stages[STAGE_TUNNEL].outcome == HS_NOT_RUN)
            settle(u, STAGE_TUNNEL, HS_FAILED, 628, "the server closed the L2TP %s (result %u)",
                   c.type == L2TP_CDN ? "session" : "tunnel", result);
        else if (u->phase <= PH_LCP && u->r->stages[STAGE_PPP].outcome == HS_NOT_RUN)
            settle(u, STAGE_PPP, HS_FAILED, 628, "the server closed the L2TP %s during LCP (result %u)",
                   c.type == L2TP_CDN ? "session" : "tunnel", result);
        skip_rest(u, "the server closed the connection");
        break;
    default:
        break;
    }
    if (!u->sent_control)
        ctl_zlb(u, u->peer_tunnel);
}

/* Resends what is due: unacknowledged control messages, LCP, PAP, IPCP requests. */
static void resend(struct run *u)
{
    uint64_t t = now_ms();
    struct l2f_err err;
    for (size_t i = 0; i < u->npending; i++) {
        struct ctl_msg *m = &u->pending[i];
        if (t >= m->next) {
            be16_put(m->bytes + 10, u->nr);
            link_send(u, m->bytes, m->len, &err);
            m->interval *= 2;
            m->next = t + m->interval;
        }
    }
    if (u->phase == PH_LCP && !u->ours_acked && t >= u->lcp_next)
        lcp_request(u, false);
    if (u->phase == PH_AUTH && u->agreed == PPP_AUTH_PAP && t >= u->pap_next)
        pap_request(u);
    if (u->phase == PH_IPCP && !u->ipcp_ours_acked && t >= u->ipcp_next)
        ipcp_request(u, false);
}

/* Where the run stopped when the time ran out. */
static void timed_out(struct run *u)
{
    switch (u->phase) {
    case PH_SCCRP:
    case PH_ICRP:
        if (u->r->stages[STAGE_TUNNEL].outcome == HS_NOT_RUN)
            settle(u, STAGE_TUNNEL, HS_FAILED, 809, "IPsec is up but the L2TP %s got no answer",
                   u->phase == PH_SCCRP ? "tunnel request" : "session request");
        else
            settle(u, STAGE_PPP, HS_FAILED, 628, "no answer to a new L2TP session");
        break;
    case PH_LCP:
        settle(u, STAGE_PPP, HS_FAILED, 734, "LCP did not open in time (%s)",
               u->ours_acked ? "the server never agreed on authentication" : "our request got no answer");
        break;
    case PH_AUTH:
        settle(u, STAGE_AUTH, HS_FAILED, 718, "no answer from the server's %s in time", u->r->used_auth);
        break;
    case PH_IPCP:
        settle(u, STAGE_AUTH, HS_FAILED, 720, "%s, but IPCP assigned no address in time", u->auth_ok);
        break;
    case PH_DONE:
        break;
    }
    skip_rest(u, "the time ran out earlier");
}

static void l2tp_and_ppp(struct run *u)
{
    uint8_t in[2048];
    if (!plat_random(&u->our_tunnel, 2) || !plat_random(u->magic, 4) || !plat_random(&u->our_session, 2))
        return skip_rest(u, "no randomness");
    u->our_tunnel |= 1;
    u->our_session = (uint16_t)(u->our_session | 0x100);
    u->want_mru = u->want_magic = true;
    u->mode = LEARN;
    u->phase = PH_SCCRP;
    send_sccrq(u);
    while (!u->stop) {
        if (u->o->cancel && atomic_load(u->o->cancel))
            return skip_rest(u, "cancelled");
        if (u->link->time_left(u->link->ctx) == 0)
            return timed_out(u);
        size_t got;
        int rc = u->link->recv(u->link->ctx, in, sizeof in, &got, 50);
        if (rc < 0) {
            for (int i = 0; i < STAGE_COUNT; i++)
                if (u->r->stages[i].outcome == HS_NOT_RUN) {
                    settle(u, (enum stage_id)i, HS_FAILED, 628, "IPsec went down: the server deleted the SA");
                    break;
                }
            return skip_rest(u, "IPsec went down");
        }
        if (rc > 0) {
            struct l2tp_header h;
            if (l2tp_parse_header(in, got, &h) && h.tunnel == u->our_tunnel) {
                if (h.control)
                    on_control(u, &h);
                else
                    on_data(u, &h);
            }
        }
        resend(u);
    }
}

/* LCP Terminate, CDN, StopCCN: the server frees what it set up for us. */
static void teardown(struct run *u)
{
    uint8_t buf[64], in[2048];
    size_t got;
    if (u->peer_session) {
        ppp_send(u, PPP_LCP, PPP_TERM_REQ, ++u->lcp_id, NULL, 0);
        size_t n = l2tp_begin_control(buf, sizeof buf, L2TP_CDN, u->peer_tunnel, u->peer_session, 0, 0);
        uint8_t code[4] = {0, 3, 0, 0}; /* administrative */
        n = l2tp_put_avp(buf, n, sizeof buf, L2TP_AVP_RESULT_CODE, code, 4);
        n = l2tp_put_avp_u16(buf, n, sizeof buf, L2TP_AVP_ASSIGNED_SESSION_ID, u->our_session);
        ctl_send(u, buf, l2tp_finish(buf, n));
    }
    if (u->peer_tunnel) {
        ctl_send(u, buf, l2tp_build_stopccn(buf, sizeof buf, u->peer_tunnel, u->our_tunnel, 1, 0, 0));
        uint64_t until = now_ms() + TEARDOWN_WAIT_MS;
        while (now_ms() < until && u->link->recv(u->link->ctx, in, sizeof in, &got, TEARDOWN_WAIT_MS) > 0) {
        }
    }
}

/* The real link: L2TP datagrams in ESP. */
static int ike_send(void *ctx, const uint8_t *p, size_t n)
{
    struct l2f_err err;
    return ikev1_esp_send(ctx, p, n, &err) == L2F_OK ? 0 : -1;
}

static int ike_recv(void *ctx, uint8_t *buf, size_t cap, size_t *n, unsigned wait_ms)
{
    return ikev1_esp_recv(ctx, buf, cap, n, wait_ms);
}

static unsigned ike_time_left(void *ctx)
{
    return ikev1_time_left(ctx);
}

void hs_run_inside(const struct hs_options *opts, const struct hs_link *link, hs_progress_fn progress, void *ctx,
                   uint64_t start_ms, struct hs_result *out)
{
    struct run *u = calloc(1, sizeof *u);
    if (!u) {
        struct run fallback = {.r = out, .progress = progress, .ctx = ctx, .start = start_ms};
        return skip_rest(&fallback, "out of memory");
    }
    u->o = opts;
    u->r = out;
    u->progress = progress;
    u->ctx = ctx;
    u->link = link;
    u->start = start_ms;
    l2tp_and_ppp(u);
    teardown(u);
    plat_wipe(u, sizeof *u);
    free(u);
}

enum l2f_status hs_run(const struct hs_options *opts, hs_progress_fn progress, void *ctx, struct hs_result *out,
                       struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    struct run u = {.o = opts, .r = out, .progress = progress, .ctx = ctx, .start = now_ms()};
    struct ikev1 *ike;
    enum l2f_status st = ikev1_open(&ike, opts->host, opts->port, opts->timeout_ms, err);
    if (st == L2F_ERR_NOT_FOUND) {
        settle(&u, STAGE_TUNNEL, HS_FAILED, 868, "%s", err->msg);
        skip_rest(&u, "the server's name does not resolve");
        return L2F_OK;
    }
    if (st != L2F_OK)
        return st;
    ikev1_want_udp_encapsulation(ike);
    ikev1_set_cancel(ike, opts->cancel);
    struct ikev1_phase1 p1;
    ikev1_main_mode(ike, opts->psk ? opts->psk : "", &p1);
    if (opts->cancel && atomic_load(opts->cancel)) {
        skip_rest(&u, "cancelled");
    } else if (p1.verdict == PSK_INCONCLUSIVE && strstr(p1.reason, "no answer to message 1")) {
        settle(&u, STAGE_TUNNEL, HS_FAILED, 809, "no IKE answer from the server (UDP 500 filtered, or it is down)");
        skip_rest(&u, "the server was not reached");
    } else if (p1.verdict != PSK_ACCEPTED) {
        bool no_proposal = strstr(p1.reason, "none of the offered") != NULL;
        settle(&u, STAGE_IPSEC, HS_FAILED, no_proposal ? 788 : 789, "%s%s",
               p1.verdict == PSK_REJECTED ? "the pre-shared key was rejected: " : "", p1.reason);
        settle(&u, STAGE_TUNNEL, HS_SKIPPED, 0, "server reached (IKE answered); L2TP runs inside IPsec, which failed");
        skip_rest(&u, "IPsec did not come up");
    } else {
        struct ikev1_phase2 p2;
        ikev1_quick_mode(ike, &p2);
        if (opts->cancel && atomic_load(opts->cancel)) {
            skip_rest(&u, "cancelled");
        } else if (!p2.up) {
            settle(&u, STAGE_IPSEC, HS_FAILED, 788, "Main Mode %s done, Quick Mode failed: %s", p1.transform,
                   p2.reason);
            settle(&u, STAGE_TUNNEL, HS_SKIPPED, 0,
                   "server reached (IKE answered); L2TP runs inside IPsec, which failed");
            skip_rest(&u, "IPsec did not come up");
        } else {
            settle(&u, STAGE_IPSEC, HS_OK, 0, "key accepted; %s, %s", p1.transform, p2.transform);
            struct hs_link link = {ike_send, ike_recv, ike_time_left, ike};
            hs_run_inside(opts, &link, progress, ctx, u.start, out);
        }
    }
    ikev1_close(ike);
    return L2F_OK;
}

enum fix_id hs_advice(const struct hs_result *r, long auth_restrictions, char *text, size_t len)
{
    bool mschapv2 = false, pap = false;
    for (size_t i = 0; i < r->server_auth_count; i++) {
        mschapv2 |= r->server_auth[i] == PPP_AUTH_MSCHAPV2;
        pap |= r->server_auth[i] == PPP_AUTH_PAP;
    }
    bool allows_mschapv2 = (auth_restrictions & AR_MSCHAP2) && !(auth_restrictions & AR_EAP);
    if (r->stages[STAGE_IPSEC].outcome == HS_FAILED && r->stages[STAGE_IPSEC].code == 789) {
        snprintf(text, len, "the server rejects the key given here too: the profile needs the server's key");
        return FIX_USE_PSK;
    }
    if (mschapv2 && !allows_mschapv2) {
        snprintf(text, len, "the server takes MS-CHAP v2 and this profile does not allow it: the mschapv2 fix");
        return FIX_MSCHAPV2;
    }
    if (!mschapv2 && pap && !(auth_restrictions & AR_PAP)) {
        snprintf(text, len, "the server takes only PAP (the password in the clear inside IPsec), which this "
                            "profile does not allow: change it on the server, or allow PAP knowingly");
        return FIX_NONE;
    }
    if (r->stages[STAGE_AUTH].outcome == HS_FAILED && r->stages[STAGE_AUTH].code == 691) {
        snprintf(text, len, "the server refuses this account from here too: the user name or password, not Windows");
        return FIX_CREDENTIALS;
    }
    if (hs_all_ok(r)) {
        snprintf(text, len, "every stage passes from here: if Windows still fails, the difference is on this "
                            "client (its settings, registry and services: the checks above)");
        return FIX_NONE;
    }
    text[0] = '\0';
    return FIX_NONE;
}
