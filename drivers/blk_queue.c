/*
 * The request engine (blk_queue.h). Each tag owns one header and one status
 * byte in DMA memory, so a request needs nothing allocated but descriptors;
 * requests that find too few wait in FIFO order and are never dropped.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "blk_queue.h"
#include "blk_request.h"

void blkq_init(struct blk_queue *q, struct virtqueue *vq,
	       const struct blk_slots *slots, struct blk_status *shared,
	       const struct blk_disk *disk)
{
	memset(q, 0, sizeof(*q));
	q->vq = vq;
	q->slots = *slots;
	q->shared = shared;
	q->disk = disk;
}

unsigned blkq_chain_len(const struct blk_queue *q, uint32_t npages)
{
	return npages * q->disk->shape.segs_per_page + 2;
}

bool blkq_idle(const struct blk_queue *q)
{
	return q->nwait == 0 && q->in_flight == 0;
}

/* 0 if reqs[i] may join the queue: well formed, its tag free and not used
 * by an earlier request of the batch. */
static int check_one(const struct blk_queue *q, const struct blk_request *reqs,
		     unsigned i)
{
	int err = blk_request_check(&reqs[i], q->disk);

	if (err < 0)
		return err;
	if (q->state[reqs[i].tag] != BLKQ_IDLE)
		return -EBUSY;
	for (unsigned j = 0; j < i; j++)
		if (reqs[j].tag == reqs[i].tag)
			return -EBUSY;
	return 0;
}

static void enqueue(struct blk_queue *q, const struct blk_request *r)
{
	q->req[r->tag] = *r;
	q->state[r->tag] = BLKQ_WAITING;
	q->wait[(q->wait_first + q->nwait) % BLK_TAGS] = (uint16_t)r->tag;
	q->nwait++;
}

int blkq_accept(struct blk_queue *q, const struct blk_request *reqs,
		unsigned n)
{
	/* Check all before taking any: a batch is accepted whole or not at
	 * all. More than BLK_TAGS requests would repeat a tag. */
	if (n == 0 || n > BLK_TAGS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		int err = check_one(q, reqs, i);

		if (err < 0)
			return err;
	}
	for (unsigned i = 0; i < n; i++)
		enqueue(q, &reqs[i]);
	return (int)n;
}

/* Describe the page at pa in segments of the disk's seg_bytes from
 * bufs[n] on; returns the next free index. */
static unsigned add_page(const struct blk_queue *q, uint64_t pa, bool write,
			 struct vq_buf *bufs, unsigned n)
{
	unsigned seg = q->disk->shape.seg_bytes;

	if (seg == BLK_PAGE_SIZE) {	/* the usual disk (blk_limits caps seg at a page) */
		bufs[n] = (struct vq_buf){ .pa = pa, .len = BLK_PAGE_SIZE, .device_writes = !write };
		return n + 1;
	}
	for (unsigned off = 0; off < BLK_PAGE_SIZE; off += seg)
		bufs[n++] = (struct vq_buf){ .pa = pa + off,
			.len = BLK_PAGE_SIZE - off < seg ? BLK_PAGE_SIZE - off : seg,
			.device_writes = !write };
	return n;
}

/* Fill tag's header and status byte and describe its chain in bufs;
 * returns the number of buffers. */
static unsigned build_chain(struct blk_queue *q, unsigned tag,
			    struct vq_buf *bufs)
{
	const struct blk_request *r = &q->req[tag];
	struct virtio_blk_hdr *h = &q->slots.hdr[tag];
	unsigned n = 0;

	h->type = r->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	h->reserved = 0;
	h->sector = r->sector;
	q->slots.status[tag] = VIRTIO_BLK_S_UNSET;
	bufs[n++] = (struct vq_buf){
		.pa = q->slots.hdr_pa + tag * sizeof(*h),
		.len = sizeof(*h), .device_writes = false };
	/* The pages go as they are, read from the page list now (the pager
	 * keeps them there until the request is done): the device DMAs into
	 * the pager's frames. */
	for (uint32_t i = 0; i < r->npages; i++)
		n = add_page(q, q->disk->list[r->list + i], r->write, bufs, n);
	bufs[n++] = (struct vq_buf){ .pa = q->slots.status_pa + tag,
		.len = 1, .device_writes = true };
	return n;
}

/* Put the oldest waiting request on the virtqueue; false if its chain does
 * not fit (it stays first in line, so no request is overtaken forever). */
static bool start_first(struct blk_queue *q)
{
	uint16_t tag = q->wait[q->wait_first];
	unsigned n = blkq_chain_len(q, q->req[tag].npages);

	if (vq_free_count(q->vq) < n)
		return false;
	build_chain(q, tag, q->chain);
	int head = vq_add(q->vq, q->chain, n);

	q->head_tag[head] = tag;
	q->state[tag] = BLKQ_IN_FLIGHT;
	q->in_flight++;
	q->wait_first = (q->wait_first + 1) % BLK_TAGS;
	q->nwait--;
	return true;
}

unsigned blkq_start(struct blk_queue *q)
{
	unsigned started = 0;

	while (q->nwait > 0 && start_first(q))
		started++;
	if (started > 0)
		vq_publish(q->vq);
	return started;
}

/* Tell the pager: the error first, then the state that makes it valid. */
static void publish_status(struct blk_queue *q, unsigned tag, int error)
{
	q->shared[tag].error = error;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->shared[tag].state = BLK_DONE;
}

/* The bytes the device must say it wrote for a request that succeeded:
 * a read's every page and the status byte; a write's status byte. The
 * pager maps a read's frames unzeroed, so a read the device reports OK
 * but short would hand a process what the frame held before (the virtio
 * spec: the driver must not trust bytes past the length used). */
static uint32_t len_owed(const struct blk_request *r)
{
	return (r->write ? 0 : r->npages * (uint32_t)BLK_PAGE_SIZE) + 1;
}

static void finish(struct blk_queue *q, unsigned tag, uint32_t len,
		   blkq_error_fn *report, void *ctx)
{
	unsigned status = q->slots.status[tag];
	int error = status == VIRTIO_BLK_S_OK && len >= len_owed(&q->req[tag]) ? 0 : -EIO;

	q->state[tag] = BLKQ_IDLE;
	q->in_flight--;
	q->completed++;
	if (error != 0) {
		q->errors++;
		if (report)
			report(ctx, &q->req[tag], status);
	}
	q->done_notes |= 1u << q->req[tag].notify;
	publish_status(q, tag, error);
}

unsigned blkq_complete(struct blk_queue *q, blkq_error_fn *report, void *ctx)
{
	unsigned done = 0;
	uint32_t len;
	int head;

	while ((head = vq_collect(q->vq, &len)) >= 0) {
		finish(q, q->head_tag[head], len, report, ctx);
		done++;
	}
	return done;
}
