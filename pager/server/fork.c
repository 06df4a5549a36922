/*
 * fork: a new process whose address space is a copy-on-write copy of the
 * caller's. Its one thread starts where the caller's runtime asked (the
 * runtime's trampoline, which resumes the copied context), at the calling
 * thread's priority. Handles other than the pager's endpoint are not
 * inherited.
 */
#include <errno.h>
#include "server/requests.h"
#include "server/procs.h"
#include "server/spawn.h"
#include "base/mmu.h"
#include "vm/vm.h"
#include "sys.h"
#include "pager/protocol.h"

void handle_fork(const struct msg *in, struct msg *out)
{
	struct pproc *parent = procs_by_pid(in->pid), *child;
	int r, h;

	out->w[0] = (uint64_t)(int64_t)-1;	/* no child ended unstarted to close */
	if (!parent) {
		reply_result(out, -ESRCH);
		return;
	}
	if (!(child = procs_new(parent))) {
		reply_result(out, -EAGAIN);
		return;
	}
	if ((r = spawn_create(child, parent->name)) < 0 || (r = vm_fork(parent->vm, child->vm)) < 0 ||
	    (r = spawn_give_handles(child, -1, 0)) < 0) {
		mmu_flush();
		spawn_abandon(child);
		reply_result(out, r == VM_FAULT_NOMEM ? -ENOMEM : r);
		return;
	}
	mmu_flush();
	child->brk_base = parent->brk_base;
	child->brk = parent->brk;
	child->heap_end = parent->heap_end;
	child->oom_adj = parent->oom_adj;
	/* The child runs at its caller's priority (the caller's own: the
	 * highest it may give a thread), not at the usual one: a program at
	 * idle priority must not fork its way above it. */
	h = -1;
	r = sys_thread_prio(parent->handle, (int)in->tid);
	if (r < 0 || (r = spawn_grant_then_start(child, parent, in->w[0], in->w[1], in->w[2], r,
						 &h)) < 0) {
		spawn_abandon(child);
		reply_result(out, r);
		out->w[0] = (uint64_t)(int64_t)h;
		return;
	}
	reply_result(out, 0);
	out->w[0] = (uint64_t)h;
	out->w[1] = child->pid;
}
