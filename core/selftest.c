#include "selftest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "platform.h"
#include "text.h"

#define SELFTEST_SCHEMA_VERSION 1 /* schema/selftest.schema.json */
#define REDACT_NAMES_MAX 256      /* names the redaction net knows; more profiles are unusual */

#define SELFTEST_ROW(e, id, what) {id, what},
static const struct {
    const char *id, *assumption;
} items[] = {SELFTEST_TABLE(SELFTEST_ROW)};
#undef SELFTEST_ROW

#define VERDICT_ROW(e, id) id,
static const char *const verdicts[] = {SELFTEST_VERDICT_TABLE(VERDICT_ROW)};
#undef VERDICT_ROW

const char *selftest_id(enum selftest_id id)
{
    return (unsigned)id < SELFTEST_COUNT ? items[id].id : "?";
}

const char *selftest_assumption(enum selftest_id id)
{
    return (unsigned)id < SELFTEST_COUNT ? items[id].assumption : "?";
}

const char *selftest_verdict_id(enum selftest_verdict v)
{
    return (unsigned)v < SELFTEST_VERDICT_COUNT ? verdicts[v] : "?";
}

void selftest_note(struct selftest_answer *a, const char *fmt, ...)
{
    if (a->n_notes >= SELFTEST_NOTES_MAX) {
        a->notes_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notes[a->n_notes++], SELFTEST_NOTE_LEN, fmt, ap);
    va_end(ap);
}

/* The core's own reading where the backend has no answer of its own. */
static void generic_answer(struct backend *be, enum selftest_id id, struct selftest_answer *out)
{
    struct l2f_err err = {{0}};
    out->verdict = SELFTEST_NOT_SHOWN;
    if (id == SELFTEST_ELEVATION) {
        bool admin = false;
        if (be->ops->is_admin(be, &admin) == L2F_OK) {
            out->verdict = SELFTEST_CONFIRMED;
            snprintf(out->evidence, sizeof out->evidence, "elevated: %s", admin ? "yes" : "no");
            return;
        }
    } else if (id == SELFTEST_OS_BUILD && be->ops->machine_info) {
        struct machine_info mi;
        memset(&mi, 0, sizeof mi);
        if (be->ops->machine_info(be, &mi, &err) == L2F_OK && mi.os_st == L2F_OK && mi.os_build) {
            out->verdict = SELFTEST_CONFIRMED;
            snprintf(out->evidence, sizeof out->evidence, "OS build %u.%u", mi.os_build, mi.os_ubr);
            return;
        }
    }
    snprintf(out->evidence, sizeof out->evidence, "this backend (%s) cannot show it",
             be->ops->describe(be));
}

/* A name and what stands in its place in a redacted report. */
struct redact_name {
    char name[PROFILE_NAME_MAX];
    char shown[32];
};

struct redact_list {
    struct redact_name n[REDACT_NAMES_MAX];
    size_t count;
};

static void redact_add(struct redact_list *l, const char *name, const char *shown)
{
    if (!name[0] || l->count >= REDACT_NAMES_MAX)
        return;
    for (size_t i = 0; i < l->count; i++)
        if (text_casecmp(l->n[i].name, name) == 0)
            return;
    text_copy(l->n[l->count].name, sizeof l->n[0].name, name);
    text_copy(l->n[l->count].shown, sizeof l->n[0].shown, shown);
    l->count++;
}

/* Every name a report may not show: the profiles (numbered as the backends
 * number them, in list order), their owners and saved user names, this
 * user's and this computer's name. */
static void redact_collect(struct backend *be, struct redact_list *l)
{
    struct profile_list list = {0};
    struct l2f_err err = {{0}};
    char shown[32];
    if (be->ops->list_profiles(be, &list, &err) == L2F_OK) {
        for (size_t i = 0; i < list.count; i++) {
            snprintf(shown, sizeof shown, "profile %lu", (unsigned long)i + 1);
            redact_add(l, list.items[i].name, shown);
        }
        for (size_t i = 0; i < list.count; i++) {
            redact_add(l, list.items[i].owner, "user");
            redact_add(l, list.items[i].username, "user");
        }
        profile_list_free(&list);
    }
    char computer[128];
    if (plat_computer_name(computer, sizeof computer))
        redact_add(l, computer, "computer");
    /* the variable each platform's login sets: portable C, no platform call */
    const char *user = getenv("USERNAME") ? getenv("USERNAME") : getenv("USER");
    if (user)
        redact_add(l, user, "user");
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Where name occurs in s (ASCII case-insensitive); a short name only as a
 * whole word, so that "VP" does not eat the middle of other words. */
static char *find_name(char *s, const char *name)
{
    size_t n = strlen(name);
    for (char *p = s; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)name[i]))
            i++;
        if (i < n)
            continue;
        bool whole = (p == s || !is_word_char(p[-1])) && !is_word_char(p[n]);
        if (n >= 3 || whole)
            return p;
    }
    return NULL;
}

/* Replaces every occurrence of each name in s (len bytes), longest name first. */
static void redact_string(const struct redact_list *l, const size_t *order, char *s, size_t len)
{
    char out[SELFTEST_NOTE_LEN * 4];
    for (size_t k = 0; k < l->count; k++) {
        const struct redact_name *r = &l->n[order[k]];
        size_t used = 0;
        bool changed = false;
        for (char *from = s, *at; *from; from = at + strlen(r->name)) {
            at = find_name(from, r->name);
            size_t keep = at ? (size_t)(at - from) : strlen(from);
            used += (size_t)snprintf(out + used, used < sizeof out ? sizeof out - used : 0,
                                     "%.*s%s", (int)keep, from, at ? r->shown : "");
            if (used >= sizeof out || !at)
                break;
            changed = true;
        }
        if (changed)
            text_copy(s, len, out);
    }
}

static void redact_report(struct backend *be, struct selftest_report *r)
{
    static struct redact_list l; /* large: off the stack; selftest runs once a process */
    size_t order[REDACT_NAMES_MAX];
    memset(&l, 0, sizeof l);
    redact_collect(be, &l);
    for (size_t i = 0; i < l.count; i++) { /* longest first: "Office VPN 2" before "Office VPN" */
        size_t j = i;
        while (j > 0 && strlen(l.n[order[j - 1]].name) < strlen(l.n[i].name)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    redact_string(&l, order, r->backend, sizeof r->backend);
    for (int i = 0; i < SELFTEST_COUNT; i++) {
        struct selftest_answer *a = &r->items[i];
        redact_string(&l, order, a->evidence, sizeof a->evidence);
        for (unsigned n = 0; n < a->n_notes; n++)
            redact_string(&l, order, a->notes[n], sizeof a->notes[n]);
    }
}

void selftest_run(struct backend *be, bool redact, struct selftest_report *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->backend, sizeof out->backend, "%s", be->ops->describe(be));
    out->redacted = redact;
    for (int i = 0; i < SELFTEST_COUNT; i++) {
        struct selftest_answer *a = &out->items[i];
        bool answered =
            be->ops->selftest && be->ops->selftest(be, (enum selftest_id)i, redact, a) == L2F_OK;
        if (!answered)
            generic_answer(be, (enum selftest_id)i, a);
    }
    if (redact)
        redact_report(be, out);
}

enum l2f_status selftest_text(const struct selftest_report *r, char **out)
{
    struct text_buf b = {0};
    text_printf(&b, "l2tpfix selftest on %s%s\n", r->backend,
                r->redacted ? " (names redacted)" : "");
    text_printf(&b, "Read only: nothing was changed, no secret was read or written.\n\n");
    for (int i = 0; i < SELFTEST_COUNT; i++) {
        const struct selftest_answer *a = &r->items[i];
        text_printf(&b, "%-18s %-10s %s\n", items[i].id, verdicts[a->verdict], a->evidence);
        for (unsigned n = 0; n < a->n_notes; n++)
            text_printf(&b, "%-18s - %s\n", "", a->notes[n]);
        if (a->notes_dropped)
            text_printf(&b, "%-18s - and %u more\n", "", a->notes_dropped);
        text_printf(&b, "%-18s assumption: %s\n", "", items[i].assumption);
    }
    if (b.failed) {
        free(b.s);
        return L2F_ERR_NOMEM;
    }
    *out = b.s;
    return L2F_OK;
}

enum l2f_status selftest_json(const struct selftest_report *r, char **out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema_version", SELFTEST_SCHEMA_VERSION);
    cJSON_AddStringToObject(root, "backend", r->backend);
    cJSON_AddBoolToObject(root, "redacted", r->redacted);
    cJSON *list = cJSON_AddArrayToObject(root, "items");
    for (int i = 0; list && i < SELFTEST_COUNT; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", items[i].id);
        cJSON_AddStringToObject(o, "assumption", items[i].assumption);
        cJSON_AddStringToObject(o, "verdict", verdicts[r->items[i].verdict]);
        cJSON_AddStringToObject(o, "evidence", r->items[i].evidence);
        cJSON *notes = cJSON_AddArrayToObject(o, "notes");
        for (unsigned n = 0; notes && n < r->items[i].n_notes; n++)
            cJSON_AddItemToArray(notes, cJSON_CreateString(r->items[i].notes[n]));
        cJSON_AddNumberToObject(o, "notes_omitted", r->items[i].notes_dropped);
        cJSON_AddItemToArray(list, o);
    }
    char *text = root && list ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return L2F_ERR_NOMEM;
    size_t n = strlen(text); /* memory the caller frees with free() */
    *out = malloc(n + 2);
    if (*out) {
        memcpy(*out, text, n);
        memcpy(*out + n, "\n", 2);
    }
    cJSON_free(text);
    return *out ? L2F_OK : L2F_ERR_NOMEM;
}
