/*
 * A line held full: a worker forks until the pager refuses (its line holds
 * PAGER_LINE_PROCS_MAX processes: the supervisor, the workers and their
 * children), its children living on a while, each until its own timer; it
 * asks for one more child and one more spawn while the line is full, kills
 * some, and reaps them all. The children of op_fork exit at once, so
 * without this the limit is seldom met.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "fuzz.h"
#include "pager_client.h"
#include "sleep.h"

/* How long a child holds its place: long enough that the line fills and
 * the refused requests meet it full (forking is a few ms a child), short
 * enough that a worker stays well inside the supervisor's hang bound. */
#define HOLD_NS_MAX (100 * MS)
/* Past this a held child that has not ended is left to op_reap (it ends
 * by its own timer; only a kernel or pager fault would keep it). */
#define REAP_NS (2000 * MS)
/* A hold makes up to PAGER_LINE_PROCS_MAX (28) forks where op_fork makes
 * one, at three times this op's weight: going ahead one time in 28 / 3,
 * about 9, the holds cost the run what op_fork's forks do. */
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

/* Reap the pids in held[0..n) (killed or not); those still running at the
 * bound stay in the children table for op_reap. */
static void reap_held(pid_t *held, int n)
{
	int64_t end = sys_clock() + REAP_NS;
	int left = n, status;

	while (left > 0 && sys_clock() < end) {
		for (int i = 0; i < n; i++) {
			if (held[i] > 0 && waitpid(held[i], &status, WNOHANG) != 0)
				held[i] = 0, left--;
		}
		fuzz_progress();
		sys_yield();
	}
}

void op_fork_hold(struct rng *r)
{
	pid_t held[PAGER_LINE_PROCS_MAX];
	int n = 0;
	int64_t until = sys_clock() + 1 + (int64_t)rng_below(r, HOLD_NS_MAX);

	if (fuzz_env.is_child || !rng_one_in(r, GO_AHEAD_ONE_IN))
		return;
	while (n < PAGER_LINE_PROCS_MAX) {
		pid_t pid = fork();
		if (pid == 0)
			holder(until);
		if (pid < 0) {
			fuzz_fork_failed(errno);	/* the line full: EAGAIN */
			break;
		}
		held[n++] = pid;
	}
	fuzz_note_detail((uint64_t)n);
	/* Refused while the line is full, leaving nothing behind. */
	static const char *const argv[] = { "exiter", "0", NULL };
	int h = spawn("exiter", argv, -1, NULL);
	if (h >= 0)
		sys_handle_close(h);	/* room after all: it ends by itself */
	else if (h == -EAGAIN)
		fuzz_event(EV_LINE_FULL);	/* the pager's word: the line is full */
	for (int i = 0; i < n; i++)
		if (rng_one_in(r, 3))
			kill(held[i], SIGKILL);
	reap_held(held, n);
}
