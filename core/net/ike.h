/* IKE packets for probing a VPN server: IKEv1 Main Mode message 1 with the
 * offer a Windows L2TP client makes, IKEv2 IKE_SA_INIT, and strict parsers for
 * what comes back. Pure functions: no sockets, no clock. Byte layouts: RFC 2408
 * (ISAKMP), RFC 2409 (IKEv1), RFC 3947 (NAT-T), RFC 7296 (IKEv2). */
#ifndef L2F_NET_IKE_H
#define L2F_NET_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define IKE_COOKIE_LEN 8
#define IKE_HEADER_LEN 28
#define IKE_MAX_PACKET 4096
#define IKE_NATT_MARKER_LEN 4 /* the non-ESP marker on UDP 4500 (RFC 3948) */
/* An IKEv1 nonce is 8 to 256 bytes long (RFC 2409 5). */
#define IKE_NONCE_MIN 8
#define IKE_NONCE_MAX 256

#define IKE_PORT 500
#define IKE_NATT_PORT 4500 /* RFC 3947 */

/* ISAKMP payload types (RFC 2408 3.1; NAT-D and NAT-OA: RFC 3947 3, 5) */
#define IKE_PL_NONE 0
#define IKE_PL_SA 1
#define IKE_PL_PROPOSAL 2
#define IKE_PL_TRANSFORM 3
#define IKE_PL_KE 4
#define IKE_PL_ID 5
#define IKE_PL_HASH 8
#define IKE_PL_NONCE 10
#define IKE_PL_NOTIFY 11
#define IKE_PL_DELETE 12
#define IKE_PL_VID 13
#define IKE_PL_NATD 20
#define IKE_PL_NATOA 21
/* IKEv2 payload types (RFC 7296 3.2) */
#define IKEV2_PL_SA 33
#define IKEV2_PL_KE 34
#define IKEV2_PL_NONCE 40
#define IKEV2_PL_NOTIFY 41

/* Exchange types (RFC 2408 3.1, Quick Mode RFC 2409 5.5, IKE_SA_INIT RFC 7296 3.1) */
#define IKE_EX_MAIN 2
#define IKE_EX_INFO 5
#define IKE_EX_QUICK 32
#define IKEV2_EX_SA_INIT 34
#define IKE_FLAG_ENCRYPTED 0x01 /* the header's E bit (RFC 2408 3.1) */

/* IPsec DOI protocol and transform ids (RFC 2407 4.4.1, 4.4.2, 4.4.4) */
#define IKE_PROTO_ISAKMP 1
#define IKE_PROTO_ESP 3
#define IKE_KEY_IKE 1
#define IKE_ESP_DES 2
#define IKE_ESP_3DES 3
#define IKE_ESP_AES 12

/* IKEv1 phase 1 attribute types, TV form (RFC 2409 appendix A). */
#define IKE_ATTR_ENC 1
#define IKE_ATTR_HASH 2
#define IKE_ATTR_AUTH 3
#define IKE_ATTR_GROUP 4
#define IKE_ATTR_LIFE_TYPE 11
#define IKE_ATTR_LIFE_DURATION 12
#define IKE_ATTR_KEY_LENGTH 14
#define IKE_LIFE_TYPE_SECONDS 1

/* Quick Mode SA attribute types and values (RFC 2407 4.5; UDP transport RFC 3947 5.1) */
#define IKE_QM_ATTR_LIFE_TYPE 1
#define IKE_QM_ATTR_LIFE_DURATION 2
#define IKE_QM_ATTR_ENCAPSULATION 4
#define IKE_QM_ATTR_AUTH 5
#define IKE_QM_ATTR_KEY_LENGTH 6
#define IKE_QM_LIFE_TYPE_SECONDS 1
#define IKE_QM_ENCAP_TRANSPORT 2
#define IKE_QM_ENCAP_UDP_TRANSPORT 4
#define IKE_QM_AUTH_HMAC_MD5 1
#define IKE_QM_AUTH_HMAC_SHA1 2

/* IKEv1 attribute values (RFC 2409 appendix A). */
#define IKE_ENC_DES 1
#define IKE_ENC_3DES 5
#define IKE_ENC_AES_CBC 7
#define IKE_HASH_MD5 1
#define IKE_HASH_SHA1 2
#define IKE_HASH_SHA256 4
#define IKE_AUTH_PSK 1
#define IKE_GROUP_MODP768 1
#define IKE_GROUP_MODP1024 2
#define IKE_GROUP_MODP2048 14
#define IKE_GROUP_ECP256 19
#define IKE_GROUP_ECP384 20

/* Notify types both versions share. */
#define IKE_NOTIFY_NO_PROPOSAL_CHOSEN 14
#define IKE_NOTIFY_INVALID_KE_PAYLOAD 17
#define IKEV2_NOTIFY_COOKIE 16390
/* Dead Peer Detection (RFC 3706) */
#define IKE_NOTIFY_R_U_THERE 36136
#define IKE_NOTIFY_R_U_THERE_ACK 36137

struct ike_transform {
    uint16_t enc, key_bits, hash, auth, group;
};

/* What Windows' L2TP/IPsec client offers in Main Mode, in its order
 * (windows-l2tp.md; the tail is UNVERIFIED). */
extern const struct ike_transform ike_windows_offer[];
extern const size_t ike_windows_offer_count;

/* One payload of a chain: its type, and its body after the 4-byte header. */
struct ike_payload {
    unsigned type;
    const uint8_t *body;
    size_t len;
};

/* Splits the payload chain that starts with type first into out (at most max);
 * false when a payload runs out of [p, p+len), is shorter than its header, or
 * the chain is longer than max. Bytes after the last payload (padding) are
 * left alone. */
bool ike_walk(const uint8_t *p, size_t len, unsigned first, struct ike_payload *out, size_t max,
              size_t *count);
const struct ike_payload *ike_find(const struct ike_payload *pl, size_t n, unsigned type);

/* "aes256-sha1-modp2048" */
void ike_transform_name(const struct ike_transform *t, char *buf, size_t len);

/* Builds MM1: one proposal holding every transform (some servers ignore a
 * group they do not know rather than answer), and the RFC 3947 NAT-T vendor
 * id (some servers answer nothing without it). With marker, the 4-byte
 * non-ESP marker comes first, for UDP 4500. Returns the length, 0 if buf is
 * too small. */
size_t ike_v1_build_mm1(uint8_t *buf, size_t len, const uint8_t cookie[IKE_COOKIE_LEN],
                        const struct ike_transform *offer, size_t n, bool marker);

enum ike_reply_kind {
    IKE_REPLY_ACCEPTED,   /* v1: MM2 with the chosen transform; v2: SA_INIT answered with SA */
    IKE_REPLY_NOTIFY,     /* an error notify: notify holds its type */
    IKE_REPLY_INVALID_KE, /* v2: the server wants another DH group (ke_group) */
    IKE_REPLY_COOKIE      /* v2: the server is under load and wants a cookie */
};

struct ike_reply {
    enum ike_reply_kind kind;
    uint8_t responder_cookie[IKE_COOKIE_LEN];
    struct ike_transform chosen; /* v1, accepted */
    uint16_t life_type;          /* v1, accepted: 1 seconds */
    uint32_t life_seconds;
    uint16_t notify;
    uint16_t ke_group;
    bool natt_vendor_id; /* v1: the server speaks RFC 3947 */
};

/* Parses a reply to our MM1, which offered offer[0..offer_count). Rejects
 * (L2F_ERR_PARSE, reason in err) what is not one: too short or too long, a
 * length field that disagrees with the datagram, another initiator cookie,
 * another version or exchange, a payload chain that runs out of the packet,
 * more than one transform chosen, or one we did not offer attribute for
 * attribute (RFC 2408 4.2), lifetime included. */
enum l2f_status ike_v1_parse_reply(const uint8_t *buf, size_t len,
                                   const uint8_t cookie[IKE_COOKIE_LEN], bool marker,
                                   const struct ike_transform *offer, size_t offer_count,
                                   struct ike_reply *out, struct l2f_err *err);

/* IKE_SA_INIT offering AES-CBC, SHA1/SHA-256 and the MODP groups, with a KE of
 * group ke_group (2 or 14) made from random (the probe never completes the
 * exchange) and a nonce. random must be 32 + the group's size in bytes. */
size_t ike_v2_build_sa_init(uint8_t *buf, size_t len, const uint8_t spi[IKE_COOKIE_LEN],
                            uint16_t ke_group, const uint8_t *random, size_t random_len);
/* How many random bytes ike_v2_build_sa_init needs for a group (0: unsupported). */
size_t ike_v2_random_needed(uint16_t ke_group);
enum l2f_status ike_v2_parse_reply(const uint8_t *buf, size_t len,
                                   const uint8_t spi[IKE_COOKIE_LEN], struct ike_reply *out,
                                   struct l2f_err *err);

#endif
