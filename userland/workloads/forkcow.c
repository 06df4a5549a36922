/*
 * Fork-heavy copy-on-write: the parent writes a quarter of the available
 * memory, then forks children one after another. Each child checks every
 * page it shares with the parent, rewrites every other one (a private
 * copy each), checks those, and exits with 1 if any word was wrong. The
 * parent's own pages must be untouched at the end.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

#define CHILDREN 8

/* In the child: the shared pages, the copies. 0 if all words were right. */
static int child(uint64_t *buf, uint64_t n)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < n; p++)
		bad += wl_check(buf, p, 1);
	for (uint64_t p = 0; p < n; p += 2)
		wl_fill(buf, p, 2);
	for (uint64_t p = 0; p < n; p++)
		bad += wl_check(buf, p, p % 2 ? 1 : 2);
	return bad != 0;
}

/* One fork and wait: 0 if the child ran and found everything right. */
static int one_child(uint64_t *buf, uint64_t n)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child(buf, n));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

static void run(uint64_t unit, struct wl_report *r)
{
	uint64_t n = unit / 4, *buf = wl_map(n);

	if (buf == NULL) {
		r->errors++;
		return;
	}
	for (uint64_t p = 0; p < n; p++)
		wl_fill(buf, p, 1);
	for (int i = 0; i < CHILDREN; i++)
		r->errors += one_child(buf, n);
	for (uint64_t p = 0; p < n; p++)
		r->errors += wl_check(buf, p, 1);
	r->pages = n;
	r->refs = n * (2 + CHILDREN * 5 / 2);
	r->extra = CHILDREN;
	wl_unmap(buf, n);
}

const struct workload workload = { "forkcow", "children", 1, run };
