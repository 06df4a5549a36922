/*
 * Freeing frames, cheapest first (free.h): unlocked pages cost nothing to
 * drop; then victims of the replacement policy go through swap, written at
 * once by direct reclaim (the thread marked as freeing memory meanwhile,
 * so the reserve is its if need be) or queued for the swap-out thread by
 * background reclaim, which never floods the queue and, while it is
 * patient, looks at a few frames per page it wants so that a round may
 * find nothing and the program gets time to touch its pages again. When
 * nothing can be written (swap full, gone or off), direct reclaim has the
 * policy choose among the pages that go without I/O alone, and drops
 * them: a page that must be written is never chosen to be put back.
 */
#include "base/threads.h"
#include "base/vmstat.h"
#include "reclaim/free.h"
#include "reclaim/victims.h"
#include "swap/swap.h"
#include "vm/vm.h"

/* Frames background reclaim may look at per page it was asked for, in one
 * go. Enough for lru2's two looks at a page used once and a promotion or
 * two; few enough that a page it marks is not looked at again before the
 * program has run (see policy.h, max_looks). */
#define BACKGROUND_LOOKS 4

/* A batch chosen and written now; frames freed. */
static size_t swap_out_direct(void)
{
	uint64_t v[SWAP_OUT_BATCH];
	struct pager_thread *t = pager_holder();
	int was_memalloc = t->memalloc;
	uint64_t looked;
	size_t freed, n;

	/* A whole batch whatever was asked: one bigger write is cheaper than
	 * several small ones. */
	t->memalloc = 1;	/* freeing memory: the reserve is ours if need be */
	looked = vmstat_get(VMSTAT_PGSCAN);
	n = victims_choose(v, SWAP_OUT_BATCH, 0, 0);
	vmstat_count_n(VMSTAT_PGSCAN_DIRECT, (int64_t)(vmstat_get(VMSTAT_PGSCAN) - looked));
	freed = swap_out_now(v, n);
	t->memalloc = was_memalloc;
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
	uint64_t looks = patient ? BACKGROUND_LOOKS * want + SWAP_OUT_BATCH : UINT64_MAX;
	uint64_t start = vmstat_get(VMSTAT_PGSCAN), looked;
	size_t queued = 0, n;

	while (queued < want && (looked = vmstat_get(VMSTAT_PGSCAN) - start) < looks &&
	       swap_out_room() > 0) {
		n = victims_choose(v, want - queued, patient ? (uint32_t)(looks - looked) : 0, 0);
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

/* Pages brought back that a drop can have sent away: filled again from
 * their program file, or read back from the slot that kept their clean
 * copy (readahead's too). */
static uint64_t refills(void)
{
	return vmstat_get(VMSTAT_FAULTS_IMAGE) + vmstat_get(VMSTAT_PSWPIN);
}

/* What the last drop freed, and when: program time (victims_now) and
 * refills() then. */
struct drop_mark {
	uint64_t now, refills, dropped;
};
static struct drop_mark last_drop;

/* Thrashing: since the last drop, the programs have brought back as many
 * pages as it dropped (refills), and taken fewer frames than that for
 * anything else: the frames it freed went back to the pages they run (the
 * uncounted-fault rule hides a page's use in the fault that brought it in,
 * so the policy sees those as unused). Dropping more buys nothing lasting;
 * with nothing to write, memory is gone, as it is when nothing can be
 * dropped (Linux's reclaim can thrash so for minutes before its OOM killer
 * acts). */
static int drops_refilled(void)
{
	uint64_t back_now = refills(), now = victims_now();
	uint64_t back = back_now - last_drop.refills, taken = now - last_drop.now;

	/* Counts behind the marks: a VM core made afresh (the host tests). */
	if (last_drop.dropped == 0 || back_now < last_drop.refills || now < last_drop.now)
		return 0;
	return back >= last_drop.dropped && (taken > back ? taken - back : 0) < last_drop.dropped;
}

/* Nothing can be written: a batch of frames freed by dropping victims the
 * policy chose among those that go without I/O, directly (a request is
 * short of frames). It ends at the first round that frees nothing, and
 * frees nothing while the programs thrash (drops_refilled). Frames
 * freed. */
static size_t drop_only(void)
{
	uint64_t v[SWAP_OUT_BATCH];
	uint64_t start = vmstat_get(VMSTAT_PGSCAN);
	size_t freed = 0, dropped, n;

	if (drops_refilled())
		return 0;
	/* As a write would: a whole batch. */
	while (freed < SWAP_OUT_BATCH) {
		n = victims_choose(v, SWAP_OUT_BATCH - freed, 0, 1);
		if (n == 0 || (dropped = swap_drop_now(v, n)) == 0)
			break;	/* a page chosen and kept is no longer cheap: no spin */
		freed += dropped;
	}
	vmstat_count_n(VMSTAT_PGSCAN_DIRECT, (int64_t)(vmstat_get(VMSTAT_PGSCAN) - start));
	vmstat_count_n(VMSTAT_PGSTEAL_DIRECT, (int64_t)freed);
	vmstat_count(VMSTAT_ALLOCSTALL);
	/* A round that found nothing leaves the marks: it is no progress. */
	if (freed > 0)
		last_drop = (struct drop_mark){ victims_now(), refills(), freed };
	return freed;
}

size_t reclaim_pages(size_t want, enum reclaim_how how)
{
	size_t n = vm_discard_some(want);

	if (n > 0) {
		vmstat_count_n(how == RECLAIM_DIRECT ? VMSTAT_PGSTEAL_DIRECT :
			       VMSTAT_PGSTEAL_KSWAPD, (int64_t)n);
		if (how == RECLAIM_DIRECT)
			vmstat_count(VMSTAT_ALLOCSTALL);
		return n;
	}
	if (!victims_ready())
		return 0;	/* no policy to choose (its memory could not be had) */
	/* Background reclaim drops nothing then: with memory full of pages
	 * to write, its stop mark is out of reach, and it would drop for
	 * ever the pages the programs run, which they fill again at once. */
	if (!swap_has_room())
		return how == RECLAIM_DIRECT ? drop_only() : 0;
	if (how == RECLAIM_DIRECT)
		return swap_out_direct();
	return swap_out_background(want, how == RECLAIM_PATIENT);
}

size_t reclaim_for_fault(size_t want)
{
	return reclaim_pages(want, RECLAIM_DIRECT);
}
