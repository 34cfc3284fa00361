/* The state lock on Windows: the machine-wide mutex Global\l2tpfix-machine
 * (two users' state directories, one machine) and LockFileEx on
 * state_dir\l2tpfix.lock, both polled (see statelock.c). */
#include "statelock.h"

#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/winutil.h"

/* Locked far past the holder's text: a Windows lock keeps others from
 * reading the bytes it covers. */
#define LOCK_OFFSET_HIGH 0x7fffffffUL

struct statelock {
    HANDLE file;
    HANDLE mutex; /* NULL until owned */
    bool file_locked;
};

struct statelock *statelock__open(const char *path, struct l2f_err *err)
{
    wchar_t wpath[MAX_PATH * 8];
    if (!win_to_wide(path, wpath, sizeof wpath / sizeof wpath[0])) {
        l2f_err_set(err, "%s: not a valid path", path);
        return NULL;
    }
    struct statelock *lock = calloc(1, sizeof *lock);
    if (!lock) {
        l2f_err_set(err, "out of memory");
        return NULL;
    }
    lock->file = CreateFileW(wpath, GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                             OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (lock->file == INVALID_HANDLE_VALUE) {
        win_status(GetLastError(), path, err);
        free(lock);
        return NULL;
    }
    return lock;
}

/* The machine's mutex: WAIT_ABANDONED means its holder died, so it is ours. */
static int take_mutex(struct statelock *lock, struct l2f_err *err)
{
    if (lock->mutex)
        return 1;
    HANDLE m = CreateMutexW(NULL, FALSE, L"Global\\l2tpfix-machine");
    if (!m) {
        DWORD code = GetLastError();
        if (code == ERROR_ACCESS_DENIED)
            return 0; /* another user's l2tpfix created it and holds it */
        win_status(code, "Global\\l2tpfix-machine", err);
        return -1;
    }
    DWORD w = WaitForSingleObject(m, 0);
    if (w == WAIT_OBJECT_0 || w == WAIT_ABANDONED) {
        lock->mutex = m;
        return 1;
    }
    CloseHandle(m);
    return 0;
}

int statelock__try(struct statelock *lock, struct l2f_err *err)
{
    int got = take_mutex(lock, err);
    if (got <= 0)
        return got;
    OVERLAPPED at = {0};
    at.OffsetHigh = LOCK_OFFSET_HIGH;
    if (LockFileEx(lock->file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at)) {
        lock->file_locked = true;
        return 1;
    }
    DWORD code = GetLastError();
    if (code == ERROR_LOCK_VIOLATION || code == ERROR_IO_PENDING)
        return 0; /* the mutex stays ours while we wait for the file */
    win_status(code, "the state lock", err);
    return -1;
}

void statelock__write_holder(struct statelock *lock, const char *text)
{
    DWORD written;
    SetFilePointer(lock->file, 0, NULL, FILE_BEGIN);
    if (WriteFile(lock->file, text, (DWORD)strlen(text), &written, NULL))
        SetEndOfFile(lock->file);
}

void statelock__read_holder(struct statelock *lock, char *buf, size_t len)
{
    DWORD n = 0;
    SetFilePointer(lock->file, 0, NULL, FILE_BEGIN);
    if (!ReadFile(lock->file, buf, (DWORD)(len - 1), &n, NULL))
        n = 0;
    buf[n] = '\0';
}

void statelock__close(struct statelock *lock, bool held)
{
    if (held) {
        SetFilePointer(lock->file, 0, NULL, FILE_BEGIN);
        SetEndOfFile(lock->file);
    }
    if (lock->file_locked) {
        OVERLAPPED at = {0};
        at.OffsetHigh = LOCK_OFFSET_HIGH;
        UnlockFileEx(lock->file, 0, 1, 0, &at);
    }
    CloseHandle(lock->file);
    if (lock->mutex) {
        ReleaseMutex(lock->mutex);
        CloseHandle(lock->mutex);
    }
    free(lock);
}

long statelock__pid(void)
{
    return (long)GetCurrentProcessId();
}
