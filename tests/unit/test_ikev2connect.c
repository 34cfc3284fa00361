/* The IKEv2 exchange as a test connection: stage outcomes into the
 * checklist's events, the worker thread's event ring, its cancel, and the
 * mock's simulation of the exchange by the scenario's rules. */
#include <stdio.h>
#include <string.h>

#include "net/eventring.h"
#include "net/ikecrypto.h"
#include "net/ikev2connect.h"
#include "net/udp.h"
#include "platform.h"
#include "session.h"
#include "testutil.h"

#define POLL_ROUNDS 400 /* 5 ms each: a replay at step 0 is done in a few */

/* Every event up to DONE (at most max); the count, or max + 1 when DONE never came. */
static size_t drain(bool (*poll)(void *, struct connect_event *), void *ctx,
                    struct connect_event *ev, size_t max)
{
    size_t n = 0;
    for (int round = 0; round < POLL_ROUNDS; round++) {
        while (n < max && poll(ctx, &ev[n]))
            if (ev[n++].kind == CONNECT_DONE)
                return n;
        plat_sleep_ms(5);
    }
    return max + 1;
}

static bool poll_run(void *ctx, struct connect_event *ev)
{
    return ikev2_connect_poll(ctx, ev);
}

static bool poll_session(void *ctx, struct connect_event *ev)
{
    return session_connect_poll(ctx, ev);
}

static void set_stage(struct ikev2_result *r, enum ikev2_stage s, enum hs_outcome o, int code)
{
    r->stages[s].outcome = o;
    r->stages[s].code = code;
    snprintf(r->stages[s].detail, sizeof r->stages[s].detail, "stage %d", (int)s);
}

/* A stage that passes begins the next (PPP is not one of IKEv2's); a failure ends it. */
static void stages_to_events(void **state)
{
    (void)state;
    struct hs_stage ok = {.outcome = HS_OK}, failed = {.outcome = HS_FAILED, .code = 13801},
                    skipped = {.outcome = HS_SKIPPED}, nocode = {.outcome = HS_FAILED};
    struct connect_event ev[2];
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_TUNNEL, &ok, ev, 2), 2);
    assert_int_equal(ev[0].kind, CONNECT_STAGE_PASS);
    assert_int_equal(ev[0].stage, STAGE_TUNNEL);
    assert_int_equal(ev[1].kind, CONNECT_STAGE_BEGIN);
    assert_int_equal(ev[1].stage, STAGE_IPSEC);
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_IPSEC, &ok, ev, 2), 2);
    assert_int_equal(ev[1].kind, CONNECT_STAGE_BEGIN);
    assert_int_equal(ev[1].stage, STAGE_AUTH);
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_AUTH, &ok, ev, 2), 2);
    assert_int_equal(ev[0].stage, STAGE_AUTH);
    assert_int_equal(ev[1].kind, CONNECT_DONE);
    assert_int_equal(ev[1].code, 0);
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_IPSEC, &failed, ev, 2), 1);
    assert_int_equal(ev[0].kind, CONNECT_DONE);
    assert_int_equal(ev[0].stage, STAGE_IPSEC);
    assert_int_equal(ev[0].code, 13801);
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_AUTH, &skipped, ev, 2), 0);
    /* a failure without a code never reads as success (code 0) */
    assert_int_equal(ikev2_connect_events(IKEV2_STAGE_AUTH, &nocode, ev, 2), 1);
    assert_true(ev[0].code != 0);
}

/* The replay's events come through the ring in order, DONE last, and the
 * outcome is on record for the diagnosis; a failure is recorded as one. */
static void replay_in_order_and_remembered(void **state)
{
    (void)state;
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    struct ikev2_result sim;
    memset(&sim, 0, sizeof sim);
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++)
        set_stage(&sim, (enum ikev2_stage)i, HS_OK, 0);
    struct ikev2_options o = {.host = "vpn.example.org", .user = "alice", .password = "pw"};
    struct ikev2_connect *c;
    struct l2f_err err = {{0}};
    assert_int_equal(ikev2_connect_start(&c, &o, &sim, 0, dir, &err), L2F_OK);
    struct connect_event ev[16];
    size_t n = drain(poll_run, c, ev, 16);
    ikev2_connect_release(c);
    static const struct {
        enum connect_event_kind kind;
        enum stage_id stage;
    } want[] = {{CONNECT_STAGE_BEGIN, STAGE_TUNNEL}, {CONNECT_STAGE_PASS, STAGE_TUNNEL},
                {CONNECT_STAGE_BEGIN, STAGE_IPSEC},  {CONNECT_STAGE_PASS, STAGE_IPSEC},
                {CONNECT_STAGE_BEGIN, STAGE_AUTH},   {CONNECT_STAGE_PASS, STAGE_AUTH},
                {CONNECT_DONE, STAGE_AUTH}};
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ev[i].kind, want[i].kind);
        assert_int_equal(ev[i].stage, want[i].stage);
    }
    assert_int_equal(ev[n - 1].code, 0);
    struct ikev2_seen seen;
    assert_true(ikev2_recall(dir, "vpn.example.org", &seen));
    assert_true(seen.ok);

    set_stage(&sim, IKEV2_STAGE_AUTH, HS_FAILED, 691);
    assert_int_equal(ikev2_connect_start(&c, &o, &sim, 0, dir, &err), L2F_OK);
    n = drain(poll_run, c, ev, 16);
    ikev2_connect_release(c);
    assert_int_equal(n, 6);
    assert_int_equal(ev[5].kind, CONNECT_DONE);
    assert_int_equal(ev[5].stage, STAGE_AUTH);
    assert_int_equal(ev[5].code, 691);
    assert_true(ikev2_recall(dir, "vpn.example.org", &seen));
    assert_false(seen.ok);
    assert_int_equal(seen.code, 691);
    assert_int_equal(seen.stage, IKEV2_STAGE_AUTH);
    tu_rmtree(dir);
}

/* Released mid-run, a slow replay stops at once and is not remembered. */
static void cancel_is_prompt_and_forgotten(void **state)
{
    (void)state;
    char dir[256];
    tu_mkdtemp(dir, sizeof dir);
    struct ikev2_result sim;
    memset(&sim, 0, sizeof sim);
    for (int i = 0; i < IKEV2_STAGE_COUNT; i++)
        set_stage(&sim, (enum ikev2_stage)i, HS_OK, 0);
    struct ikev2_options o = {.host = "vpn.example.org", .user = "alice", .password = "pw"};
    struct ikev2_connect *c;
    struct l2f_err err = {{0}};
    assert_int_equal(ikev2_connect_start(&c, &o, &sim, 60000, dir, &err), L2F_OK);
    struct connect_event ev;
    for (int i = 0; i < POLL_ROUNDS && !ikev2_connect_poll(c, &ev); i++)
        plat_sleep_ms(5);
    assert_int_equal(ev.kind, CONNECT_STAGE_BEGIN); /* the run is under way */
    uint64_t t0 = plat_monotonic_ms();
    ikev2_connect_release(c);
    assert_true(plat_monotonic_ms() - t0 < 500);
    struct ikev2_seen seen;
    assert_false(ikev2_recall(dir, "vpn.example.org", &seen));
    tu_rmtree(dir);
}

/* The real exchange against a server that never answers: released while it
 * waits for IKE_SA_INIT's answer (20 s were left), it stops within one receive
 * slice, not at the next retransmit, and sends nothing after. */
static void cancel_real_run_is_prompt(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    assert_int_equal(net_init(), L2F_OK);
    struct net_addr loopback[1], local;
    size_t n;
    struct l2f_err err = {{0}};
    assert_int_equal(net_resolve("127.0.0.1", loopback, 1, &n, &err), L2F_OK);
    struct udp_sock silent;
    assert_int_equal(udp_open_toward(&silent, &loopback[0], &local, &err), L2F_OK);
    uint8_t ip[4];
    uint16_t port;
    assert_true(net_addr_ipv4(&local, ip, &port));
    struct ikev2_options o = {
        .host = "127.0.0.1", .port = port, .user = "u", .password = "p", .timeout_ms = 20000};
    struct ikev2_connect *c;
    assert_int_equal(ikev2_connect_start(&c, &o, NULL, 0, "", &err), L2F_OK);
    struct udp_sock *sk = &silent;
    assert_int_equal(udp_wait(&sk, 1, 3000), 1); /* IKE_SA_INIT arrived: the run waits */
    uint8_t buf[2048];
    size_t got;
    while (udp_recv(&silent, buf, sizeof buf, &got, &err) == L2F_OK && got > 0) {
    }
    uint64_t t0 = plat_monotonic_ms();
    ikev2_connect_release(c);
    assert_true(plat_monotonic_ms() - t0 < 500);
    assert_int_equal(udp_wait(&sk, 1, 1500), 0); /* no retransmit at 1 s */
    udp_close(&silent);
}

static const char scenario[] = "[server]\naddress = vpn.example.com\nreachable = yes\n"
                               "users = alice:Winter-2026\nikev2 = yes\nikev2_ca = lab-ca.pem\n"
                               "[profile \"Office VPN\"]\nPhoneNumber = vpn.example.com\n";

/* What the session's IKEv2 test ends with on the mock: one run of it. */
static struct connect_event session_run(const char *ini, const char *user, const char *password,
                                        const char *ca_file, struct ikev2_seen *seen)
{
    char dir[256], path[300], state_dir[300];
    tu_mkdtemp(dir, sizeof dir);
    tu_write_file(dir, "s.ini", ini, path, sizeof path);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    struct session s;
    struct session_options so = {.mock_file = path, .state_dir = state_dir};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &so, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_int_equal(session_ikev2_start(&s, user, password, ca_file, &err), L2F_OK);
    struct connect_event ev[16];
    size_t n = drain(poll_session, &s, ev, 16);
    assert_true(n <= 16);
    assert_null(s.ikev2); /* released at DONE */
    assert_true(ikev2_recall(state_dir, "vpn.example.com", seen));
    session_close(&s);
    tu_rmtree(dir);
    return ev[n - 1];
}

/* The mock's rules: the accounts of users =, the CA named by ikev2_ca, ikev2 = no. */
static void mock_rules(void **state)
{
    (void)state;
    struct ikev2_seen seen;
    struct connect_event done =
        session_run(scenario, "alice", "Winter-2026", "/any/dir/lab-ca.pem", &seen);
    assert_int_equal(done.code, 0);
    assert_true(seen.ok && seen.trusted);
    done = session_run(scenario, "alice", "wrong", "/any/dir/lab-ca.pem", &seen);
    assert_int_equal(done.code, 691);
    assert_int_equal(done.stage, STAGE_AUTH);
    assert_null(strstr(done.detail, "wrong")); /* the password never shows */
    done = session_run(scenario, "alice", "Winter-2026", NULL, &seen);
    assert_int_equal(done.code, 13801);
    assert_int_equal(done.stage, STAGE_IPSEC);
    assert_false(seen.trusted);
    done = session_run(scenario, "alice", "Winter-2026", "/any/dir/other-ca.pem", &seen);
    assert_int_equal(done.code, 13801);
    char no_v2[sizeof scenario];
    snprintf(no_v2, sizeof no_v2, "%s", scenario);
    memcpy(strstr(no_v2, "ikev2 = yes"), "ikev2 = no ", 11);
    done = session_run(no_v2, "alice", "Winter-2026", "/any/dir/lab-ca.pem", &seen);
    assert_int_equal(done.code, 13868);
    assert_int_equal(done.stage, STAGE_TUNNEL);
}

/* No name or password: nothing starts. */
static void needs_credentials(void **state)
{
    (void)state;
    struct session s;
    struct session_options so = {.demo = "classic-789"};
    struct l2f_err err = {{0}};
    assert_int_equal(session_open(&s, &so, &err), L2F_OK);
    assert_int_equal(session_select_profile(&s, NULL, &err), L2F_OK);
    assert_int_equal(session_ikev2_start(&s, "alice", "", NULL, &err), L2F_ERR_NEED_SECRET);
    assert_null(s.ikev2);
    session_close(&s);
}

/* The ring both live tests share: order kept, a full ring drops rather than
 * overwrite, the first DONE held and a later one ignored, a long detail cut. */
static void ring_order_bound_and_done(void **state)
{
    (void)state;
    static struct event_ring r;
    struct connect_event e, got;
    for (int i = 0; i < EVENT_RING_SIZE + 3; i++) {
        connect_event_set(&e, CONNECT_STAGE_PASS, STAGE_PPP, i, "x");
        event_ring_push(&r, &e);
    }
    for (int i = 0; i < EVENT_RING_SIZE; i++) {
        assert_true(event_ring_pop(&r, &got));
        assert_int_equal(got.code, i);
    }
    assert_false(event_ring_pop(&r, &got));
    struct connect_event two[3];
    connect_event_set(&two[0], CONNECT_STAGE_PASS, STAGE_AUTH, 0, "passed");
    connect_event_set(&two[1], CONNECT_DONE, STAGE_AUTH, 691, "first");
    connect_event_set(&two[2], CONNECT_DONE, STAGE_AUTH, 809, "second");
    event_ring_offer(&r, two, 3);
    assert_true(event_ring_pop(&r, &got));
    assert_int_equal(got.kind, CONNECT_STAGE_PASS);
    assert_false(event_ring_pop(&r, &got)); /* DONE is held, not queued */
    assert_true(r.have_done);
    assert_int_equal(r.done.code, 691);
    char longer[sizeof e.detail + 40];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    connect_event_set(&e, CONNECT_DONE, STAGE_TUNNEL, 1, longer);
    assert_int_equal(strlen(e.detail), sizeof e.detail - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_order_bound_and_done),
        cmocka_unit_test(stages_to_events),
        cmocka_unit_test(replay_in_order_and_remembered),
        cmocka_unit_test(cancel_is_prompt_and_forgotten),
        cmocka_unit_test(cancel_real_run_is_prompt),
        cmocka_unit_test(mock_rules),
        cmocka_unit_test(needs_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
