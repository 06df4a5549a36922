/*
 * Random: twice the available memory, written once, then page references
 * spread evenly over all of it. No page is likelier than another and none
 * follows its neighbour, so nothing read ahead is worth more than the page
 * it displaces: readahead's worst case (issue 18's "random workload"), and
 * the one where any policy does about as well as any other.
 */
#include "workload.h"

#define REFS_PER_PAGE 2

static void run(uint64_t unit, struct wl_report *r)
{
	wl_twice_referenced(unit, REFS_PER_PAGE, 0, r);
}

const struct workload workload = { "random", NULL, 1, run };
