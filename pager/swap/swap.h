/*
 * The swap engine: what it promises the layers above (reclaim, which
 * chooses victims, and the server, which starts it). It checks a device's
 * swap header, allocates slots in clusters, writes batches of victims to
 * consecutive slots (directly, or from the swap-out queue by its own
 * thread), drops a victim whose slot still holds a clean copy without any
 * write, and serves the VM core's reads (letting the pager lock go while the
 * device works, with readahead and a swap-in queue read by its own thread).
 * It talks to its device only through struct swap_backend (backend.h).
 * Every call is made with the pager lock held. Plain C.
 */
#ifndef PAGER_SWAP_H
#define PAGER_SWAP_H

#include <stddef.h>
#include <stdint.h>

struct pager_thread;
struct swap_backend;

/* Is swap on? The one answer for everyone: 1 once swap_start has checked
 * the device and set up all it needs (slots, the swap cache, the queues)
 * and plugged the engine into the VM core; 0 before, and for good if that
 * failed part way. */
int swap_on(void);

/* Start the swap-out thread, and the swap-in thread; they sleep until
 * there is work. 0, or a negative error. */
int swap_out_thread_start(void);
int swap_in_thread_start(void);
/* Swap to backend's device if it carries a swap header: read its first
 * page (thread t's I/O, the lock held), check it, and if it is a writable
 * swap area set everything up and turn swap on. Reported on the console
 * either way; a device that is not swap is never written. prepare (NULL:
 * none) is called once the header and the area's size have passed their
 * checks and before anything is made for the area: what the caller needs
 * only with swap on (the replacement policy's tables) is made there, so a
 * device refused costs the heap nothing. It returns 0, or -1 (said why)
 * and swap stays off; the caller frees what it made if swap_on() is 0
 * after. */
void swap_start(const struct swap_backend *backend, struct pager_thread *t,
		int (*prepare)(void));

/* What reclaim lends the engine for its victims (swap_set_reclaim_hooks). */
struct swap_reclaim_hooks {
	/* pa was not evicted after all: back to the replacement policy. */
	void (*put_back)(uint64_t pa);
	/* Optional: pa was not evicted because it was used during its
	 * write-out (a fault mapped it back, swapout_fault_kept, or a write
	 * made the write stale): back to the policy as used (without it,
	 * put_back). */
	void (*kept)(uint64_t pa);
	/* pa's page left memory (written out, or dropped with a valid copy):
	 * told before the frame is freed. The policy's shadow word for it (0:
	 * nothing), which the engine keeps with its slot. */
	uint32_t (*evicted)(uint64_t pa);
	/* A page read back into pa (a fault's read or readahead) had shadow
	 * (never 0) kept from its eviction: the policy hears of it. */
	void (*refaulted)(uint64_t pa, uint32_t shadow);
	/* The swap-out thread finished a batch (or found its queue empty). */
	void (*written)(void);
	/* Optional: 1 while victims that must be written may wait until they
	 * fill a write (without it, each batch is written as it comes). */
	int (*writes_may_wait)(void);
	/* The longest reclaim waits for one batch of the swap-out thread, in
	 * ns: its write out longer is overdue (swap_out_overdue; 0: never). */
	int64_t batch_wait_ns;
};
void swap_set_reclaim_hooks(const struct swap_reclaim_hooks *hooks);

/* Whether writing out could free anything now: a slot is free, or (direct
 * 1) some page keeps its slot as a clean copy and can go without a new
 * one. When not, says "the swap device is full" once and counts swap_full.
 * Background reclaim passes 0, or it would pick and put back the same
 * pages for ever. */
int swap_has_room(int direct);
/* Writing out could free a frame now, as swap_has_room(1) answers (a slot
 * free, or a page's clean copy to drop without a write), but saying
 * nothing and counting nothing. */
int swap_out_could_free(void);
/* Pages on the swap device can be read back: swap is on and its device is
 * not gone for good (a slot there frees nothing an OOM kill could use
 * otherwise). */
int swap_copies_usable(void);
/* The driver serving the swap device has ended (its process is gone):
 * the device is gone for good, as a network server that will not come
 * back is (nothing more is written; pages only there fail their owners'
 * faults), and every request in flight fails now, its waiter woken. Any
 * thread may call it, with or without the pager lock: a thread waiting for
 * the device may hold it (direct reclaim). */
void swap_device_ended(void);
/* Pages one device request carries at most (0: swap is off). */
uint32_t swap_request_pages(void);
/* How long one write to the device may go unanswered before it fails
 * (backend.h's write_bound_ns; 0: no device, or no bound of its own). */
int64_t swap_write_bound_ns(void);
/* The device is short of memory for its writes (swap_backend_ops's
 * congested) and not gone for good: direct reclaimers should wait a
 * little. */
int swap_congested(void);
/* Writing out is stalled: the device rides out an outage (swap_backend_ops's
 * stalled: an NBD server netd reconnects to, within its budget) and is not
 * gone for good. Every write to it, in flight, queued or made now, is
 * answered only when the outage ends, or fails when the device gives up:
 * later than reclaim's usual waits allow for (kswapd_throttle_again). */
int swap_out_stalled(void);
/* How a batch's writes failed (swap_out_now's, and the swap-out
 * thread's): what reclaim needs to judge whether another batch is worth
 * writing, and the engine whether the device fails everything
 * (swap_out_failing). */
enum swap_out_failure {
	SWAP_OUT_OK = 0,	/* none failed, or only for the device gone or
				 * pages written meanwhile */
	/* Another batch may not meet it: writes never sent (a passing
	 * shortage; not a flush's failure, which the next batch meets
	 * again), or slots the device failed while it wrote others of the
	 * batch written again alone (bad slots, retired; the next batch is
	 * given others), or the one slot of a batch of one page (nothing
	 * says the others are bad). */
	SWAP_OUT_PASSING,
	/* The device failed every page of the batch written again alone: a
	 * bad patch of the disk, or a device that fails whatever it is
	 * given, as a second such batch in a row says (swap_out_failing). */
	SWAP_OUT_FAILING
};
/* Writing out is held back: the device failed every page of the last
 * batches written (two in a row, any thread's), each page also written
 * alone, and the pause before it is tried again has not passed. Reclaim
 * then chooses no victim to write (direct reclaim writes none, background
 * reclaim queues none, and the swap-out thread hands back what it holds,
 * intact); once the pause has passed, the next batch is the try, and one
 * page of it written ends the judgement. Lock held. */
int swap_out_failing(void);
/* Direct reclaim: write victims pa[0..n) (n <= SWAP_OUT_BATCH) now, the
 * lock kept while the device works; a victim whose slot still holds its
 * clean copy is dropped without a write. Frames freed; *failed says how
 * writes failed. */
#define SWAP_OUT_BATCH 32
size_t swap_out_now(const uint64_t *pa, size_t n, enum swap_out_failure *failed);
/* t's direct write left in flight (swap_out_now), collected, waited for (a
 * wait t may leave again, the device still in its outage): before t reads
 * (its tags are the device's until then), the lock let go, and before its
 * direct reclaim chooses victims, which swap_out_now would only hand back
 * while the write is out (their referenced bits cleared, the policy's
 * hand moved, for nothing). The batch is not settled here (its pages do
 * not go back to the policy: swap_out_left_finish, or t's next
 * swap_out_now), so victims chosen after it are the ones chosen before
 * it. 1 once t has nothing in flight, 0 if it still has. Needs no lock. */
int swap_out_left_collect(struct pager_thread *t);
/* t's direct write left in flight (swap_out_now: its device stalled while
 * t waited for it, holding the lock), if its device has answered it since,
 * settled: its pages stay in memory, their slots let go (retired if the
 * write may still land), frames let go meanwhile freed. Nothing is waited
 * for. */
void swap_out_left_finish(struct pager_thread *t);
/* Whether t has a direct write left in flight, not yet settled (until
 * swap_out_left_finish, or its next swap_out_now, settles it). Needs no
 * lock: only t's own steps change it. */
int swap_out_left_of(const struct pager_thread *t);
/* Direct writes left in flight now (lock held): looked at after each
 * request, whose thread may serve no reclaim for a while, so that one
 * load is all it costs when there are none. */
extern unsigned swap_out_left_count;
/* The swap-out thread writes up to this many queued pages at once: what
 * one block request carries (256 KiB), so that a stream of evictions goes
 * to the device in the largest writes it takes. */
#define SWAP_WRITE_BATCH 64
/* Background reclaim: victim pa into the swap-out queue for the swap-out
 * thread. 0, or -1 if the queue is full (refused: met again later). */
int swap_out_queue(uint64_t pa);
/* Pushes swap_out_queue would take now. */
uint32_t swap_out_room(void);
/* Wake the swap-out thread: victims wait in its queue. */
void swap_out_kick(void);
/* Pages queued for the swap-out thread or being written by it. */
uint32_t swap_out_pending(void);
/* How the swap-out thread's write stands (swap_out_overdue); any but the
 * first is overdue. */
enum swap_overdue {
	SWAP_WRITE_TIMELY,	/* none out, or out no longer than a batch's wait */
	SWAP_WRITE_OVERDUE,	/* out longer, within its device's bounds */
	SWAP_WRITE_ABANDONED,	/* out past every bound its device keeps */
};
/* The swap-out thread's write has gone unanswered longer than reclaim
 * waits for a batch (the hooks' batch_wait_ns): a device that stopped
 * answering, whose disk is not yet ended, or whose outage netd has not yet
 * begun or has ended while the write still hangs (swap_out_stalled). A
 * direct write now, the lock held, would hold every pager thread until
 * the device's bound for a write (swap_write_bound_ns) or longer; reclaim
 * writes none and waits for the write instead, as in an outage
 * (kswapd_throttle_again). Abandoned once out longer than its device
 * lets a write be, however the write ends (the engine's
 * swap_write_life_ns), counted from its start or from the end of the
 * latest outage it lived through (the write sent again then, a later
 * outage with a budget of its own), and one such wait: the device is stuck (netd alive
 * and publishing nothing), and reclaim's waits for it count again, so
 * the OOM killer can act; counted in overdue_abandoned and said on the
 * console, once a write. Only for a device that bounds its writes, and
 * not once it is gone for good. Lock held. */
enum swap_overdue swap_out_overdue(void);

/* The swap-in thread reads ahead only while more than keep_free frames are
 * free (it never reclaims). */
void swap_in_keep_free(uint64_t keep_free);
/* Faults whose swap-in waits for the device, the lock let go. */
uint32_t swap_reads_waiting(void);

/* One step of each of the engine's threads (exposed for the host tests):
 * write one batch from the swap-out queue, or read one batch of the slots
 * queued ahead of a stream, letting the lock go while the device works.
 * Frames freed or pages read, or -1 if the queue was empty. */
long swap_write_queued(struct pager_thread *t);
long swap_read_queued(struct pager_thread *t);

#endif
