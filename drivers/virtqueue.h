/*
 * A virtio 1.x split virtqueue seen from the driver: the three rings' layout
 * and the bookkeeping around them (free descriptors, chains in flight, used
 * entries not yet collected). Plain C with no system calls: host-tested.
 */
#ifndef DRIVERS_VIRTQUEUE_H
#define DRIVERS_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_MAX_SIZE 256		/* our largest queue: its descriptor table is one page */

#define VQ_DESC_F_NEXT 1	/* next is valid: the chain goes on */
#define VQ_DESC_F_WRITE 2	/* the device writes this buffer (else reads it) */
#define VQ_USED_F_NO_NOTIFY 1	/* the device asks not to be notified */

/* The rings as the virtio spec lays them out (little-endian, like RISC-V). */
struct vq_desc {
	uint64_t addr;		/* physical address of the buffer */
	uint32_t len;		/* bytes */
	uint16_t flags;		/* VQ_DESC_F_* */
	uint16_t next;		/* the chain's next descriptor, with F_NEXT */
};

struct vq_avail {
	uint16_t flags;		/* 0: we want interrupts */
	uint16_t idx;		/* heads published so far, mod 2^16 */
	uint16_t ring[];	/* size heads, then used_event (unused) */
};

struct vq_used_elem {
	uint32_t id;		/* head of the chain the device is done with */
	uint32_t len;		/* bytes it wrote into the chain */
};

struct vq_used {
	uint16_t flags;		/* VQ_USED_F_* */
	uint16_t idx;		/* entries the device has filled, mod 2^16 */
	struct vq_used_elem ring[];	/* size entries, then avail_event */
};

/* Bytes each ring takes for a queue of `size` entries, and the alignment the
 * spec requires of it: where they go is the caller's choice. */
#define VQ_DESC_BYTES(size) (16u * (size))
#define VQ_AVAIL_BYTES(size) (6u + 2u * (size))
#define VQ_USED_BYTES(size) (6u + 8u * (size))
#define VQ_DESC_ALIGN 16u
#define VQ_AVAIL_ALIGN 2u
#define VQ_USED_ALIGN 4u

/* One buffer of a chain. */
struct vq_buf {
	uint64_t pa;		/* physical address the device uses */
	uint32_t len;
	bool device_writes;	/* the device fills it (a read's data, a status) */
};

struct virtqueue {
	uint16_t size;		/* entries: a power of two, <= VQ_MAX_SIZE */
	volatile struct vq_desc *desc;	/* size descriptors; the device only reads */
	volatile struct vq_avail *avail;	/* we write, the device reads */
	volatile struct vq_used *used;	/* the device writes, we read */
	uint16_t nfree;		/* descriptors on the free list */
	uint16_t free_head;	/* first free descriptor, if nfree > 0 */
	uint16_t avail_idx;	/* heads added; avail->idx lags until vq_publish */
	uint16_t used_seen;	/* used entries collected, mod 2^16 */
	uint16_t published;	/* heads published (avail->idx as we wrote it:
				 * the device may write over the ring's copy) */
	/* Why the device is taken as broken, or NULL: a used entry naming
	 * no chain in flight (out of range, never given, or given back
	 * already), or its used index moved past every chain it holds
	 * (entries it cannot have written: stale ones, which could name
	 * chains it has not finished). Either way its used ring can no
	 * longer be trusted: nothing more is collected, and the driver ends,
	 * so that what it held fails as the device's (a read's frames kept
	 * out of use), never as finished. */
	const char *broken;
	/* Our own links, not the device-visible desc[].next, so a confused
	 * device cannot corrupt the free list: a free descriptor links to the
	 * next free one, a descriptor in a chain to the chain's next. */
	uint16_t link[VQ_MAX_SIZE];
	uint16_t chain_len[VQ_MAX_SIZE];	/* per head in flight: its
						 * descriptors; 0 otherwise */
};

/* Set vq up over rings the caller placed (zeroed here); every descriptor
 * is free. size must be a power of two <= VQ_MAX_SIZE. */
void vq_init(struct virtqueue *vq, uint16_t size, void *desc, void *avail,
	     void *used);

unsigned vq_free_count(const struct virtqueue *vq);

/* Write a chain of n buffers and add its head to the available ring, not yet
 * visible to the device (vq_publish). The head, or -1 if fewer than n
 * descriptors are free (nothing changes). */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n);

/* Make every chain added so far visible to the device. */
void vq_publish(struct virtqueue *vq);

/* Whether the device wants a notification for what was just published. */
bool vq_needs_kick(const struct virtqueue *vq);

/* The head of the next chain the device has finished, its descriptors now
 * free again, with *len the bytes it wrote; -1 if there is none, or the
 * device is broken (vq->broken says why). */
int vq_collect(struct virtqueue *vq, uint32_t *len);

#endif
