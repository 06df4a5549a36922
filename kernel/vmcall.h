/*
 * The root task's memory calls: map, unmap and protect pages in another
 * process's address space. Mechanism only: the kernel checks that the pages
 * are the root task's to give and that the addresses are user addresses.
 */
#ifndef KERNEL_VMCALL_H
#define KERNEL_VMCALL_H

#include <stddef.h>
#include <stdint.h>
#include "abi/vm.h"

struct proc;
struct thread;

/* 1 if va is a page-aligned user address. */
static inline int vm_user_page(uint64_t va)
{
	return (va & (PAGE_SIZE - 1)) == 0 && va >= USER_BASE && va < USER_TOP;
}

/* Install n mappings from `by` (must be the root task) into target, then
 * flush the TLB once. A page mapped already takes the entry's frame and
 * permissions (another frame replaces the old one). 0 or a negative
 * error; on error none of a bad entry is installed, earlier good ones
 * stay, and the bad one and those after change nothing: a page among them
 * mapped to another frame keeps that old frame. The one error an entry
 * over a mapped 4 KiB page can meet alone is a bad entry (its table is
 * there: no -ERR_NOMEM). */
int vm_map_entries(struct proc *by, struct proc *target, const struct map_entry *e, size_t n);
/* vm_map_entries for the one entry { va, pa, perm }. */
int vm_map_one(struct proc *by, struct proc *target, uint64_t va, uint64_t pa, uint64_t perm);

int64_t sys_map(struct thread *t, const uint64_t *a);
int64_t sys_unmap(struct thread *t, const uint64_t *a);
int64_t sys_protect(struct thread *t, const uint64_t *a);
int64_t sys_copy_maps(struct thread *t, const uint64_t *a);

#endif
