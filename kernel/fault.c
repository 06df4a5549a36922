/*
 * The fault path, kernel side: a user page fault becomes a message to the
 * process's pager and the thread waits; the pager's reply maps pages and
 * resumes it, or kills the process with the pager's reason. Every other
 * exception kills the process at once. The kernel decides nothing about
 * memory itself.
 */
#include "fault.h"
#include "entry.h"
#include "proc.h"
#include "ipc.h"
#include "delivery.h"
#include "sched.h"
#include "vmcall.h"
#include "klib.h"
#include "usercopy.h"
#include "console.h"
#include "params.h"
#include "msgwin.h"
#include "abi/errno.h"
#include "abi/vm.h"

static const char *access_text(unsigned access)
{
	if (access == FAULT_WRITE)
		return "write";
	return access == FAULT_EXEC ? "exec" : "read";
}

static void kill_for_fault(struct thread *t, unsigned cause, const char *why)
{
	struct exit_info info = { 0 };

	info.how = EXIT_KILLED;
	info.cause = cause;
	info.addr = t->fault_msg.w[0];
	info.pc = t->fault_msg.w[2];
	proc_end(t->proc, &info, why);
}

static int has_pager(const struct proc *p)
{
	return p->fault_ep && p->fault_ep->obj.receivers > 0;
}

/* Write t's fault message and make the call to its pager for it. */
static void start_fault(struct thread *t, uint64_t addr, unsigned access, int in_syscall)
{
	struct proc *p = t->proc;
	struct msg *m = &t->fault_msg;

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
	 * (design.md, Measured: faultaround=0). */
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
	ipc_fault_call(t, p->fault_ep);
}

void fault_page(struct thread *t, uint64_t addr, unsigned access)
{
	if (t->proc->is_root)
		panic("the pager faulted: %s at 0x%lx, pc 0x%lx", access_text(access), addr,
		      arch_pc(&t->regs));
	t->syscall_fault = 0;
	start_fault(t, addr, access, 0);
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

int fault_for_delivery(struct thread *t, uint64_t va)
{
	if (t->proc->is_root || !has_pager(t->proc))
		return 0;
	t->syscall_fault = 0;
	start_fault(t, va & ~(PAGE_SIZE - 1), FAULT_WRITE, 1);
	return 1;
}

void fault_no_pager(struct thread *c)
{
	c->in_fault = 0;
	kill_for_fault(c, CAUSE_NO_PAGER, "no pager to handle it");
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

static inline int fault_map(struct thread *c, struct thread *replier,
			    const struct map_entry *e, size_t n);
static int fault_mapped(struct thread *c, int r);

/* Inline in its callers (LTO): the fast path's reply then maps without a
 * call and a frame between (and its checks of m, made there already, once). */
__attribute__((always_inline)) inline int fault_map_reply(struct thread *c, struct thread *replier,
							  const struct msg *m)
{
	const struct map_entry one = { m->w[0], m->w[1], m->w[2] };

	if (m->label == FAULT_RESUME_ONE) {
		if (m->len == 0)
			return fault_map(c, replier, &one, 1);
		/* Its entry is in w[]: data would be dropped unread. */
		kill_for_fault(c, CAUSE_PAGE_FAULT, "the pager's FAULT_RESUME_ONE reply carried data");
		return -ERR_INVAL;
	}
	if (m->len % sizeof(struct map_entry) != 0) {
		kill_for_fault(c, CAUSE_PAGE_FAULT, "the pager's reply was malformed");
		return -ERR_INVAL;
	}
	return fault_map(c, replier, (const struct map_entry *)m->data,
			 m->len / sizeof(struct map_entry));
}

int fault_map_reply_regs(struct thread *c, struct thread *replier)
{
	const struct arch_regs *r = &replier->regs;

	/* The entry goes on in registers: no copy in memory to read back. */
	if (arch_msg_label(r) == FAULT_RESUME_ONE)
		return fault_mapped(c, vm_map_one(replier->proc, c->proc, arch_msg_word(r, 0),
						  arch_msg_word(r, 1), arch_msg_word(r, 2)));
	return fault_map(c, replier, NULL, 0);
}

/* Install n entries e for c (the reply taken apart), or end c's process.
 * Inline: one call, to vm_map_entries, the whole of it. */
__attribute__((always_inline)) static inline int fault_map(struct thread *c, struct thread *replier, const struct map_entry *e,
		     size_t n)
{
	return fault_mapped(c, vm_map_entries(replier->proc, c->proc, e, n));
}

/* r, the result of mapping a reply's entries for c: an error ends c's
 * process. */
static int fault_mapped(struct thread *c, int r)
{
	if (r == -ERR_NOMEM) {
		kill_for_fault(c, CAUSE_PAGE_FAULT, "no kernel memory for its page tables (limit "
			       "reached, or the kernel pool is empty)");
		return r;
	}
	if (r < 0) {
		kill_for_fault(c, CAUSE_PAGE_FAULT, "the pager's mapping was refused");
		return r;
	}
	return 0;
}

const struct msg *fault_resume_msg(struct thread *t, uint64_t va)
{
	static struct msg k;	/* one kernel stack, no preemption: one at a time */
	const struct msg *m = msg_at(t, va, 0);

	if (!m || !fault_resumes(m->label) || m->handle != -1 || m->len > MSG_DATA_MAX ||
	    m->len % sizeof(struct map_entry) != 0)
		return NULL;
	if ((va & (PAGE_SIZE - 1)) + MSG_HEADER_SIZE + m->len <= PAGE_SIZE)
		return m;
	return copyin(t->proc, &k, va, MSG_HEADER_SIZE + m->len) == 0 ? &k : NULL;
}

static int64_t resume(struct thread *c, struct thread *replier, const struct msg *m)
{
	int r = fault_map_reply(c, replier, m);

	if (r < 0)
		return r;
	if (c->stash)
		ipc_finish_delivery(c);	/* the message can go into its buffer now */
	else
		sched_ready(c);		/* it retries the access or system call */
	return 0;
}

int64_t fault_reply(struct thread *c, struct thread *replier, const struct msg *m)
{
	char why[96];
	int r;

	c->in_fault = 0;
	if (fault_resumes(m->label))
		return resume(c, replier, m);
	if (m->label == FAULT_KILL && c->stash) {
		ipc_drop_delivery(c, -ERR_FAULT);
		return 0;
	}
	if (m->label == FAULT_KILL && c->syscall_fault) {
		/* A bad pointer handed to the kernel is an error, not a crash. */
		c->syscall_fault = 0;
		arch_syscall_unrestart(&c->regs);
		thread_wake(c, -ERR_FAULT);
		return 0;
	}
	if (m->label != FAULT_KILL) {
		kill_for_fault(c, CAUSE_PAGE_FAULT, "the pager's reply was not understood");
		return -ERR_INVAL;
	}
	r = (int)MIN(m->len, sizeof(why) - 1);
	memcpy(why, m->data, (size_t)r);
	why[r] = '\0';
	kill_for_fault(c, CAUSE_PAGE_FAULT, why);
	return 0;
}
