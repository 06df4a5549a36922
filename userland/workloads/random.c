/*
 * Random: twice the available memory, written once, then page references
 * spread evenly over all of it. No page is likelier than another and none
 * follows its neighbour, so nothing read ahead is worth more than the page
 * it displaces: readahead's worst case (issue 18's "random workload"), and
 * the one where any policy does about as well as any other. Its run repeats
 * hotcold's with no hot share, on purpose: a run shared in workload.c let
 * GCC inline the fill into it and moved hotcold's own instructions by 31 M
 * on both systems, and hotcold's code stays as measured since session 1.
 */
#include <stdlib.h>

#include "workload.h"

#define REFS_PER_PAGE 2

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit * 2, *buf = wl_map(n);
	uint16_t *ver = calloc(n, sizeof(*ver));

	if (buf == NULL || ver == NULL) {
		r->errors++;
		free(ver);
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 0);
	r->refs = n;
	wl_references(buf, ver, 0, n, n * REFS_PER_PAGE, 0, r);
	r->pages = n;
	free(ver);
	wl_unmap(buf, n);
}

const struct workload workload = { "random", NULL, 1, run };
