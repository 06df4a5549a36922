/*
 * A batch of harvest entries (kernel/abi/vm.h) for one vm_harvest call:
 * every mapping of a frame, found through the reverse map, asks the same
 * change, and when the batch is full or done each entry's answer goes
 * back to the caller with the frame it maps. Sealing clean copies and
 * write-protecting a write-out batch both work this way.
 */
#ifndef PAGER_VM_HARVEST_BATCH_H
#define PAGER_VM_HARVEST_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/abi/vm.h"

#define VM_HARVEST_BATCH 64	/* mappings in one harvest call */

struct vm_space;

struct vm_harvest_batch {
	unsigned want;		/* every entry's request (HARVEST_*) */
	/* Called for each entry once harvested: its frame and answer
	 * (enum harvest_bits), or failed 1 if the call failed (bits 0). */
	void (*done)(uint64_t pa, unsigned bits, int failed);
	size_t n;
	struct harvest_entry e[VM_HARVEST_BATCH];
	uint64_t pa[VM_HARVEST_BATCH];	/* the frame each entry maps */
};

/* Which mappings of a frame get an entry: 1 yes, 0 no, -1 the mapping has
 * no page (a bug: the frame is not added). NULL: every one. */
typedef int (*vm_harvest_pick)(struct vm_space *s, uint64_t va);

/* Add an entry for each mapping of pa that pick takes, harvesting what b
 * holds first if they would not fit. 0, or -1 with nothing of pa added:
 * it has more mappings than a batch holds, or pick found a bug. */
int vm_harvest_batch_add(struct vm_harvest_batch *b, uint64_t pa, vm_harvest_pick pick);
/* Harvest what b holds in one call and hand each answer to b->done. A
 * dirty bit the call clears is news for the frame (vm_harvest gives its
 * clean copy up); one only read is left set for the look that clears it. */
void vm_harvest_batch_flush(struct vm_harvest_batch *b);

#endif
