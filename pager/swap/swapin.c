/*
 * The swap-in thread: woken when the swapper queues slots to read ahead of
 * the faults that will want them, it serves the swap-in queue until it is
 * empty. Faults never wait for it; they read their own pages directly.
 */
#include "swap/swapin.h"
#include "swap/swapper.h"
#include "swap/blkdev.h"
#include "base/threads.h"
#include "reclaim/reclaim.h"

static struct pager_thread swapin;

static void swapin_main(struct pager_thread *t)
{
	for (;;) {
		pager_thread_wait(t, t->wake, TB_WORK);
		pager_lock(t);
		while (swapper_read_queued(t) >= 0)
			;
		pager_unlock(t);
	}
}

int swapin_init(void)
{
	int r = pager_thread_start(&swapin, "swapin", BLKDEV_SWAPIN, swapin_main);
	uint64_t start, stop, min;

	if (r < 0)
		return r;
	/* Reading ahead never drives memory down to where faults reclaim. */
	reclaim_watermarks(&start, &stop, &min);
	swapper_set_swapin_thread(&swapin, 2 * min);
	return 0;
}

int swapin_note(void)
{
	return swapin.wake;
}
