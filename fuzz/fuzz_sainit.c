/* libFuzzer: the probe's reply handling (probe_internal.h), the state machine
 * and not only the parser: byte 0 picks the exchange (IKEv2 IKE_SA_INIT on
 * 500, IKEv1 Main Mode on 500 or, with the marker, 4500) and how many replies
 * follow; each reply is our cookie then the fuzzer's bytes, fed in turn, then
 * the deadline passes. A probe that ends accepted must have had a reply the
 * strict parser takes; one that ends on malformed replies must say so. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ike.h"
#include "net/probe_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t cookie[IKE_COOKIE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

/* The outcome against what the strict parser says of the replies before it
 * ended: accepted only after a valid one; only invalid ones, an error that
 * says "malformed answers". */
static void check(const struct probe_item *it, bool any_valid)
{
    if (!it->done || (it->outcome == PROBE_ACCEPTED && !any_valid))
        abort();
    if (it->malformed && (it->outcome != PROBE_ERROR || !strstr(it->detail, "malformed")))
        abort();
    if (!any_valid && (!it->malformed || strncmp(it->detail, "malformed answers: ", 19) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum probe_kind k = (enum probe_kind)(data[0] % PROBE_KIND_COUNT);
    unsigned replies = 1 + (data[0] >> 4) % 3;
    struct probe *p = probe_fixed(cookie);
    if (!p)
        return 0;
    size_t marker = k == PROBE_IKEV1_4500 ? IKE_NATT_MARKER_LEN : 0;
    size_t chunk = (size - 1) / replies;
    bool any_valid = false;
    for (unsigned i = 0; i < replies; i++) {
        uint8_t buf[IKE_NATT_MARKER_LEN + IKE_MAX_PACKET + 8];
        size_t n = chunk < IKE_MAX_PACKET ? chunk : IKE_MAX_PACKET;
        memset(buf, 0, marker);
        memcpy(buf + marker, cookie, IKE_COOKIE_LEN);
        memcpy(buf + marker + IKE_COOKIE_LEN, data + 1 + i * chunk, n);
        size_t len = marker + IKE_COOKIE_LEN + n;
        struct ike_reply r;
        struct l2f_err err;
        bool valid = k == PROBE_IKEV2_500
                         ? ike_v2_parse_reply(buf, len, cookie, &r, &err) == L2F_OK
                         : ike_v1_parse_reply(buf, len, cookie, marker != 0, ike_windows_offer,
                                              ike_windows_offer_count, &r, &err) == L2F_OK;
        if (!probe_result(p)->items[k].done)
            any_valid |= valid;
        probe_feed(p, k, buf, len);
    }
    probe_expire(p);
    check(&probe_result(p)->items[k], any_valid);
    probe_free(p);
    return 0;
}
