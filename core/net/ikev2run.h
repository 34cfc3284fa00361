/* The IKEv2 exchange Windows' built-in client makes, from user space over
 * UDP: IKE_SA_INIT, IKE_AUTH with the server's certificate, EAP-MSCHAPv2 for
 * the user, and the final AUTH with the MSK; three stages with the codes
 * Windows would show. Secrets are used and wiped, never kept or reported. */
#ifndef L2F_NET_IKEV2RUN_H
#define L2F_NET_IKEV2RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/handshake.h"
#include "net/ikev2cert.h"
#include "status.h"

/* X(enum, id): the stages, in the order they run */
#define IKEV2_STAGE_TABLE(X)                                                                       \
    X(IKEV2_STAGE_TUNNEL, "tunnel") /* IKE_SA_INIT: reached, a proposal agreed (809, 13868) */     \
    X(IKEV2_STAGE_IPSEC, "ipsec")   /* the server's certificate and signature (13801) */           \
    X(IKEV2_STAGE_AUTH, "auth")     /* EAP-MSCHAPv2 and the final AUTH (691) */
#define IKEV2_STAGE_ENUM(e, id) e,
enum ikev2_stage { IKEV2_STAGE_TABLE(IKEV2_STAGE_ENUM) IKEV2_STAGE_COUNT };
#undef IKEV2_STAGE_ENUM
const char *ikev2_stage_id(enum ikev2_stage s);

/* Called on the run's thread as each stage is decided (s->outcome set). */
typedef void (*ikev2_progress_fn)(void *ctx, enum ikev2_stage stage, const struct hs_stage *s);

struct ikev2_options {
    const char *host;
    uint16_t port; /* 500 */
    const char *user, *password;
    const char *ca_file; /* NULL: the system's trusted roots */
    unsigned timeout_ms;
    ikev2_progress_fn progress; /* NULL, or told each stage's outcome as it is decided */
    void *progress_ctx;
    atomic_int *cancel; /* NULL, or set from another thread to stop the run within 50 ms */
};

struct ikev2_result {
    struct hs_stage stages[IKEV2_STAGE_COUNT];
    struct ikev2_cert_info cert;
    char suite[48];        /* the IKE proposal agreed */
    bool nat;              /* NAT seen: IKE_AUTH went to 4500 */
    unsigned fragments;    /* how many fragments the largest answer came in (0: none) */
    bool child_sa;         /* the server installed the CHILD_SA */
    char child_detail[96]; /* or why not */
};

/* Fails only when it cannot start (err); every outcome is in *out. */
enum l2f_status ikev2_run(const struct ikev2_options *opts, struct ikev2_result *out,
                          struct l2f_err *err);
/* {"host", "protocol": "ikev2", "stages": [...], "server_certificate": {...}, ...};
 * *out is the caller's to free. */
enum l2f_status ikev2_result_json(const char *host, const struct ikev2_result *r, char **out);
/* The server was authenticated and the user accepted. */
bool ikev2_ok(const struct ikev2_result *r);

/* What the newest `handshake --ikev2` from here saw of a host, kept in the
 * state directory (ikev2.json) for the diagnosis. Never the password nor the
 * user name: a technician's state directory may be shared. */
struct ikev2_seen {
    bool ok;                /* the server authenticated, the user accepted */
    enum ikev2_stage stage; /* where it stopped (the last stage when ok) */
    int code;               /* the Windows error there; 0 when ok */
    char reason[192];       /* that stage's detail, the user name masked */
    bool trusted;           /* the server's certificate was trusted */
    long long when;         /* seconds since 1970, UTC */
    /* trusted through --ca-file: the anchor's SHA-1 thumbprint, subject and the
     * file's absolute path (ikev2_cert_info); empty otherwise and in older records */
    char ca_sha1[IKEV2_THUMB_SIZE];
    char ca_subject[256];
    char ca_file[4096];
};
void ikev2_remember(const char *state_dir, const char *host, const char *user,
                    const struct ikev2_result *r, long long when);
/* False (and *out zeroed) when nothing valid is on record for host. */
bool ikev2_recall(const char *state_dir, const char *host, struct ikev2_seen *out);

#endif
