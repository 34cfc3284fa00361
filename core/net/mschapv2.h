/* MS-CHAP v2 (RFC 2759) for the client side: the NT-Response to a challenge
 * and the check of the server's authenticator response, which proves that
 * the server knows the password too. MD4 (RFC 1320) is here because OpenSSL
 * 3 moved it to a legacy provider that a static Windows build does not have;
 * DES is OpenSSL's 3DES with the key three times. */
#ifndef L2F_NET_MSCHAPV2_H
#define L2F_NET_MSCHAPV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSCHAPV2_CHALLENGE_LEN 16
#define MSCHAPV2_NT_RESPONSE_LEN 24
#define MSCHAPV2_AUTH_RESPONSE_LEN 42 /* "S=" and 40 hex digits */

void md4(const uint8_t *data, size_t len, uint8_t out[16]);
/* NtPasswordHash: MD4 of the password as UTF-16LE (RFC 2759 8.3); EAP's MSK needs it. */
bool mschapv2_password_hash(const char *password, uint8_t hash[16]);

/* user is the name as sent; a "DOMAIN\" prefix is left out of the challenge
 * hash (RFC 2759 8.2). password is UTF-8; it is hashed as UTF-16LE. */
bool mschapv2_nt_response(const uint8_t auth_challenge[16], const uint8_t peer_challenge[16],
                          const char *user, const char *password, uint8_t nt_response[24]);
/* "S=" and 40 upper-case hex digits, NUL-terminated (43 bytes). */
bool mschapv2_authenticator_response(const char *password, const uint8_t nt_response[24],
                                     const uint8_t peer_challenge[16],
                                     const uint8_t auth_challenge[16], const char *user,
                                     char out[MSCHAPV2_AUTH_RESPONSE_LEN + 1]);

/* The Success packet's message: true when it starts with want ("S=" and 40
 * hex digits, either case) and then ends or goes on with a space (" M=...").
 * len is the wire's; nothing past it is read. */
bool mschapv2_success_verifies(const uint8_t *msg, size_t len,
                               const char want[MSCHAPV2_AUTH_RESPONSE_LEN + 1]);

/* The Failure packet's message, "E=691 R=0 C=<32 hex> V=3 M=<text>" (RFC 2759 6). */
struct mschapv2_failure {
    int error;          /* E=: 691 when absent or not a number from 1 to 99999 */
    bool retry;         /* R=1 */
    bool has_challenge; /* C= held 32 hex digits */
    uint8_t challenge[16];
    int version;      /* V=, 0 when absent or not a small number */
    char message[64]; /* M=, cut to fit, printable ASCII only */
};
/* Never fails: what is missing or malformed takes the defaults above. */
void mschapv2_parse_failure(const uint8_t *msg, size_t len, struct mschapv2_failure *out);

#endif
