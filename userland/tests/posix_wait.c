/*
 * fork_wait: the POSIX process calls as an ordinary C program uses them:
 * fork, waitpid (with WNOHANG), wait and kill, and the status word for an
 * exit, a kill and each kind of crash (a spawned child registered by pid);
 * wait for any of two children lets a thread of lower priority run; wait
 * with one child sees a second one another thread made while it waited; a
 * fork with the child table full makes no child; a recorded handle the
 * program closed is forgotten; the last thread to end ends the process as
 * exit does (atexit handlers run).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "children.h"
#include "pager_client.h"
#include "sleep.h"
#include "tests.h"
#include "thread.h"

#define EXIT_VALUE 42

static int exit_value(void *arg)
{
	(void)arg;
	return EXIT_VALUE;
}

/* Runs until killed; the deadline only keeps a broken kill from hanging
 * the suite. */
static int spin(void *arg)
{
	int64_t start = sys_clock();
	(void)arg;

	while (sys_clock() - start < CHILD_TIMEOUT)
		sys_yield();
	return 1;
}

static int exit_status(void)
{
	int status = -1;
	pid_t pid = fork_run(exit_value, NULL);

	CHECK(pid > 0);
	CHECK(pid != getpid());
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK(!WIFSIGNALED(status));
	CHECK_EQ(WEXITSTATUS(status), EXIT_VALUE);
	errno = 0;
	CHECK_EQ(waitpid(pid, &status, 0), -1);	/* reaped: no longer ours */
	CHECK_EQ(errno, ECHILD);
	return 0;
}

/* WNOHANG on a running child, then kill with a signal it reports. */
static int nohang_and_kill(void)
{
	int status = -1;
	pid_t pid = fork_run(spin, NULL);

	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	CHECK_EQ(kill(pid, 0), 0);		/* it exists */
	CHECK_EQ(kill(pid, SIGTERM), 0);
	CHECK_EQ(wait(&status), pid);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGTERM);
	errno = 0;
	CHECK_EQ(kill(pid, SIGTERM), -1);	/* reaped: unknown pid */
	CHECK_EQ(errno, ESRCH);
	errno = 0;
	CHECK_EQ(wait(&status), -1);		/* no children left */
	CHECK_EQ(errno, ECHILD);
	return 0;
}

/* A spawned crasher, registered by pid, dies with sig. */
static int crash_signal(const char *mode, int sig)
{
	int pid = 0, status = -1;
	int h = spawn("crasher", (const char *const[]){ "crasher", mode, NULL }, -1, &pid);

	CHECK(h >= 0);
	CHECK_EQ(child_register(pid, h), 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), sig);
	return 0;
}

/* Sleeps until killed; ends by itself (status 1) only after CHILD_TIMEOUT,
 * which a broken wait would show. */
static int sleeper(void *arg)
{
	(void)arg;
	sleep_ns(CHILD_TIMEOUT);
	return 1;
}

struct killer {
	int note;	/* signalled once the kill is done */
	pid_t pid;
};

/* Runs only while every thread of normal priority waits. */
static void idle_killer(void *arg)
{
	struct killer *k = arg;

	kill(k->pid, SIGTERM);
	sys_notify_signal(k->note, 1);
}

/* wait() for any of two children: a wait that polled them by yielding
 * would keep the idle thread that kills one from ever running, until a
 * child ended by itself. */
static int wait_any_lets_idle_run(void)
{
	int status = -1;
	int threads = own_threads();
	struct killer k = { .note = sys_notify_create() };
	pid_t first = fork_run(sleeper, NULL);
	pid_t second = fork_run(sleeper, NULL);

	CHECK(k.note >= 0 && first > 0 && second > 0);
	k.pid = first;
	CHECK(thread_spawn(idle_killer, &k, TEST_STACK, PRIO_IDLE) >= 0);
	CHECK_EQ(wait(&status), first);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGTERM);
	CHECK_EQ(sys_notify_wait(k.note), 1);	/* the killer has finished with k */
	sys_handle_close(k.note);
	CHECK_EQ(kill(second, SIGTERM), 0);
	CHECK_EQ(waitpid(second, &status, 0), second);
	return threads_back_to(threads, TEST_TIMEOUT);	/* the killer is gone */
}

/* Forks a child that exits at once; its pid goes to *arg. */
static void fork_quick(void *arg)
{
	*(volatile pid_t *)arg = fork_run(exit_value, NULL);
}

/* wait() begun with one child (a sleeper) must see a second child another
 * thread forks while it waits, and return it first: a wait that blocked on
 * its one child would return the sleeper, once killed or CHILD_TIMEOUT
 * later. The forking thread has idle priority, so it runs only once this
 * thread waits. */
static int wait_any_sees_later_child(void)
{
	int status = -1;
	int threads = own_threads();
	volatile pid_t second = 0;
	pid_t first = fork_run(sleeper, NULL);

	CHECK(first > 0);
	CHECK(thread_spawn(fork_quick, (void *)&second, TEST_STACK, PRIO_IDLE) >= 0);
	pid_t got = wait(&status);
	CHECK(got > 0 && got != first);
	/* fork_quick stores the pid after fork_run has recorded the child: the
	 * wait may see it first. Bounded by the hang bound only. */
	for (int64_t start = sys_clock(); second == 0 && sys_clock() - start < TEST_TIMEOUT;)
		sleep_ns(MS);
	CHECK_EQ(got, second);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), EXIT_VALUE);
	CHECK_EQ(kill(first, SIGTERM), 0);
	CHECK_EQ(waitpid(first, &status, 0), first);
	return threads_back_to(threads, TEST_TIMEOUT);
}

/* Pids no process has (the kernel counts up from 1). */
#define FAKE_PID(i) (0x7ff00000 + (i))

/* With every slot of the child table taken, fork refuses (EAGAIN) without
 * making a child: the kernel's next pid is the one after the last child's.
 * The fake children's handle is a notification: waiting for one finds no
 * process there, which forgets it (EBADF). */
static int fork_table_full(void)
{
	int status = -1, note = sys_notify_create();
	pid_t before = fork_run(exit_value, NULL);

	CHECK(note >= 0 && before > 0);
	CHECK_EQ(waitpid(before, &status, 0), before);
	int n = 0;
	while (child_register(FAKE_PID(n), note) == 0)
		n++;
	CHECK_EQ(n, CHILDREN_MAX);
	errno = 0;
	CHECK_EQ(fork(), -1);
	CHECK_EQ(errno, EAGAIN);
	for (int i = 0; i < n; i++) {
		errno = 0;
		CHECK_EQ(waitpid(FAKE_PID(i), &status, WNOHANG), -1);
		CHECK_EQ(errno, EBADF);
	}
	errno = 0;
	CHECK_EQ(wait(&status), -1);	/* all forgotten */
	CHECK_EQ(errno, ECHILD);
	sys_handle_close(note);
	pid_t after = fork_run(exit_value, NULL);
	CHECK(after > 0);
	CHECK_EQ(waitpid(after, &status, 0), after);
	CHECK_EQ(after, before + 1);
	return 0;
}

/* A child whose handle the program closed itself: wait reports EBADF once,
 * then has no child to wait for (not EBADF for ever). */
static int closed_handle_forgotten(void)
{
	int status = -1, slot;
	pid_t pid = fork_run(exit_value, NULL);

	CHECK(pid > 0);
	int h = child_get(pid, &slot);
	CHECK(h >= 0);
	child_put(slot, CHILD_SEEN_RUNNING);
	CHECK_EQ(sys_handle_close(h), 0);
	errno = 0;
	CHECK_EQ(wait(&status), -1);
	CHECK_EQ(errno, EBADF);
	errno = 0;
	CHECK_EQ(wait(&status), -1);
	CHECK_EQ(errno, ECHILD);
	return 0;
}

static volatile int *exit_seen;	/* shared with the parent */

static void mark_exit(void)
{
	*exit_seen = 1;
}

static void return_at_once(void *arg)
{
	(void)arg;
}

/* Two threads end, the first one first or last: whichever is last ends
 * the process as exit(0) does. */
static int threads_end(void *arg)
{
	exit_seen = arg;
	if (atexit(mark_exit) != 0 || thread_spawn(return_at_once, NULL, TEST_STACK, PRIO_NORMAL) < 0)
		return 1;
	thread_exit();
}

static int last_thread_runs_atexit(void)
{
	struct exit_info info;
	int *seen = anon_pages(1, MAP_SHARED);

	CHECK(seen != NULL);
	*seen = 0;
	pid_t pid = fork_run(threads_end, seen);
	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	CHECK_RUN(expect_clean_exit(&info, "the child whose threads ended"));
	CHECK_EQ(*seen, 1);
	munmap(seen, 4096);
	return 0;
}

int test_fork_wait(void)
{
	CHECK_RUN(exit_status());
	CHECK_RUN(nohang_and_kill());
	CHECK_RUN(crash_signal("null", SIGSEGV));
	CHECK_RUN(crash_signal("illegal", SIGILL));
	CHECK_RUN(crash_signal("misaligned", SIGBUS));
	CHECK_RUN(wait_any_lets_idle_run());
	CHECK_RUN(wait_any_sees_later_child());
	CHECK_RUN(fork_table_full());
	CHECK_RUN(closed_handle_forgotten());
	return last_thread_runs_atexit();
}
