/* A VPN profile as the core sees it: the rasphone.pbk keys, whichever backend
 * read them (the Windows backend maps RASENTRY bits onto these). */
#ifndef L2F_PROFILE_H
#define L2F_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* AuthRestrictions bits (rasphone.pbk; windows-l2tp.md). */
#define AR_PAP 0x8L
#define AR_SPAP 0x10L
#define AR_CHAP 0x20L
#define AR_MSCHAP 0x40L
#define AR_EAP 0x80L
#define AR_CUSTOM 0x100L
#define AR_MSCHAP2 0x200L
#define AR_W95MSCHAP 0x400L

/* CustomAuthKey: the EAP method type used when AuthRestrictions has AR_EAP (MS-RRASM 2.2.2;
 * IANA EAP numbers, EAP_TYPE_MSCHAPV2 of net/ikev2.h); RASENTRY dwCustomAuthKey. 0 = none. */
#define CUSTOM_AUTH_EAP_MSCHAPV2 26L

/* IpSecFlags bit 0x1: authenticate IPsec with a pre-shared key. */
#define IPSEC_FLAG_PSK 0x1L

/* VpnStrategy: the VS_ values of ras.h. */
#define VS_DEFAULT 0L
#define VS_PPTP_ONLY 1L
#define VS_PPTP_FIRST 2L
#define VS_L2TP_ONLY 3L
#define VS_L2TP_FIRST 4L
#define VS_SSTP_ONLY 5L
#define VS_SSTP_FIRST 6L
#define VS_IKEV2_ONLY 7L
#define VS_IKEV2_FIRST 8L

enum phonebook_kind { PHONEBOOK_USER, PHONEBOOK_ALLUSERS };

/* X(enum, RASET_ value of ras.h / Type= of rasphone.pbk, id, label, short label).
 * VPN first: a profile a backend zeroes is a VPN, as every profile once was. */
#define ENTRY_TYPE_TABLE(X)                                                                        \
    X(ENTRY_VPN, 2, "vpn", "VPN", "VPN")                                                           \
    X(ENTRY_PHONE, 1, "dial-up", "dial-up", "dial-up")                                             \
    X(ENTRY_DIRECT, 3, "direct", "direct", "direct")                                               \
    X(ENTRY_INTERNET, 4, "connection-manager", "Connection Manager", "CM")                         \
    X(ENTRY_BROADBAND, 5, "pppoe", "PPPoE (broadband)", "PPPoE")                                   \
    X(ENTRY_UNKNOWN, 0, "unknown", "unknown type", "unknown")

#define ET_ENUM(id, raset, key, label, brief) id,
enum entry_type { ENTRY_TYPE_TABLE(ET_ENUM) ENTRY_TYPE_COUNT };
#undef ET_ENUM

/* X(enum, file key, the check that judges it or CHECK_COUNT) for the numeric
 * settings a fix may change. */
#define PROFILE_FIELD_TABLE(X)                                                                     \
    X(PF_VPN_STRATEGY, "VpnStrategy", CHECK_VPN_TYPE)                                              \
    X(PF_AUTH_RESTRICTIONS, "AuthRestrictions", CHECK_MSCHAPV2)                                    \
    X(PF_LCP_EXTENSIONS, "LcpExtensions", CHECK_LCP_EXTENSIONS)                                    \
    X(PF_IPSEC_FLAGS, "IpSecFlags", CHECK_PSK)                                                     \
    X(PF_DATA_ENCRYPTION, "DataEncryption", CHECK_COUNT)                                           \
    X(PF_CUSTOM_AUTH_KEY, "CustomAuthKey", CHECK_COUNT)

#define PF_ENUM(id, key, check) id,
enum profile_field { PROFILE_FIELD_TABLE(PF_ENUM) PROFILE_FIELD_COUNT };
#undef PF_ENUM

#define PROFILE_ENTRY_MAX 257 /* RAS_MaxEntryName + 1 */
/* A user folder's name as Windows allows it: 255 UTF-16 units, each up to 3 bytes of UTF-8, + 1 */
#define PROFILE_OWNER_MAX (255 * 3 + 1)
/* A profile's name: the entry's, or "owner\entry" for another user's phonebook */
#define PROFILE_NAME_MAX (PROFILE_OWNER_MAX + PROFILE_ENTRY_MAX)
#define PROFILE_SERVER_MAX 129 /* RAS_MaxPhoneNumber + 1 */
#define PROFILE_USER_MAX 257   /* UNLEN + 1 */

struct vpn_profile {
    char name[PROFILE_NAME_MAX];
    enum entry_type entry_type;
    long type_value;  /* Type= / dwType as written, for a value l2tpfix does not know */
    bool type_absent; /* a phonebook entry without Type=: entry_type was inferred */
    enum phonebook_kind phonebook;
    char owner[PROFILE_OWNER_MAX]; /* another user's phonebook: that user's folder name; else empty
                                    */
    char server[PROFILE_SERVER_MAX];
    long fields[PROFILE_FIELD_COUNT];
    /* a phonebook entry without the key: fields[] holds what it reads as */
    bool field_absent[PROFILE_FIELD_COUNT];
    bool secrets_unknown; /* the backend cannot see the credential store (a phonebook file) */
    bool psk_saved;       /* a pre-shared key is stored (never its value) */
    bool username_saved;
    bool password_saved;
    char username[PROFILE_USER_MAX];
};

const char *profile_field_key(enum profile_field f);
/* Returns PROFILE_FIELD_COUNT when the key names no known field. */
enum profile_field profile_field_from_key(const char *key);
/* The check that judges the field; CHECK_COUNT when none does. */
enum check_id profile_field_check(enum profile_field f);
/* The one place that decides whether AuthRestrictions lets MS-CHAP v2 be
 * negotiated: the bit set and EAP not required (EAP would take its place). */
bool profile_allows_mschapv2(long auth_restrictions);
const char *phonebook_kind_name(enum phonebook_kind k); /* "user" / "allusers" */
bool profile_is_l2tp(const struct vpn_profile *p);
/* A VPN entry: the only kind l2tpfix diagnoses, fixes or picks by default. */
bool profile_is_vpn(const struct vpn_profile *p);
/* The entry type of a RASET_ value (Type=); ENTRY_UNKNOWN for any other. */
enum entry_type entry_type_from_raset(long value);
/* Its id for JSON and scenario files ("vpn", "pppoe"...); ENTRY_TYPE_COUNT
 * from an id that names none. */
const char *entry_type_id(enum entry_type t);
enum entry_type entry_type_from_id(const char *id);
/* "PPPoE (broadband)", "dial-up"...; brief: what fits a narrow column. */
const char *entry_type_label(enum entry_type t, bool brief);
/* What the entry is, as a noun phrase: "a PPPoE (broadband) connection",
 * "an entry of unknown type (Type=9)", "an entry without Type= ...". */
void profile_kind_phrase(const struct vpn_profile *p, char *buf, size_t len);
/* The TYPE column: the entry type for a non-VPN entry, else the tunnel
 * (VpnStrategy), "automatic (absent)" when the entry lacks the key. */
void profile_type_label(const struct vpn_profile *p, bool brief, char *buf, size_t len);
/* "L2TP/IPsec", "PPTP", "IKEv2", "automatic", ... for VpnStrategy. */
const char *vpn_strategy_name(long strategy);
/* Writes the enabled protocols of an AuthRestrictions value, e.g.
 * "CHAP, MS-CHAP v2" or "EAP". */
void auth_restrictions_describe(long ar, char *buf, size_t len);

#endif
