/* Status codes returned by every core function; one table feeds the enum,
 * the message and the command-line exit code. */
#ifndef L2F_STATUS_H
#define L2F_STATUS_H

#include <stddef.h>

/* X(name, exit code, message) */
#define L2F_STATUS_TABLE(X)                                                                        \
    X(L2F_OK, 0, "success")                                                                        \
    X(L2F_ERR_NOMEM, 3, "out of memory")                                                           \
    X(L2F_ERR_IO, 3, "file could not be read or written")                                          \
    X(L2F_ERR_PARSE, 2, "malformed input")                                                         \
    X(L2F_ERR_USAGE, 2, "usage error")                                                             \
    X(L2F_ERR_NOT_FOUND, 3, "not found")                                                           \
    X(L2F_ERR_AMBIGUOUS, 2, "more than one match")                                                 \
    X(L2F_ERR_NEED_ADMIN, 3, "administrator rights needed")                                        \
    X(L2F_ERR_UNSUPPORTED, 3, "not supported by this backend")                                     \
    X(L2F_ERR_BACKEND, 1, "the backend refused the change")                                        \
    X(L2F_ERR_NEED_SECRET, 2, "a secret is needed and none was given")                             \
    X(L2F_ERR_CONFLICT, 1, "the setting changed since; not undone")                                \
    X(L2F_ERR_NOTHING, 1, "nothing to do")                                                         \
    X(L2F_ERR_CANCELLED, 1, "cancelled")                                                           \
    X(L2F_ERR_BUSY, 3, "another l2tpfix is changing this machine")                                 \
    X(L2F_ERR_NOT_TAKEN, 1, "Windows did not take the change")

/* How to get the rights a refusal lacks, said the same way everywhere. */
#define L2F_HOW_TO_GET_RIGHTS                                                                      \
    "run l2tpfix elevated (Run as administrator), or as SYSTEM through the RMM or Intune"

#define L2F_STATUS_ENUM(name, code, msg) name,
enum l2f_status { L2F_STATUS_TABLE(L2F_STATUS_ENUM) L2F_STATUS_COUNT };
#undef L2F_STATUS_ENUM

const char *l2f_status_message(enum l2f_status st);
/* The command line's exit code for a failed operation (0 only for L2F_OK). */
int l2f_status_exit_code(enum l2f_status st);

/* A caller-owned buffer for the one-line detail that goes with a status
 * ("scenario.ini:12: unknown key 'foo'"); the core fills it, never prints it. */
struct l2f_err {
    char msg[512];
};

void l2f_err_set(struct l2f_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void l2f_err_clear(struct l2f_err *err);

#endif
