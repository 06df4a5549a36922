/*
 * Program loading. A new process gets regions, not pages: one per ELF
 * segment (filled from the initrd on first touch), a stack and, on its
 * first sbrk, a heap. Only the stack page holding argv is mapped before it
 * runs; every other page comes through a fault.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "server/spawn.h"
#include "server/stack_args.h"
#include "server/procs.h"
#include "vm/frames.h"
#include "base/mmu.h"
#include "vm/vm.h"
#include "cpio.h"
#include "elfimage.h"
#include "sys.h"
#include "pager/protocol.h"
#include "server/requests.h"
#include "reclaim/oom.h"
#include "base/heap.h"
#include "base/vmstat.h"

static struct spawn_env env;

void spawn_init(const struct spawn_env *e)
{
	env = *e;
}

/*
 * Enough table pages to map every frame and swap slot the pager has,
 * densely (a leaf table per 512 pages, a middle one per 512 of those, the
 * root and the far ends of the address space besides), so the limit never
 * comes before the OOM killer for a real program; but never more than
 * half of the kernel's pool, so no one program mapping sparse pages can
 * leave the others none.
 */
uint64_t spawn_pt_limit(void)
{
	uint64_t pages, need;

	if (!env.kernel_pool_pages)
		return 0;
	pages = frames_total() + vmstat_get(VMSTAT_SWAP_SLOTS_TOTAL);
	need = pages / 512 + pages / (512 * 512) + 8;
	return need < env.kernel_pool_pages / 2 ? need : env.kernel_pool_pages / 2;
}

/*
 * What a line's page arrays may take of the pager's heap (a chunk of
 * 256 entries, ~1 KiB, for each MiB of a region where a page is present
 * or swapped): enough for every process a line may hold to describe every
 * frame and swap slot densely in its 1,024 regions (vm_arrays_dense), so
 * the bound never comes before the OOM killer for a real program; but
 * never more than half the frames, as a line holds at most half the
 * process table: no one line's forks over sparse pages (each child a copy
 * of every chunk) may leave the others no memory while it lives (its
 * chunks' frames come back once it has ended); and never more than half
 * PAGER_HEAP_MAX, for the same reason when memory is larger than the
 * heap may grow. Chunks no longer lie in malloc's heap (they are lent
 * frames, heap_frame_take, which that cap does not bound): the figure is
 * kept as a fixed bound on what one line may make the pager hold, not
 * because the heap would refuse more.
 */
uint64_t spawn_arrays_limit(void)
{
	uint64_t pages = frames_total() + vmstat_get(VMSTAT_SWAP_SLOTS_TOTAL);
	uint64_t need = PAGER_LINE_PROCS_MAX * vm_arrays_dense(pages);
	uint64_t half = frames_total() / 2 * PAGE_SIZE;

	if (half > PAGER_HEAP_MAX / 2)
		half = PAGER_HEAP_MAX / 2;
	return need < half ? need : half;
}

/*
 * What one line's processes may hold of the kernel pool together (their
 * page tables and the pages their records, handle tables, threads,
 * endpoints and notifications are cut from: kernel/budget.h), in pages:
 * half of what is left once a quarter of the pool is kept for the pager,
 * init and the drivers, which have no budget. A share of the pool, not a
 * sum of what a line may make: each kind of object the kernel charges
 * makes a line meet it sooner and leaves the others' share as it was; and
 * as the kernel charges the pages a line holds, exactly, the quarter is
 * what two lines at their budgets leave. So one line's
 * processes at their bound (28 forks each at its page-table limit, say)
 * leave the others half of the rest and the reserve; two lines at their
 * bounds leave only the reserve, and a third line's process is then
 * refused for the empty pool, not its own budget (init makes at most two
 * lines at once today; docs/design.md's known limits). 0: the pool's size
 * is unknown, no budget.
 */
uint64_t spawn_pool_limit(void)
{
	uint64_t pool = env.kernel_pool_pages;

	return (pool - pool / 4) / 2;
}

/* p's line's budget of the kernel pool into p->pool_budget: a member's,
 * or a new one if p is the first of its line to need one; none (-1) for
 * init and the drivers, in no line. 0, or the error that left p none. */
static int join_pool_budget(struct pproc *p)
{
	int h;

	if (!p->line || !spawn_pool_limit() || p->pool_budget >= 0)
		return 0;
	if ((p->pool_budget = procs_line_pool_budget(p)) >= 0)
		return 0;
	if ((h = sys_budget_create(spawn_pool_limit())) < 0)
		return h;	/* no budget object, or no handle for it */
	p->pool_budget = h;
	return 0;
}

void spawn_pool_budget_release(struct pproc *p)
{
	if (p->pool_budget >= 0 && procs_line_pool_budget(p) != p->pool_budget)
		sys_handle_close(p->pool_budget);
	p->pool_budget = -1;
}

/* p's page arrays charged to its line's budget: a member's, or a new one
 * if p heads its line. init and the drivers, in none, are not bounded. */
static int join_budget(struct pproc *p)
{
	const struct pproc *member = procs_line_member(p);

	if (member) {
		vm_space_budget_share(p->vm, member->vm);
		return 0;
	}
	return p->line ? vm_space_budget_new(p->vm, spawn_arrays_limit()) : 0;
}

static unsigned seg_perm(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? VM_R : 0) | ((flags & ELF_SEG_W) ? VM_R | VM_W : 0) |
	       ((flags & ELF_SEG_X) ? VM_X : 0);
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* One region per loadable segment; returns the end of the highest. */
static int add_segments(struct pproc *p, const struct elf_image *img, const uint8_t *file,
			uint64_t *end)
{
	*end = 0;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		struct vm_image src = { file, s->offset, s->vaddr, s->filesz };
		uint64_t top = page_up(s->vaddr + s->memsz);
		int r = vm_region_add(p->vm, s->vaddr & ~(PAGE_SIZE - 1), top, seg_perm(s->flags),
				      VM_IMAGE, &src);
		if (r < 0)
			return r;
		if (top > *end)
			*end = top;
	}
	return 0;
}

/* The stack region, with argc, argv[] and the strings in its top page
 * (the one page mapped before the program runs); returns sp, or 0. */
static uint64_t build_stack(struct pproc *p, int argc, const char *const *argv)
{
	uint64_t page_va = STACK_TOP - PAGE_SIZE, pa, sp;

	if (vm_region_add(p->vm, STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_TOP, VM_R | VM_W,
			  VM_STACK, NULL) < 0 ||
	    vm_fault(p->vm, page_va, VM_W) != VM_FAULT_MAPPED || !(pa = vm_lookup(p->vm, page_va)) ||
	    stack_args_lay(frame_ptr(pa), page_va, argc, argv, &sp) < 0)
		return 0;
	return sp;
}

/* A new empty process whose faults and death come to the pager. */
int spawn_create(struct pproc *p, const char *name)
{
	int deaths = p->pinned && env.driver_deaths >= 0 ? env.driver_deaths : env.deaths;
	struct proc_spec spec = { .fault_ep = (uint64_t)env.fault_ep,
				  .death_notify = (uint64_t)deaths,
				  .death_bits = 1UL << procs_slot_of(p),
				  .pt_pages_max = spawn_pt_limit() };
	struct proc_info info;
	int h = join_pool_budget(p);

	if (h < 0)
		return h;
	spec.budget = p->pool_budget < 0 ? ~0UL : (uint64_t)p->pool_budget;
	strncpy(spec.name, name, PROC_NAME_MAX - 1);
	h = sys_proc_create(&spec);
	if (h < 0)
		return h;
	p->handle = h;
	if (sys_proc_info(h, &info) < 0)
		return -EINVAL;
	p->pid = info.pid;
	memcpy(p->name, info.name, PROC_NAME);
	p->vm = vm_space_create(h, p->pid);
	return p->vm && join_budget(p) == 0 ? 0 : -ENOMEM;
}

int spawn_give_handles(struct pproc *p, int pass_handle, unsigned pass_rights)
{
	/* Send-only: a program calls the pager; only the pager receives. */
	if (sys_handle_grant(p->handle, env.pager_ep, RIGHT_SEND) != HANDLE_PAGER)
		return -EINVAL;
	if (pass_handle >= 0 && sys_handle_grant(p->handle, pass_handle, pass_rights) != HANDLE_ARG)
		return -EINVAL;
	return 0;
}

/* Make every page of the image and stack present now (pinned programs). */
static int populate(struct pproc *p, const struct elf_image *img)
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		unsigned access = (s->flags & ELF_SEG_W) ? VM_W : (s->flags & ELF_SEG_X) ? VM_X : VM_R;
		for (uint64_t va = s->vaddr & ~(PAGE_SIZE - 1); va < s->vaddr + s->memsz; va += PAGE_SIZE)
			if (vm_fault(p->vm, va, access) != VM_FAULT_MAPPED)
				return -ENOMEM;
	}
	for (uint64_t va = STACK_TOP - STACK_PAGES * PAGE_SIZE; va < STACK_TOP; va += PAGE_SIZE)
		if (vm_fault(p->vm, va, VM_W) != VM_FAULT_MAPPED)
			return -ENOMEM;
	return 0;
}

/* The priority of p's first thread: a driver (spawned pinned) runs above
 * programs, as the pager does, since the pager's faults wait for it and a
 * busy program must not hold it back (docs/design.md, "Scheduling"). */
static int first_thread_prio(const struct pproc *p)
{
	return p->pinned ? PRIO_SERVER : PRIO_NORMAL;
}

/* Everything but its thread: its stack pointer in *sp. */
static int load(struct pproc *p, const struct elf_image *img, const uint8_t *file, int argc,
		const char *const *argv, int pass_handle, unsigned pass_rights, uint64_t *sp)
{
	uint64_t end;
	int r = add_segments(p, img, file, &end);

	if (r < 0)
		return -EINVAL;
	p->brk_base = p->brk = p->heap_end = end;
	vm_space_set_pinned(p->vm, p->pinned);	/* never a victim of reclaim */
	if (!(*sp = build_stack(p, argc, argv)) || (p->pinned && populate(p, img) < 0))
		return -ENOMEM;
	mmu_flush();
	return spawn_give_handles(p, pass_handle, pass_rights);
}

void spawn_abandon(struct pproc *p)
{
	if (p->handle >= 0)
		sys_proc_kill(p->handle, 0);
	if (p->vm) {
		mmu_forget(p->handle);
		vm_space_destroy(p->vm);
		mmu_forget(-1);
	}
	if (p->handle >= 0)
		sys_handle_close(p->handle);
	spawn_pool_budget_release(p);
	procs_release(p);
}

/* Why name did not come out of the initrd: it is not there (-PAGER_ENOENT),
 * or the archive is damaged before it (-PAGER_EDAMAGED). The damage is
 * said on the console once, where it is, at the first program it hides:
 * the initrd never changes, and a line at every spawn would let a program
 * spawning in a loop flood the console under the pager's lock. */
static int lookup_error(const char *name, int r)
{
	static int said;
	size_t at = 0;

	if (!cpio_damaged(r))
		return -PAGER_ENOENT;
	if (!said) {
		said = 1;
		cpio_check(env.initrd, env.initrd_size, &at);
		printf("pager: cannot load '%s': the initrd is damaged at byte %lu of %lu: %s; "
		       "no program stored from there on can be loaded\n",
		       name, (unsigned long)at, (unsigned long)env.initrd_size, cpio_strerror(r));
	}
	return -PAGER_EDAMAGED;
}

int spawn_grant_then_start(struct pproc *p, const struct pproc *to, uint64_t pc, uint64_t sp,
			   uint64_t a0, int prio, int *granted)
{
	int h = to ? sys_handle_grant(to->handle, p->handle, PARENT_RIGHTS) : -1, r;

	if (to && h < 0)
		return h;	/* not started: no one could wait for it or end it */
	if (granted)
		*granted = h;	/* with a thread refused, it names the child ended */
	r = sys_thread_create(p->handle, pc, sp, a0, prio);
	return r < 0 ? r : 0;
}

static struct pproc *spawn_in(const struct pproc *parent, int argc, const char *const *argv,
			      int pass_handle, unsigned pass_rights, int pinned, int *granted,
			      int *err)
{
	struct cpio_file f;
	struct elf_image img;
	struct pproc *p;
	uint64_t sp;
	int r;

	if (argc < 1 || argc > SPAWN_ARGS_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	if (stack_args_bytes(argc, argv) > PAGE_SIZE) {	/* they go in one page */
		*err = -E2BIG;
		return NULL;
	}
	if ((r = cpio_find(env.initrd, env.initrd_size, argv[0], &f)) != CPIO_OK) {
		*err = lookup_error(argv[0], r);
		return NULL;
	}
	/* Not a program: the errno says so; the console says why only for the
	 * pager's own spawns at boot (init, the drivers), made once: a program
	 * spawning it in a loop would flood the console under the lock. */
	if ((r = elf_parse(f.data, f.size, USER_BASE, STACK_FLOOR, &img)) < 0) {
		if (!parent)
			printf("pager: %s: %s\n", argv[0], elf_strerror(r));
		*err = -ENOEXEC;
		return NULL;
	}
	if (!(p = procs_new(parent))) {
		*err = -EAGAIN;
		return NULL;
	}
	p->pinned = pinned;
	if ((r = spawn_create(p, argv[0])) < 0 ||
	    (r = load(p, &img, f.data, argc, argv, pass_handle, pass_rights, &sp)) < 0 ||
	    (r = spawn_grant_then_start(p, granted ? parent : NULL, img.entry, sp, 0,
					first_thread_prio(p), granted)) < 0) {
		spawn_abandon(p);
		*err = r;
		return NULL;
	}
	return p;
}

struct pproc *spawn(const struct pproc *parent, int argc, const char *const *argv,
		    int pass_handle, unsigned pass_rights, int *granted, int *err)
{
	return spawn_in(parent, argc, argv, pass_handle, pass_rights, 0, granted, err);
}

struct pproc *spawn_mode(int argc, const char *const *argv, int pass_handle, unsigned pass_rights,
			 int pinned, int *err)
{
	return spawn_in(NULL, argc, argv, pass_handle, pass_rights, pinned, NULL, err);
}

/* Split "name\0arg\0..." into argv; the count must match w[0]. */
static int unpack_argv(const struct msg *in, const char **argv)
{
	uint64_t argc = in->w[0];
	uint32_t pos = 0;

	if (argc < 1 || argc > SPAWN_ARGS_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < argc; i++) {
		const void *nul = pos < in->len ? memchr(in->data + pos, '\0', in->len - pos) : NULL;
		if (!nul)
			return -EINVAL;
		argv[i] = (const char *)in->data + pos;
		pos = (uint32_t)((const uint8_t *)nul - in->data) + 1;
	}
	return (int)argc;
}

void handle_spawn(const struct msg *in, struct msg *out)
{
	const char *argv[SPAWN_ARGS_MAX];
	struct pproc *caller = procs_by_pid(in->pid), *child;
	int argc = unpack_argv(in, argv), err, h;
	int64_t adj = (int64_t)in->w[1];

	/* A caller gone (reaped while its call waited): -ESRCH, as for every
	 * request that acts for its caller (pager/protocol.h). */
	out->label = (uint64_t)(int64_t)(caller ? -EINVAL : -ESRCH);
	out->w[0] = (uint64_t)(int64_t)-1;	/* no child ended unstarted to close */
	if (!caller || argc < 0 || adj < OOM_ADJ_NEVER || adj > OOM_ADJ_MAX)
		goto done;
	/* No escaping the OOM killer through a protected child. */
	if (adj < caller->oom_adj && !caller->oom_exempt) {
		out->label = (uint64_t)(int64_t)-EPERM;
		goto done;
	}
	/* A handle for the child that the pager's table had no room for: the
	 * child would start without its HANDLE_ARG. */
	if (in->handle == MSG_HANDLE_LOST) {
		out->label = (uint64_t)(int64_t)-EMFILE;
		goto done;
	}
	h = -1;
	child = spawn(caller, argc, argv, in->handle, in->rights, &h, &err);
	if (!child) {
		out->label = (uint64_t)(int64_t)err;
		out->w[0] = (uint64_t)(int64_t)h;
		goto done;
	}
	child->oom_adj = (int)adj;
	out->label = 0;
	out->w[0] = (uint64_t)h;
	out->w[1] = child->pid;
done:
	if (in->handle >= 0)
		sys_handle_close(in->handle);	/* the child has its own copy */
}
