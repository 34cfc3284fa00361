#include "baseline.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "winsettings.h"

/* The fix that puts each setting back (what the check of that setting offers). */
static enum fix_id field_fix(enum profile_field f)
{
    switch (f) {
    case PF_VPN_STRATEGY: return FIX_TUNNEL_L2TP;
    case PF_AUTH_RESTRICTIONS: return FIX_MSCHAPV2;
    case PF_LCP_EXTENSIONS: return FIX_LCP_EXTENSIONS;
    case PF_IPSEC_FLAGS: return FIX_USE_PSK;
    default: return FIX_NONE;
    }
}

static enum fix_id regval_fix(enum regval_id r)
{
    return r == REGVAL_NAT_TRAVERSAL ? FIX_NAT_TRAVERSAL : r == REGVAL_PROHIBIT_IPSEC ? FIX_ALLOW_IPSEC : FIX_NONE;
}

enum l2f_status baseline_save(const struct observations *o, const char *machine, const char *version,
                              const char *when, char **out)
{
    cJSON *root = cJSON_CreateObject(), *pf = cJSON_CreateObject(), *reg = cJSON_CreateObject(),
          *svc = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "l2tpfix", version);
    cJSON_AddStringToObject(root, "saved", when);
    cJSON_AddStringToObject(root, "machine", machine);
    cJSON_AddStringToObject(root, "profile", o->profile.name);
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        cJSON_AddNumberToObject(pf, profile_field_key((enum profile_field)f), (double)o->profile.fields[f]);
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
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    snprintf(buf, len, "%.3000s%cbaseline-%s.json", state_dir && state_dir[0] ? state_dir : ".", PLAT_DIRSEP, name);
}

static enum check_id check_of(const char *what)
{
    static const struct {
        const char *prefix;
        enum check_id check;
    } map[] = {{"VpnStrategy", CHECK_VPN_TYPE},
               {"AuthRestrictions", CHECK_MSCHAPV2},
               {"LcpExtensions", CHECK_LCP_EXTENSIONS},
               {"IpSecFlags", CHECK_PSK},
               {"AssumeUDPEncapsulationContextOnSendRule", CHECK_NAT_TRAVERSAL},
               {"ProhibitIpSec", CHECK_PROHIBIT_IPSEC},
               {"IKEEXT ", CHECK_IPSEC_SERVICES},
               {"PolicyAgent ", CHECK_IPSEC_SERVICES},
               {"BFE ", CHECK_IPSEC_SERVICES}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(what, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].check;
    return CHECK_COUNT;
}

static void add(struct drift *out, size_t max, size_t *n, const char *what, const char *was, const char *now,
                enum fix_id fix)
{
    if (*n >= max)
        return;
    struct drift *d = &out[(*n)++];
    d->check = check_of(what);
    snprintf(d->what, sizeof d->what, "%s", what);
    snprintf(d->was, sizeof d->was, "%s", was);
    snprintf(d->now, sizeof d->now, "%s", now);
    d->fix = fix;
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
    if (!cJSON_IsString(profile) || !cJSON_IsObject(pf) || !cJSON_IsObject(reg) || !cJSON_IsObject(svc)) {
        l2f_err_set(err, "%s: not an l2tpfix baseline", file); /* the caller says how to save one */
        cJSON_Delete(root);
        return L2F_ERR_PARSE;
    }
    if (strcmp(profile->valuestring, o->profile.name) != 0) {
        l2f_err_set(err, "%s: a baseline of profile '%.100s', not of '%.100s'", file, profile->valuestring,
                    o->profile.name);
        cJSON_Delete(root);
        return L2F_ERR_USAGE;
    }
    char was[40], now[40];
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++) {
        const char *key = profile_field_key((enum profile_field)f);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(pf, key);
        if (!cJSON_IsNumber(v) || (long)v->valuedouble == o->profile.fields[f])
            continue;
        snprintf(was, sizeof was, "%ld", (long)v->valuedouble);
        snprintf(now, sizeof now, "%ld", o->profile.fields[f]);
        /* a fix is offered only where it would change the value now: MS-CHAP v2
         * already allowed (544 against 512, say) is a drift no fix of ours undoes */
        long cur = o->profile.fields[f];
        enum fix_id fix = field_fix((enum profile_field)f);
        if ((f == PF_AUTH_RESTRICTIONS && (cur & AR_MSCHAP2) && !(cur & AR_EAP)) ||
            (f == PF_LCP_EXTENSIONS && cur != 0) || (f == PF_IPSEC_FLAGS && (cur & IPSEC_FLAG_PSK)) ||
            (f == PF_VPN_STRATEGY && cur == VS_L2TP_ONLY))
            fix = FIX_NONE;
        add(out, max, n, key, was, now, fix);
    }
    for (int r = 0; r < REGVAL_COUNT; r++) {
        const char *name = regval_info((enum regval_id)r)->value;
        cJSON *v = cJSON_GetObjectItemCaseSensitive(reg, name);
        if (!v || o->reg_st[r] != L2F_OK)
            continue; /* not in the baseline, or not readable now */
        bool had = cJSON_IsNumber(v), has = o->reg_exists[r];
        if (had == has && (!had || (unsigned long)v->valuedouble == o->reg[r]))
            continue;
        snprintf(was, sizeof was, had ? "%lu" : "not set", had ? (unsigned long)v->valuedouble : 0UL);
        snprintf(now, sizeof now, has ? "%lu" : "not set", has ? o->reg[r] : 0UL);
        add(out, max, n, name, was, now, regval_fix((enum regval_id)r));
    }
    for (int s = 0; s < SERVICE_COUNT; s++) {
        const char *name = service_info((enum service_id)s)->name;
        cJSON *v = cJSON_GetObjectItemCaseSensitive(svc, name);
        if (!cJSON_IsString(v) || o->svc_st[s] != L2F_OK)
            continue;
        const char *start = service_start_name(o->services[s].start_type);
        if (strcmp(v->valuestring, start) == 0)
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s start type", name);
        add(out, max, n, what, v->valuestring, start,
            o->services[s].start_type == SVC_START_DISABLED && s != SVC_BFE ? FIX_RESTART_IPSEC_SERVICES : FIX_NONE);
    }
    cJSON_Delete(root);
    return L2F_OK;
}
