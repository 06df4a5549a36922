/*
 * Reclaim's look budget: how many pages one reclaim call may look at for
 * the pages it wants. One rule for both walks that take a budget: the
 * policy's while background reclaim is patient (free.c, policy.h's
 * max_looks) and the walk over unlocked pages that comes first in every
 * reclaim (vm_discard_some).
 */
#ifndef PAGER_RECLAIM_LOOK_BUDGET_H
#define PAGER_RECLAIM_LOOK_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include "swap/swap.h"		/* SWAP_OUT_BATCH */

/* Pages looked at per page wanted. Enough for lru2's two looks at a page
 * used once and a promotion or two; few enough that a page the policy
 * marks is not looked at again before the program has run (policy.h,
 * max_looks). The unlocked pages' walk needs no more: it goes on where
 * the last call stopped, so the budget only says how much one call
 * spends on pages that cannot go (shared after a fork, being written)
 * before reclaim turns to the policy, which is what the patient budget
 * bounds too. */
#define LOOKS_PER_PAGE 4

/* LOOKS_PER_PAGE for each page wanted, plus a batch (SWAP_OUT_BATCH, what
 * direct reclaim takes at once and the frames reclaim wants between two
 * looks), so that a call for a page or two does not give up after a
 * handful of looks; saturates rather than wrap. */
static inline size_t reclaim_look_budget(size_t want)
{
	if (want > (SIZE_MAX - SWAP_OUT_BATCH) / LOOKS_PER_PAGE)
		return SIZE_MAX;
	return LOOKS_PER_PAGE * want + SWAP_OUT_BATCH;
}

#endif
