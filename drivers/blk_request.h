/*
 * Checking what the pager asks of the block driver (blk_protocol.h) before
 * anything reaches the device: a bad request is refused whole, never half
 * done. Plain C with no system calls: host-tested.
 */
#ifndef DRIVERS_BLK_REQUEST_H
#define DRIVERS_BLK_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "blk_limits.h"
#include "blk_protocol.h"


/* The disk requests are checked against. */
struct blk_disk {
	uint64_t capacity;		/* sectors */
	bool read_only;
	struct blk_shape shape;		/* what one request may carry */
	const volatile uint64_t *list;	/* the shared page list, BLK_LIST_ENTRIES;
					 * NULL for a server that maps the frames */
};

/* Requests in a BLK_SUBMIT message of len data bytes, or -EINVAL if len is
 * not a whole, non-zero number of them. */
int blk_batch_count(uint32_t len);

/* The most requests one BLK_SUBMIT message carries: a caller's batch[]
 * of this many holds any message's (and BLK_SUBMIT_ONE's one). */
#define BLK_SUBMIT_MAX (MSG_DATA_MAX / sizeof(struct blk_request))
_Static_assert(BLK_SUBMIT_MAX >= 1, "a message carries at least one request");

/* The requests a submit message m carries, copied into batch[0..max),
 * max >= 1: BLK_SUBMIT's data, or BLK_SUBMIT_ONE's one in w[] (len 0). m's
 * label is one of those two (the caller's dispatch tells labels apart).
 * How many, or -EINVAL for any other length or count. Their fields are not
 * yet checked (blk_request_check). */
int blk_submit_requests(const struct msg *m, struct blk_request *batch, unsigned max);

/* 0 if r is well formed for disk d: tag < BLK_TAGS, write 0 or 1,
 * 1 <= npages <= d->shape.max_pages, its page list entries within the list and
 * page-aligned, the sectors within the disk, notify < BLK_DONE_NOTES,
 * reserved 0. Else -EINVAL, or -EROFS for a write to a read-only disk. */
int blk_request_check(const struct blk_request *r, const struct blk_disk *d);

#endif
