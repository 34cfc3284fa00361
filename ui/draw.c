/* Text in columns: UTF-8 measured by display width (text_width: no wcwidth,
 * which PDCurses platforms lack), cut with an ellipsis, and wrapped documents. */
#include "tui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

int u8_width(const char *s)
{
    return (int)text_width(s);
}

/* Bytes of s that fit in cols columns. */
static size_t u8_fit(const char *s, int cols, int *used)
{
    size_t b = 0;
    int w = 0;
    while (s[b]) {
        int cw;
        size_t n = text_next_char(s + b, &cw);
        if (w + cw > cols)
            break;
        w += cw;
        b += n;
    }
    if (used)
        *used = w;
    return b;
}

int draw_text(WINDOW *w, int y, int x, int maxcols, const char *s, attr_t attr,
              const char *ellipsis)
{
    if (maxcols <= 0)
        return 0;
    int ew = ellipsis ? u8_width(ellipsis) : 0;
    int used = 0;
    bool cut = u8_width(s) > maxcols && ew > 0 && maxcols > ew;
    size_t bytes = u8_fit(s, cut ? maxcols - ew : maxcols, &used);
    wattrset(w, attr);
    mvwaddnstr(w, y, x, s, (int)bytes);
    if (cut) {
        waddstr(w, ellipsis);
        used += ew;
    }
    wattrset(w, A_NORMAL);
    return used;
}

int draw_fit(WINDOW *w, int y, int x, int maxcols, const char *s, attr_t attr, const char *ellipsis)
{
    char fitted[4096];
    if (maxcols <= 0)
        return 0;
    text_fit(fitted, sizeof fitted, s, (size_t)maxcols, ellipsis);
    return draw_text(w, y, x, maxcols, fitted, attr, NULL);
}

void draw_fill(WINDOW *w, int y, int x, int n, const char *glyph, attr_t attr)
{
    wattrset(w, attr);
    wmove(w, y, x);
    for (int i = 0; i < n; i++)
        waddstr(w, glyph);
    wattrset(w, A_NORMAL);
}

void doc_init(struct doc *d, bool ascii)
{
    d->used = 0;
    d->n = 0;
    d->text[0] = '\0';
    d->ascii = ascii;
}

void doc_add(struct doc *d, enum ui_style style, int indent, const char *text)
{
    if (d->n >= DOC_PARA_MAX || d->used + 2 >= sizeof d->text)
        return;
    char *dst = d->text + d->used;
    text_sanitize(dst, sizeof d->text - d->used, text, d->ascii);
    d->para[d->n].off = (unsigned)d->used;
    d->para[d->n].style = (unsigned char)style;
    d->para[d->n].indent = (unsigned char)indent;
    d->para[d->n].hang = (unsigned char)indent;
    d->n++;
    d->used += strlen(dst) + 1;
}

void doc_addf(struct doc *d, enum ui_style style, int indent, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    doc_add(d, style, indent, buf);
}

void doc_hang(struct doc *d, int hang)
{
    if (d->n > 0)
        d->para[d->n - 1].hang = (unsigned char)hang;
}

/* Calls out(line) for each wrapped line of one paragraph: breaks at spaces,
 * hard-breaks words wider than the line. Returns the number of lines. */
typedef void (*line_fn)(void *ctx, const char *s, size_t bytes, int first);

static int wrap_para(const char *p, int first_width, int width, line_fn out, void *ctx)
{
    int lines = 0;
    if (width < 1)
        width = 1;
    if (first_width < 1)
        first_width = 1;
    if (!*p) {
        if (out)
            out(ctx, p, 0, 1);
        return 1;
    }
    while (*p) {
        int used;
        size_t fit = u8_fit(p, lines == 0 ? first_width : width, &used);
        size_t take = fit;
        if (p[fit] && p[fit] != ' ') {
            /* step back to the last space inside the line */
            size_t sp = fit;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                take = sp;
        }
        if (take == 0)
            take = fit ? fit : strlen(p) > 0 ? 1 : 0;
        if (out)
            out(ctx, p, take, lines == 0);
        lines++;
        p += take;
        while (*p == ' ')
            p++;
    }
    return lines;
}

int doc_lines(const struct doc *d, int width)
{
    int n = 0;
    for (int i = 0; i < d->n; i++)
        n += wrap_para(d->text + d->para[i].off, width - d->para[i].indent, width - d->para[i].hang,
                       NULL, NULL);
    return n;
}

struct draw_ctx {
    WINDOW *w;
    int y, x, width, height, skip, line, indent, hang;
    attr_t attr;
};

static void draw_line(void *vctx, const char *s, size_t bytes, int first)
{
    struct draw_ctx *c = vctx;
    int indent = first ? c->indent : c->hang;
    int row = c->line++ - c->skip;
    if (row < 0 || row >= c->height)
        return;
    char buf[1024];
    if (bytes >= sizeof buf)
        bytes = sizeof buf - 1;
    memcpy(buf, s, bytes);
    buf[bytes] = '\0';
    draw_text(c->w, c->y + row, c->x + indent, c->width - indent, buf, c->attr, NULL);
}

void doc_draw(const struct doc *d, WINDOW *w, int y, int x, int width, int height, int skip,
              const struct theme *t)
{
    struct draw_ctx c = {w, y, x, width, height, skip, 0, 0, 0, A_NORMAL};
    for (int i = 0; i < d->n && c.line - skip < height; i++) {
        c.indent = d->para[i].indent;
        c.hang = d->para[i].hang;
        c.attr = t->attr[d->para[i].style];
        wrap_para(d->text + d->para[i].off, width - c.indent, width - c.hang, draw_line, &c);
    }
}

struct locate_ctx {
    const char *target;
    int line, found_line, col, indent, hang;
    bool found;
};

/* The first wrapped line that ends past the target holds it (spaces a
 * wrap skipped count as the start of the next line). */
static void locate_line(void *vctx, const char *s, size_t bytes, int first)
{
    struct locate_ctx *c = vctx;
    if (!c->found && c->target < s + bytes) {
        c->found = true;
        c->found_line = c->line;
        c->col = first ? c->indent : c->hang;
        if (c->target > s) {
            char buf[1024];
            size_t n =
                (size_t)(c->target - s) < sizeof buf ? (size_t)(c->target - s) : sizeof buf - 1;
            memcpy(buf, s, n);
            buf[n] = '\0';
            c->col += u8_width(buf);
        }
    }
    c->line++;
}

int doc_locate(const struct doc *d, int width, int para, size_t off, int *col)
{
    int line = 0;
    for (int i = 0; i < para && i < d->n; i++)
        line += wrap_para(d->text + d->para[i].off, width - d->para[i].indent,
                          width - d->para[i].hang, NULL, NULL);
    *col = 0;
    if (para < 0 || para >= d->n)
        return line;
    const char *p = d->text + d->para[para].off;
    struct locate_ctx c = {p + off, 0, 0, 0, d->para[para].indent, d->para[para].hang, false};
    wrap_para(p, width - c.indent, width - c.hang, locate_line, &c);
    if (!c.found)
        return line;
    *col = c.col;
    return line + c.found_line;
}

int doc_para_at(const struct doc *d, int width, int line)
{
    int at = 0;
    for (int i = 0; i < d->n; i++) {
        at += wrap_para(d->text + d->para[i].off, width - d->para[i].indent,
                        width - d->para[i].hang, NULL, NULL);
        if (line < at)
            return i;
    }
    return d->n > 0 ? d->n - 1 : 0;
}
