#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

bool text_copy(char *dst, size_t len, const char *src)
{
    if (len == 0)
        return false;
    size_t n = strlen(src);
    bool fits = n < len;
    if (!fits) {
        n = len - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return fits;
}

int text_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

/* Length of a valid UTF-8 sequence at s (1-4) with its code point, or 0 when
 * invalid (overlong forms, surrogates, beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, unsigned long *out)
{
    if (s[0] < 0x80) {
        *out = s[0];
        return 1;
    }
    size_t n;
    unsigned long cp;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const unsigned long min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out = cp;
    return n;
}

char *text_sanitize(char *dst, size_t len, const char *src, bool ascii_only)
{
    if (len == 0)
        return dst;
    size_t used = 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    bool cut = false;
    while (*s) {
        unsigned long cp = 0;
        size_t n = utf8_decode(s, &cp);
        /* C0 and C1 controls and DEL start escape sequences on some terminals */
        bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
        bool ok = n > 0 && !control && !(ascii_only && n > 1);
        size_t out = ok ? n : 1;
        if (used + out + 1 > len) {
            cut = true;
            break;
        }
        if (ok)
            memcpy(dst + used, s, n);
        else
            dst[used] = '?';
        used += out;
        s += n ? n : 1;
    }
    dst[used] = '\0';
    if (cut && len >= 4) {
        /* step back to a character boundary that leaves room for "..." */
        size_t end = used;
        while (end > 0 && end + 4 > len)
            end--;
        while (end > 0 && ((unsigned char)dst[end] & 0xC0) == 0x80)
            end--;
        memcpy(dst + end, "...", 4);
    }
    return dst;
}

void text_printf(struct text_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
}
