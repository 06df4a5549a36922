/*
 * The pager's answer to a fault: map the pages it names and let the thread
 * go on (retrying its access, its system call or the delivery that faulted),
 * or end its process with the pager's reason. The fast path applies the
 * common FAULT_RESUME through here too.
 */
#include "fault_reply.h"
#include "proc.h"
#include "delivery.h"
#include "vmcall.h"
#include "klib.h"
#include "usercopy.h"
#include "msgwin.h"
#include "abi/errno.h"
#include "abi/vm.h"

static void kill_for_fault(struct thread *t, unsigned cause, const char *why)
{
	struct exit_info info = { 0 };

	info.how = EXIT_KILLED;
	info.cause = cause;
	info.addr = t->fault_msg.w[0];
	info.pc = t->fault_msg.w[2];
	proc_end(t->proc, &info, why);
}

void fault_no_pager(struct thread *c)
{
	c->in_fault = 0;
	kill_for_fault(c, CAUSE_NO_PAGER, "no pager to handle it");
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

/* Why p got no table page: its own limit, its budget (its line's, shared
 * with the processes created with it), or the pool itself, as the refusal
 * noted it (arch.h: the map just failed). */
static const char *nomem_why(const struct proc *p)
{
	switch (p->pt.refused) {
	case ARCH_PT_REFUSED_LIMIT:
		return "no kernel memory for its page tables (its limit reached)";
	case ARCH_PT_REFUSED_BUDGET:
		return "no kernel memory for its page tables (its budget of the kernel pool is spent)";
	default:
		return "no kernel memory for its page tables (the kernel pool is empty)";
	}
}

/* r, the result of mapping a reply's entries for c: an error ends c's
 * process. */
static int fault_mapped(struct thread *c, int r)
{
	if (r == -ERR_NOMEM) {
		kill_for_fault(c, CAUSE_PAGE_FAULT, nomem_why(c->proc));
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
	delivery_resume(c);	/* a kept message can go into its buffer now */
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
		delivery_drop(c, -ERR_FAULT);
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
