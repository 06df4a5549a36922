/*
 * Host tests for IPC (kernel/ipc.c, delivery.c) over the real system-call
 * entry, handles and the fault call for a missing page (fault.c,
 * fault_reply.c): a queued sender whose message cannot be read when its
 * receiver comes (a handle it passes closed, its length raised, its page
 * gone) fails its own call, or has its page brought and sends again, and
 * the receiver takes the next message or waits; a call whose delivery is
 * given up lets its caller go, and only then; a passed handle never
 * arrives with rights its sender lacks, and one the receiver's full table
 * cannot take arrives as MSG_HANDLE_LOST; a given-up delivery closes the
 * handle it installed, but never one installed at that number since; a
 * delivery whose fault no pager thread can take ends no process; one that
 * must wait for a page waits in its receiver's own room, the pool empty.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_ipc_fake.h"

/* Handles, in the order setup installs them in each table. */
enum { CLI_EP, NOTE };		/* the clients' (procs[0]): the server's, send only */
enum { SRV_EP, Y_EP };		/* the server's: its own, and another it calls */
#define FAULT_EP 0		/* the pager's (procs[1]) */

#define B_PC 0x10000UL		/* each thread's ecall */
#define C_PC 0x11000UL
#define SRV_PC 0x12000UL

static struct proc server_proc;
static struct thread b, c;	/* clients, in procs[0] */
static struct thread srv, y;	/* the server and the one it calls, in server_proc */
static struct thread pager;	/* procs[1]'s, the pager of both */
static struct pending_copy rooms[5];	/* theirs, as thread_create makes one */
/* Each on a page of its own (the fake refuses a whole page). */
#define PAGED __attribute__((aligned(PAGE_SIZE)))
static struct msg b_msg PAGED, c_msg PAGED, srv_buf PAGED, y_buf PAGED, pager_buf PAGED;

static void make_table(struct proc *p, uint32_t pid)
{
	assert_int_equal(handle_table_create(p, 0), 0);
	p->pid = pid;
}

/* Two clients that may send to the server's endpoint and pass a
 * notification; the server and y, each with an endpoint; a pager for
 * both processes, waiting for a fault call in registers. */
static int setup(void **state)
{
	struct endpoint *fault_ep, *ep, *y_ep;
	struct notify *n;

	(void)state;
	twins_create();
	(void)pte_of;
	make_table(&procs[0], 10);
	make_table(&procs[1], 1);
	make_table(&server_proc, 20);
	b = (struct thread){ .proc = &procs[0], .tid = 1, .copy = &rooms[0] };
	c = (struct thread){ .proc = &procs[0], .tid = 2, .copy = &rooms[1] };
	srv = (struct thread){ .proc = &server_proc, .tid = 3, .copy = &rooms[2] };
	y = (struct thread){ .proc = &server_proc, .tid = 4, .copy = &rooms[3] };
	pager = (struct thread){ .proc = &procs[1], .tid = 5, .copy = &rooms[4] };
	assert_non_null(fault_ep = endpoint_create(NULL));
	assert_int_equal(handle_install(&procs[1], &fault_ep->obj, RIGHT_RECV), FAULT_EP);
	procs[0].fault_ep = server_proc.fault_ep = fault_ep;
	assert_non_null(ep = endpoint_create(NULL));
	assert_non_null(y_ep = endpoint_create(NULL));
	assert_non_null(n = notify_create(NULL));
	assert_int_equal(handle_install(&server_proc, &ep->obj, RIGHT_SEND | RIGHT_RECV), SRV_EP);
	assert_int_equal(handle_install(&server_proc, &y_ep->obj, RIGHT_SEND | RIGHT_RECV), Y_EP);
	assert_int_equal(handle_install(&procs[0], &ep->obj, RIGHT_SEND), CLI_EP);
	assert_int_equal(handle_install(&procs[0], &n->obj, RIGHT_SEND | RIGHT_GRANT), NOTE);
	assert_int_equal(sys_recv_regs(&pager, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }),
			 SYSCALL_BLOCKED);
	fake_unmapped = fake_readonly = 0;
	fake_caches_refuse = 0;
	return 0;
}

static int ipc_teardown(void **state)
{
	struct thread *all[] = { &b, &c, &srv, &y, &pager };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tq_remove(all[i]);
		delivery_thread_gone(all[i]);
	}
	procs[0].fault_ep = server_proc.fault_ep = NULL;
	handle_table_destroy(&procs[0]);
	handle_table_destroy(&server_proc);
	handle_table_destroy(&procs[1]);
	return teardown(state);
}

/* Client t sends (call: calls) m to the server from its ecall at pc. */
static void client_sends(struct thread *t, uint64_t pc, struct msg *m, int call)
{
	ecall_at(t, pc, call ? SYS_CALL : SYS_SEND, (const uint64_t[]){ CLI_EP, (uintptr_t)m }, 2);
}

/* The server receives on h into srv_buf, in memory. */
static void server_recv(uint64_t h)
{
	ecall_at(&srv, SRV_PC, SYS_RECV, (const uint64_t[]){ h, (uintptr_t)&srv_buf }, 2);
}

/* Thread t's call returned r: at once, or woken with it. */
static void returned(const struct thread *t, int64_t r)
{
	assert_true(t->state == T_RUNNING || t->state == T_READY);
	assert_int_equal((int64_t)t->regs.x[10], r);
}

/* b queued a message passing a handle, then closed the handle; c queued
 * one after it. The server takes c's; b's send fails with -ERR_BADF. */
static void test_queued_handle_closed(void **state)
{
	(void)state;
	b_msg = (struct msg){ .label = 1, .handle = NOTE };
	c_msg = (struct msg){ .label = 2, .handle = -1 };
	client_sends(&b, B_PC, &b_msg, 0);
	client_sends(&c, C_PC, &c_msg, 0);
	assert_int_equal(b.state, T_SEND);
	assert_int_equal(c.state, T_SEND);
	assert_int_equal(handle_close(&procs[0], NOTE), 0);

	server_recv(SRV_EP);
	returned(&srv, 0);
	assert_int_equal(srv_buf.label, 2);
	assert_int_equal(srv_buf.tid, c.tid);
	returned(&c, 0);
	returned(&b, -ERR_BADF);
}

/* b raised its queued message's length past MSG_DATA_MAX: its send fails
 * with -ERR_INVAL, and the server, nothing else queued, waits. */
static void test_queued_len_raised(void **state)
{
	(void)state;
	b_msg = (struct msg){ .label = 1, .handle = -1 };
	client_sends(&b, B_PC, &b_msg, 1);
	b_msg.len = MSG_DATA_MAX + 88;

	server_recv(SRV_EP);
	assert_int_equal(srv.state, T_RECV);
	assert_int_equal(srv.reply_to, NULL);
	returned(&b, -ERR_INVAL);
}

/* b's queued message's page went (unmapped, or evicted) while it waited:
 * b asks its pager for the page, its send set to run again, and the
 * server takes c's message meanwhile. */
static void page_gone(void)
{
	b_msg = (struct msg){ .label = 1, .handle = -1 };
	c_msg = (struct msg){ .label = 2, .handle = -1 };
	client_sends(&b, B_PC, &b_msg, 0);
	client_sends(&c, C_PC, &c_msg, 0);
	fake_unmapped = (uintptr_t)&b_msg;

	server_recv(SRV_EP);
	returned(&srv, 0);
	assert_int_equal(srv_buf.label, 2);
	returned(&c, 0);
	pager_got_fault(&pager, &b, &b_msg, FAULT_READ, B_PC);
	assert_int_equal(b.regs.x[0], B_PC);
}

/* The page was unmapped: the pager refuses it, and b's send fails with
 * -ERR_FAULT past its ecall. */
static void test_queued_page_unmapped(void **state)
{
	(void)state;
	page_gone();
	pager_replies(&pager, FAULT_KILL);
	returned(&b, -ERR_FAULT);
	assert_int_equal(b.regs.x[0], B_PC + 4);
}

/* The page was evicted: the pager brings it back, b's send runs again and
 * reaches the server, waiting again; b's message is not lost. */
static void test_queued_page_evicted(void **state)
{
	(void)state;
	page_gone();
	fake_unmapped = 0;
	pager_replies(&pager, FAULT_RESUME);
	assert_int_equal(b.state, T_READY);
	assert_int_equal(b.regs.x[0], B_PC);
	server_recv(SRV_EP);
	assert_int_equal(srv.state, T_RECV);

	ecall(&b);
	returned(&b, 0);
	returned(&srv, 0);
	assert_int_equal(srv_buf.label, 1);
	assert_int_equal(srv_buf.tid, b.tid);
}

/* A process with no pager: b's send fails with -ERR_FAULT at once. */
static void test_queued_page_gone_no_pager(void **state)
{
	(void)state;
	b_msg = (struct msg){ .label = 1, .handle = -1 };
	client_sends(&b, B_PC, &b_msg, 0);
	procs[0].fault_ep = NULL;
	fake_unmapped = (uintptr_t)&b_msg;

	server_recv(SRV_EP);
	assert_int_equal(srv.state, T_RECV);
	returned(&b, -ERR_FAULT);
	assert_int_equal(b.regs.x[0], B_PC + 4);
}

/* The server waits, its buffer's page gone; c calls with data. The
 * delivery waits for the page; the pager refuses it: the server's receive
 * fails, and c, whose call the server never saw, gets -ERR_PIPE, as from
 * a server that died; the server owes nothing and receives again. */
static void test_dropped_call_lets_caller_go(void **state)
{
	(void)state;
	server_recv(SRV_EP);
	assert_int_equal(srv.state, T_RECV);
	fake_unmapped = (uintptr_t)&srv_buf;
	c_msg = (struct msg){ .label = 2, .handle = -1, .len = 16 };
	client_sends(&c, C_PC, &c_msg, 1);
	assert_int_equal(c.state, T_REPLY);
	pager_got_fault(&pager, &srv, &srv_buf, FAULT_WRITE, SRV_PC + 4);

	pager_replies(&pager, FAULT_KILL);
	returned(&srv, -ERR_FAULT);
	returned(&c, -ERR_PIPE);
	assert_null(srv.reply_to);
	assert_null(c.replier);
	fake_unmapped = 0;
	server_recv(SRV_EP);
	assert_int_equal(srv.state, T_RECV);
}

/* The server, owing c a reply, calls y; y's reply cannot reach the
 * server's buffer and the pager refuses the page. The server's call fails,
 * but it still owes c: that call did reach it. */
static void test_dropped_reply_keeps_owed(void **state)
{
	(void)state;
	server_recv(SRV_EP);
	c_msg = (struct msg){ .label = 2, .handle = -1 };
	client_sends(&c, C_PC, &c_msg, 1);
	returned(&srv, 0);
	assert_ptr_equal(srv.reply_to, &c);
	ecall_at(&y, 0x13000, SYS_RECV, (const uint64_t[]){ Y_EP, (uintptr_t)&y_buf }, 2);
	srv_buf = (struct msg){ .label = 3, .handle = -1 };
	ecall_at(&srv, SRV_PC, SYS_CALL, (const uint64_t[]){ Y_EP, (uintptr_t)&srv_buf }, 2);
	returned(&y, 0);
	assert_int_equal(srv.state, T_REPLY);

	fake_unmapped = (uintptr_t)&srv_buf;
	y_buf = (struct msg){ .label = 4, .handle = -1, .len = 8 };
	ecall_at(&y, 0x13000, SYS_REPLY, (const uint64_t[]){ (uintptr_t)&y_buf }, 1);
	returned(&y, 0);
	pager_got_fault(&pager, &srv, &srv_buf, FAULT_WRITE, SRV_PC + 4);
	pager_replies(&pager, FAULT_KILL);
	returned(&srv, -ERR_FAULT);
	assert_ptr_equal(srv.reply_to, &c);
	assert_int_equal(c.state, T_REPLY);
	assert_ptr_equal(c.replier, &srv);
}

/* The server calls y; y's reply cannot reach the server's buffer, and the
 * pager thread that got the server's fault for it ends (thread_end's
 * unlink: delivery_release_caller). The server does not leave its call
 * with no reply: its fault is asked again (queued for the next pager
 * thread), and once the page is there the reply lands and the call
 * returns 0. */
static void test_fault_owner_ends(void **state)
{
	(void)state;
	ecall_at(&y, 0x13000, SYS_RECV, (const uint64_t[]){ Y_EP, (uintptr_t)&y_buf }, 2);
	srv_buf = (struct msg){ .label = 3, .handle = -1 };
	ecall_at(&srv, SRV_PC, SYS_CALL, (const uint64_t[]){ Y_EP, (uintptr_t)&srv_buf }, 2);
	returned(&y, 0);
	fake_unmapped = (uintptr_t)&srv_buf;
	y_buf = (struct msg){ .label = 4, .handle = -1, .len = 8 };
	ecall_at(&y, 0x13000, SYS_REPLY, (const uint64_t[]){ (uintptr_t)&y_buf }, 1);
	pager_got_fault(&pager, &srv, &srv_buf, FAULT_WRITE, SRV_PC + 4);

	tq_remove(&pager);
	delivery_release_caller(&pager);
	assert_int_equal(srv.state, T_SEND);	/* its fault, waiting for a pager thread */
	assert_true(srv.in_fault);
	assert_non_null(srv.stash);

	ecall_at(&pager, 0x30000, SYS_RECV_REGS, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }, 2);
	returned(&pager, MSG_IN_REGS);		/* the queued fault, at once */
	assert_int_equal(arch_msg_label(&pager.regs), FAULT_LABEL);
	assert_int_equal(arch_msg_word(&pager.regs, 0), (uintptr_t)&srv_buf);
	assert_ptr_equal(srv.replier, &pager);
	fake_unmapped = 0;
	pager_replies(&pager, FAULT_RESUME);
	returned(&srv, 0);
	assert_int_equal(srv_buf.label, 4);
	assert_null(srv.stash);
}

/* The pager's endpoint loses its last receiver with faults queued on it:
 * b's (its queued message's page) and the server's (its buffer's page, for
 * c's message). Closing the handle ends no process from there (the fake's
 * proc_end fails the test): b's send runs again from its ecall, where it
 * will fault and meet no pager in its own trap; the server's delivery is
 * given up (-ERR_FAULT) and c, whose call it never saw, gets -ERR_PIPE. */
static void test_pager_gone_faults_queued(void **state)
{
	(void)state;
	tq_remove(&pager);
	b_msg = (struct msg){ .label = 1, .handle = -1 };
	c_msg = (struct msg){ .label = 2, .handle = -1, .len = 8 };
	client_sends(&b, B_PC, &b_msg, 0);
	fake_unmapped = (uintptr_t)&b_msg;
	server_recv(SRV_EP);
	assert_int_equal(b.state, T_SEND);	/* its fault, queued */
	assert_true(b.in_fault);
	assert_int_equal(srv.state, T_RECV);
	fake_unmapped = (uintptr_t)&srv_buf;
	client_sends(&c, C_PC, &c_msg, 1);
	assert_int_equal(srv.state, T_SEND);
	assert_true(srv.in_fault);

	handle_close(&procs[1], FAULT_EP);
	assert_int_equal(b.state, T_READY);
	assert_false(b.in_fault);
	assert_int_equal(b.regs.x[0], B_PC);	/* its send runs again */
	returned(&srv, -ERR_FAULT);
	assert_null(srv.stash);
	returned(&c, -ERR_PIPE);
}

/* The server waits, its buffer's page gone; b sends passing its
 * notification, installed at once in the server's table (at 2, after its
 * two endpoints), the copy waiting for the page. */
static void passed_while_page_gone(void)
{
	server_recv(SRV_EP);
	fake_unmapped = (uintptr_t)&srv_buf;
	b_msg = (struct msg){ .label = 1, .handle = NOTE };
	client_sends(&b, B_PC, &b_msg, 0);
	returned(&b, 0);
	pager_got_fault(&pager, &srv, &srv_buf, FAULT_WRITE, SRV_PC + 4);
	assert_ptr_equal(handle_entry(&server_proc, 2)->obj, handle_entry(&procs[0], NOTE)->obj);
}

/* The pager refuses the page: the server's receive fails, and the handle
 * its message installed goes with it (no one will learn its number). */
static void test_given_up_handle_closed(void **state)
{
	(void)state;
	passed_while_page_gone();
	pager_replies(&pager, FAULT_KILL);
	returned(&srv, -ERR_FAULT);
	assert_null(handle_entry(&server_proc, 2));
}

/* Meanwhile y closes 2 (a number no one told it of) and receives c's
 * message, passing the same notification, at 2 again: the server's copy,
 * given up, leaves y's handle, which y was told of. */
static void test_given_up_handle_reused(void **state)
{
	(void)state;
	passed_while_page_gone();
	ecall_at(&y, 0x13000, SYS_HANDLE_CLOSE, (const uint64_t[]){ 2 }, 1);
	returned(&y, 0);
	ecall_at(&y, 0x13000, SYS_RECV, (const uint64_t[]){ SRV_EP, (uintptr_t)&y_buf }, 2);
	c_msg = (struct msg){ .label = 2, .handle = NOTE };
	client_sends(&c, C_PC, &c_msg, 0);
	returned(&y, 0);
	assert_int_equal(y_buf.handle, 2);

	pager_replies(&pager, FAULT_KILL);
	returned(&srv, -ERR_FAULT);
	assert_non_null(handle_entry(&server_proc, 2));
	assert_ptr_equal(handle_entry(&server_proc, 2)->obj, handle_entry(&procs[0], NOTE)->obj);
}

/* A handle passed asking for a right its sender lacks fails the send
 * (-ERR_ACCES), the waiting server given nothing; a subset goes. */
static void test_passed_rights_held(void **state)
{
	(void)state;
	server_recv(SRV_EP);
	b_msg = (struct msg){ .label = 1, .handle = NOTE, .rights = RIGHT_RECV };
	client_sends(&b, B_PC, &b_msg, 0);
	returned(&b, -ERR_ACCES);
	assert_int_equal(srv.state, T_RECV);

	b_msg.rights = RIGHT_SEND;
	client_sends(&b, B_PC, &b_msg, 0);
	returned(&b, 0);
	returned(&srv, 0);
	assert_true(srv_buf.handle >= 0);
	assert_int_equal(srv_buf.rights, RIGHT_SEND);
	assert_int_equal(handle_entry(&server_proc, (uint64_t)srv_buf.handle)->rights, RIGHT_SEND);
}

/* The server's table is full: b's notification passed cannot be
 * installed, and the message comes with MSG_HANDLE_LOST, not -1 (none
 * passed), so a request that needs the handle is refused rather than
 * served as one that passed none; in memory, though the server receives in
 * the register form (registers say -1). Before, it came as -1. */
static void test_passed_handle_lost_said(void **state)
{
	struct object *o = handle_entry(&procs[0], NOTE)->obj;

	(void)state;
	while (handle_install(&server_proc, o, RIGHT_SEND) >= 0)
		;
	server_recv(SRV_EP);
	b_msg = (struct msg){ .label = 1, .handle = NOTE };
	client_sends(&b, B_PC, &b_msg, 0);
	returned(&b, 0);
	returned(&srv, 0);
	assert_int_equal(srv_buf.handle, MSG_HANDLE_LOST);
	assert_int_equal(srv_buf.rights, 0);

	ecall_at(&srv, SRV_PC, SYS_RECV_REGS, (const uint64_t[]){ SRV_EP, (uintptr_t)&srv_buf }, 2);
	srv_buf.handle = 0;
	client_sends(&b, B_PC, &b_msg, 0);
	returned(&srv, 0);		/* in memory, not MSG_IN_REGS */
	assert_int_equal(srv_buf.handle, MSG_HANDLE_LOST);
	b_msg.handle = -1;
	client_sends(&b, B_PC, &b_msg, 0);
	server_recv(SRV_EP);
	returned(&srv, 0);
	assert_int_equal(srv_buf.handle, -1);	/* none passed */
}

/* The server's buffer's page is gone when c's message comes, and the
 * pager's one thread receives in memory into a buffer it cannot take the
 * fault message in: the pager's receive fails, the server's fault waits
 * for the next pager thread, and no process ends. */
static void test_pager_buffer_bad(void **state)
{
	(void)state;
	tq_remove(&pager);
	ecall_at(&pager, 0x30000, SYS_RECV, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }, 2);
	assert_int_equal(pager.state, T_RECV);
	server_recv(SRV_EP);
	fake_unmapped = (uintptr_t)&srv_buf;
	fake_readonly = (uintptr_t)&pager_buf;
	c_msg = (struct msg){ .label = 2, .handle = -1 };
	client_sends(&c, C_PC, &c_msg, 0);
	returned(&c, 0);		/* the copy waits for the page */
	returned(&pager, -ERR_FAULT);
	assert_int_equal(srv.state, T_SEND);	/* its fault, on the pager */
	assert_true(srv.in_fault);

	fake_readonly = 0;
	ecall_at(&pager, 0x30000, SYS_RECV, (const uint64_t[]){ FAULT_EP, (uintptr_t)&pager_buf }, 2);
	returned(&pager, 0);
	assert_int_equal(pager_buf.label, FAULT_LABEL);
	assert_int_equal(pager_buf.w[0], (uintptr_t)&srv_buf);
}

/* The server's buffer's page is gone when y sends to it, with the kernel
 * pool empty: the message waits in the server's own room for it (made
 * with the thread), taking nothing from the pool, while its pager brings
 * the page; then it lands. No delivery fails for the pool or a budget. */
static void test_pending_copy_pool_empty(void **state)
{
	(void)state;
	server_recv(SRV_EP);
	fake_unmapped = (uintptr_t)&srv_buf;
	fake_caches_refuse = 1;
	y_buf = (struct msg){ .label = 2, .handle = -1, .len = 8 };
	ecall_at(&y, 0x13000, SYS_SEND, (const uint64_t[]){ SRV_EP, (uintptr_t)&y_buf }, 2);
	returned(&y, 0);
	assert_ptr_equal(srv.stash, srv.copy);
	assert_int_equal(delivery_pending_copies(), 1);
	pager_got_fault(&pager, &srv, &srv_buf, FAULT_WRITE, SRV_PC + 4);
	fake_unmapped = 0;
	pager_replies(&pager, FAULT_RESUME);
	returned(&srv, 0);
	assert_int_equal(srv_buf.label, 2);
	assert_null(srv.stash);
	assert_int_equal(delivery_pending_copies(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queued_handle_closed, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_queued_len_raised, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_queued_page_unmapped, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_queued_page_evicted, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_queued_page_gone_no_pager, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_dropped_call_lets_caller_go, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_dropped_reply_keeps_owed, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_owner_ends, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_pager_gone_faults_queued, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_given_up_handle_closed, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_given_up_handle_reused, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_passed_rights_held, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_passed_handle_lost_said, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_pager_buffer_bad, setup, ipc_teardown),
		cmocka_unit_test_setup_teardown(test_pending_copy_pool_empty, setup, ipc_teardown),
	};

	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
