#include "inifile.h"

#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

int inifile_parse(const char *text, inifile_handler handler, void *user)
{
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len + 1);
    char *section = NULL;
    char empty[] = "";
    int lineno = 0, bad = 0;
    char *next = copy;
    /* a UTF-8 byte order mark is what Windows editors put first */
    if ((unsigned char)next[0] == 0xEF && (unsigned char)next[1] == 0xBB &&
        (unsigned char)next[2] == 0xBF)
        next += 3;
    while (next && !bad) {
        char *line = next;
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *close = strrchr(s, ']');
            if (!close || close[1] != '\0') {
                bad = lineno;
                break;
            }
            *close = '\0';
            section = s + 1;
            if (!handler(user, lineno, section, NULL, NULL))
                bad = lineno;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || eq == s) {
            bad = lineno;
            break;
        }
        *eq = '\0';
        char *key = trim(s);
        if (*key == '\0' || !handler(user, lineno, section ? section : empty, key, trim(eq + 1)))
            bad = lineno;
    }
    free(copy);
    return bad;
}
