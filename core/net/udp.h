/* One small UDP socket layer for POSIX and Winsock: connected, non-blocking
 * sockets and a wait for any of them to become readable. */
#ifndef L2F_NET_UDP_H
#define L2F_NET_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* An address the way getaddrinfo gives it, kept opaque here. */
struct net_addr {
    unsigned char storage[128]; /* a struct sockaddr_storage */
    unsigned len;
};

struct udp_sock {
    intptr_t fd; /* -1 when closed */
};

enum l2f_status net_init(void); /* Winsock start-up; nothing on POSIX */
/* Every address host resolves to (IPv4 first, then IPv6), at most max. */
enum l2f_status net_resolve(const char *host, struct net_addr *out, size_t max, size_t *count,
                            struct l2f_err *err);
/* host is an IPv4 or IPv6 address, not a name. */
bool net_is_literal(const char *host);
void net_addr_format(const struct net_addr *a, char *buf, size_t len); /* "192.0.2.1" */
void net_addr_set_port(struct net_addr *a, uint16_t port);
/* The address is private (RFC 1918), shared (RFC 6598 CGNAT) or loopback. */
bool net_addr_is_private(const struct net_addr *a);

enum l2f_status udp_connect(struct udp_sock *s, const struct net_addr *to, struct l2f_err *err);
/* The local address the kernel chose toward the peer (for NAT hints). */
bool udp_local_address(const struct udp_sock *s, struct net_addr *out);
enum l2f_status udp_send(struct udp_sock *s, const void *buf, size_t len, struct l2f_err *err);
/* Reads one datagram: L2F_OK with *got set, or *got = 0 when none is waiting.
 * An ICMP port unreachable on the connected socket comes back as
 * L2F_ERR_NOT_FOUND. */
enum l2f_status udp_recv(struct udp_sock *s, void *buf, size_t len, size_t *got,
                         struct l2f_err *err);
void udp_close(struct udp_sock *s);
/* The raw IPv4 address and port of an address (false for IPv6), for NAT-D and IDs. */
bool net_addr_ipv4(const struct net_addr *a, uint8_t ip[4], uint16_t *port);
/* An unconnected socket on a port of its own, for one peer on several ports
 * (IKE on 500 and 4500 from the same source port); *local gets the address
 * the system would use toward peer, with that port. */
enum l2f_status udp_open_toward(struct udp_sock *s, const struct net_addr *peer,
                                struct net_addr *local, struct l2f_err *err);
enum l2f_status udp_send_to(struct udp_sock *s, const struct net_addr *to, const void *buf,
                            size_t len, struct l2f_err *err);
/* As udp_recv, and who sent it. */
enum l2f_status udp_recv_from(struct udp_sock *s, void *buf, size_t len, size_t *got,
                              struct net_addr *from, struct l2f_err *err);
/* Waits up to timeout_ms for any socket to be readable; returns how many are. */
int udp_wait(struct udp_sock *const *socks, size_t n, unsigned timeout_ms);

#endif
