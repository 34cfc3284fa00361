/* The PowerShell script: a hostile profile name stays inside its literal
 * (checked with a reader of PowerShell's single-quoted strings written
 * here, from the language's rules), the script around it does not depend on
 * the name at all, and each fix brings its step and no other. */
#include <stdlib.h>
#include <string.h>

#include "psscript.h"
#include "testutil.h"

/* Length of the UTF-8 single quote at p that PowerShell recognises (' or
 * U+2018..U+201B), or 0. */
static size_t quote_at(const unsigned char *p)
{
    if (*p == '\'')
        return 1;
    if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b)
        return 3;
    return 0;
}

/* Reads a single-quoted literal at s: its value into out, the bytes it
 * spans as the result (0 when it never ends). A quote followed by another
 * quote is one quote of the value; any other quote ends it. */
static size_t read_literal(const char *s, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = quote_at(p), o = 0;
    assert_true(n > 0);
    for (;;) {
        if (!p[n])
            return 0;
        size_t q = quote_at(p + n);
        if (q) {
            size_t q2 = quote_at(p + n + q);
            if (!q2) {
                out[o] = '\0';
                return n + q;
            }
            memcpy(out + o, p + n, q);
            o += q;
            n += q + q2;
            continue;
        }
        out[o++] = (char)p[n++];
    }
}

static const char *const hostile[] = {
    "Office VPN",
    "it's",
    "'; Remove-Item C:\\ -Recurse; '",
    "\xe2\x80\x98smart\xe2\x80\x99 quotes \xe2\x80\x9a\xe2\x80\x9b",
    "$(Invoke-Expression 'calc') `whoami` ${env:PATH}",
    "line one\r\nRemove-Item C:\\\n# and a comment",
    "\"double\" @'here'@ ''",
    "trailing quote'",
};

static void quoting_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char q[512], back[512];
        assert_true(ps_quote(hostile[i], q, sizeof q));
        size_t used = read_literal(q, back);
        assert_int_equal(used, strlen(q)); /* the literal ends exactly where the quoting ends */
        assert_string_equal(back, hostile[i]);
    }
    char tiny[4];
    assert_false(ps_quote("abcdef", tiny, sizeof tiny));
}

/* The script with the name's literal cut out. */
static char *without_name(const char *script)
{
    const char *at = strstr(script, "$Name = ");
    assert_non_null(at);
    at += strlen("$Name = ");
    char value[512];
    size_t used = read_literal(at, value);
    assert_true(used > 0);
    size_t head = (size_t)(at - script);
    char *rest = malloc(strlen(script) + 1);
    assert_non_null(rest);
    memcpy(rest, script, head);
    strcpy(rest + head, at + used);
    return rest;
}

static void the_name_cannot_escape(void **state)
{
    (void)state;
    enum fix_id all[FIX_COUNT];
    for (int f = 0; f < FIX_COUNT; f++)
        all[f] = (enum fix_id)f;
    struct l2f_err err;
    char *benign;
    assert_int_equal(ps_script("Office VPN", PHONEBOOK_ALLUSERS, all, FIX_COUNT, "1.0", &benign, &err), L2F_OK);
    char *benign_rest = without_name(benign);
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *s;
        assert_int_equal(ps_script(hostile[i], PHONEBOOK_ALLUSERS, all, FIX_COUNT, "1.0", &s, &err), L2F_OK);
        char *rest = without_name(s);
        /* everything outside the literal is the same for every name */
        assert_string_equal(rest, benign_rest);
        free(rest);
        free(s);
    }
    free(benign_rest);
    free(benign);
}

static void steps_follow_the_fixes(void **state)
{
    (void)state;
    struct l2f_err err;
    char *s;
    enum fix_id two[] = {FIX_LCP_EXTENSIONS, FIX_MSCHAPV2};
    assert_int_equal(ps_script("X", PHONEBOOK_USER, two, 2, "1.0", &s, &err), L2F_OK);
    /* the model's order, whatever the caller's */
    char *m = strstr(s, "# mschapv2:"), *l = strstr(s, "# lcp-extensions:");
    assert_non_null(m);
    assert_non_null(l);
    assert_true(m < l);
    assert_null(strstr(s, "# nat-traversal:"));
    assert_null(strstr(s, "AllUserConnection"));
    assert_non_null(strstr(s, "$env:APPDATA"));
    assert_non_null(strstr(s, "SupportsShouldProcess"));
    free(s);
    enum fix_id psk[] = {FIX_USE_PSK, FIX_NAT_TRAVERSAL};
    assert_int_equal(ps_script("X", PHONEBOOK_ALLUSERS, psk, 2, "1.0", &s, &err), L2F_OK);
    /* the key is a parameter, checked before anything changes */
    char *check = strstr(s, "if (-not $L2tpPsk) { throw"), *first_change = strstr(s, "Set-VpnConnection");
    assert_non_null(check);
    assert_true(check < first_change);
    assert_non_null(strstr(s, "reg.exe export 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent'"));
    assert_non_null(strstr(s, "$Common.AllUserConnection = $true"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_round_trips),
        cmocka_unit_test(the_name_cannot_escape),
        cmocka_unit_test(steps_follow_the_fixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
