/*
 * The insertion rule's note (victims.c): the frames a policy whose fault
 * does not count took in, and when their accessed bits must be cleared.
 * Plain C and inline (one per allocation on the first-touch path), so the
 * rule is host-tested alone (tests/host/test_uncounted.c).
 */
#ifndef PAGER_RECLAIM_UNCOUNTED_H
#define PAGER_RECLAIM_UNCOUNTED_H

#include <stdint.h>
#include "kernel/abi/vm.h"	/* HARVEST_IN_PLACE */
#include "swap/swap.h"		/* SWAP_OUT_BATCH */
#include "vm/vm.h"		/* VM_RUN_MAX */

/*
 * Two bounds on the delay between a fault and its bit's clearing; the
 * tighter governs.
 *
 * In frames, UNCOUNTED_FRAMES: the look interval. The pager's looks come
 * every SWAP_OUT_BATCH frames reclaim wants (reclaim/free.c), each
 * clearing the note first: a note that long is cleared no later than the
 * next look would clear it under pressure, and a longer one outlasts the
 * interval, where pagesim's clockpro steps (docs/policies.md, "The
 * insertion rule's late clearing": its misses rise at delays just under
 * the look interval, the table delay_table.py prints). At the
 * default faultaround 8 (up to nine frames a fault) this is the bound that
 * governs: about 3.6 faults.
 *
 * In allocations, UNCOUNTED_FAULTS: cleared when the 9th allocation's
 * frames arrive, before they are noted (the frames cleared then are the
 * earlier allocations', whose faults have been answered). It governs at
 * faultaround=0, one frame a fault: there the note is pagesim's
 * --clear-note 8 (a note cleared whole, not the sliding --clear-delay N),
 * whose column in docs/policies.md ("The insertion rule's late clearing")
 * gives clockpro +0.85%, 2q +0.15%, sieve +2.19% and the others 0.05% or
 * less. Why 8: it is chosen, not derived. The table's tolerance is 1%
 * more misses; every policy but sieve keeps it at notes of 8 and 16
 * (clockpro +0.75% at 16), and at 32 clockpro loses it in one step
 * (+6.85%) while the others stay within 0.1%; sieve keeps it at no delay
 * (+1.35% at one fault) and loses more the longer the note (+4.64% at 16). 8 is half the largest note that
 * held, a quarter of the step, and sieve's loss there is half its loss at
 * 16. A smaller note costs a harvest call more often (one a note at
 * faultaround=0), and no note below 8 was measured (the sliding delay
 * below 8 shows no trend but sieve's). pagesim has no fault-around or
 * readahead, so its answer carries over only at
 * faultaround=0. What is counted is the allocations the
 * policy is told of (victims.c: one observe or observe_run call each): a
 * fault's new page, or its fault-around run, is one; so is a copy-on-write
 * copy; but a swap-in's pages read ahead are one each (frames taken one by
 * one), so the bound is in allocations, not strictly in faults served.
 */
#define UNCOUNTED_FAULTS 8
#define UNCOUNTED_FRAMES SWAP_OUT_BATCH
_Static_assert(VM_RUN_MAX <= UNCOUNTED_FRAMES, "a fault's run fits an empty note");
/* A full note of frames each mapped once is one harvest call, answered in
 * place (fewer entries when runs join). */
_Static_assert(UNCOUNTED_FRAMES <= HARVEST_IN_PLACE, "a note's clearing is one call");

struct uncounted_note {
	uint32_t faults;	/* allocations noted since the last clearing */
	uint32_t n;		/* frames noted: frame[0..n) */
	uint32_t frame[UNCOUNTED_FRAMES];
};

/* Clears the accessed bits of t's frames (victims.c: one harvest call);
 * ctx is the caller's. */
typedef void uncounted_clear_fn(void *ctx, const struct uncounted_note *t);

/* 1 if t must be cleared before an allocation of frames new frames is
 * noted: it holds UNCOUNTED_FAULTS allocations' frames already, or these
 * would not fit (then the whole run waits for the next clearing). */
static inline int uncounted_due(const struct uncounted_note *t, uint32_t frames)
{
	return t->faults == UNCOUNTED_FAULTS || t->n + frames > UNCOUNTED_FRAMES;
}

/* Clear t's frames through clear, and start it again, empty (also before
 * a look: victims_choose). */
static inline void uncounted_clear(struct uncounted_note *t, uncounted_clear_fn *clear, void *ctx)
{
	clear(ctx, t);
	t->n = 0;
	t->faults = 0;
}

/* Note one allocation of frames new frames, clearing t first if it is
 * due: where the caller writes their indices. Inline with clear known, the
 * call to it is direct (the first-touch path). */
static inline uint32_t *uncounted_take(struct uncounted_note *t, uint32_t frames,
				       uncounted_clear_fn *clear, void *ctx)
{
	uint32_t *at;

	if (uncounted_due(t, frames))
		uncounted_clear(t, clear, ctx);
	at = &t->frame[t->n];
	t->n += frames;
	t->faults++;
	return at;
}

#endif
