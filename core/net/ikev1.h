/* An IKEv1 initiator in user space, as a Windows L2TP/IPsec client is one:
 * Main Mode with a pre-shared key (RFC 2409), NAT traversal (RFC 3947), Quick
 * Mode for ESP in transport mode protecting UDP 1701, then ESP in UDP
 * (RFC 3948) to carry L2TP. Blocking calls, all bounded by one deadline set
 * when the session opens. The key is used in Main Mode and never kept. */
#ifndef L2F_NET_IKEV1_H
#define L2F_NET_IKEV1_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "status.h"

struct ikev1;

struct ikev1_phase1 {
    enum psk_verdict verdict;
    char reason[128];
    char transform[64];    /* "aes256-sha1-modp2048" */
    int behind_nat;        /* this client, by the server's NAT-D: 1, 0, -1 not known */
    int server_behind_nat; /* the server, by its own NAT-D */
    bool floated;          /* moved to UDP 4500 */
    unsigned ms;
};

struct ikev1_phase2 {
    bool up;
    char reason[128];
    char transform[64]; /* "esp-aes256-sha1 udp-transport" */
    unsigned ms;
};

/* Opens a UDP socket toward host:port; the whole session must end by
 * timeout_ms from now. IPv4 only. */
enum l2f_status ikev1_open(struct ikev1 **out, const char *host, uint16_t port, unsigned timeout_ms,
                           struct l2f_err *err);
/* Claims a NAT in our NAT-D so that the server moves ESP into UDP: user space
 * cannot send IP protocol 50, only UDP. Call before Main Mode. */
void ikev1_want_udp_encapsulation(struct ikev1 *s);
/* Main Mode, messages 1 to 6. The offer is Windows' (ECP 384 and 256, MODP
 * 2048 and 1024) with SHA-256 variants beside SHA1. */
void ikev1_main_mode(struct ikev1 *s, const char *psk, struct ikev1_phase1 *out);
/* Quick Mode after an accepted Main Mode: ESP, UDP-encapsulated transport
 * when floated, for UDP port 1701 both ways. */
void ikev1_quick_mode(struct ikev1 *s, struct ikev1_phase2 *out);

/* An L2TP datagram (UDP 1701 to 1701) inside ESP. */
enum l2f_status ikev1_esp_send(struct ikev1 *s, const uint8_t *payload, size_t len,
                               struct l2f_err *err);
/* The next UDP payload out of ESP, answering IKE housekeeping (dead peer
 * detection) meanwhile; waits at most wait_ms and never past the deadline.
 * 1: a payload, 0: none in time, -1: the server deleted the SA or the
 * socket failed (ikev1_peer_deleted tells which). */
int ikev1_esp_recv(struct ikev1 *s, uint8_t *buf, size_t cap, size_t *len, unsigned wait_ms);

struct ikev1_counters {
    unsigned esp_sent, esp_received, esp_dropped;
    unsigned unreachable;  /* ICMP errors back for what we sent */
    const char *last_drop; /* why the last ESP packet was dropped */
};
void ikev1_counters(const struct ikev1 *s, struct ikev1_counters *out);
bool ikev1_peer_deleted(const struct ikev1 *s);
/* Once *cancel is set (from another thread) the session's deadline is now:
 * every blocking call returns within 50 ms. */
void ikev1_set_cancel(struct ikev1 *s, const atomic_int *cancel);
/* Milliseconds left before the deadline. */
unsigned ikev1_time_left(const struct ikev1 *s);

/* Deletes what was set up (the ESP SA, then the IKE SA), closes the socket,
 * wipes every key and frees. NULL is fine. */
void ikev1_close(struct ikev1 *s);

#endif
