/*
 * Split-virtqueue bookkeeping (virtqueue.h): descriptors come from a free
 * list, chains are published through the available ring with a barrier
 * before the index, finished chains come back through the used ring.
 */
#include <string.h>

#include "virtqueue.h"

/* The device sees ring memory as another CPU would: stores to the ring must
 * be visible before the index that publishes them, and the index we read
 * must be seen before the entries it covers. */
static void vq_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vq_init(struct virtqueue *vq, uint16_t size, void *desc, void *avail,
	     void *used)
{
	memset(vq, 0, sizeof(*vq));
	memset(desc, 0, VQ_DESC_BYTES(size));
	memset(avail, 0, VQ_AVAIL_BYTES(size));
	memset(used, 0, VQ_USED_BYTES(size));
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	for (uint16_t i = 0; i + 1 < size; i++)
		vq->link[i] = i + 1;
	vq->nfree = size;
	vq->free_head = 0;
}

unsigned vq_free_count(const struct virtqueue *vq)
{
	return vq->nfree;
}

static void write_desc(volatile struct vq_desc *d, const struct vq_buf *b,
		       bool last, uint16_t next)
{
	d->addr = b->pa;
	d->len = b->len;
	d->flags = (uint16_t)((b->device_writes ? VQ_DESC_F_WRITE : 0) |
			      (last ? 0 : VQ_DESC_F_NEXT));
	d->next = last ? 0 : next;
}

/* The chain is the free list's first n descriptors, linked as they already
 * are: link[] runs through them in the order they would be taken one by
 * one, so only the last link changes and the counts are written once (a
 * blk request is a chain of up to 66, one a page). */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n)
{
	if (n == 0 || n > vq->nfree)
		return -1;
	uint16_t head = vq->free_head, d = head;

	for (unsigned i = 0; i + 1 < n; i++) {
		uint16_t next = vq->link[d];

		write_desc(&vq->desc[d], &bufs[i], false, next);
		d = next;
	}
	write_desc(&vq->desc[d], &bufs[n - 1], true, 0);
	vq->free_head = vq->link[d];
	vq->link[d] = 0;
	vq->nfree = (uint16_t)(vq->nfree - n);
	vq->chain_len[head] = (uint16_t)n;
	/* At most size chains are in flight (each takes a descriptor), so
	 * this slot is never one the device has yet to read. */
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	return head;
}

/* Whether the device's used index done is one it could have reached: no
 * further than the chains published and not yet collected. */
static bool used_idx_sane(const struct virtqueue *vq, uint16_t done)
{
	return (uint16_t)(done - vq->used_seen) <= (uint16_t)(vq->published - vq->used_seen);
}

void vq_publish(struct virtqueue *vq)
{
	/* An index already past what the device holds would, once it holds
	 * these chains too, pass for their completions: looked at now. */
	if (!vq->broken && !used_idx_sane(vq, vq->used->idx))
		vq->broken = "its used index ran past the chains it holds";
	vq_fence();
	vq->published = vq->avail_idx;
	vq->avail->idx = vq->avail_idx;
	vq_fence();
}

bool vq_needs_kick(const struct virtqueue *vq)
{
	vq_fence();	/* the index store before the device's flags load */
	return (vq->used->flags & VQ_USED_F_NO_NOTIFY) == 0;
}

/* Return a finished chain's descriptors to the free list. */
static void free_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t d = head;

	for (uint16_t i = 1; i < vq->chain_len[head]; i++)
		d = vq->link[d];
	vq->link[d] = vq->free_head;
	vq->free_head = head;
	vq->nfree += vq->chain_len[head];
	vq->chain_len[head] = 0;
}

int vq_collect(struct virtqueue *vq, uint32_t *len)
{
	uint16_t done = vq->used->idx;

	vq_fence();	/* the index before the entries it covers */
	if (done == vq->used_seen || vq->broken)
		return -1;
	if (!used_idx_sane(vq, done)) {
		vq->broken = "its used index ran past the chains it holds";
		return -1;
	}
	volatile struct vq_used_elem *e = &vq->used->ring[vq->used_seen & (vq->size - 1)];
	uint32_t id = e->id;

	*len = e->len;
	if (id >= vq->size || vq->chain_len[id] == 0) {
		vq->broken = "its used ring named a chain it does not hold";
		return -1;
	}
	vq->used_seen++;
	free_chain(vq, (uint16_t)id);
	return (int)id;
}
