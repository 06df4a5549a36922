/*
 * The readahead window's rule (readahead.h): judged at each major fault
 * from where it lands and the hits since the last one.
 */
#include "vm/readahead.h"

#define START_WIN 2	/* a window begun at a fault that follows the last */

static unsigned grow(unsigned win, unsigned max)
{
	unsigned w = win < START_WIN ? START_WIN : 2 * win;

	return w > max ? max : w;
}

/* Outside a stream: a power of two above the hits (Linux's rule), never
 * less than half the last window; none used: half. */
static unsigned from_hits(unsigned hits, unsigned win, unsigned max)
{
	unsigned w = 0;

	if (hits) {
		w = START_WIN;
		while (w < hits + START_WIN && w < max)
			w *= 2;
	}
	if (w < win / 2)
		w = win / 2;
	return w > max ? max : w;
}

unsigned readahead_window(struct vm_readahead *ra, uint64_t i, unsigned max, unsigned *used,
			  int *stream)
{
	uint64_t first = ra->next - ra->pending;
	unsigned had = ra->pending, hits = ra->hits, win;
	int inside = i >= first && i < ra->next;

	*stream = had && i == ra->next;
	*used = ra->eager ? (*stream ? had : inside ? (unsigned)(i - first) : 0) : 0;
	if (!ra->known)
		win = max;			/* no history: hope for a stream */
	else if (*stream || (!had && i == ra->next))
		win = grow(ra->win, max);
	else
		win = from_hits(hits + *used, ra->win, max);
	/* Eager for a stream, and while a fault follows an eager one. */
	ra->eager = !ra->known || *stream || (ra->eager && !had && i == ra->next);
	ra->known = 1;
	ra->win = (uint8_t)(win > max ? max : win);
	ra->hits = 0;
	ra->pending = 0;
	ra->next = i + 1;
	return ra->win;
}

void readahead_ahead(struct vm_readahead *ra, uint64_t i, unsigned n)
{
	ra->next = i + 1 + n;
	ra->pending = (uint8_t)(n > UINT8_MAX ? UINT8_MAX : n);
}

unsigned readahead_hit(struct vm_readahead *ra, uint64_t i, int ahead, unsigned mapped)
{
	if (ahead && ra->hits < UINT16_MAX)
		ra->hits++;
	if (ra->eager && i == ra->next)
		readahead_ahead(ra, i, mapped);	/* the stream goes on past these */
	return ahead ? 1 : 0;
}
