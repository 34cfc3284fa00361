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
    const char
        *hint_machine; /* what a hint puts before a command (session_options); NULL: "l2tpfix" */
};

/* Plans a fix for the observed state. username (credentials only, may be NULL)
 * is the user name to save; NULL keeps the saved one. Returns L2F_ERR_NOTHING
 * when everything it would change is already as it wants. */
enum l2f_status fix_plan_make(enum fix_id fix, const struct observations *obs, const char *username,
                              struct fix_plan *plan, struct l2f_err *err);
/* switch-ikev2 with the CA from ca_file rather than the file handshake --ikev2
 * used: refused (nothing changed) unless its first certificate is the anchor the
 * IKEv2 record names. */
enum l2f_status fix_plan_use_ca_file(struct fix_plan *plan, const struct observations *obs,
                                     const char *ca_file, struct l2f_err *err);
/* Applies a plan. Refuses without administrator rights when the plan needs
 * them, and without the secret it needs; changes nothing then. On a failure
 * part-way, what was done is put back and the entry marked rolled back.
 * With a lock_dir, under its lock: the journal and the machine are read
 * again, and a plan the machine no longer matches is refused (CONFLICT), or
 * NOTHING when what it would change is already done. */
enum l2f_status fix_apply(struct fix_context *ctx, const struct fix_plan *plan,
                          const struct fix_secrets *secrets, int64_t *entry_id,
                          struct l2f_err *err);
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
/* Going back from index *pos of the journal (start at j->count): the next
 * entry of machine that undo can take back, *pos moved to it. NULL out and
 * L2F_ERR_NOTHING when none is left; L2F_ERR_PARSE when an undoable record
 * on the way cannot be decoded (err says where). */
enum l2f_status fix_prev_undoable(const struct journal *j, const char *machine, size_t *pos,
                                  const struct journal_entry **out, struct l2f_err *err);
/* What an undo of e cannot bring back (a key or password l2tpfix never kept),
 * as one sentence, or empty when undo restores every setting. */
void fix_undo_limits(const struct journal_entry *e, char *buf, size_t len);
/* What an applied plan did to the services, in the past tense ("IKEEXT and
 * PolicyAgent started"), or empty when it touched no service's run state. */
void fix_plan_outcome(const struct fix_plan *plan, char *buf, size_t len);

/* Changes of this machine's journal that take effect when Windows restarts
 * and have not had that restart: applied and not undone, made after the last
 * boot when the backend tells it; or an undo made after a boot that the change
 * it undid had already had. Derived from the journal each time, never kept. */
struct restart_pending {
    size_t count;    /* such changes; 0: no restart pending */
    enum fix_id fix; /* the newest one's fix */
    bool undo;       /* ... which is an undo of it */
    char value[64];  /* the registry value it changed */
    char when[32];   /* when (UTC) */
    bool boot_known; /* when Windows last started is known: older changes are done */
    bool at_once;    /* a simulated machine that applied them at once */
};
/* boot: when Windows last started ("" not known); at_once: the backend's. */
void fix_restart_pending(const struct journal *j, const char *machine, const char *boot,
                         bool at_once, struct restart_pending *out);
/* "a restart (nat-traversal changed AssumeUDP...Rule at T; it takes effect
 * after Windows restarts)", with what is not known said; empty when none. */
void restart_pending_text(const struct restart_pending *r, char *buf, size_t len);

#endif
