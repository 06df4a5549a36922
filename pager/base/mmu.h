/*
 * The pager's struct mmu_ops: address-space changes made with system calls.
 * Mappings are held back in a batch: those for the faulting process go out
 * in the fault reply itself; the rest go in one SYS_MAP per batch.
 */
#ifndef PAGER_MMU_H
#define PAGER_MMU_H

#include <stddef.h>
#include "vm/vm.h"
#include "kernel/abi/vm.h"

#define MMU_BATCH 64

const struct mmu_ops *mmu_ops(void);

/* Take up to max held-back mappings for address space `as` (the faulting
 * process) into out; returns how many. Others stay for mmu_flush. */
size_t mmu_take(int as, struct map_entry *out, size_t max);
/* Send every held-back mapping with SYS_MAP. */
void mmu_flush(void);
/* Address space `as` is gone (its process ended): drop changes to it
 * instead of making system calls. -1 forgets nothing. */
void mmu_forget(int as);

#endif
