/* Small text helpers shared by the core and both front ends. */
#ifndef L2F_TEXT_H
#define L2F_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copies src into dst, cut to fit (on a UTF-8 boundary); returns false when
 * it had to cut. */
bool text_copy(char *dst, size_t len, const char *src);
/* ASCII case-insensitive comparison (host names). */
int text_casecmp(const char *a, const char *b);
/* Copies src into dst so that it is safe to show on a terminal: control
 * characters and escape sequences become '?', invalid UTF-8 becomes '?', and
 * with ascii_only every non-ASCII character becomes '?'. Always terminates;
 * a cut-off string ends in "..." . Returns dst. */
char *text_sanitize(char *dst, size_t len, const char *src, bool ascii_only);
/* The terminal columns s takes once sanitized: East Asian wide characters
 * take two, combining marks none, and each invalid byte or control one (the
 * '?' it is shown as). */
size_t text_width(const char *s);
/* Bytes of the character at s (at least 1; s not at its end) and, in *cols,
 * the columns it takes, as text_width counts them. */
size_t text_next_char(const char *s, int *cols);
/* Fits the sentence src (sanitised) into cols terminal columns, meaning
 * first: the word "the" goes first, then whole words from the tail, and
 * " " ellipsis marks the cut. A token
 * that is a number, an id (psk-matches, mschapv2, LcpExtensions), a
 * name=value or an --option is never cut inside: when the first token alone
 * is too wide, it is dropped whole behind the ellipsis (a lone plain word is
 * shortened instead). Writes dst (always terminated); returns its columns. */
size_t text_fit(char *dst, size_t len, const char *src, size_t cols, const char *ellipsis);

/* A string that grows as it is printed to; failed stays set after the
 * first allocation that fails (s is then incomplete). Free s when done. */
struct text_buf {
    char *s;
    size_t len, cap;
    bool failed;
};
void text_printf(struct text_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
