/* Phonebook files as profiles, through the phonebook editor: one file, or
 * every user's rasphone.pbk below a folder of user profiles (C:\Users),
 * whose entries are named "owner\entry". Shared by the offline backend and
 * the Windows backend's --all-users. */
#ifndef L2F_USERBOOKS_H
#define L2F_USERBOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "status.h"

struct userbooks;

/* One file; its entries keep their own names. */
enum l2f_status userbooks_open_file(struct userbooks **out, const char *path, struct l2f_err *err);
/* Every DIR/USER/AppData/Roaming/Microsoft/Network/Connections/Pbk/rasphone.pbk
 * except skip_user's (NULL: none); NOT_FOUND when there is none. */
enum l2f_status userbooks_open_users(struct userbooks **out, const char *dir, const char *skip_user,
                                     struct l2f_err *err);
void userbooks_close(struct userbooks *u);
size_t userbooks_entries(const struct userbooks *u);
/* Appends every entry to list (list->items must hold userbooks_entries more). */
void userbooks_list(const struct userbooks *u, struct profile_list *list);
/* Whether name is an entry of these books. */
bool userbooks_has(const struct userbooks *u, const char *name);
enum l2f_status userbooks_read(const struct userbooks *u, const char *name, struct vpn_profile *out,
                               struct l2f_err *err);
/* Rewrites the entry's one value in its file (atomically), every other byte kept. */
enum l2f_status userbooks_write_field(struct userbooks *u, const char *name,
                                      enum profile_field field, long value, struct l2f_err *err);
/* Removes the entry's own line of the field's key (undoing a fix that added
 * it), atomically, every other byte kept. */
enum l2f_status userbooks_clear_field(struct userbooks *u, const char *name,
                                      enum profile_field field, struct l2f_err *err);

#endif
