#include "pbk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool key_is(const struct pbk *p, const struct pbk_line *l, const char *key)
{
    size_t n = strlen(key);
    return l->is_key && l->key_len == n && memcmp(p->data + l->key, key, n) == 0;
}

/* The keys that open an entry's sub-blocks (MS-RRASM 2.2.2); case counts:
 * MEDIA's own Device= is not DEVICE=. */
static const char *const sub_block_keys[] = {"NETCOMPONENTS", "MEDIA", "DEVICE", "PhoneNumber"};

static bool opens_sub_block(const struct pbk *p, const struct pbk_line *l)
{
    for (size_t i = 0; i < sizeof sub_block_keys / sizeof sub_block_keys[0]; i++)
        if (key_is(p, l, sub_block_keys[i]))
            return true;
    return false;
}

/* l and the line before it hold the same main-block key: one value Windows
 * wrote over several lines. */
static bool continues(const struct pbk *p, const struct pbk_line *l)
{
    if (l == p->lines || !l->is_key || l->in_sub)
        return false;
    const struct pbk_line *before = l - 1;
    return before->is_key && !before->in_sub && before->section == l->section &&
           before->key_len == l->key_len &&
           memcmp(p->data + before->key, p->data + l->key, l->key_len) == 0;
}

/* Refuses a NUL byte, naming its line: UTF-16 and binary files stop here. */
static enum l2f_status refuse_nul(const char *data, size_t len, const char *name,
                                  struct l2f_err *err)
{
    const char *nul = memchr(data, '\0', len);
    if (!nul)
        return L2F_OK;
    size_t line = 1;
    for (const char *c = data; c < nul; c++)
        line += *c == '\n';
    l2f_err_set(err, "%s:%lu: a NUL byte: not a phonebook (UTF-16 is not supported)", name,
                (unsigned long)line);
    return L2F_ERR_PARSE;
}

/* items with room for one more element of size each (a capacity of *cap),
 * or NULL when memory ran out (items still valid then). */
static void *grow(void *items, size_t used, size_t *cap, size_t each)
{
    if (used < *cap)
        return items;
    void *grown = realloc(items, 2 * *cap * each);
    if (grown)
        *cap *= 2;
    return grown;
}

/* Where the parser is: the arrays' capacities and the sub-block state. */
struct pbk_parser {
    struct pbk *out;
    size_t cap_lines, cap_sections;
    bool in_sub;
};

/* A "[name]" line at s opens a section; false when memory ran out. */
static bool add_section(struct pbk_parser *pp, struct pbk_line *l, size_t s, const char *close)
{
    struct pbk *out = pp->out;
    struct pbk_section *sections =
        grow(out->sections, out->nsections, &pp->cap_sections, sizeof *sections);
    if (!sections)
        return false;
    out->sections = sections;
    if (out->nsections)
        out->sections[out->nsections - 1].end_line = out->nlines;
    struct pbk_section *sec = &out->sections[out->nsections++];
    sec->name = s + 1;
    sec->name_len = (size_t)(close - (out->data + s + 1));
    sec->first_line = out->nlines;
    l->section = (int)out->nsections - 1;
    pp->in_sub = false;
    return true;
}

/* A "key = value" line from s to end, eq at its '='. The value is kept
 * without the blanks around it: a rewrite replaces exactly that and keeps
 * whatever spacing was there. */
static void add_key(struct pbk_parser *pp, struct pbk_line *l, size_t s, size_t end, const char *eq)
{
    const char *data = pp->out->data;
    size_t k_end = (size_t)(eq - data);
    while (k_end > s && blank(data[k_end - 1]))
        k_end--;
    size_t v = (size_t)(eq - data) + 1, v_end = end;
    while (v < v_end && blank(data[v]))
        v++;
    while (v_end > v && blank(data[v_end - 1]))
        v_end--;
    l->is_key = true;
    l->key = s;
    l->key_len = k_end - s;
    l->value = v;
    l->value_len = v_end - v;
    pp->in_sub |= opens_sub_block(pp->out, l);
    l->in_sub = pp->in_sub;
    l->continued = continues(pp->out, l);
}

/* Reads the line from pos to end (its end of line eol bytes long). */
static enum l2f_status parse_line(struct pbk_parser *pp, size_t pos, size_t end, size_t eol,
                                  const char *name, struct l2f_err *err)
{
    struct pbk *out = pp->out;
    const char *data = out->data;
    struct pbk_line *lines = grow(out->lines, out->nlines, &pp->cap_lines, sizeof *lines);
    if (!lines)
        return L2F_ERR_NOMEM;
    out->lines = lines;
    struct pbk_line *l = &out->lines[out->nlines];
    memset(l, 0, sizeof *l);
    l->start = pos;
    l->len = end - pos;
    l->eol = eol;
    l->section = (int)out->nsections - 1;
    size_t s = pos;
    while (s < end && blank(data[s]))
        s++;
    if (s < end && data[s] == '[') {
        const char *close = memchr(data + s, ']', end - s);
        if (!close) {
            l2f_err_set(err, "%s:%lu: a section header without ']'", name,
                        (unsigned long)(out->nlines + 1));
            return L2F_ERR_PARSE;
        }
        if (!add_section(pp, l, s, close))
            return L2F_ERR_NOMEM;
    } else if (s < end && data[s] != ';' && data[s] != '#') {
        const char *eq = memchr(data + s, '=', end - s);
        if (eq)
            add_key(pp, l, s, end, eq);
    }
    out->nlines++;
    return L2F_OK;
}

/* Splits the file into lines, each CRLF or LF; the file's own end of line is kept for new lines. */
static enum l2f_status parse_lines(struct pbk_parser *pp, const char *name, struct l2f_err *err)
{
    struct pbk *out = pp->out;
    const char *data = out->data;
    size_t len = out->len;
    bool saw_crlf = false, saw_lf = false;
    for (size_t pos = out->bom; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, eol = nl ? 1 : 0;
        if (nl && end > pos && data[end - 1] == '\r')
            end--, eol = 2;
        saw_crlf |= eol == 2;
        saw_lf |= eol == 1;
        enum l2f_status st = parse_line(pp, pos, end, eol, name, err);
        if (st != L2F_OK)
            return st;
        pos = nl ? (size_t)(nl - data) + 1 : len;
    }
    if (out->nsections)
        out->sections[out->nsections - 1].end_line = out->nlines;
    if (saw_lf && !saw_crlf)
        out->eol = "\n";
    return L2F_OK;
}

enum l2f_status pbk_parse(const char *data, size_t len, const char *name, struct pbk *out,
                          struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    out->data = data;
    out->len = len;
    out->eol = "\r\n"; /* Windows writes CRLF; a file with LF only keeps LF */
    if (refuse_nul(data, len, name, err) != L2F_OK)
        return L2F_ERR_PARSE;
    if (len >= 3 && (unsigned char)data[0] == 0xef && (unsigned char)data[1] == 0xbb &&
        (unsigned char)data[2] == 0xbf)
        out->bom = 3;
    /* sized to the file's lines at once: a thousand books grew it three times each */
    struct pbk_parser pp = {.out = out, .cap_lines = 1, .cap_sections = 4};
    for (const char *nl = data; (nl = memchr(nl, '\n', (size_t)(data + len - nl))) != NULL; nl++)
        pp.cap_lines++;
    out->lines = malloc(pp.cap_lines * sizeof *out->lines);
    out->sections = malloc(pp.cap_sections * sizeof *out->sections);
    enum l2f_status st = out->lines && out->sections ? parse_lines(&pp, name, err) : L2F_ERR_NOMEM;
    if (st != L2F_OK)
        pbk_free(out);
    return st;
}

void pbk_free(struct pbk *p)
{
    free(p->lines);
    free(p->sections);
    p->lines = NULL;
    p->sections = NULL;
    p->nlines = p->nsections = 0;
}

int pbk_find(const struct pbk *p, const char *entry)
{
    size_t n = strlen(entry);
    for (size_t i = 0; i < p->nsections; i++)
        if (p->sections[i].name_len == n && memcmp(p->data + p->sections[i].name, entry, n) == 0)
            return (int)i;
    return -1;
}

static void copy_out(const char *src, size_t n, char *buf, size_t len)
{
    if (!len)
        return;
    if (n >= len)
        n = len - 1;
    memcpy(buf, src, n);
    buf[n] = '\0';
}

void pbk_entry_name(const struct pbk *p, int section, char *buf, size_t len)
{
    const struct pbk_section *s = &p->sections[section];
    copy_out(p->data + s->name, s->name_len, buf, len);
}

static const struct pbk_line *find_key(const struct pbk *p, int section, const char *key,
                                       bool in_sub)
{
    const struct pbk_section *s = &p->sections[section];
    for (size_t i = s->first_line + 1; i < s->end_line; i++) {
        const struct pbk_line *l = &p->lines[i];
        if (!in_sub && l->in_sub)
            break;
        if (key_is(p, l, key))
            return l;
    }
    return NULL;
}

/* One past the last line of the value that starts at l. */
static const struct pbk_line *value_end(const struct pbk *p, const struct pbk_line *l)
{
    const struct pbk_line *end = l + 1, *last = p->lines + p->nlines;
    while (end < last && end->continued)
        end++;
    return end;
}

bool pbk_get(const struct pbk *p, int section, const char *key, bool in_sub, char *buf, size_t len)
{
    const struct pbk_line *l = find_key(p, section, key, in_sub);
    if (!l)
        return false;
    size_t n = 0;
    for (const struct pbk_line *end = value_end(p, l); l < end && len; l++) {
        size_t take = l->value_len < len - 1 - n ? l->value_len : len - 1 - n;
        memcpy(buf + n, p->data + l->value, take);
        n += take;
    }
    if (len)
        buf[n] = '\0';
    return true;
}

/* The value from l on, joined, is exactly value. */
static bool value_is(const struct pbk *p, const struct pbk_line *l, const char *value)
{
    size_t at = 0, n = strlen(value);
    for (const struct pbk_line *end = value_end(p, l); l < end; l++) {
        if (l->value_len > n - at || memcmp(p->data + l->value, value + at, l->value_len) != 0)
            return false;
        at += l->value_len;
    }
    return at == n;
}

/* The file with bytes [cut_from, cut_to) replaced by insert; malloc'd. */
static enum l2f_status splice(const struct pbk *p, size_t cut_from, size_t cut_to,
                              const char *insert, size_t insert_len, char **out, size_t *out_len)
{
    size_t total = p->len - (cut_to - cut_from) + insert_len;
    char *buf = malloc(total + 1);
    if (!buf)
        return L2F_ERR_NOMEM;
    if (cut_from)
        memcpy(buf, p->data, cut_from);
    if (insert_len)
        memcpy(buf + cut_from, insert, insert_len);
    if (p->len > cut_to)
        memcpy(buf + cut_from + insert_len, p->data + cut_to, p->len - cut_to);
    buf[total] = '\0';
    *out = buf;
    *out_len = total;
    return L2F_OK;
}

/* A new line "key=value" after the main block's last key (or the header):
 * so before the first sub-block, and never inside a value over several lines. */
static enum l2f_status insert_line(const struct pbk *p, int section, const char *key,
                                   const char *value, char **out, size_t *out_len)
{
    const struct pbk_section *s = &p->sections[section];
    size_t after = s->first_line;
    for (size_t i = s->first_line + 1; i < s->end_line && !p->lines[i].in_sub; i++)
        if (p->lines[i].is_key)
            after = i;
    const struct pbk_line *a = &p->lines[after];
    size_t at = a->start + a->len + a->eol;
    /* after a last line without an ending: the ending goes before the new
     * line instead of after it, and the file still ends without one; a
     * lone CR ending that line would join an LF into a CRLF and be lost */
    bool ends_in_cr = a->len && p->data[a->start + a->len - 1] == '\r';
    const char *lead = a->eol ? "" : ends_in_cr ? "\r\n" : p->eol, *trail = a->eol ? p->eol : "";
    size_t insert_len = strlen(lead) + strlen(key) + 1 + strlen(value) + strlen(trail);
    char *insert = malloc(insert_len + 1);
    if (!insert)
        return L2F_ERR_NOMEM;
    snprintf(insert, insert_len + 1, "%s%s=%s%s", lead, key, value, trail);
    enum l2f_status st = splice(p, at, at, insert, insert_len, out, out_len);
    free(insert);
    return st;
}

enum l2f_status pbk_set(const struct pbk *p, int section, const char *key, const char *value,
                        char **out, size_t *out_len, struct l2f_err *err)
{
    *out = NULL;
    if (strpbrk(value, "\r\n") || strpbrk(key, "\r\n=[") || !key[0]) {
        l2f_err_set(err, "a phonebook value cannot hold a line break");
        return L2F_ERR_USAGE;
    }
    for (size_t i = 0; i < sizeof sub_block_keys / sizeof sub_block_keys[0]; i++)
        if (strcmp(key, sub_block_keys[i]) == 0) {
            l2f_err_set(err, "%s= opens a sub-block of a phonebook entry: not set", key);
            return L2F_ERR_USAGE;
        }
    const struct pbk_line *l = find_key(p, section, key, false);
    if (!l)
        return insert_line(p, section, key, value, out, out_len);
    size_t lines = (size_t)(value_end(p, l) - l);
    if (lines > 1) {
        if (value_is(p, l, value))
            return splice(p, 0, 0, "", 0, out, out_len);
        l2f_err_set(err, "%s holds a value over %lu lines: not rewritten", key,
                    (unsigned long)lines);
        return L2F_ERR_USAGE;
    }
    return splice(p, l->value, l->value + l->value_len, value, strlen(value), out, out_len);
}

enum l2f_status pbk_remove(const struct pbk *p, int section, const char *key, char **out,
                           size_t *out_len)
{
    const struct pbk_line *l = find_key(p, section, key, false);
    if (!l)
        return splice(p, 0, 0, "", 0, out, out_len);
    const struct pbk_line *last = value_end(p, l) - 1;
    size_t cut_from = l->start, cut_to = last->start + last->len + last->eol;
    /* the file's last line, without an ending: the ending before it goes
     * instead, as pbk_set put it there, so the file still ends without one */
    if (!last->eol && l > p->lines)
        cut_from = l[-1].start + l[-1].len;
    return splice(p, cut_from, cut_to, "", 0, out, out_len);
}
