/* The key check's primitives on known answers: the HMAC test cases of RFC 2202
 * and RFC 4231, Diffie-Hellman agreement both ways, CBC round trips. */
#include <stdio.h>
#include <string.h>

#include "net/ike.h"
#include "net/ikecrypto.h"
#include "testutil.h"

static void hmac_known_answers(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t key[20], out[32], want[32];
    memset(key, 0x0b, sizeof key);
    assert_true(ikec_prf(IKE_HASH_SHA1, key, 20, (const uint8_t *)"Hi There", 8, out));
    tu_hex("b617318655057264e28bc0b6fb378c8ef146be00", want);
    assert_memory_equal(out, want, 20);
    assert_true(ikec_prf(IKE_HASH_SHA256, key, 20, (const uint8_t *)"Hi There", 8, out));
    tu_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want);
    assert_memory_equal(out, want, 32);
    assert_int_equal(ikec_hash_len(IKE_HASH_SHA1), 20);
    assert_int_equal(ikec_hash_len(7), 0);
}

static void dh_agrees_both_ways(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    static const struct {
        uint16_t group;
        size_t pub, secret;
    } groups[] = {{IKE_GROUP_MODP1024, 128, 128},
                  {IKE_GROUP_MODP2048, 256, 256},
                  {IKE_GROUP_ECP256, 64, 32}, /* x | y, the secret x alone (RFC 5903) */
                  {IKE_GROUP_ECP384, 96, 48}};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        uint16_t grp = groups[g].group;
        size_t n = ikec_dh_len(grp);
        assert_int_equal(n, groups[g].pub);
        assert_int_equal(ikec_dh_secret_len(grp), groups[g].secret);
        uint8_t pa[IKEC_MAX_DH], pb[IKEC_MAX_DH], sa[IKEC_MAX_DH], sb[IKEC_MAX_DH];
        void *a, *b;
        assert_true(ikec_dh_keypair(grp, &a, pa));
        assert_true(ikec_dh_keypair(grp, &b, pb));
        assert_true(ikec_dh_shared(grp, a, pb, sa));
        assert_true(ikec_dh_shared(grp, b, pa, sb));
        assert_memory_equal(sa, sb, groups[g].secret);
        assert_memory_not_equal(pa, pb, n);
        /* MODP: a peer value of 1 pins the secret; ECP: (0, 1) is not on the curve */
        uint8_t one[IKEC_MAX_DH] = {0};
        one[n - 1] = 1;
        assert_false(ikec_dh_shared(grp, a, one, sa));
        /* a point moved off the curve is refused, not multiplied */
        if (n != groups[g].secret) {
            memcpy(one, pb, n);
            one[n - 1] ^= 1;
            assert_false(ikec_dh_shared(grp, a, one, sa));
        }
        /* a key made for one group is not used with another */
        assert_false(ikec_dh_shared(groups[(g + 1) % 4].group, a, pb, sa));
        ikec_dh_free(a);
        ikec_dh_free(b);
    }
    void *x;
    uint8_t pub[IKEC_MAX_DH];
    assert_false(ikec_dh_keypair(5, &x, pub)); /* MODP 1536: not computed here */
    assert_null(x);
}

static void cbc_round_trips(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t key[32], iv[16], plain[64], enc[64], dec[64];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)i;
    memset(iv, 0x42, sizeof iv);
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)(i * 7);
    static const struct {
        uint16_t enc, bits;
        size_t key, block;
    } ciphers[] = {
        {IKE_ENC_AES_CBC, 256, 32, 16}, {IKE_ENC_AES_CBC, 128, 16, 16}, {IKE_ENC_3DES, 0, 24, 8}};
    for (size_t c = 0; c < 3; c++) {
        assert_int_equal(ikec_key_len(ciphers[c].enc, ciphers[c].bits), ciphers[c].key);
        assert_int_equal(ikec_block_len(ciphers[c].enc), ciphers[c].block);
        assert_true(ikec_cbc(ciphers[c].enc, ciphers[c].bits, key, iv, plain, 64, enc, true));
        assert_memory_not_equal(plain, enc, 64);
        assert_true(ikec_cbc(ciphers[c].enc, ciphers[c].bits, key, iv, enc, 64, dec, false));
        assert_memory_equal(plain, dec, 64);
        /* no padding: a partial block is refused */
        assert_false(ikec_cbc(ciphers[c].enc, ciphers[c].bits, key, iv, plain, 60, enc, true));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hmac_known_answers),
        cmocka_unit_test(dh_agrees_both_ways),
        cmocka_unit_test(cbc_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
