/* The IKEv2 exchange as a test connection: ikev2_run (or a backend's
 * simulation of it, replayed at a pace) on a thread of its own, its three
 * stages turned into the connect events the checklist already lights up,
 * read without blocking. The secrets are copied in and wiped when the run
 * ends; the outcome is remembered for the diagnosis (ikev2_remember). */
#ifndef L2F_NET_IKEV2CONNECT_H
#define L2F_NET_IKEV2CONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "net/ikev2run.h"
#include "status.h"

struct ikev2_connect;

/* opts' strings are copied (progress and cancel are the run's own). When
 * simulated is not NULL its stages are replayed, one every step_ms, instead
 * of the real exchange. state_dir: where the outcome is remembered (NULL or
 * empty: nowhere). */
enum l2f_status ikev2_connect_start(struct ikev2_connect **out, const struct ikev2_options *opts,
                                    const struct ikev2_result *simulated, unsigned step_ms,
                                    const char *state_dir, struct l2f_err *err);
/* The next event, if one is ready; CONNECT_DONE comes last. */
bool ikev2_connect_poll(struct ikev2_connect *c, struct connect_event *ev);
/* Ends the run: it stops within 50 ms (one receive slice) wherever it is, the
 * thread is joined and the secrets wiped before this returns. A run ended
 * before its DONE is not remembered. */
void ikev2_connect_release(struct ikev2_connect *c);

/* The events one decided stage makes (pure: tested on its own): its PASS and
 * the next stage's BEGIN, or DONE with the failure; nothing for a skipped one. */
size_t ikev2_connect_events(enum ikev2_stage stage, const struct hs_stage *s,
                            struct connect_event *out, size_t max);
/* Where an IKEv2 stage shows in the checklist's four (PPP has none). */
enum stage_id ikev2_connect_stage(enum ikev2_stage stage);

#endif
