/*
 * The virtio-blk swap backend: a transfer becomes block requests (merged
 * runs of consecutive slots), tagged from the calling thread's own range so
 * that its completions are its own, sent as many per message as fit; the
 * thread then waits on its notification until the driver has written each
 * request's result in the status page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "swap/blk_backend.h"
#include "swap/blk_merge.h"
#include "sys.h"

/* The swap-out thread keeps many requests in flight; the swap-in thread
 * and each service thread a batch at most (a read and its window, a batch
 * of 32 pages at one request each at worst). */
#define WRITER_TAGS 96u
#define BATCH_TAGS 32u
#define PER_MSG (MSG_DATA_MAX / sizeof(struct blk_request))
_Static_assert(WRITER_TAGS + BATCH_TAGS * (PAGER_IO_CLIENTS - 1) <= BLK_TAGS, "tags");
_Static_assert(PAGER_IO_CLIENTS <= BLK_DONE_NOTES, "a completion notification each");
_Static_assert(SWAP_IO_MAX <= BATCH_TAGS, "a transfer's requests have their tags");

static struct blk_driver drv;

static uint32_t tag_of(unsigned client, uint32_t i)
{
	return client == IO_SWAPOUT ? i : WRITER_TAGS + (client - IO_SWAPIN) * BATCH_TAGS + i;
}

/* Submit n requests for t (each names t's notification). 0, or -errno and
 * none submitted. Needs no pager lock. */
static int submit(struct pager_thread *t, struct blk_request *reqs, uint32_t n)
{
	struct msg m;	/* on the caller's stack: two threads may submit at once */
	int r;

	for (uint32_t i = 0; i < n; i++) {
		reqs[i].notify = t->io_client;
		drv.status[reqs[i].tag].state = BLK_SUBMITTED;
	}
	m = (struct msg){ .label = BLK_SUBMIT, .handle = -1, .len = (uint32_t)(n * sizeof(*reqs)) };
	memcpy(m.data, reqs, m.len);
	r = sys_call(drv.ep, &m);
	return r < 0 ? r : (int64_t)m.label < 0 ? (int)(int64_t)m.label : 0;
}

/* t waits until tag's request is done; its error (0 or -errno). The tag is
 * then free again. Other bits that arrive meanwhile stay in t->pending. */
static int wait_done(struct pager_thread *t, uint32_t tag)
{
	int r;

	while (drv.status[tag].state != BLK_DONE)
		pager_thread_wait(t, t->disk, BLK_DONE_BIT);
	r = drv.status[tag].error;
	drv.status[tag].state = BLK_FREE;
	return r;
}

/* The requests for p[0..n), tagged, sent a message's worth at a time and
 * waited for; each page's result in done. */
static int transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	struct blk_request req[SWAP_IO_MAX];
	int err[SWAP_IO_MAX];
	uint32_t nreq = swap_merge(p, n, write, req, SWAP_IO_MAX, NULL);
	unsigned k = 0;

	for (uint32_t i = 0; i < nreq; i++)
		req[i].tag = tag_of(t->io_client, i);
	for (uint32_t i = 0; i < nreq; i += PER_MSG) {
		uint32_t m = nreq - i < PER_MSG ? nreq - i : (uint32_t)PER_MSG;
		int r = submit(t, &req[i], m);
		for (uint32_t j = 0; j < m; j++)
			err[i + j] = r < 0 ? r : wait_done(t, req[i + j].tag);
	}
	for (uint32_t i = 0; i < nreq; i++)
		for (uint32_t j = 0; j < req[i].npages; j++)
			done->err[k++] = err[i];
	done->requests = nreq;
	return 0;
}

static int blk_read(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	(void)ctx;
	return transfer(t, 0, p, n, done);
}

static int blk_write(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done)
{
	(void)ctx;
	return transfer(t, 1, p, n, done);
}

static uint64_t blk_size(void *ctx, int *read_only)
{
	(void)ctx;
	*read_only = drv.read_only;
	return drv.sectors * BLK_SECTOR;
}

/* Writes complete on the device itself (no write cache to flush). */
static const struct swap_backend_ops ops = {
	.size = blk_size,
	.read = blk_read,
	.write = blk_write,
	.flush = NULL,
};

void blk_backend_init(struct swap_backend *b, const struct blk_driver *d)
{
	drv = *d;
	b->ops = &ops;
	b->ctx = NULL;
	snprintf(b->where, sizeof(b->where), "the disk at 0x%lx", (unsigned long)d->base);
}
