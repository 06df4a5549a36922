/*
 * preempt: a thread that never makes a system call still gets the CPU from
 * the main thread at the same priority (the timer preempts main), and main
 * gets it back (the timer preempts the spinner).
 */
#include "check.h"
#include "tests.h"
#include "thread.h"

#define BUSY_MIN (100 * MS)	/* main spins at least this long */
#define BUSY_MAX (3000 * MS)	/* and gives up after this: > the longest
				 * time slice, kernel.timeslice_ms=1000 */

static volatile unsigned long spins;
static volatile int stop, stopped;

static void spinner_thread(void *arg)
{
	(void)arg;
	while (!stop)
		spins++;
	stopped = 1;
}

/* Spin on the clock alone until BUSY_MIN has passed and the spinner has
 * run, or BUSY_MAX; returns the time spent. */
static int64_t busy_wait(void)
{
	int64_t start = sys_clock(), now;

	do
		now = sys_clock();
	while (now - start < BUSY_MAX && (now - start < BUSY_MIN || spins == 0));
	return now - start;
}

int test_preempt(void)
{
	spins = 0;
	stop = 0;
	stopped = 0;
	CHECK(thread_spawn(spinner_thread, NULL, TEST_STACK, PRIO_NORMAL) >= 0);
	int64_t spent = busy_wait();
	unsigned long seen = spins;
	diag("spinner counted to %lu while main spun %ld ms", seen,
	     (long)(spent / MS));
	stop = 1;
	CHECK_RUN(wait_flag(&stopped, TEST_TIMEOUT));
	CHECK(seen > 0);
	return 0;
}
