/* Machine-readable output built in the core (cJSON), printed by the caller. */
#ifndef L2F_REPORT_H
#define L2F_REPORT_H

#include "diagnose.h"
#include "journal.h"
#include "status.h"

/* The `check --json` document:
 * {"profile", "backend", "stages": [{"id", "status", "checks": [{"id",
 *  "status", "summary", "fix"}]}], "fixes": [...]}. *out is malloc'd. */
enum l2f_status report_check_json(const char *profile, const char *backend,
                                  const struct diagnosis *d, char **out);
/* The journal entries of one machine, newest last, as a JSON array. */
enum l2f_status report_history_json(const struct journal *j, const char *machine, char **out);

#endif
