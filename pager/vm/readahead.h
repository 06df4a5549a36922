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
 * what became of the pages read ahead and left, unmapped, in the swap
 * cache (struct readahead_outcomes); and where the region's next major
 * fault lands: just past the last window (`next`), the program went
 * through it all, a stream. A stream's window doubles (up to the most) and
 * is mapped at once with the fault's page (eager), its use then showing
 * only in where the next fault lands; any other window is left in the
 * swap cache for its own faults to find. Outside a stream the window is
 * sized from the share of the pages so left whose fate is known that were
 * hit, over the last few dozen: none while at most half were, the most
 * when all were, changing by at most a factor of two per fault, so
 * windows nobody uses reach none in a few faults once pages are judged
 * (while none has been, anywhere, a window keeps one page); from none, a fault at
 * the page after the last one starts a window of 2, and a fault that reads
 * nothing counts toward the counts' decay, the one that brings a halving
 * reading one page (a probe): evidence no longer coming in fades, so
 * streams that never fault at that page (two at once, strided) open the
 * windows again. A region's first
 * window is read in full, eagerly. The first window after a stream ends
 * is no larger than the stream's last: the stream says nothing about the
 * new place.
 */
struct vm_readahead {
	uint64_t next;		/* the page just past the last window */
	uint8_t win;		/* the window asked for last (pages) */
	uint8_t pending;	/* pages of the last window, before `next` */
	uint8_t eager;		/* the last window is mapped with its fault */
	uint8_t known;		/* 0: no swap-in fault here yet */
	uint8_t stream;		/* the last window judged was a stream's */
	uint8_t further;	/* pages past `next` the swap-in thread may read,
				 * not yet offered to it (readahead_further) */
};

/*
 * The fate of pages read ahead into the swap cache (a window's left
 * unmapped, or the swap-in thread's), counted when it is known: a hit, a
 * fault found it; a miss, reclaim took it first. A page still waiting is
 * neither: a working set coming back in random order wants its pages a
 * while later, often many faults after they were read, and counting them
 * as unused at once judged every window before its pages could be used.
 * One count for all regions, as Linux's swapin_readahead_hits is one (a
 * page reclaim takes names no region); both halve together past a few
 * dozen events, so they cover the recent pages. An event is a page judged
 * or a major fault that read nothing ahead (idle): while every window is
 * none, nothing is judged, and only those faults age the counts.
 */
struct readahead_outcomes {
	uint8_t hits;
	uint8_t misses;
	uint8_t idle;		/* faults that read nothing, since the last halving */
};

/* One more page read ahead whose fate is known: hit (1) or missed (0). */
void readahead_judged(struct readahead_outcomes *o, int hit);

/* A major fault at page i: how many pages after it to read (at most max),
 * outside a stream from the outcomes o (a fault that reads none is noted
 * in o; 1 with a window of none: a probe). ra->eager says whether to map them
 * at once. *used: pages of an eager
 * window just shown used; *stream: 1 if the program went through the last
 * window (the swap code may read further ahead). */
unsigned readahead_window(struct vm_readahead *ra, struct readahead_outcomes *o, uint64_t i,
			  unsigned max, unsigned *used, int *stream);
/* n pages after i were read with it (the window's pages actually read).
 * For a stream's window, the pages after those the swap-in thread should
 * read further ahead are noted, from page ra->next on (readahead_further
 * takes them). */
void readahead_ahead(struct vm_readahead *ra, uint64_t i, unsigned n);
/* Once the window's read for the fault at page i is over: the pages
 * readahead_ahead asked for, from ra->next on, if not taken yet and the
 * window is still i's (else 0: another fault's hit, or a later window);
 * the caller offers them to the swap-in thread. */
unsigned readahead_further(struct vm_readahead *ra, uint64_t i);
/* A fault at i found its page waiting in the swap cache; ahead: it was
 * read ahead (a window's or the swap-in thread's), a hit in o. With an eager
 * window, mapped pages after i were mapped with it: where the stream now
 * goes. Pages shown used (the hit). */
unsigned readahead_hit(struct vm_readahead *ra, struct readahead_outcomes *o, uint64_t i,
		       int ahead, unsigned mapped);

#endif
