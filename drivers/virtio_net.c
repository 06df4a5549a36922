/*
 * Bringing up a virtio-net device (virtio_net.h): features (version 1 and
 * the MAC address, no offloads), a receive and a transmit queue over the
 * pinned ring pages, receive buffers posted before DRIVER_OK.
 */
#include <errno.h>

#include "lib/number_text.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "virtio_net_hw.h"

#define TX_SLOTS 64

static unsigned queue_size(unsigned max)
{
	unsigned size = VQ_MAX_SIZE;

	while (size > max)
		size /= 2;
	return size;
}

#define QUEUE_MIN 16	/* entries a queue needs: fewer, and the device is refused */

/* Queue q's rings: its descriptor table in one page, both rings in the
 * next (the used ring at 1024, after an available ring of 256 entries).
 * 0, or -ENOTSUP if the device's queue is too small (or not there). */
static int setup_queue(struct virtio_net *n, unsigned q, struct virtqueue *vq, uintptr_t va,
		       const uint64_t *pa)
{
	unsigned size = queue_size(vmmio_queue_max(n->mmio, q));

	if (size < QUEUE_MIN)
		return -ENOTSUP;
	vq_init(vq, (uint16_t)size, (void *)va, (void *)(va + NET_PAGE_SIZE),
		(void *)(va + NET_PAGE_SIZE + 1024));
	vmmio_queue_setup(n->mmio, q, size, pa[0], pa[1], pa[1] + 1024);
	return 0;
}

int virtio_net_start(struct virtio_net *n, uintptr_t mmio, uintptr_t dma_va,
		     const uint64_t dma_pa[NET_DMA_PAGES], struct net_pool *pool,
		     const char **why)
{
	uint64_t wanted = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MAC;
	uint64_t accepted;
	int r;

	n->mmio = mmio;
	if (vmmio_agree(mmio, VIRTIO_ID_NET, wanted, 1ULL << VIRTIO_F_VERSION_1, &accepted,
			why) < 0)
		return -ENOTSUP;
	if (setup_queue(n, VIRTIO_NET_RXQ, &n->rxq, dma_va, dma_pa) < 0 ||
	    setup_queue(n, VIRTIO_NET_TXQ, &n->txq, dma_va + 2 * NET_PAGE_SIZE, dma_pa + 2) < 0) {
		vmmio_fail(mmio);
		*why = "a queue of fewer than " NUMBER_TEXT(QUEUE_MIN) " entries (or none)";
		return -ENOTSUP;
	}
	r = netr_init(&n->ring, &n->rxq, &n->txq, pool,
		      NET_RX_POSTED < n->rxq.size ? NET_RX_POSTED : n->rxq.size,
		      TX_SLOTS < n->txq.size ? TX_SLOTS : n->txq.size);
	if (r < 0) {
		vmmio_fail(mmio);
		*why = r == -ENOMEM ? "the packet pool has fewer free buffers than its transmit slots" :
				      "its transmit slots do not fit its queues";
		return r;
	}
	for (unsigned i = 0; i < 6; i++)	/* a locally administered one if none */
		n->mac[i] = (accepted >> VIRTIO_NET_F_MAC) & 1 ?
			    vmmio_config8(mmio, VIRTIO_NET_CFG_MAC + i) :
			    (uint8_t)(i == 0 ? 0x02 : 0x10 + i);
	netr_refill(&n->ring);
	vmmio_driver_ok(mmio);
	vmmio_notify(mmio, VIRTIO_NET_RXQ);
	return 0;
}

void virtio_net_interrupt(struct virtio_net *n)
{
	/* A device that finds an error (a descriptor it cannot use) sets
	 * NEEDS_RESET and says so by a configuration interrupt (virtio 1.x,
	 * 2.1.2; QEMU's virtio_error), then stops: nothing more would come. */
	if (vmmio_interrupt_take(n->mmio) & VMMIO_INT_CONFIG &&
	    vmmio_status(n->mmio) & VIRTIO_STATUS_NEEDS_RESET)
		n->needs_reset = true;
}

void virtio_net_refill(struct virtio_net *n)
{
	if (netr_refill(&n->ring) > 0 && vq_needs_kick(&n->rxq))
		vmmio_notify(n->mmio, VIRTIO_NET_RXQ);
}

int virtio_net_send(struct virtio_net *n, const struct net_frag *frags, unsigned nfrags)
{
	int r = netr_send(&n->ring, frags, nfrags);

	if (r == 0 && vq_needs_kick(&n->txq))
		vmmio_notify(n->mmio, VIRTIO_NET_TXQ);
	return r;
}

const char *virtio_net_failure(int err)
{
	return err == -ENOTSUP ? "refusing the virtio-net device" :
	       err == -ENOMEM ? "cannot start the virtio-net device for want of packet buffers" :
				"cannot start the virtio-net device";
}
