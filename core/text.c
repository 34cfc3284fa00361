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

/* A plain word may be shortened: letters only (any non-ASCII letter too), at
 * most a capital first, an opening bracket before and punctuation after. A
 * digit, '-', '=', '_', '.', '/', a quote or a capital inside makes it a
 * number, an id, a value or a name, which is kept whole or not at all. */
static bool token_is_plain(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '(')
        i++;
    size_t first = i;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (i == first && c >= 'A' && c <= 'Z'))
            i++;
        else
            break;
    }
    if (i == first)
        return false;
    while (i < n && strchr(",;:!?)", s[i]))
        i++;
    return i == n;
}

/* Bytes of s that take at most cols columns (zero-width marks stay with their
 * character). */
static size_t bytes_in_cols(const char *s, size_t cols)
{
    size_t b = 0, w = 0;
    while (s[b]) {
        int cw;
        size_t n = text_next_char(s + b, &cw);
        if (w + (size_t)cw > cols)
            break;
        w += (size_t)cw;
        b += n;
    }
    return b;
}

static size_t token_end(const char *s, size_t at)
{
    while (s[at] && s[at] != ' ')
        at++;
    return at;
}

static size_t skip_spaces(const char *s, size_t at)
{
    while (s[at] == ' ')
        at++;
    return at;
}

/* Appends n bytes of s to dst (len bytes, used so far *used), on a character
 * boundary when dst is full. */
static void put_bytes(char *dst, size_t len, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > len) {
        n = len - 1 - *used;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst + *used, s, n);
    *used += n;
    dst[*used] = '\0';
}

/* Columns of s[from, to). */
static size_t span_width(const char *s, size_t from, size_t to)
{
    size_t w = 0;
    for (size_t b = from; b < to;) {
        int cw;
        b += text_next_char(s + b, &cw);
        w += (size_t)cw;
    }
    return w;
}

/* The end of the longest run of whole tokens from src that leaves room for
 * " " and the ellipsis (ew columns) in cols; 0 when not even one does. A comma,
 * semicolon or colon that would dangle before the ellipsis goes with the cut. */
static size_t whole_tokens_end(const char *src, size_t cols, size_t ew)
{
    size_t best = 0, at = 0, width = 0;
    while (src[at]) {
        size_t end = token_end(src, at), bare = end;
        while (bare > at + 1 && strchr(",;:", src[bare - 1]))
            bare--;
        if (width + span_width(src, at, bare) + 1 + ew > cols)
            break;
        best = bare;
        size_t next = skip_spaces(src, end);
        width += span_width(src, at, end) + (next - end);
        at = next;
    }
    return best;
}

/* Whether a line of cols columns can start with this token whole (and room
 * for " " and the ellipsis when more follows). */
static bool token_fits(const char *s, size_t cols, size_t ew)
{
    size_t end = token_end(s, 0);
    size_t w = span_width(s, 0, end);
    bool last = !s[end] || !s[skip_spaces(s, end)];
    return last ? w <= cols : w + 1 + ew <= cols;
}

static size_t fit_from(char *dst, size_t len, const char *src, size_t cols, const char *ellipsis,
                       bool may_shorten);

/* Copies src without the word "the" after its first word: a sentence too wide
 * reads as a telegram before it loses a word that carries meaning. */
static void drop_fillers(char *dst, size_t len, const char *src)
{
    size_t used = 0, at = 0;
    dst[0] = '\0';
    while (src[at]) {
        size_t start = skip_spaces(src, at), end = token_end(src, start);
        bool filler = start > 0 && end - start == 3 && strncmp(src + start, "the", 3) == 0;
        if (!filler)
            put_bytes(dst, len, &used, src + at, end - at);
        at = end;
    }
}

size_t text_fit(char *dst, size_t len, const char *src, size_t cols, const char *ellipsis)
{
    if (!src || text_width(src) <= cols)
        return fit_from(dst, len, src, cols, ellipsis, true);
    char *terse = malloc(strlen(src) + 1);
    if (!terse) /* the words stay: only the tail goes */
        return fit_from(dst, len, src, cols, ellipsis, true);
    drop_fillers(terse, strlen(src) + 1, src);
    size_t w = fit_from(dst, len, terse, cols, ellipsis, true);
    free(terse);
    return w;
}

/* may_shorten: false once a token was dropped, when a shortened word would be
 * a fragment out of its context */
static size_t fit_from(char *dst, size_t len, const char *src, size_t cols, const char *ellipsis,
                       bool may_shorten)
{
    if (len == 0)
        return 0;
    dst[0] = '\0';
    src = src ? src : "";
    size_t used = 0, ew = text_width(ellipsis), width = text_width(src);
    if (width <= cols) {
        put_bytes(dst, len, &used, src, strlen(src));
        return width;
    }
    if (cols < ew)
        return 0;
    src += skip_spaces(src, 0);
    size_t end = whole_tokens_end(src, cols, ew);
    if (end > 0) { /* the head of the sentence, then " …" */
        put_bytes(dst, len, &used, src, end);
        put_bytes(dst, len, &used, " ", 1);
        put_bytes(dst, len, &used, ellipsis, strlen(ellipsis));
        return text_width(dst);
    }
    size_t first_end = token_end(src, 0);
    /* one long word: its start is still a word */
    if (may_shorten && token_is_plain(src, first_end)) {
        put_bytes(dst, len, &used, src, bytes_in_cols(src, cols - ew));
        put_bytes(dst, len, &used, ellipsis, strlen(ellipsis));
        return text_width(dst);
    }
    /* the first tokens cannot show whole: say they were dropped, then the rest */
    put_bytes(dst, len, &used, ellipsis, strlen(ellipsis));
    if (cols < ew + 2)
        return ew;
    size_t room = cols - ew - 1, at = skip_spaces(src, first_end);
    while (src[at] && !token_fits(src + at, room, ew))
        at = skip_spaces(src, token_end(src, at));
    if (!src[at])
        return ew;
    put_bytes(dst, len, &used, " ", 1);
    return ew + 1 + fit_from(dst + used, len - used, src + at, room, ellipsis, false);
}
