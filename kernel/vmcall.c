/*
 * Map, unmap and protect for the root task, and the checks that keep it
 * from handing out kernel memory or mapping outside the user half. Only the
 * root task reaches these calls: the dispatcher refuses anyone else.
 */
#include "vmcall.h"
#include "proc.h"
#include "handle.h"
#include "budget_members.h"
#include "memmap.h"
#include "usercopy.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/handle.h"

#define MAP_BATCH 16		/* entries copied in per step */
#define MAP_MAX 4096		/* entries per call */
#define PERM_ALL (MAP_R | MAP_W | MAP_X | MAP_CLEAN)

static int perm_ok(uint64_t perm)
{
	/* RISC-V reserves write-without-read. */
	return (perm & ~(uint64_t)MAP_CLEAN) != 0 && (perm & ~(uint64_t)PERM_ALL) == 0 &&
	       (!(perm & MAP_W) || (perm & MAP_R));
}

/* Whether va is a user page and pa a page's start: the checks no run
 * can remember. */
static inline int place_ok(uint64_t va, uint64_t pa)
{
	return vm_user_page(va) && (pa & (PAGE_SIZE - 1)) == 0;
}

/* Whether the entry { va, pa, perm } may be mapped, checked alone, its
 * words as values (a fault's entry arrives in registers and stays there);
 * *user gets the memory map's range that holds pa. */
static inline int entry_ok(uint64_t va, uint64_t pa, uint64_t perm, struct phys_range *user)
{
	return place_ok(va, pa) && memmap_user_range(pa, user) && perm_ok(perm);
}

/* What a run's checks have found good so far. A run's frames mostly lie
 * in one range of the memory map and share one perm, so an entry after
 * the first costs two compares, not a walk of the map and perm_ok's rules
 * (~35 -> ~15 instructions an entry: docs/measured.md, "First touch, a seventh pass",
 * the kernel's share). */
struct entry_check {
	struct phys_range user;	/* the last frame's user range; empty at first */
	uint64_t perm;		/* the last perm found good; 0 (never good) at first */
};

/* entry_ok for the next entry of a run, taking as good what c holds: a
 * frame in the last range found and the last perm found. */
static inline int run_entry_ok(struct entry_check *c, uint64_t va, uint64_t pa, uint64_t perm)
{
	if (pa - c->user.base < c->user.end - c->user.base && perm == c->perm)
		return place_ok(va, pa);
	if (!entry_ok(va, pa, perm, &c->user))
		return 0;
	c->perm = perm;
	return 1;
}

/* Every entry is checked before any is mapped, so the page-table loop
 * runs without a call per entry; those before a bad one are still mapped,
 * as if each had been checked in turn. */
int vm_map_entries(struct proc *by, struct proc *target, const struct map_entry *e, size_t n)
{
	struct entry_check c = { { 0, 0 }, 0 };
	size_t good = 0;
	int r;

	if (!by->is_root)
		return -ERR_PERM;
	if (n == 0)	/* a resume that maps nothing: no window goes stale */
		return 0;
	if (n == 1)
		return vm_map_one(by, target, e->va, e->pa, e->perm);
	while (good < n && run_entry_ok(&c, e[good].va, e[good].pa, e[good].perm))
		good++;
	r = arch_pt_map_run(&target->pt, e, good);
	if (r == -ERR_NOMEM && budget_prune(target))	/* those mapped are mapped again */
		r = arch_pt_map_run(&target->pt, e, good);
	usercopy_forget(target);
	arch_tlb_flush();
	return r < 0 ? r : good < n ? -ERR_INVAL : 0;
}

/* One entry (FAULT_RESUME_ONE: each fault without fault-around), its
 * words in registers: apart from the run's loop, whose registers made a
 * frame of twelve saved ones on every fault. The same checks on the whole
 * 64-bit perm, and the same tail, as vm_map_entries. */
int vm_map_one(struct proc *by, struct proc *target, uint64_t va, uint64_t pa, uint64_t perm)
{
	struct phys_range user;
	int r;

	if (!by->is_root)
		return -ERR_PERM;
	if (!entry_ok(va, pa, perm, &user))
		return -ERR_INVAL;
	r = arch_pt_map(&target->pt, va, pa, (unsigned)perm);
	if (r == -ERR_NOMEM && budget_prune(target))
		r = arch_pt_map(&target->pt, va, pa, (unsigned)perm);
	usercopy_forget(target);
	arch_tlb_flush();
	return r;
}

int64_t sys_map(struct thread *t, const uint64_t *a)
{
	struct map_entry batch[MAP_BATCH];
	struct proc *p;
	uint64_t n = a[2];
	int r = handle_target(t->proc, a[0], &p);

	if (r < 0)
		return r;
	if (n > MAP_MAX)
		return -ERR_INVAL;
	if ((r = user_check(t->proc, a[1], n * sizeof(struct map_entry), 0)) < 0)
		return r;
	for (uint64_t done = 0; done < n; done += MAP_BATCH) {
		size_t k = MIN(n - done, MAP_BATCH);
		r = copyin(t->proc, batch, a[1] + done * sizeof(struct map_entry),
			   k * sizeof(struct map_entry));
		if (r == 0)
			r = vm_map_entries(t->proc, p, batch, k);
		if (r < 0)
			return r;
	}
	return (int64_t)n;
}

/* Check a page range [va, va + npages pages) for unmap and protect. */
static int range_ok(uint64_t va, uint64_t npages)
{
	uint64_t bytes = npages * PAGE_SIZE;

	return vm_user_page(va) && npages <= USER_TOP / PAGE_SIZE && va + bytes <= USER_TOP;
}

int64_t sys_unmap(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	int r = handle_target(t->proc, a[0], &p);

	if (r < 0)
		return r;
	if (!range_ok(a[1], a[2]))
		return -ERR_INVAL;
	arch_pt_unmap(&p->pt, a[1], a[2]);
	usercopy_forget(p);
	arch_tlb_flush();
	return 0;
}

int64_t sys_copy_maps(struct thread *t, const uint64_t *a)
{
	struct proc *from, *to;
	int r = handle_target(t->proc, a[0], &from);

	if (r < 0 || (r = handle_target(t->proc, a[1], &to)) < 0)
		return r;
	if (!range_ok(a[2], a[3]) || !perm_ok(a[4]) || from == to)
		return -ERR_INVAL;
	r = arch_pt_copy_range(&from->pt, &to->pt, a[2], a[3], (unsigned)a[4]);
	if (r == -ERR_NOMEM && budget_prune(to))	/* those copied are copied again */
		r = arch_pt_copy_range(&from->pt, &to->pt, a[2], a[3], (unsigned)a[4]);
	usercopy_forget(to);
	arch_tlb_flush();
	return r;
}

int64_t sys_protect(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	int r = handle_target(t->proc, a[0], &p);

	if (r < 0)
		return r;
	if (!range_ok(a[1], a[2]) || !perm_ok(a[3]))
		return -ERR_INVAL;
	for (uint64_t i = 0; i < a[2] && r == 0; i++)
		r = arch_pt_protect(&p->pt, a[1] + i * PAGE_SIZE, (unsigned)a[3]);
	usercopy_forget(p);
	arch_tlb_flush();
	return r;
}
