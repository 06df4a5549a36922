/*
 * Host tests for the pager's heap growth: sbrk over frames mapped into the
 * pager (pager/base/heap.c, its sbrk renamed pager_sbrk), the frame source
 * reclaim gives it (reclaim_alloc_pinned, pager/reclaim/direct.c, with the
 * real frame table) and the allocations retried after reclaim
 * (pager/base/heap_alloc.c). Faked here: the kernel's sys_map and
 * sys_unmap (over host memory reserved at the heap's base, which the test
 * build sets to an address the host can map: a page is readable and
 * writable only while mapped, and shows its frame's bytes as mapped, the
 * source's frames filled with dirt as they are handed out), reclaim itself (reclaim_pages frees frames
 * the test took, and notes whether it ran inside sbrk) and the swap
 * engine's answers (no swap).
 *
 * malloc is linked --wrap: while `through_sbrk` is set, it grows the heap
 * as picolibc's nano-malloc does (sbrk, a failure NULL), with the test's
 * `in_sbrk` set for as long as sbrk runs, as malloc's free-list pointers
 * are in hand then: nothing may free (reclaim) in that window.
 *
 * And the frames the heap lends whole for pages of objects
 * (pager/base/slab.c, its page source made of heap_frame_take as
 * reclaim's is): counted as the heap's while lent, under the same rules.
 */
#define _GNU_SOURCE	/* mmap's MAP_FIXED_NOREPLACE, madvise: the heap's range */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#include <sys/mman.h>

#include "base/heap.h"
#include "base/heap_alloc.h"
#include "base/slab.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/kswapd.h"
#include "reclaim/reclaim.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "sys.h"

#define PG 4096UL
#define BASE 0x80000000UL
#define NFRAMES 64
#define RESERVE 8

void *pager_sbrk(ptrdiff_t incr);

static _Alignas(4096) uint8_t ram[NFRAMES * PG];
static struct pager_thread self;
struct watermarks marks;

/* Frames the test took, which the fake reclaim frees (reclaimable pages). */
static uint64_t held[NFRAMES];
static int nheld;

static struct fake_reclaim {
	int calls;		/* reclaim_pages calls */
	int inside_sbrk;	/* of them, made while sbrk ran */
	int nested_mallocs;	/* mallocs it makes itself, before it frees */
	void *nested_got;	/* what the last of those got */
} reclaim;
static int in_sbrk, through_sbrk;

/* The heap's address range, reserved in the host (main) and made
 * accessible a page at a time as the fake kernel maps it; which frame each
 * page maps (0: none). */
#define ARENA_PAGES (2 * NFRAMES)
static uint64_t page_pa[ARENA_PAGES];

static size_t page_of(uintptr_t va)
{
	assert_true(va >= HEAP_BASE && va < HEAP_BASE + ARENA_PAGES * PG && va % PG == 0);
	return (va - HEAP_BASE) / PG;
}

/* The fake kernel's sys_map: after `maps_ok` more mappings (when not
 * negative) refuses while `refuse` is above 0 (counting down), else maps
 * the page and records the frame. The page shows the frame's own bytes
 * (copied in: the host cannot map the frame itself at the heap's
 * address), so what the frame held before is what the heap sees. */
static int refuse, maps_ok = -1;
static uint64_t last_mapped;

int sys_map(int proc, const struct map_entry *entries, size_t n)
{
	size_t i;

	(void)proc;
	assert_int_equal(n, 1);
	if (maps_ok > 0)
		maps_ok--;
	else if (refuse > 0) {
		refuse--;
		return -ERR_NOMEM;
	}
	i = page_of(entries[0].va);
	assert_int_equal(page_pa[i], 0);
	assert_int_equal(mprotect((void *)entries[0].va, PG, PROT_READ | PROT_WRITE), 0);
	memcpy((void *)entries[0].va, frame_ptr(entries[0].pa), PG);
	page_pa[i] = entries[0].pa;
	last_mapped = entries[0].pa;
	return 0;
}

/* Unmapped, a page's contents go (as the frame leaves the heap). */
int sys_unmap(int proc, uintptr_t va, size_t n)
{
	(void)proc;
	for (size_t k = 0; k < n; k++) {
		size_t i = page_of(va + k * PG);

		assert_int_not_equal(page_pa[i], 0);
		page_pa[i] = 0;
	}
	assert_int_equal(madvise((void *)va, n * PG, MADV_DONTNEED), 0);
	assert_int_equal(mprotect((void *)va, n * PG, PROT_NONE), 0);
	return 0;
}

/* Pages the fake kernel has mapped in the heap's range. */
static unsigned pages_mapped(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < ARENA_PAGES; i++)
		n += page_pa[i] != 0;
	return n;
}

/* direct.c's throttled waits: no timer, so it never waits. */
int64_t pager_clock(void)
{
	return 0;
}

int sys_notify_timer(int h, int64_t deadline_ns, uint64_t bits)
{
	(void)h, (void)deadline_ns, (void)bits;
	return -1;
}

void kswapd_throttle(struct pager_thread *t, enum throttle how)
{
	(void)t, (void)how;
}

enum throttle kswapd_throttle_again(unsigned *waited)
{
	(void)waited;
	return THROTTLE_NO;
}

int swap_on(void)
{
	return 0;
}

int swap_congested(void)
{
	return 0;
}

uint32_t swap_out_pending(void)
{
	return 0;
}

/* Reclaim frees up to 4 of the test's frames (at least one each call while
 * it holds any), after an allocation of its own if the test asks for one
 * (a nested malloc, which must not be retried inside reclaim). */
size_t reclaim_pages(size_t want, enum reclaim_how how)
{
	size_t n = 0;

	(void)want;
	assert_int_equal(how, RECLAIM_DIRECT);
	reclaim.calls++;
	reclaim.inside_sbrk += in_sbrk;
	if (reclaim.nested_mallocs > 0) {
		reclaim.nested_mallocs--;
		reclaim.nested_got = heap_malloc(PG);
	}
	while (n < 4 && nheld > 0) {
		frame_free(held[--nheld]);
		n++;
	}
	return n;
}

/* picolibc's growth path, faked: sbrk, with in_sbrk set while it runs;
 * calloc and realloc (from NULL: the tests' only) grow it alike. */
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
	static _Alignas(16) uint8_t block[2 * PG];
	void *p;

	if (!through_sbrk)
		return __real_malloc(n);
	assert_true(n <= sizeof(block));
	in_sbrk = 1;
	p = pager_sbrk((ptrdiff_t)(n > PG ? 2 * PG : PG));
	in_sbrk = 0;
	return p == (void *)-1 ? NULL : block;	/* the heap's pages are not the test's */
}

void *__wrap_calloc(size_t n, size_t size)
{
	return through_sbrk ? __wrap_malloc(n * size) : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (!through_sbrk)
		return __real_realloc(p, n);
	assert_null(p);
	return __wrap_malloc(n);
}

/* The heap's source: reclaim's, each frame it hands out filled with dirt
 * (as an unzeroed frame may hold a process's old data), so a page the
 * heap does not clear shows it. */
#define DIRT 0xa5

static uint64_t dirty_source(void)
{
	uint64_t pa = reclaim_alloc_pinned();

	if (pa)
		memset(frame_ptr(pa), DIRT, PG);
	return pa;
}

/* Take frames (pinned, as a process's would be) until only `left` are free. */
static void fill_to(uint64_t left)
{
	uint64_t pa;

	while (frames_free() > left && (pa = frame_alloc_pinned()) != 0)
		held[nheld++] = pa;
	assert_int_equal(frames_free(), left);
}

static int setup(void **state)
{
	struct frame_range all = { BASE, BASE + NFRAMES * PG };

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	/* The last test's caches may still hold pages, their free objects
	 * poisoned (slab.c): the frame table starts over, all of it free. */
	ASAN_UNPOISON_MEMORY_REGION(ram, sizeof(ram));
#endif
	assert_int_equal(frames_init(BASE, BASE + NFRAMES * PG, &all, 1, ram), 0);
	frames_set_reserve(RESERVE);
	marks = (struct watermarks){ .min = RESERVE + 4, .start = RESERVE + 8, .stop = RESERVE + 12 };
	vmstat_reset();
	heap_set_frame_source(dirty_source, frame_free);
	heap_set_refill(reclaim_for_heap);
	self = (struct pager_thread){ .name = "service" };
	pager_lock(&self);
	nheld = 0;
	reclaim = (struct fake_reclaim){ 0 };
	refuse = 0;
	maps_ok = -1;
	through_sbrk = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pager_unlock(&self);
	through_sbrk = 0;
	return 0;
}

/* At the reserve, a thread that is not freeing memory gets no frame from
 * the source, and the source does not reclaim for it: that reclaim would
 * run inside sbrk, inside malloc, and free into malloc's lists under it. */
static void test_source_never_reclaims(void **state)
{
	uint64_t pages = heap_pages();

	(void)state;
	fill_to(RESERVE);
	in_sbrk = 1;
	assert_ptr_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	in_sbrk = 0;
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(reclaim.inside_sbrk, 0);
	assert_int_equal(reclaim.calls, 0);
	assert_int_equal(frames_free(), RESERVE);
	assert_int_equal(heap_pages(), pages);
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 0);
}

/* The allocation that met the reserve is served all the same: reclaim
 * runs once malloc has failed (never inside its sbrk), and malloc is
 * tried again with a frame above the reserve free. */
static void test_alloc_reclaims_outside_malloc(void **state)
{
	uint64_t pages = heap_pages(), mine = heap_malloc_pages();

	(void)state;
	fill_to(RESERVE);
	through_sbrk = 1;
	assert_non_null(heap_malloc(64));
	assert_non_null(heap_calloc(4, 16));
	through_sbrk = 0;
	assert_true(reclaim.calls > 0);
	assert_int_equal(reclaim.inside_sbrk, 0);
	assert_int_equal(heap_pages(), pages + 2);
	assert_int_equal(heap_malloc_pages(), mine + 2);	/* both mapped for malloc */
	assert_true(frames_free() >= RESERVE);
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 0);
}

/* With nothing left to reclaim, the allocation fails (the request's
 * NOMEM), after one round of reclaim that made no progress. */
static void test_alloc_fails_when_reclaim_cannot_help(void **state)
{
	uint64_t pages = heap_pages();

	(void)state;
	fill_to(RESERVE);
	nheld = 0;	/* none of them reclaimable */
	through_sbrk = 1;
	assert_null(heap_malloc(64));
	assert_null(heap_realloc(NULL, 64));
	through_sbrk = 0;
	assert_int_equal(reclaim.calls, 2);
	assert_int_equal(reclaim.inside_sbrk, 0);
	assert_int_equal(heap_pages(), pages);
	assert_int_equal(frames_free(), RESERVE);
}

/* A thread freeing memory takes the reserve without reclaim; once the
 * reserve is gone too, its allocation fails without reclaim (it is
 * reclaim: no reclaim runs inside it). */
static void test_memalloc_takes_the_reserve(void **state)
{
	uint64_t pages = heap_pages();

	(void)state;
	pager_memalloc_begin();
	fill_to(RESERVE);
	through_sbrk = 1;
	assert_non_null(heap_malloc(64));
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 1);
	fill_to(0);
	assert_null(heap_malloc(64));
	through_sbrk = 0;
	assert_int_equal(reclaim.calls, 0);
	assert_int_equal(heap_pages(), pages + 1);
}

/* The mark nests: an inner end leaves what the outer begin set, so the
 * reserve stays open to the outer work (an OOM kill inside direct
 * reclaim's batch); the outer end closes it again. */
static void test_memalloc_nests(void **state)
{
	int outer, inner;

	(void)state;
	fill_to(RESERVE);
	outer = pager_memalloc_begin();
	inner = pager_memalloc_begin();
	pager_memalloc_end(inner);
	held[nheld] = reclaim_alloc_pinned();	/* still freeing memory: the reserve */
	assert_int_not_equal(held[nheld++], 0);
	pager_memalloc_end(outer);
	assert_int_equal(reclaim_alloc_pinned(), 0);	/* not any more */
	assert_int_equal(outer, 0);
	assert_int_equal(inner, 1);
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 1);
}

/* An allocation made by reclaim itself (nested in the refill) that fails
 * is not retried: no reclaim inside reclaim. The outer one is. */
static void test_refill_is_not_nested(void **state)
{
	(void)state;
	fill_to(RESERVE);
	reclaim.nested_mallocs = 1;
	through_sbrk = 1;
	assert_non_null(heap_malloc(64));
	through_sbrk = 0;
	assert_null(reclaim.nested_got);	/* at the reserve then, and not retried */
	assert_int_equal(reclaim.calls, 1);
	assert_int_equal(reclaim.inside_sbrk, 0);
}

/* Above the reserve a failed allocation is not for want of frames (the
 * kernel refused the mapping): no reclaim, no retry. */
static void test_no_reclaim_above_the_reserve(void **state)
{
	(void)state;
	fill_to(RESERVE + 4);
	refuse = 1;
	through_sbrk = 1;
	assert_null(heap_malloc(64));
	through_sbrk = 0;
	assert_int_equal(reclaim.calls, 0);
}

/* A frame whose mapping the kernel refused (its pool short) is kept for
 * the next growth, not taken again each time: refusals cost one frame,
 * counted as the heap's, and the next growth maps that very frame. */
static void test_refused_map_keeps_its_frame(void **state)
{
	uint64_t pages, free0;

	(void)state;
	/* A frame an earlier test's refusal left is mapped first. */
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	pages = heap_pages();
	free0 = frames_free();
	refuse = 3;
	for (int k = 0; k < 3; k++)
		assert_ptr_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(heap_pages(), pages + 1);
	last_mapped = 0;
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(heap_pages(), pages + 1);
	assert_int_not_equal(last_mapped, 0);
	assert_int_equal(frame_desc(last_mapped)->state, FRAME_PINNED);
	assert_int_equal(frames_check(), 0);
}

/* A growth the source runs out of frames for part way gives back every
 * frame it had mapped, unmapped: a table far too big for memory costs
 * nothing once refused. Before, the frames stayed the heap's for good
 * (a 256 GiB NBD export's checksums took every frame above the reserve,
 * and init could not start). A growth that fits is then made whole, its
 * pages zeroed whole, though the source's frames come with old contents. */
static void test_failed_growth_gives_back(void **state)
{
	uint64_t pages, base;
	unsigned mapped0;
	uint8_t *p;

	(void)state;
	/* A frame an earlier test's refusal left is mapped first. */
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	pages = heap_pages();
	mapped0 = pages_mapped();
	fill_to(RESERVE + 3);
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(5 * PG)), (void *)-1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(frames_free(), RESERVE + 3);
	assert_int_equal(heap_pages(), pages);
	assert_int_equal(pages_mapped(), mapped0);
	assert_int_equal(reclaim.calls, 0);
	assert_int_equal(frames_check(), 0);
	base = (uint64_t)pager_sbrk(0);
	p = pager_sbrk((ptrdiff_t)(3 * PG));
	assert_ptr_equal(p, (void *)base);
	assert_int_equal(frames_free(), RESERVE);
	assert_int_equal(heap_pages(), pages + 3);
	for (size_t k = 0; k < 3 * PG; k++)
		if (p[k] != 0)
			fail_msg("byte %zu of the new pages is %u", k, p[k]);
}

/* A growth of two pages with one frame above the reserve: the source
 * gives one and then none, the growth gives the one back, and reclaim
 * frees frames for both before malloc is tried again. Before, one frame
 * above the reserve counted as room: no reclaim ran and the allocation
 * failed (a fault's NOMEM, an OOM kill, with memory to reclaim). */
static void test_two_page_growth_reclaims_for_both(void **state)
{
	uint64_t pages;

	(void)state;
	/* A frame an earlier test's refusal left is mapped first. */
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	pages = heap_pages();
	fill_to(RESERVE + 1);
	through_sbrk = 1;
	assert_non_null(heap_malloc(2 * PG));
	through_sbrk = 0;
	assert_int_equal(reclaim.calls, 1);
	assert_int_equal(reclaim.inside_sbrk, 0);
	assert_int_equal(heap_pages(), pages + 2);
	assert_true(frames_free() >= RESERVE);
	assert_int_equal(heap_growth_wanted(), 0);
	assert_int_equal(frames_check(), 0);
}

/* The kernel refusing a mapping part way (its pool short): the pages
 * mapped before it go back, and only the refused frame is kept, for the
 * next growth. */
static void test_refused_part_way_gives_back(void **state)
{
	uint64_t pages, free0;
	unsigned mapped0;

	(void)state;
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	pages = heap_pages();
	mapped0 = pages_mapped();
	free0 = frames_free();
	maps_ok = 2;
	refuse = 1;
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(4 * PG)), (void *)-1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(heap_pages(), pages + 1);
	assert_int_equal(pages_mapped(), mapped0);
	assert_int_equal(frames_check(), 0);
}

/* Pages of objects, as reclaim/setup.c makes them: frames the heap lends,
 * seen through the frame table's window. */
static void *object_page(void)
{
	uint64_t pa = heap_frame_take();

	return pa ? frame_ptr(pa) : NULL;
}

static void object_page_back(void *page)
{
	heap_frame_give(frame_pa(page));
}

struct object {
	uint8_t b[1000];	/* four to a page */
};

/* Frames lent for pages of objects count as the heap's while lent and go
 * back, the heap's count with them, once the pages are empty and trimmed
 * (all but one kept): the heap's pages fall. Before, a page array's chunks
 * freed stayed the heap's for good. They are not malloc's: not mapped in
 * the heap, they never count in heap_malloc_pages (vmstat's, which bounds
 * the pager's own page tables). */
static void test_lent_frames_come_back(void **state)
{
	static struct slab_cache objects = SLAB_CACHE(struct object);
	uint64_t pages = heap_pages(), mine = heap_malloc_pages(), free0 = frames_free();
	void *o[12];

	(void)state;
	slab_set_page_source(object_page, object_page_back);
	for (int k = 0; k < 12; k++)
		assert_non_null(o[k] = heap_slab_alloc(&objects));
	assert_int_equal(heap_pages(), pages + 3);
	assert_int_equal(heap_malloc_pages(), mine);
	assert_int_equal(vmstat_get(VMSTAT_HEAP_MALLOC_PAGES), mine);
	assert_int_equal(vmstat_get(VMSTAT_HEAP_PAGES), pages + 3);
	assert_int_equal(frames_free(), free0 - 3);
	for (int k = 0; k < 12; k++)
		slab_free(&objects, o[k]);
	assert_int_equal(slab_trim(), 2);
	assert_int_equal(heap_pages(), pages + 1);
	assert_int_equal(frames_free(), free0 - 1);
	assert_int_equal(frames_check(), 0);
}

/* At the reserve a page of objects is no more to be had than a growth:
 * the source takes no frame and reclaims nothing inside the allocation,
 * the heap says it is short by one frame, and the refill reclaims once
 * slab_alloc has returned, then the object is made. A thread freeing
 * memory takes the reserve for it instead. */
static void test_lent_frame_follows_the_reserve(void **state)
{
	static struct slab_cache objects = SLAB_CACHE(struct object);
	uint64_t pages = heap_pages();
	void *o;
	int was;

	(void)state;
	slab_set_page_source(object_page, object_page_back);
	fill_to(RESERVE);
	assert_null(slab_alloc(&objects));
	assert_true(heap_short());
	assert_int_equal(heap_growth_wanted(), 1);
	assert_int_equal(reclaim.calls, 0);
	assert_non_null(o = heap_slab_alloc(&objects));
	assert_int_equal(reclaim.calls, 1);
	assert_true(heap_short());	/* a lent frame clears it not: the request's end does */
	heap_growth_forget();
	assert_int_equal(heap_pages(), pages + 1);
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 0);
	slab_free(&objects, o);
	for (int k = 0; k < 4; k++)	/* the page is filled, and no other taken */
		assert_non_null(heap_slab_alloc(&objects));
	assert_int_equal(heap_pages(), pages + 1);
	fill_to(RESERVE);
	nheld = 0;			/* nothing left to reclaim */
	assert_null(heap_slab_alloc(&objects));
	was = pager_memalloc_begin();
	assert_non_null(heap_slab_alloc(&objects));
	pager_memalloc_end(was);
	assert_int_equal(vmstat_get(VMSTAT_RESERVE_ALLOCS), 1);
	assert_int_equal(frames_check(), 0);
}

/* The frame kept from a mapping the kernel refused is lent first, and
 * counted once. */
static void test_refused_frame_lent_first(void **state)
{
	uint64_t pages, free0, pa;

	(void)state;
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);	/* an earlier spare */
	refuse = 1;
	last_mapped = 0;
	assert_ptr_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	pages = heap_pages();
	free0 = frames_free();
	pa = heap_frame_take();
	assert_int_not_equal(pa, 0);
	assert_int_equal(heap_pages(), pages);
	assert_int_equal(frames_free(), free0);
	heap_frame_give(pa);
	assert_int_equal(heap_pages(), pages - 1);
	assert_int_equal(frames_free(), free0 + 1);
	assert_int_equal(frames_check(), 0);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* A growth past PAGER_HEAP_MAX is refused with no frame taken: the heap
 * is short (heap_short: the OOM killer may take page arrays for it), but
 * the refill is told of no frames to free (heap_growth_wanted 0, an
 * earlier failure's count gone too), since none would let it grow: the
 * refill reclaims nothing and does not have it tried again. Forgotten
 * with its request, or once a growth succeeds. */
static void test_cap_is_short_not_wanted(void **state)
{
	uint64_t pages = heap_pages();

	(void)state;
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(PAGER_HEAP_MAX + PG)), (void *)-1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(heap_growth_wanted(), 0);
	assert_true(heap_short());
	assert_int_equal(heap_pages(), pages);
	fill_to(RESERVE + 1);
	assert_int_equal(reclaim_for_heap(), 0);
	assert_int_equal(reclaim.calls, 0);
	heap_growth_forget();
	assert_false(heap_short());
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(PAGER_HEAP_MAX + PG)), (void *)-1);
	assert_true(heap_short());
	assert_ptr_not_equal(pager_sbrk((ptrdiff_t)PG), (void *)-1);
	assert_false(heap_short());
	assert_int_equal(frames_check(), 0);
}

/* A frame lent after a refusal at the cap proves nothing of the cap (lent
 * frames are not bounded by it): the heap is still short, for the OOM
 * killer, and a growth's failure for frames still wants its frames, for
 * munmap's retry. Before, a take cleared both. */
static void test_lent_frame_keeps_the_cap(void **state)
{
	uint64_t pa;
	int was;

	(void)state;
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(PAGER_HEAP_MAX + PG)), (void *)-1);
	assert_true(heap_short());
	assert_int_not_equal(pa = heap_frame_take(), 0);
	assert_true(heap_short());
	heap_frame_give(pa);
	heap_growth_forget();
	fill_to(RESERVE);
	assert_ptr_equal(pager_sbrk((ptrdiff_t)(2 * PG)), (void *)-1);
	assert_int_equal(heap_growth_wanted(), 2);
	was = pager_memalloc_begin();	/* the reserve lends it one */
	assert_int_not_equal(pa = heap_frame_take(), 0);
	pager_memalloc_end(was);
	assert_int_equal(heap_growth_wanted(), 2);
	heap_frame_give(pa);
	assert_int_equal(frames_check(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_source_never_reclaims),
		TEST(test_alloc_reclaims_outside_malloc),
		TEST(test_alloc_fails_when_reclaim_cannot_help),
		TEST(test_memalloc_takes_the_reserve),
		TEST(test_memalloc_nests),
		TEST(test_refill_is_not_nested),
		TEST(test_no_reclaim_above_the_reserve),
		TEST(test_refused_map_keeps_its_frame),
		TEST(test_failed_growth_gives_back),
		TEST(test_two_page_growth_reclaims_for_both),
		TEST(test_refused_part_way_gives_back),
		TEST(test_cap_is_short_not_wanted),
		TEST(test_lent_frame_keeps_the_cap),
		TEST(test_lent_frames_come_back),
		TEST(test_lent_frame_follows_the_reserve),
		TEST(test_refused_frame_lent_first),
	};

	/* The heap's range: reserved, no page accessible until mapped. */
	if (mmap((void *)HEAP_BASE, ARENA_PAGES * PG, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)HEAP_BASE) {
		printf("Bail out! cannot reserve the heap's range at %#lx\n", (unsigned long)HEAP_BASE);
		return 1;
	}

	return cmocka_run_group_tests(tests, NULL, NULL);
}
