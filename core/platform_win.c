/* platform_os.h and the system-bound half of platform.h on Windows. */
#include "platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <bcrypt.h>
#include <direct.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#include "platform_os.h"

/* The most one _read or _write call takes: its count is an unsigned int. */
#define IO_CHUNK 0x40000000u

enum l2f_status plat__check_replaceable(const char *path, struct plat__old_file *old,
                                        struct l2f_err *err)
{
    memset(old, 0, sizeof *old);
    old->uid = old->gid = -1;
    DWORD attr = GetFileAttributesA(path);
    if (attr == INVALID_FILE_ATTRIBUTES)
        return L2F_OK;
    if (attr & FILE_ATTRIBUTE_REPARSE_POINT)
        l2f_err_set(err, "%s: is a symbolic link; refusing to replace it", path);
    else if (attr & FILE_ATTRIBUTE_DIRECTORY)
        l2f_err_set(err, "%s: not a regular file; refusing to replace it", path);
    else if (attr & FILE_ATTRIBUTE_READONLY)
        l2f_err_set(err, "%s: read-only (the read-only attribute); not changed", path);
    else {
        old->exists = true;
        return L2F_OK;
    }
    return L2F_ERR_IO;
}

int plat__open_temp(char *tmp)
{
    if (_mktemp_s(tmp, strlen(tmp) + 1) != 0) {
        errno = EEXIST;
        return -1;
    }
    return _open(tmp, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
}

int plat__keep_mode_and_owner(int fd, const struct plat__old_file *old)
{
    (void)fd, (void)old; /* ReplaceFileA keeps the replaced file's DACL */
    return 0;
}

/* ReplaceFileA keeps the old file's DACL and attributes, which MoveFileExA would not. */
int plat__replace(const char *tmp, const char *path, const struct plat__old_file *old)
{
    BOOL done = old->exists
                    ? ReplaceFileA(path, tmp, NULL, REPLACEFILE_IGNORE_MERGE_ERRORS, NULL, NULL)
                    : MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
    return done ? 0 : EACCES;
}

int plat__open_write(const char *path, bool exclusive)
{
    return _open(path, _O_WRONLY | _O_CREAT | _O_BINARY | (exclusive ? _O_EXCL : _O_APPEND),
                 _S_IREAD | _S_IWRITE);
}

int plat__open_read(const char *path, const char **kind, unsigned long long *bytes)
{
    *kind = NULL;
    DWORD attr = GetFileAttributesA(path);
    if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY)) {
        *kind = "a directory"; /* _open would only say "Permission denied" */
        return -1;
    }
    int fd = _open(path, _O_RDONLY | _O_BINARY);
    if (fd < 0)
        return -1;
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    LARGE_INTEGER li;
    if (GetFileType(h) != FILE_TYPE_DISK)
        *kind = "a device or pipe";
    else if (!GetFileSizeEx(h, &li))
        *kind = "of unknown size";
    else
        *bytes = (unsigned long long)li.QuadPart;
    return fd;
}

long plat__read(int fd, void *buf, size_t len)
{
    return _read(fd, buf, len > IO_CHUNK ? IO_CHUNK : (unsigned)len);
}

long plat__write(int fd, const void *buf, size_t len)
{
    return _write(fd, buf, len > IO_CHUNK ? IO_CHUNK : (unsigned)len);
}

int plat__sync(int fd)
{
    return _commit(fd);
}

int plat__close(int fd)
{
    return _close(fd);
}

bool plat__map(int fd, size_t size, struct plat_view *v)
{
    (void)fd, (void)size, (void)v; /* read instead: a mapped file could not be replaced meanwhile */
    return false;
}

void plat__unmap(struct plat_view *v)
{
    (void)v;
}

int plat__mkdir(const char *dir)
{
    return _mkdir(dir);
}

enum l2f_status plat__each_subdir(const char *dir, bool (*add)(void *ctx, const char *name),
                                  void *ctx, struct l2f_err *err)
{
    char pattern[PLAT_PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    WIN32_FIND_DATAA fd;
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        l2f_err_set(err, "%s: cannot list the folder", dir);
        return L2F_ERR_IO;
    }
    bool ok = true;
    do {
        if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && strcmp(fd.cFileName, ".") != 0 &&
            strcmp(fd.cFileName, "..") != 0)
            ok = add(ctx, fd.cFileName);
    } while (ok && FindNextFileA(h, &fd));
    FindClose(h);
    return ok ? L2F_OK : L2F_ERR_NOMEM;
}

bool plat_is_dir(const char *path)
{
    DWORD attr = GetFileAttributesA(path);
    return attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY);
}

enum l2f_status plat_default_state_dir(char *buf, size_t len, struct l2f_err *err)
{
    const char *base = getenv("LOCALAPPDATA");
    if (!base || !*base) {
        l2f_err_set(err, "LOCALAPPDATA is not set; give --state-dir DIR");
        return L2F_ERR_NOT_FOUND;
    }
    int n = snprintf(buf, len, "%s\\l2tpfix", base);
    if (n < 0 || (size_t)n >= len) {
        l2f_err_set(err, "state directory path too long");
        return L2F_ERR_IO;
    }
    return L2F_OK;
}

enum l2f_status plat_absolute_path(const char *path, char *buf, size_t len, struct l2f_err *err)
{
    DWORD n = GetFullPathNameA(path, (DWORD)len, buf, NULL);
    if (n == 0 || n >= len) {
        l2f_err_set(err, "%s: cannot resolve the path", path);
        return L2F_ERR_IO;
    }
    return L2F_OK;
}

/* milliseconds: a fix and the test connection after it often share a second */
void plat_time_iso(char buf[32])
{
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth, st.wDay, st.wHour,
             st.wMinute, st.wSecond, st.wMilliseconds);
}

void plat_time_iso_at(long long secs, char buf[32])
{
    /* FILETIME counts 100 ns from 1601; 11644473600 s lie between 1601 and 1970 */
    unsigned long long ticks =
        ((unsigned long long)(secs < 0 ? 0 : secs) + 11644473600ULL) * 10000000ULL;
    FILETIME ft = {(DWORD)ticks, (DWORD)(ticks >> 32)};
    SYSTEMTIME st;
    if (!FileTimeToSystemTime(&ft, &st)) {
        snprintf(buf, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02u.000Z", st.wYear, st.wMonth, st.wDay, st.wHour,
             st.wMinute, st.wSecond);
}

uint64_t plat_wall_ms(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime; /* 100 ns since 1601 */
    return (t - 116444736000000000ULL) / 10000u;
}

uint64_t plat_monotonic_ms(void)
{
    return (uint64_t)GetTickCount64();
}

void plat_sleep_ms(unsigned ms)
{
    Sleep(ms);
}

bool plat_random(void *buf, size_t len)
{
    return BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}

void plat_wipe(void *p, size_t len)
{
    SecureZeroMemory(p, len);
}

bool plat_stdin_is_tty(void)
{
    return _isatty(_fileno(stdin));
}

bool plat_stdout_is_tty(void)
{
    return _isatty(_fileno(stdout));
}

bool plat_computer_name(char *buf, size_t len)
{
    char name[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = sizeof name;
    if (!len || !GetComputerNameA(name, &n))
        return false;
    snprintf(buf, len, "%s", name);
    return buf[0] != '\0';
}

struct plat_thread {
    HANDLE handle;
};

static DWORD WINAPI thread_main(LPVOID start)
{
    plat__thread_run(start);
    return 0;
}

struct plat_thread *plat__thread_new(struct plat__thread_start *start)
{
    struct plat_thread *t = malloc(sizeof *t);
    if (t && (t->handle = CreateThread(NULL, 0, thread_main, start, 0, NULL)) != NULL)
        return t;
    free(t);
    return NULL;
}

void plat__thread_end(struct plat_thread *t, bool wait)
{
    if (wait)
        WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}
