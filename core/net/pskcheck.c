#include "pskcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ikev1.h"
#include "net/l2tp.h"
#include "platform.h"

const char *psk_verdict_id(enum psk_verdict v)
{
    return v == PSK_ACCEPTED ? "accepted" : v == PSK_REJECTED ? "rejected" : "inconclusive";
}

const char *ipsec_outcome_id(enum ipsec_outcome o)
{
    return o == IPSEC_UP ? "up" : o == IPSEC_FAILED ? "failed" : NULL;
}

static void ipsec_failed(struct psk_check_result *out, const char *why)
{
    out->ipsec = IPSEC_FAILED;
    snprintf(out->ipsec_reason, sizeof out->ipsec_reason, "%.150s", why);
}

/* The IPsec stage is up when ESP goes both ways: an L2TP SCCRQ goes out in
 * ESP and the server's answer comes back in ESP, decrypted and verified.
 * The tunnel it opened is closed at once (StopCCN). */
static void round_trip(struct ikev1 *s, struct psk_check_result *out)
{
    uint8_t pkt[512], in[2048];
    struct l2f_err err;
    uint16_t our_tunnel;
    if (!plat_random(&our_tunnel, sizeof our_tunnel)) {
        ipsec_failed(out, "no randomness");
        return;
    }
    our_tunnel |= 1; /* 0 is not a tunnel id */
    size_t n = l2tp_build_sccrq(pkt, sizeof pkt, "l2tpfix", our_tunnel, 4);
    for (unsigned attempt = 0; ikev1_time_left(s) > 0; attempt++) {
        if (ikev1_esp_send(s, pkt, n, &err) != L2F_OK) {
            ipsec_failed(out, err.msg);
            return;
        }
        size_t got;
        /* L2TP resends after 1 s (RFC 2661 5.8) */
        int rc = ikev1_esp_recv(s, in, sizeof in, &got, 1000u << (attempt < 3 ? attempt : 3));
        if (rc < 0 && ikev1_peer_deleted(s)) {
            struct ikev1_counters k;
            ikev1_counters(s, &k);
            ipsec_failed(out, k.unreachable
                                  ? "the server deleted the SA right after Quick Mode and answered "
                                    "ESP with an ICMP error: it seems unable to install IPsec SAs"
                                  : "the server deleted the SA right after Quick Mode");
            return;
        }
        if (rc < 0) {
            ipsec_failed(out, "the socket failed");
            return;
        }
        if (rc == 0)
            continue;
        struct l2tp_header h;
        struct l2tp_control c;
        uint16_t peer_tunnel = 0;
        bool sccrp = l2tp_parse_header(in, got, &h) && h.control &&
                     l2tp_parse_control(h.payload, h.payload_len, &c) && c.type == L2TP_SCCRP &&
                     l2tp_avp_u16(&c, L2TP_AVP_ASSIGNED_TUNNEL_ID, &peer_tunnel);
        out->ipsec = IPSEC_UP;
        snprintf(out->ipsec_reason, sizeof out->ipsec_reason, "ESP round trip: %s",
                 sccrp ? "L2TP SCCRQ out, SCCRP back" : "a packet to UDP 1701 out, an answer back");
        if (sccrp) {
            n = l2tp_build_stopccn(pkt, sizeof pkt, peer_tunnel, our_tunnel, 1, 1,
                                   (uint16_t)(h.ns + 1));
            ikev1_esp_send(s, pkt, n, &err);
            /* its acknowledgement, briefly: the server may answer it or not */
            ikev1_esp_recv(s, in, sizeof in, &got, 200);
        }
        return;
    }
    struct ikev1_counters k;
    ikev1_counters(s, &k);
    char why[160];
    if (k.esp_dropped)
        snprintf(why, sizeof why, "Quick Mode done but the %u ESP packets back did not verify (%s)",
                 k.esp_dropped, k.last_drop ? k.last_drop : "?");
    else if (k.unreachable)
        snprintf(why, sizeof why,
                 "Quick Mode done but ESP got %u ICMP errors and no answer (%u sent)",
                 k.unreachable, k.esp_sent);
    else
        snprintf(why, sizeof why, "Quick Mode done but no ESP packet came back (%u sent)",
                 k.esp_sent);
    ipsec_failed(out, why);
}

enum l2f_status psk_check(const char *host, uint16_t port, const char *psk, unsigned timeout_ms,
                          bool bring_up, struct psk_check_result *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    out->behind_nat = -1;
    out->server_behind_nat = -1;
    struct ikev1 *s;
    uint64_t start = plat_monotonic_ms();
    enum l2f_status st = ikev1_open(&s, host, port, timeout_ms, err);
    if (st != L2F_OK)
        return st;
    if (bring_up)
        ikev1_want_udp_encapsulation(s);
    struct ikev1_phase1 p1;
    ikev1_main_mode(s, psk, &p1);
    out->verdict = p1.verdict;
    out->behind_nat = p1.behind_nat;
    out->server_behind_nat = p1.server_behind_nat;
    snprintf(out->reason, sizeof out->reason, "%s", p1.reason);
    snprintf(out->transform, sizeof out->transform, "%s", p1.transform);
    out->ms = (unsigned)(plat_monotonic_ms() - start);
    if (bring_up && p1.verdict != PSK_ACCEPTED) {
        ipsec_failed(out, p1.verdict == PSK_REJECTED ? "the server rejected the key"
                                                     : "Main Mode did not complete");
        out->ipsec_ms = out->ms;
    } else if (bring_up) {
        struct ikev1_phase2 p2;
        ikev1_quick_mode(s, &p2);
        snprintf(out->esp_transform, sizeof out->esp_transform, "%s", p2.transform);
        if (p2.up)
            round_trip(s, out);
        else
            ipsec_failed(out, p2.reason);
        out->ipsec_ms = (unsigned)(plat_monotonic_ms() - start);
    }
    ikev1_close(s);
    return L2F_OK;
}

/* ---- pacing ---- */

/* the end of the last check of this process: the real handshake ends its own
 * on the thread it runs on */
static _Atomic uint64_t last_in_process;

enum l2f_status psk_pace_begin(const char *state_dir, unsigned *waited_ms, struct l2f_err *err)
{
    char lock[PLAT_PATH_MAX + 32], last[PLAT_PATH_MAX + 32];
    bool have_dir = state_dir && state_dir[0];
    *waited_ms = 0;
    if (have_dir) {
        enum l2f_status st = plat_mkdir_p(state_dir, err);
        if (st != L2F_OK)
            return st;
        snprintf(lock, sizeof lock, "%s%cpsk-check.lock", state_dir, PLAT_DIRSEP);
        snprintf(last, sizeof last, "%s%cpsk-check.last", state_dir, PLAT_DIRSEP);
        /* a lock left by a crash is stale after a minute */
        char *text;
        if (plat_read_file(lock, &text, NULL, err) == L2F_OK) {
            long long since = (long long)plat_wall_ms() - atoll(text);
            free(text);
            if (since < 60000) {
                l2f_err_set(err, "another key check is running; try again in a moment");
                return L2F_ERR_CONFLICT;
            }
            remove(lock);
        }
        char stamp[32];
        snprintf(stamp, sizeof stamp, "%lld", (long long)plat_wall_ms());
        if (!plat_create_exclusive(lock, stamp, err))
            return L2F_ERR_CONFLICT;
        /* the pause since the last check of any process */
        if (plat_read_file(last, &text, NULL, err) == L2F_OK) {
            long long since = (long long)plat_wall_ms() - atoll(text);
            free(text);
            if (since >= 0 && since < PSK_MIN_PAUSE_MS) {
                *waited_ms = (unsigned)(PSK_MIN_PAUSE_MS - since);
                plat_sleep_ms(*waited_ms);
            }
        }
        l2f_err_clear(err);
    }
    uint64_t now = plat_monotonic_ms();
    uint64_t previous = last_in_process;
    if (previous && now - previous < PSK_MIN_PAUSE_MS && !*waited_ms) {
        *waited_ms = (unsigned)(PSK_MIN_PAUSE_MS - (now - previous));
        plat_sleep_ms(*waited_ms);
    }
    return L2F_OK;
}

void psk_pace_end(const char *state_dir)
{
    last_in_process = plat_monotonic_ms();
    if (state_dir && state_dir[0]) {
        char lock[PLAT_PATH_MAX + 32], last[PLAT_PATH_MAX + 32], stamp[32];
        struct l2f_err ignored;
        snprintf(lock, sizeof lock, "%s%cpsk-check.lock", state_dir, PLAT_DIRSEP);
        snprintf(last, sizeof last, "%s%cpsk-check.last", state_dir, PLAT_DIRSEP);
        snprintf(stamp, sizeof stamp, "%lld", (long long)plat_wall_ms());
        plat_write_atomic(last, stamp, strlen(stamp), &ignored);
        remove(lock);
    }
}

enum l2f_status psk_check_paced(const char *state_dir, const char *host, uint16_t port,
                                const char *psk, unsigned timeout_ms, bool bring_up,
                                struct psk_check_result *out, unsigned *waited_ms,
                                struct l2f_err *err)
{
    enum l2f_status st = psk_pace_begin(state_dir, waited_ms, err);
    if (st != L2F_OK)
        return st;
    st = psk_check(host, port, psk, timeout_ms, bring_up, out, err);
    psk_pace_end(state_dir);
    return st;
}
