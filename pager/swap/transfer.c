/*
 * Moving a batch of pages through the swap device (swap.c's): one call to
 * its backend, the flush that vouches for a write, the verdicts a failed
 * flush gives its pages, and a write a thread left in flight as its device
 * stalled, until it is collected.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "swap/internal.h"

/* By I/O client: its thread left a write in flight (SWAP_ERR_LEFT), not
 * yet collected. Each entry is its own thread's alone. */
static uint8_t left_of[PAGER_IO_CLIENTS];

/* A flush's failure, as each page written before it takes it: the device
 * gone stays so; any other says nothing of the slots (a server's flush
 * fails for the whole export, or the connection was lost), so the pages
 * are only let go of their slots and written again later, as if never
 * sent (SWAP_ERR_UNSENT). Retiring a batch's slots at each failed flush
 * would fill the device with bad slots that are good. */
static int unflushed(int r)
{
	return r < 0 && r != -ENXIO ? SWAP_ERR_UNSENT : r;
}

/* A device whose flush keeps failing takes every batch and frees nothing:
 * said once when the flushes start failing (and again after one works),
 * so that the OOM kills that may follow have a cause on the console. The
 * writer and a faulting thread's direct reclaim (swap_out_now) both
 * flush, the writer with the lock let go, so the flag is exchanged
 * atomically: one of them says it. */
static int flush_failing;

int swap_flush_failing(void)
{
	return __atomic_load_n(&flush_failing, __ATOMIC_RELAXED);
}

static int flush_checked(int r)
{
	int was;

	/* Not the device's flush: the link was lost before the batch's writes
	 * were flushed, or the driver refused the flush call (backend.h; the
	 * backend says so). Its pages are kept
	 * as unsent all the same, but the next batch, on the link back, is
	 * flushed: nothing is learnt of the device's flushes, failing or
	 * working, nor said of them. */
	if (r == SWAP_ERR_UNSENT)
		return r;
	was = __atomic_exchange_n(&flush_failing, r < 0, __ATOMIC_RELAXED);
	if (r < 0 && r != -ENXIO && !was)
		printf("pager: swap: the device's flush failed (%d): written pages stay in memory, "
		       "to be written again\n", r);
	return r;
}

/* Whether a transfer's pages done->err[0..n) include one left in flight. */
static int any_left(const struct swap_done *done, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (done->err[k] == SWAP_ERR_LEFT)
			return 1;
	return 0;
}

void swap_transfer(struct pager_thread *t, int write, const struct swap_req *p, unsigned n,
		   int *err)
{
	/* No result zeroed: a backend that answers 0 has set all n
	 * (backend.h), and one that fails is not read. requests is counted
	 * either way, so it starts at 0. */
	const struct swap_backend *dev = swap_engine_device();
	struct swap_done done;
	unsigned written = 0;
	int r, flushed = 0;

	/* Its tags are the device's until what t left is collected (its
	 * owner does so first): nothing is sent meanwhile. */
	if (swap_transfer_left(t)) {
		for (unsigned k = 0; k < n; k++)
			err[k] = SWAP_ERR_UNSENT;
		return;
	}
	done.requests = 0;
	r = (write ? dev->ops->write : dev->ops->read)(dev->ctx, t, p, n, &done);
	if (r < 0 && r != -ENXIO)
		r = SWAP_ERR_UNSENT;	/* nothing reached the device */
	/* Left in flight: no flush, which would wait for the same outage;
	 * the pages written are not vouched for (their batch is not: out.c). */
	if (r == 0 && write && any_left(&done, n))
		flushed = SWAP_ERR_LEFT;
	else if (r == 0 && write && dev->ops->flush &&
		 (flushed = dev->ops->flush(dev->ctx, t)) != SWAP_ERR_LEFT)
		flushed = unflushed(flush_checked(flushed));
	if (flushed == SWAP_ERR_LEFT)
		left_of[t->io_client] = 1;
	for (unsigned k = 0; k < n; k++) {
		err[k] = r < 0 ? r : done.err[k];
		if (err[k] == 0 && flushed < 0)
			err[k] = flushed;	/* written, not known to be readable */
		written += err[k] == 0;
	}
	/* Transfers run with the lock let go (the writer, the swap-in thread,
	 * a fault's read): these counts are theirs alone, made indivisibly. */
	vmstat_count_unlocked(write ? VMSTAT_SWAP_REQUESTS_OUT : VMSTAT_SWAP_REQUESTS_IN,
			      done.requests);
	if (write)
		vmstat_count_unlocked(VMSTAT_SWAP_PAGES_OUT, written);
}

int swap_transfer_left(const struct pager_thread *t)
{
	return t->io_client < PAGER_IO_CLIENTS && left_of[t->io_client];
}

int swap_transfer_collect(struct pager_thread *t, const struct swap_req *p, unsigned n, int *err,
			  int wait)
{
	const struct swap_backend *dev = swap_engine_device();
	struct swap_done done;

	if (!swap_transfer_left(t))
		return 1;
	/* Unsent, not SWAP_ERR_LEFT: a request an earlier look collected (one
	 * that answered 0, others still out) has no result kept here, and the
	 * backend may give its pages their verdict from this one (NBD fails
	 * one that went out on a lost connection as late: nbd_late_settle, which
	 * skips SWAP_ERR_LEFT). The backend counts each such page once. */
	for (unsigned k = 0; k < n; k++)
		done.err[k] = SWAP_ERR_UNSENT;
	if (!dev->ops->collect(dev->ctx, t, p, n, &done, wait))
		return 0;
	left_of[t->io_client] = 0;
	/* Vouched for by no flush, and, failed in a request of several, not
	 * known to be its slot's failure: the page stays, its slot let go.
	 * But one that may still land (SWAP_ERR_LATE) keeps that verdict, and
	 * the device gone stays so. */
	for (unsigned k = 0; k < n; k++)
		if (err[k] == SWAP_ERR_LEFT)
			err[k] = done.err[k] == SWAP_ERR_LATE || done.err[k] == -ENXIO ?
				 done.err[k] : SWAP_ERR_UNSENT;
	return 1;
}

void swap_transfer_reset(void)
{
	memset(left_of, 0, sizeof(left_of));
	__atomic_store_n(&flush_failing, 0, __ATOMIC_RELAXED);
}
