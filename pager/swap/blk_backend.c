/*
 * The virtio-blk swap backend: a transfer becomes block requests (merged
 * runs of consecutive slots, as long as the driver takes), their frames put
 * in the calling thread's range of the shared page list, tagged from its
 * own range so that its completions are its own, sent as many per message
 * as fit; the thread then waits on its notification until the driver has
 * written each request's result in the status page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "swap/blk_backend.h"
#include "swap/blk_merge.h"
#include "sys.h"

/* Each pager thread that waits for the disk (an I/O client) has its own
 * tags, so that its completions are its own, and its own SWAP_IO_MAX
 * entries of the page list, which hold one transfer's frames until every
 * request of it is done. The swap-out thread gets more tags: a batch of
 * scattered slots is a request per page. A transfer with more requests
 * than its thread has tags goes in waves. */
#define WRITER_TAGS 96u
#define BATCH_TAGS 32u
#define PER_MSG (MSG_DATA_MAX / sizeof(struct blk_request))
_Static_assert(WRITER_TAGS + BATCH_TAGS * (PAGER_IO_CLIENTS - 1) <= BLK_TAGS, "tags");
_Static_assert(PAGER_IO_CLIENTS <= BLK_DONE_NOTES, "a completion notification each");
_Static_assert(PAGER_IO_CLIENTS * SWAP_IO_MAX <= BLK_LIST_ENTRIES, "a page list range each");

static struct blk_driver drv;

static uint32_t tag_of(unsigned client, uint32_t i)
{
	return client == IO_SWAPOUT ? i : WRITER_TAGS + (client - IO_SWAPIN) * BATCH_TAGS + i;
}

static uint32_t tags_of(unsigned client)
{
	return client == IO_SWAPOUT ? WRITER_TAGS : BATCH_TAGS;
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
	/* The page list and states before the driver can see the requests. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
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

/* Requests req[0..n) (n <= t's tags) tagged, sent a message's worth at a
 * time, then all waited for; each one's result in err. */
static void send_wave(struct pager_thread *t, struct blk_request *req, uint32_t n, int *err)
{
	int sent[SWAP_IO_MAX];

	for (uint32_t i = 0; i < n; i++)
		req[i].tag = tag_of(t->io_client, i);
	for (uint32_t i = 0; i < n; i += PER_MSG) {
		uint32_t m = n - i < PER_MSG ? n - i : (uint32_t)PER_MSG;
		int r = submit(t, &req[i], m);

		for (uint32_t j = 0; j < m; j++)
			sent[i + j] = r;
	}
	for (uint32_t i = 0; i < n; i++)
		err[i] = sent[i] < 0 ? sent[i] : wait_done(t, req[i].tag);
}

/* The requests for p[0..n), their frames in t's range of the page list,
 * sent in waves and waited for; each page's result in done. */
static int transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	struct blk_request req[SWAP_IO_MAX];
	int err[SWAP_IO_MAX];
	uint32_t base = t->io_client * SWAP_IO_MAX;
	uint32_t nreq = swap_merge(p, n, write, drv.max_pages, req, SWAP_IO_MAX, NULL);
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		drv.list[base + i] = p[i].pa;
	for (uint32_t i = 0; i < nreq; i++)
		req[i].list += base;
	for (uint32_t i = 0, w; i < nreq; i += w) {
		w = nreq - i < tags_of(t->io_client) ? nreq - i : tags_of(t->io_client);
		send_wave(t, &req[i], w, &err[i]);
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
