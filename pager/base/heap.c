/*
 * The pager's own frames: the heap for picolibc's malloc, sbrk over frames
 * mapped into the pager before use, and frames lent whole for pages of
 * objects (slab.h), all taken from the source heap.h was given. A growth
 * that cannot be made whole gives back the frames it mapped: a table far
 * too big for memory (one sized by a device, not by RAM) would otherwise
 * keep every frame it reached, for good, and fail all the same.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "base/heap.h"
#include "base/page.h"
#include "base/vmstat.h"
#include "sys.h"

#ifndef HEAP_BASE	/* the host test's own: an address it can map */
#define HEAP_BASE 0x800000000UL		/* 32 GiB: below the boot info */
#endif

static uint64_t brk = HEAP_BASE, mapped = HEAP_BASE;
static heap_frame_fn *frame_source;
static heap_unframe_fn *frame_sink;
/* A frame taken whose mapping the kernel refused (its pool was short):
 * the next growth maps it rather than take another, so refusals do not
 * each keep a frame from use. 0: none. */
static uint64_t spare;
/* Pages the last growth wanted when it failed (it gave back what it had
 * mapped, so all of them are still wanted); 0 once one has succeeded. */
static uint64_t wanted;
/* 1 if the last growth was refused at PAGER_HEAP_MAX: the heap is short
 * as much as when frames are, but no frame reclaim frees would let it
 * grow, so `wanted` (the refill's measure) does not say it. */
static int capped;
/* Frames lent whole (heap_frame_take) and not given back yet. */
static uint64_t lent;

void heap_set_frame_source(heap_frame_fn *take, heap_unframe_fn *give)
{
	frame_source = take;
	frame_sink = give;
	vmstat_gauge(VMSTAT_HEAP_PAGES, heap_pages);
	vmstat_gauge(VMSTAT_HEAP_MALLOC_PAGES, heap_malloc_pages);
}

/* The frame to map next: the spare, else one from the source; 0 if none. */
static uint64_t next_frame(void)
{
	uint64_t pa = spare;

	spare = 0;
	if (!pa && frame_source)
		pa = frame_source();
	return pa;
}

/* The pages from `from` up to the mapped end go back: each unmapped and
 * its frame handed back, the last first. Each page's frame was written
 * into its first word as it was mapped (nothing else knows it: the kernel
 * has no call that says what a page maps), and the page is ours until it
 * is unmapped. A page the kernel will not unmap stays mapped, the heap's
 * (the pages below it too: the heap's pages are one run). */
static void give_back(uint64_t from)
{
	while (mapped > from) {
		uint64_t va = mapped - PAGE_SIZE, pa = *(uint64_t *)va;

		if (sys_unmap(HANDLE_SELF, va, 1) < 0)
			return;
		mapped = va;
		frame_sink(pa);
	}
}

static int grow_to(uint64_t want)
{
	uint64_t from = mapped;

	while (mapped < want) {
		struct map_entry e = { mapped, next_frame(), MAP_R | MAP_W };
		if (!e.pa || sys_map(HANDLE_SELF, &e, 1) < 0) {
			spare = e.pa;	/* 0 if there was none */
			give_back(from);
			wanted = (want - from + PAGE_SIZE - 1) / PAGE_SIZE;
			return -1;
		}
		*(uint64_t *)e.va = e.pa;	/* for give_back */
		mapped += PAGE_SIZE;
	}
	/* The source leaves a frame's old contents (heap.h): malloc's pages
	 * start zeroed, as the heap has always handed them out. */
	for (uint64_t va = from; va < mapped; va += PAGE_SIZE)
		page_zero((void *)va);
	wanted = 0;
	capped = 0;
	return 0;
}

uint64_t heap_growth_wanted(void)
{
	return wanted;
}

int heap_short(void)
{
	return wanted > 0 || capped;
}

void heap_growth_forget(void)
{
	wanted = 0;
	capped = 0;
}

/* Whether a break of want would take the heap past its most: said by
 * heap_short until a growth succeeds or it is forgotten, and not by
 * heap_growth_wanted (this growth wants no frame: none would let it). */
static int past_cap(uint64_t want)
{
	if (want <= HEAP_BASE + PAGER_HEAP_MAX)
		return 0;
	wanted = 0;
	capped = 1;
	return 1;
}

uint64_t heap_malloc_pages(void)
{
	return (mapped - HEAP_BASE) / PAGE_SIZE;
}

uint64_t heap_pages(void)
{
	return heap_malloc_pages() + (spare != 0) + lent;
}

uint64_t heap_frame_take(void)
{
	uint64_t pa = next_frame();

	if (!pa) {
		wanted = 1;
		return 0;
	}
	/* A frame lent says nothing of malloc's growth: it is one frame (a
	 * growth may want more), and lent frames are not bounded by
	 * PAGER_HEAP_MAX. So a failed growth's `wanted` and `capped` stay for
	 * the OOM killer (heap_short) and munmap's retry (heap_growth_wanted)
	 * until a growth succeeds or the request ends. */
	lent++;
	return pa;
}

void heap_frame_give(uint64_t pa)
{
	lent--;
	frame_sink(pa);
}

void *sbrk(ptrdiff_t incr)
{
	uint64_t old = brk, want = brk + (uint64_t)incr;

	if (incr < 0 ? (uint64_t)-incr > brk - HEAP_BASE : past_cap(want) || grow_to(want) < 0) {
		errno = ENOMEM;
		return (void *)-1;
	}
	/* picolibc's malloc (nano-malloc, 1.8) only ever raises the break: what
	 * it frees stays on its free list for the next allocation, so the
	 * frames stay mapped. A lowered break would leave them mapped too, for
	 * reuse. What must go back when its owner ends is not malloc's: it
	 * lies in pages of objects (slab.h), lent by heap_frame_take. */
	brk = want;
	return (void *)old;
}
