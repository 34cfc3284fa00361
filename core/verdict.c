#include "verdict.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define BIT(p) (1u << (p))

/* What each check reads; the first part (in enum order) that could not be
 * observed explains an unknown. */
static const unsigned check_needs[CHECK_COUNT] = {
    [CHECK_SERVER_ADDRESS] = BIT(PART_PROFILE),
    [CHECK_DNS] = BIT(PART_PROFILE) | BIT(PART_PROBE),
    [CHECK_VPN_TYPE] = BIT(PART_PROFILE),
    [CHECK_IKE_500] = BIT(PART_PROFILE) | BIT(PART_PROBE),
    [CHECK_IKE_4500] = BIT(PART_PROFILE) | BIT(PART_PROBE),
    [CHECK_IPSEC_SERVICES] = BIT(PART_SERVICES),
    [CHECK_WINDOWS_UPDATE] = BIT(PART_OS_BUILD),
    [CHECK_NAT_TRAVERSAL] = BIT(PART_REGISTRY) | BIT(PART_PROBE),
    [CHECK_PROHIBIT_IPSEC] = BIT(PART_REGISTRY),
    [CHECK_PSK] = BIT(PART_PROFILE) | BIT(PART_SECRETS),
    [CHECK_MACHINE_CERT] = BIT(PART_CERT_STORE),
    [CHECK_IKE_PROPOSALS] = BIT(PART_PROFILE) | BIT(PART_PROBE),
    [CHECK_PSK_MATCHES] = BIT(PART_PROBE) | BIT(PART_KEY),
    [CHECK_IKEV2] = BIT(PART_PROFILE) | BIT(PART_PROBE),
    [CHECK_MSCHAPV2] = BIT(PART_PROFILE),
    [CHECK_LCP_EXTENSIONS] = BIT(PART_PROFILE),
    [CHECK_CREDENTIALS] = BIT(PART_PROFILE) | BIT(PART_SECRETS),
    [CHECK_LAST_AUTH] = BIT(PART_HISTORY),
};

#define VERDICT_PART_ID(e, id, what) id,
static const char *const part_ids[PART_COUNT] = {VERDICT_PART_TABLE(VERDICT_PART_ID)};
#undef VERDICT_PART_ID
#define VERDICT_PART_WHAT(e, id, what) what,
static const char *const part_what[PART_COUNT] = {VERDICT_PART_TABLE(VERDICT_PART_WHAT)};
#undef VERDICT_PART_WHAT

const char *verdict_part_id(enum verdict_part p)
{
    return p < PART_COUNT ? part_ids[p] : "?";
}

static enum l2f_status first_failed(const enum l2f_status *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st[i] != L2F_OK)
            return st[i];
    return L2F_OK;
}

/* How observing part p went; L2F_OK also while it is not gathered yet (its
 * checks are then running, not unknown). */
static enum l2f_status part_status(const struct observations *o, enum verdict_part p)
{
    switch (p) {
    case PART_PROFILE:
        return o->have_profile ? o->profile_st : L2F_OK;
    case PART_REGISTRY:
        return o->have_registry ? first_failed(o->reg_st, REGVAL_COUNT) : L2F_OK;
    case PART_OS_BUILD:
        return !o->have_machine         ? L2F_OK
               : o->machine_unsupported ? L2F_ERR_UNSUPPORTED
                                        : o->machine.os_st;
    case PART_SERVICES:
        return o->have_services ? first_failed(o->svc_st, SERVICE_COUNT) : L2F_OK;
    case PART_CERT_STORE:
        return !o->have_cert ? L2F_OK : o->cert_unsupported ? L2F_ERR_UNSUPPORTED : o->cert_st;
    case PART_SECRETS:
        return o->have_profile && o->profile_st == L2F_OK && o->profile.secrets_unknown
                   ? L2F_ERR_UNSUPPORTED
                   : L2F_OK;
    case PART_HISTORY:
        return o->have_last ? o->last_st : L2F_OK;
    case PART_PROBE:
        return o->have_probe ? o->probe_st : L2F_OK;
    case PART_KEY:
        return o->have_key ? o->key_st : L2F_OK;
    case PART_COUNT:
        break;
    }
    return L2F_OK;
}

static void count_one(const struct check_result *r, struct verdict_counts *n)
{
    if (r->not_applicable) {
        if (r->other_type)
            n->not_applicable++;
        else
            n->skipped++;
        return;
    }
    switch (r->status) {
    case CHECK_PASS:
        n->pass++;
        break;
    case CHECK_FAIL:
        n->fail++;
        break;
    case CHECK_WARN:
        n->warn++;
        break;
    case CHECK_UNKNOWN:
        n->unknown++;
        break;
    case CHECK_RUNNING:
        n->running++;
        break;
    }
}

void verdict_stage_counts(const struct diagnosis *d, enum stage_id s, struct verdict_counts *n)
{
    memset(n, 0, sizeof *n);
    for (int c = 0; c < CHECK_COUNT; c++)
        if (check_info((enum check_id)c)->stage == s)
            count_one(&d->checks[c], n);
}

/* Puts an unknown check down to the first part it needed that was not observed. */
static void explain_unknown(const struct observations *o, enum check_id c, struct verdict *v)
{
    for (int p = 0; o && p < PART_COUNT; p++) {
        if (!(check_needs[c] & BIT(p)))
            continue;
        enum l2f_status st = part_status(o, (enum verdict_part)p);
        if (st == L2F_OK)
            continue;
        if (v->missing[p]++ == 0)
            v->missing_st[p] = st;
        return;
    }
    v->inconclusive++;
}

void diagnosis_verdict(const struct diagnosis *d, const struct observations *o, struct verdict *v)
{
    memset(v, 0, sizeof *v);
    v->probe_hint = o ? o->probe_hint : NULL;
    for (int c = 0; c < CHECK_COUNT; c++) {
        const struct check_result *r = &d->checks[c];
        count_one(r, &v->n);
        if (r->status == CHECK_UNKNOWN && !r->not_applicable)
            explain_unknown(o, (enum check_id)c, v);
    }
    if (v->n.fail || v->n.warn)
        v->kind = VERDICT_PROBLEMS;
    else if (v->n.unknown || v->n.running)
        v->kind = VERDICT_INCOMPLETE;
    else
        v->kind = VERDICT_ALL_PASS;
}

int verdict_exit_code(enum verdict_kind k)
{
    switch (k) {
    case VERDICT_ALL_PASS:
        return 0;
    case VERDICT_PROBLEMS:
        return 1;
    case VERDICT_INCOMPLETE:
        return VERDICT_EXIT_INCOMPLETE;
    }
    return 1;
}

const char *verdict_id(enum verdict_kind k)
{
    switch (k) {
    case VERDICT_ALL_PASS:
        return "pass";
    case VERDICT_PROBLEMS:
        return "problems";
    case VERDICT_INCOMPLETE:
        return "incomplete";
    }
    return "?";
}

/* Appends to the string in buf; a cut keeps it terminated. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strnlen(buf, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

void verdict_stage_text(const struct verdict_counts *n, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (!n->fail && !n->warn && !n->unknown && !n->running) {
        if (n->pass)
            append(buf, len, n->pass == 1 ? "%d check passes" : "all %d checks pass", n->pass);
    } else {
        const struct {
            int count;
            const char *what;
        } parts[] = {{n->fail, "FAIL"},
                     {n->warn, "WARN"},
                     {n->pass, "pass"},
                     {n->unknown, "could not be checked here"},
                     {n->running, "running"}};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            if (parts[i].count)
                append(buf, len, "%s%d %s", buf[0] ? ", " : "", parts[i].count, parts[i].what);
    }
    if (n->skipped)
        append(buf, len, "%s%d skipped", buf[0] ? ", " : "", n->skipped);
    if (n->not_applicable)
        append(buf, len, "%s%d n/a", buf[0] ? ", " : "", n->not_applicable);
}

void verdict_headline(const struct verdict *v, char *buf, size_t len)
{
    const struct verdict_counts *n = &v->n;
    if (len)
        buf[0] = '\0';
    switch (v->kind) {
    case VERDICT_ALL_PASS:
        append(buf, len, "No problem found on this side: all %d checks pass", n->pass);
        break;
    case VERDICT_PROBLEMS:
        append(buf, len, "Problems found: ");
        if (n->fail)
            append(buf, len, "%d FAIL%s", n->fail, n->warn ? ", " : "");
        if (n->warn)
            append(buf, len, "%d WARN", n->warn);
        if (n->unknown)
            append(buf, len, "; %d more check%s could not be made here", n->unknown,
                   n->unknown == 1 ? "" : "s");
        break;
    case VERDICT_INCOMPLETE:
        append(buf, len, "No problem found in the %d check%s made here; %d could not be made here",
               n->pass, n->pass == 1 ? "" : "s", n->unknown);
        if (n->running)
            append(buf, len, ", %d still running", n->running);
        break;
    }
    if (n->skipped)
        append(buf, len, ", %d skipped", n->skipped);
    if (n->not_applicable)
        append(buf, len, ", %d not for this type of VPN", n->not_applicable);
    append(buf, len, ".");
}

/* "the registry (2 checks), the credential store (2) or the connection history (1)" */
static void list_parts(const struct verdict *v, bool unsupported, char *buf, size_t len)
{
    int total = 0, shown = 0;
    for (int p = 0; p < PART_COUNT; p++)
        total += v->missing[p] && (v->missing_st[p] == L2F_ERR_UNSUPPORTED) == unsupported;
    for (int p = 0; p < PART_COUNT; p++) {
        if (!v->missing[p] || (v->missing_st[p] == L2F_ERR_UNSUPPORTED) != unsupported)
            continue;
        const char *sep = shown == 0           ? ""
                          : shown == total - 1 ? (unsupported ? " or " : "; ")
                                               : ", ";
        append(buf, len, "%s%s", sep, part_what[p]);
        if (!unsupported)
            append(buf, len, " not observed: %s", l2f_status_message(v->missing_st[p]));
        append(buf, len, " (%d%s)", v->missing[p],
               shown == 0 ? v->missing[p] == 1 ? " check" : " checks" : "");
        shown++;
    }
}

static bool missing_where(const struct verdict *v, unsigned parts, enum l2f_status st)
{
    for (int p = 0; p < PART_COUNT; p++)
        if ((parts & BIT(p)) && v->missing[p] && v->missing_st[p] == st)
            return true;
    return false;
}

void verdict_unknowns(const struct verdict *v, const char *backend, const char *server, char *buf,
                      size_t len)
{
    if (len)
        buf[0] = '\0';
    int unsupported = 0, failed = 0;
    for (int p = 0; p < PART_COUNT; p++) {
        unsupported += v->missing[p] && v->missing_st[p] == L2F_ERR_UNSUPPORTED;
        failed += v->missing[p] && v->missing_st[p] != L2F_ERR_UNSUPPORTED;
    }
    if (unsupported) {
        append(buf, len, "Not checked here: this backend (%s) cannot see ",
               backend && backend[0] ? backend : "?");
        list_parts(v, true, buf, len);
        append(buf, len, ".\n");
    }
    if (failed) {
        append(buf, len, "Not checked: ");
        list_parts(v, false, buf, len);
        append(buf, len, ".\n");
    }
    if (v->inconclusive)
        append(buf, len,
               "%d check%s could not decide from what %s saw: see the row%s marked unknown.\n",
               v->inconclusive, v->inconclusive == 1 ? "" : "s",
               v->inconclusive == 1 ? "it" : "they", v->inconclusive == 1 ? "" : "s");
    unsigned machine = BIT(PART_REGISTRY) | BIT(PART_OS_BUILD) | BIT(PART_SERVICES) |
                       BIT(PART_CERT_STORE) | BIT(PART_SECRETS) | BIT(PART_HISTORY);
    bool on_windows = missing_where(v, machine, L2F_ERR_UNSUPPORTED);
    bool as_admin = missing_where(v, machine, L2F_ERR_NEED_ADMIN);
    bool probe = v->missing[PART_PROBE] && server && server[0];
    if (!on_windows && !as_admin && !probe)
        return;
    append(buf, len, "To check %s: ", unsupported + failed > 1 ? "those" : "it");
    if (on_windows)
        append(buf, len, "run l2tpfix on the Windows machine itself%s",
               as_admin || probe ? "; " : "");
    if (as_admin)
        append(buf, len, L2F_HOW_TO_GET_RIGHTS "%s", probe ? "; " : "");
    if (probe)
        append(buf, len, "`%s probe %s` asks the server from here",
               v->probe_hint ? v->probe_hint : "l2tpfix", server);
    append(buf, len, ".\n");
}
