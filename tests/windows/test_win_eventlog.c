/* Reading a RasClient result out of an event record, built byte by byte as
 * the event log lays them out. */
#include <windows.h>

#include <string.h>

#include "testutil.h"
#include "win/eventlog.h"

static BYTE buf[4096];

/* Lays out one record: header, source, computer, then the strings. */
static DWORD make_record(DWORD event_id, const wchar_t *source, const wchar_t *const *strings, WORD n)
{
    memset(buf, 0, sizeof buf);
    EVENTLOGRECORD *rec = (EVENTLOGRECORD *)(void *)buf;
    BYTE *p = buf + sizeof *rec;
    size_t l = (wcslen(source) + 1) * sizeof(wchar_t);
    memcpy(p, source, l);
    p += l;
    memcpy(p, L"PC", 3 * sizeof(wchar_t));
    p += 3 * sizeof(wchar_t);
    rec->StringOffset = (DWORD)(p - buf);
    for (WORD i = 0; i < n; i++) {
        l = (wcslen(strings[i]) + 1) * sizeof(wchar_t);
        memcpy(p, strings[i], l);
        p += l;
    }
    DWORD len = (DWORD)(((p - buf) + 3) & ~3) + 4;
    rec->Length = len;
    rec->Reserved = 0x654c664c; /* "LfLe" */
    rec->EventID = event_id;
    rec->NumStrings = n;
    return len;
}

static void failed_connection_gives_its_code(void **state)
{
    (void)state;
    static const wchar_t *const s[] = {L"CoId={6A1B}", L"CONTOSO\\alice", L"Office VPN", L"789"};
    DWORD len = make_record(0xC0000000u | RASCLIENT_EVENT_FAILED, L"RasClient", s, 4);
    int code = -1;
    assert_true(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    assert_int_equal(code, 789);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Other VPN", &code));
    /* truncated: the record claims more than was read */
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len - 8, L"Office VPN", &code));
}

static void established_connection_is_success(void **state)
{
    (void)state;
    static const wchar_t *const s[] = {L"CoId={6A1B}", L"CONTOSO\\alice", L"Office VPN"};
    DWORD len = make_record(RASCLIENT_EVENT_ESTABLISHED, L"RasClient", s, 3);
    int code = -1;
    assert_true(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    assert_int_equal(code, 0);
}

static void other_events_ignored(void **state)
{
    (void)state;
    static const wchar_t *const s[] = {L"Office VPN", L"789"};
    int code;
    DWORD len = make_record(RASCLIENT_EVENT_FAILED, L"SomeoneElse", s, 2);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    len = make_record(20221, L"RasClient", s, 2);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    static const wchar_t *const no_code[] = {L"Office VPN", L"not a number"};
    len = make_record(RASCLIENT_EVENT_FAILED, L"RasClient", no_code, 2);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    /* a string count beyond the record is refused, not read past */
    len = make_record(RASCLIENT_EVENT_FAILED, L"RasClient", s, 2);
    ((EVENTLOGRECORD *)(void *)buf)->NumStrings = 40;
    memset(buf + len - 4, 0xFF, 4);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code) && code != 789);
}

static void reading_the_real_log_does_not_fail(void **state)
{
    (void)state;
    struct connection_record rec;
    struct l2f_err err = {{0}};
    enum l2f_status st = winlog_last_result("Office VPN", &rec, &err);
    /* Wine's log has no RasClient events: nothing known, and no crash */
    if (st == L2F_OK)
        assert_false(rec.known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_connection_gives_its_code),
        cmocka_unit_test(established_connection_is_success),
        cmocka_unit_test(other_events_ignored),
        cmocka_unit_test(reading_the_real_log_does_not_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
