/*
 * Address-space layout and the arguments of the root task's memory calls.
 * User addresses run from USER_BASE to USER_TOP (Sv39's lower half).
 */
#ifndef ABI_VM_H
#define ABI_VM_H

#include <stdint.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

#define USER_BASE 0x10000UL		/* page 0..15 are never mapped */
#define USER_TOP 0x4000000000UL		/* 256 GiB */

/* The root task sees every frame it owns at PHYSMAP_BASE + physical address. */
#define PHYSMAP_BASE 0x2000000000UL

/* Where the kernel maps struct bootinfo in the root task. */
#define BOOTINFO_VA 0x1000000000UL

enum map_perm {
	MAP_R = 1,
	MAP_W = 2,
	MAP_X = 4
};

struct map_entry {
	uint64_t va;		/* page-aligned user address in the target */
	uint64_t pa;		/* page-aligned physical address of a user frame */
	uint64_t perm;		/* enum map_perm; W needs R */
};

#endif
