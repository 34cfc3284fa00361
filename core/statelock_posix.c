/* The state lock on POSIX: flock(2) on state_dir/l2tpfix.lock, polled (see
 * statelock.c), so that a process that dies lets go with its descriptor. */
#define _DEFAULT_SOURCE /* flock() beside _XOPEN_SOURCE */
#include "statelock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "platform.h"

struct statelock {
    int fd;
};

struct statelock *statelock__open(const char *path, struct l2f_err *err)
{
    struct statelock *lock = malloc(sizeof *lock);
    if (!lock) {
        l2f_err_set(err, "out of memory");
        return NULL;
    }
    /* never through a symlink planted in the state directory */
    lock->fd = plat_open_private(path, O_RDWR | O_CREAT, 0600);
    if (lock->fd < 0) {
        l2f_err_set(err, "%s: %s", path, strerror(errno));
        free(lock);
        return NULL;
    }
    return lock;
}

int statelock__try(struct statelock *lock, struct l2f_err *err)
{
    if (flock(lock->fd, LOCK_EX | LOCK_NB) == 0)
        return 1;
    if (errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    l2f_err_set(err, "the state lock: %s", strerror(errno));
    return -1;
}

void statelock__write_holder(struct statelock *lock, const char *text)
{
    /* only a message for whoever waits: a failure here changes nothing */
    if (ftruncate(lock->fd, 0) == 0 && pwrite(lock->fd, text, strlen(text), 0) < 0)
        return;
}

void statelock__read_holder(struct statelock *lock, char *buf, size_t len)
{
    ssize_t n = pread(lock->fd, buf, len - 1, 0);
    buf[n > 0 ? (size_t)n : 0] = '\0';
}

void statelock__close(struct statelock *lock, bool held)
{
    if (held && ftruncate(lock->fd, 0) == 0)
        flock(lock->fd, LOCK_UN);
    close(lock->fd); /* lets go of the lock in any case */
    free(lock);
}

long statelock__pid(void)
{
    return (long)getpid();
}
