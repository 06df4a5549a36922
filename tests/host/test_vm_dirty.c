/*
 * Host tests for pages read back from swap into writable regions: mapped
 * writable with the dirty bit clear while the frame keeps its slot as a
 * clean copy, the copy given up when a harvest sees the dirty bit (a
 * look, the check before a clean drop, a write fault, a fork), dropped
 * without a write while clean, and copy-on-write kept where the slot or
 * the frame is shared. Over the fake mmu, which keeps dirty bits as the
 * kernel does, and the fake swap device (swap_fake.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/abi/vm.h"
#include "swap_fake.h"
#include "vm/swapcache.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define AS 1
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, swap_fake_group_teardown)

static int setup(void **state)
{
	(void)state;
	swap_fake_setup();
	vm_set_swap(&sw_keep_ops);
	return 0;
}

/* A one-page anonymous region at VA in s holding swap_fake_fill(v), sent out, then
 * read back by a read fault; its slot in *slot, its frame returned. */
static uint64_t read_back(struct vm_space *s, uint8_t v, uint32_t *slot)
{
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, v);
	*slot = swap_out(vm_lookup(s, VA), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	swap_fake_check();
	return vm_lookup(s, VA);
}

/* A look at pa's mapping at (as, va), as reclaim's: both bits cleared. */
static unsigned look(int as, uint64_t va, uint64_t pa)
{
	struct harvest_entry e = { (uint32_t)as, HARVEST_ACCESSED | HARVEST_DIRTY, va };

	assert_int_equal(vm_harvest(&e, &pa, 1), 0);
	return e.bits;
}

/* The swapper's cheapest-first step for a clean copy: sealed, evicted
 * with its entry naming the slot again, the frame freed. */
static void drop_clean(uint64_t pa, uint32_t slot)
{
	vm_frames_seal(&pa, 1);
	assert_true(swapcache_held(pa));
	assert_int_equal(vm_evict(pa, slot), 1);
	swapcache_untie(slot);
	frame_free(pa);
	swap_fake_check();
}

/* Read back alone: writable at once with a clean dirty bit, holding the
 * slot; a write takes no fault, and the next look gives the slot up. */
static void test_written_without_fault(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa, faults;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 10, &slot);
	assert_int_equal(fake_perm(AS, VA), RW | VM_CLEAN);
	assert_int_equal(fake_dirty(AS, VA), 0);
	assert_true(swapcache_held(pa));
	assert_int_equal(sw.refs[slot], 1);	/* the frame's */

	faults = vmstat_get(VMSTAT_PGFAULT);
	fake_poke(s, VA + 7, 0x77);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), faults);
	assert_int_equal(fake_dirty(AS, VA), 1);
	assert_true(swapcache_held(pa));	/* nobody has looked yet */

	assert_int_equal(look(AS, VA, pa), HARVEST_PRESENT | HARVEST_ACCESSED | HARVEST_DIRTY);
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(swapcache_lookup(slot), 0);
	assert_int_equal(look(AS, VA, pa), HARVEST_PRESENT);

	/* Written out again, it comes back with the new byte. */
	slot = swap_out(pa, 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(s, VA + 7), 0x77);
	vm_space_destroy(s);
	swap_fake_check();
}

/* Never written: dropped without a write, the entry naming the same slot,
 * and read back with the same contents. */
static void test_clean_dropped(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 20, &slot);
	assert_int_equal(look(AS, VA, pa), HARVEST_PRESENT | HARVEST_ACCESSED);
	assert_true(swapcache_held(pa));
	drop_clean(pa, slot);
	assert_int_equal(vm_lookup(s, VA), 0);
	assert_int_equal(sw.refs[slot], 1);	/* the entry's */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(sw.reads, 2);
	swap_fake_expect_fill(s, VA, 20);
	vm_space_destroy(s);
	swap_fake_check();
}

/* The check before a clean drop finds a write no look saw: the copy goes
 * and the page keeps (or gets back) write permission, to be written out. */
static void test_seal_finds_write(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 30, &slot);
	fake_poke(s, VA, 0x31);
	vm_frames_seal(&pa, 1);
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_false(swapcache_writing(pa));
	assert_int_equal(fake_perm(AS, VA) & RW, RW);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(fake_peek(s, VA), 0x31);
	vm_space_destroy(s);
	swap_fake_check();
}

/* A write after the seal faults (write permission went with it) and takes
 * the copy away: the drop is refused, the byte kept. */
static void test_write_after_seal(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa, faults;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 40, &slot);
	vm_frames_seal(&pa, 1);
	assert_true(swapcache_held(pa));
	assert_int_equal(fake_perm(AS, VA) & VM_W, 0);
	faults = vmstat_get(VMSTAT_PGFAULT);
	fake_poke(s, VA + 1, 0x41);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), faults + 1);
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_int_equal(swapcache_slot(pa), 0);
	assert_int_equal(vm_evict(pa, slot), -1);
	assert_int_equal(fake_peek(s, VA + 1), 0x41);
	vm_space_destroy(s);
	swap_fake_check();
}

/* Sealing a batch: the mappings of every clean copy in one harvest call;
 * the copy written since is found and given up, the others stay sealed. */
static void test_seal_batch(void **state)
{
	struct vm_space *s[3];
	uint64_t pa[3];
	uint32_t slot[3];
	unsigned harvests;

	(void)state;
	for (int k = 0; k < 3; k++) {
		s[k] = fake_space(AS + k);
		pa[k] = read_back(s[k], (uint8_t)(60 + k), &slot[k]);
	}
	fake_poke(s[1], VA, 0x61);
	harvests = fake.harvests;
	vm_frames_seal(pa, 3);	/* sealed: W gone, as fake checks do not expect */
	assert_int_equal(fake.harvests, harvests + 1);
	assert_true(swapcache_held(pa[0]));
	assert_true(swapcache_held(pa[2]));
	assert_int_equal(fake_perm(AS, VA) & VM_W, 0);
	assert_int_equal(fake_perm(AS + 2, VA) & VM_W, 0);
	assert_false(swapcache_held(pa[1]));
	assert_int_equal(fake_perm(AS + 1, VA) & RW, RW);
	for (int k = 0; k < 3; k++)
		vm_space_destroy(s[k]);
	swap_fake_check();
}

/* A harvest that fails tells nothing: the seal gives every copy up. */
static void test_seal_harvest_fails(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 50, &slot);
	fake.fail_harvest = 1;
	vm_frames_seal(&pa, 1);
	fake.fail_harvest = 0;
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_int_equal(fake_perm(AS, VA), RW);
	vm_space_destroy(s);
	swap_fake_check();
}

/* Unmapping for the write-out reads the dirty bit (the seal's rule): a
 * clean copy not written keeps its slot; with the call failing, each
 * mapping goes one call each and the copy is given up, as a failed seal's
 * is (the call may have cleared a dirty bit before it failed). (The
 * VM core's side alone: the swap engine never unmaps a frame that holds
 * its slot, test_swap_engine.c.) */
static void test_unmap_reads_dirty(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 52, &slot);
	vm_frames_unmap(&pa, 1);
	swap_fake_check();
	assert_true(swapcache_held(pa));
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(vm_frame_write_end(pa), 0);
	assert_int_equal(fake_perm(AS, VA) & RW, RW);
	assert_true(swapcache_held(pa));

	fake.fail_harvest = 1;
	vm_frames_unmap(&pa, 1);
	fake.fail_harvest = 0;
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(vm_frame_write_end(pa), 0);
	assert_int_equal(fake_perm(AS, VA) & RW, RW);
	vm_space_destroy(s);
	swap_fake_check();
}

/* A clean copy written before its write-out: the dirty bit, which the
 * unmapping reads and clears, gives the copy up, so a write is never lost
 * through the write-out (the page is not dropped as its slot has it), and
 * the page comes back after it writable with nothing to keep clean. */
static void test_unmap_finds_write(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(s, 53, &slot);
	assert_true(swapcache_held(pa));
	fake_poke(s, VA, 99);
	assert_int_equal(fake_dirty(AS, VA), 1);
	vm_frames_unmap(&pa, 1);
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_false(swapcache_tied(pa));
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(vm_frame_write_end(pa), 0);
	assert_int_equal(fake_perm(AS, VA), RW);
	assert_int_equal(fake_peek(s, VA), 99);
	vm_space_destroy(s);
	swap_fake_check();
}

/* A write fault that reads the page back keeps no copy. */
static void test_write_fault_keeps_nothing(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 60);
	slot = swap_out(vm_lookup(s, VA), 0);
	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	swap_fake_check();
	assert_int_equal(fake_perm(AS, VA) & RW, RW);
	assert_false(swapcache_held(vm_lookup(s, VA)));
	assert_int_equal(sw.refs[slot], 0);
	swap_fake_expect_fill(s, VA, 60);
	vm_space_destroy(s);
	swap_fake_check();
}

/* Fork gives a writable copy up (a dirty bit left on the parent's mapping
 * would be lost when it goes), then shares the frame copy-on-write: the
 * page is written out if evicted, never dropped, even after the parent,
 * which wrote it, has gone. */
static void test_fork_gives_copy_up(void **state)
{
	struct vm_space *p = fake_space(AS), *c = fake_space(AS + 1);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = read_back(p, 70, &slot);
	fake_poke(p, VA + 2, 0x72);	/* no fault, no look */
	assert_int_equal(vm_fork(p, c), 0);
	swap_fake_check();
	assert_false(swapcache_held(pa));
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(fake_perm(AS, VA), VM_R);
	assert_int_equal(fake_perm(AS + 1, VA), VM_R);
	vm_space_destroy(p);
	swap_fake_check();
	vm_frames_seal(&pa, 1);
	assert_int_equal(swapcache_slot(pa), 0);	/* nothing to drop to */
	assert_int_equal(fake_peek(c, VA + 2), 0x72);
	vm_space_destroy(c);
	swap_fake_check();
}

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
	copy = read_back(p, 40, &slot);
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

/* A slot two entries name (fork while swapped) comes back copy-on-write
 * in both: a write copies, and nothing is mapped writable while shared. */
static void test_shared_slot_stays_cow(void **state)
{
	struct vm_space *p = fake_space(AS), *c = fake_space(AS + 1);
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 80);
	slot = swap_out(vm_lookup(p, VA), 0);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(sw.refs[slot], 2);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_perm(AS, VA), VM_R);
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_perm(AS + 1, VA), VM_R);
	fake_poke(c, VA, 0x81);
	swap_fake_check();
	swap_fake_expect_fill(p, VA, 80);
	assert_int_equal(fake_peek(c, VA), 0x81);
	vm_space_destroy(c);
	vm_space_destroy(p);
	swap_fake_check();
}

/* Exit with a copy kept: the slot and the frame both go. */
static void test_exit_frees_copy(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	read_back(s, 90, &slot);
	assert_int_equal(sw.refs[slot], 1);
	vm_space_destroy(s);
	swap_fake_check();
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(swapcache_lookup(slot), 0);
	assert_int_equal(frames_free(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_written_without_fault),
		TEST(test_clean_dropped),
		TEST(test_seal_finds_write),
		TEST(test_write_after_seal),
		TEST(test_seal_batch),
		TEST(test_seal_harvest_fails),
		TEST(test_unmap_reads_dirty),
		TEST(test_unmap_finds_write),
		TEST(test_write_fault_keeps_nothing),
		TEST(test_fork_gives_copy_up),
		TEST(test_clear_accessed_runs),
		TEST(test_clear_accessed_joins),
		TEST(test_shared_slot_stays_cow),
		TEST(test_exit_frees_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
