/*
 * The swap engine: chooses victims with CLOCK (accessed bits harvested
 * through the reverse map), writes them out in batches to consecutive
 * slots, and reads pages back on fault. Plugged into the VM core as its
 * struct vm_swap_ops.
 */
#ifndef PAGER_SWAPPER_H
#define PAGER_SWAPPER_H

#include <stddef.h>
#include <stdint.h>

struct swap_area;

/* Start swapping to the checked area of the disk. 0, or -ENOMEM. */
int swapper_init(const struct swap_area *area);
/* Free frames by writing a batch of pages out (a whole batch, at least
 * `want` when it can find that many victims); how many were freed. */
size_t swapper_reclaim(size_t want);

struct swapper_counters {
	uint64_t pages_out, pages_in, requests_out, requests_in, write_errors, read_errors;
	uint64_t scanned, second_chances, full;
	uint32_t slots_total, slots_free, slots_bad;
};
void swapper_counters(struct swapper_counters *out);

#endif
