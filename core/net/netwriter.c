#include "net/netwriter.h"

#include <string.h>

#include "net/bytes.h"

void nw_init(struct net_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->failed = false;
}

uint8_t *nw_reserve(struct net_writer *w, size_t n)
{
    /* written as a subtraction: pos + n could wrap */
    if (w->failed || n > w->cap - w->pos) {
        w->failed = true;
        return NULL;
    }
    uint8_t *at = w->buf + w->pos;
    w->pos += n;
    return at;
}

void nw_bytes(struct net_writer *w, const void *p, size_t n)
{
    uint8_t *at = nw_reserve(w, n);
    if (at && n)
        memcpy(at, p, n);
}

void nw_u8(struct net_writer *w, unsigned v)
{
    uint8_t *at = nw_reserve(w, 1);
    if (at)
        at[0] = (uint8_t)v;
}

void nw_u16(struct net_writer *w, unsigned v)
{
    uint8_t *at = nw_reserve(w, 2);
    if (at)
        be16_put(at, v);
}

void nw_u32(struct net_writer *w, unsigned long v)
{
    uint8_t *at = nw_reserve(w, 4);
    if (at)
        be32_put(at, v);
}

/* Where n bytes at at may be patched: only inside what was written. */
static uint8_t *patch_at(struct net_writer *w, size_t at, size_t n)
{
    if (w->failed || at > w->pos || n > w->pos - at) {
        w->failed = true;
        return NULL;
    }
    return w->buf + at;
}

void nw_patch8(struct net_writer *w, size_t at, unsigned v)
{
    uint8_t *p = patch_at(w, at, 1);
    if (p)
        p[0] = (uint8_t)v;
}

void nw_patch16(struct net_writer *w, size_t at, size_t v)
{
    uint8_t *p = patch_at(w, at, 2);
    if (p)
        be16_put(p, v);
}

void nw_patch32(struct net_writer *w, size_t at, size_t v)
{
    uint8_t *p = patch_at(w, at, 4);
    if (p)
        be32_put(p, v);
}
