/* The change journal: every fix is recorded, with the exact before and after
 * of each change, and flushed to disk before the change is made. It is a file
 * of JSON lines, append-only: a "begin" record per fix, then records that move
 * the entry on (applied, rolled-back, undo-begin, undone). Replaying the file
 * gives each entry's state, so a crash at any point leaves enough to undo. */
#ifndef L2F_JOURNAL_H
#define L2F_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "change.h"
#include "model.h"
#include "status.h"

#define JOURNAL_MAX_CHANGES 8
#define JOURNAL_FILE_NAME "journal.jsonl"

/* X(enum, id in the file) */
#define ENTRY_STATE_TABLE(X)                                                               \
    X(ENTRY_PENDING, "pending")          /* begun, outcome not recorded (a crash) */         \
    X(ENTRY_APPLIED, "applied")                                                            \
    X(ENTRY_ROLLED_BACK, "rolled-back")  /* failed part-way and was put back */            \
    X(ENTRY_UNDO_PENDING, "undo-pending") /* undo begun, outcome not recorded */           \
    X(ENTRY_UNDONE, "undone")

#define ENTRY_STATE_ENUM(e, id) e,
enum entry_state { ENTRY_STATE_TABLE(ENTRY_STATE_ENUM) ENTRY_STATE_COUNT };
#undef ENTRY_STATE_ENUM

struct journal_entry {
    int id;
    char time[32];
    char machine[512];
    char profile[PROFILE_NAME_MAX];
    enum fix_id fix;
    enum entry_state state;
    char note[256]; /* why it was rolled back, what undo could not restore */
    size_t n_changes;
    struct change changes[JOURNAL_MAX_CHANGES];
};

struct journal {
    char path[4096]; /* empty: kept in memory only (demo mode) */
    struct journal_entry *entries;
    size_t count, cap;
    int next_id;
};

/* Loads the journal at path (a missing file is an empty journal), or an
 * in-memory one when path is NULL. A damaged line is reported with its
 * line number and nothing is loaded. */
enum l2f_status journal_open(struct journal *j, const char *path, struct l2f_err *err);
void journal_close(struct journal *j);
/* Records a new entry (id and time are filled in) and flushes it. */
enum l2f_status journal_begin(struct journal *j, struct journal_entry *e, struct l2f_err *err);
/* Moves an entry to a new state, flushing the record first. */
enum l2f_status journal_mark(struct journal *j, int id, enum entry_state state, const char *note,
                             struct l2f_err *err);
struct journal_entry *journal_find(struct journal *j, int id);
const char *entry_state_id(enum entry_state s);

#endif
