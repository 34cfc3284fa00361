/* What a server that refuses Windows' offer does accept: a bounded
 * enumeration of single-transform IKEv1 Main Mode offers, one at a time, the
 * likely transforms first. Pure: the caller owns the socket and the clock, so
 * the same steps run on the wire (net/probe), in the mock (by rule) and in the
 * unit tests. Also what Windows offers with and without AllowL2TPWeakCrypto,
 * and the remedy that follows from the server's answers. */
#ifndef L2F_NET_PROBEENUM_H
#define L2F_NET_PROBEENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ike.h"

#define PROBE_ENUM_MAX 32 /* proposals sent per run: a hard count bound */
/* Each acceptance leaves a half-open IKE SA on the server (strongSwan ignores a
 * source with 5 of them for 30 s): stop after this many. */
#define PROBE_ENUM_STOP_AFTER 3
#define PROBE_ACCEPTS_MAX PROBE_ENUM_STOP_AFTER
/* Never faster than the probe itself: its three exchanges are each resent once
 * a second, so at most one proposal per third of a second. */
#define PROBE_ENUM_GAP_MS 334
#define PROBE_ENUM_WAIT_MS 1000 /* silence after this long: not accepted, next one */
#define PROBE_TRANSFORM_NAME 32 /* "aes256-sha256-modp2048" and its NUL */

/* The transforms the server accepted, in the order they were tried. */
struct probe_accepts {
    char names[PROBE_ACCEPTS_MAX][PROBE_TRANSFORM_NAME];
    size_t count;
    unsigned sent; /* proposals sent (at most PROBE_ENUM_MAX) */
    bool complete; /* every candidate within the bound was asked, or the stop was reached */
};

/* The enumeration's state: one proposal in flight at a time. */
struct probe_enum {
    size_t next;  /* index of the next candidate */
    bool waiting; /* a proposal is out, its answer not yet in */
    uint8_t cookie[IKE_COOKIE_LEN];
    uint64_t sent_at;
    struct probe_accepts result;
    bool done;
};

/* The candidates in the order they are tried, and how many there are. */
extern const struct ike_transform probe_enum_candidates[];
extern const size_t probe_enum_candidate_count;

void probe_enum_init(struct probe_enum *e);
/* When it is time (the last answer in or given up on, the gap passed), builds
 * the next offer into buf with cookie and returns its length; 0 otherwise, or
 * once done. now: a monotonic clock in ms. */
size_t probe_enum_next(struct probe_enum *e, uint64_t now, const uint8_t cookie[IKE_COOKIE_LEN],
                       uint8_t *buf, size_t len);
/* A datagram from the server: an answer to the offer in flight or ignored. */
void probe_enum_reply(struct probe_enum *e, const uint8_t *buf, size_t len);
/* Gives up on a silent answer; marks done when nothing is left to ask. */
void probe_enum_tick(struct probe_enum *e, uint64_t now);
/* When the enumeration next needs the clock (a send or a give-up). */
uint64_t probe_enum_wake(const struct probe_enum *e);

/* The same walk by rule, for a simulated server that accepts server[0..n). */
void probe_enum_by_rule(const struct ike_transform *server, size_t n, struct probe_accepts *out);

/* "3des-md5-modp1024" -> the transform (PSK auth); false, naming nothing, when
 * it is not one this tool can offer. */
bool probe_transform_parse(const char *name, struct ike_transform *out);
bool probe_transform_equal(const struct ike_transform *a, const struct ike_transform *b);

/* Whether Windows' L2TP/IPsec client offers t, with AllowL2TPWeakCrypto=1 (weak)
 * or without. */
bool probe_windows_offers(const struct ike_transform *t, bool weak);
/* DES or MD5: what only AllowL2TPWeakCrypto lets Windows offer. */
bool probe_transform_is_weak(const struct ike_transform *t);

enum proposal_remedy {
    REMEDY_UNKNOWN,     /* nothing accepted within the bound: the server's set-up is unknown */
    REMEDY_WEAK_CRYPTO, /* only DES/MD5 that Windows offers with AllowL2TPWeakCrypto=1 */
    REMEDY_SERVER       /* the server must add a transform Windows offers */
};
/* What to do about a server that accepted names[0..n) and none of Windows'
 * offer; suggest gets the transform to add on the server (REMEDY_SERVER). */
enum proposal_remedy probe_proposal_remedy(const char (*names)[PROBE_TRANSFORM_NAME], size_t n,
                                           char *suggest, size_t len);

#endif
