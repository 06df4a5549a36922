/*
 * The slot operations the VM core calls (struct vm_swap_ops, plugged in by
 * setup.c): references to the engine's slots, a slot's history dropped
 * with its last reference, and whether a page read back keeps its slot.
 */
#include "swap/history.h"
#include "swap/internal.h"
#include "swap/slots.h"

void swap_slot_ref(void *ctx, uint32_t slot)
{
	(void)ctx;
	swap_slot_dup(swap_engine_slots(), slot);
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
