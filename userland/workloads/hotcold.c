/*
 * Hot and cold: twice the available memory, written once, then random
 * page references, 90% of them to a hot fifth (0.4 of memory, which fits)
 * and the rest over the cold four fifths. Every reference checks its page;
 * every fourth rewrites it. A policy that keeps the hot fifth resident
 * pays major faults only for the cold tenth of the references.
 */
#include "workload.h"

#define HOT_PCT 90
#define REFS_PER_PAGE 2

static void run(uint64_t unit, struct wl_report *r)
{
	wl_twice_referenced(unit, REFS_PER_PAGE, HOT_PCT, r);
}

const struct workload workload = { "hotcold", NULL, 1, run };
