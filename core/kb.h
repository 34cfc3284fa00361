/* Knowledge base of the RAS error codes an L2TP/IPsec connection meets:
 * code -> name, Windows' message, the stage it points to, causes, fixes. */
#ifndef L2F_KB_H
#define L2F_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define KB_MAX_FIXES 4

/* The RasClient events of one dial, in the order Windows logs them (all
 * carry the dial's CoId); 20227 ends a failed dial, 20225 a connected one. */
#define KB_EVENT_PRECONNECT 20221 /* ROUTERLOG_PRECONNECT_INFO: dialing began */
#define KB_EVENT_CONNECTING_DEVICE                                                                 \
    20222 /* ROUTERLOG_CONNECTING_DEVICE: the WAN Miniport dials the server */
#define KB_EVENT_DEVICE_CONNECTED 20223 /* ROUTERLOG_DEVICE_CONNECTED: the tunnel is up */
#define KB_EVENT_LINK_ESTABLISHED 20224 /* ROUTERLOG_LINK_ESTABLISHED: every device connected */
#define KB_EVENT_CONNECTED 20225 /* ROUTERLOG_RASCONNECTION_ESTABLISHED: every PPP phase done */

struct kb_entry {
    int code;            /* a RAS or Win32 code; an HRESULT as its signed 32-bit value */
    const char *name;    /* raserror.h / winerror.h name */
    const char *message; /* what Windows says, in short and in our words */
    enum stage_id stage; /* the stage it points to */
    const char *causes;  /* likely causes, most likely first */
    enum fix_id fixes[KB_MAX_FIXES]; /* l2tpfix fixes that address it, FIX_NONE-terminated */
};

/* NULL when the code is not in the table. */
const struct kb_entry *kb_lookup(int code);
/* The whole table, for listing; *count is set to its length. */
const struct kb_entry *kb_table(size_t *count);

/* Reads an error code as Windows writes it: decimal, signed (an HRESULT such
 * as -2146762495 from event 20227 on Windows 10+) or 0x hex, within 32 bits.
 * An HRESULT_FROM_WIN32 value (0x8007xxxx) gives back its Win32 code. False,
 * and *code untouched, when the text is not such a number. */
bool kb_parse_code(const char *text, int *code);
/* Folds an HRESULT_FROM_WIN32 value to its Win32 code; other values unchanged. */
int kb_fold_hresult(int code);
/* "789", or "-2146762495 (0x800B0101)" for an HRESULT: how a person and
 * `l2tpfix explain` can name it. */
void kb_code_text(int code, char *buf, size_t len);
/* Every known code, space-separated (" 619 628 ..."); truncated only when buf
 * is smaller than kb_codes_text_size(). */
void kb_codes_text(char *buf, size_t len);
size_t kb_codes_text_size(void);

/* How far a dial got, from the last progress event (20221-20224) Windows
 * logged for it; NULL for any other number. */
const char *kb_dial_reach(int event_id);

#endif
