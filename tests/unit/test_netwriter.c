/* The shared packet writer: a put that does not fit fails and writes nothing,
 * the failure sticks, a patch lands only inside what was written, and a
 * packet that fits exactly is whole. Bytes past cap are guarded. */
#include <stdint.h>
#include <string.h>

#include "net/netwriter.h"
#include "testutil.h"

#define GUARD 0xEE
#define ROOM 16

/* A writer over the first cap bytes of buf; the rest stays GUARD unless something overruns. */
static void start(struct net_writer *w, uint8_t buf[ROOM], size_t cap)
{
    memset(buf, GUARD, ROOM);
    nw_init(w, buf, cap);
}

static void assert_guarded(const uint8_t buf[ROOM], size_t from)
{
    for (size_t i = from; i < ROOM; i++)
        assert_int_equal(buf[i], GUARD);
}

static void exact_fit(void **state)
{
    (void)state;
    uint8_t buf[ROOM], want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xAB, 0xCD};
    struct net_writer w;
    start(&w, buf, sizeof want);
    nw_u8(&w, 0x01);
    nw_u16(&w, 0x0203);
    nw_u32(&w, 0x04050607ul);
    nw_bytes(&w, "\xAB\xCD", 2);
    assert_false(w.failed);
    assert_int_equal(w.pos, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    nw_bytes(&w, NULL, 0); /* nothing more still fits */
    assert_false(w.failed);
    nw_u8(&w, 0x99);
    assert_true(w.failed);
    assert_int_equal(w.pos, sizeof want);
    assert_guarded(buf, sizeof want);
}

static void overflow_writes_nothing_and_sticks(void **state)
{
    (void)state;
    uint8_t buf[ROOM];
    struct net_writer w;
    start(&w, buf, 5);
    nw_u32(&w, 0x11223344ul);
    nw_u16(&w, 0x5566); /* one byte left: not half of it */
    assert_true(w.failed);
    assert_int_equal(w.pos, 4);
    assert_guarded(buf, 4);
    nw_u8(&w, 0x77); /* would fit, but the packet is already lost */
    assert_int_equal(w.pos, 4);
    assert_guarded(buf, 4);
    assert_null(nw_reserve(&w, 1));

    start(&w, buf, 8);
    nw_u16(&w, 0);
    nw_bytes(&w, buf, SIZE_MAX - 1); /* pos + n wraps: still refused */
    assert_true(w.failed);
    assert_int_equal(w.pos, 2);
    assert_guarded(buf, 2);

    start(&w, buf, 4);
    uint8_t *room = nw_reserve(&w, 4);
    assert_ptr_equal(room, buf);
    assert_int_equal(w.pos, 4);
    assert_null(nw_reserve(&w, 1));
}

static void patch_only_inside_what_was_written(void **state)
{
    (void)state;
    uint8_t buf[ROOM];
    struct net_writer w;
    start(&w, buf, 8);
    nw_u32(&w, 0);
    nw_patch16(&w, 2, 0x0102);
    nw_patch8(&w, 0, 0xFF);
    nw_patch32(&w, 0, 0xA1B2C3D4ul);
    nw_patch16(&w, 2, 0x0102);
    assert_false(w.failed);
    assert_memory_equal(buf, "\xA1\xB2\x01\x02", 4);

    nw_patch16(&w, 3, 0xBEEF); /* its second byte was never written */
    assert_true(w.failed);
    assert_memory_equal(buf, "\xA1\xB2\x01\x02", 4);
    assert_guarded(buf, 4);

    start(&w, buf, 8);
    nw_u16(&w, 0);
    nw_patch8(&w, 2, 0x55); /* at the end, not inside */
    assert_true(w.failed);
    assert_guarded(buf, 2);

    start(&w, buf, 8);
    nw_u32(&w, 0);
    nw_patch32(&w, SIZE_MAX - 1, 1); /* at + 4 wraps */
    assert_true(w.failed);
    assert_guarded(buf, 4);
}

static void patch_after_failure_changes_nothing(void **state)
{
    (void)state;
    uint8_t buf[ROOM];
    struct net_writer w;
    start(&w, buf, 3);
    nw_u16(&w, 0x0102);
    nw_u16(&w, 0x0304);
    assert_true(w.failed);
    nw_patch16(&w, 0, 0xFFFF); /* a length over a lost packet would only mislead */
    assert_memory_equal(buf, "\x01\x02", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_fit),
        cmocka_unit_test(overflow_writes_nothing_and_sticks),
        cmocka_unit_test(patch_only_inside_what_was_written),
        cmocka_unit_test(patch_after_failure_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
