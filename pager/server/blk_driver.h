/*
 * Starting the virtio-blk driver for the swap device: a pinned program
 * given its device's registers, a few pinned frames for its rings (DMA),
 * the status page shared with the pager, and its notifications (its
 * interrupt, and one per pager thread for completions).
 */
#ifndef PAGER_SERVER_BLK_DRIVER_H
#define PAGER_SERVER_BLK_DRIVER_H

#include "kernel/abi/bootinfo.h"
#include "swap/blk_backend.h"

/* Start the driver for the first virtio block device in bi and describe it
 * in *out. 0; -ENODEV if there is no block device, and only then; another
 * -errno if the driver could not be started or refused the device
 * (-ENOTSUP: one it cannot drive; said on the console). The pager's I/O
 * threads must have started: their notifications are handed over. */
int blk_driver_start(const struct bootinfo *bi, struct blk_driver *out);

/* Swap did not come on over the disk the driver started: its device reset
 * through the driver (which then writes into no frame of ours), the driver
 * ended and its frames freed, *drv left naming none; said on the console.
 * A driver that ended already, or did not reset its device, is left as it
 * is (its frames pinned: the device may still write into them). Whichever,
 * its process no longer serves swap (procs.h). No request may be in
 * flight. */
void blk_driver_stop(struct blk_driver *drv);

#endif
