/* Where a dial stopped: each furthest RasClient event by each error-code
 * family, the last real dial placed among the stages, and a test connection's
 * RASCONNSTATE notifications skipped, repeated and out of order. */
#include <string.h>

#include "dialstage.h"
#include "kb.h"
#include "testutil.h"

enum { NOT_IN_KB = 665 }; /* ERROR_PORT_NOT_CONFIGURED: Microsoft lists it after 20221 */

static void every_event_by_every_family(void **state)
{
    (void)state;
    /* one code per family, and one the table lacks */
    assert_null(kb_lookup(NOT_IN_KB));
    assert_int_equal(kb_lookup(809)->stage, STAGE_TUNNEL);
    assert_int_equal(kb_lookup(789)->stage, STAGE_IPSEC);
    assert_int_equal(kb_lookup(734)->stage, STAGE_PPP);
    assert_int_equal(kb_lookup(691)->stage, STAGE_AUTH);
    static const struct {
        int event, code;
        enum stage_id want;
    } table[] = {
        /* before the WAN Miniport tried the server: the code's family alone */
        {KB_EVENT_PRECONNECT, NOT_IN_KB, STAGE_TUNNEL},
        {KB_EVENT_PRECONNECT, 809, STAGE_TUNNEL},
        {KB_EVENT_PRECONNECT, 789, STAGE_IPSEC},
        {KB_EVENT_PRECONNECT, 734, STAGE_PPP},
        {KB_EVENT_PRECONNECT, 691, STAGE_AUTH},
        /* the WAN Miniport dialing: IKE, IPsec, the tunnel */
        {KB_EVENT_CONNECTING_DEVICE, NOT_IN_KB, STAGE_TUNNEL},
        {KB_EVENT_CONNECTING_DEVICE, 809, STAGE_TUNNEL},
        {KB_EVENT_CONNECTING_DEVICE, 789, STAGE_IPSEC},
        {KB_EVENT_CONNECTING_DEVICE, (int)0x800B0101u, STAGE_IPSEC}, /* an HRESULT */
        {KB_EVENT_CONNECTING_DEVICE, 734, STAGE_PPP},
        {KB_EVENT_CONNECTING_DEVICE, 691, STAGE_AUTH},
        /* the tunnel came up: tunnel and IPsec passed, whatever the family says */
        {KB_EVENT_DEVICE_CONNECTED, NOT_IN_KB, STAGE_PPP},
        {KB_EVENT_DEVICE_CONNECTED, 809, STAGE_PPP},
        {KB_EVENT_DEVICE_CONNECTED, 629, STAGE_PPP},
        {KB_EVENT_DEVICE_CONNECTED, 789, STAGE_PPP},
        {KB_EVENT_DEVICE_CONNECTED, 734, STAGE_PPP},
        {KB_EVENT_DEVICE_CONNECTED, 691, STAGE_AUTH},
        {KB_EVENT_LINK_ESTABLISHED, NOT_IN_KB, STAGE_PPP},
        {KB_EVENT_LINK_ESTABLISHED, 809, STAGE_PPP},
        {KB_EVENT_LINK_ESTABLISHED, 789, STAGE_PPP},
        {KB_EVENT_LINK_ESTABLISHED, 734, STAGE_PPP},
        {KB_EVENT_LINK_ESTABLISHED, 812, STAGE_AUTH},
        {KB_EVENT_LINK_ESTABLISHED, 691, STAGE_AUTH},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        struct connection_record rec = {true, table[i].code, "2026-11-23T23:40:00.123Z",
                                        table[i].event};
        struct last_dial ld;
        dialstage_last(&rec, false, &ld);
        if (!ld.located || ld.stopped_in != table[i].want)
            fail_msg("event %d, code %d: stopped in %d, want %d", table[i].event, table[i].code,
                     ld.located ? (int)ld.stopped_in : -1, (int)table[i].want);
        for (int s = 0; s < STAGE_COUNT; s++)
            assert_int_equal(ld.marks[s], s < (int)table[i].want    ? DIAL_MARK_PASSED
                                          : s == (int)table[i].want ? DIAL_MARK_STOPPED
                                                                    : DIAL_MARK_NOT_REACHED);
    }
}

static void last_dial_lit_or_not(void **state)
{
    (void)state;
    struct last_dial ld;
    dialstage_last(NULL, false, &ld);
    assert_false(ld.recorded);
    struct connection_record none = {0};
    dialstage_last(&none, false, &ld);
    assert_false(ld.recorded);

    /* connected: every stage passed, whatever events were read */
    struct connection_record ok = {true, 0, "2026-11-23T23:40:00Z", 0};
    dialstage_last(&ok, false, &ld);
    assert_true(ld.recorded && ld.located);
    assert_int_equal(ld.stopped_in, STAGE_COUNT);
    for (int s = 0; s < STAGE_COUNT; s++)
        assert_int_equal(ld.marks[s], DIAL_MARK_PASSED);

    /* a failure no progress event places is not lit: 789's family would mislead */
    struct connection_record bare = {true, 789, "", 0};
    dialstage_last(&bare, false, &ld);
    assert_true(ld.recorded);
    assert_false(ld.located);
    char text[200];
    dialstage_mark_text(&ld, STAGE_IPSEC, text, sizeof text);
    assert_string_equal(text, "");
    dialstage_detail_text(&ld, STAGE_IPSEC, text, sizeof text);
    assert_non_null(strstr(text, "no progress event"));

    /* stale: said, never lit */
    struct connection_record old = {true, 789, "2026-11-23T23:40:00.123Z",
                                    KB_EVENT_LINK_ESTABLISHED};
    dialstage_last(&old, true, &ld);
    assert_true(ld.recorded && ld.stale);
    assert_false(ld.located);
    for (int s = 0; s < STAGE_COUNT; s++) {
        assert_int_equal(ld.marks[s], DIAL_MARK_NONE);
        dialstage_mark_text(&ld, (enum stage_id)s, text, sizeof text);
        assert_string_equal(text, "");
    }
    dialstage_detail_text(&ld, STAGE_PPP, text, sizeof text);
    assert_non_null(strstr(text, "settings changed since"));

    dialstage_last(&old, false, &ld);
    dialstage_mark_text(&ld, STAGE_PPP, text, sizeof text);
    assert_string_equal(text, "last dial stopped here, 2026-11-23 23:40 UTC");
    dialstage_mark_text(&ld, STAGE_IPSEC, text, sizeof text);
    assert_string_equal(text, "last dial passed");
    dialstage_mark_text(&ld, STAGE_AUTH, text, sizeof text);
    assert_string_equal(text, "");
    assert_string_equal(dialstage_mark_id(ld.marks[STAGE_AUTH]), "not-reached");
    assert_null(dialstage_mark_id(DIAL_MARK_NONE));
}

static void when_text(void **state)
{
    (void)state;
    char buf[40];
    dialstage_when_text("2026-11-23T23:40:00.123Z", buf, sizeof buf);
    assert_string_equal(buf, "2026-11-23 23:40 UTC");
    dialstage_when_text("2026-11-23T23:40:00Z", buf, sizeof buf);
    assert_string_equal(buf, "2026-11-23 23:40 UTC");
    dialstage_when_text("", buf, sizeof buf);
    assert_string_equal(buf, "time not known");
    dialstage_when_text("2026-11-23 23:40:00", buf, sizeof buf);
    assert_string_equal(buf, "time not known");
    dialstage_when_text(NULL, buf, sizeof buf);
    assert_string_equal(buf, "time not known");
}

/* Feeds a test connection's notifications; the error comes with the last.
 * Returns the stage of CONNECT_DONE, and in *lit the stages begun, in order. */
static int run(const int *states, size_t n, unsigned long error, char *lit, size_t lit_len)
{
    struct dial_track t;
    dialtrack_start(&t);
    int done_stage = -1;
    size_t used = 0;
    lit[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        struct connect_event ev[DIAL_TRACK_MAX_EVENTS];
        size_t k = dialtrack_notify(&t, states[i], i + 1 == n ? error : 0, ev);
        assert_true(k <= DIAL_TRACK_MAX_EVENTS);
        for (size_t e = 0; e < k; e++) {
            if (ev[e].kind == CONNECT_STAGE_BEGIN && used + 2 < lit_len) {
                lit[used++] = (char)('0' + ev[e].stage);
                lit[used] = '\0';
            }
            if (ev[e].kind == CONNECT_DONE) {
                assert_int_equal(done_stage, -1); /* one DONE, never two */
                assert_int_equal(ev[e].code, (int)error);
                done_stage = (int)ev[e].stage;
            }
        }
    }
    /* after DONE nothing more comes */
    struct connect_event ev[DIAL_TRACK_MAX_EVENTS];
    if (t.done)
        assert_int_equal(dialtrack_notify(&t, DIAL_RASCS_CONNECTED, 0, ev), 0);
    return done_stage;
}

#define RUN(states, error, lit)                                                                    \
    run(states, sizeof states / sizeof states[0], error, lit, sizeof lit)

static void states_skipped_repeated_reordered(void **state)
{
    (void)state;
    char lit[16];
    /* in order, failing in authentication */
    static const int in_order[] = {
        DIAL_RASCS_OPEN_PORT,        DIAL_RASCS_PORT_OPENED,           DIAL_RASCS_CONNECT_DEVICE,
        DIAL_RASCS_DEVICE_CONNECTED, DIAL_RASCS_ALL_DEVICES_CONNECTED, DIAL_RASCS_AUTHENTICATE,
        DIAL_RASCS_AUTH_NOTIFY};
    assert_int_equal(RUN(in_order, 691, lit), STAGE_AUTH);
    assert_string_equal(lit, "0123");

    /* skipped: nothing between OpenPort and the error; the code places it */
    static const int skipped[] = {DIAL_RASCS_OPEN_PORT, DIAL_RASCS_AUTH_NOTIFY};
    assert_int_equal(RUN(skipped, 691, lit), STAGE_AUTH);
    assert_string_equal(lit, "0123"); /* the stages before it were got through */
    static const int only_error[] = {DIAL_RASCS_CONNECT_DEVICE};
    assert_int_equal(RUN(only_error, 691, lit), STAGE_AUTH);
    assert_int_equal(RUN(only_error, 789, lit), STAGE_IPSEC);
    assert_string_equal(lit, "01");
    assert_int_equal(RUN(only_error, 809, lit), STAGE_TUNNEL);
    assert_string_equal(lit, "0"); /* the server never answered: IPsec was not begun */

    /* repeated: a state twice lights nothing twice */
    static const int repeated[] = {DIAL_RASCS_OPEN_PORT,       DIAL_RASCS_OPEN_PORT,
                                   DIAL_RASCS_CONNECT_DEVICE,  DIAL_RASCS_CONNECT_DEVICE,
                                   DIAL_RASCS_CONNECT_DEVICE,  DIAL_RASCS_DEVICE_CONNECTED,
                                   DIAL_RASCS_DEVICE_CONNECTED};
    assert_int_equal(RUN(repeated, 789, lit), STAGE_PPP); /* 789 after the tunnel came up */
    assert_string_equal(lit, "012");

    /* reordered: Authenticate reported before ConnectDevice, which fails */
    static const int reordered[] = {DIAL_RASCS_OPEN_PORT, DIAL_RASCS_AUTHENTICATE,
                                    DIAL_RASCS_CONNECT_DEVICE};
    assert_int_equal(RUN(reordered, 809, lit), STAGE_TUNNEL);
    assert_string_equal(lit, "012"); /* lit as far as seen; the failure is placed apart */
    assert_int_equal(RUN(reordered, 789, lit), STAGE_IPSEC);
    /* the error's own state counts, not the furthest one seen before it */
    static const int back[] = {DIAL_RASCS_AUTH_NOTIFY, DIAL_RASCS_DEVICE_CONNECTED};
    assert_int_equal(RUN(back, NOT_IN_KB, lit), STAGE_PPP);

    /* states that place nothing (a pause, SubEntry, one ras.h may add) move nothing */
    static const int unplaced[] = {DIAL_RASCS_OPEN_PORT, 0x1000, 22, 9999};
    assert_int_equal(RUN(unplaced, NOT_IN_KB, lit), STAGE_TUNNEL);
    assert_string_equal(lit, "0");

    /* connected with states skipped: every stage passes once */
    static const int connects[] = {DIAL_RASCS_CONNECT_DEVICE, DIAL_RASCS_AUTHENTICATED,
                                   DIAL_RASCS_AUTHENTICATE, DIAL_RASCS_CONNECTED};
    assert_int_equal(RUN(connects, 0, lit), STAGE_AUTH);
    assert_string_equal(lit, "0123");
    static const int connected_at_once[] = {DIAL_RASCS_CONNECTED};
    assert_int_equal(RUN(connected_at_once, 0, lit), STAGE_AUTH);
    assert_string_equal(lit, "0123");
}

static void failure_by_state_and_family(void **state)
{
    (void)state;
    /* the error's state alone, no sequence: each phase by each family */
    assert_int_equal(dialstage_stopped(NOT_IN_KB, DIAL_PHASE_UNKNOWN), STAGE_TUNNEL);
    assert_int_equal(dialstage_stopped(789, DIAL_PHASE_UNKNOWN), STAGE_IPSEC);
    assert_int_equal(dialstage_stopped(NOT_IN_KB, dialstage_phase_of_state(DIAL_RASCS_PORT_OPENED)),
                     STAGE_TUNNEL);
    assert_int_equal(dialstage_stopped(789, dialstage_phase_of_state(DIAL_RASCS_CONNECT_DEVICE)),
                     STAGE_IPSEC);
    assert_int_equal(dialstage_stopped(789, dialstage_phase_of_state(DIAL_RASCS_AUTHENTICATE)),
                     STAGE_PPP);
    /* AuthNotify with an error: authentication failed, whatever the code's family */
    assert_int_equal(dialstage_stopped(629, dialstage_phase_of_state(DIAL_RASCS_AUTH_NOTIFY)),
                     STAGE_AUTH);
    assert_int_equal(
        dialstage_stopped(NOT_IN_KB, dialstage_phase_of_state(DIAL_RASCS_RETRY_AUTHENTICATION)),
        STAGE_AUTH);
    /* past authentication only PPP's network protocols are left */
    assert_int_equal(dialstage_stopped(720, dialstage_phase_of_state(DIAL_RASCS_PROJECTED)),
                     STAGE_PPP);
    assert_int_equal(
        dialstage_stopped(NOT_IN_KB, dialstage_phase_of_state(DIAL_RASCS_APPLY_SETTINGS)),
        STAGE_PPP);
    assert_int_equal(dialstage_stopped(691, dialstage_phase_of_state(DIAL_RASCS_AUTHENTICATED)),
                     STAGE_AUTH);
    /* the events and the states agree on what "the tunnel is up" means */
    assert_int_equal(dialstage_phase_of_event(KB_EVENT_DEVICE_CONNECTED),
                     dialstage_phase_of_state(DIAL_RASCS_DEVICE_CONNECTED));
    assert_int_equal(dialstage_phase_of_event(KB_EVENT_LINK_ESTABLISHED),
                     dialstage_phase_of_state(DIAL_RASCS_ALL_DEVICES_CONNECTED));
    assert_int_equal(dialstage_phase_of_event(KB_EVENT_CONNECTING_DEVICE),
                     dialstage_phase_of_state(DIAL_RASCS_CONNECT_DEVICE));
    assert_int_equal(dialstage_phase_of_event(20226), DIAL_PHASE_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_event_by_every_family),
        cmocka_unit_test(last_dial_lit_or_not),
        cmocka_unit_test(when_text),
        cmocka_unit_test(states_skipped_repeated_reordered),
        cmocka_unit_test(failure_by_state_and_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
