/* What the keys do with the core: diagnose step by step, plan and apply
 * fixes (one confirmation, then a secret if one is needed), undo, the test
 * connection, profiles, explanations and the history. The same calls as the
 * command line (src/cli.c), told on screen instead of on stdout. */
#include "tui.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "keylint.h"
#include "platform.h"
#include "verdict.h"

/* Pause between diagnosis steps, so each result is seen arriving. */
#define DIAG_STEP_MS 60

/* What each dialog opened here does on its answer (dialogs.c calls it back). */
static dialog_answer_fn username_answered, fixes_answered, secret_answered, undo_answered,
    explain_answered, profile_answered, quit_answered;

void ops_load_profile(struct app *a)
{
    struct l2f_err err = {{0}};
    a->have_prof = session_read_profile(a->s, &a->prof, &err) == L2F_OK;
    a->admin_known = session_is_admin(a->s, &a->admin) == L2F_OK;
}

void ops_start_diagnosis(struct app *a)
{
    diagnose_cancel(&a->run); /* a probe still under way from the last run */
    session_diagnose_start(a->s, &a->run);
    diagnose_evaluate(&a->run.obs, &a->shown);
    a->diagnosing = true;
    a->next_step_ms = plat_monotonic_ms() + DIAG_STEP_MS;
}

/* The first problem, so that f works at once and the pane shows it. */
static int first_problem(const struct app *a)
{
    for (int want = CHECK_FAIL; want <= CHECK_WARN; want++)
        for (int c = 0; c < CHECK_COUNT; c++)
            if (a->diag.checks[c].status == (enum check_status)want)
                return c;
    return -1;
}

/* Marks the checks whose setting drifted from the saved baseline, if the
 * profile has one (l2tpfix baseline save). */
static void mark_drift(struct app *a)
{
    memset(a->drift, 0, sizeof a->drift);
    if (!a->s->state_dir[0] || a->obs.profile_st != L2F_OK)
        return;
    char path[PLAT_PATH_MAX], *text = NULL;
    struct l2f_err err;
    baseline_default_path(a->s->state_dir, a->s->profile, path, sizeof path);
    if (plat_read_file(path, &text, NULL, &err) != L2F_OK)
        return;
    struct drift d[BASELINE_MAX_DRIFT];
    size_t n = 0;
    if (baseline_check(text, path, &a->obs, d, BASELINE_MAX_DRIFT, &n, &err) == L2F_OK)
        for (size_t i = 0; i < n; i++)
            if (d[i].check < CHECK_COUNT && !a->drift[d[i].check][0])
                snprintf(a->drift[d[i].check], sizeof a->drift[0], "%.40s was %.20s, now %.20s",
                         d[i].what, d[i].was, d[i].now);
    free(text);
}

static unsigned diagnosis_done(struct app *a)
{
    a->diagnosing = false;
    a->diag = a->shown;
    a->obs = a->run.obs;
    a->have_diag = true;
    mark_drift(a);
    unsigned r = UI_DRAW_LIST | UI_DRAW_DETAILS | UI_DRAW_HEADER | UI_RELAYOUT;
    if (a->obs.profile_st != L2F_OK) {
        app_message(a, MSG_ERR, "Profile not readable: %s",
                    a->run.err.msg[0] ? a->run.err.msg : l2f_status_message(a->obs.profile_st));
        r |= UI_DRAW_MSG;
    }
    checklist_auto_expand(a);
    if (!a->first_done) {
        a->first_done = true;
        int c = first_problem(a);
        if (c >= 0 && !a->user_moved) { /* the pane shows it at once: nobody is moving */
            a->sel = (struct row){false, c};
            checklist_rebuild(a);
            a->det = DET_CHECK;
            a->det_id = c;
            a->det_stale = false;
        }
        if (!a->msg[0] || a->msg_kind == MSG_INFO) {
            struct verdict v;
            diagnosis_verdict(&a->diag, NULL, &v);
            if (a->diag.n_recommended)
                app_message(a, MSG_INFO,
                            "%d fix%s recommended: a applies %s, f only the selected one",
                            (int)a->diag.n_recommended, a->diag.n_recommended == 1 ? "" : "es",
                            a->diag.n_recommended == 1 ? "it" : "them all");
            else if (v.kind == VERDICT_PROBLEMS)
                app_message(a, MSG_INFO,
                            "No automatic fix: select a marked check, Enter shows what to do");
            else if (v.kind == VERDICT_INCOMPLETE) /* never "no problem found" alone while checks
                                                      could not be made */
                app_message(a, MSG_INFO,
                            "No problem found in the %d check%s made here; %d could not be made "
                            "here (marked ?)",
                            v.n.pass, v.n.pass == 1 ? "" : "s", v.n.unknown);
            else
                app_message(a, MSG_OK, "No problem found on this side: c tests the connection");
            r |= UI_DRAW_MSG;
        }
    }
    return r;
}

static unsigned diagnose_one(struct app *a)
{
    bool more = diagnose_step(&a->run);
    diagnose_evaluate(&a->run.obs, &a->shown);
    unsigned r = UI_DRAW_LIST;
    if (a->det == DET_CHECK || a->det == DET_STAGE)
        r |= UI_DRAW_DETAILS;
    if (a->run.obs.have_profile && a->run.obs.profile_st == L2F_OK &&
        (!a->have_prof || memcmp(&a->prof, &a->run.obs.profile, sizeof a->prof) != 0)) {
        a->prof = a->run.obs.profile;
        a->have_prof = true;
        r |= UI_DRAW_HEADER;
    }
    if (a->run.obs.have_admin && a->run.obs.admin_st == L2F_OK &&
        (!a->admin_known || a->admin != a->run.obs.admin)) {
        a->admin = a->run.obs.admin;
        a->admin_known = true;
        r |= UI_DRAW_HEADER;
    }
    if (!more)
        r |= diagnosis_done(a);
    return r;
}

bool ops_finish_diagnosis(struct app *a)
{
    a->run.probe_wait_ms = 50; /* the person waits on this: no busy loop on a probe */
    while (a->diagnosing)
        diagnose_one(a);
    a->run.probe_wait_ms = 0;
    return a->have_diag;
}

static unsigned connect_event(struct app *a, const struct connect_event *ev)
{
    enum stage_id s = ev->stage < STAGE_COUNT ? ev->stage : STAGE_TUNNEL;
    switch (ev->kind) {
    case CONNECT_STAGE_BEGIN:
        a->conn[s] = CONN_ACTIVE;
        snprintf(a->conn_detail[s], sizeof a->conn_detail[s], "%s", ev->detail);
        return UI_DRAW_LIST | UI_DRAW_DETAILS;
    case CONNECT_STAGE_PASS:
        a->conn[s] = CONN_PASSED;
        snprintf(a->conn_detail[s], sizeof a->conn_detail[s], "%s", ev->detail);
        return UI_DRAW_LIST | UI_DRAW_DETAILS;
    case CONNECT_DONE:
        break;
    }
    a->connecting = false;
    a->conn_done = true;
    a->conn_code = ev->code;
    a->conn_stage = s;
    if (ev->code != 0) {
        a->conn[s] = CONN_FAILED;
        snprintf(a->conn_detail[s], sizeof a->conn_detail[s], "%s", ev->detail);
        /* later stages were not reached, nor an earlier one still under way
         * (the real handshake runs the tunnel inside IPsec) */
        for (int k = 0; k < STAGE_COUNT; k++)
            if (k != (int)s && (k > (int)s || a->conn[k] == CONN_ACTIVE))
                a->conn[k] = CONN_SKIPPED;
        const struct kb_entry *kb = kb_lookup(ev->code);
        char reason[sizeof ev->detail * 2];
        if (a->conn_ikev2) /* the reason too: it is what differs between two 13801s */
            app_message(a, MSG_ERR, "IKEv2 stopped in %s: error %d: %s (e explains it)",
                        app_stage_title(a, s), ev->code,
                        app_safe(a, ev->detail, reason, sizeof reason));
        else
            app_message(a, MSG_ERR, "Stopped in %s: error %d%s%s (e explains it)",
                        stage_info(s)->title, ev->code, kb ? " " : "", kb ? kb->name : "");
    } else if (a->conn_ikev2) {
        app_message(a, MSG_OK,
                    "IKEv2 from here: server authenticated, user accepted (on record "
                    "for ikev2-available)");
    } else {
        app_message(a, MSG_OK, "Connected: all four stages passed (hung up again)");
    }
    /* the attempt is now the last connection Windows recorded: look again */
    ops_start_diagnosis(a);
    return UI_DRAW_LIST | UI_DRAW_DETAILS | UI_DRAW_MSG;
}

unsigned ops_tick(struct app *a, uint64_t now)
{
    unsigned r = 0;
    if (a->diagnosing && now >= a->next_step_ms) {
        r |= diagnose_one(a);
        a->next_step_ms = now + DIAG_STEP_MS;
    }
    if (a->connecting) {
        struct connect_event ev;
        while (a->connecting && session_connect_poll(a->s, &ev))
            r |= connect_event(a, &ev);
    }
    if (now >= a->next_spin_ms && checklist_has_running(a)) {
        a->spin++;
        a->next_spin_ms = now + 100;
        r |= UI_DRAW_LIST;
    }
    return r;
}

/* A change makes the last test connection's result out of date. */
static void forget_connection(struct app *a)
{
    for (int s = 0; s < STAGE_COUNT; s++)
        a->conn[s] = CONN_NONE;
    a->conn_done = false;
    if (a->det == DET_CONNECT) /* the pane goes back to the selected row */
        details_follow(a);
}

/* ---- fixes ---- */

static bool ready_for_changes(struct app *a)
{
    if (!a->s->profile[0]) {
        app_message(a, MSG_ERR, "No profile chosen: press p to pick one");
        return false;
    }
    if (a->connecting) {
        app_message(a, MSG_ERR, "A test connection is running: wait for it, or c hangs up");
        return false;
    }
    if (!ops_finish_diagnosis(a) || a->obs.profile_st != L2F_OK) {
        app_message(a, MSG_ERR, "The profile could not be read: nothing to fix");
        return false;
    }
    return true;
}

static void add_plan_text(struct app *a, struct doc *d, const struct fix_plan *plan)
{
    const struct fix_info *fi = fix_info(plan->fix);
    doc_addf(d, ST_TITLE, 0, "%s (%s)%s%s", fi->title, fi->id,
             plan->needs_admin ? "  [administrator]" : "",
             plan->needs_reboot ? "  [Windows restart]" : "");
    for (size_t i = 0; i < plan->n_changes; i++) {
        char desc[800];
        change_describe(&plan->changes[i], desc, sizeof desc);
        doc_add(d, ST_NORMAL, 4, desc);
        doc_hang(d, 6);
    }
    if (fi->warning) {
        doc_addf(d, ST_WARN, 4, "Warning: %s", fi->warning);
        doc_hang(d, 6);
    }
    if (plan->secret != FIX_SECRET_NONE)
        doc_addf(d, ST_DIM, 4, "asks for the %s next (typed, not shown)",
                 plan->secret == FIX_SECRET_PSK ? "pre-shared key" : "password");
    if (plan->needs_admin && a->admin_known && !a->admin)
        doc_add(d, ST_WARN, 4,
                "needs administrator rights, which l2tpfix does not have: it will be "
                "refused; " L2F_HOW_TO_GET_RIGHTS);
}

/* Plans what is wanted and asks once, listing every change. */
static unsigned plan_and_confirm(struct app *a)
{
    a->n_plans = 0;
    char nothing[256] = "";
    for (size_t i = 0; i < a->n_wanted; i++) {
        struct l2f_err err = {{0}};
        enum fix_id f = a->wanted[i];
        if (f == FIX_CREDENTIALS && !a->username[0] && !a->obs.profile.username[0]) {
            dialog_open_input(a, "User name to save", false, NULL, username_answered);
            doc_addf(&a->dlg.body, ST_NORMAL, 0,
                     "No user name is saved for '%s'. The user name to save with the "
                     "password:",
                     a->obs.profile.name);
            return UI_DRAW_DIALOG;
        }
        enum l2f_status st = fix_plan_make(f, &a->obs, a->username[0] ? a->username : NULL,
                                           &a->plans[a->n_plans], &err);
        if (st == L2F_ERR_NOTHING) {
            size_t l = strlen(nothing);
            snprintf(nothing + l, sizeof nothing - l, "%s%s", l ? ", " : "", fix_info(f)->id);
            continue;
        }
        if (st != L2F_OK) {
            app_message(a, MSG_ERR, "%s: %s", fix_info(f)->id,
                        err.msg[0] ? err.msg : l2f_status_message(st));
            a->n_plans = 0;
            return UI_DRAW_MSG;
        }
        a->n_plans++;
    }
    if (a->n_plans == 0) {
        app_message(a, MSG_INFO, "Nothing to change: %s already as it should be", nothing);
        return UI_DRAW_MSG;
    }
    char title[160];
    if (a->n_plans == 1)
        snprintf(title, sizeof title, "Apply %s?", fix_info(a->plans[0].fix)->id);
    else
        snprintf(title, sizeof title, "Apply %d fixes?", (int)a->n_plans);
    dialog_open_confirm(a, title, "apply", fixes_answered);
    struct doc *d = &a->dlg.body;
    for (size_t i = 0; i < a->n_plans; i++)
        add_plan_text(a, d, &a->plans[i]);
    if (nothing[0])
        doc_addf(d, ST_DIM, 0, "Already right, left alone: %s", nothing);
    doc_add(d, ST_NORMAL, 0, "");
    doc_add(d, ST_NORMAL, 0, "Every change is recorded and u undoes it. Apply? (y/n)");
    return UI_DRAW_DIALOG;
}

unsigned ops_fix_selected(struct app *a)
{
    if (!ready_for_changes(a))
        return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
    int c = -1;
    if (a->sel.is_stage) {
        for (int k = 0; k < CHECK_COUNT && c < 0; k++)
            if (check_info((enum check_id)k)->stage == (enum stage_id)a->sel.id &&
                a->diag.checks[k].fix != FIX_NONE && !a->diag.checks[k].fix_is_alternative)
                c = k;
        if (c < 0) {
            app_message(a, MSG_INFO, "Nothing to fix in %s; select a check for its own fix",
                        stage_info((enum stage_id)a->sel.id)->title);
            return UI_DRAW_MSG;
        }
    } else {
        c = a->sel.id;
    }
    enum fix_id f = a->diag.checks[c].fix != FIX_NONE ? a->diag.checks[c].fix
                                                      : check_info((enum check_id)c)->fix;
    if (f == FIX_NONE) {
        app_message(a, MSG_INFO, "No automatic fix for %s: Enter shows where to look",
                    check_info((enum check_id)c)->id);
        return UI_DRAW_MSG;
    }
    if (!diagnose_check_applies(&a->obs.profile, (enum check_id)c)) {
        app_message(a, MSG_INFO, "No fix for %s: %s", check_info((enum check_id)c)->id,
                    a->diag.checks[c].summary);
        return UI_DRAW_MSG;
    }
    char why[256];
    if (diagnose_fix_refused(&a->obs, f, why, sizeof why)) {
        app_message(a, MSG_INFO, "%s", why);
        return UI_DRAW_MSG;
    }
    a->wanted[0] = f;
    a->n_wanted = 1;
    return plan_and_confirm(a) | UI_DRAW_LIST | UI_DRAW_DETAILS;
}

unsigned ops_fix_all(struct app *a)
{
    if (!ready_for_changes(a))
        return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
    if (a->diag.n_recommended == 0) {
        app_message(
            a, MSG_INFO,
            diagnosis_has_problems(&a->diag)
                ? "No automatic fix recommended: select a marked check, Enter shows what to do"
                : "Nothing to fix: no check recommends a fix");
        return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
    }
    memcpy(a->wanted, a->diag.recommended, a->diag.n_recommended * sizeof a->wanted[0]);
    a->n_wanted = a->diag.n_recommended;
    return plan_and_confirm(a) | UI_DRAW_LIST | UI_DRAW_DETAILS;
}

static unsigned ops_username_entered(struct app *a, const char *name)
{
    if (!name[0]) {
        app_message(a, MSG_INFO, "No user name: nothing changed");
        return UI_DRAW_MSG;
    }
    snprintf(a->username, sizeof a->username, "%s", name);
    return plan_and_confirm(a);
}

static unsigned username_answered(struct app *a, enum dlg_answer ans, char *text)
{
    if (ans == ANS_YES)
        return ops_username_entered(a, text);
    a->n_plans = 0;
    app_message(a, MSG_INFO, "Nothing changed.");
    return 0;
}

/* Applies one plan of a batch; false when the rest of the batch must not run. */
static bool apply_one(struct app *a, const struct fix_plan *plan, const char *secret)
{
    struct fix_secrets secrets = {NULL, NULL};
    if (plan->secret == FIX_SECRET_PSK)
        secrets.psk = secret;
    else if (plan->secret == FIX_SECRET_PASSWORD)
        secrets.password = secret;
    struct l2f_err err = {{0}};
    int64_t id = 0;
    enum l2f_status st = session_apply(a->s, plan, &secrets, &id, &err);
    a->key_tested |= a->s->key_tested;
    const char *fid = fix_info(plan->fix)->id;
    if (st == L2F_OK) {
        size_t l = strlen(a->done_ids);
        char outcome[200];
        fix_plan_outcome(plan, outcome, sizeof outcome);
        snprintf(a->done_ids + l, sizeof a->done_ids - l, "%s%s%s%s%s", l ? ", " : "", fid,
                 outcome[0] ? " (" : "", outcome, outcome[0] ? ")" : "");
        a->n_applied++;
        a->plan_reboot |= plan->needs_reboot;
        return true;
    }
    a->n_failed++;
    bool go_on = !fix_failure_stops_batch(st);
    if (a->fail_msg[0])
        return go_on;
    if (st == L2F_ERR_NEED_ADMIN)
        snprintf(a->fail_msg, sizeof a->fail_msg, "%s needs administrator rights; nothing changed",
                 fid);
    else
        snprintf(a->fail_msg, sizeof a->fail_msg, "%s not applied: %s", fid,
                 err.msg[0] ? err.msg : l2f_status_message(st));
    return go_on;
}

/* Once a run: a change set the journal's torn last line aside (a crash while writing). */
static const char *torn_note(struct app *a, char *buf, size_t len)
{
    const char *path = a->s->journal.torn_aside;
    if (a->torn_told || !path[0])
        return "";
    a->torn_told = true;
    const char *base = strrchr(path, PLAT_DIRSEP);
    snprintf(buf, len, " Torn journal line (a crash?) kept in %.72s", base ? base + 1 : path);
    return buf;
}

static unsigned finish_apply(struct app *a)
{
    char torn[128];
    a->n_plans = 0;
    if (a->n_failed) {
        char line[sizeof a->fail_msg];
        snprintf(line, sizeof line, "%s", a->fail_msg);
        app_message(a, MSG_ERR, "%s%s%s%s", line, a->n_applied ? "; applied: " : "",
                    a->n_applied ? a->done_ids : "", torn_note(a, torn, sizeof torn));
    } else if (a->n_applied) {
        const char *note = torn_note(a, torn, sizeof torn);
        const char *next =
            a->plan_reboot ? "Restart Windows for it to take effect." : "c tests the connection.";
        app_message(a, note[0] ? MSG_ERR : MSG_OK, "Applied %s.%s%s", a->done_ids,
                    note[0] ? note : " ", note[0] ? "" : next);
    }
    if (a->n_applied)
        forget_connection(a);
    if (a->n_applied ||
        a->key_tested) /* a rejected key changed nothing, but psk-matches now knows */
        ops_start_diagnosis(a);
    return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS | UI_DRAW_HEADER;
}

/* The dialog that asks for a plan's key or password, titled with its profile. */
static void open_secret_dialog(struct app *a, const struct fix_plan *plan)
{
    char name[PROFILE_NAME_MAX * 2], title[PROFILE_NAME_MAX * 2 + 64];
    app_safe(a, plan->profile, name, sizeof name);
    snprintf(title, sizeof title, "%s for '%s'",
             plan->secret == FIX_SECRET_PSK ? "Pre-shared key" : "Password", name);
    dialog_open_secret(a, title, secret_answered);
}

static unsigned continue_apply(struct app *a)
{
    while (a->next_plan < a->n_plans) {
        const struct fix_plan *plan = &a->plans[a->next_plan];
        if (plan->secret != FIX_SECRET_NONE) {
            open_secret_dialog(a, plan);
            doc_addf(&a->dlg.body, ST_NORMAL, 0,
                     "%s: type the %s. It is not shown, not kept and not logged.",
                     fix_info(plan->fix)->id,
                     plan->secret == FIX_SECRET_PSK ? "server's pre-shared key" : "password");
            return UI_DRAW_DIALOG;
        }
        a->next_plan = apply_one(a, plan, NULL) ? a->next_plan + 1 : a->n_plans;
    }
    return finish_apply(a);
}

static unsigned ops_apply_confirmed(struct app *a)
{
    a->next_plan = 0;
    a->n_applied = a->n_failed = 0;
    a->plan_reboot = a->key_tested = false;
    a->done_ids[0] = a->fail_msg[0] = '\0';
    return continue_apply(a);
}

static unsigned ops_secret_cancelled(struct app *a);

/* A key with something odd in it (keylint) goes back to its dialog once, kept as
 * typed, with the findings: Enter then saves it as it is. True when reopened. */
static bool warn_about_key(struct app *a, const char *secret)
{
    struct keylint lint;
    if (a->plans[a->next_plan].secret != FIX_SECRET_PSK ||
        !keylint_check(secret, strlen(secret), &lint) || strcmp(secret, a->warned_key) == 0)
        return false;
    snprintf(a->warned_key, sizeof a->warned_key, "%s", secret);
    open_secret_dialog(a, &a->plans[a->next_plan]);
    snprintf(a->dlg.input, sizeof a->dlg.input, "%s", secret);
    a->dlg.ilen = strlen(a->dlg.input);
    doc_addf(&a->dlg.body, ST_WARN, 0, "The key as typed may not be the server's:");
    for (size_t i = 0; i < lint.n; i++)
        doc_addf(&a->dlg.body, ST_NORMAL, 0, "- %s", lint.w[i].text);
    doc_addf(&a->dlg.body, ST_NORMAL, 0,
             "Enter saves it as typed (the key check then tells); Ctrl-U clears it to type it "
             "again; Esc cancels.");
    return true;
}

static unsigned ops_secret_entered(struct app *a, char *secret)
{
    if (a->next_plan >= a->n_plans)
        return 0;
    if (!secret[0]) {
        plat_wipe(a->warned_key, sizeof a->warned_key);
        plat_wipe(secret, INPUT_MAX);
        return ops_secret_cancelled(a);
    }
    if (warn_about_key(a, secret)) {
        plat_wipe(secret, INPUT_MAX);
        return UI_DRAW_DIALOG;
    }
    plat_wipe(a->warned_key, sizeof a->warned_key);
    bool go_on = apply_one(a, &a->plans[a->next_plan], secret);
    plat_wipe(secret, INPUT_MAX);
    a->next_plan = go_on ? a->next_plan + 1 : a->n_plans;
    return continue_apply(a);
}

static unsigned ops_secret_cancelled(struct app *a)
{
    plat_wipe(a->warned_key, sizeof a->warned_key);
    if (a->next_plan >= a->n_plans)
        return 0;
    const char *fid = fix_info(a->plans[a->next_plan].fix)->id;
    a->n_failed++;
    if (!a->fail_msg[0])
        snprintf(a->fail_msg, sizeof a->fail_msg, "%s skipped: nothing typed, nothing changed",
                 fid);
    a->next_plan++;
    return continue_apply(a);
}

static unsigned fixes_answered(struct app *a, enum dlg_answer ans, char *text)
{
    (void)text;
    if (ans == ANS_YES)
        return ops_apply_confirmed(a);
    a->n_plans = 0;
    app_message(a, MSG_INFO, "Nothing changed.");
    return 0;
}

static unsigned secret_answered(struct app *a, enum dlg_answer ans, char *text)
{
    return ans == ANS_YES ? ops_secret_entered(a, text) : ops_secret_cancelled(a);
}

/* ---- undo and history ---- */

unsigned ops_undo(struct app *a)
{
    if (a->connecting) {
        app_message(a, MSG_ERR, "A test connection is running: wait for it, or c hangs up");
        return UI_DRAW_MSG;
    }
    size_t pos = a->s->journal.count;
    const struct journal_entry *e = session_undoable_prev(a->s, &pos);
    if (!e) {
        app_message(a, MSG_INFO, "Nothing to undo on this machine");
        return UI_DRAW_MSG;
    }
    a->undo_id = e->id;
    char title[160];
    snprintf(title, sizeof title, "Undo %s (change %" PRId64 ")?", fix_info(e->fix)->id, e->id);
    dialog_open_confirm(a, title, "undo", undo_answered);
    struct doc *d = &a->dlg.body;
    doc_addf(d, ST_TITLE, 0, "%s, on '%s'", fix_info(e->fix)->title, e->profile);
    char limits[256];
    fix_undo_limits(e, limits, sizeof limits);
    doc_add(d, ST_NORMAL, 0,
            limits[0] ? "Each setting goes back to the value before the arrow, but a secret cannot:"
                      : "Each setting goes back to the value before the arrow:");
    for (size_t i = 0; i < e->n_changes; i++) {
        char desc[800];
        change_describe(&e->changes[i], desc, sizeof desc);
        doc_add(d, ST_NORMAL, 4, desc);
        doc_hang(d, 6);
    }
    if (limits[0]) {
        limits[0] = (char)toupper((unsigned char)limits[0]);
        doc_addf(d, ST_WARN, 0, "%s.", limits);
        doc_hang(d, 0);
    }
    doc_add(d, ST_NORMAL, 0, "");
    doc_add(d, ST_NORMAL, 0, "Undo? (y/n)");
    return UI_DRAW_DIALOG;
}

static unsigned ops_undo_confirmed(struct app *a)
{
    struct fix_context ctx;
    struct l2f_err err = {{0}};
    char note[256] = "";
    int64_t undone = 0;
    session_fix_context(a->s, &ctx);
    enum l2f_status st = fix_undo(&ctx, a->undo_id, &undone, note, sizeof note, &err);
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "Not undone: %s", err.msg[0] ? err.msg : l2f_status_message(st));
        return UI_DRAW_MSG;
    }
    const struct journal_entry *e = journal_find(&a->s->journal, undone);
    char torn[128];
    const char *told = torn_note(a, torn, sizeof torn);
    app_message(a, told[0] ? MSG_ERR : MSG_OK, "Undid %s (change %" PRId64 ")%s%s%s%s",
                e ? fix_info(e->fix)->id : "?", undone, note[0] ? "; " : "", note,
                told[0] ? "." : "", told);
    forget_connection(a);
    ops_start_diagnosis(a);
    return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS | UI_DRAW_HEADER;
}

static unsigned undo_answered(struct app *a, enum dlg_answer ans, char *text)
{
    (void)text;
    if (ans == ANS_YES)
        return ops_undo_confirmed(a);
    app_message(a, MSG_INFO, "Nothing undone.");
    return 0;
}

unsigned ops_history(struct app *a)
{
    dialog_open_text(a, "Change history of this machine, newest first");
    struct doc *d = &a->dlg.body;
    int shown = 0;
    const struct journal_entry *e;
    for (size_t pos = a->s->journal.count; (e = session_history_prev(a->s, &pos));) {
        doc_addf(d, e->state == ENTRY_APPLIED ? ST_TITLE : ST_NORMAL, 0,
                 "%" PRId64 "  %s  %s  %s  on '%s'", e->id, e->time, fix_info(e->fix)->id,
                 entry_state_id(e->state), e->profile);
        for (size_t k = 0; k < e->n_changes; k++) {
            char desc[800];
            change_describe(&e->changes[k], desc, sizeof desc);
            doc_add(d, ST_NORMAL, 4, desc);
            doc_hang(d, 6);
        }
        if (e->note[0])
            doc_addf(d, ST_DIM, 4, "note: %s", e->note);
        shown++;
    }
    if (!shown)
        doc_add(d, ST_NORMAL, 0, "No changes recorded for this machine yet.");
    else
        doc_add(d, ST_DIM, 0, "u undoes the newest change that is still applied.");
    return UI_DRAW_DIALOG;
}

/* ---- the test connection ---- */

/* The stage lines cleared for a new test; the details pane follows it. */
static void connect_begin(struct app *a, bool ikev2)
{
    for (int s = 0; s < STAGE_COUNT; s++) {
        a->conn[s] = CONN_NONE;
        a->conn_detail[s][0] = '\0';
    }
    a->connecting = true;
    a->conn_done = false;
    a->conn_ikev2 = ikev2;
    a->det = DET_CONNECT;
    a->det_scroll = 0;
    a->det_stale = false;
}

unsigned ops_connect(struct app *a)
{
    if (a->connecting) {
        session_connect_cancel(a->s);
        a->connecting = false;
        for (int s = 0; s < STAGE_COUNT; s++)
            if (a->conn[s] == CONN_ACTIVE || (a->conn_ikev2 && a->conn[s] == CONN_SKIPPED))
                a->conn[s] = CONN_NONE;
        app_message(a, MSG_INFO,
                    a->conn_ikev2 ? "IKEv2 exchange stopped" : "Test connection hung up");
        return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
    }
    if (!a->s->profile[0]) {
        app_message(a, MSG_ERR, "No profile chosen: press p to pick one");
        return UI_DRAW_MSG;
    }
    struct l2f_err err = {{0}};
    enum l2f_status st = session_connect_start(a->s, &err);
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "Test connection not started: %s",
                    err.msg[0] ? err.msg : l2f_status_message(st));
        return UI_DRAW_MSG;
    }
    connect_begin(a, false);
    char server[PROFILE_SERVER_MAX * 2];
    app_safe(a, a->have_prof ? a->prof.server : "", server, sizeof server);
    app_message(a, MSG_INFO, "Test connection to %s... (c hangs up)", server);
    return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
}

/* ---- the IKEv2 exchange from here (i) ---- */

static unsigned ikev2_password_typed(struct app *a, enum dlg_answer ans, char *text)
{
    if (ans != ANS_YES || !text[0]) {
        plat_wipe(a->ikev2_user, sizeof a->ikev2_user);
        app_message(a, MSG_INFO, "IKEv2 exchange not started");
        return UI_DRAW_MSG;
    }
    struct l2f_err err = {{0}};
    enum l2f_status st = session_ikev2_start(a->s, a->ikev2_user, text, a->opts->ca_file, &err);
    plat_wipe(a->ikev2_user, sizeof a->ikev2_user); /* the run keeps its own copy */
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "IKEv2 exchange not started: %s",
                    err.msg[0] ? err.msg : l2f_status_message(st));
        return UI_DRAW_MSG;
    }
    connect_begin(a, true);
    a->conn[STAGE_PPP] = CONN_SKIPPED; /* IKEv2 carries no PPP */
    char server[PROFILE_SERVER_MAX * 2];
    app_safe(a, a->have_prof ? a->prof.server : "", server, sizeof server);
    app_message(a, MSG_INFO, "IKEv2 exchange with %s... (i stops it)", server);
    return UI_DRAW_MSG | UI_DRAW_LIST | UI_DRAW_DETAILS;
}

static unsigned ikev2_user_typed(struct app *a, enum dlg_answer ans, char *text)
{
    if (ans != ANS_YES || !text[0]) {
        app_message(a, MSG_INFO, "IKEv2 exchange not started");
        return UI_DRAW_MSG;
    }
    snprintf(a->ikev2_user, sizeof a->ikev2_user, "%s", text);
    dialog_open_secret(a, "IKEv2: the password (not shown)", ikev2_password_typed);
    return UI_DRAW_DIALOG;
}

unsigned ops_ikev2(struct app *a)
{
    if (a->connecting) /* i again stops it, as c hangs up */
        return ops_connect(a);
    if (!a->s->profile[0]) {
        app_message(a, MSG_ERR, "No profile chosen: press p to pick one");
        return UI_DRAW_MSG;
    }
    const char *saved = a->have_prof && a->prof.username_saved ? a->prof.username : "";
    dialog_open_input(a, "IKEv2 from here: the user name (EAP-MSCHAPv2)", false, saved,
                      ikev2_user_typed);
    return UI_DRAW_DIALOG;
}

/* ---- explanations ---- */

unsigned ops_explain(struct app *a)
{
    char prefill[16] = "";
    if (a->conn_done && a->conn_code)
        snprintf(prefill, sizeof prefill, "%d", a->conn_code);
    else if (a->have_diag && a->obs.have_last && a->obs.last.known && a->obs.last.code)
        snprintf(prefill, sizeof prefill, "%d", a->obs.last.code);
    dialog_open_input(a, "Explain an error code", true, prefill, explain_answered);
    doc_add(&a->dlg.body, ST_NORMAL, 0, "The number Windows showed (for example 789, 809, 691):");
    return UI_DRAW_DIALOG;
}

static unsigned ops_explain_code(struct app *a, const char *text)
{
    int code;
    if (!kb_parse_code(text, &code)) {
        app_message(a, MSG_INFO, "No number given");
        return UI_DRAW_MSG;
    }
    const struct kb_entry *kb = kb_lookup(code);
    if (!kb) {
        /* every known code, one a line: the message line would cut the list */
        char asked[40], each[40];
        size_t count;
        const struct kb_entry *all = kb_table(&count);
        kb_code_text(code, asked, sizeof asked);
        dialog_open_text(a, "Not in the table");
        doc_addf(&a->dlg.body, ST_TITLE, 0, "%s is not in l2tpfix's table; it knows:", asked);
        for (size_t i = 0; i < count; i++) {
            kb_code_text(all[i].code, each, sizeof each);
            doc_addf(&a->dlg.body, ST_NORMAL, 2, "%s %s", each, all[i].name);
        }
        app_message(a, MSG_ERR, "%s is not in l2tpfix's table", asked);
        return UI_DRAW_DIALOG | UI_DRAW_MSG;
    }
    char title[64];
    snprintf(title, sizeof title, "Error %d", kb->code);
    dialog_open_text(a, title);
    explain_build(&a->dlg.body, kb);
    return UI_DRAW_DIALOG;
}

static unsigned explain_answered(struct app *a, enum dlg_answer ans, char *text)
{
    return ans == ANS_YES ? ops_explain_code(a, text) : 0;
}

/* ---- profiles ---- */

unsigned ops_profiles(struct app *a)
{
    struct profile_list list;
    struct l2f_err err = {{0}};
    enum l2f_status st = session_list_profiles(a->s, &list, &err);
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "Profiles not readable: %s",
                    err.msg[0] ? err.msg : l2f_status_message(st));
        return UI_DRAW_MSG;
    }
    dialog_open_picker(a, &list, a->s->profile, profile_answered);
    return UI_DRAW_DIALOG;
}

/* A in the picker: RMM tools run as SYSTEM, whose own phonebook is not the
 * one the user's VPN lives in. */
static unsigned ops_picker_other_users(struct app *a)
{
    struct dialog *d = &a->dlg;
    if (a->s->other_users)
        return 0;
    struct l2f_err err = {{0}};
    struct profile_list list;
    enum l2f_status st = session_include_other_users(a->s, &err);
    if (st == L2F_OK)
        st = session_list_profiles(a->s, &list, &err);
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "%s",
                    err.msg[0] ? err.msg : l2f_status_message(st)); /* it names what */
        return UI_DRAW_MSG | UI_DRAW_DIALOG;
    }
    char selected[PROFILE_NAME_MAX] = "";
    if (d->sel >= 0 && d->sel < (int)d->list.count)
        snprintf(selected, sizeof selected, "%s", d->list.items[d->sel].name);
    size_t before = d->list.count;
    profile_list_free(&d->list);
    d->list = list;
    d->sel = d->top = 0;
    for (size_t i = 0; i < d->list.count; i++)
        if (strcmp(d->list.items[i].name, selected) == 0)
            d->sel = (int)i;
    snprintf(d->title, sizeof d->title, "Pick a profile (every local user's phonebook)");
    unsigned long more = (unsigned long)(d->list.count - before);
    app_message(a, MSG_OK, "Other users' phonebooks: %lu more profile%s", more,
                more == 1 ? "" : "s");
    return UI_DRAW_MSG | UI_DRAW_DIALOG;
}

static unsigned ops_pick_profile(struct app *a, const char *name)
{
    struct l2f_err err = {{0}};
    if (a->connecting) {
        session_connect_cancel(a->s);
        a->connecting = false;
    }
    enum l2f_status st = session_select_profile(a->s, name, &err);
    if (st != L2F_OK) {
        app_message(a, MSG_ERR, "%s", err.msg[0] ? err.msg : l2f_status_message(st));
        return UI_DRAW_MSG;
    }
    /* a new profile starts from a clean slate: nothing of the old one shows */
    a->have_diag = a->first_done = a->user_moved = a->conn_done = false;
    a->username[0] = '\0';
    for (int s = 0; s < STAGE_COUNT; s++) {
        a->expanded[s] = true;
        a->user_expanded[s] = false;
        a->conn[s] = CONN_NONE;
    }
    a->sel = (struct row){true, STAGE_TUNNEL};
    a->top = 0;
    a->det = DET_NONE;
    a->det_scroll = 0;
    a->det_stale = false;
    ops_load_profile(a);
    ops_start_diagnosis(a);
    checklist_rebuild(a);
    char shown[PROFILE_NAME_MAX * 2];
    app_safe(a, a->s->profile, shown, sizeof shown);
    app_message(a, MSG_INFO, "Profile '%s': diagnosing...", shown);
    return UI_REDRAW | UI_RELAYOUT;
}

static unsigned profile_answered(struct app *a, enum dlg_answer ans, char *text)
{
    if (ans == ANS_YES)
        return ops_pick_profile(a, text);
    if (ans == ANS_WIDEN)
        return ops_picker_other_users(a);
    if (!a->s->profile[0])
        app_message(a, MSG_ERR, "No profile chosen: p picks one, q quits");
    return 0;
}

unsigned ops_quit(struct app *a)
{
    if (!a->connecting)
        return UI_QUIT;
    dialog_open_confirm(a, "Quit?", "quit", quit_answered);
    doc_add(&a->dlg.body, ST_NORMAL, 0, "A test connection is running. Hang it up and quit? (y/n)");
    return UI_DRAW_DIALOG;
}

static unsigned quit_answered(struct app *a, enum dlg_answer ans, char *text)
{
    (void)text;
    if (ans != ANS_YES)
        return 0;
    session_connect_cancel(a->s);
    a->connecting = false;
    return UI_QUIT;
}
