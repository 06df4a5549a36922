/*
 * Host tests for discardable memory in the pager's VM core (vm/discard.c):
 * which ranges may be unlocked and locked, what vm_discard_some drops and
 * what it must leave (locked, shared after fork, being written out,
 * pinned, kept by the swap cache for another entry), the owner seeing
 * zeros after a loss, reclaim on a fault dropping unlocked pages first,
 * swapped pages going at unlock, and a fork whose child's page array
 * reclaims (a chunk wrapper drops). vm_check runs after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/slab.h"
#include "swap_fake.h"
#include "reclaim/look_budget.h"
#include "vm/swapcache.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define AS 1
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TEST_SWAP(f) cmocka_unit_test_setup_teardown(f, setup_swap, teardown_swap)

/* Linked with --wrap=slab_alloc: when armed, the next page-array chunk
 * the code under test makes first runs reclaim's discard step, as the
 * pager's heap reclaiming for an allocation would (heap_alloc.h). */
void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_slab_alloc(struct slab_cache *c);
static int discard_on_chunk;

void *__wrap_slab_alloc(struct slab_cache *c)
{
	if (discard_on_chunk && slab_object_bytes(c) == pv_chunk_bytes()) {
		discard_on_chunk = 0;
		vm_discard_some(4, reclaim_look_budget(4));
	}
	return __real_slab_alloc(c);
}

static int setup(void **state)
{
	discard_on_chunk = 0;
	(void)state;
	fake_setup(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_teardown();
	return 0;
}

/* The byte at offset k of the page filled with seed: differs per page and
 * per offset, and is never all zero, so a zero page can't pass for it. */
static uint8_t pattern(uint8_t seed, size_t k)
{
	return (uint8_t)(seed + k * 7 + 1);
}

/* Write the whole page at va as a program would: the first store faults
 * it in writable (fake_poke), the rest go straight to the frame. */
static void fill_page(struct vm_space *s, uint64_t va, uint8_t seed)
{
	uint8_t *p;

	fake_poke(s, va, pattern(seed, 0));
	p = frame_ptr(vm_lookup(s, va));
	for (size_t k = 0; k < PG; k++)
		p[k] = pattern(seed, k);
}

static void fill_pages(struct vm_space *s, uint64_t va, unsigned n, uint8_t seed)
{
	for (unsigned i = 0; i < n; i++)
		fill_page(s, va + i * PG, (uint8_t)(seed + i));
}

/* Reclaim's first step as reclaim/free.c takes it: want pages, within
 * reclaim's look budget for them. */
static size_t discard(size_t want)
{
	return vm_discard_some(want, reclaim_look_budget(want));
}

/* The page at va is present and holds every byte fill_page(seed) wrote. */
static void expect_page(struct vm_space *s, uint64_t va, uint8_t seed)
{
	uint64_t pa = vm_lookup(s, va);
	const uint8_t *p;

	assert_int_not_equal(pa, 0);
	p = frame_ptr(pa);
	for (size_t k = 0; k < PG; k++)
		if (p[k] != pattern(seed, k))
			fail_msg("va 0x%lx byte %zu is %u, not %u", (unsigned long)va, k, p[k],
				 pattern(seed, k));
}

/* A read of the page at va (absent: it went) faults in a page of zeros,
 * with no trace of what was there. */
static void expect_zero_after_fault(struct vm_space *s, uint64_t va)
{
	const uint8_t *p;

	assert_int_equal(vm_lookup(s, va), 0);
	fake_fault(s, va, VM_R, VM_FAULT_MAPPED);
	p = frame_ptr(vm_lookup(s, va));
	for (size_t k = 0; k < PG; k++)
		if (p[k])
			fail_msg("va 0x%lx byte %zu is %u after the discard", (unsigned long)va, k,
				 p[k]);
}

/* Neither unlock nor lock accepts [start, end). */
static void expect_refused(struct vm_space *s, uint64_t start, uint64_t end)
{
	if (vm_discard_unlock(s, start, end) != -1)
		fail_msg("unlock [0x%lx, 0x%lx) accepted", (unsigned long)start,
			 (unsigned long)end);
	if (vm_discard_lock(s, start, end) != -1)
		fail_msg("lock [0x%lx, 0x%lx) accepted", (unsigned long)start,
			 (unsigned long)end);
	fake_check();
}

static unsigned present(struct vm_space *s, uint64_t va, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += vm_lookup(s, va + i * PG) != 0;
	return k;
}

/* Only exactly one private anonymous region may be unlocked or locked:
 * part of one, two together, shared memory, a stack, an image, a guard
 * page or nothing at all are refused, and refusing changes nothing. */
static void test_range_checks(void **state)
{
	static const uint8_t file[16] = { 1, 2, 3 };
	struct vm_image img = { file, 0, 0x40000, sizeof(file) };
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x14000, 0x16000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x20000, 0x22000, RW, VM_SHARED, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x31000, 0x33000, RW, VM_STACK, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x40000, 0x41000, VM_R, VM_IMAGE, &img), 0);
	/* A page in each, so a wrongly accepted range would have something
	 * for vm_discard_some to drop. */
	fill_page(s, 0x10000, 1);
	fill_page(s, 0x14000, 2);
	fill_page(s, 0x20000, 3);
	fill_page(s, 0x32000, 4);
	fake_fault(s, 0x40000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(frames_free(), free0 - 5);

	expect_refused(s, 0x10000, 0x12000);	/* the head of a region */
	expect_refused(s, 0x11000, 0x14000);	/* its tail */
	expect_refused(s, 0x11000, 0x12000);	/* its middle */
	expect_refused(s, 0x10000, 0x16000);	/* two adjacent regions */
	expect_refused(s, 0x10000, 0x17000);	/* one, and beyond it */
	expect_refused(s, 0x0f000, 0x14000);	/* from below it */
	expect_refused(s, 0x10800, 0x14000);	/* not page aligned */
	expect_refused(s, 0x10000, 0x10000);	/* empty */
	expect_refused(s, 0x20000, 0x22000);	/* VM_SHARED: others see its pages */
	expect_refused(s, 0x31000, 0x33000);	/* VM_STACK */
	expect_refused(s, 0x30000, 0x33000);	/* the stack with its guard page */
	expect_refused(s, 0x40000, 0x41000);	/* VM_IMAGE */
	expect_refused(s, 0x50000, 0x51000);	/* no region at all */

	/* Nothing was unlocked by any of it. */
	assert_int_equal(discard(100), 0);
	assert_int_equal(frames_free(), free0 - 5);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);
	expect_page(s, 0x10000, 1);
	expect_page(s, 0x14000, 2);
	expect_page(s, 0x20000, 3);
	expect_page(s, 0x32000, 4);

	/* Each whole anonymous region is accepted, locked or not. */
	assert_int_equal(vm_discard_lock(s, 0x10000, 0x14000), 0);	/* never unlocked */
	assert_int_equal(vm_discard_unlock(s, 0x10000, 0x14000), 0);
	assert_int_equal(vm_discard_unlock(s, 0x14000, 0x16000), 0);
	/* A refused lock leaves the region unlocked. */
	assert_int_equal(vm_discard_lock(s, 0x10000, 0x13000), -1);
	assert_int_equal(vm_discard_lock(s, 0x14000, 0x16000), 0);
	fake_check();
	/* So only the first region's page goes. */
	assert_int_equal(discard(100), 1);
	fake_check();
	assert_int_equal(vm_lookup(s, 0x10000), 0);
	expect_page(s, 0x14000, 2);
	assert_int_equal(frames_free(), free0 - 4);
	assert_int_equal(vm_discard_lock(s, 0x10000, 0x14000), 1);
	vm_space_destroy(s);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* With no pressure between unlock and lock nothing is lost: lock says 0
 * and every byte is still there; so does a second round. */
static void test_lock_without_pressure(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 3, 10);	/* the fourth stays untouched */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(vm_discard_unlock(s, VA, VA + 4 * PG), 0);
		fake_check();
		/* Unlocking again is harmless. */
		assert_int_equal(vm_discard_unlock(s, VA, VA + 4 * PG), 0);
		assert_int_equal(vm_discard_lock(s, VA, VA + 4 * PG), 0);
		fake_check();
		for (unsigned i = 0; i < 3; i++)
			expect_page(s, VA + i * PG, (uint8_t)(10 + i));
		assert_int_equal(vm_lookup(s, VA + 3 * PG), 0);
		assert_int_equal(frames_free(), free0 - 3);
	}
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);
	/* Locking what is locked already says nothing went. */
	assert_int_equal(vm_discard_lock(s, VA, VA + 4 * PG), 0);
	/* An unlocked region never touched has nothing to give. */
	assert_int_equal(vm_region_add(s, 0x30000, 0x38000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_discard_unlock(s, 0x30000, 0x38000), 0);
	assert_int_equal(discard(8), 0);
	assert_int_equal(vm_discard_lock(s, 0x30000, 0x38000), 0);
	vm_space_destroy(s);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* vm_discard_some(want) frees min(want, pages left) frames, each one
 * counted in `discarded`; the pages are absent, and after the lock (which
 * says 1, once) each reads as zeros, never as what was there. */
static void test_discard_some_counts(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free(), d0;

	(void)state;
	/* 8 pages, 6 touched: the two absent ones are no frames to free. */
	assert_int_equal(vm_region_add(s, VA, VA + 8 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 6, 40);
	assert_int_equal(frames_free(), free0 - 6);
	assert_int_equal(vm_discard_unlock(s, VA, VA + 8 * PG), 0);
	d0 = vmstat_get(VMSTAT_PGLAZYFREED);
	assert_int_equal(d0, 0);	/* nothing swapped: unlock drops nothing */

	/* want 4 of 6: exactly 4. */
	assert_int_equal(discard(4), 4);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 4);
	assert_int_equal(present(s, VA, 8), 2);
	assert_int_equal(fake_count(AS), 2);
	/* The two left are whole and untouched by it. */
	for (unsigned i = 0; i < 6; i++)
		if (vm_lookup(s, VA + i * PG))
			expect_page(s, VA + i * PG, (uint8_t)(40 + i));
	/* want 1: 1. */
	assert_int_equal(discard(1), 1);
	fake_check();
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 5);
	/* want 10 of the last 1: 1; then none left. */
	assert_int_equal(discard(10), 1);
	fake_check();
	assert_int_equal(discard(10), 0);
	assert_int_equal(discard(0), 0);
	assert_int_equal(frames_free(), free0);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 6);
	assert_int_equal(present(s, VA, 8), 0);
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), 0);

	/* The owner learns of it once. */
	assert_int_equal(vm_discard_lock(s, VA, VA + 8 * PG), 1);
	assert_int_equal(vm_discard_lock(s, VA, VA + 8 * PG), 0);
	for (unsigned i = 0; i < 8; i++)
		expect_zero_after_fault(s, VA + i * PG);
	assert_int_equal(frames_free(), free0 - 8);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 6 + 8);
	/* Locked, its pages stay whatever the pressure. */
	assert_int_equal(discard(8), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 6);
	vm_space_destroy(s);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* Regions never unlocked, or locked again, are never dropped, in any
 * space; only the unlocked one gives its pages. */
static void test_locked_untouched(void **state)
{
	struct vm_space *a = fake_space(1), *b = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(a, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(a, 0x20000, 0x22000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(b, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(a, VA, 3, 1);
	fill_pages(a, 0x20000, 2, 20);
	fill_pages(b, VA, 2, 30);
	/* Nothing unlocked yet. */
	assert_int_equal(discard(100), 0);
	/* Unlocked and locked again before any pressure. */
	assert_int_equal(vm_discard_unlock(a, 0x20000, 0x22000), 0);
	assert_int_equal(vm_discard_lock(a, 0x20000, 0x22000), 0);
	assert_int_equal(discard(100), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 7);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);

	/* b's region unlocked: its 2 pages go, nothing of a's. */
	assert_int_equal(vm_discard_unlock(b, VA, VA + 2 * PG), 0);
	assert_int_equal(discard(100), 2);
	fake_check();
	assert_int_equal(frames_free(), free0 - 5);
	assert_int_equal(present(b, VA, 2), 0);
	for (unsigned i = 0; i < 3; i++)
		expect_page(a, VA + i * PG, (uint8_t)(1 + i));
	for (unsigned i = 0; i < 2; i++)
		expect_page(a, 0x20000 + i * PG, (uint8_t)(20 + i));
	assert_int_equal(vm_discard_lock(b, VA, VA + 2 * PG), 1);
	assert_int_equal(vm_discard_lock(a, VA, VA + 3 * PG), 0);
	assert_int_equal(vm_discard_lock(a, 0x20000, 0x22000), 0);
	vm_space_destroy(a);
	vm_space_destroy(b);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* A page shared copy-on-write after fork would not be freed by dropping
 * one mapping: it is left. Once the child's write parts them, the parent's
 * page is its own and may go; the child's copy and the page still shared
 * are kept. */
static void test_shared_after_fork(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), pa0, pa1;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(p, VA, 2, 50);
	pa0 = vm_lookup(p, VA);
	pa1 = vm_lookup(p, VA + PG);
	assert_int_equal(vm_fork(p, c), 0);
	/* Unlocked in the parent only: the child's region stays locked. */
	assert_int_equal(vm_discard_unlock(p, VA, VA + 2 * PG), 0);
	fake_check();
	assert_int_equal(vm_mapcount(pa0), 2);
	assert_int_equal(vm_mapcount(pa1), 2);
	assert_int_equal(discard(8), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);
	assert_int_equal(vm_lookup(p, VA), pa0);
	assert_int_equal(vm_lookup(p, VA + PG), pa1);
	assert_int_equal(vm_discard_lock(p, VA, VA + 2 * PG), 0);

	/* The child writes page 0: it gets a copy, the parent's is its own. */
	assert_int_equal(vm_discard_unlock(p, VA, VA + 2 * PG), 0);
	fake_poke(c, VA + 1, 0xEE);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(vm_mapcount(pa0), 1);
	assert_int_equal(vm_lookup(p, VA), pa0);
	assert_int_equal(frames_free(), free0 - 3);
	assert_int_equal(discard(8), 1);
	fake_check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 1);
	assert_int_equal(vm_lookup(p, VA), 0);
	assert_int_equal(vm_lookup(p, VA + PG), pa1);	/* still shared: kept */
	assert_int_equal(vm_mapcount(pa1), 2);
	/* The child's copy has the parent's old bytes and its own write. */
	assert_int_equal(fake_peek(c, VA), pattern(50, 0));
	assert_int_equal(fake_peek(c, VA + 1), 0xEE);
	assert_int_equal(fake_peek(c, VA + 2), pattern(50, 2));
	expect_page(c, VA + PG, 51);

	assert_int_equal(vm_discard_lock(p, VA, VA + 2 * PG), 1);
	assert_int_equal(vm_discard_lock(c, VA, VA + 2 * PG), 0);
	expect_zero_after_fault(p, VA);
	expect_page(p, VA + PG, 51);
	vm_space_destroy(c);
	vm_space_destroy(p);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* A fork while memory is short: making the child's page array reclaims,
 * and reclaim drops the parent's unlocked page before the child took it.
 * The child has lost it as the parent has: both locks say so. */
static void test_fork_reclaim_drop_told_to_child(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	fill_page(p, VA, 60);
	assert_int_equal(vm_discard_unlock(p, VA, VA + PG), 0);
	discard_on_chunk = 1;
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(discard_on_chunk, 0);	/* the child's chunk was made */
	fake_check();
	assert_int_equal(vm_lookup(p, VA), 0);
	assert_int_equal(vm_discard_lock(p, VA, VA + PG), 1);
	assert_int_equal(vm_discard_lock(c, VA, VA + PG), 1);
	expect_zero_after_fault(c, VA);
	vm_space_destroy(c);
	vm_space_destroy(p);
	fake_check();
}

/* Unlocked pages that cannot go (all shared after forks: the children
 * inherit the unlocked region) are not looked at again on every call:
 * each call looks at a bounded number of pages, and the walk goes on from
 * where the last stopped, so another process's unlocked pages, last on
 * the list of spaces, are reached all the same. */
static void test_walk_bounded(void **state)
{
	enum { N = 300, WANT = 8, CALLS = 3 * N / WANT };
	/* Far below the 3 * N the three spaces' pages come to, and above what
	 * any budget proportional to want would look at. */
	const uint64_t bound = 16 * WANT + 128;
	struct vm_space *other = fake_space(4), *p = fake_space(1);
	struct vm_space *c1 = fake_space(2), *c2 = fake_space(3);
	uint64_t free0 = frames_free();
	size_t freed = 0;
	int calls = 0;

	(void)state;
	assert_int_equal(vm_region_add(other, VA, VA + WANT * PG, RW, VM_ANON, NULL), 0);
	fill_pages(other, VA, WANT, 1);
	assert_int_equal(vm_region_add(p, VA, VA + N * PG, RW, VM_ANON, NULL), 0);
	for (unsigned i = 0; i < N; i++)
		fake_poke(p, VA + i * PG, (uint8_t)(i + 1));
	assert_int_equal(vm_discard_unlock(p, VA, VA + N * PG), 0);
	assert_int_equal(vm_fork(p, c1), 0);
	assert_int_equal(vm_fork(p, c2), 0);
	fake_check();
	assert_int_equal(vm_mapcount(vm_lookup(p, VA)), 3);
	/* Nothing of the shared region can go, and other's is still locked. */
	for (int k = 0; k < 10; k++) {
		uint64_t before = vmstat_get(VMSTAT_DISCARD_LOOKS);
		assert_int_equal(discard(WANT), 0);
		assert_in_range(vmstat_get(VMSTAT_DISCARD_LOOKS) - before, 1, bound);
	}
	assert_int_equal(frames_free(), free0 - N - WANT);

	assert_int_equal(vm_discard_unlock(other, VA, VA + WANT * PG), 0);
	while (freed < WANT && calls++ < CALLS) {
		uint64_t before = vmstat_get(VMSTAT_DISCARD_LOOKS);
		freed += discard(WANT);
		assert_in_range(vmstat_get(VMSTAT_DISCARD_LOOKS) - before, 1, bound);
	}
	fake_check();
	assert_int_equal(freed, WANT);
	assert_int_equal(present(other, VA, WANT), 0);
	assert_int_equal(frames_free(), free0 - N);
	assert_int_equal(vm_discard_lock(other, VA, VA + WANT * PG), 1);
	/* The shared pages are all still there, in each space. */
	assert_int_equal(present(p, VA, N), N);
	assert_int_equal(present(c1, VA, N), N);
	assert_int_equal(fake_peek(c2, VA + (N - 1) * PG), (uint8_t)N);
	assert_int_equal(vm_discard_lock(c1, VA, VA + N * PG), 0);
	vm_space_destroy(c2);
	vm_space_destroy(c1);
	vm_space_destroy(p);
	vm_space_destroy(other);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

/* A page in the swap code's hands (being written out, or queued for it)
 * is left: the write would go on from a frame already freed. When the
 * swap code lets go, the page may go. */
static void test_busy_skipped(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free(), pa0, pa1;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 3, 80);
	pa0 = vm_lookup(s, VA);
	pa1 = vm_lookup(s, VA + PG);
	assert_int_equal(vm_discard_unlock(s, VA, VA + 3 * PG), 0);
	swap_fake_unmap_for_write(&pa0, 1);	/* being written */
	swapcache_mark_queued(pa1);		/* queued to be */
	assert_int_equal(discard(8), 1);
	/* fake_check wants every page mapped: page 0 is out for its write. */
	if (vm_check() < 0)
		fail_msg("vm_check: %s", vm_check_error());
	assert_int_equal(vm_lookup(s, VA), pa0);
	assert_int_equal(vm_lookup(s, VA + PG), pa1);
	assert_int_equal(vm_lookup(s, VA + 2 * PG), 0);
	assert_int_equal(frames_free(), free0 - 2);

	assert_int_equal(swap_fake_write_over(pa0), 0);
	swapcache_take_queued(pa1);
	fake_check();
	expect_page(s, VA, 80);
	expect_page(s, VA + PG, 81);
	assert_int_equal(discard(8), 2);
	fake_check();
	assert_int_equal(frames_free(), free0);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 3);
	assert_int_equal(vm_discard_lock(s, VA, VA + 3 * PG), 1);
	vm_space_destroy(s);
	fake_check();
}

/* A pinned space (a driver the pager waits on) is never dropped from, even
 * unlocked; unpinned, it is. */
static void test_pinned_skipped(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 3, 70);
	assert_int_equal(vm_discard_unlock(s, VA, VA + 3 * PG), 0);
	vm_space_set_pinned(s, 1);
	assert_int_equal(discard(8), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 3);
	for (unsigned i = 0; i < 3; i++)
		expect_page(s, VA + i * PG, (uint8_t)(70 + i));
	assert_int_equal(vm_discard_lock(s, VA, VA + 3 * PG), 0);
	assert_int_equal(vm_discard_unlock(s, VA, VA + 3 * PG), 0);
	vm_space_set_pinned(s, 0);
	assert_int_equal(discard(8), 3);
	fake_check();
	assert_int_equal(frames_free(), free0);
	assert_int_equal(vm_discard_lock(s, VA, VA + 3 * PG), 1);
	vm_space_destroy(s);
	fake_check();
}

/* A call looks at reclaim's budget for what it wants and no more, the
 * one rule the policy's patient looks follow too (reclaim/look_budget.h):
 * four pages per page wanted plus a batch of 32, worked by hand here so
 * that a rule changed by mistake fails. Over pages none of which can go
 * (shared after a fork) and no region that is not unlocked, every look
 * is a page, counted. */
static void test_walk_looks_follow_budget(void **state)
{
	enum { N = 200 };
	static const struct { size_t want; uint64_t looks; } cases[] = {
		{ 1, 36 }, { 8, 64 }, { 32, 160 }, { 64, 288 },
	};
	struct vm_space *p = fake_space(1), *c = fake_space(2);

	(void)state;
	assert_int_equal(reclaim_look_budget(SIZE_MAX / 2), SIZE_MAX);
	assert_int_equal(vm_region_add(p, VA, VA + N * PG, RW, VM_ANON, NULL), 0);
	fill_pages(p, VA, N, 1);
	assert_int_equal(vm_discard_unlock(p, VA, VA + N * PG), 0);
	assert_int_equal(vm_fork(p, c), 0);
	fake_check();
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint64_t before = vmstat_get(VMSTAT_DISCARD_LOOKS);
		assert_int_equal(discard(cases[k].want), 0);
		assert_int_equal(vmstat_get(VMSTAT_DISCARD_LOOKS) - before, cases[k].looks);
	}
	assert_int_equal(present(p, VA, N), N);
	assert_int_equal(present(c, VA, N), N);
	assert_int_equal(vm_discard_lock(c, VA, VA + N * PG), 0);
	assert_int_equal(vm_discard_lock(p, VA, VA + N * PG), 0);
	vm_space_destroy(c);
	vm_space_destroy(p);
	fake_check();
}

/* Reclaim as the pager's does with no swap: unlocked pages only. */
static size_t reclaim_unlocked(size_t want)
{
	return discard(want);
}

/* Out of frames with no swap, a fault reclaims unlocked pages: one
 * reclaim round drops VM_RECLAIM_WANT of them and the fault uses one.
 * Nothing unlocked: the fault fails as before, dropping nothing. */
static void test_fault_reclaims_unlocked(void **state)
{
	uint64_t hog[FAKE_FRAMES], free0 = frames_free(), n = 0, pa;
	struct vm_space *s = fake_space(AS);

	(void)state;
	vm_set_reclaim(reclaim_unlocked);
	assert_int_equal(vm_region_add(s, VA, VA + 6 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x30000, 0x31000, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 6, 90);
	while ((pa = frame_alloc_pinned()) != 0)
		hog[n++] = pa;
	assert_int_equal(n, free0 - 6);
	fake_fault(s, 0x30000, VM_W, VM_FAULT_NOMEM);
	assert_int_equal(present(s, VA, 6), 6);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);

	assert_int_equal(vm_discard_unlock(s, VA, VA + 6 * PG), 0);
	fake_fault(s, 0x30000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), VM_RECLAIM_WANT);
	assert_int_equal(present(s, VA, 6), 6 - VM_RECLAIM_WANT);
	assert_int_equal(frames_free(), VM_RECLAIM_WANT - 1);
	for (unsigned i = 0; i < 6; i++)
		if (vm_lookup(s, VA + i * PG))
			expect_page(s, VA + i * PG, (uint8_t)(90 + i));
	assert_int_equal(vm_discard_lock(s, VA, VA + 6 * PG), 1);
	while (n > 0)
		frame_free(hog[--n]);
	vm_space_destroy(s);
	fake_check();
	assert_int_equal(frames_free(), free0);
}

static void check(void)
{
	swap_fake_check();
}

static uint32_t slot_at(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	assert_non_null(r);
	return region_slot(r, (va - r->start) / PG);
}

static int setup_swap(void **state)
{
	(void)state;
	swap_fake_setup();
	return 0;
}

static int teardown_swap(void **state)
{
	(void)state;
	swap_fake_teardown();
	return 0;
}

/* Unlocking a region with swapped pages drops them at once, without a
 * read: their slot references are put (the slots freed, a frame the swap
 * cache kept freed with its slot), the entries become absent, and lock
 * says 1; the pages read as zeros. Resident pages stay until pressure. */
static void test_unlock_drops_swapped(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free();
	uint32_t s1, s2;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 4, 110);
	s1 = swap_out(vm_lookup(s, VA + PG), 0);
	s2 = swap_out(vm_lookup(s, VA + 2 * PG), 1);	/* still in the swap cache */
	check();
	assert_int_equal(slot_at(s, VA + PG), s1);
	assert_int_equal(slot_at(s, VA + 2 * PG), s2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 2);
	assert_int_equal(frames_free(), free0 - 3);	/* 2 mapped, 1 cached */

	assert_int_equal(vm_discard_unlock(s, VA, VA + 4 * PG), 0);
	check();
	assert_int_equal(sw.puts, 2);
	assert_int_equal(sw.refs[s1] + sw.refs[s2], 0);
	assert_null(sw.disk[s1]);
	assert_null(sw.disk[s2]);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 0);
	assert_int_equal(slot_at(s, VA + PG), 0);
	assert_int_equal(slot_at(s, VA + 2 * PG), 0);
	assert_int_equal(vm_lookup(s, VA + PG), 0);
	assert_int_equal(vm_lookup(s, VA + 2 * PG), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 2);
	assert_int_equal(frames_free(), free0 - 2);	/* the cached frame went too */
	expect_page(s, VA, 110);
	expect_page(s, VA + 3 * PG, 113);

	assert_int_equal(vm_discard_lock(s, VA, VA + 4 * PG), 1);
	expect_zero_after_fault(s, VA + PG);
	expect_zero_after_fault(s, VA + 2 * PG);
	check();
	assert_int_equal(sw.reads, 0);
	vm_space_destroy(s);
	check();
	assert_int_equal(frames_free(), free0);
}

/* A slot named by parent and child after fork: the parent's unlock puts
 * only its own reference; the child still reads its page back whole. */
static void test_unlock_swapped_after_fork(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(p, VA, 2, 120);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	check();
	assert_int_equal(sw.refs[slot], 2);
	assert_int_equal(slot_at(c, VA), slot);

	assert_int_equal(vm_discard_unlock(p, VA, VA + 2 * PG), 0);
	check();
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(slot_at(p, VA), 0);
	assert_int_equal(slot_at(c, VA), slot);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 1);
	/* Page 1 is resident, shared with the child: unlock leaves it. */
	assert_int_equal(vm_mapcount(vm_lookup(p, VA + PG)), 2);
	assert_int_equal(discard(8), 0);

	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reads, 1);
	expect_page(c, VA, 120);
	assert_null(sw.disk[slot]);
	assert_int_equal(vm_discard_lock(p, VA, VA + 2 * PG), 1);
	expect_zero_after_fault(p, VA);
	expect_page(p, VA + PG, 121);
	vm_space_destroy(p);
	vm_space_destroy(c);
	check();
	assert_int_equal(frames_free(), free0);
}

/* After fork and swap-out, the parent reads its page back: the swap cache
 * keeps that frame for the child's entry, which still names the slot.
 * Dropping the parent's page would free nothing and lose it, so it stays;
 * once the child has its own copy, the parent's page may go. */
static void test_tied_for_other_entry_kept(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), pa;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(p, VA, 1, 130);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	check();
	pa = vm_lookup(p, VA);
	assert_int_equal(vm_mapcount(pa), 1);
	assert_int_equal(swapcache_lookup(slot), pa);
	assert_int_equal(sw.refs[slot], 1);	/* the child's entry */
	assert_int_equal(slot_at(c, VA), slot);

	assert_int_equal(vm_discard_unlock(p, VA, VA + 2 * PG), 0);
	assert_int_equal(discard(8), 0);
	check();
	assert_int_equal(vm_lookup(p, VA), pa);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 0);
	assert_int_equal(frames_free(), free0 - 1);
	expect_page(p, VA, 130);
	assert_int_equal(vm_discard_lock(p, VA, VA + 2 * PG), 0);

	/* The child takes it from the cache, then writes: its own copy. */
	assert_int_equal(vm_discard_unlock(p, VA, VA + 2 * PG), 0);
	fake_poke(c, VA + 3, 0x5A);
	check();
	assert_int_equal(sw.reads, 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	assert_null(sw.disk[slot]);
	assert_int_equal(vm_mapcount(pa), 1);
	assert_int_equal(vm_lookup(p, VA), pa);
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(discard(8), 1);
	check();
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 1);
	assert_int_equal(fake_peek(c, VA + 3), 0x5A);
	assert_int_equal(vm_discard_lock(p, VA, VA + 2 * PG), 1);
	expect_zero_after_fault(p, VA);
	vm_space_destroy(p);
	vm_space_destroy(c);
	check();
	assert_int_equal(frames_free(), free0);
}

/* A clean copy read back from swap holds its own slot (swapcache_hold):
 * nothing else names it, so the page may go, and its slot with it. */
static void test_held_copy_dropped(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t free0 = frames_free(), pa;
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_keep_ops);
	assert_int_equal(vm_region_add(s, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	fill_pages(s, VA, 1, 140);
	slot = swap_out(vm_lookup(s, VA), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	pa = vm_lookup(s, VA);
	assert_true(swapcache_held(pa));
	assert_int_equal(sw.refs[slot], 1);	/* the frame's own */
	assert_int_equal(vmstat_get(VMSTAT_SWAP_COPIES), 1);
	expect_page(s, VA, 140);

	assert_int_equal(vm_discard_unlock(s, VA, VA + 2 * PG), 0);
	assert_int_not_equal(sw.disk[slot], NULL);	/* resident: unlock leaves it */
	assert_int_equal(discard(8), 1);
	check();
	assert_int_equal(frames_free(), free0);
	assert_null(sw.disk[slot]);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_COPIES), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGLAZYFREED), 1);
	assert_int_equal(vm_discard_lock(s, VA, VA + 2 * PG), 1);
	expect_zero_after_fault(s, VA);
	assert_int_equal(sw.reads, 1);
	vm_space_destroy(s);
	check();
	assert_int_equal(frames_free(), free0);
}

/* Regions not unlocked cost the discard step nothing while no region
 * anywhere is unlocked (a process may hold VM_REGIONS_MAX of them, and
 * reclaim would walk them all on every call), and a bounded walk once
 * one is; the count of unlocked regions stays exact (vm_check) through
 * unlock, lock, a cut, fork, unmap and exit. */
static void test_walk_skips_locked_regions(void **state)
{
	enum { REGIONS = 1000, WANT = 4 };
	struct vm_space *s = fake_space(1), *c = fake_space(2);
	const uint64_t last = VA + (REGIONS - 1) * 2 * PG;

	(void)state;
	for (uint64_t i = 0; i < REGIONS; i++)
		assert_int_equal(vm_region_add(s, VA + i * 2 * PG, VA + (i * 2 + 1) * PG, RW, VM_ANON,
					       NULL), 0);
	fake_poke(s, last, 1);
	vm_discard_visits = 0;
	for (int k = 0; k < 10; k++)
		assert_int_equal(discard(WANT), 0);
	assert_int_equal(vm_discard_visits, 0);

	/* One unlocked, at the end: found within a few calls, each bounded. */
	assert_int_equal(vm_discard_unlock(s, last, last + PG), 0);
	fake_check();
	for (int k = 0; k < REGIONS && present(s, last, 1); k++) {
		vm_discard_visits = 0;
		discard(WANT);
		assert_true(vm_discard_visits < REGIONS / 4);
	}
	assert_int_equal(present(s, last, 1), 0);
	assert_int_equal(vm_discard_lock(s, last, last + PG), 1);
	fake_check();

	/* A wide unlocked region cut in two, forked, unmapped, locked. */
	assert_int_equal(vm_region_add(s, 0x40000000, 0x40000000 + 8 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_discard_unlock(s, 0x40000000, 0x40000000 + 8 * PG), 0);
	assert_int_equal(vm_discard_unlock(s, 0x40000000, 0x40000000 + 8 * PG), 0);	/* twice: one */
	fake_check();
	assert_int_equal(vm_unmap_range(s, 0x40000000 + 3 * PG, 0x40000000 + 4 * PG), 0);
	fake_check();
	assert_int_equal(vm_fork(s, c), 0);
	fake_check();
	assert_int_equal(vm_discard_lock(c, 0x40000000, 0x40000000 + 3 * PG), 0);
	fake_check();
	assert_int_equal(vm_unmap_range(s, 0x40000000 + 4 * PG, 0x40000000 + 8 * PG), 0);
	fake_check();
	vm_space_destroy(c);
	fake_check();
	assert_int_equal(vm_discard_lock(s, 0x40000000, 0x40000000 + 3 * PG), 0);
	fake_check();
	vm_discard_visits = 0;
	assert_int_equal(discard(WANT), 0);
	assert_int_equal(vm_discard_visits, 0);	/* none unlocked is left */
	vm_space_destroy(s);
	fake_check();
}

/* Unlocked regions with no page in them (a cache whose slabs were all
 * dropped, or never touched) cost a call a look each, as locked ones do:
 * a call visits at most the looks its budget allows and one (the resume
 * point's region), never all of them; and round after round, the one
 * page among them, last, is reached and dropped. */
static void test_empty_unlocked_regions_cost_looks(void **state)
{
	enum { REGIONS = 1000, WANT = 2 };
	struct vm_space *s = fake_space(1);
	const uint64_t last = VA + (REGIONS - 1) * 2 * PG;
	int calls = 0;

	(void)state;
	for (uint64_t i = 0; i < REGIONS; i++) {
		uint64_t va = VA + i * 2 * PG;
		assert_int_equal(vm_region_add(s, va, va + PG, RW, VM_ANON, NULL), 0);
		assert_int_equal(vm_discard_unlock(s, va, va + PG), 0);
	}
	fake_poke(s, last, 1);
	fake_check();
	for (; calls < REGIONS && present(s, last, 1); calls++) {
		vm_discard_visits = 0;
		discard(WANT);
		assert_in_range(vm_discard_visits, 1, reclaim_look_budget(WANT) + 1);
	}
	assert_int_equal(present(s, last, 1), 0);
	assert_in_range(calls, 2, REGIONS / reclaim_look_budget(WANT) + 2);
	assert_int_equal(vm_discard_lock(s, last, last + PG), 1);
	vm_space_destroy(s);
	fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_range_checks),
		TEST(test_lock_without_pressure),
		TEST(test_discard_some_counts),
		TEST(test_locked_untouched),
		TEST(test_shared_after_fork),
		TEST(test_fork_reclaim_drop_told_to_child),
		TEST(test_walk_bounded),
		TEST(test_walk_looks_follow_budget),
		TEST(test_walk_skips_locked_regions),
		TEST(test_empty_unlocked_regions_cost_looks),
		TEST_SWAP(test_busy_skipped),
		TEST(test_pinned_skipped),
		TEST(test_fault_reclaims_unlocked),
		TEST_SWAP(test_unlock_drops_swapped),
		TEST_SWAP(test_unlock_swapped_after_fork),
		TEST_SWAP(test_tied_for_other_entry_kept),
		TEST_SWAP(test_held_copy_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
