/*
 * The system-call table, bounds-checked and checked for who may call, and
 * the calls too small to live anywhere else. Numbers and table are made
 * from kernel/abi/syscalls.list, the list user space's wrappers come from.
 */
#include "syscall.h"
#include "entry.h"
#include "proc.h"
#include "ipc.h"
#include "delivery.h"
#include "fastpath.h"
#include "notify.h"
#include "notify_timer.h"
#include "sched.h"
#include "handle.h"
#include "budget.h"
#include "budgetcall.h"
#include "vmcall.h"
#include "harvest.h"
#include "device.h"
#include "proccall.h"
#include "usercopy.h"
#include "fault.h"
#include "console.h"
#include "klib.h"
#include "abi/syscall.h"
#include "kmem.h"
#include "abi/errno.h"
#include "abi/handle.h"
#include "abi/kinfo.h"
#include "abi/limits.h"

/* (buf, len): write up to DEBUG_WRITE_MAX bytes of buf to the console ->
 * the bytes written. */
static int64_t sys_debug_write(struct thread *t, const uint64_t *a)
{
	char buf[128];
	uint64_t va = a[0], len = MIN(a[1], (uint64_t)DEBUG_WRITE_MAX);
	int r = user_check(t->proc, va, len, 0);

	if (r < 0)
		return r;
	for (uint64_t done = 0; done < len; done += sizeof(buf)) {
		size_t n = MIN(len - done, sizeof(buf));
		if ((r = copyin(t->proc, buf, va + done, n)) < 0)
			return r;
		kwrite(buf, n);
	}
	return (int64_t)len;
}

static int64_t sys_getpid(struct thread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->pid;
}

static int64_t sys_gettid(struct thread *t, const uint64_t *a)
{
	(void)a;
	return t->tid;
}

static int64_t sys_clock(struct thread *t, const uint64_t *a)
{
	(void)t;
	(void)a;
	return (int64_t)arch_ticks_to_ns(arch_time_now());
}

static int64_t sys_idle_ns(struct thread *t, const uint64_t *a)
{
	(void)t;
	(void)a;
	return (int64_t)arch_ticks_to_ns(arch_idle_ticks());
}

static int64_t sys_handle_close(struct thread *t, const uint64_t *a)
{
	if (a[0] == HANDLE_SELF)
		return -ERR_INVAL;	/* a process keeps its own handle */
	return handle_close(t->proc, a[0]);
}

static int64_t sys_handle_info(struct thread *t, const uint64_t *a)
{
	const struct handle *e = handle_entry(t->proc, a[0]);

	if (!e)
		return -ERR_BADF;
	return (int64_t)(e->obj->type << 8 | e->rights);
}

static int64_t sys_kernel_info(struct thread *t, const uint64_t *a)
{
	struct kernel_info k = {
		.pool_pages = kmem_pages_total(),
		.pool_free = kmem_pages_free(),
		.procs = proc_count(),
		.threads = thread_count(),
		.endpoints = ipc_endpoints(),
		.notifies = notify_count(),
		.pending_copies = delivery_pending_copies(),
		.handles = handle_count(),
		.timers = notify_timers_armed(),
		.irq_bindings = device_irq_bindings(),
		.budgets = budget_count(),
		.fast_calls = fastpath_calls(),
		.fast_replies = fastpath_replies(),
		.fast_faults = fastpath_faults(),
		.fast_resumes = fastpath_counts.resumes,
		.msgs_in_regs = fastpath_in_regs() + delivery_regs_count(),
		.own_slow_calls = t->slow_calls,
	};

	return copyout(t->proc, a[0], &k, sizeof(k));
}

/* table[]: every call of kernel/abi/syscalls.list, by number. */
#include "syscall_table.h"

/* The handler for call n, or NULL with the error t gets instead. */
static syscall_fn lookup_call(const struct thread *t, uint64_t n, int64_t *err)
{
	if (n >= SYS_COUNT || !table[n].fn) {
		*err = -ERR_NOSYS;
		return NULL;
	}
	if (table[n].who == SYSCALL_ROOT && !t->proc->is_root) {
		*err = -ERR_PERM;
		return NULL;
	}
	return table[n].fn;
}

void syscall_entry(struct thread *t)
{
	int64_t r = 0;
	syscall_fn fn = lookup_call(t, arch_syscall_number(&t->regs), &r);

	user_miss.proc = NULL;
	if (fn)
		r = fn(t, arch_syscall_args(&t->regs));
	/* A page of its own not there yet (demand paging, copy-on-write): the
	 * pager brings it and the call runs again. Calls check their pointers
	 * before changing anything, so running again is safe. */
	if (r == -ERR_FAULT && user_miss.proc == t->proc && sched_current() == t &&
	    fault_for_syscall(t, user_miss.va, user_miss.write))
		return;
	/* The call may have blocked t, or ended it (exit, kill of itself). */
	if (r != SYSCALL_BLOCKED && sched_current() == t)
		arch_set_result(&t->regs, r);
}

/* The fast path returns having done part of a reply_recv when its fault
 * reply ended the faulting process (fastpath.c's resume_fault). If that
 * process was the replier's own (one taking its own faults), the replier
 * ended with it: no thread is current, and its call is over. */
void syscall_after_fastpath(void)
{
	struct thread *t = sched_current();

	if (t)
		syscall_entry(t);
}
