/* Drift against a saved baseline: each drifted setting names the check that
 * judges it (a column of its table) and offers the fix that check offers now,
 * none where the diagnosis finds the new value harmless. */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "testutil.h"

static void healthy_with_registry(struct observations *o)
{
    tu_healthy(o);
    for (int r = 0; r < REGVAL_COUNT; r++)
        o->reg_st[r] = L2F_OK;
    o->reg_exists[REGVAL_NAT_TRAVERSAL] = false;
    for (int s = 0; s < SERVICE_COUNT; s++)
        o->svc_st[s] = L2F_OK;
}

/* Saves a baseline of before, checks after against it. */
static size_t drift_of(const struct observations *before, const struct observations *after,
                       struct drift *out, size_t max)
{
    char *text = NULL;
    struct l2f_err err;
    size_t n = 0;
    assert_int_equal(baseline_save(before, "pc-1", "test", "2026-12-02T00:00:00Z", &text), L2F_OK);
    assert_int_equal(baseline_check(text, "b.json", after, out, max, &n, &err), L2F_OK);
    free(text);
    return n;
}

static const struct drift *find(const struct drift *d, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].what, what) == 0)
            return &d[i];
    fail_msg("no drift of %s", what);
    return NULL;
}

static void harmful_drift_offers_the_checks_fix(void **state)
{
    (void)state;
    struct observations before, after;
    struct drift d[16];
    healthy_with_registry(&before);
    after = before;
    after.profile.fields[PF_AUTH_RESTRICTIONS] = AR_EAP;
    after.profile.fields[PF_LCP_EXTENSIONS] = 0;
    after.reg_exists[REGVAL_PROHIBIT_IPSEC] = true;
    after.reg[REGVAL_PROHIBIT_IPSEC] = 1;
    after.services[SVC_IKEEXT] = (struct service_status){SVC_STOPPED, SVC_START_DISABLED};
    size_t n = drift_of(&before, &after, d, 16);
    assert_int_equal(n, 4);
    const struct drift *ar = find(d, n, "AuthRestrictions");
    assert_int_equal(ar->check, CHECK_MSCHAPV2);
    assert_int_equal(ar->fix, FIX_MSCHAPV2);
    assert_int_equal(find(d, n, "LcpExtensions")->fix, FIX_LCP_EXTENSIONS);
    const struct drift *pi = find(d, n, "ProhibitIpSec");
    assert_int_equal(pi->check, CHECK_PROHIBIT_IPSEC);
    assert_int_equal(pi->fix, FIX_ALLOW_IPSEC);
    assert_string_equal(pi->was, "not set");
    const struct drift *svc = find(d, n, "IKEEXT start type");
    assert_int_equal(svc->check, CHECK_IPSEC_SERVICES);
    assert_int_equal(svc->fix, FIX_RESTART_IPSEC_SERVICES);
}

static void harmless_drift_offers_no_fix(void **state)
{
    (void)state;
    struct observations before, after;
    struct drift d[16];
    healthy_with_registry(&before);
    after = before;
    after.profile.fields[PF_AUTH_RESTRICTIONS] =
        AR_MSCHAP2 | AR_CHAP | AR_PAP;                      /* MS-CHAP v2 still allowed */
    after.profile.fields[PF_LCP_EXTENSIONS] = 2;            /* still on */
    after.profile.fields[PF_DATA_ENCRYPTION] = 0;           /* no check judges it */
    after.services[SVC_RASMAN].start_type = SVC_START_AUTO; /* no check needs it */
    size_t n = drift_of(&before, &after, d, 16);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        if (d[i].fix != FIX_NONE)
            fail_msg("%s: %s -> %s offers %s", d[i].what, d[i].was, d[i].now,
                     fix_info(d[i].fix)->id);
    assert_int_equal(find(d, n, "DataEncryption")->check, CHECK_COUNT);
    assert_int_equal(find(d, n, "RasMan start type")->check, CHECK_COUNT);
    assert_int_equal(find(d, n, "AuthRestrictions")->check, CHECK_MSCHAPV2);
}

static void no_drift_right_after_saving(void **state)
{
    (void)state;
    struct observations o;
    struct drift d[4];
    healthy_with_registry(&o);
    assert_int_equal(drift_of(&o, &o, d, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(harmful_drift_offers_the_checks_fix),
        cmocka_unit_test(harmless_drift_offers_no_fix),
        cmocka_unit_test(no_drift_right_after_saving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
