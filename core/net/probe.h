/* Probing a VPN server from the client: IKEv1 Main Mode on UDP 500 and, with
 * the non-ESP marker, on 4500, and IKEv2 IKE_SA_INIT on 500, in parallel, with
 * bounded retransmits. A handful of packets per run: servers throttle
 * half-open exchanges. Runs in steps so a front end stays live. */
#ifndef L2F_NET_PROBE_H
#define L2F_NET_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "net/probeenum.h"
#include "status.h"

/* X(enum, id in JSON) */
#define PROBE_KIND_TABLE(X)                                                                        \
    X(PROBE_IKEV1_500, "ikev1-500")                                                                \
    X(PROBE_IKEV1_4500, "ikev1-4500")                                                              \
    X(PROBE_IKEV2_500, "ikev2-500")

#define PROBE_KIND_ENUM(e, id) e,
enum probe_kind { PROBE_KIND_TABLE(PROBE_KIND_ENUM) PROBE_KIND_COUNT };
#undef PROBE_KIND_ENUM

#define PROBE_DEFAULT_TIMEOUT_MS 4000
#define PROBE_FIRST_RETRANSMIT_MS 1000 /* then twice that, while time remains */
/* The enumeration after a NO-PROPOSAL-CHOSEN: its 32 offers, paced, and a last answer. */
#define PROBE_ENUM_DEFAULT_MS (PROBE_DEFAULT_TIMEOUT_MS + PROBE_ENUM_MAX * PROBE_ENUM_GAP_MS + 1000)

struct probe_options {
    uint16_t port;      /* 500 */
    uint16_t natt_port; /* 4500 */
    unsigned timeout_ms;
    const char *cache_dir; /* recent answers are reused from this process and, when given, here */
    bool ask_again; /* never reuse an answer (an explicit probe); fresh ones are still kept */
    /* from the start, how long an enumeration of what the server accepts may run
     * after it refused Windows' offer (net/probeenum); 0: none; never less than
     * timeout_ms */
    unsigned enum_ms;
};

struct probe_item {
    enum probe_outcome outcome;
    char transform[64]; /* v1 accepted: the server's choice */
    char detail[160];   /* why, in a few words */
    bool malformed;     /* error: every reply was malformed (detail says how) */
    unsigned ms;        /* from the first send to the answer (or the give-up) */
    bool done;
};

struct probe_result {
    bool resolved;
    bool literal; /* the host was an address */
    char address[64];
    struct probe_item items[PROBE_KIND_COUNT];
    int behind_nat;      /* this client: 1, 0, -1 unknown */
    bool natt_vendor_id; /* the server announced RFC 3947 */
    bool reused;         /* answers of a probe made age_s ago, not sent again */
    unsigned age_s;
    bool enumerated;              /* IKEv1 on 500 refused Windows' offer and the enumeration ran */
    struct probe_accepts accepts; /* what it found; complete false: cut short by the time */
};

struct probe;

const char *probe_kind_id(enum probe_kind k);
const char *probe_outcome_id(enum probe_outcome o); /* "accepted", "no-proposal", ... */
void probe_options_default(struct probe_options *o);
/* Starts resolving host (on a thread of its own) and, once it resolves, the
 * probes; fails only when it cannot start at all. Answers younger than
 * PROBE_REUSE_S are reused instead (the probe is done at once) unless
 * opts->ask_again; fresh ones are kept for the next probe either way. */
enum l2f_status probe_start(struct probe **out, const char *host, const struct probe_options *opts,
                            struct l2f_err *err);
/* Reads answers and retransmits, waiting at most wait_ms; true once done. */
bool probe_step(struct probe *p, unsigned wait_ms);
const struct probe_result *probe_result(const struct probe *p);
void probe_free(struct probe *p);
/* Start to finish, blocking. */
enum l2f_status probe_run(const char *host, const struct probe_options *opts,
                          struct probe_result *out, struct l2f_err *err);
/* Answers younger than this are reused: servers throttle repeated half-open
 * exchanges, and a technician pressing r should not trip that. */
#define PROBE_REUSE_S 30

/* The summary the diagnosis reads (struct probe_report of backend.h). */
void probe_to_report(const struct probe_result *r, struct probe_report *out);

#endif
