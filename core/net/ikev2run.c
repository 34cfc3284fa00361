#include "ikev2run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "net/bytes.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikev2.h"
#include "net/mschapv2.h"
#include "net/udp.h"
#include "platform.h"

#define IN_MAX 65536
#define OUT_MAX 4096
#define FIRST_WAIT_MS 1000  /* then doubled, as a client retransmits */
#define MAX_EAP_ROUNDS 8    /* Identity, challenge, success, and room for a Nak or two */
#define MAX_INIT_ROUNDS 3   /* one COOKIE and one INVALID_KE answered, no more */
#define FAILURE_END_MS 3000 /* wait for EAP-Failure: the verdict is known already */
#define CANCEL_SLICE_MS 50  /* a wait is cut into slices this long to see a cancel */

#define IKEV2_STAGE_ID(e, id) id,
static const char *const stage_ids[] = {IKEV2_STAGE_TABLE(IKEV2_STAGE_ID)};
#undef IKEV2_STAGE_ID

const char *ikev2_stage_id(enum ikev2_stage s)
{
    return s < IKEV2_STAGE_COUNT ? stage_ids[s] : NULL;
}

struct run {
    const struct ikev2_options *o;
    struct ikev2_result *res;
    struct udp_sock sock;
    struct net_addr peer, peer_natt;
    uint8_t my_ip[4], peer_ip[4];
    uint16_t my_port, peer_port;
    bool natt;
    uint64_t start, deadline;
    uint8_t spi_i[8], spi_r[8], ni[IKEV2_NONCE_LEN], nr[256];
    size_t nr_len;
    struct ikev2_suite suite;
    struct ikev2_keys keys;
    uint8_t msg1[OUT_MAX], *msg2;
    size_t msg1_len, msg2_len;
    uint32_t mid;
    uint8_t *in;
    uint8_t idi[8];
};

static void stage(struct run *r, enum ikev2_stage s, enum hs_outcome outcome, int code,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void stage(struct run *r, enum ikev2_stage s, enum hs_outcome outcome, int code,
                  const char *fmt, ...)
{
    struct hs_stage *st = &r->res->stages[s];
    st->outcome = outcome;
    st->code = code;
    st->ms = (unsigned)(plat_monotonic_ms() - r->start);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->detail, sizeof st->detail, fmt, ap);
    va_end(ap);
    if (r->o->progress)
        r->o->progress(r->o->progress_ctx, s, st);
}

static bool cancelled(const struct run *r)
{
    return r->o->cancel && atomic_load(r->o->cancel);
}

/* Marks the stages after s skipped. */
static void skip_after(struct run *r, enum ikev2_stage s, const char *why)
{
    for (int i = s + 1; i < IKEV2_STAGE_COUNT; i++)
        stage(r, (enum ikev2_stage)i, HS_SKIPPED, 0, "%s", why);
}

static bool send_packet(struct run *r, const uint8_t *pkt, size_t len)
{
    uint8_t framed[OUT_MAX + IKE_NATT_MARKER_LEN];
    size_t off = r->natt ? IKE_NATT_MARKER_LEN : 0;
    struct l2f_err err;
    if (len > OUT_MAX)
        return false;
    memset(framed, 0, off);
    memcpy(framed + off, pkt, len);
    return udp_send_to(&r->sock, r->natt ? &r->peer_natt : &r->peer, framed, len + off, &err) ==
           L2F_OK;
}

/* One IKE datagram from the server for our SPI within wait_ms (the non-ESP
 * marker removed on 4500); 0 when none came. */
static size_t receive(struct run *r, unsigned wait_ms)
{
    uint64_t until = plat_monotonic_ms() + wait_ms;
    if (until > r->deadline)
        until = r->deadline;
    for (;;) {
        uint64_t now = plat_monotonic_ms();
        if (now >= until || cancelled(r))
            return 0;
        unsigned slice = until - now < CANCEL_SLICE_MS ? (unsigned)(until - now) : CANCEL_SLICE_MS;
        struct udp_sock *sk = &r->sock;
        if (udp_wait(&sk, 1, slice) <= 0)
            continue;
        struct net_addr from;
        struct l2f_err err;
        size_t got = 0;
        if (udp_recv_from(&r->sock, r->in, IN_MAX, &got, &from, &err) != L2F_OK)
            continue;
        uint8_t ip[4];
        uint16_t port;
        if (!net_addr_ipv4(&from, ip, &port) || memcmp(ip, r->peer_ip, 4) != 0)
            continue; /* not the server */
        if (port == IKE_NATT_PORT && port != r->peer_port) {
            if (got < IKE_NATT_MARKER_LEN || (r->in[0] | r->in[1] | r->in[2] | r->in[3]))
                continue; /* a keepalive or ESP: not for us */
            got -= IKE_NATT_MARKER_LEN;
            memmove(r->in, r->in + IKE_NATT_MARKER_LEN, got);
        }
        if (got >= IKE_HEADER_LEN && memcmp(r->in, r->spi_i, 8) == 0)
            return got;
    }
}

/* The answer to a request: sent again after 1, 2, 4... s until the
 * deadline; accepted is asked of each candidate. */
typedef bool (*answer_fn)(struct run *r, size_t len, void *ctx);

static bool transact(struct run *r, const uint8_t *pkt, size_t len, answer_fn accept, void *ctx)
{
    unsigned wait = FIRST_WAIT_MS;
    while (plat_monotonic_ms() < r->deadline && !cancelled(r)) {
        if (!send_packet(r, pkt, len))
            return false;
        uint64_t until = plat_monotonic_ms() + wait;
        for (;;) {
            uint64_t now = plat_monotonic_ms();
            if (now >= until || now >= r->deadline || cancelled(r))
                break;
            size_t got = receive(r, (unsigned)(until - now));
            if (got && accept(r, got, ctx))
                return true;
        }
        wait *= 2;
    }
    return false;
}

/* ---- IKE_SA_INIT ---- */

struct init_ctx {
    struct ikev2_init_reply reply;
    struct l2f_err err;
    bool bad;
};

static bool init_answer(struct run *r, size_t len, void *vctx)
{
    struct init_ctx *c = vctx;
    if (r->in[18] != IKE_EX_INFO && r->in[18] != IKEV2_EX_SA_INIT)
        return false;
    if (be32_get(r->in + 20) != 0)
        return false;
    if (ikev2_parse_init(r->in, len, r->spi_i, &c->reply, &c->err) != L2F_OK) {
        c->bad = true;
        return true;
    }
    if (c->reply.kind == IKEV2_INIT_ACCEPTED) {
        free(r->msg2);
        r->msg2 = malloc(len);
        if (!r->msg2)
            return false;
        memcpy(r->msg2, r->in, len);
        r->msg2_len = len;
        /* ke and nonce point into r->in: keep the nonce, the KE is used at once */
        c->reply.ke = r->msg2 + (c->reply.ke - r->in);
        c->reply.nonce = r->msg2 + (c->reply.nonce - r->in);
    }
    return true;
}

static const char *notify_name(unsigned n)
{
    switch (n) {
    case IKEV2_N_NO_PROPOSAL_CHOSEN:
        return "NO_PROPOSAL_CHOSEN";
    case IKEV2_N_AUTHENTICATION_FAILED:
        return "AUTHENTICATION_FAILED";
    case IKEV2_N_TS_UNACCEPTABLE:
        return "TS_UNACCEPTABLE";
    case IKEV2_N_INVALID_SYNTAX:
        return "INVALID_SYNTAX";
    case IKEV2_N_INTERNAL_ADDRESS_FAILURE:
        return "INTERNAL_ADDRESS_FAILURE";
    case IKEV2_N_FAILED_CP_REQUIRED:
        return "FAILED_CP_REQUIRED";
    case IKEV2_N_SINGLE_PAIR_REQUIRED:
        return "SINGLE_PAIR_REQUIRED";
    case IKEV2_N_UNSUPPORTED_CRITICAL:
        return "UNSUPPORTED_CRITICAL_PAYLOAD";
    default:
        return "an error notify";
    }
}

/* The refusal of IKE_SA_INIT in words, with Windows' code. */
static void init_refused(struct run *r, const struct ikev2_init_reply *a)
{
    if (a->kind == IKEV2_INIT_INVALID_KE)
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 13868,
              "the server wants Diffie-Hellman group %u, which Windows does not offer",
              (unsigned)a->ke_group);
    else if (a->kind == IKEV2_INIT_COOKIE)
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809, "the server asked for a second cookie");
    else
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 13868,
              "the server answered %s (%u): none of the six proposals Windows sends "
              "(3DES or AES-256, SHA-1/256/384, MODP 1024) is acceptable to it",
              notify_name(a->notify), (unsigned)a->notify);
}

/* An agreed IKE_SA_INIT: g^ir, the keys, and whether NAT lies between. */
static bool init_accepted(struct run *r, const struct ikev2_init_reply *a, uint16_t group,
                          void *priv)
{
    uint8_t gir[IKEC_MAX_DH];
    bool ok = a->ke_len == ikec_dh_len(group) && ikec_dh_shared(group, priv, a->ke, gir);
    memcpy(r->spi_r, a->spi_r, 8);
    r->suite = a->chosen;
    r->nr_len = a->nonce_len;
    memcpy(r->nr, a->nonce, a->nonce_len);
    ok = ok && ikev2_derive_keys(&r->suite, r->ni, sizeof r->ni, r->nr, r->nr_len, gir,
                                 ikec_dh_secret_len(group), r->spi_i, r->spi_r, &r->keys);
    plat_wipe(gir, sizeof gir);
    if (!ok) {
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809,
              "the server's key exchange value is not usable");
        return false;
    }
    /* NAT: the server's view of either address differs from ours (RFC 7296 2.23) */
    uint8_t want_dst[IKEV2_NATD_LEN], want_src[IKEV2_NATD_LEN];
    ikev2_natd_hash(r->spi_i, r->spi_r, r->my_ip, r->my_port, want_dst);
    ikev2_natd_hash(r->spi_i, r->spi_r, r->peer_ip, r->peer_port, want_src);
    r->natt = (a->natd_dst_seen && memcmp(a->natd_dst, want_dst, IKEV2_NATD_LEN) != 0) ||
              (a->natd_src_seen && memcmp(a->natd_src, want_src, IKEV2_NATD_LEN) != 0);
    r->res->nat = r->natt;
    ikev2_suite_name(&r->suite, r->res->suite, sizeof r->res->suite);
    stage(r, IKEV2_STAGE_TUNNEL, HS_OK, 0, "IKE SA agreed: %s%s%s", r->res->suite,
          r->natt ? "; NAT seen, IKE_AUTH on UDP 4500" : "",
          a->fragmentation ? "; fragmentation supported" : "");
    return true;
}

/* One IKE_SA_INIT sent and answered (false: no answer or garbage, staged). */
static bool init_round(struct run *r, uint16_t group, const uint8_t *cookie, size_t cookie_len,
                       void **priv, struct init_ctx *c)
{
    static const uint8_t zero[8] = {0};
    uint8_t pub[IKEC_MAX_DH];
    struct ikev2_init_request q = {.ke_group = group, .ke = pub, .ke_len = ikec_dh_len(group)};
    memcpy(q.spi_i, r->spi_i, 8);
    if (!ikec_dh_keypair(group, priv, pub) || !plat_random(r->ni, sizeof r->ni)) {
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809, "no Diffie-Hellman key or randomness");
        return false;
    }
    memcpy(q.nonce, r->ni, sizeof r->ni);
    ikev2_natd_hash(r->spi_i, zero, r->my_ip, r->my_port, q.natd_src);
    ikev2_natd_hash(r->spi_i, zero, r->peer_ip, r->peer_port, q.natd_dst);
    q.cookie = cookie_len ? cookie : NULL;
    q.cookie_len = cookie_len;
    r->msg1_len = ikev2_build_init(r->msg1, sizeof r->msg1, &q);
    if (!r->msg1_len || !transact(r, r->msg1, r->msg1_len, init_answer, c)) {
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809,
              "no answer to IKE_SA_INIT on UDP %u within %u ms", (unsigned)r->peer_port,
              r->o->timeout_ms);
        return false;
    }
    if (c->bad) {
        stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809, "the answer is not IKE_SA_INIT: %s",
              c->err.msg);
        return false;
    }
    return true;
}

/* The tunnel's detail says which refusals were answered on the way. */
static void init_retries_said(struct run *r, bool cookie, bool ke, uint16_t group)
{
    char *d = r->res->stages[IKEV2_STAGE_TUNNEL].detail;
    size_t cap = sizeof r->res->stages[IKEV2_STAGE_TUNNEL].detail, n = strlen(d);
    if (cookie && n < cap)
        n += (size_t)snprintf(d + n, cap - n, "; after a COOKIE");
    if (ke && n < cap)
        snprintf(d + n, cap - n, "; after INVALID_KE_PAYLOAD (group %u)", (unsigned)group);
}

/* Sends IKE_SA_INIT until a proposal is agreed; answers one COOKIE and one
 * INVALID_KE. On success the keys are derived. */
static bool run_init(struct run *r)
{
    uint16_t group = IKE_GROUP_MODP1024;
    uint8_t cookie[IKEV2_MAX_COOKIE];
    size_t cookie_len = 0;
    bool cookie_done = false, ke_done = false;
    for (int round = 0; round < MAX_INIT_ROUNDS; round++) {
        void *priv = NULL;
        struct init_ctx c = {0};
        const struct ikev2_init_reply *a = &c.reply;
        bool ok = init_round(r, group, cookie, cookie_len, &priv, &c);
        if (ok && a->kind == IKEV2_INIT_COOKIE && !cookie_done) {
            memcpy(cookie, a->cookie, a->cookie_len);
            cookie_len = a->cookie_len;
            cookie_done = true;
        } else if (ok && a->kind == IKEV2_INIT_INVALID_KE && !ke_done && ikec_dh_len(a->ke_group) &&
                   a->ke_group != group) {
            group = a->ke_group;
            ke_done = true;
        } else {
            if (ok && a->kind != IKEV2_INIT_ACCEPTED)
                init_refused(r, a);
            ok = ok && a->kind == IKEV2_INIT_ACCEPTED && init_accepted(r, a, group, priv);
            ikec_dh_free(priv);
            if (ok)
                init_retries_said(r, cookie_done, ke_done, group);
            return ok;
        }
        ikec_dh_free(priv);
    }
    stage(r, IKEV2_STAGE_TUNNEL, HS_FAILED, 809, "the server kept asking for cookies or groups");
    return false;
}

/* ---- protected exchanges ---- */

struct sk_ctx {
    uint32_t mid;
    struct ikev2_reassembly reasm;
    uint8_t *plain;
    size_t plain_len;
    unsigned first;
    struct l2f_err err;
    bool bad;
    unsigned fragments;
};

static bool keep_plain(struct sk_ctx *c, const uint8_t *p, size_t n, unsigned first)
{
    c->plain = malloc(n ? n : 1);
    if (!c->plain)
        return false;
    memcpy(c->plain, p, n);
    c->plain_len = n;
    c->first = first;
    return true;
}

static bool sk_answer(struct run *r, size_t len, void *vctx)
{
    struct sk_ctx *c = vctx;
    const uint8_t *m = r->in;
    if (memcmp(m + 8, r->spi_r, 8) != 0 || !(m[19] & IKEV2_FLAG_RESPONSE) ||
        be32_get(m + 20) != c->mid || be32_get(m + 24) != len || len < IKE_HEADER_LEN + 4)
        return false;
    size_t pl_len = be16_get(m + IKE_HEADER_LEN + 2);
    if (pl_len != len - IKE_HEADER_LEN)
        return false; /* SK or SKF must be the one payload, to the end */
    uint8_t *plain = malloc(len);
    size_t n = 0;
    if (!plain)
        return false;
    bool done = false;
    if (m[16] == IKEV2_PL_SK) {
        if (ikev2_sk_open(&r->suite, &r->keys, m, len, IKE_HEADER_LEN + 4, plain, len, &n,
                          &c->err) == L2F_OK)
            done = keep_plain(c, plain, n, m[IKE_HEADER_LEN]);
    } else if (m[16] == IKEV2_PL_SKF && len >= IKE_HEADER_LEN + 8) {
        unsigned num = be16_get(m + IKE_HEADER_LEN + 4), total = be16_get(m + IKE_HEADER_LEN + 6);
        bool complete = false;
        if (ikev2_sk_open(&r->suite, &r->keys, m, len, IKE_HEADER_LEN + 8, plain, len, &n,
                          &c->err) == L2F_OK &&
            ikev2_reasm_add(&c->reasm, num, total, m[IKE_HEADER_LEN], plain, n, &complete,
                            &c->err) == L2F_OK &&
            complete) {
            uint8_t *whole;
            size_t whole_len;
            if (ikev2_reasm_join(&c->reasm, &whole, &whole_len, &c->err) == L2F_OK) {
                c->plain = whole;
                c->plain_len = whole_len;
                c->first = c->reasm.first;
                c->fragments = total;
                done = true;
            }
        }
    }
    free(plain);
    return done;
}

/* Sends inner payloads (first of type first) in exchange, returns the
 * answer's plaintext (c->plain, to free) or false with no answer. */
static bool protected_exchange(struct run *r, unsigned exchange, unsigned first,
                               const uint8_t *plain, size_t len, struct sk_ctx *c)
{
    uint8_t msg[OUT_MAX], iv[16];
    memset(c, 0, sizeof *c);
    c->mid = r->mid++;
    ikev2_reasm_reset(&c->reasm, c->mid);
    ikev2_header(msg, r->spi_i, r->spi_r, IKEV2_PL_SK, exchange, IKEV2_FLAG_INITIATOR, c->mid);
    if (!plat_random(iv, sizeof iv))
        return false;
    size_t n = ikev2_sk_seal(&r->suite, &r->keys, msg, sizeof msg, first, plain, len, iv);
    bool ok = n && transact(r, msg, n, sk_answer, c);
    ikev2_reasm_free(&c->reasm);
    if (ok && c->fragments > r->res->fragments)
        r->res->fragments = c->fragments;
    return ok;
}

/* ---- IKE_AUTH ---- */

static bool verify_server(struct run *r, const struct ikev2_auth_reply *a)
{
    struct ikev2_cert_info *ci = &r->res->cert;
    if (a->error_notify && !a->auth) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 13801, "the server refused IKE_AUTH: %s (%u)",
              notify_name(a->error_notify), (unsigned)a->error_notify);
        return false;
    }
    if (!a->idr || !a->auth) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 13801,
              "the server sent no identity or AUTH: it did not authenticate itself");
        return false;
    }
    if (!ikev2_cert_check(a->certs, a->cert_len, a->cert_count, r->o->ca_file, r->o->host, ci)) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 13801, "server certificate not acceptable: %s",
              ci->why);
        return false;
    }
    size_t cap = r->msg2_len + IKEV2_NONCE_LEN + IKEV2_MAX_KEY;
    uint8_t *oct = malloc(cap);
    size_t n = oct ? ikev2_signed_octets(r->suite.prf, r->keys.pr, r->keys.prf_len, r->msg2,
                                         r->msg2_len, r->ni, sizeof r->ni, a->idr, a->idr_len, oct)
                   : 0;
    char why[160] = "no memory";
    bool ok = n && ikev2_cert_verify_auth(a->certs[0], a->cert_len[0], a->auth_method, a->auth,
                                          a->auth_len, oct, n, why, sizeof why);
    free(oct);
    if (!ok) {
        ci->trusted = false;
        snprintf(ci->why, sizeof ci->why, "%s", why);
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 13801, "server not authenticated: %s", why);
        return false;
    }
    stage(r, IKEV2_STAGE_IPSEC, HS_OK, 0, "server authenticated by its certificate: %.120s",
          ci->subject);
    return true;
}

struct eap_state {
    uint8_t nt_response[24], peer_challenge[16], auth_challenge[16];
    bool have_response, success;
};

/* One EAP request: the answer to send (len 0: nothing more to send). */
static size_t eap_step(struct run *r, const struct eap_packet *p, struct eap_state *e, uint8_t *out,
                       size_t cap)
{
    const char *user = r->o->user;
    if (p->type == EAP_TYPE_IDENTITY)
        return eap_build_identity(out, cap, p->id, user);
    if (p->type != EAP_TYPE_MSCHAPV2)
        return eap_build_nak(out, cap, p->id);
    if (p->op == MSCHAPV2_OP_CHALLENGE) {
        memcpy(e->auth_challenge, p->challenge, 16);
        if (!plat_random(e->peer_challenge, 16) ||
            !mschapv2_nt_response(e->auth_challenge, e->peer_challenge, user, r->o->password,
                                  e->nt_response))
            return 0;
        e->have_response = true;
        return eap_build_mschapv2_response(out, cap, p->id, p->ms_id, e->peer_challenge,
                                           e->nt_response, user);
    }
    if (p->op == MSCHAPV2_OP_SUCCESS && e->have_response) {
        char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1];
        e->success =
            mschapv2_authenticator_response(r->o->password, e->nt_response, e->peer_challenge,
                                            e->auth_challenge, user, want) &&
            mschapv2_success_verifies(p->message, p->message_len, want);
        return e->success ? eap_build_mschapv2_ack(out, cap, p->id, MSCHAPV2_OP_SUCCESS) : 0;
    }
    return 0;
}

/* Wraps one payload as the only inner payload of a protected request. */
static bool send_one(struct run *r, unsigned type, const uint8_t *body, size_t n, struct sk_ctx *c)
{
    uint8_t inner[1024];
    if (n + 4 > sizeof inner)
        return false;
    inner[0] = 0, inner[1] = 0;
    be16_put(inner + 2, n + 4);
    memcpy(inner + 4, body, n);
    return protected_exchange(r, IKEV2_EX_IKE_AUTH, type, inner, n + 4, c);
}

/* The server's MSCHAPv2 Failure Request answered by a Failure Response, as
 * Windows does, so the server ends with EAP-Failure instead of timing out;
 * one round only: a retry with another password is never offered. */
static void eap_failure_round(struct run *r, const struct eap_packet *p, struct sk_ctx *c)
{
    struct mschapv2_failure f;
    mschapv2_parse_failure(p->message, p->message_len, &f);
    uint8_t body[8];
    size_t n = eap_build_mschapv2_ack(body, sizeof body, p->id, MSCHAPV2_OP_FAILURE);
    free(c->plain);
    c->plain = NULL;
    struct ikev2_auth_reply a;
    struct eap_packet end;
    struct l2f_err err = {{0}};
    const char *ended = "no answer to our Failure Response";
    uint64_t deadline = r->deadline, soon = plat_monotonic_ms() + FAILURE_END_MS;
    if (soon < r->deadline)
        r->deadline = soon;
    bool answered = n && send_one(r, IKEV2_PL_EAP, body, n, c);
    r->deadline = deadline;
    if (answered) {
        ended = "an answer to our Failure Response that is not EAP-Failure";
        if (ikev2_parse_auth(c->plain, c->plain_len, c->first, &a, &err) == L2F_OK && a.eap &&
            eap_parse(a.eap, a.eap_len, &end, &err) == L2F_OK && end.code == EAP_FAILURE)
            ended = "the server ended with EAP-Failure";
    }
    stage(r, IKEV2_STAGE_AUTH, HS_FAILED, f.error,
          "EAP-MSCHAPv2 failure E=%d M=%s: user name or password not accepted; %s", f.error,
          f.message[0] ? f.message : "(none)", ended);
}

/* EAP until Success; the final AUTH is the caller's. *c holds the last
 * answer's plaintext (the caller frees c->plain). */
static bool run_eap(struct run *r, struct ikev2_auth_reply *a, struct eap_state *e,
                    struct sk_ctx *c)
{
    for (int round = 0; round < MAX_EAP_ROUNDS; round++) {
        struct eap_packet p;
        struct l2f_err err = {{0}};
        if (!a->eap) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, a->error_notify ? 691 : 13801,
                  a->error_notify ? "the server ended EAP with %s" : "the server asked no EAP%s",
                  a->error_notify ? notify_name(a->error_notify) : "");
            return false;
        }
        if (eap_parse(a->eap, a->eap_len, &p, &err) != L2F_OK) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691, "%s", err.msg);
            return false;
        }
        if (p.code == EAP_SUCCESS) {
            if (!e->success)
                stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691,
                      "EAP Success without the server proving it knows the password");
            return e->success;
        }
        if (p.code == EAP_FAILURE) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691, "EAP Failure: the user was not accepted");
            return false;
        }
        if (p.type == EAP_TYPE_MSCHAPV2 && p.op == MSCHAPV2_OP_FAILURE) {
            eap_failure_round(r, &p, c);
            return false;
        }
        uint8_t body[512];
        size_t n = eap_step(r, &p, e, body, sizeof body);
        if (!n) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691, "%s",
                  p.op == MSCHAPV2_OP_SUCCESS
                      ? "the server's EAP-MSCHAPv2 success does not prove it knows the password"
                      : "an EAP request that could not be answered");
            return false;
        }
        free(c->plain);
        c->plain = NULL;
        bool sent = send_one(r, IKEV2_PL_EAP, body, n, c);
        plat_wipe(body, sizeof body);
        if (!sent) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 809, "no answer during EAP");
            return false;
        }
        if (ikev2_parse_auth(c->plain, c->plain_len, c->first, a, &err) != L2F_OK) {
            stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691, "%s", err.msg);
            return false;
        }
    }
    stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 691, "EAP went on for more than %d rounds",
          MAX_EAP_ROUNDS);
    return false;
}

/* The last IKE_AUTH: our AUTH from the MSK, the server's checked with it. */
static void final_auth(struct run *r, const struct eap_state *e, const uint8_t *idr, size_t idr_len)
{
    uint8_t msk[IKEV2_MSK_LEN], mine[IKEV2_MAX_KEY], theirs[IKEV2_MAX_KEY];
    size_t plen = r->keys.prf_len;
    size_t cap = r->msg1_len + 256 + IKEV2_MAX_KEY + r->msg2_len;
    uint8_t *oct = malloc(cap);
    struct sk_ctx c = {0};
    bool ok = oct && ikev2_mschapv2_msk(r->o->password, e->nt_response, msk);
    size_t n = ok ? ikev2_signed_octets(r->suite.prf, r->keys.pi, plen, r->msg1, r->msg1_len, r->nr,
                                        r->nr_len, r->idi, sizeof r->idi, oct)
                  : 0;
    ok = n && ikev2_psk_auth(r->suite.prf, msk, sizeof msk, oct, n, mine);
    uint8_t body[4 + IKEV2_MAX_KEY] = {2, 0, 0, 0}; /* Shared Key Message Integrity Code */
    memcpy(body + 4, mine, plen);
    if (!ok || !send_one(r, IKEV2_PL_AUTH, body, 4 + plen, &c)) {
        stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 809, "no answer to the final IKE_AUTH");
        goto out;
    }
    struct ikev2_auth_reply a;
    struct l2f_err err = {{0}};
    if (ikev2_parse_auth(c.plain, c.plain_len, c.first, &a, &err) != L2F_OK) {
        stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 13801, "%s", err.msg);
        goto out;
    }
    if (!a.auth) {
        stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 13801,
              "the server refused our AUTH made with the EAP key: %s",
              a.error_notify ? notify_name(a.error_notify) : "no AUTH in its answer");
        goto out;
    }
    n = ikev2_signed_octets(r->suite.prf, r->keys.pr, plen, r->msg2, r->msg2_len, r->ni,
                            sizeof r->ni, idr, idr_len, oct);
    if (!n || !ikev2_psk_auth(r->suite.prf, msk, sizeof msk, oct, n, theirs) ||
        a.auth_method != 2 || a.auth_len != plen || memcmp(theirs, a.auth, plen) != 0) {
        stage(r, IKEV2_STAGE_AUTH, HS_FAILED, 13801,
              "the server's final AUTH does not verify with the EAP key");
        goto out;
    }
    r->res->child_sa = a.child_sa;
    if (a.child_sa)
        snprintf(r->res->child_detail, sizeof r->res->child_detail, "installed");
    else
        snprintf(r->res->child_detail, sizeof r->res->child_detail,
                 "not installed by the server: %s",
                 a.error_notify ? notify_name(a.error_notify) : "no SA in its answer");
    stage(r, IKEV2_STAGE_AUTH, HS_OK, 0,
          "user accepted by EAP-MSCHAPv2; the server's AUTH verified; CHILD_SA %s",
          r->res->child_detail);
out:
    free(c.plain);
    free(oct);
    plat_wipe(msk, sizeof msk);
    plat_wipe(mine, sizeof mine);
}

/* Deletes the IKE SA (RFC 7296 3.11), once, without waiting. */
static void send_delete(struct run *r)
{
    uint8_t msg[256], iv[16], inner[8] = {0, 0, 0, 8, 1, 0, 0, 0};
    ikev2_header(msg, r->spi_i, r->spi_r, IKEV2_PL_SK, IKEV2_EX_INFORMATIONAL, IKEV2_FLAG_INITIATOR,
                 r->mid++);
    if (!plat_random(iv, sizeof iv))
        return;
    size_t n = ikev2_sk_seal(&r->suite, &r->keys, msg, sizeof msg, IKEV2_PL_DELETE, inner,
                             sizeof inner, iv);
    if (n)
        send_packet(r, msg, n);
}

static void exchange(struct run *r)
{
    if (!run_init(r)) {
        skip_after(r, IKEV2_STAGE_TUNNEL, "not reached: no IKE SA");
        return;
    }
    r->mid = 1; /* IKE_SA_INIT was 0 */
    uint8_t plain[1024], ca_sha1[20];
    struct ikev2_auth_request q = {0};
    memcpy(q.my_ip, r->my_ip, 4);
    if (r->o->ca_file && ikev2_ca_key_sha1(r->o->ca_file, ca_sha1))
        q.ca_key_sha1 = ca_sha1;
    if (!plat_random(q.esp_spi, 4)) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 809, "no randomness");
        return;
    }
    size_t idi_at = 0, idi_len = 0;
    size_t n = ikev2_build_auth1(plain, sizeof plain, &q, &idi_at, &idi_len);
    memcpy(r->idi, plain + idi_at, sizeof r->idi);
    struct sk_ctx c = {0};
    if (!n || !protected_exchange(r, IKEV2_EX_IKE_AUTH, IKEV2_PL_IDI, plain, n, &c)) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 809,
              "no answer to IKE_AUTH (the certificate chain may be lost in fragments)");
        skip_after(r, IKEV2_STAGE_IPSEC, "not reached");
        return;
    }
    struct ikev2_auth_reply a;
    struct l2f_err err = {{0}};
    if (ikev2_parse_auth(c.plain, c.plain_len, c.first, &a, &err) != L2F_OK) {
        stage(r, IKEV2_STAGE_IPSEC, HS_FAILED, 13801, "%s", err.msg);
        skip_after(r, IKEV2_STAGE_IPSEC, "not reached");
    } else if (!verify_server(r, &a)) {
        skip_after(r, IKEV2_STAGE_IPSEC,
                   "not tried: Windows sends no password to a server it cannot authenticate");
    } else {
        /* IDr is needed after EAP replaces the answer: keep a copy */
        uint8_t idr[256];
        size_t idr_len = a.idr_len < sizeof idr ? a.idr_len : sizeof idr;
        memcpy(idr, a.idr, idr_len);
        struct eap_state e = {0};
        struct sk_ctx ec = {0};
        if (run_eap(r, &a, &e, &ec))
            final_auth(r, &e, idr, idr_len);
        free(ec.plain);
        plat_wipe(&e, sizeof e);
    }
    free(c.plain);
    send_delete(r);
}

enum l2f_status ikev2_run(const struct ikev2_options *opts, struct ikev2_result *out,
                          struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    if (!ikec_available()) {
        l2f_err_set(err, "this build has no crypto library: IKEv2 cannot be tried");
        return L2F_ERR_UNSUPPORTED;
    }
    struct run *r = calloc(1, sizeof *r);
    uint8_t *in = malloc(IN_MAX);
    if (!r || !in) {
        free(r);
        free(in);
        return L2F_ERR_NOMEM;
    }
    r->o = opts;
    r->res = out;
    r->in = in;
    r->sock.fd = -1;
    r->start = plat_monotonic_ms();
    r->deadline = r->start + opts->timeout_ms;
    struct net_addr addrs[4], local;
    size_t count = 0;
    enum l2f_status st = net_init();
    if (st == L2F_OK)
        st = net_resolve(opts->host, addrs, 4, &count, err);
    if (st == L2F_OK) {
        net_addr_set_port(&addrs[0], opts->port);
        r->peer = r->peer_natt = addrs[0];
        net_addr_set_port(&r->peer_natt, IKE_NATT_PORT);
        st = udp_open_toward(&r->sock, &addrs[0], &local, err);
    }
    if (st == L2F_OK && !(net_addr_ipv4(&local, r->my_ip, &r->my_port) &&
                          net_addr_ipv4(&r->peer, r->peer_ip, &r->peer_port))) {
        l2f_err_set(err, "%s: IKEv2 from here speaks IPv4 only for now", opts->host);
        st = L2F_ERR_UNSUPPORTED;
    }
    if (st == L2F_OK && !plat_random(r->spi_i, sizeof r->spi_i)) {
        l2f_err_set(err, "no randomness for the IKE SPI");
        st = L2F_ERR_BACKEND;
    }
    if (st == L2F_OK)
        exchange(r);
    udp_close(&r->sock);
    free(r->msg2);
    plat_wipe(r, sizeof *r);
    free(r);
    free(in);
    return st;
}

bool ikev2_ok(const struct ikev2_result *r)
{
    return r->stages[IKEV2_STAGE_IPSEC].outcome == HS_OK &&
           r->stages[IKEV2_STAGE_AUTH].outcome == HS_OK;
}

static void add_text(cJSON *o, const char *name, const char *v)
{
    if (v && v[0])
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

static cJSON *cert_json(const struct ikev2_cert_info *ci)
{
    if (!ci->present && !ci->why[0])
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    add_text(o, "subject", ci->subject);
    add_text(o, "issuer", ci->issuer);
    add_text(o, "names", ci->names);
    add_text(o, "ekus", ci->ekus);
    add_text(o, "not_before", ci->not_before);
    add_text(o, "not_after", ci->not_after);
    cJSON_AddBoolToObject(o, "trusted", ci->trusted);
    add_text(o, "why", ci->why);
    return o;
}

enum l2f_status ikev2_result_json(const char *host, const struct ikev2_result *r, char **out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", host);
    cJSON_AddStringToObject(o, "protocol", "ikev2");
    cJSON *stages = cJSON_CreateArray();
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++) {
        const struct hs_stage *s = &r->stages[i];
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "id", ikev2_stage_id((enum ikev2_stage)i));
        const char *outcome = hs_outcome_id(s->outcome);
        cJSON_AddStringToObject(st, "outcome", outcome ? outcome : "skipped");
        if (s->code)
            cJSON_AddNumberToObject(st, "code", s->code);
        else
            cJSON_AddNullToObject(st, "code");
        cJSON_AddStringToObject(st, "detail", s->detail);
        cJSON_AddNumberToObject(st, "ms", s->ms);
        cJSON_AddItemToArray(stages, st);
    }
    cJSON_AddItemToObject(o, "stages", stages);
    cJSON_AddItemToObject(o, "server_certificate", cert_json(&r->cert));
    add_text(o, "ike_proposal", r->suite);
    cJSON_AddBoolToObject(o, "nat", r->nat);
    cJSON_AddNumberToObject(o, "fragments", r->fragments);
    cJSON_AddBoolToObject(o, "child_sa", r->child_sa);
    add_text(o, "child_sa_detail", r->child_detail);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return L2F_ERR_NOMEM;
    size_t n = strlen(text);
    *out = malloc(n + 1);
    if (*out)
        memcpy(*out, text, n + 1);
    cJSON_free(text);
    return *out ? L2F_OK : L2F_ERR_NOMEM;
}

#define IKEV2_SEEN_FILE "ikev2.json"
#define IKEV2_SEEN_HOSTS 16        /* hosts remembered; the oldest go first */
#define IKEV2_SEEN_MAX (32 * 1024) /* a bigger file is not ours: ignored */

static cJSON *seen_read(const char *state_dir, char *path, size_t cap)
{
    char *text = NULL;
    struct l2f_err err;
    snprintf(path, cap, "%s/%s", state_dir, IKEV2_SEEN_FILE);
    if (plat_read_file_max(path, IKEV2_SEEN_MAX, &text, NULL, &err) != L2F_OK)
        return NULL;
    cJSON *arr = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

static bool seen_host(const cJSON *o, const char *host)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "host");
    return cJSON_IsString(h) && strcmp(h->valuestring, host) == 0;
}

/* A server's failure message may echo the user name: each copy becomes '*'. */
static void mask_user(char *s, const char *user)
{
    size_t n = user ? strlen(user) : 0;
    for (char *at = n ? strstr(s, user) : NULL; at; at = strstr(at + n, user))
        memset(at, '*', n);
}

static cJSON *seen_entry(const char *host, const char *user, const struct ikev2_result *r,
                         long long when)
{
    int stop = IKEV2_STAGE_COUNT - 1;
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++)
        if (r->stages[i].outcome != HS_OK) {
            stop = i;
            break;
        }
    bool ok = ikev2_ok(r);
    char reason[sizeof r->stages[0].detail];
    snprintf(reason, sizeof reason, "%s", ok ? "" : r->stages[stop].detail);
    mask_user(reason, user);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "host", host);
    cJSON_AddNumberToObject(e, "when", (double)when);
    cJSON_AddStringToObject(e, "outcome", ok ? "ok" : "failed");
    cJSON_AddStringToObject(e, "stage", ikev2_stage_id((enum ikev2_stage)stop));
    cJSON_AddNumberToObject(e, "code", ok ? 0 : r->stages[stop].code);
    cJSON_AddStringToObject(e, "reason", reason);
    cJSON_AddBoolToObject(e, "certificate_trusted", r->cert.present && r->cert.trusted);
    if (r->cert.trusted && r->cert.anchor_sha1[0] && r->cert.anchor_file[0]) {
        cJSON_AddStringToObject(e, "ca_thumbprint", r->cert.anchor_sha1);
        cJSON_AddStringToObject(e, "ca_subject", r->cert.anchor_subject);
        cJSON_AddStringToObject(e, "ca_file", r->cert.anchor_file);
    }
    return e;
}

void ikev2_remember(const char *state_dir, const char *host, const char *user,
                    const struct ikev2_result *r, long long when)
{
    char path[PLAT_PATH_MAX + 32];
    struct l2f_err err;
    if (!state_dir || !state_dir[0] || !host || !host[0] || strlen(host) > 255 ||
        plat_mkdir_p(state_dir, &err) != L2F_OK)
        return;
    cJSON *old = seen_read(state_dir, path, sizeof path), *keep = cJSON_CreateArray(), *o;
    cJSON_ArrayForEach(o, old)
    {
        if (!seen_host(o, host) && cJSON_IsObject(o) &&
            cJSON_GetArraySize(keep) < IKEV2_SEEN_HOSTS - 1)
            cJSON_AddItemToArray(keep, cJSON_Duplicate(o, true));
    }
    cJSON_Delete(old);
    cJSON_InsertItemInArray(keep, 0, seen_entry(host, user, r, when)); /* the newest first */
    char *text = cJSON_PrintUnformatted(keep);
    cJSON_Delete(keep);
    if (text && strlen(text) <= IKEV2_SEEN_MAX)
        plat_write_atomic(path, text, strlen(text), &err); /* best effort: lost, it is run again */
    cJSON_free(text);
}

static bool is_thumbprint(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!strchr("0123456789ABCDEF", s[n]))
            return false;
    return n == IKEV2_THUMB_SIZE - 1;
}

/* The CA a record trusted the server through; all three or none (an older record). */
static bool seen_parse_ca(const cJSON *o, struct ikev2_seen *out)
{
    const cJSON *thumb = cJSON_GetObjectItemCaseSensitive(o, "ca_thumbprint");
    const cJSON *subject = cJSON_GetObjectItemCaseSensitive(o, "ca_subject");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "ca_file");
    if (!thumb && !subject && !file)
        return true;
    if (!cJSON_IsString(thumb) || !cJSON_IsString(subject) || !cJSON_IsString(file) ||
        !is_thumbprint(thumb->valuestring) || !file->valuestring[0] ||
        strlen(file->valuestring) >= sizeof out->ca_file)
        return false;
    snprintf(out->ca_sha1, sizeof out->ca_sha1, "%s", thumb->valuestring);
    snprintf(out->ca_subject, sizeof out->ca_subject, "%s", subject->valuestring);
    snprintf(out->ca_file, sizeof out->ca_file, "%s", file->valuestring);
    return true;
}

static bool seen_parse(const cJSON *o, struct ikev2_seen *out)
{
    const cJSON *outcome = cJSON_GetObjectItemCaseSensitive(o, "outcome");
    const cJSON *stage = cJSON_GetObjectItemCaseSensitive(o, "stage");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
    const cJSON *trusted = cJSON_GetObjectItemCaseSensitive(o, "certificate_trusted");
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(o, "when");
    if (!cJSON_IsString(outcome) || !cJSON_IsString(stage) || !cJSON_IsNumber(code) ||
        !cJSON_IsString(reason) || !cJSON_IsBool(trusted) || !cJSON_IsNumber(when) ||
        when->valuedouble < 0 || when->valuedouble > 1e11)
        return false;
    out->ok = strcmp(outcome->valuestring, "ok") == 0;
    if (!out->ok && strcmp(outcome->valuestring, "failed") != 0)
        return false;
    out->stage = IKEV2_STAGE_COUNT;
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++)
        if (strcmp(stage->valuestring, stage_ids[i]) == 0)
            out->stage = (enum ikev2_stage)i;
    out->code = code->valueint;
    out->trusted = cJSON_IsTrue(trusted);
    out->when = (long long)when->valuedouble;
    snprintf(out->reason, sizeof out->reason, "%s", reason->valuestring);
    return out->stage != IKEV2_STAGE_COUNT && seen_parse_ca(o, out);
}

bool ikev2_recall(const char *state_dir, const char *host, struct ikev2_seen *out)
{
    char path[PLAT_PATH_MAX + 32];
    bool found = false;
    memset(out, 0, sizeof *out);
    if (!state_dir || !state_dir[0] || !host || !host[0])
        return false;
    cJSON *arr = seen_read(state_dir, path, sizeof path), *o;
    cJSON_ArrayForEach(o, arr)
    {
        if (seen_host(o, host)) {
            found = seen_parse(o, out);
            break;
        }
    }
    cJSON_Delete(arr);
    if (!found)
        memset(out, 0, sizeof *out);
    return found;
}
