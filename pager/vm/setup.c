/*
 * Starting the VM core: every part of it empty (host tests start over many
 * times), with the mmu it changes address spaces through.
 */
#include <string.h>
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/swapcache.h"

void vm_init(const struct mmu_ops *mmu, unsigned faultaround)
{
	/* Starting over forgets any space left from before (host tests). */
	rmap_reset();
	vm_objects_reset();
	swapcache_reset();
	memset(&vm, 0, sizeof(vm));
	vmstat_reset();
	vm.mmu = *mmu;
	vm.faultaround = faultaround > VM_FAULTAROUND_MAX ? VM_FAULTAROUND_MAX : faultaround;
}
