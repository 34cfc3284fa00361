#include "ikev2connect.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/eventring.h"
#include "platform.h"

#define STEP_SLICE_MS 10 /* a simulated stage's wait, cut to see a cancel */

/* Shared by the caller and the thread; the caller frees it after joining the
 * thread. Events go through the ring (net/eventring), as hsconnect's. */
struct ikev2_connect {
    struct plat_thread *thread;
    atomic_int cancel;
    char host[256], user[256], password[256], ca_file[PLAT_PATH_MAX];
    char state_dir[PLAT_PATH_MAX];
    struct ikev2_options opts;
    bool simulate;
    struct ikev2_result simulated;
    unsigned step_ms;
    struct ikev2_result result;
    struct event_ring ring;
};

enum stage_id ikev2_connect_stage(enum ikev2_stage stage)
{
    static const enum stage_id shown[IKEV2_STAGE_COUNT] = {
        [IKEV2_STAGE_TUNNEL] = STAGE_TUNNEL,
        [IKEV2_STAGE_IPSEC] = STAGE_IPSEC,
        [IKEV2_STAGE_AUTH] = STAGE_AUTH,
    };
    return stage < IKEV2_STAGE_COUNT ? shown[stage] : STAGE_TUNNEL;
}

size_t ikev2_connect_events(enum ikev2_stage stage, const struct hs_stage *s,
                            struct connect_event *out, size_t max)
{
    static const char *const next_what[IKEV2_STAGE_COUNT] = {
        [IKEV2_STAGE_IPSEC] = "IKE_AUTH: the server's certificate and signature",
        [IKEV2_STAGE_AUTH] = "EAP-MSCHAPv2: the user name and password",
    };
    enum stage_id shown = ikev2_connect_stage(stage);
    if (max < 2 || stage >= IKEV2_STAGE_COUNT || s->outcome == HS_SKIPPED ||
        s->outcome == HS_NOT_RUN)
        return 0;
    if (s->outcome == HS_FAILED) {
        connect_event_set(&out[0], CONNECT_DONE, shown, s->code ? s->code : 809, s->detail);
        return 1;
    }
    connect_event_set(&out[0], CONNECT_STAGE_PASS, shown, 0, s->detail);
    if (stage + 1 == IKEV2_STAGE_COUNT) {
        connect_event_set(&out[1], CONNECT_DONE, shown, 0,
                          "the server authenticated, the user accepted");
        return 2;
    }
    enum ikev2_stage next = (enum ikev2_stage)(stage + 1);
    connect_event_set(&out[1], CONNECT_STAGE_BEGIN, ikev2_connect_stage(next), 0, next_what[next]);
    return 2;
}

/* PASS and BEGIN go out at once; DONE waits until the run has returned, so
 * that the result is whole when it is remembered. Nothing after a cancel. */
static void progress(void *ctx, enum ikev2_stage stage, const struct hs_stage *s)
{
    struct ikev2_connect *c = ctx;
    struct connect_event ev[2];
    if (atomic_load(&c->cancel))
        return;
    size_t n = ikev2_connect_events(stage, s, ev, 2);
    event_ring_offer(&c->ring, ev, n);
}

/* The simulation's stages, one every step_ms, stopping at the first that
 * did not pass (the later ones are skipped in it too). */
static void replay(struct ikev2_connect *c)
{
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++) {
        for (unsigned waited = 0; waited < c->step_ms && !atomic_load(&c->cancel);
             waited += STEP_SLICE_MS)
            plat_sleep_ms(STEP_SLICE_MS);
        if (atomic_load(&c->cancel))
            return;
        c->result.stages[i] = c->simulated.stages[i];
        progress(c, (enum ikev2_stage)i, &c->result.stages[i]);
        if (c->result.stages[i].outcome != HS_OK)
            break;
    }
    c->result = c->simulated;
}

static void run_thread(void *arg)
{
    struct ikev2_connect *c = arg;
    struct l2f_err err = {{0}};
    struct connect_event begin;
    connect_event_set(&begin, CONNECT_STAGE_BEGIN, STAGE_TUNNEL, 0, "IKE_SA_INIT on UDP 500");
    event_ring_push(&c->ring, &begin);
    enum l2f_status st = L2F_OK;
    if (c->simulate)
        replay(c);
    else
        st = ikev2_run(&c->opts, &c->result, &err);
    if (st != L2F_OK)
        connect_event_set(&c->ring.done, CONNECT_DONE, STAGE_TUNNEL, 809,
                          err.msg[0] ? err.msg : "the IKEv2 exchange could not start");
    else if (!c->ring.have_done)
        connect_event_set(&c->ring.done, CONNECT_DONE, STAGE_TUNNEL, 809,
                          "the exchange ended without a verdict");
    else if (!atomic_load(&c->cancel)) /* for the diagnosis: ikev2-available, switch-ikev2 */
        ikev2_remember(c->state_dir, c->host, c->user, &c->result,
                       (long long)(plat_wall_ms() / 1000));
    if (!atomic_load(&c->cancel))
        event_ring_push(&c->ring, &c->ring.done);
    plat_wipe(c->password, sizeof c->password); /* not needed any more */
}

enum l2f_status ikev2_connect_start(struct ikev2_connect **out, const struct ikev2_options *opts,
                                    const struct ikev2_result *simulated, unsigned step_ms,
                                    const char *state_dir, struct l2f_err *err)
{
    *out = NULL;
    struct ikev2_connect *c = calloc(1, sizeof *c);
    if (!c)
        return L2F_ERR_NOMEM;
    snprintf(c->host, sizeof c->host, "%s", opts->host ? opts->host : "");
    snprintf(c->user, sizeof c->user, "%s", opts->user ? opts->user : "");
    snprintf(c->password, sizeof c->password, "%s", opts->password ? opts->password : "");
    snprintf(c->ca_file, sizeof c->ca_file, "%s", opts->ca_file ? opts->ca_file : "");
    snprintf(c->state_dir, sizeof c->state_dir, "%s", state_dir ? state_dir : "");
    c->opts = *opts;
    c->opts.host = c->host;
    c->opts.user = c->user;
    c->opts.password = c->password;
    c->opts.ca_file = c->ca_file[0] ? c->ca_file : NULL;
    c->opts.progress = progress;
    c->opts.progress_ctx = c;
    c->opts.cancel = &c->cancel;
    c->simulate = simulated != NULL;
    if (simulated)
        c->simulated = *simulated;
    c->step_ms = step_ms;
    c->thread = plat_thread_start_joinable(run_thread, c);
    if (!c->thread) {
        plat_wipe(c, sizeof *c);
        free(c);
        l2f_err_set(err, "cannot start the IKEv2 exchange's thread");
        return L2F_ERR_BACKEND;
    }
    *out = c;
    return L2F_OK;
}

bool ikev2_connect_poll(struct ikev2_connect *c, struct connect_event *ev)
{
    return event_ring_pop(&c->ring, ev);
}

void ikev2_connect_release(struct ikev2_connect *c)
{
    if (!c)
        return;
    atomic_store(&c->cancel, 1);
    plat_thread_join(c->thread);
    plat_wipe(c, sizeof *c);
    free(c);
}
