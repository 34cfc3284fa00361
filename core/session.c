#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pskcheck.h"
#include "statelock.h"

/* Room left below PLAT_PATH_MAX for what goes inside the state directory
 * (backups/N-value.reg, journal.jsonl.torn-TIME); checked before any of it is made. */
#define STATE_DIR_ROOM 160

static enum l2f_status check_state_dir_length(const char *dir, struct l2f_err *err)
{
    size_t n = strlen(dir), limit = PLAT_PATH_MAX - 1 - STATE_DIR_ROOM;
    if (n <= limit)
        return L2F_OK;
    l2f_err_set(
        err,
        "state directory path is %lu characters; the limit is %lu (%d, the longest path, less room "
        "for the files inside): nothing created",
        (unsigned long)n, (unsigned long)limit, PLAT_PATH_MAX - 1);
    return L2F_ERR_USAGE;
}

enum l2f_status session_open(struct session *s, const struct session_options *opts,
                             struct l2f_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->hint_machine, sizeof s->hint_machine, "%s",
             opts->hint_machine ? opts->hint_machine : "l2tpfix");
    snprintf(s->hint_profile, sizeof s->hint_profile, "%s",
             opts->hint_profile ? opts->hint_profile : "l2tpfix");
    snprintf(s->hint_probe, sizeof s->hint_probe, "%s",
             opts->hint_probe ? opts->hint_probe : "l2tpfix");
    const struct backend_ops *ops = NULL;
    char arg[PLAT_PATH_MAX + 8];
    if (opts->phonebook) {
        ops = backend_find("phonebook");
        snprintf(arg, sizeof arg, "%s", opts->phonebook);
    } else if (opts->demo || opts->mock_file) {
        ops = backend_find("mock");
        if (opts->demo)
            snprintf(arg, sizeof arg, "demo:%s", opts->demo);
        else
            snprintf(arg, sizeof arg, "%s", opts->mock_file);
    } else {
        ops = backend_find("windows");
        arg[0] = '\0';
        if (!ops) {
            l2f_err_set(err, "the live backend needs Windows; on this system try the demo: "
                             "l2tpfix --demo (or --mock FILE for a scenario file)");
            return L2F_ERR_UNSUPPORTED;
        }
    }
    s->be.ops = ops;
    enum l2f_status st = ops->open(&s->be, arg, err);
    if (st != L2F_OK)
        return st;
    s->be_open = true;
    if (opts->all_users && (st = session_include_other_users(s, err)) != L2F_OK)
        goto fail;
    if (opts->demo) {
        /* the demo machine lives in memory: so do its journal and backups */
        return journal_open(&s->journal, NULL, err);
    }
    snprintf(s->holder, sizeof s->holder, "%s", opts->holder ? opts->holder : "l2tpfix");
    if (opts->state_dir && (st = check_state_dir_length(opts->state_dir, err)) != L2F_OK)
        goto fail;
    if (opts->state_dir)
        snprintf(s->state_dir, sizeof s->state_dir, "%s", opts->state_dir);
    else if ((st = plat_default_state_dir(s->state_dir, sizeof s->state_dir, err)) != L2F_OK)
        goto fail;
    if ((st = check_state_dir_length(s->state_dir, err)) != L2F_OK)
        goto fail;
    if ((st = plat_mkdir_p(s->state_dir, err)) != L2F_OK)
        goto fail;
    char path[PLAT_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s%c%s", s->state_dir, PLAT_DIRSEP, JOURNAL_FILE_NAME);
    snprintf(s->backup_dir, sizeof s->backup_dir, "%.4000s%cbackups", s->state_dir, PLAT_DIRSEP);
    if ((st = journal_open(&s->journal, path, err)) != L2F_OK)
        goto fail;
    return L2F_OK;
fail:
    ops->close(&s->be);
    s->be_open = false;
    return st;
}

enum l2f_status session_include_other_users(struct session *s, struct l2f_err *err)
{
    if (!s->be.ops->include_other_users) {
        l2f_err_set(
            err, "other users' phonebooks: none to add here (a --phonebook folder of user profiles "
                 "lists every user already)");
        return L2F_ERR_UNSUPPORTED;
    }
    enum l2f_status st = s->be.ops->include_other_users(&s->be, err);
    if (st == L2F_OK)
        s->other_users = true;
    return st;
}

void session_close(struct session *s)
{
    hs_connect_release(s->hs); /* a real handshake still running is stopped and joined */
    s->hs = NULL;
    ikev2_connect_release(s->ikev2);
    s->ikev2 = NULL;
    if (s->be_open)
        s->be.ops->close(&s->be);
    s->be_open = false;
    journal_close(&s->journal);
}

const char *session_backend_name(const struct session *s)
{
    return s->be.ops->name;
}

const char *session_describe(struct session *s)
{
    return s->be.ops->describe(&s->be);
}

const char *session_machine_id(struct session *s)
{
    return s->be.ops->machine_id(&s->be);
}

bool session_can_include_other_users(const struct session *s)
{
    return !s->other_users && s->be.ops->include_other_users;
}

enum l2f_status session_is_admin(struct session *s, bool *admin)
{
    return s->be.ops->is_admin(&s->be, admin);
}

void session_selftest(struct session *s, bool redact, struct selftest_report *out)
{
    selftest_run(&s->be, redact, out);
}

enum l2f_status session_list_profiles(struct session *s, struct profile_list *out,
                                      struct l2f_err *err)
{
    return s->be.ops->list_profiles(&s->be, out, err);
}

enum l2f_status session_read_profile(struct session *s, struct vpn_profile *out,
                                     struct l2f_err *err)
{
    if (!s->profile[0]) {
        l2f_err_set(err, "no profile chosen");
        return L2F_ERR_NOT_FOUND;
    }
    return s->be.ops->read_profile(&s->be, s->profile, out, err);
}

const struct journal_entry *session_history_prev(struct session *s, size_t *pos)
{
    const char *machine = session_machine_id(s);
    while (*pos > 0) {
        const struct journal_entry *e = journal_at(&s->journal, --*pos);
        if (e && strcmp(e->machine, machine) == 0)
            return e;
    }
    return NULL;
}

const struct journal_entry *session_undoable_prev(struct session *s, size_t *pos)
{
    const char *machine = session_machine_id(s);
    const struct journal_entry *e = NULL;
    struct l2f_err err;
    while (fix_prev_undoable(&s->journal, machine, pos, &e, &err) == L2F_ERR_PARSE) {
    }
    return e;
}

/* "'a', 'b'" for the VPNs, "'a': dial-up; 'b': PPPoE (broadband)" for the others. */
/* As many names as the line holds, then how many more: never cut silently. */
static void list_entries(const struct profile_list *list, bool vpn, const char *hint, char *buf,
                         size_t len)
{
    /* " and 4294967295 more (HINT profiles)", a long hint said shorter */
    char see[160];
    if (strlen(hint) + 10 < sizeof see)
        snprintf(see, sizeof see, "%s profiles", hint);
    else
        snprintf(see, sizeof see, "l2tpfix profiles, with this run's options");
    const size_t MORE_ROOM = 30 + strlen(see);
    size_t used = 0, more = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < list->count && len > MORE_ROOM; i++) {
        const struct vpn_profile *p = &list->items[i];
        if (profile_is_vpn(p) != vpn)
            continue;
        char type[48];
        profile_type_label(p, false, type, sizeof type);
        int n = more ? -1
                     : snprintf(buf + used, len - MORE_ROOM - used, "%s'%s'%s%s",
                                used ? (vpn ? ", " : "; ") : "", p->name, vpn ? "" : ": ",
                                vpn ? "" : type);
        if (n < 0 || (size_t)n >= len - MORE_ROOM - used) {
            buf[used] = '\0';
            more++;
        } else
            used += (size_t)n;
    }
    if (more)
        snprintf(buf + used, len - used, " and %zu more (%s)", more, see);
}

static enum l2f_status refuse_non_vpn(const struct vpn_profile *p, struct l2f_err *err)
{
    char what[128];
    profile_kind_phrase(p, what, sizeof what);
    l2f_err_set(err, "'%s' is %s, not a VPN: l2tpfix checks VPN profiles only", p->name, what);
    return L2F_ERR_UNSUPPORTED;
}

/* No name: the only VPN, else the only L2TP VPN; a dial-up or PPPoE entry never. */
static const struct vpn_profile *default_profile(const struct profile_list *list, size_t *vpns)
{
    const struct vpn_profile *only = NULL, *only_l2tp = NULL;
    size_t l2tp = 0;
    *vpns = 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct vpn_profile *p = &list->items[i];
        if (!profile_is_vpn(p))
            continue;
        ++*vpns;
        only = p;
        if (profile_is_l2tp(p))
            l2tp++, only_l2tp = p;
    }
    return *vpns == 1 ? only : l2tp == 1 ? only_l2tp : NULL;
}

static enum l2f_status explain_no_pick(const struct profile_list *list, const char *name,
                                       const char *hint, size_t vpns, struct l2f_err *err)
{
    char names[400], others[400];
    list_entries(list, true, hint, names, sizeof names);
    list_entries(list, false, hint, others, sizeof others);
    if (name) {
        char all[sizeof names + sizeof others + 2];
        snprintf(all, sizeof all, "%s%s%s", names, names[0] && others[0] ? "; " : "", others);
        l2f_err_set(err, "no VPN profile named '%s' (there are: %s)", name, all[0] ? all : "none");
        return L2F_ERR_NOT_FOUND;
    }
    if (vpns == 0) {
        l2f_err_set(err, "no VPN profile on this machine%s%s%s", others[0] ? " (found: " : "",
                    others, others[0] ? ")" : "");
        return L2F_ERR_NOT_FOUND;
    }
    l2f_err_set(err, "several VPN profiles, choose one with --profile NAME: %s", names);
    return L2F_ERR_AMBIGUOUS;
}

enum l2f_status session_select_profile(struct session *s, const char *name, struct l2f_err *err)
{
    struct profile_list list;
    enum l2f_status st = session_list_profiles(s, &list, err);
    if (st != L2F_OK)
        return st;
    const struct vpn_profile *pick = NULL;
    size_t vpns = 0;
    for (size_t i = 0; name && i < list.count && !pick; i++)
        if (strcmp(list.items[i].name, name) == 0)
            pick = &list.items[i];
    if (!name)
        pick = default_profile(&list, &vpns);
    if (pick && !profile_is_vpn(pick))
        st = refuse_non_vpn(pick, err);
    else if (pick)
        snprintf(s->profile, sizeof s->profile, "%s", pick->name);
    else
        st = explain_no_pick(&list, name, s->hint_machine, vpns, err);
    profile_list_free(&list);
    return st;
}

void session_diagnose_start(struct session *s, struct diagnose_run *run)
{
    diagnose_start(run, &s->be, s->profile);
    diagnose_use_journal(run, &s->journal);
    run->real_probe = s->real_probe;
    run->cache_dir = s->state_dir; /* empty in demo mode: this process only */
    run->psk = s->check_psk;
    run->obs.probe_hint = s->hint_probe;
    if (s->typed_key.known && strcmp(s->typed_key.profile, s->profile) == 0) {
        run->key_told = true;
        run->told_key = s->typed_key.verdict;
        snprintf(run->told_server, sizeof run->told_server, "%s", s->typed_key.server);
    }
}

enum l2f_status session_diagnose(struct session *s, struct observations *obs, struct diagnosis *d,
                                 struct l2f_err *err)
{
    struct diagnose_run run;
    session_diagnose_start(s, &run);
    return diagnose_finish(&run, obs, d, err);
}

void session_fix_context(struct session *s, struct fix_context *ctx)
{
    ctx->be = &s->be;
    ctx->journal = &s->journal;
    ctx->backup_dir = s->backup_dir[0] ? s->backup_dir : NULL;
    ctx->lock_dir = s->state_dir[0] ? s->state_dir : NULL;
    ctx->holder = s->holder;
    ctx->hint_machine = s->hint_machine;
}

enum l2f_status session_write_locked(struct session *s, const char *path, const char *text,
                                     struct l2f_err *err)
{
    struct statelock *lock = NULL;
    enum l2f_status st =
        s->state_dir[0] ? statelock_acquire(&lock, s->state_dir, s->holder, err) : L2F_OK;
    if (st == L2F_OK)
        st = plat_write_atomic(path, text, strlen(text), err);
    statelock_release(lock);
    return st;
}

enum l2f_status session_apply(struct session *s, const struct fix_plan *plan,
                              const struct fix_secrets *secrets, int64_t *entry_id,
                              struct l2f_err *err)
{
    struct fix_context ctx;
    session_fix_context(s, &ctx);
    s->key_tested = false;
    /* verify, then store: a key the server rejects is saved only on request */
    if (plan->fix == FIX_USE_PSK && secrets && secrets->psk) {
        struct vpn_profile p;
        enum l2f_status st = s->be.ops->read_profile(&s->be, plan->profile, &p, err);
        if (st != L2F_OK)
            return st;
        struct l2f_err key_err;
        if (p.server[0] &&
            diagnose_check_key(&s->be, s->real_probe, s->state_dir, p.server, secrets->psk,
                               &s->key_verdict, NULL, NULL, &key_err) == L2F_OK) {
            s->key_tested = true;
            s->typed_key.known = true;
            s->typed_key.verdict = s->key_verdict;
            snprintf(s->typed_key.profile, sizeof s->typed_key.profile, "%s", plan->profile);
            snprintf(s->typed_key.server, sizeof s->typed_key.server, "%s", p.server);
            if (s->key_verdict == PSK_REJECTED && !s->store_rejected_key) {
                l2f_err_set(err, "the server rejects this key: not saved (--store-rejected-key "
                                 "saves it anyway)");
                return L2F_ERR_CONFLICT;
            }
        }
    }
    return fix_apply(&ctx, plan, secrets, entry_id, err);
}

enum l2f_status session_machine_certificate(struct session *s, struct machine_cert *out,
                                            struct l2f_err *err)
{
    if (!s->be.ops->machine_certificate) {
        l2f_err_set(err, "the %s backend cannot read the computer's certificate store",
                    s->be.ops->name);
        return L2F_ERR_UNSUPPORTED;
    }
    return s->be.ops->machine_certificate(&s->be, out, err);
}

void session_restart_pending(struct session *s, struct restart_pending *out)
{
    struct machine_info m = {.boot = ""};
    struct l2f_err err;
    if (s->be.ops->machine_info && s->be.ops->machine_info(&s->be, &m, &err) != L2F_OK)
        m.boot[0] = '\0', m.boot_at_once = false;
    fix_restart_pending(&s->journal, session_machine_id(s), m.boot, m.boot_at_once, out);
}

enum l2f_status session_connect_start(struct session *s, struct l2f_err *err)
{
    if (s->ikev2) {
        l2f_err_set(err, "an IKEv2 exchange is already under way");
        return L2F_ERR_CONFLICT;
    }
    if (!s->real_handshake.on)
        return s->be.ops->connect_start(&s->be, s->profile, err);
    if (s->hs) {
        l2f_err_set(err, "a test connection is already under way");
        return L2F_ERR_CONFLICT;
    }
    struct vpn_profile p;
    enum l2f_status st = session_read_profile(s, &p, err);
    if (st != L2F_OK)
        return st;
    if (!p.server[0]) {
        l2f_err_set(err, "the profile names no server to connect to");
        return L2F_ERR_USAGE;
    }
    if (!s->real_handshake.psk || !s->real_handshake.psk[0] || !s->real_handshake.user ||
        !s->real_handshake.password) {
        l2f_err_set(err, "the real handshake needs the pre-shared key, --user and the password");
        return L2F_ERR_NEED_SECRET;
    }
    s->connect_advice[0] = '\0';
    s->connect_advice_fix = FIX_NONE;
    struct hs_options o = {
        .host = p.server,
        .port = 500,
        .psk = s->real_handshake.psk,
        .user = s->real_handshake.user,
        .password = s->real_handshake.password,
        .lcp_extensions = p.fields[PF_LCP_EXTENSIONS] != 0 || p.field_absent[PF_LCP_EXTENSIONS],
        .timeout_ms = s->real_handshake.timeout_ms ? s->real_handshake.timeout_ms : 20000};
    return hs_connect_start(&s->hs, &o, s->state_dir, err);
}

bool session_connect_poll(struct session *s, struct connect_event *ev)
{
    if (s->ikev2) {
        if (!ikev2_connect_poll(s->ikev2, ev))
            return false;
        if (ev->kind == CONNECT_DONE) {
            ikev2_connect_release(s->ikev2);
            s->ikev2 = NULL;
        }
        return true;
    }
    if (!s->real_handshake.on)
        return s->be.ops->connect_poll(&s->be, ev);
    if (!s->hs || !hs_connect_poll(s->hs, ev))
        return false;
    if (ev->kind == CONNECT_DONE) {
        struct vpn_profile p;
        struct l2f_err err;
        if (session_read_profile(s, &p, &err) == L2F_OK)
            s->connect_advice_fix =
                diagnose_handshake_advice(hs_connect_result(s->hs), p.fields[PF_AUTH_RESTRICTIONS],
                                          s->connect_advice, sizeof s->connect_advice);
        hs_connect_release(s->hs);
        s->hs = NULL;
    }
    return true;
}

void session_connect_cancel(struct session *s)
{
    if (s->ikev2) {
        ikev2_connect_release(s->ikev2);
        s->ikev2 = NULL;
        return;
    }
    if (!s->real_handshake.on) {
        if (s->be_open)
            s->be.ops->connect_cancel(&s->be);
        return;
    }
    hs_connect_release(s->hs);
    s->hs = NULL;
}

enum l2f_status session_ikev2_start(struct session *s, const char *user, const char *password,
                                    const char *ca_file, struct l2f_err *err)
{
    if (s->ikev2 || s->hs) {
        l2f_err_set(err, "a test connection is already under way");
        return L2F_ERR_CONFLICT;
    }
    struct vpn_profile p;
    enum l2f_status st = session_read_profile(s, &p, err);
    if (st != L2F_OK)
        return st;
    if (!p.server[0]) {
        l2f_err_set(err, "the profile names no server to connect to");
        return L2F_ERR_USAGE;
    }
    if (!user || !user[0] || !password || !password[0]) {
        l2f_err_set(err, "EAP-MSCHAPv2 needs a user name and a password");
        return L2F_ERR_NEED_SECRET;
    }
    struct ikev2_options o = {.host = p.server,
                              .port = 500,
                              .user = user,
                              .password = password,
                              .ca_file = ca_file && ca_file[0] ? ca_file : NULL,
                              .timeout_ms = 20000};
    if (!s->be.ops->ikev2_simulate)
        return ikev2_connect_start(&s->ikev2, &o, NULL, 0, s->state_dir, err);
    struct ikev2_result *sim = calloc(1, sizeof *sim);
    unsigned step_ms = 0;
    if (!sim)
        return L2F_ERR_NOMEM;
    st = s->be.ops->ikev2_simulate(&s->be, &o, sim, &step_ms, err);
    if (st == L2F_OK)
        st = ikev2_connect_start(&s->ikev2, &o, sim, step_ms, s->state_dir, err);
    free(sim);
    return st;
}
