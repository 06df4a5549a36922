/*
 * Per-slot checksums of the pages written to a swap device that may give
 * back other data than was written (an NBD server restored from a copy of
 * its export made after swap was set up): a 32-bit hash of each page,
 * kept by slot from its write's successful answer, compared when the page
 * is read back. Plain C: host-tested.
 */
#ifndef PAGER_SWAP_SUMS_H
#define PAGER_SWAP_SUMS_H

#include <stdint.h>

/* Slot s's checksum is sum[s], 0 when none is known: never written since
 * setup, or its last write not (yet) answered with success. */
struct swap_sums {
	uint32_t *sum;
	uint32_t nslots;
};

/* The table for slots [0, nslots), all unknown: 0, or -ENOMEM. */
int swap_sums_init(struct swap_sums *s, uint32_t nslots);
void swap_sums_fini(struct swap_sums *s);

/* The hash of one 4 KiB page: never 0 (0 means "none known"). */
uint32_t swap_sum_page(const void *page);

/* A write of slot is going out: what it held is no longer known. */
void swap_sums_forget(struct swap_sums *s, uint32_t slot);
/* slot's write was answered with success: it holds page. */
void swap_sums_keep(struct swap_sums *s, uint32_t slot, const void *page);
/* slot's checksum as it stands (0: none known), to see afterwards whether
 * a write changed it. */
uint32_t swap_sums_of(const struct swap_sums *s, uint32_t slot);
/* page was read back from slot: 0 if it is what was written there (or
 * nothing is known of slot), -1 if it is not. */
int swap_sums_check(const struct swap_sums *s, uint32_t slot, const void *page);

#endif
