/*
 * The swap engine's first backend: the user-level virtio-blk driver
 * (drivers/), called over IPC with batches of requests whose frames (for
 * DMA) are in a page list shared with it; completions come back on each pager thread's own
 * notification and in a status page shared with the driver. Whoever starts
 * the driver (the server) describes it in struct blk_driver.
 */
#ifndef PAGER_SWAP_BLK_BACKEND_H
#define PAGER_SWAP_BLK_BACKEND_H

#include <stdint.h>
#include "drivers/blk_protocol.h"
#include "swap/backend.h"
#include "swap/blk_link.h"

/* A started driver. Its BLK_DONE_NOTES completion notifications are the
 * pager threads' I/O notifications, by client (pager_thread_io_notes). */
struct blk_driver {
	struct blk_link link;		/* its endpoint, status page, page list,
					 * pages per request */
	uint64_t sectors;		/* the device's capacity */
	int read_only;
	uint64_t base;			/* its MMIO window, for messages */
	int proc;			/* its process (swap.end_driver_at ends it) */
};

/* A description naming no driver (no endpoint, no process). */
#define BLK_DRIVER_NONE ((struct blk_driver){ .link = { .ep = -1 }, .proc = -1 })

/* *b is the swap backend over driver d (copied). */
void blk_backend_init(struct swap_backend *b, const struct blk_driver *d);

/* Swap did not come on over the backend blk_backend_init made: it forgets
 * its driver (stopped next, blk_driver_stop). No request may be in flight. */
void blk_backend_fini(void);

/* 1 if swap.end_driver_at has ended the driver (its Nth batch came), 0 if
 * not yet or never (no backend started, or the key not given). */
int blk_backend_driver_ended(void);

#endif
