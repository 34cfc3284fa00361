#include "profile.h"

#include <stdio.h>
#include <string.h>

#define PF_KEY(id, key) key,
static const char *const field_keys[] = {PROFILE_FIELD_TABLE(PF_KEY)};
#undef PF_KEY

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
    case VS_DEFAULT: return "automatic";
    case VS_PPTP_ONLY: return "PPTP";
    case VS_PPTP_FIRST: return "PPTP first";
    case VS_L2TP_ONLY: return "L2TP/IPsec";
    case VS_L2TP_FIRST: return "L2TP/IPsec first";
    case VS_SSTP_ONLY: return "SSTP";
    case VS_SSTP_FIRST: return "SSTP first";
    case VS_IKEV2_ONLY: return "IKEv2";
    case VS_IKEV2_FIRST: return "IKEv2 first";
    default: return "other";
    }
}

void auth_restrictions_describe(long ar, char *buf, size_t len)
{
    static const struct {
        long bit;
        const char *name;
    } names[] = {{AR_EAP, "EAP"},   {AR_PAP, "PAP"},           {AR_SPAP, "SPAP"},
                 {AR_CHAP, "CHAP"}, {AR_MSCHAP, "MS-CHAP"},    {AR_MSCHAP2, "MS-CHAP v2"},
                 {AR_CUSTOM, "custom"}, {AR_W95MSCHAP, "W95 MS-CHAP"}};
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
