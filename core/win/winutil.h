/* Small Windows helpers for the live backend: text conversion and error
 * messages. Windows only. */
#ifndef L2F_WINUTIL_H
#define L2F_WINUTIL_H

#include <windows.h>

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* UTF-8 -> UTF-16 into a fixed buffer; false when it does not fit or is invalid. */
bool win_to_wide(const char *utf8, wchar_t *out, size_t count);
/* UTF-16 -> UTF-8 into a fixed buffer (cut to fit). */
void win_to_utf8(const wchar_t *wide, char *out, size_t len);
/* Windows' own text for an error code, one line, in UTF-8. */
void win_error_text(DWORD code, char *buf, size_t len);
/* Maps a Win32/RAS error to a status and writes "what: reason (code N)". */
enum l2f_status win_status(DWORD code, const char *what, struct l2f_err *err);

#endif
