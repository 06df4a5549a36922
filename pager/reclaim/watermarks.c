/*
 * The watermarks (watermarks.h): the reserve first, then the minimum above
 * it, then where background reclaim starts and stops, kept in that order
 * even when a small memory makes the percentages cross.
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

/* The reserve first (at most an eighth of memory); the minimum counts
 * above it, and 0 keeps direct reclaim for allocations that fail. */
void watermarks_set(void)
{
	uint64_t reserve = config.reserve, min;

	if (reserve > frames_total() / 8) {
		reserve = frames_total() / 8;
		printf("pager: boot: pager.reserve=%u is more than an eighth of memory; using %lu\n",
		       config.reserve, (unsigned long)reserve);
	}
	frames_set_reserve(reserve);
	min = percent_of_frames(config.free_min);
	if (min < FREE_FLOOR)
		min = FREE_FLOOR;
	marks.min = config.free_min ? reserve + min : 0;
	marks.start = frames_total() - percent_of_frames(config.reclaim_at);
	marks.stop = frames_total() - percent_of_frames(config.reclaim_to);
	/* In a small memory the percentages can cross the floor: keep the order. */
	if (marks.start <= marks.min || marks.start <= reserve)
		marks.start = (marks.min > reserve ? marks.min : reserve) + FREE_FLOOR;
	if (marks.stop <= marks.start)
		marks.stop = marks.start + FREE_FLOOR;
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
