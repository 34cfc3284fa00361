#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tu_mkdtemp(char *buf, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, len, "%s/l2f-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(buf));
}

void tu_rmtree(const char *dir)
{
    char cmd[4200];
    /* test directories are ours and named by mkdtemp: safe to remove */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

void tu_write_file(const char *dir, const char *name, const char *text, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

void tu_open_demo(struct backend *be, const char *name)
{
    char arg[128];
    struct l2f_err err = {{0}};
    snprintf(arg, sizeof arg, "demo:%s", name);
    be->ops = &backend_mock_ops;
    enum l2f_status st = be->ops->open(be, arg, &err);
    if (st != L2F_OK)
        fail_msg("open %s: %s", name, err.msg);
}

void tu_parse(const char *text, struct scenario *sc)
{
    struct l2f_err err = {{0}};
    if (scenario_parse(text, "test.ini", sc, &err) != L2F_OK)
        fail_msg("parse: %s", err.msg);
}
