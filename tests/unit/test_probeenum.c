/* The enumeration of what a server that refuses Windows' offer accepts
 * (net/probeenum): bounded at 32 offers against a responder that never
 * accepts, paced, stopped after the first acceptances; the transform-name
 * parser; the remedy decision; the mock's walk by rule. */
#include <stdio.h>
#include <string.h>

#include "net/ike.h"
#include "net/probeenum.h"
#include "testutil.h"

/* A simulated responder: given our packet, writes its answer (0: silence). */
typedef size_t (*responder)(const uint8_t *req, size_t len, uint8_t *out);

/* NO-PROPOSAL-CHOSEN to everything, as an informational exchange. */
static size_t refuse_all(const uint8_t *req, size_t len, uint8_t *out)
{
    static const uint8_t notify[] = {0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14};
    (void)len;
    memcpy(out, req, 8);     /* their cookie */
    memset(out + 8, 0, 8);   /* no responder cookie */
    out[16] = IKE_PL_NOTIFY; /* next payload */
    out[17] = 0x10;          /* IKEv1 */
    out[18] = IKE_EX_INFO;
    out[19] = 0;
    memset(out + 20, 0, 4); /* message id */
    size_t n = 28 + sizeof notify;
    out[24] = out[25] = 0;
    out[26] = (uint8_t)(n >> 8);
    out[27] = (uint8_t)n;
    memcpy(out + 28, notify, sizeof notify);
    return n;
}

/* Main Mode message 2 choosing what was offered: the request with a responder cookie. */
static size_t accept_all(const uint8_t *req, size_t len, uint8_t *out)
{
    memcpy(out, req, len);
    memset(out + 8, 0x99, 8);
    return len;
}

static size_t silent(const uint8_t *req, size_t len, uint8_t *out)
{
    (void)req;
    (void)len;
    (void)out;
    return 0;
}

struct run {
    struct probe_enum e;
    unsigned packets; /* what went on the wire */
    uint64_t min_gap; /* the shortest time between two sends */
    unsigned steps;   /* loop guard of the test itself */
};

/* Drives the enumeration on a simulated clock against r, as net/probe does. */
static void drive(struct run *run, responder r)
{
    uint64_t now = 1000, last = 0;
    run->min_gap = UINT64_MAX;
    run->packets = 0;
    probe_enum_init(&run->e);
    for (run->steps = 0; !run->e.done && run->steps < 100000; run->steps++) {
        uint8_t cookie[IKE_COOKIE_LEN] = {1, 2, 3, 4, 5, 6, 7, (uint8_t)run->packets};
        uint8_t pkt[IKE_MAX_PACKET], answer[IKE_MAX_PACKET];
        size_t n = probe_enum_next(&run->e, now, cookie, pkt, sizeof pkt);
        if (n) {
            if (run->packets && now - last < run->min_gap)
                run->min_gap = now - last;
            last = now;
            run->packets++;
            size_t an = r(pkt, n, answer);
            if (an)
                probe_enum_reply(&run->e, answer, an);
        }
        probe_enum_tick(&run->e, now);
        uint64_t wake = probe_enum_wake(&run->e);
        now = wake > now ? wake : now + 1;
    }
}

static void bounded_at_32_when_nothing_is_accepted(void **state)
{
    (void)state;
    /* the list is longer than the bound: the bound, not the list, ends the run */
    assert_true(probe_enum_candidate_count > PROBE_ENUM_MAX);
    struct run run;
    drive(&run, refuse_all);
    assert_true(run.e.done);
    assert_int_equal(run.packets, PROBE_ENUM_MAX);
    assert_int_equal(run.e.result.sent, PROBE_ENUM_MAX);
    assert_int_equal(run.e.result.count, 0);
    assert_true(run.e.result.complete);
    assert_true(run.min_gap >= PROBE_ENUM_GAP_MS); /* never faster than the probe */
    /* silence costs a wait per offer, never more offers */
    drive(&run, silent);
    assert_int_equal(run.packets, PROBE_ENUM_MAX);
    assert_true(run.min_gap >= PROBE_ENUM_WAIT_MS);
}

static void stops_after_the_first_acceptances(void **state)
{
    (void)state;
    struct run run;
    drive(&run, accept_all);
    assert_int_equal(run.packets, PROBE_ENUM_STOP_AFTER);
    assert_int_equal(run.e.result.count, PROBE_ENUM_STOP_AFTER);
    /* the likely ones first, in the order tried */
    assert_string_equal(run.e.result.names[0], "3des-md5-modp1024");
    assert_string_equal(run.e.result.names[1], "des-md5-modp768");
    assert_string_equal(run.e.result.names[2], "aes128-sha1-modp1536");
}

static void a_reply_to_another_cookie_is_not_an_answer(void **state)
{
    (void)state;
    struct probe_enum e;
    uint8_t cookie[IKE_COOKIE_LEN] = {9, 9, 9, 9, 9, 9, 9, 9}, pkt[IKE_MAX_PACKET],
            answer[IKE_MAX_PACKET];
    probe_enum_init(&e);
    size_t n = probe_enum_next(&e, 0, cookie, pkt, sizeof pkt);
    assert_true(n > 0);
    size_t an = accept_all(pkt, n, answer);
    answer[0] ^= 1; /* a late answer to an earlier offer */
    probe_enum_reply(&e, answer, an);
    assert_true(e.waiting);
    assert_int_equal(e.result.count, 0);
    /* a truncated one neither: every length is checked against the datagram */
    probe_enum_reply(&e, pkt, 20);
    assert_true(e.waiting);
    answer[0] ^= 1;
    probe_enum_reply(&e, answer, an);
    assert_false(e.waiting);
    assert_int_equal(e.result.count, 1);
}

static void transform_names_parse(void **state)
{
    (void)state;
    struct ike_transform t;
    char name[PROBE_TRANSFORM_NAME];
    /* every candidate's name reads back as the candidate */
    for (size_t i = 0; i < probe_enum_candidate_count; i++) {
        ike_transform_name(&probe_enum_candidates[i], name, sizeof name);
        assert_true(probe_transform_parse(name, &t));
        assert_true(probe_transform_equal(&t, &probe_enum_candidates[i]));
        for (size_t k = 0; k < i; k++) /* and none is asked twice */
            assert_false(
                probe_transform_equal(&probe_enum_candidates[k], &probe_enum_candidates[i]));
        assert_false(probe_windows_offers(&probe_enum_candidates[i], false));
    }
    assert_true(probe_transform_parse("3des-md5-modp1024", &t));
    assert_int_equal(t.enc, IKE_ENC_3DES);
    assert_int_equal(t.hash, IKE_HASH_MD5);
    assert_int_equal(t.group, IKE_GROUP_MODP1024);
    assert_int_equal(t.auth, IKE_AUTH_PSK);
    static const char *const bad[] = {"",
                                      "3des-md5",
                                      "aes-sha1-modp1024",
                                      "3des-md5-modp1024-x",
                                      "3DES-md5-modp1024",
                                      "des-md5-modp1023",
                                      "des--modp1024",
                                      " 3des-md5-modp1024",
                                      "3des-md5-modp10245"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(probe_transform_parse(bad[i], &t));
}

static void remedy_decision(void **state)
{
    (void)state;
    char add[PROBE_TRANSFORM_NAME];
    const char weak[][PROBE_TRANSFORM_NAME] = {"3des-md5-modp1024"};
    assert_int_equal(probe_proposal_remedy(weak, 1, add, sizeof add), REMEDY_WEAK_CRYPTO);
    /* a group Windows never offers: only the server can change */
    const char group[][PROBE_TRANSFORM_NAME] = {"aes128-sha1-modp1536"};
    assert_int_equal(probe_proposal_remedy(group, 1, add, sizeof add), REMEDY_SERVER);
    assert_string_equal(add, "aes256-sha1-modp2048");
    /* DES with group 1: weak, but not what the value makes Windows offer */
    const char des768[][PROBE_TRANSFORM_NAME] = {"des-md5-modp768"};
    assert_int_equal(probe_proposal_remedy(des768, 1, add, sizeof add), REMEDY_SERVER);
    /* something stronger is there too: no weakening, the server adds Windows' transform */
    const char mixed[][PROBE_TRANSFORM_NAME] = {"3des-md5-modp1024", "aes128-sha1-modp1536"};
    assert_int_equal(probe_proposal_remedy(mixed, 2, add, sizeof add), REMEDY_SERVER);
    assert_int_equal(probe_proposal_remedy(weak, 0, add, sizeof add), REMEDY_UNKNOWN);
    /* Windows' own side */
    struct ike_transform t;
    assert_true(probe_transform_parse("3des-md5-modp1024", &t));
    assert_false(probe_windows_offers(&t, false));
    assert_true(probe_windows_offers(&t, true));
    assert_true(probe_transform_is_weak(&t));
    assert_true(probe_transform_parse("aes256-sha1-modp2048", &t));
    assert_true(probe_windows_offers(&t, false));
    assert_false(probe_transform_is_weak(&t));
}

static void by_rule_walks_like_the_wire(void **state)
{
    (void)state;
    struct ike_transform server[2];
    assert_true(probe_transform_parse("aes128-sha1-modp1536", &server[0]));
    assert_true(probe_transform_parse("3des-md5-modp1024", &server[1]));
    struct probe_accepts a;
    probe_enum_by_rule(server, 2, &a);
    assert_int_equal(a.count, 2);
    assert_string_equal(a.names[0], "3des-md5-modp1024"); /* the enumeration's order */
    assert_string_equal(a.names[1], "aes128-sha1-modp1536");
    /* beyond the bound: never found, as on the wire */
    assert_true(probe_transform_parse("3des-sha256-modp2048", &server[0]));
    probe_enum_by_rule(server, 1, &a);
    assert_int_equal(a.count, 0);
    assert_int_equal(a.sent, PROBE_ENUM_MAX);
    probe_enum_by_rule(NULL, 0, &a);
    assert_int_equal(a.sent, PROBE_ENUM_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_at_32_when_nothing_is_accepted),
        cmocka_unit_test(stops_after_the_first_acceptances),
        cmocka_unit_test(a_reply_to_another_cookie_is_not_an_answer),
        cmocka_unit_test(transform_names_parse),
        cmocka_unit_test(remedy_decision),
        cmocka_unit_test(by_rule_walks_like_the_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
