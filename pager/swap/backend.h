/*
 * How the swap engine moves pages to and from its device: one small table
 * of operations, so that a device plugs in without the engine knowing it.
 * The virtio-blk client (blk_backend.c) is the first; the host tests give
 * the engine a fake. A device is started by whoever finds it (the server)
 * and handed to swap_start. Plain C.
 *
 * The engine names pages by slot: slot s is the device's page s (bytes
 * s * 4096 .. s * 4096 + 4095; slot 0 holds the swap header). A transfer
 * is a batch of pages, each a frame and a slot; pages whose slots follow
 * one another may go in one device request, which is the backend's to
 * decide: a request is a run of the batch's pages, each page's slot one
 * above the slot of the page before it, and no other pages share one. A
 * request that fails fails all its pages, so the engine writes a page the
 * device failed with others again alone before it retires its slot
 * (swap_batch_write). A transfer is made by one pager thread, which waits
 * for it: with the pager lock let go (a fault's read, the swap-out and
 * swap-in threads) or held (direct reclaim, which needs no other pager
 * thread to finish).
 */
#ifndef PAGER_SWAP_BACKEND_H
#define PAGER_SWAP_BACKEND_H

#include <errno.h>
#include <stdint.h>

struct pager_thread;

/* One page to move: between frame pa and slot. */
struct swap_req {
	uint64_t pa;
	uint32_t slot;
	uint32_t reserved;		/* 0 */
};

/* Pages in one transfer at most: a write batch (the swap-out thread's is
 * one full 256 KiB request when its slots follow one another), or a read
 * and its window. */
#define SWAP_IO_MAX 64

/* A page's result when its frame may still be written by the device after
 * the transfer has returned: a read in flight on a DMA device whose driver
 * ended. The frame must never be used again (swapcache_read_lost). */
#define SWAP_ERR_STUCK (-EBUSY)

/* A page's result when its request never reached the device: the call to
 * the driver failed (no memory to map its frames, the driver refused the
 * message). Nothing is known of its slot: the page may be moved again. */
#define SWAP_ERR_UNSENT (-EAGAIN)

/* A write's page result when its slot must never be written again, though
 * the device may not have failed it (a write that may still land late: an
 * NBD connection lost with it out): the slot is retired, the page not
 * written there again. */
#define SWAP_ERR_LATE (-ESTALE)

/* A write's page result when its thread stopped waiting for it, holding
 * the pager lock, as the device began an outage (stalled): its request
 * (or the flush after it) is still the device's, and may land at any time
 * until it is collected (collect). The thread's tags are the device's
 * meanwhile: it collects before it transfers again. */
#define SWAP_ERR_LEFT (-EINPROGRESS)

/* Whether err is the device's own verdict on its page (a media error, or
 * a server's): only then is its slot bad. Not success, nor a request never
 * sent, nor one lost with its driver or its device gone (-ENXIO), nor one
 * still in flight. */
static inline int swap_err_from_device(int err)
{
	return err != 0 && err != SWAP_ERR_UNSENT && err != SWAP_ERR_STUCK && err != -ENXIO &&
	       err != SWAP_ERR_LEFT;
}

/* What a finished transfer looks like. */
struct swap_done {
	unsigned requests;		/* device requests it took (vmstat) */
	int err[SWAP_IO_MAX];		/* per page, in order: 0, or a negative error */
};

struct swap_backend_ops {
	/* The device's size in bytes; *read_only is set if it must not be
	 * written (swap is then refused). */
	uint64_t (*size)(void *ctx, int *read_only);
	/* Read or write the n pages p[0..n) (1 <= n <= SWAP_IO_MAX) for thread
	 * t and wait for all of them; done says how each went. 0, with each
	 * of done->err[0..n) set (the engine zeroes none first) and
	 * done->requests the device requests made; or a negative error when
	 * nothing could be sent (then every page failed: done->err is not
	 * read, and done->requests, 0 before the call, may be left so; the
	 * engine takes it as SWAP_ERR_UNSENT for each, or -ENXIO if it is
	 * that: the device gone). A page whose request reached the driver but
	 * not the device (a refusal) is SWAP_ERR_UNSENT too. */
	int (*read)(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		    struct swap_done *done);
	int (*write)(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		     struct swap_done *done);
	/* Optional (NULL: writes are done when they complete). Make the writes
	 * completed so far readable whatever happens next; 0 or an error.
	 * SWAP_ERR_UNSENT: the flush could not vouch for them, the link to the
	 * device lost since they were answered, or the flush never reached
	 * the device (the driver refused the call), and the backend says so:
	 * not the device's flush failing, the pages are kept, as unsent. */
	int (*flush)(void *ctx, struct pager_thread *t);
	/* Optional (NULL: never). The device is gone for good (a network
	 * server that will not come back): nothing more is written to it, and
	 * the pager goes on without swap. */
	int (*gone)(void *ctx);
	/* Optional (NULL: nothing to do). The driver serving the device has
	 * ended: fail every request in flight (waking its waiters) and every
	 * later one. Called by whichever thread hears of the end, without the
	 * pager lock (a waiter may hold it); swap_device_ended. */
	void (*ended)(void *ctx);
	/* Optional (NULL: never). The device is short of the memory its
	 * writes need (the network server's pool is in its reserve): direct
	 * reclaimers wait a little rather than add writes (seed 002). */
	int (*congested)(void *ctx);
	/* Optional (NULL: never). The device rides out an outage (a network
	 * server it reconnects to, within its budget): its writes, in flight
	 * or to come, complete when it ends, or fail when the device gives
	 * up, so a fault with no frame waits rather than meet the OOM killer.
	 * It must turn 0 by itself within the outage's budget, whatever the
	 * device does, since reclaim's waits end only then. */
	int (*stalled)(void *ctx);
	/* Optional (NULL: nothing to do). Swap is coming on over the area of
	 * slots 0..last (its header checked, its size within budget.h's
	 * rule, the engine's tables made): make the backend's own tables
	 * (slot_bytes a slot) and tell the device it is taken. Nothing is
	 * written to the device before this call. 0, or a negative error
	 * (-ENOMEM: no memory for them), with nothing kept: swap stays off. */
	int (*start)(void *ctx, uint32_t last);
	/* With stalled (a device that may stall). A write (or its flush) made
	 * by a thread holding the pager lock is left in flight when the
	 * device stalls while the thread waits, or is still in its outage
	 * past the time stalled turned 0 by: its pages' results are
	 * SWAP_ERR_LEFT (flush: SWAP_ERR_LEFT). Collect the write t left, of
	 * pages p[0..n) (the same pages, in any order): wait for its requests
	 * (wait 0: only those over already; a wait t may leave again as
	 * before) and set done->err[k] of each page they carried (the others
	 * untouched). 1 once nothing of t's is left in flight, 0 if some is. */
	int (*collect)(void *ctx, struct pager_thread *t, const struct swap_req *p, unsigned n,
		       struct swap_done *done, int wait);
	/* Optional (NULL: none), with stalled. When (pager_clock's) the
	 * device's latest outage ended with the server back, 0 if none has:
	 * known to the device whether or not anyone asked stalled meanwhile.
	 * Its held writes go out again then, each with its whole life ahead
	 * (give_up_ns), a later outage bringing a budget of its own. */
	int64_t (*outage_ended)(void *ctx);
};

struct swap_backend {
	const struct swap_backend_ops *ops;
	void *ctx;
	char where[48];			/* for messages: "the disk at 0x10008000" */
	uint32_t request_pages;		/* pages one device request carries at
					 * most (0: as many as a transfer) */
	uint32_t slot_bytes;		/* the tables start makes, bytes a slot */
	/* How long one write may go unanswered before the device is called
	 * stopped, in ns (0: no bound of its own): the write failed (the
	 * disk), or held in an outage the device then says it rides out
	 * (stalled: NBD), whose own budget bounds the waits from then on.
	 * Reclaim's throttle makes counted waits for the writer no longer
	 * (swap_write_bound_ns). */
	int64_t write_bound_ns;
	/* How much longer the device may still hold a write it called
	 * stopped before it fails it, or gives itself up for good, in ns (0:
	 * it fails the write at write_bound_ns: the disk, whose driver is
	 * ended then): NBD's outage budget and netd's lateness in ending it.
	 * Counted from the write's start, or from the end of the latest
	 * outage it lived through (outage_ended), whichever is later: each
	 * outage ends with the write sent again, and a later one has a budget
	 * of its own. A write of the swap-out thread's still out past both
	 * (and one of reclaim's waits) is waited for no longer uncounted
	 * (swap_out_overdue: a device stuck, not one riding something out). */
	int64_t give_up_ns;
};

#endif
