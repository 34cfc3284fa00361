/* The interactive checklist (curses). Knows nothing of Windows: it works
 * through the session and the core's tables. */
#ifndef L2F_UI_H
#define L2F_UI_H

#include <stdbool.h>

#include "session.h"

struct ui_options {
    bool ascii;    /* plain ASCII for every line and glyph */
    bool no_color; /* monochrome (also NO_COLOR, or a terminal without colours) */
    const char *version;
    const char *ca_file; /* i: the CA the IKEv2 server's certificate must chain to; NULL: system */
};

/* Runs the checklist until the person quits; the profile may be empty, then
 * the picker opens first. Returns the process exit code. */
int ui_run(struct session *s, const struct ui_options *opts);

#endif
