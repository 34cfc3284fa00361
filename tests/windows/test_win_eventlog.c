/* Reading a RasClient result out of an event record, built byte by byte as
 * the event log lays them out. */
#include <windows.h>

#include <string.h>

#include "testutil.h"
#include "win/eventlog.h"

static BYTE buf[4096];

/* Lays out one record: header, source, computer, then the strings. */
static DWORD make_record(DWORD event_id, const wchar_t *source, const wchar_t *const *strings,
                         WORD n)
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
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code) &&
                 code != 789);
}

/* Windows 10+ writes an HRESULT as a negative decimal: read it, never skip it. */
static void negative_hresult_is_read(void **state)
{
    (void)state;
    static const wchar_t *const expired[] = {L"CoId={6A1B}", L"CONTOSO\\alice", L"Office VPN",
                                             L"-2146762495"};
    DWORD len = make_record(0xC0000000u | RASCLIENT_EVENT_FAILED, L"RasClient", expired, 4);
    int code = 0;
    assert_true(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    assert_int_equal(code, (int)0x800B0101u); /* CERT_E_EXPIRED */
    /* HRESULT_FROM_WIN32(789) is 789 */
    static const wchar_t *const wrapped[] = {L"CoId={6A1B}", L"CONTOSO\\alice", L"Office VPN",
                                             L"-2147024107"};
    len = make_record(0xC0000000u | RASCLIENT_EVENT_FAILED, L"RasClient", wrapped, 4);
    assert_true(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
    assert_int_equal(code, 789);
    /* beyond 32 bits is not a code */
    static const wchar_t *const huge[] = {L"Office VPN", L"-99999999999"};
    len = make_record(RASCLIENT_EVENT_FAILED, L"RasClient", huge, 2);
    assert_false(winlog_match((EVENTLOGRECORD *)(void *)buf, len, L"Office VPN", &code));
}

/* Records laid one after another, newest first, as ReadEventLog returns them. */
static BYTE log_buf[8192];
static DWORD log_len;

static void log_add(DWORD id, const wchar_t *const *strings, WORD n)
{
    DWORD len = make_record(id, L"RasClient", strings, n);
    assert_true(log_len + len <= sizeof log_buf);
    memcpy(log_buf + log_len, buf, len);
    log_len += len;
}

/* The result's dial is followed back through its progress events by CoId;
 * another dial's events (another CoId) say nothing about it. */
static void dial_progress_followed_by_coid(void **state)
{
    (void)state;
    static const wchar_t *const failed[] = {L"CoId={AAAA}", L"alice", L"Office VPN",
                                            L"-2146762495"};
    static const wchar_t *const other[] = {L"CoId={BBBB}", L"alice", L"Home"};
    static const wchar_t *const linked[] = {L"CoId={AAAA}",
                                            L"alice"}; /* 20223 names no connection */
    static const wchar_t *const device[] = {L"CoId={AAAA}", L"alice", L"Office VPN",
                                            L"vpn.example.com"};
    static const wchar_t *const began[] = {L"CoId={AAAA}", L"alice", L"Office VPN"};
    static const wchar_t *const older[] = {L"CoId={CCCC}", L"alice", L"Office VPN", L"789"};
    log_len = 0;
    log_add(RASCLIENT_EVENT_FAILED, failed, 4);
    log_add(20224, other, 3);
    log_add(20223, linked, 2);
    log_add(20222, device, 4);
    log_add(20221, began, 3);
    log_add(RASCLIENT_EVENT_FAILED, older, 4);
    struct connection_record out;
    memset(&out, 0, sizeof out);
    struct winlog_walk w = {.profile = L"Office VPN", .out = &out};
    winlog_walk_records(&w, log_buf, log_len);
    assert_true(out.known);
    assert_int_equal(out.code, (int)0x800B0101u); /* the newest result, not the older 789 */
    assert_int_equal(out.reached, 20223);
    assert_true(w.done); /* stopped at the dial's 20221 */
    assert_true(out.when[0] != 0);

    /* a connected dial needs no progress */
    static const wchar_t *const up[] = {L"CoId={DDDD}", L"alice", L"Office VPN"};
    log_len = 0;
    log_add(RASCLIENT_EVENT_ESTABLISHED, up, 3);
    log_add(20222, device, 4);
    memset(&out, 0, sizeof out);
    w = (struct winlog_walk){.profile = L"Office VPN", .out = &out};
    winlog_walk_records(&w, log_buf, log_len);
    assert_true(out.known && out.code == 0 && out.reached == 0 && w.done);

    /* a record that claims more than was read ends the walk, it is not read past */
    log_len = 0;
    log_add(RASCLIENT_EVENT_FAILED, failed, 4);
    memset(&out, 0, sizeof out);
    w = (struct winlog_walk){.profile = L"Office VPN", .out = &out};
    winlog_walk_records(&w, log_buf, log_len - 4);
    assert_false(out.known);
    assert_true(w.done);
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
        cmocka_unit_test(negative_hresult_is_read),
        cmocka_unit_test(dial_progress_followed_by_coid),
        cmocka_unit_test(reading_the_real_log_does_not_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
