/*
 * Host tests for the pager's VM core in one address space: demand-zero and
 * image fills, bad accesses, the stack's guard, unmapping (an unmap whose
 * second cut is refused unmaps nothing) and resizing regions, placing them,
 * fault-around (a run into a new chunk whose making reclaims the first
 * chunk's pages), running out of frames, a pinned space's marks, and the
 * consistency checker catching broken back-links. vm_check runs after
 * every step (fake_check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/slab.h"
#include "reclaim/oom.h"
#include "vm/rmap_pool.h"
#include "vm/swapcache.h"
#include "vm_fake.h"

#define PG VM_PAGE
#define RW (VM_R | VM_W)
#define AS 1

static int setup(void **state)
{
	(void)state;
	fake_setup(0);
	return 0;
}

static int setup_fa4(void **state)
{
	(void)state;
	fake_setup(4);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_teardown();
	return 0;
}

static void assert_zero_page(uint64_t pa)
{
	const uint8_t *p = frame_ptr(pa);

	for (size_t i = 0; i < PG; i++)
		if (p[i])
			fail_msg("byte %zu of frame 0x%lx is %u", i, (unsigned long)pa, p[i]);
}

/* Linked with --wrap=calloc and --wrap=slab_alloc: the code under test's
 * calloc calls and the page-array chunks it makes (a slab's) come here;
 * after the next calloc_skip of them, the next calloc_fails fail as if
 * memory were short. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__real_slab_alloc(struct slab_cache *c);
void *__wrap_slab_alloc(struct slab_cache *c);
static int calloc_skip, calloc_fails;
/* Called (once: cleared first) by the next such call before it
 * allocates, as reclaim for the pager's heap would run there
 * (base/heap_alloc.h); what it arms is for the calls after. */
static void (*calloc_hook)(void);

/* Whether the call now made fails. */
static int calloc_refused(void)
{
	void (*hook)(void) = calloc_hook;
	int fail = 0;

	if (calloc_skip > 0)
		calloc_skip--;
	else if (calloc_fails > 0)
		calloc_fails--, fail = 1;
	calloc_hook = NULL;
	if (hook)
		hook();
	return fail;
}

void *__wrap_calloc(size_t n, size_t size)
{
	return calloc_refused() ? NULL : __real_calloc(n, size);
}

void *__wrap_slab_alloc(struct slab_cache *c)
{
	if (slab_object_bytes(c) != pv_chunk_bytes())
		return __real_slab_alloc(c);	/* a region record */
	return calloc_refused() ? NULL : __real_slab_alloc(c);
}

static void destroy_all(struct vm_space *s, uint64_t free0)
{
	vm_space_destroy(s);
	fake_check();
	assert_int_equal(fake_count(-1), 0);
	assert_int_equal(frames_free(), free0);
}

static void test_demand_zero(void **state)
{
	uint64_t free0 = frames_free(), pa;
	struct vm_space *s = fake_space(AS);
	unsigned perm, maps;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	fake_check();
	assert_int_equal(fake_count(AS), 0);	/* nothing until touched */
	assert_int_equal(vm_lookup(s, 0x11000), 0);

	fake_fault(s, 0x11008, VM_R, VM_FAULT_MAPPED);
	pa = fake_pa(AS, 0x11000, &perm);
	assert_int_not_equal(pa, 0);
	assert_int_equal(perm, RW);
	assert_zero_page(pa);
	assert_int_equal(vm_lookup(s, 0x11ff8), pa);
	assert_int_equal(vm_mapcount(pa), 1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(fake_count(AS), 1);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 1);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), 1);

	/* A second touch finds the page: no frame, no COW; the same mapping
	 * again (a fault on a present page: another thread's won, or the
	 * tables lost it). */
	maps = fake.maps;
	fake_fault(s, 0x11ff0, VM_W, VM_FAULT_MAPPED);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_pa(AS, 0x11000, &perm), pa);
	assert_int_equal(perm, RW);
	assert_int_equal(fake.maps, maps + 2);
	assert_int_equal(fake.protects, 0);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 3);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 1);
	assert_int_equal(vmstat_get(VMSTAT_COW_REUSE) + vmstat_get(VMSTAT_COW_BREAKS), 0);
	destroy_all(s, free0);
}

/* The page tables lost a present page (a map the kernel refused: the
 * pager's flush can only report it): its next fault maps it again, never
 * clean (a write since the last harvest must not be forgotten), instead
 * of answering "mapped" with nothing, for ever. */
static void test_present_fault_maps_again(void **state)
{
	uint64_t free0 = frames_free(), pa;
	struct vm_space *s = fake_space(AS);
	unsigned perm;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	fake_fault(s, 0x11000, VM_W, VM_FAULT_MAPPED);
	pa = fake_pa(AS, 0x11000, NULL);
	assert_int_not_equal(pa, 0);
	for (unsigned k = 0; k < FAKE_MAPS; k++)	/* the kernel's tables lose it */
		if (fake.m[k].used && fake.m[k].as == AS && fake.m[k].va == 0x11000)
			fake.m[k].used = 0;
	assert_int_equal(fake_pa(AS, 0x11000, NULL), 0);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_pa(AS, 0x11000, &perm), pa);
	assert_int_equal(perm & ~(unsigned)VM_CLEAN, RW);
	assert_int_equal(perm & VM_CLEAN, 0);
	assert_int_equal(frames_free(), free0 - 1);	/* the same frame, no new one */
	fake_check();
	destroy_all(s, free0);
}

static void test_noregion_and_prot(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	unsigned perm;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x12000, VM_R, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x20000, 0x21000, VM_R | VM_X, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x30000, 0x31000, RW, VM_ANON, NULL), 0);
	fake_fault(s, 0x9ff8, VM_R, VM_FAULT_NOREGION);
	fake_fault(s, 0x12000, VM_R, VM_FAULT_NOREGION);	/* end is exclusive */
	fake_fault(s, 0x40000, VM_W, VM_FAULT_NOREGION);
	fake_fault(s, 0x10000, VM_W, VM_FAULT_PROT);
	fake_fault(s, 0x10000, VM_X, VM_FAULT_PROT);
	fake_fault(s, 0x30000, VM_X, VM_FAULT_PROT);
	fake_fault(s, 0x20000, VM_W, VM_FAULT_PROT);
	assert_int_equal(frames_free(), free0);	/* refused faults take nothing */
	assert_int_equal(fake_count(AS), 0);

	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	assert_int_not_equal(fake_pa(AS, 0x11000, &perm), 0);
	assert_int_equal(perm, VM_R);	/* never W without the region's W */
	fake_fault(s, 0x11000, VM_W, VM_FAULT_PROT);
	fake_fault(s, 0x20000, VM_X, VM_FAULT_MAPPED);
	fake_pa(AS, 0x20000, &perm);
	assert_int_equal(perm, VM_R | VM_X);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 10);

	assert_string_not_equal(vm_fault_reason(VM_FAULT_NOREGION), vm_fault_reason(VM_FAULT_PROT));
	assert_non_null(vm_fault_reason(VM_FAULT_NOMEM));
	destroy_all(s, free0);
}

static void test_region_add_rules(void **state)
{
	struct vm_space *s = fake_space(AS);
	struct vm_image img = { (const uint8_t *)"x", 0, 0x50000, 1 };
	unsigned perm;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x13000, 0x15000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x0f000, 0x11000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x20800, 0x21000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x21000, 0x21000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x21000, 0x22000, 8, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x21000, 0x22000, RW, VM_IMAGE, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x50000, 0x51000, VM_R, VM_IMAGE, &img), 0);
	/* Adjacent is fine. */
	assert_int_equal(vm_region_add(s, 0x14000, 0x15000, RW, VM_ANON, NULL), 0);
	/* W alone becomes RW: RISC-V has no write-only pages. */
	assert_int_equal(vm_region_add(s, 0x60000, 0x61000, VM_W, VM_ANON, NULL), 0);
	fake_fault(s, 0x60000, VM_W, VM_FAULT_MAPPED);
	fake_pa(AS, 0x60000, &perm);
	assert_int_equal(perm, RW);
	vm_space_destroy(s);
	fake_check();
}

static void test_stack_guard(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x100000, 0x110000, RW, VM_STACK, NULL), 0);
	fake_fault(s, 0xff000, VM_W, VM_FAULT_NOREGION);	/* the guard page */
	fake_fault(s, 0xffff8, VM_R, VM_FAULT_NOREGION);
	fake_fault(s, 0x10fff8, VM_W, VM_FAULT_MAPPED);
	fake_fault(s, 0x100000, VM_W, VM_FAULT_MAPPED);
	/* Nothing may be put on the guard page; right below it is fine. */
	assert_int_equal(vm_region_add(s, 0xf0000, 0x100000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0xff000, 0x100000, RW, VM_ANON, NULL), -1);
	assert_int_equal(vm_region_add(s, 0xf0000, 0xff000, RW, VM_ANON, NULL), 0);
	fake_fault(s, 0xff000, VM_R, VM_FAULT_NOREGION);
	/* A stack right above a region would have its guard inside it. */
	assert_int_equal(vm_region_add(s, 0x200000, 0x201000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x201000, 0x205000, RW, VM_STACK, NULL), -1);
	assert_int_equal(vm_region_add(s, 0x202000, 0x205000, RW, VM_STACK, NULL), 0);
	/* Growing a region into a stack's guard fails. */
	assert_int_equal(vm_region_resize(s, 0x201000, 0x202000), -1);
	destroy_all(s, free0);
}

static uint8_t file[0x3000];

static void test_image_fill(void **state)
{
	/* A segment starting mid-page: 0x1800 bytes from file offset 0x200. */
	struct vm_image img = { file, 0x200, 0x10100, 0x1800 };
	uint64_t free0 = frames_free(), pa;
	struct vm_space *s = fake_space(AS);
	const uint8_t *p;
	unsigned perm;

	(void)state;
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(vm_region_add(s, 0x10000, 0x13000, VM_R | VM_X, VM_IMAGE, &img), 0);
	fake_fault(s, 0x10010, VM_X, VM_FAULT_MAPPED);
	p = frame_ptr(pa = fake_pa(AS, 0x10000, &perm));
	assert_int_equal(perm, VM_R | VM_X);
	for (size_t i = 0; i < 0x100; i++)
		assert_int_equal(p[i], 0);
	for (size_t i = 0x100; i < PG; i++)
		assert_int_equal(p[i], file[0x200 + i - 0x100]);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	p = frame_ptr(fake_pa(AS, 0x11000, NULL));
	for (size_t i = 0; i < 0x900; i++)
		assert_int_equal(p[i], file[0x200 + 0xf00 + i]);
	for (size_t i = 0x900; i < PG; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_IMAGE), 2);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 0);
	fake_fault(s, 0x12000, VM_R, VM_FAULT_MAPPED);	/* all bss */
	assert_zero_page(fake_pa(AS, 0x12000, NULL));
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 1);
	fake_fault(s, 0x10000, VM_W, VM_FAULT_PROT);
	assert_int_equal(frames_free(), free0 - 3);
	destroy_all(s, free0);
}

/* Touch pages [start, end) of s, storing each page's index at offset 5. */
static void touch(struct vm_space *s, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PG)
		fake_poke(s, va + 5, (uint8_t)((va - 0x10000) / PG));
}

/* A munmap of a region's mapped pages leaves the page tables in one
 * unmap_range call, not a call a page. */
static void test_unmap_range_one_call(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	unsigned ranges = fake.unmap_ranges, unmaps = fake.unmaps;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x20000, RW, VM_ANON, NULL), 0);
	touch(s, 0x14000, 0x20000);
	assert_int_equal(frames_free(), free0 - 12);
	assert_int_equal(vm_unmap_range(s, 0x10000, 0x20000), 0);
	fake_check();
	assert_int_equal(fake.unmap_ranges, ranges + 1);
	assert_int_equal(fake.unmaps, unmaps + 12);
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(frames_free(), free0);
	assert_int_equal(fake.errors, 0);
	vm_space_destroy(s);
}

/* The range given to unmap_range is the whole range going, not only from
 * the first page entry to the last chunk: pages with no entry may have
 * kept their page tables (a write-out's unmap keeps them), which only
 * an unmap over them gives back. */
static void test_unmap_range_whole(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t end = 0x10000 + 4 * PV_CHUNK * PG;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, end, RW, VM_ANON, NULL), 0);
	touch(s, 0x14000, 0x18000);
	assert_int_equal(vm_unmap_range(s, 0x10000, end), 0);
	assert_int_equal(fake.range_va, 0x10000);
	assert_int_equal(fake.range_n, 4 * PV_CHUNK);
	assert_int_equal(fake_count(AS), 0);
	fake_check();
	vm_space_destroy(s);
}

/* An unmap_range refused leaves every page to be unmapped alone before
 * its frame is freed, and is noted. */
static void test_unmap_range_refused(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	unsigned unmaps = fake.unmaps;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x20000, RW, VM_ANON, NULL), 0);
	touch(s, 0x14000, 0x20000);
	fake.fail_unmap_range = 1;
	assert_int_equal(vm_unmap_range(s, 0x10000, 0x20000), 0);
	assert_int_equal(fake.unmaps, unmaps + 12);
	assert_int_equal(fake_count(AS), 0);
	assert_int_equal(frames_free(), free0);
	assert_non_null(vm_bug());
	vm.bug = NULL;
	fake_check();
	vm_space_destroy(s);
}

/* The region a look-up found last is looked at first: a region removed
 * after a fault found it is not found again (under ASan a stale one is a
 * use after free), and a region cut in two is found by each half's pages
 * and by none in the hole. */
static void test_region_found_again(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	fake_fault(s, 0x11000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vm_unmap_range(s, 0x10000, 0x14000), 0);	/* the region goes */
	fake_fault(s, 0x11000, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(vm_region_add(s, 0x20000, 0x28000, RW, VM_ANON, NULL), 0);
	fake_fault(s, 0x21000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vm_unmap_range(s, 0x22000, 0x24000), 0);	/* cut in two */
	fake_fault(s, 0x23000, VM_R, VM_FAULT_NOREGION);
	fake_fault(s, 0x25000, VM_W, VM_FAULT_MAPPED);
	fake_fault(s, 0x21008, VM_R, VM_FAULT_MAPPED);
	fake_fault(s, 0x28000, VM_R, VM_FAULT_NOREGION);	/* end is exclusive */
	fake_check();
	destroy_all(s, free0);
}

/* An unmap from the middle of one region to the middle of the next cuts
 * both before anything goes: with the second cut refused (the new
 * region's page-array chunk cannot be had) the call fails and every page
 * stays; asked again, it unmaps the range and no more. */
static void test_unmap_range_cut_refused(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	struct vm_space_info info;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x14000, 0x18000, RW, VM_ANON, NULL), 0);
	touch(s, 0x10000, 0x18000);
	calloc_skip = 1, calloc_fails = 1;	/* the first cut's chunk, then the second's */
	assert_int_equal(vm_unmap_range(s, 0x12000, 0x16000), VM_FAULT_NOMEM);
	assert_int_equal(calloc_fails, 0);	/* the second cut asked */
	fake_check();
	assert_int_equal(frames_free(), free0 - 8);
	for (uint64_t va = 0x10000; va < 0x18000; va += PG)
		assert_int_equal(fake_peek(s, va + 5), (va - 0x10000) / PG);
	assert_int_equal(vm_unmap_range(s, 0x12000, 0x16000), 0);
	fake_check();
	vm_space_info(s, &info);
	assert_int_equal(info.resident, 4);
	assert_int_equal(frames_free(), free0 - 4);
	for (uint64_t va = 0x12000; va < 0x16000; va += PG)
		fake_fault(s, va, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(fake_peek(s, 0x11005), 1);
	assert_int_equal(fake_peek(s, 0x16005), 6);
	destroy_all(s, free0);
}

static void test_unmap_range_split(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	struct vm_space_info info;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x20000, RW, VM_ANON, NULL), 0);
	touch(s, 0x10000, 0x20000);
	assert_int_equal(frames_free(), free0 - 16);
	/* A hole in the middle splits the region and frees its pages. */
	assert_int_equal(vm_unmap_range(s, 0x14000, 0x18000), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 12);
	vm_space_info(s, &info);
	assert_int_equal(info.regions, 2);
	assert_int_equal(info.resident, 12);
	assert_int_equal(info.pid, 100 + AS);
	for (uint64_t va = 0x14000; va < 0x18000; va += PG) {
		assert_int_equal(fake_pa(AS, va, NULL), 0);
		fake_fault(s, va, VM_R, VM_FAULT_NOREGION);
	}
	/* Both halves kept their pages at the right places. */
	assert_int_equal(fake_peek(s, 0x13005), 3);
	assert_int_equal(fake_peek(s, 0x1a005), 10);
	fake_fault(s, 0x1a000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vm_lookup(s, 0x1a000), fake_pa(AS, 0x1a000, NULL));
	/* The head of the first half. */
	assert_int_equal(vm_unmap_range(s, 0x10000, 0x12000), 0);
	fake_check();
	fake_fault(s, 0x10000, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(fake_peek(s, 0x12005), 2);
	/* Across both halves, unaligned: rounds out to whole pages. */
	assert_int_equal(vm_unmap_range(s, 0x13010, 0x18ff0), 0);
	fake_check();
	vm_space_info(s, &info);
	assert_int_equal(info.regions, 2);
	assert_int_equal(info.resident, 1 + 7);
	assert_int_equal(frames_free(), free0 - 8);
	assert_int_equal(vm_unmap_range(s, 0x30000, 0x40000), 0);	/* nothing there */
	assert_int_equal(vm_unmap_range(s, 0, 0x100000), 0);
	fake_check();
	vm_space_info(s, &info);
	assert_int_equal(info.regions + info.resident, 0);
	destroy_all(s, free0);
}

static void test_resize(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x12000, RW, VM_ANON, NULL), 0);
	touch(s, 0x10000, 0x12000);
	assert_int_equal(vm_region_resize(s, 0x12000, 0x16000), 0);
	fake_check();
	fake_fault(s, 0x15000, VM_W, VM_FAULT_MAPPED);
	fake_fault(s, 0x16000, VM_W, VM_FAULT_NOREGION);
	assert_int_equal(frames_free(), free0 - 3);
	/* Shrinking drops the pages beyond the new end. */
	assert_int_equal(vm_region_resize(s, 0x16000, 0x11000), 0);
	fake_check();
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(fake_pa(AS, 0x11000, NULL), 0);
	assert_int_equal(fake_pa(AS, 0x15000, NULL), 0);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_NOREGION);
	assert_int_equal(fake_peek(s, 0x10005), 0);
	/* Growing again gives fresh zero pages, not the old ones. */
	assert_int_equal(vm_region_resize(s, 0x11000, 0x12000), 0);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_peek(s, 0x11005), 0);
	/* Not into another region; right up to it is fine. */
	assert_int_equal(vm_region_add(s, 0x20000, 0x21000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_resize(s, 0x12000, 0x21000), -1);
	assert_int_equal(vm_region_resize(s, 0x12000, 0x20000), 0);
	assert_int_equal(vm_region_resize(s, 0x12345000, 0x12346000), -1);
	fake_check();
	/* Down to nothing removes the region. */
	assert_int_equal(vm_region_resize(s, 0x20000, 0x10000), 0);
	fake_check();
	fake_fault(s, 0x10000, VM_R, VM_FAULT_NOREGION);
	destroy_all(s, free0);
}

static void test_place(void **state)
{
	struct vm_space *s = fake_space(AS);
	const uint64_t top = 0x3fef000;	/* below the stack's guard page */
	uint64_t a, b, c, d;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x20000, VM_R | VM_X, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x3ff0000, 0x4000000, RW, VM_STACK, NULL), 0);
	a = vm_region_place(s, 0x3000, 0x20000, top, RW, VM_ANON);
	assert_int_equal(a, top - 0x3000);
	b = vm_region_place(s, 0x1801, 0x20000, top, RW, VM_SHARED);	/* rounded up to 2 pages */
	assert_int_equal(b, a - 0x2000);
	fake_fault(s, b + 0x1000, VM_W, VM_FAULT_MAPPED);
	fake_fault(s, b - 0x1000, VM_R, VM_FAULT_NOREGION);
	/* A stack placed below keeps its guard page free. */
	c = vm_region_place(s, 0x2000, 0x20000, top, RW, VM_STACK);
	assert_int_equal(c, b - 0x2000);
	d = vm_region_place(s, 0x1000, 0x20000, top, RW, VM_ANON);
	assert_int_equal(d, c - 0x2000);
	/* A hole left by munmap is found again, top-down. */
	assert_int_equal(vm_unmap_range(s, a, a + 0x3000), 0);
	assert_int_equal(vm_region_place(s, 0x2000, 0x20000, top, VM_R, VM_ANON), top - 0x2000);
	assert_int_equal(vm_region_place(s, 0x1000, 0x20000, top, VM_R, VM_ANON), top - 0x3000);
	/* Too big for any gap above the floor. */
	assert_int_equal(vm_region_place(s, d - 0x20000 + PG, 0x20000, top, RW, VM_ANON), 0);
	assert_int_equal(vm_region_place(s, d - 0x20000, 0x20000, top, RW, VM_ANON), 0x20000);
	assert_int_equal(vm_region_place(s, 0x1000, 0x20000, top, RW, VM_ANON), 0);
	/* The floor, not the regions, bounds it: a lower one finds the gap
	 * under the first region. */
	assert_int_equal(vm_region_place(s, 0x1000, 0, top, RW, VM_ANON), 0x10000 - PG);
	assert_int_equal(vm_region_place(s, 0, 0x20000, top, RW, VM_ANON), 0);
	vm_space_destroy(s);
	fake_check();
}

static void test_faultaround(void **state)
{
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x18000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x18000, 0x1a000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x20000, 0x28000, RW, VM_SHARED, NULL), 0);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	for (uint64_t i = 0; i < 8; i++) {
		unsigned perm;
		uint64_t pa = fake_pa(AS, 0x10000 + i * PG, &perm);
		assert_int_equal(pa != 0, i >= 1 && i <= 5);
		if (pa) {
			assert_int_equal(perm, RW);
			assert_zero_page(pa);
		}
	}
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 4);
	assert_int_equal(vmstat_get(VMSTAT_PGFAULT), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 5);
	/* Not beyond the region's end, not into the next region. */
	fake_fault(s, 0x16000, VM_W, VM_FAULT_MAPPED);
	assert_int_not_equal(fake_pa(AS, 0x17000, NULL), 0);
	assert_int_equal(fake_pa(AS, 0x18000, NULL), 0);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 5);
	/* Pages already there are skipped, not counted. */
	fake_fault(s, 0x10000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 5);
	assert_int_equal(frames_free(), free0 - 8);
	/* Shared memory is not faulted around. */
	fake_fault(s, 0x20000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(fake_pa(AS, 0x21000, NULL), 0);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 5);
	destroy_all(s, free0);
}

/* test_faultaround_rmap's run, 0x20000..0x25000: each page mapped once,
 * its entry its own, its frame marked pinned. */
static void run_rmap_intact(const struct vm_space *s)
{
	for (uint64_t va = 0x20000; va < 0x25000; va += PG) {
		uint64_t pa = vm_lookup(s, va);

		assert_int_not_equal(pa, 0);
		assert_int_equal(vm_mapcount(pa), 1);
		assert_true(rmap_has(pa, s, va));
		assert_int_equal(frame_desc(pa)->pinned_map, 1);
	}
}

/* A fault-around run's reverse-map entries (rmap_add_run): taken from the
 * free chain first, then fresh, without growing the pool; each page gets
 * its one back-link, and a pinned space's frames their mark. vm_check
 * (fake_check) also checks the counters the run moved. Mappings made after
 * the run must not reuse its entries: a run that left the pool's chain
 * head or fresh mark where it found them fails the second look. */
static void test_faultaround_rmap(void **state)
{
	uint64_t free0 = frames_free(), size;
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x18000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, 0x20000, 0x28000, RW, VM_ANON, NULL), 0);
	vm_space_set_pinned(s, 1);
	fake_fault(s, 0x10000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(rmap_pool_used(), 5);
	assert_int_equal(vm_unmap_range(s, 0x11000, 0x14000), 0);	/* 3 onto the chain */
	assert_int_equal(rmap_pool_used(), 2);
	size = rmap_pool_size();
	fake_fault(s, 0x20000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(rmap_pool_used(), 7);
	assert_int_equal(rmap_pool_size(), size);
	run_rmap_intact(s);
	assert_int_equal(vmstat_get(VMSTAT_RMAP_ENTRIES), 7);
	assert_int_equal(vmstat_get(VMSTAT_FRAMES_MAPPED), 7);
	fake_check();
	/* 0x25000..0x27000 (to the region's end): three entries more, none
	 * of them the run's. */
	fake_fault(s, 0x25000, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(rmap_pool_used(), 10);
	run_rmap_intact(s);
	for (uint64_t va = 0x25000; va < 0x28000; va += PG)
		assert_true(rmap_has(vm_lookup(s, va), s, va));
	fake_check();
	destroy_all(s, free0);
}

static void test_faultaround_limit(void **state)
{
	struct vm_space *s;

	(void)state;
	fake_teardown();
	fake_setup(100);	/* clamped to 16 */
	s = fake_space(AS);
	assert_int_equal(vm_region_add(s, 0x10000, 0x30000, RW, VM_STACK, NULL), 0);
	fake_fault(s, 0x10000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 16);
	assert_int_equal(fake_count(AS), 17);
	vm_space_destroy(s);
	fake_check();
}

/* A fault-around run crossing into the page array's next chunk maps pages
 * on both sides; when that chunk cannot be had, the faulting page is still
 * served (it needs only its own chunk) and the pages past the boundary are
 * left, their frames given back. */
static void test_faultaround_chunk(void **state)
{
	const uint64_t a = 0x100000, b = a + 2 * PV_CHUNK * PG, end = b + 2 * PV_CHUNK * PG;
	const uint64_t at = (PV_CHUNK - 2) * PG;	/* runs to PV_CHUNK + 2 */
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, a, b, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, b, end, RW, VM_ANON, NULL), 0);
	fake_fault(s, a + at, VM_R, VM_FAULT_MAPPED);
	for (uint64_t i = 0; i < 5; i++)
		assert_int_not_equal(fake_pa(AS, a + at + i * PG, NULL), 0);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 4);
	/* b's first chunk made by a fault at its start; its second fails. */
	fake_fault(s, b, VM_R, VM_FAULT_MAPPED);
	calloc_fails = 1;
	fake_fault(s, b + at, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(calloc_fails, 0);	/* the chunk was asked for */
	for (uint64_t i = 0; i < 5; i++)
		assert_int_equal(fake_pa(AS, b + at + i * PG, NULL) != 0, i < 2);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 4 + 4 + 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTS_ZERO), 5 + 5 + 2);	/* mapped ones */
	assert_int_equal(frames_free(), free0 - 5 - 5 - 2);
	destroy_all(s, free0);
}

/* Mappings the mmu refuses leave no empty page-array chunk behind: a
 * fault-around run into the next chunk whose pages there are refused, and
 * a lone page refused in a chunk of its own. */
static void test_refused_leaves_no_chunk(void **state)
{
	const uint64_t a = 0x100000, b = a + 2 * PV_CHUNK * PG, end = b + 4 * PV_CHUNK * PG;
	const uint64_t at = (PV_CHUNK - 2) * PG;	/* runs to PV_CHUNK + 2 */
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);
	const struct vm_region *r;

	(void)state;
	assert_int_equal(vm_region_add(s, a, b, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(s, b, end, RW, VM_ANON, NULL), 0);
	r = vm_region_find(s, a);
	fake.map_budget = 2;	/* the two pages before the boundary */
	fake_fault(s, a + at, VM_R, VM_FAULT_MAPPED);
	assert_int_equal(fake_count(AS), 2);
	assert_int_equal(r->pages.n, 1);
	fake.map_budget = 0;
	fake_fault(s, end - PG, VM_R, VM_FAULT_NOMEM);	/* the last page: no run */
	assert_int_equal(vm_region_find(s, b)->pages.n, 0);
	fake.map_budget = -1;
	assert_int_equal(frames_free(), free0 - 2);
	destroy_all(s, free0);
}

/* calloc_hook: reclaim drops every page of the unlocked (discardable)
 * regions, and the next allocation after this one fails. */
static void discard_all(void)
{
	vm_discard_some(FAKE_FRAMES, SIZE_MAX);
	calloc_fails = 1;
}

/* A fault-around run into the next chunk makes that chunk, which may
 * reclaim; here reclaim discards the only pages of the first chunk (the
 * region is unlocked), which would free it. The first chunk is kept for
 * the run's entries: every page of the run is mapped and named, and
 * nothing more is allocated. */
static void test_faultaround_chunk_reclaims(void **state)
{
	const uint64_t a = 0x100000, end = a + 2 * PV_CHUNK * PG;
	const uint64_t at = (PV_CHUNK - 2) * PG;	/* runs to PV_CHUNK + 2 */
	uint64_t free0 = frames_free();
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, a, end, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_discard_unlock(s, a, end), 0);
	fake_fault(s, a + at - 8 * PG, VM_W, VM_FAULT_MAPPED);	/* 5 pages, all in the first chunk */
	assert_int_equal(frames_free(), free0 - 5);
	calloc_hook = discard_all;
	fake_fault(s, a + at, VM_R, VM_FAULT_MAPPED);
	assert_null(calloc_hook);		/* the second chunk was made */
	assert_int_equal(calloc_fails, 1);	/* and nothing else */
	calloc_fails = 0;
	fake_check();
	assert_int_equal(vm_discard_lock(s, a, end), 1);
	assert_int_equal(frames_free(), free0 - 5);
	for (uint64_t i = 0; i < 5; i++) {
		assert_int_equal(fake_pa(AS, a + at - (8 - i) * PG, NULL), 0);
		assert_int_not_equal(fake_pa(AS, a + at + i * PG, NULL), 0);
		assert_int_equal(vm_lookup(s, a + at + i * PG), fake_pa(AS, a + at + i * PG, NULL));
	}
	destroy_all(s, free0);
}

static void test_nomem(void **state)
{
	uint64_t hog[FAKE_FRAMES], free0 = frames_free(), n = 0, pa;
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x18000, RW, VM_ANON, NULL), 0);
	/* The mmu refuses the mapping: the frame goes back. */
	fake.map_budget = 0;
	fake_fault(s, 0x10000, VM_W, VM_FAULT_NOMEM);
	assert_int_equal(frames_free(), free0);
	fake.map_budget = -1;
	/* No frame at all. */
	while ((pa = frame_alloc_pinned()) != 0)
		hog[n++] = pa;
	fake_fault(s, 0x10000, VM_W, VM_FAULT_NOMEM);
	assert_int_equal(fake_count(AS), 0);
	/* One frame: the fault succeeds, fault-around stops quietly. */
	frame_free(hog[--n]);
	fake_fault(s, 0x10000, VM_W, VM_FAULT_MAPPED);
	assert_int_equal(fake_count(AS), 1);
	assert_int_equal(vmstat_get(VMSTAT_FAULTAROUND_PAGES), 0);
	while (n > 0)
		frame_free(hog[--n]);
	fake_check();
	destroy_all(s, free0);
}

/* A space pinned while empty: a page it maps later is marked as it is
 * mapped (rmap_add), so reclaim leaves its frame alone. */
static void test_pinned_map(void **state)
{
	struct vm_space *s = fake_space(AS);
	uint64_t pa;

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	vm_space_set_pinned(s, 1);
	fake_fault(s, 0x11000, VM_R, VM_FAULT_MAPPED);
	pa = vm_lookup(s, 0x11000);
	assert_int_equal(frame_desc(pa)->pinned_map, 1);
	assert_int_equal(vm_frame_evictable(pa), 0);
	vm_space_destroy(s);
	fake_check();
}

/* Break one back-link or counter at a time: vm_check must notice each. */
static void expect_check_fails(const char *what)
{
	if (vm_check() == 0)
		fail_msg("vm_check missed: %s", what);
	assert_non_null(vm_check_error());
}

/* pager.check's walk keeps a table as long as the swap cache's (distinct
 * slots): with no memory for it the walk says so (VM_CHECK_CANNOT), never
 * passing unchecked, and the next walk tries again. */
static void test_check_cannot_without_table(void **state)
{
	struct vm_space *s = fake_space(AS);

	(void)state;
	assert_int_equal(swapcache_init(77), 0);
	calloc_fails = 1;
	assert_int_equal(vm_check(), VM_CHECK_CANNOT);
	assert_int_equal(calloc_fails, 0);	/* the table was asked for */
	assert_non_null(strstr(vm_check_error(), "no memory"));
	assert_int_equal(vm_check(), 0);
	vm_space_destroy(s);
	swapcache_reset();
	fake_check();
}

static void test_check_catches_corruption(void **state)
{
	struct vm_space *s = fake_space(AS);
	struct vm_region *r;
	uint64_t pa, other;
	struct frame *f;
	uint32_t saved;
	char want[128];

	(void)state;
	assert_int_equal(vm_region_add(s, 0x10000, 0x14000, RW, VM_ANON, NULL), 0);
	touch(s, 0x10000, 0x12000);
	pa = vm_lookup(s, 0x10000);
	other = vm_lookup(s, 0x11000);
	f = frame_desc(pa);
	r = vm_region_find(s, 0x10000);

	f->mapcount++;
	expect_check_fails("a mapcount one too high");
	f->mapcount -= 2;
	expect_check_fails("a mapcount one too low");
	f->mapcount++;
	fake_check();

	saved = f->rmap;
	f->rmap = 0;
	expect_check_fails("a frame's rmap list cut off");
	f->rmap = saved;
	fake_check();

	saved = pv_get(&r->pages, 0);
	pv_set(&r->pages, 0, 0);
	expect_check_fails("a page array that lost its page");
	/* The entry left behind is named, with its frame, process and address. */
	snprintf(want, sizeof(want), "rmap entry without its page: frame 0x%lx, pid %u, address 0x10000",
		 (unsigned long)pa, (unsigned)s->pid);
	assert_string_equal(vm_check_error(), want);
	pv_set(&r->pages, 0, pa_pfn(other));
	expect_check_fails("a page array pointing at another frame");
	pv_set(&r->pages, 0, saved);
	fake_check();

	vmstat_count(VMSTAT_FRAMES_SHARED);
	expect_check_fails("the frames_shared counter");
	vmstat_count_n(VMSTAT_FRAMES_SHARED, -1);
	f->obj = 3;
	expect_check_fails("a frame claiming a shared object");
	f->obj = 0;
	fake_check();

	/* Pinned after its pages were mapped: they are marked, and a frame
	 * that lost its mark is caught (frame_pinned would answer 0 for it). */
	vm_space_set_pinned(s, 1);
	assert_int_equal(f->pinned_map, 1);
	assert_int_equal(frame_desc(other)->pinned_map, 1);
	fake_check();
	f->pinned_map = 0;
	expect_check_fails("a frame a pinned space maps, without its mark");
	f->pinned_map = 1;
	vm_space_set_pinned(s, 0);
	fake_check();

	pa = frame_alloc();	/* allocated, never mapped: a leak */
	expect_check_fails("a leaked frame");
	frame_free(pa);
	fake_check();
	vm_space_destroy(s);
	fake_check();
}

/* The pager's memory for page arrays (vm_space_meta_pages), in the OOM
 * footprint. A sparse toucher, one page per MiB of a 64 MiB region, holds
 * 64 chunks (1,040 bytes each: first, used, 256 entries; three to a page
 * of chunks, so 1,365 bytes of the pager's memory each) and a pointer
 * array for 64: 87,872 bytes, 22 pages of the pager's memory for 64 pages
 * of its own. A denser process with 75 pages in one MiB holds one chunk
 * and a pointer array for 4: 1 page. With the arrays counted the sparse
 * one is the OOM victim (64 + 22 > 75 + 1); by pages alone it would be
 * the denser one. */
static void test_footprint_page_arrays(void **state)
{
	struct vm_space *sparse = vm_space_create(AS, 1), *dense = vm_space_create(AS + 1, 2);
	struct oom_candidate c[2];
	uint64_t shared;

	(void)state;
	assert_int_equal(vm_region_add(dense, 0x100000, 0x200000, RW, VM_ANON, NULL), 0);
	assert_int_equal(vm_region_add(sparse, 0x10000000, 0x14000000, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < 75; i++)
		fake_poke(dense, 0x100000 + i * PG, 1);
	for (uint64_t mib = 0; mib < 64; mib++)
		fake_poke(sparse, 0x10000000 + (mib << 20), 1);
	fake_check();
	c[0] = (struct oom_candidate){ .pid = 2, .meta = vm_space_meta_pages(dense) };
	c[1] = (struct oom_candidate){ .pid = 1, .meta = vm_space_meta_pages(sparse) };
	vm_space_footprint(dense, 1, &c[0].alone, &shared);
	vm_space_footprint(sparse, 1, &c[1].alone, &shared);
	assert_int_equal(c[0].alone, 75);
	assert_int_equal(c[1].alone, 64);
	assert_int_equal(c[0].meta, 1);
	assert_int_equal(c[1].meta, 22);
	assert_int_equal(oom_choose(OOM_UNSHARED, c, 2, FAKE_FRAMES, 0), 1);
	assert_int_equal(oom_choose(OOM_RSS, c, 2, FAKE_FRAMES, 0), 1);
	/* Its pages gone, its arrays go: nothing left to count. */
	assert_int_equal(vm_unmap_range(sparse, 0x10000000, 0x14000000), 0);
	assert_int_equal(vm_space_meta_pages(sparse), 0);
	vm_space_destroy(sparse);
	vm_space_destroy(dense);
	fake_check();
}

/* A shared object's arrays are counted where its death frees them: in
 * the one space that refers to it. One page per MiB of an 8 MiB MAP_SHARED
 * region: 8 chunks (1,365 bytes each of a page of chunks) and a pointer
 * array for 8 in the object, as many in the region's own array (its
 * present pages), 21,968 bytes, 6 pages. Once a child shares the object,
 * the parent's death would not free the object's half: 10,984 bytes, 3
 * pages, as for the child, whose region maps the same pages. */
static void test_footprint_shared_arrays(void **state)
{
	struct vm_space *p = vm_space_create(AS, 1), *c = vm_space_create(AS + 1, 2);

	(void)state;
	assert_int_equal(vm_region_add(p, 0x10000000, 0x10800000, RW, VM_SHARED, NULL), 0);
	for (uint64_t mib = 0; mib < 8; mib++)
		fake_poke(p, 0x10000000 + (mib << 20), 1);
	assert_int_equal(vm_space_meta_pages(p), 6);
	assert_int_equal(vm_fork(p, c), 0);
	assert_int_equal(vm_space_meta_pages(p), 3);
	assert_int_equal(vm_space_meta_pages(c), 3);	/* its region maps the same pages */
	vm_space_destroy(p);
	assert_int_equal(vm_space_meta_pages(c), 6);	/* the object is c's alone now */
	vm_space_destroy(c);
	fake_check();
}

/* What the pager keeps for a process besides page arrays is in its OOM
 * score too: a record for each region, touched or not (1,000 one-page
 * regions never touched scored 0 before), and an rmap entry (16 bytes) for
 * each of its present pages, which fork gives every child for every page
 * the parent has present. */
static void test_footprint_records(void **state)
{
	enum { REGIONS = 1000, N = 256, CHILDREN = 4 };
	struct vm_space *s = vm_space_create(AS, 1), *p = vm_space_create(AS + 1, 2);
	struct vm_space *c[CHILDREN];

	(void)state;
	for (uint64_t i = 0; i < REGIONS; i++)
		assert_int_equal(vm_region_add(s, 0x10000000 + i * 2 * PG, 0x10000000 + (i * 2 + 1) * PG,
					       RW, VM_ANON, NULL), 0);
	assert_true(vm_space_meta_pages(s) >= REGIONS * sizeof(struct vm_region) / PG);
	assert_int_equal(vm_region_add(p, 0x10000000, 0x10000000 + N * PG, RW, VM_ANON, NULL), 0);
	for (uint64_t i = 0; i < N; i++)
		fake_poke(p, 0x10000000 + i * PG, 1);
	for (int k = 0; k < CHILDREN; k++) {
		uint64_t held;
		c[k] = vm_space_create(AS + 2 + k, (uint32_t)(3 + k));
		assert_int_equal(vm_fork(p, c[k]), 0);
		held = pv_bytes(&c[k]->regions->pages) + sizeof(struct vm_region) +
		       N * sizeof(struct rmap_entry);
		assert_true(vm_space_meta_pages(c[k]) >= (held + PG - 1) / PG);
	}
	fake_check();
	for (int k = 0; k < CHILDREN; k++)
		vm_space_destroy(c[k]);
	vm_space_destroy(p);
	vm_space_destroy(s);
	fake_check();
}

/* A line's records and page-array chunks (a space of REGIONS one-page
 * regions, each touched, and FORKS forks of it) take pages of objects
 * while they live, a record's share of one and a chunk's for each region
 * of each space, and every such page goes back once the spaces are gone
 * but the one each cache keeps (slab_trim, at a request's end in the
 * pager). Before, they were malloc's, whose frames the pager kept. */
static void test_line_objects_go_back(void **state)
{
	enum { REGIONS = 300, FORKS = 4 };
	const uint64_t base = 0x10000000;
	struct vm_space *s[FORKS + 1];
	uint64_t free0 = frames_free(), least;

	(void)state;
	s[0] = vm_space_create(AS, 1);
	for (uint64_t i = 0; i < REGIONS; i++) {
		uint64_t va = base + i * 2 * PG;
		assert_int_equal(vm_region_add(s[0], va, va + PG, RW, VM_ANON, NULL), 0);
		fake_poke(s[0], va, 1);
	}
	for (int k = 1; k <= FORKS; k++) {
		s[k] = vm_space_create(AS + k, (uint32_t)(1 + k));
		assert_int_equal(vm_fork(s[0], s[k]), 0);
	}
	fake_check();
	least = (FORKS + 1) * REGIONS * (vm_region_record_bytes() + pv_chunk_bytes()) / PG;
	assert_true((uint64_t)host_pages_out >= least);	/* the kept pages among them */
	for (int k = FORKS; k >= 0; k--)
		vm_space_destroy(s[k]);
	slab_trim();
	assert_int_equal(host_pages_out, 2);	/* the records' kept page, the chunks' */
	assert_int_equal(frames_free(), free0);
	fake_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_present_fault_maps_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demand_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_range_one_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_range_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_range_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noregion_and_prot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_add_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_found_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_range_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_range_cut_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faultaround, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_faultaround_rmap, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_faultaround_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faultaround_chunk, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_faultaround_chunk_reclaims, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_refused_leaves_no_chunk, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_nomem, setup_fa4, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_catches_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_cannot_without_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_footprint_page_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_footprint_shared_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_footprint_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_objects_go_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
