/* PPP packets as they travel in L2TP (RFC 1661 framing without HDLC): the
 * address and control bytes FF 03, the protocol, then code, id, length and
 * data for LCP, IPCP, PAP and CHAP. Pure functions: no sockets, no clock. */
#ifndef L2F_NET_PPP_H
#define L2F_NET_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPP_LCP 0xc021
#define PPP_PAP 0xc023
#define PPP_CHAP 0xc223
#define PPP_EAP 0xc227
#define PPP_IPCP 0x8021

/* LCP and IPCP codes (RFC 1661 5) */
#define PPP_CONF_REQ 1
#define PPP_CONF_ACK 2
#define PPP_CONF_NAK 3
#define PPP_CONF_REJ 4
#define PPP_TERM_REQ 5
#define PPP_TERM_ACK 6
#define PPP_CODE_REJ 7
#define PPP_PROTO_REJ 8
#define PPP_ECHO_REQ 9
#define PPP_ECHO_REP 10
#define PPP_DISCARD 11
#define PPP_IDENT 12 /* Identification (RFC 1570 1.1): magic number, then a message; no answer */

/* LCP options */
#define LCP_OPT_MRU 1
#define LCP_OPT_AUTH 3
#define LCP_OPT_MAGIC 5
#define LCP_OPT_PFC 7
#define LCP_OPT_ACFC 8
#define LCP_OPT_CALLBACK 13 /* RFC 1570 2.3 */
#define CALLBACK_CBCP 6     /* its operation: the Callback Control Protocol, as Windows asks */
/* IPCP option */
#define IPCP_OPT_ADDRESS 3

/* X(protocol number, name): the protocols l2tpfix names in what it reports. */
#define PPP_PROTOCOL_TABLE(X)                                                                      \
    X(PPP_LCP, "LCP")                                                                              \
    X(PPP_PAP, "PAP")                                                                              \
    X(PPP_CHAP, "CHAP")                                                                            \
    X(PPP_EAP, "EAP")                                                                              \
    X(PPP_IPCP, "IPCP")                                                                            \
    X(0x80fd, "CCP")                                                                               \
    X(0x8057, "IPV6CP")

/* X(protocol, option type, name): LCP (RFC 1661 6, RFC 1570) and IPCP (RFC 1332, 1877) options. */
#define PPP_OPTION_TABLE(X)                                                                        \
    X(PPP_LCP, LCP_OPT_MRU, "MRU")                                                                 \
    X(PPP_LCP, 2, "ACCM")                                                                          \
    X(PPP_LCP, LCP_OPT_AUTH, "authentication")                                                     \
    X(PPP_LCP, 4, "quality protocol")                                                              \
    X(PPP_LCP, LCP_OPT_MAGIC, "magic number")                                                      \
    X(PPP_LCP, LCP_OPT_PFC, "protocol compression")                                                \
    X(PPP_LCP, LCP_OPT_ACFC, "address compression")                                                \
    X(PPP_LCP, LCP_OPT_CALLBACK, "callback")                                                       \
    X(PPP_LCP, 17, "MRRU")                                                                         \
    X(PPP_IPCP, 2, "IP compression")                                                               \
    X(PPP_IPCP, IPCP_OPT_ADDRESS, "IP address")                                                    \
    X(PPP_IPCP, 129, "primary DNS")                                                                \
    X(PPP_IPCP, 131, "secondary DNS")

/* The authentication protocols a server can ask for in LCP, as l2tpfix names them. */
#define PPP_AUTH_TABLE(X)                                                                          \
    X(PPP_AUTH_EAP, "eap")                                                                         \
    X(PPP_AUTH_MSCHAPV2, "mschapv2")                                                               \
    X(PPP_AUTH_MSCHAPV1, "mschapv1")                                                               \
    X(PPP_AUTH_CHAP_MD5, "chap")                                                                   \
    X(PPP_AUTH_PAP, "pap")                                                                         \
    X(PPP_AUTH_OTHER, "other")

#define PPP_AUTH_ENUM(e, name) e,
enum ppp_auth { PPP_AUTH_TABLE(PPP_AUTH_ENUM) PPP_AUTH_COUNT };
#undef PPP_AUTH_ENUM

const char *ppp_auth_name(enum ppp_auth a);
/* "LCP", "IPCP"...; "protocol 0x8281" for one not in the table (written into buf). */
const char *ppp_protocol_name(uint16_t protocol, char buf[24]);
/* "MRU", "magic number"...; "option 42" for one not in the table (written into buf). */
const char *ppp_option_name(uint16_t protocol, uint8_t type, char buf[24]);
/* The auth option's value (protocol and, for CHAP, the algorithm). */
enum ppp_auth ppp_auth_of(const uint8_t *value, size_t len);
/* The option value that asks for a. Returns its length (2 or 3), 0 for OTHER. */
size_t ppp_auth_value(enum ppp_auth a, uint8_t out[3]);

struct ppp_packet {
    uint16_t protocol;
    uint8_t code, id;
    const uint8_t *data; /* after the 4-byte header, as long as its length says */
    size_t len;
};

/* Parses a frame with or without FF 03, a 1- or 2-byte protocol; false when
 * the header's length runs past the frame or is below 4. */
bool ppp_parse(const uint8_t *frame, size_t len, struct ppp_packet *out);
/* FF 03, protocol, code, id, length, data. Returns the length, 0 if it does not fit. */
size_t ppp_build(uint8_t *buf, size_t cap, uint16_t protocol, uint8_t code, uint8_t id,
                 const uint8_t *data, size_t len);

struct ppp_option {
    uint8_t type;
    const uint8_t *value;
    size_t len;
};

/* Splits configure options; false when one is shorter than 2 or runs out. */
bool ppp_options(const uint8_t *data, size_t len, struct ppp_option *out, size_t max,
                 size_t *count);
/* Appends an option; returns the new length, 0 when it does not fit. */
size_t ppp_put_option(uint8_t *buf, size_t pos, size_t cap, uint8_t type, const uint8_t *value,
                      size_t len);

/* An Identification packet's data: the magic number, then the message (at
 * most 255 bytes). Returns its length, 0 when it does not fit. */
size_t ppp_ident_build(uint8_t *buf, size_t cap, const uint8_t magic[4], const char *message);
/* Its message, as printable ASCII ('?' for any other byte), into out; false
 * when the data is shorter than the magic number. */
bool ppp_ident_message(const struct ppp_packet *p, char *out, size_t cap);

#endif
