/*
 * Host tests for kernel/abi/clock.h, the one tick conversion the kernel's
 * clock (SYS_CLOCK, the timers' look at the time each tick) and the
 * pager's own clock (pager/base/clock.c, which reads the time CSR without a
 * system call) share: checked against exact 128-bit arithmetic at
 * timebases real boards use, up to uptimes of centuries. And the pager's
 * clock itself, built over the host tests' arch_time.h (tests/host/arch/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch_time.h"
#include "base/clock.h"
#include "kernel/abi/clock.h"

static const uint64_t rates[] = { 1000000, 10000000, 24000000, 32768, 1000000000, 3 };

static uint64_t exact_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * CLOCK_NS_PER_S / hz);
}

static uint64_t exact_ticks(uint64_t ns, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ns * hz / CLOCK_NS_PER_S);
}

/* Exact (rounded down) wherever the answer fits, including where the
 * plain product ticks * 10^9 would overflow 64 bits. */
static void test_ticks_to_ns_exact(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t hz = rates[r];
		uint64_t samples[] = { 0, 1, hz - 1, hz, hz + 1, 123456789012ULL,
				       UINT64_MAX / CLOCK_NS_PER_S + 7, (uint64_t)1 << 40 };

		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
			assert_int_equal(clock_ticks_to_ns(samples[i], hz), exact_ns(samples[i], hz));
	}
}

static void test_ns_to_ticks_exact(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t hz = rates[r];
		uint64_t samples[] = { 0, 1, 999999999, CLOCK_NS_PER_S, 3 * CLOCK_NS_PER_S + 5,
				       (uint64_t)INT64_MAX / 2, (uint64_t)INT64_MAX };

		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
			assert_int_equal(clock_ns_to_ticks(samples[i], hz), exact_ticks(samples[i], hz));
	}
}

/* The clock never runs backwards: each tick count's nanoseconds are at
 * least the last's, across every whole second (where the split's two
 * halves trade places) and far out. */
static void test_never_backwards(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t hz = rates[r];
		uint64_t back = hz > 50 ? 50 : 0;	/* a start just before a whole second */
		uint64_t starts[] = { 0, hz - back, 7 * hz - back,
				      UINT64_MAX / CLOCK_NS_PER_S * hz / 2 };	/* ~292 years */

		for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
			uint64_t last = clock_ticks_to_ns(starts[k], hz);

			for (uint64_t t = starts[k] + 1; t < starts[k] + 100; t++) {
				uint64_t ns = clock_ticks_to_ns(t, hz);

				assert_true(ns >= last);
				last = ns;
			}
		}
	}
}

uint64_t host_arch_time;

/* The pager's clock is the time read, in nanoseconds at the timebase it
 * was given: a second's ticks at one rate are not a second at another. */
static void test_pager_clock(void **state)
{
	(void)state;
	pager_clock_init(24000000);
	host_arch_time = 5 * 24000000ULL + 12;
	assert_int_equal(pager_clock(), 5 * (int64_t)CLOCK_NS_PER_S + 500);
	pager_clock_init(32768);
	host_arch_time = 3 * 32768ULL;
	assert_int_equal(pager_clock(), 3 * (int64_t)CLOCK_NS_PER_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks_to_ns_exact),
		cmocka_unit_test(test_ns_to_ticks_exact),
		cmocka_unit_test(test_never_backwards),
		cmocka_unit_test(test_pager_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
