/* platform_os.h and the system-bound half of platform.h on POSIX. */
#include "platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform_os.h"

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#if defined(__linux__) && !defined(MAP_POPULATE)
#define MAP_POPULATE 0x08000 /* Linux's <bits/mman-linux.h>; hidden by _XOPEN_SOURCE */
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
#if defined(_DIRENT_HAVE_D_TYPE) && !defined(DT_DIR)
enum { DT_UNKNOWN = 0, DT_DIR = 4, DT_LNK = 10 }; /* glibc's <dirent.h>; hidden by _XOPEN_SOURCE */
#endif

/* By its mode bits, which bind root too: a person who made a file read-only
 * meant it for everyone. */
enum l2f_status plat__check_replaceable(const char *path, struct plat__old_file *old,
                                        struct l2f_err *err)
{
    struct stat st;
    memset(old, 0, sizeof *old);
    if (lstat(path, &st) != 0)
        return L2F_OK; /* a new file, or one the write itself reports */
    bool no_write_bit = (st.st_mode & 0222) == 0;
    if (S_ISLNK(st.st_mode))
        l2f_err_set(err, "%s: is a symbolic link; refusing to replace it", path);
    else if (!S_ISREG(st.st_mode))
        l2f_err_set(err, "%s: not a regular file; refusing to replace it", path);
    else if (no_write_bit || (access(path, W_OK) != 0 && errno == EACCES))
        l2f_err_set(err, "%s: %s (mode %04o); not changed", path,
                    no_write_bit ? "read-only" : "not writable by this user",
                    (unsigned)(st.st_mode & 07777));
    else {
        *old = (struct plat__old_file){true, (unsigned)st.st_mode, (long long)st.st_uid,
                                       (long long)st.st_gid};
        return L2F_OK;
    }
    return L2F_ERR_IO;
}

int plat__open_temp(char *tmp)
{
    return mkstemp(tmp);
}

/* So a user's 0644 phonebook stays theirs after root fixes it. */
int plat__keep_mode_and_owner(int fd, const struct plat__old_file *old)
{
    if (!old->exists)
        return 0;
    bool root = geteuid() == 0;
    /* anyone else may at most give it the old group, if they are in it */
    if (fchown(fd, root ? (uid_t)old->uid : (uid_t)-1, (gid_t)old->gid) != 0 && root)
        return -1;
    return fchmod(fd, (mode_t)(old->mode & 0777));
}

int plat__replace(const char *tmp, const char *path, const struct plat__old_file *old)
{
    (void)old;
    return rename(tmp, path) == 0 ? 0 : errno;
}

int plat_open_private(const char *path, int flags, unsigned mode)
{
    return open(path, flags | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
}

int plat__open_write(const char *path, bool exclusive)
{
    return plat_open_private(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_APPEND), 0600);
}

static const char *file_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return NULL;
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "a socket or other special file";
}

int plat__open_read(const char *path, const char **kind, unsigned long long *bytes)
{
    *kind = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0)
        *kind = "of unknown type";
    else if (!(*kind = file_kind(st.st_mode))) {
        *bytes = (unsigned long long)st.st_size;
        /* a regular file ignores O_NONBLOCK; cleared so reads stay plain */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    return fd;
}

long plat__read(int fd, void *buf, size_t len)
{
    return (long)read(fd, buf, len);
}

long plat__write(int fd, const void *buf, size_t len)
{
    return (long)write(fd, buf, len);
}

int plat__sync(int fd)
{
    return fsync(fd);
}

int plat__close(int fd)
{
    return close(fd);
}

/* Its pages entered at once: no copy, and no page-by-page faults (costly
 * under a hypervisor) as a fresh buffer would take. */
bool plat__map(int fd, size_t size, struct plat_view *v)
{
    void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : MAP_FAILED;
    if (p == MAP_FAILED)
        return false;
    v->data = p;
    v->len = v->mapped = size;
    return true;
}

void plat__unmap(struct plat_view *v)
{
    munmap((void *)v->data, v->mapped);
}

int plat__mkdir(const char *dir)
{
    return mkdir(dir, 0700);
}

/* Its type from the listing when known (a stat each costs a thousand users'
 * folders a tenth of their time), else stat. */
static bool entry_is_dir(const char *dir, const struct dirent *e)
{
#ifdef _DIRENT_HAVE_D_TYPE
    if (e->d_type == DT_DIR)
        return true;
    if (e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
        return false;
#endif
    char path[PLAT_PATH_MAX];
    struct stat st;
    int len = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    return len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

enum l2f_status plat__each_subdir(const char *dir, bool (*add)(void *ctx, const char *name),
                                  void *ctx, struct l2f_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        l2f_err_set(err, "%s: cannot list the folder: %s", dir, strerror(errno));
        return L2F_ERR_IO;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && entry_is_dir(dir, e))
            ok = add(ctx, e->d_name);
    }
    closedir(d);
    return ok ? L2F_OK : L2F_ERR_NOMEM;
}

bool plat_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

enum l2f_status plat_default_state_dir(char *buf, size_t len, struct l2f_err *err)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg == '/')
        n = snprintf(buf, len, "%s/l2tpfix", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.local/state/l2tpfix", home);
    else {
        l2f_err_set(err, "neither XDG_STATE_HOME nor HOME is set; give --state-dir DIR");
        return L2F_ERR_NOT_FOUND;
    }
    if (n < 0 || (size_t)n >= len) {
        l2f_err_set(err, "state directory path too long");
        return L2F_ERR_IO;
    }
    return L2F_OK;
}

enum l2f_status plat_absolute_path(const char *path, char *buf, size_t len, struct l2f_err *err)
{
    char *r = realpath(path, NULL);
    if (!r) {
        l2f_err_set(err, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? L2F_ERR_NOT_FOUND : L2F_ERR_IO;
    }
    if (strlen(r) >= len) {
        free(r);
        l2f_err_set(err, "%s: path too long", path);
        return L2F_ERR_IO;
    }
    strcpy(buf, r);
    free(r);
    return L2F_OK;
}

/* milliseconds: a fix and the test connection after it often share a second */
void plat_time_iso(char buf[32])
{
    struct timespec ts;
    struct tm tmv;
    char whole[24];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tmv);
    strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tmv);
    snprintf(buf, 32, "%.19s.%03dZ", whole, (int)(ts.tv_nsec / 1000000L % 1000));
}

void plat_time_iso_at(long long secs, char buf[32])
{
    time_t t = (time_t)(secs < 0 ? 0 : secs);
    struct tm tmv;
    if (!gmtime_r(&t, &tmv)) {
        snprintf(buf, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tmv);
}

static uint64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t plat_wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

uint64_t plat_monotonic_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

void plat_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

bool plat_random(void *buf, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return false;
    bool ok = fread(buf, 1, len, f) == len;
    fclose(f);
    return ok;
}

void plat_wipe(void *p, size_t len)
{
    volatile unsigned char *v = p; /* volatile: the compiler may not drop the stores */
    while (len--)
        *v++ = 0;
}

bool plat_stdin_is_tty(void)
{
    return isatty(STDIN_FILENO);
}

bool plat_stdout_is_tty(void)
{
    return isatty(STDOUT_FILENO);
}

bool plat_computer_name(char *buf, size_t len)
{
    char name[256];
    if (!len || gethostname(name, sizeof name) != 0)
        return false;
    name[sizeof name - 1] = '\0';
    name[strcspn(name, ".")] = '\0'; /* the host's own label, as a NetBIOS name would be */
    snprintf(buf, len, "%s", name);
    return buf[0] != '\0';
}

struct plat_thread {
    pthread_t handle;
};

static void *thread_main(void *start)
{
    plat__thread_run(start);
    return NULL;
}

struct plat_thread *plat__thread_new(struct plat__thread_start *start)
{
    struct plat_thread *t = malloc(sizeof *t);
    if (t && pthread_create(&t->handle, NULL, thread_main, start) == 0)
        return t;
    free(t);
    return NULL;
}

void plat__thread_end(struct plat_thread *t, bool wait)
{
    if (wait)
        pthread_join(t->handle, NULL);
    else
        pthread_detach(t->handle);
    free(t);
}
