/*
 * Host test for the scheduler (kernel/sched.c), its way out to user mode
 * a jump back to the test: a timer tick taken while the hart idles charges
 * no thread, so the first to run after it keeps its turn at its next trap;
 * a tick taken while a thread runs ends that thread's slice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_kernel_csr.h"

/* Every return to user mode comes back here, noting whose registers it
 * was given. */
static jmp_buf out;
static struct arch_regs *entered;
#define ARCH_JUMP(label, r, from)                \
	do {                                     \
		(void)(from);                    \
		entered = (r);                   \
		longjmp(out, 1);                 \
	} while (0)

#include "../../kernel/sched.c"

int arch_status_plain = 1;
_Noreturn void arch_enter_user(struct arch_regs *r)
{
	entered = r;
	longjmp(out, 1);
}
uint64_t arch_time_now(void) { return 0; }
uint64_t arch_ns_to_ticks(uint64_t ns) { return ns; }
void arch_timer_set(uint64_t deadline) { (void)deadline; }
void arch_pt_activate_kernel(void) {}

/* Two threads of one process at one priority. */
static struct proc proc_;
static struct thread a, b;

static int setup(void **state)
{
	(void)state;
	memset(runq, 0, sizeof(runq));
	sched_maybe_ready = 0;
	sched_running = NULL;
	sched_active_proc = NULL;
	slice_over = 0;
	for (struct thread *t = &a; t; t = t == &a ? &b : NULL)
		*t = (struct thread){ .proc = &proc_, .prio = PRIO_NORMAL };
	return 0;
}

/* The thread a scheduler entry (schedule, or the idle loop's
 * sched_run_first) left in; NULL if it returned, nothing ready. */
static struct thread *left_in(void (*entry)(void))
{
	entered = NULL;
	if (!setjmp(out))
		entry();
	return entered == &a.regs ? &a : entered == &b.regs ? &b : NULL;
}

/* The idle loop (arch/riscv/trap.c): the tick, then the threads its
 * interrupts woke run. The first, trapping (a system call that does not
 * block), goes on: the tick fell in no thread's slice. */
static void test_idle_tick_charges_nobody(void **state)
{
	(void)state;
	sched_timer_tick();
	assert_null(left_in(sched_run_first));
	sched_ready(&a);
	sched_ready(&b);
	assert_ptr_equal(left_in(sched_run_first), &a);
	assert_ptr_equal(left_in(schedule), &a);
}

/* A tick while a thread runs ends its slice: the other runs, and the
 * first waits behind it. */
static void test_running_tick_ends_slice(void **state)
{
	(void)state;
	sched_ready(&a);
	sched_ready(&b);
	assert_ptr_equal(left_in(sched_run_first), &a);
	assert_ptr_equal(left_in(schedule), &a);	/* no tick: still a's turn */
	sched_timer_tick();
	assert_ptr_equal(left_in(schedule), &b);
	assert_int_equal(a.state, T_READY);
	assert_ptr_equal(runq[PRIO_NORMAL].head, &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_idle_tick_charges_nobody, setup),
		cmocka_unit_test_setup(test_running_tick_ends_slice, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
