#include "handshake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include "net/bytes.h"
#include "net/ikev1.h"
#include "net/l2tp.h"
#include "net/mschapv2.h"
#include "net/pskcheck.h"
#include "platform.h"
#include "profile.h"

#define CTL_MAX 4              /* control messages sent and not yet acknowledged */
#define RETRANSMIT_MS 1000     /* L2TP's and PPP's first resend (RFC 2661 5.8, RFC 1661 4.6) */
#define RETRANSMIT_CAP_MS 8000 /* L2TP's resend interval doubles up to this (RFC 2661 5.8) */
#define CTL_MAX_RESENDS 5      /* then the tunnel is given up (RFC 2661 5.8's "bounded number") */
#define MAX_CONFIGURE                                                                              \
    10 /* Configure-Requests (and PAP requests) without an answer (RFC 1661 4.6) */
#define MAX_FAILURE                                                                                \
    5 /* Naks of one option of ours, or Rejects, before giving up (RFC 1661 4.6)                   \
       */
#define MAX_LEARN_NAKS                                                                             \
    8 /* Naks we send walking through the server's offers (HS_MAX_AUTH of them) */
#define MAX_PEER_REQUESTS                                                                          \
    20                   /* the server's Configure-Requests of one protocol without agreeing       \
                          */
#define MAX_CHALLENGES 5 /* MS-CHAP v2 challenges answered without a verdict */
#define LCP_MRU 1400     /* Windows' over L2TP (a Windows 7 log; Windows 10 over SSTP asked 4091) */
#define MAX_IDENT_IN 8   /* the server's Identification packets and Code-Rejects heeded */
#define MIN_MRU 64       /* below this a Nak's MRU is not taken: the default (1500) is used */
#define TEARDOWN_WAIT_MS 200
#define CHAP_VALUE_LEN 49 /* peer challenge 16, reserved 8, NT-Response 24, flags 1 */
#define RECENT_ANSWERS 4  /* the server's packets remembered to spot its resends */

/* X(phase, what the run waits for) */
enum phase { PH_SCCRP, PH_ICRP, PH_LCP, PH_AUTH, PH_IPCP, PH_DONE };
enum lcp_mode { LEARN, AUTHENTICATE };

/* X(enum, option, id, extension): our LCP Configure-Request, in the order
 * Windows sends it. Server logs show Windows 7 over L2TP asking MRU 1400,
 * magic, PFC, ACFC and Callback (CBCP), and Windows 10 over SSTP the same with
 * MRU 4091 (VyOS's accel-ppp documentation); then "MSRASV5.20" and
 * "MSRAS-0-<computer name>" in Identification packets once LCP opened.
 * extension: sent only with LcpExtensions on. Microsoft's text says disabling
 * the RFC 1570 extensions interferes with server callback; nothing says it
 * drops PFC or ACFC (RFC 1661's), so those go either way. */
#define LCP_REQUEST_TABLE(X)                                                                       \
    X(REQ_MRU, LCP_OPT_MRU, "mru", false)                                                          \
    X(REQ_MAGIC, LCP_OPT_MAGIC, "magic", false)                                                    \
    X(REQ_PFC, LCP_OPT_PFC, "pfc", false)                                                          \
    X(REQ_ACFC, LCP_OPT_ACFC, "acfc", false)                                                       \
    X(REQ_CALLBACK, LCP_OPT_CALLBACK, "callback", true)
#define LCP_REQUEST_ENUM(e, option, id, extension) e,
enum lcp_request_opt { LCP_REQUEST_TABLE(LCP_REQUEST_ENUM) REQ_COUNT };
#undef LCP_REQUEST_ENUM
#define LCP_REQUEST_ROW(e, option, id, extension) {option, id, extension},
static const struct {
    uint8_t option;
    const char *id;
    bool extension;
} lcp_requests[REQ_COUNT] = {LCP_REQUEST_TABLE(LCP_REQUEST_ROW)};
#undef LCP_REQUEST_ROW

/* The Identification messages Windows sends once LCP opens (RFC 1570 1.1);
 * a third, binary one seen in logs is left out: its content is not known. */
#define IDENT_VERSION "MSRASV5.20" /* Windows after XP; XP sent MSRASV5.10 (MS-RNAP 2.2.1.2) */
#define IDENT_HOST_PREFIX "MSRAS-0-"
#define IDENT_HOST_MAX 16 /* Windows fits prefix and name into 25 bytes with the NUL */

/* X(budget, limit, what, fatal): what the server can make us answer, each bounded by
 * count. Past its limit a message is ignored, or the run fails when fatal: the L2TP
 * channel cannot skip a message (its sequence numbers would stop). */
#define BUDGET_TABLE(X)                                                                            \
    X(B_CTL_RESENT, 32, "resent L2TP control messages", true)                                      \
    X(B_CTL_OUT_OF_TURN, 16, "L2TP control messages out of turn", true)                            \
    X(B_HELLO, 8, "L2TP HELLOs", true)                                                             \
    X(B_ECHO, 16, "LCP Echo-Requests", false)                                                      \
    X(B_TERMINATE, 4, "LCP Terminate-Requests", false)                                             \
    X(B_IDENT, MAX_IDENT_IN, "LCP Identification packets and Code-Rejects", false)                 \
    X(B_PROTO_REJECT, 16, "packets of protocols not spoken here", false)                           \
    X(B_PACKETS, 4000, "packets without the handshake moving on", true)
#define BUDGET_ENUM(e, limit, what, fatal) e,
enum budget { BUDGET_TABLE(BUDGET_ENUM) BUDGET_COUNT };
#undef BUDGET_ENUM

struct ctl_msg {
    uint8_t bytes[256];
    size_t len;
    uint16_t ns;
    unsigned type;
    unsigned resends;
    uint64_t next;
    unsigned interval;
};

/* One control protocol's negotiation, LCP or IPCP, with RFC 1661 4.6's counters. */
struct cp {
    uint16_t proto;
    uint8_t id;             /* our Configure-Request's; a resend keeps it */
    uint64_t next;          /* when it is resent */
    unsigned unanswered;    /* sent since the server last answered it: at most MAX_CONFIGURE */
    unsigned refusals;      /* its Naks and Rejects: at most MAX_CONFIGURE */
    unsigned rejects;       /* at most MAX_FAILURE */
    uint8_t naks[256];      /* per option type: at most MAX_FAILURE */
    unsigned peer_requests; /* at most MAX_PEER_REQUESTS */
    bool ours_acked, theirs_acked;
};

/* A packet of the server's we answered, to answer its resends once per interval. */
struct answered {
    uint16_t proto;
    uint8_t code, id;
    size_t len;
    uint32_t digest;
    uint64_t at;
};

struct run {
    const struct hs_options *o;
    struct hs_result *r;
    hs_progress_fn progress;
    void *ctx;
    const struct hs_link *link;
    uint64_t start;
    enum phase phase;
    unsigned spent[BUDGET_COUNT];
    struct answered recent[RECENT_ANSWERS];
    size_t recent_next;
    /* L2TP */
    uint16_t our_tunnel, peer_tunnel, our_session, peer_session;
    uint16_t ns, nr;
    struct ctl_msg pending[CTL_MAX];
    size_t npending;
    bool sent_control; /* this round answered with a control message (which acks) */
    unsigned sessions;
    /* LCP */
    struct cp lcp;
    enum lcp_mode mode;
    enum ppp_auth target;
    uint8_t magic[4];
    uint16_t mru;
    bool want[REQ_COUNT];
    /* what the server did with the extensions (or the plain request) */
    bool lcp_requested, lcp_answered, ours_ever_acked, ext_refused, ident_sent, auth_heard, dropped;
    unsigned naks; /* Naks we sent to the server's offers in this session */
    enum ppp_auth agreed;
    bool learned; /* the learning session ended */
    /* auth */
    uint8_t peer_challenge[16], auth_challenge[16], nt_response[24];
    uint64_t pap_next;
    unsigned pap_tries, challenges;
    /* IPCP */
    struct cp ipcp;
    uint8_t address[4];
    char auth_ok[128]; /* how authentication passed; the stage settles once IPCP has an address */
    bool stop;         /* the run is over, for good or ill */
};

const char *hs_outcome_id(enum hs_outcome o)
{
    switch (o) {
    case HS_OK:
        return "ok";
    case HS_FAILED:
        return "failed";
    case HS_SKIPPED:
        return "skipped";
    case HS_NOT_RUN:
        break;
    }
    return NULL;
}

const char *hs_lcp_ext_id(enum hs_lcp_ext v)
{
#define HS_LCP_EXT_ID(e, id)                                                                       \
    case e:                                                                                        \
        return id;
    switch (v) {
        HS_LCP_EXT_TABLE(HS_LCP_EXT_ID)
    case HS_LCP_EXT_COUNT:
        break;
    }
#undef HS_LCP_EXT_ID
    return NULL;
}

static enum hs_lcp_ext lcp_ext_from_id(const char *id)
{
    for (int v = HS_LCP_EXT_NONE + 1; id && v < HS_LCP_EXT_COUNT; v++)
        if (strcmp(id, hs_lcp_ext_id((enum hs_lcp_ext)v)) == 0)
            return (enum hs_lcp_ext)v;
    return HS_LCP_EXT_NONE;
}

#define LCP_SEEN_FILE "lcp-extensions.json"
#define LCP_SEEN_HOSTS 16 /* hosts remembered; the oldest go first */

static cJSON *lcp_seen_read(const char *state_dir, char *path, size_t cap)
{
    char *text = NULL;
    struct l2f_err err;
    snprintf(path, cap, "%s/%s", state_dir, LCP_SEEN_FILE);
    if (plat_read_file_max(path, 64 * 1024, &text, NULL, &err) != L2F_OK)
        return cJSON_CreateArray();
    cJSON *arr = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return cJSON_CreateArray();
    }
    return arr;
}

static bool same_host(const cJSON *o, const char *host)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "host");
    return cJSON_IsString(h) && strcmp(h->valuestring, host) == 0;
}

void hs_lcp_remember(const char *state_dir, const char *host, const struct hs_result *r)
{
    char path[PLAT_PATH_MAX + 32];
    struct l2f_err err;
    const char *verdict = hs_lcp_ext_id(r->lcp_extensions);
    if (!state_dir || !state_dir[0] || !host || !verdict || plat_mkdir_p(state_dir, &err) != L2F_OK)
        return;
    cJSON *old = lcp_seen_read(state_dir, path, sizeof path), *keep = cJSON_CreateArray(), *o;
    cJSON *mine = NULL;
    cJSON_ArrayForEach(o, old)
    {
        if (same_host(o, host))
            mine = cJSON_Duplicate(o, true);
        else if (cJSON_IsObject(o) && cJSON_GetArraySize(keep) < LCP_SEEN_HOSTS - 1)
            cJSON_AddItemToArray(keep, cJSON_Duplicate(o, true));
    }
    cJSON_Delete(old);
    if (!mine) {
        mine = cJSON_CreateObject();
        cJSON_AddStringToObject(mine, "host", host);
    }
    const char *key = r->lcp_extensions_sent ? "on" : "off";
    cJSON_DeleteItemFromObjectCaseSensitive(mine, key);
    cJSON_AddStringToObject(mine, key, verdict);
    cJSON_InsertItemInArray(keep, 0, mine); /* the newest first */
    char *text = cJSON_PrintUnformatted(keep);
    cJSON_Delete(keep);
    if (text)
        plat_write_atomic(path, text, strlen(text), &err); /* best effort: lost, it is run again */
    cJSON_free(text);
}

bool hs_lcp_recall(const char *state_dir, const char *host, struct hs_lcp_seen *out)
{
    char path[PLAT_PATH_MAX + 32];
    *out = (struct hs_lcp_seen){HS_LCP_EXT_NONE, HS_LCP_EXT_NONE};
    if (!state_dir || !state_dir[0] || !host || !host[0])
        return false;
    cJSON *arr = lcp_seen_read(state_dir, path, sizeof path), *o;
    cJSON_ArrayForEach(o, arr)
    {
        if (!same_host(o, host))
            continue;
        const cJSON *on = cJSON_GetObjectItemCaseSensitive(o, "on");
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(o, "off");
        out->on = lcp_ext_from_id(cJSON_IsString(on) ? on->valuestring : NULL);
        out->off = lcp_ext_from_id(cJSON_IsString(off) ? off->valuestring : NULL);
        break;
    }
    cJSON_Delete(arr);
    return out->on != HS_LCP_EXT_NONE || out->off != HS_LCP_EXT_NONE;
}

enum l2f_status hs_run_paced(const char *state_dir, const struct hs_options *opts,
                             hs_progress_fn progress, void *ctx, struct hs_result *out,
                             unsigned *waited_ms, struct l2f_err *err)
{
    enum l2f_status st = psk_pace_begin(state_dir, waited_ms, err);
    if (st != L2F_OK)
        return st;
    st = hs_run(opts, progress, ctx, out, err);
    psk_pace_end(state_dir);
    if (st == L2F_OK)
        hs_lcp_remember(state_dir, opts->host, out);
    return st;
}

bool hs_all_ok(const struct hs_result *r)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (r->stages[i].outcome != HS_OK)
            return false;
    return true;
}

static uint64_t now_ms(const struct run *u)
{
    return u->link && u->link->now ? u->link->now(u->link->ctx) : plat_monotonic_ms();
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
settle(struct run *u, enum stage_id st, enum hs_outcome o, int code, const char *fmt, ...)
{
    struct hs_stage *s = &u->r->stages[st];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
    s->outcome = o;
    s->code = code;
    s->ms = (unsigned)(now_ms(u) - u->start);
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

/* The first stage not settled yet fails with why; the rest are skipped. */
static void fail_open_stage(struct run *u, int code, const char *why, const char *skip_why)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (u->r->stages[i].outcome == HS_NOT_RUN) {
            settle(u, (enum stage_id)i, HS_FAILED, code, "%s", why);
            break;
        }
    skip_rest(u, skip_why);
}

/* Counts one answer the server drove; false once that kind's budget is
 * spent, and then a fatal kind has ended the run. */
static bool within_budget(struct run *u, enum budget b)
{
#define BUDGET_ROW(e, limit, what, fatal) {limit, what, fatal},
    static const struct {
        unsigned limit;
        const char *what;
        bool fatal;
    } rows[BUDGET_COUNT] = {BUDGET_TABLE(BUDGET_ROW)};
#undef BUDGET_ROW
    char why[96];
    if (u->spent[b] < rows[b].limit) {
        u->spent[b]++;
        return true;
    }
    if (rows[b].fatal && !u->stop) {
        snprintf(why, sizeof why, "the server sent more than %u %s", rows[b].limit, rows[b].what);
        fail_open_stage(u, 628, why, "the server flooded the connection");
    }
    return false;
}

static uint32_t digest(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a: tells a resend from a new packet with the same id */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* False for a resend of a packet of the server's answered less than an
 * interval ago: a burst of resends gets one answer, not one each. */
static bool answer_due(struct run *u, const struct ppp_packet *p)
{
    uint64_t t = now_ms(u);
    uint32_t d = digest(p->data, p->len);
    for (size_t i = 0; i < RECENT_ANSWERS; i++) {
        struct answered *a = &u->recent[i];
        if (a->at && a->proto == p->protocol && a->code == p->code && a->id == p->id &&
            a->len == p->len && a->digest == d) {
            if (t - a->at < RETRANSMIT_MS)
                return false;
            a->at = t;
            return true;
        }
    }
    u->recent[u->recent_next++ % RECENT_ANSWERS] = (struct answered){
        .proto = p->protocol, .code = p->code, .id = p->id, .len = p->len, .digest = d, .at = t};
    return true;
}

static void link_send(struct run *u, const uint8_t *p, size_t n, struct l2f_err *err)
{
    if (u->link->send(u->link->ctx, p, n) != 0)
        l2f_err_set(err, "send failed");
}

/* ---- L2TP control channel ---- */

/* Sends a control message built with Ns/Nr placeholders: numbers it, keeps it until acknowledged.
 */
static void ctl_send(struct run *u, uint8_t *msg, size_t len)
{
    struct l2f_err err;
    if (!len)
        return;
    bool zlb = len == 12;
    be16_put(msg + 8, u->ns);
    be16_put(msg + 10, u->nr);
    if (!zlb && u->npending < CTL_MAX && len <= sizeof u->pending[0].bytes) {
        struct ctl_msg *m = &u->pending[u->npending++];
        memcpy(m->bytes, msg, len);
        m->len = len;
        m->ns = u->ns;
        m->type = len >= 20 ? be16_get(msg + 18) : 0; /* the Message Type AVP's value */
        m->resends = 0;
        m->interval = RETRANSMIT_MS;
        m->next = now_ms(u) + m->interval;
    }
    if (!zlb)
        u->ns++;
    link_send(u, msg, len, &err);
    u->sent_control = true;
}

static void ctl_zlb(struct run *u, uint16_t tunnel)
{
    uint8_t buf[16];
    ctl_send(u, buf,
             l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_ZLB, tunnel, 0, 0, 0)));
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

/* The server acknowledged none of a message's resends: the tunnel is given up. */
static void ctl_unanswered(struct run *u, const struct ctl_msg *m)
{
    char why[160];
    snprintf(why, sizeof why, "no answer to our L2TP %s after %u resends",
             l2tp_message_name(m->type), m->resends);
    if (u->r->stages[STAGE_TUNNEL].outcome == HS_NOT_RUN) {
        settle(u, STAGE_TUNNEL, HS_FAILED, 809, "IPsec is up but %s", why);
        skip_rest(u, "the L2TP tunnel did not come up");
    } else {
        fail_open_stage(u, 628, why, "the L2TP tunnel stopped answering");
    }
}

/* ---- PPP over the session ---- */

static void ppp_send(struct run *u, uint16_t proto, uint8_t code, uint8_t id, const uint8_t *data,
                     size_t len)
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

static void cp_reset(struct cp *c, uint16_t proto)
{
    uint8_t id = c->id; /* ids go on across sessions: a late answer to the old one never matches */
    memset(c, 0, sizeof *c);
    c->proto = proto;
    c->id = id;
}

/* LCP fails the PPP stage (734, as Windows shows it); IPCP the authentication's (720). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
cp_fail(struct run *u, const struct cp *c, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (c->proto == PPP_LCP) {
        settle(u, STAGE_PPP, HS_FAILED, 734, "%s", why);
        skip_rest(u, "PPP did not open");
    } else {
        settle(u, STAGE_AUTH, HS_FAILED, 720, "%s; but %s", u->auth_ok, why);
        skip_rest(u, "IPCP did not open");
    }
}

/* Sends our Configure-Request: a new one takes a new id, a resend keeps it
 * (RFC 1661 5.1) so that a late Ack of the first still counts. False when
 * Max-Configure requests went unanswered: the run has failed. */
static bool cp_send_request(struct run *u, struct cp *c, bool fresh, const uint8_t *opts, size_t n)
{
    char name[24];
    if (c->unanswered >= MAX_CONFIGURE) {
        cp_fail(u, c, "no answer to our %s Configure-Request after %u tries",
                ppp_protocol_name(c->proto, name), c->unanswered);
        return false;
    }
    if (fresh)
        c->id++;
    c->unanswered++;
    ppp_send(u, c->proto, PPP_CONF_REQ, c->id, opts, n);
    c->next = now_ms(u) + RETRANSMIT_MS;
    return true;
}

/* One option's value as our request carries it; returns its length. */
static size_t lcp_request_value(const struct run *u, enum lcp_request_opt e, uint8_t out[4])
{
    switch (e) {
    case REQ_MRU:
        be16_put(out, u->mru);
        return 2;
    case REQ_MAGIC:
        memcpy(out, u->magic, 4);
        return 4;
    case REQ_CALLBACK:
        out[0] = CALLBACK_CBCP;
        return 1;
    default:
        return 0; /* PFC, ACFC: no value */
    }
}

static void lcp_request(struct run *u, bool fresh)
{
    uint8_t opts[40], v[4];
    size_t n = 0;
    for (int e = 0; e < REQ_COUNT; e++)
        if (u->want[e]) {
            size_t vl = lcp_request_value(u, (enum lcp_request_opt)e, v);
            n = ppp_put_option(opts, n, sizeof opts, lcp_requests[e].option, v, vl);
        }
    u->lcp_requested = true;
    cp_send_request(u, &u->lcp, fresh, opts, n);
}

/* Once LCP opens, with the extensions on: Windows' two Identification packets. */
static void send_identification(struct run *u)
{
    char host[IDENT_HOST_MAX + 1] = "", message[sizeof IDENT_HOST_PREFIX + IDENT_HOST_MAX];
    uint8_t data[64], zero[4] = {0};
    const uint8_t *magic = u->want[REQ_MAGIC] ? u->magic : zero;
    if (!plat_computer_name(host, sizeof host))
        snprintf(host, sizeof host, "L2TPFIX");
    snprintf(message, sizeof message, "%s%s", IDENT_HOST_PREFIX, host);
    const char *messages[] = {IDENT_VERSION, message};
    for (size_t i = 0; i < 2; i++) {
        size_t n = ppp_ident_build(data, sizeof data, magic, messages[i]);
        if (n)
            ppp_send(u, PPP_LCP, PPP_IDENT, ++u->lcp.id, data, n);
    }
    u->ident_sent = true;
}

static void ipcp_request(struct run *u, bool fresh)
{
    uint8_t opts[8];
    size_t n = ppp_put_option(opts, 0, sizeof opts, IPCP_OPT_ADDRESS, u->address, 4);
    cp_send_request(u, &u->ipcp, fresh, opts, n);
}

static void pap_request(struct run *u)
{
    uint8_t body[520];
    size_t ul = strlen(u->o->user), pl = strlen(u->o->password);
    if (ul > 255 || pl > 255) {
        settle(u, STAGE_AUTH, HS_FAILED, 691,
               "PAP carries at most 255 bytes of user name and of password");
        u->stop = true;
        return;
    }
    if (u->pap_tries >= MAX_CONFIGURE) {
        settle(u, STAGE_AUTH, HS_FAILED, 718,
               "no answer to our PAP Authenticate-Request after %u tries", u->pap_tries);
        u->stop = true;
        return;
    }
    body[0] = (uint8_t)ul;
    memcpy(body + 1, u->o->user, ul);
    body[1 + ul] = (uint8_t)pl;
    memcpy(body + 2 + ul, u->o->password, pl);
    u->pap_tries++;
    ppp_send(u, PPP_PAP, 1, 1, body, 2 + ul + pl);
    plat_wipe(body, sizeof body);
    u->pap_next = now_ms(u) + RETRANSMIT_MS;
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
    static const enum ppp_auth order[] = {PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_CHAP_MD5,
                                          PPP_AUTH_MSCHAPV1};
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
    settle(u, STAGE_PPP, HS_OK, 0, "LCP open with %s, after Nak-ing through the server's offers",
           name);
    snprintf(u->r->used_auth, sizeof u->r->used_auth, "%s", name);
    if (u->o->lcp_extensions)
        send_identification(u);
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
        u->r->server_auth_complete = u->naks < MAX_LEARN_NAKS;
        /* now the real attempt, in a new session of the same tunnel */
        u->target = offered(u, PPP_AUTH_MSCHAPV2) ? PPP_AUTH_MSCHAPV2
                    : offered(u, PPP_AUTH_PAP)    ? PPP_AUTH_PAP
                                                  : PPP_AUTH_OTHER;
        if (u->target == PPP_AUTH_OTHER) {
            settle(u, STAGE_PPP, HS_FAILED, 734,
                   "the server offers neither MS-CHAP v2 nor PAP: a Windows client without EAP "
                   "cannot agree");
            skip_rest(u, "PPP did not open");
            return;
        }
        u->mode = AUTHENTICATE;
        u->phase = PH_ICRP;
        cp_reset(&u->lcp, PPP_LCP);
        u->naks = 0;
        send_icrq(u);
        return;
    }
    settle(u, STAGE_PPP, HS_FAILED, 734, "the server ended LCP before agreeing on %s",
           ppp_auth_name(u->target));
    skip_rest(u, "PPP did not open");
}

/* The server's authentication option: taken when it is the target, else
 * Nak-ed with a suggestion (at most MAX_LEARN_NAKS times a session). */
static bool lcp_auth_taken(struct run *u, const struct ppp_packet *p, const struct ppp_option *auth)
{
    enum ppp_auth a = ppp_auth_of(auth->value, auth->len);
    if (!offered(u, a) && u->r->server_auth_count < HS_MAX_AUTH && u->mode == LEARN)
        u->r->server_auth[u->r->server_auth_count++] = a;
    if (u->mode == AUTHENTICATE && a == u->target) {
        u->agreed = a;
        return true;
    }
    if (u->naks >= MAX_LEARN_NAKS) {
        if (u->mode == LEARN)
            lcp_terminated(u); /* the list so far, marked incomplete */
        else
            cp_fail(u, &u->lcp, "the server did not offer %s in %u offers",
                    ppp_auth_name(u->target), u->naks);
        return false;
    }
    u->naks++;
    uint8_t v[3], nak[8];
    size_t vl = ppp_auth_value(suggestion(u), v);
    size_t nl = ppp_put_option(nak, 0, sizeof nak, LCP_OPT_AUTH, v, vl);
    ppp_send(u, PPP_LCP, PPP_CONF_NAK, p->id, nak, nl);
    return false;
}

/* The server's Configure-Request: options we do not speak are rejected, its
 * authentication walked through or taken, the rest acknowledged. */
static void on_lcp_request(struct run *u, const struct ppp_packet *p)
{
    struct ppp_option opt[16];
    size_t n = 0;
    if (!ppp_options(p->data, p->len, opt, 16, &n) || !answer_due(u, p))
        return;
    if (++u->lcp.peer_requests > MAX_PEER_REQUESTS) {
        cp_fail(u, &u->lcp, "the server sent %u LCP Configure-Requests without agreeing",
                MAX_PEER_REQUESTS);
        return;
    }
    uint8_t rej[256];
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
    if (auth && !lcp_auth_taken(u, p, auth))
        return;
    if (!auth)
        u->agreed = PPP_AUTH_OTHER; /* no authentication asked for */
    ppp_send(u, PPP_LCP, PPP_CONF_ACK, p->id, p->data, p->len);
    u->lcp.theirs_acked = true;
}

/* Adds an option's id to a comma-separated list, once. */
static void note_option(char *list, size_t cap, const char *id)
{
    size_t l = strlen(list), n = strlen(id);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, id, n) == 0)
            return;
        p += k + (p[k] == ',');
    }
    if (l + (l ? 1 : 0) + n < cap)
        snprintf(list + l, cap - l, "%s%s", l ? "," : "", id);
}

/* A Nak's or Reject's option, applied to what our next LCP request asks: a
 * Rejected one is dropped (RFC 1661 5.4), a Naked MRU or magic number takes
 * the server's hint (a Nak may also ask for one we left out, 5.3), any other
 * Naked one is dropped. */
static void lcp_adjust(struct run *u, uint8_t code, const struct ppp_option *o)
{
    int e = 0;
    while (e < REQ_COUNT && lcp_requests[e].option != o->type)
        e++;
    if (e == REQ_COUNT || (code == PPP_CONF_REJ && !u->want[e]))
        return; /* not one we speak, or a Reject of one we did not ask for */
    if (lcp_requests[e].extension)
        u->ext_refused = true;
    if (code == PPP_CONF_REJ) {
        u->want[e] = false;
        note_option(u->r->lcp_rejected, sizeof u->r->lcp_rejected, lcp_requests[e].id);
        return;
    }
    note_option(u->r->lcp_naked, sizeof u->r->lcp_naked, lcp_requests[e].id);
    if (e == REQ_MRU) {
        /* the server's MRU suggestion: asked for next time; a silly one, its default */
        u->want[e] = o->len == 2 && be16_get(o->value) >= MIN_MRU;
        if (u->want[e])
            u->mru = be16_get(o->value);
    } else if (e == REQ_MAGIC) {
        u->want[e] = plat_random(u->magic, 4); /* a Naked magic number: a new one (RFC 1661 6.4) */
    } else {
        u->want[e] = false;
    }
}

static void ipcp_adjust(struct run *u, uint8_t code, const struct ppp_option *o)
{
    if (code == PPP_CONF_NAK && o->type == IPCP_OPT_ADDRESS && o->len == 4)
        memcpy(u->address, o->value, 4); /* the address the server assigns */
}

/* " (it wants 1400)": what a Nak suggests, for the outcome. */
static void nak_value(uint16_t proto, const struct ppp_option *o, char *out, size_t cap)
{
    if (o->len == 2)
        snprintf(out, cap, " (it wants %u)", be16_get(o->value));
    else if (o->len == 4 && proto == PPP_IPCP)
        snprintf(out, cap, " (it wants %u.%u.%u.%u)", o->value[0], o->value[1], o->value[2],
                 o->value[3]);
    else if (o->len == 4)
        snprintf(out, cap, " (it wants %lu)", (unsigned long)be32_get(o->value));
    else
        out[0] = '\0';
}

/* A Nak or Reject of our current request: the options adjusted and a new
 * request sent, until an option was Naked MAX_FAILURE times, MAX_FAILURE
 * Rejects came, or MAX_CONFIGURE of either. */
static void cp_on_refusal(struct run *u, struct cp *c, const struct ppp_packet *p)
{
    struct ppp_option opt[16];
    size_t n = 0;
    char name[24], option[24], wants[40];
    bool counted[256] = {false}; /* an option named twice in one Nak is one Nak of it */
    const char *proto = ppp_protocol_name(c->proto, name);
    if (p->id != c->id || c->ours_acked || !ppp_options(p->data, p->len, opt, 16, &n))
        return; /* an answer to an earlier request of ours, or a resend of one already heeded */
    c->unanswered = 0;
    c->refusals++;
    if (c->proto == PPP_LCP)
        u->lcp_answered = true;
    if (p->code == PPP_CONF_REJ && ++c->rejects >= MAX_FAILURE) {
        cp_fail(u, c, "the server Rejected every %s Configure-Request (%u times)", proto,
                c->rejects);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool again = counted[opt[i].type];
        counted[opt[i].type] = true;
        if (p->code == PPP_CONF_NAK && !again && ++c->naks[opt[i].type] >= MAX_FAILURE) {
            nak_value(c->proto, &opt[i], wants, sizeof wants);
            cp_fail(u, c, "the server Naked our %s %u times%s",
                    ppp_option_name(c->proto, opt[i].type, option), c->naks[opt[i].type], wants);
            return;
        }
        if (c->proto == PPP_LCP)
            lcp_adjust(u, p->code, &opt[i]);
        else
            ipcp_adjust(u, p->code, &opt[i]);
    }
    if (c->refusals >= MAX_CONFIGURE) {
        cp_fail(u, c, "the server Naked or Rejected our %s Configure-Request %u times", proto,
                c->refusals);
        return;
    }
    if (c->proto == PPP_LCP)
        lcp_request(u, true);
    else
        ipcp_request(u, true);
}

static void cp_on_ack(struct run *u, struct cp *c, const struct ppp_packet *p)
{
    if (p->id == c->id) {
        c->ours_acked = true;
        c->unanswered = 0;
        if (c->proto == PPP_LCP)
            u->lcp_answered = u->ours_ever_acked = true;
    }
}

/* The window in which a server that minds the extensions shows it: LCP has
 * opened (and Identification went out, when on) and no authentication packet
 * has come yet. */
static bool in_extension_window(const struct run *u)
{
    return u->phase >= PH_AUTH && !u->auth_heard && u->ours_ever_acked;
}

/* The server's Code-Reject of our Identification: it does not speak RFC 1570. */
static void on_lcp_code_reject(struct run *u, const struct ppp_packet *p)
{
    if (!within_budget(u, B_IDENT) || p->len < 1 || p->data[0] != PPP_IDENT || !u->ident_sent)
        return;
    u->ext_refused = true;
    note_option(u->r->lcp_rejected, sizeof u->r->lcp_rejected, "identification");
}

static void on_lcp_terminate(struct run *u, const struct ppp_packet *p)
{
    if (!answer_due(u, p) || !within_budget(u, B_TERMINATE))
        return;
    ppp_send(u, PPP_LCP, PPP_TERM_ACK, p->id, NULL, 0);
    if (u->phase == PH_LCP) {
        lcp_terminated(u);
    } else if (in_extension_window(u)) {
        u->dropped = true;
        settle(u, STAGE_AUTH, HS_FAILED, 734,
               "the server ended LCP right after it opened, before authentication%s",
               u->ident_sent ? " (after our LCP Identification packets)" : "");
        skip_rest(u, "the server ended LCP");
    } else if (u->phase == PH_AUTH) {
        u->stop = true; /* the auth handler has said why */
    }
}

static void on_lcp_echo(struct run *u, const struct ppp_packet *p)
{
    uint8_t reply[64];
    if (p->len < 4 || p->len > sizeof reply || !answer_due(u, p) || !within_budget(u, B_ECHO))
        return;
    memcpy(reply, p->data, p->len);
    if (u->want[REQ_MAGIC])
        memcpy(reply, u->magic, 4);
    else
        memset(reply, 0, 4);
    ppp_send(u, PPP_LCP, PPP_ECHO_REP, p->id, reply, p->len);
}

static void on_lcp(struct run *u, const struct ppp_packet *p)
{
    switch (p->code) {
    case PPP_CONF_REQ:
        on_lcp_request(u, p);
        break;
    case PPP_CONF_ACK:
        cp_on_ack(u, &u->lcp, p);
        break;
    case PPP_CONF_NAK:
    case PPP_CONF_REJ:
        cp_on_refusal(u, &u->lcp, p);
        break;
    case PPP_TERM_REQ:
        on_lcp_terminate(u, p);
        break;
    case PPP_ECHO_REQ:
        on_lcp_echo(u, p);
        break;
    case PPP_CODE_REJ:
        on_lcp_code_reject(u, p);
        break;
    case PPP_IDENT:
        (void)within_budget(u, B_IDENT); /* the server's own: read by nobody, answered never */
        break;
    default:
        break;
    }
    if (!u->stop && u->phase == PH_LCP && u->lcp.ours_acked && u->lcp.theirs_acked)
        lcp_opened(u);
}

/* The Challenge (once per id and interval, at most MAX_CHALLENGES): our NT-Response. */
static void chap_respond(struct run *u, const struct ppp_packet *p)
{
    if (p->len < 1 + MSCHAPV2_CHALLENGE_LEN || p->data[0] != MSCHAPV2_CHALLENGE_LEN ||
        !answer_due(u, p))
        return;
    if (++u->challenges > MAX_CHALLENGES) {
        settle(u, STAGE_AUTH, HS_FAILED, 718,
               "the server sent %u MS-CHAP v2 challenges without a verdict", MAX_CHALLENGES);
        u->stop = true;
        return;
    }
    memcpy(u->auth_challenge, p->data + 1, 16);
    uint8_t body[1 + CHAP_VALUE_LEN + 256];
    size_t ul = strlen(u->o->user);
    if (ul > 256 || !plat_random(u->peer_challenge, 16) ||
        !mschapv2_nt_response(u->auth_challenge, u->peer_challenge, u->o->user, u->o->password,
                              u->nt_response)) {
        settle(u, STAGE_AUTH, HS_FAILED, 691,
               "cannot compute the MS-CHAP v2 response (user name or password)");
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
}

/* Success, "S=<40 hex> M=...": accepted only when the server proves it knows the password. */
static void chap_success(struct run *u, const struct ppp_packet *p)
{
    char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1];
    u->r->authenticator_verified =
        u->challenges > 0 &&
        mschapv2_authenticator_response(u->o->password, u->nt_response, u->peer_challenge,
                                        u->auth_challenge, u->o->user, want) &&
        mschapv2_success_verifies(p->data, p->len, want);
    if (!u->r->authenticator_verified) {
        settle(u, STAGE_AUTH, HS_FAILED, 691,
               "the server said success but its authenticator response does not verify: it does "
               "not know "
               "the password");
        u->stop = true;
        return;
    }
    snprintf(u->auth_ok, sizeof u->auth_ok,
             "MS-CHAP v2 accepted, and the server proved it knows the password");
    u->phase = PH_IPCP;
    ipcp_request(u, true);
}

/* Failure, "E=691 R=0 C=... V=3 M=...". */
static void chap_failure(struct run *u, const struct ppp_packet *p)
{
    struct mschapv2_failure f;
    mschapv2_parse_failure(p->data, p->len, &f);
    settle(u, STAGE_AUTH, HS_FAILED, f.error, "MS-CHAP v2 refused with E=%d%s", f.error,
           f.error == 691 ? ": wrong user name or password (the server does not say which)" : "");
    u->stop = true;
}

static void on_chap(struct run *u, const struct ppp_packet *p)
{
    if (u->agreed != PPP_AUTH_MSCHAPV2 || u->phase != PH_AUTH)
        return;
    u->auth_heard = true;
    if (p->code == 1)
        chap_respond(u, p);
    else if (p->code == 3)
        chap_success(u, p);
    else if (p->code == 4)
        chap_failure(u, p);
}

static void on_pap(struct run *u, const struct ppp_packet *p)
{
    if (u->agreed != PPP_AUTH_PAP || u->phase != PH_AUTH)
        return;
    u->auth_heard = true;
    if (p->code == 2) {
        snprintf(u->auth_ok, sizeof u->auth_ok,
                 "PAP accepted (the password crossed in the clear, inside IPsec)");
        u->phase = PH_IPCP;
        ipcp_request(u, true);
    } else if (p->code == 3) {
        settle(u, STAGE_AUTH, HS_FAILED, 691, "PAP refused: wrong user name or password");
        u->stop = true;
    }
}

/* The server's IPCP request: its address acknowledged, anything else rejected. */
static void on_ipcp_request(struct run *u, const struct ppp_packet *p)
{
    struct ppp_option opt[8];
    size_t n = 0;
    if (!ppp_options(p->data, p->len, opt, 8, &n) || !answer_due(u, p))
        return;
    if (++u->ipcp.peer_requests > MAX_PEER_REQUESTS) {
        cp_fail(u, &u->ipcp, "the server sent %u IPCP Configure-Requests without agreeing",
                MAX_PEER_REQUESTS);
        return;
    }
    uint8_t rej[256];
    size_t rl = 0;
    for (size_t i = 0; i < n; i++)
        if (opt[i].type != IPCP_OPT_ADDRESS)
            rl = ppp_put_option(rej, rl, sizeof rej, opt[i].type, opt[i].value, opt[i].len);
    if (rl) {
        ppp_send(u, PPP_IPCP, PPP_CONF_REJ, p->id, rej, rl);
        return;
    }
    ppp_send(u, PPP_IPCP, PPP_CONF_ACK, p->id, p->data, p->len);
    u->ipcp.theirs_acked = true;
}

static void on_ipcp(struct run *u, const struct ppp_packet *p)
{
    if (u->phase != PH_IPCP)
        return;
    if (p->code == PPP_CONF_REQ)
        on_ipcp_request(u, p);
    else if (p->code == PPP_CONF_NAK || p->code == PPP_CONF_REJ)
        cp_on_refusal(u, &u->ipcp, p);
    else if (p->code == PPP_CONF_ACK)
        cp_on_ack(u, &u->ipcp, p);
    if (!u->stop && u->ipcp.ours_acked && u->ipcp.theirs_acked) {
        snprintf(u->r->address, sizeof u->r->address, "%u.%u.%u.%u", u->address[0], u->address[1],
                 u->address[2], u->address[3]);
        settle(u, STAGE_AUTH, HS_OK, 0, "%s; address %s", u->auth_ok, u->r->address);
        u->phase = PH_DONE;
        u->stop = true;
    }
}

/* CCP, IPV6CP and the like: not spoken here (RFC 1661 5.7). */
static void reject_protocol(struct run *u, const struct l2tp_header *h, const struct ppp_packet *p)
{
    uint8_t rej[128];
    size_t off = h->payload_len >= 2 && h->payload[0] == 0xff && h->payload[1] == 0x03 ? 2 : 0;
    size_t l = h->payload_len - off < sizeof rej ? h->payload_len - off : sizeof rej;
    if (!answer_due(u, p) || !within_budget(u, B_PROTO_REJECT))
        return;
    memcpy(rej, h->payload + off, l);
    ppp_send(u, PPP_LCP, PPP_PROTO_REJ, ++u->lcp.id, rej, l);
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
    else if (p.protocol != PPP_EAP &&
             u->phase >= PH_AUTH) /* EAP: never agreed to, it cannot start */
        reject_protocol(u, h, &p);
}

static void start_lcp(struct run *u)
{
    u->phase = PH_LCP;
    cp_reset(&u->lcp, PPP_LCP);
    memset(u->recent, 0, sizeof u->recent); /* a new session's ids start over */
    lcp_request(u, true);
}

static void on_sccrp(struct run *u, const struct l2tp_control *c)
{
    uint16_t v;
    uint8_t buf[32];
    if (!l2tp_avp_u16(c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &v))
        return;
    u->peer_tunnel = v;
    ctl_send(
        u, buf,
        l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_SCCCN, u->peer_tunnel, 0, 0, 0)));
    u->phase = PH_ICRP;
    send_icrq(u);
}

static void on_icrp(struct run *u, const struct l2tp_control *c)
{
    uint16_t v;
    uint8_t buf[64];
    if (!l2tp_avp_u16(c, L2TP_AVP_ASSIGNED_SESSION_ID, &v))
        return;
    u->peer_session = v;
    size_t n =
        l2tp_begin_control(buf, sizeof buf, L2TP_ICCN, u->peer_tunnel, u->peer_session, 0, 0);
    n = l2tp_put_avp_u32(buf, n, sizeof buf, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
    n = l2tp_put_avp_u32(buf, n, sizeof buf, L2TP_AVP_FRAMING_TYPE, 1);
    ctl_send(u, buf, l2tp_finish(buf, n));
    if (u->sessions == 1)
        settle(u, STAGE_TUNNEL, HS_OK, 0, "server reached; L2TP tunnel %u and session %u up",
               u->peer_tunnel, u->peer_session);
    start_lcp(u);
}

/* StopCCN, or the CDN of our session: the server ended it. */
static void on_close(struct run *u, const struct l2tp_control *c)
{
    struct l2tp_result rc;
    char result[96] = "no result code";
    const char *what = c->type == L2TP_CDN ? "session" : "tunnel";
    if (l2tp_result_code(c, &rc))
        snprintf(result, sizeof result, "result %u%s%s", rc.result, rc.message[0] ? ": " : "",
                 rc.message);
    if (c->type == L2TP_STOPCCN)
        u->peer_tunnel = u->peer_session = 0; /* the tunnel took its session with it */
    if (u->phase == PH_LCP && u->mode == LEARN) {
        lcp_terminated(u); /* some servers end the session instead of LCP */
        return;
    }
    if (in_extension_window(u)) {
        u->dropped = true;
        settle(u, STAGE_AUTH, HS_FAILED, 628,
               "the server closed the L2TP %s right after LCP opened, before authentication%s (%s)",
               what, u->ident_sent ? " (after our LCP Identification packets)" : "", result);
    }
    if (u->r->stages[STAGE_TUNNEL].outcome == HS_NOT_RUN)
        settle(u, STAGE_TUNNEL, HS_FAILED, 628, "the server closed the L2TP %s (%s)", what, result);
    else if (u->phase <= PH_LCP && u->r->stages[STAGE_PPP].outcome == HS_NOT_RUN)
        settle(u, STAGE_PPP, HS_FAILED, 628, "the server closed the L2TP %s during LCP (%s)", what,
               result);
    skip_rest(u, "the server closed the connection");
}

/* Whether a new control message is one the exchange waits for; others
 * (HELLO, repeated SCCRP, unknown types, an old session's CDN) are
 * acknowledged within their budgets. */
static bool ctl_welcome(struct run *u, const struct l2tp_header *h, unsigned type)
{
    switch (type) {
    case L2TP_SCCRP:
        return u->phase == PH_SCCRP || within_budget(u, B_CTL_OUT_OF_TURN);
    case L2TP_ICRP:
        return u->phase == PH_ICRP || within_budget(u, B_CTL_OUT_OF_TURN);
    case L2TP_STOPCCN:
        return true;
    case L2TP_CDN:
        return h->session == u->our_session || within_budget(u, B_CTL_OUT_OF_TURN);
    case L2TP_HELLO:
        return within_budget(u, B_HELLO);
    default:
        return within_budget(u, B_CTL_OUT_OF_TURN);
    }
}

static void on_control(struct run *u, const struct l2tp_header *h)
{
    struct l2tp_control c;
    ctl_acked(u, h->nr);
    if (!l2tp_parse_control(h->payload, h->payload_len, &c) || c.type == L2TP_ZLB)
        return;
    if (h->ns != u->nr) {
        /* a resend of what we have: acknowledge again */
        if ((uint16_t)(u->nr - h->ns - 1) < 0x8000 && within_budget(u, B_CTL_RESENT))
            ctl_zlb(u, u->peer_tunnel);
        return;
    }
    if (!ctl_welcome(u, h, c.type))
        return; /* past its budget: the run has failed */
    u->nr++;
    u->sent_control = false;
    uint16_t tunnel =
        u->peer_tunnel; /* a StopCCN clears it; its acknowledgement still goes there */
    if (c.type == L2TP_SCCRP && u->phase == PH_SCCRP)
        on_sccrp(u, &c);
    else if (c.type == L2TP_ICRP && u->phase == PH_ICRP)
        on_icrp(u, &c);
    else if (c.type == L2TP_STOPCCN || (c.type == L2TP_CDN && h->session == u->our_session))
        on_close(u, &c);
    if (!u->sent_control)
        ctl_zlb(u, u->peer_tunnel ? u->peer_tunnel : tunnel);
}

/* Resends what is due: unacknowledged control messages (at most
 * CTL_MAX_RESENDS each, 1 s doubling to 8 s), LCP, PAP, IPCP requests. */
static void resend(struct run *u)
{
    uint64_t t = now_ms(u);
    struct l2f_err err;
    for (size_t i = 0; i < u->npending && !u->stop; i++) {
        struct ctl_msg *m = &u->pending[i];
        if (t < m->next)
            continue;
        if (m->resends >= CTL_MAX_RESENDS) {
            ctl_unanswered(u, m);
            return;
        }
        be16_put(m->bytes + 10, u->nr);
        link_send(u, m->bytes, m->len, &err);
        m->resends++;
        m->interval = m->interval * 2 > RETRANSMIT_CAP_MS ? RETRANSMIT_CAP_MS : m->interval * 2;
        m->next = t + m->interval;
    }
    if (u->stop)
        return;
    if (u->phase == PH_LCP && !u->lcp.ours_acked && t >= u->lcp.next)
        lcp_request(u, false);
    else if (u->phase == PH_AUTH && u->agreed == PPP_AUTH_PAP && t >= u->pap_next)
        pap_request(u);
    else if (u->phase == PH_IPCP && !u->ipcp.ours_acked && t >= u->ipcp.next)
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
        if (u->lcp.ours_acked)
            settle(u, STAGE_PPP, HS_FAILED, 734,
                   "LCP did not open in time (the server never agreed on authentication)");
        else if (u->lcp.refusals)
            settle(u, STAGE_PPP, HS_FAILED, 734,
                   "LCP did not open in time (our request was Naked or Rejected %u times, then "
                   "got no answer; %u tries)",
                   u->lcp.refusals, u->lcp.unanswered);
        else
            settle(u, STAGE_PPP, HS_FAILED, 734,
                   "LCP did not open in time (our request got no answer; %u tries)",
                   u->lcp.unanswered);
        break;
    case PH_AUTH:
        settle(u, STAGE_AUTH, HS_FAILED, 718, "no answer from the server's %s in time",
               u->r->used_auth);
        break;
    case PH_IPCP:
        settle(u, STAGE_AUTH, HS_FAILED, 720, "%s, but IPCP assigned no address in time",
               u->auth_ok);
        break;
    case PH_DONE:
        break;
    }
    skip_rest(u, "the time ran out earlier");
}

static void on_packet(struct run *u, const uint8_t *in, size_t got)
{
    struct l2tp_header h;
    if (!within_budget(u, B_PACKETS))
        return;
    if (l2tp_parse_header(in, got, &h) && h.tunnel == u->our_tunnel) {
        if (h.control)
            on_control(u, &h);
        else
            on_data(u, &h);
    }
}

static void l2tp_and_ppp(struct run *u)
{
    uint8_t in[2048];
    if (!plat_random(&u->our_tunnel, 2) || !plat_random(u->magic, 4) ||
        !plat_random(&u->our_session, 2)) {
        skip_rest(u, "no randomness");
        return;
    }
    u->our_tunnel |= 1;
    u->our_session = (uint16_t)(u->our_session | 0x100);
    for (int e = 0; e < REQ_COUNT; e++)
        u->want[e] = !lcp_requests[e].extension || u->o->lcp_extensions;
    u->r->lcp_extensions_sent = u->o->lcp_extensions;
    u->mru = LCP_MRU;
    u->ipcp.proto = PPP_IPCP;
    u->mode = LEARN;
    u->phase = PH_SCCRP;
    send_sccrq(u);
    while (!u->stop) {
        if (u->o->cancel && atomic_load(u->o->cancel)) {
            skip_rest(u, "cancelled");
            return;
        }
        if (u->link->time_left(u->link->ctx) == 0) {
            timed_out(u);
            return;
        }
        size_t got;
        int rc = u->link->recv(u->link->ctx, in, sizeof in, &got, 50);
        if (rc < 0) {
            fail_open_stage(u, 628, "IPsec went down: the server deleted the SA",
                            "IPsec went down");
            return;
        }
        if (rc > 0)
            on_packet(u, in, got);
        if (!u->stop)
            resend(u);
    }
}

/* LCP Terminate, CDN, StopCCN: the server frees what it set up for us. The
 * wait for its answers stays within the run's time. */
static void teardown(struct run *u)
{
    uint8_t buf[64], in[2048];
    size_t got;
    if (u->peer_session) {
        ppp_send(u, PPP_LCP, PPP_TERM_REQ, ++u->lcp.id, NULL, 0);
        size_t n =
            l2tp_begin_control(buf, sizeof buf, L2TP_CDN, u->peer_tunnel, u->peer_session, 0, 0);
        uint8_t code[4] = {0, 3, 0, 0}; /* administrative */
        n = l2tp_put_avp(buf, n, sizeof buf, L2TP_AVP_RESULT_CODE, code, 4);
        n = l2tp_put_avp_u16(buf, n, sizeof buf, L2TP_AVP_ASSIGNED_SESSION_ID, u->our_session);
        ctl_send(u, buf, l2tp_finish(buf, n));
    }
    if (u->peer_tunnel) {
        ctl_send(u, buf,
                 l2tp_build_stopccn(buf, sizeof buf, u->peer_tunnel, u->our_tunnel, 1, 0, 0));
        unsigned left = u->link->time_left(u->link->ctx);
        unsigned wait = left < TEARDOWN_WAIT_MS ? left : TEARDOWN_WAIT_MS;
        uint64_t until = now_ms(u) + wait;
        for (int i = 0; i < 64 && wait && now_ms(u) < until; i++) /* 64: a flood does not hold it */
            if (u->link->recv(u->link->ctx, in, sizeof in, &got, (unsigned)(until - now_ms(u))) <=
                0)
                break;
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

/* What the server did with the extensions (with them off: with our plain request). */
static enum hs_lcp_ext lcp_extensions_verdict(const struct run *u)
{
    if (!u->lcp_requested)
        return HS_LCP_EXT_NONE;
    if (u->dropped)
        return HS_LCP_EXT_DROPPED;
    if (u->o->lcp_extensions && u->ext_refused)
        return HS_LCP_EXT_REJECTED;
    if (u->ours_ever_acked)
        return HS_LCP_EXT_ACCEPTED;
    return u->lcp_answered ? HS_LCP_EXT_NONE : HS_LCP_EXT_IGNORED;
}

void hs_run_inside(const struct hs_options *opts, const struct hs_link *link,
                   hs_progress_fn progress, void *ctx, uint64_t start_ms, struct hs_result *out)
{
    struct run *u = calloc(1, sizeof *u);
    if (!u) {
        struct run fallback = {
            .r = out, .progress = progress, .ctx = ctx, .link = link, .start = start_ms};
        skip_rest(&fallback, "out of memory");
        return;
    }
    u->o = opts;
    u->r = out;
    u->progress = progress;
    u->ctx = ctx;
    u->link = link;
    u->start = start_ms;
    l2tp_and_ppp(u);
    out->lcp_extensions = lcp_extensions_verdict(u);
    teardown(u);
    plat_wipe(u, sizeof *u);
    free(u);
}

enum l2f_status hs_run(const struct hs_options *opts, hs_progress_fn progress, void *ctx,
                       struct hs_result *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    struct run u = {
        .o = opts, .r = out, .progress = progress, .ctx = ctx, .start = plat_monotonic_ms()};
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
        settle(&u, STAGE_TUNNEL, HS_FAILED, 809,
               "no IKE answer from the server (UDP 500 filtered, or it is down)");
        skip_rest(&u, "the server was not reached");
    } else if (p1.verdict != PSK_ACCEPTED) {
        bool no_proposal = strstr(p1.reason, "none of the offered") != NULL;
        settle(&u, STAGE_IPSEC, HS_FAILED, no_proposal ? 788 : 789, "%s%s",
               p1.verdict == PSK_REJECTED ? "the pre-shared key was rejected: " : "", p1.reason);
        settle(&u, STAGE_TUNNEL, HS_SKIPPED, 0,
               "server reached (IKE answered); L2TP runs inside IPsec, which failed");
        skip_rest(&u, "IPsec did not come up");
    } else {
        struct ikev1_phase2 p2;
        ikev1_quick_mode(ike, &p2);
        if (opts->cancel && atomic_load(opts->cancel)) {
            skip_rest(&u, "cancelled");
        } else if (!p2.up) {
            settle(&u, STAGE_IPSEC, HS_FAILED, 788, "Main Mode %s done, Quick Mode failed: %s",
                   p1.transform, p2.reason);
            settle(&u, STAGE_TUNNEL, HS_SKIPPED, 0,
                   "server reached (IKE answered); L2TP runs inside IPsec, which failed");
            skip_rest(&u, "IPsec did not come up");
        } else {
            settle(&u, STAGE_IPSEC, HS_OK, 0, "key accepted; %s, %s", p1.transform, p2.transform);
            struct hs_link link = {ike_send, ike_recv, ike_time_left, ike, NULL};
            hs_run_inside(opts, &link, progress, ctx, u.start, out);
        }
    }
    ikev1_close(ike);
    return L2F_OK;
}
