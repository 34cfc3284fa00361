/* .reg backups: byte for byte what regedit writes. */
#include <stdlib.h>
#include <string.h>

#include "regfile.h"
#include "testutil.h"

/* Narrows UTF-16LE that holds only ASCII back to a C string. */
static void narrow(const unsigned char *data, size_t len, char *out, size_t outlen)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < len && n + 1 < outlen; i += 2) {
        assert_int_equal(data[i + 1], 0);
        out[n++] = (char)data[i];
    }
    out[n] = '\0';
}

static void dword_value(void **state)
{
    (void)state;
    unsigned char *data;
    size_t len;
    assert_int_equal(
        regfile_render_dword("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent",
                             "AssumeUDPEncapsulationContextOnSendRule", true, 2, &data, &len),
        L2F_OK);
    assert_true(len > 2);
    assert_int_equal(data[0], 0xFF); /* UTF-16LE byte order mark */
    assert_int_equal(data[1], 0xFE);
    char text[512];
    narrow(data + 2, len - 2, text, sizeof text);
    assert_string_equal(text,
                        "Windows Registry Editor Version 5.00\r\n\r\n"
                        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent]\r\n"
                        "\"AssumeUDPEncapsulationContextOnSendRule\"=dword:00000002\r\n\r\n");
    free(data);
}

static void absent_value_deletes(void **state)
{
    (void)state;
    unsigned char *data;
    size_t len;
    assert_int_equal(
        regfile_render_dword("HKEY_LOCAL_MACHINE\\X", "ProhibitIpSec", false, 0, &data, &len),
        L2F_OK);
    char text[256];
    narrow(data + 2, len - 2, text, sizeof text);
    assert_non_null(strstr(text, "\"ProhibitIpSec\"=-\r\n"));
    free(data);
}

static void quotes_escaped_and_non_ascii_encoded(void **state)
{
    (void)state;
    unsigned char *data;
    size_t len;
    assert_int_equal(regfile_render_dword("HKEY_LOCAL_MACHINE\\K", "a\"b\xc3\xa9", true,
                                          0xFFFFFFFFUL, &data, &len),
                     L2F_OK);
    /* find the escaped quote and U+00E9 as E9 00 */
    bool quote = false, eacute = false;
    for (size_t i = 2; i + 3 < len; i += 2) {
        if (data[i] == '\\' && data[i + 2] == '"')
            quote = true;
        if (data[i] == 0xE9 && data[i + 1] == 0)
            eacute = true;
    }
    assert_true(quote);
    assert_true(eacute);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dword_value),
        cmocka_unit_test(absent_value_deletes),
        cmocka_unit_test(quotes_escaped_and_non_ascii_encoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
