/* The machine certificate an L2TP/IPsec profile without a pre-shared key
 * authenticates IPsec with: what Windows requires of it, and the state of the
 * best candidate in the computer's Personal store (LocalMachine\My). */
#ifndef L2F_MACHINECERT_H
#define L2F_MACHINECERT_H

#include <stdbool.h>
#include <stddef.h>

/* X(enum, id in scenarios and JSON, the requirement a candidate stopped at).
 * Ordered by how far a candidate got: each requirement is checked in this
 * order (validity, private key, usage, chain), and the best candidate is the
 * one that got furthest. The requirements: Microsoft's IKEv2 and EAP-TLS pages
 * and the Always On VPN field notes name the Client Authentication EKU; the
 * IKE intermediate EKU is what IKEEXT prefers when several qualify. */
#define CERT_STATE_TABLE(X)                                                                        \
    X(CERT_NONE, "none", "no certificate in the computer's Personal store (LocalMachine\\My)")     \
    X(CERT_EXPIRED, "expired", "outside its validity period (expired, or not yet valid)")          \
    X(CERT_NO_PRIVATE_KEY, "no-private-key", "no private key for it on this computer")             \
    X(CERT_NO_CLIENT_AUTH, "no-client-auth",                                                       \
      "no Client Authentication (1.3.6.1.5.5.7.3.2) or IP security IKE intermediate "              \
      "(1.3.6.1.5.5.8.2.2) usage")                                                                 \
    X(CERT_UNTRUSTED, "untrusted", "does not chain to a root this computer trusts")                \
    X(CERT_VALID, "valid", "meets every requirement")

#define CERT_STATE_ENUM(e, id, why) e,
enum cert_state { CERT_STATE_TABLE(CERT_STATE_ENUM) CERT_STATE_COUNT };
#undef CERT_STATE_ENUM

#define CERT_OID_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"
#define CERT_OID_IKE_INTERMEDIATE "1.3.6.1.5.5.8.2.2"

struct machine_cert {
    enum cert_state state; /* the best candidate's; CERT_NONE when the store is empty */
    unsigned count;        /* certificates in LocalMachine\My */
    unsigned stopped_at[CERT_STATE_COUNT]; /* how many candidates stopped at each requirement */
    char subject[128];                     /* the best candidate's, "CN=client1.example.com" */
    char not_after[24];                    /* its expiry, UTC "2027-01-31T12:00:00Z" */
};

const char *cert_state_id(enum cert_state s);  /* "no-client-auth" */
const char *cert_state_why(enum cert_state s); /* the requirement, in words */
/* CERT_STATE_COUNT when id names no state. */
enum cert_state cert_state_from_id(const char *id);
/* "2 certificates: 1 expired, 1 no-client-auth" (or "no certificate"). */
void machine_cert_tally(const struct machine_cert *c, char *buf, size_t len);
/* Counts one candidate that stopped at s, and makes it the best when it got
 * further than the best so far (the caller then copies its subject and expiry). */
bool machine_cert_consider(struct machine_cert *c, enum cert_state s);

#endif
