#include "journal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= (double)LONG_MIN && it->valuedouble < -(double)LONG_MIN))
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
    return true;
}

static enum l2f_status grow(struct journal *j)
{
    if (j->count < j->cap)
        return L2F_OK;
    size_t cap = j->cap ? j->cap * 2 : 16;
    struct journal_entry *n = realloc(j->entries, cap * sizeof *n);
    if (!n)
        return L2F_ERR_NOMEM;
    j->entries = n;
    j->cap = cap;
    return L2F_OK;
}

struct journal_entry *journal_find(struct journal *j, int64_t id)
{
    size_t lo = 0, hi = j->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->entries[mid].id == id)
            return &j->entries[mid];
        if (j->entries[mid].id < id)
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
        snprintf(why, len, "entry id %.0f is not a whole number from 1 to %" PRId64, d, JOURNAL_ID_MAX);
        return false;
    }
    *id = (int64_t)d;
    return true;
}

static bool begin_record(struct journal *j, const cJSON *rec, int64_t id, char *why, size_t len)
{
    if (j->count && id <= j->entries[j->count - 1].id) {
        snprintf(why, len, "entry id %" PRId64 " %s (two writers without the lock?)", id,
                 journal_find(j, id) ? "appears twice" : "comes after a higher one");
        return false;
    }
    if (grow(j) != L2F_OK) {
        snprintf(why, len, "out of memory");
        return false;
    }
    struct journal_entry *e = &j->entries[j->count];
    memset(e, 0, sizeof *e);
    e->id = id;
    copy_str(e->time, sizeof e->time, json_str(rec, "time"));
    copy_str(e->machine, sizeof e->machine, json_str(rec, "machine"));
    copy_str(e->profile, sizeof e->profile, json_str(rec, "profile"));
    const char *fix = json_str(rec, "fix");
    e->fix = fix ? fix_from_id(fix) : FIX_NONE;
    e->state = ENTRY_PENDING;
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(rec, "changes");
    const cJSON *c;
    int n = cJSON_GetArraySize(changes);
    if (e->fix == FIX_NONE || !cJSON_IsArray(changes) || n > JOURNAL_MAX_CHANGES) {
        snprintf(why, len, "damaged journal record");
        return false;
    }
    /* only as many as there are: the entry's one allocation beside the array */
    e->changes = malloc((n ? (size_t)n : 1) * sizeof *e->changes);
    if (!e->changes) {
        snprintf(why, len, "out of memory");
        return false;
    }
    j->count++; /* from here journal_close frees e->changes */
    cJSON_ArrayForEach(c, changes)
    {
        if (!change_from_json(c, &e->changes[e->n_changes])) {
            snprintf(why, len, "damaged journal record");
            return false;
        }
        e->n_changes++;
    }
    return true;
}

/* Applies one record of the file to the in-memory entries; why says what is wrong. */
static bool replay_record(struct journal *j, const cJSON *rec, char *why, size_t len)
{
    const char *op = json_str(rec, "op");
    int64_t id;
    if (!op) {
        snprintf(why, len, "damaged journal record");
        return false;
    }
    if (!json_id(rec, &id, why, len))
        return false;
    if (strcmp(op, "begin") == 0) {
        if (!begin_record(j, rec, id, why, len))
            return false;
    } else {
        struct journal_entry *e = journal_find(j, id);
        enum entry_state st = state_from_id(op);
        if (!e || st == ENTRY_STATE_COUNT) {
            snprintf(why, len, e ? "damaged journal record" : "damaged journal record: no entry %" PRId64, id);
            return false;
        }
        e->state = st;
        const char *note = json_str(rec, "note");
        if (note)
            copy_str(e->note, sizeof e->note, note);
    }
    if (id >= j->next_id)
        j->next_id = id + 1; /* id <= JOURNAL_ID_MAX: no overflow */
    return true;
}

/* Replays text; a last line that is not whole JSON is torn, and left out. */
static enum l2f_status replay_text(struct journal *j, char *text, size_t len, struct l2f_err *err)
{
    int lineno = 0;
    size_t off = 0;
    while (off < len) {
        char *line = text + off;
        char *nl = memchr(line, '\n', len - off);
        size_t next = nl ? (size_t)(nl - text) + 1 : len;
        if (nl)
            *nl = '\0';
        lineno++;
        if (line[strspn(line, " \t\r")] != '\0') {
            cJSON *rec = cJSON_Parse(line);
            char why[160] = "";
            bool last = text[next + strspn(text + next, " \t\r\n")] == '\0';
            if (!rec && last) { /* a crash mid-append: set aside under the lock */
                j->torn = true;
                j->good_len = off;
                return L2F_OK;
            }
            bool ok = rec && replay_record(j, rec, why, sizeof why);
            cJSON_Delete(rec);
            if (!ok) {
                l2f_err_set(err, "%s:%d: %s", j->path, lineno, why[0] ? why : "damaged journal record");
                return L2F_ERR_PARSE;
            }
            j->no_newline = !nl;
        }
        off = next;
    }
    j->good_len = len;
    return L2F_OK;
}

static enum l2f_status load(struct journal *j, char **text, size_t *len, struct l2f_err *err)
{
    enum l2f_status st = plat_read_file(j->path, text, len, err);
    if (st == L2F_ERR_NOT_FOUND) {
        l2f_err_clear(err);
        *text = NULL;
        return L2F_OK;
    }
    if (st != L2F_OK)
        return st;
    if (strlen(*text) != *len) {
        l2f_err_set(err, "%s: a NUL byte: damaged journal", j->path);
        free(*text);
        *text = NULL;
        return L2F_ERR_PARSE;
    }
    st = replay_text(j, *text, *len, err);
    if (st != L2F_OK) {
        free(*text);
        *text = NULL;
    }
    return st;
}

static void reset(struct journal *j)
{
    journal_close(j);
    j->next_id = 1;
    j->torn = j->no_newline = false;
    j->good_len = 0;
}

enum l2f_status journal_open(struct journal *j, const char *path, struct l2f_err *err)
{
    memset(j, 0, sizeof *j);
    j->next_id = 1;
    if (!path)
        return L2F_OK;
    copy_str(j->path, sizeof j->path, path);
    char *text;
    size_t len;
    enum l2f_status st = load(j, &text, &len, err);
    free(text);
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
    enum l2f_status st = plat_read_file(j->path, &text, &len, err);
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
        st = plat_write_atomic(j->path, text, keep, err);
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
    char *text;
    size_t len;
    enum l2f_status st = load(j, &text, &len, err);
    free(text);
    if (st == L2F_OK && (j->torn || j->no_newline))
        st = heal(j, err);
    return st;
}

void journal_close(struct journal *j)
{
    for (size_t i = 0; i < j->count; i++)
        free(j->entries[i].changes);
    free(j->entries);
    j->entries = NULL;
    j->count = j->cap = 0;
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
        l2f_err_set(err, "%s: the journal's entry ids are used up (the last is %" PRId64
                         "); move it aside to start a new one", j->path, j->next_id - 1);
        return L2F_ERR_IO;
    }
    if (grow(j) != L2F_OK)
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
    struct journal_entry *kept = &j->entries[j->count];
    *kept = *e;
    kept->changes = malloc((e->n_changes ? e->n_changes : 1) * sizeof *kept->changes);
    if (!kept->changes)
        return L2F_ERR_NOMEM; /* written, not kept: the next load reads it */
    memcpy(kept->changes, e->changes, e->n_changes * sizeof *kept->changes);
    j->count++;
    return L2F_OK;
}

enum l2f_status journal_mark(struct journal *j, int64_t id, enum entry_state state, const char *note,
                             struct l2f_err *err)
{
    struct journal_entry *e = journal_find(j, id);
    if (!e)
        return L2F_ERR_NOT_FOUND;
    cJSON *rec = cJSON_CreateObject();
    if (!rec)
        return L2F_ERR_NOMEM;
    cJSON_AddStringToObject(rec, "op", entry_state_id(state));
    cJSON_AddNumberToObject(rec, "id", (double)id);
    if (note && *note)
        cJSON_AddStringToObject(rec, "note", note);
    enum l2f_status st = write_record(j, rec, err);
    cJSON_Delete(rec);
    if (st != L2F_OK)
        return st;
    e->state = state;
    if (note && *note)
        copy_str(e->note, sizeof e->note, note);
    return L2F_OK;
}
