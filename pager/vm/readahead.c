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

#define DECAY_AT 64	/* pages judged before both counts halve */

void readahead_judged(struct readahead_outcomes *o, int hit)
{
	unsigned hits = o->hits + (hit != 0), misses = o->misses + (hit == 0);

	if (hits + misses >= DECAY_AT) {
		hits /= 2;
		misses /= 2;
	}
	o->hits = (uint8_t)hits;
	o->misses = (uint8_t)misses;
}

/* Outside a stream: from the share of the judged pages that faults found,
 * over the last few dozen: none up to half, the most when all were; a
 * power of two, at most double or half the last window. With nothing
 * judged yet, never below one page (as Linux's count starts above none):
 * a window that shut before any of its pages could be judged would never
 * learn whether they were wanted. */
static unsigned from_hits(const struct vm_readahead *ra, const struct readahead_outcomes *o,
			  unsigned max)
{
	unsigned judged = o->hits + o->misses, w = 0, want = 0;

	if (!judged) {
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

unsigned readahead_window(struct vm_readahead *ra, const struct readahead_outcomes *o, uint64_t i,
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
	return ra->win;
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
