/*
 * Frame table and free list. The table lives in the first free frames it
 * describes; a frame's index is (pa - ram_base) / FRAME_SIZE. The free list
 * is doubly linked through the descriptors so a frame can leave it anywhere.
 */
#include <string.h>
#include "base/page.h"
#include "base/vmstat.h"
#include "vm/frames.h"

_Static_assert(sizeof(struct frame) <= 32, "a frame descriptor is at most 32 bytes");

/* The descriptors (nframes of them, in frames [table_pa, table_end)) and
 * the RAM they describe: frames.h's frame_desc reads them. */
struct frames_at frames_at;
static uint64_t nframes, table_pa, table_end;
static uint64_t managed, nfree;	/* managed: free or allocated by frame_alloc* */
static uint64_t reserve;	/* the last free frames: frame_alloc_pinned's only */
static uint64_t lowest;		/* the fewest frames ever free since frames_init */
static uint32_t free_head = FRAME_NONE;
static const char *bad_free;	/* the first refused frame_free, kept for frames_check */
static int frees_held;		/* frames_hold_frees: a frame freed may still be mapped */
static const char *error;	/* what the last failed check found */

static uint32_t index_of(uint64_t pa)
{
	return (uint32_t)((pa - frames_at.base) / FRAME_SIZE);
}

static uint64_t pa_of(uint32_t i)
{
	return frames_at.base + (uint64_t)i * FRAME_SIZE;
}

static void push_free(uint32_t i)
{
	struct frame *f = &frames_at.table[i];

	frames_at.unmapped -= f->unmapped;	/* the mark goes with the reset */
	/* A compound literal, not memset: a few stores in place of a call
	 * (a frame is freed for about every page moved). */
	*f = (struct frame){ .state = FRAME_FREE, .prev = FRAME_NONE, .next = free_head };
	if (free_head != FRAME_NONE)
		frames_at.table[free_head].prev = i;
	free_head = i;
	nfree++;
}

static inline __attribute__((always_inline)) uint32_t pop_free(void)
{
	uint32_t i = free_head;

	if (i == FRAME_NONE)
		return FRAME_NONE;
	free_head = frames_at.table[i].next;
	if (free_head != FRAME_NONE)
		frames_at.table[free_head].prev = FRAME_NONE;
	frames_at.table[i].next = frames_at.table[i].prev = FRAME_NONE;
	nfree--;
	return i;
}

/* A free range clipped to whole frames of RAM; empty if none. */
static struct frame_range clip(struct frame_range r)
{
	r.base = (r.base + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	r.end &= ~(FRAME_SIZE - 1);
	if (r.base < frames_at.base)
		r.base = frames_at.base;
	if (r.end > frames_at.base + nframes * FRAME_SIZE)
		r.end = frames_at.base + nframes * FRAME_SIZE;
	if (r.end < r.base)
		r.end = r.base;
	return r;
}

/* Take `bytes` from the start of the first free range that holds them. */
static uint64_t take_table_space(const struct frame_range *free, int nranges, uint64_t bytes)
{
	for (int i = 0; i < nranges; i++) {
		struct frame_range r = clip(free[i]);
		if (r.end - r.base >= bytes)
			return r.base;
	}
	return 0;
}

static void reset(uint64_t ram_base, uint64_t ram_end, uint8_t *win)
{
	frames_at.base = ram_base;
	nframes = (ram_end - ram_base) / FRAME_SIZE;
	frames_at.window = win;
	frames_at.table = NULL;
	frames_at.span = 0;
	frames_at.unmapped = 0;
	managed = nfree = reserve = 0;
	free_head = FRAME_NONE;
	bad_free = error = NULL;
	frees_held = 0;
}

/* Mark the free frames of every range, highest first, so allocation runs
 * upwards through memory; the table's own frames are pinned. */
static void fill_free_list(const struct frame_range *free, int nranges)
{
	for (int r = nranges - 1; r >= 0; r--) {
		struct frame_range c = clip(free[r]);
		for (uint64_t pa = c.end; pa > c.base; pa -= FRAME_SIZE) {
			uint32_t i = index_of(pa - FRAME_SIZE);
			if (frames_at.table[i].state != FRAME_RESERVED)
				continue;	/* ranges overlapped */
			managed++;
			if (pa - FRAME_SIZE >= table_pa && pa - FRAME_SIZE < table_end) {
				frames_at.table[i].state = FRAME_PINNED;
				continue;
			}
			push_free(i);
		}
	}
}

int frames_init(uint64_t ram_base, uint64_t ram_end, const struct frame_range *free,
		int nranges, uint8_t *win)
{
	uint64_t bytes;

	/* 0 means "no frame" everywhere, and the VM core keeps frame numbers
	 * (pa / FRAME_SIZE) in 30 bits. */
	if (ram_base == 0 || ram_end <= ram_base || (ram_base & (FRAME_SIZE - 1)) ||
	    ram_end > FRAMES_RAM_LIMIT || !win)
		return -1;
	reset(ram_base, ram_end, win);
	bytes = (nframes * sizeof(struct frame) + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	table_pa = take_table_space(free, nranges, bytes);
	if (!table_pa)
		return -1;
	table_end = table_pa + bytes;
	frames_at.table = frame_ptr(table_pa);
	memset(frames_at.table, 0, bytes);	/* every frame FRAME_RESERVED */
	frames_at.span = nframes * FRAME_SIZE;
	fill_free_list(free, nranges);
	lowest = nfree;
	vmstat_gauge(VMSTAT_FRAMES_TOTAL, frames_total);
	vmstat_gauge(VMSTAT_FRAMES_FREE, frames_free);
	vmstat_gauge(VMSTAT_FRAMES_FREE_LOWEST, frames_lowest_free);
	return 0;
}

static frames_observer_fn *observer;
static frames_run_observer_fn *run_observer;
static void *observer_ctx;

void frames_set_observer(frames_observer_fn *fn, frames_run_observer_fn *run, void *ctx)
{
	observer = fn;
	run_observer = fn ? run : NULL;
	observer_ctx = ctx;
}

/* Take a free frame for state (0 if none): the free list and the low
 * mark only, so that a run's takes make no call between them. */
static inline __attribute__((always_inline)) uint64_t take(enum frame_state state)
{
	uint32_t i = pop_free();

	if (i == FRAME_NONE)
		return 0;
	if (nfree < lowest)
		lowest = nfree;
	frames_at.table[i].state = (uint8_t)state;
	return pa_of(i);
}

/* Inline in frame_alloc, which every first touch calls once a page.
 * zero: 0 only for a caller that writes every byte itself. */
static inline __attribute__((always_inline)) uint64_t alloc_as(enum frame_state state, int zero)
{
	uint64_t pa = take(state);

	if (!pa)
		return 0;
	if (zero)
		page_zero(frame_ptr(pa));
	if (observer && state == FRAME_ANON)
		observer(observer_ctx, pa, 1);
	return pa;
}

uint64_t frame_alloc(void)
{
	if (nfree <= reserve)
		return 0;
	return alloc_as(FRAME_ANON, 1);
}

/* All the run's frames are taken before any is zeroed: with no call
 * between the takes, the free list's head and count stay in registers
 * (measured: first touch 1,156 -> 1,151 a page). A run observer hears of the run in
 * one call (the policy takes it in one). */
unsigned frame_alloc_run(uint64_t *pa, unsigned n)
{
	unsigned k = 0;

	while (k < n && nfree > reserve && (pa[k] = take(FRAME_ANON)))
		k++;
	for (unsigned m = 0; m < k; m++)
		page_zero(frame_ptr(pa[m]));
	if (k && run_observer)
		run_observer(observer_ctx, pa, k);
	else
		for (unsigned m = 0; m < k && observer; m++)
			observer(observer_ctx, pa[m], 1);
	return k;
}

uint64_t frame_alloc_unzeroed(void)
{
	if (nfree <= reserve)
		return 0;
	return alloc_as(FRAME_ANON, 0);
}

uint64_t frame_alloc_pinned(void)
{
	return alloc_as(FRAME_PINNED, 1);
}

uint64_t frame_alloc_pinned_unzeroed(void)
{
	return alloc_as(FRAME_PINNED, 0);
}

/* Why pa may not be freed, or NULL if it may. */
/* Inline in both callers: frame_free is on every page freed. */
static inline __attribute__((always_inline)) const char *free_refusal(uint64_t pa)
{
	struct frame *f = frame_desc(pa);

	if (!f)
		return "frame_free: not a frame of RAM";
	if (f->state == FRAME_FREE)
		return "frame_free: frame already free";
	if (frees_held)
		return "frame_free: unmaps held (vm_unmaps_hold): it may still be mapped";
	if (f->state != FRAME_ANON && f->state != FRAME_PINNED)
		return "frame_free: frame is reserved";
	if (pa >= table_pa && pa < table_end)
		return "frame_free: frame holds the frame table";
	if (f->mapcount || f->rmap)
		return "frame_free: frame is still mapped";
	if (f->obj)
		return "frame_free: frame is still in a shared object";
	return NULL;
}

void frames_hold_frees(int on)
{
	frees_held = on != 0;
}

int frames_frees_held(void)
{
	return frees_held;
}

void frame_free(uint64_t pa)
{
	const char *why = free_refusal(pa);

	if (why) {
		if (!bad_free)
			bad_free = why;
		return;
	}
	if (observer && frame_desc(pa)->state == FRAME_ANON)
		observer(observer_ctx, pa, 0);
	push_free(index_of(pa));
	vmstat_count(VMSTAT_PGFREE);
}

void frame_retire(uint64_t pa)
{
	const char *why = free_refusal(pa);
	struct frame *f = frame_desc(pa);

	if (why) {
		if (!bad_free)
			bad_free = why;
		return;
	}
	if (observer && f->state == FRAME_ANON)
		observer(observer_ctx, pa, 0);
	frames_at.unmapped -= f->unmapped;
	*f = (struct frame){ .state = FRAME_PINNED, .prev = FRAME_NONE, .next = FRAME_NONE };
}

void frame_mapping_going(struct frame *f)
{
	if (f->mapcount <= 1)
		frame_set_unmapped(f, 0);
}

void frame_set_unmapped(struct frame *f, int on)
{
	if (f->unmapped == !!on)
		return;
	f->unmapped = on != 0;
	if (on)
		frames_at.unmapped++;
	else
		frames_at.unmapped--;
}

/* Walk the free list: links agree both ways and it holds nfree free frames. */
static const char *check_free_list(void)
{
	uint64_t n = 0;
	uint32_t prev = FRAME_NONE;
	const struct frame *t = frames_at.table;

	for (uint32_t i = free_head; i != FRAME_NONE; prev = i, i = t[i].next) {
		if (i >= nframes || ++n > nfree)
			return "free list runs past its count or out of the table";
		if (t[i].state != FRAME_FREE || t[i].prev != prev)
			return "free list holds a frame that is not free, or a bad back-link";
		if (t[i].mapcount || t[i].rmap || t[i].obj || t[i].swap)
			return "a free frame still has mappings, an object or a swap slot";
	}
	return n == nfree ? NULL : "free list is shorter than the free count";
}

/* Count the states: every free frame is on the list, every frame is known. */
static const char *check_states(void)
{
	uint64_t free_seen = 0, owned = 0;

	for (uint64_t i = 0; i < nframes; i++) {
		if (frames_at.table[i].state == FRAME_FREE)
			free_seen++;
		else if (frames_at.table[i].state != FRAME_RESERVED)
			owned++;
		if (frames_at.table[i].state > FRAME_ANON)
			return "a frame has an unknown state";
	}
	if (free_seen != nfree)
		return "a free frame is missing from the free list";
	return free_seen + owned == managed ? NULL : "managed frames do not add up";
}

int frames_check(void)
{
	error = bad_free;
	if (!error && frames_at.table)
		error = check_free_list();
	if (!error && frames_at.table)
		error = check_states();
	return error ? -1 : 0;
}

const char *frames_error(void)
{
	return error;
}

uint64_t frames_total(void)
{
	return managed;
}

void frames_set_reserve(uint64_t n)
{
	reserve = n;
}

uint64_t frames_reserve(void)
{
	return reserve;
}

uint64_t frames_lowest_free(void)
{
	return lowest;
}

uint64_t frames_free(void)
{
	return nfree;
}

uint64_t frames_ram_base(void)
{
	return frames_at.base;
}

uint64_t frames_ram_end(void)
{
	return frames_at.base + nframes * FRAME_SIZE;
}

const struct frame *frames_table(uint64_t *n)
{
	*n = frames_at.table ? nframes : 0;
	return frames_at.table;
}

unsigned frames_descriptor_size(void)
{
	return sizeof(struct frame);
}
