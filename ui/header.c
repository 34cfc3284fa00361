/* The title bar, the message line and the footer of key hints. Nothing here
 * depends on time, so a screen that does not change writes nothing. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

static int put(WINDOW *w, int y, int x, int right, const char *s, attr_t attr, const struct theme *t)
{
    if (x >= right)
        return x;
    return x + draw_text(w, y, x, right - x, s, attr, t->g->ellipsis);
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

    app_safe(a, a->s->be.ops->describe(&a->s->be), backend, sizeof backend);
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
    const char *pb = !a->have_prof                        ? ""
                     : a->prof.owner[0]                   ? owned
                     : a->prof.phonebook == PHONEBOOK_ALLUSERS ? (brief ? " (all users)" : " (all users' phonebook)")
                                                               : (brief ? " (user)" : " (this user's phonebook)");
    const char *admin = !a->admin_known ? "?" : a->admin ? "yes" : "NO";

    /* the restart marker is drawn first, right-aligned, so it is never cut */
    int right = cols;
    char title[sizeof name + sizeof owned + 64];
    snprintf(title, sizeof title, " l2tpfix %s%s%s%s", a->opts->version ? a->opts->version : "", sep, name, pb);
    const char *mark = restart_mark(a, cols - u8_width(title));
    int mw = mark ? u8_width(mark) : 0;
    if (mark && mw < cols - 20) {
        right = cols - mw;
        draw_text(w, 0, right, mw, mark, t->attr[ST_HEADER_WARN] | A_BOLD, NULL);
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
        enum ui_style st = a->msg_kind == MSG_ERR ? ST_MSG_ERR : a->msg_kind == MSG_OK ? ST_MSG_OK : ST_NORMAL;
        draw_text(w, 0, 1, a->lay.cols - 2, a->msg, t->attr[st], t->g->ellipsis);
    }
    wnoutrefresh(w);
}

/* The hints that fit, chosen by priority and shown in the table's order. */
void footer_draw(struct app *a)
{
    WINDOW *w = a->w_footer;
    const struct theme *t = &a->theme;
    bool take[ACTION_COUNT] = {false};
    int width = 1;
    for (int prio = 0; prio < 64; prio++)
        for (int i = 0; i < ACTION_COUNT; i++) {
            const struct action_def *d = action_def((enum action)i);
            if (!d->footer || d->footer_prio != prio)
                continue;
            char key[16];
            sscanf(d->keys, "%15s", key);
            int need = u8_width(key) + 1 + u8_width(d->footer) + 2;
            if (width + need - 2 <= a->lay.cols - 1) {
                take[i] = true;
                width += need;
            }
        }
    werase(w);
    int x = 1;
    for (int i = 0; i < ACTION_COUNT; i++) {
        if (!take[i])
            continue;
        const struct action_def *d = action_def((enum action)i);
        char key[16];
        sscanf(d->keys, "%15s", key);
        x += draw_text(w, 0, x, a->lay.cols - x, key, t->attr[ST_KEY], NULL);
        x += 1;
        x += draw_text(w, 0, x, a->lay.cols - x, d->footer, t->attr[ST_DIM], NULL);
        x += 2;
    }
    wnoutrefresh(w);
}
