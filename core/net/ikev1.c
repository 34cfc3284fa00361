#include "ikev1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/bytes.h"
#include "net/esp.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikekeys.h"
#include "net/ikev1_internal.h"
#include "net/l2tp.h"
#include "net/udp.h"
#include "platform.h"

#define ANY_EXCHANGE 0 /* for exchange(): whatever comes back */
#define QM_LIFETIME 3600

#define NONCE_LEN IKEV1_NONCE_LEN
#define MAX_PAYLOADS 16
#define SPI_LEN 4
#define MM4_REPEATS_MEAN_REJECTED 2

/* The key check offers every combination it can compute: Windows' own
 * transforms first, in Windows' order, then the rest, so that a server which
 * Windows could not talk to (788) still gets its key tested. One proposal:
 * some servers ignore a transform they do not know instead of refusing. */
#define MAX_OFFER 32
static size_t build_offer(struct ike_transform *out)
{
    static const uint16_t groups[] = {IKE_GROUP_ECP384, IKE_GROUP_ECP256, IKE_GROUP_MODP2048,
                                      IKE_GROUP_MODP1024};
    static const uint16_t hashes[] = {IKE_HASH_SHA1, IKE_HASH_SHA256};
    static const struct {
        uint16_t enc, bits;
    } ciphers[] = {{IKE_ENC_AES_CBC, 256}, {IKE_ENC_AES_CBC, 128}, {IKE_ENC_3DES, 0}};
    size_t n = 0;
    for (size_t i = 0; i < ike_windows_offer_count && n < MAX_OFFER; i++)
        out[n++] = ike_windows_offer[i];
    for (size_t h = 0; h < 2; h++)
        for (size_t g = 0; g < 4; g++)
            for (size_t c = 0; c < 3; c++) {
                struct ike_transform t = {ciphers[c].enc, ciphers[c].bits, hashes[h], IKE_AUTH_PSK,
                                          groups[g]};
                bool seen = false;
                for (size_t k = 0; k < n; k++)
                    seen |= memcmp(&out[k], &t, sizeof t) == 0;
                if (!seen && n < MAX_OFFER)
                    out[n++] = t;
            }
    return n;
}

/* Quick Mode's ESP offer: AES-256, AES-128, 3DES, each with HMAC-SHA1. */
static const struct {
    uint8_t id;
    uint16_t key_bits, enc;
} esp_offer[] = {{IKE_ESP_AES, 256, IKE_ENC_AES_CBC},
                 {IKE_ESP_AES, 128, IKE_ENC_AES_CBC},
                 {IKE_ESP_3DES, 0, IKE_ENC_3DES}};

struct ikev1 {
    struct udp_sock sock; /* unconnected: the server answers from 500 or 4500 */
    struct net_addr peer, peer_natt;
    uint64_t start, deadline;
    const atomic_int *cancel; /* NULL, or set from another thread to end the session now */
    uint8_t local_ip[4], peer_ip[4];
    uint16_t local_port, peer_port;
    bool natt, claim_nat;
    /* phase 1 */
    uint8_t icky[8], rcky[8];
    struct ike_transform t;
    uint8_t sai_b[1536];
    size_t sai_len;
    void *dh;
    uint8_t gxi[IKEC_MAX_DH], gxr[IKEC_MAX_DH], gxy[IKEC_MAX_DH];
    uint8_t gxr_padded[IKEC_MAX_DH]; /* for the DH: a MODP value sent short, left-padded */
    size_t gxr_len;                  /* g^xr as it came: the hashes use it so */
    size_t dh_len, secret_len;
    uint8_t ni[NONCE_LEN], nr[IKE_NONCE_MAX];
    size_t nr_len;
    uint8_t skeyid[IKEC_MAX_HASH], skeyid_d[IKEC_MAX_HASH], skeyid_a[IKEC_MAX_HASH],
        skeyid_e[IKEC_MAX_HASH];
    size_t hash_len;
    uint8_t key[64];
    size_t key_len, block;
    uint8_t p1_last[IKEC_MAX_BLOCK]; /* last cipher block of MM6: seeds every later IV */
    bool phase1_up;
    /* phase 2 */
    struct esp_sa esp_in, esp_out;
    bool phase2_up;
    bool peer_deleted_ike, peer_deleted_esp; /* by an authenticated Delete */
    struct ikev1_counters counters;
    uint8_t pkt[IKE_MAX_PACKET];
};

/* Appends a generic payload: next, reserved, length, body; 0 when full. */
static size_t add_payload(uint8_t *buf, size_t pos, size_t cap, unsigned next, const uint8_t *body,
                          size_t len)
{
    if (!pos || pos + 4 + len > cap)
        return 0;
    buf[pos] = (uint8_t)next;
    buf[pos + 1] = 0;
    be16_put(buf + pos + 2, 4 + len);
    memcpy(buf + pos + 4, body, len);
    return pos + 4 + len;
}

static size_t header(struct ikev1 *s, uint8_t *buf, unsigned next, unsigned exchange,
                     unsigned flags, uint32_t msgid)
{
    memcpy(buf, s->icky, 8);
    memcpy(buf + 8, s->rcky, 8);
    buf[16] = (uint8_t)next;
    buf[17] = 0x10;
    buf[18] = (uint8_t)exchange;
    buf[19] = (uint8_t)flags;
    be32_put(buf + 20, msgid);
    be32_put(buf + 24, IKE_HEADER_LEN);
    return IKE_HEADER_LEN;
}

static uint64_t now_ms(void)
{
    return plat_monotonic_ms();
}

void ikev1_set_cancel(struct ikev1 *s, const atomic_int *cancel)
{
    s->cancel = cancel;
}

unsigned ikev1_time_left(const struct ikev1 *s)
{
    uint64_t now = now_ms();
    return now >= s->deadline ? 0 : (unsigned)(s->deadline - now);
}

/* ---- the socket: IKE with or without the marker, ESP, keepalives ---- */

static bool send_ike(struct ikev1 *s, const uint8_t *pkt, size_t len)
{
    uint8_t framed[IKE_NATT_MARKER_LEN + IKE_MAX_PACKET];
    size_t off = s->natt ? IKE_NATT_MARKER_LEN : 0;
    struct l2f_err err;
    if (len + off > sizeof framed)
        return false;
    memset(framed, 0, off);
    memcpy(framed + off, pkt, len);
    return udp_send_to(&s->sock, s->natt ? &s->peer_natt : &s->peer, framed, len + off, &err) ==
           L2F_OK;
}

#define CANCEL_SLICE_MS 50 /* how soon a cancel is seen while waiting */

enum datagram { DG_NONE, DG_IKE, DG_ESP, DG_UNREACHABLE, DG_ERROR };

/* One datagram from the server within wait_ms: IKE for our cookie (the
 * marker removed when it came from 4500) or ESP (only from 4500). A server
 * that has not floated yet answers from 500 even after we have. */
static enum datagram receive(struct ikev1 *s, uint8_t *in, size_t cap, size_t *got,
                             unsigned wait_ms)
{
    struct l2f_err err;
    uint64_t until = now_ms() + wait_ms;
    if (until > s->deadline)
        until = s->deadline;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= until)
            return DG_NONE;
        if (s->cancel && atomic_load(s->cancel)) {
            s->deadline = now; /* every loop of the session ends on its deadline */
            return DG_NONE;
        }
        struct udp_sock *sk = &s->sock;
        unsigned slice = until - now > CANCEL_SLICE_MS ? CANCEL_SLICE_MS : (unsigned)(until - now);
        if (udp_wait(&sk, 1, slice) <= 0)
            continue;
        struct net_addr from;
        enum l2f_status st = udp_recv_from(&s->sock, in, cap, got, &from, &err);
        if (st == L2F_ERR_NOT_FOUND)
            return DG_UNREACHABLE; /* an ICMP error for something we sent: the server may still talk
                                    */
        if (st != L2F_OK)
            return DG_ERROR;
        uint8_t ip[4];
        uint16_t port;
        if (*got == 0 || !net_addr_ipv4(&from, ip, &port) || memcmp(ip, s->peer_ip, 4) != 0 ||
            (port != s->peer_port && port != IKE_NATT_PORT))
            continue; /* not the server */
        if (port == IKE_NATT_PORT && port != s->peer_port) {
            if (*got == 1 && in[0] == 0xff)
                continue; /* NAT keepalive (RFC 3948 2.3) */
            if (*got >= IKE_NATT_MARKER_LEN && !(in[0] | in[1] | in[2] | in[3])) {
                *got -= IKE_NATT_MARKER_LEN;
                memmove(in, in + IKE_NATT_MARKER_LEN, *got);
            } else {
                return DG_ESP;
            }
        }
        if (*got >= IKE_HEADER_LEN && memcmp(in, s->icky, 8) == 0)
            return DG_IKE;
    }
}

/* ---- phase-1 protected messages ---- */

/* Encrypts body (zero-padded to the block) after a header already in s->pkt;
 * returns the length and leaves the last cipher block in last. */
static size_t seal(struct ikev1 *s, size_t hdr_len, const uint8_t *body, size_t len,
                   const uint8_t *iv, uint8_t *last)
{
    size_t padded = (len + s->block - 1) / s->block * s->block;
    uint8_t plain[1024];
    if (padded > sizeof plain || hdr_len + padded > sizeof s->pkt)
        return 0;
    memcpy(plain, body, len);
    memset(plain + len, 0, padded - len);
    bool ok = ikec_cbc(s->t.enc, s->t.key_bits, s->key, iv, plain, padded, s->pkt + hdr_len, true);
    plat_wipe(plain, padded);
    if (!ok)
        return 0;
    size_t total = hdr_len + padded;
    be32_put(s->pkt + 24, total);
    if (last)
        memcpy(last, s->pkt + total - s->block, s->block);
    return total;
}

/* Decrypts a received protected message into out; false when it is not whole blocks. */
static bool unseal(struct ikev1 *s, const uint8_t *in, size_t len, const uint8_t *iv, uint8_t *out,
                   size_t *out_len)
{
    if (len <= IKE_HEADER_LEN || len - IKE_HEADER_LEN > IKE_MAX_PACKET ||
        (len - IKE_HEADER_LEN) % s->block)
        return false;
    size_t clen = len - IKE_HEADER_LEN;
    *out_len = clen;
    return ikec_cbc(s->t.enc, s->t.key_bits, s->key, iv, in + IKE_HEADER_LEN, clen, out, false);
}

/* HASH(1) of an informational or Quick Mode message:
 * prf(SKEYID_a, M-ID [| prefix] | payloads after HASH). */
static bool hash_after(struct ikev1 *s, uint32_t mid, const uint8_t *prefix, size_t prefix_len,
                       const uint8_t *rest, size_t rest_len, uint8_t *out)
{
    uint8_t buf[4 + 512 + IKE_MAX_PACKET];
    if (prefix_len > 512 || rest_len > IKE_MAX_PACKET)
        return false;
    be32_put(buf, mid);
    if (prefix_len)
        memcpy(buf + 4, prefix, prefix_len);
    memcpy(buf + 4 + prefix_len, rest, rest_len);
    return ikec_prf(s->t.hash, s->skeyid_a, s->hash_len, buf, 4 + prefix_len + rest_len, out);
}

/* An informational exchange of its own carrying one payload (RFC 2408 4.8):
 * HASH(1) then the payload, under an IV from its fresh M-ID. */
static void send_informational(struct ikev1 *s, unsigned type, const uint8_t *body, size_t len)
{
    uint32_t mid;
    uint8_t iv[IKEC_MAX_BLOCK], hash[IKEC_MAX_HASH], pl[256], plain[512];
    if (len + 4 > sizeof pl || !plat_random(&mid, sizeof mid))
        return;
    mid |= 1; /* zero is phase 1's */
    pl[0] = 0;
    pl[1] = 0;
    be16_put(pl + 2, 4 + len);
    memcpy(pl + 4, body, len);
    if (!hash_after(s, mid, NULL, 0, pl, 4 + len, hash) ||
        !ikek_message_iv(s->t.hash, s->p1_last, s->block, mid, iv))
        return;
    /* HASH first, then the payload */
    plain[0] = (uint8_t)type;
    plain[1] = 0;
    be16_put(plain + 2, 4 + s->hash_len);
    memcpy(plain + 4, hash, s->hash_len);
    size_t n = 4 + s->hash_len;
    memcpy(plain + n, pl, 4 + len);
    n += 4 + len;
    size_t h = header(s, s->pkt, IKE_PL_HASH, IKE_EX_INFO, IKE_FLAG_ENCRYPTED, mid);
    size_t total = seal(s, h, plain, n, iv, NULL);
    if (total)
        send_ike(s, s->pkt, total);
}

/* Answers or notes what the server says outside an exchange we wait for:
 * dead peer detection gets its ACK, a Delete of our SAs ends the session. */
static void handle_informational(struct ikev1 *s, const uint8_t *in, size_t len)
{
    uint8_t dec[IKE_MAX_PACKET], iv[IKEC_MAX_BLOCK], want[IKEC_MAX_HASH];
    size_t dlen;
    struct ike_payload pl[MAX_PAYLOADS];
    size_t n = 0;
    if (!s->phase1_up || in[18] != IKE_EX_INFO || !(in[19] & IKE_FLAG_ENCRYPTED))
        return; /* an unauthenticated notice cannot be trusted to end anything */
    uint32_t mid = be32_get(in + 20);
    if (!ikek_message_iv(s->t.hash, s->p1_last, s->block, mid, iv) ||
        !unseal(s, in, len, iv, dec, &dlen) || !ike_walk(dec, dlen, in[16], pl, MAX_PAYLOADS, &n) ||
        n < 2 || pl[0].type != IKE_PL_HASH || pl[0].len != s->hash_len)
        return;
    const uint8_t *rest = pl[1].body - 4;
    size_t rest_len = (size_t)(pl[n - 1].body + pl[n - 1].len - rest);
    if (!hash_after(s, mid, NULL, 0, rest, rest_len, want) ||
        memcmp(want, pl[0].body, s->hash_len) != 0)
        return;
    for (size_t i = 1; i < n; i++) {
        const struct ike_payload *p = &pl[i];
        if (p->type == IKE_PL_NOTIFY && p->len >= 8 &&
            be16_get(p->body + 6) == IKE_NOTIFY_R_U_THERE) {
            uint8_t ack[64];
            size_t spi_len = p->body[5], total = p->len;
            if (total > sizeof ack || 8 + spi_len > total)
                continue;
            memcpy(ack, p->body, total);
            be16_put(ack + 6, IKE_NOTIFY_R_U_THERE_ACK);
            send_informational(s, IKE_PL_NOTIFY, ack, total);
        } else if (p->type == IKE_PL_DELETE && p->len >= 8) {
            unsigned proto = p->body[4], spi_len = p->body[5], count = be16_get(p->body + 6);
            for (unsigned k = 0; spi_len && k < count && 8 + (k + 1) * spi_len <= p->len; k++) {
                const uint8_t *spi = p->body + 8 + k * spi_len;
                /* either SPI of the pair: strongSwan names the one it sends with */
                if (proto == IKE_PROTO_ISAKMP && spi_len == 16 && memcmp(spi, s->icky, 8) == 0)
                    s->peer_deleted_ike = true;
                if (proto == IKE_PROTO_ESP && spi_len == SPI_LEN && s->phase2_up &&
                    (memcmp(spi, s->esp_out.spi, 4) == 0 || memcmp(spi, s->esp_in.spi, 4) == 0))
                    s->peer_deleted_esp = true;
            }
        }
    }
    plat_wipe(dec, sizeof dec);
}

/* Sends out (resending at 1 s, 2 s, 4 s ... while time remains) and waits
 * for the answer of this exchange and message id; other IKE messages are
 * handled on the way, ESP is dropped. */
static size_t exchange(struct ikev1 *s, const uint8_t *out, size_t out_len, unsigned want_exchange,
                       uint32_t want_mid, uint8_t *in, size_t cap)
{
    unsigned interval = 1000;
    uint64_t next = now_ms();
    uint8_t copy[IKE_MAX_PACKET];
    if (out_len > sizeof copy)
        return 0;
    memcpy(copy, out, out_len); /* s->pkt is reused for answers to DPD */
    for (;;) {
        uint64_t now = now_ms();
        if (now >= s->deadline)
            return 0;
        if (now >= next) {
            if (!send_ike(s, copy, out_len))
                return 0;
            next = now + interval;
            interval *= 2;
        }
        size_t got;
        enum datagram d = receive(s, in, cap, &got, (unsigned)(next - now));
        if (d == DG_ERROR)
            return 0;
        if (d != DG_IKE)
            continue;
        if (want_exchange == ANY_EXCHANGE ||
            (in[18] == want_exchange && be32_get(in + 20) == want_mid))
            return got;
        handle_informational(s, in, got);
    }
}

/* ---- Main Mode ---- */

static void verdict(struct ikev1_phase1 *r, enum psk_verdict v, const char *reason)
{
    r->verdict = v;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* HASH_I or HASH_R: prf(SKEYID, g^x1 | g^x2 | CKY-1 | CKY-2 | SAi_b | ID_b). */
static bool auth_hash(struct ikev1 *s, bool initiator, const uint8_t *id_b, size_t id_len,
                      uint8_t *out)
{
    uint8_t buf[IKEC_MAX_DH * 2 + 16 + sizeof s->sai_b + IKE_MAX_PACKET];
    size_t n = 0;
    if (s->sai_len > sizeof s->sai_b ||
        id_len > IKE_MAX_PACKET) /* an ID (an FQDN, a DN) fills what it takes */
        return false;
    memcpy(buf + n, initiator ? s->gxi : s->gxr, initiator ? s->dh_len : s->gxr_len);
    n += initiator ? s->dh_len : s->gxr_len;
    memcpy(buf + n, initiator ? s->gxr : s->gxi, initiator ? s->gxr_len : s->dh_len);
    n += initiator ? s->gxr_len : s->dh_len;
    memcpy(buf + n, initiator ? s->icky : s->rcky, 8);
    memcpy(buf + n + 8, initiator ? s->rcky : s->icky, 8);
    n += 16;
    memcpy(buf + n, s->sai_b, s->sai_len);
    n += s->sai_len;
    memcpy(buf + n, id_b, id_len);
    n += id_len;
    return ikec_prf(s->t.hash, s->skeyid, s->hash_len, buf, n, out);
}

/* NAT-D (RFC 3947): HASH(CKY-I | CKY-R | IP | port). */
static bool natd(struct ikev1 *s, const uint8_t ip[4], uint16_t port, uint8_t *out)
{
    uint8_t buf[22];
    memcpy(buf, s->icky, 8);
    memcpy(buf + 8, s->rcky, 8);
    memcpy(buf + 16, ip, 4);
    be16_put(buf + 20, port);
    return ikec_hash(s->t.hash, buf, sizeof buf, out);
}

static bool derive(struct ikev1 *s, const char *psk)
{
    s->hash_len = ikec_hash_len(s->t.hash);
    s->key_len = ikec_key_len(s->t.enc, s->t.key_bits);
    s->block = ikec_block_len(s->t.enc);
    return s->hash_len && s->key_len && s->block &&
           ikek_skeyid_psk(s->t.hash, (const uint8_t *)psk, strlen(psk), s->ni, NONCE_LEN, s->nr,
                           s->nr_len, s->skeyid) &&
           ikek_skeyid_children(s->t.hash, s->skeyid, s->gxy, s->secret_len, s->icky, s->rcky,
                                s->skeyid_d, s->skeyid_a, s->skeyid_e) &&
           ikek_cipher_key(s->t.hash, s->skeyid_e, s->key_len, s->key);
}

/* What Main Mode keeps from one message to the next. */
struct mm {
    uint8_t in[IKE_MAX_PACKET]; /* the last message received */
    size_t got;
    uint8_t mm2[IKE_MAX_PACKET], mm4[IKE_MAX_PACKET]; /* to recognise a resend of either */
    size_t mm2_len, mm4_len;
    uint8_t d_peer[IKEC_MAX_HASH], d_us[IKEC_MAX_HASH]; /* the NAT-D hashes of no NAT */
    uint8_t mm5[1024];
    size_t mm5_len;
    uint8_t iv6[IKEC_MAX_BLOCK]; /* message 6's IV: message 5's last cipher block */
};

static bool mm_fail(struct ikev1_phase1 *r, enum psk_verdict v, const char *reason)
{
    verdict(r, v, reason);
    return false;
}

/* Messages 1 and 2: our offer, the server's choice (one of ours), then our
 * key pair for its group and our nonce. */
static bool mm_messages12(struct ikev1 *s, struct mm *m, struct ikev1_phase1 *r)
{
    struct ike_transform offer[MAX_OFFER];
    struct ike_reply reply;
    struct l2f_err err;
    size_t offered = build_offer(offer);
    size_t len = ike_v1_build_mm1(s->pkt, sizeof s->pkt, s->icky, offer, offered, false);
    const uint8_t *sa = s->pkt + IKE_HEADER_LEN;
    s->sai_len = len ? be16_get(sa + 2) - 4 : 0;
    if (!len || s->sai_len > sizeof s->sai_b)
        return mm_fail(r, PSK_INCONCLUSIVE, "message 1 does not fit");
    memcpy(s->sai_b, sa + 4, s->sai_len);
    m->got = exchange(s, s->pkt, len, IKE_EX_MAIN, 0, m->in, sizeof m->in);
    if (!m->got)
        return mm_fail(r, PSK_INCONCLUSIVE, "no answer to message 1");
    if (ike_v1_parse_reply(m->in, m->got, s->icky, false, offer, offered, &reply, &err) != L2F_OK) {
        char why[sizeof r->reason];
        snprintf(why, sizeof why, "message 2 is malformed: %.100s", err.msg);
        return mm_fail(r, PSK_INCONCLUSIVE, why);
    }
    if (reply.kind != IKE_REPLY_ACCEPTED)
        return mm_fail(r, PSK_INCONCLUSIVE, "the server accepts none of the offered proposals");
    s->t = reply.chosen;
    memcpy(s->rcky, reply.responder_cookie, 8);
    /* kept to recognise it when it comes again: a server slow to answer our
     * first message 1 answers its resend too, after we have moved on */
    m->mm2_len = m->got;
    memcpy(m->mm2, m->in, m->got);
    ike_transform_name(&s->t, r->transform, sizeof r->transform);
    s->dh_len = ikec_dh_len(s->t.group);
    s->secret_len = ikec_dh_secret_len(s->t.group);
    if (!s->dh_len || !ikec_dh_keypair(s->t.group, &s->dh, s->gxi) ||
        !plat_random(s->ni, NONCE_LEN))
        return mm_fail(r, PSK_INCONCLUSIVE, "the chosen group cannot be computed here");
    return true;
}

/* Message 3 (KE, nonce, NAT-D for the server, then for us) until message 4 comes. */
static bool mm_message3(struct ikev1 *s, struct mm *m, struct ikev1_phase1 *r)
{
    uint8_t d_sent[IKEC_MAX_HASH], mm3[1024];
    size_t hl = ikec_hash_len(s->t.hash);
    static const uint8_t nowhere[4] = {192, 0, 2, 1}; /* TEST-NET-1: an address no client has */
    if (!natd(s, s->peer_ip, s->peer_port, m->d_peer) ||
        !natd(s, s->local_ip, s->local_port, m->d_us) ||
        !natd(s, s->claim_nat ? nowhere : s->local_ip, s->local_port, d_sent))
        return mm_fail(r, PSK_INCONCLUSIVE, "hash failed");
    size_t pos = header(s, s->pkt, IKE_PL_KE, IKE_EX_MAIN, 0, 0);
    pos = add_payload(s->pkt, pos, sizeof s->pkt, IKE_PL_NONCE, s->gxi, s->dh_len);
    pos = add_payload(s->pkt, pos, sizeof s->pkt, IKE_PL_NATD, s->ni, NONCE_LEN);
    pos = add_payload(s->pkt, pos, sizeof s->pkt, IKE_PL_NATD, m->d_peer, hl);
    pos = add_payload(s->pkt, pos, sizeof s->pkt, 0, d_sent, hl);
    if (!pos || pos > sizeof mm3)
        return mm_fail(r, PSK_INCONCLUSIVE, "message 3 too large");
    be32_put(s->pkt + 24, pos);
    memcpy(mm3, s->pkt, pos);
    do
        m->got = exchange(s, mm3, pos, IKE_EX_MAIN, 0, m->in, sizeof m->in);
    while (m->got == m->mm2_len && memcmp(m->in, m->mm2, m->got) == 0);
    if (!m->got || (m->in[19] & IKE_FLAG_ENCRYPTED) || memcmp(m->in + 8, s->rcky, 8) != 0)
        return mm_fail(r, PSK_INCONCLUSIVE,
                       m->got ? "unexpected message 4" : "no answer to message 3");
    return true;
}

/* NAT-D: the server's first hashes our address as it sees it, the second its
 * own. A difference means a NAT (SoftEther claims one on purpose): float to
 * 4500 as Windows does. */
static void mm_nat(struct ikev1 *s, const struct mm *m, const struct ike_payload *pl, size_t n,
                   struct ikev1_phase1 *r)
{
    size_t hl = ikec_hash_len(s->t.hash);
    bool float_now = s->claim_nat, seen_any = false, ours_differs = false, its_differs = false;
    for (size_t i = 0, seen = 0; i < n; i++)
        if (pl[i].type == IKE_PL_NATD) {
            bool differs =
                pl[i].len != hl || memcmp(pl[i].body, seen == 0 ? m->d_us : m->d_peer, hl) != 0;
            if (seen++ == 0)
                ours_differs = differs;
            else
                its_differs |= differs;
            seen_any = true;
        }
    if (seen_any) {
        r->behind_nat = ours_differs;
        r->server_behind_nat = its_differs;
        float_now |= ours_differs || its_differs;
    }
    if (float_now && s->peer_port != IKE_NATT_PORT) {
        s->natt = true;
        r->floated = true;
    }
}

/* Message 4: the server's KE and nonce, its NAT-D, then the keys. */
static bool mm_take4(struct ikev1 *s, struct mm *m, const char *psk, struct ikev1_phase1 *r)
{
    struct ike_payload pl[MAX_PAYLOADS];
    size_t n = 0;
    if (!ike_walk(m->in + IKE_HEADER_LEN, m->got - IKE_HEADER_LEN, m->in[16], pl, MAX_PAYLOADS, &n))
        n = 0;
    const struct ike_payload *ke = ike_find(pl, n, IKE_PL_KE),
                             *nonce = ike_find(pl, n, IKE_PL_NONCE);
    /* RFC 2409 wants g^xr padded to the modulus, but a MODP value whose top
     * byte is zero is sometimes sent a byte short: taken as sent for the
     * hashes, left-padded for the arithmetic. ECP points have one length. */
    bool modp = ikec_dh_secret_len(s->t.group) == s->dh_len;
    bool ke_ok = ke && (ke->len == s->dh_len || (modp && ke->len > 0 && ke->len < s->dh_len));
    if (!ke_ok || !nonce || nonce->len < IKE_NONCE_MIN || nonce->len > IKE_NONCE_MAX)
        return mm_fail(r, PSK_INCONCLUSIVE, "message 4 lacks a valid KE or nonce");
    memcpy(s->gxr, ke->body, ke->len);
    s->gxr_len = ke->len;
    memset(s->gxr_padded, 0, s->dh_len - ke->len);
    memcpy(s->gxr_padded + s->dh_len - ke->len, ke->body, ke->len);
    memcpy(s->nr, nonce->body, nonce->len);
    s->nr_len = nonce->len;
    m->mm4_len = m->got;
    memcpy(m->mm4, m->in, m->got);
    mm_nat(s, m, pl, n, r);
    if (!ikec_dh_shared(s->t.group, s->dh, s->gxr_padded, s->gxy) || !derive(s, psk))
        return mm_fail(r, PSK_INCONCLUSIVE,
                       "the server's public value is invalid, or key derivation failed");
    return true;
}

/* Message 5: ID_ii (IPv4, UDP, our port) and HASH_I, encrypted, into m->mm5. */
static bool mm_message5(struct ikev1 *s, struct mm *m, struct ikev1_phase1 *r)
{
    uint8_t id_b[8] = {1, 17, 0, 0};
    be16_put(id_b + 2, s->local_port);
    memcpy(id_b + 4, s->local_ip, 4);
    uint8_t hash_i[IKEC_MAX_HASH], plain[256], iv[IKEC_MAX_BLOCK];
    if (!auth_hash(s, true, id_b, sizeof id_b, hash_i) ||
        !ikek_phase1_iv(s->t.hash, s->gxi, s->dh_len, s->gxr, s->gxr_len, s->block, iv))
        return mm_fail(r, PSK_INCONCLUSIVE, "hash failed");
    plain[0] = IKE_PL_HASH;
    plain[1] = 0;
    be16_put(plain + 2, 4 + sizeof id_b);
    memcpy(plain + 4, id_b, sizeof id_b);
    size_t pn = add_payload(plain, 4 + sizeof id_b, sizeof plain, 0, hash_i, s->hash_len);
    size_t h = header(s, s->pkt, IKE_PL_ID, IKE_EX_MAIN, IKE_FLAG_ENCRYPTED, 0);
    size_t total = seal(s, h, plain, pn, iv, m->iv6); /* CBC chains on the last block sent */
    plat_wipe(plain, sizeof plain);
    if (!total || total > sizeof m->mm5)
        return mm_fail(r, PSK_INCONCLUSIVE, "encryption failed");
    memcpy(m->mm5, s->pkt, total);
    m->mm5_len = total;
    return true;
}

/* Sends message 5 until an encrypted answer comes. A wrong key shows as
 * silence, a plain notify, or message 4 again: once could be a lost packet;
 * twice, after our own resend, is the server's answer to a key it does not
 * share (SoftEther). */
static bool mm_await6(struct ikev1 *s, struct mm *m, struct ikev1_phase1 *r)
{
    for (unsigned repeats = 0;;) {
        m->got = exchange(s, m->mm5, m->mm5_len, ANY_EXCHANGE, 0, m->in, sizeof m->in);
        if (!m->got)
            return mm_fail(r, PSK_REJECTED,
                           repeats
                               ? "the server kept resending message 4 and never sent message 6: "
                                 "it could not read message 5, the answer to a wrong key"
                               : "no answer after message 5: the usual answer to a wrong key");
        if (m->in[19] & IKE_FLAG_ENCRYPTED)
            return true;
        if (m->in[18] == IKE_EX_INFO)
            return mm_fail(r, PSK_REJECTED, "the server answered with a plain notify or delete");
        if (m->got == m->mm4_len && memcmp(m->in, m->mm4, m->got) == 0 &&
            ++repeats < MM4_REPEATS_MEAN_REJECTED)
            continue;
        return mm_fail(r, PSK_REJECTED,
                       repeats ? "the server kept resending message 4 instead of message 6: it "
                                 "could not read message 5, the answer to a wrong key"
                               : "an unencrypted answer to message 5");
    }
}

/* Message 6: decrypted, ID_ir and HASH_R verified; or the server's refusal. */
static bool mm_check6(struct ikev1 *s, struct mm *m, struct ikev1_phase1 *r)
{
    uint8_t dec[IKE_MAX_PACKET], expect[IKEC_MAX_HASH];
    size_t clen, n = 0;
    struct ike_payload pl[MAX_PAYLOADS];
    if (!unseal(s, m->in, m->got, m->iv6, dec, &clen))
        return mm_fail(r, PSK_REJECTED, "message 6 does not decrypt");
    memcpy(s->p1_last, m->in + m->got - s->block, s->block);
    /* trailing padding: the walk stops at next payload 0 and ignores what follows */
    if (!ike_walk(dec, clen, m->in[16], pl, MAX_PAYLOADS, &n))
        n = 0;
    const struct ike_payload *id_r = ike_find(pl, n, IKE_PL_ID),
                             *hash_r = ike_find(pl, n, IKE_PL_HASH);
    const struct ike_payload *nt = ike_find(pl, n, IKE_PL_NOTIFY);
    char why[96] = "";
    bool ok = id_r && hash_r && hash_r->len == s->hash_len;
    if (m->in[18] == IKE_EX_INFO && nt)
        snprintf(why, sizeof why,
                 "the server refused our identity or policy (notify %u), not the key",
                 nt->len >= 8 ? be16_get(nt->body + 6) : 0);
    else if (ok && !auth_hash(s, false, id_r->body, id_r->len, expect))
        snprintf(why, sizeof why, "hash failed");
    ok = ok && !why[0] && memcmp(expect, hash_r->body, s->hash_len) == 0;
    plat_wipe(dec, sizeof dec);
    if (why[0])
        return mm_fail(r, PSK_INCONCLUSIVE, why);
    if (!ok)
        return mm_fail(r, PSK_REJECTED,
                       id_r && hash_r ? "HASH_R does not verify"
                                      : "message 6 does not decrypt under this key");
    return true;
}

void ikev1_main_mode(struct ikev1 *s, const char *psk, struct ikev1_phase1 *r)
{
    memset(r, 0, sizeof *r);
    r->behind_nat = -1;
    r->server_behind_nat = -1;
    uint64_t t0 = now_ms();
    struct mm *m = calloc(1, sizeof *m);
    if (!m) {
        verdict(r, PSK_INCONCLUSIVE, "out of memory");
        return;
    }
    bool up = mm_messages12(s, m, r) && mm_message3(s, m, r) && mm_take4(s, m, psk, r) &&
              mm_message5(s, m, r) && mm_await6(s, m, r) && mm_check6(s, m, r);
    plat_wipe(m, sizeof *m);
    free(m);
    if (!up)
        return;
    s->phase1_up = true;
    r->ms = (unsigned)(now_ms() - t0);
    verdict(r, PSK_ACCEPTED, "message 6 decrypted and HASH_R verified");
}

/* ---- Quick Mode ---- */

static void attr16(uint8_t *p, size_t *n, unsigned type, unsigned value)
{
    be16_put(p + *n, 0x8000 | type);
    be16_put(p + *n + 2, value);
    *n += 4;
}

/* The SA payload body: one ESP proposal holding every transform. */
static size_t qm_sa(struct ikev1 *s, uint8_t *out, size_t cap, unsigned encap)
{
    size_t n = 0;
    if (cap < 512)
        return 0;
    be32_put(out, 1);     /* DOI IPsec */
    be32_put(out + 4, 1); /* situation identity only */
    n = 8;
    size_t prop = n;
    out[n] = 0;
    out[n + 1] = 0;
    out[n + 4] = 1; /* proposal 1 */
    out[n + 5] = IKE_PROTO_ESP;
    out[n + 6] = SPI_LEN;
    out[n + 7] = (uint8_t)(sizeof esp_offer / sizeof esp_offer[0]);
    memcpy(out + n + 8, s->esp_in.spi, SPI_LEN);
    n += 8 + SPI_LEN;
    for (size_t i = 0; i < sizeof esp_offer / sizeof esp_offer[0]; i++) {
        size_t tr = n;
        out[n] = i + 1 < sizeof esp_offer / sizeof esp_offer[0] ? 3 : 0;
        out[n + 1] = 0;
        out[n + 4] = (uint8_t)(i + 1);
        out[n + 5] = esp_offer[i].id;
        out[n + 6] = out[n + 7] = 0;
        n += 8;
        attr16(out, &n, IKE_QM_ATTR_LIFE_TYPE, IKE_QM_LIFE_TYPE_SECONDS);
        attr16(out, &n, IKE_QM_ATTR_LIFE_DURATION, QM_LIFETIME);
        attr16(out, &n, IKE_QM_ATTR_ENCAPSULATION, encap);
        attr16(out, &n, IKE_QM_ATTR_AUTH, IKE_QM_AUTH_HMAC_SHA1);
        if (esp_offer[i].key_bits)
            attr16(out, &n, IKE_QM_ATTR_KEY_LENGTH, esp_offer[i].key_bits);
        be16_put(out + tr + 2, n - tr);
    }
    be16_put(out + prop + 2, n - prop);
    return n;
}

/* A Quick Mode transform's attributes as the server wrote them (RFC 2407 4.5). */
struct qm_attrs {
    unsigned long value[IKE_QM_ATTR_KEY_LENGTH + 1]; /* by attribute type */
    unsigned seen;                                   /* bit per type */
};

/* The attributes we offered with esp_offer[k]: qm_sa writes the same. */
static void qm_offered_attrs(size_t k, unsigned encap, struct qm_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->value[IKE_QM_ATTR_LIFE_TYPE] = IKE_QM_LIFE_TYPE_SECONDS;
    a->value[IKE_QM_ATTR_LIFE_DURATION] = QM_LIFETIME;
    a->value[IKE_QM_ATTR_ENCAPSULATION] = encap;
    a->value[IKE_QM_ATTR_AUTH] = IKE_QM_AUTH_HMAC_SHA1;
    a->seen = 1u << IKE_QM_ATTR_LIFE_TYPE | 1u << IKE_QM_ATTR_LIFE_DURATION |
              1u << IKE_QM_ATTR_ENCAPSULATION | 1u << IKE_QM_ATTR_AUTH;
    if (esp_offer[k].key_bits) {
        a->value[IKE_QM_ATTR_KEY_LENGTH] = esp_offer[k].key_bits;
        a->seen |= 1u << IKE_QM_ATTR_KEY_LENGTH;
    }
}

/* The attributes of a transform body (after its 4 header bytes) of len bytes:
 * TV, or TLV of 1 to 4 bytes (a long lifetime); false with why. */
static bool qm_parse_attrs(const uint8_t *t, size_t len, struct qm_attrs *a, const char **why)
{
    memset(a, 0, sizeof *a);
    for (size_t i = 4; i < len;) {
        if (len - i < 4)
            return (*why = "an attribute cut off"), false;
        unsigned type = be16_get(t + i) & 0x7fff;
        unsigned long value = be16_get(t + i + 2);
        size_t vlen = value;
        if (be16_get(t + i) & 0x8000) {
            i += 4;
        } else if (vlen == 0 || vlen > 4 || len - i - 4 < vlen) {
            return (*why = "a long attribute of a wrong length"), false;
        } else {
            value = 0;
            for (size_t b = 0; b < vlen; b++)
                value = value << 8 | t[i + 4 + b];
            i += 4 + vlen;
        }
        if (type < IKE_QM_ATTR_LIFE_TYPE || type > IKE_QM_ATTR_KEY_LENGTH || type == 3)
            return (*why = "an attribute we did not offer"), false;
        if (a->seen & 1u << type)
            return (*why = "an attribute twice"), false;
        a->seen |= 1u << type;
        a->value[type] = value;
    }
    return true;
}

static bool qm_same_attrs(const struct qm_attrs *a, const struct qm_attrs *b)
{
    bool same = a->seen == b->seen;
    for (unsigned type = 0; same && type <= IKE_QM_ATTR_KEY_LENGTH; type++)
        same = a->value[type] == b->value[type];
    return same;
}

/* "esp-des-md5 tunnel" for a transform we did not offer; len at least 96. */
static void qm_transform_name(unsigned esp_id, const struct qm_attrs *a, char *buf, size_t len)
{
    static const char *const encaps[] = {"encap0", "tunnel", "transport", "udp-tunnel",
                                         "udp-transport"};
    unsigned long encap = a->value[IKE_QM_ATTR_ENCAPSULATION], auth = a->value[IKE_QM_ATTR_AUTH];
    char cipher[16], bits[16] = "", integ[16], enc_mode[16], life[40] = "";
    const char *c = esp_id == IKE_ESP_AES    ? "aes"
                    : esp_id == IKE_ESP_3DES ? "3des"
                    : esp_id == IKE_ESP_DES  ? "des"
                                             : NULL;
    if (c)
        snprintf(cipher, sizeof cipher, "%s", c);
    else
        snprintf(cipher, sizeof cipher, "esp%u", esp_id & 0xff);
    if (a->seen & 1u << IKE_QM_ATTR_KEY_LENGTH)
        snprintf(bits, sizeof bits, "%lu", a->value[IKE_QM_ATTR_KEY_LENGTH] & 0xffffffffUL);
    if (auth == 1 || auth == IKE_QM_AUTH_HMAC_SHA1)
        snprintf(integ, sizeof integ, "%s", auth == 1 ? "md5" : "sha1");
    else
        snprintf(integ, sizeof integ, "auth%lu", auth & 0xffffffffUL);
    if (encap < sizeof encaps / sizeof encaps[0])
        snprintf(enc_mode, sizeof enc_mode, "%s", encaps[encap]);
    else
        snprintf(enc_mode, sizeof enc_mode, "encap%lu", encap & 0xffffffffUL);
    if (a->value[IKE_QM_ATTR_LIFE_TYPE] != IKE_QM_LIFE_TYPE_SECONDS ||
        a->value[IKE_QM_ATTR_LIFE_DURATION] != QM_LIFETIME)
        snprintf(
            life, sizeof life, " for %lu %s", a->value[IKE_QM_ATTR_LIFE_DURATION] & 0xffffffffUL,
            a->value[IKE_QM_ATTR_LIFE_TYPE] == IKE_QM_LIFE_TYPE_SECONDS ? "s"
                                                                        : "units of another kind");
    snprintf(buf, len, "esp-%.15s%.15s-%.15s %.15s%.39s", cipher, bits, integ, enc_mode, life);
}

/* The server's choice (RFC 2408 4.2): our one proposal, ESP, a 4-byte SPI, one
 * transform that is one of ours attribute for attribute; false with why. */
static bool qm_chosen(const uint8_t *b, size_t len, unsigned encap, uint8_t spi[SPI_LEN],
                      size_t *choice, char *why, size_t why_len)
{
    const char *what = NULL;
    const uint8_t *p = b + 8, *t = p + 8 + SPI_LEN;
    size_t plen = len >= 8 + 4 ? be16_get(p + 2) : 0, tlen = 0;
    if (len < 8 + 8 + SPI_LEN + 8 || plen > len - 8 || plen < 8 + SPI_LEN + 8 || p[0] != 0)
        what = "an SA that is not one proposal";
    else if (p[4] != 1 || p[5] != IKE_PROTO_ESP || p[6] != SPI_LEN || p[7] != 1)
        what = "a proposal we did not make";
    else if ((tlen = be16_get(t + 2)) < 8 || tlen > plen - 8 - SPI_LEN || t[0] != 0)
        what = "a transform that runs out of the proposal";
    else if (be32_get(p + 8) < 256)
        what = "an SPI that RFC 4303 reserves";
    struct qm_attrs got, want;
    if (!what && !qm_parse_attrs(t + 4, tlen - 4, &got, &what))
        what = what ? what : "bad attributes";
    if (what) {
        snprintf(why, why_len, "Quick Mode message 2 is malformed: %s", what);
        return false;
    }
    for (size_t k = 0; k < sizeof esp_offer / sizeof esp_offer[0]; k++) {
        qm_offered_attrs(k, encap, &want);
        if (esp_offer[k].id == t[5] && qm_same_attrs(&got, &want)) {
            memcpy(spi, p + 8, SPI_LEN);
            *choice = k;
            return true;
        }
    }
    char name[128];
    qm_transform_name(t[5], &got, name, sizeof name);
    snprintf(why, why_len, "the server chose a transform we did not offer: %.80s", name);
    return false;
}

static size_t phase2_fail(struct ikev1_phase2 *r, const char *why)
{
    r->up = false;
    snprintf(r->reason, sizeof r->reason, "%s", why);
    return 0;
}

/* Message 1: HASH(1), SA, Ni, IDci and IDcr (UDP 1701 both ways), NAT-OA
 * both when floated; sealed into s->pkt. Returns its length, 0 on failure. */
static size_t qm_message1(struct ikev1 *s, struct ikev1_qm *q, struct ikev1_phase2 *r)
{
    if (!plat_random(&q->mid, sizeof q->mid) || !plat_random(s->esp_in.spi, SPI_LEN) ||
        !plat_random(q->ni, NONCE_LEN))
        return phase2_fail(r, "no randomness");
    q->mid |= 1;
    s->esp_in.spi[0] |= 1; /* SPIs 1 to 255 are reserved (RFC 4303 2.1) */
    q->encap = s->natt ? IKE_QM_ENCAP_UDP_TRANSPORT : IKE_QM_ENCAP_TRANSPORT;
    uint8_t body[1024], sa[512], iv[IKEC_MAX_BLOCK];
    size_t sa_len = qm_sa(s, sa, sizeof sa, q->encap);
    uint8_t idci[8] = {1, 17, L2TP_PORT >> 8, L2TP_PORT & 0xff},
            idcr[8] = {1, 17, L2TP_PORT >> 8, L2TP_PORT & 0xff};
    uint8_t oai[8] = {1, 0, 0, 0}, oar[8] = {1, 0, 0, 0};
    memcpy(idci + 4, s->local_ip, 4);
    memcpy(idcr + 4, s->peer_ip, 4);
    memcpy(oai + 4, s->local_ip, 4);
    memcpy(oar + 4, s->peer_ip, 4);
    size_t hl = s->hash_len, n = 4 + hl;
    n = add_payload(body, n, sizeof body, IKE_PL_NONCE, sa, sa_len);
    n = add_payload(body, n, sizeof body, IKE_PL_ID, q->ni, NONCE_LEN);
    n = add_payload(body, n, sizeof body, IKE_PL_ID, idci, sizeof idci);
    n = add_payload(body, n, sizeof body, s->natt ? IKE_PL_NATOA : 0, idcr, sizeof idcr);
    if (s->natt) {
        n = add_payload(body, n, sizeof body, IKE_PL_NATOA, oai, sizeof oai);
        n = add_payload(body, n, sizeof body, 0, oar, sizeof oar);
    }
    if (!n || !sa_len)
        return phase2_fail(r, "Quick Mode message 1 does not fit");
    body[0] = IKE_PL_SA;
    body[1] = 0;
    be16_put(body + 2, 4 + hl);
    if (!hash_after(s, q->mid, NULL, 0, body + 4 + hl, n - 4 - hl, body + 4) ||
        !ikek_message_iv(s->t.hash, s->p1_last, s->block, q->mid, iv))
        return phase2_fail(r, "hash failed");
    size_t h = header(s, s->pkt, IKE_PL_HASH, IKE_EX_QUICK, IKE_FLAG_ENCRYPTED, q->mid);
    size_t total = seal(s, h, body, n, iv, q->reply_iv);
    return total ? total : phase2_fail(r, "encryption failed");
}

/* Message 2 decrypted, walked and its HASH(2) verified: prf(SKEYID_a, M-ID |
 * Ni_b | the payloads after HASH, padding excluded). */
static bool qm_open_reply(struct ikev1 *s, struct ikev1_qm *q, const uint8_t *in, size_t got,
                          uint8_t *dec, struct ike_payload *pl, size_t *count,
                          struct ikev1_phase2 *r)
{
    size_t dlen, hl = s->hash_len;
    if (got < IKE_HEADER_LEN || !(in[19] & IKE_FLAG_ENCRYPTED) ||
        !unseal(s, in, got, q->reply_iv, dec, &dlen))
        return phase2_fail(r, "Quick Mode message 2 does not decrypt");
    memcpy(q->next_iv, in + got - s->block, s->block);
    if (!ike_walk(dec, dlen, in[16], pl, MAX_PAYLOADS, count) || *count < 2 ||
        pl[0].type != IKE_PL_HASH || pl[0].len != hl)
        return phase2_fail(r, "Quick Mode message 2 is malformed");
    const uint8_t *rest = pl[1].body - 4;
    size_t rest_len = (size_t)(pl[*count - 1].body + pl[*count - 1].len - rest);
    uint8_t want[IKEC_MAX_HASH];
    if (!hash_after(s, q->mid, q->ni, NONCE_LEN, rest, rest_len, want) ||
        memcmp(want, pl[0].body, hl) != 0)
        return phase2_fail(r, "HASH(2) of Quick Mode message 2 does not verify");
    return true;
}

/* The server's SA and nonce out of an authentic message 2. */
static bool qm_take_choice(struct ikev1 *s, struct ikev1_qm *q, const struct ike_payload *pl,
                           size_t count, struct ikev1_phase2 *r)
{
    const struct ike_payload *csa = ike_find(pl, count, IKE_PL_SA),
                             *nr = ike_find(pl, count, IKE_PL_NONCE);
    const struct ike_payload *nt = ike_find(pl, count, IKE_PL_NOTIFY);
    char why[sizeof r->reason];
    if (!csa && nt) {
        snprintf(why, sizeof why, "the server refused Quick Mode (notify %u)",
                 nt->len >= 8 ? be16_get(nt->body + 6) : 0);
        return phase2_fail(r, why);
    }
    if (!csa || !nr)
        return phase2_fail(r, "Quick Mode message 2 lacks an SA or a nonce");
    if (nr->len < IKE_NONCE_MIN || nr->len > IKE_NONCE_MAX) {
        snprintf(why, sizeof why,
                 "Quick Mode message 2 is malformed: a nonce of %lu bytes (RFC 2409: %d to %d)",
                 (unsigned long)nr->len, IKE_NONCE_MIN, IKE_NONCE_MAX);
        return phase2_fail(r, why);
    }
    if (!qm_chosen(csa->body, csa->len, q->encap, s->esp_out.spi, &q->choice, why, sizeof why))
        return phase2_fail(r, why);
    memcpy(q->nr, nr->body, nr->len);
    q->nr_len = nr->len;
    return true;
}

/* Message 3: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b), sealed into s->pkt. */
static size_t qm_message3(struct ikev1 *s, const struct ikev1_qm *q, struct ikev1_phase2 *r)
{
    uint8_t prefix[1 + 4 + NONCE_LEN + IKE_NONCE_MAX], qm3[4 + IKEC_MAX_HASH];
    size_t hl = s->hash_len;
    prefix[0] = 0;
    be32_put(prefix + 1, q->mid);
    memcpy(prefix + 5, q->ni, NONCE_LEN);
    memcpy(prefix + 5 + NONCE_LEN, q->nr, q->nr_len);
    if (!ikec_prf(s->t.hash, s->skeyid_a, hl, prefix, 5 + NONCE_LEN + q->nr_len, qm3 + 4))
        return phase2_fail(r, "hash failed");
    qm3[0] = 0;
    qm3[1] = 0;
    be16_put(qm3 + 2, 4 + hl);
    size_t h = header(s, s->pkt, IKE_PL_HASH, IKE_EX_QUICK, IKE_FLAG_ENCRYPTED, q->mid);
    size_t total = seal(s, h, qm3, 4 + hl, q->next_iv, NULL);
    return total ? total : phase2_fail(r, "cannot seal Quick Mode message 3");
}

/* KEYMAT per direction: each from the SPI its receiver chose. */
static bool qm_keys(struct ikev1 *s, const struct ikev1_qm *q, struct ikev1_phase2 *r)
{
    const uint16_t enc = esp_offer[q->choice].enc, bits = esp_offer[q->choice].key_bits;
    uint8_t km[128];
    struct esp_sa *sas[2] = {&s->esp_in, &s->esp_out};
    bool ok = true;
    for (int i = 0; i < 2 && ok; i++) {
        ok = esp_sa_setup(sas[i], enc, bits, IKE_HASH_SHA1) &&
             ikek_keymat(s->t.hash, s->skeyid_d, IKE_PROTO_ESP, sas[i]->spi, q->ni, NONCE_LEN,
                         q->nr, q->nr_len, km, esp_keymat_len(sas[i]));
        if (ok)
            esp_sa_keys(sas[i], km);
    }
    plat_wipe(km, sizeof km);
    if (!ok)
        return phase2_fail(r, "KEYMAT derivation failed");
    char cipher[16] = "3des";
    if (enc == IKE_ENC_AES_CBC)
        snprintf(cipher, sizeof cipher, "aes%u", (unsigned)bits);
    snprintf(r->transform, sizeof r->transform, "esp-%s-sha1 %s", cipher,
             s->natt ? "udp-transport" : "transport");
    return true;
}

size_t ikev1_qm_reply(struct ikev1 *s, struct ikev1_qm *q, const uint8_t *in, size_t len,
                      struct ikev1_phase2 *r)
{
    uint8_t dec[IKE_MAX_PACKET];
    struct ike_payload pl[MAX_PAYLOADS];
    size_t count = 0, total = 0;
    if (qm_open_reply(s, q, in, len, dec, pl, &count, r) && qm_take_choice(s, q, pl, count, r))
        total = qm_message3(s, q, r);
    if (total && !qm_keys(s, q, r))
        total = 0;
    plat_wipe(dec, sizeof dec);
    return total;
}

/* Messages 1, 2 and 3 in turn; true once message 3 is sent. */
static bool qm_exchange(struct ikev1 *s, struct ikev1_qm *q, struct ikev1_phase2 *r)
{
    uint8_t in[IKE_MAX_PACKET];
    size_t len = qm_message1(s, q, r);
    if (!len)
        return false;
    size_t got = exchange(s, s->pkt, len, IKE_EX_QUICK, q->mid, in, sizeof in);
    if (!got)
        return phase2_fail(r, s->peer_deleted_ike
                                  ? "the server deleted the IKE SA instead of answering Quick Mode"
                                  : "no answer to Quick Mode");
    len = ikev1_qm_reply(s, q, in, got, r);
    if (!len)
        return false;
    if (!send_ike(s, s->pkt, len))
        return phase2_fail(r, "cannot send Quick Mode message 3");
    return true;
}

void ikev1_quick_mode(struct ikev1 *s, struct ikev1_phase2 *r)
{
    memset(r, 0, sizeof *r);
    if (!s->phase1_up) {
        phase2_fail(r, "Main Mode did not complete");
        return;
    }
    uint64_t t0 = now_ms();
    struct ikev1_qm q = {0};
    bool up = qm_exchange(s, &q, r);
    plat_wipe(&q, sizeof q);
    if (!up)
        return;
    s->phase2_up = true;
    r->ms = (unsigned)(now_ms() - t0);
    r->up = true;
    snprintf(r->reason, sizeof r->reason,
             "Quick Mode done, SPIs %02x%02x%02x%02x in, %02x%02x%02x%02x out", s->esp_in.spi[0],
             s->esp_in.spi[1], s->esp_in.spi[2], s->esp_in.spi[3], s->esp_out.spi[0],
             s->esp_out.spi[1], s->esp_out.spi[2], s->esp_out.spi[3]);
}

/* ---- for the unit tests and the fuzz harness (ikev1_internal.h) ---- */

struct ikev1 *ikev1_fixed_session(uint16_t enc, uint16_t key_bits, uint16_t hash, bool natt)
{
    struct ikev1 *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sock.fd = -1;
    s->start = now_ms();
    s->deadline = s->start + 60000;
    static const uint8_t local[4] = {192, 0, 2, 10}, peer[4] = {198, 51, 100, 1};
    memcpy(s->local_ip, local, 4);
    memcpy(s->peer_ip, peer, 4);
    s->local_port = 500;
    s->peer_port = 500;
    s->natt = natt;
    s->t = (struct ike_transform){enc, key_bits, hash, IKE_AUTH_PSK, IKE_GROUP_MODP2048};
    s->hash_len = ikec_hash_len(hash);
    s->key_len = ikec_key_len(enc, key_bits);
    s->block = ikec_block_len(enc);
    for (size_t i = 0; i < IKEC_MAX_HASH; i++) {
        s->skeyid_d[i] = (uint8_t)(0x10 + i);
        s->skeyid_a[i] = (uint8_t)(0x40 + i);
    }
    for (size_t i = 0; i < sizeof s->key; i++)
        s->key[i] = (uint8_t)(0x80 + i);
    memset(s->icky, 0x11, 8);
    memset(s->rcky, 0x22, 8);
    s->phase1_up = s->hash_len && s->key_len && s->block;
    if (!s->phase1_up) {
        free(s);
        return NULL;
    }
    return s;
}

void ikev1_qm_fixed(struct ikev1 *s, struct ikev1_qm *q)
{
    memset(q, 0, sizeof *q);
    q->mid = 0x01020305;
    memset(q->ni, 0x5a, sizeof q->ni);
    memset(q->reply_iv, 0x3c, sizeof q->reply_iv);
    q->encap = s->natt ? IKE_QM_ENCAP_UDP_TRANSPORT : IKE_QM_ENCAP_TRANSPORT;
    static const uint8_t spi[SPI_LEN] = {0xc1, 0xc2, 0xc3, 0xc4};
    memcpy(s->esp_in.spi, spi, SPI_LEN);
}

size_t ikev1_qm_seal_reply(struct ikev1 *s, const struct ikev1_qm *q, unsigned first,
                           const uint8_t *payloads, size_t len, uint8_t *out, size_t cap)
{
    uint8_t body[IKE_MAX_PACKET];
    size_t hl = s->hash_len;
    if (4 + hl + len > sizeof body)
        return 0;
    body[0] = (uint8_t)first;
    body[1] = 0;
    be16_put(body + 2, 4 + hl);
    memcpy(body + 4 + hl, payloads, len);
    if (!hash_after(s, q->mid, q->ni, NONCE_LEN, payloads, len, body + 4))
        return 0;
    size_t h = header(s, s->pkt, IKE_PL_HASH, IKE_EX_QUICK, IKE_FLAG_ENCRYPTED, q->mid);
    size_t total = seal(s, h, body, 4 + hl + len, q->reply_iv, NULL);
    if (!total || total > cap)
        return 0;
    memcpy(out, s->pkt, total);
    return total;
}

void ikev1_esp_sas(const struct ikev1 *s, struct esp_sa *in, struct esp_sa *out)
{
    *in = s->esp_in;
    *out = s->esp_out;
}

/* ---- ESP ---- */

enum l2f_status ikev1_esp_send(struct ikev1 *s, const uint8_t *payload, size_t len,
                               struct l2f_err *err)
{
    if (!s->phase2_up || s->peer_deleted_esp || s->peer_deleted_ike) {
        l2f_err_set(err, "IPsec is not up");
        return L2F_ERR_BACKEND;
    }
    if (!s->natt) {
        l2f_err_set(err, "plain ESP (IP protocol 50) cannot be sent from user space");
        return L2F_ERR_UNSUPPORTED;
    }
    uint8_t udp[2048], iv[IKEC_MAX_BLOCK], out[2048 + 64];
    size_t n = esp_udp_wrap(L2TP_PORT, L2TP_PORT, payload, len, udp, sizeof udp);
    if (!n || !plat_random(iv, s->esp_out.block)) {
        l2f_err_set(err, "an L2TP packet of %lu bytes does not fit", (unsigned long)len);
        return L2F_ERR_BACKEND;
    }
    size_t total = esp_seal(&s->esp_out, ESP_NEXT_UDP, udp, n, iv, out, sizeof out);
    plat_wipe(udp, n);
    if (!total) {
        l2f_err_set(err, "ESP sealing failed");
        return L2F_ERR_BACKEND;
    }
    enum l2f_status st = udp_send_to(&s->sock, &s->peer_natt, out, total, err);
    if (st == L2F_OK)
        s->counters.esp_sent++;
    return st;
}

int ikev1_esp_recv(struct ikev1 *s, uint8_t *buf, size_t cap, size_t *len, unsigned wait_ms)
{
    uint64_t until = now_ms() + wait_ms;
    uint8_t in[IKE_MAX_PACKET], plain[2048];
    for (;;) {
        if (s->peer_deleted_esp || s->peer_deleted_ike || !s->phase2_up)
            return -1;
        uint64_t now = now_ms();
        if (now >= until || now >= s->deadline)
            return 0;
        size_t got, plen;
        enum datagram d = receive(s, in, sizeof in, &got, (unsigned)(until - now));
        if (d == DG_NONE)
            return 0;
        if (d == DG_ERROR)
            return -1;
        if (d == DG_UNREACHABLE) {
            s->counters.unreachable++;
            continue;
        }
        if (d == DG_IKE) {
            handle_informational(s, in, got);
            continue;
        }
        uint8_t next;
        enum esp_open_result er = esp_open(&s->esp_in, in, got, plain, sizeof plain, &plen, &next);
        uint16_t sport, dport;
        const uint8_t *payload;
        size_t payload_len;
        if (er == ESP_OPEN_OK &&
            (next != ESP_NEXT_UDP ||
             !esp_udp_unwrap(plain, plen, &sport, &dport, &payload, &payload_len) ||
             dport != L2TP_PORT || payload_len > cap)) {
            s->counters.esp_dropped++;
            s->counters.last_drop = "not L2TP";
            continue;
        }
        if (er != ESP_OPEN_OK) {
            s->counters.esp_dropped++;
            s->counters.last_drop = esp_open_result_name(er);
            continue;
        }
        s->counters.esp_received++;
        memcpy(buf, payload, payload_len);
        *len = payload_len;
        plat_wipe(plain, sizeof plain);
        return 1;
    }
}

void ikev1_counters(const struct ikev1 *s, struct ikev1_counters *out)
{
    *out = s->counters;
}

bool ikev1_peer_deleted(const struct ikev1 *s)
{
    return s->peer_deleted_esp || s->peer_deleted_ike;
}

/* ---- session ---- */

enum l2f_status ikev1_open(struct ikev1 **out, const char *host, uint16_t port, unsigned timeout_ms,
                           struct l2f_err *err)
{
    *out = NULL;
    if (!ikec_available()) {
        l2f_err_set(err, "this build has no crypto library: the key check is not available");
        return L2F_ERR_UNSUPPORTED;
    }
    struct ikev1 *s = calloc(1, sizeof *s);
    if (!s)
        return L2F_ERR_NOMEM;
    s->sock.fd = -1;
    s->start = now_ms();
    s->deadline = s->start + timeout_ms;
    struct net_addr addrs[4], local;
    size_t count = 0;
    enum l2f_status st = net_init();
    if (st == L2F_OK)
        st = net_resolve(host, addrs, 4, &count, err);
    if (st == L2F_OK) {
        net_addr_set_port(&addrs[0], port);
        s->peer = s->peer_natt = addrs[0];
        net_addr_set_port(&s->peer_natt, IKE_NATT_PORT);
        st = udp_open_toward(&s->sock, &addrs[0], &local, err);
    }
    if (st == L2F_OK && !(net_addr_ipv4(&local, s->local_ip, &s->local_port) &&
                          net_addr_ipv4(&s->peer, s->peer_ip, &s->peer_port))) {
        l2f_err_set(err, "%s: the key check speaks IPv4 only for now", host);
        st = L2F_ERR_UNSUPPORTED;
    }
    if (st == L2F_OK && !plat_random(s->icky, sizeof s->icky)) {
        l2f_err_set(err, "no randomness for the IKE cookie");
        st = L2F_ERR_BACKEND;
    }
    if (st != L2F_OK) {
        ikev1_close(s);
        return st;
    }
    *out = s;
    return L2F_OK;
}

void ikev1_want_udp_encapsulation(struct ikev1 *s)
{
    s->claim_nat = true;
}

/* Delete payload body: DOI, protocol, SPI size, one SPI. */
static void send_delete(struct ikev1 *s, unsigned proto, const uint8_t *spi, size_t spi_len)
{
    uint8_t body[8 + 16];
    be32_put(body, 1);
    body[4] = (uint8_t)proto;
    body[5] = (uint8_t)spi_len;
    be16_put(body + 6, 1);
    memcpy(body + 8, spi, spi_len);
    send_informational(s, IKE_PL_DELETE, body, 8 + spi_len);
}

void ikev1_close(struct ikev1 *s)
{
    if (!s)
        return;
    if (s->phase1_up && !s->peer_deleted_ike) {
        /* leave nothing behind on the server: our inbound ESP SA, then the IKE SA */
        if (s->phase2_up && !s->peer_deleted_esp)
            send_delete(s, IKE_PROTO_ESP, s->esp_in.spi, SPI_LEN);
        uint8_t cookies[16];
        memcpy(cookies, s->icky, 8);
        memcpy(cookies + 8, s->rcky, 8);
        send_delete(s, IKE_PROTO_ISAKMP, cookies, sizeof cookies);
    }
    udp_close(&s->sock);
    ikec_dh_free(s->dh);
    plat_wipe(s, sizeof *s);
    free(s);
}
