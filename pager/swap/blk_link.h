/*
 * The pager's side of drivers/blk_protocol.h, shared by the backends that
 * speak it (virtio-blk; NBD through netd): each pager thread's own tags and
 * range of the page list, a transfer's requests sent in waves a message's
 * worth at a time, and each thread waiting on its own notification for
 * their results in the status page.
 */
#ifndef PAGER_SWAP_BLK_LINK_H
#define PAGER_SWAP_BLK_LINK_H

#include <stdint.h>
#include "base/threads.h"
#include "drivers/blk_protocol.h"
#include "kernel/abi/clock.h"
#include "swap/backend.h"

/* Tags of each I/O client but the swap-out thread (blk_tag_of): a
 * transfer of more requests than this goes in waves of this many. */
#define BLK_BATCH_TAGS 32u

/* Requests a thread left in flight (blk_link's leave): they stay the
 * driver's, their tags and frames with them, until collected
 * (blk_collect). At most one wave of a thread other than the swap-out
 * thread (which never holds the pager lock while it writes), so the store
 * is a wave's: the same bound, one name. */
struct blk_left {
	uint32_t n;
	struct blk_request req[BLK_BATCH_TAGS];
};

/* A driver that takes BLK_SUBMIT and BLK_SUBMIT_ONE. */
struct blk_link {
	int ep;				/* its endpoint (send only: a call to
					 * it fails once the driver has ended) */
	struct blk_status *status;	/* the status page, [BLK_TAGS] */
	uint64_t *list;			/* the page list, [BLK_LIST_ENTRIES] */
	uint32_t max_pages;		/* pages one request may carry */
	/* 1 if the device reaches the frames by physical address (DMA): it
	 * may still fill a read's frames after its driver has ended. */
	int dma;
	/* 1 once the driver has ended (blk_link_end): nothing more is sent.
	 * Written once, by any thread; read without the pager lock. */
	int ended;
	/* Optional: before request r goes (0, or -errno: it does not go), and
	 * once its result has been read (netd's window: the frames mapped
	 * into it, then out). */
	int (*prepare)(const struct blk_link *l, const struct blk_request *r);
	void (*release)(const struct blk_link *l, const struct blk_request *r);
	/* Optional: requests r[0..n) are in the driver's hands, not yet
	 * waited for (swap.end_driver_at ends the driver here). */
	void (*sent)(const struct blk_link *l, const struct blk_request *r, uint32_t n);
	/* Optional: a waiter has waited BLK_OVERDUE_NS for one result. It
	 * ends the driver, whose end (blk_link_end, from whoever hears of
	 * it) fails the requests. Without it a wait has no bound of its own
	 * (netd bounds the NBD link's). */
	void (*overdue)(const struct blk_link *l);
	/* Optional, with left: whether t, waiting for a write's result (or a
	 * flush's), stops waiting and leaves the request in flight: t holds
	 * the pager lock and the device will answer only after a long while
	 * (NBD: an outage netd rides out, whose beginning netd tells every
	 * thread with a request out). Looked at before each wait and at each
	 * wake-up. */
	int (*leave)(const struct blk_link *l, struct pager_thread *t);
	/* With leave: each I/O client's requests left in flight,
	 * [PAGER_IO_CLIENTS]. */
	struct blk_left *left;
};

/* How long one wait for one result may last with a driver that has an
 * overdue hook (a batch waits tag by tag, each wait bounded afresh):
 * generous, twice Linux's default block request timeout (30 s), so that
 * only a device that has stopped completing meets it. */
#define BLK_OVERDUE_NS (60000 * CLOCK_NS_PER_MS)

/* Tag i (< the thread's share) of I/O client `client`: the swap-out
 * thread keeps many requests in flight, the others a batch at most. */
uint32_t blk_tag_of(unsigned client, uint32_t i);
/* The I/O client whose tags hold tag (blk_tag_of's inverse). */
unsigned blk_client_of(uint32_t tag);

/* t waits until tag's result is in; it (0 or -errno). The tag is free
 * again. With an overdue hook the wait is bounded on t's timer: at
 * BLK_OVERDUE_NS the hook ends the driver, and the wait goes on for the
 * end's result (no timer to arm: unbounded, as without the hook). leave:
 * the request is a write or a flush, which t may leave in flight if l's
 * leave hook says so: then SWAP_ERR_LEFT, the tag still the driver's (wait
 * for it again later). */
int blk_wait_tag(const struct blk_link *l, struct pager_thread *t, uint32_t tag, int leave);
/* Whether tag's result is in (or the driver has ended): a wait for it
 * would not block. */
int blk_tag_over(const struct blk_link *l, uint32_t tag);

/* Read or write p[0..n) as merged requests under t's tags and wait for
 * them all; each page's result in done. A write t leaves in flight (l's
 * leave hook) gives the pages of the requests left SWAP_ERR_LEFT (kept in
 * l->left for blk_collect), those of later waves, never sent,
 * SWAP_ERR_UNSENT. */
int blk_transfer(const struct blk_link *l, struct pager_thread *t, int write,
		 const struct swap_req *p, unsigned n, struct swap_done *done);
/* t's requests left in flight: each whose result is in (every one, waiting
 * for them, if wait; a wait t may leave again as blk_transfer's) is
 * released and its tag freed, and the pages it carries given its result
 * in done (found by slot among p[0..n), in any order; done->err[k] of
 * other pages untouched). 1 when t has none left. */
int blk_collect(const struct blk_link *l, struct pager_thread *t, const struct swap_req *p,
		unsigned n, struct swap_done *done, int wait);

/* The driver has ended (its process is gone): every request it had and no
 * result for fails, its waiters are woken, and nothing more is sent. Needs
 * no pager lock: the thread that hears of the end calls it while others
 * may be waiting with the lock held. A read that was in flight on a DMA
 * device fails with SWAP_ERR_STUCK: its frames must never be used again. */
void blk_link_end(struct blk_link *l);

#endif
