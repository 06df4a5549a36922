/*
 * Host tests for kernel/fault.c's look at a page fault (fault_slow) over
 * the real Sv39 walk (arch/riscv/mmu.c): a fault only for a clear A or D
 * bit is completed without the pager; learnt only once other processes
 * run, it stops the machine (a panic, caught here), as the root task's
 * other faults do.
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
#include "../../kernel/fault.c"
#include "test_kernel_fake.h"

/* A test expecting a panic sets panic_jump; the panic returns there, its
 * format in panicked. Any other panic fails the test. */
static jmp_buf *panic_jump;
static const char *panicked;

_Noreturn void panic(const char *fmt, ...)
{
	if (panic_jump) {
		panicked = fmt;
		longjmp(*panic_jump, 1);
	}
	fail_msg("panic: %s", fmt);
	abort();
}

/* What fault.c calls and the test does not build: the processes alive
 * (set by each test), and the pager's call, counted (the fast path's try
 * returns, as when it cannot, and the slow path's call is noted). */
static uint64_t procs_alive;
static unsigned pager_calls;
uint64_t proc_count(void) { return procs_alive; }
void fastpath_fault(struct thread *t, struct endpoint *ep) { (void)t; (void)ep; }
void ipc_fault_call(struct thread *t, struct endpoint *ep) { (void)t; (void)ep; pager_calls++; }
void fault_no_pager(struct thread *c) { (void)c; fail(); }
void delivery_on_fault(delivery_fault_fn *fn) { (void)fn; }
void ipc_on_sender_fault(ipc_sender_fault_fn *fn) { (void)fn; }
void proc_end(struct proc *p, const struct exit_info *info, const char *why)
{
	(void)p; (void)info; (void)why;
	fail();
}
void kprintf(const char *fmt, ...) { (void)fmt; }
struct kernel_params kparams;
void arch_syscall_restart(struct arch_regs *r) { (void)r; fail(); }

#define VA 0x40000000UL
#define PA 0x80400000UL

static struct endpoint pager_ep = { .obj.receivers = 1 };	/* a pager waits */
static struct thread t;		/* the faulting thread, in procs[0] */

/* procs[0] looks at its faults (the root task, or any once learnt), has a
 * pager, and a page mapped clean; the hart not yet known to fault for
 * A/D, no pager call made. */
static int setup(void **state)
{
	(void)state;
	twins_create();
	(void)pte_of;
	procs[0].fault_slow = 1;
	procs[0].fault_ep = &pager_ep;
	t = (struct thread){ .proc = &procs[0] };
	assert_int_equal(arch_pt_map(&procs[0].pt, VA, PA, MAP_R | MAP_W | MAP_CLEAN), 0);
	arch_ad_by_fault = 0;
	pager_calls = 0;
	panic_jump = NULL;
	panicked = NULL;
	return 0;
}

/* The panic t's fault at va stops the machine with (its format); the
 * test fails if there is none. */
static const char *fault_panics(uint64_t va, unsigned access)
{
	jmp_buf jump;

	if (setjmp(jump) == 0) {
		panic_jump = &jump;
		fault_page(&t, va, access);
		fail_msg("no panic");
	}
	panic_jump = NULL;
	return panicked;
}

/* The root task alone (the first store to its stack): the bit is set and
 * the hart learnt to fault so; no pager call. */
static void test_learnt_alone(void **state)
{
	(void)state;
	procs[0].is_root = 1;
	procs_alive = 1;
	fault_page(&t, VA, FAULT_WRITE);
	assert_int_equal(pte_of(0, VA) & PTE_D, PTE_D);
	assert_int_equal(arch_ad_by_fault, 1);
	assert_int_equal(pager_calls, 0);
}

/* Learnt while another process runs: it was made without the look, and
 * its bits would never be set; the machine stops saying so. */
static void test_learnt_late_panics(void **state)
{
	(void)state;
	procs_alive = 2;
	assert_non_null(strstr(fault_panics(VA, FAULT_WRITE), "learnt only after"));
}

/* Any other fault of the root task, the pager itself, stops the machine:
 * no one would answer its call. */
static void test_root_fault_panics(void **state)
{
	(void)state;
	procs[0].is_root = 1;
	procs_alive = 1;
	assert_non_null(strstr(fault_panics(VA + PAGE_SIZE, FAULT_READ), "the pager faulted"));
	assert_int_equal(pager_calls, 0);
}

/* Once learnt, everyone's A/D faults are completed however many run; a
 * fault that is not one goes to the pager. */
static void test_known_then_pager(void **state)
{
	(void)state;
	arch_ad_by_fault = 1;
	procs_alive = 3;
	fault_page(&t, VA, FAULT_WRITE);
	assert_int_equal(pte_of(0, VA) & PTE_D, PTE_D);
	assert_int_equal(pager_calls, 0);
	fault_page(&t, VA + PAGE_SIZE, FAULT_READ);
	assert_int_equal(pager_calls, 1);
	assert_int_equal(t.fault_msg.w[0], VA + PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learnt_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learnt_late_panics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_fault_panics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_then_pager, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
