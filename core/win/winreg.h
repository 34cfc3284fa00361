/* Registry DWORDs and services for the live backend. Windows only. */
#ifndef L2F_WIN_REG_H
#define L2F_WIN_REG_H

#include <stdbool.h>

#include <windows.h>

#include "backend.h"

/* Which registry view (KEY_WOW64_64KEY, KEY_WOW64_32KEY) reads and writes
 * open; both the 64-bit one unless a test says otherwise. */
void winreg_use_views(REGSAM read, REGSAM write);

enum l2f_status winreg_read_dword(const char *key, const char *value, bool *exists,
                                  unsigned long *data, struct l2f_err *err);
enum l2f_status winreg_write_dword(const char *key, const char *value, bool exists,
                                   unsigned long data, struct l2f_err *err);
/* The OS build winver shows as BUILD.UBR: CurrentBuild (a string) and UBR (a
 * DWORD) under HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion. */
enum l2f_status winreg_os_build(unsigned *build, unsigned *ubr, struct l2f_err *err);

enum l2f_status winsvc_query(const char *name, struct service_status *out, struct l2f_err *err);
/* Start, stop or restart; a stop or restart first stops the running
 * dependents, and a restart starts them again. Waits are bounded by the
 * service's dwWaitHint and an overall timeout. */
enum l2f_status winsvc_control(const char *name, enum service_action action, struct l2f_err *err);
enum l2f_status winsvc_set_start(const char *name, enum service_start start, struct l2f_err *err);

#endif
