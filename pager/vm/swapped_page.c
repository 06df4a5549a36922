/*
 * Bringing a swapped page's contents back for a page entry: the frame the
 * swap cache ties to its slot, or a new frame read through the swap engine
 * with, for a private page, the pages after it in its region that are
 * swapped too, wherever their slots lie (readahead); a frame still being
 * read is waited for. Then the entry names the frame, and the read or the
 * hit is counted. After a stream's read the region's pages past its window
 * are offered to the swap code's swap-in thread.
 */
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/swapcache.h"

/* Whether private page i of r is on the disk alone: it names a slot
 * that no frame holds (one that does is not read again: that would part
 * its sharers). The slot, or 0. Where the slots lie on the disk does not
 * matter (vm.h: read_many). */
static uint32_t only_swapped(const struct vm_region *r, uint64_t i)
{
	uint32_t slot = region_slot(r, i);

	return slot && !swapcache_lookup(slot) ? slot : 0;
}

/* The slots of those of r's pages from .. from + span - 1 that are
 * only_swapped, into slots[]: how many. A run (a window read in the
 * fault's transfer) ends at the first page that is not; otherwise such a
 * page is passed over (present or in the cache, it needs no read). */
static unsigned swapped_slots(const struct vm_region *r, uint64_t from, unsigned span, int run,
			      uint32_t *slots)
{
	uint64_t end = from + span, n = region_pages(r);
	unsigned m = 0;

	for (uint64_t i = from; i < end && i < n; i++) {
		if ((slots[m] = only_swapped(r, i)))
			m++;
		else if (run)
			break;
	}
	return m;
}

/* Frames for the pages after private page i to read with it: up to r's
 * window (judged and sized here, the pages it shows used counted) of the
 * run of swapped_slots after i, their slots in slots[]. frame_alloc_unzeroed
 * (swap_read), never reclaim, for pages nobody asked for yet. How many,
 * frames in pa[]. */
static unsigned readahead_frames(struct vm_region *r, uint64_t i, uint32_t *slots, uint64_t *pa)
{
	unsigned k = 0, n, win, used;
	int stream;

	if (!vm.swap.read_many || !vm.readahead)
		return 0;
	win = readahead_window(&r->ra, &vm.ra_seen, i, vm.readahead, &used, &stream);
	vmstat_count_n(VMSTAT_SWAP_RA_HIT, used);
	for (n = swapped_slots(r, i + 1, win, 1, slots); k < n; k++)
		if (!(pa[k] = frame_alloc_unzeroed()))
			break;
	readahead_ahead(&r->ra, i, k);
	return k;
}

/* Page i's read and its window's are over, and r's window asked for pages
 * further ahead (readahead_further): the slots of those pages after the
 * window that are on the disk alone offered to the swap-in thread, if the
 * window's last page made it in (one whose read failed still names a slot
 * no frame holds). */
static void read_further(struct vm_region *r, uint64_t i)
{
	unsigned want = readahead_further(&r->ra, i), n;
	uint32_t slots[1 + VM_READAHEAD_MAX], last, took;

	if (!want || !vm.swap.read_further)
		return;
	/* i's window ends at ra.next (readahead_further). Its last page is
	 * in the cache, or present: another thread's fault may have mapped
	 * it while this read let the lock go. */
	last = region_slot(r, r->ra.next - 1);
	if (last ? !swapcache_lookup(last) : !region_frame(r, r->ra.next - 1))
		return;
	if (!(n = swapped_slots(r, r->ra.next, want, 0, slots)))
		return;
	took = vm.swap.read_further(vm.swap.ctx, slots, n);
	vmstat_count_n(VMSTAT_SWAP_RA_STREAMS, took != 0);
}

/* The fault's own page, slot's, could not be read: the caller learns
 * which (vm_fault_failed_slot), to try the fault once more. */
static int read_failed(uint32_t slot)
{
	vm.read_failed = slot;
	return VM_FAULT_IO;
}

/* What a read of slot that returned res >= 0 means for the fault: go on
 * (0), or start over, or fail, having let the lock go (nothing may be
 * touched): a read never sent for a shortage fails as short of memory, so
 * the fault is tried again after the waits a shortage gets, not ended as
 * unreadable. */
static int unlocked_result(int res, uint32_t slot)
{
	switch (res) {
	case VM_SWAP_UNLOCKED:
		return VM_FAULT_RETRY;
	case VM_SWAP_UNLOCKED_IO:
		return read_failed(slot);
	case VM_SWAP_UNLOCKED_NOMEM:
		return VM_FAULT_NOMEM;
	default:
		return 0;
	}
}

/* Read slots[0] into a new frame, pa[0], with the readahead window after
 * page i of private region r (none without r) in the same transfer into
 * pa[1..), their slots into slots[1..); *n: the pages read. The lock held,
 * a window that fails to read is given up and the page read alone; let
 * go, the swap code gives up only the pages of the requests that failed
 * (read_many). Only the page's own error fails the fault. VM_FAULT_RETRY:
 * the swap code let the lock go and keeps what it read in its cache.
 * The frames are not zeroed: a read that succeeds writes every byte, and
 * the frame of one that fails is freed unmapped (the swap cache's
 * reading mark keeps every other fault off it meanwhile). */
static int swap_read(struct vm_region *r, uint64_t i, uint32_t *slots, uint64_t *pa,
		     unsigned *n)
{
	uint32_t slot = slots[0];
	unsigned extra;
	int res;

	if (!(pa[0] = vm_frame_alloc_unzeroed()))
		return VM_FAULT_NOMEM;
	/* Chosen after that allocation: its reclaim may send more of r out. */
	extra = r ? readahead_frames(r, i, slots + 1, pa + 1) : 0;
	*n = 1;
	if (extra) {
		res = vm.swap.read_many(vm.swap.ctx, slots, pa, 1 + extra);
		if (res == 0) {
			*n += extra;
			read_further(r, i);
		}
		if (res >= 0)
			return unlocked_result(res, slot);
		for (unsigned k = 1; k <= extra; k++)
			vm_frame_release(pa[k]);	/* freed, unless the swap code tied it anyway */
	}
	res = vm.swap.read(vm.swap.ctx, slot, pa[0]);
	if (res > 0)
		return unlocked_result(res, slot);
	if (res < 0) {
		vm_frame_release(pa[0]);
		return read_failed(slot);
	}
	return 0;
}

int vm_swap_frames(struct vm_region *r, uint64_t i, uint32_t *slots, uint64_t *pa,
		   unsigned *n, int *cached)
{
	uint32_t slot = slots[0];
	uint64_t hit = swapcache_lookup(slot);

	*cached = hit != 0;
	*n = 1;
	if (hit && swapcache_reading(hit)) {
		if (!vm.swap.wait) {
			vm_note_bug("a frame is being read, but the swap code cannot wait for it");
			return VM_FAULT_IO;
		}
		vm.swap.wait(vm.swap.ctx, slot);	/* another fault's read */
		return VM_FAULT_RETRY;
	}
	if (hit) {
		/* Fresh: this fault's own read let the lock go; r is the
		 * region it was read for, found again. */
		if (r && swapcache_fresh(hit))
			read_further(r, i);
		pa[0] = hit;
		return 0;
	}
	if (!vm.swap.read) {
		vm_note_bug("a page names a swap slot, but there is no swap");
		return VM_FAULT_IO;
	}
	return swap_read(r, i, slots, pa, n);
}

int vm_swap_frame(uint32_t slot, uint64_t *pa, int *cached)
{
	unsigned n;

	return vm_swap_frames(NULL, 0, &slot, pa, &n, cached);
}

void vm_swap_claimed(uint32_t slot, uint64_t pa, enum vm_swap_from from, int hold)
{
	/* A fresh frame's first mapping is its read's, found in the cache only
	 * because the swap code let the lock go while reading. */
	if (swapcache_claim(pa) && from == VM_SWAP_CACHED)
		from = VM_SWAP_READ;
	if (!hold || !swapcache_hold(slot, pa))
		swapcache_slot_put(slot);
	if (from == VM_SWAP_CACHED)
		vmstat_count(VMSTAT_SWAP_CACHE_HITS);
	else if (from == VM_SWAP_AHEAD)
		vmstat_count(VMSTAT_SWAP_RA_MAPPED);
	else
		vmstat_count(VMSTAT_PGMAJFAULT);
}
