/*
 * Swap request queues (seed 000's swapping engine): bounded FIFOs of pages
 * to write out and to read in, and the step that turns a batch of them into
 * block requests, consecutive slots merged into one multi-page transfer.
 */
#ifndef PAGER_SWAP_QUEUE_H
#define PAGER_SWAP_QUEUE_H

#include <stdint.h>
#include "drivers/blk_protocol.h"

/* Seed 000's sizes: enough to keep the disk busy while reclaim picks more,
 * small enough that background reclaim cannot start a swap storm. */
#define SWAP_OUT_QUEUE_LEN 1024u
#define SWAP_IN_QUEUE_LEN 512u

/* One page to move: out of frame pa into slot, or from slot into pa. */
struct swap_req {
	uint64_t pa;
	uint32_t slot;			/* >= 1; sectors slot * 8 .. slot * 8 + 7 */
	uint32_t reserved;		/* 0 */
};

/*
 * A ring of requests. Background requests (reclaim's scanner) are pushed
 * and refused when the queue is full: the caller drops them, the page stays
 * resident and the scanner meets it again later. Direct requests (a fault
 * waiting, reclaim with no free frame) bypass the queue: the caller merges
 * its own array with swap_merge and submits it at once.
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

/*
 * Turn r[0..n) into block requests, in order: a run of requests whose slots
 * follow one another (r[i + 1].slot == r[i].slot + 1) becomes one request of
 * up to BLK_MAX_PAGES pages starting at sector r[i].slot * 8; a gap, a
 * repeated slot or a full request starts the next. write: 1 frames to disk,
 * 0 disk to frames. Tags are left 0 for the caller to assign. Fills at most
 * max_out requests; returns how many, and *consumed (if not NULL) says how
 * many of r they cover (n unless out[] ran out).
 */
uint32_t swap_merge(const struct swap_req *r, uint32_t n, int write, struct blk_request *out,
		    uint32_t max_out, uint32_t *consumed);

#endif
