/* The non-interactive commands: one function each, printing what the core
 * returns. */
#ifndef L2F_CLI_H
#define L2F_CLI_H

#include "args.h"

/* Runs the command in a; returns the process exit code. */
int cli_run(const struct cli_args *a);

#endif
