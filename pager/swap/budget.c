/*
 * The swap area's budget (budget.h): what its tables take, from the
 * tables' own sizes, against a sixteenth of the frames.
 */
#include "swap/budget.h"
#include "swap/slots.h"
#include "vm/swapcache.h"

#define FRAME_BYTES 4096u

uint64_t swap_tables_bytes(uint32_t last, uint32_t backend_bytes)
{
	return swap_slots_bytes(last) + swapcache_bytes(last) +
	       ((uint64_t)last + 1) * backend_bytes;
}

uint64_t swap_tables_budget(uint64_t nframes)
{
	return nframes * FRAME_BYTES / SWAP_TABLES_SHARE;
}

/* The tables grow with last: the largest that fits, by halving. */
uint32_t swap_tables_last_max(uint32_t backend_bytes, uint64_t nframes)
{
	uint64_t budget = swap_tables_budget(nframes);
	uint32_t lo = 0, hi = UINT32_MAX - 1;	/* last < UINT32_MAX (slots.h) */

	if (swap_tables_bytes(1, backend_bytes) > budget)
		return 0;
	lo = 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (swap_tables_bytes(mid, backend_bytes) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
