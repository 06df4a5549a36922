/*
 * The statistics' store: one count per item, and for a level its owner's
 * reader instead. Counting is inline (vmstat.h); this is reading.
 */
#include <string.h>
#include "base/vmstat.h"

uint64_t vmstat_counts[VMSTAT_ITEMS];
static vmstat_gauge_fn *gauges[VMSTAT_ITEMS];

void vmstat_gauge(enum vmstat_item e, vmstat_gauge_fn *fn)
{
	gauges[e] = fn;
}

uint64_t vmstat_get(enum vmstat_item e)
{
	return gauges[e] ? gauges[e]() : vmstat_counts[e];
}

void vmstat_snapshot(uint64_t *out)
{
	for (int e = 0; e < VMSTAT_REPORTED; e++)
		out[e] = vmstat_get((enum vmstat_item)e);
}

void vmstat_reset(void)
{
	memset(vmstat_counts, 0, sizeof(vmstat_counts));
}
