#include "change.h"

#include <stdio.h>
#include <string.h>

#include "winsettings.h"

#define CHANGE_KIND_ID(e, id) id,
static const char *const kind_ids[] = {CHANGE_KIND_TABLE(CHANGE_KIND_ID)};
#undef CHANGE_KIND_ID

const char *change_kind_id(enum change_kind k)
{
    return (unsigned)k < CHANGE_KIND_COUNT ? kind_ids[k] : "?";
}

enum change_kind change_kind_from_id(const char *id)
{
    for (int i = 0; i < CHANGE_KIND_COUNT; i++)
        if (strcmp(kind_ids[i], id) == 0)
            return (enum change_kind)i;
    return CHANGE_KIND_COUNT;
}

static void describe_profile_value(const struct change *c, long v, char *buf, size_t len)
{
    char what[96];
    enum profile_field f = profile_field_from_key(c->field);
    switch (f) {
    case PF_AUTH_RESTRICTIONS:
        auth_restrictions_describe(v, what, sizeof what);
        snprintf(buf, len, "%ld (%s)", v, what);
        break;
    case PF_VPN_STRATEGY:
        snprintf(buf, len, "%ld (%s)", v, vpn_strategy_name(v));
        break;
    case PF_LCP_EXTENSIONS:
        snprintf(buf, len, "%ld (%s)", v, v ? "on" : "off");
        break;
    case PF_IPSEC_FLAGS:
        snprintf(buf, len, "%ld (%s)", v, (v & IPSEC_FLAG_PSK) ? "pre-shared key" : "certificate");
        break;
    case PF_CUSTOM_AUTH_KEY:
        snprintf(buf, len, "%ld (%s)", v,
                 v == CUSTOM_AUTH_EAP_MSCHAPV2 ? "EAP-MSCHAPv2"
                 : v == 0                      ? "no EAP method"
                                               : "another EAP method");
        break;
    default:
        snprintf(buf, len, "%ld", v);
    }
}

void change_describe(const struct change *c, char *buf, size_t len)
{
    char before[128], after[128];
    switch (c->kind) {
    case CHG_PROFILE_FIELD:
        describe_profile_value(c, c->before, after, sizeof after);
        if (c->before_set)
            snprintf(before, sizeof before, "%s", after);
        else /* a phonebook entry without the key */
            snprintf(before, sizeof before, "absent, read as %.100s", after);
        describe_profile_value(c, c->after, after, sizeof after);
        snprintf(buf, len, "%s: %s %s -> %s", c->target, c->field, before, after);
        break;
    case CHG_REGISTRY_DWORD:
        if (c->before_set)
            snprintf(before, sizeof before, "%ld", c->before);
        else
            snprintf(before, sizeof before, "not set");
        if (c->after_set)
            snprintf(after, sizeof after, "%ld", c->after);
        else
            snprintf(after, sizeof after, "deleted");
        snprintf(buf, len, "%s\\%s (DWORD): %s -> %s", c->target, c->field, before, after);
        break;
    case CHG_SERVICE_START:
        snprintf(buf, len, "service %s start type: %s -> %s", c->target,
                 service_start_name((enum service_start)c->before),
                 service_start_name((enum service_start)c->after));
        break;
    case CHG_SERVICE_STATE:
        if (c->before == SVC_RUNNING && c->after == SVC_RUNNING)
            snprintf(buf, len, "service %s: running -> restarted", c->target);
        else
            snprintf(buf, len, "service %s: %s -> %s", c->target,
                     service_state_name((enum service_state)c->before),
                     service_state_name((enum service_state)c->after));
        break;
    case CHG_SECRET:
        if (strcmp(c->field, "password") == 0)
            snprintf(buf, len, "%s: user name '%s' -> '%s', password %s -> the one you type",
                     c->target, c->user_before[0] ? c->user_before : "(none)", c->user_after,
                     c->before_set ? "saved" : "none saved");
        else
            snprintf(buf, len, "%s: pre-shared key %s -> the one you type", c->target,
                     c->before_set ? "saved" : "none saved");
        break;
    case CHG_ROOT_CERT:
        snprintf(buf, len, "%s: CA '%.120s' (SHA-1 %s): %s -> %s", c->target, c->subject, c->field,
                 c->before_set ? "trusted" : "not trusted",
                 c->after_set ? "added from the CA file" : "removed");
        break;
    default:
        snprintf(buf, len, "?");
    }
}
