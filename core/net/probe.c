#include "probe.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ike.h"
#include "net/probe_internal.h"
#include "net/udp.h"
#include "platform.h"
#include <cjson/cJSON.h>
#include <time.h>

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
    bool answered;   /* an answer came that did not end the exchange (INVALID_KE) */
    char malformed_why[sizeof((struct probe_item *)0)->detail]; /* the last one's reason */
};

/* Name resolution runs on a thread of its own: getaddrinfo blocks, and a
 * slow resolver must not freeze the checklist. Shared by the probe and the
 * thread; whichever lets go last frees it. */
struct resolver {
    char host[256];
    struct net_addr addrs[4];
    size_t count;
    enum l2f_status st;
    struct l2f_err err;
    atomic_int done;
    atomic_int refs;
};

struct probe {
    char host[256];
    bool stored; /* the answers went to the cache */
    struct probe_options opts;
    struct probe_result result;
    struct exchange ex[PROBE_KIND_COUNT];
    uint64_t started;
    struct resolver *resolving; /* until the name is resolved */
    struct net_addr server;     /* UDP 500 on the server, once resolved */
    bool can_enumerate;         /* sockets may be opened (not a fixed probe of the tests) */
    bool enumerating;           /* the enumeration runs on enum_sock */
    struct udp_sock enum_sock;
    struct probe_enum en;
};

static bool cache_get(const char *dir, const char *host, const struct probe_options *o,
                      struct probe_result *out, unsigned *age_s);
static void cache_put(const char *dir, const char *host, const struct probe_options *o,
                      const struct probe_result *r);

static void resolver_release(struct resolver *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1)
        free(r);
}

static void resolve_thread(void *arg)
{
    struct resolver *r = arg;
    r->st = net_resolve(r->host, r->addrs, 4, &r->count, &r->err);
    atomic_store(&r->done, 1);
    resolver_release(r);
}

static bool resolver_start(struct resolver *r)
{
    atomic_store(&r->refs, 2);
    return plat_thread_start(resolve_thread, r);
}

const char *probe_kind_id(enum probe_kind k)
{
    return (unsigned)k < PROBE_KIND_COUNT ? kind_ids[k] : "?";
}

const char *probe_outcome_id(enum probe_outcome o)
{
    switch (o) {
    case PROBE_ACCEPTED:
        return "accepted";
    case PROBE_NO_PROPOSAL:
        return "no-proposal";
    case PROBE_NO_ANSWER:
        return "no-answer";
    case PROBE_ERROR:
        return "error";
    }
    return "error";
}

void probe_options_default(struct probe_options *o)
{
    *o = (struct probe_options){.port = IKE_PORT,
                                .natt_port = IKE_NATT_PORT,
                                .timeout_ms = PROBE_DEFAULT_TIMEOUT_MS,
                                .enum_ms = PROBE_ENUM_DEFAULT_MS};
}

static void finish(struct probe *p, enum probe_kind k, enum probe_outcome outcome,
                   const char *detail)
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
        x->packet_len =
            ike_v2_build_sa_init(x->packet, sizeof x->packet, x->cookie, ke_group, random, need);
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

static void fail_all(struct probe *p, const char *why)
{
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        p->ex[k].first_sent = p->started;
        finish(p, (enum probe_kind)k, PROBE_ERROR, why);
    }
}

/* The name is resolved: open the sockets and send the first packets. */
static void begin_sending(struct probe *p, const struct net_addr *addrs)
{
    const struct probe_options *opts = &p->opts;
    p->result.resolved = true;
    net_addr_format(&addrs[0], p->result.address, sizeof p->result.address);
    bool server_private = net_addr_is_private(&addrs[0]);
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        struct exchange *x = &p->ex[k];
        struct net_addr to = addrs[0];
        net_addr_set_port(&to, k == PROBE_IKEV1_4500 ? opts->natt_port : opts->port);
        if (k == PROBE_IKEV1_500) {
            p->server = to;
            p->can_enumerate = true;
        }
        x->first_sent = plat_monotonic_ms();
        x->interval = PROBE_FIRST_RETRANSMIT_MS;
        struct l2f_err e2;
        if (!plat_random(x->cookie, sizeof x->cookie) ||
            !build(p, (enum probe_kind)k, IKE_GROUP_MODP2048)) {
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
}

enum l2f_status probe_start(struct probe **out, const char *host, const struct probe_options *opts,
                            struct l2f_err *err)
{
    *out = NULL;
    struct probe *p = calloc(1, sizeof *p);
    struct resolver *r = calloc(1, sizeof *r);
    if (!p || !r) {
        free(p);
        free(r);
        return L2F_ERR_NOMEM;
    }
    p->opts = *opts;
    p->result.behind_nat = -1;
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        p->ex[k].sock.fd = -1;
    p->enum_sock.fd = -1;
    *out = p;
    p->started = plat_monotonic_ms();
    snprintf(p->host, sizeof p->host, "%s", host);
    /* servers throttle repeated half-open exchanges: a recent answer stands */
    unsigned age;
    if (!opts->ask_again && cache_get(opts->cache_dir, host, opts, &p->result, &age)) {
        free(r);
        p->result.reused = true;
        p->result.age_s = age;
        p->stored = true;
        return L2F_OK;
    }
    enum l2f_status st = net_init();
    if (st != L2F_OK) {
        free(r);
        l2f_err_set(err, "the network stack could not start");
        return st;
    }
    snprintf(r->host, sizeof r->host, "%s", host);
    p->result.literal = net_is_literal(host);
    if (p->result.literal || !resolver_start(r)) {
        /* an address resolves at once; without a thread, resolve here */
        r->st = net_resolve(r->host, r->addrs, 4, &r->count, &r->err);
        atomic_store(&r->done, 1);
        atomic_store(&r->refs, 1);
    }
    p->resolving = r;
    return L2F_OK;
}

/* Waits up to wait_ms for the resolver; false while it still works. */
static bool resolved(struct probe *p, unsigned wait_ms)
{
    struct resolver *r = p->resolving;
    uint64_t until = plat_monotonic_ms() + wait_ms;
    while (!atomic_load(&r->done)) {
        uint64_t now = plat_monotonic_ms();
        if (now >= p->started + p->opts.timeout_ms) {
            fail_all(p, "the name did not resolve in time");
            resolver_release(r);
            p->resolving = NULL;
            return true;
        }
        if (now >= until)
            return false;
        plat_sleep_ms(5);
    }
    if (r->st == L2F_OK)
        begin_sending(p, r->addrs);
    else
        fail_all(p, "the name does not resolve");
    resolver_release(r);
    p->resolving = NULL;
    return true;
}

/* A reply that is not an answer: noted, and the exchange waits for a real one. */
static void note_malformed(struct exchange *x, const struct l2f_err *err)
{
    x->malformed = true;
    snprintf(x->malformed_why, sizeof x->malformed_why, "%.159s", err->msg);
}

static void on_v2_reply(struct probe *p, const struct ike_reply *r)
{
    enum probe_kind k = PROBE_IKEV2_500;
    struct exchange *x = &p->ex[k];
    char name[64];
    if (r->kind == IKE_REPLY_ACCEPTED)
        finish(p, k, PROBE_ACCEPTED, "IKE_SA_INIT answered");
    else if (r->kind == IKE_REPLY_COOKIE)
        finish(p, k, PROBE_ACCEPTED, "answered with a cookie request (under load)");
    else if (r->kind == IKE_REPLY_INVALID_KE && !x->ke_retried &&
             ike_v2_random_needed(r->ke_group)) {
        /* the server named the group it wants: once, with that one */
        x->ke_retried = true;
        x->answered = true;
        if (build(p, k, r->ke_group)) {
            x->interval = PROBE_FIRST_RETRANSMIT_MS;
            send_now(p, k);
        }
    } else if (r->kind == IKE_REPLY_INVALID_KE) {
        snprintf(name, sizeof name, "wants DH group %u", (unsigned)r->ke_group);
        finish(p, k, PROBE_NO_PROPOSAL, name);
    } else if (r->notify == IKE_NOTIFY_NO_PROPOSAL_CHOSEN) {
        finish(p, k, PROBE_NO_PROPOSAL, "NO_PROPOSAL_CHOSEN");
    } else {
        snprintf(name, sizeof name, "notify %u", (unsigned)r->notify);
        finish(p, k, PROBE_ERROR, name);
    }
}

/* ---- what a server that refused Windows' offer accepts (net/probeenum) ---- */

/* The server answered NO-PROPOSAL-CHOSEN on 500: ask it, one transform at a time. */
static void enum_begin(struct probe *p)
{
    struct l2f_err err;
    if (!p->can_enumerate || p->enumerating || p->opts.enum_ms == 0)
        return;
    probe_enum_init(&p->en);
    if (udp_connect(&p->enum_sock, &p->server, &err) != L2F_OK)
        return;
    p->enumerating = true;
    p->result.enumerated = true;
}

static uint64_t enum_deadline(const struct probe *p)
{
    unsigned ms = p->opts.enum_ms > p->opts.timeout_ms ? p->opts.enum_ms : p->opts.timeout_ms;
    return p->started + ms;
}

static void enum_end(struct probe *p)
{
    p->result.accepts = p->en.result;
    p->enumerating = false;
    udp_close(&p->enum_sock);
}

static void enum_read(struct probe *p)
{
    uint8_t buf[IKE_MAX_PACKET + 64];
    size_t got;
    struct l2f_err err;
    for (int guard = 0; guard < 16 && !p->en.done; guard++) {
        enum l2f_status st = udp_recv(&p->enum_sock, buf, sizeof buf, &got, &err);
        if (st != L2F_OK) {
            p->en.done = true; /* unreachable now: what was found stands, marked incomplete */
            break;
        }
        if (got == 0)
            break;
        probe_enum_reply(&p->en, buf, got);
    }
}

/* Gives up on silence, sends the next offer when its time came, ends at the deadline. */
static void enum_advance(struct probe *p, uint64_t now)
{
    if (!p->enumerating)
        return;
    probe_enum_tick(&p->en, now);
    if (!p->en.done && now >= enum_deadline(p))
        p->en.done = true; /* result.complete stays false: cut short */
    if (p->en.done) {
        enum_end(p);
        return;
    }
    uint8_t cookie[IKE_COOKIE_LEN], packet[IKE_MAX_PACKET];
    if (p->en.waiting || now < probe_enum_wake(&p->en) || !plat_random(cookie, sizeof cookie))
        return;
    size_t n = probe_enum_next(&p->en, now, cookie, packet, sizeof packet);
    struct l2f_err err;
    if (n && udp_send(&p->enum_sock, packet, n, &err) != L2F_OK) {
        p->en.done = true;
        enum_end(p);
    }
}

static void on_datagram(struct probe *p, enum probe_kind k, const uint8_t *buf, size_t len)
{
    struct exchange *x = &p->ex[k];
    struct ike_reply r;
    struct l2f_err err;
    char name[64];
    if (k == PROBE_IKEV2_500) {
        if (ike_v2_parse_reply(buf, len, x->cookie, &r, &err) != L2F_OK)
            note_malformed(x, &err);
        else
            on_v2_reply(p, &r);
        return;
    }
    if (ike_v1_parse_reply(buf, len, x->cookie, k == PROBE_IKEV1_4500, ike_windows_offer,
                           ike_windows_offer_count, &r, &err) != L2F_OK) {
        note_malformed(x, &err);
        return;
    }
    p->result.natt_vendor_id |= r.natt_vendor_id;
    if (r.kind == IKE_REPLY_ACCEPTED) {
        struct probe_item *it = &p->result.items[k];
        ike_transform_name(&r.chosen, it->transform, sizeof it->transform);
        finish(p, k, PROBE_ACCEPTED, "Main Mode answered");
    } else if (r.notify == IKE_NOTIFY_NO_PROPOSAL_CHOSEN) {
        finish(p, k, PROBE_NO_PROPOSAL, "NO-PROPOSAL-CHOSEN");
        if (k == PROBE_IKEV1_500)
            enum_begin(p);
    } else {
        snprintf(name, sizeof name, "notify %u", (unsigned)r.notify);
        finish(p, k, PROBE_ERROR, name);
    }
}

/* The deadline without an answer that ends the exchange: silence, or only
 * malformed replies (an error: something answers, but not IKE as offered). */
static void give_up(struct probe *p, enum probe_kind k)
{
    struct exchange *x = &p->ex[k];
    char detail[sizeof p->result.items[k].detail];
    if (!x->malformed) {
        finish(p, k, PROBE_NO_ANSWER, "no answer within the timeout");
        return;
    }
    snprintf(detail, sizeof detail, "%s: %.120s",
             x->answered ? "a malformed answer to the resend" : "malformed answers",
             x->malformed_why);
    p->result.items[k].malformed = true;
    finish(p, k, PROBE_ERROR, detail);
}

/* True once every exchange and the enumeration are over; the answers then go to the cache. */
static bool probe_done(struct probe *p)
{
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        if (!p->result.items[k].done)
            return false;
    if (p->enumerating)
        return false;
    if (!p->stored) {
        cache_put(p->opts.cache_dir, p->host, &p->opts, &p->result);
        p->stored = true;
    }
    return true;
}

/* Reads what came for the exchanges still open. */
static void read_items(struct probe *p, const enum probe_kind *which, size_t n)
{
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

/* Resends what is due, gives up at the deadline. */
static void retransmit(struct probe *p, uint64_t now, uint64_t deadline)
{
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        if (p->result.items[k].done)
            continue;
        if (now >= deadline)
            give_up(p, (enum probe_kind)k);
        else if (now >= p->ex[k].next_send && p->ex[k].next_send + 100 < deadline)
            send_now(
                p, (enum probe_kind)k); /* not in the last instant: an answer could not come back */
        else if (now >= p->ex[k].next_send)
            p->ex[k].next_send = deadline;
    }
}

bool probe_step(struct probe *p, unsigned wait_ms)
{
    if (p->resolving && !resolved(p, wait_ms))
        return false;
    struct udp_sock *open[PROBE_KIND_COUNT + 1];
    enum probe_kind which[PROBE_KIND_COUNT];
    size_t n = 0;
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        if (!p->result.items[k].done) {
            open[n] = &p->ex[k].sock;
            which[n++] = (enum probe_kind)k;
        }
    uint64_t now = plat_monotonic_ms();
    uint64_t deadline = p->started + p->opts.timeout_ms;
    uint64_t wake = n ? deadline : enum_deadline(p);
    for (size_t i = 0; i < n; i++)
        if (p->ex[which[i]].next_send < wake)
            wake = p->ex[which[i]].next_send;
    size_t nsock = n;
    if (p->enumerating) {
        open[nsock++] = &p->enum_sock;
        if (probe_enum_wake(&p->en) < wake)
            wake = probe_enum_wake(&p->en);
    }
    if (nsock == 0)
        return probe_done(p);
    unsigned wait = wake > now ? (unsigned)(wake - now) : 0;
    if (wait > wait_ms)
        wait = wait_ms;
    if (udp_wait(open, nsock, wait) > 0) {
        read_items(p, which, n);
        if (p->enumerating)
            enum_read(p);
    }
    now = plat_monotonic_ms();
    retransmit(p, now, deadline);
    enum_advance(p, now);
    return probe_done(p);
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
    udp_close(&p->enum_sock);
    resolver_release(p->resolving);
    free(p);
}

enum l2f_status probe_run(const char *host, const struct probe_options *opts,
                          struct probe_result *out, struct l2f_err *err)
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
    out->reused = r->reused;
    out->age_s = r->age_s;
    out->enumerated = r->enumerated;
    out->accepts = r->accepts;
}

/* ---- reuse of recent answers ---- */

#define CACHE_SLOTS 8
#define CACHE_FILE "probe-cache.json"

struct cached {
    char host[256];
    uint16_t port, natt_port;
    long long when; /* wall clock, seconds */
    struct probe_result r;
};

static struct cached memory[CACHE_SLOTS];

static bool same_key(const struct cached *c, const char *host, const struct probe_options *o)
{
    return c->when && strcmp(c->host, host) == 0 && c->port == o->port &&
           c->natt_port == o->natt_port;
}

static void cache_path(const char *dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s%c%s", dir, PLAT_DIRSEP, CACHE_FILE);
}

static cJSON *result_to_json(const struct cached *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", c->host);
    cJSON_AddNumberToObject(o, "port", c->port);
    cJSON_AddNumberToObject(o, "natt_port", c->natt_port);
    cJSON_AddNumberToObject(o, "when", (double)c->when);
    cJSON_AddBoolToObject(o, "resolved", c->r.resolved);
    cJSON_AddBoolToObject(o, "literal", c->r.literal);
    cJSON_AddStringToObject(o, "address", c->r.address);
    cJSON_AddNumberToObject(o, "behind_nat", c->r.behind_nat);
    cJSON_AddBoolToObject(o, "natt_vendor_id", c->r.natt_vendor_id);
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "outcome", c->r.items[k].outcome);
        cJSON_AddStringToObject(it, "transform", c->r.items[k].transform);
        cJSON_AddStringToObject(it, "detail", c->r.items[k].detail);
        cJSON_AddBoolToObject(it, "malformed", c->r.items[k].malformed);
        cJSON_AddNumberToObject(it, "ms", c->r.items[k].ms);
        cJSON_AddItemToArray(items, it);
    }
    if (c->r.enumerated) {
        cJSON *acc = cJSON_AddArrayToObject(o, "server_accepts");
        for (size_t i = 0; i < c->r.accepts.count; i++)
            cJSON_AddItemToArray(acc, cJSON_CreateString(c->r.accepts.names[i]));
        cJSON_AddNumberToObject(o, "enum_sent", c->r.accepts.sent);
        cJSON_AddBoolToObject(o, "enum_complete", c->r.accepts.complete);
    }
    return o;
}

static void str_from(const cJSON *o, const char *key, char *dst, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(dst, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static double num_from(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The enumeration's findings; a list longer than it can be is damage: not reused. */
static bool accepts_from_json(const cJSON *o, struct probe_result *r)
{
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(o, "server_accepts");
    if (!acc)
        return true;
    if (!cJSON_IsArray(acc) || cJSON_GetArraySize(acc) > PROBE_ACCEPTS_MAX)
        return false;
    r->enumerated = true;
    const cJSON *v;
    cJSON_ArrayForEach(v, acc)
    {
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= PROBE_TRANSFORM_NAME)
            return false;
        snprintf(r->accepts.names[r->accepts.count++], PROBE_TRANSFORM_NAME, "%s", v->valuestring);
    }
    double sent = num_from(o, "enum_sent");
    r->accepts.sent = sent >= 0 && sent <= PROBE_ENUM_MAX ? (unsigned)sent : PROBE_ENUM_MAX;
    r->accepts.complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "enum_complete"));
    return true;
}

/* A damaged cache is no loss: anything unreadable is simply not reused. */
static bool result_from_json(const cJSON *o, struct cached *c)
{
    memset(c, 0, sizeof *c);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) != PROBE_KIND_COUNT)
        return false;
    str_from(o, "host", c->host, sizeof c->host);
    c->port = (uint16_t)num_from(o, "port");
    c->natt_port = (uint16_t)num_from(o, "natt_port");
    c->when = (long long)num_from(o, "when");
    c->r.resolved = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "resolved"));
    c->r.literal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "literal"));
    str_from(o, "address", c->r.address, sizeof c->r.address);
    c->r.behind_nat = (int)num_from(o, "behind_nat");
    c->r.natt_vendor_id = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "natt_vendor_id"));
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        const cJSON *it = cJSON_GetArrayItem(items, k);
        int outcome = (int)num_from(it, "outcome");
        if (outcome < PROBE_ACCEPTED || outcome > PROBE_ERROR)
            return false;
        c->r.items[k].outcome = (enum probe_outcome)outcome;
        str_from(it, "transform", c->r.items[k].transform, sizeof c->r.items[k].transform);
        str_from(it, "detail", c->r.items[k].detail, sizeof c->r.items[k].detail);
        c->r.items[k].malformed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "malformed"));
        c->r.items[k].ms = (unsigned)num_from(it, "ms");
        c->r.items[k].done = true;
    }
    return accepts_from_json(o, &c->r) && c->host[0] != '\0';
}

static cJSON *read_cache_file(const char *dir)
{
    char path[PLAT_PATH_MAX + 32], *text;
    struct l2f_err err;
    cache_path(dir, path, sizeof path);
    if (plat_read_file(path, &text, NULL, &err) != L2F_OK)
        return NULL;
    cJSON *arr = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

static bool cache_get(const char *state_dir, const char *host, const struct probe_options *opts,
                      struct probe_result *out, unsigned *age_s)
{
    long long now = (long long)time(NULL);
    struct cached best = {0};
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (same_key(&memory[i], host, opts) && memory[i].when > best.when)
            best = memory[i];
    if (state_dir && state_dir[0]) {
        cJSON *arr = read_cache_file(state_dir), *o;
        cJSON_ArrayForEach(o, arr)
        {
            struct cached c;
            if (result_from_json(o, &c) && same_key(&c, host, opts) && c.when > best.when)
                best = c;
        }
        cJSON_Delete(arr);
    }
    if (!best.when || now < best.when || now - best.when >= PROBE_REUSE_S)
        return false;
    *out = best.r;
    *age_s = (unsigned)(now - best.when);
    return true;
}

static void cache_put(const char *state_dir, const char *host, const struct probe_options *opts,
                      const struct probe_result *r)
{
    struct cached c = {0};
    snprintf(c.host, sizeof c.host, "%s", host);
    c.port = opts->port;
    c.natt_port = opts->natt_port;
    c.when = (long long)time(NULL);
    c.r = *r;
    int slot = 0;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (same_key(&memory[i], host, opts) || memory[i].when < memory[slot].when)
            slot = i;
    memory[slot] = c;
    if (!state_dir || !state_dir[0])
        return;
    struct l2f_err err;
    if (plat_mkdir_p(state_dir, &err) != L2F_OK)
        return;
    /* keep the recent answers of other hosts, drop this one's and the stale */
    cJSON *old = read_cache_file(state_dir), *keep = cJSON_CreateArray(), *o;
    cJSON_ArrayForEach(o, old)
    {
        struct cached oc;
        if (result_from_json(o, &oc) && !same_key(&oc, host, opts) &&
            c.when - oc.when < PROBE_REUSE_S && cJSON_GetArraySize(keep) < CACHE_SLOTS - 1)
            cJSON_AddItemToArray(keep, result_to_json(&oc));
    }
    cJSON_Delete(old);
    cJSON_AddItemToArray(keep, result_to_json(&c));
    char *text = cJSON_PrintUnformatted(keep);
    cJSON_Delete(keep);
    if (!text)
        return;
    char path[PLAT_PATH_MAX + 32];
    cache_path(state_dir, path, sizeof path);
    plat_write_atomic(path, text, strlen(text), &err); /* best effort: a lost cache costs a probe */
    cJSON_free(text);
}

/* ---- for the fuzz harness and the unit tests (probe_internal.h) ---- */

struct probe *probe_fixed(const uint8_t cookie[IKE_COOKIE_LEN])
{
    struct probe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    probe_options_default(&p->opts);
    p->result.behind_nat = -1;
    p->started = plat_monotonic_ms();
    p->stored = true; /* nothing goes to the cache */
    p->enum_sock.fd = -1;
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        p->ex[k].sock.fd = -1;
        p->ex[k].first_sent = p->started;
        p->ex[k].interval = PROBE_FIRST_RETRANSMIT_MS;
        memcpy(p->ex[k].cookie, cookie, IKE_COOKIE_LEN);
    }
    return p;
}

void probe_feed(struct probe *p, enum probe_kind k, const uint8_t *buf, size_t len)
{
    if (!p->result.items[k].done)
        on_datagram(p, k, buf, len);
}

void probe_expire(struct probe *p)
{
    for (int k = 0; k < PROBE_KIND_COUNT; k++)
        if (!p->result.items[k].done)
            give_up(p, (enum probe_kind)k);
}
