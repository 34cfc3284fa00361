/* IKEv1's key schedule on known answers. The expected values were computed
 * apart from this code, with Python's hmac and hashlib and the openssl
 * command (AES-CBC), from the inputs below; see the note in each test. */
#include <stdio.h>
#include <string.h>

#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikekeys.h"
#include "testutil.h"

static void expect(const uint8_t *got, const char *want_hex)
{
    uint8_t want[128];
    size_t n = strlen(want_hex) / 2;
    tu_hex(want_hex, want);
    assert_memory_equal(got, want, n);
}

/* Ni = 00..1f, Nr = 80..9f, g^xy = (i * 3) mod 256 for 128 bytes,
 * CKY-I = 01..08, CKY-R = 11..18, the key "LabPsk-123". */
struct inputs {
    uint8_t ni[32], nr[32], gxy[128], icky[8], rcky[8];
};

static void fill(struct inputs *in)
{
    for (int i = 0; i < 32; i++) {
        in->ni[i] = (uint8_t)i;
        in->nr[i] = (uint8_t)(0x80 + i);
    }
    for (int i = 0; i < 128; i++)
        in->gxy[i] = (uint8_t)(i * 3);
    for (int i = 0; i < 8; i++) {
        in->icky[i] = (uint8_t)(1 + i);
        in->rcky[i] = (uint8_t)(0x11 + i);
    }
}

static void skeyid_family(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct inputs in;
    fill(&in);
    static const struct {
        uint16_t hash;
        const char *skeyid, *d, *a, *e;
    } cases[] = {
        {IKE_HASH_SHA1, "4858c9a9a244523f648695ce2b4451025c198dda",
         "187d89c4160f29a170a0f1be47e7302b6896988e", "0f7c5b0416c4d8a6c31bbe7dc0ebe9ad2b9fc4f4",
         "b6e36e5c1f846cc6d2ef0d775436fd789baedc72"},
        {IKE_HASH_SHA256, "210262ad6005cb05afeb45fbc713abddca27be23341653c1d1a86af28f0cbde6",
         "0bc6e293415da3f8937a8a88c08a0e30d301471b576c17a9818a95b0b4b1c4ea",
         "d0b62ca88340c9f460fdf0a70572be910282c3610c579df745daec5a29d7424b",
         "fed87fa7ecff4db3bbdc592072f68af1c3f9441568a4f40b46b27539f5696910"},
    };
    for (size_t c = 0; c < 2; c++) {
        uint8_t skeyid[32], d[32], a[32], e[32];
        assert_true(ikek_skeyid_psk(cases[c].hash, (const uint8_t *)"LabPsk-123", 10, in.ni, 32,
                                    in.nr, 32, skeyid));
        expect(skeyid, cases[c].skeyid);
        assert_true(ikek_skeyid_children(cases[c].hash, skeyid, in.gxy, sizeof in.gxy, in.icky,
                                         in.rcky, d, a, e));
        expect(d, cases[c].d);
        expect(a, cases[c].a);
        expect(e, cases[c].e);
    }
    uint8_t out[32];
    assert_false(
        ikek_skeyid_psk(7, (const uint8_t *)"k", 1, in.ni, 32, in.nr, 32, out)); /* no such hash */
}

/* Appendix B: AES-256 and 3DES need more than SHA1's 20 bytes; SHA-256's 32
 * are enough for AES-256 and are taken as they are. */
static void cipher_key_expansion(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t e1[20], e256[32], key[64];
    tu_hex("b6e36e5c1f846cc6d2ef0d775436fd789baedc72", e1);
    tu_hex("fed87fa7ecff4db3bbdc592072f68af1c3f9441568a4f40b46b27539f5696910", e256);
    assert_true(ikek_cipher_key(IKE_HASH_SHA1, e1, 32, key));
    expect(key, "8a347f1b828e9c2b58bb8054e73be9e0d1658069186640be3357ca2cd7706060");
    assert_true(ikek_cipher_key(IKE_HASH_SHA1, e1, 24, key));
    expect(key, "8a347f1b828e9c2b58bb8054e73be9e0d1658069186640be");
    assert_true(ikek_cipher_key(IKE_HASH_SHA1, e1, 16, key)); /* AES-128: a prefix, no expansion */
    expect(key, "b6e36e5c1f846cc6d2ef0d775436fd78");
    assert_true(ikek_cipher_key(IKE_HASH_SHA256, e256, 32, key));
    expect(key, "fed87fa7ecff4db3bbdc592072f68af1c3f9441568a4f40b46b27539f5696910");
    assert_false(ikek_cipher_key(IKE_HASH_SHA1, e1, 65, key));
}

/* g^xi = (5i + 1), g^xr = (7i + 2) mod 256 for 128 bytes; the first IV,
 * MM5-like plaintext 40..5f under key 00..1f (AES-256-CBC), then the IV of
 * Quick Mode with M-ID 1234abcd from the last cipher block. */
static void iv_chaining(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t gxi[128], gxr[128], iv[16], key[32], plain[32], ct[32], ivqm[16];
    for (int i = 0; i < 128; i++) {
        gxi[i] = (uint8_t)(i * 5 + 1);
        gxr[i] = (uint8_t)(i * 7 + 2);
    }
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)i;
        plain[i] = (uint8_t)(0x40 + i);
    }
    assert_true(ikek_phase1_iv(IKE_HASH_SHA1, gxi, 128, gxr, 128, 16, iv));
    expect(iv, "f7b477a26073d551107a08752b807156");
    assert_true(
        ikek_phase1_iv(IKE_HASH_SHA1, gxi, 128, gxr + 1, 127, 16, iv)); /* g^xr sent a byte short */
    expect(iv, "65b445200f6a9a922269ea23389cbae6");
    assert_true(ikek_phase1_iv(IKE_HASH_SHA1, gxi, 128, gxr, 128, 8,
                               iv)); /* 3DES: 8 bytes of the same hash */
    expect(iv, "f7b477a26073d551");
    assert_true(ikek_phase1_iv(IKE_HASH_SHA1, gxi, 128, gxr, 128, 16, iv));
    assert_true(ikec_cbc(IKE_ENC_AES_CBC, 256, key, iv, plain, 32, ct, true));
    expect(ct, "1267ea7c80563784764158f2fc8cb590cba7bf1a91be21909d68a54e37b666ac");
    assert_true(ikek_message_iv(IKE_HASH_SHA1, ct + 16, 16, 0x1234abcd, ivqm));
    expect(ivqm, "2c594c13935140172a0d10d21792b4b2");
}

/* KEYMAT for ESP (protocol 3), SPI c1dbf9e4: 52 bytes = AES-256 + HMAC-SHA1 keys, three prf blocks.
 */
static void keymat(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct inputs in;
    fill(&in);
    static const uint8_t spi[4] = {0xc1, 0xdb, 0xf9, 0xe4};
    uint8_t d1[20], d256[32], out[128];
    tu_hex("187d89c4160f29a170a0f1be47e7302b6896988e", d1);
    tu_hex("0bc6e293415da3f8937a8a88c08a0e30d301471b576c17a9818a95b0b4b1c4ea", d256);
    assert_true(ikek_keymat(IKE_HASH_SHA1, d1, 3, spi, in.ni, 32, in.nr, 32, out, 52));
    expect(out, "dc4cf03c8b2a1b93d9ac5cd54599d1dabdb5516937dfe9b1fab3fb89839aa2b7e1ad10a9b04c26638c"
                "28f7cd832e7e86d1e67c40");
    assert_true(ikek_keymat(IKE_HASH_SHA256, d256, 3, spi, in.ni, 32, in.nr, 32, out, 52));
    expect(out, "5be58d0b46204c1ae2db3f4be355ce96cb69b971164d6b55734eb351cc0685a28552a60e211c5032ef"
                "65c83ae89738715cd4ec07");
    /* the other direction's SPI gives other keys */
    uint8_t other[52];
    static const uint8_t spi2[4] = {0x0b, 0x87, 0x0b, 0xce};
    assert_true(ikek_keymat(IKE_HASH_SHA1, d1, 3, spi2, in.ni, 32, in.nr, 32, other, 52));
    assert_true(ikek_keymat(IKE_HASH_SHA1, d1, 3, spi, in.ni, 32, in.nr, 32, out, 52));
    assert_memory_not_equal(other, out, 52);
    assert_false(ikek_keymat(IKE_HASH_SHA1, d1, 3, spi, in.ni, 32, in.nr, 32, out, 129));
}

/* Nonces of 8 to 256 bytes each (RFC 2409 5): both functions that take them
 * whole work at 256 + 256, matching the chain computed here by hand, and
 * refuse 257 rather than overrun. */
static void nonces_at_their_limits(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    static uint8_t ni[IKE_NONCE_MAX + 1], nr[IKE_NONCE_MAX + 1], seed[5 + 2 * IKE_NONCE_MAX + 20];
    memset(ni, 0xa5, sizeof ni);
    memset(nr, 0x5a, sizeof nr);
    static const uint8_t spi[4] = {0xc1, 0xdb, 0xf9, 0xe4};
    uint8_t d[20], out[128], k1[20], k2[20];
    memset(d, 0x33, sizeof d);
    assert_true(
        ikek_keymat(IKE_HASH_SHA1, d, 3, spi, ni, IKE_NONCE_MAX, nr, IKE_NONCE_MAX, out, 40));
    seed[0] = 3;
    memcpy(seed + 1, spi, 4);
    memcpy(seed + 5, ni, IKE_NONCE_MAX);
    memcpy(seed + 5 + IKE_NONCE_MAX, nr, IKE_NONCE_MAX);
    size_t sl = 5 + 2 * IKE_NONCE_MAX;
    assert_true(ikec_prf(IKE_HASH_SHA1, d, 20, seed, sl, k1));
    static uint8_t chained[20 + 5 + 2 * IKE_NONCE_MAX];
    memcpy(chained, k1, 20);
    memcpy(chained + 20, seed, sl);
    assert_true(ikec_prf(IKE_HASH_SHA1, d, 20, chained, 20 + sl, k2));
    assert_memory_equal(out, k1, 20);
    assert_memory_equal(out + 20, k2, 20);
    assert_false(ikek_keymat(IKE_HASH_SHA1, d, 3, spi, ni, IKE_NONCE_MAX + 1, nr, 8, out, 40));
    assert_false(ikek_keymat(IKE_HASH_SHA1, d, 3, spi, ni, 8, nr, IKE_NONCE_MAX + 1, out, 40));
    /* SKEYID = prf(key, Ni_b | Nr_b) */
    uint8_t skeyid[20], want[20];
    assert_true(ikek_skeyid_psk(IKE_HASH_SHA1, (const uint8_t *)"k", 1, ni, IKE_NONCE_MAX, nr,
                                IKE_NONCE_MAX, skeyid));
    memcpy(chained, ni, IKE_NONCE_MAX);
    memcpy(chained + IKE_NONCE_MAX, nr, IKE_NONCE_MAX);
    assert_true(ikec_prf(IKE_HASH_SHA1, (const uint8_t *)"k", 1, chained, 2 * IKE_NONCE_MAX, want));
    assert_memory_equal(skeyid, want, 20);
    assert_false(ikek_skeyid_psk(IKE_HASH_SHA1, (const uint8_t *)"k", 1, ni, 8, nr,
                                 IKE_NONCE_MAX + 1, skeyid));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(skeyid_family),
        cmocka_unit_test(cipher_key_expansion),
        cmocka_unit_test(iv_chaining),
        cmocka_unit_test(keymat),
        cmocka_unit_test(nonces_at_their_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
