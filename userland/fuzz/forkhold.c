/*
 * A line held full: a worker's child (the lead) forks until the pager
 * refuses (the line holds PAGER_LINE_PROCS_MAX processes: the supervisor,
 * the workers and their children), its children living on a while, each
 * until its own timer; it asks for one more spawn while the line is full,
 * kills some, and reaps them all. The children of op_fork exit at once, so
 * without this the limit is seldom met.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "fuzz.h"
#include "pager_client.h"
#include "sleep.h"

#define PAGE 4096UL

/* How long a child holds its place: long enough that the line fills and
 * the refused requests meet it full (forking is a few ms a child), short
 * enough that a worker stays well inside the supervisor's hang bound. */
#define HOLD_NS_MAX (100 * MS)
/* Past this a held child (or the lead) that has not ended is left to
 * op_reap (it ends by its own timer, or once its own reaping is done; only
 * a kernel or pager fault would keep it). */
#define REAP_NS (2000 * MS)
/* A hold makes up to PAGER_LINE_PROCS_MAX (28) forks where op_fork makes
 * one, at three times this op's weight: going ahead one time in 28 / 3
 * rounded up, 10, the holds cost the run about what op_fork's forks do. */
#define GO_AHEAD_ONE_IN ((PAGER_LINE_PROCS_MAX + 2) / 3)

static _Noreturn void holder(int64_t until)
{
	progress_stop();
	fuzz_env.is_child = 1;
	int64_t left = until - sys_clock();
	/* Bounded whatever happens: a sleep on a timer, else the clock. */
	if (left > 0 && sleep_ns(left) < 0)
		while (sys_clock() < until)
			sys_yield();
	_exit(0);
}

/* Reap the pids in held[0..n) (killed or not), each reaped one's status in
 * *status; those still running at the bound stay in the children table
 * for op_reap, their pids in held. */
static void reap_held(pid_t *held, int n, int *status)
{
	int64_t end = sys_clock() + REAP_NS;
	int left = n;

	while (left > 0 && sys_clock() < end) {
		for (int i = 0; i < n; i++) {
			if (held[i] > 0 && waitpid(held[i], status, WNOHANG) != 0)
				held[i] = 0, left--;
		}
		fuzz_progress();
		sys_yield();
	}
}

/* The lead holder: a child of the worker that lets go of the worker's big
 * mappings (its area, the pressure op's kept ones), so that its children
 * share little: 28 copies of a worker's memory would grow the pager's
 * reverse map, and its malloc's high-water mark, 28-fold. Then it fills the
 * line. Exit status 1 if the pager refused a spawn with the line full. */
static _Noreturn void lead(struct rng *r, int64_t until)
{
	pid_t held[PAGER_LINE_PROCS_MAX];
	int n = 0;

	progress_stop();
	fuzz_env.is_child = 1;
	munmap(fuzz_env.area, fuzz_env.area_pages * PAGE);
	for (unsigned i = 0; i < fuzz_env.nkept_hogs; i++)
		munmap(fuzz_env.kept_hogs[i].addr, fuzz_env.kept_hogs[i].len);
	while (n < PAGER_LINE_PROCS_MAX) {
		pid_t pid = fork();
		if (pid == 0)
			holder(until);
		if (pid < 0)
			break;	/* the line full (EAGAIN), or our table */
		held[n++] = pid;
	}
	/* Refused while the line is full, leaving nothing behind. */
	static const char *const argv[] = { "exiter", "0", NULL };
	int h = spawn("exiter", argv, -1, NULL);
	if (h >= 0)
		sys_handle_close(h);	/* room after all: it ends by itself */
	for (int i = 0; i < n; i++)
		if (rng_one_in(r, 3))
			kill(held[i], SIGKILL);
	int status;
	reap_held(held, n, &status);
	_exit(h == -EAGAIN);
}

void op_fork_hold(struct rng *r)
{
	int64_t until = sys_clock() + 1 + (int64_t)rng_below(r, HOLD_NS_MAX);
	pid_t pid;
	int status = 0;

	if (fuzz_env.is_child || !rng_one_in(r, GO_AHEAD_ONE_IN))
		return;
	if ((pid = fork()) == 0)
		lead(r, until);
	if (pid < 0)
		return fuzz_fork_failed(errno);
	fuzz_note_detail((uint64_t)pid);
	pid_t one = pid;
	reap_held(&one, 1, &status);	/* it ends within its children's hold and reaping */
	if (one == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1)
		fuzz_event(EV_LINE_FULL);	/* the pager's word: the line was full */
}
