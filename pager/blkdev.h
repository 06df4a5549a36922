/*
 * The pager's side of the block driver: starting it with its device, and
 * sending it requests. Completions arrive as BLK_DONE_BIT on the pager's
 * event notification and are read from the shared status page.
 */
#ifndef PAGER_BLKDEV_H
#define PAGER_BLKDEV_H

#include <stdint.h>
#include "drivers/blk_protocol.h"
#include "kernel/abi/bootinfo.h"

struct blkdev_info {
	uint64_t sectors;	/* capacity */
	int read_only;
	uint64_t base;		/* the device's MMIO window, for messages */
};

/* Start the driver for the first virtio block device in bi, pinned, with
 * events (the pager's notification) signalled on completions. 0 and *info
 * filled; -ENODEV if there is no block device; another -errno if the
 * driver could not be started (said on the console). */
int blkdev_start(const struct bootinfo *bi, int events, struct blkdev_info *info);

/* Submit n requests (tags chosen by the caller, whose status slots must be
 * BLK_FREE). 0, or -errno and none submitted. */
int blkdev_submit(const struct blk_request *reqs, int n);
/* The status slot of a tag (shared with the driver). */
volatile struct blk_status *blkdev_status(uint32_t tag);
/* Read or write one page at sector and wait for it. 0 or -errno. */
int blkdev_sync(int write, uint64_t sector, uint64_t pa);
/* Wait until tag's request is done; its error (0 or -errno). The tag is
 * then free again. Other events that arrive meanwhile are kept for
 * blkdev_take_events. */
int blkdev_wait(uint32_t tag);
/* Event bits (deaths) that arrived while blkdev_wait waited. */
uint64_t blkdev_take_events(void);

#endif
