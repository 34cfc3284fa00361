#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static enum l2f_status finish(cJSON *root, char **out)
{
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return L2F_ERR_NOMEM;
    /* hand back memory the caller frees with free() */
    size_t n = strlen(text);
    *out = malloc(n + 1);
    if (*out)
        memcpy(*out, text, n + 1);
    cJSON_free(text);
    return *out ? L2F_OK : L2F_ERR_NOMEM;
}

enum l2f_status report_check_json(const char *profile, const char *backend,
                                  const struct diagnosis *d, char **out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stages = cJSON_CreateArray();
    cJSON *fixes = cJSON_CreateArray();
    if (!root || !stages || !fixes) {
        cJSON_Delete(stages);
        cJSON_Delete(fixes);
        return finish(root, out);
    }
    cJSON_AddStringToObject(root, "profile", profile);
    cJSON_AddStringToObject(root, "backend", backend);
    for (int s = 0; s < STAGE_COUNT; s++) {
        cJSON *stage = cJSON_CreateObject();
        cJSON *checks = cJSON_CreateArray();
        cJSON_AddStringToObject(stage, "id", stage_info((enum stage_id)s)->id);
        cJSON_AddStringToObject(stage, "status", check_status_name(d->stages[s]));
        for (int c = 0; c < CHECK_COUNT; c++) {
            const struct check_info *ci = check_info((enum check_id)c);
            if (ci->stage != (enum stage_id)s)
                continue;
            const struct check_result *r = &d->checks[c];
            cJSON *check = cJSON_CreateObject();
            cJSON_AddStringToObject(check, "id", ci->id);
            cJSON_AddStringToObject(check, "status", check_status_name(r->status));
            cJSON_AddStringToObject(check, "summary", r->summary);
            if (r->fix != FIX_NONE)
                cJSON_AddStringToObject(check, "fix", fix_info(r->fix)->id);
            else
                cJSON_AddNullToObject(check, "fix");
            cJSON_AddItemToArray(checks, check);
        }
        cJSON_AddItemToObject(stage, "checks", checks);
        cJSON_AddItemToArray(stages, stage);
    }
    cJSON_AddItemToObject(root, "stages", stages);
    for (size_t i = 0; i < d->n_recommended; i++)
        cJSON_AddItemToArray(fixes, cJSON_CreateString(fix_info(d->recommended[i])->id));
    cJSON_AddItemToObject(root, "fixes", fixes);
    return finish(root, out);
}

enum l2f_status report_history_json(const struct journal *j, const char *machine, char **out)
{
    cJSON *root = cJSON_CreateArray();
    if (!root)
        return L2F_ERR_NOMEM;
    for (size_t i = 0; i < j->count; i++) {
        const struct journal_entry *e = &j->entries[i];
        if (strcmp(e->machine, machine) != 0)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON *changes = cJSON_CreateArray();
        cJSON_AddNumberToObject(o, "id", e->id);
        cJSON_AddStringToObject(o, "time", e->time);
        cJSON_AddStringToObject(o, "profile", e->profile);
        cJSON_AddStringToObject(o, "fix", fix_info(e->fix)->id);
        cJSON_AddStringToObject(o, "state", entry_state_id(e->state));
        if (e->note[0])
            cJSON_AddStringToObject(o, "note", e->note);
        for (size_t k = 0; k < e->n_changes; k++) {
            char desc[600];
            change_describe(&e->changes[k], desc, sizeof desc);
            cJSON_AddItemToArray(changes, cJSON_CreateString(desc));
        }
        cJSON_AddItemToObject(o, "changes", changes);
        cJSON_AddItemToArray(root, o);
    }
    return finish(root, out);
}
