/*
 * The watermarks, in free frames, worked out from the boot arguments
 * (pager.watermarks: Linux's rule or seed 000's percentages): where
 * background reclaim starts and stops, the minimum below which a request
 * reclaims directly, and the reserve only the pager's own memory may take.
 */
#ifndef PAGER_RECLAIM_WATERMARKS_H
#define PAGER_RECLAIM_WATERMARKS_H

#include <stdint.h>

/* The most one request may need at once: a fault with fault-around and
 * readahead, a copy-on-write, their page tables. The minimum never goes
 * below it. */
#define FREE_FLOOR 64

struct watermarks {
	uint64_t start, stop, min;	/* free frames */
};
extern struct watermarks marks;

/* From config and the frame table (the reserve is set there too). */
void watermarks_set(void);
/* The swap-in thread reads ahead only while more frames than this are
 * free. */
uint64_t watermarks_read_ahead_floor(void);
/* How many more victims background reclaim should queue now: short of
 * the stop mark, and never more than a few batches ahead of the disk. */
uint64_t watermarks_shortfall(void);
/* Background reclaim is patient (looks a little at a time) while free
 * frames are above halfway from the start mark down to the minimum. */
int watermarks_patient(void);

#endif
