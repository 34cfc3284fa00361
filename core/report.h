/* Machine-readable output built in the core (cJSON), printed by the caller. */
#ifndef L2F_REPORT_H
#define L2F_REPORT_H

#include "backend.h"
#include "diagnose.h"
#include "journal.h"
#include "kb.h"
#include "net/handshake.h"
#include "net/probe.h"
#include "net/pskcheck.h"
#include "status.h"

/* The shape of the `check --json` document (schema/check.schema.json): changes only
 * when a field is removed, renamed or changes type or meaning, never for a new field. */
#define REPORT_CHECK_SCHEMA_VERSION 1
/* The `check --json` document:
 * {"schema_version", "profile", "backend", "stages": [{"id", "status", "checks": [{"id",
 *  "status", "summary", "skipped", "fix"}]}], "fixes": [...], "probe_age_s",
 *  "verdict", "unknown", "skipped", "not_seen": [{"part", "reason", "checks"}],
 *  "restart_pending", "restart": {"fix", "undo", "value", "when", "changes",
 *  "boot_known", "simulated_applied", "text"}|null, "last_dial": {"code", "name", "when",
 *  "reached_event", "stale", "stopped_in", "stages": {"tunnel": "passed"|"stopped"|
 *  "not-reached", ...}|null}|null}.
 * v is diagnosis_verdict's of d; restart may be NULL (not asked: false). *out is malloc'd. */
struct verdict;
struct restart_pending;
enum l2f_status report_check_json(const char *profile, const char *backend,
                                  const struct diagnosis *d, const struct verdict *v,
                                  const struct restart_pending *restart, char **out);
/* The journal entries of one machine, newest last, as a JSON array. */
enum l2f_status report_history_json(const struct journal *j, const char *machine, char **out);

/* `connect --json`: the result and, per stage, "passed", "failed" or "not-reached". */
enum l2f_status report_connect_json(const char *profile, const struct connect_event *done,
                                    const char *const reached[STAGE_COUNT], char **out);
/* `explain --json`: one knowledge-base entry. */
enum l2f_status report_explain_json(const struct kb_entry *kb, char **out);
/* `profiles --json`: name, phonebook, type and server of each. */
enum l2f_status report_profiles_json(const struct profile_list *list, char **out);
/* `probe --json`: key is the key check and IPsec bring-up, or NULL when no
 * key was given: {"psk": verdict|null, "ipsec": "up"|"failed"|null,
 * "key_check": {...}|null}. */
enum l2f_status report_probe_json(const char *host, const struct probe_result *r,
                                  const struct psk_check_result *key, char **out);

/* `handshake --json`: {"host", "stages": [{"id", "outcome", "detail", "code", "ms"}],
 * "server_auth": [...], "server_auth_complete", "lcp_rejected": [...],
 * "authenticator_verified", "address", "lcp_extensions": {"sent", "server":
 * "accepted"|"rejected"|"dropped-session"|"ignored"|null, "rejected": [...], "naked": [...]}}. */
enum l2f_status report_handshake_json(const char *host, const struct hs_result *r, char **out);
/* `handshake --lcp-extensions both --json`: an array of those, one per run. */
enum l2f_status report_handshakes_json(const char *host, const struct hs_result *runs, size_t n,
                                       char **out);

/* `baseline check --json`: {"profile", "drift": [{"setting", "was", "now", "fix"}]}. */
struct drift;
enum l2f_status report_drift_json(const char *profile, const struct drift *d, size_t n, char **out);

#endif
