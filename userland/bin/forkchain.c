/*
 * forkchain: a fork bomb that must stop at its line's bound
 * (PAGER_LINE_PROCS_MAX, pager/protocol.h), for the suite's
 * limit_processes. A first child forks a chain and exits at once (a line's
 * middle dying frees no one from it); each link forks the next and waits
 * for it, until a fork fails. With the chain alive, forkchain checks that
 * the fork failed with EAGAIN, that the chain with forkchain and its
 * spawner fits the bound, that the pager's table has room for others and
 * that forkchain cannot fork either; then the chain unwinds. Exits 0, or
 * the number of the first check that failed. A small program, so that its
 * chain's page tables stay few: copies of the suite's address space would
 * empty a 2 MiB kernel pool before the line is full.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/clock.h"
#include "pager_client.h"
#include "sys.h"

#define TIMEOUT (10000 * CLOCK_NS_PER_MS)

struct chain {
	volatile int links;	/* processes the chain made */
	volatile int err;	/* errno of the fork that failed */
	volatile int done;	/* the last link's fork failed */
	volatile int release;	/* forkchain has looked: unwind */
};

/* 0 once *flag is set, -1 after TIMEOUT. */
static int wait_set(const volatile int *flag)
{
	for (int64_t start = sys_clock(); !__atomic_load_n(flag, __ATOMIC_ACQUIRE); sys_yield())
		if (sys_clock() - start > TIMEOUT)
			return -1;
	return 0;
}

static void failed(struct chain *c)
{
	c->err = errno;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
}

_Noreturn static void link_on(struct chain *c)
{
	int status;
	pid_t pid;

	while ((pid = fork()) == 0)
		;	/* the new link goes on */
	if (pid < 0) {
		failed(c);
		wait_set(&c->release);
		_exit(0);
	}
	__atomic_add_fetch(&c->links, 1, __ATOMIC_SEQ_CST);
	waitpid(pid, &status, 0);
	_exit(0);
}

/* The first child: starts the chain and leaves it. */
_Noreturn static void first(struct chain *c)
{
	pid_t pid = fork();

	if (pid == 0)
		link_on(c);
	if (pid < 0)
		failed(c);
	else
		__atomic_add_fetch(&c->links, 1, __ATOMIC_SEQ_CST);
	_exit(0);
}

/* The checks, with the chain alive: 0, or the first that failed. */
static int look(const struct chain *c)
{
	struct pager_stats st;
	struct kernel_info k;
	pid_t pid;
	int err;

	if (pager_stats(&st) < 0 || sys_kernel_info(&k) < 0)
		return 4;
	if ((pid = fork()) == 0)
		_exit(0);
	err = errno;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	printf("forkchain: the chain made %d processes (its last fork: errno %d); the table holds "
	       "%lu of %d, the kernel pool has %lu of %lu pages free; forkchain's own fork: %s\n",
	       c->links, c->err, (unsigned long)st.processes, PAGER_PROCS_MAX,
	       (unsigned long)k.pool_free, (unsigned long)k.pool_pages,
	       pid < 0 ? "refused" : "made");
	if (c->err != EAGAIN)
		return 5;
	if (c->links + 2 > PAGER_LINE_PROCS_MAX)
		return 6;
	if (st.processes >= PAGER_PROCS_MAX)
		return 7;
	if (pid >= 0 || err != EAGAIN)
		return 8;
	return 0;
}

int main(void)
{
	struct chain *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, r;
	pid_t pid;

	if (c == MAP_FAILED)
		return 1;
	if ((pid = fork()) == 0)
		first(c);
	if (pid < 0)
		return 2;
	waitpid(pid, &status, 0);
	if (wait_set(&c->done) < 0)
		r = 3;
	else
		r = look(c);
	c->release = 1;
	return r;
}
