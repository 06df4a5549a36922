/*
 * Swap request queues: bounded FIFOs of pages to write out and slots to
 * read in, as a teaching kernel's swapping engine keeps them (queues that
 * refuse rather than grow, so reclaim cannot flood the device).
 */
#ifndef PAGER_SWAP_QUEUE_H
#define PAGER_SWAP_QUEUE_H

#include <stdint.h>
#include "swap/backend.h"

/* Enough to keep the disk busy while reclaim picks more, small enough that
 * background reclaim cannot start a swap storm. */
#define SWAP_OUT_QUEUE_LEN 1024u
#define SWAP_IN_QUEUE_LEN 512u

/*
 * A ring of requests. Background requests (reclaim's scanner) are pushed
 * and refused when the queue is full: the caller drops them, the page stays
 * resident and the scanner meets it again later. Direct requests (a fault
 * waiting, reclaim with no free frame) bypass the queue: the caller hands
 * its own batch to the device at once.
 */
struct swap_queue {
	struct swap_req *ring;		/* [cap], malloc'd by swap_queue_init */
	uint32_t cap;
	uint32_t head;			/* index of the oldest request, < cap */
	uint32_t len;			/* requests queued, <= cap */
	uint64_t refused;		/* pushes refused because it was full */
};

/* 0, or -1 if cap is 0 or malloc fails. */
int swap_queue_init(struct swap_queue *q, uint32_t cap);
void swap_queue_fini(struct swap_queue *q);

/* Queue at the tail: 0, or -1 if full (counted in q->refused). */
int swap_queue_push(struct swap_queue *q, uint64_t pa, uint32_t slot);
/* Take up to max requests from the head into out[], oldest first; how many. */
uint32_t swap_queue_pop(struct swap_queue *q, struct swap_req *out, uint32_t max);
uint32_t swap_queue_len(const struct swap_queue *q);
uint32_t swap_queue_space(const struct swap_queue *q);	/* pushes that would succeed */

/* Sort a batch by slot, so reads that came in any order can merge. */
void swap_sort_by_slot(struct swap_req *r, uint32_t n);

#endif
