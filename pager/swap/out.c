/*
 * Swap-out: a batch of victims goes to consecutive slots. Cheapest first, a
 * victim whose slot still holds its clean copy is dropped without a write;
 * the others are write-protected, tied to new slots while the device works,
 * then evicted (every entry that named the frame names its slot) and their
 * frames freed. Direct reclaim writes its batch at once; background reclaim
 * queues victims for the swap-out thread, which drops those with a valid
 * copy at once and holds the others until they fill a write (one device
 * request) or reclaim cannot wait, then writes them with the lock let go.
 */
#include <stdio.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "swap/internal.h"
#include "swap/queue.h"
#include "swap/slots.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/swapcache.h"
#include "vm/vm.h"

/* Direct reclaim's batches (SWAP_OUT_BATCH) are smaller than the swap-out
 * thread's: its thread waits. */
#define WRITE_BATCH SWAP_WRITE_BATCH
_Static_assert(SWAP_OUT_BATCH <= WRITE_BATCH && WRITE_BATCH <= SWAP_IO_MAX,
	       "a batch is one transfer");

static struct swap_queue outq;	/* background victims for the swap-out thread */
static struct swap_queue held;	/* of those, victims waiting to fill a write */
static uint32_t writing;	/* popped from outq, being written by that thread */
static struct pager_thread writer;

/* One batch of victims on its way to the device. */
struct write_batch {
	struct swap_req v[WRITE_BATCH];
	size_t n;
	int err[WRITE_BATCH];
	int at_floor;	/* started with no frame free above the reserve */
};

static void put_back(uint64_t pa)
{
	swap_engine_hooks()->put_back(pa);
}

/* pa's page left memory for slot (0: its copy is the program file):
 * reclaim tells the policy, whose shadow word is kept with the slot. */
static void evicted(uint32_t slot, uint64_t pa)
{
	swap_history_keep(slot, swap_engine_hooks()->evicted(pa));
}

/* No slot is free: said once, counted every time. */
static void note_full(void)
{
	if (vmstat_get(VMSTAT_SWAP_FULL) == 0)
		printf("pager: swap: the swap device is full\n");
	vmstat_count(VMSTAT_SWAP_FULL);
}

int swap_has_room(int direct)
{
	static int said_gone;

	if (!swap_on())
		return 0;
	if (swap_device_gone()) {
		if (!said_gone++)
			printf("pager: swap: %s is gone; running without swap\n", swap_engine_where());
		return 0;
	}
	if (swap_slots_free(swap_engine_slots()) > 0 ||
	    (direct && vmstat_get(VMSTAT_SWAP_COPIES) > 0))
		return 1;
	/* Nowhere to write: do not sweep the frames for nothing. */
	note_full();
	return 0;
}

/* The free list hands out the last frame freed first: freeing the batch
 * last to first gives the next pages touched in address order frames in
 * slot order, so a streaming program's pages land on the device in address
 * order again and readahead finds them. */
static void free_in_reverse(const uint64_t *pa, size_t n)
{
	while (n-- > 0)
		frame_free(pa[n]);
}

/* Cheapest first: an unwritten program-image page is dropped (the file
 * fills it again), and a victim whose swap copy is still valid (the swap cache
 * ties it to a slot other entries name or the frame holds, and it was not
 * written since: a write unties it, and so does a dirty bit, read for
 * every such copy just before: vm_frames_seal) is dropped without any
 * I/O, its entries pointed at that slot; a parked one (read ahead, not
 * mapped yet) just goes. One that holds its slot but cannot be dropped
 * goes back to the policy, writable again (writing it to a new slot would
 * lose the old one). The others stay in b, in order. Looks at
 * b->v[from..]. Frames freed. */
static size_t drop_clean(struct write_batch *b, size_t from)
{
	static uint64_t pa_of[WRITE_BATCH];
	size_t kept_n = from, dropped = 0, refill = 0;

	for (size_t k = from; k < b->n; k++)
		pa_of[k - from] = b->v[k].pa;
	vm_frames_seal(pa_of, b->n - from);
	for (size_t k = from; k < b->n; k++) {
		uint64_t pa = b->v[k].pa;
		uint32_t slot = swapcache_slot(pa);
		if (slot && (swapcache_parked_clean(pa) || vm_evict(pa, slot) > 0)) {
			swapcache_untie(slot);
			evicted(slot, pa);
			frame_free(pa);
			dropped++;
			continue;
		}
		/* Its copy is the program file: no slot to keep history by. */
		if (!slot && vm_drop_refillable(pa) == 0) {
			evicted(0, pa);
			frame_free(pa);
			refill++;
			continue;
		}
		if (swapcache_held(pa)) {
			vm_frame_write_protect(pa, 0);
			put_back(pa);
			continue;
		}
		b->v[kept_n++] = b->v[k];
	}
	b->n = kept_n;
	vmstat_count_n(VMSTAT_PGDROP_CLEAN, (int64_t)dropped);
	return dropped + refill;
}

/* Slots for the victims, as few runs of consecutive ones as the allocator
 * finds (one, when a free run is long enough: one device request), each
 * victim write-protected and tied to its slot, so that a free while the
 * write is in flight parks the frame instead of reusing it under the DMA.
 * Victims left without a slot go back to the policy. How many will be
 * written. */
static size_t prepare(struct write_batch *b)
{
	struct swap_slots *slots = swap_engine_slots();
	size_t got = 0;
	uint32_t first, len;

	while (got < b->n && (len = swap_slot_alloc_run(slots, (uint32_t)(b->n - got), &first)) > 0) {
		for (uint32_t k = 0; k < len; k++, got++) {
			b->v[got].slot = first + k;
			vm_frame_write_protect(b->v[got].pa, 1);
			swapcache_tie(b->v[got].slot, b->v[got].pa);
		}
	}
	if (got < b->n)
		note_full();
	for (size_t k = got; k < b->n; k++)
		put_back(b->v[k].pa);
	b->n = got;
	b->at_floor = frames_free() <= frames_reserve();
	return got;
}

/* Page k's write is over: evict it (1: its frame may go), or keep it in
 * memory (written to since, or the write failed: its slot is retired). */
static int settle_write(struct write_batch *b, size_t k)
{
	struct swap_slots *slots = swap_engine_slots();
	uint64_t pa = b->v[k].pa;
	uint32_t slot = b->v[k].slot;
	int clean = swapcache_writing(pa);	/* not written since */

	swapcache_untie(slot);	/* the write is over */
	if (b->err[k] < 0) {
		vmstat_count(VMSTAT_SWAP_WRITE_ERRORS);
		swap_slot_mark_bad(slots, slot);
		swap_history_forget(slot);
		printf("pager: swap: writing slot %u failed (%d); the page stays in memory\n",
		       slot, b->err[k]);
		return 0;
	}
	if (clean && vm_evict(pa, slot) > 0) {
		evicted(slot, pa);
		vmstat_count(VMSTAT_PSWPOUT);
		vmstat_count_n(VMSTAT_PSWPOUT_AT_FLOOR, b->at_floor != 0);
		swap_slot_release(slot);	/* the allocation's own reference */
		return 1;
	}
	swap_slot_release(slot);
	return 0;
}

/* After the write: hand each page to the VM core, or keep it, or free it
 * (let go during the write). Frames freed. */
static size_t finish(struct write_batch *b)
{
	static uint64_t gone[WRITE_BATCH];
	size_t freed = 0;

	for (size_t k = 0; k < b->n; k++) {
		uint64_t pa = b->v[k].pa;
		if (settle_write(b, k)) {
			gone[freed++] = pa;
			continue;
		}
		vm_frame_write_protect(pa, 0);
		if (vm_frame_parked(pa))	/* let go during the write, tie now gone */
			gone[freed++] = pa;
		else
			put_back(pa);
	}
	free_in_reverse(gone, freed);
	return freed;
}

size_t swap_out_now(const uint64_t *pa, size_t n)
{
	static struct write_batch b;
	size_t dropped;

	b.n = 0;
	for (size_t k = 0; k < n && k < SWAP_OUT_BATCH; k++)
		b.v[b.n++] = (struct swap_req){ pa[k], 0, 0 };
	dropped = drop_clean(&b, 0);
	if (prepare(&b) == 0)
		return dropped;
	/* Direct: the lock stays held while the device works. */
	swap_transfer(pager_holder(), 1, b.v, (unsigned)b.n, b.err);
	return dropped + finish(&b);
}

int swap_out_queue(uint64_t pa)
{
	if (swap_queue_push(&outq, pa, 0) < 0)
		return -1;
	swapcache_mark_queued(pa);
	return 0;
}

uint32_t swap_out_room(void)
{
	return swap_queue_space(&outq);
}

uint32_t swap_out_pending(void)
{
	return swap_queue_len(&outq) + swap_queue_len(&held) + writing;
}

/* Popped pages still worth writing, up to what the batch has room for:
 * not freed since (the mark would be gone), and still victims (reclaim
 * says: not referenced while they waited). */
static void admit(struct write_batch *b, const struct swap_req *popped, uint32_t n)
{
	static uint64_t asked[SWAP_OUT_QUEUE_LEN];
	uint32_t m = 0;

	for (uint32_t k = 0; k < n; k++)
		if (swapcache_queued(popped[k].pa))
			asked[m++] = popped[k].pa;
	if (m && swap_engine_hooks()->will_ask)
		swap_engine_hooks()->will_ask(asked, m);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t pa = popped[k].pa;
		if (!swapcache_take_queued(pa))
			continue;
		if (!swap_engine_hooks()->still_victim(pa)) {
			vmstat_count(VMSTAT_SWAPOUT_RESCUED);
			put_back(pa);
			continue;
		}
		b->v[b->n++] = (struct swap_req){ pa, 0, 0 };
	}
}

/* A batch to write from the held victims; pages passed over leave room
 * that more held pages fill, so the write stays one full request while
 * victims wait. Frames freed. */
static size_t take_held(struct write_batch *b)
{
	static struct swap_req popped[WRITE_BATCH];
	size_t freed = 0;

	b->n = 0;
	while (b->n < WRITE_BATCH && swap_queue_len(&held) > 0) {
		size_t from = b->n;

		admit(b, popped, swap_queue_pop(&held, popped, (uint32_t)(WRITE_BATCH - b->n)));
		freed += drop_clean(b, from);
	}
	return freed;
}

/* Hold pa (still marked queued) for a later write; if there is no room,
 * it goes back to the policy, to be met again. */
static void hold(uint64_t pa)
{
	if (swap_queue_push(&held, pa, 0) < 0 && swapcache_take_queued(pa))
		put_back(pa);
}

/* The victims queued since the last look: those whose copy in their slot
 * is still valid are dropped now, without a write (each still a victim);
 * the others wait among the held ones, in their order, for a write. Frames
 * freed. */
static size_t sort_queued(void)
{
	static struct swap_req popped[WRITE_BATCH], copies[WRITE_BATCH];
	static struct write_batch b;
	size_t freed = 0;

	while (swap_queue_len(&outq) > 0) {
		uint32_t n = swap_queue_pop(&outq, popped, WRITE_BATCH), m = 0;

		for (uint32_t k = 0; k < n; k++) {
			uint64_t pa = popped[k].pa;
			if (swapcache_held(pa) || swapcache_parked_clean(pa))
				copies[m++] = popped[k];
			else if (swapcache_queued(pa))
				hold(pa);
		}
		b.n = 0;
		admit(&b, copies, m);
		freed += drop_clean(&b, 0);
		for (size_t k = 0; k < b.n; k++) {	/* written since: a write after all */
			swapcache_mark_queued(b.v[k].pa);
			hold(b.v[k].pa);
		}
	}
	return freed;
}

/* Held victims are written when they fill a request, or when reclaim says
 * it cannot wait (policy: swap_reclaim_hooks's writes_may_wait). */
static int write_due(void)
{
	const struct swap_reclaim_hooks *h = swap_engine_hooks();

	return swap_queue_len(&held) >= WRITE_BATCH || !h->writes_may_wait ||
	       !h->writes_may_wait();
}

long swap_write_queued(struct pager_thread *t)
{
	static struct write_batch b;
	size_t freed, written;

	if (!swap_on() || (swap_queue_len(&outq) == 0 && (swap_queue_len(&held) == 0 || !write_due())))
		return -1;
	freed = sort_queued();
	if (swap_queue_len(&held) == 0 || !write_due()) {
		vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)freed);
		return (long)freed;
	}
	freed += take_held(&b);
	vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)freed);
	if (prepare(&b) == 0)
		return (long)freed;
	writing = (uint32_t)b.n;
	pager_unlock(t);	/* the device works; others may fault meanwhile */
	swap_transfer(t, 1, b.v, (unsigned)b.n, b.err);
	pager_lock(t);
	writing = 0;
	written = finish(&b);
	vmstat_count_n(VMSTAT_PGSTEAL_KSWAPD, (int64_t)written);
	return (long)(freed + written);
}

/* The swap-out thread: woken when victims are queued, it writes them a
 * batch at a time, telling reclaim after each (kswapd queues more, and
 * throttled requests go on). */
static void writer_main(struct pager_thread *t)
{
	t->memalloc = 1;	/* freeing memory: the reserve is its if need be */
	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		while (swap_write_queued(t) >= 0)
			swap_engine_hooks()->written();
		swap_engine_hooks()->written();
		pager_unlock(t);
	}
}

void swap_out_kick(void)
{
	pager_thread_signal(&writer, TB_WORK);
}

static uint64_t pending_now(void)
{
	return swap_out_pending();
}

static uint64_t refused(void)
{
	return outq.refused;
}

void swap_out_reset(void)
{
	swap_queue_fini(&outq);
	swap_queue_fini(&held);
	writing = 0;
}

int swap_out_init(void)
{
	if (swap_queue_init(&outq, SWAP_OUT_QUEUE_LEN) < 0 ||
	    swap_queue_init(&held, SWAP_OUT_QUEUE_LEN) < 0)
		return -1;
	vmstat_gauge(VMSTAT_SWAPOUT_QUEUED, pending_now);
	vmstat_gauge(VMSTAT_SWAPOUT_REFUSED, refused);
	return 0;
}

int swap_out_thread_start(void)
{
	return pager_thread_start(&writer, "swapout", IO_SWAPOUT, writer_main);
}
