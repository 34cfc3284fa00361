/* The checklist's internals, shared by the files of ui/: the application
 * state, the panels and the small drawing helpers. Only ui/ includes it. */
#ifndef L2F_TUI_H
#define L2F_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb.h"
#include "session.h"
#include "textsearch.h"
#include "ui.h"

/* What a handler asks of the loop (htop's Htop_Reaction): panels to repaint,
 * a new layout, or the end. */
enum ui_reaction {
    UI_DRAW_HEADER = 1 << 0,
    UI_DRAW_LIST = 1 << 1,
    UI_DRAW_DETAILS = 1 << 2,
    UI_DRAW_MSG = 1 << 3,
    UI_DRAW_FOOTER = 1 << 4,
    UI_DRAW_DIALOG = 1 << 5,
    UI_RELAYOUT = 1 << 6,
    UI_QUIT = 1 << 7,
    UI_CLEAR = 1 << 8, /* Ctrl-L: repaint every cell, not only the changed ones */
};
#define UI_REDRAW                                                                                  \
    (UI_DRAW_HEADER | UI_DRAW_LIST | UI_DRAW_DETAILS | UI_DRAW_MSG | UI_DRAW_FOOTER |              \
     UI_DRAW_DIALOG)

/* ---- theme.c: glyphs and attributes, decided once at start ---- */

enum ui_style {
    ST_NORMAL,
    ST_HEADER,      /* the title bar */
    ST_HEADER_WARN, /* "restart required" in the title bar */
    ST_PASS,
    ST_FAIL,
    ST_WARN,
    ST_UNKNOWN,
    ST_RUNNING,
    ST_SELECT, /* the selected row's label */
    ST_TITLE,  /* panel and dialog titles */
    ST_LABEL,  /* "Where:", "Fix:" in the details */
    ST_DIM,    /* hints and secondary text */
    ST_MSG_OK,
    ST_MSG_ERR,
    ST_KEY, /* a key in the footer */
    ST_COUNT
};

struct glyphs {
    const char *mark[5]; /* per enum check_status; RUNNING is replaced by the spinner */
    const char *skip;    /* a skipped check: nothing to test, left out of its stage's verdict */
    const char *spinner[10];
    int n_spinner;
    const char *expanded, *collapsed;
    const char *hline, *vline, *ellipsis, *arrow, *select;
    const char *corner[4]; /* top-left, top-right, bottom-left, bottom-right */
};

struct theme {
    bool color;
    bool utf8;
    attr_t attr[ST_COUNT];
    const struct glyphs *g;
};

void theme_init(struct theme *t, const struct ui_options *opts);
enum ui_style status_style(enum check_status st);

/* ---- draw.c: text in columns, and wrapped documents ---- */

/* Display columns of a UTF-8 string (sanitised: no control characters). */
int u8_width(const char *s);
/* Writes s at (y, x) in at most maxcols columns; a cut ends in ellipsis.
 * Returns the columns written. */
int draw_text(WINDOW *w, int y, int x, int maxcols, const char *s, attr_t attr,
              const char *ellipsis);
/* Writes the sentence s like draw_text, fitted meaning first (text_fit): words
 * go from the tail, a number, id, name=value or --option only whole. */
int draw_fit(WINDOW *w, int y, int x, int maxcols, const char *s, attr_t attr,
             const char *ellipsis);
/* Fills n columns with a one-column glyph string. */
void draw_fill(WINDOW *w, int y, int x, int n, const char *glyph, attr_t attr);

/* A short text of paragraphs, each with a style and an indent, wrapped to the
 * width it is drawn in. Every paragraph is sanitised when added. */
#define DOC_TEXT_MAX 16384
#define DOC_PARA_MAX 128
struct doc {
    char text[DOC_TEXT_MAX];
    size_t used;
    struct {
        unsigned off;
        unsigned char style, indent, hang; /* hang: indent of the lines after the first */
    } para[DOC_PARA_MAX];
    int n;
    bool ascii;
};
void doc_init(struct doc *d, bool ascii);
void doc_add(struct doc *d, enum ui_style style, int indent, const char *text);
void doc_addf(struct doc *d, enum ui_style style, int indent, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Sets where the wrapped lines of the last paragraph start. */
void doc_hang(struct doc *d, int hang);
/* Lines the document takes at this width. */
int doc_lines(const struct doc *d, int width);
/* The wrapped line (from the top of the document) that holds byte off of
 * paragraph para at this width, and in *col the column it starts at. */
int doc_locate(const struct doc *d, int width, int para, size_t off, int *col);
/* The paragraph that wrapped line `line` belongs to. */
int doc_para_at(const struct doc *d, int width, int line);
/* Draws lines [skip, skip + height) of the wrapped document at (y, x). */
void doc_draw(const struct doc *d, WINDOW *w, int y, int x, int width, int height, int skip,
              const struct theme *t);

/* ---- the application ---- */

enum details_subject { DET_NONE, DET_CHECK, DET_STAGE, DET_CONNECT };

enum conn_mark { CONN_NONE, CONN_ACTIVE, CONN_PASSED, CONN_FAILED, CONN_SKIPPED };

enum msg_kind { MSG_INFO, MSG_OK, MSG_ERR };

enum dlg_kind { DLG_NONE, DLG_TEXT, DLG_CONFIRM, DLG_INPUT, DLG_SECRET, DLG_PICKER };

/* How a person answered a dialog. */
enum dlg_answer {
    ANS_YES,   /* y, or Enter on what was typed or on a profile in the picker */
    ANS_NO,    /* n or Esc (q too in the picker): cancelled */
    ANS_WIDEN, /* A in the picker: every local user's phonebook too; the picker stays */
};
struct app;
/* What an answered dialog goes on to do, told by whoever opens it (tig's
 * prompts), so dialogs.c calls back into no other file. The dialog has closed
 * (not for ANS_WIDEN); text is what was typed or the picked profile's name,
 * else "", and is wiped after the call. Returns what to repaint. */
typedef unsigned dialog_answer_fn(struct app *a, enum dlg_answer ans, char *text);

#define INPUT_MAX 256
#define CONN_LOG_MAX 10
#define SEARCH_MAX 64

/* '/', n and N in a list dialog (the picker, help, history), and the
 * picker's type-to-jump (listsearch.c). */
struct list_search {
    bool prompting; /* the '/' prompt is open on the bottom line */
    char typed[SEARCH_MAX];
    size_t tlen;
    char needle[SEARCH_MAX]; /* the confirmed search, for n and N */
    bool have_hit;           /* a text dialog marks the occurrence found */
    struct textsearch_pos hit;
    char note[SEARCH_MAX + 64]; /* on the bottom line until the next key */
    bool note_err;
    int width;       /* a text dialog's text width when last drawn */
    char prefix[32]; /* type-to-jump: what was typed within a second */
    size_t plen;
    uint64_t prefix_ms;
};

struct dialog {
    enum dlg_kind kind;
    dialog_answer_fn *on_answer; /* NULL for text to read */
    char confirm_hint[40];       /* "y apply  n cancel": y names what it does */
    char title[128];
    struct doc body;
    int scroll;
    char input[INPUT_MAX]; /* INPUT and SECRET; a secret is wiped when the dialog closes */
    size_t ilen;
    bool digits_only;
    bool untouched; /* the pre-filled value goes at the first key typed */
    /* the picker */
    struct profile_list list;
    int sel, top;
    struct list_search search;
    WINDOW *win;
};

struct layout {
    int lines, cols;
    bool too_small;
    bool show_details;
    bool compact; /* no status words, shortest labels */
    bool titles;  /* wide enough for full check titles instead of ids */
    int header_h, list_y, list_h, det_y, det_h, msg_y, footer_y;
};

struct row {
    bool is_stage;
    int id; /* enum stage_id or enum check_id */
};

struct app {
    struct session *s;
    const struct ui_options *opts;
    bool ascii;
    struct theme theme;
    struct layout lay;
    WINDOW *w_header, *w_list, *w_details, *w_msg, *w_footer;

    /* the selected profile, for the header */
    struct vpn_profile prof;
    bool have_prof;
    bool admin, admin_known;

    /* diagnosis: run is in progress while diagnosing; diag/obs are the last
     * complete results (fixes are planned from them) */
    struct diagnose_run run;
    bool diagnosing, have_diag, first_done;
    struct diagnosis shown; /* what the checklist draws: live while running */
    struct diagnosis diag;
    struct observations obs;
    uint64_t next_step_ms;
    /* settings that drifted from the profile's saved baseline, by check */
    char drift[CHECK_COUNT][96];

    /* checklist */
    bool expanded[STAGE_COUNT], user_expanded[STAGE_COUNT];
    struct row rows[STAGE_COUNT + CHECK_COUNT];
    int n_rows;
    struct row sel;
    bool user_moved;
    int top;

    /* details pane: it follows the selection; after a move it shows only the
     * new subject's title (stale) until the keys pause, then fills */
    enum details_subject det;
    int det_id;
    int det_scroll;
    bool det_stale;
    uint64_t det_due_ms;

    /* test connection */
    bool connecting, conn_done;
    enum conn_mark conn[STAGE_COUNT];
    int conn_code;
    enum stage_id conn_stage;
    char conn_detail[STAGE_COUNT][160];
    char conn_last[160];
    uint64_t conn_started_ms;
    bool conn_ikev2;                   /* the test is the IKEv2 exchange (i), not the dial (c) */
    char ikev2_user[PROFILE_USER_MAX]; /* typed for it, until the password is */

    /* fixes waiting to be applied after one confirmation */
    enum fix_id wanted[FIX_COUNT];
    size_t n_wanted;
    char done_ids[256], fail_msg[640];
    int64_t undo_id;
    struct fix_plan plans[FIX_COUNT];
    size_t n_plans, next_plan;
    int n_applied, n_failed;
    bool plan_reboot;
    bool key_tested;                 /* the server judged a key typed in this batch (psk-matches) */
    bool torn_told;                  /* the journal's torn last line was reported (once a run) */
    char username[PROFILE_USER_MAX]; /* typed for the credentials fix */
    /* the key use-psk warned about (keylint), kept until it is saved as typed or
     * retyped, then wiped: a second Enter on the same key saves it */
    char warned_key[INPUT_MAX];

    char msg[320];
    enum msg_kind msg_kind;

    struct dialog dlg;
    unsigned spin;
    uint64_t next_spin_ms;
    int exit_code;
    char fatal[512];
};

/* message.c: leaf helpers, calling no other ui file */
void app_message(struct app *a, enum msg_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Sanitises a string from the backend for drawing. */
const char *app_safe(const struct app *a, const char *src, char *buf, size_t len);
/* A stage's title in the test's own lines: IKEv2's name for it after the i exchange. */
const char *app_stage_title(const struct app *a, enum stage_id s);

/* layout.c */
unsigned layout_apply(struct app *a);
void layout_free(struct app *a);

/* header.c: title bar, message line, footer */
void header_draw(struct app *a);
void msg_draw(struct app *a);
void footer_draw(struct app *a);
/* The word that says the machine is not the person's own (DEMO, MOCK,
 * PHONEBOOK), shown at every size; NULL for the live backend. */
const char *header_marker(const struct app *a);

/* checklist.c */
void checklist_rebuild(struct app *a);
void checklist_draw(struct app *a);
unsigned checklist_move(struct app *a, int delta);
unsigned checklist_home_end(struct app *a, bool end);
bool checklist_has_running(const struct app *a);
/* Collapses passing stages and expands the others, unless the person chose. */
void checklist_auto_expand(struct app *a);
unsigned checklist_toggle(struct app *a, enum stage_id s);
/* A stage's row text: its counts, naming every row it folds ("all 6 checks pass, 1 skipped"). */
void checklist_stage_summary(const struct app *a, enum stage_id s, char *buf, size_t len);

/* details.c */
void details_build(struct app *a, struct doc *d, enum details_subject subj, int id);
void details_draw(struct app *a);
void explain_build(struct doc *d, const struct kb_entry *kb);

/* details_follow.c: the pane's subject and when its text comes (state only) */
/* The pane takes the selected row as its subject (not while a test connection
 * it shows runs); its text comes once the keys pause. */
unsigned details_follow(struct app *a);
/* Fills a stale pane once the keys have paused; the loop's timeout for it. */
unsigned details_tick(struct app *a, uint64_t now);
int details_wait_ms(const struct app *a, uint64_t now, int timeout);

/* dialogs.c */
void dialog_open_text(struct app *a, const char *title);
/* yes_verb: what y does, for the hint ("apply", "undo", "quit") */
void dialog_open_confirm(struct app *a, const char *title, const char *yes_verb,
                         dialog_answer_fn *on_answer);
void dialog_open_input(struct app *a, const char *title, bool digits_only, const char *prefill,
                       dialog_answer_fn *on_answer);
void dialog_open_secret(struct app *a, const char *title, dialog_answer_fn *on_answer);
/* Takes the list over; current is selected if it is in it. */
void dialog_open_picker(struct app *a, struct profile_list *list, const char *current,
                        dialog_answer_fn *on_answer);
void dialog_close(struct app *a);
void dialog_draw(struct app *a);
unsigned dialog_key(struct app *a, int key);

/* listsearch.c: '/', n, N and type-to-jump in the picker and text dialogs */
void listsearch_reset(struct list_search *s);
/* Handles the key if it is a search's (or the picker's jump); *used says.
 * picker_free: the picker does nothing else with the key, so it may jump. */
unsigned listsearch_key(struct app *a, int key, bool picker_free, bool *used);
/* Scrolls a text dialog to a new match; width is the dialog's text width. */
void listsearch_follow(struct app *a, int width);
/* Marks the match in a text dialog drawn at (y, x), width by height. */
void listsearch_mark(struct app *a, WINDOW *w, int y, int x, int width, int height);
/* The prompt or the last search's note, on the screen's bottom line. */
void listsearch_draw_bottom(struct app *a);

/* help.c */
void help_open(struct app *a);

/* actions.c: the one table of keys, actions and help; each row's fn (NULL:
 * handled by the dialog) is what the key does on the checklist, run by keys.c */
enum ui_context { CTX_MAIN, CTX_DIALOG, CTX_ANY };
struct action_def {
    enum ui_context ctx;
    const char *keys, *help, *footer;
    int footer_prio; /* 0: not in the footer; lower shows first */
    int key[4];
    const char *brief; /* the footer's label when the full ones do not fit */
};
#define ACTION_TABLE(X)                                                                            \
    X(ACT_UP, act_up, CTX_ANY, "Up k", "move the selection up (scroll in a dialog)", NULL, 0,      \
      KEY_UP, 'k', 0, 0, NULL)                                                                     \
    X(ACT_DOWN, act_down, CTX_ANY, "Down j", "move the selection down", NULL, 0, KEY_DOWN, 'j', 0, \
      0, NULL)                                                                                     \
    X(ACT_PGUP, act_pgup, CTX_ANY, "PgUp", "a page up", NULL, 0, KEY_PPAGE, 0, 0, 0, NULL)         \
    X(ACT_PGDN, act_pgdn, CTX_ANY, "PgDn", "a page down", NULL, 0, KEY_NPAGE, 0, 0, 0, NULL)       \
    X(ACT_HOME, act_home, CTX_ANY, "Home g", "to the first line", NULL, 0, KEY_HOME, 'g', 0, 0,    \
      NULL)                                                                                        \
    X(ACT_END, act_end, CTX_ANY, "End G", "to the last line", NULL, 0, KEY_END, 'G', 0, 0, NULL)   \
    X(ACT_OPEN, act_open, CTX_ANY, "Enter Space",                                                  \
      "expand or collapse a stage; show a check's details (again: all of it)", "open", 9, '\n',    \
      '\r', KEY_ENTER, ' ', "open")                                                                \
    X(ACT_FIX, ops_fix_selected, CTX_MAIN, "f",                                                    \
      "apply the selected check's fix (shows the change first)", "fix", 3, 'f', 0, 0, 0, "fix")    \
    X(ACT_FIX_ALL, ops_fix_all, CTX_MAIN, "a", "apply all recommended fixes (one confirmation)",   \
      "fix all", 1, 'a', 0, 0, 0, "all")                                                           \
    X(ACT_UNDO, ops_undo, CTX_MAIN, "u", "undo the last change", "undo", 5, 'u', 0, 0, 0, "undo")  \
    X(ACT_CONNECT, ops_connect, CTX_MAIN, "c",                                                     \
      "test connection: the stages light up as it gets through them (c again hangs up)",           \
      "connect", 4, 'c', 0, 0, 0, "conn")                                                          \
    X(ACT_IKEV2, ops_ikev2, CTX_MAIN, "i",                                                         \
      "IKEv2 from here as Windows' client: asks user and password; feeds ikev2-available "         \
      "(i again stops it)",                                                                        \
      "ikev2", 12, 'i', 0, 0, 0, "ikev2")                                                          \
    X(ACT_RERUN, act_rerun, CTX_MAIN, "r", "re-run the diagnosis", "re-run", 7, 'r', 0, 0, 0,      \
      "rerun")                                                                                     \
    X(ACT_PROFILE, ops_profiles, CTX_MAIN, "p", "pick another profile (both phonebooks)",          \
      "profile", 8, 'p', 0, 0, 0, "prof")                                                          \
    X(ACT_EXPLAIN, ops_explain, CTX_MAIN, "e", "explain a RAS error code (asks for the number)",   \
      "explain", 10, 'e', 0, 0, 0, "expl")                                                         \
    X(ACT_HISTORY, ops_history, CTX_MAIN, "h", "history of the changes made on this machine",      \
      "history", 11, 'h', 0, 0, 0, "hist")                                                         \
    X(ACT_HELP, act_help, CTX_MAIN, "? F1", "this help", "help", 2, '?', KEY_F(1), 0, 0, "help")   \
    X(ACT_QUIT, ops_quit, CTX_MAIN, "q", "quit (asks first while a test connection runs)", "quit", \
      0, 'q', 0, 0, 0, "quit")                                                                     \
    X(ACT_REDRAW, act_redraw, CTX_ANY, "Ctrl-L", "repaint the whole screen", NULL, 0, 12, 0, 0, 0, \
      NULL)                                                                                        \
    X(ACT_YES, NULL, CTX_DIALOG, "y", "in a confirmation: apply the change shown", NULL, 0, 'y',   \
      'Y', 0, 0, NULL)                                                                             \
    X(ACT_NO, NULL, CTX_DIALOG, "n", "in a confirmation: change nothing", NULL, 0, 'n', 'N', 0, 0, \
      NULL)                                                                                        \
    X(ACT_CLOSE, NULL, CTX_DIALOG, "Esc", "close a dialog, cancel a question", NULL, 0, 27, 0, 0,  \
      0, NULL)                                                                                     \
    X(ACT_OTHER_USERS, NULL, CTX_DIALOG, "A",                                                      \
      "in the profile picker: every local user's phonebook too (administrator)", NULL, 0, 'A', 0,  \
      0, 0, NULL)                                                                                  \
    X(ACT_SEARCH, NULL, CTX_DIALOG, "/",                                                           \
      "in a list (picker, help, history): search; Enter finds, Esc cancels", NULL, 0, '/', 0, 0,   \
      0, NULL)                                                                                     \
    X(ACT_SEARCH_NEXT, NULL, CTX_DIALOG, "n",                                                      \
      "in a list: the next match (round to the top at the end)", NULL, 0, 'n', 0, 0, 0, NULL)      \
    X(ACT_SEARCH_PREV, NULL, CTX_DIALOG, "N", "in a list: the previous match", NULL, 0, 'N', 0, 0, \
      0, NULL)                                                                                     \
    X(ACT_JUMP, NULL, CTX_DIALOG, "0-9 a-z",                                                       \
      "in the profile picker: jump to the first name that starts with what is typed within a "     \
      "second, "                                                                                   \
      "either case; j k q g G n N A keep their meaning there (J K Q jump)",                        \
      NULL, 0, 0, 0, 0, 0, NULL)

#define ACTION_ENUM(e, fn, ctx, keys, help, footer, prio, k1, k2, k3, k4, brief) e,
enum action { ACTION_TABLE(ACTION_ENUM) ACTION_COUNT };
#undef ACTION_ENUM

const struct action_def *action_def(enum action act);
/* The action a key stands for, or ACTION_COUNT. */
enum action action_for_key(int key);
/* Whether key is one of act's keys (n is ACT_NO in a confirmation, but
 * ACT_SEARCH_NEXT in a list). */
bool action_has_key(enum action act, int key);

/* keys.c: what the keys do on the checklist (the fn column of the table) */
unsigned action_run(struct app *a, enum action act);

/* ops.c: what the keys do with the core */
void ops_start_diagnosis(struct app *a);
unsigned ops_tick(struct app *a, uint64_t now);
bool ops_finish_diagnosis(struct app *a);
unsigned ops_fix_selected(struct app *a);
unsigned ops_fix_all(struct app *a);
unsigned ops_undo(struct app *a);
unsigned ops_connect(struct app *a);
unsigned ops_ikev2(struct app *a);
unsigned ops_explain(struct app *a);
unsigned ops_history(struct app *a);
unsigned ops_profiles(struct app *a);
unsigned ops_quit(struct app *a);
void ops_load_profile(struct app *a);

#endif
