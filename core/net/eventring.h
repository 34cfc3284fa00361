/* The events a live test sends from its worker thread to the UI (hsconnect for
 * L2TP/IPsec, ikev2connect for IKEv2): one producer, one consumer, so a ring
 * with atomic ends needs no lock. The run's first DONE is held back until the
 * run has returned, so its result is whole when the caller sees it. */
#ifndef L2F_NET_EVENTRING_H
#define L2F_NET_EVENTRING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

#define EVENT_RING_SIZE 32 /* more than one run makes: 2 per stage and DONE */

struct event_ring {
    struct connect_event q[EVENT_RING_SIZE];
    atomic_uint head, tail;
    struct connect_event done; /* the first DONE, held until the run returns */
    bool have_done;
};

/* Fills e; a detail longer than the event holds is cut. */
void connect_event_set(struct connect_event *e, enum connect_event_kind kind, enum stage_id stage,
                       int code, const char *detail);
/* Queues e; a full ring (never with one run's events) drops it rather than overwrite. */
void event_ring_push(struct event_ring *r, const struct connect_event *e);
/* PASS and BEGIN are queued at once; the first DONE among them is held. */
void event_ring_offer(struct event_ring *r, const struct connect_event *ev, size_t n);
/* The oldest queued event; false when none is waiting. */
bool event_ring_pop(struct event_ring *r, struct connect_event *ev);

#endif
