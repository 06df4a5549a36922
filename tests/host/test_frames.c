/*
 * Host tests for pager/vm/frames.c over a buffer standing in for RAM: counts,
 * allocation order and zeroing, the table's own frames, the free list's
 * links, bad frees refused and reported (and frees while held), the
 * reserve and the low-water mark, a run's allocation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm/frames.h"

#define BASE 0x80000000UL
#define NFRAMES 256UL	/* table: 256 * 32 bytes = 2 frames */
#define PG FRAME_SIZE

static uint8_t *ram;

static int setup(void **state)
{
	(void)state;
	ram = aligned_alloc(PG, NFRAMES * PG);
	if (!ram)
		return -1;
	memset(ram, 0x5A, NFRAMES * PG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void check_ok(void)
{
	if (frames_check() < 0)
		fail_msg("frames_check: %s", frames_error());
}

/* RAM with frames 0-3 reserved and a hole at 100-109: the table takes the
 * first two free frames. */
static void init_two_ranges(void)
{
	struct frame_range free[] = { { BASE + 4 * PG, BASE + 100 * PG },
				      { BASE + 110 * PG, BASE + NFRAMES * PG } };

	assert_int_equal(frames_init(BASE, BASE + NFRAMES * PG, free, 2, ram), 0);
	check_ok();
}

static void test_descriptor(void **state)
{
	(void)state;
	assert_true(frames_descriptor_size() <= 32);
	assert_int_equal(frames_descriptor_size(), sizeof(struct frame));
}

static void test_init_counts(void **state)
{
	(void)state;
	init_two_ranges();
	assert_int_equal(frames_total(), 96 + 146);
	assert_int_equal(frames_free(), 96 + 146 - 2);
	assert_int_equal(frame_desc(BASE)->state, FRAME_RESERVED);
	assert_int_equal(frame_desc(BASE + 4 * PG)->state, FRAME_PINNED);	/* the table */
	assert_int_equal(frame_desc(BASE + 5 * PG)->state, FRAME_PINNED);
	assert_int_equal(frame_desc(BASE + 6 * PG)->state, FRAME_FREE);
	assert_int_equal(frame_desc(BASE + 105 * PG)->state, FRAME_RESERVED);
	assert_null(frame_desc(BASE + NFRAMES * PG));
	assert_null(frame_desc(BASE - PG));
	assert_null(frame_desc(BASE + 6 * PG + 8));
	assert_int_equal(frames_ram_base(), BASE);
	assert_int_equal(frames_ram_end(), BASE + NFRAMES * PG);
	/* The window shows the byte at ram_base at its start. */
	assert_ptr_equal(frame_ptr(BASE + 7 * PG), ram + 7 * PG);
}

static void test_init_rejects(void **state)
{
	struct frame_range all = { BASE, BASE + NFRAMES * PG };
	struct frame_range tiny = { BASE, BASE + PG };

	(void)state;
	assert_int_equal(frames_init(0, NFRAMES * PG, &all, 1, ram), -1);
	assert_int_equal(frames_init(BASE, BASE, &all, 1, ram), -1);
	assert_int_equal(frames_init(BASE + 8, BASE + NFRAMES * PG, &all, 1, ram), -1);
	assert_int_equal(frames_init(BASE, BASE + NFRAMES * PG, &all, 1, NULL), -1);
	/* 8 KiB of table does not fit in one free frame. */
	assert_int_equal(frames_init(BASE, BASE + NFRAMES * PG, &tiny, 1, ram), -1);
}

static void test_alloc_order_and_zero(void **state)
{
	uint64_t a, b, p;

	(void)state;
	init_two_ranges();
	a = frame_alloc();
	b = frame_alloc();
	assert_int_equal(a, BASE + 6 * PG);	/* upwards through memory */
	assert_int_equal(b, BASE + 7 * PG);
	for (size_t i = 0; i < PG; i++)
		assert_int_equal(((uint8_t *)frame_ptr(a))[i], 0);
	assert_int_equal(frame_desc(a)->state, FRAME_ANON);
	assert_int_equal(frame_desc(a)->mapcount, 0);
	p = frame_alloc_pinned();
	assert_int_equal(frame_desc(p)->state, FRAME_PINNED);
	assert_int_equal(frames_free(), 240 - 3);
	check_ok();
	frame_free(b);
	frame_free(p);
	assert_int_equal(frames_free(), 240 - 1);
	check_ok();
	assert_int_equal(frame_alloc(), p);	/* the last freed comes back first */
	check_ok();
}

static void test_exhaust(void **state)
{
	uint64_t n = 0, pa, last = 0;

	(void)state;
	init_two_ranges();
	while ((pa = frame_alloc()) != 0) {
		assert_true(pa > last);
		assert_true(pa < BASE + 100 * PG || pa >= BASE + 110 * PG);
		last = pa;
		n++;
	}
	assert_int_equal(n, 240);
	assert_int_equal(frames_free(), 0);
	assert_int_equal(frame_alloc_pinned(), 0);
	check_ok();
	for (pa = BASE + 6 * PG; pa < BASE + NFRAMES * PG; pa += 2 * PG)
		if (frame_desc(pa)->state == FRAME_ANON)
			frame_free(pa);
	check_ok();
	assert_int_equal(frames_free(), 120);
}

/* Free frames in a scattered order, then check the list both ways. */
static void test_free_list_links(void **state)
{
	uint64_t pas[40];

	(void)state;
	init_two_ranges();
	for (int i = 0; i < 40; i++)
		pas[i] = frame_alloc();
	for (int i = 0; i < 40; i += 3)
		frame_free(pas[i]);
	for (int i = 1; i < 40; i += 3)
		frame_free(pas[i]);
	check_ok();
	/* Break a back-link: the check must see it. */
	frame_desc(pas[1])->prev = FRAME_NONE;
	assert_int_equal(frames_check(), -1);
	assert_non_null(frames_error());
	/* A frame marked free but left off the list. */
	init_two_ranges();
	pas[0] = frame_alloc();
	frame_desc(pas[0])->state = FRAME_FREE;
	assert_int_equal(frames_check(), -1);
}

static void expect_refused(uint64_t pa, const char *what)
{
	init_two_ranges();
	frame_free(pa);
	if (frames_check() == 0)
		fail_msg("freeing %s was not caught", what);
	assert_non_null(frames_error());
}

static void test_bad_frees(void **state)
{
	uint64_t pa;

	(void)state;
	expect_refused(BASE + 6 * PG, "a free frame");
	expect_refused(BASE, "a reserved frame");
	expect_refused(BASE + 4 * PG, "the table");
	expect_refused(BASE + NFRAMES * PG, "a frame outside RAM");
	expect_refused(BASE + 6 * PG + 16, "an unaligned address");

	init_two_ranges();
	pa = frame_alloc();
	frame_free(pa);
	check_ok();
	frame_free(pa);		/* double free */
	assert_int_equal(frames_check(), -1);

	init_two_ranges();
	pa = frame_alloc();
	frame_desc(pa)->mapcount = 1;
	frame_free(pa);
	assert_int_equal(frames_check(), -1);
	assert_int_equal(frame_desc(pa)->state, FRAME_ANON);	/* left alone */

	init_two_ranges();
	pa = frame_alloc();
	frame_desc(pa)->obj = 3;
	frame_free(pa);
	assert_int_equal(frames_check(), -1);
}

/* While frees are held (vm_unmaps_hold: an unmap may not have reached the
 * kernel), a free of a frame that could otherwise go is refused and
 * recorded for frames_check, the frame left allocated; once let go, the
 * same free frees it. */
static void test_held_frees(void **state)
{
	uint64_t pa, nfree;

	(void)state;
	init_two_ranges();
	pa = frame_alloc();
	nfree = frames_free();
	frames_hold_frees(1);
	frame_free(pa);
	assert_int_equal(frame_desc(pa)->state, FRAME_ANON);
	assert_int_equal(frames_free(), nfree);
	assert_int_equal(frames_check(), -1);
	assert_non_null(strstr(frames_error(), "unmaps held"));
	frames_hold_frees(0);
	frame_free(pa);
	assert_int_equal(frame_desc(pa)->state, FRAME_FREE);
	assert_int_equal(frames_free(), nfree + 1);
	/* frames_init starts over: held frees are not carried into it. */
	frames_hold_frees(1);
	init_two_ranges();
	pa = frame_alloc();
	frame_free(pa);
	check_ok();
}

/* frame_alloc_unzeroed hands out the same frames as frame_alloc (state,
 * order, reserve), but leaves what the last owner wrote: a copy-on-write
 * copy overwrites it whole. frame_alloc still zeroes the same frame. */
static void test_alloc_unzeroed(void **state)
{
	uint64_t a, b;

	(void)state;
	init_two_ranges();
	a = frame_alloc();
	memset(frame_ptr(a), 0xa5, PG);
	frame_free(a);
	b = frame_alloc_unzeroed();
	assert_int_equal(b, a);	/* the last freed comes back first */
	assert_int_equal(frame_desc(b)->state, FRAME_ANON);
	assert_int_equal(((uint8_t *)frame_ptr(b))[PG - 1], 0xa5);	/* not zeroed */
	frame_free(b);
	b = frame_alloc();
	assert_int_equal(b, a);
	assert_int_equal(((uint8_t *)frame_ptr(b))[PG - 1], 0);
	frame_free(b);
	memset(frame_ptr(b), 0xa5, PG);	/* free: the next taker's old contents */
	/* The pager's own, for its heap (which zeroes what it hands out):
	 * pinned, its contents left, from the reserve too; a pinned one
	 * zeroed else. */
	frames_set_reserve(frames_free());
	assert_int_equal(frame_alloc_unzeroed(), 0);	/* the reserve is not its */
	b = frame_alloc_pinned_unzeroed();
	assert_int_equal(b, a);
	assert_int_equal(frame_desc(b)->state, FRAME_PINNED);
	assert_int_equal(((uint8_t *)frame_ptr(b))[PG - 1], 0xa5);
	frame_free(b);
	b = frame_alloc_pinned();
	assert_int_equal(b, a);
	assert_int_equal(((uint8_t *)frame_ptr(b))[PG - 1], 0);
	frame_free(b);
	check_ok();
}

/* With a reserve of R, ordinary allocations stop while R frames are still
 * free; the pager's own (pinned) allocations may take those R too. */
static void test_reserve(void **state)
{
	const uint64_t r = 10;
	uint64_t n = 0, pa;

	(void)state;
	init_two_ranges();
	assert_int_equal(frames_reserve(), 0);
	frames_set_reserve(r);
	assert_int_equal(frames_reserve(), r);
	while ((pa = frame_alloc()) != 0) {
		assert_int_equal(frame_desc(pa)->state, FRAME_ANON);
		n++;
	}
	assert_int_equal(n, 240 - r);
	assert_int_equal(frames_free(), r);
	assert_int_equal(frame_alloc(), 0);	/* refusing takes nothing */
	assert_int_equal(frames_free(), r);
	check_ok();
	for (n = 0; (pa = frame_alloc_pinned()) != 0; n++)
		assert_int_equal(frame_desc(pa)->state, FRAME_PINNED);
	assert_int_equal(n, r);
	assert_int_equal(frames_free(), 0);
	assert_int_equal(frame_alloc(), 0);
	check_ok();
}

/* A frame freed while the free count is at the reserve goes to the
 * reserve: only the one above it can be had again. */
static void test_reserve_refill(void **state)
{
	uint64_t a, b;

	(void)state;
	init_two_ranges();
	frames_set_reserve(238);	/* 240 free: two above the reserve */
	a = frame_alloc();
	b = frame_alloc();
	assert_int_not_equal(a, 0);
	assert_int_not_equal(b, 0);
	assert_int_equal(frame_alloc(), 0);
	frame_free(a);
	assert_int_equal(frame_alloc(), a);
	assert_int_equal(frame_alloc(), 0);
	/* Raised above what is free: nothing for frame_alloc, all for pinned. */
	frames_set_reserve(1000);
	assert_int_equal(frame_alloc(), 0);
	assert_int_not_equal(frame_alloc_pinned(), 0);
	assert_int_equal(frames_free(), 237);
	frames_set_reserve(0);
	assert_int_not_equal(frame_alloc(), 0);
	check_ok();
}

/* The low-water mark: the fewest free since frames_init, whichever kind
 * of allocation went down there; frees do not raise it. */
static void test_lowest_free(void **state)
{
	uint64_t pas[30];

	(void)state;
	init_two_ranges();
	assert_int_equal(frames_lowest_free(), 240);
	for (int i = 0; i < 30; i++)
		pas[i] = frame_alloc();
	assert_int_equal(frames_lowest_free(), 210);
	for (int i = 0; i < 20; i++)
		frame_free(pas[i]);
	assert_int_equal(frames_free(), 230);
	assert_int_equal(frames_lowest_free(), 210);
	for (int i = 0; i < 15; i++)
		pas[i] = frame_alloc();
	assert_int_equal(frames_lowest_free(), 210);	/* 215: not lower */
	for (int i = 15; i < 20; i++)
		pas[i] = frame_alloc_pinned();
	assert_int_equal(frames_lowest_free(), 210);
	pas[20] = frame_alloc_pinned();
	assert_int_equal(frames_free(), 209);
	assert_int_equal(frames_lowest_free(), 209);
	/* A refused allocation leaves it as it was. */
	frames_set_reserve(209);
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frames_lowest_free(), 209);
	check_ok();
}

/* What the observers heard: frames one at a time, and runs. */
static uint64_t heard[16];
static unsigned nheard, nruns;

static void hear_one(void *ctx, uint64_t pa, int allocated)
{
	(void)ctx;
	assert_int_equal(allocated, 1);
	heard[nheard++] = pa;
}

static void hear_run(void *ctx, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	nruns++;
	for (unsigned k = 0; k < n; k++)
		heard[nheard++] = pa[k];
}

/* frame_alloc_run takes frames in frame_alloc's order, zeroed, stops at
 * the reserve, moves the low-water mark, and tells the run observer once
 * (without one, the frame observer once a frame). */
static void test_alloc_run(void **state)
{
	uint64_t pa[8];

	(void)state;
	init_two_ranges();
	nheard = nruns = 0;
	frames_set_observer(hear_one, hear_run, NULL);
	assert_int_equal(frame_alloc_run(pa, 3), 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(pa[k], BASE + (6 + k) * PG);
		assert_int_equal(frame_desc(pa[k])->state, FRAME_ANON);
		for (size_t i = 0; i < PG; i++)
			assert_int_equal(((uint8_t *)frame_ptr(pa[k]))[i], 0);
		assert_int_equal(heard[k], pa[k]);
	}
	assert_int_equal(nruns, 1);
	assert_int_equal(frames_lowest_free(), 237);
	nheard = nruns = 0;
	frames_set_observer(hear_one, NULL, NULL);
	frames_set_reserve(235);	/* two above it */
	assert_int_equal(frame_alloc_run(pa, 8), 2);
	assert_int_equal(nheard, 2);
	assert_int_equal(nruns, 0);
	assert_int_equal(heard[1], pa[1]);
	assert_int_equal(frames_lowest_free(), 235);
	assert_int_equal(frame_alloc_run(pa, 8), 0);	/* the reserve is not its */
	frames_set_observer(NULL, NULL, NULL);
	check_ok();
}

/* frames_init starts over: no reserve, the low-water mark at the free count. */
static void test_init_resets_reserve(void **state)
{
	(void)state;
	init_two_ranges();
	frames_set_reserve(200);
	for (int i = 0; i < 40; i++)
		assert_int_not_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frames_lowest_free(), 200);
	init_two_ranges();
	assert_int_equal(frames_reserve(), 0);
	assert_int_equal(frames_lowest_free(), 240);
	assert_int_equal(frames_free(), 240);
	assert_int_not_equal(frame_alloc(), 0);
	assert_int_equal(frames_lowest_free(), 239);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test_setup_teardown(test_init_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_order_and_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_unzeroed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_list_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_refill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_resets_reserve, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
