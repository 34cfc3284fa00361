/* The mock backend: a simulated Windows machine and VPN server driven by a
 * scenario. The diagnosis sees only what a real client could observe; the
 * [server] section drives only the simulated network and connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "kb.h"
#include "net/ike.h"
#include "net/ikecrypto.h"
#include "net/ikev2run.h"
#include "platform.h"
#include "scenario.h"
#include "text.h"

#define MOCK_MAX_EVENTS 12
/* Pause between stages of a simulated connection, so a person sees them
 * light up; L2TPFIX_MOCK_STEP_MS overrides it (tests use 0). */
#define MOCK_DEFAULT_STEP_MS 350

struct mock_state {
    struct scenario sc;
    char path[PLAT_PATH_MAX]; /* empty: in memory (demo) */
    char machine_id[PLAT_PATH_MAX + 16];
    char description[160];
    /* the connection in progress */
    bool connecting;
    char connect_profile[PROFILE_NAME_MAX];
    struct connect_event events[MOCK_MAX_EVENTS];
    size_t n_events, next_event;
    uint64_t started_ms;
    unsigned step_ms;
    bool other_users; /* other local users' phonebooks are shown (--all-users) */
};

static struct mock_state *mock(struct backend *be)
{
    return be->state;
}

/* Writes the scenario back after a change; on failure the caller restores its
 * in-memory change so that a failed write changes nothing. */
/* Fault injection for the tests: L2TPFIX_MOCK_FAIL_AT=N makes the Nth change
 * of this process fail before it is written; N:crash ends the process there
 * instead, as a power cut would. Every change of every fix goes through here. */
static bool injected_fault(struct l2f_err *err)
{
    static int changes;
    const char *spec = getenv("L2TPFIX_MOCK_FAIL_AT");
    if (!spec || ++changes != atoi(spec))
        return false;
    if (strstr(spec, ":crash"))
        _Exit(70);
    l2f_err_set(err, "injected failure at change %d (L2TPFIX_MOCK_FAIL_AT)", changes);
    return true;
}

static enum l2f_status persist(struct mock_state *m, struct l2f_err *err)
{
    if (injected_fault(err))
        return L2F_ERR_BACKEND;
    if (!m->path[0])
        return L2F_OK;
    char *text;
    enum l2f_status st = scenario_format(&m->sc, &text);
    if (st != L2F_OK)
        return st;
    st = plat_write_atomic(m->path, text, strlen(text), err);
    plat_wipe(text, strlen(text));
    free(text);
    return st;
}

static enum l2f_status mock_open(struct backend *be, const char *arg, struct l2f_err *err)
{
    struct mock_state *m = calloc(1, sizeof *m);
    if (!m)
        return L2F_ERR_NOMEM;
    enum l2f_status st;
    if (strncmp(arg, "demo:", 5) == 0) {
        const char *name = arg + 5;
        const char *text = builtin_scenario_text(name);
        if (!text) {
            char names[512] = "";
            for (size_t i = 0; builtin_scenarios[i].name; i++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", i ? ", " : "",
                         builtin_scenarios[i].name);
            }
            l2f_err_set(err, "no built-in scenario '%s' (there are: %s)", name, names);
            free(m);
            return L2F_ERR_USAGE; /* a name the person typed, not the machine's state */
        }
        st = scenario_parse(text, name, &m->sc, err);
        snprintf(m->machine_id, sizeof m->machine_id, "demo:%s", name);
        snprintf(m->description, sizeof m->description, "mock: %s (demo, in memory)", name);
    } else {
        char *text;
        size_t len = 0;
        st = plat_read_file(arg, &text, &len, err);
        if (st == L2F_OK && strlen(text) != len) {
            /* a NUL would end the text early and hide the rest: not a scenario */
            int line = 1;
            for (const char *p = text; *p; p++)
                line += *p == '\n';
            l2f_err_set(err, "%s:%d: a NUL byte: this is not a text file", arg, line);
            plat_wipe(text, len);
            free(text);
            st = L2F_ERR_PARSE;
        } else if (st == L2F_OK) {
            st = scenario_parse(text, arg, &m->sc, err);
            plat_wipe(text, strlen(text));
            free(text);
        }
        if (st == L2F_OK)
            st = plat_absolute_path(arg, m->path, sizeof m->path, err);
        const char *base = strrchr(arg, '/');
        const char *bslash = strrchr(arg, '\\');
        if (bslash && (!base || bslash > base))
            base = bslash;
        snprintf(m->machine_id, sizeof m->machine_id, "mock:%s", m->path);
        snprintf(m->description, sizeof m->description, "mock: %s", base ? base + 1 : arg);
    }
    if (st != L2F_OK) {
        scenario_free(&m->sc); /* parsed, then the path failed: the file changed under us */
        free(m);
        return st;
    }
    const char *step = getenv("L2TPFIX_MOCK_STEP_MS");
    m->step_ms = step && *step ? (unsigned)strtoul(step, NULL, 10) : MOCK_DEFAULT_STEP_MS;
    be->state = m;
    return L2F_OK;
}

static enum l2f_status mock_reload(struct backend *be, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    if (!m->path[0])
        return L2F_OK; /* a demo: this process's alone */
    char *text;
    size_t len = 0;
    enum l2f_status st = plat_read_file(m->path, &text, &len, err);
    if (st != L2F_OK)
        return st;
    struct scenario sc;
    if (strlen(text) != len) {
        l2f_err_set(err, "%s: a NUL byte: this is not a text file", m->path);
        st = L2F_ERR_PARSE;
    } else {
        st = scenario_parse(text, m->path, &sc, err);
    }
    plat_wipe(text, len);
    free(text);
    if (st != L2F_OK)
        return st;
    scenario_free(&m->sc);
    m->sc = sc;
    return L2F_OK;
}

static void mock_close(struct backend *be)
{
    struct mock_state *m = mock(be);
    if (!m)
        return;
    scenario_free(&m->sc);
    free(m);
    be->state = NULL;
}

static const char *mock_machine_id(struct backend *be)
{
    return mock(be)->machine_id;
}

static const char *mock_describe(struct backend *be)
{
    return mock(be)->description;
}

static enum l2f_status mock_list_profiles(struct backend *be, struct profile_list *out,
                                          struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    (void)err;
    out->count = 0;
    out->items = calloc(m->sc.n_profiles ? m->sc.n_profiles : 1, sizeof *out->items);
    if (!out->items)
        return L2F_ERR_NOMEM;
    for (size_t i = 0; i < m->sc.n_profiles; i++)
        if (!m->sc.profiles[i].p.owner[0] || m->other_users)
            out->items[out->count++] = m->sc.profiles[i].p;
    return L2F_OK;
}

/* Another user's profile exists for l2tpfix only once their phonebooks are
 * included, as RAS shows a process only its own and the all-users one. */
static enum l2f_status find_profile(struct mock_state *m, const char *name,
                                    struct scenario_profile **sp, struct l2f_err *err)
{
    *sp = scenario_find_profile(&m->sc, name);
    if (*sp && (*sp)->p.owner[0] && !m->other_users)
        *sp = NULL;
    if (*sp)
        return L2F_OK;
    l2f_err_set(err, "no VPN profile named '%s'", name);
    return L2F_ERR_NOT_FOUND;
}

/* The simulated Windows refuses what a real one refuses without elevation:
 * all-users phonebook entries, HKLM and the service control manager. */
static enum l2f_status need_admin(struct mock_state *m, const char *what, struct l2f_err *err)
{
    if (m->sc.admin)
        return L2F_OK;
    l2f_err_set(err, "%s: access denied: " L2F_HOW_TO_GET_RIGHTS, what);
    return L2F_ERR_NEED_ADMIN;
}

/* A profile this process may change: an all-users one only with the rights
 * (what names the part refused). */
static enum l2f_status writable_profile(struct mock_state *m, const char *name, const char *what,
                                        struct scenario_profile **sp, struct l2f_err *err)
{
    enum l2f_status st = find_profile(m, name, sp, err);
    if (st == L2F_OK && (*sp)->p.phonebook == PHONEBOOK_ALLUSERS)
        st = need_admin(m, what, err);
    return st;
}

/* What RAS tells of a profile: its settings (p) or its last dial (last); NULL: not wanted. */
static enum l2f_status copy_profile(struct backend *be, const char *name, struct vpn_profile *p,
                                    struct connection_record *last, struct l2f_err *err)
{
    struct scenario_profile *sp;
    enum l2f_status st = find_profile(mock(be), name, &sp, err);
    if (st == L2F_OK && p)
        *p = sp->p;
    if (st == L2F_OK && last)
        *last = sp->last;
    return st;
}

static enum l2f_status mock_read_profile(struct backend *be, const char *name,
                                         struct vpn_profile *out, struct l2f_err *err)
{
    return copy_profile(be, name, out, NULL, err);
}

static enum l2f_status mock_write_profile_field(struct backend *be, const char *name,
                                                enum profile_field field, long value,
                                                struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    if ((unsigned)field >= PROFILE_FIELD_COUNT)
        return L2F_ERR_USAGE;
    struct scenario_profile *sp;
    enum l2f_status st = writable_profile(m, name, "all-users phonebook", &sp, err);
    if (st != L2F_OK)
        return st;
    long old = sp->p.fields[field];
    /* a simulated Windows that answers "done" and keeps some bits (ignores) */
    long dropped = (long)scenario_ignored(&m->sc, profile_field_key(field));
    sp->p.fields[field] = (value & ~dropped) | (old & dropped);
    st = persist(m, err);
    if (st != L2F_OK)
        sp->p.fields[field] = old;
    return st;
}

static enum l2f_status mock_set_secret(struct backend *be, const char *profile,
                                       enum secret_kind kind, const char *username,
                                       const char *secret, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    struct scenario_profile *sp;
    enum l2f_status st = writable_profile(m, profile, "all-users credentials", &sp, err);
    if (st != L2F_OK)
        return st;
    if (secret && strlen(secret) >= SCENARIO_SECRET_MAX) {
        l2f_err_set(err, "the secret is longer than %d bytes", SCENARIO_SECRET_MAX - 1);
        return L2F_ERR_USAGE;
    }
    if (kind == SECRET_PASSWORD && username && strlen(username) >= sizeof sp->p.username) {
        l2f_err_set(err, "the user name is too long");
        return L2F_ERR_USAGE;
    }
    struct scenario_profile old = *sp;
    if (scenario_ignored(&m->sc, kind == SECRET_PSK ? "psk" : "password")) {
        /* dropped: the store keeps what it had */
    } else if (kind == SECRET_PSK) {
        snprintf(sp->psk, sizeof sp->psk, "%s", secret ? secret : "");
        sp->p.psk_saved = secret != NULL;
    } else {
        snprintf(sp->password, sizeof sp->password, "%s", secret ? secret : "");
        sp->p.password_saved = secret != NULL;
        if (username) {
            snprintf(sp->p.username, sizeof sp->p.username, "%s", username);
            sp->p.username_saved = username[0] != '\0';
        }
    }
    st = persist(m, err);
    if (st != L2F_OK)
        *sp = old;
    plat_wipe(&old, sizeof old);
    return st;
}

static int find_regval(const char *key, const char *value)
{
    for (int r = 0; r < REGVAL_COUNT; r++)
        if (strcmp(regval_key_path((enum regval_id)r), key) == 0 &&
            strcmp(regval_info((enum regval_id)r)->value, value) == 0)
            return r;
    return -1;
}

static enum l2f_status mock_reg_read(struct backend *be, const char *key, const char *value,
                                     bool *exists, unsigned long *data, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    int r = find_regval(key, value);
    (void)err;
    /* the simulated registry holds only the values l2tpfix knows; any other
     * value simply does not exist, as on a machine that never set it */
    *exists = r >= 0 && m->sc.reg_set[r];
    *data = *exists ? m->sc.reg[r] : 0;
    return L2F_OK;
}

static enum l2f_status mock_reg_write(struct backend *be, const char *key, const char *value,
                                      bool exists, unsigned long data, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum l2f_status st = need_admin(m, "HKEY_LOCAL_MACHINE", err);
    if (st != L2F_OK)
        return st;
    int r = find_regval(key, value);
    if (r < 0) {
        l2f_err_set(err, "%s\\%s: the simulated registry does not model this value", key, value);
        return L2F_ERR_UNSUPPORTED;
    }
    bool old_set = m->sc.reg_set[r];
    unsigned long old = m->sc.reg[r];
    unsigned long dropped = scenario_ignored(&m->sc, value);
    if (dropped != 0xFFFFFFFFUL) { /* all of it dropped: the value stays as it was */
        m->sc.reg_set[r] = exists;
        m->sc.reg[r] = exists ? ((data & ~dropped) | (old & dropped)) & 0xFFFFFFFFUL : 0;
    }
    st = persist(m, err);
    if (st != L2F_OK) {
        m->sc.reg_set[r] = old_set;
        m->sc.reg[r] = old;
    }
    return st;
}

static enum l2f_status find_service(const char *name, enum service_id *id, struct l2f_err *err)
{
    *id = service_from_name(name);
    if (*id == SERVICE_COUNT) {
        l2f_err_set(err, "service '%s' does not exist", name);
        return L2F_ERR_NOT_FOUND;
    }
    return L2F_OK;
}

/* A service this process may change: through the service control manager,
 * which wants the rights. */
static enum l2f_status controllable_service(struct mock_state *m, const char *name,
                                            enum service_id *id, struct l2f_err *err)
{
    enum l2f_status st = find_service(name, id, err);
    if (st == L2F_OK)
        st = need_admin(m, "service control manager", err);
    return st;
}

static enum l2f_status mock_service_query(struct backend *be, const char *name,
                                          struct service_status *out, struct l2f_err *err)
{
    enum service_id id;
    enum l2f_status st = find_service(name, &id, err);
    if (st == L2F_OK)
        *out = mock(be)->sc.services[id];
    return st;
}

/* Starts a service and, first, what it depends on, as the SCM does. */
static enum l2f_status start_service(struct scenario *sc, enum service_id id, int depth,
                                     struct l2f_err *err)
{
    struct service_status *ss = &sc->services[id];
    const struct service_info *si = service_info(id);
    if (ss->state == SVC_RUNNING)
        return L2F_OK;
    if (ss->start_type == SVC_START_DISABLED) {
        l2f_err_set(err, "service %s is disabled and cannot be started (error 1058)", si->name);
        return L2F_ERR_BACKEND;
    }
    if (si->depends_on && depth < SERVICE_COUNT) {
        enum service_id dep = service_from_name(si->depends_on);
        if (dep != SERVICE_COUNT && start_service(sc, dep, depth + 1, err) != L2F_OK) {
            l2f_err_set(err,
                        "service %s cannot start: it depends on %s, which cannot run (error 1068)",
                        si->name, si->depends_on);
            return L2F_ERR_BACKEND;
        }
    }
    ss->state = SVC_RUNNING;
    return L2F_OK;
}

/* Stops a service and, first, the running services that depend on it. */
static void stop_service(struct scenario *sc, enum service_id id)
{
    for (int i = 0; i < SERVICE_COUNT; i++) {
        const char *dep = service_info((enum service_id)i)->depends_on;
        if (dep && strcmp(dep, service_info(id)->name) == 0 && sc->services[i].state == SVC_RUNNING)
            stop_service(sc, (enum service_id)i);
    }
    sc->services[id].state = SVC_STOPPED;
}

static enum l2f_status mock_service_control(struct backend *be, const char *name,
                                            enum service_action action, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum service_id id;
    enum l2f_status st = controllable_service(m, name, &id, err);
    if (st != L2F_OK)
        return st;
    struct service_status saved[SERVICE_COUNT];
    memcpy(saved, m->sc.services, sizeof saved);
    if (scenario_ignored(&m->sc, name)) {
        /* answered, not done: the service stays as it was */
    } else if (action == SVC_ACTION_STOP || action == SVC_ACTION_RESTART) {
        /* a restart brings back the dependents it had to stop */
        bool was_running[SERVICE_COUNT];
        for (int i = 0; i < SERVICE_COUNT; i++)
            was_running[i] = m->sc.services[i].state == SVC_RUNNING;
        stop_service(&m->sc, id);
        if (action == SVC_ACTION_RESTART) {
            st = start_service(&m->sc, id, 0, err);
            for (int i = 0; st == L2F_OK && i < SERVICE_COUNT; i++)
                if (was_running[i] && m->sc.services[i].state != SVC_RUNNING)
                    st = start_service(&m->sc, (enum service_id)i, 0, err);
        }
    } else {
        st = start_service(&m->sc, id, 0, err);
    }
    if (st == L2F_OK)
        st = persist(m, err);
    if (st != L2F_OK)
        memcpy(m->sc.services, saved, sizeof saved);
    return st;
}

static enum l2f_status mock_service_set_start(struct backend *be, const char *name,
                                              enum service_start start, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum service_id id;
    enum l2f_status st = controllable_service(m, name, &id, err);
    if (st != L2F_OK)
        return st;
    struct service_status old = m->sc.services[id];
    if (!scenario_ignored(&m->sc, name))
        m->sc.services[id].start_type = start;
    st = persist(m, err);
    if (st != L2F_OK)
        m->sc.services[id] = old;
    return st;
}

/* Other users' folders below C:\Users are closed to a user who is not an
 * administrator (or SYSTEM). */
static enum l2f_status mock_include_other_users(struct backend *be, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum l2f_status st = need_admin(m, "other users' phonebooks", err);
    if (st == L2F_OK)
        m->other_users = true;
    return st;
}

static enum l2f_status mock_is_admin(struct backend *be, bool *admin)
{
    *admin = mock(be)->sc.admin;
    return L2F_OK;
}

static bool is_ipv4_literal(const char *host)
{
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 && b < 256 &&
           c < 256 && d < 256;
}

/* The simulated network knows one server: its name resolves, an address
 * literal is taken as is, any other name does not resolve. */
static bool resolves(const struct scenario *sc, const char *host, char *addr, size_t len)
{
    if (!host[0])
        return false;
    if (is_ipv4_literal(host))
        return text_copy(addr, len, host);
    if (text_casecmp(host, sc->server_address) != 0)
        return false;
    /* a documentation address (RFC 5737) stands for the simulated server */
    text_copy(addr, len, is_ipv4_literal(sc->server_address) ? sc->server_address : "192.0.2.10");
    return true;
}

static bool is_the_server(const struct scenario *sc, const char *host)
{
    return text_casecmp(host, sc->server_address) == 0;
}

/* Whether the simulated server takes one of the transforms Windows offers
 * (with AllowL2TPWeakCrypto: weak), and which: the first of its list Windows offers. */
static bool server_takes(const struct scenario *sc, bool weak, char *chosen, size_t len)
{
    if (sc->server_proposals_windows) {
        if (chosen)
            snprintf(chosen, len, "aes256-sha1-modp2048");
        return true;
    }
    for (size_t i = 0; i < sc->n_server_proposals; i++) {
        const struct ike_transform *t = &sc->server_proposals[i];
        if (probe_windows_offers(t, weak)) {
            if (chosen)
                ike_transform_name(t, chosen, len);
            return true;
        }
    }
    return false;
}

static enum l2f_status mock_probe(struct backend *be, const char *host, struct probe_report *out,
                                  struct l2f_err *err)
{
    const struct scenario *sc = &mock(be)->sc;
    (void)err;
    memset(out, 0, sizeof *out);
    out->client_behind_nat = sc->client_behind_nat;
    out->server_behind_nat = -1;
    out->literal = is_ipv4_literal(host);
    out->resolved = resolves(sc, host, out->address, sizeof out->address);
    if (!out->resolved) {
        out->ike500 = out->ike4500 = out->ikev2 = PROBE_ERROR;
        return L2F_OK;
    }
    if (!is_the_server(sc, host) || !sc->server_reachable) {
        out->ike500 = out->ike4500 = out->ikev2 = PROBE_NO_ANSWER;
        return L2F_OK;
    }
    /* NAT-D in the server's answer tells whether it sits behind NAT */
    out->server_behind_nat = sc->server_behind_nat;
    char chosen[PROBE_TRANSFORM_NAME];
    bool takes = server_takes(sc, false, chosen, sizeof chosen);
    out->ike500 = takes ? PROBE_ACCEPTED : PROBE_NO_PROPOSAL;
    out->ike4500 = sc->server_udp4500 ? out->ike500 : PROBE_NO_ANSWER;
    /* an IKE daemon without an IKEv2 connection still answers IKEv2: NO_PROPOSAL */
    out->ikev2 = sc->server_ikev2 ? PROBE_ACCEPTED : PROBE_NO_PROPOSAL;
    if (takes) {
        snprintf(out->transform, sizeof out->transform, "%s", chosen);
    } else {
        /* the real probe's enumeration, by rule: same order, same bound */
        out->enumerated = true;
        probe_enum_by_rule(sc->server_proposals, sc->n_server_proposals, &out->accepts);
    }
    return L2F_OK;
}

/* A key check against the simulated server: the same rules as its IKE answers. */
static enum l2f_status mock_check_psk(struct backend *be, const char *host, const char *psk,
                                      enum psk_verdict *verdict, struct l2f_err *err)
{
    const struct scenario *sc = &mock(be)->sc;
    char addr[64];
    (void)err;
    if (!resolves(sc, host, addr, sizeof addr) || !is_the_server(sc, host) ||
        !sc->server_reachable || !server_takes(sc, false, NULL, 0))
        *verdict = PSK_INCONCLUSIVE;
    else
        *verdict =
            !sc->server_psk[0] || strcmp(sc->server_psk, psk) == 0 ? PSK_ACCEPTED : PSK_REJECTED;
    return L2F_OK;
}

/* ---- the IKEv2 exchange, by the scenario's rules ---- */

static void ikev2_stage(struct ikev2_result *out, enum ikev2_stage s, enum hs_outcome outcome,
                        int code, const char *detail)
{
    out->stages[s].outcome = outcome;
    out->stages[s].code = code;
    snprintf(out->stages[s].detail, sizeof out->stages[s].detail, "%s", detail);
}

/* IKE_SA_INIT: an IKE daemon without an IKEv2 connection answers NO_PROPOSAL_CHOSEN. */
static bool ikev2_sim_tunnel(const struct scenario *sc, const char *host, struct ikev2_result *out)
{
    char addr[64];
    if (!resolves(sc, host, addr, sizeof addr) || !is_the_server(sc, host) || !sc->server_reachable)
        ikev2_stage(out, IKEV2_STAGE_TUNNEL, HS_FAILED, 809,
                    "no answer to IKE_SA_INIT on UDP 500 (simulated)");
    else if (!sc->server_ikev2)
        ikev2_stage(out, IKEV2_STAGE_TUNNEL, HS_FAILED, 13868,
                    "the server answered NO_PROPOSAL_CHOSEN: no IKEv2 connection (simulated)");
    else
        ikev2_stage(out, IKEV2_STAGE_TUNNEL, HS_OK, 0,
                    "IKE SA agreed: aes256-sha256-modp1024 (simulated)");
    return out->stages[IKEV2_STAGE_TUNNEL].outcome == HS_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    const char *last = slash > back ? slash : back;
    return last ? last + 1 : path;
}

/* The certificate: trusted by every machine, or by the private CA the
 * scenario names when the CA file given carries that name. */
static bool ikev2_sim_cert(const struct scenario *sc, const struct ikev2_options *o,
                           struct ikev2_result *out)
{
    struct ikev2_cert_info *ci = &out->cert;
    const char *ca = sc->server_ikev2_ca;
    ci->present = true;
    snprintf(ci->subject, sizeof ci->subject, "CN=%s (simulated)", sc->server_address);
    snprintf(ci->issuer, sizeof ci->issuer, "CN=%s (simulated)", ca[0] ? ca : "a public root");
    ci->trusted = !ca[0] || (o->ca_file && strcmp(base_name(o->ca_file), ca) == 0);
    if (ci->trusted) {
        snprintf(ci->why, sizeof ci->why, "chains to %s",
                 ca[0] ? "the CA file given" : "a trusted root");
        ikev2_stage(out, IKEV2_STAGE_IPSEC, HS_OK, 0,
                    "server authenticated by its certificate (simulated)");
        return true;
    }
    snprintf(ci->why, sizeof ci->why, "signed by the private CA %.100s, %s", ca,
             o->ca_file ? "not by the CA file given"
                        : "not a root this machine trusts (--ca-file)");
    char detail[sizeof out->stages[0].detail];
    snprintf(detail, sizeof detail, "server certificate not acceptable: %.150s", ci->why);
    ikev2_stage(out, IKEV2_STAGE_IPSEC, HS_FAILED, 13801, detail);
    return false;
}

/* EAP-MSCHAPv2 against the server's accounts (users =; none: any passes). */
static bool ikev2_sim_user(const struct scenario *sc, const struct ikev2_options *o)
{
    if (sc->n_users == 0)
        return true;
    for (size_t i = 0; i < sc->n_users; i++)
        if (o->user && o->password && strcmp(sc->users[i].name, o->user) == 0 &&
            strcmp(sc->users[i].password, o->password) == 0)
            return true;
    return false;
}

static enum l2f_status mock_ikev2_simulate(struct backend *be, const struct ikev2_options *opts,
                                           struct ikev2_result *out, unsigned *step_ms,
                                           struct l2f_err *err)
{
    const struct scenario *sc = &mock(be)->sc;
    (void)err;
    memset(out, 0, sizeof *out);
    *step_ms = mock(be)->step_ms;
    if (!ikev2_sim_tunnel(sc, opts->host, out)) {
        ikev2_stage(out, IKEV2_STAGE_IPSEC, HS_SKIPPED, 0, "not reached: no IKE SA");
        ikev2_stage(out, IKEV2_STAGE_AUTH, HS_SKIPPED, 0, "not reached: no IKE SA");
    } else if (!ikev2_sim_cert(sc, opts, out)) {
        ikev2_stage(out, IKEV2_STAGE_AUTH, HS_SKIPPED, 0,
                    "not tried: Windows sends no password to a server it cannot authenticate");
    } else if (!ikev2_sim_user(sc, opts)) {
        ikev2_stage(out, IKEV2_STAGE_AUTH, HS_FAILED, 691,
                    "EAP-MSCHAPv2 failure E=691: the user name or password was not accepted "
                    "(simulated)");
    } else {
        ikev2_stage(out, IKEV2_STAGE_AUTH, HS_OK, 0,
                    "user accepted by EAP-MSCHAPv2; the server's AUTH verified (simulated)");
        out->child_sa = true;
        snprintf(out->child_detail, sizeof out->child_detail, "installed");
    }
    snprintf(out->suite, sizeof out->suite, "%s",
             out->stages[IKEV2_STAGE_TUNNEL].outcome == HS_OK ? "aes256-sha256-modp1024" : "");
    return L2F_OK;
}

static enum l2f_status mock_last_connection(struct backend *be, const char *profile,
                                            struct connection_record *out, struct l2f_err *err)
{
    return copy_profile(be, profile, NULL, out, err);
}

/* The simulated machine reads the registry on every dial: nothing waits on a
 * restart. Its build is the scenario's os_build (0: the scenario names none). */
static enum l2f_status mock_machine_info(struct backend *be, struct machine_info *out,
                                         struct l2f_err *err)
{
    (void)err;
    const struct scenario *sc = &mock(be)->sc;
    memset(out, 0, sizeof *out);
    out->boot_at_once = true;
    out->os_build = sc->os_build;
    out->os_ubr = sc->os_ubr;
    out->os_st = L2F_OK;
    return L2F_OK;
}

/* The simulated LocalMachine\Root: the scenario's roots, kept in its file. */
static int mock_root_index(const struct scenario *sc, const char *sha1)
{
    for (size_t i = 0; i < sc->n_roots; i++)
        if (strcmp(sc->roots[i], sha1) == 0)
            return (int)i;
    return -1;
}

static enum l2f_status mock_root_has(struct backend *be, const char *sha1, bool *present,
                                     struct l2f_err *err)
{
    (void)err;
    *present = mock_root_index(&mock(be)->sc, sha1) >= 0;
    return L2F_OK;
}

/* The DER is taken for the thumbprint given: the mock does not hash it. */
/* As Windows' store: a certificate's thumbprint is the SHA-1 of its DER, not what a caller says. */
static bool thumbprint_of(const unsigned char *der, size_t len, const char *sha1)
{
    uint8_t md[20];
    char hex[2 * sizeof md + 1];
    if (!der || !len || strlen(sha1) != sizeof hex - 1 || !ikec_hash(IKE_HASH_SHA1, der, len, md))
        return false;
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(hex + 2 * i, 3, "%02X", md[i]);
    for (size_t i = 0; i < sizeof hex - 1; i++)
        if (hex[i] != (sha1[i] >= 'a' && sha1[i] <= 'f' ? sha1[i] - 'a' + 'A' : sha1[i]))
            return false;
    return true;
}

static enum l2f_status mock_root_add(struct backend *be, const unsigned char *der, size_t len,
                                     const char *sha1, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum l2f_status st = need_admin(m, "LocalMachine\\Root", err);
    if (st != L2F_OK || mock_root_index(&m->sc, sha1) >= 0)
        return st;
    if (!thumbprint_of(der, len, sha1)) {
        l2f_err_set(err, "LocalMachine\\Root: the certificate's SHA-1 is not %.40s", sha1);
        return L2F_ERR_USAGE;
    }
    if (m->sc.n_roots == SCENARIO_MAX_ROOTS) {
        l2f_err_set(err, "LocalMachine\\Root: the simulated store holds %d at most",
                    SCENARIO_MAX_ROOTS);
        return L2F_ERR_BACKEND;
    }
    snprintf(m->sc.roots[m->sc.n_roots++], SCENARIO_THUMB_SIZE, "%s", sha1);
    st = persist(m, err);
    if (st != L2F_OK)
        m->sc.n_roots--;
    return st;
}

static enum l2f_status mock_root_remove(struct backend *be, const char *sha1, struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    enum l2f_status st = need_admin(m, "LocalMachine\\Root", err);
    int at = st == L2F_OK ? mock_root_index(&m->sc, sha1) : -1;
    if (at < 0)
        return st;
    char kept[SCENARIO_THUMB_SIZE];
    memcpy(kept, m->sc.roots[at], sizeof kept);
    for (size_t i = (size_t)at; i + 1 < m->sc.n_roots; i++)
        memcpy(m->sc.roots[i], m->sc.roots[i + 1], sizeof kept);
    m->sc.n_roots--;
    st = persist(m, err);
    if (st != L2F_OK) { /* put it back where it was */
        for (size_t i = m->sc.n_roots++; i > (size_t)at; i--)
            memcpy(m->sc.roots[i], m->sc.roots[i - 1], sizeof kept);
        memcpy(m->sc.roots[at], kept, sizeof kept);
    }
    return st;
}

/* The simulated store holds one certificate in the scenario's state (none: empty);
 * its subject and dates are fixed, so that screens and goldens stay the same. */
static enum l2f_status mock_machine_certificate(struct backend *be, struct machine_cert *out,
                                                struct l2f_err *err)
{
    (void)err;
    enum cert_state st = mock(be)->sc.machine_cert;
    memset(out, 0, sizeof *out);
    if (st == CERT_NONE)
        return L2F_OK;
    machine_cert_consider(out, st);
    snprintf(out->subject, sizeof out->subject, "CN=client.example.com (simulated)");
    snprintf(out->not_after, sizeof out->not_after, "%s",
             st == CERT_EXPIRED ? "2024-06-30T00:00:00Z" : "2099-12-31T00:00:00Z");
    return L2F_OK;
}

static void add_event(struct mock_state *m, enum connect_event_kind kind, enum stage_id stage,
                      int code, const char *detail)
{
    if (m->n_events >= MOCK_MAX_EVENTS)
        return;
    struct connect_event *ev = &m->events[m->n_events++];
    ev->kind = kind;
    ev->stage = stage;
    ev->code = code;
    text_copy(ev->detail, sizeof ev->detail, detail);
}

static bool service_running(const struct scenario *sc, enum service_id id)
{
    return sc->services[id].state == SVC_RUNNING;
}

static bool credentials_accepted(const struct scenario *sc, const struct scenario_profile *sp)
{
    if (!sp->p.username_saved || !sp->p.password_saved)
        return false;
    if (sc->n_users == 0)
        return true;
    for (size_t i = 0; i < sc->n_users; i++)
        if (strcmp(sc->users[i].name, sp->p.username) == 0 &&
            strcmp(sc->users[i].password, sp->password) == 0)
            return true;
    return false;
}

/* A stage stops the dial: the event Windows logs, and its code to return. */
static int stop(struct mock_state *m, enum stage_id stage, int code, const char *why)
{
    add_event(m, CONNECT_DONE, stage, code, why);
    return code;
}

/* The tunnel: the name resolves, the profile tries L2TP, the server answers. */
static int sim_tunnel(struct mock_state *m, const struct vpn_profile *p)
{
    const struct scenario *sc = &m->sc;
    char addr[64];
    long vs = p->fields[PF_VPN_STRATEGY];
    add_event(m, CONNECT_STAGE_BEGIN, STAGE_TUNNEL, 0, p->server);
    if (!resolves(sc, p->server, addr, sizeof addr))
        return stop(m, STAGE_TUNNEL, 868, "the server name did not resolve");
    if (vs != VS_L2TP_ONLY && vs != VS_L2TP_FIRST && vs != VS_DEFAULT)
        return stop(m, STAGE_TUNNEL, 800,
                    "the profile tried a tunnel type the server does not speak");
    if (!is_the_server(sc, p->server) || !sc->server_reachable)
        return stop(m, STAGE_TUNNEL, 809, "no answer from the server on UDP 500");
    add_event(m, CONNECT_STAGE_PASS, STAGE_TUNNEL, 0, addr);
    return 0;
}

/* IPsec authenticated with the machine certificate: none gives 766, one that
 * fails a requirement 13806; a server pinned to a pre-shared key refuses it. */
static int sim_ipsec_cert(struct mock_state *m)
{
    const struct scenario *sc = &m->sc;
    if (sc->machine_cert == CERT_NONE)
        return stop(m, STAGE_IPSEC, 766,
                    "certificate authentication without a machine certificate");
    if (sc->machine_cert != CERT_VALID)
        return stop(m, STAGE_IPSEC, 13806,
                    "no valid machine certificate: one is there but it is "
                    "expired, lacks its key or usage, or is not trusted");
    if (sc->server_psk[0])
        return stop(m, STAGE_IPSEC, 789,
                    "the server authenticates with a pre-shared key, not certificates");
    add_event(m, CONNECT_STAGE_PASS, STAGE_IPSEC, 0, "IPsec SA up (machine certificate)");
    return 0;
}

/* IPsec: the services, the policy, NAT, the proposals and the key. */
static int sim_ipsec(struct mock_state *m, const struct scenario_profile *sp)
{
    const struct scenario *sc = &m->sc;
    const struct vpn_profile *p = &sp->p;
    add_event(m, CONNECT_STAGE_BEGIN, STAGE_IPSEC, 0, "IKE main mode");
    if (!service_running(sc, SVC_IKEEXT) || !service_running(sc, SVC_BFE))
        return stop(m, STAGE_IPSEC, 827, "IKEEXT or BFE is not running");
    if (sc->reg_set[REGVAL_PROHIBIT_IPSEC] && sc->reg[REGVAL_PROHIBIT_IPSEC] != 0)
        return stop(m, STAGE_IPSEC, 809,
                    "ProhibitIpSec=1: no IPsec policy, the server drops plain L2TP");
    unsigned long natt = sc->reg_set[REGVAL_NAT_TRAVERSAL] ? sc->reg[REGVAL_NAT_TRAVERSAL] : 0;
    if (sc->server_behind_nat && natt < (sc->client_behind_nat ? 2UL : 1UL))
        return stop(m, STAGE_IPSEC, 809,
                    "server behind NAT: Windows sets up no SA without the registry value");
    bool weak = sc->reg_set[REGVAL_WEAK_CRYPTO] && sc->reg[REGVAL_WEAK_CRYPTO] != 0;
    if (!server_takes(sc, weak, NULL, 0))
        return stop(m, STAGE_IPSEC, 788, "the server accepts none of Windows' proposals");
    if ((sc->client_behind_nat || sc->server_behind_nat) && !sc->server_udp4500)
        return stop(m, STAGE_IPSEC, 809, "behind NAT IKE moves to UDP 4500, which is blocked");
    if (!(p->fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK))
        return sim_ipsec_cert(m);
    bool key_ok =
        p->psk_saved && (sc->server_psk[0] == '\0' || strcmp(sc->server_psk, sp->psk) == 0);
    if (!key_ok)
        return stop(m, STAGE_IPSEC, 789, "phase 1 authentication failed: the keys differ");
    add_event(m, CONNECT_STAGE_PASS, STAGE_IPSEC, 0, "IPsec SA up");
    return 0;
}

/* PPP: LCP and an authentication protocol both ends allow. */
static int sim_ppp(struct mock_state *m, const struct vpn_profile *p)
{
    const struct scenario *sc = &m->sc;
    add_event(m, CONNECT_STAGE_BEGIN, STAGE_PPP, 0, "LCP");
    long ar = p->fields[PF_AUTH_RESTRICTIONS];
    /* with EAP selected, "Allow these protocols" does not apply */
    long offered = (ar & AR_EAP) ? AR_EAP : ar & (AR_PAP | AR_CHAP | AR_MSCHAP | AR_MSCHAP2);
    if (sc->server_lcp_required && p->fields[PF_LCP_EXTENSIONS] == 0)
        return stop(m, STAGE_PPP, 789, "the server requires the LCP extensions");
    if ((offered & sc->server_auth) == 0)
        return stop(m, STAGE_PPP, 789, "no authentication protocol both ends allow");
    add_event(m, CONNECT_STAGE_PASS, STAGE_PPP, 0, "protocol agreed");
    return 0;
}

static int sim_auth(struct mock_state *m, const struct scenario_profile *sp)
{
    add_event(m, CONNECT_STAGE_BEGIN, STAGE_AUTH, 0, sp->p.username);
    if (!credentials_accepted(&m->sc, sp))
        return stop(m, STAGE_AUTH, 691, "the server rejected the user name or password");
    add_event(m, CONNECT_STAGE_PASS, STAGE_AUTH, 0, "authenticated");
    return 0;
}

/* Walks the four stages the way Windows and the server would, stopping with
 * the code Windows gives. Returns 0 when it connects. */
static int simulate(struct mock_state *m, const struct scenario_profile *sp)
{
    int code = sim_tunnel(m, &sp->p);
    if (!code)
        code = sim_ipsec(m, sp);
    if (!code)
        code = sim_ppp(m, &sp->p);
    if (!code)
        code = sim_auth(m, sp);
    if (!code)
        add_event(m, CONNECT_DONE, STAGE_AUTH, 0, "connected");
    return code;
}

/* The last progress event Windows logs before a dial fails in a stage: IPsec
 * and tunnel errors follow 20222, PPP and authentication errors 20223/20224
 * (Microsoft's "RAS Connection Establishment Issues"). */
static int dial_reached(enum stage_id stopped_in)
{
    return stopped_in <= STAGE_IPSEC ? KB_EVENT_CONNECTING_DEVICE : KB_EVENT_LINK_ESTABLISHED;
}

static enum l2f_status mock_connect_start(struct backend *be, const char *profile,
                                          struct l2f_err *err)
{
    struct mock_state *m = mock(be);
    if (m->connecting) {
        l2f_err_set(err, "a test connection is already running");
        return L2F_ERR_USAGE;
    }
    struct scenario_profile *sp;
    enum l2f_status st = find_profile(m, profile, &sp, err);
    if (st != L2F_OK)
        return st;
    m->n_events = m->next_event = 0;
    int code = simulate(m, sp);
    /* Windows logs the result (RasClient event 20227); so does the mock */
    struct connection_record old = sp->last;
    sp->last.known = true;
    sp->last.code = code;
    sp->last.reached = code && m->n_events ? dial_reached(m->events[m->n_events - 1].stage) : 0;
    plat_time_iso(sp->last.when);
    st = persist(m, err);
    if (st != L2F_OK) {
        sp->last = old;
        return st;
    }
    snprintf(m->connect_profile, sizeof m->connect_profile, "%s", profile);
    m->connecting = true;
    m->started_ms = plat_monotonic_ms();
    return L2F_OK;
}

static bool mock_connect_poll(struct backend *be, struct connect_event *ev)
{
    struct mock_state *m = mock(be);
    if (!m->connecting || m->next_event >= m->n_events)
        return false;
    /* each stage begins one step after the previous one */
    unsigned begins = 0;
    for (size_t i = 0; i <= m->next_event; i++)
        begins += m->events[i].kind == CONNECT_STAGE_BEGIN || m->events[i].kind == CONNECT_DONE;
    uint64_t due = m->started_ms + (uint64_t)(begins - 1) * m->step_ms;
    if (plat_monotonic_ms() < due)
        return false;
    *ev = m->events[m->next_event++];
    if (ev->kind == CONNECT_DONE)
        m->connecting = false;
    return true;
}

static void mock_connect_cancel(struct backend *be)
{
    struct mock_state *m = mock(be);
    m->connecting = false;
    m->n_events = m->next_event = 0;
}

/* A profile as the mock's selftest names it: "profile N" (its place among
 * the profiles this process sees, as the live backend numbers them) when redacted. */
static void mock_shown_name(const struct scenario_profile *sp, size_t index, bool redact, char *buf,
                            size_t len)
{
    if (redact)
        snprintf(buf, len, "profile %zu", index + 1);
    else
        snprintf(buf, len, "%s", sp->p.name);
}

/* One note per profile this process sees: the scenario's keys and credentials. */
static void mock_selftest_profiles(const struct mock_state *m, enum selftest_id item, bool redact,
                                   struct selftest_answer *out)
{
    char name[PROFILE_NAME_MAX];
    size_t shown = 0;
    for (size_t i = 0; i < m->sc.n_profiles; i++) {
        const struct scenario_profile *sp = &m->sc.profiles[i];
        if (sp->p.owner[0] && !m->other_users)
            continue;
        mock_shown_name(sp, shown++, redact, name, sizeof name);
        if (item == SELFTEST_PBK_FLAGS)
            selftest_note(out,
                          "%s: VpnStrategy %ld, AuthRestrictions %ld, LcpExtensions %ld "
                          "(the scenario's; no file to differ from)",
                          name, sp->p.fields[PF_VPN_STRATEGY], sp->p.fields[PF_AUTH_RESTRICTIONS],
                          sp->p.fields[PF_LCP_EXTENSIONS]);
        else if (item == SELFTEST_PSK_MASK)
            selftest_note(out, "%s: pre-shared key %s, %s; saved user name: %s", name,
                          sp->p.fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK ? "used" : "not used",
                          sp->p.psk_saved ? "saved" : "not saved",
                          !sp->p.username[0] ? "none"
                          : redact           ? "user"
                                             : sp->p.username);
    }
}

/* The selftest on the mock: the scenario's answers, marked as simulated. */
static enum l2f_status mock_selftest(struct backend *be, enum selftest_id item, bool redact,
                                     struct selftest_answer *out)
{
    const struct mock_state *m = mock(be);
    const struct scenario *sc = &m->sc;
    size_t psk = 0, saved = 0, seen = 0;
    for (size_t i = 0; i < sc->n_profiles; i++) {
        if (sc->profiles[i].p.owner[0] && !m->other_users)
            continue;
        seen++;
        psk += (sc->profiles[i].p.fields[PF_IPSEC_FLAGS] & IPSEC_FLAG_PSK) != 0;
        saved += sc->profiles[i].p.psk_saved;
    }
    out->verdict = SELFTEST_SIMULATED;
    switch (item) {
    case SELFTEST_PBK_FLAGS:
        snprintf(out->evidence, sizeof out->evidence,
                 "the mock's %zu profiles are its scenario's keys: RAS and the file cannot differ",
                 seen);
        mock_selftest_profiles(m, item, redact, out);
        return L2F_OK;
    case SELFTEST_PSK_MASK:
        snprintf(out->evidence, sizeof out->evidence,
                 "%zu profiles use a pre-shared key, %zu have one saved (the scenario's psk =)",
                 psk, saved);
        mock_selftest_profiles(m, item, redact, out);
        return L2F_OK;
    case SELFTEST_ELEVATION:
        snprintf(out->evidence, sizeof out->evidence, "elevated: %s ([machine] admin)",
                 sc->admin ? "yes" : "no");
        return L2F_OK;
    case SELFTEST_OS_BUILD:
        if (sc->os_build)
            snprintf(out->evidence, sizeof out->evidence, "OS build %u.%u ([machine] os_build)",
                     sc->os_build, sc->os_ubr);
        else
            snprintf(out->evidence, sizeof out->evidence, "the scenario names no os_build");
        return L2F_OK;
    default:
        snprintf(out->evidence, sizeof out->evidence, "the mock has no %s to ask",
                 item == SELFTEST_RASENTRY_SIZE ? "RASENTRY"
                 : item == SELFTEST_EVENTS      ? "event log"
                                                : "service control manager");
        return L2F_OK;
    }
}

const struct backend_ops backend_mock_ops = {
    .name = "mock",
    .open = mock_open,
    .close = mock_close,
    .machine_id = mock_machine_id,
    .describe = mock_describe,
    .list_profiles = mock_list_profiles,
    .read_profile = mock_read_profile,
    .write_profile_field = mock_write_profile_field,
    .set_secret = mock_set_secret,
    .reg_read_dword = mock_reg_read,
    .reg_write_dword = mock_reg_write,
    .service_query = mock_service_query,
    .service_control = mock_service_control,
    .service_set_start = mock_service_set_start,
    .is_admin = mock_is_admin,
    .include_other_users = mock_include_other_users,
    .reload = mock_reload,
    .probe_server = mock_probe,
    .check_psk = mock_check_psk,
    .ikev2_simulate = mock_ikev2_simulate,
    .last_connection = mock_last_connection,
    .machine_info = mock_machine_info,
    .machine_certificate = mock_machine_certificate,
    .root_has = mock_root_has,
    .root_add = mock_root_add,
    .root_remove = mock_root_remove,
    .connect_start = mock_connect_start,
    .connect_poll = mock_connect_poll,
    .connect_cancel = mock_connect_cancel,
    .selftest = mock_selftest,
};
