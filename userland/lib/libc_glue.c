/*
 * The process services picolibc expects from its host: _exit, getpid, and
 * kill for the processes a program can name by pid: itself (abort and raise
 * need it) and its recorded children (children.h). sbrk is elsewhere:
 * pager_heap.c, or the pager's own.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "children.h"
#include "console.h"
#include "sys.h"

_Noreturn void _exit(int status)
{
	console_flush();
	sys_exit(status);
}

pid_t getpid(void)
{
	return sys_getpid();
}

/* Kill ourselves with reason sig (a waiter sees CAUSE_KILLED, status sig). */
static int kill_self(int sig)
{
	if (sig == 0)
		return 0;	/* only asks whether we exist */
	console_flush();
	sys_proc_kill(HANDLE_SELF, sig);
	_exit(128 + sig);	/* the kernel refused to kill us: still end */
}

/* There are no signal handlers: every signal but 0 ends the process, and
 * its waiter sees sig as the kill reason (WTERMSIG). Processes other than
 * ourselves are reached through the handle recorded for them. */
int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	if (pid == getpid())
		return kill_self(sig);
	int slot;
	int h = child_get(pid, &slot);
	if (h < 0) {
		errno = ESRCH;
		return -1;
	}
	int r = sig == 0 ? 0 : sys_proc_kill(h, sig);
	child_put(slot, CHILD_SEEN_RUNNING);
	/* -ERR_SRCH: it has ended but is not reaped yet; like a zombie, it
	 * still exists for kill, which has nothing left to do. */
	if (r < 0 && r != -ERR_SRCH) {
		errno = -r;
		return -1;
	}
	return 0;
}
