/*
 * pagesim's frame counts, the rows of its table and the x of its plot:
 * sorted once they are known (--sweep's list, or --sweep-auto's geometric
 * steps over a trace's distinct pages).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "pagesim.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Ascending and without repeats: the table's rows and the plot's x order. */
void sort_sizes(struct options *o)
{
	size_t n = 0;

	qsort(o->sizes, o->nsizes, sizeof(*o->sizes), cmp_u32);
	for (size_t i = 0; i < o->nsizes; i++)
		if (!n || o->sizes[n - 1] != o->sizes[i])
			o->sizes[n++] = o->sizes[i];
	o->nsizes = n;
}

/* Geometric steps from 1% of the distinct pages (where the classic traces'
 * curves start to bend) to all of them (cold misses only). */
void auto_sizes(struct options *o, uint32_t npages)
{
	double lo = npages / 100 ? npages / 100 : 1, hi = npages ? npages : 1;

	o->sizes = xcalloc(o->auto_n, sizeof(*o->sizes));
	for (uint32_t i = 0; i < o->auto_n; i++) {
		double t = o->auto_n > 1 ? (double)i / (o->auto_n - 1) : 1.0;

		o->sizes[o->nsizes++] = (uint32_t)llround(lo * pow(hi / lo, t));
	}
	sort_sizes(o);
}
