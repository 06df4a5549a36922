/*
 * Page faults: the VM core resolves the fault, and every mapping it made
 * for the faulting process goes back in the reply (FAULT_RESUME, or
 * FAULT_RESUME_ONE for one: in registers), so one
 * fault costs one IPC round trip; an access it refuses ends the process
 * with the reason (FAULT_KILL), or fails the system call that met it.
 * A swap-in lets the pager lock go while the disk works; the fault is then
 * looked at afresh (VM_FAULT_RETRY), and so is the process, whatever the
 * VM core answered: it may have ended meanwhile.
 */
#include <stdio.h>
#include <string.h>
#include "server/requests.h"
#include "kernel/abi/vm.h"
#include "base/vmstat.h"
#include "server/procs.h"
#include "base/mmu.h"
#include "vm/vm.h"
#include "swap/swap.h"
#include "reclaim/reclaim.h"
#include "base/threads.h"

#define REPLY_MAPS (MSG_DATA_MAX / sizeof(struct map_entry))

static void reply_kill(struct msg *out, const char *why)
{
	size_t n = strlen(why);

	out->label = FAULT_KILL;
	out->len = (uint32_t)(n < MSG_DATA_MAX ? n : MSG_DATA_MAX);
	memcpy(out->data, why, out->len);
}

/* A resume reply for the n mappings in out->data: one travels in w[]
 * (FAULT_RESUME_ONE), so the reply is header-only and goes in registers. */
static void put_resume(struct msg *out, size_t n)
{
	const struct map_entry *e = (const struct map_entry *)out->data;

	out->label = n == 1 ? FAULT_RESUME_ONE : FAULT_RESUME;
	out->len = n == 1 ? 0 : (uint32_t)(n * sizeof(struct map_entry));
	if (n != 1)
		return;
	out->w[0] = e->va;
	out->w[1] = e->pa;
	out->w[2] = e->perm;
}

/* Resume p with every mapping made for it (none is an answer too: the
 * thread tries its access again, and faults again). */
static void resume(const struct pproc *p, struct msg *out)
{
	put_resume(out, mmu_take(p->handle, (struct map_entry *)out->data, REPLY_MAPS));
	mmu_flush();	/* whatever the fault changed elsewhere (copy-on-write) */
}

/* The fault's tries after its first, whose answer *res was not mapped,
 * each made and each answer judged only once the process is looked up
 * again: a read that let the pager lock go, or a wait for memory, may have
 * seen it end meanwhile (an OOM kill too), its record freed or given to
 * another. Gone, the fault ends: no one is killed for it, no kill is
 * counted. A read that failed is tried once more: meanwhile the page may
 * have been discarded or unmapped, or read by a sharer
 * (vm_fault_after_failed_read fails at once if it still names that slot
 * on the disk alone). Out of room in its line's page arrays: killed, with
 * that reason. Out of memory after reclaim (vm_frame_alloc): the
 * writes in flight, subscribers to pressure events and then the OOM killer
 * (reclaim_out_of_memory); unless the killer chose this very process, or
 * the fault is sent back (*sent_back), it is tried again. The process,
 * *res its last answer; or NULL, the fault over and its reply made. Out of
 * line: a fault answered at once, the most, pays nothing for it. */
__attribute__((noinline)) static struct pproc *more_tries(const struct fault *f, int *res,
							  int *sent_back, struct msg *out)
{
	unsigned waits = 0, access = (unsigned)f->access;
	uint32_t failed = 0;	/* the slot whose read failed: tried once more */
	struct pproc *p;
	int r = *res;

	for (;;) {
		p = procs_by_pid(f->pid);
		if (!p) {
			reply_kill(out, "pager: the process ended during its fault");	/* to no one */
			return NULL;
		}
		if (r == VM_FAULT_RETRY || (r == VM_FAULT_IO && !failed &&
					     (failed = vm_fault_failed_slot()))) {
			r = failed ? vm_fault_after_failed_read(p->vm, f->addr, access, failed)
				   : vm_fault_again(p->vm, f->addr, access);
			continue;
		}
		if (r != VM_FAULT_NOMEM || p->pinned)	/* VM_FAULT_ARRAYS too: no kill frees it room */
			break;
		enum reclaim_oom next = reclaim_out_of_memory(pager_holder(), p->pid, &waits);
		if (next == RECLAIM_RETRY) {
			r = VM_FAULT_RETRY;	/* tried again once looked up again */
			continue;
		}
		if (next != RECLAIM_SEND_BACK) {
			reply_kill(out, "pager: out of memory");	/* to no one: it is gone */
			return NULL;
		}
		*sent_back = 1;	/* resumed with what it has: it faults again */
		break;
	}
	*res = r;
	return p;
}

void handle_fault(const struct fault *f, struct msg *out)
{
	struct pproc *p = procs_by_pid(f->pid);
	char why[80];
	int r, sent_back = 0;

	if (swap_reads_waiting())
		vmstat_count(VMSTAT_FAULTS_DURING_READ);
	if (!p) {
		reply_kill(out, "pager: fault from a process it does not know");
		return;
	}
	r = vm_fault(p->vm, f->addr, (unsigned)f->access);
	if (r != VM_FAULT_MAPPED && !(p = more_tries(f, &r, &sent_back, out)))
		return;
	/* One call of resume, so that it stays inline in the fault's path
	 * (a second made it a call: 62 instructions a fault). */
	if (r != VM_FAULT_MAPPED && !sent_back) {
		snprintf(why, sizeof(why), "pager: %s", vm_fault_reason(r));
		reply_kill(out, why);
		if (!f->in_syscall)
			vmstat_count(VMSTAT_KILLS);
		mmu_flush();
		return;
	}
	resume(p, out);
}
