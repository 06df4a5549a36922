/*
 * The virtio-blk swap backend: a transfer becomes block requests to the
 * driver (blk_link.h), merged runs of consecutive slots as long as the
 * driver takes, their frames named for DMA in the page list shared with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/config.h"
#include "base/threads.h"
#include "swap/blk_backend.h"
#include "swap/blk_link.h"
#include "sys.h"

static struct blk_driver drv;

static int blk_read(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	(void)ctx;
	return blk_transfer(&drv.link, t, 0, p, n, done);
}

static int blk_write(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done)
{
	(void)ctx;
	return blk_transfer(&drv.link, t, 1, p, n, done);
}

static uint64_t blk_size(void *ctx, int *read_only)
{
	(void)ctx;
	*read_only = drv.read_only;
	return drv.sectors * BLK_SECTOR;
}

/* swap.end_driver_at (tests): the driver is ended as its Nth batch of
 * requests, reads or writes, is in its hands, so that requests are in
 * flight when it goes, as when it fails by itself; the first is the swap
 * header's read at boot. Any thread may count: the swap-out or swap-in
 * thread, the lock let go, or a direct reclaimer. */
static unsigned batches;

static void end_when_due(const struct blk_link *l, const struct blk_request *r, uint32_t n)
{
	(void)l, (void)r, (void)n;
	if (__atomic_add_fetch(&batches, 1, __ATOMIC_RELAXED) != config.swap_end_driver_at)
		return;
	printf("pager: swap.end_driver_at=%u: ending the virtio_blk driver\n", config.swap_end_driver_at);
	sys_proc_kill(drv.proc, 9);
}

int blk_backend_driver_ended(void)
{
	return config.swap_end_driver_at &&
	       __atomic_load_n(&batches, __ATOMIC_RELAXED) >= config.swap_end_driver_at;
}

/* A request the device has not completed in BLK_OVERDUE_NS: the device
 * has stopped, and the driver is ended as if it had failed (the driver
 * watch then ends the link: requests fail, reads in flight are stuck). */
static void end_overdue(const struct blk_link *l)
{
	(void)l;
	printf("pager: swap: the disk has not completed a request in %lld s: ending the virtio_blk driver\n",
	       (long long)(BLK_OVERDUE_NS / CLOCK_NS_PER_MS / 1000));
	sys_proc_kill(drv.proc, 9);
}

static void blk_ended(void *ctx)
{
	(void)ctx;
	blk_link_end(&drv.link);
}

/* Writes complete on the device itself (no write cache to flush). */
static const struct swap_backend_ops ops = {
	.size = blk_size,
	.read = blk_read,
	.write = blk_write,
	.flush = NULL,
	.ended = blk_ended,
};

void blk_backend_init(struct swap_backend *b, const struct blk_driver *d)
{
	drv = *d;
	drv.link.dma = 1;	/* the device reads and fills the frames itself */
	drv.link.overdue = end_overdue;
	if (config.swap_end_driver_at)
		drv.link.sent = end_when_due;
	/* Whole, so that a field added to the backend is 0 here, not the
	 * caller's stack (slot_bytes was: the area's budget read it). */
	*b = (struct swap_backend){ .ops = &ops, .request_pages = d->link.max_pages,
				    .write_bound_ns = BLK_OVERDUE_NS };
	snprintf(b->where, sizeof(b->where), "the disk at 0x%lx", (unsigned long)d->base);
}

void blk_backend_fini(void)
{
	/* Its link names the driver's endpoint and frames, which
	 * blk_driver_stop gives back. */
	drv = BLK_DRIVER_NONE;
}
