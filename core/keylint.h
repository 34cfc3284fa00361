/* The key as typed: what in a pre-shared key copied from an e-mail or a file
 * makes it differ from the server's (smart quotes, blanks, a line break).
 * Messages name characters by code point and position, never the key. */
#ifndef L2F_KEYLINT_H
#define L2F_KEYLINT_H

#include <stdbool.h>
#include <stddef.h>

#define KEYLINT_MAX 8 /* warnings kept; the rest are counted in the last one */
#define KEYLINT_TEXT 200

/* X(enum, what the warning is about) */
#define KEYLINT_KIND_TABLE(X)                                                                      \
    X(KEYLINT_LEADING_BLANK, "blanks before the key")                                              \
    X(KEYLINT_TRAILING_BLANK, "blanks after the key")                                              \
    X(KEYLINT_LINE_BREAK, "a line break inside the key")                                           \
    X(KEYLINT_NO_BREAK_SPACE, "a space that is not U+0020")                                        \
    X(KEYLINT_NON_ASCII, "a character outside ASCII")                                              \
    X(KEYLINT_NOT_UTF8, "a byte that is not UTF-8")                                                \
    X(KEYLINT_CONTROL, "a control character")                                                      \
    X(KEYLINT_QUOTE_OR_BACKSLASH, "a quote or backslash servers' files may mangle")                \
    X(KEYLINT_FOLDS, "the key differs from its ASCII-folded form")                                 \
    X(KEYLINT_MORE, "more warnings than shown")

#define KEYLINT_ENUM(e, what) e,
enum keylint_kind { KEYLINT_KIND_TABLE(KEYLINT_ENUM) KEYLINT_KIND_COUNT };
#undef KEYLINT_ENUM

struct keylint_warning {
    enum keylint_kind kind;
    size_t pos;              /* 1-based character position, 0 when about the whole key */
    char text[KEYLINT_TEXT]; /* one line, ASCII, without the key's characters */
};

struct keylint {
    struct keylint_warning w[KEYLINT_MAX];
    size_t n;
};

/* Lints len bytes of key (a line break inside is a finding, not an end).
 * Returns the number of warnings kept in out. */
size_t keylint_check(const char *key, size_t len, struct keylint *out);
/* The same for a key file as read: its first line is the key, and one line
 * ending after it ends the line; anything else (a BOM, a second line) is linted. */
size_t keylint_check_file(const char *text, size_t len, struct keylint *out);
/* The key with smart quotes, dashes and special spaces made ASCII and
 * zero-width characters removed; false when out is too small. */
bool keylint_fold(const char *key, size_t len, char *out, size_t out_len);

#endif
