/* The primitives platform.c builds on, one file per operating system
 * (platform_posix.c, platform_win.c; CMake picks one), as libuv splits
 * src/unix and src/win. Internal to core/: plat__ names, no OS types. */
#ifndef L2F_PLATFORM_OS_H
#define L2F_PLATFORM_OS_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"
#include "status.h"

/* The file a write replaces: its mode and owner go to the replacement. */
struct plat__old_file {
    bool exists;
    unsigned mode;
    long long uid, gid; /* -1 where the system has none */
};

/* Refuses a symlink, a non-regular file and a read-only one, in err. */
enum l2f_status plat__check_replaceable(const char *path, struct plat__old_file *old,
                                        struct l2f_err *err);
/* Creates and opens a new file from the template tmp ("...XXXXXX"); -1 and errno on failure. */
int plat__open_temp(char *tmp);
/* Gives fd the old file's mode and owner; 0 or -1 and errno. */
int plat__keep_mode_and_owner(int fd, const struct plat__old_file *old);
/* Puts tmp in path's place in one step; 0 or an errno value. */
int plat__replace(const char *tmp, const char *path, const struct plat__old_file *old);
/* Opens path to write, private to the user, never through a link: appending,
 * or only when it does not exist yet. -1 and errno on failure. */
int plat__open_write(const char *path, bool exclusive);
/* Opens path to read without blocking. On success *kind is NULL for a regular
 * file of *bytes bytes, else what it is ("a FIFO"); -1 and errno on failure. */
int plat__open_read(const char *path, const char **kind, unsigned long long *bytes);
long plat__read(int fd, void *buf, size_t len);
long plat__write(int fd, const void *buf, size_t len);
int plat__sync(int fd);
int plat__close(int fd);
/* Maps fd read-only into v; false where the system cannot (v untouched). */
bool plat__map(int fd, size_t size, struct plat_view *v);
void plat__unmap(struct plat_view *v);
int plat__mkdir(const char *dir);
/* Calls add(ctx, name) for each folder in dir but . and ..; L2F_ERR_NOMEM
 * when add says false, L2F_ERR_IO with err set when dir cannot be listed. */
enum l2f_status plat__each_subdir(const char *dir, bool (*add)(void *ctx, const char *name),
                                  void *ctx, struct l2f_err *err);

/* What a new thread runs: platform.c makes it, the thread frees it (plat__thread_run). */
struct plat__thread_start {
    void (*fn)(void *);
    void *arg;
};
/* Runs start's function on the calling thread, after freeing start: the
 * first thing a thread plat__thread_new started does. */
void plat__thread_run(struct plat__thread_start *start);
/* Starts a thread of its own that calls plat__thread_run(start): a handle for
 * plat__thread_end, or NULL (start is then still the caller's). */
struct plat_thread *plat__thread_new(struct plat__thread_start *start);
/* Waits for the thread to end (wait) or lets it run on, and frees the handle. */
void plat__thread_end(struct plat_thread *t, bool wait);

#endif
