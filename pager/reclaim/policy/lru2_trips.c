/*
 * How long lru2's second trip took (lru2_trips.h). The trip must take time.
 * When reclaim first starts, every page is new and reads as referenced: a
 * call free to look at them all marks every one and finds nothing, and a
 * second call made at once takes the oldest, whose bits the first has just
 * cleared, with no time for the program to use them in between (the working
 * set, often the oldest pages, went first that way). Background reclaim
 * therefore looks a little at a time (env->max_looks) while memory is not
 * yet short, so a marked page reaches the tail again only after the program
 * has run.
 *
 * That is not enough on its own: once memory is short, a call with no look
 * limit still marks thousands of new pages at once, and the pages marked
 * just before reach the tail again a few faults later; background rounds
 * then evicted those the program had not come back to yet, and each fault on
 * them brought the next evictions just ahead of it (a wave through the
 * working set: docs/policies.md). So a trip is measured in program time
 * (env->now, pages brought in), not in looks: the mark notes when the trip
 * began. In steady state a second trip takes about half the inactive list in
 * pages brought in (each page passes the tail twice, once to be marked and
 * once to be judged); a trip of less than a sixteenth of the list, an eighth
 * of that, was mostly made of looks that took no time (docs/policies.md has
 * the shares measured).
 */
#include <stdlib.h>
#include "reclaim/policy/lru2_trips.h"

/* A second trip shorter than the inactive list over this many, in pages
 * brought in, is too short to judge a page idle. Chosen by measurement with
 * the project's hot-set test alone, not derived: 8 to 32 all kept the wave
 * away there, 64 let it back, and 16 is the middle of what worked; the one
 * general bound is that it stays well under the steady-state trip of half
 * the list (docs/policies.md). */
static const uint32_t short_trip_share = 16;

int lru2_trips_alloc(struct lru2_trips *t, uint32_t nframes)
{
	size_t n = (size_t)nframes + 1;	/* so nframes == 0 still allocates */

	/* One block, the times first (aligned), then the marks: one
	 * allocation to fail or to free. */
	t->marked_at = calloc(n, sizeof(*t->marked_at) + sizeof(*t->once));
	t->once = t->marked_at ? (uint8_t *)(t->marked_at + n) : NULL;
	return t->marked_at ? 0 : -1;
}

void lru2_trips_free(struct lru2_trips *t)
{
	free(t->marked_at);
	t->marked_at = NULL;
	t->once = NULL;
}

void lru2_mark(struct lru2_trips *t, uint32_t frame, uint64_t now)
{
	t->once[frame] = 1;
	t->marked_at[frame] = (uint32_t)now;
}

int lru2_trip_short(const struct lru2_trips *t, uint32_t frame, uint64_t now, uint32_t inactive)
{
	return t->once[frame] && now &&
	       (uint32_t)now - t->marked_at[frame] < inactive / short_trip_share;
}
