/*
 * Freeing frames for the pager's reclaim: the one place that decides the
 * order, cheapest first.
 */
#ifndef PAGER_RECLAIM_FREE_H
#define PAGER_RECLAIM_FREE_H

#include <stddef.h>

enum reclaim_how {
	RECLAIM_DIRECT,		/* a request waits: write a batch now */
	RECLAIM_BACKGROUND,	/* kswapd: queue victims for the swap-out thread */
	RECLAIM_PATIENT		/* kswapd with time to spare: look only a little */
};

/* Free up to want frames: unlocked (discardable) pages first, dropped
 * without any I/O; only when there are none, pages through swap as how
 * says, or, when nothing can be written (swap full, gone or off), victims
 * that go without I/O, dropped at once (direct: a batch), bar program
 * pages a refault holds (victims.h). How many frames were freed, or
 * victims queued. */
size_t reclaim_pages(size_t want, enum reclaim_how how);
/* Nothing can be written (swap full, gone or off) and the policy is
 * there: reclaim drops, and frees at once, or frees nothing. */
int reclaim_drops_only(void);
/* For a process asked to give memory back, whose fault found no frame: a
 * batch dropped directly as reclaim_pages would, the pages a refault
 * holds too, so that it can run to give back (critical.c). Frames
 * freed. */
size_t reclaim_drop_held_too(void);
/* Drop rounds made so far (one skipped, as nothing could be dropped or
 * nothing changed since one found nothing, is not): exposed for the host
 * tests. */
uint64_t reclaim_drop_rounds(void);
/* The VM core found no frame free for a page (its reclaim hook): directly. */
size_t reclaim_for_fault(size_t want);

#endif
