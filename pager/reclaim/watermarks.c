/*
 * The watermarks (watermarks.h): the reserve first, then the minimum above
 * it, then where background reclaim starts and stops, by Linux's rule or
 * seed 000's percentages, kept in that order even when a small memory
 * makes them cross.
 */
#include <stdio.h>
#include "base/config.h"
#include "reclaim/watermarks.h"
#include "swap/swap.h"
#include "vm/frames.h"

/* Pages queued ahead of the swap-out thread at most: enough to keep the
 * disk busy with full writes (the thread drops victims with a valid swap
 * copy without writing them, often most of them, so four batches' worth
 * leaves a full one to write), few enough that a working set that turns
 * hot again is not already on its way out. */
#define QUEUE_AHEAD (4 * SWAP_WRITE_BATCH)

struct watermarks marks;

static uint64_t percent_of_frames(unsigned pct)
{
	return frames_total() * pct / 100;
}

/* Seed 000's rule: background reclaim from reclaim_at percent of frames in
 * use down to reclaim_to; the minimum is free_min percent (0: none). */
static void seed_marks(uint64_t reserve)
{
	uint64_t min = percent_of_frames(config.free_min);

	if (min < FREE_FLOOR)
		min = FREE_FLOOR;
	marks.min = config.free_min ? reserve + min : 0;
	marks.start = frames_total() - percent_of_frames(config.reclaim_at);
	marks.stop = frames_total() - percent_of_frames(config.reclaim_to);
}

static uint64_t isqrt(uint64_t n)
{
	uint64_t r = 0;

	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
		if (n >= r + bit) {
			n -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* Linux's rule (mm/page_alloc.c): the minimum is sqrt(16 * memory in KiB)
 * KiB, within 128 KiB .. 256 MiB, so it grows slower than memory (a
 * half a MiB of 16 MiB, 1.4 MiB of 128 MiB, 4 MiB of 1 GiB); the
 * start and stop marks are each a gap above the last, the gap a quarter of
 * the minimum or watermark_scale ten-thousandths of memory, whichever is
 * more. At 128 MiB that keeps 1.8% of frames free at most. */
static void linux_marks(uint64_t reserve)
{
	uint64_t kib_per_frame = FRAME_SIZE / 1024, kib = frames_total() * kib_per_frame;
	uint64_t min_kib = isqrt(kib * 16), min, gap;

	min_kib = min_kib < 128 ? 128 : min_kib > 262144 ? 262144 : min_kib;
	min = min_kib / kib_per_frame;
	if (min < FREE_FLOOR)
		min = FREE_FLOOR;
	gap = frames_total() * config.watermark_scale / 10000;
	if (gap < min / 4)
		gap = min / 4;
	marks.min = reserve + min;
	marks.start = marks.min + gap;
	marks.stop = marks.start + gap;
}

/* The reserve first (at most an eighth of memory); the minimum counts
 * above it, and 0 keeps direct reclaim for allocations that fail. */
void watermarks_set(void)
{
	uint64_t reserve = config.reserve;

	if (reserve > frames_total() / 8) {
		reserve = frames_total() / 8;
		printf("pager: boot: pager.reserve=%u is more than an eighth of memory; using %lu\n",
		       config.reserve, (unsigned long)reserve);
	}
	frames_set_reserve(reserve);
	if (config.watermarks == WATERMARKS_SEED)
		seed_marks(reserve);
	else
		linux_marks(reserve);
	/* In a small memory the marks can cross the floor: keep the order. */
	if (marks.start <= marks.min || marks.start <= reserve)
		marks.start = (marks.min > reserve ? marks.min : reserve) + FREE_FLOOR;
	if (marks.stop <= marks.start)
		marks.stop = marks.start + FREE_FLOOR;
}

/* Between the minimum and the start mark: frames reading ahead may take
 * without bringing faults to reclaim (at most twice the minimum, seed's
 * margin, where the marks are far apart). Never below one request's
 * frames above the reserve: with no minimum (seed, free_min=0) faults
 * reclaim only at the reserve, and reading ahead must stop short of it. */
uint64_t watermarks_read_ahead_floor(void)
{
	uint64_t mid = marks.min + (marks.start - marks.min) / 2;
	uint64_t floor = mid < 2 * marks.min ? mid : 2 * marks.min;
	uint64_t least = frames_reserve() + FREE_FLOOR;

	return floor > least ? floor : least;
}

uint64_t watermarks_shortfall(void)
{
	uint64_t queued = swap_out_pending(), have = frames_free() + queued;

	if (have >= marks.stop || queued >= QUEUE_AHEAD)
		return 0;
	return marks.stop - have < QUEUE_AHEAD - queued ? marks.stop - have : QUEUE_AHEAD - queued;
}

/* The program has had time to show its working set by halfway, and direct
 * reclaim is near. */
int watermarks_patient(void)
{
	return frames_free() > marks.min + (marks.start - marks.min) / 2;
}
