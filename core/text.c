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

struct cp_range {
    unsigned long first, last;
};

/* Marks drawn over the character before them (Unicode Mn/Me, the common blocks). */
static const struct cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
    {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},
    {0x302A, 0x302D}, {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

/* East Asian Wide and Fullwidth characters (Unicode UAX #11), two columns each. */
static const struct cp_range double_width[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

static bool in_ranges(unsigned long cp, const struct cp_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].first && cp <= r[i].last)
            return true;
    return false;
}

size_t text_next_char(const char *s, int *cols)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned long cp = 0;
    size_t n = utf8_decode(p, &cp);
    if (!n || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        *cols = 1; /* shown as '?' by text_sanitize */
    else if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        *cols = 0;
    else
        *cols = in_ranges(cp, double_width, sizeof double_width / sizeof double_width[0]) ? 2 : 1;
    return n ? n : 1;
}

size_t text_width(const char *s)
{
    size_t total = 0;
    int cols;
    for (const char *p = s ? s : ""; *p; total += (size_t)cols)
        p += text_next_char(p, &cols);
    return total;
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
