/* ESP (RFC 4303) for one security association, carried in UDP (RFC 3948):
 * CBC encryption, an HMAC integrity check, sequence numbers and a replay
 * window. Pure functions: the caller brings the IV and the socket. */
#ifndef L2F_NET_ESP_H
#define L2F_NET_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESP_HEADER_LEN 8 /* SPI, sequence number */
#define ESP_MAX_ICV 16
#define ESP_REPLAY_WINDOW 64
#define ESP_NEXT_UDP 17

struct esp_sa {
    uint8_t spi[4];
    uint16_t enc, key_bits; /* IKE_ENC_AES_CBC or IKE_ENC_3DES, as ikecrypto names them */
    uint16_t auth;          /* IKE_HASH_SHA1: HMAC-SHA1-96 */
    uint8_t enc_key[32], auth_key[32];
    size_t enc_key_len, auth_key_len, icv_len, block;
    uint32_t seq;    /* outbound: the last number sent */
    uint32_t top;    /* inbound: the highest number accepted */
    uint64_t window; /* inbound: bit i set = top - i seen */
};

/* Fills the lengths from the algorithms; false for one this code lacks. */
bool esp_sa_setup(struct esp_sa *sa, uint16_t enc, uint16_t key_bits, uint16_t auth);
/* Bytes of keying material the SA needs: encryption key, then auth key. */
size_t esp_keymat_len(const struct esp_sa *sa);
/* Takes the keys from KEYMAT in that order. */
void esp_sa_keys(struct esp_sa *sa, const uint8_t *keymat);

/* Seals payload (an upper-layer packet of protocol next_header) with the
 * next sequence number and iv (one block, fresh and random per packet).
 * Returns the packet's length, 0 when out is too small or the sequence
 * number would wrap (the SA must be replaced then). */
size_t esp_seal(struct esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
                const uint8_t *iv, uint8_t *out, size_t cap);

enum esp_open_result {
    ESP_OPEN_OK,
    ESP_OPEN_MALFORMED, /* too short, not whole blocks */
    ESP_OPEN_OTHER_SPI,
    ESP_OPEN_REPLAY, /* seen before, or older than the window */
    ESP_OPEN_BAD_ICV,
    ESP_OPEN_BAD_PADDING
};
const char *esp_open_result_name(enum esp_open_result r);

/* Checks and opens an ESP packet: the window before the ICV (cheap), the ICV,
 * then the window moves; the padding must be 1, 2, 3, ... (RFC 4303 2.4).
 * The payload goes to out, its length to *out_len. */
enum esp_open_result esp_open(struct esp_sa *sa, const uint8_t *pkt, size_t len, uint8_t *out,
                              size_t cap, size_t *out_len, uint8_t *next_header);

/* The replay window on its own (RFC 4303 3.4.3 and appendix A2). */
bool esp_replay_ok(const struct esp_sa *sa, uint32_t seq);
void esp_replay_accept(struct esp_sa *sa, uint32_t seq);

/* An inner UDP header before payload, checksum 0 (allowed for UDP over IPv4,
 * and what a transport-mode peer behind NAT cannot check anyway). */
size_t esp_udp_wrap(uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len,
                    uint8_t *out, size_t cap);
/* The payload of an inner UDP datagram; false when the header is not whole
 * or its length disagrees. */
bool esp_udp_unwrap(const uint8_t *dgram, size_t len, uint16_t *sport, uint16_t *dport,
                    const uint8_t **payload, size_t *payload_len);

#endif
