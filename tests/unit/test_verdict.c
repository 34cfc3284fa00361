/* The verdict `check`, `report` and the checklist share: an unknown is never
 * rounded up to "all pass", problems win over unknowns, and what a backend
 * cannot see is named and counted. */
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "testutil.h"
#include "verdict.h"

/* What a phonebook file read offline lets l2tpfix see: the profile alone. */
static void offline_phonebook(struct observations *o)
{
    tu_healthy(o);
    for (int r = 0; r < REGVAL_COUNT; r++)
        o->reg_st[r] = L2F_ERR_UNSUPPORTED;
    for (int s = 0; s < SERVICE_COUNT; s++)
        o->svc_st[s] = L2F_ERR_UNSUPPORTED;
    o->last_st = L2F_ERR_UNSUPPORTED;
    o->probe_st = L2F_ERR_UNSUPPORTED;
    o->machine_unsupported = true;
    o->profile.secrets_unknown = true;
    o->profile.psk_saved = o->profile.username_saved = o->profile.password_saved = false;
}

static void all_pass_with_a_skipped_check(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    tu_healthy(&o);
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.kind, VERDICT_ALL_PASS);
    assert_int_equal(verdict_exit_code(v.kind), 0);
    assert_int_equal(v.n.pass, CHECK_COUNT - 2);
    /* psk-matches: no key at hand; machine-certificate: a PSK profile */
    assert_int_equal(v.n.skipped, 2);
    assert_int_equal(v.n.unknown, 0);
    char line[256];
    verdict_headline(&v, line, sizeof line);
    assert_string_equal(line, "No problem found on this side: all 16 checks pass, 2 skipped.");
    verdict_unknowns(&v, "mock", "vpn.example.com", line, sizeof line);
    assert_string_equal(line, "");
}

/* The case: nothing fails, one check is unknown -> not "all pass". */
static void one_unknown_is_incomplete(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    tu_healthy(&o);
    o.last = (struct connection_record){.known = false};
    diagnose_evaluate(&o, &d);
    assert_int_equal(d.checks[CHECK_LAST_AUTH].status, CHECK_UNKNOWN);
    assert_int_equal(d.stages[STAGE_AUTH], CHECK_UNKNOWN);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.kind, VERDICT_INCOMPLETE);
    assert_int_equal(verdict_exit_code(v.kind), VERDICT_EXIT_INCOMPLETE);
    assert_int_equal(VERDICT_EXIT_INCOMPLETE, 4);
    assert_int_equal(v.n.unknown, 1);
    assert_int_equal(v.inconclusive, 1); /* every part was observed: the record said nothing */
    char line[256];
    verdict_headline(&v, line, sizeof line);
    assert_string_equal(
        line, "No problem found in the 15 checks made here; 1 could not be made here, 2 skipped.");
    assert_null(strstr(line, "on this side")); /* never the all-pass sentence */
    struct verdict_counts n;
    verdict_stage_counts(&d, STAGE_AUTH, &n);
    verdict_stage_text(&n, line, sizeof line);
    assert_string_equal(line, "1 pass, 1 could not be checked here");
}

static void problems_win_over_unknowns(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    offline_phonebook(&o);
    o.profile.fields[PF_LCP_EXTENSIONS] = 0;
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.kind, VERDICT_PROBLEMS);
    assert_int_equal(verdict_exit_code(v.kind), 1);
    assert_int_equal(v.n.fail, 1);
    assert_true(v.n.unknown > 0);
    char line[256];
    verdict_headline(&v, line, sizeof line);
    assert_non_null(strstr(line, "Problems found: 1 FAIL; 12 more checks could not be made here"));
}

/* A phonebook file offline: 4 checks made, 12 unknown for want of what the
 * backend cannot see, each put down to that part and named. */
static void offline_phonebook_names_what_it_cannot_see(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    offline_phonebook(&o);
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.kind, VERDICT_INCOMPLETE);
    assert_int_equal(v.n.pass, 4);
    assert_int_equal(v.n.unknown, 12);
    assert_int_equal(v.n.skipped, 2); /* psk-matches, and machine-certificate of a PSK profile */
    assert_int_equal(v.missing[PART_REGISTRY], 2);
    assert_int_equal(v.missing[PART_OS_BUILD], 1);
    assert_int_equal(v.missing[PART_SERVICES], 1);
    assert_int_equal(v.missing[PART_SECRETS], 2);
    assert_int_equal(v.missing[PART_HISTORY], 1);
    assert_int_equal(v.missing[PART_PROBE], 5);
    assert_int_equal(v.inconclusive, 0);
    assert_int_equal(v.missing_st[PART_REGISTRY], L2F_ERR_UNSUPPORTED);
    char line[256], why[1024];
    verdict_headline(&v, line, sizeof line);
    assert_string_equal(
        line, "No problem found in the 4 checks made here; 12 could not be made here, 2 skipped.");
    verdict_unknowns(&v, "phonebook file: x.pbk (offline)", "vpn.example.com", why, sizeof why);
    assert_string_equal(
        why,
        "Not checked here: this backend (phonebook file: x.pbk (offline)) cannot see the registry "
        "(2 checks), the OS build (1), the IPsec services (1), the credential store (2), the "
        "connection history "
        "(1) or the server's answers (5).\n"
        "To check those: run l2tpfix on the Windows machine itself; `l2tpfix probe "
        "vpn.example.com` asks the server from here.\n");
    /* every stage but PPP has an unknown; none of them passes */
    for (int s = 0; s < STAGE_COUNT; s++)
        assert_int_equal(d.stages[s], s == STAGE_PPP ? CHECK_PASS : CHECK_UNKNOWN);
    /* a certificate profile: the computer's store is one more thing a file cannot show */
    o.profile.fields[PF_IPSEC_FLAGS] = 0;
    o.have_cert = o.cert_unsupported = true;
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.missing[PART_CERT_STORE], 1);
    assert_int_equal(v.missing_st[PART_CERT_STORE], L2F_ERR_UNSUPPORTED);
    verdict_unknowns(&v, "phonebook file: x.pbk (offline)", "vpn.example.com", why, sizeof why);
    assert_non_null(strstr(why, "the IPsec services (1), the computer's certificate store (1),"));
}

/* The probe the hint names runs with this run's options (its state directory). */
static void probe_hint_keeps_the_state_dir(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    offline_phonebook(&o);
    o.probe_hint = "l2tpfix --state-dir /tmp/s";
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    char why[1024];
    verdict_unknowns(&v, "phonebook file: x.pbk (offline)", "vpn.example.com", why, sizeof why);
    assert_non_null(
        strstr(why, "; `l2tpfix --state-dir /tmp/s probe vpn.example.com` asks the server from "
                    "here.\n"));
}

/* On Windows without elevation: the part is named with its own reason, and the hint is to elevate.
 */
static void a_part_refused_says_why(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    tu_healthy(&o);
    for (int r = 0; r < REGVAL_COUNT; r++)
        o.reg_st[r] = L2F_ERR_NEED_ADMIN;
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, &o, &v);
    assert_int_equal(v.kind, VERDICT_INCOMPLETE);
    assert_int_equal(v.missing[PART_REGISTRY], 2);
    char why[1024];
    verdict_unknowns(&v, "Windows (live)", "vpn.example.com", why, sizeof why);
    assert_string_equal(
        why, "Not checked: the registry not observed: administrator rights needed (2 checks).\n"
             "To check it: " L2F_HOW_TO_GET_RIGHTS ".\n");
}

static void stage_texts(void **state)
{
    (void)state;
    char buf[160];
    struct verdict_counts n = {.pass = 6, .skipped = 1};
    verdict_stage_text(&n, buf, sizeof buf);
    assert_string_equal(buf, "all 6 checks pass, 1 skipped");
    n = (struct verdict_counts){.pass = 1};
    verdict_stage_text(&n, buf, sizeof buf);
    assert_string_equal(buf, "1 check passes");
    n = (struct verdict_counts){.pass = 5, .unknown = 1};
    verdict_stage_text(&n, buf, sizeof buf);
    assert_string_equal(buf, "5 pass, 1 could not be checked here");
    n = (struct verdict_counts){.fail = 1, .warn = 2, .pass = 3, .unknown = 1, .skipped = 1};
    verdict_stage_text(&n, buf, sizeof buf);
    assert_string_equal(buf, "1 FAIL, 2 WARN, 3 pass, 1 could not be checked here, 1 skipped");
    /* a buffer too small is cut, terminated */
    char tiny[8];
    verdict_stage_text(&n, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

/* A running check keeps the verdict from "all pass" too (the checklist mid-run). */
static void running_is_not_all_pass(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    struct verdict v;
    tu_healthy(&o);
    o.have_probe = false;
    diagnose_evaluate(&o, &d);
    diagnosis_verdict(&d, NULL, &v);
    assert_int_equal(v.kind, VERDICT_INCOMPLETE);
    assert_true(v.n.running > 0);
    assert_int_equal(strcmp(verdict_id(VERDICT_ALL_PASS), "pass"), 0);
    assert_int_equal(strcmp(verdict_id(VERDICT_PROBLEMS), "problems"), 0);
    assert_int_equal(strcmp(verdict_id(VERDICT_INCOMPLETE), "incomplete"), 0);
}

/* The numbers in a stage's text add up to its rows. */
static int rows_told(const char *text)
{
    int sum = 0;
    for (const char *p = text; *p; p++)
        if (*p >= '0' && *p <= '9' && (p == text || p[-1] == ' ')) {
            int n = 0;
            while (*p >= '0' && *p <= '9')
                n = n * 10 + (*p++ - '0');
            sum += n;
            p--;
        }
    return sum;
}

/* Issue 15: a stage's text counts every row the stage lists when unfolded,
 * skipped and n/a ones named, whatever mix of results it holds. */
static void stage_text_counts_every_row(void **state)
{
    (void)state;
    unsigned seed = 15;
    for (int round = 0; round < 2000; round++) {
        struct diagnosis d;
        memset(&d, 0, sizeof d);
        for (int c = 0; c < CHECK_COUNT; c++) {
            seed = seed * 1103515245u + 12345u;
            unsigned pick = (seed >> 16) % 7;
            struct check_result *r = &d.checks[c];
            r->status = pick < 5 ? (enum check_status)pick : CHECK_UNKNOWN;
            r->not_applicable = pick >= 5;
            r->other_type = pick == 6;
        }
        for (int s = 0; s < STAGE_COUNT; s++) {
            int rows = 0;
            for (int c = 0; c < CHECK_COUNT; c++)
                rows += check_info((enum check_id)c)->stage == (enum stage_id)s;
            struct verdict_counts n;
            char text[160];
            verdict_stage_counts(&d, (enum stage_id)s, &n);
            verdict_stage_text(&n, text, sizeof text);
            if (rows_told(text) != rows)
                fail_msg("stage %s: '%s' tells %d rows of %d", stage_info((enum stage_id)s)->id,
                         text, rows_told(text), rows);
            if (n.skipped)
                assert_non_null(strstr(text, "skipped"));
            if (n.not_applicable)
                assert_non_null(strstr(text, "n/a"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_pass_with_a_skipped_check),
        cmocka_unit_test(one_unknown_is_incomplete),
        cmocka_unit_test(problems_win_over_unknowns),
        cmocka_unit_test(offline_phonebook_names_what_it_cannot_see),
        cmocka_unit_test(probe_hint_keeps_the_state_dir),
        cmocka_unit_test(a_part_refused_says_why),
        cmocka_unit_test(stage_texts),
        cmocka_unit_test(stage_text_counts_every_row),
        cmocka_unit_test(running_is_not_all_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
