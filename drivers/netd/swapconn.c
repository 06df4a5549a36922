/*
 * The swap connection as the pager sees it (swapconn.h): a block device
 * whose requests' frames are mapped in netd's window while they are in
 * flight and whose completions go to the shared status page. The link to
 * the server (swap_link.c) moves the bytes between the window and TCP.
 */
#include <errno.h>
#include <string.h>

#include "blk_request.h"
#include "netd_mem.h"
#include "swap_link.h"
#include "swapconn.h"
#include "sys.h"

static struct {
	uint32_t notify[BLK_TAGS];	/* by tag: the pager thread to tell */
	bool in_flight[BLK_TAGS];	/* by tag: taken, not yet done */
	struct net_shared *shared;
	uint64_t throttled;
} sc;

static uint8_t *io_data(void *ctx, uint64_t id, uint32_t off, uint32_t *run)
{
	(void)ctx;
	*run = NET_MAX_PAGES * BLK_PAGE_SIZE - off;
	return (uint8_t *)net_window_va((uint32_t)id) + off;
}

/* A write's pages that went out on a lost connection (net_shared.late's
 * word), from its nbd_late. */
static uint32_t late_word(const struct nbd_late *l)
{
	uint32_t pages = (l->out + BLK_PAGE_SIZE - 1) / BLK_PAGE_SIZE;

	return pages >= NET_MAX_PAGES ? (1u << NET_MAX_PAGES) - 1 : (1u << pages) - 1;
}

/* Tell the pager: the error (the writes lost so far, whether this one went
 * out on a lost connection) first, then the state that makes them valid. */
static void io_done(void *ctx, uint64_t id, int error)
{
	struct blk_status *st = &sc.shared->slot[id];
	struct nbd_late late;

	(void)ctx;
	sc.in_flight[id] = false;
	sc.shared->swap_lost_writes = (uint32_t)swap_link_counters()->lost_writes;
	sc.shared->late[id] = swap_link_done_late(&late) ? late_word(&late) : 0;
	st->error = error;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st->state = BLK_DONE;
	sys_notify_signal(NET_HANDLE_DONE + (int)sc.notify[id], BLK_DONE_BIT);
}

static void on_gone(void)
{
	sc.shared->swap_gone = 1;
}

/* At once, not at the next completion: a write batch that begins while
 * the link reconnects must see the loss as before it, or its flush on the
 * new connection would fail for writes that were not its own. */
static void on_lost(void)
{
	sc.shared->swap_lost_writes = (uint32_t)swap_link_counters()->lost_writes;
}

long swapconn_setup(const struct msg *in, struct msg *out, struct net_shared *shared)
{
	static const struct nbd_io pager = { NULL, io_data, io_done, NULL };

	if (swap_link_state() != SWAP_OFF || in->w[0] == 0 || in->w[0] > UINT32_MAX ||
	    in->w[1] == 0 || in->w[1] > 65535 || in->w[2] == 0 || in->w[2] > NET_SWAP_OUTAGE_MAX)
		return -EINVAL;
	sc.shared = shared;
	long err = swap_link_open((uint32_t)in->w[0], (uint16_t)in->w[1], (unsigned)in->w[2],
				  &pager, on_gone, on_lost);

	if (err < 0)
		return err;
	out->w[0] = swap_link_sectors();
	out->w[1] = swap_link_read_only();
	return 0;
}

/* NET_SWAP_START: the pager took the export; writes may go from now. */
long swapconn_start(void)
{
	return swap_link_start();
}

/* NET_SWAP_STOP: the pager did not take the export; it is let go, and
 * the status page's swap fields are as before NET_SWAP_SETUP. */
long swapconn_stop(void)
{
	long err = swap_link_stop();

	if (err < 0 || !sc.shared)
		return err;
	sc.shared->swap_gone = 0;
	sc.shared->swap_outage_until = 0;
	sc.shared->swap_outage_ended = 0;
	return 0;
}

/* Check every request before taking any: a batch is taken whole or not.
 * A write before NET_SWAP_START is refused (swap_link_submit's rule). A
 * tag in flight, or twice in the batch, is refused as virtio_blk refuses
 * it (blk_queue.c): taken, it would be done twice, the second time
 * perhaps after the pager has collected the first and used the tag again
 * (its new request then done with the old one's result). */
static long check_batch(const struct blk_request *r, int n)
{
	const struct blk_disk disk = { .capacity = swap_link_sectors(),
				       .read_only = swap_link_read_only(),
				       .shape = { .max_pages = NET_MAX_PAGES }, .list = NULL };

	for (int i = 0; i < n; i++) {
		int err = blk_request_check(&r[i], &disk);
		if (err < 0)
			return err;
		if (r[i].write && !swap_link_started())
			return -EACCES;
		if (sc.shared->slot[r[i].tag].state != BLK_SUBMITTED || sc.in_flight[r[i].tag])
			return -EBUSY;
		for (int j = 0; j < i; j++)
			if (r[j].tag == r[i].tag)
				return -EBUSY;
	}
	return 0;
}

/* Requests to a link that is not there are refused: gone for good, or
 * never set up. */
static long link_refusal(void)
{
	enum swap_state s = swap_link_state();

	return s == SWAP_GONE ? -ENXIO : s == SWAP_OFF ? -ENODEV : 0;
}

long swapconn_submit(const struct msg *in)
{
	static struct blk_request batch[BLK_SUBMIT_MAX];
	long err = link_refusal();

	if (err < 0)
		return err;
	int n = blk_submit_requests(in, batch, BLK_SUBMIT_MAX);

	if (n < 0)
		return n;
	err = check_batch(batch, n);
	if (err < 0)
		return err;
	for (int i = 0; i < n; i++) {
		sc.notify[batch[i].tag] = batch[i].notify;
		sc.in_flight[batch[i].tag] = true;
		err = swap_link_submit(batch[i].write ? NBD_CMD_WRITE : NBD_CMD_READ, batch[i].tag,
				       batch[i].sector * BLK_SECTOR, batch[i].npages * BLK_PAGE_SIZE);
		if (err < 0)	/* cannot be: tags are unique and slots as many */
			io_done(NULL, batch[i].tag, (int)err);
	}
	if (net_pool_in_reserve(&netd_pool))
		sc.throttled++;
	swap_link_push();
	return n;
}

long swapconn_flush(const struct msg *in)
{
	uint64_t tag = in->w[0];
	long err = link_refusal();

	if (err < 0)
		return err;
	if (tag >= BLK_TAGS || in->w[1] >= BLK_DONE_NOTES ||
	    sc.shared->slot[tag].state != BLK_SUBMITTED)
		return -EINVAL;
	if (sc.in_flight[tag])
		return -EBUSY;
	sc.notify[tag] = (uint32_t)in->w[1];
	sc.in_flight[tag] = true;
	err = swap_link_submit(NBD_CMD_FLUSH, tag, 0, 0);
	if (err < 0) {
		sc.in_flight[tag] = false;
		return err;
	}
	swap_link_push();
	return 0;
}

_Static_assert(BLK_DONE_NOTES <= 32, "told: a bit a notification");

void swapconn_publish_outage(struct net_shared *shared, int64_t until, int64_t ended)
{
	bool began = until != 0 && shared->swap_outage_until == 0;
	uint32_t told = 0;

	/* The end first: a pager that finds the outage over finds its end. */
	shared->swap_outage_ended = ended;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	shared->swap_outage_until = until;
	if (!began)
		return;
	/* The bound is in the page before any state is read: a waiter that
	 * is not told wrote its request's state first, and so finds the
	 * bound when it looks next, before it waits. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (uint32_t tag = 0; tag < BLK_TAGS; tag++) {
		uint32_t c = sc.notify[tag];

		if (shared->slot[tag].state != BLK_SUBMITTED || c >= BLK_DONE_NOTES ||
		    (told & 1u << c))
			continue;
		told |= 1u << c;
		sys_notify_signal(NET_HANDLE_DONE + (int)c, BLK_DONE_BIT);
	}
}

void swapconn_counters(struct net_stats *s)
{
	const struct nbd_counters *c = swap_link_counters();

	s->nbd_requests = c->submitted;
	s->nbd_errors = c->errors;
	s->nbd_reconnects = c->reconnects;
	s->nbd_resent = c->resent;
	s->nbd_flushes = c->flushes;
	s->nbd_most_pending = c->most_pending;
	s->nbd_throttled = sc.throttled;
	s->swap_state = swap_link_state();
}
