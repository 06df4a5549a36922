/*
 * pooleater: one line taking what it can of the kernel pool, for
 * guest-two-lines (init.run=pooleater+poolside). It forks touchers, each
 * a 1 GiB mapping with one page touched in each of its first 2 MiB
 * ranges (a few frames, a page table each), until its line's budget of
 * the kernel pool refuses one: a fork failing with ENOMEM, or a toucher
 * killed at a table. The touchers left hold their tables for ever (they
 * wait on a notification no one signals); pooleater reports and exits 0,
 * so init starts poolside in a line of its own. Exit 1: the line was full
 * before anything was refused; 2: no shared page for the flags.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/kinfo.h"
#include "pager/protocol.h"
#include "sys.h"

#define HUGE (1UL << 30)
#define TABLE_SPAN (2UL << 20)	/* what one leaf page table maps */
#define TABLES 32		/* each toucher's: under a process's own limit */
#define TOUCHERS (PAGER_LINE_PROCS_MAX - 1)

static volatile int *ready;	/* shared: toucher i holds its tables */

_Noreturn static void toucher(int i)
{
	uint8_t *map = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED)
		_exit(1);
	for (uint64_t k = 0; k < TABLES; k++)
		map[k * TABLE_SPAN] = 1;
	ready[i] = 1;
	sys_notify_wait(sys_notify_create());	/* for ever: no one signals it */
	_exit(0);
}

/* Fork toucher i: 1 once it holds its tables, 0 if it died first (a
 * table refused), -1 if the fork was refused (errno). */
static int toucher_start(int i)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		toucher(i);
	while (!ready[i]) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return 0;
		sys_yield();
	}
	return 1;
}

int main(void)
{
	struct kernel_info before, after;
	int n = 0, r = 1;

	ready = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ready == MAP_FAILED)
		return 2;
	sys_kernel_info(&before);
	while (n < TOUCHERS && (r = toucher_start(n)) == 1)
		n++;
	sys_kernel_info(&after);
	printf("pooleater: %d touchers hold their tables; the next %s; kernel pool: %lu pages, "
	       "%lu free before, %lu now\n", n,
	       r == 1 ? "was not tried (the line is full)" :
	       r == 0 ? "was killed at a table" : "fork failed",
	       (unsigned long)before.pool_pages, (unsigned long)before.pool_free,
	       (unsigned long)after.pool_free);
	if (r < 0)
		printf("pooleater: the fork failed with errno %d\n", errno);
	return r == 1 || (r < 0 && errno != ENOMEM) ? 1 : 0;
}
