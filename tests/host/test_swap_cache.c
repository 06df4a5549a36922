/*
 * Host tests for pager/swap_cache.c: entries found by slot and by frame,
 * the WRITING/READING -> CLEAN -> removed life, refusals (duplicates, bad
 * arguments, a full cache), and a random run checked against a model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap_cache.h"

#define PA(i) (0x80000000ull + (uint64_t)(i) * 4096)

static void check_ok(const struct swap_cache *c)
{
	if (swap_cache_check(c) < 0)
		fail_msg("swap_cache_check: the chains and the counts disagree");
}

static void test_create(void **state)
{
	struct swap_cache *c = swap_cache_create(1);

	(void)state;
	assert_null(swap_cache_create(0));
	assert_non_null(c);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_NONE), 0);
	assert_int_equal(swap_cache_find_slot(c, 1, NULL), SWAP_CACHE_NONE);
	assert_int_equal(swap_cache_find_frame(c, PA(1), NULL), SWAP_CACHE_NONE);
	check_ok(c);
	swap_cache_destroy(c);
	swap_cache_destroy(NULL);
}

/* Eviction: a fault during the write finds the frame, never the disk;
 * once written, the frame can go without another write. */
static void test_write_life(void **state)
{
	struct swap_cache *c = swap_cache_create(64);
	struct swap_cache_entry e;

	(void)state;
	assert_int_equal(swap_cache_add(c, 7, PA(3), SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_find_slot(c, 7, &e), SWAP_CACHE_WRITING);
	assert_int_equal(e.slot, 7);
	assert_int_equal(e.pa, PA(3));
	assert_int_equal(e.state, SWAP_CACHE_WRITING);
	assert_int_equal(swap_cache_find_frame(c, PA(3), &e), SWAP_CACHE_WRITING);
	assert_int_equal(e.slot, 7);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_WRITING), 1);
	assert_int_equal(swap_cache_io_done(c, 7), 0);
	assert_int_equal(swap_cache_find_slot(c, 7, NULL), SWAP_CACHE_CLEAN);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_CLEAN), 1);
	assert_int_equal(swap_cache_io_done(c, 7), -1);	/* nothing in flight */
	assert_int_equal(swap_cache_remove(c, 7), 0);
	assert_int_equal(swap_cache_find_slot(c, 7, NULL), SWAP_CACHE_NONE);
	assert_int_equal(swap_cache_find_frame(c, PA(3), NULL), SWAP_CACHE_NONE);
	assert_int_equal(swap_cache_remove(c, 7), -1);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_NONE), 0);
	check_ok(c);
	swap_cache_destroy(c);
}

/* Swap-in: a second fault on the slot sees the read in flight. */
static void test_read_life(void **state)
{
	struct swap_cache *c = swap_cache_create(64);
	struct swap_cache_entry e;

	(void)state;
	assert_int_equal(swap_cache_add(c, 9, PA(5), SWAP_CACHE_READING), 0);
	assert_int_equal(swap_cache_find_slot(c, 9, &e), SWAP_CACHE_READING);
	assert_int_equal(e.pa, PA(5));
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_READING), 1);
	assert_int_equal(swap_cache_io_done(c, 9), 0);
	assert_int_equal(swap_cache_find_frame(c, PA(5), NULL), SWAP_CACHE_CLEAN);
	/* A failed write or read: the entry just goes. */
	assert_int_equal(swap_cache_add(c, 10, PA(6), SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_remove(c, 10), 0);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_NONE), 1);
	check_ok(c);
	swap_cache_destroy(c);
}

static void test_refusals(void **state)
{
	struct swap_cache *c = swap_cache_create(3);

	(void)state;
	assert_int_equal(swap_cache_add(c, 1, PA(1), SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_add(c, 1, PA(2), SWAP_CACHE_WRITING), -1);	/* slot tied */
	assert_int_equal(swap_cache_add(c, 2, PA(1), SWAP_CACHE_READING), -1);	/* frame tied */
	assert_int_equal(swap_cache_add(c, 0, PA(2), SWAP_CACHE_WRITING), -1);
	assert_int_equal(swap_cache_add(c, 2, 0, SWAP_CACHE_WRITING), -1);
	assert_int_equal(swap_cache_add(c, 2, PA(2), SWAP_CACHE_CLEAN), -1);
	assert_int_equal(swap_cache_add(c, 2, PA(2), SWAP_CACHE_NONE), -1);
	assert_int_equal(swap_cache_add(c, 2, PA(2), SWAP_CACHE_READING), 0);
	assert_int_equal(swap_cache_add(c, 3, PA(3), SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_add(c, 4, PA(4), SWAP_CACHE_WRITING), -1);	/* full */
	assert_int_equal(swap_cache_remove(c, 2), 0);
	assert_int_equal(swap_cache_add(c, 4, PA(4), SWAP_CACHE_WRITING), 0);
	assert_int_equal(swap_cache_find_slot(c, 0, NULL), SWAP_CACHE_NONE);
	assert_int_equal(swap_cache_find_frame(c, 0, NULL), SWAP_CACHE_NONE);
	assert_int_equal(swap_cache_io_done(c, 99), -1);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_NONE), 3);
	assert_int_equal(swap_cache_count(c, SWAP_CACHE_WRITING), 3);
	check_ok(c);
	swap_cache_destroy(c);
}

/* Many entries whose slots and frames collide in the buckets. */
static void test_many_collisions(void **state)
{
	enum { N = 1000 };
	struct swap_cache *c = swap_cache_create(N);
	struct swap_cache_entry e;

	(void)state;
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(swap_cache_add(c, 1 + i * 1024, PA(i * 1024),
						SWAP_CACHE_WRITING), 0);
	check_ok(c);
	for (uint32_t i = 0; i < N; i += 2)
		assert_int_equal(swap_cache_remove(c, 1 + i * 1024), 0);
	check_ok(c);
	for (uint32_t i = 0; i < N; i++) {
		enum swap_cache_state want = i % 2 ? SWAP_CACHE_WRITING : SWAP_CACHE_NONE;

		assert_int_equal(swap_cache_find_slot(c, 1 + i * 1024, &e), want);
		assert_int_equal(swap_cache_find_frame(c, PA(i * 1024), NULL), want);
		if (want)
			assert_int_equal(e.pa, PA(i * 1024));
	}
	swap_cache_destroy(c);
}

static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* model[slot] = frame index + 1 tied to it, 0: none; states[slot]. */
static void random_step(struct swap_cache *c, uint32_t *model, uint8_t *states,
			uint32_t *frame_used, uint32_t n, uint32_t *seed)
{
	uint32_t slot = 1 + rnd(seed) % n, frame = rnd(seed) % n, op = rnd(seed) % 4;

	if (op == 0) {
		int ok = !model[slot] && !frame_used[frame];
		enum swap_cache_state st = rnd(seed) % 2 ? SWAP_CACHE_WRITING : SWAP_CACHE_READING;

		assert_int_equal(swap_cache_add(c, slot, PA(frame + 1), st), ok ? 0 : -1);
		if (ok) {
			model[slot] = frame + 1;
			states[slot] = (uint8_t)st;
			frame_used[frame] = 1;
		}
	} else if (op == 1) {
		int ok = model[slot] && states[slot] != SWAP_CACHE_CLEAN;

		assert_int_equal(swap_cache_io_done(c, slot), ok ? 0 : -1);
		if (ok)
			states[slot] = SWAP_CACHE_CLEAN;
	} else if (op == 2) {
		assert_int_equal(swap_cache_remove(c, slot), model[slot] ? 0 : -1);
		if (model[slot])
			frame_used[model[slot] - 1] = 0;
		model[slot] = 0;
	} else {
		assert_int_equal(swap_cache_find_slot(c, slot, NULL),
				 model[slot] ? states[slot] : SWAP_CACHE_NONE);
	}
}

static void test_random_against_model(void **state)
{
	enum { N = 300 };
	static uint32_t model[N + 1], frame_used[N];
	static uint8_t states[N + 1];
	uint32_t seed = 7;
	struct swap_cache *c = swap_cache_create(N);

	(void)state;
	for (int step = 0; step < 30000; step++) {
		random_step(c, model, states, frame_used, N, &seed);
		if (step % 101 == 0)
			check_ok(c);
	}
	for (uint32_t slot = 1; slot <= N; slot++) {
		struct swap_cache_entry e;

		if (!model[slot])
			continue;
		assert_int_equal(swap_cache_find_slot(c, slot, &e), states[slot]);
		assert_int_equal(e.pa, PA(model[slot]));
		assert_int_equal(swap_cache_find_frame(c, e.pa, &e), states[slot]);
		assert_int_equal(e.slot, slot);
	}
	check_ok(c);
	swap_cache_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_write_life),
		cmocka_unit_test(test_read_life),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_many_collisions),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
