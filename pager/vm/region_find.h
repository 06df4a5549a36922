/*
 * The region of a space that holds an address (region_find.c), asked by
 * every layer of the VM core, from a fault's steps to the checker.
 */
#ifndef PAGER_VM_REGION_FIND_H
#define PAGER_VM_REGION_FIND_H

#include <stdint.h>

struct vm_space;
struct vm_region;

/* The region of s with va inside it, or NULL. */
struct vm_region *vm_region_find(const struct vm_space *s, uint64_t va);

#endif
