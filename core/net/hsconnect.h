/* The real handshake as a test connection: hs_run on a thread of its own,
 * its stages turned into the connect events the checklist already lights up
 * (struct connect_event), read without blocking. The secrets are copied in
 * and wiped when the run ends. */
#ifndef L2F_NET_HSCONNECT_H
#define L2F_NET_HSCONNECT_H

#include <stdbool.h>

#include "backend.h"
#include "net/handshake.h"
#include "status.h"

struct hs_connect;

/* Starts the run; opts' strings are copied. The run tries the key, so it is
 * paced like a key check in pace_dir: this waits out the pause (or fails when
 * another check holds the lock) and the run holds the lock until it is over. */
enum l2f_status hs_connect_start(struct hs_connect **out, const struct hs_options *opts,
                                 const char *pace_dir, struct l2f_err *err);
/* The next event, if one is ready; CONNECT_DONE comes last. */
bool hs_connect_poll(struct hs_connect *c, struct connect_event *ev);
/* The run's whole result, once hs_connect_poll has returned CONNECT_DONE. */
const struct hs_result *hs_connect_result(const struct hs_connect *c);
/* Ends the run: it stops within 50 ms wherever it is, tears down what it set
 * up (sending, not waiting), and its thread is joined before this returns, so
 * nothing of it outlives the call. */
void hs_connect_release(struct hs_connect *c);

/* The events one run's stages make, in order (pure: tested on its own):
 * a stage's PASS and the next stage's BEGIN, or DONE with the failure. */
size_t hs_connect_events(enum stage_id stage, const struct hs_stage *s,
                         const struct hs_result *so_far, struct connect_event *out, size_t max);

#endif
