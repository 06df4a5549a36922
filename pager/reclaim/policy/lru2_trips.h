/*
 * lru2's second trips (policy_lru2.c): the "referenced once" mark a page
 * gets at the inactive tail (Linux's PG_referenced), when its trip round the
 * inactive list began, and whether that trip was too short to judge the page
 * idle. The policy decides when to mark and when a short trip counts.
 */
#ifndef PAGER_RECLAIM_LRU2_TRIPS_H
#define PAGER_RECLAIM_LRU2_TRIPS_H

#include <stdint.h>

struct lru2_trips {
	uint8_t *once;		/* [nframes]: referenced on one look while inactive;
				 * 0 when not tracked */
	uint32_t *marked_at;	/* [nframes]: program time (env->now) when once
				 * was set, mod 2^32 */
};

/* 0, or -1 out of memory (lru2_trips_free is then still safe). Every frame
 * starts unmarked. */
int lru2_trips_alloc(struct lru2_trips *t, uint32_t nframes);
void lru2_trips_free(struct lru2_trips *t);

static inline int lru2_marked(const struct lru2_trips *t, uint32_t frame)
{
	return t->once[frame];
}

static inline void lru2_unmark(struct lru2_trips *t, uint32_t frame)
{
	t->once[frame] = 0;
}

/* Mark frame: its second trip begins at program time now. */
void lru2_mark(struct lru2_trips *t, uint32_t frame, uint64_t now);

/* 1 if frame is marked and its second trip began less than a sixteenth of
 * inactive (the inactive list's length) ago in program time; 0 if not, and
 * always 0 when the caller keeps no program time (now 0). */
int lru2_trip_short(const struct lru2_trips *t, uint32_t frame, uint64_t now, uint32_t inactive);

#endif
