/*
 * Host tests for the ring of non-resident pages (pager/reclaim/policy/ghost_ring.c),
 * which CLOCK-Pro keeps its pages on test in: bounded to its size, oldest
 * out first, an entry found by its sequence number after the ring wrapped,
 * an entry killed (its page came back) found no more, and places still
 * right when the 32-bit sequence numbers wrap under a size that is no
 * power of two.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reclaim/policy/ghost_ring.h"
#include "reclaim/policy/toolkit.h"

#define SIZE 4

static int setup(void **state)
{
	static struct ghost_ring r;

	*state = &r;
	return ghost_ring_alloc(&r, SIZE);
}

static int teardown(void **state)
{
	ghost_ring_free(*state);
	return 0;
}

/* Full at SIZE: the next add pushes the oldest out (alive: said so) and
 * the length stays SIZE. */
static void test_capacity(void **state)
{
	struct ghost_ring *r = *state;
	int expired;

	for (uint32_t k = 0; k < SIZE; k++) {
		assert_int_equal(ghost_ring_add(r, 100 + k, &expired), k);
		assert_false(expired);
		assert_int_equal(ghost_ring_len(r), k + 1);
	}
	assert_int_equal(ghost_ring_add(r, 200, &expired), SIZE);
	assert_true(expired);
	assert_int_equal(ghost_ring_len(r), SIZE);
}

/* Entries leave in the order they came: the oldest's stamp each time. */
static void test_oldest_out_first(void **state)
{
	struct ghost_ring *r = *state;
	int expired;

	for (uint32_t k = 0; k < SIZE + 2; k++)	/* 0 and 1 pushed out */
		ghost_ring_add(r, 100 + k, &expired);
	for (uint32_t k = 2; k < SIZE + 2; k++) {
		assert_int_equal(ghost_ring_oldest(r), 100 + k);
		assert_true(ghost_ring_expire(r));
	}
	assert_int_equal(ghost_ring_len(r), 0);
}

/* After the ring wrapped twice, each entry still in it is found by its
 * sequence number at its own place (its stamp there); those pushed out
 * and those not yet added are not. */
static void test_lookup_after_wrap(void **state)
{
	struct ghost_ring *r = *state;
	uint32_t last = 2 * SIZE + 1;
	int expired;

	for (uint32_t k = 0; k <= last; k++)
		assert_int_equal(ghost_ring_add(r, 1000 + k, &expired), k);
	for (uint32_t k = 0; k <= last; k++) {
		int64_t i = ghost_ring_find(r, shadow_value(k));
		if (k + SIZE <= last) {
			assert_int_equal(i, -1);	/* pushed out */
			continue;
		}
		assert_true(i >= 0 && i < SIZE);
		assert_int_equal(r->stamp[i], 1000 + k);
	}
	assert_int_equal(ghost_ring_find(r, shadow_value(last + 1)), -1);
}

/* A killed entry is found no more and leaves dead (expire says 0), while
 * its neighbours are unchanged. */
static void test_forget(void **state)
{
	struct ghost_ring *r = *state;
	int expired;
	int64_t i;

	for (uint32_t k = 0; k < SIZE; k++)
		ghost_ring_add(r, 100 + k, &expired);
	i = ghost_ring_find(r, 0);
	assert_true(i >= 0);
	ghost_ring_kill(r, (uint32_t)i);
	assert_int_equal(ghost_ring_find(r, 0), -1);
	assert_true(ghost_ring_find(r, 1) >= 0);
	assert_int_equal(ghost_ring_len(r), SIZE);	/* it keeps its place */
	assert_false(ghost_ring_expire(r));	/* entry 0: dead */
	assert_true(ghost_ring_expire(r));	/* entry 1: alive */
	ghost_ring_add(r, 300, &expired);
	ghost_ring_add(r, 301, &expired);
	assert_false(expired);			/* room was made above */
	assert_int_equal(ghost_ring_add(r, 302, &expired), SIZE + 2);
	assert_true(expired);			/* entry 2, alive */
}

#define ODD_SIZE 1000	/* as nframes: no power of two, so k % size jumps at 2^32 */

/* A ring whose sequence numbers wrap at 2^32 halfway through filling it
 * (as after 2^32 evictions): every entry keeps its place, oldest out
 * first, each found by its sequence number with its own stamp; before the
 * places followed the oldest's index, 296 of 1,000 read back wrong. */
static void test_sequence_wrap(void **state)
{
	struct ghost_ring r;
	uint32_t start = UINT32_MAX - ODD_SIZE / 2 + 1;	/* 500 adds, then 0 */
	int expired;

	(void)state;
	assert_int_equal(ghost_ring_alloc(&r, ODD_SIZE), 0);
	r.first = r.next = start;
	for (uint32_t k = 0; k < ODD_SIZE; k++)
		assert_int_equal(ghost_ring_add(&r, k, &expired), (uint32_t)(start + k));
	assert_false(expired);
	for (uint32_t k = 0; k < ODD_SIZE; k++) {
		int64_t i = ghost_ring_find(&r, shadow_value(start + k));

		assert_true(i >= 0 && i < ODD_SIZE);
		assert_int_equal(r.stamp[i], k);
	}
	for (uint32_t k = 0; k < ODD_SIZE; k++) {
		assert_int_equal(ghost_ring_oldest(&r), k);
		assert_true(ghost_ring_expire(&r));
	}
	assert_int_equal(ghost_ring_len(&r), 0);
	ghost_ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oldest_out_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_after_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test(test_sequence_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
