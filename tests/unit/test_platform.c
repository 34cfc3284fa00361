/* File writes that never leave half a file, never follow a planted link,
 * keep the file's mode and owner; reads that never block or grow unbounded. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "testutil.h"

static void atomic_write_replaces_whole(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f", dir);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_write_atomic(path, "first", 5, &err), L2F_OK);
    assert_int_equal(plat_write_atomic(path, "second", 6, &err), L2F_OK);
    char *data;
    size_t len;
    assert_int_equal(plat_read_file(path, &data, &len, &err), L2F_OK);
    assert_int_equal(len, 6);
    assert_string_equal(data, "second");
    free(data);
    /* no temporary file is left behind */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    tu_rmtree(dir);
}

static void symlinks_refused(void **state)
{
    (void)state;
    char dir[256], path[300], target[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/journal", dir);
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    assert_int_equal(symlink(target, path), 0);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_write_atomic(path, "x", 1, &err), L2F_ERR_IO);
    assert_int_equal(plat_append_sync(path, "x", 1, &err), L2F_ERR_IO);
    assert_false(plat_file_exists(target));
    tu_rmtree(dir);
}

static void append_and_read(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log", dir);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_append_sync(path, "a\n", 2, &err), L2F_OK);
    assert_int_equal(plat_append_sync(path, "b\n", 2, &err), L2F_OK);
    char *data;
    assert_int_equal(plat_read_file(path, &data, NULL, &err), L2F_OK);
    assert_string_equal(data, "a\nb\n");
    free(data);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* the journal is the user's alone */
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(plat_read_file(path, &data, NULL, &err), L2F_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "missing"));
    tu_rmtree(dir);
}

static void mkdir_p_and_state_dir(void **state)
{
    (void)state;
    char dir[256], deep[400], buf[512];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_mkdir_p(deep, &err), L2F_OK);
    assert_int_equal(plat_mkdir_p(deep, &err), L2F_OK); /* again: fine */
    setenv("XDG_STATE_HOME", dir, 1);
    assert_int_equal(plat_default_state_dir(buf, sizeof buf, &err), L2F_OK);
    snprintf(deep, sizeof deep, "%s/l2tpfix", dir);
    assert_string_equal(buf, deep);
    setenv("XDG_STATE_HOME", "relative/path", 1); /* the spec wants absolute: ignored */
    setenv("HOME", "/home/someone", 1);
    assert_int_equal(plat_default_state_dir(buf, sizeof buf, &err), L2F_OK);
    assert_string_equal(buf, "/home/someone/.local/state/l2tpfix");
    tu_rmtree(dir);
}

/* Reads path expecting refusal with st; fails the test if it took a second. */
static void expect_read_refused(const char *path, enum l2f_status want, const char *why)
{
    char *data = NULL;
    struct l2f_err err = {{0}};
    uint64_t t0 = plat_monotonic_ms();
    assert_int_equal(plat_read_file(path, &data, NULL, &err), want);
    assert_true(plat_monotonic_ms() - t0 < 1000);
    assert_null(data);
    if (!strstr(err.msg, path) || !strstr(err.msg, why))
        fail_msg("got '%s', want '%s' and '%s'", err.msg, path, why);
    /* the journal's view checks the file as the reader does */
    struct plat_view v;
    struct l2f_err verr = {{0}};
    assert_int_equal(plat_view_open(path, PLAT_READ_MAX, &v, &verr), want);
    assert_null(v.data);
    if (!strstr(verr.msg, why))
        fail_msg("view: got '%s', want '%s'", verr.msg, why);
}

static void view_gives_the_bytes_and_its_own_limit(void **state)
{
    (void)state;
    char dir[512], path[600];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/j", dir);
    struct l2f_err err = {{0}};
    static const char text[] = "{\"op\":\"begin\",\"id\":1}\n{\"op\":\"applied\",\"id\":1}\n";
    assert_int_equal(plat_write_atomic(path, text, sizeof text - 1, &err), L2F_OK);
    struct plat_view v;
    assert_int_equal(plat_view_open(path, 4096, &v, &err), L2F_OK);
    assert_int_equal(v.len, sizeof text - 1);
    assert_memory_equal(v.data, text, sizeof text - 1);
    plat_view_close(&v);
    assert_null(v.data);
    assert_int_equal(plat_view_open(path, 16, &v, &err), L2F_ERR_PARSE); /* the caller's limit */
    assert_non_null(strstr(err.msg, "larger than"));
    assert_int_equal(plat_write_atomic(path, "", 0, &err), L2F_OK);
    assert_int_equal(plat_view_open(path, 4096, &v, &err), L2F_OK); /* empty: nothing to map */
    assert_int_equal(v.len, 0);
    plat_view_close(&v);
    remove(path);
    remove(dir);
}

static void read_refuses_what_is_not_a_small_regular_file(void **state)
{
    (void)state;
    char dir[256], path[300], link[300];
    tu_mkdtemp(dir, sizeof dir);
    alarm(10); /* a FIFO read the old way never returns: fail, do not hang */
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    expect_read_refused(path, L2F_ERR_USAGE, "not a regular file (a FIFO)");
    expect_read_refused(dir, L2F_ERR_USAGE, "not a regular file (a directory)");
    expect_read_refused("/dev/zero", L2F_ERR_USAGE, "not a regular file (a device)");
    snprintf(link, sizeof link, "%s/zero-link", dir);
    assert_int_equal(symlink("/dev/zero", link), 0);
    expect_read_refused(link, L2F_ERR_USAGE, "not a regular file (a device)");
    /* one byte over the limit (sparse: costs no disk) is refused unread */
    snprintf(path, sizeof path, "%s/huge", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, PLAT_READ_MAX + 1), 0);
    expect_read_refused(path, L2F_ERR_PARSE, "larger than the 16 MiB limit");
    /* exactly the limit is read whole */
    assert_int_equal(ftruncate(fd, PLAT_READ_MAX), 0);
    close(fd);
    char *data;
    size_t len;
    struct l2f_err err = {{0}};
    assert_int_equal(plat_read_file(path, &data, &len, &err), L2F_OK);
    assert_int_equal(len, PLAT_READ_MAX);
    free(data);
    /* a file whose size says 0 (procfs) is still read to its end */
    assert_int_equal(plat_read_file("/proc/self/status", &data, &len, &err), L2F_OK);
    assert_non_null(strstr(data, "Name:"));
    assert_int_equal(strlen(data), len);
    free(data);
    alarm(0);
    tu_rmtree(dir);
}

static void atomic_write_keeps_mode_and_owner(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rasphone.pbk", dir);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_write_atomic(path, "first", 5, &err), L2F_OK);
    assert_int_equal(chmod(path, 0644), 0);
    bool root = geteuid() == 0;
    if (root) /* root fixing a user's phonebook must leave it the user's */
        assert_int_equal(chown(path, 1234, 1235), 0);
    assert_int_equal(plat_write_atomic(path, "second", 6, &err), L2F_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    if (root) {
        assert_int_equal(st.st_uid, 1234);
        assert_int_equal(st.st_gid, 1235);
    }
    tu_rmtree(dir);
}

static void atomic_write_refuses_read_only_and_special_files(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/locked.pbk", dir);
    struct l2f_err err = {{0}};
    assert_int_equal(plat_write_atomic(path, "keep", 4, &err), L2F_OK);
    /* no write bit for anyone: refused, for root too */
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(plat_write_atomic(path, "lost", 4, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "read-only (mode 0444); not changed"));
    char *data;
    assert_int_equal(plat_read_file(path, &data, NULL, &err), L2F_OK);
    assert_string_equal(data, "keep");
    free(data);
    /* a FIFO where the file goes is not replaced */
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(plat_write_atomic(path, "x", 1, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "not a regular file"));
    /* what could not be read back is not written */
    snprintf(path, sizeof path, "%s/big", dir);
    char *big = calloc(1, (size_t)PLAT_READ_MAX + 1);
    assert_non_null(big);
    assert_int_equal(plat_write_atomic(path, big, (size_t)PLAT_READ_MAX + 1, &err), L2F_ERR_IO);
    assert_false(plat_file_exists(path));
    free(big);
    char cmd[400]; /* and no temporary file is left behind */
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
    assert_int_equal(system(cmd), 0);
    tu_rmtree(dir);
}

/* known answers worked out apart (Python's datetime): a leap day, a year's last second */
static void time_iso_at_uses_the_calendar(void **state)
{
    (void)state;
    static const struct {
        long long secs;
        const char *want;
    } cases[] = {{0, "1970-01-01T00:00:00.000Z"},
                 {951782400, "2000-02-29T00:00:00.000Z"},
                 {1796428799, "2026-12-04T23:59:59.000Z"},
                 {4102444799LL, "2099-12-31T23:59:59.000Z"},
                 {-5, "1970-01-01T00:00:00.000Z"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char iso[32];
        plat_time_iso_at(cases[i].secs, iso);
        assert_string_equal(iso, cases[i].want);
    }
}

static void wipe(void **state)
{
    (void)state;
    char secret[16] = "hunter2";
    plat_wipe(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++)
        assert_int_equal(secret[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atomic_write_replaces_whole),
        cmocka_unit_test(symlinks_refused),
        cmocka_unit_test(append_and_read),
        cmocka_unit_test(mkdir_p_and_state_dir),
        cmocka_unit_test(read_refuses_what_is_not_a_small_regular_file),
        cmocka_unit_test(view_gives_the_bytes_and_its_own_limit),
        cmocka_unit_test(atomic_write_keeps_mode_and_owner),
        cmocka_unit_test(atomic_write_refuses_read_only_and_special_files),
        cmocka_unit_test(wipe),
        cmocka_unit_test(time_iso_at_uses_the_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
