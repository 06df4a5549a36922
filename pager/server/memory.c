/*
 * Requests that change a program's regions: the heap's break, anonymous
 * mappings (private or shared), unmapping, and unlocking or locking a
 * mapping's contents (discardable memory). Pages arrive later, on fault.
 */
#include <errno.h>
#include "server/requests.h"
#include "kernel/abi/vm.h"
#include "server/procs.h"
#include "server/spawn.h"
#include "base/heap.h"
#include "base/mmu.h"
#include "base/threads.h"
#include "reclaim/reclaim.h"
#include "vm/vm.h"
#include "pager/protocol.h"

/* The heap's range: [brk_base, brk_base + HEAP_MAX) is the heap's
 * alone. sbrk never takes the break past it, and mmap places nothing in
 * it (handle_mmap), even where a munmap punched a hole in the heap: so
 * every region there is a piece of the heap, which set_break and heap_cut
 * count on. It costs mappings 1 GiB of the 256 GiB below the stack. */
#define HEAP_MAX (1UL << 30)
_Static_assert(VM_REGIONS_MAX == PAGER_REGIONS_MAX, "the VM core enforces the protocol's limit");

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Lower the break's page end to end (below heap_end): the heap's pieces
 * wholly in [end, heap_end) go, and the piece across end, if any, is cut
 * short, as a shrink was before holes could lie in the range: nothing is
 * allocated, so a shrink cannot fail for memory. A munmap's cut at end
 * would split that piece, needing a region record (refused with the
 * pager's heap short, or the process at VM_REGIONS_MAX). The heap then
 * ends where what is left of it does (heap_cut's rule), never in a hole,
 * where no region ends for the next growth to resize. */
static int shrink_break(struct pproc *p, uint64_t end)
{
	uint64_t across = vm_region_end_across(p->vm, end);

	/* Whole pieces only: across and heap_end are ends of regions. */
	if (vm_unmap_range(p->vm, across ? across : end, p->heap_end) < 0)
		return -1;
	if (across && vm_region_resize(p->vm, across, end) < 0)
		return -1;
	p->heap_end = vm_regions_end(p->vm, p->brk_base, end);
	return 0;
}

/* Move the break to want, growing the heap's last region (or making one
 * at its base) or shrinking it (shrink_break). */
static int set_break(struct pproc *p, uint64_t want)
{
	uint64_t end = page_up(want);
	int r;

	if (end == p->heap_end)
		return 0;
	if (end < p->heap_end)
		return shrink_break(p, end);
	if (p->heap_end == p->brk_base)
		r = vm_region_add(p->vm, p->brk_base, end, VM_R | VM_W, VM_ANON, NULL);
	else
		r = vm_region_resize(p->vm, p->heap_end, end);
	if (r == 0)
		p->heap_end = end;
	return r;
}

void handle_sbrk(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	int64_t incr = (int64_t)in->w[0];
	uint64_t old, want;

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	old = p->brk;
	want = old + (uint64_t)incr;
	/* 0 - (uint64_t)incr, not -incr: INT64_MIN has no negation */
	if ((incr < 0 && 0 - (uint64_t)incr > old - p->brk_base) ||
	    (incr > 0 && want > p->brk_base + HEAP_MAX) || set_break(p, want) < 0) {
		reply_result(out, -ENOMEM);
		return;
	}
	mmu_flush();
	p->brk = want;
	reply_result(out, 0);
	out->w[0] = old;
}

void handle_mmap(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	uint64_t len = page_up(in->w[0]), prot = in->w[1], flags = in->w[2], addr;
	unsigned perm = (unsigned)prot & (VM_R | VM_W | VM_X);

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	if (len == 0 || len > HEAP_MAX || (prot & ~7UL) ||
	    (flags != PAGER_MAP_PRIVATE && flags != PAGER_MAP_SHARED)) {
		reply_result(out, -EINVAL);
		return;
	}
	if (perm & VM_W)
		perm |= VM_R;	/* RISC-V has no write-only pages */
	/* Placed top-down below the stack and its guard page, above the
	 * heap's range. */
	addr = vm_region_place(p->vm, len, p->brk_base + HEAP_MAX, STACK_FLOOR, perm,
			       flags == PAGER_MAP_SHARED ? VM_SHARED : VM_ANON);
	reply_result(out, addr ? 0 : -ENOMEM);
	out->w[0] = addr;
}

/* [start, end) was unmapped: if that cut the heap's end, the heap ends
 * where what is left of it does (its base if nothing is), so that the
 * break grows from there again, the region ending there growing (or one
 * made at the base) over the range cut, which comes back zero-filled.
 * The regions between brk_base and the old end are all the heap's, even
 * with holes punched in it: no mmap lands in the heap's range (HEAP_MAX). */
static void heap_cut(struct pproc *p, uint64_t start, uint64_t end)
{
	if (start < p->heap_end && end >= p->heap_end && p->heap_end > p->brk_base)
		p->heap_end = vm_regions_end(p->vm, p->brk_base, p->heap_end);
}

void handle_munmap(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	uint64_t addr = in->w[0], len = page_up(in->w[1]);
	int r;

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || addr + len < addr || addr + len > USER_TOP) {
		reply_result(out, -EINVAL);
		return;
	}
	heap_growth_forget();	/* what follows is this cut's, not a stale failure's */
	r = vm_unmap_range(p->vm, addr, addr + len);
	/* A hole's cut found the pager's heap short of frames (not the region
	 * bound, nor the heap's cap, which no reclaim mends). A munmap is served with no reclaim first
	 * (service.c: it gives memory back, and must not wait behind the
	 * writer for nothing), so it reclaims now, once, until the heap has
	 * what it wanted, and cuts again: the writer's pages in flight may be
	 * what frees the heap its page. The cut made, if any, stays and
	 * is found again as a region's start. The reclaim may let the lock go,
	 * and the OOM killer may end the process meanwhile: looked up again. */
	if (r == VM_FAULT_NOMEM && heap_growth_wanted()) {
		reclaim_before_heap_retry(pager_holder());
		if (!(p = procs_by_pid(in->pid))) {
			reply_result(out, -ESRCH);
			return;
		}
		r = vm_unmap_range(p->vm, addr, addr + len);
	}
	if (r == 0)
		heap_cut(p, addr, addr + len);
	/* Punching a hole needs one more region: past VM_REGIONS_MAX, -ENOMEM. */
	reply_result(out, r == VM_FAULT_NOMEM ? -ENOMEM : r < 0 ? -EINVAL : 0);
	mmu_flush();
}

void handle_discard(const struct msg *in, struct msg *out)
{
	struct pproc *p = procs_by_pid(in->pid);
	uint64_t addr = in->w[0], len = in->w[1], op = in->w[2];
	int r;

	if (!p) {
		reply_result(out, -ESRCH);
		return;
	}
	if ((addr | len) & (PAGE_SIZE - 1) || len == 0 || addr + len < addr ||
	    (op != PAGER_DISCARD_UNLOCK && op != PAGER_DISCARD_LOCK)) {
		reply_result(out, -EINVAL);
		return;
	}
	if (op == PAGER_DISCARD_UNLOCK)
		r = vm_discard_unlock(p->vm, addr, addr + len);
	else
		r = vm_discard_lock(p->vm, addr, addr + len);
	mmu_flush();
	reply_result(out, r < 0 ? -EINVAL : 0);
	out->w[0] = r > 0;
}
