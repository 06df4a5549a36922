/*
 * fork_wait: the POSIX process calls as an ordinary C program uses them:
 * fork, waitpid (with WNOHANG), wait and kill, and the status word for an
 * exit, a kill and each kind of crash (a spawned child registered by pid).
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "children.h"
#include "pager_client.h"
#include "tests.h"

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

int test_fork_wait(void)
{
	CHECK_RUN(exit_status());
	CHECK_RUN(nohang_and_kill());
	CHECK_RUN(crash_signal("null", SIGSEGV));
	CHECK_RUN(crash_signal("illegal", SIGILL));
	CHECK_RUN(crash_signal("misaligned", SIGBUS));
	return 0;
}
