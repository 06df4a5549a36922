/*
 * How the pager talks to a block driver. Requests go over IPC: the pager
 * calls the driver's endpoint with a batch of requests and the reply only
 * says they were accepted. A request's frames are not in the message: it
 * names a run of entries in the page list, a page both share, so a request
 * may carry many pages and a message many requests. Completions come back
 * without blocking anyone: the driver writes each request's status into a
 * second shared page and signals the notification the request names (each
 * pager thread that waits for the disk has its own). Data moves by DMA
 * straight into and out of the pager's frames, named by physical address:
 * no copy. Any server that speaks this (a disk driver, a network block
 * client) is started the same way.
 */
#ifndef DRIVERS_BLK_PROTOCOL_H
#define DRIVERS_BLK_PROTOCOL_H

#include <stdint.h>

#include "kernel/abi/msg.h"

#define BLK_SECTOR 512
#define BLK_PAGE_SIZE 4096u	/* the pages requests and swap windows move */
#define BLK_SECTORS_PER_PAGE (BLK_PAGE_SIZE / BLK_SECTOR)
/* Pages in one request at most: 256 KiB, contiguous on disk. A device may
 * allow fewer: BLK_SETUP's reply says how many. */
#define BLK_MAX_PAGES 64
#define BLK_TAGS 256		/* requests in flight at most; a tag names one */

/* Where the pager maps the driver's pieces (the driver is pinned: every one
 * of its pages is present before it runs, so it never faults). */
#define BLK_MMIO_VA 0x100000000UL	/* the device's registers */
#define BLK_DMA_VA 0x101000000UL	/* BLK_DMA_PAGES frames for rings and headers */
#define BLK_STATUS_VA 0x102000000UL	/* the status page shared with the pager */
#define BLK_LIST_VA 0x103000000UL	/* the page list shared with the pager */
#define BLK_DMA_PAGES 4

/* The page list: one page of physical addresses. The pager decides which
 * entries each request uses; entries [list, list + npages) of a request
 * must hold its frames from its submit (BLK_SUBMIT or BLK_SUBMIT_ONE) until
 * its status is BLK_DONE (the driver reads them when the device has room
 * for the request, which may be later than the submit). */
#define BLK_LIST_ENTRIES 512

/* The driver's handles, besides 0 (itself) and 1 (the pager). */
#define BLK_HANDLE_EP 2		/* its endpoint (HANDLE_ARG): requests arrive here */
#define BLK_HANDLE_IRQ 3	/* notification signalled by its interrupt */
#define BLK_HANDLE_DONE 4	/* the first of the pager's BLK_DONE_NOTES notifications,
				 * signalled on completions (handles 4, 5, ...) */
#define BLK_DONE_NOTES 6	/* one per pager thread that waits for the disk */
#define BLK_IRQ_BIT 1UL
#define BLK_DONE_BIT (1UL << 62)	/* the bit it signals in the pager's */

enum blk_label {
	/* Pager -> driver, first: w[0] = the device's irq, data = uint64_t
	 * physical address of each BLK_DMA_VA page, in order. The driver
	 * resets and sets up the device. Reply label: 0 or -errno, never
	 * -ENODEV (the device is there: the pager found it), -ENOTSUP for
	 * a device the driver cannot drive (legacy, lacking a feature, too
	 * small a queue: it says why on the console); w[0] =
	 * capacity in sectors, w[1] = 1 if the device is read-only, w[2] =
	 * pages one request may carry (1..BLK_MAX_PAGES: the device's own
	 * segment limits and queue size applied). */
	BLK_SETUP = 0x200,
	/* Pager -> driver: data = struct blk_request[len / sizeof]. Reply label:
	 * requests accepted (all, or -errno and none). */
	BLK_SUBMIT = 0x201,
	/* Pager -> driver: one request in the message's words, w[0..3] its
	 * 32 bytes in struct blk_request's layout (BLK_REQUEST_WORDS), len 0:
	 * a message the register form carries (kernel/abi/msg.h), so the
	 * kernel copies nothing for it. Reply label: 1 (accepted) or -errno,
	 * as BLK_SUBMIT's. */
	BLK_SUBMIT_ONE = 0x202,
	/* Pager -> driver: the disk is not used (swap refused it). The driver
	 * resets its device, which then neither reads nor writes the DMA
	 * frames, so the pager may end the driver and take them back. Reply
	 * label: 0 once the device has reset, -EBUSY while a request is
	 * waiting or in flight (nothing changed), -EIO if the device did not
	 * reset (its frames may still be written). */
	BLK_STOP = 0x203
};

struct blk_request {
	uint32_t tag;			/* its status slot, < BLK_TAGS */
	uint32_t write;			/* 1: frames to disk; 0: disk to frames */
	uint64_t sector;		/* first sector */
	uint32_t npages;		/* 1..the limit BLK_SETUP replied */
	uint32_t notify;		/* < BLK_DONE_NOTES: signal BLK_HANDLE_DONE + notify */
	uint32_t list;			/* its frames, in disk order: page list entries
					 * list .. list + npages - 1 */
	uint32_t reserved;		/* 0 */
};

/* BLK_SUBMIT_ONE carries a request as this many message words. */
#define BLK_REQUEST_WORDS 4
_Static_assert(BLK_REQUEST_WORDS <= MSG_WORDS, "a request fits a message's words");
_Static_assert(sizeof(struct blk_request) == BLK_REQUEST_WORDS * sizeof(uint64_t),
	       "a request is BLK_SUBMIT_ONE's words");

enum blk_state {
	BLK_FREE = 0,			/* the pager may reuse the tag */
	BLK_SUBMITTED = 1,		/* set by the pager before its submit */
	BLK_DONE = 2			/* set by the driver, with error */
};

/* The shared status page: one slot per tag. */
struct blk_status {
	volatile uint32_t state;	/* enum blk_state */
	volatile int32_t error;		/* 0, or -EIO etc. when state is BLK_DONE */
};

#endif
