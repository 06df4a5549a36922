/*
 * Host tests for the insertion rule's clearing (vm_frames_clear_accessed,
 * pager/vm/clear_accessed.c): consecutive pages as run entries, a frame holding
 * a clean copy or mapped twice alone, every accessed bit cleared and no
 * dirty bit. Over the fake mmu (vm_fake.c) and the fake swap device
 * (swap_fake.c), keeping copies so that a page read back holds one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap_fake.h"
#include "vm/swapcache.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define AS 1
#define TEST(f) cmocka_unit_test_setup_teardown(f, swap_fake_keep_setup, swap_fake_group_teardown)

#define RUN_VA 0x100000UL
#define RUN_PAGES 80

/* Every mapping of the frames cleared (vm_frames_clear_accessed) lost its
 * accessed bit and kept its dirty bit; mapped[k] (as << 56 | va) for k < n. */
static void check_cleared(const uint64_t *mapped, const int *dirty, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int as = (int)(mapped[k] >> 56);
		uint64_t va = mapped[k] & ((1UL << 56) - 1);

		assert_int_equal(fake_accessed(as, va), 0);
		assert_int_equal(fake_dirty(as, va), dirty[k]);
	}
}

/* The insertion rule's clearing: pages that follow one another, of frames
 * mapped once that hold no copy, go as run entries of at most
 * HARVEST_RUN_MAX pages; a frame holding a clean copy goes alone (its
 * dirty bit is news: the copy is given up), a frame mapped twice as one
 * entry a mapping; every accessed bit is cleared, no dirty bit. */
static void test_clear_accessed_runs(void **state)
{
	struct vm_space *p = fake_space(AS), *q = fake_space(AS + 2), *c = fake_space(AS + 3);
	uint64_t pa[RUN_PAGES + 4], mapped[RUN_PAGES + 4];
	int dirty[RUN_PAGES + 4];
	size_t n = 0, m = 0;
	uint64_t copy;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, RUN_VA, RUN_VA + RUN_PAGES * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(q, VA, VA + PG, RW, VM_ANON, NULL), 0);
	copy = swap_fake_read_back(p, VA, 40, &slot);
	fake_poke(p, VA, 0x41);	/* written, no look: the copy is still held */
	fake_poke(q, VA, 1);
	assert_int_equal(vm_fork(q, c), 0);	/* q's frame now mapped twice */
	for (unsigned k = 0; k < RUN_PAGES; k++)
		if (k != 4)	/* a gap: page 5 starts a new run */
			fake_poke(p, RUN_VA + k * PG, (uint8_t)k);
	for (unsigned k = 0; k < RUN_PAGES; k++)
		if (k != 4)
			pa[n++] = vm_lookup(p, RUN_VA + k * PG), mapped[m++] = ((uint64_t)AS << 56) | (RUN_VA + k * PG);
	pa[n++] = copy, mapped[m++] = ((uint64_t)AS << 56) | VA;
	pa[n++] = vm_lookup(q, VA), mapped[m++] = ((uint64_t)(AS + 2) << 56) | VA;
	mapped[m++] = ((uint64_t)(AS + 3) << 56) | VA;
	for (size_t k = 0; k < m; k++)
		dirty[k] = fake_dirty((int)(mapped[k] >> 56), mapped[k] & ((1UL << 56) - 1));
	assert_true(swapcache_held(copy));
	fake.harvests = fake.harvest_entries = fake.harvest_pages = 0;

	vm_frames_clear_accessed(pa, n);
	assert_int_equal(fake.harvests, 1);
	/* runs: 0-3, 5-68 (64), 69-79; then the copy, then q's two mappings */
	assert_int_equal(fake.harvest_entries, 6);
	assert_int_equal(fake.harvest_pages, m);
	check_cleared(mapped, dirty, m);
	assert_false(swapcache_held(copy));	/* its dirty bit was news */
	swap_fake_check();
	vm_space_destroy(c);
	vm_space_destroy(q);
	vm_space_destroy(p);
	swap_fake_check();
}

#define SWAPS 70	/* entries that take more than one harvest call */

/* Runs are joined across frames that need no entry (one not mapped yet:
 * the fault being served) but not across another space's page or a page
 * out of order; more entries than one call takes go in two calls, and
 * every accessed bit is still cleared. */
static void test_clear_accessed_joins(void **state)
{
	struct vm_space *p = fake_space(AS), *q = fake_space(AS + 1);
	uint64_t pa[2 * SWAPS + 8], mapped[2 * SWAPS + 8];
	int dirty[2 * SWAPS + 8];
	uint64_t unmapped;
	size_t n = 0;

	(void)state;
	assert_int_equal(vm_region_add(p, RUN_VA, RUN_VA + SWAPS * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(q, RUN_VA, RUN_VA + SWAPS * PG, RW, VM_ANON, NULL), 0);
	for (unsigned k = 0; k < SWAPS; k++) {
		fake_poke(p, RUN_VA + k * PG, 1);
		fake_poke(q, RUN_VA + k * PG, 1);
	}
	unmapped = frame_alloc();	/* a frame with no mapping (free again) */
	assert_int_not_equal(unmapped, 0);
	frame_free(unmapped);
	/* p's pages 0-2, a frame with no mapping, 3-5: one entry */
	for (unsigned k = 0; k < 7; k++) {
		unsigned page = k < 3 ? k : k - 1;
		pa[n] = k == 3 ? unmapped : vm_lookup(p, RUN_VA + page * PG);
		mapped[n++] = ((uint64_t)AS << 56) | (RUN_VA + page * PG);
	}
	/* p's page 7 before 6: two entries */
	for (unsigned page = 7; page >= 6; page--) {
		pa[n] = vm_lookup(p, RUN_VA + page * PG);
		mapped[n++] = ((uint64_t)AS << 56) | (RUN_VA + page * PG);
	}
	/* then p's and q's pages in turn: an entry each */
	for (unsigned k = 8; k < SWAPS; k++)
		for (int as = AS; as <= AS + 1; as++) {
			pa[n] = vm_lookup(as == AS ? p : q, RUN_VA + k * PG);
			mapped[n++] = ((uint64_t)as << 56) | (RUN_VA + k * PG);
		}
	mapped[3] = mapped[0];	/* the unmapped frame's slot: check page 0 again */
	for (size_t k = 0; k < n; k++)
		dirty[k] = fake_dirty((int)(mapped[k] >> 56), mapped[k] & ((1UL << 56) - 1));
	fake.harvests = fake.harvest_entries = fake.harvest_pages = fake.harvests_crossing = 0;

	vm_frames_clear_accessed(pa, n);
	assert_int_equal(fake.harvests, 2);
	assert_int_equal(fake.harvests_crossing, 0);	/* the first, full, answered in place */
	assert_int_equal(fake.harvest_entries, 1 + 2 + 2 * (SWAPS - 8));
	assert_int_equal(fake.harvest_pages, n - 1);
	check_cleared(mapped, dirty, n);
	vm_space_destroy(q);
	vm_space_destroy(p);
	swap_fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_clear_accessed_runs),
		TEST(test_clear_accessed_joins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
