/*
 * Bringing up swap at boot: the block driver, then the disk's first page
 * (read into a frame by DMA) checked against the swap-header layout. A
 * disk is written only after that check has passed.
 */
#include <errno.h>
#include <stdio.h>
#include "swap/swap.h"
#include "swap/header.h"
#include "swap/blkdev.h"
#include "vm/frames.h"
#include "swap/swapper.h"
#include "base/config.h"
#include "reclaim/policy.h"
#include "base/threads.h"

struct swap_state swap;

static struct swap_area area;	/* large (the bad-page list): not on the stack */

void swap_init(const struct bootinfo *bi, struct pager_thread *direct, const int notes[BLK_DONE_NOTES])
{
	struct blkdev_info info;
	uint64_t pa;
	int r = blkdev_start(bi, notes, &info);

	if (r == -ENODEV) {
		printf("pager: swap: no disk attached; running without swap\n");
		return;
	}
	if (r < 0 || !(pa = frame_alloc_pinned()))
		return;
	if ((r = blkdev_sync(direct, 0, 0, pa)) < 0) {
		printf("pager: swap: reading the disk's first page failed (%d); no swap\n", r);
		return;
	}
	r = swap_header_check(frame_ptr(pa), info.sectors, &area);
	if (r != SWAP_HDR_OK) {
		printf("pager: swap: the disk at 0x%lx is not used and was not written: %s\n",
		       (unsigned long)info.base, swap_header_strerror(r));
		return;
	}
	if (info.read_only) {
		printf("pager: swap: the disk at 0x%lx is read-only; no swap\n", (unsigned long)info.base);
		return;
	}
	if (swapper_init(&area, policy_all[config.policy], config.seed) < 0) {
		printf("pager: swap: no memory for the slot tables; no swap\n");
		return;
	}
	swap = (struct swap_state){ 1, area.usable, info.sectors };
	printf("pager: swap: %lu KiB (%lu slots, %u bad) on the disk at 0x%lx\n",
	       (unsigned long)area.usable * 4, (unsigned long)area.usable, area.nbad,
	       (unsigned long)info.base);
}
