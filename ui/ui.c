/* placeholder replaced by the TUI work */
#include "ui.h"
#include <stdio.h>
int ui_run(struct session *s, const struct ui_options *opts)
{
    (void)s;
    (void)opts;
    fprintf(stderr, "l2tpfix: the interactive checklist is not built yet; use l2tpfix check\n");
    return 3;
}
