#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ike.h"
#include "net/udp.h"
#include "platform.h"

#define PROBE_ID(e, id) id,
static const char *const kind_ids[] = {PROBE_KIND_TABLE(PROBE_ID)};
#undef PROBE_ID

struct exchange {
    struct udp_sock sock;
    uint8_t cookie[IKE_COOKIE_LEN];
    uint8_t packet[IKE_MAX_PACKET];
    size_t packet_len;
    uint64_t first_sent, next_send;
    unsigned interval;
    bool ke_retried; /* IKEv2: resent once with the group the server asked for */
    bool malformed;  /* something came back that was not an answer */
};

struct probe {
    struct probe_options opts;
    struct probe_result result;
    struct exchange ex[PROBE_KIND_COUNT];
    uint64_t started;
};

const char *probe_kind_id(enum probe_kind k)
{
    return (unsigned)k < PROBE_KIND_COUNT ? kind_ids[k] : "?";
}

const char *probe_outcome_id(enum probe_outcome o)
{
    switch (o) {
    case PROBE_ACCEPTED: return "accepted";
    case PROBE_NO_PROPOSAL: return "no-proposal";
    case PROBE_NO_ANSWER: return "no-answer";
    case PROBE_ERROR: return "error";
    }
    return "error";
}

void probe_options_default(struct probe_options *o)
{
    o->port = 500;
    o->natt_port = 4500;
    o->timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
}

static void finish(struct probe *p, enum probe_kind k, enum probe_outcome outcome, const char *detail)
{
    struct probe_item *it = &p->result.items[k];
    if (it->done)
        return;
    it->done = true;
    it->outcome = outcome;
    it->ms = (unsigned)(plat_monotonic_ms() - p->ex[k].first_sent);
    snprintf(it->detail, sizeof it->detail, "%s", detail);
    udp_close(&p->ex[k].sock);
}

static bool build(struct probe *p, enum probe_kind k, uint16_t ke_group)
{
    struct exchange *x = &p->ex[k];
    if (k == PROBE_IKEV2_500) {
        uint8_t random[IKE_MAX_PACKET];
        size_t need = ike_v2_random_needed(ke_group);
        if (!need || !plat_random(random, need))
            return false;
        x->packet_len = ike_v2_build_sa_init(x->packet, sizeof x->packet, x->cookie, ke_group, random, need);
    } else {
        x->packet_len = ike_v1_build_mm1(x->packet, sizeof x->packet, x->cookie, ike_windows_offer,
                                         ike_windows_offer_count, k == PROBE_IKEV1_4500);
    }
    return x->packet_len > 0;
}

static void send_now(struct probe *p, enum probe_kind k)
{
    struct exchange *x = &p->ex[k];
    struct l2f_err err;
    uint64_t now = plat_monotonic_ms();
    if (udp_send(&x->sock, x->packet, x->packet_len, &err) != L2F_OK) {
        finish(p, k, PROBE_ERROR, err.msg);
        return;
    }
    x->next_send = now + x->interval;
    x->interval *= 2;
}

enum l2f_status probe_start(struct probe **out, const char *host, const struct probe_options *opts,
                            struct l2f_err *err)
{
    *out = NULL;
    struct probe *p = calloc(1, sizeof *p);
    if (!p)
        return L2F_ERR_NOMEM;
    p->opts = *opts;
    p->result.behind_nat = -1;
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        p->ex[k].sock.fd = -1;
    *out = p;
    enum l2f_status st = net_init();
    struct net_addr addrs[4];
    size_t n = 0;
    if (st == L2F_OK)
        st = net_resolve(host, addrs, 4, &n, err);
    p->started = plat_monotonic_ms();
    if (st != L2F_OK) {
        for (int k = 0; k < PROBE_KIND_COUNT; k++) {
            p->ex[k].first_sent = p->started;
            finish(p, (enum probe_kind)k, PROBE_ERROR, "the name does not resolve");
        }
        return L2F_OK; /* an answer in itself: reported, not a failure to run */
    }
    p->result.resolved = true;
    p->result.literal = net_is_literal(host);
    net_addr_format(&addrs[0], p->result.address, sizeof p->result.address);
    bool server_private = net_addr_is_private(&addrs[0]);
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        struct exchange *x = &p->ex[k];
        struct net_addr to = addrs[0];
        net_addr_set_port(&to, k == PROBE_IKEV1_4500 ? opts->natt_port : opts->port);
        x->first_sent = p->started;
        x->interval = PROBE_FIRST_RETRANSMIT_MS;
        struct l2f_err e2;
        if (!plat_random(x->cookie, sizeof x->cookie) || !build(p, (enum probe_kind)k, IKE_GROUP_MODP2048)) {
            finish(p, (enum probe_kind)k, PROBE_ERROR, "cannot build the packet");
            continue;
        }
        if (udp_connect(&x->sock, &to, &e2) != L2F_OK) {
            finish(p, (enum probe_kind)k, PROBE_ERROR, e2.msg);
            continue;
        }
        if (k == PROBE_IKEV1_500) {
            struct net_addr local;
            /* a private source toward a public server means a NAT on the way */
            if (udp_local_address(&x->sock, &local))
                p->result.behind_nat = net_addr_is_private(&local) ? (server_private ? -1 : 1) : 0;
        }
        send_now(p, (enum probe_kind)k);
    }
    return L2F_OK;
}

static void on_datagram(struct probe *p, enum probe_kind k, const uint8_t *buf, size_t len)
{
    struct exchange *x = &p->ex[k];
    struct ike_reply r;
    struct l2f_err err;
    char name[64];
    if (k == PROBE_IKEV2_500) {
        if (ike_v2_parse_reply(buf, len, x->cookie, &r, &err) != L2F_OK) {
            x->malformed = true;
            return;
        }
        if (r.kind == IKE_REPLY_ACCEPTED)
            finish(p, k, PROBE_ACCEPTED, "IKE_SA_INIT answered");
        else if (r.kind == IKE_REPLY_COOKIE)
            finish(p, k, PROBE_ACCEPTED, "answered with a cookie request (under load)");
        else if (r.kind == IKE_REPLY_INVALID_KE && !x->ke_retried && ike_v2_random_needed(r.ke_group)) {
            /* the server named the group it wants: once, with that one */
            x->ke_retried = true;
            if (build(p, k, r.ke_group)) {
                x->interval = PROBE_FIRST_RETRANSMIT_MS;
                send_now(p, k);
            }
        } else if (r.kind == IKE_REPLY_INVALID_KE) {
            snprintf(name, sizeof name, "wants DH group %u", (unsigned)r.ke_group);
            finish(p, k, PROBE_NO_PROPOSAL, name);
        } else if (r.notify == IKE_NOTIFY_NO_PROPOSAL_CHOSEN) {
            finish(p, k, PROBE_NO_PROPOSAL, "NO_PROPOSAL_CHOSEN");
        } else {
            snprintf(name, sizeof name, "notify %u", (unsigned)r.notify);
            finish(p, k, PROBE_ERROR, name);
        }
        return;
    }
    if (ike_v1_parse_reply(buf, len, x->cookie, k == PROBE_IKEV1_4500, &r, &err) != L2F_OK) {
        x->malformed = true;
        return;
    }
    p->result.natt_vendor_id |= r.natt_vendor_id;
    if (r.kind == IKE_REPLY_ACCEPTED) {
        struct probe_item *it = &p->result.items[k];
        ike_transform_name(&r.chosen, it->transform, sizeof it->transform);
        finish(p, k, PROBE_ACCEPTED, "Main Mode answered");
    } else if (r.notify == IKE_NOTIFY_NO_PROPOSAL_CHOSEN) {
        finish(p, k, PROBE_NO_PROPOSAL, "NO-PROPOSAL-CHOSEN");
    } else {
        snprintf(name, sizeof name, "notify %u", (unsigned)r.notify);
        finish(p, k, PROBE_ERROR, name);
    }
}

bool probe_step(struct probe *p, unsigned wait_ms)
{
    struct udp_sock *open[PROBE_KIND_COUNT];
    enum probe_kind which[PROBE_KIND_COUNT];
    size_t n = 0;
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        if (!p->result.items[k].done) {
            open[n] = &p->ex[k].sock;
            which[n++] = (enum probe_kind)k;
        }
    if (n == 0)
        return true;
    uint64_t now = plat_monotonic_ms();
    uint64_t deadline = p->started + p->opts.timeout_ms;
    uint64_t wake = deadline;
    for (size_t i = 0; i < n; i++)
        if (p->ex[which[i]].next_send < wake)
            wake = p->ex[which[i]].next_send;
    unsigned wait = wake > now ? (unsigned)(wake - now) : 0;
    if (wait > wait_ms)
        wait = wait_ms;
    if (udp_wait(open, n, wait) > 0) {
        for (size_t i = 0; i < n; i++) {
            uint8_t buf[IKE_MAX_PACKET + 64];
            size_t got;
            struct l2f_err err;
            for (int guard = 0; guard < 16 && !p->result.items[which[i]].done; guard++) {
                enum l2f_status st = udp_recv(&p->ex[which[i]].sock, buf, sizeof buf, &got, &err);
                if (st == L2F_ERR_NOT_FOUND) {
                    finish(p, which[i], PROBE_NO_ANSWER, "port unreachable: nothing listens there");
                    break;
                }
                if (st != L2F_OK) {
                    finish(p, which[i], PROBE_ERROR, err.msg);
                    break;
                }
                if (got == 0)
                    break;
                on_datagram(p, which[i], buf, got);
            }
        }
    }
    now = plat_monotonic_ms();
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        if (p->result.items[k].done)
            continue;
        if (now >= deadline)
            finish(p, (enum probe_kind)k, p->ex[k].malformed ? PROBE_ERROR : PROBE_NO_ANSWER,
                   p->ex[k].malformed ? "malformed reply" : "no answer within the timeout");
        else if (now >= p->ex[k].next_send && p->ex[k].next_send + 100 < deadline)
            send_now(p, (enum probe_kind)k); /* not in the last instant: an answer could not come back */
        else if (now >= p->ex[k].next_send)
            p->ex[k].next_send = deadline;
    }
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        if (!p->result.items[k].done)
            return false;
    return true;
}

const struct probe_result *probe_result(const struct probe *p)
{
    return &p->result;
}

void probe_free(struct probe *p)
{
    if (!p)
        return;
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        udp_close(&p->ex[k].sock);
    free(p);
}

enum l2f_status probe_run(const char *host, const struct probe_options *opts, struct probe_result *out,
                          struct l2f_err *err)
{
    struct probe *p;
    enum l2f_status st = probe_start(&p, host, opts, err);
    if (st != L2F_OK) {
        probe_free(p);
        return st;
    }
    while (!probe_step(p, 1000)) {
    }
    *out = p->result;
    probe_free(p);
    return L2F_OK;
}

void probe_to_report(const struct probe_result *r, struct probe_report *out)
{
    memset(out, 0, sizeof *out);
    out->resolved = r->resolved;
    out->literal = r->literal;
    snprintf(out->address, sizeof out->address, "%s", r->address);
    out->ike500 = r->items[PROBE_IKEV1_500].outcome;
    out->ike4500 = r->items[PROBE_IKEV1_4500].outcome;
    out->ikev2 = r->items[PROBE_IKEV2_500].outcome;
    snprintf(out->transform, sizeof out->transform, "%s", r->items[PROBE_IKEV1_500].transform);
    if (!out->transform[0])
        snprintf(out->transform, sizeof out->transform, "%s", r->items[PROBE_IKEV1_4500].transform);
    out->client_behind_nat = r->behind_nat;
    out->server_behind_nat = -1; /* NAT-D needs main mode messages 3 and 4 */
}
