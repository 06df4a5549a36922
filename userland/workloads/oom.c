/*
 * Out of memory without swap: the parent writes an eighth of the available
 * memory, then forks a child that maps and writes page after page until
 * the system kills it. The child must die by SIGKILL (the OOM killer) and
 * the parent must find every word of its own pages intact. extra: the
 * pages the child had written when it died (counted in shared memory).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

#define CHUNK 256	/* pages the child maps at a time */

/* In the child: grow for ever, counting pages in *grown. */
static _Noreturn void grow(volatile uint64_t *grown)
{
	for (uint64_t chunk = 0;; chunk++) {
		uint64_t *p = wl_map(CHUNK);

		if (p == NULL)
			_exit(3);	/* refused, not killed: the parent reports it */
		for (uint64_t i = 0; i < CHUNK; i++) {
			p[i * WL_WORDS] = wl_word(chunk, 0, i);
			(*grown)++;
		}
	}
}

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit / 8, *buf = wl_map(n);
	volatile uint64_t *grown = mmap(NULL, WL_PAGE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;

	if (buf == NULL || grown == MAP_FAILED) {
		r->errors++;
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 1);
	*grown = 0;
	pid_t pid = fork();
	if (pid == 0)
		grow(grown);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("compare: error: cannot fork or wait for the growing child\n");
		r->errors++;
	} else if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("compare: error: the growing child ended with status %#x, not by SIGKILL\n",
		       status);
		r->errors++;
	}
	for (uint64_t p = 0; p < n; p++)
		r->errors += wl_check(buf, p, 1);
	r->pages = n + *grown;
	r->refs = 2 * n + *grown;
	r->extra = *grown;
	wl_unmap(buf, n);
}

const struct workload workload = { "oom", "child_pages", 0, run };
