#include "selftest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "text.h"

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

/* The core's own reading where the backend has no answer of its own. */
static void generic_answer(struct backend *be, enum selftest_id id, struct selftest_answer *out)
{
    struct l2f_err err = {{0}};
    out->verdict = SELFTEST_NOT_SHOWN;
    if (id == SELFTEST_ELEVATION) {
        bool admin = false;
        if (be->ops->is_admin(be, &admin) == L2F_OK) {
            out->verdict = SELFTEST_CONFIRMED;
            snprintf(out->detail, sizeof out->detail, "elevated: %s", admin ? "yes" : "no");
            return;
        }
    } else if (id == SELFTEST_OS_BUILD && be->ops->machine_info) {
        struct machine_info mi;
        memset(&mi, 0, sizeof mi);
        if (be->ops->machine_info(be, &mi, &err) == L2F_OK && mi.os_st == L2F_OK && mi.os_build) {
            out->verdict = SELFTEST_CONFIRMED;
            snprintf(out->detail, sizeof out->detail, "OS build %u.%u", mi.os_build, mi.os_ubr);
            return;
        }
    }
    snprintf(out->detail, sizeof out->detail, "this backend (%s) cannot show it",
             be->ops->describe(be));
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
}

enum l2f_status selftest_text(const struct selftest_report *r, char **out)
{
    struct text_buf b = {0};
    text_printf(&b, "l2tpfix selftest on %s%s\n", r->backend,
                r->redacted ? " (names redacted)" : "");
    text_printf(&b, "Read only: nothing was changed, no secret was read or written.\n\n");
    for (int i = 0; i < SELFTEST_COUNT; i++) {
        const struct selftest_answer *a = &r->items[i];
        text_printf(&b, "%-18s %-10s %s\n", items[i].id, verdicts[a->verdict], a->detail);
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
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "items");
    cJSON_AddStringToObject(root, "backend", r->backend);
    cJSON_AddBoolToObject(root, "redacted", r->redacted);
    for (int i = 0; list && i < SELFTEST_COUNT; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", items[i].id);
        cJSON_AddStringToObject(o, "assumption", items[i].assumption);
        cJSON_AddStringToObject(o, "verdict", verdicts[r->items[i].verdict]);
        cJSON_AddStringToObject(o, "detail", r->items[i].detail);
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
