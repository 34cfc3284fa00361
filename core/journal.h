/* The change journal: every fix is recorded, with the exact before and after
 * of each change, and flushed to disk before the change is made. It is a file
 * of JSON lines, append-only: a "begin" record per fix, then records that move
 * the entry on (applied, rolled-back, undo-begin, undone). Replaying the file
 * gives each entry's state, so a crash at any point leaves enough to undo. */
#ifndef L2F_JOURNAL_H
#define L2F_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#include "change.h"
#include "model.h"
#include "status.h"

#define JOURNAL_MAX_CHANGES 8
#define JOURNAL_FILE_NAME "journal.jsonl"
/* Ids are JSON numbers: beyond 2^53 a reader could not tell two apart. */
#define JOURNAL_ID_MAX ((int64_t)1 << 53)
/* A journal grows by about 400 bytes a change: 256 MiB is over half a million
 * changes, far past any machine's; a larger file is refused, named, not read. */
#define JOURNAL_MAX_BYTES ((size_t)256 << 20)

/* X(enum, id in the file) */
#define ENTRY_STATE_TABLE(X)                                                                       \
    X(ENTRY_PENDING, "pending") /* begun, outcome not recorded (a crash) */                        \
    X(ENTRY_APPLIED, "applied")                                                                    \
    X(ENTRY_ROLLED_BACK, "rolled-back")   /* failed or not taken, and was put back */              \
    X(ENTRY_UNDO_PENDING, "undo-pending") /* undo begun, outcome not recorded */                   \
    X(ENTRY_UNDONE, "undone")

#define ENTRY_STATE_ENUM(e, id) e,
enum entry_state { ENTRY_STATE_TABLE(ENTRY_STATE_ENUM) ENTRY_STATE_COUNT };
#undef ENTRY_STATE_ENUM

struct journal_entry {
    int64_t id;
    char time[32];
    char machine[512];
    char profile[PROFILE_NAME_MAX];
    enum fix_id fix;
    enum entry_state state;
    char note[256];       /* why it was rolled back, what undo could not restore */
    char undone_time[32]; /* when it was undone (UTC, as time); empty when not, or by an older
                             l2tpfix */
    size_t n_changes;
    /* n_changes of them: the caller's for journal_begin, the journal's own
     * (exactly as many as there are) in entries */
    struct change *changes;
};

struct journal_slot; /* one entry: id, state, where its records are (journalidx.h) */

struct journal {
    char path[4096];                /* empty: kept in memory only (demo mode) */
    struct journal_slot *slots;     /* ids strictly increasing */
    struct journal_entry **decoded; /* cap of them once one is decoded, else NULL */
    size_t count, cap;
    int64_t next_id;
    /* The file as read: an entry is decoded from its line when first asked
     * for, so that a command that needs the newest few reads only those. */
    struct plat_view view;
    const char *text; /* view.data, or NULL */
    size_t text_len;
    bool torn;           /* the last line was cut short (a crash mid-append)... */
    bool no_newline;     /* ... or a whole last record lacks its newline */
    size_t good_len;     /* bytes of the file before that last line */
    unsigned good_lines; /* lines in them */
    /* bytes whose replay was taken from journal.idx (see journalidx.h); 0
     * when the index was missing, stale or damaged and the file replayed whole */
    size_t indexed;
    /* where journal_reload set a torn last line aside: a front end warns once */
    char torn_aside[4096 + 64];
    char damage[256]; /* the first record that could not be decoded, with its line */
};

/* Loads the journal at path (a missing file is an empty journal), or an
 * in-memory one when path is NULL. A damaged line is reported with its
 * line number and nothing is loaded; a torn last line is left out. */
enum l2f_status journal_open(struct journal *j, const char *path, struct l2f_err *err);
/* Reads the journal again (other processes append to it), under the state
 * lock: a torn last line is then moved to path.torn-TIME (torn_aside) and cut
 * off, so that the next append does not make it a damaged line. */
enum l2f_status journal_reload(struct journal *j, struct l2f_err *err);
void journal_close(struct journal *j);
/* Records a new entry (id and time are filled in) and flushes it. */
enum l2f_status journal_begin(struct journal *j, struct journal_entry *e, struct l2f_err *err);
/* Moves an entry to a new state, flushing the record first. */
enum l2f_status journal_mark(struct journal *j, int64_t id, enum entry_state state,
                             const char *note, struct l2f_err *err);
/* Binary search: ids only grow. NULL when there is none, or its record is
 * damaged (damage says where). */
struct journal_entry *journal_find(struct journal *j, int64_t id);
/* The entry at index i < count, oldest first, decoded on first use; NULL when
 * its record is damaged. The pointer stays valid until journal_close/reload. */
const struct journal_entry *journal_at(const struct journal *j, size_t i);
/* Its state, without decoding it: to pass over entries cheaply. */
enum entry_state journal_state_at(const struct journal *j, size_t i);
/* Whether the entry at index i was undone after when (UTC ISO 8601), reading
 * only its undone record: most entries of a long journal are undone. */
bool journal_undone_after(const struct journal *j, size_t i, const char *when);
const char *entry_state_id(enum entry_state s);

#endif
