/* Quick Mode's reply handling against hand-made server messages, on a
 * session with fixed keys (ikev1_internal.h): each length the server
 * controls at its limits, and choices we never offered. */
#include <stdio.h>
#include <string.h>

#include "net/ikecrypto.h"
#include "net/ikev1_internal.h"
#include "testutil.h"

#define PL_SA 1
#define PL_NONCE 10
#define PL_NOTIFY 11
#define ESP_AES 12
#define ESP_3DES 3

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
    size_t n = payload(payloads, 0, PL_NONCE, sa, sa_len);
    n = payload(payloads, n, 0, nonce, nonce_len);
    size_t len = ikev1_qm_seal_reply(f->s, &f->q, PL_SA, payloads, n, pkt, sizeof pkt);
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
        size_t sa_len = sa_body(sa, 1, 4, ESP_AES, aes256, 5);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qm_nonce_at_its_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
