/* libFuzzer: what handshake --ikev2 reads from the network. Byte 0 picks the
 * parser: IKE_SA_INIT answers (behind our SPI), IKE_AUTH's inner payloads
 * (byte 1 the first type), EAP requests, RFC 7383 fragments (numbers and
 * totals from the bytes), the SK payload under fixed keys (the fuzzer's bytes
 * sealed then opened must come back whole; raw they must never open), the
 * server's certificate, and an RFC 7427 AUTH over it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ike.h"
#include "net/ikev2.h"
#include "net/ikev2cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t spi[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const struct ikev2_suite suite = {IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA256,
                                         IKEV2_INTEG_SHA256_128, IKE_GROUP_MODP1024};

static void init_answer(const uint8_t *p, size_t n)
{
    uint8_t buf[4096];
    struct ikev2_init_reply r;
    struct l2f_err err;
    if (n > sizeof buf - 8)
        n = sizeof buf - 8;
    memcpy(buf, spi, 8);
    memcpy(buf + 8, p, n);
    if (ikev2_parse_init(buf, n + 8, spi, &r, &err) == L2F_OK && r.kind == IKEV2_INIT_ACCEPTED &&
        (r.ke < buf || r.ke + r.ke_len > buf + n + 8 || r.nonce + r.nonce_len > buf + n + 8))
        abort();
}

static void fragments(const uint8_t *p, size_t n)
{
    struct ikev2_reassembly r = {0};
    struct l2f_err err;
    size_t total = 0;
    bool done = false;
    ikev2_reasm_reset(&r, 1);
    while (n >= 3 && !done) {
        size_t len = p[2] % 64 < n - 3 ? p[2] % 64 : n - 3;
        if (ikev2_reasm_add(&r, p[0] % 40, p[1] % 40, 46, p + 3, len, &done, &err) == L2F_OK)
            total += len;
        p += 3 + len, n -= 3 + len;
    }
    uint8_t *whole;
    size_t len;
    if (done && ikev2_reasm_join(&r, &whole, &len, &err) == L2F_OK) {
        if (len != total)
            abort();
        free(whole);
    }
    ikev2_reasm_free(&r);
}

static void sk(const uint8_t *p, size_t n)
{
    static struct ikev2_keys k;
    static bool have;
    uint8_t zero[32] = {0}, msg[1200], out[1200], iv[16] = {0};
    struct l2f_err err;
    size_t got = 0;
    if (!have)
        have = ikev2_derive_keys(&suite, zero, 16, zero, 16, zero, 32, spi, spi, &k);
    if (!have || n > 1000)
        return;
    struct ikev2_keys back = k; /* the responder's direction is the initiator's keys swapped */
    memcpy(back.ar, k.ai, sizeof back.ar);
    memcpy(back.er, k.ei, sizeof back.er);
    ikev2_header(msg, spi, spi, 0, IKEV2_EX_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
    size_t m = ikev2_sk_seal(&suite, &k, msg, sizeof msg, IKEV2_PL_EAP, p, n, iv);
    if (!m ||
        ikev2_sk_open(&suite, &back, msg, m, IKE_HEADER_LEN + 4, out, sizeof out, &got, &err) !=
            L2F_OK ||
        got != n || memcmp(out, p, n) != 0)
        abort();
    memcpy(msg, p, n); /* raw bytes carry no valid ICV */
    if (n > IKE_HEADER_LEN + 4 && ikev2_sk_open(&suite, &back, msg, n, IKE_HEADER_LEN + 4, out,
                                                sizeof out, &got, &err) == L2F_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 8192)
        return 0;
    const uint8_t *p = data + 2;
    size_t n = size - 2;
    struct l2f_err err;
    switch (data[0] % 7) {
    case 0:
        init_answer(p, n);
        break;
    case 1: {
        struct ikev2_auth_reply a;
        if (ikev2_parse_auth(p, n, data[1], &a, &err) == L2F_OK && a.cert_count > IKEV2_MAX_CERTS)
            abort();
        break;
    }
    case 2: {
        struct eap_packet e;
        if (eap_parse(p, n, &e, &err) == L2F_OK && e.data && e.data + e.len > p + n)
            abort();
        break;
    }
    case 3:
        fragments(p, n);
        break;
    case 4:
        sk(p, n);
        break;
    case 5: {
        struct ikev2_cert_info ci;
        const uint8_t *certs[1] = {p};
        size_t lens[1] = {n};
        if (ikev2_cert_check(certs, lens, 1, NULL, "192.0.2.10", &ci) || ci.trusted)
            abort(); /* no fuzzer's certificate chains to a system root */
        break;
    }
    default: {
        char why[160];
        uint8_t octets[4] = {1, 2, 3, 4};
        ikev2_cert_verify_auth(p, n / 2, 14, p + n / 2, n - n / 2, octets, 4, why, sizeof why);
        break;
    }
    }
    return 0;
}
