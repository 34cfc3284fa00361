#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "journal.h"
#include "kb.h"
#include "net/handshake.h"
#include "net/probe.h"
#include "net/pskcheck.h"
#include "platform.h"
#include "winupdate.h"

void diagnose_start(struct diagnose_run *run, struct backend *be, const char *profile)
{
    memset(run, 0, sizeof *run);
    run->be = be;
    run->probe_timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
    snprintf(run->profile, sizeof run->profile, "%s", profile);
    run->next = DIAG_PROFILE;
}

void diagnose_cancel(struct diagnose_run *run)
{
    probe_free(run->live_probe);
    run->live_probe = NULL;
}

/* The probe step: simulated by the backend, or real packets in steps. */
static bool probe_part(struct diagnose_run *run)
{
    struct observations *o = &run->obs;
    struct backend *be = run->be;
    struct l2f_err scratch;
    if (!o->profile.server[0]) {
        o->probe_st = L2F_ERR_USAGE;
        return true;
    }
    if (be->ops->probe_server && !run->real_probe) {
        o->probe_st = be->ops->probe_server(be, o->profile.server, &o->probe, &scratch);
        return true;
    }
    struct probe_options opts;
    probe_options_default(&opts);
    opts.timeout_ms = run->probe_timeout_ms;
    opts.cache_dir = run->cache_dir;
    if (!run->live_probe) {
        o->probe_st = probe_start(&run->live_probe, o->profile.server, &opts, &scratch);
        if (o->probe_st != L2F_OK) {
            diagnose_cancel(run);
            return true;
        }
    }
    if (!probe_step(run->live_probe, run->probe_wait_ms))
        return false;
    probe_to_report(probe_result(run->live_probe), &o->probe);
    o->probe_st = L2F_OK;
    diagnose_cancel(run);
    return true;
}

enum l2f_status diagnose_check_key(struct backend *be, bool real, const char *state_dir,
                                   const char *host, const char *psk, enum psk_verdict *verdict,
                                   int *client_nat, int *server_nat, struct l2f_err *err)
{
    if (be->ops->check_psk && !real)
        return be->ops->check_psk(be, host, psk, verdict, err);
    struct psk_check_result r;
    unsigned waited;
    enum l2f_status st = psk_check_paced(state_dir, host, 500, psk, PROBE_DEFAULT_TIMEOUT_MS, false,
                                         &r, &waited, err);
    *verdict = r.verdict;
    if (st == L2F_OK && client_nat && r.behind_nat >= 0)
        *client_nat = r.behind_nat;
    if (st == L2F_OK && server_nat && r.server_behind_nat >= 0)
        *server_nat = r.server_behind_nat;
    return st;
}

void diagnose_use_journal(struct diagnose_run *run, const struct journal *journal)
{
    run->journal = journal;
}

/* Whether a change to this profile, applied or undone, came after the last attempt. */
static bool changed_since(const struct diagnose_run *run, const struct connection_record *last)
{
    const struct journal *j = run->journal;
    if (!j || !last->known)
        return false;
    const char *machine = run->be->ops->machine_id(run->be);
    for (size_t i = 0; i < j->count; i++) {
        enum entry_state st = journal_state_at(j, i);
        /* an undo after the attempt put back what the attempt did not test */
        bool undone_since = last->when[0] && journal_undone_after(j, i, last->when);
        if (st != ENTRY_APPLIED && st != ENTRY_PENDING && !undone_since)
            continue; /* passed over undecoded */
        const struct journal_entry *e = journal_at(j, i);
        if (!e || strcmp(e->machine, machine) != 0 || strcmp(e->profile, run->profile) != 0)
            continue;
        /* both are UTC ISO 8601: text order is time order; a tie counts as the
         * attempt coming after, as it does when one run fixes then connects */
        if (undone_since || !last->when[0] || strcmp(e->time, last->when) > 0)
            return true;
    }
    return false;
}

/* The store is read only for a profile that authenticates IPsec with a certificate. */
static void read_machine_cert(struct backend *be, struct observations *o)
{
    struct l2f_err scratch;
    o->cert_unsupported = !be->ops->machine_certificate;
    if (o->profile.fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK)
        o->cert_st = L2F_OK; /* nothing to read: the check says it does not apply */
    else if (be->ops->machine_certificate)
        o->cert_st = be->ops->machine_certificate(be, &o->cert, &scratch);
    o->have_cert = true;
}

/* Whether the machine already trusts the CA the IKEv2 record trusted the server through. */
static void observe_root(struct backend *be, struct observations *o)
{
    struct l2f_err scratch;
    o->have_root = o->have_ikev2_seen && o->ikev2_seen.ok && o->ikev2_seen.ca_sha1[0];
    if (!o->have_root)
        return;
    o->root_st = be->ops->root_has
                     ? be->ops->root_has(be, o->ikev2_seen.ca_sha1, &o->root_present, &scratch)
                     : L2F_ERR_UNSUPPORTED;
}

bool diagnose_step(struct diagnose_run *run)
{
    struct observations *o = &run->obs;
    struct backend *be = run->be;
    struct l2f_err scratch;
    switch (run->next) {
    case DIAG_PROFILE:
        o->profile_st = be->ops->read_profile(be, run->profile, &o->profile, &run->err);
        o->have_profile = true;
        /* without the profile nothing else can be judged */
        run->next = o->profile_st == L2F_OK ? DIAG_ADMIN : DIAG_DONE;
        break;
    case DIAG_ADMIN:
        o->admin_st = be->ops->is_admin(be, &o->admin);
        o->have_admin = true;
        /* the machine's build with its administrator status: both describe the machine */
        o->machine_unsupported = !be->ops->machine_info;
        if (be->ops->machine_info && be->ops->machine_info(be, &o->machine, &scratch) != L2F_OK &&
            !o->machine.os_st)
            o->machine.os_st = L2F_ERR_BACKEND;
        o->have_machine = true;
        read_machine_cert(be, o);
        run->next = DIAG_REGISTRY;
        break;
    case DIAG_REGISTRY:
        for (int r = 0; r < REGVAL_COUNT; r++)
            o->reg_st[r] = be->ops->reg_read_dword(be, regval_key_path((enum regval_id)r),
                                                   regval_info((enum regval_id)r)->value,
                                                   &o->reg_exists[r], &o->reg[r], &scratch);
        o->have_registry = true;
        run->next = DIAG_SERVICES;
        break;
    case DIAG_SERVICES:
        for (int s = 0; s < SERVICE_COUNT; s++)
            o->svc_st[s] = be->ops->service_query(be, service_info((enum service_id)s)->name,
                                                  &o->services[s], &scratch);
        o->have_services = true;
        run->next = DIAG_LAST;
        break;
    case DIAG_LAST:
        o->last_st = be->ops->last_connection(be, run->profile, &o->last, &scratch);
        o->last_stale = o->last_st == L2F_OK && changed_since(run, &o->last);
        o->have_last = true;
        run->next = DIAG_PROBE;
        break;
    case DIAG_PROBE:
        if (probe_part(run)) {
            o->have_probe = true;
            run->next = DIAG_KEY;
        }
        break;
    case DIAG_KEY:
        o->have_lcp_seen = hs_lcp_recall(run->cache_dir, o->profile.server, &o->lcp_seen);
        o->have_ikev2_seen = ikev2_recall(run->cache_dir, o->profile.server, &o->ikev2_seen);
        observe_root(be, o);
        /* only with a key at hand, and only where IKE answers */
        if (run->psk && o->profile.server[0] && o->probe_st == L2F_OK &&
            (o->probe.ike500 == PROBE_ACCEPTED || o->probe.ike4500 == PROBE_ACCEPTED)) {
            /* NAT-D in messages 3 and 4 says what the probe could not: whether the server is behind
             * NAT */
            int client_nat = o->probe.client_behind_nat, server_nat = o->probe.server_behind_nat;
            o->key_st = diagnose_check_key(be, run->real_probe, run->cache_dir, o->profile.server,
                                           run->psk, &o->key, &client_nat, &server_nat, &scratch);
            if (o->probe.server_behind_nat < 0)
                o->probe.server_behind_nat = server_nat;
            if (o->probe.client_behind_nat < 0)
                o->probe.client_behind_nat = client_nat;
            o->have_key = true;
        } else if (!run->psk && run->key_told && o->profile.server[0] &&
                   strcmp(run->told_server, o->profile.server) == 0) {
            o->key_st = L2F_OK; /* the server already said, when the key was typed */
            o->key = run->told_key;
            o->key_typed = o->have_key = true;
        }
        run->next = DIAG_DONE;
        break;
    case DIAG_DONE:
        break;
    }
    return run->next != DIAG_DONE;
}

enum l2f_status diagnose_finish(struct diagnose_run *run, struct observations *obs,
                                struct diagnosis *d, struct l2f_err *err)
{
    run->probe_wait_ms = 200; /* nobody waits on keys here */
    while (diagnose_step(run)) {
    }
    *obs = run->obs;
    diagnose_evaluate(obs, d);
    if (run->obs.profile_st != L2F_OK && err)
        *err = run->err;
    return run->obs.profile_st;
}

enum l2f_status diagnose_all(struct backend *be, const char *profile, struct observations *obs,
                             struct diagnosis *d, struct l2f_err *err)
{
    struct diagnose_run run;
    diagnose_start(&run, be, profile);
    return diagnose_finish(&run, obs, d, err);
}

static void set(struct check_result *r, enum check_status st, enum fix_id fix, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void set(struct check_result *r, enum check_status st, enum fix_id fix, const char *fmt, ...)
{
    va_list ap;
    r->status = st;
    r->fix = (st == CHECK_FAIL || st == CHECK_WARN) ? fix : FIX_NONE;
    r->fix_is_alternative = r->fix != FIX_NONE && fix_info(r->fix)->kind != FIX_RECOMMENDED;
    va_start(ap, fmt);
    vsnprintf(r->summary, sizeof r->summary, fmt, ap);
    va_end(ap);
}

static void running(struct check_result *r)
{
    set(r, CHECK_RUNNING, FIX_NONE, "checking...");
}

static void eval_server_address(const struct observations *o, struct check_result *r)
{
    const char *server = o->profile.server;
    if (!server[0])
        set(r, CHECK_FAIL, FIX_NONE, "PhoneNumber is empty: the profile names no server");
    else if (strchr(server, ' ') || strchr(server, '/') || strchr(server, '\\'))
        set(r, CHECK_FAIL, FIX_NONE, "PhoneNumber=%s is not a host name or address", server);
    else
        set(r, CHECK_PASS, FIX_NONE, "PhoneNumber=%s", server);
}

static void eval_dns(const struct observations *o, struct check_result *r)
{
    const char *server = o->profile.server;
    if (!server[0])
        set(r, CHECK_UNKNOWN, FIX_NONE, "no server name to resolve");
    else if (!o->have_probe)
        running(r);
    else if (o->probe_st != L2F_OK)
        set(r, CHECK_UNKNOWN, FIX_NONE, "%s (not resolved here: %s)", server,
            l2f_status_message(o->probe_st));
    else if (o->probe.literal)
        set(r, CHECK_PASS, FIX_NONE, "%s is an address: nothing to resolve", server);
    else if (o->probe.resolved)
        set(r, CHECK_PASS, FIX_NONE, "%s resolves to %s", server, o->probe.address);
    else
        set(r, CHECK_FAIL, FIX_NONE, "%s does not resolve (Windows: 868)", server);
}

unsigned diagnose_strategy_tunnels(long strategy)
{
    switch (strategy) {
    case VS_PPTP_ONLY:
        return TUN_PPTP;
    case VS_PPTP_FIRST:
        return TUN_PPTP | TUN_L2TP; /* MS-RRASM 2.2.2.2.11: then L2TP */
    case VS_L2TP_ONLY:
        return TUN_L2TP;
    case VS_L2TP_FIRST:
        return TUN_L2TP | TUN_PPTP | TUN_IKEV2;
    case VS_SSTP_ONLY:
        return TUN_SSTP;
    case VS_IKEV2_ONLY:
        return TUN_IKEV2;
    case VS_IKEV2_FIRST:
        return TUN_IKEV2 | TUN_PPTP | TUN_L2TP;
    default:
        return TUN_ANY; /* automatic, SSTP first (its fallback is not documented), unknown values */
    }
}

/* The protocol a profile names first, when it is not L2TP/IPsec (PPTP, SSTP, IKEv2). */
static const char *first_tunnel_name(long vs)
{
    switch (vs) {
    case VS_PPTP_ONLY:
    case VS_PPTP_FIRST:
        return "PPTP";
    case VS_SSTP_ONLY:
    case VS_SSTP_FIRST:
        return "SSTP";
    case VS_IKEV2_ONLY:
    case VS_IKEV2_FIRST:
        return "IKEv2";
    default:
        return NULL;
    }
}

static bool probe_asked(const struct observations *o)
{
    return o->have_probe && o->probe_st == L2F_OK && o->probe.resolved;
}

/* The evidence that makes L2TP/IPsec the better type: the server was asked and
 * answers IKEv1 on UDP 500 but not the profile's own protocol. The probe asks
 * IKEv2 only: for PPTP and SSTP there is no such evidence. */
static bool l2tp_answers_instead(const struct observations *o, long vs)
{
    bool ikev2_profile = vs == VS_IKEV2_ONLY || vs == VS_IKEV2_FIRST;
    return ikev2_profile && probe_asked(o) && o->probe.ike500 == PROBE_ACCEPTED &&
           o->probe.ikev2 != PROBE_ACCEPTED;
}

/* tunnel-l2tp on a profile naming another protocol: an alternative, unless evidence. */
static void eval_other_vpn_type(const struct observations *o, struct check_result *r, long vs)
{
    const char *own = first_tunnel_name(vs);
    bool only = !(diagnose_strategy_tunnels(vs) & TUN_L2TP);
    if (l2tp_answers_instead(o, vs)) {
        set(r, only ? CHECK_FAIL : CHECK_WARN, FIX_TUNNEL_L2TP,
            "VpnStrategy=%ld: %s; %s answered IKEv1 on UDP 500 (L2TP/IPsec) but not %s (%s): "
            "tunnel-l2tp recommended",
            vs, vpn_strategy_name(vs), o->probe.address, own, probe_outcome_id(o->probe.ikev2));
        r->fix_is_alternative = false;
        return;
    }
    if (only)
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "not an L2TP/IPsec profile (VpnStrategy=%ld: %s): another kind of VPN; tunnel-l2tp "
            "only as an alternative",
            vs, own);
    else if (probe_asked(o) && o->probe.ikev2 == PROBE_ACCEPTED && vs == VS_IKEV2_FIRST)
        set(r, CHECK_PASS, FIX_NONE,
            "VpnStrategy=%ld: %s, which answered; L2TP/IPsec is tried after it", vs,
            vpn_strategy_name(vs));
    else
        set(r, CHECK_WARN, FIX_NONE,
            "VpnStrategy=%ld: %s, L2TP/IPsec only after it (slower, may end in 800); tunnel-l2tp "
            "as an alternative",
            vs, vpn_strategy_name(vs));
    r->not_applicable = r->other_type = only;
    r->fix = FIX_TUNNEL_L2TP; /* offered on f, never by fix all */
    r->fix_is_alternative = true;
}

static void eval_vpn_type(const struct observations *o, struct check_result *r)
{
    long vs = o->profile.fields[PF_VPN_STRATEGY];
    /* MS-RRASM 2.2.2.2.11: the key is optional, 0 is the default (MPR_VS_Default) */
    if (o->profile.field_absent[PF_VPN_STRATEGY])
        set(r, CHECK_WARN, FIX_TUNNEL_L2TP,
            "VpnStrategy absent: automatic, Windows tries other types first "
            "(slow, may end in 800); the fix writes VpnStrategy=3 in");
    else if (vs == VS_L2TP_ONLY || vs == VS_L2TP_FIRST)
        set(r, CHECK_PASS, FIX_TUNNEL_L2TP, "VpnStrategy=%ld: %s", vs, vpn_strategy_name(vs));
    else if (vs == VS_DEFAULT)
        set(r, CHECK_WARN, FIX_TUNNEL_L2TP,
            "VpnStrategy=0: automatic, Windows tries other types first (slow, may end in 800)");
    else if (first_tunnel_name(vs))
        eval_other_vpn_type(o, r, vs);
    else
        set(r, CHECK_FAIL, FIX_TUNNEL_L2TP, "VpnStrategy=%ld: %s, not L2TP/IPsec", vs,
            vpn_strategy_name(vs));
}

static void eval_ike_500(const struct observations *o, struct check_result *r)
{
    if (!o->have_probe)
        running(r);
    else if (o->probe_st != L2F_OK)
        set(r, CHECK_UNKNOWN, FIX_NONE, "not probed: %s", l2f_status_message(o->probe_st));
    else if (!o->probe.resolved)
        set(r, CHECK_UNKNOWN, FIX_NONE, "not probed: the server name does not resolve");
    else if (o->probe.ike500 == PROBE_ACCEPTED || o->probe.ike500 == PROBE_NO_PROPOSAL)
        set(r, CHECK_PASS, FIX_NONE, "%s answered IKE on UDP 500", o->probe.address);
    else if (o->probe.ike500 == PROBE_NO_ANSWER)
        set(r, CHECK_FAIL, FIX_NONE, "no answer from %s on UDP 500: filtered or down (809)",
            o->probe.address);
    else
        set(r, CHECK_UNKNOWN, FIX_NONE, "probe of %s failed", o->probe.address);
}

static void eval_ike_4500(const struct observations *o, struct check_result *r)
{
    if (!o->have_probe)
        running(r);
    else if (o->probe_st != L2F_OK || !o->probe.resolved)
        set(r, CHECK_UNKNOWN, FIX_NONE, "not probed");
    else if (o->probe.ike4500 == PROBE_ACCEPTED || o->probe.ike4500 == PROBE_NO_PROPOSAL)
        set(r, CHECK_PASS, FIX_NONE, "%s answered IKE on UDP 4500", o->probe.address);
    else if (o->probe.ike4500 != PROBE_NO_ANSWER)
        set(r, CHECK_UNKNOWN, FIX_NONE, "probe on UDP 4500 failed");
    else if (o->probe.ike500 != PROBE_ACCEPTED && o->probe.ike500 != PROBE_NO_PROPOSAL)
        set(r, CHECK_UNKNOWN, FIX_NONE, "no answer on 4500 either: see ike-500");
    else if (o->probe.client_behind_nat == 0)
        set(r, CHECK_PASS, FIX_NONE, "no answer on UDP 4500; not needed without NAT");
    else
        set(r, CHECK_WARN, FIX_NONE,
            "500 answers, 4500 does not: behind NAT the connection times out (809)");
}

static void eval_services(const struct observations *o, struct check_result *r)
{
    static const enum service_id needed[] = {SVC_IKEEXT, SVC_POLICYAGENT, SVC_BFE};
    char down[160] = "";
    bool any_down = false, bfe_disabled = false, unknown = false;
    if (!o->have_services) {
        running(r);
        return;
    }
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        enum service_id s = needed[i];
        size_t l = strlen(down);
        if (o->svc_st[s] != L2F_OK) {
            unknown = true;
            continue;
        }
        if (o->services[s].state == SVC_RUNNING)
            continue;
        any_down = true;
        bool disabled = o->services[s].start_type == SVC_START_DISABLED;
        bfe_disabled |= s == SVC_BFE && disabled;
        snprintf(down + l, sizeof down - l, "%s%s %s", l ? ", " : "", service_info(s)->name,
                 disabled ? "disabled" : "stopped");
    }
    /* 827 names IKEEXT and BFE only; PolicyAgent is Manual and starts on demand */
    bool keying_down =
        o->svc_st[SVC_IKEEXT] == L2F_OK && o->services[SVC_IKEEXT].state != SVC_RUNNING;
    keying_down |= o->svc_st[SVC_BFE] == L2F_OK && o->services[SVC_BFE].state != SVC_RUNNING;
    if (any_down && bfe_disabled)
        set(r, CHECK_FAIL, FIX_NONE, "%s: set BFE to Automatic in services.msc (827)", down);
    else if (keying_down)
        set(r, CHECK_FAIL, FIX_RESTART_IPSEC_SERVICES, "%s (Windows: 827)", down);
    else if (any_down)
        set(r, CHECK_WARN, FIX_RESTART_IPSEC_SERVICES,
            "%s: not an 827 cause while IKEEXT and BFE run (PolicyAgent is Manual by default, "
            "started on demand)",
            down);
    else if (unknown)
        set(r, CHECK_UNKNOWN, FIX_NONE, "could not query every IPsec service");
    else
        set(r, CHECK_PASS, FIX_NONE, "IKEEXT, PolicyAgent and BFE running");
}

/* An installed update known to break IPsec: a 789 then says nothing of the key. */
static bool update_breaks_ipsec(const struct observations *o)
{
    const struct winupdate_break *row;
    return o->have_machine && !o->machine_unsupported && o->machine.os_st == L2F_OK &&
           winupdate_judge(o->machine.os_build, o->machine.os_ubr, &row) == WINUPDATE_BROKEN;
}

static void eval_windows_update(const struct observations *o, struct check_result *r)
{
    const struct machine_info *m = &o->machine;
    const struct winupdate_break *row;
    if (!o->have_machine)
        running(r);
    else if (o->machine_unsupported)
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "the OS build is not known here: it is read on the machine");
    else if (m->os_st != L2F_OK)
        set(r, CHECK_UNKNOWN, FIX_NONE, "the OS build could not be read: %s",
            l2f_status_message(m->os_st));
    else if (!m->os_build) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "no OS build to judge (the scenario names none)");
        r->not_applicable = true;
    } else {
        unsigned b = m->os_build, u = m->os_ubr;
        switch (winupdate_judge(b, u, &row)) {
        case WINUPDATE_BROKEN:
            set(r, CHECK_FAIL, FIX_NONE,
                "OS build %u.%u: %s of %s breaks L2TP/IPsec with servers that send a Vendor ID; "
                "install %s (%u.%u) or any later cumulative update",
                b, u, row->bad_kb, row->date_bad, row->fix_kb, b, row->fixed_ubr);
            break;
        case WINUPDATE_FIXED:
            set(r, CHECK_PASS, FIX_NONE, "OS build %u.%u: has %s's fix for %s's IPsec break", b, u,
                row->fix_kb, row->bad_kb);
            break;
        case WINUPDATE_BEFORE:
            set(r, CHECK_PASS, FIX_NONE,
                "OS build %u.%u: before %s (%u.%u), which broke IPsec; take %s or later with it", b,
                u, row->bad_kb, b, row->bad_ubr, row->fix_kb);
            break;
        case WINUPDATE_UNAFFECTED:
            set(r, CHECK_PASS, FIX_NONE, "OS build %u.%u: no known update breaks L2TP on it", b, u);
            break;
        }
    }
}

static void describe_reg(const struct observations *o, enum regval_id id, char *buf, size_t len)
{
    if (o->reg_exists[id])
        snprintf(buf, len, "%s=%lu", regval_info(id)->value, o->reg[id]);
    else
        snprintf(buf, len, "%s not set", regval_info(id)->value);
}

static void eval_nat(const struct observations *o, struct check_result *r)
{
    char val[96];
    if (!o->have_registry || !o->have_probe) {
        running(r);
        return;
    }
    if (o->reg_st[REGVAL_NAT_TRAVERSAL] != L2F_OK) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "registry not readable: %s",
            l2f_status_message(o->reg_st[REGVAL_NAT_TRAVERSAL]));
        return;
    }
    describe_reg(o, REGVAL_NAT_TRAVERSAL, val, sizeof val);
    unsigned long v = o->reg_exists[REGVAL_NAT_TRAVERSAL] ? o->reg[REGVAL_NAT_TRAVERSAL] : 0;
    int client = o->probe_st == L2F_OK ? o->probe.client_behind_nat : -1;
    int server = o->probe_st == L2F_OK ? o->probe.server_behind_nat : -1;
    if (server == 1) {
        unsigned long need = client == 1 ? 2 : 1;
        if (v >= need)
            set(r, CHECK_PASS, FIX_NONE, "%s: enough with the server behind NAT", val);
        else
            set(r, CHECK_FAIL, FIX_NAT_TRAVERSAL,
                "%s; server%s behind NAT: Windows sets up no SA (809)", val,
                client == 1 ? " and client" : "");
    } else if (server == 0) {
        set(r, CHECK_PASS, FIX_NONE, "%s: not needed, the server is not behind NAT", val);
    } else if (v >= 2) {
        set(r, CHECK_PASS, FIX_NONE, "%s: allows client and server behind NAT", val);
    } else if (client == 1) {
        set(r, CHECK_WARN, FIX_NAT_TRAVERSAL,
            "%s; this client is behind NAT: if the server is too, Windows needs 2 (809)", val);
    } else {
        set(r, CHECK_UNKNOWN, FIX_NONE, "%s; whether the server is behind NAT is not known", val);
    }
}

static void eval_prohibit(const struct observations *o, struct check_result *r)
{
    char val[96];
    if (!o->have_registry) {
        running(r);
        return;
    }
    if (o->reg_st[REGVAL_PROHIBIT_IPSEC] != L2F_OK) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "registry not readable: %s",
            l2f_status_message(o->reg_st[REGVAL_PROHIBIT_IPSEC]));
        return;
    }
    describe_reg(o, REGVAL_PROHIBIT_IPSEC, val, sizeof val);
    bool prohibited = o->reg_exists[REGVAL_PROHIBIT_IPSEC] && o->reg[REGVAL_PROHIBIT_IPSEC] != 0;
    bool psk = o->profile.fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK;
    if (!prohibited)
        set(r, CHECK_PASS, FIX_NONE, "%s: Windows creates the L2TP IPsec policy", val);
    else if (psk)
        set(r, CHECK_FAIL, FIX_ALLOW_IPSEC,
            "%s: no automatic IPsec policy, the PSK profile cannot start IPsec", val);
    else
        set(r, CHECK_WARN, FIX_ALLOW_IPSEC,
            "%s: works only with a manually configured IPsec policy", val);
}

/* The PPP checks' verdicts, needed to read a last 789 as evidence. */
static bool ppp_options_right(const struct vpn_profile *p)
{
    return profile_allows_mschapv2(p->fields[PF_AUTH_RESTRICTIONS]) &&
           p->fields[PF_LCP_EXTENSIONS] != 0;
}

/* Which key psk-matches judged: given with --psk-file, or typed for use-psk. */
static const char *key_name(const struct observations *o)
{
    return o->key_typed ? "typed for use-psk" : "given";
}

/* A certificate profile: use-psk is recommended only when the server took a key from here. */
static void eval_psk_on_cert_profile(const struct observations *o, struct check_result *r,
                                     const char *val)
{
    bool offline = o->profile.secrets_unknown;
    if (o->have_key && o->key_st == L2F_OK && o->key == PSK_ACCEPTED) {
        set(r, CHECK_WARN, offline ? FIX_NONE : FIX_USE_PSK,
            "%s: certificate authentication, but the server verified the key %s: it uses a "
            "pre-shared key; use-psk%s",
            val, key_name(o), offline ? " on the Windows machine" : "");
        r->fix_is_alternative = false;
        return;
    }
    set(r, CHECK_UNKNOWN, offline ? FIX_NONE : FIX_USE_PSK,
        "%s: certificate authentication, which machine-certificate judges; use-psk only if the "
        "server uses a pre-shared key (test one with --psk-file)",
        val);
    r->not_applicable = true;
    r->fix = offline ? FIX_NONE : FIX_USE_PSK; /* offered on f, never by fix all */
    r->fix_is_alternative = !offline;
}

static void eval_psk(const struct observations *o, struct check_result *r)
{
    const struct vpn_profile *p = &o->profile;
    long flags = p->fields[PF_IPSEC_FLAGS];
    if (!(flags & IPSEC_FLAG_PSK)) {
        /* offline the key cannot be saved with it: the fix belongs on the machine */
        char val[48];
        if (p->field_absent[PF_IPSEC_FLAGS])
            snprintf(val, sizeof val, "IpSecFlags not in the entry");
        else
            snprintf(val, sizeof val, "IpSecFlags=%ld", flags);
        eval_psk_on_cert_profile(o, r, val);
        return;
    }
    if (p->secrets_unknown) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "IpSecFlags=%ld; the key is not in the phonebook file",
            flags);
        return;
    }
    if (!p->psk_saved) {
        set(r, CHECK_FAIL, FIX_USE_PSK, "IpSecFlags=%ld but no pre-shared key is saved", flags);
        return;
    }
    if (!o->have_last) {
        running(r);
        return;
    }
    /* A saved key cannot be read back; a 789 with the PPP options right
     * points at the key, but only points. */
    bool last_789 = o->last_st == L2F_OK && o->last.known && !o->last_stale && o->last.code == 789;
    if (last_789 && update_breaks_ipsec(o))
        set(r, CHECK_PASS, FIX_NONE,
            "IpSecFlags=%ld, a key is saved; the last 789 is what this machine's Windows update "
            "causes (see windows-update), not evidence against the key",
            flags);
    else if (last_789 && ppp_options_right(p))
        set(r, CHECK_WARN, FIX_USE_PSK,
            "a key is saved, but the last connection failed with 789 and PPP is right: it may "
            "not be the server's key");
    else
        set(r, CHECK_PASS, FIX_NONE,
            "IpSecFlags=%ld, a key is saved (its value cannot be read back)", flags);
}

/* What Windows' last attempt says of the server's certificate: 787 or 835, or 0. */
static int server_cert_code(const struct observations *o)
{
    bool seen = o->last_st == L2F_OK && o->last.known && !o->last_stale;
    return seen && (o->last.code == 787 || o->last.code == 835) ? o->last.code : 0;
}

/* A qualifying machine certificate; the last attempt may still say the server's did not. */
static void machine_cert_valid(const struct observations *o, struct check_result *r)
{
    const struct machine_cert *c = &o->cert;
    int code = server_cert_code(o);
    if (code == 787)
        set(r, CHECK_WARN, FIX_NONE,
            "%s (until %s) qualifies; the last attempt failed with 787: IPsec could not "
            "authenticate the server (its certificate, or its CA not trusted here)",
            c->subject, c->not_after);
    else if (code == 835)
        set(r, CHECK_WARN, FIX_NONE,
            "%s (until %s) qualifies; the last attempt failed with 835: the server's certificate "
            "does not match the server the profile names (%s)",
            c->subject, c->not_after, o->profile.server);
    else
        set(r, CHECK_PASS, FIX_NONE,
            "%s, valid until %s, with its private key and Client Authentication, chains to a "
            "trusted root",
            c->subject, c->not_after);
}

static void eval_machine_cert(const struct observations *o, struct check_result *r)
{
    long flags = o->profile.fields[PF_IPSEC_FLAGS];
    const struct machine_cert *c = &o->cert;
    char tally[96];
    if (flags & IPSEC_FLAG_PSK) {
        /* like psk-matches without a key: nothing of this profile to judge */
        set(r, CHECK_UNKNOWN, FIX_NONE, "IpSecFlags=%ld: a pre-shared key, no certificate to judge",
            flags);
        r->not_applicable = true;
    } else if (!o->have_cert || (c->state == CERT_VALID && !o->have_last))
        running(r);
    else if (o->cert_unsupported)
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "the computer's certificate store is not known here: it is read on the machine");
    else if (o->cert_st != L2F_OK)
        set(r, CHECK_UNKNOWN, FIX_NONE, "LocalMachine\\My could not be read: %s",
            l2f_status_message(o->cert_st));
    else if (c->state == CERT_NONE)
        set(r, CHECK_FAIL, FIX_NONE,
            "no certificate in LocalMachine\\My: Windows fails with 766; ask your PKI for a "
            "computer certificate");
    else if (c->state != CERT_VALID) {
        machine_cert_tally(c, tally, sizeof tally);
        set(r, CHECK_FAIL, FIX_NONE, "none qualifies (13806): the best, %s (until %s), %s; %s",
            c->subject, c->not_after, cert_state_why(c->state), tally);
    } else
        machine_cert_valid(o, r);
}

/* AllowL2TPWeakCrypto read and not 0: Windows adds DES and MD5 to its offer. */
static bool weak_crypto_on(const struct observations *o)
{
    return o->have_registry && o->reg_st[REGVAL_WEAK_CRYPTO] == L2F_OK &&
           o->reg_exists[REGVAL_WEAK_CRYPTO] && o->reg[REGVAL_WEAK_CRYPTO] != 0;
}

/* Windows' offer in a few words, beside what the server accepts (net/probeenum). */
static const char *windows_offer_text(bool weak)
{
    return weak
               ? "aes/3des/des with sha1/md5 (AllowL2TPWeakCrypto=1), ecp384 to modp1024"
               : "aes/3des with sha1, ecp384 to modp1024; no des/md5 (AllowL2TPWeakCrypto not set)";
}

static void join_accepts(const struct probe_accepts *a, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < a->count; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", a->names[i]);
    }
}

/* NO-PROPOSAL-CHOSEN on 500: the remedy from what the enumeration found. */
static void eval_refused_offer(const struct observations *o, struct check_result *r)
{
    const struct probe_accepts *a = &o->probe.accepts;
    char accepts[PROBE_ACCEPTS_MAX * PROBE_TRANSFORM_NAME + 8], add[PROBE_TRANSFORM_NAME] = "";
    bool weak = weak_crypto_on(o);
    enum proposal_remedy remedy = o->probe.enumerated
                                      ? probe_proposal_remedy(a->names, a->count, add, sizeof add)
                                      : REMEDY_UNKNOWN;
    join_accepts(a, accepts, sizeof accepts);
    if (!o->probe.enumerated || remedy == REMEDY_UNKNOWN)
        set(r, CHECK_FAIL, FIX_NONE,
            "NO-PROPOSAL-CHOSEN: the server accepts none of Windows' proposals (788)%s; change "
            "the server: add %s to its IKE proposals",
            o->probe.enumerated ? " nor any transform tried" : "",
            add[0] ? add : "aes256-sha1-modp2048");
    else if (remedy == REMEDY_WEAK_CRYPTO && weak)
        set(r, CHECK_WARN, FIX_NONE,
            "the server accepts only %s (DES/MD5), which Windows offers since "
            "AllowL2TPWeakCrypto=%lu: it connects, weakly; upgrade the server",
            accepts, o->reg[REGVAL_WEAK_CRYPTO]);
    else if (remedy == REMEDY_WEAK_CRYPTO)
        set(r, CHECK_FAIL, FIX_ALLOW_WEAK_CRYPTO,
            "NO-PROPOSAL-CHOSEN (788): the server accepts only %s; Windows offers %s: "
            "allow-weak-crypto, or better, upgrade the server",
            accepts, windows_offer_text(weak));
    else
        set(r, CHECK_FAIL, FIX_NONE,
            "NO-PROPOSAL-CHOSEN (788): the server accepts %s; Windows offers %s: add %s to the "
            "server's IKE proposals",
            accepts, windows_offer_text(weak), add);
}

static void eval_proposals(const struct observations *o, struct check_result *r)
{
    if (!o->have_probe)
        running(r);
    else if (o->probe_st != L2F_OK || !o->probe.resolved)
        set(r, CHECK_UNKNOWN, FIX_NONE, "not probed");
    else if (o->probe.ike500 == PROBE_ACCEPTED)
        set(r, CHECK_PASS, FIX_NONE, "the server chose %s",
            o->probe.transform[0] ? o->probe.transform : "one of Windows' proposals");
    else if (o->probe.ike500 == PROBE_NO_PROPOSAL)
        eval_refused_offer(o, r);
    else
        set(r, CHECK_UNKNOWN, FIX_NONE, "no IKE answer to judge by");
}

static void eval_psk_matches(const struct observations *o, struct check_result *r)
{
    if (!o->have_probe)
        running(r);
    else if (!o->have_key) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "no key at hand to test (give --psk-file FILE)");
        r->not_applicable = true;
    } else if (o->key_st != L2F_OK)
        set(r, CHECK_UNKNOWN, FIX_NONE, "the key could not be tested: %s",
            l2f_status_message(o->key_st));
    else if (o->key == PSK_ACCEPTED)
        set(r, CHECK_PASS, FIX_NONE, "the server verified the key %s (main mode completed)",
            key_name(o));
    else if (o->key == PSK_REJECTED)
        set(r, CHECK_FAIL, FIX_USE_PSK, "the server rejects the key %s: phase 1 fails (789)",
            key_name(o));
    else
        set(r, CHECK_UNKNOWN, FIX_NONE, "the exchange stopped before the key%s was tested",
            o->key_typed ? " typed for use-psk" : "");
}

/* YYYY-MM-DD (UTC) of seconds since 1970, by the civil calendar (gmtime is not reentrant) */
/* "2026-12-03" of a record's seconds since 1970 */
static void utc_date(long long t, char *buf, size_t cap)
{
    char iso[32];
    plat_time_iso_at(t, iso);
    snprintf(buf, cap, "%.10s", iso);
}

/* "on DATE at STAGE (CODE): REASON" of a failed handshake --ikev2 on record */
static void ikev2_failure(const struct ikev2_seen *s, char *buf, size_t cap)
{
    char date[48];
    utc_date(s->when, date, sizeof date);
    snprintf(buf, cap, "on %s at %s (%d): %.160s", date, ikev2_stage_id(s->stage), s->code,
             s->reason);
}

static void ikev2_success(const struct ikev2_seen *s, char *buf, size_t cap)
{
    char date[48];
    utc_date(s->when, date, sizeof date);
    snprintf(buf, cap,
             "IKEv2 with EAP-MSCHAPv2 worked from here on %s: server authenticated, user accepted",
             date);
}

/* ikev2-available on a profile that uses IKEv2: the answer judges the profile's own protocol. */
static void eval_ikev2_own(const struct observations *o, struct check_result *r, bool l2tp_ok)
{
    char seen[300];
    if (o->probe.ikev2 == PROBE_ACCEPTED && o->have_ikev2_seen && !o->ikev2_seen.ok) {
        ikev2_failure(&o->ikev2_seen, seen, sizeof seen);
        set(r, CHECK_FAIL, FIX_NONE, "IKEv2 answers, but the exchange from here failed %s", seen);
    } else if (o->probe.ikev2 == PROBE_ACCEPTED && o->have_ikev2_seen) {
        ikev2_success(&o->ikev2_seen, seen, sizeof seen);
        set(r, CHECK_PASS, FIX_NONE, "%s", seen);
    } else if (o->probe.ikev2 == PROBE_ACCEPTED)
        set(r, CHECK_PASS, FIX_NONE, "IKEv2 answers: the protocol this profile uses");
    else if (l2tp_ok)
        set(r, CHECK_FAIL, FIX_NONE,
            "IKEv2 did not answer (%s), which this profile uses; L2TP/IPsec answers: see vpn-type",
            probe_outcome_id(o->probe.ikev2));
    else
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "the server accepted neither an IKEv2 offer (%s) nor L2TP/IPsec's (UDP 500: %s)",
            probe_outcome_id(o->probe.ikev2), probe_outcome_id(o->probe.ike500));
}

/* ikev2-available on an L2TP profile whose server answered IKE_SA_INIT: the
 * switch rests on what `handshake --ikev2` saw from here, if it ran. */
static void eval_ikev2_switch(const struct observations *o, struct check_result *r, bool l2tp_ok)
{
    char seen[300];
    const char *where = l2tp_ok ? "IKEv2 answers too" : "IKEv2 answers where L2TP/IPsec does not";
    if (o->have_ikev2_seen && !o->ikev2_seen.ok) {
        ikev2_failure(&o->ikev2_seen, seen, sizeof seen);
        set(r, l2tp_ok ? CHECK_PASS : CHECK_WARN, FIX_NONE,
            "%s, but the exchange from here failed %s: no switch offered", where, seen);
    } else if (o->have_ikev2_seen) {
        ikev2_success(&o->ikev2_seen, seen, sizeof seen);
        set(r, l2tp_ok ? CHECK_PASS : CHECK_WARN, FIX_SWITCH_IKEV2, "%s; %s", where, seen);
        /* evidence: recommended where L2TP/IPsec does not answer, else an alternative */
        r->fix = FIX_SWITCH_IKEV2;
        r->fix_is_alternative = l2tp_ok;
    } else if (!l2tp_ok)
        set(r, CHECK_WARN, FIX_SWITCH_IKEV2,
            "%s: an IKEv2 profile may connect; not tested: run %s handshake %s --ikev2 --user NAME",
            where, o->probe_hint ? o->probe_hint : "l2tpfix", o->profile.server);
    else
        set(r, CHECK_PASS, FIX_NONE, "IKEv2 answers too: an alternative if L2TP keeps failing");
}

static void eval_ikev2(const struct observations *o, struct check_result *r)
{
    if (!o->have_probe) {
        running(r);
        return;
    }
    long vs = o->profile.fields[PF_VPN_STRATEGY];
    bool own = vs == VS_IKEV2_ONLY || vs == VS_IKEV2_FIRST;
    if (!probe_asked(o)) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "not probed%s", own ? "" : ": no switch offered");
        return;
    }
    bool l2tp_ok = o->probe.ike500 == PROBE_ACCEPTED || o->probe.ike4500 == PROBE_ACCEPTED;
    bool v2 = o->probe.ikev2 == PROBE_ACCEPTED;
    if (own)
        eval_ikev2_own(o, r, l2tp_ok);
    else if (v2)
        eval_ikev2_switch(o, r, l2tp_ok);
    else if (l2tp_ok)
        set(r, CHECK_PASS, FIX_NONE,
            "no IKEv2 offer accepted; L2TP/IPsec answers, which is what this profile uses; no "
            "switch offered (IKEv2: %s)",
            probe_outcome_id(o->probe.ikev2));
    else
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "the server accepted neither an IKEv2 offer (%s) nor L2TP/IPsec's (UDP 500: %s): no "
            "switch offered",
            probe_outcome_id(o->probe.ikev2), probe_outcome_id(o->probe.ike500));
}

/* allow-weak-crypto weakens every L2TP tunnel of the machine: only for a server
 * seen to accept nothing but DES/MD5 that Windows would offer with it. */
static bool weak_crypto_refused(const struct observations *o, char *why, size_t len)
{
    char add[PROBE_TRANSFORM_NAME];
    if (probe_asked(o) && o->probe.ike500 == PROBE_NO_PROPOSAL && o->probe.enumerated &&
        probe_proposal_remedy(o->probe.accepts.names, o->probe.accepts.count, add, sizeof add) ==
            REMEDY_WEAK_CRYPTO)
        return false;
    snprintf(why, len, "allow-weak-crypto not offered: %s; DES/MD5 would only weaken the tunnel",
             !probe_asked(o)                        ? "the server was not probed"
             : o->probe.ike500 == PROBE_ACCEPTED    ? "the server accepts Windows' proposals"
             : o->probe.ike500 != PROBE_NO_PROPOSAL ? "the server did not answer IKE on UDP 500"
                                                    : "the server was not seen to accept DES/MD5 "
                                                      "that Windows would offer");
    return true;
}

bool diagnose_fix_refused(const struct observations *o, enum fix_id fix, char *why, size_t len)
{
    if (fix == FIX_ALLOW_WEAK_CRYPTO)
        return weak_crypto_refused(o, why, len);
    if (fix == FIX_SWITCH_IKEV2 && o->have_ikev2_seen && !o->ikev2_seen.ok) {
        char seen[300];
        ikev2_failure(&o->ikev2_seen, seen, sizeof seen);
        snprintf(why, len, "switch-ikev2 not offered: IKEv2 failed from here %s", seen);
        return true;
    }
    if (fix != FIX_SWITCH_IKEV2 || (probe_asked(o) && o->probe.ikev2 == PROBE_ACCEPTED))
        return false;
    if (!probe_asked(o))
        snprintf(why, len, "switch-ikev2 not offered: the server was not asked for IKEv2 (%s)",
                 !o->have_probe          ? "no probe yet"
                 : o->probe_st != L2F_OK ? l2f_status_message(o->probe_st)
                                         : "its name does not resolve");
    else
        snprintf(why, len,
                 "switch-ikev2 not offered: IKEv2 did not answer (%s from %s): a switch would not "
                 "connect",
                 probe_outcome_id(o->probe.ikev2), o->probe.address);
    return true;
}

static void eval_mschapv2(const struct observations *o, struct check_result *r)
{
    long ar = o->profile.fields[PF_AUTH_RESTRICTIONS];
    if (o->profile.field_absent[PF_AUTH_RESTRICTIONS]) {
        /* no documented default: unknown, and the fix only offered (no evidence it is needed) */
        set(r, CHECK_UNKNOWN, FIX_MSCHAPV2,
            "AuthRestrictions absent: Windows' default is not documented; `fix mschapv2` writes "
            "MS-CHAP v2 in");
        r->fix = FIX_MSCHAPV2; /* set() keeps a fix only on a problem: this one is offered */
        r->fix_is_alternative = true;
        return;
    }
    char what[96];
    auth_restrictions_describe(ar, what, sizeof what);
    if (profile_allows_mschapv2(ar))
        set(r, CHECK_PASS, FIX_MSCHAPV2, "AuthRestrictions=%ld: %s", ar, what);
    else if (ar & AR_EAP)
        set(r, CHECK_FAIL, FIX_MSCHAPV2, "AuthRestrictions=%ld: EAP only, MS-CHAP v2 not allowed",
            ar);
    else
        set(r, CHECK_FAIL, FIX_MSCHAPV2, "AuthRestrictions=%ld: %s; MS-CHAP v2 not allowed", ar,
            what);
}

/* A handshake's verdict that means the server minds: it ended the session or never answered. */
static bool lcp_minded(enum hs_lcp_ext v)
{
    return v == HS_LCP_EXT_DROPPED || v == HS_LCP_EXT_IGNORED;
}

static const char *lcp_minded_how(enum hs_lcp_ext v)
{
    return v == HS_LCP_EXT_DROPPED ? "dropped the session" : "did not answer LCP";
}

/* The profile's setting judged by what handshakes from here saw the server do
 * with it (the guide's claim tested): only what was observed is said. */
static void eval_lcp_seen(const struct observations *o, struct check_result *r, bool on,
                          const char *setting)
{
    enum hs_lcp_ext mine = on ? o->lcp_seen.on : o->lcp_seen.off;
    enum hs_lcp_ext other = on ? o->lcp_seen.off : o->lcp_seen.on;
    char seen[96];
    snprintf(seen, sizeof seen, "handshakes from here: on %s, off %s",
             hs_lcp_ext_id(o->lcp_seen.on) ? hs_lcp_ext_id(o->lcp_seen.on) : "not tried",
             hs_lcp_ext_id(o->lcp_seen.off) ? hs_lcp_ext_id(o->lcp_seen.off) : "not tried");
    if (mine == HS_LCP_EXT_NONE)
        set(r, on ? CHECK_PASS : CHECK_FAIL, on ? FIX_NONE : FIX_LCP_EXTENSIONS, "%s (%s)", setting,
            seen);
    else if (!lcp_minded(mine))
        set(r, CHECK_PASS, FIX_NONE, "%s; this server %s (%s)", setting,
            other != HS_LCP_EXT_NONE && !lcp_minded(other) ? "does not mind them either way"
                                                           : "goes on with this setting",
            seen);
    else if (on)
        set(r, CHECK_WARN, FIX_NONE, "%s; this server %s with them on%s (%s)", setting,
            lcp_minded_how(mine),
            other != HS_LCP_EXT_NONE && !lcp_minded(other) ? ", not with them off" : "", seen);
    else
        set(r, CHECK_FAIL, FIX_LCP_EXTENSIONS, "%s; this server %s with them off (%s)", setting,
            lcp_minded_how(mine), seen);
}

static void eval_lcp(const struct observations *o, struct check_result *r)
{
    long lcp = o->profile.fields[PF_LCP_EXTENSIONS];
    bool absent = o->profile.field_absent[PF_LCP_EXTENSIONS];
    char setting[96];
    if (absent)
        snprintf(setting, sizeof setting,
                 "LcpExtensions is not in the entry: read as enabled, the API's default");
    else
        snprintf(setting, sizeof setting, "LcpExtensions=%ld: %s", lcp,
                 lcp ? "enabled" : "disabled");
    if (o->have_lcp_seen)
        eval_lcp_seen(o, r, absent || lcp, setting);
    else if (absent || lcp)
        set(r, CHECK_PASS, FIX_NONE, "%s", setting);
    else
        set(r, CHECK_FAIL, FIX_LCP_EXTENSIONS, "%s", setting);
}

static void eval_credentials(const struct observations *o, struct check_result *r)
{
    const struct vpn_profile *p = &o->profile;
    if (p->secrets_unknown)
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "not in the phonebook file: Windows keeps credentials apart");
    else if (!p->username_saved)
        set(r, CHECK_WARN, FIX_CREDENTIALS, "no user name saved: Windows asks when connecting");
    else if (!p->password_saved)
        set(r, CHECK_WARN, FIX_CREDENTIALS, "user '%s', no password saved", p->username);
    else if (!o->have_last)
        running(r);
    else if (o->last_st == L2F_OK && o->last.known && !o->last_stale &&
             (o->last.code == 691 || o->last.code == 812))
        set(r, CHECK_WARN, FIX_CREDENTIALS,
            "user '%s' saved, but the last attempt failed with %d: the server refused the user "
            "name or password, or the authentication protocol",
            p->username, o->last.code);
    else
        set(r, CHECK_PASS, FIX_NONE, "user '%s' with a saved password", p->username);
}

static void eval_last_auth(const struct observations *o, struct check_result *r)
{
    if (!o->have_last) {
        running(r);
        return;
    }
    if (o->last_st == L2F_ERR_UNSUPPORTED) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "not known here: only Windows records connection attempts");
        return;
    }
    if (o->last_st != L2F_OK || !o->last.known) {
        set(r, CHECK_UNKNOWN, FIX_NONE, "no connection attempt recorded");
        return;
    }
    int code = o->last.code;
    const struct kb_entry *kb = kb_lookup(code);
    const char *reach = kb_dial_reach(o->last.reached);
    char shown[40];
    kb_code_text(code, shown, sizeof shown);
    if (o->last_stale)
        set(r, CHECK_UNKNOWN, FIX_NONE,
            "settings changed since the last attempt (%s): run a test connection", shown);
    else if (code == 0)
        set(r, CHECK_PASS, FIX_NONE, "the last connection succeeded");
    else if (code == 691 || code == 812)
        set(r, CHECK_FAIL, FIX_NONE, "last attempt: %s %s%s%s", shown, kb ? kb->name : "",
            reach ? "; the dial " : "", reach ? reach : "");
    else
        set(r, CHECK_UNKNOWN, FIX_NONE, "the last attempt stopped earlier, with %s%s%s%s%s", shown,
            kb ? " " : "", kb ? kb->name : "", reach ? "; the dial " : "", reach ? reach : "");
}

typedef void (*check_fn)(const struct observations *, struct check_result *);

/* X(check, evaluator): model.h knows no evaluator, so the pairing lives here */
#define CHECK_EVALUATORS(X)                                                                        \
    X(CHECK_SERVER_ADDRESS, eval_server_address)                                                   \
    X(CHECK_DNS, eval_dns)                                                                         \
    X(CHECK_VPN_TYPE, eval_vpn_type)                                                               \
    X(CHECK_IKE_500, eval_ike_500)                                                                 \
    X(CHECK_IKE_4500, eval_ike_4500)                                                               \
    X(CHECK_IPSEC_SERVICES, eval_services)                                                         \
    X(CHECK_WINDOWS_UPDATE, eval_windows_update)                                                   \
    X(CHECK_NAT_TRAVERSAL, eval_nat)                                                               \
    X(CHECK_PROHIBIT_IPSEC, eval_prohibit)                                                         \
    X(CHECK_PSK, eval_psk)                                                                         \
    X(CHECK_MACHINE_CERT, eval_machine_cert)                                                       \
    X(CHECK_IKE_PROPOSALS, eval_proposals)                                                         \
    X(CHECK_PSK_MATCHES, eval_psk_matches)                                                         \
    X(CHECK_IKEV2, eval_ikev2)                                                                     \
    X(CHECK_MSCHAPV2, eval_mschapv2)                                                               \
    X(CHECK_LCP_EXTENSIONS, eval_lcp)                                                              \
    X(CHECK_CREDENTIALS, eval_credentials)                                                         \
    X(CHECK_LAST_AUTH, eval_last_auth)

/* One name per evaluated check: a check listed twice redeclares its name, and a
 * check of CHECK_TABLE with no row above is an undeclared name below, so the
 * compiler refuses both instead of a NULL call at run time. */
#define EVALUATED(check, fn) check##_evaluated,
enum { CHECK_EVALUATORS(EVALUATED) };
#undef EVALUATED
#define MUST_BE_EVALUATED(check, ...) check##_must_be_evaluated = check##_evaluated,
enum { CHECK_TABLE(MUST_BE_EVALUATED) };
#undef MUST_BE_EVALUATED

#define EVALUATOR_ROW(check, fn) [check] = fn,
static const check_fn evaluators[CHECK_COUNT] = {CHECK_EVALUATORS(EVALUATOR_ROW)};
#undef EVALUATOR_ROW

/* A stage is as bad as its worst check; it passes only when every check
 * passes, so "unknown" is never rounded up to "pass". */
static enum check_status stage_status(const struct diagnosis *d, enum stage_id s)
{
    bool fail = false, warn = false, run = false, unknown = false, judged = false;
    for (int c = 0; c < CHECK_COUNT; c++) {
        if (check_info((enum check_id)c)->stage != s || d->checks[c].not_applicable)
            continue;
        judged = true;
        switch (d->checks[c].status) {
        case CHECK_FAIL:
            fail = true;
            break;
        case CHECK_WARN:
            warn = true;
            break;
        case CHECK_RUNNING:
            run = true;
            break;
        case CHECK_UNKNOWN:
            unknown = true;
            break;
        case CHECK_PASS:
            break;
        }
    }
    /* no check applies (PPP of an IKEv2 profile): nothing passed either */
    return fail                 ? CHECK_FAIL
           : warn               ? CHECK_WARN
           : run                ? CHECK_RUNNING
           : unknown || !judged ? CHECK_UNKNOWN
                                : CHECK_PASS;
}

/* A reused answer may predate the server admin's last change: say how old, and how to ask again. */
static void note_reused_probe(const struct observations *o, struct diagnosis *d)
{
    static const enum check_id server_side[] = {CHECK_IKE_500, CHECK_IKE_4500, CHECK_IKE_PROPOSALS,
                                                CHECK_IKEV2};
    if (!o->have_profile || o->profile_st != L2F_OK || !o->have_probe || o->probe_st != L2F_OK ||
        !o->probe.reused)
        return;
    d->probe_reused = true;
    d->probe_age_s = o->probe.age_s;
    for (size_t i = 0; i < sizeof server_side / sizeof server_side[0]; i++) {
        char *sum = d->checks[server_side[i]].summary;
        size_t used = strlen(sum), room = sizeof d->checks[0].summary - used;
        int n =
            snprintf(sum + used, room, "; answers from %u s ago (cached; `%s probe %s` asks again)",
                     o->probe.age_s, o->probe_hint ? o->probe_hint : "l2tpfix", o->profile.server);
        if (n < 0 || (size_t)n >= room) /* a long name: the age matters more than the hint */
            snprintf(sum + used, room, "; answers from %u s ago (cached)", o->probe.age_s);
    }
}

bool diagnose_check_applies(const struct vpn_profile *p, enum check_id c)
{
    return (check_info(c)->tunnels & diagnose_strategy_tunnels(p->fields[PF_VPN_STRATEGY])) != 0;
}

/* A check of protocols the profile never tries: neither a problem nor a pass. */
static void not_for_this_type(const struct vpn_profile *p, struct check_result *r)
{
    long vs = p->fields[PF_VPN_STRATEGY];
    set(r, CHECK_UNKNOWN, FIX_NONE, "not an L2TP/IPsec profile (VpnStrategy=%ld: %s)", vs,
        vpn_strategy_name(vs));
    r->not_applicable = true;
    r->other_type = true;
}

const char *check_result_word(const struct check_result *r)
{
    if (!r->not_applicable)
        return check_status_word(r->status);
    return r->other_type ? "n/a" : "skipped";
}

void diagnose_evaluate(const struct observations *o, struct diagnosis *d)
{
    memset(d, 0, sizeof *d);
    for (int c = 0; c < CHECK_COUNT; c++) {
        struct check_result *r = &d->checks[c];
        if (!o->have_profile)
            running(r);
        else if (o->profile_st != L2F_OK)
            set(r, CHECK_UNKNOWN, FIX_NONE, "profile not readable: %s",
                l2f_status_message(o->profile_st));
        else if (!diagnose_check_applies(&o->profile, (enum check_id)c))
            not_for_this_type(&o->profile, r);
        else
            evaluators[c](o, r);
    }
    note_reused_probe(o, d);
    d->server_enumerated = o->have_probe && o->probe_st == L2F_OK && o->probe.enumerated;
    if (d->server_enumerated)
        d->server_accepts = o->probe.accepts;
    for (int s = 0; s < STAGE_COUNT; s++)
        d->stages[s] = stage_status(d, (enum stage_id)s);
    bool last_read = o->have_last && o->last_st == L2F_OK;
    dialstage_last(last_read ? &o->last : NULL, o->last_stale, &d->last_dial);
    /* one entry per fix, in the fix table's (the guide's) order; alternatives
     * are offered on their check, never applied by `fix all` */
    for (int f = 0; f < FIX_COUNT; f++) {
        for (int c = 0; c < CHECK_COUNT; c++)
            if (d->checks[c].fix == (enum fix_id)f && !d->checks[c].fix_is_alternative &&
                fix_info((enum fix_id)f)->kind != FIX_OFFERED_ONLY) {
                d->recommended[d->n_recommended++] = (enum fix_id)f;
                break;
            }
    }
}

bool diagnosis_has_problems(const struct diagnosis *d)
{
    for (int c = 0; c < CHECK_COUNT; c++)
        if (d->checks[c].status == CHECK_FAIL || d->checks[c].status == CHECK_WARN)
            return true;
    return false;
}

enum fix_id diagnose_handshake_advice(const struct hs_result *r, long auth_restrictions, char *text,
                                      size_t len)
{
    bool mschapv2 = false, pap = false;
    for (size_t i = 0; i < r->server_auth_count; i++) {
        mschapv2 |= r->server_auth[i] == PPP_AUTH_MSCHAPV2;
        pap |= r->server_auth[i] == PPP_AUTH_PAP;
    }
    bool allows_mschapv2 = profile_allows_mschapv2(auth_restrictions);
    if (r->stages[STAGE_IPSEC].outcome == HS_FAILED && r->stages[STAGE_IPSEC].code == 789) {
        snprintf(text, len,
                 "the server rejects the key given here too: the profile needs the server's key");
        return FIX_USE_PSK;
    }
    if (mschapv2 && !allows_mschapv2) {
        snprintf(
            text, len,
            "the server takes MS-CHAP v2 and this profile does not allow it: the mschapv2 fix");
        return FIX_MSCHAPV2;
    }
    if (!mschapv2 && pap && !(auth_restrictions & AR_PAP)) {
        snprintf(text, len,
                 "the server takes only PAP (the password in the clear inside IPsec), which this "
                 "profile does not allow: change it on the server, or allow PAP knowingly");
        return FIX_NONE;
    }
    if (r->stages[STAGE_AUTH].outcome == HS_FAILED && r->stages[STAGE_AUTH].code == 691) {
        snprintf(text, len,
                 "the server refuses this account from here too: the user name or password, not "
                 "Windows");
        return FIX_CREDENTIALS;
    }
    if (hs_all_ok(r)) {
        snprintf(text, len,
                 "every stage passes from here: if Windows still fails, the difference is on this "
                 "client (its settings, registry and services: the checks above)");
        return FIX_NONE;
    }
    text[0] = '\0';
    return FIX_NONE;
}
