#include "userbooks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"
#include "platform.h"

#define PBK_BELOW_USER "AppData%cRoaming%cMicrosoft%cNetwork%cConnections%cPbk%crasphone.pbk"

/* One phonebook file; owner is the user folder it came from ("" for a file
 * given by itself), and its entries are named "owner\entry" then. */
struct book {
    char *path; /* allocated: a thousand books need not take 4 KiB each */
    char owner[PROFILE_OWNER_MAX];
    char *data;
    size_t len;
    struct pbk pbk;
};

struct userbooks {
    struct book *books; /* as many as there are user folders with a phonebook */
    size_t nbooks, cap;
};

/* A cleared book at the end of s->books (not yet counted); NULL when memory ran out. */
static struct book *next_book(struct userbooks *s)
{
    if (s->nbooks == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct book *grown = realloc(s->books, cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->books = grown;
        s->cap = cap;
    }
    struct book *b = &s->books[s->nbooks];
    memset(b, 0, sizeof *b);
    return b;
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

static char *copy_of(const char *text)
{
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, text, len);
    return copy;
}

/* Adds user's phonebook below dir, if the user has one. */
static enum l2f_status add_user_book(struct userbooks *s, const char *dir, const char *user,
                                     struct l2f_err *err)
{
    char below[128], path[PLAT_PATH_MAX];
    snprintf(below, sizeof below, PBK_BELOW_USER, PLAT_DIRSEP, PLAT_DIRSEP, PLAT_DIRSEP,
             PLAT_DIRSEP, PLAT_DIRSEP, PLAT_DIRSEP);
    int len = snprintf(path, sizeof path, "%s%c%s%c%s", dir, PLAT_DIRSEP, user, PLAT_DIRSEP, below);
    if (len < 0 || (size_t)len >= sizeof path) {
        l2f_err_set(
            err, "%.200s%c%.100s: the phonebook's path is longer than l2tpfix's limit of %d bytes",
            dir, PLAT_DIRSEP, user, PLAT_PATH_MAX - 1);
        return L2F_ERR_USAGE;
    }
    if (!plat_file_exists(path))
        return L2F_OK;
    if (strlen(user) >= PROFILE_OWNER_MAX) { /* longer than Windows allows: say so, never cut it */
        l2f_err_set(err,
                    "%.200s%c%.100s...: a user folder's name longer than Windows allows (%d bytes)",
                    dir, PLAT_DIRSEP, user, PROFILE_OWNER_MAX - 1);
        return L2F_ERR_USAGE;
    }
    struct book *b = next_book(s);
    if (!b || !(b->path = copy_of(path)))
        return L2F_ERR_NOMEM;
    s->nbooks++; /* counted now, so that close frees the path if load fails */
    memcpy(b->owner, user, strlen(user) + 1);
    return load(b, err);
}

enum l2f_status userbooks_open_users(struct userbooks **out, const char *dir, const char *skip_user,
                                     struct l2f_err *err)
{
    *out = NULL;
    struct userbooks *s = calloc(1, sizeof *s);
    if (!s)
        return L2F_ERR_NOMEM;
    char **users;
    size_t n = 0;
    enum l2f_status st = plat_subdirs(dir, &users, &n, err);
    for (size_t i = 0; st == L2F_OK && i < n; i++) {
        if (skip_user && strcmp(users[i], skip_user) == 0)
            continue; /* its phonebook is already there as this user's */
        st = add_user_book(s, dir, users[i], err);
    }
    plat_names_free(users, n);
    if (st == L2F_OK && !s->nbooks) {
        l2f_err_set(err, "%s: no user has a phonebook below it", dir);
        st = L2F_ERR_NOT_FOUND;
    }
    if (st != L2F_OK) {
        userbooks_close(s);
        return st;
    }
    *out = s;
    return L2F_OK;
}

enum l2f_status userbooks_open_file(struct userbooks **out, const char *path, struct l2f_err *err)
{
    *out = NULL;
    struct userbooks *s = calloc(1, sizeof *s);
    if (!s)
        return L2F_ERR_NOMEM;
    struct book *b = next_book(s);
    if (!b) {
        free(s);
        return L2F_ERR_NOMEM;
    }
    s->nbooks = 1;
    b->path = copy_of(path);
    enum l2f_status st = b->path ? load(b, err) : L2F_ERR_NOMEM;
    if (st != L2F_OK) {
        userbooks_close(s);
        return st;
    }
    *out = s;
    return L2F_OK;
}

void userbooks_close(struct userbooks *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nbooks; i++) {
        pbk_free(&s->books[i].pbk);
        free(s->books[i].data);
        free(s->books[i].path);
    }
    free(s->books);
    free(s);
}

size_t userbooks_entries(const struct userbooks *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->nbooks; i++)
        total += s->books[i].pbk.nsections;
    return total;
}

static long number(const char *v, long dflt)
{
    char *end;
    while (*v == ' ' || *v == '\t')
        v++;
    long n = strtol(v, &end, 10);
    return end == v ? dflt : n;
}

static bool same_ascii_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* DEVICE= names the device type (MS-RRASM 2.2.2.2; RASENTRY szDeviceType, RASDT_*). */
static enum entry_type type_of_device(const char *device)
{
    static const struct {
        const char *device;
        enum entry_type type;
    } devices[] = {{"vpn", ENTRY_VPN},       {"PPPoE", ENTRY_BROADBAND}, {"modem", ENTRY_PHONE},
                   {"isdn", ENTRY_PHONE},    {"x25", ENTRY_PHONE},       {"pad", ENTRY_PHONE},
                   {"serial", ENTRY_DIRECT}, {"parallel", ENTRY_DIRECT}, {"irda", ENTRY_DIRECT}};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (same_ascii_nocase(device, devices[i].device))
            return devices[i].type;
    return ENTRY_UNKNOWN;
}

/* Type= (RASET_*). Microsoft documents no default for a missing Type=, so
 * such an entry is a VPN only if what it holds says so: DEVICE=vpn, or a
 * VpnStrategy other than 0 (MS-RRASM 2.2.2.2.11: used only when Type is 2). */
static void read_entry_type(const struct book *b, int section, struct vpn_profile *p)
{
    char v[64];
    p->type_absent = !pbk_get(&b->pbk, section, "Type", false, v, sizeof v);
    if (!p->type_absent) {
        p->type_value = number(v, -1);
        p->entry_type = entry_type_from_raset(p->type_value);
    } else if (pbk_get(&b->pbk, section, "DEVICE", true, v, sizeof v) &&
               type_of_device(v) != ENTRY_UNKNOWN) {
        p->entry_type = type_of_device(v);
    } else {
        bool tunnel = !p->field_absent[PF_VPN_STRATEGY] && p->fields[PF_VPN_STRATEGY] != VS_DEFAULT;
        p->entry_type = tunnel ? ENTRY_VPN : ENTRY_UNKNOWN;
    }
}

static void fill(const struct book *b, int section, struct vpn_profile *p)
{
    memset(p, 0, sizeof *p);
    char entry[PROFILE_NAME_MAX];
    pbk_entry_name(&b->pbk, section, entry, sizeof entry);
    if (b->owner[0])
        snprintf(p->name, sizeof p->name, "%s\\%.*s", b->owner,
                 (int)(sizeof p->name - strlen(b->owner) - 2), entry);
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
        p->field_absent[f] = !pbk_get(&b->pbk, section, profile_field_key((enum profile_field)f),
                                      false, v, sizeof v);
        p->fields[f] = p->field_absent[f] ? dflt : number(v, dflt);
    }
    read_entry_type(b, section, p);
    p->secrets_unknown = true;
}

/* The book and section of a profile name ("owner\entry" for a user's book). */
static struct book *find(const struct userbooks *s, const char *name, int *section,
                         struct l2f_err *err)
{
    for (size_t i = 0; i < s->nbooks; i++) {
        struct book *b = (struct book *)&s->books[i];
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
    if (err)
        l2f_err_set(err, "no phonebook entry named '%s'", name);
    return NULL;
}

void userbooks_list(const struct userbooks *s, struct profile_list *list)
{
    for (size_t i = 0; i < s->nbooks; i++)
        for (size_t k = 0; k < s->books[i].pbk.nsections; k++)
            fill(&s->books[i], (int)k, &list->items[list->count++]);
}

bool userbooks_has(const struct userbooks *s, const char *name)
{
    int sec;
    return find(s, name, &sec, NULL) != NULL;
}

enum l2f_status userbooks_read(const struct userbooks *s, const char *name, struct vpn_profile *out,
                               struct l2f_err *err)
{
    int sec;
    struct book *b = find(s, name, &sec, err);
    if (!b)
        return L2F_ERR_NOT_FOUND;
    fill(b, sec, out);
    return L2F_OK;
}

enum l2f_status userbooks_write_field(struct userbooks *s, const char *name,
                                      enum profile_field field, long value, struct l2f_err *err)
{
    int sec;
    struct book *b = find(s, name, &sec, err);
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

enum l2f_status userbooks_clear_field(struct userbooks *s, const char *name,
                                      enum profile_field field, struct l2f_err *err)
{
    int sec;
    struct book *b = find(s, name, &sec, err);
    if (!b)
        return L2F_ERR_NOT_FOUND;
    char *out;
    size_t out_len;
    enum l2f_status st = pbk_remove(&b->pbk, sec, profile_field_key(field), &out, &out_len);
    if (st != L2F_OK)
        return st;
    st = plat_write_atomic(b->path, out, out_len, err);
    free(out);
    return st == L2F_OK ? load(b, err) : st;
}
