/* What the keys do on the checklist: the fn column of the one table in tui.h
 * (actions.c reads its other columns). The commands of the core are ops.c's
 * own functions, named in the table; what is left here moves the selection,
 * opens a row or a help screen. Each handler returns what must be repainted. */
#include "tui.h"

#include <stdio.h>

static unsigned act_up(struct app *a)
{
    return checklist_move(a, -1);
}

static unsigned act_down(struct app *a)
{
    return checklist_move(a, 1);
}

static unsigned act_pgup(struct app *a)
{
    return checklist_move(a, -(a->lay.list_h > 1 ? a->lay.list_h - 1 : 1));
}

static unsigned act_pgdn(struct app *a)
{
    return checklist_move(a, a->lay.list_h > 1 ? a->lay.list_h - 1 : 1);
}

static unsigned act_home(struct app *a)
{
    return checklist_home_end(a, false);
}

static unsigned act_end(struct app *a)
{
    return checklist_home_end(a, true);
}

/* A stage folds; a check goes to the details pane at once, or, when the
 * pane already shows it or there is no pane, opens in full. */
static unsigned act_open(struct app *a)
{
    if (a->sel.is_stage)
        return checklist_toggle(a, (enum stage_id)a->sel.id);
    a->user_moved = true;
    if (a->lay.show_details && !(a->det == DET_CHECK && a->det_id == a->sel.id && !a->det_stale)) {
        a->det = DET_CHECK;
        a->det_id = a->sel.id;
        a->det_scroll = 0;
        a->det_stale = false;
        return UI_DRAW_DETAILS;
    }
    a->det = DET_CHECK;
    a->det_id = a->sel.id;
    a->det_stale = false;
    char title[160];
    snprintf(title, sizeof title, "%s", check_info((enum check_id)a->sel.id)->title);
    dialog_open_text(a, title);
    details_build(a, &a->dlg.body, DET_CHECK, a->sel.id);
    return UI_DRAW_DIALOG | UI_DRAW_DETAILS;
}

static unsigned act_rerun(struct app *a)
{
    if (!a->s->profile[0]) {
        app_message(a, MSG_ERR, "No profile chosen: press p to pick one");
        return UI_DRAW_MSG;
    }
    ops_start_diagnosis(a);
    app_message(a, MSG_INFO, "Diagnosing again...");
    return UI_DRAW_LIST | UI_DRAW_MSG;
}

static unsigned act_help(struct app *a)
{
    help_open(a);
    return UI_DRAW_DIALOG;
}

static unsigned act_redraw(struct app *a)
{
    (void)a;
    return UI_REDRAW | UI_CLEAR;
}

/* the table's fn column; a row whose key only a dialog reads has none */
static unsigned (*const handlers[ACTION_COUNT])(struct app *a) = {
#define HANDLER_ROW(e, fn, ctx, keys, help, footer, prio, k1, k2, k3, k4, brief) [e] = fn,
    ACTION_TABLE(HANDLER_ROW)
#undef HANDLER_ROW
};

unsigned action_run(struct app *a, enum action act)
{
    if (act >= ACTION_COUNT || !handlers[act] || action_def(act)->ctx == CTX_DIALOG)
        return 0;
    return handlers[act](a);
}
