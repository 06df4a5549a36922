/*
 * Host tests for swapped pages in the pager's VM core: evicting a private
 * page, a page shared after fork and a shared object's page, and faulting
 * each back; write protection during write-out; fork, unmap and exit with
 * swapped entries; a fork (private or shared) whose child's page array
 * reclaims and a region cut whose new page array reclaims (a chunk
 * wrapper evicts), and a swap-in whose reverse-map entry reclaims (a malloc
 * wrapper drops a parked frame); reclaim when frames run out; pinned spaces; read
 * errors; the checker catching broken swap entries; swapped pages in the
 * footprint the OOM killer reads. The swap device is a fake: a table of
 * malloc'd pages with a reference count per slot (swap_fake.c), tying
 * slots to frames through the VM core's swap cache, as the pager's engine.
 * vm_check runs after every step.
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
#include "vm/harvest_batch.h"
#include "vm/rmap_pool.h"
#include "vm/swapcache.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define VA 0x10000UL
#define SH 0x40000UL		/* a shared region */
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, swap_fake_group_teardown)

/* Linked with --wrap=slab_alloc: while armed, each page-array chunk the
 * code under test makes first evicts the next of evict_on_chunk's pages,
 * as the pager's heap reclaiming for an allocation would (heap_alloc.h). */
void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_slab_alloc(struct slab_cache *c);
static struct {
	struct vm_space *s;
	uint64_t va[2];
	int n, done, busy;
	int object;	/* the shared object's frame for va, mapped or not */
} evict_on_chunk;

/* The frame the shared object behind s's region at va holds for it, or 0. */
static uint64_t object_frame(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	return entry_frame(pv_get(&r->obj->pages, r->pgoff + (va - r->start) / PG));
}

void *__wrap_slab_alloc(struct slab_cache *c)
{
	uint64_t pa, va;

	if (slab_object_bytes(c) == pv_chunk_bytes() && !evict_on_chunk.busy &&
	    evict_on_chunk.done < evict_on_chunk.n) {
		evict_on_chunk.busy = 1;
		va = evict_on_chunk.va[evict_on_chunk.done++];
		pa = evict_on_chunk.object ? object_frame(evict_on_chunk.s, va)
					   : vm_lookup(evict_on_chunk.s, va);
		if (pa)
			swap_out(pa, 0);
		evict_on_chunk.busy = 0;
	}
	return __real_slab_alloc(c);
}

/* Arm evict_on_chunk: the next n chunks made (n <= 2) evict s's pages at
 * va0, then va1. */
static void evict_on_chunks(struct vm_space *s, int n, uint64_t va0, uint64_t va1)
{
	evict_on_chunk.s = s;
	evict_on_chunk.va[0] = va0;
	evict_on_chunk.va[1] = va1;
	evict_on_chunk.n = n, evict_on_chunk.done = 0;
}

/* Linked with --wrap=malloc too: while armed, the reverse map's pool
 * growing (a segment's malloc) first drops drop_on_grow.pa, a parked clean
 * copy, as reclaim for the pager's heap would. */
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
static struct {
	uint64_t pa;
	int armed, done;
} drop_on_grow;

void *__wrap_malloc(size_t size)
{
	uint64_t pa = drop_on_grow.pa;

	if (drop_on_grow.armed && size == RMAP_SEG_SIZE * sizeof(struct rmap_entry)) {
		drop_on_grow.armed = 0;
		if (swapcache_parked_clean(pa)) {
			swapcache_untie(swapcache_slot(pa));
			frame_free(pa);
			drop_on_grow.done = 1;
		}
	}
	return __real_malloc(size);
}

static void check(void)
{
	swap_fake_check();
}

static int setup(void **state)
{
	(void)state;
	memset(&evict_on_chunk, 0, sizeof(evict_on_chunk));	/* a failed test's disarmed */
	memset(&drop_on_grow, 0, sizeof(drop_on_grow));
	swap_fake_setup();
	return 0;
}

static unsigned perm_at(int as, uint64_t va)
{
	return fake_perm(as, va) & ~(unsigned)VM_CLEAN;	/* the dirty bit's start: fake_check's */
}

static uint32_t slot_at(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	assert_non_null(r);
	return region_slot(r, (va - r->start) / PG);
}

static void destroy(struct vm_space *s)
{
	vm_space_destroy(s);
	check();
}

/* A private page goes out and comes back: the entry names the slot while
 * out, nothing maps it, its frame is freed; the fault reads it back. */
static void test_evict_private(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free(), pa;
	struct vm_space_info info;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 10);
	swap_fake_fill(s, VA + PG, 20);
	pa = vm_lookup(s, VA);
	slot = swap_out(pa, 0);
	check();
	assert_int_equal(slot_at(s, VA), slot);
	assert_int_equal(vm_lookup(s, VA), 0);
	assert_int_equal(fake_pa(1, VA, NULL), 0);
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 1);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), 1);
	assert_int_equal(vmstat_get(VMSTAT_RMAP_ENTRIES), 1);
	vm_space_info(s, &info);
	assert_int_equal(info.resident, 1);
	assert_int_equal(info.swapped, 1);

	/* A read brings it back writable: it was the slot's only entry. */
	fake_fault(s, VA + 8, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(perm_at(1, VA), RW);
	swap_fake_expect_fill(s, VA, 10);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 0);
	assert_int_equal(sw.refs[slot], 0);	/* the slot is free again */
	assert_int_equal(frames_free(), free0 - 2);
	swap_fake_fill(s, VA, 11);			/* no fault: already writable */
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE) + vmstat_get(VMSTAT_COW_BREAKS), 0);

	/* A write brings one back too, writable, nothing copied. */
	slot = swap_out(vm_lookup(s, VA + PG), 0);
	check();
	fake_fault(s, VA + PG, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(perm_at(1, VA + PG), RW);
	swap_fake_expect_fill(s, VA + PG, 20);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 2);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE) + vmstat_get(VMSTAT_COW_BREAKS), 0);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 2);
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 2);
	assert_int_equal(sw.reads, 2);
	vm_space_info(s, &info);
	assert_int_equal(info.resident, 2);
	assert_int_equal(info.swapped, 0);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* Fork shares a page; it goes out once for both; each faults it back to
 * one frame read once, copy-on-write in both; then writes copy as usual. */
static void test_evict_after_fork(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), pa, back;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 30);
	assert_int_equal(vm_fork(p, c), 0);
	pa = vm_lookup(p, VA);
	assert_int_equal(vm_mapcount(pa), 2);
	slot = swap_out(pa, 0);
	check();
	assert_int_equal(sw.refs[slot], 2);
	assert_int_equal(slot_at(p, VA), slot);
	assert_int_equal(slot_at(c, VA), slot);
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(frames_free(), free0);

	/* The parent reads it back: copy-on-write, the child still names the slot. */
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	check();
	back = vm_lookup(p, VA);
	assert_int_equal(perm_at(1, VA), VM_R);
	assert_true(region_page_cow(vm_region_find(p, VA), 0));
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(slot_at(c, VA), slot);
	/* The child finds the same frame in the swap cache, no second read. */
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(c, VA), back);
	assert_int_equal(perm_at(2, VA), VM_R);
	assert_int_equal(vm_mapcount(back), 2);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_SHARED), 1);
	assert_int_equal(frames_free(), free0 - 1);
	swap_fake_expect_fill(c, VA, 30);

	/* The parent's write copies; the child keeps the old data, and its own
	 * write then takes the frame back. */
	swap_fake_fill(p, VA, 40);
	check();
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	swap_fake_expect_fill(c, VA, 30);
	swap_fake_expect_fill(p, VA, 40);
	swap_fake_fill(c, VA, 50);
	check();
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(vm_lookup(c, VA), back);
	swap_fake_expect_fill(p, VA, 40);
	assert_int_equal(frames_free(), free0 - 2);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* s's region at va is shared, and its object's page is in swap with no
 * frame in the cache: a fault reads it. */
static int object_read_due(struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);
	uint32_t slot;

	if (r->kind != VM_SHARED)
		return 0;
	slot = entry_slot(pv_get(&r->obj->pages, r->pgoff + (va - r->start) / PG));
	return slot && !swapcache_lookup(slot);
}

/* A fault on a shared object's page in swap: the fake's read keeps the
 * lock, and the fault runs again to map the frame read (VM_FAULT_RETRY,
 * then mapped: fault.c's read_then_retry). */
static void fault_read_back(struct vm_space *s, uint64_t va, unsigned access)
{
	fake_fault(s, va, access, VM_FAULT_RETRY);
	assert_int_equal(vm_fault_again(s, va, access), VM_FAULT_MAPPED);
	check();
}

/* Page va of s holds fill v, faulted back first if not mapped. */
static void expect_back(struct vm_space *s, uint64_t va, uint8_t v)
{
	if (!fake_pa(s->as, va, NULL) && object_read_due(s, va))
		fault_read_back(s, va, VM_R);
	else if (!fake_pa(s->as, va, NULL))
		fake_fault(s, va, VM_R, VM_FAULT_MAPPED);
	swap_fake_expect_fill(s, va, v);
}

/* Making the child's page-array chunk during a fork may reclaim: each of
 * its two chunks' allocations evicts a parent page the walk has reached
 * (the page starting the chunk, or with the chunk made late a page whose
 * frame waits to be mapped in the child). The child names the slot rather
 * than mapping the freed frame, and both read every page back. */
static void test_fork_chunk_reclaims(void **state)
{
	const uint64_t at[4] = {0, 1, PV_CHUNK, PV_CHUNK + 1};
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + (PV_CHUNK + 2) * PG, RW, VM_ANON, NULL), 0);
	for (int k = 0; k < 4; k++)
		swap_fake_fill(p, VA + at[k] * PG, (uint8_t)(10 * k + 10));
	evict_on_chunks(p, 2, VA, VA + PV_CHUNK * PG);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(evict_on_chunk.done, 2);	/* both chunks were made */
	evict_on_chunk.n = 0;
	check();
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 2);
	assert_int_not_equal(slot_at(c, VA), 0);
	assert_int_not_equal(slot_at(c, VA + PV_CHUNK * PG), 0);
	for (int k = 0; k < 4; k++) {
		expect_back(c, VA + at[k] * PG, (uint8_t)(10 * k + 10));
		expect_back(p, VA + at[k] * PG, (uint8_t)(10 * k + 10));
	}
	check();
	/* Copy-on-write still: each side's writes stay its own. */
	for (int k = 0; k < 4; k++)
		swap_fake_fill(c, VA + at[k] * PG, (uint8_t)(10 * k + 15));
	check();
	for (int k = 0; k < 4; k++) {
		swap_fake_expect_fill(p, VA + at[k] * PG, (uint8_t)(10 * k + 10));
		swap_fake_expect_fill(c, VA + at[k] * PG, (uint8_t)(10 * k + 15));
	}
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* Cutting a region of kind at base in two (a munmap of its first page)
 * gives the new region the pages after the cut in page-array chunks of its
 * own, and making each may reclaim: the chunk wrapper evicts pages 1 and
 * 2 as the chunks are made. The new region names their slots (a private
 * region; a shared one's object does) rather than the frames reclaim
 * freed, and every page reads back. */
static void split_chunk_reclaims(enum vm_region_kind kind, uint64_t base)
{
	const uint64_t far = base + (PV_CHUNK + 1) * PG;	/* in the new region's second chunk */
	struct vm_space *p = fake_space(1);
	uint64_t free0 = frames_free(), evictions = vmstat_get(VMSTAT_EVICTIONS);

	assert_int_equal(vm_region_add(p, base, base + (PV_CHUNK + 3) * PG, RW, kind, NULL), 0);
	swap_fake_fill(p, base + PG, 10);
	swap_fake_fill(p, base + 2 * PG, 20);
	swap_fake_fill(p, far, 30);
	evict_on_chunks(p, 2, base + PG, base + 2 * PG);
	assert_int_equal(vm_unmap_range(p, base, base + PG), 0);
	assert_int_equal(evict_on_chunk.done, 2);	/* both chunks were made */
	evict_on_chunk.n = 0;
	check();
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), evictions + 2);
	assert_int_equal(fake_pa(p->as, base + PG, NULL), 0);
	assert_int_equal(fake_pa(p->as, base + 2 * PG, NULL), 0);
	if (kind == VM_ANON) {
		assert_int_not_equal(slot_at(p, base + PG), 0);
		assert_int_not_equal(slot_at(p, base + 2 * PG), 0);
	}
	expect_back(p, base + PG, 10);
	expect_back(p, base + 2 * PG, 20);
	swap_fake_expect_fill(p, far, 30);
	check();
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

static void test_split_chunk_reclaims(void **state)
{
	(void)state;
	split_chunk_reclaims(VM_ANON, VA);
	split_chunk_reclaims(VM_SHARED, SH);
}

/* A fork of a shared region maps the object's pages in the child, and
 * making the child's page-array chunk reclaims (the chunk wrapper evicts
 * the page) before the page is looked at: the child maps nothing rather
 * than the frame reclaim freed, and both read the page back. */
static void test_shared_fork_chunk_reclaims(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 80);
	evict_on_chunks(p, 1, SH, 0);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(evict_on_chunk.done, 1);
	evict_on_chunk.n = 0;
	check();
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 1);
	assert_int_equal(fake_pa(c->as, SH, NULL), 0);
	expect_back(c, SH, 80);
	expect_back(p, SH, 80);
	check();
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* Maps pages until the reverse map's first segment (a fresh pool's
 * RMAP_SEG_SIZE - 1 entries) has no entry free: a region of f's filled,
 * forked while a whole copy fits, then single pages of another. spaces[]
 * gets the forks (NULL after the last). */
static void rmap_fill_pool(struct vm_space *f, struct vm_space **spaces, int max)
{
	const uint64_t target = RMAP_SEG_SIZE - 1, many = 200, single = VA + 1024 * PG;
	uint64_t k;
	int n = 0;

	assert_int_equal(vm_region_add(f, VA + 512 * PG, VA + (512 + many) * PG, RW, VM_ANON, NULL), 0);
	for (k = 0; k < many; k++)
		fake_fault(f, VA + (512 + k) * PG, VM_R, VM_FAULT_MAPPED);
	while (vmstat_get(VMSTAT_RMAP_ENTRIES) + many <= target) {
		assert_true(n < max - 1);
		spaces[n] = fake_space(10 + n);
		assert_int_equal(vm_fork(f, spaces[n++]), 0);
	}
	spaces[n] = NULL;
	assert_int_equal(vm_region_add(f, single, single + many * PG, RW, VM_ANON, NULL), 0);
	for (k = 0; vmstat_get(VMSTAT_RMAP_ENTRIES) < target; k++)
		fake_fault(f, single + k * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_RMAP_ENTRIES), target);
}

/* A swap-in whose reverse-map entry must grow the pool, which reclaims
 * (reclaim for the pager's heap: heap_alloc.h) and drops the parked
 * frame the fault would have found in the cache: the fault reserves its
 * entries before it looks, so it reads the page back instead of mapping
 * the freed frame. */
static void test_swap_in_reserve_reclaims(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2), *f = fake_space(3), *forks[8];
	uint64_t free0 = frames_free(), back;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 60);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);	/* the parent copies: back parked */
	back = swapcache_lookup(slot);
	assert_true(swapcache_parked_clean(back));
	rmap_fill_pool(f, forks, 8);
	check();
	drop_on_grow.pa = back;
	drop_on_grow.armed = 1;
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(drop_on_grow.done, 1);
	check();
	assert_int_equal(sw.reads, 2);			/* read again, not found */
	swap_fake_expect_fill(c, VA, 60);
	swap_fake_fill(c, VA, 70);
	check();
	for (int k = 0; forks[k]; k++)
		destroy(forks[k]);
	destroy(f);
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A fault on a shared object's page another process maps: making the
 * faulting region's page-array chunk reclaims (a chunk wrapper evicts the
 * page everywhere) before the page is looked up, so the fault reads it
 * back rather than mapping the frame reclaim freed. */
static void test_shared_fault_reserve_reclaims(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 80);
	assert_int_equal(vm_fork(p, c), 0);
	swap_out(vm_lookup(p, SH), 0);
	fault_read_back(p, SH, VM_R);	/* back in the object, mapped in p */
	assert_int_equal(slot_at(c, SH), 0);		/* c's chunk went with its entry */
	evict_on_chunks(p, 1, SH, 0);
	fault_read_back(c, SH, VM_R);
	assert_int_equal(evict_on_chunk.done, 1);
	evict_on_chunk.n = 0;
	check();
	assert_int_equal(sw.reads, 2);			/* read again, not found */
	swap_fake_expect_fill(c, SH, 80);
	expect_back(p, SH, 80);
	check();
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A fault on a shared object's page in swap, read by a read that keeps the
 * lock (vm.h allows it): the frame read waits in the object, unmapped, so
 * evictable, while the mapping's page-array chunk is made, and making it
 * reclaims (a chunk wrapper evicts the object's frame). The fault maps no
 * freed frame: it runs again, holding the chunk, and reads the page again. */
static void test_shared_kept_lock_read_chunk_reclaims(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	int res;

	(void)state;
	assert_int_equal(vm_region_add(s, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(s, SH, 70);
	swap_out(vm_lookup(s, SH), 0);
	assert_int_equal(object_frame(s, SH), 0);
	evict_on_chunks(s, 1, SH, 0);
	evict_on_chunk.object = 1;
	res = vm_fault(s, SH, VM_R);
	for (int k = 0; k < 3 && res == VM_FAULT_RETRY; k++)
		res = vm_fault_again(s, SH, VM_R);
	assert_int_equal(evict_on_chunk.done, 1);
	assert_int_equal(fake.errors, 0);	/* no free frame mapped */
	assert_int_equal(res, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reads, 2);		/* read again after the eviction */
	swap_fake_expect_fill(s, SH, 70);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* A sharer's fault on a shared page in swap: the read lets the lock go,
 * and meanwhile the sharer ends (its space and region freed). The fault
 * touches nothing of them after (ASan: no use after free), and the page
 * stays the other sharer's. */
static struct vm_space *ends_meanwhile;

static void end_meanwhile(void)
{
	vm_space_destroy(ends_meanwhile);
}

static void test_shared_read_sharer_ends(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	vm_set_swap(&sw_ra_ops);
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 90);
	assert_int_equal(vm_fork(p, c), 0);
	swap_out(vm_lookup(p, SH), 0);
	sw.unlock = 1;
	ends_meanwhile = c;
	sw.while_unlocked = end_meanwhile;
	fake_fault(c, SH, VM_R, VM_FAULT_RETRY);
	assert_null(sw.while_unlocked);		/* the read let the lock go */
	sw.unlock = 0;
	check();
	expect_back(p, SH, 90);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* test_shared_fault_reserve_reclaims with a read that lets the lock go:
 * making the faulting region's chunk evicts the page, so the fault that
 * found it in memory must read it after all; meanwhile the faulting
 * process ends, and its page array with it. No chunk is held across the
 * read (ASan: pv_unhold would write the freed chunk), and the page read
 * stays the other sharer's. */
static void test_shared_fault_reserve_reclaims_ends(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 85);
	assert_int_equal(vm_fork(p, c), 0);
	swap_out(vm_lookup(p, SH), 0);
	fault_read_back(p, SH, VM_R);	/* back in the object, mapped in p */
	assert_int_equal(slot_at(c, SH), 0);		/* c's chunk went with its entry */
	evict_on_chunks(p, 1, SH, 0);
	sw.unlock = 1;
	ends_meanwhile = c;
	sw.while_unlocked = end_meanwhile;
	fake_fault(c, SH, VM_R, VM_FAULT_RETRY);
	assert_int_equal(evict_on_chunk.done, 1);	/* making the chunk evicted it */
	assert_null(sw.while_unlocked);			/* the read let the lock go */
	evict_on_chunk.n = 0;
	sw.unlock = 0;
	check();
	expect_back(p, SH, 85);
	assert_int_equal(sw.reads, 2);			/* the second read's frame, mapped */
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* The sets vm_spaces_sharing finds for p and c: how many, and the pages
 * of the first. */
static void expect_pair_shares(struct vm_space *p, struct vm_space *c, size_t n, uint64_t pages)
{
	const struct vm_space *two[] = { p, c };
	struct vm_share got[2];

	assert_int_equal(vm_spaces_sharing(two, 2, 1, got, 2), n);
	if (n) {
		assert_int_equal(got[0].who, 3);
		assert_int_equal(got[0].pages, pages);
	}
}

/* A page p and c share after fork is theirs together, the same once
 * swapped out (a slot both name: no reverse map says who, their page
 * arrays at the address do), and once read back for p alone while c still
 * names the slot; not counted when swapped pages are not. */
static void test_sharing_swapped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	const struct vm_space *two[] = { p, c };
	struct vm_share got[2];
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 30);
	assert_int_equal(vm_fork(p, c), 0);
	expect_pair_shares(p, c, 1, 1);
	slot = swap_out(vm_lookup(p, VA), 0);
	assert_int_equal(sw.refs[slot], 2);
	expect_pair_shares(p, c, 1, 1);
	assert_int_equal(vm_spaces_sharing(two, 2, 0, got, 2), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(slot_at(c, VA), slot);
	expect_pair_shares(p, c, 1, 1);
	/* Swapped pages not counted: the frame is, whichever of the two the
	 * list names first (before, with c first, c's walk met no frame and
	 * p's left the page to c: none). */
	assert_int_equal(vm_spaces_sharing(two, 2, 0, got, 2), 1);
	assert_int_equal(got[0].who, 3);
	assert_int_equal(got[0].pages, 1);
	assert_int_equal(vm_spaces_sharing((const struct vm_space *[]){ c, p }, 2, 0, got, 2), 1);
	assert_int_equal(got[0].who, 3);
	assert_int_equal(got[0].pages, 1);
	destroy(c);
	destroy(p);
}

#define TREE_SPACES 57
#define TREE_PAGES 16

/* all[0..TREE_SPACES), listed in that order, share TREE_PAGES pages, found
 * in at most 4 steps (vm_share_steps) a mapping or slot name. */
static void expect_tree_sharing(const struct vm_space *const *all)
{
	uint64_t steps0 = vm_share_steps;
	struct vm_share got[2];

	assert_int_equal(vm_spaces_sharing(all, TREE_SPACES, 1, got, 2), 1);
	assert_int_equal(got[0].who, (1ull << TREE_SPACES) - 1);
	assert_int_equal(got[0].pages, TREE_PAGES);
	assert_true(vm_share_steps - steps0 <= 4 * TREE_SPACES * TREE_PAGES);
}

/* The OOM killer's sharing walk over a fork tree (a binary one, listed
 * root first and root last) costs its mappings, then its slots once
 * swapped out, not their product with the spaces: each page is counted
 * at one visit, the others skip it at a glance. (Before, every sharer's
 * visit walked the frame's reverse map, scanning the list for each
 * mapping, or looked up the page in every space for a slot: ~57 x 57 x
 * 57 steps a page, 13 ms for 57 x 70 pages where the footprints took 0.1.) */
static void test_sharing_tree_cost(void **state)
{
	struct vm_space *s[TREE_SPACES];
	const struct vm_space *all[TREE_SPACES], *rev[TREE_SPACES];

	(void)state;
	s[0] = fake_space(1);
	assert_int_equal(vm_region_add(s[0], VA, VA + TREE_PAGES * PG, RW, VM_ANON, NULL), 0);
	for (unsigned j = 0; j < TREE_PAGES; j++)
		swap_fake_fill(s[0], VA + j * PG, j);
	for (int k = 1; k < TREE_SPACES; k++) {
		s[k] = fake_space(k + 1);
		assert_int_equal(vm_fork(s[(k - 1) / 2], s[k]), 0);
	}
	for (int k = 0; k < TREE_SPACES; k++) {
		all[k] = s[k];
		rev[k] = s[TREE_SPACES - 1 - k];
	}
	expect_tree_sharing(all);
	expect_tree_sharing(rev);
	for (unsigned j = 0; j < TREE_PAGES; j++)
		assert_int_equal(sw.refs[swap_out(vm_lookup(s[0], VA + j * PG), 0)], TREE_SPACES);
	expect_tree_sharing(all);
	expect_tree_sharing(rev);
	for (int k = TREE_SPACES - 1; k >= 0; k--)
		destroy(s[k]);
}

/* The parent writes while the child's entry still names the slot: the
 * parent copies, the frame it read stays in the cache for the child (no
 * second read), which gets it writable as the slot's last entry. */
static void test_parent_writes_child_swapped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), back;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 60);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);
	check();
	back = swapcache_lookup(slot);
	assert_int_not_equal(back, 0);
	assert_int_not_equal(vm_lookup(p, VA), back);
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(vm_mapcount(back), 0);	/* parked for the child */
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(frames_free(), free0 - 2);
	swap_fake_fill(p, VA, 70);
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(c, VA), back);
	assert_int_equal(perm_at(2, VA), RW);
	swap_fake_expect_fill(c, VA, 60);
	swap_fake_expect_fill(p, VA, 70);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	assert_int_equal(sw.refs[slot], 0);
	destroy(c);
	assert_int_equal(frames_free(), free0 - 1);

	/* Again, but the child exits without touching it: the parked frame
	 * goes with the slot's last entry. */
	c = fake_space(3);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(frames_free(), free0 - 2);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 2);
	destroy(c);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(frames_free(), free0 - 1);
	swap_fake_expect_fill(p, VA, 70);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A shared object's page: one entry (the object's) names the slot; the
 * first sharer's fault reads it back into the object, the other finds it
 * there: one read, one frame, writable in both. */
static void test_evict_shared(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), pa, back;
	struct vm_space_info info;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 2 * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 80);
	assert_int_equal(vm_fork(p, c), 0);
	pa = vm_lookup(p, SH);
	assert_int_equal(vm_mapcount(pa), 2);
	slot = swap_out(pa, 0);
	check();
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 1);
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(slot_at(p, SH), 0);	/* absent here: the object has it */
	vm_space_info(p, &info);
	assert_int_equal(info.resident + info.swapped, 0);
	assert_int_equal(frames_free(), free0);

	fault_read_back(c, SH, VM_R);
	check();
	back = vm_lookup(c, SH);
	assert_int_equal(perm_at(2, SH), RW);
	assert_int_equal(sw.refs[slot], 0);
	fake_fault(p, SH, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(p, SH), back);
	assert_int_equal(perm_at(1, SH), RW);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 1);
	swap_fake_expect_fill(p, SH, 80);
	swap_fake_fill(c, SH, 90);
	swap_fake_expect_fill(p, SH, 90);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS) + vmstat_get(VMSTAT_COW_REUSE), 0);

	/* A page no sharer maps that a region still reaches (c's, which
	 * never mapped it) is evictable too, and its slot goes with the last
	 * region reaching it. */
	swap_fake_fill(p, SH + PG, 1);
	pa = vm_lookup(p, SH + PG);
	assert_int_equal(vm_unmap_range(p, SH + PG, SH + 2 * PG), 0);
	assert_int_equal(vm_mapcount(pa), 0);
	slot = swap_out(pa, 0);
	check();
	assert_int_equal(sw.refs[slot], 1);
	destroy(p);
	assert_int_equal(sw.refs[slot], 1);
	destroy(c);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(frames_free(), free0);
}

/* A shared region's pages written out leave no page entry (the object
 * names their slots) but keep their page tables (unmapped for the write,
 * HARVEST_UNMAP): a shrink and a munmap still give the kernel their whole
 * span in one call, which gives those tables back, the pages before the
 * first entry and after the last chunk too. */
static void test_unmap_written_out_shared(void **state)
{
	struct vm_space *p = fake_space(1);
	uint64_t free0 = frames_free();
	unsigned ranges = fake.unmap_ranges;
	uint32_t s1, s3;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 4 * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH + PG, 1);
	swap_fake_fill(p, SH + 3 * PG, 3);
	s1 = swap_out(vm_lookup(p, SH + PG), 0);
	s3 = swap_out(vm_lookup(p, SH + 3 * PG), 0);
	check();
	assert_int_equal(vm_region_resize(p, SH + 4 * PG, SH + 3 * PG), 0);
	assert_int_equal(fake.unmap_ranges, ranges + 1);
	assert_int_equal(fake.range_va, SH + 3 * PG);
	assert_int_equal(fake.range_n, 1);
	assert_int_equal(sw.refs[s3], 0);
	check();
	assert_int_equal(vm_unmap_range(p, SH, SH + 3 * PG), 0);
	assert_int_equal(fake.unmap_ranges, ranges + 2);
	assert_int_equal(fake.range_va, SH);
	assert_int_equal(fake.range_n, 3);
	assert_int_equal(sw.refs[s1], 0);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A frame kept in the swap cache after its write-out is found there:
 * mapped again without a read, and no longer the swap code's. */
static void test_cache_hit_after_evict(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free(), pa;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 5);
	pa = vm_lookup(s, VA);
	slot = swap_out(pa, 1);
	check();	/* detached and tied: the swap code's, not a leak */
	assert_int_equal(frames_free(), free0 - 1);
	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(s, VA), pa);
	assert_false(swapcache_detached(pa));
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(sw.reads, 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 0);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(swapcache_slot(pa), 0);	/* untied with the slot's last entry */
	swap_fake_expect_fill(s, VA, 5);

	/* Kept, but the page exits before it is touched: the cache frees it. */
	slot = swap_out(pa, 1);
	destroy(s);
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(frames_free(), free0);
}

/* Check the VM core and that the fake maps (as, va) with perm; fake_check
 * cannot be used while a frame's write is on (mapped back, it is
 * read-only although its entry says otherwise). */
static void check_perm(int as, uint64_t va, unsigned perm)
{
	if (vm_check() < 0)
		fail_msg("vm_check: %s", vm_check_error());
	assert_int_equal(fake.errors, 0);
	assert_int_equal(perm_at(as, va), perm);
}

/* A frame's write state ends with each mapping given exactly its
 * permission back: a private page of its own writable (one protect call),
 * copy-on-write ones still read-only and copy-on-write (not touched: no
 * call), a shared object's page writable in every space, a space that came
 * meanwhile (mapped back read-only by its fault while the write was on)
 * too. What is no process page is refused. */
static void test_write_end(void **state)
{
	struct vm_space *p = fake_space(1), *c, *g;
	uint64_t free0 = frames_free(), a, b, o;
	unsigned protects;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, SH, 3);
	swap_fake_fill(p, VA + PG, 2);	/* b: shared copy-on-write after the fork */
	c = fake_space(2);
	assert_int_equal(vm_fork(p, c), 0);
	swap_fake_fill(p, VA, 4);		/* a: the parent's own again */
	a = vm_lookup(p, VA);
	b = vm_lookup(p, VA + PG);
	o = vm_lookup(p, SH);
	check();
	assert_int_equal(vm_mapcount(a), 1);
	assert_int_equal(vm_mapcount(b), 2);

	/* A private frame of its own: read-only while the write is on. */
	swap_fake_unmap_for_write(&a, 1);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	check_perm(1, VA, VM_R);
	protects = fake.protects;
	assert_int_equal(swap_fake_write_over(a), 0);
	assert_int_equal(fake.protects, protects + 1);	/* W back: one call */
	check();
	assert_int_equal(perm_at(1, VA), RW);
	assert_false(swapcache_writing(a));

	/* Copy-on-write in both: read-only already, and stays so. */
	swap_fake_unmap_for_write(&b, 1);
	fake_fault(c, VA + PG, VM_R, VM_FAULT_MAPPED);
	check_perm(1, VA + PG, VM_R);
	check_perm(2, VA + PG, VM_R);
	protects = fake.protects;
	assert_int_equal(swap_fake_write_over(b), 0);
	assert_int_equal(fake.protects, protects);	/* nothing to give back */
	check();
	assert_int_equal(perm_at(1, VA + PG), VM_R);
	assert_int_equal(perm_at(2, VA + PG), VM_R);
	assert_true(region_page_cow(vm_region_find(p, VA + PG), 1));
	assert_true(region_page_cow(vm_region_find(c, VA + PG), 1));

	/* A shared object's frame in two spaces, and a third sharer forked
	 * meanwhile whose access maps it back read-only in all three. */
	swap_fake_unmap_for_write(&o, 1);
	g = fake_space(3);
	assert_int_equal(vm_fork(c, g), 0);
	fake_fault(g, SH, VM_R, VM_FAULT_MAPPED);
	check_perm(1, SH, VM_R);
	check_perm(2, SH, VM_R);
	check_perm(3, SH, VM_R);
	assert_int_equal(swap_fake_write_over(o), 0);
	check();
	assert_int_equal(perm_at(1, SH), RW);
	assert_int_equal(perm_at(2, SH), RW);
	assert_int_equal(perm_at(3, SH), RW);
	destroy(g);

	assert_int_equal(vm_frame_write_end(frame_alloc_pinned()), -1);
	assert_int_equal(vm_frame_write_end(0x1000), -1);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0 - 1);	/* the pinned frame */
}

/* A frame with more mappings than a harvest batch holds is unmapped for
 * its write one call a mapping, not given up, and the batch's other frame
 * still goes in the one harvest; the write over, both are mapped back as
 * they were. */
#define WIDE (VM_HARVEST_BATCH + 2)
static void test_unmap_wide(void **state)
{
	struct vm_space *sp[WIDE];
	uint64_t f[2];
	unsigned harvests, unmaps;

	(void)state;
	sp[0] = fake_space(1);
	assert_int_equal(vm_region_add(sp[0], SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(sp[0], SH, 5);
	for (int k = 1; k < WIDE; k++) {
		sp[k] = fake_space(k + 1);
		assert_int_equal(vm_fork(sp[0], sp[k]), 0);
	}
	assert_int_equal(vm_region_add(sp[0], VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(sp[0], VA, 6);
	f[0] = vm_lookup(sp[0], SH);
	f[1] = vm_lookup(sp[0], VA);
	assert_int_equal(frame_desc(f[0])->mapcount, WIDE);

	unmaps = fake.unmaps;
	harvests = fake.harvests;
	swap_fake_unmap_for_write(f, 2);
	assert_int_equal(fake.unmaps, unmaps + WIDE);
	assert_int_equal(fake.harvests, harvests + 1);
	assert_int_equal(fake_count(-1), 0);
	assert_null(vm_bug());
	assert_true(swapcache_writing(f[0]));
	assert_true(swapcache_writing(f[1]));
	check();
	for (int k = 0; k < 2; k++)
		assert_int_equal(swap_fake_write_over(f[k]), 0);
	for (int k = 0; k < WIDE; k++)
		check_perm(k + 1, SH, RW);
	check_perm(1, VA, RW);
	check();
	for (int k = WIDE - 1; k >= 0; k--)
		destroy(sp[k]);
}

/* Unmapping for the write-out, in one harvest: every mapping leaves the
 * page tables (the child's copy-on-write one too), no accessed bit is read
 * as a look (pgscan stays), and the page entries and reverse map keep the
 * frames. A failed call unmaps each mapping one call each instead. */
static void test_unmap_batch(void **state)
{
	struct vm_space *p = fake_space(1), *c;
	uint64_t f[2], scans = vmstat_get(VMSTAT_PGSCAN);
	unsigned harvests, unmaps;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, VA + PG, 2);
	c = fake_space(2);
	assert_int_equal(vm_fork(p, c), 0);
	f[0] = vm_lookup(p, VA);
	f[1] = vm_lookup(p, VA + PG);

	harvests = fake.harvests;
	swap_fake_unmap_for_write(f, 2);
	assert_int_equal(fake.harvests, harvests + 1);
	assert_int_equal(fake.harvest_unmaps, 4);
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGSCAN), scans);
	for (int k = 0; k < 2; k++) {
		assert_true(swapcache_writing(f[k]));
		assert_int_equal(vm_lookup(p, VA + k * PG), f[k]);
		assert_int_equal(vm_mapcount(f[k]), 2);
	}
	check();
	for (int k = 0; k < 2; k++) {
		assert_int_equal(swap_fake_write_over(f[k]), 0);
		check_perm(1, VA + k * PG, VM_R);	/* copy-on-write, both */
		check_perm(2, VA + k * PG, VM_R);
	}

	fake.fail_harvest = 1;
	unmaps = fake.unmaps;
	swap_fake_unmap_for_write(f, 2);
	fake.fail_harvest = 0;
	assert_int_equal(fake.unmaps, unmaps + 4);
	assert_int_equal(fake_count(-1), 0);
	assert_true(swapcache_writing(f[0]));
	check();
	for (int k = 0; k < 2; k++)
		assert_int_equal(swap_fake_write_over(f[k]), 0);
	check();
	destroy(p);
	destroy(c);
}

/* f, faulted on during its write, is kept (counted once) until its
 * write is over, which gives every mapping its permission back. */
static void expect_kept_until_over(uint64_t f)
{
	assert_true(vm_frame_kept_by_fault(f));
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 1);
	assert_int_equal(swap_fake_write_over(f), 0);
	assert_false(vm_frame_kept_by_fault(f));
}

/* A shared page of p at SH, filled (after a fork into c with fork_first)
 * and unmapped for its write-out: its frame. */
static uint64_t shared_unmapped(struct vm_space *p, struct vm_space *c, int fork_first)
{
	uint64_t f;

	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	if (fork_first)
		assert_int_equal(vm_fork(p, c), 0);	/* the page not there yet */
	swap_fake_fill(p, SH, 5);
	f = vm_lookup(p, SH);
	swap_fake_unmap_for_write(&f, 1);
	assert_true(vm_frame_unmapped(f));
	assert_int_equal(fake_count(-1), 0);
	check();
	return f;
}

/* A shared object's page unmapped for its write-out: a fork leaves it out
 * of the child (all or none of its mappings are in the page tables, and
 * a fork is no use of it), and the child's first access maps them all
 * back and keeps the frame, as a new sharer's does. */
static void test_unmapped_shared(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = shared_unmapped(p, c, 0);

	(void)state;
	assert_int_equal(vm_fork(p, c), 0);
	assert_true(vm_frame_unmapped(f));
	assert_int_equal(vm_lookup(c, SH), 0);
	assert_int_equal(fake_count(-1), 0);
	check();

	fake_fault(c, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_count(-1), 2);
	check_perm(1, SH, VM_R);	/* still being written out */
	check_perm(2, SH, VM_R);
	expect_kept_until_over(f);
	check_perm(1, SH, RW);
	check_perm(2, SH, RW);
	destroy(c);
	destroy(p);
}

/* The new sharer c's fault on f, unmapped for its write-out (or left as
 * a refused one leaves it): both mappings in, f kept and counted kept
 * once; after the write both are writable again. */
static void new_sharer_kept(struct vm_space *c, uint64_t f)
{
	fake_fault(c, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_count(-1), 2);
	check_perm(2, SH, VM_R);	/* still being written out */
	assert_false(vm_frame_unmapped(f));
	assert_true(vm_frame_kept_by_fault(f));
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 1);
	assert_int_equal(vm_lookup(c, SH), f);
	assert_int_equal(fake_peek(c, SH), 5);
	assert_int_equal(swap_fake_write_over(f), 0);
	check_perm(1, SH, RW);
	check_perm(2, SH, RW);
}

/* A sharer that never mapped the page faults on it while the object's
 * frame is unmapped for its write-out (the shared kind's page_in finds
 * it): the other sharer's mapping comes back with the new one, and the
 * frame is kept. */
static void test_unmapped_shared_new_sharer(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = shared_unmapped(p, c, 1);

	(void)state;
	new_sharer_kept(c, f);
	destroy(c);
	destroy(p);
}

/* Such a new sharer's fault whose own mapping the mmu refuses (the other
 * sharer's map-back took the last page-table memory): that mapping is
 * back, read-only while the write is on, but the fault mapped nothing, so
 * the frame is neither kept nor counted kept. The fault again maps it and
 * keeps it (the mappings back, the write-out no longer sees their use). */
static void test_unmapped_shared_new_sharer_map_refused(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = shared_unmapped(p, c, 1);

	(void)state;
	fake.map_budget = 1;
	fake_fault(c, SH, VM_R, VM_FAULT_NOMEM);
	fake.map_budget = -1;
	assert_int_equal(fake_count(-1), 1);
	check_perm(1, SH, VM_R);
	assert_int_equal(vm_lookup(c, SH), 0);
	assert_false(vm_frame_unmapped(f));
	assert_false(vm_frame_kept_by_fault(f));
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 0);

	new_sharer_kept(c, f);	/* its mappings back, used */
	destroy(c);
	destroy(p);
}

/* A keep an earlier fault made stays through a refused one: the frame
 * kept by its sharer's fault, that sharer gone (no mapping left, the write
 * in flight), a new sharer's fault refused its mapping. */
static void test_kept_shared_stays_kept_map_refused(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = shared_unmapped(p, c, 1);

	(void)state;
	fake_fault(p, SH, VM_R, VM_FAULT_MAPPED);
	assert_true(vm_frame_kept_by_fault(f));
	destroy(p);
	assert_int_equal(vm_mapcount(f), 0);
	fake.map_budget = 0;
	fake_fault(c, SH, VM_R, VM_FAULT_NOMEM);
	fake.map_budget = -1;
	assert_true(vm_frame_kept_by_fault(f));
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 1);
	fake_fault(c, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 2);
	assert_int_equal(swap_fake_write_over(f), 0);
	check_perm(2, SH, RW);
	swap_fake_expect_fill(c, SH, 5);
	destroy(c);
}

/* A fork that runs out of page-table memory partway through a shared
 * region whose first frame is unmapped for its write-out: the child maps
 * the second page and fails on the third, and the unmapped frame has no
 * mapping in the page tables in either space (all or none: the fork mapped
 * none of it), both spaces going cleanly. */
static void test_unmapped_shared_fork_fails(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f[3];

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 3 * PG, RW, VM_SHARED, NULL), 0);
	for (int k = 0; k < 3; k++) {
		swap_fake_fill(p, SH + k * PG, (uint8_t)(5 + k));
		f[k] = vm_lookup(p, SH + k * PG);
	}
	swap_fake_unmap_for_write(&f[0], 1);
	assert_int_equal(fake_count(-1), 2);
	fake.map_budget = 1;	/* the child's one map, then none */
	assert_int_equal(vm_fork(p, c), VM_FAULT_NOMEM);
	fake.map_budget = -1;
	check();
	assert_true(vm_frame_unmapped(f[0]));
	assert_int_equal(fake_pa(1, SH, NULL), 0);
	assert_int_equal(fake_pa(2, SH, NULL), 0);
	assert_int_equal(fake_pa(2, SH + PG, NULL), f[1]);
	assert_int_equal(fake_count(-1), 3);	/* p's pages 1 and 2, c's page 1 */
	destroy(c);
	assert_int_equal(swap_fake_write_over(f[0]), 0);
	check_perm(1, SH, RW);
	destroy(p);
}

/* A private page of p at VA, filled, unmapped for its write-out, and the
 * write over with the mmu refusing the map-back (out of page-table
 * memory): left out of the page tables, still marked being written
 * (which reclaim refuses). Its frame. */
static uint64_t write_over_refused(struct vm_space *p)
{
	uint64_t f;

	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 1);
	f = vm_lookup(p, VA);
	swap_fake_unmap_for_write(&f, 1);
	fake.map_budget = 0;
	assert_int_equal(swap_fake_write_over(f), -1);
	fake.map_budget = -1;
	check();
	assert_true(vm_frame_unmapped(f));
	assert_true(swapcache_writing(f));
	assert_false(swapcache_reclaimable(f));
	return f;
}

/* Its write over, such a frame's next read fault (a second refused one
 * leaves it as it was) maps it back with the write state ended: writable,
 * not kept nor counted kept (no reference during a write), reclaimable
 * again. (A fault during the write keeps the frame: test_unmapped_shared.) */
static void test_fault_after_write_over(void **state)
{
	struct vm_space *p = fake_space(1);
	uint64_t f = write_over_refused(p);

	(void)state;
	fake.map_budget = 0;
	fake_fault(p, VA, VM_R, VM_FAULT_NOMEM);
	fake.map_budget = -1;
	assert_true(vm_frame_unmapped(f));
	assert_true(swapcache_writing(f));
	check();

	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	check_perm(1, VA, RW);
	assert_false(vm_frame_unmapped(f));
	assert_false(swapcache_writing(f));
	assert_false(vm_frame_kept_by_fault(f));
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 0);
	assert_true(swapcache_reclaimable(f));
	swap_fake_expect_fill(p, VA, 1);
	destroy(p);
}

/* One shared page, filled by sp[0] and forked into sp[1] and sp[2]
 * (spaces 1-3, mapped in that order): its frame. */
static uint64_t three_sharers(struct vm_space *sp[3])
{
	assert_int_equal(vm_region_add(sp[0], SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(sp[0], SH, 4);
	assert_int_equal(vm_fork(sp[0], sp[1]), 0);
	assert_int_equal(vm_fork(sp[0], sp[2]), 0);
	return vm_lookup(sp[0], SH);
}

/* A write-out's end whose walk giving W back the mmu refuses at one
 * sharer's mapping (each of three in turn, so that some are reached before
 * it): the frame is marked again and no mapping is left writable, those
 * given W before the refusal included, and the frame counts as written; a
 * write then faults, and its fault's walk gives every one W. */
static void test_write_end_refused_midway(void **state)
{
	struct vm_space *sp[3] = { fake_space(1), fake_space(2), fake_space(3) };
	uint64_t f;
	int dirtied = 0;

	(void)state;
	f = three_sharers(sp);
	for (int k = 0; k < 3; k++) {
		swap_fake_unmap_for_write(&f, 1);
		fake_fault(sp[0], SH, VM_R, VM_FAULT_MAPPED);	/* all back, read-only */
		fake.refuse_protect = 1;
		fake.refuse_as = k + 1;
		fake.refuse_va = SH;
		assert_int_equal(swap_fake_write_over(f), -1);
		fake.refuse_protect = 0;
		assert_true(swapcache_writing(f));
		for (int j = 0; j < 3; j++)
			check_perm(j + 1, SH, VM_R);
		dirtied += swapcache_dirtied(f);
		check();

		fake_poke(sp[k], SH, (uint8_t)(20 + k));
		assert_false(swapcache_writing(f));
		for (int j = 0; j < 3; j++) {
			check_perm(j + 1, SH, RW);
			assert_int_equal(fake_peek(sp[j], SH), 20 + k);
		}
		check();
	}
	/* Refused at the walk's second and third mapping, W was given to one
	 * before: the page may have changed unseen, so no write-out of it
	 * counts as its copy (dirtied). At the first, none had W. */
	assert_int_equal(dirtied, 2);
	for (int j = 0; j < 3; j++)
		destroy(sp[j]);
}

/* The same refusal while the write is in flight, at a sharer's write
 * fault (its write_resume's walk), each sharer's in turn and twice round:
 * once a refusal came after some mapping had W, the write-out counts as
 * stale (dirtied) and stays so through later refusals, the one at the
 * walk's first mapping (which gives none W) included, so that the write's
 * end does not evict a page that may have changed unseen. */
static void test_write_refused_in_flight_stays_stale(void **state)
{
	struct vm_space *sp[3] = { fake_space(1), fake_space(2), fake_space(3) };
	uint64_t f;

	(void)state;
	f = three_sharers(sp);
	swap_fake_unmap_for_write(&f, 1);
	fake_fault(sp[0], SH, VM_R, VM_FAULT_MAPPED);	/* all back, read-only, kept */
	fake.refuse_protect = 1;
	fake.refuse_va = SH;
	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < 3; k++) {
			fake.refuse_as = k + 1;
			fake_fault(sp[k], SH, VM_W, VM_FAULT_NOMEM);
			assert_true(swapcache_write_in_flight(f));
			for (int j = 0; j < 3; j++)
				check_perm(j + 1, SH, VM_R);
			/* Of the first two refusals one is past the walk's head. */
			if (round || k)
				assert_true(swapcache_dirtied(f));
			check();
		}
	}
	fake.refuse_protect = 0;
	assert_true(vm_evict(f, swapcache_slot(f)) < 0);
	fake_poke(sp[1], SH, 9);
	assert_int_equal(swap_fake_write_over(f), 0);
	for (int j = 0; j < 3; j++) {
		check_perm(j + 1, SH, RW);
		assert_int_equal(fake_peek(sp[j], SH), 9);
	}
	check();
	for (int j = 0; j < 3; j++)
		destroy(sp[j]);
}

/* A write during the write-out gave every mapping W back and ended the
 * mark (write_resume); at the write's end the mmu would refuse a protect
 * of a mapping: none is asked, as each has its permission already, and
 * the frame is left unmarked, every mapping writable. */
static void test_write_end_after_resume_asks_nothing(void **state)
{
	struct vm_space *sp[3] = { fake_space(1), fake_space(2), fake_space(3) };
	uint64_t f;

	(void)state;
	f = three_sharers(sp);
	swap_fake_unmap_for_write(&f, 1);
	fake_fault(sp[0], SH, VM_R, VM_FAULT_MAPPED);	/* all back, read-only, kept */
	fake_poke(sp[1], SH, 7);			/* write_resume: W back */
	assert_false(swapcache_writing(f));
	fake.refuse_protect = 1;
	fake.refuse_as = 2;
	fake.refuse_va = SH;
	assert_int_equal(swap_fake_write_over(f), 0);
	fake.refuse_protect = 0;
	assert_false(swapcache_writing(f));
	for (int j = 0; j < 3; j++) {
		check_perm(j + 1, SH, RW);
		assert_int_equal(fake_peek(sp[j], SH), 7);
	}
	check();
	for (int j = 0; j < 3; j++)
		destroy(sp[j]);
}

/* A fork after such a write maps the frame back to share it, and ends
 * its write state too: reclaim may take it again. */
static void test_fork_after_write_over(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = write_over_refused(p);

	(void)state;
	assert_int_equal(vm_fork(p, c), 0);
	check();
	assert_false(vm_frame_unmapped(f));
	assert_false(swapcache_writing(f));
	assert_true(swapcache_reclaimable(f));
	assert_int_equal(fake_pa(1, VA, NULL), f);
	assert_int_equal(fake_pa(2, VA, NULL), f);
	assert_int_equal(vmstat_get(VMSTAT_SWAPOUT_FAULT_KEPT), 0);
	destroy(c);
	destroy(p);
}

/* A shared page unmapped for its write loses its only mapping meanwhile
 * (its object lives on in another space): it is unmapped no more (vm_check
 * holds to this, and frames_at.unmapped counts it no more); the other
 * space's fault then maps it (read-only while the write is on) and keeps
 * it, a use during the write as any other fault's, and its exit unmaps
 * it. */
static void test_last_mapping_dropped_while_unmapped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t f = shared_unmapped(p, c, 1);

	(void)state;
	assert_int_equal(vm_unmap_range(p, SH, SH + PG), 0);
	assert_int_equal(vm_mapcount(f), 0);
	assert_false(vm_frame_unmapped(f));
	assert_int_equal(frames_at.unmapped, 0);
	assert_true(swapcache_writing(f));
	check();

	fake_fault(c, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_pa(2, SH, NULL), f);
	check_perm(2, SH, VM_R);
	expect_kept_until_over(f);
	check_perm(2, SH, RW);
	destroy(c);
	assert_int_equal(fake_count(-1), 0);
	destroy(p);
}

/* The same frame, its last mapping gone during its write, and the space
 * that holds the object without mapping it forks: the child maps no such
 * frame (a write-out holds it), so its first access keeps it, as a new
 * sharer's does; mapped at the fork, the child's use would go unseen and
 * the write's end evict it. */
static void test_fork_after_last_mapping_dropped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2), *g = fake_space(3);
	uint64_t f = shared_unmapped(p, c, 1);

	(void)state;
	assert_int_equal(vm_unmap_range(p, SH, SH + PG), 0);
	assert_int_equal(vm_fork(c, g), 0);
	assert_int_equal(vm_lookup(g, SH), 0);
	assert_int_equal(vm_mapcount(f), 0);
	check();

	fake_fault(g, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_pa(3, SH, NULL), f);
	expect_kept_until_over(f);
	destroy(g);
	destroy(c);
	destroy(p);
}

/* A frame one of whose mappings has no page (the VM core's bug, planted
 * here during its write): mapped back at the write's end, that mapping is
 * left out and the inconsistency noted for check.c to stop on; the other
 * frame unmapped with it, mapped back first on its own, comes back as it
 * was, and no bug is noted for it. */
static void test_map_back_bug_noted(void **state)
{
	struct vm_space *p = fake_space(1);
	struct vm_region *r;
	uint64_t f[2], saved;
	unsigned harvests;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, VA + PG, 2);
	f[0] = vm_lookup(p, VA);
	f[1] = vm_lookup(p, VA + PG);
	harvests = fake.harvests;
	swap_fake_unmap_for_write(f, 2);
	assert_int_equal(fake.harvests, harvests + 1);
	r = vm_region_find(p, VA);
	saved = pv_get(&r->pages, 0);
	pv_set(&r->pages, 0, 0);

	assert_null(vm_bug());
	assert_int_equal(swap_fake_write_over(f[1]), 0);
	assert_null(vm_bug());
	assert_int_equal(perm_at(1, VA + PG), RW);
	assert_int_equal(swap_fake_write_over(f[0]), 0);
	assert_non_null(vm_bug());
	assert_non_null(strstr(vm_bug(), "without its page"));
	assert_int_equal(fake_pa(1, VA, NULL), 0);	/* left out */
	vm.bug = NULL;

	/* Mended as it was (vm_check would fail on what was planted). */
	pv_set(&r->pages, 0, saved);
	assert_int_equal(vm.mmu.map(vm.mmu.ctx, 1, VA, f[0], RW), 0);
	check();
	destroy(p);
}

/* A write during write-out (the fault maps the frame back and the write
 * goes on): the writer gets W back (no copy of a page nobody shares), the
 * write-out is stale and vm_evict refuses it. */
static void test_write_during_write_out(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), frees, a, b, o;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, VA + PG, 2);
	swap_fake_fill(p, SH, 3);
	a = vm_lookup(p, VA);
	b = vm_lookup(p, VA + PG);
	o = vm_lookup(p, SH);

	/* Private, its own: W again, same frame. */
	swap_fake_unmap_for_write(&a, 1);
	assert_int_equal(fake_count(1), 2);
	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(vm_lookup(p, VA), a);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS) + vmstat_get(VMSTAT_COW_REUSE), 0);
	assert_true(swapcache_dirtied(a));
	assert_int_equal(vm_evict(a, 1), -1);	/* stale: refused */
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES) + vmstat_get(VMSTAT_EVICTIONS), 0);
	assert_int_equal(swap_fake_write_over(a), 0);
	check();

	/* Copy-on-write whose sharer exited: the frame's one tie is its own
	 * write's, which no entry names, so the writer takes it back (no
	 * copy) and, as above, the write-out is stale; the tie stays until the
	 * write's end, and no frame is taken or freed. */
	assert_int_equal(vm_fork(p, c), 0);
	destroy(c);
	assert_int_equal(vm_mapcount(b), 1);
	frees = frames_free();
	swap_fake_unmap_for_write(&b, 1);
	assert_int_equal(fake_count(1), 2);	/* a and o: b is out */
	assert_int_equal(fake_pa(1, VA + PG, NULL), 0);
	fake_fault(p, VA + PG, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(perm_at(1, VA + PG), RW);
	assert_int_equal(vm_lookup(p, VA + PG), b);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	assert_int_equal(swapcache_slot(b), SWAP_FAKE_WRITE_SLOT);	/* its write's tie */
	assert_true(swapcache_dirtied(b));
	assert_int_equal(vm_evict(b, SWAP_FAKE_WRITE_SLOT), -1);	/* stale: refused */
	assert_int_equal(frames_free(), frees);
	assert_int_equal(swap_fake_write_over(b), 0);
	assert_int_equal(frames_free(), frees);
	assert_int_equal(perm_at(1, VA + PG), RW);
	swap_fake_expect_fill(p, VA + PG, 2);
	check();

	/* Shared: both sharers get W back from one sharer's write. */
	c = fake_space(3);
	assert_int_equal(vm_fork(p, c), 0);
	swap_fake_unmap_for_write(&o, 1);
	assert_int_equal(fake_count(1), 2);	/* a and b: o is out */
	assert_int_equal(fake_count(3), 2);	/* the child's a and b */
	assert_int_equal(fake_pa(1, SH, NULL) + fake_pa(3, SH, NULL), 0);
	fake_fault(c, SH, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(perm_at(1, SH), RW);
	assert_int_equal(perm_at(3, SH), RW);
	assert_int_equal(vm_lookup(c, SH), o);
	assert_int_equal(vm_evict(o, 1), -1);
	/* Its write over, written out again this time: evicted. */
	assert_int_equal(swap_fake_write_over(o), 0);
	check();
	swap_out(o, 0);
	check();
	fault_read_back(p, SH, VM_W);
	fake_fault(c, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vm_lookup(c, SH), vm_lookup(p, SH));
	swap_fake_expect_fill(c, SH, 3);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* A page written during its own write-out (its tie is the write's alone,
 * though no longer marked), shared by a fork whose child then exits: the
 * writer takes the frame back (no copy: nothing else names that slot), its
 * tie kept to the write's end, so that its process exiting meanwhile
 * parks the frame rather than freeing it under the device's read. */
static void test_write_out_dirtied_cow_reused(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), frees, a;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 7);
	a = vm_lookup(p, VA);
	swap_fake_unmap_for_write(&a, 1);
	fake_poke(p, VA, 9);	/* during the write: stale now */
	assert_true(swapcache_dirtied(a));
	assert_false(swapcache_writing(a));
	assert_int_equal(vm_fork(p, c), 0);
	destroy(c);
	assert_int_equal(vm_mapcount(a), 1);
	frees = frames_free();

	fake_poke(p, VA + 1, 10);
	assert_int_equal(vm_lookup(p, VA), a);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	assert_int_equal(frames_free(), frees);
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(swapcache_slot(a), SWAP_FAKE_WRITE_SLOT);	/* its write's tie */
	assert_int_equal(fake_peek(p, VA), 9);
	assert_int_equal(fake_peek(p, VA + 1), 10);
	check();

	vm_space_destroy(p);	/* the write still in flight: parked, not freed */
	assert_int_equal(frames_free(), frees);
	assert_true(vm_frame_parked(a));
	assert_int_equal(swapcache_slot(a), SWAP_FAKE_WRITE_SLOT);
	assert_int_equal(swap_fake_write_over(a), 0);	/* frees it */
	assert_int_equal(frames_free(), free0);
	check();
}

/* A copy-on-write page read back while another space's entry still names
 * its slot, its frame holding the slot as the reader's clean copy (copies
 * kept) and sealed to be dropped: the reader's write drops the hold, and
 * the tie left is the other entry's, no write in flight (whatever the
 * marks say once the hold is gone), so the writer gets a copy and the
 * frame stays as it was for the other space, found in the cache. */
static void test_sealed_shared_slot_copies(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), f;
	uint32_t slot;
	unsigned reads;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 80);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	f = vm_lookup(p, VA);
	assert_true(swapcache_held(f));
	assert_int_equal(sw.refs[slot], 2);	/* the hold and c's entry */
	assert_true(region_page_cow(vm_region_find(p, VA), 0));
	vm_frames_seal(&f, 1);
	assert_true(swapcache_writing(f));
	check();

	fake_fault(p, VA, VM_W, VM_FAULT_MAPPED);
	assert_int_not_equal(vm_lookup(p, VA), f);
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE), 0);
	assert_int_equal(swapcache_lookup(slot), f);
	assert_true(vm_frame_parked(f));
	check();
	swap_fake_fill(p, VA, 90);
	reads = sw.reads;
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vm_lookup(c, VA), f);
	assert_int_equal(sw.reads, reads);
	swap_fake_expect_fill(c, VA, 80);
	swap_fake_expect_fill(p, VA, 90);
	check();
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* The fake device hands out its slots lowest first and none from
 * SWAP_FAKE_WRITE_SLOT up, so the write-out tests' ties never meet a slot
 * in use; full, it answers 0. */
static void test_fake_slots_below_write_slots(void **state)
{
	(void)state;
	for (uint32_t k = 1; k < SWAP_FAKE_WRITE_SLOT; k++)
		assert_int_equal(swap_fake_slot_alloc(), k);
	assert_int_equal(swap_fake_slot_alloc(), 0);
	for (uint32_t k = 1; k < SWAP_FAKE_WRITE_SLOT; k++)
		assert_int_equal(sw_ops.slot_put(NULL, k), 0);
	assert_null(sw.disk[SWAP_FAKE_WRITE_SLOT]);
}

/* Fork copies swapped entries (one more reference each); exits and unmaps
 * drop them. */
static void test_fork_swapped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2), *g = fake_space(3);
	uint64_t free0 = frames_free();
	struct vm_space_info info;
	uint32_t s0, s1;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, VA + PG, 2);
	swap_fake_fill(p, VA + 2 * PG, 3);
	s0 = swap_out(vm_lookup(p, VA), 0);
	s1 = swap_out(vm_lookup(p, VA + PG), 0);
	check();
	assert_int_equal(vm_fork(p, c), 0);
	check();
	assert_int_equal(sw.refs[s0], 2);
	assert_int_equal(sw.refs[s1], 2);
	assert_int_equal(sw.dups, 4);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 4);
	vm_space_info(c, &info);
	assert_int_equal(info.swapped, 2);
	assert_int_equal(info.resident, 1);
	assert_int_equal(vm_fork(c, g), 0);
	check();
	assert_int_equal(sw.refs[s0], 3);

	/* The grandchild reads page 0 back; the child finds it cached. */
	fake_fault(g, VA, VM_R, VM_FAULT_MAPPED);
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(c, VA), vm_lookup(g, VA));
	assert_int_equal(perm_at(2, VA), VM_R);
	assert_int_equal(perm_at(3, VA), VM_R);
	assert_int_equal(sw.refs[s0], 1);
	assert_int_equal(sw.reads, 1);
	swap_fake_expect_fill(g, VA, 1);

	/* Unmapping drops a reference; so does each exit. */
	assert_int_equal(vm_unmap_range(c, VA + PG, VA + 2 * PG), 0);
	check();
	assert_int_equal(sw.refs[s1], 2);
	destroy(g);
	assert_int_equal(sw.refs[s1], 1);
	destroy(p);
	assert_int_equal(sw.refs[s0], 0);
	assert_int_equal(sw.refs[s1], 0);
	/* The child is the frame's last user now: its write reuses it. */
	swap_fake_fill(c, VA, 7);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	destroy(c);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 0);
	assert_int_equal(frames_free(), free0);
}

/* Shrinking a region drops its swapped pages; fault-around never reads
 * from swap and fills the absent pages beyond a swapped one. */
static void test_resize_and_faultaround(void **state)
{
	struct vm_space *s;
	uint64_t free0;
	uint32_t s1, s3;

	(void)state;
	swap_fake_restart(2);
	free0 = frames_free();
	s = fake_space(1);
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	fake_fault(s, VA + PG, VM_W, VM_FAULT_MAPPED);	/* pages 1, 2, 3 */
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 2);
	swap_fake_fill(s, VA + PG, 1);
	s1 = swap_out(vm_lookup(s, VA + PG), 0);
	s3 = swap_out(vm_lookup(s, VA + 3 * PG), 0);
	check();
	assert_int_equal(vm_region_resize(s, VA + 4 * PG, VA + 2 * PG), 0);
	check();
	assert_int_equal(sw.refs[s3], 0);	/* dropped with page 3 */
	assert_int_equal(sw.refs[s1], 1);
	assert_int_equal(vm_region_resize(s, VA + 2 * PG, VA + 4 * PG), 0);
	/* Page 0 absent, 1 swapped, 2 and 3 absent. */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reads, 0);
	assert_int_equal(slot_at(s, VA + PG), s1);
	assert_int_not_equal(fake_pa(1, VA + 2 * PG, NULL), 0);
	assert_int_equal(fake_pa(1, VA + 3 * PG, NULL), 0);	/* beyond the window */
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 3);
	fake_fault(s, VA + PG, VM_R, VM_FAULT_MAPPED);
	swap_fake_expect_fill(s, VA + PG, 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 3);	/* a swap-in maps one page */
	assert_int_equal(fake_pa(1, VA + 3 * PG, NULL), 0);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* Take every free frame but `left`. */
static void hog_frames(size_t left)
{
	uint64_t pa;

	while (frames_free() > left && (pa = frame_alloc_pinned()) != 0)
		sw.hog[sw.nhog++] = pa;
}

static void unhog(void)
{
	while (sw.nhog > 0)
		frame_free(sw.hog[--sw.nhog]);
}

/* With no frame free, a fault asks reclaim once and retries: it succeeds
 * if reclaim freed one, fails with NOMEM if not. Fault-around never asks. */
static void test_reclaim(void **state)
{
	struct vm_space *s, *c;
	uint64_t free0, victim;
	uint32_t slot;

	(void)state;
	swap_fake_restart(4);
	free0 = frames_free();
	s = fake_space(1);
	c = fake_space(2);
	assert_int_equal(vm_region_add(s, VA, VA + 16 * PG, RW, VM_ANON, NULL), 0);

	/* One frame left: the fault takes it, fault-around stops, no reclaim. */
	hog_frames(1);
	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 0);
	assert_int_equal(sw.reclaims, 0);
	/* None left, reclaim frees nothing: out of memory, nothing changed. */
	fake_fault(s, VA + 8 * PG, VM_W, VM_FAULT_NOMEM);
	assert_int_equal(sw.reclaims, 1);
	assert_int_equal(fake_count(1), 1);
	/* Reclaim frees one: the fault succeeds. */
	sw.give = 1;
	fake_fault(s, VA + 8 * PG, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(sw.reclaims, 2);
	assert_int_equal(fake_count(1), 2);
	/* Reclaim swaps a page out to make room. */
	sw.give = 0;
	swap_fake_fill(s, VA, 0x5a);
	sw.victim = vm_lookup(s, VA);
	fake_fault(s, VA + 12 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reclaims, 3);
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 1);
	slot = slot_at(s, VA);
	assert_int_not_equal(slot, 0);
	/* Reading it back needs a frame too: reclaim gives one. */
	sw.give = 1;
	assert_int_equal(frames_free(), 0);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	swap_fake_expect_fill(s, VA, 0x5a);
	assert_int_equal(sw.reclaims, 4);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);

	/* A copy-on-write break with no frame free: reclaim evicts the very
	 * page being copied; the fault is retried and reads it back. */
	sw.give = 0;
	assert_int_equal(vm_fork(s, c), 0);
	victim = vm_lookup(c, VA);
	sw.victim = victim;
	fake_fault(c, VA, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reclaims, 5);
	assert_int_not_equal(slot_at(c, VA), 0);	/* evicted meanwhile, not copied */
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 0);
	unhog();
	swap_fake_fill(c, VA, 0x77);	/* read back, then copied: s's entry still names the slot */
	check();
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);	/* the frame kept for it */
	check();
	swap_fake_expect_fill(s, VA, 0x5a);
	swap_fake_expect_fill(c, VA, 0x77);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	assert_int_equal(sw.reads, 2);
	destroy(s);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* At the reserve, only the faulting page reclaims: its fault-around pages
 * take what that reclaim left free above the reserve and stop there, as
 * frames_free() still counts the reserve's frames. */
static void test_faultaround_at_reserve(void **state)
{
	struct vm_space *s;
	uint64_t free0;

	(void)state;
	swap_fake_restart(4);
	free0 = frames_free();
	s = fake_space(1);
	assert_int_equal(vm_region_add(s, VA, VA + 16 * PG, RW, VM_ANON, NULL), 0);
	frames_set_reserve(8);
	hog_frames(8);	/* every free frame is the reserve's */

	/* Reclaim frees one: the page takes it, its four neighbours none. */
	sw.give = 1;
	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reclaims, 1);
	assert_int_equal(fake_count(1), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 0);
	assert_int_equal(frames_free(), 8);
	/* Reclaim frees three: the page takes one, two neighbours the rest,
	 * and the last two neighbours go without rather than reclaim again. */
	sw.give = 3;
	fake_fault(s, VA + 8 * PG, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reclaims, 2);
	assert_int_equal(fake_count(1), 4);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 2);
	assert_int_equal(frames_free(), 8);
	unhog();
	frames_set_reserve(0);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* The unmap hold does not nest: a second hold, or an end without one, is
 * noted as a bug (an inner end would let frames go while the outer hold
 * still kept their unmaps back); one hold and its end are not. */
static void test_unmap_hold_not_nested(void **state)
{
	(void)state;
	vm_unmaps_hold(1);
	vm_unmaps_hold(0);
	assert_null(vm_bug());
	vm_unmaps_hold(1);
	vm_unmaps_hold(1);
	assert_non_null(vm_bug());
	assert_non_null(strstr(vm_bug(), "twice"));
	vm_unmaps_hold(0);
	vm.bug = NULL;
	vm_unmaps_hold(0);
	assert_non_null(vm_bug());
	assert_non_null(strstr(vm_bug(), "without"));
	vm.bug = NULL;
}

/* Without swap ops or a reclaim hook nothing changes: no reclaim, out of
 * memory as before. */
static void test_no_swap(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();

	(void)state;
	vm_set_swap(NULL);
	vm_set_reclaim(NULL);
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 1);
	assert_int_equal(vm_frame_evictable(vm_lookup(s, VA)), 1);
	assert_int_equal(vm_evict(vm_lookup(s, VA), 1), -1);
	hog_frames(0);
	fake_fault(s, VA + PG, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(vm_region_resize(s, VA + PG, VA + 2 * PG), 0);
	fake_fault(s, VA + PG, VM_R, VM_FAULT_NOMEM);
	assert_int_equal(sw.reclaims, 0);
	unhog();
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* A pinned space's frames are never evictable, even shared with others;
 * nor are frames that are not process pages. */
static void test_pinned(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), a, o, pinned;

	(void)state;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, VA, 1);
	swap_fake_fill(p, SH, 2);
	assert_int_equal(vm_fork(p, c), 0);
	a = vm_lookup(p, VA);
	o = vm_lookup(p, SH);
	assert_int_equal(vm_space_as(c), 2);
	vm_space_set_pinned(c, 1);
	assert_int_equal(vm_frame_evictable(a), 0);
	assert_int_equal(vm_frame_evictable(o), 0);
	assert_int_equal(vm_evict(a, 1), -1);
	check();
	vm_space_set_pinned(c, 0);
	assert_int_equal(vm_frame_evictable(a), 1);
	vm_space_set_pinned(p, 1);
	assert_int_equal(vm_frame_evictable(o), 0);
	vm_space_set_pinned(p, 0);
	assert_int_equal(vm_frame_evictable(o), 1);
	pinned = frame_alloc_pinned();
	assert_int_equal(vm_frame_evictable(pinned), 0);
	assert_int_equal(vm_frame_evictable(0x1000), 0);
	assert_int_equal(vm_frame_evictable(frames_ram_base()), 0);	/* reserved */
	frame_free(pinned);
	/* Not an acceptable slot. */
	assert_int_equal(vm_evict(a, 0), -1);
	assert_int_equal(vm_evict(a, PAGE_SWAP), -1);
	assert_int_equal(vmstat_get(VMSTAT_EVICTIONS), 0);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* A read that fails leaves the page swapped and takes no frame; no frame
 * at all is out of memory, also with nothing changed. */
static void test_read_error_and_nomem(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 4);
	slot = swap_out(vm_lookup(s, VA), 0);
	sw.fail_read = 1;
	fake_fault(s, VA, VM_R, VM_FAULT_IO);
	check();
	assert_int_equal(slot_at(s, VA), slot);
	assert_int_equal(sw.refs[slot], 1);
	assert_int_equal(frames_free(), free0);
	assert_string_not_equal(vm_fault_reason(VM_FAULT_IO), vm_fault_reason(12345));
	sw.fail_read = 0;
	hog_frames(0);
	fake_fault(s, VA, VM_R, VM_FAULT_NOMEM);
	check();
	assert_int_equal(slot_at(s, VA), slot);
	assert_int_equal(sw.reclaims, 1);
	unhog();
	/* A device without a cache: the page comes back writable all the same. */
	sw.no_tie = 1;
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(perm_at(1, VA), RW);
	swap_fake_expect_fill(s, VA, 4);
	assert_int_equal(sw.reads, 2);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* Pages shared after fork, through a device without a cache: each sharer
 * reads its own copy, writable, since nothing will come back to it. */
static void test_fork_swapped_no_cache(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();

	(void)state;
	sw.no_tie = 1;
	assert_int_equal(vm_region_add(p, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(p, VA, 8);
	assert_int_equal(vm_fork(p, c), 0);
	swap_out(vm_lookup(p, VA), 0);
	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	fake_fault(c, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_not_equal(vm_lookup(p, VA), vm_lookup(c, VA));
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(perm_at(2, VA), RW);
	assert_int_equal(sw.reads, 2);
	swap_fake_fill(p, VA, 9);
	swap_fake_expect_fill(c, VA, 8);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* --- readahead --- */

/* Fill pages [first, first + n) of the region at VA, page j with 16 * j,
 * and send them out in order: the fake hands out the lowest free slot, so
 * with no slot in use they get consecutive ones. The first one's slot. */
static uint32_t swap_out_run(struct vm_space *s, uint64_t first, unsigned n)
{
	uint32_t slot0 = 0;

	for (uint64_t j = first; j < first + n; j++)
		swap_fake_fill(s, VA + j * PG, (uint8_t)(16 * j));
	for (uint64_t j = first; j < first + n; j++) {
		uint32_t slot = swap_out(vm_lookup(s, VA + j * PG), 0);
		slot0 = j == first ? slot : slot0;
		assert_int_equal(slot, slot0 + (j - first));
	}
	check();
	return slot0;
}

static int present(struct vm_space *s, uint64_t j)
{
	return vm_lookup(s, VA + j * PG) != 0;
}

/* Page j holds what swap_out_run put there. */
static void expect_page(struct vm_space *s, uint64_t j)
{
	swap_fake_expect_fill(s, VA + j * PG, (uint8_t)(16 * j));
}

/* A run of consecutive slots comes back with one read_many: the faulting
 * page and `readahead` after it, each mapped writable (nothing else names
 * its slot), counted apart from the major fault; the window ends there and
 * at the region's end; with readahead 0, or a device without read_many,
 * one page per read as before. */
static void test_readahead_run(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	assert_int_equal(vm_region_add(s, VA, VA + 10 * PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 8);
	assert_int_equal(frames_free(), free0);

	/* Off by default: one page, one single read. */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reads, 1);
	assert_int_equal(sw.read_manys, 0);
	assert_int_equal(present(s, 1), 0);
	slot = swap_out(vm_lookup(s, VA), 0);	/* back out: the lowest free slot again */
	assert_int_equal(slot, 1);

	/* Pages 0..4 in one request; 5..7 stay out. */
	vm_set_readahead(4);
	fake_fault(s, VA + 8, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 5);
	assert_int_equal(sw.reads, 1);
	for (uint64_t j = 0; j < 5; j++) {
		assert_true(present(s, j));
		assert_int_equal(perm_at(1, VA + j * PG), RW);
		expect_page(s, j);
		assert_int_equal(sw.refs[slot + j], 0);
		assert_int_equal(swapcache_slot(vm_lookup(s, VA + j * PG)), 0);
	}
	for (uint64_t j = 5; j < 8; j++)
		assert_int_equal(slot_at(s, VA + j * PG), slot + j);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 4);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 3);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 8 + 2);
	assert_int_equal(frames_free(), free0 - 5);

	/* Written without a fault: each page is its own. */
	swap_fake_fill(s, VA + 4 * PG, 99);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 10);

	/* From page 5 the window ends with the pages that name slots: page 8
	 * was never touched. */
	vm_set_readahead(100);	/* at most VM_READAHEAD_MAX */
	fake_fault(s, VA + 5 * PG, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 2);
	assert_int_equal(sw.many_pages, 3);
	for (uint64_t j = 5; j < 8; j++)
		expect_page(s, j);
	assert_int_equal(perm_at(1, VA + 5 * PG), RW);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 3);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 6);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 0);
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS) + vmstat_get(VMSTAT_COW_REUSE), 0);

	/* The last two pages of the region: the window stops at its end. */
	swap_fake_fill(s, VA + 8 * PG, 0);
	slot = swap_out_run(s, 8, 2);
	fake_fault(s, VA + 8 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 3);
	assert_int_equal(sw.many_pages, 2);
	expect_page(s, 8);
	expect_page(s, 9);

	/* A device without read_many: single reads, whatever the setting. */
	vm_set_swap(&sw_ops);
	swap_out_run(s, 0, 3);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 3);
	assert_int_equal(sw.reads, 2);
	assert_int_equal(slot_at(s, VA + PG), slot_at(s, VA + 2 * PG) - 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 5);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 7);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* Page j was swapped: its fault reads it with the lock let go, then maps
 * it from the cache. */
static void read_fault(struct vm_space *s, uint64_t j)
{
	fake_fault(s, VA + j * PG, VM_R, VM_FAULT_RETRY);
	fake_fault(s, VA + j * PG, VM_R, VM_FAULT_MAPPED);
	assert_true(present(s, j));
}

/* s reads with the lock let go and a window of at most 4, and has a
 * private region of `pages` pages at VA. */
static void ra_region(struct vm_space *s, unsigned pages)
{
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(4);
	sw.unlock = 1;
	assert_int_equal(vm_region_add(s, VA, VA + pages * PG, RW, VM_ANON, NULL), 0);
}

/* An eager window's pages go in with one mmu run call, each mapped as its
 * own fault would map it: after a fork, pages whose slots the child still
 * names copy-on-write and read-only, those only the parent names (the
 * child unmapped them) writable; the child then finds the shared frames
 * in the swap cache. */
static void test_readahead_maps_run(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	const struct vm_region *r;
	uint64_t free0 = frames_free();
	unsigned runs, maps;

	(void)state;
	ra_region(p, 8);
	swap_out_run(p, 0, 8);
	assert_int_equal(vm_fork(p, c), 0);	/* every slot named twice */
	assert_int_equal(vm_unmap_range(c, VA + 2 * PG, VA + 4 * PG), 0);
	check();
	r = vm_region_find(p, VA);
	runs = fake.runs;
	maps = fake.maps;

	read_fault(p, 0);	/* no history: a window of 4, mapped with it */
	check();
	assert_int_equal(fake.runs, runs + 1);
	assert_int_equal(fake.maps, maps + 5);
	for (uint64_t j = 0; j <= 4; j++) {
		int shared = j != 2 && j != 3;
		expect_page(p, j);
		assert_int_equal(perm_at(1, VA + j * PG), shared ? VM_R : RW);
		assert_int_equal(region_page_cow(r, j), shared);
	}
	assert_false(present(p, 5));
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 4);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);

	fake_fault(c, VA + 4 * PG, VM_R, VM_FAULT_MAPPED);	/* the parent's frame */
	check();
	assert_int_equal(vm_lookup(c, VA + 4 * PG), vm_lookup(p, VA + 4 * PG));
	assert_int_equal(sw.read_manys, 1);
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A run the mmu maps only in part: the pages it refused stay swapped, their
 * frames waiting in the swap cache, where their own faults find them. */
static void test_readahead_run_partial(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();

	(void)state;
	ra_region(s, 8);
	swap_out_run(s, 0, 8);
	fake_fault(s, VA, VM_R, VM_FAULT_RETRY);
	fake.map_budget = 3;	/* page 0 and two of its window */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	fake.map_budget = -1;
	check();
	for (uint64_t j = 0; j <= 4; j++)
		assert_int_equal(present(s, j), j <= 2);
	assert_true(vm_frame_parked(swapcache_lookup(slot_at(s, VA + 3 * PG))));
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 2);
	fake_fault(s, VA + 3 * PG, VM_R, VM_FAULT_MAPPED);	/* found in the cache */
	check();
	expect_page(s, 3);
	assert_int_equal(sw.read_manys, 1);
	destroy(s);
	assert_int_equal(frames_free(), free0);

	/* Read without a cache, the lock held: the frames refused are freed. */
	s = fake_space(1);
	sw.unlock = 0;
	sw.no_tie = 1;
	assert_int_equal(vm_region_add(s, VA, VA + 8 * PG, RW, VM_ANON, NULL), 0);
	swap_out_run(s, 0, 8);
	fake.map_budget = 3;
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	fake.map_budget = -1;
	check();
	assert_int_equal(frames_free(), free0 - 3);
	assert_int_equal(slot_at(s, VA + 3 * PG), slot_at(s, VA + 7 * PG) - 4);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* A stream's pages past its window are offered to the swap-in thread once
 * the read is over: here the slots of the region's pages 10 and 11 (10
 * refused), not those of the region after it, though their slots follow on
 * the disk. None is judged used or unused before a fault finds it or
 * reclaim takes it. */
static void test_further_offered(void **state)
{
	struct vm_space *s = fake_space(1);
	struct vm_region *r;

	(void)state;
	ra_region(s, 12);
	assert_int_equal(vm_region_add(s, VA + 12 * PG, VA + 20 * PG, RW, VM_ANON, NULL), 0);
	swap_out_run(s, 0, 20);
	r = vm_region_find(s, VA);

	read_fault(s, 0);		/* eager: the window is mapped */
	assert_int_equal(sw.ahead, 0);
	sw.refuse = 0x1;
	read_fault(s, 5);		/* a stream: 6..9 mapped, 10, 11 offered */
	assert_true(present(s, 9));
	assert_false(present(s, 10));
	assert_int_equal(sw.ahead, 2);
	assert_int_equal(sw.ahead_first, slot_at(s, VA + 10 * PG));
	assert_int_equal(vm.ra_seen.hits + vm.ra_seen.misses, 0);
	assert_int_equal(r->ra.further, 0);	/* offered once */
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_STREAMS), 1);
	destroy(s);
}

/* The stream's window's last page mapped by another thread's fault while
 * the read let the lock go still made it: the retry offers the pages past
 * the window. */
static void test_further_offered_last_mapped(void **state)
{
	struct vm_space *s = fake_space(1);

	(void)state;
	ra_region(s, 20);
	swap_out_run(s, 0, 20);
	read_fault(s, 0);		/* eager: the window is mapped */
	fake_fault(s, VA + 5 * PG, VM_R, VM_FAULT_RETRY);	/* a stream: 6..9 read */
	fake_fault(s, VA + 9 * PG, VM_R, VM_FAULT_MAPPED);	/* another thread's */
	assert_int_equal(sw.ahead, 0);
	fake_fault(s, VA + 5 * PG, VM_R, VM_FAULT_MAPPED);
	assert_true(present(s, 9));
	assert_int_equal(sw.ahead, 5);
	assert_int_equal(sw.ahead_first, slot_at(s, VA + 10 * PG));
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_STREAMS), 1);
	check();
	destroy(s);
}

/* The swap-in thread's pages, read past a stream's window, that the
 * stream's next fault finds and maps at once (its window eager) are each
 * judged a hit, as the fault's own page found there is: a stream that uses
 * them must not leave them to be judged only if it stops. */
static void test_thread_pages_judged(void **state)
{
	struct vm_space *s = fake_space(1);

	(void)state;
	ra_region(s, 20);
	swap_out_run(s, 0, 20);
	sw.thread_reads = 1;
	read_fault(s, 0);		/* eager: the window is mapped */
	read_fault(s, 5);		/* a stream: 6..9 mapped, 10..14 read ahead */
	assert_true(swapcache_ahead(swapcache_lookup(slot_at(s, VA + 12 * PG))));
	assert_int_equal(vm.ra_seen.hits + vm.ra_seen.misses, 0);
	fake_fault(s, VA + 10 * PG, VM_R, VM_FAULT_MAPPED);	/* found there: 11..14 mapped too */
	for (uint64_t j = 10; j < 15; j++)
		assert_true(present(s, j));
	assert_int_equal(vm.ra_seen.hits, 5);
	assert_int_equal(vm.ra_seen.misses, 0);
	check();
	destroy(s);
}

/* A read that keeps the lock offers the further pages at once, as the
 * retry after one that let it go does. */
static void test_further_offered_locked(void **state)
{
	struct vm_space *s = fake_space(1);
	struct vm_region *r;

	(void)state;
	ra_region(s, 20);
	sw.unlock = 0;
	swap_out_run(s, 0, 20);
	r = vm_region_find(s, VA);

	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);	/* no retry: the lock was kept */
	fake_fault(s, VA + 5 * PG, VM_R, VM_FAULT_MAPPED);	/* a stream: 6..9 mapped, 10..14 offered */
	assert_true(present(s, 9));
	assert_int_equal(sw.ahead, 5);
	assert_int_equal(r->ra.further, 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_STREAMS), 1);
	destroy(s);
}

/* The window adapts per region: a fault just past an eager window shows
 * it used (the swap code may read further ahead); faults elsewhere halve
 * it to none (pages read ahead were judged unused before: a miss), its
 * pages left in the swap cache; a fault that finds one is a hit; a fault
 * after the last starts a window again, and a sweep through it makes it
 * eager. */
static void test_readahead_adapts(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(4);
	sw.unlock = 1;
	readahead_judged(&vm.ra_seen, 0);
	assert_int_equal(vm_region_add(s, VA, VA + 30 * PG, RW, VM_ANON, NULL), 0);
	swap_out_run(s, 0, 30);

	read_fault(s, 0);		/* no history: the whole window, mapped */
	assert_int_equal(sw.many_pages, 5);
	assert_int_equal(sw.ahead, 0);
	assert_true(present(s, 4));
	read_fault(s, 5);		/* just past it: used, a stream */
	assert_int_equal(sw.many_pages, 5);
	assert_int_equal(sw.ahead, 5);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_HIT), 4);

	read_fault(s, 25);		/* elsewhere: halved, left in the cache */
	assert_int_equal(sw.many_pages, 3);
	assert_int_equal(sw.ahead, 0);
	assert_false(present(s, 26));
	assert_true(swapcache_ahead(swapcache_lookup(slot_at(s, VA + 26 * PG))));
	read_fault(s, 12);
	assert_int_equal(sw.many_pages, 2);
	read_fault(s, 15);		/* none: one read */
	assert_int_equal(sw.read_manys, 4);
	assert_false(present(s, 16));
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_HIT), 4);

	fake_fault(s, VA + 26 * PG, VM_R, VM_FAULT_MAPPED);	/* a hit */
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_HIT), 5);
	assert_false(present(s, 27));

	read_fault(s, 16);		/* follows 15: a window of 2, in the cache */
	assert_int_equal(sw.many_pages, 3);
	fake_fault(s, VA + 17 * PG, VM_R, VM_FAULT_MAPPED);
	fake_fault(s, VA + 18 * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_HIT), 7);
	read_fault(s, 19);		/* swept through: a stream, eager */
	assert_int_equal(sw.many_pages, 5);
	assert_int_equal(sw.ahead, 2);	/* of 24..28, 25..27 are in memory */
	assert_int_equal(sw.ahead_first, slot_at(s, VA + 24 * PG));
	assert_true(present(s, 23));
	check();
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* What became of a page read ahead and left in the cache is judged when
 * it is known: found by a fault, a hit; freed because its last entry went
 * (munmap), neither. Taken by reclaim unused, a miss: the swap engine's
 * test_readahead_miss (test_swap_engine.c), through the real reclaim path. */
static void test_readahead_fate(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();

	(void)state;
	ra_region(s, 30);
	swap_out_run(s, 0, 30);
	read_fault(s, 0);		/* no history: eager, mapped */
	read_fault(s, 10);		/* elsewhere: 11, 12 left in the cache */
	assert_false(present(s, 11));
	assert_int_equal(vm.ra_seen.hits + vm.ra_seen.misses, 0);
	fake_fault(s, VA + 11 * PG, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vm.ra_seen.hits, 1);
	assert_true(swapcache_ahead(swapcache_lookup(slot_at(s, VA + 12 * PG))));
	assert_int_equal(vm_unmap_range(s, VA + 12 * PG, VA + 13 * PG), 0);
	assert_int_equal(vm.ra_seen.hits, 1);
	assert_int_equal(vm.ra_seen.misses, 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MISS), 0);
	check();
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* The window follows the region's pages wherever their slots lie (pages
 * out of order on the disk come in the same transfer, as two runs of
 * slots) and stops at the first page that names none: one present, one
 * never touched; a stack reads ahead like anonymous memory. */
static void test_readahead_gap(void **state)
{
	struct vm_space *s = fake_space(1), *t = fake_space(2);
	uint64_t free0 = frames_free();
	uint32_t s2;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	assert_int_equal(vm_region_add(s, VA, VA + 8 * PG, RW, VM_STACK, NULL), 0);
	assert_int_equal(vm_region_add(t, VA, VA + PG, RW, VM_ANON, NULL), 0);
	for (uint64_t j = 0; j < 6; j++)
		swap_fake_fill(s, VA + j * PG, (uint8_t)(16 * j));
	swap_fake_fill(t, VA, 7);
	/* Slots 1, 2 for pages 0, 1; 3 for t's page; 4, 5 for pages 2, 3;
	 * 6 for page 5; page 4 stays in memory. */
	swap_out(vm_lookup(s, VA), 0);
	swap_out(vm_lookup(s, VA + PG), 0);
	swap_out(vm_lookup(t, VA), 0);
	swap_out(vm_lookup(s, VA + 2 * PG), 0);
	s2 = swap_out(vm_lookup(s, VA + 3 * PG), 0);
	swap_out(vm_lookup(s, VA + 5 * PG), 0);
	assert_int_equal(s2, 5);
	check();

	/* Pages 1, 2 and 3 (slots 2, 4, 5: page 2 does not follow page 1 on
	 * the disk) with page 0; page 4 is present. */
	assert_int_equal(slot_at(s, VA + 2 * PG), 4);
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 4);
	assert_int_equal(sw.many_runs, 2);
	assert_int_equal(slot_at(s, VA + 5 * PG), 6);
	/* Page 5: page 6 was never touched. A single read. */
	fake_fault(s, VA + 5 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.reads, 1);
	for (uint64_t j = 0; j < 6; j++)
		expect_page(s, j);
	assert_int_equal(slot_at(t, VA), 3);	/* another space's slot is never read ahead */
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 3);
	fake_fault(t, VA, VM_R, VM_FAULT_MAPPED);
	swap_fake_expect_fill(t, VA, 7);
	check();
	destroy(s);
	destroy(t);
	assert_int_equal(frames_free(), free0);
}

/* A page whose slot is in the swap cache ends the window: its frame is
 * found there by its own fault, not read a second time. */
static void test_readahead_stops_at_cached(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free(), kept;
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t j = 0; j < 4; j++)
		swap_fake_fill(s, VA + j * PG, (uint8_t)(16 * j));
	slot = swap_out(vm_lookup(s, VA), 0);
	swap_out(vm_lookup(s, VA + PG), 0);
	kept = vm_lookup(s, VA + 2 * PG);
	swap_out(kept, 1);	/* written, and kept in the swap cache */
	swap_out(vm_lookup(s, VA + 3 * PG), 0);
	check();
	assert_int_equal(frames_free(), free0 - 1);

	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 2);
	assert_int_equal(slot_at(s, VA + 2 * PG), slot + 2);
	assert_int_equal(slot_at(s, VA + 3 * PG), slot + 3);
	/* Page 2 from the cache: no read, so no window either. */
	fake_fault(s, VA + 2 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(s, VA + 2 * PG), kept);
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.reads, 0);
	assert_int_equal(slot_at(s, VA + 3 * PG), slot + 3);
	fake_fault(s, VA + 3 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reads, 1);
	for (uint64_t j = 0; j < 4; j++)
		expect_page(s, j);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* Pages shared after fork come back by readahead as by their own faults:
 * copy-on-write while the other space's entries still name the slots, found
 * in the swap cache by it, copied on a write. */
static void test_readahead_after_fork(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free(), pa;
	uint32_t slot = 0;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	assert_int_equal(vm_region_add(p, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t j = 0; j < 4; j++)
		swap_fake_fill(p, VA + j * PG, (uint8_t)(16 * j));
	assert_int_equal(vm_fork(p, c), 0);
	for (uint64_t j = 0; j < 4; j++) {
		uint32_t got = swap_out(vm_lookup(p, VA + j * PG), 0);
		slot = j ? slot : got;
		assert_int_equal(got, slot + j);
		assert_int_equal(sw.refs[got], 2);
	}
	check();

	fake_fault(p, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 4);
	for (uint64_t j = 0; j < 4; j++) {
		assert_int_equal(perm_at(1, VA + j * PG), VM_R);
		assert_true(region_page_cow(vm_region_find(p, VA), j));
		assert_int_equal(sw.refs[slot + j], 1);
		assert_int_equal(swapcache_lookup(slot + j), vm_lookup(p, VA + j * PG));
	}
	/* The child faults page 2: the frame readahead brought in. */
	fake_fault(c, VA + 2 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	pa = vm_lookup(p, VA + 2 * PG);
	assert_int_equal(vm_lookup(c, VA + 2 * PG), pa);
	assert_int_equal(vm_mapcount(pa), 2);
	assert_int_equal(sw.read_manys + sw.reads, 1);
	assert_int_equal(sw.refs[slot + 2], 0);
	assert_int_equal(slot_at(c, VA + 3 * PG), slot + 3);	/* a hit reads nothing ahead */
	/* The parent's write copies: the child's entry names the slot still. */
	swap_fake_fill(p, VA + PG, 200);
	check();
	assert_int_equal(vmstat_get(VMSTAT_COW_BREAKS), 1);
	fake_fault(c, VA + PG, VM_R, VM_FAULT_MAPPED);
	check();
	expect_page(c, 1);
	assert_int_equal(perm_at(2, VA + PG), RW);	/* the slot's last entry, the frame its own */
	swap_fake_expect_fill(p, VA + PG, 200);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 3);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 2);
	assert_int_equal(sw.read_manys + sw.reads, 1);
	destroy(p);
	destroy(c);
	assert_int_equal(frames_free(), free0);
}

/* The window takes only free frames: it stops when they run out, and a
 * fault that had to reclaim for its own page reads that page alone. */
static void test_readahead_frames_run_out(void **state)
{
	struct vm_space *s;
	uint64_t free0;
	uint32_t slot;

	(void)state;
	swap_fake_restart(0);
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	free0 = frames_free();
	s = fake_space(1);
	assert_int_equal(vm_region_add(s, VA, VA + 8 * PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 8);
	hog_frames(3);

	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 3);
	assert_int_equal(sw.reclaims, 0);
	assert_int_equal(frames_free(), 0);
	assert_int_equal(slot_at(s, VA + 3 * PG), slot + 3);
	/* None free: reclaim gives the page its frame, the window gets none. */
	sw.give = 1;
	fake_fault(s, VA + 3 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.reclaims, 1);
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(slot_at(s, VA + 4 * PG), slot + 4);
	for (uint64_t j = 0; j < 4; j++)
		expect_page(s, j);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 2);
	unhog();
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* A window that fails to read is given up: its frames go back, the page
 * asked for is read alone, and only that read's failure fails the fault. */
static void test_readahead_read_fails(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 4);

	sw.fail_many = 1;
	sw.fail_read = 1;
	fake_fault(s, VA + PG, VM_R, VM_FAULT_IO);
	check();
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(sw.many_pages, 3);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(frames_free(), free0);
	for (uint64_t j = 0; j < 4; j++)
		assert_int_equal(slot_at(s, VA + j * PG), slot + j);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 4);

	sw.fail_read = 0;
	fake_fault(s, VA + PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 2);
	assert_int_equal(sw.reads, 2);
	expect_page(s, 1);
	assert_int_equal(perm_at(1, VA + PG), RW);
	assert_int_equal(slot_at(s, VA + 2 * PG), slot + 2);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 0);

	sw.fail_many = 0;
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);	/* page 1 is present: no window */
	fake_fault(s, VA + 2 * PG, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 3);
	assert_int_equal(sw.reads, 3);
	/* Windows that showed no use shrank and are no longer mapped with
	 * their fault: page 3 waits in the cache for its own, a hit. */
	assert_int_equal(present(s, 3), 0);
	fake_fault(s, VA + 3 * PG, VM_R, VM_FAULT_MAPPED);
	for (uint64_t j = 0; j < 4; j++)
		expect_page(s, j);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 3);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 1);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* A shared object's pages keep single reads, even in a row of slots. */
static void test_readahead_not_shared(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot = 0;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(8);
	assert_int_equal(vm_region_add(s, SH, SH + 3 * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t j = 0; j < 3; j++)
		swap_fake_fill(s, SH + j * PG, (uint8_t)j);
	for (uint64_t j = 0; j < 3; j++) {
		uint32_t got = swap_out(vm_lookup(s, SH + j * PG), 0);
		slot = j ? slot : got;
		assert_int_equal(got, slot + j);
	}
	fault_read_back(s, SH, VM_R);
	check();
	assert_int_equal(sw.read_manys, 0);
	assert_int_equal(sw.reads, 1);
	assert_int_equal(fake_pa(1, SH + PG, NULL), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 2);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

static void expect_check_fails(const char *what)
{
	if (vm_check() == 0)
		fail_msg("vm_check missed: %s", what);
	assert_non_null(vm_check_error());
}

/* Reads that let the pager lock go (as the pager's do): the fault starts
 * over (VM_FAULT_RETRY) and finds the pages read waiting in the cache,
 * fresh; the retry maps the page and its window, counted as one major
 * fault and readahead, not as cache hits. */
static void test_unlocked_read(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(4);
	sw.unlock = 1;
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 3);
	fake_fault(s, VA, VM_R, VM_FAULT_RETRY);
	check();	/* the frames are parked, tied to their slots */
	assert_int_equal(sw.read_manys, 1);
	assert_int_equal(present(s, 0), 0);
	assert_true(swapcache_fresh(swapcache_lookup(slot)));	/* the fault's own */
	for (uint32_t k = 1; k < 3; k++)
		assert_true(swapcache_ahead(swapcache_lookup(slot + k)));
	assert_int_equal(frames_free(), free0 - 3);

	fake_fault(s, VA, VM_W, VM_FAULT_MAPPED);
	check();
	assert_int_equal(sw.read_manys, 1);	/* nothing read again */
	for (uint64_t j = 0; j < 3; j++) {
		expect_page(s, j);
		assert_int_equal(swapcache_flags(vm_lookup(s, VA + j * PG)), 0);
	}
	assert_int_equal(perm_at(1, VA), RW);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 2);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 0);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 0);
	assert_int_equal(frames_free(), free0 - 3);
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* The process ends between the read and the retry: its entries let their
 * slots go and the frames read for them go with them. */
static void test_unlocked_read_then_exit(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(4);
	sw.unlock = 1;
	assert_int_equal(vm_region_add(s, VA, VA + 4 * PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA + 3 * PG, 1);
	free0 = frames_free();
	swap_out_run(s, 0, 3);
	fake_fault(s, VA, VM_R, VM_FAULT_RETRY);
	check();
	assert_int_equal(frames_free(), free0 - 3);
	destroy(s);
	assert_int_equal(frames_free(), free0 + 1);	/* page 3's frame too */
}

/* A fault that finds its slot's frame still being read waits (the swap
 * code lets the lock go) and starts over; it reads nothing itself. Once
 * the read is over it maps the frame, counted as the read's major fault. */
static void test_wait_for_reading(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 1);
	pa = frame_alloc();		/* another fault's read, in flight */
	swapcache_read_begin(slot, pa);
	memcpy(frame_ptr(pa), sw.disk[slot], PG);
	check();
	fake_fault(s, VA, VM_R, VM_FAULT_RETRY);
	assert_int_equal(sw.waits, 1);
	assert_int_equal(sw.reads, 0);
	swapcache_read_end(slot, pa, 1, 1);	/* that read is over */
	fake_fault(s, VA, VM_R, VM_FAULT_MAPPED);
	check();
	assert_int_equal(vm_lookup(s, VA), pa);
	expect_page(s, 0);
	assert_int_equal(sw.reads, 0);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_CACHE_HITS), 0);
	destroy(s);
}

/* A read in flight (another fault's, the lock let go) whose slot an exit
 * frees; the slot is handed out again and written for another process's
 * page, which is faulted before the old read settles: the fault gets the
 * page's own contents, not the old read's frame, and the old read's end
 * finds its slot tied to another frame and frees its own. */
static void test_read_in_flight_slot_reused(void **state)
{
	struct vm_space *s = fake_space(1), *t = fake_space(2);
	uint64_t pa;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(t, VA, VA + PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 1);
	pa = frame_alloc();		/* another fault's read, in flight */
	swapcache_read_begin(slot, pa);
	memcpy(frame_ptr(pa), sw.disk[slot], PG);
	vm_space_destroy(s);		/* the exit: the slot is free */
	assert_null(sw.disk[slot]);
	swap_fake_fill(t, VA, 0x40);
	assert_int_equal(swap_out(vm_lookup(t, VA), 0), slot);	/* handed out again */
	fake_fault(t, VA, VM_R, VM_FAULT_MAPPED);
	assert_int_not_equal(vm_lookup(t, VA), pa);
	swap_fake_expect_fill(t, VA, 0x40);
	assert_int_equal(swapcache_read_end(slot, pa, 1, 1), 0);	/* freed */
	assert_int_equal(frame_desc(pa)->state, FRAME_FREE);
	check();
	swap_fake_expect_fill(t, VA, 0x40);
	destroy(t);
}

/* A read that let the lock go and failed: the fault fails (the owner is
 * killed), nothing is left tied, the page still names its slot. */
static void test_unlocked_read_fails(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0;
	uint32_t slot;

	(void)state;
	vm_set_swap(&sw_ra_ops);
	vm_set_readahead(4);
	sw.unlock = 1;
	sw.fail_read = 1;
	assert_int_equal(vm_region_add(s, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	slot = swap_out_run(s, 0, 2);
	free0 = frames_free();
	fake_fault(s, VA, VM_R, VM_FAULT_IO);
	check();
	assert_int_equal(frames_free(), free0);
	assert_int_equal(slot_at(s, VA), slot);
	assert_int_equal(swapcache_lookup(slot), 0);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 0);
	destroy(s);
}

/* A read that fails with the lock let go names its slot to the fault's
 * caller (vm_fault_failed_slot, once); tried once more with it, the fault
 * fails at once while the page still names that slot on the disk alone
 * (no second read), and is resolved afresh once it does not: here the
 * range was discarded meanwhile, so the page is a zero one, read nowhere. */
static struct vm_space *discards_meanwhile;

static void discard_meanwhile(void)
{
	assert_int_equal(vm_discard_unlock(discards_meanwhile, VA, VA + PG), 0);
}

static void test_unlocked_read_fails_retried(void **state)
{
	struct vm_space *s = fake_space(1);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + PG, RW, VM_ANON, NULL), 0);
	swap_fake_fill(s, VA, 5);
	slot = swap_out(vm_lookup(s, VA), 0);
	sw.unlock = 1;
	sw.fail_read = 1;
	fake_fault(s, VA, VM_R, VM_FAULT_IO);
	assert_int_equal(vm_fault_failed_slot(), slot);
	assert_int_equal(vm_fault_failed_slot(), 0);	/* asking cleared it */
	assert_int_equal(vm_fault_after_failed_read(s, VA, VM_R, slot), VM_FAULT_IO);
	assert_int_equal(sw.reads, 1);			/* not read again */
	assert_int_equal(slot_at(s, VA), slot);
	check();

	discards_meanwhile = s;
	sw.while_unlocked = discard_meanwhile;
	fake_fault(s, VA, VM_R, VM_FAULT_IO);		/* a new fault: read again */
	assert_null(sw.while_unlocked);
	assert_int_equal(sw.reads, 2);
	assert_int_equal(vm_fault_after_failed_read(s, VA, VM_R, vm_fault_failed_slot()), VM_FAULT_MAPPED);
	assert_int_equal(sw.reads, 2);
	assert_int_equal(fake_peek(s, VA), 0);		/* discarded: a zero page */
	check();
	sw.unlock = 0;
	sw.fail_read = 0;
	destroy(s);
	assert_int_equal(frames_free(), free0);
}

/* The same for a shared object's page, whose slot the object's entry
 * names (page_slot): still named, the retry fails at once; once the
 * sharer read it (in the cache, then in the object), the retry maps it. */
static void test_unlocked_shared_read_fails_retried(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH, 95);
	assert_int_equal(vm_fork(p, c), 0);
	slot = swap_out(vm_lookup(p, SH), 0);
	sw.unlock = 1;
	sw.fail_read = 1;
	fake_fault(c, SH, VM_R, VM_FAULT_IO);
	assert_int_equal(vm_fault_failed_slot(), slot);
	assert_int_equal(vm_fault_after_failed_read(c, SH, VM_R, slot), VM_FAULT_IO);
	assert_int_equal(sw.reads, 1);			/* not read again */
	check();
	sw.fail_read = 0;
	fake_fault(p, SH, VM_R, VM_FAULT_RETRY);	/* the sharer's read */
	fake_fault(p, SH, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vm_fault_after_failed_read(c, SH, VM_R, slot), VM_FAULT_MAPPED);
	assert_int_equal(sw.reads, 2);
	swap_fake_expect_fill(c, SH, 95);
	check();
	sw.unlock = 0;
	destroy(c);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A window read in three requests (its slots in three runs) whose second
 * request fails: the fault's page and the first run are mapped (the
 * window eager), the second run's frames are freed and its pages still
 * name their slots, and the third run's pages wait in the swap cache as
 * read ahead (the mapping stopped at the gap). */
static void test_unlocked_window_fails_in_part(void **state)
{
	struct vm_space *s = fake_space(1), *t = fake_space(2);
	uint64_t free0 = frames_free(), seen;

	(void)state;
	ra_region(s, 8);
	assert_int_equal(vm_region_add(t, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t j = 0; j < 5; j++)
		swap_fake_fill(s, VA + j * PG, (uint8_t)(16 * j));
	swap_fake_fill(t, VA, 7);
	swap_fake_fill(t, VA + PG, 8);
	/* Slots 1, 2 for pages 0, 1; 3 for t's page; 4, 5 for pages 2, 3;
	 * 6 for t's other; 7 for page 4. */
	swap_out(vm_lookup(s, VA), 0);
	swap_out(vm_lookup(s, VA + PG), 0);
	swap_out(vm_lookup(t, VA), 0);
	swap_out(vm_lookup(s, VA + 2 * PG), 0);
	swap_out(vm_lookup(s, VA + 3 * PG), 0);
	swap_out(vm_lookup(t, VA + PG), 0);
	assert_int_equal(swap_out(vm_lookup(s, VA + 4 * PG), 0), 7);
	check();
	seen = frames_free();

	sw.fail_slots = 1u << 4 | 1u << 5;
	read_fault(s, 0);
	check();
	assert_int_equal(sw.many_runs, 3);
	expect_page(s, 0);
	expect_page(s, 1);
	for (uint64_t j = 2; j < 4; j++) {
		assert_false(present(s, j));
		assert_int_equal(slot_at(s, VA + j * PG), 4 + j - 2);
		assert_int_equal(swapcache_lookup((uint32_t)(4 + j - 2)), 0);
	}
	assert_false(present(s, 4));
	assert_true(swapcache_ahead(swapcache_lookup(7)));
	assert_int_equal(frames_free(), seen - 3);
	assert_int_equal(vmstat_get(VMSTAT_PGMAJFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_RA_MAPPED), 1);

	sw.fail_slots = 0;
	fake_fault(s, VA + 4 * PG, VM_R, VM_FAULT_MAPPED);	/* found in the cache */
	read_fault(s, 2);	/* its slot still holds it */
	check();
	for (uint64_t j = 0; j < 5; j++)
		if (j != 3)
			expect_page(s, j);
	destroy(s);
	destroy(t);
	assert_int_equal(frames_free(), free0);
}

/* Swap entries broken by hand: vm_check notices each. */
static void test_check_catches_swap_corruption(void **state)
{
	struct vm_space *s = fake_space(1);
	struct vm_region *r, *sr;
	uint32_t slot, saved;
	uint64_t pa;

	(void)state;
	assert_int_equal(vm_region_add(s, VA, VA + 2 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, SH, SH + PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(s, VA, 1);
	swap_fake_fill(s, VA + PG, 2);
	swap_fake_fill(s, SH, 3);
	slot = swap_out(vm_lookup(s, VA), 0);
	check();
	r = vm_region_find(s, VA);
	sr = vm_region_find(s, SH);

	pv_set(&r->pages, 0, pv_get(&r->pages, 0) | PAGE_COW);
	expect_check_fails("a swapped entry with a copy-on-write mark");
	pv_set(&r->pages, 0, PAGE_SWAP);
	expect_check_fails("a swapped entry naming slot 0");
	pv_set(&r->pages, 0, PAGE_SWAP | slot);
	vmstat_count(VMSTAT_SWAP_ENTRIES);
	expect_check_fails("the swap_entries counter");
	vmstat_count_n(VMSTAT_SWAP_ENTRIES, -1);
	check();

	/* A present page turned into a swapped one behind the rmap's back. */
	saved = pv_get(&r->pages, 1);
	pv_set(&r->pages, 1, PAGE_SWAP | slot);
	expect_check_fails("a swapped page that still has an rmap entry");
	pv_set(&r->pages, 1, saved);
	/* Two swapped pages of one space naming one slot (all else right:
	 * the counter counts both). */
	saved = swap_out(vm_lookup(s, VA + PG), 0);
	check();
	pv_set(&r->pages, 1, PAGE_SWAP | slot);
	expect_check_fails("two pages of one space naming one slot");
	assert_non_null(strstr(vm_check_error(), "same slot"));
	/* A page naming a slot past the swap cache's table (no swap the
	 * pager has). */
	pv_set(&r->pages, 1, PAGE_SWAP | (swapcache_last_slot() + 1));
	expect_check_fails("a page naming a slot past the swap cache's table");
	assert_non_null(strstr(vm_check_error(), "past the swap cache's table"));
	pv_set(&r->pages, 1, PAGE_SWAP | saved);
	check();
	/* A shared region's own entry naming a slot. */
	saved = pv_get(&sr->pages, 0);
	pa = entry_frame(saved);
	pv_set(&sr->pages, 0, PAGE_SWAP | slot);
	expect_check_fails("a shared region's entry naming a slot");
	pv_set(&sr->pages, 0, saved);
	/* An object page with a copy-on-write mark. */
	pv_set(&sr->obj->pages, 0, pv_get(&sr->obj->pages, 0) | PAGE_COW);
	expect_check_fails("an object page with a copy-on-write mark");
	pv_set(&sr->obj->pages, 0, pa_pfn(pa));
	/* A detached frame that is still mapped. */
	swapcache_detach(pa);
	expect_check_fails("a detached frame still mapped");
	swapcache_claim(pa);
	check();
	destroy(s);
}

/* What vm_space_footprint says of s, counting swapped pages or not. */
static void expect_footprint_of(const struct vm_space *s, int swapped, uint64_t alone,
				uint64_t shared)
{
	uint64_t a = 99, sh = 99;

	vm_space_footprint(s, swapped, &a, &sh);
	assert_int_equal(a, alone);
	assert_int_equal(sh, shared);
}

static void expect_footprint(const struct vm_space *s, uint64_t alone, uint64_t shared)
{
	expect_footprint_of(s, 1, alone, shared);
}

/* Swapped pages count in the footprint like resident ones: a slot named
 * once is the space's alone, a slot fork left named twice is shared (the
 * device's slot_refs says which; without it every slot counts as named
 * once). A shared object's swapped page goes with the object. Asked not
 * to count them (the device is gone), only frames count, a shared
 * object's too. */
static void test_footprint_swapped(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	struct vm_swap_ops no_refs = sw_ops;
	uint32_t s0, s1;

	(void)state;
	no_refs.slot_refs = NULL;
	assert_int_equal(vm_region_add(p, VA, VA + 3 * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(p, SH, SH + 2 * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, VA, 10);
	swap_fake_fill(p, VA + PG, 20);
	swap_fake_fill(p, SH, 30);
	expect_footprint(p, 3, 0);
	s0 = swap_out(vm_lookup(p, VA), 0);
	s1 = swap_out(vm_lookup(p, SH), 0);
	check();
	assert_int_equal(sw.refs[s0], 1);
	assert_int_equal(sw.refs[s1], 1);
	expect_footprint(p, 3, 0);	/* one slot, one frame, one object page */
	/* Swap gone for good (oom_procs.c): a slot freed frees no frame. */
	expect_footprint_of(p, 0, 1, 0);

	assert_int_equal(vm_fork(p, c), 0);
	check();
	assert_int_equal(sw.refs[s0], 2);
	assert_int_equal(sw.refs[s1], 1);	/* the object's one entry */
	expect_footprint(p, 0, 3);
	expect_footprint(c, 0, 3);
	expect_footprint_of(c, 0, 0, 1);	/* the frame fork shares */
	vm_set_swap(&no_refs);
	expect_footprint(p, 1, 2);
	expect_footprint(c, 1, 2);
	vm_set_swap(&sw_ops);

	destroy(c);
	assert_int_equal(sw.refs[s0], 1);
	expect_footprint(p, 3, 0);
	destroy(p);
}

/* A shared object's swapped page gives up its slot when the last region
 * reaching it goes (a hole punched in each sharer), not at the object's
 * end; a swapped page another sharer still reaches keeps its slot and
 * comes back whole. (Before, both slots stayed named until both spaces
 * exited.) */
static void test_shared_hole_swapped_slot(void **state)
{
	struct vm_space *p = fake_space(1), *c = fake_space(2);
	uint64_t free0 = frames_free();
	uint32_t s1, s2;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 3 * PG, RW, VM_SHARED, NULL), 0);
	for (uint64_t k = 0; k < 3; k++)
		swap_fake_fill(p, SH + k * PG, (uint8_t)(40 + 10 * k));
	assert_int_equal(vm_fork(p, c), 0);
	s1 = swap_out(vm_lookup(p, SH + PG), 0);
	s2 = swap_out(vm_lookup(p, SH + 2 * PG), 0);
	check();
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vm_unmap_range(p, SH + PG, SH + 3 * PG), 0);
	check();
	assert_int_equal(sw.refs[s1], 1);	/* c reaches both */
	assert_int_equal(sw.refs[s2], 1);
	assert_int_equal(vm_unmap_range(c, SH + PG, SH + 2 * PG), 0);
	check();
	assert_int_equal(sw.refs[s1], 0);
	assert_int_equal(sw.refs[s2], 1);
	assert_int_equal(vmstat_get(VMSTAT_SWAP_ENTRIES), 1);
	expect_footprint(c, 1, 1);	/* page 2 c's alone, page 0 p's too */
	fault_read_back(c, SH + 2 * PG, VM_R);
	check();
	swap_fake_expect_fill(c, SH + 2 * PG, 60);
	assert_int_equal(sw.refs[s2], 0);
	destroy(c);
	assert_int_equal(frames_free(), free0 - 1);
	destroy(p);
	assert_int_equal(frames_free(), free0);
}

/* A shared object's page whose last region goes while the page is being
 * written out leaves the object at once: parked on its write's tie, not
 * freed under the device, and freed at the write's end, as a private page
 * let go during its write is. (Before, the object kept it.) */
static void test_shared_hole_during_write(void **state)
{
	struct vm_space *p = fake_space(1);
	uint64_t free0 = frames_free(), f;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 3 * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH + PG, 5);
	f = vm_lookup(p, SH + PG);
	swap_fake_unmap_for_write(&f, 1);
	assert_int_equal(vm_unmap_range(p, SH + PG, SH + 2 * PG), 0);
	check();
	assert_int_equal(frame_desc(f)->obj, 0);
	assert_true(vm_frame_parked(f));
	assert_true(swapcache_writing(f));
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(swap_fake_write_over(f), 0);
	check();
	assert_int_equal(frames_free(), free0);
	destroy(p);
}

/* The same during a read of the page's slot (another fault's, in flight
 * with the lock let go): the slot's last reference goes with the hole, so
 * the read's end finds it untied and frees its frame. (Before, the object
 * kept naming the slot, and the read's frame stayed in the cache.) */
static void test_shared_hole_during_read(void **state)
{
	struct vm_space *p = fake_space(1);
	uint64_t free0 = frames_free(), pa;
	uint32_t slot;

	(void)state;
	assert_int_equal(vm_region_add(p, SH, SH + 3 * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(p, SH + PG, 5);
	slot = swap_out(vm_lookup(p, SH + PG), 0);
	pa = frame_alloc();
	swapcache_read_begin(slot, pa);
	memcpy(frame_ptr(pa), sw.disk[slot], PG);
	check();
	assert_int_equal(vm_unmap_range(p, SH + PG, SH + 2 * PG), 0);
	check();
	assert_int_equal(sw.refs[slot], 0);
	assert_int_equal(swapcache_lookup(slot), 0);
	assert_int_equal(swapcache_read_end(slot, pa, 1, 1), 0);
	check();
	assert_int_equal(frames_free(), free0);
	destroy(p);
}

/* vm_space_info as the pages' walk would count: present pages, those
 * another mapping shares, swapped ones, regions. */
static void info_walked(const struct vm_space *s, struct vm_space_info *w)
{
	memset(w, 0, sizeof(*w));
	w->pid = s->pid;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		w->regions++;
		for (uint64_t i = 0; i < region_pages(r); i++) {
			uint64_t pa = region_frame(r, i);
			w->resident += pa != 0;
			w->shared += pa && vm_mapcount(pa) > 1;
			w->swapped += region_slot(r, i) != 0;
		}
	}
}

/* vm_space_info as the walk counts, without asking any page's mapcount
 * (it asked it of every present page, under the pager's lock). */
static void expect_info_walked(const struct vm_space *s)
{
	struct vm_space_info kept, walked;

	vm_mapcount_asks = 0;
	vm_space_info(s, &kept);
	assert_int_equal(vm_mapcount_asks, 0);
	info_walked(s, &walked);
	assert_int_equal(kept.resident, walked.resident);
	assert_int_equal(kept.shared, walked.shared);
	assert_int_equal(kept.swapped, walked.swapped);
	assert_int_equal(kept.regions, walked.regions);
}

/* Slots the fake device has left for swap_out. */
static int slots_left(void)
{
	int n = 0;

	for (uint32_t k = 1; k < SWAP_FAKE_WRITE_SLOT; k++)
		n += !sw.disk[k];
	return n;
}

#define RND_PAGES 24	/* a private region's */
#define RND_SHARED 8	/* the shared region's */

/* One random step on space k of s (a fork into it if it is gone). */
static void random_step(struct vm_space **s, int k, int step)
{
	uint64_t va = rand() % 2 ? VA + (uint64_t)(rand() % RND_PAGES) * PG :
				   SH + (uint64_t)(rand() % RND_SHARED) * PG;
	int op = rand() % 8;
	uint64_t pa;

	if (!s[k]) {
		for (int j = 0; j < 3; j++)
			if (s[j]) {
				s[k] = fake_space(k + 1);
				assert_int_equal(vm_fork(s[j], s[k]), 0);
				return;
			}
		return;
	}
	if (op < 4 && vm_region_find(s[k], va)) {
		if (!fake_pa(k + 1, va, NULL) && object_read_due(s[k], va))
			fault_read_back(s[k], va, VM_W);
		fake_poke(s[k], va, (uint8_t)step);
	}
	else if (op < 6 && (pa = vm_lookup(s[k], va)) && vm_frame_evictable(pa) == 1 &&
		 slots_left() > 2)
		swap_out(pa, 0);
	else if (op == 6)
		assert_int_equal(vm_unmap_range(s[k], va, va + PG), 0);
	else if (op == 7 && rand() % 4 == 0) {
		vm_space_destroy(s[k]);
		s[k] = NULL;
	}
}

/* The statistics' counts (PAGER_PROC_STATS), kept as pages come and go
 * rather than walked page by page, agree with that walk after every step
 * of random faults, evictions, unmaps, forks and exits in three spaces
 * with private and shared memory (vm_check holds the kept counts to the
 * walk too). */
static void test_info_counts_random(void **state)
{
	struct vm_space *s[3] = { fake_space(1), NULL, NULL };

	(void)state;
	srand(16);
	assert_int_equal(vm_region_add(s[0], VA, VA + RND_PAGES * PG, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s[0], SH, SH + RND_SHARED * PG, RW, VM_SHARED, NULL), 0);
	for (int step = 0; step < 2000; step++) {
		random_step(s, rand() % 3, step);
		check();
		for (int k = 0; k < 3; k++)
			if (s[k])
				expect_info_walked(s[k]);
	}
	for (int k = 0; k < 3; k++)
		if (s[k])
			destroy(s[k]);
}

/* Bytes of page arrays spaces t[0..n) hold, and the object of shared
 * region sh of t[0] (once, however many share it): what their budget
 * must be charged with. */
static uint64_t arrays_of(struct vm_space **t, int n, uint64_t sh)
{
	uint64_t bytes = pv_bytes(&vm_region_find(t[0], sh)->obj->pages);

	for (int k = 0; k < n; k++)
		for (const struct vm_region *r = t[k]->regions; r; r = r->next)
			bytes += pv_bytes(&r->pages);
	return bytes;
}


/* A line at its page arrays' bound can still munmap the middle of a
 * region: the split's tail takes the place of the chunks it cuts off, so
 * it is not held to the bound (it was refused, and a munmap is how a line
 * gives memory back). */
static void test_split_at_bound(void **state)
{
	enum { PER = 6, SPAN = PER * 256 };
	const uint64_t base = 0x100000000UL;
	struct vm_space *s;
	uint64_t before;

	(void)state;
	s = fake_space(1);
	assert_int_equal(vm_space_budget_new(s, 0), 0);
	assert_int_equal(vm_region_add(s, base, base + SPAN * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t j = 0; j < PER; j++) {
		swap_fake_fill(s, base + j * 256 * PG, (uint8_t)(j + 1));
		swap_out(vm_lookup(s, base + j * 256 * PG), 0);
	}
	check();
	before = vm_space_budget_bytes(s);
	s->budget->max = before;	/* at its bound */
	assert_int_equal(vm_unmap_range(s, base + 2 * 256 * PG, base + 3 * 256 * PG), 0);
	check();
	assert_true(vm_space_budget_bytes(s) < before);
	fake_fault(s, base + 4 * 256 * PG, VM_R, VM_FAULT_MAPPED);
	swap_fake_expect_fill(s, base + 4 * 256 * PG, 5);
	destroy(s);
}
/* A line's fork tree over swapped sparse pages: a process touches one
 * page in each 256 (each its own chunk, ~1 KiB of the pager's heap) of
 * three large regions and one in a shared one, its private pages go to
 * swap, and it forks as often as its line allows (27): each child copies
 * every chunk, swapped entries too, and none holds a page alone. Their
 * page arrays are charged to the line's one budget, exactly; with room
 * for four copies and a half, three forks succeed and the fourth fails
 * with VM_FAULT_NOMEM, the budget back where it was and no page lost;
 * the line at its bound, a fault that needs a chunk fails with
 * VM_FAULT_ARRAYS, while one that needs none is served, and a refusal
 * answered where it was met (the fork's, a fault-around run's) leaves no
 * trace on a later fault short of frames; and the children's exits
 * give their arrays back to the budget. (Unbounded, 27 forks of 5,000
 * such pages grew the pager's heap by ~140 MiB, for good.) */
static void test_fork_tree_arrays_bounded(void **state)
{
	enum { MAPS = 3, PER = 10, TREE = 27, SPAN = (PER + 1) * 256 };
	const uint64_t base = 0x100000000UL, sh = base + (MAPS + 1) * SPAN * PG;
	struct vm_space *t[TREE + 1];
	uint64_t one, before = 0;
	int n = 1, refused = 0;

	(void)state;
	swap_fake_restart(4);	/* fault-around, for the run the bound cuts */
	t[0] = fake_space(1);
	assert_int_equal(vm_space_budget_new(t[0], 0), 0);
	for (uint64_t m = 0; m < MAPS; m++) {
		uint64_t b = base + m * (SPAN + 256) * PG;
		assert_int_equal(vm_region_add(t[0], b, b + SPAN * PG, RW, VM_ANON, NULL), 0);
		for (uint64_t j = 0; j < PER; j++) {
			swap_fake_fill(t[0], b + j * 256 * PG, (uint8_t)(m * PER + j + 1));
			swap_out(vm_lookup(t[0], b + j * 256 * PG), 0);
		}
	}
	assert_int_equal(vm_region_add(t[0], sh, sh + SPAN * PG, RW, VM_SHARED, NULL), 0);
	swap_fake_fill(t[0], sh + 256 * PG, 99);
	check();
	one = vm_space_budget_bytes(t[0]);
	assert_int_equal(one, arrays_of(t, 1, sh));
	assert_true(one >= MAPS * PER * pv_chunk_bytes());
	t[0]->budget->max = 4 * one + one / 2;

	/* n: the spaces of the tree, the parent and its children. */
	for (; n <= TREE; n++) {
		before = vm_space_budget_bytes(t[0]);
		t[n] = fake_space(1 + n);
		vm_space_budget_share(t[n], t[0]);
		refused = vm_fork(t[0], t[n]) < 0;
		if (refused)
			destroy(t[n]);
		check();
		assert_true(vm_space_budget_bytes(t[0]) <= t[0]->budget->max);
		if (refused)
			break;
	}
	assert_true(refused);
	assert_int_equal(vm_space_budget_bytes(t[0]), before);
	assert_int_equal(n, 4);
	assert_int_equal(vm_space_budget_bytes(t[0]), arrays_of(t, n, sh));
	t[0]->budget->bytes++;				/* vm_check holds it to a walk */
	assert_int_equal(vm_check(), -1);
	t[0]->budget->bytes--;
	check();

	/* The fork's refusal was the fork's answer: a fault short of frames
	 * is memory short (the OOM killer's), not the bound. */
	hog_frames(0);
	fake_fault(t[0], base + 5 * PG, VM_W, VM_FAULT_NOMEM);
	unhog();
	/* With the line at its bound, a page in a chunk not made yet is
	 * refused as the bound, frames free or not. */
	t[0]->budget->max = vm_space_budget_bytes(t[0]);
	fake_fault(t[1], base + PER * 256 * PG, VM_W, VM_FAULT_ARRAYS);
	hog_frames(0);
	fake_fault(t[1], base + PER * 256 * PG, VM_W, VM_FAULT_ARRAYS);
	unhog();
	/* A fault in a chunk that exists is served, its fault-around run
	 * cut before the next chunk, which the bound refuses: answered there,
	 * so a later fault short of frames is memory short, not the bound. */
	fake_fault(t[1], base + (PER * 256 - 2) * PG, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vm_lookup(t[1], base + PER * 256 * PG), 0);
	hog_frames(0);
	fake_fault(t[1], base + (PER * 256 - 250) * PG, VM_W, VM_FAULT_NOMEM);
	unhog();
	/* A swapped page's chunk is there: it comes back. */
	fake_fault(t[1], base + 256 * PG, VM_R, VM_FAULT_MAPPED);
	swap_fake_expect_fill(t[1], base + 256 * PG, 2);
	swap_fake_expect_fill(t[2], sh + 256 * PG, 99);

	for (int k = n - 1; k >= 1; k--) {
		destroy(t[k]);
		assert_int_equal(vm_space_budget_bytes(t[0]), arrays_of(t, k, sh));
	}
	assert_int_equal(vm_space_budget_bytes(t[0]), one);
	destroy(t[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_evict_private),
		TEST(test_evict_after_fork),
		TEST(test_sharing_swapped),
		TEST(test_sharing_tree_cost),
		TEST(test_fork_chunk_reclaims),
		TEST(test_split_chunk_reclaims),
		TEST(test_shared_fork_chunk_reclaims),
		TEST(test_swap_in_reserve_reclaims),
		TEST(test_shared_fault_reserve_reclaims),
		TEST(test_shared_kept_lock_read_chunk_reclaims),
		TEST(test_shared_read_sharer_ends),
		TEST(test_shared_fault_reserve_reclaims_ends),
		TEST(test_parent_writes_child_swapped),
		TEST(test_evict_shared),
		TEST(test_unmap_written_out_shared),
		TEST(test_cache_hit_after_evict),
		TEST(test_write_end),
		TEST(test_unmap_wide),
		TEST(test_unmap_batch),
		TEST(test_unmapped_shared),
		TEST(test_unmapped_shared_new_sharer),
		TEST(test_unmapped_shared_new_sharer_map_refused),
		TEST(test_kept_shared_stays_kept_map_refused),
		TEST(test_unmapped_shared_fork_fails),
		TEST(test_fault_after_write_over),
		TEST(test_write_end_refused_midway),
		TEST(test_write_refused_in_flight_stays_stale),
		TEST(test_write_end_after_resume_asks_nothing),
		TEST(test_fork_after_write_over),
		TEST(test_last_mapping_dropped_while_unmapped),
		TEST(test_fork_after_last_mapping_dropped),
		TEST(test_map_back_bug_noted),
		TEST(test_write_during_write_out),
		TEST(test_write_out_dirtied_cow_reused),
		cmocka_unit_test_setup_teardown(test_sealed_shared_slot_copies, swap_fake_keep_setup,
						swap_fake_group_teardown),
		TEST(test_fake_slots_below_write_slots),
		TEST(test_fork_swapped),
		TEST(test_resize_and_faultaround),
		TEST(test_reclaim),
		TEST(test_faultaround_at_reserve),
		TEST(test_unmap_hold_not_nested),
		TEST(test_no_swap),
		TEST(test_pinned),
		TEST(test_read_error_and_nomem),
		TEST(test_fork_swapped_no_cache),
		TEST(test_check_catches_swap_corruption),
		TEST(test_readahead_run),
		TEST(test_readahead_adapts),
		TEST(test_readahead_fate),
		TEST(test_readahead_maps_run),
		TEST(test_readahead_run_partial),
		TEST(test_further_offered),
		TEST(test_further_offered_last_mapped),
		TEST(test_further_offered_locked),
		TEST(test_thread_pages_judged),
		TEST(test_readahead_gap),
		TEST(test_readahead_stops_at_cached),
		TEST(test_readahead_after_fork),
		TEST(test_readahead_frames_run_out),
		TEST(test_readahead_read_fails),
		TEST(test_readahead_not_shared),
		TEST(test_unlocked_read),
		TEST(test_unlocked_read_then_exit),
		TEST(test_wait_for_reading),
		TEST(test_read_in_flight_slot_reused),
		TEST(test_unlocked_read_fails),
		TEST(test_unlocked_read_fails_retried),
		TEST(test_unlocked_shared_read_fails_retried),
		TEST(test_unlocked_window_fails_in_part),
		TEST(test_footprint_swapped),
		TEST(test_shared_hole_swapped_slot),
		TEST(test_shared_hole_during_write),
		TEST(test_shared_hole_during_read),
		TEST(test_info_counts_random),
		TEST(test_fork_tree_arrays_bounded),
		TEST(test_split_at_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
