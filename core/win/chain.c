#include "chain.h"

#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wincrypt.h>

#ifndef CERT_TRUST_IS_EXPLICIT_DISTRUST
#define CERT_TRUST_IS_EXPLICIT_DISTRUST 0x04000000 /* wincrypt.h, Windows 8 SDK */
#endif

/* X(error bits, what they mean), the first that applies is said; revocation is not
 * asked (the lab and many servers publish no reachable CRL), as for the machine certificate. */
#define CHAIN_PROBLEM_TABLE(X)                                                                     \
    X(CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN,                                  \
      "no root in the computer's Trusted Root store (LocalMachine\\Root) signs the chain")         \
    X(CERT_TRUST_IS_EXPLICIT_DISTRUST, "a certificate of the chain is marked distrusted")          \
    X(CERT_TRUST_IS_NOT_TIME_VALID, "a certificate of the chain is outside its validity dates")    \
    X(CERT_TRUST_IS_NOT_SIGNATURE_VALID, "a signature in the chain does not verify")               \
    X(CERT_TRUST_IS_REVOKED, "a certificate of the chain is revoked")                              \
    X(CERT_TRUST_IS_CYCLIC | CERT_TRUST_INVALID_BASIC_CONSTRAINTS,                                 \
      "the chain is malformed (a cycle, or a CA without CA basic constraints)")

static const struct {
    DWORD bits;
    const char *what;
} problems[] = {
#define CHAIN_PROBLEM_ROW(bits, what) {bits, what},
    CHAIN_PROBLEM_TABLE(CHAIN_PROBLEM_ROW)
#undef CHAIN_PROBLEM_ROW
};

static bool judge_chain(PCCERT_CHAIN_CONTEXT chain, char *why, size_t why_len)
{
    DWORD status = chain->TrustStatus.dwErrorStatus;
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (status & problems[i].bits) {
            snprintf(why, why_len, "%s", problems[i].what);
            return false;
        }
    return true;
}

/* The intermediates the server sent, in a store of their own for the chain engine. */
static HCERTSTORE intermediates(const uint8_t *const *certs, const size_t *lens, size_t n)
{
    HCERTSTORE mem = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
    for (size_t i = 1; mem && i < n; i++)
        if (lens[i] <= 65536) /* a certificate, not a payload's worth of anything */
            CertAddEncodedCertificateToStore(mem, X509_ASN_ENCODING, certs[i], (DWORD)lens[i],
                                             CERT_STORE_ADD_ALWAYS, NULL);
    return mem;
}

bool winchain_trusted(const uint8_t *const *certs, const size_t *lens, size_t n, char *why,
                      size_t why_len)
{
    if (n == 0 || lens[0] > 65536) {
        snprintf(why, why_len, "no certificate the chain engine could read");
        return false;
    }
    PCCERT_CONTEXT leaf = CertCreateCertificateContext(X509_ASN_ENCODING, certs[0], (DWORD)lens[0]);
    HCERTSTORE mem = intermediates(certs, lens, n);
    CERT_CHAIN_PARA para;
    memset(&para, 0, sizeof para);
    para.cbSize = sizeof para;
    PCCERT_CHAIN_CONTEXT chain = NULL;
    bool ok = false;
    if (!leaf || !mem)
        snprintf(why, why_len, "the chain engine could not read the server's certificates");
    else if (!CertGetCertificateChain(HCCE_LOCAL_MACHINE, leaf, NULL, mem, &para, 0, NULL, &chain))
        snprintf(why, why_len, "the chain engine failed (error %lu)",
                 (unsigned long)GetLastError());
    else
        ok = judge_chain(chain, why, why_len);
    if (chain)
        CertFreeCertificateChain(chain);
    if (mem)
        CertCloseStore(mem, 0);
    if (leaf)
        CertFreeCertificateContext(leaf);
    return ok;
}
