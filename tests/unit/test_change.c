/* What a person reads before saying yes: exact, and never a secret. */
#include <string.h>

#include "change.h"
#include "testutil.h"
#include "winsettings.h"

static void describe(const struct change *c, const char *want)
{
    char buf[600];
    change_describe(c, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void every_kind_described(void **state)
{
    (void)state;
    struct change c = {.kind = CHG_PROFILE_FIELD,
                       .target = "Office VPN",
                       .field = "AuthRestrictions",
                       .before_set = true,
                       .after_set = true,
                       .before = 128,
                       .after = 512};
    describe(&c, "Office VPN: AuthRestrictions 128 (EAP) -> 512 (MS-CHAP v2)");
    c = (struct change){.kind = CHG_PROFILE_FIELD,
                        .target = "P",
                        .field = "VpnStrategy",
                        .before_set = true,
                        .before = 7,
                        .after = 3};
    describe(&c, "P: VpnStrategy 7 (IKEv2) -> 3 (L2TP/IPsec)");
    c = (struct change){.kind = CHG_PROFILE_FIELD,
                        .target = "P",
                        .field = "LcpExtensions",
                        .before_set = true,
                        .before = 0,
                        .after = 1};
    describe(&c, "P: LcpExtensions 0 (off) -> 1 (on)");
    /* a phonebook entry without the key: undo removes the line again */
    c = (struct change){.kind = CHG_PROFILE_FIELD,
                        .target = "P",
                        .field = "AuthRestrictions",
                        .before = 0,
                        .after = 512};
    describe(&c, "P: AuthRestrictions absent, read as 0 (none) -> 512 (MS-CHAP v2)");
    c = (struct change){.kind = CHG_REGISTRY_DWORD,
                        .target = "HKEY_LOCAL_MACHINE\\K",
                        .field = "V",
                        .before_set = false,
                        .after_set = true,
                        .after = 2};
    describe(&c, "HKEY_LOCAL_MACHINE\\K\\V (DWORD): not set -> 2");
    c = (struct change){.kind = CHG_SERVICE_START,
                        .target = "IKEEXT",
                        .before = SVC_START_DISABLED,
                        .after = SVC_START_MANUAL};
    describe(&c, "service IKEEXT start type: Disabled -> Manual");
    c = (struct change){
        .kind = CHG_SERVICE_STATE, .target = "IKEEXT", .before = SVC_STOPPED, .after = SVC_RUNNING};
    describe(&c, "service IKEEXT: stopped -> running");
    c = (struct change){
        .kind = CHG_SERVICE_STATE, .target = "IKEEXT", .before = SVC_RUNNING, .after = SVC_RUNNING};
    describe(&c, "service IKEEXT: running -> restarted");
    c = (struct change){
        .kind = CHG_SECRET, .target = "P", .field = "psk", .before_set = true, .after_set = true};
    describe(&c, "P: pre-shared key saved -> the one you type");
    c = (struct change){.kind = CHG_SECRET,
                        .target = "P",
                        .field = "password",
                        .user_before = "",
                        .user_after = "bob"};
    describe(&c, "P: user name '(none)' -> 'bob', password none saved -> the one you type");
}

static void kinds_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < CHANGE_KIND_COUNT; k++)
        assert_int_equal(change_kind_from_id(change_kind_id((enum change_kind)k)), k);
    assert_int_equal(change_kind_from_id("nope"), CHANGE_KIND_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_described),
        cmocka_unit_test(kinds_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
