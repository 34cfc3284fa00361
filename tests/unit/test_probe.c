/* The probe against a server on loopback that answers every probe, but only
 * with replies that are not IKE as offered: each probe ends as an error that
 * says "malformed answers" and why, never as "no answer". And probe_with_key
 * against a silent one: how the timeout is shared, and the key's verdict. */
#include <stdio.h>
#include <string.h>

#include "net/ike.h"
#include "net/probe.h"
#include "net/probekey.h"
#include "net/udp.h"
#include "platform.h"
#include "testutil.h"

/* MM2 choosing DES, MD5, PSK, group 1, 28800 s: nothing Windows offers. */
static const uint8_t mm2_des[] = {
    0,    0, 0, 52, 0,    0,  0, 1, 0,    0,  0,    1, /* SA */
    0,    0, 0, 40, 1,    1,  0, 1,                    /* proposal 1, ISAKMP, 1 transform */
    0,    0, 0, 32, 1,    1,  0, 0,                    /* transform 1, KEY_IKE */
    0x80, 1, 0, 1,  0x80, 2,  0, 1, 0x80, 3,  0,    1,
    0x80, 4, 0, 1,  0x80, 11, 0, 1, 0x80, 12, 0x70, 0x80,
};

/* IKE_SA_INIT answer choosing DH group 5, which we did not offer. */
static const uint8_t sa_init_group5[] = {
    0, 0, 0, 48, 0, 0, 0, 44, 1,    1,  0, 4,             /* SA, proposal 1, IKE, 4 transforms */
    3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0,             /* ENCR AES-CBC-256 */
    3, 0, 0, 8,  2, 0, 0, 2,  3,    0,  0, 8, 3, 0, 0, 2, /* PRF, INTEG SHA1 */
    0, 0, 0, 8,  4, 0, 0, 5,                              /* DH 5 */
};

/* A reply to req: its cookie, our payloads; the marker kept when it came with one. */
static size_t answer(const uint8_t *req, size_t len, uint8_t *out)
{
    size_t m = len >= 4 && !(req[0] | req[1] | req[2] | req[3]) ? 4 : 0;
    bool v2 = req[m + 17] == 0x20;
    const uint8_t *pl = v2 ? sa_init_group5 : mm2_des;
    size_t pn = v2 ? sizeof sa_init_group5 : sizeof mm2_des;
    memset(out, 0, m);
    uint8_t *h = out + m;
    memcpy(h, req + m, 8);
    memset(h + 8, 0x99, 8);
    h[16] = v2 ? 33 : 1;
    h[17] = req[m + 17];
    h[18] = req[m + 18];
    h[19] = v2 ? 0x20 : 0;
    memset(h + 20, 0, 4);
    size_t n = 28 + pn;
    h[24] = 0;
    h[25] = 0;
    h[26] = (uint8_t)(n >> 8);
    h[27] = (uint8_t)n;
    memcpy(h + 28, pl, pn);
    return m + n;
}

static void only_malformed_answers(void **state)
{
    (void)state;
    assert_int_equal(net_init(), L2F_OK);
    struct net_addr loopback[1], local, from;
    size_t count;
    struct l2f_err err = {{0}};
    assert_int_equal(net_resolve("127.0.0.1", loopback, 1, &count, &err), L2F_OK);
    struct udp_sock server;
    assert_int_equal(udp_open_toward(&server, &loopback[0], &local, &err), L2F_OK);
    uint8_t ip[4];
    uint16_t port;
    assert_true(net_addr_ipv4(&local, ip, &port));
    struct probe_options o = {0}; /* no cache directory: nothing reused, nothing kept */
    probe_options_default(&o);
    o.port = o.natt_port = port; /* one server for all three probes */
    o.timeout_ms = 1500;
    struct probe *p;
    assert_int_equal(probe_start(&p, "127.0.0.1", &o, &err), L2F_OK);
    unsigned answered = 0;
    for (int guard = 0; guard < 400 && !probe_step(p, 10); guard++) {
        uint8_t req[IKE_MAX_PACKET + 64], out[IKE_MAX_PACKET];
        size_t got;
        while (udp_recv_from(&server, req, sizeof req, &got, &from, &err) == L2F_OK && got >= 32) {
            size_t n = answer(req, got, out);
            assert_int_equal(udp_send_to(&server, &from, out, n, &err), L2F_OK);
            answered++;
        }
    }
    const struct probe_result *r = probe_result(p);
    assert_true(answered >= 3);
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        const struct probe_item *it = &r->items[k];
        assert_true(it->done);
        assert_int_equal(it->outcome, PROBE_ERROR);
        assert_true(it->malformed);
        const char *want =
            k == PROBE_IKEV2_500
                ? "malformed answers: the server chose a transform we did not offer: dh 5"
                : "malformed answers: the server chose a transform we did not offer: "
                  "des-md5-modp768";
        assert_string_equal(it->detail, want);
        assert_string_equal(it->transform, "");
    }
    struct probe_report rep;
    probe_to_report(r, &rep);
    assert_int_equal(rep.ike500, PROBE_ERROR);
    probe_free(p);
    udp_close(&server);
}

/* probe_with_key against a UDP port on loopback that takes packets and never
 * answers, with a 400 ms timeout; *port gets the port. */
static void probe_silent(const char *psk, struct probe_key_result *res, uint16_t *port)
{
    struct net_addr loopback[1], local;
    size_t count;
    struct l2f_err err = {{0}};
    assert_int_equal(net_init(), L2F_OK);
    assert_int_equal(net_resolve("127.0.0.1", loopback, 1, &count, &err), L2F_OK);
    struct udp_sock server;
    assert_int_equal(udp_open_toward(&server, &loopback[0], &local, &err), L2F_OK);
    uint8_t ip[4];
    assert_true(net_addr_ipv4(&local, ip, port));
    struct probe_options o;
    probe_options_default(&o);
    o.port = o.natt_port = *port;
    o.timeout_ms = 400;
    assert_int_equal(probe_with_key("127.0.0.1", &o, "", psk, res, &err), L2F_OK);
    udp_close(&server);
}

/* With a key and a silent server, the probe has half the timeout and the key is
 * not tested, saying why; the run fails. */
static void key_untested_without_ikev1_answer(void **state)
{
    (void)state;
    struct probe_key_result res;
    uint16_t port;
    probe_silent("a-test-key", &res, &port);
    assert_int_equal(res.probe.items[PROBE_IKEV1_500].outcome, PROBE_NO_ANSWER);
    assert_true(res.probe.items[PROBE_IKEV1_500].ms < 300); /* half of 400, not all of it */
    assert_false(res.v1_accepted);
    assert_false(res.v1_malformed);
    assert_true(res.key_checked);
    assert_int_equal(res.key.verdict, PSK_INCONCLUSIVE);
    char want[64];
    snprintf(want, sizeof want, "no IKEv1 answer on UDP %u to test it with", port);
    assert_string_equal(res.key.reason, want);
    assert_int_equal(res.key.ipsec, IPSEC_FAILED);
    assert_int_equal(res.key.behind_nat, -1);
    assert_false(res.passed);
}

/* Without a key the probe has the whole timeout and no key verdict is made. */
static void no_key_no_verdict(void **state)
{
    (void)state;
    struct probe_key_result res;
    uint16_t port;
    probe_silent(NULL, &res, &port);
    assert_true(res.probe.items[PROBE_IKEV1_500].ms >= 350);
    assert_false(res.key_checked);
    assert_int_equal(res.key.ipsec, IPSEC_NOT_TRIED);
    assert_int_equal(res.key.server_behind_nat, -1);
    assert_int_equal(res.waited_ms, 0);
    assert_false(res.passed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_malformed_answers),
        cmocka_unit_test(key_untested_without_ikev1_answer),
        cmocka_unit_test(no_key_no_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
