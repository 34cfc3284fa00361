/* Substring search over lines with wrap-around (see textsearch.h). Lines
 * are short (names, help paragraphs): a plain scan is fast enough. */
#include "textsearch.h"

#include <string.h>

static int fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool equal_at(const char *s, const char *needle)
{
    for (; *needle; s++, needle++)
        if (!*s || fold((unsigned char)*s) != fold((unsigned char)*needle))
            return false;
    return true;
}

const char *textsearch_in(const char *hay, const char *needle, size_t from)
{
    if (!needle[0] || from > strlen(hay))
        return NULL;
    for (const char *p = hay + from; *p; p++)
        if (equal_at(p, needle))
            return p;
    return NULL;
}

bool textsearch_starts(const char *s, const char *prefix)
{
    return prefix[0] && equal_at(s, prefix);
}

/* The first occurrence in line i at or after byte from. */
static bool first_in(const struct textsearch *ts, const char *needle, size_t i, size_t from,
                     struct textsearch_pos *hit)
{
    const char *s = ts->line(ts->ctx, i);
    const char *p = textsearch_in(s, needle, from);
    if (p)
        *hit = (struct textsearch_pos){i, (size_t)(p - s)};
    return p != NULL;
}

/* The last occurrence in line i that starts before byte below. */
static bool last_in(const struct textsearch *ts, const char *needle, size_t i, size_t below,
                    struct textsearch_pos *hit)
{
    const char *s = ts->line(ts->ctx, i);
    bool found = false;
    for (const char *p = textsearch_in(s, needle, 0); p && (size_t)(p - s) < below;
         p = textsearch_in(s, needle, (size_t)(p - s) + 1)) {
        *hit = (struct textsearch_pos){i, (size_t)(p - s)};
        found = true;
    }
    return found;
}

static bool forward(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                    struct textsearch_pos *hit, bool *wrapped)
{
    *wrapped = false;
    if (ts->n == 0 || !needle[0])
        return false;
    if (at.line >= ts->n)
        at = (struct textsearch_pos){0, 0};
    if (at.off != TEXTSEARCH_LINE_END && first_in(ts, needle, at.line, at.off, hit))
        return true;
    for (size_t k = 1; k <= ts->n; k++) {
        size_t i = (at.line + k) % ts->n;
        *wrapped = *wrapped || i == 0;
        struct textsearch_pos p;
        if (!first_in(ts, needle, i, 0, &p))
            continue;
        /* back on the starting line, only what lies before the start is new */
        if (i == at.line && p.off >= at.off)
            return false;
        *hit = p;
        return true;
    }
    return false;
}

bool textsearch_from(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped)
{
    return forward(ts, needle, at, hit, wrapped);
}

bool textsearch_next(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped)
{
    if (at.off != TEXTSEARCH_LINE_END)
        at.off++;
    return forward(ts, needle, at, hit, wrapped);
}

bool textsearch_prev(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped)
{
    *wrapped = false;
    if (ts->n == 0 || !needle[0])
        return false;
    if (at.line >= ts->n)
        at = (struct textsearch_pos){ts->n - 1, TEXTSEARCH_LINE_END};
    if (last_in(ts, needle, at.line, at.off, hit))
        return true;
    for (size_t k = 1; k <= ts->n; k++) {
        size_t i = (at.line + ts->n - k) % ts->n;
        *wrapped = *wrapped || i == ts->n - 1;
        struct textsearch_pos p;
        if (!last_in(ts, needle, i, TEXTSEARCH_LINE_END, &p))
            continue;
        /* back on the starting line, only what lies at or after the start is new */
        if (i == at.line && p.off < at.off)
            return false;
        *hit = p;
        return true;
    }
    return false;
}

bool textsearch_first_prefix(const struct textsearch *ts, const char *prefix, size_t *line)
{
    for (size_t i = 0; i < ts->n; i++)
        if (textsearch_starts(ts->line(ts->ctx, i), prefix)) {
            *line = i;
            return true;
        }
    return false;
}
