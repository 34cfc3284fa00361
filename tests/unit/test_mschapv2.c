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
        {"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", "ba2427ba71eacb697e51bde2f3f031cc"},
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md4_known_answers),
        cmocka_unit_test(rfc2759_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
