#include "ikev2cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#ifdef L2F_HAVE_OPENSSL
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define OID_IKE_INTERMEDIATE "1.3.6.1.5.5.8.2.2" /* RFC 4945 5.1.3.12 */

#ifdef _WIN32
#include "win/chain.h"
#define SYSTEM_ROOTS "a root of the computer's Trusted Root store"
#else
#define SYSTEM_ROOTS "a system root"
#endif

static void set_why(struct ikev2_cert_info *info, const char *why)
{
    snprintf(info->why, sizeof info->why, "%s", why);
}

static void name_text(X509_NAME *n, char *buf, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    buf[0] = '\0';
    if (b && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
        int got = BIO_read(b, buf, (int)len - 1);
        buf[got > 0 ? got : 0] = '\0';
    }
    BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *buf, size_t len)
{
    struct tm tm;
    buf[0] = '\0';
    if (t && ASN1_TIME_to_tm(t, &tm))
        snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void append(char *buf, size_t len, const char *s)
{
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s%s", l ? ", " : "", s);
}

static void san_text(X509 *x, char *buf, size_t len)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    buf[0] = '\0';
    int n = names ? sk_GENERAL_NAME_num(names) : 0;
    for (int i = 0; i < n && i < 32; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char one[300] = "";
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING *s = g->d.dNSName;
            snprintf(one, sizeof one, "DNS:%.*s", s->length > 253 ? 253 : s->length,
                     (const char *)s->data);
        } else if (g->type == GEN_IPADD && g->d.iPAddress->length == 4) {
            const unsigned char *a = g->d.iPAddress->data;
            snprintf(one, sizeof one, "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        } else {
            continue;
        }
        for (char *c = one; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?'; /* the name came from the wire: printable only */
        append(buf, len, one);
    }
    GENERAL_NAMES_free(names);
}

/* Which of the two EKUs Windows accepts the certificate has. */
static bool eku_usable(X509 *x, char *buf, size_t len)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    bool ok = false;
    buf[0] = '\0';
    int n = eku ? sk_ASN1_OBJECT_num(eku) : 0;
    for (int i = 0; i < n && i < 32; i++) {
        const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
        char oid[64];
        OBJ_obj2txt(oid, sizeof oid, o, 1);
        if (OBJ_obj2nid(o) == NID_server_auth) {
            append(buf, len, "serverAuth");
            ok = true;
        } else if (strcmp(oid, OID_IKE_INTERMEDIATE) == 0) {
            append(buf, len, "ikeIntermediate");
            ok = true;
        } else {
            int nid = OBJ_obj2nid(o);
            append(buf, len, nid != NID_undef ? OBJ_nid2sn(nid) : oid);
        }
    }
    EXTENDED_KEY_USAGE_free(eku);
    return ok;
}

static X509 *der_cert(const uint8_t *p, size_t len)
{
    const unsigned char *q = p;
    return len <= 65536 ? d2i_X509(NULL, &q, (long)len) : NULL;
}

static void thumb_text(X509 *x, char out[IKEV2_THUMB_SIZE])
{
    unsigned char md[20];
    unsigned n = 0;
    out[0] = '\0';
    if (X509_digest(x, EVP_sha1(), md, &n) != 1 || n != sizeof md)
        return;
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* The root a CA file made the chain end in: what switch-ikev2 would import. */
static void note_anchor(X509_STORE_CTX *ctx, const char *ca_file, struct ikev2_cert_info *info)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain ? sk_X509_num(chain) : 0;
    X509 *anchor = n > 0 ? sk_X509_value(chain, n - 1) : NULL;
    struct l2f_err ignored;
    if (!anchor || plat_absolute_path(ca_file, info->anchor_file, sizeof info->anchor_file,
                                      &ignored) != L2F_OK) {
        info->anchor_file[0] = '\0';
        return;
    }
    thumb_text(anchor, info->anchor_sha1);
    name_text(X509_get_subject_name(anchor), info->anchor_subject, sizeof info->anchor_subject);
}

/* The chain to a root in the CA file or OpenSSL's default store, valid now. */
static bool chain_ok(X509 *leaf, STACK_OF(X509) * inter, const char *ca_file,
                     struct ikev2_cert_info *info)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    bool loaded = store && (ca_file ? X509_STORE_load_file(store, ca_file) == 1
                                    : X509_STORE_set_default_paths(store) == 1);
    bool ok = false;
    if (!loaded) {
        snprintf(info->why, sizeof info->why, "the CA %s could not be read",
                 ca_file ? "file" : "store");
    } else if (ctx && X509_STORE_CTX_init(ctx, store, leaf, inter) == 1) {
        ok = X509_verify_cert(ctx) == 1;
        if (ok && ca_file)
            note_anchor(ctx, ca_file, info);
        if (!ok)
            snprintf(info->why, sizeof info->why, "the chain does not verify against %s: %s",
                     ca_file ? "the CA file given" : "the system's trusted roots",
                     X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}

/* Without a CA file, Windows judges by its own store (OpenSSL's default paths there
 * are a folder any user may create); elsewhere OpenSSL's default store serves. */
static bool chain_trusted(const uint8_t *const *certs, const size_t *lens, size_t n, X509 *leaf,
                          STACK_OF(X509) * inter, const char *ca_file, struct ikev2_cert_info *info)
{
#ifdef _WIN32
    if (!ca_file)
        return winchain_trusted(certs, lens, n, info->why, sizeof info->why);
#else
    (void)certs, (void)lens, (void)n;
#endif
    return chain_ok(leaf, inter, ca_file, info);
}

bool ikev2_cert_check(const uint8_t *const *certs, const size_t *lens, size_t n,
                      const char *ca_file, const char *host, struct ikev2_cert_info *info)
{
    memset(info, 0, sizeof *info);
    if (n == 0) {
        set_why(info, "the server sent no certificate");
        return false;
    }
    X509 *leaf = der_cert(certs[0], lens[0]);
    if (!leaf) {
        set_why(info, "the server's certificate is not X.509 DER");
        return false;
    }
    info->present = true;
    name_text(X509_get_subject_name(leaf), info->subject, sizeof info->subject);
    name_text(X509_get_issuer_name(leaf), info->issuer, sizeof info->issuer);
    san_text(leaf, info->names, sizeof info->names);
    time_text(X509_get0_notBefore(leaf), info->not_before, sizeof info->not_before);
    time_text(X509_get0_notAfter(leaf), info->not_after, sizeof info->not_after);
    bool eku = eku_usable(leaf, info->ekus, sizeof info->ekus);
    STACK_OF(X509) *inter = sk_X509_new_null();
    for (size_t i = 1; inter && i < n; i++) {
        X509 *x = der_cert(certs[i], lens[i]);
        if (x && !sk_X509_push(inter, x))
            X509_free(x);
    }
    bool ok = chain_trusted(certs, lens, n, leaf, inter, ca_file, info);
    /* the address or name dialled among the SANs (an IP SAN for an address), else the CN */
    bool name_ok = X509_check_ip_asc(leaf, host, 0) == 1 ||
                   X509_check_host(leaf, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
    if (ok && !name_ok) {
        snprintf(info->why, sizeof info->why,
                 "the certificate does not name %.100s (neither its subject alternative names "
                 "nor its CN)",
                 host);
        ok = false;
    }
    if (ok && !eku) {
        set_why(info, "the certificate has neither the Server Authentication nor the IKE "
                      "intermediate extended key usage");
        ok = false;
    }
    if (ok)
        snprintf(info->why, sizeof info->why, "chain to %s, valid now, names %.60s, EKU %.60s",
                 ca_file ? "the CA file given" : SYSTEM_ROOTS, host, info->ekus);
    info->trusted = ok;
    sk_X509_pop_free(inter, X509_free);
    X509_free(leaf);
    return ok;
}

static const EVP_MD *md_of_nid(int nid)
{
    switch (nid) {
    case NID_sha1WithRSAEncryption:
    case NID_ecdsa_with_SHA1:
        return EVP_sha1();
    case NID_sha256WithRSAEncryption:
    case NID_ecdsa_with_SHA256:
        return EVP_sha256();
    case NID_sha384WithRSAEncryption:
    case NID_ecdsa_with_SHA384:
        return EVP_sha384();
    case NID_sha512WithRSAEncryption:
    case NID_ecdsa_with_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

/* ECDSA in IKEv2 methods 9-11 is r | s; EVP wants DER. */
static int ecdsa_der(const uint8_t *rs, size_t len, unsigned char **der)
{
    if (len % 2 || len > 264)
        return -1;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, (int)len / 2, NULL), *s = BN_bin2bn(rs + len / 2, (int)len / 2, NULL);
    int n = -1;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
        r = s = NULL;
        n = i2d_ECDSA_SIG(sig, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return n;
}

bool ikev2_cert_verify_auth(const uint8_t *cert, size_t cert_len, unsigned method,
                            const uint8_t *auth, size_t auth_len, const uint8_t *octets,
                            size_t octets_len, char *why, size_t why_len)
{
    const EVP_MD *md = NULL;
    const uint8_t *sig = auth;
    size_t sig_len = auth_len;
    unsigned char *der = NULL;
    if (method == 1) {
        md = EVP_sha1();
    } else if (method >= 9 && method <= 11) {
        md = method == 9 ? EVP_sha256() : method == 10 ? EVP_sha384() : EVP_sha512();
        int n = ecdsa_der(auth, auth_len, &der);
        if (n <= 0) {
            snprintf(why, why_len, "an ECDSA signature of an odd length");
            return false;
        }
        sig = der, sig_len = (size_t)n;
    } else if (method == 14) {
        /* RFC 7427 3: length of the AlgorithmIdentifier, it, then the signature */
        if (auth_len < 1 || auth[0] + 1u > auth_len) {
            snprintf(why, why_len, "a digital-signature AUTH too short");
            return false;
        }
        const unsigned char *q = auth + 1;
        X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &q, auth[0]);
        const ASN1_OBJECT *obj = NULL;
        if (alg)
            X509_ALGOR_get0(&obj, NULL, NULL, alg);
        md = obj ? md_of_nid(OBJ_obj2nid(obj)) : NULL;
        X509_ALGOR_free(alg);
        sig = auth + 1 + auth[0], sig_len = auth_len - 1 - auth[0];
    } else {
        snprintf(why, why_len, "AUTH method %u, which a Windows client does not take", method);
        return false;
    }
    if (!md) {
        snprintf(why, why_len, "a signature algorithm not known here");
        OPENSSL_free(der);
        return false;
    }
    X509 *x = der_cert(cert, cert_len);
    EVP_PKEY *key = x ? X509_get0_pubkey(x) : NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = key && ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
              EVP_DigestVerify(ctx, sig, sig_len, octets, octets_len) == 1;
    if (!ok)
        snprintf(why, why_len, "the server's AUTH signature does not verify with its certificate");
    EVP_MD_CTX_free(ctx);
    X509_free(x);
    OPENSSL_free(der);
    return ok;
}

bool ikev2_ca_key_sha1(const char *ca_file, uint8_t out[20])
{
    BIO *b = BIO_new_file(ca_file, "r");
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    unsigned char *spki = NULL;
    int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    unsigned got = 0;
    bool ok = n > 0 && EVP_Digest(spki, (size_t)n, out, &got, EVP_sha1(), NULL) && got == 20;
    OPENSSL_free(spki);
    X509_free(x);
    BIO_free(b);
    return ok;
}

#else

bool ikev2_cert_check(const uint8_t *const *certs, const size_t *lens, size_t n,
                      const char *ca_file, const char *host, struct ikev2_cert_info *info)
{
    (void)certs, (void)lens, (void)n, (void)ca_file, (void)host;
    memset(info, 0, sizeof *info);
    snprintf(info->why, sizeof info->why, "this build has no certificate support");
    return false;
}

bool ikev2_cert_verify_auth(const uint8_t *cert, size_t cert_len, unsigned method,
                            const uint8_t *auth, size_t auth_len, const uint8_t *octets,
                            size_t octets_len, char *why, size_t why_len)
{
    (void)cert, (void)cert_len, (void)method, (void)auth, (void)auth_len, (void)octets,
        (void)octets_len;
    snprintf(why, why_len, "this build has no certificate support");
    return false;
}

bool ikev2_ca_key_sha1(const char *ca_file, uint8_t out[20])
{
    (void)ca_file, (void)out;
    return false;
}
#endif
