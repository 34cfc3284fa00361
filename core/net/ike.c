#include "ike.h"

#include <stdio.h>
#include <string.h>

#include "net/bytes.h"

#define LIFE_SECONDS 28800

/* ISAKMP payload types */
#define PL_NONE 0
#define PL_SA 1
#define PL_PROPOSAL 2
#define PL_TRANSFORM 3
#define PL_NOTIFY 11
#define PL_VENDOR_ID 13
/* IKEv2 payload types */
#define PL2_SA 33
#define PL2_KE 34
#define PL2_NONCE 40
#define PL2_NOTIFY 41

#define EXCH_MAIN_MODE 2
#define EXCH_INFORMATIONAL 5
#define EXCH_IKE_SA_INIT 34

/* attribute types, TV form */
#define ATTR_ENC 1
#define ATTR_HASH 2
#define ATTR_AUTH 3
#define ATTR_GROUP 4
#define ATTR_LIFE_TYPE 11
#define ATTR_LIFE_DURATION 12
#define ATTR_KEY_LENGTH 14

const struct ike_transform ike_windows_offer[] = {
    {IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_ECP384},
    {IKE_ENC_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_ECP256},
    {IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP2048},
    {IKE_ENC_3DES, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP2048},
    {IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
    {IKE_ENC_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
    {IKE_ENC_3DES, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, IKE_GROUP_MODP1024},
};
const size_t ike_windows_offer_count = sizeof ike_windows_offer / sizeof ike_windows_offer[0];

/* MD5("RFC 3947") */
static const uint8_t natt_vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                     0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};

void ike_transform_name(const struct ike_transform *t, char *buf, size_t len)
{
    char enc[16], hash[16], group[16];
    if (t->enc == IKE_ENC_AES_CBC)
        snprintf(enc, sizeof enc, "aes%u", (unsigned)(t->key_bits ? t->key_bits : 128));
    else if (t->enc == IKE_ENC_3DES)
        snprintf(enc, sizeof enc, "3des");
    else
        snprintf(enc, sizeof enc, "enc%u", (unsigned)t->enc);
    if (t->hash == IKE_HASH_SHA1)
        snprintf(hash, sizeof hash, "sha1");
    else if (t->hash == IKE_HASH_SHA256)
        snprintf(hash, sizeof hash, "sha256");
    else
        snprintf(hash, sizeof hash, "hash%u", (unsigned)t->hash);
    switch (t->group) {
    case IKE_GROUP_MODP1024: snprintf(group, sizeof group, "modp1024"); break;
    case IKE_GROUP_MODP2048: snprintf(group, sizeof group, "modp2048"); break;
    case IKE_GROUP_ECP256: snprintf(group, sizeof group, "ecp256"); break;
    case IKE_GROUP_ECP384: snprintf(group, sizeof group, "ecp384"); break;
    default: snprintf(group, sizeof group, "group%u", (unsigned)t->group);
    }
    snprintf(buf, len, "%s-%s-%s", enc, hash, group);
}

/* A bounded writer: every put checks the room left, so a short buffer gives 0. */
struct writer {
    uint8_t *buf;
    size_t len, pos;
    bool overflow;
};

static void put8(struct writer *w, unsigned v)
{
    if (w->pos + 1 > w->len) {
        w->overflow = true;
        return;
    }
    w->buf[w->pos++] = (uint8_t)v;
}

static void put16(struct writer *w, unsigned v)
{
    put8(w, (v >> 8) & 0xFF);
    put8(w, v & 0xFF);
}

static void put32(struct writer *w, unsigned long v)
{
    put16(w, (unsigned)((v >> 16) & 0xFFFF));
    put16(w, (unsigned)(v & 0xFFFF));
}

static void put_bytes(struct writer *w, const uint8_t *p, size_t n)
{
    if (w->pos + n > w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

/* Writes a 16-bit length at a position written earlier. */
static void patch16(struct writer *w, size_t at, size_t v)
{
    if (!w->overflow && at + 2 <= w->len) {
        w->buf[at] = (uint8_t)(v >> 8);
        w->buf[at + 1] = (uint8_t)v;
    }
}

static void patch32(struct writer *w, size_t at, size_t v)
{
    if (!w->overflow && at + 4 <= w->len) {
        w->buf[at] = (uint8_t)(v >> 24);
        w->buf[at + 1] = (uint8_t)(v >> 16);
        w->buf[at + 2] = (uint8_t)(v >> 8);
        w->buf[at + 3] = (uint8_t)v;
    }
}

static void attr(struct writer *w, unsigned type, unsigned value)
{
    put16(w, 0x8000 | type); /* TV form */
    put16(w, value);
}

static size_t header(struct writer *w, const uint8_t cookie[IKE_COOKIE_LEN], unsigned next, unsigned version,
                     unsigned exchange, unsigned flags)
{
    size_t start = w->pos;
    static const uint8_t zero[IKE_COOKIE_LEN] = {0};
    put_bytes(w, cookie, IKE_COOKIE_LEN);
    put_bytes(w, zero, IKE_COOKIE_LEN);
    put8(w, next);
    put8(w, version);
    put8(w, exchange);
    put8(w, flags);
    put32(w, 0); /* message id */
    put32(w, 0); /* length, patched */
    return start;
}

size_t ike_v1_build_mm1(uint8_t *buf, size_t len, const uint8_t cookie[IKE_COOKIE_LEN],
                        const struct ike_transform *offer, size_t n, bool marker)
{
    struct writer w = {buf, len, 0, false};
    if (n == 0 || n > 255)
        return 0;
    if (marker)
        put32(&w, 0);
    size_t hdr = header(&w, cookie, PL_SA, 0x10, EXCH_MAIN_MODE, 0);
    /* SA */
    size_t sa = w.pos;
    put8(&w, PL_VENDOR_ID);
    put8(&w, 0);
    put16(&w, 0);
    put32(&w, 1); /* DOI: IPsec */
    put32(&w, 1); /* situation: identity only */
    /* one proposal with every transform */
    size_t prop = w.pos;
    put8(&w, PL_NONE);
    put8(&w, 0);
    put16(&w, 0);
    put8(&w, 1);        /* proposal number */
    put8(&w, 1);        /* protocol: ISAKMP */
    put8(&w, 0);        /* SPI size */
    put8(&w, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        const struct ike_transform *t = &offer[i];
        size_t tr = w.pos;
        put8(&w, i + 1 < n ? PL_TRANSFORM : PL_NONE);
        put8(&w, 0);
        put16(&w, 0);
        put8(&w, (unsigned)(i + 1)); /* transform number */
        put8(&w, 1);                 /* KEY_IKE */
        put16(&w, 0);
        attr(&w, ATTR_ENC, t->enc);
        if (t->key_bits)
            attr(&w, ATTR_KEY_LENGTH, t->key_bits);
        attr(&w, ATTR_HASH, t->hash);
        attr(&w, ATTR_AUTH, t->auth);
        attr(&w, ATTR_GROUP, t->group);
        attr(&w, ATTR_LIFE_TYPE, 1);
        attr(&w, ATTR_LIFE_DURATION, LIFE_SECONDS);
        patch16(&w, tr + 2, w.pos - tr);
    }
    patch16(&w, prop + 2, w.pos - prop);
    patch16(&w, sa + 2, w.pos - sa);
    /* NAT-T vendor id, as Windows sends it */
    put8(&w, PL_NONE);
    put8(&w, 0);
    put16(&w, 4 + sizeof natt_vid);
    put_bytes(&w, natt_vid, sizeof natt_vid);
    patch32(&w, hdr + 24, w.pos - hdr);
    return w.overflow ? 0 : w.pos;
}

static enum l2f_status bad(struct l2f_err *err, const char *why)
{
    l2f_err_set(err, "not a valid reply: %s", why);
    return L2F_ERR_PARSE;
}

/* Checks the header; on success *first is the first payload type and the
 * packet spans [buf, buf+len). */
static enum l2f_status check_header(const uint8_t **buf, size_t *len, const uint8_t cookie[IKE_COOKIE_LEN],
                                    bool marker, unsigned version, struct l2f_err *err)
{
    if (marker) {
        if (*len < IKE_NATT_MARKER_LEN || be32_get(*buf) != 0)
            return bad(err, "no non-ESP marker");
        *buf += IKE_NATT_MARKER_LEN;
        *len -= IKE_NATT_MARKER_LEN;
    }
    if (*len < IKE_HEADER_LEN)
        return bad(err, "shorter than an IKE header");
    if (*len > IKE_MAX_PACKET)
        return bad(err, "larger than any answer to a probe");
    if (memcmp(*buf, cookie, IKE_COOKIE_LEN) != 0)
        return bad(err, "another initiator cookie");
    if (((*buf)[17] >> 4) != version)
        return bad(err, "another IKE version");
    if (be32_get(*buf + 24) != *len)
        return bad(err, "the length field disagrees with the datagram");
    return L2F_OK;
}

/* Walks one payload; returns its body or NULL when it runs out of bounds. */
static const uint8_t *payload(const uint8_t *p, const uint8_t *end, unsigned *next, size_t *body_len)
{
    if (end - p < 4)
        return NULL;
    size_t plen = be16_get(p + 2);
    if (plen < 4 || plen > (size_t)(end - p))
        return NULL;
    *next = p[0];
    *body_len = plen - 4;
    return p + 4;
}

bool ike_walk(const uint8_t *p, size_t len, unsigned first, struct ike_payload *out, size_t max, size_t *count)
{
    const uint8_t *end = p + len;
    unsigned type = first;
    *count = 0;
    while (type != PL_NONE) {
        unsigned next;
        size_t blen;
        const uint8_t *body = payload(p, end, &next, &blen);
        if (!body || *count == max)
            return false;
        out[*count].type = type;
        out[*count].body = body;
        out[*count].len = blen;
        (*count)++;
        p = body + blen;
        type = next;
    }
    return true;
}

const struct ike_payload *ike_find(const struct ike_payload *pl, size_t n, unsigned type)
{
    for (size_t i = 0; i < n; i++)
        if (pl[i].type == type)
            return &pl[i];
    return NULL;
}

#define MAX_REPLY_PAYLOADS 32

static enum l2f_status parse_v1_transform(const uint8_t *body, size_t len, struct ike_transform *t,
                                          struct l2f_err *err)
{
    memset(t, 0, sizeof *t);
    if (len < 4)
        return bad(err, "transform too short");
    for (size_t off = 4; off < len;) {
        if (len - off < 4)
            return bad(err, "attribute cut off");
        unsigned type = be16_get(body + off);
        unsigned value = be16_get(body + off + 2);
        if (!(type & 0x8000)) {
            /* TLV form: skip its value */
            if (len - off - 4 < value)
                return bad(err, "attribute runs out of the transform");
            off += 4 + value;
            continue;
        }
        switch (type & 0x7FFF) {
        case ATTR_ENC: t->enc = (uint16_t)value; break;
        case ATTR_KEY_LENGTH: t->key_bits = (uint16_t)value; break;
        case ATTR_HASH: t->hash = (uint16_t)value; break;
        case ATTR_AUTH: t->auth = (uint16_t)value; break;
        case ATTR_GROUP: t->group = (uint16_t)value; break;
        default: break;
        }
        off += 4;
    }
    return L2F_OK;
}

/* The SA of an MM2: exactly one proposal with exactly one transform. */
static enum l2f_status parse_v1_sa(const uint8_t *body, size_t len, struct ike_transform *t, struct l2f_err *err)
{
    if (len < 8 + 4)
        return bad(err, "SA too short");
    const uint8_t *p = body + 8, *end = body + len;
    unsigned next;
    size_t plen;
    const uint8_t *prop = payload(p, end, &next, &plen);
    if (!prop || plen < 4)
        return bad(err, "proposal runs out of the SA");
    if (prop[3] != 1)
        return bad(err, "the server chose more or less than one transform");
    size_t spi = prop[2];
    if (plen < 4 + spi)
        return bad(err, "proposal SPI runs out");
    const uint8_t *tp = prop + 4 + spi, *tend = prop + plen;
    const uint8_t *tr = payload(tp, tend, &next, &plen);
    if (!tr)
        return bad(err, "transform runs out of the proposal");
    return parse_v1_transform(tr, plen, t, err);
}

enum l2f_status ike_v1_parse_reply(const uint8_t *buf, size_t len, const uint8_t cookie[IKE_COOKIE_LEN],
                                   bool marker, struct ike_reply *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    enum l2f_status st = check_header(&buf, &len, cookie, marker, 1, err);
    if (st != L2F_OK)
        return st;
    unsigned exchange = buf[18];
    if (exchange != EXCH_MAIN_MODE && exchange != EXCH_INFORMATIONAL)
        return bad(err, "neither Main Mode nor informational");
    memcpy(out->responder_cookie, buf + 8, IKE_COOKIE_LEN);
    if (buf[19] & 0x01)
        return bad(err, "encrypted: not an answer to message 1");
    struct ike_payload pl[MAX_REPLY_PAYLOADS];
    size_t n;
    if (!ike_walk(buf + IKE_HEADER_LEN, len - IKE_HEADER_LEN, buf[16], pl, MAX_REPLY_PAYLOADS, &n))
        return bad(err, "payload chain runs out of the packet");
    bool have_sa = false, have_notify = false;
    for (size_t i = 0; i < n; i++) {
        if (pl[i].type == PL_SA && exchange == EXCH_MAIN_MODE) {
            if (have_sa)
                return bad(err, "two SA payloads");
            st = parse_v1_sa(pl[i].body, pl[i].len, &out->chosen, err);
            if (st != L2F_OK)
                return st;
            have_sa = true;
        } else if (pl[i].type == PL_NOTIFY) {
            if (pl[i].len < 8)
                return bad(err, "notify too short");
            out->notify = (uint16_t)be16_get(pl[i].body + 6);
            have_notify = true;
        } else if (pl[i].type == PL_VENDOR_ID) {
            if (pl[i].len == sizeof natt_vid && memcmp(pl[i].body, natt_vid, sizeof natt_vid) == 0)
                out->natt_vendor_id = true;
        }
    }
    if (have_sa) {
        static const uint8_t zero[IKE_COOKIE_LEN] = {0};
        if (memcmp(out->responder_cookie, zero, IKE_COOKIE_LEN) == 0)
            return bad(err, "MM2 without a responder cookie");
        out->kind = IKE_REPLY_ACCEPTED;
        return L2F_OK;
    }
    if (have_notify) {
        out->kind = IKE_REPLY_NOTIFY;
        return L2F_OK;
    }
    return bad(err, "neither an SA nor a notify");
}

/* ---- IKEv2 ---- */

static size_t group_bytes(uint16_t group)
{
    return group == IKE_GROUP_MODP1024 ? 128 : group == IKE_GROUP_MODP2048 ? 256 : 0;
}

size_t ike_v2_random_needed(uint16_t ke_group)
{
    size_t g = group_bytes(ke_group);
    return g ? g + 32 : 0;
}

static void transform_v2(struct writer *w, bool last, unsigned type, unsigned id, unsigned key_bits)
{
    size_t start = w->pos;
    put8(w, last ? 0 : 3);
    put8(w, 0);
    put16(w, 0);
    put8(w, type);
    put8(w, 0);
    put16(w, id);
    if (key_bits)
        attr(w, 14, key_bits); /* Key Length */
    patch16(w, start + 2, w->pos - start);
}

size_t ike_v2_build_sa_init(uint8_t *buf, size_t len, const uint8_t spi[IKE_COOKIE_LEN], uint16_t ke_group,
                            const uint8_t *random, size_t random_len)
{
    size_t gb = group_bytes(ke_group);
    if (!gb || random_len < gb + 32)
        return 0;
    struct writer w = {buf, len, 0, false};
    size_t hdr = header(&w, spi, PL2_SA, 0x20, EXCH_IKE_SA_INIT, 0x08);
    size_t sa = w.pos;
    put8(&w, PL2_KE);
    put8(&w, 0);
    put16(&w, 0);
    size_t prop = w.pos;
    put8(&w, 0); /* last proposal */
    put8(&w, 0);
    put16(&w, 0);
    put8(&w, 1); /* proposal number */
    put8(&w, 1); /* IKE */
    put8(&w, 0); /* SPI size */
    put8(&w, 9);
    transform_v2(&w, false, 1, 12, 256); /* ENCR AES-CBC-256 */
    transform_v2(&w, false, 1, 12, 128); /* ENCR AES-CBC-128 */
    transform_v2(&w, false, 1, 3, 0);    /* ENCR 3DES */
    transform_v2(&w, false, 2, 5, 0);    /* PRF HMAC-SHA2-256 */
    transform_v2(&w, false, 2, 2, 0);    /* PRF HMAC-SHA1 */
    transform_v2(&w, false, 3, 12, 0);   /* INTEG HMAC-SHA2-256-128 */
    transform_v2(&w, false, 3, 2, 0);    /* INTEG HMAC-SHA1-96 */
    /* the KE group first: servers pick among the groups offered */
    transform_v2(&w, false, 4, ke_group, 0);
    /* no ESN transform: it belongs to ESP proposals, and an IKE proposal with
     * one is refused (strongSwan answers NO_PROPOSAL_CHOSEN) */
    transform_v2(&w, true, 4, ke_group == IKE_GROUP_MODP2048 ? IKE_GROUP_MODP1024 : IKE_GROUP_MODP2048, 0);
    patch16(&w, prop + 2, w.pos - prop);
    patch16(&w, sa + 2, w.pos - sa);
    /* KE: random below the prime; the probe never completes the exchange */
    size_t ke = w.pos;
    put8(&w, PL2_NONCE);
    put8(&w, 0);
    put16(&w, 0);
    put16(&w, ke_group);
    put16(&w, 0);
    put8(&w, random[0] & 0x7F); /* every MODP prime starts with 0xFF: stay below it */
    put_bytes(&w, random + 1, gb - 1);
    patch16(&w, ke + 2, w.pos - ke);
    put8(&w, 0);
    put8(&w, 0);
    put16(&w, 4 + 32);
    put_bytes(&w, random + gb, 32);
    patch32(&w, hdr + 24, w.pos - hdr);
    return w.overflow ? 0 : w.pos;
}

enum l2f_status ike_v2_parse_reply(const uint8_t *buf, size_t len, const uint8_t spi[IKE_COOKIE_LEN],
                                   struct ike_reply *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    enum l2f_status st = check_header(&buf, &len, spi, false, 2, err);
    if (st != L2F_OK)
        return st;
    if (buf[18] != EXCH_IKE_SA_INIT)
        return bad(err, "not IKE_SA_INIT");
    if (!(buf[19] & 0x20))
        return bad(err, "not a response");
    memcpy(out->responder_cookie, buf + 8, IKE_COOKIE_LEN);
    struct ike_payload pl[MAX_REPLY_PAYLOADS];
    size_t n;
    if (!ike_walk(buf + IKE_HEADER_LEN, len - IKE_HEADER_LEN, buf[16], pl, MAX_REPLY_PAYLOADS, &n))
        return bad(err, "payload chain runs out of the packet");
    bool have_sa = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *body = pl[i].body;
        size_t blen = pl[i].len;
        if (pl[i].type == PL2_SA) {
            have_sa = true;
        } else if (pl[i].type == PL2_NOTIFY) {
            if (blen < 4)
                return bad(err, "notify too short");
            unsigned ntype = be16_get(body + 2);
            size_t spi_size = body[1];
            if (blen < 4 + spi_size)
                return bad(err, "notify SPI runs out");
            if (ntype == IKE_NOTIFY_INVALID_KE_PAYLOAD) {
                if (blen < 4 + spi_size + 2)
                    return bad(err, "INVALID_KE_PAYLOAD without a group");
                out->kind = IKE_REPLY_INVALID_KE;
                out->ke_group = (uint16_t)be16_get(body + 4 + spi_size);
                out->notify = (uint16_t)ntype;
                return L2F_OK;
            }
            if (ntype == IKEV2_NOTIFY_COOKIE) {
                out->kind = IKE_REPLY_COOKIE;
                out->notify = (uint16_t)ntype;
                return L2F_OK;
            }
            if (ntype < 16384) { /* error types; status types above do not end the exchange */
                out->kind = IKE_REPLY_NOTIFY;
                out->notify = (uint16_t)ntype;
                return L2F_OK;
            }
        }
    }
    if (!have_sa)
        return bad(err, "neither an SA nor an error notify");
    out->kind = IKE_REPLY_ACCEPTED;
    return L2F_OK;
}
