/*
 * preempt: two threads at the same priority that make no system call take
 * turns, so only the timer can switch them: while the main thread spins on
 * a counter alone, the spinner's count moves (the timer preempted main),
 * and main gets the CPU back to see it (the timer preempted the spinner).
 */
#include "check.h"
#include "tests.h"
#include "thread.h"

/* Main's rounds at most: at a few hundred million a second, longer than
 * the longest time slice (kernel.timeslice_ms=1000) many times over. */
#define SPIN_MAX (1UL << 33)

static volatile unsigned long spins;
static volatile int stop, stopped;

static void spinner_thread(void *arg)
{
	(void)arg;
	while (!stop)
		spins++;
	stopped = 1;
}

/* Spin, with no system call, until the spinner's count moves or SPIN_MAX
 * rounds; the rounds it took. On one hart the count can move only while
 * main is not running: the timer took the CPU from it. */
static unsigned long spin_until_moved(unsigned long from)
{
	unsigned long i = 0;

	while (spins == from && i < SPIN_MAX)
		i++;
	return i;
}

int test_preempt(void)
{
	unsigned long from, rounds, seen;

	spins = 0;
	stop = 0;
	stopped = 0;
	CHECK(thread_spawn(spinner_thread, NULL, TEST_STACK, PRIO_NORMAL) >= 0);
	from = spins;
	rounds = spin_until_moved(from);
	seen = spins;
	diag("the spinner counted from %lu to %lu while main spun %lu rounds", from, seen, rounds);
	stop = 1;
	CHECK_RUN(wait_flag(&stopped, TEST_TIMEOUT));
	CHECK(seen != from);
	CHECK(rounds < SPIN_MAX);
	return 0;
}
