/*
 * The pager's side of the block driver: starting it with its device, and
 * sending it requests. Completions arrive as BLK_DONE_BIT on the
 * notification of the pager thread that sent them and are read from the
 * shared status page.
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

/* The pager threads that wait for the disk, each with its own tags and its
 * own notification (the driver's BLK_HANDLE_DONE + client): the swap-out
 * thread's queued writes, the swap-in thread's queued reads, and each
 * service thread's direct requests (a fault's read, a direct reclaim's
 * batch). */
enum blkdev_client {
	BLKDEV_WRITER = 0,
	BLKDEV_SWAPIN = 1,
	BLKDEV_SERVICE = 2	/* service thread k is client BLKDEV_SERVICE + k */
};
#define BLKDEV_SERVICE_THREADS (BLK_DONE_NOTES - BLKDEV_SERVICE)

struct pager_thread;

/* Start the driver for the first virtio block device in bi, pinned;
 * notes[c] is signalled when client c's requests complete. 0 and *info
 * filled; -ENODEV if there is no block device; another -errno if the
 * driver could not be started (said on the console). */
int blkdev_start(const struct bootinfo *bi, const int notes[BLK_DONE_NOTES],
		 struct blkdev_info *info);

/* Tag i (< blkdev_tags(client)) of a client, and how many it has. */
uint32_t blkdev_tag(unsigned client, uint32_t i);
uint32_t blkdev_tags(unsigned client);

/* Submit n requests for the client (tags its own, status slots BLK_FREE;
 * each request's notify is set here). 0, or -errno and none submitted.
 * Needs no pager lock. */
int blkdev_submit(unsigned client, struct blk_request *reqs, int n);
/* Read or write one page at sector for thread t (its client's last tag)
 * and wait for it. 0 or -errno. */
int blkdev_sync(struct pager_thread *t, int write, uint64_t sector, uint64_t pa);
/* Thread t waits until tag's request is done; its error (0 or -errno). The
 * tag is then free again. Other bits that arrive meanwhile are kept in
 * t->pending. */
int blkdev_wait(struct pager_thread *t, uint32_t tag);

#endif
