#include "ppp.h"

#include <stdio.h>
#include <string.h>

#include "net/bytes.h"

#define CHAP_MD5 0x05
#define CHAP_MSV1 0x80
#define CHAP_MSV2 0x81

const char *ppp_auth_name(enum ppp_auth a)
{
#define PPP_AUTH_NAME(e, name)                                                                     \
    case e:                                                                                        \
        return name;
    switch (a) {
        PPP_AUTH_TABLE(PPP_AUTH_NAME)
    case PPP_AUTH_COUNT:
        break;
    }
#undef PPP_AUTH_NAME
    return "other";
}

const char *ppp_protocol_name(uint16_t protocol, char buf[24])
{
#define PPP_PROTOCOL_NAME(number, name)                                                            \
    if (protocol == (number))                                                                      \
        return name;
    PPP_PROTOCOL_TABLE(PPP_PROTOCOL_NAME)
#undef PPP_PROTOCOL_NAME
    snprintf(buf, 24, "protocol 0x%04x", (unsigned)protocol);
    return buf;
}

const char *ppp_option_name(uint16_t protocol, uint8_t type, char buf[24])
{
#define PPP_OPTION_NAME(proto, number, name)                                                       \
    if (protocol == (proto) && type == (number))                                                   \
        return name;
    PPP_OPTION_TABLE(PPP_OPTION_NAME)
#undef PPP_OPTION_NAME
    snprintf(buf, 24, "option %u", (unsigned)type);
    return buf;
}

enum ppp_auth ppp_auth_of(const uint8_t *value, size_t len)
{
    if (len < 2)
        return PPP_AUTH_OTHER;
    unsigned proto = be16_get(value);
    if (proto == PPP_EAP)
        return PPP_AUTH_EAP;
    if (proto == PPP_PAP)
        return PPP_AUTH_PAP;
    if (proto == PPP_CHAP && len >= 3)
        return value[2] == CHAP_MSV2   ? PPP_AUTH_MSCHAPV2
               : value[2] == CHAP_MSV1 ? PPP_AUTH_MSCHAPV1
               : value[2] == CHAP_MD5  ? PPP_AUTH_CHAP_MD5
                                       : PPP_AUTH_OTHER;
    return PPP_AUTH_OTHER;
}

size_t ppp_auth_value(enum ppp_auth a, uint8_t out[3])
{
    unsigned proto = a == PPP_AUTH_EAP ? PPP_EAP : a == PPP_AUTH_PAP ? PPP_PAP : PPP_CHAP;
    be16_put(out, proto);
    switch (a) {
    case PPP_AUTH_EAP:
    case PPP_AUTH_PAP:
        return 2;
    case PPP_AUTH_MSCHAPV2:
        out[2] = CHAP_MSV2;
        return 3;
    case PPP_AUTH_MSCHAPV1:
        out[2] = CHAP_MSV1;
        return 3;
    case PPP_AUTH_CHAP_MD5:
        out[2] = CHAP_MD5;
        return 3;
    default:
        return 0;
    }
}

bool ppp_parse(const uint8_t *frame, size_t len, struct ppp_packet *out)
{
    memset(out, 0, sizeof *out);
    size_t pos = 0;
    if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03)
        pos = 2;
    if (pos >= len)
        return false;
    /* a protocol field with an odd first byte is the compressed, 1-byte form */
    if (frame[pos] & 1) {
        out->protocol = frame[pos];
        pos += 1;
    } else {
        if (pos + 2 > len)
            return false;
        out->protocol = be16_get(frame + pos);
        pos += 2;
    }
    if (pos + 4 > len)
        return false;
    size_t plen = be16_get(frame + pos + 2);
    if (plen < 4 || pos + plen > len)
        return false;
    out->code = frame[pos];
    out->id = frame[pos + 1];
    out->data = frame + pos + 4;
    out->len = plen - 4;
    return true;
}

size_t ppp_build(uint8_t *buf, size_t cap, uint16_t protocol, uint8_t code, uint8_t id,
                 const uint8_t *data, size_t len)
{
    if (len > 0xffff - 4 || 8 + len > cap)
        return 0;
    buf[0] = 0xff;
    buf[1] = 0x03;
    be16_put(buf + 2, protocol);
    buf[4] = code;
    buf[5] = id;
    be16_put(buf + 6, len + 4);
    if (len)
        memcpy(buf + 8, data, len);
    return 8 + len;
}

bool ppp_options(const uint8_t *data, size_t len, struct ppp_option *out, size_t max, size_t *count)
{
    size_t pos = 0;
    *count = 0;
    while (pos < len) {
        if (len - pos < 2 || data[pos + 1] < 2 || data[pos + 1] > len - pos || *count == max)
            return false;
        out[*count].type = data[pos];
        out[*count].value = data + pos + 2;
        out[*count].len = (size_t)data[pos + 1] - 2;
        (*count)++;
        pos += data[pos + 1];
    }
    return true;
}

size_t ppp_put_option(uint8_t *buf, size_t pos, size_t cap, uint8_t type, const uint8_t *value,
                      size_t len)
{
    if (len > 253 || pos + 2 + len > cap)
        return 0;
    buf[pos] = type;
    buf[pos + 1] = (uint8_t)(len + 2);
    if (len)
        memcpy(buf + pos + 2, value, len);
    return pos + 2 + len;
}

size_t ppp_ident_build(uint8_t *buf, size_t cap, const uint8_t magic[4], const char *message)
{
    size_t len = strlen(message);
    if (len > 255 || 4 + len > cap)
        return 0;
    memcpy(buf, magic, 4);
    memcpy(buf + 4, message, len);
    return 4 + len;
}

bool ppp_ident_message(const struct ppp_packet *p, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (p->len < 4 || !cap)
        return false;
    size_t n = p->len - 4 < cap - 1 ? p->len - 4 : cap - 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p->data[4 + i];
        out[i] = b >= 0x20 && b < 0x7f ? (char)b : '?';
    }
    out[n] = '\0';
    return true;
}
