/* File writes that never leave half a file, never follow a planted link. */
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
        cmocka_unit_test(wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
