#include "statelock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

static unsigned wait_limit_ms(void)
{
    const char *v = getenv("L2TPFIX_LOCK_WAIT_MS");
    if (!v || !*v)
        return STATELOCK_WAIT_MS;
    unsigned long ms = strtoul(v, NULL, 10);
    return ms > 600000 ? 600000 : (unsigned)ms;
}

/* "pid 1234, 'fix all'" from the lock file's "1234 fix all"; only printable
 * ASCII of it, since another user's process wrote it. */
static void describe_holder(struct statelock *lock, char *buf, size_t len)
{
    char raw[128];
    statelock__read_holder(lock, raw, sizeof raw);
    char *end;
    long pid = strtol(raw, &end, 10);
    if (end == raw || pid <= 0 || *end != ' ') {
        snprintf(buf, len, "another l2tpfix");
        return;
    }
    char what[96];
    size_t n = 0;
    for (const char *p = end + 1; *p && *p != '\n' && n + 1 < sizeof what; p++)
        what[n++] = (*p >= 0x20 && *p < 0x7f && *p != '\'') ? *p : '?';
    what[n] = '\0';
    snprintf(buf, len, "another l2tpfix (pid %ld, '%s')", pid, what);
}

enum l2f_status statelock_acquire(struct statelock **out, const char *state_dir, const char *holder,
                                  struct l2f_err *err)
{
    *out = NULL;
    char path[PLAT_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s%c%s", state_dir, PLAT_DIRSEP,
                         STATELOCK_FILE_NAME) >= sizeof path) {
        l2f_err_set(err, "state directory path is too long for its lock file");
        return L2F_ERR_IO;
    }
    struct statelock *lock = statelock__open(path, err);
    if (!lock)
        return L2F_ERR_IO;
    unsigned limit = wait_limit_ms();
    uint64_t start = plat_monotonic_ms();
    for (;;) {
        int got = statelock__try(lock, err);
        if (got < 0) {
            statelock__close(lock, false);
            return L2F_ERR_IO;
        }
        if (got > 0)
            break;
        if (plat_monotonic_ms() - start >= limit) {
            char who[160];
            describe_holder(lock, who, sizeof who);
            statelock__close(lock, false);
            l2f_err_set(err, "%s is changing this machine; waited %u s (%s)", who,
                        (limit + 999) / 1000, path);
            return L2F_ERR_BUSY;
        }
        plat_sleep_ms(STATELOCK_POLL_MS);
    }
    char text[160];
    snprintf(text, sizeof text, "%ld %.100s\n", statelock__pid(),
             holder && *holder ? holder : "l2tpfix");
    statelock__write_holder(lock, text);
    *out = lock;
    return L2F_OK;
}

void statelock_release(struct statelock *lock)
{
    if (lock)
        statelock__close(lock, true);
}
