/* The offline phonebook backend: the profiles of one rasphone.pbk file, or
 * of every user's below a folder of user profiles, on any OS. Fixes edit the
 * files through the phonebook editor (every byte they do not change stays),
 * written atomically. What is not in a phonebook (the registry, services,
 * saved credentials, the last connection) is unknown here, and the server is
 * asked only with --probe-real. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "platform.h"
#include "userbooks.h"

struct pbk_state {
    char id[PLAT_PATH_MAX + 16], desc[PLAT_PATH_MAX + 48];
    char arg[PLAT_PATH_MAX];
    bool is_dir;
    struct userbooks *books;
};

static struct pbk_state *st_of(struct backend *be)
{
    return be->state;
}

static enum l2f_status pbk_open(struct backend *be, const char *arg, struct l2f_err *err)
{
    struct pbk_state *s = calloc(1, sizeof *s);
    if (!s)
        return L2F_ERR_NOMEM;
    bool is_dir = plat_is_dir(arg);
    enum l2f_status st = is_dir ? userbooks_open_users(&s->books, arg, NULL, err)
                                : userbooks_open_file(&s->books, arg, err);
    if (st != L2F_OK) {
        free(s);
        return st;
    }
    snprintf(s->arg, sizeof s->arg, "%s", arg);
    s->is_dir = is_dir;
    snprintf(s->id, sizeof s->id, "phonebook:%s", arg);
    const char *base = strrchr(arg, PLAT_DIRSEP);
    snprintf(s->desc, sizeof s->desc, "%s: %s (offline)",
             is_dir ? "users' phonebooks" : "phonebook file", base && base[1] ? base + 1 : arg);
    be->state = s;
    return L2F_OK;
}

static enum l2f_status pbk_reload(struct backend *be, struct l2f_err *err)
{
    struct pbk_state *s = st_of(be);
    struct userbooks *books;
    enum l2f_status st = s->is_dir ? userbooks_open_users(&books, s->arg, NULL, err)
                                   : userbooks_open_file(&books, s->arg, err);
    if (st != L2F_OK)
        return st;
    userbooks_close(s->books);
    s->books = books;
    return L2F_OK;
}

static void pbk_close(struct backend *be)
{
    struct pbk_state *s = st_of(be);
    if (!s)
        return;
    userbooks_close(s->books);
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

static enum l2f_status pbk_list(struct backend *be, struct profile_list *out, struct l2f_err *err)
{
    struct pbk_state *s = st_of(be);
    (void)err;
    size_t total = userbooks_entries(s->books);
    out->count = 0;
    out->items = calloc(total ? total : 1, sizeof *out->items);
    if (!out->items)
        return L2F_ERR_NOMEM;
    userbooks_list(s->books, out);
    return L2F_OK;
}

static enum l2f_status pbk_read(struct backend *be, const char *name, struct vpn_profile *out,
                                struct l2f_err *err)
{
    return userbooks_read(st_of(be)->books, name, out, err);
}

static enum l2f_status pbk_write_field(struct backend *be, const char *name,
                                       enum profile_field field, long value, struct l2f_err *err)
{
    return userbooks_write_field(st_of(be)->books, name, field, value, err);
}

static enum l2f_status pbk_clear_field(struct backend *be, const char *name,
                                       enum profile_field field, struct l2f_err *err)
{
    return userbooks_clear_field(st_of(be)->books, name, field, err);
}

static enum l2f_status not_in_file(struct l2f_err *err, const char *what)
{
    l2f_err_set(err, "%s is not in a phonebook file: run l2tpfix on the Windows machine for it",
                what);
    return L2F_ERR_UNSUPPORTED;
}

static enum l2f_status pbk_set_secret(struct backend *be, const char *profile,
                                      enum secret_kind kind, const char *username,
                                      const char *secret, struct l2f_err *err)
{
    (void)be, (void)profile, (void)kind, (void)username, (void)secret;
    return not_in_file(err, "a saved key or password");
}

static enum l2f_status pbk_reg_read(struct backend *be, const char *key, const char *value,
                                    bool *exists, unsigned long *data, struct l2f_err *err)
{
    (void)be, (void)key, (void)value, (void)exists, (void)data;
    return not_in_file(err, "the registry");
}

static enum l2f_status pbk_reg_write(struct backend *be, const char *key, const char *value,
                                     bool exists, unsigned long data, struct l2f_err *err)
{
    (void)be, (void)key, (void)value, (void)exists, (void)data;
    return not_in_file(err, "the registry");
}

static enum l2f_status pbk_service_query(struct backend *be, const char *name,
                                         struct service_status *out, struct l2f_err *err)
{
    (void)be, (void)name, (void)out;
    return not_in_file(err, "a service");
}

static enum l2f_status pbk_service_control(struct backend *be, const char *name,
                                           enum service_action action, struct l2f_err *err)
{
    (void)be, (void)name, (void)action;
    return not_in_file(err, "a service");
}

static enum l2f_status pbk_service_start(struct backend *be, const char *name,
                                         enum service_start start, struct l2f_err *err)
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

static enum l2f_status pbk_last(struct backend *be, const char *profile,
                                struct connection_record *out, struct l2f_err *err)
{
    (void)be, (void)profile, (void)out;
    return not_in_file(err, "the last connection");
}

static enum l2f_status pbk_connect_start(struct backend *be, const char *profile,
                                         struct l2f_err *err)
{
    (void)be, (void)profile;
    l2f_err_set(
        err,
        "offline: a phonebook file cannot dial; --real-handshake runs the handshake from here");
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
    .clear_profile_field = pbk_clear_field,
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
    .reload = pbk_reload,
};
