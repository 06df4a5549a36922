/*
 * How the pager changes a real address space (struct mmu_ops, what the VM
 * core is given), and the pager's own ops: system calls, with mappings held
 * back in a batch so that those for the faulting process go out in the
 * fault reply itself and the rest in one SYS_MAP per batch. The batch is
 * pager data: the lock's holder sends it before letting the lock go
 * (threads.h). Plain C: the host tests give the VM core a fake.
 */
#ifndef PAGER_BASE_MMU_H
#define PAGER_BASE_MMU_H

#include <stddef.h>
#include <stdint.h>

struct map_entry;		/* kernel/abi/vm.h */
struct harvest_entry;

/* Each returns 0 or a negative error. `as` is the address space's handle
 * (the pager's process handle); perm is read 1, write 2, exec 4, and 8 with
 * write for a page whose dirty bit starts clear (MAP_CLEAN). A map over a
 * page mapped to another frame replaces that frame (a copy-on-write
 * break's copy): the kernel refuses part of a SYS_MAP by leaving the
 * entries from the refused one on unmade, old frames in place, so a
 * refused call's entries go again one at a time (one over a mapped page
 * cannot be refused alone), never clean; the old frame is out of the
 * tables once the map is sent, whichever way. */
struct mmu_ops {
	int (*map)(void *ctx, int as, uint64_t va, uint64_t pa, unsigned perm);
	int (*unmap)(void *ctx, int as, uint64_t va);
	int (*protect)(void *ctx, int as, uint64_t va, unsigned perm);
	/* protect for each page of [va, va + n pages) in one call, in order,
	 * stopping at the first refused (its error returned; those before it
	 * changed). NULL: the VM core calls protect for each. */
	int (*protect_range)(void *ctx, int as, uint64_t va, uint64_t n, unsigned perm);
	/* Read, and clear as each entry asks, the accessed and dirty bits of
	 * n (as, page) pairs in one step (SYS_HARVEST, abi/vm.h): every
	 * mapping made before it is included. */
	int (*harvest)(void *ctx, struct harvest_entry *e, size_t n);
	/* on: hold unmaps back, so that they go out together, as one call
	 * (an unmap then answers 0); off: send what is held, and answer
	 * whether the kernel refused any sent since on (0 or a negative
	 * error: which frame's is not known, so none unmapped in the hold may
	 * be freed). The caller frees no unmapped frame while holding. NULL:
	 * none held. */
	int (*hold_unmaps)(void *ctx, int on);
	/* map for each of e[0..n) (a fault-around run) in one call; returns
	 * how many were mapped, in order (all, or those before the first
	 * that failed). NULL: the VM core calls map for each. */
	size_t (*map_run)(void *ctx, int as, const struct map_entry *e, size_t n);
	/* unmap every mapped page of [va, va + n pages) in one step, whatever
	 * it maps (a gap is no error). NULL:
	 * the VM core unmaps page by page. */
	int (*unmap_range)(void *ctx, int as, uint64_t va, uint64_t n);
	/* Map in address space to, with perm, the frame from maps at each page
	 * of [va, va + n pages) that from maps (a fork's copy-on-write pages:
	 * SYS_COPY_MAPS); every change made before it is included. Required:
	 * fork makes the child's tables only so. */
	int (*copy_range)(void *ctx, int from, int to, uint64_t va, uint64_t n, unsigned perm);
	void *ctx;
};

#define MMU_BATCH 64

const struct mmu_ops *mmu_ops(void);

/* Take up to max held-back mappings for address space `as` (the faulting
 * process) into out; returns how many. Others stay for mmu_flush, which
 * must go before the reply that carries these: of more than max for as,
 * the latest are taken, so a page mapped twice ends as mapped last. */
size_t mmu_take(int as, struct map_entry *out, size_t max);
/* Send every held-back mapping with SYS_MAP. */
void mmu_flush(void);
/* Address space `as` is gone (its process ended): drop the changes to it
 * held already (maps and unmaps) and those to come, instead of making
 * system calls. -1 forgets nothing. */
void mmu_forget(int as);

#endif
