/* The offline phonebook backend: the profiles of one rasphone.pbk file, on
 * any OS. Fixes edit the file through the phonebook editor (every byte they
 * do not change stays), written atomically. What is not in the file (the
 * registry, services, saved credentials, the last connection) is unknown
 * here, and the server is asked only with --probe-real. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "pbk.h"
#include "platform.h"

#define MAX_BOOKS 64
#define PBK_BELOW_USER "AppData%cRoaming%cMicrosoft%cNetwork%cConnections%cPbk%crasphone.pbk"

/* One phonebook file; owner is the user folder it came from ("" for a file
 * given by itself), and its entries are named "owner\entry" then. */
struct book {
    char path[PLAT_PATH_MAX];
    char owner[64];
    char *data;
    size_t len;
    struct pbk pbk;
};

struct pbk_state {
    char id[PLAT_PATH_MAX + 16], desc[PLAT_PATH_MAX + 48];
    struct book books[MAX_BOOKS];
    size_t nbooks;
};

static struct pbk_state *st_of(struct backend *be)
{
    return be->state;
}

static enum l2f_status load(struct book *b, struct l2f_err *err)
{
    char *data;
    size_t len;
    enum l2f_status st = plat_read_file(b->path, &data, &len, err);
    if (st != L2F_OK)
        return st;
    struct pbk parsed;
    st = pbk_parse(data, len, b->path, &parsed, err);
    if (st != L2F_OK) {
        free(data);
        return st;
    }
    pbk_free(&b->pbk);
    free(b->data);
    b->data = data;
    b->len = len;
    b->pbk = parsed;
    return L2F_OK;
}

static void pbk_close(struct backend *be);

/* A folder of user profiles (C:\Users): every user's phonebook below it. */
static enum l2f_status open_users(struct pbk_state *s, const char *dir, struct l2f_err *err)
{
    char users[MAX_BOOKS][256];
    size_t n = 0;
    enum l2f_status st = plat_subdirs(dir, users, MAX_BOOKS, &n, err);
    if (st != L2F_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        struct book *b = &s->books[s->nbooks];
        char below[128];
        snprintf(below, sizeof below, PBK_BELOW_USER, PLAT_DIRSEP, PLAT_DIRSEP, PLAT_DIRSEP, PLAT_DIRSEP, PLAT_DIRSEP,
                 PLAT_DIRSEP);
        snprintf(b->path, sizeof b->path, "%.3000s%c%.255s%c%s", dir, PLAT_DIRSEP, users[i], PLAT_DIRSEP, below);
        if (!plat_file_exists(b->path))
            continue;
        snprintf(b->owner, sizeof b->owner, "%.63s", users[i]);
        if ((st = load(b, err)) != L2F_OK)
            return st;
        s->nbooks++;
    }
    if (!s->nbooks) {
        l2f_err_set(err, "%s: no user has a phonebook below it", dir);
        return L2F_ERR_NOT_FOUND;
    }
    return L2F_OK;
}

static enum l2f_status pbk_open(struct backend *be, const char *arg, struct l2f_err *err)
{
    struct pbk_state *s = calloc(1, sizeof *s);
    if (!s)
        return L2F_ERR_NOMEM;
    be->state = s;
    char probe[1][256];
    size_t subdirs;
    struct l2f_err ignored;
    bool is_dir = plat_subdirs(arg, probe, 1, &subdirs, &ignored) == L2F_OK;
    enum l2f_status st;
    if (is_dir) {
        st = open_users(s, arg, err);
    } else {
        snprintf(s->books[0].path, sizeof s->books[0].path, "%s", arg);
        st = load(&s->books[0], err);
        s->nbooks = st == L2F_OK;
    }
    if (st != L2F_OK) {
        pbk_close(be);
        return st;
    }
    snprintf(s->id, sizeof s->id, "phonebook:%s", arg);
    const char *base = strrchr(arg, PLAT_DIRSEP);
    snprintf(s->desc, sizeof s->desc, "%s: %s (offline)", is_dir ? "users' phonebooks" : "phonebook file",
             base && base[1] ? base + 1 : arg);
    return L2F_OK;
}

static void pbk_close(struct backend *be)
{
    struct pbk_state *s = st_of(be);
    if (!s)
        return;
    for (size_t i = 0; i < MAX_BOOKS; i++) {
        pbk_free(&s->books[i].pbk);
        free(s->books[i].data);
    }
    free(s);
    be->state = NULL;
}

static const char *pbk_machine_id(struct backend *be)
{
    return st_of(be)->id;
}

static const char *pbk_describe(struct backend *be)
{
    return st_of(be)->desc;
}

static long number(const char *v, long dflt)
{
    char *end;
    while (*v == ' ' || *v == '\t')
        v++;
    long n = strtol(v, &end, 10);
    return end == v ? dflt : n;
}

static void fill(const struct book *b, int section, struct vpn_profile *p)
{
    memset(p, 0, sizeof *p);
    char entry[PROFILE_NAME_MAX];
    pbk_entry_name(&b->pbk, section, entry, sizeof entry);
    if (b->owner[0])
        snprintf(p->name, sizeof p->name, "%s\\%.*s", b->owner, (int)(sizeof p->name - strlen(b->owner) - 2), entry);
    else
        snprintf(p->name, sizeof p->name, "%s", entry);
    snprintf(p->owner, sizeof p->owner, "%s", b->owner);
    /* the file is someone's phonebook; whose is not in it */
    p->phonebook = PHONEBOOK_USER;
    pbk_get(&b->pbk, section, "PhoneNumber", true, p->server, sizeof p->server);
    char v[64];
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++) {
        /* a missing LcpExtensions reads as enabled, as the API's cleared flag does */
        long dflt = f == PF_LCP_EXTENSIONS ? 1 : 0;
        p->fields[f] = pbk_get(&b->pbk, section, profile_field_key((enum profile_field)f), false, v, sizeof v)
                           ? number(v, dflt)
                           : dflt;
    }
    p->secrets_unknown = true;
}

/* The book and section of a profile name ("owner\entry" for a user's book). */
static struct book *find(struct pbk_state *s, const char *name, int *section, struct l2f_err *err)
{
    for (size_t i = 0; i < s->nbooks; i++) {
        struct book *b = &s->books[i];
        size_t ol = strlen(b->owner);
        const char *entry = name;
        if (ol) {
            if (strncmp(name, b->owner, ol) != 0 || name[ol] != '\\')
                continue;
            entry = name + ol + 1;
        }
        int sec = pbk_find(&b->pbk, entry);
        if (sec >= 0) {
            *section = sec;
            return b;
        }
    }
    l2f_err_set(err, "no phonebook entry named '%s'", name);
    return NULL;
}

static enum l2f_status pbk_list(struct backend *be, struct profile_list *out, struct l2f_err *err)
{
    struct pbk_state *s = st_of(be);
    (void)err;
    size_t total = 0;
    for (size_t i = 0; i < s->nbooks; i++)
        total += s->books[i].pbk.nsections;
    out->count = 0;
    out->items = calloc(total ? total : 1, sizeof *out->items);
    if (!out->items)
        return L2F_ERR_NOMEM;
    for (size_t i = 0; i < s->nbooks; i++)
        for (size_t k = 0; k < s->books[i].pbk.nsections; k++)
            fill(&s->books[i], (int)k, &out->items[out->count++]);
    return L2F_OK;
}

static enum l2f_status pbk_read(struct backend *be, const char *name, struct vpn_profile *out, struct l2f_err *err)
{
    int sec;
    struct book *b = find(st_of(be), name, &sec, err);
    if (!b)
        return L2F_ERR_NOT_FOUND;
    fill(b, sec, out);
    return L2F_OK;
}

static enum l2f_status pbk_write_field(struct backend *be, const char *name, enum profile_field field, long value,
                                       struct l2f_err *err)
{
    int sec;
    struct book *b = find(st_of(be), name, &sec, err);
    if (!b)
        return L2F_ERR_NOT_FOUND;
    char v[32], *out;
    size_t out_len;
    snprintf(v, sizeof v, "%ld", value);
    enum l2f_status st = pbk_set(&b->pbk, sec, profile_field_key(field), v, &out, &out_len, err);
    if (st != L2F_OK)
        return st;
    st = plat_write_atomic(b->path, out, out_len, err);
    free(out);
    return st == L2F_OK ? load(b, err) : st;
}

static enum l2f_status not_in_file(struct l2f_err *err, const char *what)
{
    l2f_err_set(err, "%s is not in a phonebook file: run l2tpfix on the Windows machine for it", what);
    return L2F_ERR_UNSUPPORTED;
}

static enum l2f_status pbk_set_secret(struct backend *be, const char *profile, enum secret_kind kind,
                                      const char *username, const char *secret, struct l2f_err *err)
{
    (void)be, (void)profile, (void)kind, (void)username, (void)secret;
    return not_in_file(err, "a saved key or password");
}

static enum l2f_status pbk_reg_read(struct backend *be, const char *key, const char *value, bool *exists,
                                    unsigned long *data, struct l2f_err *err)
{
    (void)be, (void)key, (void)value, (void)exists, (void)data;
    return not_in_file(err, "the registry");
}

static enum l2f_status pbk_reg_write(struct backend *be, const char *key, const char *value, bool exists,
                                     unsigned long data, struct l2f_err *err)
{
    (void)be, (void)key, (void)value, (void)exists, (void)data;
    return not_in_file(err, "the registry");
}

static enum l2f_status pbk_service_query(struct backend *be, const char *name, struct service_status *out,
                                         struct l2f_err *err)
{
    (void)be, (void)name, (void)out;
    return not_in_file(err, "a service");
}

static enum l2f_status pbk_service_control(struct backend *be, const char *name, enum service_action action,
                                           struct l2f_err *err)
{
    (void)be, (void)name, (void)action;
    return not_in_file(err, "a service");
}

static enum l2f_status pbk_service_start(struct backend *be, const char *name, enum service_start start,
                                         struct l2f_err *err)
{
    (void)be, (void)name, (void)start;
    return not_in_file(err, "a service");
}

static enum l2f_status pbk_is_admin(struct backend *be, bool *admin)
{
    (void)be;
    *admin = false;
    return L2F_ERR_UNSUPPORTED; /* the file's own permissions decide what can be written */
}

static enum l2f_status pbk_probe(struct backend *be, const char *host, struct probe_report *out,
                                 struct l2f_err *err)
{
    (void)be, (void)host, (void)out;
    l2f_err_set(err, "offline: --probe-real asks the server from this machine");
    return L2F_ERR_UNSUPPORTED;
}

static enum l2f_status pbk_check_psk(struct backend *be, const char *host, const char *psk,
                                     enum psk_verdict *verdict, struct l2f_err *err)
{
    (void)be, (void)host, (void)psk, (void)verdict;
    l2f_err_set(err, "offline: --probe-real checks the key against the server from this machine");
    return L2F_ERR_UNSUPPORTED;
}

static enum l2f_status pbk_last(struct backend *be, const char *profile, struct connection_record *out,
                                struct l2f_err *err)
{
    (void)be, (void)profile, (void)out;
    return not_in_file(err, "the last connection");
}

static enum l2f_status pbk_connect_start(struct backend *be, const char *profile, struct l2f_err *err)
{
    (void)be, (void)profile;
    l2f_err_set(err, "offline: a phonebook file cannot dial; --real-handshake runs the handshake from here");
    return L2F_ERR_UNSUPPORTED;
}

static bool pbk_connect_poll(struct backend *be, struct connect_event *ev)
{
    (void)be, (void)ev;
    return false;
}

static void pbk_connect_cancel(struct backend *be)
{
    (void)be;
}

const struct backend_ops backend_pbk_ops = {
    .name = "phonebook",
    .open = pbk_open,
    .close = pbk_close,
    .machine_id = pbk_machine_id,
    .describe = pbk_describe,
    .list_profiles = pbk_list,
    .read_profile = pbk_read,
    .write_profile_field = pbk_write_field,
    .set_secret = pbk_set_secret,
    .reg_read_dword = pbk_reg_read,
    .reg_write_dword = pbk_reg_write,
    .service_query = pbk_service_query,
    .service_control = pbk_service_control,
    .service_set_start = pbk_service_start,
    .is_admin = pbk_is_admin,
    .probe_server = pbk_probe,
    .check_psk = pbk_check_psk,
    .last_connection = pbk_last,
    .connect_start = pbk_connect_start,
    .connect_poll = pbk_connect_poll,
    .connect_cancel = pbk_connect_cancel,
};
