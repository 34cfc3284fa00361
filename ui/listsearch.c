/* Searching the lists a technician reads in dialogs, as in less and htop:
 * '/' opens a prompt on the bottom line, Enter finds, Esc cancels, n and N
 * step to the next and previous match, round the ends. In the profile
 * picker a match selects its row and letters or digits that are not the
 * picker's keys jump to the first name that starts with them. The finding
 * itself is core/textsearch.c; this file only reads keys and draws. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "platform.h"

#define JUMP_WINDOW_MS 1000 /* letters typed closer than this make one prefix */

/* The lines of the open dialog, as the person sees them: a picker row's
 * name, server and owner (sanitised), or a text dialog's paragraphs. */
struct lines_ctx {
    struct app *a;
    bool names_only;
    char buf[PROFILE_NAME_MAX * 2 + PROFILE_SERVER_MAX * 2 + PROFILE_OWNER_MAX * 2 + 4];
};

static const char *picker_line(void *vctx, size_t i)
{
    struct lines_ctx *c = vctx;
    const struct vpn_profile *p = &c->a->dlg.list.items[i];
    char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2], owner[PROFILE_OWNER_MAX * 2];
    app_safe(c->a, p->name, name, sizeof name);
    if (c->names_only)
        return memcpy(c->buf, name, strlen(name) + 1);
    app_safe(c->a, p->server, server, sizeof server);
    app_safe(c->a, p->owner, owner, sizeof owner);
    /* a tab parts the columns: nothing typed holds one, so no match spans two */
    snprintf(c->buf, sizeof c->buf, "%s\t%s\t%s", name, server, owner);
    return c->buf;
}

static const char *doc_line(void *vctx, size_t i)
{
    const struct doc *d = &((struct lines_ctx *)vctx)->a->dlg.body;
    return d->text + d->para[i].off;
}

static struct textsearch lines_of(struct lines_ctx *c)
{
    const struct dialog *d = &c->a->dlg;
    if (d->kind == DLG_PICKER)
        return (struct textsearch){picker_line, c, d->list.count};
    return (struct textsearch){doc_line, c, (size_t)d->body.n};
}

void listsearch_reset(struct list_search *s)
{
    memset(s, 0, sizeof *s);
}

static unsigned note(struct app *a, bool err, const char *what, const char *text)
{
    struct list_search *s = &a->dlg.search;
    char shown[SEARCH_MAX * 2];
    app_safe(a, text, shown, sizeof shown);
    int room =
        (int)sizeof s->note - 1 - (int)strlen(what); /* a long search text is cut: one line */
    snprintf(s->note, sizeof s->note, "%s%.*s", what, room > 0 ? room : 0, shown);
    s->note_err = err;
    return UI_DRAW_FOOTER;
}

/* Moves to a match: the picker selects its row, a text dialog scrolls to
 * it when next drawn (listsearch_follow) and marks it. */
static unsigned go_to(struct app *a, struct textsearch_pos hit, bool wrapped, bool forward)
{
    struct dialog *d = &a->dlg;
    if (d->kind == DLG_PICKER) {
        d->sel = (int)hit.line;
    } else {
        d->search.hit = hit;
        d->search.have_hit = true;
        d->scroll = -1; /* listsearch_follow places it */
    }
    if (wrapped)
        note(a, false, forward ? "search went round to the top" : "search went round to the bottom",
             "");
    return UI_DRAW_DIALOG | UI_DRAW_FOOTER;
}

/* The first paragraph of a text dialog that is in view. */
static struct textsearch_pos top_of_view(const struct app *a)
{
    const struct dialog *d = &a->dlg;
    int width = d->search.width > 0 ? d->search.width : 1 << 20;
    return (struct textsearch_pos){(size_t)doc_para_at(&d->body, width, d->scroll), 0};
}

/* fresh: a search just typed, which starts from what is in view (a text
 * dialog) or after the selected row (the picker); else n or N. */
static unsigned step(struct app *a, bool forward, bool fresh)
{
    struct dialog *d = &a->dlg;
    struct list_search *s = &d->search;
    if (!s->needle[0])
        return note(a, true, "no search yet: / searches", "");
    struct lines_ctx c = {.a = a};
    struct textsearch ts = lines_of(&c);
    struct textsearch_pos hit, at;
    bool wrapped, found;
    if (d->kind == DLG_PICKER) {
        /* a list moves a row at a time: the selected row is never its own next */
        at = (struct textsearch_pos){(size_t)d->sel, forward ? TEXTSEARCH_LINE_END : 0};
        found = forward ? textsearch_next(&ts, s->needle, at, &hit, &wrapped)
                        : textsearch_prev(&ts, s->needle, at, &hit, &wrapped);
    } else if (fresh || (!s->have_hit && forward)) {
        found = textsearch_from(&ts, s->needle, top_of_view(a), &hit, &wrapped);
    } else {
        at = s->have_hit ? s->hit : top_of_view(a);
        found = forward ? textsearch_next(&ts, s->needle, at, &hit, &wrapped)
                        : textsearch_prev(&ts, s->needle, at, &hit, &wrapped);
    }
    if (!found) {
        s->have_hit = false;
        return note(a, true, "not found: ", s->needle) | UI_DRAW_DIALOG;
    }
    return go_to(a, hit, wrapped, forward);
}

static bool is_utf8_tail(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static unsigned prompt_key(struct app *a, int key)
{
    struct list_search *s = &a->dlg.search;
    if (key == 27) {
        s->prompting = false;
        return UI_DRAW_FOOTER;
    }
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        s->prompting = false;
        /* Enter on an empty prompt repeats the last search, as in less */
        if (s->tlen > 0)
            memcpy(s->needle, s->typed, sizeof s->needle);
        if (!s->needle[0])
            return UI_DRAW_FOOTER;
        return UI_DRAW_FOOTER | step(a, true, true);
    }
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        while (s->tlen > 0 && is_utf8_tail(s->typed[--s->tlen]))
            ;
        s->typed[s->tlen] = '\0';
        return UI_DRAW_FOOTER;
    }
    if (key == 21) { /* Ctrl-U: start over */
        s->tlen = 0;
        s->typed[0] = '\0';
        return UI_DRAW_FOOTER;
    }
    if (key < 32 || key > 255 || key == 127 || s->tlen + 1 >= sizeof s->typed)
        return 0;
    s->typed[s->tlen++] = (char)key;
    s->typed[s->tlen] = '\0';
    return UI_DRAW_FOOTER;
}

static bool is_alnum(int key)
{
    return (key >= '0' && key <= '9') || (key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z');
}

/* Type-to-jump: the letters typed within a second of each other make a
 * prefix; the first name that starts with it is selected. */
static unsigned jump(struct app *a, int key)
{
    struct list_search *s = &a->dlg.search;
    uint64_t now = plat_monotonic_ms();
    if (s->plen > 0 && now - s->prefix_ms > JUMP_WINDOW_MS)
        s->plen = 0;
    s->prefix_ms = now;
    if (s->plen + 1 >= sizeof s->prefix)
        return 0;
    s->prefix[s->plen++] = (char)key;
    s->prefix[s->plen] = '\0';
    struct lines_ctx c = {.a = a, .names_only = true};
    struct textsearch ts = lines_of(&c);
    size_t line;
    if (!textsearch_first_prefix(&ts, s->prefix, &line)) {
        unsigned r = note(a, true, "no name starts with ", s->prefix);
        s->plen = 0; /* the next letter starts afresh */
        return r;
    }
    a->dlg.sel = (int)line;
    return note(a, false, "jump: ", s->prefix) | UI_DRAW_DIALOG;
}

unsigned listsearch_key(struct app *a, int key, bool picker_free, bool *used)
{
    struct dialog *d = &a->dlg;
    struct list_search *s = &d->search;
    unsigned r = 0;
    if (s->note[0]) {
        s->note[0] = '\0';
        r |= UI_DRAW_FOOTER;
    }
    *used = true;
    if (s->prompting)
        return r | prompt_key(a, key);
    bool jump_key = d->kind == DLG_PICKER && is_alnum(key) && picker_free;
    if (!jump_key)
        s->plen = 0;
    if (action_has_key(ACT_SEARCH, key)) {
        s->prompting = true;
        s->tlen = 0;
        s->typed[0] = '\0';
        return r | UI_DRAW_FOOTER;
    }
    if (action_has_key(ACT_SEARCH_NEXT, key))
        return r | step(a, true, false);
    if (action_has_key(ACT_SEARCH_PREV, key))
        return r | step(a, false, false);
    if (jump_key)
        return r | jump(a, key);
    *used = false;
    return r;
}

void listsearch_follow(struct app *a, int width)
{
    struct dialog *d = &a->dlg;
    d->search.width = width;
    if (d->scroll != -1 || !d->search.have_hit)
        return;
    int col;
    d->scroll = doc_locate(&d->body, width, (int)d->search.hit.line, d->search.hit.off, &col);
}

void listsearch_mark(struct app *a, WINDOW *w, int y, int x, int width, int height)
{
    const struct dialog *d = &a->dlg;
    const struct list_search *s = &d->search;
    if (!s->have_hit || (int)s->hit.line >= d->body.n)
        return;
    int col;
    int row = doc_locate(&d->body, width, (int)s->hit.line, s->hit.off, &col) - d->scroll;
    if (row < 0 || row >= height || col >= width)
        return;
    /* the match as it stands in the text (its case, its width) */
    char match[SEARCH_MAX];
    snprintf(match, sizeof match, "%.*s", (int)strlen(s->needle),
             d->body.text + d->body.para[s->hit.line].off + s->hit.off);
    int n = u8_width(match);
    if (n > width - col)
        n = width - col;
    attr_t attr = a->theme.attr[ST_SELECT];
    mvwchgat(w, y + row, x + col, n, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL);
}

void listsearch_draw_bottom(struct app *a)
{
    const struct list_search *s = &a->dlg.search;
    WINDOW *w = a->w_footer;
    if (!w || (!s->prompting && !s->note[0]))
        return;
    const struct theme *t = &a->theme;
    int cols = a->lay.cols;
    werase(w);
    if (s->prompting) {
        char shown[SEARCH_MAX * 2];
        app_safe(a, s->typed, shown, sizeof shown);
        int x = 1 + draw_text(w, 0, 1, 1, "/", t->attr[ST_KEY], NULL);
        x += draw_text(w, 0, x, cols - x - 1, shown, A_BOLD, t->g->ellipsis);
        draw_text(w, 0, x, 1, "_", t->attr[ST_KEY], NULL);
        const char *hint = "Enter find  Esc cancel";
        int hw = u8_width(hint);
        if (x + 3 + hw < cols)
            draw_text(w, 0, cols - hw - 1, hw, hint, t->attr[ST_DIM], NULL);
    } else {
        draw_text(w, 0, 1, cols - 2, s->note, t->attr[s->note_err ? ST_MSG_ERR : ST_DIM],
                  t->g->ellipsis);
    }
    wnoutrefresh(w);
}
