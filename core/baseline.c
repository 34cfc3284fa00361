#include "baseline.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "winsettings.h"

enum l2f_status baseline_save(const struct observations *o, const char *machine,
                              const char *version, const char *when, char **out)
{
    cJSON *root = cJSON_CreateObject(), *pf = cJSON_CreateObject(), *reg = cJSON_CreateObject(),
          *svc = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "l2tpfix", version);
    cJSON_AddStringToObject(root, "saved", when);
    cJSON_AddStringToObject(root, "machine", machine);
    cJSON_AddStringToObject(root, "profile", o->profile.name);
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        cJSON_AddNumberToObject(pf, profile_field_key((enum profile_field)f),
                                (double)o->profile.fields[f]);
    for (int r = 0; r < REGVAL_COUNT; r++) {
        if (o->reg_st[r] != L2F_OK)
            continue; /* not readable here (a phonebook file): not part of the baseline */
        if (o->reg_exists[r])
            cJSON_AddNumberToObject(reg, regval_info((enum regval_id)r)->value, (double)o->reg[r]);
        else
            cJSON_AddNullToObject(reg, regval_info((enum regval_id)r)->value);
    }
    for (int s = 0; s < SERVICE_COUNT; s++)
        if (o->svc_st[s] == L2F_OK)
            cJSON_AddStringToObject(svc, service_info((enum service_id)s)->name,
                                    service_start_name(o->services[s].start_type));
    cJSON_AddItemToObject(root, "profile_settings", pf);
    cJSON_AddItemToObject(root, "registry", reg);
    cJSON_AddItemToObject(root, "services", svc);
    *out = cJSON_Print(root);
    cJSON_Delete(root);
    return *out ? L2F_OK : L2F_ERR_NOMEM;
}

void baseline_default_path(const char *state_dir, const char *profile, char *buf, size_t len)
{
    char name[PROFILE_NAME_MAX];
    snprintf(name, sizeof name, "%s", profile);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            *p = '_';
    snprintf(buf, len, "%.3000s%cbaseline-%s.json", state_dir && state_dir[0] ? state_dir : ".",
             PLAT_DIRSEP, name);
}

/* The fix offered for a drifted setting: the one its check offers now, so a
 * drift the diagnosis finds harmless (MS-CHAP v2 still allowed, 544 against
 * 512) offers none. */
static enum fix_id fix_now(const struct diagnosis *d, enum check_id c)
{
    if (c >= CHECK_COUNT)
        return FIX_NONE;
    const struct check_result *r = &d->checks[c];
    return r->status == CHECK_FAIL || r->status == CHECK_WARN ? r->fix : FIX_NONE;
}

/* What baseline_check compares with, and where the drifts go. */
struct drift_scan {
    const struct observations *o;
    struct diagnosis d; /* the diagnosis now: it decides each drift's fix */
    struct drift *out;
    size_t max, *n;
};

static void add(struct drift_scan *ds, const char *what, const char *was, const char *now,
                enum check_id check)
{
    if (*ds->n >= ds->max)
        return;
    struct drift *dr = &ds->out[(*ds->n)++];
    dr->check = check;
    snprintf(dr->what, sizeof dr->what, "%s", what);
    snprintf(dr->was, sizeof dr->was, "%s", was);
    snprintf(dr->now, sizeof dr->now, "%s", now);
    dr->fix = fix_now(&ds->d, check);
}

static void drift_fields(struct drift_scan *ds, const cJSON *pf)
{
    const struct vpn_profile *p = &ds->o->profile;
    char was[40], now[40];
    for (int i = 0; i < PROFILE_FIELD_COUNT; i++) {
        enum profile_field f = (enum profile_field)i;
        cJSON *v = cJSON_GetObjectItemCaseSensitive(pf, profile_field_key(f));
        if (!cJSON_IsNumber(v) || (long)v->valuedouble == p->fields[f])
            continue;
        snprintf(was, sizeof was, "%ld", (long)v->valuedouble);
        snprintf(now, sizeof now, "%ld", p->fields[f]);
        add(ds, profile_field_key(f), was, now, profile_field_check(f));
    }
}

static void drift_regvals(struct drift_scan *ds, const cJSON *reg)
{
    const struct observations *o = ds->o;
    char was[40], now[40];
    for (int i = 0; i < REGVAL_COUNT; i++) {
        const struct regval_info *info = regval_info((enum regval_id)i);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(reg, info->value);
        if (!v || o->reg_st[i] != L2F_OK)
            continue; /* not in the baseline, or not readable now */
        bool had = cJSON_IsNumber(v), has = o->reg_exists[i];
        if (had == has && (!had || (unsigned long)v->valuedouble == o->reg[i]))
            continue;
        snprintf(was, sizeof was, had ? "%lu" : "not set",
                 had ? (unsigned long)v->valuedouble : 0UL);
        snprintf(now, sizeof now, has ? "%lu" : "not set", has ? o->reg[i] : 0UL);
        add(ds, info->value, was, now, info->check);
    }
}

static void drift_services(struct drift_scan *ds, const cJSON *svc)
{
    const struct observations *o = ds->o;
    for (int i = 0; i < SERVICE_COUNT; i++) {
        const struct service_info *info = service_info((enum service_id)i);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(svc, info->name);
        if (!cJSON_IsString(v) || o->svc_st[i] != L2F_OK)
            continue;
        const char *start = service_start_name(o->services[i].start_type);
        if (strcmp(v->valuestring, start) == 0)
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s start type", info->name);
        add(ds, what, v->valuestring, start, info->check);
    }
}

enum l2f_status baseline_check(const char *text, const char *file, const struct observations *o,
                               struct drift *out, size_t max, size_t *n, struct l2f_err *err)
{
    *n = 0;
    cJSON *root = cJSON_Parse(text);
    cJSON *profile = root ? cJSON_GetObjectItemCaseSensitive(root, "profile") : NULL;
    cJSON *pf = root ? cJSON_GetObjectItemCaseSensitive(root, "profile_settings") : NULL;
    cJSON *reg = root ? cJSON_GetObjectItemCaseSensitive(root, "registry") : NULL;
    cJSON *svc = root ? cJSON_GetObjectItemCaseSensitive(root, "services") : NULL;
    enum l2f_status st = L2F_OK;
    if (!cJSON_IsString(profile) || !cJSON_IsObject(pf) || !cJSON_IsObject(reg) ||
        !cJSON_IsObject(svc)) {
        l2f_err_set(err, "%s: not an l2tpfix baseline", file); /* the caller says how to save one */
        st = L2F_ERR_PARSE;
    } else if (strcmp(profile->valuestring, o->profile.name) != 0) {
        l2f_err_set(err, "%s: a baseline of profile '%.100s', not of '%.100s'", file,
                    profile->valuestring, o->profile.name);
        st = L2F_ERR_USAGE;
    } else {
        struct drift_scan ds = {.o = o, .out = out, .max = max, .n = n};
        diagnose_evaluate(o, &ds.d);
        drift_fields(&ds, pf);
        drift_regvals(&ds, reg);
        drift_services(&ds, svc);
    }
    cJSON_Delete(root);
    return st;
}
