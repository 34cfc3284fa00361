#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "kb.h"
#include "platform.h"
#include "text.h"

#define DEFAULT_SERVER "vpn.example.com"
#define DEFAULT_PSK "demo-pre-shared-key"
#define DEFAULT_USER "user"
#define DEFAULT_PASSWORD "demo-password"

/* Which keys a profile section set, so the rest take healthy defaults that
 * may depend on [server], wherever that section stands in the file. */
enum profile_key_bit {
    PK_PHONE = 1 << 0,
    PK_PSK = 1 << 1,
    PK_USER = 1 << 2,
    PK_PASSWORD = 1 << 3,
};

struct parse_state {
    struct scenario *s;
    char msg[400];
    unsigned *profile_keys;       /* per profile: enum profile_key_bit | seen fields */
    size_t cap;                   /* room in s->profiles and profile_keys */
    unsigned long seen_global[4]; /* per fixed section: bit per key, to reject repeats */
};

static const struct {
    long bit;
    const char *name;
} auth_names[] = {
    {AR_PAP, "pap"},          {AR_CHAP, "chap"}, {AR_MSCHAP, "mschap"},
    {AR_MSCHAP2, "mschapv2"}, {AR_EAP, "eap"},
};

static void set_defaults(struct scenario *s)
{
    memset(s, 0, sizeof *s);
    s->admin = true;
    for (int i = 0; i < SERVICE_COUNT; i++) {
        s->services[i].start_type = service_info((enum service_id)i)->default_start;
        s->services[i].state = SVC_RUNNING;
    }
    snprintf(s->server_address, sizeof s->server_address, "%s", DEFAULT_SERVER);
    s->server_reachable = true;
    s->server_auth = AR_MSCHAP2;
    s->server_proposals_windows = true;
    s->server_udp4500 = true;
}

static void profile_defaults(struct scenario_profile *sp, const char *name)
{
    memset(sp, 0, sizeof *sp);
    snprintf(sp->p.name, sizeof sp->p.name, "%s", name);
    sp->p.phonebook = PHONEBOOK_USER;
    sp->p.fields[PF_VPN_STRATEGY] = VS_L2TP_ONLY;
    sp->p.fields[PF_AUTH_RESTRICTIONS] = AR_CHAP | AR_MSCHAP2;
    sp->p.fields[PF_LCP_EXTENSIONS] = 1;
    sp->p.fields[PF_IPSEC_FLAGS] = IPSEC_FLAG_PSK;
    sp->p.fields[PF_DATA_ENCRYPTION] = 256;
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

/* long long: a DWORD does not fit in a Windows long (LLP64) */
static bool parse_number(const char *v, long long min, long long max, long long *out)
{
    char *end;
    if (!*v || (!isdigit((unsigned char)*v) && *v != '-'))
        return false;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return false;
    *out = n;
    return true;
}

/* "20221,20222,20223": the progress events RasClient logged for the last
 * dial; how far it got is the furthest of them. */
static bool parse_dial_events(const char *v, int *reached)
{
    int furthest = 0;
    for (const char *p = v; *p;) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return false;
        errno = 0;
        long id = strtol(p, &end, 10);
        if (errno || id < KB_EVENT_PRECONNECT || id > KB_EVENT_LINK_ESTABLISHED ||
            (*end && *end != ','))
            return false;
        furthest = id > furthest ? (int)id : furthest;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return false; /* a trailing comma */
    }
    if (!furthest)
        return false;
    *reached = furthest;
    return true;
}

static bool copy_bounded(char *dst, size_t len, const char *src)
{
    if (strlen(src) >= len)
        return false;
    memcpy(dst, src, strlen(src) + 1);
    return true;
}

/* Accepts `profile "Name"`; writes the name. */
static bool profile_section_name(const char *section, char *name, size_t len)
{
    static const char prefix[] = "profile \"";
    size_t sl = strlen(section);
    if (strncmp(section, prefix, sizeof prefix - 1) != 0 || sl < sizeof prefix ||
        section[sl - 1] != '"')
        return false;
    size_t nl = sl - (sizeof prefix - 1) - 1;
    if (nl == 0 || nl >= len)
        return false;
    memcpy(name, section + sizeof prefix - 1, nl);
    name[nl] = '\0';
    return strchr(name, '"') == NULL;
}

static size_t name_hash(const char *name)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The slot that holds name, or the empty one where it would go. */
static size_t *index_slot(const struct scenario *s, const char *name)
{
    size_t mask = s->by_name_cap - 1;
    for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        size_t at = s->by_name[i];
        if (!at || strcmp(s->profiles[at - 1].p.name, name) == 0)
            return &s->by_name[i];
    }
}

/* Rebuilds the index at twice the room, keeping it at most half full. */
static bool index_grow(struct scenario *s)
{
    size_t cap = s->by_name_cap ? s->by_name_cap * 2 : 64;
    size_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    free(s->by_name);
    s->by_name = slots;
    s->by_name_cap = cap;
    for (size_t i = 0; i < s->n_profiles; i++)
        *index_slot(s, s->profiles[i].p.name) = i + 1;
    return true;
}

/* Doubles the room for profiles; the old block is wiped, as it holds secrets. */
static bool profiles_grow(struct parse_state *ps)
{
    struct scenario *s = ps->s;
    size_t cap = ps->cap ? ps->cap * 2 : 8;
    struct scenario_profile *np = malloc(cap * sizeof *np);
    unsigned *nk = realloc(ps->profile_keys, cap * sizeof *nk);
    if (nk)
        ps->profile_keys = nk;
    if (!np || !nk) {
        free(np);
        return false;
    }
    if (s->n_profiles) {
        memcpy(np, s->profiles, s->n_profiles * sizeof *np);
        plat_wipe(s->profiles, s->n_profiles * sizeof *np);
    }
    free(s->profiles);
    s->profiles = np;
    ps->cap = cap;
    return true;
}

static struct scenario_profile *add_profile(struct parse_state *ps, const char *name)
{
    struct scenario *s = ps->s;
    struct scenario_profile *sp = scenario_find_profile(s, name);
    if (sp)
        return sp;
    if (s->n_profiles == ps->cap && !profiles_grow(ps))
        return NULL;
    if (2 * (s->n_profiles + 1) > s->by_name_cap && !index_grow(s))
        return NULL;
    sp = &s->profiles[s->n_profiles];
    profile_defaults(sp, name);
    ps->profile_keys[s->n_profiles] = 0;
    s->n_profiles++;
    *index_slot(s, sp->p.name) = s->n_profiles;
    return sp;
}

/* Rejects a key given twice in one section: a later line silently winning
 * would hide a typo. bit is the key's index within its section's table. */
static bool first_time(struct parse_state *ps, unsigned long *seen, int bit, const char *name)
{
    if (*seen & (1UL << bit)) {
        snprintf(ps->msg, sizeof ps->msg, "key '%s' given twice in this section", name);
        return false;
    }
    *seen |= 1UL << bit;
    return true;
}

/* "19044.1466": CurrentBuild dot UBR, both decimal, as winver shows them. */
static bool parse_os_build(const char *value, unsigned *build, unsigned *ubr)
{
    const char *dot = strchr(value, '.');
    if (!dot || !isdigit((unsigned char)value[0]) || !isdigit((unsigned char)dot[1]))
        return false; /* strtoul alone would take blanks and signs */
    char *end;
    errno = 0;
    unsigned long b = strtoul(value, &end, 10);
    if (end != dot || b == 0 || b > 999999 || errno)
        return false;
    unsigned long r = strtoul(dot + 1, &end, 10);
    if (*end || r > 999999 || errno)
        return false;
    *build = (unsigned)b;
    *ubr = (unsigned)r;
    return true;
}

static char *next_item(char **cursor);

/* What an ignores item may name: a setting the simulated machine writes. */
static bool ignorable(const char *what)
{
    if (profile_field_from_key(what) != PROFILE_FIELD_COUNT ||
        service_from_name(what) != SERVICE_COUNT || strcmp(what, "psk") == 0 ||
        strcmp(what, "password") == 0)
        return true;
    for (int r = 0; r < REGVAL_COUNT; r++)
        if (strcmp(regval_info((enum regval_id)r)->value, what) == 0)
            return true;
    return false;
}

/* One item: "LcpExtensions" drops the whole write, "AuthRestrictions&0x200" those bits. */
static bool parse_ignore(char *item, struct scenario_ignore *out)
{
    char *amp = strchr(item, '&');
    out->mask = 0xFFFFFFFFUL;
    if (amp) {
        char *end;
        *amp = '\0';
        errno = 0;
        out->mask = strtoul(amp + 1, &end, 0);
        if (errno || *end || !isdigit((unsigned char)amp[1]) || out->mask == 0 ||
            out->mask > 0xFFFFFFFFUL)
            return false;
    }
    return ignorable(item) && copy_bounded(out->what, sizeof out->what, item);
}

static int parse_ignores(struct parse_state *ps, const char *value)
{
    char copy[512];
    if (!copy_bounded(copy, sizeof copy, value)) {
        snprintf(ps->msg, sizeof ps->msg, "ignores: too long");
        return 0;
    }
    struct scenario *s = ps->s;
    char *cursor = copy, *item;
    while ((item = next_item(&cursor)) != NULL) {
        if (!*item)
            continue;
        if (s->n_ignores == SCENARIO_MAX_IGNORES) {
            snprintf(ps->msg, sizeof ps->msg, "ignores: at most %d items", SCENARIO_MAX_IGNORES);
            return 0;
        }
        char shown[64];
        snprintf(shown, sizeof shown, "%s", item);
        if (!parse_ignore(item, &s->ignores[s->n_ignores])) {
            snprintf(ps->msg, sizeof ps->msg,
                     "ignores: '%.60s' is not a profile key, registry value, service, psk or "
                     "password (KEY or KEY&MASK)",
                     shown);
            return 0;
        }
        s->n_ignores++;
    }
    return 1;
}

unsigned long scenario_ignored(const struct scenario *s, const char *what)
{
    unsigned long mask = 0;
    for (size_t i = 0; i < s->n_ignores; i++)
        if (strcmp(s->ignores[i].what, what) == 0)
            mask |= s->ignores[i].mask;
    return mask;
}

/* certificate = none|valid|expired|...: the machine certificate's state (none by default). */
static int machine_cert_key(struct parse_state *ps, const char *name, const char *value)
{
    if (!first_time(ps, &ps->seen_global[0], 4, name))
        return 0;
    enum cert_state st = cert_state_from_id(value);
    if (st == CERT_STATE_COUNT) {
        char ids[160] = "";
        for (int c = 0; c < CERT_STATE_COUNT; c++) {
            size_t l = strlen(ids);
            snprintf(ids + l, sizeof ids - l, "%s%s", c ? ", " : "",
                     cert_state_id((enum cert_state)c));
        }
        snprintf(ps->msg, sizeof ps->msg, "certificate: expected one of %s, got '%.60s'", ids,
                 value);
        return 0;
    }
    ps->s->machine_cert = st;
    return 1;
}

/* roots = THUMBPRINT, ...: 40 hex digits each, kept upper-case as Windows shows them. */
static int machine_roots_key(struct parse_state *ps, const char *name, const char *value)
{
    struct scenario *s = ps->s;
    if (!first_time(ps, &ps->seen_global[0], 5, name))
        return 0;
    char list[SCENARIO_MAX_ROOTS * (SCENARIO_THUMB_SIZE + 2) + 1];
    if (!copy_bounded(list, sizeof list, value)) {
        snprintf(ps->msg, sizeof ps->msg, "roots: at most %d thumbprints", SCENARIO_MAX_ROOTS);
        return 0;
    }
    s->n_roots = 0;
    char *cursor = list, *t;
    while ((t = next_item(&cursor)) != NULL) {
        if (!*t)
            continue;
        size_t n = strspn(t, "0123456789abcdefABCDEF");
        if (n != SCENARIO_THUMB_SIZE - 1 || t[n] || s->n_roots == SCENARIO_MAX_ROOTS) {
            snprintf(ps->msg, sizeof ps->msg,
                     "roots: expected up to %d SHA-1 thumbprints (40 hex digits), got '%.60s'",
                     SCENARIO_MAX_ROOTS, t);
            return 0;
        }
        for (size_t i = 0; i < n; i++)
            s->roots[s->n_roots][i] = (char)toupper((unsigned char)t[i]);
        s->roots[s->n_roots++][n] = '\0';
    }
    return 1;
}

static int machine_key(struct parse_state *ps, const char *name, const char *value)
{
    struct scenario *s = ps->s;
    bool *target = NULL;
    int bit = 0;
    if (strcmp(name, "admin") == 0)
        target = &s->admin;
    else if (strcmp(name, "behind_nat") == 0) {
        target = &s->client_behind_nat;
        bit = 1;
    } else if (strcmp(name, "os_build") == 0) {
        if (!first_time(ps, &ps->seen_global[0], 2, name))
            return 0;
        if (!parse_os_build(value, &s->os_build, &s->os_ubr)) {
            snprintf(ps->msg, sizeof ps->msg,
                     "os_build: expected BUILD.UBR like 19044.1466, got '%.60s'", value);
            return 0;
        }
        return 1;
    } else if (strcmp(name, "ignores") == 0) {
        if (!first_time(ps, &ps->seen_global[0], 3, name))
            return 0;
        return parse_ignores(ps, value);
    } else if (strcmp(name, "certificate") == 0) {
        return machine_cert_key(ps, name, value);
    } else if (strcmp(name, "roots") == 0) {
        return machine_roots_key(ps, name, value);
    } else {
        snprintf(ps->msg, sizeof ps->msg,
                 "unknown key '%s' in [machine] (admin, behind_nat, os_build, ignores, "
                 "certificate, roots)",
                 name);
        return 0;
    }
    if (!first_time(ps, &ps->seen_global[0], bit, name))
        return 0;
    if (!parse_bool(value, target)) {
        snprintf(ps->msg, sizeof ps->msg, "%s: expected yes or no, got '%s'", name, value);
        return 0;
    }
    return 1;
}

static int registry_key(struct parse_state *ps, const char *name, const char *value)
{
    for (int r = 0; r < REGVAL_COUNT; r++) {
        const struct regval_info *ri = regval_info((enum regval_id)r);
        char full[256];
        snprintf(full, sizeof full, "%s\\%s", ri->subkey, ri->value);
        if (strcmp(name, full) != 0)
            continue;
        if (!first_time(ps, &ps->seen_global[1], r, name))
            return 0;
        long long n;
        if (!parse_number(value, 0, 0xFFFFFFFFLL, &n)) {
            snprintf(ps->msg, sizeof ps->msg, "%s: expected a DWORD number, got '%s'", name, value);
            return 0;
        }
        ps->s->reg_set[r] = true;
        ps->s->reg[r] = (unsigned long)n;
        return 1;
    }
    snprintf(ps->msg, sizeof ps->msg,
             "unknown registry value '%s' (PolicyAgent\\AssumeUDPEncapsulationContextOnSendRule, "
             "RasMan\\Parameters\\ProhibitIpSec)",
             name);
    return 0;
}

static int services_key(struct parse_state *ps, const char *name, const char *value)
{
    enum service_id id = service_from_name(name);
    if (id == SERVICE_COUNT) {
        snprintf(ps->msg, sizeof ps->msg, "unknown service '%s' (IKEEXT, PolicyAgent, RasMan, BFE)",
                 name);
        return 0;
    }
    if (!first_time(ps, &ps->seen_global[2], (int)id, name))
        return 0;
    struct service_status *ss = &ps->s->services[id];
    if (strcmp(value, "running") == 0 || strcmp(value, "stopped") == 0) {
        ss->state = value[0] == 'r' ? SVC_RUNNING : SVC_STOPPED;
        if (ss->start_type == SVC_START_DISABLED)
            ss->start_type = service_info(id)->default_start;
    } else if (strcmp(value, "disabled") == 0) {
        ss->state = SVC_STOPPED;
        ss->start_type = SVC_START_DISABLED;
    } else {
        snprintf(ps->msg, sizeof ps->msg, "%s: expected running, stopped or disabled, got '%s'",
                 name, value);
        return 0;
    }
    return 1;
}

/* Splits at commas in place, trimming blanks; portable where strtok_r is not. */
static char *next_item(char **cursor)
{
    char *start = *cursor;
    if (!start)
        return NULL;
    char *comma = strchr(start, ',');
    *cursor = comma ? comma + 1 : NULL;
    if (comma)
        *comma = '\0';
    while (isspace((unsigned char)*start))
        start++;
    char *end = start + strlen(start);
    while (end > start && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return start;
}

static bool parse_auth_list(const char *value, long *out)
{
    char buf[128];
    if (!copy_bounded(buf, sizeof buf, value))
        return false;
    long mask = 0;
    char *cursor = buf;
    for (char *tok = next_item(&cursor); tok; tok = next_item(&cursor)) {
        size_t i;
        for (i = 0; i < sizeof auth_names / sizeof auth_names[0]; i++)
            if (strcmp(tok, auth_names[i].name) == 0)
                break;
        if (i == sizeof auth_names / sizeof auth_names[0])
            return false;
        mask |= auth_names[i].bit;
    }
    *out = mask;
    return mask != 0;
}

static bool parse_users(struct scenario *s, const char *value)
{
    char buf[2048];
    bool ok = copy_bounded(buf, sizeof buf, value);
    s->n_users = 0;
    char *cursor = ok ? buf : NULL;
    for (char *tok = next_item(&cursor); ok && tok; tok = next_item(&cursor)) {
        char *colon = strchr(tok, ':');
        if (!colon || colon == tok || s->n_users == SCENARIO_MAX_USERS) {
            ok = false;
            break;
        }
        *colon = '\0';
        /* blanks around ':' are not part of either (the file could not keep them) */
        char *name_end = colon, *password = colon + 1;
        while (name_end > tok && isspace((unsigned char)name_end[-1]))
            *--name_end = '\0';
        while (isspace((unsigned char)*password))
            password++;
        struct scenario_user *u = &s->users[s->n_users];
        ok = tok[0] && copy_bounded(u->name, sizeof u->name, tok) &&
             copy_bounded(u->password, sizeof u->password, password);
        s->n_users += ok;
    }
    plat_wipe(buf, sizeof buf);
    return ok && s->n_users > 0;
}

/* proposals = windows | none | 3des-md5-modp1024, aes128-sha1-modp1536, ... */
static bool parse_proposals(struct scenario *s, const char *value)
{
    s->server_proposals_windows = strcmp(value, "windows") == 0;
    s->n_server_proposals = 0;
    if (s->server_proposals_windows || strcmp(value, "none") == 0)
        return true;
    char buf[1024];
    if (!copy_bounded(buf, sizeof buf, value))
        return false;
    char *cursor = buf;
    for (char *tok = next_item(&cursor); tok; tok = next_item(&cursor)) {
        if (s->n_server_proposals == SCENARIO_MAX_PROPOSALS ||
            !probe_transform_parse(tok, &s->server_proposals[s->n_server_proposals]))
            return false;
        s->n_server_proposals++;
    }
    return s->n_server_proposals > 0;
}

static const char *const server_keys[] = {"address", "reachable",      "behind_nat", "psk",
                                          "auth",    "lcp_extensions", "users",      "proposals",
                                          "udp4500", "ikev2",          "ikev2_ca"};

static int server_key(struct parse_state *ps, const char *name, const char *value)
{
    struct scenario *s = ps->s;
    int k;
    for (k = 0; k < (int)(sizeof server_keys / sizeof server_keys[0]); k++)
        if (strcmp(name, server_keys[k]) == 0)
            break;
    if (k == (int)(sizeof server_keys / sizeof server_keys[0])) {
        snprintf(ps->msg, sizeof ps->msg,
                 "unknown key '%s' in [server] (address, reachable, behind_nat, psk, auth, "
                 "lcp_extensions, users, proposals, udp4500, ikev2, ikev2_ca)",
                 name);
        return 0;
    }
    if (!first_time(ps, &ps->seen_global[3], k, name))
        return 0;
    bool ok = true;
    switch (k) {
    case 0:
        ok = *value && copy_bounded(s->server_address, sizeof s->server_address, value);
        break;
    case 1:
        ok = parse_bool(value, &s->server_reachable);
        break;
    case 2:
        ok = parse_bool(value, &s->server_behind_nat);
        break;
    case 3:
        ok = copy_bounded(s->server_psk, sizeof s->server_psk, value);
        break;
    case 4:
        ok = parse_auth_list(value, &s->server_auth);
        break;
    case 5:
        ok = strcmp(value, "required") == 0 || strcmp(value, "optional") == 0;
        s->server_lcp_required = value[0] == 'r';
        break;
    case 6:
        ok = parse_users(s, value);
        break;
    case 7:
        ok = parse_proposals(s, value);
        break;
    case 8:
        ok = strcmp(value, "open") == 0 || strcmp(value, "blocked") == 0;
        s->server_udp4500 = value[0] == 'o';
        break;
    case 9:
        ok = parse_bool(value, &s->server_ikev2);
        break;
    case 10: /* a file name, not a path: the CA file given is matched by its name */
        ok = *value && !strpbrk(value, "/\\") &&
             copy_bounded(s->server_ikev2_ca, sizeof s->server_ikev2_ca,
                          strcmp(value, "system") == 0 ? "" : value);
        break;
    }
    if (!ok) {
        static const char *const expect[] = {"a host name or address",
                                             "yes or no",
                                             "yes or no",
                                             "a key (at most 255 bytes)",
                                             "a comma list of pap, chap, mschap, mschapv2, eap",
                                             "required or optional",
                                             "a comma list of name:password",
                                             ("windows, none, or a comma list of transforms "
                                              "like 3des-md5-modp1024"),
                                             "open or blocked",
                                             "yes or no",
                                             "system or a CA file's name (no directory)"};
        /* never echo a secret back in an error */
        bool secret = k == 3 || k == 6;
        snprintf(ps->msg, sizeof ps->msg, "%s: expected %s%s%s%s", name, expect[k],
                 secret ? "" : ", got '", secret ? "" : value, secret ? "" : "'");
        return 0;
    }
    return 1;
}

/* A profile key of a scenario beside the phonebook's numeric fields: each sets
 * its part of the profile from the value and says whether the value is valid. */
static bool set_phonebook(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    (void)ps;
    sp->p.phonebook = value[0] == 'a' ? PHONEBOOK_ALLUSERS : PHONEBOOK_USER;
    return strcmp(value, "user") == 0 || strcmp(value, "allusers") == 0;
}

/* As event 20227 writes it: an HRESULT may be a negative decimal. */
static bool set_last_error(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    (void)ps;
    int code = 0;
    sp->last.known = kb_parse_code(value, &code);
    sp->last.code = code;
    return sp->last.known;
}

/* UTC ISO 8601, as l2tpfix writes it: compared as text. */
static bool set_last_time(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    (void)ps;
    size_t vl = strlen(value);
    return (vl == 20 || (vl == 24 && value[19] == '.')) && value[4] == '-' && value[10] == 'T' &&
           value[vl - 1] == 'Z' && copy_bounded(sp->last.when, sizeof sp->last.when, value);
}

/* Another local user's phonebook: the profile is named "owner\entry". */
static bool set_owner(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    size_t ol = strlen(value);
    if (ol > 0 && !strpbrk(value, "\\/") && strncmp(sp->p.name, value, ol) == 0 &&
        sp->p.name[ol] == '\\' && sp->p.name[ol + 1] &&
        copy_bounded(sp->p.owner, sizeof sp->p.owner, value))
        return true;
    snprintf(ps->msg, sizeof ps->msg,
             "owner = %.60s: the profile's name must be that user's name, a backslash and the "
             "entry's name",
             value);
    return false;
}

static bool set_dial_events(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    (void)ps;
    return parse_dial_events(value, &sp->last.reached);
}

/* The entry's Type= (RASET_*): a phonebook holds dial-up and PPPoE entries too. */
static bool set_type(struct parse_state *ps, struct scenario_profile *sp, const char *value)
{
    (void)ps;
    enum entry_type t = entry_type_from_id(value);
    bool ok = t != ENTRY_TYPE_COUNT && t != ENTRY_UNKNOWN;
    sp->p.entry_type = ok ? t : ENTRY_VPN;
    return ok;
}

/* A key whose value is kept as it is written, in member m of the profile. */
#define AS_TEXT(m)                                                                                 \
    NULL, offsetof(struct scenario_profile, m), sizeof(((struct scenario_profile *)0)->m)
/* A key whose setter checks and keeps its value. */
#define BY_SETTER(fn) fn, 0, 0

/* X(key, AS_TEXT(member) or BY_SETTER(function), the PK_ bit it marks as given or 0,
 * a secret never echoed) */
#define PROFILE_EXTRA_TABLE(X)                                                                     \
    X("phonebook", BY_SETTER(set_phonebook), 0, false)                                             \
    X("PhoneNumber", AS_TEXT(p.server), PK_PHONE, false)                                           \
    X("psk", AS_TEXT(psk), PK_PSK, true)                                                           \
    X("username", AS_TEXT(p.username), PK_USER, false)                                             \
    X("password", AS_TEXT(password), PK_PASSWORD, true)                                            \
    X("last_error", BY_SETTER(set_last_error), 0, false)                                           \
    X("last_time", BY_SETTER(set_last_time), 0, false)                                             \
    X("owner", BY_SETTER(set_owner), 0, false)                                                     \
    X("last_dial_events", BY_SETTER(set_dial_events), 0, false)                                    \
    X("type", BY_SETTER(set_type), 0, false)

struct profile_extra {
    const char *key;
    /* a setter, or (NULL) the text member at offset text_at, text_len bytes with its NUL */
    bool (*set)(struct parse_state *ps, struct scenario_profile *sp, const char *value);
    size_t text_at, text_len;
    unsigned given;
    bool secret;
};
#define EXTRA_ROW(key, how, given, secret) {key, how, given, secret},
static const struct profile_extra profile_extras[] = {PROFILE_EXTRA_TABLE(EXTRA_ROW)};
#undef EXTRA_ROW
#undef BY_SETTER
#undef AS_TEXT
#define PROFILE_EXTRA_COUNT (int)(sizeof profile_extras / sizeof profile_extras[0])

/* The bit that marks a key as given in a profile: fields from 8, the others from 16. */
static int key_bit(const char *name, const struct profile_extra **extra)
{
    enum profile_field f = profile_field_from_key(name);
    *extra = NULL;
    if (f != PROFILE_FIELD_COUNT)
        return 8 + (int)f;
    for (int k = 0; k < PROFILE_EXTRA_COUNT; k++)
        if (strcmp(name, profile_extras[k].key) == 0) {
            *extra = &profile_extras[k];
            return 16 + k;
        }
    return -1;
}

/* "unknown key" names every key a profile takes, from the tables. */
static void unknown_key(struct parse_state *ps, const char *name)
{
    int n = snprintf(ps->msg, sizeof ps->msg, "unknown key '%.60s' in a profile (", name);
    for (int i = 0;
         i < PROFILE_FIELD_COUNT + PROFILE_EXTRA_COUNT && n > 0 && (size_t)n < sizeof ps->msg; i++)
        n += snprintf(ps->msg + n, sizeof ps->msg - (size_t)n, "%s%s", i ? ", " : "",
                      i < PROFILE_FIELD_COUNT ? profile_field_key((enum profile_field)i)
                                              : profile_extras[i - PROFILE_FIELD_COUNT].key);
    if (n > 0 && (size_t)n < sizeof ps->msg)
        snprintf(ps->msg + n, sizeof ps->msg - (size_t)n, ")");
}

/* A value refused: a long value is named by its start and its length, a secret not at all. */
static void bad_value(struct parse_state *ps, const char *name, const char *value, bool secret)
{
    size_t vl = strlen(value);
    snprintf(ps->msg, sizeof ps->msg, "%s: value %s%.60s%s%s is not valid here", name,
             secret ? "" : "'", secret ? "(not shown)" : value,
             secret    ? ""
             : vl > 60 ? "...'"
                       : "'",
             secret || vl <= 60 ? "" : " (too long)");
}

static int profile_key(struct parse_state *ps, const char *pname, const char *name,
                       const char *value)
{
    struct scenario_profile *sp = add_profile(ps, pname);
    if (!sp) {
        snprintf(ps->msg, sizeof ps->msg, "out of memory");
        return 0;
    }
    unsigned *keys = &ps->profile_keys[sp - ps->s->profiles];
    const struct profile_extra *extra;
    int bit = key_bit(name, &extra);
    if (bit < 0) {
        unknown_key(ps, name);
        return 0;
    }
    if (*keys & (1u << bit)) {
        snprintf(ps->msg, sizeof ps->msg, "key '%s' given twice in this profile", name);
        return 0;
    }
    *keys |= 1u << bit;
    ps->msg[0] = '\0';
    bool ok;
    if (extra) {
        ok = extra->set ? extra->set(ps, sp, value)
                        : copy_bounded((char *)sp + extra->text_at, extra->text_len, value);
        *keys |= extra->given;
    } else {
        long long n = 0;
        ok = parse_number(value, 0, 0x7FFFFFFFLL, &n);
        if (ok)
            sp->p.fields[profile_field_from_key(name)] = (long)n;
    }
    if (!ok && !ps->msg[0])
        bad_value(ps, name, value, extra && extra->secret);
    return ok;
}

static bool fixed_section(const char *section)
{
    return strcmp(section, "machine") == 0 || strcmp(section, "registry") == 0 ||
           strcmp(section, "services") == 0 || strcmp(section, "server") == 0;
}

static int unknown_section(struct parse_state *ps, const char *section)
{
    snprintf(ps->msg, sizeof ps->msg,
             "unknown section [%.200s] (machine, registry, services, server, profile \"NAME\")",
             section);
    return 0;
}

/* A section header: a profile section creates its profile even with no keys. */
static int on_section(struct parse_state *ps, const char *section)
{
    char pname[PROFILE_NAME_MAX];
    if (fixed_section(section))
        return 1;
    bool named = profile_section_name(section, pname, sizeof pname);
    /* an entry's name (256 at most), or "owner\entry" (a folder's name: 255 more) */
    if ((!named && strncmp(section, "profile \"", 9) == 0 &&
         strlen(section) > 9 + PROFILE_NAME_MAX) ||
        (named && !strchr(pname, '\\') && strlen(pname) >= PROFILE_ENTRY_MAX)) {
        snprintf(ps->msg, sizeof ps->msg,
                 "a profile name longer than Windows allows (%d characters)",
                 PROFILE_ENTRY_MAX - 1);
        return 0;
    }
    if (!named)
        return unknown_section(ps, section);
    if (scenario_find_profile(ps->s, pname)) {
        snprintf(ps->msg, sizeof ps->msg, "profile \"%.200s%s\" defined twice", pname,
                 strlen(pname) > 200 ? "..." : "");
        return 0;
    }
    if (!add_profile(ps, pname)) {
        snprintf(ps->msg, sizeof ps->msg, "out of memory");
        return 0;
    }
    return 1;
}

static int on_line(void *user, int lineno, const char *section, const char *name, const char *value)
{
    struct parse_state *ps = user;
    char pname[PROFILE_NAME_MAX];
    (void)lineno;
    if (!name)
        return on_section(ps, section);
    if (strcmp(section, "machine") == 0)
        return machine_key(ps, name, value);
    if (strcmp(section, "registry") == 0)
        return registry_key(ps, name, value);
    if (strcmp(section, "services") == 0)
        return services_key(ps, name, value);
    if (strcmp(section, "server") == 0)
        return server_key(ps, name, value);
    if (profile_section_name(section, pname, sizeof pname))
        return profile_key(ps, pname, name, value);
    if (section[0] == '\0') {
        snprintf(ps->msg, sizeof ps->msg, "key '%.100s' before any [section]", name);
        return 0;
    }
    return unknown_section(ps, section);
}

static bool finish_profiles(struct parse_state *ps)
{
    struct scenario *s = ps->s;
    if (s->n_profiles == 0 && !add_profile(ps, "Office VPN"))
        return false;
    for (size_t i = 0; i < s->n_profiles; i++) {
        struct scenario_profile *sp = &s->profiles[i];
        unsigned keys = ps->profile_keys[i];
        if (!(keys & PK_PHONE))
            snprintf(sp->p.server, sizeof sp->p.server, "%s", s->server_address);
        if (!(keys & PK_PSK))
            snprintf(sp->psk, sizeof sp->psk, "%s", s->server_psk[0] ? s->server_psk : DEFAULT_PSK);
        if (!(keys & PK_USER))
            snprintf(sp->p.username, sizeof sp->p.username, "%s",
                     s->n_users ? s->users[0].name : DEFAULT_USER);
        if (!(keys & PK_PASSWORD))
            snprintf(sp->password, sizeof sp->password, "%s",
                     s->n_users ? s->users[0].password : DEFAULT_PASSWORD);
        sp->p.psk_saved = sp->psk[0] != '\0';
        sp->p.username_saved = sp->p.username[0] != '\0';
        sp->p.password_saved = sp->password[0] != '\0';
    }
    return true;
}

enum l2f_status scenario_parse(const char *text, const char *source, struct scenario *out,
                               struct l2f_err *err)
{
    struct parse_state ps;
    memset(&ps, 0, sizeof ps);
    set_defaults(out);
    ps.s = out;
    int bad = inifile_parse(text, on_line, &ps);
    if (bad == 0 && !finish_profiles(&ps))
        bad = -1;
    free(ps.profile_keys);
    if (bad != 0) {
        if (bad < 0)
            l2f_err_set(err, "%s: out of memory while parsing", source);
        else if (ps.msg[0])
            l2f_err_set(err, "%s:%d: %s", source, bad, ps.msg);
        else
            l2f_err_set(err,
                        "%s:%d: malformed line (expected [section], key = value or a ; comment)",
                        source, bad);
        scenario_free(out);
        return L2F_ERR_PARSE;
    }
    return L2F_OK;
}

struct scenario_profile *scenario_find_profile(struct scenario *s, const char *name)
{
    if (!s->by_name_cap)
        return NULL;
    size_t at = *index_slot(s, name);
    return at ? &s->profiles[at - 1] : NULL;
}

void scenario_free(struct scenario *s)
{
    if (s->profiles)
        plat_wipe(s->profiles, s->n_profiles * sizeof *s->profiles);
    free(s->profiles);
    free(s->by_name);
    plat_wipe(s, sizeof *s);
}

static const char *yesno(bool b)
{
    return b ? "yes" : "no";
}

static void format_proposals(struct text_buf *sb, const struct scenario *s)
{
    if (s->server_proposals_windows || s->n_server_proposals == 0) {
        text_printf(sb, "proposals = %s\n", s->server_proposals_windows ? "windows" : "none");
        return;
    }
    text_printf(sb, "proposals = ");
    for (size_t i = 0; i < s->n_server_proposals; i++) {
        char name[PROBE_TRANSFORM_NAME];
        ike_transform_name(&s->server_proposals[i], name, sizeof name);
        text_printf(sb, "%s%s", i ? ", " : "", name);
    }
    text_printf(sb, "\n");
}

static void format_machine(struct text_buf *sb, const struct scenario *s)
{
    text_printf(sb, "[machine]\nadmin = %s\nbehind_nat = %s\n", yesno(s->admin),
                yesno(s->client_behind_nat));
    if (s->os_build)
        text_printf(sb, "os_build = %u.%u\n", s->os_build, s->os_ubr);
    for (size_t i = 0; i < s->n_ignores; i++) {
        const struct scenario_ignore *ig = &s->ignores[i];
        text_printf(sb, "%s%s", i ? ", " : "ignores = ", ig->what);
        if (ig->mask != 0xFFFFFFFFUL)
            text_printf(sb, "&0x%lx", ig->mask);
    }
    if (s->n_ignores)
        text_printf(sb, "\n");
    if (s->machine_cert != CERT_NONE)
        text_printf(sb, "certificate = %s\n", cert_state_id(s->machine_cert));
    for (size_t i = 0; i < s->n_roots; i++)
        text_printf(sb, "%s%s", i ? ", " : "roots = ", s->roots[i]);
    if (s->n_roots)
        text_printf(sb, "\n");
    text_printf(sb, "\n");
}

enum l2f_status scenario_format(const struct scenario *s, char **out)
{
    struct text_buf sb = {0};
    text_printf(&sb, "; l2tpfix mock scenario, written back by l2tpfix after a change.\n\n");
    format_machine(&sb, s);
    text_printf(&sb, "[registry]\n");
    for (int r = 0; r < REGVAL_COUNT; r++)
        if (s->reg_set[r])
            text_printf(&sb, "%s\\%s = %lu\n", regval_info((enum regval_id)r)->subkey,
                        regval_info((enum regval_id)r)->value, s->reg[r]);
    text_printf(&sb, "\n[services]\n");
    for (int i = 0; i < SERVICE_COUNT; i++) {
        const struct service_status *ss = &s->services[i];
        text_printf(&sb, "%s = %s\n", service_info((enum service_id)i)->name,
                    ss->start_type == SVC_START_DISABLED ? "disabled"
                                                         : service_state_name(ss->state));
    }
    char auth[128] = "";
    for (size_t i = 0; i < sizeof auth_names / sizeof auth_names[0]; i++)
        if (s->server_auth & auth_names[i].bit) {
            size_t l = strlen(auth);
            snprintf(auth + l, sizeof auth - l, "%s%s", l ? "," : "", auth_names[i].name);
        }
    text_printf(&sb, "\n[server]\naddress = %s\nreachable = %s\nbehind_nat = %s\n",
                s->server_address, yesno(s->server_reachable), yesno(s->server_behind_nat));
    if (s->server_psk[0])
        text_printf(&sb, "psk = %s\n", s->server_psk);
    text_printf(&sb, "auth = %s\nlcp_extensions = %s\n", auth,
                s->server_lcp_required ? "required" : "optional");
    if (s->n_users) {
        text_printf(&sb, "users = ");
        for (size_t i = 0; i < s->n_users; i++)
            text_printf(&sb, "%s%s:%s", i ? "," : "", s->users[i].name, s->users[i].password);
        text_printf(&sb, "\n");
    }
    format_proposals(&sb, s);
    text_printf(&sb, "udp4500 = %s\nikev2 = %s\n", s->server_udp4500 ? "open" : "blocked",
                yesno(s->server_ikev2));
    if (s->server_ikev2_ca[0])
        text_printf(&sb, "ikev2_ca = %s\n", s->server_ikev2_ca);
    for (size_t i = 0; i < s->n_profiles; i++) {
        const struct scenario_profile *sp = &s->profiles[i];
        text_printf(&sb, "\n[profile \"%s\"]\nphonebook = %s\nPhoneNumber = %s\n", sp->p.name,
                    phonebook_kind_name(sp->p.phonebook), sp->p.server);
        if (sp->p.owner[0])
            text_printf(&sb, "owner = %s\n", sp->p.owner);
        if (!profile_is_vpn(&sp->p))
            text_printf(&sb, "type = %s\n", entry_type_id(sp->p.entry_type));
        for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
            text_printf(&sb, "%s = %ld\n", profile_field_key((enum profile_field)f),
                        sp->p.fields[f]);
        text_printf(&sb, "psk = %s\nusername = %s\npassword = %s\n", sp->psk, sp->p.username,
                    sp->password);
        if (sp->last.known)
            text_printf(&sb, "last_error = %d\n", sp->last.code);
        if (sp->last.known && sp->last.when[0])
            text_printf(&sb, "last_time = %s\n", sp->last.when);
        if (sp->last.known && sp->last.reached) {
            text_printf(&sb, "last_dial_events = ");
            for (int e = KB_EVENT_PRECONNECT; e <= sp->last.reached; e++)
                text_printf(&sb, "%s%d", e > KB_EVENT_PRECONNECT ? "," : "", e);
            text_printf(&sb, "\n");
        }
    }
    if (sb.failed) {
        free(sb.s);
        return L2F_ERR_NOMEM;
    }
    *out = sb.s;
    return L2F_OK;
}

const char *builtin_scenario_text(const char *name)
{
    for (size_t i = 0; builtin_scenarios[i].name; i++)
        if (strcmp(builtin_scenarios[i].name, name) == 0)
            return builtin_scenarios[i].text;
    return NULL;
}
