/* What file handling means for l2tpfix, the same on every system: atomic
 * replacement, synced appends, bounded reads, folders. The system calls
 * themselves are in platform_posix.c and platform_win.c (platform_os.h). */
#include "platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform_os.h"

static enum l2f_status write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        long n = plat__write(fd, p, len);
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
    if (st == L2F_OK && plat__sync(fd) != 0)
        st = L2F_ERR_IO;
    *saved = errno;
    if (plat__close(fd) != 0 && st == L2F_OK) {
        st = L2F_ERR_IO;
        *saved = errno;
    }
    return st;
}

enum l2f_status plat_write_atomic(const char *path, const void *data, size_t len,
                                  struct l2f_err *err)
{
    return plat_write_atomic_max(path, data, len, PLAT_READ_MAX, err);
}

/* The temporary file's name beside path, and the file opened. */
static int open_temp_beside(const char *path, char *tmp, size_t tmp_len, struct l2f_err *err)
{
    if ((size_t)snprintf(tmp, tmp_len, "%s.tmp.XXXXXX", path) >= tmp_len) {
        l2f_err_set(err, "%s: path too long", path);
        return -1;
    }
    int fd = plat__open_temp(tmp);
    if (fd < 0)
        l2f_err_set(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
    return fd;
}

enum l2f_status plat_write_atomic_max(const char *path, const void *data, size_t len, size_t max,
                                      struct l2f_err *err)
{
    char tmp[PLAT_PATH_MAX];
    struct plat__old_file old;
    if (plat__check_replaceable(path, &old, err) != L2F_OK)
        return L2F_ERR_IO;
    if (len > max) { /* it could not be read back */
        l2f_err_set(err, "%s: would be larger than the %lu MiB limit for this file; not changed",
                    path, (unsigned long)(max >> 20));
        return L2F_ERR_IO;
    }
    int fd = open_temp_beside(path, tmp, sizeof tmp, err);
    if (fd < 0)
        return L2F_ERR_IO;
    int saved = 0;
    enum l2f_status st = L2F_OK;
    if (plat__keep_mode_and_owner(fd, &old) != 0) {
        saved = errno;
        st = L2F_ERR_IO;
        plat__close(fd);
    } else {
        st = write_sync_close(fd, data, len, &saved);
    }
    if (st == L2F_OK && (saved = plat__replace(tmp, path, &old)) != 0)
        st = L2F_ERR_IO;
    if (st != L2F_OK) {
        remove(tmp);
        l2f_err_set(err, "%s: cannot write: %s", path, strerror(saved));
    }
    return st;
}

/* Opens path for writing, private to the user and never through a link:
 * appending, or only if it does not exist yet; writes data and syncs it. */
static enum l2f_status open_write_sync(const char *path, const void *data, size_t len,
                                       bool exclusive, struct l2f_err *err)
{
    int fd = plat__open_write(path, exclusive);
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

bool plat_create_exclusive(const char *path, const char *content, struct l2f_err *err)
{
    return open_write_sync(path, content, strlen(content), true, err) == L2F_OK;
}

/* Opens path for reading without blocking (a FIFO's writer, a terminal) and
 * accepts only a regular file of at most max bytes; *size gets its size. */
static enum l2f_status open_regular(const char *path, size_t max, int *fd_out, size_t *size,
                                    struct l2f_err *err)
{
    const char *kind = NULL;
    unsigned long long bytes = 0;
    int fd = plat__open_read(path, &kind, &bytes);
    if (fd < 0 && kind) { /* refused before opening, as Windows must for a folder */
        l2f_err_set(err, "%s: not a regular file (%s); refusing to read it", path, kind);
        return L2F_ERR_USAGE;
    }
    if (fd < 0) {
        int e = errno;
        l2f_err_set(err, "%s: cannot open: %s", path, strerror(e));
        return e == ENOENT ? L2F_ERR_NOT_FOUND : L2F_ERR_IO;
    }
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
        plat__close(fd);
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
        long n = plat__read(fd, buf + used, cap - used - 1);
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
    plat__close(fd);
    if (st == L2F_ERR_PARSE)
        l2f_err_set(err, "%s: grew past the %lu MiB limit for this file while being read", path,
                    (unsigned long)(max >> 20));
    else if (st == L2F_ERR_IO)
        l2f_err_set(err, "%s: cannot read: %s", path, strerror(saved));
    else if (st == L2F_OK && len)
        *len = got;
    return st;
}

enum l2f_status plat_view_open(const char *path, size_t max, struct plat_view *v,
                               struct l2f_err *err)
{
    memset(v, 0, sizeof *v);
    int fd;
    size_t size;
    enum l2f_status st = open_regular(path, max, &fd, &size, err);
    if (st != L2F_OK)
        return st;
    bool mapped = plat__map(fd, size, v);
    plat__close(fd);
    if (mapped)
        return L2F_OK;
    char *buf;
    size_t len;
    st = plat_read_file_max(path, max, &buf, &len, err);
    if (st == L2F_OK) {
        v->data = v->owned = buf;
        v->len = len;
    }
    return st;
}

void plat_view_close(struct plat_view *v)
{
    if (v->mapped)
        plat__unmap(v);
    free(v->owned);
    memset(v, 0, sizeof *v);
}

bool plat_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
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
        /* a drive root or an existing parent we cannot stat is fine */
        if (plat__mkdir(buf) != 0 && errno != EEXIST && !plat_file_exists(buf)) {
            l2f_err_set(err, "%s: cannot create: %s", buf, strerror(errno));
            return L2F_ERR_IO;
        }
        *p = c;
    }
    if (plat__mkdir(buf) != 0 && errno != EEXIST) {
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

void plat_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

struct name_list {
    char **names;
    size_t n, cap;
};

/* Appends a copy of name to the growing list; false when memory ran out. */
static bool names_add(void *ctx, const char *name)
{
    struct name_list *l = ctx;
    if (l->n == l->cap) {
        size_t grown_cap = l->cap ? l->cap * 2 : 64;
        char **grown = realloc(l->names, grown_cap * sizeof *grown);
        if (!grown)
            return false;
        l->names = grown;
        l->cap = grown_cap;
    }
    size_t len = strlen(name) + 1;
    char *copy = malloc(len);
    if (!copy)
        return false;
    memcpy(copy, name, len);
    l->names[l->n++] = copy;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum l2f_status plat_subdirs(const char *dir, char ***names, size_t *n, struct l2f_err *err)
{
    struct name_list l = {0};
    *names = NULL;
    *n = 0;
    enum l2f_status st = plat__each_subdir(dir, names_add, &l, err);
    if (st != L2F_OK) {
        plat_names_free(l.names, l.n);
        return st;
    }
    if (l.n)
        qsort(l.names, l.n, sizeof *l.names, by_name);
    *names = l.names;
    *n = l.n;
    return L2F_OK;
}

void plat__thread_run(struct plat__thread_start *start)
{
    struct plat__thread_start ts = *start;
    free(start);
    ts.fn(ts.arg);
}

/* The start record outlives the caller's frame: a detached thread may run
 * after plat_thread_start has returned. */
static struct plat_thread *thread_new(void (*fn)(void *), void *arg)
{
    struct plat__thread_start *ts = malloc(sizeof *ts);
    if (!ts)
        return NULL;
    *ts = (struct plat__thread_start){fn, arg};
    struct plat_thread *t = plat__thread_new(ts);
    if (!t)
        free(ts);
    return t;
}

bool plat_thread_start(void (*fn)(void *), void *arg)
{
    struct plat_thread *t = thread_new(fn, arg);
    if (!t)
        return false;
    plat__thread_end(t, false);
    return true;
}

struct plat_thread *plat_thread_start_joinable(void (*fn)(void *), void *arg)
{
    return thread_new(fn, arg);
}

void plat_thread_join(struct plat_thread *t)
{
    if (t)
        plat__thread_end(t, true);
}
