/*
 * The swap engine's shared state: the device in use, its slots, whether
 * swap is on (set last, with the VM core plugged in: swap_on is the one
 * answer) and the hooks reclaim lent; moving a batch of pages through the
 * device; the slot operations the VM core calls; the swap levels vmstat
 * reports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "swap/internal.h"
#include "swap/slots.h"
#include "swap/swap.h"

static struct swap_backend dev;		/* the device in use */
static struct swap_slots *slots;	/* its slots, once swap is on */
static int on;
static int starting;	/* swap_start is reading the header: dev is set */
static int ended;	/* the device's driver ended (swap_device_ended) */
static const struct swap_reclaim_hooks *hooks;
/* By I/O client: its thread left a write in flight (SWAP_ERR_LEFT), not
 * yet collected. Each entry is its own thread's alone. */
static uint8_t left_of[PAGER_IO_CLIENTS];

int swap_on(void)
{
	return on;
}

static uint64_t slots_total(void)
{
	return swap_slots_total(slots);
}

static uint64_t slots_free(void)
{
	return swap_slots_free(slots);
}

static uint64_t slots_bad(void)
{
	return swap_slots_bad(slots);
}

static uint64_t gone(void)
{
	return (uint64_t)swap_device_gone();
}

void swap_engine_begin(const struct swap_backend *backend)
{
	dev = *backend;
	__atomic_store_n(&ended, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&starting, 1, __ATOMIC_RELEASE);
}

int swap_engine_start_ended(void)
{
	return __atomic_load_n(&ended, __ATOMIC_ACQUIRE);
}

void swap_engine_set(struct swap_slots *s)
{
	slots = s;
	vmstat_gauge(VMSTAT_SWAP_SLOTS_TOTAL, slots_total);
	vmstat_gauge(VMSTAT_SWAP_SLOTS_FREE, slots_free);
	vmstat_gauge(VMSTAT_SWAP_SLOTS_BAD, slots_bad);
	vmstat_gauge(VMSTAT_SWAP_GONE, gone);
	__atomic_store_n(&on, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
}

int swap_congested(void)
{
	/* A device gone for good frees nothing by being waited for. */
	return on && dev.ops->congested && !swap_device_gone() && dev.ops->congested(dev.ctx);
}

int swap_out_stalled(void)
{
	return on && dev.ops->stalled && !swap_device_gone() && dev.ops->stalled(dev.ctx);
}

int swap_copies_usable(void)
{
	return swap_on() && !swap_device_gone();
}

int swap_device_gone(void)
{
	return on && (__atomic_load_n(&ended, __ATOMIC_ACQUIRE) ||
		      (dev.ops->gone && dev.ops->gone(dev.ctx)));
}

void swap_device_ended(void)
{
	/* While the header is read, the read must be woken as any other:
	 * swap_start then sees the end and leaves swap off. starting is
	 * read before on, the reverse of swap_engine_set's stores (on, then
	 * starting cleared): a start that completes between the two reads
	 * is seen as on, never as neither. */
	if (!__atomic_load_n(&starting, __ATOMIC_ACQUIRE) && !__atomic_load_n(&on, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&ended, 1, __ATOMIC_RELEASE);
	if (dev.ops->ended)
		dev.ops->ended(dev.ctx);
}

uint32_t swap_request_pages(void)
{
	if (!on)
		return 0;
	return dev.request_pages && dev.request_pages < SWAP_IO_MAX ? dev.request_pages : SWAP_IO_MAX;
}

int64_t swap_write_bound_ns(void)
{
	return dev.write_bound_ns;
}

const char *swap_engine_where(void)
{
	return dev.where;
}

void swap_engine_off(void)
{
	on = 0;
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
	ended = 0;
	memset(left_of, 0, sizeof(left_of));
	swap_slots_destroy(slots);
	slots = NULL;
}

struct swap_slots *swap_engine_slots(void)
{
	return slots;
}

void swap_set_reclaim_hooks(const struct swap_reclaim_hooks *h)
{
	hooks = h;
}

const struct swap_reclaim_hooks *swap_engine_hooks(void)
{
	return hooks;
}

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
	int was = __atomic_exchange_n(&flush_failing, r < 0, __ATOMIC_RELAXED);

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
	r = (write ? dev.ops->write : dev.ops->read)(dev.ctx, t, p, n, &done);
	if (r < 0 && r != -ENXIO)
		r = SWAP_ERR_UNSENT;	/* nothing reached the device */
	/* Left in flight: no flush, which would wait for the same outage;
	 * the pages written are not vouched for (their batch is not: out.c). */
	if (r == 0 && write && any_left(&done, n))
		flushed = SWAP_ERR_LEFT;
	else if (r == 0 && write && dev.ops->flush &&
		 (flushed = dev.ops->flush(dev.ctx, t)) != SWAP_ERR_LEFT)
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
	struct swap_done done;

	if (!swap_transfer_left(t))
		return 1;
	for (unsigned k = 0; k < n; k++)
		done.err[k] = SWAP_ERR_UNSENT;
	if (!dev.ops->collect(dev.ctx, t, p, n, &done, wait))
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

void swap_slot_ref(void *ctx, uint32_t slot)
{
	(void)ctx;
	swap_slot_dup(slots, slot);
}

int swap_slot_release(uint32_t slot)
{
	int left = swap_slot_put(slots, slot);

	if (left == 0)
		swap_history_forget(slot);
	return left;
}

int swap_slot_unref(void *ctx, uint32_t slot)
{
	(void)ctx;
	return swap_slot_release(slot);
}

uint32_t swap_slot_count(void *ctx, uint32_t slot)
{
	int n = swap_slot_refs(slots, slot);

	(void)ctx;
	return n > 0 ? (uint32_t)n : 0;
}

/* A page read back keeps its slot while it stays clean only while half the
 * slots or more are free: past that, slots are for pages that must be
 * written (Linux gives swap cache up the same way once swap is half full). */
int swap_keep_copies(void *ctx)
{
	(void)ctx;
	return swap_slots_free(slots) * 2 >= swap_slots_total(slots);
}
