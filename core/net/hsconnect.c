#include "hsconnect.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pskcheck.h"
#include "net/eventring.h"
#include "platform.h"

/* Shared by the caller and the thread; the caller frees it after joining the
 * thread. Events go through the ring (net/eventring). */
struct hs_connect {
    struct plat_thread *thread;
    atomic_int cancel;
    char host[256], psk[256], user[256], password[256];
    char pace_dir[PLAT_PATH_MAX];
    struct hs_options opts;
    struct hs_result result;
    struct event_ring ring;
};

size_t hs_connect_events(enum stage_id stage, const struct hs_stage *s,
                         const struct hs_result *so_far, struct connect_event *out, size_t max)
{
    static const char *const next_what[STAGE_COUNT] = {
        [STAGE_TUNNEL] = "server reached; the L2TP tunnel inside IPsec",
        [STAGE_PPP] = "LCP: agreeing on how to authenticate",
        [STAGE_AUTH] = "logging in, then an address from IPCP",
    };
    (void)so_far;
    if (max < 2 || s->outcome == HS_SKIPPED || s->outcome == HS_NOT_RUN)
        return 0;
    if (s->outcome == HS_FAILED) {
        connect_event_set(&out[0], CONNECT_DONE, stage, s->code ? s->code : 628, s->detail);
        return 1;
    }
    connect_event_set(&out[0], CONNECT_STAGE_PASS, stage, 0, s->detail);
    /* on the wire IPsec comes first, then L2TP inside it: the design's order
     * puts the tunnel first, so after IPsec the tunnel is the one under way */
    enum stage_id next = stage == STAGE_IPSEC    ? STAGE_TUNNEL
                         : stage == STAGE_TUNNEL ? STAGE_PPP
                         : stage == STAGE_PPP    ? STAGE_AUTH
                                                 : STAGE_COUNT;
    if (next == STAGE_COUNT) {
        connect_event_set(&out[1], CONNECT_DONE, stage, 0, "all four stages passed");
        return 2;
    }
    connect_event_set(&out[1], CONNECT_STAGE_BEGIN, next, 0, next_what[next]);
    return 2;
}

/* PASS and BEGIN go out at once; DONE waits until the run has returned, so
 * that the result is whole (and no longer written) when the caller sees it. */
static void progress(void *ctx, enum stage_id stage, const struct hs_stage *s)
{
    struct hs_connect *c = ctx;
    struct connect_event ev[2];
    size_t n = hs_connect_events(stage, s, &c->result, ev, 2);
    event_ring_offer(&c->ring, ev, n);
}

static void run_thread(void *arg)
{
    struct hs_connect *c = arg;
    struct l2f_err err = {{0}};
    struct connect_event begin;
    connect_event_set(&begin, CONNECT_STAGE_BEGIN, STAGE_TUNNEL, 0,
                      "reaching the server: IKE on UDP 500, then IPsec");
    event_ring_push(&c->ring, &begin);
    if (hs_run(&c->opts, progress, c, &c->result, &err) != L2F_OK)
        connect_event_set(&c->ring.done, CONNECT_DONE, STAGE_TUNNEL, 628,
                          err.msg[0] ? err.msg : "the handshake could not start");
    else if (!c->ring.have_done) /* cancelled inside IPsec: every stage skipped */
        connect_event_set(&c->ring.done, CONNECT_DONE, STAGE_TUNNEL, 628, "cancelled");
    else /* the diagnosis reads what this server did with the LCP extensions */
        hs_lcp_remember(c->pace_dir, c->host, &c->result);
    event_ring_push(&c->ring, &c->ring.done);
    psk_pace_end(c->pace_dir);
    /* the secrets are not needed any more */
    plat_wipe(c->psk, sizeof c->psk);
    plat_wipe(c->password, sizeof c->password);
}

enum l2f_status hs_connect_start(struct hs_connect **out, const struct hs_options *opts,
                                 const char *pace_dir, struct l2f_err *err)
{
    *out = NULL;
    /* it tries the key like a key check: paced, and held until the run ends */
    unsigned waited;
    enum l2f_status st = psk_pace_begin(pace_dir, &waited, err);
    if (st != L2F_OK)
        return st;
    struct hs_connect *c = calloc(1, sizeof *c);
    if (!c) {
        psk_pace_end(pace_dir);
        return L2F_ERR_NOMEM;
    }
    snprintf(c->host, sizeof c->host, "%s", opts->host);
    snprintf(c->pace_dir, sizeof c->pace_dir, "%s", pace_dir ? pace_dir : "");
    snprintf(c->psk, sizeof c->psk, "%s", opts->psk ? opts->psk : "");
    snprintf(c->user, sizeof c->user, "%s", opts->user ? opts->user : "");
    snprintf(c->password, sizeof c->password, "%s", opts->password ? opts->password : "");
    c->opts = *opts;
    c->opts.host = c->host;
    c->opts.psk = c->psk;
    c->opts.user = c->user;
    c->opts.password = c->password;
    c->opts.cancel = &c->cancel;
    c->thread = plat_thread_start_joinable(run_thread, c);
    if (!c->thread) {
        plat_wipe(c, sizeof *c);
        free(c);
        psk_pace_end(pace_dir);
        l2f_err_set(err, "cannot start the handshake's thread");
        return L2F_ERR_BACKEND;
    }
    *out = c;
    return L2F_OK;
}

bool hs_connect_poll(struct hs_connect *c, struct connect_event *ev)
{
    return event_ring_pop(&c->ring, ev);
}

const struct hs_result *hs_connect_result(const struct hs_connect *c)
{
    return &c->result;
}

void hs_connect_release(struct hs_connect *c)
{
    if (!c)
        return;
    atomic_store(&c->cancel, 1);
    plat_thread_join(c->thread);
    plat_wipe(c, sizeof *c);
    free(c);
}
