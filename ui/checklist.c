/* The four stages in handshake order, each with its checks beneath. The
 * selection is kept by identity, not by row, so it survives a re-run, a
 * collapse and a resize. Only the mark and label of the selected row are
 * highlighted: moving the selection rewrites two short runs of cells. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "verdict.h"

#define WORD_W 7 /* "unknown" */
#define STAGE_TITLE_W 16
#define TITLE_W 37 /* the longest check title */

static int row_index(const struct app *a, struct row r)
{
    for (int i = 0; i < a->n_rows; i++)
        if (a->rows[i].is_stage == r.is_stage && a->rows[i].id == r.id)
            return i;
    return -1;
}

static void keep_visible(struct app *a)
{
    int h = a->lay.list_h > 0 ? a->lay.list_h : 1;
    int i = row_index(a, a->sel);
    if (i < 0)
        i = 0;
    if (a->top > a->n_rows - h)
        a->top = a->n_rows - h;
    if (a->top < 0)
        a->top = 0;
    if (i < a->top)
        a->top = i;
    if (i >= a->top + h)
        a->top = i - h + 1;
}

void checklist_rebuild(struct app *a)
{
    a->n_rows = 0;
    for (int s = 0; s < STAGE_COUNT; s++) {
        a->rows[a->n_rows++] = (struct row){true, s};
        if (!a->expanded[s])
            continue;
        for (int c = 0; c < CHECK_COUNT; c++)
            if (check_info((enum check_id)c)->stage == (enum stage_id)s)
                a->rows[a->n_rows++] = (struct row){false, c};
    }
    /* a check hidden by a collapse hands the selection to its stage, and the pane follows */
    if (row_index(a, a->sel) < 0) {
        a->sel = (struct row){
            true, a->sel.is_stage ? a->sel.id : (int)check_info((enum check_id)a->sel.id)->stage};
        if (a->det == DET_CHECK)
            details_follow(a);
    }
    keep_visible(a);
}

void checklist_auto_expand(struct app *a)
{
    for (int s = 0; s < STAGE_COUNT; s++)
        if (!a->user_expanded[s])
            a->expanded[s] = a->shown.stages[s] != CHECK_PASS;
    checklist_rebuild(a);
}

unsigned checklist_toggle(struct app *a, enum stage_id s)
{
    a->expanded[s] = !a->expanded[s];
    a->user_expanded[s] = true;
    int before = a->n_rows;
    checklist_rebuild(a);
    return UI_DRAW_LIST | UI_DRAW_DETAILS | (a->n_rows != before ? UI_RELAYOUT : 0);
}

bool checklist_has_running(const struct app *a)
{
    for (int s = 0; s < STAGE_COUNT; s++)
        if (a->shown.stages[s] == CHECK_RUNNING || a->conn[s] == CONN_ACTIVE)
            return true;
    return false;
}

unsigned checklist_move(struct app *a, int delta)
{
    int i = row_index(a, a->sel);
    int n = i < 0 ? 0 : i + delta;
    if (n < 0)
        n = 0;
    if (n >= a->n_rows)
        n = a->n_rows - 1;
    if (n == i)
        return 0;
    a->sel = a->rows[n];
    a->user_moved = true;
    keep_visible(a);
    return UI_DRAW_LIST | details_follow(a);
}

unsigned checklist_home_end(struct app *a, bool end)
{
    int i = row_index(a, a->sel);
    return checklist_move(a, end ? a->n_rows - 1 - i : -i);
}

/* The status mark and word, in the status's style; a check left out of the verdict
 * ("skipped", "n/a": left_out names it) has its own mark, dimmed. */
static int draw_mark(struct app *a, int y, int x, enum check_status st, const char *left_out,
                     bool word)
{
    const struct theme *t = &a->theme;
    attr_t attr = t->attr[left_out ? ST_DIM : status_style(st)];
    const char *glyph = left_out              ? t->g->skip
                        : st == CHECK_RUNNING ? t->g->spinner[a->spin % (unsigned)t->g->n_spinner]
                                              : t->g->mark[st];
    draw_text(a->w_list, y, x, 1, glyph, attr, NULL);
    if (!word)
        return x + 2;
    draw_text(a->w_list, y, x + 2, WORD_W, left_out ? left_out : check_status_word(st), attr, NULL);
    return x + 2 + WORD_W + 1;
}

static void conn_text(const struct app *a, enum stage_id s, char *buf, size_t len,
                      enum ui_style *style)
{
    const struct glyphs *g = a->theme.g;
    char detail[200];
    app_safe(a, a->conn_detail[s], detail, sizeof detail);
    switch (a->conn[s]) {
    case CONN_ACTIVE:
        snprintf(buf, len, "test %s reaching %s", g->spinner[a->spin % (unsigned)g->n_spinner],
                 detail);
        *style = ST_RUNNING;
        break;
    case CONN_PASSED:
        snprintf(buf, len, "test %s passed (%s)", g->mark[CHECK_PASS], detail);
        *style = ST_PASS;
        break;
    case CONN_FAILED: {
        const struct kb_entry *kb = kb_lookup(a->conn_code);
        snprintf(buf, len, "test %s stopped here: %d%s%s", g->mark[CHECK_FAIL], a->conn_code,
                 kb ? " " : "", kb ? kb->name : "");
        *style = ST_FAIL;
        break;
    }
    case CONN_SKIPPED:
        snprintf(buf, len, "test: %s",
                 a->conn_ikev2 && s == STAGE_PPP ? "not used by IKEv2" : "not reached");
        *style = ST_DIM;
        break;
    case CONN_NONE:
        buf[0] = '\0';
        *style = ST_DIM;
        break;
    }
}

/* "all 6 checks pass, 1 skipped", never a pass that hides an unknown */
void checklist_stage_summary(const struct app *a, enum stage_id s, char *buf, size_t len)
{
    struct verdict_counts n;
    verdict_stage_counts(&a->shown, s, &n);
    int rows = n.pass + n.fail + n.warn + n.unknown + n.running + n.skipped + n.not_applicable;
    if (!a->s->profile[0]) /* no profile chosen: nothing was tried, so nothing "could not" be */
        snprintf(buf, len, "%d checks, not made yet", rows);
    else if (n.not_applicable == rows)
        snprintf(buf, len, "no check applies to this type of VPN"); /* PPP of IKEv2 */
    else
        verdict_stage_text(&n, buf, len);
}

static void draw_stage(struct app *a, int y, enum stage_id s, bool selected)
{
    WINDOW *w = a->w_list;
    const struct theme *t = &a->theme;
    bool compact = a->lay.compact;
    int cols = a->lay.cols;
    if (selected)
        draw_text(w, y, 0, 1, t->g->select, t->attr[ST_TITLE], NULL);
    draw_text(w, y, compact ? 1 : 2, 1, a->expanded[s] ? t->g->expanded : t->g->collapsed, A_NORMAL,
              NULL);
    int x = draw_mark(a, y, compact ? 3 : 4, a->shown.stages[s], NULL, !compact);
    const char *title = stage_info(s)->title; /* its mark is the checks': the L2TP name stays */
    draw_text(w, y, x, STAGE_TITLE_W, title, selected ? t->attr[ST_SELECT] | A_BOLD : A_BOLD,
              t->g->ellipsis);
    x += STAGE_TITLE_W + 1;
    char info[320], dial[96] = "";
    enum ui_style st = ST_DIM;
    conn_text(a, s, info, sizeof info, &st);
    /* the last real dial, unless this session's test connection lights the stages */
    if (!info[0] && !a->connecting && !a->conn_done)
        dialstage_mark_text(&a->shown.last_dial, s, dial, sizeof dial);
    if (!info[0] && !a->expanded[s])
        checklist_stage_summary(a, s, info, sizeof info);
    if (info[0] && x < cols - 1)
        x += draw_fit(w, y, x, cols - 1 - x, info, t->attr[st], t->g->ellipsis);
    if (info[0] && dial[0] && x + 12 < cols - 1) /* the checks' summary, then the dial's mark */
        x +=
            draw_text(w, y, x, cols - 1 - x, t->utf8 ? " \xc2\xb7 " : " - ", t->attr[ST_DIM], NULL);
    bool stopped = a->shown.last_dial.marks[s] == DIAL_MARK_STOPPED;
    if (dial[0] && x + 12 < cols - 1) /* "last dial …" or nothing */
        draw_fit(w, y, x, cols - 1 - x, dial, t->attr[stopped ? ST_WARN : ST_DIM], t->g->ellipsis);
}

/* Where a check's summary starts: in the aligned column, or right after a
 * short label when the summary's value ("AuthRestrictions=128:") only shows
 * whole there (meaning before alignment on a narrow terminal). */
static int summary_column(const struct app *a, int x, int lw, int label_w, const char *summary)
{
    int aligned = x + lw + 1, tight = x + label_w + 1, cols = a->lay.cols;
    if (tight >= aligned || aligned >= cols - 1)
        return aligned;
    char fitted[sizeof a->shown.checks[0].summary * 2 + 16];
    const char *ell = a->theme.g->ellipsis;
    text_fit(fitted, sizeof fitted, summary, (size_t)(cols - 1 - aligned), ell);
    bool value_dropped = summary[0] && strncmp(fitted, ell, strlen(ell)) == 0;
    return value_dropped ? tight : aligned;
}

static void draw_check(struct app *a, int y, enum check_id c, bool selected)
{
    WINDOW *w = a->w_list;
    const struct theme *t = &a->theme;
    const struct check_result *r = &a->shown.checks[c];
    bool compact = a->lay.compact;
    int cols = a->lay.cols;
    if (selected)
        draw_text(w, y, 0, 1, t->g->select, t->attr[ST_TITLE], NULL);
    int x = draw_mark(a, y, compact ? 3 : 4, r->status,
                      r->not_applicable ? check_result_word(r) : NULL, !compact);
    x += compact ? 0 : 2;
    const char *label = a->lay.titles ? check_info(c)->title : check_info(c)->id;
    /* every id whole, a stage's summaries in one column (its longest id) */
    int lw = a->lay.titles ? TITLE_W : stage_check_id_width(check_info(c)->stage);
    int label_w =
        draw_fit(w, y, x, lw, label, selected ? t->attr[ST_SELECT] : A_NORMAL, t->g->ellipsis);
    char summary[sizeof r->summary * 2 + 16];
    app_safe(a, r->summary, summary, sizeof summary - 16);
    if (a->drift[c][0]) { /* the baseline says this changed since it worked */
        memmove(summary + 9, summary, strlen(summary) + 1);
        memcpy(summary, "drifted: ", 9);
    }
    x = summary_column(a, x, lw, label_w, summary);
    if (x < cols - 1)
        draw_fit(w, y, x, cols - 1 - x, summary,
                 r->status == CHECK_RUNNING ? t->attr[ST_DIM] : A_NORMAL, t->g->ellipsis);
}

void checklist_draw(struct app *a)
{
    WINDOW *w = a->w_list;
    werase(w);
    keep_visible(a);
    for (int y = 0; y < a->lay.list_h && a->top + y < a->n_rows; y++) {
        struct row r = a->rows[a->top + y];
        bool sel = r.is_stage == a->sel.is_stage && r.id == a->sel.id;
        if (r.is_stage)
            draw_stage(a, y, (enum stage_id)r.id, sel);
        else
            draw_check(a, y, (enum check_id)r.id, sel);
    }
    /* a mark at the edge says there is more above or below */
    const struct theme *t = &a->theme;
    if (a->top > 0)
        draw_text(w, 0, a->lay.cols - 1, 1, t->utf8 ? "\xe2\x86\x91" : "^", t->attr[ST_TITLE],
                  NULL);
    if (a->top + a->lay.list_h < a->n_rows)
        draw_text(w, a->lay.list_h - 1, a->lay.cols - 1, 1, t->utf8 ? "\xe2\x86\x93" : "v",
                  t->attr[ST_TITLE], NULL);
    wnoutrefresh(w);
}
