#include "keylint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

/* The characters text copied from mail, word processors and web pages brings
 * in, with their Unicode names and the ASCII a person meant (NULL: none). */
static const struct named_char {
    unsigned cp;
    const char *name;
    const char *ascii; /* "" for invisible ones, which fold to nothing */
} named[] = {
    {0x0009, "CHARACTER TABULATION", NULL},
    {0x000A, "LINE FEED", NULL},
    {0x000D, "CARRIAGE RETURN", NULL},
    {0x0022, "QUOTATION MARK", NULL},
    {0x0027, "APOSTROPHE", NULL},
    {0x005C, "REVERSE SOLIDUS", NULL},
    {0x00A0, "NO-BREAK SPACE", " "},
    {0x00AD, "SOFT HYPHEN", ""},
    {0x00B4, "ACUTE ACCENT", "'"},
    {0x2002, "EN SPACE", " "},
    {0x2003, "EM SPACE", " "},
    {0x2009, "THIN SPACE", " "},
    {0x200A, "HAIR SPACE", " "},
    {0x200B, "ZERO WIDTH SPACE", ""},
    {0x200C, "ZERO WIDTH NON-JOINER", ""},
    {0x200D, "ZERO WIDTH JOINER", ""},
    {0x2010, "HYPHEN", "-"},
    {0x2011, "NON-BREAKING HYPHEN", "-"},
    {0x2012, "FIGURE DASH", "-"},
    {0x2013, "EN DASH", "-"},
    {0x2014, "EM DASH", "-"},
    {0x2018, "LEFT SINGLE QUOTATION MARK", "'"},
    {0x2019, "RIGHT SINGLE QUOTATION MARK", "'"},
    {0x201A, "SINGLE LOW-9 QUOTATION MARK", "'"},
    {0x201B, "SINGLE HIGH-REVERSED-9 QUOTATION MARK", "'"},
    {0x201C, "LEFT DOUBLE QUOTATION MARK", "\""},
    {0x201D, "RIGHT DOUBLE QUOTATION MARK", "\""},
    {0x201E, "DOUBLE LOW-9 QUOTATION MARK", "\""},
    {0x2026, "HORIZONTAL ELLIPSIS", "..."},
    {0x202F, "NARROW NO-BREAK SPACE", " "},
    {0x2032, "PRIME", "'"},
    {0x2033, "DOUBLE PRIME", "\""},
    {0x2060, "WORD JOINER", ""},
    {0x2212, "MINUS SIGN", "-"},
    {0x3000, "IDEOGRAPHIC SPACE", " "},
    {0xFEFF, "ZERO WIDTH NO-BREAK SPACE", ""},
};

static const struct named_char *find_named(unsigned cp)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].cp == cp)
            return &named[i];
    return NULL;
}

/* One UTF-8 sequence at s: its length, or 0 for a byte that starts none
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (!n || n > len)
        return 0;
    unsigned v = n == 1 ? s[0] : s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

struct lint_run {
    struct keylint *out;
    size_t budget;  /* per-character warnings that fit before the "more" line */
    size_t dropped; /* per-character warnings past the budget */
};

static void add(struct keylint *out, enum keylint_kind kind, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void add(struct keylint *out, enum keylint_kind kind, size_t pos, const char *fmt, ...)
{
    struct keylint_warning *w = &out->w[out->n++];
    va_list ap;
    w->kind = kind;
    w->pos = pos;
    va_start(ap, fmt);
    vsnprintf(w->text, sizeof w->text, fmt, ap);
    va_end(ap);
}

/* What one character at pos (not a leading or trailing blank) deserves, if anything. */
static void lint_char(struct lint_run *run, unsigned cp, size_t pos)
{
    const struct named_char *nc = find_named(cp);
    char code[64];
    snprintf(code, sizeof code, "U+%04X%s%s", cp, nc ? " " : "", nc ? nc->name : "");
    enum keylint_kind kind;
    const char *why;
    if (cp == 0x0A || cp == 0x0D)
        kind = KEYLINT_LINE_BREAK, why = "a line break: a key is one line, and what follows the "
                                         "break is not part of the key the file gives";
    else if (cp == 0x22 || cp == 0x27 || cp == 0x5C)
        kind = KEYLINT_QUOTE_OR_BACKSLASH,
        why =
            "the configuration files of some servers (ipsec.secrets, xl2tpd) drop or escape quotes "
            "and backslashes: check the key there";
    else if (cp < 0x20 || cp == 0x7F)
        kind = KEYLINT_CONTROL, why = "a control character no key should hold";
    else if (cp < 0x80)
        return; /* plain ASCII, blanks inside the key included */
    else if (nc && nc->ascii && strcmp(nc->ascii, " ") == 0)
        kind = KEYLINT_NO_BREAK_SPACE, why = "looks like a space and is not U+0020";
    else
        kind = KEYLINT_NON_ASCII, why = nc && nc->ascii && !nc->ascii[0]
                                            ? "invisible, and not ASCII"
                                            : "not ASCII: Windows and the server may encode it "
                                              "differently";
    if (run->budget == 0) {
        run->dropped++;
        return;
    }
    run->budget--;
    add(run->out, kind, pos, "%s at position %lu: %s", code, (unsigned long)pos, why);
}

/* Counts the characters of key[0..len) (a byte that is not UTF-8 counts as one). */
static size_t count_chars(const unsigned char *key, size_t len)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        unsigned cp;
        size_t n = utf8_decode(key + i, len - i, &cp);
        i += n ? n : 1;
    }
    return chars;
}

/* A line break after the key, in a file that goes on after the key's line. */
struct after_line {
    unsigned cp; /* 0: none */
    size_t pos;
};

static size_t lint_key(const char *key, size_t len, struct after_line after, struct keylint *out)
{
    const unsigned char *k = (const unsigned char *)key;
    memset(out, 0, sizeof *out);
    size_t lead = 0, trail = 0;
    while (lead < len && is_blank(k[lead]))
        lead++;
    while (trail < len - lead && is_blank(k[len - 1 - trail]))
        trail++;
    char folded[1024];
    bool folds = keylint_fold(key, len, folded, sizeof folded) &&
                 (strlen(folded) != len || memcmp(folded, key, len) != 0);
    plat_wipe(folded, sizeof folded); /* a copy of the key: not left on the stack */
    size_t summaries = (lead > 0) + (trail > 0) + folds + (after.cp != 0);
    struct lint_run run = {out, KEYLINT_MAX - summaries - 1, 0};
    if (lead)
        add(out, KEYLINT_LEADING_BLANK, 1,
            "%lu blank%s before the key (from position 1): keys on servers rarely start with one",
            (unsigned long)lead, lead > 1 ? "s" : "");
    size_t pos = lead; /* leading blanks are one byte each */
    for (size_t i = lead; i < len - trail;) {
        unsigned cp;
        size_t n = utf8_decode(k + i, len - trail - i, &cp);
        pos++;
        if (!n) {
            if (run.budget) {
                run.budget--;
                add(out, KEYLINT_NOT_UTF8, pos,
                    "byte 0x%02X at position %lu is not UTF-8: a file saved in a Windows code "
                    "page? Save it as UTF-8",
                    k[i], (unsigned long)pos);
            } else {
                run.dropped++;
            }
            i++;
            continue;
        }
        lint_char(&run, cp, pos);
        i += n;
    }
    if (run.dropped)
        add(out, KEYLINT_MORE, 0, "... and %lu more character%s like these",
            (unsigned long)run.dropped, run.dropped > 1 ? "s" : "");
    if (trail) {
        size_t chars = count_chars(k, len);
        add(out, KEYLINT_TRAILING_BLANK, chars - trail + 1,
            "%lu blank%s after the key (from position %lu): keys on servers rarely end with one",
            (unsigned long)trail, trail > 1 ? "s" : "", (unsigned long)(chars - trail + 1));
    }
    if (after.cp)
        add(out, KEYLINT_LINE_BREAK, after.pos,
            "U+%04X %s at position %lu: the file goes on after it, and only the first line is "
            "the key",
            after.cp, find_named(after.cp)->name, (unsigned long)after.pos);
    if (folds)
        add(out, KEYLINT_FOLDS, 0,
            "the key differs from its ASCII-folded form (smart quotes made straight, dashes made "
            "-, odd spaces made U+0020): a key typed on the server is likely the folded one");
    return out->n;
}

size_t keylint_check(const char *key, size_t len, struct keylint *out)
{
    return lint_key(key, len, (struct after_line){0, 0}, out);
}

size_t keylint_check_file(const char *text, size_t len, struct keylint *out)
{
    size_t line = 0;
    while (line < len && text[line] != '\n' && text[line] != '\r')
        line++;
    size_t end = line; /* past the line ending: \n, \r\n or \r */
    if (end < len)
        end += text[end] == '\r' && end + 1 < len && text[end + 1] == '\n' ? 2 : 1;
    struct after_line after = {0, 0};
    if (end < len) { /* more than the one line */
        after.cp = (unsigned char)text[line];
        after.pos = count_chars((const unsigned char *)text, line) + 1;
    }
    return lint_key(text, line, after, out);
}

bool keylint_fold(const char *key, size_t len, char *out, size_t out_len)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp = 0;
        size_t n = utf8_decode(k + i, len - i, &cp);
        const struct named_char *nc = n && cp >= 0x80 ? find_named(cp) : NULL;
        const char *put = nc && nc->ascii ? nc->ascii : NULL;
        size_t put_len = put ? strlen(put) : (n ? n : 1);
        if (o + put_len + 1 > out_len)
            return false;
        memcpy(out + o, put ? put : key + i, put_len);
        o += put_len;
        i += n ? n : 1;
    }
    out[o] = '\0';
    return true;
}
