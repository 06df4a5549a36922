/*
 * The insertion rule's note (victims.c): the frames a policy whose fault
 * does not count took in, and when their accessed bits must be cleared.
 * Plain C and inline (one per allocation on the first-touch path), so the
 * rule is host-tested alone (tests/host/test_uncounted.c).
 */
#ifndef PAGER_RECLAIM_UNCOUNTED_H
#define PAGER_RECLAIM_UNCOUNTED_H

#include <stdint.h>
#include "vm/harvest_batch.h"

/*
 * The bound is in faults served, not frames noted: the references lost are
 * those a program makes between its fault and the clearing, and a note of
 * frames is a different delay under every fault-around setting (32 frames
 * were 32 faults at faultaround=0, 3.6 at 8). What is counted is the
 * allocations the policy is told of (victims.c: one observe or observe_run
 * call each): a fault's new page, or its fault-around run, is one; so is a
 * copy-on-write copy; a swap-in's pages read ahead are one each (frames
 * taken one by one). The note is cleared when the 9th allocation's frames
 * arrive, before they are noted: the frames cleared then are the earlier
 * allocations', whose faults have been answered.
 *
 * 8 is pagesim's sweep (docs/policies.md, "The insertion rule's late
 * clearing"): at the pager's 32 victims per look, a delay of up to 16
 * faults keeps every policy whose rule is 0 but sieve within 1% of its
 * misses cleared at once; 8 keeps a margin (mglru, clock, s3fifo, 2q and car
 * within ~0.1%, clockpro +0.27%, its step is at 32). sieve loses at any
 * delay (+4.2% at 8): none can be short enough for it.
 */
#define UNCOUNTED_FAULTS 8
/* The most frames noted: one clearing batch, so a full note of frames each
 * mapped once is one harvest call (fewer when runs join). */
#define UNCOUNTED_FRAMES VM_HARVEST_BATCH
_Static_assert(VM_RUN_MAX <= UNCOUNTED_FRAMES, "a fault's run fits an empty note");

struct uncounted_note {
	uint32_t faults;	/* allocations noted since the last clearing */
	uint32_t n;		/* frames noted: frame[0..n) */
	uint32_t frame[UNCOUNTED_FRAMES];
};

/* 1 if t must be cleared before an allocation of frames new frames is
 * noted: it holds UNCOUNTED_FAULTS allocations' frames already, or these
 * would not fit (then the whole run waits for the next clearing). */
static inline int uncounted_due(const struct uncounted_note *t, uint32_t frames)
{
	return t->faults == UNCOUNTED_FAULTS || t->n + frames > UNCOUNTED_FRAMES;
}

/* Note one allocation of frames new frames (after the clearing
 * uncounted_due asked for): where the caller writes their indices. */
static inline uint32_t *uncounted_add(struct uncounted_note *t, uint32_t frames)
{
	uint32_t *at = &t->frame[t->n];

	t->n += frames;
	t->faults++;
	return at;
}

/* The note was cleared: it starts again, empty. */
static inline void uncounted_empty(struct uncounted_note *t)
{
	t->n = 0;
	t->faults = 0;
}

#endif
