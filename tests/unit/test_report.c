/* The check --json document: the contract scripts parse. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "report.h"
#include "testutil.h"
#include "verdict.h"

static cJSON *check_json(const char *scenario, const char *profile)
{
    struct backend be;
    tu_open_demo(&be, scenario);
    struct observations obs;
    struct diagnosis d;
    struct l2f_err err = {{0}};
    assert_int_equal(diagnose_all(&be, profile, &obs, &d, &err), L2F_OK);
    char *text;
    struct verdict v;
    diagnosis_verdict(&d, &obs, &v);
    assert_int_equal(report_check_json(profile, be.ops->describe(&be), &d, &v, NULL, &text),
                     L2F_OK);
    be.ops->close(&be);
    cJSON *root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    return root;
}

static const cJSON *find_check(const cJSON *root, const char *stage, const char *id)
{
    const cJSON *s, *c;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "stages"))
    {
        if (strcmp(cJSON_GetObjectItem(s, "id")->valuestring, stage) != 0)
            continue;
        cJSON_ArrayForEach(
            c,
            cJSON_GetObjectItem(s, "checks")) if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring,
                                                         id) == 0) return c;
    }
    return NULL;
}

static void classic_789_document(void **state)
{
    (void)state;
    cJSON *root = check_json("classic-789", "Office VPN");
    assert_string_equal(cJSON_GetObjectItem(root, "profile")->valuestring, "Office VPN");
    assert_non_null(strstr(cJSON_GetObjectItem(root, "backend")->valuestring, "classic-789"));
    const cJSON *stages = cJSON_GetObjectItem(root, "stages");
    assert_int_equal(cJSON_GetArraySize(stages), 4);
    static const char *const order[] = {"tunnel", "ipsec", "ppp", "auth"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(stages, i), "id")->valuestring,
                            order[i]);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(stages, 2), "status")->valuestring,
                        "fail");
    const cJSON *m = find_check(root, "ppp", "mschapv2");
    assert_non_null(m);
    assert_string_equal(cJSON_GetObjectItem(m, "status")->valuestring, "fail");
    assert_string_equal(cJSON_GetObjectItem(m, "fix")->valuestring, "mschapv2");
    assert_non_null(strstr(cJSON_GetObjectItem(m, "summary")->valuestring, "AuthRestrictions=128"));
    const cJSON *v = find_check(root, "tunnel", "vpn-type");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "fix")));
    const cJSON *fixes = cJSON_GetObjectItem(root, "fixes");
    assert_int_equal(cJSON_GetArraySize(fixes), 2);
    assert_string_equal(cJSON_GetArrayItem(fixes, 0)->valuestring, "mschapv2");
    assert_string_equal(cJSON_GetArrayItem(fixes, 1)->valuestring, "lcp-extensions");
    /* every check of the model is in the document exactly once */
    int n = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, stages) n += cJSON_GetArraySize(cJSON_GetObjectItem(s, "checks"));
    assert_int_equal(n, CHECK_COUNT);
    cJSON_Delete(root);
}

static void secrets_absent(void **state)
{
    (void)state;
    cJSON *root = check_json("classic-789", "Office VPN");
    char *text = cJSON_PrintUnformatted(root);
    assert_null(strstr(text, "correct-horse-battery"));
    assert_null(strstr(text, "Winter-2026"));
    cJSON_free(text);
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_789_document),
        cmocka_unit_test(secrets_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
