/* A CA certificate given as a PEM file (--ca-file), as a script embeds it:
 * exactly one certificate, a CA's (basicConstraints CA:TRUE), its SHA-1
 * thumbprint as Windows shows it, its DER, and the DER in base64: what `fix` imports
 * and `script` embeds, read one way for both. OpenSSL's X509 API, as ikev2cert.c. */
#ifndef L2F_NET_CACERT_H
#define L2F_NET_CACERT_H

#include "status.h"

struct ca_cert {
    char thumbprint[41]; /* SHA-1 of the DER, upper-case hex: Windows' Thumbprint */
    unsigned char *der;  /* malloc'd: what a store imports */
    size_t der_len;
    char *der_base64; /* malloc'd, one line: what a script embeds */
};

/* Reads path; on any file that is not exactly one CA certificate returns
 * L2F_ERR_USAGE (L2F_ERR_IO when unreadable) with one line naming the file
 * and what is wrong, and out untouched. */
enum l2f_status cacert_load(const char *path, struct ca_cert *out, struct l2f_err *err);
void cacert_free(struct ca_cert *c);

#endif
