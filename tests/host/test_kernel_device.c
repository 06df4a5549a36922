/*
 * Host tests for irq_ack_recv (kernel/device.c) over the real system-call
 * entry (kernel/syscall.c), receive (kernel/ipc.c), delivery, handles and
 * the fault call for a missing page (kernel/fault.c, fault_reply.c): the
 * interrupt is acknowledged (arch_irq_complete, counted here) only when
 * both calls' checks pass, and once: a queued sender whose message cannot
 * be read fails its own call, not the receive; a receive that blocked
 * takes its message in registers. And a notification's waiter fails once
 * its last handle that may wait closes, its interrupt unbound, and one
 * with no such handle left is refused as an interrupt's; a device
 * window's map that cannot have its page tables replaces no page, and
 * leaves the tables as they were; its target handle's faults are told
 * apart as the other calls on a process tell them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_ipc_fake.h"

#define IRQ 5
enum { EP, NOTE, EP_SEND_ONLY };	/* the handles setup installs, in order */
#define FAULT_EP 0			/* the pager's, in procs[1] */

static struct thread drv;		/* the driver, in procs[0] */
static struct thread sender;		/* another thread of the driver's */
static struct msg buf __attribute__((aligned(PAGE_SIZE)));
static struct msg sent __attribute__((aligned(PAGE_SIZE)));	/* sender's */
static struct thread pager;		/* procs[1]'s, the driver's pager */

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
	assert_non_null(fault_ep = endpoint_create(NULL));
	assert_int_equal(handle_install(&procs[1], &fault_ep->obj, RIGHT_RECV), FAULT_EP);
	procs[0].fault_ep = fault_ep;
	assert_int_equal(sys_recv_regs(&pager, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }),
			 SYSCALL_BLOCKED);
	ep = endpoint_create(NULL);
	n = notify_create(NULL);
	assert_non_null(ep);
	assert_non_null(n);
	assert_int_equal(handle_install(&procs[0], &ep->obj, RIGHT_SEND | RIGHT_RECV), EP);
	assert_int_equal(handle_install(&procs[0], &n->obj, RIGHT_SEND | RIGHT_RECV), NOTE);
	assert_int_equal(handle_install(&procs[0], &ep->obj, RIGHT_SEND), EP_SEND_ONLY);
	assert_int_equal(sys_irq_bind(&drv, (const uint64_t[]){ IRQ, NOTE, 1 }), 0);
	fake_unmapped = fake_readonly = 0;
	completed = 0;
	completed_masked = 0;
	return 0;
}

static int dev_teardown(void **state)
{
	if (irqs[IRQ].n)
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

#define ECALL 0x10000UL			/* the driver's ecall instruction */

/* The driver's irq_ack_recv(EP, buf, NOTE, IRQ), made as a trap makes it. */
static void driver_ack_recv(void)
{
	ecall_at(&drv, ECALL, SYS_IRQ_ACK_RECV, (const uint64_t[]){ EP, (uintptr_t)&buf, NOTE, IRQ }, 4);
}

#define SENDER_ECALL 0x20000UL		/* the sender's */

/* After the ack, the receive meets a thread of the driver's own queued
 * sending, whose message's page went while it waited: the sender asks the
 * pager for it (as its own call would), its call set to run again, and the
 * driver, its receive not failed, waits on. */
static void sender_faults_after_ack(void)
{
	sent = (struct msg){ .label = 7, .handle = -1 };
	ecall_at(&sender, SENDER_ECALL, SYS_SEND,
		 (const uint64_t[]){ EP_SEND_ONLY, (uintptr_t)&sent }, 2);
	assert_int_equal(sender.state, T_SEND);
	fake_unmapped = (uintptr_t)&sent;
	driver_ack_recv();

	assert_int_equal(completed, 1);
	assert_int_equal(drv.state, T_RECV);
	assert_int_equal(drv.regs.x[17], SYS_IRQ_ACK_RECV);	/* no result yet */
	assert_int_equal(sender.regs.x[0], SENDER_ECALL);
	pager_got_fault(&pager, &sender, &sent, FAULT_READ, SENDER_ECALL);
}

/* The page brought, the sender's send runs again and reaches the waiting
 * driver, in its registers; nothing acknowledged again. */
static void test_sender_runs_again(void **state)
{
	(void)state;
	sender_faults_after_ack();
	fake_unmapped = 0;
	pager_replies(&pager, FAULT_RESUME);
	assert_int_equal(sender.state, T_READY);
	assert_int_equal(sender.regs.x[0], SENDER_ECALL);

	ecall(&sender);
	assert_int_equal(sender.regs.x[10], 0);
	assert_int_equal(drv.state, T_READY);
	assert_int_equal(drv.regs.x[10], MSG_IN_REGS);
	assert_int_equal(arch_msg_label(&drv.regs), 7);
	assert_int_equal(completed, 1);
}

/* The pager will not bring the page (FAULT_KILL): the sender's send fails
 * with -ERR_FAULT past its ecall; the driver waits on, acked once. */
static void test_sender_killed(void **state)
{
	(void)state;
	sender_faults_after_ack();
	pager_replies(&pager, FAULT_KILL);
	assert_int_equal(sender.state, T_READY);
	assert_int_equal(sender.regs.x[0], SENDER_ECALL + 4);
	assert_int_equal((int64_t)sender.regs.x[10], -ERR_FAULT);
	assert_int_equal(drv.state, T_RECV);
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

/* The driver waits on its notification, of which another handle may only
 * signal; the last handle that may wait on it closes. The wait fails
 * (-ERR_PIPE) instead of lasting for ever, as every signal does from
 * then on, and the interrupt is unbound. */
static void test_waiter_orphaned(void **state)
{
	int copy = handle_install(&procs[1], procs[0].handles[NOTE].obj, RIGHT_SEND);

	(void)state;
	assert_true(copy >= 0);
	assert_int_equal(sys_notify_wait(&drv, (const uint64_t[]){ NOTE }), SYSCALL_BLOCKED);
	assert_int_equal(drv.state, T_NOTIFY);
	assert_int_equal(handle_close(&procs[0], NOTE), 0);
	assert_int_equal(drv.state, T_READY);
	assert_int_equal((int64_t)drv.regs.x[10], -ERR_PIPE);
	assert_null(drv.blocked_notify);
	assert_null(irqs[IRQ].n);
	/* The binding's end completed the interrupt while the source was
	 * still enabled: a PLIC ignores a completion for a masked source. */
	assert_int_equal(completed_masked, 0);
	assert_int_equal(sys_notify_signal(&pager, (const uint64_t[]){ (uint64_t)copy, 1 }), -ERR_PIPE);
}

/* A notification no handle may wait on any more (its last such handle
 * closed) is refused as an interrupt's (-ERR_PIPE, as a signal is):
 * bound, it would be signalled with no one to see or acknowledge it, and
 * the binding would keep it, and the page it is charged, past its last
 * handle for good (the unbinding comes only as the last such handle
 * closes, which has been). */
static void test_bind_orphaned_refused(void **state)
{
	struct notify *n = notify_create(NULL);
	uint64_t notifies = notify_count();
	int copy;

	(void)state;
	assert_non_null(n);
	assert_true((copy = handle_install(&procs[0], &n->obj, RIGHT_SEND)) >= 0);
	assert_int_equal(sys_irq_bind(&drv, (const uint64_t[]){ IRQ + 1, (uint64_t)copy, 1 }),
			 -ERR_PIPE);
	assert_null(irqs[IRQ + 1].n);
	/* Bad arguments are named as such first, receivers or not. */
	assert_int_equal(sys_irq_bind(&drv, (const uint64_t[]){ IRQ_MAX, (uint64_t)copy, 1 }),
			 -ERR_INVAL);
	assert_int_equal(handle_close(&procs[0], (uint64_t)copy), 0);
	assert_int_equal(notify_count(), notifies - 1);
}

#define DEV_PA 0x10001000UL
#define RAM_PA 0x80400000UL
/* The last page of a 2 MiB range: the next needs another leaf table. */
#define DEV_VA (0x40000000UL + (1UL << ARCH_PT_RANGE_SHIFT) - PAGE_SIZE)
/* The last page of a 1 GiB range: the next needs a table under the root
 * and a leaf table beneath it. */
#define GIGA_VA ((2UL << ARCH_PT_GIGA_SHIFT) - PAGE_SIZE)

/* A driver with a handle to itself, device 0 a two-page window, RAM_PA
 * mapped at va, and room for `more` page tables: its handle. */
static int two_page_window(uint64_t va, uint64_t more)
{
	int self;

	procs[0].obj = (struct object){ .type = OBJ_PROC, .refs = 1 };
	procs[0].alive = 1;
	self = handle_install(&procs[0], &procs[0].obj, RIGHTS_ALL);
	assert_true(self >= 0);
	devices[0] = (struct device){ .base = DEV_PA, .size = 2 * PAGE_SIZE };
	ndevices = 1;
	assert_int_equal(arch_pt_map(&procs[0].pt, va, RAM_PA, MAP_R | MAP_W), 0);
	procs[0].pt.limit = procs[0].pt.pages + more;
	return self;
}

/* The map of a two-page window at va, with room for `more` page tables,
 * fails (-ERR_NOMEM) leaving va's page mapping RAM_PA and the table count
 * as they were: the driver's handle to itself. */
static int map_refused_as_it_was(uint64_t va, uint64_t more)
{
	int self = two_page_window(va, more);
	uint64_t pages = procs[0].pt.pages;

	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)self, 0, va }),
			 -ERR_NOMEM);
	assert_int_equal(PTE_TO_PA(pte_of(0, va)), RAM_PA);
	assert_int_equal(procs[0].pt.pages, pages);
	return self;
}

/* The pager maps a two-page device window into the driver over a page
 * already mapped, and the second page needs a page table past the
 * driver's limit: the map fails before it replaces any page, so the first
 * still maps the frame it mapped (the pager's records say so), not the
 * device. */
static void test_map_replaces_nothing(void **state)
{
	(void)state;
	(void)map_refused_as_it_was(DEV_VA, 0);
	assert_int_equal(pte_of(0, DEV_VA + PAGE_SIZE), 0);
	ndevices = 0;
}

/* A window whose end would wrap past the top of the address space is a
 * bad address (-ERR_INVAL), not a shortage of tables. */
static void test_map_wrapping_refused(void **state)
{
	int self;
	const uint64_t va = ~(uint64_t)(PAGE_SIZE - 1);	/* the last page */

	(void)state;
	self = two_page_window(DEV_VA, 4);
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)self, 0, va }),
			 -ERR_INVAL);
	assert_int_equal(PTE_TO_PA(pte_of(0, DEV_VA)), RAM_PA);
	ndevices = 0;
}

/* A window whose second page lies in a 2 MiB page of the driver's is
 * the caller's error (-ERR_INVAL), not a shortage of tables, and the
 * tables are as they were: the first page still maps its RAM frame. */
static void test_map_over_2m_refused(void **state)
{
	const uint64_t next = DEV_VA + PAGE_SIZE;	/* the next 2 MiB range */
	uint64_t pages;
	int self;

	(void)state;
	self = two_page_window(DEV_VA, 4);
	assert_int_equal(arch_pt_map_2m(&procs[0].pt, next, RAM_PA & ~((1UL << ARCH_PT_RANGE_SHIFT) - 1),
					MAP_R | MAP_W), 0);
	pages = procs[0].pt.pages;
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)self, 0, DEV_VA }),
			 -ERR_INVAL);
	assert_int_equal(PTE_TO_PA(pte_of(0, DEV_VA)), RAM_PA);
	assert_int_equal(procs[0].pt.pages, pages);
	ndevices = 0;
}

/* As above across a 1 GiB boundary with room for one table: the table
 * made under the root for the second page goes again (the tables are as
 * they were), and with room for both the window is mapped. */
static void test_map_tables_as_they_were(void **state)
{
	int self;

	(void)state;
	self = map_refused_as_it_was(GIGA_VA, 1);
	assert_int_equal(procs[0].pt.root[VPN(GIGA_VA + PAGE_SIZE, 2)], 0);
	procs[0].pt.limit = procs[0].pt.pages + 2;
	fake_forgotten = NULL;
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)self, 0, GIGA_VA }), 2);
	assert_int_equal(PTE_TO_PA(pte_of(0, GIGA_VA)), DEV_PA);
	assert_int_equal(PTE_TO_PA(pte_of(0, GIGA_VA + PAGE_SIZE)), DEV_PA + PAGE_SIZE);
	assert_ptr_equal(fake_forgotten, &procs[0]);	/* the RAM page's translation */
	ndevices = 0;
}

/* A target handle's faults answered as map, unmap and protect answer
 * them: no such handle -ERR_BADF, one without the send right -ERR_ACCES,
 * a process that has ended (not yet reaped) -ERR_SRCH, which the pager
 * takes as done; none maps anything. */
static void test_map_target_errors(void **state)
{
	int self, weak;

	(void)state;
	self = two_page_window(DEV_VA, 4);
	weak = handle_install(&procs[0], &procs[0].obj, RIGHT_RECV);
	assert_true(weak >= 0);
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ 999, 0, DEV_VA }), -ERR_BADF);
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)weak, 0, DEV_VA }),
			 -ERR_ACCES);
	procs[0].alive = 0;
	assert_int_equal(sys_device_map(&drv, (const uint64_t[]){ (uint64_t)self, 0, DEV_VA }),
			 -ERR_SRCH);
	procs[0].alive = 1;
	assert_int_equal(PTE_TO_PA(pte_of(0, DEV_VA)), RAM_PA);
	ndevices = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_ack, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_sender_runs_again, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_sender_killed, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_blocked_gets_regs, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_waiter_orphaned, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_bind_orphaned_refused, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_map_replaces_nothing, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_map_tables_as_they_were, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_map_wrapping_refused, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_map_target_errors, setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_map_over_2m_refused, setup, dev_teardown),
	};

	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
