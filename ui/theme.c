/* Glyphs and attributes, chosen once at start (htop CRT.c): UTF-8 glyphs only
 * when the locale says UTF-8, colour only when the terminal has it and the
 * person did not ask for none. Status never depends on colour alone: every
 * mark has its own shape and word. */
#include "tui.h"

#include <string.h>
#ifndef _WIN32
#include <langinfo.h>
#endif

static const struct glyphs glyphs_utf8 = {
    .mark = {"\xe2\x9c\x93", "\xe2\x9c\x97", "!", "?", "\xe2\x80\xa6"}, /* ✓ ✗ ! ? … */
    .spinner = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
                "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f"},
    .n_spinner = 10,
    .skip = "-",
    .expanded = "\xe2\x96\xbe",  /* ▾ */
    .collapsed = "\xe2\x96\xb8", /* ▸ */
    .hline = "\xe2\x94\x80",     /* ─ */
    .vline = "\xe2\x94\x82",     /* │ */
    .ellipsis = "\xe2\x80\xa6",  /* … */
    .arrow = "\xe2\x86\x92",     /* → */
    .select = "\xe2\x96\xb6",    /* ▶ */
    .corner = {"\xe2\x94\x8c", "\xe2\x94\x90", "\xe2\x94\x94", "\xe2\x94\x98"},
};

static const struct glyphs glyphs_ascii = {
    .mark = {"*", "X", "!", "?", "."}, /* not "+": that is a collapsed stage */
    .spinner = {"|", "/", "-", "\\"},
    .n_spinner = 4,
    .skip = "-",
    .expanded = "-",
    .collapsed = "+",
    .hline = "-",
    .vline = "|",
    .ellipsis = "~",
    .arrow = ">",
    .select = ">",
    .corner = {"+", "+", "+", "+"},
};

/* X(style, foreground, background, monochrome attribute, colour extra attribute) */
#define STYLE_TABLE(X)                                                                             \
    X(ST_NORMAL, -1, -1, A_NORMAL, A_NORMAL)                                                       \
    X(ST_HEADER, COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD)                                       \
    X(ST_HEADER_WARN, COLOR_YELLOW, COLOR_BLUE, A_REVERSE | A_BOLD, A_BOLD)                        \
    X(ST_PASS, COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                                                \
    X(ST_FAIL, COLOR_RED, -1, A_BOLD, A_BOLD)                                                      \
    X(ST_WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                                   \
    X(ST_UNKNOWN, -1, -1, A_NORMAL, A_NORMAL)                                                      \
    X(ST_RUNNING, COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                                              \
    X(ST_SELECT, COLOR_BLACK, COLOR_CYAN, A_REVERSE, A_NORMAL)                                     \
    X(ST_TITLE, COLOR_CYAN, -1, A_BOLD, A_BOLD)                                                    \
    X(ST_LABEL, COLOR_CYAN, -1, A_BOLD, A_NORMAL)                                                  \
    X(ST_DIM, -1, -1, A_NORMAL, A_NORMAL)                                                          \
    X(ST_MSG_OK, COLOR_GREEN, -1, A_BOLD, A_BOLD)                                                  \
    X(ST_MSG_ERR, COLOR_RED, -1, A_BOLD, A_BOLD)                                                   \
    X(ST_KEY, COLOR_CYAN, -1, A_BOLD, A_BOLD)

static const struct {
    short fg, bg;
    attr_t mono, extra;
} styles[ST_COUNT] = {
#define STYLE_ROW(st, fg, bg, mono, extra) [st] = {fg, bg, mono, extra},
    STYLE_TABLE(STYLE_ROW)
#undef STYLE_ROW
};

static bool locale_is_utf8(void)
{
#ifdef _WIN32
    return false; /* PDCurses builds differ; plain ASCII is always right */
#else
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
#endif
}

void theme_init(struct theme *t, const struct ui_options *opts)
{
    memset(t, 0, sizeof *t);
    t->utf8 = !opts->ascii && locale_is_utf8();
    t->g = t->utf8 ? &glyphs_utf8 : &glyphs_ascii;
    t->color = !opts->no_color && has_colors() && start_color() == OK;
    if (t->color) {
        bool defaults = use_default_colors() == OK;
        for (int st = 1; st < ST_COUNT; st++) {
            short fg = styles[st].fg, bg = styles[st].bg;
            /* without default colours, -1 is not a colour: fall back to white on black */
            if (!defaults) {
                fg = fg < 0 ? COLOR_WHITE : fg;
                bg = bg < 0 ? COLOR_BLACK : bg;
            }
            init_pair((short)st, fg, bg);
            t->attr[st] = COLOR_PAIR(st) | styles[st].extra;
        }
        t->attr[ST_NORMAL] = A_NORMAL;
        t->attr[ST_UNKNOWN] = A_NORMAL;
        t->attr[ST_DIM] = A_NORMAL;
    } else {
        for (int st = 0; st < ST_COUNT; st++)
            t->attr[st] = styles[st].mono;
    }
}

enum ui_style status_style(enum check_status st)
{
    switch (st) {
    case CHECK_PASS:
        return ST_PASS;
    case CHECK_FAIL:
        return ST_FAIL;
    case CHECK_WARN:
        return ST_WARN;
    case CHECK_UNKNOWN:
        return ST_UNKNOWN;
    case CHECK_RUNNING:
        return ST_RUNNING;
    }
    return ST_NORMAL;
}
