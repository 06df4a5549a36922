/*
 * The NBD swap backend (nbd_backend.h). A transfer becomes block requests
 * to netd exactly as to the disk (blk_link.h); before a request goes, its frames are mapped
 * into netd's window at the tag's place (read-only for a write), and they
 * are unmapped once its result is read, so netd holds a frame only while
 * its request is in flight. A completed write batch is then flushed
 * (NBD_CMD_FLUSH). While netd's pool is in its reserve the device
 * says it is congested, and reclaim throttles direct reclaimers (seed 002).
 * A write whose data went out on a connection lost before its answer
 * (netd's late word) fails its pages: the lost connection's server may
 * still perform it, late, over whatever is written to its slots
 * afterwards, so they are retired, never used again (bounded by the
 * writes in flight at each loss); a page whose bytes never left netd
 * cannot land, and its slot is let go (nbd_late.h). While netd rides
 * out an outage with the writes held, the device says it is stalled
 * until the time netd will have given up by, which netd publishes; a
 * thread that waits for a write (or its flush) holding the pager lock (a
 * direct reclaim) while netd says so (past that time too, netd not yet
 * given up) stops waiting and leaves it in flight, to be
 * collected later (nbd_collect), rather than hold every pager thread until
 * the outage ends (netd wakes the waiters of its requests as one begins). Each
 * page written gets a checksum (sums.h), kept by slot from its write's
 * successful answer and compared when it is read back: a server restored
 * from a copy of the export made after setup gives back older pages under
 * the same swap header, and such a page fails its read instead of being
 * mapped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/clock.h"
#include "base/threads.h"
#include "base/vmstat.h"
#include "drivers/net_protocol.h"
#include "swap/blk_backend.h"
#include "swap/blk_link.h"
#include "swap/nbd_backend.h"
#include "swap/nbd_late.h"
#include "swap/sums.h"
#include "sys.h"
#include "vm/frames.h"

static struct nbd_driver drv;
static struct blk_link link;
/* netd's swap_lost_writes when each thread's write batch began (by
 * io_client): a connection lost since with writes answered and not yet
 * flushed may have taken some of the batch's with it. */
static uint32_t lost_before[PAGER_IO_CLIENTS];
/* The page list stays the pager's: netd sees the frames in its window. */
static uint64_t list[BLK_LIST_ENTRIES];

/* How long one write netd has sent may go unanswered before the device is
 * called stopped (backend.h's write_bound_ns): netd drops a connection on
 * which a request went unanswered NET_SWAP_ANSWER_NS, at a tick of its
 * loop, and with the write waiting an outage begins then, which the
 * device says (stalled: netd publishes its end) and whose budget bounds
 * reclaim's waits from then on, uncounted (kswapd_throttle_again). Not
 * the disk's BLK_OVERDUE_NS (60 s), the bound of the disk link's own
 * waits, which this link does not make (netd bounds them): borrowed, it
 * let a request make three times the counted waits a silent server can
 * cost before netd drops its connection. */
#define WRITE_BOUND_NS (NET_SWAP_ANSWER_NS + NET_TICK_NS)

/* A page's result when it was read back with another checksum than its
 * write's: the device's verdict on that page, as a media error would be
 * (swap_err_from_device): the read fails, its frame is not mapped. */
#define READ_SUM_MISMATCH (-EBADMSG)

/* Every slot's checksum (4 bytes a slot of the swap area, made at start),
 * while the device is there: once it is gone for good nothing is written
 * to it or read from it again, so the table is freed (by sums_put).
 * Transfers use it without the pager lock (the writer, a fault's read), so
 * it is counted: one reference for the device from start until it is seen
 * gone (sums_gone), and one for each transfer using it (sums_get), the
 * last one freeing it. */
static struct swap_sums sums;
static uint32_t sums_refs;
static int sums_device_ref;	/* 1 while the device's reference is held */
static int sum_said;	/* the first mismatch is said, the rest counted */
/* Flushes failed in a row for a loss since their batch began: said at the
 * first, not at each batch while the link flaps. */
static int flush_lost_run;
/* A flush call netd refused is said once (flush_refused). */
static int flush_refusal_said;

/* netd has given the server up for good (its word, written once). */
static int netd_gave_up(void)
{
	return drv.shared->swap_gone != 0;
}

/* netd rides out an outage now (swap_outage_until: the time by which it
 * will have given the server up; 0 outside one). */
static int netd_in_outage(void)
{
	return drv.shared->swap_outage_until != 0;
}

static void sums_put(void)
{
	if (__atomic_sub_fetch(&sums_refs, 1, __ATOMIC_ACQ_REL) == 0)
		swap_sums_fini(&sums);
}

/* The device is gone for good (netd gave the server up, or netd ended):
 * its reference goes, once, whoever sees it first. */
static void sums_gone(void)
{
	if (__atomic_exchange_n(&sums_device_ref, 0, __ATOMIC_ACQ_REL))
		sums_put();
}

/* The table for one transfer (sums_put after it), or NULL if there is
 * none: not made yet (the header's read, before start), or the device
 * gone. A reference is taken only while some other one is held, so the
 * table is never taken after its last reference went. */
static struct swap_sums *sums_get(void)
{
	uint32_t n = __atomic_load_n(&sums_refs, __ATOMIC_ACQUIRE);

	if (netd_gave_up()) {
		sums_gone();
		return NULL;
	}
	do {
		if (n == 0)
			return NULL;
	} while (!__atomic_compare_exchange_n(&sums_refs, &n, n + 1, 1, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return &sums;
}

/* Each I/O client's requests left in flight (leave_in_outage), and whether
 * its flush (under its first tag) is. */
static struct blk_left left[PAGER_IO_CLIENTS];
static int flush_left[PAGER_IO_CLIENTS];

/* netd may read (a write) or fill (a read) r's frames until unmap. */
static int map_window(const struct blk_link *l, const struct blk_request *r)
{
	struct map_entry e[NET_MAX_PAGES];

	if (r->npages > NET_MAX_PAGES)
		return -EINVAL;
	for (uint32_t i = 0; i < r->npages; i++)
		e[i] = (struct map_entry){ net_window_va(r->tag) + (uint64_t)i * BLK_PAGE_SIZE,
					   l->list[r->list + i], r->write ? MAP_R : MAP_R | MAP_W };
	drv.shared->late[r->tag] = 0;	/* netd sets it at the completion */
	return sys_map(drv.proc, e, r->npages) < 0 ? -ENOMEM : 0;
}

/* After r's result is read (or its call failed: then netd never saw it,
 * and its late word is still map_window's 0). */
static void unmap_window(const struct blk_link *l, const struct blk_request *r)
{
	(void)l;
	sys_unmap(drv.proc, net_window_va(r->tag), r->npages);
	if (r->write)
		nbd_late_note(blk_client_of(r->tag), (uint32_t)(r->sector / BLK_SECTORS_PER_PAGE),
			      r->npages, drv.shared->late[r->tag]);
}

/* As for the disk, but the device is gone for good when netd says so. */
static int transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	if (netd_gave_up())
		return -ENXIO;
	return blk_transfer(&link, t, write, p, n, done);
}

/* The pages read back whose checksum is not their write's fail: the
 * server gave other data for them (netd checks that the export is the same
 * disk and not a copy from before setup, which a copy made later passes).
 * Not a page whose slot's checksum changed while the read was out
 * (before[k] was it): its
 * slot was freed and written again meanwhile (an exit let it go under a
 * read ahead), so the read holds the older page, stale for the engine too,
 * which drops it (its frame no longer tied to the slot). */
static void check_sums(const struct swap_sums *s, const struct swap_req *p, unsigned n,
		       const uint32_t *before, struct swap_done *done)
{
	for (unsigned k = 0; k < n; k++) {
		if (done->err[k] != 0 || swap_sums_of(s, p[k].slot) != before[k] ||
		    swap_sums_check(s, p[k].slot, frame_ptr(p[k].pa)) == 0)
			continue;
		done->err[k] = READ_SUM_MISMATCH;
		vmstat_count_unlocked(VMSTAT_SWAP_SUM_MISMATCHES, 1);
		if (__atomic_exchange_n(&sum_said, 1, __ATOMIC_RELAXED) == 0)
			printf("pager: swap: slot %u read back from the NBD export with a checksum "
			       "that does not match what was written: the server returned other data "
			       "(restored from an older copy?); the read fails, its page is not used "
			       "(said once; vmstat's swap_sum_mismatches counts them)\n",
			       p[k].slot);
	}
}

static int nbd_read(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		    struct swap_done *done)
{
	uint32_t before[SWAP_IO_MAX];
	struct swap_sums *s = sums_get();
	int r;

	(void)ctx;
	for (unsigned k = 0; k < n; k++)
		before[k] = s ? swap_sums_of(s, p[k].slot) : 0;
	r = transfer(t, 0, p, n, done);	/* -ENXIO, the device gone */
	if (s && r == 0)
		check_sums(s, p, n, before, done);
	if (s)
		sums_put();
	return r;
}

/* The pages whose write was answered with success, and not failed since
 * (nbd_late_settle): their slots hold them from now on. Hashed now, after
 * the answer. A frame may change while written (a program's write to it
 * gets write permission back and makes the write-out stale, vm/fault.c):
 * then this checksum is not of the bytes sent, but the engine finds the
 * page not clean and releases the slot, never reading it back, and the
 * slot's next write replaces the checksum; nothing else trusts it
 * (nbd_late.c gives no slot back on checksums). A page kept clean was
 * not written to since it was mapped read-only for the write: its bytes
 * are the ones sent. */
static void keep_sums(struct swap_sums *s, const struct swap_req *p, unsigned n,
		      const struct swap_done *done)
{
	for (unsigned k = 0; k < n; k++)
		if (done->err[k] == 0)
			swap_sums_keep(s, p[k].slot, frame_ptr(p[k].pa));
}

/* Whether a write's pages include one left in flight (leave_in_outage). */
static int any_left(const struct swap_done *done, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (done->err[k] == SWAP_ERR_LEFT)
			return 1;
	return 0;
}

static int nbd_write(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done)
{
	struct swap_sums *s = sums_get();
	int r;

	(void)ctx;
	lost_before[t->io_client] = drv.shared->swap_lost_writes;
	nbd_late_begin(t->io_client, p, n);
	/* Unknown from the moment the write may land until it is answered:
	 * a write that fails, or is lost, leaves no checksum to match. */
	for (unsigned k = 0; s && k < n; k++)
		swap_sums_forget(s, p[k].slot);
	r = transfer(t, 1, p, n, done);	/* -ENXIO, the device gone */
	if (r == 0) {
		nbd_late_settle(t->io_client, p, n, done);
		/* Left in flight: no flush will vouch for what was answered. */
		if (s && !any_left(done, n))
			keep_sums(s, p, n, done);
	}
	if (s)
		sums_put();
	return r;
}

/* A flush call netd refused (its answer to the call, not the server's to
 * a flush: a tag still in flight, one not submitted, the export not taken
 * yet): nothing was sent, so nothing is learnt of the device's flushes,
 * as for a write whose call was refused (blk_link.c's result_of). The
 * batch is kept as unsent, its slots let go, and it is not taken for the
 * device's flush failing. Not a server without flush (-ENOTSUP), the
 * server given up (-ENXIO) or netd ended (-EPIPE): flush says those. An
 * ended netd is always -EPIPE, never another code taken here for a
 * refusal: the pager keeps only the right to send (driver.c), so netd
 * held the endpoint's last receiver, and the kernel fails every call to
 * an endpoint with none left with -ERR_PIPE, a call made after
 * (ipc.c's do_send), one queued (endpoint_orphaned) or one netd took and
 * never answered (delivery_release_caller). */
static int flush_refused(int r)
{
	if (!__atomic_exchange_n(&flush_refusal_said, 1, __ATOMIC_RELAXED))
		printf("pager: swap: netd refused the flush call (%d): nothing was sent; the batch "
		       "is kept in memory, to be written again (said once)\n", r);
	return SWAP_ERR_UNSENT;
}

/* The engine calls this once a write batch has completed: NBD_CMD_FLUSH,
 * so the server has the pages on stable storage before their frames are
 * given away (a server that restarts would otherwise lose them). A flush
 * answered on a new connection does not vouch for writes answered on one
 * lost before it was flushed: if netd lost such a connection since the
 * batch began, the flush fails (whoever's writes they were: netd does not
 * know the batches), and the batch's pages stay in memory. */
static int flush(struct pager_thread *t)
{
	uint32_t tag = blk_tag_of(t->io_client, 0);	/* the batch's tags are free */
	struct msg m = { .label = NET_SWAP_FLUSH, .handle = -1 };
	int r;

	if (netd_gave_up())
		return -ENXIO;
	drv.shared->slot[tag].state = BLK_SUBMITTED;
	m.w[0] = tag;
	m.w[1] = t->io_client;
	r = sys_call(drv.ep, &m);
	r = r < 0 ? r : (int)(int64_t)m.label;
	if (r != 0)
		drv.shared->slot[tag].state = BLK_FREE;
	if (r != 0 && r != -ENOTSUP && r != -ENXIO && r != -EPIPE)
		return flush_refused(r);
	if (r == 0)
		r = blk_wait_tag(&link, t, tag, 1);
	if (r == SWAP_ERR_LEFT) {	/* leave_in_outage */
		flush_left[t->io_client] = 1;
		return r;
	}
	/* The slots are not bad, only the connection was lost: the pages
	 * stay in memory and their slots are let go, as for writes never
	 * sent (retiring them would lose good slots at every flap). A server
	 * with no flush (-ENOTSUP) vouches for nothing after a loss either. */
	if ((r == 0 || r == -ENOTSUP) &&
	    drv.shared->swap_lost_writes != lost_before[t->io_client]) {
		if (!__atomic_exchange_n(&flush_lost_run, 1, __ATOMIC_RELAXED))
			printf("pager: swap: the NBD connection was lost before its writes were "
			       "flushed; the batch is kept in memory (and each after it so, until "
			       "one is flushed)\n");
		return SWAP_ERR_UNSENT;
	}
	if (r == 0 || r == -ENOTSUP)
		__atomic_store_n(&flush_lost_run, 0, __ATOMIC_RELAXED);
	if (r == -EPIPE)
		return -ENXIO;	/* netd ended: the device is gone, not failing */
	return r == -ENOTSUP ? 0 : r;	/* no flush: writes are done when answered */
}

/* flush, and what the batch's slots hold is forgotten unless it vouched:
 * nbd_late.h's rule leans on each checksum kept being what its slot holds. */
static int nbd_flush(void *ctx, struct pager_thread *t)
{
	struct swap_sums *s = sums_get();
	int r = flush(t);

	(void)ctx;
	if (r != 0 && s)
		nbd_late_unvouched(t->io_client, s);
	if (s)
		sums_put();
	return r;
}

static uint64_t nbd_size(void *ctx, int *read_only)
{
	(void)ctx;
	*read_only = drv.read_only;
	return drv.sectors * BLK_SECTOR;
}

/* Whoever sees the device gone first lets its checksums go. */
static int nbd_gone(void *ctx)
{
	(void)ctx;
	if (!netd_gave_up())
		return 0;
	sums_gone();
	return 1;
}

/* netd's pool is down in its reserve (it writes the state after every
 * event): direct reclaimers should wait (seed 002). */
static int nbd_congested(void *ctx)
{
	(void)ctx;
	return drv.shared->pool_free <= drv.shared->pool_reserve;
}

/* netd rides out an outage with the writes held (swap_outage_until):
 * they come back when the server does, or fail when netd gives up, by
 * the time it publishes. Until then only, on the pager's own clock: a
 * netd that stops publishing (stuck, ended) holds reclaim no longer. */
static int nbd_stalled(void *ctx)
{
	int64_t until = drv.shared->swap_outage_until;

	(void)ctx;
	return until != 0 && pager_clock() < until;
}

/* netd's word on when its latest outage ended, the server back (on the
 * pager's clock, as swap_outage_until). */
static int64_t nbd_outage_ended(void *ctx)
{
	(void)ctx;
	return drv.shared->swap_outage_ended;
}

/* A write (or its flush) t waits for is left in flight when t holds the
 * pager lock and netd rides out an outage: its answer comes only at the
 * outage's end (swap.nbd_outage, and ~28 s more), and meanwhile every
 * pager thread would wait for the lock, the thread deaths come to too.
 * While netd says it rides one out, not only until its bound: past the
 * bound the device is no longer stalled, so direct reclaim writes again
 * (and waits for a write it left), but netd, late to give up, still holds
 * the write, and no signal comes for it (netd tells the waiters as an
 * outage begins). Leaving costs a batch written again later; netd stuck
 * with its word set costs each thread one batch, not the lock for ever. */
static int leave_in_outage(const struct blk_link *l, struct pager_thread *t)
{
	(void)l;
	return t == pager_holder() && t->io_client < PAGER_IO_CLIENTS && netd_in_outage();
}

/* t's write or flush left in flight: the flush waited for (what it says
 * is not used: the engine vouches for none of a batch left), or the
 * write's requests collected, their pages' results in done, those whose
 * request went out on a lost connection failed as late. */
static int nbd_collect(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		       struct swap_done *done, int wait)
{
	unsigned c = t->io_client;
	uint32_t tag = blk_tag_of(c, 0);

	(void)ctx;
	if (flush_left[c]) {
		if (!wait && !blk_tag_over(&link, tag))
			return 0;
		if (blk_wait_tag(&link, t, tag, 1) == SWAP_ERR_LEFT)
			return 0;
		flush_left[c] = 0;
		return 1;
	}
	if (!blk_collect(&link, t, p, n, done, wait))
		return 0;
	nbd_late_settle(c, p, n, done);
	return 1;
}

/* netd has ended: its requests fail (netd's window went with it). */
static void nbd_ended(void *ctx)
{
	(void)ctx;
	blk_link_end(&link);
	sums_gone();
}

/* The area is taken (setup.c): its checksums, then netd told that the
 * export is the pager's swap (NET_SWAP_START): netd writes nothing to it
 * before (its generation stamp, swap_stamp.h, goes out then). */
static int nbd_start(void *ctx, uint32_t last)
{
	struct msg m = { .label = NET_SWAP_START, .handle = -1 };
	int r;

	(void)ctx;
	if (last == UINT32_MAX || swap_sums_init(&sums, last + 1) < 0)
		return -ENOMEM;
	r = sys_call(drv.ep, &m);
	r = r < 0 ? r : (int)(int64_t)m.label;
	if (r < 0) {
		swap_sums_fini(&sums);
		return r;
	}
	sums_refs = 1;	/* the device's, until it is gone (or fini) */
	sums_device_ref = 1;
	nbd_late_start(last + 1);
	return r;
}

static const struct swap_backend_ops ops = {
	.size = nbd_size,
	.read = nbd_read,
	.write = nbd_write,
	.flush = nbd_flush,
	.gone = nbd_gone,
	.ended = nbd_ended,
	.congested = nbd_congested,
	.stalled = nbd_stalled,
	.start = nbd_start,
	.collect = nbd_collect,
	.outage_ended = nbd_outage_ended,
};

void nbd_backend_init(struct swap_backend *b, const struct nbd_driver *d)
{
	sum_said = 0;
	flush_lost_run = 0;
	drv = *d;
	link = (struct blk_link){ .ep = d->ep, .status = d->shared->slot, .list = list,
				  .max_pages = NET_MAX_PAGES, .prepare = map_window,
				  .release = unmap_window, .leave = leave_in_outage, .left = left };
	memset(left, 0, sizeof(left));
	memset(flush_left, 0, sizeof(flush_left));
	/* Whole, as blk_backend_init's: no field left as the caller's stack
	 * had it. The link has no overdue hook (netd bounds its waits, and
	 * its bound is the device's: WRITE_BOUND_NS); an outage, which holds
	 * writes longer, is bounded by its budget instead (stalled), and
	 * netd gives the server up at most NET_SWAP_GIVE_UP_LATE_NS after
	 * it has run out. */
	*b = (struct swap_backend){ .ops = &ops, .request_pages = NET_MAX_PAGES,
				    .slot_bytes = sizeof(*sums.sum),
				    .write_bound_ns = WRITE_BOUND_NS,
				    .give_up_ns = d->outage_ns + NET_SWAP_GIVE_UP_LATE_NS };
	snprintf(b->where, sizeof(b->where), "the NBD export at %u.%u.%u.%u:%u", d->addr >> 24,
		 (d->addr >> 16) & 255, (d->addr >> 8) & 255, d->addr & 255, d->port);
}

void nbd_backend_fini(void)
{
	sums_gone();
}
