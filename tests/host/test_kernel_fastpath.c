/*
 * The IPC fast path (kernel/fastpath.c) on the host, each system call made
 * as the trap makes it: fastpath_syscall, then syscall_after_fastpath if it
 * returned; the way back to user mode a jump back to the test
 * (test_kernel_ipc_fake.h's ecall). Each kernel
 * object is a heap block of its own (no FAKE_REAL_KMEM), so ASan sees a
 * freed thread used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define FAKE_REAL_PROCS	/* processes and threads made and ended for real */
#define FAKE_FASTPATH
#include "test_kernel_ipc_fake.h"

#define PC 0x10000UL

/* t makes system call n with arguments a (up to four), as the trap makes
 * it (ecall): the context the kernel returned to user mode in, or NULL if
 * it found none to run (it would idle). t may be freed once it returns. */
static struct arch_regs *trap_ecall(struct thread *t, uint64_t n, const uint64_t *a, int nargs)
{
	ecall_at(t, PC, n, a, nargs);
	if (fake_entered)
		return fake_entered;
	return sched_running ? &sched_running->regs : NULL;
}

/* A process taking its own faults (it holds its fault endpoint, as the
 * root task may arrange): thread a's fault goes to thread b by the fast
 * path, and b answers it with system call n (a reply_recv form), its
 * arguments a (the endpoint's handle put in a[0]), a mapping the kernel refuses (the fake's vm_map_entries and
 * vm_map_one refuse every entry), which the fast path takes. That ends
 * their process, and b with it: nothing may read b's freed record after
 * (ASan), and the kernel goes on with no thread to run. Nothing is left. */
static struct msg buf;	/* b's receive buffer */
static void reply_ends_own_process(uint64_t n, const uint64_t *a, int nargs)
{
	static struct msg bad __attribute__((aligned(PAGE_SIZE)));
	uint64_t handles = handle_count(), resumes = fastpath_counts.resumes;
	struct proc *p = proc_create("own pager", 0, NULL);
	struct endpoint *ep = endpoint_create(NULL);
	struct thread *f, *b;
	uint64_t h, args[4];

	assert_non_null(p);
	assert_non_null(ep);
	h = (uint64_t)handle_install(p, &ep->obj, RIGHTS_ALL);
	object_get(&ep->obj);
	p->fault_ep = ep;
	object_get(&p->obj);	/* the test's, to look at it once it has ended */
	assert_non_null(f = thread_create(p, PC, 0, 0, PRIO_NORMAL));
	assert_non_null(b = thread_create(p, PC, 0, 0, PRIO_NORMAL));
	trap_ecall(b, SYS_RECV, (const uint64_t[]){ h, (uintptr_t)&buf }, 2);
	assert_int_equal(b->state, T_RECV);
	fake_unmapped = (uintptr_t)&bad;	/* f's message: a fault call to b */
	assert_ptr_equal(trap_ecall(f, SYS_SEND, (const uint64_t[]){ h, (uintptr_t)&bad }, 2),
			 &b->regs);
	assert_int_equal(f->state, T_REPLY);
	assert_ptr_equal(f->replier, b);
	assert_int_equal(buf.origin, ORIGIN_FAULT);
	memcpy(args, a, (size_t)nargs * sizeof(uint64_t));
	args[0] = h;
	assert_null(trap_ecall(b, n, args, nargs));
	assert_int_equal(fastpath_counts.resumes, resumes);
	assert_false(p->alive);
	assert_int_equal(p->exit.cause, CAUSE_PAGE_FAULT);
	fake_unmapped = 0;
	object_put(&p->obj);
	assert_int_equal(handle_count(), handles);
	assert_int_equal(ipc_endpoints(), 0);
	assert_int_equal(thread_count(), 0);
}

/* The memory form: the reply a FAULT_RESUME_ONE in b's buffer. */
static void test_reply_ends_own_process(void **state)
{
	static struct msg reply;

	(void)state;
	reply = (struct msg){ .label = FAULT_RESUME_ONE, .handle = -1 };
	reply_ends_own_process(SYS_REPLY_RECV,
			       (const uint64_t[]){ 0, (uintptr_t)&reply, (uintptr_t)&buf, 0 }, 4);
}

/* The register forms: FAULT_RESUME_ONE in a2, no release word. */
static void test_reply_regs_ends_own_process(void **state)
{
	(void)state;
	reply_ends_own_process(SYS_REPLY_RECV_REGS,
			       (const uint64_t[]){ 0, (uintptr_t)&buf, FAULT_RESUME_ONE }, 3);
	reply_ends_own_process(SYS_REPLY_RECV_RELEASE,
			       (const uint64_t[]){ 0, (uintptr_t)&buf, FAULT_RESUME_ONE }, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_ends_own_process),
		cmocka_unit_test(test_reply_regs_ends_own_process),
	};

	(void)twins_create;	/* the fake's twins: this test makes its own processes */
	(void)teardown;
	(void)pte_of;
	kernel_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
