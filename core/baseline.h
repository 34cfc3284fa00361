/* Baselines: a profile's and its machine's known-good settings, saved as
 * JSON, and later the list of what drifted from them (a Windows feature
 * update that flips PPP options back) with the fix that restores each.
 * Built from a diagnosis's observations: the same reads, nothing more. */
#ifndef L2F_BASELINE_H
#define L2F_BASELINE_H

#include <stddef.h>

#include "diagnose.h"
#include "status.h"

/* {"l2tpfix", "saved", "machine", "profile", "profile_settings": {key: n},
 *  "registry": {value: n|null}, "services": {name: "Automatic"|...}}; only
 * what could be read goes in. *out is malloc'd. */
enum l2f_status baseline_save(const struct observations *o, const char *machine,
                              const char *version, const char *when, char **out);

struct drift {
    char what[64]; /* "AuthRestrictions", "IKEEXT start", ... */
    char was[40], now[40];
    enum fix_id fix;     /* FIX_NONE when no fix of l2tpfix restores it */
    enum check_id check; /* the check that reads this setting; CHECK_COUNT: none */
};

/* Where a profile's baseline lives by default: state_dir/baseline-NAME.json,
 * NAME with every character but letters, digits and '-' made '_'. */
void baseline_default_path(const char *state_dir, const char *profile, char *buf, size_t len);

#define BASELINE_MAX_DRIFT 16

/* Compares a saved baseline (text, read from file) with the observations now.
 * Refuses, naming file, what is not a baseline or one of another profile. */
enum l2f_status baseline_check(const char *text, const char *file, const struct observations *o,
                               struct drift *out, size_t max, size_t *n, struct l2f_err *err);

#endif
