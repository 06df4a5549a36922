/*
 * Host tests for irq_ack_recv (kernel/device.c) over the real receive
 * (kernel/ipc.c), delivery and handles: the interrupt is acknowledged
 * (arch_irq_complete, counted here) only when both calls' checks pass, and
 * once, even when the receive fails after the ack and runs again.
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
#include "test_kernel_fake.h"

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* What the included files call and the test does not build: the object
 * caches from the heap, the interrupt controller counting completions, a
 * wake noted in the thread (as thread.c sets its result), and paths no
 * test here takes (a fault reply). */
void *kcache_alloc(struct kcache *c) { return calloc(1, c->size); }
void kcache_free(struct kcache *c, void *o) { (void)c; free(o); }
void kprintf(const char *fmt, ...) { (void)fmt; }
static unsigned completed;	/* arch_irq_complete calls */
void arch_irq_init(uint64_t plic_base, uint32_t ndev) { (void)plic_base; (void)ndev; }
int arch_irq_enable(uint32_t irq) { (void)irq; return 0; }
void arch_irq_disable(uint32_t irq) { (void)irq; }
void arch_irq_complete(uint32_t irq) { (void)irq; completed++; }
int64_t fault_reply(struct thread *c, struct thread *replier, const struct msg *m)
{
	(void)c; (void)replier; (void)m;
	fail();
	return 0;
}
void fault_no_pager(struct thread *c) { (void)c; fail(); }
void thread_wake(struct thread *t, int64_t r)
{
	arch_set_result(&t->regs, r);
	t->state = T_READY;
}

#define IRQ 5
enum { EP, NOTE, EP_SEND_ONLY };	/* the handles setup installs, in order */

static struct thread drv;		/* the driver, in procs[0] */
static struct thread sender;		/* another thread of the driver's */
static struct msg buf __attribute__((aligned(PAGE_SIZE)));
static struct msg sent __attribute__((aligned(PAGE_SIZE)));	/* sender's */

/* The driver with an endpoint it receives on, its notification bound to
 * IRQ, and a send-only handle to the endpoint; its buffer mapped. */
static int setup(void **state)
{
	struct endpoint *ep;
	struct notify *n;

	(void)state;
	twins_create();
	(void)pte_of;
	assert_int_equal(handle_table_create(&procs[0], 0), 0);
	drv = (struct thread){ .proc = &procs[0] };
	sender = (struct thread){ .proc = &procs[0] };
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
	handle_table_destroy(&procs[0]);
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

/* Run the call drv's registers name, as syscall_entry would (its table,
 * for the two calls this driver makes). */
static int64_t run_call(void)
{
	const uint64_t *a = arch_syscall_args(&drv.regs);

	user_miss.proc = NULL;
	switch (arch_syscall_number(&drv.regs)) {
	case SYS_IRQ_ACK_RECV:
		return sys_irq_ack_recv(&drv, a);
	case SYS_RECV_REGS:
		return sys_recv_regs(&drv, a);
	default:
		fail_msg("call %lu", (unsigned long)arch_syscall_number(&drv.regs));
		return 0;
	}
}

/* The receive fails after the ack: a thread of the driver's own blocked
 * sending, whose message's page went while it waited. syscall_entry runs
 * the call again once the pager has brought the page: that run receives
 * (here the interrupt that came meanwhile) and acknowledges nothing. */
static void test_run_again_after_ack(void **state)
{
	(void)state;
	sent = (struct msg){ .label = 7, .handle = -1 };
	assert_int_equal(sys_send(&sender, (const uint64_t[]){ EP_SEND_ONLY, (uintptr_t)&sent }),
			 SYSCALL_BLOCKED);
	fake_unmapped = (uintptr_t)&sent;
	assert_int_equal(sys_notify_bind(&drv, (const uint64_t[]){ NOTE }), 0);
	drv.regs.x[17] = SYS_IRQ_ACK_RECV;
	memcpy(&drv.regs.x[10], (const uint64_t[]){ EP, (uintptr_t)&buf, NOTE, IRQ }, 32);

	assert_int_equal(run_call(), -ERR_FAULT);
	assert_int_equal(completed, 1);
	assert_ptr_equal(user_miss.proc, drv.proc);	/* syscall_entry runs it again */
	assert_int_equal(sender.state, T_READY);	/* as a plain receive fails it */
	assert_int_equal((int64_t)sender.regs.x[10], -ERR_FAULT);

	fake_unmapped = 0;
	device_interrupt(IRQ);				/* the device, acknowledged */
	assert_int_equal(run_call(), MSG_IN_REGS);
	assert_int_equal(completed, 1);
	assert_int_equal(drv.regs.x[17], ORIGIN_NOTIFY);
	assert_int_equal(drv.regs.x[13], 1);		/* the bits IRQ is bound to */
}

int main(void)
{
	static const struct devtree_info no_devices;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_ack, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_run_again_after_ack, setup, dev_teardown),
	};

	ipc_init();
	notify_init();
	device_init(&no_devices);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
