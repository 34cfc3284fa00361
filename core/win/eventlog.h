/* The last connection result Windows logged for a profile: RasClient events
 * 20227 (ROUTERLOG_RASCONNECTION_FAILED) and 20225 (connection established)
 * in the Application log. Windows only. */
#ifndef L2F_WIN_EVENTLOG_H
#define L2F_WIN_EVENTLOG_H

#include <windows.h>

#include <stdbool.h>

#include "backend.h"

#define RASCLIENT_EVENT_ESTABLISHED 20225
#define RASCLIENT_EVENT_FAILED 20227

/* Reads one record: true when it is a RasClient result for profile, with
 * *code 0 (established) or the error code. The profile is matched among the
 * insertion strings rather than by position, and the code is the last string
 * that is all digits. */
bool winlog_match(const EVENTLOGRECORD *rec, DWORD len, const wchar_t *profile, int *code);
/* Searches the newest records (a bounded number) for the profile's last result. */
enum l2f_status winlog_last_result(const char *profile, struct connection_record *out, struct l2f_err *err);

#endif
