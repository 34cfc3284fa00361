/* One exact change to a machine, with the value before and after: the unit a
 * fix is made of, the journal records and undo reverses. */
#ifndef L2F_CHANGE_H
#define L2F_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

#define ROOT_STORE_NAME "LocalMachine\\Root"

/* X(enum, id in the journal). What target, field and the values hold:
 * profile:       target profile, field the pbk key; before/after numbers
 * registry:      target key path, field value name; *_set = the value exists
 * service-start: target service; before/after enum service_start
 * service-state: target service; enum service_state (running -> running = restart)
 * secret:        target profile, field "psk" or "password"; *_set = one is saved
 * root-certificate: target "LocalMachine\Root", field the CA's SHA-1 thumbprint;
 *                *_set = in the store; backup the CA file (PEM) it is added from;
 *                subject the CA's subject, for the person */
#define CHANGE_KIND_TABLE(X)                                                                       \
    X(CHG_PROFILE_FIELD, "profile")                                                                \
    X(CHG_REGISTRY_DWORD, "registry")                                                              \
    X(CHG_SERVICE_START, "service-start")                                                          \
    X(CHG_SERVICE_STATE, "service-state")                                                          \
    X(CHG_SECRET, "secret")                                                                        \
    X(CHG_ROOT_CERT, "root-certificate")

#define CHANGE_KIND_ENUM(e, id) e,
enum change_kind { CHANGE_KIND_TABLE(CHANGE_KIND_ENUM) CHANGE_KIND_COUNT };
#undef CHANGE_KIND_ENUM

struct change {
    enum change_kind kind;
    char target[PROFILE_NAME_MAX + 64];
    char field[64];
    bool before_set, after_set;
    long before, after;
    char user_before[PROFILE_USER_MAX]; /* credentials only: the user name */
    char user_after[PROFILE_USER_MAX];
    bool needs_admin, needs_reboot;
    char backup[512];  /* registry: the .reg file written before the change; root-certificate: the
                          CA file */
    char subject[256]; /* root-certificate: the CA's subject */
};

const char *change_kind_id(enum change_kind k);
enum change_kind change_kind_from_id(const char *id); /* CHANGE_KIND_COUNT if none */
/* "Office VPN: AuthRestrictions 128 -> 512 (EAP -> MS-CHAP v2)". Never a secret. */
void change_describe(const struct change *c, char *buf, size_t len);

#endif
