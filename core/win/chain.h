/* A server's certificate chain judged by the machine's own chain engine, the
 * way Windows' IKEv2 client (IKEEXT, as LocalSystem) judges it: the roots of
 * LocalMachine\Root, not a folder OpenSSL would read. Windows only. */
#ifndef L2F_WIN_CHAIN_H
#define L2F_WIN_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* certs[0] the server's DER certificate, certs[1..n) the intermediates it sent.
 * True when the chain reaches a root the computer trusts; else why says what broke. */
bool winchain_trusted(const uint8_t *const *certs, const size_t *lens, size_t n, char *why,
                      size_t why_len);

#endif
