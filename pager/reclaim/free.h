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
 * says. How many frames were freed, or victims queued. */
size_t reclaim_pages(size_t want, enum reclaim_how how);
/* The VM core found no frame free for a page (its reclaim hook): directly. */
size_t reclaim_for_fault(size_t want);

#endif
