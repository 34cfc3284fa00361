/* The whole L2TP/IPsec connection from user space, as a Windows client makes
 * it: IKE and IPsec (net/ikev1.h), the L2TP control channel and a session
 * (RFC 2661), PPP's LCP (learning which authentication protocols the server
 * accepts by Nak-ing through its offers), MS-CHAP v2 or PAP, and IPCP until
 * an address is assigned; then a clean teardown. Each of the design's four
 * stages gets an outcome, the error code a Windows client would have shown,
 * and a time. Secrets are used and wiped, never kept or reported. */
#ifndef L2F_NET_HANDSHAKE_H
#define L2F_NET_HANDSHAKE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "net/ppp.h"
#include "status.h"

enum hs_outcome { HS_NOT_RUN, HS_OK, HS_FAILED, HS_SKIPPED };

struct hs_stage {
    enum hs_outcome outcome;
    char detail[192];
    int code;    /* the Windows error a client would show; every failure has one */
    unsigned ms; /* from the start of the run to this stage's end */
};

struct hs_options {
    const char *host;
    uint16_t port; /* IKE, 500 */
    const char *psk;
    const char *user; /* NULL or "": learn the server's methods, no authentication */
    const char *password;
    unsigned timeout_ms; /* the whole run */
    /* RFC 1570's LCP extensions, the profile's LcpExtensions (Windows' default: on):
     * the Callback option in our Configure-Request, Identification once LCP opens */
    bool lcp_extensions;
    atomic_int *cancel; /* NULL, or set from another thread to stop the run within 50 ms */
};

#define HS_MAX_AUTH 8

/* X(enum, id): what the server did with the LCP extensions (or, sent off,
 * with our plain request) in one run. */
#define HS_LCP_EXT_TABLE(X)                                                                        \
    X(HS_LCP_EXT_NONE, NULL)           /* LCP was not reached: nothing seen */                     \
    X(HS_LCP_EXT_ACCEPTED, "accepted") /* LCP opened with all of them; the session went on */      \
    X(HS_LCP_EXT_REJECTED, "rejected") /* it Rejected or Naked one, or Code-Rejected one */        \
    X(HS_LCP_EXT_DROPPED, "dropped-session") /* it ended the session after them, before auth */    \
    X(HS_LCP_EXT_IGNORED, "ignored")         /* no answer at all to our Configure-Requests */
#define HS_LCP_EXT_ENUM(e, id) e,
enum hs_lcp_ext { HS_LCP_EXT_TABLE(HS_LCP_EXT_ENUM) HS_LCP_EXT_COUNT };
#undef HS_LCP_EXT_ENUM
const char *hs_lcp_ext_id(enum hs_lcp_ext v); /* NULL for HS_LCP_EXT_NONE */

struct hs_result {
    struct hs_stage stages[STAGE_COUNT];    /* indexed by enum stage_id */
    enum ppp_auth server_auth[HS_MAX_AUTH]; /* in the order the server offered them */
    size_t server_auth_count;
    bool server_auth_complete; /* the server ran out of offers: the list is whole */
    char lcp_rejected[64];     /* our LCP options the server rejected, e.g. "magic" */
    char lcp_naked[64];        /* and those it Naked, e.g. "mru" */
    bool lcp_extensions_sent;  /* the Callback option (and, once open, Identification) went out */
    enum hs_lcp_ext lcp_extensions;
    char address[16];            /* from IPCP; empty when none */
    char used_auth[16];          /* what authenticated, e.g. "mschapv2" */
    bool authenticator_verified; /* MS-CHAP v2: the server proved it knows the password */
};

/* Progress while the run goes: a stage's outcome is final when called. */
typedef void (*hs_progress_fn)(void *ctx, enum stage_id stage, const struct hs_stage *s);

const char *hs_outcome_id(enum hs_outcome o); /* "ok", "failed", "skipped", NULL when not run */

/* Where L2TP travels: ESP in a real run, a simulated server in the unit
 * tests. recv: 1 a datagram, 0 none within wait_ms, -1 the link is gone. */
struct hs_link {
    int (*send)(void *ctx, const uint8_t *p, size_t n); /* 0 sent */
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *n, unsigned wait_ms);
    unsigned (*time_left)(void *ctx);
    void *ctx;
    uint64_t (*now)(void *ctx); /* NULL: the monotonic clock; the unit tests' simulated one */
};

/* The stages inside IPsec over link: the L2TP tunnel and session, PPP and
 * authentication, then the teardown; times count from start_ms. */
void hs_run_inside(const struct hs_options *opts, const struct hs_link *link,
                   hs_progress_fn progress, void *ctx, uint64_t start_ms, struct hs_result *out);

/* Runs the four stages against opts->host, blocking, within opts->timeout_ms.
 * Fails only when it cannot start (err); every outcome is in *out. */
enum l2f_status hs_run(const struct hs_options *opts, hs_progress_fn progress, void *ctx,
                       struct hs_result *out, struct l2f_err *err);

/* hs_run as a key check is run, since it tries the key: one at a time, after
 * the pause since the last one (state_dir holds the lock and the time;
 * *waited_ms says how long it waited). */
enum l2f_status hs_run_paced(const char *state_dir, const struct hs_options *opts,
                             hs_progress_fn progress, void *ctx, struct hs_result *out,
                             unsigned *waited_ms, struct l2f_err *err);

/* What runs from here saw of a server and the LCP extensions, kept in the
 * state directory (the newest per host and setting) for the diagnosis. */
struct hs_lcp_seen {
    enum hs_lcp_ext on, off; /* HS_LCP_EXT_NONE: no run with that setting */
};
void hs_lcp_remember(const char *state_dir, const char *host, const struct hs_result *r);
bool hs_lcp_recall(const char *state_dir, const char *host, struct hs_lcp_seen *out);

/* True when every stage is HS_OK. */
bool hs_all_ok(const struct hs_result *r);

#endif
