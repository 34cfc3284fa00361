#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#ifdef _WIN32
#include <conio.h>
#else
#include <termios.h>
#include <unistd.h>
#endif

bool term_is_interactive(void)
{
    return plat_stdin_is_tty();
}

bool term_confirm(const char *question)
{
    char line[32];
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin))
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

bool term_read_secret(const char *prompt, char *buf, size_t len)
{
    if (!plat_stdin_is_tty() || len == 0)
        return false;
    fputs(prompt, stderr);
    fflush(stderr);
#ifdef _WIN32
    size_t used = 0;
    for (;;) {
        int c = _getch();
        if (c == '\r' || c == '\n')
            break;
        if (c == 3 || c == 27) { /* Ctrl-C, Esc */
            plat_wipe(buf, len);
            fputc('\n', stderr);
            return false;
        }
        if (c == '\b') {
            if (used)
                used--;
            continue;
        }
        if (used + 1 < len && c >= 0x20)
            buf[used++] = (char)c;
    }
    buf[used] = '\0';
#else
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return false;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return false;
    bool ok = fgets(buf, (int)len, stdin) != NULL;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!ok) {
        plat_wipe(buf, len);
        return false;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
#endif
    fputc('\n', stderr);
    return true;
}

enum l2f_status term_read_secret_file(const char *path, char *buf, size_t len, struct l2f_err *err)
{
    char *text;
    size_t n;
    enum l2f_status st = plat_read_file(path, &text, &n, err);
    if (st != L2F_OK)
        return st;
    size_t line = strcspn(text, "\r\n");
    if (line == 0 || line >= len) {
        l2f_err_set(err, "%s: %s", path,
                    line == 0 ? "the first line is empty" : "the secret is too long");
        st = L2F_ERR_PARSE;
    } else {
        memcpy(buf, text, line);
        buf[line] = '\0';
    }
    plat_wipe(text, n);
    free(text);
    return st;
}
