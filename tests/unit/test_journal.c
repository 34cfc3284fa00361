/* The journal on disk: what one process writes, the next reads back; a torn
 * last record (a crash mid-append) is set aside before the next append,
 * damage elsewhere (a duplicate id, an id out of range) is reported by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "journalidx.h"
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

/* switch-ikev2's root certificate: thumbprint, CA file and subject survive the file. */
static void root_certificate_change_persists(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    struct journal_entry a = sample("Office VPN");
    struct change *c = &a.changes[0];
    memset(c, 0, sizeof *c);
    a.fix = FIX_SWITCH_IKEV2;
    c->kind = CHG_ROOT_CERT;
    strcpy(c->target, ROOT_STORE_NAME);
    strcpy(c->field, "7A12A136ED4CBA1DA01292C9A2DC05D37924AB15");
    c->after_set = c->needs_admin = true;
    strcpy(c->backup, "/etc/l2f/ca.pem");
    strcpy(c->subject, "CN=l2f CA, O=\"Example\"");
    struct change kept = *c;
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    journal_close(&j);
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    const struct journal_entry *r = journal_find(&j, a.id);
    assert_non_null(r);
    assert_string_equal(change_kind_id(r->changes[0].kind), "root-certificate");
    assert_memory_equal(&r->changes[0], &kept, sizeof kept);
    journal_close(&j);
    tu_rmtree(dir);
}

static void append_text(const char *path, const char *text);

/* An undone record carries its time (issue 15: a test connection before it
 * tested other settings): read back without decoding the entry, and with it;
 * an undone record with a note and one of an older l2tpfix without a time. */
static void undo_time_read_back(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    struct journal_entry a = sample("A"), b = sample("B");
    assert_int_equal(journal_begin(&j, &a, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, a.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
    assert_false(journal_undone_after(&j, 0, "2000-01-01T00:00:00.000Z")); /* applied, not undone */
    assert_int_equal(journal_mark(&j, a.id, ENTRY_UNDONE, NULL, &err), L2F_OK);
    assert_int_equal(journal_begin(&j, &b, &err), L2F_OK);
    assert_int_equal(journal_mark(&j, b.id, ENTRY_UNDONE, "a note", &err), L2F_OK);
    assert_true(journal_find(&j, a.id)->undone_time[0]);
    journal_close(&j);
    append_text(
        path,
        "{\"op\":\"begin\",\"id\":3,\"time\":\"2026-01-01T00:00:00.000Z\",\"machine\":\"m\","
        "\"profile\":\"C\",\"fix\":\"mschapv2\",\"changes\":[]}\n{\"op\":\"undone\",\"id\":3}\n");
    for (int decoded = 0; decoded < 2; decoded++) {
        assert_int_equal(journal_open(&j, path, &err), L2F_OK);
        assert_int_equal(j.count, 3);
        for (size_t i = 0; decoded && i < j.count; i++)
            assert_non_null(journal_at(&j, i)); /* the second pass reads the decoded entries */
        if (decoded)
            assert_string_equal(journal_at(&j, 1)->note, "a note");
        assert_true(journal_undone_after(&j, 0, "2000-01-01T00:00:00.000Z"));
        assert_true(journal_undone_after(&j, 1, "2000-01-01T00:00:00.000Z"));
        assert_false(journal_undone_after(&j, 0, "2999-01-01T00:00:00.000Z"));
        assert_false(
            journal_undone_after(&j, 2, "2000-01-01T00:00:00.000Z")); /* no time: not known */
        if (decoded)
            assert_true(journal_at(&j, 0)->undone_time[0]);
        journal_close(&j);
    }
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
    tu_write_file(dir, "bad.jsonl", "{\"op\":\"begin\"}\n{\"op\":\"applied\",\"id\":1}\n", bad,
                  sizeof bad);
    assert_int_equal(journal_open(&j, bad, &err), L2F_ERR_PARSE);
    assert_non_null(strstr(err.msg, "bad.jsonl:1:"));
    tu_rmtree(dir);
}

/* A begin record of id with one registry change, as the journal writes it. */
static void begin_line(char *buf, size_t len, const char *id)
{
    snprintf(
        buf, len,
        "{\"op\":\"begin\",\"id\":%s,\"time\":\"2026-12-02T00:00:00.000Z\",\"machine\":\"m\","
        "\"profile\":\"P\",\"fix\":\"nat-traversal\",\"changes\":[{\"kind\":\"registry\","
        "\"target\":\"K\","
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
    snprintf(text, sizeof text, "%s{\"op\":\"applied\",\"id\":1}\n{\"op\":\"begin\",\"id\":2,\"ti",
             line);
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
    assert_non_null(strstr(
        err.msg, "huge.jsonl:1: entry id 9223372036854775808 is not a whole number from 1 to"));
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
    snprintf(text, sizeof text,
             "%s%s{\"op\":\"applied\",\"id\":2}\n%s{\"op\":\"applied\",\"id\":1}\n", one, two, two);
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

/* ---- the index (journal.idx): a cache that never changes what the journal says ---- */

/* A journal of n entries in every state, some with notes, and its index,
 * written as a writer under the lock writes it (journal_reload). */
static void indexed_journal(const char *dir, char *path, size_t len, int n)
{
    snprintf(path, len, "%s/journal.jsonl", dir);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    for (int i = 0; i < n; i++) {
        char profile[32], note[32];
        snprintf(profile, sizeof profile, "P%d", i);
        snprintf(note, sizeof note, "note %d", i);
        struct journal_entry e = sample(profile);
        assert_int_equal(journal_begin(&j, &e, &err), L2F_OK);
        if (i % 4 == 1)
            assert_int_equal(journal_mark(&j, e.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
        if (i % 4 == 2)
            assert_int_equal(journal_mark(&j, e.id, ENTRY_ROLLED_BACK, note, &err), L2F_OK);
        if (i % 4 == 3) {
            assert_int_equal(journal_mark(&j, e.id, ENTRY_APPLIED, NULL, &err), L2F_OK);
            assert_int_equal(journal_mark(&j, e.id, ENTRY_UNDO_PENDING, NULL, &err), L2F_OK);
            assert_int_equal(journal_mark(&j, e.id, ENTRY_UNDONE, note, &err), L2F_OK);
        }
    }
    assert_int_equal(journal_reload(&j, &err), L2F_OK);
    assert_int_equal(j.indexed, j.text_len);
    journal_close(&j);
}

static void idx_path(const char *dir, char *out, size_t len)
{
    snprintf(out, len, "%s/journal.idx", dir);
}

/* What a reader gets from the journal at path, as text: every entry decoded. */
static void replayed(const char *path, char *out, size_t len, size_t *indexed)
{
    struct journal j;
    struct l2f_err err = {{0}};
    enum l2f_status st = journal_open(&j, path, &err);
    int n = snprintf(out, len, "%d %s|next %lld torn %d nl %d good %zu|", (int)st, err.msg,
                     (long long)j.next_id, j.torn, j.no_newline, j.good_len);
    for (size_t i = 0; st == L2F_OK && i < j.count && n > 0 && (size_t)n < len; i++) {
        const struct journal_entry *e = journal_at(&j, i);
        n += snprintf(out + n, len - (size_t)n, "%lld %s %s %s;", e ? (long long)e->id : -1LL,
                      e ? entry_state_id(e->state) : "?", e ? e->profile : "?",
                      e ? e->note : j.damage);
    }
    assert_true(n > 0 && (size_t)n < len);
    if (indexed)
        *indexed = j.indexed;
    journal_close(&j);
}

/* The journal as a full scan reads it: with the index moved aside. */
static void replayed_whole(const char *dir, const char *path, char *out, size_t len)
{
    char idx[300], aside[320];
    size_t indexed = 1;
    idx_path(dir, idx, sizeof idx);
    snprintf(aside, sizeof aside, "%s.aside", idx);
    bool had = rename(idx, aside) == 0;
    replayed(path, out, len, &indexed);
    assert_int_equal(indexed, 0);
    if (had)
        assert_int_equal(rename(aside, idx), 0);
}

static void read_bytes(const char *path, unsigned char **data, size_t *len)
{
    struct l2f_err err = {{0}};
    assert_int_equal(plat_read_file_max(path, JOURNAL_MAX_BYTES, (char **)data, len, &err), L2F_OK);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void append_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void index_used_and_the_same_as_a_full_scan(void **state)
{
    (void)state;
    char dir[256], path[300], idx[300], with[8192], whole[8192];
    tu_mkdtemp(dir, sizeof dir);
    indexed_journal(dir, path, sizeof path, 21);
    size_t indexed = 0;
    replayed(path, with, sizeof with, &indexed);
    assert_true(indexed > 0);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(with, whole);
    assert_non_null(strstr(with, ";2 applied P1 ;3 rolled-back P2 note 2;"));
    assert_non_null(strstr(with, "next 22 "));
    /* deleted: the same, read whole; the next writer makes it again */
    idx_path(dir, idx, sizeof idx);
    assert_int_equal(remove(idx), 0);
    replayed(path, with, sizeof with, &indexed);
    assert_int_equal(indexed, 0);
    assert_string_equal(with, whole);
    struct journal j;
    struct l2f_err err = {{0}};
    assert_int_equal(journal_open(&j, path, &err), L2F_OK);
    assert_int_equal(journal_reload(&j, &err), L2F_OK);
    journal_close(&j);
    assert_true(plat_file_exists(idx));
    tu_rmtree(dir);
}

/* Every byte of the index damaged in turn, and the index cut at every
 * length: each time ignored, and the journal reads as it does whole. */
static void damaged_index_ignored(void **state)
{
    (void)state;
    char dir[256], path[300], idx[300], got[8192], whole[8192];
    tu_mkdtemp(dir, sizeof dir);
    indexed_journal(dir, path, sizeof path, 9);
    idx_path(dir, idx, sizeof idx);
    replayed_whole(dir, path, whole, sizeof whole);
    unsigned char *good;
    size_t len, indexed;
    read_bytes(idx, &good, &len);
    assert_int_equal(len, JOURNALIDX_HEADER + 9 * JOURNALIDX_RECORD + 8);
    for (size_t at = 0; at < len; at++) {
        good[at] ^= (unsigned char)(1u << at % 8);
        write_bytes(idx, good, len);
        good[at] ^= (unsigned char)(1u << at % 8);
        replayed(path, got, sizeof got, &indexed);
        assert_int_equal(indexed, 0);
        assert_string_equal(got, whole);
    }
    for (size_t cut = 0; cut < len; cut++) {
        write_bytes(idx, good, cut);
        replayed(path, got, sizeof got, &indexed);
        assert_int_equal(indexed, 0);
        assert_string_equal(got, whole);
    }
    write_bytes(idx, good, len); /* whole again: used */
    replayed(path, got, sizeof got, &indexed);
    assert_true(indexed > 0);
    assert_string_equal(got, whole);
    free(good);
    tu_rmtree(dir);
}

static uint64_t get_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

/* An index whose checksum holds but whose fields do not: each is refused. */
static void hostile_index_fields_refused(void **state)
{
    (void)state;
    char dir[256], path[300], idx[300], got[8192], whole[8192];
    tu_mkdtemp(dir, sizeof dir);
    indexed_journal(dir, path, sizeof path, 5);
    idx_path(dir, idx, sizeof idx);
    replayed_whole(dir, path, whole, sizeof whole);
    unsigned char *good, *bad;
    size_t len, indexed;
    read_bytes(idx, &good, &len);
    bad = malloc(len);
    assert_non_null(bad);
    enum { SET, LESS, MORE };
#define rec JOURNALIDX_HEADER
#define last (rec + 4 * JOURNALIDX_RECORD)
    static const struct {
        size_t at, size;
        int how;
        uint64_t value;
    } edits[] = {
        {8, 4, SET, 2},                        /* version */
        {12, 4, SET, 32},                      /* record size */
        {16, 8, LESS, 1},                      /* covered: not just after a newline */
        {16, 8, SET, 0x7f000000},              /* covered: past the journal */
        {24, 8, SET, 4},                       /* fewer lines than entries */
        {32, 8, SET, 9},                       /* next id: not the newest + 1 */
        {40, 8, SET, 6},                       /* count: not what the size holds */
        {rec, 8, SET, 9},                      /* ids out of order */
        {rec, 8, SET, (uint64_t)1 << 63},      /* an id out of range */
        {rec + 20, 1, SET, ENTRY_STATE_COUNT}, /* a state out of range */
        {rec + 22, 1, SET, 1},                 /* the padding */
        {rec + 2 * 24 + 12, 4, SET, 0},        /* a note before its begin */
        {last + 8, 4, MORE, 1},                /* the newest begin moved off its line */
        {last + 16, 4, SET, 0xffff},           /* a line past the covered ones */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(bad, good, len);
        uint64_t v = get_le(bad + edits[i].at, edits[i].size);
        v = edits[i].how == SET    ? edits[i].value
            : edits[i].how == LESS ? v - edits[i].value
                                   : v + edits[i].value;
        put_le(bad + edits[i].at, v, edits[i].size);
        put_le(bad + len - 8, journalidx_hash(bad, len - 8, 0), 8);
        write_bytes(idx, bad, len);
        replayed(path, got, sizeof got, &indexed);
        if (indexed != 0)
            fail_msg("edit %u (byte %u) was not refused", (unsigned)i, (unsigned)edits[i].at);
        assert_string_equal(got, whole);
    }
#undef rec
#undef last
    /* the index as written: used again */
    write_bytes(idx, good, len);
    replayed(path, got, sizeof got, &indexed);
    assert_true(indexed > 0);
    free(bad);
    free(good);
    tu_rmtree(dir);
}

/* Lines an older l2tpfix appended without updating the index: replayed from
 * where the index ends; a torn one after them left out as a full scan does. */
static void stale_index_replays_the_rest(void **state)
{
    (void)state;
    char dir[256], path[300], line[512], got[8192], whole[8192];
    tu_mkdtemp(dir, sizeof dir);
    indexed_journal(dir, path, sizeof path, 6);
    size_t before = 0, indexed = 0;
    replayed(path, got, sizeof got, &before);
    begin_line(line, sizeof line, "7");
    append_text(path, line);
    append_text(path,
                "{\"op\":\"applied\",\"id\":7}\n{\"op\":\"undone\",\"id\":3,\"note\":\"old\"}\n");
    replayed(path, got, sizeof got, &indexed);
    assert_int_equal(indexed, before);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(got, whole);
    assert_non_null(strstr(got, "3 undone P2 old;"));
    assert_non_null(strstr(got, "7 applied P ;"));
    append_text(path, "{\"op\":\"begin\",\"id\":8,\"ti"); /* torn */
    replayed(path, got, sizeof got, &indexed);
    assert_int_equal(indexed, before);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(got, whole);
    assert_non_null(strstr(got, "torn 1"));
    /* appended to, the torn line is damage: named by its line, counted on from the index */
    append_text(path, "\n");
    append_text(path, line);
    replayed(path, got, sizeof got, &indexed);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(got, whole);
    assert_non_null(strstr(got, "journal.jsonl:16: damaged journal record"));
    tu_rmtree(dir);
}

/* The journal replaced under its index: shorter, the same length with other
 * bytes at either end, or another journal's index: each read whole. */
static void replaced_journal_not_matched(void **state)
{
    (void)state;
    char dir[256], other[256], path[300], opath[300], idx[300], oidx[300];
    char got[8192], whole[8192];
    tu_mkdtemp(dir, sizeof dir);
    tu_mkdtemp(other, sizeof other);
    indexed_journal(dir, path, sizeof path, 12);
    indexed_journal(other, opath, sizeof opath, 12);
    idx_path(dir, idx, sizeof idx);
    idx_path(other, oidx, sizeof oidx);
    unsigned char *text, *itext;
    size_t len, ilen, indexed;
    read_bytes(path, &text, &len);
    read_bytes(idx, &itext, &ilen);
    /* shorter: its first entries only */
    const char *cut = strstr((char *)text, "{\"op\":\"begin\",\"id\":5,");
    assert_non_null(cut);
    write_bytes(path, text, (size_t)(cut - (char *)text));
    replayed(path, got, sizeof got, &indexed);
    assert_int_equal(indexed, 0);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(got, whole);
    /* the same length, a profile renamed in the first and in the newest entry */
    static const char *const renames[] = {"\"P0\"", "\"P11\""};
    for (size_t i = 0; i < 2; i++) {
        write_bytes(idx, itext, ilen);
        char *copy = malloc(len + 1);
        assert_non_null(copy);
        memcpy(copy, text, len + 1);
        char *p = strstr(copy, renames[i]);
        assert_non_null(p);
        p[1] = 'Q';
        write_bytes(path, copy, len);
        free(copy);
        replayed(path, got, sizeof got, &indexed);
        assert_int_equal(indexed, 0);
        replayed_whole(dir, path, whole, sizeof whole);
        assert_string_equal(got, whole);
        assert_non_null(strstr(got, i ? " Q11 " : " Q0 "));
    }
    /* another state folder's index: same entries, other times */
    write_bytes(path, text, len);
    unsigned char *foreign;
    size_t flen;
    read_bytes(oidx, &foreign, &flen);
    write_bytes(idx, foreign, flen);
    replayed(path, got, sizeof got, &indexed);
    replayed_whole(dir, path, whole, sizeof whole);
    assert_string_equal(got, whole);
    if (flen != ilen || memcmp(foreign, itext, ilen) != 0) /* unless both were written alike */
        assert_int_equal(indexed, 0);
    free(foreign);
    free(itext);
    free(text);
    tu_rmtree(other);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(persists_across_processes),
        cmocka_unit_test(root_certificate_change_persists),
        cmocka_unit_test(undo_time_read_back),
        cmocka_unit_test(torn_tail_ignored_damage_reported),
        cmocka_unit_test(torn_tail_set_aside_then_append),
        cmocka_unit_test(ids_near_the_limit),
        cmocka_unit_test(duplicate_ids_name_the_line),
        cmocka_unit_test(damage_found_when_read_names_the_line),
        cmocka_unit_test(memory_journal_writes_nothing),
        cmocka_unit_test(unwritable_journal_is_a_clear_error),
        cmocka_unit_test(index_used_and_the_same_as_a_full_scan),
        cmocka_unit_test(damaged_index_ignored),
        cmocka_unit_test(hostile_index_fields_refused),
        cmocka_unit_test(stale_index_replays_the_rest),
        cmocka_unit_test(replaced_journal_not_matched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
