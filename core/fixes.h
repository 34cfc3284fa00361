/* Fixes: a plan of exact changes from what was observed, applied through the
 * backend with the journal written first, rolled back if any step fails, and
 * undone from the journal. */
#ifndef L2F_FIXES_H
#define L2F_FIXES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "diagnose.h"
#include "journal.h"

struct fix_plan {
    enum fix_id fix;
    char profile[PROFILE_NAME_MAX];
    size_t n_changes;
    struct change changes[JOURNAL_MAX_CHANGES];
    bool needs_admin, needs_reboot;
    enum fix_secret secret; /* what the person must type before it can apply */
};

/* What the person typed; l2tpfix never stores it and the caller wipes it. */
struct fix_secrets {
    const char *psk;
    const char *password;
};

struct fix_context {
    struct backend *be;
    struct journal *journal;
    const char *backup_dir; /* where .reg backups go; NULL keeps none (demo) */
    /* The state directory whose lock a change holds from re-reading the
     * journal and the machine to its last journal record; NULL: none (demo). */
    const char *lock_dir;
    const char *holder; /* what this process does, for another's wait message */
    const char *hint_machine; /* what a hint puts before a command (session_options); NULL: "l2tpfix" */
};

/* Plans a fix for the observed state. username (credentials only, may be NULL)
 * is the user name to save; NULL keeps the saved one. Returns L2F_ERR_NOTHING
 * when everything it would change is already as it wants. */
enum l2f_status fix_plan_make(enum fix_id fix, const struct observations *obs, const char *username,
                              struct fix_plan *plan, struct l2f_err *err);
/* Applies a plan. Refuses without administrator rights when the plan needs
 * them, and without the secret it needs; changes nothing then. On a failure
 * part-way, what was done is put back and the entry marked rolled back.
 * With a lock_dir, under its lock: the journal and the machine are read
 * again, and a plan the machine no longer matches is refused (CONFLICT), or
 * NOTHING when what it would change is already done. */
enum l2f_status fix_apply(struct fix_context *ctx, const struct fix_plan *plan,
                          const struct fix_secrets *secrets, int64_t *entry_id, struct l2f_err *err);
/* After a fix failed with st, whether the rest of a batch must not run: the
 * journal (or the machine's own store) cannot be written, every later fix
 * would fail the same way, and none may run unjournaled. */
bool fix_failure_stops_batch(enum l2f_status st);
/* Undoes one journal entry (0: the newest that can be undone on this machine).
 * Refuses when a setting was changed since (L2F_ERR_CONFLICT) or a newer entry
 * touching the same setting is still applied. *note tells what could not be
 * restored (a secret l2tpfix never kept), or is empty. */
enum l2f_status fix_undo(struct fix_context *ctx, int64_t entry_id, int64_t *undone_id, char *note,
                         size_t note_len, struct l2f_err *err);
/* True when an entry of this machine can be undone. */
bool fix_entry_undoable(const struct journal_entry *e);

#endif
