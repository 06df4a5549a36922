/*
 * The slot operations the VM core calls (struct vm_swap_ops, plugged in by
 * setup.c): references to the engine's slots, a slot's history dropped
 * with its last reference, and whether a page read back keeps its slot.
 */
#include <stdint.h>
#include "pager/protocol.h"
#include "swap/history.h"
#include "swap/internal.h"
#include "swap/slots.h"
#include "vm/vm.h"

/* A slot's references are page entries naming it, one in each private
 * region whose page it holds (at most one a region: fork copies an entry
 * to the same place in the child's copy of the region, and an eviction
 * gives one to each mapping of the frame, which a private region maps at
 * one place at most) or the one in the shared object holding it, and the
 * engine's own (its allocation's, while the page is written or kept as a
 * clean copy). Regions are bounded by the process table and each
 * process's limit, so swap_slot_dup can never refuse one: were it to, the
 * reference would be missing and a later put would free the slot under
 * another entry. (In practice a slot has at most one a process.) */
_Static_assert((uint64_t)PAGER_PROCS_MAX * VM_REGIONS_MAX + 2 <= SWAP_SLOT_MAX_REFS,
	       "a slot's references stay below what swap_slot_dup counts");

void swap_slot_ref(void *ctx, uint32_t slot)
{
	(void)ctx;
	(void)swap_slot_dup(swap_engine_slots(), slot);	/* never at the limit: above */
}

int swap_slot_release(uint32_t slot)
{
	int left = swap_slot_put(swap_engine_slots(), slot);

	if (left == 0)
		swap_history_forget(slot);
	return left;
}

int swap_slot_unref(void *ctx, uint32_t slot)
{
	(void)ctx;
	return swap_slot_release(slot);
}

uint32_t swap_slot_count(void *ctx, uint32_t slot)
{
	int n = swap_slot_refs(swap_engine_slots(), slot);

	(void)ctx;
	return n > 0 ? (uint32_t)n : 0;
}

/* A page read back keeps its slot while it stays clean only while half the
 * slots or more are free: past that, slots are for pages that must be
 * written (Linux gives swap cache up the same way once swap is half full). */
int swap_keep_copies(void *ctx)
{
	struct swap_slots *slots = swap_engine_slots();

	(void)ctx;
	return swap_slots_free(slots) * 2 >= swap_slots_total(slots);
}
