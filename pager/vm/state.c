/*
 * The VM core's global state (struct vm_state in internal.h): what it was
 * given (the mmu, the swap engine's ops, the reclaim hook, how far to map
 * and read ahead), its list of spaces, and the first inconsistency it met.
 */
#include <string.h>
#include "vm/internal.h"

struct vm_state vm;

void vm_set_swap(const struct vm_swap_ops *ops)
{
	if (ops)
		vm.swap = *ops;
	else
		memset(&vm.swap, 0, sizeof(vm.swap));
}

void vm_set_reclaim(vm_reclaim_fn *fn)
{
	vm.reclaim = fn;
}

void vm_set_readahead(unsigned pages)
{
	vm.readahead = pages > VM_READAHEAD_MAX ? VM_READAHEAD_MAX : pages;
}

void vm_note_bug(const char *why)
{
	if (!vm.bug)
		vm.bug = why;
}

const char *vm_bug(void)
{
	return vm.bug;
}
