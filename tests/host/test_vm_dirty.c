/*
 * Host tests for pages read back from swap into writable regions: mapped
 * writable with the dirty bit clear while the frame keeps its slot as a
 * clean copy, the copy given up when a harvest sees the dirty bit (a
 * look, the check before a clean drop, the write-out's unmapping, a write
 * fault, a fork), dropped without a write while clean, and copy-on-write
 * kept where the slot or the frame is shared. Over the fake mmu, which
 * keeps dirty bits as the kernel does, and the fake swap device
 * (swap_fake.c). (The insertion rule's clearing: test_vm_clearing.c.)
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
#define TEST(f) cmocka_unit_test_setup_teardown(f, swap_fake_keep_setup, swap_fake_group_teardown)

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
	pa = swap_fake_read_back(s, VA, 10, &slot);
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
	pa = swap_fake_read_back(s, VA, 20, &slot);
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
	pa = swap_fake_read_back(s, VA, 30, &slot);
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
	pa = swap_fake_read_back(s, VA, 40, &slot);
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

/* A write after the seal whose fault the mmu refuses W back (fail_protect):
 * the fault fails and no mapping was writable, so the copy is still the
 * page's and stays held; the write tried again gets W, gives the copy
 * up, and survives a trip out to swap and back. */
static void test_write_after_seal_reprotect_refused(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = swap_fake_read_back(s, VA, 44, &slot);
	vm_frames_seal(&pa, 1);
	fake.fail_protect = 1;
	fake_fault(s, VA, VM_W, VM_FAULT_NOMEM);
	fake.fail_protect = 0;
	assert_int_equal(fake_perm(AS, VA) & VM_W, 0);
	assert_true(swapcache_writing(pa));
	assert_true(swapcache_held(pa));
	swap_fake_check();
	fake_poke(s, VA + 3, 0x45);
	assert_false(swapcache_held(pa));
	assert_int_equal(vm_evict(pa, slot), -1);	/* no clean drop */
	vm_frames_seal(&pa, 1);
	assert_false(swapcache_writing(pa));	/* nothing to seal */
	swap_out(pa, 0);
	assert_int_equal(fake_count(AS), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(s, VA + 3), 0x45);
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
		pa[k] = swap_fake_read_back(s[k], VA, (uint8_t)(60 + k), &slot[k]);
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
	pa = swap_fake_read_back(s, VA, 50, &slot);
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
 * its slot, test_swap_engine.c.) This test and the next call
 * vm_frames_unmap and vm_frame_write_end outside the engine's order
 * (vm.h: tie to the write's slot first, untie or hold after): they
 * exercise the dirty-bit read directly, on a frame tied to the slot it
 * holds, which a tie to a write's slot would take from it. */
static void test_unmap_reads_dirty(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = swap_fake_read_back(s, VA, 52, &slot);
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
 * the page comes back after it writable with nothing to keep clean.
 * Outside the engine's order, as the test above says. */
static void test_unmap_finds_write(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	pa = swap_fake_read_back(s, VA, 53, &slot);
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
	pa = swap_fake_read_back(p, VA, 70, &slot);
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
	swap_fake_read_back(s, VA, 90, &slot);
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
		TEST(test_write_after_seal_reprotect_refused),
		TEST(test_seal_batch),
		TEST(test_seal_harvest_fails),
		TEST(test_unmap_reads_dirty),
		TEST(test_unmap_finds_write),
		TEST(test_write_fault_keeps_nothing),
		TEST(test_fork_gives_copy_up),
		TEST(test_shared_slot_stays_cow),
		TEST(test_exit_frees_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
