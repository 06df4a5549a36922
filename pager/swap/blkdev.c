/*
 * Starting the block driver and talking to it. The driver is spawned
 * pinned, so the pager can call it and wait without ever being the one
 * who must answer the driver's fault. It gets its device's registers, a
 * few pinned frames for its rings (DMA), the status page and its
 * notifications: its interrupt, and one per pager thread for completions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "swap/blkdev.h"
#include "vm/frames.h"
#include "server/procs.h"
#include "server/spawn.h"
#include "sys.h"
#include "base/threads.h"
#include "pager/protocol.h"

#define VIRTIO_BLOCK 2
/* The writer keeps many batches in flight; the swap-in thread and each
 * service thread have a batch at most (a read and its readahead, a batch
 * of 32 pages at one request each at worst). */
#define WRITER_TAGS 96u
#define BATCH_TAGS 32u
_Static_assert(WRITER_TAGS + BATCH_TAGS * (1 + BLKDEV_SERVICE_THREADS) <= BLK_TAGS, "tags");

static int driver_ep = -1;
static const int *done_notes;
static struct blk_status *status;

static int find_device(const struct bootinfo *bi)
{
	for (uint64_t i = 0; i < bi->ndevices; i++)
		if (bi->devices[i].kind == 1 && bi->devices[i].device_id == VIRTIO_BLOCK)
			return (int)i;
	return -1;
}

/* Map n fresh pinned frames into the driver at va; their addresses in pa[]. */
static int give_frames(struct pproc *d, uint64_t va, int n, uint64_t *pa)
{
	for (int i = 0; i < n; i++) {
		struct map_entry e = { va + (uint64_t)i * PAGE_SIZE, frame_alloc_pinned(), MAP_R | MAP_W };
		if (!e.pa || sys_map(d->handle, &e, 1) < 0)
			return -ENOMEM;
		pa[i] = e.pa;
	}
	return 0;
}

/* Handles 3, 4, 5 ... of the driver, in the order drivers/blk_protocol.h says. */
static int give_notifications(struct pproc *d, uint32_t irq)
{
	int irq_note = sys_notify_create();

	if (irq_note < 0 || sys_irq_bind(irq, irq_note, BLK_IRQ_BIT) < 0 ||
	    sys_handle_grant(d->handle, irq_note, RIGHT_RECV) != BLK_HANDLE_IRQ)
		return -EINVAL;
	for (int c = 0; c < BLK_DONE_NOTES; c++)
		if (sys_handle_grant(d->handle, done_notes[c], RIGHT_SEND) != BLK_HANDLE_DONE + c)
			return -EINVAL;
	sys_handle_close(irq_note);	/* the kernel's binding and the driver keep it */
	return 0;
}

static int setup(struct pproc *d, int dev, const struct bootinfo *bi, struct blkdev_info *info)
{
	uint64_t dma[BLK_DMA_PAGES], st;
	struct msg m = { .label = BLK_SETUP, .handle = -1 };
	int r;

	if (sys_device_map(d->handle, (unsigned)dev, BLK_MMIO_VA) < 0 ||
	    give_frames(d, BLK_DMA_VA, BLK_DMA_PAGES, dma) < 0 || give_frames(d, BLK_STATUS_VA, 1, &st) < 0 ||
	    give_notifications(d, bi->devices[dev].irq) < 0)
		return -ENOMEM;
	status = frame_ptr(st);
	m.w[0] = bi->devices[dev].irq;
	m.len = sizeof(dma);
	memcpy(m.data, dma, sizeof(dma));
	if ((r = sys_call(driver_ep, &m)) < 0 || (int64_t)m.label < 0)
		return r < 0 ? r : (int)(int64_t)m.label;
	info->sectors = m.w[0];
	info->read_only = m.w[1] != 0;
	info->base = bi->devices[dev].base;
	return 0;
}

int blkdev_start(const struct bootinfo *bi, const int notes[BLK_DONE_NOTES],
		 struct blkdev_info *info)
{
	static const char *const argv[] = { "virtio_blk" };
	int dev = find_device(bi), err, r;
	struct pproc *d;

	if (dev < 0)
		return -ENODEV;
	done_notes = notes;
	driver_ep = sys_endpoint_create();
	if (driver_ep < 0)
		return driver_ep;
	d = spawn_mode(1, argv, driver_ep, RIGHT_RECV, 1, &err);
	if (!d) {
		printf("pager: cannot start the virtio_blk driver (%d)\n", err);
		return err;
	}
	if ((r = setup(d, dev, bi, info)) < 0) {
		printf("pager: the virtio_blk driver refused its device at 0x%lx (%d)\n",
		       (unsigned long)bi->devices[dev].base, r);
		return r;
	}
	/* Its whole pool: it allocates nothing after this, so a write at zero
	 * free frames needs no memory in the driver. */
	printf("pager: virtio_blk: %d frames reserved at boot for its rings, request headers "
	       "and status page\n", BLK_DMA_PAGES + 1);
	return 0;
}

uint32_t blkdev_tags(unsigned client)
{
	return client == BLKDEV_WRITER ? WRITER_TAGS : BATCH_TAGS;
}

uint32_t blkdev_tag(unsigned client, uint32_t i)
{
	return client == BLKDEV_WRITER ? i : WRITER_TAGS + (client - BLKDEV_SWAPIN) * BATCH_TAGS + i;
}

int blkdev_submit(unsigned client, struct blk_request *reqs, int n)
{
	struct msg m;	/* on the caller's stack: two threads may submit at once */
	int r;

	if (n <= 0 || (size_t)n * sizeof(*reqs) > MSG_DATA_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		reqs[i].notify = client;
		status[reqs[i].tag].state = BLK_SUBMITTED;
	}
	m = (struct msg){ .label = BLK_SUBMIT, .handle = -1, .len = (uint32_t)(n * sizeof(*reqs)) };
	memcpy(m.data, reqs, m.len);
	r = sys_call(driver_ep, &m);
	return r < 0 ? r : (int64_t)m.label < 0 ? (int)(int64_t)m.label : 0;
}

int blkdev_wait(struct pager_thread *t, uint32_t tag)
{
	int r;

	while (status[tag].state != BLK_DONE)
		pager_thread_wait(t, t->disk, BLK_DONE_BIT);
	r = status[tag].error;
	status[tag].state = BLK_FREE;
	return r;
}

int blkdev_sync(struct pager_thread *t, int write, uint64_t sector, uint64_t pa)
{
	uint32_t tag = blkdev_tag(t->blk_client, blkdev_tags(t->blk_client) - 1);
	struct blk_request req = { .tag = tag, .write = (uint32_t)write, .sector = sector,
				   .npages = 1, .pa = { pa } };
	int r = blkdev_submit(t->blk_client, &req, 1);

	return r < 0 ? r : blkdev_wait(t, tag);
}
