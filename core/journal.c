#include "journal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journalidx.h"
#include "platform.h"

#define ENTRY_STATE_ID(e, id) id,
static const char *const state_ids[] = {ENTRY_STATE_TABLE(ENTRY_STATE_ID)};
#undef ENTRY_STATE_ID

const char *entry_state_id(enum entry_state s)
{
    return (unsigned)s < ENTRY_STATE_COUNT ? state_ids[s] : "?";
}

static enum entry_state state_from_id(const char *id)
{
    for (int i = 0; i < ENTRY_STATE_COUNT; i++)
        if (strcmp(state_ids[i], id) == 0)
            return (enum entry_state)i;
    return ENTRY_STATE_COUNT;
}

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool json_num(const cJSON *obj, const char *key, long *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    /* checked before the conversion: a double beyond long's range is undefined */
    if (!cJSON_IsNumber(it) ||
        !(it->valuedouble >= (double)LONG_MIN && it->valuedouble < -(double)LONG_MIN))
        return false;
    *out = (long)it->valuedouble;
    return true;
}

static bool json_bool(const cJSON *obj, const char *key, bool *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsBool(it))
        return false;
    *out = cJSON_IsTrue(it);
    return true;
}

static cJSON *change_to_json(const struct change *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "kind", change_kind_id(c->kind));
    cJSON_AddStringToObject(o, "target", c->target);
    cJSON_AddStringToObject(o, "field", c->field);
    cJSON_AddBoolToObject(o, "before_set", c->before_set);
    cJSON_AddNumberToObject(o, "before", (double)c->before);
    cJSON_AddBoolToObject(o, "after_set", c->after_set);
    cJSON_AddNumberToObject(o, "after", (double)c->after);
    if (c->kind == CHG_SECRET) {
        cJSON_AddStringToObject(o, "user_before", c->user_before);
        cJSON_AddStringToObject(o, "user_after", c->user_after);
    }
    cJSON_AddBoolToObject(o, "admin", c->needs_admin);
    cJSON_AddBoolToObject(o, "reboot", c->needs_reboot);
    if (c->backup[0])
        cJSON_AddStringToObject(o, "backup", c->backup);
    if (c->kind == CHG_ROOT_CERT)
        cJSON_AddStringToObject(o, "subject", c->subject);
    return o;
}

static bool change_from_json(const cJSON *o, struct change *c)
{
    memset(c, 0, sizeof *c);
    const char *kind = json_str(o, "kind"), *target = json_str(o, "target"),
               *field = json_str(o, "field");
    if (!kind || !target || !field)
        return false;
    c->kind = change_kind_from_id(kind);
    if (c->kind == CHANGE_KIND_COUNT)
        return false;
    copy_str(c->target, sizeof c->target, target);
    copy_str(c->field, sizeof c->field, field);
    if (!json_bool(o, "before_set", &c->before_set) || !json_bool(o, "after_set", &c->after_set) ||
        !json_num(o, "before", &c->before) || !json_num(o, "after", &c->after))
        return false;
    copy_str(c->user_before, sizeof c->user_before, json_str(o, "user_before"));
    copy_str(c->user_after, sizeof c->user_after, json_str(o, "user_after"));
    json_bool(o, "admin", &c->needs_admin);
    json_bool(o, "reboot", &c->needs_reboot);
    copy_str(c->backup, sizeof c->backup, json_str(o, "backup"));
    copy_str(c->subject, sizeof c->subject, json_str(o, "subject"));
    return true;
}

static enum l2f_status grow(struct journal *j)
{
    if (j->count < j->cap)
        return L2F_OK;
    size_t cap = j->cap ? j->cap * 2 : 16;
    struct journal_slot *n = realloc(j->slots, cap * sizeof *n);
    if (!n)
        return L2F_ERR_NOMEM;
    j->slots = n;
    if (j->decoded) {
        struct journal_entry **d = realloc(j->decoded, cap * sizeof *d);
        if (!d)
            return L2F_ERR_NOMEM; /* cap unchanged: the slots' extra room goes unused */
        memset(d + j->cap, 0, (cap - j->cap) * sizeof *d);
        j->decoded = d;
    }
    j->cap = cap;
    return L2F_OK;
}

static struct journal_slot *find_slot(const struct journal *j, int64_t id)
{
    if (j->count && j->slots[j->count - 1].id == id)
        return &j->slots[j->count - 1]; /* the usual case: a mark of the newest */
    size_t lo = 0, hi = j->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->slots[mid].id == id)
            return &j->slots[mid];
        if (j->slots[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* An entry id: a whole number 1..JOURNAL_ID_MAX, checked before it is converted. */
static bool json_id(const cJSON *rec, int64_t *id, char *why, size_t len)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(rec, "id");
    if (!cJSON_IsNumber(it)) {
        snprintf(why, len, "no entry id");
        return false;
    }
    double d = it->valuedouble;
    if (!(d >= 1 && d <= (double)JOURNAL_ID_MAX) || d != (double)(int64_t)d) {
        snprintf(why, len, "entry id %.0f is not a whole number from 1 to %" PRId64, d,
                 JOURNAL_ID_MAX);
        return false;
    }
    *id = (int64_t)d;
    return true;
}

static size_t line_length(const char *text, size_t len, size_t at)
{
    const char *nl = memchr(text + at, '\n', len - at);
    return nl ? (size_t)(nl - (text + at)) : len - at;
}

/* Fills e from a begin record; false when it is not a whole one. */
static bool entry_from_json(const cJSON *rec, struct journal_entry *e)
{
    copy_str(e->time, sizeof e->time, json_str(rec, "time"));
    copy_str(e->machine, sizeof e->machine, json_str(rec, "machine"));
    copy_str(e->profile, sizeof e->profile, json_str(rec, "profile"));
    const char *fix = json_str(rec, "fix");
    e->fix = fix ? fix_from_id(fix) : FIX_NONE;
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(rec, "changes");
    int n = cJSON_GetArraySize(changes);
    if (e->fix == FIX_NONE || !cJSON_IsArray(changes) || n > JOURNAL_MAX_CHANGES)
        return false;
    /* only as many as there are */
    e->changes = calloc(n ? (size_t)n : 1, sizeof *e->changes);
    if (!e->changes)
        return false;
    const cJSON *c;
    cJSON_ArrayForEach(c, changes)
    {
        if (!change_from_json(c, &e->changes[e->n_changes]))
            return false;
        e->n_changes++;
    }
    return true;
}

static void entry_free(struct journal_entry *e)
{
    if (e)
        free(e->changes);
    free(e);
}

static cJSON *parse_at(const struct journal *j, size_t at)
{
    return cJSON_ParseWithLength(j->text + at, line_length(j->text, j->text_len, at));
}

/* The decoded entries, a pointer a slot, made when the first is decoded: a
 * command that passes over every entry never touches them. */
static struct journal_entry **decoded_of(struct journal *j)
{
    if (!j->decoded)
        j->decoded = calloc(j->cap ? j->cap : 1, sizeof *j->decoded);
    return j->decoded;
}

/* Whether rec is a whole begin record of entry id. */
static bool begin_of(const cJSON *rec, int64_t id, struct journal_entry *e)
{
    int64_t found;
    char why[160];
    return rec && json_id(rec, &found, why, sizeof why) && found == id && entry_from_json(rec, e);
}

/* Decodes a slot's begin line (and the note of its newest record). The
 * journal is the caller's, const to it: its cache and first damage are ours. */
static struct journal_entry *decode(const struct journal *cj, struct journal_slot *s)
{
    struct journal *j = (struct journal *)cj;
    struct journal_entry *e = calloc(1, sizeof *e);
    struct journal_entry **decoded = decoded_of(j);
    bool nomem = !e || !decoded;
    bool line = !nomem && j->text && s->begin_at != JOURNAL_NO_LINE;
    cJSON *rec = line ? parse_at(j, s->begin_at) : NULL;
    bool ok = begin_of(rec, s->id, e);
    cJSON_Delete(rec);
    if (ok && s->note_at != JOURNAL_NO_LINE) {
        rec = parse_at(j, s->note_at);
        copy_str(e->note, sizeof e->note, json_str(rec, "note"));
        if (s->state == ENTRY_UNDONE)
            copy_str(e->undone_time, sizeof e->undone_time, json_str(rec, "time"));
        cJSON_Delete(rec);
    }
    if (!ok) {
        entry_free(e);
        if (!j->damage[0])
            snprintf(j->damage, sizeof j->damage, "%.200s:%u: %s", j->path, s->lineno,
                     nomem ? "out of memory" : "damaged journal record");
        return NULL;
    }
    e->id = s->id;
    e->state = (enum entry_state)s->state;
    decoded[s - j->slots] = e;
    return e;
}

static struct journal_entry *slot_entry(const struct journal *j, struct journal_slot *s)
{
    struct journal_entry *e = j->decoded ? j->decoded[s - j->slots] : NULL;
    return e ? e : decode(j, s);
}

const struct journal_entry *journal_at(const struct journal *j, size_t i)
{
    return i < j->count ? slot_entry(j, &j->slots[i]) : NULL;
}

enum entry_state journal_state_at(const struct journal *j, size_t i)
{
    return i < j->count ? (enum entry_state)j->slots[i].state : ENTRY_STATE_COUNT;
}

/* The "time" of the line at `at`, found by hand: no JSON parse for each undone entry. */
static bool line_time(const struct journal *j, size_t at, char *out, size_t len)
{
    static const char key[] = "\"time\":\"";
    size_t n = line_length(j->text, j->text_len, at);
    const char *line = j->text + at;
    for (size_t i = 0; i + sizeof key - 1 < n; i++) {
        if (memcmp(line + i, key, sizeof key - 1) != 0)
            continue;
        const char *from = line + i + sizeof key - 1,
                   *end = memchr(from, '"', n - (size_t)(from - line));
        if (!end || (size_t)(end - from) >= len)
            return false;
        memcpy(out, from, (size_t)(end - from));
        out[end - from] = '\0';
        return true;
    }
    return false;
}

bool journal_undone_after(const struct journal *j, size_t i, const char *when)
{
    if (journal_state_at(j, i) != ENTRY_UNDONE)
        return false;
    const struct journal_entry *e = j->decoded ? j->decoded[i] : NULL;
    char undone[32] = "";
    if (e)
        snprintf(undone, sizeof undone, "%s", e->undone_time);
    else if (j->text && j->slots[i].note_at != JOURNAL_NO_LINE &&
             !line_time(j, j->slots[i].note_at, undone, sizeof undone))
        undone[0] = '\0';
    /* both UTC ISO 8601: text order is time order */
    return undone[0] && strcmp(undone, when) > 0;
}

struct journal_entry *journal_find(struct journal *j, int64_t id)
{
    struct journal_slot *s = find_slot(j, id);
    return s ? slot_entry(j, s) : NULL;
}

/* What the replay needs of a record: its op, id and whether it has a note. */
struct record_head {
    char op[16];
    int64_t id;
    bool note; /* the record has a note or a time: its entry reads it when decoded */
};

/* The records l2tpfix writes begin {"op":"X","id":N: read that much by hand
 * (the rest of a begin line is read when its entry is asked for). */
static bool fast_head(const char *line, size_t len, struct record_head *h)
{
    static const char pre[] = "{\"op\":\"", mid[] = "\",\"id\":";
    if (len < sizeof pre || memcmp(line, pre, sizeof pre - 1) != 0)
        return false;
    size_t i = sizeof pre - 1, n = 0;
    while (i < len && n + 1 < sizeof h->op &&
           ((line[i] >= 'a' && line[i] <= 'z') || line[i] == '-'))
        h->op[n++] = line[i++];
    h->op[n] = '\0';
    if (n == 0 || len - i < sizeof mid || memcmp(line + i, mid, sizeof mid - 1) != 0)
        return false;
    i += sizeof mid - 1;
    int64_t id = 0;
    size_t digits = 0;
    for (; i < len && line[i] >= '0' && line[i] <= '9' && digits < 16; i++, digits++)
        id = id * 10 + (line[i] - '0'); /* 16 digits: below 2^63 */
    if (digits == 0 || line[len - 1] != '}' || line[i - digits] == '0' || id > JOURNAL_ID_MAX)
        return false;
    h->id = id;
    if (line[i] == '}' && i + 1 == len) {
        h->note = false;
        return true;
    }
    if (strcmp(h->op, "begin") == 0 && line[i] == ',') {
        h->note = false;
        return true;
    }
    static const char note[] = ",\"note\":\"", time[] = ",\"time\":\"";
    h->note = (len - i > sizeof note && memcmp(line + i, note, sizeof note - 1) == 0) ||
              (len - i > sizeof time && memcmp(line + i, time, sizeof time - 1) == 0);
    return h->note;
}

/* Any other record, and the last line: parsed whole. */
static bool slow_head(const char *line, size_t len, struct record_head *h, char *why, size_t wlen)
{
    cJSON *rec = cJSON_ParseWithLength(line, len);
    if (!rec) {
        snprintf(why, wlen, "damaged journal record");
        return false;
    }
    const char *op = json_str(rec, "op");
    bool ok = op && strlen(op) < sizeof h->op;
    if (!ok)
        snprintf(why, wlen, "damaged journal record");
    else
        ok = json_id(rec, &h->id, why, wlen);
    if (ok) {
        copy_str(h->op, sizeof h->op, op);
        h->note = json_str(rec, "note") != NULL ||
                  (strcmp(op, "begin") != 0 && json_str(rec, "time") != NULL);
        /* a whole begin record is checked now: the last line is the one a crash tears */
        struct journal_entry e = {0};
        if (strcmp(op, "begin") == 0 && !entry_from_json(rec, &e)) {
            snprintf(why, wlen, "damaged journal record");
            ok = false;
        }
        free(e.changes);
    }
    cJSON_Delete(rec);
    return ok;
}

/* Applies one record to the slots; why says what is wrong. */
static bool replay(struct journal *j, const struct record_head *h, size_t at, unsigned lineno,
                   char *why, size_t len)
{
    if (strcmp(h->op, "begin") == 0) {
        if (j->count && h->id <= j->slots[j->count - 1].id) {
            snprintf(why, len, "entry id %" PRId64 " %s (two writers without the lock?)", h->id,
                     find_slot(j, h->id) ? "appears twice" : "comes after a higher one");
            return false;
        }
        if (grow(j) != L2F_OK) {
            snprintf(why, len, "out of memory");
            return false;
        }
        j->slots[j->count++] = (struct journal_slot){.id = h->id,
                                                     .begin_at = (uint32_t)at,
                                                     .note_at = JOURNAL_NO_LINE,
                                                     .lineno = lineno,
                                                     .state = ENTRY_PENDING};
    } else {
        struct journal_slot *s = find_slot(j, h->id);
        enum entry_state st = state_from_id(h->op);
        if (!s || st == ENTRY_STATE_COUNT) {
            snprintf(why, len,
                     s ? "damaged journal record" : "damaged journal record: no entry %" PRId64,
                     h->id);
            return false;
        }
        s->state = (uint8_t)st;
        if (h->note)
            s->note_at = (uint32_t)at;
    }
    if (h->id >= j->next_id)
        j->next_id = h->id + 1; /* id <= JOURNAL_ID_MAX: no overflow */
    return true;
}

/* Replays text from off, just after line lineno; a last line that is not a
 * whole record is torn, and left out. */
static enum l2f_status replay_text(struct journal *j, size_t off, unsigned lineno,
                                   struct l2f_err *err)
{
    const char *text = j->text;
    size_t len = j->text_len;
    while (off < len) {
        size_t n = line_length(text, len, off), next = off + n + (off + n < len);
        lineno++;
        size_t lead = 0;
        while (lead < n &&
               (text[off + lead] == ' ' || text[off + lead] == '\t' || text[off + lead] == '\r'))
            lead++;
        if (lead < n) {
            size_t rest = next;
            while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\r' ||
                                  text[rest] == '\n'))
                rest++;
            bool last = rest == len;
            struct record_head h;
            char why[160] = "";
            bool ok = (!last && fast_head(text + off, n, &h)) ||
                      slow_head(text + off, n, &h, why, sizeof why);
            if (!ok && last && strcmp(why, "damaged journal record") == 0) {
                j->torn = true; /* a crash mid-append: set aside under the lock */
                j->good_len = off;
                j->good_lines = lineno - 1;
                return L2F_OK;
            }
            if (!ok || !replay(j, &h, off, lineno, why, sizeof why)) {
                l2f_err_set(err, "%s:%u: %s", j->path, lineno,
                            why[0] ? why : "damaged journal record");
                return L2F_ERR_PARSE;
            }
            j->no_newline = next == off + n;
        }
        off = next;
    }
    j->good_len = len;
    j->good_lines = lineno;
    return L2F_OK;
}

/* journal.idx beside journal.jsonl (or PATH.idx for another name). */
static void index_path(const struct journal *j, char *buf, size_t len)
{
    static const char ext[] = ".jsonl";
    size_t n = strlen(j->path), e = sizeof ext - 1;
    if (n >= e && strcmp(j->path + n - e, ext) == 0)
        n -= e;
    snprintf(buf, len, "%.*s.idx", (int)n, j->path);
}

/* The first record of the line at off, when it is l2tpfix's begin of id. */
static bool begins_entry(const struct journal *j, size_t off, int64_t id)
{
    struct record_head h;
    return fast_head(j->text + off, line_length(j->text, j->text_len, off), &h) &&
           strcmp(h.op, "begin") == 0 && h.id == id;
}

/* Takes the slots from the index when it checks out against the text: its
 * first and newest entries must begin where it says. Else replays whole. */
static size_t use_index(struct journal *j, unsigned *lines)
{
    char path[sizeof j->path + 8];
    struct journal_idx idx;
    index_path(j, path, sizeof path);
    if (!journalidx_read(path, j->text, j->text_len, &idx))
        return 0;
    if (idx.count &&
        (!begins_entry(j, idx.slots[0].begin_at, idx.slots[0].id) ||
         !begins_entry(j, idx.slots[idx.count - 1].begin_at, idx.slots[idx.count - 1].id))) {
        free(idx.slots);
        return 0;
    }
    j->slots = idx.slots;
    j->count = idx.count;
    j->cap = idx.count > 16 ? idx.count : 16;
    j->next_id = idx.next_id;
    *lines = idx.lines;
    return idx.covered;
}

/* Under the lock: brings the index up to the journal as read when it lags.
 * A cache: when it cannot be written, readers replay more, nothing else. */
static void update_index(struct journal *j)
{
    size_t covered = j->good_len;
    if (covered <= j->indexed || j->text[covered - 1] != '\n')
        return; /* up to date, or a last record without its newline (healed since) */
    char path[sizeof j->path + 8];
    struct l2f_err ignored;
    struct journal_idx idx = {.covered = covered,
                              .lines = j->good_lines,
                              .next_id = j->next_id,
                              .slots = j->slots,
                              .count = j->count};
    index_path(j, path, sizeof path);
    if (journalidx_write(path, j->text, &idx, &ignored) == L2F_OK)
        j->indexed = covered;
}

static enum l2f_status load(struct journal *j, struct l2f_err *err)
{
    enum l2f_status st = plat_view_open(j->path, JOURNAL_MAX_BYTES, &j->view, err);
    j->text = j->view.data;
    j->text_len = j->view.len;
    if (st == L2F_ERR_NOT_FOUND) {
        l2f_err_clear(err);
        j->text = NULL;
        j->text_len = 0;
        return L2F_OK;
    }
    if (st != L2F_OK)
        return st;
    /* no pass of its own for NUL bytes: a line holding one fails its own parse */
    unsigned lines = 0;
    j->indexed = use_index(j, &lines);
    return replay_text(j, j->indexed, lines, err);
}

static void reset(struct journal *j)
{
    journal_close(j);
    j->next_id = 1;
    j->torn = j->no_newline = false;
    j->good_len = j->indexed = 0;
    j->good_lines = 0;
    j->damage[0] = '\0';
}

enum l2f_status journal_open(struct journal *j, const char *path, struct l2f_err *err)
{
    memset(j, 0, sizeof *j);
    j->next_id = 1;
    if (!path)
        return L2F_OK;
    copy_str(j->path, sizeof j->path, path);
    enum l2f_status st = load(j, err);
    if (st != L2F_OK)
        journal_close(j);
    return st;
}

/* Keeps the torn line in path.torn-TIME and rewrites the journal without it
 * (or with the newline a whole last record lacked), before the next append. */
static enum l2f_status heal(struct journal *j, struct l2f_err *err)
{
    char *text;
    size_t len;
    enum l2f_status st = plat_read_file_max(j->path, JOURNAL_MAX_BYTES, &text, &len, err);
    if (st != L2F_OK)
        return st;
    if (len < j->good_len) {
        free(text);
        l2f_err_set(err, "%s: shorter than when it was read; not written", j->path);
        return L2F_ERR_IO;
    }
    if (j->torn) {
        char when[32];
        plat_time_iso(when);
        for (char *p = when; *p; p++)
            if (*p == ':')
                *p = '-'; /* a name Windows accepts */
        snprintf(j->torn_aside, sizeof j->torn_aside, "%.4000s.torn-%s", j->path, when);
        st = plat_write_atomic(j->torn_aside, text + j->good_len, len - j->good_len, err);
        if (st != L2F_OK)
            j->torn_aside[0] = '\0';
    }
    size_t keep = j->good_len;
    if (st == L2F_OK && !j->torn && j->no_newline)
        text[keep++] = '\n'; /* over its NUL: the buffer holds len + 1 */
    if (st == L2F_OK)
        st = plat_write_atomic_max(j->path, text, keep, JOURNAL_MAX_BYTES, err);
    free(text);
    if (st == L2F_OK)
        j->torn = j->no_newline = false;
    return st;
}

enum l2f_status journal_reload(struct journal *j, struct l2f_err *err)
{
    if (!j->path[0])
        return L2F_OK;
    reset(j);
    enum l2f_status st = load(j, err);
    if (st == L2F_OK && (j->torn || j->no_newline))
        st = heal(j, err);
    if (st == L2F_OK)
        update_index(j);
    return st;
}

void journal_close(struct journal *j)
{
    for (size_t i = 0; j->decoded && i < j->count; i++)
        entry_free(j->decoded[i]);
    free(j->decoded);
    free(j->slots);
    plat_view_close(&j->view);
    j->slots = NULL;
    j->decoded = NULL;
    j->text = NULL;
    j->count = j->cap = j->text_len = 0;
}

static enum l2f_status write_record(struct journal *j, cJSON *rec, struct l2f_err *err)
{
    if (!j->path[0])
        return L2F_OK;
    if (j->torn || j->no_newline) {
        enum l2f_status st = heal(j, err);
        if (st != L2F_OK)
            return st;
    }
    char *text = cJSON_PrintUnformatted(rec);
    if (!text)
        return L2F_ERR_NOMEM;
    size_t n = strlen(text);
    char *line = malloc(n + 2);
    if (!line) {
        cJSON_free(text);
        return L2F_ERR_NOMEM;
    }
    memcpy(line, text, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    cJSON_free(text);
    enum l2f_status st = plat_append_sync(j->path, line, n + 1, err);
    free(line);
    return st;
}

enum l2f_status journal_begin(struct journal *j, struct journal_entry *e, struct l2f_err *err)
{
    if (j->next_id > JOURNAL_ID_MAX) {
        l2f_err_set(err,
                    "%s: the journal's entry ids are used up (the last is %" PRId64
                    "); move it aside to start a new one",
                    j->path, j->next_id - 1);
        return L2F_ERR_IO;
    }
    if (grow(j) != L2F_OK || !decoded_of(j))
        return L2F_ERR_NOMEM;
    e->id = j->next_id;
    e->state = ENTRY_PENDING;
    plat_time_iso(e->time);
    cJSON *rec = cJSON_CreateObject();
    cJSON *changes = cJSON_CreateArray();
    if (!rec || !changes) {
        cJSON_Delete(rec);
        cJSON_Delete(changes);
        return L2F_ERR_NOMEM;
    }
    cJSON_AddStringToObject(rec, "op", "begin");
    cJSON_AddNumberToObject(rec, "id", (double)e->id);
    cJSON_AddStringToObject(rec, "time", e->time);
    cJSON_AddStringToObject(rec, "machine", e->machine);
    cJSON_AddStringToObject(rec, "profile", e->profile);
    cJSON_AddStringToObject(rec, "fix", fix_info(e->fix)->id);
    for (size_t i = 0; i < e->n_changes; i++)
        cJSON_AddItemToArray(changes, change_to_json(&e->changes[i]));
    cJSON_AddItemToObject(rec, "changes", changes);
    enum l2f_status st = write_record(j, rec, err);
    cJSON_Delete(rec);
    if (st != L2F_OK)
        return st;
    j->next_id++; /* written: the id is taken whatever follows */
    struct journal_entry *kept = malloc(sizeof *kept);
    struct change *copy = malloc((e->n_changes ? e->n_changes : 1) * sizeof *copy);
    if (!kept || !copy) {
        free(kept);
        free(copy);
        return L2F_ERR_NOMEM; /* written, not kept: the next load reads it */
    }
    *kept = *e;
    kept->changes = copy;
    memcpy(copy, e->changes, e->n_changes * sizeof *copy);
    /* kept decoded: it has no line in the text read */
    j->decoded[j->count] = kept;
    j->slots[j->count++] = (struct journal_slot){.id = e->id,
                                                 .begin_at = JOURNAL_NO_LINE,
                                                 .note_at = JOURNAL_NO_LINE,
                                                 .state = ENTRY_PENDING};
    return L2F_OK;
}

enum l2f_status journal_mark(struct journal *j, int64_t id, enum entry_state state,
                             const char *note, struct l2f_err *err)
{
    struct journal_slot *slot = find_slot(j, id);
    struct journal_entry *e = journal_find(j, id);
    if (!e)
        return L2F_ERR_NOT_FOUND;
    cJSON *rec = cJSON_CreateObject();
    if (!rec)
        return L2F_ERR_NOMEM;
    cJSON_AddStringToObject(rec, "op", entry_state_id(state));
    cJSON_AddNumberToObject(rec, "id", (double)id);
    char when[32] = "";
    if (state == ENTRY_UNDONE) { /* a test connection before it tested other settings */
        plat_time_iso(when);
        cJSON_AddStringToObject(rec, "time", when);
    }
    if (note && *note)
        cJSON_AddStringToObject(rec, "note", note);
    enum l2f_status st = write_record(j, rec, err);
    cJSON_Delete(rec);
    if (st != L2F_OK)
        return st;
    e->state = state;
    slot->state = (uint8_t)state;
    if (note && *note)
        copy_str(e->note, sizeof e->note, note);
    copy_str(e->undone_time, sizeof e->undone_time, when);
    return L2F_OK;
}
