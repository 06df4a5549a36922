/*
 * The pager's own heap for picolibc's malloc: sbrk over frames mapped into
 * the pager before use, taken from the source heap.h was given.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "base/heap.h"
#include "base/vmstat.h"
#include "sys.h"

#define HEAP_BASE 0x800000000UL		/* 32 GiB: below the boot info */
#define HEAP_MAX (512UL << 20)

static uint64_t brk = HEAP_BASE, mapped = HEAP_BASE;
static heap_frame_fn *frame_source;
/* A frame taken whose mapping the kernel refused (its pool was short):
 * the next growth maps it rather than take another, so refusals do not
 * each keep a frame from use. 0: none. */
static uint64_t spare;

void heap_set_frame_source(heap_frame_fn *fn)
{
	frame_source = fn;
	vmstat_gauge(VMSTAT_HEAP_PAGES, heap_pages);
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

static int grow_to(uint64_t want)
{
	while (mapped < want) {
		struct map_entry e = { mapped, next_frame(), MAP_R | MAP_W };
		if (!e.pa)
			return -1;
		if (sys_map(HANDLE_SELF, &e, 1) < 0) {
			spare = e.pa;
			return -1;
		}
		mapped += PAGE_SIZE;
	}
	return 0;
}

uint64_t heap_pages(void)
{
	return (mapped - HEAP_BASE) / PAGE_SIZE + (spare != 0);
}

void *sbrk(ptrdiff_t incr)
{
	uint64_t old = brk, want = brk + (uint64_t)incr;

	if (incr < 0 ? (uint64_t)-incr > brk - HEAP_BASE : want > HEAP_BASE + HEAP_MAX ||
	    grow_to(want) < 0) {
		errno = ENOMEM;
		return (void *)-1;
	}
	/* picolibc's malloc (nano-malloc, 1.8) only ever raises the break: what
	 * it frees stays on its free list for the next allocation, so the
	 * frames stay mapped (heap_pages: the high-water mark). A lowered break
	 * would leave them mapped too, for reuse. */
	brk = want;
	return (void *)old;
}
