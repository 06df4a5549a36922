/*
 * The virtio-net driver's packet engine: receive buffers kept posted on the
 * receive queue (taken from the pool as receive buffers, so they may come
 * from its reserve), received frames handed out by buffer, and frames sent
 * by copying them into transmit slots the driver owns for good. Plain C
 * with no system calls: host-tested against a fake device.
 */
#ifndef DRIVERS_NET_RING_H
#define DRIVERS_NET_RING_H

#include <stddef.h>
#include <stdint.h>

#include "net_pool.h"
#include "virtio_net_hw.h"
#include "virtqueue.h"

#define NET_TX_SLOTS_MAX 64
#define NET_FRAME_MAX (NET_BUF_SIZE - VIRTIO_NET_HDR_BYTES)	/* bytes of one frame */

struct net_ring_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_bad;		/* used entries too short or too long: dropped */
	uint64_t rx_starved;		/* refills that found no buffer for the device */
	uint64_t tx_busy;		/* sends refused: every slot in flight */
};

struct net_ring {
	struct virtqueue *rxq, *txq;
	struct net_pool *pool;
	uint32_t rx_target;		/* receive buffers to keep posted */
	uint32_t rx_posted;		/* posted now */
	uint16_t rx_buf[VQ_MAX_SIZE];	/* by receive chain head: its buffer */
	uint32_t ntx;			/* transmit slots */
	uint16_t tx_buf[NET_TX_SLOTS_MAX];	/* slot -> its buffer, owned for good */
	uint16_t tx_free[NET_TX_SLOTS_MAX];	/* free slots (a stack) */
	uint32_t ntx_free;
	uint16_t tx_slot[VQ_MAX_SIZE];	/* by transmit chain head: its slot */
	struct net_ring_counters cnt;
};

/* One piece of a frame to send. */
struct net_frag {
	const void *data;
	size_t len;
};

/* Start over initialised queues and a pool: ntx transmit slots (at most
 * NET_TX_SLOTS_MAX and the transmit queue's size) are taken from the pool
 * now and kept; rx_target receive buffers are kept posted (at most the
 * receive queue's size). 0, or -EINVAL / -ENOMEM. */
int netr_init(struct net_ring *r, struct virtqueue *rxq, struct virtqueue *txq,
	      struct net_pool *pool, uint32_t rx_target, uint32_t ntx);

/* Post receive buffers until rx_target are posted or the pool has none for
 * a receiver; publish them. How many were posted (the caller kicks). */
unsigned netr_refill(struct net_ring *r);

/* The next frame the device received: its buffer (now the caller's, to give
 * back to the pool), the frame at *frame and its length. -1 if none. */
int netr_receive(struct net_ring *r, void **frame, uint32_t *len);

/* Copy a frame made of n pieces into a free transmit slot and publish it.
 * 0 (the caller kicks), -EAGAIN if every slot is in flight (after taking
 * back the finished ones), -EINVAL if the frame is empty or too long. */
int netr_send(struct net_ring *r, const struct net_frag *frags, unsigned n);

/* Take back the transmit slots the device is done with; how many. */
unsigned netr_tx_reclaim(struct net_ring *r);

#endif
