/*
 * waitpid and wait over sys_proc_wait, with the handles recorded in the
 * child table, and the POSIX status word for the kernel's struct exit_info.
 * There are no process groups: any pid <= 0 means any child.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "children.h"
#include "sys.h"

/* The signal a kill reports as, POSIX-style. */
static int kill_signal(const struct exit_info *info)
{
	switch (info->cause) {
	case CAUSE_PAGE_FAULT:
	case CAUSE_NO_PAGER:
		return SIGSEGV;
	case CAUSE_ILLEGAL:
		return SIGILL;
	case CAUSE_MISALIGNED:
		return SIGBUS;
	case CAUSE_BAD_TRAP:
		return SIGTRAP;
	default:
		/* kill(pid, sig) passes sig as the reason: report it back. */
		return info->status > 0 && info->status < 0x7f ? info->status : SIGKILL;
	}
}

int wait_status(const struct exit_info *info)
{
	if (info->how == EXIT_NORMAL)
		return (info->status & 0xff) << 8;
	if (info->how == EXIT_KILLED)
		return kill_signal(info);
	return 0;
}

static pid_t fail(int error)
{
	errno = error;
	return -1;
}

/* Wait for child pid; reap it (close and forget its handle) if it ended. */
static pid_t wait_one(pid_t pid, struct exit_info *info, int options)
{
	int h = child_handle(pid);

	if (h < 0)
		return fail(ECHILD);
	int r = sys_proc_wait(h, info, (options & WNOHANG) ? WAIT_NOHANG : 0);
	if (r < 0)
		return fail(-r);
	if (info->how == EXIT_RUNNING)
		return 0;
	child_forget(pid);
	sys_handle_close(h);
	return pid;
}

/* Any child that has ended, without blocking: its pid, 0 if none has, or
 * -1 (ECHILD) if there are no children. *only gets the pid of the one
 * child when there is exactly one. */
static pid_t poll_any(struct exit_info *info, pid_t *only)
{
	int count = 0;

	for (size_t i = 0; i < CHILDREN_MAX; i++) {
		pid_t pid = child_at(i);
		if (pid == 0)
			continue;
		count++;
		*only = pid;
		pid_t r = wait_one(pid, info, WNOHANG);
		if (r != 0)
			return r;
	}
	if (count != 1)
		*only = 0;
	return count == 0 ? fail(ECHILD) : 0;
}

/* The kernel waits for one process at a time: with several children and
 * no WNOHANG we poll them all, giving the CPU away between rounds. With
 * one child we block on it. */
static pid_t wait_any(struct exit_info *info, int options)
{
	for (;;) {
		pid_t only = 0;
		pid_t r = poll_any(info, &only);
		if (r != 0 || (options & WNOHANG))
			return r;
		if (only != 0)
			return wait_one(only, info, options);
		sys_yield();
	}
}

pid_t waitpid_info(pid_t pid, struct exit_info *info, int options)
{
	if (options & ~WNOHANG)
		return fail(EINVAL);
	return pid > 0 ? wait_one(pid, info, options) : wait_any(info, options);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	struct exit_info info;
	pid_t r = waitpid_info(pid, &info, options);

	if (r > 0 && status != NULL)
		*status = wait_status(&info);
	return r;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}
