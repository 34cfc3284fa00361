#include "profile.h"

#include <stdio.h>
#include <string.h>

#define PF_KEY(id, key, check) key,
static const char *const field_keys[] = {PROFILE_FIELD_TABLE(PF_KEY)};
#undef PF_KEY
#define PF_CHECK(id, key, check) check,
static const enum check_id field_checks[] = {PROFILE_FIELD_TABLE(PF_CHECK)};
#undef PF_CHECK

enum check_id profile_field_check(enum profile_field f)
{
    return (unsigned)f < PROFILE_FIELD_COUNT ? field_checks[f] : CHECK_COUNT;
}

bool profile_allows_mschapv2(long auth_restrictions)
{
    return (auth_restrictions & AR_MSCHAP2) && !(auth_restrictions & AR_EAP);
}

const char *profile_field_key(enum profile_field f)
{
    return (unsigned)f < PROFILE_FIELD_COUNT ? field_keys[f] : "?";
}

enum profile_field profile_field_from_key(const char *key)
{
    for (int i = 0; i < PROFILE_FIELD_COUNT; i++)
        if (strcmp(field_keys[i], key) == 0)
            return (enum profile_field)i;
    return PROFILE_FIELD_COUNT;
}

const char *phonebook_kind_name(enum phonebook_kind k)
{
    return k == PHONEBOOK_ALLUSERS ? "allusers" : "user";
}

bool profile_is_l2tp(const struct vpn_profile *p)
{
    long vs = p->fields[PF_VPN_STRATEGY];
    return vs == VS_L2TP_ONLY || vs == VS_L2TP_FIRST;
}

const char *vpn_strategy_name(long strategy)
{
    switch (strategy) {
    case VS_DEFAULT:
        return "automatic";
    case VS_PPTP_ONLY:
        return "PPTP";
    case VS_PPTP_FIRST:
        return "PPTP first";
    case VS_L2TP_ONLY:
        return "L2TP/IPsec";
    case VS_L2TP_FIRST:
        return "L2TP/IPsec first";
    case VS_SSTP_ONLY:
        return "SSTP";
    case VS_SSTP_FIRST:
        return "SSTP first";
    case VS_IKEV2_ONLY:
        return "IKEv2";
    case VS_IKEV2_FIRST:
        return "IKEv2 first";
    default:
        return "other";
    }
}

void auth_restrictions_describe(long ar, char *buf, size_t len)
{
    static const struct {
        long bit;
        const char *name;
    } names[] = {{AR_EAP, "EAP"},        {AR_PAP, "PAP"},
                 {AR_SPAP, "SPAP"},      {AR_CHAP, "CHAP"},
                 {AR_MSCHAP, "MS-CHAP"}, {AR_MSCHAP2, "MS-CHAP v2"},
                 {AR_CUSTOM, "custom"},  {AR_W95MSCHAP, "W95 MS-CHAP"}};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(ar & names[i].bit))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, len, "none");
}

bool profile_is_vpn(const struct vpn_profile *p)
{
    return p->entry_type == ENTRY_VPN;
}

#define ET_RASET(id, raset, key, label, brief) raset,
static const long entry_rasets[] = {ENTRY_TYPE_TABLE(ET_RASET)};
#undef ET_RASET
#define ET_KEY(id, raset, key, label, brief) key,
static const char *const entry_ids[] = {ENTRY_TYPE_TABLE(ET_KEY)};
#undef ET_KEY
#define ET_LABEL(id, raset, key, label, brief) label,
static const char *const entry_labels[] = {ENTRY_TYPE_TABLE(ET_LABEL)};
#undef ET_LABEL
#define ET_BRIEF(id, raset, key, label, brief) brief,
static const char *const entry_briefs[] = {ENTRY_TYPE_TABLE(ET_BRIEF)};
#undef ET_BRIEF

enum entry_type entry_type_from_raset(long value)
{
    for (int t = 0; t < ENTRY_UNKNOWN; t++)
        if (entry_rasets[t] == value)
            return (enum entry_type)t;
    return ENTRY_UNKNOWN;
}

const char *entry_type_id(enum entry_type t)
{
    return (unsigned)t < ENTRY_TYPE_COUNT ? entry_ids[t] : "unknown";
}

enum entry_type entry_type_from_id(const char *id)
{
    for (int t = 0; t < ENTRY_TYPE_COUNT; t++)
        if (strcmp(entry_ids[t], id) == 0)
            return (enum entry_type)t;
    return ENTRY_TYPE_COUNT;
}

const char *entry_type_label(enum entry_type t, bool brief)
{
    if ((unsigned)t >= ENTRY_TYPE_COUNT)
        t = ENTRY_UNKNOWN;
    return brief ? entry_briefs[t] : entry_labels[t];
}

void profile_kind_phrase(const struct vpn_profile *p, char *buf, size_t len)
{
    if (p->entry_type != ENTRY_UNKNOWN)
        snprintf(buf, len, "a %s connection", entry_type_label(p->entry_type, false));
    else if (p->type_absent)
        snprintf(buf, len,
                 "an entry without Type= and nothing only a VPN has (DEVICE=vpn, a VpnStrategy)");
    else
        snprintf(buf, len, "an entry of unknown type (Type=%ld)", p->type_value);
}

void profile_type_label(const struct vpn_profile *p, bool brief, char *buf, size_t len)
{
    if (!profile_is_vpn(p))
        snprintf(buf, len, "%s", entry_type_label(p->entry_type, brief));
    else if (p->field_absent[PF_VPN_STRATEGY])
        snprintf(buf, len, "%s", brief ? "automatic" : "automatic (absent)");
    else
        snprintf(buf, len, "%s", vpn_strategy_name(p->fields[PF_VPN_STRATEGY]));
}
