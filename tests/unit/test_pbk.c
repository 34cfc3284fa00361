/* The phonebook editor keeps every byte it does not change: the samples in
 * tests/pbk (written from windows-l2tp.md's key descriptions: CRLF and LF,
 * a BOM, comments, repeated keys, device sub-blocks, odd spacing, no final
 * line ending; and from MS-RRASM 2.2.2: sub-blocks, values over several
 * lines) survive a no-op edit unchanged, a real edit changes only the value
 * it names, and a new key lands in the entry's main block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"
#include "testutil.h"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", L2F_PBK_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(65536);
    assert_non_null(buf);
    *len = fread(buf, 1, 65536, f);
    fclose(f);
    return buf;
}

static const char *const samples[] = {"user-l2tp.pbk",       "allusers-mixed.pbk",
                                      "lf-no-final-eol.pbk", "sparse-keys.pbk",
                                      "win11-vpn-kinds.pbk", "broadband-dialup.pbk"};

/* Setting every key of every entry to the value it has gives the file back. */
static void no_op_edits_are_byte_identical(void **state)
{
    (void)state;
    size_t edits = 0;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        size_t len;
        char *data = slurp(samples[s], &len);
        struct pbk p;
        struct l2f_err err;
        assert_int_equal(pbk_parse(data, len, samples[s], &p, &err), L2F_OK);
        assert_true(p.nsections >= 1);
        for (size_t sec = 0; sec < p.nsections; sec++)
            for (size_t i = p.sections[sec].first_line; i < p.sections[sec].end_line; i++) {
                const struct pbk_line *l = &p.lines[i];
                if (!l->is_key || l->in_sub)
                    continue;
                char key[128], value[1024], now[1024];
                snprintf(key, sizeof key, "%.*s", (int)l->key_len, data + l->key);
                assert_true(pbk_get(&p, (int)sec, key, false, now, sizeof now));
                snprintf(value, sizeof value, "%s", now);
                char *out;
                size_t out_len;
                assert_int_equal(pbk_set(&p, (int)sec, key, value, &out, &out_len, &err), L2F_OK);
                assert_int_equal(out_len, len);
                assert_memory_equal(out, data, len);
                free(out);
                edits++;
            }
        pbk_free(&p);
        free(data);
    }
    assert_true(edits > 80); /* every own key of every entry, not a handful */
}

/* The bytes before and after the changed value are the original's. */
static void assert_only_changed(const char *a, size_t alen, const char *b, size_t blen,
                                const char *old_v, const char *new_v)
{
    size_t pre = 0;
    while (pre < alen && pre < blen && a[pre] == b[pre])
        pre++;
    size_t post = 0;
    while (post < alen - pre && post < blen - pre && a[alen - 1 - post] == b[blen - 1 - post])
        post++;
    /* what differs is at most the old value replaced by the new one */
    assert_true(alen - pre - post <= strlen(old_v));
    assert_true(blen - pre - post <= strlen(new_v));
    assert_int_equal((long)blen - (long)alen, (long)strlen(new_v) - (long)strlen(old_v));
}

static void edits_change_one_value(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("user-l2tp.pbk", &len);
    struct pbk p;
    struct l2f_err err;
    assert_int_equal(pbk_parse(data, len, "user-l2tp.pbk", &p, &err), L2F_OK);
    assert_string_equal(p.eol, "\r\n");
    assert_int_equal(p.bom, 0);
    int e = pbk_find(&p, "Office VPN");
    assert_int_equal(e, 0);
    char v[128];
    assert_true(pbk_get(&p, e, "AuthRestrictions", false, v, sizeof v));
    assert_string_equal(v, "128");
    /* the server is in the device block, not among the entry's own keys */
    assert_false(pbk_get(&p, e, "PhoneNumber", false, v, sizeof v));
    assert_true(pbk_get(&p, e, "PhoneNumber", true, v, sizeof v));
    assert_string_equal(v, "vpn.example.com");
    char *out;
    size_t out_len;
    assert_int_equal(pbk_set(&p, e, "AuthRestrictions", "544", &out, &out_len, &err), L2F_OK);
    assert_only_changed(data, len, out, out_len, "128", "544");
    assert_non_null(strstr(out, "\r\nAuthRestrictions=544\r\n"));
    free(out);
    assert_int_equal(pbk_set(&p, e, "LcpExtensions", "1", &out, &out_len, &err), L2F_OK);
    assert_only_changed(data, len, out, out_len, "0", "1");
    free(out);
    /* a value with a line break would inject a key: refused */
    assert_int_equal(
        pbk_set(&p, e, "AuthRestrictions", "544\r\nPhoneNumber=evil", &out, &out_len, &err),
        L2F_ERR_USAGE);
    assert_null(out);
    assert_int_equal(pbk_find(&p, "office vpn"), -1); /* names compare exactly */
    pbk_free(&p);
    free(data);
}

static void mixed_file(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("allusers-mixed.pbk", &len);
    struct pbk p;
    struct l2f_err err;
    assert_int_equal(pbk_parse(data, len, "allusers-mixed.pbk", &p, &err), L2F_OK);
    assert_int_equal(p.bom, 3);
    assert_int_equal(p.nsections, 4);
    char name[64], v[128];
    pbk_entry_name(&p, 2, name, sizeof name);
    assert_string_equal(name, "H\xc3\xa9lo\xc3\xafse's L2TP");
    int e = pbk_find(&p, name);
    /* odd spacing: the key is found, the value is without the blanks */
    assert_true(pbk_get(&p, e, "AuthRestrictions", false, v, sizeof v));
    assert_string_equal(v, "8");
    assert_true(pbk_get(&p, e, "Unknown-Future-Key", false, v, sizeof v));
    assert_string_equal(v, "some value = with equals");
    /* the first of two phone numbers, in the first device block */
    assert_true(pbk_get(&p, e, "PhoneNumber", true, v, sizeof v));
    assert_string_equal(v, "l2tp.example.org");
    char *out;
    size_t out_len;
    assert_int_equal(pbk_set(&p, e, "AuthRestrictions", "544", &out, &out_len, &err), L2F_OK);
    assert_only_changed(data, len, out, out_len, "8", "544");
    assert_non_null(strstr(out, "AuthRestrictions = 544\r\n")); /* its spacing kept */
    assert_memory_equal(out, "\xef\xbb\xbf", 3);
    free(out);
    /* a key the entry lacks goes after its own keys, before MEDIA=, in CRLF */
    e = pbk_find(&p, "No Lcp Key");
    assert_false(pbk_get(&p, e, "LcpExtensions", false, v, sizeof v));
    assert_int_equal(pbk_set(&p, e, "LcpExtensions", "1", &out, &out_len, &err), L2F_OK);
    assert_int_equal(out_len, len + strlen("LcpExtensions=1\r\n"));
    assert_non_null(strstr(out, "AuthRestrictions=544\r\nLcpExtensions=1\r\nMEDIA=rastapi"));
    struct pbk again;
    assert_int_equal(pbk_parse(out, out_len, "edited", &again, &err), L2F_OK);
    assert_true(
        pbk_get(&again, pbk_find(&again, "No Lcp Key"), "LcpExtensions", false, v, sizeof v));
    assert_string_equal(v, "1");
    pbk_free(&again);
    free(out);
    /* the comment and the other entries are untouched by any of it */
    assert_non_null(strstr(data, "; kept by an administrator"));
    pbk_free(&p);
    free(data);
}

static void lf_file_without_final_eol(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("lf-no-final-eol.pbk", &len);
    struct pbk p;
    struct l2f_err err;
    assert_int_equal(pbk_parse(data, len, "lf", &p, &err), L2F_OK);
    assert_string_equal(p.eol, "\n");
    int e = pbk_find(&p, "Lab");
    char *out;
    size_t out_len;
    /* a new key in an entry whose devices come later: LF, like the file */
    assert_int_equal(pbk_set(&p, e, "DataEncryption", "256", &out, &out_len, &err), L2F_OK);
    assert_non_null(strstr(out, "LcpExtensions=1\nDataEncryption=256\n  \t\n"));
    assert_int_equal(out_len, len + strlen("DataEncryption=256\n"));
    assert_int_equal(out[out_len - 1], '1'); /* still no final line ending */
    free(out);
    pbk_free(&p);
    /* an entry that is only its header, as the last line without an ending */
    static const char bare[] = "[A]\n[B]";
    assert_int_equal(pbk_parse(bare, strlen(bare), "bare", &p, &err), L2F_OK);
    assert_int_equal(pbk_set(&p, pbk_find(&p, "B"), "VpnStrategy", "3", &out, &out_len, &err),
                     L2F_OK);
    assert_int_equal(out_len, strlen("[A]\n[B]\nVpnStrategy=3"));
    assert_memory_equal(out, "[A]\n[B]\nVpnStrategy=3", out_len);
    free(out);
    pbk_free(&p);
    free(data);
}

/* Where the section's first sub-block starts (MS-RRASM 2.2.2: its first
 * NETCOMPONENTS=, MEDIA=, DEVICE= or PhoneNumber= line), or its end. */
static size_t first_sub_block_at(const struct pbk *p, int section)
{
    static const char *const opens[] = {"NETCOMPONENTS", "MEDIA", "DEVICE", "PhoneNumber"};
    const struct pbk_section *s = &p->sections[section];
    for (size_t i = s->first_line + 1; i < s->end_line; i++)
        for (size_t k = 0; k < sizeof opens / sizeof opens[0]; k++)
            if (p->lines[i].is_key && p->lines[i].key_len == strlen(opens[k]) &&
                memcmp(p->data + p->lines[i].key, opens[k], strlen(opens[k])) == 0)
                return p->lines[i].start;
    return s->end_line < p->nlines ? p->lines[s->end_line].start : p->len;
}

/* Where the section's first line of key starts. */
static size_t first_line_of(const struct pbk *p, int section, const char *key)
{
    const struct pbk_section *s = &p->sections[section];
    for (size_t i = s->first_line + 1; i < s->end_line; i++)
        if (p->lines[i].is_key && p->lines[i].key_len == strlen(key) &&
            memcmp(p->data + p->lines[i].key, key, strlen(key)) == 0)
            return p->lines[i].start;
    fail_msg("no line of %s in entry %d", key, section);
    return 0;
}

/* Adds key (with 512) to the section of data, parses the result, removes the
 * key again: the bytes must be data's. The new line must sit in the entry's
 * main block, before its first sub-block. With kept_key, that key must still
 * read kept_value in the edited file. */
static void assert_add_then_remove_is_identity(const char *data, size_t len, int section,
                                               const char *key, const char *kept_key,
                                               const char *kept_value)
{
    struct pbk p, q;
    struct l2f_err err;
    char *added, *back;
    size_t added_len, back_len;
    assert_int_equal(pbk_parse(data, len, "before", &p, &err), L2F_OK);
    assert_int_equal(pbk_set(&p, section, key, "512", &added, &added_len, &err), L2F_OK);
    assert_true(added_len > len);
    assert_int_equal(pbk_parse(added, added_len, "added", &q, &err), L2F_OK);
    size_t at = first_line_of(&q, section, key), sub_at = first_sub_block_at(&q, section);
    if (at > sub_at)
        fail_msg("%s=512 went %lu bytes into a sub-block of entry %d", key,
                 (unsigned long)(at - sub_at), section);
    if (kept_key) {
        char v[64];
        assert_true(pbk_get(&q, section, kept_key, false, v, sizeof v));
        assert_string_equal(v, kept_value);
    }
    assert_int_equal(pbk_remove(&q, section, key, &back, &back_len), L2F_OK);
    assert_int_equal(back_len, len);
    assert_memory_equal(back, data, len);
    free(back);
    pbk_free(&q);
    free(added);
    pbk_free(&p);
}

/* Undo of a fix that added a key: adding any key an entry lacks, then
 * removing it from the edited file, gives every sample back byte for byte
 * (CRLF, LF, a BOM, devices after the keys, a last line without an ending). */
static void remove_inverts_an_added_key(void **state)
{
    (void)state;
    static const char *const keys[] = {"AuthRestrictions", "LcpExtensions", "IpSecFlags",
                                       "DataEncryption", "VpnStrategy"};
    size_t rounds = 0;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        size_t len;
        char *data = slurp(samples[s], &len);
        struct pbk p;
        struct l2f_err err;
        assert_int_equal(pbk_parse(data, len, samples[s], &p, &err), L2F_OK);
        for (size_t sec = 0; sec < p.nsections; sec++)
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                char v[64], *back;
                size_t back_len;
                if (pbk_get(&p, (int)sec, keys[k], false, v, sizeof v))
                    continue;
                assert_add_then_remove_is_identity(data, len, (int)sec, keys[k], NULL, NULL);
                /* nothing to remove: the file as it was */
                assert_int_equal(pbk_remove(&p, (int)sec, keys[k], &back, &back_len), L2F_OK);
                assert_int_equal(back_len, len);
                assert_memory_equal(back, data, len);
                free(back);
                rounds++;
            }
        pbk_free(&p);
        free(data);
    }
    assert_true(rounds >= 10);
    /* a bare last entry, without an ending: the ending added before the key goes too */
    static const char bare[] = "[A]\n[B]";
    assert_add_then_remove_is_identity(bare, strlen(bare), 1, "VpnStrategy", NULL, NULL);
    /* a last line ending in a lone CR (found by fuzz_pbk): the CR stays in its
     * value instead of joining the new line's LF into a CRLF */
    static const char lone_cr[] = "[A]\nK=v\r";
    assert_add_then_remove_is_identity(lone_cr, strlen(lone_cr), 0, "VpnStrategy", "K", "v\r");
}

/* Entries as MS-RRASM 2.2.2 lays them out: a key the L2TP entry lacks goes
 * before its NETCOMPONENTS= block, and a main-block lookup or edit never
 * reaches a same-named key of a sub-block. */
static void sub_blocks_of_the_spec(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("win11-vpn-kinds.pbk", &len);
    struct pbk p;
    struct l2f_err err;
    char v[128], *out;
    size_t out_len;
    assert_int_equal(pbk_parse(data, len, "win11-vpn-kinds.pbk", &p, &err), L2F_OK);
    int e = pbk_find(&p, "Branch L2TP");
    assert_int_equal(e, 0);
    assert_false(pbk_get(&p, e, "AuthRestrictions", false, v, sizeof v));
    assert_int_equal(pbk_set(&p, e, "AuthRestrictions", "512", &out, &out_len, &err), L2F_OK);
    assert_int_equal(out_len, len + strlen("AuthRestrictions=512\r\n"));
    assert_non_null(strstr(
        out, "PrivateNetwork=0\r\nAuthRestrictions=512\r\n\r\nNETCOMPONENTS=\r\nms_msclient=1\r\n"
             "ms_server=1\r\n\r\nMEDIA=rastapi"));
    free(out);
    /* the sub-blocks' first keys are structure, not settings */
    assert_int_equal(pbk_set(&p, e, "NETCOMPONENTS", "", &out, &out_len, &err), L2F_ERR_USAGE);
    assert_null(out);
    assert_string_equal(err.msg, "NETCOMPONENTS= opens a sub-block of a phonebook entry: not set");
    assert_int_equal(pbk_set(&p, e, "PhoneNumber", "evil.example", &out, &out_len, &err),
                     L2F_ERR_USAGE);
    pbk_free(&p);
    free(data);

    data = slurp("broadband-dialup.pbk", &len);
    assert_int_equal(pbk_parse(data, len, "broadband-dialup.pbk", &p, &err), L2F_OK);
    char name[64];
    pbk_entry_name(&p, 0, name, sizeof name);
    assert_string_equal(name,
                        "\xe5\xae\xbd\xe5\xb8\xa6\xe8\xbf\x9e\xe6\x8e\xa5"); /* 宽带连接, UTF-8 */
    assert_int_equal(pbk_find(&p, name), 0);
    e = pbk_find(&p, "Dial-up ISP");
    /* AreaCode and CountryCode live in the phone number sub-blocks only */
    assert_false(pbk_get(&p, e, "AreaCode", false, v, sizeof v));
    assert_true(pbk_get(&p, e, "AreaCode", true, v, sizeof v));
    assert_string_equal(v, "030");
    assert_true(pbk_get(&p, e, "PhoneNumber", true, v, sizeof v));
    assert_string_equal(v, "5550123"); /* the first sub-block: the primary number */
    /* MEDIA's Device= is not DEVICE= */
    assert_true(pbk_get(&p, e, "Device", true, v, sizeof v));
    assert_string_equal(v, "Standard 56000 bps Modem");
    /* set in the main block: both numbers' CountryCode=49 stay as they are */
    assert_int_equal(pbk_set(&p, e, "CountryCode", "1", &out, &out_len, &err), L2F_OK);
    assert_non_null(strstr(out, "IpSecFlags=0\r\nCountryCode=1\r\n\r\nNETCOMPONENTS="));
    assert_int_equal(out_len, len + strlen("CountryCode=1\r\n"));
    const char *second = strstr(strstr(out, "CountryCode=49\r\n") + 1, "CountryCode=49\r\n");
    assert_non_null(second);
    free(out);
    pbk_free(&p);
    free(data);
}

/* A value Windows wrote over several lines that repeat its key (64 bytes of
 * hex a line): read whole, kept whole by every edit, rewritten never. */
static void multi_line_values_kept(void **state)
{
    (void)state;
    size_t len;
    char *data = slurp("win11-vpn-kinds.pbk", &len);
    struct pbk p;
    struct l2f_err err;
    char v[1024], *out;
    size_t out_len;
    assert_int_equal(pbk_parse(data, len, "win11-vpn-kinds.pbk", &p, &err), L2F_OK);
    int e = pbk_find(&p, "Contoso Always On");
    assert_true(e >= 0);
    assert_true(pbk_get(&p, e, "CustomAuthData", false, v, sizeof v));
    assert_int_equal(strlen(v), 128 + 128 + 8); /* three lines, joined */
    assert_memory_equal(v, "190000006E00", 12);
    assert_memory_equal(v + 256, "74757677", 8);
    assert_int_equal(pbk_set(&p, e, "CustomAuthData", v, &out, &out_len, &err), L2F_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, data, len);
    free(out);
    assert_int_equal(pbk_set(&p, e, "NrptRules", "00", &out, &out_len, &err), L2F_ERR_USAGE);
    assert_null(out);
    assert_string_equal(err.msg, "NrptRules holds a value over 2 lines: not rewritten");
    assert_int_equal(pbk_set(&p, e, "AuthRestrictions", "544", &out, &out_len, &err), L2F_OK);
    assert_only_changed(data, len, out, out_len, "128", "544");
    free(out);
    pbk_free(&p);
    free(data);

    /* the last key of a main block is a value over two lines: a new key goes
     * after both, and removing the value takes both */
    static const char split[] =
        "[A]\r\nType=2\r\nCustomAuthData=AB\r\nCustomAuthData=CD\r\n\r\nNETCOMPONENTS=\r\n"
        "ms_server=1\r\nMEDIA=rastapi\r\nDEVICE=vpn\r\nPhoneNumber=a.example\r\n";
    assert_add_then_remove_is_identity(split, strlen(split), 0, "LcpExtensions", "CustomAuthData",
                                       "ABCD");
    assert_int_equal(pbk_parse(split, strlen(split), "split", &p, &err), L2F_OK);
    assert_int_equal(pbk_set(&p, 0, "LcpExtensions", "1", &out, &out_len, &err), L2F_OK);
    assert_non_null(strstr(out, "CustomAuthData=CD\r\nLcpExtensions=1\r\n\r\nNETCOMPONENTS="));
    free(out);
    assert_int_equal(pbk_remove(&p, 0, "CustomAuthData", &out, &out_len), L2F_OK);
    assert_string_equal(
        out, "[A]\r\nType=2\r\n\r\nNETCOMPONENTS=\r\nms_server=1\r\nMEDIA=rastapi\r\nDEVICE=vpn\r\n"
             "PhoneNumber=a.example\r\n");
    free(out);
    pbk_free(&p);
}

static void bad_input(void **state)
{
    (void)state;
    struct pbk p;
    struct l2f_err err;
    static const char nul[] = "[A]\r\nKey=1\r\nX=\0y\r\n";
    assert_int_equal(pbk_parse(nul, sizeof nul - 1, "x.pbk", &p, &err), L2F_ERR_PARSE);
    assert_string_equal(err.msg, "x.pbk:3: a NUL byte: not a phonebook (UTF-16 is not supported)");
    static const char open_bracket[] = "[A]\nKey=1\n[B\nKey=2\n";
    assert_int_equal(pbk_parse(open_bracket, strlen(open_bracket), "y.pbk", &p, &err),
                     L2F_ERR_PARSE);
    assert_string_equal(err.msg, "y.pbk:3: a section header without ']'");
    /* an empty file is a phonebook without entries */
    assert_int_equal(pbk_parse("", 0, "e.pbk", &p, &err), L2F_OK);
    assert_int_equal(p.nsections, 0);
    pbk_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_op_edits_are_byte_identical),
        cmocka_unit_test(edits_change_one_value),
        cmocka_unit_test(mixed_file),
        cmocka_unit_test(lf_file_without_final_eol),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(remove_inverts_an_added_key),
        cmocka_unit_test(sub_blocks_of_the_spec),
        cmocka_unit_test(multi_line_values_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
