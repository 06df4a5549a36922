/*
 * Swap-out (out_batch.h): a batch of victims goes to consecutive slots.
 * Cheapest first, a victim whose slot still holds its clean copy is dropped
 * without a write; the others are tied to new slots and taken out of their
 * mappings while the device works (unmapped at choice: one a fault maps
 * back is kept), then evicted (every entry that named the frame names its
 * slot) and their frames freed. Direct reclaim writes its batch at
 * once, the lock held; the swap-out thread (writer.c) fills its batches
 * from the victims background reclaim queued. A direct write the device
 * holds in an outage is left in flight, its batch kept by its thread's
 * I/O client until collected and finished.
 */
#include <stdio.h>
#include <string.h>
#include "base/threads.h"
#include "base/vmstat.h"
#include "swap/history.h"
#include "swap/internal.h"
#include "swap/out_batch.h"
#include "swap/slots.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/swapcache.h"
#include "vm/vm.h"

_Static_assert(SWAP_OUT_BATCH <= WRITE_BATCH && WRITE_BATCH <= SWAP_IO_MAX,
	       "a batch is one transfer");

void swap_batch_put_back(uint64_t pa)
{
	swap_engine_hooks()->put_back(pa);
}

/* pa's page left memory for slot (0: its copy is the program file):
 * reclaim tells the policy, whose shadow word is kept with the slot. */
static void evicted(uint32_t slot, uint64_t pa)
{
	swap_history_keep(slot, swap_engine_hooks()->evicted(pa));
}

/* No slot is free: said once, counted every time. An area whose every
 * slot is bad (retired after failed writes, or listed in its header) is
 * not full but spent, and said so. */
static void note_full(void)
{
	struct swap_slots *s = swap_engine_slots();
	int said = vmstat_get(VMSTAT_SWAP_FULL) > 0;

	vmstat_count(VMSTAT_SWAP_FULL);
	if (said)
		return;
	if (swap_slots_total(s) == 0)
		printf("pager: swap: every slot of %s is bad (retired after a failed write, or "
		       "listed bad in its header): nothing more can be written to it\n",
		       swap_engine_where());
	else if (swap_slots_bad(s) > 0)
		printf("pager: swap: the swap device is full (and %u of its slots are bad)\n",
		       swap_slots_bad(s));
	else
		printf("pager: swap: the swap device is full\n");
}

/* Somewhere to write: a free slot, or (direct) a clean copy to drop. */
static int room(int direct)
{
	return swap_slots_free(swap_engine_slots()) > 0 ||
	       (direct && vmstat_get(VMSTAT_SWAP_COPIES) > 0);
}

int swap_out_could_free(void)
{
	return swap_copies_usable() && room(1);
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
	if (room(direct))
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

/* The hold's end: its unmaps sent, then pa[0..n), every frame they
 * unmapped, freed. If the kernel refused one (mmu.c said which on the
 * console), a process may still map one of them, and which is not known:
 * all are retired, never to be given to another process. The kernel
 * refuses only a bad handle today, so this costs nothing in practice. */
static void unhold_and_free(const uint64_t *pa, size_t n)
{
	if (vm_unmaps_hold(0) == 0) {
		free_in_reverse(pa, n);
		return;
	}
	for (size_t k = 0; k < n; k++)
		frame_retire(pa[k]);
	if (n)
		printf("pager: swap: an unmap was refused: %zu frames retired\n", n);
}

/* pa was not evicted after all: back to the policy, with the mappings and
 * permissions it should have if a seal took W away. */
static void give_back(uint64_t pa)
{
	if (swapcache_writing(pa))
		vm_frame_write_end(pa);
	swap_batch_put_back(pa);
}

/* The device is gone for good: a victim tied to a slot has its other copy
 * there (or none), so it goes back to the policy and stays in memory; its
 * tie stays too, so that entries still naming the slot find it. The others
 * stay in b, in order (b->v[from..] looked at). */
static void keep_tied(struct write_batch *b, size_t from)
{
	size_t kept_n = from;

	for (size_t k = from; k < b->n; k++) {
		if (swapcache_slot(b->v[k].pa))
			give_back(b->v[k].pa);
		else
			b->v[kept_n++] = b->v[k];
	}
	b->n = kept_n;
}

/* Cheapest first: an unwritten program-image page is dropped (the file
 * fills it again), and, while the device is there (keep_tied), a victim
 * whose swap copy is still valid (the swap cache
 * ties it to a slot other entries name or the frame holds, and it was not
 * written since: a write unties it, and so does a dirty bit, read for
 * every such copy just before: vm_frames_seal) is dropped without any I/O, its entries
 * pointed at that slot; a parked one (read ahead, not mapped yet) just
 * goes. One that holds its slot but cannot be dropped goes back to the
 * policy, writable again (writing it to a new slot would lose the old
 * one). The others stay in b, in order. Looks at b->v[from..]. Frames
 * freed. */
size_t swap_batch_drop_clean(struct write_batch *b, size_t from)
{
	static uint64_t pa_of[WRITE_BATCH];
	size_t kept_n = from, dropped = 0, refill = 0, gone = 0;

	if (swap_device_gone())
		keep_tied(b, from);
	for (size_t k = from; k < b->n; k++)
		pa_of[k - from] = b->v[k].pa;
	vm_frames_seal(pa_of, b->n - from);
	/* The evictions' unmaps go as one call (not one a page), before any
	 * frame is freed: pa_of[0..gone) collects the frames, in order. The
	 * hold does not nest; nothing below takes it again or allocates. */
	vm_unmaps_hold(1);
	for (size_t k = from; k < b->n; k++) {
		uint64_t pa = b->v[k].pa;
		uint32_t slot = swapcache_slot(pa);
		if (slot && (swapcache_parked_clean(pa) || vm_evict(pa, slot) > 0)) {
			swapcache_untie(slot);
			evicted(slot, pa);
			pa_of[gone++] = pa;
			dropped++;
			continue;
		}
		/* Its copy is the program file: no slot to keep history by. */
		if (!slot && vm_drop_refillable(pa) == 0) {
			evicted(0, pa);
			pa_of[gone++] = pa;
			refill++;
			continue;
		}
		/* A held copy is its tie's (vm_check): none without a slot. */
		if (slot && swapcache_held(pa)) {
			give_back(pa);
			continue;
		}
		/* To be written. One tied here is never a page written during
		 * its own write still in flight (vm_evict refuses those), which
		 * no policy has until swap_batch_finish gives it back: prepare
		 * would tie it to a second slot. */
		b->v[kept_n++] = b->v[k];
	}
	unhold_and_free(pa_of, gone);
	b->n = kept_n;
	vmstat_count_n(VMSTAT_PGDROP_CLEAN, (int64_t)dropped);
	return dropped + refill;
}

/* Slots for the victims, as few runs of consecutive ones as the
 * allocator finds (one, when a free run is long enough: one device
 * request), each victim tied to its slot until the write's end (a write
 * to it meanwhile keeps the tie: swapcache_written), so that a free while
 * the write is in flight parks the frame instead of reusing it under the
 * DMA; then
 * those that got one, and only those, are taken out of their mappings in
 * one kernel call (vm_frames_unmap: a fault meanwhile maps one back and
 * keeps it). Victims left without a slot go back to the policy, never
 * touched. How many will be written. */
size_t swap_batch_prepare(struct write_batch *b)
{
	static uint64_t pa[WRITE_BATCH];
	struct swap_slots *slots = swap_engine_slots();
	size_t got = 0;
	uint32_t first, len;

	/* A device gone for good takes no writes: victims queued before it
	 * went stay in memory, not retired one failed write at a time. */
	size_t want = swap_device_gone() ? 0 : b->n;

	while (got < want && (len = swap_slot_alloc_run(slots, (uint32_t)(want - got), &first)) > 0)
		for (uint32_t k = 0; k < len; k++, got++) {
			b->v[got].slot = first + k;
			swapcache_tie(b->v[got].slot, b->v[got].pa);
			pa[got] = b->v[got].pa;
		}
	vm_frames_unmap(pa, got);	/* one kernel call, not one a page */
	if (got < b->n && !swap_device_gone())
		note_full();
	for (size_t k = got; k < b->n; k++)
		give_back(b->v[k].pa);
	b->n = got;
	b->at_floor = frames_free() <= frames_reserve();
	return got;
}

/* slot's write failed, its page kept: a slot the device itself failed is
 * retired (bad, never used again), counted in b to be said with the
 * batch's others; one whose write never reached the device, or whose
 * device is gone, is only let go, and so is one a device judged to fail
 * whatever it is given failed (swap_device_failing: the failure is the
 * device's, not the slot's), unless its write may still land late. */
static void write_failed(struct write_batch *b, uint32_t slot, int err)
{
	if (!swap_err_from_device(err) || swap_device_gone()) {
		b->unsent += err == SWAP_ERR_UNSENT;
		swap_slot_release(slot);	/* the allocation's own reference */
		return;
	}
	vmstat_count(VMSTAT_SWAP_WRITE_ERRORS);
	b->failed++;
	b->late += err == SWAP_ERR_LATE;
	if (swap_device_failing() && err != SWAP_ERR_LATE) {
		swap_slot_release(slot);
		return;
	}
	swap_slot_mark_bad(swap_engine_slots(), slot);
	swap_history_forget(slot);
	if (b->retired++ == 0) {
		b->first_bad = slot;
		b->bad_err = err;
	}
}

/* One console line a batch, however many of its slots were retired: each
 * line is said with the pager lock held. */
static void say_retired(const struct write_batch *b)
{
	if (b->retired == 1)
		printf("pager: swap: writing slot %u failed (%d); the page stays in memory\n",
		       b->first_bad, b->bad_err);
	else if (b->retired > 1)
		printf("pager: swap: writing slot %u failed (%d), and %u more slots of its batch; "
		       "those slots are retired, the pages stay in memory\n",
		       b->first_bad, b->bad_err, b->retired - 1);
}

/* Page k's write is over: evict it (1: its frame may go), or keep it in
 * memory (written to since, or the write failed: write_failed). */
static int settle_write(struct write_batch *b, size_t k)
{
	uint64_t pa = b->v[k].pa;
	uint32_t slot = b->v[k].slot;
	int clean = swapcache_writing(pa);	/* not written since */
	int kept = vm_frame_kept_by_fault(pa);	/* referenced meanwhile */

	/* Kept, written well and still mapped (one let go since is freed):
	 * a private page's slot stays tied as its clean copy (the
	 * allocation's reference is the frame's hold), as a page read back
	 * is. */
	if (kept && clean && b->err[k] == 0 && !vm_frame_parked(pa) &&
	    swapcache_keep_written(slot, pa))
		return 0;
	swapcache_untie(slot);	/* the write is over */
	if (b->err[k] != 0) {
		write_failed(b, slot, b->err[k]);
		return 0;
	}
	/* The device went after the write (its driver ended): its copy can
	 * never be read, so the page stays (keep_tied's rule). */
	if (clean && !kept && !swap_device_gone() && vm_evict(pa, slot) > 0) {
		evicted(slot, pa);
		vmstat_count(VMSTAT_PSWPOUT);
		vmstat_count_n(VMSTAT_PSWPOUT_AT_FLOOR, b->at_floor != 0);
		swap_slot_release(slot);	/* the allocation's own reference */
		return 1;
	}
	swap_slot_release(slot);
	return 0;
}

/* pa stays in memory after its write: back to the policy, as used if a
 * fault kept it or a write made its write stale meanwhile (a use after
 * the policy let it go: swap_reclaim_hooks's kept; a mapping the mmu would
 * not take out counts so too, as a write through it may have come). */
static void back_after_write(uint64_t pa, int used)
{
	const struct swap_reclaim_hooks *h = swap_engine_hooks();

	if (used && h->kept)
		h->kept(pa);
	else
		h->put_back(pa);
}

/* After the write: hand each page to the VM core, or keep it, or free it
 * (let go during the write). Frames freed. */
size_t swap_batch_finish(struct write_batch *b)
{
	static uint64_t gone[WRITE_BATCH];
	size_t freed = 0;

	b->retired = b->unsent = b->failed = b->late = 0;
	/* The batch's pages run on in their spaces: one unmap call for a run,
	 * not one a page. Nothing is freed until it is sent. The hold does
	 * not nest (vm_unmaps_hold), and nothing below takes it again: no
	 * step allocates a frame, so none reclaims into another batch. */
	vm_unmaps_hold(1);
	for (size_t k = 0; k < b->n; k++) {
		uint64_t pa = b->v[k].pa;
		/* Asked first: the write's end clears both. */
		int used = vm_frame_kept_by_fault(pa) || swapcache_dirtied(pa);
		if (settle_write(b, k)) {
			gone[freed++] = pa;
			continue;
		}
		vm_frame_write_end(pa);
		if (vm_frame_parked(pa))	/* let go during the write, tie now gone */
			gone[freed++] = pa;
		else
			back_after_write(pa, used);
	}
	unhold_and_free(gone, freed);
	say_retired(b);
	return freed;
}

/* Whether the device wrote any of b's pages. */
static int wrote_any(const struct write_batch *b)
{
	for (size_t k = 0; k < b->n; k++)
		if (b->err[k] == 0)
			return 1;
	return 0;
}

/* How b's writes failed. Pages written again alone of which the device
 * wrote none say that it fails whatever it is given, or that every slot
 * it was given is bad (failing.c tells them apart). A batch that wrote
 * nothing and failed only late (SWAP_ERR_LATE: never written again alone)
 * is a link whose writes all hang and are lost
 * with it, failing too: its slots are retired all the same, but writes are
 * then held back rather than retire the area a batch at a time. Linux's
 * reclaim tries again after a failed write as after any round without
 * progress, but retires nothing. A failure the resends do not judge (a
 * batch of one page, a write never sent) may pass. */
static enum swap_out_failure failure_of(const struct write_batch *b)
{
	if (b->failed > 0 && b->resent > 0 && b->resent_ok == 0)
		return SWAP_OUT_FAILING;
	if (b->failed > 0 && b->late == b->failed && !wrote_any(b))
		return SWAP_OUT_FAILING;
	/* Not a flush's failure: the next batch's flush fails the same way
	 * (a server whose flushes fail), written in full each time. */
	if (b->failed > 0 || (b->unsent > 0 && !swap_flush_failing()))
		return SWAP_OUT_PASSING;
	return SWAP_OUT_OK;
}

enum swap_out_failure swap_batch_verdict(const struct write_batch *b)
{
	enum swap_out_failure f = failure_of(b);

	swap_failing_judge(f, wrote_any(b));
	return f;
}

void swap_batch_give_back(struct write_batch *b)
{
	for (size_t k = 0; k < b->n; k++)
		give_back(b->v[k].pa);
	b->n = 0;
}

/* Each thread's direct batch, by its I/O client: one at a time, kept
 * while its write is left in flight (the device stalled while its thread
 * waited, holding the lock), its pages tied to their slots and their
 * frames not freed, as while the swap-out thread's write is out; and how
 * many are left (swap.h). */
static struct write_batch direct[PAGER_IO_CLIENTS];
unsigned swap_out_left_count;

/* t's batch b, left in flight, collected (wait: waited for, a wait t may
 * leave again): its pages' results in b->err. 1 once it is, and from then
 * on until it is settled: t has nothing in flight (swap_transfer_collect
 * answers 1 at once), and t sends no write before settling b. */
static int left_collect(struct pager_thread *t, struct write_batch *b, int wait)
{
	return swap_transfer_collect(t, b->v, (unsigned)b->n, b->err, wait);
}

/* A batch collected, settled as any other: its pages kept (none was
 * vouched for but by a flush not made), their slots let go or retired,
 * frames let go meanwhile freed. Frames freed. */
static size_t left_finish(struct write_batch *b)
{
	b->left = 0;
	swap_out_left_count--;
	return swap_batch_finish(b);
}

int swap_out_left_collect(struct pager_thread *t)
{
	if (t->io_client >= PAGER_IO_CLIENTS || !direct[t->io_client].left)
		return 1;
	return left_collect(t, &direct[t->io_client], 1);
}

void swap_out_left_finish(struct pager_thread *t)
{
	struct write_batch *b;

	if (swap_out_left_count == 0 || !t || t->io_client >= PAGER_IO_CLIENTS)
		return;
	b = &direct[t->io_client];
	if (b->left && left_collect(t, b, 0))
		left_finish(b);
}

int swap_out_left_of(const struct pager_thread *t)
{
	return t->io_client < PAGER_IO_CLIENTS && direct[t->io_client].left != 0;
}

/* b's write left in flight: said once, counted each time. */
static void leave(struct write_batch *b)
{
	b->left = 1;
	swap_out_left_count++;
	if (vmstat_get(VMSTAT_SWAP_WRITES_LEFT) == 0)
		printf("pager: swap: %s began an outage with a direct reclaim's write in flight: "
		       "its thread stopped waiting rather than hold the pager lock until the end; "
		       "its pages stay in memory, to be written again (said once; vmstat's "
		       "swap_writes_left counts them)\n", swap_engine_where());
	vmstat_count(VMSTAT_SWAP_WRITES_LEFT);
}

static void put_back_all(const uint64_t *pa, size_t n)
{
	for (size_t k = 0; k < n; k++)
		swap_batch_put_back(pa[k]);
}

size_t swap_out_now(const uint64_t *pa, size_t n, enum swap_out_failure *failed)
{
	struct pager_thread *t = pager_holder();
	struct write_batch *b;
	size_t freed = 0, written;

	*failed = SWAP_OUT_OK;
	if (n > SWAP_OUT_BATCH)
		n = SWAP_OUT_BATCH;
	/* No channel to the device (kswapd's): no tags to write with. */
	if (t->io_client >= PAGER_IO_CLIENTS) {
		put_back_all(pa, n);
		return 0;
	}
	b = &direct[t->io_client];
	/* What this thread left in flight first: its tags are the device's
	 * until then. Left again (the device still in an outage: backend.h's
	 * collect), nothing more is written now. */
	if (b->left) {
		if (!left_collect(t, b, 1)) {
			put_back_all(pa, n);
			return 0;
		}
		freed = left_finish(b);
	}
	b->n = 0;
	for (size_t k = 0; k < n; k++)
		b->v[b->n++] = (struct swap_req){ pa[k], 0, 0 };
	freed += swap_batch_drop_clean(b, 0);
	if (swap_batch_prepare(b) == 0)
		return freed;
	/* Direct: the lock stays held while the device works, unless it
	 * stalls (an outage): then the write is left in flight, its pages
	 * unmapped and tied to their slots until it is collected. */
	swap_batch_write(t, b);
	if (swap_transfer_left(t)) {
		leave(b);
		return freed;
	}
	written = swap_batch_finish(b);
	*failed = swap_batch_verdict(b);
	return freed + written;
}

void swap_out_left_reset(void)
{
	memset(direct, 0, sizeof(direct));
	swap_out_left_count = 0;
}
