#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "fixes.h"
#include "net/pskcheck.h"
#include "verdict.h"

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

static void add_tristate(cJSON *o, const char *name, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddBoolToObject(o, name, v == 1);
}

static void add_string_or_null(cJSON *o, const char *name, const char *v)
{
    if (v && v[0])
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

/* The ids of up to n fixes, ending early at FIX_NONE, as a JSON array. */
static cJSON *fix_ids(const enum fix_id *fixes, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n && fixes[i] != FIX_NONE; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(fix_info(fixes[i])->id));
    return a;
}

/* The additive verdict fields: "verdict", "unknown", "skipped", "not_applicable" and "not_seen". */
static void add_verdict(cJSON *root, const struct verdict *v)
{
    cJSON_AddStringToObject(root, "verdict", verdict_id(v->kind));
    cJSON_AddNumberToObject(root, "unknown", v->n.unknown);
    cJSON_AddNumberToObject(root, "skipped", v->n.skipped);
    cJSON_AddNumberToObject(root, "not_applicable", v->n.not_applicable);
    cJSON *parts = cJSON_AddArrayToObject(root, "not_seen");
    for (int p = 0; parts && p < PART_COUNT; p++) {
        if (!v->missing[p])
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "part", verdict_part_id((enum verdict_part)p));
        cJSON_AddStringToObject(o, "reason", l2f_status_message(v->missing_st[p]));
        cJSON_AddNumberToObject(o, "checks", v->missing[p]);
        cJSON_AddItemToArray(parts, o);
    }
}

/* A change that waits for Windows to restart: additive fields. */
static void add_restart(cJSON *root, const struct restart_pending *r)
{
    bool pending = r && r->count;
    cJSON_AddBoolToObject(root, "restart_pending", pending);
    if (!pending) {
        cJSON_AddNullToObject(root, "restart");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    char text[512];
    restart_pending_text(r, text, sizeof text);
    cJSON_AddStringToObject(o, "fix", fix_info(r->fix)->id);
    cJSON_AddBoolToObject(o, "undo", r->undo);
    cJSON_AddStringToObject(o, "value", r->value);
    cJSON_AddStringToObject(o, "when", r->when);
    cJSON_AddNumberToObject(o, "changes", (double)r->count);
    cJSON_AddBoolToObject(o, "boot_known", r->boot_known);
    cJSON_AddBoolToObject(o, "simulated_applied", r->at_once);
    cJSON_AddStringToObject(o, "text", text);
    cJSON_AddItemToObject(root, "restart", o);
}

/* The last real dial, placed among the stages; null when none is recorded. */
static void add_last_dial(cJSON *root, const struct last_dial *ld)
{
    if (!ld->recorded) {
        cJSON_AddNullToObject(root, "last_dial");
        return;
    }
    cJSON *o = cJSON_AddObjectToObject(root, "last_dial");
    if (!o)
        return;
    const struct kb_entry *kb = kb_lookup(ld->code);
    cJSON_AddNumberToObject(o, "code", ld->code);
    add_string_or_null(o, "name", ld->code && kb ? kb->name : NULL);
    add_string_or_null(o, "when", ld->when);
    if (ld->reached)
        cJSON_AddNumberToObject(o, "reached_event", ld->reached);
    else
        cJSON_AddNullToObject(o, "reached_event");
    cJSON_AddBoolToObject(o, "stale", ld->stale);
    bool stopped = ld->located && ld->stopped_in < STAGE_COUNT;
    add_string_or_null(o, "stopped_in", stopped ? stage_info(ld->stopped_in)->id : NULL);
    if (!ld->located) {
        cJSON_AddNullToObject(o, "stages");
        return;
    }
    cJSON *marks = cJSON_AddObjectToObject(o, "stages");
    for (int s = 0; marks && s < STAGE_COUNT; s++)
        cJSON_AddStringToObject(marks, stage_info((enum stage_id)s)->id,
                                dialstage_mark_id(ld->marks[s]));
}

/* The transform names alone; null when the server was not asked. */
static void add_string_list_or_null(cJSON *o, const char *key, const struct probe_accepts *a)
{
    if (!a) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    cJSON *arr = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; i < a->count; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(a->names[i]));
}

enum l2f_status report_check_json(const char *profile, const char *backend,
                                  const struct diagnosis *d, const struct verdict *v,
                                  const struct restart_pending *restart, char **out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stages = cJSON_CreateArray();
    if (!root || !stages) {
        cJSON_Delete(stages);
        return finish(root, out);
    }
    cJSON_AddNumberToObject(root, "schema_version", REPORT_CHECK_SCHEMA_VERSION);
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
            cJSON_AddBoolToObject(check, "skipped", r->not_applicable && !r->other_type);
            add_string_or_null(check, "fix", r->fix != FIX_NONE ? fix_info(r->fix)->id : NULL);
            /* additive: a fix `fix all` leaves, and a check left out of its stage's verdict */
            cJSON_AddBoolToObject(check, "fix_alternative",
                                  r->fix != FIX_NONE && r->fix_is_alternative);
            cJSON_AddBoolToObject(check, "not_applicable", r->other_type);
            cJSON_AddItemToArray(checks, check);
        }
        cJSON_AddItemToObject(stage, "checks", checks);
        cJSON_AddItemToArray(stages, stage);
    }
    cJSON_AddItemToObject(root, "stages", stages);
    cJSON_AddItemToObject(root, "fixes", fix_ids(d->recommended, d->n_recommended));
    if (d->probe_reused)
        cJSON_AddNumberToObject(root, "probe_age_s", d->probe_age_s);
    else
        cJSON_AddNullToObject(root, "probe_age_s");
    add_string_list_or_null(root, "server_accepts",
                            d->server_enumerated ? &d->server_accepts : NULL);
    add_verdict(root, v);
    add_restart(root, restart);
    add_last_dial(root, &d->last_dial);
    return finish(root, out);
}

enum l2f_status report_history_json(const struct journal *j, const char *machine, char **out)
{
    cJSON *root = cJSON_CreateArray();
    if (!root)
        return L2F_ERR_NOMEM;
    for (size_t i = 0; i < j->count; i++) {
        const struct journal_entry *e = journal_at(j, i);
        if (!e || strcmp(e->machine, machine) != 0)
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

enum l2f_status report_connect_json(const char *profile, const struct connect_event *done,
                                    const char *const reached[STAGE_COUNT], char **out)
{
    const struct kb_entry *kb = kb_lookup(done->code);
    cJSON *o = cJSON_CreateObject();
    cJSON *stages = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "profile", profile);
    cJSON_AddBoolToObject(o, "connected", done->code == 0);
    cJSON_AddNumberToObject(o, "code", done->code);
    if (done->code) {
        cJSON_AddStringToObject(o, "name", kb ? kb->name : "");
        cJSON_AddStringToObject(o, "stopped_in", stage_info(done->stage)->id);
        cJSON_AddStringToObject(o, "detail", done->detail);
    }
    for (int s = 0; s < STAGE_COUNT; s++) {
        cJSON *so = cJSON_CreateObject();
        cJSON_AddStringToObject(so, "id", stage_info((enum stage_id)s)->id);
        cJSON_AddStringToObject(so, "result", reached[s] ? reached[s] : "not-reached");
        cJSON_AddItemToArray(stages, so);
    }
    cJSON_AddItemToObject(o, "stages", stages);
    return finish(o, out);
}

enum l2f_status report_explain_json(const struct kb_entry *kb, char **out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "code", kb->code);
    cJSON_AddStringToObject(o, "name", kb->name);
    cJSON_AddStringToObject(o, "message", kb->message);
    cJSON_AddStringToObject(o, "stage", stage_info(kb->stage)->id);
    cJSON_AddStringToObject(o, "causes", kb->causes);
    cJSON_AddItemToObject(o, "fixes", fix_ids(kb->fixes, KB_MAX_FIXES));
    return finish(o, out);
}

enum l2f_status report_profiles_json(const struct profile_list *list, char **out)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < list->count; i++) {
        const struct vpn_profile *p = &list->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "phonebook", phonebook_kind_name(p->phonebook));
        add_string_or_null(o, "owner", p->owner);
        /* a non-VPN entry has no tunnel type: what it is instead */
        cJSON_AddStringToObject(o, "type",
                                profile_is_vpn(p) ? vpn_strategy_name(p->fields[PF_VPN_STRATEGY])
                                                  : entry_type_label(p->entry_type, false));
        cJSON_AddStringToObject(o, "server", p->server);
        cJSON_AddStringToObject(o, "entry_type", entry_type_id(p->entry_type));
        cJSON_AddItemToArray(arr, o);
    }
    return finish(arr, out);
}

/* What the server accepts when it refused Windows' offer; null when not asked. */
static void add_accepts(cJSON *o, const struct probe_accepts *a)
{
    add_string_list_or_null(o, "server_accepts", a);
    if (!a)
        return;
    cJSON *e = cJSON_AddObjectToObject(o, "enumeration");
    cJSON_AddNumberToObject(e, "sent", a->sent);
    cJSON_AddNumberToObject(e, "max", PROBE_ENUM_MAX);
    cJSON_AddBoolToObject(e, "complete", a->complete);
    char add[PROBE_TRANSFORM_NAME];
    enum proposal_remedy remedy = probe_proposal_remedy(a->names, a->count, add, sizeof add);
    cJSON_AddStringToObject(e, "remedy",
                            remedy == REMEDY_WEAK_CRYPTO ? "allow-weak-crypto"
                            : remedy == REMEDY_SERVER    ? "server"
                                                         : "unknown");
    add_string_or_null(e, "server_should_add", remedy == REMEDY_WEAK_CRYPTO ? NULL : add);
}

enum l2f_status report_probe_json(const char *host, const struct probe_result *r,
                                  const struct psk_check_result *key, char **out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *results = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "host", host);
    add_string_or_null(o, "address", r->resolved ? r->address : NULL);
    for (int k = 0; k < PROBE_KIND_COUNT; k++) {
        const struct probe_item *it = &r->items[k];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "probe", probe_kind_id((enum probe_kind)k));
        cJSON_AddStringToObject(item, "outcome", probe_outcome_id(it->outcome));
        add_string_or_null(item, "transform", it->transform);
        cJSON_AddNumberToObject(item, "ms", it->ms);
        add_string_or_null(item, "detail", it->detail);
        cJSON_AddItemToArray(results, item);
    }
    cJSON_AddItemToObject(o, "results", results);
    add_accepts(o, r->enumerated ? &r->accepts : NULL);
    cJSON_AddBoolToObject(o, "reused", r->reused);
    /* the server's NAT-D outranks the guess from our own address */
    int client_nat = key && key->behind_nat >= 0 ? key->behind_nat : r->behind_nat;
    add_tristate(o, "behind_nat", client_nat);
    add_tristate(o, "server_behind_nat", key ? key->server_behind_nat : -1);
    if (!key) {
        cJSON_AddNullToObject(o, "psk");
        cJSON_AddNullToObject(o, "ipsec");
        cJSON_AddNullToObject(o, "key_check");
        return finish(o, out);
    }
    cJSON_AddStringToObject(o, "psk", psk_verdict_id(key->verdict));
    const char *ipsec = ipsec_outcome_id(key->ipsec);
    add_string_or_null(o, "ipsec", ipsec);
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "reason", key->reason);
    add_string_or_null(k, "transform", key->transform);
    cJSON_AddNumberToObject(k, "ms", key->ms);
    add_string_or_null(k, "ipsec_reason", key->ipsec_reason);
    add_string_or_null(k, "esp_transform", key->esp_transform);
    if (key->ipsec == IPSEC_NOT_TRIED)
        cJSON_AddNullToObject(k, "ipsec_ms");
    else
        cJSON_AddNumberToObject(k, "ipsec_ms", key->ipsec_ms);
    cJSON_AddItemToObject(o, "key_check", k);
    return finish(o, out);
}

/* "a,b" as a JSON array of strings. */
static cJSON *comma_list(const char *list)
{
    cJSON *arr = cJSON_CreateArray();
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), p);
        cJSON_AddItemToArray(arr, cJSON_CreateString(name));
        p += n + (p[n] == ',');
    }
    return arr;
}

static cJSON *lcp_extensions_json(const struct hs_result *r)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddBoolToObject(e, "sent", r->lcp_extensions_sent);
    add_string_or_null(e, "server", hs_lcp_ext_id(r->lcp_extensions));
    cJSON_AddItemToObject(e, "rejected", comma_list(r->lcp_rejected));
    cJSON_AddItemToObject(e, "naked", comma_list(r->lcp_naked));
    return e;
}

static cJSON *handshake_json(const char *host, const struct hs_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", host);
    cJSON *stages = cJSON_CreateArray();
    for (int i = 0; i < STAGE_COUNT; i++) {
        const struct hs_stage *s = &r->stages[i];
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "id", stage_info((enum stage_id)i)->id);
        const char *outcome = hs_outcome_id(s->outcome);
        cJSON_AddStringToObject(st, "outcome", outcome ? outcome : "skipped");
        cJSON_AddStringToObject(st, "detail", s->detail);
        if (s->code)
            cJSON_AddNumberToObject(st, "code", s->code);
        else
            cJSON_AddNullToObject(st, "code");
        cJSON_AddNumberToObject(st, "ms", s->ms);
        cJSON_AddItemToArray(stages, st);
    }
    cJSON_AddItemToObject(o, "stages", stages);
    cJSON *auth = cJSON_CreateArray();
    for (size_t i = 0; i < r->server_auth_count; i++)
        cJSON_AddItemToArray(auth, cJSON_CreateString(ppp_auth_name(r->server_auth[i])));
    cJSON_AddItemToObject(o, "server_auth", auth);
    cJSON_AddBoolToObject(o, "server_auth_complete", r->server_auth_complete);
    cJSON_AddItemToObject(o, "lcp_rejected", comma_list(r->lcp_rejected));
    add_string_or_null(o, "auth_used", r->used_auth);
    cJSON_AddBoolToObject(o, "authenticator_verified", r->authenticator_verified);
    add_string_or_null(o, "address", r->address);
    cJSON_AddItemToObject(o, "lcp_extensions", lcp_extensions_json(r));
    return o;
}

enum l2f_status report_handshake_json(const char *host, const struct hs_result *r, char **out)
{
    return finish(handshake_json(host, r), out);
}

enum l2f_status report_handshakes_json(const char *host, const struct hs_result *runs, size_t n,
                                       char **out)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, handshake_json(host, &runs[i]));
    return finish(arr, out);
}

enum l2f_status report_drift_json(const char *profile, const struct drift *d, size_t n, char **out)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "profile", profile);
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "setting", d[i].what);
        cJSON_AddStringToObject(e, "was", d[i].was);
        cJSON_AddStringToObject(e, "now", d[i].now);
        add_string_or_null(e, "fix", d[i].fix != FIX_NONE ? fix_info(d[i].fix)->id : NULL);
        cJSON_AddItemToArray(arr, e);
    }
    cJSON_AddItemToObject(o, "drift", arr);
    return finish(o, out);
}
