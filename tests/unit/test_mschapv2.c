/* MS-CHAP v2 on RFC 2759's own example (section 9.2) and MD4 on RFC 1320's
 * test suite plus a 64-byte message (one whole block and a padding block),
 * checked against `openssl md4 -provider legacy`. */
#include <stdio.h>
#include <string.h>

#include "net/ikecrypto.h"
#include "net/mschapv2.h"
#include "testutil.h"

static void md4_known_answers(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
        {"abc", "a448017aaf21d8525fc10ae87aa6729d"},
        {"message digest", "d9130a8164549fe818874806e1c7014b"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "e33b4ddc9c38f2199c3e7b164fcc0536"},
        {"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
         "ba2427ba71eacb697e51bde2f3f031cc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t got[16], want[16];
        md4((const uint8_t *)cases[i].in, strlen(cases[i].in), got);
        tu_hex(cases[i].out, want);
        assert_memory_equal(got, want, 16);
    }
}

static void rfc2759_example(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t auth[16], peer[16], nt[24], want[24];
    tu_hex("5B5D7C7D7B3F2F3E3C2C602132262628", auth);
    tu_hex("21402324255E262A28295F2B3A337C7E", peer);
    assert_true(mschapv2_nt_response(auth, peer, "User", "clientPass", nt));
    tu_hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", want);
    assert_memory_equal(nt, want, 24);
    char resp[MSCHAPV2_AUTH_RESPONSE_LEN + 1];
    assert_true(mschapv2_authenticator_response("clientPass", nt, peer, auth, "User", resp));
    assert_string_equal(resp, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
    /* a domain prefix is not hashed (RFC 2759 8.2): same answer */
    assert_true(mschapv2_nt_response(auth, peer, "HUB\\User", "clientPass", nt));
    assert_memory_equal(nt, want, 24);
    /* another password, another response */
    assert_true(mschapv2_nt_response(auth, peer, "User", "clientPasS", nt));
    assert_memory_not_equal(nt, want, 24);
    /* invalid UTF-8 is refused rather than hashed as something else */
    assert_false(mschapv2_nt_response(auth, peer, "User", "bad\xff", nt));
}

/* The Success message: exactly "S=" and 40 hex digits (41 bytes is short),
 * then its end or a space and more; either case of hex. */
static void success_message_at_limits(void **state)
{
    (void)state;
    char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1] = "S=0123456789ABCDEF0123456789ABCDEF01234567";
    uint8_t msg[64];
    memcpy(msg, want, 42);
    memcpy(msg + 42, " M=ok", 5);
    assert_false(mschapv2_success_verifies(msg, 41, want));
    assert_true(mschapv2_success_verifies(msg, 42, want));
    assert_true(mschapv2_success_verifies(msg, 43, want));
    assert_true(mschapv2_success_verifies(msg, 47, want));
    msg[42] = 'X'; /* 43 bytes that do not end the authenticator */
    assert_false(mschapv2_success_verifies(msg, 43, want));
    msg[42] = ' ';
    msg[12] = 'a'; /* lower case is the same digit */
    assert_true(mschapv2_success_verifies(msg, 42, want));
    msg[13] = 'C';
    assert_false(mschapv2_success_verifies(msg, 42, want));
    assert_false(mschapv2_success_verifies((const uint8_t *)"S=", 2, want));
    assert_false(mschapv2_success_verifies(msg, 0, want));
}

/* The Failure message: each field at its limits, what is malformed left at its default. */
static void failure_message_at_limits(void **state)
{
    (void)state;
    struct mschapv2_failure f;
    static const char full[] = "E=691 R=1 C=000102030405060708090A0B0C0D0E0F V=3 M=Access denied";
    mschapv2_parse_failure((const uint8_t *)full, sizeof full - 1, &f);
    assert_int_equal(f.error, 691);
    assert_true(f.retry);
    assert_true(f.has_challenge);
    assert_int_equal(f.challenge[15], 0x0f);
    assert_int_equal(f.version, 3);
    assert_string_equal(f.message, "Access denied");
    /* E= with 5 digits, 6 (too many: the default), none, cut at the packet's end */
    mschapv2_parse_failure((const uint8_t *)"E=99999", 7, &f);
    assert_int_equal(f.error, 99999);
    mschapv2_parse_failure((const uint8_t *)"E=649999", 8, &f);
    assert_int_equal(f.error, 691);
    mschapv2_parse_failure((const uint8_t *)"E=", 2, &f);
    assert_int_equal(f.error, 691);
    mschapv2_parse_failure((const uint8_t *)"E=647 R=0", 4, &f); /* only "E=64" is the packet's */
    assert_int_equal(f.error, 64);
    mschapv2_parse_failure((const uint8_t *)"E=0", 3, &f);
    assert_int_equal(f.error, 691);
    /* C= with 31, 32, 33 hex digits */
    char c[64];
    for (size_t digits = 31; digits <= 33; digits++) {
        size_t l = (size_t)snprintf(c, sizeof c, "C=%.*s", (int)digits,
                                    "0123456789abcdef0123456789abcdef0");
        mschapv2_parse_failure((const uint8_t *)c, l, &f);
        assert_int_equal(f.has_challenge, digits == 32);
    }
    memcpy(c, "C=0123456789abcdef0123456789abcdeg", 34); /* not hex */
    mschapv2_parse_failure((const uint8_t *)c, 34, &f);
    assert_false(f.has_challenge);
    /* M= of 62, 63, 64 characters: 63 fit */
    char m[80];
    for (size_t len = 62; len <= 64; len++) {
        memset(m, 'm', sizeof m);
        memcpy(m, "M=", 2);
        mschapv2_parse_failure((const uint8_t *)m, 2 + len, &f);
        assert_int_equal(strlen(f.message), len < 63 ? len : 63);
    }
    /* nothing at all, and a message with control characters */
    mschapv2_parse_failure(NULL, 0, &f);
    assert_int_equal(f.error, 691);
    assert_string_equal(f.message, "");
    mschapv2_parse_failure((const uint8_t *)"M=a\x1b[2Jb", 8, &f);
    assert_string_equal(f.message, "a[2Jb");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md4_known_answers),
        cmocka_unit_test(rfc2759_example),
        cmocka_unit_test(success_message_at_limits),
        cmocka_unit_test(failure_message_at_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
