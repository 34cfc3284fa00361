/* rasphone.pbk as text that must survive an edit byte for byte (MS-RRASM
 * 2.2.2): entries ([entry name]), each a main block of key=value lines and
 * then its sub-blocks, which start at NETCOMPONENTS=, MEDIA=, DEVICE= or
 * PhoneNumber= and run to the entry's end; comments, blank lines, CRLF or
 * LF, a UTF-8 BOM or none. Windows writes a binary value (CustomAuthData,
 * NrptRules, TrustedNetworks...) as hex over several lines that repeat its
 * key: one value. Parsing records where everything is; an edit rewrites one
 * value (or inserts one line in the file's own line ending) and copies every
 * other byte. Pure functions over a buffer the caller owns. */
#ifndef L2F_PBK_H
#define L2F_PBK_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct pbk_line {
    size_t start, len;   /* the text, without the line ending */
    size_t eol;          /* bytes of line ending: 0 (last line), 1 or 2 */
    size_t key, key_len; /* key=value lines: the key, trimmed */
    size_t value, value_len;
    int section; /* index into sections, -1 before the first */
    bool is_key;
    bool in_sub; /* in a sub-block: at or after the entry's first NETCOMPONENTS=, MEDIA=, DEVICE= or
                    PhoneNumber= */
    bool continued; /* a main-block line with the key of the line before it: more of that value */
};

struct pbk_section {
    size_t name, name_len;       /* inside the brackets */
    size_t first_line, end_line; /* its header line, and one past its last line */
};

struct pbk {
    const char *data;
    size_t len;
    size_t bom;      /* 3 with a UTF-8 BOM, else 0 */
    const char *eol; /* "\r\n" or "\n": what new lines get */
    struct pbk_line *lines;
    size_t nlines;
    struct pbk_section *sections;
    size_t nsections;
};

/* Parses data (not copied: it must outlive *out). Refuses, with "name:line:
 * what", a NUL byte or a section header without its closing bracket. */
enum l2f_status pbk_parse(const char *data, size_t len, const char *name, struct pbk *out,
                          struct l2f_err *err);
void pbk_free(struct pbk *p);

/* The section of an entry (names compare exactly), or -1. */
int pbk_find(const struct pbk *p, const char *entry);
/* The entry's name, copied (NUL-terminated, cut to len). */
void pbk_entry_name(const struct pbk *p, int section, char *buf, size_t len);
/* The first value of key in the entry (its sub-blocks included when in_sub
 * is true, else only its main block); false when absent. A main-block value
 * over several lines comes joined. Copied, cut to len. */
bool pbk_get(const struct pbk *p, int section, const char *key, bool in_sub, char *buf, size_t len);

/* The whole file with the key of the entry's main block set to value: the
 * first such line gets the new value and nothing else changes; without one,
 * a line "key=value" goes after the main block's last key, so before the
 * entry's first sub-block. A value over several lines is never split: set
 * to what it holds, the file comes back unchanged, else it is refused.
 * Refuses a sub-block's first key (NETCOMPONENTS...). *out is malloc'd. */
enum l2f_status pbk_set(const struct pbk *p, int section, const char *key, const char *value,
                        char **out, size_t *out_len, struct l2f_err *err);
/* The whole file without the main block's first value of key (all its
 * lines): the inverse of pbk_set adding one. Without one, the file unchanged. */
enum l2f_status pbk_remove(const struct pbk *p, int section, const char *key, char **out,
                           size_t *out_len);

#endif
