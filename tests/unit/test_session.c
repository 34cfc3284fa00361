/* The session: backend by options, the profile rule, where state lives. */
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "session.h"
#include "testutil.h"

static void select_profile_rules(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "multi-profile"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    /* two L2TP profiles: no guess */
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_non_null(strstr(err.msg, "'Office VPN (all users)'"));
    assert_int_equal(session_select_profile(&s, "Home IKEv2", &err), L2F_OK);
    assert_string_equal(s.profile, "Home IKEv2");
    assert_int_equal(session_select_profile(&s, "office vpn", &err),
                     L2F_ERR_NOT_FOUND); /* exact names */
    session_close(&s);
    /* one profile: that one; the demo writes nothing */
    o.demo = "classic-789";
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Office VPN");
    assert_string_equal(s.state_dir, "");
    assert_string_equal(s.journal.path, "");
    session_close(&s);
}

static void only_l2tp_profile_is_the_default(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "[profile \"Work\"]\n[profile \"Old\"]\nVpnStrategy = 1\n", path,
                  sizeof path);
    struct session s;
    char state_dir[300];
    snprintf(state_dir, sizeof state_dir, "%s/state/deeper", dir);
    struct session_options o = {.mock_file = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    /* the state directory is created, journal and backups inside it */
    assert_true(plat_file_exists(state_dir));
    assert_non_null(strstr(s.journal.path, "/state/deeper/journal.jsonl"));
    assert_non_null(strstr(s.backup_dir, "/state/deeper/backups"));
    session_close(&s);
    tu_rmtree(dir);
}

/* The machine certificate through the session's door: the mock's scenario, and
 * UNSUPPORTED (not a guess) for a phonebook file. */
static void machine_certificate_door(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "cert-766"};
    struct l2f_err err = {{0}};
    struct machine_cert mc;
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_machine_certificate(&s, &mc, &err), L2F_OK);
    assert_int_equal(mc.state, CERT_NONE);
    assert_int_equal(mc.count, 0);
    session_close(&s);
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "rasphone.pbk", "[A]\nType=2\nVpnStrategy=3\nIpSecFlags=0\n", path,
                  sizeof path);
    char state_dir[320];
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session_options po = {.phonebook = path, .state_dir = state_dir};
    assert_int_equal(session_open(&s, &po, &err), L2F_OK);
    assert_int_equal(session_machine_certificate(&s, &mc, &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "certificate store"));
    session_close(&s);
    tu_rmtree(dir);
}

/* Opens a session on a phonebook file written from text. */
static void open_book(struct session *s, char *dir, size_t dir_len, const char *text)
{
    char path[300], state_dir[320];
    tu_mkdtemp(dir, dir_len);
    tu_write_file(dir, "rasphone.pbk", text, path, sizeof path);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session_options o = {.phonebook = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(s, &o, &err), L2F_OK);
}

static const struct vpn_profile *entry(const struct profile_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    fail_msg("no entry '%s'", name);
    return NULL;
}

/* Type= read as RASENTRY dwType; without it, DEVICE= or a tunnel strategy
 * decide, and an entry with neither is of unknown type, not a VPN. */
static void entry_type_read_from_the_phonebook(void **state)
{
    (void)state;
    char dir[256];
    struct session s;
    open_book(&s, dir, sizeof dir,
              "[DSL]\r\nType=5\r\nVpnStrategy=0\r\nDEVICE=PPPoE\r\n"
              "[Modem]\r\nType=1\r\nDEVICE=modem\r\n"
              "[Cable]\r\nType=3\r\n"
              "[CM]\r\nType=4\r\n"
              "[Odd]\r\nType=9\r\n"
              "[Typed VPN]\r\nType=2\r\n"
              "[Untyped VPN]\r\nMEDIA=rastapi\r\nDevice=WAN Miniport (L2TP)\r\nDEVICE=vpn\r\n"
              "[Untyped tunnel]\r\nVpnStrategy=3\r\n"
              "[Untyped PPPoE]\r\nDEVICE=PPPoE\r\n"
              "[Untyped nothing]\r\nVpnStrategy=0\r\nMEDIA=rastapi\r\nDevice=vpn\r\n");
    struct profile_list l;
    struct l2f_err err = {{0}};
    assert_int_equal(s.be.ops->list_profiles(&s.be, &l, &err), L2F_OK);
    assert_int_equal(entry(&l, "DSL")->entry_type, ENTRY_BROADBAND);
    assert_false(entry(&l, "DSL")->type_absent);
    assert_int_equal(entry(&l, "Modem")->entry_type, ENTRY_PHONE);
    assert_int_equal(entry(&l, "Cable")->entry_type, ENTRY_DIRECT);
    assert_int_equal(entry(&l, "CM")->entry_type, ENTRY_INTERNET);
    assert_int_equal(entry(&l, "Odd")->entry_type, ENTRY_UNKNOWN);
    assert_int_equal(entry(&l, "Odd")->type_value, 9);
    assert_int_equal(entry(&l, "Typed VPN")->entry_type, ENTRY_VPN);
    assert_int_equal(entry(&l, "Untyped VPN")->entry_type, ENTRY_VPN);
    assert_true(entry(&l, "Untyped VPN")->type_absent);
    assert_int_equal(entry(&l, "Untyped tunnel")->entry_type, ENTRY_VPN);
    assert_int_equal(entry(&l, "Untyped PPPoE")->entry_type, ENTRY_BROADBAND);
    /* MEDIA's own Device= is not DEVICE=: nothing here says VPN */
    assert_int_equal(entry(&l, "Untyped nothing")->entry_type, ENTRY_UNKNOWN);
    char label[64];
    profile_type_label(entry(&l, "DSL"), false, label, sizeof label);
    assert_string_equal(label, "PPPoE (broadband)");
    profile_type_label(entry(&l, "Typed VPN"), false, label, sizeof label);
    assert_string_equal(label, "automatic (absent)");
    profile_list_free(&l);
    /* each refused by name, in one line naming what it is; nothing selected */
    assert_int_equal(session_select_profile(&s, "DSL", &err), L2F_ERR_UNSUPPORTED);
    assert_string_equal(
        err.msg,
        "'DSL' is a PPPoE (broadband) connection, not a VPN: l2tpfix checks VPN profiles only");
    assert_int_equal(session_select_profile(&s, "Modem", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "'Modem' is a dial-up connection, not a VPN"));
    assert_int_equal(session_select_profile(&s, "Odd", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "unknown type (Type=9)"));
    assert_int_equal(session_select_profile(&s, "Untyped nothing", &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "without Type="));
    assert_string_equal(s.profile, "");
    session_close(&s);
    tu_rmtree(dir);
}

/* One VPN beside PPPoE and dial-up entries is the default even when its
 * tunnel is not L2TP; with no VPN at all, the error lists what is there. */
static void default_profile_skips_non_vpn_entries(void **state)
{
    (void)state;
    char dir[256];
    struct session s;
    struct l2f_err err = {{0}};
    open_book(&s, dir, sizeof dir,
              "[DSL]\nType=5\nVpnStrategy=0\n[Work]\nType=2\nVpnStrategy=0\n[Modem]\nType=1\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    session_close(&s);
    tu_rmtree(dir);
    open_book(&s, dir, sizeof dir, "[DSL]\nType=5\nVpnStrategy=0\n[Modem]\nType=1\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_NOT_FOUND);
    assert_string_equal(
        err.msg,
        "no VPN profile on this machine (found: 'DSL': PPPoE (broadband); 'Modem': dial-up)");
    session_close(&s);
    tu_rmtree(dir);
    /* two VPNs, one L2TP, and a PPPoE entry: the L2TP one; the others are not named as choices */
    open_book(&s, dir, sizeof dir,
              "[DSL]\nType=5\n[A]\nType=2\nVpnStrategy=3\n[B]\nType=2\nVpnStrategy=7\n[C]\nType="
              "2\nVpnStrategy=4\n");
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_string_equal(err.msg,
                        "several VPN profiles, choose one with --profile NAME: 'A', 'B', 'C'");
    session_close(&s);
    tu_rmtree(dir);
}

/* Forty VPNs: the list in the error is cut, and says so. */
static void long_profile_list_cut_visibly(void **state)
{
    (void)state;
    char dir[256], text[4096] = "";
    for (int i = 0; i < 40; i++) {
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l,
                 "[VPN number %02d with a long name]\nType=2\nVpnStrategy=3\n", i);
    }
    struct session s;
    struct l2f_err err = {{0}};
    open_book(&s, dir, sizeof dir, text);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_ERR_AMBIGUOUS);
    assert_non_null(strstr(err.msg, "'VPN number 00 with a long name', 'VPN number 01"));
    /* the names shown and the count of the rest add up to all forty */
    size_t shown = 0, more = 0;
    for (const char *at = err.msg; (at = strstr(at, "'VPN number ")) != NULL; at++)
        shown++;
    const char *tail = strstr(err.msg, " and ");
    assert_non_null(tail);
    assert_int_equal(sscanf(tail, " and %zu more (l2tpfix profiles)", &more), 1);
    assert_int_equal(shown + more, 40);
    session_close(&s);
    tu_rmtree(dir);
}

/* The mock backend: a scenario's PPPoE entry is listed, never picked. */
static void mock_entry_type(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini",
                  "[profile \"DSL\"]\ntype = pppoe\n[profile \"Work\"]\nVpnStrategy = 0\n", path,
                  sizeof path);
    char state_dir[320];
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session s;
    struct session_options o = {.mock_file = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(s.profile, "Work");
    assert_int_equal(session_select_profile(&s, "DSL", &err), L2F_ERR_UNSUPPORTED);
    assert_string_equal(s.profile, "Work");
    session_close(&s);
    tu_rmtree(dir);
}

static void no_live_backend_here(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {0};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "needs Windows"));
    assert_non_null(strstr(err.msg, "--demo"));
    assert_int_equal(l2f_status_exit_code(L2F_ERR_UNSUPPORTED), 3);
    assert_int_equal(l2f_status_exit_code(L2F_ERR_PARSE), 2);
    assert_int_equal(l2f_status_exit_code(L2F_ERR_NEED_ADMIN), 3);
    assert_int_equal(l2f_status_exit_code(L2F_OK), 0);
}

static void reboot_marker_after_a_registry_fix(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "nat-809"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    struct restart_pending rp;
    char text[512];
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 0);
    restart_pending_text(&rp, text, sizeof text);
    assert_string_equal(text, "");
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_NAT_TRAVERSAL, &obs, NULL, &plan, &err), L2F_OK);
    assert_int_equal(session_apply(&s, &plan, NULL, NULL, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 1);
    assert_int_equal(rp.fix, FIX_NAT_TRAVERSAL);
    assert_true(rp.at_once); /* the mock applies it at once, and says so */
    restart_pending_text(&rp, text, sizeof text);
    assert_non_null(
        strstr(text, "nat-traversal changed AssumeUDPEncapsulationContextOnSendRule at "));
    assert_non_null(strstr(text, "it takes effect after Windows restarts"));
    assert_non_null(strstr(text, "the simulated machine applied it already"));
    /* undo puts back what needed the restart: nothing waits any more */
    struct fix_context ctx;
    session_fix_context(&s, &ctx);
    assert_int_equal(fix_undo(&ctx, 0, NULL, NULL, 0, &err), L2F_OK);
    session_restart_pending(&s, &rp);
    assert_int_equal(rp.count, 0);
    session_close(&s);
}

/* With the boot time known: a change made before the boot has had its
 * restart; its undo after the boot waits for the next one. */
static void restart_pending_follows_the_boot(void **state)
{
    (void)state;
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, NULL, &err), L2F_OK);
    struct change c = {
        .kind = CHG_REGISTRY_DWORD, .after_set = true, .after = 2, .needs_reboot = true};
    snprintf(c.field, sizeof c.field, "AssumeUDPEncapsulationContextOnSendRule");
    struct journal_entry e = {.fix = FIX_NAT_TRAVERSAL, .n_changes = 1, .changes = &c};
    snprintf(e.machine, sizeof e.machine, "m");
    assert_int_equal(journal_begin(&j, &e, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, e.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    struct journal_entry *kept = journal_find(&j, e.id);
    snprintf(kept->time, sizeof kept->time, "2026-01-01T10:00:00.000Z");
    struct restart_pending rp;
    fix_restart_pending(&j, "m", "2026-01-01T09:00:00.000Z", false, &rp); /* booted before it */
    assert_int_equal(rp.count, 1);
    assert_false(rp.undo);
    fix_restart_pending(&j, "m", "2026-01-01T11:00:00.000Z", false, &rp); /* restarted since */
    assert_int_equal(rp.count, 0);
    fix_restart_pending(&j, "other", "", false, &rp); /* another machine's journal entry */
    assert_int_equal(rp.count, 0);
    assert_int_equal(journal_mark(&j, e.id, ENTRY_UNDONE, NULL, &err), L2F_OK);
    fix_restart_pending(&j, "m", "2026-01-01T11:00:00.000Z", false,
                        &rp); /* undone after that restart */
    assert_int_equal(rp.count, 1);
    assert_true(rp.undo);
    char text[512];
    restart_pending_text(&rp, text, sizeof text);
    assert_non_null(strstr(
        text, "nat-traversal was undone, putting back AssumeUDPEncapsulationContextOnSendRule"));
    fix_restart_pending(&j, "m", "", false,
                        &rp); /* boot not known: an undo is taken as before any restart */
    assert_int_equal(rp.count, 0);
    journal_close(&j);
}

/* The guide's fix makes the recorded 789 stale: no longer evidence against
 * the key; an untouched profile keeps its evidence; a new attempt is fresh. */
static void changes_make_the_last_result_stale(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "classic-789"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_false(obs.last_stale);
    for (size_t i = 0; i < d.n_recommended; i++) {
        struct fix_plan plan;
        assert_int_equal(fix_plan_make(d.recommended[i], &obs, NULL, &plan, &err), L2F_OK);
        assert_int_equal(session_apply(&s, &plan, NULL, NULL, &err), L2F_OK);
    }
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_true(obs.last_stale);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_PASS);
    assert_false(diagnosis_has_problems(&d));
    /* a test connection after the change is fresh evidence again */
    assert_int_equal(s.be.ops->connect_start(&s.be, s.profile, &err), L2F_OK);
    struct connect_event ev;
    while (!s.be.ops->connect_poll(&s.be, &ev) || ev.kind != CONNECT_DONE) {
    }
    assert_int_equal(ev.code, 0);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_false(obs.last_stale);
    assert_int_equal(d.checks[CHECK_LAST_AUTH].status, CHECK_PASS);
    session_close(&s);
    /* psk-mismatch, untouched: the 789 stays evidence */
    o.demo = "psk-mismatch";
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_int_equal(d.checks[CHECK_PSK].status, CHECK_WARN);
    session_close(&s);
}

/* Issue 15: a key typed for use-psk and tested by the server decides
 * psk-matches in the diagnoses after it, rejected or accepted, and its text
 * never holds the key. */
static void typed_key_decides_psk_matches(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "psk-mismatch"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_true(d.checks[CHECK_PSK_MATCHES].not_applicable); /* no key at hand yet */
    struct fix_plan plan;
    assert_int_equal(fix_plan_make(FIX_USE_PSK, &obs, NULL, &plan, &err), L2F_OK);
    char wrong[] = "not-the-servers", right[] = "the-servers-key";
    struct fix_secrets secrets = {wrong, NULL};
    assert_int_equal(session_apply(&s, &plan, &secrets, NULL, &err), L2F_ERR_CONFLICT);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    const struct check_result *r = &d.checks[CHECK_PSK_MATCHES];
    assert_false(r->not_applicable);
    assert_int_equal(r->status, CHECK_FAIL);
    assert_int_equal(r->fix, FIX_USE_PSK);
    assert_non_null(strstr(r->summary, "rejects the key typed for use-psk"));
    assert_null(strstr(r->summary, wrong));
    secrets.psk = right;
    assert_int_equal(session_apply(&s, &plan, &secrets, NULL, &err), L2F_OK);
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_int_equal(r->status, CHECK_PASS);
    assert_non_null(strstr(r->summary, "verified the key typed for use-psk"));
    assert_null(strstr(r->summary, right));
    session_close(&s);
}

static void unusable_state_dir_is_a_clear_error(void **state)
{
    (void)state;
    char dir[256], path[300], file[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "", path, sizeof path);
    tu_write_file(dir, "plainfile", "x", file, sizeof file);
    struct session s;
    struct session_options o = {.mock_file = path, .state_dir = file};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "plainfile"));
    tu_rmtree(dir);
}

/* A journal record as l2tpfix writes it: entry id of machine, begun. */
static void begin_record(char *buf, size_t len, int id, const char *machine)
{
    snprintf(buf, len,
             "{\"op\":\"begin\",\"id\":%d,\"time\":\"2026-12-02T00:00:00.000Z\",\"machine\":\"%s\","
             "\"profile\":\"P\",\"fix\":\"nat-traversal\",\"changes\":[{\"kind\":\"registry\","
             "\"target\":\"K\",\"field\":\"V\",\"before_set\":false,\"before\":0,"
             "\"after_set\":true,\"after\":2}]}\n",
             id, machine);
}

/* Opens a journal file of the lines given, in a fresh directory. */
static void open_journal_text(struct journal *j, char *dir, size_t dir_len, const char *text)
{
    char path[320];
    struct l2f_err err = {{0}};
    tu_mkdtemp(dir, dir_len);
    tu_write_file(dir, "journal.jsonl", text, path, sizeof path);
    assert_int_equal(journal_open(j, path, &err), L2F_OK);
}

/* The one walk undo, the checklist's u and the command line's undo list
 * share: newest first, this machine's only, applied or left half-way. */
static void undoable_walk_newest_first(void **state)
{
    (void)state;
    char r[5][512], text[3000], dir[256];
    begin_record(r[1], sizeof r[1], 1, "m");
    begin_record(r[2], sizeof r[2], 2, "other");
    begin_record(r[3], sizeof r[3], 3, "m");
    begin_record(r[4], sizeof r[4], 4, "m");
    snprintf(text, sizeof text,
             "%s{\"op\":\"applied\",\"id\":1}\n%s{\"op\":\"applied\",\"id\":2}\n"
             "%s{\"op\":\"applied\",\"id\":3}\n{\"op\":\"undone\",\"id\":3}\n%s",
             r[1], r[2], r[3], r[4]); /* 4 begun, never finished: a crash */
    struct journal j;
    open_journal_text(&j, dir, sizeof dir, text);
    const struct journal_entry *e = NULL;
    struct l2f_err err = {{0}};
    size_t pos = j.count;
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_OK);
    assert_int_equal(e->id, 4); /* pending: undo finishes what the crash left */
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_OK);
    assert_int_equal(e->id, 1); /* 3 is undone, 2 is another machine's */
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_ERR_NOTHING);
    assert_null(e);
    assert_string_equal(err.msg, "nothing to undo on this machine");
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_ERR_NOTHING); /* stays */
    pos = j.count;
    assert_int_equal(fix_prev_undoable(&j, "other", &pos, &e, &err), L2F_OK);
    assert_int_equal(e->id, 2);
    journal_close(&j);
    tu_rmtree(dir);
}

/* A damaged record undo could take back stops the walk, named; one already
 * undone is passed over without being read. */
static void undoable_walk_stops_at_damage(void **state)
{
    (void)state;
    char one[512], two[512], three[512], text[2000], dir[256];
    begin_record(one, sizeof one, 1, "m");
    begin_record(two, sizeof two, 2, "m");
    begin_record(three, sizeof three, 3, "m");
    strcpy(strstr(one, "\"changes\""), "\"changes\":5}\n"); /* whole JSON, not an entry */
    strcpy(strstr(two, "\"changes\""), "\"changes\":5}\n");
    snprintf(text, sizeof text,
             "%s{\"op\":\"applied\",\"id\":1}\n%s{\"op\":\"undone\",\"id\":2}\n"
             "%s{\"op\":\"applied\",\"id\":3}\n",
             one, two, three);
    struct journal j;
    open_journal_text(&j, dir, sizeof dir, text);
    const struct journal_entry *e = NULL;
    struct l2f_err err = {{0}};
    size_t pos = j.count;
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_OK);
    assert_int_equal(e->id, 3);
    assert_int_equal(fix_prev_undoable(&j, "m", &pos, &e, &err), L2F_ERR_PARSE);
    assert_null(e);
    assert_non_null(strstr(err.msg, "journal.jsonl:1: damaged journal record"));
    journal_close(&j);
    tu_rmtree(dir);
}

/* The session's walks name this machine: history shows every state of its
 * entries, undo only what is still applied; both newest first. */
static void session_walks_this_machines_journal(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "classic-789"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_string_equal(session_machine_id(&s), "demo:classic-789");
    const struct journal_entry *e = NULL;
    size_t pos = s.journal.count;
    assert_null(session_history_prev(&s, &pos));
    assert_null(session_undoable_prev(&s, &pos));
    struct observations obs;
    struct diagnosis d;
    assert_int_equal(session_diagnose(&s, &obs, &d, &err), L2F_OK);
    assert_true(d.n_recommended >= 2);
    int64_t ids[2];
    for (size_t i = 0; i < 2; i++) {
        struct fix_plan plan;
        assert_int_equal(fix_plan_make(d.recommended[i], &obs, NULL, &plan, &err), L2F_OK);
        assert_int_equal(session_apply(&s, &plan, NULL, &ids[i], &err), L2F_OK);
    }
    /* an entry of another machine in the same journal is never this one's */
    struct change c = {.kind = CHG_REGISTRY_DWORD, .after_set = true, .after = 2};
    struct journal_entry other = {.fix = FIX_NAT_TRAVERSAL, .n_changes = 1, .changes = &c};
    snprintf(other.machine, sizeof other.machine, "demo:another");
    assert_int_equal(journal_begin(&s.journal, &other, &err), L2F_OK);
    assert_int_equal(journal_mark(&s.journal, other.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    struct fix_context ctx;
    session_fix_context(&s, &ctx);
    assert_int_equal(fix_undo(&ctx, ids[1], NULL, NULL, 0, &err), L2F_OK);
    pos = s.journal.count;
    assert_non_null(e = session_undoable_prev(&s, &pos));
    assert_int_equal(e->id, ids[0]); /* the newer one is undone */
    assert_null(session_undoable_prev(&s, &pos));
    pos = s.journal.count;
    assert_non_null(e = session_history_prev(&s, &pos));
    assert_int_equal(e->id, ids[1]);
    assert_int_equal(e->state, ENTRY_UNDONE);
    assert_non_null(e = session_history_prev(&s, &pos));
    assert_int_equal(e->id, ids[0]);
    assert_null(session_history_prev(&s, &pos));
    assert_null(session_history_prev(&s, &pos));
    session_close(&s);
}

/* The front ends' walks pass over a damaged record as they always did: the
 * undo itself names it (its walk stops at it). */
static void session_walks_pass_over_damage(void **state)
{
    (void)state;
    char dir[256], path[300], state_dir[320], machine[340], r[4][800], text[3000], jpath[400];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", "[profile \"Work\"]\n", path, sizeof path);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    snprintf(machine, sizeof machine, "mock:%s", path);
    for (int i = 1; i <= 3; i++)
        begin_record(r[i], sizeof r[i], i, machine);
    strcpy(strstr(r[2], "\"changes\""), "\"changes\":5}\n"); /* whole JSON, not an entry */
    snprintf(text, sizeof text,
             "%s{\"op\":\"applied\",\"id\":1}\n%s{\"op\":\"applied\",\"id\":2}\n"
             "%s{\"op\":\"applied\",\"id\":3}\n",
             r[1], r[2], r[3]);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_mkdir_p(state_dir, &err), L2F_OK);
    tu_write_file(state_dir, "journal.jsonl", text, jpath, sizeof jpath);
    struct session s;
    struct session_options o = {.mock_file = path, .state_dir = state_dir};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_string_equal(session_machine_id(&s), machine);
    const struct journal_entry *e;
    size_t pos = s.journal.count;
    assert_non_null(e = session_undoable_prev(&s, &pos));
    assert_int_equal(e->id, 3);
    assert_non_null(e = session_undoable_prev(&s, &pos));
    assert_int_equal(e->id, 1);
    assert_null(session_undoable_prev(&s, &pos));
    pos = s.journal.count;
    assert_int_equal(session_history_prev(&s, &pos)->id, 3);
    assert_int_equal(session_history_prev(&s, &pos)->id, 1);
    assert_null(session_history_prev(&s, &pos));
    assert_non_null(strstr(s.journal.damage, "journal.jsonl:3: damaged journal record"));
    /* the core's walk, which undo takes, stops at it and names it */
    pos = s.journal.count;
    assert_int_equal(fix_prev_undoable(&s.journal, machine, &pos, &e, &err), L2F_OK);
    assert_int_equal(fix_prev_undoable(&s.journal, machine, &pos, &e, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "journal.jsonl:3: damaged journal record"));
    session_close(&s);
    tu_rmtree(dir);
}

/* What the front ends ask of the machine, through the session only. */
static void front_ends_ask_the_session(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "multi-profile"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_string_equal(session_backend_name(&s), "mock");
    assert_non_null(strstr(session_describe(&s), "multi-profile"));
    struct vpn_profile p;
    assert_int_equal(session_read_profile(&s, &p, &err), L2F_ERR_NOT_FOUND); /* none chosen */
    assert_int_equal(session_select_profile(&s, "Home IKEv2", &err), L2F_OK);
    assert_int_equal(session_read_profile(&s, &p, &err), L2F_OK);
    assert_string_equal(p.name, "Home IKEv2");
    struct profile_list list;
    assert_int_equal(session_list_profiles(&s, &list, &err), L2F_OK);
    assert_true(list.count >= 2);
    profile_list_free(&list);
    bool admin = false;
    assert_int_equal(session_is_admin(&s, &admin), L2F_OK);
    assert_true(admin); /* the scenario's machine */
    /* other users' phonebooks: offered until they are in */
    assert_true(session_can_include_other_users(&s));
    assert_int_equal(session_include_other_users(&s, &err), L2F_OK);
    assert_false(session_can_include_other_users(&s));
    session_close(&s);
    /* a phonebook file has no other users' phonebooks to add */
    char dir[256];
    open_book(&s, dir, sizeof dir, "[Work]\nType=2\nPhoneNumber=vpn.example.com\n");
    assert_string_equal(session_backend_name(&s), "phonebook");
    assert_false(session_can_include_other_users(&s));
    session_close(&s);
    tu_rmtree(dir);
}

/* session_diagnose is diagnose_all with the session's journal: on a machine
 * with no journal entries both say the same. */
static void session_diagnosis_is_the_cores(void **state)
{
    (void)state;
    struct session s;
    struct session_options o = {.demo = "classic-789"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &o, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    struct observations o1, o2;
    struct diagnosis d1, d2;
    assert_int_equal(session_diagnose(&s, &o1, &d1, &err), L2F_OK);
    assert_int_equal(diagnose_all(&s.be, s.profile, &o2, &d2, &err), L2F_OK);
    for (int c = 0; c < CHECK_COUNT; c++) {
        assert_int_equal(d1.checks[c].status, d2.checks[c].status);
        assert_string_equal(d1.checks[c].summary, d2.checks[c].summary);
    }
    assert_int_equal(d1.n_recommended, d2.n_recommended);
    assert_true(d1.n_recommended > 0);
    snprintf(s.profile, sizeof s.profile, "No Such");
    err.msg[0] = '\0';
    assert_int_equal(session_diagnose(&s, &o1, &d1, &err), L2F_ERR_NOT_FOUND);
    assert_true(err.msg[0] != '\0'); /* why the profile could not be read */
    session_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(select_profile_rules),
        cmocka_unit_test(machine_certificate_door),
        cmocka_unit_test(only_l2tp_profile_is_the_default),
        cmocka_unit_test(entry_type_read_from_the_phonebook),
        cmocka_unit_test(default_profile_skips_non_vpn_entries),
        cmocka_unit_test(mock_entry_type),
        cmocka_unit_test(long_profile_list_cut_visibly),
        cmocka_unit_test(no_live_backend_here),
        cmocka_unit_test(reboot_marker_after_a_registry_fix),
        cmocka_unit_test(restart_pending_follows_the_boot),
        cmocka_unit_test(changes_make_the_last_result_stale),
        cmocka_unit_test(typed_key_decides_psk_matches),
        cmocka_unit_test(unusable_state_dir_is_a_clear_error),
        cmocka_unit_test(undoable_walk_newest_first),
        cmocka_unit_test(undoable_walk_stops_at_damage),
        cmocka_unit_test(session_walks_this_machines_journal),
        cmocka_unit_test(session_walks_pass_over_damage),
        cmocka_unit_test(front_ends_ask_the_session),
        cmocka_unit_test(session_diagnosis_is_the_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
