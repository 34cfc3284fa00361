/* The journal's index (journal.idx beside journal.jsonl): a cache of what
 * replaying the journal's first bytes gave, so that a reader replays only the
 * lines appended since. Written under the state lock, through a temporary
 * file and a rename, so a reader sees a whole index or the one before. Read as
 * hostile input: an index that does not check out in every field, or whose
 * journal bytes differ, is ignored and the journal replayed whole. Deleting
 * it changes nothing but speed. Internal to journal.c (and its tests). */
#ifndef L2F_JOURNALIDX_H
#define L2F_JOURNALIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define JOURNAL_NO_LINE UINT32_MAX /* offsets fit: JOURNAL_MAX_BYTES is 256 MiB */
#define JOURNALIDX_VERSION 1
#define JOURNALIDX_HEADER 64 /* magic, version, record size, 6 numbers of 8 bytes */
#define JOURNALIDX_RECORD 24
/* head and tail of the covered bytes hashed into the index: a replaced,
 * rewritten or shortened journal no longer matches */
#define JOURNALIDX_SAMPLE 4096

/* One entry, kept small: a journal of 10,000 has 10,000 of them in memory. */
struct journal_slot {
    int64_t id;
    uint32_t begin_at; /* its begin line in the text read, or JOURNAL_NO_LINE */
    uint32_t note_at;  /* the newest record with a note, or JOURNAL_NO_LINE */
    uint32_t lineno;   /* of the begin line, for a damage message */
    uint8_t state;     /* enum entry_state */
};

/* What replaying the journal's first covered bytes gave. */
struct journal_idx {
    size_t covered;  /* whole lines: 0, or just after a newline */
    uint32_t lines;  /* in those bytes */
    int64_t next_id; /* the newest id + 1, or 1 */
    struct journal_slot *slots;
    size_t count;
};

/* Reads the index at path and checks it against text, the journal as read.
 * True and idx->slots allocated (the caller frees it) only when every field
 * checks out; false for a missing, torn, foreign or stale index. */
bool journalidx_read(const char *path, const char *text, size_t text_len, struct journal_idx *idx);
/* Writes idx for the journal text (idx->covered bytes of it) to path, atomically. */
enum l2f_status journalidx_write(const char *path, const char *text, const struct journal_idx *idx,
                                 struct l2f_err *err);
/* The hash of the index's checksum and of the journal's samples (tests use it
 * to build hostile indexes whose checksum holds). */
uint64_t journalidx_hash(const void *data, size_t len, uint64_t seed);

#endif
