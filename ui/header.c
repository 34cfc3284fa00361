/* The title bar, the message line and the footer of key hints. Nothing here
 * depends on time, so a screen that does not change writes nothing. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

static int put(WINDOW *w, int y, int x, int right, const char *s, attr_t attr,
               const struct theme *t)
{
    if (x >= right)
        return x;
    return x + draw_fit(w, y, x, right - x, s, attr, t->g->ellipsis);
}

/* Draws s only when it shows whole (a server name, "admin: yes"). */
static int put_whole(WINDOW *w, int y, int x, int right, const char *s, attr_t attr)
{
    int sw = u8_width(s);
    if (x + sw > right)
        return x;
    return x + draw_text(w, y, x, sw, s, attr, NULL);
}

const char *header_marker(const struct app *a)
{
    const char *name = session_backend_name(a->s);
    if (strcmp(name, "phonebook") == 0)
        return "PHONEBOOK";
    if (strcmp(name, "mock") == 0) /* the demo keeps its state in memory: no state directory */
        return a->s->state_dir[0] ? "MOCK" : "DEMO";
    return NULL;
}

/* The marker, right-aligned on the title bar; returns where the bar's text must end. */
static int draw_marker(struct app *a, int cols)
{
    const char *marker = header_marker(a);
    if (!marker)
        return cols;
    char text[32];
    snprintf(text, sizeof text, " %s ", marker);
    int mw = u8_width(text);
    draw_text(a->w_header, 0, cols - mw, mw, text, a->theme.attr[ST_HEADER_WARN] | A_BOLD, NULL);
    return cols - mw;
}

/* One line on a narrow terminal: the profile, then its server, then the rest
 * only where each shows whole; the tool's name and version give way first. */
static void compact_line(struct app *a, int right, const char *name, const char *pb,
                         const char *server, const char *admin)
{
    WINDOW *w = a->w_header;
    const struct theme *t = &a->theme;
    const attr_t bar = t->attr[ST_HEADER];
    const char *sep = t->utf8 ? " \xe2\x94\x82 " : " | ";
    char buf[PROFILE_SERVER_MAX * 2 + 8];
    snprintf(buf, sizeof buf, "%s%s", sep, server);
    int name_w = u8_width(name), rest = right - 1 - name_w;
    bool pb_fits = u8_width(pb) + u8_width(buf) <= rest || u8_width(buf) > rest;
    int x = put(w, 0, 1, right, name, bar | A_BOLD, t);
    if (pb_fits)
        x = put_whole(w, 0, x, right, pb, bar | A_BOLD);
    int before = x;
    x = put_whole(w, 0, x, right, buf, bar);
    if (x == before)
        return;
    snprintf(buf, sizeof buf, "  admin: %s", admin);
    put_whole(w, 0, x, right, buf, bar);
}

/* The longest marker that leaves the title its room, from the journal each
 * time: an undo takes it away. A simulated machine applied the change already,
 * and the marker says so, or it would contradict a test connection's "Connected". */
static const char *restart_mark(const struct app *a, int room)
{
    static const char *const real[] = {" RESTART REQUIRED ", " RESTART "};
    static const char *const simulated[] = {" RESTART REQUIRED (the simulated machine applied it) ",
                                            " RESTART REQUIRED (simulated: applied) ",
                                            " RESTART (simulated: applied) ",
                                            " RESTART (sim.: applied) "};
    struct restart_pending rp;
    session_restart_pending(a->s, &rp);
    if (!rp.count)
        return NULL;
    const char *const *marks = rp.at_once ? simulated : real;
    size_t n = rp.at_once ? sizeof simulated / sizeof simulated[0] : sizeof real / sizeof real[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (u8_width(marks[i]) <= room)
            return marks[i];
    return marks[n - 1];
}

void header_draw(struct app *a)
{
    WINDOW *w = a->w_header;
    const struct theme *t = &a->theme;
    const attr_t bar = t->attr[ST_HEADER];
    int cols = a->lay.cols;
    /* sized for the longest names (a 255-character user folder), so put() is what cuts, by display
     * width */
    char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2], backend[320],
        owner[PROFILE_OWNER_MAX * 2];
    char owned[sizeof owner + 32], buf[sizeof name + sizeof owned];
    const char *sep = t->utf8 ? " \xe2\x94\x82 " : " | ";

    werase(w);
    wbkgdset(w, ' ' | bar);
    wattrset(w, bar);
    wmove(w, 0, 0);
    wclrtoeol(w);
    wbkgdset(w, ' ');

    app_safe(a, session_describe(a->s), backend, sizeof backend);
    if (a->have_prof) {
        app_safe(a, a->prof.name, name, sizeof name);
        app_safe(a, a->prof.server[0] ? a->prof.server : "(no server)", server, sizeof server);
    } else {
        app_safe(a, a->s->profile[0] ? a->s->profile : "(no profile chosen)", name, sizeof name);
        snprintf(server, sizeof server, "-");
    }
    bool brief = a->lay.compact || a->lay.header_h < 2;
    if (a->have_prof && a->prof.owner[0]) {
        app_safe(a, a->prof.owner, owner, sizeof owner);
        snprintf(owned, sizeof owned, brief ? " (%s)" : " (%s's phonebook)", owner);
    }
    const char *pb = !a->have_prof      ? ""
                     : a->prof.owner[0] ? owned
                     : a->prof.phonebook == PHONEBOOK_ALLUSERS
                         ? (brief ? " (all users)" : " (all users' phonebook)")
                         : (brief ? " (user)" : " (this user's phonebook)");
    const char *admin = !a->admin_known ? "?" : a->admin ? "yes" : "NO";

    /* the markers are drawn first, right-aligned, so they are never cut */
    int right = draw_marker(a, cols);
    char title[sizeof name + sizeof owned + 64];
    snprintf(title, sizeof title, " l2tpfix %s%s%s%s", a->opts->version ? a->opts->version : "",
             sep, name, pb);
    const char *mark = restart_mark(a, right - u8_width(title));
    int mw = mark ? u8_width(mark) : 0;
    if (mark && mw < right - 20) {
        right -= mw;
        draw_text(w, 0, right, mw, mark, t->attr[ST_HEADER_WARN] | A_BOLD, NULL);
    }
    if (a->lay.compact && a->lay.header_h < 2) {
        compact_line(a, right, name, pb, server, admin);
        wnoutrefresh(w);
        return;
    }
    int x = 1;
    snprintf(buf, sizeof buf, "l2tpfix %s", a->opts->version ? a->opts->version : "");
    x = put(w, 0, x, right, buf, bar | A_BOLD, t);
    x = put(w, 0, x, right, sep, bar, t);
    snprintf(buf, sizeof buf, "%s%s", name, pb);
    x = put(w, 0, x, right, buf, bar | A_BOLD, t);
    if (a->lay.header_h < 2) {
        x = put(w, 0, x, right, sep, bar, t);
        snprintf(buf, sizeof buf, "%s  admin: %s  %s", server, admin, backend);
        put(w, 0, x, right, buf, bar, t);
        wnoutrefresh(w);
        return;
    }
    x = 1;
    x = put(w, 1, x, cols, "Server ", t->attr[ST_LABEL], t);
    x = put(w, 1, x, cols, server, A_NORMAL, t);
    x = put(w, 1, x, cols, "  Admin ", t->attr[ST_LABEL], t);
    x = put(w, 1, x, cols, admin, a->admin_known && !a->admin ? t->attr[ST_WARN] : A_NORMAL, t);
    x = put(w, 1, x, cols, "  Backend ", t->attr[ST_LABEL], t);
    put(w, 1, x, cols, backend, A_NORMAL, t);
    wnoutrefresh(w);
}

void msg_draw(struct app *a)
{
    WINDOW *w = a->w_msg;
    const struct theme *t = &a->theme;
    werase(w);
    if (a->msg[0]) {
        enum ui_style st = a->msg_kind == MSG_ERR  ? ST_MSG_ERR
                           : a->msg_kind == MSG_OK ? ST_MSG_OK
                                                   : ST_NORMAL;
        draw_fit(w, 0, 1, a->lay.cols - 2, a->msg, t->attr[st], t->g->ellipsis);
    }
    wnoutrefresh(w);
}

/* The keys the footer must show at every size (footer_prio up to this): quit,
 * fix all, help, fix, connect, undo. */
#define FOOTER_ESSENTIAL_PRIO 5

/* How the hints are laid out: the full labels with room to spare first, then
 * the table's brief labels, closer gaps and no margin, until the essential
 * keys all show. */
struct footer_style {
    bool brief;
    int gap, margin;
};

static const char *hint_label(const struct action_def *d, bool brief)
{
    return brief && d->brief ? d->brief : d->footer;
}

static int hint_width(const struct action_def *d, bool brief)
{
    char key[16];
    sscanf(d->keys, "%15s", key);
    return u8_width(key) + 1 + u8_width(hint_label(d, brief));
}

/* Takes the hints that fit by priority; returns whether every essential one did. */
static bool choose_hints(bool take[ACTION_COUNT], struct footer_style fs, int room)
{
    int width = 0, n = 0;
    bool essentials = true;
    memset(take, 0, sizeof(bool) * ACTION_COUNT);
    for (int prio = 0; prio < 64; prio++)
        for (int i = 0; i < ACTION_COUNT; i++) {
            const struct action_def *d = action_def((enum action)i);
            if (!d->footer || d->footer_prio != prio)
                continue;
            int need = hint_width(d, fs.brief) + (n ? fs.gap : 0);
            take[i] = width + need <= room;
            if (take[i]) {
                width += need;
                n++;
            } else if (prio <= FOOTER_ESSENTIAL_PRIO) {
                essentials = false;
            }
        }
    return essentials;
}

/* The hints that fit, chosen by priority and shown in the table's order. */
void footer_draw(struct app *a)
{
    static const struct footer_style styles[] = {
        {false, 2, 1}, {true, 2, 1}, {true, 1, 1}, {true, 1, 0}};
    WINDOW *w = a->w_footer;
    const struct theme *t = &a->theme;
    bool take[ACTION_COUNT] = {false};
    struct footer_style fs = styles[0];
    for (size_t k = 0; k < sizeof styles / sizeof styles[0]; k++) {
        fs = styles[k];
        /* the last column stays empty: a write there would scroll some terminals */
        if (choose_hints(take, fs, a->lay.cols - 1 - fs.margin))
            break;
    }
    werase(w);
    int x = fs.margin;
    for (int i = 0; i < ACTION_COUNT; i++) {
        if (!take[i])
            continue;
        const struct action_def *d = action_def((enum action)i);
        char key[16];
        sscanf(d->keys, "%15s", key);
        x += draw_text(w, 0, x, a->lay.cols - x, key, t->attr[ST_KEY], NULL);
        x += 1;
        x += draw_text(w, 0, x, a->lay.cols - x, hint_label(d, fs.brief), t->attr[ST_DIM], NULL);
        x += fs.gap;
    }
    wnoutrefresh(w);
}
