/*
 * A working set that shifts halfway: 1.2 times the available memory,
 * written once; then random references to its first half (0.6 of memory,
 * which fits), then as many to its second half. How quickly the second
 * set becomes resident, and the first leaves, is what differs.
 */
#include <stdlib.h>

#include "workload.h"

#define REFS_PER_PAGE 4		/* references per page of each half */

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit * 6 / 5, half = n / 2, *buf = wl_map(n);
	uint16_t *ver = calloc(n, sizeof(*ver));

	if (buf == NULL || ver == NULL) {
		r->errors++;
		free(ver);
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 0);
	r->refs = n;
	wl_references(buf, ver, 0, half, half * REFS_PER_PAGE, 0, r);
	wl_references(buf, ver, half, n - half, half * REFS_PER_PAGE, 0, r);
	for (uint64_t p = 0; p < n; p++)
		r->errors += wl_check(buf, p, ver[p]);
	r->refs += n;
	r->pages = n;
	free(ver);
	wl_unmap(buf, n);
}

const struct workload workload = { "shift", NULL, 1, run };
