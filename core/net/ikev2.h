/* IKEv2 (RFC 7296) as Windows' built-in client speaks it, for a user-space
 * check of a server: IKE_SA_INIT with Windows' proposals, the key schedule,
 * the SK payload, IKE_AUTH payloads, RFC 7383 fragments, EAP-MSCHAPv2 framing
 * and its MSK. Pure functions (no sockets, no clock); the run is in
 * ikev2run.h. Every length from the wire is checked before it sizes a copy. */
#ifndef L2F_NET_IKEV2_H
#define L2F_NET_IKEV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netwriter.h"
#include "status.h"

/* Transform ids (RFC 7296 3.3.2, IANA "IKEv2 Parameters") */
#define IKEV2_ENCR_3DES 3
#define IKEV2_ENCR_AES_CBC 12
#define IKEV2_PRF_HMAC_SHA1 2
#define IKEV2_PRF_HMAC_SHA256 5
#define IKEV2_PRF_HMAC_SHA384 6
#define IKEV2_INTEG_SHA1_96 2
#define IKEV2_INTEG_SHA256_128 12
#define IKEV2_INTEG_SHA384_192 13

/* Payload types (RFC 7296 3.2; SKF RFC 7383 2.5) */
#define IKEV2_PL_IDI 35
#define IKEV2_PL_IDR 36
#define IKEV2_PL_CERT 37
#define IKEV2_PL_CERTREQ 38
#define IKEV2_PL_AUTH 39
#define IKEV2_PL_DELETE 42
#define IKEV2_PL_TSI 44
#define IKEV2_PL_TSR 45
#define IKEV2_PL_SK 46
#define IKEV2_PL_CP 47
#define IKEV2_PL_EAP 48
#define IKEV2_PL_SKF 53

#define IKEV2_EX_IKE_AUTH 35
#define IKEV2_EX_INFORMATIONAL 37
#define IKEV2_FLAG_INITIATOR 0x08
#define IKEV2_FLAG_RESPONSE 0x20

/* Notify types (RFC 7296 3.10.1, RFC 7383) */
#define IKEV2_N_UNSUPPORTED_CRITICAL 1
#define IKEV2_N_INVALID_SYNTAX 7
#define IKEV2_N_NO_PROPOSAL_CHOSEN 14
#define IKEV2_N_INVALID_KE 17
#define IKEV2_N_AUTHENTICATION_FAILED 24
#define IKEV2_N_SINGLE_PAIR_REQUIRED 34
#define IKEV2_N_INTERNAL_ADDRESS_FAILURE 36
#define IKEV2_N_FAILED_CP_REQUIRED 37
#define IKEV2_N_TS_UNACCEPTABLE 38
#define IKEV2_N_NAT_SRC 16388
#define IKEV2_N_NAT_DST 16389
#define IKEV2_N_COOKIE 16390
#define IKEV2_N_FRAGMENTATION_SUPPORTED 16430

#define IKEV2_SPI_LEN 8
#define IKEV2_NONCE_LEN 32
#define IKEV2_MAX_COOKIE 64
#define IKEV2_MAX_KEY 64 /* the longest prf output or key here: SHA-384's 48 */
#define IKEV2_MSK_LEN 64
#define IKEV2_NATD_LEN 20 /* SHA-1 */

struct ikev2_suite {
    uint16_t encr, encr_bits, prf, integ, dh;
};

/* What Windows 10's IKEv2 client offers in IKE_SA_INIT, in its order: six
 * proposals, all MODP 1024, as strongSwan logs them ("received proposals",
 * quericy/one-key-ikev2-vpn issue 124, a Windows 10 client; the same six in
 * trailofbits/algo issue 9). */
extern const struct ikev2_suite ikev2_windows_offer[];
extern const size_t ikev2_windows_offer_count;

/* "aes256-sha256-modp1024" */
void ikev2_suite_name(const struct ikev2_suite *s, char *buf, size_t len);

/* ---- crypto (OpenSSL; false everywhere when the build has none) ---- */
size_t ikev2_prf_len(uint16_t prf);
bool ikev2_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data,
               size_t data_len, uint8_t *out);
/* prf+ (RFC 7296 2.13): T1 | T2 | ... cut to out_len (at most 255 prf outputs). */
bool ikev2_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
                    size_t seed_len, uint8_t *out, size_t out_len);

struct ikev2_keys {
    uint8_t d[IKEV2_MAX_KEY], ai[IKEV2_MAX_KEY], ar[IKEV2_MAX_KEY], ei[32], er[32];
    uint8_t pi[IKEV2_MAX_KEY], pr[IKEV2_MAX_KEY];
    size_t prf_len, integ_key_len, icv_len, encr_key_len, block;
};
/* SKEYSEED = prf(Ni | Nr, g^ir); {SK_d SK_ai SK_ar SK_ei SK_er SK_pi SK_pr}
 * = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (RFC 7296 2.14). */
bool ikev2_derive_keys(const struct ikev2_suite *s, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                       const uint8_t spi_i[8], const uint8_t spi_r[8], struct ikev2_keys *k);

/* Wraps plain (inner payloads, the first of type first) in an SK payload
 * after the 28-byte header already at msg[0..28): IV from iv, padding,
 * ICV with SK_ai; the header's next payload and length are set. Returns the
 * message's length, 0 when cap is too small. */
size_t ikev2_sk_seal(const struct ikev2_suite *s, const struct ikev2_keys *k, uint8_t *msg,
                     size_t cap, unsigned first, const uint8_t *plain, size_t plain_len,
                     const uint8_t *iv);
/* Checks the ICV (SK_ar) of msg[0..len) and decrypts the SK or SKF payload
 * whose body starts at msg[body_at] (for SKF after its 4 fragment bytes) into
 * out; *out_len is the plaintext without padding. */
enum l2f_status ikev2_sk_open(const struct ikev2_suite *s, const struct ikev2_keys *k,
                              const uint8_t *msg, size_t len, size_t body_at, uint8_t *out,
                              size_t cap, size_t *out_len, struct l2f_err *err);

/* ---- IKE_SA_INIT ---- */
/* NAT-D: SHA-1(SPIi | SPIr | IPv4 | port) (RFC 7296 2.23). */
bool ikev2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t ip[4],
                     uint16_t port, uint8_t out[IKEV2_NATD_LEN]);

struct ikev2_init_request {
    uint8_t spi_i[8];
    uint16_t ke_group;
    const uint8_t *ke; /* the public value, ikec_dh_len(ke_group) bytes */
    size_t ke_len;
    uint8_t nonce[IKEV2_NONCE_LEN];
    uint8_t natd_src[IKEV2_NATD_LEN], natd_dst[IKEV2_NATD_LEN];
    const uint8_t *cookie; /* NULL, or the server's COOKIE data to echo first */
    size_t cookie_len;
};
/* SA (Windows' proposals, every one with ke_group as DH when it differs
 * from 1024 after INVALID_KE), KE, Ni, NAT-D source and destination,
 * IKEV2_FRAGMENTATION_SUPPORTED. Returns the length, 0 if buf is too small. */
size_t ikev2_build_init(uint8_t *buf, size_t cap, const struct ikev2_init_request *r);

enum ikev2_init_kind {
    IKEV2_INIT_ACCEPTED,
    IKEV2_INIT_NOTIFY,     /* an error notify (notify) */
    IKEV2_INIT_INVALID_KE, /* another group wanted (ke_group) */
    IKEV2_INIT_COOKIE      /* cookie holds what to echo */
};

struct ikev2_init_reply {
    enum ikev2_init_kind kind;
    uint16_t notify, ke_group;
    uint8_t cookie[IKEV2_MAX_COOKIE];
    size_t cookie_len;
    uint8_t spi_r[8];
    struct ikev2_suite chosen;
    const uint8_t *ke, *nonce; /* into the parsed buffer */
    size_t ke_len, nonce_len;
    bool natd_src_seen, natd_dst_seen; /* and their hashes, for the caller to compare */
    uint8_t natd_src[IKEV2_NATD_LEN], natd_dst[IKEV2_NATD_LEN];
    bool fragmentation, certreq;
};
/* Parses the answer to our IKE_SA_INIT (spi_i). The chosen proposal must be
 * one of ours exactly, its DH the KE's group. */
enum l2f_status ikev2_parse_init(const uint8_t *buf, size_t len, const uint8_t spi_i[8],
                                 struct ikev2_init_reply *out, struct l2f_err *err);

/* ---- payload chains ---- */
struct ikev2_writer {
    struct net_writer out; /* the bytes; out.failed if the chain did not fit */
    size_t prev_next;      /* where the previous payload's next-payload byte is; SIZE_MAX none */
    unsigned first;        /* the type of the first payload */
};
void ikev2_w_init(struct ikev2_writer *w, uint8_t *buf, size_t cap);
/* Appends a payload of type with body (its 4-byte header made here). */
void ikev2_w_payload(struct ikev2_writer *w, unsigned type, const uint8_t *body, size_t len);

/* The 28-byte header. */
void ikev2_header(uint8_t *buf, const uint8_t spi_i[8], const uint8_t spi_r[8], unsigned next,
                  unsigned exchange, unsigned flags, uint32_t message_id);

/* IKE_AUTH's first request, without AUTH so the server asks for EAP (RFC
 * 7296 2.16): IDi (ID_IPV4_ADDR, our address: Windows sends its address and
 * gives the user name in EAP-Identity), CERTREQ (SHA-1 of the CA key when one
 * is given, else empty), CP request for an address and DNS, an ESP SA with
 * spi, TSi and TSr for everything. The inner payloads, plain. */
struct ikev2_auth_request {
    uint8_t my_ip[4];
    const uint8_t *ca_key_sha1; /* NULL or 20 bytes */
    uint8_t esp_spi[4];
};
size_t ikev2_build_auth1(uint8_t *buf, size_t cap, const struct ikev2_auth_request *r,
                         size_t *idi_at, size_t *idi_len);

/* ---- what comes back inside SK ---- */
#define IKEV2_MAX_CERTS 8
struct ikev2_auth_reply {
    const uint8_t *idr; /* IDr's body: type, 3 reserved, data */
    size_t idr_len;
    const uint8_t *certs[IKEV2_MAX_CERTS]; /* DER, the first is the server's own */
    size_t cert_len[IKEV2_MAX_CERTS];
    size_t cert_count;
    unsigned auth_method;
    const uint8_t *auth; /* AUTH data after method and 3 reserved */
    size_t auth_len;
    const uint8_t *eap;
    size_t eap_len;
    uint16_t error_notify; /* the first error notify, 0 none */
    bool child_sa;         /* an SA payload came back: the CHILD_SA was installed */
};
enum l2f_status ikev2_parse_auth(const uint8_t *plain, size_t len, unsigned first,
                                 struct ikev2_auth_reply *out, struct l2f_err *err);

/* ---- RFC 7383 fragments ---- */
#define IKEV2_MAX_FRAGMENTS 32
#define IKEV2_MAX_REASSEMBLED 65536
struct ikev2_reassembly {
    uint32_t message_id;
    uint16_t total;
    unsigned first; /* fragment 1's next payload */
    size_t have_count;
    size_t len[IKEV2_MAX_FRAGMENTS];
    uint8_t *part[IKEV2_MAX_FRAGMENTS]; /* malloc'd plaintexts */
};
void ikev2_reasm_reset(struct ikev2_reassembly *r, uint32_t message_id);
/* Adds fragment number of total; true when all are in. Bounded by
 * IKEV2_MAX_FRAGMENTS and IKEV2_MAX_REASSEMBLED; a total that changes, a
 * number out of range or a repeat is refused (err). */
enum l2f_status ikev2_reasm_add(struct ikev2_reassembly *r, unsigned number, unsigned total,
                                unsigned next, const uint8_t *plain, size_t len, bool *complete,
                                struct l2f_err *err);
/* Copies the whole into out (malloc'd; caller frees). */
enum l2f_status ikev2_reasm_join(struct ikev2_reassembly *r, uint8_t **out, size_t *len,
                                 struct l2f_err *err);
void ikev2_reasm_free(struct ikev2_reassembly *r);

/* ---- EAP (RFC 3748) and EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2) ---- */
#define EAP_REQUEST 1
#define EAP_RESPONSE 2
#define EAP_SUCCESS 3
#define EAP_FAILURE 4
#define EAP_TYPE_IDENTITY 1
#define EAP_TYPE_NAK 3
#define EAP_TYPE_MSCHAPV2 26
#define MSCHAPV2_OP_CHALLENGE 1
#define MSCHAPV2_OP_RESPONSE 2
#define MSCHAPV2_OP_SUCCESS 3
#define MSCHAPV2_OP_FAILURE 4

struct eap_packet {
    unsigned code, id, type; /* type 0 for Success/Failure */
    const uint8_t *data;     /* after the type byte */
    size_t len;
    /* EAP-MSCHAPv2 */
    unsigned op, ms_id;
    uint8_t challenge[16];
    const uint8_t *message; /* Success / Failure text */
    size_t message_len;
};
enum l2f_status eap_parse(const uint8_t *p, size_t len, struct eap_packet *out,
                          struct l2f_err *err);
size_t eap_build_identity(uint8_t *buf, size_t cap, unsigned id, const char *user);
/* A Nak asking for EAP-MSCHAPv2 instead of what the server proposed. */
size_t eap_build_nak(uint8_t *buf, size_t cap, unsigned id);
size_t eap_build_mschapv2_response(uint8_t *buf, size_t cap, unsigned id, unsigned ms_id,
                                   const uint8_t peer_challenge[16], const uint8_t nt_response[24],
                                   const char *user);
/* The one-byte answer to a Success or Failure request (op). */
size_t eap_build_mschapv2_ack(uint8_t *buf, size_t cap, unsigned id, unsigned op);

/* MSK = MasterReceiveKey | MasterSendKey | 32 zero bytes (RFC 3079 3.4 keys,
 * laid out as strongSwan's eap_mschapv2 does). */
bool ikev2_mschapv2_msk(const char *password, const uint8_t nt_response[24],
                        uint8_t msk[IKEV2_MSK_LEN]);

/* The signed octets of RFC 7296 2.15: message | other's nonce | prf(SK_p, ID
 * body). out must hold msg_len + nonce_len + prf_len. Returns the length. */
size_t ikev2_signed_octets(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *msg,
                           size_t msg_len, const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *id, size_t id_len, uint8_t *out);
/* AUTH with a shared key: prf(prf(key, "Key Pad for IKEv2"), octets). */
bool ikev2_psk_auth(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *octets,
                    size_t len, uint8_t *out);

#endif
