/*
 * User exceptions: a page fault becomes a call to the process's pager (a
 * message the kernel writes, sent by the fast path, else ipc.c) and the thread waits;
 * every other exception ends the process at once. The pager's answer is
 * fault_reply.c's. The kernel decides nothing about memory itself (a
 * fault only for a clear accessed or dirty bit it completes: arch.h).
 */
#include "fault.h"
#include "fault_reply.h"
#include "entry.h"
#include "proc.h"
#include "ipc.h"
#include "fastpath.h"
#include "delivery.h"
#include "console.h"
#include "params.h"
#include "abi/vm.h"

static const char *access_text(unsigned access)
{
	if (access == FAULT_WRITE)
		return "write";
	return access == FAULT_EXEC ? "exec" : "read";
}

static int has_pager(const struct proc *p)
{
	return p->fault_ep && p->fault_ep->obj.receivers > 0;
}

/* Write t's fault message and make the call to its pager for it. */
static void start_fault(struct thread *t, uint64_t addr, unsigned access, int in_syscall)
{
	struct proc *p = t->proc;
	struct msg_head *m = &t->fault_msg;

	/* Field by field, not memset: a dozen stores against memset's ~50
	 * instructions, on every fault. Every header field and word is set
	 * below; a new one must be too. */
	_Static_assert(MSG_WORDS == 6 && MSG_HEADER_SIZE == 80,
		       "start_fault sets each header field and word of a fault message");
	m->label = FAULT_LABEL;
	m->pid = m->tid = m->origin = m->len = m->rights = 0;
	m->handle = 0;
	m->w[0] = addr;
	m->w[1] = access;
	m->w[2] = arch_pc(&t->regs);
	/* Reserved: no pager read it, and a walk cost ~50 instructions a fault
	 * (docs/measured.md: faultaround=0). */
	m->w[3] = 0;
	m->w[4] = (uint64_t)in_syscall;
	m->w[5] = 0;
	if (kparams.verbose)
		kprintf("[kernel] fault: %s (pid %u) %s at 0x%lx, pc 0x%lx%s\n", p->name, p->pid,
			access_text(access), addr, m->w[2], in_syscall ? " (in a system call)" : "");
	if (!has_pager(p)) {
		fault_no_pager(t);
		return;
	}
	fastpath_fault(t, p->fault_ep);	/* returns only if it could not */
	ipc_fault_call(t, p->fault_ep);
}

/* Make the fault call for a fault that stopped no system call. */
static void fault_call(struct thread *t, uint64_t addr, unsigned access)
{
	t->syscall_fault = 0;
	start_fault(t, addr, access, 0);
}

/* fault_page with the look first that proc_create asked for (fault_slow):
 * a fault only for a clear A or D bit (Svade) is completed, the bit set as
 * the hart would have (the pager's harvest of A and D reads the same); any
 * other fault of the root task, the pager itself, is the end. Out of line,
 * and making the call itself: the usual fault then keeps nothing across a
 * call (inline, or returning here, the trap's way in saved two registers
 * more on every fault). */
__attribute__((noinline)) static void fault_looked_at(struct thread *t, uint64_t addr,
						      unsigned access)
{
	int learnt = arch_ad_by_fault;

	if (arch_pt_ad_fault(&t->proc->pt, addr, access)) {
		/* Processes made before the hart was known to fault so were
		 * made without the look: their bits would never be set. */
		if (!learnt && proc_count() > 1)
			panic("the hart faults for clear A/D bits, learnt only after other processes began");
		return;
	}
	if (t->proc->is_root)
		panic("the pager faulted: %s at 0x%lx, pc 0x%lx", access_text(access), addr,
		      arch_pc(&t->regs));
	fault_call(t, addr, access);
}

void fault_page(struct thread *t, uint64_t addr, unsigned access)
{
	if (t->proc->fault_slow)
		fault_looked_at(t, addr, access);
	else
		fault_call(t, addr, access);
}

int fault_for_syscall(struct thread *t, uint64_t va, int write)
{
	if (t->proc->is_root || !has_pager(t->proc))
		return 0;
	arch_syscall_restart(&t->regs);
	t->syscall_fault = 1;
	start_fault(t, va & ~(PAGE_SIZE - 1), write ? FAULT_WRITE : FAULT_READ, 1);
	return 1;
}

/* A message for blocked thread t (kept in t->stash) met a missing page of
 * t's buffer at va: ask t's pager for it. 0 if t has no pager to ask. */
static int fault_for_delivery(struct thread *t, uint64_t va)
{
	if (t->proc->is_root || !has_pager(t->proc))
		return 0;
	t->syscall_fault = 0;
	start_fault(t, va & ~(PAGE_SIZE - 1), FAULT_WRITE, 1);
	return 1;
}

void fault_exception(struct thread *t, unsigned cause, uint64_t addr, const char *what)
{
	struct exit_info info = { 0 };

	if (t->proc->is_root)
		panic("the pager took an exception: %s at 0x%lx, pc 0x%lx", what, addr,
		      arch_pc(&t->regs));
	info.how = EXIT_KILLED;
	info.cause = cause;
	info.addr = addr;
	info.pc = arch_pc(&t->regs);
	proc_end(t->proc, &info, what);
}

/* A queued sender's message met a missing page of its own: as its own
 * call would have (ipc_on_sender_fault). A function of its own, so that
 * fault_for_syscall's address is not taken and syscall_entry keeps it
 * inline (two instructions on every system call, scripts/bench). */
static int fault_for_sender(struct thread *t, uint64_t va, int write)
{
	return fault_for_syscall(t, va, write);
}

void fault_init(void)
{
	delivery_on_fault(fault_for_delivery);
	ipc_on_sender_fault(fault_for_sender);
}
