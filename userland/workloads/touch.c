/*
 * First touch: half of the available memory, every word written once in
 * fresh anonymous pages, then read back. No swap should be needed: this
 * measures what a page's first fault costs.
 */
#include "workload.h"

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit / 2, *buf = wl_map(n);

	if (buf == NULL) {
		r->errors++;
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 1);
	for (uint64_t p = 0; p < n; p++)
		r->errors += wl_check(buf, p, 1);
	r->pages = n;
	r->refs = 2 * n;
	wl_unmap(buf, n);
}

const struct workload workload = { "touch", NULL, 1, run };
