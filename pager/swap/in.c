/*
 * Swap-in: the VM core's reads, and the swap-in thread. A fault's page and
 * its readahead window are read in one transfer with the pager lock let go,
 * each frame tied to its slot and marked reading meanwhile, so another
 * fault on the same slot waits for this read, and an exit that frees the
 * slot only unties it. When the VM core, its read over, offers slots of a
 * stream whose last window was used (swap_in_read_further), they go to
 * the swap-in queue, which the swap-in thread reads into the swap cache
 * ahead of the faults that will want them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "swap/history.h"
#include "swap/internal.h"
#include "swap/queue.h"
#include "swap/slots.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/swapcache.h"
#include "vm/vm.h"

#define READ_MAX (1 + VM_READAHEAD_MAX)	/* a fault's page and its window */
#define QUEUED_BATCH 32			/* slots the swap-in thread reads at once */
_Static_assert(READ_MAX <= SWAP_IO_MAX && QUEUED_BATCH <= SWAP_IO_MAX, "one transfer each");
_Static_assert(READ_MAX <= 32, "read_further answers a bit of a uint32_t for each page");

static struct swap_queue inq;	/* slots for the swap-in thread to read ahead */
static struct pager_thread reader;
static int reader_started;
static uint64_t keep_free;	/* the swap-in thread leaves this many frames free */
static uint32_t reads_waiting;	/* faults whose read lets the lock go now */
/* Threads waiting for another fault's read to end (swap_in_wait). */
static struct pager_thread *read_waiters[PAGER_THREADS_MAX];
/* Each thread's last fault's own page, read fresh: reclaim leaves it for
 * the fault's retry (swapcache.h). A thread handles one fault at a time,
 * so its next read is after that fault's end, mapped or given up: the
 * page is let go then (a retry that failed, or was never made, leaves it
 * fresh), so that at most one frame a thread is kept so. */
static struct {
	uint64_t pa;
	uint32_t slot;
} fresh_of[PAGER_THREADS_MAX];

static void wake_readers(void)
{
	for (unsigned k = 0; k < PAGER_THREADS_MAX; k++) {
		if (!read_waiters[k])
			continue;
		pager_thread_signal(read_waiters[k], TB_READ);
		read_waiters[k] = NULL;
	}
}

/* A fault met slot's frame being read by another fault: let the lock go
 * until some read is over; the fault then starts over. */
void swap_in_wait(void *ctx, uint32_t slot)
{
	struct pager_thread *t = pager_holder();

	(void)ctx;
	(void)slot;
	read_waiters[t->id] = t;
	vmstat_count(VMSTAT_SWAPIN_WAITS);
	pager_unlock(t);
	pager_thread_wait(t, t->wake, TB_READ);
	pager_lock(t);
}

/* The read of slot into pa is over (err: its result): keep the frame for
 * the fault that maps it (fresh: a fault's read, whose first mapping counts
 * it), or free it (the read failed, or no entry names the slot any more: an
 * exit or munmap untied it meanwhile), or keep it out of use for good if
 * the device may still fill it. 1 if it was read and kept. */
static int settle(uint32_t slot, uint64_t pa, int err, int fresh)
{
	uint32_t shadow;

	if (err == SWAP_ERR_STUCK) {
		swapcache_read_lost(slot, pa);
		return 0;
	}
	if (!swapcache_read_end(slot, pa, err == 0, fresh))
		return 0;
	/* The page is back: the policy learns what it said when it went. */
	if ((shadow = swap_history_take(slot)) != 0)
		swap_engine_hooks()->refaulted(pa, shadow);
	vmstat_count(VMSTAT_PSWPIN);
	return 1;
}

/* Frames of a read that the device may still fill (its driver ended with
 * the read in flight) are kept out of use: said once for each read. */
static void say_stuck(const int *err, unsigned n)
{
	unsigned stuck = 0;

	for (unsigned k = 0; k < n; k++)
		stuck += err[k] == SWAP_ERR_STUCK;
	if (stuck)
		printf("pager: swap: %u frames being read from %s when its driver ended are kept "
		       "out of use for good: the device may still write into them\n", stuck,
		       swap_engine_where());
}

/* Whether slot's contents are on the device and nowhere in memory: in use,
 * and no frame tied to it. */
static int only_on_device(uint32_t slot)
{
	return swap_slot_refs(swap_engine_slots(), slot) > 0 && !swapcache_lookup(slot);
}

/* A fault read a window for a stream whose last window was used (the VM
 * core's judgement): the n slots of the pages after it go to the swap-in
 * thread, to be in memory before the faults that will want them (a full
 * queue refuses them: dropped, their faults read them). The VM core
 * offers only slots on the device alone (vm.h), so they are not looked up
 * again here; take_reads looks when it reads them, later. Which were
 * queued: bit k for slots[k]. */
uint32_t swap_in_read_further(void *ctx, const uint32_t *slots, unsigned n)
{
	uint32_t queued = 0;

	(void)ctx;
	if (!reader_started || n > READ_MAX)
		return 0;
	for (unsigned k = 0; k < n; k++)
		if (swap_queue_push(&inq, 0, slots[k]) == 0)
			queued |= 1u << k;
	if (queued)
		pager_thread_signal(&reader, TB_WORK);
	return queued;
}

/* Whether a fault's own page, its read failed with err among n pages, is
 * read again alone: if other pages' requests may have failed it (a window
 * of several), or its request never reached the device (no memory to
 * send it just then); never a frame the device may still fill. */
static int retry_own(int err, unsigned n)
{
	return err && err != SWAP_ERR_STUCK && (n > 1 || err == SWAP_ERR_UNSENT);
}

/* Thread id's fault left frame pa fresh for slot. A record another thread
 * kept of the same frame is older (that thread's fault has mapped it, and
 * the frame came round again): it goes, or that thread's next read would
 * give up this fault's frame. */
static void fresh_record(unsigned id, uint32_t slot, uint64_t pa)
{
	for (unsigned k = 0; k < PAGER_THREADS_MAX; k++)
		if (fresh_of[k].pa == pa)
			fresh_of[k].pa = 0;
	fresh_of[id].pa = pa;
	fresh_of[id].slot = slot;
}

/* A fault's page and its window, slots[0..n): read with the lock let go,
 * sorted by slot so that each run of consecutive slots is one request
 * whatever the order of the pages holding them. The window may take
 * several requests: a request that fails loses its pages only (freed,
 * settle), those of the others stay read ahead; the fault's own page, if
 * its request failed, is read again alone (retry_own), and only that read's
 * error fails the fault: as unreadable (VM_SWAP_UNLOCKED_IO), or as short
 * of memory if it was never sent (VM_SWAP_UNLOCKED_NOMEM). */
static int read_unlocked(const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	struct pager_thread *t = pager_holder();
	struct swap_req pages[READ_MAX];
	int err[READ_MAX];
	unsigned own = 0;	/* where the fault's page went in the sort */

	if (n == 0 || n > READ_MAX)
		return -EINVAL;
	for (unsigned k = 0; k < n; k++) {
		pages[k] = (struct swap_req){ pa[k], slots[k], 0 };
		swapcache_read_begin(slots[k], pa[k]);
	}
	swap_sort_by_slot(pages, n);
	while (pages[own].pa != pa[0])
		own++;
	swapcache_unfresh(fresh_of[t->id].slot, fresh_of[t->id].pa);	/* its last fault's */
	fresh_of[t->id].pa = 0;
	reads_waiting++;
	pager_unlock(t);
	swap_out_left_collect(t);	/* its tags, for the read */
	swap_transfer(t, 0, pages, n, err);
	if (retry_own(err[own], n))
		swap_transfer(t, 0, &pages[own], 1, &err[own]);	/* the page asked for, alone */
	pager_lock(t);
	reads_waiting--;
	swap_out_left_finish(t);
	/* The fault's own page is fresh (its mapping counts the read); the
	 * window's are read ahead, like the swap-in thread's. */
	say_stuck(err, n);
	for (unsigned k = 0; k < n; k++)
		vmstat_count_n(VMSTAT_SWAP_RA,
			       settle(pages[k].slot, pages[k].pa, err[k], k == own) && k != own);
	wake_readers();
	if (swapcache_fresh(pages[own].pa))	/* kept: its entry still names it */
		fresh_record(t->id, pages[own].slot, pages[own].pa);
	if (err[own] == 0)
		return VM_SWAP_UNLOCKED;
	/* Never sent, even alone: a shortage (no memory to map its frame for
	 * the driver), not an I/O error. Its copy is intact: the fault waits
	 * and reclaims as one short of memory, then reads it again. */
	if (err[own] == SWAP_ERR_UNSENT)
		return VM_SWAP_UNLOCKED_NOMEM;
	vmstat_count(VMSTAT_SWAP_READ_ERRORS);
	return VM_SWAP_UNLOCKED_IO;
}

int swap_in_read(void *ctx, uint32_t slot, uint64_t pa)
{
	(void)ctx;
	return read_unlocked(&slot, &pa, 1);
}

int swap_in_read_many(void *ctx, const uint32_t *slots, const uint64_t *pa, unsigned n)
{
	(void)ctx;
	return read_unlocked(slots, pa, n);
}

/* Queued slots still worth reading, each with a new frame tied to it while
 * it is read; frames are taken only while more than keep_free stay free,
 * and never by reclaim. Unzeroed, as a fault's (vm/swapped_page.c): the read
 * writes all of it, or it is freed unmapped. How many in b. */
static uint32_t take_reads(struct swap_req *b, uint32_t n)
{
	uint32_t got = 0;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t s = b[k].slot;
		uint64_t pa;
		if (!only_on_device(s))
			continue;
		if (frames_free() <= keep_free || !(pa = frame_alloc_unzeroed()))
			break;
		swapcache_read_begin(s, pa);
		b[got++] = (struct swap_req){ pa, s, 0 };
	}
	return got;
}

long swap_read_queued(struct pager_thread *t)
{
	struct swap_req b[QUEUED_BATCH];
	int err[QUEUED_BATCH];
	uint32_t n;

	if (!swap_on() || swap_queue_len(&inq) == 0)
		return -1;
	n = swap_queue_pop(&inq, b, QUEUED_BATCH);
	swap_sort_by_slot(b, n);
	n = take_reads(b, n);
	if (n == 0)
		return 0;
	/* Nothing of the swap-in thread's to collect first, unlike a fault's
	 * read: only a direct reclaim's write is left in flight (swap_out_now,
	 * the lock held), and this thread never reclaims (take_reads takes
	 * frames only above keep_free, and nothing it does allocates from the
	 * heap), nor does it write. */
	pager_unlock(t);
	swap_transfer(t, 0, b, n, err);
	pager_lock(t);
	say_stuck(err, n);
	for (uint32_t k = 0; k < n; k++) {
		int kept = settle(b[k].slot, b[k].pa, err[k], 0);
		vmstat_count_n(VMSTAT_SWAPIN_ASYNC, kept);
		vmstat_count_n(VMSTAT_SWAP_RA, kept);
	}
	wake_readers();		/* a fault may have met one of these being read */
	return (long)n;
}

/* The swap-in thread: woken when slots are queued, it reads them until the
 * queue is empty. Faults never wait for it; they read their own pages. */
static void reader_main(struct pager_thread *t)
{
	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		while (swap_read_queued(t) >= 0)
			;
		pager_unlock(t);
	}
}

void swap_in_keep_free(uint64_t frames)
{
	keep_free = frames;
}

uint32_t swap_reads_waiting(void)
{
	return reads_waiting;
}

static uint64_t refused(void)
{
	return inq.refused;
}

void swap_in_reset(void)
{
	swap_queue_fini(&inq);
	reads_waiting = 0;
	memset(fresh_of, 0, sizeof(fresh_of));
}

int swap_in_init(void)
{
	if (swap_queue_init(&inq, SWAP_IN_QUEUE_LEN) < 0)
		return -1;
	vmstat_gauge(VMSTAT_SWAPIN_REFUSED, refused);
	return 0;
}

int swap_in_thread_start(void)
{
	int r = pager_thread_start(&reader, "swapin", IO_SWAPIN, reader_main);

	reader_started = r == 0;
	return r;
}
