#include "regfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence; invalid bytes become U+FFFD. */
static unsigned long utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned long cp;
    int extra;
    if (s[0] < 0x80) {
        *p += 1;
        return s[0];
    } else if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1F;
        extra = 1;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0F;
        extra = 2;
    } else if ((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07;
        extra = 3;
    } else {
        *p += 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p += (size_t)i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *p += (size_t)extra + 1;
    return cp > 0x10FFFF ? 0xFFFD : cp;
}

static void put16(unsigned char *out, size_t *used, unsigned long u)
{
    out[(*used)++] = (unsigned char)(u & 0xFF);
    out[(*used)++] = (unsigned char)(u >> 8);
}

/* .reg strings escape backslash and double quote with a backslash. */
static size_t escape_reg(const char *in, char *out, size_t len)
{
    size_t used = 0;
    for (; *in && used + 2 < len; in++) {
        if (*in == '\\' || *in == '"')
            out[used++] = '\\';
        out[used++] = *in;
    }
    out[used] = '\0';
    return used;
}

enum l2f_status regfile_render_dword(const char *key, const char *value, bool exists,
                                     unsigned long data, unsigned char **out, size_t *out_len)
{
    char name[512], text[1536];
    escape_reg(value, name, sizeof name);
    int n;
    if (exists)
        n = snprintf(
            text, sizeof text,
            "Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n\"%s\"=dword:%08lx\r\n\r\n", key,
            name, data & 0xFFFFFFFFUL);
    else
        n = snprintf(text, sizeof text,
                     "Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n\"%s\"=-\r\n\r\n", key,
                     name);
    if (n < 0 || (size_t)n >= sizeof text)
        return L2F_ERR_USAGE;
    /* at most two UTF-16 units per byte of input, plus the BOM */
    unsigned char *buf = malloc(2 + (size_t)n * 4);
    if (!buf)
        return L2F_ERR_NOMEM;
    size_t used = 0;
    put16(buf, &used, 0xFEFF);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        unsigned long cp = utf8_next(&p);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(buf, &used, 0xD800 | (cp >> 10));
            put16(buf, &used, 0xDC00 | (cp & 0x3FF));
        } else {
            put16(buf, &used, cp);
        }
    }
    *out = buf;
    *out_len = used;
    return L2F_OK;
}
