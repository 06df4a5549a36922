/*
 * Freeing frames, cheapest first (free.h): unlocked pages cost nothing to
 * drop; then victims of the replacement policy go through swap, written at
 * once by direct reclaim (the thread marked as freeing memory meanwhile,
 * so the reserve is its if need be) or queued for the swap-out thread by
 * background reclaim, which never floods the queue and, while it is
 * patient, looks at a few frames per page it wants so that a round may
 * find nothing and the program gets time to touch its pages again.
 * While the swap device rides out an outage, or the swap-out thread's
 * write to it is overdue, direct reclaim writes nothing; while writes are
 * held back for a device that fails everything, neither direct nor
 * background reclaim takes a victim to write.
 */
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/look_budget.h"
#include "reclaim/victims.h"
#include "swap/swap.h"
#include "vm/vm.h"

/* Direct batches in a row that free nothing for failed writes (slots
 * retired, or writes never sent) before reclaim says it made no progress,
 * and the fault meets the OOM killer: Linux's MAX_RECLAIM_RETRIES, the
 * rounds of reclaim without progress its allocator makes before it calls
 * the OOM killer (should_reclaim_retry, mm/page_alloc.c). Without it, one
 * failed batch (a request with a bad sector, a moment without memory to
 * send it) failed the fault while swap had room. A batch whose pages the
 * device failed even when written again alone (SWAP_OUT_FAILING) is
 * followed by another only until the engine judges that the device fails
 * whatever it is given (swap_out_failing: two such batches in a row, any
 * thread's): each batch more would retire its slots for good, the lock
 * held (up to 512 for one fault before session 20). */
#define FAILED_BATCHES_MAX 16

/* Whether direct reclaim writes nothing now, the device as it is. Not
 * while it rides out an outage (swap_out_stalled): the write, made with
 * the lock held, would hold every pager thread until the outage ends (a
 * minute or two: a swap server's restart), deaths unreaped; the fault
 * that wanted it waits instead, the lock let go (kswapd_throttle_again),
 * for the writes the swap-out thread has or is given, which free frames
 * when the server is back. Nor while the swap-out thread's write is
 * overdue (swap_out_overdue): a device that stopped answering, whose
 * disk is ended or whose outage begins only at the write's bound (60 s;
 * netd's 20 s), would hold them as long, or longer (a server that
 * answers reads and hangs writes, whose outages each check read ends);
 * the fault waits so too. Nor while writes are held back for a device that fails
 * everything (swap_out_failing): the fault meets the OOM killer as with
 * swap full. */
static int direct_writes_held(void)
{
	return swap_out_stalled() || swap_out_overdue() || swap_out_failing();
}

/* A batch chosen and written now, unless direct_writes_held; frames
 * freed. */
static size_t swap_out_direct(void)
{
	uint64_t v[SWAP_OUT_BATCH];
	int was_memalloc;
	enum swap_out_failure failed;
	uint64_t looked;
	size_t freed, n;
	unsigned rounds = 0;

	if (!swap_has_room(1) || direct_writes_held())
		return 0;
	/* A write this thread left in flight, still out (netd, past the
	 * outage's bound, still riding it out): swap_out_now would write
	 * nothing and hand the batch back, so none is chosen. */
	if (!swap_out_left_collect(pager_holder()))
		return 0;
	/* A whole batch whatever was asked: one bigger write is cheaper than
	 * several small ones. */
	was_memalloc = pager_memalloc_begin();	/* freeing memory: the reserve is ours if need be */
	do {
		looked = vmstat_get(VMSTAT_PGSCAN);
		n = victims_choose(v, SWAP_OUT_BATCH, 0);
		vmstat_count_n(VMSTAT_PGSCAN_DIRECT, (int64_t)(vmstat_get(VMSTAT_PGSCAN) - looked));
		freed = swap_out_now(v, n, &failed);
	} while (freed == 0 && failed != SWAP_OUT_OK && ++rounds < FAILED_BATCHES_MAX &&
		 swap_has_room(1) && !direct_writes_held());
	pager_memalloc_end(was_memalloc);
	vmstat_count_n(VMSTAT_PGSTEAL_DIRECT, (int64_t)freed);
	vmstat_count(VMSTAT_ALLOCSTALL);
	return freed;
}

/* Up to want victims into the swap-out queue; a push into a full queue is
 * refused and the page goes back to the policy, to be met again later.
 * Patient: looks at a few frames per page wanted and never looks again at
 * once when every one was referenced. How many were queued. */
static size_t swap_out_background(size_t want, int patient)
{
	uint64_t v[SWAP_OUT_BATCH];
	uint64_t looks = patient ? reclaim_look_budget(want) : UINT64_MAX;
	uint64_t start = vmstat_get(VMSTAT_PGSCAN), looked;
	size_t queued = 0, n;

	if (!swap_has_room(0) || swap_out_failing())
		return 0;
	while (queued < want && (looked = vmstat_get(VMSTAT_PGSCAN) - start) < looks &&
	       swap_out_room() > 0) {
		n = victims_choose(v, want - queued, patient ? (uint32_t)(looks - looked) : 0);
		if (n == 0)
			break;
		for (size_t k = 0; k < n; k++) {
			if (swap_out_queue(v[k]) < 0)
				victims_put_back(v[k]);	/* refused: met again later */
			else
				queued++;
		}
	}
	vmstat_count_n(VMSTAT_PGSCAN_KSWAPD, (int64_t)(vmstat_get(VMSTAT_PGSCAN) - start));
	return queued;
}

size_t reclaim_pages(size_t want, enum reclaim_how how)
{
	size_t n = vm_discard_some(want, reclaim_look_budget(want));

	if (n > 0) {
		vmstat_count_n(how == RECLAIM_DIRECT ? VMSTAT_PGSTEAL_DIRECT :
			       VMSTAT_PGSTEAL_KSWAPD, (int64_t)n);
		if (how == RECLAIM_DIRECT)
			vmstat_count(VMSTAT_ALLOCSTALL);
		return n;
	}
	if (!swap_on())
		return 0;
	if (how == RECLAIM_DIRECT)
		return swap_out_direct();
	return swap_out_background(want, how == RECLAIM_PATIENT);
}

size_t reclaim_for_fault(size_t want)
{
	return reclaim_pages(want, RECLAIM_DIRECT);
}
