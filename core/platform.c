#include "platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>
#include <io.h>
#include <direct.h>
#include <fcntl.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>
#endif

#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* The file a write replaces: its mode and owner go to the replacement. */
struct old_file {
    bool exists;
#ifndef _WIN32
    struct stat st;
#endif
};

/* Refuses to replace a symlink (it would be followed), anything but a regular
 * file, and a read-only file: by its mode bits, which bind root too, as a
 * person who made a file read-only meant it for everyone. */
static enum l2f_status check_replaceable(const char *path, struct old_file *old,
                                         struct l2f_err *err)
{
    old->exists = false;
#ifdef _WIN32
    DWORD attr = GetFileAttributesA(path);
    if (attr == INVALID_FILE_ATTRIBUTES)
        return L2F_OK;
    bool link = attr & FILE_ATTRIBUTE_REPARSE_POINT, regular = !(attr & FILE_ATTRIBUTE_DIRECTORY);
    bool read_only = attr & FILE_ATTRIBUTE_READONLY;
    char how[48] = "read-only (the read-only attribute)";
#else
    if (lstat(path, &old->st) != 0)
        return L2F_OK; /* a new file, or one the write itself reports */
    bool link = S_ISLNK(old->st.st_mode), regular = S_ISREG(old->st.st_mode);
    bool no_write_bit = (old->st.st_mode & 0222) == 0;
    bool read_only = no_write_bit || (access(path, W_OK) != 0 && errno == EACCES);
    char how[48];
    snprintf(how, sizeof how, "%s (mode %04o)",
             no_write_bit ? "read-only" : "not writable by this user",
             (unsigned)(old->st.st_mode & 07777));
#endif
    if (link)
        l2f_err_set(err, "%s: is a symbolic link; refusing to replace it", path);
    else if (!regular)
        l2f_err_set(err, "%s: not a regular file; refusing to replace it", path);
    else if (read_only)
        l2f_err_set(err, "%s: %s; not changed", path, how);
    else {
        old->exists = true;
        return L2F_OK;
    }
    return L2F_ERR_IO;
}

/* Gives the temporary file the mode and owner of the file it replaces, so a
 * user's 0644 phonebook stays theirs after root fixes it. */
static int keep_mode_and_owner(int fd, const struct old_file *old)
{
#ifdef _WIN32
    (void)fd, (void)old; /* ReplaceFileA keeps the replaced file's DACL */
    return 0;
#else
    if (!old->exists)
        return 0;
    const struct stat *st = &old->st;
    bool root = geteuid() == 0;
    /* anyone else may at most give it the old group, if they are in it */
    if (fchown(fd, root ? st->st_uid : (uid_t)-1, st->st_gid) != 0 && root)
        return -1;
    return fchmod(fd, st->st_mode & 0777);
#endif
}

/* Puts tmp in path's place in one step; on Windows ReplaceFileA keeps the
 * old file's DACL and attributes, which MoveFileExA would not. */
static bool replace_with(const char *tmp, const char *path, const struct old_file *old)
{
#ifdef _WIN32
    if (old->exists)
        return ReplaceFileA(path, tmp, NULL, REPLACEFILE_IGNORE_MERGE_ERRORS, NULL, NULL);
    return MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
#else
    (void)old;
    return rename(tmp, path) == 0;
#endif
}

static int sync_fd(int fd)
{
#ifdef _WIN32
    return _commit(fd);
#else
    return fsync(fd);
#endif
}

static void close_fd(int fd)
{
#ifdef _WIN32
    _close(fd);
#else
    close(fd);
#endif
}

static enum l2f_status write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
#ifdef _WIN32
        int n = _write(fd, p, len > 0x40000000u ? 0x40000000u : (unsigned)len);
#else
        ssize_t n = write(fd, p, len);
#endif
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return L2F_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return L2F_OK;
}

/* Writes, flushes to disk and closes fd; *saved gets errno of the first failure. */
static enum l2f_status write_sync_close(int fd, const void *data, size_t len, int *saved)
{
    enum l2f_status st = write_all(fd, data, len);
    if (st == L2F_OK && sync_fd(fd) != 0)
        st = L2F_ERR_IO;
    *saved = errno;
#ifdef _WIN32
    _close(fd);
#else
    if (close(fd) != 0 && st == L2F_OK) {
        st = L2F_ERR_IO;
        *saved = errno;
    }
#endif
    return st;
}

enum l2f_status plat_write_atomic(const char *path, const void *data, size_t len,
                                  struct l2f_err *err)
{
    return plat_write_atomic_max(path, data, len, PLAT_READ_MAX, err);
}

enum l2f_status plat_write_atomic_max(const char *path, const void *data, size_t len, size_t max,
                                      struct l2f_err *err)
{
    char tmp[PLAT_PATH_MAX];
    struct old_file old;
    if (check_replaceable(path, &old, err) != L2F_OK)
        return L2F_ERR_IO;
    if (len > max) { /* it could not be read back */
        l2f_err_set(
            err, "%s: would be larger than the %lu MiB limit for this file; not changed",
            path, (unsigned long)(max >> 20));
        return L2F_ERR_IO;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
        l2f_err_set(err, "%s: path too long", path);
        return L2F_ERR_IO;
    }
#ifdef _WIN32
    if (_mktemp_s(tmp, strlen(tmp) + 1) != 0) {
        l2f_err_set(err, "%s: cannot make a temporary name", path);
        return L2F_ERR_IO;
    }
    int fd = _open(tmp, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#else
    int fd = mkstemp(tmp);
#endif
    if (fd < 0) {
        l2f_err_set(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
        return L2F_ERR_IO;
    }
    int saved = 0;
    enum l2f_status st = L2F_OK;
    if (keep_mode_and_owner(fd, &old) != 0) {
        saved = errno;
        st = L2F_ERR_IO;
        close_fd(fd);
    } else {
        st = write_sync_close(fd, data, len, &saved);
    }
    if (st == L2F_OK && !replace_with(tmp, path, &old)) {
        st = L2F_ERR_IO;
#ifdef _WIN32
        saved = EACCES;
#else
        saved = errno;
#endif
    }
    if (st != L2F_OK) {
        remove(tmp);
        l2f_err_set(err, "%s: cannot write: %s", path, strerror(saved));
    }
    return st;
}

#ifndef _WIN32
int plat_open_private(const char *path, int flags, unsigned mode)
{
    return open(path, flags | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
}
#endif

/* Opens path for writing, private to the user and never through a link:
 * appending, or only if it does not exist yet; writes data and syncs it. */
static enum l2f_status open_write_sync(const char *path, const void *data, size_t len, bool exclusive,
                                       struct l2f_err *err)
{
#ifdef _WIN32
    int fd = _open(path, _O_WRONLY | _O_CREAT | _O_BINARY | (exclusive ? _O_EXCL : _O_APPEND), _S_IREAD | _S_IWRITE);
#else
    int fd = plat_open_private(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_APPEND), 0600);
#endif
    if (fd < 0) {
        l2f_err_set(err, "%s: cannot open for writing: %s", path, strerror(errno));
        return L2F_ERR_IO;
    }
    int saved;
    enum l2f_status st = write_sync_close(fd, data, len, &saved);
    if (st != L2F_OK)
        l2f_err_set(err, "%s: cannot write: %s", path, strerror(saved));
    return st;
}

enum l2f_status plat_append_sync(const char *path, const char *data, size_t len,
                                 struct l2f_err *err)
{
    return open_write_sync(path, data, len, false, err);
}

/* Opens path for reading without blocking (a FIFO's writer, a terminal) and
 * accepts only a regular file of at most max bytes; *size gets its size. */
static enum l2f_status open_regular(const char *path, size_t max, int *fd_out, size_t *size,
                                    struct l2f_err *err)
{
#ifdef _WIN32
    DWORD attr = GetFileAttributesA(path);
    if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY)) {
        /* _open would only say "Permission denied" */
        l2f_err_set(err, "%s: not a regular file (a directory); refusing to read it", path);
        return L2F_ERR_USAGE;
    }
    int fd = _open(path, _O_RDONLY | _O_BINARY);
#else
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
#endif
    if (fd < 0) {
        int e = errno;
        l2f_err_set(err, "%s: cannot open: %s", path, strerror(e));
        return e == ENOENT ? L2F_ERR_NOT_FOUND : L2F_ERR_IO;
    }
    const char *kind = NULL;
    unsigned long long bytes = 0;
#ifdef _WIN32
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    LARGE_INTEGER li;
    if (GetFileType(h) != FILE_TYPE_DISK)
        kind = "a device or pipe";
    else if (!GetFileSizeEx(h, &li))
        kind = "of unknown size";
    else
        bytes = (unsigned long long)li.QuadPart;
#else
    struct stat st;
    if (fstat(fd, &st) != 0)
        kind = "of unknown type";
    else if (!S_ISREG(st.st_mode))
        kind = S_ISDIR(st.st_mode)                          ? "a directory"
               : S_ISFIFO(st.st_mode)                       ? "a FIFO"
               : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                            : "a socket or other special file";
    else
        bytes = (unsigned long long)st.st_size;
    /* a regular file ignores O_NONBLOCK; cleared so reads stay plain */
    if (!kind)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
#endif
    enum l2f_status rc = L2F_OK;
    if (kind) {
        l2f_err_set(err, "%s: not a regular file (%s); refusing to read it", path, kind);
        rc = L2F_ERR_USAGE;
    } else if (bytes > max) {
        l2f_err_set(err, "%s: larger than the %u MiB limit for a file l2tpfix reads", path,
                    (unsigned)(max >> 20));
        rc = L2F_ERR_PARSE;
    }
    if (rc != L2F_OK) {
        close_fd(fd);
        return rc;
    }
    *fd_out = fd;
    *size = (size_t)bytes;
    return L2F_OK;
}

/* Reads at most max + 1 bytes: one more than allowed tells a file that grew. */
static enum l2f_status read_bounded(int fd, size_t hint, size_t max, char **data, size_t *len)
{
    size_t cap = (hint < max ? hint : max) + 2, used = 0;
    char *buf = malloc(cap);
    while (buf && used <= max) {
        if (cap - used < 2) {
            size_t grown = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *nb = realloc(buf, grown);
            if (!nb)
                break;
            buf = nb;
            cap = grown;
        }
        size_t want = cap - used - 1;
#ifdef _WIN32
        int n = _read(fd, buf + used, want > 0x40000000u ? 0x40000000u : (unsigned)want);
#else
        ssize_t n = read(fd, buf + used, want);
#endif
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return L2F_ERR_IO;
        }
        if (n == 0) {
            buf[used] = '\0';
            *data = buf;
            *len = used;
            return L2F_OK;
        }
        used += (size_t)n;
    }
    bool grew = used > max; /* past max while being read */
    free(buf);
    return grew ? L2F_ERR_PARSE : L2F_ERR_NOMEM;
}

enum l2f_status plat_read_file(const char *path, char **data, size_t *len, struct l2f_err *err)
{
    return plat_read_file_max(path, PLAT_READ_MAX, data, len, err);
}

enum l2f_status plat_read_file_max(const char *path, size_t max, char **data, size_t *len,
                                   struct l2f_err *err)
{
    int fd;
    size_t size, got;
    enum l2f_status st = open_regular(path, max, &fd, &size, err);
    if (st != L2F_OK)
        return st;
    st = read_bounded(fd, size, max, data, &got);
    int saved = errno;
    close_fd(fd);
    if (st == L2F_ERR_PARSE)
        l2f_err_set(err, "%s: grew past the %lu MiB limit for this file while being read", path,
                    (unsigned long)(max >> 20));
    else if (st == L2F_ERR_IO)
        l2f_err_set(err, "%s: cannot read: %s", path, strerror(saved));
    else if (st == L2F_OK && len)
        *len = got;
    return st;
}

#ifndef _WIN32
#if defined(__linux__) && !defined(MAP_POPULATE)
#define MAP_POPULATE 0x08000 /* Linux's <bits/mman-linux.h>; hidden by _XOPEN_SOURCE */
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
/* Maps fd read-only, its pages entered at once: no copy, and no page-by-page
 * faults (costly under a hypervisor) as a fresh buffer would take. */
static bool map_view(int fd, size_t size, struct plat_view *v)
{
    void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : MAP_FAILED;
    if (p == MAP_FAILED)
        return false;
    v->data = p;
    v->len = v->mapped = size;
    return true;
}
#endif

enum l2f_status plat_view_open(const char *path, size_t max, struct plat_view *v,
                               struct l2f_err *err)
{
    memset(v, 0, sizeof *v);
#ifndef _WIN32
    int fd;
    size_t size;
    enum l2f_status st = open_regular(path, max, &fd, &size, err);
    if (st != L2F_OK)
        return st;
    bool mapped = map_view(fd, size, v);
    close_fd(fd);
    if (mapped)
        return L2F_OK;
#endif
    char *buf;
    size_t len;
    enum l2f_status rd = plat_read_file_max(path, max, &buf, &len, err);
    if (rd == L2F_OK) {
        v->data = v->owned = buf;
        v->len = len;
    }
    return rd;
}

void plat_view_close(struct plat_view *v)
{
#ifndef _WIN32
    if (v->mapped)
        munmap((void *)v->data, v->mapped);
#endif
    free(v->owned);
    memset(v, 0, sizeof *v);
}

bool plat_create_exclusive(const char *path, const char *content, struct l2f_err *err)
{
    return open_write_sync(path, content, strlen(content), true, err) == L2F_OK;
}

bool plat_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int make_dir(const char *dir)
{
#ifdef _WIN32
    return _mkdir(dir);
#else
    return mkdir(dir, 0700);
#endif
}

enum l2f_status plat_mkdir_p(const char *dir, struct l2f_err *err)
{
    char buf[PLAT_PATH_MAX];
    if ((size_t)snprintf(buf, sizeof buf, "%s", dir) >= sizeof buf) {
        l2f_err_set(err, "%s: path too long", dir);
        return L2F_ERR_IO;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/' && *p != '\\')
            continue;
        char c = *p;
        *p = '\0';
        if (make_dir(buf) != 0 && errno != EEXIST) {
            /* a drive root or an existing parent we cannot stat is fine */
            if (!plat_file_exists(buf)) {
                l2f_err_set(err, "%s: cannot create: %s", buf, strerror(errno));
                return L2F_ERR_IO;
            }
        }
        *p = c;
    }
    if (make_dir(buf) != 0 && errno != EEXIST) {
        l2f_err_set(err, "%s: cannot create: %s", buf, strerror(errno));
        return L2F_ERR_IO;
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !(st.st_mode & S_IFDIR)) {
        l2f_err_set(err, "%s: not a directory", buf);
        return L2F_ERR_IO;
    }
    return L2F_OK;
}

enum l2f_status plat_default_state_dir(char *buf, size_t len, struct l2f_err *err)
{
    int n;
#ifdef _WIN32
    const char *base = getenv("LOCALAPPDATA");
    if (!base || !*base) {
        l2f_err_set(err, "LOCALAPPDATA is not set; give --state-dir DIR");
        return L2F_ERR_NOT_FOUND;
    }
    n = snprintf(buf, len, "%s\\l2tpfix", base);
#else
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg == '/')
        n = snprintf(buf, len, "%s/l2tpfix", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.local/state/l2tpfix", home);
    else {
        l2f_err_set(err, "neither XDG_STATE_HOME nor HOME is set; give --state-dir DIR");
        return L2F_ERR_NOT_FOUND;
    }
#endif
    if (n < 0 || (size_t)n >= len) {
        l2f_err_set(err, "state directory path too long");
        return L2F_ERR_IO;
    }
    return L2F_OK;
}

enum l2f_status plat_absolute_path(const char *path, char *buf, size_t len, struct l2f_err *err)
{
#ifdef _WIN32
    DWORD n = GetFullPathNameA(path, (DWORD)len, buf, NULL);
    if (n == 0 || n >= len) {
        l2f_err_set(err, "%s: cannot resolve the path", path);
        return L2F_ERR_IO;
    }
#else
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
#endif
    return L2F_OK;
}

void plat_time_iso(char buf[32])
{
    /* milliseconds: a fix and the test connection after it often share a second */
#ifdef _WIN32
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute,
             st.wSecond, st.wMilliseconds);
#else
    struct timespec ts;
    struct tm tmv;
    char whole[24];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tmv);
    strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tmv);
    snprintf(buf, 32, "%.19s.%03dZ", whole, (int)(ts.tv_nsec / 1000000L % 1000));
#endif
}

uint64_t plat_wall_ms(void)
{
#ifdef _WIN32
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime; /* 100 ns since 1601 */
    return (t - 116444736000000000ULL) / 10000u;
#else
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#endif
}

uint64_t plat_monotonic_ms(void)
{
#ifdef _WIN32
    return (uint64_t)GetTickCount64();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#endif
}

void plat_sleep_ms(unsigned ms)
{
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
#endif
}

bool plat_random(void *buf, size_t len)
{
#ifdef _WIN32
    return BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
#else
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return false;
    bool ok = fread(buf, 1, len, f) == len;
    fclose(f);
    return ok;
#endif
}

void plat_wipe(void *p, size_t len)
{
#ifdef _WIN32
    SecureZeroMemory(p, len);
#else
    volatile unsigned char *v = p;
    while (len--)
        *v++ = 0;
#endif
}

bool plat_stdin_is_tty(void)
{
#ifdef _WIN32
    return _isatty(_fileno(stdin));
#else
    return isatty(STDIN_FILENO);
#endif
}

bool plat_stdout_is_tty(void)
{
#ifdef _WIN32
    return _isatty(_fileno(stdout));
#else
    return isatty(STDOUT_FILENO);
#endif
}

struct thread_start {
    void (*fn)(void *);
    void *arg;
};

#ifdef _WIN32
static DWORD WINAPI thread_main(LPVOID p)
#else
static void *thread_main(void *p)
#endif
{
    struct thread_start ts = *(struct thread_start *)p;
    free(p);
    ts.fn(ts.arg);
    return 0;
}

struct plat_thread {
#ifdef _WIN32
    HANDLE handle;
#else
    pthread_t handle;
#endif
};

static bool thread_create(void (*fn)(void *), void *arg, struct plat_thread *t)
{
    struct thread_start *ts = malloc(sizeof *ts);
    if (!ts)
        return false;
    ts->fn = fn;
    ts->arg = arg;
#ifdef _WIN32
    t->handle = CreateThread(NULL, 0, thread_main, ts, 0, NULL);
    bool started = t->handle != NULL;
#else
    bool started = pthread_create(&t->handle, NULL, thread_main, ts) == 0;
#endif
    if (!started)
        free(ts);
    return started;
}

bool plat_thread_start(void (*fn)(void *), void *arg)
{
    struct plat_thread t;
    if (!thread_create(fn, arg, &t))
        return false;
#ifdef _WIN32
    CloseHandle(t.handle);
#else
    pthread_detach(t.handle);
#endif
    return true;
}

struct plat_thread *plat_thread_start_joinable(void (*fn)(void *), void *arg)
{
    struct plat_thread *t = malloc(sizeof *t);
    if (t && !thread_create(fn, arg, t)) {
        free(t);
        t = NULL;
    }
    return t;
}

void plat_thread_join(struct plat_thread *t)
{
    if (!t)
        return;
#ifdef _WIN32
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
#else
    pthread_join(t->handle, NULL);
#endif
    free(t);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool plat_is_dir(const char *path)
{
#ifdef _WIN32
    DWORD attr = GetFileAttributesA(path);
    return attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY);
#else
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
#endif
}

void plat_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* Appends a copy of name to the growing list; false when memory ran out. */
static bool names_add(char ***names, size_t *n, size_t *cap, const char *name)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        char **grown = realloc(*names, grown_cap * sizeof *grown);
        if (!grown)
            return false;
        *names = grown;
        *cap = grown_cap;
    }
    size_t len = strlen(name) + 1;
    char *copy = malloc(len);
    if (!copy)
        return false;
    memcpy(copy, name, len);
    (*names)[(*n)++] = copy;
    return true;
}

#if !defined(_WIN32) && defined(_DIRENT_HAVE_D_TYPE) && !defined(DT_DIR)
enum { DT_UNKNOWN = 0, DT_DIR = 4, DT_LNK = 10 }; /* glibc's <dirent.h>; hidden by _XOPEN_SOURCE */
#endif

#ifndef _WIN32
/* Whether a listed entry is a folder: its type from the listing when known
 * (a stat each costs a thousand users' folders a tenth of their time), else stat. */
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
#endif

enum l2f_status plat_subdirs(const char *dir, char ***names, size_t *n, struct l2f_err *err)
{
    *names = NULL;
    *n = 0;
    size_t cap = 0;
    bool ok = true;
#ifdef _WIN32
    char pattern[PLAT_PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    WIN32_FIND_DATAA fd;
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        l2f_err_set(err, "%s: cannot list the folder", dir);
        return L2F_ERR_IO;
    }
    do {
        if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || strcmp(fd.cFileName, ".") == 0 ||
            strcmp(fd.cFileName, "..") == 0)
            continue;
        ok = names_add(names, n, &cap, fd.cFileName);
    } while (ok && FindNextFileA(h, &fd));
    FindClose(h);
#else
    DIR *d = opendir(dir);
    if (!d) {
        l2f_err_set(err, "%s: cannot list the folder: %s", dir, strerror(errno));
        return L2F_ERR_IO;
    }
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (entry_is_dir(dir, e))
            ok = names_add(names, n, &cap, e->d_name);
    }
    closedir(d);
#endif
    if (!ok) {
        plat_names_free(*names, *n);
        *names = NULL;
        *n = 0;
        return L2F_ERR_NOMEM;
    }
    if (*n)
        qsort(*names, *n, sizeof **names, by_name);
    return L2F_OK;
}
