/*
 * Where the block driver puts what the device reads and writes in its
 * BLK_DMA_PAGES pages: the rings, the request headers and status bytes.
 * The pages need not be physically contiguous, so nothing spans two.
 */
#ifndef DRIVERS_BLK_DMA_H
#define DRIVERS_BLK_DMA_H

#include <stdint.h>

#include "blk_protocol.h"
#include "blk_queue.h"

/* Room for a queue of up to VQ_MAX_SIZE entries and BLK_TAGS slots. */
struct blk_dma {
	void *desc, *avail, *used;		/* our view of the rings */
	uint64_t desc_pa, avail_pa, used_pa;	/* the device's */
	struct blk_slots slots;
};

/* Lay the pages out: page i is at va + i * 4096 for us and at pa[i] for the
 * device. 0, or -EINVAL if a physical address is not page-aligned. */
int blk_dma_place(struct blk_dma *d, uintptr_t va,
		  const uint64_t pa[BLK_DMA_PAGES]);

#endif
