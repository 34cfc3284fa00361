/* Knowledge base of the RAS error codes an L2TP/IPsec connection meets:
 * code -> name, Windows' message, the stage it points to, causes, fixes. */
#ifndef L2F_KB_H
#define L2F_KB_H

#include <stddef.h>

#include "model.h"

#define KB_MAX_FIXES 4

struct kb_entry {
    int code;
    const char *name;    /* raserror.h name */
    const char *message; /* what Windows says, in short */
    enum stage_id stage; /* the stage it points to */
    const char *causes;  /* likely causes, most likely first */
    enum fix_id fixes[KB_MAX_FIXES]; /* l2tpfix fixes that address it, FIX_NONE-terminated */
};

/* NULL when the code is not in the table. */
const struct kb_entry *kb_lookup(int code);
/* The whole table, for listing; *count is set to its length. */
const struct kb_entry *kb_table(size_t *count);

#endif
