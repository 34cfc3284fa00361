#include "pskcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/udp.h"
#include "platform.h"

/* ISAKMP payload types used here */
#define PL_SA 1
#define PL_KE 4
#define PL_ID 5
#define PL_HASH 8
#define PL_NONCE 10
#define PL_NOTIFY 11
#define PL_DELETE 12
#define PL_VID 13
#define PL_NATD 20
#define NONCE_LEN 32
#define MAX_PAYLOADS 16

/* Only the groups this code computes: Windows' MODP offers, in its order. */
static const struct ike_transform modp_offer[] = {
    {IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP2048},
    {IKE_ENC_3DES, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP2048},
    {IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
    {IKE_ENC_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
    {IKE_ENC_3DES, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
};

/* All the state of one exchange; wiped before it is freed. */
struct mm {
    struct udp_sock sock;
    uint64_t deadline;
    uint8_t icky[8], rcky[8];
    struct ike_transform t;
    uint8_t sai_b[512];
    size_t sai_len;
    void *dh;
    uint8_t gxi[IKEC_MAX_DH], gxr[IKEC_MAX_DH], gxy[IKEC_MAX_DH];
    size_t dh_len;
    uint8_t ni[NONCE_LEN], nr[256];
    size_t nr_len;
    uint8_t skeyid[IKEC_MAX_HASH], skeyid_d[IKEC_MAX_HASH], skeyid_a[IKEC_MAX_HASH], skeyid_e[IKEC_MAX_HASH];
    size_t hash_len;
    uint8_t key[64], iv[IKEC_MAX_BLOCK];
    size_t key_len, block;
    uint8_t local_ip[4], peer_ip[4];
    uint16_t local_port, peer_port;
    bool natt;            /* floated to UDP 4500: every message carries the marker */
    struct net_addr peer; /* to re-aim the socket at 4500 */
    uint8_t pkt[IKE_MAX_PACKET];
};

const char *psk_verdict_id(enum psk_verdict v)
{
    return v == PSK_ACCEPTED ? "accepted" : v == PSK_REJECTED ? "rejected" : "inconclusive";
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends a generic payload: next, reserved, length, body. */
static size_t add_payload(uint8_t *buf, size_t pos, size_t cap, unsigned next, const uint8_t *body, size_t len)
{
    if (pos + 4 + len > cap)
        return 0;
    buf[pos] = (uint8_t)next;
    buf[pos + 1] = 0;
    put16(buf + pos + 2, 4 + len);
    memcpy(buf + pos + 4, body, len);
    return pos + 4 + len;
}

static size_t header(struct mm *m, uint8_t *buf, unsigned next, unsigned exchange, unsigned flags, uint32_t msgid)
{
    memcpy(buf, m->icky, 8);
    memcpy(buf + 8, m->rcky, 8);
    buf[16] = (uint8_t)next;
    buf[17] = 0x10;
    buf[18] = (uint8_t)exchange;
    buf[19] = (uint8_t)flags;
    put32(buf + 20, msgid);
    put32(buf + 24, 0);
    return IKE_HEADER_LEN;
}

/* Waits for one datagram with our cookie, resending the last packet at 1 s
 * and 2 s. After the float to 4500, the non-ESP marker goes on every packet
 * sent and comes off every packet received. */
static size_t exchange(struct mm *m, const uint8_t *out, size_t out_len, uint8_t *in, size_t cap)
{
    struct l2f_err err;
    unsigned interval = 1000;
    uint64_t next = plat_monotonic_ms();
    uint8_t framed[IKE_NATT_MARKER_LEN + IKE_MAX_PACKET];
    size_t framed_len = 0;
    if (out) {
        size_t off = m->natt ? IKE_NATT_MARKER_LEN : 0;
        if (out_len + off > sizeof framed)
            return 0;
        memset(framed, 0, off);
        memcpy(framed + off, out, out_len);
        framed_len = out_len + off;
    }
    for (;;) {
        uint64_t now = plat_monotonic_ms();
        if (now >= m->deadline)
            return 0;
        if (out && now >= next) {
            if (udp_send(&m->sock, framed, framed_len, &err) != L2F_OK)
                return 0;
            next = now + interval;
            interval *= 2;
        }
        uint64_t wake = out && next < m->deadline ? next : m->deadline;
        struct udp_sock *s = &m->sock;
        if (udp_wait(&s, 1, (unsigned)(wake - now)) <= 0)
            continue;
        size_t got;
        if (udp_recv(&m->sock, in, cap, &got, &err) != L2F_OK)
            return 0;
        if (m->natt) {
            if (got < IKE_NATT_MARKER_LEN || in[0] | in[1] | in[2] | in[3])
                continue; /* ESP or a keepalive, not IKE */
            got -= IKE_NATT_MARKER_LEN;
            memmove(in, in + IKE_NATT_MARKER_LEN, got);
        }
        if (got >= IKE_HEADER_LEN && memcmp(in, m->icky, 8) == 0)
            return got;
    }
}

static bool prf2(struct mm *m, const uint8_t *key, size_t key_len, const uint8_t *a, size_t al, const uint8_t *b,
                 size_t bl, uint8_t *out)
{
    uint8_t buf[IKEC_MAX_DH * 2 + 1024];
    if (al + bl > sizeof buf)
        return false;
    memcpy(buf, a, al);
    memcpy(buf + al, b, bl);
    bool ok = ikec_prf(m->t.hash, key, key_len, buf, al + bl, out);
    plat_wipe(buf, al + bl);
    return ok;
}

/* RFC 2409 5 and appendix B: SKEYID and its three children, the cipher key
 * (expanded when longer than the prf output) and the first IV. */
static bool derive(struct mm *m, const char *psk)
{
    uint8_t buf[IKEC_MAX_DH + IKEC_MAX_HASH + 32];
    m->hash_len = ikec_hash_len(m->t.hash);
    m->key_len = ikec_key_len(m->t.enc, m->t.key_bits);
    m->block = ikec_block_len(m->t.enc);
    if (!m->hash_len || !m->key_len || !m->block)
        return false;
    if (!prf2(m, (const uint8_t *)psk, strlen(psk), m->ni, NONCE_LEN, m->nr, m->nr_len, m->skeyid))
        return false;
    uint8_t *prev[3] = {NULL, m->skeyid_d, m->skeyid_a};
    uint8_t *dest[3] = {m->skeyid_d, m->skeyid_a, m->skeyid_e};
    for (int i = 0; i < 3; i++) {
        size_t n = 0;
        if (prev[i]) {
            memcpy(buf, prev[i], m->hash_len);
            n = m->hash_len;
        }
        memcpy(buf + n, m->gxy, m->dh_len);
        n += m->dh_len;
        memcpy(buf + n, m->icky, 8);
        memcpy(buf + n + 8, m->rcky, 8);
        buf[n + 16] = (uint8_t)i;
        if (!ikec_prf(m->t.hash, m->skeyid, m->hash_len, buf, n + 17, dest[i]))
            return false;
    }
    plat_wipe(buf, sizeof buf);
    /* K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1), ... */
    uint8_t k[IKEC_MAX_HASH], zero = 0;
    size_t have = 0;
    if (m->key_len <= m->hash_len) {
        memcpy(m->key, m->skeyid_e, m->key_len);
    } else {
        if (!ikec_prf(m->t.hash, m->skeyid_e, m->hash_len, &zero, 1, k))
            return false;
        for (;;) {
            size_t take = m->key_len - have < m->hash_len ? m->key_len - have : m->hash_len;
            memcpy(m->key + have, k, take);
            have += take;
            if (have == m->key_len)
                break;
            uint8_t next[IKEC_MAX_HASH];
            if (!ikec_prf(m->t.hash, m->skeyid_e, m->hash_len, k, m->hash_len, next))
                return false;
            memcpy(k, next, m->hash_len);
        }
    }
    plat_wipe(k, sizeof k);
    uint8_t gg[IKEC_MAX_DH * 2], h[IKEC_MAX_HASH];
    memcpy(gg, m->gxi, m->dh_len);
    memcpy(gg + m->dh_len, m->gxr, m->dh_len);
    if (!ikec_hash(m->t.hash, gg, m->dh_len * 2, h))
        return false;
    memcpy(m->iv, h, m->block);
    return true;
}

/* HASH_I or HASH_R: prf(SKEYID, g^x1 | g^x2 | CKY-1 | CKY-2 | SAi_b | ID_b). */
static bool auth_hash(struct mm *m, bool initiator, const uint8_t *id_b, size_t id_len, uint8_t *out)
{
    uint8_t buf[IKEC_MAX_DH * 2 + 16 + 512 + 64];
    size_t n = 0;
    if (m->sai_len + id_len > 512 + 64)
        return false;
    memcpy(buf + n, initiator ? m->gxi : m->gxr, m->dh_len);
    n += m->dh_len;
    memcpy(buf + n, initiator ? m->gxr : m->gxi, m->dh_len);
    n += m->dh_len;
    memcpy(buf + n, initiator ? m->icky : m->rcky, 8);
    memcpy(buf + n + 8, initiator ? m->rcky : m->icky, 8);
    n += 16;
    memcpy(buf + n, m->sai_b, m->sai_len);
    n += m->sai_len;
    memcpy(buf + n, id_b, id_len);
    n += id_len;
    return ikec_prf(m->t.hash, m->skeyid, m->hash_len, buf, n, out);
}

/* NAT-D (RFC 3947): HASH(CKY-I | CKY-R | IP | port). */
static bool natd(struct mm *m, const uint8_t ip[4], uint16_t port, uint8_t *out)
{
    uint8_t buf[22];
    memcpy(buf, m->icky, 8);
    memcpy(buf + 8, m->rcky, 8);
    memcpy(buf + 16, ip, 4);
    put16(buf + 20, port);
    return ikec_hash(m->t.hash, buf, sizeof buf, out);
}

/* Encrypts body (padded with zeros to the block) after a header; updates the IV. */
static size_t seal(struct mm *m, size_t hdr_len, const uint8_t *body, size_t len, const uint8_t *iv)
{
    size_t padded = (len + m->block - 1) / m->block * m->block;
    uint8_t plain[1024];
    if (padded > sizeof plain || hdr_len + padded > sizeof m->pkt)
        return 0;
    memcpy(plain, body, len);
    memset(plain + len, 0, padded - len);
    if (!ikec_cbc(m->t.enc, m->t.key_bits, m->key, iv, plain, padded, m->pkt + hdr_len, true))
        return 0;
    plat_wipe(plain, padded);
    size_t total = hdr_len + padded;
    put32(m->pkt + 24, total);
    return total;
}

static void set_result(struct psk_check_result *r, enum psk_verdict v, const char *reason)
{
    r->verdict = v;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* After success: an informational exchange deleting the ISAKMP SA (RFC 2408
 * 3.15), so the check leaves nothing behind on the server. */
static void send_delete(struct mm *m, const uint8_t *last_block)
{
    uint8_t mid_b[4], hash_body[IKEC_MAX_HASH], tmp[64], iv_in[IKEC_MAX_BLOCK + 4], ivh[IKEC_MAX_HASH];
    uint32_t mid;
    struct l2f_err err;
    if (!plat_random(&mid, sizeof mid))
        return;
    mid |= 1; /* never zero: that is phase 1 */
    put32(mid_b, mid);
    /* Delete: DOI, protocol ISAKMP, SPI size 16 (both cookies), one SPI */
    uint8_t body[4 + 4 + 16];
    put32(body, 1);
    body[4] = 1;
    body[5] = 16;
    put16(body + 6, 1);
    memcpy(body + 8, m->icky, 8);
    memcpy(body + 16, m->rcky, 8);
    /* HASH(1) covers the Delete payload with its header */
    uint8_t delpl[4 + sizeof body];
    delpl[0] = 0;
    delpl[1] = 0;
    put16(delpl + 2, sizeof delpl);
    memcpy(delpl + 4, body, sizeof body);
    memcpy(tmp, mid_b, 4);
    memcpy(tmp + 4, delpl, sizeof delpl);
    if (!ikec_prf(m->t.hash, m->skeyid_a, m->hash_len, tmp, 4 + sizeof delpl, hash_body))
        return;
    /* IV of a new message: hash(last phase-1 block | M-ID) */
    memcpy(iv_in, last_block, m->block);
    memcpy(iv_in + m->block, mid_b, 4);
    if (!ikec_hash(m->t.hash, iv_in, m->block + 4, ivh))
        return;
    uint8_t plain[256];
    size_t n = add_payload(plain, 0, sizeof plain, PL_DELETE, hash_body, m->hash_len);
    n = n ? add_payload(plain, n, sizeof plain, 0, body, sizeof body) : 0;
    size_t h = header(m, m->pkt, PL_HASH, 5, 0x01, mid);
    size_t total = n ? seal(m, h, plain, n, ivh) : 0;
    uint8_t framed[IKE_NATT_MARKER_LEN + IKE_MAX_PACKET];
    size_t off = m->natt ? IKE_NATT_MARKER_LEN : 0;
    if (total && total + off <= sizeof framed) {
        memset(framed, 0, off);
        memcpy(framed + off, m->pkt, total);
        udp_send(&m->sock, framed, total + off, &err);
    }
}

static enum psk_verdict run(struct mm *m, const char *psk, struct psk_check_result *r)
{
    uint8_t in[IKE_MAX_PACKET];
    struct ike_reply reply;
    struct l2f_err err;
    /* MM1 */
    size_t len = ike_v1_build_mm1(m->pkt, sizeof m->pkt, m->icky, modp_offer, sizeof modp_offer / sizeof modp_offer[0],
                                  false);
    const uint8_t *sa = m->pkt + IKE_HEADER_LEN;
    m->sai_len = ((size_t)sa[2] << 8 | sa[3]) - 4;
    memcpy(m->sai_b, sa + 4, m->sai_len);
    uint8_t mm1[1024];
    memcpy(mm1, m->pkt, len);
    size_t got = exchange(m, mm1, len, in, sizeof in);
    if (!got)
        return set_result(r, PSK_INCONCLUSIVE, "no answer to message 1"), PSK_INCONCLUSIVE;
    if (ike_v1_parse_reply(in, got, m->icky, false, &reply, &err) != L2F_OK)
        return set_result(r, PSK_INCONCLUSIVE, "malformed message 2"), PSK_INCONCLUSIVE;
    if (reply.kind != IKE_REPLY_ACCEPTED)
        return set_result(r, PSK_INCONCLUSIVE, "the server accepts none of the offered proposals"), PSK_INCONCLUSIVE;
    m->t = reply.chosen;
    memcpy(m->rcky, reply.responder_cookie, 8);
    ike_transform_name(&m->t, r->transform, sizeof r->transform);
    m->dh_len = ikec_dh_len(m->t.group);
    if (!m->dh_len || !ikec_dh_keypair(m->t.group, &m->dh, m->gxi) || !plat_random(m->ni, NONCE_LEN))
        return set_result(r, PSK_INCONCLUSIVE, "the chosen group cannot be computed here"), PSK_INCONCLUSIVE;
    /* MM3: KE, nonce, NAT-D for the peer and for us */
    uint8_t d1[IKEC_MAX_HASH], d2[IKEC_MAX_HASH];
    size_t hl = ikec_hash_len(m->t.hash);
    if (!natd(m, m->peer_ip, m->peer_port, d1) || !natd(m, m->local_ip, m->local_port, d2))
        return set_result(r, PSK_INCONCLUSIVE, "hash failed"), PSK_INCONCLUSIVE;
    size_t pos = header(m, m->pkt, PL_KE, 2, 0, 0);
    pos = add_payload(m->pkt, pos, sizeof m->pkt, PL_NONCE, m->gxi, m->dh_len);
    pos = pos ? add_payload(m->pkt, pos, sizeof m->pkt, PL_NATD, m->ni, NONCE_LEN) : 0;
    pos = pos ? add_payload(m->pkt, pos, sizeof m->pkt, PL_NATD, d1, hl) : 0;
    pos = pos ? add_payload(m->pkt, pos, sizeof m->pkt, 0, d2, hl) : 0;
    if (!pos)
        return set_result(r, PSK_INCONCLUSIVE, "message 3 too large"), PSK_INCONCLUSIVE;
    put32(m->pkt + 24, pos);
    uint8_t mm3[1024];
    memcpy(mm3, m->pkt, pos);
    got = exchange(m, mm3, pos, in, sizeof in);
    if (!got || in[18] != 2 || (in[19] & 1) || memcmp(in + 8, m->rcky, 8) != 0)
        return set_result(r, PSK_INCONCLUSIVE, got ? "unexpected message 4" : "no answer to message 3"),
               PSK_INCONCLUSIVE;
    struct ike_payload pl[MAX_PAYLOADS];
    size_t n = 0;
    if (!ike_walk(in + IKE_HEADER_LEN, got - IKE_HEADER_LEN, in[16], pl, MAX_PAYLOADS, &n))
        n = 0;
    const struct ike_payload *ke = ike_find(pl, n, PL_KE), *nonce = ike_find(pl, n, PL_NONCE);
    if (!ke || ke->len != m->dh_len || !nonce || nonce->len < 8 || nonce->len > sizeof m->nr)
        return set_result(r, PSK_INCONCLUSIVE, "message 4 lacks a valid KE or nonce"), PSK_INCONCLUSIVE;
    memcpy(m->gxr, ke->body, m->dh_len);
    memcpy(m->nr, nonce->body, nonce->len);
    m->nr_len = nonce->len;
    /* NAT-D (RFC 3947): the server's first hashes our address as it sees it,
     * the second its own. Any difference means a NAT (or, with SoftEther, a
     * server that says so on purpose): float to 4500, as Windows does. */
    bool nat = false;
    for (size_t i = 0, seen = 0; i < n; i++)
        if (pl[i].type == PL_NATD) {
            const uint8_t *want = seen++ == 0 ? d2 : d1;
            nat |= pl[i].len != hl || memcmp(pl[i].body, want, hl) != 0;
        }
    if (nat) {
        struct net_addr to = m->peer;
        net_addr_set_port(&to, 4500);
        if (udp_reconnect(&m->sock, &to, &err) != L2F_OK)
            return set_result(r, PSK_INCONCLUSIVE, "cannot float to UDP 4500"), PSK_INCONCLUSIVE;
        m->natt = true;
    }
    if (!ikec_dh_shared(m->t.group, m->dh, m->gxr, m->gxy) || !derive(m, psk))
        return set_result(r, PSK_INCONCLUSIVE, "key derivation failed"), PSK_INCONCLUSIVE;
    /* MM5: ID_ii (IPv4, UDP, port 500) and HASH_I, encrypted */
    uint8_t id_b[8] = {1, 17, 0, 0};
    put16(id_b + 2, m->local_port);
    memcpy(id_b + 4, m->local_ip, 4);
    uint8_t hash_i[IKEC_MAX_HASH], plain[256];
    if (!auth_hash(m, true, id_b, sizeof id_b, hash_i))
        return set_result(r, PSK_INCONCLUSIVE, "hash failed"), PSK_INCONCLUSIVE;
    size_t pn = add_payload(plain, 0, sizeof plain, PL_HASH, id_b, sizeof id_b);
    pn = add_payload(plain, pn, sizeof plain, 0, hash_i, m->hash_len);
    size_t h = header(m, m->pkt, PL_ID, 2, 0x01, 0);
    size_t total = seal(m, h, plain, pn, m->iv);
    plat_wipe(plain, sizeof plain);
    if (!total)
        return set_result(r, PSK_INCONCLUSIVE, "encryption failed"), PSK_INCONCLUSIVE;
    uint8_t iv6[IKEC_MAX_BLOCK];
    memcpy(iv6, m->pkt + total - m->block, m->block); /* CBC chains on the last block sent */
    uint8_t mm5[1024];
    memcpy(mm5, m->pkt, total);
    got = exchange(m, mm5, total, in, sizeof in);
    if (!got)
        return set_result(r, PSK_REJECTED, "no answer after message 5: the usual answer to a wrong key"),
               PSK_REJECTED;
    if (!(in[19] & 1))
        return set_result(r, PSK_REJECTED, in[18] == 5 ? "the server answered with a plain notify or delete"
                                                       : "an unencrypted answer to message 5"),
               PSK_REJECTED;
    size_t clen = got - IKE_HEADER_LEN;
    if (clen == 0 || clen % m->block)
        return set_result(r, PSK_REJECTED, "message 6 does not decrypt"), PSK_REJECTED;
    uint8_t dec[IKE_MAX_PACKET];
    if (!ikec_cbc(m->t.enc, m->t.key_bits, m->key, iv6, in + IKE_HEADER_LEN, clen, dec, false))
        return set_result(r, PSK_INCONCLUSIVE, "decryption failed"), PSK_INCONCLUSIVE;
    uint8_t last_block[IKEC_MAX_BLOCK];
    memcpy(last_block, in + got - m->block, m->block);
    /* trailing padding: the walk stops at next payload 0 and ignores what follows */
    if (!ike_walk(dec, clen, in[16], pl, MAX_PAYLOADS, &n))
        n = 0;
    const struct ike_payload *id_r = n ? ike_find(pl, n, PL_ID) : NULL, *hash_r = n ? ike_find(pl, n, PL_HASH) : NULL;
    if (in[18] == 5 && n && ike_find(pl, n, PL_NOTIFY)) {
        const struct ike_payload *nt = ike_find(pl, n, PL_NOTIFY);
        unsigned type = nt->len >= 8 ? ((unsigned)nt->body[6] << 8 | nt->body[7]) : 0;
        char why[96];
        snprintf(why, sizeof why, "the server refused our identity or policy (notify %u), not the key", type);
        return set_result(r, PSK_INCONCLUSIVE, why), PSK_INCONCLUSIVE;
    }
    if (!id_r || !hash_r || hash_r->len != m->hash_len)
        return set_result(r, PSK_REJECTED, "message 6 does not decrypt under this key"), PSK_REJECTED;
    uint8_t expect[IKEC_MAX_HASH];
    if (!auth_hash(m, false, id_r->body, id_r->len, expect))
        return set_result(r, PSK_INCONCLUSIVE, "hash failed"), PSK_INCONCLUSIVE;
    if (memcmp(expect, hash_r->body, m->hash_len) != 0)
        return set_result(r, PSK_REJECTED, "HASH_R does not verify"), PSK_REJECTED;
    send_delete(m, last_block);
    return set_result(r, PSK_ACCEPTED, "message 6 decrypted and HASH_R verified"), PSK_ACCEPTED;
}

enum l2f_status psk_check(const char *host, uint16_t port, const char *psk, unsigned timeout_ms,
                          struct psk_check_result *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    if (!ikec_available()) {
        l2f_err_set(err, "this build has no crypto library: the key check is not available");
        return L2F_ERR_UNSUPPORTED;
    }
    struct mm *m = calloc(1, sizeof *m);
    if (!m)
        return L2F_ERR_NOMEM;
    m->sock.fd = -1;
    struct net_addr addrs[4], local, peer;
    size_t count = 0;
    enum l2f_status st = net_init();
    if (st == L2F_OK)
        st = net_resolve(host, addrs, 4, &count, err);
    if (st == L2F_OK) {
        net_addr_set_port(&addrs[0], port);
        st = udp_connect(&m->sock, &addrs[0], err);
    }
    if (st == L2F_OK)
        m->peer = addrs[0];
    if (st == L2F_OK && !(udp_local_address(&m->sock, &local) && udp_peer_address(&m->sock, &peer) &&
                          net_addr_ipv4(&local, m->local_ip, &m->local_port) &&
                          net_addr_ipv4(&peer, m->peer_ip, &m->peer_port))) {
        l2f_err_set(err, "%s: the key check speaks IPv4 only for now", host);
        st = L2F_ERR_UNSUPPORTED;
    }
    uint64_t start = plat_monotonic_ms();
    if (st == L2F_OK && !plat_random(m->icky, sizeof m->icky))
        st = L2F_ERR_BACKEND;
    if (st == L2F_OK) {
        m->deadline = start + timeout_ms;
        run(m, psk, out);
        out->ms = (unsigned)(plat_monotonic_ms() - start);
    }
    udp_close(&m->sock);
    ikec_dh_free(m->dh);
    plat_wipe(m, sizeof *m);
    free(m);
    return st;
}

/* ---- pacing ---- */

static uint64_t last_in_process;

static long long wall_ms(void)
{
    return (long long)time(NULL) * 1000;
}

enum l2f_status psk_check_paced(const char *state_dir, const char *host, uint16_t port, const char *psk,
                                unsigned timeout_ms, struct psk_check_result *out, unsigned *waited_ms,
                                struct l2f_err *err)
{
    char lock[PLAT_PATH_MAX + 32], last[PLAT_PATH_MAX + 32];
    bool have_dir = state_dir && state_dir[0];
    *waited_ms = 0;
    if (have_dir) {
        enum l2f_status st = plat_mkdir_p(state_dir, err);
        if (st != L2F_OK)
            return st;
        snprintf(lock, sizeof lock, "%s%cpsk-check.lock", state_dir, PLAT_DIRSEP);
        snprintf(last, sizeof last, "%s%cpsk-check.last", state_dir, PLAT_DIRSEP);
        /* a lock left by a crash is stale after a minute */
        char *text;
        if (plat_read_file(lock, &text, NULL, err) == L2F_OK) {
            long long since = wall_ms() - atoll(text);
            free(text);
            if (since < 60000) {
                l2f_err_set(err, "another key check is running; try again in a moment");
                return L2F_ERR_CONFLICT;
            }
            remove(lock);
        }
        char stamp[32];
        snprintf(stamp, sizeof stamp, "%lld", wall_ms());
        if (!plat_create_exclusive(lock, stamp, err))
            return L2F_ERR_CONFLICT;
        /* the pause since the last check of any process */
        if (plat_read_file(last, &text, NULL, err) == L2F_OK) {
            long long since = wall_ms() - atoll(text);
            free(text);
            if (since >= 0 && since < PSK_MIN_PAUSE_MS) {
                *waited_ms = (unsigned)(PSK_MIN_PAUSE_MS - since);
                plat_sleep_ms(*waited_ms);
            }
        }
        l2f_err_clear(err);
    }
    uint64_t now = plat_monotonic_ms();
    if (last_in_process && now - last_in_process < PSK_MIN_PAUSE_MS && !*waited_ms) {
        *waited_ms = (unsigned)(PSK_MIN_PAUSE_MS - (now - last_in_process));
        plat_sleep_ms(*waited_ms);
    }
    enum l2f_status st = psk_check(host, port, psk, timeout_ms, out, err);
    last_in_process = plat_monotonic_ms();
    if (have_dir) {
        char stamp[32];
        struct l2f_err ignored;
        snprintf(stamp, sizeof stamp, "%lld", wall_ms());
        plat_write_atomic(last, stamp, strlen(stamp), &ignored);
        remove(lock);
    }
    return st;
}
