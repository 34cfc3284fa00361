#include "journalidx.h"

#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "platform.h"

/* Layout, little-endian: magic, version (4), record size (4), covered, lines,
 * next id, count, head hash, tail hash (8 each); count records of id (8),
 * begin, note, line (4 each), state (1), 3 zero bytes; then the checksum (8)
 * of all that comes before it. */
static const char magic[8] = "L2FJIDX";
#define TRAILER 8

_Static_assert(JOURNAL_MAX_BYTES < JOURNAL_NO_LINE, "journal offsets fit 32 bits");

/* Spelt out, the way compilers turn into one load: the index is read whole. */
static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

uint64_t journalidx_hash(const void *data, size_t len, uint64_t seed)
{
    static const uint64_t k = 0x9E3779B97F4A7C15u; /* odd: each step is one-to-one */
    const unsigned char *p = data;
    uint64_t h = seed ^ (uint64_t)len * k;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) { /* a word at a time: the index is ~240 KB for 10,000 */
        h = (h ^ get_le64(p + i)) * k;
        h ^= h >> 29;
    }
    for (; i < len; i++) {
        h = (h ^ p[i]) * k;
        h ^= h >> 29;
    }
    return h ^ h >> 32;
}

/* The journal's first and last covered bytes, each hashed. */
static void sample_hashes(const char *text, size_t covered, uint64_t *head, uint64_t *tail)
{
    size_t n = covered < JOURNALIDX_SAMPLE ? covered : JOURNALIDX_SAMPLE;
    *head = journalidx_hash(text, n, covered);
    *tail = journalidx_hash(text + covered - n, n, ~(uint64_t)covered);
}

/* One record, checked against the one before it (prev NULL for the first). */
static bool slot_ok(const struct journal_slot *s, const struct journal_slot *prev,
                    const struct journal_idx *idx)
{
    if (s->id < 1 || s->id > JOURNAL_ID_MAX || s->state >= ENTRY_STATE_COUNT)
        return false;
    if (s->begin_at >= idx->covered || s->lineno < 1 || s->lineno > idx->lines)
        return false;
    if (s->note_at != JOURNAL_NO_LINE && (s->note_at <= s->begin_at || s->note_at >= idx->covered))
        return false;
    return !prev || (s->id > prev->id && s->begin_at > prev->begin_at && s->lineno > prev->lineno);
}

static bool read_slots(const unsigned char *rec, struct journal_idx *idx)
{
    /* at least 16: journal_begin grows it by doubling */
    idx->slots = malloc((idx->count > 16 ? idx->count : 16) * sizeof *idx->slots);
    if (!idx->slots)
        return false;
    for (size_t i = 0; i < idx->count; i++, rec += JOURNALIDX_RECORD) {
        struct journal_slot *s = &idx->slots[i];
        uint64_t id = get_le64(rec);
        s->id = (int64_t)(id & (UINT64_MAX >> 1)); /* the top bit: refused just below */
        s->begin_at = get_le32(rec + 8);
        s->note_at = get_le32(rec + 12);
        s->lineno = get_le32(rec + 16);
        s->state = rec[20];
        if (id >> 63 || (rec[21] | rec[22] | rec[23]) != 0 || !slot_ok(s, i ? s - 1 : NULL, idx)) {
            free(idx->slots);
            idx->slots = NULL;
            return false;
        }
    }
    return true;
}

/* The header's numbers, each within what the journal read allows. */
static bool header_ok(const unsigned char *d, size_t len, const char *text, size_t text_len,
                      struct journal_idx *idx)
{
    if (len < JOURNALIDX_HEADER + TRAILER || memcmp(d, magic, sizeof magic) != 0 ||
        get_le32(d + 8) != JOURNALIDX_VERSION || get_le32(d + 12) != JOURNALIDX_RECORD)
        return false;
    uint64_t covered = get_le64(d + 16), lines = get_le64(d + 24), next = get_le64(d + 32),
             count = get_le64(d + 40);
    if ((len - JOURNALIDX_HEADER - TRAILER) % JOURNALIDX_RECORD != 0 ||
        count != (len - JOURNALIDX_HEADER - TRAILER) / JOURNALIDX_RECORD)
        return false;
    /* a line holds at least its newline; an entry at least its begin line */
    if (covered == 0 || covered > text_len || text[covered - 1] != '\n' || lines > covered ||
        lines >= JOURNAL_NO_LINE || count > lines || next < 1 ||
        next > (uint64_t)JOURNAL_ID_MAX + 1)
        return false;
    uint64_t head, tail;
    sample_hashes(text, (size_t)covered, &head, &tail);
    if (get_le64(d + 48) != head || get_le64(d + 56) != tail)
        return false;
    *idx = (struct journal_idx){.covered = (size_t)covered,
                                .lines = (uint32_t)lines,
                                .next_id = (int64_t)next,
                                .count = (size_t)count};
    return true;
}

bool journalidx_read(const char *path, const char *text, size_t text_len, struct journal_idx *idx)
{
    memset(idx, 0, sizeof *idx);
    struct plat_view v;
    struct l2f_err err;
    if (!text || plat_view_open(path, JOURNAL_MAX_BYTES, &v, &err) != L2F_OK)
        return false;
    const unsigned char *d = (const unsigned char *)v.data;
    /* the header first: its sizes bound what the checksum reads */
    bool ok = header_ok(d, v.len, text, text_len, idx) &&
              get_le64(d + v.len - TRAILER) == journalidx_hash(d, v.len - TRAILER, 0) &&
              read_slots(d + JOURNALIDX_HEADER, idx);
    /* the newest id + 1, as the replay counts it: nothing else can be trusted */
    if (ok && idx->next_id != (idx->count ? idx->slots[idx->count - 1].id + 1 : 1)) {
        free(idx->slots);
        ok = false;
    }
    plat_view_close(&v);
    if (!ok)
        memset(idx, 0, sizeof *idx);
    return ok;
}

enum l2f_status journalidx_write(const char *path, const char *text, const struct journal_idx *idx,
                                 struct l2f_err *err)
{
    size_t len = JOURNALIDX_HEADER + idx->count * JOURNALIDX_RECORD + TRAILER;
    unsigned char *d = calloc(1, len);
    if (!d)
        return L2F_ERR_NOMEM;
    uint64_t head, tail;
    sample_hashes(text, idx->covered, &head, &tail);
    memcpy(d, magic, sizeof magic);
    put_le(d + 8, JOURNALIDX_VERSION, 4);
    put_le(d + 12, JOURNALIDX_RECORD, 4);
    put_le(d + 16, idx->covered, 8);
    put_le(d + 24, idx->lines, 8);
    put_le(d + 32, (uint64_t)idx->next_id, 8);
    put_le(d + 40, idx->count, 8);
    put_le(d + 48, head, 8);
    put_le(d + 56, tail, 8);
    unsigned char *rec = d + JOURNALIDX_HEADER;
    for (size_t i = 0; i < idx->count; i++, rec += JOURNALIDX_RECORD) {
        const struct journal_slot *s = &idx->slots[i];
        put_le(rec, (uint64_t)s->id, 8);
        put_le(rec + 8, s->begin_at, 4);
        put_le(rec + 12, s->note_at, 4);
        put_le(rec + 16, s->lineno, 4);
        rec[20] = s->state;
    }
    put_le(rec, journalidx_hash(d, len - TRAILER, 0), 8);
    enum l2f_status st = plat_write_atomic_max(path, d, len, JOURNAL_MAX_BYTES, err);
    free(d);
    return st;
}
