/* Quick Mode's reply handling against hand-made server messages, on a
 * session with fixed keys (ikev1_internal.h): each length the server
 * controls at its limits, and choices we never offered. */
#include <stdio.h>
#include <string.h>

#include <stdatomic.h>

#include "net/ikecrypto.h"
#include "net/ikev1_internal.h"
#include "net/udp.h"
#include "platform.h"
#include "testutil.h"

static const uint8_t server_spi[4] = {0xd1, 0xd2, 0xd3, 0xd4};

struct attr {
    unsigned type, value;
};

/* The attributes of the transform we offered first when not floated:
 * life seconds 3600, transport, HMAC-SHA1, AES-256. */
static const struct attr aes256[] = {{1, 1}, {2, 3600}, {4, 2}, {5, 2}, {6, 256}};

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Appends a payload header and body; returns the new end. */
static size_t payload(uint8_t *buf, size_t pos, unsigned next, const uint8_t *body, size_t len)
{
    buf[pos] = (uint8_t)next;
    buf[pos + 1] = 0;
    put16(buf + pos + 2, 4 + len);
    memcpy(buf + pos + 4, body, len);
    return pos + 4 + len;
}

/* An SA body choosing one ESP transform: proposal prop_no, SPI of spi_len. */
static size_t sa_body(uint8_t *out, unsigned prop_no, unsigned spi_len, unsigned esp_id,
                      const struct attr *a, size_t n)
{
    static const uint8_t head[8] = {0, 0, 0, 1, 0, 0, 0, 1};
    memcpy(out, head, 8);
    uint8_t *p = out + 8, *t = p + 8 + spi_len;
    size_t tlen = 8 + 4 * n;
    p[0] = 0;
    p[1] = 0;
    put16(p + 2, 8 + spi_len + tlen);
    p[4] = (uint8_t)prop_no;
    p[5] = 3; /* ESP */
    p[6] = (uint8_t)spi_len;
    p[7] = 1;
    for (size_t i = 0; i < spi_len; i++)
        p[8 + i] = server_spi[i % 4];
    t[0] = 0;
    t[1] = 0;
    put16(t + 2, tlen);
    t[4] = 1;
    t[5] = (uint8_t)esp_id;
    t[6] = t[7] = 0;
    for (size_t i = 0; i < n; i++) {
        put16(t + 8 + 4 * i, 0x8000 | a[i].type);
        put16(t + 10 + 4 * i, a[i].value);
    }
    return 8 + 8 + spi_len + tlen;
}

struct fixture {
    struct ikev1 *s;
    struct ikev1_qm q;
    struct ikev1_phase2 r;
};

static void open_session(struct fixture *f, bool natt)
{
    f->s = ikev1_fixed_session(IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1, natt);
    assert_non_null(f->s);
    ikev1_qm_fixed(f->s, &f->q);
    memset(&f->r, 0, sizeof f->r);
}

/* SA then a nonce of nonce_len, sealed as the server would; the reply's length. */
static size_t run_reply(struct fixture *f, const uint8_t *sa, size_t sa_len, size_t nonce_len)
{
    uint8_t payloads[2048], nonce[512], pkt[IKE_MAX_PACKET];
    memset(nonce, 0xee, sizeof nonce);
    size_t n = payload(payloads, 0, IKE_PL_NONCE, sa, sa_len);
    n = payload(payloads, n, 0, nonce, nonce_len);
    size_t len = ikev1_qm_seal_reply(f->s, &f->q, IKE_PL_SA, payloads, n, pkt, sizeof pkt);
    assert_true(len > 0);
    return ikev1_qm_reply(f->s, &f->q, pkt, len, &f->r);
}

static void expect_reason(const struct fixture *f, const char *want)
{
    if (!strstr(f->r.reason, want))
        fail_msg("got '%s', want '%s'", f->r.reason, want);
}

/* RFC 2409: 8 to 256 bytes. 253 to 256 once overran HASH(3)'s buffer. */
static void qm_nonce_at_its_limits(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    static const struct {
        size_t len;
        bool ok;
    } cases[] = {{7, false}, {8, true}, {253, true}, {255, true}, {256, true}, {257, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fixture f;
        open_session(&f, false);
        uint8_t sa[256];
        size_t sa_len = sa_body(sa, 1, 4, IKE_ESP_AES, aes256, 5);
        size_t got = run_reply(&f, sa, sa_len, cases[i].len);
        if (cases[i].ok) {
            if (!got)
                fail_msg("nonce of %lu bytes refused: %s", (unsigned long)cases[i].len, f.r.reason);
            assert_int_equal(f.q.nr_len, cases[i].len);
            struct esp_sa in, out;
            ikev1_esp_sas(f.s, &in, &out);
            assert_memory_equal(out.spi, server_spi, 4);
            assert_int_equal(out.enc_key_len, 32);
            assert_string_equal(f.r.transform, "esp-aes256-sha1 transport");
        } else {
            assert_int_equal(got, 0);
            char want[96];
            snprintf(want, sizeof want, "malformed: a nonce of %lu bytes (RFC 2409: 8 to 256)",
                     (unsigned long)cases[i].len);
            expect_reason(&f, want);
        }
        ikev1_close(f.s);
    }
}

/* One SA answer; the reason when refused, "" when taken. */
static void qm_try(bool natt, const uint8_t *sa, size_t sa_len, char *reason, size_t len)
{
    struct fixture f;
    open_session(&f, natt);
    size_t got = run_reply(&f, sa, sa_len, 32);
    snprintf(reason, len, "%s", got ? "" : f.r.reason);
    ikev1_close(f.s);
}

static void qm_expect(bool natt, const uint8_t *sa, size_t sa_len, const char *want)
{
    char reason[160];
    qm_try(natt, sa, sa_len, reason, sizeof reason);
    if (!strstr(reason, want) || !want[0] != !reason[0])
        fail_msg("got '%s', want '%s'", reason, want);
}

/* RFC 2408 4.2: the chosen ESP transform is one we offered, attribute for
 * attribute, in our one proposal; anything else is refused and named. */
static void qm_must_choose_an_offered_transform(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t sa[256];
    const struct attr aes128[] = {{1, 1}, {2, 3600}, {4, 2}, {5, 2}, {6, 128}};
    const struct attr tdes[] = {{1, 1}, {2, 3600}, {4, 2}, {5, 2}};
    const struct attr udp[] = {{1, 1}, {2, 3600}, {4, 4}, {5, 2}, {6, 256}};
    qm_expect(false, sa, sa_body(sa, 1, 4, IKE_ESP_AES, aes256, 5), "");
    qm_expect(false, sa, sa_body(sa, 1, 4, IKE_ESP_AES, aes128, 5), "");
    qm_expect(false, sa, sa_body(sa, 1, 4, IKE_ESP_3DES, tdes, 4), "");
    qm_expect(true, sa, sa_body(sa, 1, 4, IKE_ESP_AES, udp, 5), "");
    static const struct {
        bool natt;
        unsigned esp_id;
        struct attr a[6];
        size_t n;
        const char *why;
    } cases[] = {
        {false, 2, {{1, 1}, {2, 3600}, {4, 2}, {5, 2}}, 4, "did not offer: esp-des-sha1 transport"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 2}, {5, 2}, {6, 192}},
         5,
         "did not offer: esp-aes192-sha1 transport"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 2}, {5, 1}, {6, 256}},
         5,
         "did not offer: esp-aes256-md5 transport"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 1}, {5, 2}, {6, 256}},
         5,
         "did not offer: esp-aes256-sha1 tunnel"},
        {true,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 2}, {5, 2}, {6, 256}},
         5,
         "did not offer: esp-aes256-sha1 transport"},
        {true,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 61444}, {5, 2}, {6, 256}},
         5,
         "esp-aes256-sha1 encap61444"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 28800}, {4, 2}, {5, 2}, {6, 256}},
         5,
         "esp-aes256-sha1 transport for 28800 s"},
        {false,
         IKE_ESP_AES,
         {{1, 2}, {2, 3600}, {4, 2}, {5, 2}, {6, 256}},
         5,
         "for 3600 units of another kind"},
        {false,
         IKE_ESP_AES,
         {{4, 2}, {5, 2}, {6, 256}},
         3,
         "did not offer: esp-aes256-sha1 transport for 0"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 2}, {5, 2}},
         4,
         "did not offer: esp-aes-sha1 transport"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {3, 2}, {4, 2}, {5, 2}, {6, 256}},
         6,
         "an attribute we did not offer"},
        {false,
         IKE_ESP_AES,
         {{1, 1}, {2, 3600}, {4, 2}, {4, 2}, {5, 2}, {6, 256}},
         6,
         "an attribute twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        qm_expect(cases[i].natt, sa, sa_body(sa, 1, 4, cases[i].esp_id, cases[i].a, cases[i].n),
                  cases[i].why);
    /* the proposal: its number, protocol, SPI size and SPI */
    qm_expect(false, sa, sa_body(sa, 2, 4, IKE_ESP_AES, aes256, 5),
              "malformed: a proposal we did not make");
    qm_expect(false, sa, sa_body(sa, 1, 8, IKE_ESP_AES, aes256, 5),
              "malformed: a proposal we did not make");
    size_t n = sa_body(sa, 1, 4, IKE_ESP_AES, aes256, 5);
    sa[8 + 5] = 2; /* AH */
    qm_expect(false, sa, n, "malformed: a proposal we did not make");
    sa[8 + 5] = 3;
    memcpy(sa + 16, (const uint8_t[4]){0, 0, 0, 0xff}, 4);
    qm_expect(false, sa, n, "malformed: an SPI that RFC 4303 reserves");
    memcpy(sa + 16, (const uint8_t[4]){0, 0, 1, 0}, 4);
    qm_expect(false, sa, n, ""); /* 256: the first SPI not reserved */
}

/* Each length inside the SA at its limits: the proposal and transform lengths,
 * a long attribute of 0 to 5 bytes. */
static void qm_sa_lengths_at_their_limits(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    uint8_t sa[256];
    size_t n = sa_body(sa, 1, 4, IKE_ESP_AES, aes256, 5);
    char reason[160];
    put16(sa + 8 + 2, n - 8 + 1); /* the proposal one byte past the SA */
    qm_expect(false, sa, n, "malformed: an SA that is not one proposal");
    put16(sa + 8 + 2, n - 8);
    put16(sa + 20 + 2, n - 20 + 1); /* the transform one byte past the proposal */
    qm_expect(false, sa, n, "malformed: a transform that runs out");
    put16(sa + 20 + 2, 7);
    qm_expect(false, sa, n, "malformed: a transform that runs out");
    put16(sa + 20 + 2, n - 20);
    qm_try(false, sa, n, reason, sizeof reason);
    assert_string_equal(reason, "");
    /* the lifetime as a long attribute of vlen bytes at the end of the transform */
    const struct attr head[] = {{1, 1}, {4, 2}, {5, 2}, {6, 256}};
    for (size_t vlen = 0; vlen <= 5; vlen++) {
        n = sa_body(sa, 1, 4, IKE_ESP_AES, head, 4);
        uint8_t tlv[4 + 5] = {0, 2, 0, (uint8_t)vlen};
        for (size_t b = 0; b < vlen; b++)
            tlv[4 + b] = (uint8_t)(b + 1 == vlen ? 0x10 : 0); /* 3600 = 0x0e10 */
        if (vlen >= 2)
            tlv[4 + vlen - 2] = 0x0e;
        memcpy(sa + n, tlv, 4 + (vlen > 4 ? 4 : vlen));
        size_t extra = 4 + (vlen > 4 ? 4 : vlen); /* vlen 5 claims a byte that is not there */
        put16(sa + 20 + 2, n - 20 + extra);
        put16(sa + 8 + 2, n - 8 + extra);
        const char *want = vlen == 0 || vlen > 4 ? "a long attribute of a wrong length"
                           : vlen == 1           ? "for 16 s"
                                                 : "";
        qm_expect(false, sa, n + extra, want);
    }
}

static void qm_notify_instead_of_sa(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct fixture f;
    open_session(&f, false);
    uint8_t payloads[64], pkt[IKE_MAX_PACKET];
    static const uint8_t notify[] = {0, 0, 0, 1, 3, 4, 0, 14, 1, 2, 3, 4};
    size_t n = payload(payloads, 0, 0, notify, sizeof notify);
    size_t len = ikev1_qm_seal_reply(f.s, &f.q, IKE_PL_NOTIFY, payloads, n, pkt, sizeof pkt);
    assert_int_equal(ikev1_qm_reply(f.s, &f.q, pkt, len, &f.r), 0);
    expect_reason(&f, "the server refused Quick Mode (notify 14)");
    /* a notify too short to hold its type is still named, as type 0 */
    n = payload(payloads, 0, 0, notify, 7);
    len = ikev1_qm_seal_reply(f.s, &f.q, IKE_PL_NOTIFY, payloads, n, pkt, sizeof pkt);
    assert_int_equal(ikev1_qm_reply(f.s, &f.q, pkt, len, &f.r), 0);
    expect_reason(&f, "(notify 0)");
    ikev1_close(f.s);
}

/* ---- Main Mode against a scripted server on loopback ---- */

struct mm_server {
    struct udp_sock sock;
    uint16_t port;
    const uint8_t *mm2; /* SA payload body */
    size_t mm2_len;
    size_t nonce_len; /* of message 4 */
    atomic_int stop;
};

/* A reply to req: its cookies (ours when it has none), first payload type, payloads. */
static size_t mm_reply(const uint8_t *req, unsigned first, const uint8_t *pl, size_t n,
                       uint8_t *out)
{
    memcpy(out, req, 8);
    memset(out + 8, 0x99, 8);
    out[16] = (uint8_t)first;
    out[17] = 0x10;
    out[18] = 2;
    out[19] = 0;
    memset(out + 20, 0, 8);
    put16(out + 26, 28 + n);
    memcpy(out + 28, pl, n);
    return 28 + n;
}

/* Message 2 for message 1, message 4 (KE of MODP 2048 holding 2, a nonce) for message 3. */
static void mm_serve(void *arg)
{
    struct mm_server *m = arg;
    struct udp_sock *sk = &m->sock;
    uint64_t until = plat_monotonic_ms() + 5000;
    while (!atomic_load(&m->stop) && plat_monotonic_ms() < until) {
        uint8_t req[IKE_MAX_PACKET], out[IKE_MAX_PACKET], pl[1024];
        size_t got, n = 0;
        struct net_addr from;
        struct l2f_err err;
        if (udp_wait(&sk, 1, 20) <= 0 ||
            udp_recv_from(sk, req, sizeof req, &got, &from, &err) != L2F_OK || got < 28)
            continue;
        if (req[16] == IKE_PL_SA) {
            n = mm_reply(req, IKE_PL_SA, pl, payload(pl, 0, 0, m->mm2, m->mm2_len), out);
        } else if (req[16] == 4) { /* KE: message 3 */
            uint8_t ke[256] = {0}, nonce[512];
            ke[255] = 2;
            memset(nonce, 0x6e, sizeof nonce);
            size_t k = payload(pl, 0, IKE_PL_NONCE, ke, sizeof ke);
            k = payload(pl, k, 0, nonce, m->nonce_len);
            n = mm_reply(req, 4, pl, k, out);
        }
        if (n)
            udp_send_to(sk, &from, out, n, &err);
    }
}

/* Main Mode against the scripted server; its phase-1 result. */
static void mm_run(struct mm_server *m, struct ikev1_phase1 *r)
{
    struct net_addr loopback[1], local;
    size_t count;
    struct l2f_err err = {{0}};
    assert_int_equal(net_init(), L2F_OK);
    assert_int_equal(net_resolve("127.0.0.1", loopback, 1, &count, &err), L2F_OK);
    assert_int_equal(udp_open_toward(&m->sock, &loopback[0], &local, &err), L2F_OK);
    uint8_t ip[4];
    assert_true(net_addr_ipv4(&local, ip, &m->port));
    atomic_store(&m->stop, 0);
    struct plat_thread *t = plat_thread_start_joinable(mm_serve, m);
    assert_non_null(t);
    struct ikev1 *s;
    assert_int_equal(ikev1_open(&s, "127.0.0.1", m->port, 1200, &err), L2F_OK);
    ikev1_main_mode(s, "key", r);
    ikev1_close(s);
    atomic_store(&m->stop, 1);
    plat_thread_join(t);
    udp_close(&m->sock);
}

/* MM2's SA body: one proposal, one transform with these attributes. */
static size_t mm2_sa(uint8_t *out, const struct attr *a, size_t n)
{
    static const uint8_t head[8] = {0, 0, 0, 1, 0, 0, 0, 1};
    memcpy(out, head, 8);
    uint8_t *p = out + 8, *t = p + 8;
    size_t tlen = 8 + 4 * n;
    uint8_t ph[8] = {0, 0, 0, 0, 1, 1, 0, 1}, th[8] = {0, 0, 0, 0, 1, 1, 0, 0};
    memcpy(p, ph, 8);
    put16(p + 2, 8 + tlen);
    memcpy(t, th, 8);
    put16(t + 2, tlen);
    for (size_t i = 0; i < n; i++) {
        put16(t + 8 + 4 * i, 0x8000 | a[i].type);
        put16(t + 10 + 4 * i, a[i].value);
    }
    return 16 + tlen;
}

static void mm_expect(const struct attr *a, size_t n, size_t nonce_len, const char *want)
{
    struct mm_server m = {.nonce_len = nonce_len};
    uint8_t sa[128];
    m.mm2 = sa;
    m.mm2_len = mm2_sa(sa, a, n);
    struct ikev1_phase1 r;
    mm_run(&m, &r);
    if (!strstr(r.reason, want))
        fail_msg("got '%s', want '%s'", r.reason, want);
}

/* The key check: an unoffered choice in message 2 and message 4's nonce at
 * its limits (past the nonce check, the scripted server never sends message 6). */
static void main_mode_checks_what_the_server_sent(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    const struct attr des[] = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {11, 1}, {12, 28800}};
    mm_expect(
        des, 6, 32,
        "message 2 is malformed: the server chose a transform we did not offer: des-md5-modp768");
    const struct attr aes[] = {{1, 7}, {14, 256}, {2, 2}, {3, 1}, {4, 14}, {11, 1}, {12, 28800}};
    mm_expect(aes, 7, 7, "message 4 lacks a valid KE or nonce");
    mm_expect(aes, 7, 257, "message 4 lacks a valid KE or nonce");
    mm_expect(aes, 7, 256, "no answer after message 5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qm_nonce_at_its_limits),
        cmocka_unit_test(qm_must_choose_an_offered_transform),
        cmocka_unit_test(qm_sa_lengths_at_their_limits),
        cmocka_unit_test(qm_notify_instead_of_sa),
        cmocka_unit_test(main_mode_checks_what_the_server_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
