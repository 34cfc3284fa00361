/* `l2tpfix report`: a ticket-ready account of one profile: what the
 * diagnosis found, the changes l2tpfix made (from the journal) and the last
 * connection result. Built from what the diagnosis and the journal hold,
 * which never includes a secret. */
#ifndef L2F_TICKET_H
#define L2F_TICKET_H

#include "diagnose.h"
#include "journal.h"
#include "status.h"

enum ticket_format { TICKET_TEXT, TICKET_MARKDOWN, TICKET_JSON };

/* The shape of the JSON report (schema/report.schema.json), as REPORT_CHECK_SCHEMA_VERSION. */
#define TICKET_JSON_SCHEMA_VERSION 1

struct ticket_input {
    const struct vpn_profile *profile;
    const char *backend; /* its description */
    const char *machine; /* the journal's machine id */
    const char *version;
    const char *generated; /* UTC, ISO 8601 */
    const struct observations *obs;
    const struct diagnosis *d;
    const struct journal *journal;
    const struct restart_pending
        *restart; /* a change waiting for Windows to restart; NULL: none known */
    const char
        *command; /* what the fixes to do are named after: "l2tpfix --mock F"; NULL: "l2tpfix" */
};

/* Names from the machine are made safe for a terminal (text) or for a
 * Markdown table (markdown). *out is malloc'd. */
enum l2f_status ticket_build(enum ticket_format f, const struct ticket_input *in, char **out);

#endif
