#include "l2tp.h"

#include <string.h>

#include "net/bytes.h"

#define FLAG_T 0x8000 /* control message */
#define FLAG_L 0x4000 /* length present */
#define FLAG_S 0x0800 /* Ns and Nr present */
#define FLAG_O 0x0200 /* offset size present */
#define FLAG_P 0x0100 /* priority (data only) */
#define VERSION_MASK 0x000f
#define AVP_M 0x8000
#define AVP_H 0x4000
#define AVP_LEN_MASK 0x03ff
#define CONTROL_HEADER_LEN 12

const char *l2tp_message_name(unsigned type)
{
#define L2TP_MESSAGE_NAME(e, n, name)                                                              \
    case n:                                                                                        \
        return name;
    switch (type) {
        L2TP_MESSAGE_TABLE(L2TP_MESSAGE_NAME)
    }
#undef L2TP_MESSAGE_NAME
    return "unknown";
}

bool l2tp_parse_header(const uint8_t *p, size_t len, struct l2tp_header *h)
{
    memset(h, 0, sizeof *h);
    if (len < 6)
        return false;
    uint16_t flags = be16_get(p);
    if ((flags & VERSION_MASK) != 2)
        return false;
    h->control = flags & FLAG_T;
    size_t pos = 2, total = len;
    if (flags & FLAG_L) {
        total = be16_get(p + pos);
        pos += 2;
        if (total > len || total < 6)
            return false;
    } else if (h->control) {
        return false;
    }
    if (pos + 4 > total)
        return false;
    h->tunnel = be16_get(p + pos);
    h->session = be16_get(p + pos + 2);
    pos += 4;
    if (flags & FLAG_S) {
        if (pos + 4 > total)
            return false;
        h->has_sequence = true;
        h->ns = be16_get(p + pos);
        h->nr = be16_get(p + pos + 2);
        pos += 4;
    } else if (h->control) {
        return false;
    }
    if (flags & FLAG_O) {
        if (h->control || pos + 2 > total)
            return false;
        size_t offset = be16_get(p + pos);
        pos += 2 + offset;
        if (pos > total)
            return false;
    }
    h->payload = p + pos;
    h->payload_len = total - pos;
    return true;
}

bool l2tp_parse_control(const uint8_t *payload, size_t len, struct l2tp_control *c)
{
    memset(c, 0, sizeof *c);
    size_t pos = 0;
    while (pos < len) {
        if (len - pos < 6 || c->count == L2TP_MAX_AVPS)
            return false;
        uint16_t bits = be16_get(payload + pos);
        size_t alen = bits & AVP_LEN_MASK;
        if (alen < 6 || alen > len - pos || (bits & AVP_H))
            return false;
        struct l2tp_avp *a = &c->avps[c->count++];
        a->mandatory = bits & AVP_M;
        a->vendor = be16_get(payload + pos + 2);
        a->type = be16_get(payload + pos + 4);
        a->value = payload + pos + 6;
        a->len = alen - 6;
        pos += alen;
    }
    if (c->count == 0) {
        c->type = L2TP_ZLB;
        return true;
    }
    const struct l2tp_avp *first = &c->avps[0];
    if (first->vendor != 0 || first->type != L2TP_AVP_MESSAGE_TYPE || first->len != 2)
        return false;
    c->type = be16_get(first->value);
    return c->type != L2TP_ZLB;
}

const struct l2tp_avp *l2tp_find_avp(const struct l2tp_control *c, uint16_t type)
{
    for (size_t i = 0; i < c->count; i++)
        if (c->avps[i].vendor == 0 && c->avps[i].type == type)
            return &c->avps[i];
    return NULL;
}

bool l2tp_result_code(const struct l2tp_control *c, struct l2tp_result *out)
{
    memset(out, 0, sizeof *out);
    const struct l2tp_avp *a = l2tp_find_avp(c, L2TP_AVP_RESULT_CODE);
    if (!a || a->len < 2 || a->len == 3)
        return false;
    out->result = be16_get(a->value);
    if (a->len == 2)
        return true;
    out->has_error = true;
    out->error = be16_get(a->value + 2);
    size_t k = 0;
    for (size_t i = 4; i < a->len && k + 1 < sizeof out->message; i++)
        if (a->value[i] >= 0x20 && a->value[i] < 0x7f)
            out->message[k++] = (char)a->value[i];
    out->message[k] = '\0';
    return true;
}

bool l2tp_avp_u16(const struct l2tp_control *c, uint16_t type, uint16_t *out)
{
    const struct l2tp_avp *a = l2tp_find_avp(c, type);
    if (!a || a->len != 2)
        return false;
    *out = be16_get(a->value);
    return true;
}

size_t l2tp_put_avp(uint8_t *buf, size_t pos, size_t cap, uint16_t type, const void *value,
                    size_t len)
{
    if (!pos || len > AVP_LEN_MASK - 6 || pos + 6 + len > cap)
        return 0;
    be16_put(buf + pos, AVP_M | (unsigned)(6 + len));
    be16_put(buf + pos + 2, 0);
    be16_put(buf + pos + 4, type);
    if (len)
        memcpy(buf + pos + 6, value, len);
    return pos + 6 + len;
}

size_t l2tp_put_avp_u16(uint8_t *buf, size_t pos, size_t cap, uint16_t type, uint16_t value)
{
    uint8_t v[2];
    be16_put(v, value);
    return l2tp_put_avp(buf, pos, cap, type, v, 2);
}

size_t l2tp_put_avp_u32(uint8_t *buf, size_t pos, size_t cap, uint16_t type, uint32_t value)
{
    uint8_t v[4];
    be16_put(v, value >> 16);
    be16_put(v + 2, value & 0xffff);
    return l2tp_put_avp(buf, pos, cap, type, v, 4);
}

size_t l2tp_begin_control(uint8_t *buf, size_t cap, unsigned type, uint16_t tunnel,
                          uint16_t session, uint16_t ns, uint16_t nr)
{
    if (cap < CONTROL_HEADER_LEN)
        return 0;
    be16_put(buf, FLAG_T | FLAG_L | FLAG_S | 2);
    be16_put(buf + 2, CONTROL_HEADER_LEN);
    be16_put(buf + 4, tunnel);
    be16_put(buf + 6, session);
    be16_put(buf + 8, ns);
    be16_put(buf + 10, nr);
    if (type == L2TP_ZLB)
        return CONTROL_HEADER_LEN;
    return l2tp_put_avp_u16(buf, CONTROL_HEADER_LEN, cap, L2TP_AVP_MESSAGE_TYPE, (uint16_t)type);
}

size_t l2tp_finish(uint8_t *buf, size_t len)
{
    if (len)
        be16_put(buf + 2, (unsigned)len);
    return len;
}

size_t l2tp_build_sccrq(uint8_t *buf, size_t cap, const char *host_name, uint16_t our_tunnel,
                        uint16_t window)
{
    static const uint8_t version[2] = {1, 0};
    size_t n = l2tp_begin_control(buf, cap, L2TP_SCCRQ, 0, 0, 0, 0);
    n = l2tp_put_avp(buf, n, cap, L2TP_AVP_PROTOCOL_VERSION, version, sizeof version);
    n = l2tp_put_avp_u32(buf, n, cap, L2TP_AVP_FRAMING_CAPABILITIES, 3);
    n = l2tp_put_avp_u32(buf, n, cap, L2TP_AVP_BEARER_CAPABILITIES, 0);
    n = l2tp_put_avp(buf, n, cap, L2TP_AVP_HOST_NAME, host_name, strlen(host_name));
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_ASSIGNED_TUNNEL_ID, our_tunnel);
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_RECEIVE_WINDOW, window);
    return l2tp_finish(buf, n);
}

size_t l2tp_build_stopccn(uint8_t *buf, size_t cap, uint16_t peer_tunnel, uint16_t our_tunnel,
                          uint16_t result, uint16_t ns, uint16_t nr)
{
    uint8_t code[2];
    be16_put(code, result);
    size_t n = l2tp_begin_control(buf, cap, L2TP_STOPCCN, peer_tunnel, 0, ns, nr);
    n = l2tp_put_avp_u16(buf, n, cap, L2TP_AVP_ASSIGNED_TUNNEL_ID, our_tunnel);
    n = l2tp_put_avp(buf, n, cap, L2TP_AVP_RESULT_CODE, code, sizeof code);
    return l2tp_finish(buf, n);
}
