/*
 * For host tests that run system calls through the real entry
 * (kernel/syscall.c) over IPC (ipc.c, delivery.c), handles, notifications,
 * budgets of the kernel pool (budget.c, budget_caches.c, budget_members.c, budgetcall.c), irq_ack_recv (device.c) and the fault call for a missing page (fault.c,
 * fault_reply.c): the kernel files, included whole, and what they call
 * that the tests do not build. Include first, then the test's own.
 */
#ifndef TEST_KERNEL_IPC_FAKE_H
#define TEST_KERNEL_IPC_FAKE_H

#ifdef FAKE_FASTPATH
/* The return to user mode (arch.h's ARCH_JUMP and ARCH_JUMP_STAMPED) as
 * return.S makes it, then a jump back to the system call's trap here
 * (fake_enter_user, below; ecall). */
#include <setjmp.h>
struct arch_regs;
_Noreturn static void fake_enter_user(struct arch_regs *r, const struct arch_regs *from,
				      int stamped, uint64_t ids, uint64_t origin);
#define ARCH_JUMP(label, r, from) fake_enter_user((r), (from), 0, 0, 0)
#define ARCH_JUMP_STAMPED(r, from, ids, origin) fake_enter_user((r), (from), 1, (ids), (origin))
#endif
#include "test_kernel_csr.h"

#include "../../arch/riscv/mmu.c"
#include "../../kernel/object.c"
#include "../../kernel/tqueue.c"
#include "../../kernel/handle.c"
#include "../../kernel/notify.c"
#include "../../kernel/budget.c"
#include "../../kernel/budget_caches.c"
#include "../../kernel/budget_members.c"
#include "../../kernel/budgetcall.c"
#include "../../kernel/ipc.c"
#include "../../kernel/release.c"
#include "../../kernel/delivery.c"
#include "../../kernel/device.c"
#include "../../kernel/fault.c"
#include "../../kernel/fault_reply.c"
#include "../../kernel/syscall.c"
#ifdef FAKE_REAL_KMEM
/* The kernel pool and its object caches as the kernel has them, over a
 * heap region (fake_pool_init): pages held are pages taken from it. */
#include "../../kernel/kmem.c"
#endif
#ifdef FAKE_REAL_PROCS
/* The test makes and ends processes and threads (proc_create, proc_end,
 * thread_create): their files, and below, fakes for the scheduler,
 * timers and registers they call. */
#include "../../kernel/proc.c"
#include "../../kernel/thread.c"
#include "../../kernel/thread_end.c"
#endif
#ifdef FAKE_REAL_CALLS
/* With FAKE_REAL_PROCS: the process and thread calls (proccall.c) and the
 * timers (notify_timer.c), for a test that drives them all (kernel_rand). */
#include "../../kernel/proccall.c"
#include "../../kernel/notify_timer.c"
#endif
#ifdef FAKE_FASTPATH
/* The IPC fast path (fastpath.c) and the message windows it reads
 * through (msgwin.c); its way back to user mode fake_enter_user, below. */
#include "../../kernel/msgwin.c"
#define link_reply fastpath_link_reply	/* ipc.c has its own, as static */
#include "../../kernel/fastpath.c"
#undef link_reply
#endif
#include "test_kernel_fake.h"

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* The object caches from the heap (they may be made to refuse:
 * fake_caches_refuse; pages are no one's), the interrupt controller counting
 * completions, a wake or a resume noted in the thread (as thread.c and
 * sched.c do), the pager's mapping (a test maps its pages itself:
 * fake_unmapped), the fast path's fault call as when it cannot make it,
 * the console counting what it is given, and what no test reaches. No
 * process may end, but in a test that defines FAKE_REAL_PROCS. */
#ifndef FAKE_REAL_KMEM
static int fake_caches_refuse;	/* every allocation fails */
void *kcache_alloc(struct kcache *c) { return fake_caches_refuse ? NULL : calloc(1, c->size); }
/* Each object its own page (kcache_needs_page is always true here), so each
 * free gives one back: a budget charged for it is uncharged. */
int kcache_free(struct kcache *c, void *o) { (void)c; free(o); return 1; }
#endif
void kprintf(const char *fmt, ...) { (void)fmt; }
static unsigned completed;	/* arch_irq_complete calls */
/* Of those, completions of a source masked at the time: a PLIC that keeps
 * to its spec ignores them, so the source stays claimed for good. */
static unsigned completed_masked;
#define FAKE_IRQS 1024		/* the PLIC's sources at most */
static unsigned char fake_irq_on[FAKE_IRQS];
static size_t console_bytes;	/* bytes kwrite was given */
void arch_irq_init(uint64_t plic_base, uint32_t ndev) { (void)plic_base; (void)ndev; }
int arch_irq_enable(uint32_t irq) { fake_irq_on[irq % FAKE_IRQS] = 1; return 0; }
void arch_irq_disable(uint32_t irq) { fake_irq_on[irq % FAKE_IRQS] = 0; }
void arch_irq_complete(uint32_t irq)
{
	completed++;
	completed_masked += !fake_irq_on[irq % FAKE_IRQS];
}
void kwrite(const char *s, size_t n) { (void)s; console_bytes += n; }
struct thread *sched_running;
#ifdef FAKE_REAL_PROCS
/* As sched.c's: a thread ended in its own call is no longer the one
 * running, so syscall_entry leaves its (freed) registers alone. */
void sched_forget(struct thread *t)
{
	if (sched_running == t)
		sched_running = NULL;
}
void sched_forget_proc(struct proc *p) { (void)p; }
#ifndef FAKE_REAL_CALLS
void notify_timers_release(struct proc *p) { (void)p; }
#endif
void arch_regs_init(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t arg)
{
	(void)sp;
	(void)arg;
	r->x[0] = pc;
}
void arch_regs_release(struct arch_regs *r) { (void)r; }
#else
void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	t->state = T_READY;
}
#endif
void sched_ready(struct thread *t) { t->state = T_READY; }
int vm_map_entries(struct proc *by, struct proc *target, const struct map_entry *e, size_t n)
{
	(void)by; (void)target; (void)e;
	return n == 0 ? 0 : -ERR_INVAL;
}
/* Only the fast path's register reply maps one page: refused, as above. */
int vm_map_one(struct proc *by, struct proc *target, uint64_t va, uint64_t pa, uint64_t perm)
{
	(void)by; (void)target; (void)va; (void)pa; (void)perm;
#ifndef FAKE_FASTPATH
	fail();
#endif
	return -ERR_INVAL;
}
#ifdef FAKE_FASTPATH
/* sched.c's: nothing else is ready (unless a test says a thread of some
 * priority may be, sched_maybe_ready, and whether the one woken would run
 * next all the same: fake_runs_next), the process's tables are loaded
 * when it runs, and the return to user mode has no sstatus to write. */
uint64_t sched_maybe_ready;
static int fake_runs_next = 1;
struct proc *sched_active_proc;
int sched_runs_next_slow(int prio) { (void)prio; return fake_runs_next; }
int arch_status_plain = 1;
#else
void fastpath_fault(struct thread *t, struct endpoint *ep) { (void)t; (void)ep; }
#endif
/* regs.c's (it cannot build here: its FP switch and return are RISC-V
 * assembly): an ecall is 4 bytes. */
void arch_syscall_restart(struct arch_regs *r) { r->x[0] -= 4; }
void arch_syscall_unrestart(struct arch_regs *r) { r->x[0] += 4; }
#ifndef FAKE_REAL_PROCS
void proc_end(struct proc *p, const struct exit_info *info, const char *why)
{
	(void)p; (void)info;
	fail_msg("process ended: %s", why);
}
#endif
struct kernel_params kparams;
#ifndef FAKE_FASTPATH
struct fastpath_counts fastpath_counts;
struct msg *msgwin_refill(struct thread *t, struct msg_window *w, uint64_t va, int write)
{
	(void)t; (void)w; (void)va; (void)write;
	fail();
	return NULL;
}
#endif
/* The pool's size, which a budget may not pass (budget.c); with
 * FAKE_REAL_KMEM, the region's, less its first pages (kmem.c's records). */
#define FAKE_POOL_PAGES 1024
#ifdef FAKE_REAL_KMEM
static void fake_pool_init(void)
{
	static void *region;

	region = aligned_alloc(PAGE_SIZE, FAKE_POOL_PAGES * PAGE_SIZE);
	assert_non_null(region);
	kmem_init(kva_to_pa(region), kva_to_pa(region) + FAKE_POOL_PAGES * PAGE_SIZE);
}
#else
uint64_t kmem_pages_total(void) { return FAKE_POOL_PAGES; }
#endif
#define NOT_CALLED(type, name) type name(void) { fail(); return 0; }
NOT_CALLED(uint64_t, arch_time_now)
NOT_CALLED(uint64_t, arch_idle_ticks)
#ifndef FAKE_REAL_KMEM
uint64_t kmem_pages_free(void) { return FAKE_POOL_PAGES - (uint64_t)fake_pages_out; }
#endif
#ifndef FAKE_REAL_CALLS
NOT_CALLED(uint64_t, notify_timers_armed)
#endif
#ifndef FAKE_REAL_PROCS
NOT_CALLED(uint64_t, thread_count)
NOT_CALLED(uint64_t, proc_count)
#endif
uint64_t arch_ticks_to_ns(uint64_t ticks) { (void)ticks; fail(); return 0; }
/* The table's calls whose files are not built here. */
#define CALL_NOT_MADE(name) \
	int64_t name(struct thread *t, const uint64_t *a) { (void)t; (void)a; fail(); return 0; }
CALL_NOT_MADE(sys_yield)
CALL_NOT_MADE(sys_map)
CALL_NOT_MADE(sys_unmap)
CALL_NOT_MADE(sys_protect)
CALL_NOT_MADE(sys_copy_maps)
CALL_NOT_MADE(sys_harvest)
#ifdef FAKE_REAL_CALLS
_Noreturn void arch_poweroff(int status)
{
	fail_msg("powered off: %d", status);
	abort();
}
#else
CALL_NOT_MADE(sys_exit)
CALL_NOT_MADE(sys_thread_exit)
CALL_NOT_MADE(sys_notify_timer)
CALL_NOT_MADE(sys_thread_create)
CALL_NOT_MADE(sys_proc_wait)
CALL_NOT_MADE(sys_proc_kill)
CALL_NOT_MADE(sys_proc_create)
CALL_NOT_MADE(sys_handle_grant)
CALL_NOT_MADE(sys_poweroff)
CALL_NOT_MADE(sys_proc_info)
CALL_NOT_MADE(sys_thread_prio)
#endif

/* At the start: the boot's hooks of the files included, no devices. */
static void kernel_init(void)
{
	static const struct devtree_info no_devices;

#ifdef FAKE_REAL_KMEM
	fake_pool_init();
#endif
	ipc_init();
	notify_init();
	budget_init();
#ifdef FAKE_REAL_PROCS
	proc_init();
#endif
	fault_init();
	device_init(&no_devices);
}

#ifdef FAKE_FASTPATH
static jmp_buf fake_user_mode;		/* where the return to user mode lands */
static struct arch_regs *fake_entered;	/* the context it returned in (NULL: none) */

/* What return.S's trap_return_msg (stamped: trap_return_stamped) leaves in
 * the registers of r's thread, as its next trap saves them: r's own, but
 * the message words and label from `from`'s context (a sender's, or r's
 * own), and stamped, the stamps ids and origin. Then back to the trap. */
_Noreturn static void fake_enter_user(struct arch_regs *r, const struct arch_regs *from,
				      int stamped, uint64_t ids, uint64_t origin)
{
	static const int words[] = { 5, 6, 12, 13, 14, 15, 16 };	/* t0, t1, a2..a6 */

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		r->x[words[i]] = from->x[words[i]];
	if (stamped)
		arch_msg_stamp(r, ids, (uint32_t)origin);
	fake_entered = r;
	longjmp(fake_user_mode, 1);
}
#endif

/* t makes the system call its registers name, as the trap takes it: the
 * pc moved past the ecall, then (FAKE_FASTPATH) the fast path, which may
 * return to user mode in another thread, and if it returns
 * syscall_after_fastpath (trap_from_ecall's order); else syscall_entry. */
static void ecall(struct thread *t)
{
	sched_running = t;
	t->state = T_RUNNING;
	t->regs.x[0] += 4;
#ifdef FAKE_FASTPATH
	fake_entered = NULL;
	if (setjmp(fake_user_mode))
		return;
	fastpath_syscall(t->regs.x[10], t->regs.x[11], &t->regs, t->regs.x[17]);
	syscall_after_fastpath();
#else
	syscall_entry(t);
#endif
}

/* t makes system call n with arguments a (up to four) from its ecall at
 * pc, as a trap makes it. */
static void ecall_at(struct thread *t, uint64_t pc, uint64_t n, const uint64_t *a, int nargs)
{
	t->regs.x[0] = pc;
	t->regs.x[17] = n;
	memcpy(&t->regs.x[10], a, (size_t)nargs * sizeof(uint64_t));
	ecall(t);
}

/* Pager thread p got thread t's fault for the page of va, met in a system
 * call of t's at pc (in registers: the fault is header-only). */
static inline void pager_got_fault(const struct thread *p, const struct thread *t, const void *va,
				   unsigned access, uint64_t pc)
{
	assert_int_equal(t->state, T_REPLY);
	assert_ptr_equal(t->replier, p);
	assert_int_equal(p->state, T_READY);
	assert_int_equal(p->regs.x[10], MSG_IN_REGS);
	assert_int_equal(arch_msg_label(&p->regs), FAULT_LABEL);
	assert_int_equal(arch_msg_word(&p->regs, 0), (uintptr_t)va);
	assert_int_equal(arch_msg_word(&p->regs, 1), access);
	assert_int_equal(arch_msg_word(&p->regs, 2), pc);
	assert_int_equal(arch_msg_word(&p->regs, 4), 1);	/* in a system call */
}

/* Pager thread p answers the fault it got with label (no data), as a
 * trap makes the reply. Inline: not every test has a pager. */
static inline void pager_replies(struct thread *p, uint64_t label)
{
	static struct msg answer;

	answer = (struct msg){ .label = label, .handle = -1 };
	ecall_at(p, 0x30000, SYS_REPLY, (const uint64_t[]){ (uintptr_t)&answer }, 1);
	assert_int_equal(p->regs.x[10], 0);
}

#endif
