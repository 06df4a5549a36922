/*
 * A device that fails whatever it is given (swap.h's swap_out_failing):
 * judged from the verdicts of the batches written, by any thread, and
 * tried again only after a pause; while judged so, its write failures
 * retire no slot (out.c's write_failed).
 */
#include <stdio.h>
#include "base/clock.h"
#include "kernel/abi/clock.h"
#include "swap/internal.h"
#include "swap/swap.h"

/* Batches in a row whose every page the device failed, each written again
 * alone, before it is judged to fail whatever it is given: one such batch
 * is as likely a bad patch of the disk (its slots, one run, are retired,
 * and the next batch is given others), but a second in a row, on fresh
 * slots, says the device fails everything, and each batch more would
 * retire its slots for good: before session 23 the swap-out thread did,
 * against a device failing for a while, until every slot was retired. */
#define FAILING_BATCHES_MAX 2
/* The pause between tries of a device judged failing. A try costs no slot
 * (its failures retire none), only a batch's requests (the batch, then
 * each page alone) and its pages unmapped while they go, and for direct
 * reclaim the lock held that long; without a pause reclaim would try at
 * every batch it chooses, and kswapd choose, hand back and choose again
 * without end. One a second keeps a failing device's cost to one batch a
 * second, and a device back in service is written again within a second
 * (meanwhile reclaim writes nothing: a shortage meets the OOM killer as
 * with swap full). */
#define FAILING_PAUSE_NS (1000 * CLOCK_NS_PER_MS)

static unsigned failing;	/* batches in a row the device failed wholly */
static int64_t pause_until;	/* while judged failing: no write before then */

int swap_device_failing(void)
{
	return failing >= FAILING_BATCHES_MAX;
}

int swap_out_failing(void)
{
	return swap_device_failing() && pager_clock() < pause_until;
}

void swap_failing_judge(enum swap_out_failure f, int wrote)
{
	if (wrote) {
		if (swap_device_failing())
			printf("pager: swap: %s writes again\n", swap_engine_where());
		failing = 0;
		return;
	}
	if (f != SWAP_OUT_FAILING)
		return;	/* nothing learnt of the device: no write reached it */
	if (failing < FAILING_BATCHES_MAX && ++failing == FAILING_BATCHES_MAX)
		printf("pager: swap: %s failed every page of %u batches in a row (each page also "
		       "written alone, or every write lost with the link): it fails whatever it is "
		       "given; writes now wait %lld ms between tries, which retire no more slots "
		       "but those of writes lost with the link (they may land late), until one is "
		       "written\n",
		       swap_engine_where(), FAILING_BATCHES_MAX,
		       (long long)(FAILING_PAUSE_NS / CLOCK_NS_PER_MS));
	if (swap_device_failing())
		pause_until = pager_clock() + FAILING_PAUSE_NS;
}

void swap_failing_reset(void)
{
	failing = 0;
	pause_until = 0;
}
