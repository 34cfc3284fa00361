#include "ikecrypto.h"

#include <stdlib.h>
#include <string.h>

#include "net/ike.h"

#ifdef L2F_HAVE_OPENSSL
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* The primes of RFC 2409 6.2 (group 2) and RFC 3526 3 (group 14), generator 2,
 * from OpenSSL's own copies rather than typed in here. */
static BIGNUM *prime_of(uint16_t group)
{
    return group == IKE_GROUP_MODP1024   ? BN_get_rfc2409_prime_1024(NULL)
           : group == IKE_GROUP_MODP2048 ? BN_get_rfc3526_prime_2048(NULL)
                                         : NULL;
}

bool ikec_available(void)
{
    return true;
}

void ikec_init(void)
{
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

/* ECP groups of RFC 5903: the public value is x | y, the shared secret x only. */
static int curve_of(uint16_t group)
{
    return group == IKE_GROUP_ECP256   ? NID_X9_62_prime256v1
           : group == IKE_GROUP_ECP384 ? NID_secp384r1
                                       : 0;
}

size_t ikec_dh_len(uint16_t group)
{
    switch (group) {
    case IKE_GROUP_MODP1024:
        return 128;
    case IKE_GROUP_MODP2048:
        return 256;
    case IKE_GROUP_ECP256:
        return 64;
    case IKE_GROUP_ECP384:
        return 96;
    default:
        return 0;
    }
}

size_t ikec_dh_secret_len(uint16_t group)
{
    return curve_of(group) ? ikec_dh_len(group) / 2 : ikec_dh_len(group);
}

struct dh_priv {
    uint16_t group;
    BIGNUM *x;
};

static bool to_padded(const BIGNUM *n, uint8_t *out, size_t len)
{
    return BN_bn2binpad(n, out, (int)len) == (int)len;
}

/* x | y of a point, each left-padded to half of out_len. */
static bool point_out(const EC_GROUP *g, const EC_POINT *pt, uint8_t *out, size_t out_len,
                      BN_CTX *ctx)
{
    BIGNUM *x = BN_new(), *y = BN_new();
    bool ok = x && y && EC_POINT_get_affine_coordinates(g, pt, x, y, ctx) &&
              to_padded(x, out, out_len / 2) && to_padded(y, out + out_len / 2, out_len / 2);
    BN_free(x);
    BN_free(y);
    return ok;
}

static bool ec_keypair(uint16_t group, struct dh_priv *k, uint8_t *pub)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(curve_of(group));
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *order = BN_new();
    bool ok = g && pt && ctx && order && EC_GROUP_get_order(g, order, ctx) &&
              BN_priv_rand_range(k->x, order) && !BN_is_zero(k->x) &&
              EC_POINT_mul(g, pt, k->x, NULL, NULL, ctx) &&
              point_out(g, pt, pub, ikec_dh_len(group), ctx);
    BN_free(order);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    BN_CTX_free(ctx);
    return ok;
}

static bool ec_shared(uint16_t group, const BIGNUM *priv, const uint8_t *peer_pub, uint8_t *shared)
{
    size_t half = ikec_dh_len(group) / 2;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(curve_of(group));
    EC_POINT *peer = g ? EC_POINT_new(g) : NULL, *z = g ? EC_POINT_new(g) : NULL;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *x = BN_bin2bn(peer_pub, (int)half, NULL),
           *y = BN_bin2bn(peer_pub + half, (int)half, NULL);
    BIGNUM *zx = BN_new();
    /* the peer's point must lie on the curve: an invalid point leaks the key */
    bool ok = g && peer && z && ctx && x && y && zx &&
              EC_POINT_set_affine_coordinates(g, peer, x, y, ctx) &&
              EC_POINT_is_on_curve(g, peer, ctx) == 1 &&
              EC_POINT_mul(g, z, NULL, peer, priv, ctx) && !EC_POINT_is_at_infinity(g, z) &&
              EC_POINT_get_affine_coordinates(g, z, zx, NULL, ctx) && to_padded(zx, shared, half);
    BN_clear_free(zx);
    BN_free(x);
    BN_free(y);
    EC_POINT_clear_free(z);
    EC_POINT_free(peer);
    EC_GROUP_free(g);
    BN_CTX_free(ctx);
    return ok;
}

bool ikec_dh_keypair(uint16_t group, void **priv, uint8_t *pub)
{
    *priv = NULL;
    struct dh_priv *k = calloc(1, sizeof *k);
    if (!k || !ikec_dh_len(group) || !(k->x = BN_new())) {
        free(k);
        return false;
    }
    k->group = group;
    bool ok;
    if (curve_of(group)) {
        ok = ec_keypair(group, k, pub);
    } else {
        BIGNUM *p = prime_of(group), *y = BN_new(), *g = BN_new();
        BN_CTX *ctx = BN_CTX_new();
        ok = p && y && g && ctx && BN_set_word(g, 2) &&
             BN_priv_rand(k->x, 256, BN_RAND_TOP_ONE,
                          BN_RAND_BOTTOM_ANY) && /* a 256-bit exponent (RFC 3526) */
             BN_mod_exp(y, g, k->x, p, ctx) &&
             to_padded(y, pub, ikec_dh_len(group));
        BN_free(p);
        BN_free(y);
        BN_free(g);
        BN_CTX_free(ctx);
    }
    if (!ok) {
        ikec_dh_free(k);
        return false;
    }
    *priv = k;
    return true;
}

bool ikec_dh_shared(uint16_t group, void *priv, const uint8_t *peer_pub, uint8_t *shared)
{
    struct dh_priv *k = priv;
    size_t len = ikec_dh_len(group);
    if (!len || !k || k->group != group)
        return false;
    if (curve_of(group))
        return ec_shared(group, k->x, peer_pub, shared);
    BIGNUM *p = prime_of(group), *peer = BN_bin2bn(peer_pub, (int)len, NULL), *z = BN_new(),
           *one = BN_new(), *limit = NULL;
    BN_CTX *ctx = BN_CTX_new();
    bool ok = p && peer && z && one && ctx && BN_one(one) && (limit = BN_dup(p)) &&
              BN_sub_word(limit, 1) &&
              /* 1 < peer < p-1: anything else would leak or fix the secret */
              BN_cmp(peer, one) > 0 && BN_cmp(peer, limit) < 0 &&
              BN_mod_exp(z, peer, k->x, p, ctx) && to_padded(z, shared, len);
    BN_free(p);
    BN_free(peer);
    BN_clear_free(z);
    BN_free(one);
    BN_free(limit);
    BN_CTX_free(ctx);
    return ok;
}

void ikec_dh_free(void *priv)
{
    struct dh_priv *k = priv;
    if (!k)
        return;
    BN_clear_free(k->x);
    free(k);
}

static const EVP_MD *md_of(uint16_t hash)
{
    return hash == IKE_HASH_SHA1 ? EVP_sha1() : hash == IKE_HASH_SHA256 ? EVP_sha256() : NULL;
}

size_t ikec_hash_len(uint16_t hash)
{
    const EVP_MD *md = md_of(hash);
    return md ? (size_t)EVP_MD_get_size(md) : 0;
}

bool ikec_hash(uint16_t hash, const uint8_t *data, size_t len, uint8_t *out)
{
    const EVP_MD *md = md_of(hash);
    unsigned n;
    return md && EVP_Digest(data, len, out, &n, md, NULL) == 1;
}

bool ikec_prf(uint16_t hash, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
              uint8_t *out)
{
    const EVP_MD *md = md_of(hash);
    unsigned n;
    return md && HMAC(md, key, (int)key_len, data, len, out, &n) != NULL;
}

static const EVP_CIPHER *cipher_of(uint16_t enc, uint16_t key_bits)
{
    if (enc == IKE_ENC_3DES)
        return EVP_des_ede3_cbc();
    if (enc == IKE_ENC_AES_CBC)
        return key_bits == 256                    ? EVP_aes_256_cbc()
               : key_bits == 192                  ? EVP_aes_192_cbc()
               : key_bits == 128 || key_bits == 0 ? EVP_aes_128_cbc()
                                                  : NULL;
    return NULL;
}

size_t ikec_key_len(uint16_t enc, uint16_t key_bits)
{
    const EVP_CIPHER *c = cipher_of(enc, key_bits);
    return c ? (size_t)EVP_CIPHER_get_key_length(c) : 0;
}

size_t ikec_block_len(uint16_t enc)
{
    return enc == IKE_ENC_3DES ? 8 : enc == IKE_ENC_AES_CBC ? 16 : 0;
}

bool ikec_cbc(uint16_t enc, uint16_t key_bits, const uint8_t *key, const uint8_t *iv,
              const uint8_t *in, size_t len, uint8_t *out, bool encrypt)
{
    const EVP_CIPHER *c = cipher_of(enc, key_bits);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok = c && ctx && len % ikec_block_len(enc) == 0 &&
              EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_CipherUpdate(ctx, out, &n1, in, (int)len) == 1 &&
              EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1 && (size_t)(n1 + n2) == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

#else /* no crypto library in this build */

bool ikec_available(void)
{
    return false;
}
void ikec_init(void)
{
}
size_t ikec_dh_len(uint16_t group)
{
    (void)group;
    return 0;
}
size_t ikec_dh_secret_len(uint16_t group)
{
    (void)group;
    return 0;
}
bool ikec_dh_keypair(uint16_t group, void **priv, uint8_t *pub)
{
    (void)group;
    (void)pub;
    *priv = NULL;
    return false;
}
bool ikec_dh_shared(uint16_t group, void *priv, const uint8_t *peer_pub, uint8_t *shared)
{
    (void)group;
    (void)priv;
    (void)peer_pub;
    (void)shared;
    return false;
}
void ikec_dh_free(void *priv)
{
    (void)priv;
}
size_t ikec_hash_len(uint16_t hash)
{
    (void)hash;
    return 0;
}
bool ikec_hash(uint16_t hash, const uint8_t *data, size_t len, uint8_t *out)
{
    (void)hash;
    (void)data;
    (void)len;
    (void)out;
    return false;
}
bool ikec_prf(uint16_t hash, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
              uint8_t *out)
{
    (void)hash;
    (void)key;
    (void)key_len;
    (void)data;
    (void)len;
    (void)out;
    return false;
}
size_t ikec_key_len(uint16_t enc, uint16_t key_bits)
{
    (void)enc;
    (void)key_bits;
    return 0;
}
size_t ikec_block_len(uint16_t enc)
{
    (void)enc;
    return 0;
}
bool ikec_cbc(uint16_t enc, uint16_t key_bits, const uint8_t *key, const uint8_t *iv,
              const uint8_t *in, size_t len, uint8_t *out, bool encrypt)
{
    (void)enc;
    (void)key_bits;
    (void)key;
    (void)iv;
    (void)in;
    (void)len;
    (void)out;
    (void)encrypt;
    return false;
}
#endif
