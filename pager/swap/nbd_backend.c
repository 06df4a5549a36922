/*
 * The NBD swap backend (nbd_backend.h). A transfer becomes block requests
 * exactly as for the disk (swap_merge, the calling thread's own tags and
 * completion notification); before a request goes, its frames are mapped
 * into netd's window at the tag's place (read-only for a write), and they
 * are unmapped once its result is read, so netd holds a frame only while
 * its request is in flight. A completed write batch is then flushed
 * (NBD_CMD_FLUSH). While netd's pool is in its reserve the device
 * says it is congested, and reclaim throttles direct reclaimers (seed 002).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "drivers/net_protocol.h"
#include "swap/blk_backend.h"
#include "swap/blk_merge.h"
#include "swap/nbd_backend.h"
#include "sys.h"

#define WRITER_TAGS 96u
#define BATCH_TAGS 32u
#define PER_MSG (MSG_DATA_MAX / sizeof(struct blk_request))
_Static_assert(WRITER_TAGS + BATCH_TAGS * (PAGER_IO_CLIENTS - 1) <= BLK_TAGS, "tags");
_Static_assert(PAGER_IO_CLIENTS <= BLK_DONE_NOTES, "a completion notification each");

static struct nbd_driver drv;

static uint32_t tag_of(unsigned client, uint32_t i)
{
	return client == IO_SWAPOUT ? i : WRITER_TAGS + (client - IO_SWAPIN) * BATCH_TAGS + i;
}

static uint64_t window_va(uint32_t tag)
{
	return NET_WIN_VA + (uint64_t)tag * BLK_MAX_PAGES * 4096;
}

/* netd may read (a write) or fill (a read) r's frames until unmap. */
static int map_window(const struct blk_request *r)
{
	struct map_entry e[BLK_MAX_PAGES];

	for (uint32_t i = 0; i < r->npages; i++)
		e[i] = (struct map_entry){ window_va(r->tag) + (uint64_t)i * 4096, r->pa[i],
					   r->write ? MAP_R : MAP_R | MAP_W };
	return sys_map(drv.proc, e, r->npages) < 0 ? -ENOMEM : 0;
}

static void unmap_window(const struct blk_request *r)
{
	sys_unmap(drv.proc, window_va(r->tag), r->npages);
}

/* Submit n requests for t, their frames mapped first. 0, or -errno and
 * none submitted (nor left mapped). */
static int submit(struct pager_thread *t, struct blk_request *reqs, uint32_t n)
{
	struct msg m;
	uint32_t mapped = 0;
	int r = 0;

	for (; mapped < n && r == 0; mapped++) {
		reqs[mapped].notify = t->io_client;
		drv.shared->slot[reqs[mapped].tag].state = BLK_SUBMITTED;
		r = map_window(&reqs[mapped]);
	}
	if (r == 0) {
		m = (struct msg){ .label = BLK_SUBMIT, .handle = -1,
				  .len = (uint32_t)(n * sizeof(*reqs)) };
		memcpy(m.data, reqs, m.len);
		r = sys_call(drv.ep, &m);
		r = r < 0 ? r : (int64_t)m.label < 0 ? (int)(int64_t)m.label : 0;
	}
	if (r < 0)
		for (uint32_t i = 0; i < mapped; i++) {
			unmap_window(&reqs[i]);
			drv.shared->slot[reqs[i].tag].state = BLK_FREE;
		}
	return r;
}

/* t waits until netd has answered tag; its error. The tag is free again. */
static int wait_tag(struct pager_thread *t, uint32_t tag)
{
	struct blk_status *st = &drv.shared->slot[tag];
	int err;

	while (st->state != BLK_DONE)
		pager_thread_wait(t, t->disk, BLK_DONE_BIT);
	err = st->error;
	st->state = BLK_FREE;
	return err;
}

/* t waits until r is done; its error. Then the frames leave netd. */
static int wait_done(struct pager_thread *t, const struct blk_request *r)
{
	int err = wait_tag(t, r->tag);

	unmap_window(r);
	return err;
}

static int transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	struct blk_request req[SWAP_IO_MAX];
	int err[SWAP_IO_MAX];
	uint32_t nreq = swap_merge(p, n, write, req, SWAP_IO_MAX, NULL);
	unsigned k = 0;

	if (drv.shared->swap_gone)
		return -ENXIO;
	for (uint32_t i = 0; i < nreq; i++)
		req[i].tag = tag_of(t->io_client, i);
	for (uint32_t i = 0; i < nreq; i += PER_MSG) {
		uint32_t m = nreq - i < PER_MSG ? nreq - i : (uint32_t)PER_MSG;
		int r = submit(t, &req[i], m);
		for (uint32_t j = 0; j < m; j++)
			err[i + j] = r < 0 ? r : wait_done(t, &req[i + j]);
	}
	for (uint32_t i = 0; i < nreq; i++)
		for (uint32_t j = 0; j < req[i].npages; j++)
			done->err[k++] = err[i];
	done->requests = nreq;
	return 0;
}

static int nbd_read(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	(void)ctx;
	return transfer(t, 0, p, n, done);
}

static int nbd_write(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done)
{
	(void)ctx;
	return transfer(t, 1, p, n, done);
}

/* The engine calls this once a write batch has completed: NBD_CMD_FLUSH,
 * so the server has the pages on stable storage before their frames are
 * given away (a server that restarts would otherwise lose them). */
static int nbd_flush(void *ctx, struct pager_thread *t)
{
	uint32_t tag = tag_of(t->io_client, 0);	/* the batch's tags are free */
	struct msg m = { .label = NET_SWAP_FLUSH, .handle = -1 };
	int r;

	(void)ctx;
	if (drv.shared->swap_gone)
		return -ENXIO;
	drv.shared->slot[tag].state = BLK_SUBMITTED;
	m.w[0] = tag;
	m.w[1] = t->io_client;
	r = sys_call(drv.ep, &m);
	r = r < 0 ? r : (int)(int64_t)m.label;
	if (r == 0)
		return wait_tag(t, tag);
	drv.shared->slot[tag].state = BLK_FREE;
	return r == -ENOTSUP ? 0 : r;	/* no flush: writes are done when answered */
}

static uint64_t nbd_size(void *ctx, int *read_only)
{
	(void)ctx;
	*read_only = drv.read_only;
	return drv.sectors * BLK_SECTOR;
}

static int nbd_gone(void *ctx)
{
	(void)ctx;
	return drv.shared->swap_gone != 0;
}

/* netd's pool is down in its reserve (it writes the state after every
 * event): direct reclaimers should wait (seed 002). */
static int nbd_congested(void *ctx)
{
	(void)ctx;
	return drv.shared->pool_free <= drv.shared->pool_reserve;
}

static const struct swap_backend_ops ops = {
	.size = nbd_size,
	.read = nbd_read,
	.write = nbd_write,
	.flush = nbd_flush,
	.gone = nbd_gone,
	.congested = nbd_congested,
};

void nbd_backend_init(struct swap_backend *b, const struct nbd_driver *d)
{
	drv = *d;
	b->ops = &ops;
	b->ctx = NULL;
	snprintf(b->where, sizeof(b->where), "the NBD export at %u.%u.%u.%u:%u", d->addr >> 24,
		 (d->addr >> 16) & 255, (d->addr >> 8) & 255, d->addr & 255, d->port);
}
