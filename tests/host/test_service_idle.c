/*
 * Host tests for what wakes an idle service thread (pager/server/idle.c),
 * over a faked swap engine (whether the thread has a direct write left in
 * flight) and a faked sys_notify_bind: while a thread has a write left its
 * disk notification is bound to it, so that its wait for requests ends
 * with the device's answer and it settles the write then, not at its next
 * request; once the write is settled it is unbound, so that stray
 * completion bits do not wake it, nor is a thread with nothing left when
 * another thread's write is; the first service thread's disk (the deaths'
 * notification, bound for good) is left as it is; and one bind per change,
 * not one per request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/threads.h"
#include "server/idle.h"
#include "swap/swap.h"
#include "sys.h"

static int left;		/* the thread has a direct write left */
unsigned swap_out_left_count;	/* writes left by every thread */
static int binds;		/* sys_notify_bind calls */
static int bound_to;		/* the last call's notification (-1: unbound) */
static int bind_fails;		/* sys_notify_bind refuses */

int swap_out_left_of(const struct pager_thread *t)
{
	(void)t;
	return left;
}

int sys_notify_bind(int h)
{
	binds++;
	if (bind_fails)
		return -1;
	bound_to = h;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	left = binds = bind_fails = 0;
	swap_out_left_count = 0;
	bound_to = -1;
	return 0;
}

/* The thread has a write left (mine) and all are left by every thread. */
static void set_left(int mine, unsigned all)
{
	left = mine;
	swap_out_left_count = all;
}

/* A service thread (not the first) whose disk is its wake notification. */
static struct pager_thread thread_of(unsigned id)
{
	return (struct pager_thread){ .name = "service1", .id = id, .wake = 7, .disk = 7,
				      .io_client = IO_SERVICE + 1 };
}

/* It leaves a write: its disk is heard while it waits, through requests
 * that leave it still out (bound once); settled, it is not. */
static void left_write_heard_until_settled(void **state)
{
	struct pager_thread t = thread_of(1);

	(void)state;
	idle_hear_left(&t);
	assert_int_equal(binds, 0);
	set_left(1, 1);
	idle_hear_left(&t);
	assert_int_equal(binds, 1);
	assert_int_equal(bound_to, 7);
	idle_hear_left(&t);
	assert_int_equal(binds, 1);
	set_left(0, 0);
	idle_hear_left(&t);
	assert_int_equal(binds, 2);
	assert_int_equal(bound_to, -1);
	idle_hear_left(&t);
	assert_int_equal(binds, 2);
}

/* Another thread's write left: this one, with nothing left, is not bound
 * (a stray completion bit must not wake its receive); and one bound is
 * unbound once its own is settled, though another's is still out. */
static void others_write_not_heard(void **state)
{
	struct pager_thread t = thread_of(2);

	(void)state;
	set_left(0, 1);
	idle_hear_left(&t);
	assert_int_equal(binds, 0);
	set_left(1, 2);
	idle_hear_left(&t);
	assert_int_equal(bound_to, 7);
	set_left(0, 1);
	idle_hear_left(&t);
	assert_int_equal(binds, 2);
	assert_int_equal(bound_to, -1);
}

/* The first thread's disk is the deaths' notification, bound to it for
 * good (service_loop): never bound again, nor unbound. */
static void first_thread_left_bound(void **state)
{
	struct pager_thread t = thread_of(0);

	(void)state;
	t.hears_deaths = 1;
	t.disk = 5;
	set_left(1, 1);
	idle_hear_left(&t);
	set_left(0, 0);
	idle_hear_left(&t);
	assert_int_equal(binds, 0);
}

/* A bind refused leaves the thread as before (its write settled at its
 * next request), and is tried again at its next wait. */
static void refused_bind_tried_again(void **state)
{
	struct pager_thread t = thread_of(3);

	(void)state;
	set_left(1, 1);
	bind_fails = 1;
	idle_hear_left(&t);
	assert_int_equal(binds, 1);
	bind_fails = 0;
	idle_hear_left(&t);
	assert_int_equal(binds, 2);
	assert_int_equal(bound_to, 7);
	set_left(0, 0);
	idle_hear_left(&t);
	assert_int_equal(bound_to, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(left_write_heard_until_settled, setup),
		cmocka_unit_test_setup(others_write_not_heard, setup),
		cmocka_unit_test_setup(first_thread_left_bound, setup),
		cmocka_unit_test_setup(refused_bind_tried_again, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
