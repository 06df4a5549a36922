/*
 * The virtio-blk device as its driver runs it, apart from the process and
 * its IPC (virtio_blk.c): brought up over the DMA layout, given requests,
 * served at its interrupt, stopped. Plain C over vmmio_regs.h's register
 * accesses, which a host test replaces with a device of its own.
 */
#ifndef DRIVERS_BLK_DEVICE_H
#define DRIVERS_BLK_DEVICE_H

#include <stdint.h>

#include "blk_dma.h"
#include "blk_queue.h"
#include "blk_request.h"
#include "kernel/abi/msg.h"
#include "virtqueue.h"

struct blk_device {
	uintptr_t mmio;			/* its register window */
	struct virtqueue vq;		/* its one request queue */
	struct blk_queue bq;		/* the requests on it or waiting */
	struct blk_disk disk;		/* capacity, shape and page list, once started */
};

/* Reset the device at b->mmio and bring it up over the DMA layout d, with
 * the pager's status page and page list: 0, -ENOTSUP (a device it cannot
 * drive: said why on the console, the device marked FAILED) or -EIO (its
 * capacity unreadable: said, the device marked FAILED). */
int blk_device_start(struct blk_device *b, const struct blk_dma *d, struct blk_status *shared,
		     const volatile uint64_t *list);

/* A BLK_SUBMIT or BLK_SUBMIT_ONE message's requests accepted and started
 * on the device: how many (all), or -errno and none (blk_submit_requests,
 * blkq_accept). */
int blk_device_submit(struct blk_device *b, const struct msg *m);

/* The device interrupted: acknowledge it and finish what it completed
 * (their notifications left in b->bq.done_notes, failures through report).
 * NULL, then the caller signals those and calls blk_device_restart; or why
 * the device is given up on (it broke its queue, or needs a reset): then
 * its completions can no longer be trusted, nothing more goes to it, and
 * the driver ends, so that the pager fails what it held. */
const char *blk_device_interrupt(struct blk_device *b, blkq_error_fn *report, void *ctx);

/* Start what waited for descriptors, notifying the device if it wants. */
void blk_device_restart(struct blk_device *b);

/* BLK_STOP: reset the device, only when no request is waiting or in
 * flight: 0, -EBUSY (nothing changed) or -EIO (it did not reset). */
int blk_device_stop(struct blk_device *b);

#endif
