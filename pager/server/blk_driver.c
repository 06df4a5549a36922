/*
 * Starting the block driver. It is spawned pinned, so the pager can call
 * it and wait without ever being the one who must answer the driver's
 * fault.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "server/blk_driver.h"
#include "server/driver.h"
#include "server/procs.h"
#include "vm/frames.h"
#include "sys.h"
#include "pager/protocol.h"

#define VIRTIO_BLOCK 2
_Static_assert(PAGER_IO_CLIENTS == BLK_DONE_NOTES,
	       "the driver signals one notification per I/O client");
_Static_assert(BLK_DMA_PAGES + 2 <= DRIVER_FRAMES_MAX,
	       "a driver's record holds the frames it is given");

static int setup(struct driver *d, int dev, const struct bootinfo *bi, struct blk_driver *out)
{
	uint64_t dma[BLK_DMA_PAGES], st, list;
	struct msg m = { .label = BLK_SETUP, .handle = -1 };
	int r;

	if (sys_device_map(d->proc->handle, (unsigned)dev, BLK_MMIO_VA) < 0 ||
	    driver_give_frames(d, BLK_DMA_VA, BLK_DMA_PAGES, dma) < 0 ||
	    driver_give_frames(d, BLK_STATUS_VA, 1, &st) < 0 ||
	    driver_give_frames(d, BLK_LIST_VA, 1, &list) < 0 ||
	    driver_give_notifications(d, bi->devices[dev].irq, BLK_IRQ_BIT, BLK_HANDLE_IRQ,
				      BLK_HANDLE_DONE) < 0)
		return -ENOMEM;
	out->link.status = frame_ptr(st);
	out->link.list = frame_ptr(list);
	m.w[0] = bi->devices[dev].irq;
	m.len = sizeof(dma);
	memcpy(m.data, dma, sizeof(dma));
	driver_device_told(d);
	if ((r = sys_call(out->link.ep, &m)) < 0 || (int64_t)m.label < 0)
		return r < 0 ? r : (int)(int64_t)m.label;
	out->sectors = m.w[0];
	out->read_only = m.w[1] != 0;
	if (m.w[2] < 1 || m.w[2] > BLK_MAX_PAGES)
		return -EPROTO;	/* a driver that cannot take one page */
	out->link.max_pages = (uint32_t)m.w[2];
	out->base = bi->devices[dev].base;
	return 0;
}

/* The driver's start: what blk_driver_stop undoes. */
static struct driver d;

int blk_driver_start(const struct bootinfo *bi, struct blk_driver *out)
{
	int dev = driver_find(bi, VIRTIO_BLOCK), r;

	if (dev < 0)
		return -ENODEV;
	if ((r = driver_spawn(&d, "virtio_blk")) < 0)
		return r;
	out->link.ep = d.ep;
	if ((r = setup(&d, dev, bi, out)) < 0) {
		printf("pager: the virtio_blk driver refused its device at 0x%lx (%d%s)\n",
		       (unsigned long)bi->devices[dev].base, r,
		       r == -ENOTSUP ? ": one it cannot drive, said above" : "");
		driver_abandon(&d);
		out->link.ep = -1;
		out->link.status = NULL;	/* in frames no longer the driver's */
		out->link.list = NULL;
		return r;
	}
	d.proc->serves_swap = 1;	/* the disk is for swap, or for nothing */
	out->proc = d.proc->handle;
	/* Its whole pool: it allocates nothing after this, so a write at zero
	 * free frames needs no memory in the driver. */
	printf("pager: virtio_blk: %d frames reserved at boot for its rings, request headers, "
	       "status page and page list\n", BLK_DMA_PAGES + 2);
	return 0;
}

void blk_driver_stop(struct blk_driver *drv)
{
	struct msg m = { .label = BLK_STOP, .handle = -1 };
	int r, frames = d.nframes;

	/* Swap did not come on over the disk, so the driver's end is not
	 * swap's, however it comes: before this call (during the header's
	 * read: -EPIPE), at our word, or later on its own (it did not reset
	 * its device). Read by the driver watch's thread and by its reaping
	 * (what it says, and whether its handle is closed). Its record is
	 * still ours: no death is reaped before start-up ends (service_loop). */
	__atomic_store_n(&d.proc->serves_swap, 0, __ATOMIC_RELEASE);
	r = sys_call(drv->link.ep, &m);
	/* -EPIPE: it ended already, said as such; its frames stay pinned. */
	if (r == -EPIPE)
		return;
	if (r < 0 || (int64_t)m.label < 0) {
		printf("pager: virtio_blk: the driver of the disk not used did not reset its "
		       "device (%d); it keeps running, with its %d frames\n",
		       r < 0 ? r : (int)(int64_t)m.label, frames);
		return;
	}
	driver_device_reset(&d);
	driver_abandon(&d);
	*drv = BLK_DRIVER_NONE;
	printf("pager: virtio_blk: the disk is not used: its device reset, its driver ended "
	       "and its %d frames given back\n", frames);
}
