/* Searching a list of lines as less does with / n N, and type-to-jump. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "textsearch.h"

struct lines {
    const char *const *v;
    size_t asked; /* how many lines were read: the search stops when it has found */
};

static const char *line_at(void *ctx, size_t i)
{
    struct lines *l = ctx;
    l->asked++;
    return l->v[i];
}

static const char *const office[] = {
    "Office VPN",       /* 0 */
    "Home IKEv2",       /* 1 */
    "branch office",    /* 2 */
    "Lab",              /* 3 */
    "OFFICE and office" /* 4: two occurrences */
};

static struct textsearch over(struct lines *l, const char *const *v, size_t n)
{
    l->v = v;
    l->asked = 0;
    return (struct textsearch){line_at, l, n};
}

static void substring_ignores_ascii_case(void **state)
{
    (void)state;
    const char *s = "Office VPN";
    assert_ptr_equal(textsearch_in(s, "vpn", 0), s + 7);
    assert_ptr_equal(textsearch_in(s, "OFF", 0), s);
    assert_null(textsearch_in(s, "off", 1));
    assert_null(textsearch_in(s, "VPNs", 0)); /* longer than what is left */
    assert_null(textsearch_in(s, "", 0));
    assert_null(textsearch_in(s, "x", 99)); /* past the end */
    /* beyond ASCII, bytes are compared as they are */
    assert_non_null(textsearch_in("B\xc3\xbcro", "\xc3\xbc", 0));
    assert_null(textsearch_in("B\xc3\xbcro", "\xc3\x9c", 0));
    assert_true(textsearch_starts("Office VPN", "of"));
    assert_false(textsearch_starts("Office VPN", "ff"));
    assert_false(textsearch_starts("Of", "Office"));
    assert_false(textsearch_starts("Office", ""));
}

static void next_steps_through_every_occurrence_and_wraps(void **state)
{
    (void)state;
    struct lines l;
    struct textsearch ts = over(&l, office, 5);
    struct textsearch_pos hit;
    bool wrapped;
    assert_true(textsearch_from(&ts, "office", (struct textsearch_pos){0, 0}, &hit, &wrapped));
    assert_int_equal(hit.line, 0);
    assert_int_equal(hit.off, 0);
    assert_false(wrapped);
    static const struct textsearch_pos want[] = {{2, 7}, {4, 0}, {4, 11}, {0, 0}, {2, 7}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        assert_true(textsearch_next(&ts, "office", hit, &hit, &wrapped));
        assert_int_equal(hit.line, want[k].line);
        assert_int_equal(hit.off, want[k].off);
        /* only the step from the last line back to the first wraps */
        assert_int_equal(wrapped, k == 3);
    }
}

static void prev_goes_back_and_wraps(void **state)
{
    (void)state;
    struct lines l;
    struct textsearch ts = over(&l, office, 5);
    struct textsearch_pos hit = {2, 7};
    bool wrapped;
    static const struct textsearch_pos want[] = {{0, 0}, {4, 11}, {4, 0}, {2, 7}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        assert_true(textsearch_prev(&ts, "OFFICE", hit, &hit, &wrapped));
        assert_int_equal(hit.line, want[k].line);
        assert_int_equal(hit.off, want[k].off);
        assert_int_equal(wrapped, k == 1);
    }
}

/* A list moves a line at a time: after the whole line, before its start. */
static void whole_line_steps_for_lists(void **state)
{
    (void)state;
    struct lines l;
    struct textsearch ts = over(&l, office, 5);
    struct textsearch_pos hit;
    bool wrapped;
    assert_true(textsearch_next(&ts, "office", (struct textsearch_pos){4, TEXTSEARCH_LINE_END},
                                &hit, &wrapped));
    assert_int_equal(hit.line, 0);
    assert_true(wrapped);
    assert_true(textsearch_prev(&ts, "office", (struct textsearch_pos){0, 0}, &hit, &wrapped));
    assert_int_equal(hit.line, 4);
    assert_true(wrapped);
    /* the only line that holds it is found again, after going round */
    assert_true(textsearch_next(&ts, "lab", (struct textsearch_pos){3, TEXTSEARCH_LINE_END}, &hit,
                                &wrapped));
    assert_int_equal(hit.line, 3);
    assert_true(wrapped);
    assert_true(textsearch_prev(&ts, "lab", (struct textsearch_pos){3, 0}, &hit, &wrapped));
    assert_int_equal(hit.line, 3);
    assert_true(wrapped);
}

static void not_found_leaves_the_position(void **state)
{
    (void)state;
    struct lines l;
    struct textsearch ts = over(&l, office, 5);
    struct textsearch_pos hit = {7, 7};
    bool wrapped = true;
    assert_false(textsearch_from(&ts, "nowhere", (struct textsearch_pos){2, 0}, &hit, &wrapped));
    assert_false(textsearch_next(&ts, "nowhere", (struct textsearch_pos){2, 0}, &hit, &wrapped));
    assert_false(textsearch_prev(&ts, "nowhere", (struct textsearch_pos){2, 0}, &hit, &wrapped));
    assert_false(textsearch_next(&ts, "", (struct textsearch_pos){2, 0}, &hit, &wrapped));
    assert_int_equal(hit.line, 7);
    assert_int_equal(hit.off, 7);
    /* every line read, and none of them more than twice */
    l.asked = 0;
    assert_false(textsearch_next(&ts, "nowhere", (struct textsearch_pos){2, 0}, &hit, &wrapped));
    assert_true(l.asked >= 5 && l.asked <= 10);
    /* an empty list */
    struct textsearch none = over(&l, office, 0);
    assert_false(textsearch_from(&none, "office", (struct textsearch_pos){0, 0}, &hit, &wrapped));
    assert_false(textsearch_prev(&none, "office", (struct textsearch_pos){0, 0}, &hit, &wrapped));
}

/* A search that starts part-way along a line finds what is after the start
 * first and what is before it last. */
static void from_the_middle_of_a_line(void **state)
{
    (void)state;
    struct lines l;
    struct textsearch ts = over(&l, office, 5);
    struct textsearch_pos hit;
    bool wrapped;
    assert_true(textsearch_from(&ts, "office", (struct textsearch_pos){4, 5}, &hit, &wrapped));
    assert_int_equal(hit.line, 4);
    assert_int_equal(hit.off, 11);
    assert_false(wrapped);
    static const char *const one[] = {"office office"};
    ts = over(&l, one, 1);
    assert_true(textsearch_next(&ts, "office", (struct textsearch_pos){0, 7}, &hit, &wrapped));
    assert_int_equal(hit.off, 0);
    assert_true(wrapped);
    assert_true(textsearch_prev(&ts, "office", (struct textsearch_pos){0, 0}, &hit, &wrapped));
    assert_int_equal(hit.off, 7);
    assert_true(wrapped);
}

static void first_prefix_for_type_to_jump(void **state)
{
    (void)state;
    char names[90][24];
    const char *v[90];
    for (int i = 0; i < 90; i++) {
        snprintf(names[i], sizeof names[i], "%s %02d", i % 2 ? "Branch" : "Office", i + 1);
        v[i] = names[i];
    }
    struct lines l;
    struct textsearch ts = over(&l, v, 90);
    size_t line = 99;
    assert_true(textsearch_first_prefix(&ts, "b", &line));
    assert_int_equal(line, 1);
    assert_true(textsearch_first_prefix(&ts, "office 4", &line));
    assert_int_equal(line, 40); /* "Office 41" */
    assert_false(textsearch_first_prefix(&ts, "office 42", &line));
    assert_false(textsearch_first_prefix(&ts, "x", &line));
    assert_int_equal(line, 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(substring_ignores_ascii_case),
        cmocka_unit_test(next_steps_through_every_occurrence_and_wraps),
        cmocka_unit_test(prev_goes_back_and_wraps),
        cmocka_unit_test(whole_line_steps_for_lists),
        cmocka_unit_test(not_found_leaves_the_position),
        cmocka_unit_test(from_the_middle_of_a_line),
        cmocka_unit_test(first_prefix_for_type_to_jump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
