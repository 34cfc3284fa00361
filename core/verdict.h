/* The verdict over a diagnosis: one decision that `check`, `report` and the
 * checklist share, so they cannot disagree. An unknown is never rounded up:
 * "no problem found" with checks that could not be made is not "all pass". */
#ifndef L2F_VERDICT_H
#define L2F_VERDICT_H

#include <stddef.h>

#include "diagnose.h"
#include "status.h"

enum verdict_kind {
    VERDICT_ALL_PASS,   /* every check made passes; skipped ones left out (exit 0) */
    VERDICT_PROBLEMS,   /* a check fails or warns; wins over unknowns (exit 1) */
    VERDICT_INCOMPLETE, /* nothing fails, but some checks could not be made here (exit 4) */
};

/* `check`'s exit code when nothing fails or warns but a check is unknown. */
#define VERDICT_EXIT_INCOMPLETE 4

/* X(enum, id, what it is, as "cannot see ..." reads it) — the observations a
 * check needs; the first (the machine's own before the server's) that could
 * not be made explains the check's unknown. */
#define VERDICT_PART_TABLE(X)                                                                      \
    X(PART_PROFILE, "profile", "the profile")                                                      \
    X(PART_REGISTRY, "registry", "the registry")                                                   \
    X(PART_OS_BUILD, "os-build", "the OS build")                                                   \
    X(PART_SERVICES, "services", "the IPsec services")                                             \
    X(PART_CERT_STORE, "certificate-store", "the computer's certificate store")                    \
    X(PART_SECRETS, "credential-store", "the credential store")                                    \
    X(PART_HISTORY, "connection-history", "the connection history")                                \
    X(PART_PROBE, "server", "the server's answers")                                                \
    X(PART_KEY, "key", "the key given")

#define VERDICT_PART_ENUM(e, id, what) e,
enum verdict_part { VERDICT_PART_TABLE(VERDICT_PART_ENUM) PART_COUNT };
#undef VERDICT_PART_ENUM

/* Checks by status; a skipped check (nothing to test, such as psk-matches
 * without a key) is counted apart and in no other count. */
struct verdict_counts {
    int pass, fail, warn, unknown, running, skipped, not_applicable;
};

struct verdict {
    enum verdict_kind kind;
    struct verdict_counts n;
    /* unknowns for want of each part, and why that part was not observed */
    int missing[PART_COUNT];
    enum l2f_status missing_st[PART_COUNT];
    int inconclusive;       /* unknowns whose parts were observed but did not decide */
    const char *probe_hint; /* the observations' probe_hint: what goes before `probe HOST` */
};

/* Pure: counts one stage's checks. */
void verdict_stage_counts(const struct diagnosis *d, enum stage_id s, struct verdict_counts *n);
/* Pure: the verdict over every check. o may be NULL (every unknown is then
 * inconclusive: nothing says what was missing). */
void diagnosis_verdict(const struct diagnosis *d, const struct observations *o, struct verdict *v);
/* 0 all pass, 1 problems, VERDICT_EXIT_INCOMPLETE. */
int verdict_exit_code(enum verdict_kind k);
/* "pass", "problems", "incomplete": the `check --json` "verdict". */
const char *verdict_id(enum verdict_kind k);
const char *verdict_part_id(enum verdict_part p);
/* A stage's row: "all 6 checks pass, 1 skipped", "5 pass, 1 could not be checked here". */
void verdict_stage_text(const struct verdict_counts *n, char *buf, size_t len);
/* One line: "No problem found in the 4 checks made here; 11 could not be checked here, 1 skipped."
 */
void verdict_headline(const struct verdict *v, char *buf, size_t len);
/* What could not be checked and why, then what would check it, as lines
 * ending in '\n' ("" when every check was made). backend is its description,
 * server the profile's (either may be empty). */
void verdict_unknowns(const struct verdict *v, const char *backend, const char *server, char *buf,
                      size_t len);

#endif
