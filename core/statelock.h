/* One writer at a time: every change to the machine and every journal append
 * is made while holding a lock on state_dir/l2tpfix.lock (and, on Windows,
 * the machine-wide mutex Global\l2tpfix-machine). A second process waits a
 * bounded time, then says who holds it. Readers never take it. */
#ifndef L2F_STATELOCK_H
#define L2F_STATELOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define STATELOCK_FILE_NAME "l2tpfix.lock"
/* How long a second process waits; L2TPFIX_LOCK_WAIT_MS overrides it. */
#define STATELOCK_WAIT_MS 10000
#define STATELOCK_POLL_MS 50

struct statelock;

/* Takes the lock of state_dir, waiting up to the bounded time; holder (the
 * command, "fix all") is written into the lock file with this process's id
 * for the message another process gives. L2F_ERR_BUSY when someone else kept it. */
enum l2f_status statelock_acquire(struct statelock **out, const char *state_dir, const char *holder,
                                  struct l2f_err *err);
void statelock_release(struct statelock *lock);

/* The platform's part (statelock_posix.c, statelock_win.c). */
struct statelock *statelock__open(const char *path, struct l2f_err *err);
/* 1: taken, 0: someone else holds it, -1: failed (err says why). */
int statelock__try(struct statelock *lock, struct l2f_err *err);
void statelock__write_holder(struct statelock *lock, const char *text);
/* What the holder wrote, NUL-terminated, cut to len. */
void statelock__read_holder(struct statelock *lock, char *buf, size_t len);
void statelock__close(struct statelock *lock, bool held);
long statelock__pid(void);

#endif
