/*
 * poolside: a line beside pooleater's, for guest-two-lines
 * (init.run=pooleater+poolside). pooleater's line has taken all its
 * budget of the kernel pool lets it and holds it; this process, of
 * another line, then faults on fresh 2 MiB ranges (a page table each),
 * forks a child doing the same, and starts a thread: each must work, as
 * the pool still has what other lines' budgets and the pager's reserve
 * left. Prints TAP; a fault the kernel could not map would kill it, and
 * the plan would be short.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/kinfo.h"
#include "pager_client.h"
#include "thread.h"
#include "sys.h"
#include "kernel/abi/proc.h"

#define HUGE (1UL << 30)
#define TABLE_SPAN (2UL << 20)
#define TABLES 64	/* more than pooleater's line left in the pool without a budget */

/* One page touched in each of TABLES fresh 2 MiB ranges; 0 if all read back. */
static int touch_fresh(void)
{
	uint8_t *map = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int bad = 0;

	if (map == MAP_FAILED)
		return 1;
	for (uint64_t k = 0; k < TABLES; k++)
		map[k * TABLE_SPAN] = (uint8_t)(k + 1);
	for (uint64_t k = 0; k < TABLES; k++)
		bad |= map[k * TABLE_SPAN] != (uint8_t)(k + 1);
	munmap(map, HUGE);
	return bad;
}

static volatile int thread_ran;

static void thread_body(void *arg)
{
	(void)arg;
	thread_ran = 1;
}

int main(void)
{
	struct kernel_info k;
	struct pager_info bounds = { 0 };
	int status = -1;
	pid_t pid;

	printf("1..4\n");
	sys_kernel_info(&k);
	pager_info(&bounds);
	printf("# kernel pool: %lu pages, %lu free with pooleater's line at its budget\n",
	       (unsigned long)k.pool_pages, (unsigned long)k.pool_free);
	printf("%s 1 - the pool has room for another line's budget (%lu pages free, a budget %lu)\n",
	       bounds.line_pool_pages && k.pool_free >= bounds.line_pool_pages ? "ok" : "not ok",
	       (unsigned long)k.pool_free, (unsigned long)bounds.line_pool_pages);
	printf("%s 2 - faults on %d fresh 2 MiB ranges are mapped\n",
	       touch_fresh() == 0 ? "ok" : "not ok", TABLES);
	if ((pid = fork()) == 0)
		_exit(touch_fresh());
	if (pid > 0)
		waitpid(pid, &status, 0);
	printf("%s 3 - a forked child does the same and exits 0\n",
	       pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "not ok");
	int tid = thread_spawn(thread_body, NULL, THREAD_STACK_MIN, PRIO_NORMAL);
	while (tid > 0 && !thread_ran)
		sys_yield();	/* it runs, or this process is killed: no deadline */
	printf("%s 4 - a thread starts (%d)\n", tid > 0 && thread_ran ? "ok" : "not ok", tid);
	return 0;
}
