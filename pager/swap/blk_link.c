/*
 * Block requests to a driver (blk_link.h): frames put in the calling
 * thread's range of the page list, requests tagged from its own range so
 * that its completions are its own, sent as many per message as fit, in
 * waves of as many as it has tags, waited for in the status page.
 */
#include <errno.h>
#include <string.h>
#include "base/clock.h"
#include "base/threads.h"
#include "swap/blk_link.h"
#include "swap/blk_merge.h"
#include "sys.h"

/* The swap-out thread's tags, then each other I/O client's batch. A batch
 * of scattered slots is a request per page: a transfer with more requests
 * than its thread has tags goes in waves. The writer's transfers are one
 * wave (a transfer is SWAP_IO_MAX requests at most); the others' go in
 * waves of BLK_BATCH_TAGS (blk_link.h). */
#define WRITER_TAGS ((uint32_t)SWAP_IO_MAX)
#define PER_MSG (MSG_DATA_MAX / sizeof(struct blk_request))
_Static_assert(WRITER_TAGS + BLK_BATCH_TAGS * (PAGER_IO_CLIENTS - 1) <= BLK_TAGS, "tags");
_Static_assert(PAGER_IO_CLIENTS <= BLK_DONE_NOTES, "a completion notification each");
_Static_assert(PAGER_IO_CLIENTS * SWAP_IO_MAX <= BLK_LIST_ENTRIES, "a page list range each");

static int link_ended(const struct blk_link *l)
{
	return __atomic_load_n(&l->ended, __ATOMIC_ACQUIRE);
}

uint32_t blk_tag_of(unsigned client, uint32_t i)
{
	return client == IO_SWAPOUT ? i : WRITER_TAGS + (client - IO_SWAPIN) * BLK_BATCH_TAGS + i;
}

unsigned blk_client_of(uint32_t tag)
{
	return tag < WRITER_TAGS ? IO_SWAPOUT : IO_SWAPIN + (tag - WRITER_TAGS) / BLK_BATCH_TAGS;
}

static uint32_t tags_of(unsigned client)
{
	return client == IO_SWAPOUT ? WRITER_TAGS : BLK_BATCH_TAGS;
}

/* reqs[0..n) into m: one in its words (BLK_SUBMIT_ONE, which the register
 * form carries: the kernel copies no data in or out), more as data. */
static void put_requests(struct msg *m, const struct blk_request *reqs, uint32_t n)
{
	if (n == 1) {
		m->label = BLK_SUBMIT_ONE;
		memcpy(m->w, reqs, sizeof(*reqs));
		return;
	}
	m->label = BLK_SUBMIT;
	m->len = (uint32_t)(n * sizeof(*reqs));
	memcpy(m->data, reqs, m->len);
}

/* Submit n requests for t (each names t's notification). 0, or -errno and
 * none submitted (nor left prepared). Needs no pager lock. */
static int submit(const struct blk_link *l, struct pager_thread *t, struct blk_request *reqs,
		  uint32_t n)
{
	struct msg m;	/* on the caller's stack: two threads may submit at once */
	uint32_t ready = 0;
	int r = 0;

	for (; ready < n && r == 0; ready++) {
		reqs[ready].notify = t->io_client;
		l->status[reqs[ready].tag].state = BLK_SUBMITTED;
		r = l->prepare ? l->prepare(l, &reqs[ready]) : 0;
	}
	if (r == 0) {
		/* The header zeroed, not all of m: the kernel copies the
		 * header and len bytes of data, and zeroing the rest was a
		 * 592-byte memset a request message. */
		memset(&m, 0, MSG_HEADER_SIZE);
		m.handle = -1;
		put_requests(&m, reqs, n);
		/* The page list and states before the driver can see the requests. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		r = sys_call(l->ep, &m);
		r = r < 0 ? r : (int64_t)m.label < 0 ? (int)(int64_t)m.label : 0;
		if (r == 0 && l->sent)
			l->sent(l, reqs, n);
	}
	if (r < 0)
		for (uint32_t i = 0; i < ready; i++) {
			if (l->release)		/* the failed one too: harmless */
				l->release(l, &reqs[i]);
			l->status[reqs[i].tag].state = BLK_FREE;
		}
	return r;
}

/* Whether tag's wait is over: its result is in, or the driver has ended
 * (blk_link_end, which wakes every waiter, sets ended first). Not the
 * state alone: it is on a page the driver writes, and a driver that wrote
 * anything else there before it ended would hold its waiter for ever,
 * perhaps with the pager lock (direct reclaim). */
static int wait_over(const struct blk_link *l, uint32_t tag)
{
	return l->status[tag].state == BLK_DONE || link_ended(l);
}

int blk_tag_over(const struct blk_link *l, uint32_t tag)
{
	return wait_over(l, tag);
}

/* Whether t stops waiting for tag: it is over, or t leaves it in flight
 * (leave: a write or a flush, and l's hook says t should not wait). */
static int stop_waiting(const struct blk_link *l, struct pager_thread *t, uint32_t tag, int leave)
{
	return wait_over(l, tag) || (leave && l->leave && l->leave(l, t));
}

/* Wait for tag's result on t's disk notification; once the deadline
 * passes (t's timer, TB_TIMER as every bounded wait of t's: t waits for
 * one thing at a time) the driver is ended. The timer is armed only for a
 * wait that blocks, and disarmed after it; a bit that fired as it was
 * disarmed is forgotten, or it would end t's next bounded wait at once.
 * The disarm says whether the timer was still armed (then no bit can
 * come, and none is looked for: a system call a wait saved) or had fired. */
static void wait_bounded(const struct blk_link *l, struct pager_thread *t, uint32_t tag,
			 int leave)
{
	int64_t deadline = pager_clock() + BLK_OVERDUE_NS;
	int armed = sys_notify_timer(t->disk, deadline, TB_TIMER) == 0;

	while (!stop_waiting(l, t, tag, leave)) {
		uint64_t got = pager_thread_wait(t, t->disk, BLK_DONE_BIT | (armed ? TB_TIMER : 0));

		if (armed && (got & TB_TIMER) && pager_clock() >= deadline) {
			armed = 0;	/* fired: nothing to disarm */
			l->overdue(l);
		}
	}
	if (!armed || sys_notify_timer(t->disk, 0, TB_TIMER) == 0)
		return;
	t->pending &= ~TB_TIMER;
	if (t->disk == t->wake)	/* else the bit came on a bound notification */
		pager_thread_forget(t, TB_TIMER);
}

int blk_wait_tag(const struct blk_link *l, struct pager_thread *t, uint32_t tag, int leave)
{
	int r;

	if (!stop_waiting(l, t, tag, leave) && l->overdue)
		wait_bounded(l, t, tag, leave);
	while (!stop_waiting(l, t, tag, leave))
		pager_thread_wait(t, t->disk, BLK_DONE_BIT);
	if (!wait_over(l, tag))
		return SWAP_ERR_LEFT;	/* the driver's still: its tag stays taken */
	/* The error after the state: the driver (or blk_link_end) wrote it
	 * first and released both with the state. Ended with another state
	 * there: as blk_link_end fails a request. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r = l->status[tag].state == BLK_DONE ? l->status[tag].error : -ENXIO;
	l->status[tag].state = BLK_FREE;
	return r;
}

void blk_link_end(struct blk_link *l)
{
	int notes[PAGER_IO_CLIENTS];

	__atomic_store_n(&l->ended, 1, __ATOMIC_SEQ_CST);
	for (uint32_t tag = 0; tag < BLK_TAGS; tag++) {
		if (l->status[tag].state != BLK_SUBMITTED)
			continue;
		l->status[tag].error = -ENXIO;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		l->status[tag].state = BLK_DONE;
	}
	pager_thread_io_notes(notes);
	for (unsigned c = 0; c < PAGER_IO_CLIENTS; c++)
		if (notes[c] >= 0)
			sys_notify_signal(notes[c], BLK_DONE_BIT);
}

/* What is known of a request the driver ended with, or whose call failed
 * because the driver ended (-EPIPE: it may have taken the call first, and
 * given the device the request): -ENXIO, but a read on a DMA device may
 * still be filled, so its frames are stuck. */
static int ended_result(const struct blk_link *l, const struct blk_request *r)
{
	return l->dma && !r->write ? SWAP_ERR_STUCK : -ENXIO;
}

static int wait_done(const struct blk_link *l, struct pager_thread *t, const struct blk_request *r,
		     int leave)
{
	int err = blk_wait_tag(l, t, r->tag, leave);

	if (err != SWAP_ERR_LEFT && l->release)
		l->release(l, r);
	return err;
}

/* Request r's result, from its call's (sent: 0, or -errno) and, if that
 * went, from its status (-ENXIO from blk_link_end if the driver ended). A
 * call that failed otherwise (no memory to map its frames, the driver
 * refused it) never reached the device: SWAP_ERR_UNSENT, not a media
 * error. */
static int result_of(const struct blk_link *l, struct pager_thread *t, const struct blk_request *r,
		     int sent, int leave)
{
	int err;

	if (sent < 0)
		return sent == -EPIPE || link_ended(l) ? ended_result(l, r) : SWAP_ERR_UNSENT;
	err = wait_done(l, t, r, leave);
	return err == -ENXIO && link_ended(l) ? ended_result(l, r) : err;
}

/* Whether t may leave the requests req[0..n) of its wave in flight: writes,
 * with room for them all in t's store, which holds nothing (what it held
 * was collected before this transfer: backend.h). */
static int may_leave(const struct blk_link *l, struct pager_thread *t,
		     const struct blk_request *req, uint32_t n)
{
	return req[0].write && l->leave && l->left && t->io_client < PAGER_IO_CLIENTS &&
	       n <= BLK_BATCH_TAGS && l->left[t->io_client].n == 0;
}

/* Requests req[0..n) (n <= t's tags) tagged, sent a message's worth at a
 * time, then all waited for; each one's result in err. 1 if t left them
 * in flight: from the one whose wait it left on, those sent are kept in
 * t's store, their results SWAP_ERR_LEFT. */
static int send_wave(const struct blk_link *l, struct pager_thread *t, struct blk_request *req,
		     uint32_t n, int *err)
{
	int sent[SWAP_IO_MAX];
	int leave = may_leave(l, t, req, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		req[i].tag = blk_tag_of(t->io_client, i);
	for (i = 0; i < n; i += PER_MSG) {
		uint32_t m = n - i < PER_MSG ? n - i : (uint32_t)PER_MSG;
		int r = submit(l, t, &req[i], m);

		for (uint32_t j = 0; j < m; j++)
			sent[i + j] = r;
	}
	for (i = 0; i < n; i++)
		if ((err[i] = result_of(l, t, &req[i], sent[i], leave)) == SWAP_ERR_LEFT)
			break;
	if (i == n)
		return 0;
	for (struct blk_left *lf = &l->left[t->io_client]; i < n; i++) {
		if (sent[i] < 0) {	/* never sent: nothing to wait for */
			err[i] = result_of(l, t, &req[i], sent[i], 0);
			continue;
		}
		lf->req[lf->n++] = req[i];
		err[i] = SWAP_ERR_LEFT;
	}
	return 1;
}

int blk_transfer(const struct blk_link *l, struct pager_thread *t, int write,
		 const struct swap_req *p, unsigned n, struct swap_done *done)
{
	struct blk_request req[SWAP_IO_MAX];
	int err[SWAP_IO_MAX];
	uint32_t base = t->io_client * SWAP_IO_MAX;
	uint32_t nreq = swap_merge(p, n, write, l->max_pages, req, SWAP_IO_MAX, NULL);
	uint64_t *list = &l->list[base];	/* t's range of the page list */
	int *page_err = done->err;

	if (link_ended(l))
		return -ENXIO;	/* nothing is sent to a driver that has ended */
	for (unsigned i = 0; i < n; i++)
		list[i] = p[i].pa;
	for (uint32_t i = 0; i < nreq; i++)
		req[i].list += base;
	for (uint32_t i = 0, w, left = 0; i < nreq; i += w) {
		w = nreq - i < tags_of(t->io_client) ? nreq - i : tags_of(t->io_client);
		if (!left) {
			left = (uint32_t)send_wave(l, t, &req[i], w, &err[i]);
			continue;
		}
		for (uint32_t j = i; j < i + w; j++)	/* left: the rest is not sent */
			err[j] = SWAP_ERR_UNSENT;
	}
	/* Each page its request's result: the requests take all n pages (a
	 * page each at worst, n <= SWAP_IO_MAX), so every result is set, as
	 * backend.h asks. */
	for (uint32_t i = 0; i < nreq; i++)
		for (uint32_t j = 0; j < req[i].npages; j++)
			*page_err++ = err[i];
	done->requests = nreq;
	return 0;
}

/* Request r's result err to each page of p[0..n) it carries (by slot). */
static void pages_result(const struct blk_request *r, const struct swap_req *p, unsigned n,
			 struct swap_done *done, int err)
{
	uint32_t first = (uint32_t)(r->sector / BLK_SECTORS_PER_PAGE);

	for (unsigned k = 0; k < n; k++)
		if (p[k].slot - first < r->npages)
			done->err[k] = err;
}

int blk_collect(const struct blk_link *l, struct pager_thread *t, const struct swap_req *p,
		unsigned n, struct swap_done *done, int wait)
{
	struct blk_left *lf = &l->left[t->io_client];
	uint32_t kept = 0;

	for (uint32_t i = 0; i < lf->n; i++) {
		const struct blk_request r = lf->req[i];
		int err = wait || wait_over(l, r.tag) ? result_of(l, t, &r, 0, 1) : SWAP_ERR_LEFT;

		if (err == SWAP_ERR_LEFT) {
			lf->req[kept++] = r;
			wait = 0;	/* left again: the others are only looked at */
			continue;
		}
		pages_result(&r, p, n, done, err);
	}
	lf->n = kept;
	return kept == 0;
}
