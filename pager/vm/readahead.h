/*
 * Adaptive swap readahead: one region's window, judged by whether the
 * pages it read were used. Plain C, no other state: the VM core keeps one
 * struct per region and calls these at its swap-in faults.
 */
#ifndef PAGER_VM_READAHEAD_H
#define PAGER_VM_READAHEAD_H

#include <stdint.h>

/*
 * Two kinds of evidence, as in Linux's swap readahead (mm/swap_state.c):
 * hits, faults that find a page read ahead still waiting, unmapped, in the
 * swap cache (at any time before reclaim takes it); and where the region's
 * next major fault lands: just past the last window (`next`), the program
 * went through it all, a stream. A stream's window doubles (up to the
 * most) and is mapped at once with the fault's page (eager), its use then
 * showing only in where the next fault lands; any other window is left in
 * the swap cache for its own faults to find. Outside a stream the window
 * is sized from the share of the pages so left that were hit, over the
 * last few dozen: none while at most half were, the most when all were,
 * changing by at most a factor of two per fault, so windows nobody uses
 * reach none in a few faults; from none, a fault at the page after the
 * last one starts a window of 2. A region's first window is read in full,
 * eagerly. A stream's pages the swap-in thread reads further ahead are
 * left in the cache like any window's, and hits when found; they count as
 * read only once the swap code took them (readahead_further_read): it may
 * take fewer than were offered, or slots of other regions, and pages never
 * read that counted as read would lower the hit share. The first window
 * after a stream ends is no larger than the stream's last: the stream's
 * hits say nothing about the new place.
 */
struct vm_readahead {
	uint64_t next;		/* the page just past the last window */
	uint8_t read;		/* pages left in the cache by the last windows */
	uint8_t hits;		/* read-ahead pages faults found since (both halve
				 * together, so they cover the last few dozen) */
	uint8_t win;		/* the window asked for last (pages) */
	uint8_t pending;	/* pages of the last window, before `next` */
	uint8_t eager;		/* the last window is mapped with its fault */
	uint8_t known;		/* 0: no swap-in fault here yet */
	uint8_t stream;		/* the last window judged was a stream's */
	uint8_t further;	/* pages past `next` the swap-in thread may read,
				 * not yet offered to it (readahead_further) */
};

/* A major fault at page i: how many pages after it to read (at most max).
 * ra->eager says whether to map them at once. *used: pages of an eager
 * window just shown used; *stream: 1 if the program went through the last
 * window (the swap code may read further ahead). */
unsigned readahead_window(struct vm_readahead *ra, uint64_t i, unsigned max, unsigned *used,
			  int *stream);
/* n pages after i were read with it (the window's pages actually read).
 * For a stream's window, the pages after those the swap-in thread should
 * read further ahead are noted, from page ra->next on; they are not
 * counted as read yet (readahead_further takes them). */
void readahead_ahead(struct vm_readahead *ra, uint64_t i, unsigned n);
/* Once the window's read for the fault at page i is over: the pages
 * readahead_ahead asked for, from ra->next on, if not taken yet and the
 * window is still i's (else 0: another fault's hit, or a later window);
 * the caller offers them to the swap-in thread and says with
 * readahead_further_read how many of them it took. */
unsigned readahead_further(struct vm_readahead *ra, uint64_t i);
/* n of the region's pages past the window went to the swap-in thread:
 * read ahead into the cache, counted as read. */
void readahead_further_read(struct vm_readahead *ra, unsigned n);
/* A fault at i found its page waiting in the swap cache; ahead: it was
 * read ahead (a window's or the swap-in thread's), a hit. With an eager
 * window, mapped pages after i were mapped with it: where the stream now
 * goes. Pages shown used (the hit). */
unsigned readahead_hit(struct vm_readahead *ra, uint64_t i, int ahead, unsigned mapped);

#endif
