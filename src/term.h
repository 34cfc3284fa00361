/* The command line's dealings with the person at the terminal. */
#ifndef L2F_TERM_H
#define L2F_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

bool term_is_interactive(void);
/* Asks a yes/no question on stderr; false unless the answer starts with y. */
bool term_confirm(const char *question);
/* Reads a line with echo off; false without a terminal or on end of input. */
bool term_read_secret(const char *prompt, char *buf, size_t len);
/* Reads the first line of a file holding a secret (never echoed anywhere). */
enum l2f_status term_read_secret_file(const char *path, char *buf, size_t len, struct l2f_err *err);

#endif
