/* The server's certificate as Windows' IKEv2 client judges it: the chain to
 * a trusted root (the CA file given, else the system's store), validity now,
 * the server's address or name among the subject alternative names (or the
 * CN), and the Server Authentication or IKE intermediate EKU; then the AUTH
 * signature over the server's signed octets. OpenSSL's X509 API. */
#ifndef L2F_NET_IKEV2CERT_H
#define L2F_NET_IKEV2CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKEV2_THUMB_SIZE 41 /* a SHA-1 thumbprint in hex and its NUL */

/* What the JSON's "server_certificate" reports. */
struct ikev2_cert_info {
    bool present;
    char subject[256], issuer[256];
    char names[512]; /* the SANs, "DNS:vpn.example.org, IP:192.0.2.1" */
    char ekus[128];  /* "serverAuth, ikeIntermediate" */
    char not_before[80], not_after[80];
    bool trusted;
    char why[192]; /* why not trusted, or how it was */
    /* trusted through a CA file: the anchor the chain ended in (its SHA-1
     * thumbprint as Windows shows it, 40 hex digits), its subject, and the file's
     * absolute path; all empty when trusted through the system's store */
    char anchor_sha1[IKEV2_THUMB_SIZE];
    char anchor_subject[256];
    char anchor_file[4096];
};

/* Judges certs[0] (the server's) with certs[1..n) as intermediates. host is
 * what the user dials (an address or a name). ca_file NULL: the system's
 * store. Fills info; true when every check passed. */
bool ikev2_cert_check(const uint8_t *const *certs, const size_t *lens, size_t n,
                      const char *ca_file, const char *host, struct ikev2_cert_info *info);

/* The AUTH payload of a certificate (method 1: RSA with SHA-1; 9-11: ECDSA;
 * 14: RFC 7427 digital signature) over octets, with cert's public key. */
bool ikev2_cert_verify_auth(const uint8_t *cert, size_t cert_len, unsigned method,
                            const uint8_t *auth, size_t auth_len, const uint8_t *octets,
                            size_t octets_len, char *why, size_t why_len);

/* SHA-1 of the first certificate's SubjectPublicKeyInfo in a PEM file, for
 * CERTREQ (RFC 7296 3.7). */
bool ikev2_ca_key_sha1(const char *ca_file, uint8_t out[20]);

#endif
