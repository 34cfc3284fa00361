/* The journal on disk: what one process writes, the next reads back; a torn
 * last record (a crash mid-append) is ignored, damage elsewhere is reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "platform.h"
#include "testutil.h"

static struct journal_entry sample(const char *profile)
{
    struct journal_entry e;
    memset(&e, 0, sizeof e);
    strcpy(e.machine, "mock:/tmp/x.ini");
    snprintf(e.profile, sizeof e.profile, "%s", profile);
    e.fix = FIX_NAT_TRAVERSAL;
    e.n_changes = 1;
    struct change *c = &e.changes[0];
    c->kind = CHG_REGISTRY_DWORD;
    strcpy(c->target, "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent");
    strcpy(c->field, "AssumeUDPEncapsulationContextOnSendRule");
    c->before_set = false;
    c->after_set = true;
    c->after = 2;
    c->needs_admin = c->needs_reboot = true;
    strcpy(c->backup, "/tmp/1-x.reg");
    return e;
}

static void persists_across_processes(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(j.count, 0);
    struct journal_entry a = sample("Caf\xc3\xa9 \"VPN\"\n"), b = sample("Other");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, a.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    assert_int_equal(journal_begin(&j, &b, &err), L2F_OK); /* left pending: a crash */
    journal_close(&j);

    struct journal k;
    assert_int_equal(journal_open(&k, path, &err), L2F_OK);
    assert_int_equal(k.count, 2);
    const struct journal_entry *ra = journal_find(&k, a.id);
    assert_non_null(ra);
    assert_int_equal(ra->state, ENTRY_APPLIED);
    assert_string_equal(ra->profile, "Caf\xc3\xa9 \"VPN\"\n");
    assert_int_equal(ra->fix, FIX_NAT_TRAVERSAL);
    assert_int_equal(ra->n_changes, 1);
    assert_memory_equal(&ra->changes[0], &a.changes[0], sizeof a.changes[0]);
    assert_int_equal(journal_find(&k, b.id)->state, ENTRY_PENDING);
    /* ids keep growing across processes */
    struct journal_entry c = sample("Third");
    assert_int_equal(journal_begin(&k, &c, &err), L2F_OK);
    assert_true(c.id > b.id);
    assert_int_equal(journal_mark(&k, c.id, ENTRY_ROLLED_BACK, "injected", &err), L2F_OK);
    journal_close(&k);
    assert_int_equal(journal_open(&k, path, &err), L2F_OK);
    assert_int_equal(journal_find(&k, c.id)->state, ENTRY_ROLLED_BACK);
    assert_string_equal(journal_find(&k, c.id)->note, "injected");
    journal_close(&k);
    tu_rmtree(dir);
}

static void torn_tail_ignored_damage_reported(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    struct journal j;
    struct l2f_err err = {{0}};
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    struct journal_entry a = sample("A");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    journal_close(&j);
    FILE *f = fopen(path, "ab");
    fputs("{\"op\":\"applied\",\"id\":", f); /* cut off mid-write */
    fclose(f);
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(j.count, 1);
    assert_int_equal(j.entries[0].state, ENTRY_PENDING);
    journal_close(&j);

    char bad[300];
    tu_write_file(dir, "bad.jsonl", "{\"op\":\"begin\"}\n{\"op\":\"applied\",\"id\":1}\n", bad, sizeof bad);
    assert_int_equal(journal_open(&j, bad, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "bad.jsonl:1:"));
    tu_rmtree(dir);
}

static void memory_journal_writes_nothing(void **state)
{
    (void)state;
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, NULL, &err), L2F_OK);
    struct journal_entry a = sample("A");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, a.id, ENTRY_UNDONE, NULL, &err), L2F_OK);
    assert_int_equal(j.entries[0].state, ENTRY_UNDONE);
    assert_int_equal(journal_mark(&j, 99, ENTRY_UNDONE, NULL, &err), L2F_ERR_NOT_FOUND);
    journal_close(&j);
}

static void unwritable_journal_is_a_clear_error(void **state)
{
    (void)state;
    struct journal j;
    struct l2f_err err = {{0}};
    char dir[256], path[320];
    tu_mkdtemp(dir, sizeof dir);
    /* the journal path is a directory: every append fails */
    snprintf(path, sizeof path, "%s", dir);
    assert_int_equal(journal_open(&j, "/nonexistent-dir/journal.jsonl", &err), L2F_OK);
    struct journal_entry a = sample("A");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/journal.jsonl"));
    assert_int_equal(j.count, 0);
    journal_close(&j);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(persists_across_processes),
        cmocka_unit_test(torn_tail_ignored_damage_reported),
        cmocka_unit_test(memory_journal_writes_nothing),
        cmocka_unit_test(unwritable_journal_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
