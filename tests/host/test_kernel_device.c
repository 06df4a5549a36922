/*
 * Host tests for irq_ack_recv (kernel/device.c) over the real receive
 * checks (kernel/ipc.c) and handles: the interrupt is acknowledged
 * (arch_irq_complete, counted here) only when both calls' checks pass.
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
#include "../../kernel/device.c"
#include "test_kernel_fake.h"

_Noreturn void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

/* What the included files call and the test does not build: the object
 * caches from the heap, the interrupt controller counting completions,
 * and paths no test here takes (a message delivered, a fault reply). */
void *kcache_alloc(struct kcache *c) { return calloc(1, c->size); }
void kcache_free(struct kcache *c, void *o) { (void)c; free(o); }
void kprintf(const char *fmt, ...) { (void)fmt; }
static unsigned completed;	/* arch_irq_complete calls */
void arch_irq_init(uint64_t plic_base, uint32_t ndev) { (void)plic_base; (void)ndev; }
int arch_irq_enable(uint32_t irq) { (void)irq; return 0; }
void arch_irq_disable(uint32_t irq) { (void)irq; }
void arch_irq_complete(uint32_t irq) { (void)irq; completed++; }
int delivery_in_regs(struct thread *t, const struct msg *k) { (void)t; (void)k; fail(); return 0; }
int delivery_to(struct thread *to, const struct msg *k) { (void)to; (void)k; fail(); return 0; }
int64_t fault_reply(struct thread *c, struct thread *replier, const struct msg *m)
{
	(void)c; (void)replier; (void)m;
	fail();
	return 0;
}
void fault_no_pager(struct thread *c) { (void)c; fail(); }
void thread_wake(struct thread *t, int64_t r) { (void)t; (void)r; fail(); }

#define IRQ 5
enum { EP, NOTE, EP_SEND_ONLY };	/* the handles setup installs, in order */

static struct thread drv;		/* the driver, in procs[0] */
static struct msg buf __attribute__((aligned(PAGE_SIZE)));

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
	drv.state = T_RUNNING;
	tq_remove(&drv);
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

int main(void)
{
	static const struct devtree_info no_devices;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_ack, setup, dev_teardown),
	};

	ipc_init();
	notify_init();
	device_init(&no_devices);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
