/* The leaf helpers every ui file calls: the message line's text and strings
 * from the backend made safe to draw. They call no other ui file, so any file
 * may use them without closing a circle (tests/tools/ui_layers.sh). */
#include "tui.h"

#include <stdarg.h>
#include <stdio.h>

#include "text.h"

const char *app_safe(const struct app *a, const char *src, char *buf, size_t len)
{
    return text_sanitize(buf, len, src, a->ascii);
}

void app_message(struct app *a, enum msg_kind kind, const char *fmt, ...)
{
    char raw[sizeof a->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    text_sanitize(a->msg, sizeof a->msg, raw, a->ascii);
    a->msg_kind = kind;
}

const char *app_stage_title(const struct app *a, enum stage_id s)
{
    bool shown = false;
    for (int i = 0; i < STAGE_COUNT; i++)
        shown = shown || a->conn[i] != CONN_NONE;
    return a->conn_ikev2 && shown ? stage_info(s)->ikev2_title : stage_info(s)->title;
}
