/*
 * Hot and cold: twice the available memory, written once, then random
 * page references, 90% of them to a hot fifth (0.4 of memory, which fits)
 * and the rest over the cold four fifths. Every reference checks its page;
 * every fourth rewrites it. A policy that keeps the hot fifth resident
 * pays major faults only for the cold tenth of the references.
 */
#include <stdlib.h>

#include "workload.h"

#define HOT_PCT 90
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
	wl_references(buf, ver, 0, n, n * REFS_PER_PAGE, HOT_PCT, r);
	r->pages = n;
	free(ver);
	wl_unmap(buf, n);
}

const struct workload workload = { "hotcold", NULL, 1, run };
