/*
 * pooleater: one line taking what it can of the kernel pool, for
 * guest-two-lines (init.run=pooleater+poolside). It forks touchers, each
 * holding page tables over sparse pages (pool_touch: enough that half of
 * a full line spends the line's budget, whatever the memory size), until
 * its line's budget of the kernel pool refuses one: a fork failing with
 * ENOMEM, or a toucher killed at a table (SIGSEGV). The touchers left
 * hold their tables for ever (they wait on a notification no one
 * signals); pooleater checks that its line uses about its budget
 * (pager_info.line_pool_used: less at most a toucher's cost and four
 * pages), reports and exits 0, so init starts poolside in a line of its own. Exit 1:
 * nothing was refused, or not by the budget; 2: no shared page for the
 * flags or no bounds from the pager.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/kinfo.h"
#include "pager/protocol.h"
#include "pager_client.h"
#include "userland/tests/pool_touch.h"
#include "sys.h"

#define TOUCHERS (PAGER_LINE_PROCS_MAX - 1)

static volatile int *ready;	/* shared: toucher i holds its tables */
static struct pager_info bounds;
static uint64_t tables;		/* each toucher's */

_Noreturn static void toucher(int i)
{
	if (!pool_touch(&bounds, tables))
		_exit(1);
	ready[i] = 1;
	sys_notify_wait(sys_notify_create());	/* for ever: no one signals it */
	_exit(0);
}

/* How toucher i ended before it held its tables: refused (0) if killed
 * at a fault, as a refused table kills; else -2 (it exited, or was killed
 * for something else). */
static int toucher_ended(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? 0 : -2;
}

/* Fork toucher i: 1 once it holds its tables, 0 if a table was refused,
 * -2 if it died otherwise, -1 with *err if the fork was refused. */
static int toucher_start(int i, int *err)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		*err = errno;
		return -1;
	}
	if (pid == 0)
		toucher(i);
	while (!ready[i]) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return toucher_ended(status);
		sys_yield();
	}
	return 1;
}

static const char *why(int r, int err)
{
	switch (r) {
	case 1:
		return "was not tried (the line is full)";
	case 0:
		return "was killed at a table";
	case -1:
		return err == ENOMEM ? "fork failed (ENOMEM)" : "fork failed (not ENOMEM)";
	default:
		return "died, but not at a table";
	}
}

int main(void)
{
	struct kernel_info before, first, after;
	struct pager_info now;
	int n = 0, r = 1, err = 0;
	int64_t drop, cost, least;

	ready = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ready == MAP_FAILED || pager_info(&bounds) < 0 ||
	    !(tables = pool_touch_tables(&bounds, TOUCHERS)))
		return 2;
	sys_kernel_info(&before);
	first = before;
	while (n < TOUCHERS && (r = toucher_start(n, &err)) == 1)
		if (n++ == 0)
			sys_kernel_info(&first);
	sys_kernel_info(&after);
	if (pager_info(&now) < 0)
		return 2;
	drop = (int64_t)before.pool_free - (int64_t)after.pool_free;
	cost = (int64_t)before.pool_free - (int64_t)first.pool_free;
	/* The line's use, which the pager reports, is its budget less at most
	 * the refused toucher's share (given back): the first's cost, and a
	 * page for each kind of object a fork is made with (record, handle
	 * table, thread, the thread's room for a message copy), any of which
	 * may have started a page of the line's cache of its kind for the
	 * refused one and found room for the first. Charges are whole pages,
	 * so a refusal leaves less than a page unused: none. */
	least = (int64_t)bounds.line_pool_pages - cost - 4;
	printf("pooleater: %d touchers of %lu tables hold them (the first cost %ld pages); the next %s; "
	       "kernel pool: %lu pages, %lu free before, %lu now; the line's budget %lu pages, "
	       "%lu used\n",
	       n, (unsigned long)tables, (long)cost, why(r, err), (unsigned long)before.pool_pages,
	       (unsigned long)before.pool_free, (unsigned long)after.pool_free,
	       (unsigned long)bounds.line_pool_pages, (unsigned long)now.line_pool_used);
	if (r == 1 || r == -2 || (r == -1 && err != ENOMEM))
		return 1;
	if ((int64_t)now.line_pool_used < least) {
		printf("pooleater: the line uses %lu pages, less than the budget less a toucher "
		       "(%ld): something else refused (the pool lost %ld)\n",
		       (unsigned long)now.line_pool_used, (long)least, (long)drop);
		return 1;
	}
	return 0;
}
