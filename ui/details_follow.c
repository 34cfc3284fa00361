/* Which subject the details pane shows, and when its text comes: it follows
 * the selection, but a move only puts the new subject's title up and blanks
 * the text; the text comes when the keys pause, so a burst of moves stays
 * cheap on a slow link. Only state and a clock: the checklist calls it when
 * the selection moves, so it calls no other ui file. */
#include "tui.h"

#include <stdlib.h>

#include "platform.h"

#define DETAILS_IDLE_MS 150 /* a pause in the keys this long fills the pane */

/* L2TPFIX_DETAILS_IDLE_MS lengthens the pause, so a test can count a move's
 * bytes apart from the pane's text. */
static unsigned idle_ms(void)
{
    static long ms = -1;
    if (ms < 0) {
        const char *e = getenv("L2TPFIX_DETAILS_IDLE_MS");
        ms = e && *e ? strtol(e, NULL, 10) : DETAILS_IDLE_MS;
        if (ms < 0 || ms > 60000)
            ms = DETAILS_IDLE_MS;
    }
    return (unsigned)ms;
}

unsigned details_follow(struct app *a)
{
    if (a->det == DET_CONNECT && a->connecting)
        return 0; /* the live test connection keeps the pane; the list still moves */
    enum details_subject want = a->sel.is_stage ? DET_STAGE : DET_CHECK;
    if (a->det == want && a->det_id == a->sel.id)
        return 0;
    a->det = want;
    a->det_id = a->sel.id;
    a->det_scroll = 0;
    a->det_stale = true;
    a->det_due_ms = plat_monotonic_ms() + idle_ms();
    return UI_DRAW_DETAILS;
}

unsigned details_tick(struct app *a, uint64_t now)
{
    if (!a->det_stale || now < a->det_due_ms)
        return 0;
    a->det_stale = false;
    return UI_DRAW_DETAILS;
}

int details_wait_ms(const struct app *a, uint64_t now, int timeout)
{
    if (!a->det_stale)
        return timeout;
    uint64_t left = a->det_due_ms > now ? a->det_due_ms - now : 0;
    return left < (uint64_t)timeout ? (int)left : timeout;
}
