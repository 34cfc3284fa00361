/* The help screen, written from the key table so it cannot drift from what
 * the keys do. */
#include "tui.h"

#include <stdio.h>

static void add_context(struct doc *d, const char *heading, enum ui_context want)
{
    doc_add(d, ST_TITLE, 0, heading);
    for (int i = 0; i < ACTION_COUNT; i++) {
        const struct action_def *ad = action_def((enum action)i);
        bool main_ctx = ad->ctx == CTX_MAIN || ad->ctx == CTX_ANY;
        if ((want == CTX_MAIN) != main_ctx)
            continue;
        doc_addf(d, ST_NORMAL, 0, "%-12s  %s", ad->keys, ad->help);
        doc_hang(d, 14);
    }
}

void help_open(struct app *a)
{
    dialog_open_text(a, "Help: keys");
    struct doc *d = &a->dlg.body;
    const struct glyphs *g = a->theme.g;
    add_context(d, "The checklist", CTX_MAIN);
    doc_add(d, ST_NORMAL, 0, "");
    add_context(d, "In a dialog", CTX_DIALOG);
    doc_add(d, ST_NORMAL, 0, "");
    doc_add(d, ST_TITLE, 0, "Marks");
    doc_addf(d, ST_NORMAL, 2, "%s pass   %s FAIL   %s WARN   %s unknown   %s running   %s skipped",
             g->mark[CHECK_PASS], g->mark[CHECK_FAIL], g->mark[CHECK_WARN], g->mark[CHECK_UNKNOWN],
             g->spinner[0], g->skip);
    doc_add(d, ST_NORMAL, 0, "");
    doc_add(
        d, ST_NORMAL, 0,
        "Stages are listed in the guide's order: the L2TP tunnel, IPsec, PPP, authentication. On "
        "the "
        "wire IPsec comes first and L2TP runs inside it; the tunnel stage is listed first because "
        "it "
        "checks what needs no negotiation: can the server be reached, is the L2TP/IPsec profile "
        "right. "
        "Fix what the "
        "first failing stage shows, then press c: the test connection lights the stages up as it "
        "gets through them. Every change asks first, shows the exact before and after, and can be "
        "undone with u.");
}
