/* ESP in UDP: a packet sealed on known keys matches one built apart from this
 * code (Python's hmac and the openssl command), opening undoes sealing, and
 * the replay window, the ICV and the padding check each refuse what they must. */
#include <stdio.h>
#include <string.h>

#include "net/esp.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "testutil.h"

/* AES-256 + HMAC-SHA1-96, keys from the KEYMAT of test_ikekeys, SPI c1dbf9e4. */
static void make_sa(struct esp_sa *sa)
{
    uint8_t km[52];
    memset(sa, 0, sizeof *sa);
    assert_true(esp_sa_setup(sa, IKE_ENC_AES_CBC, 256, IKE_HASH_SHA1));
    assert_int_equal(esp_keymat_len(sa), 52);
    tu_hex("dc4cf03c8b2a1b93d9ac5cd54599d1dabdb5516937dfe9b1fab3fb89839aa2b7e1ad10a9b04c26638c28f7c"
           "d832e7e86d1e67c40",
           km);
    esp_sa_keys(sa, km);
    tu_hex("c1dbf9e4", sa->spi);
}

static const char known_packet[] =
    "c1dbf9e400000001000102030405060708090a0b0c0d0e0f5265948ccdd3731af050549f0e098038ed65"
    "bdb152f954ed4469d3baf0805101bbef296775b68159e371dba6";

static void seal_known_answer(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct esp_sa sa;
    make_sa(&sa);
    uint8_t udp[64], iv[16], out[128], want[128];
    for (int i = 0; i < 16; i++)
        iv[i] = (uint8_t)i;
    size_t n = esp_udp_wrap(1701, 1701, (const uint8_t *)"hello l2tp", 10, udp, sizeof udp);
    assert_int_equal(n, 18);
    size_t len = esp_seal(&sa, ESP_NEXT_UDP, udp, n, iv, out, sizeof out);
    assert_int_equal(len, strlen(known_packet) / 2);
    tu_hex(known_packet, want);
    assert_memory_equal(out, want, len);
    assert_int_equal(sa.seq, 1);
    /* too small an output: nothing, and the sequence number is not used up */
    assert_int_equal(esp_seal(&sa, ESP_NEXT_UDP, udp, n, iv, out, 40), 0);
    assert_int_equal(sa.seq, 1);
}

static void open_undoes_seal(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct esp_sa tx, rx;
    make_sa(&tx);
    make_sa(&rx);
    uint8_t pkt[128], plain[128], iv[16] = {9};
    tu_hex(known_packet, pkt);
    size_t len = strlen(known_packet) / 2, n;
    uint8_t next;
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_OK);
    assert_int_equal(next, ESP_NEXT_UDP);
    uint16_t sport, dport;
    const uint8_t *payload;
    size_t plen;
    assert_true(esp_udp_unwrap(plain, n, &sport, &dport, &payload, &plen));
    assert_int_equal(sport, 1701);
    assert_int_equal(dport, 1701);
    assert_int_equal(plen, 10);
    assert_memory_equal(payload, "hello l2tp", 10);
    /* the same packet again is a replay */
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_REPLAY);
    /* every payload length from 0 to 40 goes round (all the padding lengths),
     * numbered on from the known packet's 1 */
    tx.seq = 1;
    for (size_t k = 0; k <= 40; k++) {
        uint8_t body[64], out[160];
        memset(body, (int)k, sizeof body);
        size_t sl = esp_seal(&tx, 4, body, k, iv, out, sizeof out);
        assert_true(sl > 0);
        assert_int_equal((sl - ESP_HEADER_LEN - 16 - 12) % 16, 0);
        assert_int_equal(esp_open(&rx, out, sl, plain, sizeof plain, &n, &next), ESP_OPEN_OK);
        assert_int_equal(n, k);
        assert_int_equal(next, 4);
        assert_memory_equal(plain, body, k);
    }
}

static void tampering_refused(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    struct esp_sa rx;
    uint8_t pkt[128], plain[128];
    size_t len = strlen(known_packet) / 2, n;
    uint8_t next;
    for (size_t at = 0; at < len; at++) {
        make_sa(&rx);
        tu_hex(known_packet, pkt);
        pkt[at] ^= 0x01;
        enum esp_open_result r = esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next);
        /* the SPI names another SA; sequence number 0 is never valid; anything
         * else fails the ICV; nothing moves the window */
        assert_int_equal(r, at < 4    ? ESP_OPEN_OTHER_SPI
                            : at == 7 ? ESP_OPEN_REPLAY
                                      : ESP_OPEN_BAD_ICV);
        assert_int_equal(rx.top, 0);
    }
    make_sa(&rx);
    tu_hex(known_packet, pkt);
    assert_int_equal(esp_open(&rx, pkt, len - 1, plain, sizeof plain, &n, &next),
                     ESP_OPEN_MALFORMED);
    assert_int_equal(esp_open(&rx, pkt, 20, plain, sizeof plain, &n, &next), ESP_OPEN_MALFORMED);
    /* an authentic packet whose padding is not 1, 2, 3 ... is refused too:
     * 29 zero bytes, "pad length 3" over bytes that are 0 0 0, next header 17 */
    struct esp_sa tx;
    make_sa(&tx);
    uint8_t iv[16] = {0}, body[32] = {0};
    body[30] = 3;
    body[31] = 17;
    uint8_t crafted[ESP_HEADER_LEN + 16 + 32 + 12];
    memcpy(crafted, tx.spi, 4);
    crafted[4] = crafted[5] = crafted[6] = 0;
    crafted[7] = 7;
    memcpy(crafted + 8, iv, 16);
    assert_true(ikec_cbc(IKE_ENC_AES_CBC, 256, tx.enc_key, iv, body, 32, crafted + 24, true));
    uint8_t mac[20];
    assert_true(ikec_prf(IKE_HASH_SHA1, tx.auth_key, 20, crafted, 24 + 32, mac));
    memcpy(crafted + 56, mac, 12);
    make_sa(&rx);
    assert_int_equal(esp_open(&rx, crafted, sizeof crafted, plain, sizeof plain, &n, &next),
                     ESP_OPEN_BAD_PADDING);
    assert_int_equal(rx.top, 0);
}

/* An authentic packet of sequence seq around plain (whole blocks): a
 * server's, however its trailer reads. Returns its length. */
static size_t craft(const uint8_t *plain, size_t len, uint32_t seq, uint8_t *out)
{
    struct esp_sa tx;
    make_sa(&tx);
    uint8_t iv[16] = {0}, mac[20];
    memcpy(out, tx.spi, 4);
    out[4] = (uint8_t)(seq >> 24);
    out[5] = (uint8_t)(seq >> 16);
    out[6] = (uint8_t)(seq >> 8);
    out[7] = (uint8_t)seq;
    memcpy(out + 8, iv, 16);
    assert_true(ikec_cbc(IKE_ENC_AES_CBC, 256, tx.enc_key, iv, plain, len, out + 24, true));
    assert_true(ikec_prf(IKE_HASH_SHA1, tx.auth_key, 20, out, 24 + len, mac));
    memcpy(out + 24 + len, mac, 12);
    return 24 + len + 12;
}

/* The trailer's pad length and the sizes at their limits: all of the block
 * but the trailer is padding (an empty payload), one more is refused; a
 * payload exactly the caller's room fits, one byte less room refuses it;
 * 2048 bytes of ciphertext open, 2064 are refused before decryption. */
static void lengths_at_their_limits(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    static uint8_t body[2064 + 64], pkt[2064 + 64], plain[2064];
    struct esp_sa rx;
    size_t n;
    uint8_t next;
    memset(body, 0, sizeof body);
    for (uint8_t i = 0; i < 14; i++)
        body[i] = (uint8_t)(i + 1);
    body[14] = 14; /* pad length: the whole block but the trailer */
    body[15] = 17;
    make_sa(&rx);
    size_t len = craft(body, 16, 1, pkt);
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_OK);
    assert_int_equal(n, 0);
    body[14] = 15; /* one byte past the block */
    make_sa(&rx);
    len = craft(body, 16, 1, pkt);
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_BAD_PADDING);
    assert_int_equal(rx.top, 0);
    /* a payload of 14 bytes, no padding: room for 14 opens it, 13 does not */
    memset(body, 0x61, 14);
    body[14] = 0;
    make_sa(&rx);
    len = craft(body, 16, 1, pkt);
    assert_int_equal(esp_open(&rx, pkt, len, plain, 13, &n, &next), ESP_OPEN_MALFORMED);
    assert_int_equal(rx.top, 0);
    assert_int_equal(esp_open(&rx, pkt, len, plain, 14, &n, &next), ESP_OPEN_OK);
    assert_int_equal(n, 14);
    /* the largest ciphertext opened, 2048 bytes, and one block more */
    memset(body, 0x62, sizeof body);
    body[2046] = 0;
    body[2047] = 17;
    make_sa(&rx);
    len = craft(body, 2048, 1, pkt);
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_OK);
    assert_int_equal(n, 2046);
    body[2062] = 0;
    body[2063] = 17;
    make_sa(&rx);
    len = craft(body, 2064, 1, pkt);
    assert_int_equal(esp_open(&rx, pkt, len, plain, sizeof plain, &n, &next), ESP_OPEN_MALFORMED);
    /* an SA that was never set up refuses rather than divides by its zero block */
    struct esp_sa unset;
    memset(&unset, 0, sizeof unset);
    assert_int_equal(esp_open(&unset, pkt, len, plain, sizeof plain, &n, &next),
                     ESP_OPEN_MALFORMED);
}

/* RFC 4303 3.4.3: a 64-packet window that slides with the highest number. */
static void replay_window(void **state)
{
    (void)state;
    struct esp_sa sa;
    memset(&sa, 0, sizeof sa);
    assert_false(esp_replay_ok(&sa, 0));
    assert_true(esp_replay_ok(&sa, 1));
    esp_replay_accept(&sa, 1);
    assert_false(esp_replay_ok(&sa, 1));
    esp_replay_accept(&sa, 5); /* 2, 3, 4 late but inside */
    assert_true(esp_replay_ok(&sa, 3));
    esp_replay_accept(&sa, 3);
    assert_false(esp_replay_ok(&sa, 3));
    assert_true(esp_replay_ok(&sa, 2));
    assert_true(esp_replay_ok(&sa, 4));
    esp_replay_accept(&sa, 100); /* jump: 36 is the oldest still inside */
    assert_false(esp_replay_ok(&sa, 36));
    assert_true(esp_replay_ok(&sa, 37));
    assert_false(esp_replay_ok(&sa, 5));
    assert_false(esp_replay_ok(&sa, 100));
    esp_replay_accept(&sa, 37);
    assert_false(esp_replay_ok(&sa, 37));
    esp_replay_accept(&sa, 1000); /* a jump past the whole window clears it */
    assert_true(esp_replay_ok(&sa, 999));
    assert_false(esp_replay_ok(&sa, 936));
    assert_true(esp_replay_ok(&sa, 937));
}

static void udp_header(void **state)
{
    (void)state;
    uint8_t d[16] = {0x06, 0xa5, 0x06, 0xa5, 0x00, 0x0a, 0, 0, 'h', 'i', 'x', 'x'};
    uint16_t s, t;
    const uint8_t *p;
    size_t n;
    assert_true(esp_udp_unwrap(d, 12, &s, &t, &p, &n));
    assert_int_equal(n, 2); /* the length field rules, the tail is not payload */
    d[5] = 20;
    assert_false(esp_udp_unwrap(d, 12, &s, &t, &p, &n));
    d[5] = 7;
    assert_false(esp_udp_unwrap(d, 12, &s, &t, &p, &n));
    assert_false(esp_udp_unwrap(d, 7, &s, &t, &p, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seal_known_answer), cmocka_unit_test(open_undoes_seal),
        cmocka_unit_test(tampering_refused), cmocka_unit_test(lengths_at_their_limits),
        cmocka_unit_test(replay_window),     cmocka_unit_test(udp_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
