/*
 * The swap device: found and checked at boot. Only a disk that carries a
 * swap signature (Linux's mkswap layout) is used; any other disk is
 * reported and never written.
 */
#ifndef PAGER_SWAP_H
#define PAGER_SWAP_H

#include <stdint.h>
#include "kernel/abi/bootinfo.h"
#include "drivers/blk_protocol.h"

struct swap_state {
	int enabled;
	uint64_t slots;		/* usable pages */
	uint64_t sectors;	/* device capacity */
};

extern struct swap_state swap;

struct pager_thread;

/* Start the block driver, read the disk's first page and check it. direct
 * is the thread that serves faults (its disk requests are direct); notes[c]
 * are the notifications the driver signals for blkdev client c. Reports on
 * the console either way; swap.enabled says the outcome. */
void swap_init(const struct bootinfo *bi, struct pager_thread *direct,
	       const int notes[BLK_DONE_NOTES]);

#endif
