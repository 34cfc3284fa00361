#include "cacert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* a CA certificate is a few KiB; a larger file is refused before it sizes anything */
#define CACERT_FILE_MAX (256 * 1024)

void cacert_free(struct ca_cert *c)
{
    free(c->der_base64);
    free(c->der);
    c->der_base64 = NULL;
    c->der = NULL;
}

#ifdef L2F_HAVE_OPENSSL
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Every PEM block of the file: the one certificate's DER in *der, or why not. */
static enum l2f_status only_certificate(BIO *b, const char *path, unsigned char **der, long *len,
                                        struct l2f_err *err)
{
    int certs = 0;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long n = 0;
    enum l2f_status st = L2F_OK;
    while (st == L2F_OK && PEM_read_bio(b, &name, &header, &data, &n)) {
        if (strcmp(name, "CERTIFICATE") != 0) {
            /* the block's type only: a key's bytes never reach a message */
            l2f_err_set(err, "--ca-file %s: holds a %.40s block; want exactly one CA certificate",
                        path, name);
            st = L2F_ERR_USAGE;
        } else if (++certs == 1) {
            *der = data, *len = n, data = NULL;
        }
        OPENSSL_free(name), OPENSSL_free(header), OPENSSL_free(data);
        name = header = NULL, data = NULL;
    }
    ERR_clear_error(); /* the end of the file reads as "no start line" */
    if (st == L2F_OK && certs != 1) {
        if (certs == 0)
            l2f_err_set(err,
                        "--ca-file %s: no PEM certificate in it; want exactly one CA "
                        "certificate",
                        path);
        else
            l2f_err_set(err, "--ca-file %s: holds %d certificates; want exactly one, the CA's",
                        path, certs);
        st = L2F_ERR_USAGE;
    }
    if (st != L2F_OK) {
        OPENSSL_free(*der);
        *der = NULL;
    }
    return st;
}

/* The CA check, thumbprint and base64 of one certificate's DER. */
static enum l2f_status describe(const unsigned char *der, long len, const char *path,
                                struct ca_cert *out, struct l2f_err *err)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, len);
    enum l2f_status st = L2F_ERR_USAGE;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (!x || p != der + len) {
        l2f_err_set(err, "--ca-file %s: its certificate cannot be parsed", path);
        /* 1: basicConstraints says CA, and a keyUsage, if any, allows signing certificates */
    } else if (X509_check_ca(x) != 1) {
        l2f_err_set(err,
                    "--ca-file %s: its certificate is not a CA's (basicConstraints CA:TRUE "
                    "and keyCertSign wanted)",
                    path);
    } else if (!X509_digest(x, EVP_sha1(), md, &mdlen) || mdlen != 20) {
        l2f_err_set(err, "--ca-file %s: its SHA-1 thumbprint could not be computed", path);
        st = L2F_ERR_NOMEM;
    } else if (!(out->der_base64 = malloc((size_t)(4 * ((len + 2) / 3) + 1))) ||
               !(out->der = malloc((size_t)len))) {
        st = L2F_ERR_NOMEM;
        l2f_err_set(err, "out of memory");
    } else {
        EVP_EncodeBlock((unsigned char *)out->der_base64, der, (int)len);
        memcpy(out->der, der, (size_t)len);
        out->der_len = (size_t)len;
        for (unsigned i = 0; i < mdlen; i++)
            snprintf(out->thumbprint + 2 * i, 3, "%02X", md[i]);
        st = L2F_OK;
    }
    X509_free(x);
    return st;
}

enum l2f_status cacert_load(const char *path, struct ca_cert *out, struct l2f_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        l2f_err_set(err, "--ca-file %s: cannot be read (%s)", path, strerror(errno));
        return L2F_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > CACERT_FILE_MAX) {
        l2f_err_set(err,
                    "--ca-file %s: not a file of at most %d KiB; want one CA certificate (PEM)",
                    path, CACERT_FILE_MAX / 1024);
        return L2F_ERR_USAGE;
    }
    BIO *b = BIO_new_file(path, "r");
    if (!b) {
        ERR_clear_error();
        l2f_err_set(err, "--ca-file %s: cannot be read", path);
        return L2F_ERR_IO;
    }
    unsigned char *der = NULL;
    long len = 0;
    struct ca_cert c;
    memset(&c, 0, sizeof c);
    enum l2f_status st = only_certificate(b, path, &der, &len, err);
    BIO_free(b);
    if (st == L2F_OK)
        st = describe(der, len, path, &c, err);
    OPENSSL_free(der);
    if (st == L2F_OK)
        *out = c;
    else
        cacert_free(&c);
    return st;
}

#else

enum l2f_status cacert_load(const char *path, struct ca_cert *out, struct l2f_err *err)
{
    (void)out;
    l2f_err_set(err, "--ca-file %s: this build has no certificate support (OpenSSL)", path);
    return L2F_ERR_UNSUPPORTED;
}

#endif
