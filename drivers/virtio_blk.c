/*
 * virtio_blk: the user-level driver for the pager's swap disk, a virtio-blk
 * device on virtio-mmio. One thread serves the pager's calls (blk_protocol.h)
 * and the device's interrupts on one endpoint; it never allocates.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "blk_dma.h"
#include "blk_limits.h"
#include "blk_protocol.h"
#include "blk_queue.h"
#include "blk_request.h"
#include "sys.h"
#include "virtio_blk_hw.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

#define REQUEST_QUEUE 0		/* virtio-blk's only queue */

/* Pinned by the pager: static, never on a heap that would grow. */
static struct virtqueue vq;
static struct blk_queue bq;

static struct {
	bool ready;		/* BLK_SETUP succeeded: the device is live */
	bool irq_known;		/* a BLK_SETUP has named the irq and the
				 * interrupt notification is bound to us */
	unsigned irq;		/* from BLK_SETUP, for sys_irq_ack */
	struct blk_disk disk;	/* capacity, shape and page list, valid when ready */
} dev;

static const uintptr_t mmio = BLK_MMIO_VA;

/* The largest power of two <= min(max, VQ_MAX_SIZE): what the DMA layout
 * has room for and the split ring's index arithmetic needs. */
static unsigned queue_size(unsigned max)
{
	unsigned size = VQ_MAX_SIZE;

	while (size > max)
		size /= 2;
	return size;
}

static void say_ready(void)
{
	printf("virtio_blk: %lu sectors (%lu MiB)%s on irq %u, up to %u KiB "
	       "per request\n", (unsigned long)dev.disk.capacity,
	       (unsigned long)(dev.disk.capacity / (1024 * 1024 / BLK_SECTOR)),
	       dev.disk.read_only ? ", read-only" : "", dev.irq,
	       dev.disk.shape.max_pages * (BLK_PAGE_SIZE / 1024));
}

/* The device is there (the pager found it by its type) but this driver
 * cannot drive it: said why, and answered -ENOTSUP, never -ENODEV, which
 * the pager reads as no disk at all (blk_protocol.h, BLK_SETUP). */
static int refuse(const char *why)
{
	printf("virtio_blk: refusing the device: %s\n", why);
	return -ENOTSUP;
}

/* What the device lets one request carry, from its queue of size entries
 * and the limits it offered (accepted features); 0 or -ENOTSUP (said). */
static int read_shape(unsigned size, uint64_t accepted)
{
	struct blk_device_limits lim = {
		.queue_size = size,
		.has_seg_max = (accepted >> VIRTIO_BLK_F_SEG_MAX) & 1,
		.has_size_max = (accepted >> VIRTIO_BLK_F_SIZE_MAX) & 1,
	};

	if (lim.has_seg_max)
		lim.seg_max = vmmio_config32(mmio, VIRTIO_BLK_CFG_SEG_MAX);
	if (lim.has_size_max)
		lim.size_max = vmmio_config32(mmio, VIRTIO_BLK_CFG_SIZE_MAX);
	if (blk_shape_for(&lim, &dev.disk.shape) == 0)
		return 0;
	char seg[24] = "", bytes[24] = "", why[96];

	if (lim.has_seg_max)
		snprintf(seg, sizeof(seg), ", seg_max %lu", (unsigned long)lim.seg_max);
	if (lim.has_size_max)
		snprintf(bytes, sizeof(bytes), ", size_max %lu", (unsigned long)lim.size_max);
	snprintf(why, sizeof(why), "a request cannot carry one page (a queue of %u entries%s%s)",
		 size, seg, bytes);
	return refuse(why);
}

/* A virtio 1.x block device, its features agreed: 0, or -ENOTSUP (said). */
static int agree(uint64_t *accepted)
{
	uint64_t wanted = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_RO |
			  1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_SIZE_MAX;
	const char *why;

	return vmmio_agree(mmio, VIRTIO_ID_BLOCK, wanted, 1ULL << VIRTIO_F_VERSION_1, accepted,
			   &why) < 0 ? refuse(why) : 0;
}

/* Bring the device up over the DMA layout d; 0, -ENOTSUP (a device it
 * cannot drive, said why), or -EIO (its capacity unreadable). */
static int start_device(const struct blk_dma *d)
{
	uint64_t accepted;
	int err = agree(&accepted);

	if (err < 0)
		return err;
	unsigned size = queue_size(vmmio_queue_max(mmio, REQUEST_QUEUE));

	/* The shape keeps every chain within the queue: a longer one would
	 * strand its request at the head of the software queue forever. */
	if (read_shape(size, accepted) < 0) {
		vmmio_fail(mmio);
		return -ENOTSUP;
	}
	/* Before the queue is set up: a device given up on is left with none. */
	if (vmmio_config64(mmio, VIRTIO_BLK_CFG_CAPACITY, &dev.disk.capacity) < 0) {
		printf("virtio_blk: the device's configuration changed at every read of its "
		       "capacity: giving the device up\n");
		vmmio_fail(mmio);
		return -EIO;
	}
	dev.disk.list = (const volatile uint64_t *)BLK_LIST_VA;
	vq_init(&vq, (uint16_t)size, d->desc, d->avail, d->used);
	blkq_init(&bq, &vq, &d->slots, (struct blk_status *)BLK_STATUS_VA, &dev.disk);
	vmmio_queue_setup(mmio, REQUEST_QUEUE, size, d->desc_pa, d->avail_pa,
			  d->used_pa);
	dev.disk.read_only = (accepted >> VIRTIO_BLK_F_RO) & 1;
	vmmio_driver_ok(mmio);
	return 0;
}

/* Have our receives also wake for the interrupt. Done at set-up, not at
 * start: the pager grants the notification after spawning us, but always
 * before its BLK_SETUP call. */
static int bind_irq(unsigned irq)
{
	if (!dev.irq_known) {
		int err = sys_notify_bind(BLK_HANDLE_IRQ);

		if (err < 0)
			return err;
	}
	dev.irq = irq;
	dev.irq_known = true;
	return 0;
}

/* BLK_SETUP: w[0] = irq, data = the DMA pages' physical addresses. */
static long on_setup(const struct msg *m, struct msg *reply)
{
	uint64_t pa[BLK_DMA_PAGES];
	struct blk_dma d;

	/* Resetting under requests in flight would lose them silently. */
	if (dev.ready && !blkq_idle(&bq))
		return -EBUSY;
	if (m->len < sizeof(pa))
		return -EINVAL;
	memcpy(pa, m->data, sizeof(pa));
	if (blk_dma_place(&d, BLK_DMA_VA, pa) < 0)
		return -EINVAL;
	dev.ready = false;
	int err = bind_irq((unsigned)m->w[0]);

	if (err == 0)
		err = start_device(&d);

	if (err < 0)
		return err;
	dev.ready = true;
	say_ready();
	reply->w[0] = dev.disk.capacity;
	reply->w[1] = dev.disk.read_only;
	reply->w[2] = dev.disk.shape.max_pages;
	return 0;
}

/* Notify the device of newly started chains: once per batch. */
static void kick(unsigned started)
{
	if (started > 0 && vq_needs_kick(&vq))
		vmmio_notify(mmio, REQUEST_QUEUE);
}

/* BLK_SUBMIT: data = struct blk_request[]; BLK_SUBMIT_ONE: w[] = one. */
static long on_submit(const struct msg *m)
{
	static struct blk_request batch[BLK_SUBMIT_MAX];

	if (!dev.ready)
		return -ENODEV;
	int n = blk_submit_requests(m, batch, BLK_SUBMIT_MAX);

	if (n < 0)
		return n;
	int accepted = blkq_accept(&bq, batch, (unsigned)n);

	if (accepted > 0)
		kick(blkq_start(&bq));
	return accepted;
}

/* BLK_STOP: the device reset, so it touches our frames no more and the
 * pager may take them back. Only when idle: a request in flight would
 * never be finished, nor its page's frame known to be safe. */
static long on_stop(void)
{
	if (!blkq_idle(&bq))
		return -EBUSY;
	/* Before the reset, which may time out half done: no submit reaches
	 * a device being reset, whatever its answer. */
	dev.ready = false;
	return vmmio_reset(mmio) < 0 ? -EIO : 0;
}

static void serve(const struct msg *m, struct msg *reply)
{
	memset(reply, 0, MSG_HEADER_SIZE);
	reply->handle = -1;
	if (m->label == BLK_SETUP)
		reply->label = (uint64_t)on_setup(m, reply);
	else if (m->label == BLK_SUBMIT || m->label == BLK_SUBMIT_ONE)
		reply->label = (uint64_t)on_submit(m);
	else if (m->label == BLK_STOP)
		reply->label = (uint64_t)on_stop();
	else
		reply->label = (uint64_t)-ENOSYS;
}

static void report_error(void *ctx, const struct blk_request *r,
			 unsigned status)
{
	(void)ctx;
	printf("virtio_blk: I/O error: %s sector %lu (%u pages), tag %u, "
	       "device status %u\n", r->write ? "writing" : "reading",
	       (unsigned long)r->sector, r->npages, r->tag, status);
}

/* Wake each pager thread whose requests finished, and no other, lowest
 * first, from a local copy of the bits, up to the highest set: a loop over
 * every note read bq.done_notes again after each system call (~55
 * instructions an interrupt, most of it for notes with nothing done). */
static void signal_done(void)
{
	uint32_t w = bq.done_notes;

	bq.done_notes = 0;
	/* A shift a note, not __builtin_ctz: without Zbb that is a libgcc
	 * call of ~45 instructions, more than the few notes' tests. */
	for (unsigned i = 0; w; i++, w >>= 1)
		if (w & 1)
			sys_notify_signal(BLK_HANDLE_DONE + i, BLK_DONE_BIT);
}

/* The device interrupted: finish what it completed, tell the pager, start
 * what was waiting for descriptors. Whether the interrupt is to be let
 * come again (acknowledged with the next receive: one trap, not two). */
static bool on_interrupt(uint64_t bits)
{
	if (!(bits & BLK_IRQ_BIT))
		return false;
	if (dev.ready) {
		/* Acknowledge before collecting: an entry the device adds
		 * after our ack raises the line again, so none is unseen. */
		vmmio_interrupt_take(mmio);
		blkq_complete(&bq, report_error, NULL);
		signal_done();
		kick(blkq_start(&bq));
	}
	/* Even when not ready: the kernel holds the line masked until then. */
	return dev.irq_known;
}

int main(void)
{
	static struct msg in, out;
	int r = sys_recv(BLK_HANDLE_EP, &in);
	for (;;) {
		if (r < 0) {
			if (r == -ERR_PIPE)	/* the pager is gone */
				return 0;
			printf("virtio_blk: receive (or its interrupt's acknowledgement) failed: error %d\n", -r);
			return 2;
		}
		if (in.origin == ORIGIN_NOTIFY) {
			bool ack = on_interrupt(in.w[0]);

			/* Its completions can no longer be told apart from
			 * stale ones: the pager fails what we held. */
			if (vq.broken) {
				printf("virtio_blk: the device's used index ran past its queue of %u: ending\n",
				       vq.size);
				return 3;
			}
			/* The acknowledgement and the next receive in one trap;
			 * either's error ends the driver below (an interrupt not
			 * acknowledged would never come again). */
			r = ack ?
				    sys_irq_ack_recv(BLK_HANDLE_EP, &in, BLK_HANDLE_IRQ, dev.irq) :
				    sys_recv(BLK_HANDLE_EP, &in);
			continue;
		}
		if (in.handle >= 0)
			sys_handle_close(in.handle);	/* none expected */
		if (in.origin != ORIGIN_CALL) {
			r = sys_recv(BLK_HANDLE_EP, &in);	/* none to answer */
			continue;
		}
		serve(&in, &out);
		r = sys_reply_recv(BLK_HANDLE_EP, &out, &in);
	}
}
