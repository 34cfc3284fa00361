/* The loop: one wgetch with a timeout per cycle, a timeout being a tick that
 * moves the diagnosis and the test connection on; only the panels that
 * changed are painted, with one doupdate per cycle (tig display.c, mtr
 * select.c). Signals only set a flag; the loop restores the terminal. */
#include "tui.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#define TICK_BUSY_MS 40  /* while something runs: spinner and results */
#define TICK_IDLE_MS 250 /* idle: only to notice a signal; writes nothing */
#define RESIZE_DRAIN_MS 30

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

/* Installed before curses starts, so curses keeps its hands off them. */
static void catch_signals(void)
{
    static const int sigs[] = {
        SIGINT,
        SIGTERM,
#ifdef SIGHUP
        SIGHUP,
#endif
    };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
#ifdef _WIN32
        signal(sigs[i], on_signal);
#else
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns and the loop sees the flag */
        sigaction(sigs[i], &sa, NULL);
#endif
    }
}

static void restore_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
#ifdef SIGHUP
    signal(SIGHUP, SIG_DFL);
#endif
}

static bool app_busy(const struct app *a)
{
    return a->diagnosing || a->connecting;
}

static void draw_too_small(const struct app *a)
{
    werase(stdscr);
    const char *marker = header_marker(a);
    char text[64], line[96];
    /* even here the simulated machine says so */
    snprintf(text, sizeof text, "%s%sterminal too small", marker ? marker : "", marker ? ": " : "");
    snprintf(line, sizeof line, "%s (need 40x12)", text);
    if ((int)strlen(line) > COLS)
        snprintf(line, sizeof line, "%s", text);
    int y = LINES / 2, x = (COLS - (int)strlen(line)) / 2;
    draw_text(stdscr, y < 0 ? 0 : y, x < 0 ? 0 : x, COLS, line, A_BOLD, NULL);
    wnoutrefresh(stdscr);
}

/* Paints what changed and sends it in one doupdate. */
static void render(struct app *a, unsigned dirty)
{
    if (!(dirty & (UI_REDRAW | UI_CLEAR)))
        return;
    if (dirty & UI_CLEAR)
        clearok(curscr, TRUE);
    if (a->lay.too_small) {
        draw_too_small(a);
        doupdate();
        return;
    }
    if ((dirty & UI_REDRAW) == UI_REDRAW) {
        /* stdscr lies under every panel; clean and untouched, wgetch never repaints it */
        werase(stdscr);
        wnoutrefresh(stdscr);
    }
    bool panels = false;
    if (dirty & UI_DRAW_HEADER)
        header_draw(a), panels = true;
    if (dirty & UI_DRAW_LIST)
        checklist_draw(a), panels = true;
    if ((dirty & UI_DRAW_DETAILS) && a->lay.show_details)
        details_draw(a), panels = true;
    if (dirty & UI_DRAW_MSG)
        msg_draw(a), panels = true;
    if (dirty & UI_DRAW_FOOTER)
        footer_draw(a), panels = true;
    /* a panel painted under the dialog is covered again; unchanged cells cost nothing */
    if (a->dlg.kind != DLG_NONE && (panels || (dirty & UI_DRAW_DIALOG)))
        dialog_draw(a);
    doupdate();
}

static unsigned handle_key(struct app *a, int key)
{
    if (key == 12)
        return UI_REDRAW | UI_CLEAR;
    if (a->dlg.kind != DLG_NONE)
        return dialog_key(a, key);
    enum action act = action_for_key(key);
    /* a dialog's key (/ n y A) on the checklist says so rather than nothing */
    if (act == ACTION_COUNT || (action_def(act)->ctx == CTX_DIALOG && act != ACT_CLOSE)) {
        app_message(a, MSG_INFO, "That key does nothing here: ? shows the keys");
        return UI_DRAW_MSG;
    }
    if (act == ACT_CLOSE && a->msg[0]) {
        a->msg[0] = '\0';
        return UI_DRAW_MSG;
    }
    return action_run(a, act);
}

/* A burst of resize events becomes one new layout and one repaint. */
static unsigned handle_resize(struct app *a)
{
    wtimeout(stdscr, RESIZE_DRAIN_MS);
    int ch;
    while ((ch = wgetch(stdscr)) == KEY_RESIZE)
        ;
    if (ch != ERR)
        ungetch(ch);
#ifdef PDCURSES
    resize_term(0, 0);
#endif
    layout_apply(a);
    return UI_REDRAW;
}

static SCREEN *start_curses(void)
{
    /* newterm, not initscr: an unknown TERM is an error returned, not an exit */
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen)
        return NULL;
    cbreak(); /* Ctrl-C still raises SIGINT, which the loop turns into a clean exit */
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
#ifdef NCURSES_VERSION
    set_escdelay(25); /* Esc closes a dialog at once, not after a second */
    /* remote consoles often run with a TERM that is not quite right: accept
     * the Home and End of the other common terminal families too */
    static const struct {
        const char *seq;
        int key;
    } extra_keys[] = {
        {"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME}, {"\033[H", KEY_HOME}, {"\033OH", KEY_HOME},
        {"\033[4~", KEY_END},  {"\033[8~", KEY_END},  {"\033[F", KEY_END},  {"\033OF", KEY_END},
    };
    for (size_t i = 0; i < sizeof extra_keys / sizeof extra_keys[0]; i++)
        if (key_defined(extra_keys[i].seq) == 0)
            define_key(extra_keys[i].seq, extra_keys[i].key);
#endif
    return screen;
}

/* Nothing is known before a profile is chosen: no mark may say pass. */
static void show_nothing_known(struct app *a)
{
    for (int st = 0; st < STAGE_COUNT; st++) {
        a->expanded[st] = a->s->profile[0] != '\0';
        a->shown.stages[st] = CHECK_UNKNOWN;
    }
    for (int c = 0; c < CHECK_COUNT; c++) {
        a->shown.checks[c].status = CHECK_UNKNOWN;
        a->shown.checks[c].fix = FIX_NONE;
        snprintf(a->shown.checks[c].summary, sizeof a->shown.checks[c].summary, "not checked yet");
    }
    a->sel = (struct row){true, STAGE_TUNNEL};
    checklist_rebuild(a);
    layout_apply(a);
}

/* The profile given is diagnosed at once; without one the picker opens. */
static void first_screen(struct app *a)
{
    ops_load_profile(a);
    if (a->s->profile[0]) {
        ops_start_diagnosis(a);
        return;
    }
    ops_profiles(a);
    size_t vpns = 0;
    for (size_t i = 0; i < a->dlg.list.count; i++)
        vpns += profile_is_vpn(&a->dlg.list.items[i]);
    /* only dial-up or PPPoE entries: nothing here to pick */
    if (vpns || !a->dlg.list.count)
        app_message(a, MSG_INFO, "Several profiles: pick the one to work on");
    else
        app_message(a, MSG_ERR, "No VPN profile here: the entries listed are not VPNs; q quits");
}

/* One key, or ERR when the timeout passed; ERR at once, again and again,
 * means the terminal has gone away. */
static int next_key(struct app *a, int timeout, int *fast_errs)
{
    wtimeout(stdscr, timeout);
    uint64_t before = plat_monotonic_ms();
    int ch = wgetch(stdscr);
    if (ch != ERR) {
        *fast_errs = 0;
        return ch;
    }
    *fast_errs = plat_monotonic_ms() - before < (uint64_t)timeout / 2 ? *fast_errs + 1 : 0;
    if (*fast_errs > 200 && !got_signal) {
        snprintf(a->fatal, sizeof a->fatal, "the terminal stopped answering");
        a->exit_code = 1;
    }
    return ERR;
}

/* Tick, repaint what changed, wait for a key, until quit, a signal or a fatal error. */
static void run_loop(struct app *a)
{
    unsigned dirty = UI_REDRAW;
    int fast_errs = 0;
    while (!a->fatal[0]) {
        if (got_signal) {
            a->exit_code = 128 + (int)got_signal;
            break;
        }
        uint64_t now = plat_monotonic_ms();
        dirty |= ops_tick(a, now) | details_tick(a, now);
        if (dirty & UI_RELAYOUT)
            dirty = (dirty & ~(unsigned)UI_RELAYOUT) | layout_apply(a);
        if ((dirty & UI_QUIT) || a->fatal[0])
            break;
        render(a, dirty);
        dirty = 0;
        int timeout = app_busy(a) || checklist_has_running(a) ? TICK_BUSY_MS : TICK_IDLE_MS;
        int ch = next_key(a, details_wait_ms(a, plat_monotonic_ms(), timeout), &fast_errs);
        if (ch == KEY_RESIZE)
            dirty |= handle_resize(a);
        else if (ch != ERR)
            dirty |= handle_key(a, ch);
    }
}

/* Hangs up, gives the terminal back, and says a fatal error only then. */
static int finish(struct app *a, SCREEN *screen)
{
    if (a->connecting)
        session_connect_cancel(a->s);
    diagnose_cancel(&a->run);
    dialog_close(a);
    layout_free(a);
    endwin();
    delscreen(screen);
    restore_signals();
    int rc = a->exit_code;
    if (a->fatal[0]) {
        fprintf(stderr, "l2tpfix: %s\n", a->fatal);
        rc = rc ? rc : 3;
    }
    free(a);
    return rc;
}

int ui_run(struct session *s, const struct ui_options *opts)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "l2tpfix: out of memory\n");
        return 3;
    }
    a->s = s;
    a->opts = opts;
    a->ascii = opts->ascii;
    setlocale(LC_CTYPE, "");
    got_signal = 0;
    catch_signals();
    SCREEN *screen = start_curses();
    if (!screen) {
        restore_signals();
        free(a);
        fprintf(stderr,
                "l2tpfix: this terminal (TERM=%.40s) cannot run the checklist; try TERM=xterm or "
                "%s check\n",
                getenv("TERM") ? getenv("TERM") : "", s->hint_profile);
        return 3;
    }
    theme_init(&a->theme, opts);
    a->ascii = opts->ascii || !a->theme.utf8;
    show_nothing_known(a);
    first_screen(a);
    run_loop(a);
    return finish(a, screen);
}
