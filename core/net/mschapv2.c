#include "mschapv2.h"

#include <stdio.h>
#include <string.h>

#include "net/ike.h"
#include "net/ikecrypto.h"
#include "platform.h"

/* ---- MD4, RFC 1320 ---- */

static uint32_t rol(uint32_t v, unsigned s)
{
    return v << s | v >> (32 - s);
}

static void md4_block(uint32_t h[4], const uint8_t *p)
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    static const unsigned s1[4] = {3, 7, 11, 19}, s2[4] = {3, 5, 9, 13}, s3[4] = {3, 9, 11, 15};
    static const int k2[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
    static const int k3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    for (int i = 0; i < 16; i++) {
        uint32_t f = (b & c) | (~b & d), t = rol(a + f + x[i], s1[i % 4]);
        a = d, d = c, c = b, b = t;
    }
    for (int i = 0; i < 16; i++) {
        uint32_t g = (b & c) | (b & d) | (c & d),
                 t = rol(a + g + x[k2[i]] + 0x5a827999u, s2[i % 4]);
        a = d, d = c, c = b, b = t;
    }
    for (int i = 0; i < 16; i++) {
        uint32_t hh = b ^ c ^ d, t = rol(a + hh + x[k3[i]] + 0x6ed9eba1u, s3[i % 4]);
        a = d, d = c, c = b, b = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    plat_wipe(x, sizeof x);
}

void md4(const uint8_t *data, size_t len, uint8_t out[16])
{
    uint32_t h[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    size_t whole = len / 64 * 64;
    for (size_t i = 0; i < whole; i += 64)
        md4_block(h, data + i);
    uint8_t tail[128] = {0};
    size_t rest = len - whole, tail_len = rest < 56 ? 64 : 128;
    memcpy(tail, data + whole, rest);
    tail[rest] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 8 + i] = (uint8_t)(bits >> (8 * i));
    md4_block(h, tail);
    if (tail_len == 128)
        md4_block(h, tail + 64);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(h[i] >> (8 * j));
    plat_wipe(tail, sizeof tail);
}

/* ---- RFC 2759 ---- */

/* UTF-8 to UTF-16LE; false on invalid UTF-8 or when out is too small. */
static bool utf16le(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = 0;
    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80)
            cp = *p, extra = 0;
        else if ((*p & 0xe0) == 0xc0)
            cp = *p & 0x1f, extra = 1;
        else if ((*p & 0xf0) == 0xe0)
            cp = *p & 0x0f, extra = 2;
        else if ((*p & 0xf8) == 0xf0)
            cp = *p & 0x07, extra = 3;
        else
            return false;
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (*p & 0x3f);
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if (cp >= 0x10000) {
            if (n + 4 > cap)
                return false;
            uint32_t v = cp - 0x10000, hi = 0xd800 | v >> 10, lo = 0xdc00 | (v & 0x3ff);
            out[n++] = (uint8_t)hi, out[n++] = (uint8_t)(hi >> 8);
            out[n++] = (uint8_t)lo, out[n++] = (uint8_t)(lo >> 8);
        } else {
            if (n + 2 > cap)
                return false;
            out[n++] = (uint8_t)cp, out[n++] = (uint8_t)(cp >> 8);
        }
    }
    *len = n;
    return true;
}

bool mschapv2_password_hash(const char *password, uint8_t hash[16])
{
    uint8_t wide[1024];
    size_t n;
    if (!utf16le(password, wide, sizeof wide, &n))
        return false;
    md4(wide, n, hash);
    plat_wipe(wide, sizeof wide);
    return true;
}

/* The name without a "DOMAIN\" prefix (RFC 2759 8.2's "UserName"). */
static const char *bare_user(const char *user)
{
    const char *slash = strrchr(user, '\\');
    return slash ? slash + 1 : user;
}

static bool challenge_hash(const uint8_t peer[16], const uint8_t auth[16], const char *user,
                           uint8_t out[8])
{
    uint8_t buf[32 + 256], h[20];
    const char *name = bare_user(user);
    size_t n = strlen(name);
    if (n > 256)
        return false;
    memcpy(buf, peer, 16);
    memcpy(buf + 16, auth, 16);
    memcpy(buf + 32, name, n);
    if (!ikec_hash(IKE_HASH_SHA1, buf, 32 + n, h))
        return false;
    memcpy(out, h, 8);
    return true;
}

/* DES of one block under a 7-byte key spread to 8 (parity bits left 0):
 * 3DES with the same key three times is single DES. */
static bool des7(const uint8_t key7[7], const uint8_t in[8], uint8_t out[8])
{
    uint8_t k[24], zero_iv[8] = {0};
    uint64_t v = 0;
    for (int i = 0; i < 7; i++)
        v = v << 8 | key7[i];
    for (int i = 0; i < 8; i++)
        k[i] = (uint8_t)(((v >> (56 - 7 * (i + 1))) & 0x7f) << 1);
    memcpy(k + 8, k, 8);
    memcpy(k + 16, k, 8);
    bool ok = ikec_cbc(IKE_ENC_3DES, 0, k, zero_iv, in, 8, out, true);
    plat_wipe(k, sizeof k);
    return ok;
}

static bool challenge_response(const uint8_t challenge[8], const uint8_t hash[16], uint8_t out[24])
{
    uint8_t z[21] = {0};
    memcpy(z, hash, 16);
    bool ok = des7(z, challenge, out) && des7(z + 7, challenge, out + 8) &&
              des7(z + 14, challenge, out + 16);
    plat_wipe(z, sizeof z);
    return ok;
}

bool mschapv2_nt_response(const uint8_t auth_challenge[16], const uint8_t peer_challenge[16],
                          const char *user, const char *password, uint8_t nt_response[24])
{
    uint8_t ch[8], hash[16];
    bool ok = challenge_hash(peer_challenge, auth_challenge, user, ch) &&
              mschapv2_password_hash(password, hash) && challenge_response(ch, hash, nt_response);
    plat_wipe(hash, sizeof hash);
    return ok;
}

bool mschapv2_authenticator_response(const char *password, const uint8_t nt_response[24],
                                     const uint8_t peer_challenge[16],
                                     const uint8_t auth_challenge[16], const char *user,
                                     char out[MSCHAPV2_AUTH_RESPONSE_LEN + 1])
{
    static const char magic1[] = "Magic server to client signing constant";
    static const char magic2[] = "Pad to make it do more than one iteration";
    uint8_t hash[16], hash_hash[16], buf[16 + 24 + sizeof magic2], digest[20], ch[8];
    if (!mschapv2_password_hash(password, hash))
        return false;
    md4(hash, 16, hash_hash);
    plat_wipe(hash, sizeof hash);
    memcpy(buf, hash_hash, 16);
    memcpy(buf + 16, nt_response, 24);
    memcpy(buf + 40, magic1, sizeof magic1 - 1);
    bool ok = ikec_hash(IKE_HASH_SHA1, buf, 40 + sizeof magic1 - 1, digest) &&
              challenge_hash(peer_challenge, auth_challenge, user, ch);
    plat_wipe(hash_hash, sizeof hash_hash);
    if (!ok)
        return false;
    memcpy(buf, digest, 20);
    memcpy(buf + 20, ch, 8);
    memcpy(buf + 28, magic2, sizeof magic2 - 1);
    if (!ikec_hash(IKE_HASH_SHA1, buf, 28 + sizeof magic2 - 1, digest))
        return false;
    out[0] = 'S';
    out[1] = '=';
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 + 2 * i, 3, "%02X", digest[i]);
    return true;
}

bool mschapv2_success_verifies(const uint8_t *msg, size_t len,
                               const char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1])
{
    if (len < MSCHAPV2_AUTH_RESPONSE_LEN ||
        (len > MSCHAPV2_AUTH_RESPONSE_LEN && msg[MSCHAPV2_AUTH_RESPONSE_LEN] != ' '))
        return false;
    if (msg[0] != 'S' || msg[1] != '=')
        return false;
    for (size_t i = 2; i < MSCHAPV2_AUTH_RESPONSE_LEN; i++) {
        char c = (char)msg[i];
        if (c >= 'a' && c <= 'f')
            c = (char)(c - 'a' + 'A');
        if (c != want[i])
            return false;
    }
    return true;
}

static int hex_digit(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A decimal field of at most 5 digits, up to the next space or the end; -1 when not one. */
static long small_number(const uint8_t *p, size_t len)
{
    long v = 0;
    size_t i = 0;
    for (; i < len && p[i] != ' '; i++) {
        if (i == 5 || p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return i ? v : -1;
}

static void failure_field(const uint8_t *v, size_t len, char key, struct mschapv2_failure *out)
{
    long n = key == 'M' ? 0 : small_number(v, len);
    if (key == 'E' && n >= 1 && n <= 99999)
        out->error = (int)n;
    else if (key == 'R')
        out->retry = n == 1;
    else if (key == 'V' && n >= 0)
        out->version = (int)n;
    else if (key == 'C' && (len == 32 || (len > 32 && v[32] == ' '))) {
        for (size_t i = 0; i < 16; i++) {
            int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return;
            out->challenge[i] = (uint8_t)(hi << 4 | lo);
        }
        out->has_challenge = true;
    } else if (key == 'M') {
        size_t k = 0; /* the text runs to the end of the packet */
        for (size_t i = 0; i < len && k + 1 < sizeof out->message; i++)
            if (v[i] >= 0x20 && v[i] < 0x7f)
                out->message[k++] = (char)v[i];
        out->message[k] = '\0';
    }
}

void mschapv2_parse_failure(const uint8_t *msg, size_t len, struct mschapv2_failure *out)
{
    memset(out, 0, sizeof *out);
    out->error = 691;
    for (size_t i = 0; i + 2 <= len; i++) {
        bool starts = i == 0 || msg[i - 1] == ' ';
        if (!starts || msg[i + 1] != '=' || !strchr("ERCVM", msg[i]) || !msg[i])
            continue;
        failure_field(msg + i + 2, len - i - 2, (char)msg[i], out);
        if (msg[i] == 'M')
            break; /* the message is last and may hold anything */
    }
}
