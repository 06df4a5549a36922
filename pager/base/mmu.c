/*
 * Address-space changes for the VM core, as system calls. A map is held in
 * a small batch so a fault costs one system call (the reply that carries
 * its mappings) rather than one per page; an unmap or protect first sends
 * what is held, so changes reach the kernel in the order they were made.
 * While the caller asks (hold_unmaps: a swap-out batch's evictions, clean
 * pages dropped), unmaps are held too, in runs of pages, all sent as one
 * harvest call (HARVEST_UNMAP) or, a lone run, as one unmap. No buffer
 * here is read by the kernel where it lies, so where link layout puts it
 * costs nothing: a fault's mappings are copied into its reply (service.c
 * keeps that in one page), and SYS_MAP copies its entries in.
 */
#include <stdio.h>
#include "base/mmu.h"
#include "base/placed.h"
#include "sys.h"

struct pending {
	int as;
	struct map_entry e;
};

static struct pending batch[MMU_BATCH];
static size_t held;
static int gone = -1;	/* an address space whose process has ended */

/* Unmaps held back (mmu_ops.hold_unmaps): runs of pages, a harvest entry
 * each (scattered pages too go in one call: a clean page dropped was a
 * system call each), placed where the kernel reads them with no copy. Any
 * other change sends them first. */
struct held_unmaps {
	struct harvest_entry e[HARVEST_IN_PLACE];
};
#define UNMAPS_ALIGN PLACED_ALIGN(sizeof(struct held_unmaps))
PLACED_SPACE(unmaps_space, struct held_unmaps, UNMAPS_ALIGN, 1);
static size_t unmaps_n;	/* entries held */
static int holding;
static int refused;	/* the first error to a held unmap: hold_unmaps(0) says it */

static struct harvest_entry *unmaps(void)
{
	return ((struct held_unmaps *)placed(unmaps_space, UNMAPS_ALIGN))->e;
}

/* Both kinds of change held for as are dropped: its frames are about to
 * be freed and its handle closed, so a map sent later would go to a closed
 * handle, or to another process given the same handle number. */
void mmu_forget(int as)
{
	struct harvest_entry *e = unmaps();
	size_t kept = 0;

	gone = as;
	for (size_t k = 0; k < unmaps_n; k++)
		if (e[k].proc != (uint32_t)as)
			e[kept++] = e[k];
	unmaps_n = kept;
	kept = 0;
	for (size_t k = 0; k < held; k++)
		if (batch[k].as != as)
			batch[kept++] = batch[k];
	held = kept;
}

/* A process killed while the pager worked for it (a fault waiting for the
 * disk, a page shared with one being written out) is not reaped yet, but
 * the kernel has freed its page tables: there is nothing left to change,
 * and it says so with -ERR_SRCH. That is success, not a failure that the
 * fault path would take for out of memory, and answer with an OOM kill. */
static int ended_is_done(int r)
{
	return r == -ERR_SRCH ? 0 : r;
}

/* n pages from va out of as, a failure said on the console. */
static int unmap_pages(int as, uint64_t va, uint64_t n)
{
	int r = ended_is_done(sys_unmap(as, va, n));

	if (r < 0)
		printf("pager: unmapping %llu pages from handle %d failed: error %d\n",
		       (unsigned long long)n, as, -r);
	return r;
}

/* One held run as an unmap call; a refusal is remembered for the hold's
 * end (its frames then may still be mapped). */
static void unmap_entry(const struct harvest_entry *e)
{
	int r = unmap_pages((int)e->proc, e->va, harvest_run_pages(e->bits));

	if (r < 0 && !refused)
		refused = r;
}

/* A harvest fails whole for one bad entry (a handle closed under it, say):
 * then each run alone, as unmaps. A process ended but not reaped is no
 * failure (its entries answer 0). */
__attribute__((noinline)) static void send_unmaps_held(void)
{
	struct harvest_entry *e = unmaps();
	size_t n = unmaps_n;

	unmaps_n = 0;
	if (n > 1 && sys_harvest(e, n) >= 0)
		return;
	for (size_t k = 0; k < n; k++)
		unmap_entry(&e[k]);
}

/* Inline: each fault asks three times, and almost always none is held. */
static inline void send_unmaps(void)
{
	if (unmaps_n)
		send_unmaps_held();
}

/* Whether any held map is for as. */
static int holds_for(int as)
{
	for (size_t i = 0; i < held; i++)
		if (batch[i].as == as)
			return 1;
	return 0;
}

/* A SYS_MAP the kernel refused part way made the entries before the one
 * it refused and none after (kernel/vmcall.h), and does not say which:
 * each of e[0..n) goes again alone, so that a page that was mapped to
 * another frame (a copy-on-write break's copy over the shared frame) does
 * not keep the old one, which the VM core frees. Alone, an entry over a
 * mapped page is never refused (its table is there); one that still is
 * is a page that had no mapping, mapped again at its fault (vm/fault.c's
 * present page). Never clean, as that fault maps: an entry made by the
 * refused call may have been written since, and its dirty bit would be
 * forgotten. Out of line: the calls are rarely refused. */
__attribute__((noinline, cold)) static void map_each(int as, const struct map_entry *e, size_t n)
{
	size_t failed = 0;

	for (size_t k = 0; k < n; k++) {
		struct map_entry one = e[k];

		one.perm &= ~(uint64_t)MAP_CLEAN;
		failed += ended_is_done(sys_map(as, &one, 1)) < 0;
	}
	if (failed)
		printf("pager: mapping %zu pages into handle %d failed\n", failed, as);
}

/* Send the held mappings of one address space (all, if as < 0). A space
 * with none held leaves the batch unwritten: a fork's protect of each
 * parent page, with the child's maps held, rewrote the whole batch to
 * find none (~590 instructions a page; looking costs ~5 an entry). */
static void send_held(int as)
{
	struct map_entry out[MMU_BATCH];
	size_t kept = 0;

	if (as >= 0 && !holds_for(as))
		return;
	while (held > 0) {
		int target = as >= 0 ? as : batch[0].as;
		size_t n = 0;
		kept = 0;
		for (size_t i = 0; i < held; i++) {
			if (batch[i].as == target)
				out[n++] = batch[i].e;
			else
				batch[kept++] = batch[i];
		}
		if (n > 0 && ended_is_done(sys_map(target, out, n)) < 0)
			map_each(target, out, n);
		held = kept;
		if (as >= 0)
			break;
	}
}

void mmu_flush(void)
{
	send_unmaps();
	if (held)	/* most calls find nothing held: no frame for send_held's copy */
		send_held(-1);
}

/* How many of as's first maps held, of h, mmu_take leaves: those past
 * max, the earliest, so that the reply carries the latest. Out of line:
 * a fault's take almost always finds max or fewer held at all. */
__attribute__((noinline)) static size_t left_of(int as, size_t h, size_t max)
{
	size_t mine = 0;

	for (size_t i = 0; i < h; i++)
		mine += batch[i].as == as;
	return mine > max ? mine - max : 0;
}

size_t mmu_take(int as, struct map_entry *out, size_t max)
{
	size_t n = 0, kept = 0, h, i, left;

	send_unmaps();
	h = held;	/* a local: held is a size_t, which a store to out may alias */
	/* More of as's than the reply holds: the earliest stay, for the
	 * flush that goes before the reply (fault.c's resume, the lock's
	 * release), so that a page mapped twice ends as it was mapped last. */
	left = h > max ? left_of(as, h, max) : 0;
	/* Mostly every map held is this fault's: those leading the batch are
	 * taken with nothing to move up behind them. */
	for (i = 0; !left && i < h && i < max && batch[i].as == as; i++)
		out[i] = batch[i].e;
	for (n = i; i < h; i++) {
		if (batch[i].as == as && left) {
			left--;
			batch[kept++] = batch[i];
		} else if (batch[i].as == as && n < max)
			out[n++] = batch[i].e;
		else
			batch[kept++] = batch[i];
	}
	held = kept;
	return n;
}

/* Hold e for as, sending the batch first when it is full. */
static inline void hold_map(int as, struct map_entry e)
{
	if (held == MMU_BATCH)
		mmu_flush();
	batch[held++] = (struct pending){ as, e };
}

/* do_map's rare case: unmaps held to send first, or a full batch. Out of
 * line, so that do_map's common case keeps no frame for these calls. */
__attribute__((noinline)) static int map_after_sends(int as, struct map_entry e)
{
	send_unmaps();
	hold_map(as, e);
	return 0;
}

static int do_map(void *ctx, int as, uint64_t va, uint64_t pa, unsigned perm)
{
	(void)ctx;
	if (as == gone)
		return 0;
	if (unmaps_n || held == MMU_BATCH)
		return map_after_sends(as, (struct map_entry){ va, pa, perm });
	hold_map(as, (struct map_entry){ va, pa, perm });	/* room: no flush */
	return 0;
}

/* do_map_run's rare case: unmaps held to send first (once, not before
 * each), or too little room. Out of line, as map_after_sends. */
__attribute__((noinline)) static size_t map_run_after_sends(int as, const struct map_entry *e,
							    size_t n)
{
	send_unmaps();
	for (size_t k = 0; k < n; k++)
		hold_map(as, e[k]);
	return n;
}

/* do_map for a run. When the run fits, one copy into the batch with no
 * check for each entry and no call, so no frame (measured: 7 instructions
 * a first-touched page less with fault-around 8). */
static size_t do_map_run(void *ctx, int as, const struct map_entry *e, size_t n)
{
	size_t h = held;

	(void)ctx;
	if (as == gone)
		return n;
	if (unmaps_n || n > MMU_BATCH - h)
		return map_run_after_sends(as, e, n);
	for (size_t k = 0; k < n; k++)
		batch[h + k] = (struct pending){ as, e[k] };
	held = h + n;
	return n;
}

/* Hold the unmap of (as, va): the last run's next page, or a new run. */
static void hold_unmap(int as, uint64_t va)
{
	struct harvest_entry *e = unmaps();

	if (unmaps_n) {
		struct harvest_entry *last = &e[unmaps_n - 1];
		uint32_t pages = harvest_run_pages(last->bits);

		if (last->proc == (uint32_t)as && last->va + pages * PAGE_SIZE == va &&
		    pages < HARVEST_RUN_MAX) {
			last->bits += 1u << HARVEST_RUN_SHIFT;
			return;
		}
	}
	if (unmaps_n == HARVEST_IN_PLACE)
		send_unmaps_held();
	e[unmaps_n++] = (struct harvest_entry){ (uint32_t)as, HARVEST_UNMAP, va };
}

static int do_unmap(void *ctx, int as, uint64_t va)
{
	(void)ctx;
	if (as == gone)
		return 0;
	if (held)	/* most unmaps find nothing held: no frame for send_held's copy */
		send_held(as);
	if (!holding)
		return unmap_pages(as, va, 1);
	hold_unmap(as, va);
	return 0;
}

/* Before a change to as that is not held: the unmaps held, then as's
 * maps held, so that changes reach the kernel in the order they were made. */
static void send_before(int as)
{
	send_unmaps();
	if (held)
		send_held(as);
}

/* One call for a range (a region's pages dropped): its own held maps are
 * sent before they are undone. A failure is the caller's to mend (page
 * by page): said here, as any unmap's. */
static int do_unmap_range(void *ctx, int as, uint64_t va, uint64_t n)
{
	(void)ctx;
	if (as == gone)
		return 0;
	send_before(as);
	return unmap_pages(as, va, n);
}

static int hold_unmaps(void *ctx, int on)
{
	int r;

	(void)ctx;
	holding = on;
	if (on)
		return 0;
	send_unmaps();
	r = refused;
	refused = 0;
	return r;
}

static int do_protect_range(void *ctx, int as, uint64_t va, uint64_t n, unsigned perm)
{
	(void)ctx;
	if (as == gone)
		return 0;
	send_before(as);
	return ended_is_done(sys_protect(as, va, n, (int)perm));
}

static int do_protect(void *ctx, int as, uint64_t va, unsigned perm)
{
	return do_protect_range(ctx, as, va, 1, perm);
}

/* Everything held goes first: the copy reads from's tables as they are. */
static int do_copy_range(void *ctx, int from, int to, uint64_t va, uint64_t n, unsigned perm)
{
	(void)ctx;
	if (from == gone || to == gone)
		return 0;
	mmu_flush();
	return ended_is_done(sys_copy_maps(from, to, va, n, (int)perm));
}

/* Held mappings go first: a harvest must see them (a page being checked
 * for a write may be one). */
static int do_harvest(void *ctx, struct harvest_entry *e, size_t n)
{
	int r;

	(void)ctx;
	mmu_flush();
	r = sys_harvest(e, n);
	return r < 0 ? r : 0;
}

static const struct mmu_ops ops = {
	.map = do_map, .unmap = do_unmap, .protect = do_protect, .protect_range = do_protect_range,
	.harvest = do_harvest,
	.hold_unmaps = hold_unmaps, .map_run = do_map_run, .unmap_range = do_unmap_range,
	.copy_range = do_copy_range,
};

const struct mmu_ops *mmu_ops(void)
{
	return &ops;
}
