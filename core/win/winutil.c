#include "winutil.h"

#include <stdio.h>
#include <string.h>
#include <raserror.h>

bool win_to_wide(const char *utf8, wchar_t *out, size_t count)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, out, (int)count);
    if (n <= 0) {
        if (count)
            out[0] = 0;
        return false;
    }
    return true;
}

void win_to_utf8(const wchar_t *wide, char *out, size_t len)
{
    if (!len)
        return;
    int n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, out, (int)len, NULL, NULL);
    if (n <= 0) {
        /* too long for the buffer: convert what fits */
        size_t wl = wcslen(wide);
        while (wl > 0 && n <= 0) {
            wl--;
            n = WideCharToMultiByte(CP_UTF8, 0, wide, (int)wl, out, (int)len - 1, NULL, NULL);
        }
        out[n > 0 ? n : 0] = '\0';
    }
}

void win_error_text(DWORD code, char *buf, size_t len)
{
    wchar_t wide[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             0, wide, sizeof wide / sizeof wide[0], NULL);
    if (n == 0) {
        snprintf(buf, len, "error %lu", (unsigned long)code);
        return;
    }
    while (n > 0 && (wide[n - 1] == L'\r' || wide[n - 1] == L'\n' || wide[n - 1] == L'.' ||
                     wide[n - 1] == L' '))
        wide[--n] = 0;
    win_to_utf8(wide, buf, len);
}

enum l2f_status win_status(DWORD code, const char *what, struct l2f_err *err)
{
    char text[256];
    switch (code) {
    case ERROR_SUCCESS:
        return L2F_OK;
    case ERROR_ACCESS_DENIED:
        l2f_err_set(err, "%s: access denied (run as administrator)", what);
        return L2F_ERR_NEED_ADMIN;
    case ERROR_CANNOT_FIND_PHONEBOOK_ENTRY:
    case ERROR_FILE_NOT_FOUND:
    case ERROR_SERVICE_DOES_NOT_EXIST:
        l2f_err_set(err, "%s: not found (code %lu)", what, (unsigned long)code);
        return L2F_ERR_NOT_FOUND;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return L2F_ERR_NOMEM;
    default:
        /* RAS codes (600-999) are not in the system table */
        if (code >= 600 && code < 1000)
            snprintf(text, sizeof text, "RAS error");
        else
            win_error_text(code, text, sizeof text);
        l2f_err_set(err, "%s: %s (code %lu)", what, text, (unsigned long)code);
        return L2F_ERR_BACKEND;
    }
}
