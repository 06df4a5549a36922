/*
 * The block driver's request engine: accepts the pager's requests, turns
 * each into a virtio-blk chain when descriptors allow (a software queue holds
 * the rest, in order), and reports finished ones in the shared status page.
 * Plain C with no system calls: host-tested against a fake device.
 */
#ifndef DRIVERS_BLK_QUEUE_H
#define DRIVERS_BLK_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "blk_protocol.h"
#include "blk_request.h"
#include "virtio_blk_hw.h"
#include "virtqueue.h"


/* Where each tag's request header and status byte live: DMA memory, seen
 * by us at the pointers and by the device at the physical addresses. */
struct blk_slots {
	struct virtio_blk_hdr *hdr;	/* BLK_TAGS headers, indexed by tag */
	uint64_t hdr_pa;
	volatile uint8_t *status;	/* BLK_TAGS status bytes, by tag */
	uint64_t status_pa;
};

enum blkq_tag_state {
	BLKQ_IDLE = 0,		/* the pager may submit this tag */
	BLKQ_WAITING,		/* accepted, in the software queue */
	BLKQ_IN_FLIGHT		/* its chain is on the virtqueue */
};

struct blk_queue {
	struct virtqueue *vq;
	struct blk_slots slots;
	struct blk_status *shared;	/* the pager's page: BLK_TAGS slots */
	const struct blk_disk *disk;	/* requests are checked against it and
					 * read their frames from its page list */
	uint8_t state[BLK_TAGS];	/* enum blkq_tag_state, by tag */
	struct blk_request req[BLK_TAGS];	/* by tag; valid unless idle */
	uint16_t head_tag[VQ_MAX_SIZE];	/* by chain head in flight: its tag */
	/* Waiting tags, oldest first: wait[(wait_first + i) % BLK_TAGS] for
	 * i < nwait. A tag is here exactly when its state is BLKQ_WAITING. */
	uint16_t wait[BLK_TAGS];
	uint16_t wait_first;
	uint16_t nwait;
	uint16_t in_flight;		/* tags in state BLKQ_IN_FLIGHT */
	uint64_t completed;		/* requests finished, errors included */
	uint64_t errors;		/* of which failed */
	/* Bit n: a request naming notification n finished since the driver
	 * last cleared this; it signals those and clears it. */
	uint32_t done_notes;
	struct vq_buf chain[VQ_MAX_SIZE];	/* the chain being built */
};

/* Called for each request that fails, with the device's status byte. */
typedef void blkq_error_fn(void *ctx, const struct blk_request *r,
			   unsigned status);

/* Start empty over vq (already initialised, and long enough for the
 * longest chain disk's shape allows, or such a request would never start),
 * the DMA slots, the shared status page and disk (kept: it must outlive
 * the queue). */
void blkq_init(struct blk_queue *q, struct virtqueue *vq,
	       const struct blk_slots *slots, struct blk_status *shared,
	       const struct blk_disk *disk);

/* Descriptors a request of npages pages takes: header, its segments, status. */
unsigned blkq_chain_len(const struct blk_queue *q, uint32_t npages);

/* Accept n requests into the software queue: returns n, or a negated errno
 * and accepts none: -EINVAL (or -EROFS) for a malformed request
 * (blk_request_check against the queue's disk), -EBUSY for a tag already
 * accepted and not yet completed, or named twice in the batch. */
int blkq_accept(struct blk_queue *q, const struct blk_request *reqs,
		unsigned n);

/* Move waiting requests onto the virtqueue, oldest first, while their
 * chains fit, and publish them together. Returns how many: if > 0 the
 * caller notifies the device (when vq_needs_kick says so). */
unsigned blkq_start(struct blk_queue *q);

/* Collect every chain the device has finished: write its tag's shared
 * status (BLK_DONE, error 0 or -EIO: a status other than OK, or fewer
 * bytes written than the request owes, a read's pages included), report
 * failures through report (may be NULL), free the tag. Returns how many
 * finished. */
unsigned blkq_complete(struct blk_queue *q, blkq_error_fn *report, void *ctx);

/* No request waiting or in flight. */
bool blkq_idle(const struct blk_queue *q);

#endif
