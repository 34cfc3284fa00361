#include "verify.h"

#include <stdio.h>
#include <string.h>

#include "winsettings.h"

#define NOT_TAKEN "Windows did not take the change: "

static void describe_value(bool set, long value, char *buf, size_t len)
{
    if (set)
        snprintf(buf, len, "%ld", value);
    else
        snprintf(buf, len, "absent");
}

void verify_snapshot(struct backend *be, const struct change *c, struct verify_before *out)
{
    struct l2f_err scratch;
    memset(out, 0, sizeof *out);
    if (c->kind == CHG_PROFILE_FIELD)
        out->have_profile = be->ops->read_profile(be, c->target, &out->profile, &scratch) == L2F_OK;
}

/* The first setting other than skip whose value or presence differs; -1 when none. */
static int moved_field(const struct vpn_profile *a, const struct vpn_profile *b, int skip)
{
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        if (f != skip && (a->fields[f] != b->fields[f] || a->field_absent[f] != b->field_absent[f]))
            return f;
    return -1;
}

static enum l2f_status unreadable(const struct change *c, const struct l2f_err *why,
                                  struct l2f_err *err)
{
    l2f_err_set(err, "%s%s%s could not be read back (%s); it does not count as applied", c->target,
                c->field[0] ? "\\" : "", c->field, why->msg);
    return L2F_ERR_NOT_TAKEN;
}

static enum l2f_status verify_profile(struct backend *be, const struct change *c, bool set,
                                      long value, const struct verify_before *before,
                                      struct l2f_err *err)
{
    struct vpn_profile now;
    struct l2f_err why = {{0}};
    enum profile_field f = profile_field_from_key(c->field);
    if (f == PROFILE_FIELD_COUNT)
        return L2F_ERR_USAGE;
    if (be->ops->read_profile(be, c->target, &now, &why) != L2F_OK)
        return unreadable(c, &why, err);
    bool now_set = !now.field_absent[f];
    if (now_set != set || (set && now.fields[f] != value)) {
        char got[32], want[32];
        describe_value(now_set, now.fields[f], got, sizeof got);
        describe_value(set, value, want, sizeof want);
        l2f_err_set(err, NOT_TAKEN "%s: %s reads %s after l2tpfix wrote %s", c->target, c->field,
                    got, want);
        return L2F_ERR_NOT_TAKEN;
    }
    int other = before->have_profile ? moved_field(&before->profile, &now, (int)f) : -1;
    if (other >= 0) {
        char was[32], is[32];
        describe_value(!before->profile.field_absent[other], before->profile.fields[other], was,
                       sizeof was);
        describe_value(!now.field_absent[other], now.fields[other], is, sizeof is);
        l2f_err_set(err, NOT_TAKEN "%s: writing %s=%ld also changed %s %s -> %s", c->target,
                    c->field, value, profile_field_key((enum profile_field)other), was, is);
        return L2F_ERR_NOT_TAKEN;
    }
    return L2F_OK;
}

static enum l2f_status verify_registry(struct backend *be, const struct change *c, bool set,
                                       long value, struct l2f_err *err)
{
    bool exists;
    unsigned long data;
    struct l2f_err why = {{0}};
    if (be->ops->reg_read_dword(be, c->target, c->field, &exists, &data, &why) != L2F_OK)
        return unreadable(c, &why, err);
    if (exists == set && (!set || data == ((unsigned long)value & 0xFFFFFFFFUL)))
        return L2F_OK;
    char got[32];
    describe_value(exists, (long)data, got, sizeof got);
    if (set)
        l2f_err_set(err, NOT_TAKEN "%s\\%s reads %s after l2tpfix wrote %ld", c->target, c->field,
                    exists ? got : "not set", value);
    else
        l2f_err_set(err, NOT_TAKEN "%s\\%s is still set (%s) after l2tpfix deleted it", c->target,
                    c->field, got);
    return L2F_ERR_NOT_TAKEN;
}

static enum l2f_status verify_service(struct backend *be, const struct change *c, long value,
                                      struct l2f_err *err)
{
    struct service_status ss;
    struct l2f_err why = {{0}};
    if (be->ops->service_query(be, c->target, &ss, &why) != L2F_OK)
        return unreadable(c, &why, err);
    if (c->kind == CHG_SERVICE_START) {
        if ((long)ss.start_type == value)
            return L2F_OK;
        l2f_err_set(err, NOT_TAKEN "service %s start type reads %s after l2tpfix set %s", c->target,
                    service_start_name(ss.start_type),
                    service_start_name((enum service_start)value));
        return L2F_ERR_NOT_TAKEN;
    }
    if ((long)ss.state == value)
        return L2F_OK;
    l2f_err_set(err, NOT_TAKEN "service %s is %s after l2tpfix %s it", c->target,
                service_state_name(ss.state), value == SVC_RUNNING ? "started" : "stopped");
    return L2F_ERR_NOT_TAKEN;
}

/* A secret's presence (never its value) and the user name saved with it. */
static enum l2f_status verify_secret(struct backend *be, const struct change *c, bool set,
                                     const char *user, struct l2f_err *err)
{
    struct vpn_profile now;
    struct l2f_err why = {{0}};
    if (be->ops->read_profile(be, c->target, &now, &why) != L2F_OK)
        return unreadable(c, &why, err);
    bool psk = strcmp(c->field, "psk") == 0;
    bool saved = psk ? now.psk_saved : now.password_saved;
    const char *what = psk ? "pre-shared key" : "password";
    if (saved != set) {
        l2f_err_set(err, NOT_TAKEN "%s: %s %s saved after l2tpfix %s it", c->target,
                    set ? "no" : "a", what, set ? "saved" : "removed");
        return L2F_ERR_NOT_TAKEN;
    }
    if (!psk && set && user[0] && strcmp(now.username, user) != 0) {
        l2f_err_set(err, NOT_TAKEN "%s: the saved user name reads '%s' after l2tpfix saved '%s'",
                    c->target, now.username, user);
        return L2F_ERR_NOT_TAKEN;
    }
    return L2F_OK;
}

/* A root certificate's presence in the store, by its thumbprint. */
static enum l2f_status verify_root(struct backend *be, const struct change *c, bool set,
                                   struct l2f_err *err)
{
    bool present = false;
    struct l2f_err why = {{0}};
    if (!be->ops->root_has || be->ops->root_has(be, c->field, &present, &why) != L2F_OK)
        return unreadable(c, &why, err);
    if (present == set)
        return L2F_OK;
    l2f_err_set(err, NOT_TAKEN "%s: the CA %s is %s after l2tpfix %s it", c->target, c->field,
                present ? "there" : "not there", set ? "added" : "removed");
    return L2F_ERR_NOT_TAKEN;
}

enum l2f_status verify_change(struct backend *be, const struct change *c, bool forward,
                              const struct verify_before *before, struct l2f_err *err)
{
    bool set = forward ? c->after_set : c->before_set;
    long value = forward ? c->after : c->before;
    switch (c->kind) {
    case CHG_PROFILE_FIELD:
        return verify_profile(be, c, set, value, before, err);
    case CHG_REGISTRY_DWORD:
        return verify_registry(be, c, set, value, err);
    case CHG_SERVICE_START:
        return verify_service(be, c, value, err);
    case CHG_SERVICE_STATE:
        if (!forward && c->before == SVC_RUNNING && c->after == SVC_RUNNING)
            return L2F_OK; /* a restart is not undone: nothing was written */
        return verify_service(be, c, value, err);
    case CHG_SECRET:
        if (!forward && c->before_set)
            return L2F_OK; /* the old secret was never kept: nothing was written */
        return verify_secret(be, c, set, forward ? c->user_after : c->user_before, err);
    case CHG_ROOT_CERT:
        return verify_root(be, c, set, err);
    default:
        return L2F_ERR_USAGE;
    }
}

/* Writes one setting back as before had it and reads it again. */
static enum l2f_status restore_field(struct backend *be, const struct change *c,
                                     const struct vpn_profile *b, enum profile_field f,
                                     struct vpn_profile *now, struct l2f_err *err)
{
    enum l2f_status st;
    if (b->field_absent[f] && be->ops->clear_profile_field)
        st = be->ops->clear_profile_field(be, c->target, f, err);
    else
        st = be->ops->write_profile_field(be, c->target, f, b->fields[f], err);
    if (st == L2F_OK)
        st = be->ops->read_profile(be, c->target, now, err);
    if (st == L2F_OK &&
        (now->fields[f] != b->fields[f] || now->field_absent[f] != b->field_absent[f])) {
        l2f_err_set(err, "%s: %s could not be put back", c->target, profile_field_key(f));
        st = L2F_ERR_NOT_TAKEN;
    }
    return st;
}

enum l2f_status verify_restore_profile(struct backend *be, const struct change *c,
                                       const struct verify_before *before, struct l2f_err *err)
{
    struct vpn_profile now;
    if (!before->have_profile) {
        l2f_err_set(err, "%s: its settings before the change are not known", c->target);
        return L2F_ERR_BACKEND;
    }
    enum l2f_status st = be->ops->read_profile(be, c->target, &now, err);
    /* each pass puts one setting back: at most every setting once */
    for (int pass = 0; st == L2F_OK && pass < PROFILE_FIELD_COUNT; pass++) {
        int f = moved_field(&before->profile, &now, -1);
        if (f < 0)
            return L2F_OK;
        st = restore_field(be, c, &before->profile, (enum profile_field)f, &now, err);
    }
    if (st == L2F_OK && moved_field(&before->profile, &now, -1) >= 0) {
        l2f_err_set(err, "%s: its settings could not all be put back", c->target);
        st = L2F_ERR_NOT_TAKEN;
    }
    return st;
}
