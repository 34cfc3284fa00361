/* Finding text in a list of lines, as '/' does in less and htop: a
 * substring, ASCII letters matched without regard to case (other bytes as
 * they are), stepping to the next or previous occurrence and wrapping round
 * the ends. Pure: the caller hands out the lines one at a time. */
#ifndef L2F_TEXTSEARCH_H
#define L2F_TEXTSEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* The lines searched: line(ctx, i) is the i-th of n, never NULL; it may
 * reuse one buffer, as each line is read before the next is asked for. */
struct textsearch {
    const char *(*line)(void *ctx, size_t i);
    void *ctx;
    size_t n;
};

/* Where an occurrence starts: a line and a byte offset in it. */
struct textsearch_pos {
    size_t line, off;
};

/* An offset past every occurrence in a line: "after the whole line". */
#define TEXTSEARCH_LINE_END ((size_t)-1)

/* The first byte of needle in hay at or after byte from, or NULL. An empty
 * needle is found nowhere. */
const char *textsearch_in(const char *hay, const char *needle, size_t from);
/* Whether s starts with prefix (an empty prefix: no). */
bool textsearch_starts(const char *s, const char *prefix);

/* The first occurrence at or after at, wrapping past the last line to the
 * first. Returns false when no line holds needle. */
bool textsearch_from(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped);
/* The first occurrence strictly after at (n in less), wrapping. */
bool textsearch_next(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped);
/* The last occurrence strictly before at (N in less), wrapping. */
bool textsearch_prev(const struct textsearch *ts, const char *needle, struct textsearch_pos at,
                     struct textsearch_pos *hit, bool *wrapped);
/* The first line that starts with prefix (type-to-jump); false if none. */
bool textsearch_first_prefix(const struct textsearch *ts, const char *prefix, size_t *line);

#endif
