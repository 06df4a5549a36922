/*
 * Map, unmap and protect for the root task, and the checks that keep it
 * from handing out kernel memory or mapping outside the user half. Only the
 * root task reaches these calls: the dispatcher refuses anyone else.
 */
#include "vmcall.h"
#include "proc.h"
#include "handle.h"
#include "memmap.h"
#include "usercopy.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/handle.h"

#define MAP_BATCH 16		/* entries copied in per step */
#define MAP_MAX 4096		/* entries per call */
#define HARVEST_BATCH 64	/* harvest entries read in per step (1.5 KiB of stack) */
#define PERM_ALL (MAP_R | MAP_W | MAP_X | MAP_CLEAN)

static int user_page(uint64_t va)
{
	return (va & (PAGE_SIZE - 1)) == 0 && va >= USER_BASE && va < USER_TOP;
}

static int perm_ok(uint64_t perm)
{
	/* RISC-V reserves write-without-read. */
	return (perm & ~(uint64_t)MAP_CLEAN) != 0 && (perm & ~(uint64_t)PERM_ALL) == 0 &&
	       (!(perm & MAP_W) || (perm & MAP_R));
}

static int entry_ok(const struct map_entry *e)
{
	return user_page(e->va) && (e->pa & (PAGE_SIZE - 1)) == 0 && memmap_is_user(e->pa) &&
	       perm_ok(e->perm);
}

int vm_map_entries(struct proc *by, struct proc *target, const struct map_entry *e, size_t n)
{
	int r = 0;

	if (!by->is_root)
		return -ERR_PERM;
	for (size_t i = 0; i < n && r == 0; i++)
		r = entry_ok(&e[i]) ? arch_pt_map(&target->pt, e[i].va, e[i].pa, (unsigned)e[i].perm)
				    : -ERR_INVAL;
	usercopy_forget(target);
	arch_tlb_flush();
	return r;
}

/* The live process named by handle h of a root caller. */
static int target_of(struct thread *t, uint64_t h, struct proc **out)
{
	struct object *o;
	struct proc *p;
	int r;

	if ((r = handle_lookup(t->proc, h, OBJ_PROC, RIGHT_SEND, &o)) < 0)
		return r;
	p = (struct proc *)o;
	if (!p->alive)
		return -ERR_SRCH;
	*out = p;
	return 0;
}

int64_t sys_map(struct thread *t, const uint64_t *a)
{
	struct map_entry batch[MAP_BATCH];
	struct proc *p;
	uint64_t n = a[2];
	int r = target_of(t, a[0], &p);

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

	return user_page(va) && npages <= USER_TOP / PAGE_SIZE && va + bytes <= USER_TOP;
}

int64_t sys_unmap(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	int r = target_of(t, a[0], &p);

	if (r < 0)
		return r;
	if (!range_ok(a[1], a[2]))
		return -ERR_INVAL;
	for (uint64_t i = 0; i < a[2]; i++)
		arch_pt_unmap(&p->pt, a[1] + i * PAGE_SIZE);
	usercopy_forget(p);
	arch_tlb_flush();
	return 0;
}

int64_t sys_protect(struct thread *t, const uint64_t *a)
{
	struct proc *p;
	int r = target_of(t, a[0], &p);

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

#define HARVEST_WANT (HARVEST_ACCESSED | HARVEST_DIRTY | HARVEST_PROTECT)

/* The process of the last handle looked up in one harvest call: a batch
 * names one process over and over, and neither the handle table nor a
 * process's end changes during the call. */
struct harvest_proc {
	int known;		/* handle and p are set */
	uint32_t handle;
	struct proc *p;		/* NULL if it has ended: nothing to harvest there */
};

/* Check entry e and find its process (c->p): 0, or -ERR_BADF for a handle
 * that names no process, -ERR_INVAL for a bad address or request. */
static int harvest_target(struct thread *t, const struct harvest_entry *e, struct harvest_proc *c)
{
	struct object *o;
	int r;

	if (!user_page(e->va) || (e->bits & ~(uint32_t)HARVEST_WANT))
		return -ERR_INVAL;
	if (c->known && c->handle == e->proc)
		return 0;
	if ((r = handle_lookup(t->proc, e->proc, OBJ_PROC, RIGHT_SEND, &o)) < 0)
		return r;
	*c = (struct harvest_proc){ 1, e->proc, ((struct proc *)o)->alive ? (struct proc *)o : NULL };
	return 0;
}

/* Check the k entries of b and find each one's process (procs[i], NULL
 * if it has ended): the first bad entry's error, or 0. */
static int harvest_check(struct thread *t, const struct harvest_entry *b, size_t k,
			 struct proc **procs)
{
	struct harvest_proc c = { 0 };
	int r;

	for (size_t i = 0; i < k; i++) {
		if ((r = harvest_target(t, &b[i], &c)) < 0)
			return r;
		procs[i] = c.p;
	}
	return 0;
}

/* Carry out the k checked entries of b, each answered with its bits (0:
 * its process has ended). */
static void harvest_act(struct harvest_entry *b, size_t k, struct proc *const *procs)
{
	struct proc *forgotten = NULL;

	for (size_t i = 0; i < k; i++) {
		struct proc *p = procs[i];
		if (!p) {
			b[i].bits = 0;
			continue;
		}
		/* A later kernel write must set dirty again: no cached
		 * translation (nothing caches one for p until the call ends). */
		if (p != forgotten)
			usercopy_forget(p);
		forgotten = p;
		b[i].bits = arch_pt_harvest(&p->pt, b[i].va, b[i].bits);
	}
}

/* Check the n entries at user address u a batch at a time and, if act,
 * carry out each batch once it is checked; the first bad entry's error. */
static int harvest_pass(struct thread *t, uint64_t u, uint64_t n, int act)
{
	struct harvest_entry batch[HARVEST_BATCH];
	struct proc *procs[HARVEST_BATCH];
	int r;

	for (uint64_t done = 0; done < n; done += HARVEST_BATCH) {
		size_t k = MIN(n - done, HARVEST_BATCH);
		uint64_t va = u + done * sizeof(batch[0]);
		if ((r = copyin(t->proc, batch, va, k * sizeof(batch[0]))) < 0 ||
		    (r = harvest_check(t, batch, k, procs)) < 0)
			return r;
		if (!act)
			continue;
		harvest_act(batch, k, procs);
		if ((r = copyout(t->proc, va, batch, k * sizeof(batch[0]))) < 0)
			return r;
	}
	return 0;
}

/* Read (and clear as each entry asks) accessed/dirty bits for a batch of
 * (process, page) pairs, with one TLB flush for the whole batch. Every
 * entry is checked first: a bad one fails the call with nothing changed
 * (a call of one batch is read in once and checked whole before it acts);
 * only a copy-out failing part-way leaves the batches before it applied. */
int64_t sys_harvest(struct thread *t, const uint64_t *a)
{
	uint64_t n = a[1];
	int r;

	if (n > HARVEST_MAX)
		return -ERR_INVAL;
	if ((r = user_check(t->proc, a[0], n * sizeof(struct harvest_entry), 1)) < 0)
		return r;
	if (n <= HARVEST_BATCH)
		r = harvest_pass(t, a[0], n, 1);
	else if ((r = harvest_pass(t, a[0], n, 0)) == 0)
		r = harvest_pass(t, a[0], n, 1);
	/* Even after a failed copy-out: the batches before it acted, and no
	 * stale translation may keep a write permission taken away. */
	arch_tlb_flush();
	return r < 0 ? r : (int64_t)n;
}
