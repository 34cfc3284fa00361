/* Dialogs drawn over the panels: text to read, a yes/no confirmation that
 * shows the exact change, a number, a secret (echo off, never drawn), the
 * profile picker. One at a time; the loop keeps ticking underneath, so a
 * diagnosis or a test connection goes on while one is open. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "platform.h"

static void open_common(struct app *a, enum dlg_kind kind, const char *title,
                        dialog_answer_fn *on_answer)
{
    dialog_close(a);
    struct dialog *d = &a->dlg;
    d->kind = kind;
    d->on_answer = on_answer;
    app_safe(a, title, d->title, sizeof d->title);
    doc_init(&d->body, a->ascii);
    d->scroll = 0;
    d->ilen = 0;
    d->input[0] = '\0';
    d->untouched = false;
    d->digits_only = false;
    d->sel = d->top = 0;
    listsearch_reset(&d->search);
}

void dialog_open_text(struct app *a, const char *title)
{
    open_common(a, DLG_TEXT, title, NULL);
}

void dialog_open_confirm(struct app *a, const char *title, const char *yes_verb,
                         dialog_answer_fn *on_answer)
{
    open_common(a, DLG_CONFIRM, title, on_answer);
    snprintf(a->dlg.confirm_hint, sizeof a->dlg.confirm_hint, "y %s  n cancel", yes_verb);
}

void dialog_open_input(struct app *a, const char *title, bool digits_only, const char *prefill,
                       dialog_answer_fn *on_answer)
{
    open_common(a, DLG_INPUT, title, on_answer);
    a->dlg.digits_only = digits_only;
    if (prefill && *prefill) {
        snprintf(a->dlg.input, sizeof a->dlg.input, "%s", prefill);
        a->dlg.ilen = strlen(a->dlg.input);
        a->dlg.untouched = true;
    }
}

void dialog_open_secret(struct app *a, const char *title, dialog_answer_fn *on_answer)
{
    open_common(a, DLG_SECRET, title, on_answer);
}

void dialog_open_picker(struct app *a, struct profile_list *list, const char *current,
                        dialog_answer_fn *on_answer)
{
    open_common(a, DLG_PICKER,
                a->s->other_users ? "Pick a profile (every local user's phonebook)"
                                  : "Pick a profile (both phonebooks)",
                on_answer);
    a->dlg.list = *list;
    list->items = NULL;
    list->count = 0;
    for (size_t i = 0; i < a->dlg.list.count; i++)
        if (current && strcmp(a->dlg.list.items[i].name, current) == 0)
            a->dlg.sel = (int)i;
}

void dialog_close(struct app *a)
{
    struct dialog *d = &a->dlg;
    /* whatever was typed goes, a secret above all */
    plat_wipe(d->input, sizeof d->input);
    d->ilen = 0;
    if (d->list.items)
        profile_list_free(&d->list);
    d->list.items = NULL;
    d->list.count = 0;
    if (d->win)
        delwin(d->win);
    d->win = NULL;
    d->kind = DLG_NONE;
    d->on_answer = NULL;
    listsearch_reset(&d->search);
}

struct geom {
    int h, w, y, x, iw, body_h, extra;
};

static void geometry(const struct app *a, struct geom *g)
{
    const struct dialog *d = &a->dlg;
    int cols = a->lay.cols, lines = a->lay.lines;
    int maxw = d->kind == DLG_PICKER ? 78 : 74;
    g->w = cols - 2 < maxw ? cols - 2 : maxw;
    g->iw = g->w - 4;
    g->extra = (d->kind == DLG_INPUT || d->kind == DLG_SECRET) ? 2 : 0;
    int content = d->kind == DLG_PICKER ? (int)d->list.count + 1 : doc_lines(&d->body, g->iw);
    if (content < 1)
        content = 1;
    g->h = content + g->extra + 2;
    if (g->h > lines - 2)
        g->h = lines - 2;
    g->body_h = g->h - 2 - g->extra;
    if (g->body_h < 1)
        g->body_h = 1;
    g->y = (lines - g->h) / 2;
    g->x = (cols - g->w) / 2;
}

/* left: a short status at the start of the bottom edge, if the hint leaves room */
static void draw_box(struct app *a, WINDOW *w, int h, int wd, const char *title, const char *hint,
                     const char *left)
{
    const struct theme *t = &a->theme;
    const struct glyphs *gl = t->g;
    attr_t attr = t->attr[ST_TITLE];
    draw_text(w, 0, 0, 1, gl->corner[0], attr, NULL);
    draw_fill(w, 0, 1, wd - 2, gl->hline, attr);
    draw_text(w, 0, wd - 1, 1, gl->corner[1], attr, NULL);
    for (int y = 1; y < h - 1; y++) {
        draw_text(w, y, 0, 1, gl->vline, attr, NULL);
        draw_text(w, y, wd - 1, 1, gl->vline, attr, NULL);
    }
    draw_text(w, h - 1, 0, 1, gl->corner[2], attr, NULL);
    draw_fill(w, h - 1, 1, wd - 2, gl->hline, attr);
    draw_text(w, h - 1, wd - 1, 1, gl->corner[3], attr, NULL);
    char buf[200];
    snprintf(buf, sizeof buf, " %s ", title);
    draw_text(w, 0, 2, wd - 4, buf, attr, gl->ellipsis);
    snprintf(buf, sizeof buf, " %s ", hint);
    int hw = u8_width(buf);
    if (hw < wd - 2)
        draw_text(w, h - 1, wd - 1 - hw - 1, hw, buf, t->attr[ST_KEY], NULL);
    if (left && *left) {
        char lbuf[64];
        snprintf(lbuf, sizeof lbuf, " %s ", left);
        if (2 + u8_width(lbuf) < wd - 1 - hw - 1)
            draw_text(w, h - 1, 2, u8_width(lbuf), lbuf, attr, NULL);
    }
}

static const char *hint_for(const struct app *a, bool scrolls)
{
    switch (a->dlg.kind) {
    case DLG_CONFIRM: /* y says what it does here */
        return a->dlg.confirm_hint;
    case DLG_INPUT:
        return "Enter ok  Esc cancel";
    case DLG_SECRET:
        return "typing is not shown  Enter ok  Esc cancel";
    case DLG_PICKER:
        return session_can_include_other_users(a->s)
                   ? "Enter pick  / search  A all users  Esc cancel"
                   : "Enter pick  / search  Esc cancel";
    case DLG_TEXT:
        return scrolls ? "Up/Down scroll  / search  Esc close" : "Esc close";
    case DLG_NONE:
        break;
    }
    return "";
}

static void draw_picker(struct app *a, WINDOW *w, const struct geom *g)
{
    const struct theme *t = &a->theme;
    struct dialog *d = &a->dlg;
    int rows = g->body_h - 1;
    if (rows < 1)
        rows = 1;
    if (d->sel < d->top)
        d->top = d->sel;
    if (d->sel >= d->top + rows)
        d->top = d->sel - rows + 1;
    int name_w = g->iw >= 60 ? 28 : g->iw - 12;
    bool wide = g->iw >= 60;
    int y = 1, x = 2;
    draw_text(w, y, x + 2, name_w, "NAME", t->attr[ST_LABEL], NULL);
    draw_text(w, y, x + 3 + name_w, 9, "PHONEBOOK", t->attr[ST_LABEL], NULL);
    if (wide) {
        draw_text(w, y, x + 13 + name_w, 11, "TYPE", t->attr[ST_LABEL], NULL);
        draw_text(w, y, x + 25 + name_w, g->iw - 25 - name_w, "SERVER", t->attr[ST_LABEL], NULL);
    }
    if (d->list.count == 0)
        draw_text(w, 2, x, g->iw, "No VPN profile on this machine.", A_NORMAL, NULL);
    for (int i = 0; i < rows && d->top + i < (int)d->list.count; i++) {
        const struct vpn_profile *p = &d->list.items[d->top + i];
        bool sel = d->top + i == d->sel;
        char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2];
        app_safe(a, p->name, name, sizeof name);
        app_safe(a, p->server, server, sizeof server);
        y = 2 + i;
        bool current = strcmp(p->name, a->s->profile) == 0;
        if (sel)
            draw_text(w, y, x, 1, t->g->select, t->attr[ST_TITLE], NULL);
        /* a dial-up or PPPoE entry is shown for what it is, dimmed: Enter on it is refused */
        bool vpn = profile_is_vpn(p);
        attr_t name_attr = vpn ? A_NORMAL : t->attr[ST_DIM];
        if (sel || current)
            name_attr = sel ? t->attr[ST_SELECT] : A_BOLD;
        draw_text(w, y, x + 2, name_w, name, name_attr, t->g->ellipsis);
        char owner[sizeof p->owner * 2];
        app_safe(a, p->owner, owner, sizeof owner);
        draw_text(w, y, x + 3 + name_w, 9,
                  p->owner[0]                          ? owner
                  : p->phonebook == PHONEBOOK_ALLUSERS ? "all users"
                                                       : "user",
                  A_NORMAL, t->g->ellipsis);
        if (wide) {
            char type[48];
            profile_type_label(p, true, type, sizeof type);
            draw_text(w, y, x + 13 + name_w, 11, type,
                      profile_is_l2tp(p) && vpn ? A_NORMAL : t->attr[ST_DIM], t->g->ellipsis);
            draw_text(w, y, x + 25 + name_w, g->iw - 25 - name_w, server, A_NORMAL, t->g->ellipsis);
        }
    }
}

void dialog_draw(struct app *a)
{
    struct dialog *d = &a->dlg;
    if (d->kind == DLG_NONE || a->lay.too_small)
        return;
    struct geom g;
    geometry(a, &g);
    if (d->win)
        delwin(d->win);
    d->win = newwin(g.h, g.w, g.y, g.x);
    if (!d->win)
        return;
    leaveok(d->win, TRUE);
    WINDOW *w = d->win;
    const struct theme *t = &a->theme;
    int total = d->kind == DLG_PICKER ? 0 : doc_lines(&d->body, g.iw);
    if (d->kind == DLG_TEXT)
        listsearch_follow(a, g.iw);
    if (d->scroll > total - g.body_h)
        d->scroll = total - g.body_h;
    if (d->scroll < 0)
        d->scroll = 0;
    werase(w);
    char where[48] = "";
    if (d->kind == DLG_PICKER && d->list.count > 0)
        snprintf(where, sizeof where, "%d of %zu", d->sel + 1, d->list.count);
    const char *hint = hint_for(a, total > g.body_h);
    /* a narrow picker keeps its position and gives up hints (all are in the help) */
    static const char *const shorter[] = {"Enter pick  / search  Esc cancel", "Enter  /  Esc"};
    for (size_t i = 0; where[0] && i < 2 && u8_width(hint) + u8_width(where) + 8 > g.w; i++)
        hint = shorter[i];
    draw_box(a, w, g.h, g.w, d->title, hint, where);
    if (d->kind == DLG_PICKER) {
        draw_picker(a, w, &g);
    } else {
        doc_draw(&d->body, w, 1, 2, g.iw, g.body_h, d->scroll, t);
        listsearch_mark(a, w, 1, 2, g.iw, g.body_h);
        if (d->scroll > 0)
            draw_text(w, 1, g.w - 1, 1, t->utf8 ? "\xe2\x86\x91" : "^", t->attr[ST_KEY], NULL);
        if (d->scroll + g.body_h < total)
            draw_text(w, g.body_h, g.w - 1, 1, t->utf8 ? "\xe2\x86\x93" : "v", t->attr[ST_KEY],
                      NULL);
    }
    if (d->kind == DLG_INPUT || d->kind == DLG_SECRET) {
        int y = g.h - 2;
        draw_text(w, y, 2, 2, "> ", t->attr[ST_KEY], NULL);
        if (d->kind == DLG_SECRET) {
            /* a fixed placeholder: not even the length of the secret shows */
            draw_text(w, y, 4, g.iw - 2, d->ilen ? "[typed, hidden]" : "", t->attr[ST_DIM], NULL);
        } else {
            char shown[INPUT_MAX * 2];
            app_safe(a, d->input, shown, sizeof shown);
            int sw = u8_width(shown);
            const char *from = shown;
            /* keep the end of a long entry in view */
            while (sw > g.iw - 3 && *from) {
                do
                    from++;
                while (((unsigned char)*from & 0xC0) == 0x80);
                sw = u8_width(from);
            }
            int x = 4 + draw_text(w, y, 4, g.iw - 3, from,
                                  d->untouched ? t->attr[ST_SELECT] : A_BOLD, NULL);
            draw_text(w, y, x, 1, "_", t->attr[ST_KEY], NULL);
        }
    }
    wnoutrefresh(w);
    listsearch_draw_bottom(a);
}

static int page(const struct app *a)
{
    struct geom g;
    geometry(a, &g);
    return g.body_h > 1 ? g.body_h - 1 : 1;
}

/* Closes the dialog, then does what its opener said on this answer; text is
 * what was typed or picked (NULL: nothing), copied first, wiped after. */
static unsigned answer(struct app *a, enum dlg_answer ans, const char *text)
{
    dialog_answer_fn *on_answer = a->dlg.on_answer;
    char copy[PROFILE_NAME_MAX > INPUT_MAX ? PROFILE_NAME_MAX : INPUT_MAX];
    snprintf(copy, sizeof copy, "%s", text ? text : "");
    dialog_close(a);
    unsigned r = UI_REDRAW | (on_answer ? on_answer(a, ans, copy) : 0);
    plat_wipe(copy, sizeof copy);
    return r;
}

/* Backspace: a whole UTF-8 character goes, or the whole pre-filled value. */
static unsigned erase_one(struct dialog *d)
{
    if (d->untouched) {
        d->ilen = 0;
        d->untouched = false;
    } else if (d->ilen > 0) {
        do
            d->ilen--;
        while (d->ilen > 0 && ((unsigned char)d->input[d->ilen] & 0xC0) == 0x80);
    }
    d->input[d->ilen] = '\0';
    return UI_DRAW_DIALOG;
}

static unsigned type_one(struct dialog *d, int key)
{
    bool printable = key >= 32 && key <= 255 && key != 127;
    if (!printable || (d->digits_only && (key < '0' || key > '9')))
        return 0;
    if (d->untouched) {
        d->ilen = 0;
        d->untouched = false;
    }
    if (d->ilen + 1 >= sizeof d->input)
        return 0;
    d->input[d->ilen++] = (char)key;
    d->input[d->ilen] = '\0';
    return d->kind == DLG_SECRET && d->ilen > 1 ? 0 : UI_DRAW_DIALOG;
}

static unsigned key_edit(struct app *a, int key)
{
    struct dialog *d = &a->dlg;
    if (key == 27)
        return answer(a, ANS_NO, NULL);
    if (key == '\n' || key == '\r' || key == KEY_ENTER)
        return answer(a, ANS_YES, d->input);
    if (key == KEY_BACKSPACE || key == 127 || key == 8)
        return erase_one(d);
    if (key == 21) { /* Ctrl-U: start over */
        plat_wipe(d->input, sizeof d->input);
        d->ilen = 0;
        d->untouched = false;
        return UI_DRAW_DIALOG;
    }
    return type_one(d, key);
}

/* Keep in step with picker_key. */
static bool picker_binds(enum action act)
{
    switch (act) {
    case ACT_UP:
    case ACT_DOWN:
    case ACT_PGUP:
    case ACT_PGDN:
    case ACT_HOME:
    case ACT_END:
    case ACT_OPEN:
    case ACT_OTHER_USERS:
    case ACT_CLOSE:
    case ACT_QUIT:
    case ACT_SEARCH:
    case ACT_SEARCH_NEXT:
    case ACT_SEARCH_PREV:
        return true;
    default:
        return false;
    }
}

/* Where a moving key takes a position (the picker's selection, a text's
 * scroll) whose last value is last; the caller keeps it in range. */
static int moved(const struct app *a, enum action act, int pos, int last)
{
    switch (act) {
    case ACT_UP:
        return pos - 1;
    case ACT_DOWN:
        return pos + 1;
    case ACT_PGUP:
        return pos - page(a);
    case ACT_PGDN:
        return pos + page(a);
    case ACT_HOME:
        return 0;
    case ACT_END:
        return last;
    default:
        return pos;
    }
}

static unsigned picker_key(struct app *a, enum action act)
{
    struct dialog *d = &a->dlg;
    int n = (int)d->list.count, old = d->sel;
    if (act == ACT_OPEN && n > 0)
        return answer(a, ANS_YES, d->list.items[d->sel].name);
    if (act == ACT_OTHER_USERS) { /* the picker stays, with more names */
        char none[1] = "";
        return d->on_answer ? d->on_answer(a, ANS_WIDEN, none) : 0;
    }
    if (act == ACT_CLOSE || act == ACT_QUIT)
        return answer(a, ANS_NO, NULL);
    d->sel = moved(a, act, d->sel, n - 1);
    if (d->sel >= n)
        d->sel = n - 1;
    if (d->sel < 0)
        d->sel = 0;
    return d->sel != old ? UI_DRAW_DIALOG : 0;
}

/* Reading: scroll, then close (the drawing stops the scroll at the end). */
static unsigned reading_key(struct app *a, enum action act)
{
    struct dialog *d = &a->dlg;
    bool closes = act == ACT_CLOSE || act == ACT_QUIT || act == ACT_OPEN || act == ACT_HELP;
    if (closes && d->kind == DLG_TEXT) {
        dialog_close(a);
        return UI_REDRAW;
    }
    int old = d->scroll;
    d->scroll = moved(a, act, d->scroll, 1 << 20);
    if (d->scroll < 0)
        d->scroll = 0;
    return d->scroll != old ? UI_DRAW_DIALOG : 0;
}

static unsigned plain_key(struct app *a, int key)
{
    enum action act = action_for_key(key);
    if (a->dlg.kind == DLG_CONFIRM && act == ACT_YES)
        return answer(a, ANS_YES, NULL);
    if (a->dlg.kind == DLG_CONFIRM && (act == ACT_NO || act == ACT_CLOSE))
        return answer(a, ANS_NO, NULL);
    if (a->dlg.kind == DLG_PICKER)
        return picker_key(a, act);
    return reading_key(a, act);
}

unsigned dialog_key(struct app *a, int key)
{
    struct dialog *d = &a->dlg;
    if (d->kind == DLG_INPUT || d->kind == DLG_SECRET)
        return key_edit(a, key);
    if (d->kind != DLG_TEXT && d->kind != DLG_PICKER)
        return plain_key(a, key);
    /* a list: the search sees the key first, so n is "next", not "no" */
    bool used = false;
    unsigned r = listsearch_key(a, key, !picker_binds(action_for_key(key)), &used);
    return used ? r : r | plain_key(a, key);
}
