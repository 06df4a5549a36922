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
	MAP_X = 4,
	/* With W: the dirty bit starts clear, so the first write shows in a
	 * harvest (the pager keeps a page's swap copy while it is unwritten).
	 * Without it a writable page starts dirty. */
	MAP_CLEAN = 8
};

struct map_entry {
	uint64_t va;		/* page-aligned user address in the target */
	uint64_t pa;		/* page-aligned physical address of a user frame */
	uint64_t perm;		/* enum map_perm; W needs R */
};

/* A page, or a run of pages (HARVEST_RUN_SHIFT, below), whose accessed
 * and dirty bits the pager reads and clears (SYS_HARVEST). In, bits says
 * what to change: HARVEST_ACCESSED and HARVEST_DIRTY clear those bits once
 * read, HARVEST_PROTECT takes write permission away in the same step (a
 * write after it faults), HARVEST_UNMAP removes the mapping (any access
 * after it faults). Out, the kernel replaces it with what it found. */
struct harvest_entry {
	uint32_t proc;		/* in: the pager's handle to the process */
	uint32_t bits;		/* in: what to clear; out: enum harvest_bits found */
	uint64_t va;		/* in: page-aligned user address */
};

enum harvest_bits {
	HARVEST_PRESENT = 1,	/* out: a page is mapped there */
	HARVEST_ACCESSED = 2,	/* touched since the bit was last cleared */
	HARVEST_DIRTY = 4,	/* written since the bit was last cleared */
	HARVEST_PROTECT = 8,	/* in only: and no write permission from now on */
	/* In only: and no mapping from now on; out, the bits it had. The
	 * swap-out path takes a victim out of its mappings before its write
	 * (an access meanwhile faults, and the pager finds the frame). The
	 * page is out for a while, not gone: its page table stays for its
	 * next fault (SYS_UNMAP is for a range going away, and gives back the
	 * tables it leaves empty; tables so kept go when the process reaches
	 * its table limit, before a map past it fails). */
	HARVEST_UNMAP = 16
};

/* Entries one SYS_HARVEST takes at most. */
#define HARVEST_MAX 1024
/* The most entries the kernel answers in place: a call of at most this
 * many, lying within one page and naming no entry of the caller's own
 * process, is checked and carried out where it lies, with no copy in or
 * out; any other takes the copying path. Callers that can choose their
 * batch size choose this. */
#define HARVEST_IN_PLACE 64
_Static_assert(HARVEST_IN_PLACE <= HARVEST_MAX, "an in-place call is one call");
_Static_assert(HARVEST_IN_PLACE * sizeof(struct harvest_entry) <= 4096,
	       "an in-place call can lie within one (4 KiB) page");

/* In only, in bits: a run. The entry stands for its page and the
 * (bits >> HARVEST_RUN_SHIFT) pages after it in the same process, each
 * changed as the entry asks; out, the bits any of them had (their OR).
 * For a change whose answers the caller needs per page only now and then
 * (the pager's clearing of first-touched pages): one entry, one check
 * and one walk for a fault-around run instead of one a page. */
#define HARVEST_RUN_SHIFT 8
/* Pages in one run entry: as many as the kernel reads and checks single
 * entries at a time (harvest.c's batch), so one run entry costs no more PTE
 * work than a full batch of single ones, and fewer than a leaf table holds
 * (512), so it crosses one table boundary at most. Worst case a call:
 * HARVEST_MAX entries, each checked once, walked to at most two leaf tables
 * and reading and writing at most 64 PTEs: 65,536 PTEs and one TLB flush. */
#define HARVEST_RUN_MAX 64

/* Pages entry bits b stands for (1 with no run). */
static inline uint32_t harvest_run_pages(uint32_t b)
{
	return (b >> HARVEST_RUN_SHIFT) + 1;
}

#endif
