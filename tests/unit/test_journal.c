/* The journal on disk: what one process writes, the next reads back; a torn
 * last record (a crash mid-append) is set aside before the next append,
 * damage elsewhere (a duplicate id, an id out of range) is reported by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "platform.h"
#include "testutil.h"

static struct journal_entry sample(const char *profile)
{
    static struct change change; /* every sample's one change: the same */
    struct journal_entry e;
    memset(&e, 0, sizeof e);
    memset(&change, 0, sizeof change);
    e.changes = &change;
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
    assert_int_equal(journal_at(&j, 0)->state, ENTRY_PENDING);
    journal_close(&j);

    char bad[300];
    tu_write_file(dir, "bad.jsonl", "{\"op\":\"begin\"}\n{\"op\":\"applied\",\"id\":1}\n", bad, sizeof bad);
    assert_int_equal(journal_open(&j, bad, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "bad.jsonl:1:"));
    tu_rmtree(dir);
}

/* A begin record of id with one registry change, as the journal writes it. */
static void begin_line(char *buf, size_t len, const char *id)
{
    snprintf(buf, len,
             "{\"op\":\"begin\",\"id\":%s,\"time\":\"2026-12-02T00:00:00.000Z\",\"machine\":\"m\","
             "\"profile\":\"P\",\"fix\":\"nat-traversal\",\"changes\":[{\"kind\":\"registry\",\"target\":\"K\","
             "\"field\":\"V\",\"before_set\":false,\"before\":0,\"after_set\":true,\"after\":2}]}\n",
             id);
}

static void torn_tail_set_aside_then_append(void **state)
{
    (void)state;
    char dir[256], path[300], line[512], text[1200];
    tu_mkdtemp(dir, sizeof dir);
    begin_line(line, sizeof line, "1");
    /* a power cut mid-append: half a record, no newline */
    snprintf(text, sizeof text, "%s{\"op\":\"applied\",\"id\":1}\n{\"op\":\"begin\",\"id\":2,\"ti", line);
    tu_write_file(dir, "journal.jsonl", text, path, sizeof path);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(j.count, 1);
    assert_true(j.torn);
    struct journal_entry a = sample("After");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    assert_int_equal(a.id, 2);
    assert_int_equal(journal_mark(&j, a.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    /* the torn part is kept beside the journal, and said once */
    assert_non_null(strstr(j.torn_aside, "journal.jsonl.torn-"));
    char *kept;
    assert_int_equal(plat_read_file(j.torn_aside, &kept, NULL, &err), L2F_OK);
    assert_string_equal(kept, "{\"op\":\"begin\",\"id\":2,\"ti");
    free(kept);
    journal_close(&j);
    /* the next process reads every line, the new entry included */
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_false(j.torn);
    assert_int_equal(j.count, 2);
    assert_int_equal(journal_find(&j, 1)->state, ENTRY_APPLIED);
    assert_string_equal(journal_find(&j, 2)->profile, "After");
    assert_int_equal(journal_find(&j, 2)->state, ENTRY_APPLIED);
    journal_close(&j);
    tu_rmtree(dir);
}

static void ids_near_the_limit(void **state)
{
    (void)state;
    char dir[256], path[300], line[512], id[32];
    tu_mkdtemp(dir, sizeof dir);
    struct journal j;
    struct l2f_err err = {{0}};
    /* INT64_MAX - 1: beyond what a JSON number holds exactly: refused, named */
    begin_line(line, sizeof line, "9223372036854775806");
    tu_write_file(dir, "huge.jsonl", line, path, sizeof path);
    assert_int_equal(journal_open(&j, path, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "huge.jsonl:1: entry id 9223372036854775808 is not a whole number from 1 to"));
    /* the last id there is: the next append is refused, nothing overflows */
    snprintf(id, sizeof id, "%lld", (long long)JOURNAL_ID_MAX);
    begin_line(line, sizeof line, id);
    tu_write_file(dir, "full.jsonl", line, path, sizeof path);
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(journal_at(&j, 0)->id, JOURNAL_ID_MAX);
    struct journal_entry a = sample("A");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_ERR_IO);
    assert_non_null(strstr(err.msg, "entry ids are used up"));
    assert_int_equal(j.count, 1);
    journal_close(&j);
    /* one below the limit still takes one more */
    snprintf(id, sizeof id, "%lld", (long long)JOURNAL_ID_MAX - 1);
    begin_line(line, sizeof line, id);
    tu_write_file(dir, "last.jsonl", line, path, sizeof path);
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    assert_int_equal(a.id, JOURNAL_ID_MAX);
    journal_close(&j);
    tu_rmtree(dir);
}

static void duplicate_ids_name_the_line(void **state)
{
    (void)state;
    char dir[256], path[300], one[512], two[512], text[1600];
    tu_mkdtemp(dir, sizeof dir);
    begin_line(one, sizeof one, "1");
    begin_line(two, sizeof two, "2");
    /* what two writers without a lock left: id 2 twice */
    snprintf(text, sizeof text, "%s%s{\"op\":\"applied\",\"id\":2}\n%s{\"op\":\"applied\",\"id\":1}\n", one, two, two);
    tu_write_file(dir, "journal.jsonl", text, path, sizeof path);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "journal.jsonl:4: entry id 2 appears twice"));
    assert_int_equal(j.count, 0);
    tu_rmtree(dir);
}

static void damage_found_when_read_names_the_line(void **state)
{
    (void)state;
    char dir[256], path[300], one[512], two[512], text[1600];
    tu_mkdtemp(dir, sizeof dir);
    begin_line(one, sizeof one, "1");
    begin_line(two, sizeof two, "2");
    char *cut = strstr(one, "\"changes\"");
    strcpy(cut, "\"changes\":5}\n"); /* whole JSON, but not an entry */
    snprintf(text, sizeof text, "%s{\"op\":\"applied\",\"id\":1}\n%s", one, two);
    tu_write_file(dir, "journal.jsonl", text, path, sizeof path);
    struct journal j;
    struct l2f_err err = {{0}};
    /* the lines are read as far as their ids; the entry when asked for */
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(j.count, 2);
    assert_int_equal(journal_state_at(&j, 0), ENTRY_APPLIED);
    assert_non_null(journal_at(&j, 1));
    assert_string_equal(j.damage, "");
    assert_null(journal_at(&j, 0));
    assert_non_null(strstr(j.damage, "journal.jsonl:1: damaged journal record"));
    journal_close(&j);
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
    assert_int_equal(journal_at(&j, 0)->state, ENTRY_UNDONE);
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
        cmocka_unit_test(torn_tail_set_aside_then_append),
        cmocka_unit_test(ids_near_the_limit),
        cmocka_unit_test(duplicate_ids_name_the_line),
        cmocka_unit_test(damage_found_when_read_names_the_line),
        cmocka_unit_test(memory_journal_writes_nothing),
        cmocka_unit_test(unwritable_journal_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
