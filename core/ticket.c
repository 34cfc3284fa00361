#include "ticket.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "fixes.h"
#include "kb.h"
#include "report.h"
#include "text.h"
#include "verdict.h"

/* Safe for a terminal; in Markdown also no '|' (a table cell) and no
 * backtick (code spans). */
static const char *clean(enum ticket_format f, const char *src, char *dst, size_t len)
{
    text_sanitize(dst, len, src, false);
    if (f == TICKET_MARKDOWN)
        for (char *p = dst; *p; p++)
            if (*p == '|' || *p == '`')
                *p = *p == '|' ? '/' : '\'';
    return dst;
}

static void last_connection(struct text_buf *b, const struct observations *o)
{
    if (o->last_st != L2F_OK || !o->last.known) {
        text_printf(b, "not known here\n");
        return;
    }
    if (o->last.code == 0) {
        text_printf(b, "connected (%s)\n", o->last.when[0] ? o->last.when : "time not recorded");
        return;
    }
    const struct kb_entry *kb = kb_lookup(o->last.code);
    text_printf(b, "error %d%s%s at %s%s\n", o->last.code, kb ? " " : "", kb ? kb->name : "",
                o->last.when[0] ? o->last.when : "an unrecorded time",
                o->last_stale ? " (before the latest change)" : "");
}

static enum l2f_status build_json(const struct ticket_input *in, char **out)
{
    char *check = NULL, *history = NULL;
    struct verdict v;
    diagnosis_verdict(in->d, in->obs, &v);
    enum l2f_status st =
        report_check_json(in->profile->name, in->backend, in->d, &v, in->restart, &check);
    if (st == L2F_OK)
        st = report_history_json(in->journal, in->machine, &history);
    cJSON *o = cJSON_CreateObject(), *c = check ? cJSON_Parse(check) : NULL,
          *h = history ? cJSON_Parse(history) : NULL;
    free(check);
    free(history);
    if (st != L2F_OK || !o || !c || !h) {
        cJSON_Delete(o);
        cJSON_Delete(c);
        cJSON_Delete(h);
        return st != L2F_OK ? st : L2F_ERR_NOMEM;
    }
    cJSON_AddNumberToObject(o, "schema_version", TICKET_JSON_SCHEMA_VERSION);
    cJSON_AddStringToObject(o, "generated", in->generated);
    cJSON_AddStringToObject(o, "l2tpfix", in->version);
    cJSON_AddStringToObject(o, "server", in->profile->server);
    cJSON_AddItemToObject(o, "diagnosis", c);
    /* only this profile's changes */
    cJSON *mine = cJSON_CreateArray(), *e;
    cJSON_ArrayForEach(e, h)
    {
        cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "profile");
        if (cJSON_IsString(p) && strcmp(p->valuestring, in->profile->name) == 0)
            cJSON_AddItemReferenceToArray(mine, e);
    }
    cJSON *changes = cJSON_Duplicate(mine, true);
    cJSON_Delete(mine);
    cJSON_Delete(h);
    cJSON_AddItemToObject(o, "changes", changes);
    const struct observations *ob = in->obs;
    cJSON *last = cJSON_CreateObject();
    bool known = ob->last_st == L2F_OK && ob->last.known;
    cJSON_AddBoolToObject(last, "known", known);
    if (known) {
        const struct kb_entry *kb = kb_lookup(ob->last.code);
        cJSON_AddNumberToObject(last, "code", ob->last.code);
        if (kb)
            cJSON_AddStringToObject(last, "name", kb->name);
        cJSON_AddStringToObject(last, "when", ob->last.when);
        cJSON_AddBoolToObject(last, "before_latest_change", ob->last_stale);
    }
    cJSON_AddItemToObject(o, "last_connection", last);
    *out = cJSON_Print(o);
    cJSON_Delete(o);
    return *out ? L2F_OK : L2F_ERR_NOMEM;
}

/* The verdict `check` ends with: never "no problem found" alone while checks could not be made. */
static void add_verdict(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    struct verdict v;
    char line[256], server[PROFILE_SERVER_MAX * 2], backend[640], why[2048];
    diagnosis_verdict(in->d, in->obs, &v);
    verdict_headline(&v, line, sizeof line);
    verdict_unknowns(&v, clean(f, in->backend, backend, sizeof backend),
                     clean(f, in->profile->server, server, sizeof server), why, sizeof why);
    bool md = f == TICKET_MARKDOWN;
    text_printf(b, md ? "\n## Verdict\n\n%s\n%s" : "\nVerdict\n  %s\n", line, why[0] ? "\n" : "");
    for (const char *p = why; *p;) {
        size_t n = strcspn(p, "\n");
        text_printf(b, md ? "- %.*s\n" : "  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

/* The title and who, where and when: profile, server, type, machine, version. */
static void add_header(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    bool md = f == TICKET_MARKDOWN;
    char name[PROFILE_NAME_MAX * 2], server[PROFILE_SERVER_MAX * 2], backend[640];
    clean(f, in->profile->name, name, sizeof name);
    clean(f, in->profile->server, server, sizeof server);
    clean(f, in->backend, backend, sizeof backend);
    text_printf(b, md ? "# VPN diagnosis: %s\n\n" : "VPN diagnosis: %s\n\n", name);
    text_printf(b,
                md ? "- Server: %s\n- Type: %s\n- Phonebook: %s\n- Machine: %s\n- Generated: %s by "
                     "l2tpfix %s\n"
                   : "Server     %s\nType       %s\nPhonebook  %s\nMachine    %s\nGenerated  %s by "
                     "l2tpfix %s\n",
                server[0] ? server : "(none)",
                vpn_strategy_name(in->profile->fields[PF_VPN_STRATEGY]),
                phonebook_kind_name(in->profile->phonebook), backend, in->generated, in->version);
}

/* A restart that changes made wait for, if any. */
static void add_pending(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    char restart[512] = "";
    if (in->restart)
        restart_pending_text(in->restart, restart, sizeof restart);
    if (restart[0])
        text_printf(b, f == TICKET_MARKDOWN ? "\n**Pending:** %s\n" : "\nPending: %s\n", restart);
}

static void add_stages(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    bool md = f == TICKET_MARKDOWN;
    text_printf(b,
                md ? "\n## Stages\n\n| stage | result | checks |\n|---|---|---|\n" : "\nStages\n");
    for (int s = 0; s < STAGE_COUNT; s++) {
        struct verdict_counts n;
        char counts[160];
        verdict_stage_counts(in->d, (enum stage_id)s, &n);
        verdict_stage_text(&n, counts, sizeof counts);
        text_printf(b, md ? "| %s | %s | %s |\n" : "  %-17s %-7s %s\n",
                    stage_info((enum stage_id)s)->title, check_status_report_word(in->d->stages[s]),
                    counts);
    }
}

/* One check: its status, what was seen and the fix offered for it. */
static void add_check(struct text_buf *b, enum ticket_format f, enum check_id c,
                      const struct check_result *r)
{
    char summary[sizeof r->summary * 2];
    clean(f, r->summary, summary, sizeof summary);
    const char *fix = r->fix != FIX_NONE && (r->status == CHECK_FAIL || r->status == CHECK_WARN)
                          ? fix_info(r->fix)->id
                          : "";
    const char *id = check_info(c)->id;
    const char *status =
        r->not_applicable ? check_result_word(r) : check_status_report_word(r->status);
    bool alt = fix[0] && r->fix_is_alternative; /* offered, not applied by fix all */
    if (f == TICKET_MARKDOWN)
        text_printf(b, "| %s | %s | %s | %s%s |\n", id, status, summary, fix,
                    alt ? " (alternative)" : "");
    else if (fix[0])
        text_printf(b, "  %-*s %-7s %s  [%s: %s]\n", check_id_width(), id, status, summary,
                    alt ? "alternative" : "fix", fix);
    else
        text_printf(b, "  %-*s %-7s %s\n", check_id_width(), id, status, summary);
}

static void add_checks(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    text_printf(b, f == TICKET_MARKDOWN
                       ? "\n## Checks\n\n| check | status | finding | fix |\n|---|---|---|---|\n"
                       : "\nChecks\n");
    for (int c = 0; c < CHECK_COUNT; c++)
        add_check(b, f, (enum check_id)c, &in->d->checks[c]);
}

/* The journal's entries for this profile on this machine, each with its changes. */
static void add_changes(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    bool md = f == TICKET_MARKDOWN;
    text_printf(b, md ? "\n## Changes made by l2tpfix\n\n" : "\nChanges made by l2tpfix\n");
    size_t shown = 0;
    for (size_t i = 0; i < in->journal->count; i++) {
        const struct journal_entry *e = journal_at(in->journal, i);
        if (!e || strcmp(e->machine, in->machine) != 0 ||
            strcmp(e->profile, in->profile->name) != 0)
            continue;
        text_printf(b,
                    md ? "- %s: **%s** (%s, entry %" PRId64 ")\n"
                       : "  %s  %-22s %s (entry %" PRId64 ")\n",
                    e->time, fix_info(e->fix)->id, entry_state_id(e->state), e->id);
        for (size_t k = 0; k < e->n_changes; k++) {
            char desc[600], safe_desc[1200];
            change_describe(&e->changes[k], desc, sizeof desc);
            text_printf(b, md ? "  - %s\n" : "      %s\n",
                        clean(f, desc, safe_desc, sizeof safe_desc));
        }
        shown++;
    }
    if (!shown)
        text_printf(b, md ? "None.\n" : "  none\n");
}

/* The recommended fixes, each as the command that applies it. */
static void add_still_to_do(struct text_buf *b, enum ticket_format f, const struct ticket_input *in)
{
    bool md = f == TICKET_MARKDOWN;
    if (!in->d->n_recommended)
        return;
    text_printf(b, md ? "\n## Still to do\n\n" : "\nStill to do\n");
    char cmd[1024];
    clean(f, in->command ? in->command : "l2tpfix", cmd, sizeof cmd);
    for (size_t i = 0; i < in->d->n_recommended; i++) {
        const struct fix_info *fi = fix_info(in->d->recommended[i]);
        if (md)
            text_printf(b, "- `%s fix %s`: %s\n", cmd, fi->id, fi->title);
        else
            text_printf(b, "  %s fix %-22s %s\n", cmd, fi->id, fi->title);
    }
}

enum l2f_status ticket_build(enum ticket_format f, const struct ticket_input *in, char **out)
{
    *out = NULL;
    if (f == TICKET_JSON)
        return build_json(in, out);
    struct text_buf b = {0};
    add_header(&b, f, in);
    add_verdict(&b, f, in);
    add_pending(&b, f, in);
    add_stages(&b, f, in);
    add_checks(&b, f, in);
    add_changes(&b, f, in);
    text_printf(&b, f == TICKET_MARKDOWN ? "\n## Last connection\n\n" : "\nLast connection\n  ");
    last_connection(&b, in->obs);
    add_still_to_do(&b, f, in);
    if (b.failed) {
        free(b.s);
        return L2F_ERR_NOMEM;
    }
    *out = b.s;
    return L2F_OK;
}
