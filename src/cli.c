#include "cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "keylint.h"
#include "net/cacert.h"
#include "net/handshake.h"
#include "net/ikev2run.h"
#include "baseline.h"
#include "psscript.h"
#include "ticket.h"
#include "verdict.h"
#include "net/probe.h"
#include "net/probekey.h"
#include "net/pskcheck.h"
#include "platform.h"
#include "report.h"
#include "scenario.h"
#include "selftest.h"
#include "session.h"
#include "term.h"
#include "text.h"
#include "ui.h"

#define DEFAULT_DEMO "classic-789"
#define SECRET_MAX 256

struct cli {
    const struct cli_args *a;
    struct session s;
    /* args_context for commands on this machine and on this profile: what hints
     * put before the command they name */
    char ctx_machine[SESSION_HINT_MAX], ctx_profile[SESSION_HINT_MAX], ctx_probe[SESSION_HINT_MAX];
    bool json, ascii;
    char hs_psk[SECRET_MAX],
        hs_password[SECRET_MAX]; /* --real-handshake's; wiped when the command ends */
};

typedef int (*command_fn)(struct cli *c);

/* Every string that came from a machine is made safe before it is printed. */
static const char *safe(const struct cli *c, const char *text, char *buf, size_t len)
{
    return text_sanitize(buf, len, text, c->ascii);
}

static int fail(const struct cli *c, enum l2f_status st, const struct l2f_err *err)
{
    char line[sizeof err->msg];
    fprintf(stderr, "l2tpfix: %s\n",
            err->msg[0] ? safe(c, err->msg, line, sizeof line) : l2f_status_message(st));
    return l2f_status_exit_code(st);
}

/* The handshake's secrets, before any packet goes out (and before the
 * checklist takes the terminal): from files, or typed with echo off; the
 * password only with --user. Buffers of SECRET_MAX; the caller wipes them. */
static enum l2f_status read_handshake_secrets(const struct cli_args *a, const char *who, char *psk,
                                              char *password, struct l2f_err *err)
{
    if (a->value[OPT_PSK_FILE]) {
        enum l2f_status st = term_read_secret_file(a->value[OPT_PSK_FILE], psk, SECRET_MAX, err);
        if (st != L2F_OK)
            return st;
    } else if (!term_read_secret("Pre-shared key (not shown): ", psk, SECRET_MAX) || !psk[0]) {
        l2f_err_set(
            err, "%s needs the pre-shared key: type it on a terminal or give --psk-file FILE", who);
        return L2F_ERR_NEED_SECRET;
    }
    if (!a->value[OPT_USER])
        return L2F_OK;
    if (a->value[OPT_PASSWORD_FILE])
        return term_read_secret_file(a->value[OPT_PASSWORD_FILE], password, SECRET_MAX, err);
    if (!term_read_secret("Password (not shown): ", password, SECRET_MAX) || !password[0]) {
        l2f_err_set(
            err, "%s needs the password: type it on a terminal or give --password-file FILE", who);
        return L2F_ERR_NEED_SECRET;
    }
    return L2F_OK;
}

static int open_session(struct cli *c, bool need_profile)
{
    const struct cli_args *a = c->a;
    struct session_options opts = {0};
    struct l2f_err err = {{0}};
    if (a->given[OPT_DEMO])
        opts.demo = a->value[OPT_DEMO] ? a->value[OPT_DEMO] : DEFAULT_DEMO;
    opts.mock_file = a->value[OPT_MOCK];
    opts.phonebook = a->value[OPT_PHONEBOOK];
    opts.all_users = a->given[OPT_ALL_USERS];
    opts.state_dir = a->value[OPT_STATE_DIR];
    char holder[96];
    snprintf(holder, sizeof holder, "%s%s%s", command_name(a->command), a->nargs ? " " : "",
             a->nargs ? a->args[0] : "");
    opts.holder = holder;
    opts.hint_machine = c->ctx_machine;
    opts.hint_profile = c->ctx_profile;
    opts.hint_probe = c->ctx_probe;
    enum l2f_status st = session_open(&c->s, &opts, &err);
    if (st != L2F_OK)
        return fail(c, st, &err);
    c->s.real_probe = a->given[OPT_PROBE_REAL];
    c->s.store_rejected_key = a->given[OPT_STORE_REJECTED_KEY];
    if (a->given[OPT_REAL_HANDSHAKE]) {
        /* the secrets now, before the checklist takes the terminal */
        if (!a->value[OPT_USER])
            st = L2F_ERR_USAGE,
            l2f_err_set(&err, "--real-handshake needs --user NAME (and the password)");
        else
            st = read_handshake_secrets(a, "--real-handshake", c->hs_psk, c->hs_password, &err);
        if (st != L2F_OK) {
            session_close(&c->s);
            return fail(c, st, &err);
        }
        c->s.real_handshake.on = true;
        c->s.real_handshake.psk = c->hs_psk;
        c->s.real_handshake.user = a->value[OPT_USER];
        c->s.real_handshake.password = c->hs_password;
    }
    if (need_profile) {
        st = session_select_profile(&c->s, a->value[OPT_PROFILE], &err);
        if (st != L2F_OK) {
            session_close(&c->s);
            return fail(c, st, &err);
        }
    }
    return 0;
}

static int print_json_text(char *text, enum l2f_status st)
{
    if (st != L2F_OK) {
        fprintf(stderr, "l2tpfix: %s\n", l2f_status_message(st));
        return l2f_status_exit_code(st);
    }
    puts(text);
    free(text);
    return 0;
}

static void print_header(struct cli *c, const struct vpn_profile *p)
{
    char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2], backend[320],
        whose[PROFILE_OWNER_MAX * 2 + 4];
    if (p->owner[0]) {
        char owner[PROFILE_OWNER_MAX * 2];
        snprintf(whose, sizeof whose, "%s's", safe(c, p->owner, owner, sizeof owner));
    } else {
        snprintf(whose, sizeof whose, "%s",
                 p->phonebook == PHONEBOOK_ALLUSERS ? "all users'" : "this user's");
    }
    printf("Profile  %s (%s phonebook)\nServer   %s\nBackend  %s\n",
           safe(c, p->name, name, sizeof name), whose,
           p->server[0] ? safe(c, p->server, server, sizeof server) : "(none)",
           safe(c, session_describe(&c->s), backend, sizeof backend));
}

/* The last lines of `check`: never "no problem found" alone while checks could not be made. */
static void print_verdict(struct cli *c, const struct observations *obs, const struct verdict *v)
{
    char line[256], server[PROFILE_SERVER_MAX * 2], backend[320], why[2048];
    verdict_headline(v, line, sizeof line);
    verdict_unknowns(v, safe(c, session_describe(&c->s), backend, sizeof backend),
                     safe(c, obs->profile.server, server, sizeof server), why, sizeof why);
    printf("\n%s\n%s", line, why);
}

static int cmd_check(struct cli *c)
{
    struct observations obs;
    struct diagnosis d;
    struct l2f_err err = {{0}};
    char psk[SECRET_MAX] = "";
    if (c->a->value[OPT_PSK_FILE]) {
        /* psk-matches: the key is tested against the server, then wiped */
        enum l2f_status st =
            term_read_secret_file(c->a->value[OPT_PSK_FILE], psk, sizeof psk, &err);
        if (st != L2F_OK)
            return fail(c, st, &err);
        c->s.check_psk = psk;
    }
    enum l2f_status st = session_diagnose(&c->s, &obs, &d, &err);
    plat_wipe(psk, sizeof psk);
    c->s.check_psk = NULL;
    if (st != L2F_OK)
        return fail(c, st, &err);
    struct verdict v;
    diagnosis_verdict(&d, &obs, &v);
    struct restart_pending restart;
    session_restart_pending(&c->s, &restart);
    if (c->json) {
        char *text = NULL;
        st = report_check_json(c->s.profile, session_describe(&c->s), &d, &v, &restart, &text);
        int rc = print_json_text(text, st);
        return rc ? rc : verdict_exit_code(v.kind);
    }
    print_header(c, &obs.profile);
    for (int s = 0; s < STAGE_COUNT; s++) {
        const struct stage_info *si = stage_info((enum stage_id)s);
        char dial[96];
        dialstage_mark_text(&d.last_dial, (enum stage_id)s, dial, sizeof dial);
        printf("\n%-7s %-34s %-*s%s\n", si->id, si->title, dial[0] ? 9 : 0,
               check_status_word(d.stages[s]), dial);
        for (int k = 0; k < CHECK_COUNT; k++) {
            const struct check_info *ci = check_info((enum check_id)k);
            if (ci->stage != (enum stage_id)s)
                continue;
            char summary[sizeof d.checks[k].summary * 2];
            printf("  %-7s %-*s %s", check_result_word(&d.checks[k]), check_id_width(), ci->id,
                   safe(c, d.checks[k].summary, summary, sizeof summary));
            if (d.checks[k].fix != FIX_NONE)
                printf("  [%s: %s]", d.checks[k].fix_is_alternative ? "alternative" : "fix",
                       fix_info(d.checks[k].fix)->id);
            putchar('\n');
            /* where to look in Windows, for what needs a person's eyes */
            if (d.checks[k].status == CHECK_FAIL || d.checks[k].status == CHECK_WARN)
                printf("  %-7s %-*s where: %s\n", "", check_id_width(), "", ci->where);
        }
    }
    if (obs.last_st == L2F_OK && obs.last.known && obs.last.code != 0) {
        const struct kb_entry *kb = kb_lookup(obs.last.code);
        printf("\nLast connection failed with %d%s%s%s (l2tpfix explain %d)\n", obs.last.code,
               kb ? " " : "", kb ? kb->name : "",
               obs.last_stale ? ", before the latest change: its stages are not lit" : "",
               obs.last.code);
    }
    char pending[512];
    restart_pending_text(&restart, pending, sizeof pending);
    if (pending[0])
        printf("\nPending: %s\n", pending);
    if (d.n_recommended) {
        printf("\nRecommended fixes, in order:");
        for (size_t i = 0; i < d.n_recommended; i++)
            printf(" %s", fix_info(d.recommended[i])->id);
        printf("\nApply them with: %s fix all\n", c->ctx_profile);
    }
    print_verdict(c, &obs, &v);
    return verdict_exit_code(v.kind);
}

/* Reads the secret a fix needs: from the file given, else typed with echo off. */
static enum l2f_status get_secret(struct cli *c, enum fix_secret kind, char *buf, size_t len,
                                  struct l2f_err *err)
{
    bool psk = kind == FIX_SECRET_PSK;
    const char *file = c->a->value[psk ? OPT_PSK_FILE : OPT_PASSWORD_FILE];
    if (file)
        return term_read_secret_file(file, buf, len, err);
    char prompt[PROFILE_NAME_MAX * 2 + 64], name[PROFILE_NAME_MAX * 2];
    snprintf(prompt, sizeof prompt,
             "%s for '%s' (not shown): ", psk ? "Pre-shared key" : "Password",
             safe(c, c->s.profile, name, sizeof name));
    if (term_read_secret(prompt, buf, len) && buf[0])
        return L2F_OK;
    l2f_err_set(err, "%s needs the %s: type it on a terminal or give %s FILE",
                psk ? "use-psk" : "credentials", psk ? "pre-shared key" : "password",
                psk ? "--psk-file" : "--password-file");
    return L2F_ERR_NEED_SECRET;
}

/* What in the key typed or read for use-psk may make it differ from the server's;
 * one line each, naming characters by code point, never the key. */
static void warn_about_key(struct cli *c, const char *psk)
{
    const char *file = c->a->value[OPT_PSK_FILE];
    struct keylint lint;
    char *text = NULL;
    size_t n = 0;
    struct l2f_err err;
    if (file && plat_read_file(file, &text, &n, &err) == L2F_OK)
        keylint_check_file(text, n, &lint); /* the whole file: a second line shows */
    else
        keylint_check(psk, strlen(psk), &lint);
    if (text)
        plat_wipe(text, n);
    free(text);
    for (size_t i = 0; i < lint.n; i++)
        fprintf(stderr, "l2tpfix: use-psk: the key as given: %s\n", lint.w[i].text);
}

/* A secret file given is read before anything changes: one that cannot be
 * read stops the batch with one line, not halfway through it. */
static enum l2f_status check_secret_files(struct cli *c, const struct fix_plan *plans, size_t n,
                                          struct l2f_err *err)
{
    for (size_t i = 0; i < n; i++) {
        enum fix_secret kind = plans[i].secret;
        const char *file =
            kind == FIX_SECRET_NONE
                ? NULL
                : c->a->value[kind == FIX_SECRET_PSK ? OPT_PSK_FILE : OPT_PASSWORD_FILE];
        char buf[SECRET_MAX];
        enum l2f_status st = file ? term_read_secret_file(file, buf, sizeof buf, err) : L2F_OK;
        plat_wipe(buf, sizeof buf);
        if (st != L2F_OK)
            return st;
    }
    return L2F_OK;
}

/* Each change on a line of its own, indented under what made it. */
static void print_changes(struct cli *c, const struct change *changes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char desc[800], line[1600];
        change_describe(&changes[i], desc, sizeof desc);
        printf("    %s\n", safe(c, desc, line, sizeof line));
    }
}

static void print_plan(struct cli *c, const struct fix_plan *plan)
{
    printf("%s: %s%s%s\n", fix_info(plan->fix)->id, fix_info(plan->fix)->title,
           plan->needs_admin ? " [administrator]" : "",
           plan->needs_reboot ? " [Windows restart]" : "");
    print_changes(c, plan->changes, plan->n_changes);
    if (fix_info(plan->fix)->warning)
        printf("    Warning: %s\n", fix_info(plan->fix)->warning);
}

/* --yes, else the question on a terminal: 0 to go ahead, else the exit code
 * (2: no terminal to ask on, 1: declined). verb: what --yes lets happen. */
static int ask_unless_yes(struct cli *c, const char *verb, const char *question,
                          const char *declined)
{
    if (c->a->given[OPT_YES])
        return 0;
    if (!term_is_interactive()) {
        fprintf(stderr, "l2tpfix: not a terminal: add --yes to %s without asking\n", verb);
        return 2;
    }
    if (!term_confirm(question)) {
        printf("%s\n", declined);
        return 1;
    }
    return 0;
}

static int worse(int rc, enum l2f_status st)
{
    int code = l2f_status_exit_code(st);
    return code > rc ? code : rc;
}

/* The diagnosis a command starts from; 0, else the exit code (told on stderr). */
static int diagnose_or_fail(struct cli *c, struct observations *obs, struct diagnosis *d)
{
    struct l2f_err err = {{0}};
    enum l2f_status st = session_diagnose(&c->s, obs, d, &err);
    return st == L2F_OK ? 0 : fail(c, st, &err);
}

/* What fix was asked for: every recommended fix (all), or those named, each
 * refused before anything changes when the evidence it needs is missing.
 * 0 with *n set (0: nothing to do, said), else the exit code. */
static int choose_fixes(struct cli *c, const struct observations *obs, const struct diagnosis *d,
                        enum fix_id *wanted, size_t *n)
{
    const struct cli_args *a = c->a;
    *n = 0;
    if (a->nargs == 1 && strcmp(a->args[0], "all") == 0) {
        memcpy(wanted, d->recommended, d->n_recommended * sizeof wanted[0]);
        *n = d->n_recommended;
        if (*n == 0)
            printf("Nothing to fix: no check recommends a fix.\n");
        return 0;
    }
    for (int i = 0; i < a->nargs; i++) {
        enum fix_id f = fix_from_id(a->args[i]);
        bool dup = false;
        for (size_t k = 0; k < *n; k++)
            dup |= wanted[k] == f;
        if (!dup)
            wanted[(*n)++] = f;
    }
    bool switching = false;
    for (size_t i = 0; i < *n; i++)
        switching |= wanted[i] == FIX_SWITCH_IKEV2;
    if (a->value[OPT_CA_FILE] && !switching) {
        struct l2f_err err = {{0}};
        l2f_err_set(&err, "--ca-file goes with fix switch-ikev2; nothing changed");
        return fail(c, L2F_ERR_USAGE, &err);
    }
    /* asked by name, still only on the evidence it needs: refused before anything changes */
    for (size_t i = 0; i < *n; i++) {
        char why[256];
        if (diagnose_fix_refused(obs, wanted[i], why, sizeof why)) {
            fprintf(stderr, "l2tpfix: %s; nothing changed\n", why);
            return 1;
        }
    }
    return 0;
}

/* A plan for each fix that has something to change; 0, else the exit code. */
static int plan_fixes(struct cli *c, const struct observations *obs, const enum fix_id *wanted,
                      size_t n, struct fix_plan *plans, size_t *nplans)
{
    struct l2f_err err = {{0}};
    *nplans = 0;
    for (size_t i = 0; i < n; i++) {
        enum l2f_status st =
            fix_plan_make(wanted[i], obs, c->a->value[OPT_USER], &plans[*nplans], &err);
        if (st == L2F_OK && wanted[i] == FIX_SWITCH_IKEV2 && c->a->value[OPT_CA_FILE])
            st = fix_plan_use_ca_file(&plans[*nplans], obs, c->a->value[OPT_CA_FILE], &err);
        if (st == L2F_ERR_NOTHING) {
            printf("%s: nothing to change, already as it should be\n", fix_info(wanted[i])->id);
            continue;
        }
        if (st != L2F_OK)
            return fail(c, st, &err);
        ++*nplans;
    }
    return 0;
}

/* The secret files read, every change listed, then a question on a terminal
 * (--yes elsewhere). 0 with *go (apply now) or without (a dry run); else the
 * exit code. */
static int show_and_confirm(struct cli *c, const struct fix_plan *plans, size_t n, bool *go)
{
    const struct cli_args *a = c->a;
    struct l2f_err err = {{0}};
    enum l2f_status st = check_secret_files(c, plans, n, &err);
    *go = false;
    if (st != L2F_OK)
        return fail(c, st, &err);
    printf(a->given[OPT_DRY_RUN] ? "Would change:\n" : "Changes:\n");
    for (size_t i = 0; i < n; i++)
        print_plan(c, &plans[i]);
    if (a->given[OPT_DRY_RUN])
        return 0;
    int rc = ask_unless_yes(c, "apply", "Apply these changes?", "Nothing changed.");
    *go = rc == 0;
    return rc;
}

/* One plan: its secret read, applied, and what the server said of a key. */
static enum l2f_status apply_plan(struct cli *c, const struct fix_plan *plan, struct l2f_err *err)
{
    char secret[SECRET_MAX] = "";
    struct fix_secrets secrets = {NULL, NULL};
    enum l2f_status st = L2F_OK;
    err->msg[0] = '\0';
    if (plan->secret != FIX_SECRET_NONE) {
        st = get_secret(c, plan->secret, secret, sizeof secret, err);
        if (plan->secret == FIX_SECRET_PSK && st == L2F_OK)
            warn_about_key(c, secret);
        if (plan->secret == FIX_SECRET_PSK)
            secrets.psk = secret;
        else
            secrets.password = secret;
    }
    int64_t id = 0;
    if (st == L2F_OK)
        st = session_apply(&c->s, plan, &secrets, &id, err);
    plat_wipe(secret, sizeof secret);
    if (c->s.key_tested)
        printf("%s: the server %s this key\n", fix_info(plan->fix)->id,
               c->s.key_verdict == PSK_ACCEPTED   ? "accepts"
               : c->s.key_verdict == PSK_REJECTED ? "rejects"
                                                  : "could not test");
    if (st == L2F_OK) {
        char outcome[200];
        fix_plan_outcome(plan, outcome, sizeof outcome);
        printf("applied %s (journal entry %" PRId64 ")%s%s\n", fix_info(plan->fix)->id, id,
               outcome[0] ? ": " : "", outcome);
    }
    return st;
}

/* Applies the plans in order until one fails in a way that stops the batch. */
static int apply_plans(struct cli *c, const struct fix_plan *plans, size_t n)
{
    int rc = 0;
    bool reboot = false;
    for (size_t i = 0; i < n; i++) {
        const struct fix_plan *plan = &plans[i];
        struct l2f_err err = {{0}};
        enum l2f_status st = apply_plan(c, plan, &err);
        if (st == L2F_OK) {
            reboot |= plan->needs_reboot;
            continue;
        }
        char line[sizeof err.msg * 2];
        fprintf(stderr, "l2tpfix: %s not applied: %s\n", fix_info(plan->fix)->id,
                safe(c, err.msg[0] ? err.msg : l2f_status_message(st), line, sizeof line));
        rc = worse(rc ? rc : 1,
                   st == L2F_ERR_NEED_ADMIN || st == L2F_ERR_BUSY ? st : L2F_ERR_BACKEND);
        if (fix_failure_stops_batch(st))
            break;
    }
    if (reboot)
        printf("Restart Windows for the registry change to take effect.\n");
    return rc;
}

static int cmd_fix(struct cli *c)
{
    struct observations obs;
    struct diagnosis d;
    enum fix_id wanted[FIX_COUNT];
    struct fix_plan plans[FIX_COUNT];
    size_t n = 0, nplans = 0;
    bool go = false;
    int rc = diagnose_or_fail(c, &obs, &d);
    if (!rc)
        rc = choose_fixes(c, &obs, &d, wanted, &n);
    if (!rc && n)
        rc = plan_fixes(c, &obs, wanted, n, plans, &nplans);
    if (!rc && nplans)
        rc = show_and_confirm(c, plans, nplans, &go);
    return rc || !go ? rc : apply_plans(c, plans, nplans);
}

static int undo_one(struct cli *c, int64_t id, bool quiet_nothing)
{
    struct fix_context ctx;
    struct l2f_err err = {{0}};
    char note[256];
    int64_t undone = 0;
    session_fix_context(&c->s, &ctx);
    enum l2f_status st = fix_undo(&ctx, id, &undone, note, sizeof note, &err);
    if (st == L2F_ERR_NOTHING && quiet_nothing)
        return -1;
    if (st != L2F_OK)
        return fail(c, st, &err);
    const struct journal_entry *e = journal_find(&c->s.journal, undone);
    printf("undone entry %" PRId64 " (%s)\n", undone, e ? fix_info(e->fix)->id : "?");
    if (note[0])
        printf("  note: %s\n", note);
    return 0;
}

/* The entries undo would take back, newest first: every one still applied
 * (all), entry id, or the newest (id 0). Capped at max. */
static size_t undo_targets(struct cli *c, bool all, int64_t id, const struct journal_entry **out,
                           size_t max)
{
    size_t n = 0, pos = c->s.journal.count;
    const struct journal_entry *e;
    while (n < max && (e = session_undoable_prev(&c->s, &pos))) {
        if (id && e->id != id)
            continue;
        out[n++] = e;
        if (!all)
            break;
    }
    return n;
}

/* Like fix: the list of what goes back, then a question on a terminal, --yes
 * elsewhere. 0: go ahead; else the exit code. */
static int undo_confirm(struct cli *c, bool all, int64_t id)
{
    enum { SHOWN_MAX = 64 };
    const struct journal_entry *list[SHOWN_MAX];
    size_t n = undo_targets(c, all, id, list, SHOWN_MAX);
    if (n == 0)
        return 0; /* nothing to ask about: undo itself says why */
    printf("Would undo, newest first (each setting goes back to the value before the arrow):\n");
    for (size_t i = 0; i < n; i++) {
        char name[PROFILE_NAME_MAX * 2];
        printf("%" PRId64 " %s on '%s'\n", list[i]->id, fix_info(list[i]->fix)->id,
               safe(c, list[i]->profile, name, sizeof name));
        print_changes(c, list[i]->changes, list[i]->n_changes);
    }
    if (n == SHOWN_MAX)
        printf("(and maybe more: %s history)\n", c->ctx_machine);
    return ask_unless_yes(c, "undo", "Undo these changes?", "Nothing undone.");
}

static int cmd_undo(struct cli *c)
{
    const struct cli_args *a = c->a;
    if (a->nargs == 1 && strcmp(a->args[0], "all") == 0) {
        int asked = undo_confirm(c, true, 0);
        if (asked)
            return asked;
        int count = 0, rc;
        while ((rc = undo_one(c, 0, true)) == 0)
            count++;
        if (rc > 0)
            return rc;
        printf("%d change%s undone; nothing left to undo on this machine.\n", count,
               count == 1 ? "" : "s");
        return 0;
    }
    int64_t id = 0;
    if (a->nargs == 1) {
        char *end;
        long long v = strtoll(a->args[0], &end, 10);
        if (*end || v <= 0 || v > JOURNAL_ID_MAX) {
            fprintf(stderr, "l2tpfix: undo takes a journal entry number or 'all', not '%.60s'\n",
                    a->args[0]);
            return 2;
        }
        id = (int64_t)v;
    }
    int asked = undo_confirm(c, false, id);
    return asked ? asked : undo_one(c, id, false);
}

static int cmd_history(struct cli *c)
{
    const char *machine = session_machine_id(&c->s);
    if (c->json) {
        char *text = NULL;
        enum l2f_status st = report_history_json(&c->s.journal, machine, &text);
        return print_json_text(text, st);
    }
    int shown = 0;
    const struct journal_entry *e;
    /* newest first, as the checklist's history shows them */
    for (size_t pos = c->s.journal.count; (e = session_history_prev(&c->s, &pos));) {
        if (!shown)
            printf("Changes on this machine, newest first:\n");
        char name[PROFILE_NAME_MAX * 2];
        printf("%3" PRId64 "  %s  %-24s %-12s on '%s'\n", e->id, e->time, fix_info(e->fix)->id,
               entry_state_id(e->state), safe(c, e->profile, name, sizeof name));
        for (size_t k = 0; k < e->n_changes; k++) {
            char desc[800], line[1600];
            change_describe(&e->changes[k], desc, sizeof desc);
            printf("       %s\n", safe(c, desc, line, sizeof line));
            if (e->changes[k].backup[0])
                printf("       backup: %s\n", safe(c, e->changes[k].backup, line, sizeof line));
        }
        if (e->note[0]) {
            char line[600];
            printf("       note: %s\n", safe(c, e->note, line, sizeof line));
        }
        shown++;
    }
    if (!shown)
        printf("No changes recorded for this machine.\n");
    return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* One event of the test connection as a line (text mode; JSON comes at the
 * end); *open_stage is the stage whose line waits for its "ok". */
static void print_connect_event(struct cli *c, const struct connect_event *ev, int *open_stage)
{
    char detail[sizeof ev->detail * 2];
    safe(c, ev->detail, detail, sizeof detail);
    switch (ev->kind) {
    case CONNECT_STAGE_BEGIN:
        printf("%s  %-7s %s ... ", *open_stage >= 0 ? "\n" : "", stage_info(ev->stage)->id, detail);
        *open_stage = (int)ev->stage;
        fflush(stdout);
        break;
    case CONNECT_STAGE_PASS:
        /* the real handshake passes IPsec while the tunnel's line is open */
        if (*open_stage == (int)ev->stage)
            printf("ok (%s)\n", detail);
        else
            printf("%s  %-7s ok (%s)\n", *open_stage >= 0 ? "\n" : "", stage_info(ev->stage)->id,
                   detail);
        *open_stage = -1;
        break;
    case CONNECT_DONE:
        if (ev->code != 0)
            printf("FAILED: %s\n", detail);
        break;
    }
}

/* Polls until the connection is done (true, *ev the last event), or Ctrl-C
 * hangs it up (false). reached[stage]: "passed", "failed" or NULL. */
static bool await_connect(struct cli *c, const char **reached, struct connect_event *ev)
{
    void (*old)(int) = signal(SIGINT, on_interrupt);
    int open_stage = -1;
    bool done = false;
    while (!done) {
        if (interrupted) {
            session_connect_cancel(&c->s);
            signal(SIGINT, old);
            fprintf(stderr, "\nl2tpfix: cancelled; the test connection was hung up\n");
            return false;
        }
        if (!session_connect_poll(&c->s, ev)) {
            plat_sleep_ms(10);
            continue;
        }
        if (ev->kind != CONNECT_DONE)
            reached[ev->stage] = ev->kind == CONNECT_STAGE_PASS ? "passed" : "failed";
        done = ev->kind == CONNECT_DONE;
        if (!c->json)
            print_connect_event(c, ev, &open_stage);
        fflush(stdout);
    }
    signal(SIGINT, old);
    return true;
}

/* What the test connection came to, and what to do next. */
static void print_connect_result(struct cli *c, const struct connect_event *ev,
                                 const char **reached)
{
    if (!c->json && c->s.connect_advice[0]) {
        if (c->s.connect_advice_fix != FIX_NONE)
            printf("From here: %s -> %s fix %s\n", c->s.connect_advice, c->ctx_profile,
                   fix_info(c->s.connect_advice_fix)->id);
        else
            printf("From here: %s\n", c->s.connect_advice);
    }
    const struct kb_entry *kb = kb_lookup(ev->code);
    if (c->json) {
        char *text = NULL;
        enum l2f_status st = report_connect_json(c->s.profile, ev, reached, &text);
        print_json_text(text, st);
    } else if (ev->code == 0) {
        printf("Connected: all four stages passed. (The test connection was hung up again.)\n");
    } else {
        printf("Result: error %d %s\n", ev->code, kb ? kb->name : "(not in l2tpfix's table)");
        if (kb) {
            printf("  %s\n", kb->message);
            printf("  Stopped in: %s (%s)\n", stage_info(ev->stage)->id,
                   stage_info(ev->stage)->title);
            printf("  Next: %s check, then l2tpfix explain %d\n", c->ctx_profile, ev->code);
        }
    }
}

static int cmd_connect(struct cli *c)
{
    struct l2f_err err = {{0}};
    struct vpn_profile p;
    enum l2f_status st = session_read_profile(&c->s, &p, &err);
    if (st == L2F_OK)
        st = session_connect_start(&c->s, &err);
    if (st != L2F_OK)
        return fail(c, st, &err);
    if (!c->json) {
        char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2];
        printf("Test connection '%s' to %s\n", safe(c, p.name, name, sizeof name),
               safe(c, p.server, server, sizeof server));
    }
    const char *reached[STAGE_COUNT] = {0};
    struct connect_event ev = {0};
    if (!await_connect(c, reached, &ev))
        return 1;
    print_connect_result(c, &ev, reached);
    return ev.code == 0 ? 0 : 1;
}

static int cmd_explain(struct cli *c)
{
    const char *word = c->a->args[0];
    int code;
    if (!kb_parse_code(word, &code)) {
        fprintf(stderr, "l2tpfix: explain needs an error number such as 789, not '%.60s'\n", word);
        return 2;
    }
    const struct kb_entry *kb = kb_lookup(code);
    if (!kb) {
        char asked[40];
        size_t need = kb_codes_text_size();
        char *known = malloc(need); /* sized to the table: the list is never cut */
        if (known)
            kb_codes_text(known, need);
        kb_code_text(code, asked, sizeof asked);
        fprintf(stderr, "l2tpfix: %s is not in l2tpfix's table; it knows:%s\n", asked,
                known ? known : " (out of memory)");
        free(known);
        return 1;
    }
    if (c->json) {
        char *text = NULL;
        enum l2f_status st = report_explain_json(kb, &text);
        return print_json_text(text, st);
    }
    char shown[40];
    kb_code_text(kb->code, shown, sizeof shown);
    printf("%s %s\n  %s\n\nStage:  %s (%s)\nCauses: %s\n", shown, kb->name, kb->message,
           stage_info(kb->stage)->id, stage_info(kb->stage)->title, kb->causes);
    if (kb->fixes[0] != FIX_NONE) {
        printf("Fixes:  ");
        for (int i = 0; i < KB_MAX_FIXES && kb->fixes[i] != FIX_NONE; i++)
            printf("%s%s", i ? ", " : "", fix_info(kb->fixes[i])->id);
        printf("\n");
    }
    return 0;
}

/* Prints shown (already sanitized) padded to cols terminal columns, as %-*s
 * would if every character took one. */
static void print_padded(const char *shown, size_t cols)
{
    size_t width = text_width(shown);
    printf("%s%*s", shown, width < cols ? (int)(cols - width) : 0, "");
}

static int cmd_profiles(struct cli *c)
{
    struct profile_list list;
    struct l2f_err err = {{0}};
    enum l2f_status st = session_list_profiles(&c->s, &list, &err);
    if (st != L2F_OK)
        return fail(c, st, &err);
    if (c->json) {
        char *text = NULL;
        st = report_profiles_json(&list, &text);
        print_json_text(text, st);
    } else {
        printf("%-32s %-9s %-18s %s\n", "NAME", "PHONEBOOK", "TYPE", "SERVER");
        size_t others = 0;
        for (size_t i = 0; i < list.count; i++) {
            char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2], type[48];
            print_padded(safe(c, list.items[i].name, name, sizeof name), 32);
            profile_type_label(&list.items[i], false, type, sizeof type);
            safe(c, list.items[i].server, server, sizeof server);
            /* no server (a PPPoE entry): no trailing blanks either */
            printf(" %-9s ", phonebook_kind_name(list.items[i].phonebook));
            if (server[0])
                printf("%-18s %s\n", type, server);
            else
                printf("%s\n", type);
            others += !profile_is_vpn(&list.items[i]);
        }
        if (others) /* listed so nobody wonders where they went; never checked */
            printf("\n%lu entr%s not a VPN: listed only, never picked nor changed by l2tpfix\n",
                   (unsigned long)others, others == 1 ? "y is" : "ies are");
    }
    profile_list_free(&list);
    return 0;
}

/* A whole number option in [min, max]; -1 after printing a usage error. */
static long number_option(const struct cli *c, enum option_id o, const char *name, long min,
                          long max, long dflt)
{
    const char *v = c->a->value[o];
    if (!v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        fprintf(stderr, "l2tpfix: --%s takes a number from %ld to %ld, not '%.30s'\n", name, min,
                max, v);
        return -1;
    }
    return n;
}

/* Where probe and handshake keep what they learned and their pacing: the
 * state directory of --state-dir, else the default (none: no reuse across runs). */
static void net_state_dir(const struct cli *c, char *buf, size_t len, struct l2f_err *err)
{
    if (c->a->value[OPT_STATE_DIR])
        snprintf(buf, len, "%s", c->a->value[OPT_STATE_DIR]);
    else
        plat_default_state_dir(buf, len, err);
}

/* What a server that refused Windows' offer accepts, and what to do about it. */
static void print_accepts(const struct probe_result *r)
{
    const struct probe_accepts *a = &r->accepts;
    printf("The server answers but accepts none of Windows' offers: Windows shows 788.\n");
    if (!r->enumerated)
        return;
    printf("Server accepts: ");
    for (size_t i = 0; i < a->count; i++)
        printf("%s%s", i ? ", " : "", a->names[i]);
    printf("%s (%u single-transform offers sent, at most %d%s)\n",
           a->count ? "" : "none of the transforms tried", a->sent, PROBE_ENUM_MAX,
           a->complete ? "" : "; cut short by the timeout");
    char add[PROBE_TRANSFORM_NAME];
    enum proposal_remedy remedy = probe_proposal_remedy(a->names, a->count, add, sizeof add);
    if (remedy == REMEDY_WEAK_CRYPTO)
        printf("Only DES/MD5, which Windows offers with AllowL2TPWeakCrypto=1: `l2tpfix fix "
               "allow-weak-crypto` connects, but weakens the tunnel; upgrade the server.\n");
    else
        printf("Change the server: add %s to its IKE proposals (Windows offers it).\n", add);
}

/* The probe's answers, the key's verdict and what they mean for Windows, as text. */
static void print_probe(const struct cli *c, const char *host, const struct probe_key_result *res)
{
    const struct probe_result *r = &res->probe;
    const struct psk_check_result *key = &res->key;
    char name[600];
    printf("Probe %s (%s)\n", safe(c, host, name, sizeof name),
           r->resolved ? r->address : "does not resolve");
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        const struct probe_item *it = &r->items[k];
        char detail[sizeof it->detail * 2];
        printf("  %-11s %-12s %-22s %5u ms  %s\n", probe_kind_id((enum probe_kind)k),
               probe_outcome_id(it->outcome), it->transform[0] ? it->transform : "-", it->ms,
               safe(c, it->detail, detail, sizeof detail));
    }
    int client_nat = key->behind_nat >= 0 ? key->behind_nat : r->behind_nat;
    printf("This client behind NAT: %s%s\n",
           client_nat < 0 ? "not known"
           : client_nat   ? "yes"
                          : "no",
           key->behind_nat >= 0 ? " (the server's NAT-D)"
           : client_nat >= 0    ? " (from this side's address)"
                                : "");
    if (key->server_behind_nat >= 0)
        printf("Server behind NAT: %s (its own NAT-D)\n", key->server_behind_nat ? "yes" : "no");
    if (res->key_checked) {
        printf("Pre-shared key: %s (%s)%s\n", psk_verdict_id(key->verdict), key->reason,
               res->waited_ms ? " after a pause between key checks" : "");
        if (key->verdict == PSK_ACCEPTED)
            printf("  Main Mode %s in %u ms\n", key->transform, key->ms);
    }
    if (key->ipsec != IPSEC_NOT_TRIED) {
        printf("IPsec: %s (%s)\n", ipsec_outcome_id(key->ipsec), key->ipsec_reason);
        if (key->ipsec == IPSEC_UP)
            printf("  Quick Mode %s, up in %u ms\n", key->esp_transform, key->ipsec_ms);
    }
    if (res->v1_accepted)
        printf("The server accepts an IKEv1 offer Windows makes.\n");
    else if (r->items[PROBE_IKEV1_500].outcome == PROBE_NO_PROPOSAL)
        print_accepts(r);
    else if (res->v1_malformed)
        printf("Malformed answers: something answers IKEv1, but not as IKE does (Windows would "
               "fail, likely with 789).\n");
    else if (r->resolved)
        printf("No IKEv1 answer: UDP 500/4500 filtered on the way, or the server is down "
               "(Windows: 809).\n");
}

static int cmd_probe(struct cli *c)
{
    struct probe_options opts;
    probe_options_default(&opts);
    long port = number_option(c, OPT_PORT, "port", 1, 65535, opts.port);
    long natt = number_option(c, OPT_NATT_PORT, "natt-port", 1, 65535, opts.natt_port);
    long timeout = number_option(c, OPT_TIMEOUT, "timeout", 100, 60000, (long)opts.timeout_ms);
    if (port < 0 || natt < 0 || timeout < 0)
        return 2;
    opts.port = (uint16_t)port;
    opts.natt_port = (uint16_t)natt;
    opts.timeout_ms = (unsigned)timeout;
    if (c->a->given[OPT_TIMEOUT])
        opts.enum_ms = opts.timeout_ms; /* the whole command's, the enumeration included */
    opts.ask_again = true; /* asked by name: the server's admin may just have changed it */
    const char *host = c->a->args[0];
    struct l2f_err err = {{0}};
    char state_dir[PLAT_PATH_MAX] = "";
    net_state_dir(c, state_dir, sizeof state_dir, &err);
    /* the key first: read it before any packet goes out, wipe it after */
    char psk[SECRET_MAX] = "";
    const char *psk_file = c->a->value[OPT_PSK_FILE];
    if (psk_file) {
        enum l2f_status st = term_read_secret_file(psk_file, psk, sizeof psk, &err);
        if (st != L2F_OK)
            return fail(c, st, &err);
    }
    struct probe_key_result res;
    enum l2f_status st = probe_with_key(host, &opts, state_dir, psk_file ? psk : NULL, &res, &err);
    plat_wipe(psk, sizeof psk);
    if (st != L2F_OK)
        return fail(c, st, &err);
    int rc = res.passed ? 0 : 1;
    if (c->json) {
        char *text = NULL;
        st = report_probe_json(host, &res.probe, res.key_checked ? &res.key : NULL, &text);
        int prc = print_json_text(text, st);
        return prc ? prc : rc;
    }
    print_probe(c, host, &res);
    return rc;
}

/* Lights each stage as it settles (text mode only: JSON comes at the end). */
static void print_stage(void *ctx, enum stage_id st, const struct hs_stage *s)
{
    struct cli *c = ctx;
    char detail[sizeof s->detail * 2], code[16] = "";
    if (s->code)
        snprintf(code, sizeof code, " (%d)", s->code);
    printf("  %-7s %-8s %6u ms  %s%s\n", stage_info(st)->id,
           hs_outcome_id(s->outcome) ? hs_outcome_id(s->outcome) : "-", s->ms,
           safe(c, s->detail, detail, sizeof detail), code);
    fflush(stdout);
}

/* --lcp-extensions: which settings to run, in order; 0 after a usage error. */
static size_t lcp_extension_runs(const struct cli *c, bool runs[2])
{
    static const struct {
        const char *value;
        size_t n;
        bool runs[2];
    } rows[] = {{"on", 1, {true}}, {"off", 1, {false}}, {"both", 2, {true, false}}};
    const char *v = c->a->value[OPT_LCP_EXTENSIONS] ? c->a->value[OPT_LCP_EXTENSIONS] : "on";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(v, rows[i].value) == 0) {
            memcpy(runs, rows[i].runs, sizeof rows[i].runs);
            return rows[i].n;
        }
    fprintf(stderr, "l2tpfix: --lcp-extensions takes on, off or both, not '%.30s'\n", v);
    return 0;
}

/* What one run saw of the LCP extensions, in a line. */
static void print_lcp_extensions(const struct hs_result *r)
{
    static const char *const how[HS_LCP_EXT_COUNT] = {
        [HS_LCP_EXT_NONE] = "nothing seen: LCP was not reached or did not settle",
        [HS_LCP_EXT_ACCEPTED] = "the server accepted the request and went on",
        [HS_LCP_EXT_REJECTED] = "the server refused them and went on",
        [HS_LCP_EXT_DROPPED] = "the server dropped the session right after LCP opened",
        [HS_LCP_EXT_IGNORED] = "the server never answered our LCP requests"};
    printf("LCP extensions %s (%s): %s", r->lcp_extensions_sent ? "on" : "off",
           r->lcp_extensions_sent ? "Callback asked, Identification sent"
                                  : "no Callback, no Identification",
           how[r->lcp_extensions]);
    if (r->lcp_naked[0])
        printf("; it Naked: %s", r->lcp_naked);
    printf("\n");
}

/* With both runs: whether this server minds the extensions either way. */
static void print_lcp_comparison(const struct hs_result *on, const struct hs_result *off)
{
    enum hs_lcp_ext a = on->lcp_extensions, b = off->lcp_extensions;
    bool bad_a = a == HS_LCP_EXT_DROPPED || a == HS_LCP_EXT_IGNORED;
    bool bad_b = b == HS_LCP_EXT_DROPPED || b == HS_LCP_EXT_IGNORED;
    if (a == HS_LCP_EXT_NONE || b == HS_LCP_EXT_NONE)
        printf("Whether this server minds the LCP extensions is not known: a run did not reach "
               "LCP.\n");
    else if (bad_a == bad_b)
        printf("This server %s the LCP extensions either way (on: %s, off: %s).\n",
               bad_a ? "fails with or without" : "does not mind", hs_lcp_ext_id(a),
               hs_lcp_ext_id(b));
    else
        printf("This server minds the LCP extensions: with them %s it %s.\n", bad_a ? "on" : "off",
               hs_lcp_ext_id(bad_a ? a : b));
}

/* The text account of one run. */
static void print_handshake(const struct hs_result *r, unsigned waited)
{
    if (waited)
        printf("(It first waited %u ms: attempts with a key are paced apart.)\n", waited);
    if (r->server_auth_count) {
        printf("The server offers, in its order:");
        for (size_t i = 0; i < r->server_auth_count; i++)
            printf("%s %s", i ? "," : "", ppp_auth_name(r->server_auth[i]));
        printf("%s\n", r->server_auth_complete ? "" : " (and maybe more)");
    }
    if (r->lcp_rejected[0])
        printf("It rejects these LCP options of ours: %s\n", r->lcp_rejected);
    print_lcp_extensions(r);
    if (r->address[0])
        printf("Address assigned: %s\n", r->address);
    for (int i = 0; i < STAGE_COUNT; i++)
        if (r->stages[i].outcome == HS_FAILED && r->stages[i].code) {
            const struct kb_entry *kb = kb_lookup(r->stages[i].code);
            printf("A Windows client would show %d%s%s (l2tpfix explain %d).\n", r->stages[i].code,
                   kb ? ": " : "", kb ? kb->name : "", r->stages[i].code);
            break;
        }
    if (hs_all_ok(r))
        printf("All four stages pass from here. If Windows still fails with the same key and "
               "account, the "
               "difference is on that client: run l2tpfix check there.\n");
}

/* handshake --ikev2: the password only (no key), the three stages, exit 0
 * when the server was authenticated and the user accepted. */
static int cmd_handshake_ikev2(struct cli *c, long timeout, long port)
{
    const char *host = c->a->args[0], *user = c->a->value[OPT_USER];
    struct l2f_err err = {{0}};
    char password[SECRET_MAX] = "";
    enum l2f_status st = L2F_OK;
    if (!user) {
        l2f_err_set(&err, "handshake --ikev2 needs --user NAME (EAP-MSCHAPv2 logs in as it)");
        st = L2F_ERR_USAGE;
    } else if (c->a->value[OPT_PASSWORD_FILE]) {
        st = term_read_secret_file(c->a->value[OPT_PASSWORD_FILE], password, SECRET_MAX, &err);
    } else if (!term_read_secret("Password (not shown): ", password, SECRET_MAX) || !password[0]) {
        l2f_err_set(&err, "handshake --ikev2 needs the password: type it on a terminal or give "
                          "--password-file FILE");
        st = L2F_ERR_NEED_SECRET;
    }
    struct ikev2_options o = {.host = host,
                              .port = (uint16_t)port,
                              .user = user,
                              .password = password,
                              .ca_file = c->a->value[OPT_CA_FILE],
                              .timeout_ms = (unsigned)timeout};
    struct ikev2_result r;
    char name[600];
    if (st == L2F_OK && !c->json)
        printf("Handshake with %s, as Windows' IKEv2 client (EAP-MSCHAPv2)\n",
               safe(c, host, name, sizeof name));
    if (st == L2F_OK)
        st = ikev2_run(&o, &r, &err);
    plat_wipe(password, sizeof password);
    if (st != L2F_OK)
        return fail(c, st, &err);
    char state_dir[PLAT_PATH_MAX] = "";
    struct l2f_err ignored = {{0}};
    net_state_dir(c, state_dir, sizeof state_dir, &ignored);
    /* for check: ikev2-available judges switch-ikev2 on what worked from here */
    ikev2_remember(state_dir, host, user, &r, (long long)(plat_wall_ms() / 1000));
    int rc = ikev2_ok(&r) ? 0 : 1;
    if (c->json) {
        char *text = NULL;
        enum l2f_status jst = ikev2_result_json(host, &r, &text);
        int prc = print_json_text(text, jst);
        return prc ? prc : rc;
    }
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++) {
        const struct hs_stage *s = &r.stages[i];
        char detail[sizeof s->detail * 2], code[16] = "";
        if (s->code)
            snprintf(code, sizeof code, " (%d)", s->code);
        printf("  %-7s %-8s %6u ms  %s%s\n", ikev2_stage_id((enum ikev2_stage)i),
               hs_outcome_id(s->outcome) ? hs_outcome_id(s->outcome) : "-", s->ms,
               safe(c, s->detail, detail, sizeof detail), code);
    }
    if (r.cert.present) {
        char buf[1100];
        printf("Server certificate: %s\n", safe(c, r.cert.subject, buf, sizeof buf));
        printf("  issuer %s\n", safe(c, r.cert.issuer, buf, sizeof buf));
        printf("  names %s\n", safe(c, r.cert.names[0] ? r.cert.names : "(none)", buf, sizeof buf));
        printf("  EKU %s; valid %s to %s\n",
               safe(c, r.cert.ekus[0] ? r.cert.ekus : "(none)", buf, sizeof buf), r.cert.not_before,
               r.cert.not_after);
        printf("  trusted: %s (%s)\n", r.cert.trusted ? "yes" : "no",
               safe(c, r.cert.why, buf, sizeof buf));
    }
    return rc;
}

static int cmd_handshake(struct cli *c)
{
    long timeout = number_option(c, OPT_TIMEOUT, "timeout", 100, 60000, 20000);
    long port = number_option(c, OPT_PORT, "port", 1, 65535, 500);
    bool ext[2];
    size_t nruns = lcp_extension_runs(c, ext);
    if (timeout < 0 || port < 0 || !nruns)
        return 2;
    if (c->a->given[OPT_IKEV2])
        return cmd_handshake_ikev2(c, timeout, port);
    if (c->a->value[OPT_CA_FILE]) {
        struct l2f_err usage = {{0}};
        l2f_err_set(&usage, "--ca-file goes with --ikev2: an L2TP/IPsec handshake with a key "
                            "checks no server certificate");
        return fail(c, L2F_ERR_USAGE, &usage);
    }
    const char *host = c->a->args[0];
    struct l2f_err err = {{0}};
    char state_dir[PLAT_PATH_MAX] = "";
    net_state_dir(c, state_dir, sizeof state_dir, &err);
    char psk[SECRET_MAX] = "", password[SECRET_MAX] = "";
    const char *user = c->a->value[OPT_USER];
    enum l2f_status st = read_handshake_secrets(c->a, "handshake", psk, password, &err);
    if (st != L2F_OK) {
        plat_wipe(psk, sizeof psk);
        plat_wipe(password, sizeof password);
        return fail(c, st, &err);
    }
    struct hs_options o = {.host = host,
                           .port = (uint16_t)port,
                           .psk = psk,
                           .user = user,
                           .password = user ? password : NULL,
                           .timeout_ms = (unsigned)timeout};
    struct hs_result r[2];
    unsigned waited[2] = {0, 0};
    char name[600];
    if (!c->json)
        printf("Handshake with %s, as a Windows L2TP/IPsec client\n",
               safe(c, host, name, sizeof name));
    int rc = 0;
    for (size_t i = 0; i < nruns; i++) {
        o.lcp_extensions = ext[i];
        if (!c->json && nruns > 1)
            printf("%sWith the LCP extensions %s:\n", i ? "\n" : "", ext[i] ? "on" : "off");
        /* the second run waits out the pause between attempts with a key */
        st = hs_run_paced(state_dir, &o, c->json ? NULL : print_stage, c, &r[i], &waited[i], &err);
        if (st != L2F_OK)
            break;
        if (!c->json)
            print_handshake(&r[i], waited[i]);
        if (!hs_all_ok(&r[i]))
            rc = 1;
    }
    plat_wipe(psk, sizeof psk);
    plat_wipe(password, sizeof password);
    if (st != L2F_OK)
        return fail(c, st, &err);
    if (c->json) {
        char *text = NULL;
        enum l2f_status jst = nruns > 1 ? report_handshakes_json(host, r, nruns, &text)
                                        : report_handshake_json(host, &r[0], &text);
        int prc = print_json_text(text, jst);
        return prc ? prc : rc;
    }
    if (nruns > 1)
        print_lcp_comparison(&r[0], &r[1]);
    return rc;
}

/* One line for a fix id that names none, with the ones there are (from the table). */
static void unknown_fix(const char *where, const char *id)
{
    char list[256] = "";
    for (int f = 0; f < FIX_COUNT; f++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", f ? ", " : "", fix_info((enum fix_id)f)->id);
    }
    fprintf(stderr, "l2tpfix: %sno fix '%.60s' (there are: all, %s)\n", where, id, list);
}

/* The fixes of --fix a,b,c; false (with a message) on an unknown id. */
static bool parse_fix_list(const char *list, enum fix_id *out, size_t *n)
{
    *n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        char id[48];
        snprintf(id, sizeof id, "%.*s", (int)(len < sizeof id - 1 ? len : sizeof id - 1), p);
        enum fix_id f = fix_from_id(id);
        if (f == FIX_NONE) {
            unknown_fix("--fix: ", id);
            return false;
        }
        bool dup = false;
        for (size_t i = 0; i < *n; i++)
            dup |= out[i] == f;
        if (!dup && *n < FIX_COUNT)
            out[(*n)++] = f;
        p += len + (p[len] == ',');
    }
    return true;
}

/* Which script the options ask for; a combination that makes no sense is
 * refused in one line (false), not half-honoured. */
static bool script_mode(const struct cli_args *a, enum ps_mode *mode)
{
    bool create = a->given[OPT_CREATE];
    bool machine = a->given[OPT_DEMO] || a->given[OPT_MOCK] || a->given[OPT_PHONEBOOK];
    const char *server = a->value[OPT_SERVER], *why = NULL;
    if (a->given[OPT_DETECT] + a->given[OPT_REMEDIATE] + create > 1)
        why = "--detect, --remediate and --create exclude each other: one script each";
    else if (create && (!a->value[OPT_PROFILE] || !server))
        why = "--create needs --profile NAME and --server HOST";
    else if (create && (a->value[OPT_FIXES] || machine))
        why = "--create reads no machine and takes no --fix: it sets the profile's L2TP/IPsec "
              "settings and its LcpExtensions line";
    else if (!create && (server || a->given[OPT_NAT_T]))
        why = server ? "--server belongs to --create"
                     : "--nat-t belongs to --create (a fix script names nat-traversal in --fix)";
    for (const char *p = server; !why && p && *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            why = "--server: a host name or address has no spaces or control characters";
    if (why) {
        fprintf(stderr, "l2tpfix: %s\n", why);
        return false;
    }
    *mode = create                    ? PS_CREATE
            : a->given[OPT_DETECT]    ? PS_DETECT
            : a->given[OPT_REMEDIATE] ? PS_REMEDIATE
                                      : PS_FIX;
    return true;
}

static int cmd_script(struct cli *c)
{
    const struct cli_args *a = c->a;
    enum fix_id fixes[FIX_COUNT];
    size_t n = 0;
    struct l2f_err err = {{0}};
    struct ps_request req = {.version = L2F_VERSION};
    if (!script_mode(a, &req.mode))
        return 2;
    if (a->value[OPT_FIXES] && !parse_fix_list(a->value[OPT_FIXES], fixes, &n))
        return 2;
    bool backend = a->given[OPT_DEMO] || a->given[OPT_MOCK] || a->given[OPT_PHONEBOOK];
    char profile[PROFILE_NAME_MAX] = "";
    enum phonebook_kind kind = a->given[OPT_ALL_USERS] ? PHONEBOOK_ALLUSERS : PHONEBOOK_USER;
    bool opened = false;
    /* with the fixes and the profile named, no machine is needed: a script for others */
    if (req.mode != PS_CREATE && (!(n && a->value[OPT_PROFILE]) || backend)) {
        int rc = open_session(c, true);
        if (rc)
            return rc;
        opened = true;
        snprintf(profile, sizeof profile, "%s", c->s.profile);
        struct vpn_profile p;
        if (session_read_profile(&c->s, &p, &err) == L2F_OK && !a->given[OPT_ALL_USERS])
            kind = p.phonebook;
        if (!n) {
            struct observations obs;
            struct diagnosis d;
            if ((rc = diagnose_or_fail(c, &obs, &d)) != 0) {
                session_close(&c->s);
                return rc;
            }
            for (size_t i = 0; i < d.n_recommended; i++)
                fixes[n++] = d.recommended[i];
        }
    } else {
        snprintf(profile, sizeof profile, "%s", a->value[OPT_PROFILE]);
    }
    if (opened)
        session_close(&c->s);
    if (!n && req.mode != PS_CREATE) { /* a healthy profile: done, not a failure */
        printf("Nothing to script: the profile needs no fix (or name them: --fix ID,...)\n");
        return 0;
    }
    char *text = NULL;
    req.profile = profile;
    req.phonebook = kind;
    req.fixes = fixes;
    req.n = n;
    req.server = a->value[OPT_SERVER];
    req.nat_t = a->given[OPT_NAT_T];
    struct ca_cert ca = {.der = NULL};
    enum l2f_status st = L2F_OK;
    if (a->value[OPT_CA_FILE] && (st = cacert_load(a->value[OPT_CA_FILE], &ca, &err)) == L2F_OK)
        req.ca = &ca;
    if (st == L2F_OK)
        st = ps_script_for(&req, &text, &err);
    cacert_free(&ca);
    if (st != L2F_OK)
        return fail(c, st, &err);
    fputs(text, stdout);
    free(text);
    return 0;
}

static int cmd_report(struct cli *c)
{
    const char *fmt = c->a->value[OPT_FORMAT] ? c->a->value[OPT_FORMAT] : c->json ? "json" : "text";
    enum ticket_format f;
    if (strcmp(fmt, "text") == 0)
        f = TICKET_TEXT;
    else if (strcmp(fmt, "markdown") == 0)
        f = TICKET_MARKDOWN;
    else if (strcmp(fmt, "json") == 0)
        f = TICKET_JSON;
    else {
        fprintf(stderr, "l2tpfix: --format takes text, markdown or json, not '%.30s'\n", fmt);
        return 2;
    }
    struct observations obs;
    struct diagnosis d;
    int rc = diagnose_or_fail(c, &obs, &d);
    if (rc)
        return rc;
    char when[32];
    plat_time_iso(when);
    struct restart_pending restart;
    session_restart_pending(&c->s, &restart);
    struct ticket_input in = {
        .restart = &restart,
        .profile = &obs.profile,
        .backend = session_describe(&c->s),
        .machine = session_machine_id(&c->s),
        .version = L2F_VERSION,
        .generated = when,
        .obs = &obs,
        .d = &d,
        .journal = &c->s.journal,
        .command = c->ctx_profile,
    };
    char *text = NULL;
    struct l2f_err err = {{0}};
    enum l2f_status st = ticket_build(f, &in, &text);
    if (st != L2F_OK)
        return fail(c, st, &err);
    fputs(text, stdout);
    if (f == TICKET_JSON)
        putchar('\n');
    free(text);
    return 0;
}

static void baseline_path(struct cli *c, char *buf, size_t len)
{
    if (c->a->nargs == 2)
        snprintf(buf, len, "%s", c->a->args[1]);
    else
        baseline_default_path(c->s.state_dir, c->s.profile, buf, len);
}

static int cmd_baseline(struct cli *c)
{
    bool save = strcmp(c->a->args[0], "save") == 0;
    char path[PLAT_PATH_MAX];
    baseline_path(c, path, sizeof path);
    struct observations obs;
    struct diagnosis d;
    int rc = diagnose_or_fail(c, &obs, &d);
    if (rc)
        return rc;
    struct l2f_err err = {{0}};
    enum l2f_status st;
    if (save) {
        char when[32], *text = NULL;
        plat_time_iso(when);
        st = baseline_save(&obs, session_machine_id(&c->s), L2F_VERSION, when, &text);
        if (st == L2F_OK)
            st = session_write_locked(&c->s, path, text, &err);
        free(text);
        if (st != L2F_OK)
            return fail(c, st, &err);
        char shown[PLAT_PATH_MAX * 2];
        printf("Baseline of '%s' saved to %s\n", c->s.profile, safe(c, path, shown, sizeof shown));
        if (diagnosis_has_problems(&d))
            printf("Note: the profile has problems now (%s check): a baseline is meant to be "
                   "known-good.\n",
                   c->ctx_profile);
        return 0;
    }
    char *text = NULL;
    st = plat_read_file(path, &text, NULL, &err);
    if (st != L2F_OK)
        return fail(c, st, &err);
    struct drift drift[BASELINE_MAX_DRIFT];
    size_t n = 0;
    st = baseline_check(text, path, &obs, drift, BASELINE_MAX_DRIFT, &n, &err);
    free(text);
    if (st == L2F_ERR_PARSE) {
        char line[sizeof err.msg * 2];
        fprintf(stderr, "l2tpfix: %s (save one with: %s baseline save)\n",
                safe(c, err.msg, line, sizeof line), c->ctx_profile);
        return l2f_status_exit_code(st);
    }
    if (st != L2F_OK)
        return fail(c, st, &err);
    if (c->json) {
        char *json = NULL;
        enum l2f_status jst = report_drift_json(c->s.profile, drift, n, &json);
        int prc = print_json_text(json, jst);
        return prc ? prc : n ? 1 : 0;
    }
    if (!n) {
        printf("No drift: '%s' matches its baseline.\n", c->s.profile);
        return 0;
    }
    printf("Drifted from the baseline of '%s':\n", c->s.profile);
    for (size_t i = 0; i < n; i++) {
        printf("  %-40s %s -> %s", drift[i].what, drift[i].was, drift[i].now);
        if (drift[i].fix != FIX_NONE)
            printf("   restore: %s fix %s\n", c->ctx_profile, fix_info(drift[i].fix)->id);
        else
            printf("   (no fix of l2tpfix puts it back exactly)\n");
    }
    return 1;
}

static int cmd_scenarios(struct cli *c)
{
    (void)c;
    for (size_t i = 0; builtin_scenarios[i].name; i++) {
        /* the first comment line of the file says what it is */
        const char *t = builtin_scenarios[i].text;
        char first[160] = "";
        if (t[0] == ';') {
            t += 1 + (t[1] == ' ');
            size_t n = strcspn(t, "\r\n");
            snprintf(first, sizeof first, "%.*s",
                     (int)(n < sizeof first - 1 ? n : sizeof first - 1), t);
        }
        printf("%-18s %s\n", builtin_scenarios[i].name, first);
    }
    printf("\nRun one with: l2tpfix --demo=NAME [command]\n");
    return 0;
}

/* Writes one selftest document into dir. */
static enum l2f_status write_selftest(const char *dir, const char *name, const char *text,
                                      char *path, size_t len, struct l2f_err *err)
{
    snprintf(path, len, "%s%c%s", dir, PLAT_DIRSEP, name);
    return plat_write_atomic(path, text, strlen(text), err);
}

/* The read-only selftest: the text (--json: the JSON) on stdout; with --out
 * DIR also selftest.txt and selftest.json there, for a ticket. */
static int cmd_selftest(struct cli *c)
{
    struct selftest_report r;
    session_selftest(&c->s, c->a->given[OPT_REDACT], &r);
    char *text = NULL, *json = NULL;
    struct l2f_err err = {{0}};
    enum l2f_status st = selftest_text(&r, &text);
    if (st == L2F_OK)
        st = selftest_json(&r, &json);
    const char *dir = c->a->value[OPT_OUT];
    char txt_path[PLAT_PATH_MAX + 32], json_path[PLAT_PATH_MAX + 32];
    if (st == L2F_OK && dir)
        st = plat_mkdir_p(dir, &err);
    if (st == L2F_OK && dir)
        st = write_selftest(dir, "selftest.txt", text, txt_path, sizeof txt_path, &err);
    if (st == L2F_OK && dir)
        st = write_selftest(dir, "selftest.json", json, json_path, sizeof json_path, &err);
    if (st == L2F_OK && c->a->given[OPT_JSON]) {
        fputs(json, stdout); /* the JSON alone on stdout: a script reads it whole */
    } else if (st == L2F_OK) {
        char line[1600];
        for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
            nl = strchr(l, '\n');
            if (nl)
                *nl = '\0';
            printf("%s\n", safe(c, l, line, sizeof line));
        }
        if (dir)
            printf("\nWritten: %s and %s\n", safe(c, txt_path, line, sizeof line), json_path);
    }
    free(text);
    free(json);
    return st == L2F_OK ? 0 : fail(c, st, &err);
}

static int cmd_tui(struct cli *c)
{
    const char *ca_file = c->a->value[OPT_CA_FILE];
    if (ca_file && !plat_file_exists(ca_file)) { /* said now, not after a user and password */
        struct l2f_err err = {{0}};
        l2f_err_set(&err, "--ca-file %s: missing or unreadable", ca_file);
        return fail(c, L2F_ERR_NOT_FOUND, &err);
    }
    if (!plat_stdout_is_tty() || !plat_stdin_is_tty()) {
        fprintf(stderr, "l2tpfix: the interactive checklist needs a terminal; for scripts use "
                        "l2tpfix check (see l2tpfix --help)\n");
        return 2;
    }
    const char *no_color = getenv("NO_COLOR");
    struct ui_options opts = {
        .ascii = c->a->given[OPT_ASCII],
        .no_color = c->a->given[OPT_NO_COLOR] || (no_color && no_color[0]),
        .version = L2F_VERSION,
        .ca_file = ca_file,
    };
    return ui_run(&c->s, &opts);
}

#define HANDLER_ROW(e, name, args, min, max, session, profile, handler, usage, help)               \
    [e] = {handler, session, profile},
static const struct {
    command_fn fn;
    bool session, profile;
} handlers[COMMAND_COUNT] = {COMMAND_TABLE(HANDLER_ROW)};
#undef HANDLER_ROW

int cli_run(const struct cli_args *a)
{
    struct cli c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.json = a->given[OPT_JSON];
    if (!args_context(a, CMD_HISTORY, c.ctx_machine, sizeof c.ctx_machine))
        snprintf(c.ctx_machine, sizeof c.ctx_machine, "l2tpfix (with this run's options)");
    if (!args_context(a, CMD_FIX, c.ctx_profile, sizeof c.ctx_profile))
        snprintf(c.ctx_profile, sizeof c.ctx_profile, "l2tpfix (with this run's options)");
    if (!args_context(a, CMD_PROBE, c.ctx_probe, sizeof c.ctx_probe))
        snprintf(c.ctx_probe, sizeof c.ctx_probe, "l2tpfix (with this run's options)");
    c.ascii = a->given[OPT_ASCII];
    if (a->command == CMD_FIX) {
        bool all = a->nargs == 1 && strcmp(a->args[0], "all") == 0;
        for (int i = 0; !all && i < a->nargs; i++)
            if (fix_from_id(a->args[i]) == FIX_NONE) {
                unknown_fix("", a->args[i]);
                return 2;
            }
    }
    const bool need_session = handlers[a->command].session;
    const bool need_profile = handlers[a->command].profile;
    if (need_session) {
        int rc = open_session(&c, need_profile);
        if (rc) {
            plat_wipe(c.hs_psk, sizeof c.hs_psk);
            return rc;
        }
        if (a->command == CMD_TUI) {
            struct l2f_err err = {{0}};
            enum l2f_status st = session_select_profile(&c.s, a->value[OPT_PROFILE], &err);
            if (st != L2F_OK && a->value[OPT_PROFILE]) {
                session_close(&c.s);
                return fail(&c, st, &err);
            }
        }
    }
    int rc = handlers[a->command].fn(&c);
    if (need_session && c.s.journal.torn_aside[0]) /* set aside by this run: said once */
        fprintf(stderr,
                "l2tpfix: warning: the journal's last line was cut short (a crash while writing?); "
                "kept in %s\n",
                c.s.journal.torn_aside);
    if (need_session && c.s.journal.damage[0]) { /* an entry read only when asked for */
        fprintf(stderr, "l2tpfix: %s\n", c.s.journal.damage);
        rc = rc ? rc : 2;
    }
    if (need_session)
        session_close(&c.s);
    plat_wipe(c.hs_psk, sizeof c.hs_psk);
    plat_wipe(c.hs_password, sizeof c.hs_password);
    return rc;
}
