/*
 * Host tests for the watermarks (pager/reclaim/watermarks.c) over a fake
 * frame count and reserve: the read-ahead floor keeps one request's frames
 * above the reserve under every rule, and sits between the minimum and the
 * start mark where there is a minimum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/config.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"

struct pager_config config;

static uint64_t total, reserve;

uint64_t frames_total(void) { return total; }
uint64_t frames_free(void) { return total; }
uint64_t frames_reserve(void) { return reserve; }
void frames_set_reserve(uint64_t n) { reserve = n; }
uint32_t swap_out_pending(void) { return 0; }

static void set(uint64_t frames, enum config_watermarks rule, unsigned free_min, unsigned at,
		unsigned to)
{
	total = frames;
	config = (struct pager_config){ .watermarks = rule, .watermark_scale = 10,
					.reclaim_at = at, .reclaim_to = to,
					.free_min = free_min, .reserve = 32 };
	watermarks_set();
}

/* Seed watermarks with no minimum (guest-reserve-floor's boot, and the
 * default percentages): the floor was twice a minimum of 0, so reading
 * ahead could take frames down to the reserve. */
static void test_seed_without_minimum(void **state)
{
	static const unsigned at[] = { 99, 80 }, to[] = { 98, 70 };
	static const uint64_t sizes[] = { 12288, 30130, 2048 };

	(void)state;
	for (unsigned k = 0; k < 2; k++)
		for (unsigned j = 0; j < 3; j++) {
			set(sizes[j], WATERMARKS_SEED, 0, at[k], to[k]);
			assert_int_equal(marks.min, 0);
			assert_true(watermarks_read_ahead_floor() > frames_reserve());
			assert_true(watermarks_read_ahead_floor() >= frames_reserve() + FREE_FLOOR);
		}
}

/* With a minimum, the floor is between it and the start mark as before:
 * boot-args.md's 128 MiB example (min 379, start 465) gives 422. */
static void test_with_minimum_unchanged(void **state)
{
	(void)state;
	set(30130, WATERMARKS_LINUX, 2, 80, 70);
	assert_int_equal(marks.min, 379);
	assert_int_equal(marks.start, 465);
	assert_int_equal(watermarks_read_ahead_floor(), 422);
	set(30130, WATERMARKS_SEED, 2, 80, 70);
	assert_true(watermarks_read_ahead_floor() >= marks.min);
	assert_true(watermarks_read_ahead_floor() <= marks.start);
	assert_int_equal(watermarks_read_ahead_floor(), 2 * marks.min);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_without_minimum),
		cmocka_unit_test(test_with_minimum_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
