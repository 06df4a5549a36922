/*
 * The child table and waitpid/wait (userland/lib/child_table.c, wait.c,
 * over mutex.c) with the system calls faked here. Another thread's call is
 * played inside one of ours, at the moment the fake kernel answers a wait:
 * two threads that reap the same child close its handle once and report
 * its end once. wait() for any of two children sleeps between its looks
 * instead of yielding, and so does wait() for one child while other
 * threads live (one of them could fork a second); a recorded handle that is no process's is forgotten
 * (EBADF once, then ECHILD); slots kept for forks in progress are no
 * children and count against the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "children.h"
#include "sleep.h"
#include "sys.h"
#include "thread.h"

#define FAKE_HANDLES 16
#define GIVE_UP 100	/* yields or sleeps before a broken wait is stopped */

enum proc_state { RUNNING, ENDED, NOT_A_PROCESS };

static struct {
	enum proc_state state[FAKE_HANDLES];
	int closes[FAKE_HANDLES];
	int yields, sleeps;
	int end_at_sleep;	/* the sleep after which end_handle ends */
	int end_handle;
	void (*after_wait)(void);	/* run once as the next wait answers */
	int other_threads;	/* thread_only_one says 0 */
	int ends_when_blocked;	/* > 0: this handle's child ends as a wait blocks on it */
	int blocked;		/* blocking waits that ended it */
	void (*at_sleep)(void);	/* run once at the next sleep */
} k;

int thread_only_one(void)
{
	return !k.other_threads;
}

int sys_proc_wait(int h, struct exit_info *info, int flags)
{
	int r = 0;

	if (h < 0 || h >= FAKE_HANDLES || k.closes[h] > 0 || k.state[h] == NOT_A_PROCESS)
		r = -ERR_BADF;
	if (r == 0 && k.state[h] == RUNNING && !(flags & WAIT_NOHANG) && h == k.ends_when_blocked) {
		k.blocked++;
		k.state[h] = ENDED;	/* the child ends while the wait blocks */
	}
	if (r == 0 && k.state[h] == RUNNING && !(flags & WAIT_NOHANG))
		fail_msg("a blocking wait on a running child would never return here");
	if (r == 0) {
		memset(info, 0, sizeof(*info));
		info->pid = (uint32_t)h;
		info->how = k.state[h] == ENDED ? EXIT_NORMAL : EXIT_RUNNING;
	}
	if (k.after_wait) {
		void (*other)(void) = k.after_wait;
		k.after_wait = NULL;
		other();
	}
	return r;
}

int sys_handle_close(int h)
{
	assert_true(h >= 0 && h < FAKE_HANDLES);
	k.closes[h]++;
	return 0;
}

/* A wait that polls by yielding gets its child's end after GIVE_UP
 * yields, so that the test ends and says so. */
int sys_yield(void)
{
	if (++k.yields == GIVE_UP)
		k.state[k.end_handle] = ENDED;
	return 0;
}

int sleep_ns(int64_t ns)
{
	assert_true(ns > 0);
	if (++k.sleeps == k.end_at_sleep)
		k.state[k.end_handle] = ENDED;
	if (k.at_sleep) {
		void (*other)(void) = k.at_sleep;
		k.at_sleep = NULL;
		other();
	}
	if (k.sleeps == GIVE_UP)
		fail_msg("wait never saw the child that ended");
	return 0;
}

/* One thread: the table's mutex is never found held. */
int sys_gettid(void)
{
	return 1;
}

int sys_notify_create(void)
{
	fail_msg("a single thread never waits for a mutex");
	return -1;
}

long sys_notify_wait(int h)
{
	(void)h;
	fail_msg("a single thread never waits for a mutex");
	return -1;
}

int sys_notify_signal(int h, uint64_t bits)
{
	(void)h;
	(void)bits;
	fail_msg("no one sleeps for a mutex");
	return -1;
}

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	children_fork_child();	/* an empty table */
	return 0;
}

#define PID 42
#define HANDLE 3

static pid_t other_result;
static int other_errno;

static void other_thread_reaps(void)
{
	int status = -1;

	errno = 0;
	other_result = waitpid(PID, &status, 0);
	other_errno = errno;
}

static void test_two_reapers_close_once(void **state)
{
	int status = -1;

	(void)state;
	assert_int_equal(child_register(PID, HANDLE), 0);
	k.state[HANDLE] = ENDED;
	k.after_wait = other_thread_reaps;
	errno = 0;
	pid_t mine = waitpid(PID, &status, 0);
	int my_errno = errno;

	for (int h = 0; h < FAKE_HANDLES; h++)
		assert_int_equal(k.closes[h], h == HANDLE);
	/* One of the two reports the end; the other finds no child. */
	assert_true((mine == PID && other_result == -1 && other_errno == ECHILD) ||
		    (other_result == PID && mine == -1 && my_errno == ECHILD));
	errno = 0;
	assert_int_equal(waitpid(PID, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_wait_any_sleeps(void **state)
{
	int status = -1;

	(void)state;
	assert_int_equal(child_register(10, 4), 0);
	assert_int_equal(child_register(11, 5), 0);
	k.end_handle = 5;
	k.end_at_sleep = 3;
	assert_int_equal(wait(&status), 11);
	assert_true(WIFEXITED(status));
	assert_int_equal(k.yields, 0);
	assert_int_equal(k.sleeps, 3);
	assert_int_equal(k.closes[5], 1);
	assert_int_equal(k.closes[4], 0);
}

/* Another thread forks while this one waits: its child ends at once. */
static void other_thread_forks(void)
{
	assert_int_equal(child_register(12, 7), 0);
	k.state[7] = ENDED;
}

static void test_wait_one_child_other_threads(void **state)
{
	int status = -1;

	(void)state;
	assert_int_equal(child_register(10, 4), 0);	/* runs for ever */
	k.other_threads = 1;
	k.at_sleep = other_thread_forks;
	assert_int_equal(wait(&status), 12);
	assert_true(WIFEXITED(status));
	assert_int_equal(k.closes[7], 1);
	assert_int_equal(k.closes[4], 0);
	k.other_threads = 0;	/* alone again: blocking on the one child is safe */
	k.ends_when_blocked = 4;
	assert_int_equal(wait(&status), 10);
	assert_int_equal(k.blocked, 1);	/* it blocked, */
	assert_int_equal(k.sleeps, 1);	/* and did not poll */
}

static void test_not_a_process_forgotten(void **state)
{
	int status = -1;

	(void)state;
	assert_int_equal(child_register(20, 6), 0);
	k.state[6] = NOT_A_PROCESS;
	errno = 0;
	assert_int_equal(wait(&status), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(wait(&status), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(k.closes[6], 0);	/* not ours to close */
}

static void test_reserved_slots(void **state)
{
	int slots[CHILDREN_MAX], status = -1;

	(void)state;
	for (int i = 0; i < CHILDREN_MAX; i++)
		assert_true((slots[i] = child_reserve()) >= 0);
	assert_int_equal(child_reserve(), -ERR_MFILE);
	assert_int_equal(child_register(PID, HANDLE), -ERR_MFILE);
	for (size_t i = 0; i < CHILDREN_MAX; i++)
		assert_int_equal(child_at(i), 0);
	errno = 0;
	assert_int_equal(wait(&status), -1);	/* kept slots are no children */
	assert_int_equal(errno, ECHILD);
	child_fill(slots[0], PID, HANDLE);
	k.state[HANDLE] = ENDED;
	assert_int_equal(waitpid(PID, &status, 0), PID);
	assert_int_equal(child_register(PID + 1, HANDLE + 1), 0);	/* the reaped one's */
	assert_int_equal(child_register(PID + 2, HANDLE + 2), -ERR_MFILE);
	for (int i = 1; i < CHILDREN_MAX; i++)
		child_unreserve(slots[i]);
	assert_int_equal(child_register(PID + 2, HANDLE + 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_two_reapers_close_once, setup),
		cmocka_unit_test_setup(test_wait_any_sleeps, setup),
		cmocka_unit_test_setup(test_wait_one_child_other_threads, setup),
		cmocka_unit_test_setup(test_not_a_process_forgotten, setup),
		cmocka_unit_test_setup(test_reserved_slots, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
