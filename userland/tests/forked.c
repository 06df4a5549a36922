/*
 * Children made with fork() for the memory tests: starting one on a
 * function, reaping it with a deadline, and checking how it ended.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "children.h"
#include "exit_report.h"

pid_t fork_run(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0)
		check_failed(__FILE__, __LINE__, "fork: errno %d", errno);
	return pid;
}

int reap(pid_t pid, struct exit_info *info, int64_t timeout_ns)
{
	int64_t start = sys_clock();

	memset(info, 0xa5, sizeof(*info));	/* the kernel must fill it */
	for (;;) {
		pid_t r = waitpid_info(pid, info, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0) {
			check_failed(__FILE__, __LINE__, "waitpid %d: errno %d", (int)pid, errno);
			return -1;
		}
		if (sys_clock() - start > timeout_ns)
			break;
		sys_yield();
	}
	kill(pid, SIGKILL);
	waitpid_info(pid, info, 0);
	check_failed(__FILE__, __LINE__, "child %d still ran after %ld ms", (int)pid,
		     (long)(timeout_ns / MS));
	return -1;
}

int expect_clean_exit(const struct exit_info *info, const char *what)
{
	char text[96];

	if (info->how == EXIT_NORMAL && info->status == 0)
		return 0;
	check_failed(__FILE__, __LINE__, "%s %s", what,
		     exit_describe(info, text, sizeof(text)));
	return -1;
}

int run_child(int (*fn)(void *), void *arg, const char *what)
{
	struct exit_info info;
	pid_t pid = fork_run(fn, arg);

	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	return expect_clean_exit(&info, what);
}

int expect_fault_kill(int (*fn)(void *), void *arg, uintptr_t addr)
{
	struct exit_info info;
	pid_t pid = fork_run(fn, arg);

	CHECK(pid > 0);
	CHECK_RUN(reap(pid, &info, CHILD_TIMEOUT));
	diag("child %d: how %u cause %u addr 0x%lx pc 0x%lx", (int)pid,
	     (unsigned)info.how, (unsigned)info.cause, (unsigned long)info.addr,
	     (unsigned long)info.pc);
	CHECK_EQ(info.pid, pid);
	CHECK_EQ(info.how, EXIT_KILLED);
	CHECK_EQ(info.cause, CAUSE_PAGE_FAULT);
	CHECK(info.addr == addr);
	CHECK(info.pc >= USER_BASE && info.pc < USER_TOP);
	/* The same end, as a POSIX program sees it. */
	int status = wait_status(&info);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(WTERMSIG(status), SIGSEGV);
	return 0;
}

int poll_flag(const volatile int *flag, int64_t timeout_ns)
{
	int64_t start = sys_clock();

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
		if (sys_clock() - start > timeout_ns)
			return -1;
		sys_yield();
	}
	return 0;
}

void *anon_pages(uint64_t pages, int flags)
{
	void *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

_Noreturn int grow_forever(void *arg)
{
	(void)arg;
	for (uint64_t n = 0;; n++) {
		uint64_t *p = anon_pages(256, MAP_PRIVATE);
		if (!p) {
			sys_yield();
			continue;
		}
		for (uint64_t i = 0; i < 256; i++)
			p[i * 512] = n * 256 + i;
	}
}
