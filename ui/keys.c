/* Keys -> actions through the one table in tui.h, which also writes the
 * help screen and the footer (htop Action.c, tig request.h). Each handler
 * returns what must be repainted. */
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
    dialog_open_text(a, title, DP_NONE);
    details_build(a, &a->dlg.body, DET_CHECK, a->sel.id);
    return UI_DRAW_DIALOG | UI_DRAW_DETAILS;
}

static unsigned act_fix(struct app *a)
{
    return ops_fix_selected(a);
}

static unsigned act_fix_all(struct app *a)
{
    return ops_fix_all(a);
}

static unsigned act_undo(struct app *a)
{
    return ops_undo(a);
}

static unsigned act_connect(struct app *a)
{
    return ops_connect(a);
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

static unsigned act_profile(struct app *a)
{
    return ops_profiles(a);
}

static unsigned act_explain(struct app *a)
{
    return ops_explain(a);
}

static unsigned act_history(struct app *a)
{
    return ops_history(a);
}

static unsigned act_help(struct app *a)
{
    help_open(a);
    return UI_DRAW_DIALOG;
}

static unsigned act_quit(struct app *a)
{
    return ops_quit(a);
}

static unsigned act_redraw(struct app *a)
{
    (void)a;
    return UI_REDRAW | UI_CLEAR;
}

static const struct action_def actions[ACTION_COUNT] = {
#define ACTION_ROW(e, fn, ctx, keys, help, footer, prio, k1, k2, k3, k4, brief)                    \
    [e] = {fn, ctx, keys, help, footer, prio, {k1, k2, k3, k4}, brief},
    ACTION_TABLE(ACTION_ROW)
#undef ACTION_ROW
};

const struct action_def *action_def(enum action act)
{
    return &actions[act];
}

enum action action_for_key(int key)
{
    if (key == 0)
        return ACTION_COUNT;
    for (int i = 0; i < ACTION_COUNT; i++)
        for (int k = 0; k < 4; k++)
            if (actions[i].key[k] == key)
                return (enum action)i;
    return ACTION_COUNT;
}

unsigned action_run(struct app *a, enum action act)
{
    if (act >= ACTION_COUNT || !actions[act].run || actions[act].ctx == CTX_DIALOG)
        return 0;
    return actions[act].run(a);
}

bool action_has_key(enum action act, int key)
{
    if (act >= ACTION_COUNT || key == 0)
        return false;
    for (int k = 0; k < 4; k++)
        if (actions[act].key[k] == key)
            return true;
    return false;
}
