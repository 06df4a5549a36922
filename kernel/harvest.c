/*
 * SYS_HARVEST: the pager reads and clears accessed/dirty bits for a batch
 * of (process, page) pairs. Every entry is checked before any acts, and the
 * per-entry work is kept small: reclaim makes several of these a page.
 */
#include "harvest.h"
#include "vmcall.h"
#include "proc.h"
#include "handle.h"
#include "usercopy.h"
#include "klib.h"
#include "abi/errno.h"
#include "abi/handle.h"

#define HARVEST_BATCH HARVEST_IN_PLACE	/* entries checked at a time */
/*
 * harvest_pass keeps a batch and each entry's process on the kernel stack:
 * the one 16 KiB stack (entry.S) that a whole trap runs on. This budget is
 * today's batch exactly (64 entries of 16 + 8 bytes), a tripwire rather
 * than a limit: a larger batch or entry fails here and must be weighed
 * against the stack. What bounds it is the deepest chain, sys_harvest
 * (with the in-place path's process array, ~0.6 KiB) over harvest_pass
 * (these arrays and ~0.1 KiB) over the page-table walk and copies
 * (~0.2 KiB): ~2.5 KiB of the 16 (gcc -fstack-usage, without -flto).
 */
#define HARVEST_STACK_BUDGET 1536
_Static_assert(HARVEST_BATCH * (sizeof(struct harvest_entry) + sizeof(struct proc *)) <=
	       HARVEST_STACK_BUDGET, "a harvest batch's stack arrays stay within their budget");
_Static_assert(HARVEST_RUN_MAX <= HARVEST_BATCH, "a run entry's pages: no more than a batch of single entries'");
#define HARVEST_WANT (HARVEST_ACCESSED | HARVEST_DIRTY | HARVEST_PROTECT | HARVEST_UNMAP)
#define HARVEST_RUN_BITS (~0u << HARVEST_RUN_SHIFT)

/* One harvest call's state, kept across its entries and batches: a call
 * names one process over and over, neither the handle table nor a
 * process's end changes during it, and a harvest frees no table (an
 * unmap for a while keeps it: arch.h). */
struct harvest_call {
	struct thread *t;
	int known;		/* handle and p are set */
	int self;		/* some entry names the caller's own process */
	uint32_t handle;	/* the last handle looked up */
	struct proc *p;		/* its process; NULL if it has ended */
	struct proc *forgotten;	/* the last process whose translations were dropped */
	struct arch_pt_cursor cur;	/* the last leaf table walked to */
};

/* Look up handle h for c: 0, or -ERR_BADF for one that names no process. */
static int harvest_lookup(struct harvest_call *c, uint32_t h)
{
	struct object *o;
	struct proc *p;
	int r;

	if ((r = handle_lookup(c->t->proc, h, OBJ_PROC, RIGHT_SEND, &o)) < 0)
		return r;
	p = (struct proc *)o;
	c->known = 1;
	c->handle = h;
	c->p = p->alive ? p : NULL;
	c->self |= p == c->t->proc;
	return 0;
}

/* Whether entry e names user pages only and asks a known change. A run's
 * pages after the first are user pages if its last is below USER_TOP:
 * user space is one range, and a run of at most HARVEST_RUN_MAX pages from
 * a user page cannot wrap. */
static int harvest_entry_ok(const struct harvest_entry *e)
{
	uint32_t pages = harvest_run_pages(e->bits);

	if (!(e->bits & ~(uint32_t)HARVEST_WANT))	/* one page (most entries) */
		return vm_user_page(e->va);
	return !(e->bits & ~(uint32_t)(HARVEST_WANT | HARVEST_RUN_BITS)) &&
	       pages <= HARVEST_RUN_MAX && vm_user_page(e->va) &&
	       e->va + (pages - 1) * PAGE_SIZE < USER_TOP;
}

/* Check the k entries of b and find each one's process (procs[i], NULL if
 * it has ended): the first bad entry's error (-ERR_INVAL for a bad address,
 * run or request), or 0. */
static int harvest_check(struct harvest_call *c, const struct harvest_entry *b, size_t k,
			 struct proc **procs)
{
	int r;

	for (size_t i = 0; i < k; i++) {
		if (!harvest_entry_ok(&b[i]))
			return -ERR_INVAL;
		if ((!c->known || c->handle != b[i].proc) && (r = harvest_lookup(c, b[i].proc)) < 0)
			return r;
		/* A caller unmapping its own pages could take its answers' page
		 * away under the copy-out, and their dirty bits with it. */
		if ((b[i].bits & HARVEST_UNMAP) && c->p == c->t->proc)
			return -ERR_INVAL;
		procs[i] = c->p;
	}
	return 0;
}

/* Carry out the k checked entries of b, each answered with its bits (0:
 * its process has ended), a run of entries of one process (the common
 * call names one) in one arch call. */
static void harvest_act(struct harvest_call *c, struct harvest_entry *b, size_t k,
			struct proc *const *procs)
{
	for (size_t i = 0, m; i < k; i = m) {
		struct proc *p = procs[i];
		for (m = i + 1; m < k && procs[m] == p; m++)
			;
		if (!p) {
			for (size_t j = i; j < m; j++)
				b[j].bits = 0;
			continue;
		}
		/* A later kernel write must set dirty again: no cached
		 * translation. Only the caller's own copy-outs cache one for p
		 * before the call ends, so its translations go every batch. */
		if (p != c->forgotten || p == c->t->proc)
			usercopy_forget(p);
		c->forgotten = p;
		arch_pt_harvest_run(&p->pt, &c->cur, b + i, m - i);
	}
}

/* Check the n entries at user address u a batch at a time and, if act,
 * carry out each batch once it is checked; the first bad entry's error. */
static int harvest_pass(struct harvest_call *c, uint64_t u, uint64_t n, int act)
{
	struct harvest_entry batch[HARVEST_BATCH];
	struct proc *procs[HARVEST_BATCH];
	int r;

	for (uint64_t done = 0; done < n; done += HARVEST_BATCH) {
		size_t k = MIN(n - done, HARVEST_BATCH);
		uint64_t va = u + done * sizeof(batch[0]);
		if ((r = copyin(c->t->proc, batch, va, k * sizeof(batch[0]))) < 0 ||
		    (r = harvest_check(c, batch, k, procs)) < 0)
			return r;
		if (!act)
			continue;
		harvest_act(c, batch, k, procs);
		if ((r = copyout(c->t->proc, va, batch, k * sizeof(batch[0]))) < 0)
			return r;
	}
	return 0;
}

/* The n entries at u through copies: read in and checked whole before any
 * acts, a second pass acting if they take more than one batch. */
static int harvest_copied(struct harvest_call *c, uint64_t u, uint64_t n)
{
	int r;

	if (n <= HARVEST_BATCH)
		return harvest_pass(c, u, n, 1);
	if ((r = harvest_pass(c, u, n, 0)) < 0)
		return r;
	return harvest_pass(c, u, n, 1);
}

/* A call of one batch within one page, checked and carried out where it
 * lies, with no copies: 1 if done (*r its result), 0 if it must take
 * harvest_pass (it spans pages, or an entry names the caller, whose
 * buffer's own bits and write permission the copy-out would see). */
static int harvest_in_place(struct harvest_call *c, uint64_t u, uint64_t n, int *r)
{
	struct proc *procs[HARVEST_BATCH];
	struct harvest_entry *b;

	if (n > HARVEST_BATCH ||
	    !(b = user_window(c->t->proc, u, n * sizeof(*b), 1)))
		return 0;
	if ((*r = harvest_check(c, b, n, procs)) < 0)
		return 1;
	if (c->self)
		return 0;
	harvest_act(c, b, n, procs);
	return 1;
}

/* Read (and clear as each entry asks) accessed/dirty bits for a batch of
 * (process, page) pairs, with one TLB flush for the whole batch. Every
 * entry is checked first: a bad one fails the call with nothing changed
 * (a call of one batch is read in once and checked whole before it acts);
 * only a copy-out failing part-way leaves the batches before it applied. */
int64_t sys_harvest(struct thread *t, const uint64_t *a)
{
	struct harvest_call c = { .t = t };
	uint64_t n = a[1];
	int r;

	if (n > HARVEST_MAX)
		return -ERR_INVAL;
	/* In place first: its window is the same check of the buffer as
	 * user_check's for a batch in one page, made once (a page-table walk
	 * less a call). Only the copies need the whole buffer checked first. */
	if (!harvest_in_place(&c, a[0], n, &r)) {
		if ((r = user_check(t->proc, a[0], n * sizeof(struct harvest_entry), 1)) < 0)
			return r;
		r = harvest_copied(&c, a[0], n);
	}
	/* Even after a failed copy-out: the batches before it acted, and no
	 * stale translation may keep a write permission or a mapping taken
	 * away. */
	arch_tlb_flush();
	return r < 0 ? r : (int64_t)n;
}
