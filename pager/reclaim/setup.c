/*
 * Starting reclaim: the watermarks, the hooks it lends the layers below
 * (the heap's frames, the VM core's reclaim, the swap engine's victims),
 * the background thread, and swap with the replacement policy's state.
 */
#include <stdio.h>
#include "base/config.h"
#include "base/heap.h"
#include "base/heap_alloc.h"
#include "base/slab.h"
#include "reclaim/free.h"
#include "reclaim/kswapd.h"
#include "reclaim/policy/policy.h"
#include "reclaim/reclaim.h"
#include "reclaim/victims.h"
#include "reclaim/watermarks.h"
#include "swap/history.h"
#include "swap/swap.h"
#include "vm/frames.h"
#include "vm/vm.h"

static const struct swap_reclaim_hooks hooks = {
	.put_back = victims_put_back,
	.kept = victims_kept,
	.evicted = victims_evicted,
	.refaulted = victims_refaulted,
	.written = kswapd_batch_written,
	.writes_may_wait = kswapd_writes_may_wait,
	.batch_wait_ns = RECLAIM_WAIT_NS,	/* kswapd_throttle's one wait */
};

/* A page of objects (base/slab.h): a frame the heap lends, seen through
 * the frame table's window. */
static void *object_page(void)
{
	uint64_t pa = heap_frame_take();

	return pa ? frame_ptr(pa) : NULL;
}

static void object_page_back(void *page)
{
	heap_frame_give(frame_pa(page));
}

void reclaim_init(void)
{
	watermarks_set();
	heap_set_frame_source(reclaim_alloc_pinned, frame_free);
	slab_set_page_source(object_page, object_page_back);
	heap_set_refill(reclaim_for_heap);
	vm_set_reclaim(reclaim_for_fault);
	swap_set_reclaim_hooks(&hooks);
	/* Reading ahead never drives memory down to where faults reclaim. */
	swap_in_keep_free(watermarks_read_ahead_floor());
}

int reclaim_start(void)
{
	return kswapd_start();
}

/* swap_start's prepare: the policy's tables, made only for a device swap
 * has checked and taken (malloc's heap keeps its highest size: tables made
 * for a device then refused would cost it for good). 0, or -1 (said). */
static int policy_made(void)
{
	const struct policy_ops *ops = policy_all[config.policy];

	if (victims_init(ops, config.seed) < 0) {
		printf("pager: swap: no memory for the replacement policy's tables; no swap\n");
		return -1;
	}
	swap_history_size(policy_shadows_per_frame(ops));
	return 0;
}

void reclaim_start_swap(const struct swap_backend *backend, struct pager_thread *t)
{
	swap_start(backend, t, policy_made);
	if (swap_on())
		victims_start();
	else
		victims_fini();
}

void reclaim_print(void)
{
	printf("pager: watermarks (free frames of %lu): background reclaim from %lu to %lu, "
	       "direct below %lu, reserve %lu (the pager's and reclaim's only)\n",
	       (unsigned long)frames_total(), (unsigned long)marks.start,
	       (unsigned long)marks.stop, (unsigned long)marks.min,
	       (unsigned long)frames_reserve());
}

void reclaim_watermarks(uint64_t *start, uint64_t *stop, uint64_t *min)
{
	*start = marks.start;
	*stop = marks.stop;
	*min = marks.min;
}
