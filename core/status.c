#include "status.h"

#include <stdarg.h>
#include <stdio.h>

#define L2F_STATUS_MSG(name, code, msg) msg,
static const char *const status_messages[] = {L2F_STATUS_TABLE(L2F_STATUS_MSG)};
#undef L2F_STATUS_MSG

#define L2F_STATUS_EXIT(name, code, msg) code,
static const int status_exit_codes[] = {L2F_STATUS_TABLE(L2F_STATUS_EXIT)};
#undef L2F_STATUS_EXIT

const char *l2f_status_message(enum l2f_status st)
{
    if ((unsigned)st >= L2F_STATUS_COUNT)
        return "unknown status";
    return status_messages[st];
}

int l2f_status_exit_code(enum l2f_status st)
{
    if ((unsigned)st >= L2F_STATUS_COUNT)
        return 3;
    return status_exit_codes[st];
}

void l2f_err_set(struct l2f_err *err, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void l2f_err_clear(struct l2f_err *err)
{
    if (err)
        err->msg[0] = '\0';
}
