/* Inside the probe, for the fuzz harness and the unit tests only: a probe
 * with a known cookie and no sockets, and its reply handling fed directly,
 * so that any bytes reach the real state machine. Nothing else includes this. */
#ifndef L2F_NET_PROBE_INTERNAL_H
#define L2F_NET_PROBE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "net/ike.h"
#include "net/probe.h"

/* A probe whose three exchanges were sent with cookie; probe_free frees it. */
struct probe *probe_fixed(const uint8_t cookie[IKE_COOKIE_LEN]);
/* A datagram for exchange k, as if it came from the server. */
void probe_feed(struct probe *p, enum probe_kind k, const uint8_t *buf, size_t len);
/* The deadline passes for every exchange still open. */
void probe_expire(struct probe *p);

#endif
