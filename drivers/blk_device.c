/*
 * The virtio-blk device run by its driver (blk_device.h): features agreed,
 * the request shape from its limits, its capacity, its queue; requests
 * started; completions collected at its interrupt, a broken device given up.
 */
#include <errno.h>
#include <stdio.h>

#include "blk_device.h"
#include "blk_limits.h"
#include "virtio_blk_hw.h"
#include "virtio_mmio.h"

#define REQUEST_QUEUE 0		/* virtio-blk's only queue */

/* The largest power of two <= min(max, VQ_MAX_SIZE): what the DMA layout
 * has room for and the split ring's index arithmetic needs. */
static unsigned queue_size(unsigned max)
{
	unsigned size = VQ_MAX_SIZE;

	while (size > max)
		size /= 2;
	return size;
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
static int read_shape(struct blk_device *b, unsigned size, uint64_t accepted)
{
	struct blk_device_limits lim = {
		.queue_size = size,
		.has_seg_max = (accepted >> VIRTIO_BLK_F_SEG_MAX) & 1,
		.has_size_max = (accepted >> VIRTIO_BLK_F_SIZE_MAX) & 1,
	};

	if (lim.has_seg_max)
		lim.seg_max = vmmio_config32(b->mmio, VIRTIO_BLK_CFG_SEG_MAX);
	if (lim.has_size_max)
		lim.size_max = vmmio_config32(b->mmio, VIRTIO_BLK_CFG_SIZE_MAX);
	if (blk_shape_for(&lim, &b->disk.shape) == 0)
		return 0;
	char seg[24] = "", bytes[24] = "", why[128];

	if (lim.has_seg_max)
		snprintf(seg, sizeof(seg), ", seg_max %lu", (unsigned long)lim.seg_max);
	if (lim.has_size_max)
		snprintf(bytes, sizeof(bytes), ", size_max %lu", (unsigned long)lim.size_max);
	snprintf(why, sizeof(why), "a request cannot carry one page (a queue of %u entries%s%s)",
		 size, seg, bytes);
	return refuse(why);
}

/* A virtio 1.x block device, its features agreed: 0, or -ENOTSUP (said). */
static int agree(struct blk_device *b, uint64_t *accepted)
{
	uint64_t wanted = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_RO |
			  1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_SIZE_MAX;
	const char *why;

	return vmmio_agree(b->mmio, VIRTIO_ID_BLOCK, wanted, 1ULL << VIRTIO_F_VERSION_1, accepted,
			   &why) < 0 ? refuse(why) : 0;
}

int blk_device_start(struct blk_device *b, const struct blk_dma *d, struct blk_status *shared,
		     const volatile uint64_t *list)
{
	uint64_t accepted;
	int err = agree(b, &accepted);

	if (err < 0)
		return err;
	unsigned size = queue_size(vmmio_queue_max(b->mmio, REQUEST_QUEUE));

	/* The shape keeps every chain within the queue: a longer one would
	 * strand its request at the head of the software queue forever. */
	if (read_shape(b, size, accepted) < 0) {
		vmmio_fail(b->mmio);
		return -ENOTSUP;
	}
	/* Before the queue is set up: a device given up on is left with none. */
	if (vmmio_config64(b->mmio, VIRTIO_BLK_CFG_CAPACITY, &b->disk.capacity) < 0) {
		printf("virtio_blk: the device's configuration changed at every read of its "
		       "capacity: giving the device up\n");
		vmmio_fail(b->mmio);
		return -EIO;
	}
	b->disk.list = list;
	vq_init(&b->vq, (uint16_t)size, d->desc, d->avail, d->used);
	blkq_init(&b->bq, &b->vq, &d->slots, shared, &b->disk);
	vmmio_queue_setup(b->mmio, REQUEST_QUEUE, size, d->desc_pa, d->avail_pa, d->used_pa);
	b->disk.read_only = (accepted >> VIRTIO_BLK_F_RO) & 1;
	vmmio_driver_ok(b->mmio);
	return 0;
}

/* Notify the device of newly started chains: once per batch. */
static void kick(struct blk_device *b, unsigned started)
{
	if (started > 0 && vq_needs_kick(&b->vq))
		vmmio_notify(b->mmio, REQUEST_QUEUE);
}

int blk_device_submit(struct blk_device *b, const struct msg *m)
{
	static struct blk_request batch[BLK_SUBMIT_MAX];
	int n = blk_submit_requests(m, batch, BLK_SUBMIT_MAX);

	if (n < 0)
		return n;
	int accepted = blkq_accept(&b->bq, batch, (unsigned)n);

	if (accepted > 0)
		kick(b, blkq_start(&b->bq));
	return accepted;
}

const char *blk_device_interrupt(struct blk_device *b, blkq_error_fn *report, void *ctx)
{
	/* Acknowledge before collecting: an entry the device adds after our
	 * ack raises the line again, so none is unseen. */
	uint32_t why = vmmio_interrupt_take(b->mmio);

	/* A device that cannot go on without a reset says so by a
	 * configuration interrupt (virtio 1.x, 2.1.2): none of what it holds
	 * will finish, and what its used ring says now is not trusted. A
	 * status read only then: a configuration change is rare. */
	if ((why & VMMIO_INT_CONFIG) && (vmmio_status(b->mmio) & VIRTIO_STATUS_NEEDS_RESET))
		return "it needs a reset (DEVICE_NEEDS_RESET)";
	blkq_complete(&b->bq, report, ctx);
	return b->vq.broken;
}

void blk_device_restart(struct blk_device *b)
{
	kick(b, blkq_start(&b->bq));
}

int blk_device_stop(struct blk_device *b)
{
	if (!blkq_idle(&b->bq))
		return -EBUSY;
	return vmmio_reset(b->mmio) < 0 ? -EIO : 0;
}
