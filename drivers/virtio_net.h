/*
 * The virtio-net device in the network server: bringing it up over the
 * pages the pager gave (rings, pool), and serving its interrupt. The packet
 * engine (net_ring.h) does the rest.
 */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "net_pool.h"
#include "net_protocol.h"
#include "net_ring.h"

struct virtio_net {
	uintptr_t mmio;
	struct virtqueue rxq, txq;
	struct net_ring ring;
	uint8_t mac[6];
	unsigned irq;
	/* The device said it needs a reset (VIRTIO_STATUS_NEEDS_RESET): it
	 * found an error and uses its queues no more. */
	bool needs_reset;
};

/* Reset and start the device at mmio with its rings in the NET_DMA_PAGES
 * pages at dma_va / dma_pa[], its buffers from pool. 0; -ENOTSUP for a
 * device this driver cannot drive (vmmio_agree's reasons, or too small a
 * queue); -ENOMEM if the pool could not give its transmit buffers (netd's
 * own shortage, nothing against the device), -EINVAL if its transmit
 * slots do not fit the queues; never -ENODEV (the pager found the
 * device). Not 0: *why says why, and the device is marked failed. */
int virtio_net_start(struct virtio_net *n, uintptr_t mmio, uintptr_t dma_va,
		     const uint64_t dma_pa[NET_DMA_PAGES], struct net_pool *pool,
		     const char **why);

/* What a start that failed with err did, for the console line before its
 * *why: refused the device (-ENOTSUP), or could not start it, for want of
 * packet buffers (-ENOMEM) or otherwise: the device is not blamed for the
 * pool. */
const char *virtio_net_failure(int err);

/* The device interrupted: acknowledge it (before collecting, so nothing
 * added after is missed); a configuration interrupt that comes with
 * NEEDS_RESET sets needs_reset. */
void virtio_net_interrupt(struct virtio_net *n);

/* Give the device receive buffers again, and tell it. */
void virtio_net_refill(struct virtio_net *n);

/* Send one frame; 0, -EAGAIN (every transmit slot busy) or -EINVAL. */
int virtio_net_send(struct virtio_net *n, const struct net_frag *frags, unsigned nfrags);

#endif
