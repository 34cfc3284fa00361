/* A reader for the INI dialect of scenario files and, later, rasphone.pbk:
 * [section] lines, key = value lines, ';' or '#' comments at the start of a
 * line. Values run to the end of the line, so a key may contain ';' or '#'.
 * It is hand-written because the phonebook editor must see every line as it
 * is, and because inih cannot be built for Windows from the sources this
 * project can reach. */
#ifndef L2F_INIFILE_H
#define L2F_INIFILE_H

/* Called for each section header (key and value NULL) and each key = value
 * line, with its 1-based line number. Return 0 to stop with an error at that
 * line. Strings are valid only during the call. */
typedef int (*inifile_handler)(void *user, int lineno, const char *section, const char *key,
                               const char *value);

/* Parses text; returns 0, the line number of the first error (a malformed
 * line, or one the handler refused), or -1 when out of memory. */
int inifile_parse(const char *text, inifile_handler handler, void *user);

#endif
