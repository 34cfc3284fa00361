#include "fixes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/cacert.h"
#include "net/ikev2cert.h"
#include "platform.h"
#include "statelock.h"
#include "regfile.h"
#include "text.h"
#include "verify.h"

static struct change *add_change(struct fix_plan *plan, enum change_kind kind, const char *target,
                                 const char *field)
{
    struct change *c = &plan->changes[plan->n_changes++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    snprintf(c->target, sizeof c->target, "%s", target);
    snprintf(c->field, sizeof c->field, "%s", field);
    return c;
}

static void plan_profile_field(struct fix_plan *plan, const struct vpn_profile *p,
                               enum profile_field f, long after)
{
    if (p->fields[f] == after)
        return;
    struct change *c = add_change(plan, CHG_PROFILE_FIELD, p->name, profile_field_key(f));
    c->before_set = !p->field_absent[f]; /* undo then removes the line the fix adds */
    c->after_set = true;
    c->before = p->fields[f];
    c->after = after;
    c->needs_admin = p->phonebook == PHONEBOOK_ALLUSERS;
}

static void plan_registry(struct fix_plan *plan, const struct observations *obs, enum regval_id r,
                          unsigned long after)
{
    if (obs->reg_exists[r] && obs->reg[r] == after)
        return;
    struct change *c =
        add_change(plan, CHG_REGISTRY_DWORD, regval_key_path(r), regval_info(r)->value);
    c->before_set = obs->reg_exists[r];
    c->before = (long)obs->reg[r];
    c->after_set = true;
    c->after = (long)after;
    c->needs_admin = true;
    /* read when Windows starts; for AllowL2TPWeakCrypto no source says whether a RasMan
     * restart would do, so a restart of Windows it is */
    c->needs_reboot = true;
}

static void plan_services(struct fix_plan *plan, const struct observations *obs)
{
    /* BFE first: IKEEXT and PolicyAgent depend on it, and undo runs backwards */
    static const enum service_id order[] = {SVC_BFE, SVC_IKEEXT, SVC_POLICYAGENT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum service_id s = order[i];
        const struct service_status *ss = &obs->services[s];
        const char *name = service_info(s)->name;
        if (s == SVC_BFE && ss->state == SVC_RUNNING)
            continue; /* restarting BFE would take the firewall down with it */
        if (ss->start_type == SVC_START_DISABLED) {
            if (s == SVC_BFE)
                continue; /* stays a failing check: BFE should be Automatic, a person's call */
            struct change *c = add_change(plan, CHG_SERVICE_START, name, "");
            c->before_set = c->after_set = true;
            c->before = SVC_START_DISABLED;
            c->after = SVC_START_MANUAL;
            c->needs_admin = true;
        }
        struct change *c = add_change(plan, CHG_SERVICE_STATE, name, "");
        c->before_set = c->after_set = true;
        c->before = ss->state;
        c->after = SVC_RUNNING;
        c->needs_admin = true;
    }
}

/* The CA handshake --ikev2 trusted the server through, into LocalMachine\Root when
 * the machine does not hold it: Windows' IKEv2 client trusts only its own store. */
static enum l2f_status plan_root_ca(struct fix_plan *plan, const struct observations *obs,
                                    struct l2f_err *err)
{
    const struct ikev2_seen *s = &obs->ikev2_seen;
    if (!obs->have_root || (obs->root_st == L2F_OK && obs->root_present))
        return L2F_OK;
    if (obs->root_st == L2F_ERR_UNSUPPORTED) {
        l2f_err_set(err,
                    "switch-ikev2: the server's CA (%.100s, SHA-1 %s) must go into " ROOT_STORE_NAME
                    ", which a phonebook file cannot reach: run l2tpfix on the Windows machine",
                    s->ca_subject, s->ca_sha1);
        return L2F_ERR_UNSUPPORTED;
    }
    if (obs->root_st != L2F_OK) {
        l2f_err_set(err, "switch-ikev2: " ROOT_STORE_NAME " could not be read");
        return L2F_ERR_BACKEND;
    }
    struct change *c = add_change(plan, CHG_ROOT_CERT, ROOT_STORE_NAME, s->ca_sha1);
    if (strlen(s->ca_file) >= sizeof c->backup) {
        l2f_err_set(err, "switch-ikev2: the CA file's path is too long (%u bytes at most)",
                    (unsigned)sizeof c->backup - 1);
        return L2F_ERR_USAGE;
    }
    c->after_set = true;
    c->needs_admin = true;
    memcpy(c->backup, s->ca_file, strlen(s->ca_file) + 1); /* length checked above */
    snprintf(c->subject, sizeof c->subject, "%s", s->ca_subject);
    return L2F_OK;
}

/* What switch-ikev2 changes: the CA first when one is needed (undo removes it
 * last), the tunnel, and EAP-MSCHAPv2 as the only user authentication, which is
 * what Windows' IKEv2 client speaks with a password. */
static enum l2f_status plan_switch_ikev2(struct fix_plan *plan, const struct observations *obs,
                                         struct l2f_err *err)
{
    const struct vpn_profile *p = &obs->profile;
    enum l2f_status st = plan_root_ca(plan, obs, err);
    if (st != L2F_OK)
        return st;
    plan_profile_field(plan, p, PF_VPN_STRATEGY, VS_IKEV2_ONLY);
    plan_profile_field(plan, p, PF_AUTH_RESTRICTIONS, AR_EAP);
    plan_profile_field(plan, p, PF_CUSTOM_AUTH_KEY, CUSTOM_AUTH_EAP_MSCHAPV2);
    return L2F_OK;
}

/* What use-psk changes: the profile's IPsec flag and the key it saves. */
static void plan_use_psk(struct fix_plan *plan, const struct vpn_profile *p)
{
    plan_profile_field(plan, p, PF_IPSEC_FLAGS, p->fields[PF_IPSEC_FLAGS] | IPSEC_FLAG_PSK);
    struct change *c = add_change(plan, CHG_SECRET, p->name, "psk");
    c->before_set = p->psk_saved;
    c->after_set = true;
    c->needs_admin = p->phonebook == PHONEBOOK_ALLUSERS;
}

/* What credentials changes: the password, under the user name given or saved;
 * refused when neither names one. */
static enum l2f_status plan_credentials(struct fix_plan *plan, const struct vpn_profile *p,
                                        const char *username, struct l2f_err *err)
{
    struct change *c = add_change(plan, CHG_SECRET, p->name, "password");
    c->before_set = p->password_saved;
    c->after_set = true;
    snprintf(c->user_before, sizeof c->user_before, "%s", p->username);
    snprintf(c->user_after, sizeof c->user_after, "%s", username ? username : p->username);
    c->needs_admin = p->phonebook == PHONEBOOK_ALLUSERS;
    if (!c->user_after[0]) {
        l2f_err_set(err, "credentials: no user name saved; give one (--user NAME)");
        return L2F_ERR_NEED_SECRET;
    }
    return L2F_OK;
}

/* A registry fix plans only from a value that was read. */
static enum l2f_status registry_read(const struct observations *obs, enum regval_id r,
                                     struct l2f_err *err)
{
    if (obs->have_registry && obs->reg_st[r] == L2F_OK)
        return L2F_OK;
    l2f_err_set(err, "the registry could not be read");
    return L2F_ERR_BACKEND;
}

/* A service fix plans only from every service's state. */
static enum l2f_status services_read(const struct observations *obs, struct l2f_err *err)
{
    if (!obs->have_services) {
        l2f_err_set(err, "the services could not be queried");
        return L2F_ERR_BACKEND;
    }
    for (int s = 0; s < SERVICE_COUNT; s++)
        if (obs->svc_st[s] != L2F_OK) {
            l2f_err_set(err, "service %s could not be queried",
                        service_info((enum service_id)s)->name);
            return L2F_ERR_BACKEND;
        }
    return L2F_OK;
}

/* What the fix would change on this profile and machine, as changes in plan. */
static enum l2f_status plan_changes(struct fix_plan *plan, enum fix_id fix,
                                    const struct observations *obs, const char *username,
                                    struct l2f_err *err)
{
    const struct vpn_profile *p = &obs->profile;
    long ar = p->fields[PF_AUTH_RESTRICTIONS];
    enum l2f_status st = L2F_OK;
    switch (fix) {
    case FIX_MSCHAPV2:
        /* leaving EAP (and its custom settings) is what makes the ticks apply */
        plan_profile_field(plan, p, PF_AUTH_RESTRICTIONS,
                           (ar & ~(AR_EAP | AR_CUSTOM)) | AR_MSCHAP2);
        break;
    case FIX_LCP_EXTENSIONS:
        plan_profile_field(plan, p, PF_LCP_EXTENSIONS, 1);
        break;
    case FIX_TUNNEL_L2TP:
        plan_profile_field(plan, p, PF_VPN_STRATEGY, VS_L2TP_ONLY);
        break;
    case FIX_SWITCH_IKEV2:
        st = plan_switch_ikev2(plan, obs, err);
        break;
    case FIX_USE_PSK:
        plan_use_psk(plan, p);
        break;
    case FIX_CREDENTIALS:
        st = plan_credentials(plan, p, username, err);
        break;
    case FIX_NAT_TRAVERSAL:
        st = registry_read(obs, REGVAL_NAT_TRAVERSAL, err);
        if (st == L2F_OK &&
            !(obs->reg_exists[REGVAL_NAT_TRAVERSAL] && obs->reg[REGVAL_NAT_TRAVERSAL] >= 2))
            plan_registry(plan, obs, REGVAL_NAT_TRAVERSAL, 2);
        break;
    case FIX_ALLOW_IPSEC:
        st = registry_read(obs, REGVAL_PROHIBIT_IPSEC, err);
        if (st == L2F_OK && obs->reg_exists[REGVAL_PROHIBIT_IPSEC] &&
            obs->reg[REGVAL_PROHIBIT_IPSEC] != 0)
            plan_registry(plan, obs, REGVAL_PROHIBIT_IPSEC, 0);
        break;
    case FIX_ALLOW_WEAK_CRYPTO:
        st = registry_read(obs, REGVAL_WEAK_CRYPTO, err);
        if (st == L2F_OK &&
            !(obs->reg_exists[REGVAL_WEAK_CRYPTO] && obs->reg[REGVAL_WEAK_CRYPTO] == 1))
            plan_registry(plan, obs, REGVAL_WEAK_CRYPTO, 1);
        break;
    case FIX_RESTART_IPSEC_SERVICES:
        st = services_read(obs, err);
        if (st == L2F_OK)
            plan_services(plan, obs);
        break;
    default:
        break;
    }
    return st;
}

enum l2f_status fix_plan_make(enum fix_id fix, const struct observations *obs, const char *username,
                              struct fix_plan *plan, struct l2f_err *err)
{
    memset(plan, 0, sizeof *plan);
    plan->fix = fix;
    if ((unsigned)fix >= FIX_COUNT) {
        l2f_err_set(err, "no such fix");
        return L2F_ERR_USAGE;
    }
    if (!obs->have_profile || obs->profile_st != L2F_OK) {
        l2f_err_set(err, "the profile has not been read");
        return L2F_ERR_USAGE;
    }
    snprintf(plan->profile, sizeof plan->profile, "%s", obs->profile.name);
    plan->secret = fix_info(fix)->secret;
    enum l2f_status st = plan_changes(plan, fix, obs, username, err);
    if (st != L2F_OK)
        return st;
    for (size_t i = 0; i < plan->n_changes; i++) {
        plan->needs_admin |= plan->changes[i].needs_admin;
        plan->needs_reboot |= plan->changes[i].needs_reboot;
    }
    if (plan->n_changes == 0) {
        l2f_err_set(err, "%s: nothing to change, already as it should be", fix_info(fix)->id);
        return L2F_ERR_NOTHING;
    }
    return L2F_OK;
}

/* Adds the CA file's certificate, which must still be the one planned. */
static enum l2f_status add_root(struct backend *be, const struct change *c, struct l2f_err *err)
{
    struct ca_cert ca;
    enum l2f_status st = cacert_load(c->backup, &ca, err);
    if (st != L2F_OK)
        return st;
    if (strcmp(ca.thumbprint, c->field) != 0) {
        l2f_err_set(err, "the CA file %.300s now holds SHA-1 %s, not the CA planned (%s)",
                    c->backup, ca.thumbprint, c->field);
        st = L2F_ERR_CONFLICT;
    } else {
        st = be->ops->root_add(be, ca.der, ca.der_len, c->field, err);
    }
    cacert_free(&ca);
    return st;
}

static enum l2f_status change_root(struct backend *be, const struct change *c, bool set,
                                   struct l2f_err *err)
{
    if (!be->ops->root_add || !be->ops->root_remove) {
        l2f_err_set(err, "%s cannot be reached from this backend", c->target);
        return L2F_ERR_UNSUPPORTED;
    }
    return set ? add_root(be, c, err) : be->ops->root_remove(be, c->field, err);
}

enum l2f_status fix_plan_use_ca_file(struct fix_plan *plan, const struct observations *obs,
                                     const char *ca_file, struct l2f_err *err)
{
    const struct ikev2_seen *s = &obs->ikev2_seen;
    if (!obs->have_root) {
        l2f_err_set(err,
                    "--ca-file: handshake --ikev2 did not trust %.100s through a CA file; run it "
                    "with --ca-file first",
                    obs->profile.server);
        return L2F_ERR_USAGE;
    }
    struct ca_cert ca;
    char abs[PLAT_PATH_MAX];
    enum l2f_status loaded = cacert_load(ca_file, &ca, err);
    if (loaded != L2F_OK)
        return loaded == L2F_ERR_IO ? L2F_ERR_USAGE : loaded;
    bool same = strcmp(ca.thumbprint, s->ca_sha1) == 0;
    if (!same)
        l2f_err_set(err,
                    "--ca-file %.300s: its certificate (SHA-1 %s) is not the CA handshake --ikev2 "
                    "trusted %.100s through (%.100s, SHA-1 %s)",
                    ca_file, ca.thumbprint, obs->profile.server, s->ca_subject, s->ca_sha1);
    cacert_free(&ca);
    if (!same)
        return L2F_ERR_USAGE;
    enum l2f_status st = plat_absolute_path(ca_file, abs, sizeof abs, err);
    for (size_t i = 0; st == L2F_OK && i < plan->n_changes; i++) {
        struct change *c = &plan->changes[i];
        if (c->kind != CHG_ROOT_CERT)
            continue;
        if (strlen(abs) >= sizeof c->backup) {
            l2f_err_set(err, "--ca-file: the path is too long (%u bytes at most)",
                        (unsigned)sizeof c->backup - 1);
            return L2F_ERR_USAGE;
        }
        memcpy(c->backup, abs, strlen(abs) + 1); /* length checked above */
    }
    return st;
}

/* Performs one change forwards (to after) or backwards (to before). */
static enum l2f_status apply_one(struct backend *be, const struct change *c, bool forward,
                                 const struct fix_secrets *secrets, struct l2f_err *err)
{
    long value = forward ? c->after : c->before;
    bool set = forward ? c->after_set : c->before_set;
    switch (c->kind) {
    case CHG_PROFILE_FIELD: {
        enum profile_field f = profile_field_from_key(c->field);
        if (f == PROFILE_FIELD_COUNT)
            return L2F_ERR_USAGE;
        if (!set && be->ops->clear_profile_field)
            return be->ops->clear_profile_field(be, c->target, f, err);
        return be->ops->write_profile_field(be, c->target, f, value, err);
    }
    case CHG_REGISTRY_DWORD:
        return be->ops->reg_write_dword(be, c->target, c->field, set, (unsigned long)value, err);
    case CHG_SERVICE_START:
        return be->ops->service_set_start(be, c->target, (enum service_start)value, err);
    case CHG_SERVICE_STATE:
        if (c->before == SVC_RUNNING && c->after == SVC_RUNNING)
            return forward ? be->ops->service_control(be, c->target, SVC_ACTION_RESTART, err)
                           : L2F_OK;
        return be->ops->service_control(
            be, c->target, value == SVC_RUNNING ? SVC_ACTION_START : SVC_ACTION_STOP, err);
    case CHG_SECRET: {
        enum secret_kind kind = strcmp(c->field, "psk") == 0 ? SECRET_PSK : SECRET_PASSWORD;
        if (forward) {
            const char *secret = kind == SECRET_PSK ? secrets->psk : secrets->password;
            return be->ops->set_secret(be, c->target, kind, c->user_after, secret, err);
        }
        if (c->before_set)
            return L2F_OK; /* the old secret was never kept: the caller reports it */
        return be->ops->set_secret(be, c->target, kind, c->user_before, NULL, err);
    }
    case CHG_ROOT_CERT:
        return change_root(be, c, set, err);
    default:
        return L2F_ERR_USAGE;
    }
}

/* Performs one change and reads it back (verify.h): it counts as done only
 * when the machine holds what was written. One the machine did not take is
 * put back here (a profile whole, from what it read just before) and
 * L2F_ERR_NOT_TAKEN returned; *restored says whether that worked. */
static enum l2f_status change_and_verify(struct backend *be, const struct change *c, bool forward,
                                         const struct fix_secrets *secrets, bool *restored,
                                         struct l2f_err *err)
{
    struct verify_before before;
    *restored = true;
    verify_snapshot(be, c, &before);
    enum l2f_status st = apply_one(be, c, forward, secrets, err);
    if (st == L2F_OK)
        st = verify_change(be, c, forward, &before, err);
    if (st != L2F_ERR_NOT_TAKEN)
        return st;
    struct l2f_err rb_err;
    if (c->kind == CHG_PROFILE_FIELD)
        *restored = verify_restore_profile(be, c, &before, &rb_err) == L2F_OK;
    else if (c->kind == CHG_SECRET && !forward)
        *restored = false; /* the secret is not ours to write again */
    else
        *restored = apply_one(be, c, !forward, secrets, &rb_err) == L2F_OK &&
                    verify_change(be, c, !forward, &before, &rb_err) == L2F_OK;
    return st;
}

/* Writes the .reg backups of the plan's registry values before they change. */
static enum l2f_status write_backups(struct fix_context *ctx, struct journal_entry *e,
                                     struct l2f_err *err)
{
    if (!ctx->backup_dir)
        return L2F_OK;
    for (size_t i = 0; i < e->n_changes; i++) {
        struct change *c = &e->changes[i];
        if (c->kind != CHG_REGISTRY_DWORD)
            continue;
        enum l2f_status st = plat_mkdir_p(ctx->backup_dir, err);
        if (st != L2F_OK)
            return st;
        char value[sizeof c->field]; /* a copy: GCC cannot tell the two members apart */
        memcpy(value, c->field, sizeof value);
        snprintf(c->backup, sizeof c->backup, "%s%c%" PRId64 "-%s.reg", ctx->backup_dir,
                 PLAT_DIRSEP, ctx->journal->next_id, value);
        unsigned char *data;
        size_t len;
        st = regfile_render_dword(c->target, c->field, c->before_set, (unsigned long)c->before,
                                  &data, &len);
        if (st != L2F_OK)
            return st;
        st = plat_write_atomic(c->backup, data, len, err);
        free(data);
        if (st != L2F_OK)
            return st;
    }
    return L2F_OK;
}

static enum l2f_status apply_plan(struct fix_context *ctx, const struct fix_plan *plan,
                                  const struct fix_secrets *secrets, int64_t *entry_id,
                                  struct l2f_err *err)
{
    struct backend *be = ctx->be;
    static const struct fix_secrets none = {NULL, NULL};
    if (!secrets)
        secrets = &none;
    if (plan->needs_admin) {
        bool admin = false;
        if (be->ops->is_admin(be, &admin) != L2F_OK || !admin) {
            l2f_err_set(err, "%s needs administrator rights: " L2F_HOW_TO_GET_RIGHTS,
                        fix_info(plan->fix)->id);
            return L2F_ERR_NEED_ADMIN;
        }
    }
    if ((plan->secret == FIX_SECRET_PSK && !secrets->psk) ||
        (plan->secret == FIX_SECRET_PASSWORD && !secrets->password)) {
        l2f_err_set(err, "%s needs the %s, typed (echo off) or from a file",
                    fix_info(plan->fix)->id,
                    plan->secret == FIX_SECRET_PSK ? "pre-shared key" : "password");
        return L2F_ERR_NEED_SECRET;
    }
    struct journal_entry e;
    struct change changes[JOURNAL_MAX_CHANGES];
    memset(&e, 0, sizeof e);
    e.changes = changes;
    snprintf(e.machine, sizeof e.machine, "%s", be->ops->machine_id(be));
    snprintf(e.profile, sizeof e.profile, "%s", plan->profile);
    e.fix = plan->fix;
    e.n_changes = plan->n_changes;
    memcpy(e.changes, plan->changes, plan->n_changes * sizeof plan->changes[0]);
    enum l2f_status st = write_backups(ctx, &e, err);
    if (st == L2F_OK)
        st = journal_begin(ctx->journal, &e, err);
    if (st != L2F_OK)
        return st; /* nothing changed yet */
    size_t done;
    bool rollback_ok = true;
    for (done = 0; done < e.n_changes; done++) {
        st = change_and_verify(be, &e.changes[done], true, secrets, &rollback_ok, err);
        if (st != L2F_OK)
            break;
    }
    if (st != L2F_OK) {
        struct l2f_err rb_err;
        bool restored;
        while (done-- > 0) {
            rollback_ok &= change_and_verify(be, &e.changes[done], false, secrets, &restored,
                                             &rb_err) == L2F_OK;
        }
        if (st == L2F_ERR_NOT_TAKEN && rollback_ok && err) {
            size_t l = strlen(err->msg); /* say plainly that nothing stayed changed */
            snprintf(err->msg + l, sizeof err->msg - l, "; l2tpfix put the fix back");
        }
        char note[256];
        text_copy(note, sizeof note,
                  rollback_ok ? (err ? err->msg : "failed")
                              : "failed, and putting it back failed too: undo it");
        /* if the rollback failed, leave the entry pending so undo can retry */
        if (rollback_ok)
            journal_mark(ctx->journal, e.id, ENTRY_ROLLED_BACK, note, &rb_err);
        if (entry_id)
            *entry_id = e.id;
        return st;
    }
    if (entry_id)
        *entry_id = e.id;
    return journal_mark(ctx->journal, e.id, ENTRY_APPLIED, NULL, err);
}

static bool state_undoable(enum entry_state s)
{
    return s == ENTRY_APPLIED || s == ENTRY_PENDING || s == ENTRY_UNDO_PENDING;
}

bool fix_entry_undoable(const struct journal_entry *e)
{
    return state_undoable(e->state);
}

static enum l2f_status damaged(const struct journal *j, struct l2f_err *err)
{
    l2f_err_set(err, "%s", j->damage);
    return L2F_ERR_PARSE;
}

enum l2f_status fix_prev_undoable(const struct journal *j, const char *machine, size_t *pos,
                                  const struct journal_entry **out, struct l2f_err *err)
{
    *out = NULL;
    while (*pos > 0) {
        size_t i = --*pos;
        if (!state_undoable(journal_state_at(j, i)))
            continue; /* passed over undecoded: most entries are undone */
        const struct journal_entry *e = journal_at(j, i);
        if (!e)
            return damaged(j, err);
        if (strcmp(e->machine, machine) == 0) {
            *out = e;
            return L2F_OK;
        }
    }
    l2f_err_set(err, "nothing to undo on this machine");
    return L2F_ERR_NOTHING;
}

/* Reads the current value of what a change touched; false when it cannot be
 * read or has no readable value (services' run state, secrets). */
static bool read_current(struct backend *be, const struct change *c, bool *set, long *value)
{
    struct l2f_err scratch;
    switch (c->kind) {
    case CHG_PROFILE_FIELD: {
        struct vpn_profile p;
        enum profile_field f = profile_field_from_key(c->field);
        if (f == PROFILE_FIELD_COUNT ||
            be->ops->read_profile(be, c->target, &p, &scratch) != L2F_OK)
            return false;
        *set = !p.field_absent[f];
        *value = p.fields[f];
        return true;
    }
    case CHG_REGISTRY_DWORD: {
        unsigned long data;
        if (be->ops->reg_read_dword(be, c->target, c->field, set, &data, &scratch) != L2F_OK)
            return false;
        *value = (long)data;
        return true;
    }
    case CHG_SERVICE_START: {
        struct service_status ss;
        if (be->ops->service_query(be, c->target, &ss, &scratch) != L2F_OK)
            return false;
        *set = true;
        *value = ss.start_type;
        return true;
    }
    case CHG_ROOT_CERT:
        *value = 0;
        return be->ops->root_has && be->ops->root_has(be, c->field, set, &scratch) == L2F_OK;
    default:
        return false;
    }
}

static bool same_setting(const struct change *a, const struct change *b)
{
    return a->kind == b->kind && strcmp(a->target, b->target) == 0 &&
           strcmp(a->field, b->field) == 0;
}

static bool matches(bool set, long value, bool want_set, long want)
{
    return set == want_set && (!set || value == want);
}

/* The entry undo works on: entry_id, or (0) the newest still undoable here. */
static enum l2f_status entry_to_undo(struct fix_context *ctx, int64_t entry_id,
                                     const struct journal_entry **out, struct l2f_err *err)
{
    const char *machine = ctx->be->ops->machine_id(ctx->be);
    if (entry_id == 0) {
        size_t pos = ctx->journal->count;
        return fix_prev_undoable(ctx->journal, machine, &pos, out, err);
    }
    const struct journal_entry *e = journal_find(ctx->journal, entry_id);
    if (!e || strcmp(e->machine, machine) != 0) {
        l2f_err_set(err, "no journal entry %" PRId64 " for this machine (see: %s history)",
                    entry_id, ctx->hint_machine ? ctx->hint_machine : "l2tpfix");
        return L2F_ERR_NOT_FOUND;
    }
    if (!fix_entry_undoable(e)) {
        l2f_err_set(err, "entry %" PRId64 " is %s already", e->id, entry_state_id(e->state));
        return L2F_ERR_NOTHING;
    }
    *out = e;
    return L2F_OK;
}

/* Refuses when a later entry of this machine changed one of e's settings
 * again: newest first, that one must be undone before. */
static enum l2f_status no_later_change(const struct journal *j, const char *machine,
                                       const struct journal_entry *e, struct l2f_err *err)
{
    for (size_t i = j->count; i-- > 0;) {
        if (!state_undoable(journal_state_at(j, i)))
            continue;
        const struct journal_entry *later = journal_at(j, i);
        if (!later)
            return damaged(j, err);
        if (later->id <= e->id)
            break; /* ids grow: the rest are older */
        if (strcmp(later->machine, machine) != 0)
            continue;
        for (size_t a = 0; a < later->n_changes; a++)
            for (size_t b = 0; b < e->n_changes; b++)
                if (same_setting(&later->changes[a], &e->changes[b])) {
                    l2f_err_set(err, "entry %" PRId64 " changed %s again; undo it first", later->id,
                                e->changes[b].field[0] ? e->changes[b].field
                                                       : e->changes[b].target);
                    return L2F_ERR_CONFLICT;
                }
    }
    return L2F_OK;
}

/* Refuses when a value is no longer what e left: never overwrite a value
 * someone changed since l2tpfix set it. */
static enum l2f_status values_as_left(struct backend *be, const struct journal_entry *e,
                                      struct l2f_err *err)
{
    for (size_t i = 0; i < e->n_changes; i++) {
        const struct change *c = &e->changes[i];
        bool set;
        long value;
        if (!read_current(be, c, &set, &value))
            continue;
        bool at_after = matches(set, value, c->after_set, c->after);
        bool at_before = matches(set, value, c->before_set, c->before);
        /* a fix that stopped part-way left some values still at before */
        if (at_after || (e->state != ENTRY_APPLIED && at_before))
            continue;
        l2f_err_set(err, "%s%s%s is now %s%ld, not what entry %" PRId64 " left; not undone",
                    c->target, c->field[0] ? "\\" : "", c->field, set ? "" : "unset/", value,
                    e->id);
        return L2F_ERR_CONFLICT;
    }
    return L2F_OK;
}

/* Puts e's changes back, newest first, between the journal's undo-pending
 * and undone marks; kept says what undo could not bring back. */
static enum l2f_status revert_entry(struct fix_context *ctx, const struct journal_entry *e,
                                    char *kept, size_t kept_len, struct l2f_err *err)
{
    enum l2f_status st = journal_mark(ctx->journal, e->id, ENTRY_UNDO_PENDING, NULL, err);
    if (st != L2F_OK)
        return st;
    for (size_t i = e->n_changes; i-- > 0;) {
        const struct change *c = &e->changes[i];
        bool restored;
        st = change_and_verify(ctx->be, c, false, NULL, &restored, err);
        if (st != L2F_OK)
            return st; /* stays undo-pending: running undo again resumes */
        if (c->kind == CHG_SECRET && c->before_set)
            fix_undo_limits(e, kept, kept_len); /* a secret was lost, not one removed */
    }
    return journal_mark(ctx->journal, e->id, ENTRY_UNDONE, kept, err);
}

static enum l2f_status undo_entry(struct fix_context *ctx, int64_t entry_id, int64_t *undone_id,
                                  char *note, size_t note_len, struct l2f_err *err)
{
    const char *machine = ctx->be->ops->machine_id(ctx->be);
    if (note && note_len)
        note[0] = '\0';
    const struct journal_entry *e = NULL;
    enum l2f_status st = entry_to_undo(ctx, entry_id, &e, err);
    if (st == L2F_OK)
        st = no_later_change(ctx->journal, machine, e, err);
    if (st == L2F_OK)
        st = values_as_left(ctx->be, e, err);
    char kept[256] = "";
    if (st == L2F_OK)
        st = revert_entry(ctx, e, kept, sizeof kept, err);
    if (st == L2F_OK) {
        if (undone_id)
            *undone_id = e->id;
        if (note && note_len)
            snprintf(note, note_len, "%s", kept);
    }
    return st;
}

static bool same_change(const struct change *a, const struct change *b)
{
    return same_setting(a, b) && a->before_set == b->before_set && a->after_set == b->after_set &&
           a->before == b->before && a->after == b->after &&
           strcmp(a->user_before, b->user_before) == 0 && strcmp(a->user_after, b->user_after) == 0;
}

/* Under the lock: plans the fix again from the machine as it is now, and
 * refuses a plan made from what another process has changed since. */
static enum l2f_status plan_still_holds(struct backend *be, const struct fix_plan *plan,
                                        struct l2f_err *err)
{
    struct diagnose_run run;
    diagnose_start(&run, be, plan->profile);
    while (run.next < DIAG_LAST && diagnose_step(&run)) {
    }
    diagnose_cancel(&run);
    const char *username = NULL;
    for (size_t i = 0; i < plan->n_changes; i++)
        if (plan->changes[i].kind == CHG_SECRET && strcmp(plan->changes[i].field, "password") == 0)
            username = plan->changes[i].user_after;
    struct fix_plan now;
    struct l2f_err scratch;
    enum l2f_status st = fix_plan_make(plan->fix, &run.obs, username, &now, &scratch);
    const char *id = fix_info(plan->fix)->id;
    bool adds_root = false;
    for (size_t i = 0; i < plan->n_changes; i++)
        adds_root |= plan->changes[i].kind == CHG_ROOT_CERT;
    if (st == L2F_ERR_NOTHING && adds_root) { /* the profile is done; the store is asked below */
        now.n_changes = 0;
        st = L2F_OK;
    }
    if (st == L2F_ERR_NOTHING) {
        l2f_err_set(
            err, "%s: nothing to change any more: done since it was read (another l2tpfix?)", id);
        return st;
    }
    /* a root certificate rests on the IKEv2 record, which this run does not read: its
     * store is asked again instead, and the other changes compared in order */
    bool same = st == L2F_OK;
    size_t k = 0;
    for (size_t i = 0; same && i < plan->n_changes; i++) {
        const struct change *c = &plan->changes[i];
        if (c->kind == CHG_ROOT_CERT) {
            bool present = true;
            same = be->ops->root_has &&
                   be->ops->root_has(be, c->field, &present, &scratch) == L2F_OK &&
                   present == c->before_set;
            continue;
        }
        same = k < now.n_changes && same_change(&now.changes[k++], c);
    }
    same = same && k == now.n_changes;
    if (!same) {
        l2f_err_set(
            err,
            "%s: the machine changed since it was read (another l2tpfix?); nothing changed, "
            "check again",
            id);
        return L2F_ERR_CONFLICT;
    }
    return L2F_OK;
}

/* Takes the state lock and reads again what another process may have
 * changed: the journal (healing a torn tail) and the machine's store. */
static enum l2f_status lock_and_reread(struct fix_context *ctx, struct statelock **lock,
                                       struct l2f_err *err)
{
    *lock = NULL;
    if (!ctx->lock_dir)
        return L2F_OK;
    enum l2f_status st = statelock_acquire(lock, ctx->lock_dir, ctx->holder, err);
    if (st == L2F_OK)
        st = journal_reload(ctx->journal, err);
    if (st == L2F_OK && ctx->be->ops->reload)
        st = ctx->be->ops->reload(ctx->be, err);
    if (st != L2F_OK) {
        statelock_release(*lock);
        *lock = NULL;
    }
    return st;
}

enum l2f_status fix_apply(struct fix_context *ctx, const struct fix_plan *plan,
                          const struct fix_secrets *secrets, int64_t *entry_id, struct l2f_err *err)
{
    struct statelock *lock;
    enum l2f_status st = lock_and_reread(ctx, &lock, err);
    if (st == L2F_OK && ctx->lock_dir)
        st = plan_still_holds(ctx->be, plan, err);
    if (st == L2F_OK)
        st = apply_plan(ctx, plan, secrets, entry_id, err);
    statelock_release(lock);
    return st;
}

enum l2f_status fix_undo(struct fix_context *ctx, int64_t entry_id, int64_t *undone_id, char *note,
                         size_t note_len, struct l2f_err *err)
{
    struct statelock *lock;
    if (note && note_len)
        note[0] = '\0';
    enum l2f_status st = lock_and_reread(ctx, &lock, err);
    if (st == L2F_OK)
        st = undo_entry(ctx, entry_id, undone_id, note, note_len, err);
    statelock_release(lock);
    return st;
}

bool fix_failure_stops_batch(enum l2f_status st)
{
    return st == L2F_ERR_IO || st == L2F_ERR_BUSY;
}

void fix_undo_limits(const struct journal_entry *e, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < e->n_changes; i++) {
        const struct change *c = &e->changes[i];
        if (c->kind != CHG_SECRET)
            continue;
        bool psk = strcmp(c->field, "psk") == 0;
        if (c->before_set)
            snprintf(buf, len,
                     "the %s saved before cannot come back (l2tpfix never keeps secrets): the one "
                     "typed for this fix stays saved",
                     psk ? "pre-shared key" : "password");
        else
            snprintf(buf, len, "the %s typed for this fix is removed: none was saved before",
                     psk ? "pre-shared key" : "password");
    }
}

/* The services the plan sets running from before (stopped, or running: a restart). */
static void service_names(const struct fix_plan *plan, bool was_running, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < plan->n_changes; i++) {
        const struct change *c = &plan->changes[i];
        if (c->kind != CHG_SERVICE_STATE || c->after != SVC_RUNNING ||
            (c->before == SVC_RUNNING) != was_running)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? " and " : "", c->target);
        if (n < 0 || (size_t)n >= len - used)
            return;
        used += (size_t)n;
    }
}

void fix_plan_outcome(const struct fix_plan *plan, char *buf, size_t len)
{
    char started[160], restarted[160];
    service_names(plan, false, started, sizeof started);
    service_names(plan, true, restarted, sizeof restarted);
    snprintf(buf, len, "%s%s%s%s%s", started, started[0] ? " started" : "",
             started[0] && restarted[0] ? "; " : "", restarted, restarted[0] ? " restarted" : "");
}

static bool needs_restart(const struct journal_entry *e, const struct change **which)
{
    for (size_t i = 0; i < e->n_changes; i++)
        if (e->changes[i].needs_reboot) {
            *which = &e->changes[i];
            return true;
        }
    return false;
}

static void note_pending(struct restart_pending *out, const struct journal_entry *e,
                         const struct change *c, bool undo, const char *when)
{
    out->count++;
    out->fix = e->fix;
    out->undo = undo;
    snprintf(out->value, sizeof out->value, "%s", c->field);
    snprintf(out->when, sizeof out->when, "%s", when);
}

void fix_restart_pending(const struct journal *j, const char *machine, const char *boot,
                         bool at_once, struct restart_pending *out)
{
    memset(out, 0, sizeof *out);
    out->fix = FIX_NONE;
    out->boot_known = boot && boot[0];
    out->at_once = at_once;
    for (size_t i = 0; i < j->count; i++) {
        enum entry_state st = journal_state_at(j, i);
        /* an undo waits for a restart only when the change it undid had one */
        bool undone_since_boot = out->boot_known && journal_undone_after(j, i, boot);
        if (!state_undoable(st) && !undone_since_boot)
            continue; /* passed over undecoded: most entries are undone */
        const struct journal_entry *e = journal_at(j, i);
        const struct change *c = NULL;
        if (!e || strcmp(e->machine, machine) != 0 || !needs_restart(e, &c))
            continue;
        bool before_boot = out->boot_known && strcmp(e->time, boot) <= 0;
        if (undone_since_boot && before_boot)
            note_pending(out, e, c, true, e->undone_time);
        else if (!undone_since_boot && !before_boot)
            note_pending(out, e, c, false, e->time);
    }
}

void restart_pending_text(const struct restart_pending *r, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!r->count)
        return;
    char more[48] = "";
    if (r->count > 1)
        snprintf(more, sizeof more, ", and %zu more change%s", r->count - 1,
                 r->count > 2 ? "s" : "");
    snprintf(buf, len, "a restart (%s %s %s at %s%s; %s after Windows restarts%s)",
             fix_info(r->fix)->id, r->undo ? "was undone, putting back" : "changed", r->value,
             r->when, more, r->count > 1 ? "they take effect" : "it takes effect",
             r->at_once      ? (r->count > 1 ? "; the simulated machine applied them already"
                                             : "; the simulated machine applied it already")
             : r->boot_known ? ""
                             : "; l2tpfix cannot tell here whether Windows restarted since");
}
