/* The details pane: for a check what it means, where it lives in Windows and
 * the exact change its fix makes; for a stage what it is; for the test
 * connection how far it got and what the error means. The same text opens
 * in full in a dialog. Until the keys pause after a move it shows only the
 * new subject's title (details_follow.c says when). */
#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "verdict.h"

static const char *stage_conn_word(const struct app *a, enum stage_id s)
{
    if (a->conn_ikev2 && s == STAGE_PPP && a->conn[s] == CONN_SKIPPED)
        return "not used by IKEv2";
    switch (a->conn[s]) {
    case CONN_ACTIVE:
        return "reaching";
    case CONN_PASSED:
        return "passed";
    case CONN_FAILED:
        return "FAILED";
    case CONN_SKIPPED:
        return "not reached";
    case CONN_NONE:
        break;
    }
    return "";
}

static void add_fixes_line(struct doc *d, const enum fix_id *fixes, int n)
{
    char line[512] = "";
    for (int i = 0; i < n && fixes[i] != FIX_NONE; i++) {
        size_t l = strlen(line);
        snprintf(line + l, sizeof line - l, "%s%s (%s)", i ? ", " : "", fix_info(fixes[i])->title,
                 fix_info(fixes[i])->id);
    }
    if (line[0]) {
        doc_addf(d, ST_NORMAL, 0, "Fixes:  %s", line);
        doc_hang(d, 8);
    }
}

void explain_build(struct doc *d, const struct kb_entry *kb)
{
    char code[40];
    kb_code_text(kb->code, code, sizeof code);
    doc_addf(d, ST_TITLE, 0, "%s %s", code, kb->name);
    doc_add(d, ST_NORMAL, 2, kb->message);
    doc_add(d, ST_NORMAL, 0, "");
    doc_addf(d, ST_NORMAL, 0, "Stage:  %s (%s)", stage_info(kb->stage)->title,
             stage_info(kb->stage)->id);
    doc_hang(d, 8);
    doc_addf(d, ST_NORMAL, 0, "Causes: %s", kb->causes);
    doc_hang(d, 8);
    add_fixes_line(d, kb->fixes, KB_MAX_FIXES);
}

static void plan_lines(struct app *a, struct doc *d, enum check_id c)
{
    const struct check_info *ci = check_info(c);
    enum fix_id fix = ci->fix;
    if (fix == FIX_NONE) {
        doc_add(d, ST_NORMAL, 0,
                "Fix:    none automatic: the setting is outside this machine or only observed");
        doc_hang(d, 8);
        return;
    }
    const struct fix_info *fi = fix_info(fix);
    /* the plan comes from the last complete diagnosis: while a new one runs
     * (after a fix, an undo, r) it may no longer be what the marks show */
    if (!a->have_diag || a->diagnosing) {
        doc_addf(d, ST_NORMAL, 0,
                 "Fix:    %s (%s): the exact change is shown once the diagnosis is done", fi->title,
                 fi->id);
        doc_hang(d, 8);
        return;
    }
    if (!diagnose_check_applies(&a->obs.profile, c)) {
        doc_addf(d, ST_NORMAL, 0, "Fix:    none: the check does not apply to this type of VPN");
        doc_hang(d, 8);
        return;
    }
    char why[256];
    if (diagnose_fix_refused(&a->obs, fix, why, sizeof why)) {
        doc_addf(d, ST_NORMAL, 0, "Fix:    %s (%s): %s", fi->title, fi->id, why);
        doc_hang(d, 8);
        return;
    }
    struct fix_plan plan;
    struct l2f_err err = {{0}};
    enum l2f_status st =
        fix_plan_make(fix, &a->obs, a->username[0] ? a->username : NULL, &plan, &err);
    if (st == L2F_ERR_NOTHING) {
        doc_addf(d, ST_NORMAL, 0, "Fix:    %s (%s): nothing to change, already as it should be",
                 fi->title, fi->id);
        doc_hang(d, 8);
        return;
    }
    if (st != L2F_OK) {
        doc_addf(d, ST_NORMAL, 0, "Fix:    %s (%s): %s", fi->title, fi->id,
                 err.msg[0] ? err.msg : l2f_status_message(st));
        doc_hang(d, 8);
        return;
    }
    bool offered = a->diag.checks[c].fix != FIX_NONE,
         alternative = a->diag.checks[c].fix_is_alternative;
    doc_addf(d, offered && !alternative ? ST_WARN : ST_NORMAL, 0, "Fix:    %s (%s)%s", fi->title,
             fi->id,
             !offered      ? ""
             : alternative ? ", an alternative: press f (a, fix all, leaves it)"
                           : ", recommended: press f");
    doc_hang(d, 8);
    for (size_t i = 0; i < plan.n_changes; i++) {
        char desc[800];
        change_describe(&plan.changes[i], desc, sizeof desc);
        doc_add(d, ST_NORMAL, 8, desc);
    }
    char needs[200];
    snprintf(needs, sizeof needs, "%s; %s%s",
             plan.needs_admin ? (a->admin_known && !a->admin
                                     ? "needs administrator rights, which l2tpfix does not have now"
                                     : "needs administrator rights")
                              : "no administrator rights needed",
             plan.needs_reboot ? "takes effect after Windows restarts"
                               : "no Windows restart needed",
             plan.secret == FIX_SECRET_PSK        ? "; asks for the pre-shared key (not shown)"
             : plan.secret == FIX_SECRET_PASSWORD ? "; asks for the password (not shown)"
                                                  : "");
    doc_add(d, plan.needs_admin && a->admin_known && !a->admin ? ST_WARN : ST_DIM, 8, needs);
    if (fi->warning)
        doc_addf(d, ST_WARN, 8, "Warning: %s", fi->warning);
}

static void build_check(struct app *a, struct doc *d, enum check_id c)
{
    const struct check_info *ci = check_info(c);
    const struct check_result *r = &a->shown.checks[c];
    if (r->not_applicable)
        doc_addf(d, ST_DIM, 0, "%s %s  %s", a->theme.g->skip, check_result_word(r), r->summary);
    else
        doc_addf(d, status_style(r->status), 0, "%s %s  %s",
                 a->theme.g->mark[r->status == CHECK_RUNNING ? 4 : r->status],
                 check_status_word(r->status), r->summary);
    if (a->drift[c][0]) {
        char safe_drift[sizeof a->drift[0] * 2];
        app_safe(a, a->drift[c], safe_drift, sizeof safe_drift);
        doc_hang(d, 10);
        doc_addf(d, ST_WARN, 0, "Baseline: %s (l2tpfix baseline check)", safe_drift);
    }
    doc_hang(d, 8);
    doc_addf(d, ST_NORMAL, 0, "Why:    %s", ci->why);
    doc_hang(d, 8);
    doc_addf(d, ST_NORMAL, 0, "Where:  %s", ci->where);
    doc_hang(d, 8);
    plan_lines(a, d, c);
}

static void build_stage(struct app *a, struct doc *d, enum stage_id s)
{
    char summary[320];
    checklist_stage_summary(a, s, summary, sizeof summary);
    enum check_status st = a->shown.stages[s];
    doc_addf(d, status_style(st), 0, "%s %s  %s", a->theme.g->mark[st == CHECK_RUNNING ? 4 : st],
             check_status_word(st), summary);
    doc_hang(d, 8);
    doc_addf(d, ST_NORMAL, 0, "What:   %s", stage_info(s)->what);
    doc_hang(d, 8);
    char dial[400];
    dialstage_detail_text(&a->shown.last_dial, s, dial, sizeof dial);
    if (dial[0]) {
        doc_addf(d, ST_NORMAL, 0, "Last dial: %s", dial);
        doc_hang(d, 11);
    }
    if (a->conn[s] != CONN_NONE) {
        doc_addf(d, ST_NORMAL, 0, "Test:   %s%s%s", stage_conn_word(a, s),
                 a->conn[s] == CONN_SKIPPED || !a->conn_detail[s][0] ? "" : ": ",
                 a->conn[s] == CONN_SKIPPED ? "" : a->conn_detail[s]);
        doc_hang(d, 8);
    }
    doc_add(d, ST_DIM, 0,
            a->expanded[s] ? "Enter folds its checks away." : "Enter unfolds its checks.");
}

static void build_connect(struct app *a, struct doc *d)
{
    for (int s = 0; s < STAGE_COUNT; s++) {
        if (a->conn[s] == CONN_NONE)
            continue;
        enum ui_style st = a->conn[s] == CONN_PASSED   ? ST_PASS
                           : a->conn[s] == CONN_FAILED ? ST_FAIL
                           : a->conn[s] == CONN_ACTIVE ? ST_RUNNING
                                                       : ST_DIM;
        doc_addf(d, st, 0, "%-7s %-16s %-11s %s", stage_info((enum stage_id)s)->id,
                 app_stage_title(a, (enum stage_id)s), stage_conn_word(a, s),
                 a->conn[s] == CONN_SKIPPED ? "" : a->conn_detail[s]);
    }
    if (a->connecting) {
        doc_add(d, ST_DIM, 0,
                a->conn_ikev2 ? "IKEv2 exchange... (i stops it)" : "Connecting... (c hangs up)");
        return;
    }
    if (!a->conn_done)
        return;
    if (a->s->connect_advice[0]) {
        doc_hang(d, 11);
        doc_addf(d, ST_NORMAL, 0, "From here: %s%s", a->s->connect_advice,
                 a->s->connect_advice_fix != FIX_NONE ? " (f on the check applies it)" : "");
    }
    if (a->conn_code == 0 && a->conn_ikev2) {
        doc_add(d, ST_PASS, 0,
                "IKEv2 from here: the server authenticated by its certificate, the user accepted "
                "by EAP-MSCHAPv2. On record for ikev2-available and switch-ikev2.");
        return;
    }
    if (a->conn_code == 0) {
        doc_add(d, ST_PASS, 0,
                "Connected: all four stages passed. The test connection was hung up again.");
        return;
    }
    const struct kb_entry *kb = kb_lookup(a->conn_code);
    doc_addf(d, ST_FAIL, 0, "Stopped in %s with error %d%s%s", app_stage_title(a, a->conn_stage),
             a->conn_code, kb ? " " : "", kb ? kb->name : " (not in l2tpfix's table)");
    if (!kb)
        return;
    doc_add(d, ST_NORMAL, 2, kb->message);
    doc_addf(d, ST_NORMAL, 0, "Causes: %s", kb->causes);
    doc_hang(d, 8);
    add_fixes_line(d, kb->fixes, KB_MAX_FIXES);
}

/* What could not be checked here and why, as `check` ends with it. */
static void add_unknowns(struct app *a, struct doc *d)
{
    struct verdict v;
    char why[2048];
    diagnosis_verdict(&a->diag, &a->obs, &v);
    verdict_unknowns(&v, session_describe(a->s), a->have_prof ? a->prof.server : "", why,
                     sizeof why);
    for (char *line = why, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (!end)
            break;
        *end = '\0';
        doc_add(d, ST_NORMAL, 0, line);
    }
    if (why[0])
        doc_add(d, ST_NORMAL, 0, "");
}

void details_build(struct app *a, struct doc *d, enum details_subject subj, int id)
{
    switch (subj) {
    case DET_CHECK:
        build_check(a, d, (enum check_id)id);
        break;
    case DET_STAGE:
        build_stage(a, d, (enum stage_id)id);
        break;
    case DET_CONNECT:
        build_connect(a, d);
        break;
    case DET_NONE:
        if (!a->s->profile[0])
            doc_add(d, ST_DIM, 0, "No profile chosen: press p to pick one.");
        else if (a->diagnosing && !a->first_done)
            doc_add(d, ST_DIM, 0, "Diagnosing: the marks change as the results arrive.");
        else {
            add_unknowns(a, d);
            doc_add(d, ST_DIM, 0,
                    "Select a check and press Enter to see what it means, where it lives and "
                    "what its fix changes.");
        }
        break;
    }
}

static void subject_title(struct app *a, char *buf, size_t len)
{
    switch (a->det) {
    case DET_CHECK:
        snprintf(buf, len, " %s ", check_info((enum check_id)a->det_id)->title);
        break;
    case DET_STAGE:
        snprintf(buf, len, " %s ", stage_info((enum stage_id)a->det_id)->title);
        break;
    case DET_CONNECT:
        snprintf(buf, len, a->conn_ikev2 ? " IKEv2 from here " : " Test connection ");
        break;
    case DET_NONE:
        snprintf(buf, len, " Details ");
        break;
    }
}

void details_draw(struct app *a)
{
    WINDOW *w = a->w_details;
    const struct theme *t = &a->theme;
    int cols = a->lay.cols, h = a->lay.det_h;
    static struct doc d; /* 16 KiB: kept off the stack */
    werase(w);
    draw_fill(w, 0, 0, cols, t->g->hline, t->attr[ST_DIM]);
    char title[200];
    subject_title(a, title, sizeof title);
    draw_fit(w, 0, 2, cols - 4, title, t->attr[ST_TITLE], t->g->ellipsis);
    if (a->det_stale) { /* the right title over no text, never another check's text */
        wnoutrefresh(w);
        return;
    }
    doc_init(&d, a->ascii);
    details_build(a, &d, a->det, a->det_id);
    int total = doc_lines(&d, cols - 2);
    if (a->det_scroll > total - (h - 1))
        a->det_scroll = total - (h - 1) > 0 ? total - (h - 1) : 0;
    doc_draw(&d, w, 1, 1, cols - 2, h - 1, a->det_scroll, t);
    if (total > h - 1 && a->det != DET_NONE) {
        const char *more = a->det == DET_CONNECT ? " more: e " : " more: Enter ";
        int mw = u8_width(more);
        draw_text(w, 0, cols - mw - 2, mw, more, t->attr[ST_DIM], NULL);
    }
    wnoutrefresh(w);
}
