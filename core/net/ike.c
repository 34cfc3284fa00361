#include "ike.h"

#include <stdio.h>
#include <string.h>

#include "net/bytes.h"
#include "net/netwriter.h"

#define LIFE_SECONDS 28800 /* the phase-1 lifetime Windows offers */

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

/* Names of what RFC 2409 appendix A numbers, for messages; NULL when unnamed. */
static const char *enc_name(unsigned v)
{
    return v == IKE_ENC_DES       ? "des"
           : v == IKE_ENC_3DES    ? "3des"
           : v == IKE_ENC_AES_CBC ? "aes"
                                  : NULL;
}

static const char *hash_name(unsigned v)
{
    static const char *const names[] = {NULL, "md5", "sha1", "tiger", "sha256", "sha384", "sha512"};
    return v < sizeof names / sizeof names[0] ? names[v] : NULL;
}

static const char *group_name(unsigned v)
{
    switch (v) {
    case IKE_GROUP_MODP768:
        return "modp768";
    case IKE_GROUP_MODP1024:
        return "modp1024";
    case 5:
        return "modp1536";
    case IKE_GROUP_MODP2048:
        return "modp2048";
    case 15:
        return "modp3072";
    case 16:
        return "modp4096";
    case IKE_GROUP_ECP256:
        return "ecp256";
    case IKE_GROUP_ECP384:
        return "ecp384";
    case 21:
        return "ecp521";
    default:
        return NULL;
    }
}

void ike_transform_name(const struct ike_transform *t, char *buf, size_t len)
{
    char enc[24], hash[16], group[16];
    const char *e = enc_name(t->enc);
    if (e && t->key_bits)
        snprintf(enc, sizeof enc, "%s%u", e, (unsigned)t->key_bits);
    else if (e)
        snprintf(enc, sizeof enc, "%s", e);
    else
        snprintf(enc, sizeof enc, "enc%u", (unsigned)t->enc);
    if (hash_name(t->hash))
        snprintf(hash, sizeof hash, "%s", hash_name(t->hash));
    else
        snprintf(hash, sizeof hash, "hash%u", (unsigned)t->hash);
    if (group_name(t->group))
        snprintf(group, sizeof group, "%s", group_name(t->group));
    else
        snprintf(group, sizeof group, "group%u", (unsigned)t->group);
    snprintf(buf, len, "%s-%s-%s", enc, hash, group);
}

static void attr(struct net_writer *w, unsigned type, unsigned value)
{
    nw_u16(w, 0x8000 | type); /* TV form */
    nw_u16(w, value);
}

static size_t header(struct net_writer *w, const uint8_t cookie[IKE_COOKIE_LEN], unsigned next,
                     unsigned version, unsigned exchange, unsigned flags)
{
    size_t start = w->pos;
    static const uint8_t zero[IKE_COOKIE_LEN] = {0};
    nw_bytes(w, cookie, IKE_COOKIE_LEN);
    nw_bytes(w, zero, IKE_COOKIE_LEN);
    nw_u8(w, next);
    nw_u8(w, version);
    nw_u8(w, exchange);
    nw_u8(w, flags);
    nw_u32(w, 0); /* message id */
    nw_u32(w, 0); /* length, patched */
    return start;
}

size_t ike_v1_build_mm1(uint8_t *buf, size_t len, const uint8_t cookie[IKE_COOKIE_LEN],
                        const struct ike_transform *offer, size_t n, bool marker)
{
    struct net_writer w;
    nw_init(&w, buf, len);
    if (n == 0 || n > 255)
        return 0;
    if (marker)
        nw_u32(&w, 0);
    size_t hdr = header(&w, cookie, IKE_PL_SA, 0x10, IKE_EX_MAIN, 0);
    /* SA */
    size_t sa = w.pos;
    nw_u8(&w, IKE_PL_VID);
    nw_u8(&w, 0);
    nw_u16(&w, 0);
    nw_u32(&w, 1); /* DOI: IPsec */
    nw_u32(&w, 1); /* situation: identity only */
    /* one proposal with every transform */
    size_t prop = w.pos;
    nw_u8(&w, IKE_PL_NONE);
    nw_u8(&w, 0);
    nw_u16(&w, 0);
    nw_u8(&w, 1); /* proposal number */
    nw_u8(&w, 1); /* protocol: ISAKMP */
    nw_u8(&w, 0); /* SPI size */
    nw_u8(&w, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        const struct ike_transform *t = &offer[i];
        size_t tr = w.pos;
        nw_u8(&w, i + 1 < n ? IKE_PL_TRANSFORM : IKE_PL_NONE);
        nw_u8(&w, 0);
        nw_u16(&w, 0);
        nw_u8(&w, (unsigned)(i + 1)); /* transform number */
        nw_u8(&w, IKE_KEY_IKE);
        nw_u16(&w, 0);
        attr(&w, IKE_ATTR_ENC, t->enc);
        if (t->key_bits)
            attr(&w, IKE_ATTR_KEY_LENGTH, t->key_bits);
        attr(&w, IKE_ATTR_HASH, t->hash);
        attr(&w, IKE_ATTR_AUTH, t->auth);
        attr(&w, IKE_ATTR_GROUP, t->group);
        attr(&w, IKE_ATTR_LIFE_TYPE, IKE_LIFE_TYPE_SECONDS);
        attr(&w, IKE_ATTR_LIFE_DURATION, LIFE_SECONDS);
        nw_patch16(&w, tr + 2, w.pos - tr);
    }
    nw_patch16(&w, prop + 2, w.pos - prop);
    nw_patch16(&w, sa + 2, w.pos - sa);
    /* NAT-T vendor id, as Windows sends it */
    nw_u8(&w, IKE_PL_NONE);
    nw_u8(&w, 0);
    nw_u16(&w, 4 + sizeof natt_vid);
    nw_bytes(&w, natt_vid, sizeof natt_vid);
    nw_patch32(&w, hdr + 24, w.pos - hdr);
    return w.failed ? 0 : w.pos;
}

static enum l2f_status bad(struct l2f_err *err, const char *why)
{
    l2f_err_set(err, "not a valid reply: %s", why);
    return L2F_ERR_PARSE;
}

/* Checks the header; on success *first is the first payload type and the
 * packet spans [buf, buf+len). */
static enum l2f_status check_header(const uint8_t **buf, size_t *len,
                                    const uint8_t cookie[IKE_COOKIE_LEN], bool marker,
                                    unsigned version, struct l2f_err *err)
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
static const uint8_t *payload(const uint8_t *p, const uint8_t *end, unsigned *next,
                              size_t *body_len)
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

bool ike_walk(const uint8_t *p, size_t len, unsigned first, struct ike_payload *out, size_t max,
              size_t *count)
{
    const uint8_t *end = p + len;
    unsigned type = first;
    *count = 0;
    while (type != IKE_PL_NONE) {
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

/* Bit of each phase-1 attribute in struct v1_choice's seen. */
static unsigned attr_bit(unsigned type)
{
    switch (type) {
    case IKE_ATTR_ENC:
        return 1u << 0;
    case IKE_ATTR_HASH:
        return 1u << 1;
    case IKE_ATTR_AUTH:
        return 1u << 2;
    case IKE_ATTR_GROUP:
        return 1u << 3;
    case IKE_ATTR_LIFE_TYPE:
        return 1u << 4;
    case IKE_ATTR_LIFE_DURATION:
        return 1u << 5;
    case IKE_ATTR_KEY_LENGTH:
        return 1u << 6;
    default:
        return 0;
    }
}

/* One attribute at body + *off: TV, or TLV of 1 to 4 bytes (a long lifetime). */
static enum l2f_status v1_attribute(const uint8_t *body, size_t len, size_t *off, unsigned *type,
                                    unsigned long *value, struct l2f_err *err)
{
    if (len - *off < 4)
        return bad(err, "attribute cut off");
    *type = be16_get(body + *off) & 0x7FFF;
    *value = be16_get(body + *off + 2);
    if (be16_get(body + *off) & 0x8000) {
        *off += 4;
        return L2F_OK;
    }
    size_t vlen = *value;
    if (len - *off - 4 < vlen)
        return bad(err, "attribute runs out of the transform");
    if (vlen == 0 || vlen > 4)
        return bad(err, "a long attribute of a length we did not offer");
    *value = 0;
    for (size_t i = 0; i < vlen; i++)
        *value = *value << 8 | body[*off + 4 + i];
    *off += 4 + vlen;
    return L2F_OK;
}

static enum l2f_status parse_v1_transform(const uint8_t *body, size_t len, struct ike_reply *out,
                                          struct l2f_err *err)
{
    struct ike_transform *t = &out->chosen;
    memset(t, 0, sizeof *t);
    if (len < 4)
        return bad(err, "transform too short");
    unsigned seen = 0;
    for (size_t off = 4; off < len;) {
        unsigned type;
        unsigned long value;
        enum l2f_status st = v1_attribute(body, len, &off, &type, &value, err);
        if (st != L2F_OK)
            return st;
        if (!attr_bit(type) || (type != IKE_ATTR_LIFE_DURATION && value > 0xFFFF))
            return bad(err, "an attribute we did not offer");
        if (seen & attr_bit(type))
            return bad(err, "an attribute twice in the transform");
        seen |= attr_bit(type);
        switch (type) {
        case IKE_ATTR_ENC:
            t->enc = (uint16_t)value;
            break;
        case IKE_ATTR_KEY_LENGTH:
            t->key_bits = (uint16_t)value;
            break;
        case IKE_ATTR_HASH:
            t->hash = (uint16_t)value;
            break;
        case IKE_ATTR_AUTH:
            t->auth = (uint16_t)value;
            break;
        case IKE_ATTR_GROUP:
            t->group = (uint16_t)value;
            break;
        case IKE_ATTR_LIFE_TYPE:
            out->life_type = (uint16_t)value;
            break;
        default:
            out->life_seconds = (uint32_t)value;
            break;
        }
    }
    return L2F_OK;
}

/* The SA of an MM2: exactly one proposal with exactly one transform. */
static enum l2f_status parse_v1_sa(const uint8_t *body, size_t len, struct ike_reply *out,
                                   struct l2f_err *err)
{
    if (len < 8 + 4)
        return bad(err, "SA too short");
    const uint8_t *p = body + 8, *end = body + len;
    unsigned next;
    size_t plen;
    const uint8_t *prop = payload(p, end, &next, &plen);
    if (!prop || plen < 4)
        return bad(err, "proposal runs out of the SA");
    if (next != IKE_PL_NONE || prop[3] != 1)
        return bad(err, "the server chose more or less than one transform");
    if (prop[0] != 1 || prop[1] != IKE_PROTO_ISAKMP)
        return bad(err, "the server chose a proposal we did not make");
    size_t spi = prop[2]; /* RFC 2408 2.4: none, or the sender's cookies */
    if ((spi != 0 && spi != 2 * IKE_COOKIE_LEN) || plen < 4 + spi)
        return bad(err, "proposal SPI of a wrong size");
    const uint8_t *tp = prop + 4 + spi, *tend = prop + plen;
    const uint8_t *tr = payload(tp, tend, &next, &plen);
    if (!tr)
        return bad(err, "transform runs out of the proposal");
    if (plen < 4)
        return bad(err, "transform too short");
    if (tr[1] != IKE_KEY_IKE)
        return bad(err, "a transform that is not KEY_IKE");
    return parse_v1_transform(tr, plen, out, err);
}

/* RFC 2408 4.2: the responder returns one of the initiator's transforms unmodified. */
static enum l2f_status check_v1_offered(const struct ike_reply *r,
                                        const struct ike_transform *offer, size_t n,
                                        struct l2f_err *err)
{
    const struct ike_transform *c = &r->chosen;
    bool life_ok = r->life_type == IKE_LIFE_TYPE_SECONDS && r->life_seconds == LIFE_SECONDS;
    for (size_t i = 0; life_ok && i < n; i++)
        if (c->enc == offer[i].enc && c->key_bits == offer[i].key_bits &&
            c->hash == offer[i].hash && c->auth == offer[i].auth && c->group == offer[i].group)
            return L2F_OK;
    char name[64], life[48] = "", auth[32] = "";
    ike_transform_name(c, name, sizeof name);
    if (c->auth != IKE_AUTH_PSK)
        snprintf(auth, sizeof auth, " with auth method %u", (unsigned)c->auth);
    if (!life_ok)
        snprintf(life, sizeof life, " for %lu %s", (unsigned long)r->life_seconds,
                 r->life_type == IKE_LIFE_TYPE_SECONDS ? "s" : "units of another kind");
    l2f_err_set(err, "the server chose a transform we did not offer: %s%s%s", name, auth, life);
    return L2F_ERR_PARSE;
}

enum l2f_status ike_v1_parse_reply(const uint8_t *buf, size_t len,
                                   const uint8_t cookie[IKE_COOKIE_LEN], bool marker,
                                   const struct ike_transform *offer, size_t offer_count,
                                   struct ike_reply *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    enum l2f_status st = check_header(&buf, &len, cookie, marker, 1, err);
    if (st != L2F_OK)
        return st;
    unsigned exchange = buf[18];
    if (exchange != IKE_EX_MAIN && exchange != IKE_EX_INFO)
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
        if (pl[i].type == IKE_PL_SA && exchange == IKE_EX_MAIN) {
            if (have_sa)
                return bad(err, "two SA payloads");
            st = parse_v1_sa(pl[i].body, pl[i].len, out, err);
            if (st != L2F_OK)
                return st;
            have_sa = true;
        } else if (pl[i].type == IKE_PL_NOTIFY) {
            if (pl[i].len < 8)
                return bad(err, "notify too short");
            out->notify = (uint16_t)be16_get(pl[i].body + 6);
            have_notify = true;
        } else if (pl[i].type == IKE_PL_VID) {
            if (pl[i].len == sizeof natt_vid && memcmp(pl[i].body, natt_vid, sizeof natt_vid) == 0)
                out->natt_vendor_id = true;
        }
    }
    if (have_sa) {
        static const uint8_t zero[IKE_COOKIE_LEN] = {0};
        if (memcmp(out->responder_cookie, zero, IKE_COOKIE_LEN) == 0)
            return bad(err, "MM2 without a responder cookie");
        out->kind = IKE_REPLY_ACCEPTED;
        return check_v1_offered(out, offer, offer_count, err);
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

/* IKEv2 transform types (RFC 7296 3.3.2) */
#define T2_ENCR 1
#define T2_PRF 2
#define T2_INTEG 3
#define T2_DH 4
#define ATTR2_KEY_LENGTH 14
#define PROTO2_IKE 1
#define V2_PROPOSAL 1      /* the number of our one proposal */
#define IKEV2_NONCE_MIN 16 /* RFC 7296 2.10 */

/* What IKE_SA_INIT offers: one proposal, ENCR/PRF/INTEG then both MODP groups. */
static const struct v2_transform {
    uint8_t type;
    uint16_t id, key_bits;
} v2_offer[] = {
    {T2_ENCR, 12, 256}, /* AES-CBC-256 */
    {T2_ENCR, 12, 128}, /* AES-CBC-128 */
    {T2_ENCR, 3, 0},    /* 3DES */
    {T2_PRF, 5, 0},     /* HMAC-SHA2-256 */
    {T2_PRF, 2, 0},     /* HMAC-SHA1 */
    {T2_INTEG, 12, 0},  /* HMAC-SHA2-256-128 */
    {T2_INTEG, 2, 0},   /* HMAC-SHA1-96 */
    {T2_DH, IKE_GROUP_MODP2048, 0},
    {T2_DH, IKE_GROUP_MODP1024, 0},
};
#define V2_OFFER_COUNT (sizeof v2_offer / sizeof v2_offer[0])

static void transform_v2(struct net_writer *w, bool last, unsigned type, unsigned id,
                         unsigned key_bits)
{
    size_t start = w->pos;
    nw_u8(w, last ? 0 : 3);
    nw_u8(w, 0);
    nw_u16(w, 0);
    nw_u8(w, type);
    nw_u8(w, 0);
    nw_u16(w, id);
    if (key_bits)
        attr(w, ATTR2_KEY_LENGTH, key_bits);
    nw_patch16(w, start + 2, w->pos - start);
}

size_t ike_v2_build_sa_init(uint8_t *buf, size_t len, const uint8_t spi[IKE_COOKIE_LEN],
                            uint16_t ke_group, const uint8_t *random, size_t random_len)
{
    size_t gb = group_bytes(ke_group);
    if (!gb || random_len < gb + 32)
        return 0;
    struct net_writer w;
    nw_init(&w, buf, len);
    size_t hdr = header(&w, spi, IKEV2_PL_SA, 0x20, IKEV2_EX_SA_INIT, 0x08);
    size_t sa = w.pos;
    nw_u8(&w, IKEV2_PL_KE);
    nw_u8(&w, 0);
    nw_u16(&w, 0);
    size_t prop = w.pos;
    nw_u8(&w, 0); /* last proposal */
    nw_u8(&w, 0);
    nw_u16(&w, 0);
    nw_u8(&w, V2_PROPOSAL);
    nw_u8(&w, PROTO2_IKE);
    nw_u8(&w, 0); /* SPI size */
    nw_u8(&w, V2_OFFER_COUNT);
    for (size_t i = 0; i < V2_OFFER_COUNT; i++)
        if (v2_offer[i].type != T2_DH)
            transform_v2(&w, false, v2_offer[i].type, v2_offer[i].id, v2_offer[i].key_bits);
    /* the KE group first: servers pick among the groups offered. No ESN
     * transform: it belongs to ESP proposals, and an IKE proposal with one
     * is refused (strongSwan answers NO_PROPOSAL_CHOSEN) */
    transform_v2(&w, false, T2_DH, ke_group, 0);
    transform_v2(&w, true, T2_DH,
                 ke_group == IKE_GROUP_MODP2048 ? IKE_GROUP_MODP1024 : IKE_GROUP_MODP2048, 0);
    nw_patch16(&w, prop + 2, w.pos - prop);
    nw_patch16(&w, sa + 2, w.pos - sa);
    /* KE: random below the prime; the probe never completes the exchange */
    size_t ke = w.pos;
    nw_u8(&w, IKEV2_PL_NONCE);
    nw_u8(&w, 0);
    nw_u16(&w, 0);
    nw_u16(&w, ke_group);
    nw_u16(&w, 0);
    nw_u8(&w, random[0] & 0x7F); /* every MODP prime starts with 0xFF: stay below it */
    nw_bytes(&w, random + 1, gb - 1);
    nw_patch16(&w, ke + 2, w.pos - ke);
    nw_u8(&w, 0);
    nw_u8(&w, 0);
    nw_u16(&w, 4 + 32);
    nw_bytes(&w, random + gb, 32);
    nw_patch32(&w, hdr + 24, w.pos - hdr);
    return w.failed ? 0 : w.pos;
}

static const char *v2_type_name(unsigned type)
{
    static const char *const names[] = {"type 0", "encr", "prf", "integ", "dh", "esn"};
    return type < sizeof names / sizeof names[0] ? names[type] : "a transform type";
}

/* One chosen transform: in bounds, only a Key Length attribute, and one we offered. */
static enum l2f_status v2_chosen_transform(const uint8_t *t, size_t len, unsigned *type,
                                           uint16_t *id, struct l2f_err *err)
{
    if (len < 4)
        return bad(err, "transform too short");
    unsigned key_bits = 0;
    *type = t[0];
    *id = (uint16_t)be16_get(t + 2);
    if (len == 8 && be16_get(t + 4) == (0x8000 | ATTR2_KEY_LENGTH))
        key_bits = be16_get(t + 6);
    else if (len != 4)
        return bad(err, "a transform attribute we did not offer");
    for (size_t i = 0; i < V2_OFFER_COUNT; i++)
        if (v2_offer[i].type == *type && v2_offer[i].id == *id && v2_offer[i].key_bits == key_bits)
            return L2F_OK;
    l2f_err_set(err, "the server chose a transform we did not offer: %s %u%s", v2_type_name(*type),
                (unsigned)*id, key_bits ? " with a key length" : "");
    return L2F_ERR_PARSE;
}

/* The SA of an IKE_SA_INIT answer (RFC 7296 3.3): our one proposal, and of
 * each transform type we offered exactly one of ours. */
static enum l2f_status parse_v2_sa(const uint8_t *body, size_t len, uint16_t *dh,
                                   struct l2f_err *err)
{
    unsigned next;
    size_t plen;
    const uint8_t *prop = payload(body, body + len, &next, &plen);
    if (!prop || plen < 4)
        return bad(err, "proposal runs out of the SA");
    if (next != 0 || plen + 4 != len)
        return bad(err, "more than one proposal chosen");
    if (prop[0] != V2_PROPOSAL || prop[1] != PROTO2_IKE || prop[2] != 0)
        return bad(err, "the server chose a proposal we did not make");
    const uint8_t *p = prop + 4, *end = prop + plen;
    unsigned seen = 0, count = prop[3];
    for (unsigned i = 0; i < count; i++) {
        size_t tlen;
        const uint8_t *t = payload(p, end, &next, &tlen);
        if (!t || next != (i + 1 < count ? 3u : 0u))
            return bad(err, "transforms run out of the proposal");
        unsigned type;
        uint16_t id;
        enum l2f_status st = v2_chosen_transform(t, tlen, &type, &id, err);
        if (st != L2F_OK)
            return st;
        if (seen & 1u << type)
            return bad(err, "two transforms of one type chosen");
        seen |= 1u << type;
        if (type == T2_DH)
            *dh = id;
        p = t + tlen;
    }
    unsigned all = 1u << T2_ENCR | 1u << T2_PRF | 1u << T2_INTEG | 1u << T2_DH;
    if (seen != all || p != end)
        return bad(err, "the chosen proposal lacks a transform type we offered");
    return L2F_OK;
}

/* KE and nonce of an accepted IKE_SA_INIT: the group chosen, of its size. */
static enum l2f_status check_v2_ke_nonce(const struct ike_payload *ke,
                                         const struct ike_payload *nonce, uint16_t dh,
                                         struct l2f_err *err)
{
    if (!ke || !nonce)
        return bad(err, "IKE_SA_INIT answered without KE or nonce");
    if (ke->len < 4 || be16_get(ke->body) != dh || ke->len - 4 != group_bytes(dh))
        return bad(err, "a KE payload not of the group chosen");
    if (nonce->len < IKEV2_NONCE_MIN || nonce->len > IKE_NONCE_MAX)
        return bad(err, "a nonce of a length outside 16 to 256 bytes");
    return L2F_OK;
}

/* An error notify ends the exchange: INVALID_KE_PAYLOAD, COOKIE or another
 * error type. L2F_OK with *done false for a status notify. */
static enum l2f_status v2_notify(const uint8_t *body, size_t blen, struct ike_reply *out,
                                 bool *done, struct l2f_err *err)
{
    *done = false;
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
    } else if (ntype == IKEV2_NOTIFY_COOKIE) {
        out->kind = IKE_REPLY_COOKIE;
    } else if (ntype < 16384) { /* error types; status types above do not end the exchange */
        out->kind = IKE_REPLY_NOTIFY;
    } else {
        return L2F_OK;
    }
    out->notify = (uint16_t)ntype;
    *done = true;
    return L2F_OK;
}

enum l2f_status ike_v2_parse_reply(const uint8_t *buf, size_t len,
                                   const uint8_t spi[IKE_COOKIE_LEN], struct ike_reply *out,
                                   struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    enum l2f_status st = check_header(&buf, &len, spi, false, 2, err);
    if (st != L2F_OK)
        return st;
    if (buf[18] != IKEV2_EX_SA_INIT)
        return bad(err, "not IKE_SA_INIT");
    if (!(buf[19] & 0x20))
        return bad(err, "not a response");
    memcpy(out->responder_cookie, buf + 8, IKE_COOKIE_LEN);
    struct ike_payload pl[MAX_REPLY_PAYLOADS];
    size_t n;
    if (!ike_walk(buf + IKE_HEADER_LEN, len - IKE_HEADER_LEN, buf[16], pl, MAX_REPLY_PAYLOADS, &n))
        return bad(err, "payload chain runs out of the packet");
    for (size_t i = 0; i < n; i++) {
        bool done;
        if (pl[i].type == IKEV2_PL_NOTIFY &&
            (st = v2_notify(pl[i].body, pl[i].len, out, &done, err)) != L2F_OK)
            return st;
        if (pl[i].type == IKEV2_PL_NOTIFY && done)
            return L2F_OK;
    }
    const struct ike_payload *sa = ike_find(pl, n, IKEV2_PL_SA);
    if (!sa)
        return bad(err, "neither an SA nor an error notify");
    uint16_t dh = 0;
    st = parse_v2_sa(sa->body, sa->len, &dh, err);
    if (st == L2F_OK)
        st = check_v2_ke_nonce(ike_find(pl, n, IKEV2_PL_KE), ike_find(pl, n, IKEV2_PL_NONCE), dh,
                               err);
    if (st == L2F_OK)
        out->kind = IKE_REPLY_ACCEPTED;
    return st;
}
