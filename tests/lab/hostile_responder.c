/* A hostile L2TP/IPsec server for the lab (issue 21): an IKEv1 responder with
 * a pre-shared key (RFC 2409 Main and Quick Mode, NAT-T per RFC 3947 on 4500),
 * ESP in UDP (RFC 3948), then L2TP (RFC 2661) and PPP's LCP (RFC 1661), each
 * honest except for the one thing its mode gets wrong:
 *   unoffered-transform  MM2 chooses DES / MD5 / MODP 768 (group 1), never offered;
 *                        MM3 is not answered (ikecrypto has none of the three)
 *   long-nonce=N         Quick Mode message 2 carries an N-byte Nr, correctly hashed
 *   unoffered-esp        Quick Mode chooses IKE_ESP_DES with HMAC-MD5, never offered
 *   nak-lcp              every LCP Configure-Request gets a Nak asking for MRU 1500,
 *                        even a request that asks for exactly that; never an Ack
 *   flood-l2tp           its SCCRP is sent again and again (50 a second)
 * It runs in a lab namespace only, stops by itself (--max-seconds, --max-packets)
 * or on SIGTERM, and prints one summary line of what it received on exit.
 * Usage: hostile_responder MODE --address IPV4 --psk-file FILE
 *        [--max-seconds S] [--max-packets N] */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/bytes.h"
#include "net/esp.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikekeys.h"
#include "net/l2tp.h"
#include "net/netwriter.h"
#include "net/ppp.h"
#include "platform.h"

#define MAX_SAS 8
#define MAX_OFFERS 64
#define MAX_PL 16
#define OUR_NONCE_LEN 32
#define MAX_LONG_NONCE 1024
#define NAK_MRU 1500
#define OUR_TUNNEL 0x2a2a
#define OUR_SESSION 0x0101
#define FLOOD_INTERVAL_MS 20
#define FLOOD_COUNT 200
#define MAX_LOG_LINES 300

enum mode { UNOFFERED_TRANSFORM, LONG_NONCE, UNOFFERED_ESP, NAK_LCP, FLOOD_L2TP };
enum sa_stage { MM2_SENT, MM4_SENT, PHASE1_UP, QM2_SENT, PHASE2_UP };

struct offer {
    uint8_t number;
    struct ike_transform t;
};

/* One IKE SA, found by the initiator's cookie. */
struct ike_sa {
    bool used;
    enum sa_stage stage;
    uint8_t icky[8], rcky[8];
    struct sockaddr_in from;
    bool natt; /* the last message came to 4500 */
    struct ike_transform t;
    bool computable;
    uint8_t sai_b[2048];
    size_t sai_len;
    void *dh;
    uint8_t gxi[IKEC_MAX_DH], gxr[IKEC_MAX_DH], gxy[IKEC_MAX_DH];
    size_t dh_len;
    uint8_t ni[256], nr[OUR_NONCE_LEN];
    size_t ni_len;
    uint8_t skeyid[IKEC_MAX_HASH], skeyid_d[IKEC_MAX_HASH], skeyid_a[IKEC_MAX_HASH],
        skeyid_e[IKEC_MAX_HASH];
    uint8_t key[64];
    size_t hash_len, key_len, block;
    uint8_t iv[IKEC_MAX_BLOCK];      /* phase 1: the CBC chain so far */
    uint8_t p1_last[IKEC_MAX_BLOCK]; /* last cipher block of MM6: seeds Quick Mode's IV */
    /* Quick Mode */
    uint32_t qm_mid;
    uint8_t qm_ni[256], qm_nr[MAX_LONG_NONCE], qm_iv[IKEC_MAX_BLOCK], peer_spi[4], our_spi[4];
    size_t qm_ni_len, qm_nr_len;
    uint16_t esp_enc, esp_bits;
    /* the last message in and our answer: a resend gets the same answer */
    uint8_t last_in[IKE_MAX_PACKET], last_out[IKE_MAX_PACKET];
    size_t last_in_len, last_out_len;
};

struct counts {
    unsigned packets, ike, ikev2, mm1, mm3, mm5_ok, mm5_bad, qm1, qm1_bad, qm3_ok, qm3_bad,
        informational;
    unsigned esp_in, esp_bad, l2tp_control, l2tp_zlb, l2tp_data, sccrp_sent, lcp_conf_req, lcp_nak,
        lcp_other;
    uint64_t first_lcp_ms, last_lcp_ms;
};

struct l2tp_state {
    bool up;
    uint16_t peer_tunnel, peer_session, ns, nr;
    uint8_t sccrp[256];
    size_t sccrp_len;
    unsigned flood_left;
    uint64_t flood_next;
};

static struct {
    enum mode mode;
    size_t long_nonce;
    char psk[256];
    struct in_addr address;
    int sock[2]; /* 500, 4500 */
    struct ike_sa sas[MAX_SAS];
    size_t next_sa;
    struct esp_sa esp_in, esp_out;
    bool esp_up;
    struct sockaddr_in esp_peer;
    struct l2tp_state l2tp;
    struct counts n;
    uint64_t start;
    unsigned log_lines;
} g;

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
    (void)sig;
    stop_now = 1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void
note(const char *fmt, ...)
{
    if (g.log_lines++ >= MAX_LOG_LINES)
        return; /* a flooding client must not flood the log */
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hostile %6llu ms: ", (unsigned long long)(plat_monotonic_ms() - g.start));
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- writing packets ---- */

static void attr(struct net_writer *o, unsigned type, unsigned value)
{
    nw_u16(o, 0x8000 | type);
    nw_u16(o, value);
}

/* Starts a generic payload (next, reserved, length); returns where, for end_payload. */
static size_t begin_payload(struct net_writer *o, unsigned next)
{
    size_t at = o->pos;
    nw_u8(o, next);
    nw_u8(o, 0);
    nw_u16(o, 0);
    return at;
}

static void end_payload(struct net_writer *o, size_t at)
{
    nw_patch16(o, at + 2, o->pos - at);
}

static void payload(struct net_writer *o, unsigned next, const uint8_t *body, size_t len)
{
    size_t at = begin_payload(o, next);
    nw_bytes(o, body, len);
    end_payload(o, at);
}

static void ike_header(struct net_writer *o, const struct ike_sa *sa, unsigned next,
                       unsigned exchange, unsigned flags, uint32_t mid)
{
    nw_bytes(o, sa->icky, 8);
    nw_bytes(o, sa->rcky, 8);
    nw_u8(o, next);
    nw_u8(o, 0x10);
    nw_u8(o, exchange);
    nw_u8(o, flags);
    nw_u32(o, mid);
    nw_u32(o, 0); /* the length, set when sent */
}

/* ---- the sockets ---- */

static bool open_socket(int *fd, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = g.address};
    *fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "hostile: cannot bind UDP %s:%u: %s\n", inet_ntoa(g.address), port,
                strerror(errno));
        return false;
    }
    return true;
}

static void send_udp(bool natt, const struct sockaddr_in *to, const uint8_t *p, size_t len)
{
    if (sendto(g.sock[natt], p, len, 0, (const struct sockaddr *)to, sizeof *to) < 0)
        note("sendto failed: %s", strerror(errno));
}

/* Sends an IKE message built in o (its length field set here) to where the SA
 * last heard from, with the non-ESP marker on 4500; kept for resends. */
static void send_ike(struct ike_sa *sa, struct net_writer *o)
{
    uint8_t framed[4 + IKE_MAX_PACKET] = {0};
    if (o->failed || o->pos > IKE_MAX_PACKET) {
        note("an answer does not fit: not sent");
        return;
    }
    nw_patch32(o, 24, o->pos);
    memcpy(sa->last_out, o->buf, o->pos);
    sa->last_out_len = o->pos;
    size_t off = sa->natt ? IKE_NATT_MARKER_LEN : 0;
    memcpy(framed + off, o->buf, o->pos);
    send_udp(sa->natt, &sa->from, framed, o->pos + off);
}

/* A message that came again gets the same answer again. */
static void resend_ike(const struct ike_sa *sa)
{
    uint8_t framed[4 + IKE_MAX_PACKET] = {0};
    size_t off = sa->natt ? IKE_NATT_MARKER_LEN : 0;
    if (!sa->last_out_len)
        return;
    memcpy(framed + off, sa->last_out, sa->last_out_len);
    send_udp(sa->natt, &sa->from, framed, sa->last_out_len + off);
}

/* ---- phase-1 crypto ---- */

/* Encrypts plain (zero-padded to the block) after the 28-byte header in o;
 * iv is the chain's last block and becomes the last block sent. */
static void seal_into(struct ike_sa *sa, struct net_writer *o, const uint8_t *plain, size_t len,
                      uint8_t *iv)
{
    uint8_t padded[IKE_MAX_PACKET] = {0};
    size_t plen = (len + sa->block - 1) / sa->block * sa->block;
    if (plen > sizeof padded) {
        o->failed = true;
        return;
    }
    uint8_t *sealed = nw_reserve(o, plen);
    if (!sealed)
        return;
    memcpy(padded, plain, len);
    if (!ikec_cbc(sa->t.enc, sa->t.key_bits, sa->key, iv, padded, plen, sealed, true)) {
        o->failed = true;
        return;
    }
    memcpy(iv, sealed + plen - sa->block, sa->block);
}

/* Decrypts a protected message's body into dec; iv becomes its last cipher block. */
static bool unseal(struct ike_sa *sa, const uint8_t *in, size_t len, uint8_t *iv, uint8_t *dec,
                   size_t *dlen)
{
    size_t clen = len - IKE_HEADER_LEN;
    if (len <= IKE_HEADER_LEN || clen % sa->block || clen > IKE_MAX_PACKET)
        return false;
    if (!ikec_cbc(sa->t.enc, sa->t.key_bits, sa->key, iv, in + IKE_HEADER_LEN, clen, dec, false))
        return false;
    memcpy(iv, in + len - sa->block, sa->block);
    *dlen = clen;
    return true;
}

/* HASH_I (initiator) or HASH_R: prf(SKEYID, g^x1 | g^x2 | CKY-1 | CKY-2 | SAi_b | ID_b) */
static bool auth_hash(const struct ike_sa *sa, bool initiator, const uint8_t *id, size_t id_len,
                      uint8_t *out)
{
    uint8_t buf[2 * IKEC_MAX_DH + 16 + sizeof sa->sai_b + 64];
    struct net_writer o = {buf, sizeof buf, 0, false};
    if (id_len > 64)
        return false;
    nw_bytes(&o, initiator ? sa->gxi : sa->gxr, sa->dh_len);
    nw_bytes(&o, initiator ? sa->gxr : sa->gxi, sa->dh_len);
    nw_bytes(&o, initiator ? sa->icky : sa->rcky, 8);
    nw_bytes(&o, initiator ? sa->rcky : sa->icky, 8);
    nw_bytes(&o, sa->sai_b, sa->sai_len);
    nw_bytes(&o, id, id_len);
    return !o.failed && ikec_prf(sa->t.hash, sa->skeyid, sa->hash_len, buf, o.pos, out);
}

/* prf(SKEYID_a, [0 |] M-ID | prefix | rest): Quick Mode's HASH(1), (2) and (3). */
static bool qm_hash(const struct ike_sa *sa, bool zero, uint32_t mid, const uint8_t *prefix,
                    size_t prefix_len, const uint8_t *rest, size_t rest_len, uint8_t *out)
{
    uint8_t buf[1 + 4 + 256 + MAX_LONG_NONCE + IKE_MAX_PACKET];
    struct net_writer o = {buf, sizeof buf, 0, false};
    if (zero)
        nw_u8(&o, 0);
    nw_u32(&o, mid);
    nw_bytes(&o, prefix, prefix_len);
    nw_bytes(&o, rest, rest_len);
    return !o.failed && ikec_prf(sa->t.hash, sa->skeyid_a, sa->hash_len, buf, o.pos, out);
}

static bool natd(const struct ike_sa *sa, struct in_addr ip, uint16_t port, uint8_t *out)
{
    uint8_t buf[22];
    memcpy(buf, sa->icky, 8);
    memcpy(buf + 8, sa->rcky, 8);
    memcpy(buf + 16, &ip.s_addr, 4); /* already in network order */
    be16_put(buf + 20, port);
    return ikec_hash(sa->t.hash, buf, sizeof buf, out);
}

/* ---- Main Mode ---- */

/* The transforms of the first proposal of an SA payload body, with their numbers. */
static size_t parse_offer(const uint8_t *b, size_t len, struct offer *out)
{
    size_t count = 0;
    if (len < 8 + 8)
        return 0;
    const uint8_t *p = b + 8;
    size_t plen = be16_get(p + 2);
    if (plen < 8 || plen > len - 8 || 8u + p[6] > plen)
        return 0;
    const uint8_t *t = p + 8 + p[6], *end = p + plen;
    for (unsigned i = 0; i < p[7] && end - t >= 8 && count < MAX_OFFERS; i++) {
        size_t tlen = be16_get(t + 2);
        if (tlen < 8 || tlen > (size_t)(end - t))
            break;
        struct offer *o = &out[count++];
        memset(o, 0, sizeof *o);
        o->number = t[4];
        for (size_t a = 8; a + 4 <= tlen;) {
            unsigned type = be16_get(t + a), value = be16_get(t + a + 2);
            if (!(type & 0x8000)) {
                a += 4 + value; /* a long attribute: skipped */
                continue;
            }
            switch (type & 0x7fff) {
            case IKE_ATTR_ENC:
                o->t.enc = (uint16_t)value;
                break;
            case IKE_ATTR_KEY_LENGTH:
                o->t.key_bits = (uint16_t)value;
                break;
            case IKE_ATTR_HASH:
                o->t.hash = (uint16_t)value;
                break;
            case IKE_ATTR_AUTH:
                o->t.auth = (uint16_t)value;
                break;
            case IKE_ATTR_GROUP:
                o->t.group = (uint16_t)value;
                break;
            default:
                break;
            }
            a += 4;
        }
        t += tlen;
    }
    return count;
}

static bool computable(const struct ike_transform *t)
{
    return t->auth == IKE_AUTH_PSK && ikec_dh_len(t->group) && ikec_hash_len(t->hash) &&
           ikec_key_len(t->enc, t->key_bits) && ikec_block_len(t->enc);
}

/* The mode's choice among the offers: the first computable one, or the
 * transform nobody offered. false when there is nothing to choose. */
static bool choose_phase1(const struct offer *offers, size_t n, struct offer *chosen)
{
    if (g.mode == UNOFFERED_TRANSFORM) {
        chosen->number = 1;
        chosen->t =
            (struct ike_transform){IKE_ENC_DES, 0, IKE_HASH_MD5, IKE_AUTH_PSK, IKE_GROUP_MODP768};
        for (size_t i = 0; i < n; i++)
            if (memcmp(&offers[i].t, &chosen->t, sizeof chosen->t) == 0)
                note("the client offered DES/MD5/MODP 768 after all");
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (computable(&offers[i].t)) {
            *chosen = offers[i];
            return true;
        }
    return false;
}

static struct ike_sa *find_sa(const uint8_t *icky)
{
    for (size_t i = 0; i < MAX_SAS; i++)
        if (g.sas[i].used && memcmp(g.sas[i].icky, icky, 8) == 0)
            return &g.sas[i];
    return NULL;
}

/* A fresh SA in the next slot; the oldest is forgotten when all are taken. */
static struct ike_sa *new_sa(const uint8_t *icky)
{
    struct ike_sa *sa = &g.sas[g.next_sa];
    g.next_sa = (g.next_sa + 1) % MAX_SAS;
    ikec_dh_free(sa->dh);
    plat_wipe(sa, sizeof *sa);
    sa->used = true;
    memcpy(sa->icky, icky, 8);
    if (!plat_random(sa->rcky, 8))
        return NULL;
    sa->rcky[0] |= 1;
    return sa;
}

static void send_mm2(struct ike_sa *sa, const struct offer *c)
{
    static const uint8_t natt_vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                         0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
    uint8_t buf[IKE_MAX_PACKET];
    struct net_writer o = {buf, sizeof buf, 0, false};
    ike_header(&o, sa, IKE_PL_SA, IKE_EX_MAIN, 0, 0);
    size_t sap = begin_payload(&o, IKE_PL_VID);
    nw_u32(&o, 1); /* DOI IPsec */
    nw_u32(&o, 1); /* identity only */
    size_t prop = begin_payload(&o, 0);
    nw_u8(&o, 1);                /* proposal 1 */
    nw_u8(&o, IKE_PROTO_ISAKMP); /* no SPI */
    nw_u8(&o, 0);
    nw_u8(&o, 1); /* one transform */
    size_t tr = begin_payload(&o, 0);
    nw_u8(&o, c->number);
    nw_u8(&o, IKE_KEY_IKE);
    nw_u16(&o, 0);
    attr(&o, IKE_ATTR_ENC, c->t.enc);
    if (c->t.key_bits)
        attr(&o, IKE_ATTR_KEY_LENGTH, c->t.key_bits);
    attr(&o, IKE_ATTR_HASH, c->t.hash);
    attr(&o, IKE_ATTR_AUTH, c->t.auth);
    attr(&o, IKE_ATTR_GROUP, c->t.group);
    attr(&o, IKE_ATTR_LIFE_TYPE, IKE_LIFE_TYPE_SECONDS);
    attr(&o, IKE_ATTR_LIFE_DURATION, 28800);
    end_payload(&o, tr);
    end_payload(&o, prop);
    end_payload(&o, sap);
    payload(&o, 0, natt_vid, sizeof natt_vid);
    send_ike(sa, &o);
}

static void on_mm1(const uint8_t *in, size_t len, const struct sockaddr_in *from, bool natt)
{
    struct ike_payload pl[MAX_PL];
    size_t n;
    struct offer offers[MAX_OFFERS], chosen;
    g.n.mm1++;
    if (!ike_walk(in + IKE_HEADER_LEN, len - IKE_HEADER_LEN, in[16], pl, MAX_PL, &n)) {
        note("MM1: the payload chain runs out");
        return;
    }
    const struct ike_payload *sap = ike_find(pl, n, IKE_PL_SA);
    size_t count = sap ? parse_offer(sap->body, sap->len, offers) : 0;
    if (!count || sap->len > sizeof g.sas[0].sai_b) {
        note("MM1 without an SA we can read");
        return;
    }
    if (!choose_phase1(offers, count, &chosen)) {
        note("MM1: nothing offered that this responder can compute");
        return;
    }
    struct ike_sa *sa = new_sa(in);
    if (!sa) {
        note("no randomness");
        return;
    }
    sa->from = *from;
    sa->natt = natt;
    sa->t = chosen.t;
    sa->computable = computable(&chosen.t);
    memcpy(sa->sai_b, sap->body, sap->len);
    sa->sai_len = sap->len;
    memcpy(sa->last_in, in, len);
    sa->last_in_len = len;
    char name[64];
    ike_transform_name(&chosen.t, name, sizeof name);
    note("MM1 (%zu transforms offered%s): chose %s", count, natt ? ", on 4500" : "", name);
    send_mm2(sa, &chosen);
    sa->stage = MM2_SENT;
}

/* KE, nonce and the keys, from MM3's KE and nonce (RFC 2409 5). */
static bool derive_phase1(struct ike_sa *sa, const struct ike_payload *ke,
                          const struct ike_payload *nonce)
{
    sa->dh_len = ikec_dh_len(sa->t.group);
    sa->hash_len = ikec_hash_len(sa->t.hash);
    sa->key_len = ikec_key_len(sa->t.enc, sa->t.key_bits);
    sa->block = ikec_block_len(sa->t.enc);
    if (ke->len != sa->dh_len || nonce->len < 8 || nonce->len > sizeof sa->ni)
        return false;
    memcpy(sa->gxi, ke->body, ke->len);
    memcpy(sa->ni, nonce->body, nonce->len);
    sa->ni_len = nonce->len;
    return ikec_dh_keypair(sa->t.group, &sa->dh, sa->gxr) && plat_random(sa->nr, sizeof sa->nr) &&
           ikec_dh_shared(sa->t.group, sa->dh, sa->gxi, sa->gxy) &&
           ikek_skeyid_psk(sa->t.hash, (const uint8_t *)g.psk, strlen(g.psk), sa->ni, sa->ni_len,
                           sa->nr, sizeof sa->nr, sa->skeyid) &&
           ikek_skeyid_children(sa->t.hash, sa->skeyid, sa->gxy, ikec_dh_secret_len(sa->t.group),
                                sa->icky, sa->rcky, sa->skeyid_d, sa->skeyid_a, sa->skeyid_e) &&
           ikek_cipher_key(sa->t.hash, sa->skeyid_e, sa->key_len, sa->key) &&
           ikek_phase1_iv(sa->t.hash, sa->gxi, sa->dh_len, sa->gxr, sa->dh_len, sa->block, sa->iv);
}

static void on_mm3(struct ike_sa *sa, const uint8_t *in, size_t len)
{
    struct ike_payload pl[MAX_PL];
    size_t n;
    g.n.mm3++;
    if (!sa->computable) {
        note("MM3 for a transform this responder cannot compute either: not answered");
        return;
    }
    if (!ike_walk(in + IKE_HEADER_LEN, len - IKE_HEADER_LEN, in[16], pl, MAX_PL, &n)) {
        note("MM3: the payload chain runs out");
        return;
    }
    const struct ike_payload *ke = ike_find(pl, n, IKE_PL_KE),
                             *nonce = ike_find(pl, n, IKE_PL_NONCE);
    if (!ke || !nonce || !derive_phase1(sa, ke, nonce)) {
        note("MM3 without a usable KE or nonce");
        return;
    }
    /* NAT-D: the client's address as we see it, then ours (RFC 3947 3.2) */
    uint8_t d_client[IKEC_MAX_HASH], d_us[IKEC_MAX_HASH];
    if (!natd(sa, sa->from.sin_addr, ntohs(sa->from.sin_port), d_client) ||
        !natd(sa, g.address, sa->natt ? IKE_NATT_PORT : IKE_PORT, d_us)) {
        note("hash failed");
        return;
    }
    uint8_t buf[IKE_MAX_PACKET];
    struct net_writer o = {buf, sizeof buf, 0, false};
    ike_header(&o, sa, IKE_PL_KE, IKE_EX_MAIN, 0, 0);
    payload(&o, IKE_PL_NONCE, sa->gxr, sa->dh_len);
    payload(&o, IKE_PL_NATD, sa->nr, sizeof sa->nr);
    payload(&o, IKE_PL_NATD, d_client, sa->hash_len);
    payload(&o, 0, d_us, sa->hash_len);
    send_ike(sa, &o);
    sa->stage = MM4_SENT;
    note("MM3: KE and nonce taken, MM4 sent");
}

static void send_mm6(struct ike_sa *sa)
{
    uint8_t id[8] = {1, 17, IKE_PORT >> 8, IKE_PORT & 0xff}, hash_r[IKEC_MAX_HASH], plain[128],
            buf[IKE_MAX_PACKET];
    memcpy(id + 4, &g.address.s_addr, 4);
    if (!auth_hash(sa, false, id, sizeof id, hash_r)) {
        note("hash failed");
        return;
    }
    struct net_writer p = {plain, sizeof plain, 0, false}, o = {buf, sizeof buf, 0, false};
    payload(&p, IKE_PL_HASH, id, sizeof id);
    payload(&p, 0, hash_r, sa->hash_len);
    ike_header(&o, sa, IKE_PL_ID, IKE_EX_MAIN, IKE_FLAG_ENCRYPTED, 0);
    seal_into(sa, &o, plain, p.pos, sa->iv);
    memcpy(sa->p1_last, sa->iv, sa->block);
    send_ike(sa, &o);
}

static void on_mm5(struct ike_sa *sa, const uint8_t *in, size_t len)
{
    uint8_t dec[IKE_MAX_PACKET], want[IKEC_MAX_HASH];
    size_t dlen, n;
    struct ike_payload pl[MAX_PL];
    if (!unseal(sa, in, len, sa->iv, dec, &dlen) || !ike_walk(dec, dlen, in[16], pl, MAX_PL, &n)) {
        g.n.mm5_bad++;
        note("MM5 does not decrypt: the client's key differs");
        return;
    }
    const struct ike_payload *id = ike_find(pl, n, IKE_PL_ID), *hash = ike_find(pl, n, IKE_PL_HASH);
    if (!id || !hash || hash->len != sa->hash_len ||
        !auth_hash(sa, true, id->body, id->len, want) ||
        memcmp(want, hash->body, sa->hash_len) != 0) {
        g.n.mm5_bad++;
        note("MM5: HASH_I does not verify");
        return;
    }
    g.n.mm5_ok++;
    send_mm6(sa);
    sa->stage = PHASE1_UP;
    note("MM5: HASH_I verified, MM6 sent: phase 1 up");
}

/* ---- Quick Mode ---- */

static void attr_list(struct net_writer *o, unsigned encap, unsigned auth, unsigned key_bits)
{
    attr(o, IKE_QM_ATTR_LIFE_TYPE, IKE_QM_LIFE_TYPE_SECONDS);
    attr(o, IKE_QM_ATTR_LIFE_DURATION, 3600);
    attr(o, IKE_QM_ATTR_ENCAPSULATION, encap);
    attr(o, IKE_QM_ATTR_AUTH, auth);
    if (key_bits)
        attr(o, IKE_QM_ATTR_KEY_LENGTH, key_bits);
}

struct esp_choice {
    uint8_t proposal, number, id;
    unsigned encap, auth, key_bits;
};

/* The client's ESP proposal: its SPI, and the mode's choice among its transforms. */
static bool choose_esp(struct ike_sa *sa, const uint8_t *b, size_t len, struct esp_choice *c)
{
    if (len < 8 + 8 + 4 + 8)
        return false;
    const uint8_t *p = b + 8, *end;
    size_t plen = be16_get(p + 2);
    if (plen > len - 8 || p[5] != IKE_PROTO_ESP || p[6] != 4 || plen < 8 + 4 + 8)
        return false;
    memcpy(sa->peer_spi, p + 8, 4);
    c->proposal = p[4];
    end = p + plen;
    for (const uint8_t *t = p + 12; end - t >= 8;) {
        size_t tlen = be16_get(t + 2);
        if (tlen < 8 || tlen > (size_t)(end - t))
            return false;
        c->number = t[4];
        c->id = t[5];
        c->encap = c->auth = c->key_bits = 0;
        for (size_t a = 8; a + 4 <= tlen; a += 4) {
            unsigned type = be16_get(t + a) & 0x7fff, value = be16_get(t + a + 2);
            c->encap = type == IKE_QM_ATTR_ENCAPSULATION ? value : c->encap;
            c->auth = type == IKE_QM_ATTR_AUTH ? value : c->auth;
            c->key_bits = type == IKE_QM_ATTR_KEY_LENGTH ? value : c->key_bits;
        }
        if (g.mode ==
            UNOFFERED_ESP) { /* the offer's encapsulation, with a cipher and MAC never offered */
            c->id = IKE_ESP_DES;
            c->auth = IKE_QM_AUTH_HMAC_MD5;
            c->key_bits = 0;
            return true;
        }
        if ((c->id == IKE_ESP_AES || c->id == IKE_ESP_3DES) && c->auth == IKE_QM_AUTH_HMAC_SHA1)
            return true;
        t += tlen;
    }
    return false;
}

/* Quick Mode message 2: HASH(2), SA, Nr (long-nonce's length), IDci, IDcr. */
static void send_qm2(struct ike_sa *sa, const struct esp_choice *c, const struct ike_payload *idci,
                     const struct ike_payload *idcr, uint8_t *iv)
{
    uint8_t body[IKE_MAX_PACKET], buf[IKE_MAX_PACKET], hash[IKEC_MAX_HASH] = {0};
    struct net_writer b = {body, sizeof body, 0, false}, o = {buf, sizeof buf, 0, false};
    size_t hp = begin_payload(&b, IKE_PL_SA);
    nw_bytes(&b, hash, sa->hash_len); /* the place of HASH(2), filled below */
    end_payload(&b, hp);
    size_t rest = b.pos, sap = begin_payload(&b, IKE_PL_NONCE);
    nw_u32(&b, 1);
    nw_u32(&b, 1);
    size_t prop = begin_payload(&b, 0);
    nw_u8(&b, c->proposal);
    nw_u8(&b, IKE_PROTO_ESP);
    nw_u8(&b, 4);
    nw_u8(&b, 1);
    nw_bytes(&b, sa->our_spi, 4);
    size_t tr = begin_payload(&b, 0);
    nw_u8(&b, c->number);
    nw_u8(&b, c->id);
    nw_u16(&b, 0);
    attr_list(&b, c->encap, c->auth, c->key_bits);
    end_payload(&b, tr);
    end_payload(&b, prop);
    end_payload(&b, sap);
    payload(&b, idci ? IKE_PL_ID : 0, sa->qm_nr, sa->qm_nr_len);
    if (idci && idcr) {
        payload(&b, IKE_PL_ID, idci->body, idci->len);
        payload(&b, 0, idcr->body, idcr->len);
    }
    if (b.failed || !qm_hash(sa, false, sa->qm_mid, sa->qm_ni, sa->qm_ni_len, body + rest,
                             b.pos - rest, hash)) {
        note("Quick Mode message 2 does not fit");
        return;
    }
    memcpy(body + 4, hash, sa->hash_len);
    ike_header(&o, sa, IKE_PL_HASH, IKE_EX_QUICK, IKE_FLAG_ENCRYPTED, sa->qm_mid);
    seal_into(sa, &o, body, b.pos, iv);
    memcpy(sa->qm_iv, iv, sa->block);
    send_ike(sa, &o);
}

/* Decrypts a Quick Mode message and checks that HASH comes first; rest spans the payloads after it.
 */
static bool qm_open(struct ike_sa *sa, const uint8_t *in, size_t len, uint8_t *iv, uint8_t *dec,
                    struct ike_payload *pl, size_t *n)
{
    size_t dlen;
    return unseal(sa, in, len, iv, dec, &dlen) && ike_walk(dec, dlen, in[16], pl, MAX_PL, n) &&
           *n >= 1 && pl[0].type == IKE_PL_HASH && pl[0].len == sa->hash_len;
}

static void on_qm1(struct ike_sa *sa, const uint8_t *in, size_t len)
{
    uint8_t dec[IKE_MAX_PACKET], iv[IKEC_MAX_BLOCK], want[IKEC_MAX_HASH];
    struct ike_payload pl[MAX_PL];
    size_t n;
    uint32_t mid = be32_get(in + 20);
    g.n.qm1++;
    if (!ikek_message_iv(sa->t.hash, sa->p1_last, sa->block, mid, iv) ||
        !qm_open(sa, in, len, iv, dec, pl, &n) || n < 3) {
        g.n.qm1_bad++;
        note("Quick Mode message 1 does not decrypt");
        return;
    }
    const uint8_t *rest = pl[1].body - 4;
    size_t rest_len = (size_t)(pl[n - 1].body + pl[n - 1].len - rest);
    if (!qm_hash(sa, false, mid, NULL, 0, rest, rest_len, want) ||
        memcmp(want, pl[0].body, sa->hash_len) != 0) {
        g.n.qm1_bad++;
        note("Quick Mode message 1: HASH(1) does not verify");
        return;
    }
    const struct ike_payload *sap = ike_find(pl, n, IKE_PL_SA), *ni = ike_find(pl, n, IKE_PL_NONCE);
    const struct ike_payload *idci = NULL, *idcr = NULL;
    for (size_t i = 0; i < n; i++)
        if (pl[i].type == IKE_PL_ID && !idci)
            idci = &pl[i];
        else if (pl[i].type == IKE_PL_ID && !idcr)
            idcr = &pl[i];
    struct esp_choice c;
    if (!sap || !ni || ni->len > sizeof sa->qm_ni || !choose_esp(sa, sap->body, sap->len, &c)) {
        note("Quick Mode message 1 without an SA, a nonce, or an ESP transform to choose");
        return;
    }
    sa->qm_mid = mid;
    memcpy(sa->qm_ni, ni->body, ni->len);
    sa->qm_ni_len = ni->len;
    sa->qm_nr_len = g.mode == LONG_NONCE ? g.long_nonce : OUR_NONCE_LEN;
    if (!plat_random(sa->qm_nr, sa->qm_nr_len) || !plat_random(sa->our_spi, 4)) {
        note("no randomness");
        return;
    }
    sa->our_spi[0] |= 1; /* SPIs below 256 are reserved (RFC 4303 2.1) */
    sa->esp_enc = c.id == IKE_ESP_AES ? IKE_ENC_AES_CBC : IKE_ENC_3DES;
    sa->esp_bits = (uint16_t)c.key_bits;
    send_qm2(sa, &c, idci, idcr, iv);
    sa->stage = QM2_SENT;
    note("Quick Mode message 1: HASH(1) verified; message 2 sent with ESP transform %u, auth %u, a "
         "%zu-byte Nr",
         c.id, c.auth, sa->qm_nr_len);
}

/* KEYMAT per direction (RFC 2409 5.5), each from the SPI its receiver chose. */
static bool esp_keys(struct ike_sa *sa)
{
    uint8_t km[128];
    memset(&g.esp_in, 0, sizeof g.esp_in);
    memset(&g.esp_out, 0, sizeof g.esp_out);
    bool ok = esp_sa_setup(&g.esp_in, sa->esp_enc, sa->esp_bits, IKE_HASH_SHA1) &&
              esp_sa_setup(&g.esp_out, sa->esp_enc, sa->esp_bits, IKE_HASH_SHA1);
    memcpy(g.esp_in.spi, sa->our_spi, 4);
    memcpy(g.esp_out.spi, sa->peer_spi, 4);
    ok = ok && ikek_keymat(sa->t.hash, sa->skeyid_d, IKE_PROTO_ESP, sa->our_spi, sa->qm_ni,
                           sa->qm_ni_len, sa->qm_nr, sa->qm_nr_len, km, esp_keymat_len(&g.esp_in));
    if (ok)
        esp_sa_keys(&g.esp_in, km);
    ok = ok && ikek_keymat(sa->t.hash, sa->skeyid_d, IKE_PROTO_ESP, sa->peer_spi, sa->qm_ni,
                           sa->qm_ni_len, sa->qm_nr, sa->qm_nr_len, km, esp_keymat_len(&g.esp_out));
    if (ok)
        esp_sa_keys(&g.esp_out, km);
    plat_wipe(km, sizeof km);
    return ok;
}

static void on_qm3(struct ike_sa *sa, const uint8_t *in, size_t len)
{
    uint8_t dec[IKE_MAX_PACKET], want[IKEC_MAX_HASH], prefix[256 + MAX_LONG_NONCE];
    struct ike_payload pl[MAX_PL];
    size_t n;
    memcpy(prefix, sa->qm_ni, sa->qm_ni_len);
    memcpy(prefix + sa->qm_ni_len, sa->qm_nr, sa->qm_nr_len);
    if (!qm_open(sa, in, len, sa->qm_iv, dec, pl, &n) ||
        !qm_hash(sa, true, sa->qm_mid, prefix, sa->qm_ni_len + sa->qm_nr_len, NULL, 0, want) ||
        memcmp(want, pl[0].body, sa->hash_len) != 0) {
        g.n.qm3_bad++;
        note("Quick Mode message 3: HASH(3) does not verify");
        return;
    }
    g.n.qm3_ok++;
    if (g.mode == UNOFFERED_ESP) {
        note("Quick Mode message 3: HASH(3) verified, yet the client took an ESP transform "
             "it never offered");
        return;
    }
    if (!esp_keys(sa)) {
        note("KEYMAT failed");
        return;
    }
    sa->stage = PHASE2_UP;
    g.esp_up = true;
    g.esp_peer = sa->from;
    g.l2tp.up = false;
    note("Quick Mode message 3: HASH(3) verified; ESP up, SPIs %02x%02x%02x%02x in, "
         "%02x%02x%02x%02x out",
         sa->our_spi[0], sa->our_spi[1], sa->our_spi[2], sa->our_spi[3], sa->peer_spi[0],
         sa->peer_spi[1], sa->peer_spi[2], sa->peer_spi[3]);
}

/* ---- IKE dispatch ---- */

/* IKEv2 gets NO_PROPOSAL_CHOSEN: this server speaks IKEv1 only. */
static void answer_ikev2(const uint8_t *in, const struct sockaddr_in *from)
{
    uint8_t buf[IKE_HEADER_LEN + 8] = {0};
    g.n.ikev2++;
    memcpy(buf, in, 8);
    buf[16] = 41; /* Notify */
    buf[17] = 0x20;
    buf[18] = in[18];
    buf[19] = 0x20; /* response */
    be32_put(buf + 24, sizeof buf);
    be16_put(buf + IKE_HEADER_LEN + 2, 8);
    be16_put(buf + IKE_HEADER_LEN + 6, IKE_NOTIFY_NO_PROPOSAL_CHOSEN);
    send_udp(false, from, buf, sizeof buf);
}

static void on_ike(const uint8_t *in, size_t len, const struct sockaddr_in *from, bool natt)
{
    static const uint8_t zero[8] = {0};
    g.n.ike++;
    if (len < IKE_HEADER_LEN || len > IKE_MAX_PACKET || be32_get(in + 24) != len) {
        note("an IKE message whose length is wrong");
        return;
    }
    if (in[17] >> 4 == 2) {
        answer_ikev2(in, from);
        return;
    }
    struct ike_sa *sa = find_sa(in);
    if (sa && sa->last_in_len == len && memcmp(sa->last_in, in, len) == 0) {
        resend_ike(sa);
        return;
    }
    if (in[18] == IKE_EX_MAIN && memcmp(in + 8, zero, 8) == 0) {
        on_mm1(in, len, from, natt);
        return;
    }
    if (!sa || memcmp(in + 8, sa->rcky, 8) != 0) {
        note("IKE for an SA we do not know");
        return;
    }
    memcpy(sa->last_in, in, len);
    sa->last_in_len = len;
    sa->from = *from;
    sa->natt = natt;
    bool enc = in[19] & IKE_FLAG_ENCRYPTED;
    if (in[18] == IKE_EX_MAIN && sa->stage == MM2_SENT && !enc)
        on_mm3(sa, in, len);
    else if (in[18] == IKE_EX_MAIN && sa->stage == MM4_SENT && enc)
        on_mm5(sa, in, len);
    else if (in[18] == IKE_EX_QUICK && enc && sa->stage >= PHASE1_UP &&
             be32_get(in + 20) != sa->qm_mid)
        on_qm1(sa, in, len);
    else if (in[18] == IKE_EX_QUICK && enc && sa->stage == QM2_SENT)
        on_qm3(sa, in, len);
    else if (in[18] == IKE_EX_INFO) {
        g.n.informational++;
        note("an informational message (the client's Delete or notify)");
    } else
        note("IKE exchange %u out of turn", in[18]);
}

/* ---- L2TP and PPP inside ESP ---- */

static void send_l2tp(const uint8_t *p, size_t len)
{
    uint8_t udp[2048], iv[IKEC_MAX_BLOCK], out[2048 + 64];
    size_t n = esp_udp_wrap(L2TP_PORT, L2TP_PORT, p, len, udp, sizeof udp);
    if (!n || !plat_random(iv, g.esp_out.block))
        return;
    size_t total = esp_seal(&g.esp_out, ESP_NEXT_UDP, udp, n, iv, out, sizeof out);
    if (total)
        send_udp(true, &g.esp_peer, out, total);
}

/* A control message to the client's tunnel: numbered, unless it is a ZLB. */
static void send_control(uint8_t *buf, size_t len, bool zlb)
{
    if (!len) {
        note("an L2TP message does not fit");
        return;
    }
    be16_put(buf + 8, g.l2tp.ns);
    be16_put(buf + 10, g.l2tp.nr);
    if (!zlb)
        g.l2tp.ns++;
    send_l2tp(buf, len);
}

static void send_zlb(void)
{
    uint8_t buf[16];
    send_control(buf,
                 l2tp_finish(buf, l2tp_begin_control(buf, sizeof buf, L2TP_ZLB, g.l2tp.peer_tunnel,
                                                     0, 0, 0)),
                 true);
}

static void send_sccrp(const struct l2tp_control *c)
{
    uint8_t *buf = g.l2tp.sccrp;
    size_t cap = sizeof g.l2tp.sccrp;
    if (!l2tp_avp_u16(c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &g.l2tp.peer_tunnel)) {
        note("SCCRQ without an assigned tunnel id");
        return;
    }
    g.l2tp.ns = 0;
    g.l2tp.nr = 1;
    g.l2tp.up = true;
    size_t n = l2tp_begin_control(buf, cap, L2TP_SCCRP, g.l2tp.peer_tunnel, 0, 0, 0);
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
    n = l2tp_put_avp_u32(buf, n, cap, L2TP_AVP_FRAMING_CAPABILITIES, 3);
    n = l2tp_put_avp(buf, n, cap, L2TP_AVP_HOST_NAME, "hostile", 7);
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_ASSIGNED_TUNNEL_ID, OUR_TUNNEL);
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_RECEIVE_WINDOW, 4);
    g.l2tp.sccrp_len = l2tp_finish(buf, n);
    send_control(buf, g.l2tp.sccrp_len, false);
    g.n.sccrp_sent++;
    if (g.mode == FLOOD_L2TP) {
        g.l2tp.flood_left = FLOOD_COUNT;
        g.l2tp.flood_next = plat_monotonic_ms() + FLOOD_INTERVAL_MS;
    }
}

static void send_icrp(const struct l2tp_control *c)
{
    uint8_t buf[64];
    if (!l2tp_avp_u16(c, L2TP_AVP_ASSIGNED_SESSION_ID, &g.l2tp.peer_session)) {
        note("ICRQ without an assigned session id");
        return;
    }
    size_t n = l2tp_begin_control(buf, sizeof buf, L2TP_ICRP, g.l2tp.peer_tunnel,
                                  g.l2tp.peer_session, 0, 0);
    n = l2tp_put_avp_u16(buf, n, sizeof buf, L2TP_AVP_ASSIGNED_SESSION_ID, OUR_SESSION);
    send_control(buf, l2tp_finish(buf, n), false);
}

static void on_l2tp_control(const struct l2tp_header *h)
{
    struct l2tp_control c;
    if (!l2tp_parse_control(h->payload, h->payload_len, &c)) {
        note("an L2TP control message that does not parse");
        return;
    }
    if (c.type == L2TP_ZLB) {
        g.n.l2tp_zlb++;
        return;
    }
    g.n.l2tp_control++;
    note("L2TP %s in (Ns %u)", l2tp_message_name(c.type), h->ns);
    if (c.type == L2TP_SCCRQ && h->tunnel == 0) {
        if (!g.l2tp.up || h->ns == 0) {
            send_sccrp(&c);
            return;
        }
    }
    if (!g.l2tp.up)
        return;
    if (h->ns != g.l2tp.nr) {
        send_zlb(); /* a resend of what we have: acknowledged again */
        return;
    }
    g.l2tp.nr++;
    if (c.type == L2TP_ICRQ)
        send_icrp(&c);
    else
        send_zlb(); /* SCCCN, ICCN, HELLO, CDN, StopCCN: acknowledged */
    if (c.type == L2TP_STOPCCN)
        g.l2tp.up = false;
}

/* LCP: the Nak that never ends (nak-lcp); other modes only count. The Nak asks
 * for the same MRU whatever the request says (none, or that very MRU), as a
 * server that demands its own setting without reading the request: nothing
 * the client changes satisfies it, so only the client's Max-Failure ends it. */
static void on_lcp(const struct ppp_packet *p)
{
    if (p->code != PPP_CONF_REQ) {
        g.n.lcp_other++;
        return;
    }
    uint64_t now = plat_monotonic_ms() - g.start;
    if (g.n.lcp_conf_req++ == 0)
        g.n.first_lcp_ms = now;
    g.n.last_lcp_ms = now;
    if (g.mode != NAK_LCP)
        return;
    uint8_t opt[8], frame[32], msg[64], mru[2];
    be16_put(mru, NAK_MRU);
    size_t on = ppp_put_option(opt, 0, sizeof opt, LCP_OPT_MRU, mru, 2);
    size_t fn = ppp_build(frame, sizeof frame, PPP_LCP, PPP_CONF_NAK, p->id, opt, on);
    be16_put(msg, 0x0002); /* data message: no length, no sequence */
    be16_put(msg + 2, g.l2tp.peer_tunnel);
    be16_put(msg + 4, g.l2tp.peer_session);
    memcpy(msg + 6, frame, fn);
    send_l2tp(msg, 6 + fn);
    g.n.lcp_nak++;
}

static void on_l2tp(const uint8_t *p, size_t len)
{
    struct l2tp_header h;
    struct ppp_packet pp;
    if (!l2tp_parse_header(p, len, &h)) {
        note("not L2TP inside ESP");
        return;
    }
    if (h.control) {
        on_l2tp_control(&h);
        return;
    }
    g.n.l2tp_data++;
    if (h.tunnel == OUR_TUNNEL && h.session == OUR_SESSION &&
        ppp_parse(h.payload, h.payload_len, &pp) && pp.protocol == PPP_LCP)
        on_lcp(&pp);
}

static void on_esp(const uint8_t *pkt, size_t len)
{
    uint8_t plain[2048], next;
    size_t plen, payload_len;
    uint16_t sport, dport;
    const uint8_t *payload_p;
    if (!g.esp_up) {
        g.n.esp_bad++;
        return;
    }
    enum esp_open_result r = esp_open(&g.esp_in, pkt, len, plain, sizeof plain, &plen, &next);
    if (r != ESP_OPEN_OK || next != ESP_NEXT_UDP ||
        !esp_udp_unwrap(plain, plen, &sport, &dport, &payload_p, &payload_len) ||
        dport != L2TP_PORT) {
        g.n.esp_bad++;
        note("ESP dropped: %s", r == ESP_OPEN_OK ? "not L2TP" : esp_open_result_name(r));
        return;
    }
    g.n.esp_in++;
    on_l2tp(payload_p, payload_len);
}

/* ---- the loop ---- */

static void on_datagram(bool natt, uint8_t *buf, size_t len, const struct sockaddr_in *from)
{
    g.n.packets++;
    if (!natt) {
        on_ike(buf, len, from, false);
        return;
    }
    if (len == 1 && buf[0] == 0xff)
        return; /* NAT keepalive */
    if (len >= IKE_NATT_MARKER_LEN && be32_get(buf) == 0) {
        on_ike(buf + IKE_NATT_MARKER_LEN, len - IKE_NATT_MARKER_LEN, from, true);
        return;
    }
    on_esp(buf, len);
}

static void flood_tick(void)
{
    uint64_t now = plat_monotonic_ms();
    if (!g.l2tp.flood_left || now < g.l2tp.flood_next || !g.esp_up)
        return;
    g.l2tp.flood_left--;
    g.l2tp.flood_next = now + FLOOD_INTERVAL_MS;
    send_l2tp(g.l2tp.sccrp, g.l2tp.sccrp_len); /* the same SCCRP, Ns 0, again */
    g.n.sccrp_sent++;
}

static void serve(unsigned max_seconds, unsigned max_packets)
{
    uint64_t end = g.start + (uint64_t)max_seconds * 1000;
    struct pollfd fds[2] = {{.fd = g.sock[0], .events = POLLIN},
                            {.fd = g.sock[1], .events = POLLIN}};
    while (!stop_now && plat_monotonic_ms() < end && g.n.packets < max_packets) {
        if (poll(fds, 2, 10) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (!(fds[i].revents & POLLIN))
                continue;
            uint8_t buf[IKE_MAX_PACKET + 64];
            struct sockaddr_in from;
            socklen_t flen = sizeof from;
            ssize_t got = recvfrom(g.sock[i], buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
            if (got > 0 && from.sin_family == AF_INET)
                on_datagram(i == 1, buf, (size_t)got, &from);
        }
        flood_tick();
    }
    if (g.n.packets >= max_packets)
        note("stopped after %u packets (--max-packets)", max_packets);
}

static void summary(void)
{
    static const char *const names[] = {"unoffered-transform", "long-nonce", "unoffered-esp",
                                        "nak-lcp", "flood-l2tp"};
    const struct counts *n = &g.n;
    printf("hostile: mode=%s packets=%u ike=%u ikev2=%u mm1=%u mm3=%u mm5_ok=%u mm5_bad=%u qm1=%u "
           "qm1_bad=%u "
           "qm3_ok=%u qm3_bad=%u informational=%u esp_in=%u esp_bad=%u l2tp_control=%u l2tp_zlb=%u "
           "l2tp_data=%u "
           "sccrp_sent=%u lcp_conf_req=%u lcp_nak=%u lcp_other=%u lcp_span_ms=%llu\n",
           names[g.mode], n->packets, n->ike, n->ikev2, n->mm1, n->mm3, n->mm5_ok, n->mm5_bad,
           n->qm1, n->qm1_bad, n->qm3_ok, n->qm3_bad, n->informational, n->esp_in, n->esp_bad,
           n->l2tp_control, n->l2tp_zlb, n->l2tp_data, n->sccrp_sent, n->lcp_conf_req, n->lcp_nak,
           n->lcp_other,
           (unsigned long long)(n->lcp_conf_req ? n->last_lcp_ms - n->first_lcp_ms : 0));
    fflush(stdout);
}

/* ---- options ---- */

static bool parse_mode(const char *s)
{
    static const struct {
        const char *name;
        enum mode mode;
    } modes[] = {{"unoffered-transform", UNOFFERED_TRANSFORM},
                 {"unoffered-esp", UNOFFERED_ESP},
                 {"nak-lcp", NAK_LCP},
                 {"flood-l2tp", FLOOD_L2TP}};
    if (strncmp(s, "long-nonce=", 11) == 0) {
        char *end;
        long v = strtol(s + 11, &end, 10);
        if (*end || v < 1 || v > MAX_LONG_NONCE)
            return false;
        g.mode = LONG_NONCE;
        g.long_nonce = (size_t)v;
        return true;
    }
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(s, modes[i].name) == 0) {
            g.mode = modes[i].mode;
            return true;
        }
    return false;
}

static bool read_psk(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(g.psk, sizeof g.psk, f)) {
        fprintf(stderr, "hostile: cannot read the key from %s\n", path);
        if (f)
            fclose(f);
        return false;
    }
    fclose(f);
    g.psk[strcspn(g.psk, "\r\n")] = '\0';
    return g.psk[0] != '\0';
}

static long number(const char *s, long min, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *end || v < min || v > max ? -1 : v;
}

static int usage(void)
{
    fprintf(stderr, "usage: hostile_responder "
                    "unoffered-transform|long-nonce=N|unoffered-esp|nak-lcp|flood-l2tp "
                    "--address IPV4 --psk-file FILE [--max-seconds 1-300] [--max-packets N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long max_seconds = 30, max_packets = 200000;
    const char *psk_file = NULL;
    if (argc < 2 || !parse_mode(argv[1]))
        return usage();
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--address") == 0 && inet_pton(AF_INET, argv[i + 1], &g.address) == 1)
            continue;
        if (strcmp(argv[i], "--psk-file") == 0)
            psk_file = argv[i + 1];
        else if (strcmp(argv[i], "--max-seconds") == 0 &&
                 (max_seconds = number(argv[i + 1], 1, 300)) > 0)
            continue;
        else if (strcmp(argv[i], "--max-packets") == 0 &&
                 (max_packets = number(argv[i + 1], 1, 10000000)) > 0)
            continue;
        else
            return usage();
    }
    if (argc % 2 != 0 || !psk_file || !g.address.s_addr || !read_psk(psk_file))
        return usage();
    if (!ikec_available() || !open_socket(&g.sock[0], IKE_PORT) ||
        !open_socket(&g.sock[1], IKE_NATT_PORT))
        return 1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    g.start = plat_monotonic_ms();
    printf("hostile: listening on %s:500 and :4500\n", inet_ntoa(g.address));
    fflush(stdout);
    serve((unsigned)max_seconds, (unsigned)max_packets);
    summary();
    for (size_t i = 0; i < MAX_SAS; i++)
        ikec_dh_free(g.sas[i].dh);
    close(g.sock[0]);
    close(g.sock[1]);
    plat_wipe(&g, sizeof g);
    return 0;
}
