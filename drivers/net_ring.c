/*
 * The packet engine (net_ring.h). A receive chain is one device-writable
 * buffer (header and frame); a transmit chain is one buffer the device
 * reads, copied from the stack's pieces, so the stack's memory is never
 * tied to the device.
 */
#include <errno.h>
#include <string.h>

#include "net_ring.h"

int netr_init(struct net_ring *r, struct virtqueue *rxq, struct virtqueue *txq,
	      struct net_pool *pool, uint32_t rx_target, uint32_t ntx)
{
	if (ntx == 0 || ntx > NET_TX_SLOTS_MAX || ntx > txq->size || rx_target == 0 ||
	    rx_target > rxq->size)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->rxq = rxq;
	r->txq = txq;
	r->pool = pool;
	r->rx_target = rx_target;
	for (uint32_t i = 0; i < ntx; i++) {
		int b = net_pool_take(pool, NET_TAKE_MEMALLOC);

		if (b < 0)
			return -ENOMEM;
		r->tx_buf[i] = (uint16_t)b;
		r->tx_free[i] = (uint16_t)(ntx - 1 - i);
	}
	r->ntx = r->ntx_free = ntx;
	return 0;
}

/* Post one receive buffer; false if the pool or the queue has no room. */
static bool post_one(struct net_ring *r)
{
	int b = net_pool_take(r->pool, NET_TAKE_RECEIVE);

	if (b < 0) {
		r->cnt.rx_starved++;
		return false;
	}
	struct vq_buf vb = { net_buf_pa(r->pool, (unsigned)b), NET_BUF_SIZE, true };
	int head = vq_add(r->rxq, &vb, 1);

	if (head < 0) {
		net_pool_give(r->pool, (unsigned)b);
		return false;
	}
	r->rx_buf[head] = (uint16_t)b;
	r->rx_posted++;
	return true;
}

unsigned netr_refill(struct net_ring *r)
{
	unsigned n = 0;

	while (r->rx_posted < r->rx_target && post_one(r))
		n++;
	if (n > 0)
		vq_publish(r->rxq);
	return n;
}

int netr_receive(struct net_ring *r, void **frame, uint32_t *len)
{
	uint32_t used;
	int head;

	while ((head = vq_collect(r->rxq, &used)) >= 0) {
		unsigned b = r->rx_buf[head];

		r->rx_posted--;
		/* A frame has at least an Ethernet header; the device never
		 * writes past the buffer it was given. */
		if (used < VIRTIO_NET_HDR_BYTES + 14 || used > NET_BUF_SIZE) {
			r->cnt.rx_bad++;
			net_pool_give(r->pool, b);
			continue;
		}
		*frame = (uint8_t *)net_buf_va(r->pool, b) + VIRTIO_NET_HDR_BYTES;
		*len = used - VIRTIO_NET_HDR_BYTES;
		r->cnt.rx_packets++;
		r->cnt.rx_bytes += *len;
		return (int)b;
	}
	return -1;
}

unsigned netr_tx_reclaim(struct net_ring *r)
{
	unsigned n = 0;
	uint32_t used;
	int head;

	while ((head = vq_collect(r->txq, &used)) >= 0) {
		r->tx_free[r->ntx_free++] = r->tx_slot[head];
		n++;
	}
	return n;
}

/* Bytes of the frame, or 0 if it is too long for a slot. */
static size_t frame_len(const struct net_frag *frags, unsigned n)
{
	size_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		if (frags[i].len > NET_FRAME_MAX || total + frags[i].len > NET_FRAME_MAX)
			return 0;
		total += frags[i].len;
	}
	return total;
}

int netr_send(struct net_ring *r, const struct net_frag *frags, unsigned n)
{
	size_t total = frame_len(frags, n);

	if (total == 0)
		return -EINVAL;
	if (r->ntx_free == 0 && netr_tx_reclaim(r) == 0) {
		r->cnt.tx_busy++;
		return -EAGAIN;
	}
	uint16_t slot = r->tx_free[--r->ntx_free];
	unsigned b = r->tx_buf[slot];
	uint8_t *p = net_buf_va(r->pool, b);

	memset(p, 0, VIRTIO_NET_HDR_BYTES);	/* no offloads asked for */
	for (unsigned i = 0, off = VIRTIO_NET_HDR_BYTES; i < n; off += (unsigned)frags[i].len, i++)
		memcpy(p + off, frags[i].data, frags[i].len);
	struct vq_buf vb = { net_buf_pa(r->pool, b), (uint32_t)(VIRTIO_NET_HDR_BYTES + total), false };
	int head = vq_add(r->txq, &vb, 1);

	if (head < 0) {		/* cannot happen: slots <= queue size */
		r->tx_free[r->ntx_free++] = slot;
		r->cnt.tx_busy++;
		return -EAGAIN;
	}
	r->tx_slot[head] = slot;
	vq_publish(r->txq);
	r->cnt.tx_packets++;
	r->cnt.tx_bytes += total;
	return 0;
}
