/* One bounded writer for every packet built here (IKEv1, IKEv2, the lab's
 * responder): it never writes past cap, and any put or patch that does not
 * fit sets failed, after which nothing more is written. */
#ifndef L2F_NET_NETWRITER_H
#define L2F_NET_NETWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_writer {
    uint8_t *buf;
    size_t cap;  /* bytes buf holds */
    size_t pos;  /* bytes written so far */
    bool failed; /* a put or patch did not fit: the packet is unusable */
};

void nw_init(struct net_writer *w, uint8_t *buf, size_t cap);
void nw_bytes(struct net_writer *w, const void *p, size_t n);
void nw_u8(struct net_writer *w, unsigned v);
void nw_u16(struct net_writer *w, unsigned v);
void nw_u32(struct net_writer *w, unsigned long v);
/* Room for n bytes the caller fills (a cipher's output); NULL and failed if they do not fit. */
uint8_t *nw_reserve(struct net_writer *w, size_t n);
/* Overwrite bytes written earlier (a length known only at the end); at must
 * lie inside what was written. */
void nw_patch8(struct net_writer *w, size_t at, unsigned v);
void nw_patch16(struct net_writer *w, size_t at, size_t v);
void nw_patch32(struct net_writer *w, size_t at, size_t v);

#endif
