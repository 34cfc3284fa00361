/* The PowerShell script: a hostile profile name stays inside its literal
 * (checked with a reader of PowerShell's single-quoted strings written
 * here, from the language's rules), the script around it does not depend on
 * the name at all, and each fix brings its step and no other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"
#include "psscript.h"
#include "testutil.h"

/* Length of the UTF-8 single quote at p that PowerShell recognises (' or
 * U+2018..U+201B), or 0. */
static size_t quote_at(const unsigned char *p)
{
    if (*p == '\'')
        return 1;
    if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b)
        return 3;
    return 0;
}

/* Reads a single-quoted literal at s: its value into out, the bytes it
 * spans as the result (0 when it never ends). A quote followed by another
 * quote is one quote of the value; any other quote ends it. */
static size_t read_literal(const char *s, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = quote_at(p), o = 0;
    assert_true(n > 0);
    for (;;) {
        if (!p[n])
            return 0;
        size_t q = quote_at(p + n);
        if (q) {
            size_t q2 = quote_at(p + n + q);
            if (!q2) {
                out[o] = '\0';
                return n + q;
            }
            memcpy(out + o, p + n, q);
            o += q;
            n += q + q2;
            continue;
        }
        out[o++] = (char)p[n++];
    }
}

static const char *const hostile[] = {
    "Office VPN",
    "it's",
    "'; Remove-Item C:\\ -Recurse; '",
    "\xe2\x80\x98smart\xe2\x80\x99 quotes \xe2\x80\x9a\xe2\x80\x9b",
    "$(Invoke-Expression 'calc') `whoami` ${env:PATH}",
    "line one\r\nRemove-Item C:\\\n# and a comment",
    "\"double\" @'here'@ ''",
    "trailing quote'",
    "H\xc3\xa9lo\xc3\xafse \xe5\xae\xbd\xe5\xb8\xa6 \xf0\x9f\x98\x80 tab\there",
};

static void quoting_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char q[512], back[512];
        assert_true(ps_quote(hostile[i], q, sizeof q));
        size_t used = read_literal(q, back);
        assert_int_equal(used, strlen(q)); /* the literal ends exactly where the quoting ends */
        assert_string_equal(back, hostile[i]);
    }
    char tiny[4];
    assert_false(ps_quote("abcdef", tiny, sizeof tiny));
}

/* Writes code point cp to out as UTF-8; returns its length. */
static size_t put_utf8(char *out, unsigned long cp)
{
    size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0x00, 0xc0, 0xe0, 0xf0};
    for (size_t i = len - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3f));
    out[0] = (char)(lead[len] | cp);
    return len;
}

/* Reads the name's expression at s, by PowerShell's rules for the only forms
 * it may take: one literal, or ('' + 'literal' + [char]0xHHHH + ...) with
 * ASCII only. Its value into out; the bytes it spans as the result. */
static size_t read_name_expr(const char *s, char *out)
{
    if (*s == '\'')
        return read_literal(s, out);
    assert_int_equal(strncmp(s, "(''", 3), 0);
    size_t n = 3, o = 0;
    unsigned long high = 0;
    while (s[n] != ')') {
        assert_int_equal(strncmp(s + n, " + ", 3), 0);
        n += 3;
        if (s[n] == '\'') {
            n += read_literal(s + n, out + o);
            o = strlen(out);
            continue;
        }
        assert_int_equal(strncmp(s + n, "[char]0x", 8), 0);
        char *end;
        unsigned long cp = strtoul(s + n + 8, &end, 16);
        n = (size_t)(end - s);
        if (cp >= 0xd800 && cp < 0xdc00) {
            high = cp;
            continue;
        }
        if (cp >= 0xdc00 && cp < 0xe000)
            cp = 0x10000 + ((high - 0xd800) << 10) + (cp - 0xdc00);
        o += put_utf8(out + o, cp);
        out[o] = '\0';
    }
    out[o] = '\0';
    return n + 1;
}

/* The script with the expression assigned by "$VAR = " cut out (checked to read back as value). */
static char *without_expr(const char *script, const char *assign, const char *name)
{
    const char *at = strstr(script, assign);
    assert_non_null(at);
    at += strlen(assign);
    char value[512];
    size_t used = read_name_expr(at, value);
    assert_true(used > 0);
    assert_string_equal(value, name);
    for (size_t i = 0; i < used; i++) /* plain ASCII: Windows PowerShell 5.1 reads it as ANSI */
        assert_true(at[i] >= 0x20 && at[i] < 0x7f);
    size_t head = (size_t)(at - script);
    char *rest = malloc(strlen(script) + 1);
    assert_non_null(rest);
    memcpy(rest, script, head);
    strcpy(rest + head, at + used);
    return rest;
}

static char *without_name(const char *script, const char *name)
{
    return without_expr(script, "$Name = ", name);
}

static void the_name_cannot_escape(void **state)
{
    (void)state;
    enum fix_id all[FIX_COUNT];
    for (int f = 0; f < FIX_COUNT; f++)
        all[f] = (enum fix_id)f;
    struct l2f_err err;
    char *benign;
    assert_int_equal(
        ps_script("Office VPN", PHONEBOOK_ALLUSERS, all, FIX_COUNT, "1.0", &benign, &err), L2F_OK);
    char *benign_rest = without_name(benign, "Office VPN");
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *s;
        assert_int_equal(ps_script(hostile[i], PHONEBOOK_ALLUSERS, all, FIX_COUNT, "1.0", &s, &err),
                         L2F_OK);
        char *rest = without_name(s, hostile[i]);
        /* everything outside the literal is the same for every name */
        assert_string_equal(rest, benign_rest);
        free(rest);
        free(s);
    }
    free(benign_rest);
    free(benign);
}

/* The detection, the remediation and the profile's creation: the name (and
 * the server) appear once, in their literal, whatever they hold. */
static void every_mode_keeps_the_name_inside(void **state)
{
    (void)state;
    enum fix_id all[FIX_COUNT - 1];
    size_t n = 0;
    for (int f = 0; f < FIX_COUNT; f++)
        if (f != FIX_SWITCH_IKEV2) /* one VPN type per detection */
            all[n++] = (enum fix_id)f;
    static const enum ps_mode modes[] = {PS_DETECT, PS_REMEDIATE, PS_CREATE};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct ps_request r = {.mode = modes[m],
                               .profile = "Office VPN",
                               .phonebook = PHONEBOOK_USER,
                               .fixes = all,
                               .n = n,
                               .server = "vpn.example.com",
                               .nat_t = true,
                               .version = "1.0"};
        struct l2f_err err;
        char *benign;
        assert_int_equal(ps_script_for(&r, &benign, &err), L2F_OK);
        char *benign_rest = without_name(benign, "Office VPN");
        if (modes[m] == PS_CREATE) {
            char *cut = without_expr(benign_rest, "$Server = ", "vpn.example.com");
            free(benign_rest);
            benign_rest = cut;
        }
        for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
            char *s;
            r.profile = hostile[i];
            r.server = hostile[sizeof hostile / sizeof hostile[0] - 1 - i];
            assert_int_equal(ps_script_for(&r, &s, &err), L2F_OK);
            char *rest = without_name(s, hostile[i]);
            if (modes[m] == PS_CREATE) {
                char *cut = without_expr(rest, "$Server = ", r.server);
                free(rest);
                rest = cut;
            }
            assert_string_equal(rest, benign_rest);
            free(rest);
            free(s);
        }
        free(benign_rest);
        free(benign);
    }
}

static void steps_follow_the_fixes(void **state)
{
    (void)state;
    struct l2f_err err;
    char *s;
    enum fix_id two[] = {FIX_LCP_EXTENSIONS, FIX_MSCHAPV2};
    assert_int_equal(ps_script("X", PHONEBOOK_USER, two, 2, "1.0", &s, &err), L2F_OK);
    /* the model's order, whatever the caller's */
    char *m = strstr(s, "# mschapv2:"), *l = strstr(s, "# lcp-extensions:");
    assert_non_null(m);
    assert_non_null(l);
    assert_true(m < l);
    assert_null(strstr(s, "# nat-traversal:"));
    assert_null(strstr(s, "AllUserConnection"));
    assert_non_null(strstr(s, "$env:APPDATA"));
    assert_non_null(strstr(s, "SupportsShouldProcess"));
    free(s);
    enum fix_id psk[] = {FIX_USE_PSK, FIX_NAT_TRAVERSAL};
    assert_int_equal(ps_script("X", PHONEBOOK_ALLUSERS, psk, 2, "1.0", &s, &err), L2F_OK);
    /* the key is a parameter, checked before anything changes */
    char *check = strstr(s, "if (-not $L2tpPsk) { throw"),
         *first_change = strstr(s, "Set-VpnConnection");
    assert_non_null(check);
    assert_true(check < first_change);
    assert_non_null(
        strstr(s, "reg.exe export 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent'"));
    assert_non_null(strstr(s, "$Common.AllUserConnection = $true"));
    free(s);
}

/* The lcp-extensions step's algorithm, step by step as the script text
 * below spells it, over bytes: so that what it writes can be compared with
 * pbk_set's. Returns -1 without the entry, else whether it changed *out. */
static size_t after_blanks(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* '^[ \t]*WORD[ \t]*=' */
static bool key_line(const char *s, size_t n, const char *word)
{
    size_t i = after_blanks(s, n), w = strlen(word);
    if (n - i < w || memcmp(s + i, word, w) != 0)
        return false;
    i += w;
    i += after_blanks(s + i, n - i);
    return i < n && s[i] == '=';
}

static int simulate_lcp_step(const char *data, size_t len, const char *name, char **out,
                             size_t *out_len)
{
    size_t bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    const char *text = data + bom;
    size_t tlen = len - bom, starts[4096], nlines = 0;
    bool lf = memchr(text, '\n', tlen) != NULL, crlf = false;
    for (size_t i = 0; i + 1 < tlen; i++)
        crlf |= text[i] == '\r' && text[i + 1] == '\n';
    const char *eol = lf && !crlf ? "\n" : "\r\n";
    /* -split '(?<=\n)': each line keeps its ending */
    for (size_t at = 0; at <= tlen && nlines < 4096;) {
        starts[nlines++] = at;
        const char *nl = memchr(text + at, '\n', tlen - at);
        at = nl ? (size_t)(nl - text) + 1 : tlen + 1;
    }
    long entry = -1, last_key = -1, found = -1;
    for (size_t i = 0; i < nlines; i++) {
        const char *l = text + starts[i];
        size_t n = (i + 1 < nlines ? starts[i + 1] : tlen) - starts[i], b = after_blanks(l, n);
        if (b < n && l[b] == '[') {
            const char *close = memchr(l + b, ']', n - b);
            assert_non_null(close);
            if (entry >= 0)
                break;
            size_t nn = (size_t)(close - (l + b + 1));
            if (nn == strlen(name) && memcmp(l + b + 1, name, nn) == 0)
                entry = last_key = (long)i;
            continue;
        }
        if (entry < 0)
            continue;
        if (key_line(l, n, "NETCOMPONENTS") || key_line(l, n, "MEDIA") ||
            key_line(l, n, "DEVICE") || key_line(l, n, "PhoneNumber"))
            break;
        if ((b < n && (l[b] == ';' || l[b] == '#')) || !memchr(l, '=', n))
            continue;
        last_key = (long)i;
        if (key_line(l, n, "LcpExtensions")) {
            found = (long)i;
            break;
        }
    }
    if (entry < 0)
        return -1;
    size_t cut_from, cut_to;
    const char *insert;
    char lead_line[64];
    if (found >= 0) {
        const char *l = text + starts[found];
        size_t n = ((size_t)found + 1 < nlines ? starts[found + 1] : tlen) - starts[found];
        size_t v = (size_t)((const char *)memchr(l, '=', n) - l) + 1, end = n;
        v += after_blanks(l + v, n - v);
        if (end > v && l[end - 1] == '\n')
            end--;
        if (end > v && l[end - 1] == '\r')
            end--;
        while (end > v && (l[end - 1] == ' ' || l[end - 1] == '\t'))
            end--;
        if (end - v == 1 && l[v] == '1')
            return 0;
        cut_from = bom + starts[found] + v;
        cut_to = bom + starts[found] + end;
        insert = "1";
    } else {
        const char *l = text + starts[last_key];
        size_t n = ((size_t)last_key + 1 < nlines ? starts[last_key + 1] : tlen) - starts[last_key];
        if (n && l[n - 1] == '\n')
            snprintf(lead_line, sizeof lead_line, "LcpExtensions=1%s", eol);
        else
            snprintf(lead_line, sizeof lead_line, "%sLcpExtensions=1",
                     n && l[n - 1] == '\r' ? "\r\n" : eol);
        cut_from = cut_to = bom + starts[last_key] + n;
        insert = lead_line;
    }
    *out_len = len - (cut_to - cut_from) + strlen(insert);
    *out = malloc(*out_len + 1);
    assert_non_null(*out);
    memcpy(*out, data, cut_from);
    memcpy(*out + cut_from, insert, strlen(insert));
    memcpy(*out + cut_from + strlen(insert), data + cut_to, len - cut_to);
    (*out)[*out_len] = '\0';
    return 1;
}

/* The simulated step writes what pbk_set writes, for every entry of data. */
static size_t assert_step_is_pbk_set(const char *data, size_t len)
{
    struct pbk p;
    struct l2f_err err;
    assert_int_equal(pbk_parse(data, len, "sample", &p, &err), L2F_OK);
    for (size_t sec = 0; sec < p.nsections; sec++) {
        char name[256], *sim = NULL, *set;
        size_t sim_len = 0, set_len;
        pbk_entry_name(&p, (int)sec, name, sizeof name);
        int changed = simulate_lcp_step(data, len, name, &sim, &sim_len);
        assert_true(changed >= 0);
        assert_int_equal(
            pbk_set(&p, pbk_find(&p, name), "LcpExtensions", "1", &set, &set_len, &err), L2F_OK);
        if (!changed) {
            sim = malloc(len);
            assert_non_null(sim);
            memcpy(sim, data, len);
            sim_len = len;
        }
        assert_int_equal(sim_len, set_len);
        assert_memory_equal(sim, set, set_len);
        free(sim);
        free(set);
    }
    size_t n = p.nsections;
    pbk_free(&p);
    return n;
}

/* lcp-extensions in the script: the line goes into the entry's main block,
 * before its first sub-block, as the editor of the CLI puts it. */
static void lcp_step_follows_the_sub_blocks(void **state)
{
    (void)state;
    enum fix_id lcp[] = {FIX_LCP_EXTENSIONS};
    struct l2f_err err;
    char *s;
    assert_int_equal(ps_script("X", PHONEBOOK_USER, lcp, 1, "1.0", &s, &err), L2F_OK);
    /* the rule the simulation follows, as the script spells it */
    assert_non_null(strstr(s, "$Lines = $Text -split '(?<=\\n)'\n"));
    assert_non_null(
        strstr(s, "-cmatch '^[ \\t]*(NETCOMPONENTS|MEDIA|DEVICE|PhoneNumber)[ \\t]*=') { break }"));
    assert_non_null(strstr(
        s, "if ($Lines[$i] -match '^[ \\t]*[;#]' -or -not $Lines[$i].Contains('=')) { continue }"
           "\n        $At = $i\n")); /* inside the step's guard */
    assert_non_null(strstr(
        s, "if ($Last.EndsWith(\"`n\")) { $Lines[$At] = $Last + 'LcpExtensions=1' + $Eol }"));
    assert_null(strstr(s, "no LcpExtensions= line")); /* a missing line is added, not refused */
    free(s);
    static const char entry[] =
        "[Other]\r\nType=2\r\n\r\n[Branch]\r\nType=2\r\nVpnStrategy=3\r\nPrivateNetwork=0\r\n"
        "\r\nNETCOMPONENTS=\r\nms_msclient=1\r\nms_server=1\r\n\r\nMEDIA=rastapi\r\n"
        "Device=WAN Miniport (L2TP)\r\n\r\nDEVICE=vpn\r\nPhoneNumber=vpn.example.com\r\n";
    char *out;
    size_t out_len;
    assert_int_equal(simulate_lcp_step(entry, strlen(entry), "Branch", &out, &out_len), 1);
    assert_non_null(strstr(out, "PrivateNetwork=0\r\nLcpExtensions=1\r\n\r\nNETCOMPONENTS=\r\n"));
    free(out);
    assert_int_equal(simulate_lcp_step(entry, strlen(entry), "branch", &out, &out_len), -1);
    assert_int_equal(assert_step_is_pbk_set(entry, strlen(entry)), 2);
#ifdef L2F_PBK_DIR
    static const char *const samples[] = {"user-l2tp.pbk",       "allusers-mixed.pbk",
                                          "lf-no-final-eol.pbk", "sparse-keys.pbk",
                                          "win11-vpn-kinds.pbk", "broadband-dialup.pbk"};
    size_t entries = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[512], *data = malloc(65536);
        snprintf(path, sizeof path, "%s/%s", L2F_PBK_DIR, samples[i]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_non_null(data);
        size_t len = fread(data, 1, 65536, f);
        fclose(f);
        entries += assert_step_is_pbk_set(data, len);
        free(data);
    }
    assert_true(entries >= 13); /* every entry of the six samples */
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_round_trips),
        cmocka_unit_test(the_name_cannot_escape),
        cmocka_unit_test(every_mode_keeps_the_name_inside),
        cmocka_unit_test(steps_follow_the_fixes),
        cmocka_unit_test(lcp_step_follows_the_sub_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
