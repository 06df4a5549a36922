/*
 * Test rig for the pager's VM core: a frame table over a malloc'd buffer
 * and a fake mmu_ops that records the current mapping of every (as, va),
 * so tests can assert what is mapped where, with which permission. Pages
 * of objects (region records, page-array chunks) come from the host's
 * memory (host_pages.h), apart from the fake frames.
 */
#ifndef TESTS_HOST_VM_FAKE_H
#define TESTS_HOST_VM_FAKE_H

#include <stdint.h>
#include "base/vmstat.h"
#include "host_pages.h"
#include "vm/internal.h"
#include "vm/region_find.h"

#define FAKE_RAM_BASE 0x80000000UL
#define FAKE_FRAMES 512			/* 2 MiB of "RAM" */
#define FAKE_RESERVED 2			/* the first frames are not free (firmware) */
#define FAKE_MAPS 4096

struct fake_map {
	int used, as;
	uint64_t va, pa;
	unsigned perm;
	int accessed, dirty;	/* the page-table bits, as the kernel keeps them */
};

struct fake_mmu {
	struct fake_map m[FAKE_MAPS];
	unsigned maps, unmaps, protects, harvests;	/* calls that succeeded */
	unsigned protect_ranges;	/* protect_range calls */
	unsigned runs;		/* map_run calls (their pages count in maps) */
	unsigned unmap_ranges;	/* unmap_range calls (their pages count in unmaps) */
	uint64_t range_va, range_n;	/* the last unmap_range's pages */
	int fail_unmap_range;	/* unmap_range fails, unmapping nothing */
	int fail_unmap;		/* unmap fails, and a hold's unmaps (its off fails) */
	int queue_held;		/* hold_unmaps queues unmaps (else they go at once) */
	int holding;		/* a hold is on */
	unsigned held_harvests;	/* harvests that sent held unmaps (HARVEST_UNMAP) */
	uint64_t free_at_send;	/* frames_free() when held unmaps were last sent */
	unsigned harvest_entries, harvest_pages;	/* in those harvests (runs: pages) */
	unsigned harvests_crossing;	/* of those, entries across a page: the kernel copies */
	unsigned harvest_unmaps;	/* pages those harvests unmapped (HARVEST_UNMAP) */
	int fail_harvest;	/* harvest fails */
	unsigned errors;	/* calls the VM core should never make */
	int map_budget;		/* < 0: no limit; else maps that succeed before all fail */
	unsigned copies;	/* copy_range calls */
	int fail_copy;		/* copy_range fails, copying nothing */
	int fail_protect;	/* protect fails */
	int refuse_protect;	/* protect of the one mapping at (refuse_as, refuse_va) fails */
	int refuse_as;
	uint64_t refuse_va;
};

extern struct fake_mmu fake;
extern uint8_t *fake_ram;

/* Fresh frames (FAKE_FRAMES, the first FAKE_RESERVED not free), a fresh VM
 * core with the fake mmu and this fault-around, no mappings. */
void fake_setup(unsigned faultaround);
void fake_teardown(void);
/* A new space for address space `as` (pid 100 + as); fails the test if none. */
struct vm_space *fake_space(int as);

/* The frame mapped at (as, va) in the fake, and its perm; 0 if none. */
uint64_t fake_pa(int as, uint64_t va, unsigned *perm);
unsigned fake_count(int as);	/* mappings in as; -1 for all */
/* The perm of the mapping at (as, va), which must exist. */
unsigned fake_perm(int as, uint64_t va);

/* vm_check() passes, and the fake's mappings are exactly the reverse map's,
 * with the permissions the VM core's page arrays imply. */
void fake_check(void);

/* Fault va in s with access and expect result. */
void fake_fault(struct vm_space *s, uint64_t va, unsigned access, int result);
/* The byte at va in s, read through the mapped frame (which must exist). */
uint8_t fake_peek(struct vm_space *s, uint64_t va);
/* Store byte v at va as a program would: a write fault first unless the
 * page is mapped writable; the mapping's dirty bit is set. */
void fake_poke(struct vm_space *s, uint64_t va, uint8_t v);

/* The page tables lose (as, va)'s mapping, which must exist, behind the
 * VM core's back (as a map the kernel refused would leave them). */
void fake_lose(int as, uint64_t va);

/* The fake's dirty / accessed bit of (as, va); -1 if nothing is mapped there. */
int fake_dirty(int as, uint64_t va);
int fake_accessed(int as, uint64_t va);

/* Spaces found through rmap walks for pa, as a bit set of their as numbers. */
uint64_t fake_rmap_set(uint64_t pa);

#endif
