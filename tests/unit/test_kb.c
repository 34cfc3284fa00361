/* The error-code table: sorted, complete for the codes the brief names, and
 * honest about 789's two families. */
#include <string.h>

#include "kb.h"
#include "testutil.h"

static void table_sorted_and_unique(void **state)
{
    (void)state;
    size_t n;
    const struct kb_entry *t = kb_table(&n);
    assert_true(n >= 20);
    for (size_t i = 1; i < n; i++)
        assert_true(t[i - 1].code < t[i].code);
    for (size_t i = 0; i < n; i++) {
        assert_true(strncmp(t[i].name, "ERROR_", 6) == 0);
        assert_true(strlen(t[i].message) > 20);
        assert_true(strlen(t[i].causes) > 20);
        assert_true((unsigned)t[i].stage < STAGE_COUNT);
        for (int k = 0; k < KB_MAX_FIXES && t[i].fixes[k] != FIX_NONE; k++)
            assert_true((unsigned)t[i].fixes[k] < FIX_COUNT);
    }
}

static void known_codes(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
        enum stage_id stage;
    } want[] = {
        {868, "ERROR_DNSNAME_NOT_RESOLVABLE", STAGE_TUNNEL}, {809, "ERROR_VPN_TIMEOUT", STAGE_TUNNEL},
        {800, "ERROR_AUTOMATIC_VPN_FAILED", STAGE_TUNNEL},   {827, "ERROR_IPSEC_SERVICE_STOPPED", STAGE_IPSEC},
        {788, "ERROR_OAKLEY_ATTRIB_FAIL", STAGE_IPSEC},      {787, "ERROR_OAKLEY_AUTH_FAIL", STAGE_IPSEC},
        {789, "ERROR_OAKLEY_GENERAL_PROCESSING", STAGE_IPSEC}, {734, "ERROR_PPP_LCP_TERMINATED", STAGE_PPP},
        {691, "ERROR_AUTHENTICATION_FAILURE", STAGE_AUTH},   {812, "ERROR_SERVER_POLICY", STAGE_AUTH},
        {619, "ERROR_PORT_DISCONNECTED", STAGE_TUNNEL},      {766, "ERROR_NO_CERTIFICATE", STAGE_IPSEC},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct kb_entry *e = kb_lookup(want[i].code);
        assert_non_null(e);
        assert_string_equal(e->name, want[i].name);
        assert_int_equal(e->stage, want[i].stage);
    }
    assert_null(kb_lookup(0));
    assert_null(kb_lookup(12345));
}

static void code_789_names_both_families(void **state)
{
    (void)state;
    const struct kb_entry *e = kb_lookup(789);
    assert_non_null(e);
    assert_non_null(strstr(e->causes, "pre-shared key"));
    assert_non_null(strstr(e->causes, "MS-CHAP v2"));
    assert_non_null(strstr(e->causes, "LCP extensions"));
    /* the guide's two fixes come first */
    assert_int_equal(e->fixes[0], FIX_MSCHAPV2);
    assert_int_equal(e->fixes[1], FIX_LCP_EXTENSIONS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_sorted_and_unique),
        cmocka_unit_test(known_codes),
        cmocka_unit_test(code_789_names_both_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
