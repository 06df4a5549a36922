/*
 * waitpid and wait over sys_proc_wait, with the handles recorded in the
 * child table, and the POSIX status word for the kernel's struct exit_info.
 * There are no process groups: any pid <= 0 means any child.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "children.h"
#include "sleep.h"
#include "sys.h"
#include "thread.h"

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

/* Wait for child pid; reap it (forget it, and close its handle once no
 * other thread uses it) if it ended. When two threads see the same end,
 * only the first reports it: the other finds no such child (ECHILD). A
 * handle the program closed itself is forgotten too (EBADF this once, then
 * ECHILD), so wait(-1) does not fail on it for ever. */
static pid_t wait_one(pid_t pid, struct exit_info *info, int options)
{
	int slot;
	int h = child_get(pid, &slot);

	if (h < 0)
		return fail(ECHILD);
	int r = sys_proc_wait(h, info, (options & WNOHANG) ? WAIT_NOHANG : 0);
	enum child_seen seen = r == -ERR_BADF ? CHILD_SEEN_GONE
			     : r == 0 && info->how != EXIT_RUNNING ? CHILD_SEEN_ENDED
			     : CHILD_SEEN_RUNNING;
	int mine = child_put(slot, seen);
	if (r < 0)
		return fail(-r);
	if (seen == CHILD_SEEN_RUNNING)
		return 0;
	return mine ? pid : fail(ECHILD);
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
		if (r == -1 && errno == ECHILD)
			continue;	/* another thread reaped it first */
		if (r != 0)
			return r;
	}
	if (count != 1)
		*only = 0;
	return count == 0 ? fail(ECHILD) : 0;
}

/* The kernel waits for one process at a time, and tells only the pager of
 * deaths: with several children and no WNOHANG we poll them all, sleeping
 * between rounds (yielding would keep threads of lower priority from ever
 * running), from WAIT_POLL_FIRST_NS up to WAIT_POLL_MAX_NS: an end is
 * seen that late at worst. With one child and no other thread we block on
 * it: another thread could make a second child that ends first, and a
 * blocked wait would not see it until the first ended. */
#define WAIT_POLL_FIRST_NS 1000000LL
#define WAIT_POLL_MAX_NS 16000000LL

static pid_t wait_any(struct exit_info *info, int options)
{
	int64_t pause = WAIT_POLL_FIRST_NS;

	for (;;) {
		pid_t only = 0;
		pid_t r = poll_any(info, &only);
		if (r != 0 || (options & WNOHANG))
			return r;
		if (only != 0 && thread_only_one()) {
			r = wait_one(only, info, options);
			if (r != -1 || errno != ECHILD)
				return r;
			continue;	/* reaped by another thread: look again */
		}
		if (sleep_ns(pause) < 0)
			sys_yield();	/* no notification to sleep on */
		pause = pause * 2 < WAIT_POLL_MAX_NS ? pause * 2 : WAIT_POLL_MAX_NS;
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
