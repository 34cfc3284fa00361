#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <direct.h>
#else
#include <unistd.h>
#endif

#ifdef _WIN32
void tu_mkdtemp(char *buf, size_t len)
{
    char base[MAX_PATH];
    static unsigned counter;
    assert_true(GetTempPathA(sizeof base, base) > 0);
    for (int i = 0; i < 100; i++) {
        snprintf(buf, len, "%sl2f-test-%lu-%u", base, (unsigned long)GetCurrentProcessId(),
                 counter++);
        if (_mkdir(buf) == 0)
            return;
    }
    fail_msg("cannot make a temporary directory in %s", base);
}

void tu_rmtree(const char *dir)
{
    char pattern[MAX_PATH + 4], path[MAX_PATH * 2];
    WIN32_FIND_DATAA fd;
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s\\%s", dir, fd.cFileName);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                tu_rmtree(path);
            else
                DeleteFileA(path);
        } while (FindNextFileA(h, &fd));
        FindClose(h);
    }
    assert_true(RemoveDirectoryA(dir));
}
#else
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
#endif

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

void tu_hex(const char *s, uint8_t *out)
{
    for (size_t i = 0; s[2 * i] && s[2 * i + 1]; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* What a healthy machine with a healthy server looks like from the client. */
void tu_healthy(struct observations *o)
{
    memset(o, 0, sizeof *o);
    o->have_profile = o->have_admin = o->have_registry = o->have_services = o->have_last =
        o->have_probe = o->have_machine = true;
    o->machine.os_build = 19045; /* 22H2, which no known bad update reached */
    o->machine.os_ubr = 5011;
    struct vpn_profile *p = &o->profile;
    strcpy(p->name, "Office VPN");
    strcpy(p->server, "vpn.example.com");
    p->fields[PF_VPN_STRATEGY] = VS_L2TP_ONLY;
    p->fields[PF_AUTH_RESTRICTIONS] = AR_CHAP | AR_MSCHAP2;
    p->fields[PF_LCP_EXTENSIONS] = 1;
    p->fields[PF_IPSEC_FLAGS] = IPSEC_FLAG_PSK;
    p->fields[PF_DATA_ENCRYPTION] = 256;
    p->psk_saved = p->username_saved = p->password_saved = true;
    strcpy(p->username, "alice");
    o->admin = true;
    for (int s = 0; s < SERVICE_COUNT; s++)
        o->services[s] = (struct service_status){SVC_RUNNING, SVC_START_MANUAL};
    o->last = (struct connection_record){.known = true, .code = 0};
    o->probe.resolved = true;
    strcpy(o->probe.address, "192.0.2.10");
    o->probe.ike500 = PROBE_ACCEPTED;
    o->probe.ike4500 = PROBE_ACCEPTED;
    o->probe.ikev2 = PROBE_NO_PROPOSAL;
    strcpy(o->probe.transform, "aes256-sha1-modp2048");
    o->probe.client_behind_nat = 0;
    o->probe.server_behind_nat = 0;
}
