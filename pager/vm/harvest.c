/*
 * Accessed and dirty bits (vm.h): every harvest goes through here, so that
 * a dirty bit read off a frame that holds a clean copy elsewhere (its slot,
 * or its program file: filecopy.c) gives the copy up. The ABI's struct
 * harvest_entry is the currency (plain C, kernel/abi/vm.h).
 */
#include "base/vmstat.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/filecopy.h"

int vm_harvest(struct harvest_entry *e, const uint64_t *pa, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if (!vm.mmu.harvest)
		return -1;
	vmstat_count(VMSTAT_HARVEST_CALLS);
	if ((r = vm.mmu.harvest(vm.mmu.ctx, e, n)) < 0)
		return r;
	for (size_t k = 0; k < n; k++)
		if ((e[k].bits & HARVEST_DIRTY) && pa && pa[k])
			vm_frame_dirtied(pa[k]);
	return 0;
}
