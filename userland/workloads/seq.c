/*
 * Sequential sweep: 1.5 times the available memory written in order, then
 * read back in order and checked, three times. Every pass pushes the whole
 * range through swap; the passes after the first write nothing new.
 */
#include "workload.h"

#define PASSES 3

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit * 3 / 2, *buf = wl_map(n);

	if (buf == NULL) {
		r->errors++;
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 1);
	for (int pass = 0; pass < PASSES; pass++)
		for (uint64_t p = 0; p < n; p++)
			r->errors += wl_check(buf, p, 1);
	r->pages = n;
	r->refs = n * (1 + PASSES);
	wl_unmap(buf, n);
}

const struct workload workload = { "seq", NULL, 1, run };
