#include "eventring.h"

#include <string.h>

void connect_event_set(struct connect_event *e, enum connect_event_kind kind, enum stage_id stage,
                       int code, const char *detail)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->stage = stage;
    e->code = code;
    size_t n = strlen(detail) < sizeof e->detail - 1 ? strlen(detail) : sizeof e->detail - 1;
    memcpy(e->detail, detail, n); /* cut, on purpose */
    e->detail[n] = '\0';
}

void event_ring_push(struct event_ring *r, const struct connect_event *e)
{
    unsigned tail = atomic_load(&r->tail);
    if (tail - atomic_load(&r->head) >= EVENT_RING_SIZE)
        return;
    r->q[tail % EVENT_RING_SIZE] = *e;
    atomic_store(&r->tail, tail + 1);
}

void event_ring_offer(struct event_ring *r, const struct connect_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind != CONNECT_DONE)
            event_ring_push(r, &ev[i]);
        else if (!r->have_done)
            r->done = ev[i], r->have_done = true;
    }
}

bool event_ring_pop(struct event_ring *r, struct connect_event *ev)
{
    unsigned head = atomic_load(&r->head);
    if (head == atomic_load(&r->tail))
        return false;
    *ev = r->q[head % EVENT_RING_SIZE];
    atomic_store(&r->head, head + 1);
    return true;
}
