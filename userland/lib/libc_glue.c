/*
 * The process services picolibc expects from its host: _exit, getpid, and
 * kill for the one process a program can name by pid, itself (abort and
 * raise need it). sbrk is elsewhere: pager_heap.c, or the pager's own.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

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

/* Kill ourselves with reason sig (a waiter sees CAUSE_KILLED, status sig).
 * Other processes are reached by handle (sys_proc_kill), never by pid. */
int kill(pid_t pid, int sig)
{
	if (pid != getpid()) {
		errno = ESRCH;
		return -1;
	}
	if (sig == 0)
		return 0;	/* only asks whether we exist */
	console_flush();
	sys_proc_kill(HANDLE_SELF, sig);
	_exit(128 + sig);	/* the kernel refused to kill us: still end */
}
