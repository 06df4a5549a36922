/*
 * The readahead window's rule (readahead.h): judged at each major fault
 * from where it lands and the share of the pages read ahead, once their
 * fate is known, that faults found.
 */
#include "vm/readahead.h"

#define START_WIN 2	/* a window begun at a fault that follows the last */

static unsigned grow(unsigned win, unsigned max)
{
	unsigned w = win < START_WIN ? START_WIN : 2 * win;

	return w > max ? max : w;
}

#define DECAY_AT 64	/* events (pages judged, idle faults) before the
			 * counts halve: they cover the last few dozen */

/* One more event: a page judged (a hit or a miss), or a major fault that
 * read nothing ahead (idle). Past DECAY_AT the hits and misses halve and
 * the idle faults start again from none (they measure time, not use).
 * Whether the counts halved. */
static int note(struct readahead_outcomes *o, unsigned hit, unsigned miss, unsigned idle)
{
	unsigned hits = o->hits + hit, misses = o->misses + miss, idles = o->idle + idle;
	int halve = hits + misses + idles >= DECAY_AT;

	if (halve) {
		hits /= 2;
		misses /= 2;
		idles = 0;
	}
	o->hits = (uint8_t)hits;
	o->misses = (uint8_t)misses;
	o->idle = (uint8_t)idles;
	return halve;
}

void readahead_judged(struct readahead_outcomes *o, int hit)
{
	note(o, hit != 0, hit == 0, 0);
}

/* Outside a stream: from the share of the judged pages that faults found,
 * over the last few dozen: none up to half, the most when all were; a
 * power of two, at most double or half the last window. With nothing
 * judged yet, never below one page (as Linux's count starts above none):
 * a window that shut before any of its pages could be judged would never
 * learn whether they were wanted. A window the evidence shut stays shut
 * once that evidence has decayed away (probe asks instead): one page at
 * each fault until a page is judged could be many faults' worth. */
static unsigned from_hits(const struct vm_readahead *ra, const struct readahead_outcomes *o,
			  unsigned max)
{
	unsigned judged = o->hits + o->misses, w = 0, want = 0;

	if (!judged) {
		if (!ra->win)
			return 0;
		for (w = 1; 2 * w <= ra->win / 2u; w *= 2)
			;
		return w > max ? max : w;	/* max 0: readahead is off */
	}
	if (2u * o->hits > judged)
		want = max * (2u * o->hits - judged) / judged;
	if (want) {
		w = 1;
		while (2 * w <= want)
			w *= 2;
	}
	if (w > 2 * ra->win)
		w = ra->win ? 2 * ra->win : 1;
	if (w < ra->win / 2u)
		w = ra->win / 2u;
	return w > max ? max : w;
}

/*
 * A fault whose window is none: nothing read ahead, so nothing will be
 * judged, and the counts that shut the window (shared by every region)
 * would stay as they are for ever, though the program may since have
 * turned to streams that only miss ra->next (two at once, strided, a
 * cluster coming back in any order). Such a fault counts toward the decay
 * as a judged page does, so old evidence halves away while none comes in;
 * the fault that brings a halving reads one page (a probe), the window
 * left at none, for new evidence. On a random workload that costs at most
 * one page in DECAY_AT - (pages judged) faults.
 */
static unsigned probe(struct readahead_outcomes *o, unsigned max)
{
	return note(o, 0, 0, 1) && max ? 1 : 0;
}

unsigned readahead_window(struct vm_readahead *ra, struct readahead_outcomes *o, uint64_t i,
			  unsigned max, unsigned *used, int *stream)
{
	uint64_t first = ra->next - ra->pending;
	unsigned had = ra->pending, win;
	int inside = i >= first && i < ra->next;

	*stream = had && i == ra->next;
	*used = ra->eager ? (*stream ? had : inside ? (unsigned)(i - first) : 0) : 0;
	if (!ra->known)
		win = max;			/* no history: hope for a stream */
	else if (*stream || (!had && i == ra->next))
		win = grow(ra->win, max);
	else if ((win = from_hits(ra, o, max)) > ra->win && ra->eager)
		win = ra->win;		/* a stream just ended: no growing on its hits */
	/* Eager for a stream, and while a fault follows an eager one. */
	ra->eager = !ra->known || *stream || (ra->eager && !had && i == ra->next);
	ra->known = 1;
	ra->stream = (uint8_t)*stream;
	ra->further = 0;	/* the last read's, never taken: too late now */
	ra->win = (uint8_t)(win > max ? max : win);
	ra->pending = 0;
	ra->next = i + 1;
	return ra->win ? ra->win : probe(o, max);
}

/* The window now ends n pages after i. */
static void advance(struct vm_readahead *ra, uint64_t i, unsigned n)
{
	ra->next = i + 1 + n;
	ra->pending = (uint8_t)(n > UINT8_MAX ? UINT8_MAX : n);
}

void readahead_ahead(struct vm_readahead *ra, uint64_t i, unsigned n)
{
	/* A stream's window with pages: the swap-in thread reads as many
	 * again and one more past it, into the cache. */
	ra->further = (uint8_t)(ra->stream && n ? 1 + n : 0);
	ra->stream = 0;
	advance(ra, i, n);
}

unsigned readahead_further(struct vm_readahead *ra, uint64_t i)
{
	unsigned further = ra->further;

	/* Only the fault whose window it was: its window ends at next. */
	if (i + 1 + ra->pending != ra->next)
		return 0;
	ra->further = 0;
	return further;
}

unsigned readahead_hit(struct vm_readahead *ra, struct readahead_outcomes *o, uint64_t i,
		       int ahead, unsigned mapped)
{
	if (ahead)
		readahead_judged(o, 1);
	if (ra->eager && i == ra->next)
		advance(ra, i, mapped);	/* the stream goes on past these */
	return ahead ? 1 : 0;
}
