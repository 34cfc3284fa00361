#include "cert.h"

#include <stdio.h>
#include <string.h>

#include "winutil.h"

#ifndef CERT_TRUST_IS_EXPLICIT_DISTRUST
#define CERT_TRUST_IS_EXPLICIT_DISTRUST 0x04000000 /* wincrypt.h, Windows 8 SDK */
#endif
#ifndef CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG
#define CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG 0x00010000 /* wincrypt.h, Windows Vista SDK */
#endif

/* The chain's problems that make a certificate untrusted; usage (EKU) and the
 * leaf's own dates are judged before, revocation is not asked (offline, slow). */
#define CHAIN_UNTRUSTED                                                                            \
    (CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN |                                  \
     CERT_TRUST_IS_NOT_SIGNATURE_VALID | CERT_TRUST_IS_REVOKED | CERT_TRUST_IS_NOT_TIME_VALID |    \
     CERT_TRUST_IS_CYCLIC | CERT_TRUST_INVALID_BASIC_CONSTRAINTS |                                 \
     CERT_TRUST_IS_EXPLICIT_DISTRUST)

/* A key the certificate names and this process may open, or may not be allowed to
 * (machine keys are for administrators; a protected key needs UI we never show). */
static bool has_private_key(PCCERT_CONTEXT c)
{
    DWORD size = 0;
    if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size))
        return false;
    HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key;
    DWORD spec;
    BOOL must_free = FALSE;
    /* the cache flag leaves the handle with the context: nothing to free here */
    if (CryptAcquireCertificatePrivateKey(c,
                                          CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_CACHE_FLAG |
                                              CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG,
                                          NULL, &key, &spec, &must_free))
        return true;
    DWORD e = GetLastError();
    return e == (DWORD)NTE_SILENT_CONTEXT || e == ERROR_ACCESS_DENIED || e == (DWORD)NTE_PERM ||
           e == (DWORD)E_ACCESSDENIED;
}

/* Client Authentication or IP security IKE intermediate. No EKU extension at all
 * is read the way CryptoAPI reads it, good for every use; Microsoft's IKEv2
 * (Always On VPN) guidance asks for the explicit Client Authentication usage. */
static bool has_client_usage(PCCERT_CONTEXT c)
{
    DWORD size = 0;
    if (!CertGetEnhancedKeyUsage(c, 0, NULL, &size))
        return false;
    union {
        CERT_ENHKEY_USAGE usage; /* aligned for the pointers that follow it */
        BYTE bytes[2048];
    } buf;
    if (size > sizeof buf)
        return false; /* more usages than any machine certificate carries */
    PCERT_ENHKEY_USAGE u = &buf.usage;
    if (!CertGetEnhancedKeyUsage(c, 0, u, &size))
        return false;
    if (u->cUsageIdentifier == 0)
        return GetLastError() == (DWORD)CRYPT_E_NOT_FOUND; /* no EKU: every use */
    for (DWORD i = 0; i < u->cUsageIdentifier; i++)
        if (strcmp(u->rgpszUsageIdentifier[i], CERT_OID_CLIENT_AUTH) == 0 ||
            strcmp(u->rgpszUsageIdentifier[i], CERT_OID_IKE_INTERMEDIATE) == 0)
            return true;
    return false;
}

/* Chains to a root the computer trusts: the local machine's chain engine (IKEEXT runs as a
 * service and trusts what the computer trusts, not what a user added). */
static bool chains_to_trusted_root(PCCERT_CONTEXT c)
{
    CERT_CHAIN_PARA para;
    memset(&para, 0, sizeof para);
    para.cbSize = sizeof para;
    PCCERT_CHAIN_CONTEXT chain = NULL;
    if (!CertGetCertificateChain(HCCE_LOCAL_MACHINE, c, NULL, NULL, &para, 0, NULL, &chain))
        return false;
    bool ok = (chain->TrustStatus.dwErrorStatus & CHAIN_UNTRUSTED) == 0;
    CertFreeCertificateChain(chain);
    return ok;
}

/* The first requirement the certificate fails, in the table's order. */
static enum cert_state judge(PCCERT_CONTEXT c)
{
    if (CertVerifyTimeValidity(NULL, c->pCertInfo) != 0)
        return CERT_EXPIRED;
    if (!has_private_key(c))
        return CERT_NO_PRIVATE_KEY;
    if (!has_client_usage(c))
        return CERT_NO_CLIENT_AUTH;
    if (!chains_to_trusted_root(c))
        return CERT_UNTRUSTED;
    return CERT_VALID;
}

static void describe(PCCERT_CONTEXT c, struct machine_cert *out)
{
    wchar_t name[128];
    if (CertNameToStrW(X509_ASN_ENCODING, &c->pCertInfo->Subject, CERT_X500_NAME_STR, name,
                       sizeof name / sizeof name[0]) > 1)
        win_to_utf8(name, out->subject, sizeof out->subject);
    else
        snprintf(out->subject, sizeof out->subject, "(no subject)");
    SYSTEMTIME st;
    if (FileTimeToSystemTime(&c->pCertInfo->NotAfter, &st))
        snprintf(out->not_after, sizeof out->not_after, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear,
                 st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond);
    else
        snprintf(out->not_after, sizeof out->not_after, "?");
}

enum l2f_status wincert_judge_store(HCERTSTORE store, struct machine_cert *out, struct l2f_err *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    PCCERT_CONTEXT c = NULL;
    /* the enumeration frees the previous context each turn */
    while ((c = CertEnumCertificatesInStore(store, c)) != NULL) {
        if (out->count >= 10000)
            break; /* a bound for a store nobody would keep: the best of these is enough */
        if (machine_cert_consider(out, judge(c)))
            describe(c, out);
    }
    if (c)
        CertFreeCertificateContext(c);
    return L2F_OK;
}

enum l2f_status wincert_machine(struct machine_cert *out, struct l2f_err *err)
{
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                     CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
                                         CERT_STORE_OPEN_EXISTING_FLAG,
                                     L"MY");
    if (!store) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
            memset(out, 0, sizeof *out); /* no Personal store yet: no certificate */
            return L2F_OK;
        }
        return win_status(e, "opening LocalMachine\\My", err);
    }
    enum l2f_status st = wincert_judge_store(store, out, err);
    CertCloseStore(store, 0);
    return st;
}

/* "0A1B..." (40 hex digits) into the 20 bytes CERT_FIND_SHA1_HASH takes. */
static bool thumb_bytes(const char *sha1, BYTE out[20])
{
    if (strlen(sha1) != 40)
        return false;
    for (int i = 0; i < 20; i++) {
        unsigned v;
        if (sscanf(sha1 + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (BYTE)v;
    }
    return true;
}

static HCERTSTORE open_root(bool writable, struct l2f_err *err)
{
    DWORD flags = CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_OPEN_EXISTING_FLAG |
                  (writable ? 0 : CERT_STORE_READONLY_FLAG);
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, L"ROOT");
    if (!store)
        win_status(GetLastError(), "opening LocalMachine\\Root", err);
    return store;
}

/* The store's certificate of that thumbprint, or NULL (the caller frees it). */
static PCCERT_CONTEXT find_root(HCERTSTORE store, const BYTE hash[20])
{
    CRYPT_HASH_BLOB blob = {20, (BYTE *)hash};
    return CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                      CERT_FIND_SHA1_HASH, &blob, NULL);
}

static enum l2f_status bad_thumb(const char *sha1, struct l2f_err *err)
{
    l2f_err_set(err, "'%.60s' is not a SHA-1 thumbprint (40 hex digits)", sha1);
    return L2F_ERR_USAGE;
}

enum l2f_status wincert_root_has(const char *sha1, bool *present, struct l2f_err *err)
{
    BYTE hash[20];
    *present = false;
    if (!thumb_bytes(sha1, hash))
        return bad_thumb(sha1, err);
    HCERTSTORE store = open_root(false, err);
    if (!store)
        return L2F_ERR_BACKEND;
    PCCERT_CONTEXT c = find_root(store, hash);
    *present = c != NULL;
    CertFreeCertificateContext(c);
    CertCloseStore(store, 0);
    return L2F_OK;
}

/* The DER's own SHA-1 must be the thumbprint the journal names: undo removes by it. */
static enum l2f_status der_is(const unsigned char *der, size_t len, const BYTE hash[20],
                              struct l2f_err *err)
{
    PCCERT_CONTEXT c =
        len <= MAXDWORD ? CertCreateCertificateContext(X509_ASN_ENCODING, der, (DWORD)len) : NULL;
    BYTE got[20];
    DWORD n = sizeof got;
    bool same = c && CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, got, &n) &&
                n == sizeof got && memcmp(got, hash, sizeof got) == 0;
    CertFreeCertificateContext(c);
    if (same)
        return L2F_OK;
    l2f_err_set(err, "LocalMachine\\Root: the certificate given is %s",
                c ? "not the one of that thumbprint" : "not X.509 DER");
    return L2F_ERR_USAGE;
}

enum l2f_status wincert_root_add(const unsigned char *der, size_t len, const char *sha1,
                                 struct l2f_err *err)
{
    BYTE hash[20];
    if (!thumb_bytes(sha1, hash))
        return bad_thumb(sha1, err);
    enum l2f_status st = der_is(der, len, hash, err);
    if (st != L2F_OK)
        return st;
    HCERTSTORE store = open_root(true, err);
    if (!store)
        return L2F_ERR_BACKEND;
    st = L2F_OK;
    /* ADD_NEW: a certificate already there is left as it is, never replaced */
    if (!CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, (DWORD)len,
                                          CERT_STORE_ADD_NEW, NULL) &&
        GetLastError() != (DWORD)CRYPT_E_EXISTS)
        st = win_status(GetLastError(), "adding to LocalMachine\\Root", err);
    CertCloseStore(store, 0);
    return st;
}

enum l2f_status wincert_root_remove_in(HCERTSTORE store, const char *sha1, struct l2f_err *err)
{
    BYTE hash[20];
    if (!thumb_bytes(sha1, hash))
        return bad_thumb(sha1, err);
    PCCERT_CONTEXT c = find_root(store, hash);
    /* the delete frees c, even when it fails */
    if (c && !CertDeleteCertificateFromStore(c))
        return win_status(GetLastError(), "removing from LocalMachine\\Root", err);
    return L2F_OK;
}

enum l2f_status wincert_root_remove(const char *sha1, struct l2f_err *err)
{
    BYTE hash[20];
    if (!thumb_bytes(sha1, hash))
        return bad_thumb(sha1, err);
    HCERTSTORE store = open_root(true, err);
    if (!store)
        return L2F_ERR_BACKEND;
    enum l2f_status st = wincert_root_remove_in(store, sha1, err);
    CertCloseStore(store, 0);
    return st;
}
