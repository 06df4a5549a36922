/*
 * Host tests for irq_ack_recv (kernel/device.c) over the real system-call
 * entry (kernel/syscall.c), receive (kernel/ipc.c), delivery, handles and
 * the fault call for a missing page (kernel/fault.c, fault_reply.c): the
 * interrupt is acknowledged (arch_irq_complete, counted here) only when
 * both calls' checks pass, and once, even when the receive fails after the
 * ack and the call runs again; a receive that blocked takes its message in
 * registers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_csr.h"

#include "../../arch/riscv/mmu.c"
#include "../../kernel/object.c"
#include "../../kernel/tqueue.c"
#include "../../kernel/handle.c"
#include "../../kernel/notify.c"
#include "../../kernel/ipc.c"
#include "../../kernel/delivery.c"
#include "../../kernel/device.c"
#include "../../kernel/fault.c"
#include "../../kernel/fault_reply.c"
#include "../../kernel/syscall.c"
#include "test_kernel_fake.h"

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* What the included files call and the test does not build: the object
 * caches from the heap, the interrupt controller counting completions, a
 * wake or a resume noted in the thread (as thread.c and sched.c do), the
 * pager's mapping (the test maps its pages itself: fake_unmapped), the
 * fast path's fault call as when it cannot make it, and what no test here
 * reaches. */
void *kcache_alloc(struct kcache *c) { return calloc(1, c->size); }
void kcache_free(struct kcache *c, void *o) { (void)c; free(o); }
void kprintf(const char *fmt, ...) { (void)fmt; }
static unsigned completed;	/* arch_irq_complete calls */
void arch_irq_init(uint64_t plic_base, uint32_t ndev) { (void)plic_base; (void)ndev; }
int arch_irq_enable(uint32_t irq) { (void)irq; return 0; }
void arch_irq_disable(uint32_t irq) { (void)irq; }
void arch_irq_complete(uint32_t irq) { (void)irq; completed++; }
void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	t->state = T_READY;
}
void sched_ready(struct thread *t) { t->state = T_READY; }
struct thread *sched_running;
int vm_map_entries(struct proc *by, struct proc *target, const struct map_entry *e, size_t n)
{
	(void)by; (void)target; (void)e;
	return n == 0 ? 0 : -ERR_INVAL;
}
int vm_map_one(struct proc *by, struct proc *target, uint64_t va, uint64_t pa, uint64_t perm)
{
	(void)by; (void)target; (void)va; (void)pa; (void)perm;
	fail();
	return 0;
}
void fastpath_fault(struct thread *t, struct endpoint *ep) { (void)t; (void)ep; }
/* regs.c's (it cannot build here: its FP switch and return are RISC-V
 * assembly): an ecall is 4 bytes. */
void arch_syscall_restart(struct arch_regs *r) { r->x[0] -= 4; }
void arch_syscall_unrestart(struct arch_regs *r) { r->x[0] += 4; }
void proc_end(struct proc *p, const struct exit_info *info, const char *why)
{
	(void)p; (void)info;
	fail_msg("process ended: %s", why);
}
struct kernel_params kparams;
struct fastpath_counts fastpath_counts;
struct msg *msgwin_refill(struct thread *t, struct msg_window *w, uint64_t va, int write)
{
	(void)t; (void)w; (void)va; (void)write;
	fail();
	return NULL;
}
#define NOT_CALLED(type, name) type name(void) { fail(); return 0; }
NOT_CALLED(uint64_t, arch_time_now)
NOT_CALLED(uint64_t, arch_idle_ticks)
NOT_CALLED(uint64_t, kmem_pages_total)
NOT_CALLED(uint64_t, kmem_pages_free)
NOT_CALLED(uint64_t, notify_timers_armed)
NOT_CALLED(uint64_t, thread_count)
NOT_CALLED(uint64_t, proc_count)
uint64_t arch_ticks_to_ns(uint64_t ticks) { (void)ticks; fail(); return 0; }
void kwrite(const char *s, size_t n) { (void)s; (void)n; fail(); }
/* The table's calls whose files are not built here. */
#define CALL_NOT_MADE(name) \
	int64_t name(struct thread *t, const uint64_t *a) { (void)t; (void)a; fail(); return 0; }
CALL_NOT_MADE(sys_yield)
CALL_NOT_MADE(sys_exit)
CALL_NOT_MADE(sys_thread_exit)
CALL_NOT_MADE(sys_notify_timer)
CALL_NOT_MADE(sys_thread_create)
CALL_NOT_MADE(sys_proc_wait)
CALL_NOT_MADE(sys_proc_kill)
CALL_NOT_MADE(sys_proc_create)
CALL_NOT_MADE(sys_map)
CALL_NOT_MADE(sys_unmap)
CALL_NOT_MADE(sys_protect)
CALL_NOT_MADE(sys_handle_grant)
CALL_NOT_MADE(sys_poweroff)
CALL_NOT_MADE(sys_proc_info)
CALL_NOT_MADE(sys_harvest)

#define IRQ 5
enum { EP, NOTE, EP_SEND_ONLY };	/* the handles setup installs, in order */
#define FAULT_EP 0			/* the pager's, in procs[1] */

static struct thread drv;		/* the driver, in procs[0] */
static struct thread sender;		/* another thread of the driver's */
static struct msg buf __attribute__((aligned(PAGE_SIZE)));
static struct msg sent __attribute__((aligned(PAGE_SIZE)));	/* sender's */
static struct thread pager;		/* procs[1]'s, the driver's pager */
static struct msg answer;		/* the pager's reply */

/* The driver with an endpoint it receives on, its notification bound to
 * IRQ, and a send-only handle to the endpoint; its buffer mapped; its
 * pager waiting for a fault call, in registers. */
static int setup(void **state)
{
	static struct msg pager_buf;
	struct endpoint *ep, *fault_ep;
	struct notify *n;

	(void)state;
	twins_create();
	(void)pte_of;
	assert_int_equal(handle_table_create(&procs[0], 0), 0);
	assert_int_equal(handle_table_create(&procs[1], 0), 0);
	procs[0].pid = 9;
	drv = (struct thread){ .proc = &procs[0], .tid = 1 };
	sender = (struct thread){ .proc = &procs[0], .tid = 2 };
	pager = (struct thread){ .proc = &procs[1] };
	assert_non_null(fault_ep = endpoint_create());
	assert_int_equal(handle_install(&procs[1], &fault_ep->obj, RIGHT_RECV), FAULT_EP);
	procs[0].fault_ep = fault_ep;
	assert_int_equal(sys_recv_regs(&pager, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }),
			 SYSCALL_BLOCKED);
	ep = endpoint_create();
	n = notify_create();
	assert_non_null(ep);
	assert_non_null(n);
	assert_int_equal(handle_install(&procs[0], &ep->obj, RIGHT_SEND | RIGHT_RECV), EP);
	assert_int_equal(handle_install(&procs[0], &n->obj, RIGHT_SEND | RIGHT_RECV), NOTE);
	assert_int_equal(handle_install(&procs[0], &ep->obj, RIGHT_SEND), EP_SEND_ONLY);
	assert_int_equal(sys_irq_bind(&drv, (const uint64_t[]){ IRQ, NOTE, 1 }), 0);
	fake_unmapped = fake_readonly = 0;
	completed = 0;
	return 0;
}

static int dev_teardown(void **state)
{
	unbind(IRQ);
	notify_unbind(&drv);
	tq_remove(&drv);
	tq_remove(&sender);
	tq_remove(&pager);
	procs[0].fault_ep = NULL;
	handle_table_destroy(&procs[0]);
	handle_table_destroy(&procs[1]);
	return teardown(state);
}

/* irq_ack_recv(ep, buffer, notify handle, irq) as the driver. */
static int64_t ack_recv(uint64_t ep, uint64_t irq)
{
	return sys_irq_ack_recv(&drv, (const uint64_t[]){ ep, (uint64_t)(uintptr_t)&buf, NOTE, irq });
}

/* A receive that would fail is refused before the acknowledgement: its
 * buffer not writable, its handle without RIGHT_RECV, a reply owed; and
 * the acknowledgement's own refusal (an irq not the handle's). */
static void test_refused_before_ack(void **state)
{
	struct thread caller = { 0 };

	(void)state;
	fake_readonly = (uintptr_t)&buf;
	assert_int_equal(ack_recv(EP, IRQ), -ERR_FAULT);
	fake_readonly = 0;
	assert_int_equal(ack_recv(EP_SEND_ONLY, IRQ), -ERR_ACCES);
	drv.reply_to = &caller;
	assert_int_equal(ack_recv(EP, IRQ), -ERR_BUSY);
	drv.reply_to = NULL;
	assert_int_equal(ack_recv(EP, IRQ + 1), -ERR_PERM);
	assert_int_equal(completed, 0);
	/* All checks passed: acknowledged once, and the driver waits. */
	assert_int_equal(ack_recv(EP, IRQ), SYSCALL_BLOCKED);
	assert_int_equal(completed, 1);
}

/* t makes the system call its registers name, as the trap takes it: the
 * pc moved past the ecall, then syscall_entry. */
static void ecall(struct thread *t)
{
	sched_running = t;
	t->regs.x[0] += 4;
	syscall_entry(t);
}

#define ECALL 0x10000UL			/* the driver's ecall instruction */

/* The driver's irq_ack_recv(EP, buf, NOTE, IRQ), made as a trap makes it. */
static void driver_ack_recv(void)
{
	drv.regs.x[0] = ECALL;
	drv.regs.x[17] = SYS_IRQ_ACK_RECV;
	memcpy(&drv.regs.x[10], (const uint64_t[]){ EP, (uintptr_t)&buf, NOTE, IRQ }, 32);
	ecall(&drv);
}

/* The receive fails after the ack: a thread of the driver's own blocked
 * sending, whose message's page went while it waited. syscall_entry asks
 * the pager for the page (fault_for_syscall) with the call set to run
 * again: the pc back on the ecall, the call now a recv_regs. */
static void fail_after_ack(void)
{
	sent = (struct msg){ .label = 7, .handle = -1 };
	assert_int_equal(sys_send(&sender, (const uint64_t[]){ EP_SEND_ONLY, (uintptr_t)&sent }),
			 SYSCALL_BLOCKED);
	fake_unmapped = (uintptr_t)&sent;
	assert_int_equal(sys_notify_bind(&drv, (const uint64_t[]){ NOTE }), 0);
	driver_ack_recv();

	assert_int_equal(completed, 1);
	assert_int_equal(sender.state, T_READY);	/* as a plain receive fails it */
	assert_int_equal((int64_t)sender.regs.x[10], -ERR_FAULT);
	assert_int_equal(drv.regs.x[0], ECALL);
	assert_int_equal(drv.regs.x[17], SYS_RECV_REGS);
	assert_int_equal(drv.state, T_REPLY);		/* on its pager */
	assert_int_equal(pager.regs.x[10], MSG_IN_REGS);
	assert_int_equal(arch_msg_label(&pager.regs), FAULT_LABEL);
	assert_int_equal(arch_msg_word(&pager.regs, 0), (uintptr_t)&sent);
	assert_int_equal(arch_msg_word(&pager.regs, 1), FAULT_READ);
	assert_int_equal(arch_msg_word(&pager.regs, 2), ECALL);
	assert_int_equal(arch_msg_word(&pager.regs, 4), 1);	/* in a system call */
}

/* The pager answers the driver's fault with label (no data). */
static void pager_replies(uint64_t label)
{
	answer = (struct msg){ .label = label, .handle = -1 };
	pager.regs.x[10] = (uintptr_t)&answer;
	pager.regs.x[17] = SYS_REPLY;
	ecall(&pager);
	assert_int_equal(pager.regs.x[10], 0);
}

/* The page brought, the driver runs again: the ecall, now a recv_regs,
 * receives (here the interrupt that came meanwhile) and acknowledges
 * nothing. */
static void test_run_again_after_ack(void **state)
{
	(void)state;
	fail_after_ack();
	fake_unmapped = 0;
	pager_replies(FAULT_RESUME);
	assert_int_equal(drv.state, T_READY);
	assert_int_equal(drv.regs.x[0], ECALL);

	device_interrupt(IRQ);				/* the device, acknowledged */
	ecall(&drv);
	assert_int_equal(drv.regs.x[10], MSG_IN_REGS);
	assert_int_equal(completed, 1);
	assert_int_equal(drv.regs.x[17], ORIGIN_NOTIFY);
	assert_int_equal(drv.regs.x[13], 1);		/* the bits IRQ is bound to */
}

/* The pager will not bring the page (FAULT_KILL): the call fails with
 * -ERR_FAULT past its ecall, not run again, the ack made once. */
static void test_killed_after_ack(void **state)
{
	(void)state;
	fail_after_ack();
	pager_replies(FAULT_KILL);
	assert_int_equal(drv.state, T_READY);
	assert_int_equal(drv.regs.x[0], ECALL + 4);
	assert_int_equal((int64_t)drv.regs.x[10], -ERR_FAULT);
	assert_int_equal(completed, 1);
}

/* No message yet: the ack made, the receive blocks, as a recv_regs. A
 * sender's message then comes in the driver's registers, its buffer
 * untouched. */
static void test_blocked_gets_regs(void **state)
{
	const uint64_t w[MSG_WORDS] = { 11, 12, 13, 14, 15, 16 };

	(void)state;
	memset(&buf, 0xee, sizeof(buf));
	driver_ack_recv();
	assert_int_equal(completed, 1);
	assert_int_equal(drv.state, T_RECV);
	assert_int_equal(drv.regs.x[10], EP);		/* no result yet */

	sent = (struct msg){ .label = 7, .handle = -1 };
	memcpy(sent.w, w, sizeof(w));
	sender.regs.x[17] = SYS_SEND;
	memcpy(&sender.regs.x[10], (const uint64_t[]){ EP_SEND_ONLY, (uintptr_t)&sent }, 16);
	ecall(&sender);
	assert_int_equal(sender.regs.x[10], 0);

	assert_int_equal(drv.state, T_READY);
	assert_int_equal(drv.regs.x[10], MSG_IN_REGS);
	assert_int_equal(drv.regs.x[11], arch_msg_ids(procs[0].pid, sender.tid));
	assert_int_equal(drv.regs.x[17], ORIGIN_SEND);
	assert_int_equal(arch_msg_label(&drv.regs), 7);
	for (int i = 0; i < MSG_WORDS; i++)
		assert_int_equal(arch_msg_word(&drv.regs, i), w[i]);
	assert_int_equal(buf.label, 0xeeeeeeeeeeeeeeeeUL);
	assert_int_equal(completed, 1);
}

int main(void)
{
	static const struct devtree_info no_devices;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_ack, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_run_again_after_ack, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_killed_after_ack, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_blocked_gets_regs, setup, dev_teardown),
	};

	ipc_init();
	notify_init();
	device_init(&no_devices);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
