/* ikec_init keeps OpenSSL from reading a configuration file: one that loads only the
 * null provider (as a planted openssl.cnf could) would leave no algorithm to fetch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "net/ike.h"
#include "net/ikecrypto.h"
#include "testutil.h"

static void set_env(const char *name, const char *value)
{
#ifdef _WIN32
    assert_int_equal(_putenv_s(name, value), 0);
#else
    assert_int_equal(setenv(name, value, 1), 0);
#endif
}

/* OPENSSL_CONF names a file that activates only the null provider. */
static void planted_config_is_not_read(void **state)
{
    (void)state;
    if (!ikec_available())
        skip();
    char dir[256], path[300];
    tu_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/openssl.cnf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("openssl_conf = init\n[init]\nproviders = provs\n[provs]\nnull = nullp\n"
          "[nullp]\nactivate = 1\n",
          f);
    assert_int_equal(fclose(f), 0);
    set_env("OPENSSL_CONF", path);
    ikec_init();
    uint8_t out[IKEC_MAX_HASH];
    assert_true(ikec_hash(IKE_HASH_SHA1, (const uint8_t *)"abc", 3, out));
    assert_int_equal(out[0], 0xa9); /* SHA1("abc") = a9993e36... */
    assert_int_equal(out[1], 0x99);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(planted_config_is_not_read)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
