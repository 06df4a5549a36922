/*
 * What starting any pinned user-level driver takes (the block driver,
 * netd): its device found in the boot information, its process spawned
 * with an endpoint, fresh pinned frames mapped into it, and its
 * notifications handed over. A start records what it has done, so a
 * failure at any step is undone in one place (driver_abandon).
 */
#ifndef PAGER_SERVER_DRIVER_H
#define PAGER_SERVER_DRIVER_H

#include <stdint.h>
#include "drivers/net_protocol.h"
#include "kernel/abi/bootinfo.h"
#include "server/procs.h"

/* The most frames one driver is given: netd's, its rings, its status page
 * and its packet pool (the block driver's DMA pages and two more are
 * fewer: blk_driver.c asserts so). */
#define DRIVER_FRAMES_MAX (NET_DMA_PAGES + 1 + NET_POOL_PAGES)

/* One driver's start: what has been done so far. */
struct driver {
	struct pproc *proc;	/* the spawned process, NULL: none yet */
	int ep;			/* the pager's handle to its endpoint, -1: none */
	int nframes;		/* frames[0 .. nframes) are mapped into proc */
	int device_told;	/* the driver was told to start its device:
				 * see driver_device_told */
	uint64_t frames[DRIVER_FRAMES_MAX];
};

/* The index in bi of the first virtio device with this device id, or -1. */
int driver_find(const struct bootinfo *bi, uint32_t device_id);

/* Create an endpoint and spawn the pinned program name holding it (receive
 * rights); d records both, the pager's handle to the endpoint send only
 * (a call fails once the driver has ended). 0, or -errno (said on the
 * console, and nothing is left behind). */
int driver_spawn(struct driver *d, const char *name);

/* Map n fresh pinned frames into d's process at va; their addresses in
 * pa[]. 0, or -ENOMEM (a frame mapped or allocated is recorded or freed:
 * driver_abandon frees them all). */
int driver_give_frames(struct driver *d, uint64_t va, int n, uint64_t *pa);

/* Give d's process a notification bound to irq (signalled with irq_bit),
 * as its handle irq_handle with receive rights, then the pager threads'
 * I/O notifications, send only, as handles done_handle, done_handle + 1,
 * ... (one per I/O client). 0, or -EINVAL if a step fails or a handle
 * lands elsewhere; the pager's own handle to the notification is closed
 * either way. */
int driver_give_notifications(struct driver *d, uint32_t irq, uint64_t irq_bit, int irq_handle,
			      int done_handle);

/* d is about to be told to start its device on the frames given. From then
 * on the device may write into them whatever becomes of the driver (its end
 * does not reset the device), so driver_abandon keeps them out of use. */
void driver_device_told(struct driver *d);

/* d's driver has reset its device, which writes into its frames no more:
 * driver_abandon may free them again. */
void driver_device_reset(struct driver *d);

/* Undo a start that failed part-way, or end a driver the pager has
 * stopped (blk_driver_stop): end the process (which drops its handles, so
 * its interrupt binding goes with its last receiver), free every frame
 * given to it, but keep out of use (pinned for good) those of a device told
 * to start and not reset since (driver_device_told, _reset), and close the
 * endpoint. d is then empty. */
void driver_abandon(struct driver *d);

#endif
