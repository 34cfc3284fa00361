/* The few operating-system services the core needs, for POSIX and Windows:
 * atomic file replacement, synced appends, the state directory, clocks and
 * wiping secrets. */
#ifndef L2F_PLATFORM_H
#define L2F_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Replaces path with data: temp file beside it, fsync, rename. The new file
 * keeps the old one's mode and owner (its security descriptor on Windows). A
 * symlink or other non-regular file at path, a read-only file (no write bit,
 * which holds for root too) and data over PLAT_READ_MAX are refused. */
enum l2f_status plat_write_atomic(const char *path, const void *data, size_t len,
                                  struct l2f_err *err);
enum l2f_status plat_write_atomic_max(const char *path, const void *data, size_t len, size_t max,
                                      struct l2f_err *err);
#ifndef _WIN32
/* open(2) of a file l2tpfix keeps: never through a symlink, never inherited by
 * a child (O_NOFOLLOW and O_CLOEXEC where the system has them). */
int plat_open_private(const char *path, int flags, unsigned mode);
#endif
/* Appends one record and flushes it to disk before returning. */
enum l2f_status plat_append_sync(const char *path, const char *data, size_t len,
                                 struct l2f_err *err);
/* The largest file l2tpfix reads or writes: a phonebook of a thousand entries
 * is well under 1 MiB, a scenario of 40,000 profiles 9 MiB; /dev/zero is not. */
#define PLAT_READ_MAX (16 << 20)
/* Reads a whole regular file of at most PLAT_READ_MAX bytes into a
 * NUL-terminated malloc'd buffer. Never blocks on a FIFO or a device: those,
 * a directory (L2F_ERR_USAGE) and a larger file (L2F_ERR_PARSE, also when it
 * grows while read) are refused with one line naming the file. */
enum l2f_status plat_read_file(const char *path, char **data, size_t *len, struct l2f_err *err);
/* The same with a limit of the caller's own (the journal grows with use). */
enum l2f_status plat_read_file_max(const char *path, size_t max, char **data, size_t *len,
                                   struct l2f_err *err);
/* A read-only view of a whole regular file of at most max bytes, checked as
 * plat_read_file checks it: mapped on POSIX (l2tpfix only appends to or
 * replaces such a file, never truncates it in place), read on Windows. */
struct plat_view {
    const char *data; /* not NUL-terminated when mapped */
    size_t len;
    size_t mapped; /* bytes mapped, or 0 */
    char *owned;   /* the buffer read, or NULL */
};
enum l2f_status plat_view_open(const char *path, size_t max, struct plat_view *v,
                               struct l2f_err *err);
void plat_view_close(struct plat_view *v);
bool plat_file_exists(const char *path);
/* The names of all of dir's subdirectories, sorted, "." and ".." left out;
 * *names is allocated: free it with plat_names_free. */
enum l2f_status plat_subdirs(const char *dir, char ***names, size_t *n, struct l2f_err *err);
void plat_names_free(char **names, size_t n);
bool plat_is_dir(const char *path);
/* Creates path with content only if it does not exist yet (a lock). */
bool plat_create_exclusive(const char *path, const char *content, struct l2f_err *err);
/* Creates dir and its parents, private to the user (0700 on POSIX). */
enum l2f_status plat_mkdir_p(const char *dir, struct l2f_err *err);
/* The default state directory: $XDG_STATE_HOME/l2tpfix, ~/.local/state/l2tpfix,
 * or %LOCALAPPDATA%\l2tpfix. */
enum l2f_status plat_default_state_dir(char *buf, size_t len, struct l2f_err *err);
/* Absolute form of a path that exists. */
enum l2f_status plat_absolute_path(const char *path, char *buf, size_t len, struct l2f_err *err);
/* UTC with milliseconds, "2026-11-23T23:40:00.123Z": text order is time order. */
void plat_time_iso(char buf[32]);
/* The same for a moment in seconds since 1970 (milliseconds .000), by the OS's calendar. */
void plat_time_iso_at(long long secs, char buf[32]);
uint64_t plat_monotonic_ms(void);
/* Runs fn(arg) on a detached thread of its own; false when none could start.
 * For work that cannot be stopped (a name lookup) and owns nothing at exit. */
bool plat_thread_start(void (*fn)(void *), void *arg);
/* Runs fn(arg) on a thread that plat_thread_join waits for and frees: a thread
 * that holds library state (OpenSSL's per-thread DRBGs) must end before exit.
 * NULL when none could start. */
struct plat_thread;
struct plat_thread *plat_thread_start_joinable(void (*fn)(void *), void *arg);
void plat_thread_join(struct plat_thread *t);
/* Milliseconds since 1970 (UTC): for times other processes compare. */
uint64_t plat_wall_ms(void);
void plat_sleep_ms(unsigned ms);
/* Fills buf from the system's cryptographic random source. */
bool plat_random(void *buf, size_t len);
/* Zeroes memory in a way the compiler may not optimise away. */
void plat_wipe(void *p, size_t len);
bool plat_stdin_is_tty(void);
bool plat_stdout_is_tty(void);
/* This computer's name (Windows' NetBIOS name), truncated to fit; false when unknown. */
bool plat_computer_name(char *buf, size_t len);

#define PLAT_PATH_MAX 4096
#ifdef _WIN32
#define PLAT_DIRSEP '\\'
#else
#define PLAT_DIRSEP '/'
#endif

#endif
