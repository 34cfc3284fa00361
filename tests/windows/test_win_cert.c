/* core/win/cert.c against Wine's real crypt32: certificates made with openssl
 * by cert_under_wine.sh (a CA, a valid client certificate with the Client
 * Authentication usage, an expired one, one with only the Server Authentication
 * usage, one from a CA the computer does not trust), imported here into the
 * prefix's LocalMachine\My and the CA into LocalMachine\Root, one state at a time.
 * The same server certificates judged as handshake --ikev2 judges them without a CA file.
 * Usage: L2F_VALID_NOT_AFTER=... test_win_cert DIR (the files).
 *
 * Two things Wine 8's crypt32 cannot do, worked around here and nowhere else:
 * - Its CryptAcquireCertificatePrivateKey opens the key's container with
 *   CryptAcquireContextW(..., 0), ignoring CRYPT_MACHINE_KEYSET in the
 *   certificate's CRYPT_KEY_PROV_INFO.dwFlags: a key PFXImportCertStore put in
 *   the machine key set (CRYPT_MACHINE_KEYSET, as on Windows) is never found
 *   (CRYPT_E_NO_KEY_PROPERTY). The keys go to the user's key set instead (Wine
 *   runs everything as one user), so the machine key set itself is not tested.
 * - A CertDeleteCertificateFromStore on a LocalMachine system store succeeds but
 *   is not written back to the registry: the next CertOpenStore sees the
 *   certificate again. The tests remove their certificates' registry keys too. */
#include <windows.h>

#include <wincrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "net/ikev2cert.h"
#include "testutil.h"
#include "win/cert.h"

static char dir[MAX_PATH];

static void read_all(const char *name, CRYPT_DATA_BLOB *blob)
{
    char path[MAX_PATH + 64];
    snprintf(path, sizeof path, "%s\\%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static BYTE buf[8][16384];
    static int next;
    BYTE *b = buf[next++ % 8];
    blob->cbData = (DWORD)fread(b, 1, sizeof buf[0], f);
    blob->pbData = b;
    fclose(f);
    assert_true(blob->cbData > 0);
}

static HCERTSTORE open_machine(const wchar_t *name)
{
    HCERTSTORE s =
        CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, name);
    if (!s)
        fail_msg("CertOpenStore(LocalMachine\\%ls): error %lu", name, GetLastError());
    return s;
}

/* The registry key Wine keeps a LocalMachine certificate under (see above). */
static void delete_reg_copy(const wchar_t *store, PCCERT_CONTEXT c)
{
    BYTE hash[20];
    DWORD n = sizeof hash;
    assert_true(CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, hash, &n));
    wchar_t key[160];
    int used =
        swprintf(key, 160, L"Software\\Microsoft\\SystemCertificates\\%ls\\Certificates\\", store);
    for (DWORD i = 0; i < n; i++)
        used += swprintf(key + used, 160 - used, L"%02X", hash[i]);
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, key);
}

/* Removes every certificate these tests put in a store (subjects start "l2f-"),
 * gathered first: Wine's enumeration does not survive a delete. */
static void clean(const wchar_t *name)
{
    HCERTSTORE s = open_machine(name);
    PCCERT_CONTEXT c = NULL, ours[32];
    size_t n = 0;
    while ((c = CertEnumCertificatesInStore(s, c)) != NULL && n < 32) {
        wchar_t cn[128];
        CertGetNameStringW(c, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, cn, 128);
        if (wcsncmp(cn, L"l2f-", 4) == 0)
            ours[n++] = CertDuplicateCertificateContext(c);
    }
    if (c)
        CertFreeCertificateContext(c);
    for (size_t i = 0; i < n; i++) {
        delete_reg_copy(name, ours[i]);
        CertDeleteCertificateFromStore(ours[i]); /* frees it */
    }
    CertCloseStore(s, 0);
}

static int clean_my(void **state)
{
    (void)state;
    clean(L"MY");
    return 0;
}

/* The certificate and key of a PKCS#12 file (empty password) into LocalMachine\My;
 * the key into the user's key set, not the machine's (see above). */
static void add_pfx(const char *file)
{
    CRYPT_DATA_BLOB blob;
    read_all(file, &blob);
    HCERTSTORE pfx = PFXImportCertStore(&blob, L"", CRYPT_EXPORTABLE);
    if (!pfx)
        fail_msg("PFXImportCertStore(%s): error 0x%lx", file, GetLastError());
    HCERTSTORE my = open_machine(L"MY");
    PCCERT_CONTEXT c = NULL;
    int n = 0;
    while ((c = CertEnumCertificatesInStore(pfx, c)) != NULL) {
        assert_true(CertAddCertificateContextToStore(my, c, CERT_STORE_ADD_REPLACE_EXISTING, NULL));
        n++;
    }
    assert_int_equal(n, 1);
    CertCloseStore(my, 0);
    CertCloseStore(pfx, 0);
}

/* A DER certificate alone (no key) into a machine store. */
static void add_der(const wchar_t *store, const char *file)
{
    CRYPT_DATA_BLOB blob;
    read_all(file, &blob);
    HCERTSTORE s = open_machine(store);
    assert_true(CertAddEncodedCertificateToStore(s, X509_ASN_ENCODING, blob.pbData, blob.cbData,
                                                 CERT_STORE_ADD_REPLACE_EXISTING, NULL));
    CertCloseStore(s, 0);
}

static struct machine_cert judge_machine(void)
{

    struct machine_cert mc;
    struct l2f_err err = {{0}};
    memset(&mc, 0xa5, sizeof mc); /* every field must be written */
    if (backend_win32_ops.machine_certificate(NULL, &mc, &err) != L2F_OK)
        fail_msg("machine_certificate: %s", err.msg);
    return mc;
}

static int setup(void **state)
{
    (void)state;
    clean(L"MY");
    clean(L"ROOT");
    add_der(L"ROOT", "ca.der");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clean(L"MY");
    clean(L"ROOT");
    return 0;
}

static void empty_store_is_none(void **state)
{
    (void)state;
    struct machine_cert mc = judge_machine();
    assert_int_equal(mc.state, CERT_NONE);
    assert_int_equal(mc.count, 0);
}

static void valid_client_certificate(void **state)
{
    (void)state;
    add_pfx("valid.p12");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "valid");
    assert_int_equal(mc.count, 1);
    assert_non_null(strstr(mc.subject, "CN=l2f-valid"));
    assert_string_equal(mc.not_after, getenv("L2F_VALID_NOT_AFTER"));
}

static void expired_certificate(void **state)
{
    (void)state;
    add_pfx("expired.p12");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "expired");
    assert_string_equal(mc.not_after, "2021-01-01T00:00:00Z");
}

static void certificate_without_its_key(void **state)
{
    (void)state;
    add_der(L"MY", "valid.der");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "no-private-key");
}

static void server_usage_only(void **state)
{
    (void)state;
    add_pfx("noclient.p12");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "no-client-auth");
}

static void issuer_not_trusted(void **state)
{
    (void)state;
    add_pfx("untrusted.p12");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "untrusted");
}

/* Several candidates: the one that got furthest is named, each counted. */
static void best_of_several(void **state)
{
    (void)state;
    add_pfx("expired.p12");
    add_pfx("noclient.p12");
    add_pfx("valid.p12");
    struct machine_cert mc = judge_machine();
    assert_string_equal(cert_state_id(mc.state), "valid");
    assert_int_equal(mc.count, 3);
    assert_int_equal(mc.stopped_at[CERT_EXPIRED], 1);
    assert_int_equal(mc.stopped_at[CERT_NO_CLIENT_AUTH], 1);
    assert_int_equal(mc.stopped_at[CERT_VALID], 1);
    assert_non_null(strstr(mc.subject, "CN=l2f-valid"));
}

/* handshake --ikev2 without --ca-file: the server's chain by the computer's own roots */
static bool server_chain(const char *file, const char *host, struct ikev2_cert_info *info)
{
    CRYPT_DATA_BLOB der;
    read_all(file, &der);
    const uint8_t *certs[1] = {der.pbData};
    size_t lens[1] = {der.cbData};
    return ikev2_cert_check(certs, lens, 1, NULL, host, info);
}

static void ikev2_server_chain_by_machine_roots(void **state)
{
    (void)state;
    struct ikev2_cert_info info;
    if (!server_chain("noclient.der", "l2f-noclient", &info))
        fail_msg("not trusted: %s", info.why);
    assert_non_null(strstr(info.why, "Trusted Root store"));
    /* removing the root here would not show: the chain engine keeps the store it read */
}

static void ikev2_server_chain_from_another_root(void **state)
{
    (void)state;
    struct ikev2_cert_info info;
    assert_false(server_chain("untrusted.der", "l2f-untrusted", &info));
    assert_false(info.trusted);
    assert_non_null(strstr(info.why, "no root in the computer's Trusted Root store"));
}

static bool root_has(const char *sha1)
{
    bool present = true;
    struct l2f_err err = {{0}};
    if (backend_win32_ops.root_has(NULL, sha1, &present, &err) != L2F_OK)
        fail_msg("root_has: %s", err.msg);
    return present;
}

/* switch-ikev2's CA: into LocalMachine\Root by the backend's slots, found by the
 * thumbprint openssl computed (L2F_OTHER_SHA1), refused under another thumbprint,
 * left alone when there, and removed by thumbprint. */
static void root_add_find_remove(void **state)
{
    (void)state;
    const char *sha1 = getenv("L2F_OTHER_SHA1");
    assert_non_null(sha1);
    char wrong[41];
    snprintf(wrong, sizeof wrong, "%s", sha1);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    CRYPT_DATA_BLOB der;
    read_all("other.der", &der);
    struct l2f_err err = {{0}};
    assert_false(root_has(sha1));
    assert_int_equal(backend_win32_ops.root_add(NULL, der.pbData, der.cbData, wrong, &err),
                     L2F_ERR_USAGE);
    assert_false(root_has(sha1));
    assert_false(root_has(wrong));
    assert_int_equal(backend_win32_ops.root_add(NULL, der.pbData, der.cbData, sha1, &err), L2F_OK);
    assert_true(root_has(sha1));
    assert_true(root_has("0123456789ABCDEF0123456789ABCDEF01234567") == false);
    /* there already: done, and still one */
    assert_int_equal(backend_win32_ops.root_add(NULL, der.pbData, der.cbData, sha1, &err), L2F_OK);
    assert_true(root_has(sha1));
    /* removed: gone from the store it was removed in. Wine does not write that delete
     * back (see the top), so a store opened after still has it: its registry copy
     * goes here, and only then does the next opening miss it */
    HCERTSTORE root = open_machine(L"ROOT");
    CRYPT_HASH_BLOB hash = {0, NULL};
    BYTE h[20];
    for (int i = 0; i < 20; i++) {
        unsigned v;
        assert_int_equal(sscanf(sha1 + 2 * i, "%2x", &v), 1);
        h[i] = (BYTE)v;
    }
    hash.cbData = 20;
    hash.pbData = h;
    PCCERT_CONTEXT c =
        CertFindCertificateInStore(root, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &hash, NULL);
    assert_non_null(c);
    delete_reg_copy(L"ROOT", c);
    CertFreeCertificateContext(c);
    assert_int_equal(wincert_root_remove_in(root, sha1, &err), L2F_OK);
    assert_null(
        CertFindCertificateInStore(root, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &hash, NULL));
    CertCloseStore(root, 0);
    assert_false(root_has(sha1));
    /* not there: nothing to remove */
    assert_int_equal(backend_win32_ops.root_remove(NULL, sha1, &err), L2F_OK);
    assert_int_equal(backend_win32_ops.root_has(NULL, "not-hex", &(bool){false}, &err),
                     L2F_ERR_USAGE);
}

int main(int argc, char **argv)
{
    if (argc != 2 || !getenv("L2F_VALID_NOT_AFTER")) {
        fprintf(stderr, "usage: L2F_VALID_NOT_AFTER=... test_win_cert DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(empty_store_is_none, clean_my),
        cmocka_unit_test_teardown(valid_client_certificate, clean_my),
        cmocka_unit_test_teardown(expired_certificate, clean_my),
        cmocka_unit_test_teardown(certificate_without_its_key, clean_my),
        cmocka_unit_test_teardown(server_usage_only, clean_my),
        cmocka_unit_test_teardown(issuer_not_trusted, clean_my),
        cmocka_unit_test_teardown(best_of_several, clean_my),
        cmocka_unit_test(ikev2_server_chain_by_machine_roots),
        cmocka_unit_test(ikev2_server_chain_from_another_root),
        cmocka_unit_test(root_add_find_remove),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
