/*
 * The fake virtio-net device (net_fake_dev.h). Receive chains must be one
 * device-writable buffer large enough for a frame; transmit chains one
 * readable buffer starting with a zeroed 12-byte header.
 */
#include <stdlib.h>
#include <string.h>

#include "net_fake_dev.h"
#include "virtio_net_hw.h"

static void queue_init(struct fake_queue *q, const struct virtqueue *vq)
{
	q->size = vq->size;
	q->desc = (struct vq_desc *)vq->desc;
	q->avail = (struct vq_avail *)vq->avail;
	q->used = (struct vq_used *)vq->used;
	q->last_avail = q->used_idx = 0;
}

void fake_net_init(struct fake_net *f, const struct virtqueue *rxq, const struct virtqueue *txq)
{
	memset(f, 0, sizeof(*f));
	queue_init(&f->rx, rxq);
	queue_init(&f->tx, txq);
}

static void put_used(struct fake_queue *q, uint16_t head, uint32_t len)
{
	struct vq_used_elem *e = &q->used->ring[q->used_idx % q->size];

	e->id = head;
	e->len = len;
	q->used_idx++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->used->idx = q->used_idx;
}

bool fake_net_deliver(struct fake_net *f, const void *frame, uint32_t len)
{
	struct fake_queue *q = &f->rx;

	if (q->last_avail == q->avail->idx) {
		f->dropped++;
		return false;
	}
	uint16_t head = q->avail->ring[q->last_avail++ % q->size];
	struct vq_desc *d = &q->desc[head];

	if (!(d->flags & VQ_DESC_F_WRITE) || (d->flags & VQ_DESC_F_NEXT) ||
	    d->len < VIRTIO_NET_HDR_BYTES + len) {
		f->malformed++;
		put_used(q, head, 0);
		return true;
	}
	uint8_t *buf = (uint8_t *)(uintptr_t)d->addr;

	memset(buf, 0, VIRTIO_NET_HDR_BYTES);
	buf[10] = 1;	/* num_buffers */
	memcpy(buf + VIRTIO_NET_HDR_BYTES, frame, len);
	put_used(q, head, VIRTIO_NET_HDR_BYTES + len);
	return true;
}

static void take_sent(struct fake_net *f, const struct vq_desc *d)
{
	const uint8_t *buf = (const uint8_t *)(uintptr_t)d->addr;
	static const uint8_t zero[VIRTIO_NET_HDR_BYTES];

	if ((d->flags & (VQ_DESC_F_WRITE | VQ_DESC_F_NEXT)) || d->len <= VIRTIO_NET_HDR_BYTES ||
	    memcmp(buf, zero, sizeof(zero)) != 0 || f->nsent == FAKE_NET_SENT_MAX) {
		f->malformed++;
		return;
	}
	uint32_t len = d->len - VIRTIO_NET_HDR_BYTES;

	f->sent[f->nsent] = malloc(len);
	memcpy(f->sent[f->nsent], buf + VIRTIO_NET_HDR_BYTES, len);
	f->sent_len[f->nsent++] = len;
}

unsigned fake_net_drain(struct fake_net *f, unsigned max, bool retire)
{
	struct fake_queue *q = &f->tx;
	unsigned n = 0;

	while (n < max && q->last_avail != q->avail->idx) {
		uint16_t head = q->avail->ring[q->last_avail++ % q->size];

		take_sent(f, &q->desc[head]);
		f->pending[f->npending++] = head;
		n++;
	}
	for (unsigned i = 0; retire && i < f->npending; i++)
		put_used(q, f->pending[i], 0);
	if (retire)
		f->npending = 0;
	return n;
}

void fake_net_free(struct fake_net *f)
{
	for (unsigned i = 0; i < f->nsent; i++)
		free(f->sent[i]);
	f->nsent = 0;
}
